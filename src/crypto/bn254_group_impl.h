/*
 * The group law of y^2 = x^3 + b in Jacobian coordinates and wNAF scalar multiplication,
 * written once for both BN254 groups. Included only by bn254_group.c, once per group, with
 *   G        the point type (pv_bn254_g1); G_affine is its affine type and G_op its functions
 *   F        the field type (pv_bn254_fp); F_op its functions
 *   CURVE_B  a pointer to the curve's b
 * Formulas: Explicit-Formulas Database, short Weierstrass a = 0, Jacobian: dbl-2009-l,
 * add-2007-bl, madd-2007-bl; the exceptional cases (equal, opposite, infinity) are dispatched
 * before them.
 */
#define PV_CAT_(a, b) a##_##b
#define PV_CAT(a, b) PV_CAT_(a, b)
#define FE(op) PV_CAT(F, op)
#define GE(op) PV_CAT(G, op)
#define GA PV_CAT(G, affine)

bool GE(affine_on_curve)(const GA *a)
{
    if (a->inf)
        return true;
    F y2, x3;
    FE(sqr)(&y2, &a->y);
    FE(sqr)(&x3, &a->x);
    FE(mul)(&x3, &x3, &a->x);
    FE(add)(&x3, &x3, CURVE_B);
    return FE(eq)(&y2, &x3);
}

void GE(set_infinity)(G *r)
{
    FE(set_one)(&r->x);
    FE(set_one)(&r->y);
    FE(set_zero)(&r->z);
}

bool GE(is_infinity)(const G *a) { return FE(is_zero)(&a->z); }

void GE(from_affine)(G *r, const GA *a)
{
    if (a->inf) {
        GE(set_infinity)(r);
        return;
    }
    r->x = a->x;
    r->y = a->y;
    FE(set_one)(&r->z);
}

void GE(to_affine)(GA *r, const G *a)
{
    if (GE(is_infinity)(a)) {
        FE(set_zero)(&r->x);
        FE(set_zero)(&r->y);
        r->inf = true;
        return;
    }
    F zi, zi2;
    FE(inv)(&zi, &a->z);
    FE(sqr)(&zi2, &zi);
    FE(mul)(&r->x, &a->x, &zi2);
    FE(mul)(&zi2, &zi2, &zi);
    FE(mul)(&r->y, &a->y, &zi2);
    r->inf = false;
}

void GE(neg)(G *r, const G *a)
{
    r->x = a->x;
    FE(neg)(&r->y, &a->y);
    r->z = a->z;
}

void GE(dbl)(G *r, const G *a)
{
    if (GE(is_infinity)(a)) {
        *r = *a;
        return;
    }
    F A, B, C, D, E, Fs, t;
    FE(sqr)(&A, &a->x);
    FE(sqr)(&B, &a->y);
    FE(sqr)(&C, &B);
    FE(add)(&t, &a->x, &B);             /* D = 2((X + B)^2 - A - C) */
    FE(sqr)(&t, &t);
    FE(sub)(&t, &t, &A);
    FE(sub)(&t, &t, &C);
    FE(dbl)(&D, &t);
    FE(dbl)(&E, &A);                    /* E = 3A */
    FE(add)(&E, &E, &A);
    FE(sqr)(&Fs, &E);
    FE(mul)(&t, &a->y, &a->z);          /* Z3 = 2 Y Z (before r->y is written) */
    FE(dbl)(&r->z, &t);
    FE(dbl)(&t, &D);                    /* X3 = F - 2D */
    FE(sub)(&r->x, &Fs, &t);
    FE(sub)(&t, &D, &r->x);             /* Y3 = E (D - X3) - 8C */
    FE(mul)(&t, &E, &t);
    FE(dbl)(&C, &C);
    FE(dbl)(&C, &C);
    FE(dbl)(&C, &C);
    FE(sub)(&r->y, &t, &C);
}

void GE(add)(G *r, const G *a, const G *b)
{
    if (GE(is_infinity)(a)) {
        *r = *b;
        return;
    }
    if (GE(is_infinity)(b)) {
        *r = *a;
        return;
    }
    F z1z1, z2z2, u1, u2, s1, s2, h, rr, i, j, v, t;
    FE(sqr)(&z1z1, &a->z);
    FE(sqr)(&z2z2, &b->z);
    FE(mul)(&u1, &a->x, &z2z2);
    FE(mul)(&u2, &b->x, &z1z1);
    FE(mul)(&s1, &a->y, &b->z);
    FE(mul)(&s1, &s1, &z2z2);
    FE(mul)(&s2, &b->y, &a->z);
    FE(mul)(&s2, &s2, &z1z1);
    FE(sub)(&h, &u2, &u1);
    FE(sub)(&rr, &s2, &s1);
    if (FE(is_zero)(&h)) {
        if (FE(is_zero)(&rr))
            GE(dbl)(r, a);
        else
            GE(set_infinity)(r);
        return;
    }
    FE(dbl)(&rr, &rr);
    FE(dbl)(&i, &h);                    /* I = (2H)^2 */
    FE(sqr)(&i, &i);
    FE(mul)(&j, &h, &i);
    FE(mul)(&v, &u1, &i);
    FE(add)(&t, &a->z, &b->z);          /* Z3 = ((Z1 + Z2)^2 - Z1Z1 - Z2Z2) H */
    FE(sqr)(&t, &t);
    FE(sub)(&t, &t, &z1z1);
    FE(sub)(&t, &t, &z2z2);
    FE(mul)(&r->z, &t, &h);
    FE(sqr)(&t, &rr);                   /* X3 = r^2 - J - 2V */
    FE(sub)(&t, &t, &j);
    FE(sub)(&t, &t, &v);
    FE(sub)(&r->x, &t, &v);
    FE(sub)(&t, &v, &r->x);             /* Y3 = r (V - X3) - 2 S1 J */
    FE(mul)(&t, &rr, &t);
    FE(mul)(&s1, &s1, &j);
    FE(dbl)(&s1, &s1);
    FE(sub)(&r->y, &t, &s1);
}

void GE(add_affine)(G *r, const G *a, const GA *b)
{
    if (b->inf) {
        *r = *a;
        return;
    }
    if (GE(is_infinity)(a)) {
        GE(from_affine)(r, b);
        return;
    }
    F z1z1, u2, s2, h, hh, rr, i, j, v, t, y1 = a->y;
    FE(sqr)(&z1z1, &a->z);
    FE(mul)(&u2, &b->x, &z1z1);
    FE(mul)(&s2, &b->y, &a->z);
    FE(mul)(&s2, &s2, &z1z1);
    FE(sub)(&h, &u2, &a->x);
    FE(sub)(&rr, &s2, &y1);
    if (FE(is_zero)(&h)) {
        if (FE(is_zero)(&rr))
            GE(dbl)(r, a);
        else
            GE(set_infinity)(r);
        return;
    }
    FE(dbl)(&rr, &rr);
    FE(sqr)(&hh, &h);
    FE(dbl)(&i, &hh);                   /* I = 4 HH */
    FE(dbl)(&i, &i);
    FE(mul)(&j, &h, &i);
    FE(mul)(&v, &a->x, &i);
    FE(add)(&t, &a->z, &h);             /* Z3 = (Z1 + H)^2 - Z1Z1 - HH */
    FE(sqr)(&t, &t);
    FE(sub)(&t, &t, &z1z1);
    FE(sub)(&r->z, &t, &hh);
    FE(sqr)(&t, &rr);                   /* X3 = r^2 - J - 2V */
    FE(sub)(&t, &t, &j);
    FE(sub)(&t, &t, &v);
    FE(sub)(&r->x, &t, &v);
    FE(sub)(&t, &v, &r->x);             /* Y3 = r (V - X3) - 2 Y1 J */
    FE(mul)(&t, &rr, &t);
    FE(mul)(&y1, &y1, &j);
    FE(dbl)(&y1, &y1);
    FE(sub)(&r->y, &t, &y1);
}

bool GE(eq)(const G *a, const G *b)
{
    bool ia = GE(is_infinity)(a), ib = GE(is_infinity)(b);
    if (ia || ib)
        return ia == ib;
    F z1z1, z2z2, l, rgt;
    FE(sqr)(&z1z1, &a->z);
    FE(sqr)(&z2z2, &b->z);
    FE(mul)(&l, &a->x, &z2z2);
    FE(mul)(&rgt, &b->x, &z1z1);
    if (!FE(eq)(&l, &rgt))
        return false;
    FE(mul)(&z1z1, &z1z1, &a->z);
    FE(mul)(&z2z2, &z2z2, &b->z);
    FE(mul)(&l, &a->y, &z2z2);
    FE(mul)(&rgt, &b->y, &z1z1);
    return FE(eq)(&l, &rgt);
}

void GE(mul)(G *r, const G *a, const uint64_t *k, int k_limbs)
{
    /* Width-5 wNAF: odd multiples a, 3a, ..., 15a; one addition per 6 bits on average. */
    int8_t digits[4 * 64 + 1];
    int n = wnaf5(digits, k, k_limbs);
    G table[8], a2, acc;
    table[0] = *a;
    GE(dbl)(&a2, a);
    for (int i = 1; i < 8; i++)
        GE(add)(&table[i], &table[i - 1], &a2);
    GE(set_infinity)(&acc);
    for (int i = n - 1; i >= 0; i--) {
        GE(dbl)(&acc, &acc);
        int d = digits[i];
        if (d > 0) {
            GE(add)(&acc, &acc, &table[d >> 1]);
        } else if (d < 0) {
            G m;
            GE(neg)(&m, &table[(-d) >> 1]);
            GE(add)(&acc, &acc, &m);
        }
    }
    *r = acc;
}

#undef GA
#undef GE
#undef FE
#undef PV_CAT
#undef PV_CAT_
