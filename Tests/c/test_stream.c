/*
 * test_stream.c — the embedded stream adapter through the C ABI: misuse, a run on one
 * thread stopped from another (and from a signal handler), predictions and counters.
 * Talks to the adapter with plain libzmq over ipc:// sockets in a temporary directory.
 */
#define _DEFAULT_SOURCE
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

#include "harness.h"

static char dir[64], in_ep[128], out_ep[128], in_connect[128], out_connect[128];

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* A wire-format v1 sample: one input, one target. */
static size_t sample(unsigned char *buf, uint64_t seq, double x, double y) {
    uint16_t flags = 1;
    uint32_t nx = 1, ny = 1, reserved = 0;
    int64_t ts = 0;
    buf[0] = 1;
    buf[1] = 1;
    memcpy(buf + 2, &flags, 2);
    memcpy(buf + 4, &nx, 4);
    memcpy(buf + 8, &ny, 4);
    memcpy(buf + 12, &reserved, 4);
    memcpy(buf + 16, &seq, 8);
    memcpy(buf + 24, &ts, 8);
    memcpy(buf + 32, &x, 8);
    memcpy(buf + 40, &y, 8);
    return 48;
}

typedef struct {
    rtrl_stream *stream;
    rtrl_status status;
    rtrl_stream_stop_reason reason;
    double returned_at;
} run_args;

static void *run_thread(void *p) {
    run_args *a = (run_args *)p;
    a->status = rtrl_stream_run(a->stream, 0, 0, &a->reason);
    a->returned_at = now();
    return NULL;
}

static rtrl_stream *create_pull_push(const char *settings) {
    rtrl_stream_params p;
    rtrl_stream *s = NULL;
    EXPECT_OK(rtrl_stream_default_params(&p, sizeof p));
    p.input_endpoint = in_ep;
    p.input_pattern = RTRL_STREAM_PULL;
    p.output_endpoint = out_ep;
    p.output_pattern = RTRL_STREAM_PUSH;
    p.settings_json = settings;
    EXPECT_OK(rtrl_stream_create(&p, &s));
    return s;
}

static void test_misuse(void) {
    rtrl_stream_params p;
    rtrl_stream *s = (rtrl_stream *)(uintptr_t)1;
    rtrl_stream_counters c;
    rtrl_stream_stop_reason r;
    EXPECT_FAIL(rtrl_stream_default_params(NULL, sizeof p), RTRL_ERR_INVALID_ARGUMENT);
    EXPECT_FAIL(rtrl_stream_default_params(&p, 3), RTRL_ERR_INVALID_ARGUMENT);
    EXPECT_OK(rtrl_stream_default_params(&p, sizeof p));
    CHECK(p.input_endpoint == NULL && p.input_pattern == RTRL_STREAM_SUB && p.output_pattern == RTRL_STREAM_PUB &&
              p.settings_json == NULL && p.log_fd == -1, "stream defaults");
    EXPECT_FAIL(rtrl_stream_create(&p, NULL), RTRL_ERR_INVALID_ARGUMENT);
    p.input_pattern = (rtrl_stream_input)7;
    EXPECT_FAIL(rtrl_stream_create(&p, &s), RTRL_ERR_INVALID_ARGUMENT);
    CHECK(s == NULL, "a failed create leaves *out NULL");
    rtrl_stream_default_params(&p, sizeof p);
    p.output_pattern = (rtrl_stream_output)-2;
    EXPECT_FAIL(rtrl_stream_create(&p, &s), RTRL_ERR_INVALID_ARGUMENT);
    rtrl_stream_default_params(&p, sizeof p);
    p.settings_json = "{\"hidden\": ";
    EXPECT_FAIL(rtrl_stream_create(&p, &s), RTRL_ERR_INVALID_ARGUMENT);
    p.settings_json = "{\"no-such-option\": 1}";
    EXPECT_FAIL(rtrl_stream_create(&p, &s), RTRL_ERR_INVALID_ARGUMENT);
    CHECK(strstr(rtrl_last_error(), "no-such-option") != NULL, "message names the key: %s", rtrl_last_error());
    p.settings_json = "{\"hidden\": 0}";
    EXPECT_FAIL(rtrl_stream_create(&p, &s), RTRL_ERR_INVALID_ARGUMENT);
    p.settings_json = NULL;
    p.input_endpoint = "@nonsense://x";
    EXPECT_FAIL(rtrl_stream_create(&p, &s), RTRL_ERR_INVALID_ARGUMENT);
    {   /* An endpoint in use: ZeroMQ's bind fails. */
        rtrl_stream *first = NULL;
        rtrl_stream_default_params(&p, sizeof p);
        p.input_endpoint = "@tcp://127.0.0.1:47311";
        p.input_pattern = RTRL_STREAM_PULL;
        p.output_endpoint = "@tcp://127.0.0.1:47312";
        EXPECT_OK(rtrl_stream_create(&p, &first));
        EXPECT_FAIL(rtrl_stream_create(&p, &s), RTRL_ERR_STREAM);
        CHECK(s == NULL, "a failed create leaves *out NULL");
        rtrl_stream_free(first);
    }
    EXPECT_FAIL(rtrl_stream_run(NULL, 0, 0, &r), RTRL_ERR_INVALID_ARGUMENT);
    EXPECT_FAIL(rtrl_stream_stop(NULL), RTRL_ERR_INVALID_ARGUMENT);
    c.struct_size = sizeof c;
    EXPECT_FAIL(rtrl_stream_stats(NULL, &c), RTRL_ERR_INVALID_ARGUMENT);
    rtrl_stream_free(NULL);
}

/* run() on one thread, samples in, predictions out, counters read meanwhile, stop()
   from this thread: run returns RTRL_STREAM_STOPPED promptly. */
static void test_run_and_stop_from_another_thread(void) {
    void *ctx = zmq_ctx_new(), *push = zmq_socket(ctx, ZMQ_PUSH), *pull = zmq_socket(ctx, ZMQ_PULL);
    rtrl_stream *s = create_pull_push("{\"preset\": \"elman\", \"hidden\": 4, \"stats-every\": 0.05}");
    run_args a;
    pthread_t th;
    unsigned char buf[64];
    int i, got = 0, timeout = 2000;
    rtrl_stream_counters c;
    double t0;
    if (!s) return;
    memset(&a, 0, sizeof a);
    a.stream = s;
    a.reason = (rtrl_stream_stop_reason)99;
    pthread_create(&th, NULL, run_thread, &a);
    zmq_setsockopt(pull, ZMQ_RCVTIMEO, &timeout, sizeof timeout);
    CHECK(zmq_connect(push, in_connect) == 0 && zmq_connect(pull, out_connect) == 0, "connect: %s", zmq_strerror(zmq_errno()));
    for (i = 0; i < 50; i++) {
        size_t n = sample(buf, (uint64_t)i, sin(0.3 * i), sin(0.3 * (i + 1)));
        zmq_send(push, "sensor", 6, ZMQ_SNDMORE);
        zmq_send(push, buf, n, 0);
    }
    for (i = 0; i < 50; i++) {
        char topic[16];
        unsigned char pred[64];
        int more = 0;
        size_t len = sizeof more;
        if (zmq_recv(pull, topic, sizeof topic, 0) < 0) break;
        zmq_getsockopt(pull, ZMQ_RCVMORE, &more, &len);
        if (!more || zmq_recv(pull, pred, sizeof pred, 0) != 40) break;
        if (pred[0] == 1 && pred[1] == 2) got++;
    }
    CHECK(got == 50, "50 predictions back, got %d", got);
    /* The counters, read while run() is active (published every 50 ms). */
    t0 = now();
    do {
        memset(&c, 0, sizeof c);
        c.struct_size = sizeof c;
        EXPECT_OK(rtrl_stream_stats(s, &c));
        if (c.messages == 50) break;
        usleep(10000);
    } while (now() - t0 < 3);
    CHECK(c.messages == 50 && c.predictions == 50 && c.streams == 1 && c.malformed == 0,
          "counters: messages %llu predictions %llu streams %llu", (unsigned long long)c.messages,
          (unsigned long long)c.predictions, (unsigned long long)c.streams);
    CHECK(c.mse >= 0 && c.uptime > 0, "mse %g uptime %g", c.mse, c.uptime);
    t0 = now();
    EXPECT_OK(rtrl_stream_stop(s));
    pthread_join(th, NULL);
    CHECK(a.status == RTRL_OK && a.reason == RTRL_STREAM_STOPPED, "run returned %d, reason %d", a.status, (int)a.reason);
    CHECK(a.returned_at - t0 < 1.0, "run returned %.3f s after stop", a.returned_at - t0);
    /* run again: a message limit of 1 with one message queued. */
    {
        size_t n = sample(buf, 50, 0.1, 0.2);
        rtrl_stream_stop_reason r;
        zmq_send(push, "sensor", 6, ZMQ_SNDMORE);
        zmq_send(push, buf, n, 0);
        EXPECT_OK(rtrl_stream_run(s, 1, 5.0, &r));
        CHECK(r == RTRL_STREAM_MESSAGE_LIMIT, "reason %d", (int)r);
        EXPECT_OK(rtrl_stream_run(s, 0, 0.2, &r));
        CHECK(r == RTRL_STREAM_TIMEOUT, "reason %d", (int)r);
    }
    {
        int zero = 0;
        zmq_setsockopt(push, ZMQ_LINGER, &zero, sizeof zero);
        zmq_setsockopt(pull, ZMQ_LINGER, &zero, sizeof zero);
    }
    zmq_close(push);
    zmq_close(pull);
    zmq_ctx_term(ctx);
    rtrl_stream_free(s);
}

static rtrl_stream *signalled;
static void on_alarm(int sig) {
    (void)sig;
    rtrl_stream_stop(signalled);
}

/* rtrl_stream_stop from a signal handler. */
static void test_stop_from_a_signal_handler(void) {
    struct sigaction sa;
    rtrl_stream_stop_reason r = (rtrl_stream_stop_reason)99;
    double t0;
    signalled = create_pull_push(NULL);
    if (!signalled) return;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_alarm;
    sigaction(SIGALRM, &sa, NULL);
    t0 = now();
    alarm(1);
    EXPECT_OK(rtrl_stream_run(signalled, 0, 10.0, &r));
    CHECK(r == RTRL_STREAM_STOPPED, "reason %d", (int)r);
    CHECK(now() - t0 < 3, "stopped after %.2f s", now() - t0);
    rtrl_stream_free(signalled);
}

int main(void) {
    strcpy(dir, "/tmp/rtrl-test-stream-XXXXXX");
    if (!mkdtemp(dir)) { perror("mkdtemp"); return 2; }
    snprintf(in_ep, sizeof in_ep, "@ipc://%s/in", dir);
    snprintf(out_ep, sizeof out_ep, "@ipc://%s/out", dir);
    snprintf(in_connect, sizeof in_connect, "ipc://%s/in", dir);
    snprintf(out_connect, sizeof out_connect, "ipc://%s/out", dir);
    test_misuse();
    test_run_and_stop_from_another_thread();
    test_stop_from_a_signal_handler();
    {
        char path[160];
        snprintf(path, sizeof path, "%s/in", dir); unlink(path);
        snprintf(path, sizeof path, "%s/out", dir); unlink(path);
        rmdir(dir);
    }
    return HARNESS_END();
}
