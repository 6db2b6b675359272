/* Merkle-Patricia root of a complete key/value set: sort, then build recursively over nibble
 * ranges. Nodes are encoded into per-level scratch buffers; a child reference is its RLP when
 * shorter than 32 bytes and its keccak otherwise. */
#include "trie.h"

#include <stdlib.h>

#include "../util/keccak.h"
#include "../util/rlp.h"

typedef struct {
    const pv_trie_entry *e;
    size_t n;
} range;

static inline unsigned nib(const pv_trie_entry *e, size_t i)
{
    uint8_t b = e->key[i / 2];
    return (i & 1) ? (b & 15) : (b >> 4);
}

static int cmp_entries(const void *a, const void *b)
{
    const pv_trie_entry *x = a, *y = b;
    size_t n = x->key_len < y->key_len ? x->key_len : y->key_len;
    int c = memcmp(x->key, y->key, n);
    if (c)
        return c;
    return (x->key_len > y->key_len) - (x->key_len < y->key_len);
}

/* Hex-prefix encoding of nibbles [from, to) of key, with the leaf flag. */
static void put_hex_prefix(pv_buf *out, const pv_trie_entry *e, size_t from, size_t to, bool leaf)
{
    size_t n = to - from;
    uint8_t buf[2 * 64 + 2];
    uint8_t *p = buf;
    size_t len = n / 2 + 1;
    uint8_t flag = (uint8_t)((leaf ? 2 : 0) + (n & 1));
    size_t i = from;
    if (n & 1) {
        *p++ = (uint8_t)(flag << 4 | nib(e, i));
        i++;
    } else {
        *p++ = (uint8_t)(flag << 4);
    }
    for (; i < to; i += 2)
        *p++ = (uint8_t)(nib(e, i) << 4 | nib(e, i + 1));
    if (len <= sizeof buf) {
        pv_rlp_put_bytes(out, buf, len);
    } else { /* keys over 63 bytes: not used by Ethereum tries, handled for completeness */
        uint8_t *big = malloc(len);
        if (!big) abort();
        big[0] = buf[0];
        size_t k = 1;
        for (size_t j = (n & 1) ? from + 1 : from; j < to; j += 2)
            big[k++] = (uint8_t)(nib(e, j) << 4 | nib(e, j + 1));
        pv_rlp_put_bytes(out, big, len);
        free(big);
    }
}

/* Encodes the node for entries r (all sharing the first depth nibbles) into node. */
static void encode_node(range r, size_t depth, pv_buf *node);

/* Appends a reference to the node built from r at depth to out. */
static void put_child(pv_buf *out, range r, size_t depth)
{
    pv_buf node;
    pv_buf_init(&node);
    encode_node(r, depth, &node);
    if (node.len < 32) {
        pv_buf_append(out, node.data, node.len);
    } else {
        uint8_t h[32];
        pv_keccak256(node.data, node.len, h);
        pv_rlp_put_bytes(out, h, 32);
    }
    pv_buf_free(&node);
}

static void encode_node(range r, size_t depth, pv_buf *node)
{
    const pv_trie_entry *first = &r.e[0], *last = &r.e[r.n - 1];
    size_t key_nibbles = first->key_len * 2;
    if (r.n == 1) {
        size_t start = pv_rlp_list_begin(node);
        put_hex_prefix(node, first, depth, key_nibbles, true);
        pv_rlp_put_bytes(node, first->value, first->value_len);
        pv_rlp_list_end(node, start);
        return;
    }
    /* Common prefix of the sorted range = common prefix of first and last. */
    size_t max = (last->key_len < first->key_len ? last->key_len : first->key_len) * 2;
    size_t cp = depth;
    while (cp < max && nib(first, cp) == nib(last, cp))
        cp++;
    if (cp > depth) {
        size_t start = pv_rlp_list_begin(node);
        put_hex_prefix(node, first, depth, cp, false);
        put_child(node, r, cp);
        pv_rlp_list_end(node, start);
        return;
    }
    /* Branch: an entry whose key ends here is the branch value (sorted first). */
    size_t start = pv_rlp_list_begin(node);
    size_t i = 0;
    const pv_trie_entry *value = NULL;
    if (first->key_len * 2 == depth) {
        value = first;
        i = 1;
    }
    for (unsigned k = 0; k < 16; k++) {
        size_t j = i;
        while (j < r.n && nib(&r.e[j], depth) == k)
            j++;
        if (j == i) {
            pv_rlp_put_bytes(node, NULL, 0);
        } else {
            range sub = {r.e + i, j - i};
            put_child(node, sub, depth + 1);
        }
        i = j;
    }
    if (value)
        pv_rlp_put_bytes(node, value->value, value->value_len);
    else
        pv_rlp_put_bytes(node, NULL, 0);
    pv_rlp_list_end(node, start);
}

typedef struct tagged {
    pv_trie_entry e;
    size_t idx;
} tagged;

/* Orders by key, then by original position, so that the last of duplicate keys comes last. */
static int cmp_tagged(const void *a, const void *b)
{
    const tagged *x = a, *y = b;
    int c = cmp_entries(&x->e, &y->e);
    if (c)
        return c;
    return (x->idx > y->idx) - (x->idx < y->idx);
}

/* Sorts, keeps the last of duplicate keys and drops empty values; returns the new count. */
static size_t normalise(pv_trie_entry *e, size_t n)
{
    tagged *t = malloc((n ? n : 1) * sizeof *t);
    if (!t) abort();
    for (size_t i = 0; i < n; i++) {
        t[i].e = e[i];
        t[i].idx = i;
    }
    qsort(t, n, sizeof *t, cmp_tagged);
    size_t out = 0;
    for (size_t i = 0; i < n; i++) {
        if (i + 1 < n && cmp_entries(&t[i].e, &t[i + 1].e) == 0)
            continue;
        if (t[i].e.value_len == 0)
            continue;
        e[out++] = t[i].e;
    }
    free(t);
    return out;
}

pv_bytes32 pv_trie_root(pv_trie_entry *entries, size_t n)
{
    n = normalise(entries, n);
    if (n == 0)
        return PV_EMPTY_TRIE_ROOT;
    pv_buf node;
    pv_buf_init(&node);
    range r = {entries, n};
    encode_node(r, 0, &node);
    pv_bytes32 root;
    pv_keccak256(node.data, node.len, root.b);
    pv_buf_free(&node);
    return root;
}

pv_bytes32 pv_trie_root_secure(const pv_trie_entry *entries, size_t n)
{
    pv_trie_entry *copy = malloc((n ? n : 1) * sizeof *copy);
    uint8_t *keys = malloc((n ? n : 1) * 32);
    if (!copy || !keys) abort();
    for (size_t i = 0; i < n; i++) {
        copy[i] = entries[i];
        pv_keccak256(entries[i].key, entries[i].key_len, keys + 32 * i);
        copy[i].key = keys + 32 * i;
        copy[i].key_len = 32;
    }
    pv_bytes32 root = pv_trie_root(copy, n);
    free(copy);
    free(keys);
    return root;
}

pv_bytes32 pv_trie_root_ordered(const uint8_t *const *values, const size_t *value_lens, size_t n)
{
    pv_trie_entry *e = malloc((n ? n : 1) * sizeof *e);
    pv_buf keys;
    pv_buf_init(&keys);
    size_t *offs = malloc((n ? n : 1) * sizeof *offs);
    if (!e || !offs) abort();
    for (size_t i = 0; i < n; i++) {
        offs[i] = keys.len;
        pv_rlp_put_u64(&keys, i);
    }
    for (size_t i = 0; i < n; i++) {
        e[i].key = keys.data + offs[i];
        e[i].key_len = (i + 1 < n ? offs[i + 1] : keys.len) - offs[i];
        e[i].value = values[i];
        e[i].value_len = value_lens[i];
    }
    pv_bytes32 root = pv_trie_root(e, n);
    free(e);
    free(offs);
    pv_buf_free(&keys);
    return root;
}
