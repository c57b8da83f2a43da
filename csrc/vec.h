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
 *   wc_q_xor3        a ^ b ^ c
 *   wc_q_store_lo32  store the low 32 bits of each lane as WC_QL uint32
 *   wc_q_store_lo32x2  the same for a then b: 2 WC_QL consecutive uint32 in one
 *                    full-width store (one permute), so that the transform's
 *                    full-width loads of them forward from the store buffer
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

#else /* portable: one lane */
typedef uint64_t wc_vq;
#define WC_QL 1
#define WC_QCHAINS 2
static inline wc_vq wc_q_set1(uint64_t x) { return x; }
static inline wc_vq wc_q_iota(uint64_t x) { return x; }
static inline wc_vq wc_q_mul32(wc_vq a, wc_vq m) { return (a & 0xffffffffu) * (m & 0xffffffffu); }
static inline wc_vq wc_q_hi32(wc_vq a) { return a >> 32; }
static inline wc_vq wc_q_xor3(wc_vq a, wc_vq b, wc_vq c) { return a ^ b ^ c; }
static inline void wc_q_store_lo32(uint32_t *p, wc_vq v) { *p = (uint32_t)v; }
static inline void wc_q_store_lo32x2(uint32_t *p, wc_vq a, wc_vq b)
{
    p[0] = (uint32_t)a;
    p[1] = (uint32_t)b;
}
#endif
#endif
