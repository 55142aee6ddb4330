/*
 * Small dense kernels for exact RTRL: C (+)= A B with few rows and a short inner
 * dimension (A is n_L x n_S, B a sensitivity matrix n_S x columns).
 *
 * A block of 4 rows of C by 2 vectors of columns stays in registers while the inner
 * dimension runs, so each row of B is loaded once per block and used 4 times. The body
 * is compiled three times — AVX-512, AVX2 + FMA and baseline x86-64 (or the target's
 * default elsewhere) — and the first call picks the best one the CPU supports.
 */
#include "rtrl_kernels.h"
#include <string.h>

#define RTRLK_BODY(T, V, L)                                                                \
    ptrdiff_t i = 0;                                                                       \
    for (; i + 4 <= m; i += 4) {                                                           \
        const T *a0 = a + i * lda, *a1 = a0 + lda, *a2 = a1 + lda, *a3 = a2 + lda;         \
        T *c0 = c + i * ldc, *c1 = c0 + ldc, *c2 = c1 + ldc, *c3 = c2 + ldc;               \
        ptrdiff_t j = 0;                                                                   \
        for (; j + 2 * L <= n; j += 2 * L) {                                               \
            V s00 = {0}, s01 = {0}, s10 = {0}, s11 = {0};                                  \
            V s20 = {0}, s21 = {0}, s30 = {0}, s31 = {0};                                  \
            if (accumulate) {                                                              \
                memcpy(&s00, c0 + j, sizeof(V)); memcpy(&s01, c0 + j + L, sizeof(V));      \
                memcpy(&s10, c1 + j, sizeof(V)); memcpy(&s11, c1 + j + L, sizeof(V));      \
                memcpy(&s20, c2 + j, sizeof(V)); memcpy(&s21, c2 + j + L, sizeof(V));      \
                memcpy(&s30, c3 + j, sizeof(V)); memcpy(&s31, c3 + j + L, sizeof(V));      \
            }                                                                              \
            for (ptrdiff_t p = 0; p < k; p++) {                                            \
                V b0, b1;                                                                  \
                memcpy(&b0, b + p * ldb + j, sizeof(V));                                   \
                memcpy(&b1, b + p * ldb + j + L, sizeof(V));                               \
                V x0 = (V){0} + a0[p], x1 = (V){0} + a1[p];                                \
                V x2 = (V){0} + a2[p], x3 = (V){0} + a3[p];                                \
                s00 += x0 * b0; s01 += x0 * b1; s10 += x1 * b0; s11 += x1 * b1;            \
                s20 += x2 * b0; s21 += x2 * b1; s30 += x3 * b0; s31 += x3 * b1;            \
            }                                                                              \
            memcpy(c0 + j, &s00, sizeof(V)); memcpy(c0 + j + L, &s01, sizeof(V));          \
            memcpy(c1 + j, &s10, sizeof(V)); memcpy(c1 + j + L, &s11, sizeof(V));          \
            memcpy(c2 + j, &s20, sizeof(V)); memcpy(c2 + j + L, &s21, sizeof(V));          \
            memcpy(c3 + j, &s30, sizeof(V)); memcpy(c3 + j + L, &s31, sizeof(V));          \
        }                                                                                  \
        for (; j < n; j++) {                                                               \
            T s0 = accumulate ? c0[j] : 0, s1 = accumulate ? c1[j] : 0;                    \
            T s2 = accumulate ? c2[j] : 0, s3 = accumulate ? c3[j] : 0;                    \
            for (ptrdiff_t p = 0; p < k; p++) {                                            \
                T v = b[p * ldb + j];                                                      \
                s0 += a0[p] * v; s1 += a1[p] * v; s2 += a2[p] * v; s3 += a3[p] * v;        \
            }                                                                              \
            c0[j] = s0; c1[j] = s1; c2[j] = s2; c3[j] = s3;                                \
        }                                                                                  \
    }                                                                                      \
    for (; i < m; i++) {                                                                   \
        const T *ai = a + i * lda;                                                         \
        T *ci = c + i * ldc;                                                               \
        ptrdiff_t j = 0;                                                                   \
        for (; j + L <= n; j += L) {                                                       \
            V s = {0};                                                                     \
            if (accumulate) memcpy(&s, ci + j, sizeof(V));                                 \
            for (ptrdiff_t p = 0; p < k; p++) {                                            \
                V bv;                                                                      \
                memcpy(&bv, b + p * ldb + j, sizeof(V));                                   \
                s += ((V){0} + ai[p]) * bv;                                                \
            }                                                                              \
            memcpy(ci + j, &s, sizeof(V));                                                 \
        }                                                                                  \
        for (; j < n; j++) {                                                               \
            T s = accumulate ? ci[j] : 0;                                                  \
            for (ptrdiff_t p = 0; p < k; p++) s += ai[p] * b[p * ldb + j];                 \
            ci[j] = s;                                                                     \
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

typedef void (*dgemm_fn) RTRLK_PARAMS(double);
typedef void (*sgemm_fn) RTRLK_PARAMS(float);

static void dgemm_base RTRLK_PARAMS(double) { RTRLK_BODY(double, d2, 2) }
static void sgemm_base RTRLK_PARAMS(float) { RTRLK_BODY(float, f4, 4) }

#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
#define RTRLK_X86 1
__attribute__((target("avx2,fma"))) static void dgemm_avx2 RTRLK_PARAMS(double) { RTRLK_BODY(double, d4, 4) }
__attribute__((target("avx2,fma"))) static void sgemm_avx2 RTRLK_PARAMS(float) { RTRLK_BODY(float, f8, 8) }
__attribute__((target("avx512f,fma"))) static void dgemm_avx512 RTRLK_PARAMS(double) { RTRLK_BODY(double, d8, 8) }
__attribute__((target("avx512f,fma"))) static void sgemm_avx512 RTRLK_PARAMS(float) { RTRLK_BODY(float, f16, 16) }
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
