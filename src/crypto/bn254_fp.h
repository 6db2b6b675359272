/*
 * BN254 (alt_bn128, EIP-196/197) base field Fp and its quadratic extension Fp2 = Fp[i]/(i^2 + 1).
 *
 * p = 0x30644e72e131a029b85045b68181585d97816a916871ca8d3c208c16d87cfd47 (254 bits).
 *
 * Contract:
 *  - pv_bn254_fp holds a value in Montgomery form (a*2^256 mod p) on four little-endian limbs,
 *    fully reduced (< p). Every function takes and returns such values; pv_bn254_fp_from_be and
 *    pv_bn254_fp_to_be convert from/to the plain big-endian 32-byte encoding of the EIPs.
 *  - pv_bn254_fp2 is c0 + c1*i (c0 the real part). Note EIP-197 serialises the imaginary part
 *    first; that ordering is the precompile's business, not this module's.
 *  - Outputs may alias inputs. Nothing allocates. Not constant time (public inputs only).
 * The Fp arithmetic is crypto/mont.h instantiated with n = 4 (inline); Fp2 multiplication uses
 * Karatsuba (3 Fp multiplications), squaring the complex method (2).
 */
#ifndef PV_CRYPTO_BN254_FP_H
#define PV_CRYPTO_BN254_FP_H

#include "mont.h"

typedef struct pv_bn254_fp { uint64_t l[4]; } pv_bn254_fp;
typedef struct pv_bn254_fp2 { pv_bn254_fp c0, c1; } pv_bn254_fp2;

/* The modulus and the Montgomery constants (checked against GMP by tests/unit/test_bn254.c). */
static const uint64_t pv_bn254_p[4] = {0x3c208c16d87cfd47ULL, 0x97816a916871ca8dULL,
                                       0xb85045b68181585dULL, 0x30644e72e131a029ULL};
#define PV_BN254_PINV 0x87d20782e4866389ULL /* -p^-1 mod 2^64 */
/* R mod p (the Montgomery form of 1) and R^2 mod p, R = 2^256. */
static const pv_bn254_fp pv_bn254_fp_one = {{0xd35d438dc58f0d9dULL, 0x0a78eb28f5c70b3dULL,
                                             0x666ea36f7879462cULL, 0x0e0a77c19a07df2fULL}};
static const uint64_t pv_bn254_r2[4] = {0xf32cfc5b538afa89ULL, 0xb5e71911d44501fbULL,
                                        0x47ab1eff0a417ff6ULL, 0x06d89f71cab8351fULL};

/* ---- Fp ---- */

static inline void pv_bn254_fp_add(pv_bn254_fp *r, const pv_bn254_fp *a, const pv_bn254_fp *b)
{
    pv_mont_add(r->l, a->l, b->l, pv_bn254_p, 4);
}
static inline void pv_bn254_fp_sub(pv_bn254_fp *r, const pv_bn254_fp *a, const pv_bn254_fp *b)
{
    pv_mont_sub(r->l, a->l, b->l, pv_bn254_p, 4);
}
static inline void pv_bn254_fp_dbl(pv_bn254_fp *r, const pv_bn254_fp *a)
{
    pv_mont_add(r->l, a->l, a->l, pv_bn254_p, 4);
}
static inline void pv_bn254_fp_neg(pv_bn254_fp *r, const pv_bn254_fp *a)
{
    pv_mont_neg(r->l, a->l, pv_bn254_p, 4);
}
static inline void pv_bn254_fp_mul(pv_bn254_fp *r, const pv_bn254_fp *a, const pv_bn254_fp *b)
{
    pv_mont_mul(r->l, a->l, b->l, pv_bn254_p, PV_BN254_PINV, 4);
}
static inline void pv_bn254_fp_sqr(pv_bn254_fp *r, const pv_bn254_fp *a)
{
    pv_mont_sqr(r->l, a->l, pv_bn254_p, PV_BN254_PINV, 4);
}
/* r = a / 2. */
static inline void pv_bn254_fp_half(pv_bn254_fp *r, const pv_bn254_fp *a)
{
    uint64_t t[4];
    if (a->l[0] & 1)
        pv_limbs_add(t, a->l, pv_bn254_p, 4); /* < 2p < 2^255: no carry out */
    else
        memcpy(t, a->l, sizeof t);
    for (int i = 0; i < 3; i++)
        r->l[i] = t[i] >> 1 | t[i + 1] << 63;
    r->l[3] = t[3] >> 1;
}
static inline bool pv_bn254_fp_is_zero(const pv_bn254_fp *a) { return pv_limbs_is_zero(a->l, 4); }
static inline bool pv_bn254_fp_eq(const pv_bn254_fp *a, const pv_bn254_fp *b)
{
    return pv_limbs_eq(a->l, b->l, 4);
}
static inline void pv_bn254_fp_set_zero(pv_bn254_fp *r) { memset(r, 0, sizeof *r); }
static inline void pv_bn254_fp_set_one(pv_bn254_fp *r) { *r = pv_bn254_fp_one; }
/* r = v (a small integer, converted to Montgomery form). */
static inline void pv_bn254_fp_set_u64(pv_bn254_fp *r, uint64_t v)
{
    uint64_t t[4] = {v, 0, 0, 0};
    pv_mont_to(r->l, t, pv_bn254_r2, pv_bn254_p, PV_BN254_PINV, 4);
}
/* Parses a 32-byte big-endian integer; false (r unspecified) when it is >= p. */
static inline bool pv_bn254_fp_from_be(pv_bn254_fp *r, const uint8_t be[32])
{
    uint64_t t[4];
    pv_limbs_from_be(t, be, 4);
    if (pv_limbs_geq(t, pv_bn254_p, 4))
        return false;
    pv_mont_to(r->l, t, pv_bn254_r2, pv_bn254_p, PV_BN254_PINV, 4);
    return true;
}
static inline void pv_bn254_fp_to_be(uint8_t be[32], const pv_bn254_fp *a)
{
    uint64_t t[4];
    pv_mont_from(t, a->l, pv_bn254_p, PV_BN254_PINV, 4);
    pv_limbs_to_be(be, t, 4);
}

/* r = a^-1 (r = 0 for a = 0). */
void pv_bn254_fp_inv(pv_bn254_fp *r, const pv_bn254_fp *a);
/* r = a^e for a little-endian exponent of e_limbs limbs. */
void pv_bn254_fp_pow(pv_bn254_fp *r, const pv_bn254_fp *a, const uint64_t *e, int e_limbs);
/* Square root: true and r^2 = a when a is a square, else false (r unspecified). */
bool pv_bn254_fp_sqrt(pv_bn254_fp *r, const pv_bn254_fp *a);

/* ---- Fp2 ---- */

static inline void pv_bn254_fp2_add(pv_bn254_fp2 *r, const pv_bn254_fp2 *a, const pv_bn254_fp2 *b)
{
    pv_bn254_fp_add(&r->c0, &a->c0, &b->c0);
    pv_bn254_fp_add(&r->c1, &a->c1, &b->c1);
}
static inline void pv_bn254_fp2_sub(pv_bn254_fp2 *r, const pv_bn254_fp2 *a, const pv_bn254_fp2 *b)
{
    pv_bn254_fp_sub(&r->c0, &a->c0, &b->c0);
    pv_bn254_fp_sub(&r->c1, &a->c1, &b->c1);
}
static inline void pv_bn254_fp2_dbl(pv_bn254_fp2 *r, const pv_bn254_fp2 *a)
{
    pv_bn254_fp_dbl(&r->c0, &a->c0);
    pv_bn254_fp_dbl(&r->c1, &a->c1);
}
static inline void pv_bn254_fp2_neg(pv_bn254_fp2 *r, const pv_bn254_fp2 *a)
{
    pv_bn254_fp_neg(&r->c0, &a->c0);
    pv_bn254_fp_neg(&r->c1, &a->c1);
}
static inline void pv_bn254_fp2_half(pv_bn254_fp2 *r, const pv_bn254_fp2 *a)
{
    pv_bn254_fp_half(&r->c0, &a->c0);
    pv_bn254_fp_half(&r->c1, &a->c1);
}
/* r = conjugate of a = a^p. */
static inline void pv_bn254_fp2_conj(pv_bn254_fp2 *r, const pv_bn254_fp2 *a)
{
    r->c0 = a->c0;
    pv_bn254_fp_neg(&r->c1, &a->c1);
}
static inline bool pv_bn254_fp2_is_zero(const pv_bn254_fp2 *a)
{
    return pv_bn254_fp_is_zero(&a->c0) && pv_bn254_fp_is_zero(&a->c1);
}
static inline bool pv_bn254_fp2_eq(const pv_bn254_fp2 *a, const pv_bn254_fp2 *b)
{
    return pv_bn254_fp_eq(&a->c0, &b->c0) && pv_bn254_fp_eq(&a->c1, &b->c1);
}
static inline void pv_bn254_fp2_set_zero(pv_bn254_fp2 *r) { memset(r, 0, sizeof *r); }
static inline void pv_bn254_fp2_set_one(pv_bn254_fp2 *r)
{
    r->c0 = pv_bn254_fp_one;
    pv_bn254_fp_set_zero(&r->c1);
}

void pv_bn254_fp2_mul(pv_bn254_fp2 *r, const pv_bn254_fp2 *a, const pv_bn254_fp2 *b);
void pv_bn254_fp2_sqr(pv_bn254_fp2 *r, const pv_bn254_fp2 *a);
/* r = a * b for b in Fp. */
void pv_bn254_fp2_mul_fp(pv_bn254_fp2 *r, const pv_bn254_fp2 *a, const pv_bn254_fp *b);
/* r = a * xi, xi = 9 + i (the non-residue defining Fp6 and the twist). Additions only. */
void pv_bn254_fp2_mul_xi(pv_bn254_fp2 *r, const pv_bn254_fp2 *a);
/* r = a^-1 (0 for 0): one Fp inversion. */
void pv_bn254_fp2_inv(pv_bn254_fp2 *r, const pv_bn254_fp2 *a);
/* r = a^e for a little-endian exponent of e_limbs limbs. */
void pv_bn254_fp2_pow(pv_bn254_fp2 *r, const pv_bn254_fp2 *a, const uint64_t *e, int e_limbs);
/* Square root: true and r^2 = a when a is a square in Fp2, else false (r unspecified). */
bool pv_bn254_fp2_sqrt(pv_bn254_fp2 *r, const pv_bn254_fp2 *a);

#endif
