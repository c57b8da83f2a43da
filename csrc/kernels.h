/* Internal: the per-ISA kernel entry points (not part of the public API). */
#ifndef WC_KERNELS_H
#define WC_KERNELS_H
#include "wcinit.h"

typedef void (*wc_kernel_fn)(const wc_rng *rng, const wc_params *p, wc_dtype dt,
                             uint64_t start, size_t n, void *out);

void wc_kernel_scalar(const wc_rng *, const wc_params *, wc_dtype, uint64_t, size_t, void *);
#if defined(__x86_64__) || defined(_M_X64)
#define WC_HAVE_X86 1
void wc_kernel_avx2(const wc_rng *, const wc_params *, wc_dtype, uint64_t, size_t, void *);
void wc_kernel_avx512(const wc_rng *, const wc_params *, wc_dtype, uint64_t, size_t, void *);
#endif

/* The kernel of the path in use (cpu.c). */
wc_kernel_fn wc_kernel_current(void);

/* Streaming stores (cpu.c, sample.c): the last-level cache size in bytes, and
 * the fill size in bytes above which contiguous fills use non-temporal stores
 * (WCINIT_NT_THRESHOLD: bytes or "llc"; unset: off); the setter is for
 * benchmarks and tests. */
size_t wc_llc_bytes(void);
size_t wc_nt_threshold(void);
void wc_nt_set_threshold(size_t bytes);
#endif
