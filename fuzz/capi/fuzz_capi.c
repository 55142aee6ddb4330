/*
 * fuzz_capi.c — libFuzzer target: the fuzz input is a program of C-API calls.
 *
 * Each call takes an opcode byte, then its arguments from the following bytes: sizes,
 * names, enum values, doubles (NaN, +-inf, 1e308, subnormals, raw bits), NULL pointers
 * and lengths that do not match. Up to two builders and three networks are live at a
 * time; everything is freed at the end of the input.
 *
 * Checks (a failed check aborts, so libFuzzer keeps the input as a crash):
 *   - nothing crashes and the sanitizers report nothing (ASan, UBSan; librtrl's Swift
 *     code traps on overflow and out-of-range access);
 *   - every call on a network that fails with anything but RTRL_ERR_DIVERGED leaves the
 *     network's saved bytes unchanged (the CONTRACT's "a call that fails changes
 *     nothing"), and so does every call that only reads;
 *   - RTRL_ERR_DIVERGED leaves the parameters unchanged and adds exactly 1 to the refused
 *     count (the documented exception: the feed may stand, the buffer may be cleared);
 *   - a failing builder call leaves the builder as it was (it builds the same network,
 *     or fails to build in the same way, before and after);
 *   - a failure leaves a message in rtrl_last_error() and a known status;
 *   - out-parameters on failure: handles are set to NULL, losses to NaN;
 *   - a clone, and a network loaded from a network's saved bytes, save to the same bytes;
 *     setting the parameters (or a block) to the values just read changes nothing.
 *
 * The harness's own rules for pointers: a non-NULL array is always at least as long as
 * the length passed with it, except that lengths above FZ_BIG come with a short buffer:
 * the library must refuse such a length (no network here is that large) before reading.
 */
#include <rtrl.h>

#include "../common/fuzz_support.h"

#define FZ_BUILDERS 2
#define FZ_NETS 3
#define FZ_BIG 65536
#define FZ_SHORT 16

typedef struct {
    rtrl_builder *builders[FZ_BUILDERS];
    rtrl_net *nets[FZ_NETS];
} fz_world;

/* ---------------------------------------------------------------- snapshots */

typedef struct {
    unsigned char *bytes;
    size_t len;
} fz_snapshot;

static fz_snapshot fz_take(const rtrl_net *net) {
    fz_snapshot s = {NULL, 0};
    size_t n = 0, written = 0;
    rtrl_status st = rtrl_net_save_size(net, &n);
    FZ_CHECK(st == RTRL_OK, "save_size failed: %s", rtrl_last_error());
    s.bytes = (unsigned char *)malloc(n ? n : 1);
    FZ_CHECK(s.bytes != NULL, "out of memory");
    st = rtrl_net_save_to_buffer(net, s.bytes, n, &written);
    FZ_CHECK(st == RTRL_OK && written == n, "save_to_buffer failed: %s", rtrl_last_error());
    s.len = n;
    return s;
}

static int fz_same(const fz_snapshot *a, const fz_snapshot *b) {
    return a->len == b->len && memcmp(a->bytes, b->bytes, a->len) == 0;
}

static void fz_release(fz_snapshot *s) {
    free(s->bytes);
    s->bytes = NULL;
}

typedef struct {
    double *values;
    size_t n;
    uint64_t refused;
} fz_params;

static fz_params fz_params_of(const rtrl_net *net) {
    fz_params p;
    p.n = rtrl_net_num_params(net);
    p.values = (double *)malloc((p.n ? p.n : 1) * sizeof(double));
    FZ_CHECK(p.values != NULL, "out of memory");
    FZ_CHECK(rtrl_net_get_params(net, p.values, p.n) == RTRL_OK, "get_params: %s", rtrl_last_error());
    FZ_CHECK(rtrl_net_refused_updates(net, &p.refused) == RTRL_OK, "refused_updates: %s", rtrl_last_error());
    return p;
}

static int fz_all_finite(const double *v, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (!isfinite(v[i])) return 0;
    return 1;
}

/* ---------------------------------------------------------------- arguments */

/* -1, 0 or 1 most of the time (the "trainable" tri-state), sometimes another int. */
static int fz_tristate(fz_reader *r) {
    int v = fz_enum(r, 3);
    return v == 2 ? -1 : v;
}

static const char *fz_name(fz_reader *r, const rtrl_net *net) {
    static const char *const palette[] = {
        "input", "h", "y", "units", "hidden", "output", "state", "", "h.bias", "input->h",
        "h->h", "h->y", "input->units", "units->units", "units.bias", "hidden->hidden",
        "output.bias", "state->state", "h->h#2", "a b", "x.y", "x#1", "a>b", "\xff\xfe",
        "\xc3\xa9t\xc3\xa9", "input->hidden", "hidden->output", NULL,
        /* 129 bytes: one over the limit. */
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
    };
    uint8_t b = fz_u8(r);
    if (net != NULL && b >= 0xC0) {
        /* A real block name of the network, so that block calls can succeed. */
        size_t count = rtrl_net_block_count(net);
        const char *name = NULL;
        if (count > 0 && rtrl_net_block(net, (size_t)(b - 0xC0) % count, &name, NULL, NULL, NULL) == RTRL_OK)
            return name;
    }
    return palette[b % (sizeof palette / sizeof palette[0])];
}

/* An array for a call that takes `len` values: NULL, or a buffer of at least len
 * values (FZ_SHORT when len > FZ_BIG), filled with fuzz doubles. Free with free(). */
static double *fz_array(fz_reader *r, size_t len, int allow_null) {
    size_t cap = len > FZ_BIG ? FZ_SHORT : len;
    double *a;
    if (allow_null && fz_u8(r) % 8 == 0) return NULL;
    a = (double *)malloc((cap ? cap : 1) * sizeof(double));
    FZ_CHECK(a != NULL, "out of memory");
    for (size_t i = 0; i < cap; i++) a[i] = fz_double(r);
    return a;
}

/* The length to pass for an array the network expects `right` values in: usually right. */
static size_t fz_length(fz_reader *r, size_t right) {
    uint8_t b = fz_u8(r);
    if (b < 0xD0) return right;
    if (b < 0xE0) return right + 1;
    if (b < 0xE8) return right > 0 ? right - 1 : 0;
    return fz_size(r);
}

static rtrl_net_params *fz_net_params(fz_reader *r, rtrl_net_params *p) {
    uint8_t mode = fz_u8(r);
    if (mode % 8 == 0) return NULL;
    FZ_CHECK(rtrl_net_default_params(p, sizeof *p) == RTRL_OK, "net_default_params");
    p->seed = fz_u8(r);
    if (mode & 0x08) p->precision = (rtrl_precision)fz_enum(r, 2);
    if (mode & 0x10) p->hidden_activation = (rtrl_activation)fz_enum(r, 5);
    if (mode & 0x20) p->output_activation = (rtrl_activation)fz_enum(r, 5);
    if (mode & 0x40) p->mu = fz_double(r);
    if (mode & 0x80) p->struct_size = fz_size(r);
    return p;
}

static void fz_train_params(fz_reader *r, rtrl_train_params *p) {
    uint16_t mask = (uint16_t)(fz_u8(r) | (fz_u8(r) << 8));
    FZ_CHECK(rtrl_train_default_params(p, sizeof *p) == RTRL_OK, "train_default_params");
    p->max_covariance_entries = 1u << 16;  /* keeps EKF cheap; raised by bit 15 below */
    if (mask & 0x0001) p->optimizer = (rtrl_optimizer)fz_enum(r, 5);
    if (mask & 0x0002) p->learning_rate = fz_double(r);
    if (mask & 0x0004) p->momentum = fz_double(r);
    if (mask & 0x0008) { p->beta1 = fz_double(r); p->beta2 = fz_double(r); p->eps = fz_double(r); }
    if (mask & 0x0010) p->clip_norm = fz_double(r);
    if (mask & 0x0020) p->loss = (rtrl_loss)fz_enum(r, 2);
    if (mask & 0x0040) p->teacher_forcing = fz_enum(r, 2);
    if (mask & 0x0080) p->update_every = (uint32_t)fz_enum(r, 4);
    if (mask & 0x0100) p->divergence_guard = fz_enum(r, 2) == 0;  /* mostly off when chosen */
    if (mask & 0x0200) { p->ekf_r = fz_double(r); p->ekf_q = fz_double(r); p->p0 = fz_double(r); }
    if (mask & 0x0400) p->readout = (rtrl_readout)fz_enum(r, 2);
    if (mask & 0x0800) p->rls_lambda = fz_double(r);
    if (mask & 0x1000) p->sensitivity = (rtrl_sensitivity)fz_enum(r, 3);
    if (mask & 0x2000) p->struct_size = (fz_u8(r) & 1) ? 80 : fz_size(r);  /* version 1, or anything */
    if (mask & 0x8000) p->max_covariance_entries = fz_u64(r);
}

/* ---------------------------------------------------------------- checks */

static void fz_check_failure(rtrl_status st) {
    const char *msg = rtrl_last_error();
    FZ_CHECK(st >= RTRL_ERR_INTERNAL && st < 0, "unknown status %d", (int)st);
    FZ_CHECK(st != RTRL_ERR_INTERNAL, "RTRL_ERR_INTERNAL: %s", msg);
    FZ_CHECK(msg != NULL && msg[0] != '\0', "a failure (%d) without a message", (int)st);
    FZ_CHECK(strlen(rtrl_status_string(st)) > 0, "status string");
}

/* After a call on `net` (which is still live): a failure other than DIVERGED, or any
 * call that only reads (`reads_only`), left the saved bytes as they were; DIVERGED left
 * the parameters and added one refusal. */
/* RTRL_FUZZ_TRACE=1 prints every network call and its result (to read a reproducer). */
static int fz_tracing(void) {
    static int on = -1;
    if (on < 0) on = getenv("RTRL_FUZZ_TRACE") != NULL;
    return on;
}

static void fz_after(const char *call, rtrl_status st, const rtrl_net *net, const fz_snapshot *before,
                     const fz_params *params_before, int reads_only) {
    if (fz_tracing()) {
        uint64_t steps = 0;
        rtrl_net_step_count(net, &steps);
        fprintf(stderr, "  %s -> %d %s (params %zu, steps %llu)\n", call, (int)st, st ? rtrl_last_error() : "",
                rtrl_net_num_params(net), (unsigned long long)steps);
    }
    if (st != RTRL_OK) fz_check_failure(st);
    if (st == RTRL_ERR_DIVERGED) {
        fz_params now = fz_params_of(net);
        if (fz_tracing())
            for (size_t i = 0; i < now.n && now.n == params_before->n; i++)
                if (memcmp(&now.values[i], &params_before->values[i], sizeof(double)) != 0)
                    fprintf(stderr, "    param %zu: %.17g -> %.17g\n", i, params_before->values[i], now.values[i]);
        FZ_CHECK(now.n == params_before->n &&
                     memcmp(now.values, params_before->values, now.n * sizeof(double)) == 0,
                 "%s: RTRL_ERR_DIVERGED changed the parameters", call);
        FZ_CHECK(now.refused == params_before->refused + 1, "%s: DIVERGED counted %llu -> %llu", call,
                 (unsigned long long)params_before->refused, (unsigned long long)now.refused);
        free(now.values);
    } else if (st != RTRL_OK || reads_only) {
        fz_snapshot after = fz_take(net);
        FZ_CHECK(fz_same(before, &after), "%s (status %d: %s) changed the network", call, (int)st,
                 st == RTRL_OK ? "ok" : rtrl_last_error());
        fz_release(&after);
    }
}

/* What a builder builds now (status, and the saved bytes of the network on success):
 * equal before and after a failing builder call, or the call changed the builder. */
typedef struct {
    rtrl_status status;
    fz_snapshot net;
} fz_built;

static fz_built fz_build_now(const rtrl_builder *b) {
    fz_built out = {RTRL_OK, {NULL, 0}};
    rtrl_net *net = NULL;
    out.status = rtrl_builder_build(b, NULL, &net);
    if (out.status == RTRL_OK) {
        out.net = fz_take(net);
        rtrl_net_free(net);
    }
    return out;
}

/* After a builder call: a failure left what the builder builds unchanged. */
static void fz_after_builder(const char *call, rtrl_status st, const rtrl_builder *b, fz_built *before) {
    if (st != RTRL_OK) {
        fz_check_failure(st);
        if (b != NULL) {
            fz_built after = fz_build_now(b);
            FZ_CHECK(after.status == before->status &&
                         (after.status != RTRL_OK || fz_same(&before->net, &after.net)),
                     "a failing %s changed the builder (build status %d -> %d)", call, (int)before->status,
                     (int)after.status);
            fz_release(&after.net);
        }
    }
    fz_release(&before->net);
}

/* ---------------------------------------------------------------- the calls */

enum {
    OP_BUILDER_CREATE, OP_ADD_LAYER, OP_CONNECT, OP_SET_OUTPUT, OP_BUILD, OP_BUILDER_FREE,
    OP_CREATE_PRESET, OP_NET_FREE, OP_CLONE, OP_CONFIGURE, OP_FEED, OP_OUTPUT, OP_LEARN,
    OP_ACCUMULATE, OP_APPLY, OP_GRADIENT, OP_ZERO_GRAD, OP_STEP, OP_RESET_STATE, OP_GET_PARAMS,
    OP_SET_PARAMS, OP_BLOCK_INFO, OP_GET_BLOCK, OP_SET_BLOCK, OP_SAVE_BUFFER, OP_RELOAD,
    OP_GET_CONFIG, OP_INTROSPECT, OP_STEP_MANY, OP_COUNT
};

static void fz_net_call(fz_world *w, fz_reader *r, int op) {
    int slot = fz_u8(r) % FZ_NETS;
    rtrl_net *net = w->nets[slot];
    rtrl_status st;
    fz_snapshot before;
    fz_params pb;
    int reads_only = 0;
    const char *call = "?";

    if (net == NULL) {
        /* A NULL handle: every call must refuse it. */
        double v[4] = {0, 0, 0, 0};
        size_t n = 0;
        switch (op % 6) {
        case 0: st = rtrl_net_feed(NULL, v, 1); break;
        case 1: st = rtrl_net_learn(NULL, v, 1, v); FZ_CHECK(isnan(v[0]), "loss not NaN"); break;
        case 2: st = rtrl_net_save_size(NULL, &n); break;
        case 3: st = rtrl_net_configure(NULL, NULL); break;
        case 4: st = rtrl_net_step(NULL, v, 1, NULL, 0, NULL, NULL); break;
        default: st = rtrl_net_set_params(NULL, v, 0); break;
        }
        FZ_CHECK(st == RTRL_ERR_INVALID_ARGUMENT, "a NULL network gave %d", (int)st);
        fz_check_failure(st);
        return;
    }
    before = fz_take(net);
    pb = fz_params_of(net);
    size_t nx = rtrl_net_num_inputs(net), ny = rtrl_net_num_outputs(net), np = rtrl_net_num_params(net);

    switch (op) {
    case OP_CONFIGURE: {
        rtrl_train_params p;
        call = "configure";
        fz_train_params(r, &p);
        if (fz_tracing())
            fprintf(stderr, "  configure(size %zu, optimizer %d, lr %g, momentum %g, betas %g %g eps %g, clip %g, loss %d, "
                    "tf %d, update_every %u, guard %d, ekf %g %g p0 %g, readout %d, lambda %g, max_cov %llu, sens %d)\n",
                    p.struct_size, (int)p.optimizer, p.learning_rate, p.momentum, p.beta1, p.beta2, p.eps, p.clip_norm,
                    (int)p.loss, p.teacher_forcing, p.update_every, p.divergence_guard, p.ekf_r, p.ekf_q, p.p0,
                    (int)p.readout, p.rls_lambda, (unsigned long long)p.max_covariance_entries, (int)p.sensitivity);
        st = rtrl_net_configure(net, (fz_u8(r) % 16 == 0) ? NULL : &p);
        break;
    }
    case OP_FEED: {
        size_t len = fz_length(r, nx);
        double *x = fz_array(r, len, 1);
        call = "feed";
        st = rtrl_net_feed(net, x, len);
        free(x);
        break;
    }
    case OP_OUTPUT: {
        size_t len = fz_length(r, ny);
        double *y = fz_array(r, len, 1);
        call = "output";
        reads_only = 1;
        st = rtrl_net_output(net, y, len);
        free(y);
        break;
    }
    case OP_LEARN:
    case OP_ACCUMULATE: {
        size_t len = fz_length(r, ny);
        double *t = fz_array(r, len, 1);
        double loss = 0.0;
        int with_loss = fz_u8(r) & 1;
        call = op == OP_LEARN ? "learn" : "accumulate";
        st = op == OP_LEARN ? rtrl_net_learn(net, t, len, with_loss ? &loss : NULL)
                            : rtrl_net_accumulate(net, t, len, with_loss ? &loss : NULL);
        if (st != RTRL_OK && with_loss) FZ_CHECK(isnan(loss), "%s failed but wrote loss %g", call, loss);
        free(t);
        break;
    }
    case OP_APPLY:
        call = "apply";
        st = rtrl_net_apply(net);
        break;
    case OP_GRADIENT: {
        size_t len = fz_length(r, np);
        double *g = fz_array(r, len, 1);
        call = "gradient";
        reads_only = 1;
        st = rtrl_net_gradient(net, g, len);
        free(g);
        break;
    }
    case OP_ZERO_GRAD:
        call = "zero_grad";
        st = rtrl_net_zero_grad(net);
        break;
    case OP_STEP:
    case OP_STEP_MANY: {
        int repeat = op == OP_STEP_MANY ? 1 + fz_u8(r) % 32 : 1;
        size_t lx = fz_length(r, nx), ly = fz_length(r, ny);
        double *x = fz_array(r, lx, 1), *t = fz_array(r, ly, 1), *y = fz_array(r, ly, 1);
        double loss = 0.0;
        call = "step";
        st = RTRL_OK;
        for (int k = 0; k < repeat && st == RTRL_OK; k++) {
            if (k > 0) {  /* the following steps: fresh finite inputs, the same target */
                fz_release(&before);
                free(pb.values);
                before = fz_take(net);
                pb = fz_params_of(net);
                if (x != NULL && lx <= FZ_BIG)
                    for (size_t i = 0; i < lx; i++) x[i] = ((double)((k * 7 + (int)i) % 13) - 6.0) / 6.0;
            }
            if (fz_tracing())
                fprintf(stderr, "  step(x[%zu] = %.17g.., target[%zu] = %.17g.., y %s)\n", lx, x && lx ? x[0] : 0.0, ly,
                        t && ly ? t[0] : 0.0, y ? "set" : "NULL");
            st = rtrl_net_step(net, x, lx, t, ly, y, &loss);
            if (st != RTRL_OK) FZ_CHECK(isnan(loss), "step failed but wrote loss %g", loss);
        }
        free(x);
        free(t);
        free(y);
        break;
    }
    case OP_RESET_STATE:
        call = "reset_state";
        st = rtrl_net_reset_state(net);
        break;
    case OP_GET_PARAMS: {
        size_t len = fz_length(r, np);
        double *p = fz_array(r, len, 1);
        call = "get_params";
        reads_only = 1;
        st = rtrl_net_get_params(net, p, len);
        free(p);
        break;
    }
    case OP_SET_PARAMS: {
        size_t len = fz_length(r, np);
        int same = fz_u8(r) % 4 == 0;
        double *p = fz_array(r, len, 1);
        call = "set_params";
        if (same && p != NULL && len == np && fz_all_finite(pb.values, np)) {
            /* Setting the values just read changes nothing. */
            memcpy(p, pb.values, np * sizeof(double));
            reads_only = 1;
        }
        st = rtrl_net_set_params(net, p, len);
        if (reads_only) FZ_CHECK(st == RTRL_OK, "set_params of the current values: %s", rtrl_last_error());
        free(p);
        break;
    }
    case OP_BLOCK_INFO: {
        const char *name = fz_name(r, net);
        size_t rows = 0, cols = 0;
        int trainable = 0;
        call = "block_info";
        reads_only = 1;
        st = rtrl_net_block_info(net, name, (fz_u8(r) & 1) ? &rows : NULL, &cols, &trainable);
        break;
    }
    case OP_GET_BLOCK:
    case OP_SET_BLOCK: {
        const char *name = fz_name(r, net);
        size_t rows = 0, cols = 0, right = 0;
        if (name != NULL && rtrl_net_block_info(net, name, &rows, &cols, NULL) == RTRL_OK) right = rows * cols;
        size_t len = fz_length(r, right);
        double *v = fz_array(r, len, 1);
        if (op == OP_GET_BLOCK) {
            call = "get_block";
            reads_only = 1;
            st = rtrl_net_get_block(net, name, v, len);
        } else {
            call = "set_block";
            if (fz_u8(r) % 4 == 0 && v != NULL && len == right && right > 0 &&
                rtrl_net_get_block(net, name, v, len) == RTRL_OK && fz_all_finite(v, len)) {
                reads_only = 1;  /* writing back what was read changes nothing */
                st = rtrl_net_set_block(net, name, v, len);
                FZ_CHECK(st == RTRL_OK, "set_block of the current values: %s", rtrl_last_error());
            } else {
                st = rtrl_net_set_block(net, name, v, len);
            }
        }
        free(v);
        break;
    }
    case OP_SAVE_BUFFER: {
        size_t cap = fz_length(r, before.len), written = 12345;
        unsigned char *buf = NULL;
        call = "save_to_buffer";
        reads_only = 1;
        if (fz_u8(r) % 8 != 0) {
            buf = (unsigned char *)malloc(cap > FZ_BIG * 8 ? FZ_SHORT : (cap ? cap : 1));
            FZ_CHECK(buf != NULL, "out of memory");
        }
        st = rtrl_net_save_to_buffer(net, buf, cap > FZ_BIG * 8 && buf ? FZ_SHORT : cap, &written);
        if (st == RTRL_OK) {
            FZ_CHECK(written == before.len && memcmp(buf, before.bytes, written) == 0, "save_to_buffer bytes differ");
        } else if (st == RTRL_ERR_BUFFER_TOO_SMALL) {
            FZ_CHECK(written == before.len, "BUFFER_TOO_SMALL reported %zu, needs %zu", written, before.len);
        }
        free(buf);
        break;
    }
    case OP_RELOAD: {
        /* The saved bytes, one bit perhaps flipped, loaded into another slot. */
        int target = fz_u8(r) % FZ_NETS;
        unsigned char *copy = (unsigned char *)malloc(before.len);
        rtrl_net *loaded = (rtrl_net *)(uintptr_t)1;
        size_t flip = fz_u8(r) % 2 ? (size_t)fz_u32(r) : SIZE_MAX;
        FZ_CHECK(copy != NULL, "out of memory");
        memcpy(copy, before.bytes, before.len);
        if (flip != SIZE_MAX) copy[flip % before.len] ^= (unsigned char)(1u << (flip >> 29));
        call = "load_from_buffer";
        reads_only = 1;
        st = rtrl_net_load_from_buffer(copy, before.len, &loaded);
        if (st == RTRL_OK) {
            FZ_CHECK(flip == SIZE_MAX, "a flipped bit at %zu was not detected", flip % before.len);
            fz_snapshot again = fz_take(loaded);
            FZ_CHECK(fz_same(&before, &again), "a loaded network saves to other bytes");
            fz_release(&again);
            if (target != slot) {
                rtrl_net_free(w->nets[target]);
                w->nets[target] = loaded;
            } else {
                rtrl_net_free(loaded);
            }
        } else {
            FZ_CHECK(loaded == NULL, "failed load_from_buffer left *out set");
            FZ_CHECK(st == RTRL_ERR_CORRUPT || st == RTRL_ERR_VERSION, "a flipped bit gave %d: %s", (int)st,
                     rtrl_last_error());
        }
        free(copy);
        break;
    }
    case OP_GET_CONFIG: {
        rtrl_train_params p;
        size_t sizes[] = {sizeof p, 80, 0, 79, 1000};
        FZ_CHECK(rtrl_train_default_params(&p, sizeof p) == RTRL_OK, "train_default_params");
        p.struct_size = sizes[fz_u8(r) % 5];
        call = "get_config";
        reads_only = 1;
        st = rtrl_net_get_config(net, (fz_u8(r) % 8 == 0) ? NULL : &p);
        if (st == RTRL_OK && p.struct_size == sizeof p && fz_u8(r) % 2 == 0) {
            /* Configuring what get_config reports is accepted. */
            rtrl_status again = rtrl_net_configure(net, &p);
            FZ_CHECK(again == RTRL_OK, "configure(get_config()) failed: %s", rtrl_last_error());
            reads_only = 0;
        }
        break;
    }
    case OP_INTROSPECT: {
        const char *s1 = NULL, *s2 = NULL;
        size_t a = 0, b = 0, c = 0, index = fz_size(r);
        int flag = 0, delay = 0;
        uint64_t u = 0;
        double scale = 0;
        rtrl_activation act;
        rtrl_connection_kind kind;
        rtrl_sensitivity mode;
        rtrl_precision prec;
        size_t units[8];
        call = "introspection";
        reads_only = 1;
        switch (fz_u8(r) % 10) {
        case 0: st = rtrl_net_param_block(net, index, &s1, &a, &b, &c); break;
        case 1: st = rtrl_net_block(net, index, &s1, &a, &b, &flag); break;
        case 2: st = rtrl_net_layer(net, index, &s1, &a, &act, &flag); break;
        case 3: st = rtrl_net_connection(net, index, &s1, &s2, &delay, &kind, &flag, &scale); break;
        case 4: st = rtrl_net_output_units(net, &s1, (index % 2) ? units : NULL, index % 9, &a); break;
        case 5: st = rtrl_net_step_count(net, (index % 2) ? &u : NULL); break;
        case 6: st = rtrl_net_memory(net, &a); break;
        case 7: st = rtrl_net_sensitivity(net, &mode, (index % 2) ? &flag : NULL); break;
        case 8: st = rtrl_net_precision(net, &prec); break;
        default: {
            size_t n = 0;
            st = rtrl_net_save_size(net, &n);
            if (st == RTRL_OK) FZ_CHECK(n == before.len, "save_size %zu, saved %zu", n, before.len);
            break;
        }
        }
        if (st == RTRL_OK && s1 != NULL) (void)strlen(s1);
        if (st == RTRL_OK && s2 != NULL) (void)strlen(s2);
        break;
    }
    default:
        st = RTRL_OK;
        reads_only = 1;
        break;
    }
    fz_after(call, st, net, &before, &pb, reads_only);
    fz_release(&before);
    free(pb.values);
}

static void fz_call(fz_world *w, fz_reader *r) {
    int op = fz_u8(r) % OP_COUNT;
    rtrl_status st;
    switch (op) {
    case OP_BUILDER_CREATE: {
        int slot = fz_u8(r) % FZ_BUILDERS;
        rtrl_builder *b = (rtrl_builder *)(uintptr_t)1;
        st = rtrl_builder_create(fz_size(r), &b);
        if (st == RTRL_OK) {
            rtrl_builder_free(w->builders[slot]);
            w->builders[slot] = b;
        } else {
            fz_check_failure(st);
            FZ_CHECK(b == NULL, "failed builder_create left *out set");
        }
        return;
    }
    case OP_ADD_LAYER: {
        rtrl_builder *b = w->builders[fz_u8(r) % FZ_BUILDERS];
        const char *name = fz_name(r, NULL);
        size_t size = fz_size(r);
        int act = fz_enum(r, 5), bias = fz_tristate(r);
        fz_built before = b ? fz_build_now(b) : (fz_built){RTRL_OK, {NULL, 0}};
        st = rtrl_builder_add_layer(b, name, size, (rtrl_activation)act, bias);
        fz_after_builder("add_layer", st, b, &before);
        return;
    }
    case OP_CONNECT: {
        rtrl_builder *b = w->builders[fz_u8(r) % FZ_BUILDERS];
        const char *from = fz_name(r, NULL), *to = fz_name(r, NULL);
        int delay = fz_enum(r, 2), kind = fz_enum(r, 3), trainable = fz_tristate(r);
        double scale = fz_double(r);
        fz_built before = b ? fz_build_now(b) : (fz_built){RTRL_OK, {NULL, 0}};
        st = rtrl_builder_connect(b, from, to, delay, (rtrl_connection_kind)kind, trainable, scale);
        fz_after_builder("connect", st, b, &before);
        return;
    }
    case OP_SET_OUTPUT: {
        rtrl_builder *b = w->builders[fz_u8(r) % FZ_BUILDERS];
        const char *layer = fz_name(r, NULL);
        size_t n = fz_size(r), cap = n > FZ_BIG ? FZ_SHORT : n;
        size_t *units = NULL;
        if (fz_u8(r) % 4 != 0) {
            units = (size_t *)malloc((cap ? cap : 1) * sizeof(size_t));
            FZ_CHECK(units != NULL, "out of memory");
            for (size_t i = 0; i < cap; i++) units[i] = fz_size(r);
        }
        fz_built before = b ? fz_build_now(b) : (fz_built){RTRL_OK, {NULL, 0}};
        st = rtrl_builder_set_output(b, layer, units, n);
        fz_after_builder("set_output", st, b, &before);
        free(units);
        return;
    }
    case OP_BUILD: {
        rtrl_builder *b = w->builders[fz_u8(r) % FZ_BUILDERS];
        int slot = fz_u8(r) % FZ_NETS;
        rtrl_net_params p;
        rtrl_net *net = (rtrl_net *)(uintptr_t)1;
        st = rtrl_builder_build(b, fz_net_params(r, &p), &net);
        if (st == RTRL_OK) {
            rtrl_net_free(w->nets[slot]);
            w->nets[slot] = net;
        } else {
            fz_check_failure(st);
            FZ_CHECK(net == NULL, "failed build left *out set");
        }
        return;
    }
    case OP_BUILDER_FREE: {
        int slot = fz_u8(r) % FZ_BUILDERS;
        rtrl_builder_free(w->builders[slot]);
        w->builders[slot] = NULL;
        return;
    }
    case OP_CREATE_PRESET: {
        int slot = fz_u8(r) % FZ_NETS, which = fz_u8(r) % 3;
        size_t m = fz_size(r), h = fz_size(r), o = fz_size(r);
        rtrl_net_params p;
        rtrl_net *net = (rtrl_net *)(uintptr_t)1;
        rtrl_net_params *pp = fz_net_params(r, &p);
        if (which == 0) st = rtrl_net_create_fully_recurrent(m, h, o, pp, &net);
        else if (which == 1) st = rtrl_net_create_elman(m, h, o, pp, &net);
        else st = rtrl_net_create_jordan(m, h, o, pp, &net);
        if (st == RTRL_OK) {
            rtrl_net_free(w->nets[slot]);
            w->nets[slot] = net;
        } else {
            fz_check_failure(st);
            FZ_CHECK(net == NULL, "failed create left *out set");
        }
        return;
    }
    case OP_NET_FREE: {
        int slot = fz_u8(r) % FZ_NETS;
        rtrl_net_free(w->nets[slot]);
        w->nets[slot] = NULL;
        return;
    }
    case OP_CLONE: {
        int from = fz_u8(r) % FZ_NETS, to = fz_u8(r) % FZ_NETS;
        rtrl_net *copy = (rtrl_net *)(uintptr_t)1;
        st = rtrl_net_clone(w->nets[from], &copy);
        if (w->nets[from] == NULL) {
            FZ_CHECK(st == RTRL_ERR_INVALID_ARGUMENT && copy == NULL, "clone(NULL) gave %d", (int)st);
            return;
        }
        if (st == RTRL_OK) {
            fz_snapshot a = fz_take(w->nets[from]), b = fz_take(copy);
            FZ_CHECK(fz_same(&a, &b), "a clone saves to other bytes");
            fz_release(&a);
            fz_release(&b);
            rtrl_net_free(w->nets[to]);
            w->nets[to] = copy;
        } else {
            fz_check_failure(st);
            FZ_CHECK(copy == NULL, "failed clone left *out set");
        }
        return;
    }
    default:
        fz_net_call(w, r, op);
        return;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    fz_world w;
    fz_reader r = {data, size, 0};
    int calls = 0;
    memset(&w, 0, sizeof w);
    while (fz_more(&r) && calls++ < 64) fz_call(&w, &r);
    for (int i = 0; i < FZ_BUILDERS; i++) rtrl_builder_free(w.builders[i]);
    for (int i = 0; i < FZ_NETS; i++) rtrl_net_free(w.nets[i]);
    return 0;
}

int LLVMFuzzerInitialize(int *argc, char ***argv) {
    (void)argc;
    (void)argv;
    rtrl_set_num_threads(1);  /* OpenBLAS on the calling thread: deterministic and cheap */
    return 0;
}
