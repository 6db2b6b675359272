/* The BLAKE2b compression function F (RFC 7693 section 3.2) with a caller-chosen round count,
 * as EIP-152 exposes it. */
#ifndef PV_CRYPTO_BLAKE2F_H
#define PV_CRYPTO_BLAKE2F_H

#include <stdbool.h>
#include <stdint.h>

void pv_blake2b_compress(uint64_t h[8], const uint64_t m[16], const uint64_t t[2], bool final, uint32_t rounds);

#endif
