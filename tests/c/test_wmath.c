/* Tests for csrc/wmath.h.
 *
 *   gcc -O2 -std=c11 -ffp-contract=off -fno-math-errno -Wall -Wextra -Werror \
 *       -Icsrc tests/c/test_wmath.c -lm -o /tmp/test_wmath && /tmp/test_wmath
 *
 * Options: --full  exhaustive float sweeps (all positive floats for wc_logf,
 *                  every float in [2^-40, 0.5] for wc_ndtri_lower_f accuracy);
 *          --hash  print only the output hashes (for comparing builds).
 *
 * References: long double libm (logl, expl, expm1l, log1pl, erfcl; Newton
 * refinement in long double for the quantiles) and mpmath tables in
 * wmath_ref.h (tests/c/gen_wmath_ref.py).  Prints the worst error per
 * function and one FNV-1a hash per function over fixed input sweeps: builds
 * with different flags (-O0, -O3 -mavx2, -O3 -mavx512f ...) must print the
 * same hashes.  Exit status is nonzero on any failure.
 *
 * The wc_probe_* loops are the vectorization probes: compile with
 * -O3 -mavx512f -mavx512dq -mavx512vl -mavx512bw -fno-math-errno
 * -fopt-info-vec-optimized and each must be reported as vectorized.
 */
#include <float.h>
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "wmath.h"
#include "wmath_ref.h"

/* ------------------------------------------------------------------ */
/* vectorization probes (also used by the sweeps below)               */

__attribute__((noinline)) static void
wc_probe_logf(float *restrict out, const float *restrict in, size_t n)
{
    for (size_t i = 0; i < n; i++)
        out[i] = wc_logf(in[i]);
}

__attribute__((noinline)) static void
wc_probe_log(double *restrict out, const double *restrict in, size_t n)
{
    for (size_t i = 0; i < n; i++)
        out[i] = wc_log(in[i]);
}

__attribute__((noinline)) static void
wc_probe_ndtri_f(float *restrict out, const float *restrict in, size_t n)
{
    for (size_t i = 0; i < n; i++)
        out[i] = wc_ndtri_lower_f(in[i]);
}

__attribute__((noinline)) static void
wc_probe_ndtri(double *restrict out, const double *restrict in, size_t n)
{
    for (size_t i = 0; i < n; i++)
        out[i] = wc_ndtri_lower(in[i]);
}

__attribute__((noinline)) static void
wc_probe_ndtri_log(double *restrict out, const double *restrict in, size_t n)
{
    for (size_t i = 0; i < n; i++)
        out[i] = wc_ndtri_lower_log(in[i]);
}

__attribute__((noinline)) static void
wc_probe_exp(double *restrict out, const double *restrict in, size_t n)
{
    for (size_t i = 0; i < n; i++)
        out[i] = wc_exp(in[i]);
}

__attribute__((noinline)) static void
wc_probe_expm1(double *restrict out, const double *restrict in, size_t n)
{
    for (size_t i = 0; i < n; i++)
        out[i] = wc_expm1(in[i]);
}

__attribute__((noinline)) static void
wc_probe_log1p(double *restrict out, const double *restrict in, size_t n)
{
    for (size_t i = 0; i < n; i++)
        out[i] = wc_log1p(in[i]);
}

/* ------------------------------------------------------------------ */
/* helpers                                                            */

#define SQRT1_2L 0.707106781186547524400844362104849039L
#define INV_SQRT2PI_L 0.398942280401432677939946059934381868L

static int g_fail = 0;
static int g_hash_only = 0;

static uint64_t rng_state = 0x9E3779B97F4A7C15u;
static uint64_t rng_next(void) /* splitmix64 */
{
    uint64_t z = (rng_state += 0x9E3779B97F4A7C15u);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
    return z ^ (z >> 31);
}
static double rng_unif(void) { return (double)(rng_next() >> 11) * 0x1p-53; }

typedef struct {
    uint64_t h;
} fnv_t;
static void fnv_init(fnv_t *f) { f->h = 0xcbf29ce484222325u; }
static void fnv_bytes(fnv_t *f, const void *p, size_t n)
{
    const unsigned char *c = p;
    for (size_t i = 0; i < n; i++) {
        f->h ^= c[i];
        f->h *= 0x100000001b3u;
    }
}

static double ulp_d(long double ref)
{
    double r = fabs((double)ref);
    if (r < DBL_MIN)
        return 0x1p-1074;
    int e;
    frexp(r, &e);
    return ldexp(1.0, e - 53);
}
static double ulp_f(long double ref)
{
    double r = fabs((double)ref);
    if (r < FLT_MIN)
        return 0x1p-149;
    int e;
    frexp(r, &e);
    return ldexp(1.0, e - 24);
}

typedef struct {
    const char *name;
    double worst;     /* worst error in the unit below */
    double worst_arg; /* argument where it occurred */
    const char *unit;
    double limit;
    long n;
} stat_t;

static void stat_add(stat_t *s, double err, double arg)
{
    s->n++;
    if (err > s->worst || err != err) {
        s->worst = err != err ? INFINITY : err;
        s->worst_arg = arg;
    }
}

static void stat_report(const stat_t *s)
{
    int bad = !(s->worst <= s->limit);
    if (bad)
        g_fail = 1;
    if (!g_hash_only || bad)
        printf("%-34s n=%-10ld worst %-6s %.3g (limit %.3g) at %.17g%s\n", s->name, s->n,
               s->unit, s->worst, s->limit, s->worst_arg, bad ? "  FAIL" : "");
}

static void check(int ok, const char *what)
{
    if (!ok) {
        g_fail = 1;
        printf("FAIL: %s\n", what);
    }
}

static long double Phil(long double z) { return 0.5L * erfcl(-z * SQRT1_2L); }
static long double phil(long double z) { return expl(-0.5L * z * z) * INV_SQRT2PI_L; }

/* Phi^-1(p) in long double by Newton from a good start. */
static long double ndtri_ref(double p, double z0)
{
    long double z = z0;
    for (int i = 0; i < 3; i++)
        z -= (Phil(z) - (long double)p) / phil(z);
    return z;
}

/* z with log Phi(z) = lp, long double Newton on log Phi. */
static long double ndtri_log_ref(double lp, double z0)
{
    long double z = z0;
    for (int i = 0; i < 3; i++) {
        long double c = Phil(z);
        z -= (logl(c) - (long double)lp) * c / phil(z);
    }
    return z;
}

static double rel_err(double y, long double ref)
{
    if (ref == 0)
        return y == 0 ? 0.0 : INFINITY;
    return (double)fabsl(((long double)y - ref) / ref);
}

static double rel_sub(double y, long double ref)
{
    long double d = fabsl(ref) > DBL_MIN ? fabsl(ref) : DBL_MIN;
    return (double)(fabsl((long double)y - ref) / d);
}

static double ulp_err_d(double y, long double ref)
{
    return (double)(fabsl((long double)y - ref) / ulp_d(ref));
}

static double d_of_bits(uint64_t u)
{
    double d;
    memcpy(&d, &u, 8);
    return d;
}

static double now(void) { return (double)clock() / CLOCKS_PER_SEC; }

#define CHUNK (1u << 20)
static float fin[CHUNK], fout[CHUNK];
static double din[CHUNK], dout[CHUNK], dref[CHUNK];

/* ------------------------------------------------------------------ */
/* wc_logf                                                            */

static void test_logf(int full)
{
    stat_t s = {"wc_logf", 0, 0, "ulp", 1.0, 0};
    fnv_t h;
    fnv_init(&h);
    /* every float in [0.5, 2), then a stride over all positive finite floats
     * (subnormals included); --full: every positive finite float. */
    uint32_t ranges[2][3] = {{0x3f000000u, 0x40000000u, 1u},
                             {1u, 0x7f800000u, full ? 1u : 401u}};
    for (int r = 0; r < 2; r++) {
        uint64_t b = ranges[r][0];
        while (b < ranges[r][1]) {
            size_t n = 0;
            for (; n < CHUNK && b < ranges[r][1]; n++, b += ranges[r][2]) {
                uint32_t u = (uint32_t)b;
                memcpy(&fin[n], &u, 4);
            }
            wc_probe_logf(fout, fin, n);
            fnv_bytes(&h, fout, n * sizeof(float));
            if (g_hash_only)
                continue;
            for (size_t i = 0; i < n; i++) {
                long double ref = logl((long double)fin[i]);
                double e = ref == 0 ? (fout[i] == 0 ? 0 : INFINITY)
                                    : (double)(fabsl(fout[i] - ref) / ulp_f(ref));
                stat_add(&s, e, fin[i]);
            }
        }
    }
    stat_report(&s);
    printf("hash wc_logf            %016llx\n", (unsigned long long)h.h);
}

/* ------------------------------------------------------------------ */
/* wc_log, wc_log1p, wc_exp, wc_expm1                                 */

static void test_elementary(void)
{
    stat_t sl = {"wc_log", 0, 0, "ulp", 1.0, 0};
    stat_t s1 = {"wc_log1p [-0.5,1]", 0, 0, "ulp", 2.0, 0};
    stat_t se = {"wc_exp [-745.1,709.7]", 0, 0, "ulp", 1.0, 0};
    stat_t sm = {"wc_expm1 [-60,709]", 0, 0, "ulp", 2.0, 0};
    fnv_t hl, h1, he, hm;
    fnv_init(&hl);
    fnv_init(&h1);
    fnv_init(&he);
    fnv_init(&hm);
    rng_state = 12345;
    for (int rep = 0; rep < 4; rep++) {
        size_t n = CHUNK;
        /* log: random exponents over the whole positive range incl.
         * subnormals, plus a quarter of the points near 1. */
        for (size_t i = 0; i < n; i++) {
            uint64_t u = rng_next();
            if ((i & 3) == 0) {
                din[i] = 1.0 + (rng_unif() - 0.5) * ldexp(1.0, -(int)(rng_next() % 40));
            } else {
                u &= 0x7fffffffffffffffu;
                uint64_t e = rng_next() % 2047; /* 0 = subnormal */
                u = (u & 0x000fffffffffffffu) | (e << 52);
                memcpy(&din[i], &u, 8);
                if (din[i] == 0)
                    din[i] = 1.0;
            }
        }
        din[0] = 0x1p-1074;
        din[1] = DBL_MAX;
        din[2] = 1.0;
        din[3] = DBL_MIN;
        wc_probe_log(dout, din, n);
        fnv_bytes(&hl, dout, n * sizeof(double));
        if (!g_hash_only)
            for (size_t i = 0; i < n; i++) {
                long double ref = logl((long double)din[i]);
                stat_add(&sl, ref == 0 ? (dout[i] == 0 ? 0 : INFINITY) : ulp_err_d(dout[i], ref),
                         din[i]);
            }

        /* log1p on [-0.5, 1], half of it tiny */
        for (size_t i = 0; i < n; i++)
            din[i] = (i & 1) ? -0.5 + 1.5 * rng_unif()
                             : (rng_unif() - 0.5) * ldexp(1.0, -(int)(rng_next() % 60));
        wc_probe_log1p(dout, din, n);
        fnv_bytes(&h1, dout, n * sizeof(double));
        if (!g_hash_only)
            for (size_t i = 0; i < n; i++) {
                long double ref = log1pl((long double)din[i]);
                stat_add(&s1, ref == 0 ? (dout[i] == 0 ? 0 : INFINITY) : ulp_err_d(dout[i], ref),
                         din[i]);
            }

        /* exp over the full range (subnormal results measured in units of
         * 2^-1074) */
        for (size_t i = 0; i < n; i++)
            din[i] = (i & 1) ? -745.1 + (709.7 + 745.1) * rng_unif()
                             : (rng_unif() - 0.5) * ldexp(1.0, -(int)(rng_next() % 60));
        wc_probe_exp(dout, din, n);
        fnv_bytes(&he, dout, n * sizeof(double));
        if (!g_hash_only)
            for (size_t i = 0; i < n; i++)
                stat_add(&se, ulp_err_d(dout[i], expl((long double)din[i])), din[i]);

        /* expm1 on [-60, 709] and near 0 */
        for (size_t i = 0; i < n; i++)
            din[i] = (i & 1) ? -60.0 + 769.0 * rng_unif()
                             : (rng_unif() - 0.5) * ldexp(1.0, -(int)(rng_next() % 60));
        wc_probe_expm1(dout, din, n);
        fnv_bytes(&hm, dout, n * sizeof(double));
        if (!g_hash_only)
            for (size_t i = 0; i < n; i++) {
                long double ref = expm1l((long double)din[i]);
                stat_add(&sm, ref == 0 ? (dout[i] == 0 ? 0 : INFINITY) : ulp_err_d(dout[i], ref),
                         din[i]);
            }
    }
    if (!g_hash_only) {
        check(wc_log(1.0) == 0.0, "wc_log(1) == 0");
        check(wc_logf(1.0f) == 0.0f, "wc_logf(1) == 0");
        check(wc_exp(-746.0) == 0.0 && wc_exp(-745.0) > 0.0, "wc_exp underflow edge");
        check(wc_exp(710.0) == INFINITY, "wc_exp overflow");
        check(wc_expm1(-100.0) == -1.0, "wc_expm1(-100) == -1");
    }
    stat_report(&sl);
    stat_report(&s1);
    stat_report(&se);
    stat_report(&sm);
    printf("hash wc_log             %016llx\n", (unsigned long long)hl.h);
    printf("hash wc_log1p           %016llx\n", (unsigned long long)h1.h);
    printf("hash wc_exp             %016llx\n", (unsigned long long)he.h);
    printf("hash wc_expm1           %016llx\n", (unsigned long long)hm.h);
}

/* ------------------------------------------------------------------ */
/* wc_ndtri_lower (double)                                            */

static void test_ndtri(void)
{
    stat_t st = {"wc_ndtri_lower vs mpmath", 0, 0, "rel", 1e-15, 0};
    stat_t su = {"wc_ndtri_lower vs mpmath", 0, 0, "ulp", 16, 0};
    stat_t sa = {"wc_ndtri_lower |z|<1e-12", 0, 0, "abs", 1e-17, 0};
    stat_t sd = {"wc_ndtri_lower dense vs ld-Newton", 0, 0, "rel", 1e-15, 0};
    fnv_t h;
    fnv_init(&h);
    if (!g_hash_only)
        for (size_t i = 0; i < WMATH_REF_NDTRI_N; i++) {
            double p = wmath_ref_ndtri[i].p;
            double z = wc_ndtri_lower(p);
            long double ref = wmath_ref_ndtri[i].ref;
            if (fabsl(ref) < 1e-12L) {
                stat_add(&sa, (double)fabsl(z - ref), p);
                continue;
            }
            stat_add(&st, rel_err(z, ref), p);
            stat_add(&su, ulp_err_d(z, ref), p);
        }
    /* 2^20 points evenly spaced in bit pattern over [2^-1074, 0.5] (about
     * log-spaced; integer arithmetic, so the same inputs on every platform) */
    const size_t n = CHUNK;
    for (size_t i = 0; i < n; i++)
        din[i] = d_of_bits(1u + (0x3fe0000000000000u - 1u) / (n - 1) * i);
    din[n - 1] = 0.5;
    wc_probe_ndtri(dout, din, n);
    fnv_bytes(&h, dout, n * sizeof(double));
    if (!g_hash_only) {
        for (size_t i = 0; i < n; i++)
            stat_add(&sd, rel_err(dout[i], ndtri_ref(din[i], dout[i])), din[i]);
        double z5 = wc_ndtri_lower(0.5);
        check(z5 == 0.0, "wc_ndtri_lower(0.5) == 0");
        int neg = 1;
        for (size_t i = 0; i + 1 < n; i++)
            neg &= dout[i] < 0.0;
        check(neg, "wc_ndtri_lower(p) < 0 for p < 0.5");
        stat_report(&st);
        stat_report(&su);
        stat_report(&sa);
        stat_report(&sd);
    }
    printf("hash wc_ndtri_lower     %016llx\n", (unsigned long long)h.h);
}

/* ------------------------------------------------------------------ */
/* wc_ndtri_lower_f                                                   */

static float f_of_bits(uint32_t u)
{
    float f;
    memcpy(&f, &u, 4);
    return f;
}

static void test_ndtri_f(int full)
{
    stat_t s = {"wc_ndtri_lower_f (vs double)", 0, 0, "ulp", 4.0, 0};
    const uint32_t lo = 0x2b800000u; /* 2^-40 */
    const uint32_t hi = 0x3f000000u; /* 0.5 */
    fnv_t h;
    fnv_init(&h);
    long nonmono = 0, nonneg = 0;
    float prev = -INFINITY;
    uint32_t nonmono_at = 0;
    (void)dref;
    /* Blocks of 2^16 consecutive floats: every 16th block of [2^-40, 0.5]
     * plus the blocks around 2^-40, 0.075 (central/tail switch),
     * exp(-25) (tail switch) and 0.5; with --full every block.  Monotonicity
     * is checked over each run of consecutive evaluated floats, accuracy
     * (against the double quantile) on every evaluated float. */
    const float specials[] = {0x1p-40f, 0.075f, 1.7615661885e-11f, 1.3887943864964021e-11f,
                              0.5f};
    const int nspec = (int)(sizeof specials / sizeof specials[0]);
    uint32_t sblk[8];
    for (int k = 0; k < nspec; k++) {
        uint32_t u;
        memcpy(&u, &specials[k], 4);
        sblk[k] = (u - lo) >> 16;
    }
    long evaluated = 0;
    int have_prev = 0;
    for (uint64_t b0 = lo; b0 <= hi; b0 += 65536u) {
        uint32_t blk = (uint32_t)((b0 - lo) >> 16);
        int take = full || blk % 16u == 0u;
        for (int k = 0; k < nspec; k++)
            take |= blk + 2u >= sblk[k] && blk <= sblk[k] + 2u;
        if (!take) {
            have_prev = 0;
            continue;
        }
        size_t n = 0;
        for (uint64_t b = b0; n < 65536u && b <= hi; n++, b++)
            fin[n] = f_of_bits((uint32_t)b);
        wc_probe_ndtri_f(fout, fin, n);
        fnv_bytes(&h, fout, n * sizeof(float));
        evaluated += (long)n;
        if (g_hash_only)
            continue;
        for (size_t i = 0; i < n; i++) {
            if (have_prev && fout[i] < prev) {
                if (!nonmono)
                    nonmono_at = (uint32_t)b0 + (uint32_t)i;
                nonmono++;
            }
            prev = fout[i];
            have_prev = 1;
            if (fin[i] < 0.5f && !(fout[i] < 0.0f))
                nonneg++;
            din[i] = fin[i];
        }
        wc_probe_ndtri(dout, din, n);
        for (size_t i = 0; i < n; i++)
            stat_add(&s, fabs(fout[i] - dout[i]) / ulp_f(dout[i]), din[i]);
    }
    if (!g_hash_only) {
        float z5 = wc_ndtri_lower_f(0.5f);
        check(z5 == 0.0f, "wc_ndtri_lower_f(0.5) is +-0");
        if (nonmono)
            printf("FAIL: wc_ndtri_lower_f decreases %ld times (first at p=%.9g)\n", nonmono,
                   (double)f_of_bits(nonmono_at));
        check(nonmono == 0, "wc_ndtri_lower_f non-decreasing over consecutive floats");
        check(nonneg == 0, "wc_ndtri_lower_f(p) < 0 for p < 0.5");
        stat_report(&s);
        printf("%-34s %ld of %ld floats in [2^-40, 0.5] evaluated, monotonic: %s\n",
               "wc_ndtri_lower_f", evaluated, (long)(hi - lo + 1), nonmono ? "NO" : "yes");
    }
    printf("hash wc_ndtri_lower_f   %016llx\n", (unsigned long long)h.h);
}

/* ------------------------------------------------------------------ */
/* wc_ndtri_lower_log                                                 */

static void test_ndtri_log(void)
{
    stat_t st = {"wc_ndtri_lower_log vs mpmath", 0, 0, "rel", 1e-15, 0};
    stat_t sa = {"wc_ndtri_lower_log |z|<1e-12 abs", 0, 0, "abs", 1e-16, 0};
    /* error / max(|z|, 1e-3): near p = 1/2 the long double reference itself
     * is only good to ~1e-19 absolute */
    stat_t sd = {"wc_ndtri_lower_log dense ld-Newton", 0, 0, "rel*", 1e-15, 0};
    stat_t sc = {"ndtri_lower_log(log p)~ndtri_lower", 0, 0, "rel", 1e-13, 0};
    fnv_t h;
    fnv_init(&h);
    if (!g_hash_only)
        for (size_t i = 0; i < WMATH_REF_NDTRI_LOG_N; i++) {
            double lp = wmath_ref_ndtri_log[i].lp;
            double z = wc_ndtri_lower_log(lp);
            long double ref = wmath_ref_ndtri_log[i].ref;
            if (fabsl(ref) < 1e-12L)
                stat_add(&sa, (double)fabsl(z - ref), lp);
            else
                stat_add(&st, rel_err(z, ref), lp);
        }
    /* dense: lp in [-11000, log 0.5] (long double reaches exp(-11000)) */
    const size_t n = CHUNK;
    for (size_t i = 0; i < n; i++) {
        double t = (double)i / (double)(n - 1);
        din[i] = -0.6931471805599453 - 11000.0 * t * t * t;
    }
    wc_probe_ndtri_log(dout, din, n);
    fnv_bytes(&h, dout, n * sizeof(double));
    if (!g_hash_only)
        for (size_t i = 1; i < n; i += 3) {
            long double ref = ndtri_log_ref(din[i], dout[i]);
            long double den = fabsl(ref) > 1e-3L ? fabsl(ref) : 1e-3L;
            stat_add(&sd, (double)(fabsl(dout[i] - ref) / den), din[i]);
        }
    /* huge arguments, for the hash */
    for (size_t i = 0; i < n; i++) /* -700 .. -8.8e299, evenly in bit pattern */
        din[i] = -d_of_bits(0x4085e00000000000u
                            + (0x7e35000000000000u - 0x4085e00000000000u) / (n - 1) * i);
    wc_probe_ndtri_log(dout, din, n);
    fnv_bytes(&h, dout, n * sizeof(double));
    if (!g_hash_only) {
        int fin_ok = 1;
        for (size_t i = 0; i < n; i++)
            fin_ok &= dout[i] < 0 && dout[i] > -1e151;
        check(fin_ok, "wc_ndtri_lower_log finite down to -8.8e299");
    }

    if (!g_hash_only) {
        /* agreement with wc_ndtri_lower where both apply */
        long double l0 = logl(0x1p-1074L), l1 = logl(0.5L);
        for (size_t i = 0; i < 200000; i++) {
            double p = (double)expl(l0 + (l1 - l0) * (long double)i / 199999.0L);
            if (p < 0x1p-1074)
                p = 0x1p-1074;
            double lp = (double)logl((long double)p);
            double z1 = wc_ndtri_lower(p), z2 = wc_ndtri_lower_log(lp);
            double tol = 1e-13 * fabs(z1) + 1e-15;
            double d = fabs(z1 - z2);
            stat_add(&sc, fabs(z1) > 1e-3 ? d / fabs(z1) : 0.0, p);
            if (!(d <= tol)) {
                g_fail = 1;
                printf("FAIL: ndtri_lower_log(log %.17g) = %.17g vs ndtri_lower %.17g\n", p, z2,
                       z1);
                break;
            }
        }
        /* continuity and monotonicity at the lp = -700 switch */
        double a = nextafter(-700.0, -INFINITY), b = -700.0, c = nextafter(-700.0, 0.0);
        double za = wc_ndtri_lower_log(a), zb = wc_ndtri_lower_log(b), zc = wc_ndtri_lower_log(c);
        double jump = fabs(za - zb) / fabs(zb);
        printf("%-34s z(-700-) %.17g z(-700) %.17g z(-700+) %.17g rel jump %.2g\n",
               "wc_ndtri_lower_log switch", za, zb, zc, jump);
        check(jump < 1e-14 && za <= zb && zb <= zc, "continuity at lp = -700");
        check(wc_ndtri_lower_log(log(0.5)) == 0.0, "wc_ndtri_lower_log(log 0.5) == 0");
        stat_report(&st);
        stat_report(&sa);
        stat_report(&sd);
        stat_report(&sc);
    }
    printf("hash wc_ndtri_lower_log %016llx\n", (unsigned long long)h.h);
}

/* ------------------------------------------------------------------ */
/* wc_ndtr, wc_log_ndtr (scalar)                                      */

static void test_ndtr(void)
{
    stat_t st = {"wc_ndtr vs mpmath (normal)", 0, 0, "rel", 1e-15, 0};
    stat_t ss = {"wc_ndtr vs mpmath (subnormal)", 0, 0, "ulp", 1.0, 0};
    stat_t sd = {"wc_ndtr dense [-37.5,9] vs erfcl", 0, 0, "rel", 1e-15, 0};
    /* rel*: |y - ref| / max(|ref|, DBL_MIN) (subnormal results of
     * log Phi(x) for x > 37.5 count in units of DBL_MIN) */
    stat_t lt = {"wc_log_ndtr vs mpmath", 0, 0, "rel*", 1e-15, 0};
    stat_t ld = {"wc_log_ndtr dense [-150,38] vs ld", 0, 0, "rel*", 1e-15, 0};
    fnv_t h1, h2;
    fnv_init(&h1);
    fnv_init(&h2);
    for (size_t i = 0; i < WMATH_REF_NDTR_N; i++) {
        double x = wmath_ref_ndtr[i].x;
        double y = wc_ndtr(x);
        long double ref = wmath_ref_ndtr[i].ref;
        fnv_bytes(&h1, &y, sizeof y);
        if (fabsl(ref) >= DBL_MIN)
            stat_add(&st, rel_err(y, ref), x);
        else
            stat_add(&ss, (double)(fabsl(y - ref) / 0x1p-1074L), x);
    }
    for (size_t i = 0; i < WMATH_REF_LOG_NDTR_N; i++) {
        double x = wmath_ref_log_ndtr[i].x;
        double y = wc_log_ndtr(x);
        long double ref = wmath_ref_log_ndtr[i].ref;
        fnv_bytes(&h2, &y, sizeof y);
        stat_add(&lt, rel_sub(y, ref), x);
    }
    const int n = 400000;
    for (int i = 0; i < n; i++) {
        double x = -37.5 + 46.5 * i / (n - 1);
        double y = wc_ndtr(x);
        fnv_bytes(&h1, &y, sizeof y);
        if (!g_hash_only)
            stat_add(&sd, rel_err(y, Phil(x)), x);
        x = -150.0 + 188.0 * i / (n - 1);
        y = wc_log_ndtr(x);
        fnv_bytes(&h2, &y, sizeof y);
        if (!g_hash_only) {
            long double ref = x > 0 ? log1pl(-Phil(-x)) : logl(Phil(x));
            stat_add(&ld, rel_sub(y, ref), x);
        }
    }
    if (!g_hash_only) {
        check(wc_ndtr(0.0) == 0.5, "wc_ndtr(0) == 0.5");
        check(wc_ndtr(-40.0) == 0.0 && wc_ndtr(-INFINITY) == 0.0, "wc_ndtr underflow to 0");
        check(wc_ndtr(INFINITY) == 1.0 && wc_ndtr(40.0) == 1.0, "wc_ndtr(+big) == 1");
        check(wc_log_ndtr(INFINITY) == 0.0 && wc_log_ndtr(-INFINITY) == -INFINITY,
              "wc_log_ndtr(+-inf)");
        check(isnan(wc_ndtr(NAN)) && isnan(wc_log_ndtr(NAN)), "NaN propagates");
        stat_report(&st);
        stat_report(&ss);
        stat_report(&sd);
        stat_report(&lt);
        stat_report(&ld);
    }
    printf("hash wc_ndtr            %016llx\n", (unsigned long long)h1.h);
    printf("hash wc_log_ndtr        %016llx\n", (unsigned long long)h2.h);
}

int main(int argc, char **argv)
{
    int full = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--full"))
            full = 1;
        else if (!strcmp(argv[i], "--hash"))
            g_hash_only = 1;
        else {
            fprintf(stderr, "usage: %s [--full] [--hash]\n", argv[0]);
            return 2;
        }
    }
    double t0 = now(), t;
    t = now();
    test_logf(full);
    if (!g_hash_only) printf("  (%.2f s)\n", now() - t);
    t = now();
    test_elementary();
    if (!g_hash_only) printf("  (%.2f s)\n", now() - t);
    t = now();
    test_ndtri();
    if (!g_hash_only) printf("  (%.2f s)\n", now() - t);
    t = now();
    test_ndtri_f(full);
    if (!g_hash_only) printf("  (%.2f s)\n", now() - t);
    t = now();
    test_ndtri_log();
    if (!g_hash_only) printf("  (%.2f s)\n", now() - t);
    t = now();
    test_ndtr();
    if (!g_hash_only) printf("  (%.2f s)\n", now() - t);
    if (!g_hash_only)
        printf("total %.2f s: %s\n", now() - t0, g_fail ? "FAILED" : "all passed");
    return g_fail ? 1 : 0;
}
