/* scenario.c — runs a parity scenario through the C ABI (see scenario.h). */
#include "scenario.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "rtrl.h"

#define MAX_WORDS 64
#define MAX_LINE 4096

/* SplitMix64 draws: the same numbers as ScenarioData.swift. */
typedef struct { uint64_t state; } data_gen;

static uint64_t data_next(data_gen *g) {
    uint64_t z;
    g->state += 0x9E3779B97F4A7C15ULL;
    z = g->state;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

static double data_unit(data_gen *g) { return (double)(data_next(g) >> 11) * 0x1.0p-53; }

static int parse_activation(const char *s, rtrl_activation *a) {
    static const char *names[] = {"identity", "logistic", "tanh", "relu", "softmax"};
    int i;
    for (i = 0; i < 5; i++)
        if (strcmp(s, names[i]) == 0) { *a = (rtrl_activation)i; return 0; }
    return -1;
}

static int parse_kind(const char *s, rtrl_connection_kind *k) {
    if (strcmp(s, "dense") == 0) *k = RTRL_CONNECTION_DENSE;
    else if (strcmp(s, "diagonal") == 0) *k = RTRL_CONNECTION_DIAGONAL;
    else if (strcmp(s, "identity") == 0) *k = RTRL_CONNECTION_IDENTITY;
    else return -1;
    return 0;
}

static int parse_optimizer(const char *s, rtrl_optimizer *o) {
    if (strcmp(s, "sgd") == 0) *o = RTRL_OPTIMIZER_SGD;
    else if (strcmp(s, "momentum") == 0) *o = RTRL_OPTIMIZER_MOMENTUM;
    else if (strcmp(s, "adam") == 0) *o = RTRL_OPTIMIZER_ADAM;
    else return -1;
    return 0;
}

static void put_hex(FILE *out, double v) {
    uint64_t bits;
    memcpy(&bits, &v, sizeof bits);
    fprintf(out, "%016" PRIx64, bits);
}

static void put_hex_list(FILE *out, const double *v, size_t n) {
    size_t i;
    for (i = 0; i < n; i++) {
        if (i) fputc(' ', out);
        put_hex(out, v[i]);
    }
}

static const char *status_word(rtrl_status s) {
    static char buf[32];
    if (s == RTRL_OK) return "ok";
    if (s == RTRL_ERR_DIVERGED) return "diverged";
    snprintf(buf, sizeof buf, "error%d", (int)s);
    return buf;
}

typedef struct {
    rtrl_net *net;
    rtrl_builder *builder;
    rtrl_net_params np;
    rtrl_train_params tp;
    enum { ARCH_NONE, ARCH_FR, ARCH_ELMAN, ARCH_JORDAN, ARCH_BUILDER } arch;
    size_t sizes[3];
    int accumulate, apply_every, steps, gap;
    uint64_t data_seed;
} scenario;

#define FAIL(...) do { fprintf(stderr, "%s:%d: ", path, line_no); fprintf(stderr, __VA_ARGS__); fputc('\n', stderr); return -1; } while (0)
#define NEED(n) do { if (nw < (n)) FAIL("%s needs %d fields", w[0], (n) - 1); } while (0)
#define API(call) do { rtrl_status s_ = (call); if (s_ != RTRL_OK) FAIL("%s: %s", #call, rtrl_last_error()); } while (0)

static int read_scenario(const char *path, scenario *sc) {
    FILE *f = fopen(path, "r");
    char line[MAX_LINE];
    int line_no = 0;
    if (!f) { fprintf(stderr, "%s: cannot open\n", path); return -1; }
    while (fgets(line, sizeof line, f)) {
        char *w[MAX_WORDS], *tok, *hash;
        int nw = 0;
        line_no++;
        if ((hash = strchr(line, '#')) != NULL) *hash = '\0';
        for (tok = strtok(line, " \t\r\n"); tok && nw < MAX_WORDS; tok = strtok(NULL, " \t\r\n")) w[nw++] = tok;
        if (nw == 0) continue;
        if (strcmp(w[0], "net") == 0) {
            NEED(5);
            sc->sizes[0] = strtoul(w[2], NULL, 10);
            sc->sizes[1] = strtoul(w[3], NULL, 10);
            sc->sizes[2] = strtoul(w[4], NULL, 10);
            if (strcmp(w[1], "fully_recurrent") == 0) {
                NEED(6);
                sc->arch = ARCH_FR;
                if (parse_activation(w[5], &sc->np.hidden_activation)) FAIL("bad activation");
            } else if (strcmp(w[1], "elman") == 0) {
                NEED(7);
                sc->arch = ARCH_ELMAN;
                if (parse_activation(w[5], &sc->np.hidden_activation) || parse_activation(w[6], &sc->np.output_activation)) FAIL("bad activation");
            } else if (strcmp(w[1], "jordan") == 0) {
                NEED(8);
                sc->arch = ARCH_JORDAN;
                sc->np.mu = strtod(w[5], NULL);
                if (parse_activation(w[6], &sc->np.hidden_activation) || parse_activation(w[7], &sc->np.output_activation)) FAIL("bad activation");
            } else {
                FAIL("unknown net %s", w[1]);
            }
        } else if (strcmp(w[0], "builder") == 0) {
            NEED(2);
            sc->arch = ARCH_BUILDER;
            API(rtrl_builder_create(strtoul(w[1], NULL, 10), &sc->builder));
        } else if (strcmp(w[0], "layer") == 0) {
            rtrl_activation a;
            NEED(5);
            if (parse_activation(w[3], &a)) FAIL("bad activation");
            API(rtrl_builder_add_layer(sc->builder, w[1], strtoul(w[2], NULL, 10), a, atoi(w[4])));
        } else if (strcmp(w[0], "connect") == 0) {
            rtrl_connection_kind k;
            NEED(7);
            if (parse_kind(w[4], &k)) FAIL("bad kind");
            API(rtrl_builder_connect(sc->builder, w[1], w[2], atoi(w[3]), k, atoi(w[5]), strtod(w[6], NULL)));
        } else if (strcmp(w[0], "output") == 0) {
            size_t units[MAX_WORDS];
            int i;
            NEED(2);
            for (i = 2; i < nw; i++) units[i - 2] = strtoul(w[i], NULL, 10);
            API(rtrl_builder_set_output(sc->builder, w[1], nw > 2 ? units : NULL, (size_t)(nw - 2)));
        } else if (strcmp(w[0], "seed") == 0) {
            NEED(2);
            sc->np.seed = strtoull(w[1], NULL, 10);
        } else if (strcmp(w[0], "precision") == 0) {
            NEED(2);
            sc->np.precision = strcmp(w[1], "f32") == 0 ? RTRL_PRECISION_F32 : RTRL_PRECISION_F64;
        } else if (strcmp(w[0], "train") == 0) {
            NEED(12);
            if (parse_optimizer(w[1], &sc->tp.optimizer)) FAIL("bad optimizer");
            sc->tp.learning_rate = strtod(w[2], NULL);
            sc->tp.momentum = strtod(w[3], NULL);
            sc->tp.beta1 = strtod(w[4], NULL);
            sc->tp.beta2 = strtod(w[5], NULL);
            sc->tp.eps = strtod(w[6], NULL);
            sc->tp.clip_norm = strtod(w[7], NULL);
            sc->tp.loss = strcmp(w[8], "cross_entropy") == 0 ? RTRL_LOSS_CROSS_ENTROPY : RTRL_LOSS_MSE;
            sc->tp.teacher_forcing = atoi(w[9]);
            sc->tp.update_every = (uint32_t)strtoul(w[10], NULL, 10);
            sc->tp.divergence_guard = atoi(w[11]);
        } else if (strcmp(w[0], "run") == 0) {
            NEED(4);
            sc->steps = atoi(w[2]);
            if (strcmp(w[1], "accumulate") == 0) {
                NEED(5);
                sc->accumulate = 1;
                sc->apply_every = atoi(w[3]);
                sc->gap = atoi(w[4]);
            } else {
                sc->gap = atoi(w[3]);
            }
        } else if (strcmp(w[0], "data") == 0) {
            NEED(2);
            sc->data_seed = strtoull(w[1], NULL, 10);
        } else {
            FAIL("unknown directive %s", w[0]);
        }
    }
    fclose(f);
    switch (sc->arch) {
    case ARCH_FR: API(rtrl_net_create_fully_recurrent(sc->sizes[0], sc->sizes[1], sc->sizes[2], &sc->np, &sc->net)); break;
    case ARCH_ELMAN: API(rtrl_net_create_elman(sc->sizes[0], sc->sizes[1], sc->sizes[2], &sc->np, &sc->net)); break;
    case ARCH_JORDAN: API(rtrl_net_create_jordan(sc->sizes[0], sc->sizes[1], sc->sizes[2], &sc->np, &sc->net)); break;
    case ARCH_BUILDER: API(rtrl_builder_build(sc->builder, &sc->np, &sc->net)); break;
    default: FAIL("no net or builder line");
    }
    API(rtrl_net_configure(sc->net, &sc->tp));
    return 0;
}

int scenario_run(const char *path, FILE *out) {
    scenario sc;
    data_gen gen;
    size_t nx, ny, np, i;
    double *x, *target, *y, *g, *p;
    int t, rc;
    memset(&sc, 0, sizeof sc);
    rtrl_net_default_params(&sc.np, sizeof sc.np);
    rtrl_train_default_params(&sc.tp, sizeof sc.tp);
    sc.data_seed = 1;
    rc = read_scenario(path, &sc);
    rtrl_builder_free(sc.builder);
    if (rc != 0) { rtrl_net_free(sc.net); return -1; }
    nx = rtrl_net_num_inputs(sc.net);
    ny = rtrl_net_num_outputs(sc.net);
    np = rtrl_net_num_params(sc.net);
    x = calloc(nx + 1, sizeof *x);
    target = calloc(ny + 1, sizeof *target);
    y = calloc(ny + 1, sizeof *y);
    g = calloc(np + 1, sizeof *g);
    p = calloc(np + 1, sizeof *p);
    gen.state = sc.data_seed;
    rtrl_net_get_params(sc.net, p, np);
    fputs("P ", out);
    put_hex_list(out, p, np);
    fputc('\n', out);
    for (t = 1; t <= sc.steps; t++) {
        double loss = NAN;
        rtrl_status status;
        const char *apply_word = "-";
        for (i = 0; i < nx; i++) x[i] = 2 * data_unit(&gen) - 1;
        for (i = 0; i < ny; i++) target[i] = data_unit(&gen);
        if (sc.gap > 0)
            for (i = 0; i < ny; i++)
                if ((t + (int)i) % sc.gap == 0) target[i] = NAN;
        if (!sc.accumulate) {
            status = rtrl_net_step(sc.net, x, nx, target, ny, y, &loss);
            if (status != RTRL_OK) rtrl_net_output(sc.net, y, ny);
        } else {
            rtrl_net_feed(sc.net, x, nx);
            rtrl_net_output(sc.net, y, ny);
            status = rtrl_net_accumulate(sc.net, target, ny, &loss);
            if (t % sc.apply_every == 0) apply_word = rtrl_net_apply(sc.net) == RTRL_OK ? "ok" : "diverged";
        }
        rtrl_net_gradient(sc.net, g, np);
        rtrl_net_get_params(sc.net, p, np);
        fprintf(out, "%d %s %s Y ", t, status_word(status), apply_word);
        put_hex_list(out, y, ny);
        fputs(" L ", out);
        put_hex(out, loss);
        fputs(" G ", out);
        put_hex_list(out, g, np);
        fputs(" P ", out);
        put_hex_list(out, p, np);
        fputc('\n', out);
    }
    free(x); free(target); free(y); free(g); free(p);
    rtrl_net_free(sc.net);
    return 0;
}
