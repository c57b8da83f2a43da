/* Philox4x32-10: the counter-based generator of Salmon, Moraes, Dror and Shaw,
 * "Parallel random numbers: as easy as 1, 2, 3" (SC'11).
 *
 * Constants from the paper: multipliers 0xD2511F53, 0xCD9E8D57; Weyl key
 * increments 0x9E3779B9 (golden ratio), 0xBB67AE85 (sqrt(3) - 1).
 *
 * This header is the scalar reference.  It is written so that a loop calling
 * wc_philox_round-based code over independent counters auto-vectorizes; the
 * ISA kernel files include it unchanged, so every path computes the same
 * function by construction.  No Python here.
 */
#ifndef WC_PHILOX_H
#define WC_PHILOX_H

#include <stdint.h>

#define WC_PHILOX_M0 0xD2511F53u
#define WC_PHILOX_M1 0xCD9E8D57u
#define WC_PHILOX_W0 0x9E3779B9u
#define WC_PHILOX_W1 0xBB67AE85u

/* One Philox4x32 block: ctr[4] -> out[4] under key[2], 10 rounds. */
static inline void wc_philox4x32_10_block(const uint32_t ctr[4], const uint32_t key[2],
                                          uint32_t out[4])
{
    uint32_t c0 = ctr[0], c1 = ctr[1], c2 = ctr[2], c3 = ctr[3];
    uint32_t k0 = key[0], k1 = key[1];
    for (int r = 0; r < 10; r++) {
        uint64_t p0 = (uint64_t)WC_PHILOX_M0 * c0;
        uint64_t p1 = (uint64_t)WC_PHILOX_M1 * c2;
        uint32_t n0 = (uint32_t)(p1 >> 32) ^ c1 ^ k0;
        uint32_t n1 = (uint32_t)p1;
        uint32_t n2 = (uint32_t)(p0 >> 32) ^ c3 ^ k1;
        uint32_t n3 = (uint32_t)p0;
        c0 = n0; c1 = n1; c2 = n2; c3 = n3;
        k0 += WC_PHILOX_W0;
        k1 += WC_PHILOX_W1;
    }
    out[0] = c0; out[1] = c1; out[2] = c2; out[3] = c3;
}

#endif
