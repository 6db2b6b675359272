/*
 * Montgomery arithmetic modulo an odd prime p on n 64-bit limbs: the one implementation behind
 * every prime field of parevm's own curve code (BN254: n = 4, BLS12-381: n = 6).
 *
 * Each function takes the limb count n as a parameter and is always inlined, so a field module
 * wraps it with a compile-time constant n (e.g. `fp_mul(r,a,b) { pv_mont_mul(r,a,b,P,PINV,4); }`)
 * and the compiler emits fully unrolled, specialised code: one template, no hand copies.
 *
 * Contract:
 *  - Limbs are little-endian (l[0] least significant). n <= PV_MONT_MAX_LIMBS.
 *  - p is odd and its top limb is below 2^63 - 1 (p < 2^(64n-1) with room to spare): this allows
 *    the carry-free CIOS multiplication and additions without a carry limb. Both BN254's and
 *    BLS12-381's base and scalar field moduli qualify.
 *  - pinv = -p^-1 mod 2^64 (pv_mont_pinv computes it).
 *  - Field elements are fully reduced (< p) on input and output of every function. A value
 *    a*R mod p represents a ("Montgomery form", R = 2^(64n)).
 *  - Outputs may alias inputs. Nothing allocates; nothing branches on secret data is NOT promised
 *    (these are public-input precompiles; constant time is not a goal).
 */
#ifndef PV_CRYPTO_MONT_H
#define PV_CRYPTO_MONT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define PV_MONT_MAX_LIMBS 6
#define PV_MONT_INLINE static inline __attribute__((always_inline))

typedef unsigned __int128 pv_u128;

/* -p^-1 mod 2^64 by Newton iteration (each step doubles the correct low bits). */
static inline uint64_t pv_mont_pinv(uint64_t p0)
{
    uint64_t x = p0; /* correct to 3 bits for odd p0 */
    for (int i = 0; i < 6; i++)
        x *= 2 - p0 * x;
    return (uint64_t)0 - x;
}

/* r = a + b - (borrowless) ... helpers on raw limbs. Returns the carry / borrow. */
PV_MONT_INLINE uint64_t pv_limbs_add(uint64_t *r, const uint64_t *a, const uint64_t *b, int n)
{
    /* __builtin_add_overflow keeps gcc on one add/adc chain (a 128-bit sum does not) */
    uint64_t c = 0;
    for (int i = 0; i < n; i++) {
        uint64_t s;
        uint64_t c1 = __builtin_add_overflow(a[i], b[i], &s);
        uint64_t c2 = __builtin_add_overflow(s, c, &r[i]);
        c = c1 | c2;
    }
    return c;
}

PV_MONT_INLINE uint64_t pv_limbs_sub(uint64_t *r, const uint64_t *a, const uint64_t *b, int n)
{
    uint64_t borrow = 0;
    for (int i = 0; i < n; i++) {
        uint64_t d;
        uint64_t b1 = __builtin_sub_overflow(a[i], b[i], &d);
        uint64_t b2 = __builtin_sub_overflow(d, borrow, &r[i]);
        borrow = b1 | b2;
    }
    return borrow;
}

/* a >= b as unsigned n-limb integers. */
PV_MONT_INLINE bool pv_limbs_geq(const uint64_t *a, const uint64_t *b, int n)
{
    for (int i = n - 1; i >= 0; i--) {
        if (a[i] != b[i])
            return a[i] > b[i];
    }
    return true;
}

PV_MONT_INLINE bool pv_limbs_is_zero(const uint64_t *a, int n)
{
    uint64_t acc = 0;
    for (int i = 0; i < n; i++)
        acc |= a[i];
    return acc == 0;
}

PV_MONT_INLINE bool pv_limbs_eq(const uint64_t *a, const uint64_t *b, int n)
{
    uint64_t acc = 0;
    for (int i = 0; i < n; i++)
        acc |= a[i] ^ b[i];
    return acc == 0;
}

/* r = a + b mod p. */
PV_MONT_INLINE void pv_mont_add(uint64_t *r, const uint64_t *a, const uint64_t *b, const uint64_t *p, int n)
{
    uint64_t t[PV_MONT_MAX_LIMBS], u[PV_MONT_MAX_LIMBS];
    pv_limbs_add(t, a, b, n); /* no carry out: a + b < 2p < 2^(64n) */
    uint64_t mask = (uint64_t)0 - pv_limbs_sub(u, t, p, n);
    for (int i = 0; i < n; i++)
        r[i] = (t[i] & mask) | (u[i] & ~mask);
}

/* r = a - b mod p. */
PV_MONT_INLINE void pv_mont_sub(uint64_t *r, const uint64_t *a, const uint64_t *b, const uint64_t *p, int n)
{
    uint64_t t[PV_MONT_MAX_LIMBS], u[PV_MONT_MAX_LIMBS];
    uint64_t mask = (uint64_t)0 - pv_limbs_sub(t, a, b, n);
    pv_limbs_add(u, t, p, n);
    for (int i = 0; i < n; i++)
        r[i] = (u[i] & mask) | (t[i] & ~mask);
}

/* r = -a mod p. */
PV_MONT_INLINE void pv_mont_neg(uint64_t *r, const uint64_t *a, const uint64_t *p, int n)
{
    if (pv_limbs_is_zero(a, n)) {
        for (int i = 0; i < n; i++)
            r[i] = 0;
        return;
    }
    pv_limbs_sub(r, p, a, n);
}

/*
 * r = a * b * R^-1 mod p: CIOS (coarsely integrated operand scanning) without the extra carry
 * limb, valid because p's top limb leaves a spare bit (see the contract above). The accumulator
 * stays below 2p, so one conditional subtraction reduces it.
 */
PV_MONT_INLINE void pv_mont_mul(uint64_t *r, const uint64_t *a, const uint64_t *b, const uint64_t *p,
                                uint64_t pinv, int n)
{
    uint64_t t[PV_MONT_MAX_LIMBS] = {0};
    /* Unrolled completely for the constant n: gcc otherwise keeps the outer loop and spills the
     * accumulator (measured 52 -> 34 ns for n = 6). */
    _Pragma("GCC unroll 8")
    for (int i = 0; i < n; i++) {
        pv_u128 s = (pv_u128)a[0] * b[i] + t[0];
        uint64_t carry_a = (uint64_t)(s >> 64);
        uint64_t t0 = (uint64_t)s;
        uint64_t m = t0 * pinv;
        pv_u128 q = (pv_u128)m * p[0] + t0;
        uint64_t carry_m = (uint64_t)(q >> 64);
        _Pragma("GCC unroll 8")
        for (int j = 1; j < n; j++) {
            s = (pv_u128)a[j] * b[i] + t[j] + carry_a;
            carry_a = (uint64_t)(s >> 64);
            q = (pv_u128)m * p[j] + (uint64_t)s + carry_m;
            carry_m = (uint64_t)(q >> 64);
            t[j - 1] = (uint64_t)q;
        }
        t[n - 1] = carry_a + carry_m;
    }
    uint64_t u[PV_MONT_MAX_LIMBS];
    uint64_t borrow = pv_limbs_sub(u, t, p, n);
    for (int i = 0; i < n; i++)
        r[i] = borrow ? t[i] : u[i];
}

PV_MONT_INLINE void pv_mont_sqr(uint64_t *r, const uint64_t *a, const uint64_t *p, uint64_t pinv, int n)
{
    pv_mont_mul(r, a, a, p, pinv, n);
}

/* r = a^e (Montgomery in, Montgomery out) for an exponent of e_limbs little-endian limbs;
 * one_mont = R mod p. Left-to-right square and multiply; e is public. */
PV_MONT_INLINE void pv_mont_pow(uint64_t *r, const uint64_t *a, const uint64_t *e, int e_limbs,
                                const uint64_t *one_mont, const uint64_t *p, uint64_t pinv, int n)
{
    uint64_t acc[PV_MONT_MAX_LIMBS], base[PV_MONT_MAX_LIMBS];
    memcpy(acc, one_mont, sizeof(uint64_t) * (size_t)n);
    memcpy(base, a, sizeof(uint64_t) * (size_t)n);
    for (int i = e_limbs - 1; i >= 0; i--) {
        for (int bit = 63; bit >= 0; bit--) {
            pv_mont_sqr(acc, acc, p, pinv, n);
            if ((e[i] >> bit) & 1)
                pv_mont_mul(acc, acc, base, p, pinv, n);
        }
    }
    memcpy(r, acc, sizeof(uint64_t) * (size_t)n);
}

/* Conversions: to Montgomery form with r2 = R^2 mod p; from it by multiplying with 1. */
PV_MONT_INLINE void pv_mont_to(uint64_t *r, const uint64_t *a, const uint64_t *r2, const uint64_t *p,
                               uint64_t pinv, int n)
{
    pv_mont_mul(r, a, r2, p, pinv, n);
}

PV_MONT_INLINE void pv_mont_from(uint64_t *r, const uint64_t *a, const uint64_t *p, uint64_t pinv, int n)
{
    uint64_t one[PV_MONT_MAX_LIMBS] = {1};
    pv_mont_mul(r, a, one, p, pinv, n);
}

/* Big-endian bytes (8n of them) <-> limbs. No reduction: callers check a value is below p
 * (pv_limbs_geq) before converting it to Montgomery form, since the EIPs reject such input. */
PV_MONT_INLINE void pv_limbs_from_be(uint64_t *r, const uint8_t *be, int n)
{
    for (int i = 0; i < n; i++) {
        uint64_t v = 0;
        for (int j = 0; j < 8; j++)
            v = v << 8 | be[8 * (n - 1 - i) + j];
        r[i] = v;
    }
}

PV_MONT_INLINE void pv_limbs_to_be(uint8_t *be, const uint64_t *a, int n)
{
    for (int i = 0; i < n; i++)
        for (int j = 0; j < 8; j++)
            be[8 * (n - 1 - i) + j] = (uint8_t)(a[i] >> (56 - 8 * j));
}

#endif
