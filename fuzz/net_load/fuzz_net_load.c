/*
 * fuzz_net_load.c — libFuzzer target: rtrl_net_load_from_buffer on arbitrary bytes.
 *
 * Input: one mode byte, then the bytes to load.
 *   mode bit 0 clear: the bytes are loaded as they are (the checks in front: size,
 *                     magic, version, length, checksum);
 *   mode bit 0 set:   the harness first re-seals them — writes the true payload length at
 *                     offset 16 and the CRC-32C trailer — so that mutations reach the
 *                     parser of the architecture, configuration and values behind the
 *                     checksum (the place where a crafted file could do harm).
 *
 * Checks: nothing crashes, no sanitizer report; a failure is RTRL_ERR_CORRUPT or
 * RTRL_ERR_VERSION with a message and *out = NULL; a loaded network saves to bytes that
 * load again and save identically, and survives a few steps of feed/learn/apply and a
 * reset (it must be a consistent learner, not just a parsed file).
 */
#include <rtrl.h>

#include "../common/fuzz_support.h"

enum { HEADER = 24, TRAILER = 4 };

static unsigned char *save(const rtrl_net *net, size_t *len) {
    size_t n = 0, written = 0;
    unsigned char *buf;
    FZ_CHECK(rtrl_net_save_size(net, &n) == RTRL_OK, "save_size: %s", rtrl_last_error());
    buf = (unsigned char *)malloc(n ? n : 1);
    FZ_CHECK(buf != NULL, "out of memory");
    FZ_CHECK(rtrl_net_save_to_buffer(net, buf, n, &written) == RTRL_OK && written == n, "save_to_buffer: %s",
             rtrl_last_error());
    *len = n;
    return buf;
}

/* A few steps with ordinary values; the only failures allowed are the divergence guard's
 * and the size limit's (a loaded exact net too large for its sensitivities). */
static void exercise(rtrl_net *net) {
    size_t nx = rtrl_net_num_inputs(net), ny = rtrl_net_num_outputs(net);
    double x[64], y[64], t[64], loss;
    if (nx > 64 || ny > 64) return;
    for (int k = 0; k < 3; k++) {
        for (size_t i = 0; i < nx; i++) x[i] = ((double)((k + (int)i) % 5) - 2.0) / 2.0;
        for (size_t i = 0; i < ny; i++) t[i] = (i + (size_t)k) % 3 == 0 ? NAN : 0.25 * (double)k;
        rtrl_status st = rtrl_net_step(net, x, nx, t, ny, y, &loss);
        FZ_CHECK(st == RTRL_OK || st == RTRL_ERR_DIVERGED || st == RTRL_ERR_OUT_OF_MEMORY,
                 "step on a loaded network: %d %s", (int)st, rtrl_last_error());
        if (st == RTRL_ERR_OUT_OF_MEMORY) return;
    }
    /* EKF and DEKF have no gradient buffer: apply is refused as a bad call for them. */
    rtrl_status st = rtrl_net_apply(net);
    FZ_CHECK(st == RTRL_OK || st == RTRL_ERR_DIVERGED || st == RTRL_ERR_INVALID_ARGUMENT, "apply on a loaded network: %s",
             rtrl_last_error());
    FZ_CHECK(rtrl_net_reset_state(net) == RTRL_OK, "reset_state: %s", rtrl_last_error());
    FZ_CHECK(rtrl_net_output(net, y, ny) == RTRL_OK, "output: %s", rtrl_last_error());
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    unsigned char *bytes;
    size_t n;
    rtrl_net *net = (rtrl_net *)(uintptr_t)1;
    rtrl_status st;
    if (size < 1) return 0;
    n = size - 1;
    bytes = (unsigned char *)malloc(n ? n : 1);  /* exactly n bytes: ASan sees any over-read */
    if (n) memcpy(bytes, data + 1, n);
    if ((data[0] & 1) && n >= HEADER + TRAILER) {
        fz_store_u64(bytes + 16, (uint64_t)(n - HEADER - TRAILER));
        fz_store_u32(bytes + n - TRAILER, fz_crc32c(bytes, n - TRAILER));
    }
    st = rtrl_net_load_from_buffer(n ? bytes : NULL, n, &net);
    if (st != RTRL_OK) {
        FZ_CHECK(net == NULL, "a failed load left *out set");
        FZ_CHECK(st == RTRL_ERR_CORRUPT || st == RTRL_ERR_VERSION || (n == 0 && st == RTRL_ERR_INVALID_ARGUMENT),
                 "load gave status %d: %s", (int)st, rtrl_last_error());
        FZ_CHECK(rtrl_last_error()[0] != '\0', "a failed load without a message");
    } else {
        size_t len1, len2;
        unsigned char *once = save(net, &len1), *twice;
        rtrl_net *again = NULL;
        FZ_CHECK(rtrl_net_load_from_buffer(once, len1, &again) == RTRL_OK, "the saved form of a loaded network "
                 "does not load: %s", rtrl_last_error());
        twice = save(again, &len2);
        FZ_CHECK(len1 == len2 && memcmp(once, twice, len1) == 0, "save(load(save(net))) != save(net)");
        free(once);
        free(twice);
        rtrl_net_free(again);
        exercise(net);
        rtrl_net_free(net);
    }
    free(bytes);
    return 0;
}

int LLVMFuzzerInitialize(int *argc, char ***argv) {
    (void)argc;
    (void)argv;
    rtrl_set_num_threads(1);
    return 0;
}
