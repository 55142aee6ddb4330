/*
 * The kernel's thread pool under ThreadSanitizer (make test-kernels-tsan): three callers
 * at once, each making 300 products of the n = 32 RTRL shape (32 x 32 by 32 x 1,088) split
 * over 2-4 threads, pausing now and then past the workers' spin so that they sleep and are
 * woken; the thread count changes between products (workers started for a larger count
 * get nothing). Every split product must equal the one-thread product bit for bit, and
 * ThreadSanitizer must report nothing (halt_on_error).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rtrl_kernels.h"

enum { M = 32, N = 1088, K = 32, CALLERS = 3, PRODUCTS = 300 };

static double a[M * K], b[K * N];
static int mismatches;

static void *caller(void *arg) {
    long id = (long)arg;
    double *one = malloc(sizeof(double) * M * N), *many = malloc(sizeof(double) * M * N);
    if (!one || !many) abort();
    for (int r = 0; r < PRODUCTS; r++) {
        int accumulate = r % 3 == 0;
        for (int i = 0; i < M * N; i++) one[i] = many[i] = (double)(i % 13) * 0.1;
        rtrlk_dgemm(M, N, K, a, K, b, N, accumulate, one, N);
        rtrlk_dgemm_threads(M, N, K, a, K, b, N, accumulate, many, N, 2 + (int)((r + id) % 3));
        if (memcmp(one, many, sizeof(double) * M * N) != 0) __atomic_add_fetch(&mismatches, 1, __ATOMIC_RELAXED);
        if (r % 7 == 0) usleep(300); /* past the workers' 0.2 ms spin: they sleep */
    }
    free(one);
    free(many);
    return NULL;
}

int main(void) {
    pthread_t t[CALLERS];
    for (int i = 0; i < M * K; i++) a[i] = (double)(i % 17) * 0.01 - 0.08;
    for (int i = 0; i < K * N; i++) b[i] = (double)(i % 23) * 0.02 - 0.2;
    for (long i = 0; i < CALLERS; i++) pthread_create(&t[i], NULL, caller, (void *)i);
    for (int i = 0; i < CALLERS; i++) pthread_join(t[i], NULL);
    printf("pool_tsan: %d products on %d callers, %d differ from one thread\n", CALLERS * PRODUCTS, CALLERS, mismatches);
    return mismatches != 0;
}
