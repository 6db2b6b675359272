#include "conc_map.h"

#include "arena.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct node {
    struct node *_Atomic next;
    uint64_t hash;
    /* key, padded to 16, then value */
    _Alignas(16) unsigned char data[];
} node;

struct pv_cmap {
    size_t key_size, key_padded, value_size, node_size;
    pv_shared_arena nodes;        /* nodes are never freed one by one */
    size_t mask;
    node *_Atomic *buckets;       /* read by every lookup: no shared counter is kept beside them */
};

/* The next pointer of a node that lost its insert race (never published, left in the arena):
 * no real pointer, so that the walk in memory order can skip it. */
#define LOSER ((node *)(uintptr_t)1)

static void oom(void)
{
    fputs("parevm: out of memory (concurrent map)\n", stderr);
    abort();
}

pv_cmap *pv_cmap_new(size_t key_size, size_t value_size, size_t expected)
{
    pv_cmap *m = calloc(1, sizeof *m);
    if (!m)
        oom();
    m->key_size = key_size;
    m->key_padded = (key_size + 15) & ~(size_t)15;
    m->value_size = value_size;
    m->node_size = (sizeof(node) + m->key_padded + value_size + 15) & ~(size_t)15;
    pv_shared_arena_init(&m->nodes, 0);
    size_t n = 1024;
    while (n < expected && n < ((size_t)1 << 26))
        n <<= 1;
    m->mask = n - 1;
    m->buckets = calloc(n, sizeof *m->buckets);
    if (!m->buckets)
        oom();
    return m;
}

void pv_cmap_free(pv_cmap *m, void (*destroy)(void *value))
{
    if (!m)
        return;
    /* (without destroy the buckets are not read: 64 KB of them for a block of 330
     * transactions, 1% of its time in Block-STM) */
    for (size_t i = 0; destroy && i <= m->mask; i++) {
        node *n = atomic_load_explicit(&m->buckets[i], memory_order_relaxed);
        for (; n; n = atomic_load_explicit(&n->next, memory_order_relaxed))
            destroy(n->data + m->key_padded);
    }
    pv_shared_arena_destroy(&m->nodes);
    free(m->buckets);
    free(m);
}

static inline bool key_eq(const pv_cmap *m, const unsigned char *a, const unsigned char *b)
{
    if (m->key_size % 8)
        return memcmp(a, b, m->key_size) == 0;
    uint64_t diff = 0; /* word by word, inline: keys are short */
    for (size_t i = 0; i < m->key_size; i += 8) {
        uint64_t x, y;
        memcpy(&x, a + i, 8);
        memcpy(&y, b + i, 8);
        diff |= x ^ y;
    }
    return diff == 0;
}

static node *scan(const pv_cmap *m, node *n, const node *stop, const void *key, uint64_t hash)
{
    for (; n && n != stop; n = atomic_load_explicit(&n->next, memory_order_acquire))
        if (n->hash == hash && key_eq(m, n->data, key))
            return n;
    return NULL;
}

void *pv_cmap_find(pv_cmap *m, const void *key, uint64_t hash)
{
    node *head = atomic_load_explicit(&m->buckets[hash & m->mask], memory_order_acquire);
    node *n = scan(m, head, NULL, key, hash);
    return n ? n->data + m->key_padded : NULL;
}

void *pv_cmap_get_or_insert(pv_cmap *m, const void *key, uint64_t hash,
                            void (*init)(void *value, const void *key, void *ctx), void *ctx, bool *inserted)
{
    node *_Atomic *bucket = &m->buckets[hash & m->mask];
    node *head = atomic_load_explicit(bucket, memory_order_acquire);
    node *found = scan(m, head, NULL, key, hash);
    if (found) {
        if (inserted)
            *inserted = false;
        return found->data + m->key_padded;
    }
    node *nn = pv_shared_arena_alloc(&m->nodes, m->node_size);
    nn->hash = hash;
    memcpy(nn->data, key, m->key_size);
    memset(nn->data + m->key_size, 0, m->key_padded - m->key_size + m->value_size);
    if (init)
        init(nn->data + m->key_padded, key, ctx);
    for (;;) {
        atomic_store_explicit(&nn->next, head, memory_order_relaxed);
        node *expected = head;
        if (atomic_compare_exchange_weak_explicit(bucket, &expected, nn, memory_order_acq_rel,
                                                  memory_order_acquire)) {
            if (inserted)
                *inserted = true;
            return nn->data + m->key_padded;
        }
        /* Someone published first: only the nodes in front of our old head are new. */
        found = scan(m, expected, head, key, hash);
        if (found) {
            /* ours stays unused in the arena, marked for pv_cmap_for_each */
            atomic_store_explicit(&nn->next, LOSER, memory_order_relaxed);
            if (inserted)
                *inserted = false;
            return found->data + m->key_padded;
        }
        head = expected;
    }
}

void pv_cmap_prefetch(pv_cmap *m, uint64_t hash) { __builtin_prefetch(&m->buckets[hash & m->mask]); }

typedef struct walk {
    pv_cmap *m;
    void (*fn)(const void *key, void *value, void *ctx);
    void *ctx;
} walk;

static void walk_block(unsigned char *data, size_t used, void *arg)
{
    walk *w = arg;
    for (size_t off = 0; off + w->m->node_size <= used; off += w->m->node_size) {
        node *n = (node *)(data + off);
        if (atomic_load_explicit(&n->next, memory_order_relaxed) != LOSER)
            w->fn(n->data, n->data + w->m->key_padded, w->ctx);
    }
}

/* In the arena's memory order, not the buckets': a chain walk is a cache miss per node (8 ms
 * for the 190,000 locations of a 47,619-transfer block), the arena is read front to back. */
void pv_cmap_for_each(pv_cmap *m, void (*fn)(const void *key, void *value, void *ctx), void *ctx)
{
    walk w = {m, fn, ctx};
    pv_shared_arena_for_each_block(&m->nodes, walk_block, &w);
}


uint64_t pv_hash_bytes(const void *data, size_t len)
{
    /* 64-bit multiply-xorshift over 8-byte words; plenty for hash-table use. */
    const unsigned char *p = data;
    uint64_t h = 0x9e3779b97f4a7c15ULL ^ (len * 0xff51afd7ed558ccdULL);
    while (len >= 8) {
        uint64_t w;
        memcpy(&w, p, 8);
        h ^= w * 0xc4ceb9fe1a85ec53ULL;
        h = (h << 29 | h >> 35) * 0x9e3779b97f4a7c15ULL;
        p += 8;
        len -= 8;
    }
    uint64_t w = 0;
    memcpy(&w, p, len);
    h ^= w * 0xc4ceb9fe1a85ec53ULL;
    h ^= h >> 31;
    h *= 0xbf58476d1ce4e5b9ULL;
    h ^= h >> 29;
    return h;
}
