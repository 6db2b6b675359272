/* Minimal test harness: each tests/unit/test_*.c is a program; CHECK counts and reports, and
 * TEST_DONE() prints the closing "N passed, N failed" line and returns the exit code. */
#ifndef PV_TEST_H
#define PV_TEST_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

static int test_passed_, test_failed_, test_skipped_;

/* A check that cannot be made here (the machine lacks what it needs): counted as skipped. */
#define SKIP(...)                                                                \
    do {                                                                         \
        test_skipped_++;                                                         \
        fprintf(stderr, "skipped: ");                                            \
        fprintf(stderr, __VA_ARGS__);                                            \
        fputc('\n', stderr);                                                     \
    } while (0)

#define CHECK(cond, ...)                                                         \
    do {                                                                         \
        if (cond) {                                                              \
            test_passed_++;                                                      \
        } else {                                                                 \
            test_failed_++;                                                      \
            fprintf(stderr, "%s:%d: check failed: %s: ", __FILE__, __LINE__, #cond); \
            fprintf(stderr, __VA_ARGS__);                                        \
            fputc('\n', stderr);                                                 \
        }                                                                        \
    } while (0)

/* Where the shared read-only fixtures are (PAREVM_FIXTURES, default ../shared/fixtures). */
static inline const char *test_fixtures_dir(void)
{
    const char *d = getenv("PAREVM_FIXTURES");
    return d && *d ? d : "../shared/fixtures";
}

/* The tests' pseudo-random numbers (xorshift64): the next one from *state, which it advances; a
 * fixed non-zero seed gives a fixed sequence. */
static inline uint64_t test_xorshift(uint64_t *state)
{
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    return *state;
}

#define TEST_DONE()                                                              \
    do {                                                                         \
        if (test_skipped_)                                                       \
            printf("%d passed, %d failed, %d skipped\n", test_passed_, test_failed_, test_skipped_); \
        else                                                                     \
            printf("%d passed, %d failed\n", test_passed_, test_failed_);        \
        return test_failed_ ? 1 : 0;                                             \
    } while (0)

#endif
