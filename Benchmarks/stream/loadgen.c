/*
 * loadgen: drives rtrl-stream over ZeroMQ for `make bench-stream`.
 *
 *   loadgen throughput IN OUT MESSAGES TOPICS   PUSH MESSAGES samples (elman 1-x-1 shape:
 *                                               n_x = 1 with a target) round-robin over
 *                                               TOPICS topics to IN, PULL predictions from
 *                                               OUT until all arrived; prints messages/s.
 *   loadgen latency IN OUT MESSAGES RATE        the same on one topic, paced at RATE msg/s;
 *                                               prints p50/p99/max publish-to-prediction
 *                                               latency (the first 10% are warm-up).
 *   loadgen raw MESSAGES                        PUSH -> PULL over TCP loopback with no
 *                                               adapter, same frames: the transport's ceiling.
 *
 * IN and OUT are endpoints the adapter bound (loadgen connects). Output: one JSON line.
 * Build: cc -O2 -o loadgen loadgen.c -lzmq -lpthread
 */
#define _GNU_SOURCE
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zmq.h>

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static uint64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void put_u16(unsigned char *p, uint16_t v) { p[0] = v & 0xff; p[1] = v >> 8; }
static void put_u32(unsigned char *p, uint32_t v) { for (int i = 0; i < 4; i++) p[i] = (v >> (8 * i)) & 0xff; }
static void put_u64(unsigned char *p, uint64_t v) { for (int i = 0; i < 8; i++) p[i] = (v >> (8 * i)) & 0xff; }
static uint64_t get_u64(const unsigned char *p) {
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--) v = v << 8 | p[i];
    return v;
}

/* A binary sample with n_x = 1 and one target. */
static size_t encode_sample(unsigned char *b, uint64_t seq, double x, double y) {
    memset(b, 0, 48);
    b[0] = 1; b[1] = 1;
    put_u16(b + 2, 1);          /* has target */
    put_u32(b + 4, 1);          /* n_x */
    put_u32(b + 8, 1);          /* n_y */
    put_u64(b + 16, seq);
    uint64_t bits;
    memcpy(&bits, &x, 8); put_u64(b + 32, bits);
    memcpy(&bits, &y, 8); put_u64(b + 40, bits);
    return 48;
}

static void die(const char *what) {
    fprintf(stderr, "loadgen: %s: %s\n", what, zmq_strerror(zmq_errno()));
    exit(2);
}

struct job {
    void *ctx;
    const char *in;
    long messages, topics;
    double rate;               /* 0: as fast as possible */
    uint64_t *sent_at;         /* latency mode: send time per seq */
    double t_first_send;
};

static void *sender(void *arg) {
    struct job *j = arg;
    void *s = zmq_socket(j->ctx, ZMQ_PUSH);
    int hwm = 100000;
    zmq_setsockopt(s, ZMQ_SNDHWM, &hwm, sizeof hwm);
    if (zmq_connect(s, j->in) != 0) die("connect IN");
    char (*names)[24] = malloc((size_t)j->topics * 24);
    uint64_t *seqs = calloc((size_t)j->topics, sizeof *seqs);
    for (long k = 0; k < j->topics; k++) snprintf(names[k], 24, "t%04ld", k);
    unsigned char buf[64];
    uint64_t t0 = now_ns();
    j->t_first_send = now_s();
    for (long i = 0; i < j->messages; i++) {
        long k = i % j->topics;
        double x = sin(0.01 * (double)seqs[k] + (double)k);
        double y = sin(0.01 * (double)(seqs[k] + 1) + (double)k);
        size_t n = encode_sample(buf, seqs[k], x, y);
        seqs[k]++;
        if (j->rate > 0) {  /* sleep (not spin: the machine may have few cores) until due */
            uint64_t due = t0 + (uint64_t)((double)i * 1e9 / j->rate);
            struct timespec ts = {(time_t)(due / 1000000000ull), (long)(due % 1000000000ull)};
            while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR) { }
        }
        if (j->sent_at) j->sent_at[i] = now_ns();
        if (zmq_send(s, names[k], strlen(names[k]), ZMQ_SNDMORE) < 0) die("send topic");
        if (zmq_send(s, buf, n, 0) < 0) die("send payload");
    }
    zmq_close(s);
    free(names);
    free(seqs);
    return NULL;
}

static int cmp_u64(const void *a, const void *b) {
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static int run(const char *mode, const char *in, const char *out, long messages, long topics, double rate) {
    void *ctx = zmq_ctx_new();
    void *r = zmq_socket(ctx, ZMQ_PULL);
    int hwm = 100000;
    zmq_setsockopt(r, ZMQ_RCVHWM, &hwm, sizeof hwm);
    int raw = strcmp(mode, "raw") == 0;
    if (raw) {
        if (zmq_bind(r, "tcp://127.0.0.1:*") != 0) die("bind");
        static char ep[256];
        size_t len = sizeof ep;
        zmq_getsockopt(r, ZMQ_LAST_ENDPOINT, ep, &len);
        in = ep;
    } else if (zmq_connect(r, out) != 0) {
        die("connect OUT");
    }
    struct job j = {ctx, in, messages, topics, rate, NULL, 0};
    uint64_t *recv_at = NULL;
    if (rate > 0) {
        j.sent_at = calloc((size_t)messages, sizeof(uint64_t));
        recv_at = calloc((size_t)messages, sizeof(uint64_t));
    }
    /* Give the connections a moment, so the clock measures messages, not handshakes. */
    struct timespec pause = {0, 200 * 1000 * 1000};
    nanosleep(&pause, NULL);
    pthread_t t;
    pthread_create(&t, NULL, sender, &j);
    long got = 0, metrics = 0;
    zmq_msg_t topic, payload;
    zmq_msg_init(&topic);
    zmq_msg_init(&payload);
    int timeout = 20000;
    zmq_setsockopt(r, ZMQ_RCVTIMEO, &timeout, sizeof timeout);
    while (got < messages) {
        if (zmq_msg_recv(&topic, r, 0) < 0) {
            fprintf(stderr, "loadgen: timed out with %ld of %ld predictions\n", got, messages);
            return 1;
        }
        zmq_msg_recv(&payload, r, 0);
        if (zmq_msg_size(&topic) == 8 && memcmp(zmq_msg_data(&topic), "$metrics", 8) == 0) { metrics++; continue; }
        if (recv_at && zmq_msg_size(&payload) >= 32) {
            uint64_t seq = raw ? (uint64_t)got : get_u64((unsigned char *)zmq_msg_data(&payload) + 8);
            if (seq < (uint64_t)messages) recv_at[seq] = now_ns();
        }
        got++;
    }
    double t_end = now_s();
    pthread_join(t, NULL);
    double secs = t_end - j.t_first_send;
    if (rate > 0) {
        long skip = messages / 10, n = 0;
        uint64_t *lat = malloc((size_t)messages * sizeof *lat);
        for (long i = skip; i < messages; i++) if (recv_at[i]) lat[n++] = recv_at[i] - j.sent_at[i];
        qsort(lat, (size_t)n, sizeof *lat, cmp_u64);
        printf("{\"mode\":\"%s\",\"messages\":%ld,\"rate\":%.0f,\"achieved_rate\":%.0f,\"p50_us\":%.1f,\"p99_us\":%.1f,\"max_us\":%.1f}\n",
               mode, messages, rate, messages / secs, lat[n / 2] / 1e3, lat[(long)(n * 0.99)] / 1e3, lat[n - 1] / 1e3);
        free(lat);
    } else {
        printf("{\"mode\":\"%s\",\"messages\":%ld,\"topics\":%ld,\"seconds\":%.3f,\"messages_per_second\":%.0f}\n",
               mode, messages, topics, secs, messages / secs);
    }
    zmq_msg_close(&topic);
    zmq_msg_close(&payload);
    zmq_close(r);
    zmq_ctx_term(ctx);
    return 0;
}

int main(int argc, char **argv) {
    if (argc >= 6 && strcmp(argv[1], "throughput") == 0)
        return run("throughput", argv[2], argv[3], atol(argv[4]), atol(argv[5]), 0);
    if (argc >= 6 && strcmp(argv[1], "latency") == 0)
        return run("latency", argv[2], argv[3], atol(argv[4]), 1, atof(argv[5]));
    if (argc >= 3 && strcmp(argv[1], "raw") == 0)
        return run("raw", NULL, NULL, atol(argv[2]), 1, 0);
    fprintf(stderr, "usage: loadgen throughput IN OUT MESSAGES TOPICS | latency IN OUT MESSAGES RATE | raw MESSAGES\n");
    return 2;
}
