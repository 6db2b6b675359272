/*
 * BLS12-381 groups.
 *   E  : y^2 = x^3 + 4           over Fp   (G1 = its order-r subgroup)
 *   E' : y^2 = x^3 + 4 (1 + u)   over Fp2  (M-type sextic twist; G2 = its order-r subgroup)
 *
 * Representation: pv_bls_g1 / pv_bls_g2 are Jacobian (x = X/Z^2, y = Y/Z^3; Z = 0 is the point at
 * infinity); the _affine types carry an explicit infinity flag (x, y are then ignored).
 *
 * Contract (all functions): inputs are points on their curve (as produced by these functions or
 * by a successful decode / pv_bls_g?_affine_on_curve check) unless stated otherwise; they need not
 * be in the subgroup, and the arithmetic is correct on the whole curve, including the
 * exceptional cases (doubling through add, P + (-P), infinity). Outputs may alias inputs. Nothing
 * allocates. Not constant time. Scalars are 256-bit unsigned integers as 4 little-endian limbs
 * (any value, not reduced mod r: EIP-2537 passes raw 32-byte scalars).
 *
 * Encodings: the ZCash BLS12-381 serialization (compressed: 48 / 96 bytes, big-endian x with
 * the three flag bits C = 0x80, I = 0x40, S = 0x20 in the first byte; for G2, x = x.c1 || x.c0).
 * Decoding does NOT check subgroup membership: call pv_bls_g?_in_subgroup.
 */
#ifndef PV_CRYPTO_BLS12_381_GROUP_H
#define PV_CRYPTO_BLS12_381_GROUP_H

#include "bls12_381_fp.h"

typedef struct { pv_bls_fp x, y; bool infinity; } pv_bls_g1_affine;
typedef struct { pv_bls_fp x, y, z; } pv_bls_g1;
typedef struct { pv_bls_fp2 x, y; bool infinity; } pv_bls_g2_affine;
typedef struct { pv_bls_fp2 x, y, z; } pv_bls_g2;

/* |x| for the curve parameter x = -0xd201000000010000. */
#define PV_BLS_X_ABS 0xd201000000010000ULL

/* ---- G1 ---- */
/* The standard generator (draft-irtf-cfrg-pairing-friendly-curves, BLS12-381 G1 base point). */
void pv_bls_g1_generator(pv_bls_g1_affine *r);
void pv_bls_g1_set_infinity(pv_bls_g1 *r);
bool pv_bls_g1_is_infinity(const pv_bls_g1 *a);
void pv_bls_g1_from_affine(pv_bls_g1 *r, const pv_bls_g1_affine *a);
/* One field inversion. */
void pv_bls_g1_to_affine(pv_bls_g1_affine *r, const pv_bls_g1 *a);
/* True for the point at infinity and for (x, y) with y^2 = x^3 + 4. Any field values allowed. */
bool pv_bls_g1_affine_on_curve(const pv_bls_g1_affine *a);
bool pv_bls_g1_eq(const pv_bls_g1 *a, const pv_bls_g1 *b);
void pv_bls_g1_neg(pv_bls_g1 *r, const pv_bls_g1 *a);
void pv_bls_g1_dbl(pv_bls_g1 *r, const pv_bls_g1 *a);
void pv_bls_g1_add(pv_bls_g1 *r, const pv_bls_g1 *a, const pv_bls_g1 *b);
void pv_bls_g1_add_affine(pv_bls_g1 *r, const pv_bls_g1 *a, const pv_bls_g1_affine *b);
/* r = [k]a (4-bit fixed window). */
void pv_bls_g1_mul(pv_bls_g1 *r, const pv_bls_g1 *a, const uint64_t k[4]);
/* r = [k1]a1 + [k2]a2 with shared doublings (Straus, 4-bit windows). */
void pv_bls_g1_mul2(pv_bls_g1 *r, const pv_bls_g1 *a1, const uint64_t k1[4], const pv_bls_g1 *a2,
                    const uint64_t k2[4]);
/* r = [e]a for a 64-bit e. */
void pv_bls_g1_mul_u64(pv_bls_g1 *r, const pv_bls_g1 *a, uint64_t e);
/* phi(x, y) = (beta x, y), beta the cube root of unity for which phi = [-x^2] on G1. */
void pv_bls_g1_phi(pv_bls_g1 *r, const pv_bls_g1 *a);
/* Membership of a curve point in G1: phi(P) == [-x^2] P (Scott, ePrint 2021/1130, section 4;
 * the test EIP-2537 specifies). Infinity is in G1. */
bool pv_bls_g1_in_subgroup(const pv_bls_g1_affine *a);
/* 48-byte compressed encoding -> curve point (C flag set; infinity only as 0xc0 00..00; x < p;
 * x^3 + 4 a square). False on any violation. No subgroup check. */
bool pv_bls_g1_decode_compressed(pv_bls_g1_affine *r, const uint8_t in[48]);
void pv_bls_g1_encode_compressed(uint8_t out[48], const pv_bls_g1_affine *a);

/* ---- G2 ---- */
void pv_bls_g2_generator(pv_bls_g2_affine *r);
void pv_bls_g2_set_infinity(pv_bls_g2 *r);
bool pv_bls_g2_is_infinity(const pv_bls_g2 *a);
void pv_bls_g2_from_affine(pv_bls_g2 *r, const pv_bls_g2_affine *a);
void pv_bls_g2_to_affine(pv_bls_g2_affine *r, const pv_bls_g2 *a);
bool pv_bls_g2_affine_on_curve(const pv_bls_g2_affine *a);
bool pv_bls_g2_eq(const pv_bls_g2 *a, const pv_bls_g2 *b);
void pv_bls_g2_neg(pv_bls_g2 *r, const pv_bls_g2 *a);
void pv_bls_g2_dbl(pv_bls_g2 *r, const pv_bls_g2 *a);
void pv_bls_g2_add(pv_bls_g2 *r, const pv_bls_g2 *a, const pv_bls_g2 *b);
void pv_bls_g2_add_affine(pv_bls_g2 *r, const pv_bls_g2 *a, const pv_bls_g2_affine *b);
void pv_bls_g2_mul(pv_bls_g2 *r, const pv_bls_g2 *a, const uint64_t k[4]);
void pv_bls_g2_mul2(pv_bls_g2 *r, const pv_bls_g2 *a1, const uint64_t k1[4], const pv_bls_g2 *a2,
                    const uint64_t k2[4]);
void pv_bls_g2_mul_u64(pv_bls_g2 *r, const pv_bls_g2 *a, uint64_t e);
/* psi = untwist-Frobenius-twist: psi(x, y) = (conj(x) xi^-((p-1)/3), conj(y) xi^-((p-1)/2)). */
void pv_bls_g2_psi(pv_bls_g2 *r, const pv_bls_g2 *a);
/* Membership of a twist point in G2: psi(Q) == [x] Q (Scott, ePrint 2021/1130, section 4).
 * Infinity is in G2. */
bool pv_bls_g2_in_subgroup(const pv_bls_g2_affine *a);
bool pv_bls_g2_decode_compressed(pv_bls_g2_affine *r, const uint8_t in[96]);
void pv_bls_g2_encode_compressed(uint8_t out[96], const pv_bls_g2_affine *a);

#endif
