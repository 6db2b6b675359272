/*
 * The optimal ate pairing on BN254: e: G1 x G2 -> mu_r in Fp12 (crypto/bn254_tower.h).
 *
 *   e(P, Q) = (f_{6u+2,Q}(P) * l_{T,pi(Q)}(P) * l_{T+pi(Q),-pi^2(Q)}(P))^((p^12 - 1)/r)
 *
 * Miller loop over the signed binary (NAF) digits of 6u+2 with homogeneous projective
 * coordinates on the twist and lines evaluated directly into their sparse Fp12 form (Costello,
 * Lange, Naehrig; Aranha et al.); final exponentiation = easy part (p^6 - 1)(p^2 + 1), then the
 * hard part (p^4 - p^2 + 1)/r through powers of u (Scott et al.'s addition chain) with
 * Granger-Scott cyclotomic squarings. The result is exactly e(P, Q), so
 * e(aP, bQ) = e(P, Q)^(ab) and e(P, Q) != 1 for P, Q != O.
 *
 * Contract: the points must be valid (on their curves, Q in G2); infinity is allowed and gives
 * 1. Nothing allocates: products of many pairings run in batches of PV_BN254_PAIRING_BATCH on
 * the stack. Not constant time.
 */
#ifndef PV_CRYPTO_BN254_PAIRING_H
#define PV_CRYPTO_BN254_PAIRING_H

#include "bn254_group.h"
#include "bn254_tower.h"

#define PV_BN254_PAIRING_BATCH 16

/* f = prod_i f_i(P_i, Q_i), the Miller-loop values (before final exponentiation) of n pairs;
 * any n (batched internally). */
void pv_bn254_miller_loop(pv_bn254_fp12 *f, const pv_bn254_g1_affine *P, const pv_bn254_g2_affine *Q,
                          size_t n);

/* r = f^((p^12 - 1)/r); f must be nonzero. */
void pv_bn254_final_exp(pv_bn254_fp12 *r, const pv_bn254_fp12 *f);

/* r = e(P, Q). */
void pv_bn254_pairing(pv_bn254_fp12 *r, const pv_bn254_g1_affine *P, const pv_bn254_g2_affine *Q);

/* prod_i e(P_i, Q_i) == 1 (true for n = 0), with one shared final exponentiation. */
bool pv_bn254_pairing_check(const pv_bn254_g1_affine *P, const pv_bn254_g2_affine *Q, size_t n);

#endif
