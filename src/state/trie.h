/*
 * Merkle-Patricia trie root computation (Yellow Paper appendix D).
 *
 * The state code never needs a persistent trie: it computes roots of a complete key/value set
 * (the post-state of a test or block, a list of receipts). pv_trie_root builds the root hash from
 * an unsorted array of entries in O(n log n) with no intermediate node storage beyond a scratch
 * buffer. Keys of a secure trie are keccak256(key), done by the caller (see pv_trie_root_secure).
 */
#ifndef PV_STATE_TRIE_H
#define PV_STATE_TRIE_H

#include "../util/types.h"

typedef struct pv_trie_entry {
    const uint8_t *key;
    size_t key_len;
    const uint8_t *value;     /* already RLP-encoded leaf value; entries with value_len 0 are absent */
    size_t value_len;
} pv_trie_entry;

/* Root of the trie holding the given entries. The array is reordered (sorted by key).
 * Duplicate keys: the last one in the original order wins. Empty set -> PV_EMPTY_TRIE_ROOT. */
pv_bytes32 pv_trie_root(pv_trie_entry *entries, size_t n);

/* pv_trie_root hashing every node one at a time as the encoder meets it, without the batched
 * leaf pass (the same result; kept to measure the batching: parevm bench hash). */
pv_bytes32 pv_trie_root_unbatched(pv_trie_entry *entries, size_t n);

/* Same, with each key replaced by keccak256(key) (the "secure" trie used for state and storage). */
pv_bytes32 pv_trie_root_secure(const pv_trie_entry *entries, size_t n);

/* Root of an ordered list (transactions, receipts): key i is RLP(i). values[i] is item i's encoding. */
pv_bytes32 pv_trie_root_ordered(const uint8_t *const *values, const size_t *value_lens, size_t n);

/* The same over items packed back to back in data[0..total): item i spans [offs[i], offs[i+1]) (the
 * last one ends at total). */
pv_bytes32 pv_trie_root_ordered_packed(const uint8_t *data, size_t total, const size_t *offs, size_t n,
                                       unsigned threads);

/* The same, hashing independent subtrees on up to `threads` threads (the calling one included);
 * the same result as pv_trie_root_ordered. */
pv_bytes32 pv_trie_root_ordered_mt(const uint8_t *const *values, const size_t *value_lens, size_t n, unsigned threads);

/* The key of value i in an ordered trie (receipts, transactions, withdrawals): RLP(i), 0 -> 0x80,
 * 1..127 -> the byte, else 0x80 + length and the big-endian bytes, into out (room for 9 bytes);
 * returns its length. */
size_t pv_trie_ordered_key(uint64_t i, uint8_t *out);

/*
 * An ordered trie of n items built in pieces, for producers that finish their items on several
 * threads (the optimistic chunks' receipts): the same root as pv_trie_root_ordered.
 *   pv_ordered_trie_new   n items, none set yet;
 *   pv_ordered_trie_set   items [lo, hi) := values[i - lo] (lens[i - lo] bytes, never 0); their
 *                         leaves, and the branches holding only its leaves, are hashed now (items
 *                         0..127 sort apart: with the root, unless one piece holds them all). Any thread; ranges must not overlap; each item set once; the
 *                         values must stay readable until the root is taken;
 *   pv_ordered_trie_root  every item set: the root (the pieces hashed their leaves and the
 *                         branches above them, so the rest is small: one thread);
 *   pv_ordered_trie_free  (NULL is fine).
 */
typedef struct pv_ordered_trie pv_ordered_trie;
pv_ordered_trie *pv_ordered_trie_new(size_t n);
/* pv_ordered_trie_new in parts, to write a big trie's keys on several threads (10,000 items: 96 us
 * of cold memory on one): pv_ordered_trie_new_unfilled, then pv_ordered_trie_fill for items
 * [lo, hi) so that every item is filled once (any threads, disjoint ranges); every fill must
 * happen before any other call on the trie (the caller synchronises). */
pv_ordered_trie *pv_ordered_trie_new_unfilled(size_t n);
void pv_ordered_trie_fill(pv_ordered_trie *t, size_t lo, size_t hi);
void pv_ordered_trie_set(pv_ordered_trie *t, size_t lo, size_t hi, const uint8_t *const *values, const size_t *lens);
pv_bytes32 pv_ordered_trie_root(pv_ordered_trie *t);
void pv_ordered_trie_free(pv_ordered_trie *t);

/*
 * A leaf hashed by the caller, for a value so big that hashing it while it is still being
 * written pays (a receipt of 10,000 logs): its leaf node is the prefix below, then the value.
 *   pv_ordered_trie_leaf_prefix   the bytes of item i's leaf node before its value of value_len
 *                                 bytes (value_len >= 32) into out; returns their count, or 0 when
 *                                 the trie has fewer than 2 items (the leaf is then the root, not
 *                                 a node below it) or i >= n;
 *   pv_ordered_trie_set_leaf_hash item i's leaf hash, keccak(prefix || value): the piece holding i
 *                                 takes it instead of hashing the value. Call it before the
 *                                 pv_ordered_trie_set of that piece, only after a non-zero prefix,
 *                                 and set the same value there.
 */
enum { PV_TRIE_LEAF_PREFIX_MAX = 32 };
size_t pv_ordered_trie_leaf_prefix(const pv_ordered_trie *t, size_t i, size_t value_len,
                                   uint8_t out[PV_TRIE_LEAF_PREFIX_MAX]);
void pv_ordered_trie_set_leaf_hash(pv_ordered_trie *t, size_t i, const uint8_t hash[32]);

#endif
