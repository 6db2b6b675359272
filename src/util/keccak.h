/* Keccak-256 as Ethereum uses it (original Keccak padding 0x01, not SHA3-256's 0x06). */
#ifndef PV_UTIL_KECCAK_H
#define PV_UTIL_KECCAK_H

#include "types.h"

/* Hashes len bytes of data (data may be NULL when len == 0) into out. Never fails. */
void pv_keccak256(const uint8_t *data, size_t len, uint8_t out[32]);

/* Hashes n independent messages: out[i] = keccak256(data[i][0..lens[i])) for i < n, the same
 * digests as pv_keccak256 one at a time (data[i] may be NULL when lens[i] == 0; lengths may all
 * differ; n == 0 does nothing). out must not overlap any input. Never fails, allocates nothing.
 * With AVX-512 it runs 8 messages side by side in the lanes of zmm registers (4 in ymm with
 * AVX2), each lane taking the next message as soon as its own is done, so it pays when there are
 * at least a few messages; the throughput is several times pv_keccak256's. */
void pv_keccak256_batch(const uint8_t *const *data, const size_t *lens, size_t n, uint8_t (*out)[32]);

/* Keccak-256 of a message that arrives in pieces (one still being written by another thread):
 * pv_keccak256_begin, pv_keccak256_absorb for each piece in order (any lengths, 0 too, data may
 * be NULL then), pv_keccak256_end for the digest, which is pv_keccak256 of the pieces joined.
 * The stream holds the state and a partial block: no allocation, never fails. */
typedef struct pv_keccak256_stream {
    uint64_t st[25];
    uint8_t part[136];         /* bytes of the block not yet absorbed */
    size_t have;               /* how many: 0..135 */
} pv_keccak256_stream;
void pv_keccak256_begin(pv_keccak256_stream *s);
void pv_keccak256_absorb(pv_keccak256_stream *s, const uint8_t *data, size_t len);
void pv_keccak256_end(pv_keccak256_stream *s, uint8_t out[32]);

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
