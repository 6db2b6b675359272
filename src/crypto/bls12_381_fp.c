/* BLS12-381 Fp, Fp2 and Fr on the mont.h template. Constants in Montgomery form come from
 * scripts/bls12_381_constants.py (which derives them from their definitions); the unit tests check
 * them against GMP. */
#include "bls12_381_fp.h"

/* R mod p, R mod r. */
const pv_bls_fp PV_BLS_FP_ONE = {{0x760900000002fffdULL, 0xebf4000bc40c0002ULL, 0x5f48985753c758baULL,
                                  0x77ce585370525745ULL, 0x5c071a97a256ec6dULL, 0x15f65ec3fa80e493ULL}};
const pv_bls_fr PV_BLS_FR_ONE = {{0x00000001fffffffeULL, 0x5884b7fa00034802ULL, 0x998c4fefecbc4ff5ULL,
                                  0x1824b159acc5056fULL}};

/* R^2 mod p, R^2 mod r (to Montgomery form). */
static const uint64_t FP_R2[6] = {0xf4df1f341c341746ULL, 0x0a76e6a609d104f1ULL, 0x8de5476c4c95b6d5ULL,
                                  0x67eb88a9939d83c0ULL, 0x9a793e85b519952dULL, 0x11988fe592cae3aaULL};
static const uint64_t FR_R2[4] = {0xc999e990f3f29c6dULL, 0x2b6cedcb87925c23ULL, 0x05d314967254398fULL,
                                  0x0748d9d99f59ff11ULL};

/* Exponents: p - 2 (inversion), (p + 1) / 4 (square root, p = 3 mod 4), (p - 1) / 2, r - 2. */
static const uint64_t P_MINUS_2[6] = {0xb9feffffffffaaa9ULL, 0x1eabfffeb153ffffULL, 0x6730d2a0f6b0f624ULL,
                                      0x64774b84f38512bfULL, 0x4b1ba7b6434bacd7ULL, 0x1a0111ea397fe69aULL};
static const uint64_t P_PLUS_1_DIV_4[6] = {0xee7fbfffffffeaabULL, 0x07aaffffac54ffffULL, 0xd9cc34a83dac3d89ULL,
                                           0xd91dd2e13ce144afULL, 0x92c6e9ed90d2eb35ULL, 0x0680447a8e5ff9a6ULL};
static const uint64_t P_MINUS_1_DIV_2[6] = {0xdcff7fffffffd555ULL, 0x0f55ffff58a9ffffULL, 0xb39869507b587b12ULL,
                                            0xb23ba5c279c2895fULL, 0x258dd3db21a5d66bULL, 0x0d0088f51cbff34dULL};
static const uint64_t R_MINUS_2[4] = {0xfffffffeffffffffULL, 0x53bda402fffe5bfeULL, 0x3339d80809a1d805ULL,
                                      0x73eda753299d7d48ULL};

/* ---- Fp ---- */

void pv_bls_fp_mul(pv_bls_fp *r, const pv_bls_fp *a, const pv_bls_fp *b)
{
    pv_mont_mul(r->l, a->l, b->l, PV_BLS_P, PV_BLS_P_INV, 6);
}

void pv_bls_fp_sqr(pv_bls_fp *r, const pv_bls_fp *a)
{
    pv_mont_sqr(r->l, a->l, PV_BLS_P, PV_BLS_P_INV, 6);
}

void pv_bls_fp_half(pv_bls_fp *r, const pv_bls_fp *a)
{
    uint64_t t[6];
    uint64_t top = 0;
    if (a->l[0] & 1)
        top = pv_limbs_add(t, a->l, PV_BLS_P, 6); /* a + p < 2^382: no carry in practice */
    else
        memcpy(t, a->l, sizeof t);
    for (int i = 0; i < 5; i++)
        r->l[i] = t[i] >> 1 | t[i + 1] << 63;
    r->l[5] = t[5] >> 1 | top << 63;
}

void pv_bls_fp_pow(pv_bls_fp *r, const pv_bls_fp *a, const uint64_t *e, int e_limbs)
{
    pv_mont_pow(r->l, a->l, e, e_limbs, PV_BLS_FP_ONE.l, PV_BLS_P, PV_BLS_P_INV, 6);
}

void pv_bls_fp_inv(pv_bls_fp *r, const pv_bls_fp *a)
{
    pv_bls_fp_pow(r, a, P_MINUS_2, 6);
}

bool pv_bls_fp_sqrt(pv_bls_fp *r, const pv_bls_fp *a)
{
    pv_bls_fp s, c;
    pv_bls_fp_pow(&s, a, P_PLUS_1_DIV_4, 6);
    pv_bls_fp_sqr(&c, &s);
    if (!pv_bls_fp_eq(&c, a))
        return false;
    *r = s;
    return true;
}

void pv_bls_fp_from_u64(pv_bls_fp *r, uint64_t v)
{
    uint64_t t[6] = {v};
    pv_mont_to(r->l, t, FP_R2, PV_BLS_P, PV_BLS_P_INV, 6);
}

bool pv_bls_fp_from_bytes(pv_bls_fp *r, const uint8_t be[48])
{
    uint64_t t[6];
    pv_limbs_from_be(t, be, 6);
    if (pv_limbs_geq(t, PV_BLS_P, 6))
        return false;
    pv_mont_to(r->l, t, FP_R2, PV_BLS_P, PV_BLS_P_INV, 6);
    return true;
}

void pv_bls_fp_to_limbs(uint64_t l[6], const pv_bls_fp *a)
{
    pv_mont_from(l, a->l, PV_BLS_P, PV_BLS_P_INV, 6);
}

void pv_bls_fp_to_bytes(uint8_t be[48], const pv_bls_fp *a)
{
    uint64_t t[6];
    pv_bls_fp_to_limbs(t, a);
    pv_limbs_to_be(be, t, 6);
}

bool pv_bls_fp_is_lex_largest(const pv_bls_fp *a)
{
    uint64_t t[6];
    pv_bls_fp_to_limbs(t, a);
    return !pv_limbs_geq(P_MINUS_1_DIV_2, t, 6);
}

/* ---- Fp2 ---- */

void pv_bls_fp2_mul(pv_bls_fp2 *r, const pv_bls_fp2 *a, const pv_bls_fp2 *b)
{
    pv_bls_fp t0, t1, sa, sb;
    pv_bls_fp_mul(&t0, &a->c0, &b->c0);
    pv_bls_fp_mul(&t1, &a->c1, &b->c1);
    pv_bls_fp_add(&sa, &a->c0, &a->c1);
    pv_bls_fp_add(&sb, &b->c0, &b->c1);
    pv_bls_fp_mul(&r->c1, &sa, &sb);
    pv_bls_fp_sub(&r->c1, &r->c1, &t0);
    pv_bls_fp_sub(&r->c1, &r->c1, &t1);
    pv_bls_fp_sub(&r->c0, &t0, &t1);
}

void pv_bls_fp2_sqr(pv_bls_fp2 *r, const pv_bls_fp2 *a)
{
    /* (a0 + a1 u)^2 = (a0 + a1)(a0 - a1) + 2 a0 a1 u */
    pv_bls_fp s, d, m;
    pv_bls_fp_add(&s, &a->c0, &a->c1);
    pv_bls_fp_sub(&d, &a->c0, &a->c1);
    pv_bls_fp_mul(&m, &a->c0, &a->c1);
    pv_bls_fp_mul(&r->c0, &s, &d);
    pv_bls_fp_dbl(&r->c1, &m);
}

void pv_bls_fp2_mul_fp(pv_bls_fp2 *r, const pv_bls_fp2 *a, const pv_bls_fp *s)
{
    pv_bls_fp_mul(&r->c0, &a->c0, s);
    pv_bls_fp_mul(&r->c1, &a->c1, s);
}

void pv_bls_fp2_half(pv_bls_fp2 *r, const pv_bls_fp2 *a)
{
    pv_bls_fp_half(&r->c0, &a->c0);
    pv_bls_fp_half(&r->c1, &a->c1);
}

void pv_bls_fp2_inv(pv_bls_fp2 *r, const pv_bls_fp2 *a)
{
    /* 1 / (a0 + a1 u) = (a0 - a1 u) / (a0^2 + a1^2) */
    pv_bls_fp n, t;
    pv_bls_fp_sqr(&n, &a->c0);
    pv_bls_fp_sqr(&t, &a->c1);
    pv_bls_fp_add(&n, &n, &t);
    pv_bls_fp_inv(&n, &n);
    pv_bls_fp_mul(&r->c0, &a->c0, &n);
    pv_bls_fp_mul(&t, &a->c1, &n);
    pv_bls_fp_neg(&r->c1, &t);
}

void pv_bls_fp2_pow(pv_bls_fp2 *r, const pv_bls_fp2 *a, const uint64_t *e, int e_limbs)
{
    pv_bls_fp2 acc, base = *a;
    pv_bls_fp2_set_one(&acc);
    for (int i = e_limbs - 1; i >= 0; i--) {
        for (int bit = 63; bit >= 0; bit--) {
            pv_bls_fp2_sqr(&acc, &acc);
            if ((e[i] >> bit) & 1)
                pv_bls_fp2_mul(&acc, &acc, &base);
        }
    }
    *r = acc;
}

bool pv_bls_fp2_sqrt(pv_bls_fp2 *r, const pv_bls_fp2 *a)
{
    /* With u^2 = -1: if a1 = 0, a0 or -a0 is a square in Fp (-1 is not, p = 3 mod 4).
     * Otherwise x0^2 = t = (a0 +- sqrt(a0^2 + a1^2)) / 2 and x1 = a1 / (2 x0). The result is
     * checked by squaring, so a non-square is always reported as such. */
    pv_bls_fp2 x;
    if (pv_bls_fp_is_zero(&a->c1)) {
        if (pv_bls_fp_sqrt(&x.c0, &a->c0)) {
            pv_bls_fp_set_zero(&x.c1);
        } else {
            pv_bls_fp n;
            pv_bls_fp_neg(&n, &a->c0);
            if (!pv_bls_fp_sqrt(&x.c1, &n))
                return false;
            pv_bls_fp_set_zero(&x.c0);
        }
    } else {
        pv_bls_fp n, t, s;
        pv_bls_fp_sqr(&n, &a->c0);
        pv_bls_fp_sqr(&t, &a->c1);
        pv_bls_fp_add(&n, &n, &t);
        if (!pv_bls_fp_sqrt(&s, &n))
            return false;
        pv_bls_fp_add(&t, &a->c0, &s);
        pv_bls_fp_half(&t, &t);
        if (!pv_bls_fp_sqrt(&x.c0, &t)) {
            pv_bls_fp_sub(&t, &a->c0, &s);
            pv_bls_fp_half(&t, &t);
            if (!pv_bls_fp_sqrt(&x.c0, &t))
                return false;
        }
        pv_bls_fp_dbl(&t, &x.c0);
        pv_bls_fp_inv(&t, &t);
        pv_bls_fp_mul(&x.c1, &a->c1, &t);
    }
    pv_bls_fp2 c;
    pv_bls_fp2_sqr(&c, &x);
    if (!pv_bls_fp2_eq(&c, a))
        return false;
    *r = x;
    return true;
}

bool pv_bls_fp2_is_lex_largest(const pv_bls_fp2 *a)
{
    if (!pv_bls_fp_is_zero(&a->c1))
        return pv_bls_fp_is_lex_largest(&a->c1);
    return pv_bls_fp_is_lex_largest(&a->c0);
}

/* ---- Fr ---- */

void pv_bls_fr_mul(pv_bls_fr *r, const pv_bls_fr *a, const pv_bls_fr *b)
{
    pv_mont_mul(r->l, a->l, b->l, PV_BLS_R, PV_BLS_R_INV, 4);
}

void pv_bls_fr_inv(pv_bls_fr *r, const pv_bls_fr *a)
{
    pv_mont_pow(r->l, a->l, R_MINUS_2, 4, PV_BLS_FR_ONE.l, PV_BLS_R, PV_BLS_R_INV, 4);
}

void pv_bls_fr_from_u64(pv_bls_fr *r, uint64_t v)
{
    uint64_t t[4] = {v};
    if (pv_limbs_geq(t, PV_BLS_R, 4)) /* never: r > 2^64 */
        t[0] = 0;
    pv_mont_to(r->l, t, FR_R2, PV_BLS_R, PV_BLS_R_INV, 4);
}

bool pv_bls_fr_from_bytes(pv_bls_fr *r, const uint8_t be[32])
{
    uint64_t t[4];
    pv_limbs_from_be(t, be, 4);
    if (pv_limbs_geq(t, PV_BLS_R, 4))
        return false;
    pv_mont_to(r->l, t, FR_R2, PV_BLS_R, PV_BLS_R_INV, 4);
    return true;
}

void pv_bls_fr_to_scalar(uint64_t k[4], const pv_bls_fr *a)
{
    pv_mont_from(k, a->l, PV_BLS_R, PV_BLS_R_INV, 4);
}

void pv_bls_fr_to_bytes(uint8_t be[32], const pv_bls_fr *a)
{
    uint64_t t[4];
    pv_bls_fr_to_scalar(t, a);
    pv_limbs_to_be(be, t, 4);
}
