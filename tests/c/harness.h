/* The C tests' shared harness: a failure counter, CHECK (reports and
 * counts, never aborts, so one run lists every failure), quick mode
 * (WCINIT_TEST_QUICK set: smaller sweeps, for valgrind and sanitizers) and a
 * small xorshift64 for test inputs.  Each test file includes it once. */
#ifndef WCINIT_TEST_HARNESS_H
#define WCINIT_TEST_HARNESS_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

static int failures;
#define CHECK(cond, ...)                                                     \
    do {                                                                     \
        if (!(cond)) {                                                       \
            failures++;                                                      \
            fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__);             \
            fprintf(stderr, __VA_ARGS__);                                    \
            fprintf(stderr, "\n");                                           \
        }                                                                    \
    } while (0)

static int quick(void) { return getenv("WCINIT_TEST_QUICK") != NULL; }

static inline uint64_t xorshift(uint64_t *s)
{
    uint64_t x = *s;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return *s = x;
}

#endif
