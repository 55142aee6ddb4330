/*
 * step_c.c — the C side of the binding's per-step overhead measurement.
 *
 * Times rtrl_net_step on fully_recurrent(1, 8, 1) (seed 0, default SGD) over the same
 * inputs and targets that bench_step.py uses (x = sin(0.1 t), target = sin(0.1 (t+1))),
 * with and without a target, and prints microseconds per step.
 *
 *     cc -O2 -I include bindings/python/benchmarks/step_c.c -L DIR -lrtrl -Wl,-rpath,DIR -lm
 *     ./a.out [STEPS] [REPEATS]
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "rtrl.h"

static double cpu_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts); /* CPU time, as bench_step.py */
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int check(rtrl_status s, const char *what) {
    if (s != RTRL_OK) {
        fprintf(stderr, "%s: %s\n", what, rtrl_last_error());
        exit(1);
    }
    return 0;
}

/* Best of `repeats` runs of `steps` steps, in microseconds per step. */
static double time_steps(long steps, int repeats, int with_target) {
    double best = INFINITY;
    for (int r = 0; r < repeats; r++) {
        rtrl_net *net = NULL;
        check(rtrl_net_create_fully_recurrent(1, 8, 1, NULL, &net), "create");
        double t0 = cpu_seconds();
        for (long t = 0; t < steps; t++) {
            double x = sin(0.1 * (double)t), target = sin(0.1 * (double)(t + 1)), y, loss;
            check(rtrl_net_step(net, &x, 1, with_target ? &target : NULL, 1, &y, &loss), "step");
        }
        double us = (cpu_seconds() - t0) / (double)steps * 1e6;
        if (us < best) best = us;
        rtrl_net_free(net);
    }
    return best;
}

int main(int argc, char **argv) {
    long steps = argc > 1 ? atol(argv[1]) : 100000;
    int repeats = argc > 2 ? atoi(argv[2]) : 5;
    printf("librtrl %s, fully_recurrent(1, 8, 1), %ld steps, best of %d\n", rtrl_version(), steps,
           repeats);
    printf("C step with target:    %.3f us\n", time_steps(steps, repeats, 1));
    printf("C step without target: %.3f us\n", time_steps(steps, repeats, 0));
    return 0;
}
