/* The pinned streams: every case of tests/data/streams.tsv (written by
 * gen_streams.c from the scalar path) recomputed on every SIMD path this CPU
 * has and on 1, 2 and 3 threads, compared field by field with the file.
 * WCINIT_TEST_QUICK=1 (valgrind) checks the first 16 values of every case on
 * one thread, and the full hash only for the raw words.  Run from the project
 * root (make -C tests/c). */
#include "streams.h"

static int failures;

/* Split s at tabs into at most n fields; returns the count. */
static int split_tabs(char *s, char **f, int n)
{
    int k = 0;
    while (k < n) {
        f[k++] = s;
        char *t = strchr(s, '\t');
        if (!t)
            break;
        *t = 0;
        s = t + 1;
    }
    return k;
}

static int parse_case(char *line, stream_case *c, char **first, char **sha)
{
    char *f[10];
    line[strcspn(line, "\r\n")] = 0;
    if (split_tabs(line, f, 10) != 10)
        return -1;
    memset(c, 0, sizeof *c);
    if (strlen(f[0]) >= sizeof c->kind || strlen(f[1]) >= sizeof c->dtype)
        return -1;
    memcpy(c->kind, f[0], strlen(f[0]) + 1);
    memcpy(c->dtype, f[1], strlen(f[1]) + 1);
    if (strcmp(f[2], "-") != 0) {
        char *s = f[2], *end;
        while (c->nprm < 4) {
            c->prm[c->nprm++] = strtod(s, &end);
            if (end == s)
                return -1;
            if (*end != ',')
                break;
            s = end + 1;
        }
    }
    c->seed = strtoull(f[3], NULL, 10);
    c->stream = strtoull(f[4], NULL, 10);
    c->offset = strtoull(f[5], NULL, 10);
    c->start = strtoull(f[6], NULL, 10);
    c->n = strtoull(f[7], NULL, 10);
    *first = f[8];
    *sha = f[9];
    return 0;
}

static void test_sha256(void)
{
    char h[65];
    sha256_of("abc", 3, h);
    if (strcmp(h, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad") != 0) {
        failures++;
        fprintf(stderr, "FAIL sha256(\"abc\") = %s\n", h);
    }
    const char *m = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    sha256_of(m, strlen(m), h);
    if (strcmp(h, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1") != 0) {
        failures++;
        fprintf(stderr, "FAIL sha256(448-bit message) = %s\n", h);
    }
}

int main(void)
{
    int quick = getenv("WCINIT_TEST_QUICK") != NULL;
    test_sha256();
    FILE *f = fopen(STREAMS_FILE, "r");
    if (!f) {
        perror(STREAMS_FILE);
        return 1;
    }
    static char line[4096];
    static char first[STREAMS_FIRST * 20 + 1];
    char sha[65];
    int cases = 0, checks = 0, kinds_seen = 0;
    const char *kinds[] = {"uniform", "normal", "trunc_normal", "raw", "sparse"};
    const int threads[] = {1, 2, 3};
    const int nthreads = quick ? 1 : 3;
    while (fgets(line, sizeof line, f)) {
        if (line[0] == '#' || line[0] == '\n')
            continue;
        stream_case c;
        char *want_first, *want_sha;
        if (parse_case(line, &c, &want_first, &want_sha) < 0) {
            failures++;
            fprintf(stderr, "FAIL unreadable line %d of %s\n", cases + 1, STREAMS_FILE);
            continue;
        }
        cases++;
        for (int k = 0; k < 5; k++)
            if (strcmp(c.kind, kinds[k]) == 0)
                kinds_seen |= 1 << k;
        int full = !quick || strcmp(c.kind, "raw") == 0 || strcmp(c.kind, "sparse") == 0;
        for (int isa = WC_ISA_SCALAR; isa <= (int)wc_isa_best(); isa++) {
            wc_isa_set((wc_isa)isa);
            for (int t = 0; t < nthreads; t++) {
                if (stream_compute(&c, threads[t], full ? c.n : STREAMS_FIRST, first,
                                   sizeof first, sha) < 0) {
                    failures++;
                    fprintf(stderr, "FAIL case %d (%s %s) cannot be computed\n", cases, c.kind,
                            c.dtype);
                    continue;
                }
                checks++;
                int bad_first = strcmp(first, want_first) != 0;
                int bad_sha = full && strcmp(sha, want_sha) != 0;
                if (bad_first || bad_sha) {
                    failures++;
                    if (failures <= 20)
                        fprintf(stderr,
                                "FAIL %s %s params %.17g,%.17g,%.17g,%.17g seed %" PRIu64
                                " offset %" PRIu64 " start %" PRIu64 " on %s, %d threads:%s%s\n",
                                c.kind, c.dtype, c.prm[0], c.prm[1], c.prm[2], c.prm[3], c.seed,
                                c.offset, c.start, wc_isa_name((wc_isa)isa), threads[t],
                                bad_first ? "\n  first values differ from the file" : "",
                                bad_sha ? "\n  sha256 differs from the file" : "");
                }
            }
        }
    }
    fclose(f);
    wc_isa_set(wc_isa_best());
    if (cases < 100 || kinds_seen != 31) {
        failures++;
        fprintf(stderr, "FAIL %s holds %d cases (kinds mask %x): expected every sampler\n",
                STREAMS_FILE, cases, kinds_seen);
    }
    printf("pinned streams: %d cases, %d (path, threads) checks%s\n", cases, checks,
           quick ? " (quick: first values; full hashes for raw and sparse)" : "");
    if (failures) {
        printf("test_streams: %d failures\n", failures);
        return 1;
    }
    printf("test_streams: all passed\n");
    return 0;
}
