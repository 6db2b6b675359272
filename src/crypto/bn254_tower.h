/*
 * The BN254 extension tower above Fp2 (crypto/bn254_fp.h), target group of the pairing:
 *   Fp6  = Fp2[v] / (v^3 - xi),  xi = 9 + i
 *   Fp12 = Fp6[w] / (w^2 - v)    (so w^6 = xi)
 *
 * Contract: elements are fully reduced tower coordinates in Montgomery form; outputs may alias
 * inputs; nothing allocates; not constant time. In the w-power basis an Fp12 element is
 *   c0.c0 + c1.c0 w + c0.c1 w^2 + c1.c1 w^3 + c0.c2 w^4 + c1.c2 w^5.
 * Functions named "cyclotomic" require their input to lie in the cyclotomic subgroup (order
 * p^4 - p^2 + 1; every value after the easy part of the final exponentiation is there), where
 * the inverse is the conjugate.
 */
#ifndef PV_CRYPTO_BN254_TOWER_H
#define PV_CRYPTO_BN254_TOWER_H

#include "bn254_fp.h"

typedef struct pv_bn254_fp6 { pv_bn254_fp2 c0, c1, c2; } pv_bn254_fp6;
typedef struct pv_bn254_fp12 { pv_bn254_fp6 c0, c1; } pv_bn254_fp12;

/* Frobenius coefficients gamma_j = xi^(j(p-1)/6), j = 1..5 (index 0 unused): w^p = gamma_1 w. */
extern const pv_bn254_fp2 pv_bn254_frob_gamma[6];

void pv_bn254_fp6_add(pv_bn254_fp6 *r, const pv_bn254_fp6 *a, const pv_bn254_fp6 *b);
void pv_bn254_fp6_sub(pv_bn254_fp6 *r, const pv_bn254_fp6 *a, const pv_bn254_fp6 *b);
void pv_bn254_fp6_neg(pv_bn254_fp6 *r, const pv_bn254_fp6 *a);
void pv_bn254_fp6_mul(pv_bn254_fp6 *r, const pv_bn254_fp6 *a, const pv_bn254_fp6 *b);
void pv_bn254_fp6_sqr(pv_bn254_fp6 *r, const pv_bn254_fp6 *a);
/* r = a * v. */
void pv_bn254_fp6_mul_by_v(pv_bn254_fp6 *r, const pv_bn254_fp6 *a);
/* r = a * (b0 + b1 v): 5 Fp2 multiplications. */
void pv_bn254_fp6_mul_by_01(pv_bn254_fp6 *r, const pv_bn254_fp6 *a, const pv_bn254_fp2 *b0,
                            const pv_bn254_fp2 *b1);
void pv_bn254_fp6_inv(pv_bn254_fp6 *r, const pv_bn254_fp6 *a);

void pv_bn254_fp12_set_one(pv_bn254_fp12 *r);
bool pv_bn254_fp12_is_one(const pv_bn254_fp12 *a);
bool pv_bn254_fp12_eq(const pv_bn254_fp12 *a, const pv_bn254_fp12 *b);
void pv_bn254_fp12_mul(pv_bn254_fp12 *r, const pv_bn254_fp12 *a, const pv_bn254_fp12 *b);
void pv_bn254_fp12_sqr(pv_bn254_fp12 *r, const pv_bn254_fp12 *a);
/* r = a * (l0 + l1 w + l3 w^3), the shape of a Miller-loop line: 13 Fp2 multiplications. */
void pv_bn254_fp12_mul_by_013(pv_bn254_fp12 *r, const pv_bn254_fp12 *a, const pv_bn254_fp2 *l0,
                              const pv_bn254_fp2 *l1, const pv_bn254_fp2 *l3);
/* r = a^(p^6) (w -> -w): the inverse in the cyclotomic subgroup. */
void pv_bn254_fp12_conj(pv_bn254_fp12 *r, const pv_bn254_fp12 *a);
void pv_bn254_fp12_inv(pv_bn254_fp12 *r, const pv_bn254_fp12 *a);
/* r = a^p. */
void pv_bn254_fp12_frobenius(pv_bn254_fp12 *r, const pv_bn254_fp12 *a);
/* r = a^2 for a in the cyclotomic subgroup (Granger-Scott: 9 Fp2 squarings). */
void pv_bn254_fp12_cyclotomic_sqr(pv_bn254_fp12 *r, const pv_bn254_fp12 *a);
/* r = a^e for a in the cyclotomic subgroup, e = sum digits[i] 2^(n_digits - 1 - i) (most
 * significant first), each digit 0 or odd with |digit| <= 15 (a signed-window form). */
void pv_bn254_fp12_cyclotomic_pow(pv_bn254_fp12 *r, const pv_bn254_fp12 *a, const int8_t *digits,
                                  int n_digits);
/* r = a^e, e a little-endian exponent of e_limbs limbs (any a; slow, for tests and checks). */
void pv_bn254_fp12_pow(pv_bn254_fp12 *r, const pv_bn254_fp12 *a, const uint64_t *e, int e_limbs);

#endif
