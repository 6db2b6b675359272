/* Basic fixed-size byte types shared by every module. */
#ifndef PV_UTIL_TYPES_H
#define PV_UTIL_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* A 20-byte Ethereum address, big-endian as on the wire. */
typedef struct pv_address { uint8_t b[20]; } pv_address;

/* A 32-byte hash or word as raw big-endian bytes. */
typedef struct pv_bytes32 { uint8_t b[32]; } pv_bytes32;

static inline bool pv_address_eq(const pv_address *a, const pv_address *b)
{
    return memcmp(a->b, b->b, 20) == 0;
}

static inline bool pv_bytes32_eq(const pv_bytes32 *a, const pv_bytes32 *b)
{
    return memcmp(a->b, b->b, 32) == 0;
}

/* A bijective 64-bit mix with full avalanche (the splitmix64 finalizer): hash tables' keys,
 * location hashes, synthetic addresses. */
static inline uint64_t pv_mix64(uint64_t x)
{
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ULL;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

static inline bool pv_bytes32_is_zero(const pv_bytes32 *a)
{
    static const pv_bytes32 zero;
    return memcmp(a->b, zero.b, 32) == 0;
}

#define PV_LIKELY(x) __builtin_expect(!!(x), 1)
#define PV_UNLIKELY(x) __builtin_expect(!!(x), 0)

/* Cache hints for every line of [p, p + size) (size > 0), changing no result: for reading, or
 * for writing (the line is fetched for ownership, so that the store into it later does not wait
 * for another CPU to give it up). */
#define PV_PREFETCH_LINES(p, size, rw)                                                        \
    do {                                                                                      \
        uintptr_t pv_at_ = (uintptr_t)(p) & ~(uintptr_t)63, pv_end_ = (uintptr_t)(p) + (size); \
        for (; pv_at_ < pv_end_; pv_at_ += 64)                                                \
            __builtin_prefetch((const void *)pv_at_, rw);                                     \
    } while (0)
static inline void pv_prefetch_lines(const void *p, size_t size) { PV_PREFETCH_LINES(p, size, 0); }
static inline void pv_prefetch_lines_for_write(const void *p, size_t size) { PV_PREFETCH_LINES(p, size, 1); }

#endif
