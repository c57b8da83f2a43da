/* Generator state: seeding, atomic reservation of counter blocks, spawn, and
 * the serialized state.  C11, no Python (the glue in pymodule.c parses,
 * checks and calls these).
 *
 * offset and spawned are read and written only with the __atomic builtins
 * (GCC, Clang), so the struct stays plain data that C++ can include.
 */
#if defined(__linux__) && !defined(_GNU_SOURCE)
#define _GNU_SOURCE /* getrandom */
#endif
#include <stdio.h>
#include <string.h>
#include <time.h>
#if defined(__linux__)
#include <sys/random.h>
#endif

#include "wcinit.h"

static const unsigned char state_magic_v2[8] = {'w', 'c', 'P', 'h', 'x', '2', 0, 0};
static const unsigned char state_magic_v1[8] = {'w', 'c', 'P', 'h', 'x', '1', 0, 0};

static uint64_t splitmix64(uint64_t x)
{
    /* Steele, Lea & Flood, "Fast splittable pseudorandom number generators" (2014) */
    x += UINT64_C(0x9E3779B97F4A7C15);
    x = (x ^ (x >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    x = (x ^ (x >> 27)) * UINT64_C(0x94D049BB133111EB);
    return x ^ (x >> 31);
}

void wc_gen_init(wc_generator *g, uint64_t seed, uint64_t stream)
{
    g->seed = seed;
    g->stream = stream;
    __atomic_store_n(&g->offset, 0, __ATOMIC_SEQ_CST);
    __atomic_store_n(&g->spawned, 0, __ATOMIC_SEQ_CST);
}

/* Atomically add n to *counter unless that wraps 2^64; the old value in *first. */
static int fetch_add_bounded(uint64_t *counter, uint64_t n, uint64_t *first)
{
    uint64_t old = __atomic_load_n(counter, __ATOMIC_RELAXED);
    for (;;) {
        if (old > UINT64_MAX - n)
            return -1;
        if (__atomic_compare_exchange_n(counter, &old, old + n, 1, __ATOMIC_RELAXED,
                                        __ATOMIC_RELAXED)) {
            *first = old;
            return 0;
        }
    }
}

int wc_gen_reserve(wc_generator *g, uint64_t nblocks, wc_rng *rng)
{
    uint64_t first;
    if (fetch_add_bounded(&g->offset, nblocks, &first) < 0)
        return -1;
    rng->seed = g->seed;
    rng->stream = g->stream;
    rng->offset = first;
    return 0;
}

int wc_gen_spawn(wc_generator *g, uint64_t n, wc_generator *children)
{
    uint64_t k0;
    if (fetch_add_bounded(&g->spawned, n, &k0) < 0)
        return -1;
    for (uint64_t i = 0; i < n; i++)
        wc_gen_init(&children[i], g->seed, splitmix64(g->stream ^ splitmix64(k0 + i + 1)));
    return 0;
}

uint64_t wc_entropy_seed(void)
{
    uint64_t s = 0;
#if defined(__linux__)
    if (getrandom(&s, sizeof s, 0) == (ssize_t)sizeof s)
        return s;
#endif
    FILE *f = fopen("/dev/urandom", "rb");
    size_t got = f ? fread(&s, sizeof s, 1, f) : 0;
    if (f)
        fclose(f);
    if (got != 1) /* no entropy source at all: address and clock, mixed */
        s = splitmix64((uint64_t)(uintptr_t)&s ^ splitmix64((uint64_t)time(NULL)) ^
                       (uint64_t)clock());
    return s;
}

static void put64(unsigned char *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

static uint64_t get64(const unsigned char *p)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v |= (uint64_t)p[i] << (8 * i);
    return v;
}

void wc_gen_get_state(const wc_generator *g, unsigned char out[WC_GEN_STATE_BYTES])
{
    memcpy(out, state_magic_v2, 8);
    put64(out + 8, g->seed);
    put64(out + 16, g->stream);
    put64(out + 24, __atomic_load_n(&g->offset, __ATOMIC_SEQ_CST));
    put64(out + 32, __atomic_load_n(&g->spawned, __ATOMIC_SEQ_CST));
}

int wc_gen_set_state(wc_generator *g, const unsigned char *state, size_t len)
{
    uint64_t spawned;
    if (len == WC_GEN_STATE_BYTES) {
        if (memcmp(state, state_magic_v2, 8) != 0)
            return -2;
        spawned = get64(state + 32);
    } else if (len == WC_GEN_STATE_BYTES_V1) {
        if (memcmp(state, state_magic_v1, 8) != 0)
            return -2;
        spawned = 0;
    } else {
        return -1;
    }
    g->seed = get64(state + 8);
    g->stream = get64(state + 16);
    __atomic_store_n(&g->offset, get64(state + 24), __ATOMIC_SEQ_CST);
    __atomic_store_n(&g->spawned, spawned, __ATOMIC_SEQ_CST);
    return 0;
}
