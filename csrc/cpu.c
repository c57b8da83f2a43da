/* CPU feature detection and the kernel dispatch table.
 *
 * The path is chosen once, at first use: the best the CPU supports, unless
 * the environment variable WCINIT_SIMD names another (scalar, avx2, avx512).
 * wc_isa_set() changes it at run time (wcinit.set_simd). */
#include <limits.h>
#include <stdatomic.h>
#include <stdio.h>
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

/* ---- last-level cache size: the streaming-store threshold ------------------
 * Contiguous fills of more bytes than the threshold go out with non-temporal
 * stores (sample.c), which skip each line's read for ownership; the bits are
 * the same.  The environment variable WCINIT_NT_THRESHOLD sets it: a number
 * of bytes (0 streams every contiguous fill), or "llc" for the last-level
 * cache size (sysfs on Linux, else CPUID leaf 4 on x86, else 32 MiB).  Unset,
 * streaming is off: on the (loaded) development machine streamed fills of
 * 64-128 MB measured 0.5-0.9x the ordinary stores, so it stays opt-in until a
 * quiet machine shows a gain (benchmarks/bench_kernels.py measures both). */

static size_t llc_sysfs(void)
{
    size_t best = 0;
    int best_level = 0;
    for (int i = 0; i < 16; i++) {
        char path[96], buf[64];
        snprintf(path, sizeof path, "/sys/devices/system/cpu/cpu0/cache/index%d/level", i);
        FILE *f = fopen(path, "r");
        if (!f)
            break;
        int level = 0;
        int ok = fscanf(f, "%d", &level) == 1;
        fclose(f);
        snprintf(path, sizeof path, "/sys/devices/system/cpu/cpu0/cache/index%d/type", i);
        f = fopen(path, "r");
        if (!f)
            continue;
        ok = ok && fgets(buf, sizeof buf, f) != NULL && strncmp(buf, "Instruction", 11) != 0;
        fclose(f);
        snprintf(path, sizeof path, "/sys/devices/system/cpu/cpu0/cache/index%d/size", i);
        f = fopen(path, "r");
        if (!f)
            continue;
        unsigned long v = 0;
        char unit = 0;
        int k = fscanf(f, "%lu%c", &v, &unit);
        fclose(f);
        if (!ok || k < 1)
            continue;
        size_t bytes = (size_t)v * (unit == 'K' ? 1024u : unit == 'M' ? 1024u * 1024u : 1u);
        if (level > best_level || (level == best_level && bytes > best)) {
            best_level = level;
            best = bytes;
        }
    }
    return best;
}

static size_t llc_cpuid(void)
{
    size_t best = 0;
#if WC_HAVE_X86 && defined(__GNUC__)
    unsigned a, b, c, d;
    if (__get_cpuid_max(0, NULL) < 4)
        return 0;
    for (unsigned i = 0; i < 16; i++) {
        __cpuid_count(4, i, a, b, c, d);
        unsigned type = a & 31u;
        if (type == 0)
            break;
        if (type == 2) /* instruction cache */
            continue;
        size_t ways = ((b >> 22) & 1023u) + 1, parts = ((b >> 12) & 1023u) + 1,
               line = (b & 4095u) + 1, sets = (size_t)c + 1;
        size_t bytes = ways * parts * line * sets;
        if (bytes > best)
            best = bytes;
    }
#endif
    return best;
}

size_t wc_llc_bytes(void)
{
    static _Atomic size_t llc = 0;
    size_t v = atomic_load(&llc);
    if (v == 0) {
        v = llc_sysfs();
        if (v == 0)
            v = llc_cpuid();
        if (v == 0)
            v = (size_t)32 << 20;
        atomic_store(&llc, v);
    }
    return v;
}

static _Atomic long long nt_threshold = -1;

size_t wc_nt_threshold(void)
{
    long long t = atomic_load(&nt_threshold);
    if (t < 0) {
        const char *env = getenv("WCINIT_NT_THRESHOLD");
        char *end = NULL;
        unsigned long long e = env ? strtoull(env, &end, 10) : 0;
        if (env && strcmp(env, "llc") == 0)
            t = (long long)wc_llc_bytes();
        else if (env && end != env && *end == 0)
            t = (long long)(e > (unsigned long long)(LLONG_MAX / 2) ? (unsigned long long)(LLONG_MAX / 2) : e);
        else
            t = LLONG_MAX / 2; /* off */
        atomic_store(&nt_threshold, t);
    }
    return (size_t)t;
}

void wc_nt_set_threshold(size_t bytes)
{
    atomic_store(&nt_threshold, (long long)(bytes > (size_t)(LLONG_MAX / 2) ? (size_t)(LLONG_MAX / 2) : bytes));
}
