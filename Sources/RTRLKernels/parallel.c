/*
 * The engine's kernel on several threads: a large product C (+)= A B is split into
 * column ranges of B and C, one per thread, the caller's thread taking the first.
 *
 * The worker threads are started on first use (at most RTRLK_MAX_THREADS - 1, with every
 * signal blocked so that the host's handlers never run on them) and then sleep on a
 * condition variable between products. One product at a time uses them: a caller that
 * finds them busy (another network stepping on another thread) runs its product alone,
 * so nothing ever waits for another caller's work. A forked child starts with no workers.
 */
#include "rtrl_kernels.h"
#include <pthread.h>
#include <signal.h>
#include <stdint.h>

#define RTRLK_MAX_THREADS 64

typedef struct {
    int is_double, accumulate, parts;
    ptrdiff_t m, n, k, lda, ldb, ldc;
    const void *a, *b;
    void *c;
} rtrlk_job;

static pthread_mutex_t pool_in_use = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t pool_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t pool_work = PTHREAD_COND_INITIALIZER;
static pthread_cond_t pool_done = PTHREAD_COND_INITIALIZER;
static int pool_workers;            /* started */
static unsigned long pool_generation; /* one per product handed to the workers */
static int pool_pending;            /* parts the workers have still to finish */
static rtrlk_job pool_job;
static pthread_once_t pool_once = PTHREAD_ONCE_INIT;

/* Columns [lo, hi) of part `part`: equal ranges, multiples of 32 columns (whole panels). */
static void run_part(const rtrlk_job *j, int part) {
    ptrdiff_t per = ((j->n + j->parts - 1) / j->parts + 31) & ~(ptrdiff_t)31;
    ptrdiff_t lo = part * per, hi = lo + per < j->n ? lo + per : j->n;
    if (lo >= hi) return;
    if (j->is_double)
        rtrlk_dgemm(j->m, hi - lo, j->k, j->a, j->lda, (const double *)j->b + lo, j->ldb, j->accumulate,
                    (double *)j->c + lo, j->ldc);
    else
        rtrlk_sgemm(j->m, hi - lo, j->k, j->a, j->lda, (const float *)j->b + lo, j->ldb, j->accumulate,
                    (float *)j->c + lo, j->ldc);
}

static void *worker(void *arg) {
    int index = (int)(intptr_t)arg; /* 1 ... pool_workers */
    unsigned long seen = 0;
    pthread_mutex_lock(&pool_lock);
    for (;;) {
        while (pool_generation == seen) pthread_cond_wait(&pool_work, &pool_lock);
        seen = pool_generation;
        if (index < pool_job.parts) {
            rtrlk_job j = pool_job;
            pthread_mutex_unlock(&pool_lock);
            run_part(&j, index);
            pthread_mutex_lock(&pool_lock);
            if (--pool_pending == 0) pthread_cond_signal(&pool_done);
        }
    }
    return NULL;
}

/* In a forked child the workers do not exist: start again from none. */
static void after_fork_in_child(void) {
    pthread_mutex_init(&pool_in_use, NULL);
    pthread_mutex_init(&pool_lock, NULL);
    pthread_cond_init(&pool_work, NULL);
    pthread_cond_init(&pool_done, NULL);
    pool_workers = 0;
    pool_generation = 0;
    pool_pending = 0;
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
        if (pthread_create(&t, &attr, worker, (void *)(intptr_t)(pool_workers + 1)) != 0) break;
        pool_workers++;
    }
    pthread_attr_destroy(&attr);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    return pool_workers;
}

static void run_parallel(rtrlk_job j, int threads) {
    if (threads > RTRLK_MAX_THREADS) threads = RTRLK_MAX_THREADS;
    if (threads <= 1 || j.n < 64 || pthread_mutex_trylock(&pool_in_use) != 0) {
        j.parts = 1;
        run_part(&j, 0);
        return;
    }
    pthread_once(&pool_once, register_fork_handler);
    pthread_mutex_lock(&pool_lock);
    j.parts = start_workers(threads - 1) + 1;
    if (j.parts > 1) {
        pool_job = j;
        pool_pending = j.parts - 1;
        pool_generation++;
        pthread_cond_broadcast(&pool_work);
        pthread_mutex_unlock(&pool_lock);
        run_part(&j, 0);
        pthread_mutex_lock(&pool_lock);
        while (pool_pending > 0) pthread_cond_wait(&pool_done, &pool_lock);
        pthread_mutex_unlock(&pool_lock);
    } else {
        pthread_mutex_unlock(&pool_lock);
        run_part(&j, 0);
    }
    pthread_mutex_unlock(&pool_in_use);
}

void rtrlk_dgemm_threads(ptrdiff_t m, ptrdiff_t n, ptrdiff_t k, const double *a, ptrdiff_t lda,
                         const double *b, ptrdiff_t ldb, int accumulate, double *c, ptrdiff_t ldc, int threads) {
    rtrlk_job j = {1, accumulate, 1, m, n, k, lda, ldb, ldc, a, b, c};
    run_parallel(j, threads);
}

void rtrlk_sgemm_threads(ptrdiff_t m, ptrdiff_t n, ptrdiff_t k, const float *a, ptrdiff_t lda,
                         const float *b, ptrdiff_t ldb, int accumulate, float *c, ptrdiff_t ldc, int threads) {
    rtrlk_job j = {0, accumulate, 1, m, n, k, lda, ldb, ldc, a, b, c};
    run_parallel(j, threads);
}
