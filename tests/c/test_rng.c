/* Tests of the generator state (csrc/rng.c), without Python: reservations
 * and spawns are atomic under threads (no block or child handed out twice,
 * none skipped), the state round-trips (the spawn counter included), the 0.1
 * state is read, and bad states leave the generator unchanged.  Run from the
 * project root (make -C tests/c). */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wcinit.h"

#include "harness.h"

static int same_gen(const wc_generator *a, const wc_generator *b)
{
    return a->seed == b->seed && a->stream == b->stream && a->offset == b->offset &&
           a->spawned == b->spawned;
}

/* ---- reservation under threads ------------------------------------------------ */

#define NTHREADS 8

typedef struct {
    wc_generator *g;
    int id, count;
    uint64_t *first, *n; /* this thread's reservations */
    int bad_key;
} reserve_job;

static void *reserve_worker(void *arg)
{
    reserve_job *j = arg;
    uint64_t s = 0x9E3779B97F4A7C15u * (uint64_t)(j->id + 1);
    for (int i = 0; i < j->count; i++) {
        wc_rng r;
        uint64_t n = 1 + xorshift(&s) % 97;
        if (wc_gen_reserve(j->g, n, &r) < 0) {
            j->bad_key = 1;
            continue;
        }
        if (r.seed != j->g->seed || r.stream != j->g->stream)
            j->bad_key = 1;
        j->first[i] = r.offset;
        j->n[i] = n;
    }
    return NULL;
}

typedef struct {
    uint64_t first, n;
} range;

static int cmp_range(const void *x, const void *y)
{
    uint64_t a = ((const range *)x)->first, b = ((const range *)y)->first;
    return (a > b) - (a < b);
}

static void test_reserve_threads(void)
{
    int per = quick() ? 2000 : 20000;
    wc_generator g;
    wc_gen_init(&g, 123, 456);
    pthread_t th[NTHREADS];
    reserve_job jobs[NTHREADS];
    range *all = malloc(sizeof *all * NTHREADS * (size_t)per);
    for (int t = 0; t < NTHREADS; t++) {
        jobs[t] = (reserve_job){&g, t, per, malloc(8 * (size_t)per), malloc(8 * (size_t)per), 0};
        pthread_create(&th[t], NULL, reserve_worker, &jobs[t]);
    }
    uint64_t total = 0;
    for (int t = 0; t < NTHREADS; t++) {
        pthread_join(th[t], NULL);
        CHECK(!jobs[t].bad_key, "thread %d: a reservation failed or had the wrong key", t);
        for (int i = 0; i < per; i++) {
            all[t * per + i] = (range){jobs[t].first[i], jobs[t].n[i]};
            total += jobs[t].n[i];
        }
        free(jobs[t].first);
        free(jobs[t].n);
    }
    CHECK(g.offset == total, "offset %llu after reserving %llu blocks",
          (unsigned long long)g.offset, (unsigned long long)total);
    qsort(all, (size_t)NTHREADS * per, sizeof *all, cmp_range);
    uint64_t pos = 0;
    int gaps = 0;
    for (size_t i = 0; i < (size_t)NTHREADS * per; i++) {
        gaps += all[i].first != pos;
        pos = all[i].first + all[i].n;
    }
    CHECK(gaps == 0 && pos == total,
          "%d reservations overlap or leave a gap (blocks [0, %llu) expected)", gaps,
          (unsigned long long)total);
    free(all);
}

static void test_reserve_exhausted(void)
{
    wc_generator g;
    wc_gen_init(&g, 1, 2);
    g.offset = UINT64_MAX - 10;
    wc_rng r = {0, 0, 0};
    CHECK(wc_gen_reserve(&g, 10, &r) == 0 && r.offset == UINT64_MAX - 10 && g.offset == UINT64_MAX,
          "the last 10 blocks can be reserved");
    wc_generator before = g;
    CHECK(wc_gen_reserve(&g, 1, &r) == -1, "a reservation past 2^64 blocks fails");
    CHECK(same_gen(&g, &before), "a failed reservation leaves the generator unchanged");
    CHECK(wc_gen_reserve(&g, 0, &r) == 0, "an empty reservation always succeeds");
}

/* ---- spawn -------------------------------------------------------------------- */

static uint64_t splitmix64(uint64_t x)
{
    x += UINT64_C(0x9E3779B97F4A7C15);
    x = (x ^ (x >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    x = (x ^ (x >> 27)) * UINT64_C(0x94D049BB133111EB);
    return x ^ (x >> 31);
}

typedef struct {
    wc_generator *g;
    int id, batches;
    uint64_t *streams; /* batches * 4 */
    int bad;
} spawn_job;

static void *spawn_worker(void *arg)
{
    spawn_job *j = arg;
    for (int b = 0; b < j->batches; b++) {
        wc_generator kids[4];
        if (wc_gen_spawn(j->g, 4, kids) < 0) {
            j->bad = 1;
            continue;
        }
        for (int i = 0; i < 4; i++) {
            j->bad |= kids[i].seed != j->g->seed || kids[i].offset != 0 || kids[i].spawned != 0;
            j->streams[4 * b + i] = kids[i].stream;
        }
    }
    return NULL;
}

static void test_spawn(void)
{
    /* the documented child streams: splitmix64(stream ^ splitmix64(k)), k = 1, 2, ... */
    wc_generator g, kids[3];
    wc_gen_init(&g, 5, 77);
    CHECK(wc_gen_spawn(&g, 3, kids) == 0 && g.spawned == 3, "spawn(3) advances the counter by 3");
    for (int i = 0; i < 3; i++)
        CHECK(kids[i].seed == 5 && kids[i].stream == splitmix64(77 ^ splitmix64((uint64_t)i + 1)) &&
              kids[i].offset == 0 && kids[i].spawned == 0, "child %d", i);
    CHECK(wc_gen_spawn(&g, 0, kids) == 0 && g.spawned == 3, "spawn(0) hands out nothing");

    /* under threads: batches of 4 get consecutive child indices, none twice */
    int batches = quick() ? 500 : 5000;
    wc_generator p;
    wc_gen_init(&p, 9, 1);
    pthread_t th[NTHREADS];
    spawn_job jobs[NTHREADS];
    for (int t = 0; t < NTHREADS; t++) {
        jobs[t] = (spawn_job){&p, t, batches, malloc(8 * 4 * (size_t)batches), 0};
        pthread_create(&th[t], NULL, spawn_worker, &jobs[t]);
    }
    size_t total = (size_t)NTHREADS * batches * 4;
    /* child k's stream -> k, sorted by stream, to look children up */
    range *index = malloc(sizeof *index * total);
    for (size_t k = 0; k < total; k++)
        index[k] = (range){splitmix64(1 ^ splitmix64(k + 1)), k + 1};
    qsort(index, total, sizeof *index, cmp_range);
    unsigned char *seen = calloc(total + 1, 1);
    int nonconsecutive = 0, unknown = 0, twice = 0;
    for (int t = 0; t < NTHREADS; t++) {
        pthread_join(th[t], NULL);
        CHECK(!jobs[t].bad, "thread %d: a spawn failed or a child was not fresh", t);
        for (int b = 0; b < batches; b++) {
            uint64_t k[4];
            for (int i = 0; i < 4; i++) {
                range key = {jobs[t].streams[4 * b + i], 0};
                range *r = bsearch(&key, index, total, sizeof *index, cmp_range);
                k[i] = r ? r->n : 0;
                unknown += r == NULL;
                if (r) {
                    twice += seen[k[i]];
                    seen[k[i]] = 1;
                }
            }
            nonconsecutive += k[1] != k[0] + 1 || k[2] != k[0] + 2 || k[3] != k[0] + 3;
        }
        free(jobs[t].streams);
    }
    CHECK(unknown == 0 && twice == 0,
          "concurrent spawns: %d children not among children 1..%zu, %d handed out twice",
          unknown, total, twice);
    CHECK(nonconsecutive == 0, "%d batches of spawn(4) did not get 4 consecutive children",
          nonconsecutive);
    CHECK(p.spawned == total, "spawn counter %llu after %zu children",
          (unsigned long long)p.spawned, total);
    free(index);
    free(seen);

    wc_generator before;
    g.spawned = UINT64_MAX - 1;
    before = g;
    CHECK(wc_gen_spawn(&g, 2, kids) == -1 && same_gen(&g, &before),
          "a spawn past 2^64 children fails and leaves the generator unchanged");
}

/* ---- state ---------------------------------------------------------------------- */

static void test_state(void)
{
    wc_generator g, h, kg[7], kh[2];
    wc_rng rg, rh;
    wc_gen_init(&g, UINT64_C(0xFEDCBA9876543210), UINT64_C(0x0123456789ABCDEF));
    wc_gen_reserve(&g, 1000, &rg);
    wc_gen_spawn(&g, 7, kg);
    unsigned char st[WC_GEN_STATE_BYTES];
    wc_gen_get_state(&g, st);
    static const unsigned char want[WC_GEN_STATE_BYTES] = {
        'w', 'c', 'P', 'h', 'x', '2', 0, 0,
        0x10, 0x32, 0x54, 0x76, 0x98, 0xBA, 0xDC, 0xFE, /* seed, little-endian */
        0xEF, 0xCD, 0xAB, 0x89, 0x67, 0x45, 0x23, 0x01, /* stream */
        0xE8, 0x03, 0, 0, 0, 0, 0, 0,                   /* offset 1000 */
        7, 0, 0, 0, 0, 0, 0, 0};                        /* spawned 7 */
    CHECK(memcmp(st, want, sizeof want) == 0, "state layout");

    wc_gen_init(&h, 1, 2);
    CHECK(wc_gen_set_state(&h, st, sizeof st) == 0 && same_gen(&g, &h), "state round trip");
    /* the restored generator continues exactly: same blocks, same children */
    wc_gen_reserve(&g, 5, &rg);
    wc_gen_reserve(&h, 5, &rh);
    CHECK(rg.offset == rh.offset && rg.offset == 1000, "restored reservation");
    wc_gen_spawn(&g, 2, kg);
    wc_gen_spawn(&h, 2, kh);
    CHECK(same_gen(&kg[0], &kh[0]) && same_gen(&kg[1], &kh[1]),
          "a restored generator's spawn hands out the next children, not issued ones");
    wc_generator k8;
    wc_generator fresh;
    wc_gen_init(&fresh, g.seed, g.stream);
    wc_generator first9[9];
    wc_gen_spawn(&fresh, 9, first9);
    k8 = first9[7];
    CHECK(same_gen(&kh[0], &k8), "after 7 children, the next is child 8");

    /* the 0.1 state: 32 bytes, magic wcPhx1, no spawn counter */
    unsigned char v1[WC_GEN_STATE_BYTES_V1];
    memcpy(v1, "wcPhx1\0\0", 8);
    memcpy(v1 + 8, st + 8, 24);
    CHECK(wc_gen_set_state(&h, v1, sizeof v1) == 0 && h.seed == g.seed &&
          h.stream == g.stream && h.offset == 1000 && h.spawned == 0, "0.1 state read");

    /* bad states: error code, generator unchanged */
    wc_generator before = h;
    CHECK(wc_gen_set_state(&h, st, 39) == -1 && same_gen(&h, &before), "39 bytes refused");
    CHECK(wc_gen_set_state(&h, st, 0) == -1 && same_gen(&h, &before), "0 bytes refused");
    unsigned char bad[WC_GEN_STATE_BYTES];
    memcpy(bad, st, sizeof bad);
    bad[5] = '3';
    CHECK(wc_gen_set_state(&h, bad, sizeof bad) == -2 && same_gen(&h, &before), "magic refused");
    memcpy(bad, v1, sizeof v1);
    memcpy(bad, "wcPhx2\0\0", 8); /* a v2 magic on 32 bytes */
    CHECK(wc_gen_set_state(&h, bad, 32) == -2 && same_gen(&h, &before), "v2 magic on 32 bytes");

    /* re-initialising is Generator(seed): everything reset */
    wc_gen_init(&g, 42, 0);
    wc_gen_init(&h, 42, 0);
    CHECK(same_gen(&g, &h) && g.offset == 0 && g.spawned == 0, "init resets offset and spawns");

    CHECK(wc_entropy_seed() != wc_entropy_seed(), "two entropy seeds are equal (p = 2^-64)");
}

int main(void)
{
    test_reserve_threads();
    test_reserve_exhausted();
    test_spawn();
    test_state();
    if (failures) {
        fprintf(stderr, "test_rng: %d failure(s)\n", failures);
        return 1;
    }
    printf("test_rng: all passed\n");
    return 0;
}
