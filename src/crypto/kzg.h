/*
 * KZG proof verification for EIP-4844 (consensus-specs deneb/polynomial-commitments.md,
 * verify_kzg_proof), over BLS12-381 with the mainnet trusted setup.
 *
 * Contract: thread-safe; the setup constant is decoded and its pairing lines precomputed once, at
 * first use (pthread_once). Nothing allocates.
 */
#ifndef PV_CRYPTO_KZG_H
#define PV_CRYPTO_KZG_H

#include <stdbool.h>
#include <stdint.h>

#include "bls12_381_pairing.h"

#define PV_KZG_FIELD_ELEMENTS_PER_BLOB 4096

/* validate_kzg_g1 + bytes48_to_G1: a compressed G1 point that decodes (flags, x < p, on the curve;
 * infinity only as 0xc0 00..00) and lies in G1. False otherwise. */
bool pv_kzg_decode_g1(pv_bls_g1_affine *r, const uint8_t in[48]);

/* verify_kzg_proof with the mainnet setup: false when z or y is not canonical (>= r), when the
 * commitment or proof is not a valid G1 encoding, or when the proof is wrong. */
bool pv_kzg_verify_proof(const uint8_t commitment[48], const uint8_t z[32], const uint8_t y[32],
                         const uint8_t proof[48]);

/* verify_kzg_proof_impl for any setup, given as its prepared [tau]G2: checks
 *   e(C - [y]G1, G2) == e(proof, [tau]G2 - [z]G2)
 * evaluated as the equivalent two-pairing product (bilinearity moves [z] to G1)
 *   e(C - [y]G1 + [z]proof, -G2) * e(proof, [tau]G2) == 1.
 * commitment and proof are G1 points (in the subgroup); z and y are canonical scalars (< r) as
 * 4 little-endian limbs. */
bool pv_kzg_verify_proof_impl(const pv_bls_g1_affine *commitment, const uint64_t z[4], const uint64_t y[4],
                              const pv_bls_g1_affine *proof, const pv_bls_g2_prepared *tau_g2);

/* The mainnet setup's [tau]G2 (g2_monomial[1]), decoded; the compressed bytes in tau_g2_bytes. */
const pv_bls_g2_affine *pv_kzg_setup_tau_g2(void);
extern const uint8_t pv_kzg_tau_g2_bytes[96];

#endif
