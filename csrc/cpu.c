/* CPU feature detection and the kernel dispatch table.
 *
 * The path is chosen once, at first use: the best the CPU supports, unless
 * the environment variable WCINIT_SIMD names another (scalar, avx2, avx512).
 * wc_isa_set() changes it at run time (wcinit.set_simd). */
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "kernels.h"

static const char *const isa_names[] = {"scalar", "avx2", "avx512"};

const char *wc_isa_name(wc_isa isa)
{
    return (isa >= WC_ISA_SCALAR && isa <= WC_ISA_AVX512) ? isa_names[isa] : "unknown";
}

#if WC_HAVE_X86 && defined(__GNUC__)
#include <cpuid.h>
/* F16C (vcvtps2ph, the AVX2 path's float16 stores): CPUID leaf 1, ECX bit 29.
 * Every AVX2 CPU so far has it; checked all the same. */
static int cpu_f16c(void)
{
    unsigned a, b, c, d;
    return __get_cpuid(1, &a, &b, &c, &d) && (c & (1u << 29)) != 0;
}
#endif

static int cpu_has(wc_isa isa)
{
    if (isa == WC_ISA_SCALAR)
        return 1;
#if WC_HAVE_X86 && defined(__GNUC__)
    __builtin_cpu_init();
    if (isa == WC_ISA_AVX2)
        return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") && cpu_f16c();
    if (isa == WC_ISA_AVX512)
        return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
               __builtin_cpu_supports("avx512vl");
#endif
    return 0;
}

wc_isa wc_isa_best(void)
{
    if (cpu_has(WC_ISA_AVX512))
        return WC_ISA_AVX512;
    if (cpu_has(WC_ISA_AVX2))
        return WC_ISA_AVX2;
    return WC_ISA_SCALAR;
}

static _Atomic int current = -1;

static wc_isa initial_isa(void)
{
    wc_isa best = wc_isa_best();
    const char *env = getenv("WCINIT_SIMD");
    if (env != NULL) {
        for (int i = WC_ISA_SCALAR; i <= WC_ISA_AVX512; i++)
            if (strcmp(env, isa_names[i]) == 0 && cpu_has((wc_isa)i))
                return (wc_isa)i;
    }
    return best;
}

wc_isa wc_isa_get(void)
{
    int c = atomic_load(&current);
    if (c < 0) {
        c = (int)initial_isa();
        atomic_store(&current, c);
    }
    return (wc_isa)c;
}

int wc_isa_set(wc_isa isa)
{
    if (isa < WC_ISA_SCALAR || isa > WC_ISA_AVX512 || !cpu_has(isa))
        return -1;
    atomic_store(&current, (int)isa);
    return 0;
}

wc_kernel_fn wc_kernel_current(void)
{
    switch (wc_isa_get()) {
#if WC_HAVE_X86
    case WC_ISA_AVX512:
        return wc_kernel_avx512;
    case WC_ISA_AVX2:
        return wc_kernel_avx2;
#endif
    default:
        return wc_kernel_scalar;
    }
}
