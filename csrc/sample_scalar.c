/* The portable path: kern.h compiled with the baseline flags of the build.
 * This is the reference every SIMD path must match bit for bit. */
#define WC_KSUFFIX scalar
#include "kern.h"
