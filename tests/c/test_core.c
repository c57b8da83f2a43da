/* Tests of the C core alone: Philox known answers, every SIMD path against
 * the scalar reference bit for bit, element addressing (any start, any
 * length, any thread count, strided = contiguous), sampler bounds, sparse
 * selection and the rules.  Run from the project root (make -C tests/c). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernels.h"
#include "wcinit.h"

#include "harness.h"

/* Random123's published Philox4x32-10 vectors: ../shared/data (from the
 * project root), else the same three lines kept here. */
static const char *kat_fallback[] = {
    "philox4x32 10 00000000 00000000 00000000 00000000 00000000 00000000   6627e8d5 e169c58d bc57ac4c 9b00dbd8",
    "philox4x32 10 ffffffff ffffffff ffffffff ffffffff ffffffff ffffffff   408f276d 41c83b0e a20bc7c6 6d5451fd",
    "philox4x32 10 243f6a88 85a308d3 13198a2e 03707344 a4093822 299f31d0   d16cfe09 94fdcceb 5001e420 24126ea1",
};

static int check_kat_line(const char *line)
{
    char name[32];
    unsigned rounds, v[10];
    if (sscanf(line, "%31s %u %x %x %x %x %x %x %x %x %x %x", name, &rounds, &v[0], &v[1], &v[2],
               &v[3], &v[4], &v[5], &v[6], &v[7], &v[8], &v[9]) != 12 ||
        strcmp(name, "philox4x32") != 0 || rounds != 10)
        return 0;
    uint32_t ctr[4] = {v[0], v[1], v[2], v[3]}, key[2] = {v[4], v[5]}, out[4];
    wc_philox4x32_10(ctr, key, out);
    for (int i = 0; i < 4; i++)
        CHECK(out[i] == v[6 + i], "philox KAT word %d: got %08x want %08x", i, out[i], v[6 + i]);
    return 1;
}

static void test_philox_kat(void)
{
    int n = 0;
    FILE *f = fopen("../shared/data/philox4x32_10_kat.txt", "r");
    if (f) {
        char line[512];
        while (fgets(line, sizeof line, f))
            if (line[0] != '#')
                n += check_kat_line(line);
        fclose(f);
    } else {
        for (int i = 0; i < 3; i++)
            n += check_kat_line(kat_fallback[i]);
    }
    CHECK(n == 3, "expected 3 known-answer vectors, checked %d", n);
    printf("philox KAT: %d vectors (%s)\n", n, f ? "../shared/data" : "built-in copy");
}

/* The kernel's words must be Philox blocks at the documented positions. */
static void test_tile_layout(void)
{
    wc_rng rng = {0x0123456789abcdefULL, 0xfeedfacecafef00dULL, 1000};
    wc_params p;
    memset(&p, 0, sizeof p);
    p.dist = WC_RAW;
    uint32_t out[200];
    wc_kernel_scalar(&rng, &p, WC_F32, 0, 200, out);
    for (int i = 0; i < 200; i++) {
        uint64_t t = (uint64_t)i / WC_TILE32, e = (uint64_t)i % WC_TILE32;
        uint64_t blk = rng.offset + t * WC_TILE_BLOCKS + e % WC_TILE_BLOCKS;
        uint32_t ctr[4] = {(uint32_t)blk, (uint32_t)(blk >> 32), (uint32_t)rng.stream,
                           (uint32_t)(rng.stream >> 32)};
        uint32_t key[2] = {(uint32_t)rng.seed, (uint32_t)(rng.seed >> 32)}, w[4];
        wc_philox4x32_10(ctr, key, w);
        CHECK(out[i] == w[e / WC_TILE_BLOCKS], "raw word %d", i);
    }
}

static const wc_dtype dtypes[] = {WC_F32, WC_F64, WC_F16, WC_BF16};
static const char *dtname[] = {"f32", "f64", "f16", "bf16"};

static void make_params(int which, wc_params *p)
{
    switch (which) {
    case 0: wc_params_uniform(p, -0.25, 0.75); break;
    case 1: wc_params_normal(p, 0.5, 2.0); break;
    case 2: wc_params_trunc_normal(p, 0.0, 1.0, -2.0, 2.0); break;
    case 3: wc_params_trunc_normal(p, 0.0, 1e-3, 0.5, 1.0); break;   /* deep tail: log space */
    case 4: wc_params_trunc_normal(p, 1.0, 0.5, -INFINITY, 0.0); break; /* reflected */
    default: wc_params_uniform(p, 0, 1); break;
    }
}
static const char *dist_name[] = {"uniform", "normal", "trunc", "trunc-tail", "trunc-reflected"};

/* Every SIMD path the CPU has writes the scalar path's bits. */
static void test_paths_identical(void)
{
    const size_t n = quick() ? 3000 : 100003;
    const uint64_t starts[] = {0, 1, 63, 64, 1000003};
    char *ref = malloc(n * 8), *got = malloc(n * 8);
    for (int isa = WC_ISA_AVX2; isa <= (int)wc_isa_best(); isa++) {
        int checked = 0;
        for (int d = 0; d < 5; d++) {
            wc_params p;
            make_params(d, &p);
            for (int t = 0; t < 4; t++)
                for (size_t s = 0; s < sizeof starts / sizeof *starts; s++) {
                    /* an offset whose low word wraps inside the first tiles */
                    wc_rng rng = {12345 + (uint64_t)d, 7, (s & 1) ? 0xfffffff5ULL : 99};
                    size_t es = wc_dtype_size(dtypes[t]);
                    wc_isa_set(WC_ISA_SCALAR);
                    wc_fill_contiguous(&rng, &p, dtypes[t], starts[s], n, ref);
                    wc_isa_set((wc_isa)isa);
                    wc_fill_contiguous(&rng, &p, dtypes[t], starts[s], n, got);
                    CHECK(memcmp(ref, got, n * es) == 0, "%s %s %s start %llu differs from scalar",
                          wc_isa_name((wc_isa)isa), dist_name[d], dtname[t],
                          (unsigned long long)starts[s]);
                    checked++;
                }
        }
        printf("%s == scalar on %d (sampler, dtype, start) cases of %zu elements\n",
               wc_isa_name((wc_isa)isa), checked, n);
    }
    wc_isa_set(wc_isa_best());
    free(ref);
    free(got);
}

/* Element addressing: a fill of [s, s+k) equals the same slice of a fill of
 * [0, n); strided and threaded fills equal the contiguous one. */
static void test_element_addressing(void)
{
    const size_t n = quick() ? 6000 : 300000; /* > the largest slice, 777 + 4321 */
    for (int t = 0; t < 4; t++) {
        size_t es = wc_dtype_size(dtypes[t]);
        wc_params p;
        make_params(1, &p);
        wc_rng rng = {42, 0, 0};
        char *whole = malloc(n * es), *part = malloc(n * es);
        wc_fill_contiguous(&rng, &p, dtypes[t], 0, n, whole);
        const size_t cuts[][2] = {{0, 1}, {1, 63}, {63, 2}, {100, 1000}, {777, 4321}};
        for (size_t c = 0; c < 5; c++) {
            wc_fill_contiguous(&rng, &p, dtypes[t], cuts[c][0], cuts[c][1], part);
            CHECK(memcmp(part, whole + cuts[c][0] * es, cuts[c][1] * es) == 0,
                  "%s slice %zu+%zu differs", dtname[t], cuts[c][0], cuts[c][1]);
        }
        /* threads: 1, 2, 3, 7 on the strided driver */
        int64_t shape[1] = {(int64_t)n}, strides[1] = {(int64_t)es};
        for (int th = 1; th <= 7; th++) {
            memset(part, 0, n * es);
            wc_fill_strided(&rng, &p, dtypes[t], part, 1, shape, strides, 0, 0, n, th);
            CHECK(memcmp(part, whole, n * es) == 0, "%s with %d threads differs", dtname[t], th);
        }
        /* Fortran-ordered 2-d view (rows x cols, column-major memory) */
        int64_t rows = 7, cols = (int64_t)(n / 7);
        int64_t sh2[2] = {rows, cols}, st2[2] = {(int64_t)es, (int64_t)es * rows};
        memset(part, 0, n * es);
        wc_fill_strided(&rng, &p, dtypes[t], part, 2, sh2, st2, 0, 0, (uint64_t)(rows * cols), 3);
        int bad = 0;
        for (int64_t i = 0; i < rows && !bad; i++)
            for (int64_t j = 0; j < cols; j++)
                if (memcmp(part + (size_t)(i * st2[0] + j * st2[1]), whole + (size_t)(i * cols + j) * es, es)) {
                    bad = 1;
                    break;
                }
        CHECK(!bad, "%s Fortran order differs from C order", dtname[t]);
        /* negative stride: reversed 1-d view */
        memset(part, 0, n * es);
        int64_t stn[1] = {-(int64_t)es};
        wc_fill_strided(&rng, &p, dtypes[t], part + (n - 1) * es, 1, shape, stn, 0, 0, n, 2);
        bad = 0;
        for (size_t i = 0; i < n; i++)
            if (memcmp(part + (n - 1 - i) * es, whole + i * es, es)) {
                bad = 1;
                break;
            }
        CHECK(!bad, "%s reversed view differs", dtname[t]);
        free(whole);
        free(part);
    }
}

static void test_bounds(void)
{
    const size_t n = quick() ? 10000 : 1000000;
    double *x = malloc(n * sizeof *x);
    float *f = malloc(n * sizeof *f);
    wc_rng rng = {7, 0, 0};
    wc_params p;
    wc_params_uniform(&p, -0.0625, 0.0625);
    wc_fill_contiguous(&rng, &p, WC_F64, 0, n, x);
    wc_fill_contiguous(&rng, &p, WC_F32, 0, n, f);
    for (size_t i = 0; i < n; i++) {
        CHECK(x[i] >= -0.0625 && x[i] <= 0.0625, "uniform f64 out of bounds: %g", x[i]);
        CHECK(f[i] >= -0.0625f && f[i] <= 0.0625f, "uniform f32 out of bounds: %g", f[i]);
        if (failures > 10)
            break;
    }
    wc_params_trunc_normal(&p, 0.0, 1e-3, -2.0, 2.0); /* tiny std: no outliers */
    wc_fill_contiguous(&rng, &p, WC_F64, 0, n, x);
    double mx = 0;
    for (size_t i = 0; i < n; i++)
        mx = fabs(x[i]) > mx ? fabs(x[i]) : mx;
    CHECK(mx < 7e-3, "trunc_normal std=1e-3: max |x| = %g (outlier)", mx);
    wc_params_trunc_normal(&p, 0.0, 1.0, 40.0, 41.0); /* deep tail */
    wc_fill_contiguous(&rng, &p, WC_F64, 0, n, x);
    double mean = 0;
    for (size_t i = 0; i < n; i++) {
        CHECK(x[i] >= 40.0 && x[i] <= 41.0, "deep-tail trunc out of [40, 41]: %g", x[i]);
        mean += x[i];
        if (failures > 10)
            break;
    }
    mean /= (double)n;
    /* E[X | X > 40] ~ 40 + 1/40 (inverse Mills ratio ~ a + 1/a) */
    CHECK(fabs(mean - 40.02498) < 1e-3, "deep-tail mean %g", mean);
    free(x);
    free(f);
}

static void test_sparse(void)
{
    const int64_t rows = 50, cols = 40, nz = 13;
    double *a = malloc((size_t)(rows * cols) * sizeof *a);
    for (int64_t i = 0; i < rows * cols; i++)
        a[i] = 1.0;
    uint64_t *scratch = malloc((size_t)rows * 3 * 3 * sizeof *scratch);
    wc_rng rng = {3, 0, 0};
    wc_sparse_zero_columns(&rng, WC_F64, (char *)a, rows, cols, cols * 8, 8, nz, scratch, 1);
    /* the same zeros with the columns split over 3 parts */
    double *b = malloc((size_t)(rows * cols) * sizeof *b);
    for (int64_t i = 0; i < rows * cols; i++)
        b[i] = 1.0;
    wc_sparse_zero_columns(&rng, WC_F64, (char *)b, rows, cols, cols * 8, 8, nz, scratch, 3);
    CHECK(memcmp(a, b, (size_t)(rows * cols) * sizeof *a) == 0, "sparse zeros depend on nparts");
    free(b);
    for (int64_t j = 0; j < cols; j++) {
        int z = 0;
        for (int64_t i = 0; i < rows; i++)
            z += a[i * cols + j] == 0.0;
        CHECK(z == nz, "column %lld has %d zeros, want %lld", (long long)j, z, (long long)nz);
    }
    free(a);
    free(scratch);
}

static void test_rules(void)
{
    int64_t fi, fo;
    int64_t conv[4] = {64, 3, 3, 3};
    CHECK(wc_fans(4, conv, &fi, &fo) == 0 && fi == 27 && fo == 576, "Conv2d(3,64,3) fans %lld %lld",
          (long long)fi, (long long)fo);
    int64_t lin[2] = {512, 1024};
    wc_fans(2, lin, &fi, &fo);
    double bound = wc_uniform_bound(wc_xavier_std(1.0, fi, fo));
    CHECK(fabs(bound - sqrt(6.0 / 1536.0)) < 1e-15, "xavier bound %g", bound);
    double sd = wc_kaiming_std(wc_gain(WC_NL_RELU, 0), fi);
    CHECK(fabs(sd * sd - 2.0 / 1024.0) < 1e-15, "He variance %g", sd * sd);
    int64_t one[1] = {5};
    CHECK(wc_fans(1, one, &fi, &fo) == -1, "1-d fans must fail");
    int64_t huge[3] = {1LL << 40, 1LL << 40, 1LL << 40};
    CHECK(wc_fans(3, huge, &fi, &fo) == -2, "overflowing fans must fail");
    CHECK(wc_gain(WC_NL_SELU, 0) == 0.75, "selu gain");
    CHECK(fabs(wc_gain(WC_NL_LEAKY_RELU, 0.01) - sqrt(2.0 / 1.0001)) < 1e-15, "leaky gain");
}

int main(void)
{
    printf("best SIMD path: %s\n", wc_isa_name(wc_isa_best()));
    test_philox_kat();
    test_tile_layout();
    test_paths_identical();
    test_element_addressing();
    test_bounds();
    test_sparse();
    test_rules();
    if (failures) {
        printf("test_core: %d failures\n", failures);
        return 1;
    }
    printf("test_core: all passed\n");
    return 0;
}
