/*
 * bench_clock.h — what the C benchmarks share: a monotonic clock in seconds and the
 * comparison qsort needs to take medians of doubles.
 */
#ifndef RTRL_BENCH_CLOCK_H
#define RTRL_BENCH_CLOCK_H

#include <time.h>

static inline double bench_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static inline int bench_compare_doubles(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

#endif
