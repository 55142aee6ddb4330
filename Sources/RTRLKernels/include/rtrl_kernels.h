/*
 * rtrl_kernels.h — the engine's small dense kernels (internal; not part of the C API).
 *
 * Row-major products for the shapes exact RTRL meets at small n, where a BLAS call costs
 * more than the arithmetic: C = A B (+ C), A (m x k) small, B (k x n) wide. Compiled for
 * several instruction sets (target_clones) and chosen by the CPU at load time.
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

/* The instruction-set variant in use: "avx512", "avx2" or "baseline". */
const char *rtrlk_variant(void);

#ifdef __cplusplus
}
#endif

#endif
