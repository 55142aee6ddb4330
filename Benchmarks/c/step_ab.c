/*
 * step_ab.c — two builds of librtrl against each other, in one process: the same network
 * (fully_recurrent(1, n, 1) or elman(1, n, 1), learning at every step with SGD, momentum or
 * Adam, exact RTRL, SnAp-1 or UORO) created in each library, stepped in
 * alternating chunks, so that both see the same machine. On a shared host whose speed
 * changes by a third from one second to the next, timing the builds in separate processes
 * measures the host; the median of the per-round ratios of this program does not.
 *
 *     cc -O2 -Iinclude Benchmarks/c/step_ab.c -ldl -lm -o step_ab
 *     ./step_ab OLD/librtrl.so NEW/librtrl.so [N_UNITS] [STEPS_PER_CHUNK] [ROUNDS] [f64|f32]
 *               [fully_recurrent|elman] [exact|snap1|uoro] [sgd|momentum|adam]
 *                                (defaults 32, 1000, 60, f64, fully_recurrent, exact, sgd)
 *
 * Prints each library's median µs per step and the median (and quartiles) over rounds of
 * new / old: below 1, the second library is faster. Each library is loaded with
 * RTLD_LOCAL, so the two keep their own symbols.
 */
#include <dlfcn.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_clock.h"
#include "rtrl.h"

typedef rtrl_status (*create_fn)(size_t, size_t, size_t, const rtrl_net_params *, rtrl_net **);
typedef rtrl_status (*defaults_fn)(rtrl_train_params *, size_t);
typedef rtrl_status (*configure_fn)(rtrl_net *, const rtrl_train_params *);
typedef rtrl_status (*step_fn)(rtrl_net *, const double *, size_t, const double *, size_t, double *, double *);
typedef void (*free_fn)(rtrl_net *);
typedef rtrl_status (*net_defaults_fn)(rtrl_net_params *, size_t);

struct library {
    const char *path;
    step_fn step;
    free_fn free;
    rtrl_net *net;
};

static void *symbol(void *handle, const char *path, const char *name) {
    void *p = dlsym(handle, name);
    if (!p) {
        fprintf(stderr, "%s: no symbol %s\n", path, name);
        exit(2);
    }
    return p;
}

static struct library open_library(const char *path, size_t n, rtrl_precision precision, const char *preset,
                                   rtrl_sensitivity sensitivity, rtrl_optimizer optimizer) {
    struct library lib = {path, NULL, NULL, NULL};
    rtrl_train_params tp;
    rtrl_net_params np;
    void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!h) {
        fprintf(stderr, "%s\n", dlerror());
        exit(2);
    }
    create_fn create = (create_fn)symbol(h, path, strcmp(preset, "elman") == 0 ? "rtrl_net_create_elman"
                                                                             : "rtrl_net_create_fully_recurrent");
    defaults_fn defaults = (defaults_fn)symbol(h, path, "rtrl_train_default_params");
    configure_fn configure = (configure_fn)symbol(h, path, "rtrl_net_configure");
    lib.step = (step_fn)symbol(h, path, "rtrl_net_step");
    lib.free = (free_fn)symbol(h, path, "rtrl_net_free");
    ((net_defaults_fn)symbol(h, path, "rtrl_net_default_params"))(&np, sizeof np);
    np.precision = precision;
    if (create(1, n, 1, &np, &lib.net) != RTRL_OK) {
        fprintf(stderr, "%s: creating %s(1, %zu, 1) failed\n", path, preset, n);
        exit(2);
    }
    defaults(&tp, sizeof tp);
    tp.learning_rate = 1e-4;
    tp.sensitivity = sensitivity;
    tp.optimizer = optimizer;
    if (configure(lib.net, &tp) != RTRL_OK) {
        fprintf(stderr, "%s: rtrl_net_configure failed\n", path);
        exit(2);
    }
    return lib;
}

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: %s OLD/librtrl.so NEW/librtrl.so [N_UNITS] [STEPS_PER_CHUNK] [ROUNDS] [f64|f32]"
                        " [fully_recurrent|elman] [exact|snap1|uoro] [sgd|momentum|adam]\n", argv[0]);
        return 2;
    }
    size_t n = argc > 3 ? (size_t)atol(argv[3]) : 32;
    long steps = argc > 4 ? atol(argv[4]) : 1000, t;
    int rounds = argc > 5 ? atoi(argv[5]) : 60, r, w;
    const char *precision = argc > 6 ? argv[6] : "f64";
    const char *preset = argc > 7 ? argv[7] : "fully_recurrent";
    const char *mode = argc > 8 ? argv[8] : "exact";
    const char *optimizer_name = argc > 9 ? argv[9] : "sgd";
    rtrl_sensitivity sensitivity;
    rtrl_optimizer optimizer;
    if (n < 1 || steps < 1 || rounds < 1) {
        fprintf(stderr, "N_UNITS, STEPS_PER_CHUNK and ROUNDS must be positive\n");
        return 2;
    }
    if (strcmp(precision, "f64") != 0 && strcmp(precision, "f32") != 0) {
        fprintf(stderr, "precision must be f64 or f32, got %s\n", precision);
        return 2;
    }
    if (strcmp(preset, "fully_recurrent") != 0 && strcmp(preset, "elman") != 0) {
        fprintf(stderr, "the network must be fully_recurrent or elman, got %s\n", preset);
        return 2;
    }
    if (strcmp(mode, "exact") == 0) sensitivity = RTRL_SENSITIVITY_EXACT;
    else if (strcmp(mode, "snap1") == 0) sensitivity = RTRL_SENSITIVITY_SNAP1;
    else if (strcmp(mode, "uoro") == 0) sensitivity = RTRL_SENSITIVITY_UORO;
    else {
        fprintf(stderr, "the sensitivity mode must be exact, snap1 or uoro, got %s\n", mode);
        return 2;
    }
    if (strcmp(optimizer_name, "sgd") == 0) optimizer = RTRL_OPTIMIZER_SGD;
    else if (strcmp(optimizer_name, "momentum") == 0) optimizer = RTRL_OPTIMIZER_MOMENTUM;
    else if (strcmp(optimizer_name, "adam") == 0) optimizer = RTRL_OPTIMIZER_ADAM;
    else {
        fprintf(stderr, "the optimizer must be sgd, momentum or adam, got %s\n", optimizer_name);
        return 2;
    }
    rtrl_precision p = strcmp(precision, "f32") == 0 ? RTRL_PRECISION_F32 : RTRL_PRECISION_F64;
    struct library lib[2] = {open_library(argv[1], n, p, preset, sensitivity, optimizer),
                             open_library(argv[2], n, p, preset, sensitivity, optimizer)};
    double x[4096], target[4096], y, loss;
    double *us[2] = {malloc((size_t)rounds * sizeof(double)), malloc((size_t)rounds * sizeof(double))};
    double *ratio = malloc((size_t)rounds * sizeof(double));
    for (t = 0; t < 4096; t++) {
        x[t] = sin(0.1 * (double)t);
        target[t] = 0.5 * sin(0.1 * (double)(t + 1));
    }
    for (w = 0; w < 2; w++)  /* warm-up */
        for (t = 0; t < 1000; t++) lib[w].step(lib[w].net, &x[t & 4095], 1, &target[t & 4095], 1, &y, &loss);
    for (r = 0; r < rounds; r++) {
        for (w = 0; w < 2; w++) {
            int which = (r + w) & 1;  /* alternate which library goes first */
            double t0 = bench_seconds();
            for (t = 0; t < steps; t++)
                lib[which].step(lib[which].net, &x[t & 4095], 1, &target[t & 4095], 1, &y, &loss);
            us[which][r] = (bench_seconds() - t0) / (double)steps * 1e6;
        }
        ratio[r] = us[1][r] / us[0][r];
    }
    qsort(us[0], (size_t)rounds, sizeof(double), bench_compare_doubles);
    qsort(us[1], (size_t)rounds, sizeof(double), bench_compare_doubles);
    qsort(ratio, (size_t)rounds, sizeof(double), bench_compare_doubles);
    printf("%s(1, %zu, 1) %s, %s, %s every step, %d rounds of %ld steps each\n", preset, n, precision, mode,
           optimizer_name, rounds, steps);
    printf("  old %s: median %.3f us/step\n", lib[0].path, us[0][rounds / 2]);
    printf("  new %s: median %.3f us/step\n", lib[1].path, us[1][rounds / 2]);
    printf("  new/old: median %.3f (quartiles %.3f, %.3f)\n", ratio[rounds / 2], ratio[rounds / 4], ratio[3 * rounds / 4]);
    lib[0].free(lib[0].net);
    lib[1].free(lib[1].net);
    free(us[0]);
    free(us[1]);
    free(ratio);
    return 0;
}
