#include "code.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "opcodes.h"

/* Zeros (STOP) past the end: a PUSH32 at the last byte reads 32 bytes past it, then STOP (33),
 * and the analysis reads whole 64-byte blocks. */
#define CODE_PADDING 64

#if defined(__AVX512BW__) || defined(__AVX2__)
#include <immintrin.h>
#endif

static void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p) {
        fputs("parevm: out of memory\n", stderr);
        abort();
    }
    return p;
}

/* Bit i of *jumpdest: p[i] is JUMPDEST; of *push: p[i] is PUSH1..PUSH32. */
_Static_assert(PV_OP_PUSH1 == 0x60 && PV_OP_PUSH32 == 0x7f, "the PUSH opcodes are the bytes 011xxxxx");
static inline void block_masks(const uint8_t *p, uint64_t *jumpdest, uint64_t *push)
{
#if defined(__AVX512BW__)
    __m512i v = _mm512_loadu_si512((const void *)p);
    *jumpdest = _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8((char)PV_OP_JUMPDEST));
    *push = _mm512_cmplt_epu8_mask(_mm512_sub_epi8(v, _mm512_set1_epi8((char)PV_OP_PUSH1)), _mm512_set1_epi8(32));
#elif defined(__AVX2__)
    uint64_t jd = 0, ps = 0;
    for (int h = 0; h < 2; h++) {
        __m256i v = _mm256_loadu_si256((const __m256i *)(p + 32 * h));
        /* PUSH1-PUSH32 (0x60-0x7f): the top three bits are those of PUSH1 */
        __m256i top = _mm256_and_si256(v, _mm256_set1_epi8((char)0xe0));
        uint32_t j = (uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(v, _mm256_set1_epi8((char)PV_OP_JUMPDEST)));
        uint32_t q = (uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(top, _mm256_set1_epi8((char)PV_OP_PUSH1)));
        jd |= (uint64_t)j << (32 * h);
        ps |= (uint64_t)q << (32 * h);
    }
    *jumpdest = jd;
    *push = ps;
#else
    uint64_t jd = 0, ps = 0;
    for (int i = 0; i < 64; i++) {
        jd |= (uint64_t)(p[i] == PV_OP_JUMPDEST) << i;
        ps |= (uint64_t)((p[i] & 0xe0) == PV_OP_PUSH1) << i;
    }
    *jumpdest = jd;
    *push = ps;
#endif
}

/* One allocation holds the struct, the padded bytes and the bitmap.
 *
 * The JUMPDEST map a 64-byte block at a time: the block's JUMPDEST and PUSH bytes as bit masks,
 * then a walk over the PUSH bytes only (a PUSH inside another's data is data), each marking its
 * data, which may run into the next block. A byte-at-a-time loop mispredicted its branch on
 * every few bytes: 0.6 ns a byte (1,921 bytes of swap_math: 1.15 us, a third of that case's
 * "total"). The walk visits every PUSH byte in turn and skips those already marked as data,
 * rather than jumping past each PUSH's data: the jump made the next position wait for this
 * PUSH's byte to load (about 11 cycles a PUSH, one after the other), while the skip test is a
 * well-predicted branch on the mask alone (swap_math's analysis 0.9 -> 0.55 us).
 * tests/unit/test_interp.c compares the map with the definition on random code. */
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
    uint64_t carry = 0; /* the data of a PUSH that ran past the previous block */
    size_t w = 0;
    for (size_t base = 0; base < size; base += 64, w++) {
        uint64_t jumpdest, push;
        block_masks(padded + base, &jumpdest, &push);
        uint64_t data = carry;
        carry = 0;
        for (uint64_t todo = push & ~data; todo; todo &= todo - 1) {
            unsigned i = (unsigned)__builtin_ctzll(todo);
            if (PV_UNLIKELY((data >> i) & 1))
                continue; /* a PUSH byte inside an earlier PUSH's data */
            unsigned last = i + 1 + (unsigned)(padded[base + i] - PV_OP_PUSH1); /* its last data byte */
            uint64_t upto_i = (2ULL << i) - 1;                       /* bits 0..i (all when i = 63) */
            if (last < 63) {
                data |= ((2ULL << last) - 1) & ~upto_i;
            } else {
                data |= ~upto_i;
                carry = last > 63 ? (2ULL << (last - 64)) - 1 : 0;
            }
        }
        bitmap[w] = jumpdest & ~data;
    }
    for (; w < words; w++)
        bitmap[w] = 0;
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
