/*
 * harness.h — the tiny assertion harness of the C tests.
 *
 * CHECK(cond, fmt, ...) counts a pass or prints a failure (file:line, the condition and
 * a message) and counts it; HARNESS_END() prints "N passed, N failed" and returns the
 * process status (nonzero when anything failed). EXPECT_STATUS(call, status) checks a
 * status; EXPECT_FAIL(call, status) also checks that the failing call left a fresh,
 * non-empty message in rtrl_last_error().
 */
#ifndef RTRL_TEST_HARNESS_H
#define RTRL_TEST_HARNESS_H

#include <stdio.h>
#include <string.h>

#include "rtrl.h"

static int harness_passed;
static int harness_failed;

#define CHECK(cond, ...)                                                        \
    do {                                                                        \
        if (cond) {                                                             \
            harness_passed++;                                                   \
        } else {                                                                \
            harness_failed++;                                                   \
            fprintf(stderr, "%s:%d: FAILED: %s: ", __FILE__, __LINE__, #cond);  \
            fprintf(stderr, __VA_ARGS__);                                       \
            fputc('\n', stderr);                                                \
        }                                                                       \
    } while (0)

#define EXPECT_STATUS(call, expected)                                           \
    do {                                                                        \
        rtrl_status harness_s_ = (call);                                        \
        CHECK(harness_s_ == (expected), "%s returned %d (%s), expected %d; last error: %s", \
              #call, (int)harness_s_, rtrl_status_string(harness_s_), (int)(expected), \
              rtrl_last_error());                                               \
    } while (0)

#define EXPECT_OK(call) EXPECT_STATUS(call, RTRL_OK)

/* Sets the thread's last error to a known marker by a call that must fail (a file that
   does not exist, named so that no other message can contain it). */
#define HARNESS_MARKER "/nonexistent/rtrl-harness-marker"
static inline void harness_mark_last_error(void) {
    rtrl_net *unused = NULL;
    (void)rtrl_net_load(HARNESS_MARKER, &unused);
}

#define EXPECT_FAIL(call, expected)                                             \
    do {                                                                        \
        harness_mark_last_error();                                              \
        {                                                                       \
            rtrl_status harness_s_ = (call);                                    \
            const char *harness_m_ = rtrl_last_error();                         \
            CHECK(harness_s_ == (expected) && harness_m_[0] != '\0' &&          \
                      strstr(harness_m_, HARNESS_MARKER) == NULL,                  \
                  "%s returned %d (%s), expected %d; message: \"%s\"", #call,   \
                  (int)harness_s_, rtrl_status_string(harness_s_), (int)(expected), \
                  harness_m_);                                                  \
        }                                                                       \
    } while (0)

#define HARNESS_END()                                                           \
    (printf("%d passed, %d failed\n", harness_passed, harness_failed),          \
     harness_failed == 0 ? 0 : 1)

#endif
