/* Whether a strided array's elements overlap in memory.  C11, no Python.
 *
 * Element offsets are sum_d i_d * s_d; reflecting a dim (s -> -s) maps the
 * set of offsets onto a translate of itself, so only |s_d| matters.  With the
 * dims sorted by |s| ascending, let span_k = itemsize + sum_{d<=k} |s_d|(n_d-1),
 * the exact extent of dims 0..k.  A dim whose |s| >= span of the dims before
 * it lays down disjoint copies of them (the nested-stride rule: every layout
 * NumPy makes by slicing, transposing and reshaping passes it everywhere).  So
 * only the dims up to the last one that fails the rule can overlap, and those
 * are decided exactly by enumerating their offsets, sorting them, and looking
 * for two closer than itemsize.
 */
#include <stdlib.h>

#include "wcinit.h"

static int cmp_i64(const void *x, const void *y)
{
    int64_t a = *(const int64_t *)x, b = *(const int64_t *)y;
    return (a > b) - (a < b);
}

int wc_self_overlap(int ndim, const int64_t *shape, const int64_t *strides, int64_t itemsize,
                    uint64_t max_elems)
{
    int64_t n[64], a[64];
    int m = 0;
    if (ndim > 64)
        return -1;
    for (int d = 0; d < ndim; d++)
        if (shape[d] == 0)
            return 0; /* no elements */
    for (int d = 0; d < ndim; d++) {
        if (shape[d] == 1)
            continue;
        if (strides[d] == 0 || strides[d] == INT64_MIN)
            return 1;
        n[m] = shape[d];
        a[m] = strides[d] < 0 ? -strides[d] : strides[d];
        m++;
    }
    /* insertion sort of the dims by |stride| */
    for (int i = 1; i < m; i++) {
        int64_t ai = a[i], ni = n[i];
        int j = i - 1;
        while (j >= 0 && a[j] > ai) {
            a[j + 1] = a[j];
            n[j + 1] = n[j];
            j--;
        }
        a[j + 1] = ai;
        n[j + 1] = ni;
    }
    int64_t span = itemsize;
    int last_fail = -1;
    for (int i = 0; i < m; i++) {
        if (a[i] < span)
            last_fail = i;
        int64_t ext;
        if (__builtin_mul_overflow(a[i], n[i] - 1, &ext) || __builtin_add_overflow(ext, span, &span))
            return 1; /* spans beyond int64: treated as overlapping */
    }
    if (last_fail < 0)
        return 0;
    /* enumerate the offsets of dims 0..last_fail */
    uint64_t count = 1;
    for (int i = 0; i <= last_fail; i++)
        if (__builtin_mul_overflow(count, (uint64_t)n[i], &count) || count > max_elems)
            return -1;
    int64_t *off = malloc((size_t)count * sizeof *off);
    if (off == NULL)
        return -1;
    int64_t idx[64] = {0}, cur = 0;
    for (uint64_t k = 0; k < count; k++) {
        off[k] = cur;
        for (int i = 0; i <= last_fail; i++) { /* odometer: next index vector */
            if (++idx[i] < n[i]) {
                cur += a[i];
                break;
            }
            cur -= a[i] * (n[i] - 1);
            idx[i] = 0;
        }
    }
    qsort(off, (size_t)count, sizeof *off, cmp_i64);
    int overlap = 0;
    for (uint64_t k = 1; k < count && !overlap; k++)
        overlap = off[k] - off[k - 1] < itemsize;
    free(off);
    return overlap;
}
