/*
 * test_api — librtrl's C ABI used as documented: version, status names, the last error,
 * parameter structs, the presets' block layout, the builder, parameters and blocks,
 * configuration, stepping semantics, the divergence guard, introspection, and
 * save -> load (file and buffer) -> bit-identical continuation.
 */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stddef.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "support.h"

static char tmpdir[256];

static void test_version(void) {
    char expected[32];
    snprintf(expected, sizeof expected, "%d.%d.%d", RTRL_VERSION_MAJOR, RTRL_VERSION_MINOR, RTRL_VERSION_PATCH);
    CHECK(strcmp(rtrl_version(), expected) == 0, "rtrl_version() = %s, macros say %s", rtrl_version(), expected);
    CHECK(strcmp(rtrl_version(), RTRL_VERSION_STRING) == 0, "rtrl_version() = %s", rtrl_version());
    CHECK(strcmp(rtrl_version(), "0.1.0") == 0, "rtrl_version() = %s", rtrl_version());
    CHECK(rtrl_abi_version() == RTRL_ABI_VERSION && RTRL_ABI_VERSION == 1, "abi %d", rtrl_abi_version());
    CHECK(RTRL_VERSION_NUMBER == 100, "RTRL_VERSION_NUMBER = %d", RTRL_VERSION_NUMBER);
}

static void test_status_strings(void) {
    static const struct { rtrl_status s; int value; const char *name; } all[] = {
        {RTRL_OK, 0, "RTRL_OK"},
        {RTRL_ERR_INVALID_ARGUMENT, -1, "RTRL_ERR_INVALID_ARGUMENT"},
        {RTRL_ERR_OUT_OF_MEMORY, -2, "RTRL_ERR_OUT_OF_MEMORY"},
        {RTRL_ERR_IO, -3, "RTRL_ERR_IO"},
        {RTRL_ERR_CORRUPT, -4, "RTRL_ERR_CORRUPT"},
        {RTRL_ERR_VERSION, -5, "RTRL_ERR_VERSION"},
        {RTRL_ERR_BUFFER_TOO_SMALL, -6, "RTRL_ERR_BUFFER_TOO_SMALL"},
        {RTRL_ERR_DIVERGED, -7, "RTRL_ERR_DIVERGED"},
        {RTRL_ERR_STREAM, -8, "RTRL_ERR_STREAM"},
        {RTRL_ERR_INTERNAL, -9, "RTRL_ERR_INTERNAL"},
    };
    size_t i, j;
    for (i = 0; i < sizeof all / sizeof all[0]; i++) {
        const char *s = rtrl_status_string(all[i].s);
        CHECK((int)all[i].s == all[i].value, "%s = %d", all[i].name, (int)all[i].s);
        CHECK(strncmp(s, all[i].name, strlen(all[i].name)) == 0 && s[strlen(all[i].name)] == ':',
              "rtrl_status_string(%d) = \"%s\"", all[i].value, s);
        for (j = 0; j < i; j++) CHECK(strcmp(s, rtrl_status_string(all[j].s)) != 0, "duplicate name %s", s);
    }
    CHECK(strcmp(rtrl_status_string((rtrl_status)1), "unknown rtrl_status") == 0, "unknown 1");
    CHECK(strcmp(rtrl_status_string((rtrl_status)-10), "unknown rtrl_status") == 0, "unknown -10");
    CHECK(strcmp(rtrl_status_string((rtrl_status)-2147483647), "unknown rtrl_status") == 0, "unknown INT_MIN+1");
}

/* ---------------------------------------------------------------- last error */

static void *fresh_thread(void *arg) {
    char *seen = (char *)arg;
    /* A new thread has no error yet, whatever other threads did. */
    strncpy(seen, rtrl_last_error(), 255);
    /* Its own failure is its own. */
    (void)rtrl_net_feed(NULL, NULL, 0);
    strncpy(seen + 256, rtrl_last_error(), 255);
    return NULL;
}

static void test_last_error(void) {
    static char seen[512];
    pthread_t thread;
    rtrl_net *net = NULL;
    char before[256];
    /* The harness's marker really sets a recognisable message. */
    harness_mark_last_error();
    CHECK(strstr(rtrl_last_error(), HARNESS_MARKER) != NULL, "marker message \"%s\"", rtrl_last_error());
    EXPECT_STATUS(rtrl_net_create_elman(1, 2, 1, NULL, NULL), RTRL_ERR_INVALID_ARGUMENT);
    CHECK(strcmp(rtrl_last_error(), "rtrl_net_create_elman: out is NULL") == 0, "message \"%s\"", rtrl_last_error());
    strncpy(before, rtrl_last_error(), sizeof before - 1);
    before[sizeof before - 1] = '\0';
    /* Successful calls leave it unchanged. */
    EXPECT_OK(rtrl_net_create_elman(1, 2, 1, NULL, &net));
    EXPECT_OK(rtrl_net_reset_state(net));
    CHECK(strcmp(rtrl_last_error(), before) == 0, "changed by a successful call: \"%s\"", rtrl_last_error());
    /* A later failure replaces it. */
    EXPECT_STATUS(rtrl_net_feed(net, NULL, 3), RTRL_ERR_INVALID_ARGUMENT);
    CHECK(strstr(rtrl_last_error(), "x is NULL") != NULL, "message \"%s\"", rtrl_last_error());
    /* Thread-local. */
    memset(seen, 0, sizeof seen);
    CHECK(pthread_create(&thread, NULL, fresh_thread, seen) == 0, "pthread_create");
    pthread_join(thread, NULL);
    CHECK(seen[0] == '\0', "a new thread sees \"%s\"", seen);
    CHECK(strcmp(seen + 256, "rtrl_net_feed: net is NULL") == 0, "the thread's own message \"%s\"", seen + 256);
    CHECK(strstr(rtrl_last_error(), "x is NULL") != NULL, "main thread's message changed to \"%s\"", rtrl_last_error());
    rtrl_net_free(net);
}

/* ---------------------------------------------------------------- parameter structs */

static void test_default_params(void) {
    rtrl_net_params np;
    rtrl_train_params tp;
    memset(&np, 0xAB, sizeof np);
    memset(&tp, 0xAB, sizeof tp);
    EXPECT_OK(rtrl_net_default_params(&np, sizeof np));
    CHECK(np.struct_size == sizeof np && np.seed == 0 && np.precision == RTRL_PRECISION_F64 &&
              np.hidden_activation == RTRL_ACTIVATION_TANH && np.output_activation == RTRL_ACTIVATION_IDENTITY &&
              np.mu == 0.5,
          "net defaults");
    EXPECT_OK(rtrl_train_default_params(&tp, sizeof tp));
    CHECK(tp.struct_size == sizeof tp && tp.optimizer == RTRL_OPTIMIZER_SGD && tp.learning_rate == 0.01 &&
              tp.momentum == 0.9 && tp.beta1 == 0.9 && tp.beta2 == 0.999 && tp.eps == 1e-8 && tp.clip_norm == 0 &&
              tp.loss == RTRL_LOSS_MSE && tp.teacher_forcing == 0 && tp.update_every == 1 && tp.divergence_guard == 1,
          "train defaults");
    /* The first version's layout on LP64 (the sizes a future library must accept). */
    CHECK(sizeof(rtrl_net_params) == 40, "sizeof(rtrl_net_params) = %zu", sizeof(rtrl_net_params));
    /* rtrl_train_params version 1 ended with divergence_guard (80 bytes); version 2 appends
       the second-order fields. */
    CHECK(offsetof(rtrl_train_params, ekf_r) == 80, "version 2 fields start at %zu", offsetof(rtrl_train_params, ekf_r));
    CHECK(sizeof(rtrl_train_params) == 136, "sizeof(rtrl_train_params) = %zu", sizeof(rtrl_train_params));
    CHECK(tp.sensitivity == RTRL_SENSITIVITY_EXACT, "train defaults: sensitivity");
    CHECK(tp.ekf_r == 1 && tp.ekf_q == 1e-6 && tp.p0 == 0.01 && tp.readout == RTRL_READOUT_GRADIENT &&
              tp.rls_lambda == 0.999 && tp.max_covariance_entries == ((uint64_t)1 << 26),
          "train defaults, version 2 fields");
}

/* A caller compiled against version 1 of rtrl_train_params (80 bytes) still works: the
   library reads and writes only those bytes and uses its defaults for the rest. */
static void test_train_params_version_1(void) {
    rtrl_net *net = NULL;
    rtrl_train_params tp, out;
    unsigned char guard[sizeof(rtrl_train_params)];
    EXPECT_OK(rtrl_net_create_elman(1, 3, 1, NULL, &net));
    EXPECT_OK(rtrl_train_default_params(&tp, 80));
    CHECK(tp.struct_size == 80, "v1 struct_size");
    tp.optimizer = RTRL_OPTIMIZER_ADAM;
    tp.ekf_r = -1; /* beyond struct_size: must be ignored */
    EXPECT_OK(rtrl_net_configure(net, &tp));
    memset(&out, 0xCD, sizeof out);
    memcpy(guard, &out, sizeof out);
    out.struct_size = 80;
    EXPECT_OK(rtrl_net_get_config(net, &out));
    CHECK(out.optimizer == RTRL_OPTIMIZER_ADAM && out.struct_size == 80, "v1 get_config");
    CHECK(memcmp((unsigned char *)&out + 80, guard + 80, sizeof out - 80) == 0, "get_config wrote past a v1 struct");
    rtrl_net_free(net);
}

/* ---------------------------------------------------------------- presets and blocks */

typedef struct { const char *name; size_t offset, rows, cols; } block_spec;

static void expect_blocks(const rtrl_net *net, const char *what, const block_spec *spec, size_t n, size_t num_params) {
    size_t i;
    CHECK(rtrl_net_param_block_count(net) == n, "%s: %zu blocks", what, rtrl_net_param_block_count(net));
    CHECK(rtrl_net_num_params(net) == num_params, "%s: %zu params, expected %zu", what, rtrl_net_num_params(net), num_params);
    for (i = 0; i < n && i < rtrl_net_param_block_count(net); i++) {
        const char *name = NULL;
        size_t offset = 99, rows = 99, cols = 99;
        int trainable = -1;
        EXPECT_OK(rtrl_net_param_block(net, i, &name, &offset, &rows, &cols));
        CHECK(name && strcmp(name, spec[i].name) == 0 && offset == spec[i].offset && rows == spec[i].rows &&
                  cols == spec[i].cols,
              "%s block %zu: %s @%zu %zux%zu, expected %s @%zu %zux%zu", what, i, name ? name : "(null)", offset,
              rows, cols, spec[i].name, spec[i].offset, spec[i].rows, spec[i].cols);
        EXPECT_OK(rtrl_net_block_info(net, spec[i].name, &rows, &cols, &trainable));
        CHECK(rows == spec[i].rows && cols == spec[i].cols && trainable == 1, "%s block_info %s", what, spec[i].name);
    }
}

static void test_presets(void) {
    rtrl_net *fr = NULL, *fr0 = NULL, *elman = NULL, *jordan = NULL;
    rtrl_net_params p;
    static const block_spec fr_blocks[] = {
        {"input->units", 0, 4, 2}, {"units->units", 8, 4, 4}, {"units.bias", 24, 4, 1}};
    static const block_spec fr0_blocks[] = {{"units->units", 0, 3, 3}, {"units.bias", 9, 3, 1}};
    static const block_spec elman_blocks[] = {{"input->hidden", 0, 5, 2}, {"hidden->hidden", 10, 5, 5},
                                              {"hidden.bias", 35, 5, 1},  {"hidden->output", 40, 3, 5},
                                              {"output.bias", 55, 3, 1}};
    static const block_spec jordan_blocks[] = {{"input->hidden", 0, 4, 2}, {"state->hidden", 8, 4, 3},
                                               {"hidden.bias", 20, 4, 1},  {"hidden->output", 24, 3, 4},
                                               {"output.bias", 36, 3, 1}};
    double mu[3], y[3];
    size_t rows = 0, cols = 0, i;
    int trainable = -1;
    rtrl_precision precision = RTRL_PRECISION_F32;

    EXPECT_OK(rtrl_net_create_fully_recurrent(2, 4, 1, NULL, &fr));
    expect_blocks(fr, "fully_recurrent", fr_blocks, 3, 28);
    CHECK(rtrl_net_num_inputs(fr) == 2 && rtrl_net_num_outputs(fr) == 1, "fr sizes");
    EXPECT_OK(rtrl_net_precision(fr, &precision));
    CHECK(precision == RTRL_PRECISION_F64, "default precision");

    EXPECT_OK(rtrl_net_create_fully_recurrent(0, 3, 3, NULL, &fr0));
    expect_blocks(fr0, "fully_recurrent n_inputs=0", fr0_blocks, 2, 12);
    EXPECT_OK(rtrl_net_feed(fr0, NULL, 0));

    EXPECT_OK(rtrl_net_create_elman(2, 5, 3, NULL, &elman));
    expect_blocks(elman, "elman", elman_blocks, 5, 58);

    EXPECT_OK(rtrl_net_default_params(&p, sizeof p));
    p.mu = 0.25;
    p.precision = RTRL_PRECISION_F32;
    EXPECT_OK(rtrl_net_create_jordan(2, 4, 3, &p, &jordan));
    expect_blocks(jordan, "jordan", jordan_blocks, 5, 39);
    EXPECT_OK(rtrl_net_precision(jordan, &precision));
    CHECK(precision == RTRL_PRECISION_F32, "jordan precision");
    /* The fixed blocks: state->state is a diagonal mu; output->state (identity) has none. */
    EXPECT_OK(rtrl_net_block_info(jordan, "state->state", &rows, &cols, &trainable));
    CHECK(rows == 3 && cols == 1 && trainable == 0, "state->state %zux%zu trainable %d", rows, cols, trainable);
    EXPECT_OK(rtrl_net_get_block(jordan, "state->state", mu, 3));
    CHECK(mu[0] == 0.25 && mu[1] == 0.25 && mu[2] == 0.25, "mu %g %g %g", mu[0], mu[1], mu[2]);
    EXPECT_FAIL(rtrl_net_block_info(jordan, "output->state", NULL, NULL, NULL), RTRL_ERR_INVALID_ARGUMENT);
    CHECK(rtrl_net_block_count(jordan) == 6, "jordan has %zu blocks", rtrl_net_block_count(jordan));
    /* Before the first step, y = 0. */
    EXPECT_OK(rtrl_net_output(jordan, y, 3));
    for (i = 0; i < 3; i++) CHECK(y[i] == 0, "y[%zu] = %g before the first step", i, y[i]);

    rtrl_net_free(fr);
    rtrl_net_free(fr0);
    rtrl_net_free(elman);
    rtrl_net_free(jordan);
}

/* The same seed gives the same weights; another seed others. */
static void test_seeds(void) {
    rtrl_net *a = NULL, *b = NULL, *c = NULL;
    rtrl_net_params p;
    double pa[26], pb[26], pc[26];
    EXPECT_OK(rtrl_net_default_params(&p, sizeof p));
    p.seed = 42;
    EXPECT_OK(rtrl_net_create_fully_recurrent(1, 4, 2, &p, &a));
    EXPECT_OK(rtrl_net_create_fully_recurrent(1, 4, 2, &p, &b));
    p.seed = 43;
    EXPECT_OK(rtrl_net_create_fully_recurrent(1, 4, 2, &p, &c));
    CHECK(rtrl_net_num_params(a) == 24, "%zu params", rtrl_net_num_params(a));
    EXPECT_OK(rtrl_net_get_params(a, pa, 24));
    EXPECT_OK(rtrl_net_get_params(b, pb, 24));
    EXPECT_OK(rtrl_net_get_params(c, pc, 24));
    CHECK(same_bits(pa, pb, 24), "same seed, different weights");
    CHECK(!same_bits(pa, pc, 24), "different seeds, same weights");
    /* Dense weights within +-1/sqrt(fan-in = 1 + 4 + 1), biases 0. */
    CHECK(fabs(pa[0]) <= 1 / sqrt(6.0) && pa[0] != 0 && pa[20] == 0 && pa[23] == 0, "init %g %g", pa[0], pa[20]);
    rtrl_net_free(a);
    rtrl_net_free(b);
    rtrl_net_free(c);
}

/* ---------------------------------------------------------------- builder */

static void test_builder(void) {
    rtrl_builder *b = NULL;
    rtrl_net *net = NULL, *again = NULL;
    rtrl_net_params p;
    const char *name = NULL, *from = NULL, *to = NULL, *layer = NULL;
    size_t size = 0, units[4] = {0, 0, 0, 0}, n = 0, offset = 0, rows = 0, cols = 0;
    static const size_t chosen[2] = {2, 0};
    rtrl_activation act = RTRL_ACTIVATION_IDENTITY;
    rtrl_connection_kind kind = RTRL_CONNECTION_DENSE;
    int bias = -1, delay = -1, trainable = -1;
    double scale = 0, pa[64], pb[64], w[3] = {1.5, -2.0, 0.25}, w_back[3];

    EXPECT_OK(rtrl_builder_create(2, &b));
    EXPECT_OK(rtrl_builder_add_layer(b, "h", 3, RTRL_ACTIVATION_TANH, 1));
    EXPECT_OK(rtrl_builder_add_layer(b, "o", 3, RTRL_ACTIVATION_LOGISTIC, 0));
    EXPECT_OK(rtrl_builder_connect(b, "input", "h", 0, RTRL_CONNECTION_DENSE, -1, 1.0));
    EXPECT_OK(rtrl_builder_connect(b, "h", "h", 1, RTRL_CONNECTION_DIAGONAL, -1, 0.5));
    EXPECT_OK(rtrl_builder_connect(b, "h", "o", 0, RTRL_CONNECTION_DENSE, 1, 1.0));
    EXPECT_OK(rtrl_builder_connect(b, "h", "o", 1, RTRL_CONNECTION_DENSE, 0, 2.0));
    EXPECT_OK(rtrl_builder_connect(b, "o", "h", 1, RTRL_CONNECTION_IDENTITY, -1, 0.75));
    EXPECT_OK(rtrl_builder_set_output(b, "o", chosen, 2));
    EXPECT_OK(rtrl_net_default_params(&p, sizeof p));
    p.seed = 5;
    EXPECT_OK(rtrl_builder_build(b, &p, &net));
    EXPECT_OK(rtrl_builder_build(b, &p, &again)); /* the builder is reusable */
    rtrl_builder_free(b);                          /* and the networks outlive it */

    CHECK(rtrl_net_num_inputs(net) == 2 && rtrl_net_num_outputs(net) == 2, "sizes");
    CHECK(rtrl_net_num_params(net) == 6 + 3 + 3 + 9, "%zu params", rtrl_net_num_params(net));
    EXPECT_OK(rtrl_net_get_params(net, pa, 21));
    EXPECT_OK(rtrl_net_get_params(again, pb, 21));
    CHECK(same_bits(pa, pb, 21), "two builds, same seed, different weights");

    CHECK(rtrl_net_layer_count(net) == 2, "layers");
    EXPECT_OK(rtrl_net_layer(net, 1, &name, &size, &act, &bias));
    CHECK(name && strcmp(name, "o") == 0 && size == 3 && act == RTRL_ACTIVATION_LOGISTIC && bias == 0, "layer 1");
    CHECK(rtrl_net_connection_count(net) == 5, "connections");
    EXPECT_OK(rtrl_net_connection(net, 4, &from, &to, &delay, &kind, &trainable, &scale));
    CHECK(from && to && strcmp(from, "o") == 0 && strcmp(to, "h") == 0 && delay == 1 &&
              kind == RTRL_CONNECTION_IDENTITY && trainable == 0 && scale == 0.75,
          "connection 4");
    EXPECT_OK(rtrl_net_connection(net, 1, NULL, NULL, NULL, &kind, &trainable, &scale));
    CHECK(kind == RTRL_CONNECTION_DIAGONAL && trainable == 1 && scale == 0.5, "connection 1");
    EXPECT_OK(rtrl_net_output_units(net, &layer, NULL, 0, &n));
    CHECK(n == 2 && layer && strcmp(layer, "o") == 0, "output size query");
    EXPECT_OK(rtrl_net_output_units(net, NULL, units, 4, &n));
    CHECK(n == 2 && units[0] == 2 && units[1] == 0, "output units %zu %zu", units[0], units[1]);
    /* The second h->o connection is "h->o#2", fixed. */
    EXPECT_OK(rtrl_net_block_info(net, "h->o#2", &rows, &cols, &trainable));
    CHECK(rows == 3 && cols == 3 && trainable == 0, "h->o#2");
    EXPECT_OK(rtrl_net_param_block(net, 1, &name, &offset, NULL, NULL));
    CHECK(name && strcmp(name, "h->h") == 0 && offset == 6, "block 1 %s @%zu", name ? name : "", offset);
    /* Blocks by name: write, read back, and the flat vector sees it. */
    EXPECT_OK(rtrl_net_set_block(net, "h->h", w, 3));
    EXPECT_OK(rtrl_net_get_block(net, "h->h", w_back, 3));
    CHECK(same_bits(w, w_back, 3), "h->h round trip");
    EXPECT_OK(rtrl_net_get_params(net, pa, 21));
    CHECK(same_bits(pa + 6, w, 3), "flat vector after set_block");
    rtrl_net_free(net);
    rtrl_net_free(again);
}

static void test_delay0_cycle(void) {
    rtrl_builder *b = NULL;
    rtrl_net *net = (rtrl_net *)&net; /* must be set to NULL */
    EXPECT_OK(rtrl_builder_create(1, &b));
    EXPECT_OK(rtrl_builder_add_layer(b, "a", 2, RTRL_ACTIVATION_TANH, 1));
    EXPECT_OK(rtrl_builder_add_layer(b, "b", 2, RTRL_ACTIVATION_TANH, 1));
    EXPECT_OK(rtrl_builder_connect(b, "input", "a", 0, RTRL_CONNECTION_DENSE, -1, 1.0));
    EXPECT_OK(rtrl_builder_connect(b, "a", "b", 0, RTRL_CONNECTION_DENSE, -1, 1.0));
    EXPECT_OK(rtrl_builder_connect(b, "b", "a", 0, RTRL_CONNECTION_DENSE, -1, 1.0));
    EXPECT_OK(rtrl_builder_set_output(b, "b", NULL, 0));
    EXPECT_FAIL(rtrl_builder_build(b, NULL, &net), RTRL_ERR_INVALID_ARGUMENT);
    CHECK(net == NULL, "*out not cleared");
    CHECK(strstr(rtrl_last_error(), "cycle") != NULL, "message \"%s\"", rtrl_last_error());
    rtrl_builder_free(b);
}

/* ---------------------------------------------------------------- configuration */

static void test_configuration(void) {
    rtrl_net *net = NULL;
    rtrl_train_params in, out;
    EXPECT_OK(rtrl_net_create_elman(1, 3, 1, NULL, &net));
    EXPECT_OK(rtrl_train_default_params(&in, sizeof in));
    in.optimizer = RTRL_OPTIMIZER_ADAM;
    in.learning_rate = 0.125;
    in.momentum = 0.5;
    in.beta1 = 0.8;
    in.beta2 = 0.95;
    in.eps = 1e-6;
    in.clip_norm = 3.5;
    in.teacher_forcing = 1;
    in.update_every = 7;
    in.divergence_guard = 0;
    EXPECT_OK(rtrl_net_configure(net, &in));
    memset(&out, 0, sizeof out);
    out.struct_size = sizeof out;
    EXPECT_OK(rtrl_net_get_config(net, &out));
    CHECK(out.struct_size == sizeof out && out.optimizer == RTRL_OPTIMIZER_ADAM && out.learning_rate == 0.125 &&
              out.momentum == 0.5 && out.beta1 == 0.8 && out.beta2 == 0.95 && out.eps == 1e-6 &&
              out.clip_norm == 3.5 && out.loss == RTRL_LOSS_MSE && out.teacher_forcing == 1 &&
              out.update_every == 7 && out.divergence_guard == 0,
          "configuration round trip");
    rtrl_net_free(net);
}

/* ---------------------------------------------------------------- stepping */

static void test_step_semantics(void) {
    rtrl_net *a = NULL, *b = NULL;
    double x[2], target[2], ya[2], yb[2], loss = 0, g[64], pa[64], pb[64];
    size_t n;
    uint64_t steps = 0;
    int t;
    EXPECT_OK(rtrl_net_create_elman(2, 4, 2, NULL, &a));
    EXPECT_OK(rtrl_net_create_elman(2, 4, 2, NULL, &b));
    n = rtrl_net_num_params(a);
    /* step == feed + output + learn, bit for bit. */
    for (t = 0; t < 20; t++) {
        double la = 0, lb = 0;
        x[0] = wave(t, 0); x[1] = wave(t, 1);
        target[0] = wave(t + 1, 0); target[1] = t % 3 == 0 ? NAN : wave(t + 1, 1);
        EXPECT_OK(rtrl_net_step(a, x, 2, target, 2, ya, &la));
        EXPECT_OK(rtrl_net_feed(b, x, 2));
        EXPECT_OK(rtrl_net_output(b, yb, 2));
        EXPECT_OK(rtrl_net_learn(b, target, 2, &lb));
        CHECK(same_bits(ya, yb, 2) && la == lb && la > 0, "step %d: step differs from feed+output+learn", t);
    }
    EXPECT_OK(rtrl_net_get_params(a, pa, n));
    EXPECT_OK(rtrl_net_get_params(b, pb, n));
    CHECK(same_bits(pa, pb, n), "params after 20 steps");
    /* Without a target: loss NaN, nothing learned. */
    EXPECT_OK(rtrl_net_step(a, x, 2, NULL, 0, NULL, &loss));
    CHECK(isnan(loss), "loss without target = %g", loss);
    EXPECT_OK(rtrl_net_get_params(a, pb, n));
    CHECK(same_bits(pa, pb, n), "a step without target changed the params");
    /* Every target NaN: E = 0. */
    target[0] = target[1] = NAN;
    EXPECT_OK(rtrl_net_learn(a, target, 2, &loss));
    CHECK(loss == 0, "all-NaN target: loss %g", loss);
    /* accumulate adds, apply applies and clears, zero_grad clears. */
    target[0] = 0.5; target[1] = -0.5;
    EXPECT_OK(rtrl_net_feed(a, x, 2));
    EXPECT_OK(rtrl_net_accumulate(a, target, 2, &loss));
    EXPECT_OK(rtrl_net_gradient(a, g, n));
    CHECK(g[0] != 0 || g[1] != 0, "accumulate left the buffer empty");
    EXPECT_OK(rtrl_net_get_params(a, pb, n));
    CHECK(same_bits(pa, pb, n), "accumulate changed the params");
    EXPECT_OK(rtrl_net_apply(a));
    EXPECT_OK(rtrl_net_get_params(a, pb, n));
    CHECK(!same_bits(pa, pb, n), "apply did not change the params");
    EXPECT_OK(rtrl_net_gradient(a, g, n));
    CHECK(g[0] == 0 && g[n - 1] == 0, "apply did not clear the buffer");
    EXPECT_OK(rtrl_net_accumulate(a, target, 2, &loss));
    EXPECT_OK(rtrl_net_zero_grad(a));
    EXPECT_OK(rtrl_net_gradient(a, g, n));
    CHECK(g[0] == 0 && g[1] == 0, "zero_grad");
    /* Step count and reset. */
    EXPECT_OK(rtrl_net_step_count(a, &steps));
    CHECK(steps == 22, "step count %llu", (unsigned long long)steps);
    EXPECT_OK(rtrl_net_reset_state(a));
    EXPECT_OK(rtrl_net_step_count(a, &steps));
    CHECK(steps == 22, "reset changed the step count");
    EXPECT_OK(rtrl_net_output(a, ya, 2));
    CHECK(ya[0] == 0 && ya[1] == 0, "output after reset %g %g", ya[0], ya[1]);
    rtrl_net_free(a);
    rtrl_net_free(b);
}

static void test_divergence_guard(void) {
    rtrl_net *net = NULL;
    rtrl_train_params tp;
    double x = 0.5, target = 1e300, y = 7, loss = 0, before[16], after[16], g[16];
    uint64_t refused = 9;
    size_t n, i;
    EXPECT_OK(rtrl_net_create_elman(1, 2, 1, NULL, &net));
    n = rtrl_net_num_params(net);
    EXPECT_OK(rtrl_train_default_params(&tp, sizeof tp));
    tp.learning_rate = 1e300;
    EXPECT_OK(rtrl_net_configure(net, &tp));
    EXPECT_OK(rtrl_net_get_params(net, before, n));
    /* (1e300 - y)^2 overflows: E(t) is not finite, so nothing is learned. */
    EXPECT_FAIL(rtrl_net_step(net, &x, 1, &target, 1, &y, &loss), RTRL_ERR_DIVERGED);
    CHECK(y != 7, "y_out not written by a refused step");
    CHECK(isnan(loss), "loss after a refused step = %g", loss);
    EXPECT_OK(rtrl_net_get_params(net, after, n));
    CHECK(same_bits(before, after, n), "a refused step changed the params");
    /* A finite loss whose update overflows: refused, buffer cleared. */
    target = 1e10;
    EXPECT_FAIL(rtrl_net_step(net, &x, 1, &target, 1, &y, &loss), RTRL_ERR_DIVERGED);
    EXPECT_OK(rtrl_net_get_params(net, after, n));
    CHECK(same_bits(before, after, n), "a refused update changed the params");
    EXPECT_OK(rtrl_net_gradient(net, g, n));
    for (i = 0; i < n; i++) CHECK(g[i] == 0, "g[%zu] = %g after a refused update", i, g[i]);
    EXPECT_OK(rtrl_net_refused_updates(net, &refused));
    CHECK(refused == 2, "refused %llu", (unsigned long long)refused);
    rtrl_net_free(net);
}

/* ---------------------------------------------------------------- save, load, clone */

static void run_steps(rtrl_net *net, int from, int to, double *trace) {
    int t;
    for (t = from; t < to; t++) {
        double x[2], target[2], y[2], loss = 0;
        x[0] = wave(t, 0); x[1] = wave(t, 1);
        target[0] = wave(t + 7, 2); target[1] = t % 4 == 0 ? NAN : wave(t + 7, 3);
        (void)rtrl_net_step(net, x, 2, target, 2, y, &loss);
        trace[3 * (t - from)] = y[0];
        trace[3 * (t - from) + 1] = y[1];
        trace[3 * (t - from) + 2] = loss;
    }
}

static void test_save_load_continuation(void) {
    rtrl_net *net = NULL, *from_file = NULL, *from_buffer = NULL, *clone = NULL;
    rtrl_train_params tp;
    char path[512];
    unsigned char *buf, *snap_a, *snap_b;
    size_t size = 0, written = 0, needed = 0, len_a = 0, len_b = 0;
    static double t_net[750], t_file[750], t_buffer[750], t_clone[750];
    double p_net[200], p_other[200];
    size_t n;

    EXPECT_OK(rtrl_net_create_jordan(2, 5, 2, NULL, &net));
    EXPECT_OK(rtrl_train_default_params(&tp, sizeof tp));
    tp.optimizer = RTRL_OPTIMIZER_ADAM;
    tp.learning_rate = 0.005;
    tp.update_every = 3; /* the save falls between updates: the buffer is mid-way */
    EXPECT_OK(rtrl_net_configure(net, &tp));
    run_steps(net, 0, 250, t_net);

    snprintf(path, sizeof path, "%s/net.rtrl", tmpdir);
    EXPECT_OK(rtrl_net_save(net, path));
    EXPECT_OK(rtrl_net_save_size(net, &size));
    CHECK(size > 0, "save size");
    EXPECT_STATUS(rtrl_net_save_to_buffer(net, NULL, 0, &needed), RTRL_ERR_BUFFER_TOO_SMALL);
    CHECK(needed == size, "size query %zu, save_size %zu", needed, size);
    buf = (unsigned char *)malloc(size);
    needed = 0;
    EXPECT_STATUS(rtrl_net_save_to_buffer(net, buf, size - 1, &needed), RTRL_ERR_BUFFER_TOO_SMALL);
    CHECK(needed == size, "needed %zu", needed);
    EXPECT_OK(rtrl_net_save_to_buffer(net, buf, size, &written));
    CHECK(written == size, "written %zu of %zu", written, size);
    EXPECT_OK(rtrl_net_load(path, &from_file));
    EXPECT_OK(rtrl_net_load_from_buffer(buf, size, &from_buffer));
    EXPECT_OK(rtrl_net_clone(net, &clone));
    free(buf);

    /* Identical state now... */
    snap_a = snapshot(net, &len_a);
    snap_b = snapshot(from_file, &len_b);
    CHECK(snap_a && snap_b && len_a == len_b && memcmp(snap_a, snap_b, len_a) == 0, "loaded file differs");
    free(snap_b);
    CHECK(unchanged(from_buffer, snap_a, len_a), "loaded buffer differs");
    CHECK(unchanged(clone, snap_a, len_a), "clone differs");
    free(snap_a);

    /* ... and the same future, bit for bit. */
    run_steps(net, 250, 500, t_net);
    run_steps(from_file, 250, 500, t_file);
    run_steps(from_buffer, 250, 500, t_buffer);
    run_steps(clone, 250, 500, t_clone);
    CHECK(same_bits(t_net, t_file, 750), "file continuation differs");
    CHECK(same_bits(t_net, t_buffer, 750), "buffer continuation differs");
    CHECK(same_bits(t_net, t_clone, 750), "clone continuation differs");
    n = rtrl_net_num_params(net);
    EXPECT_OK(rtrl_net_get_params(net, p_net, n));
    EXPECT_OK(rtrl_net_get_params(from_file, p_other, n));
    CHECK(same_bits(p_net, p_other, n), "params after continuation differ");
    snap_a = snapshot(net, &len_a);
    CHECK(unchanged(from_file, snap_a, len_a) && unchanged(from_buffer, snap_a, len_a) &&
              unchanged(clone, snap_a, len_a),
          "whole state after continuation differs");
    free(snap_a);
    /* The clone is independent. */
    EXPECT_OK(rtrl_net_reset_state(clone));
    snap_a = snapshot(net, &len_a);
    CHECK(!unchanged(clone, snap_a, len_a), "reset of the clone not visible in it");
    free(snap_a);

    remove(path);
    rtrl_net_free(net);
    rtrl_net_free(from_file);
    rtrl_net_free(from_buffer);
    rtrl_net_free(clone);
}

/* A saved file written over an existing one replaces it whole (atomic rename). */
static void test_save_replaces(void) {
    rtrl_net *a = NULL, *b = NULL, *loaded = NULL;
    char path[512];
    unsigned char *snap;
    size_t len = 0;
    EXPECT_OK(rtrl_net_create_elman(1, 2, 1, NULL, &a));
    EXPECT_OK(rtrl_net_create_fully_recurrent(3, 6, 2, NULL, &b));
    snprintf(path, sizeof path, "%s/replace.rtrl", tmpdir);
    EXPECT_OK(rtrl_net_save(b, path));
    EXPECT_OK(rtrl_net_save(a, path));
    EXPECT_OK(rtrl_net_load(path, &loaded));
    snap = snapshot(a, &len);
    CHECK(unchanged(loaded, snap, len), "file holds a mixture");
    free(snap);
    remove(path);
    rtrl_net_free(a);
    rtrl_net_free(b);
    rtrl_net_free(loaded);
}

int main(void) {
    char template_dir[] = "/tmp/rtrl-test-api-XXXXXX";
    if (!mkdtemp(template_dir)) { perror("mkdtemp"); return 2; }
    strcpy(tmpdir, template_dir);
    test_version();
    test_status_strings();
    test_last_error();
    test_default_params();
    test_train_params_version_1();
    test_presets();
    test_seeds();
    test_builder();
    test_delay0_cycle();
    test_configuration();
    test_step_semantics();
    test_divergence_guard();
    test_save_load_continuation();
    test_save_replaces();
    rmdir(tmpdir);
    return HARNESS_END();
}
