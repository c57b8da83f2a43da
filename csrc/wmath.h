/* wmath.h -- libm-free, vectorizable elementary functions and normal
 * quantiles for the samplers.
 *
 * This header is included unchanged into every ISA kernel translation unit
 * (baseline, AVX2+FMA, AVX-512), so each function computes the same value
 * on every path.  Rules followed by every function here:
 *
 *   - pure double/float arithmetic plus integer bit operations on the
 *     IEEE representation (memcpy type punning); no libm calls;
 *   - the only non-basic operation is sqrt, which IEEE 754 requires to be
 *     correctly rounded, so the instruction and libm agree bit for bit;
 *   - no data-dependent branches in the per-element functions: every
 *     candidate is computed and one is chosen with a bit-mask blend
 *     (wc__sel; see there why not a plain ?:), so calling loops vectorize
 *     on SSE2, AVX2, AVX-512 and NEON under the default -ftrapping-math;
 *   - no FMA: build with -ffp-contract=off and the result is bit-identical
 *     whether a loop is vectorized or not, at any width, on x86-64 and
 *     aarch64 (checked by hashing outputs in tests/c/test_wmath.c).
 *
 * REQUIRED FLAGS for vectorization: -fno-math-errno.  Without it GCC keeps
 * an errno-setting libm fallback next to every sqrt, which blocks
 * vectorization of the loops that call wc_ndtri_* (the results are the
 * same, only slower).  wc_log/wc_logf/wc_exp/wc_expm1/wc_log1p contain no
 * sqrt and vectorize either way.  Subnormal inputs assume the FPU is not in
 * flush-to-zero / denormals-are-zero mode.
 *
 * Per-element functions (vectorizable):
 *   float  wc_logf(float x)              x finite, > 0 (subnormals too)
 *   double wc_log(double x)              x finite, > 0 (subnormals too)
 *   double wc_log1p(double x)            x > -1
 *   double wc_expm1(double x)            any finite x
 *   double wc_exp(double x)              any finite x (subnormal results ok)
 *   float  wc_ndtri_lower_f(float p)     p in (0, 0.5]   -> Phi^-1(p) <= 0
 *   double wc_ndtri_lower(double p)      p in (0, 0.5]   -> Phi^-1(p) <= 0
 *   double wc_ndtri_lower_log(double lp) lp = log p in [-1e300, log 0.5]
 * Per-call scalar helpers (branchy, still libm-free):
 *   double wc_ndtr(double x)             Phi(x)
 *   double wc_log_ndtr(double x)         log Phi(x)
 *
 * Accuracy measured by tests/c/test_wmath.c (see the comment at each
 * function for the numbers).
 *
 * Sources of constants:
 *   - Normal quantile: M. J. Wichura, "Algorithm AS 241: The percentage
 *     points of the normal distribution", Applied Statistics 37 (1988)
 *     477-484; PPND16 (double) and PPND7 (float) coefficients as published.
 *   - erf/erfc: W. J. Cody, "Rational Chebyshev approximations for the
 *     error function", Math. Comp. 23 (1969) 631-637; coefficients as
 *     published (the 18-digit sets also used by Cody's SPECFUN CALERF).
 *   - log and expm1 kernel polynomials: Chebyshev fits computed for this
 *     file with mpmath (tests/c/gen_wmath_ref.py --coeffs reproduces them).
 *   - log uses the reduction log(1+f) = 2 atanh(f/(2+f)) with
 *     m = 1+f in [sqrt(1/2), sqrt(2)) (the classic Cody-Waite/fdlibm
 *     scheme); exp/expm1 use x = k ln2 + r, |r| <= ln2/2.
 */
#ifndef WC_WMATH_H
#define WC_WMATH_H

#include <stdint.h>
#include <string.h>

#if defined(__GNUC__) || defined(__clang__)
#define WC_SQRT(x) __builtin_sqrt(x)
#else
#include <math.h>
#define WC_SQRT(x) sqrt(x)
#endif

/* ---------------------------------------------------------------------- */
/* bit casts                                                              */

static inline uint64_t wc__dbits(double x) { uint64_t u; memcpy(&u, &x, sizeof u); return u; }
static inline double wc__dfrom(uint64_t u) { double x; memcpy(&x, &u, sizeof x); return x; }
static inline uint32_t wc__fbits(float x) { uint32_t u; memcpy(&u, &x, sizeof u); return u; }
static inline float wc__ffrom(uint32_t u) { float x; memcpy(&x, &u, sizeof x); return x; }

/* Branch-free selection.
 *
 * A plain `c ? x : y` over computed values is not enough for GCC: it sinks
 * x and y into the two arms (or constant-folds an arm), and under the
 * default -ftrapping-math it then refuses to if-convert the resulting
 * floating-point code, so the loop only vectorizes with AVX-512 masking.
 * Instead masks are made from the sign bit of a difference (a - b < 0
 * exactly when a < b, for non-NaN a, b: a rounded difference never changes
 * sign and is 0 only for a == b) and blends are bit operations, which
 * vectorize on SSE2, AVX2, AVX-512 and NEON alike. */
static inline uint64_t wc__lt(double a, double b) /* a < b: all ones, else 0 */
{
    return UINT64_C(0) - (wc__dbits(a - b) >> 63);
}
static inline uint64_t wc__le(double a, double b) /* a <= b */
{
    return (wc__dbits(b - a) >> 63) - UINT64_C(1);
}
static inline double wc__sel(uint64_t m, double x, double y) /* m ? x : y */
{
    return wc__dfrom((wc__dbits(x) & m) | (wc__dbits(y) & ~m));
}
static inline uint32_t wc__ltf(float a, float b)
{
    return UINT32_C(0) - (wc__fbits(a - b) >> 31);
}
static inline float wc__self(uint32_t m, float x, float y)
{
    return wc__ffrom((wc__fbits(x) & m) | (wc__fbits(y) & ~m));
}

/* ln 2 split so that k * WC__LN2_HI is exact for |k| < 2^21. */
#define WC__LN2_HI 6.93147180369123816490e-01 /* 0x3fe62e42fee00000 */
#define WC__LN2_LO 1.90821492927058770002e-10
#define WC__INV_LN2 1.44269504088896338700e+00
/* 1.5 * 2^52: adding it rounds a |v| < 2^51 to an integer held in the low
 * mantissa bits (exact int <-> double conversion without cvt instructions,
 * which AVX2 lacks for 64-bit integers). */
#define WC__MAGIC 6755399441055744.0
#define WC__MAGIC_BITS UINT64_C(0x4338000000000000)

/* ---------------------------------------------------------------------- */
/* logarithms                                                             */

/* Natural log, float.  x finite > 0, subnormals included.
 * Measured: max error 0.85 ulp over all positive finite floats. */
static inline float wc_logf(float x)
{
    /* 15 significant bits: k * hi is exact for |k| < 2^9. */
    const float ln2_hi = 0.693145751953125f;     /* 0x1.62e4p-1 */
    const float ln2_lo = 1.428606765330187e-06f; /* ln2 - ln2_hi */
    /* Every x is scaled exactly by a power of two (2^25 lifts subnormals,
     * 2^-8 is harmless for x >= 2^-100); k subtracts its exponent again. */
    float scale = wc__self(wc__ltf(x, 0x1p-100f), 0x1p25f, 0x1p-8f);
    float xs = x * scale;
    /* Shift so that the exponent field counts from sqrt(1/2). */
    uint32_t hx = wc__fbits(xs) + (UINT32_C(0x3f800000) - UINT32_C(0x3f3504f3));
    float k = (float)((int32_t)(hx >> 23) - (int32_t)(wc__fbits(scale) >> 23));
    float m = wc__ffrom((hx & UINT32_C(0x007fffff)) + UINT32_C(0x3f3504f3));
    float f = m - 1.0f; /* exact, in [-0.293, 0.415) */
    float s = f / (2.0f + f);
    float z = s * s;
    float R = z * (0.666666851587706813803f
                   + z * (0.3998873183116415078499f + z * 0.2958215894676854781878f));
    float hfsq = 0.5f * f * f;
    return k * ln2_hi - ((hfsq - (s * (hfsq + R) + k * ln2_lo)) - f);
}

/* Natural log, double.  x finite > 0, subnormals included.
 * Measured: max error 0.82 ulp (4M random doubles incl. subnormals). */
static inline double wc_log(double x)
{
    /* exact power-of-two prescale, see wc_logf */
    double scale = wc__sel(wc__lt(x, 0x1p-1000), 0x1p54, 0x1p-8);
    double xs = x * scale;
    uint64_t hx = wc__dbits(xs)
                  + (UINT64_C(0x3ff0000000000000) - UINT64_C(0x3fe6a09e667f3bcd));
    /* k = (hx >> 52) - (exponent field of scale); both small nonnegative
     * integers, converted exactly through the mantissa of 2^52. */
    double k = wc__dfrom(UINT64_C(0x4330000000000000) | (hx >> 52))
               - wc__dfrom(UINT64_C(0x4330000000000000) | (wc__dbits(scale) >> 52));
    double m = wc__dfrom((hx & UINT64_C(0x000fffffffffffff))
                         + UINT64_C(0x3fe6a09e667f3bcd));
    double f = m - 1.0; /* exact, in [-0.293, 0.415) */
    double s = f / (2.0 + f);
    double z = s * s;
    /* R(z) = sum_{j>=1} 2 z^j / (2j+1), Chebyshev fit on [0, 0.0295]. */
    double R = z * (0.6666666666666669732123
               + z * (0.3999999999989819194701
               + z * (0.2857142862657020362242
               + z * (0.2222221103781658772367
               + z * (0.1818289618348308656046
               + z * (0.1533148723586573323977
               + z * 0.1461934345351261519224))))));
    double hfsq = 0.5 * f * f;
    return k * WC__LN2_HI - ((hfsq - (s * (hfsq + R) + k * WC__LN2_LO)) - f);
}

/* log(1 + x) for x > -1 (accurate in relative terms for small x).
 * Measured: max error 1.44 ulp on [-0.5, 1]. */
static inline double wc_log1p(double x)
{
    double w = 1.0 + x;
    /* Rounding error of 1 + x (exact for |x| <= 1), fed in to first order. */
    double c = x - (w - 1.0);
    return wc_log(w) + c / w;
}

/* ---------------------------------------------------------------------- */
/* exponentials                                                           */

/* expm1(r) for |r| <= ln2/2 (+ margin): r + r^2/2 + r^3 G(r), G a
 * degree-9 Chebyshev fit of (expm1(r) - r - r^2/2) / r^3. */
static inline double wc__expm1_kernel(double r)
{
    double r2 = r * r;
    double G = 0.1666666666666666747491
        + r * (0.04166666666666666724388
        + r * (0.008333333333329988199572
        + r * (0.001388888888888649993368
        + r * (0.0001984126986342035026311
        + r * (0.00002480158731740639193292
        + r * (0.000002755726789174553036389
        + r * (2.755728256374953136989e-7
        + r * (2.510065503606659005476e-8
        + r * 2.091142911437247502393e-9))))))));
    return r + (0.5 * r2 + r2 * r * G);
}

/* exp(x) - 1.  Measured: max error 1.87 ulp on [-60, 709]. */
static inline double wc_expm1(double x)
{
    /* Below -60 the correctly rounded answer is -1. */
    x = wc__sel(wc__lt(x, -60.0), -60.0, x);
    x = wc__sel(wc__lt(709.0, x), 709.0, x);
    double t = x * WC__INV_LN2 + WC__MAGIC;
    double kd = t - WC__MAGIC;
    double two_k = wc__dfrom((wc__dbits(t) + (UINT64_C(1023) - WC__MAGIC_BITS)) << 52);
    double r = (x - kd * WC__LN2_HI) - kd * WC__LN2_LO;
    double e = wc__expm1_kernel(r);
    return two_k * e + (two_k - 1.0);
}

/* exp(x) * f for f in about [2^-40, 2^10], rounded only once into the
 * subnormal range (exp(r) * f is normal and the first scaling exact). */
static inline double wc__exp_mul(double x, double f)
{
    x = wc__sel(wc__lt(x, -746.0), -746.0, x);
    x = wc__sel(wc__lt(710.0, x), 710.0, x);
    double t = x * WC__INV_LN2 + WC__MAGIC;
    double kd = t - WC__MAGIC;
    double r = (x - kd * WC__LN2_HI) - kd * WC__LN2_LO;
    double pf = f + f * wc__expm1_kernel(r); /* exp(r) * f, one rounding less */
    /* 2^k = 2^k1 * 2^k2 with both factors normal for k in [-1077, 1025]. */
    double t1 = kd * 0.5 + WC__MAGIC;
    double k1 = t1 - WC__MAGIC;
    double t2 = (kd - k1) + WC__MAGIC;
    double s1 = wc__dfrom((wc__dbits(t1) + (UINT64_C(1023) - WC__MAGIC_BITS)) << 52);
    double s2 = wc__dfrom((wc__dbits(t2) + (UINT64_C(1023) - WC__MAGIC_BITS)) << 52);
    return (pf * s1) * s2;
}

/* exp(x), full range (0 below about -745.13, inf above 709.78).
 * Measured: max error 0.92 ulp on [-745.1, 709.7] (subnormal results in
 * units of 2^-1074). */
static inline double wc_exp(double x) { return wc__exp_mul(x, 1.0); }

/* ---------------------------------------------------------------------- */
/* normal quantile, AS 241                                                */

/* PPND16 pieces.  Central region: z = q A(r)/B(r), r = 0.180625 - q^2. */
static inline double wc__as241_a(double r)
{
    return ((((((2.5090809287301226727e+3 * r + 3.3430575583588128105e+4) * r
            + 6.7265770927008700853e+4) * r + 4.5921953931549871457e+4) * r
            + 1.3731693765509461125e+4) * r + 1.9715909503065514427e+3) * r
            + 1.3314166789178437745e+2) * r + 3.3871328727963666080e+0;
}
static inline double wc__as241_b(double r)
{
    return ((((((5.2264952788528545610e+3 * r + 2.8729085735721942674e+4) * r
            + 3.9307895800092710610e+4) * r + 2.1213794301586595867e+4) * r
            + 5.3941960214247511077e+3) * r + 6.8718700749205790830e+2) * r
            + 4.2313330701600911252e+1) * r + 1.0;
}
/* Intermediate tail, r = sqrt(-log p) - 1.6 (1.6 <= r + 1.6 <= 5). */
static inline double wc__as241_c(double r)
{
    return ((((((7.74545014278341407640e-4 * r + 2.27238449892691845833e-2) * r
            + 2.41780725177450611770e-1) * r + 1.27045825245236838258e+0) * r
            + 3.64784832476320460504e+0) * r + 5.76949722146069140550e+0) * r
            + 4.63033784615654529590e+0) * r + 1.42343711074968357734e+0;
}
static inline double wc__as241_d(double r)
{
    return ((((((1.05075007164441684324e-9 * r + 5.47593808499534494600e-4) * r
            + 1.51986665636164571966e-2) * r + 1.48103976427480074590e-1) * r
            + 6.89767334985100004550e-1) * r + 1.67638483018380384940e+0) * r
            + 2.05319162663775882187e+0) * r + 1.0;
}
/* Far tail, r = sqrt(-log p) - 5. */
static inline double wc__as241_e(double r)
{
    return ((((((2.01033439929228813265e-7 * r + 2.71155556874348757815e-5) * r
            + 1.24266094738807843860e-3) * r + 2.65321895265761230930e-2) * r
            + 2.96560571828504891230e-1) * r + 1.78482653991729133580e+0) * r
            + 5.46378491116411436990e+0) * r + 6.65790464350110377720e+0;
}
static inline double wc__as241_f(double r)
{
    return ((((((2.04426310338993978564e-15 * r + 1.42151175831644588870e-7) * r
            + 1.84631831751005468180e-5) * r + 7.86869131145613259100e-4) * r
            + 1.48753612908506148525e-2) * r + 1.36929880922735805310e-1) * r
            + 5.99832206555887937690e-1) * r + 1.0;
}

/* Shared PPND16 evaluation given q = p - 0.5 (<= 0) and s = -log p (>= 0):
 * all three regions are computed, numerator/denominator selected, one
 * division. */
static inline double wc__ppnd16_lower(double q, double s)
{
    double rc = 0.180625 - q * q;
    double num_c = q * wc__as241_a(rc);
    double den_c = wc__as241_b(rc);
    double r = WC_SQRT(s);
    double r1 = r - 1.6;
    double r2 = r - 5.0;
    double num_1 = wc__as241_c(r1), den_1 = wc__as241_d(r1);
    double num_2 = wc__as241_e(r2), den_2 = wc__as241_f(r2);
    uint64_t mid = wc__le(r, 5.0);
    uint64_t central = wc__le(-0.425, q);
    double num = wc__sel(central, num_c, -wc__sel(mid, num_1, num_2));
    double den = wc__sel(central, den_c, wc__sel(mid, den_1, den_2));
    return num / den;
}

/* Phi^{-1}(p) for p in (0, 0.5], double (AS 241 PPND16).  Returns +0.0 at
 * p = 0.5, negative values below.  Subnormal p handled (down to 2^-1074).
 * Measured: max relative error 9.2e-16 (1e7 log-spaced p in [2^-1074, 0.5];
 * about 4-7 ulp, from Horner rounding in the degree-7 rationals: the AS 241
 * approximation itself is good to 3e-17). */
static inline double wc_ndtri_lower(double p)
{
    return wc__ppnd16_lower(p - 0.5, -wc_log(p));
}

/* wc_ndtri_lower_7(p): PPND7 on a double p in (0, 0.5] (float accuracy, for
 * float outputs); wc_ndtri_lower_f(p): the same for a float p.
 *
 * Phi^{-1}(p) for float p in (0, 0.5].
 *
 * AS 241 PPND7 (relative accuracy about 1e-7), evaluated in double and
 * rounded once to float.  Evaluating in double matters for monotonicity:
 * consecutive floats p change z by at least ~1e-9 relative, far above the
 * double rounding noise, so the double values are increasing and rounding
 * to float keeps them non-decreasing (the only region switch that is not
 * continuous, at p = 0.075, jumps upwards by 1.1e-7).
 * Measured: max error 2.55 float ulp over all floats in [2^-40, 0.5]; +0.0 at
 * p = 0.5. */
static inline double wc_ndtri_lower_7(double p)
{
    double q = p - 0.5;
    double rc = 0.180625 - q * q;
    double num_c = q * (((59.109374720 * rc + 159.29113202) * rc
                         + 50.434271938) * rc + 3.3871327179);
    double den_c = ((67.187563600 * rc + 78.757757664) * rc + 17.895169469) * rc + 1.0;
    double r = WC_SQRT(-wc_log(p));
    double r1 = r - 1.6;
    double r2 = r - 5.0;
    double num_1 = ((0.17023821103 * r1 + 1.3067284816) * r1 + 2.7568153900) * r1
                   + 1.4234372777;
    double den_1 = (0.12021132975 * r1 + 0.73700164250) * r1 + 1.0;
    double num_2 = ((0.017337203997 * r2 + 0.42868294337) * r2 + 3.0812263860) * r2
                   + 6.6579051150;
    double den_2 = (0.012258202635 * r2 + 0.24197894225) * r2 + 1.0;
    uint64_t mid = wc__le(r, 4.976166469256861);
    uint64_t central = wc__le(-0.425, q);
    double num = wc__sel(central, num_c, -wc__sel(mid, num_1, num_2));
    double den = wc__sel(central, den_c, wc__sel(mid, den_1, den_2));
    return num / den;
}

static inline float wc_ndtri_lower_f(float pf)
{
    return (float)wc_ndtri_lower_7((double)pf);
}

/* Phi^{-1}(exp(lp)) for lp in [-1e300, log 0.5].
 *
 *  - lp >= -700: PPND16 with -log p = -lp.  The central region needs
 *    q = p - 1/2 = expm1(lp + ln2) / 2, computed with ln2 in two pieces so
 *    that q keeps its relative accuracy as p -> 1/2 (q is clamped to <= 0,
 *    so lp = double(log 0.5) gives 0).
 *  - lp < -700: solve -lp = w/2 + log(w)/2 + log(2 pi)/2 - log S(1/w),
 *    w = z^2, where S(u) = 1 - u + 3u^2 - 15u^3 + ... is the asymptotic
 *    series of Phi(z) |z| sqrt(2 pi) exp(z^2/2); log S(u) is expanded as
 *    -u + 5/2 u^2 - 37/3 u^3 + 353/4 u^4 - 4081/5 u^5 + 55205/6 u^6.
 *    With A = -2 lp - log(2 pi), L = log A, start from
 *    w0 = A - L + (L - 2)/A + (L^2/2 - 3L + 7)/A^2 and take one Newton
 *    step; the error is below 1e-16 relative for lp <= -400.
 * All branches are computed and selected.
 * Measured: max relative error 8.5e-16 for lp in [-1e300, log 0.5] (mpmath
 * table and a dense long double check down to lp = -11000; absolute error
 * < 3e-17 where |z| < 1e-12); the jump at lp = -700 is 2e-16 relative. */
static inline double wc_ndtri_lower_log(double lp)
{
    /* central / AS 241 part */
    /* d = lp + ln 2 with ln 2 = double(ln 2) + 2.319e-17: the first sum is
     * exact near p = 1/2 (Sterbenz), so d keeps full relative accuracy. */
    double d = (lp + 0.69314718055994530942) + 2.3190468138462996e-17;
    d = wc__sel(wc__lt(0.0, d), 0.0, d);
    double q = 0.5 * wc_expm1(d);
    double s = -lp;
    s = wc__sel(wc__lt(800.0, s), 800.0, s); /* keep unselected lanes finite */
    double z_as = wc__ppnd16_lower(q, s);

    /* asymptotic part */
    uint64_t asym = wc__lt(lp, -700.0);
    double lpa = wc__sel(asym, lp, -700.0);
    double A = -2.0 * lpa - 1.8378770664093454836; /* log(2 pi) */
    double L = wc_log(A);
    double iA = 1.0 / A;
    double w = (A - L) + ((L - 2.0) + (0.5 * L * L - 3.0 * L + 7.0) * iA) * iA;
    double u = 1.0 / w;
    double logS = u * (-1.0 + u * (2.5 + u * (-37.0 / 3.0 + u * (88.25
                  + u * (-816.2 + u * (55205.0 / 6.0))))));
    double F = (w - A) + (wc_log(w) - 2.0 * logS);
    w = w - F / (1.0 + u);
    double z_asym = -WC_SQRT(w);

    return wc__sel(asym, z_asym, z_as);
}

/* ---------------------------------------------------------------------- */
/* normal CDF (scalar, per call)                                          */

#define WC__SQRT1_2 0.70710678118654752440
#define WC__FRAC_1_SQRTPI 0.56418958354775628695

/* Double-double helpers (Dekker/Veltkamp, exact without FMA given
 * -ffp-contract=off) so that the rational functions below are evaluated to
 * about 0.5 ulp instead of the ~8 ulp of plain Horner. */
static inline void wc__two_sum(double a, double b, double *s, double *e)
{
    double t = a + b;
    double bb = t - a;
    *e = (a - (t - bb)) + (b - bb);
    *s = t;
}
static inline void wc__two_prod(double a, double b, double *p, double *e)
{
    double c = 134217729.0 * a; /* 2^27 + 1 */
    double ah = c - (c - a), al = a - ah;
    c = 134217729.0 * b;
    double bh = c - (c - b), bl = b - bh;
    double t = a * b;
    *e = (((ah * bh - t) + ah * bl) + al * bh) + al * bl;
    *p = t;
}
/* c[0] t^n + c[1] t^(n-1) + ... + c[n] as hi + lo. */
static inline void wc__dd_horner(const double *c, int n, double t, double *hi, double *lo)
{
    double h = c[0], l = 0.0;
    for (int i = 1; i <= n; i++) {
        double p, pe, sh, se;
        wc__two_prod(h, t, &p, &pe);
        pe += l * t;
        wc__two_sum(p, c[i], &sh, &se);
        se += pe;
        h = sh + se;
        l = se - (h - sh);
    }
    *hi = h;
    *lo = l;
}
/* (nh + nl) / (dh + dl) rounded to double. */
static inline double wc__dd_div(double nh, double nl, double dh, double dl)
{
    double q = nh / dh;
    double p, pe;
    wc__two_prod(q, dh, &p, &pe);
    return q + ((((nh - p) - pe) + nl) - q * dl) / dh;
}

/* erf(t) / t for |t| <= 0.46875 (Cody 1969, first interval), tt = t*t. */
static inline double wc__erf_over_t(double tt)
{
    static const double a[5] = {1.85777706184603153e-1, 3.16112374387056560e+0,
                                1.13864154151050156e+2, 3.77485237685302021e+2,
                                3.20937758913846947e+3};
    static const double b[5] = {1.0, 2.36012909523441209e+1, 2.44024637934444173e+2,
                                1.28261652607737228e+3, 2.84423683343917062e+3};
    double nh, nl, dh, dl;
    wc__dd_horner(a, 4, tt, &nh, &nl);
    wc__dd_horner(b, 4, tt, &dh, &dl);
    return wc__dd_div(nh, nl, dh, dl);
}

/* exp(t^2) erfc(t) for t >= 0.46875 (Cody 1969, second and third
 * intervals). */
static inline double wc__erfcx_cody(double t)
{
    static const double c[9] = {2.15311535474403846e-8, 5.64188496988670089e-1,
                                8.88314979438837594e+0, 6.61191906371416295e+1,
                                2.98635138197400131e+2, 8.81952221241769090e+2,
                                1.71204761263407058e+3, 2.05107837782607147e+3,
                                1.23033935479799725e+3};
    static const double d[9] = {1.0, 1.57449261107098347e+1,
                                1.17693950891312499e+2, 5.37181101862009858e+2,
                                1.62138957456669019e+3, 3.29079923573345963e+3,
                                4.36261909014324716e+3, 3.43936767414372164e+3,
                                1.23033935480374942e+3};
    static const double p[6] = {1.63153871373020978e-2, 3.05326634961232344e-1,
                                3.60344899949804439e-1, 1.25781726111229246e-1,
                                1.60837851487422766e-2, 6.58749161529837803e-4};
    static const double q[6] = {1.0, 2.56852019228982242e+0, 1.87295284992346725e+0,
                                5.27905102951428412e-1, 6.05183413124413191e-2,
                                2.33520497626869185e-3};
    double nh, nl, dh, dl;
    if (t <= 4.0) {
        wc__dd_horner(c, 8, t, &nh, &nl);
        wc__dd_horner(d, 8, t, &dh, &dl);
        return wc__dd_div(nh, nl, dh, dl);
    }
    double z = 1.0 / (t * t);
    wc__dd_horner(p, 5, z, &nh, &nl);
    wc__dd_horner(q, 5, z, &dh, &dl);
    return (WC__FRAC_1_SQRTPI - z * wc__dd_div(nh, nl, dh, dl)) / t;
}

/* Phi(x) for x <= -0.46875*sqrt(2): exp(-x^2/2) erfcx(|x|/sqrt 2) / 2,
 * with x^2 split so that exp's argument is exact. */
static inline double wc__ndtr_lower_tail(double x)
{
    double t = -x * WC__SQRT1_2;
    double xh = wc__dfrom(wc__dbits(x) & UINT64_C(0xfffffffff8000000)); /* 26 bits */
    double xl = x - xh;
    double big = -0.5 * (xh * xh);           /* exact */
    double small = -0.5 * (xl * (x + xh));   /* x^2/2 = big + small */
    double h = 0.5 * wc__erfcx_cody(t);
    double fac = h + h * wc__expm1_kernel(small); /* |small| < 3e-5 */
    return wc__exp_mul(big, fac);
}

/* Standard normal CDF.  Relative accuracy in the lower tail; subnormal
 * below x = -37.5, 0 below about -38.5; 1 - Phi(-x) for x > 0.
 * Measured: max relative error 5.7e-16 for x in [-37.5, 9]; subnormal
 * results within 0.45 ulp. */
static inline double wc_ndtr(double x)
{
    if (x != x)
        return x;
    double ax = x < 0.0 ? -x : x;
    if (ax * WC__SQRT1_2 < 0.46875) {
        double t = x * WC__SQRT1_2;
        return 0.5 + 0.5 * (t * wc__erf_over_t(t * t));
    }
    if (ax > 1e10) /* avoid inf*0 in the tail pieces */
        return x < 0.0 ? 0.0 : 1.0;
    double lower = wc__ndtr_lower_tail(-ax);
    return x < 0.0 ? lower : 1.0 - lower;
}

/* log Phi(x), accurate for all x: for x <= -0.66 as
 * -x^2/2 + log(erfcx(|x|/sqrt2)/2) (no underflow, no cancellation);
 * for x > 0 as log1p(-Phi(-x)).
 * Measured: max relative error 5.3e-16 for x in [-1e150, 40]. */
static inline double wc_log_ndtr(double x)
{
    if (x != x)
        return x;
    if (x > 40.0) /* -Phi(-x) is below the smallest subnormal */
        return -0.0;
    if (x > 0.0)
        return wc_log1p(-wc_ndtr(-x));
    if (x * WC__SQRT1_2 > -0.46875)
        return wc_log(wc_ndtr(x)); /* Phi in [0.25, 0.5] */
    return -0.5 * (x * x) + wc_log(0.5 * wc__erfcx_cody(-x * WC__SQRT1_2));
}

#endif /* WC_WMATH_H */
