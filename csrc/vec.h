/* A thin layer of 32-bit vector operations, one definition per ISA, for the
 * Philox rounds in kern.h (the float transforms are plain loops that GCC
 * vectorizes on its own).  The including file defines WC_VEC_AVX512,
 * WC_VEC_AVX2 or neither (portable scalar lanes).
 *
 *   wc_vu            a vector of WC_VL uint32 lanes
 *   wc_v_load/store  unaligned load/store of WC_VL lanes
 *   wc_v_set1        broadcast
 *   wc_v_xor3        a ^ b ^ c
 *   wc_v_mulhilo     (hi, lo) of the 32x32->64 product of each lane by m
 *   wc_v_iota        x, x + 1, ..., x + WC_VL - 1 (wrapping)
 */
#ifndef WC_VEC_H
#define WC_VEC_H

#include <stdint.h>

#if defined(WC_VEC_AVX512)
#include <immintrin.h>
typedef __m512i wc_vu;
#define WC_VL 16
static inline wc_vu wc_v_load(const uint32_t *p) { return _mm512_loadu_si512((const void *)p); }
static inline void wc_v_store(uint32_t *p, wc_vu v) { _mm512_storeu_si512((void *)p, v); }
static inline wc_vu wc_v_set1(uint32_t x) { return _mm512_set1_epi32((int)x); }
static inline wc_vu wc_v_xor3(wc_vu a, wc_vu b, wc_vu c)
{
    return _mm512_ternarylogic_epi32(a, b, c, 0x96);
}
/* m must be a broadcast (its even lanes hold the multiplier). */
static inline void wc_v_mulhilo(wc_vu a, wc_vu m, wc_vu *hi, wc_vu *lo)
{
    __m512i ev = _mm512_mul_epu32(a, m);                        /* lanes 0, 2, ... */
    __m512i od = _mm512_mul_epu32(_mm512_srli_epi64(a, 32), m); /* lanes 1, 3, ... */
    *hi = _mm512_mask_blend_epi32((__mmask16)0xAAAA, _mm512_srli_epi64(ev, 32), od);
    *lo = _mm512_mask_blend_epi32((__mmask16)0xAAAA, ev, _mm512_slli_epi64(od, 32));
}
static inline wc_vu wc_v_iota(uint32_t x)
{
    return _mm512_add_epi32(_mm512_set1_epi32((int)x),
                            _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15));
}

#elif defined(WC_VEC_AVX2)
#include <immintrin.h>
typedef __m256i wc_vu;
#define WC_VL 8
static inline wc_vu wc_v_load(const uint32_t *p) { return _mm256_loadu_si256((const __m256i *)p); }
static inline void wc_v_store(uint32_t *p, wc_vu v) { _mm256_storeu_si256((__m256i *)p, v); }
static inline wc_vu wc_v_set1(uint32_t x) { return _mm256_set1_epi32((int)x); }
static inline wc_vu wc_v_xor3(wc_vu a, wc_vu b, wc_vu c)
{
    return _mm256_xor_si256(_mm256_xor_si256(a, b), c);
}
static inline void wc_v_mulhilo(wc_vu a, wc_vu m, wc_vu *hi, wc_vu *lo)
{
    __m256i ev = _mm256_mul_epu32(a, m);
    __m256i od = _mm256_mul_epu32(_mm256_srli_epi64(a, 32), m);
    *hi = _mm256_blend_epi32(_mm256_srli_epi64(ev, 32), od, 0xAA);
    *lo = _mm256_blend_epi32(ev, _mm256_slli_epi64(od, 32), 0xAA);
}
static inline wc_vu wc_v_iota(uint32_t x)
{
    return _mm256_add_epi32(_mm256_set1_epi32((int)x), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}

#else /* portable: one lane */
typedef uint32_t wc_vu;
#define WC_VL 1
static inline wc_vu wc_v_load(const uint32_t *p) { return *p; }
static inline void wc_v_store(uint32_t *p, wc_vu v) { *p = v; }
static inline wc_vu wc_v_set1(uint32_t x) { return x; }
static inline wc_vu wc_v_xor3(wc_vu a, wc_vu b, wc_vu c) { return a ^ b ^ c; }
static inline void wc_v_mulhilo(wc_vu a, wc_vu m, wc_vu *hi, wc_vu *lo)
{
    uint64_t p = (uint64_t)a * m;
    *hi = (uint32_t)(p >> 32);
    *lo = (uint32_t)p;
}
static inline wc_vu wc_v_iota(uint32_t x) { return x; }
#endif

#endif
