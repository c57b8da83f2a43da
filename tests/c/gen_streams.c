/* Writes the pinned streams, tests/data/streams.tsv, from the scalar path on
 * one thread:  make -C tests/c streams   (from the project root: the file path
 * is relative to it).  The cases: every sampler x dtype x a few parameter sets
 * x three generator positions; the format is described in streams.h.
 * Regenerating changes the file only when a sampler's bits change, which is a
 * deliberate, versioned event (CHANGELOG.md). */
#include <math.h>

#include "streams.h"

/* (seed, stream, offset, start): the default position; an offset and a start
 * whose first 16 elements cross a tile boundary (64 = two float64 tiles); and
 * extreme words with an offset whose low counter word wraps after one tile and
 * a start past 2^20. */
static const uint64_t positions[][4] = {
    {0, 0, 0, 0},
    {20240407, 3, 48, 60},
    {UINT64_C(0xffffffffffffffff), UINT64_C(0x8000000000000005), UINT64_C(0xfffffff0), 1000037},
};
#define NPOS (sizeof positions / sizeof *positions)

static const struct { const char *kind; int nprm; double prm[4]; } params[] = {
    {"uniform", 2, {0.0, 1.0}},
    {"uniform", 2, {-0.04, 0.04}},
    {"uniform", 2, {4.0, 4.00001}},                 /* a width of ~21 float32 ulps */
    {"normal", 2, {0.0, 1.0}},
    {"normal", 2, {0.5, 0.02}},
    {"trunc_normal", 4, {0.0, 1.0, -2.0, 2.0}},     /* the defaults */
    {"trunc_normal", 4, {0.0, 0.02, -0.04, 0.04}},  /* ViT's std = .02 on [-2 std, 2 std] */
    {"trunc_normal", 4, {0.0, 1.0, 2.0, 3.0}},      /* upper tail */
    {"trunc_normal", 4, {0.0, 1.0, 0.5, 0.5001}},   /* narrow */
    {"trunc_normal", 4, {1.0, 0.5, -INFINITY, 0.0}},/* reflected, half-infinite */
    {"trunc_normal", 4, {0.0, 1.0, 30.0, 31.0}},    /* log-space branch */
};
#define NPRM (sizeof params / sizeof *params)

static void hexlist(FILE *f, const double *v, int n)
{
    for (int i = 0; i < n; i++)
        fprintf(f, "%s%a", i ? "," : "", v[i]);
    if (n == 0)
        fputc('-', f);
}

static int emit(FILE *f, const stream_case *c)
{
    static char first[STREAMS_FIRST * 20 + 1];
    char sha[65];
    if (stream_compute(c, 1, c->n, first, sizeof first, sha) < 0) {
        fprintf(stderr, "gen_streams: bad case %s %s\n", c->kind, c->dtype);
        return -1;
    }
    fprintf(f, "%s\t%s\t", c->kind, c->dtype);
    if (strcmp(c->kind, "sparse") == 0)
        fprintf(f, "%d,%d,%d", (int)c->prm[0], (int)c->prm[1], (int)c->prm[2]);
    else
        hexlist(f, c->prm, c->nprm);
    fprintf(f, "\t%" PRIu64 "\t%" PRIu64 "\t%" PRIu64 "\t%" PRIu64 "\t%" PRIu64 "\t%s\t%s\n",
            c->seed, c->stream, c->offset, c->start, c->n, first, sha);
    return 0;
}

int main(int argc, char **argv)
{
    const char *path = argc > 1 ? argv[1] : STREAMS_FILE;
    if (wc_isa_set(WC_ISA_SCALAR) != 0)
        return 2;
    FILE *f = fopen(path, "w");
    if (!f) {
        perror(path);
        return 2;
    }
    fprintf(f, "# wcinit pinned streams -- do not edit; regenerate with make -C tests/c streams\n"
               "# written by tests/c/gen_streams.c from the scalar path, one thread; format in "
               "tests/c/streams.h\n"
               "# kind\tdtype\tparams\tseed\tstream\toffset\tstart\tn\tfirst\tsha256\n");
    int lines = 0;
    for (size_t k = 0; k < NPRM; k++)
        for (int d = 0; d < 4; d++)
            for (size_t q = 0; q < NPOS; q++) {
                stream_case c;
                memset(&c, 0, sizeof c);
                snprintf(c.kind, sizeof c.kind, "%s", params[k].kind);
                snprintf(c.dtype, sizeof c.dtype, "%s", stream_dtypes[d]);
                c.nprm = params[k].nprm;
                memcpy(c.prm, params[k].prm, sizeof c.prm);
                c.seed = positions[q][0];
                c.stream = positions[q][1];
                c.offset = positions[q][2];
                c.start = positions[q][3];
                c.n = STREAMS_N;
                if (emit(f, &c) < 0)
                    return 1;
                lines++;
            }
    for (int w = 0; w < 2; w++)
        for (size_t q = 0; q < NPOS; q++) {
            stream_case c;
            memset(&c, 0, sizeof c);
            snprintf(c.kind, sizeof c.kind, "raw");
            snprintf(c.dtype, sizeof c.dtype, "%s", w ? "uint64" : "uint32");
            c.seed = positions[q][0];
            c.stream = positions[q][1];
            c.offset = positions[q][2];
            c.start = positions[q][3];
            c.n = STREAMS_N;
            if (emit(f, &c) < 0)
                return 1;
            lines++;
        }
    /* sparse_: the zeros of a float32 (100, 37) matrix with 10 zeros per column,
     * at the offset where sparse_ reserves them (after its normal fill). */
    for (size_t q = 0; q < NPOS; q++) {
        stream_case c;
        memset(&c, 0, sizeof c);
        snprintf(c.kind, sizeof c.kind, "sparse");
        snprintf(c.dtype, sizeof c.dtype, "float32");
        c.prm[0] = 100;
        c.prm[1] = 37;
        c.prm[2] = 10;
        c.nprm = 3;
        c.seed = positions[q][0];
        c.stream = positions[q][1];
        c.offset = positions[q][2] + wc_blocks_for(100 * 37, WC_F32);
        c.start = 0;
        c.n = 100 * 37;
        if (emit(f, &c) < 0)
            return 1;
        lines++;
    }
    if (fclose(f) != 0)
        return 2;
    printf("gen_streams: %d cases written to %s\n", lines, path);
    return 0;
}
