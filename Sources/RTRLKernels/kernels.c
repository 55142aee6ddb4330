/*
 * Small dense kernels for exact RTRL: C (+)= A B with few rows and a short inner
 * dimension (A is n_L x n_S, B a sensitivity matrix n_S x columns, C the new one).
 *
 * The columns are walked in panels two vectors wide; within a panel, blocks of R rows of
 * C stay in registers (2R accumulators) while the inner dimension runs, so each vector of
 * B is loaded once per block and used R times. Walking the panels in the outer loop keeps
 * the panel of B (k x 2 vectors, copied into a contiguous buffer when B is wide) in L1 for
 * every row block, and A (small) in L1 for the whole product: B and C cross the cache
 * hierarchy once.
 *
 * The body is compiled three times — AVX-512 (8-wide doubles, blocks of 8 rows), AVX2 +
 * FMA (4-wide, 4 rows) and baseline (2-wide, 4 rows) — and the first call picks the best
 * one the CPU supports.
 */
#include "rtrl_kernels.h"
#include <string.h>

#define RTRLK_LOAD(V, dst, src) memcpy(&(dst), (src), sizeof(V))
#define RTRLK_STORE(V, dst, src) memcpy((dst), &(src), sizeof(V))

/* One block of R rows (starting at row i) by 2 vectors (starting at column j of C): the
 * inner dimension kk, A from `aa` (row stride lda), the panel of B from `pb` (row stride
 * lpb), C accumulated when `acc`. */
#define RTRLK_TILE(T, V, L, R, SPLAT)                                                      \
    do {                                                                                   \
        V s0[R], s1[R];                                                                    \
        for (int r = 0; r < R; r++) {                                                      \
            if (acc) {                                                                     \
                RTRLK_LOAD(V, s0[r], c + (i + r) * ldc + j);                               \
                RTRLK_LOAD(V, s1[r], c + (i + r) * ldc + j + L);                           \
            } else {                                                                       \
                s0[r] = (V){0};                                                            \
                s1[r] = (V){0};                                                            \
            }                                                                              \
        }                                                                                  \
        for (ptrdiff_t p = 0; p < kk; p++) {                                               \
            V b0, b1;                                                                      \
            RTRLK_LOAD(V, b0, pb + p * lpb);                                               \
            RTRLK_LOAD(V, b1, pb + p * lpb + L);                                           \
            for (int r = 0; r < R; r++) {                                                  \
                T ar = aa[(i + r) * lda + p];                                              \
                V x = SPLAT(ar);                                                           \
                s0[r] += x * b0;                                                           \
                s1[r] += x * b1;                                                           \
            }                                                                              \
        }                                                                                  \
        for (int r = 0; r < R; r++) {                                                      \
            RTRLK_STORE(V, c + (i + r) * ldc + j, s0[r]);                                  \
            RTRLK_STORE(V, c + (i + r) * ldc + j + L, s1[r]);                              \
        }                                                                                  \
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
 * panel and B spans more than 64 KiB, the chunk of the panel (RTRLK_KC x 2 vectors) is
 * first copied into a contiguous buffer: the rows of B lie ldb apart — up to a page or
 * more for wide sensitivity matrices — and re-reading them for every row block costs a
 * TLB miss per row. A chunk continues the
 * previous one's sums through C (stored and reloaded exactly), so every entry of C is the
 * same sequence of operations as without chunks. */
#define RTRLK_KC 128
#define RTRLK_BODY(T, V, L, R, SPLAT)                                                      \
    ptrdiff_t j = 0;                                                                       \
    T pack[RTRLK_KC * 2 * L] __attribute__((aligned(64)));                                 \
    for (; j + 2 * L <= n; j += 2 * L) {                                                   \
        ptrdiff_t p0 = 0;                                                                  \
        do {                                                                               \
            ptrdiff_t kk = k - p0 < RTRLK_KC ? k - p0 : RTRLK_KC;                          \
            int acc = accumulate || p0 > 0;                                                \
            const T *aa = a + p0;                                                          \
            const T *pb = b + p0 * ldb + j;                                                \
            ptrdiff_t lpb = ldb;                                                           \
            if (m > R && k * ldb * (ptrdiff_t)sizeof(T) > 65536) {                         \
                for (ptrdiff_t p = 0; p < kk; p++)                                         \
                    memcpy(pack + p * 2 * L, pb + p * ldb, sizeof(T) * 2 * L);             \
                pb = pack;                                                                 \
                lpb = 2 * L;                                                               \
            }                                                                              \
            ptrdiff_t i = 0;                                                               \
            for (; i + R <= m; i += R) RTRLK_TILE(T, V, L, R, SPLAT);                      \
            for (; i + 4 <= m; i += 4) RTRLK_TILE(T, V, L, 4, SPLAT);                      \
            for (; i < m; i++) RTRLK_TILE(T, V, L, 1, SPLAT);                              \
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

static void dgemm_base RTRLK_PARAMS(double) { RTRLK_BODY(double, d2, 2, 4, SPLAT2) }
static void sgemm_base RTRLK_PARAMS(float) { RTRLK_BODY(float, f4, 4, 4, SPLAT4) }

#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
#define RTRLK_X86 1
__attribute__((target("avx2,fma"))) static void dgemm_avx2 RTRLK_PARAMS(double) { RTRLK_BODY(double, d4, 4, 4, SPLAT4) }
__attribute__((target("avx2,fma"))) static void sgemm_avx2 RTRLK_PARAMS(float) { RTRLK_BODY(float, f8, 8, 4, SPLAT8) }
__attribute__((target("avx512f,fma"))) static void dgemm_avx512 RTRLK_PARAMS(double) { RTRLK_BODY(double, d8, 8, 8, SPLAT8) }
__attribute__((target("avx512f,fma"))) static void sgemm_avx512 RTRLK_PARAMS(float) { RTRLK_BODY(float, f16, 16, 8, SPLAT16) }
#endif

/* The best variant for this CPU; chosen once (a benign race: every thread stores the same value). */
static dgemm_fn dgemm_impl;
static sgemm_fn sgemm_impl;

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
    if (!dgemm_impl) choose();
    dgemm_impl(m, n, k, a, lda, b, ldb, accumulate, c, ldc);
}

void rtrlk_sgemm RTRLK_PARAMS(float) {
    if (!sgemm_impl) choose();
    sgemm_impl(m, n, k, a, lda, b, ldb, accumulate, c, ldc);
}

const char *rtrlk_variant(void) {
    if (!dgemm_impl) choose();
#ifdef RTRLK_X86
    if (dgemm_impl == dgemm_avx512) return "avx512";
    if (dgemm_impl == dgemm_avx2) return "avx2";
#endif
    return "baseline";
}
