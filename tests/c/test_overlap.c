/* Tests of wc_self_overlap (csrc/overlap.c), without Python: known layouts
 * (the (3, 2) view with strides (8, 12) among them), the limits, and
 * random small layouts against a brute-force byte map.  Run from the project
 * root (make -C tests/c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wcinit.h"

#include "harness.h"

/* ---- overlap -------------------------------------------------------------------- */

/* Brute force: mark every byte of every element; 1 if a byte is marked twice. */
static int overlap_brute(int nd, const int64_t *shape, const int64_t *strides, int64_t es)
{
    int64_t lo = 0, hi = 0, count = 1;
    for (int d = 0; d < nd; d++) {
        if (shape[d] == 0)
            return 0;
        count *= shape[d];
        int64_t e = strides[d] * (shape[d] - 1);
        if (e < 0)
            lo += e;
        else
            hi += e;
    }
    size_t len = (size_t)(hi - lo + es);
    unsigned char *map = calloc(len, 1);
    int64_t idx[8] = {0};
    int over = 0;
    for (int64_t k = 0; k < count && !over; k++) {
        int64_t off = -lo;
        for (int d = 0; d < nd; d++)
            off += idx[d] * strides[d];
        for (int64_t b = 0; b < es; b++)
            over |= map[off + b]++ != 0;
        for (int d = nd - 1; d >= 0; d--) {
            if (++idx[d] < shape[d])
                break;
            idx[d] = 0;
        }
    }
    free(map);
    return over;
}

static void test_overlap(void)
{
    /* the view: float32, shape (3, 2), strides (8, 12): offsets 0 12 8 20 16 28 */
    int64_t sh[2] = {3, 2}, st[2] = {8, 12};
    CHECK(wc_self_overlap(2, sh, st, 4, 1 << 20) == 0, "(3,2) strides (8,12) does not overlap");
    int64_t st2[2] = {4, 8}; /* offsets 0 8 4 12 8 ...: 8 twice */
    CHECK(wc_self_overlap(2, sh, st2, 4, 1 << 20) == 1, "(3,2) strides (4,8) overlaps");
    int64_t st3[2] = {2, 8}; /* bytes 0-3 and 2-5 */
    CHECK(wc_self_overlap(2, sh, st3, 4, 1 << 20) == 1, "strides of half an element overlap");
    int64_t st0[2] = {0, 4};
    CHECK(wc_self_overlap(2, sh, st0, 4, 1 << 20) == 1, "a stride-0 dim overlaps");
    int64_t big[2] = {INT64_C(1) << 62, INT64_C(1) << 62}, big3[2] = {3, 3};
    CHECK(wc_self_overlap(2, big3, big, 4, 1 << 20) == 1, "spans beyond int64 count as overlap");
    int64_t e0[2] = {0, 5}, es0[2] = {0, 0};
    CHECK(wc_self_overlap(2, e0, es0, 4, 1 << 20) == 0, "an empty array does not overlap");
    /* a large array whose inner (3, 2) block needs the exact test: only it is enumerated */
    int64_t lsh[4] = {1000, 1000, 3, 2}, lst[4] = {32 * 1000, 32, 8, 12};
    CHECK(wc_self_overlap(4, lsh, lst, 4, 64) == 0, "only the failing inner dims are enumerated");
    CHECK(wc_self_overlap(2, sh, st, 4, 5) == -1, "undecided beyond max_elems");

    /* random small layouts against the byte map */
    uint64_t s = 12345;
    int n = quick() ? 3000 : 30000, wrong = 0;
    for (int t = 0; t < n; t++) {
        int nd = 1 + (int)(xorshift(&s) % 4);
        int64_t shape[4] = {0}, strides[4] = {0}, es = (int64_t)1 << (xorshift(&s) % 4);
        for (int d = 0; d < nd; d++) {
            shape[d] = (int64_t)(xorshift(&s) % 5);
            strides[d] = (int64_t)(xorshift(&s) % 41) - 20;
        }
        int want = overlap_brute(nd, shape, strides, es);
        int got = wc_self_overlap(nd, shape, strides, es, 1 << 20);
        if (got != want && wrong++ < 5)
            fprintf(stderr, "overlap: nd %d shape %lld %lld %lld %lld strides %lld %lld %lld %lld "
                    "es %lld: got %d want %d\n", nd, (long long)shape[0], (long long)shape[1],
                    (long long)shape[2], (long long)shape[3], (long long)strides[0],
                    (long long)strides[1], (long long)strides[2], (long long)strides[3],
                    (long long)es, got, want);
    }
    CHECK(wrong == 0, "wc_self_overlap disagrees with the byte map in %d of %d layouts", wrong, n);
}

int main(void)
{
    test_overlap();
    if (failures) {
        fprintf(stderr, "test_overlap: %d failure(s)\n", failures);
        return 1;
    }
    printf("test_overlap: all passed\n");
    return 0;
}
