#include "sort.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static inline uint64_t key_at(const unsigned char *p)
{
    uint64_t k;
    memcpy(&k, p, 8);
    return k;
}

static void insertion(unsigned char *b, size_t n, size_t size, int (*cmp)(const void *, const void *))
{
    unsigned char x[64];
    for (size_t i = 1; i < n; i++) {
        if (cmp ? cmp(b + (i - 1) * size, b + i * size) <= 0 : key_at(b + (i - 1) * size) <= key_at(b + i * size))
            continue;
        memcpy(x, b + i * size, size);
        size_t j = i;
        while (j > 0 && (cmp ? cmp(b + (j - 1) * size, x) > 0 : key_at(b + (j - 1) * size) > key_at(x))) {
            memcpy(b + j * size, b + (j - 1) * size, size);
            j--;
        }
        memcpy(b + j * size, x, size);
    }
}

/* One pass on the highest digit where the keys differ, into about n/8 buckets (the digit found
 * from the keys, so that clustered keys, such as low addresses or a contract's slot indexes,
 * still spread), then each bucket by insertion, or by the same sort if it is big (keys that
 * share more bits). Stable: the scatter keeps the order of equal digits, insertion of equal keys.
 * The LSD radix sort this replaced (four 16-bit passes, a 65,536-entry histogram each) took
 * 43 ns per element at 10,000 elements, 22 at 50,000. Written once and instantiated per common
 * element size, so that every copy is a few inlined moves, not a call. */
#define INSERTION_MAX 32

static void oom(void)
{
    fputs("parevm: out of memory (sort)\n", stderr);
    abort();
}

static inline __attribute__((always_inline)) void insertion_by_key(unsigned char *b, size_t n, size_t size)
{
    unsigned char x[64];
    for (size_t i = 1; i < n; i++) {
        uint64_t k = key_at(b + i * size);
        if (key_at(b + (i - 1) * size) <= k)
            continue;
        memcpy(x, b + i * size, size);
        size_t j = i;
        while (j > 0 && key_at(b + (j - 1) * size) > k) {
            memcpy(b + j * size, b + (j - 1) * size, size);
            j--;
        }
        memcpy(b + j * size, x, size);
    }
}

static inline __attribute__((always_inline)) void sort_key64(unsigned char *v, size_t n, size_t size)
{
    if (n <= INSERTION_MAX) {
        insertion_by_key(v, n, size);
        return;
    }
    const uint64_t k0 = key_at(v);
    uint64_t diff = 0;
    for (size_t i = 1; i < n; i++)
        diff |= key_at(v + i * size) ^ k0;
    if (!diff)
        return; /* every key equal: already in (stable) order */
    int top = 63 - __builtin_clzll(diff);              /* the highest bit where two keys differ */
    int bits = 64 - __builtin_clzll((uint64_t)n) - 3; /* about 8 per bucket */
    if (bits < 8)
        bits = 8;
    if (bits > 16)
        bits = 16;
    if (bits > top + 1)
        bits = top + 1;
    const int shift = top + 1 - bits;
    const size_t buckets = (size_t)1 << bits, mask = buckets - 1;
    uint32_t *start = calloc(2 * buckets + 1, sizeof *start);
    unsigned char *tmp = malloc(n * size);
    if (!start || !tmp)
        oom();
    uint32_t *cursor = start + buckets + 1;
    for (size_t i = 0; i < n; i++)
        cursor[(key_at(v + i * size) >> shift) & mask]++;
    for (size_t d = 0; d < buckets; d++) { /* start[d]: where bucket d begins; cursor moves in it */
        start[d + 1] = start[d] + cursor[d];
        cursor[d] = start[d];
    }
    for (size_t i = 0; i < n; i++) {
        const unsigned char *x = v + i * size;
        memcpy(tmp + (size_t)cursor[(key_at(x) >> shift) & mask]++ * size, x, size);
    }
    for (size_t d = 0; d < buckets; d++) {
        size_t len = start[d + 1] - start[d];
        if (len > INSERTION_MAX)
            pv_sort_by_key64(tmp + (size_t)start[d] * size, len, size);
        else if (len > 1)
            insertion_by_key(tmp + (size_t)start[d] * size, len, size);
    }
    memcpy(v, tmp, n * size);
    free(tmp);
    free(start);
}

void pv_sort_by_key64(void *base, size_t n, size_t size)
{
    switch (size) {
    case 16:
        sort_key64(base, n, 16);
        break;
    case 24:
        sort_key64(base, n, 24);
        break;
    case 32:
        sort_key64(base, n, 32);
        break;
    case 48:
        sort_key64(base, n, 48);
        break;
    default:
        sort_key64(base, n, size);
    }
}

void pv_sort_settle_ties(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *))
{
    unsigned char *v = base;
    for (size_t i = 0; i < n;) {
        size_t j = i + 1;
        uint64_t k = key_at(v + i * size);
        while (j < n && key_at(v + j * size) == k)
            j++;
        if (j - i > 32)
            qsort(v + i * size, j - i, size, cmp);
        else if (j - i > 1)
            insertion(v + i * size, j - i, size, cmp);
        i = j;
    }
}
