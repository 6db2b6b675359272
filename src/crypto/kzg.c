/* KZG proof verification (EIP-4844) over BLS12-381. */
#include "kzg.h"

#include <pthread.h>
#include <stdlib.h>

/*
 * [tau]G2 of the KZG ceremony's mainnet trusted setup, compressed (ZCash format): entry 1 (the
 * second point; entry 0 is the G2 generator) of "g2_monomial" in ethereum/consensus-specs
 * presets/mainnet/trusted_setups/trusted_setup_4096.json, as of consensus-specs commit
 * 39d22849d ("Updates presets to use correct trusted setup from final ceremony output") and
 * still at a08d8a6e2; identical to the second of the 65 G2 points of ethereum/c-kzg-4844
 * src/trusted_setup.txt (line 4100; commit b7e40988). Earlier consensus-specs revisions (e.g.
 * 75b1bf515) carried a different, pre-final setup whose [tau]G2 begins 0xaee6272b: the
 * EIP-4844 test vectors do not verify against it.
 * 0xb5bfd7dd8cdeb128843bc287230af38926187075cbfbefa81009a2ce615ac53d2914e5870cb452d2afaaab24f3499f72
 *   185cbfee53492714734429b7b38608e23926c911cceceac9a36851477ba4c60b087041de621000edc98edada20c1def2
 */
const uint8_t pv_kzg_tau_g2_bytes[96] = {
    0xb5, 0xbf, 0xd7, 0xdd, 0x8c, 0xde, 0xb1, 0x28, 0x84, 0x3b, 0xc2, 0x87, 0x23, 0x0a, 0xf3, 0x89,
    0x26, 0x18, 0x70, 0x75, 0xcb, 0xfb, 0xef, 0xa8, 0x10, 0x09, 0xa2, 0xce, 0x61, 0x5a, 0xc5, 0x3d,
    0x29, 0x14, 0xe5, 0x87, 0x0c, 0xb4, 0x52, 0xd2, 0xaf, 0xaa, 0xab, 0x24, 0xf3, 0x49, 0x9f, 0x72,
    0x18, 0x5c, 0xbf, 0xee, 0x53, 0x49, 0x27, 0x14, 0x73, 0x44, 0x29, 0xb7, 0xb3, 0x86, 0x08, 0xe2,
    0x39, 0x26, 0xc9, 0x11, 0xcc, 0xec, 0xea, 0xc9, 0xa3, 0x68, 0x51, 0x47, 0x7b, 0xa4, 0xc6, 0x0b,
    0x08, 0x70, 0x41, 0xde, 0x62, 0x10, 0x00, 0xed, 0xc9, 0x8e, 0xda, 0xda, 0x20, 0xc1, 0xde, 0xf2,
};

/* Decoded once: [tau]G2 and the line coefficients of [tau]G2 and -G2. */
static pv_bls_g2_affine setup_tau;
static pv_bls_g2_prepared setup_tau_prep, setup_neg_g2_prep;
static pthread_once_t setup_once = PTHREAD_ONCE_INIT;

static void setup_init(void)
{
    if (!pv_bls_g2_decode_compressed(&setup_tau, pv_kzg_tau_g2_bytes) || setup_tau.infinity ||
        !pv_bls_g2_in_subgroup(&setup_tau))
        abort(); /* a corrupted constant: never run with it */
    pv_bls_g2_prepare(&setup_tau_prep, &setup_tau);
    pv_bls_g2_affine g2;
    pv_bls_g2_generator(&g2);
    pv_bls_fp2_neg(&g2.y, &g2.y);
    pv_bls_g2_prepare(&setup_neg_g2_prep, &g2);
}

const pv_bls_g2_affine *pv_kzg_setup_tau_g2(void)
{
    pthread_once(&setup_once, setup_init);
    return &setup_tau;
}

bool pv_kzg_decode_g1(pv_bls_g1_affine *r, const uint8_t in[48])
{
    return pv_bls_g1_decode_compressed(r, in) && pv_bls_g1_in_subgroup(r);
}

bool pv_kzg_verify_proof_impl(const pv_bls_g1_affine *commitment, const uint64_t z[4], const uint64_t y[4],
                              const pv_bls_g1_affine *proof, const pv_bls_g2_prepared *tau_g2)
{
    pthread_once(&setup_once, setup_init);
    /* A = C + [r - y] G1 + [z] proof */
    uint64_t neg_y[4] = {0};
    if (!pv_limbs_is_zero(y, 4))
        pv_limbs_sub(neg_y, PV_BLS_R, y, 4);
    pv_bls_g1_affine gen;
    pv_bls_g1_generator(&gen);
    pv_bls_g1 g, pi, a, c;
    pv_bls_g1_from_affine(&g, &gen);
    pv_bls_g1_from_affine(&pi, proof);
    pv_bls_g1_mul2(&a, &g, neg_y, &pi, z);
    pv_bls_g1_from_affine(&c, commitment);
    pv_bls_g1_add(&a, &a, &c);
    pv_bls_g1_affine pts[2];
    pv_bls_g1_to_affine(&pts[0], &a);
    pts[1] = *proof;
    const pv_bls_g2_prepared *qs[2] = {&setup_neg_g2_prep, tau_g2};
    return pv_bls_pairing_check_prepared(pts, qs, 2);
}

bool pv_kzg_verify_proof(const uint8_t commitment[48], const uint8_t z[32], const uint8_t y[32],
                         const uint8_t proof[48])
{
    uint64_t zl[4], yl[4];
    pv_limbs_from_be(zl, z, 4);
    pv_limbs_from_be(yl, y, 4);
    if (pv_limbs_geq(zl, PV_BLS_R, 4) || pv_limbs_geq(yl, PV_BLS_R, 4))
        return false;
    pv_bls_g1_affine c, pi;
    if (!pv_kzg_decode_g1(&c, commitment) || !pv_kzg_decode_g1(&pi, proof))
        return false;
    pthread_once(&setup_once, setup_init);
    return pv_kzg_verify_proof_impl(&c, zl, yl, &pi, &setup_tau_prep);
}
