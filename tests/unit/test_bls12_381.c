/* BLS12-381 fields, tower, groups and pairing: GMP as the oracle for Fp/Fr, algebraic identities
 * for the extensions, known generator values, subgroup checks against [r]P, pairing bilinearity. */
#include "test.h"

#include <gmp.h>
#include <string.h>

#include "crypto/bls12_381_pairing.h"
#include "util/hex.h"

static uint64_t rng = 0x9e3779b97f4a7c15ULL;
static uint64_t rnd(void) { return test_xorshift(&rng); }

static mpz_t P, R;

static void fp_to_mpz(mpz_t r, const pv_bls_fp *a)
{
    uint8_t b[48];
    pv_bls_fp_to_bytes(b, a);
    mpz_import(r, 48, 1, 1, 0, 0, b);
}

static void mpz_to_be(uint8_t *out, size_t n, const mpz_t v)
{
    memset(out, 0, n);
    size_t count = (mpz_sizeinbase(v, 2) + 7) / 8;
    if (mpz_sgn(v))
        mpz_export(out + n - count, NULL, 1, 1, 0, 0, v);
}

static void mpz_to_fp(pv_bls_fp *r, const mpz_t v)
{
    uint8_t b[48];
    mpz_to_be(b, 48, v);
    if (!pv_bls_fp_from_bytes(r, b))
        abort();
}

static void rand_mpz(mpz_t r, const mpz_t mod)
{
    /* Mostly uniform, sometimes edge values. */
    uint64_t k = rnd() % 16;
    if (k == 0) {
        mpz_set_ui(r, rnd() % 3);
        return;
    }
    if (k == 1) {
        mpz_sub_ui(r, mod, 1 + rnd() % 3);
        return;
    }
    uint8_t b[64];
    for (int i = 0; i < 64; i++)
        b[i] = (uint8_t)rnd();
    mpz_import(r, 64, 1, 1, 0, 0, b);
    mpz_mod(r, r, mod);
}

static void rand_fp(pv_bls_fp *a)
{
    mpz_t v;
    mpz_init(v);
    rand_mpz(v, P);
    mpz_to_fp(a, v);
    mpz_clear(v);
}

static void rand_fp2(pv_bls_fp2 *a)
{
    rand_fp(&a->c0);
    rand_fp(&a->c1);
}

static void rand_fp12(pv_bls_fp12 *a)
{
    pv_bls_fp2 *c[6] = {&a->c0.c0, &a->c0.c1, &a->c0.c2, &a->c1.c0, &a->c1.c1, &a->c1.c2};
    for (int i = 0; i < 6; i++)
        rand_fp2(c[i]);
}

static void rand_scalar(uint64_t k[4])
{
    mpz_t v;
    mpz_init(v);
    rand_mpz(v, R);
    uint8_t b[32];
    mpz_to_be(b, 32, v);
    pv_limbs_from_be(k, b, 4);
    mpz_clear(v);
}

static void hex_to(uint8_t *out, size_t n, const char *hex)
{
    if (!pv_hex_decode_fixed(hex, strlen(hex), out, n))
        abort();
}

static void fp_from_hex(pv_bls_fp *r, const char *hex)
{
    uint8_t b[48];
    hex_to(b, 48, hex);
    if (!pv_bls_fp_from_bytes(r, b))
        abort();
}

/* ---------------- Fp ---------------- */

static void test_fp(void)
{
    mpz_t a, b, c, d;
    mpz_inits(a, b, c, d, NULL);
    int bad_mul = 0, bad_add = 0, bad_sub = 0, bad_sqr = 0, bad_neg = 0, bad_inv = 0, bad_sqrt = 0, bad_half = 0,
        bad_lex = 0, squares = 0;
    mpz_t half;
    mpz_init(half);
    mpz_sub_ui(half, P, 1);
    mpz_fdiv_q_2exp(half, half, 1);
    for (int i = 0; i < 5000; i++) {
        pv_bls_fp x, y, z;
        rand_mpz(a, P);
        rand_mpz(b, P);
        mpz_to_fp(&x, a);
        mpz_to_fp(&y, b);

        pv_bls_fp_mul(&z, &x, &y);
        fp_to_mpz(c, &z);
        mpz_mul(d, a, b);
        mpz_mod(d, d, P);
        bad_mul += mpz_cmp(c, d) != 0;

        pv_bls_fp_sqr(&z, &x);
        fp_to_mpz(c, &z);
        mpz_mul(d, a, a);
        mpz_mod(d, d, P);
        bad_sqr += mpz_cmp(c, d) != 0;

        pv_bls_fp_add(&z, &x, &y);
        fp_to_mpz(c, &z);
        mpz_add(d, a, b);
        mpz_mod(d, d, P);
        bad_add += mpz_cmp(c, d) != 0;

        pv_bls_fp_sub(&z, &x, &y);
        fp_to_mpz(c, &z);
        mpz_sub(d, a, b);
        mpz_mod(d, d, P);
        bad_sub += mpz_cmp(c, d) != 0;

        pv_bls_fp_neg(&z, &x);
        fp_to_mpz(c, &z);
        mpz_neg(d, a);
        mpz_mod(d, d, P);
        bad_neg += mpz_cmp(c, d) != 0;

        pv_bls_fp_half(&z, &x);
        pv_bls_fp_dbl(&z, &z);
        bad_half += !pv_bls_fp_eq(&z, &x);

        bad_lex += pv_bls_fp_is_lex_largest(&x) != (mpz_cmp(a, half) > 0);

        if (i % 4 == 0) {
            pv_bls_fp_inv(&z, &x);
            fp_to_mpz(c, &z);
            if (mpz_sgn(a) == 0)
                bad_inv += mpz_sgn(c) != 0;
            else {
                mpz_invert(d, a, P);
                bad_inv += mpz_cmp(c, d) != 0;
            }
            bool ok = pv_bls_fp_sqrt(&z, &x);
            bool is_sq = mpz_sgn(a) == 0 || mpz_legendre(a, P) == 1;
            squares += is_sq;
            if (ok != is_sq) {
                bad_sqrt++;
            } else if (ok) {
                fp_to_mpz(c, &z);
                mpz_mul(d, c, c);
                mpz_mod(d, d, P);
                bad_sqrt += mpz_cmp(d, a) != 0;
            }
        }
    }
    CHECK(bad_mul == 0, "fp mul %d", bad_mul);
    CHECK(bad_sqr == 0, "fp sqr %d", bad_sqr);
    CHECK(bad_add == 0, "fp add %d", bad_add);
    CHECK(bad_sub == 0, "fp sub %d", bad_sub);
    CHECK(bad_neg == 0, "fp neg %d", bad_neg);
    CHECK(bad_inv == 0, "fp inv %d", bad_inv);
    CHECK(bad_sqrt == 0 && squares > 400 && squares < 850, "fp sqrt %d (squares %d)", bad_sqrt, squares);
    CHECK(bad_half == 0, "fp half %d", bad_half);
    CHECK(bad_lex == 0, "fp lex %d", bad_lex);

    /* Encoding bounds: p - 1 accepted, p and above rejected; round trip. */
    uint8_t bytes[48], back[48];
    pv_bls_fp x;
    mpz_sub_ui(a, P, 1);
    mpz_to_be(bytes, 48, a);
    CHECK(pv_bls_fp_from_bytes(&x, bytes), "p-1 accepted");
    pv_bls_fp_to_bytes(back, &x);
    CHECK(memcmp(bytes, back, 48) == 0, "p-1 round trip");
    mpz_to_be(bytes, 48, P);
    CHECK(!pv_bls_fp_from_bytes(&x, bytes), "p rejected");
    memset(bytes, 0xff, 48);
    CHECK(!pv_bls_fp_from_bytes(&x, bytes), "2^384-1 rejected");
    pv_bls_fp one;
    pv_bls_fp_from_u64(&one, 1);
    CHECK(pv_bls_fp_eq(&one, &PV_BLS_FP_ONE), "one");
    mpz_clears(a, b, c, d, half, NULL);
}

/* ---------------- Fr ---------------- */

static void test_fr(void)
{
    mpz_t a, b, c, d;
    mpz_inits(a, b, c, d, NULL);
    int bad = 0;
    for (int i = 0; i < 2000; i++) {
        rand_mpz(a, R);
        rand_mpz(b, R);
        uint8_t ab[32], bb[32], out[32];
        mpz_to_be(ab, 32, a);
        mpz_to_be(bb, 32, b);
        pv_bls_fr x, y, z;
        if (!pv_bls_fr_from_bytes(&x, ab) || !pv_bls_fr_from_bytes(&y, bb)) {
            bad++;
            continue;
        }
        pv_bls_fr_mul(&z, &x, &y);
        pv_bls_fr_to_bytes(out, &z);
        mpz_import(c, 32, 1, 1, 0, 0, out);
        mpz_mul(d, a, b);
        mpz_mod(d, d, R);
        bad += mpz_cmp(c, d) != 0;
        pv_bls_fr_add(&z, &x, &y);
        pv_bls_fr_to_bytes(out, &z);
        mpz_import(c, 32, 1, 1, 0, 0, out);
        mpz_add(d, a, b);
        mpz_mod(d, d, R);
        bad += mpz_cmp(c, d) != 0;
        pv_bls_fr_sub(&z, &x, &y);
        pv_bls_fr_to_bytes(out, &z);
        mpz_import(c, 32, 1, 1, 0, 0, out);
        mpz_sub(d, a, b);
        mpz_mod(d, d, R);
        bad += mpz_cmp(c, d) != 0;
        if (i % 8 == 0 && mpz_sgn(a)) {
            pv_bls_fr_inv(&z, &x);
            pv_bls_fr_mul(&z, &z, &x);
            bad += !pv_bls_fr_eq(&z, &PV_BLS_FR_ONE);
        }
    }
    CHECK(bad == 0, "fr arithmetic %d", bad);
    uint8_t rb[32];
    pv_bls_fr x;
    mpz_to_be(rb, 32, R);
    CHECK(!pv_bls_fr_from_bytes(&x, rb), "r rejected");
    rb[31]--;
    CHECK(pv_bls_fr_from_bytes(&x, rb), "r-1 accepted");
    mpz_clears(a, b, c, d, NULL);
}

/* ---------------- Fp2 ---------------- */

static void fp2_pow_mpz(pv_bls_fp2 *r, const pv_bls_fp2 *a, const mpz_t e)
{
    pv_bls_fp2 acc;
    pv_bls_fp2_set_one(&acc);
    for (long i = (long)mpz_sizeinbase(e, 2) - 1; i >= 0; i--) {
        pv_bls_fp2_sqr(&acc, &acc);
        if (mpz_tstbit(e, (mp_bitcnt_t)i))
            pv_bls_fp2_mul(&acc, &acc, a);
    }
    *r = acc;
}


static void test_fp2(void)
{
    mpz_t a0, a1, b0, b1, c, d, t;
    mpz_inits(a0, a1, b0, b1, c, d, t, NULL);
    int bad_mul = 0, bad_sqr = 0, bad_inv = 0, bad_sqrt = 0, nonsq = 0;
    pv_bls_fp2 one;
    pv_bls_fp2_set_one(&one);
    for (int i = 0; i < 2000; i++) {
        pv_bls_fp2 x, y, z, w;
        rand_mpz(a0, P);
        rand_mpz(a1, P);
        rand_mpz(b0, P);
        rand_mpz(b1, P);
        mpz_to_fp(&x.c0, a0);
        mpz_to_fp(&x.c1, a1);
        mpz_to_fp(&y.c0, b0);
        mpz_to_fp(&y.c1, b1);
        /* (a0 + a1 u)(b0 + b1 u) = (a0 b0 - a1 b1) + (a0 b1 + a1 b0) u */
        pv_bls_fp2_mul(&z, &x, &y);
        fp_to_mpz(c, &z.c0);
        mpz_mul(d, a0, b0);
        mpz_submul(d, a1, b1);
        mpz_mod(d, d, P);
        bad_mul += mpz_cmp(c, d) != 0;
        fp_to_mpz(c, &z.c1);
        mpz_mul(d, a0, b1);
        mpz_addmul(d, a1, b0);
        mpz_mod(d, d, P);
        bad_mul += mpz_cmp(c, d) != 0;
        pv_bls_fp2_sqr(&z, &x);
        pv_bls_fp2_mul(&w, &x, &x);
        bad_sqr += !pv_bls_fp2_eq(&z, &w);
        if (i % 4 == 0) {
            pv_bls_fp2_inv(&z, &x);
            pv_bls_fp2_mul(&w, &z, &x);
            bad_inv += pv_bls_fp2_is_zero(&x) ? !pv_bls_fp2_is_zero(&z) : !pv_bls_fp2_eq(&w, &one);
            /* a square always has a root; a random element is a square iff its norm is a square */
            pv_bls_fp2_sqr(&w, &x);
            bad_sqrt += !pv_bls_fp2_sqrt(&z, &w);
            pv_bls_fp2_sqr(&z, &z);
            bad_sqrt += !pv_bls_fp2_eq(&z, &w);
            mpz_mul(t, a0, a0);
            mpz_addmul(t, a1, a1);
            mpz_mod(t, t, P);
            bool is_sq = mpz_sgn(t) == 0 || mpz_legendre(t, P) == 1;
            nonsq += !is_sq;
            bool ok = pv_bls_fp2_sqrt(&z, &x);
            bad_sqrt += ok != is_sq;
            if (ok) {
                pv_bls_fp2_sqr(&z, &z);
                bad_sqrt += !pv_bls_fp2_eq(&z, &x);
            }
        }
    }
    CHECK(bad_mul == 0, "fp2 mul %d", bad_mul);
    CHECK(bad_sqr == 0, "fp2 sqr %d", bad_sqr);
    CHECK(bad_inv == 0, "fp2 inv %d", bad_inv);
    CHECK(bad_sqrt == 0 && nonsq > 100, "fp2 sqrt %d (non-squares %d)", bad_sqrt, nonsq);
    /* pow against a reference square and multiply over an mpz exponent */
    pv_bls_fp2 x, y, z;
    rand_fp2(&x);
    uint64_t e[6];
    for (int i = 0; i < 6; i++)
        e[i] = rnd();
    pv_bls_fp2_pow(&y, &x, e, 6);
    mpz_import(t, 6, -1, 8, 0, 0, e);
    fp2_pow_mpz(&z, &x, t);
    CHECK(pv_bls_fp2_eq(&y, &z), "fp2 pow");
    /* sqrt of pure reals / imaginaries */
    pv_bls_fp2 m, s;
    pv_bls_fp2_set_one(&m);
    pv_bls_fp2_neg(&m, &m); /* -1 = u^2 */
    CHECK(pv_bls_fp2_sqrt(&s, &m), "sqrt(-1)");
    pv_bls_fp2_sqr(&s, &s);
    CHECK(pv_bls_fp2_eq(&s, &m), "sqrt(-1)^2");
    mpz_clears(a0, a1, b0, b1, c, d, t, NULL);
}

/* ---------------- Fp6 / Fp12 ---------------- */

/* r = a^e for an arbitrary exponent (generic square and multiply; reference for the tests). */
static void fp12_pow_mpz(pv_bls_fp12 *r, const pv_bls_fp12 *a, const mpz_t e)
{
    pv_bls_fp12 acc;
    pv_bls_fp12_set_one(&acc);
    for (long i = (long)mpz_sizeinbase(e, 2) - 1; i >= 0; i--) {
        pv_bls_fp12_sqr(&acc, &acc);
        if (mpz_tstbit(e, (mp_bitcnt_t)i))
            pv_bls_fp12_mul(&acc, &acc, a);
    }
    *r = acc;
}

/* Schoolbook Fp12 multiplication over the w-basis (w^6 = xi): an independent reference. */
static void fp12_mul_ref(pv_bls_fp12 *r, const pv_bls_fp12 *a, const pv_bls_fp12 *b)
{
    const pv_bls_fp2 *A[6] = {&a->c0.c0, &a->c1.c0, &a->c0.c1, &a->c1.c1, &a->c0.c2, &a->c1.c2};
    const pv_bls_fp2 *B[6] = {&b->c0.c0, &b->c1.c0, &b->c0.c1, &b->c1.c1, &b->c0.c2, &b->c1.c2};
    pv_bls_fp2 acc[6];
    for (int i = 0; i < 6; i++)
        pv_bls_fp2_set_zero(&acc[i]);
    for (int i = 0; i < 6; i++)
        for (int j = 0; j < 6; j++) {
            pv_bls_fp2 t;
            pv_bls_fp2_mul(&t, A[i], B[j]);
            if (i + j >= 6)
                pv_bls_fp2_mul_by_xi(&t, &t);
            pv_bls_fp2_add(&acc[(i + j) % 6], &acc[(i + j) % 6], &t);
        }
    r->c0.c0 = acc[0];
    r->c1.c0 = acc[1];
    r->c0.c1 = acc[2];
    r->c1.c1 = acc[3];
    r->c0.c2 = acc[4];
    r->c1.c2 = acc[5];
}

static void test_tower(void)
{
    int bad_mul = 0, bad_sqr = 0, bad_inv = 0, bad_sparse = 0, bad6 = 0;
    pv_bls_fp12 one;
    pv_bls_fp12_set_one(&one);
    for (int i = 0; i < 200; i++) {
        pv_bls_fp12 a, b, c, d;
        rand_fp12(&a);
        rand_fp12(&b);
        pv_bls_fp12_mul(&c, &a, &b);
        fp12_mul_ref(&d, &a, &b);
        bad_mul += !pv_bls_fp12_eq(&c, &d);
        pv_bls_fp12_sqr(&c, &a);
        fp12_mul_ref(&d, &a, &a);
        bad_sqr += !pv_bls_fp12_eq(&c, &d);
        pv_bls_fp12_inv(&c, &a);
        pv_bls_fp12_mul(&c, &c, &a);
        bad_inv += !pv_bls_fp12_eq(&c, &one);
        /* sparse line multiplication == full multiplication by the sparse element */
        pv_bls_fp12 l;
        memset(&l, 0, sizeof l);
        rand_fp2(&l.c0.c0);
        rand_fp2(&l.c0.c1);
        rand_fp2(&l.c1.c1);
        pv_bls_fp12_mul_by_014(&c, &a, &l.c0.c0, &l.c0.c1, &l.c1.c1);
        pv_bls_fp12_mul(&d, &a, &l);
        bad_sparse += !pv_bls_fp12_eq(&c, &d);
        /* Fp6 squaring and inverse */
        pv_bls_fp6 x, y, z;
        x = a.c0;
        pv_bls_fp6_sqr(&y, &x);
        pv_bls_fp6_mul(&z, &x, &x);
        bad6 += !pv_bls_fp6_eq(&y, &z);
        pv_bls_fp6_inv(&y, &x);
        pv_bls_fp6_mul(&z, &y, &x);
        pv_bls_fp6 one6;
        pv_bls_fp6_set_one(&one6);
        bad6 += !pv_bls_fp6_eq(&z, &one6);
    }
    CHECK(bad_mul == 0, "fp12 mul vs schoolbook %d", bad_mul);
    CHECK(bad_sqr == 0, "fp12 sqr %d", bad_sqr);
    CHECK(bad_inv == 0, "fp12 inv %d", bad_inv);
    CHECK(bad_sparse == 0, "fp12 mul_by_014 %d", bad_sparse);
    CHECK(bad6 == 0, "fp6 sqr/inv %d", bad6);

    /* Frobenius against exponentiation by p and p^2 (re-derives the coefficient tables). */
    int bad_frob = 0, bad_cyc = 0;
    mpz_t e;
    mpz_init(e);
    for (int i = 0; i < 4; i++) {
        pv_bls_fp12 a, b, c;
        rand_fp12(&a);
        pv_bls_fp12_frobenius(&b, &a);
        fp12_pow_mpz(&c, &a, P);
        bad_frob += !pv_bls_fp12_eq(&b, &c);
        pv_bls_fp12_frobenius2(&b, &a);
        pv_bls_fp12_frobenius(&c, &a);
        pv_bls_fp12_frobenius(&c, &c);
        bad_frob += !pv_bls_fp12_eq(&b, &c);
        /* cyclotomic element: a^((p^6 - 1)(p^2 + 1)) */
        pv_bls_fp12 m, t;
        pv_bls_fp12_inv(&t, &a);
        pv_bls_fp12_conj(&m, &a);
        pv_bls_fp12_mul(&m, &m, &t);
        pv_bls_fp12_frobenius2(&t, &m);
        pv_bls_fp12_mul(&m, &m, &t);
        pv_bls_fp12_cyclotomic_sqr(&b, &m);
        pv_bls_fp12_sqr(&c, &m);
        bad_cyc += !pv_bls_fp12_eq(&b, &c);
        uint64_t k = rnd();
        pv_bls_fp12_cyclotomic_pow_u64(&b, &m, k);
        mpz_set_ui(e, k >> 32);
        mpz_mul_2exp(e, e, 32);
        mpz_add_ui(e, e, k & 0xffffffffu);
        fp12_pow_mpz(&c, &m, e);
        bad_cyc += !pv_bls_fp12_eq(&b, &c);
        /* conj is the inverse there */
        pv_bls_fp12_conj(&b, &m);
        pv_bls_fp12_mul(&b, &b, &m);
        bad_cyc += !pv_bls_fp12_is_one(&b);
    }
    CHECK(bad_frob == 0, "frobenius %d", bad_frob);
    CHECK(bad_cyc == 0, "cyclotomic %d", bad_cyc);
    mpz_clear(e);
}

/* ---------------- groups ---------------- */

static const char *G1X = "17f1d3a73197d7942695638c4fa9ac0fc3688c4f9774b905a14e3a3f171bac586c55e83ff97a1aeffb3af00adb22c6bb";
static const char *G1Y = "08b3f481e3aaa0f1a09e30ed741d8ae4fcf5e095d5d00af600db18cb2c04b3edd03cc744a2888ae40caa232946c5e7e1";
static const char *G2X0 = "024aa2b2f08f0a91260805272dc51051c6e47ad4fa403b02b4510b647ae3d1770bac0326a805bbefd48056c8c121bdb8";
static const char *G2X1 = "13e02b6052719f607dacd3a088274f65596bd0d09920b61ab5da61bbdc7f5049334cf11213945d57e5ac7d055d042b7e";
static const char *G2Y0 = "0ce5d527727d6e118cc9cdc6da2e351aadfd9baa8cbdd3a76d429a695160d12c923ac9cc3baca289e193548608b82801";
static const char *G2Y1 = "0606c4a02ea734cc32acd2b02bc28b99cb3e287e85a763af267492ab572e99ab3f370d275cec1da1aaa9075ff05f79be";
/* Compressed generators: g1_monomial[0] and g2_monomial[0] of the EIP-4844 trusted setup. */
static const char *G1C = "97f1d3a73197d7942695638c4fa9ac0fc3688c4f9774b905a14e3a3f171bac586c55e83ff97a1aeffb3af00adb22c6bb";
static const char *G2C = "93e02b6052719f607dacd3a088274f65596bd0d09920b61ab5da61bbdc7f5049334cf11213945d57e5ac7d055d042b7e"
                         "024aa2b2f08f0a91260805272dc51051c6e47ad4fa403b02b4510b647ae3d1770bac0326a805bbefd48056c8c121bdb8";

static const uint64_t R_LIMBS[4] = {0xffffffff00000001ULL, 0x53bda402fffe5bfeULL, 0x3339d80809a1d805ULL,
                                    0x73eda753299d7d48ULL};
/* G1 cofactor h1 = 0x396c8c005555e1568c00aaab0000aaab */
static const uint64_t H1[4] = {0x8c00aaab0000aaabULL, 0x396c8c005555e156ULL, 0, 0};

/* A random point on E (rarely in G1). */
static void rand_e1(pv_bls_g1_affine *r)
{
    for (;;) {
        uint8_t b[48];
        pv_bls_fp x;
        rand_fp(&x);
        pv_bls_fp_to_bytes(b, &x);
        b[0] |= 0x80 | (rnd() & 1 ? 0x20 : 0);
        if (pv_bls_g1_decode_compressed(r, b))
            return;
    }
}

static void rand_e2(pv_bls_g2_affine *r)
{
    for (;;) {
        uint8_t b[96];
        pv_bls_fp2 x;
        rand_fp2(&x);
        pv_bls_fp_to_bytes(b, &x.c1);
        pv_bls_fp_to_bytes(b + 48, &x.c0);
        b[0] |= 0x80 | (rnd() & 1 ? 0x20 : 0);
        if (pv_bls_g2_decode_compressed(r, b))
            return;
    }
}

static void test_generators(void)
{
    pv_bls_g1_affine g1, d1;
    pv_bls_g2_affine g2, d2;
    pv_bls_g1_generator(&g1);
    pv_bls_g2_generator(&g2);
    pv_bls_fp x, y;
    fp_from_hex(&x, G1X);
    fp_from_hex(&y, G1Y);
    CHECK(pv_bls_fp_eq(&x, &g1.x) && pv_bls_fp_eq(&y, &g1.y) && !g1.infinity, "G1 generator coordinates");
    pv_bls_fp2 x2, y2;
    fp_from_hex(&x2.c0, G2X0);
    fp_from_hex(&x2.c1, G2X1);
    fp_from_hex(&y2.c0, G2Y0);
    fp_from_hex(&y2.c1, G2Y1);
    CHECK(pv_bls_fp2_eq(&x2, &g2.x) && pv_bls_fp2_eq(&y2, &g2.y) && !g2.infinity, "G2 generator coordinates");
    CHECK(pv_bls_g1_affine_on_curve(&g1) && pv_bls_g2_affine_on_curve(&g2), "generators on curve");
    CHECK(pv_bls_g1_in_subgroup(&g1) && pv_bls_g2_in_subgroup(&g2), "generators in subgroup");

    uint8_t c1[48], c2[96], e1[48], e2[96];
    hex_to(c1, 48, G1C);
    hex_to(c2, 96, G2C);
    CHECK(pv_bls_g1_decode_compressed(&d1, c1) && pv_bls_fp_eq(&d1.x, &g1.x) && pv_bls_fp_eq(&d1.y, &g1.y),
          "G1 generator decodes");
    CHECK(pv_bls_g2_decode_compressed(&d2, c2) && pv_bls_fp2_eq(&d2.x, &g2.x) && pv_bls_fp2_eq(&d2.y, &g2.y),
          "G2 generator decodes");
    pv_bls_g1_encode_compressed(e1, &g1);
    pv_bls_g2_encode_compressed(e2, &g2);
    CHECK(memcmp(e1, c1, 48) == 0, "G1 generator encodes");
    CHECK(memcmp(e2, c2, 96) == 0, "G2 generator encodes");

    /* [r] G = infinity */
    pv_bls_g1 j1;
    pv_bls_g2 j2;
    pv_bls_g1_from_affine(&j1, &g1);
    pv_bls_g1_mul(&j1, &j1, R_LIMBS);
    pv_bls_g2_from_affine(&j2, &g2);
    pv_bls_g2_mul(&j2, &j2, R_LIMBS);
    CHECK(pv_bls_g1_is_infinity(&j1) && pv_bls_g2_is_infinity(&j2), "[r]G = O");
}

static void test_group_g1(void)
{
    pv_bls_g1_affine ga;
    pv_bls_g1_generator(&ga);
    pv_bls_g1 g;
    pv_bls_g1_from_affine(&g, &ga);
    int bad = 0, bad_enc = 0, bad_sub = 0, in_sub = 0;
    for (int i = 0; i < 40; i++) {
        uint64_t k1[4], k2[4], ks[4] = {0};
        rand_scalar(k1);
        rand_scalar(k2);
        pv_bls_g1 a, b, c, d, s;
        pv_bls_g1_mul(&a, &g, k1);
        pv_bls_g1_mul(&b, &g, k2);
        /* (k1 + k2) G = k1 G + k2 G (as integers: < 2^256) */
        pv_limbs_add(ks, k1, k2, 4);
        pv_bls_g1_mul(&s, &g, ks);
        pv_bls_g1_add(&c, &a, &b);
        bad += !pv_bls_g1_eq(&c, &s);
        pv_bls_g1_mul2(&d, &g, k1, &g, k2);
        bad += !pv_bls_g1_eq(&d, &s);
        /* mixed addition, doubling through add, P + (-P) */
        pv_bls_g1_affine ba;
        pv_bls_g1_to_affine(&ba, &b);
        pv_bls_g1_add_affine(&d, &a, &ba);
        bad += !pv_bls_g1_eq(&d, &s);
        pv_bls_g1_add(&c, &a, &a);
        pv_bls_g1_dbl(&d, &a);
        bad += !pv_bls_g1_eq(&c, &d);
        pv_bls_g1_neg(&c, &a);
        pv_bls_g1_add(&c, &c, &a);
        bad += !pv_bls_g1_is_infinity(&c);
        /* encode / decode round trip of a subgroup point */
        pv_bls_g1_affine aa, back;
        pv_bls_g1_to_affine(&aa, &a);
        uint8_t enc[48];
        pv_bls_g1_encode_compressed(enc, &aa);
        bad_enc += !(pv_bls_g1_decode_compressed(&back, enc) && pv_bls_fp_eq(&back.x, &aa.x) &&
                     pv_bls_fp_eq(&back.y, &aa.y));
        bad_sub += !pv_bls_g1_in_subgroup(&aa);
        /* random curve points: the fast test agrees with [r]P == O; [h1]P is in G1 */
        pv_bls_g1_affine e;
        rand_e1(&e);
        pv_bls_g1 ej, rj;
        pv_bls_g1_from_affine(&ej, &e);
        pv_bls_g1_mul(&rj, &ej, R_LIMBS);
        bool slow = pv_bls_g1_is_infinity(&rj);
        in_sub += slow;
        bad_sub += pv_bls_g1_in_subgroup(&e) != slow;
        pv_bls_g1_mul(&ej, &ej, H1);
        pv_bls_g1_to_affine(&e, &ej);
        pv_bls_g1_mul(&rj, &ej, R_LIMBS);
        bad_sub += !pv_bls_g1_is_infinity(&rj) || !pv_bls_g1_in_subgroup(&e);
    }
    CHECK(bad == 0, "g1 arithmetic %d", bad);
    CHECK(bad_enc == 0, "g1 encoding %d", bad_enc);
    CHECK(bad_sub == 0 && in_sub == 0, "g1 subgroup check %d (random in G1: %d)", bad_sub, in_sub);
    /* [0] and [1] */
    uint64_t zero[4] = {0}, one[4] = {1};
    pv_bls_g1 t;
    pv_bls_g1_mul(&t, &g, zero);
    CHECK(pv_bls_g1_is_infinity(&t), "[0]G");
    pv_bls_g1_mul(&t, &g, one);
    CHECK(pv_bls_g1_eq(&t, &g), "[1]G");
}

static void test_group_g2(void)
{
    pv_bls_g2_affine ga;
    pv_bls_g2_generator(&ga);
    pv_bls_g2 g;
    pv_bls_g2_from_affine(&g, &ga);
    int bad = 0, bad_enc = 0, bad_sub = 0, in_sub = 0;
    for (int i = 0; i < 20; i++) {
        uint64_t k1[4], k2[4], ks[4] = {0};
        rand_scalar(k1);
        rand_scalar(k2);
        pv_bls_g2 a, b, c, d, s;
        pv_bls_g2_mul(&a, &g, k1);
        pv_bls_g2_mul(&b, &g, k2);
        pv_limbs_add(ks, k1, k2, 4);
        pv_bls_g2_mul(&s, &g, ks);
        pv_bls_g2_add(&c, &a, &b);
        bad += !pv_bls_g2_eq(&c, &s);
        pv_bls_g2_mul2(&d, &g, k1, &g, k2);
        bad += !pv_bls_g2_eq(&d, &s);
        pv_bls_g2_affine ba;
        pv_bls_g2_to_affine(&ba, &b);
        pv_bls_g2_add_affine(&d, &a, &ba);
        bad += !pv_bls_g2_eq(&d, &s);
        pv_bls_g2_add(&c, &a, &a);
        pv_bls_g2_dbl(&d, &a);
        bad += !pv_bls_g2_eq(&c, &d);
        pv_bls_g2_affine aa, back;
        pv_bls_g2_to_affine(&aa, &a);
        uint8_t enc[96];
        pv_bls_g2_encode_compressed(enc, &aa);
        bad_enc += !(pv_bls_g2_decode_compressed(&back, enc) && pv_bls_fp2_eq(&back.x, &aa.x) &&
                     pv_bls_fp2_eq(&back.y, &aa.y));
        bad_sub += !pv_bls_g2_in_subgroup(&aa);
        /* psi acts as [x] = -[|x|] on G2 */
        pv_bls_g2 p1, p2;
        pv_bls_g2_psi(&p1, &a);
        pv_bls_g2_mul_u64(&p2, &a, PV_BLS_X_ABS);
        pv_bls_g2_neg(&p2, &p2);
        bad += !pv_bls_g2_eq(&p1, &p2);
        pv_bls_g2_affine e;
        rand_e2(&e);
        pv_bls_g2 ej, rj;
        pv_bls_g2_from_affine(&ej, &e);
        pv_bls_g2_mul(&rj, &ej, R_LIMBS);
        bool slow = pv_bls_g2_is_infinity(&rj);
        in_sub += slow;
        bad_sub += pv_bls_g2_in_subgroup(&e) != slow;
    }
    CHECK(bad == 0, "g2 arithmetic %d", bad);
    CHECK(bad_enc == 0, "g2 encoding %d", bad_enc);
    CHECK(bad_sub == 0 && in_sub == 0, "g2 subgroup check %d (random in G2: %d)", bad_sub, in_sub);
}

/* Flag handling of the compressed decoders. */
static void test_encoding_flags(void)
{
    uint8_t b[96];
    pv_bls_g1_affine p;
    pv_bls_g2_affine q;
    hex_to(b, 48, G1C);
    b[0] &= 0x7f; /* C cleared */
    CHECK(!pv_bls_g1_decode_compressed(&p, b), "g1 without C flag");
    memset(b, 0, 96);
    b[0] = 0xc0;
    CHECK(pv_bls_g1_decode_compressed(&p, b) && p.infinity, "g1 canonical infinity");
    CHECK(pv_bls_g2_decode_compressed(&q, b) && q.infinity, "g2 canonical infinity");
    b[0] = 0xe0;
    CHECK(!pv_bls_g1_decode_compressed(&p, b), "g1 infinity with S");
    b[0] = 0xc0;
    b[47] = 1;
    CHECK(!pv_bls_g1_decode_compressed(&p, b), "g1 infinity with x bits");
    b[47] = 0;
    b[95] = 1;
    CHECK(!pv_bls_g2_decode_compressed(&q, b), "g2 infinity with x bits");
    b[95] = 0;
    b[0] = 0xc1;
    CHECK(!pv_bls_g1_decode_compressed(&p, b), "g1 infinity with top x bits");
    b[0] = 0x40;
    CHECK(!pv_bls_g1_decode_compressed(&p, b), "g1 infinity without C");
    /* x = p (with C flag) */
    mpz_t v;
    mpz_init_set(v, P);
    mpz_to_be(b, 48, v);
    b[0] |= 0x80;
    CHECK(!pv_bls_g1_decode_compressed(&p, b), "g1 x = p");
    mpz_clear(v);
    /* encoding of the sign flag: the two points with the same x */
    hex_to(b, 48, G1C);
    pv_bls_g1_affine p1, p2;
    CHECK(pv_bls_g1_decode_compressed(&p1, b), "g1 gen");
    b[0] ^= 0x20;
    CHECK(pv_bls_g1_decode_compressed(&p2, b), "g1 -gen");
    pv_bls_fp ny;
    pv_bls_fp_neg(&ny, &p1.y);
    CHECK(pv_bls_fp_eq(&ny, &p2.y) && !pv_bls_fp_eq(&p1.y, &p2.y), "sign flag selects -y");
}

/* ---------------- pairing ---------------- */

static void test_pairing(void)
{
    pv_bls_g1_affine g1;
    pv_bls_g2_affine g2;
    pv_bls_g1_generator(&g1);
    pv_bls_g2_generator(&g2);
    pv_bls_g1 j1;
    pv_bls_g2 j2;
    pv_bls_g1_from_affine(&j1, &g1);
    pv_bls_g2_from_affine(&j2, &g2);

    pv_bls_fp12 e, t;
    pv_bls_pairing(&e, &g1, &g2);
    CHECK(!pv_bls_fp12_is_one(&e), "e(G1, G2) != 1");
    mpz_t rr;
    mpz_init_set(rr, R);
    fp12_pow_mpz(&t, &e, rr);
    CHECK(pv_bls_fp12_is_one(&t), "e(G1, G2)^r == 1");
    mpz_clear(rr);

    int bad = 0;
    for (int i = 0; i < 4; i++) {
        uint64_t a[4], b[4], ab[4];
        pv_bls_fr fa, fb, fab;
        rand_scalar(a);
        rand_scalar(b);
        uint8_t be[32];
        pv_limbs_to_be(be, a, 4);
        pv_bls_fr_from_bytes(&fa, be);
        pv_limbs_to_be(be, b, 4);
        pv_bls_fr_from_bytes(&fb, be);
        pv_bls_fr_mul(&fab, &fa, &fb);
        pv_bls_fr_to_scalar(ab, &fab);
        pv_bls_g1 p;
        pv_bls_g2 q;
        pv_bls_g1_affine pa, pab;
        pv_bls_g2_affine qb, qab;
        pv_bls_g1_mul(&p, &j1, a);
        pv_bls_g1_to_affine(&pa, &p);
        pv_bls_g1_mul(&p, &j1, ab);
        pv_bls_g1_to_affine(&pab, &p);
        pv_bls_g2_mul(&q, &j2, b);
        pv_bls_g2_to_affine(&qb, &q);
        pv_bls_g2_mul(&q, &j2, ab);
        pv_bls_g2_to_affine(&qab, &q);
        pv_bls_fp12 e1, e2, e3;
        pv_bls_pairing(&e1, &pa, &qb);
        pv_bls_pairing(&e2, &pab, &g2);
        pv_bls_pairing(&e3, &g1, &qab);
        bad += !pv_bls_fp12_eq(&e1, &e2) || !pv_bls_fp12_eq(&e1, &e3);
        /* e(aP, bQ) e(-abP, Q) == 1, also with prepared G2 points */
        pv_bls_g1_affine ps[2] = {pa, pab};
        pv_bls_fp_neg(&ps[1].y, &ps[1].y);
        pv_bls_g2_affine qs[2] = {qb, g2};
        bad += !pv_bls_pairing_check(ps, qs, 2);
        pv_bls_g2_prepared *prep = malloc(2 * sizeof *prep);
        pv_bls_g2_prepare(&prep[0], &qb);
        pv_bls_g2_prepare(&prep[1], &g2);
        const pv_bls_g2_prepared *pq[2] = {&prep[0], &prep[1]};
        bad += !pv_bls_pairing_check_prepared(ps, pq, 2);
        pv_bls_fp12 m1, m2;
        pv_bls_miller_loop(&m1, ps, qs, 2);
        pv_bls_miller_loop_prepared(&m2, ps, pq, 2);
        bad += !pv_bls_fp12_eq(&m1, &m2);
        /* a wrong product is rejected */
        ps[1] = pab;
        bad += pv_bls_pairing_check(ps, qs, 2);
        bad += pv_bls_pairing_check_prepared(ps, pq, 2);
        free(prep);
    }
    CHECK(bad == 0, "bilinearity %d", bad);

    /* Infinity contributes 1; many pairs (across the 8-pair chunks) */
    pv_bls_g1_affine inf1 = {.infinity = true};
    pv_bls_g2_affine inf2 = {.infinity = true};
    pv_bls_g1_affine ps[19];
    pv_bls_g2_affine qs[19];
    for (int i = 0; i < 19; i++) {
        ps[i] = g1;
        qs[i] = g2;
    }
    /* sum of the G1 scalars: 9 * 1 - 9 * 1 = 0 with one infinity pair */
    for (int i = 9; i < 18; i++)
        pv_bls_fp_neg(&ps[i].y, &ps[i].y);
    ps[18] = inf1;
    CHECK(pv_bls_pairing_check(ps, qs, 19), "19 pairs, product 1");
    qs[18] = inf2;
    ps[18] = g1;
    CHECK(pv_bls_pairing_check(ps, qs, 19), "infinity in G2");
    ps[0] = inf1;
    CHECK(!pv_bls_pairing_check(ps, qs, 19), "19 pairs, product != 1");
    CHECK(pv_bls_pairing_check(ps, qs, 0), "empty product");
}

int main(void)
{
    mpz_init_set_str(P, "1a0111ea397fe69a4b1ba7b6434bacd764774b84f38512bf6730d2a0f6b0f6241eabfffeb153ffffb9feffffffffaaab", 16);
    mpz_init_set_str(R, "73eda753299d7d483339d80809a1d80553bda402fffe5bfeffffffff00000001", 16);
    test_fp();
    test_fr();
    test_fp2();
    test_tower();
    test_generators();
    test_encoding_flags();
    test_group_g1();
    test_group_g2();
    test_pairing();
    mpz_clears(P, R, NULL);
    TEST_DONE();
}
