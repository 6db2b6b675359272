/* The hot 256-bit operations, inline: the interpreter executes one per instruction, and a call
 * for each (with its argument and result through memory) cost more than the arithmetic.
 * Contracts in uint256.h. Included only by uint256.h. */
#ifndef PV_UTIL_UINT256_INLINE_H
#define PV_UTIL_UINT256_INLINE_H

#include <string.h>
#if defined(__x86_64__) || defined(__AVX2__)
#include <immintrin.h>
#endif

/* Writes a whole value at once. The interpreter reads its stack slots as 32-byte vectors (DUP,
 * SWAP, copies); a value written as four 8-byte stores and read back as one 32-byte load
 * cannot be forwarded from the store buffer, and the load waits ~15 cycles for the stores to
 * reach the cache (half the time of a SIGNEXTEND loop). */
static inline void u256_store4s(u256 *r, uint64_t w0, uint64_t w1, uint64_t w2, uint64_t w3)
{
    r->w[0] = w0;
    r->w[1] = w1;
    r->w[2] = w2;
    r->w[3] = w3;
}

static inline void u256_store4(u256 *r, uint64_t w0, uint64_t w1, uint64_t w2, uint64_t w3)
{
#ifdef __AVX2__
    _mm256_storeu_si256((__m256i *)(void *)r->w,
                        _mm256_set_epi64x((long long)w3, (long long)w2, (long long)w1, (long long)w0));
#else
    r->w[0] = w0;
    r->w[1] = w1;
    r->w[2] = w2;
    r->w[3] = w3;
#endif
}

/* Word addition and subtraction with a carry or borrow bit in and out (x86: adc and sbb, where
 * gcc spilled an __int128 chain's carry to the stack). */
static inline unsigned char u64_add_carry(unsigned char c, uint64_t x, uint64_t y, uint64_t *out)
{
#ifdef __x86_64__
    unsigned long long o;
    c = _addcarry_u64(c, x, y, &o);
    *out = o;
    return c;
#else
    uint64_t s = x + y, r = s + c;
    *out = r;
    return (s < x) | (r < s);
#endif
}

static inline unsigned char u64_sub_borrow(unsigned char b, uint64_t x, uint64_t y, uint64_t *out)
{
#ifdef __x86_64__
    unsigned long long o;
    b = _subborrow_u64(b, x, y, &o);
    *out = o;
    return b;
#else
    uint64_t d = x - y, r = d - b;
    *out = r;
    return (x < y) | (d < b);
#endif
}

/* a < b from the borrow of a - b, without a branch per limb (sub, sbb, sbb, sbb). */
static inline bool u256_lt(const u256 *a, const u256 *b)
{
    uint64_t d;
    unsigned char c = u64_sub_borrow(0, a->w[0], b->w[0], &d);
    c = u64_sub_borrow(c, a->w[1], b->w[1], &d);
    c = u64_sub_borrow(c, a->w[2], b->w[2], &d);
    return u64_sub_borrow(c, a->w[3], b->w[3], &d);
}

static inline bool u256_gt(const u256 *a, const u256 *b) { return u256_lt(b, a); }

/* Signed: the sign bits flipped turn two's complement order into unsigned order. */
static inline bool u256_slt(const u256 *a, const u256 *b)
{
    const uint64_t s = 1ULL << 63;
    u256 x = {{a->w[0], a->w[1], a->w[2], a->w[3] ^ s}}, y = {{b->w[0], b->w[1], b->w[2], b->w[3] ^ s}};
    return u256_lt(&x, &y);
}

static inline bool u256_sgt(const u256 *a, const u256 *b) { return u256_slt(b, a); }

static inline void u256_add(u256 *r, const u256 *a, const u256 *b)
{
    uint64_t r0, r1, r2, r3;
    unsigned char c = u64_add_carry(0, a->w[0], b->w[0], &r0);
    c = u64_add_carry(c, a->w[1], b->w[1], &r1);
    c = u64_add_carry(c, a->w[2], b->w[2], &r2);
    (void)u64_add_carry(c, a->w[3], b->w[3], &r3);
    u256_store4(r, r0, r1, r2, r3);
}

static inline void u256_sub(u256 *r, const u256 *a, const u256 *b)
{
    uint64_t r0, r1, r2, r3;
    unsigned char c = u64_sub_borrow(0, a->w[0], b->w[0], &r0);
    c = u64_sub_borrow(c, a->w[1], b->w[1], &r1);
    c = u64_sub_borrow(c, a->w[2], b->w[2], &r2);
    (void)u64_sub_borrow(c, a->w[3], b->w[3], &r3);
    u256_store4(r, r0, r1, r2, r3);
}

static inline void u256_neg(u256 *r, const u256 *a)
{
    u256 z = u256_zero();
    u256_sub(r, &z, a);
}

/* Schoolbook product, only the partial products below 2^256. */
static inline void u256_mul(u256 *r, const u256 *a, const u256 *b)
{
    typedef unsigned __int128 u128_;
    const uint64_t a0 = a->w[0], a1 = a->w[1], a2 = a->w[2], a3 = a->w[3];
    const uint64_t b0 = b->w[0], b1 = b->w[1], b2 = b->w[2], b3 = b->w[3];
    u128_ t = (u128_)a0 * b0;
    uint64_t r0 = (uint64_t)t, c = (uint64_t)(t >> 64);
    t = (u128_)a0 * b1 + c;
    uint64_t r1 = (uint64_t)t;
    c = (uint64_t)(t >> 64);
    t = (u128_)a0 * b2 + c;
    uint64_t r2 = (uint64_t)t;
    c = (uint64_t)(t >> 64);
    uint64_t r3 = a0 * b3 + c;
    t = (u128_)a1 * b0 + r1;
    r1 = (uint64_t)t;
    c = (uint64_t)(t >> 64);
    t = (u128_)a1 * b1 + r2 + c;
    r2 = (uint64_t)t;
    c = (uint64_t)(t >> 64);
    r3 += a1 * b2 + c;
    t = (u128_)a2 * b0 + r2;
    r2 = (uint64_t)t;
    c = (uint64_t)(t >> 64);
    r3 += a2 * b1 + c + a3 * b0;
    u256_store4(r, r0, r1, r2, r3);
}

static inline bool u256_mul_u64(u256 *r, const u256 *a, uint64_t b)
{
    uint64_t carry = 0, out[4];
    for (int i = 0; i < 4; i++) {
        unsigned __int128 t = (unsigned __int128)a->w[i] * b + carry;
        out[i] = (uint64_t)t;
        carry = (uint64_t)(t >> 64);
    }
    memcpy(r->w, out, sizeof out);
    return carry == 0;
}

/* The result of a shift right by n < 256 (whole limbs first, then bits), the vacated limbs
 * filled with fill; the limbs stay in registers (an array indexed by the shift went through
 * memory: slower on shift-heavy code). Inputs read before any output is written (r may
 * alias x). */
static inline void u256_shr_by(u256 *r, const u256 *x, unsigned n, uint64_t fill)
{
    uint64_t a0 = x->w[0], a1 = x->w[1], a2 = x->w[2], a3 = x->w[3];
    for (; n >= 64; n -= 64) {
        a0 = a1;
        a1 = a2;
        a2 = a3;
        a3 = fill;
    }
    if (n) {
        a0 = (a0 >> n) | (a1 << (64 - n));
        a1 = (a1 >> n) | (a2 << (64 - n));
        a2 = (a2 >> n) | (a3 << (64 - n));
        a3 = (a3 >> n) | (fill << (64 - n));
    }
    u256_store4(r, a0, a1, a2, a3);
}

static inline void u256_shl(u256 *r, const u256 *shift, const u256 *x)
{
    if (!u256_fits_u64(shift) || shift->w[0] >= 256) {
        *r = u256_zero();
        return;
    }
    unsigned n = (unsigned)shift->w[0];
    uint64_t a0 = x->w[0], a1 = x->w[1], a2 = x->w[2], a3 = x->w[3];
    for (; n >= 64; n -= 64) {
        a3 = a2;
        a2 = a1;
        a1 = a0;
        a0 = 0;
    }
    if (n) {
        a3 = (a3 << n) | (a2 >> (64 - n));
        a2 = (a2 << n) | (a1 >> (64 - n));
        a1 = (a1 << n) | (a0 >> (64 - n));
        a0 <<= n;
    }
    u256_store4(r, a0, a1, a2, a3);
}

static inline void u256_shr(u256 *r, const u256 *shift, const u256 *x)
{
    if (!u256_fits_u64(shift) || shift->w[0] >= 256) {
        *r = u256_zero();
        return;
    }
    u256_shr_by(r, x, (unsigned)shift->w[0], 0);
}

static inline void u256_sar(u256 *r, const u256 *shift, const u256 *x)
{
    const uint64_t fill = (uint64_t)((int64_t)x->w[3] >> 63);
    if (!u256_fits_u64(shift) || shift->w[0] >= 256) {
        r->w[0] = r->w[1] = r->w[2] = r->w[3] = fill;
        return;
    }
    u256_shr_by(r, x, (unsigned)shift->w[0], fill);
}

static inline void u256_byte(u256 *r, const u256 *index, const u256 *x)
{
    if (!u256_fits_u64(index) || index->w[0] >= 32) {
        *r = u256_zero();
        return;
    }
    unsigned i = 31 - (unsigned)index->w[0]; /* little-endian byte position */
    *r = u256_from_u64((x->w[i / 8] >> (8 * (i % 8))) & 0xff);
}

/* Each limb below the sign's kept, the sign's limb masked and filled, the ones above filled. */
static inline void u256_signextend(u256 *r, const u256 *byte_index, const u256 *x)
{
    if (!u256_fits_u64(byte_index) || byte_index->w[0] >= 31) {
        *r = *x;
        return;
    }
    const unsigned bit = (unsigned)byte_index->w[0] * 8 + 7, word = bit / 64, off = bit % 64;
    const uint64_t fill = 0 - ((x->w[word] >> off) & 1);
    const uint64_t mask = (2ULL << off) - 1; /* off == 63: all ones */
#define PV_SIGNEXT_LIMB(i) ((i) < word ? x->w[i] : (i) == word ? (x->w[i] & mask) | (fill & ~mask) : fill)
    u256_store4(r, PV_SIGNEXT_LIMB(0), PV_SIGNEXT_LIMB(1), PV_SIGNEXT_LIMB(2), PV_SIGNEXT_LIMB(3));
#undef PV_SIGNEXT_LIMB
}

static inline void u256_and(u256 *r, const u256 *a, const u256 *b)
{
    for (int i = 0; i < 4; i++)
        r->w[i] = a->w[i] & b->w[i];
}
static inline void u256_or(u256 *r, const u256 *a, const u256 *b)
{
    for (int i = 0; i < 4; i++)
        r->w[i] = a->w[i] | b->w[i];
}
static inline void u256_xor(u256 *r, const u256 *a, const u256 *b)
{
    for (int i = 0; i < 4; i++)
        r->w[i] = a->w[i] ^ b->w[i];
}
static inline void u256_not(u256 *r, const u256 *a)
{
    for (int i = 0; i < 4; i++)
        r->w[i] = ~a->w[i];
}

static inline unsigned u256_bit_length(const u256 *a)
{
    for (int i = 3; i >= 0; i--)
        if (a->w[i])
            return (unsigned)(i * 64 + 64 - __builtin_clzll(a->w[i]));
    return 0;
}

static inline unsigned u256_byte_length(const u256 *a) { return (u256_bit_length(a) + 7) / 8; }

/* Any length (uint256.c); the inline one takes the 32-byte case (MLOAD, CALLDATALOAD) itself. */
void u256_from_be_any(u256 *r, const uint8_t *bytes, size_t len);

static inline void u256_from_be(u256 *r, const uint8_t *bytes, size_t len)
{
    if (len != 32) {
        u256_from_be_any(r, bytes, len);
        return;
    }
    uint64_t x[4];
    memcpy(x, bytes, 32);
    u256_store4(r, __builtin_bswap64(x[3]), __builtin_bswap64(x[2]), __builtin_bswap64(x[1]),
                __builtin_bswap64(x[0]));
}

static inline void u256_to_be(const u256 *a, uint8_t out[32])
{
    uint64_t x[4] = {__builtin_bswap64(a->w[3]), __builtin_bswap64(a->w[2]), __builtin_bswap64(a->w[1]),
                     __builtin_bswap64(a->w[0])};
    memcpy(out, x, 32);
}

#endif
