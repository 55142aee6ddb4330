/*
 * step_overhead.c — the cost of one rtrl_net_step through the C ABI: a fully recurrent
 * network (1 input, n units, 1 output) learning with SGD at every step, the inputs and
 * targets precomputed so that only the library is timed. Prints the median over runs.
 *
 *     step_overhead [N_UNITS] [STEPS] [RUNS]      (defaults 8, 2000000, 7)
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "bench_clock.h"
#include "rtrl.h"

int main(int argc, char **argv) {
    size_t n = argc > 1 ? (size_t)atol(argv[1]) : 8;
    long steps = argc > 2 ? atol(argv[2]) : 2000000;
    int runs = argc > 3 ? atoi(argv[3]) : 7, r;
    long t;
    double *x = malloc(4096 * sizeof *x), *target = malloc(4096 * sizeof *target), times[64], y, loss;
    rtrl_net *net = NULL;
    rtrl_train_params tp;
    if (runs > 64) runs = 64;
    for (t = 0; t < 4096; t++) {
        x[t] = sin(0.1 * (double)t);
        target[t] = 0.5 * sin(0.1 * (double)(t + 1));
    }
    if (rtrl_net_create_fully_recurrent(1, n, 1, NULL, &net) != RTRL_OK) {
        fprintf(stderr, "create: %s\n", rtrl_last_error());
        return 1;
    }
    rtrl_train_default_params(&tp, sizeof tp);
    tp.learning_rate = 1e-4;
    rtrl_net_configure(net, &tp);
    for (t = 0; t < 1000; t++) rtrl_net_step(net, &x[t & 4095], 1, &target[t & 4095], 1, &y, &loss);
    for (r = 0; r < runs; r++) {
        double t0 = bench_seconds();
        for (t = 0; t < steps; t++) rtrl_net_step(net, &x[t & 4095], 1, &target[t & 4095], 1, &y, &loss);
        times[r] = (bench_seconds() - t0) / (double)steps;
    }
    qsort(times, (size_t)runs, sizeof times[0], bench_compare_doubles);
    printf("rtrl_net_step, fully_recurrent(1, %zu, 1), SGD every step: median %.3f us/step = %.0f steps/s (min %.3f, max %.3f us; %d runs of %ld)\n",
           n, times[runs / 2] * 1e6, 1 / times[runs / 2], times[0] * 1e6, times[runs - 1] * 1e6, runs, steps);
    rtrl_net_free(net);
    free(x);
    free(target);
    return 0;
}
