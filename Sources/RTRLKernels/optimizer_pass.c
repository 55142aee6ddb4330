/*
 * The optimizer's pass over the parameters, and the divergence guard's check before it:
 *
 *     sgd:       theta_i -= eta (scale g_i)
 *     momentum:  v_i = mu v_i + scale g_i;  theta_i -= eta v_i
 *     adam:      m_i = b1 m_i + (1 - b1) g'_i;  v_i = b2 v_i + (1 - b2) g'_i g'_i  (g' = scale g)
 *                theta_i -= eta (m_i / c1) / (sqrt(v_i / c2) + eps),  c1 = 1 - b1^t, c2 = 1 - b2^t
 *
 * each with g_i cleared. The check (nothing written) is 1 when some result of the update,
 * the optimizer's state included, would be infinite or NaN.
 *
 * SGD and momentum read and write a few values per parameter and do little arithmetic:
 * they run at the speed the caches deliver. Adam's are bound by its two divisions, one
 * more division and a square root per parameter: vectorised, they take a third of the time
 * of the scalar loops. The bodies are compiled for AVX2 (32-byte vectors) and for the
 * baseline (SSE2), and the first call picks the one the CPU supports.
 *
 * No FMA in either variant (the AVX2 one is compiled without it, the baseline has none),
 * and the operations are the engine's (Optimizer.swift), in its order: every product and
 * sum rounds on its own, division and square root are correctly rounded, so every CPU
 * computes the same bits as the engine's Swift loops did.
 */
#include "rtrl_kernels.h"
#include <math.h>
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

/* ------------------------------------------------------------------ the bodies */

#define SGD_CHECK(T, NONFINITE)                                                            \
    {                                                                                      \
        uint64_t bad = 0;                                                                  \
        for (ptrdiff_t i = 0; i < n; i++) {                                                \
            T v = theta[i] - eta * (scale * g[i]);                                         \
            bad |= NONFINITE(v);                                                           \
        }                                                                                  \
        return bad != 0;                                                                   \
    }

#define SGD_UPDATE(T)                                                                      \
    {                                                                                      \
        for (ptrdiff_t i = 0; i < n; i++) {                                                \
            theta[i] -= eta * (scale * g[i]);                                              \
            g[i] = 0;                                                                      \
        }                                                                                  \
    }

#define MOMENTUM_CHECK(T, NONFINITE)                                                       \
    {                                                                                      \
        uint64_t bad = 0;                                                                  \
        for (ptrdiff_t i = 0; i < n; i++) {                                                \
            T v = mu * velocity[i] + scale * g[i];                                         \
            bad |= NONFINITE(v) | NONFINITE(theta[i] - eta * v);                           \
        }                                                                                  \
        return bad != 0;                                                                   \
    }

#define MOMENTUM_UPDATE(T)                                                                 \
    {                                                                                      \
        for (ptrdiff_t i = 0; i < n; i++) {                                                \
            T v = mu * velocity[i] + scale * g[i];                                         \
            velocity[i] = v;                                                               \
            theta[i] -= eta * v;                                                           \
            g[i] = 0;                                                                      \
        }                                                                                  \
    }

/* One parameter's Adam update into m_new, v_new, theta_new (the engine's order). */
#define ADAM_STEP(T, SQRT, i)                                                              \
    T gs = scale * g[i];                                                                   \
    T m_new = b1 * m[i] + a1 * gs;                                                         \
    T v_new = b2 * v[i] + a2 * gs * gs;                                                    \
    T theta_new = theta[i] - eta * (m_new / c1) / (SQRT(v_new / c2) + eps);

#define ADAM_CHECK(T, SQRT, NONFINITE)                                                     \
    {                                                                                      \
        const T a1 = 1 - b1, a2 = 1 - b2;                                                  \
        uint64_t bad = 0;                                                                  \
        for (ptrdiff_t i = 0; i < n; i++) {                                                \
            ADAM_STEP(T, SQRT, i)                                                          \
            bad |= NONFINITE(m_new) | NONFINITE(v_new) | NONFINITE(theta_new);             \
        }                                                                                  \
        return bad != 0;                                                                   \
    }

#define ADAM_UPDATE(T, SQRT)                                                               \
    {                                                                                      \
        const T a1 = 1 - b1, a2 = 1 - b2;                                                  \
        for (ptrdiff_t i = 0; i < n; i++) {                                                \
            ADAM_STEP(T, SQRT, i)                                                          \
            m[i] = m_new;                                                                  \
            v[i] = v_new;                                                                  \
            theta[i] = theta_new;                                                          \
            g[i] = 0;                                                                      \
        }                                                                                  \
    }

/* ------------------------------------------------------------------ the signatures */

#define SGD_CHECK_PARAMS(T) (const T *restrict theta, const T *restrict g, ptrdiff_t n, T eta, T scale)
#define SGD_UPDATE_PARAMS(T) (T *restrict theta, T *restrict g, ptrdiff_t n, T eta, T scale)
#define MOMENTUM_CHECK_PARAMS(T)                                                           \
    (const T *restrict theta, const T *restrict g, const T *restrict velocity, ptrdiff_t n, T eta, T scale, T mu)
#define MOMENTUM_UPDATE_PARAMS(T)                                                          \
    (T *restrict theta, T *restrict g, T *restrict velocity, ptrdiff_t n, T eta, T scale, T mu)
#define ADAM_CHECK_PARAMS(T)                                                               \
    (const T *restrict theta, const T *restrict g, const T *restrict m, const T *restrict v, ptrdiff_t n, T eta, \
     T scale, T b1, T b2, T eps, T c1, T c2)
#define ADAM_UPDATE_PARAMS(T)                                                              \
    (T *restrict theta, T *restrict g, T *restrict m, T *restrict v, ptrdiff_t n, T eta, T scale, T b1, T b2, \
     T eps, T c1, T c2)

/* Every function of one variant (SUFFIX base or avx2), in both precisions. */
#define VARIANT(ATTR, SUFFIX)                                                                                 \
    ATTR static int dsgd_check_##SUFFIX SGD_CHECK_PARAMS(double) SGD_CHECK(double, nonfinite64)               \
    ATTR static int ssgd_check_##SUFFIX SGD_CHECK_PARAMS(float) SGD_CHECK(float, nonfinite32)                 \
    ATTR static void dsgd_update_##SUFFIX SGD_UPDATE_PARAMS(double) SGD_UPDATE(double)                       \
    ATTR static void ssgd_update_##SUFFIX SGD_UPDATE_PARAMS(float) SGD_UPDATE(float)                         \
    ATTR static int dmomentum_check_##SUFFIX MOMENTUM_CHECK_PARAMS(double) MOMENTUM_CHECK(double, nonfinite64) \
    ATTR static int smomentum_check_##SUFFIX MOMENTUM_CHECK_PARAMS(float) MOMENTUM_CHECK(float, nonfinite32)  \
    ATTR static void dmomentum_update_##SUFFIX MOMENTUM_UPDATE_PARAMS(double) MOMENTUM_UPDATE(double)          \
    ATTR static void smomentum_update_##SUFFIX MOMENTUM_UPDATE_PARAMS(float) MOMENTUM_UPDATE(float)            \
    ATTR static int dadam_check_##SUFFIX ADAM_CHECK_PARAMS(double) ADAM_CHECK(double, sqrt, nonfinite64)       \
    ATTR static int sadam_check_##SUFFIX ADAM_CHECK_PARAMS(float) ADAM_CHECK(float, sqrtf, nonfinite32)        \
    ATTR static void dadam_update_##SUFFIX ADAM_UPDATE_PARAMS(double) ADAM_UPDATE(double, sqrt)                \
    ATTR static void sadam_update_##SUFFIX ADAM_UPDATE_PARAMS(float) ADAM_UPDATE(float, sqrtf)

VARIANT(, base)

#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
#define RTRLK_OPTIMIZER_X86 1
VARIANT(__attribute__((target("avx2"))), avx2)
#endif

/* ------------------------------------------------------------------ the choice */

/* Chosen once, at the first call (pthread_once, as the product kernel's). */
static struct {
    int (*dsgd_check) SGD_CHECK_PARAMS(double);
    int (*ssgd_check) SGD_CHECK_PARAMS(float);
    void (*dsgd_update) SGD_UPDATE_PARAMS(double);
    void (*ssgd_update) SGD_UPDATE_PARAMS(float);
    int (*dmomentum_check) MOMENTUM_CHECK_PARAMS(double);
    int (*smomentum_check) MOMENTUM_CHECK_PARAMS(float);
    void (*dmomentum_update) MOMENTUM_UPDATE_PARAMS(double);
    void (*smomentum_update) MOMENTUM_UPDATE_PARAMS(float);
    int (*dadam_check) ADAM_CHECK_PARAMS(double);
    int (*sadam_check) ADAM_CHECK_PARAMS(float);
    void (*dadam_update) ADAM_UPDATE_PARAMS(double);
    void (*sadam_update) ADAM_UPDATE_PARAMS(float);
} impl;
static pthread_once_t chosen = PTHREAD_ONCE_INIT;

#define USE(SUFFIX)                                                                        \
    do {                                                                                   \
        impl.dsgd_check = dsgd_check_##SUFFIX;                                             \
        impl.ssgd_check = ssgd_check_##SUFFIX;                                             \
        impl.dsgd_update = dsgd_update_##SUFFIX;                                           \
        impl.ssgd_update = ssgd_update_##SUFFIX;                                           \
        impl.dmomentum_check = dmomentum_check_##SUFFIX;                                   \
        impl.smomentum_check = smomentum_check_##SUFFIX;                                   \
        impl.dmomentum_update = dmomentum_update_##SUFFIX;                                 \
        impl.smomentum_update = smomentum_update_##SUFFIX;                                 \
        impl.dadam_check = dadam_check_##SUFFIX;                                           \
        impl.sadam_check = sadam_check_##SUFFIX;                                           \
        impl.dadam_update = dadam_update_##SUFFIX;                                         \
        impl.sadam_update = sadam_update_##SUFFIX;                                         \
    } while (0)

static void choose(void) {
    USE(base);
#ifdef RTRLK_OPTIMIZER_X86
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx2")) USE(avx2);
#endif
}

/* ------------------------------------------------------------------ the entry points */

int rtrlk_dsgd_check SGD_CHECK_PARAMS(double) {
    pthread_once(&chosen, choose);
    return impl.dsgd_check(theta, g, n, eta, scale);
}

int rtrlk_ssgd_check SGD_CHECK_PARAMS(float) {
    pthread_once(&chosen, choose);
    return impl.ssgd_check(theta, g, n, eta, scale);
}

void rtrlk_dsgd_update SGD_UPDATE_PARAMS(double) {
    pthread_once(&chosen, choose);
    impl.dsgd_update(theta, g, n, eta, scale);
}

void rtrlk_ssgd_update SGD_UPDATE_PARAMS(float) {
    pthread_once(&chosen, choose);
    impl.ssgd_update(theta, g, n, eta, scale);
}

int rtrlk_dmomentum_check MOMENTUM_CHECK_PARAMS(double) {
    pthread_once(&chosen, choose);
    return impl.dmomentum_check(theta, g, velocity, n, eta, scale, mu);
}

int rtrlk_smomentum_check MOMENTUM_CHECK_PARAMS(float) {
    pthread_once(&chosen, choose);
    return impl.smomentum_check(theta, g, velocity, n, eta, scale, mu);
}

void rtrlk_dmomentum_update MOMENTUM_UPDATE_PARAMS(double) {
    pthread_once(&chosen, choose);
    impl.dmomentum_update(theta, g, velocity, n, eta, scale, mu);
}

void rtrlk_smomentum_update MOMENTUM_UPDATE_PARAMS(float) {
    pthread_once(&chosen, choose);
    impl.smomentum_update(theta, g, velocity, n, eta, scale, mu);
}

int rtrlk_dadam_check ADAM_CHECK_PARAMS(double) {
    pthread_once(&chosen, choose);
    return impl.dadam_check(theta, g, m, v, n, eta, scale, b1, b2, eps, c1, c2);
}

int rtrlk_sadam_check ADAM_CHECK_PARAMS(float) {
    pthread_once(&chosen, choose);
    return impl.sadam_check(theta, g, m, v, n, eta, scale, b1, b2, eps, c1, c2);
}

void rtrlk_dadam_update ADAM_UPDATE_PARAMS(double) {
    pthread_once(&chosen, choose);
    impl.dadam_update(theta, g, m, v, n, eta, scale, b1, b2, eps, c1, c2);
}

void rtrlk_sadam_update ADAM_UPDATE_PARAMS(float) {
    pthread_once(&chosen, choose);
    impl.sadam_update(theta, g, m, v, n, eta, scale, b1, b2, eps, c1, c2);
}
