/*
 * fuzz_support.h — shared by the C fuzz targets: CRC-32C (the checksum of rtrl's saved
 * formats, so a harness can re-seal mutated bytes and reach the parser behind the
 * check), a reader that turns fuzz bytes into call arguments, and a failure report.
 */
#ifndef RTRL_FUZZ_SUPPORT_H
#define RTRL_FUZZ_SUPPORT_H

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), bytewise. */
static inline uint32_t fz_crc32c(const uint8_t *p, size_t n) {
    static uint32_t table[256];
    static int ready = 0;
    uint32_t c = ~0u;
    size_t i;
    if (!ready) {
        for (uint32_t k = 0; k < 256; k++) {
            uint32_t v = k;
            for (int b = 0; b < 8; b++) v = (v & 1) ? (v >> 1) ^ 0x82F63B78u : v >> 1;
            table[k] = v;
        }
        ready = 1;
    }
    for (i = 0; i < n; i++) c = (c >> 8) ^ table[(c ^ p[i]) & 0xFF];
    return ~c;
}

static inline void fz_store_u32(uint8_t *p, uint32_t v) {
    for (int i = 0; i < 4; i++) p[i] = (uint8_t)(v >> (8 * i));
}

static inline void fz_store_u64(uint8_t *p, uint64_t v) {
    for (int i = 0; i < 8; i++) p[i] = (uint8_t)(v >> (8 * i));
}

/* Stops the fuzzer with a message: libFuzzer records the input as a crash. */
#define FZ_CHECK(cond, ...)                                                              \
    do {                                                                                 \
        if (!(cond)) {                                                                   \
            fprintf(stderr, "fuzz check failed at %s:%d: %s\n  ", __FILE__, __LINE__, #cond); \
            fprintf(stderr, __VA_ARGS__);                                                \
            fprintf(stderr, "\n");                                                       \
            abort();                                                                     \
        }                                                                                \
    } while (0)

/* Fuzz bytes read front to back; past the end every read gives 0. */
typedef struct {
    const uint8_t *p;
    size_t n, at;
} fz_reader;

static inline int fz_more(const fz_reader *r) { return r->at < r->n; }

static inline uint8_t fz_u8(fz_reader *r) { return r->at < r->n ? r->p[r->at++] : 0; }

static inline uint32_t fz_u32(fz_reader *r) {
    uint32_t v = 0;
    for (int i = 0; i < 4; i++) v |= (uint32_t)fz_u8(r) << (8 * i);
    return v;
}

static inline uint64_t fz_u64(fz_reader *r) {
    uint64_t v = 0;
    for (int i = 0; i < 8; i++) v |= (uint64_t)fz_u8(r) << (8 * i);
    return v;
}

/* A size: mostly small (network-sized) values, sometimes one that must be refused.
 * (Nothing between 34 and 2^31: a legal 1000-unit recurrent layer would need gigabytes
 * of sensitivities and seconds per step, which is not a bug and would stall the fuzzer.) */
static inline size_t fz_size(fz_reader *r) {
    static const size_t palette[] = {
        0, 1, 2, 3, 4, 5, 8, 16, 33,
        (size_t)1 << 31, ((size_t)1 << 32) + 1, (size_t)1 << 40, (SIZE_MAX / 8) + 1, SIZE_MAX,
    };
    uint8_t b = fz_u8(r);
    if (b < 0xF0) return b % 9;  /* 0..8, the common case */
    return palette[(b - 0xF0) % (sizeof palette / sizeof palette[0])];
}

/* A double: ordinary values, the edges of the range, and non-finite ones. */
static inline double fz_double(fz_reader *r) {
    uint8_t b = fz_u8(r);
    switch (b % 16) {
    case 0: return 0.0;
    case 1: return 1.0;
    case 2: return -0.5;
    case 3: return 1e300;
    case 4: return -1e308;
    case 5: return INFINITY;
    case 6: return -INFINITY;
    case 7: return NAN;
    case 8: return 5e-324;
    case 9: return 2.2250738585072014e-308;
    case 10: {
        uint64_t bits = fz_u64(r);
        double d;
        memcpy(&d, &bits, sizeof d);
        return d;
    }
    case 11: return -0.0;
    case 12: return 1e10;
    default: return ((double)(b >> 4) - 7.5) / 4.0;  /* -1.875 .. 1.875 */
    }
}

/* An int for enum arguments and flags: valid values most of the time, sometimes not. */
static inline int fz_enum(fz_reader *r, int count) {
    uint8_t b = fz_u8(r);
    if (b < 0xF8) return (int)(b % (uint8_t)count);
    static const int odd[] = {-1, -2147483647 - 1, 2147483647, 5, 7, 64, 255, 1000};
    return odd[b - 0xF8];
}

#endif
