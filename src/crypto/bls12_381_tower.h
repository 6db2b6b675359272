/*
 * The BLS12-381 extension tower above Fp2 (bls12_381_fp.h):
 *   Fp6  = Fp2[v] / (v^3 - xi),  xi = 1 + u
 *   Fp12 = Fp6[w] / (w^2 - v)
 * so an Fp12 element is c0 + c1 w with c0, c1 in Fp6, and over Fp2 it is
 *   c0.c0 + c1.c0 w + c0.c1 w^2 + c1.c1 w^3 + c0.c2 w^4 + c1.c2 w^5   (w^6 = xi).
 *
 * Contract as in bls12_381_fp.h: outputs may alias inputs, nothing allocates, nothing is constant
 * time. Functions named "cyclotomic" require their input in the cyclotomic subgroup (any result of
 * the easy part of the final exponentiation, bls12_381_pairing.h); on other inputs their result
 * is meaningless.
 */
#ifndef PV_CRYPTO_BLS12_381_TOWER_H
#define PV_CRYPTO_BLS12_381_TOWER_H

#include "bls12_381_fp.h"

typedef struct { pv_bls_fp2 c0, c1, c2; } pv_bls_fp6;
typedef struct { pv_bls_fp6 c0, c1; } pv_bls_fp12;

/* ---- Fp6 ---- */
void pv_bls_fp6_set_zero(pv_bls_fp6 *r);
void pv_bls_fp6_set_one(pv_bls_fp6 *r);
bool pv_bls_fp6_is_zero(const pv_bls_fp6 *a);
bool pv_bls_fp6_eq(const pv_bls_fp6 *a, const pv_bls_fp6 *b);
void pv_bls_fp6_add(pv_bls_fp6 *r, const pv_bls_fp6 *a, const pv_bls_fp6 *b);
void pv_bls_fp6_sub(pv_bls_fp6 *r, const pv_bls_fp6 *a, const pv_bls_fp6 *b);
void pv_bls_fp6_neg(pv_bls_fp6 *r, const pv_bls_fp6 *a);
/* Karatsuba: 6 Fp2 multiplications. */
void pv_bls_fp6_mul(pv_bls_fp6 *r, const pv_bls_fp6 *a, const pv_bls_fp6 *b);
/* Chung-Hasan squaring: 3 Fp2 squarings + 2 multiplications. */
void pv_bls_fp6_sqr(pv_bls_fp6 *r, const pv_bls_fp6 *a);
/* r = a * v. */
void pv_bls_fp6_mul_by_v(pv_bls_fp6 *r, const pv_bls_fp6 *a);
/* r = a * (b0 + b1 v) (sparse, 5 Fp2 multiplications). */
void pv_bls_fp6_mul_by_01(pv_bls_fp6 *r, const pv_bls_fp6 *a, const pv_bls_fp2 *b0, const pv_bls_fp2 *b1);
/* r = a * (b1 v) (sparse, 3 Fp2 multiplications). */
void pv_bls_fp6_mul_by_1(pv_bls_fp6 *r, const pv_bls_fp6 *a, const pv_bls_fp2 *b1);
/* r = a^-1; r = 0 when a = 0. */
void pv_bls_fp6_inv(pv_bls_fp6 *r, const pv_bls_fp6 *a);

/* ---- Fp12 ---- */
void pv_bls_fp12_set_one(pv_bls_fp12 *r);
bool pv_bls_fp12_is_one(const pv_bls_fp12 *a);
bool pv_bls_fp12_eq(const pv_bls_fp12 *a, const pv_bls_fp12 *b);
/* Karatsuba over Fp6: 3 Fp6 multiplications. */
void pv_bls_fp12_mul(pv_bls_fp12 *r, const pv_bls_fp12 *a, const pv_bls_fp12 *b);
/* Complex squaring: 2 Fp6 multiplications. */
void pv_bls_fp12_sqr(pv_bls_fp12 *r, const pv_bls_fp12 *a);
/* r = a * (l0 + l1 v + l4 v w): the shape of a Miller-loop line on the M-type twist
 * (13 Fp2 multiplications instead of 18). */
void pv_bls_fp12_mul_by_014(pv_bls_fp12 *r, const pv_bls_fp12 *a, const pv_bls_fp2 *l0, const pv_bls_fp2 *l1,
                            const pv_bls_fp2 *l4);
/* r = a^-1; r = 0 when a = 0. */
void pv_bls_fp12_inv(pv_bls_fp12 *r, const pv_bls_fp12 *a);
/* r = c0 - c1 w = a^(p^6); the inverse of a in the cyclotomic subgroup. */
void pv_bls_fp12_conj(pv_bls_fp12 *r, const pv_bls_fp12 *a);
/* r = a^p, r = a^(p^2) (Frobenius maps). */
void pv_bls_fp12_frobenius(pv_bls_fp12 *r, const pv_bls_fp12 *a);
void pv_bls_fp12_frobenius2(pv_bls_fp12 *r, const pv_bls_fp12 *a);
/* r = a^2 for a in the cyclotomic subgroup (Granger-Scott: 9 Fp2 squarings). */
void pv_bls_fp12_cyclotomic_sqr(pv_bls_fp12 *r, const pv_bls_fp12 *a);
/* r = a^e for a in the cyclotomic subgroup and a public 64-bit exponent e. */
void pv_bls_fp12_cyclotomic_pow_u64(pv_bls_fp12 *r, const pv_bls_fp12 *a, uint64_t e);

#endif
