/* Optimal ate pairing on BLS12-381 (see bls12_381_pairing.h). */
#include "bls12_381_pairing.h"

#define FP(a, b, c, d, e, f) {{a##ULL, b##ULL, c##ULL, d##ULL, e##ULL, f##ULL}}

/* 3 b' = 12 (1 + u), Montgomery form. */
static const pv_bls_fp2 B3_G2 = {FP(0x447600000027552e, 0xdcb8009a43480020, 0x6f7ee9ce4a6e8b59, 0xb10330b7c0a95bc6,
                                    0x6140b1fcfb1e54b7, 0x0381be097f0bb4e1),
                                 FP(0x447600000027552e, 0xdcb8009a43480020, 0x6f7ee9ce4a6e8b59, 0xb10330b7c0a95bc6,
                                    0x6140b1fcfb1e54b7, 0x0381be097f0bb4e1)};

/* The Miller loop's running point on E' in homogeneous projective coordinates (x = X/Z, y = Y/Z). */
typedef struct { pv_bls_fp2 x, y, z; } proj;

/*
 * Lines are returned as (l0, l1, l4): evaluated at P = (xp, yp) the line is
 * l0 + (l1 xp) v + (l4 yp) v w, i.e. the line through points of psi(E') on E, times w^3 and a
 * factor in Fp2, both of which the final exponentiation removes.
 *
 * Doubling (Costello, Lange, Naehrig, "Faster pairing computations on curves with high-degree
 * twists", PKC 2010, adapted to b' = 4 (1 + u)):
 *   X3 = XY/2 (Y^2 - 9b'Z^2), Y3 = ((Y^2 + 9b'Z^2)/2)^2 - 27 b'^2 Z^4, Z3 = 2 Y^3 Z,
 *   line: l0 = 3b'Z^2 - Y^2, l1 = 3X^2, l4 = -2YZ.
 */
static void dbl_step(pv_bls_fp2 line[3], proj *t)
{
    pv_bls_fp2 a, b, c, e, f, g, h, x2;
    pv_bls_fp2_mul(&a, &t->x, &t->y);
    pv_bls_fp2_half(&a, &a);
    pv_bls_fp2_sqr(&b, &t->y);
    pv_bls_fp2_sqr(&c, &t->z);
    pv_bls_fp2_mul(&e, &c, &B3_G2);
    pv_bls_fp2_dbl(&f, &e);
    pv_bls_fp2_add(&f, &f, &e);
    pv_bls_fp2_add(&g, &b, &f);
    pv_bls_fp2_half(&g, &g);
    pv_bls_fp2_add(&h, &t->y, &t->z);
    pv_bls_fp2_sqr(&h, &h);
    pv_bls_fp2_sub(&h, &h, &b);
    pv_bls_fp2_sub(&h, &h, &c);
    pv_bls_fp2_sqr(&x2, &t->x);
    /* line */
    pv_bls_fp2_sub(&line[0], &e, &b);
    pv_bls_fp2_dbl(&line[1], &x2);
    pv_bls_fp2_add(&line[1], &line[1], &x2);
    pv_bls_fp2_neg(&line[2], &h);
    /* point */
    pv_bls_fp2_sub(&t->x, &b, &f);
    pv_bls_fp2_mul(&t->x, &t->x, &a);
    pv_bls_fp2_sqr(&g, &g);
    pv_bls_fp2_sqr(&e, &e);
    pv_bls_fp2_dbl(&f, &e);
    pv_bls_fp2_add(&f, &f, &e);
    pv_bls_fp2_sub(&t->y, &g, &f);
    pv_bls_fp2_mul(&t->z, &b, &h);
}

/*
 * Mixed addition T + Q (Q affine): theta = Y - yq Z, lambda = X - xq Z,
 *   C = theta^2, D = lambda^2, E = lambda^3, F = Z C, G = X D, H = E + F - 2G,
 *   X3 = lambda H, Y3 = theta (G - H) - E Y, Z3 = Z E,
 *   line: l0 = theta xq - lambda yq, l1 = -theta, l4 = lambda.
 * T != +-Q throughout the loop for Q of order r (T = [k]Q with 1 < k < |x| < r).
 */
static void add_step(pv_bls_fp2 line[3], proj *t, const pv_bls_g2_affine *q)
{
    pv_bls_fp2 theta, lambda, c, d, e, f, g, h, s;
    pv_bls_fp2_mul(&theta, &q->y, &t->z);
    pv_bls_fp2_sub(&theta, &t->y, &theta);
    pv_bls_fp2_mul(&lambda, &q->x, &t->z);
    pv_bls_fp2_sub(&lambda, &t->x, &lambda);
    pv_bls_fp2_sqr(&c, &theta);
    pv_bls_fp2_sqr(&d, &lambda);
    pv_bls_fp2_mul(&e, &lambda, &d);
    pv_bls_fp2_mul(&f, &t->z, &c);
    pv_bls_fp2_mul(&g, &t->x, &d);
    pv_bls_fp2_add(&h, &e, &f);
    pv_bls_fp2_sub(&h, &h, &g);
    pv_bls_fp2_sub(&h, &h, &g);
    /* line */
    pv_bls_fp2_mul(&line[0], &theta, &q->x);
    pv_bls_fp2_mul(&s, &lambda, &q->y);
    pv_bls_fp2_sub(&line[0], &line[0], &s);
    pv_bls_fp2_neg(&line[1], &theta);
    line[2] = lambda;
    /* point */
    pv_bls_fp2_mul(&t->x, &lambda, &h);
    pv_bls_fp2_sub(&g, &g, &h);
    pv_bls_fp2_mul(&g, &g, &theta);
    pv_bls_fp2_mul(&s, &e, &t->y);
    pv_bls_fp2_sub(&t->y, &g, &s);
    pv_bls_fp2_mul(&t->z, &t->z, &e);
}

/* f *= line(P) */
static void apply_line(pv_bls_fp12 *f, const pv_bls_fp2 line[3], const pv_bls_g1_affine *p)
{
    pv_bls_fp2 l1, l4;
    pv_bls_fp2_mul_fp(&l1, &line[1], &p->x);
    pv_bls_fp2_mul_fp(&l4, &line[2], &p->y);
    pv_bls_fp12_mul_by_014(f, f, &line[0], &l1, &l4);
}

static void proj_from_affine(proj *t, const pv_bls_g2_affine *q)
{
    t->x = q->x;
    t->y = q->y;
    pv_bls_fp2_set_one(&t->z);
}

void pv_bls_g2_prepare(pv_bls_g2_prepared *r, const pv_bls_g2_affine *q)
{
    r->infinity = q->infinity;
    if (q->infinity)
        return;
    proj t;
    proj_from_affine(&t, q);
    int k = 0;
    for (int i = 62; i >= 0; i--) {
        dbl_step(r->line[k++], &t);
        if ((PV_BLS_X_ABS >> i) & 1)
            add_step(r->line[k++], &t, q);
    }
}

#define CHUNK 8

void pv_bls_miller_loop(pv_bls_fp12 *f, const pv_bls_g1_affine *p, const pv_bls_g2_affine *q, size_t n)
{
    pv_bls_fp12 acc;
    pv_bls_fp12_set_one(&acc);
    /* Pairs go through in chunks sharing the squarings of f; the chunk's T points live on the
     * stack. */
    for (size_t base = 0; base < n; base += CHUNK) {
        proj t[CHUNK];
        size_t idx[CHUNK], m = 0;
        for (size_t i = base; i < n && i < base + CHUNK; i++) {
            if (p[i].infinity || q[i].infinity)
                continue;
            idx[m] = i;
            proj_from_affine(&t[m], &q[i]);
            m++;
        }
        if (m == 0)
            continue;
        pv_bls_fp12 g;
        pv_bls_fp12_set_one(&g);
        pv_bls_fp2 line[3];
        for (int i = 62; i >= 0; i--) {
            if (i != 62)
                pv_bls_fp12_sqr(&g, &g);
            for (size_t j = 0; j < m; j++) {
                dbl_step(line, &t[j]);
                apply_line(&g, line, &p[idx[j]]);
            }
            if ((PV_BLS_X_ABS >> i) & 1) {
                for (size_t j = 0; j < m; j++) {
                    add_step(line, &t[j], &q[idx[j]]);
                    apply_line(&g, line, &p[idx[j]]);
                }
            }
        }
        pv_bls_fp12_mul(&acc, &acc, &g);
    }
    /* x < 0: f_{x,Q} = 1 / f_{|x|,Q} up to factors the final exponentiation removes, and the
     * inverse is the conjugate there. */
    pv_bls_fp12_conj(f, &acc);
}

void pv_bls_miller_loop_prepared(pv_bls_fp12 *f, const pv_bls_g1_affine *p, const pv_bls_g2_prepared *const *q,
                                 size_t n)
{
    pv_bls_fp12 g;
    pv_bls_fp12_set_one(&g);
    int k = 0;
    for (int i = 62; i >= 0; i--) {
        if (i != 62)
            pv_bls_fp12_sqr(&g, &g);
        for (size_t j = 0; j < n; j++)
            if (!p[j].infinity && !q[j]->infinity)
                apply_line(&g, q[j]->line[k], &p[j]);
        k++;
        if ((PV_BLS_X_ABS >> i) & 1) {
            for (size_t j = 0; j < n; j++)
                if (!p[j].infinity && !q[j]->infinity)
                    apply_line(&g, q[j]->line[k], &p[j]);
            k++;
        }
    }
    pv_bls_fp12_conj(f, &g);
}

/* r = a^x for a in the cyclotomic subgroup (x < 0: conjugate of a^|x|). */
static void cyclotomic_exp_x(pv_bls_fp12 *r, const pv_bls_fp12 *a)
{
    pv_bls_fp12_cyclotomic_pow_u64(r, a, PV_BLS_X_ABS);
    pv_bls_fp12_conj(r, r);
}

void pv_bls_final_exponentiation(pv_bls_fp12 *r, const pv_bls_fp12 *f)
{
    /* Easy part: m = f^((p^6 - 1)(p^2 + 1)), now in the cyclotomic subgroup. */
    pv_bls_fp12 m, t, a, b, c;
    pv_bls_fp12_inv(&t, f);
    pv_bls_fp12_conj(&m, f);
    pv_bls_fp12_mul(&m, &m, &t);
    pv_bls_fp12_frobenius2(&t, &m);
    pv_bls_fp12_mul(&m, &m, &t);
    /* Hard part: m^((x - 1)^2 (x + p)(x^2 + p^2 - 1) + 3). */
    cyclotomic_exp_x(&a, &m); /* a = m^(x - 1) */
    pv_bls_fp12_conj(&t, &m);
    pv_bls_fp12_mul(&a, &a, &t);
    cyclotomic_exp_x(&t, &a); /* a = m^((x - 1)^2) */
    pv_bls_fp12_conj(&a, &a);
    pv_bls_fp12_mul(&a, &a, &t);
    cyclotomic_exp_x(&b, &a); /* b = a^(x + p) */
    pv_bls_fp12_frobenius(&t, &a);
    pv_bls_fp12_mul(&b, &b, &t);
    cyclotomic_exp_x(&c, &b); /* c = b^(x^2 + p^2 - 1) */
    cyclotomic_exp_x(&c, &c);
    pv_bls_fp12_frobenius2(&t, &b);
    pv_bls_fp12_mul(&c, &c, &t);
    pv_bls_fp12_conj(&t, &b);
    pv_bls_fp12_mul(&c, &c, &t);
    pv_bls_fp12_cyclotomic_sqr(&t, &m); /* times m^3 */
    pv_bls_fp12_mul(&t, &t, &m);
    pv_bls_fp12_mul(r, &c, &t);
}

void pv_bls_pairing(pv_bls_fp12 *r, const pv_bls_g1_affine *p, const pv_bls_g2_affine *q)
{
    pv_bls_fp12 f;
    pv_bls_miller_loop(&f, p, q, 1);
    pv_bls_final_exponentiation(r, &f);
}

bool pv_bls_pairing_check(const pv_bls_g1_affine *p, const pv_bls_g2_affine *q, size_t n)
{
    pv_bls_fp12 f;
    pv_bls_miller_loop(&f, p, q, n);
    pv_bls_final_exponentiation(&f, &f);
    return pv_bls_fp12_is_one(&f);
}

bool pv_bls_pairing_check_prepared(const pv_bls_g1_affine *p, const pv_bls_g2_prepared *const *q, size_t n)
{
    pv_bls_fp12 f;
    pv_bls_miller_loop_prepared(&f, p, q, n);
    pv_bls_final_exponentiation(&f, &f);
    return pv_bls_fp12_is_one(&f);
}
