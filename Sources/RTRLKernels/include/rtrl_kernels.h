/*
 * rtrl_kernels.h — the engine's small dense kernels (internal; not part of the C API).
 *
 * Row-major products for the shapes exact RTRL meets at small n, where a BLAS call costs
 * more than the arithmetic: C = A B (+ C), A (m x k) small, B (k x n) wide; and the
 * optimizer's pass over the parameters (SGD, momentum, Adam). Compiled for several
 * instruction sets and chosen by the CPU at the first call.
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

/* The optimizer's pass (optimizer_pass.c). Each *_check is 1 when the update would make
   some result, i < n, infinite or NaN (the parameter or the optimizer's state), else 0:
   the divergence guard's check; nothing written. Each *_update writes the update and
   clears g. No FMA: the same bits on every CPU. The arrays must not overlap.

   SGD: 1 when some theta_i - eta (scale g_i), i < n, is infinite or NaN, else 0. */
int rtrlk_dsgd_check(const double *theta, const double *g, ptrdiff_t n, double eta, double scale);
int rtrlk_ssgd_check(const float *theta, const float *g, ptrdiff_t n, float eta, float scale);

/* theta_i -= eta (scale g_i) and g_i = 0 for i < n (no FMA: the same bits on every CPU).
   theta and g must not overlap. */
void rtrlk_dsgd_update(double *theta, double *g, ptrdiff_t n, double eta, double scale);
void rtrlk_ssgd_update(float *theta, float *g, ptrdiff_t n, float eta, float scale);

/* Momentum: velocity_i = mu velocity_i + scale g_i; theta_i -= eta velocity_i. */
int rtrlk_dmomentum_check(const double *theta, const double *g, const double *velocity, ptrdiff_t n,
                          double eta, double scale, double mu);
int rtrlk_smomentum_check(const float *theta, const float *g, const float *velocity, ptrdiff_t n,
                          float eta, float scale, float mu);
void rtrlk_dmomentum_update(double *theta, double *g, double *velocity, ptrdiff_t n,
                            double eta, double scale, double mu);
void rtrlk_smomentum_update(float *theta, float *g, float *velocity, ptrdiff_t n,
                            float eta, float scale, float mu);

/* Adam: with g' = scale g, m_i = b1 m_i + (1 - b1) g'_i, v_i = b2 v_i + (1 - b2) g'_i g'_i,
   theta_i -= eta (m_i / c1) / (sqrt(v_i / c2) + eps); c1 = 1 - b1^t and c2 = 1 - b2^t are
   the bias corrections of update t. */
int rtrlk_dadam_check(const double *theta, const double *g, const double *m, const double *v, ptrdiff_t n,
                      double eta, double scale, double b1, double b2, double eps, double c1, double c2);
int rtrlk_sadam_check(const float *theta, const float *g, const float *m, const float *v, ptrdiff_t n,
                      float eta, float scale, float b1, float b2, float eps, float c1, float c2);
void rtrlk_dadam_update(double *theta, double *g, double *m, double *v, ptrdiff_t n,
                        double eta, double scale, double b1, double b2, double eps, double c1, double c2);
void rtrlk_sadam_update(float *theta, float *g, float *m, float *v, ptrdiff_t n,
                        float eta, float scale, float b1, float b2, float eps, float c1, float c2);

/* The instruction-set variant of the products in use: "avx512", "avx2" or "baseline". */
const char *rtrlk_variant(void);

#ifdef __cplusplus
}
#endif

#endif
