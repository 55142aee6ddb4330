/*
 * The engine's kernel on several threads: a large product C (+)= A B is cut into column
 * chunks (whole panels), and each thread — the caller's and the workers — owns a range of
 * them, the same range in every product, so that the columns of P a thread writes in one
 * step are in its own cache when it reads them in the next. A thread takes the chunks of
 * its range from the front; the caller, done with its own, takes the other ranges' chunks
 * from the back. So the caller never waits for a worker that has not started (it does
 * that worker's chunks itself) and waits only for chunks a worker is in the middle of.
 * (A split into fixed halves made the caller wait for a worker the hypervisor had not
 * scheduled yet: steps up to 3x slower. Chunks handed out from one counter moved columns
 * between the threads' caches from step to step: no faster than one thread.)
 *
 * The worker threads are started on first use (at most RTRLK_MAX_THREADS - 1, with every
 * signal blocked so that the host's handlers never run on them). After a product they
 * spin for RTRLK_SPIN_NS — a network stepping at n = 32 hands out a product every 30-50
 * microseconds, and waking a sleeping thread costs about as much as the product — and
 * then sleep on a condition variable until the next one. One product at a time uses
 * them: a caller that finds them busy (another network stepping on another thread) runs
 * its product alone, so nothing ever waits for another caller's work. A forked child
 * starts with no workers.
 *
 * Every entry of C is computed by one thread with the same sequence of operations as on
 * one thread, so the split changes no bit of the result.
 */
#include "rtrl_kernels.h"
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <time.h>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define RTRLK_PAUSE() _mm_pause()
#elif defined(__aarch64__)
#define RTRLK_PAUSE() __asm__ __volatile__("yield")
#else
#define RTRLK_PAUSE() ((void)0)
#endif

#define RTRLK_MAX_THREADS 32
/* Chunks per thread: what the caller can take over from a late worker, a quarter at a time. */
#define RTRLK_CHUNKS_PER_THREAD 4
/* How long a worker spins after its last product before it sleeps. */
#define RTRLK_SPIN_NS 200000L

/* One product, as the caller's thread and the workers run it. */
typedef struct {
    int is_double, accumulate;
    ptrdiff_t m, n, k, lda, ldb, ldc, chunk;
    const void *a, *b;
    void *c;
} rtrlk_job;

/* The product being shared. The caller writes it before it publishes a new epoch in
 * `current_epoch` (release); a worker reads it after it has seen the epoch (acquire). Relaxed
 * atomics: a worker may still be reading when the caller has moved on to the next
 * product — it then fails to claim a chunk and drops what it read. */
static struct {
    _Atomic int is_double, accumulate;
    _Atomic ptrdiff_t m, n, k, lda, ldb, ldc, chunk;
    _Atomic(const void *) a, b;
    _Atomic(void *) c;
} shared;

/* The epoch of the product being shared (one per product). */
static _Atomic uint32_t current_epoch;

/* Per thread (0 = the caller), its range of chunks: epoch << 32 | front << 16 | back. A
 * chunk is taken by a compare-exchange that also checks the epoch, so a worker still
 * holding an earlier product's description can never take one of a later product's
 * chunks. One cache line each. */
static struct {
    _Atomic uint64_t word;
    char pad[64 - sizeof(uint64_t)];
} ranges[RTRLK_MAX_THREADS] __attribute__((aligned(64)));

static _Atomic long chunks_done; /* chunks of the current epoch finished */
static _Atomic int sleepers;     /* workers asleep, or about to be */

static pthread_mutex_t pool_in_use = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t pool_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t pool_wake = PTHREAD_COND_INITIALIZER;
static int pool_workers;    /* started; under pool_lock */
static uint32_t pool_epoch; /* the caller's (under pool_in_use) */
static pthread_once_t pool_once = PTHREAD_ONCE_INIT;

static uint32_t epoch_of(uint64_t v) { return (uint32_t)(v >> 32); }
static uint64_t range_word(uint32_t epoch, uint64_t front, uint64_t back) {
    return (uint64_t)epoch << 32 | front << 16 | back;
}

static long long now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* Columns [index * chunk, (index + 1) * chunk) of the product, clipped to n. */
static void run_chunk(const rtrlk_job *j, long index) {
    ptrdiff_t lo = (ptrdiff_t)index * j->chunk, hi = lo + j->chunk < j->n ? lo + j->chunk : j->n;
    if (lo >= hi) return;
    if (j->is_double)
        rtrlk_dgemm(j->m, hi - lo, j->k, j->a, j->lda, (const double *)j->b + lo, j->ldb, j->accumulate,
                    (double *)j->c + lo, j->ldc);
    else
        rtrlk_sgemm(j->m, hi - lo, j->k, j->a, j->lda, (const float *)j->b + lo, j->ldb, j->accumulate,
                    (float *)j->c + lo, j->ldc);
}

/* Takes and runs the chunks of range r of the product of `epoch` (described by *j) until
 * none is left: from the front (the range's owner) or from the back (the caller). */
static void take_chunks(const rtrlk_job *j, int r, uint32_t epoch, int from_back) {
    _Atomic uint64_t *w = &ranges[r].word;
    uint64_t v = atomic_load_explicit(w, memory_order_acquire);
    for (;;) {
        uint64_t front = (v >> 16) & 0xffff, back = v & 0xffff;
        if (epoch_of(v) != epoch || front >= back) return;
        uint64_t taken = from_back ? back - 1 : front;
        uint64_t next = from_back ? range_word(epoch, front, back - 1) : range_word(epoch, front + 1, back);
        if (atomic_compare_exchange_weak_explicit(w, &v, next, memory_order_acq_rel, memory_order_acquire)) {
            run_chunk(j, (long)taken);
            atomic_fetch_add_explicit(&chunks_done, 1, memory_order_release);
            v = atomic_load_explicit(w, memory_order_acquire);
        }
    }
}

/* Every field of a job, for copying one into or out of `shared`. */
#define RTRLK_JOB_FIELDS(X) X(is_double) X(accumulate) X(m) X(n) X(k) X(lda) X(ldb) X(ldc) X(chunk) X(a) X(b) X(c)

static void publish(const rtrlk_job *j) {
#define RTRLK_STORE_FIELD(f) atomic_store_explicit(&shared.f, j->f, memory_order_relaxed);
    RTRLK_JOB_FIELDS(RTRLK_STORE_FIELD)
#undef RTRLK_STORE_FIELD
}

static rtrlk_job snapshot(void) {
    rtrlk_job j;
#define RTRLK_LOAD_FIELD(f) j.f = atomic_load_explicit(&shared.f, memory_order_relaxed);
    RTRLK_JOB_FIELDS(RTRLK_LOAD_FIELD)
#undef RTRLK_LOAD_FIELD
    return j;
}

typedef struct {
    int index;      /* its range: 1 ... */
    uint32_t epoch; /* the epoch when it was started */
} worker_start;

static worker_start starts[RTRLK_MAX_THREADS];

static void *worker(void *arg) {
    const worker_start *start = arg;
    int index = start->index;
    uint32_t seen = start->epoch;
    for (;;) {
        long long since = now_ns();
        unsigned spins = 0;
        uint32_t e;
        while ((e = atomic_load_explicit(&current_epoch, memory_order_acquire)) == seen) {
            RTRLK_PAUSE();
            if ((++spins & 255) != 0) continue;
            /* Every 256 pauses (a few microseconds): give the core to any other runnable
             * thread — the caller itself, when the two share a core — and check the time. */
            sched_yield();
            if (now_ns() - since < RTRLK_SPIN_NS) continue;
            /* Sleep. The caller stores the new epoch and then reads `sleepers`; this thread
             * counts itself in `sleepers` and then reads the epoch (both sequentially
             * consistent): at least one of the two sees the other, so no wake-up is lost. */
            pthread_mutex_lock(&pool_lock);
            atomic_fetch_add(&sleepers, 1);
            while (atomic_load(&current_epoch) == seen) pthread_cond_wait(&pool_wake, &pool_lock);
            atomic_fetch_sub(&sleepers, 1);
            pthread_mutex_unlock(&pool_lock);
        }
        seen = e;
        rtrlk_job j = snapshot();
        take_chunks(&j, index, e, 0);
    }
    return NULL;
}

/* In a forked child the workers do not exist: start again from none. */
static void after_fork_in_child(void) {
    pthread_mutex_init(&pool_in_use, NULL);
    pthread_mutex_init(&pool_lock, NULL);
    pthread_cond_init(&pool_wake, NULL);
    pool_workers = 0;
    atomic_store(&sleepers, 0);
}

static void register_fork_handler(void) { pthread_atfork(NULL, NULL, after_fork_in_child); }

/* Starts workers until there are `want` (or thread creation fails); under pool_lock. */
static int start_workers(int want) {
    if (pool_workers >= want) return pool_workers;
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    pthread_attr_setstacksize(&attr, 256 * 1024);
    while (pool_workers < want) {
        pthread_t t;
        starts[pool_workers + 1] = (worker_start){pool_workers + 1, pool_epoch};
        if (pthread_create(&t, &attr, worker, &starts[pool_workers + 1]) != 0) break;
        pool_workers++;
    }
    pthread_attr_destroy(&attr);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    return pool_workers;
}

static void run_parallel(rtrlk_job j, int threads) {
    if (threads > RTRLK_MAX_THREADS) threads = RTRLK_MAX_THREADS;
    j.chunk = j.n;
    if (threads <= 1 || j.n < 128 || pthread_mutex_trylock(&pool_in_use) != 0) {
        run_chunk(&j, 0);
        return;
    }
    pthread_once(&pool_once, register_fork_handler);
    pthread_mutex_lock(&pool_lock);
    int workers = start_workers(threads - 1);
    pthread_mutex_unlock(&pool_lock);
    if (workers == 0) {
        run_chunk(&j, 0);
        pthread_mutex_unlock(&pool_in_use);
        return;
    }
    /* Whole panels (32 doubles or 64 floats wide on AVX-512), a few per thread. Workers
     * beyond the requested count (started for an earlier, larger one) get empty ranges. */
    int parts = (workers < threads - 1 ? workers : threads - 1) + 1;
    ptrdiff_t width = j.is_double ? 32 : 64, total = (ptrdiff_t)RTRLK_CHUNKS_PER_THREAD * parts;
    j.chunk = ((j.n + total - 1) / total + width - 1) / width * width;
    uint64_t count = (uint64_t)((j.n + j.chunk - 1) / j.chunk);
    uint32_t epoch = pool_epoch + 1;
    publish(&j);
    for (int t = 0; t <= workers; t++) {
        uint64_t lo = t < parts ? count * (uint64_t)t / (uint64_t)parts : 0;
        uint64_t hi = t < parts ? count * (uint64_t)(t + 1) / (uint64_t)parts : 0;
        atomic_store_explicit(&ranges[t].word, range_word(epoch, lo, hi), memory_order_relaxed);
    }
    atomic_store_explicit(&chunks_done, 0, memory_order_relaxed);
    pool_epoch = epoch;
    atomic_store(&current_epoch, epoch);
    if (atomic_load(&sleepers) > 0) {
        pthread_mutex_lock(&pool_lock);
        pthread_cond_broadcast(&pool_wake);
        pthread_mutex_unlock(&pool_lock);
    }
    take_chunks(&j, 0, epoch, 0);
    for (int t = 1; t < parts; t++) take_chunks(&j, t, epoch, 1);
    /* Only chunks a worker is in the middle of are left. Should that worker have lost its
     * core (more threads than cores), yield now and then so that it can finish. */
    for (unsigned spins = 1; (uint64_t)atomic_load_explicit(&chunks_done, memory_order_acquire) < count; spins++) {
        RTRLK_PAUSE();
        if ((spins & 255) == 0) sched_yield();
    }
    pthread_mutex_unlock(&pool_in_use);
}

void rtrlk_dgemm_threads(ptrdiff_t m, ptrdiff_t n, ptrdiff_t k, const double *a, ptrdiff_t lda,
                         const double *b, ptrdiff_t ldb, int accumulate, double *c, ptrdiff_t ldc, int threads) {
    rtrlk_job j = {1, accumulate, m, n, k, lda, ldb, ldc, n, a, b, c};
    run_parallel(j, threads);
}

void rtrlk_sgemm_threads(ptrdiff_t m, ptrdiff_t n, ptrdiff_t k, const float *a, ptrdiff_t lda,
                         const float *b, ptrdiff_t ldb, int accumulate, float *c, ptrdiff_t ldc, int threads) {
    rtrlk_job j = {0, accumulate, m, n, k, lda, ldb, ldc, n, a, b, c};
    run_parallel(j, threads);
}
