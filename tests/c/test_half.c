/* float16/bfloat16 stores: the SIMD paths (float16 by the hardware
 * conversion vcvtps2ph, bfloat16 by integer rounding in vectors) against the
 * scalar path's software rounding (kern.h f32_to_f16, f32_to_bf16), for all
 * 2^32 float32 bit patterns, NaNs included (the SIMD paths hand NaNs to the
 * scalar rounding).  Also checks a few known answers of the software rounding
 * itself.  WCINIT_TEST_QUICK=1 (valgrind) checks every 65537th pattern.  Run
 * from the project root (make -C tests/c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernels.h"
#include "wcinit.h"

void wc_half_convert_scalar(int bf, const float *src, size_t n, uint16_t *dst);
#if WC_HAVE_X86
void wc_half_convert_avx2(int bf, const float *src, size_t n, uint16_t *dst);
void wc_half_convert_avx512(int bf, const float *src, size_t n, uint16_t *dst);
#endif

typedef void (*conv_fn)(int, const float *, size_t, uint16_t *);
static int failures;

static float from_bits(uint32_t u)
{
    float f;
    memcpy(&f, &u, sizeof f);
    return f;
}

static void known_answers(void)
{
    static const struct { uint32_t x; uint16_t f16, bf16; } kat[] = {
        {0x3f800000u, 0x3c00u, 0x3f80u}, /* 1 */
        {0xc0000000u, 0xc000u, 0xc000u}, /* -2 */
        {0x477fe000u, 0x7bffu, 0x4780u}, /* 65504: float16 max */
        {0x477ff000u, 0x7c00u, 0x4780u}, /* 65520: ties up to inf (f16) */
        {0x33800000u, 0x0001u, 0x3380u}, /* 2^-24: smallest float16 subnormal */
        {0x33000000u, 0x0000u, 0x3300u}, /* 2^-25: tie to even zero */
        {0x3f808000u, 0x3c04u, 0x3f80u}, /* 1 + 2^-8: bfloat16 tie to even */
        {0x3f818000u, 0x3c0cu, 0x3f82u}, /* 1 + 3 2^-8: bfloat16 tie up to even */
        {0x7f800000u, 0x7c00u, 0x7f80u}, /* inf */
        {0x7f800001u, 0x7e00u, 0x7fc0u}, /* signalling NaN: quiet */
    };
    for (size_t i = 0; i < sizeof kat / sizeof kat[0]; i++) {
        float f = from_bits(kat[i].x);
        uint16_t h, b;
        wc_half_convert_scalar(0, &f, 1, &h);
        wc_half_convert_scalar(1, &f, 1, &b);
        if (h != kat[i].f16 || b != kat[i].bf16) {
            failures++;
            fprintf(stderr, "FAIL known answer %08x: f16 %04x (want %04x) bf16 %04x (want %04x)\n",
                    kat[i].x, h, kat[i].f16, b, kat[i].bf16);
        }
    }
}

/* All patterns (or a strided subset) through every SIMD path in fns, in
 * chunks; the chunk lengths alternate so that the vector loop's scalar tail
 * is exercised too.  The scalar answer is computed once per chunk. */
static void sweep(int bf, uint32_t step, const char **names, conv_fn *fns, int nf)
{
    enum { CH = 1 << 16 };
    static float src[CH];
    static uint16_t want[CH], got[CH];
    uint64_t bad[4] = {0}, done = 0, x = 0;
    int len = CH - 3;
    while (x <= 0xffffffffull) {
        int n = 0;
        for (; n < len && x <= 0xffffffffull; n++, x += step) {
            uint32_t u = (uint32_t)x;
            memcpy(&src[n], &u, 4);
        }
        wc_half_convert_scalar(bf, src, (size_t)n, want);
        for (int k = 0; k < nf; k++) {
            fns[k](bf, src, (size_t)n, got);
            for (int i = 0; i < n; i++)
                if (want[i] != got[i]) {
                    if (bad[k] < 5) {
                        uint32_t u;
                        memcpy(&u, &src[i], 4);
                        fprintf(stderr, "FAIL %s %s: %08x -> %04x, scalar %04x\n", names[k],
                                bf ? "bf16" : "f16", u, got[i], want[i]);
                    }
                    bad[k]++;
                }
        }
        done += (uint64_t)n;
        len = len == CH - 3 ? CH : CH - 3;
    }
    for (int k = 0; k < nf; k++) {
        failures += bad[k] != 0;
        printf("%-7s %-4s %llu patterns, %llu differ\n", names[k], bf ? "bf16" : "f16",
               (unsigned long long)done, (unsigned long long)bad[k]);
    }
}

int main(void)
{
    known_answers();
    uint32_t step = getenv("WCINIT_TEST_QUICK") ? 65537u : 1u;
    const char *names[2];
    conv_fn fns[2];
    int nf = 0;
#if WC_HAVE_X86
    wc_isa best = wc_isa_best();
    if (best >= WC_ISA_AVX2)
        names[nf] = "avx2", fns[nf++] = wc_half_convert_avx2;
    if (best >= WC_ISA_AVX512)
        names[nf] = "avx512", fns[nf++] = wc_half_convert_avx512;
#endif
    if (nf == 0)
        printf("test_half: no SIMD path on this CPU, known answers only\n");
    else
        for (int bf = 0; bf < 2; bf++)
            sweep(bf, step, names, fns, nf);
    if (failures) {
        fprintf(stderr, "test_half: %d failures\n", failures);
        return 1;
    }
    printf("test_half: all passed\n");
    return 0;
}
