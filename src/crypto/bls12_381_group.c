/* BLS12-381 G1 and G2: Jacobian arithmetic (bls12_381_curve_impl.h, instantiated for Fp and Fp2),
 * endomorphisms, subgroup checks and the ZCash compressed encoding. Constants are in Montgomery
 * form (scripts/bls12_381_constants.py); the unit tests check the properties that define them. */
#include "bls12_381_group.h"

#include <string.h>

#define FP(a, b, c, d, e, f) {{a##ULL, b##ULL, c##ULL, d##ULL, e##ULL, f##ULL}}

/* b = 4 on E, b' = 4 (1 + u) on E'. */
static const pv_bls_fp B_G1 = FP(0xaa270000000cfff3, 0x53cc0032fc34000a, 0x478fe97a6b0a807f, 0xb1d37ebee6ba24d7,
                                 0x8ec9733bbf78ab2f, 0x09d645513d83de7e);
static const pv_bls_fp2 B_G2 = {FP(0xaa270000000cfff3, 0x53cc0032fc34000a, 0x478fe97a6b0a807f, 0xb1d37ebee6ba24d7,
                                   0x8ec9733bbf78ab2f, 0x09d645513d83de7e),
                                FP(0xaa270000000cfff3, 0x53cc0032fc34000a, 0x478fe97a6b0a807f, 0xb1d37ebee6ba24d7,
                                   0x8ec9733bbf78ab2f, 0x09d645513d83de7e)};
static const pv_bls_fp2 FP2_ONE = {FP(0x760900000002fffd, 0xebf4000bc40c0002, 0x5f48985753c758ba, 0x77ce585370525745,
                                      0x5c071a97a256ec6d, 0x15f65ec3fa80e493),
                                   FP(0, 0, 0, 0, 0, 0)};

/* beta = 0x5f19672fdf76ce51ba69c6076a0f77eaddb3a93be6f89688de17d813620a00022e01fffffffefffe, a
 * primitive cube root of unity in Fp with phi = [-x^2] on G1 (EIP-2537's fast_subgroup_checks). */
static const pv_bls_fp BETA = FP(0x30f1361b798a64e8, 0xf3b8ddab7ece5a2a, 0x16a8ca3ac61577f7, 0xc26a2ff874fd029b,
                                 0x3636b76660701c6e, 0x051ba4ab241b6160);
/* psi coefficients: xi^-((p-1)/3) and xi^-((p-1)/2). */
static const pv_bls_fp2 PSI_X = {FP(0, 0, 0, 0, 0, 0),
                                 FP(0x890dc9e4867545c3, 0x2af322533285a5d5, 0x50880866309b7e2c, 0xa20d1b8c7e881024,
                                    0x14e4f04fe2db9068, 0x14e56d3f1564853a)};
static const pv_bls_fp2 PSI_Y = {FP(0x3e2f585da55c9ad1, 0x4294213d86c18183, 0x382844c88b623732, 0x92ad2afd19103e18,
                                    0x1d794e4fac7cf0b9, 0x0bd592fc7d825ec8),
                                 FP(0x7bcfa7a25aa30fda, 0xdc17dec12a927e7c, 0x2f088dd86b4ebef1, 0xd1ca2087da74d4a7,
                                    0x2da2596696cebc1d, 0x0e2b7eedbbfd87d2)};

/* Generators (draft-irtf-cfrg-pairing-friendly-curves-11, section 4.2.1, BLS12_381):
 * G1 x = 0x17f1d3a73197d7942695638c4fa9ac0fc3688c4f9774b905a14e3a3f171bac586c55e83ff97a1aeffb3af00adb22c6bb
 *    y = 0x08b3f481e3aaa0f1a09e30ed741d8ae4fcf5e095d5d00af600db18cb2c04b3edd03cc744a2888ae40caa232946c5e7e1
 * G2 x = 0x024aa2b2f08f0a91260805272dc51051c6e47ad4fa403b02b4510b647ae3d1770bac0326a805bbefd48056c8c121bdb8
 *      + 0x13e02b6052719f607dacd3a088274f65596bd0d09920b61ab5da61bbdc7f5049334cf11213945d57e5ac7d055d042b7e u
 *    y = 0x0ce5d527727d6e118cc9cdc6da2e351aadfd9baa8cbdd3a76d429a695160d12c923ac9cc3baca289e193548608b82801
 *      + 0x0606c4a02ea734cc32acd2b02bc28b99cb3e287e85a763af267492ab572e99ab3f370d275cec1da1aaa9075ff05f79be u */
static const pv_bls_g1_affine G1_GEN = {
    FP(0x5cb38790fd530c16, 0x7817fc679976fff5, 0x154f95c7143ba1c1, 0xf0ae6acdf3d0e747, 0xedce6ecc21dbf440, 0x120177419e0bfb75),
    FP(0xbaac93d50ce72271, 0x8c22631a7918fd8e, 0xdd595f13570725ce, 0x51ac582950405194, 0x0e1c8c3fad0059c0, 0x0bbc3efc5008a26a),
    false};
static const pv_bls_g2_affine G2_GEN = {
    {FP(0xf5f28fa202940a10, 0xb3f5fb2687b4961a, 0xa1a893b53e2ae580, 0x9894999d1a3caee9, 0x6f67b7631863366b, 0x058191924350bcd7),
     FP(0xa5a9c0759e23f606, 0xaaa0c59dbccd60c3, 0x3bb17e18e2867806, 0x1b1ab6cc8541b367, 0xc2b6ed0ef2158547, 0x11922a097360edf3)},
    {FP(0x4c730af860494c4a, 0x597cfa1f5e369c5a, 0xe7e6856caa0a635a, 0xbbefb5e96e0d495f, 0x07d3a975f0ef25a2, 0x0083fd8e7e80dae5),
     FP(0xadc0fc92df64b05d, 0x18aa270a2b1461dc, 0x86adac6a3be4eba0, 0x79495c4ec93da33a, 0xe7175850a43ccaed, 0x0b2bc2a163de1bf2)},
    false};

/* ---- G1 instance ---- */
#define PT pv_bls_g1
#define AFF pv_bls_g1_affine
#define FE pv_bls_fp
#define F(op) pv_bls_fp_##op
#define G(name) pv_bls_g1_##name
#define CURVE_B (&B_G1)
#define FE_ONE (&PV_BLS_FP_ONE)
#include "bls12_381_curve_impl.h"
#undef PT
#undef AFF
#undef FE
#undef F
#undef G
#undef CURVE_B
#undef FE_ONE

/* ---- G2 instance ---- */
#define PT pv_bls_g2
#define AFF pv_bls_g2_affine
#define FE pv_bls_fp2
#define F(op) pv_bls_fp2_##op
#define G(name) pv_bls_g2_##name
#define CURVE_B (&B_G2)
#define FE_ONE (&FP2_ONE)
#include "bls12_381_curve_impl.h"
#undef PT
#undef AFF
#undef FE
#undef F
#undef G
#undef CURVE_B
#undef FE_ONE

void pv_bls_g1_generator(pv_bls_g1_affine *r) { *r = G1_GEN; }
void pv_bls_g2_generator(pv_bls_g2_affine *r) { *r = G2_GEN; }

void pv_bls_g1_phi(pv_bls_g1 *r, const pv_bls_g1 *a)
{
    /* (X, Y, Z) -> (beta X, Y, Z): x = X / Z^2 scales by beta */
    pv_bls_fp_mul(&r->x, &a->x, &BETA);
    r->y = a->y;
    r->z = a->z;
}

bool pv_bls_g1_in_subgroup(const pv_bls_g1_affine *a)
{
    if (a->infinity)
        return true;
    pv_bls_g1 p, q, phi;
    pv_bls_g1_from_affine(&p, a);
    /* [x^2] P = [|x|]([|x|] P) */
    pv_bls_g1_mul_u64(&q, &p, PV_BLS_X_ABS);
    pv_bls_g1_mul_u64(&q, &q, PV_BLS_X_ABS);
    pv_bls_g1_phi(&phi, &p);
    pv_bls_g1_neg(&phi, &phi);
    return pv_bls_g1_eq(&q, &phi);
}

void pv_bls_g2_psi(pv_bls_g2 *r, const pv_bls_g2 *a)
{
    /* affine (conj(x) cx, conj(y) cy) is Jacobian (conj(X) cx, conj(Y) cy, conj(Z)) */
    pv_bls_fp2 t;
    pv_bls_fp2_conj(&t, &a->x);
    pv_bls_fp2_mul(&r->x, &t, &PSI_X);
    pv_bls_fp2_conj(&t, &a->y);
    pv_bls_fp2_mul(&r->y, &t, &PSI_Y);
    pv_bls_fp2_conj(&r->z, &a->z);
}

bool pv_bls_g2_in_subgroup(const pv_bls_g2_affine *a)
{
    if (a->infinity)
        return true;
    pv_bls_g2 p, q, psi;
    pv_bls_g2_from_affine(&p, a);
    /* [x] Q = -[|x|] Q, x being negative */
    pv_bls_g2_mul_u64(&q, &p, PV_BLS_X_ABS);
    pv_bls_g2_neg(&q, &q);
    pv_bls_g2_psi(&psi, &p);
    return pv_bls_g2_eq(&q, &psi);
}

/* ---- ZCash compressed encoding ---- */

#define FLAG_C 0x80
#define FLAG_I 0x40
#define FLAG_S 0x20

/* Checks the infinity encoding: only the C and I flags, every other bit zero. */
static bool canonical_infinity(const uint8_t *in, size_t n)
{
    if (in[0] != (FLAG_C | FLAG_I))
        return false;
    for (size_t i = 1; i < n; i++)
        if (in[i])
            return false;
    return true;
}

bool pv_bls_g1_decode_compressed(pv_bls_g1_affine *r, const uint8_t in[48])
{
    if (!(in[0] & FLAG_C))
        return false;
    if (in[0] & FLAG_I) {
        if (!canonical_infinity(in, 48))
            return false;
        memset(r, 0, sizeof *r);
        r->infinity = true;
        return true;
    }
    uint8_t buf[48];
    memcpy(buf, in, 48);
    buf[0] &= 0x1f;
    pv_bls_g1_affine p;
    if (!pv_bls_fp_from_bytes(&p.x, buf))
        return false;
    pv_bls_fp rhs;
    pv_bls_fp_sqr(&rhs, &p.x);
    pv_bls_fp_mul(&rhs, &rhs, &p.x);
    pv_bls_fp_add(&rhs, &rhs, &B_G1);
    if (!pv_bls_fp_sqrt(&p.y, &rhs))
        return false;
    if (pv_bls_fp_is_lex_largest(&p.y) != ((in[0] & FLAG_S) != 0))
        pv_bls_fp_neg(&p.y, &p.y);
    p.infinity = false;
    *r = p;
    return true;
}

void pv_bls_g1_encode_compressed(uint8_t out[48], const pv_bls_g1_affine *a)
{
    if (a->infinity) {
        memset(out, 0, 48);
        out[0] = FLAG_C | FLAG_I;
        return;
    }
    pv_bls_fp_to_bytes(out, &a->x);
    out[0] |= FLAG_C | (pv_bls_fp_is_lex_largest(&a->y) ? FLAG_S : 0);
}

bool pv_bls_g2_decode_compressed(pv_bls_g2_affine *r, const uint8_t in[96])
{
    if (!(in[0] & FLAG_C))
        return false;
    if (in[0] & FLAG_I) {
        if (!canonical_infinity(in, 96))
            return false;
        memset(r, 0, sizeof *r);
        r->infinity = true;
        return true;
    }
    uint8_t buf[48];
    memcpy(buf, in, 48);
    buf[0] &= 0x1f;
    pv_bls_g2_affine p;
    if (!pv_bls_fp_from_bytes(&p.x.c1, buf) || !pv_bls_fp_from_bytes(&p.x.c0, in + 48))
        return false;
    pv_bls_fp2 rhs;
    pv_bls_fp2_sqr(&rhs, &p.x);
    pv_bls_fp2_mul(&rhs, &rhs, &p.x);
    pv_bls_fp2_add(&rhs, &rhs, &B_G2);
    if (!pv_bls_fp2_sqrt(&p.y, &rhs))
        return false;
    if (pv_bls_fp2_is_lex_largest(&p.y) != ((in[0] & FLAG_S) != 0))
        pv_bls_fp2_neg(&p.y, &p.y);
    p.infinity = false;
    *r = p;
    return true;
}

void pv_bls_g2_encode_compressed(uint8_t out[96], const pv_bls_g2_affine *a)
{
    if (a->infinity) {
        memset(out, 0, 96);
        out[0] = FLAG_C | FLAG_I;
        return;
    }
    pv_bls_fp_to_bytes(out, &a->x.c1);
    pv_bls_fp_to_bytes(out + 48, &a->x.c0);
    out[0] |= FLAG_C | (pv_bls_fp2_is_lex_largest(&a->y) ? FLAG_S : 0);
}
