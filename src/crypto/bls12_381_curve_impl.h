/*
 * Private to bls12_381_group.c: the short-Weierstrass (a = 0) Jacobian arithmetic shared by G1
 * (over Fp) and G2 (over Fp2), written once and instantiated twice. Before including, define:
 *   PT, AFF       the Jacobian and affine point types
 *   FE            the field element type
 *   F(op)         the field function for op (add, sub, dbl, neg, mul, sqr, inv, eq, is_zero)
 *   G(name)       the group function name for name
 *   CURVE_B       an expression for a const FE * to the curve constant b
 *   FE_ONE        an expression for a const FE * to one
 * Formulas: hyperelliptic.org/EFD g1p/auto-shortw-jacobian-0 (dbl-2009-l, add-2007-bl,
 * madd-2007-bl), with the exceptional cases handled explicitly.
 */

void G(set_infinity)(PT *r)
{
    memset(r, 0, sizeof *r);
    r->x = *FE_ONE;
    r->y = *FE_ONE;
}

bool G(is_infinity)(const PT *a)
{
    return F(is_zero)(&a->z);
}

void G(from_affine)(PT *r, const AFF *a)
{
    if (a->infinity) {
        G(set_infinity)(r);
        return;
    }
    r->x = a->x;
    r->y = a->y;
    r->z = *FE_ONE;
}

void G(to_affine)(AFF *r, const PT *a)
{
    if (G(is_infinity)(a)) {
        memset(r, 0, sizeof *r);
        r->infinity = true;
        return;
    }
    FE zi, zi2;
    F(inv)(&zi, &a->z);
    F(sqr)(&zi2, &zi);
    F(mul)(&r->x, &a->x, &zi2);
    F(mul)(&zi2, &zi2, &zi);
    F(mul)(&r->y, &a->y, &zi2);
    r->infinity = false;
}

bool G(affine_on_curve)(const AFF *a)
{
    if (a->infinity)
        return true;
    FE l, rr;
    F(sqr)(&l, &a->y);
    F(sqr)(&rr, &a->x);
    F(mul)(&rr, &rr, &a->x);
    F(add)(&rr, &rr, CURVE_B);
    return F(eq)(&l, &rr);
}

bool G(eq)(const PT *a, const PT *b)
{
    bool ia = G(is_infinity)(a), ib = G(is_infinity)(b);
    if (ia || ib)
        return ia == ib;
    /* X1 Z2^2 == X2 Z1^2 and Y1 Z2^3 == Y2 Z1^3 */
    FE z1z1, z2z2, u1, u2, s1, s2;
    F(sqr)(&z1z1, &a->z);
    F(sqr)(&z2z2, &b->z);
    F(mul)(&u1, &a->x, &z2z2);
    F(mul)(&u2, &b->x, &z1z1);
    if (!F(eq)(&u1, &u2))
        return false;
    F(mul)(&s1, &a->y, &b->z);
    F(mul)(&s1, &s1, &z2z2);
    F(mul)(&s2, &b->y, &a->z);
    F(mul)(&s2, &s2, &z1z1);
    return F(eq)(&s1, &s2);
}

void G(neg)(PT *r, const PT *a)
{
    r->x = a->x;
    F(neg)(&r->y, &a->y);
    r->z = a->z;
}

void G(dbl)(PT *r, const PT *a)
{
    /* dbl-2009-l: A = X^2, B = Y^2, C = B^2, D = 2((X + B)^2 - A - C), E = 3A, F = E^2,
     * X3 = F - 2D, Y3 = E(D - X3) - 8C, Z3 = 2YZ. Infinity (Z = 0) maps to Z3 = 0; so does a
     * point of order 2 (Y = 0), of which these curves have none over their fields. */
    FE A, B, C, D, E, Fv, t;
    F(sqr)(&A, &a->x);
    F(sqr)(&B, &a->y);
    F(sqr)(&C, &B);
    F(add)(&D, &a->x, &B);
    F(sqr)(&D, &D);
    F(sub)(&D, &D, &A);
    F(sub)(&D, &D, &C);
    F(dbl)(&D, &D);
    F(dbl)(&E, &A);
    F(add)(&E, &E, &A);
    F(sqr)(&Fv, &E);
    F(mul)(&r->z, &a->y, &a->z);
    F(dbl)(&r->z, &r->z);
    F(dbl)(&t, &D);
    F(sub)(&r->x, &Fv, &t);
    F(sub)(&t, &D, &r->x);
    F(mul)(&t, &E, &t);
    F(dbl)(&C, &C);
    F(dbl)(&C, &C);
    F(dbl)(&C, &C);
    F(sub)(&r->y, &t, &C);
}

void G(add)(PT *r, const PT *a, const PT *b)
{
    if (G(is_infinity)(a)) {
        *r = *b;
        return;
    }
    if (G(is_infinity)(b)) {
        *r = *a;
        return;
    }
    /* add-2007-bl */
    FE z1z1, z2z2, u1, u2, s1, s2, h, i, j, rr, v, t;
    F(sqr)(&z1z1, &a->z);
    F(sqr)(&z2z2, &b->z);
    F(mul)(&u1, &a->x, &z2z2);
    F(mul)(&u2, &b->x, &z1z1);
    F(mul)(&s1, &a->y, &b->z);
    F(mul)(&s1, &s1, &z2z2);
    F(mul)(&s2, &b->y, &a->z);
    F(mul)(&s2, &s2, &z1z1);
    F(sub)(&h, &u2, &u1);
    F(sub)(&rr, &s2, &s1);
    if (F(is_zero)(&h)) {
        if (F(is_zero)(&rr))
            G(dbl)(r, a);
        else
            G(set_infinity)(r);
        return;
    }
    F(dbl)(&i, &h);
    F(sqr)(&i, &i);
    F(mul)(&j, &h, &i);
    F(dbl)(&rr, &rr);
    F(mul)(&v, &u1, &i);
    /* Z3 = ((Z1 + Z2)^2 - Z1Z1 - Z2Z2) H, computed before X3/Y3 overwrite a possibly aliased r */
    F(add)(&t, &a->z, &b->z);
    F(sqr)(&t, &t);
    F(sub)(&t, &t, &z1z1);
    F(sub)(&t, &t, &z2z2);
    F(mul)(&r->z, &t, &h);
    /* X3 = r^2 - J - 2V, Y3 = r(V - X3) - 2 S1 J */
    F(sqr)(&r->x, &rr);
    F(sub)(&r->x, &r->x, &j);
    F(dbl)(&t, &v);
    F(sub)(&r->x, &r->x, &t);
    F(sub)(&t, &v, &r->x);
    F(mul)(&t, &rr, &t);
    F(mul)(&s1, &s1, &j);
    F(dbl)(&s1, &s1);
    F(sub)(&r->y, &t, &s1);
}

void G(add_affine)(PT *r, const PT *a, const AFF *b)
{
    if (b->infinity) {
        *r = *a;
        return;
    }
    if (G(is_infinity)(a)) {
        G(from_affine)(r, b);
        return;
    }
    /* madd-2007-bl */
    FE z1z1, u2, s2, h, hh, i, j, rr, v, t;
    F(sqr)(&z1z1, &a->z);
    F(mul)(&u2, &b->x, &z1z1);
    F(mul)(&s2, &b->y, &a->z);
    F(mul)(&s2, &s2, &z1z1);
    F(sub)(&h, &u2, &a->x);
    F(sub)(&rr, &s2, &a->y);
    if (F(is_zero)(&h)) {
        if (F(is_zero)(&rr))
            G(dbl)(r, a);
        else
            G(set_infinity)(r);
        return;
    }
    F(sqr)(&hh, &h);
    F(dbl)(&i, &hh);
    F(dbl)(&i, &i);
    F(mul)(&j, &h, &i);
    F(dbl)(&rr, &rr);
    F(mul)(&v, &a->x, &i);
    FE y1 = a->y;
    /* Z3 = (Z1 + H)^2 - Z1Z1 - HH */
    F(add)(&t, &a->z, &h);
    F(sqr)(&t, &t);
    F(sub)(&t, &t, &z1z1);
    F(sub)(&r->z, &t, &hh);
    /* X3 = r^2 - J - 2V, Y3 = r(V - X3) - 2 Y1 J */
    F(sqr)(&r->x, &rr);
    F(sub)(&r->x, &r->x, &j);
    F(dbl)(&t, &v);
    F(sub)(&r->x, &r->x, &t);
    F(sub)(&t, &v, &r->x);
    F(mul)(&t, &rr, &t);
    F(mul)(&y1, &y1, &j);
    F(dbl)(&y1, &y1);
    F(sub)(&r->y, &t, &y1);
}

/* table[i] = [i] a, i = 0..15 */
static void G(window_table)(PT table[16], const PT *a)
{
    G(set_infinity)(&table[0]);
    table[1] = *a;
    for (int i = 2; i < 16; i++) {
        if (i % 2 == 0)
            G(dbl)(&table[i], &table[i / 2]);
        else
            G(add)(&table[i], &table[i - 1], a);
    }
}

static int G(nibble)(const uint64_t k[4], int i)
{
    return (int)((k[i / 16] >> (4 * (i % 16))) & 15);
}

void G(mul)(PT *r, const PT *a, const uint64_t k[4])
{
    PT table[16], acc;
    G(window_table)(table, a);
    G(set_infinity)(&acc);
    for (int i = 63; i >= 0; i--) {
        if (!G(is_infinity)(&acc))
            for (int d = 0; d < 4; d++)
                G(dbl)(&acc, &acc);
        int w = G(nibble)(k, i);
        if (w)
            G(add)(&acc, &acc, &table[w]);
    }
    *r = acc;
}

void G(mul2)(PT *r, const PT *a1, const uint64_t k1[4], const PT *a2, const uint64_t k2[4])
{
    PT t1[16], t2[16], acc;
    G(window_table)(t1, a1);
    G(window_table)(t2, a2);
    G(set_infinity)(&acc);
    for (int i = 63; i >= 0; i--) {
        if (!G(is_infinity)(&acc))
            for (int d = 0; d < 4; d++)
                G(dbl)(&acc, &acc);
        int w1 = G(nibble)(k1, i), w2 = G(nibble)(k2, i);
        if (w1)
            G(add)(&acc, &acc, &t1[w1]);
        if (w2)
            G(add)(&acc, &acc, &t2[w2]);
    }
    *r = acc;
}

void G(mul_u64)(PT *r, const PT *a, uint64_t e)
{
    PT acc, base = *a;
    G(set_infinity)(&acc);
    if (e == 0) {
        *r = acc;
        return;
    }
    acc = base;
    for (int i = 62 - __builtin_clzll(e); i >= 0; i--) {
        G(dbl)(&acc, &acc);
        if ((e >> i) & 1)
            G(add)(&acc, &acc, &base);
    }
    *r = acc;
}
