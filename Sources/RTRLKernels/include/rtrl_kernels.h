/*
 * rtrl_kernels.h — the engine's small dense kernels (internal; not part of the C API).
 *
 * Row-major products for the shapes exact RTRL meets at small n, where a BLAS call costs
 * more than the arithmetic: C = A B (+ C), A (m x k) small, B (k x n) wide; and SGD's pass
 * over the parameters. Compiled for several instruction sets and chosen by the CPU at the
 * first call.
 */
#ifndef RTRL_KERNELS_H
#define RTRL_KERNELS_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* C = A B (accumulate == 0) or C += A B (accumulate != 0).
   A: m x k (row stride lda), B: k x n (ldb), C: m x n (ldc). */
void rtrlk_dgemm(ptrdiff_t m, ptrdiff_t n, ptrdiff_t k,
                 const double *a, ptrdiff_t lda, const double *b, ptrdiff_t ldb,
                 int accumulate, double *c, ptrdiff_t ldc);

void rtrlk_sgemm(ptrdiff_t m, ptrdiff_t n, ptrdiff_t k,
                 const float *a, ptrdiff_t lda, const float *b, ptrdiff_t ldb,
                 int accumulate, float *c, ptrdiff_t ldc);

/* The same product split by columns over `threads` threads (the caller's and up to
   threads - 1 workers, started on first use). With threads <= 1, a narrow product, or the
   workers busy with another caller's product, it runs on the calling thread alone. */
void rtrlk_dgemm_threads(ptrdiff_t m, ptrdiff_t n, ptrdiff_t k,
                         const double *a, ptrdiff_t lda, const double *b, ptrdiff_t ldb,
                         int accumulate, double *c, ptrdiff_t ldc, int threads);

void rtrlk_sgemm_threads(ptrdiff_t m, ptrdiff_t n, ptrdiff_t k,
                         const float *a, ptrdiff_t lda, const float *b, ptrdiff_t ldb,
                         int accumulate, float *c, ptrdiff_t ldc, int threads);

/* SGD's pass (sgd.c): 1 when some theta_i - eta (scale g_i), i < n, is infinite or NaN,
   else 0 (the divergence guard's check; nothing written). */
int rtrlk_dsgd_check(const double *theta, const double *g, ptrdiff_t n, double eta, double scale);
int rtrlk_ssgd_check(const float *theta, const float *g, ptrdiff_t n, float eta, float scale);

/* theta_i -= eta (scale g_i) and g_i = 0 for i < n (no FMA: the same bits on every CPU).
   theta and g must not overlap. */
void rtrlk_dsgd_update(double *theta, double *g, ptrdiff_t n, double eta, double scale);
void rtrlk_ssgd_update(float *theta, float *g, ptrdiff_t n, float eta, float scale);

/* The instruction-set variant of the products in use: "avx512", "avx2" or "baseline". */
const char *rtrlk_variant(void);

#ifdef __cplusplus
}
#endif

#endif
