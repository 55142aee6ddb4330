/*
 * support.h — helpers shared by the C tests: saved-bytes snapshots (to prove a network
 * is unchanged), bitwise comparisons and a deterministic input generator.
 */
#ifndef RTRL_TEST_SUPPORT_H
#define RTRL_TEST_SUPPORT_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rtrl.h"

/* The saved form of a network (malloc'ed; NULL on failure), its size in *len. */
static inline unsigned char *snapshot(const rtrl_net *net, size_t *len) {
    size_t n = 0;
    unsigned char *buf;
    if (rtrl_net_save_size(net, &n) != RTRL_OK) return NULL;
    buf = (unsigned char *)malloc(n);
    if (buf && rtrl_net_save_to_buffer(net, buf, n, len) != RTRL_OK) {
        free(buf);
        return NULL;
    }
    return buf;
}

/* 1 when the network's saved form equals snap[0..len). */
static inline int unchanged(const rtrl_net *net, const unsigned char *snap, size_t len) {
    size_t n = 0;
    unsigned char *now = snapshot(net, &n);
    int same = now != NULL && snap != NULL && n == len && memcmp(now, snap, len) == 0;
    free(now);
    return same;
}

/* 1 when a[0..n) and b[0..n) have the same bits (NaN equals NaN). */
static inline int same_bits(const double *a, const double *b, size_t n) {
    return memcmp(a, b, n * sizeof *a) == 0;
}

/* A deterministic value in [-1, 1) for step t, component i. */
static inline double wave(int t, size_t i) {
    uint64_t z = (uint64_t)t * 0x9E3779B97F4A7C15ULL + (uint64_t)(i + 1) * 0xBF58476D1CE4E5B9ULL;
    z ^= z >> 31;
    z *= 0x94D049BB133111EBULL;
    z ^= z >> 29;
    return (double)(z >> 11) * 0x1.0p-52 - 1.0;
}

#endif
