#include "code.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include "opcodes.h"

#define CODE_PADDING 33   /* a PUSH32 at the last byte reads 32 bytes past the end, then STOP */

static void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p) {
        fputs("parevm: out of memory\n", stderr);
        abort();
    }
    return p;
}

/* One allocation holds the struct, the padded bytes and the bitmap. */
static pv_code *analyse(const uint8_t *bytes, size_t size)
{
    size_t words = size / 64 + 1;
    size_t bytes_off = sizeof(pv_code);
    size_t bitmap_off = (bytes_off + size + CODE_PADDING + 7) & ~(size_t)7;
    uint8_t *block = xmalloc(bitmap_off + words * sizeof(uint64_t));
    pv_code *c = (pv_code *)block;
    uint8_t *padded = block + bytes_off;
    uint64_t *bitmap = (uint64_t *)(block + bitmap_off);
    if (size)
        memcpy(padded, bytes, size);
    memset(padded + size, 0, CODE_PADDING);
    memset(bitmap, 0, words * sizeof(uint64_t));
    for (size_t pc = 0; pc < size; pc++) {
        uint8_t op = bytes[pc];
        if (op == PV_OP_JUMPDEST)
            bitmap[pc >> 6] |= 1ULL << (pc & 63);
        else if (op >= PV_OP_PUSH1 && op <= PV_OP_PUSH32)
            pc += (size_t)(op - PV_OP_PUSH1 + 1);
    }
    c->bytes = padded;
    c->size = size;
    memset(&c->hash, 0, sizeof c->hash);
    c->jumpdests = bitmap;
    return c;
}

pv_code *pv_code_new(const uint8_t *bytes, size_t size)
{
    return analyse(bytes, size);
}

void pv_code_free(pv_code *c)
{
    free(c);
}

/* The cache: open addressing on the code hash (already uniformly distributed), guarded by a
 * read-write lock: after warm-up every access is a read. */
static pthread_rwlock_t cache_lock = PTHREAD_RWLOCK_INITIALIZER;
static pv_code **cache_slots;
static size_t cache_cap, cache_count;

static size_t slot_of(const pv_bytes32 *h, size_t cap)
{
    uint64_t x;
    memcpy(&x, h->b, 8);
    return (size_t)x & (cap - 1);
}

static pv_code *cache_find(const pv_bytes32 *hash)
{
    if (!cache_cap)
        return NULL;
    for (size_t i = slot_of(hash, cache_cap);; i = (i + 1) & (cache_cap - 1)) {
        pv_code *c = cache_slots[i];
        if (!c)
            return NULL;
        if (pv_bytes32_eq(&c->hash, hash))
            return c;
    }
}

static void cache_insert(pv_code *c)
{
    if ((cache_count + 1) * 2 > cache_cap) {
        size_t ncap = cache_cap ? cache_cap * 2 : 1024;
        pv_code **n = calloc(ncap, sizeof *n);
        if (!n) {
            fputs("parevm: out of memory\n", stderr);
            abort();
        }
        for (size_t i = 0; i < cache_cap; i++) {
            pv_code *o = cache_slots[i];
            if (!o)
                continue;
            size_t j = slot_of(&o->hash, ncap);
            while (n[j])
                j = (j + 1) & (ncap - 1);
            n[j] = o;
        }
        free(cache_slots);
        cache_slots = n;
        cache_cap = ncap;
    }
    size_t j = slot_of(&c->hash, cache_cap);
    while (cache_slots[j])
        j = (j + 1) & (cache_cap - 1);
    cache_slots[j] = c;
    cache_count++;
}

const pv_code *pv_code_get(const uint8_t *bytes, size_t size, const pv_bytes32 *hash)
{
    pthread_rwlock_rdlock(&cache_lock);
    pv_code *c = cache_find(hash);
    pthread_rwlock_unlock(&cache_lock);
    if (c)
        return c;
    pv_code *fresh = analyse(bytes, size);
    fresh->hash = *hash;
    pthread_rwlock_wrlock(&cache_lock);
    c = cache_find(hash);
    if (!c) {
        cache_insert(fresh);
        c = fresh;
        fresh = NULL;
    }
    pthread_rwlock_unlock(&cache_lock);
    free(fresh);
    return c;
}

void pv_code_cache_clear(void)
{
    pthread_rwlock_wrlock(&cache_lock);
    for (size_t i = 0; i < cache_cap; i++)
        free(cache_slots[i]);
    free(cache_slots);
    cache_slots = NULL;
    cache_cap = cache_count = 0;
    pthread_rwlock_unlock(&cache_lock);
}
