/*
 * The BN254 groups:
 *   G1 = E(Fp):   y^2 = x^3 + 3                  (prime order r, cofactor 1)
 *   G2 < E'(Fp2): y^2 = x^3 + 3/xi, xi = 9 + i   (the sextic D-type twist; G2 is its order-r
 *                                                 subgroup, the cofactor is 2p - r)
 * r = 0x30644e72e131a029b85045b68181585d2833e84879b9709143e1f593f0000001.
 *
 * Contract:
 *  - Affine points carry an explicit infinity flag (x, y are then ignored). Jacobian points
 *    (X, Y, Z) stand for (X/Z^2, Y/Z^3); Z = 0 is the point at infinity.
 *  - Field elements are in Montgomery form (crypto/bn254_fp.h). Group operations assume their
 *    inputs are on the curve; the precompiles check that first (..._on_curve).
 *  - Scalars are little-endian limbs, any value (not reduced by these functions).
 *  - Outputs may alias inputs. Nothing allocates; not constant time (public inputs only).
 * The G1 and G2 operations share one implementation (bn254_group_impl.h, instantiated once per
 * field): a = 0 Jacobian formulas (dbl-2009-l, add-2007-bl, madd-2007-bl of the Explicit-Formulas
 * Database) and width-5 wNAF scalar multiplication.
 */
#ifndef PV_CRYPTO_BN254_GROUP_H
#define PV_CRYPTO_BN254_GROUP_H

#include "bn254_fp.h"

typedef struct pv_bn254_g1_affine { pv_bn254_fp x, y; bool inf; } pv_bn254_g1_affine;
typedef struct pv_bn254_g1 { pv_bn254_fp x, y, z; } pv_bn254_g1;
typedef struct pv_bn254_g2_affine { pv_bn254_fp2 x, y; bool inf; } pv_bn254_g2_affine;
typedef struct pv_bn254_g2 { pv_bn254_fp2 x, y, z; } pv_bn254_g2;

/* The BN parameter u: p = 36u^4 + 36u^3 + 24u^2 + 6u + 1, r = 36u^4 + 36u^3 + 18u^2 + 6u + 1. */
#define PV_BN254_U 0x44e992b44a6909f1ULL

/* The group order r (little-endian limbs). */
extern const uint64_t pv_bn254_r[4];
/* The twist coefficient b' = 3/xi. */
extern const pv_bn254_fp2 pv_bn254_twist_b;

/* The same operations on both groups:
 *  _affine_on_curve  true when the affine point is infinity or satisfies the curve equation
 *  _to_affine        one field inversion
 *  _add, _add_affine any inputs (equal points, opposite points, infinity)
 *  _eq               same point (projective comparison; any representation of infinity)
 *  _mul              r = [k] a, k of k_limbs (<= 4) little-endian limbs, any value */
bool pv_bn254_g1_affine_on_curve(const pv_bn254_g1_affine *a);
void pv_bn254_g1_set_infinity(pv_bn254_g1 *r);
bool pv_bn254_g1_is_infinity(const pv_bn254_g1 *a);
void pv_bn254_g1_from_affine(pv_bn254_g1 *r, const pv_bn254_g1_affine *a);
void pv_bn254_g1_to_affine(pv_bn254_g1_affine *r, const pv_bn254_g1 *a);
void pv_bn254_g1_neg(pv_bn254_g1 *r, const pv_bn254_g1 *a);
void pv_bn254_g1_dbl(pv_bn254_g1 *r, const pv_bn254_g1 *a);
void pv_bn254_g1_add(pv_bn254_g1 *r, const pv_bn254_g1 *a, const pv_bn254_g1 *b);
void pv_bn254_g1_add_affine(pv_bn254_g1 *r, const pv_bn254_g1 *a, const pv_bn254_g1_affine *b);
bool pv_bn254_g1_eq(const pv_bn254_g1 *a, const pv_bn254_g1 *b);
void pv_bn254_g1_mul(pv_bn254_g1 *r, const pv_bn254_g1 *a, const uint64_t *k, int k_limbs);

bool pv_bn254_g2_affine_on_curve(const pv_bn254_g2_affine *a);
void pv_bn254_g2_set_infinity(pv_bn254_g2 *r);
bool pv_bn254_g2_is_infinity(const pv_bn254_g2 *a);
void pv_bn254_g2_from_affine(pv_bn254_g2 *r, const pv_bn254_g2_affine *a);
void pv_bn254_g2_to_affine(pv_bn254_g2_affine *r, const pv_bn254_g2 *a);
void pv_bn254_g2_neg(pv_bn254_g2 *r, const pv_bn254_g2 *a);
void pv_bn254_g2_dbl(pv_bn254_g2 *r, const pv_bn254_g2 *a);
void pv_bn254_g2_add(pv_bn254_g2 *r, const pv_bn254_g2 *a, const pv_bn254_g2 *b);
void pv_bn254_g2_add_affine(pv_bn254_g2 *r, const pv_bn254_g2 *a, const pv_bn254_g2_affine *b);
bool pv_bn254_g2_eq(const pv_bn254_g2 *a, const pv_bn254_g2 *b);
void pv_bn254_g2_mul(pv_bn254_g2 *r, const pv_bn254_g2 *a, const uint64_t *k, int k_limbs);

/* r = [k] a for a on E(Fp) and any 256-bit k (reduced mod r first: E(Fp) = G1), using the GLV
 * endomorphism (x, y) -> (beta x, y) = [lambda](x, y): two half-length wNAF multiplications
 * sharing their doublings, with affine tables (one batched inversion). */
void pv_bn254_g1_mul_glv(pv_bn254_g1 *r, const pv_bn254_g1_affine *a, const uint64_t k[4]);
/* The GLV split of k < r: k = (-1)^neg1 k1 + (-1)^neg2 k2 lambda (mod r), k1, k2 < 2^127. */
void pv_bn254_g1_glv_split(uint64_t k1[2], bool *neg1, uint64_t k2[2], bool *neg2, const uint64_t k[4]);

/* psi = twist^-1 o Frobenius o twist on E'(Fp2): (x, y) -> (conj(x) xi^((p-1)/3),
 * conj(y) xi^((p-1)/2)). On G2 it acts as multiplication by p. */
void pv_bn254_g2_psi(pv_bn254_g2 *r, const pv_bn254_g2 *a);

/* True when a point of E'(Fp2) (on the curve: check that first) lies in G2, by the criterion of
 * Dai, Lin, Zhao and Zhou (ePrint 2022/348) for BN curves with seed u:
 *   [u+1]Q + psi([u]Q) + psi^2([u]Q) == psi^3([2u]Q),
 * valid since u != 4 mod 13 and u != 92 mod 97 (one 63-bit multiplication instead of [r]Q). */
bool pv_bn254_g2_in_subgroup(const pv_bn254_g2_affine *q);

#endif
