/*
 * Sorting by a 64-bit key: the big arrays of a block's results (state changes by address, slots
 * by key, multi-version locations) are sorted on a 64-bit prefix of their real key, then the
 * rare runs of equal prefixes are settled by the caller's full comparison.
 */
#ifndef PV_UTIL_SORT_H
#define PV_UTIL_SORT_H

#include <stddef.h>
#include <stdint.h>

/* Sorts n elements of size bytes (a multiple of 8, at most 64) whose first 8 bytes are a
 * uint64_t key, ascending by key and stable (equal keys keep their order): a radix pass on the
 * highest digit where the keys differ, then each bucket the same way (insertion sort for small
 * ones). Allocates scratch of n elements; aborts if it runs out. */
void pv_sort_by_key64(void *base, size_t n, size_t size);

/* Sorts the runs of equal keys of an array sorted by pv_sort_by_key64 with cmp (insertion sort:
 * the runs are short; qsort for runs over 32). */
void pv_sort_settle_ties(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *));

/* The key of 8 bytes read big-endian (a prefix of a byte string, in the string's order). */
static inline uint64_t pv_key64_be(const uint8_t *p)
{
    uint64_t v;
    __builtin_memcpy(&v, p, 8);
    return __builtin_bswap64(v);
}

#endif
