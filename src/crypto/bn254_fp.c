#include "bn254_fp.h"

/* e = (p + add) >> shift, add in -3..1: the exponents of inversion and square roots. */
static void p_exponent(uint64_t e[4], int add, int shift)
{
    uint64_t d[4] = {(uint64_t)(add < 0 ? -add : add), 0, 0, 0};
    if (add < 0)
        pv_limbs_sub(e, pv_bn254_p, d, 4);
    else
        pv_limbs_add(e, pv_bn254_p, d, 4);
    for (int s = 0; s < shift; s++) {
        for (int i = 0; i < 3; i++)
            e[i] = e[i] >> 1 | e[i + 1] << 63;
        e[3] >>= 1;
    }
}

void pv_bn254_fp_pow(pv_bn254_fp *r, const pv_bn254_fp *a, const uint64_t *e, int e_limbs)
{
    pv_mont_pow(r->l, a->l, e, e_limbs, pv_bn254_fp_one.l, pv_bn254_p, PV_BN254_PINV, 4);
}

void pv_bn254_fp_inv(pv_bn254_fp *r, const pv_bn254_fp *a)
{
    pv_mont_inv(r->l, a->l, pv_bn254_p, PV_BN254_PINV, pv_bn254_r2, 4);
}

bool pv_bn254_fp_sqrt(pv_bn254_fp *r, const pv_bn254_fp *a)
{
    /* p = 3 mod 4: a^((p+1)/4) is a root when one exists. */
    uint64_t e[4];
    pv_bn254_fp s, s2;
    p_exponent(e, 1, 2);
    pv_bn254_fp_pow(&s, a, e, 4);
    pv_bn254_fp_sqr(&s2, &s);
    if (!pv_bn254_fp_eq(&s2, a))
        return false;
    *r = s;
    return true;
}

void pv_bn254_fp2_mul(pv_bn254_fp2 *r, const pv_bn254_fp2 *a, const pv_bn254_fp2 *b)
{
    pv_bn254_fp t0, t1, sa, sb;
    pv_bn254_fp_mul(&t0, &a->c0, &b->c0);
    pv_bn254_fp_mul(&t1, &a->c1, &b->c1);
    pv_bn254_fp_add(&sa, &a->c0, &a->c1);
    pv_bn254_fp_add(&sb, &b->c0, &b->c1);
    pv_bn254_fp_mul(&sa, &sa, &sb);          /* (a0 + a1)(b0 + b1) */
    pv_bn254_fp_sub(&r->c0, &t0, &t1);       /* a0 b0 - a1 b1 */
    pv_bn254_fp_sub(&sa, &sa, &t0);
    pv_bn254_fp_sub(&r->c1, &sa, &t1);       /* a0 b1 + a1 b0 */
}

void pv_bn254_fp2_sqr(pv_bn254_fp2 *r, const pv_bn254_fp2 *a)
{
    pv_bn254_fp s, d, m;
    pv_bn254_fp_add(&s, &a->c0, &a->c1);
    pv_bn254_fp_sub(&d, &a->c0, &a->c1);
    pv_bn254_fp_mul(&m, &a->c0, &a->c1);
    pv_bn254_fp_mul(&r->c0, &s, &d);         /* a0^2 - a1^2 */
    pv_bn254_fp_dbl(&r->c1, &m);             /* 2 a0 a1 */
}

void pv_bn254_fp2_mul_fp(pv_bn254_fp2 *r, const pv_bn254_fp2 *a, const pv_bn254_fp *b)
{
    pv_bn254_fp_mul(&r->c0, &a->c0, b);
    pv_bn254_fp_mul(&r->c1, &a->c1, b);
}

void pv_bn254_fp2_mul_xi(pv_bn254_fp2 *r, const pv_bn254_fp2 *a)
{
    /* (a0 + a1 i)(9 + i) = (9 a0 - a1) + (9 a1 + a0) i */
    pv_bn254_fp n0, n1;
    pv_bn254_fp_dbl(&n0, &a->c0);
    pv_bn254_fp_dbl(&n0, &n0);
    pv_bn254_fp_dbl(&n0, &n0);
    pv_bn254_fp_add(&n0, &n0, &a->c0);       /* 9 a0 */
    pv_bn254_fp_dbl(&n1, &a->c1);
    pv_bn254_fp_dbl(&n1, &n1);
    pv_bn254_fp_dbl(&n1, &n1);
    pv_bn254_fp_add(&n1, &n1, &a->c1);       /* 9 a1 */
    pv_bn254_fp_sub(&n0, &n0, &a->c1);
    pv_bn254_fp_add(&r->c1, &n1, &a->c0);
    r->c0 = n0;
}

void pv_bn254_fp2_inv(pv_bn254_fp2 *r, const pv_bn254_fp2 *a)
{
    /* 1/(a0 + a1 i) = (a0 - a1 i) / (a0^2 + a1^2) */
    pv_bn254_fp n, t;
    pv_bn254_fp_sqr(&n, &a->c0);
    pv_bn254_fp_sqr(&t, &a->c1);
    pv_bn254_fp_add(&n, &n, &t);
    pv_bn254_fp_inv(&n, &n);
    pv_bn254_fp_mul(&r->c0, &a->c0, &n);
    pv_bn254_fp_mul(&t, &a->c1, &n);
    pv_bn254_fp_neg(&r->c1, &t);
}

void pv_bn254_fp2_pow(pv_bn254_fp2 *r, const pv_bn254_fp2 *a, const uint64_t *e, int e_limbs)
{
    pv_bn254_fp2 acc, base = *a;
    pv_bn254_fp2_set_one(&acc);
    for (int i = e_limbs - 1; i >= 0; i--) {
        for (int bit = 63; bit >= 0; bit--) {
            pv_bn254_fp2_sqr(&acc, &acc);
            if ((e[i] >> bit) & 1)
                pv_bn254_fp2_mul(&acc, &acc, &base);
        }
    }
    *r = acc;
}

bool pv_bn254_fp2_sqrt(pv_bn254_fp2 *r, const pv_bn254_fp2 *a)
{
    /* Adj and Rodriguez-Henriquez, "Square root computation over even extension fields",
     * algorithm 9 (q = p^2 with p = 3 mod 4). The result is checked by squaring. */
    if (pv_bn254_fp2_is_zero(a)) {
        pv_bn254_fp2_set_zero(r);
        return true;
    }
    uint64_t e[4];
    pv_bn254_fp2 a1, alpha, x0, x, t;
    p_exponent(e, -3, 2);
    pv_bn254_fp2_pow(&a1, a, e, 4);          /* a^((p-3)/4) */
    pv_bn254_fp2_mul(&x0, &a1, a);           /* a^((p+1)/4) */
    pv_bn254_fp2_mul(&alpha, &a1, &x0);      /* a^((p-1)/2) */
    pv_bn254_fp2 minus_one;
    pv_bn254_fp2_set_one(&minus_one);
    pv_bn254_fp2_neg(&minus_one, &minus_one);
    if (pv_bn254_fp2_eq(&alpha, &minus_one)) {
        /* x = i * x0 */
        pv_bn254_fp_neg(&x.c0, &x0.c1);
        x.c1 = x0.c0;
    } else {
        pv_bn254_fp2 b, one;
        pv_bn254_fp2_set_one(&one);
        pv_bn254_fp2_add(&b, &alpha, &one);
        p_exponent(e, -1, 1);
        pv_bn254_fp2_pow(&b, &b, e, 4);      /* (1 + alpha)^((p-1)/2) */
        pv_bn254_fp2_mul(&x, &b, &x0);
    }
    pv_bn254_fp2_sqr(&t, &x);
    if (!pv_bn254_fp2_eq(&t, a))
        return false;
    *r = x;
    return true;
}
