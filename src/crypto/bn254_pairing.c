#include "bn254_pairing.h"

/* A point of the twist in homogeneous projective coordinates: (X/Z, Y/Z). */
typedef struct proj { pv_bn254_fp2 x, y, z; } proj;

/* The G1 point as the line evaluations need it. */
typedef struct g1_pre { pv_bn254_fp x, neg_x, y, neg_y; } g1_pre;

/* A line l0 + l1 w + l3 w^3 (scaled by a factor in Fp2, which the final exponentiation
 * removes). Under the untwisting (x, y) -> (x w^2, y w^3) the line through twist points with
 * slope s, evaluated at P = (xP, yP), is yP - s xP w + (s xT - yT) w^3. */
typedef struct line { pv_bn254_fp2 l0, l1, l3; } line;

/* T = 2T and the tangent at T evaluated at P (Aranha, Karabina, Longa, Gebotys, Lopez,
 * "Faster explicit formulas for computing pairings over ordinary curves", section 4):
 *   X3 = XY/2 (B - F), Y3 = ((B + F)/2)^2 - 3E^2, Z3 = B H,
 *   with B = Y^2, C = Z^2, E = 3b'C, F = 3E, H = (Y + Z)^2 - B - C = 2YZ;
 *   line = -H yP + 3X^2 xP w + (E - B) w^3 (the tangent times 2YZ, using the curve equation). */
static void dbl_step(proj *T, line *l, const g1_pre *P)
{
    pv_bn254_fp2 a, b, c, e, f, g, h, x2, t;
    pv_bn254_fp2_mul(&a, &T->x, &T->y);
    pv_bn254_fp2_half(&a, &a);
    pv_bn254_fp2_sqr(&b, &T->y);
    pv_bn254_fp2_sqr(&c, &T->z);
    pv_bn254_fp2_mul(&e, &c, &pv_bn254_twist_b);
    pv_bn254_fp2_dbl(&t, &e);
    pv_bn254_fp2_add(&e, &e, &t);             /* E = 3b' Z^2 */
    pv_bn254_fp2_dbl(&f, &e);
    pv_bn254_fp2_add(&f, &f, &e);             /* F = 3E */
    pv_bn254_fp2_add(&h, &T->y, &T->z);
    pv_bn254_fp2_sqr(&h, &h);
    pv_bn254_fp2_sub(&h, &h, &b);
    pv_bn254_fp2_sub(&h, &h, &c);             /* H = 2YZ */
    pv_bn254_fp2_sqr(&x2, &T->x);
    /* line */
    pv_bn254_fp2_mul_fp(&l->l0, &h, &P->neg_y);
    pv_bn254_fp2_dbl(&t, &x2);
    pv_bn254_fp2_add(&t, &t, &x2);
    pv_bn254_fp2_mul_fp(&l->l1, &t, &P->x);
    pv_bn254_fp2_sub(&l->l3, &e, &b);
    /* point */
    pv_bn254_fp2_sub(&t, &b, &f);
    pv_bn254_fp2_mul(&T->x, &a, &t);
    pv_bn254_fp2_add(&g, &b, &f);
    pv_bn254_fp2_half(&g, &g);
    pv_bn254_fp2_sqr(&g, &g);
    pv_bn254_fp2_sqr(&t, &e);
    pv_bn254_fp2_sub(&g, &g, &t);
    pv_bn254_fp2_dbl(&t, &t);
    pv_bn254_fp2_sub(&T->y, &g, &t);          /* Y3 = G^2 - 3E^2 */
    pv_bn254_fp2_mul(&T->z, &b, &h);
}

/* T = T + Q (Q affine, T != +-Q) and the line through them evaluated at P:
 *   theta = Y - yQ Z, lambda = X - xQ Z (slope theta/lambda),
 *   X3 = lambda H, Y3 = theta (X lambda^2 - H) - Y lambda^3, Z3 = Z lambda^3,
 *   H = lambda^3 + Z theta^2 - 2 X lambda^2;
 *   line = lambda yP - theta xP w + (theta xQ - lambda yQ) w^3 (the line times lambda). */
static void add_step(proj *T, line *l, const pv_bn254_fp2 *qx, const pv_bn254_fp2 *qy, const g1_pre *P)
{
    pv_bn254_fp2 theta, lambda, c, d, e, f, g, h, t;
    pv_bn254_fp2_mul(&t, qy, &T->z);
    pv_bn254_fp2_sub(&theta, &T->y, &t);
    pv_bn254_fp2_mul(&t, qx, &T->z);
    pv_bn254_fp2_sub(&lambda, &T->x, &t);
    pv_bn254_fp2_sqr(&c, &theta);
    pv_bn254_fp2_sqr(&d, &lambda);
    pv_bn254_fp2_mul(&e, &lambda, &d);
    pv_bn254_fp2_mul(&f, &T->z, &c);
    pv_bn254_fp2_mul(&g, &T->x, &d);
    pv_bn254_fp2_add(&h, &e, &f);
    pv_bn254_fp2_sub(&h, &h, &g);
    pv_bn254_fp2_sub(&h, &h, &g);
    pv_bn254_fp2_mul(&T->x, &lambda, &h);
    pv_bn254_fp2_sub(&t, &g, &h);
    pv_bn254_fp2_mul(&t, &theta, &t);
    pv_bn254_fp2_mul(&g, &T->y, &e);
    pv_bn254_fp2_sub(&T->y, &t, &g);
    pv_bn254_fp2_mul(&T->z, &T->z, &e);
    /* line */
    pv_bn254_fp2_mul_fp(&l->l0, &lambda, &P->y);
    pv_bn254_fp2_mul_fp(&l->l1, &theta, &P->neg_x);
    pv_bn254_fp2_mul(&t, &theta, qx);
    pv_bn254_fp2_mul(&g, &lambda, qy);
    pv_bn254_fp2_sub(&l->l3, &t, &g);
}

/* The Frobenius endomorphism of the twist on affine points: psi. */
static void twist_frobenius(pv_bn254_fp2 *rx, pv_bn254_fp2 *ry, const pv_bn254_fp2 *x, const pv_bn254_fp2 *y)
{
    pv_bn254_fp2_conj(rx, x);
    pv_bn254_fp2_mul(rx, rx, &pv_bn254_frob_gamma[2]);
    pv_bn254_fp2_conj(ry, y);
    pv_bn254_fp2_mul(ry, ry, &pv_bn254_frob_gamma[3]);
}

/* The width-w non-adjacent form of k (< 2^79), most significant digit first: digits 0 or odd
 * in (-2^(w-1), 2^(w-1)), each nonzero one followed by at least w - 1 zeros. Returns the count. */
static int wnaf(int8_t digits[80], pv_u128 k, int w)
{
    int8_t lsb_first[80];
    int n = 0;
    while (k) {
        int d = 0;
        if (k & 1) {
            d = (int)(k & (((pv_u128)1 << w) - 1));
            if (d >= 1 << (w - 1))
                d -= 1 << w;                  /* k - d is then divisible by 2^w */
            k = d > 0 ? k - (pv_u128)d : k + (pv_u128)-d;
        }
        lsb_first[n++] = (int8_t)d;
        k >>= 1;
    }
    for (int i = 0; i < n; i++)
        digits[i] = lsb_first[n - 1 - i];
    return n;
}

/* f = prod of the Miller-loop values of m <= PV_BN254_PAIRING_BATCH pairs, none at infinity. */
static void miller_batch(pv_bn254_fp12 *f, const pv_bn254_g1_affine *const *P,
                         const pv_bn254_g2_affine *const *Q, size_t m)
{
    proj T[PV_BN254_PAIRING_BATCH];
    g1_pre pre[PV_BN254_PAIRING_BATCH];
    pv_bn254_fp2 neg_qy[PV_BN254_PAIRING_BATCH];
    line l;
    for (size_t j = 0; j < m; j++) {
        pre[j].x = P[j]->x;
        pre[j].y = P[j]->y;
        pv_bn254_fp_neg(&pre[j].neg_x, &P[j]->x);
        pv_bn254_fp_neg(&pre[j].neg_y, &P[j]->y);
        T[j].x = Q[j]->x;
        T[j].y = Q[j]->y;
        pv_bn254_fp2_set_one(&T[j].z);
        pv_bn254_fp2_neg(&neg_qy[j], &Q[j]->y);
    }
    int8_t digits[80];
    int n = wnaf(digits, (pv_u128)6 * PV_BN254_U + 2, 2); /* NAF: 66 digits, 22 nonzero */
    pv_bn254_fp12_set_one(f);
    for (int i = 1; i < n; i++) {
        if (i > 1)
            pv_bn254_fp12_sqr(f, f);
        for (size_t j = 0; j < m; j++) {
            dbl_step(&T[j], &l, &pre[j]);
            pv_bn254_fp12_mul_by_013(f, f, &l.l0, &l.l1, &l.l3);
        }
        if (digits[i] == 0)
            continue;
        for (size_t j = 0; j < m; j++) {
            add_step(&T[j], &l, &Q[j]->x, digits[i] > 0 ? &Q[j]->y : &neg_qy[j], &pre[j]);
            pv_bn254_fp12_mul_by_013(f, f, &l.l0, &l.l1, &l.l3);
        }
    }
    /* The two extra lines of the optimal ate pairing: through pi(Q) and -pi^2(Q). */
    for (size_t j = 0; j < m; j++) {
        pv_bn254_fp2 x1, y1, x2, y2;
        twist_frobenius(&x1, &y1, &Q[j]->x, &Q[j]->y);
        twist_frobenius(&x2, &y2, &x1, &y1);
        pv_bn254_fp2_neg(&y2, &y2);
        add_step(&T[j], &l, &x1, &y1, &pre[j]);
        pv_bn254_fp12_mul_by_013(f, f, &l.l0, &l.l1, &l.l3);
        add_step(&T[j], &l, &x2, &y2, &pre[j]);
        pv_bn254_fp12_mul_by_013(f, f, &l.l0, &l.l1, &l.l3);
    }
}

void pv_bn254_miller_loop(pv_bn254_fp12 *f, const pv_bn254_g1_affine *P, const pv_bn254_g2_affine *Q,
                          size_t n)
{
    const pv_bn254_g1_affine *bp[PV_BN254_PAIRING_BATCH];
    const pv_bn254_g2_affine *bq[PV_BN254_PAIRING_BATCH];
    size_t m = 0;
    bool any = false;
    pv_bn254_fp12 g;
    pv_bn254_fp12_set_one(f);
    for (size_t i = 0; i <= n; i++) {
        if (i < n && !P[i].inf && !Q[i].inf) {
            bp[m] = &P[i];
            bq[m] = &Q[i];
            m++;
        }
        if (m == PV_BN254_PAIRING_BATCH || (i == n && m > 0)) {
            miller_batch(any ? &g : f, bp, bq, m);
            if (any)
                pv_bn254_fp12_mul(f, f, &g);
            any = true;
            m = 0;
        }
    }
}

/* r = a^u in the cyclotomic subgroup: width-4 NAF, 14 nonzero digits (16 multiplications with
 * the odd powers, against 23 for the plain NAF). */
static void pow_u(pv_bn254_fp12 *r, const pv_bn254_fp12 *a)
{
    int8_t digits[80];
    int n = wnaf(digits, PV_BN254_U, 4);
    pv_bn254_fp12_cyclotomic_pow(r, a, digits, n);
}

void pv_bn254_final_exp(pv_bn254_fp12 *r, const pv_bn254_fp12 *f)
{
    pv_bn254_fp12 t, m;
    /* Easy part: m = f^((p^6 - 1)(p^2 + 1)); m is then in the cyclotomic subgroup. */
    pv_bn254_fp12_inv(&t, f);
    pv_bn254_fp12_conj(&m, f);
    pv_bn254_fp12_mul(&m, &m, &t);
    pv_bn254_fp12_frobenius(&t, &m);
    pv_bn254_fp12_frobenius(&t, &t);
    pv_bn254_fp12_mul(&m, &m, &t);
    /* Hard part (p^4 - p^2 + 1)/r = l3 p^3 + l2 p^2 + l1 p + l0 with l3 = 1, l2 = 6u^2 + 1,
     * l1 = -36u^3 - 18u^2 - 12u + 1, l0 = -36u^3 - 30u^2 - 18u - 2 (Scott, Benger, Charlemagne,
     * Dominguez Perez, Kachisa, "On the final exponentiation for calculating pairings on
     * ordinary elliptic curves"): with
     *   y0 = m^p m^(p^2) m^(p^3), y1 = 1/m, y2 = (m^(u^2))^(p^2), y3 = 1/(m^u)^p,
     *   y4 = 1/(m^u (m^(u^2))^p), y5 = 1/m^(u^2), y6 = 1/(m^(u^3) (m^(u^3))^p),
     * the result is y0 y1^2 y2^6 y3^12 y4^18 y5^30 y6^36. */
    pv_bn254_fp12 mu, mu2, mu3, y0, y1, y2, y3, y4, y5, y6, t0, t1;
    pow_u(&mu, &m);
    pow_u(&mu2, &mu);
    pow_u(&mu3, &mu2);
    pv_bn254_fp12_frobenius(&t, &m);
    y0 = t;
    pv_bn254_fp12_frobenius(&t, &t);
    pv_bn254_fp12_mul(&y0, &y0, &t);
    pv_bn254_fp12_frobenius(&t, &t);
    pv_bn254_fp12_mul(&y0, &y0, &t);
    pv_bn254_fp12_conj(&y1, &m);
    pv_bn254_fp12_frobenius(&y2, &mu2);
    pv_bn254_fp12_frobenius(&y2, &y2);
    pv_bn254_fp12_frobenius(&y3, &mu);
    pv_bn254_fp12_conj(&y3, &y3);
    pv_bn254_fp12_frobenius(&y4, &mu2);
    pv_bn254_fp12_mul(&y4, &y4, &mu);
    pv_bn254_fp12_conj(&y4, &y4);
    pv_bn254_fp12_conj(&y5, &mu2);
    pv_bn254_fp12_frobenius(&y6, &mu3);
    pv_bn254_fp12_mul(&y6, &y6, &mu3);
    pv_bn254_fp12_conj(&y6, &y6);
    /* The addition chain for the exponents (1, 2, 6, 12, 18, 30, 36). */
    pv_bn254_fp12_cyclotomic_sqr(&t0, &y6);
    pv_bn254_fp12_mul(&t0, &t0, &y4);
    pv_bn254_fp12_mul(&t0, &t0, &y5);         /* y4 y5 y6^2 */
    pv_bn254_fp12_mul(&t1, &y3, &y5);
    pv_bn254_fp12_mul(&t1, &t1, &t0);         /* y3 y4 y5^2 y6^2 */
    pv_bn254_fp12_mul(&t0, &t0, &y2);         /* y2 y4 y5 y6^2 */
    pv_bn254_fp12_cyclotomic_sqr(&t1, &t1);
    pv_bn254_fp12_mul(&t1, &t1, &t0);
    pv_bn254_fp12_cyclotomic_sqr(&t1, &t1);   /* y2^2 y3^4 y4^6 y5^10 y6^12 */
    pv_bn254_fp12_mul(&t0, &t1, &y1);
    pv_bn254_fp12_mul(&t1, &t1, &y0);
    pv_bn254_fp12_cyclotomic_sqr(&t0, &t0);
    pv_bn254_fp12_mul(r, &t0, &t1);
}

void pv_bn254_pairing(pv_bn254_fp12 *r, const pv_bn254_g1_affine *P, const pv_bn254_g2_affine *Q)
{
    pv_bn254_fp12 f;
    pv_bn254_miller_loop(&f, P, Q, 1);
    pv_bn254_final_exp(r, &f);
}

bool pv_bn254_pairing_check(const pv_bn254_g1_affine *P, const pv_bn254_g2_affine *Q, size_t n)
{
    pv_bn254_fp12 f, e;
    pv_bn254_miller_loop(&f, P, Q, n);
    if (pv_bn254_fp12_is_one(&f))
        return true;                          /* no pairs, or all at infinity */
    pv_bn254_final_exp(&e, &f);
    return pv_bn254_fp12_is_one(&e);
}
