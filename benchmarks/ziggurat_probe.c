/* A measurement, not a sampler of the library: is a ziggurat worth adopting
 * for normal_ (issue 12, item 6)?  Built and run by bench_ziggurat.py, once per
 * SIMD path the CPU has (-DPROBE_AVX2 or -DPROBE_AVX512 with that path's flags).
 *
 * It times, on the same 32-bit Philox words (kern.h's own tile_words, one word
 * per element, as normal_ uses today), per element:
 *   words    the Philox4x32-10 words alone
 *   bm       kern.h's Box-Muller tile transform (tile_f32, WC_NORMAL), the
 *            library's code as it is
 *   zig-fast the ziggurat's fast path alone (a table lookup, a multiply, a
 *            compare): zig-fast-gather reads the tables by vector gathers,
 *            zig-fast-scalar one element at a time (GCC does not vectorize it)
 *   zig      a complete ziggurat: the faster fast path, then every rejected element
 *            resolved by the wedge and tail tests with fresh words from a
 *            second, element-keyed Philox counter space (the design the issue
 *            proposes: every value a pure function of its index)
 * and checks the complete ziggurat's mean, variance and 4th moment on the
 * values it made, so that the timed code is a real sampler.
 *
 * The ziggurat: G. Marsaglia and W. W. Tsang, "The Ziggurat Method for
 * Generating Random Variables", J. Statistical Software 5(8), 2000; 256
 * layers, r = 3.6541528853610088, v = 4.92867323399e-3 as published there.
 * The word's bits are split, not shared: layer = bits 0-7, magnitude = bits
 * 8-30 (23 bits), sign = bit 31.
 */
#define _POSIX_C_SOURCE 199309L
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#if defined(PROBE_AVX512)
#define WC_VEC_AVX512 1
#define WC_KSUFFIX avx512
#define PATH "avx512"
#elif defined(PROBE_AVX2)
#define WC_VEC_AVX2 1
#define WC_KSUFFIX avx2
#define PATH "avx2"
#else
#define WC_KSUFFIX scalar
#define PATH "scalar"
#endif
#include "kern.h"
#include <immintrin.h>

size_t wc_dtype_size(wc_dtype dt) { return dt == WC_F64 ? 8 : dt == WC_F32 ? 4 : 2; }

#define NL 256
static float WN[NL], FN[NL];
static int32_t KN[NL];
static const double R = 3.6541528853610088, V = 4.92867323399e-3, M1 = 8388608.0; /* 2^23 */

static void tables(void)
{
    double dn = R, tn = R, q = V / exp(-0.5 * R * R);
    KN[0] = (int32_t)(R / q * M1);
    KN[1] = 0;
    WN[0] = (float)(q / M1);
    WN[NL - 1] = (float)(R / M1);
    FN[0] = 1.0f;
    FN[NL - 1] = (float)exp(-0.5 * R * R);
    for (int i = NL - 2; i >= 1; i--) {
        dn = sqrt(-2.0 * log(V / dn + exp(-0.5 * dn * dn)));
        KN[i + 1] = (int32_t)(dn / tn * M1);
        tn = dn;
        FN[i] = (float)exp(-0.5 * dn * dn);
        WN[i] = (float)(dn / M1);
    }
}

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* Fast path over n words: out[e] = x, rej[] the indices to resolve. */
static __attribute__((noinline)) int zig_fast(const uint32_t *w, float *out, int n, int *rej, int gather)
{
    int nr = 0, e = 0;
    if (!gather)
        goto lookups;
#if defined(PROBE_AVX512)
    const __m512i m8 = _mm512_set1_epi32(NL - 1), mm = _mm512_set1_epi32(0x7fffff);
    const __m512i sg = _mm512_set1_epi32((int)0x80000000u);
    for (; e + 16 <= n; e += 16) {
        __m512i x = _mm512_loadu_si512((const void *)(w + e));
        __m512i j = _mm512_and_si512(x, m8), m = _mm512_and_si512(_mm512_srli_epi32(x, 8), mm);
        __m512 W = _mm512_i32gather_ps(j, WN, 4);
        __m512i K = _mm512_i32gather_epi32(j, KN, 4);
        __m512 v = _mm512_mul_ps(_mm512_add_ps(_mm512_cvtepi32_ps(m), _mm512_set1_ps(0.5f)), W);
        v = _mm512_castsi512_ps(_mm512_xor_si512(_mm512_castps_si512(v), _mm512_and_si512(x, sg)));
        _mm512_storeu_ps(out + e, v);
        unsigned bad = (unsigned)_mm512_cmpge_epi32_mask(m, K);
        while (bad) {
            rej[nr++] = e + __builtin_ctz(bad);
            bad &= bad - 1;
        }
    }
#elif defined(PROBE_AVX2)
    const __m256i m8 = _mm256_set1_epi32(NL - 1), mm = _mm256_set1_epi32(0x7fffff);
    const __m256i sg = _mm256_set1_epi32((int)0x80000000u);
    for (; e + 8 <= n; e += 8) {
        __m256i x = _mm256_loadu_si256((const __m256i *)(w + e));
        __m256i j = _mm256_and_si256(x, m8), m = _mm256_and_si256(_mm256_srli_epi32(x, 8), mm);
        __m256 W = _mm256_i32gather_ps(WN, j, 4);
        __m256i K = _mm256_i32gather_epi32(KN, j, 4);
        __m256 v = _mm256_mul_ps(_mm256_add_ps(_mm256_cvtepi32_ps(m), _mm256_set1_ps(0.5f)), W);
        v = _mm256_xor_ps(v, _mm256_castsi256_ps(_mm256_and_si256(x, sg)));
        _mm256_storeu_ps(out + e, v);
        unsigned bad = (unsigned)_mm256_movemask_ps(_mm256_castsi256_ps(_mm256_cmpgt_epi32(K, m))) ^ 0xffu;
        while (bad) {
            rej[nr++] = e + __builtin_ctz(bad);
            bad &= bad - 1;
        }
    }
#endif
lookups: /* one element at a time: scalar table loads */
    for (; e < n; e++) {
        uint32_t x = w[e], m = (x >> 8) & 0x7fffff;
        int32_t j = (int32_t)(x & (NL - 1));
        float v = ((float)(int32_t)m + 0.5f) * WN[j];
        uint32_t b;
        memcpy(&b, &v, 4);
        b ^= x & 0x80000000u; /* the sign without a branch */
        memcpy(&out[e], &b, 4);
        rej[nr] = e; /* branch-free: kept only when rejected */
        nr += (int32_t)m >= KN[j];
    }
    return nr;
}

/* Block a of element g's second counter space: counter words c0, c1 = g,
 * c2 = a, c3 = 0x80000000, disjoint from the main space, whose c2, c3 hold
 * the stream. */
static void second_block(uint64_t g, uint32_t a, const uint32_t key[2], uint32_t o[4])
{
    const uint32_t ctr[4] = {(uint32_t)g, (uint32_t)(g >> 32), a, 0x80000000u};
    wc_philox4x32_10_block(ctr, key, o);
}

/* Resolve element g whose fast path failed on word w0: attempt a draws block
 * a of g's second counter space. */
static float zig_slow(uint64_t g, uint32_t w0, const uint32_t key[2])
{
    uint32_t w = w0, o[4];
    for (uint32_t a = 0;; a++) {
        second_block(g, a, key, o);
        uint32_t m = (w >> 8) & 0x7fffff;
        int32_t j = (int32_t)(w & (NL - 1));
        float s = (w >> 31) ? -1.0f : 1.0f, x = ((float)(int32_t)m + 0.5f) * WN[j];
        if (a > 0 && (int32_t)m < KN[j]) /* a fresh word's own fast path */
            return s * x;
        if (j == 0) { /* the tail beyond R: Marsaglia's exact tail sampler, its
                       * own loop over the following blocks until it accepts */
            for (;; second_block(g, ++a, key, o)) {
                double u1 = ((double)o[1] + 0.5) * 0x1p-32, u2 = ((double)o[2] + 0.5) * 0x1p-32;
                double t = -wc_log(u1) / R, y = -wc_log(u2);
                if (y + y > t * t)
                    return s * (float)(R + t);
            }
        } else { /* the wedge */
            float v = ((float)(o[1] >> 8) + 0.5f) * 0x1p-24f;
            if (FN[j] + v * (FN[j - 1] - FN[j]) < (float)wc_exp(-0.5 * (double)x * (double)x))
                return s * x;
        }
        w = o[3];
    }
}

int main(int argc, char **argv)
{
    const int n = 1 << 14; /* 64 KiB of words: cache-resident, as bench_kernels' stages */
    const int reps = argc > 1 ? atoi(argv[1]) : 2000;
    tables();
    uint32_t *w = aligned_alloc(64, (size_t)n * 4);
    float *out = aligned_alloc(64, (size_t)n * 4);
    int *rej = malloc(((size_t)n + 1) * sizeof(int));
    WC_K(keys) K;
    WC_K(keys_init)(&K, 0, 12345);
    const uint32_t key[2] = {12345u, 0u};
    wc_params p = {0};
    p.dist = WC_NORMAL;
    p.a = 0.0;
    p.b = 1.0;
    double best[5] = {1e30, 1e30, 1e30, 1e30, 1e30}, s1 = 0, s2 = 0, s4 = 0, cnt = 0;
    long nrej = 0;
    for (int r = 0; r < reps; r++) {
        uint64_t blk = (uint64_t)r * (uint64_t)(n / 4);
        double t0 = now();
        for (int i = 0; i < n; i += 2 * WC_TILE32)
            WC_K(tile_words)(blk + (uint64_t)(i / 4), 2, &K, (uint32_t(*)[4][NB])(w + i));
        double t1 = now();
        for (int i = 0; i < n; i += WC_TILE32)
            WC_K(tile_f32)(&p, WC_F32, (uint32_t(*)[NB])(w + i), out + i);
        double t2 = now();
        int nr = zig_fast(w, out, n, rej, 0);
        double t3 = now();
        zig_fast(w, out, n, rej, 1);
        double t4 = now();
        nr = zig_fast(w, out, n, rej, best[3] < best[2]);
        for (int k = 0; k < nr; k++)
            out[rej[k]] = zig_slow((uint64_t)r * (uint64_t)n + (uint64_t)rej[k], w[rej[k]], key);
        double t5 = now();
        double d[5] = {t1 - t0, t2 - t1, t3 - t2, t4 - t3, t5 - t4};
        for (int k = 0; k < 5; k++)
            best[k] = d[k] < best[k] ? d[k] : best[k];
        nrej += nr;
        if (r < 2000)
            for (int i = 0; i < n; i++) {
                double x = out[i];
                s1 += x;
                s2 += x * x;
                s4 += x * x * x * x;
                cnt += 1;
            }
    }
    printf("path %s\n", PATH);
    const char *names[5] = {"words", "bm", "zig-fast-scalar", "zig-fast-gather", "zig"};
    for (int k = 0; k < 5; k++)
        printf("%s %.4f\n", names[k], best[k] / n * 1e9);
    printf("reject %.5f\n", (double)nrej / ((double)reps * n));
    printf("moments %.0f %.6f %.6f %.6f\n", cnt, s1 / cnt, s2 / cnt, s4 / cnt);
    free(w);
    free(out);
    free(rej);
    return 0;
}
