/* Fp6 and Fp12 for BLS12-381. Frobenius coefficients are xi^(i(p-1)/6) (Fp2) and
 * xi^(i(p^2-1)/6) (in Fp), i = 1..5, in Montgomery form (scripts/bls12_381_constants.py); the
 * unit tests check the maps against exponentiation by p. */
#include "bls12_381_tower.h"

#define FP(a, b, c, d, e, f) {{a##ULL, b##ULL, c##ULL, d##ULL, e##ULL, f##ULL}}

/* FROB1[i] = xi^(i (p-1) / 6), i = 1..5 (index 0 unused). */
static const pv_bls_fp2 FROB1[6] = {
    {FP(0, 0, 0, 0, 0, 0), FP(0, 0, 0, 0, 0, 0)},
    {FP(0x07089552b319d465, 0xc6695f92b50a8313, 0x97e83cccd117228f, 0xa35baecab2dc29ee, 0x1ce393ea5daace4d, 0x08f2220fb0fb66eb),
     FP(0xb2f66aad4ce5d646, 0x5842a06bfc497cec, 0xcf4895d42599d394, 0xc11b9cba40a8e8d0, 0x2e3813cbe5a0de89, 0x110eefda88847faf)},
    {FP(0, 0, 0, 0, 0, 0),
     FP(0xcd03c9e48671f071, 0x5dab22461fcda5d2, 0x587042afd3851b95, 0x8eb60ebe01bacb9e, 0x03f97d6e83d050d2, 0x18f0206554638741)},
    {FP(0x7bcfa7a25aa30fda, 0xdc17dec12a927e7c, 0x2f088dd86b4ebef1, 0xd1ca2087da74d4a7, 0x2da2596696cebc1d, 0x0e2b7eedbbfd87d2),
     FP(0x7bcfa7a25aa30fda, 0xdc17dec12a927e7c, 0x2f088dd86b4ebef1, 0xd1ca2087da74d4a7, 0x2da2596696cebc1d, 0x0e2b7eedbbfd87d2)},
    {FP(0x890dc9e4867545c3, 0x2af322533285a5d5, 0x50880866309b7e2c, 0xa20d1b8c7e881024, 0x14e4f04fe2db9068, 0x14e56d3f1564853a),
     FP(0, 0, 0, 0, 0, 0)},
    {FP(0x82d83cf50dbce43f, 0xa2813e53df9d018f, 0xc6f0caa53c65e181, 0x7525cf528d50fe95, 0x4a85ed50f4798a6b, 0x171da0fd6cf8eebd),
     FP(0x3726c30af242c66c, 0x7c2ac1aad1b6fe70, 0xa04007fbba4b14a2, 0xef517c3266341429, 0x0095ba654ed2226b, 0x02e370eccc86f7dd)},
};

/* FROB2[i] = xi^(i (p^2-1) / 6) (in Fp), i = 1..5; FROB2[3] = -1. */
static const pv_bls_fp FROB2[6] = {
    FP(0, 0, 0, 0, 0, 0),
    FP(0xecfb361b798dba3a, 0xc100ddb891865a2c, 0x0ec08ff1232bda8e, 0xd5c13cc6f1ca4721, 0x47222a47bf7b5c04, 0x0110f184e51c5f59),
    FP(0x30f1361b798a64e8, 0xf3b8ddab7ece5a2a, 0x16a8ca3ac61577f7, 0xc26a2ff874fd029b, 0x3636b76660701c6e, 0x051ba4ab241b6160),
    FP(0x43f5fffffffcaaae, 0x32b7fff2ed47fffd, 0x07e83a49a2e99d69, 0xeca8f3318332bb7a, 0xef148d1ea0f4c069, 0x040ab3263eff0206),
    FP(0xcd03c9e48671f071, 0x5dab22461fcda5d2, 0x587042afd3851b95, 0x8eb60ebe01bacb9e, 0x03f97d6e83d050d2, 0x18f0206554638741),
    FP(0x890dc9e4867545c3, 0x2af322533285a5d5, 0x50880866309b7e2c, 0xa20d1b8c7e881024, 0x14e4f04fe2db9068, 0x14e56d3f1564853a),
};

/* ---- Fp6 ---- */

void pv_bls_fp6_set_zero(pv_bls_fp6 *r)
{
    pv_bls_fp2_set_zero(&r->c0);
    pv_bls_fp2_set_zero(&r->c1);
    pv_bls_fp2_set_zero(&r->c2);
}

void pv_bls_fp6_set_one(pv_bls_fp6 *r)
{
    pv_bls_fp2_set_one(&r->c0);
    pv_bls_fp2_set_zero(&r->c1);
    pv_bls_fp2_set_zero(&r->c2);
}

bool pv_bls_fp6_is_zero(const pv_bls_fp6 *a)
{
    return pv_bls_fp2_is_zero(&a->c0) && pv_bls_fp2_is_zero(&a->c1) && pv_bls_fp2_is_zero(&a->c2);
}

bool pv_bls_fp6_eq(const pv_bls_fp6 *a, const pv_bls_fp6 *b)
{
    return pv_bls_fp2_eq(&a->c0, &b->c0) && pv_bls_fp2_eq(&a->c1, &b->c1) && pv_bls_fp2_eq(&a->c2, &b->c2);
}

void pv_bls_fp6_add(pv_bls_fp6 *r, const pv_bls_fp6 *a, const pv_bls_fp6 *b)
{
    pv_bls_fp2_add(&r->c0, &a->c0, &b->c0);
    pv_bls_fp2_add(&r->c1, &a->c1, &b->c1);
    pv_bls_fp2_add(&r->c2, &a->c2, &b->c2);
}

void pv_bls_fp6_sub(pv_bls_fp6 *r, const pv_bls_fp6 *a, const pv_bls_fp6 *b)
{
    pv_bls_fp2_sub(&r->c0, &a->c0, &b->c0);
    pv_bls_fp2_sub(&r->c1, &a->c1, &b->c1);
    pv_bls_fp2_sub(&r->c2, &a->c2, &b->c2);
}

void pv_bls_fp6_neg(pv_bls_fp6 *r, const pv_bls_fp6 *a)
{
    pv_bls_fp2_neg(&r->c0, &a->c0);
    pv_bls_fp2_neg(&r->c1, &a->c1);
    pv_bls_fp2_neg(&r->c2, &a->c2);
}

void pv_bls_fp6_mul(pv_bls_fp6 *r, const pv_bls_fp6 *a, const pv_bls_fp6 *b)
{
    pv_bls_fp2 t0, t1, t2, s, u, c0, c1, c2;
    pv_bls_fp2_mul(&t0, &a->c0, &b->c0);
    pv_bls_fp2_mul(&t1, &a->c1, &b->c1);
    pv_bls_fp2_mul(&t2, &a->c2, &b->c2);
    /* c0 = t0 + xi ((a1 + a2)(b1 + b2) - t1 - t2) */
    pv_bls_fp2_add(&s, &a->c1, &a->c2);
    pv_bls_fp2_add(&u, &b->c1, &b->c2);
    pv_bls_fp2_mul(&c0, &s, &u);
    pv_bls_fp2_sub(&c0, &c0, &t1);
    pv_bls_fp2_sub(&c0, &c0, &t2);
    pv_bls_fp2_mul_by_xi(&c0, &c0);
    pv_bls_fp2_add(&c0, &c0, &t0);
    /* c1 = (a0 + a1)(b0 + b1) - t0 - t1 + xi t2 */
    pv_bls_fp2_add(&s, &a->c0, &a->c1);
    pv_bls_fp2_add(&u, &b->c0, &b->c1);
    pv_bls_fp2_mul(&c1, &s, &u);
    pv_bls_fp2_sub(&c1, &c1, &t0);
    pv_bls_fp2_sub(&c1, &c1, &t1);
    pv_bls_fp2_mul_by_xi(&s, &t2);
    pv_bls_fp2_add(&c1, &c1, &s);
    /* c2 = (a0 + a2)(b0 + b2) - t0 - t2 + t1 */
    pv_bls_fp2_add(&s, &a->c0, &a->c2);
    pv_bls_fp2_add(&u, &b->c0, &b->c2);
    pv_bls_fp2_mul(&c2, &s, &u);
    pv_bls_fp2_sub(&c2, &c2, &t0);
    pv_bls_fp2_sub(&c2, &c2, &t2);
    pv_bls_fp2_add(&c2, &c2, &t1);
    r->c0 = c0;
    r->c1 = c1;
    r->c2 = c2;
}

void pv_bls_fp6_sqr(pv_bls_fp6 *r, const pv_bls_fp6 *a)
{
    pv_bls_fp2 s0, s1, s2, s3, s4, t;
    pv_bls_fp2_sqr(&s0, &a->c0);
    pv_bls_fp2_mul(&s1, &a->c0, &a->c1);
    pv_bls_fp2_dbl(&s1, &s1);
    pv_bls_fp2_sub(&t, &a->c0, &a->c1);
    pv_bls_fp2_add(&t, &t, &a->c2);
    pv_bls_fp2_sqr(&s2, &t);
    pv_bls_fp2_mul(&s3, &a->c1, &a->c2);
    pv_bls_fp2_dbl(&s3, &s3);
    pv_bls_fp2_sqr(&s4, &a->c2);
    /* c2 = s1 + s2 + s3 - s0 - s4 */
    pv_bls_fp2_add(&r->c2, &s1, &s2);
    pv_bls_fp2_add(&r->c2, &r->c2, &s3);
    pv_bls_fp2_sub(&r->c2, &r->c2, &s0);
    pv_bls_fp2_sub(&r->c2, &r->c2, &s4);
    /* c0 = s0 + xi s3, c1 = s1 + xi s4 */
    pv_bls_fp2_mul_by_xi(&t, &s3);
    pv_bls_fp2_add(&r->c0, &s0, &t);
    pv_bls_fp2_mul_by_xi(&t, &s4);
    pv_bls_fp2_add(&r->c1, &s1, &t);
}

void pv_bls_fp6_mul_by_v(pv_bls_fp6 *r, const pv_bls_fp6 *a)
{
    pv_bls_fp2 t;
    pv_bls_fp2_mul_by_xi(&t, &a->c2);
    r->c2 = a->c1;
    r->c1 = a->c0;
    r->c0 = t;
}

void pv_bls_fp6_mul_by_01(pv_bls_fp6 *r, const pv_bls_fp6 *a, const pv_bls_fp2 *b0, const pv_bls_fp2 *b1)
{
    /* (a0 + a1 v + a2 v^2)(b0 + b1 v) = (a0 b0 + xi a2 b1) + (a0 b1 + a1 b0) v + (a1 b1 + a2 b0) v^2 */
    pv_bls_fp2 t0, t1, c0, c1, c2, s, u;
    pv_bls_fp2_mul(&t0, &a->c0, b0);
    pv_bls_fp2_mul(&t1, &a->c1, b1);
    pv_bls_fp2_mul(&c0, &a->c2, b1);
    pv_bls_fp2_mul_by_xi(&c0, &c0);
    pv_bls_fp2_add(&c0, &c0, &t0);
    pv_bls_fp2_add(&s, &a->c0, &a->c1);
    pv_bls_fp2_add(&u, b0, b1);
    pv_bls_fp2_mul(&c1, &s, &u);
    pv_bls_fp2_sub(&c1, &c1, &t0);
    pv_bls_fp2_sub(&c1, &c1, &t1);
    pv_bls_fp2_mul(&c2, &a->c2, b0);
    pv_bls_fp2_add(&c2, &c2, &t1);
    r->c0 = c0;
    r->c1 = c1;
    r->c2 = c2;
}

void pv_bls_fp6_mul_by_1(pv_bls_fp6 *r, const pv_bls_fp6 *a, const pv_bls_fp2 *b1)
{
    /* (a0 + a1 v + a2 v^2) b1 v = xi a2 b1 + a0 b1 v + a1 b1 v^2 */
    pv_bls_fp2 c0, c1, c2;
    pv_bls_fp2_mul(&c0, &a->c2, b1);
    pv_bls_fp2_mul_by_xi(&c0, &c0);
    pv_bls_fp2_mul(&c1, &a->c0, b1);
    pv_bls_fp2_mul(&c2, &a->c1, b1);
    r->c0 = c0;
    r->c1 = c1;
    r->c2 = c2;
}

void pv_bls_fp6_inv(pv_bls_fp6 *r, const pv_bls_fp6 *a)
{
    /* t0 = a0^2 - xi a1 a2, t1 = xi a2^2 - a0 a1, t2 = a1^2 - a0 a2,
     * a^-1 = (t0 + t1 v + t2 v^2) / (a0 t0 + xi (a2 t1 + a1 t2)) */
    pv_bls_fp2 t0, t1, t2, s, d;
    pv_bls_fp2_sqr(&t0, &a->c0);
    pv_bls_fp2_mul(&s, &a->c1, &a->c2);
    pv_bls_fp2_mul_by_xi(&s, &s);
    pv_bls_fp2_sub(&t0, &t0, &s);
    pv_bls_fp2_sqr(&t1, &a->c2);
    pv_bls_fp2_mul_by_xi(&t1, &t1);
    pv_bls_fp2_mul(&s, &a->c0, &a->c1);
    pv_bls_fp2_sub(&t1, &t1, &s);
    pv_bls_fp2_sqr(&t2, &a->c1);
    pv_bls_fp2_mul(&s, &a->c0, &a->c2);
    pv_bls_fp2_sub(&t2, &t2, &s);
    pv_bls_fp2_mul(&d, &a->c2, &t1);
    pv_bls_fp2_mul(&s, &a->c1, &t2);
    pv_bls_fp2_add(&d, &d, &s);
    pv_bls_fp2_mul_by_xi(&d, &d);
    pv_bls_fp2_mul(&s, &a->c0, &t0);
    pv_bls_fp2_add(&d, &d, &s);
    pv_bls_fp2_inv(&d, &d);
    pv_bls_fp2_mul(&r->c0, &t0, &d);
    pv_bls_fp2_mul(&r->c1, &t1, &d);
    pv_bls_fp2_mul(&r->c2, &t2, &d);
}

/* ---- Fp12 ---- */

void pv_bls_fp12_set_one(pv_bls_fp12 *r)
{
    pv_bls_fp6_set_one(&r->c0);
    pv_bls_fp6_set_zero(&r->c1);
}

bool pv_bls_fp12_is_one(const pv_bls_fp12 *a)
{
    pv_bls_fp12 one;
    pv_bls_fp12_set_one(&one);
    return pv_bls_fp12_eq(a, &one);
}

bool pv_bls_fp12_eq(const pv_bls_fp12 *a, const pv_bls_fp12 *b)
{
    return pv_bls_fp6_eq(&a->c0, &b->c0) && pv_bls_fp6_eq(&a->c1, &b->c1);
}

void pv_bls_fp12_mul(pv_bls_fp12 *r, const pv_bls_fp12 *a, const pv_bls_fp12 *b)
{
    pv_bls_fp6 t0, t1, s, u;
    pv_bls_fp6_mul(&t0, &a->c0, &b->c0);
    pv_bls_fp6_mul(&t1, &a->c1, &b->c1);
    pv_bls_fp6_add(&s, &a->c0, &a->c1);
    pv_bls_fp6_add(&u, &b->c0, &b->c1);
    pv_bls_fp6_mul(&s, &s, &u);
    pv_bls_fp6_sub(&s, &s, &t0);
    pv_bls_fp6_sub(&r->c1, &s, &t1);
    pv_bls_fp6_mul_by_v(&t1, &t1);
    pv_bls_fp6_add(&r->c0, &t0, &t1);
}

void pv_bls_fp12_sqr(pv_bls_fp12 *r, const pv_bls_fp12 *a)
{
    /* (c0 + c1 w)^2 = c0^2 + v c1^2 + 2 c0 c1 w;
     * c0^2 + v c1^2 = (c0 + c1)(c0 + v c1) - c0 c1 - v c0 c1 */
    pv_bls_fp6 ab, s, t;
    pv_bls_fp6_mul(&ab, &a->c0, &a->c1);
    pv_bls_fp6_add(&s, &a->c0, &a->c1);
    pv_bls_fp6_mul_by_v(&t, &a->c1);
    pv_bls_fp6_add(&t, &a->c0, &t);
    pv_bls_fp6_mul(&s, &s, &t);
    pv_bls_fp6_sub(&s, &s, &ab);
    pv_bls_fp6_mul_by_v(&t, &ab);
    pv_bls_fp6_sub(&r->c0, &s, &t);
    pv_bls_fp6_add(&r->c1, &ab, &ab);
}

void pv_bls_fp12_mul_by_014(pv_bls_fp12 *r, const pv_bls_fp12 *a, const pv_bls_fp2 *l0, const pv_bls_fp2 *l1,
                            const pv_bls_fp2 *l4)
{
    /* b = B0 + B1 w with B0 = l0 + l1 v, B1 = l4 v (Karatsuba over Fp6). */
    pv_bls_fp6 t0, t1, s;
    pv_bls_fp2 u;
    pv_bls_fp6_mul_by_01(&t0, &a->c0, l0, l1);
    pv_bls_fp6_mul_by_1(&t1, &a->c1, l4);
    pv_bls_fp6_add(&s, &a->c0, &a->c1);
    pv_bls_fp2_add(&u, l1, l4);
    pv_bls_fp6_mul_by_01(&s, &s, l0, &u);
    pv_bls_fp6_sub(&s, &s, &t0);
    pv_bls_fp6_sub(&r->c1, &s, &t1);
    pv_bls_fp6_mul_by_v(&t1, &t1);
    pv_bls_fp6_add(&r->c0, &t0, &t1);
}

void pv_bls_fp12_inv(pv_bls_fp12 *r, const pv_bls_fp12 *a)
{
    /* (c0 + c1 w)^-1 = (c0 - c1 w) / (c0^2 - v c1^2) */
    pv_bls_fp6 t0, t1;
    pv_bls_fp6_sqr(&t0, &a->c0);
    pv_bls_fp6_sqr(&t1, &a->c1);
    pv_bls_fp6_mul_by_v(&t1, &t1);
    pv_bls_fp6_sub(&t0, &t0, &t1);
    pv_bls_fp6_inv(&t0, &t0);
    pv_bls_fp6_mul(&r->c0, &a->c0, &t0);
    pv_bls_fp6_mul(&t1, &a->c1, &t0);
    pv_bls_fp6_neg(&r->c1, &t1);
}

void pv_bls_fp12_conj(pv_bls_fp12 *r, const pv_bls_fp12 *a)
{
    r->c0 = a->c0;
    pv_bls_fp6_neg(&r->c1, &a->c1);
}

void pv_bls_fp12_frobenius(pv_bls_fp12 *r, const pv_bls_fp12 *a)
{
    /* (sum c_i w^i)^p = sum conj(c_i) xi^(i(p-1)/6) w^i */
    pv_bls_fp2 t;
    pv_bls_fp2_conj(&r->c0.c0, &a->c0.c0);
    pv_bls_fp2_conj(&t, &a->c1.c0);
    pv_bls_fp2_mul(&r->c1.c0, &t, &FROB1[1]);
    pv_bls_fp2_conj(&t, &a->c0.c1);
    pv_bls_fp2_mul(&r->c0.c1, &t, &FROB1[2]);
    pv_bls_fp2_conj(&t, &a->c1.c1);
    pv_bls_fp2_mul(&r->c1.c1, &t, &FROB1[3]);
    pv_bls_fp2_conj(&t, &a->c0.c2);
    pv_bls_fp2_mul(&r->c0.c2, &t, &FROB1[4]);
    pv_bls_fp2_conj(&t, &a->c1.c2);
    pv_bls_fp2_mul(&r->c1.c2, &t, &FROB1[5]);
}

void pv_bls_fp12_frobenius2(pv_bls_fp12 *r, const pv_bls_fp12 *a)
{
    r->c0.c0 = a->c0.c0;
    pv_bls_fp2_mul_fp(&r->c1.c0, &a->c1.c0, &FROB2[1]);
    pv_bls_fp2_mul_fp(&r->c0.c1, &a->c0.c1, &FROB2[2]);
    pv_bls_fp2_neg(&r->c1.c1, &a->c1.c1); /* FROB2[3] = -1 */
    pv_bls_fp2_mul_fp(&r->c0.c2, &a->c0.c2, &FROB2[4]);
    pv_bls_fp2_mul_fp(&r->c1.c2, &a->c1.c2, &FROB2[5]);
}

/* (x + y s)^2 in Fp4 = Fp2[s]/(s^2 - xi): (x^2 + xi y^2) + ((x + y)^2 - x^2 - y^2) s */
static void fp4_sqr(pv_bls_fp2 *rx, pv_bls_fp2 *ry, const pv_bls_fp2 *x, const pv_bls_fp2 *y)
{
    pv_bls_fp2 x2, y2, s;
    pv_bls_fp2_sqr(&x2, x);
    pv_bls_fp2_sqr(&y2, y);
    pv_bls_fp2_add(&s, x, y);
    pv_bls_fp2_sqr(&s, &s);
    pv_bls_fp2_sub(&s, &s, &x2);
    pv_bls_fp2_sub(ry, &s, &y2);
    pv_bls_fp2_mul_by_xi(&y2, &y2);
    pv_bls_fp2_add(rx, &x2, &y2);
}

/* r = 3 t - 2 a and r = 3 t + 2 a */
static void three_minus_two(pv_bls_fp2 *r, const pv_bls_fp2 *t, const pv_bls_fp2 *a)
{
    pv_bls_fp2 d;
    pv_bls_fp2_sub(&d, t, a);
    pv_bls_fp2_dbl(&d, &d);
    pv_bls_fp2_add(r, &d, t);
}

static void three_plus_two(pv_bls_fp2 *r, const pv_bls_fp2 *t, const pv_bls_fp2 *a)
{
    pv_bls_fp2 d;
    pv_bls_fp2_add(&d, t, a);
    pv_bls_fp2_dbl(&d, &d);
    pv_bls_fp2_add(r, &d, t);
}

void pv_bls_fp12_cyclotomic_sqr(pv_bls_fp12 *r, const pv_bls_fp12 *a)
{
    /* Granger-Scott (PKC 2010): write a = z0 + z1 w + z2 w^2 over Fp4 = Fp2[s], s = w^3, so that
     * z0 = c0.c0 + c1.c1 s, z1 = c1.c0 + c0.c2 s, z2 = c0.c1 + c1.c2 s (w^4 = s w, w^5 = s w^2).
     * In the cyclotomic subgroup
     *   a^2 = (3 z0^2 - 2 conj(z0)) + (3 s z2^2 + 2 conj(z1)) w + (3 z1^2 - 2 conj(z2)) w^2,
     * conj being s -> -s. */
    pv_bls_fp2 t0, t1, t2, t3, t4, t5;
    fp4_sqr(&t0, &t1, &a->c0.c0, &a->c1.c1);
    fp4_sqr(&t2, &t3, &a->c1.c0, &a->c0.c2);
    fp4_sqr(&t4, &t5, &a->c0.c1, &a->c1.c2);
    pv_bls_fp2_mul_by_xi(&t5, &t5); /* s z2^2 = xi t5 + t4 s */
    three_minus_two(&r->c0.c0, &t0, &a->c0.c0);
    three_plus_two(&r->c1.c1, &t1, &a->c1.c1);
    three_minus_two(&r->c0.c1, &t2, &a->c0.c1);
    three_plus_two(&r->c1.c2, &t3, &a->c1.c2);
    three_plus_two(&r->c1.c0, &t5, &a->c1.c0);
    three_minus_two(&r->c0.c2, &t4, &a->c0.c2);
}

void pv_bls_fp12_cyclotomic_pow_u64(pv_bls_fp12 *r, const pv_bls_fp12 *a, uint64_t e)
{
    pv_bls_fp12 acc, base = *a;
    pv_bls_fp12_set_one(&acc);
    if (e == 0) {
        *r = acc;
        return;
    }
    int top = 63 - __builtin_clzll(e);
    acc = base;
    for (int i = top - 1; i >= 0; i--) {
        pv_bls_fp12_cyclotomic_sqr(&acc, &acc);
        if ((e >> i) & 1)
            pv_bls_fp12_mul(&acc, &acc, &base);
    }
    *r = acc;
}
