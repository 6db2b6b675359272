/* Keccak-256 as Ethereum uses it (original Keccak padding 0x01, not SHA3-256's 0x06). */
#ifndef PV_UTIL_KECCAK_H
#define PV_UTIL_KECCAK_H

#include "types.h"

/* Hashes len bytes of data (data may be NULL when len == 0) into out. Never fails. */
void pv_keccak256(const uint8_t *data, size_t len, uint8_t out[32]);

static inline pv_bytes32 pv_keccak256_b32(const uint8_t *data, size_t len)
{
    pv_bytes32 h;
    pv_keccak256(data, len, h.b);
    return h;
}

/* keccak256 of the empty string and of RLP("") list: constants used all over the state code. */
extern const pv_bytes32 PV_EMPTY_CODE_HASH;  /* c5d2460186f7...a470 */
extern const pv_bytes32 PV_EMPTY_TRIE_ROOT;  /* 56e81f171bcc...b421 */

#endif
