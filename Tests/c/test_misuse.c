/*
 * test_misuse — every exported function called wrongly: NULL handles, NULL buffers,
 * wrong lengths, sizes beyond the representable, unknown enum values, NaN and inf
 * inputs, bad struct sizes, a delay-0 cycle, truncated, random and damaged saved data,
 * data from a newer format version. Each call must return the right negative status
 * with a fresh message, must not crash, and must leave the network exactly as it was
 * (its saved bytes compared before and after).
 */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "support.h"

#define INVALID RTRL_ERR_INVALID_ARGUMENT

static rtrl_net *net;         /* the network every misuse must leave untouched */
static unsigned char *snap;   /* its saved bytes */
static size_t snap_len;
static char tmpdir[256];

/* A failing call on `net`: the status, a fresh message, and `net` unchanged. */
#define MISUSE(call, status)                                                    \
    do {                                                                        \
        EXPECT_FAIL(call, status);                                              \
        CHECK(unchanged(net, snap, snap_len), "%s changed the network", #call); \
    } while (0)

/* A bad creation call: the status, a message and *out set to NULL. */
#define BAD_CREATE(call_with_out, out, status)                                  \
    do {                                                                        \
        out = (rtrl_net *)&out;                                                 \
        EXPECT_FAIL(call_with_out, status);                                     \
        CHECK(out == NULL, "%s left *out set", #call_with_out);                 \
    } while (0)

static void make_fixture(void) {
    rtrl_train_params tp;
    double x[2], target[2], y[2];
    int t;
    if (rtrl_net_create_elman(2, 3, 2, NULL, &net) != RTRL_OK) { fprintf(stderr, "fixture\n"); exit(2); }
    rtrl_train_default_params(&tp, sizeof tp);
    tp.optimizer = RTRL_OPTIMIZER_MOMENTUM;
    tp.update_every = 2;
    rtrl_net_configure(net, &tp);
    for (t = 0; t < 5; t++) { /* odd: the gradient buffer holds a pending sum */
        x[0] = wave(t, 0); x[1] = wave(t, 1); target[0] = wave(t, 2); target[1] = wave(t, 3);
        rtrl_net_step(net, x, 2, target, 2, y, NULL);
    }
    snap = snapshot(net, &snap_len);
    CHECK(snap != NULL && snap_len > 100, "fixture snapshot");
}

/* ---------------------------------------------------------------- library calls */

static void misuse_library(void) {
    rtrl_net_params np;
    rtrl_train_params tp;
    unsigned char raw[sizeof(rtrl_train_params) + 16];
    size_t bad_sizes[6];
    size_t i;
    bad_sizes[0] = 0; bad_sizes[1] = 8; bad_sizes[2] = sizeof np - 1; bad_sizes[3] = sizeof tp + 8;
    bad_sizes[4] = SIZE_MAX; bad_sizes[5] = (size_t)1 << 63;
    /* These cannot fail; they must answer anything. */
    CHECK(rtrl_version() != NULL && rtrl_abi_version() == RTRL_ABI_VERSION, "version");
    CHECK(strcmp(rtrl_status_string((rtrl_status)12345), "unknown rtrl_status") == 0, "status string");
    CHECK(rtrl_last_error() != NULL, "last error");
    {
        int threads = rtrl_num_threads();
        CHECK(threads >= 1, "rtrl_num_threads() = %d", threads);
        EXPECT_FAIL(rtrl_set_num_threads(-1), INVALID);
        EXPECT_FAIL(rtrl_set_num_threads(100000), INVALID);
        CHECK(rtrl_num_threads() == threads, "a rejected thread count changed the setting");
        EXPECT_OK(rtrl_set_num_threads(1));
        CHECK(rtrl_num_threads() == 1, "one thread");
        EXPECT_OK(rtrl_set_num_threads(threads));
    }

    EXPECT_FAIL(rtrl_net_default_params(NULL, sizeof np), INVALID);
    EXPECT_FAIL(rtrl_train_default_params(NULL, sizeof tp), INVALID);
    for (i = 0; i < 6; i++) {
        memset(raw, 0x5A, sizeof raw);
        EXPECT_FAIL(rtrl_net_default_params((rtrl_net_params *)(void *)raw, bad_sizes[i] == sizeof np - 1 ? sizeof np + 8 : bad_sizes[i]), INVALID);
        EXPECT_FAIL(rtrl_train_default_params((rtrl_train_params *)(void *)raw, bad_sizes[i]), INVALID);
        CHECK(raw[0] == 0x5A && raw[sizeof raw - 1] == 0x5A, "a rejected default_params wrote bytes");
    }
}

/* ---------------------------------------------------------------- creation */

static void misuse_create(void) {
    rtrl_net *out = NULL;
    rtrl_net_params p;
    size_t huge = SIZE_MAX, beyond = (size_t)1 << 63, big = (size_t)1 << 40;

    EXPECT_FAIL(rtrl_net_create_fully_recurrent(1, 2, 1, NULL, NULL), INVALID);
    EXPECT_FAIL(rtrl_net_create_elman(1, 2, 1, NULL, NULL), INVALID);
    EXPECT_FAIL(rtrl_net_create_jordan(1, 2, 1, NULL, NULL), INVALID);
    BAD_CREATE(rtrl_net_create_fully_recurrent(1, 0, 1, NULL, &out), out, INVALID);
    BAD_CREATE(rtrl_net_create_fully_recurrent(1, 2, 0, NULL, &out), out, INVALID);
    BAD_CREATE(rtrl_net_create_fully_recurrent(1, 2, 3, NULL, &out), out, INVALID); /* n_outputs > n_units */
    BAD_CREATE(rtrl_net_create_elman(1, 0, 1, NULL, &out), out, INVALID);
    BAD_CREATE(rtrl_net_create_elman(1, 2, 0, NULL, &out), out, INVALID);
    BAD_CREATE(rtrl_net_create_jordan(1, 2, 0, NULL, &out), out, INVALID);
    BAD_CREATE(rtrl_net_create_elman(huge, 2, 1, NULL, &out), out, INVALID);
    BAD_CREATE(rtrl_net_create_elman(1, huge, 1, NULL, &out), out, INVALID);
    BAD_CREATE(rtrl_net_create_elman(1, 2, beyond, NULL, &out), out, INVALID);
    BAD_CREATE(rtrl_net_create_fully_recurrent(big, 2, 1, NULL, &out), out, INVALID);
    BAD_CREATE(rtrl_net_create_jordan(1, big, 1, NULL, &out), out, INVALID);
    /* Allowed sizes, but far more values than the library holds. */
    BAD_CREATE(rtrl_net_create_fully_recurrent(1, (size_t)1 << 20, 1, NULL, &out), out, RTRL_ERR_OUT_OF_MEMORY);
    BAD_CREATE(rtrl_net_create_elman(1, 100000, 1, NULL, &out), out, RTRL_ERR_OUT_OF_MEMORY);

    /* Bad parameter structs. */
    rtrl_net_default_params(&p, sizeof p);
    p.struct_size = 0;
    BAD_CREATE(rtrl_net_create_elman(1, 2, 1, &p, &out), out, INVALID);
    p.struct_size = sizeof p - 8;
    BAD_CREATE(rtrl_net_create_elman(1, 2, 1, &p, &out), out, INVALID);
    p.struct_size = sizeof p + 8;
    BAD_CREATE(rtrl_net_create_fully_recurrent(1, 2, 1, &p, &out), out, INVALID);
    p.struct_size = SIZE_MAX;
    BAD_CREATE(rtrl_net_create_jordan(1, 2, 1, &p, &out), out, INVALID);
    rtrl_net_default_params(&p, sizeof p);
    p.hidden_activation = (rtrl_activation)99;
    BAD_CREATE(rtrl_net_create_fully_recurrent(1, 2, 1, &p, &out), out, INVALID);
    CHECK(strstr(rtrl_last_error(), "99") != NULL, "message names the value: %s", rtrl_last_error());
    BAD_CREATE(rtrl_net_create_elman(1, 2, 1, &p, &out), out, INVALID);
    rtrl_net_default_params(&p, sizeof p);
    p.output_activation = (rtrl_activation)-1;
    BAD_CREATE(rtrl_net_create_elman(1, 2, 1, &p, &out), out, INVALID);
    BAD_CREATE(rtrl_net_create_jordan(1, 2, 1, &p, &out), out, INVALID);
    rtrl_net_default_params(&p, sizeof p);
    p.precision = (rtrl_precision)2;
    BAD_CREATE(rtrl_net_create_elman(1, 2, 1, &p, &out), out, INVALID);
    rtrl_net_default_params(&p, sizeof p);
    p.mu = NAN;
    BAD_CREATE(rtrl_net_create_jordan(1, 2, 1, &p, &out), out, INVALID);
    p.mu = INFINITY;
    BAD_CREATE(rtrl_net_create_jordan(1, 2, 1, &p, &out), out, INVALID);

    /* Freeing NULL is a no-op. */
    rtrl_net_free(NULL);
    rtrl_builder_free(NULL);
    CHECK(1, "free(NULL)");

    EXPECT_FAIL(rtrl_net_clone(NULL, &out), INVALID);
    CHECK(out == NULL, "clone of NULL set *out");
    MISUSE(rtrl_net_clone(net, NULL), INVALID);
}

/* ---------------------------------------------------------------- builder */

/* The reference description: input(2) -> h(3) -> o(2), h recurrent. */
static void describe(rtrl_builder *b) {
    rtrl_builder_add_layer(b, "h", 3, RTRL_ACTIVATION_TANH, 1);
    rtrl_builder_add_layer(b, "o", 2, RTRL_ACTIVATION_IDENTITY, 1);
    rtrl_builder_connect(b, "input", "h", 0, RTRL_CONNECTION_DENSE, -1, 1.0);
    rtrl_builder_connect(b, "h", "h", 1, RTRL_CONNECTION_DENSE, -1, 1.0);
    rtrl_builder_connect(b, "h", "o", 0, RTRL_CONNECTION_DENSE, -1, 1.0);
}

static void misuse_builder(void) {
    rtrl_builder *b = NULL, *clean = NULL, *bad = (rtrl_builder *)&bad;
    rtrl_net *built = NULL, *reference = NULL, *out = NULL;
    rtrl_net_params p;
    unsigned char *ref_snap;
    size_t ref_len = 0;
    char long_name[200];
    static const size_t out_of_range[1] = {5}, twice[2] = {1, 1}, three[3] = {0, 1, 2};
    size_t beyond[1];
    beyond[0] = SIZE_MAX;
    memset(long_name, 'a', sizeof long_name - 1);
    long_name[sizeof long_name - 1] = '\0';

    EXPECT_FAIL(rtrl_builder_create(1, NULL), INVALID);
    EXPECT_FAIL(rtrl_builder_create(SIZE_MAX, &bad), INVALID);
    CHECK(bad == NULL, "builder_create left *out set");
    EXPECT_FAIL(rtrl_builder_create((size_t)1 << 21, &bad), INVALID);

    EXPECT_OK(rtrl_builder_create(2, &b));
    EXPECT_FAIL(rtrl_builder_build(b, NULL, &out), INVALID); /* no layers */
    describe(b);
    EXPECT_FAIL(rtrl_builder_build(b, NULL, &out), INVALID); /* no output */

    EXPECT_FAIL(rtrl_builder_add_layer(NULL, "x", 1, RTRL_ACTIVATION_TANH, 1), INVALID);
    EXPECT_FAIL(rtrl_builder_add_layer(b, NULL, 1, RTRL_ACTIVATION_TANH, 1), INVALID);
    EXPECT_FAIL(rtrl_builder_add_layer(b, "", 1, RTRL_ACTIVATION_TANH, 1), INVALID);
    EXPECT_FAIL(rtrl_builder_add_layer(b, "input", 1, RTRL_ACTIVATION_TANH, 1), INVALID);
    EXPECT_FAIL(rtrl_builder_add_layer(b, "h", 1, RTRL_ACTIVATION_TANH, 1), INVALID); /* duplicate */
    EXPECT_FAIL(rtrl_builder_add_layer(b, "a.b", 1, RTRL_ACTIVATION_TANH, 1), INVALID);
    EXPECT_FAIL(rtrl_builder_add_layer(b, "a b", 1, RTRL_ACTIVATION_TANH, 1), INVALID);
    EXPECT_FAIL(rtrl_builder_add_layer(b, "a#2", 1, RTRL_ACTIVATION_TANH, 1), INVALID);
    EXPECT_FAIL(rtrl_builder_add_layer(b, "a->b", 1, RTRL_ACTIVATION_TANH, 1), INVALID);
    EXPECT_FAIL(rtrl_builder_add_layer(b, "\xff\xfe", 1, RTRL_ACTIVATION_TANH, 1), INVALID);
    EXPECT_FAIL(rtrl_builder_add_layer(b, long_name, 1, RTRL_ACTIVATION_TANH, 1), INVALID);
    EXPECT_FAIL(rtrl_builder_add_layer(b, "z", 0, RTRL_ACTIVATION_TANH, 1), INVALID);
    EXPECT_FAIL(rtrl_builder_add_layer(b, "z", SIZE_MAX, RTRL_ACTIVATION_TANH, 1), INVALID);
    EXPECT_FAIL(rtrl_builder_add_layer(b, "z", (size_t)1 << 40, RTRL_ACTIVATION_TANH, 1), INVALID);
    EXPECT_FAIL(rtrl_builder_add_layer(b, "z", 1, (rtrl_activation)5, 1), INVALID);
    EXPECT_FAIL(rtrl_builder_add_layer(b, "z", 1, (rtrl_activation)-7, 1), INVALID);

    EXPECT_FAIL(rtrl_builder_connect(NULL, "h", "o", 0, RTRL_CONNECTION_DENSE, -1, 1.0), INVALID);
    EXPECT_FAIL(rtrl_builder_connect(b, NULL, "o", 0, RTRL_CONNECTION_DENSE, -1, 1.0), INVALID);
    EXPECT_FAIL(rtrl_builder_connect(b, "h", NULL, 0, RTRL_CONNECTION_DENSE, -1, 1.0), INVALID);
    EXPECT_FAIL(rtrl_builder_connect(b, "nope", "o", 0, RTRL_CONNECTION_DENSE, -1, 1.0), INVALID);
    EXPECT_FAIL(rtrl_builder_connect(b, "h", "nope", 0, RTRL_CONNECTION_DENSE, -1, 1.0), INVALID);
    EXPECT_FAIL(rtrl_builder_connect(b, "h", "input", 1, RTRL_CONNECTION_DENSE, -1, 1.0), INVALID);
    EXPECT_FAIL(rtrl_builder_connect(b, "h", "o", 2, RTRL_CONNECTION_DENSE, -1, 1.0), INVALID);
    EXPECT_FAIL(rtrl_builder_connect(b, "h", "o", -1, RTRL_CONNECTION_DENSE, -1, 1.0), INVALID);
    EXPECT_FAIL(rtrl_builder_connect(b, "h", "o", 0, (rtrl_connection_kind)3, -1, 1.0), INVALID);
    EXPECT_FAIL(rtrl_builder_connect(b, "h", "o", 0, RTRL_CONNECTION_DENSE, 2, 1.0), INVALID);
    EXPECT_FAIL(rtrl_builder_connect(b, "h", "o", 0, RTRL_CONNECTION_DENSE, -2, 1.0), INVALID);
    EXPECT_FAIL(rtrl_builder_connect(b, "h", "h", 1, RTRL_CONNECTION_IDENTITY, 1, 1.0), INVALID);
    EXPECT_FAIL(rtrl_builder_connect(b, "h", "o", 1, RTRL_CONNECTION_DIAGONAL, -1, 1.0), INVALID); /* 3 -> 2 */
    EXPECT_FAIL(rtrl_builder_connect(b, "h", "o", 1, RTRL_CONNECTION_IDENTITY, -1, 1.0), INVALID);
    EXPECT_FAIL(rtrl_builder_connect(b, "h", "o", 0, RTRL_CONNECTION_DENSE, -1, NAN), INVALID);
    EXPECT_FAIL(rtrl_builder_connect(b, "h", "o", 0, RTRL_CONNECTION_DENSE, -1, INFINITY), INVALID);
    EXPECT_FAIL(rtrl_builder_connect(b, "h", "o", 0, RTRL_CONNECTION_DENSE, -1, -INFINITY), INVALID);

    EXPECT_FAIL(rtrl_builder_set_output(NULL, "o", NULL, 0), INVALID);
    EXPECT_FAIL(rtrl_builder_set_output(b, NULL, NULL, 0), INVALID);
    EXPECT_FAIL(rtrl_builder_set_output(b, "nope", NULL, 0), INVALID);
    EXPECT_FAIL(rtrl_builder_set_output(b, "input", NULL, 0), INVALID);
    EXPECT_FAIL(rtrl_builder_set_output(b, "o", NULL, 2), INVALID);
    EXPECT_FAIL(rtrl_builder_set_output(b, "o", three, 0), INVALID); /* empty list */
    EXPECT_FAIL(rtrl_builder_set_output(b, "o", out_of_range, 1), INVALID);
    EXPECT_FAIL(rtrl_builder_set_output(b, "o", twice, 2), INVALID);
    EXPECT_FAIL(rtrl_builder_set_output(b, "o", three, 3), INVALID); /* more than the layer */
    EXPECT_FAIL(rtrl_builder_set_output(b, "o", beyond, 1), INVALID);
    EXPECT_FAIL(rtrl_builder_set_output(b, "o", three, SIZE_MAX), INVALID);
    EXPECT_FAIL(rtrl_builder_set_output(b, "o", three, (size_t)1 << 62), INVALID); /* rejected unread */

    EXPECT_OK(rtrl_builder_set_output(b, "o", NULL, 0));
    EXPECT_FAIL(rtrl_builder_build(NULL, NULL, &out), INVALID);
    CHECK(out == NULL, "build(NULL) set *out");
    EXPECT_FAIL(rtrl_builder_build(b, NULL, NULL), INVALID);
    rtrl_net_default_params(&p, sizeof p);
    p.precision = (rtrl_precision)7;
    BAD_CREATE(rtrl_builder_build(b, &p, &out), out, INVALID);
    p.precision = RTRL_PRECISION_F64;
    p.struct_size = 4;
    BAD_CREATE(rtrl_builder_build(b, &p, &out), out, INVALID);

    /* After all these failures the builder describes exactly what a clean one does. */
    EXPECT_OK(rtrl_builder_build(b, NULL, &built));
    EXPECT_OK(rtrl_builder_create(2, &clean));
    describe(clean);
    EXPECT_OK(rtrl_builder_set_output(clean, "o", NULL, 0));
    EXPECT_OK(rtrl_builder_build(clean, NULL, &reference));
    ref_snap = snapshot(reference, &ref_len);
    CHECK(unchanged(built, ref_snap, ref_len), "failed builder calls changed the builder");
    free(ref_snap);

    /* A delay-0 cycle is found at build time. */
    EXPECT_OK(rtrl_builder_connect(b, "o", "h", 0, RTRL_CONNECTION_DENSE, -1, 1.0));
    BAD_CREATE(rtrl_builder_build(b, NULL, &out), out, INVALID);
    CHECK(strstr(rtrl_last_error(), "cycle") != NULL, "cycle message: %s", rtrl_last_error());

    rtrl_net_free(built);
    rtrl_net_free(reference);
    rtrl_builder_free(b);
    rtrl_builder_free(clean);
}

/* ---------------------------------------------------------------- stepping */

static void misuse_stepping(void) {
    double x[3] = {0.1, 0.2, 0.3}, target[3] = {0.5, 0.5, 0.5}, y[3] = {7, 7, 7}, loss = 3;
    double g[64];
    double bad[3];
    int i;

    MISUSE(rtrl_net_feed(NULL, x, 2), INVALID);
    MISUSE(rtrl_net_feed(net, NULL, 2), INVALID);
    MISUSE(rtrl_net_feed(net, x, 1), INVALID);
    MISUSE(rtrl_net_feed(net, x, 3), INVALID);
    MISUSE(rtrl_net_feed(net, x, 0), INVALID);
    MISUSE(rtrl_net_feed(net, x, SIZE_MAX), INVALID);
    MISUSE(rtrl_net_feed(net, x, (size_t)1 << 62), INVALID);
    for (i = 0; i < 3; i++) {
        bad[0] = 0.1;
        bad[1] = i == 0 ? NAN : i == 1 ? INFINITY : -INFINITY;
        MISUSE(rtrl_net_feed(net, bad, 2), INVALID);
        MISUSE(rtrl_net_step(net, bad, 2, target, 2, y, &loss), INVALID);
    }

    MISUSE(rtrl_net_output(NULL, y, 2), INVALID);
    MISUSE(rtrl_net_output(net, NULL, 2), INVALID);
    MISUSE(rtrl_net_output(net, y, 1), INVALID);
    MISUSE(rtrl_net_output(net, y, 3), INVALID);
    MISUSE(rtrl_net_output(net, y, SIZE_MAX), INVALID);

    MISUSE(rtrl_net_learn(NULL, target, 2, &loss), INVALID);
    CHECK(isnan(loss), "loss after a failed learn: %g", loss);
    MISUSE(rtrl_net_learn(net, NULL, 2, &loss), INVALID);
    MISUSE(rtrl_net_learn(net, target, 1, &loss), INVALID);
    MISUSE(rtrl_net_learn(net, target, 3, NULL), INVALID);
    MISUSE(rtrl_net_learn(net, target, SIZE_MAX, NULL), INVALID);
    MISUSE(rtrl_net_accumulate(NULL, target, 2, &loss), INVALID);
    MISUSE(rtrl_net_accumulate(net, NULL, 2, &loss), INVALID);
    MISUSE(rtrl_net_accumulate(net, target, 0, &loss), INVALID);
    bad[0] = 0.5;
    bad[1] = INFINITY;
    MISUSE(rtrl_net_learn(net, bad, 2, &loss), INVALID);
    MISUSE(rtrl_net_accumulate(net, bad, 2, &loss), INVALID);
    MISUSE(rtrl_net_step(net, x, 2, bad, 2, y, &loss), INVALID);
    bad[1] = -INFINITY;
    MISUSE(rtrl_net_learn(net, bad, 2, &loss), INVALID);
    MISUSE(rtrl_net_step(net, x, 2, bad, 2, NULL, NULL), INVALID);

    MISUSE(rtrl_net_apply(NULL), INVALID);
    MISUSE(rtrl_net_zero_grad(NULL), INVALID);
    MISUSE(rtrl_net_reset_state(NULL), INVALID);
    MISUSE(rtrl_net_gradient(NULL, g, rtrl_net_num_params(net)), INVALID);
    MISUSE(rtrl_net_gradient(net, NULL, rtrl_net_num_params(net)), INVALID);
    MISUSE(rtrl_net_gradient(net, g, rtrl_net_num_params(net) - 1), INVALID);
    MISUSE(rtrl_net_gradient(net, g, SIZE_MAX), INVALID);

    /* step validates everything before it feeds. */
    MISUSE(rtrl_net_step(NULL, x, 2, target, 2, y, &loss), INVALID);
    MISUSE(rtrl_net_step(net, NULL, 2, target, 2, y, &loss), INVALID);
    MISUSE(rtrl_net_step(net, x, 3, target, 2, y, &loss), INVALID);
    MISUSE(rtrl_net_step(net, x, 2, target, 3, y, &loss), INVALID);
    MISUSE(rtrl_net_step(net, x, 2, target, 1, NULL, &loss), INVALID);
    MISUSE(rtrl_net_step(net, x, 2, NULL, 3, y, &loss), INVALID);
    MISUSE(rtrl_net_step(net, x, 2, NULL, SIZE_MAX, y, &loss), INVALID);
    MISUSE(rtrl_net_step(net, x, SIZE_MAX, NULL, 0, NULL, NULL), INVALID);
    CHECK(y[0] == 7 && y[1] == 7, "a failed step wrote y_out");
}

/* ---------------------------------------------------------------- configuration */

static void misuse_configuration(void) {
    rtrl_train_params tp, out;
    rtrl_net *softless = NULL;
    unsigned char raw[sizeof(rtrl_train_params) + 16];

#define BAD_CONFIG(field, value)                                                \
    do {                                                                        \
        rtrl_train_default_params(&tp, sizeof tp);                              \
        tp.field = value;                                                       \
        MISUSE(rtrl_net_configure(net, &tp), INVALID);                          \
    } while (0)

    rtrl_train_default_params(&tp, sizeof tp);
    MISUSE(rtrl_net_configure(NULL, &tp), INVALID);
    MISUSE(rtrl_net_configure(net, NULL), INVALID);
    BAD_CONFIG(struct_size, 0);
    BAD_CONFIG(struct_size, sizeof tp - 4);
    BAD_CONFIG(struct_size, sizeof tp + 8);
    BAD_CONFIG(struct_size, SIZE_MAX);
    BAD_CONFIG(struct_size, 88); /* between two versions */
    BAD_CONFIG(optimizer, (rtrl_optimizer)5);
    BAD_CONFIG(optimizer, (rtrl_optimizer)-1);
    BAD_CONFIG(loss, (rtrl_loss)2);
    BAD_CONFIG(learning_rate, NAN);
    BAD_CONFIG(learning_rate, INFINITY);
    BAD_CONFIG(learning_rate, -0.1);
    BAD_CONFIG(momentum, 1.0);
    BAD_CONFIG(momentum, -0.5);
    BAD_CONFIG(momentum, NAN);
    BAD_CONFIG(beta1, 1.0);
    BAD_CONFIG(beta2, -1e-9);
    BAD_CONFIG(beta2, INFINITY);
    BAD_CONFIG(eps, 0.0);
    BAD_CONFIG(eps, NAN);
    BAD_CONFIG(clip_norm, -1.0);
    BAD_CONFIG(clip_norm, NAN);
    BAD_CONFIG(clip_norm, INFINITY);
    BAD_CONFIG(update_every, 0);
    BAD_CONFIG(loss, RTRL_LOSS_CROSS_ENTROPY); /* the fixture's output is not softmax */
#undef BAD_CONFIG

    MISUSE(rtrl_net_get_config(NULL, &out), INVALID);
    MISUSE(rtrl_net_get_config(net, NULL), INVALID);
    memset(raw, 0x5A, sizeof raw);
    ((rtrl_train_params *)(void *)raw)->struct_size = 3;
    MISUSE(rtrl_net_get_config(net, (rtrl_train_params *)(void *)raw), INVALID);
    CHECK(raw[8] == 0x5A && raw[sizeof raw - 1] == 0x5A, "a rejected get_config wrote bytes");
    ((rtrl_train_params *)(void *)raw)->struct_size = sizeof raw;
    MISUSE(rtrl_net_get_config(net, (rtrl_train_params *)(void *)raw), INVALID);
    CHECK(raw[8] == 0x5A && raw[sizeof raw - 1] == 0x5A, "a rejected get_config wrote bytes");

    /* cross_entropy on a network whose output is softmax is fine; elsewhere it is not. */
    EXPECT_OK(rtrl_net_create_fully_recurrent(1, 3, 2, NULL, &softless));
    rtrl_train_default_params(&tp, sizeof tp);
    tp.loss = RTRL_LOSS_CROSS_ENTROPY;
    EXPECT_FAIL(rtrl_net_configure(softless, &tp), INVALID);
    CHECK(strstr(rtrl_last_error(), "softmax") != NULL, "message: %s", rtrl_last_error());
    rtrl_net_free(softless);
}

/* ---------------------------------------------------------------- parameters and blocks */

static void misuse_parameters(void) {
    double p[64], v[16];
    size_t n = rtrl_net_num_params(net), rows = 0, cols = 0, offset = 0, units[4], count = 0;
    const char *name = NULL;
    int trainable = 0, delay = 0, bias = 0;
    uint64_t u = 0;
    rtrl_precision precision;
    rtrl_activation act;
    rtrl_connection_kind kind;
    double scale;

    CHECK(rtrl_net_num_params(NULL) == 0 && rtrl_net_num_inputs(NULL) == 0 && rtrl_net_num_outputs(NULL) == 0,
          "sizes of NULL");
    CHECK(rtrl_net_param_block_count(NULL) == 0 && rtrl_net_block_count(NULL) == 0 &&
              rtrl_net_layer_count(NULL) == 0 && rtrl_net_connection_count(NULL) == 0,
          "counts of NULL");

    MISUSE(rtrl_net_get_params(NULL, p, n), INVALID);
    MISUSE(rtrl_net_get_params(net, NULL, n), INVALID);
    MISUSE(rtrl_net_get_params(net, p, n + 1), INVALID);
    MISUSE(rtrl_net_get_params(net, p, SIZE_MAX), INVALID);
    EXPECT_OK(rtrl_net_get_params(net, p, n));
    MISUSE(rtrl_net_set_params(NULL, p, n), INVALID);
    MISUSE(rtrl_net_set_params(net, NULL, n), INVALID);
    MISUSE(rtrl_net_set_params(net, p, n - 1), INVALID);
    MISUSE(rtrl_net_set_params(net, p, SIZE_MAX), INVALID);
    p[n - 1] = NAN;
    MISUSE(rtrl_net_set_params(net, p, n), INVALID);
    p[n - 1] = 0;
    p[0] = -INFINITY;
    MISUSE(rtrl_net_set_params(net, p, n), INVALID);

    MISUSE(rtrl_net_param_block(NULL, 0, &name, &offset, &rows, &cols), INVALID);
    MISUSE(rtrl_net_param_block(net, 5, &name, &offset, &rows, &cols), INVALID);
    MISUSE(rtrl_net_param_block(net, SIZE_MAX, &name, &offset, &rows, &cols), INVALID);
    MISUSE(rtrl_net_block(NULL, 0, &name, &rows, &cols, &trainable), INVALID);
    MISUSE(rtrl_net_block(net, 5, &name, &rows, &cols, &trainable), INVALID);
    MISUSE(rtrl_net_block(net, SIZE_MAX, NULL, NULL, NULL, NULL), INVALID);
    MISUSE(rtrl_net_block_info(NULL, "hidden.bias", &rows, &cols, &trainable), INVALID);
    MISUSE(rtrl_net_block_info(net, NULL, &rows, &cols, &trainable), INVALID);
    MISUSE(rtrl_net_block_info(net, "hidden->nothing", &rows, &cols, &trainable), INVALID);
    MISUSE(rtrl_net_block_info(net, "", &rows, &cols, &trainable), INVALID);

    MISUSE(rtrl_net_get_block(NULL, "hidden.bias", v, 3), INVALID);
    MISUSE(rtrl_net_get_block(net, NULL, v, 3), INVALID);
    MISUSE(rtrl_net_get_block(net, "nope", v, 3), INVALID);
    MISUSE(rtrl_net_get_block(net, "hidden.bias", NULL, 3), INVALID);
    MISUSE(rtrl_net_get_block(net, "hidden.bias", v, 2), INVALID);
    MISUSE(rtrl_net_get_block(net, "hidden.bias", v, SIZE_MAX), INVALID);
    v[0] = v[1] = v[2] = 0.5;
    MISUSE(rtrl_net_set_block(NULL, "hidden.bias", v, 3), INVALID);
    MISUSE(rtrl_net_set_block(net, NULL, v, 3), INVALID);
    MISUSE(rtrl_net_set_block(net, "nope", v, 3), INVALID);
    MISUSE(rtrl_net_set_block(net, "hidden.bias", NULL, 3), INVALID);
    MISUSE(rtrl_net_set_block(net, "hidden.bias", v, 4), INVALID);
    v[2] = NAN;
    MISUSE(rtrl_net_set_block(net, "hidden.bias", v, 3), INVALID);
    v[2] = INFINITY;
    MISUSE(rtrl_net_set_block(net, "hidden.bias", v, 3), INVALID);

    MISUSE(rtrl_net_step_count(NULL, &u), INVALID);
    MISUSE(rtrl_net_step_count(net, NULL), INVALID);
    MISUSE(rtrl_net_refused_updates(NULL, &u), INVALID);
    MISUSE(rtrl_net_refused_updates(net, NULL), INVALID);
    MISUSE(rtrl_net_memory(NULL, &count), INVALID);
    MISUSE(rtrl_net_memory(net, NULL), INVALID);
    {
        rtrl_sensitivity mode;
        int diagonal = 7;
        MISUSE(rtrl_net_sensitivity(NULL, &mode, &diagonal), INVALID);
        MISUSE(rtrl_net_sensitivity(net, NULL, &diagonal), INVALID);
        EXPECT_OK(rtrl_net_sensitivity(net, &mode, NULL));
        EXPECT_OK(rtrl_net_sensitivity(net, &mode, &diagonal));
        CHECK(mode == RTRL_SENSITIVITY_EXACT && diagonal == 0, "the fixture's sensitivity path");
        EXPECT_OK(rtrl_net_memory(net, &count));
        CHECK(count > 1000, "the fixture's memory: %zu bytes", count);
    }
    MISUSE(rtrl_net_precision(NULL, &precision), INVALID);
    MISUSE(rtrl_net_precision(net, NULL), INVALID);
    MISUSE(rtrl_net_layer(NULL, 0, &name, &count, &act, &bias), INVALID);
    MISUSE(rtrl_net_layer(net, 2, &name, &count, &act, &bias), INVALID);
    MISUSE(rtrl_net_layer(net, SIZE_MAX, NULL, NULL, NULL, NULL), INVALID);
    MISUSE(rtrl_net_connection(NULL, 0, &name, &name, &delay, &kind, &trainable, &scale), INVALID);
    MISUSE(rtrl_net_connection(net, 3, &name, &name, &delay, &kind, &trainable, &scale), INVALID);
    MISUSE(rtrl_net_connection(net, SIZE_MAX, NULL, NULL, NULL, NULL, NULL, NULL), INVALID);
    MISUSE(rtrl_net_output_units(NULL, &name, units, 4, &count), INVALID);
    MISUSE(rtrl_net_output_units(net, &name, NULL, 4, &count), INVALID);
    count = 0;
    units[0] = 99;
    MISUSE(rtrl_net_output_units(net, &name, units, 1, &count), RTRL_ERR_BUFFER_TOO_SMALL);
    CHECK(count == 2 && units[0] == 99, "too small: n %zu, units written %zu", count, units[0]);
}

/* ---------------------------------------------------------------- saving and loading */

/* CRC-32C (Castagnoli), to forge otherwise well-formed saved data. */
static uint32_t crc32c(const unsigned char *p, size_t n) {
    uint32_t c = 0xFFFFFFFFu;
    size_t i;
    int k;
    for (i = 0; i < n; i++) {
        c ^= p[i];
        for (k = 0; k < 8; k++) c = (c & 1) ? (c >> 1) ^ 0x82F63B78u : c >> 1;
    }
    return ~c;
}

static void put_u32(unsigned char *p, uint32_t v) {
    p[0] = (unsigned char)v; p[1] = (unsigned char)(v >> 8); p[2] = (unsigned char)(v >> 16); p[3] = (unsigned char)(v >> 24);
}

static void reseal(unsigned char *p, size_t n) { put_u32(p + n - 4, crc32c(p, n - 4)); }

static int write_file(const char *path, const void *p, size_t n) {
    FILE *f = fopen(path, "wb");
    int ok = f != NULL && fwrite(p, 1, n, f) == n;
    if (f) ok = (fclose(f) == 0) && ok;
    return ok;
}

/* Loading `bytes` from a buffer and from a file gives `status` and *out = NULL. */
static void expect_load_fails(const unsigned char *bytes, size_t n, rtrl_status status, const char *what) {
    char path[512];
    rtrl_net *out = (rtrl_net *)&out;
    EXPECT_FAIL(rtrl_net_load_from_buffer(bytes, n, &out), status);
    CHECK(out == NULL, "%s: *out set", what);
    snprintf(path, sizeof path, "%s/bad.rtrl", tmpdir);
    CHECK(write_file(path, bytes, n), "write %s", path);
    out = (rtrl_net *)&out;
    EXPECT_FAIL(rtrl_net_load(path, &out), status);
    CHECK(out == NULL, "%s (file): *out set", what);
    if (rtrl_last_error()[0] == '\0') fprintf(stderr, "%s: empty message\n", what);
    remove(path);
}

static void misuse_save_load(void) {
    char path[512], dirpath[512];
    unsigned char *bytes = (unsigned char *)malloc(snap_len), *forged;
    unsigned char small[16];
    size_t needed = 0, n, cut, pos, i;
    uint64_t rng = 12345;
    rtrl_net *out = NULL;
    int rejected = 0, total = 0;
    memcpy(bytes, snap, snap_len);
    snprintf(path, sizeof path, "%s/ok.rtrl", tmpdir);

    MISUSE(rtrl_net_save(NULL, path), INVALID);
    MISUSE(rtrl_net_save(net, NULL), INVALID);
    snprintf(dirpath, sizeof dirpath, "%s/no/such/dir/x.rtrl", tmpdir);
    MISUSE(rtrl_net_save(net, dirpath), RTRL_ERR_IO);
    CHECK(strstr(rtrl_last_error(), "No such file") != NULL, "IO message: %s", rtrl_last_error());
    MISUSE(rtrl_net_save(net, ""), RTRL_ERR_IO);
    MISUSE(rtrl_net_save(net, tmpdir), RTRL_ERR_IO); /* a directory */
    MISUSE(rtrl_net_save(net, "\xff\xfe"), INVALID); /* not UTF-8 */

    EXPECT_FAIL(rtrl_net_load(NULL, &out), INVALID);
    EXPECT_FAIL(rtrl_net_load(path, NULL), INVALID);
    out = (rtrl_net *)&out;
    EXPECT_FAIL(rtrl_net_load(dirpath, &out), RTRL_ERR_IO);
    CHECK(out == NULL, "load of a missing file set *out");
    EXPECT_FAIL(rtrl_net_load(tmpdir, &out), RTRL_ERR_IO);

    MISUSE(rtrl_net_save_size(NULL, &n), INVALID);
    MISUSE(rtrl_net_save_size(net, NULL), INVALID);
    MISUSE(rtrl_net_save_to_buffer(NULL, small, sizeof small, &needed), INVALID);
    MISUSE(rtrl_net_save_to_buffer(net, NULL, 100, &needed), INVALID);
    MISUSE(rtrl_net_save_to_buffer(net, small, SIZE_MAX, &needed), INVALID);
    needed = 0;
    memset(small, 0x5A, sizeof small);
    MISUSE(rtrl_net_save_to_buffer(net, small, sizeof small, &needed), RTRL_ERR_BUFFER_TOO_SMALL);
    CHECK(needed == snap_len && small[0] == 0x5A, "too small: needed %zu, buffer written", needed);
    MISUSE(rtrl_net_save_to_buffer(net, small, sizeof small, NULL), RTRL_ERR_BUFFER_TOO_SMALL);

    EXPECT_FAIL(rtrl_net_load_from_buffer(NULL, 10, &out), INVALID);
    EXPECT_FAIL(rtrl_net_load_from_buffer(bytes, snap_len, NULL), INVALID);
    EXPECT_FAIL(rtrl_net_load_from_buffer(bytes, SIZE_MAX, &out), INVALID);

    /* Empty, and every truncation of a valid saved network. */
    expect_load_fails(bytes, 0, RTRL_ERR_CORRUPT, "empty");
    for (cut = 1; cut < snap_len; cut++) {
        rtrl_status s;
        out = NULL;
        s = rtrl_net_load_from_buffer(bytes, cut, &out);
        total++;
        rejected += s == RTRL_ERR_CORRUPT && out == NULL;
        rtrl_net_free(out);
    }
    CHECK(rejected == total, "%d of %d truncations rejected as corrupt", rejected, total);
    expect_load_fails(bytes, snap_len / 2, RTRL_ERR_CORRUPT, "truncated file");
    expect_load_fails(bytes, snap_len - 1, RTRL_ERR_CORRUPT, "one byte short");

    /* One flipped bit anywhere is caught. */
    rejected = total = 0;
    for (pos = 0; pos < snap_len; pos += 3) {
        rtrl_status s;
        bytes[pos] ^= 0x10;
        out = NULL;
        s = rtrl_net_load_from_buffer(bytes, snap_len, &out);
        total++;
        rejected += (s == RTRL_ERR_CORRUPT || s == RTRL_ERR_VERSION) && out == NULL;
        rtrl_net_free(out);
        bytes[pos] ^= 0x10;
    }
    CHECK(rejected == total, "%d of %d bit flips rejected", rejected, total);

    /* Random bytes: raw, and behind a valid header with a valid checksum. */
    forged = (unsigned char *)malloc(snap_len + 4096);
    for (i = 0; i < 200; i++) {
        size_t len = 1 + (size_t)(i * 37 % 3000);
        size_t k;
        rtrl_status s;
        for (k = 0; k < len; k++) {
            rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
            forged[k] = (unsigned char)(rng >> 56);
        }
        if (i % 2 == 1 && len >= 32) { /* magic, version 1, f64, payload length, checksum */
            memcpy(forged, snap, 16);
            put_u32(forged + 16, (uint32_t)(len - 28));
            put_u32(forged + 20, 0);
            reseal(forged, len);
        }
        out = NULL;
        s = rtrl_net_load_from_buffer(forged, len, &out);
        CHECK(s == RTRL_ERR_CORRUPT && out == NULL, "random bytes #%zu (%zu bytes): status %d", i, len, (int)s);
        rtrl_net_free(out);
    }
    for (i = 0; i < 64; i++) forged[i] = (unsigned char)(i * 73 + 5);
    expect_load_fails(forged, 64, RTRL_ERR_CORRUPT, "random file");

    /* A newer format version (with a correct checksum): RTRL_ERR_VERSION. */
    memcpy(forged, snap, snap_len);
    put_u32(forged + 8, 2);
    reseal(forged, snap_len);
    expect_load_fails(forged, snap_len, RTRL_ERR_VERSION, "version 2");
    CHECK(strstr(rtrl_last_error(), "version 2") != NULL, "version message: %s", rtrl_last_error());
    put_u32(forged + 8, 0xFFFFFFFFu);
    reseal(forged, snap_len);
    expect_load_fails(forged, snap_len, RTRL_ERR_VERSION, "version 2^32-1");
    /* A field out of range inside a well-sealed file: an activation code of 200. */
    memcpy(forged, snap, snap_len);
    {
        /* payload: n_inputs u32, layer count u32, then layer 0: name length u32, name, size u32, activation u8 */
        uint32_t name_len = (uint32_t)forged[32] | (uint32_t)forged[33] << 8;
        size_t at = 24 + 4 + 4 + 4 + name_len + 4;
        forged[at] = 200;
        reseal(forged, snap_len);
        expect_load_fails(forged, snap_len, RTRL_ERR_CORRUPT, "bad activation code");
    }
    /* A loaded copy of the fixture still works: the file path is fine. */
    EXPECT_OK(rtrl_net_save(net, path));
    EXPECT_OK(rtrl_net_load(path, &out));
    CHECK(unchanged(out, snap, snap_len), "the fixture's own file");
    rtrl_net_free(out);
    remove(path);
    free(forged);
    free(bytes);
}

/* ---------------------------------------------------------------- stream sharding */

/* FNV-1a, 32 bits: the reference the library's shard functions are checked against. */
static uint32_t fnv1a32(const char *s) {
    uint32_t h = 2166136261u;
    for (; *s; s++) { h ^= (unsigned char)*s; h *= 16777619u; }
    return h;
}

/* The full 32-bit hash of `id` recovered from rtrl_shard_of with three coprime shard
   counts (10000 * 9999 * 9973 > 2^32, so the remainders determine it). */
static int64_t hash_through_shards(const char *id) {
    uint32_t r1 = 0, r2 = 0, r3 = 0;
    uint64_t h;
    if (rtrl_shard_of(id, 10000, &r1) != RTRL_OK || rtrl_shard_of(id, 9999, &r2) != RTRL_OK ||
        rtrl_shard_of(id, 9973, &r3) != RTRL_OK) return -1;
    for (h = r1; h <= 0xFFFFFFFFull; h += 10000)
        if (h % 9999 == r2 && h % 9973 == r3) return (int64_t)h;
    return -1;
}

static void misuse_sharding(void) {
    char buf[RTRL_SHARD_TOPIC_CAPACITY], want[400], id[300];
    uint32_t shard = 77;
    size_t len = 0;
    int i, n, agree = 0, total = 0;
    /* Known FNV-1a-32 values (Fowler, Noll, Vo): the library hashes exactly that. */
    CHECK(hash_through_shards("a") == 0xe40c292cLL, "fnv1a32(\"a\") = %llx", (long long)hash_through_shards("a"));
    CHECK(hash_through_shards("foobar") == 0xbf9cf968LL, "fnv1a32(\"foobar\") = %llx", (long long)hash_through_shards("foobar"));
    CHECK(fnv1a32("a") == 0xe40c292cu && fnv1a32("foobar") == 0xbf9cf968u && fnv1a32("") == 0x811c9dc5u, "reference fnv1a32");
    EXPECT_OK(rtrl_shard_of("a", 10000, &shard));
    CHECK(shard == 0xe40c292cu % 10000, "shard of \"a\" among 10000: %u", shard);
    EXPECT_OK(rtrl_shard_of("a", 1, &shard));
    CHECK(shard == 0, "one shard: %u", shard);
    /* Many ids and shard counts: shard_of and the topic agree with the reference. */
    for (i = 0; i < 500; i++) {
        snprintf(id, sizeof id, "%s-%d/\xc3\xa9t%d", i % 3 ? "sensor" : "machine", i, i * 7919);
        for (n = 1; n <= 17; n += 4) {
            uint32_t expected = fnv1a32(id) % (uint32_t)n;
            total++;
            snprintf(want, sizeof want, "s%04u/%s", expected, id);
            if (rtrl_shard_of(id, (uint32_t)n, &shard) == RTRL_OK && shard == expected &&
                rtrl_shard_topic(id, (uint32_t)n, buf, sizeof buf, &len) == RTRL_OK &&
                strcmp(buf, want) == 0 && len == strlen(want))
                agree++;
        }
    }
    CHECK(agree == total, "%d of %d shard computations agree with the reference", agree, total);

    /* The topic: value, size query, exact and short buffers. */
    EXPECT_OK(rtrl_shard_topic("sensor-7", 3, buf, sizeof buf, &len));
    CHECK(strcmp(buf, "s0002/sensor-7") == 0 && len == 14, "topic \"%s\" (%zu)", buf, len);
    len = 0;
    EXPECT_OK(rtrl_shard_topic("sensor-7", 3, NULL, 0, &len));
    CHECK(len == 14, "size query: %zu", len);
    memset(buf, 'x', sizeof buf);
    EXPECT_OK(rtrl_shard_topic("sensor-7", 3, buf, 15, NULL));
    CHECK(strcmp(buf, "s0002/sensor-7") == 0, "exact buffer: %s", buf);
    memset(buf, 'x', sizeof buf);
    len = 0;
    EXPECT_FAIL(rtrl_shard_topic("sensor-7", 3, buf, 14, &len), RTRL_ERR_BUFFER_TOO_SMALL);
    CHECK(len == 14 && buf[0] == 'x' && buf[13] == 'x', "a short buffer: len %zu, buffer written", len);
    EXPECT_OK(rtrl_shard_topic("z", 10000, buf, sizeof buf, &len));
    CHECK(strncmp(buf, "s", 1) == 0 && buf[5] == '/' && strcmp(buf + 6, "z") == 0 && len == 7, "10000 shards: %s", buf);
    /* The longest id gives a topic of 255 bytes, which RTRL_SHARD_TOPIC_CAPACITY holds. */
    memset(id, 'k', RTRL_SHARD_MAX_STREAM_ID_LENGTH);
    id[RTRL_SHARD_MAX_STREAM_ID_LENGTH] = 0;
    EXPECT_OK(rtrl_shard_topic(id, 7, buf, sizeof buf, &len));
    CHECK(len == 255 && strlen(buf) == 255, "the longest topic: %zu", len);

    /* Misuse: nothing written. */
    id[RTRL_SHARD_MAX_STREAM_ID_LENGTH] = 'k';
    id[RTRL_SHARD_MAX_STREAM_ID_LENGTH + 1] = 0;
    shard = 77;
    EXPECT_FAIL(rtrl_shard_of(id, 7, &shard), INVALID);
    EXPECT_FAIL(rtrl_shard_of(NULL, 7, &shard), INVALID);
    EXPECT_FAIL(rtrl_shard_of("", 7, &shard), INVALID);
    EXPECT_FAIL(rtrl_shard_of("\xff\xfe", 7, &shard), INVALID);
    EXPECT_FAIL(rtrl_shard_of("a", 0, &shard), INVALID);
    EXPECT_FAIL(rtrl_shard_of("a", RTRL_SHARD_MAX + 1, &shard), INVALID);
    EXPECT_FAIL(rtrl_shard_of("a", 0xFFFFFFFFu, &shard), INVALID);
    CHECK(shard == 77, "a failed rtrl_shard_of wrote %u", shard);
    EXPECT_FAIL(rtrl_shard_of("a", 3, NULL), INVALID);
    len = 99;
    memset(buf, 'x', sizeof buf);
    EXPECT_FAIL(rtrl_shard_topic(id, 7, buf, sizeof buf, &len), INVALID);
    EXPECT_FAIL(rtrl_shard_topic(NULL, 7, buf, sizeof buf, &len), INVALID);
    EXPECT_FAIL(rtrl_shard_topic("", 7, buf, sizeof buf, &len), INVALID);
    EXPECT_FAIL(rtrl_shard_topic("\xc3", 7, buf, sizeof buf, &len), INVALID);
    EXPECT_FAIL(rtrl_shard_topic("a", 0, buf, sizeof buf, &len), INVALID);
    EXPECT_FAIL(rtrl_shard_topic("a", 10001, buf, sizeof buf, &len), INVALID);
    EXPECT_FAIL(rtrl_shard_topic("a", 3, NULL, 8, &len), INVALID);
    EXPECT_FAIL(rtrl_shard_topic("a", 3, buf, SIZE_MAX, &len), INVALID);
    CHECK(len == 99 && buf[0] == 'x', "a failed rtrl_shard_topic wrote len %zu or the buffer", len);
}

int main(void) {
    char template_dir[] = "/tmp/rtrl-test-misuse-XXXXXX";
    if (!mkdtemp(template_dir)) { perror("mkdtemp"); return 2; }
    strcpy(tmpdir, template_dir);
    make_fixture();
    misuse_library();
    misuse_create();
    misuse_builder();
    misuse_stepping();
    misuse_configuration();
    misuse_parameters();
    misuse_save_load();
    misuse_sharding();
    CHECK(unchanged(net, snap, snap_len), "the fixture changed during the suite");
    rtrl_net_free(net);
    free(snap);
    rmdir(tmpdir);
    return HARNESS_END();
}
