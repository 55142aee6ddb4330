/*
 * test_stress — 10,000 create / configure / step / free cycles (and builder, save/load
 * and failing-call cycles) must not leak: run under valgrind or AddressSanitizer for
 * the proof; in a plain run the resident set size may not grow by more than 2 MiB
 * after a warm-up (skipped when RTRL_TEST_SKIP_RSS is set, as the sanitizer and
 * valgrind runs do).
 */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "support.h"

#define CYCLES 10000

/* Resident set size in KiB (0 if unknown). */
static long rss_kib(void) {
    long pages = 0, resident = 0;
    FILE *f = fopen("/proc/self/statm", "r");
    if (!f) return 0;
    if (fscanf(f, "%ld %ld", &pages, &resident) != 2) resident = 0;
    fclose(f);
    return resident * 4;
}

/* One cycle: a preset network created, configured, stepped 5 times with learning, freed. */
static int create_step_free(int i) {
    rtrl_net *net = NULL;
    rtrl_net_params np;
    rtrl_train_params tp;
    double x[2], target[2], y[2], loss;
    int t, ok = 1;
    rtrl_net_default_params(&np, sizeof np);
    np.seed = (uint64_t)i;
    np.precision = i % 3 == 0 ? RTRL_PRECISION_F32 : RTRL_PRECISION_F64;
    switch (i % 3) {
    case 0: ok = rtrl_net_create_fully_recurrent(2, 4, 2, &np, &net) == RTRL_OK; break;
    case 1: ok = rtrl_net_create_elman(2, 4, 2, &np, &net) == RTRL_OK; break;
    default: ok = rtrl_net_create_jordan(2, 4, 2, &np, &net) == RTRL_OK; break;
    }
    rtrl_train_default_params(&tp, sizeof tp);
    tp.optimizer = (rtrl_optimizer)(i % 3);
    ok = ok && rtrl_net_configure(net, &tp) == RTRL_OK;
    for (t = 0; t < 5 && ok; t++) {
        x[0] = wave(i + t, 0); x[1] = wave(i + t, 1);
        target[0] = wave(i + t, 2); target[1] = t == 2 ? NAN : wave(i + t, 3);
        ok = rtrl_net_step(net, x, 2, target, 2, y, &loss) == RTRL_OK && isfinite(y[0]);
    }
    rtrl_net_free(net);
    return ok;
}

/* One cycle of the other allocating paths: builder, clone, save/load, names, failures. */
static int other_paths(int i) {
    rtrl_builder *b = NULL;
    rtrl_net *net = NULL, *copy = NULL, *loaded = NULL, *truncated = NULL;
    unsigned char *bytes;
    size_t len = 0;
    const char *name = NULL;
    double x = 0.25;
    int ok;
    ok = rtrl_builder_create(1, &b) == RTRL_OK &&
         rtrl_builder_add_layer(b, "h", 3, RTRL_ACTIVATION_TANH, 1) == RTRL_OK &&
         rtrl_builder_connect(b, "input", "h", 0, RTRL_CONNECTION_DENSE, -1, 1.0) == RTRL_OK &&
         rtrl_builder_connect(b, "h", "h", 1, RTRL_CONNECTION_DIAGONAL, -1, 0.5) == RTRL_OK &&
         rtrl_builder_set_output(b, "h", NULL, 0) == RTRL_OK &&
         rtrl_builder_build(b, NULL, &net) == RTRL_OK;
    /* Failing calls allocate messages; they must not pile up. */
    ok = ok && rtrl_builder_add_layer(b, "h", 3, RTRL_ACTIVATION_TANH, 1) == RTRL_ERR_INVALID_ARGUMENT;
    ok = ok && rtrl_net_feed(net, NULL, 5) == RTRL_ERR_INVALID_ARGUMENT;
    ok = ok && rtrl_net_feed(net, &x, 1) == RTRL_OK;
    ok = ok && rtrl_net_clone(net, &copy) == RTRL_OK;
    ok = ok && rtrl_net_param_block(copy, 0, &name, NULL, NULL, NULL) == RTRL_OK && strcmp(name, "input->h") == 0;
    bytes = ok ? snapshot(copy, &len) : NULL;
    ok = ok && bytes && rtrl_net_load_from_buffer(bytes, len, &loaded) == RTRL_OK;
    ok = ok && (i % 2 || (rtrl_net_load_from_buffer(bytes, len / 2, &truncated) == RTRL_ERR_CORRUPT && truncated == NULL));
    free(bytes);
    rtrl_net_free(loaded);
    rtrl_net_free(copy);
    rtrl_net_free(net);
    rtrl_builder_free(b);
    return ok;
}

int main(void) {
    int i, failures = 0;
    long before, after;
    for (i = 0; i < 500; i++) failures += !create_step_free(i) + !other_paths(i);
    before = rss_kib();
    for (i = 0; i < CYCLES; i++) failures += !create_step_free(i);
    for (i = 0; i < CYCLES / 10; i++) failures += !other_paths(i);
    after = rss_kib();
    CHECK(failures == 0, "%d cycles failed", failures);
    printf("stress: %d create/step/free cycles and %d builder/clone/save/load cycles; RSS %ld -> %ld KiB\n",
           CYCLES, CYCLES / 10, before, after);
    /* Under valgrind or AddressSanitizer (quarantined frees) the RSS says nothing; their
       own leak reports are the check there. */
    if (getenv("RTRL_TEST_SKIP_RSS") == NULL)
        CHECK(after - before <= 2048, "resident set grew by %ld KiB", after - before);
    else
        printf("stress: RSS check skipped (RTRL_TEST_SKIP_RSS)\n");
    return HARNESS_END();
}
