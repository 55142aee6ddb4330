/*
 * test_no_alloc.c — the hot paths allocate nothing: after the first step, rtrl_net_feed,
 * rtrl_net_learn, rtrl_net_accumulate, rtrl_net_apply, rtrl_net_step, rtrl_net_output and
 * rtrl_net_gradient make no heap allocation, for every kind of network and learner.
 *
 * The test binary defines malloc, calloc, realloc, free and the aligned allocators itself
 * (forwarding to glibc's __libc_* entry points); the ELF interposition rules make every
 * allocation in the process — librtrl, its static Swift runtime, libstdc++, OpenBLAS —
 * go through them, where they are counted while a window is open. (Not built for the
 * sanitizer and valgrind runs, which interpose malloc themselves.)
 */
#include <errno.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "support.h"

extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void *__libc_memalign(size_t, size_t);
extern void __libc_free(void *);

static volatile int counting;
static volatile long allocations;

void *malloc(size_t n) {
    if (counting) allocations++;
    return __libc_malloc(n);
}
void *calloc(size_t n, size_t m) {
    if (counting) allocations++;
    return __libc_calloc(n, m);
}
void *realloc(void *p, size_t n) {
    if (counting) allocations++;
    return __libc_realloc(p, n);
}
void free(void *p) { __libc_free(p); }
void *memalign(size_t a, size_t n) {
    if (counting) allocations++;
    return __libc_memalign(a, n);
}
void *aligned_alloc(size_t a, size_t n) {
    if (counting) allocations++;
    return __libc_memalign(a, n);
}
int posix_memalign(void **out, size_t a, size_t n) {
    void *p;
    if (counting) allocations++;
    p = __libc_memalign(a, n);
    if (!p) return ENOMEM;
    *out = p;
    return 0;
}

typedef struct {
    const char *name;
    rtrl_net *net;
} subject;

/* One window of steps through every hot call; returns the allocations counted. */
static long hot_window(rtrl_net *net, int steps, int kalman) {
    size_t nx = rtrl_net_num_inputs(net), ny = rtrl_net_num_outputs(net), np = rtrl_net_num_params(net);
    double x[128], target[128], y[128], loss, *g = (double *)malloc(np * sizeof(double));
    int t;
    size_t i;
    allocations = 0;
    counting = 1;
    for (t = 0; t < steps; t++) {
        for (i = 0; i < nx; i++) x[i] = 0.5 * wave(t, i);
        for (i = 0; i < ny; i++) target[i] = (t + (int)i) % 4 == 3 ? NAN : 0.3 * wave(t + 1, i);
        (void)rtrl_net_step(net, x, nx, target, ny, y, &loss);
        (void)rtrl_net_feed(net, x, nx);
        (void)rtrl_net_output(net, y, ny);
        (void)rtrl_net_learn(net, target, ny, &loss);
        (void)rtrl_net_feed(net, x, nx);
        (void)rtrl_net_accumulate(net, target, ny, &loss);
        if (!kalman) (void)rtrl_net_apply(net);
        (void)rtrl_net_gradient(net, g, np);
        (void)rtrl_net_step(net, x, nx, NULL, ny, y, NULL);
    }
    counting = 0;
    free(g);
    return allocations;
}

static rtrl_net *configured(rtrl_net *net, rtrl_optimizer opt, rtrl_sensitivity sens, rtrl_readout readout) {
    rtrl_train_params tp;
    rtrl_train_default_params(&tp, sizeof tp);
    tp.optimizer = opt;
    tp.learning_rate = 1e-3;
    tp.sensitivity = sens;
    tp.readout = readout;
    tp.clip_norm = 5;
    if (rtrl_net_configure(net, &tp) != RTRL_OK) {
        fprintf(stderr, "configure: %s\n", rtrl_last_error());
        exit(2);
    }
    return net;
}

static rtrl_net *builder_net(rtrl_precision precision) {
    rtrl_builder *b = NULL;
    rtrl_net_params np;
    rtrl_net *net = NULL;
    size_t units[2] = {1, 0};
    rtrl_builder_create(2, &b);
    rtrl_builder_add_layer(b, "a", 5, RTRL_ACTIVATION_TANH, 1);
    rtrl_builder_add_layer(b, "b", 4, RTRL_ACTIVATION_RELU, 0);
    rtrl_builder_add_layer(b, "o", 3, RTRL_ACTIVATION_SOFTMAX, 1);
    rtrl_builder_connect(b, "input", "a", 0, RTRL_CONNECTION_DENSE, -1, 1.0);
    rtrl_builder_connect(b, "a", "a", 1, RTRL_CONNECTION_DENSE, -1, 1.0);
    rtrl_builder_connect(b, "a", "b", 0, RTRL_CONNECTION_DENSE, -1, 1.0);
    rtrl_builder_connect(b, "b", "b", 1, RTRL_CONNECTION_DIAGONAL, -1, 0.5);
    rtrl_builder_connect(b, "b", "o", 0, RTRL_CONNECTION_DENSE, -1, 1.0);
    rtrl_builder_connect(b, "o", "a", 1, RTRL_CONNECTION_DENSE, 0, 1.0);
    rtrl_builder_set_output(b, "o", units, 2);
    rtrl_net_default_params(&np, sizeof np);
    np.precision = precision;
    rtrl_builder_build(b, &np, &net);
    rtrl_builder_free(b);
    return net;
}

int main(void) {
    subject s[16];
    int n = 0, k;
    rtrl_net_params f32;
    rtrl_net *tmp = NULL;
    rtrl_net_default_params(&f32, sizeof f32);
    f32.precision = RTRL_PRECISION_F32;

    rtrl_net_create_fully_recurrent(1, 8, 1, NULL, &tmp);
    s[n].name = "fully_recurrent 8, sgd"; s[n++].net = configured(tmp, RTRL_OPTIMIZER_SGD, RTRL_SENSITIVITY_EXACT, RTRL_READOUT_GRADIENT);
    rtrl_net_create_fully_recurrent(2, 40, 2, NULL, &tmp);
    s[n].name = "fully_recurrent 40 (BLAS products), adam"; s[n++].net = configured(tmp, RTRL_OPTIMIZER_ADAM, RTRL_SENSITIVITY_EXACT, RTRL_READOUT_GRADIENT);
    rtrl_net_create_fully_recurrent(1, 16, 1, &f32, &tmp);
    s[n].name = "fully_recurrent 16 f32, momentum"; s[n++].net = configured(tmp, RTRL_OPTIMIZER_MOMENTUM, RTRL_SENSITIVITY_EXACT, RTRL_READOUT_GRADIENT);
    rtrl_net_create_elman(1, 16, 1, NULL, &tmp);
    s[n].name = "elman 16, adam"; s[n++].net = configured(tmp, RTRL_OPTIMIZER_ADAM, RTRL_SENSITIVITY_EXACT, RTRL_READOUT_GRADIENT);
    rtrl_net_create_jordan(2, 6, 2, NULL, &tmp);
    s[n].name = "jordan 6, sgd"; s[n++].net = configured(tmp, RTRL_OPTIMIZER_SGD, RTRL_SENSITIVITY_EXACT, RTRL_READOUT_GRADIENT);
    s[n].name = "builder graph (softmax, relu, diagonal, fixed)"; s[n++].net = configured(builder_net(RTRL_PRECISION_F64), RTRL_OPTIMIZER_ADAM, RTRL_SENSITIVITY_EXACT, RTRL_READOUT_GRADIENT);
    s[n].name = "builder graph f32"; s[n++].net = configured(builder_net(RTRL_PRECISION_F32), RTRL_OPTIMIZER_SGD, RTRL_SENSITIVITY_EXACT, RTRL_READOUT_GRADIENT);
    rtrl_net_create_elman(1, 12, 1, NULL, &tmp);
    s[n].name = "elman 12, snap1"; s[n++].net = configured(tmp, RTRL_OPTIMIZER_SGD, RTRL_SENSITIVITY_SNAP1, RTRL_READOUT_GRADIENT);
    rtrl_net_create_fully_recurrent(1, 12, 1, &f32, &tmp);
    s[n].name = "fully_recurrent 12 f32, snap1 (SGD on the gradient's support)"; s[n++].net = configured(tmp, RTRL_OPTIMIZER_SGD, RTRL_SENSITIVITY_SNAP1, RTRL_READOUT_GRADIENT);
    rtrl_net_create_fully_recurrent(1, 12, 1, NULL, &tmp);
    s[n].name = "fully_recurrent 12, uoro"; s[n++].net = configured(tmp, RTRL_OPTIMIZER_ADAM, RTRL_SENSITIVITY_UORO, RTRL_READOUT_GRADIENT);
    rtrl_net_create_elman(1, 10, 1, NULL, &tmp);
    s[n].name = "elman 10, ekf"; s[n++].net = configured(tmp, RTRL_OPTIMIZER_EKF, RTRL_SENSITIVITY_EXACT, RTRL_READOUT_GRADIENT);
    rtrl_net_create_elman(1, 10, 2, NULL, &tmp);
    s[n].name = "elman 10, dekf"; s[n++].net = configured(tmp, RTRL_OPTIMIZER_DEKF, RTRL_SENSITIVITY_EXACT, RTRL_READOUT_GRADIENT);
    /* 32 x 32 left factor by 32 x 4256 sensitivities: the engine's kernel, split over the
       worker threads (>= 2^20 multiply-adds) when there are two or more. */
    rtrl_net_create_fully_recurrent(100, 32, 1, NULL, &tmp);
    s[n].name = "fully_recurrent 32 with 100 inputs (kernel on threads), sgd"; s[n++].net = configured(tmp, RTRL_OPTIMIZER_SGD, RTRL_SENSITIVITY_EXACT, RTRL_READOUT_GRADIENT);
    rtrl_net_create_elman(1, 10, 1, NULL, &tmp);
    s[n].name = "elman 10, rls readout"; s[n++].net = configured(tmp, RTRL_OPTIMIZER_ADAM, RTRL_SENSITIVITY_EXACT, RTRL_READOUT_RLS);

    for (k = 0; k < n; k++) {
        int kalman = strstr(s[k].name, "ekf") != NULL;
        long warm = hot_window(s[k].net, 2, kalman); /* the first steps may allocate */
        long hot = hot_window(s[k].net, 300, kalman);
        CHECK(hot == 0, "%s: %ld heap allocations in 300 steps of feed/learn/step/apply (warm-up: %ld)",
              s[k].name, hot, warm);
        rtrl_net_free(s[k].net);
    }
    /* The counter works: a call that builds a network allocates. */
    counting = 1;
    allocations = 0;
    rtrl_net_create_elman(1, 4, 1, NULL, &tmp);
    counting = 0;
    CHECK(allocations > 0, "creating a network counted %ld allocations", allocations);
    rtrl_net_free(tmp);
    return HARNESS_END();
}
