/* kern.h for AVX-512 (F, BW, VL; not DQ, whose vpmullq GCC would pick over
 * the faster vpmuludq for Philox's 32x32->64 products).  setup.py and tests/c/Makefile compile
 * this file, and only this file, with those target flags.  On other
 * architectures it compiles to nothing. */
#if defined(__x86_64__) || defined(_M_X64)
#define WC_KSUFFIX avx512
#define WC_VEC_AVX512 1
#include "kern.h"
#else
typedef int wc_sample_avx512_empty;
#endif
