/*
 * online_csv.c — an online one-step-ahead forecaster for a CSV time series.
 *
 * Reads one row of numbers per line from standard input (comma-, semicolon-, tab- or
 * space-separated; a header or any other non-numeric line is skipped), and for every row
 * x(t) prints, at once, the prediction of the next row and the error of the previous
 * prediction. An Elman network learns with real-time recurrent learning as the data
 * arrives: there is no training phase, no history is stored, and it adapts when the
 * series changes. The network sees the current row and its change from the previous
 * row, and predicts the change to the next row: it starts from the last-value forecast
 * and learns what to add to it. Works on endless streams:
 *
 *     tail -f sensor.csv | online_csv --hidden 16
 *
 * Options:
 *     --hidden N           hidden units (default 16)
 *     --optimizer NAME     sgd, momentum or adam (default adam)
 *     --learning-rate X    (default 0.003)
 *     --seed N             weight initialisation seed (default 1)
 *     --no-normalize       feed raw values and changes (default: each column, and each
 *                          column's change, is standardised with its running mean and
 *                          standard deviation)
 *     --load FILE          continue from a learner saved by --save (the normalisation
 *                          statistics are re-estimated from the new input)
 *     --save FILE          save the learner at the end of the input or on Ctrl-C
 *
 * Output (CSV, flushed every row):
 *     step,pred_1,...,pred_d,error,running_rmse
 * pred_i predicts column i of the next row; error is the RMS over the columns of the
 * previous prediction's error on this row (empty on the first row); running_rmse is
 * the RMS error over all predictions so far. At the end a summary on stderr compares it
 * with the last-value forecast (predict no change).
 *
 * Build: cc online_csv.c $(pkg-config --cflags --libs rtrl) -lm -o online_csv
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rtrl.h>

#define MAX_COLUMNS 256
#define MAX_LINE 65536

static volatile sig_atomic_t interrupted;

static void on_signal(int sig) {
    (void)sig;
    interrupted = 1;
}

static void die(const char *what, rtrl_status s) {
    fprintf(stderr, "online_csv: %s: %s (%s)\n", what, rtrl_last_error(), rtrl_status_string(s));
    exit(1);
}

static void usage(void) {
    fprintf(stderr, "usage: online_csv [--hidden N] [--optimizer sgd|momentum|adam] [--learning-rate X]\n"
                    "                  [--seed N] [--no-normalize] [--load FILE] [--save FILE] < data.csv\n");
    exit(2);
}

/* Parses the numbers of a line into v; returns their count, or -1 if the line holds
   anything else (a header, a comment, text). */
static int parse_row(char *line, double *v, int cap) {
    int n = 0;
    char *p = line, *end;
    for (;;) {
        while (*p == ' ' || *p == '\t' || *p == ',' || *p == ';' || *p == '\r' || *p == '\n') p++;
        if (*p == '\0') return n;
        if (n == cap) return -1;
        errno = 0;
        v[n] = strtod(p, &end);
        if (end == p || errno == ERANGE || !isfinite(v[n])) return -1;
        n++;
        p = end;
        if (*p != '\0' && *p != ' ' && *p != '\t' && *p != ',' && *p != ';' && *p != '\r' && *p != '\n') return -1;
    }
}

/* Running mean and variance of one column (Welford). */
typedef struct { double n, mean, m2; } column_stats;

static void stats_add(column_stats *s, double x) {
    double d = x - s->mean;
    s->n += 1;
    s->mean += d / s->n;
    s->m2 += d * (x - s->mean);
}

static double stats_scale(const column_stats *s) {
    double sd = s->n > 1 ? sqrt(s->m2 / (s->n - 1)) : 0;
    return sd > 1e-12 ? sd : 1.0;
}

int main(int argc, char **argv) {
    size_t hidden = 16;
    unsigned long long seed = 1;
    int normalize = 1, d = 0, i;
    const char *load_path = NULL, *save_path = NULL;
    rtrl_net *net = NULL;
    rtrl_net_params np;
    rtrl_train_params tp;
    column_stats stats[MAX_COLUMNS], change_stats[MAX_COLUMNS];
    double x[MAX_COLUMNS], previous[MAX_COLUMNS], dz[MAX_COLUMNS], y[MAX_COLUMNS];
    double z[2 * MAX_COLUMNS]; /* the network's input: the row and its change, standardised */
    double pred[MAX_COLUMNS];
    double squared_sum = 0, naive_squared_sum = 0, row_error;
    unsigned long long step = 0, predictions = 0, refused = 0, skipped = 0;
    static char line[MAX_LINE];
    struct sigaction sa;
    rtrl_status s;

    rtrl_train_default_params(&tp, sizeof tp);
    tp.optimizer = RTRL_OPTIMIZER_ADAM;
    tp.learning_rate = 0.003;
    for (i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--no-normalize") == 0) { normalize = 0; continue; }
        if (!v) usage();
        if (strcmp(a, "--hidden") == 0) hidden = (size_t)strtoul(v, NULL, 10);
        else if (strcmp(a, "--learning-rate") == 0) tp.learning_rate = strtod(v, NULL);
        else if (strcmp(a, "--seed") == 0) seed = strtoull(v, NULL, 10);
        else if (strcmp(a, "--load") == 0) load_path = v;
        else if (strcmp(a, "--save") == 0) save_path = v;
        else if (strcmp(a, "--optimizer") == 0) {
            if (strcmp(v, "sgd") == 0) tp.optimizer = RTRL_OPTIMIZER_SGD;
            else if (strcmp(v, "momentum") == 0) tp.optimizer = RTRL_OPTIMIZER_MOMENTUM;
            else if (strcmp(v, "adam") == 0) tp.optimizer = RTRL_OPTIMIZER_ADAM;
            else usage();
        } else usage();
        i++;
    }
    memset(stats, 0, sizeof stats);
    memset(change_stats, 0, sizeof change_stats);

    /* Ctrl-C / SIGTERM end the loop (fgets returns with EINTR) so --save still runs. */
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    setvbuf(stdout, NULL, _IOLBF, 0);

    if (load_path) {
        if ((s = rtrl_net_load(load_path, &net)) != RTRL_OK) die("load", s);
        d = (int)rtrl_net_num_outputs(net);
        if (d < 1 || d > MAX_COLUMNS || rtrl_net_num_inputs(net) != 2 * (size_t)d) {
            fprintf(stderr, "online_csv: %s is not a forecaster (inputs %zu, outputs %zu)\n", load_path,
                    rtrl_net_num_inputs(net), rtrl_net_num_outputs(net));
            return 1;
        }
    }

    while (!interrupted && fgets(line, sizeof line, stdin)) {
        int n = parse_row(line, x, MAX_COLUMNS);
        if (n <= 0 || (d > 0 && n != d)) {
            if (n != 0) skipped++;
            if (n > 0) fprintf(stderr, "online_csv: skipping a row of %d values (expected %d)\n", n, d);
            continue;
        }
        if (!net) { /* the first row fixes the number of columns */
            d = n;
            rtrl_net_default_params(&np, sizeof np);
            np.seed = seed;
            if ((s = rtrl_net_create_elman(2 * (size_t)d, hidden, (size_t)d, &np, &net)) != RTRL_OK) die("create", s);
            if ((s = rtrl_net_configure(net, &tp)) != RTRL_OK) die("configure", s);
            printf("step");
            for (i = 0; i < d; i++) printf(",pred_%d", i + 1);
            printf(",error,running_rmse\n");
        }
        step++;
        if (normalize) {
            for (i = 0; i < d; i++) stats_add(&stats[i], x[i]);
            if (step > 1)
                for (i = 0; i < d; i++) stats_add(&change_stats[i], x[i] - previous[i]);
        }
        for (i = 0; i < d; i++) z[i] = normalize ? (x[i] - stats[i].mean) / stats_scale(&stats[i]) : x[i];

        /* 1. The previous prediction meets this row: score it and learn from it. */
        row_error = -1;
        if (step > 1) {
            double row_squared = 0, naive_squared = 0;
            for (i = 0; i < d; i++) {
                double change = x[i] - previous[i];
                row_squared += (pred[i] - x[i]) * (pred[i] - x[i]);
                naive_squared += change * change;
                dz[i] = normalize ? (change - change_stats[i].mean) / stats_scale(&change_stats[i]) : change;
            }
            row_error = sqrt(row_squared / d);
            squared_sum += row_squared / d;
            naive_squared_sum += naive_squared / d;
            predictions++;
            /* The target of the previous step: the change that happened. */
            s = rtrl_net_learn(net, dz, (size_t)d, NULL);
            if (s == RTRL_ERR_DIVERGED) refused++; /* the guard kept the weights */
            else if (s != RTRL_OK) die("learn", s);
        }
        /* 2. Feed this row and its change, and predict the next change. */
        for (i = 0; i < d; i++) z[d + i] = step > 1 ? dz[i] : 0;
        if ((s = rtrl_net_step(net, z, 2 * (size_t)d, NULL, (size_t)d, y, NULL)) != RTRL_OK) die("step", s);
        printf("%llu", step);
        for (i = 0; i < d; i++) {
            double change = normalize ? y[i] * stats_scale(&change_stats[i]) + change_stats[i].mean : y[i];
            pred[i] = x[i] + change;
            previous[i] = x[i];
            printf(",%.6g", pred[i]);
        }
        if (row_error >= 0)
            printf(",%.6g,%.6g\n", row_error, sqrt(squared_sum / (double)predictions));
        else
            printf(",,\n");
    }

    fprintf(stderr,
            "online_csv: %llu rows, %llu predictions scored: RMSE %.6g (last-value forecast %.6g); "
            "%llu refused updates, %llu lines skipped\n",
            step, predictions, predictions ? sqrt(squared_sum / (double)predictions) : 0.0,
            predictions ? sqrt(naive_squared_sum / (double)predictions) : 0.0, refused, skipped);
    if (save_path && net) {
        if ((s = rtrl_net_save(net, save_path)) != RTRL_OK) die("save", s);
        fprintf(stderr, "online_csv: saved the learner to %s\n", save_path);
    }
    rtrl_net_free(net);
    return 0;
}
