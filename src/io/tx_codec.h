/*
 * Signed transactions: the consensus encodings of every transaction type (legacy with and
 * without EIP-155, EIP-2930, EIP-1559, EIP-4844), their hashes, raw decoding, and sender
 * recovery.
 *
 * A pv_signed_tx owns the memory its pv_tx points to (data, access list, blob hashes): free it
 * with pv_signed_tx_free. Nothing here prints; errors are returned as static strings.
 */
#ifndef PV_IO_TX_CODEC_H
#define PV_IO_TX_CODEC_H

#include "../exec/transition.h"
#include "../util/rlp.h"

typedef struct pv_signed_tx {
    pv_tx tx;                  /* execution fields; tx.sender is set by pv_tx_recover_sender */
    bool has_chain_id;         /* typed, or legacy signed with EIP-155 */
    uint64_t chain_id;
    u256 v;                    /* as encoded: 27/28, chain_id*2+35/36, or the y parity 0/1 */
    u256 r, s;
    pv_bytes32 hash;           /* keccak256 of pv_tx_encode */
    /* owned storage behind tx's pointers */
    uint8_t *data_owned;
    pv_access_entry *access_owned;
    u256 *keys_owned;
    pv_bytes32 *blob_hashes_owned;
} pv_signed_tx;

void pv_signed_tx_free(pv_signed_tx *t);

/* Appends the consensus encoding: RLP list for legacy, type byte || RLP list for typed. The
 * transactions root and the transaction hash are computed over it. */
void pv_tx_encode(const pv_signed_tx *t, pv_buf *out);

/* Appends the preimage of the signing hash (per type; legacy with chain_id when EIP-155). */
void pv_tx_encode_signing(const pv_signed_tx *t, pv_buf *out);

/* Decodes one raw transaction (consensus encoding) into *out, computing out->hash. Returns NULL,
 * or a static message naming the problem (then *out holds nothing to free). Does not recover
 * the sender. */
const char *pv_tx_decode(const uint8_t *raw, size_t len, pv_signed_tx *out);

/*
 * Recovers the sender from (v, r, s) under fork's rules into t->tx.sender. Checks: r and s in
 * [1, n), s <= n/2 from Homestead (EIP-2), a legacy v of 27/28 or, from Spurious Dragon,
 * chain_id*2+35/36 with chain_id == expected_chain_id (EIP-155), a typed y parity of 0 or 1 and
 * chain id == expected_chain_id. Returns NULL or a static message.
 */
const char *pv_tx_recover_sender(pv_signed_tx *t, pv_fork fork, uint64_t expected_chain_id);

#endif
