/* kern.h for AVX2 + FMA + F16C.  setup.py and tests/c/Makefile compile this file,
 * and only this file, with -mavx2 -mfma -mf16c (fma is never used for arithmetic:
 * -ffp-contract=off).  On other architectures it compiles to nothing. */
#if defined(__x86_64__) || defined(_M_X64)
#define WC_KSUFFIX avx2
#define WC_VEC_AVX2 1
#include "kern.h"
#else
typedef int wc_sample_avx2_empty;
#endif
