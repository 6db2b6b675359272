/*
 * BLS12-381 prime fields: the base field Fp (381-bit p, 6 limbs), its quadratic extension
 * Fp2 = Fp[u]/(u^2 + 1), and the scalar field Fr (255-bit r, 4 limbs). Built on the Montgomery
 * template of mont.h (CIOS, always inlined with a constant limb count).
 *
 * Representation and contract (all functions):
 *  - pv_bls_fp / pv_bls_fr hold a fully reduced value in Montgomery form (a*R mod p, R = 2^384;
 *    a*2^256 mod r for Fr). Zero is all-zero limbs. Values are produced only by the functions
 *    here, by the constants, or by pv_bls_fp_from_bytes / pv_bls_fr_from_bytes.
 *  - pv_bls_fp2 is c0 + c1*u with u^2 = -1.
 *  - Outputs may alias inputs. Nothing allocates. Nothing is constant time (public inputs only).
 */
#ifndef PV_CRYPTO_BLS12_381_FP_H
#define PV_CRYPTO_BLS12_381_FP_H

#include <stdbool.h>
#include <stdint.h>

#include "mont.h"

typedef struct { uint64_t l[6]; } pv_bls_fp;
typedef struct { pv_bls_fp c0, c1; } pv_bls_fp2;
typedef struct { uint64_t l[4]; } pv_bls_fr;

/* p = 0x1a0111ea397fe69a4b1ba7b6434bacd764774b84f38512bf6730d2a0f6b0f6241eabfffeb153ffffb9feffffffffaaab */
static const uint64_t PV_BLS_P[6] = {0xb9feffffffffaaabULL, 0x1eabfffeb153ffffULL, 0x6730d2a0f6b0f624ULL,
                                     0x64774b84f38512bfULL, 0x4b1ba7b6434bacd7ULL, 0x1a0111ea397fe69aULL};
#define PV_BLS_P_INV 0x89f3fffcfffcfffdULL /* -p^-1 mod 2^64 */

/* r = 0x73eda753299d7d483339d80809a1d80553bda402fffe5bfeffffffff00000001 (BLS_MODULUS) */
static const uint64_t PV_BLS_R[4] = {0xffffffff00000001ULL, 0x53bda402fffe5bfeULL, 0x3339d80809a1d805ULL,
                                     0x73eda753299d7d48ULL};
#define PV_BLS_R_INV 0xfffffffeffffffffULL /* -r^-1 mod 2^64 */

/* Constants (Montgomery form). */
extern const pv_bls_fp PV_BLS_FP_ONE;
extern const pv_bls_fr PV_BLS_FR_ONE;

/* ---- Fp ---- */

static inline void pv_bls_fp_add(pv_bls_fp *r, const pv_bls_fp *a, const pv_bls_fp *b) { pv_mont_add(r->l, a->l, b->l, PV_BLS_P, 6); }
static inline void pv_bls_fp_sub(pv_bls_fp *r, const pv_bls_fp *a, const pv_bls_fp *b) { pv_mont_sub(r->l, a->l, b->l, PV_BLS_P, 6); }
static inline void pv_bls_fp_neg(pv_bls_fp *r, const pv_bls_fp *a) { pv_mont_neg(r->l, a->l, PV_BLS_P, 6); }
static inline void pv_bls_fp_dbl(pv_bls_fp *r, const pv_bls_fp *a) { pv_mont_add(r->l, a->l, a->l, PV_BLS_P, 6); }
static inline bool pv_bls_fp_is_zero(const pv_bls_fp *a) { return pv_limbs_is_zero(a->l, 6); }
static inline bool pv_bls_fp_eq(const pv_bls_fp *a, const pv_bls_fp *b) { return pv_limbs_eq(a->l, b->l, 6); }
static inline void pv_bls_fp_set_zero(pv_bls_fp *r) { *r = (pv_bls_fp){{0}}; }

/* r = a * b, r = a^2. */
void pv_bls_fp_mul(pv_bls_fp *r, const pv_bls_fp *a, const pv_bls_fp *b);
void pv_bls_fp_sqr(pv_bls_fp *r, const pv_bls_fp *a);
/* r = a / 2. */
void pv_bls_fp_half(pv_bls_fp *r, const pv_bls_fp *a);
/* r = a^e for a public exponent of e_limbs little-endian 64-bit limbs. */
void pv_bls_fp_pow(pv_bls_fp *r, const pv_bls_fp *a, const uint64_t *e, int e_limbs);
/* r = a^-1; r = 0 when a = 0. */
void pv_bls_fp_inv(pv_bls_fp *r, const pv_bls_fp *a);
/* Returns true and r = a^((p+1)/4) (a square root of a) when a is a square; false otherwise
 * (r then holds no meaningful value). The root returned is not normalised (either sign). */
bool pv_bls_fp_sqrt(pv_bls_fp *r, const pv_bls_fp *a);
/* The small integer v as a field element. */
void pv_bls_fp_from_u64(pv_bls_fp *r, uint64_t v);
/* 48 big-endian bytes -> element; false (r untouched) when the integer is >= p. */
bool pv_bls_fp_from_bytes(pv_bls_fp *r, const uint8_t be[48]);
/* Element -> its canonical integer as 48 big-endian bytes. */
void pv_bls_fp_to_bytes(uint8_t be[48], const pv_bls_fp *a);
/* Canonical integer of a, 6 little-endian limbs. */
void pv_bls_fp_to_limbs(uint64_t l[6], const pv_bls_fp *a);
/* True when the canonical integer of a is > (p-1)/2, i.e. a is the "lexicographically largest"
 * of {a, -a} in the ZCash serialization's sense (the sign flag). False for 0. */
bool pv_bls_fp_is_lex_largest(const pv_bls_fp *a);

/* ---- Fp2 ---- */

static inline void pv_bls_fp2_add(pv_bls_fp2 *r, const pv_bls_fp2 *a, const pv_bls_fp2 *b)
{
    pv_bls_fp_add(&r->c0, &a->c0, &b->c0);
    pv_bls_fp_add(&r->c1, &a->c1, &b->c1);
}
static inline void pv_bls_fp2_sub(pv_bls_fp2 *r, const pv_bls_fp2 *a, const pv_bls_fp2 *b)
{
    pv_bls_fp_sub(&r->c0, &a->c0, &b->c0);
    pv_bls_fp_sub(&r->c1, &a->c1, &b->c1);
}
static inline void pv_bls_fp2_dbl(pv_bls_fp2 *r, const pv_bls_fp2 *a)
{
    pv_bls_fp_dbl(&r->c0, &a->c0);
    pv_bls_fp_dbl(&r->c1, &a->c1);
}
static inline void pv_bls_fp2_neg(pv_bls_fp2 *r, const pv_bls_fp2 *a)
{
    pv_bls_fp_neg(&r->c0, &a->c0);
    pv_bls_fp_neg(&r->c1, &a->c1);
}
/* Conjugate c0 - c1*u (= the p-power Frobenius on Fp2). */
static inline void pv_bls_fp2_conj(pv_bls_fp2 *r, const pv_bls_fp2 *a)
{
    r->c0 = a->c0;
    pv_bls_fp_neg(&r->c1, &a->c1);
}
/* r = a * (1 + u): the non-residue xi of the sextic twist and of Fp6 = Fp2[v]/(v^3 - xi). */
static inline void pv_bls_fp2_mul_by_xi(pv_bls_fp2 *r, const pv_bls_fp2 *a)
{
    pv_bls_fp t;
    pv_bls_fp_sub(&t, &a->c0, &a->c1);
    pv_bls_fp_add(&r->c1, &a->c0, &a->c1);
    r->c0 = t;
}
static inline bool pv_bls_fp2_is_zero(const pv_bls_fp2 *a) { return pv_bls_fp_is_zero(&a->c0) && pv_bls_fp_is_zero(&a->c1); }
static inline bool pv_bls_fp2_eq(const pv_bls_fp2 *a, const pv_bls_fp2 *b) { return pv_bls_fp_eq(&a->c0, &b->c0) && pv_bls_fp_eq(&a->c1, &b->c1); }
static inline void pv_bls_fp2_set_zero(pv_bls_fp2 *r) { *r = (pv_bls_fp2){{{0}}, {{0}}}; }
static inline void pv_bls_fp2_set_one(pv_bls_fp2 *r) { r->c0 = PV_BLS_FP_ONE; pv_bls_fp_set_zero(&r->c1); }

/* r = a * b (Karatsuba, 3 Fp multiplications); r = a^2 (2 Fp multiplications). */
void pv_bls_fp2_mul(pv_bls_fp2 *r, const pv_bls_fp2 *a, const pv_bls_fp2 *b);
void pv_bls_fp2_sqr(pv_bls_fp2 *r, const pv_bls_fp2 *a);
/* r = a * s for s in Fp. */
void pv_bls_fp2_mul_fp(pv_bls_fp2 *r, const pv_bls_fp2 *a, const pv_bls_fp *s);
/* r = a / 2. */
void pv_bls_fp2_half(pv_bls_fp2 *r, const pv_bls_fp2 *a);
/* r = a^-1; r = 0 when a = 0. */
void pv_bls_fp2_inv(pv_bls_fp2 *r, const pv_bls_fp2 *a);
/* r = a^e, public exponent of e_limbs little-endian limbs. */
void pv_bls_fp2_pow(pv_bls_fp2 *r, const pv_bls_fp2 *a, const uint64_t *e, int e_limbs);
/* Returns true and a square root of a in r when a is a square in Fp2; false otherwise. */
bool pv_bls_fp2_sqrt(pv_bls_fp2 *r, const pv_bls_fp2 *a);
/* The ZCash sign of an Fp2 element: c1 lexicographically largest, or c1 = 0 and c0 so. */
bool pv_bls_fp2_is_lex_largest(const pv_bls_fp2 *a);

/* ---- Fr (scalar field) ---- */

static inline void pv_bls_fr_add(pv_bls_fr *r, const pv_bls_fr *a, const pv_bls_fr *b) { pv_mont_add(r->l, a->l, b->l, PV_BLS_R, 4); }
static inline void pv_bls_fr_sub(pv_bls_fr *r, const pv_bls_fr *a, const pv_bls_fr *b) { pv_mont_sub(r->l, a->l, b->l, PV_BLS_R, 4); }
static inline void pv_bls_fr_neg(pv_bls_fr *r, const pv_bls_fr *a) { pv_mont_neg(r->l, a->l, PV_BLS_R, 4); }
static inline bool pv_bls_fr_is_zero(const pv_bls_fr *a) { return pv_limbs_is_zero(a->l, 4); }
static inline bool pv_bls_fr_eq(const pv_bls_fr *a, const pv_bls_fr *b) { return pv_limbs_eq(a->l, b->l, 4); }

void pv_bls_fr_mul(pv_bls_fr *r, const pv_bls_fr *a, const pv_bls_fr *b);
/* r = a^-1; r = 0 when a = 0. */
void pv_bls_fr_inv(pv_bls_fr *r, const pv_bls_fr *a);
void pv_bls_fr_from_u64(pv_bls_fr *r, uint64_t v);
/* 32 big-endian bytes -> element; false (r untouched) when the integer is >= r (not canonical,
 * as EIP-4844's bytes_to_bls_field requires). */
bool pv_bls_fr_from_bytes(pv_bls_fr *r, const uint8_t be[32]);
void pv_bls_fr_to_bytes(uint8_t be[32], const pv_bls_fr *a);
/* The canonical integer of a as 4 little-endian limbs: the scalar form the group functions take. */
void pv_bls_fr_to_scalar(uint64_t k[4], const pv_bls_fr *a);

#endif
