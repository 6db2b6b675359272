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
 */
#include "trie.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>

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

static void encode_node(pv_buf *b, const pv_trie_entry *e, size_t n, size_t depth);

/* A subtree whose reference was computed ahead (by another thread): the serial pass meets the
 * subtrees in the order they were collected and takes their references from here. */
typedef struct subtree_task {
    const pv_trie_entry *e;
    size_t n, depth;
    uint8_t ref[33];
    size_t ref_len;
} subtree_task;

typedef struct precomputed {
    subtree_task *tasks;
    size_t count, next;
} precomputed;

static _Thread_local precomputed *tls_pre;

/* Appends the reference to the node of e[0..n) at depth: the node itself when its RLP is shorter
 * than 32 bytes, else RLP(keccak(node)). */
static void put_ref(pv_buf *b, const pv_trie_entry *e, size_t n, size_t depth)
{
    precomputed *pre = tls_pre;
    if (pre && pre->next < pre->count) {
        subtree_task *t = &pre->tasks[pre->next];
        if (t->e == e && t->n == n && t->depth == depth) {
            pre->next++;
            pv_buf_append(b, t->ref, t->ref_len);
            return;
        }
    }
    size_t start = b->len;
    encode_node(b, e, n, depth);
    size_t len = b->len - start;
    if (len < 32)
        return;
    uint8_t h[32];
    pv_keccak256(b->data + start, len, h);
    b->len = start;
    pv_buf_reserve(b, 33);
    b->data[b->len] = 0xa0;
    memcpy(b->data + b->len + 1, h, 32);
    b->len += 33;
}

static void encode_node(pv_buf *b, const pv_trie_entry *e, size_t n, size_t depth)
{
    size_t start = pv_rlp_list_begin(b);
    const pv_trie_entry *first = &e[0];
    if (n == 1) {
        put_hex_prefix(b, first->key, depth, first->key_len * 2, true);
        pv_rlp_put_bytes(b, first->value, first->value_len);
        pv_rlp_list_end(b, start);
        return;
    }
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
        put_ref(b, e, n, cp);
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
        put_ref(b, e + i, j - i, depth + 1);
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

/* ---- public ---------------------------------------------------------------------------------- */

pv_bytes32 pv_trie_root(pv_trie_entry *entries, size_t n)
{
    n = normalise(entries, n);
    if (n == 0)
        return PV_EMPTY_TRIE_ROOT;
    pv_buf b;
    pv_buf_init(&b);
    pv_buf_reserve(&b, 1024);
    encode_node(&b, entries, n, 0);
    pv_bytes32 root;
    pv_keccak256(b.data, b.len, root.b);  /* the root is hashed even when short */
    pv_buf_free(&b);
    return root;
}

pv_bytes32 pv_trie_root_secure(const pv_trie_entry *entries, size_t n)
{
    /* one block: the entry copies, then their 32-byte hashed keys */
    pv_trie_entry *copy = xmalloc_n(n, sizeof *copy + 32);
    uint8_t *keys = (uint8_t *)(copy + n);
    for (size_t i = 0; i < n; i++) {
        copy[i] = entries[i];
        pv_keccak256(entries[i].key, entries[i].key_len, keys + 32 * i);
        copy[i].key = keys + 32 * i;
        copy[i].key_len = 32;
    }
    pv_bytes32 root = pv_trie_root(copy, n);
    free(copy);
    return root;
}

/* RLP of the integer i (0 -> 0x80, 1..127 -> the byte, else 0x80+len and big-endian bytes)
 * into out (at most 9 bytes); returns the length. */
static size_t rlp_index(uint64_t i, uint8_t *out)
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

typedef struct task_list {
    subtree_task *v;
    size_t n, cap;
} task_list;

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

/* Collects, in encoding order, the subtrees of at most `grain` entries that hang below the
 * top of the trie, mirroring encode_node's partitioning. */
static void collect_tasks(task_list *tl, const pv_trie_entry *e, size_t n, size_t depth, size_t grain, bool is_ref)
{
    if (is_ref && n <= grain) {
        if (tl->n == tl->cap) {
            tl->cap = tl->cap ? tl->cap * 2 : 64;
            tl->v = realloc(tl->v, tl->cap * sizeof *tl->v);
            if (!tl->v)
                abort();
        }
        tl->v[tl->n++] = (subtree_task){e, n, depth, {0}, 0};
        return;
    }
    if (n == 1)
        return;
    size_t cp = common_prefix(e, n, depth);
    if (cp > depth) {
        collect_tasks(tl, e, n, cp, grain, true);
        return;
    }
    size_t i = e[0].key_len * 2 == depth ? 1 : 0;
    while (i < n) {
        unsigned k = nib(e[i].key, depth);
        size_t j = i + 1;
        while (j < n && nib(e[j].key, depth) == k)
            j++;
        collect_tasks(tl, e + i, j - i, depth + 1, grain, true);
        i = j;
    }
}

typedef struct task_pool {
    subtree_task *tasks;
    size_t count;
    atomic_size_t next;
} task_pool;

static void *run_tasks(void *arg)
{
    task_pool *p = arg;
    pv_buf b;
    pv_buf_init(&b);
    for (;;) {
        size_t i = atomic_fetch_add(&p->next, 1);
        if (i >= p->count)
            break;
        subtree_task *t = &p->tasks[i];
        b.len = 0;
        put_ref(&b, t->e, t->n, t->depth);
        memcpy(t->ref, b.data, b.len);
        t->ref_len = b.len;
    }
    pv_buf_free(&b);
    return NULL;
}

/* Root of the normalised, sorted entries e[0..n) on `threads` threads. */
static pv_bytes32 root_parallel(const pv_trie_entry *e, size_t n, unsigned threads)
{
    task_list tl = {0};
    size_t grain = n / (threads * 8) + 1;
    collect_tasks(&tl, e, n, 0, grain, false);
    task_pool pool = {tl.v, tl.n, 0};
    void **args = malloc(threads * sizeof *args);
    if (!args)
        abort();
    for (unsigned i = 0; i < threads; i++)
        args[i] = &pool;
    pv_pool_run(run_tasks, args, threads);
    free(args);
    precomputed pre = {tl.v, tl.n, 0};
    tls_pre = &pre;
    pv_buf b;
    pv_buf_init(&b);
    encode_node(&b, e, n, 0);
    tls_pre = NULL;
    pv_bytes32 root;
    pv_keccak256(b.data, b.len, root.b);
    pv_buf_free(&b);
    free(tl.v);
    return root;
}

pv_bytes32 pv_trie_root_ordered_mt(const uint8_t *const *values, const size_t *value_lens, size_t n, unsigned threads)
{
    if (threads < 2 || n < 256) /* below this, waking threads costs more than hashing */
        return pv_trie_root_ordered(values, value_lens, n);
    pv_trie_entry *e = xmalloc_n(n, sizeof *e + 9);
    uint8_t *keys = (uint8_t *)(e + n);
    for (size_t i = 0; i < n; i++) {
        e[i].key = keys + 9 * i;
        e[i].key_len = rlp_index(i, keys + 9 * i);
        e[i].value = values[i];
        e[i].value_len = value_lens[i];
    }
    size_t m = normalise(e, n);
    pv_bytes32 root = m ? root_parallel(e, m, threads) : PV_EMPTY_TRIE_ROOT;
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
    pv_trie_entry *e = xmalloc_n(n, sizeof *e + 9);
    uint8_t *keys = (uint8_t *)(e + n);
    for (size_t i = 0; i < n; i++) {
        e[i].key = keys + 9 * i;
        e[i].key_len = rlp_index(i, keys + 9 * i);
        e[i].value = values[i];
        e[i].value_len = value_lens[i];
    }
    pv_bytes32 root = pv_trie_root(e, n);
    free(e);
    return root;
}
