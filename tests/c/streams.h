/* The pinned streams: which cases tests/data/streams.tsv holds (gen_streams.c
 * writes it from the scalar path), how one case is computed through the core,
 * and how a line of the file is read back (test_streams.c compares every SIMD
 * path and thread count against it; tests/test_streams.py does the same through
 * the Python API).
 *
 * One line per case, tab-separated:
 *   kind  dtype  params  seed  stream  offset  start  n  first  sha256
 * kind     uniform (a, b) | normal (mean, std) | trunc_normal (mean, std, a, b)
 *          | raw (Philox words: dtype uint32 = one word per element, uint64 = the
 *          word pair of a float64 element) | sparse (rows, cols, nzero)
 * params   C99 hex floats (%a: exact), comma-separated
 * seed, stream, offset   the generator state of the call (offset in Philox blocks)
 * start    the logical index of the first element (fill_shard's start)
 * n        elements (sparse: rows * cols)
 * first    the first 16 elements' bits in hex, comma-separated (sparse: the rows
 *          zeroed in column 0, increasing)
 * sha256   of the n elements' bytes, little-endian (sparse: of the row-major
 *          uint8 mask, 1 where zeroed)
 */
#ifndef WC_TEST_STREAMS_H
#define WC_TEST_STREAMS_H

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sha256.h"
#include "wcinit.h"

#define STREAMS_FILE "tests/data/streams.tsv"
#define STREAMS_N 131075 /* odd, and > 2 * 2^16 so that two threads split it */
#define STREAMS_FIRST 16

typedef struct {
    char kind[16];
    char dtype[12];
    double prm[4];
    int nprm;
    uint64_t seed, stream, offset, start, n;
} stream_case;

static const char *const stream_dtypes[] = {"float32", "float64", "float16", "bfloat16"};

static int stream_dtype(const char *name, wc_dtype *dt, size_t *es)
{
    static const struct { const char *name; wc_dtype dt; size_t es; } t[] = {
        {"float32", WC_F32, 4}, {"float64", WC_F64, 8}, {"float16", WC_F16, 2},
        {"bfloat16", WC_BF16, 2}, {"uint32", WC_F32, 4}, {"uint64", WC_F64, 8}};
    for (size_t i = 0; i < sizeof t / sizeof *t; i++)
        if (strcmp(name, t[i].name) == 0) {
            *dt = t[i].dt;
            *es = t[i].es;
            return 0;
        }
    return -1;
}

/* Compute one case on the current SIMD path with nthreads; write the "first"
 * and "sha256" fields.  n_limit < n computes only the first n_limit elements
 * (sha256 is then left empty).  Returns 0, or -1 on a bad case. */
static int stream_compute(const stream_case *c, int nthreads, uint64_t n_limit,
                          char *first, size_t first_len, char sha[65])
{
    wc_dtype dt;
    size_t es;
    if (stream_dtype(c->dtype, &dt, &es) < 0)
        return -1;
    wc_rng rng = {c->seed, c->stream, c->offset};
    uint64_t n = c->n < n_limit ? c->n : n_limit;
    first[0] = 0;
    sha[0] = 0;
    if (strcmp(c->kind, "sparse") == 0) {
        int64_t rows = (int64_t)c->prm[0], cols = (int64_t)c->prm[1], nz = (int64_t)c->prm[2];
        float *a = malloc((size_t)(rows * cols) * sizeof *a);
        uint64_t *scratch = malloc((size_t)(nthreads * 3 * rows) * sizeof *scratch);
        unsigned char *mask = malloc((size_t)(rows * cols));
        if (!a || !scratch || !mask)
            return -1;
        for (int64_t i = 0; i < rows * cols; i++)
            a[i] = 1.0f;
        wc_sparse_zero_columns(&rng, dt, (char *)a, rows, cols, cols * (int64_t)es, (int64_t)es,
                               nz, scratch, nthreads);
        for (int64_t i = 0; i < rows * cols; i++)
            mask[i] = a[i] == 0.0f;
        size_t pos = 0;
        for (int64_t r = 0; r < rows; r++)
            if (mask[r * cols])
                pos += (size_t)snprintf(first + pos, first_len - pos, "%s%" PRId64, pos ? "," : "", r);
        sha256_of(mask, (size_t)(rows * cols), sha);
        free(a);
        free(scratch);
        free(mask);
        return 0;
    }
    wc_params p;
    int rc = 0;
    if (strcmp(c->kind, "uniform") == 0 && c->nprm == 2)
        rc = wc_params_uniform(&p, c->prm[0], c->prm[1]);
    else if (strcmp(c->kind, "normal") == 0 && c->nprm == 2)
        rc = wc_params_normal(&p, c->prm[0], c->prm[1]);
    else if (strcmp(c->kind, "trunc_normal") == 0 && c->nprm == 4)
        rc = wc_params_trunc_normal(&p, c->prm[0], c->prm[1], c->prm[2], c->prm[3]);
    else if (strcmp(c->kind, "raw") == 0 && c->nprm == 0) {
        memset(&p, 0, sizeof p);
        p.dist = WC_RAW;
    } else
        return -1;
    if (rc != 0)
        return -1;
    unsigned char *buf = malloc((size_t)n * es);
    if (!buf)
        return -1;
    int64_t shape[1] = {(int64_t)n}, strides[1] = {(int64_t)es};
    wc_fill_strided(&rng, &p, dt, (char *)buf, 1, shape, strides, c->start, 0, n, nthreads);
    size_t pos = 0;
    for (uint64_t i = 0; i < n && i < STREAMS_FIRST; i++) {
        const char *sep = i ? "," : "";
        if (es == 2) {
            uint16_t v; memcpy(&v, buf + i * 2, 2);
            pos += (size_t)snprintf(first + pos, first_len - pos, "%s%04x", sep, (unsigned)v);
        } else if (es == 4) {
            uint32_t v; memcpy(&v, buf + i * 4, 4);
            pos += (size_t)snprintf(first + pos, first_len - pos, "%s%08" PRIx32, sep, v);
        } else {
            uint64_t v; memcpy(&v, buf + i * 8, 8);
            pos += (size_t)snprintf(first + pos, first_len - pos, "%s%016" PRIx64, sep, v);
        }
    }
    if (n == c->n)
        sha256_of(buf, (size_t)n * es, sha); /* x86-64 and aarch64 are little-endian */
    free(buf);
    return 0;
}
#endif
