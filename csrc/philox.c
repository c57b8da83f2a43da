/* The exported scalar Philox4x32-10 block function (see philox.h). */
#include "wcinit.h"
#include "philox.h"

void wc_philox4x32_10(const uint32_t ctr[4], const uint32_t key[2], uint32_t out[4])
{
    wc_philox4x32_10_block(ctr, key, out);
}
