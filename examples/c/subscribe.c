/*
 * subscribe.c — print rtrl-stream's predictions with plain libzmq (no librtrl needed).
 *
 *   cc -O2 -o subscribe subscribe.c -lzmq
 *   ./subscribe [ENDPOINT [TOPIC_PREFIX [COUNT]]]
 *
 * ENDPOINT defaults to tcp://127.0.0.1:5556 (the adapter's default PUB output); it is
 * connected to with a SUB socket subscribed to TOPIC_PREFIX (default: every topic). A
 * "pull:" prefix, e.g. pull:tcp://127.0.0.1:5556, uses a PULL socket instead (for an
 * adapter run with --out-pattern push). COUNT, if given, stops after that many predictions.
 *
 * One line per prediction:   TOPIC seq=N step=N loss=X y=Y0 Y1 ...
 * and the adapter's metrics: $metrics {JSON}
 *
 * A prediction payload (wire format v1, little-endian): u8 version = 1, u8 kind = 2,
 * u16 flags (bit 0: loss present), u32 n_y, u64 seq, u64 step, f64 loss, n_y x f64 y.
 */
#include <inttypes.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

static volatile sig_atomic_t interrupted = 0;
static void on_signal(int sig) { (void)sig; interrupted = 1; }

/* Little-endian loads that work on any host byte order and alignment. */
static uint64_t le_u64(const unsigned char *p) {
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--) v = (v << 8) | p[i];
    return v;
}
static uint32_t le_u32(const unsigned char *p) {
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static double le_f64(const unsigned char *p) {
    uint64_t bits = le_u64(p);
    double d;
    memcpy(&d, &bits, sizeof d);
    return d;
}

/* Prints one prediction; returns 0, or -1 if the payload is not a version-1 prediction. */
static int print_prediction(const char *topic, size_t topic_len, const unsigned char *p, size_t n) {
    if (n < 32 || p[0] != 1 || p[1] != 2) return -1;
    uint16_t flags = (uint16_t)(p[2] | p[3] << 8);
    uint32_t ny = le_u32(p + 4);
    if (n != 32 + 8 * (size_t)ny) return -1;
    printf("%.*s seq=%" PRIu64 " step=%" PRIu64, (int)topic_len, topic, le_u64(p + 8), le_u64(p + 16));
    if (flags & 1) printf(" loss=%.17g", le_f64(p + 24)); else printf(" loss=nan");
    printf(" y=");
    for (uint32_t k = 0; k < ny; k++) printf(k ? " %.17g" : "%.17g", le_f64(p + 32 + 8 * (size_t)k));
    printf("\n");
    return 0;
}

int main(int argc, char **argv) {
    const char *endpoint = argc > 1 ? argv[1] : "tcp://127.0.0.1:5556";
    const char *prefix = argc > 2 ? argv[2] : "";
    long count = argc > 3 ? atol(argv[3]) : -1;
    int type = ZMQ_SUB;
    if (strncmp(endpoint, "pull:", 5) == 0) { type = ZMQ_PULL; endpoint += 5; }

    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    void *ctx = zmq_ctx_new();
    void *sock = zmq_socket(ctx, type);
    if (type == ZMQ_SUB) zmq_setsockopt(sock, ZMQ_SUBSCRIBE, prefix, strlen(prefix));
    if (zmq_connect(sock, endpoint) != 0) {
        fprintf(stderr, "subscribe: cannot connect %s: %s\n", endpoint, zmq_strerror(zmq_errno()));
        return 1;
    }
    setvbuf(stdout, NULL, _IOLBF, 0);

    zmq_msg_t topic, payload;
    zmq_msg_init(&topic);
    zmq_msg_init(&payload);
    long printed = 0;
    while (!interrupted && (count < 0 || printed < count)) {
        if (zmq_msg_recv(&topic, sock, 0) < 0) break;  /* EINTR on a signal */
        if (!zmq_msg_more(&topic)) continue;
        if (zmq_msg_recv(&payload, sock, 0) < 0) break;
        while (zmq_msg_more(&payload)) zmq_msg_recv(&payload, sock, 0);  /* ignore extra frames */
        const char *t = zmq_msg_data(&topic);
        size_t tn = zmq_msg_size(&topic);
        const unsigned char *p = zmq_msg_data(&payload);
        size_t n = zmq_msg_size(&payload);
        if (tn == 8 && memcmp(t, "$metrics", 8) == 0) {
            printf("$metrics %.*s\n", (int)n, (const char *)p);
        } else if (print_prediction(t, tn, p, n) == 0) {
            printed++;
        } else {
            fprintf(stderr, "subscribe: %.*s: not a version-1 prediction (%zu bytes)\n", (int)tn, t, n);
        }
    }
    zmq_msg_close(&topic);
    zmq_msg_close(&payload);
    zmq_close(sock);
    zmq_ctx_term(ctx);
    return 0;
}
