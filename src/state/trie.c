/*
 * Merkle-Patricia root of a complete key/value set (Yellow Paper appendix D).
 *
 * The entries are sorted by key (stable merge sort), duplicates are resolved (the last in the
 * original order wins) and absent values dropped. The root is then built recursively over ranges of
 * the sorted array: all keys of a range share their first `depth` nibbles, so a range is
 *   - one entry:                    a leaf   [HP(rest of key, leaf), value];
 *   - keys sharing more nibbles:    an extension [HP(shared nibbles), ref(child)];
 *   - otherwise:                    a branch [ref(child 0), ..., ref(child 15), value or ""].
 * The common prefix of a sorted range is the common prefix of its first and last keys, and a key
 * that ends at the branch (a prefix of the others) sorts first, so each level is a linear scan.
 *
 * Everything is encoded into one buffer used as a stack: a node appends its items after its own
 * start offset, a child is encoded in place right after them, and a child whose RLP is 32 bytes or
 * longer is then replaced by the RLP string of its keccak (shorter children stay embedded as they
 * are). The list header is inserted last (pv_rlp_list_end). So a root computation allocates the
 * sorting scratch and this one buffer, nothing per node.
 *
 * Hashing dominates, and one node at a time it cannot use the vector units. So before encoding
 * a trie of BATCH_MIN_ENTRIES or more, hash_bottom precomputes its bottom: every leaf (its depth
 * follows from the common prefixes with the sorted neighbours) and every branch whose children
 * are all leaves, encoded and hashed in batches of HASH_CHUNK with pv_keccak256_batch; put_ref then
 * takes those references instead of encoding and hashing the node (a leaf table indexed by entry,
 * and the branches as precomputed subtrees). That is 99% of the permutations of a 50,000-receipt
 * trie and ~75% of a random-key one of that size; the branches above are hashed as they are met.
 * The result is the same bytes: nodes shorter than 32 bytes are never precomputed and stay
 * embedded.
 */
#include "trie.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/keccak.h"
#include "../util/pool.h"
#include "../util/rlp.h"

/* malloc(count * size), aborting on overflow or out-of-memory. */
static void *xmalloc_n(size_t count, size_t size)
{
    void *p = count <= SIZE_MAX / size ? malloc(count ? count * size : 1) : NULL;
    if (!p) {
        fprintf(stderr, "parevm: out of memory (trie scratch, %zu x %zu bytes)\n", count, size);
        abort();
    }
    return p;
}

/* Nibble i (0 = high half of byte 0) of a key. */
static inline unsigned nib(const uint8_t *key, size_t i)
{
    uint8_t b = key[i >> 1];
    return (i & 1) ? (b & 15u) : (b >> 4);
}

static inline int key_cmp(const pv_trie_entry *x, const pv_trie_entry *y)
{
    size_t n = x->key_len < y->key_len ? x->key_len : y->key_len;
    int c = n ? memcmp(x->key, y->key, n) : 0;
    if (c)
        return c;
    return (x->key_len > y->key_len) - (x->key_len < y->key_len);
}

/* ---- stable sort ---------------------------------------------------------------------------- */

static void insertion_sort(pv_trie_entry *e, size_t n)
{
    for (size_t i = 1; i < n; i++) {
        pv_trie_entry x = e[i];
        size_t j = i;
        while (j > 0 && key_cmp(&e[j - 1], &x) > 0) {
            e[j] = e[j - 1];
            j--;
        }
        e[j] = x;
    }
}

/* Sorts e[0..n) stably, using tmp[0..n) as scratch. */
static void merge_sort(pv_trie_entry *e, pv_trie_entry *tmp, size_t n)
{
    if (n <= 16) {
        insertion_sort(e, n);
        return;
    }
    size_t h = n / 2;
    merge_sort(e, tmp, h);
    merge_sort(e + h, tmp, n - h);
    if (key_cmp(&e[h - 1], &e[h]) <= 0)
        return;  /* already in order */
    memcpy(tmp, e, h * sizeof *e);
    size_t i = 0, j = h, k = 0;
    while (i < h && j < n) {
        /* ties take the left (earlier) element first: stable */
        if (key_cmp(&e[j], &tmp[i]) < 0)
            e[k++] = e[j++];
        else
            e[k++] = tmp[i++];
    }
    while (i < h)
        e[k++] = tmp[i++];
}

/* Sorts by key, keeps the last of equal keys, drops empty values; the kept entries end up in
 * e[0..return) in key order (the array stays a permutation of the input). */
static size_t normalise(pv_trie_entry *e, size_t n)
{
    if (n <= 32) {
        insertion_sort(e, n);
    } else {
        pv_trie_entry *tmp = xmalloc_n(n / 2 + 1, sizeof *tmp);
        merge_sort(e, tmp, n);
        free(tmp);
    }
    size_t out = 0;
    for (size_t i = 0; i < n; i++) {
        if (i + 1 < n && key_cmp(&e[i], &e[i + 1]) == 0)
            continue;  /* a later entry with the same key wins */
        if (e[i].value_len == 0)
            continue;  /* absent */
        if (out != i) {
            pv_trie_entry t = e[out];
            e[out] = e[i];
            e[i] = t;
        }
        out++;
    }
    return out;
}

/* ---- node encoding --------------------------------------------------------------------------- */

/* Appends an RLP string header for a payload of len bytes (len >= 2 or a byte >= 0x80). */
static void put_string_header(pv_buf *b, size_t len)
{
    uint8_t h[9];
    size_t hl;
    if (len < 56) {
        h[0] = (uint8_t)(0x80 + len);
        hl = 1;
    } else {
        unsigned n = 0;
        for (size_t t = len; t; t >>= 8)
            n++;
        h[0] = (uint8_t)(0xb7 + n);
        for (unsigned i = 0; i < n; i++)
            h[n - i] = (uint8_t)(len >> (8 * i));
        hl = 1 + n;
    }
    pv_buf_append(b, h, hl);
}

/* Appends RLP(hex-prefix(nibbles [from, to) of key, leaf flag)). */
static void put_hex_prefix(pv_buf *b, const uint8_t *key, size_t from, size_t to, bool leaf)
{
    size_t n = to - from;
    size_t len = n / 2 + 1;
    unsigned flag = (leaf ? 2u : 0u) | (unsigned)(n & 1);
    uint8_t first = (uint8_t)(flag << 4);
    size_t i = from;
    if (n & 1)
        first |= (uint8_t)nib(key, i++);
    if (len == 1) {  /* first <= 0x3f: a single byte is its own RLP */
        pv_buf_append(b, &first, 1);
        return;
    }
    put_string_header(b, len);
    pv_buf_reserve(b, len);
    uint8_t *p = b->data + b->len;
    *p++ = first;
    if ((i & 1) == 0) {
        memcpy(p, key + i / 2, len - 1);  /* byte-aligned remainder */
    } else {
        for (; i < to; i += 2)
            *p++ = (uint8_t)(nib(key, i) << 4 | nib(key, i + 1));
    }
    b->len += len;
}

/* A subtree whose reference was computed ahead: by another thread (root_parallel's tasks) or in
 * a batch (the bottom branches of hash_bottom). */
typedef struct subtree_task {
    const pv_trie_entry *e;
    size_t n, depth;
    uint8_t ref[33];
    size_t ref_len;
} subtree_task;

/* Precomputed subtrees in the order the encoder meets them (by first entry), and its cursor. */
typedef struct precomputed {
    subtree_task *v;
    size_t n, cap, next;
} precomputed;

/* Appends a subtree (ref not yet set). Grows geometrically: amortised, no allocation per node. */
static subtree_task *precomputed_push(precomputed *p, const pv_trie_entry *e, size_t n, size_t depth)
{
    if (p->n == p->cap) {
        p->cap = p->cap ? p->cap * 2 : 64;
        p->v = realloc(p->v, p->cap * sizeof *p->v);
        if (!p->v) {
            fprintf(stderr, "parevm: out of memory (trie subtrees)\n");
            abort();
        }
    }
    subtree_task *t = &p->v[p->n++];
    t->e = e;
    t->n = n;
    t->depth = depth;
    t->ref_len = 0;
    return t;
}

/* Leaf hashes computed ahead in batches (hash_leaves), indexed by the entry's position in the
 * sorted array: depth[i] is the depth of entry i's leaf when hash[i] holds its keccak, else 0. */
typedef struct leaf_table {
    const pv_trie_entry *base;
    uint32_t *depth;
    uint8_t (*hash)[32];
} leaf_table;

/* What the encoder takes instead of hashing on the spot (either may be NULL). */
typedef struct encoder {
    const leaf_table *leaves;
    precomputed *pre;
} encoder;

static void encode_node(const encoder *cx, pv_buf *b, const pv_trie_entry *e, size_t n, size_t depth);

/* Appends the leaf node [HP(key from depth, leaf), value] of entry x. */
static void encode_leaf(pv_buf *b, const pv_trie_entry *x, size_t depth)
{
    size_t start = pv_rlp_list_begin(b);
    put_hex_prefix(b, x->key, depth, x->key_len * 2, true);
    pv_rlp_put_bytes(b, x->value, x->value_len);
    pv_rlp_list_end(b, start);
}

static void put_hash_ref(pv_buf *b, const uint8_t h[32])
{
    pv_buf_reserve(b, 33);
    b->data[b->len] = 0xa0;
    memcpy(b->data + b->len + 1, h, 32);
    b->len += 33;
}

/* Appends the reference to the node of e[0..n) at depth: the node itself when its RLP is shorter
 * than 32 bytes, else RLP(keccak(node)). */
static void put_ref(const encoder *cx, pv_buf *b, const pv_trie_entry *e, size_t n, size_t depth)
{
    precomputed *pre = cx->pre;
    if (pre) {
        /* Nodes are met in order of their first entry (a node before its first child, which
         * starts there too). Skip what will not be met: bottom branches inside a subtree that was
         * taken whole, or that were not worth hashing (embedded). */
        while (pre->next < pre->n && pre->v[pre->next].e < e)
            pre->next++;
        if (pre->next < pre->n) {
            subtree_task *t = &pre->v[pre->next];
            if (t->e == e && t->n == n && t->depth == depth) {
                pre->next++;
                pv_buf_append(b, t->ref, t->ref_len);
                return;
            }
        }
    }
    const leaf_table *lt = cx->leaves;
    if (n == 1 && lt && lt->depth[e - lt->base] == depth) {
        put_hash_ref(b, lt->hash[e - lt->base]);
        return;
    }
    size_t start = b->len;
    encode_node(cx, b, e, n, depth);
    size_t len = b->len - start;
    if (len < 32)
        return;
    uint8_t h[32];
    pv_keccak256(b->data + start, len, h);
    b->len = start;
    put_hash_ref(b, h);
}

static void encode_node(const encoder *cx, pv_buf *b, const pv_trie_entry *e, size_t n, size_t depth)
{
    if (n == 1) {
        encode_leaf(b, &e[0], depth);
        return;
    }
    size_t start = pv_rlp_list_begin(b);
    const pv_trie_entry *first = &e[0];
    const pv_trie_entry *last = &e[n - 1];
    size_t max = 2 * (first->key_len < last->key_len ? first->key_len : last->key_len);
    size_t cp = depth;
    /* whole bytes first, then the odd nibble */
    if (!(cp & 1)) {
        while (cp + 2 <= max && first->key[cp / 2] == last->key[cp / 2])
            cp += 2;
    }
    while (cp < max && nib(first->key, cp) == nib(last->key, cp))
        cp++;
    if (cp > depth) {
        put_hex_prefix(b, first->key, depth, cp, false);
        put_ref(cx, b, e, n, cp);
        pv_rlp_list_end(b, start);
        return;
    }
    /* Branch. Only the first key can end here (keys are distinct and share depth nibbles). */
    size_t i = 0;
    const pv_trie_entry *value = NULL;
    if (first->key_len * 2 == depth) {
        value = first;
        i = 1;
    }
    unsigned next = 0;  /* next branch slot to fill */
    while (i < n) {
        unsigned k = nib(e[i].key, depth);
        size_t j = i + 1;
        while (j < n && nib(e[j].key, depth) == k)
            j++;
        for (; next < k; next++)
            pv_rlp_put_bytes(b, NULL, 0);
        put_ref(cx, b, e + i, j - i, depth + 1);
        next = k + 1;
        i = j;
    }
    for (; next < 16; next++)
        pv_rlp_put_bytes(b, NULL, 0);
    if (value)
        pv_rlp_put_bytes(b, value->value, value->value_len);
    else
        pv_rlp_put_bytes(b, NULL, 0);
    pv_rlp_list_end(b, start);
}

/* ---- batched hashing of the bottom of the trie ----------------------------------------------- */

/* The length in nibbles of the common prefix of two keys. */
static size_t lcp_nibbles(const pv_trie_entry *x, const pv_trie_entry *y)
{
    size_t m = x->key_len < y->key_len ? x->key_len : y->key_len, i = 0;
    while (i < m && x->key[i] == y->key[i])
        i++;
    if (i == m)
        return 2 * m;
    return 2 * i + ((x->key[i] >> 4) == (y->key[i] >> 4));
}

/* Nodes hashed per pv_keccak256_batch call: enough to keep the 8 lanes busy with little idle tail
 * at the end, few enough for the encoded nodes to stay in L1/L2 (measured: 64 to 256 are alike). */
#define HASH_CHUNK 128

/* Entries ahead whose values the leaf pass prefetches (measured: a 50,000-entry secure trie of
 * 70-byte values, 24 -> 20 ms; 4 ahead is not enough, 16 no better than 8). */
#define LEAF_PREFETCH 8

/* Nodes encoded back to back in a scratch buffer, waiting to be hashed together. */
typedef struct node_chunk {
    pv_buf *scratch;
    size_t c;
    size_t offs[HASH_CHUNK], lens[HASH_CHUNK];
    uint8_t out[HASH_CHUNK][32];
} node_chunk;

/* Hashes the chunk's nodes into out[0..c) and empties the scratch buffer. */
static void chunk_hash(node_chunk *k)
{
    const uint8_t *ptrs[HASH_CHUNK];
    for (size_t j = 0; j < k->c; j++)
        ptrs[j] = k->scratch->data + k->offs[j];
    pv_keccak256_batch(ptrs, k->lens, k->c, k->out);
    k->scratch->len = 0;
}

/* Records the node just encoded at scratch[off..] if it will be hashed (32 bytes or more; shorter
 * nodes are embedded by put_ref as ever and dropped here). Returns whether it was kept. */
static bool chunk_keep(node_chunk *k, size_t off)
{
    size_t len = k->scratch->len - off;
    if (len < 32) {
        k->scratch->len = off;
        return false;
    }
    k->offs[k->c] = off;
    k->lens[k->c++] = len;
    return true;
}

/*
 * Leaves. In encode_node's partitioning an entry ends up alone in a range, i.e. in a leaf, one
 * nibble below the deepest branch it shares with another key, and that is the longer of its common
 * prefixes with its two sorted neighbours (any other key shares less): the leaf of entry i is at
 * depth max(lcp(i-1, i), lcp(i, i+1)) + 1 -- unless the key ends at that branch (it is a prefix of
 * its neighbour), in which case it is the branch's value and has no leaf. The ranges of a subtree
 * give the same depths, since keys outside it share fewer nibbles.
 */
/* The depth of entry x's leaf when m is the longer of its common prefixes with its sorted
 * neighbours; 0 when it has none (a branch's value) or absurdly deep. */
static inline size_t leaf_depth_at(const pv_trie_entry *x, size_t m)
{
    return x->key_len * 2 == m || m >= UINT32_MAX ? 0 : m + 1;
}

static void hash_leaves(const pv_trie_entry *e, size_t n, size_t lo, size_t hi, const leaf_table *lt,
                        node_chunk *k)
{
    size_t idx[HASH_CHUNK];
    size_t left = lo > 0 ? lcp_nibbles(&e[lo - 1], &e[lo]) : 0;  /* lcp with the previous key */
    for (size_t i = lo; i < hi; i++) {
        if (i + LEAF_PREFETCH < hi) {
            /* values in key order are scattered over memory in a secure trie */
            const pv_trie_entry *ahead = &e[i + LEAF_PREFETCH];
            __builtin_prefetch(ahead->value);
            if (ahead->value_len > 64)
                __builtin_prefetch(ahead->value + 64);
        }
        size_t right = i + 1 < n ? lcp_nibbles(&e[i], &e[i + 1]) : 0;
        size_t depth = leaf_depth_at(&e[i], left > right ? left : right);
        left = right;
        if (!depth || lt->depth[i])
            continue;  /* no leaf of its own, or hashed by the caller (pv_ordered_trie_set_leaf_hash) */
        size_t off = k->scratch->len;
        encode_leaf(k->scratch, &e[i], depth);
        if (!chunk_keep(k, off))
            continue;
        lt->depth[i] = (uint32_t)depth;
        idx[k->c - 1] = i;
        if (k->c == HASH_CHUNK) {
            chunk_hash(k);
            for (size_t j = 0; j < k->c; j++)
                memcpy(lt->hash[idx[j]], k->out[j], 32);
            k->c = 0;
        }
    }
    if (k->c) {  /* the last, partial chunk */
        chunk_hash(k);
        for (size_t j = 0; j < k->c; j++)
            memcpy(lt->hash[idx[j]], k->out[j], 32);
        k->c = 0;
    }
}

/*
 * Bottom branches: branches whose children are all leaves, about one node in 16 of a big trie but
 * 4-block nodes, so a quarter of the hashing once the leaves are batched. Such a branch at depth D
 * holds a maximal run of sorted entries whose neighbours all share exactly D nibbles (any two
 * sharing more would be in one child), and the keys on either side of the run share fewer; the
 * encoder asks for it as put_ref(run, D), whether it hangs from a branch or from an extension.
 * Encoded with the leaf references already computed, hashed in batches, and handed to the encoder
 * as precomputed subtrees, in the order it meets them.
 */
/* Hashes the chunk of branches out->v[first..] and sets their references; returns where the
 * next chunk starts. */
static size_t branch_refs(node_chunk *k, precomputed *out, size_t first)
{
    chunk_hash(k);
    for (size_t m = 0; m < k->c; m++) {
        subtree_task *t = &out->v[first + m];
        t->ref[0] = 0xa0;
        memcpy(t->ref + 1, k->out[m], 32);
        t->ref_len = 33;
    }
    first += k->c;
    k->c = 0;
    return first;
}

static void hash_bottom_branches(const pv_trie_entry *e, size_t n, size_t lo, size_t hi,
                                 const leaf_table *lt, precomputed *out, node_chunk *k)
{
    const encoder cx = {lt, NULL};
    size_t first = out->n;  /* this chunk's nodes are out->v[first..] */
    const size_t none = SIZE_MAX;
    size_t prev = lo > 0 ? lcp_nibbles(&e[lo - 1], &e[lo]) : none;  /* lcp before the run */
    size_t i = lo;
    while (i + 1 < hi) {
        size_t d = lcp_nibbles(&e[i], &e[i + 1]);
        size_t j = i + 1, after;
        for (;;) {
            after = j + 1 < n ? lcp_nibbles(&e[j], &e[j + 1]) : none;
            if (j + 1 >= hi || after != d)
                break;
            j++;
        }
        /* entries i..j: adjacent pairs all share d nibbles; a branch if closed on both sides (d
         * == 0 is the root, encoded by the caller) */
        if (d > 0 && (prev == none || prev < d) && (after == none || after < d)) {
            size_t off = k->scratch->len;
            encode_node(&cx, k->scratch, e + i, j + 1 - i, d);
            if (chunk_keep(k, off))
                precomputed_push(out, e + i, j + 1 - i, d);
            if (k->c == HASH_CHUNK)
                first = branch_refs(k, out, first);
        }
        prev = d;
        i = j;  /* the next run starts at this one's last entry */
    }
    if (k->c)
        branch_refs(k, out, first);
}

/* Precomputes the bottom of the trie over the sorted, normalised entries e[lo..hi) of e[0..n)
 * (n >= 2): leaf hashes into lt, then bottom-branch references appended to branches. scratch
 * holds a chunk of encoded nodes. */
static void hash_bottom(const pv_trie_entry *e, size_t n, size_t lo, size_t hi, const leaf_table *lt,
                        precomputed *branches, pv_buf *scratch)
{
    node_chunk k;
    k.scratch = scratch;
    k.c = 0;
    scratch->len = 0;
    hash_leaves(e, n, lo, hi, lt, &k);
    hash_bottom_branches(e, n, lo, hi, lt, branches, &k);
}

/* Below this many entries the batched pass is not worth its table. */
#define BATCH_MIN_ENTRIES 8

/* Allocates the leaf table of n entries, its depths not set. */
static void leaf_table_alloc(leaf_table *lt, const pv_trie_entry *base, size_t n)
{
    lt->base = base;
    lt->hash = xmalloc_n(n, 32 + sizeof(uint32_t));
    lt->depth = (uint32_t *)(lt->hash + n);
}

/* Allocates the leaf table of n entries (depths zero: nothing precomputed yet). */
static void leaf_table_init(leaf_table *lt, const pv_trie_entry *base, size_t n)
{
    leaf_table_alloc(lt, base, n);
    memset(lt->depth, 0, n * sizeof(uint32_t));
}

/* The root of e[0..n) (n >= 1) encoded into b (emptied first) with what cx holds precomputed;
 * the root is hashed even when short. */
static pv_bytes32 root_of(const encoder *cx, const pv_trie_entry *e, size_t n, pv_buf *b)
{
    b->len = 0;
    encode_node(cx, b, e, n, 0);
    pv_bytes32 root;
    pv_keccak256(b->data, b->len, root.b);
    return root;
}

/* Root of the normalised, sorted entries e[0..n) (n >= 1) on the calling thread; batched: the
 * bottom of the trie precomputed by hash_bottom, else every node hashed as it is met. */
static pv_bytes32 root_serial(const pv_trie_entry *e, size_t n, bool batched)
{
    pv_buf b;
    pv_buf_init(&b);
    pv_buf_reserve(&b, 1024);
    leaf_table lt = {0};
    precomputed branches = {0};
    encoder cx = {NULL, NULL};
    if (batched && n >= BATCH_MIN_ENTRIES) {
        leaf_table_init(&lt, e, n);
        hash_bottom(e, n, 0, n, &lt, &branches, &b);  /* b as the scratch */
        cx.leaves = &lt;
        cx.pre = &branches;
    }
    pv_bytes32 root = root_of(&cx, e, n, &b);
    pv_buf_free(&b);
    free(lt.hash);
    free(branches.v);
    return root;
}

/* ---- public ---------------------------------------------------------------------------------- */

pv_bytes32 pv_trie_root(pv_trie_entry *entries, size_t n)
{
    n = normalise(entries, n);
    return n ? root_serial(entries, n, true) : PV_EMPTY_TRIE_ROOT;
}

pv_bytes32 pv_trie_root_unbatched(pv_trie_entry *entries, size_t n)
{
    n = normalise(entries, n);
    return n ? root_serial(entries, n, false) : PV_EMPTY_TRIE_ROOT;
}

/* Keys hashed per pv_keccak256_batch call by the secure root (pointer arrays on the stack). */
#define KEY_CHUNK 256

pv_bytes32 pv_trie_root_secure(const pv_trie_entry *entries, size_t n)
{
    /* one block: the entry copies, then their 32-byte hashed keys */
    pv_trie_entry *copy = xmalloc_n(n, sizeof *copy + 32);
    uint8_t (*keys)[32] = (uint8_t (*)[32])(copy + n);
    for (size_t i = 0; i < n; i += KEY_CHUNK) {
        size_t m = n - i < KEY_CHUNK ? n - i : KEY_CHUNK;
        const uint8_t *kp[KEY_CHUNK];
        size_t kl[KEY_CHUNK];
        for (size_t j = 0; j < m; j++) {
            kp[j] = entries[i + j].key;
            kl[j] = entries[i + j].key_len;
        }
        pv_keccak256_batch(kp, kl, m, keys + i);
    }
    for (size_t i = 0; i < n; i++) {
        copy[i] = entries[i];
        copy[i].key = keys[i];
        copy[i].key_len = 32;
    }
    pv_bytes32 root = pv_trie_root(copy, n);
    free(copy);
    return root;
}

size_t pv_trie_ordered_key(uint64_t i, uint8_t *out)
{
    if (i == 0) {
        out[0] = 0x80;
        return 1;
    }
    if (i < 0x80) {
        out[0] = (uint8_t)i;
        return 1;
    }
    unsigned nb = 0;
    for (uint64_t t = i; t; t >>= 8)
        nb++;
    out[0] = (uint8_t)(0x80 + nb);
    for (unsigned k = 0; k < nb; k++)
        out[nb - k] = (uint8_t)(i >> (8 * k));
    return 1 + nb;
}

/* ---- parallel root ---------------------------------------------------------------------------- */

/* The common prefix length (in nibbles, from depth) of sorted e[0..n), as encode_node finds it. */
static size_t common_prefix(const pv_trie_entry *e, size_t n, size_t depth)
{
    const pv_trie_entry *first = &e[0], *last = &e[n - 1];
    size_t max = 2 * (first->key_len < last->key_len ? first->key_len : last->key_len);
    size_t cp = depth;
    while (cp < max && nib(first->key, cp) == nib(last->key, cp))
        cp++;
    return cp;
}

/* A walk down encode_node's partitioning from the node of e[0..n) at depth (a reference when
 * is_ref: the root never is): where decide says TAKE the subtree is appended to out (in encoding
 * order) and not entered, where it says SKIP it is left; a leaf is never entered. */
typedef enum { WALK_SKIP, WALK_TAKE, WALK_DESCEND } walk_step;
typedef walk_step (*walk_fn)(const void *ctx, const pv_trie_entry *e, size_t n, bool is_ref);

static void walk_subtrees(precomputed *out, const pv_trie_entry *e, size_t n, size_t depth, bool is_ref,
                          walk_fn decide, const void *ctx)
{
    walk_step step = decide(ctx, e, n, is_ref);
    if (step == WALK_TAKE)
        precomputed_push(out, e, n, depth);
    if (step != WALK_DESCEND || n == 1)
        return;
    size_t cp = common_prefix(e, n, depth);
    if (cp > depth) {
        walk_subtrees(out, e, n, cp, true, decide, ctx);
        return;
    }
    size_t i = e[0].key_len * 2 == depth ? 1 : 0;
    while (i < n) {
        unsigned k = nib(e[i].key, depth);
        size_t j = i + 1;
        while (j < n && nib(e[j].key, depth) == k)
            j++;
        walk_subtrees(out, e + i, j - i, depth + 1, true, decide, ctx);
        i = j;
    }
}

/* The subtrees of at most *grain entries below the top of the trie: root_parallel's tasks. */
static walk_step up_to_grain(const void *grain, const pv_trie_entry *e, size_t n, bool is_ref)
{
    (void)e;
    return is_ref && n <= *(const size_t *)grain ? WALK_TAKE : n == 1 ? WALK_SKIP : WALK_DESCEND;
}

typedef struct task_pool {
    subtree_task *tasks;
    size_t count;
    atomic_size_t next;
    const pv_trie_entry *all;  /* the sorted entries, all[0..n) */
    size_t n;
    const leaf_table *leaves;  /* each task fills in its own entries ... */
    bool leaves_done;          /* ... unless they were hashed ahead (pv_ordered_trie) */
} task_pool;

/* A pool thread: takes tasks, each one precomputing its own bottom (leaves and bottom branches,
 * batched) and then encoding its subtree. */
static void *run_tasks(void *arg)
{
    task_pool *p = arg;
    precomputed branches = {0};
    encoder cx = {p->leaves, &branches};
    pv_buf b, scratch;
    pv_buf_init(&b);
    pv_buf_init(&scratch);
    for (;;) {
        size_t i = atomic_fetch_add(&p->next, 1);
        if (i >= p->count)
            break;
        subtree_task *t = &p->tasks[i];
        size_t lo = (size_t)(t->e - p->all);
        branches.n = branches.next = 0;
        if (p->leaves_done) {
            node_chunk k;
            k.scratch = &scratch;
            k.c = 0;
            scratch.len = 0;
            hash_bottom_branches(p->all, p->n, lo, lo + t->n, p->leaves, &branches, &k);
        } else {
            hash_bottom(p->all, p->n, lo, lo + t->n, p->leaves, &branches, &scratch);
        }
        b.len = 0;
        put_ref(&cx, &b, t->e, t->n, t->depth);
        memcpy(t->ref, b.data, b.len);
        t->ref_len = b.len;
    }
    pv_buf_free(&b);
    pv_buf_free(&scratch);
    free(branches.v);
    return NULL;
}

/* Root of the normalised, sorted entries e[0..n) on `threads` threads; leaves: a table whose
 * leaves are all hashed already (it is freed), or NULL. */
static pv_bytes32 root_parallel(const pv_trie_entry *e, size_t n, unsigned threads, leaf_table *leaves)
{
    precomputed tl = {0};
    size_t grain = n / (threads * 8) + 1;
    walk_subtrees(&tl, e, n, 0, false, up_to_grain, &grain);
    leaf_table lt;
    if (leaves)
        lt = *leaves;
    else
        leaf_table_init(&lt, e, n);
    task_pool pool = {tl.v, tl.n, 0, e, n, &lt, leaves != NULL};
    void **args = malloc(threads * sizeof *args);
    if (!args)
        abort();
    for (unsigned i = 0; i < threads; i++)
        args[i] = &pool;
    pv_pool_run(run_tasks, args, threads);
    free(args);
    /* the top of the trie: the subtrees below it (every leaf among them) come from the tasks */
    encoder cx = {&lt, &tl};
    pv_buf b;
    pv_buf_init(&b);
    encode_node(&cx, &b, e, n, 0);
    pv_bytes32 root;
    pv_keccak256(b.data, b.len, root.b);
    pv_buf_free(&b);
    free(lt.hash);
    free(tl.v);
    return root;
}

/* The entries of an ordered trie, already in key order (what normalise would make of them, with
 * no sort: a merge sort of 50,000 entries moved ~30 MB): the one-byte keys 0x01..0x7f (indexes
 * 1..127), then 0x80 (index 0), then each longer key length in increasing index order, since
 * rlp(i) for i >= 128 is 0x80 + length, then i big-endian. Empty values are absent. */
static size_t ordered_entries(const uint8_t *const *values, const size_t *value_lens, size_t n, pv_trie_entry *e,
                              uint8_t *keys)
{
    size_t m = 0;
    for (size_t pass = 0; pass < 3; pass++) {
        size_t lo = pass == 0 ? 1 : pass == 1 ? 0 : 128;
        size_t hi = pass == 0 ? 128 : pass == 1 ? 1 : n;
        for (size_t i = lo; i < hi && i < n; i++) {
            if (!value_lens[i])
                continue;
            e[m].key = keys + 9 * i;
            e[m].key_len = pv_trie_ordered_key(i, keys + 9 * i);
            e[m].value = values[i];
            e[m].value_len = value_lens[i];
            m++;
        }
    }
    return m;
}

pv_bytes32 pv_trie_root_ordered_mt(const uint8_t *const *values, const size_t *value_lens, size_t n, unsigned threads)
{
    if (threads < 2 || n < 256) /* below this, waking threads costs more than hashing */
        return pv_trie_root_ordered(values, value_lens, n);
    pv_trie_entry *e = xmalloc_n(n, sizeof *e + 9);
    size_t m = ordered_entries(values, value_lens, n, e, (uint8_t *)(e + n));
    pv_bytes32 root = m ? root_parallel(e, m, threads, NULL) : PV_EMPTY_TRIE_ROOT;
    free(e);
    return root;
}

pv_bytes32 pv_trie_root_ordered_packed(const uint8_t *data, size_t total, const size_t *offs, size_t n,
                                       unsigned threads)
{
    const uint8_t **vals = xmalloc_n(n ? n : 1, sizeof *vals);
    size_t *lens = xmalloc_n(n ? n : 1, sizeof *lens);
    for (size_t i = 0; i < n; i++) {
        vals[i] = data + offs[i];
        lens[i] = (i + 1 < n ? offs[i + 1] : total) - offs[i];
    }
    pv_bytes32 r = pv_trie_root_ordered_mt(vals, lens, n, threads);
    free(vals);
    free(lens);
    return r;
}

pv_bytes32 pv_trie_root_ordered(const uint8_t *const *values, const size_t *value_lens, size_t n)
{
    pv_trie_entry *e = xmalloc_n(n ? n : 1, sizeof *e + 9);
    size_t m = ordered_entries(values, value_lens, n, e, (uint8_t *)(e + n));
    pv_bytes32 root = m ? root_serial(e, m, true) : PV_EMPTY_TRIE_ROOT;
    free(e);
    return root;
}

/* ---- an ordered trie in pieces ---------------------------------------------------------------- */

struct pv_ordered_trie {
    size_t n;
    pv_trie_entry *e;          /* in key order: items 1..127, item 0, then items 128.. in order */
    uint8_t *keys;             /* 9 bytes per item */
    leaf_table lt;
    pthread_mutex_t lock;      /* for tops */
    precomputed tops;          /* the biggest subtrees inside each piece, hashed with it */
    bool head_hashed;          /* items 0..127 hashed by the piece that holds them all */
};

/* The biggest subtrees wholly inside the sorted positions [lo, hi) of a trie's entries. */
typedef struct position_range {
    const pv_trie_entry *base;
    size_t lo, hi;
} position_range;

static walk_step inside_range(const void *ctx, const pv_trie_entry *e, size_t n, bool is_ref)
{
    const position_range *r = ctx;
    size_t p0 = (size_t)(e - r->base), p1 = p0 + n;
    if (p1 <= r->lo || p0 >= r->hi || n == 1)
        return WALK_SKIP;
    return is_ref && p0 >= r->lo && p1 <= r->hi ? WALK_TAKE : WALK_DESCEND;
}

/* Hashes the leaves of the sorted positions [lo, hi) into the leaf table, then the biggest
 * subtrees wholly inside into tops, their bottom branches batched (what crosses lo or hi is
 * left to the root). */
static void hash_range(pv_ordered_trie *t, size_t lo, size_t hi)
{
    pv_buf scratch;
    pv_buf_init(&scratch);
    precomputed bottom = {0};
    hash_bottom(t->e, t->n, lo, hi, &t->lt, &bottom, &scratch);
    /* then the biggest subtrees inside the range, one node at a time above the bottom (a node
     * in 256 of a receipts trie), taking the bottom branches in order: the root then encodes
     * little more than the top */
    precomputed tops = {0};
    const position_range range = {t->e, lo, hi};
    walk_subtrees(&tops, t->e, t->n, 0, false, inside_range, &range);
    const encoder cx = {&t->lt, &bottom};
    for (size_t i = 0; i < tops.n; i++) {
        subtree_task *x = &tops.v[i];
        scratch.len = 0;
        put_ref(&cx, &scratch, x->e, x->n, x->depth);
        memcpy(x->ref, scratch.data, scratch.len);
        x->ref_len = scratch.len;
    }
    pthread_mutex_lock(&t->lock);
    for (size_t i = 0; i < tops.n; i++)
        *precomputed_push(&t->tops, tops.v[i].e, tops.v[i].n, tops.v[i].depth) = tops.v[i];
    pthread_mutex_unlock(&t->lock);
    free(tops.v);
    free(bottom.v);
    pv_buf_free(&scratch);
}

static int cmp_task_first(const void *a, const void *b)
{
    const pv_trie_entry *x = ((const subtree_task *)a)->e, *y = ((const subtree_task *)b)->e;
    return x < y ? -1 : x > y;
}

/* Where item i sorts (see ordered_entries): 1..127 first, then 0, then the rest in order. */
static size_t item_position(size_t i, size_t n)
{
    if (i >= 128)
        return i;
    return i ? i - 1 : (n < 128 ? n : 128) - 1;
}

pv_ordered_trie *pv_ordered_trie_new_unfilled(size_t n)
{
    pv_ordered_trie *t = xmalloc_n(1, sizeof *t);
    t->n = n;
    t->e = xmalloc_n(n ? n : 1, sizeof *t->e);
    t->keys = xmalloc_n(n ? n : 1, 9);
    memset(&t->lt, 0, sizeof t->lt);
    memset(&t->tops, 0, sizeof t->tops);
    t->head_hashed = false;
    pthread_mutex_init(&t->lock, NULL);
    if (n >= 2) /* small tries take only the caller's leaf hashes from it; depths zeroed by the fills */
        leaf_table_alloc(&t->lt, t->e, n);
    return t;
}

void pv_ordered_trie_fill(pv_ordered_trie *t, size_t lo, size_t hi)
{
    for (size_t i = lo; i < hi && i < t->n; i++) {
        size_t p = item_position(i, t->n);
        pv_trie_entry *x = &t->e[p];
        x->key = t->keys + 9 * i;
        x->key_len = pv_trie_ordered_key(i, t->keys + 9 * i);
        x->value = NULL;
        x->value_len = 0;
        if (t->lt.depth)
            t->lt.depth[p] = 0;
    }
}

pv_ordered_trie *pv_ordered_trie_new(size_t n)
{
    pv_ordered_trie *t = pv_ordered_trie_new_unfilled(n);
    pv_ordered_trie_fill(t, 0, n);
    return t;
}

/* The depth of the leaf of the entry at sorted position p, as hash_leaves finds it; 0 when the
 * entry has no leaf of its own (a branch's value) or n < 2. */
static size_t leaf_depth(const pv_trie_entry *e, size_t n, size_t p)
{
    if (n < 2)
        return 0;
    size_t left = p > 0 ? lcp_nibbles(&e[p - 1], &e[p]) : 0;
    size_t right = p + 1 < n ? lcp_nibbles(&e[p], &e[p + 1]) : 0;
    return leaf_depth_at(&e[p], left > right ? left : right);
}

size_t pv_ordered_trie_leaf_prefix(const pv_ordered_trie *t, size_t i, size_t value_len,
                                   uint8_t out[PV_TRIE_LEAF_PREFIX_MAX])
{
    if (i >= t->n || value_len < 32)
        return 0;
    const pv_trie_entry *x = &t->e[item_position(i, t->n)];
    size_t depth = leaf_depth(t->e, t->n, item_position(i, t->n));
    if (!depth)
        return 0;
    /* as encode_leaf: [HP(rest of key, leaf), value], the list header written first */
    pv_buf hp, b;
    pv_buf_init(&hp);
    pv_buf_init(&b);
    put_hex_prefix(&hp, x->key, depth, x->key_len * 2, true);
    /* a string of 32 bytes or more has a header as long as a list of as many */
    pv_rlp_put_list_header(&b, hp.len + pv_rlp_list_size(value_len));
    pv_buf_append(&b, hp.data, hp.len);
    put_string_header(&b, value_len);
    size_t len = b.len;
    if (len > PV_TRIE_LEAF_PREFIX_MAX)
        abort(); /* at most 9 + 11 + 9 bytes */
    memcpy(out, b.data, len);
    pv_buf_free(&hp);
    pv_buf_free(&b);
    return len;
}

void pv_ordered_trie_set_leaf_hash(pv_ordered_trie *t, size_t i, const uint8_t hash[32])
{
    size_t p = item_position(i, t->n);
    size_t depth = i < t->n ? leaf_depth(t->e, t->n, p) : 0;
    if (!depth || !t->lt.hash) {
        fprintf(stderr, "parevm: internal error: no leaf hash for item %zu of %zu\n", i, t->n);
        abort();
    }
    memcpy(t->lt.hash[p], hash, 32);
    t->lt.depth[p] = (uint32_t)depth;
}

void pv_ordered_trie_set(pv_ordered_trie *t, size_t lo, size_t hi, const uint8_t *const *values,
                         const size_t *lens)
{
    for (size_t i = lo; i < hi; i++) {
        pv_trie_entry *x = &t->e[item_position(i, t->n)];
        x->value = values[i - lo];
        x->value_len = lens[i - lo];
    }
    /* items from 128 on sit at their own index, in order: their leaves and bottom branches
     * are hashed now; items 0..127 (sorted apart, positions 0..127) too if this piece holds
     * them all, else the root does (on one thread, after every piece) */
    size_t from = lo > 128 ? lo : 128, head = t->n < 128 ? t->n : 128;
    if (t->n >= BATCH_MIN_ENTRIES && from < hi)
        hash_range(t, from, hi);
    if (t->n >= BATCH_MIN_ENTRIES && lo == 0 && hi >= head) {
        hash_range(t, 0, head);
        t->head_hashed = true;
    }
}

pv_bytes32 pv_ordered_trie_root(pv_ordered_trie *t)
{
    if (!t->n)
        return PV_EMPTY_TRIE_ROOT;
    /* a small trie is encoded whole, but for the caller's leaf hashes */
    encoder cx = {t->n >= 2 ? &t->lt : NULL, NULL};
    if (t->n >= BATCH_MIN_ENTRIES) {
        if (!t->head_hashed)
            hash_range(t, 0, t->n < 128 ? t->n : 128); /* the first 128 items sort apart */
        /* the rest is the top of the trie (a node in 256 of a big one) and the few bottom
         * branches across the pieces' boundaries: one thread */
        qsort(t->tops.v, t->tops.n, sizeof *t->tops.v, cmp_task_first); /* the order the encoder meets them */
        t->tops.next = 0;
        cx.pre = &t->tops;
    }
    pv_buf b;
    pv_buf_init(&b);
    pv_buf_reserve(&b, 1024);
    pv_bytes32 root = root_of(&cx, t->e, t->n, &b);
    pv_buf_free(&b);
    return root;
}

void pv_ordered_trie_free(pv_ordered_trie *t)
{
    if (!t)
        return;
    free(t->lt.hash);
    free(t->tops.v);
    pthread_mutex_destroy(&t->lock);
    free(t->e);
    free(t->keys);
    free(t);
}
