/* A thin layer of vector operations, one definition per ISA, for the
 * Philox rounds in kern.h (the float transforms are plain loops that GCC
 * vectorizes on its own).  The including file defines WC_VEC_AVX512,
 * WC_VEC_AVX2 or neither (portable: one lane).
 *
 * Each 32-bit Philox word lives in a 64-bit lane whose upper half may hold
 * garbage: the 32x32->64 multiply (vpmuludq) reads only the low halves, so a
 * product's low word needs no masking and its high word is one shift.
 *
 *   wc_vq            WC_QL lanes of 64 bits (WC_QCHAINS: Philox chains to interleave)
 *   wc_q_set1        broadcast;  wc_q_iota(x): x, x + 1, ..., x + WC_QL - 1
 *   wc_q_mul32       low32(a) * low32(m), full 64-bit products
 *   wc_q_hi32        a >> 32 in each lane
 *   wc_q_hi32x       the high word of each lane in its low half, the upper
 *                    half undefined (a shuffle: another port than the shift)
 *   wc_q_xor3        a ^ b ^ c
 *   wc_q_store_lo32  store the low 32 bits of each lane as WC_QL uint32
 *   wc_q_store_lo32x2  the same for a then b: 2 WC_QL consecutive uint32 in one
 *                    full-width store (one permute), so that the transform's
 *                    full-width loads of them forward from the store buffer
 *
 * The fused kernels (kern.h, SIMD paths only: WC_VEC_FUSED) transform the
 * words in registers.  wc_vw holds 2 WC_QL words, wc_vf as many floats,
 * wc_vd WC_QL doubles:
 *   wc_w_pack(a, b)      the low words of a's then b's lanes, in order
 *   wc_q_join(lo, hi)    64-bit lanes lo32(lo) | lo32(hi) << 32
 *   wc_f_u24(w)          (float)(int32_t)(w >> 8) * 2^-24 in each lane
 *   wc_d_u52(q)          the double of q >> 12 (exact) times 2^-52
 *   wc_f_uniform / wc_d_uniform   min(hi, max(lo, (1 - u) a + u b))
 *   wc_h_f16(s, d, nv)   nv WC_HL floats at s to binary16 at d (vcvtps2ph, round
 *                        to nearest even); returns -1 if one was a NaN, whose
 *                        stored bits are then wrong (kern.h's NaN is not the
 *                        hardware's quiet NaN): the caller stores them again.
 *                        One NaN test per call, not per vector: the test and
 *                        its branch per vector cost float16 normal_ 4%
 *   wc_h_bf16(s, d)      WC_HL floats to bfloat16 by kern.h's integer rounding
 * max(lo, x) is lo > x ? lo : x and min(hi, x) is hi < x ? hi : x, for the
 * non-NaN x here exactly the scalar clamp, signed zeros included.
 */
#ifndef WC_VEC_H
#define WC_VEC_H

#include <stdint.h>

#if defined(WC_VEC_AVX512)
#include <immintrin.h>
typedef __m512i wc_vq;
#define WC_QL 8
#define WC_QCHAINS 4 /* Philox chains interleaved: 32 registers allow 4 */
static inline wc_vq wc_q_set1(uint64_t x) { return _mm512_set1_epi64((long long)x); }
static inline wc_vq wc_q_iota(uint64_t x)
{
    return _mm512_add_epi64(_mm512_set1_epi64((long long)x), _mm512_setr_epi64(0, 1, 2, 3, 4, 5, 6, 7));
}
static inline wc_vq wc_q_mul32(wc_vq a, wc_vq m) { return _mm512_mul_epu32(a, m); }
static inline wc_vq wc_q_hi32(wc_vq a) { return _mm512_srli_epi64(a, 32); }
static inline wc_vq wc_q_hi32x(wc_vq a) { return _mm512_shuffle_epi32(a, _MM_PERM_CDAB); }
static inline wc_vq wc_q_xor3(wc_vq a, wc_vq b, wc_vq c)
{
    return _mm512_ternarylogic_epi64(a, b, c, 0x96);
}
static inline void wc_q_store_lo32(uint32_t *p, wc_vq v)
{
    _mm256_storeu_si256((__m256i *)p, _mm512_cvtepi64_epi32(v));
}
static inline void wc_q_store_lo32x2(uint32_t *p, wc_vq a, wc_vq b)
{
    const __m512i idx = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
    _mm512_storeu_si512((void *)p, _mm512_permutex2var_epi32(a, idx, b));
}

#define WC_VEC_FUSED 1
typedef __m512i wc_vw;
typedef __m512 wc_vf;
typedef __m512d wc_vd;
static inline wc_vw wc_w_pack(wc_vq a, wc_vq b)
{
    const __m512i idx = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
    return _mm512_permutex2var_epi32(a, idx, b);
}
static inline wc_vq wc_q_join(wc_vq lo, wc_vq hi)
{
    return _mm512_mask_blend_epi32(0xaaaa, lo, _mm512_slli_epi64(hi, 32));
}
static inline void wc_w_storeu(void *p, wc_vw w) { _mm512_storeu_si512(p, w); }
static inline void wc_q_storeu(void *p, wc_vq q) { _mm512_storeu_si512(p, q); }
static inline wc_vf wc_f_u24(wc_vw w)
{
    return _mm512_mul_ps(_mm512_cvtepi32_ps(_mm512_srli_epi32(w, 8)), _mm512_set1_ps(0x1p-24f));
}
static inline wc_vf wc_f_uniform(wc_vf u, float a, float b, float lo, float hi)
{
    wc_vf x = _mm512_add_ps(_mm512_mul_ps(_mm512_sub_ps(_mm512_set1_ps(1.0f), u), _mm512_set1_ps(a)),
                            _mm512_mul_ps(u, _mm512_set1_ps(b)));
    return _mm512_min_ps(_mm512_set1_ps(hi), _mm512_max_ps(_mm512_set1_ps(lo), x));
}
static inline void wc_f_storeu(float *p, wc_vf x) { _mm512_storeu_ps(p, x); }
static inline wc_vd wc_d_u52(wc_vq q)
{
    __m512i b = _mm512_or_si512(_mm512_srli_epi64(q, 12), _mm512_set1_epi64(0x4330000000000000LL));
    wc_vd d = _mm512_sub_pd(_mm512_castsi512_pd(b), _mm512_set1_pd(4503599627370496.0));
    return _mm512_mul_pd(d, _mm512_set1_pd(0x1p-52));
}
static inline wc_vd wc_d_uniform(wc_vd u, double a, double b, double lo, double hi)
{
    wc_vd x = _mm512_add_pd(_mm512_mul_pd(_mm512_sub_pd(_mm512_set1_pd(1.0), u), _mm512_set1_pd(a)),
                            _mm512_mul_pd(u, _mm512_set1_pd(b)));
    return _mm512_min_pd(_mm512_set1_pd(hi), _mm512_max_pd(_mm512_set1_pd(lo), x));
}
static inline void wc_d_storeu(double *p, wc_vd x) { _mm512_storeu_pd(p, x); }
#define WC_HL 16
static inline int wc_h_f16(const float *s, void *d, int nv)
{
    __mmask16 nan = 0;
    for (int v = 0; v < nv; v++) {
        __m512 x = _mm512_loadu_ps(s + WC_HL * v);
        nan |= _mm512_cmp_ps_mask(x, x, _CMP_UNORD_Q);
        _mm256_storeu_si256((__m256i *)((char *)d + 2 * WC_HL * v),
                            _mm512_cvtps_ph(x, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC));
    }
    return nan ? -1 : 0;
}
static inline void wc_h_bf16(const float *s, void *d)
{
    __m512i x = _mm512_loadu_si512((const void *)s), hi = _mm512_srli_epi32(x, 16);
    __m512i r = _mm512_add_epi32(_mm512_add_epi32(x, _mm512_set1_epi32(0x7fff)),
                                 _mm512_and_si512(hi, _mm512_set1_epi32(1)));
    __mmask16 nan = _mm512_cmpgt_epu32_mask(_mm512_and_si512(x, _mm512_set1_epi32(0x7fffffff)),
                                            _mm512_set1_epi32(0x7f800000));
    r = _mm512_mask_blend_epi32(nan, _mm512_srli_epi32(r, 16), _mm512_or_si512(hi, _mm512_set1_epi32(0x40)));
    _mm256_storeu_si256((__m256i *)d, _mm512_cvtepi32_epi16(r));
}

#elif defined(WC_VEC_AVX2)
#include <immintrin.h>
typedef __m256i wc_vq;
#define WC_QL 4
#define WC_QCHAINS 2 /* 16 registers: 4 chains would spill */
static inline wc_vq wc_q_set1(uint64_t x) { return _mm256_set1_epi64x((long long)x); }
static inline wc_vq wc_q_iota(uint64_t x)
{
    return _mm256_add_epi64(_mm256_set1_epi64x((long long)x), _mm256_setr_epi64x(0, 1, 2, 3));
}
static inline wc_vq wc_q_mul32(wc_vq a, wc_vq m) { return _mm256_mul_epu32(a, m); }
static inline wc_vq wc_q_hi32(wc_vq a) { return _mm256_srli_epi64(a, 32); }
static inline wc_vq wc_q_hi32x(wc_vq a) { return _mm256_shuffle_epi32(a, 0xb1); }
static inline wc_vq wc_q_xor3(wc_vq a, wc_vq b, wc_vq c)
{
    return _mm256_xor_si256(_mm256_xor_si256(a, b), c);
}
static inline void wc_q_store_lo32(uint32_t *p, wc_vq v)
{
    __m256i packed = _mm256_permutevar8x32_epi32(v, _mm256_setr_epi32(0, 2, 4, 6, 0, 2, 4, 6));
    _mm_storeu_si128((__m128i *)p, _mm256_castsi256_si128(packed));
}
static inline void wc_q_store_lo32x2(uint32_t *p, wc_vq a, wc_vq b)
{
    /* a0 a2 b0 b2 | a4 a6 b4 b6 (32-bit words), then the 64-bit pairs reordered */
    __m256 s = _mm256_shuffle_ps(_mm256_castsi256_ps(a), _mm256_castsi256_ps(b), 0x88);
    _mm256_storeu_si256((__m256i *)p, _mm256_permute4x64_epi64(_mm256_castps_si256(s), 0xd8));
}

#define WC_VEC_FUSED 1
typedef __m256i wc_vw;
typedef __m256 wc_vf;
typedef __m256d wc_vd;
static inline wc_vw wc_w_pack(wc_vq a, wc_vq b)
{
    __m256 s = _mm256_shuffle_ps(_mm256_castsi256_ps(a), _mm256_castsi256_ps(b), 0x88);
    return _mm256_permute4x64_epi64(_mm256_castps_si256(s), 0xd8);
}
static inline wc_vq wc_q_join(wc_vq lo, wc_vq hi)
{
    return _mm256_blend_epi32(lo, _mm256_slli_epi64(hi, 32), 0xaa);
}
static inline void wc_w_storeu(void *p, wc_vw w) { _mm256_storeu_si256((__m256i *)p, w); }
static inline void wc_q_storeu(void *p, wc_vq q) { _mm256_storeu_si256((__m256i *)p, q); }
static inline wc_vf wc_f_u24(wc_vw w)
{
    return _mm256_mul_ps(_mm256_cvtepi32_ps(_mm256_srli_epi32(w, 8)), _mm256_set1_ps(0x1p-24f));
}
static inline wc_vf wc_f_uniform(wc_vf u, float a, float b, float lo, float hi)
{
    wc_vf x = _mm256_add_ps(_mm256_mul_ps(_mm256_sub_ps(_mm256_set1_ps(1.0f), u), _mm256_set1_ps(a)),
                            _mm256_mul_ps(u, _mm256_set1_ps(b)));
    return _mm256_min_ps(_mm256_set1_ps(hi), _mm256_max_ps(_mm256_set1_ps(lo), x));
}
static inline void wc_f_storeu(float *p, wc_vf x) { _mm256_storeu_ps(p, x); }
static inline wc_vd wc_d_u52(wc_vq q)
{
    __m256i b = _mm256_or_si256(_mm256_srli_epi64(q, 12), _mm256_set1_epi64x(0x4330000000000000LL));
    wc_vd d = _mm256_sub_pd(_mm256_castsi256_pd(b), _mm256_set1_pd(4503599627370496.0));
    return _mm256_mul_pd(d, _mm256_set1_pd(0x1p-52));
}
static inline wc_vd wc_d_uniform(wc_vd u, double a, double b, double lo, double hi)
{
    wc_vd x = _mm256_add_pd(_mm256_mul_pd(_mm256_sub_pd(_mm256_set1_pd(1.0), u), _mm256_set1_pd(a)),
                            _mm256_mul_pd(u, _mm256_set1_pd(b)));
    return _mm256_min_pd(_mm256_set1_pd(hi), _mm256_max_pd(_mm256_set1_pd(lo), x));
}
static inline void wc_d_storeu(double *p, wc_vd x) { _mm256_storeu_pd(p, x); }
#define WC_HL 8
static inline int wc_h_f16(const float *s, void *d, int nv) /* F16C */
{
    __m256 nan = _mm256_setzero_ps();
    for (int v = 0; v < nv; v++) {
        __m256 x = _mm256_loadu_ps(s + WC_HL * v);
        nan = _mm256_or_ps(nan, _mm256_cmp_ps(x, x, _CMP_UNORD_Q));
        _mm_storeu_si128((__m128i *)((char *)d + 2 * WC_HL * v),
                         _mm256_cvtps_ph(x, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC));
    }
    return _mm256_movemask_ps(nan) ? -1 : 0;
}
static inline void wc_h_bf16(const float *s, void *d)
{
    __m256i x = _mm256_loadu_si256((const __m256i *)s), hi = _mm256_srli_epi32(x, 16);
    __m256i r = _mm256_add_epi32(_mm256_add_epi32(x, _mm256_set1_epi32(0x7fff)),
                                 _mm256_and_si256(hi, _mm256_set1_epi32(1)));
    __m256i nan = _mm256_cmpgt_epi32(_mm256_and_si256(x, _mm256_set1_epi32(0x7fffffff)),
                                     _mm256_set1_epi32(0x7f800000)); /* both >= 0 as int32 */
    r = _mm256_blendv_epi8(_mm256_srli_epi32(r, 16), _mm256_or_si256(hi, _mm256_set1_epi32(0x40)), nan);
    /* every lane < 2^16: the unsigned saturating pack is exact */
    r = _mm256_permute4x64_epi64(_mm256_packus_epi32(r, r), 0x08);
    _mm_storeu_si128((__m128i *)d, _mm256_castsi256_si128(r));
}

#else /* portable: one lane */
typedef uint64_t wc_vq;
#define WC_QL 1
#define WC_QCHAINS 2
static inline wc_vq wc_q_set1(uint64_t x) { return x; }
static inline wc_vq wc_q_iota(uint64_t x) { return x; }
static inline wc_vq wc_q_mul32(wc_vq a, wc_vq m) { return (a & 0xffffffffu) * (m & 0xffffffffu); }
static inline wc_vq wc_q_hi32(wc_vq a) { return a >> 32; }
static inline wc_vq wc_q_hi32x(wc_vq a) { return a >> 32; }
static inline wc_vq wc_q_xor3(wc_vq a, wc_vq b, wc_vq c) { return a ^ b ^ c; }
static inline void wc_q_store_lo32(uint32_t *p, wc_vq v) { *p = (uint32_t)v; }
static inline void wc_q_store_lo32x2(uint32_t *p, wc_vq a, wc_vq b)
{
    p[0] = (uint32_t)a;
    p[1] = (uint32_t)b;
}
#endif
#endif
