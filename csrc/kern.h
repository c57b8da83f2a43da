/* The sampler kernels, written once.
 *
 * This file is #included by sample_scalar.c, sample_avx2.c and sample_avx512.c,
 * each compiled with its own target flags (setup.py, tests/c/Makefile) and
 * each defining WC_KSUFFIX.  A tile is 16 Philox blocks; the Philox rounds go
 * through the per-ISA vec.h layer, the float transforms are plain loops that
 * GCC vectorizes for the target.  Every operation is an
 * IEEE-exact elementwise operation and -ffp-contract=off forbids fused
 * multiply-adds, so every path writes the same bits (tests/c/test_core.c and
 * tests/test_exact.py and tests/test_properties.py check it).
 */
#include <string.h>

#include "wcinit.h"
#include "philox.h"
#include "vec.h"
#include "wmath.h"

#ifndef WC_KSUFFIX
#error "define WC_KSUFFIX before including kern.h"
#endif
#define WC_CAT2(a, b) a##_##b
#define WC_CAT(a, b) WC_CAT2(a, b)
#define WC_K(name) WC_CAT(name, WC_KSUFFIX)

#define NB WC_TILE_BLOCKS

/* The round keys and stream words of one call, broadcast once. */
typedef struct {
    wc_vq k0[10], k1[10], t0, t1;
} WC_K(keys);

static inline void WC_K(keys_init)(WC_K(keys) *K, uint64_t stream, uint64_t seed)
{
    uint32_t s0 = (uint32_t)seed, s1 = (uint32_t)(seed >> 32);
    for (int r = 0; r < 10; r++) {
        K->k0[r] = wc_q_set1(s0);
        K->k1[r] = wc_q_set1(s1);
        s0 += WC_PHILOX_W0;
        s1 += WC_PHILOX_W1;
    }
    K->t0 = wc_q_set1((uint32_t)stream);
    K->t1 = wc_q_set1((uint32_t)(stream >> 32));
}

/* Philox4x32-10 on CH independent chains of WC_QL blocks each, blocks
 * blk0 .. blk0 + CH WC_QL - 1 (CH is a constant after inlining, so the arrays
 * live in registers): c_m[c] holds word m of blocks blk0 + c WC_QL + lane, in
 * the low halves of its lanes.  Each lane is one block, exactly as philox.h. */
static inline __attribute__((always_inline)) void WC_K(rounds)(const int CH, uint64_t blk0,
                                                               const WC_K(keys) *K, wc_vq *c0,
                                                               wc_vq *c1, wc_vq *c2, wc_vq *c3)
{
    const wc_vq m0 = wc_q_set1(WC_PHILOX_M0), m1 = wc_q_set1(WC_PHILOX_M1);
    for (int c = 0; c < CH; c++) {
        /* counter words: c0 = low word of the block number (the lane's upper
         * half, the high word, is ignored by the multiply), c1 = its high word */
        c0[c] = wc_q_iota(blk0 + (uint64_t)(c * WC_QL));
        c1[c] = wc_q_hi32(c0[c]);
        c2[c] = K->t0;
        c3[c] = K->t1;
    }
    for (int r = 0; r < 10; r++) {
        for (int c = 0; c < CH; c++) {
            wc_vq p0 = wc_q_mul32(c0[c], m0), p1 = wc_q_mul32(c2[c], m1);
            /* c0 and c2 only feed the multiplies and the packs, which read
             * the low halves: one high word moved by a shuffle, one by a shift */
            c0[c] = wc_q_xor3(wc_q_hi32x(p1), c1[c], K->k0[r]);
            c2[c] = wc_q_xor3(wc_q_hi32(p0), c3[c], K->k1[r]);
            c1[c] = p1;
            c3[c] = p0;
        }
    }
}

/* Blocks blk0 + j .. blk0 + j + CH WC_QL - 1 (j a multiple of 2 WC_QL, CH
 * even), their words stored into W pairwise: chains c and c + 1 hold 2 WC_QL
 * consecutive blocks of one tile, packed by one permute and one full-width
 * store, so the transform's full-width loads of them forward from the store. */
static inline __attribute__((always_inline)) void WC_K(chains)(const int CH, uint64_t blk0, int j,
                                                               const WC_K(keys) *K,
                                                               uint32_t W[2][4][NB])
{
    wc_vq c0[4], c1[4], c2[4], c3[4];
    WC_K(rounds)(CH, blk0 + (uint64_t)j, K, c0, c1, c2, c3);
    for (int c = 0; c < CH; c += 2) {
        int jj = j + c * WC_QL, t = jj / NB;
        jj %= NB;
        wc_q_store_lo32x2(&W[t][0][jj], c0[c], c0[c + 1]);
        wc_q_store_lo32x2(&W[t][1][jj], c1[c], c1[c + 1]);
        wc_q_store_lo32x2(&W[t][2][jj], c2[c], c2[c + 1]);
        wc_q_store_lo32x2(&W[t][3][jj], c3[c], c3[c + 1]);
    }
}

/* Philox words of ntiles (1 or 2) consecutive tiles starting at block blk0,
 * in structure-of-arrays order: W[t][m][j] is word m of block blk0 + 16 t + j.
 * WC_QCHAINS independent round chains run side by side for instruction-level
 * parallelism. */
static inline void WC_K(tile_words)(uint64_t blk0, int ntiles, const WC_K(keys) *K,
                                    uint32_t W[2][4][NB])
{
    const int nb = ntiles * NB;
    _Static_assert(WC_QCHAINS % 2 == 0 && WC_QCHAINS <= 4 && NB % (2 * WC_QL) == 0,
                   "chains are paired within a tile");
    int j = 0;
    for (; j + WC_QCHAINS * WC_QL <= nb; j += WC_QCHAINS * WC_QL)
        WC_K(chains)(WC_QCHAINS, blk0, j, K, W);
    for (; j < nb; j += 2 * WC_QL) /* nb is a multiple of 2 WC_QL */
        WC_K(chains)(2, blk0, j, K, W);
}

#ifdef WC_VEC_FUSED
/* The fused kernels (SIMD paths): uniform and raw float32/float64, two whole
 * tiles from block blk0 into out.  The words never leave registers: packed
 * into element order (float32: element m 16 + j of a tile is word m of block
 * j; float64: words 2m and 2m + 1 of block j make element m 16 + j), turned
 * into values with the same IEEE operations, in the same order, as tile_f32
 * and tile_f64, and stored straight to the output. */
static inline int WC_K(fused_ok)(const wc_params *p, wc_dtype dt)
{
    return (dt == WC_F32 || dt == WC_F64) && (p->dist == WC_UNIFORM || p->dist == WC_RAW);
}

static void WC_K(fused2)(uint64_t blk0, const WC_K(keys) *K, const wc_params *p, wc_dtype dt,
                         void *out)
{
    const int uni = p->dist == WC_UNIFORM;
    for (int j = 0; j < 2 * NB; j += WC_QCHAINS * WC_QL) {
        wc_vq c[4][4];
        WC_K(rounds)(WC_QCHAINS, blk0 + (uint64_t)j, K, c[0], c[1], c[2], c[3]);
        for (int ch = 0; ch < WC_QCHAINS; ch += 2) {
            int jj = j + ch * WC_QL, t = jj / NB;
            jj %= NB;
            if (dt == WC_F32) {
                float *o = (float *)out + t * WC_TILE32 + jj;
                const float a = (float)p->a, b = (float)p->b;
                const float lo = (float)p->lo_dt[WC_F32], hi = (float)p->hi_dt[WC_F32];
                for (int m = 0; m < 4; m++) {
                    wc_vw w = wc_w_pack(c[m][ch], c[m][ch + 1]);
                    if (uni)
                        wc_f_storeu(o + m * NB, wc_f_uniform(wc_f_u24(w), a, b, lo, hi));
                    else
                        wc_w_storeu(o + m * NB, w);
                }
            } else {
                double *o = (double *)out + t * WC_TILE64 + jj;
                const double lo = p->lo_dt[WC_F64], hi = p->hi_dt[WC_F64];
                for (int m = 0; m < 2; m++)
                    for (int h = 0; h < 2; h++) {
                        wc_vq x = wc_q_join(c[2 * m][ch + h], c[2 * m + 1][ch + h]);
                        double *d = o + m * NB + h * WC_QL;
                        if (uni)
                            wc_d_storeu(d, wc_d_uniform(wc_d_u52(x), p->a, p->b, lo, hi));
                        else
                            wc_q_storeu(d, x);
                    }
            }
        }
    }
}
#endif

/* ---- bit helpers (exact conversions that vectorize everywhere) ------------ */

static inline double WC_K(u52_to_double)(uint64_t k) /* k < 2^52, exact */
{
    uint64_t bits = UINT64_C(0x4330000000000000) | k;
    double d;
    memcpy(&d, &bits, sizeof d);
    return d - 4503599627370496.0; /* 2^52 */
}

static inline double WC_K(u32_to_double)(uint32_t k)
{
    return WC_K(u52_to_double)((uint64_t)k);
}

/* float -> IEEE binary16 bits, round to nearest even (overflow -> inf). */
static inline uint16_t WC_K(f32_to_f16)(float f)
{
    uint32_t x;
    memcpy(&x, &f, sizeof x);
    uint32_t sign = (x >> 16) & 0x8000u;
    uint32_t ax = x & 0x7fffffffu;
    /* normal half range: |f| >= 2^-14 */
    uint32_t mant_round = ax + 0x0fffu + ((ax >> 13) & 1u); /* RNE at bit 13 */
    uint32_t normal = (mant_round >> 13) - ((127u - 15u) << 10);
    /* overflow / inf: exponent >= 31 after rounding, or NaN */
    uint32_t over = (ax >= 0x477ff000u) ? 0x7c00u : normal;
    uint32_t res_norm = (ax > 0x7f800000u) ? 0x7e00u : over;
    /* subnormal half: |f| < 2^-14: value / 2^-24 rounded to nearest even */
    float af;
    memcpy(&af, &ax, sizeof af);
    float scaled = af * 16777216.0f; /* 2^24: exact */
    /* round-to-nearest-even of scaled (< 1024) via the 2^23 magic number */
    float r = (scaled + 8388608.0f) - 8388608.0f;
    uint32_t sub = (uint32_t)(int32_t)r;
    uint32_t res = (ax < 0x38800000u) ? sub : res_norm;
    return (uint16_t)(sign | res);
}

/* float -> bfloat16 bits, round to nearest even (NaN stays NaN). */
static inline uint16_t WC_K(f32_to_bf16)(float f)
{
    uint32_t x;
    memcpy(&x, &f, sizeof x);
    uint32_t rounded = (x + 0x7fffu + ((x >> 16) & 1u)) >> 16;
    uint32_t nan = (x >> 16) | 0x40u;
    return (uint16_t)(((x & 0x7fffffffu) > 0x7f800000u) ? nan : rounded);
}

/* ---- Box-Muller pieces ------------------------------------------------------------ */

/* sin and cos of x in (0, pi/4), Horner without FMA.  float: the minimax
 * coefficients of Cephes' sinf/cosf (S. L. Moshier, Cephes Math Library,
 * sinf.c), relative error about 1e-8 on [0, pi/4]; double: Taylor
 * polynomials, truncation error below 1e-19. */
static inline float WC_K(sinf_oct)(float x)
{
    float z = x * x;
    return x + x * z * (-1.6666654611e-1f + z * (8.3321608736e-3f + z * -1.9515295891e-4f));
}
static inline float WC_K(cosf_oct)(float x)
{
    float z = x * x;
    return 1.0f - 0.5f * z
           + z * z * (4.166664568298827e-2f + z * (-1.388731625493765e-3f + z * 2.443315711809948e-5f));
}
static inline double WC_K(sin_oct)(double x)
{
    double z = x * x;
    return x + x * z * (-1.0 / 6 + z * (1.0 / 120 + z * (-1.0 / 5040 + z * (1.0 / 362880
           + z * (-1.0 / 39916800 + z * (1.0 / 6227020800.0 + z * (-1.0 / 1307674368000.0
           + z * (1.0 / 355687428096000.0))))))));
}
static inline double WC_K(cos_oct)(double x)
{
    double z = x * x;
    return 1.0 + z * (-0.5 + z * (1.0 / 24 + z * (-1.0 / 720 + z * (1.0 / 40320
           + z * (-1.0 / 3628800 + z * (1.0 / 479001600.0 + z * (-1.0 / 87178291200.0
           + z * (1.0 / 20922789888000.0 + z * (-1.0 / 6402373705728000.0)))))))));
}

/* The angle theta = 2 pi (w + 1/2) / 2^32 of a 32-bit word w: octant from the
 * top 3 bits, the rest reduced exactly in integers to x in (0, pi/4), so that
 * sin and cos are never exactly 0. */
static inline void WC_K(sincos_turn32)(uint32_t w, float *sn, float *cs)
{
    uint32_t frac = w & 0x1fffffffu, h = (w >> 29) & 1u;
    uint32_t g = h ? 0x1fffffffu - frac : frac;
    float x = ((float)(int32_t)g + 0.5f) * (float)(0.78539816339744830962 / 536870912.0);
    float s = WC_K(sinf_oct)(x), c = WC_K(cosf_oct)(x);
    /* theta = q pi/2 + (h ? pi/2 - x : x), q = w >> 30: sin and cos swap when
     * h ^ (q & 1); sin is negative for q >= 2 (bit 31), cos for q = 1, 2
     * (bit 31 ^ bit 30).  Swaps and sign flips are exact. */
    uint32_t swap = ((w >> 29) ^ (w >> 30)) & 1u;
    float a = swap ? c : s, b = swap ? s : c;
    uint32_t ab, bb;
    memcpy(&ab, &a, 4);
    memcpy(&bb, &b, 4);
    ab ^= w & 0x80000000u;
    bb ^= (w ^ (w << 1)) & 0x80000000u;
    memcpy(sn, &ab, 4);
    memcpy(cs, &bb, 4);
}

/* The same for a 64-bit word: 3 octant bits, 52 fraction bits. */
static inline void WC_K(sincos_turn64)(uint64_t w, double *sn, double *cs)
{
    const uint64_t m52 = UINT64_C(0x000fffffffffffff);
    uint64_t frac = (w >> 9) & m52, h = (w >> 61) & 1u;
    uint64_t g = h ? m52 - frac : frac;
    double x = (WC_K(u52_to_double)(g) + 0.5) * (0.78539816339744830962 / 4503599627370496.0);
    double s = WC_K(sin_oct)(x), c = WC_K(cos_oct)(x);
    uint64_t swap = ((w >> 61) ^ (w >> 62)) & 1u; /* as sincos_turn32 */
    double a = swap ? c : s, b = swap ? s : c;
    uint64_t ab, bb;
    memcpy(&ab, &a, 8);
    memcpy(&bb, &b, 8);
    ab ^= w & UINT64_C(0x8000000000000000);
    bb ^= (w ^ (w << 1)) & UINT64_C(0x8000000000000000);
    memcpy(sn, &ab, 8);
    memcpy(cs, &bb, 8);
}

/* ---- per-tile transforms ------------------------------------------------------ */

static inline float WC_K(clampf)(float x, float lo, float hi)
{
    x = x < lo ? lo : x;
    return x > hi ? hi : x;
}

static inline double WC_K(clampd)(double x, double lo, double hi)
{
    x = x < lo ? lo : x;
    return x > hi ? hi : x;
}

/* float tile: 64 elements, element e = m*16 + j uses word w[m][j].  dt is
 * the dtype the values will be stored as (float32, float16 or bfloat16). */
static void WC_K(tile_f32)(const wc_params *p, wc_dtype dt, uint32_t w[4][NB], float *out)
{
    uint32_t *ww = &w[0][0]; /* ww[e] == w[e/16][e%16] */
    switch (p->dist) {
    case WC_UNIFORM: {
        /* the clamp: [a, b] rounded inward to dt's values, so that rounding to
         * dt (monotone, and exact at lo and hi) stays in [a, b] */
        const float lo = (float)p->lo_dt[dt], hi = (float)p->hi_dt[dt];
        if (dt == WC_F32) {
            const float a = (float)p->a, b = (float)p->b;
            for (int e = 0; e < WC_TILE32; e++) {
                float u = (float)(int32_t)(ww[e] >> 8) * 0x1p-24f; /* [0, 1) */
                float x = (1.0f - u) * a + u * b;
                out[e] = WC_K(clampf)(x, lo, hi);
            }
        } else if (p->nmode < 2) {
            /* float16/bfloat16, [a, b] not straddling 0 (nmode 0) or symmetric
             * about it (nmode 1): x = nc + s nh, s = the word's top 31 bits
             * (nmode 0, nc = the bound nearest 0 + nh / 2) or all 32 as a signed
             * integer (nmode 1, nc = nh / 2), nh = width 2^-31.  Where dt's
             * values are densest (near nc) x is exact, an odd multiple of nh/2:
             * never a rounding midpoint of dt, so no tie-to-even bias. */
            const float c = p->nc, h = p->nh;
            const int sh = p->nmode == 0;
            for (int e = 0; e < WC_TILE32; e++) {
                float sv = (float)(int32_t)(ww[e] >> sh);
                out[e] = WC_K(clampf)(c + sv * h, lo, hi);
            }
        } else {
            /* float16/bfloat16, [a, b] straddling 0 asymmetrically: the same in
             * double, x = a + (w + 1/2) (b - a) 2^-32, whose 2^-32 (b - a) grid
             * is finer than dt's spacing near 0 as well. */
            const double H = (p->b - p->a) * 0x1p-32;
            const double A = p->a + (p->b * 0.5 - p->a * 0.5) + 0.5 * H; /* x at w = 2^31 */
            for (int e = 0; e < WC_TILE32; e++) {
                double sv = (double)(int32_t)(ww[e] ^ 0x80000000u); /* w - 2^31 */
                out[e] = WC_K(clampf)((float)(A + sv * H), lo, hi);
            }
        }
        break;
    }
    case WC_NORMAL: {
        /* Box-Muller on the pairs (e, e + 32): radius from word e, angle from
         * word e + 32.  u1 = (k + 1/2) 2^-31 from 31 bits: |z| <= 6.7. */
        /* x = mean + (std r) cos(theta), the radius scaled once per pair */
        const float mean = (float)p->a, sd = (float)p->b;
        float rr[WC_TILE32 / 2];
        for (int e = 0; e < WC_TILE32 / 2; e++) {
            float u1 = (float)(int32_t)(ww[e] >> 1) * 0x1p-31f + 0x1p-32f;
            u1 = u1 < 0x1.fffffep-1f ? u1 : 0x1.fffffep-1f;
            rr[e] = sd * __builtin_sqrtf(-2.0f * wc_logf(u1));
        }
        if (mean == 0.0f) {
            for (int e = 0; e < WC_TILE32 / 2; e++) {
                float sn, cs;
                WC_K(sincos_turn32)(ww[e + WC_TILE32 / 2], &sn, &cs);
                out[e] = rr[e] * cs;
                out[e + WC_TILE32 / 2] = rr[e] * sn;
            }
        } else {
            for (int e = 0; e < WC_TILE32 / 2; e++) {
                float sn, cs;
                WC_K(sincos_turn32)(ww[e + WC_TILE32 / 2], &sn, &cs);
                out[e] = mean + rr[e] * cs;
                out[e + WC_TILE32 / 2] = mean + rr[e] * sn;
            }
        }
        break;
    }
    case WC_RAW: {
        memcpy(out, ww, WC_TILE32 * sizeof(float));
        break;
    }
    default:
        break;
    }
}

/* double tile: 32 elements, element e = m*16 + j uses words w[2m][j] (low)
 * and w[2m+1][j] (high). */
static void WC_K(tile_f64)(const wc_params *p, uint32_t w[4][NB], double *out)
{
    uint64_t x64[WC_TILE64];
    for (int m = 0; m < 2; m++)
        for (int j = 0; j < NB; j++)
            x64[m * NB + j] = (uint64_t)w[2 * m][j] | ((uint64_t)w[2 * m + 1][j] << 32);
    switch (p->dist) {
    case WC_UNIFORM: {
        const double a = p->a, b = p->b, lo = p->lo_dt[WC_F64], hi = p->hi_dt[WC_F64];
        for (int e = 0; e < WC_TILE64; e++) {
            double u = WC_K(u52_to_double)(x64[e] >> 12) * 0x1p-52; /* [0, 1) */
            double x = (1.0 - u) * a + u * b;
            out[e] = WC_K(clampd)(x, lo, hi);
        }
        break;
    }
    case WC_NORMAL: {
        /* Box-Muller on the pairs (e, e + 16): radius from element e's 64
         * bits, angle from element e + 16's.  u1 = (k + 1/2) 2^-52: |z| <= 8.6. */
        const double mean = p->a, sd = p->b;
        for (int e = 0; e < WC_TILE64 / 2; e++) {
            double u1 = WC_K(u52_to_double)(x64[e] >> 12) * 0x1p-52 + 0x1p-53;
            double r = sd * __builtin_sqrt(-2.0 * wc_log(u1));
            double sn, cs;
            WC_K(sincos_turn64)(x64[e + WC_TILE64 / 2], &sn, &cs);
            out[e] = mean + r * cs;
            out[e + WC_TILE64 / 2] = mean + r * sn;
        }
        break;
    }
    case WC_RAW:
        memcpy(out, x64, sizeof x64);
        break;
    default:
        break;
    }
}

/* Truncated normal, computed in double for every dtype.  u in (0, 1) from
 * 32 bits (float dtypes, n = 64, a tile of 64) or 52 bits (double, n = 32). */
static void WC_K(trunc_from_u)(const wc_params *p, wc_dtype dt, const double *u, int n,
                               double *out)
{
    /* the clamp: [a, b] rounded inward to dt's values (see tile_f32) */
    const double mean = p->a, sd = p->b, lo = p->lo_dt[dt], hi = p->hi_dt[dt], sg = p->sign;
    if (p->dist == WC_TRUNC_MID && n == WC_TILE32) {
        /* float outputs: AS 241 PPND7 (1.2e-7 relative, measured down to
         * p = 1e-230), well inside the float rounding of the result */
        const double plo = p->p_lo, qhi = p->q_hi, zz = p->z;
        for (int e = 0; e < n; e++) {
            double pp = plo + u[e] * zz;
            double qq = qhi + (1.0 - u[e]) * zz;
            double zt = wc_ndtri_lower_7(pp < qq ? pp : qq);
            double z = pp < qq ? zt : -zt;
            out[e] = WC_K(clampd)(mean + sd * (sg * z), lo, hi);
        }
    } else if (p->dist == WC_TRUNC_MID) {
        const double plo = p->p_lo, qhi = p->q_hi, zz = p->z;
        for (int e = 0; e < n; e++) {
            double pp = plo + u[e] * zz;           /* Phi(x)            */
            double qq = qhi + (1.0 - u[e]) * zz;   /* 1 - Phi(x), no cancellation */
            /* the smaller tail probability keeps full relative precision */
            double zt = wc_ndtri_lower(pp < qq ? pp : qq);
            double z = pp < qq ? zt : -zt;
            out[e] = WC_K(clampd)(mean + sd * (sg * z), lo, hi);
        }
    } else { /* WC_TRUNC_TAIL: alpha' = reflected near edge, deep in the upper tail */
        const double lq0 = p->lq0, ww = p->w;
        for (int e = 0; e < n; e++) {
            /* log(1 - Phi(x)) = lq0 + log(1 - u * w) */
            double t = 1.0 - u[e] * ww;
            double lq = lq0 + wc_log(t);
            double z = -wc_ndtri_lower_log(lq);
            out[e] = WC_K(clampd)(mean + sd * (sg * z), lo, hi);
        }
    }
}

/* Transform the words of one tile into buf (float or double values). */
static void WC_K(tile)(const wc_params *p, wc_dtype dt, uint32_t w[4][NB], void *buf)
{
    int trunc = p->dist == WC_TRUNC_MID || p->dist == WC_TRUNC_TAIL;
    if (dt == WC_F64) {
        if (trunc) {
            double u[WC_TILE64];
            for (int m = 0; m < 2; m++)
                for (int j = 0; j < NB; j++) {
                    uint64_t x = (uint64_t)w[2 * m][j] | ((uint64_t)w[2 * m + 1][j] << 32);
                    /* (2k+1) 2^-53, k < 2^52: in (0, 1) */
                    u[m * NB + j] = WC_K(u52_to_double)(x >> 12) * 0x1p-52 + 0x1p-53;
                }
            WC_K(trunc_from_u)(p, dt, u, WC_TILE64, (double *)buf);
        } else {
            WC_K(tile_f64)(p, w, (double *)buf);
        }
    } else {
        if (trunc) {
            double u[WC_TILE32], d[WC_TILE32];
            const uint32_t *ww = &w[0][0];
            for (int e = 0; e < WC_TILE32; e++)
                u[e] = WC_K(u32_to_double)(ww[e]) * 0x1p-32 + 0x1p-33; /* (0, 1) */
            WC_K(trunc_from_u)(p, dt, u, WC_TILE32, d);
            float *f = (float *)buf;
            for (int e = 0; e < WC_TILE32; e++)
                f[e] = (float)d[e];
        } else {
            WC_K(tile_f32)(p, dt, w, (float *)buf);
        }
    }
}

/* Store n <= 64 computed values (from a float or double tile buffer) as dt.
 * float16/bfloat16 on the SIMD paths: WC_HL at a time in vectors (float16 by
 * the hardware conversion, the same bits as f32_to_f16 for every non-NaN
 * float: tests/c/test_half.c checks all 2^32), the rest as the scalar path,
 * and the whole run again by the scalar path if it held a NaN. */
static inline void WC_K(store)(wc_dtype dt, const void *src, int n, void *dst)
{
    switch (dt) {
    case WC_F32:
    case WC_F64:
        memcpy(dst, src, (size_t)n * wc_dtype_size(dt));
        break;
    case WC_F16:
    case WC_BF16: {
        const float *s = (const float *)src;
        char *d = (char *)dst; /* may be unaligned */
        int i = 0;
#ifdef WC_VEC_FUSED
        const int nv = n / WC_HL;
        if (dt == WC_BF16) {
            for (int v = 0; v < nv; v++)
                wc_h_bf16(s + WC_HL * v, d + 2 * WC_HL * v);
            i = nv * WC_HL;
        } else if (wc_h_f16(s, d, nv) == 0) {
            i = nv * WC_HL; /* else all n again by the scalar loop below */
        }
#endif
        for (; i < n; i++) {
            uint16_t h = dt == WC_F16 ? WC_K(f32_to_f16)(s[i]) : WC_K(f32_to_bf16)(s[i]);
            memcpy(d + 2 * i, &h, 2);
        }
        break;
    }
    }
}

/* Convert n floats to float16 (bf = 0) or bfloat16 (bf = 1) bits as the
 * kernels store them: for tests/c/test_half.c, not used by the library. */
void WC_K(wc_half_convert)(int bf, const float *src, size_t n, uint16_t *dst)
{
    for (size_t i = 0; i < n; i += WC_TILE32) {
        int k = n - i < WC_TILE32 ? (int)(n - i) : WC_TILE32;
        WC_K(store)(bf ? WC_BF16 : WC_F16, src + i, k, dst + i);
    }
}

/* Fill out[0..n) with logical elements start .. start+n-1. */
void WC_K(wc_kernel)(const wc_rng *rng, const wc_params *p, wc_dtype dt,
                     uint64_t start, size_t n, void *out)
{
    const uint64_t T = dt == WC_F64 ? WC_TILE64 : WC_TILE32;
    const size_t es = wc_dtype_size(dt);
    const int direct_ok = (dt == WC_F32 || dt == WC_F64);
    _Alignas(64) double buf[WC_TILE32]; /* holds a float or double tile */
    _Alignas(64) uint32_t W[2][4][NB];
    WC_K(keys) K;
    WC_K(keys_init)(&K, rng->stream, rng->seed);
    char *o = (char *)out;
    uint64_t i = start, end = start + n;
#ifdef WC_VEC_FUSED
    const int fused = WC_K(fused_ok)(p, dt) && ((uintptr_t)o % es) == 0;
#endif
    while (i < end) {
        uint64_t t = i / T, t0 = t * T;
#ifdef WC_VEC_FUSED
        if (fused && i == t0 && t0 + 2 * T <= end) {
            WC_K(fused2)(rng->offset + t * NB, &K, p, dt, o);
            o += 2 * T * es;
            i += 2 * T;
            continue;
        }
#endif
        /* two tiles' words at once when the range needs the next tile too */
        int ntiles = (t0 + T < end) ? 2 : 1;
        WC_K(tile_words)(rng->offset + t * NB, ntiles, &K, W);
        for (int k = 0; k < ntiles; k++, t0 += T) {
            uint64_t stop = t0 + T < end ? t0 + T : end;
            int cnt = (int)(stop - i);
            if (i == t0 && cnt == (int)T && direct_ok && ((uintptr_t)o % es) == 0) {
                WC_K(tile)(p, dt, W[k], o); /* whole tile straight into place */
            } else {
                WC_K(tile)(p, dt, W[k], buf);
                const char *src = (const char *)buf + (i - t0) * (dt == WC_F64 ? 8 : 4);
                WC_K(store)(dt, src, cnt, o);
            }
            o += (size_t)cnt * es;
            i = stop;
        }
    }
}
