#include "bn254_tower.h"

/* xi^(j(p-1)/6) in Montgomery form (recomputed with GMP by tests/unit/test_bn254.c). */
const pv_bn254_fp2 pv_bn254_frob_gamma[6] = {
    {{{0}}, {{0}}},
    {{{0xaf9ba69633144907ULL, 0xca6b1d7387afb78aULL, 0x11bded5ef08a2087ULL, 0x02f34d751a1f3a7cULL}},
     {{0xa222ae234c492d72ULL, 0xd00f02a4565de15bULL, 0xdc2ff3a253dfc926ULL, 0x10a75716b3899551ULL}}},
    {{{0xb5773b104563ab30ULL, 0x347f91c8a9aa6454ULL, 0x7a007127242e0991ULL, 0x1956bcd8118214ecULL}},
     {{0x6e849f1ea0aa4757ULL, 0xaa1c7b6d89f89141ULL, 0xb6e713cdfae0ca3aULL, 0x26694fbb4e82ebc3ULL}}},
    {{{0xe4bbdd0c2936b629ULL, 0xbb30f162e133bacbULL, 0x31a9d1b6f9645366ULL, 0x253570bea500f8ddULL}},
     {{0xa1d77ce45ffe77c7ULL, 0x07affd117826d1dbULL, 0x6d16bd27bb7edc6bULL, 0x2c87200285defeccULL}}},
    {{{0x7361d77f843abe92ULL, 0xa5bb2bd3273411fbULL, 0x9c941f314b3e2399ULL, 0x15df9cddbb9fd3ecULL}},
     {{0x5dddfd154bd8c949ULL, 0x62cb29a5a4445b60ULL, 0x37bc870a0c7dd2b9ULL, 0x24830a9d3171f0fdULL}}},
    {{{0xc970692f41690fe7ULL, 0xe240342127694b0bULL, 0x32bee66b83c459e8ULL, 0x12aabced0ab08841ULL}},
     {{0x0d485d2340aebfa9ULL, 0x05193418ab2fcc57ULL, 0xd3b0a40b8a4910f5ULL, 0x2f21ebb535d2925aULL}}},
};

/* ---- Fp6 ---- */

void pv_bn254_fp6_add(pv_bn254_fp6 *r, const pv_bn254_fp6 *a, const pv_bn254_fp6 *b)
{
    pv_bn254_fp2_add(&r->c0, &a->c0, &b->c0);
    pv_bn254_fp2_add(&r->c1, &a->c1, &b->c1);
    pv_bn254_fp2_add(&r->c2, &a->c2, &b->c2);
}

void pv_bn254_fp6_sub(pv_bn254_fp6 *r, const pv_bn254_fp6 *a, const pv_bn254_fp6 *b)
{
    pv_bn254_fp2_sub(&r->c0, &a->c0, &b->c0);
    pv_bn254_fp2_sub(&r->c1, &a->c1, &b->c1);
    pv_bn254_fp2_sub(&r->c2, &a->c2, &b->c2);
}

void pv_bn254_fp6_neg(pv_bn254_fp6 *r, const pv_bn254_fp6 *a)
{
    pv_bn254_fp2_neg(&r->c0, &a->c0);
    pv_bn254_fp2_neg(&r->c1, &a->c1);
    pv_bn254_fp2_neg(&r->c2, &a->c2);
}

void pv_bn254_fp6_mul(pv_bn254_fp6 *r, const pv_bn254_fp6 *a, const pv_bn254_fp6 *b)
{
    /* Karatsuba: 6 Fp2 multiplications. */
    pv_bn254_fp2 t0, t1, t2, sa, sb, c0, c1, c2;
    pv_bn254_fp2_mul(&t0, &a->c0, &b->c0);
    pv_bn254_fp2_mul(&t1, &a->c1, &b->c1);
    pv_bn254_fp2_mul(&t2, &a->c2, &b->c2);
    /* c0 = xi((a1 + a2)(b1 + b2) - t1 - t2) + t0 */
    pv_bn254_fp2_add(&sa, &a->c1, &a->c2);
    pv_bn254_fp2_add(&sb, &b->c1, &b->c2);
    pv_bn254_fp2_mul(&c0, &sa, &sb);
    pv_bn254_fp2_sub(&c0, &c0, &t1);
    pv_bn254_fp2_sub(&c0, &c0, &t2);
    pv_bn254_fp2_mul_xi(&c0, &c0);
    pv_bn254_fp2_add(&c0, &c0, &t0);
    /* c1 = (a0 + a1)(b0 + b1) - t0 - t1 + xi t2 */
    pv_bn254_fp2_add(&sa, &a->c0, &a->c1);
    pv_bn254_fp2_add(&sb, &b->c0, &b->c1);
    pv_bn254_fp2_mul(&c1, &sa, &sb);
    pv_bn254_fp2_sub(&c1, &c1, &t0);
    pv_bn254_fp2_sub(&c1, &c1, &t1);
    pv_bn254_fp2_mul_xi(&sa, &t2);
    pv_bn254_fp2_add(&c1, &c1, &sa);
    /* c2 = (a0 + a2)(b0 + b2) - t0 - t2 + t1 */
    pv_bn254_fp2_add(&sa, &a->c0, &a->c2);
    pv_bn254_fp2_add(&sb, &b->c0, &b->c2);
    pv_bn254_fp2_mul(&c2, &sa, &sb);
    pv_bn254_fp2_sub(&c2, &c2, &t0);
    pv_bn254_fp2_sub(&c2, &c2, &t2);
    pv_bn254_fp2_add(&r->c2, &c2, &t1);
    r->c0 = c0;
    r->c1 = c1;
}

void pv_bn254_fp6_sqr(pv_bn254_fp6 *r, const pv_bn254_fp6 *a)
{
    /* Chung-Hasan SQR2: 2 multiplications and 3 squarings in Fp2. */
    pv_bn254_fp2 s0, s1, s2, s3, s4, t;
    pv_bn254_fp2_sqr(&s0, &a->c0);
    pv_bn254_fp2_mul(&s1, &a->c0, &a->c1);
    pv_bn254_fp2_dbl(&s1, &s1);
    pv_bn254_fp2_sub(&t, &a->c0, &a->c1);
    pv_bn254_fp2_add(&t, &t, &a->c2);
    pv_bn254_fp2_sqr(&s2, &t);
    pv_bn254_fp2_mul(&s3, &a->c1, &a->c2);
    pv_bn254_fp2_dbl(&s3, &s3);
    pv_bn254_fp2_sqr(&s4, &a->c2);
    /* c2 = s1 + s2 + s3 - s0 - s4 */
    pv_bn254_fp2_add(&t, &s1, &s2);
    pv_bn254_fp2_add(&t, &t, &s3);
    pv_bn254_fp2_sub(&t, &t, &s0);
    pv_bn254_fp2_sub(&r->c2, &t, &s4);
    /* c0 = xi s3 + s0, c1 = xi s4 + s1 */
    pv_bn254_fp2_mul_xi(&s3, &s3);
    pv_bn254_fp2_add(&r->c0, &s3, &s0);
    pv_bn254_fp2_mul_xi(&s4, &s4);
    pv_bn254_fp2_add(&r->c1, &s4, &s1);
}

void pv_bn254_fp6_mul_by_v(pv_bn254_fp6 *r, const pv_bn254_fp6 *a)
{
    pv_bn254_fp2 t;
    pv_bn254_fp2_mul_xi(&t, &a->c2);
    r->c2 = a->c1;
    r->c1 = a->c0;
    r->c0 = t;
}

void pv_bn254_fp6_mul_by_01(pv_bn254_fp6 *r, const pv_bn254_fp6 *a, const pv_bn254_fp2 *b0,
                            const pv_bn254_fp2 *b1)
{
    pv_bn254_fp2 t0, t1, c0, c1, sa, sb;
    pv_bn254_fp2_mul(&t0, &a->c0, b0);
    pv_bn254_fp2_mul(&t1, &a->c1, b1);
    /* c0 = t0 + xi a2 b1 */
    pv_bn254_fp2_mul(&c0, &a->c2, b1);
    pv_bn254_fp2_mul_xi(&c0, &c0);
    pv_bn254_fp2_add(&c0, &c0, &t0);
    /* c1 = (a0 + a1)(b0 + b1) - t0 - t1 */
    pv_bn254_fp2_add(&sa, &a->c0, &a->c1);
    pv_bn254_fp2_add(&sb, b0, b1);
    pv_bn254_fp2_mul(&c1, &sa, &sb);
    pv_bn254_fp2_sub(&c1, &c1, &t0);
    pv_bn254_fp2_sub(&c1, &c1, &t1);
    /* c2 = t1 + a2 b0 */
    pv_bn254_fp2_mul(&sa, &a->c2, b0);
    pv_bn254_fp2_add(&r->c2, &sa, &t1);
    r->c0 = c0;
    r->c1 = c1;
}

void pv_bn254_fp6_inv(pv_bn254_fp6 *r, const pv_bn254_fp6 *a)
{
    pv_bn254_fp2 c0, c1, c2, t, u;
    /* c0 = a0^2 - xi a1 a2, c1 = xi a2^2 - a0 a1, c2 = a1^2 - a0 a2 */
    pv_bn254_fp2_sqr(&c0, &a->c0);
    pv_bn254_fp2_mul(&t, &a->c1, &a->c2);
    pv_bn254_fp2_mul_xi(&t, &t);
    pv_bn254_fp2_sub(&c0, &c0, &t);
    pv_bn254_fp2_sqr(&c1, &a->c2);
    pv_bn254_fp2_mul_xi(&c1, &c1);
    pv_bn254_fp2_mul(&t, &a->c0, &a->c1);
    pv_bn254_fp2_sub(&c1, &c1, &t);
    pv_bn254_fp2_sqr(&c2, &a->c1);
    pv_bn254_fp2_mul(&t, &a->c0, &a->c2);
    pv_bn254_fp2_sub(&c2, &c2, &t);
    /* norm = a0 c0 + xi (a2 c1 + a1 c2) */
    pv_bn254_fp2_mul(&t, &a->c2, &c1);
    pv_bn254_fp2_mul(&u, &a->c1, &c2);
    pv_bn254_fp2_add(&t, &t, &u);
    pv_bn254_fp2_mul_xi(&t, &t);
    pv_bn254_fp2_mul(&u, &a->c0, &c0);
    pv_bn254_fp2_add(&t, &t, &u);
    pv_bn254_fp2_inv(&t, &t);
    pv_bn254_fp2_mul(&r->c0, &c0, &t);
    pv_bn254_fp2_mul(&r->c1, &c1, &t);
    pv_bn254_fp2_mul(&r->c2, &c2, &t);
}

/* ---- Fp12 ---- */

void pv_bn254_fp12_set_one(pv_bn254_fp12 *r)
{
    memset(r, 0, sizeof *r);
    r->c0.c0.c0 = pv_bn254_fp_one;
}

bool pv_bn254_fp12_eq(const pv_bn254_fp12 *a, const pv_bn254_fp12 *b)
{
    const pv_bn254_fp2 *x = &a->c0.c0, *y = &b->c0.c0;
    for (int i = 0; i < 6; i++)
        if (!pv_bn254_fp2_eq(&x[i], &y[i]))
            return false;
    return true;
}

bool pv_bn254_fp12_is_one(const pv_bn254_fp12 *a)
{
    pv_bn254_fp12 one;
    pv_bn254_fp12_set_one(&one);
    return pv_bn254_fp12_eq(a, &one);
}

void pv_bn254_fp12_mul(pv_bn254_fp12 *r, const pv_bn254_fp12 *a, const pv_bn254_fp12 *b)
{
    pv_bn254_fp6 t0, t1, sa, sb;
    pv_bn254_fp6_mul(&t0, &a->c0, &b->c0);
    pv_bn254_fp6_mul(&t1, &a->c1, &b->c1);
    pv_bn254_fp6_add(&sa, &a->c0, &a->c1);
    pv_bn254_fp6_add(&sb, &b->c0, &b->c1);
    pv_bn254_fp6_mul(&sa, &sa, &sb);
    pv_bn254_fp6_sub(&sa, &sa, &t0);
    pv_bn254_fp6_sub(&r->c1, &sa, &t1);
    pv_bn254_fp6_mul_by_v(&t1, &t1);
    pv_bn254_fp6_add(&r->c0, &t0, &t1);
}

void pv_bn254_fp12_sqr(pv_bn254_fp12 *r, const pv_bn254_fp12 *a)
{
    /* Complex squaring: c0 = (a0 + a1)(a0 + v a1) - t - v t, c1 = 2t with t = a0 a1. */
    pv_bn254_fp6 t, s, u;
    pv_bn254_fp6_mul(&t, &a->c0, &a->c1);
    pv_bn254_fp6_add(&s, &a->c0, &a->c1);
    pv_bn254_fp6_mul_by_v(&u, &a->c1);
    pv_bn254_fp6_add(&u, &u, &a->c0);
    pv_bn254_fp6_mul(&s, &s, &u);
    pv_bn254_fp6_sub(&s, &s, &t);
    pv_bn254_fp6_mul_by_v(&u, &t);
    pv_bn254_fp6_sub(&r->c0, &s, &u);
    pv_bn254_fp6_add(&r->c1, &t, &t);
}

void pv_bn254_fp12_mul_by_013(pv_bn254_fp12 *r, const pv_bn254_fp12 *a, const pv_bn254_fp2 *l0,
                              const pv_bn254_fp2 *l1, const pv_bn254_fp2 *l3)
{
    /* a * (L0 + L1 w) with L0 = l0 and L1 = l1 + l3 v (Karatsuba over Fp6). */
    pv_bn254_fp6 t0, t1, s;
    pv_bn254_fp2 b0;
    pv_bn254_fp2_mul(&t0.c0, &a->c0.c0, l0);
    pv_bn254_fp2_mul(&t0.c1, &a->c0.c1, l0);
    pv_bn254_fp2_mul(&t0.c2, &a->c0.c2, l0);
    pv_bn254_fp6_mul_by_01(&t1, &a->c1, l1, l3);
    pv_bn254_fp6_add(&s, &a->c0, &a->c1);
    pv_bn254_fp2_add(&b0, l0, l1);
    pv_bn254_fp6_mul_by_01(&s, &s, &b0, l3);
    pv_bn254_fp6_sub(&s, &s, &t0);
    pv_bn254_fp6_sub(&r->c1, &s, &t1);
    pv_bn254_fp6_mul_by_v(&t1, &t1);
    pv_bn254_fp6_add(&r->c0, &t0, &t1);
}

void pv_bn254_fp12_conj(pv_bn254_fp12 *r, const pv_bn254_fp12 *a)
{
    r->c0 = a->c0;
    pv_bn254_fp6_neg(&r->c1, &a->c1);
}

void pv_bn254_fp12_inv(pv_bn254_fp12 *r, const pv_bn254_fp12 *a)
{
    /* 1/(a0 + a1 w) = (a0 - a1 w) / (a0^2 - v a1^2) */
    pv_bn254_fp6 t0, t1;
    pv_bn254_fp6_sqr(&t0, &a->c0);
    pv_bn254_fp6_sqr(&t1, &a->c1);
    pv_bn254_fp6_mul_by_v(&t1, &t1);
    pv_bn254_fp6_sub(&t0, &t0, &t1);
    pv_bn254_fp6_inv(&t0, &t0);
    pv_bn254_fp6_mul(&r->c0, &a->c0, &t0);
    pv_bn254_fp6_mul(&t1, &a->c1, &t0);
    pv_bn254_fp6_neg(&r->c1, &t1);
}

void pv_bn254_fp12_frobenius(pv_bn254_fp12 *r, const pv_bn254_fp12 *a)
{
    /* The coefficient of w^j becomes conj(coefficient) * gamma_j. */
    const pv_bn254_fp2 *g = pv_bn254_frob_gamma;
    pv_bn254_fp2 t;
    pv_bn254_fp2_conj(&r->c0.c0, &a->c0.c0);
    pv_bn254_fp2_conj(&t, &a->c1.c0);
    pv_bn254_fp2_mul(&r->c1.c0, &t, &g[1]);
    pv_bn254_fp2_conj(&t, &a->c0.c1);
    pv_bn254_fp2_mul(&r->c0.c1, &t, &g[2]);
    pv_bn254_fp2_conj(&t, &a->c1.c1);
    pv_bn254_fp2_mul(&r->c1.c1, &t, &g[3]);
    pv_bn254_fp2_conj(&t, &a->c0.c2);
    pv_bn254_fp2_mul(&r->c0.c2, &t, &g[4]);
    pv_bn254_fp2_conj(&t, &a->c1.c2);
    pv_bn254_fp2_mul(&r->c1.c2, &t, &g[5]);
}

/* Squaring in Fp4 = Fp2[s]/(s^2 - xi): (x + y s)^2 = (x^2 + xi y^2) + 2xy s. */
static void fp4_sqr(pv_bn254_fp2 *rx, pv_bn254_fp2 *ry, const pv_bn254_fp2 *x, const pv_bn254_fp2 *y)
{
    pv_bn254_fp2 t0, t1, s;
    pv_bn254_fp2_sqr(&t0, x);
    pv_bn254_fp2_sqr(&t1, y);
    pv_bn254_fp2_add(&s, x, y);
    pv_bn254_fp2_sqr(&s, &s);
    pv_bn254_fp2_sub(&s, &s, &t0);
    pv_bn254_fp2_sub(ry, &s, &t1);
    pv_bn254_fp2_mul_xi(&t1, &t1);
    pv_bn254_fp2_add(rx, &t0, &t1);
}

/* r = 3 a - 2 b and r = 3 a + 2 b. */
static void three_minus_two(pv_bn254_fp2 *r, const pv_bn254_fp2 *a, const pv_bn254_fp2 *b)
{
    pv_bn254_fp2 t;
    pv_bn254_fp2_sub(&t, a, b);
    pv_bn254_fp2_dbl(&t, &t);
    pv_bn254_fp2_add(r, &t, a);
}
static void three_plus_two(pv_bn254_fp2 *r, const pv_bn254_fp2 *a, const pv_bn254_fp2 *b)
{
    pv_bn254_fp2 t;
    pv_bn254_fp2_add(&t, a, b);
    pv_bn254_fp2_dbl(&t, &t);
    pv_bn254_fp2_add(r, &t, a);
}

void pv_bn254_fp12_cyclotomic_sqr(pv_bn254_fp12 *r, const pv_bn254_fp12 *a)
{
    /* Granger-Scott. View Fp12 as Fp4[z]/(z^3 - s) with z = w, s = w^3, Fp4 = Fp2[s]:
     *   a = A0 + A1 z + A2 z^2, A0 = (g0, g3), A1 = (g1, g4), A2 = (g2, g5)
     * (g_j the coefficient of w^j). In the cyclotomic subgroup
     *   a^2 = (3 A0^2 - 2 conj A0) + (3 s A2^2 + 2 conj A1) z + (3 A1^2 - 2 conj A2) z^2
     * with conj(x + y s) = x - y s. */
    pv_bn254_fp2 x0, y0, x1, y1, x2, y2, t;
    fp4_sqr(&x0, &y0, &a->c0.c0, &a->c1.c1);  /* A0^2 */
    fp4_sqr(&x1, &y1, &a->c1.c0, &a->c0.c2);  /* A1^2 */
    fp4_sqr(&x2, &y2, &a->c0.c1, &a->c1.c2);  /* A2^2 */
    pv_bn254_fp12 o;
    three_minus_two(&o.c0.c0, &x0, &a->c0.c0);
    three_plus_two(&o.c1.c1, &y0, &a->c1.c1);
    pv_bn254_fp2_mul_xi(&t, &y2);             /* s A2^2 = xi y2 + x2 s */
    three_plus_two(&o.c1.c0, &t, &a->c1.c0);
    three_minus_two(&o.c0.c2, &x2, &a->c0.c2);
    three_minus_two(&o.c0.c1, &x1, &a->c0.c1);
    three_plus_two(&o.c1.c2, &y1, &a->c1.c2);
    *r = o;
}

void pv_bn254_fp12_cyclotomic_pow(pv_bn254_fp12 *r, const pv_bn254_fp12 *a, const int8_t *digits,
                                  int n_digits)
{
    /* Odd powers a, a^3, ..., a^(2m+1) for the largest digit; negative digits use conjugates. */
    int max = 1;
    for (int i = 0; i < n_digits; i++) {
        int d = digits[i] < 0 ? -digits[i] : digits[i];
        if (d > max)
            max = d;
    }
    pv_bn254_fp12 odd[8], a2, acc, m;
    odd[0] = *a;
    if (max > 1) {
        pv_bn254_fp12_cyclotomic_sqr(&a2, a);
        for (int j = 1; 2 * j + 1 <= max; j++)
            pv_bn254_fp12_mul(&odd[j], &odd[j - 1], &a2);
    }
    bool started = false;
    pv_bn254_fp12_set_one(&acc);
    for (int i = 0; i < n_digits; i++) {
        if (started)
            pv_bn254_fp12_cyclotomic_sqr(&acc, &acc);
        int d = digits[i];
        if (d == 0)
            continue;
        if (d > 0)
            m = odd[d >> 1];
        else
            pv_bn254_fp12_conj(&m, &odd[(-d) >> 1]);
        if (started) {
            pv_bn254_fp12_mul(&acc, &acc, &m);
        } else {
            acc = m;
            started = true;
        }
    }
    *r = acc;
}

void pv_bn254_fp12_pow(pv_bn254_fp12 *r, const pv_bn254_fp12 *a, const uint64_t *e, int e_limbs)
{
    pv_bn254_fp12 acc, base = *a;
    pv_bn254_fp12_set_one(&acc);
    for (int i = e_limbs - 1; i >= 0; i--) {
        for (int bit = 63; bit >= 0; bit--) {
            pv_bn254_fp12_sqr(&acc, &acc);
            if ((e[i] >> bit) & 1)
                pv_bn254_fp12_mul(&acc, &acc, &base);
        }
    }
    *r = acc;
}
