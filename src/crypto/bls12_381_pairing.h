/*
 * The optimal ate pairing on BLS12-381, e: G1 x G2 -> GT (the order-r subgroup of Fp12*).
 *
 * Miller loop over |x| = 0xd201000000010000 with the line functions of the M-type twist
 * (sparse "014" Fp12 multiplication), conjugated at the end because x is negative. The final
 * exponentiation is the easy part (p^6 - 1)(p^2 + 1) followed by the hard part of Hayashida,
 * Hayasaka and Teruya (ePrint 2020/875): 3 (p^4 - p^2 + 1) / r =
 * (x - 1)^2 (x + p)(x^2 + p^2 - 1) + 3. The value computed is therefore e(P, Q)^3 for the
 * conventional e: a fixed power coprime to r, so it is bilinear, non-degenerate, and
 * "product == 1" checks are unaffected.
 *
 * Contract: points are on their curves (G1 on E, G2 on E'); callers that need a meaningful pairing
 * check subgroup membership first (bls12_381_group.h). A pair with a point at infinity on either
 * side contributes 1. Nothing allocates; outputs may alias inputs.
 */
#ifndef PV_CRYPTO_BLS12_381_PAIRING_H
#define PV_CRYPTO_BLS12_381_PAIRING_H

#include <stddef.h>

#include "bls12_381_group.h"
#include "bls12_381_tower.h"

/* Lines of one Miller loop: one per doubling (63) and per addition (5, the set bits of |x| below
 * the top one). */
#define PV_BLS_MILLER_LINES 68

/* A G2 point's line coefficients, precomputed once for a point used in many pairings (a fixed
 * generator, a trusted-setup point). */
typedef struct {
    pv_bls_fp2 line[PV_BLS_MILLER_LINES][3];
    bool infinity;
} pv_bls_g2_prepared;

void pv_bls_g2_prepare(pv_bls_g2_prepared *r, const pv_bls_g2_affine *q);

/* f = prod_i miller(p[i], q[i]) (before the final exponentiation); f = 1 for n = 0. */
void pv_bls_miller_loop(pv_bls_fp12 *f, const pv_bls_g1_affine *p, const pv_bls_g2_affine *q, size_t n);
/* The same with prepared G2 points (q[i] points to the preparation of the i-th G2 point). */
void pv_bls_miller_loop_prepared(pv_bls_fp12 *f, const pv_bls_g1_affine *p, const pv_bls_g2_prepared *const *q,
                                 size_t n);
/* r = f^(3 (p^12 - 1) / r); f must be non-zero (every Miller loop output is). */
void pv_bls_final_exponentiation(pv_bls_fp12 *r, const pv_bls_fp12 *f);
/* r = e(p, q) (as specified above). */
void pv_bls_pairing(pv_bls_fp12 *r, const pv_bls_g1_affine *p, const pv_bls_g2_affine *q);
/* prod_i e(p[i], q[i]) == 1, with one shared final exponentiation (true for n = 0). */
bool pv_bls_pairing_check(const pv_bls_g1_affine *p, const pv_bls_g2_affine *q, size_t n);
bool pv_bls_pairing_check_prepared(const pv_bls_g1_affine *p, const pv_bls_g2_prepared *const *q, size_t n);

#endif
