/*
 * test_parity — the C ABI against the Swift engine, bit for bit.
 *
 *     test_parity REFERENCE_PROGRAM SCENARIO...
 *
 * For each scenario file, runs it through librtrl's C ABI (scenario.c) and through the
 * Swift engine directly (REFERENCE_PROGRAM = rtrl-capi-reference, built from the same
 * sources as the library), and requires the two trajectories — y(t), E(t), the gradient
 * buffer and the parameters after every step, printed as the bit patterns of the doubles
 * — to be identical line by line.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "scenario.h"

/* Reads a whole stream into a malloc'ed NUL-terminated string. */
static char *slurp(FILE *f, size_t *len) {
    size_t cap = 1 << 16, n = 0, got;
    char *buf = malloc(cap);
    while (buf && (got = fread(buf + n, 1, cap - n - 1, f)) > 0) {
        n += got;
        if (cap - n - 1 == 0) {
            char *bigger = realloc(buf, cap * 2);
            if (!bigger) { free(buf); return NULL; }
            buf = bigger;
            cap *= 2;
        }
    }
    if (buf) buf[n] = '\0';
    *len = n;
    return buf;
}

static size_t count_lines(const char *s) {
    size_t n = 0;
    for (; *s; s++) n += *s == '\n';
    return n;
}

/* The 1-based number of the first line where a and b differ (0 if equal). */
static size_t first_difference(const char *a, const char *b) {
    size_t line = 1;
    for (; *a && *a == *b; a++, b++) line += *a == '\n';
    return *a == *b ? 0 : line;
}

/* The text after the last " P " of the last line: the final parameters. */
static const char *final_params(const char *s) {
    const char *last_line = s, *p, *found = NULL;
    size_t n = strlen(s);
    for (p = s; n > 0 && p < s + n - 1; p++)
        if (*p == '\n') last_line = p + 1;
    for (p = last_line; (p = strstr(p, " P ")) != NULL; p++) found = p + 3;
    return found ? found : "";
}

/* Runs the reference program on `path` and returns its output (malloc'ed). */
static char *reference_output(const char *reference, const char *path) {
    char command[4096];
    char *out = NULL;
    size_t len = 0;
    FILE *pipe;
    /* Under valgrind the library runs on valgrind's synthetic CPU, whose CPUID can select
       other kernels (and so other rounding) than the host's: the reference must then
       run on the same synthetic CPU, RTRL_REFERENCE_WRAPPER="valgrind -q". */
    const char *wrapper = getenv("RTRL_REFERENCE_WRAPPER");
    snprintf(command, sizeof command, "%s '%s' '%s'", wrapper ? wrapper : "", reference, path);
    pipe = popen(command, "r");
    CHECK(pipe != NULL, "cannot run %s", command);
    if (!pipe) return NULL;
    out = slurp(pipe, &len);
    CHECK(pclose(pipe) == 0, "%s exited with an error", command);
    return out;
}

/* The trajectory of `path` through the C ABI (malloc'ed). */
static char *abi_output(const char *path, size_t *len) {
    char *out = NULL;
    FILE *mem = open_memstream(&out, len);
    int rc = scenario_run(path, mem);
    fclose(mem);
    CHECK(rc == 0, "%s: the C run failed", path);
    return out;
}

/* The comparison can fail: the trajectories of two different scenarios differ. */
static void control(const char *reference, const char *a, const char *b) {
    size_t len = 0;
    char *ours = abi_output(a, &len);
    char *theirs = reference_output(reference, b);
    if (ours && theirs) CHECK(first_difference(ours, theirs) != 0, "%s and %s compare equal", a, b);
    free(ours);
    free(theirs);
}

static void compare_scenario(const char *reference, const char *path) {
    size_t ours_len = 0, diff;
    char *ours = abi_output(path, &ours_len);
    char *theirs = reference_output(reference, path);
    if (ours && theirs) {
        const char *end = strchr(ours, '\n');
        CHECK(count_lines(ours) == 501, "%s: %zu lines through the C ABI, expected 501", path, count_lines(ours));
        /* The run learned something: the final parameters differ from the initial ones. */
        CHECK(end && strncmp(ours + 2, final_params(ours), (size_t)(end - ours - 2)) != 0,
              "%s: the parameters did not change", path);
        diff = first_difference(ours, theirs);
        CHECK(diff == 0, "%s: the C ABI and the Swift engine differ at line %zu", path, diff);
        if (diff == 0) printf("parity %-60s %zu lines, %zu bytes identical\n", path, count_lines(ours), ours_len);
    }
    free(ours);
    free(theirs);
}

int main(int argc, char **argv) {
    int i;
    if (argc < 3) {
        fprintf(stderr, "usage: test_parity REFERENCE_PROGRAM SCENARIO...\n");
        return 2;
    }
    for (i = 2; i < argc; i++) compare_scenario(argv[1], argv[i]);
    if (argc > 3) control(argv[1], argv[2], argv[3]);
    return HARNESS_END();
}
