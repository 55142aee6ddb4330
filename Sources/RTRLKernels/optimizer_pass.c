/*
 * SGD's pass over the parameters: theta_i -= eta (scale g_i) with g_i cleared, and the
 * divergence guard's check before it (is every theta_i - eta (scale g_i) finite?).
 *
 * Two reads and two writes per parameter, and little arithmetic: the pass runs at the
 * speed the caches deliver, which the engine's Swift loops (baseline SSE2, 16-byte
 * vectors) do not reach on wide SnAp-1 networks. The body is compiled for AVX2 (32-byte
 * vectors) and for the baseline, and the first call picks the one the CPU supports.
 *
 * No FMA in either variant (the AVX2 one is compiled without it, the baseline has none):
 * theta - eta * (scale * g) rounds twice, as in the engine's Swift loops, so every CPU
 * computes the same bits.
 */
#include "rtrl_kernels.h"
#include <pthread.h>
#include <stdint.h>
#include <string.h>

/* 1 when x is infinite or NaN: the exponent field is all ones exactly when adding one
 * unit to it carries into the sign bit (integer arithmetic: the loop vectorises). */
static inline uint64_t nonfinite64(double x) {
    uint64_t b;
    memcpy(&b, &x, sizeof b);
    return ((b & 0x7FF0000000000000u) + 0x0010000000000000u) >> 63;
}

static inline uint64_t nonfinite32(float x) {
    uint32_t b;
    memcpy(&b, &x, sizeof b);
    return ((b & 0x7F800000u) + 0x00800000u) >> 31;
}

#define RTRLK_SGD_CHECK(T, NONFINITE)                                                      \
    {                                                                                      \
        uint64_t bad = 0;                                                                  \
        for (ptrdiff_t i = 0; i < n; i++) {                                                \
            T v = theta[i] - eta * (scale * g[i]);                                         \
            bad |= NONFINITE(v);                                                           \
        }                                                                                  \
        return bad != 0;                                                                   \
    }

#define RTRLK_SGD_UPDATE(T)                                                                \
    {                                                                                      \
        for (ptrdiff_t i = 0; i < n; i++) {                                                \
            theta[i] -= eta * (scale * g[i]);                                              \
            g[i] = 0;                                                                      \
        }                                                                                  \
    }

#define RTRLK_CHECK_PARAMS(T) (const T *restrict theta, const T *restrict g, ptrdiff_t n, T eta, T scale)
#define RTRLK_UPDATE_PARAMS(T) (T *restrict theta, T *restrict g, ptrdiff_t n, T eta, T scale)

typedef int (*dcheck_fn) RTRLK_CHECK_PARAMS(double);
typedef int (*scheck_fn) RTRLK_CHECK_PARAMS(float);
typedef void (*dupdate_fn) RTRLK_UPDATE_PARAMS(double);
typedef void (*supdate_fn) RTRLK_UPDATE_PARAMS(float);

static int dcheck_base RTRLK_CHECK_PARAMS(double) RTRLK_SGD_CHECK(double, nonfinite64)
static int scheck_base RTRLK_CHECK_PARAMS(float) RTRLK_SGD_CHECK(float, nonfinite32)
static void dupdate_base RTRLK_UPDATE_PARAMS(double) RTRLK_SGD_UPDATE(double)
static void supdate_base RTRLK_UPDATE_PARAMS(float) RTRLK_SGD_UPDATE(float)

#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
#define RTRLK_SGD_X86 1
__attribute__((target("avx2"))) static int dcheck_avx2 RTRLK_CHECK_PARAMS(double) RTRLK_SGD_CHECK(double, nonfinite64)
__attribute__((target("avx2"))) static int scheck_avx2 RTRLK_CHECK_PARAMS(float) RTRLK_SGD_CHECK(float, nonfinite32)
__attribute__((target("avx2"))) static void dupdate_avx2 RTRLK_UPDATE_PARAMS(double) RTRLK_SGD_UPDATE(double)
__attribute__((target("avx2"))) static void supdate_avx2 RTRLK_UPDATE_PARAMS(float) RTRLK_SGD_UPDATE(float)
#endif

/* Chosen once, at the first call (pthread_once, as the product kernel's). */
static dcheck_fn dcheck_impl;
static scheck_fn scheck_impl;
static dupdate_fn dupdate_impl;
static supdate_fn supdate_impl;
static pthread_once_t chosen = PTHREAD_ONCE_INIT;

static void choose(void) {
    dcheck_impl = dcheck_base;
    scheck_impl = scheck_base;
    dupdate_impl = dupdate_base;
    supdate_impl = supdate_base;
#ifdef RTRLK_SGD_X86
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx2")) {
        dcheck_impl = dcheck_avx2;
        scheck_impl = scheck_avx2;
        dupdate_impl = dupdate_avx2;
        supdate_impl = supdate_avx2;
    }
#endif
}

int rtrlk_dsgd_check RTRLK_CHECK_PARAMS(double) {
    pthread_once(&chosen, choose);
    return dcheck_impl(theta, g, n, eta, scale);
}

int rtrlk_ssgd_check RTRLK_CHECK_PARAMS(float) {
    pthread_once(&chosen, choose);
    return scheck_impl(theta, g, n, eta, scale);
}

void rtrlk_dsgd_update RTRLK_UPDATE_PARAMS(double) {
    pthread_once(&chosen, choose);
    dupdate_impl(theta, g, n, eta, scale);
}

void rtrlk_ssgd_update RTRLK_UPDATE_PARAMS(float) {
    pthread_once(&chosen, choose);
    supdate_impl(theta, g, n, eta, scale);
}
