/*
 * Small dense kernels for exact RTRL: C (+)= A B with few rows and a short inner
 * dimension (A is n_L x n_S, B a sensitivity matrix n_S x columns, C the new one).
 *
 * The columns are walked in panels W vectors wide; within a panel, blocks of R rows of
 * C stay in registers (R x W accumulators) while the inner dimension runs, so each vector
 * of B is loaded once per block and used R times. Walking the panels in the outer loop
 * keeps the panel of B (k x W vectors, copied into a contiguous buffer when B is wide) in
 * L1 for every row block, and A (small) in L1 for the whole product: B and C cross the
 * cache hierarchy once.
 *
 * The body is compiled three times — AVX-512 (8-wide doubles, blocks of 4 rows x 4
 * vectors: 16 of the 32 registers accumulate, 8 loads per 16 FMAs), AVX2 + FMA (4-wide,
 * 4 rows x 2 vectors: 16 registers in all) and baseline (2-wide, 4 x 2) — and the first
 * call picks the best one the CPU supports. (Measured on AVX-512 against 8 rows x 2
 * vectors, 10 loads per 16 FMAs, in one process, alternating: 0-12 % faster at n = 32 and
 * 8-14 % at n = 64, most when the machine is busy.)
 */
#include "rtrl_kernels.h"
#include <pthread.h>
#include <string.h>

#define RTRLK_LOAD(V, dst, src) memcpy(&(dst), (src), sizeof(V))
#define RTRLK_STORE(V, dst, src) memcpy((dst), &(src), sizeof(V))

/* One block of R rows (starting at row i) by W vectors (starting at column j of C): the
 * inner dimension kk, A from `aa` (row stride lda), the panel of B from `pb` (row stride
 * lpb), C accumulated when `acc`. The loops over r and w have constant bounds and unroll:
 * R x W accumulators stay in registers. */
#define RTRLK_TILE(T, V, L, R, W, SPLAT)                                                   \
    do {                                                                                   \
        V s[R][W];                                                                         \
        for (int r = 0; r < R; r++)                                                        \
            for (int w = 0; w < W; w++) {                                                  \
                if (acc) RTRLK_LOAD(V, s[r][w], c + (i + r) * ldc + j + w * L);            \
                else s[r][w] = (V){0};                                                     \
            }                                                                              \
        for (ptrdiff_t p = 0; p < kk; p++) {                                               \
            V b[W];                                                                        \
            for (int w = 0; w < W; w++) RTRLK_LOAD(V, b[w], pb + p * lpb + w * L);         \
            for (int r = 0; r < R; r++) {                                                  \
                V x = SPLAT(aa[(i + r) * lda + p]);                                        \
                for (int w = 0; w < W; w++) s[r][w] += x * b[w];                           \
            }                                                                              \
        }                                                                                  \
        for (int r = 0; r < R; r++)                                                        \
            for (int w = 0; w < W; w++)                                                    \
                RTRLK_STORE(V, c + (i + r) * ldc + j + w * L, s[r][w]);                    \
    } while (0)

/* One block of R rows by one vector (the last columns of a row), over the whole k. */
#define RTRLK_TILE1(T, V, L, R, SPLAT)                                                     \
    do {                                                                                   \
        V s0[R];                                                                           \
        for (int r = 0; r < R; r++) {                                                      \
            if (accumulate) RTRLK_LOAD(V, s0[r], c + (i + r) * ldc + j);                   \
            else s0[r] = (V){0};                                                           \
        }                                                                                  \
        for (ptrdiff_t p = 0; p < k; p++) {                                                \
            V b0;                                                                          \
            RTRLK_LOAD(V, b0, b + p * ldb + j);                                            \
            for (int r = 0; r < R; r++) {                                                  \
                T ar = a[(i + r) * lda + p];                                               \
                V x = SPLAT(ar);                                                           \
                s0[r] += x * b0;                                                           \
            }                                                                              \
        }                                                                                  \
        for (int r = 0; r < R; r++) RTRLK_STORE(V, c + (i + r) * ldc + j, s0[r]);          \
    } while (0)

/* The inner dimension is walked in chunks of RTRLK_KC. When several row blocks share a
 * panel and B spans more than RTRLK_PACK_SPAN bytes, the chunk of the panel (RTRLK_KC x W
 * vectors) is first copied into a contiguous buffer: the rows of B lie ldb apart — pages
 * apart for wide sensitivity matrices — and re-reading them for every row block costs a
 * TLB miss per row. Below that span the copy costs more than it saves (measured on
 * AVX-512, 64-byte-aligned B: unpacked is 6-14 % faster at n = 24 ... 48, where B spans
 * 0.1-0.9 MiB; packed is 7-15 % faster from n = 56, 1.4 MiB). A chunk continues the
 * previous one's sums through C (stored and reloaded exactly), so every entry of C is the
 * same sequence of operations as without chunks. */
#define RTRLK_KC 128
#define RTRLK_PACK_SPAN (1 << 20)
#define RTRLK_BODY(T, V, L, R, W, SPLAT)                                                   \
    ptrdiff_t j = 0;                                                                       \
    T pack[RTRLK_KC * W * L] __attribute__((aligned(64)));                                 \
    for (; j + W * L <= n; j += W * L) {                                                   \
        ptrdiff_t p0 = 0;                                                                  \
        do {                                                                               \
            ptrdiff_t kk = k - p0 < RTRLK_KC ? k - p0 : RTRLK_KC;                          \
            int acc = accumulate || p0 > 0;                                                \
            const T *aa = a + p0;                                                          \
            const T *pb = b + p0 * ldb + j;                                                \
            ptrdiff_t lpb = ldb;                                                           \
            if (m > R && k * ldb * (ptrdiff_t)sizeof(T) > RTRLK_PACK_SPAN) {               \
                for (ptrdiff_t p = 0; p < kk; p++)                                         \
                    memcpy(pack + p * W * L, pb + p * ldb, sizeof(T) * W * L);             \
                pb = pack;                                                                 \
                lpb = W * L;                                                               \
            }                                                                              \
            ptrdiff_t i = 0;                                                               \
            for (; i + R <= m; i += R) RTRLK_TILE(T, V, L, R, W, SPLAT);                   \
            for (; i < m; i++) RTRLK_TILE(T, V, L, 1, W, SPLAT);                           \
            p0 += RTRLK_KC;                                                                \
        } while (p0 < k);                                                                  \
    }                                                                                      \
    for (; j + L <= n; j += L) {                                                           \
        ptrdiff_t i = 0;                                                                   \
        for (; i + R <= m; i += R) RTRLK_TILE1(T, V, L, R, SPLAT);                         \
        for (; i < m; i++) RTRLK_TILE1(T, V, L, 1, SPLAT);                                 \
    }                                                                                      \
    for (ptrdiff_t i = 0; i < m; i++) {                                                    \
        const T *ai = a + i * lda;                                                         \
        T *ci = c + i * ldc;                                                               \
        for (ptrdiff_t jj = j; jj < n; jj++) {                                             \
            T s = accumulate ? ci[jj] : 0;                                                 \
            for (ptrdiff_t p = 0; p < k; p++) s += ai[p] * b[p * ldb + jj];                \
            ci[jj] = s;                                                                    \
        }                                                                                  \
    }

#define RTRLK_PARAMS(T)                                                                    \
    (ptrdiff_t m, ptrdiff_t n, ptrdiff_t k, const T *restrict a, ptrdiff_t lda,            \
     const T *restrict b, ptrdiff_t ldb, int accumulate, T *restrict c, ptrdiff_t ldc)

typedef double d8 __attribute__((vector_size(64)));
typedef double d4 __attribute__((vector_size(32)));
typedef double d2 __attribute__((vector_size(16)));
typedef float f16 __attribute__((vector_size(64)));
typedef float f8 __attribute__((vector_size(32)));
typedef float f4 __attribute__((vector_size(16)));

#define SPLAT2(s) {s, s}
#define SPLAT4(s) {s, s, s, s}
#define SPLAT8(s) {s, s, s, s, s, s, s, s}
#define SPLAT16(s) {s, s, s, s, s, s, s, s, s, s, s, s, s, s, s, s}

typedef void (*dgemm_fn) RTRLK_PARAMS(double);
typedef void (*sgemm_fn) RTRLK_PARAMS(float);

static void dgemm_base RTRLK_PARAMS(double) { RTRLK_BODY(double, d2, 2, 4, 2, SPLAT2) }
static void sgemm_base RTRLK_PARAMS(float) { RTRLK_BODY(float, f4, 4, 4, 2, SPLAT4) }

#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
#define RTRLK_X86 1
__attribute__((target("avx2,fma"))) static void dgemm_avx2 RTRLK_PARAMS(double) { RTRLK_BODY(double, d4, 4, 4, 2, SPLAT4) }
__attribute__((target("avx2,fma"))) static void sgemm_avx2 RTRLK_PARAMS(float) { RTRLK_BODY(float, f8, 8, 4, 2, SPLAT8) }
__attribute__((target("avx512f,fma"))) static void dgemm_avx512 RTRLK_PARAMS(double) { RTRLK_BODY(double, d8, 8, 4, 4, SPLAT8) }
__attribute__((target("avx512f,fma"))) static void sgemm_avx512 RTRLK_PARAMS(float) { RTRLK_BODY(float, f16, 16, 4, 4, SPLAT16) }
#endif

/* The best variant for this CPU, chosen once, at the first call (pthread_once: callers on
 * several threads wait for the one choosing, and then read what it stored). */
static dgemm_fn dgemm_impl;
static sgemm_fn sgemm_impl;
static pthread_once_t chosen = PTHREAD_ONCE_INIT;

static void choose(void) {
    dgemm_fn d = dgemm_base;
    sgemm_fn s = sgemm_base;
#ifdef RTRLK_X86
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) { d = dgemm_avx2; s = sgemm_avx2; }
    if (__builtin_cpu_supports("avx512f")) { d = dgemm_avx512; s = sgemm_avx512; }
#endif
    sgemm_impl = s;
    dgemm_impl = d;
}

void rtrlk_dgemm RTRLK_PARAMS(double) {
    pthread_once(&chosen, choose);
    dgemm_impl(m, n, k, a, lda, b, ldb, accumulate, c, ldc);
}

void rtrlk_sgemm RTRLK_PARAMS(float) {
    pthread_once(&chosen, choose);
    sgemm_impl(m, n, k, a, lda, b, ldb, accumulate, c, ldc);
}

const char *rtrlk_variant(void) {
    pthread_once(&chosen, choose);
#ifdef RTRLK_X86
    if (dgemm_impl == dgemm_avx512) return "avx512";
    if (dgemm_impl == dgemm_avx2) return "avx2";
#endif
    return "baseline";
}
