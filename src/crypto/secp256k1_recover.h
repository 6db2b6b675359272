/* secp256k1 public-key recovery (libsecp256k1) and address derivation. Thread-safe. */
#ifndef PV_CRYPTO_SECP256K1_RECOVER_H
#define PV_CRYPTO_SECP256K1_RECOVER_H

#include "../util/types.h"

/* Recovers the signer's address from a 32-byte message hash and (r, s, recovery_id in 0..3).
 * Returns false for an invalid signature (r or s zero or >= n, or no such point). */
bool pv_secp256k1_recover(const uint8_t hash[32], const uint8_t r[32], const uint8_t s[32],
                          int recovery_id, pv_address *out);

/* Address of a secret key; false if the key is invalid (zero or >= n). */
bool pv_secp256k1_sign_address(const uint8_t secret[32], pv_address *out);

#endif
