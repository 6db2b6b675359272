#include "bn254_group.h"

#include "bn254_tower.h"

const uint64_t pv_bn254_r[4] = {0x43e1f593f0000001ULL, 0x2833e84879b97091ULL, 0xb85045b68181585dULL,
                                0x30644e72e131a029ULL};

/* 3/(9 + i) and 3 in Montgomery form (checked by tests/unit/test_bn254.c). */
const pv_bn254_fp2 pv_bn254_twist_b = {
    {{0x3bf938e377b802a8ULL, 0x020b1b273633535dULL, 0x26b7edf049755260ULL, 0x2514c6324384a86dULL}},
    {{0x38e7ecccd1dcff67ULL, 0x65f0b37d93ce0d3eULL, 0xd749d0dd22ac00aaULL, 0x0141b9ce4a688d4dULL}},
};
static const pv_bn254_fp g1_b = {{0x7a17caa950ad28d7ULL, 0x1f6ac17ae15521b9ULL, 0x334bea4e696bd284ULL,
                                  0x2a1f6744ce179d8eULL}};

/* Width-5 non-adjacent form of k: digits least significant first, each 0 or odd in -15..15, any
 * nonzero digit followed by at least 4 zeros. Returns the digit count (<= 64 k_limbs + 1). */
static int wnaf5(int8_t *out, const uint64_t *k, int k_limbs)
{
    uint64_t t[5] = {0};
    memcpy(t, k, sizeof(uint64_t) * (size_t)k_limbs);
    int n = 0;
    while ((t[0] | t[1] | t[2] | t[3] | t[4]) != 0) {
        int d = 0;
        if (t[0] & 1) {
            d = (int)(t[0] & 31);
            if (d >= 16)
                d -= 32;
            uint64_t s[5] = {(uint64_t)(d > 0 ? d : -d), 0, 0, 0, 0};
            if (d > 0)
                pv_limbs_sub(t, t, s, 5);
            else
                pv_limbs_add(t, t, s, 5);
        }
        out[n++] = (int8_t)d;
        for (int i = 0; i < 4; i++)
            t[i] = t[i] >> 1 | t[i + 1] << 63;
        t[4] >>= 1;
    }
    return n;
}

#define G pv_bn254_g1
#define F pv_bn254_fp
#define CURVE_B (&g1_b)
#include "bn254_group_impl.h"
#undef CURVE_B
#undef F
#undef G

#define G pv_bn254_g2
#define F pv_bn254_fp2
#define CURVE_B (&pv_bn254_twist_b)
#include "bn254_group_impl.h"
#undef CURVE_B
#undef F
#undef G

void pv_bn254_g2_psi(pv_bn254_g2 *r, const pv_bn254_g2 *a)
{
    /* Conjugation is a field automorphism, so it commutes with the Jacobian quotients. */
    pv_bn254_fp2_conj(&r->x, &a->x);
    pv_bn254_fp2_mul(&r->x, &r->x, &pv_bn254_frob_gamma[2]);
    pv_bn254_fp2_conj(&r->y, &a->y);
    pv_bn254_fp2_mul(&r->y, &r->y, &pv_bn254_frob_gamma[3]);
    pv_bn254_fp2_conj(&r->z, &a->z);
}

bool pv_bn254_g2_in_subgroup(const pv_bn254_g2_affine *q)
{
    if (q->inf)
        return true;
    pv_bn254_g2 Q, uQ, lhs, t, rhs;
    const uint64_t u = PV_BN254_U;
    pv_bn254_g2_from_affine(&Q, q);
    pv_bn254_g2_mul(&uQ, &Q, &u, 1);
    pv_bn254_g2_add(&lhs, &uQ, &Q);           /* [u+1]Q */
    pv_bn254_g2_psi(&t, &uQ);
    pv_bn254_g2_add(&lhs, &lhs, &t);          /* + psi([u]Q) */
    pv_bn254_g2_psi(&t, &t);
    pv_bn254_g2_add(&lhs, &lhs, &t);          /* + psi^2([u]Q) */
    pv_bn254_g2_dbl(&rhs, &uQ);
    pv_bn254_g2_psi(&rhs, &rhs);
    pv_bn254_g2_psi(&rhs, &rhs);
    pv_bn254_g2_psi(&rhs, &rhs);              /* psi^3([2u]Q) */
    return pv_bn254_g2_eq(&lhs, &rhs);
}

/* ---- G1 scalar multiplication with the GLV endomorphism ----
 * phi(x, y) = (beta x, y) with beta a cube root of unity in Fp acts on G1 as [lambda], lambda a
 * cube root of unity mod r (lambda = 0xb3c4d79d41a917585bfc41088d8daaa78b17ea66b99c90dd pairs
 * with this beta). k = k1 + k2 lambda (mod r) with |k1|, |k2| < 2^127 by Babai rounding in the
 * lattice {(a, b): a + b lambda = 0 mod r}, reduced basis
 *   v1 = (a1, b1) = (0x89d3256894d213e3, -0x6f4d8248eeb859fc8211bbeb7d4f1128),
 *   v2 = (a2, b2) = (0x6f4d8248eeb859fd0be4e1541221250b, 0x89d3256894d213e3):
 * c1 = round(b2 k / r), c2 = round(-b1 k / r) (as (k g) >> 256 with g = round(2^256 b2 / r),
 * round(-2^256 b1 / r)), k1 = k - c1 a1 - c2 a2, k2 = -c1 b1 - c2 b2. The exact k1, k2 are small,
 * so arithmetic modulo 2^256 gives them in two's complement. */
static const pv_bn254_fp glv_beta = {{0x71930c11d782e155ULL, 0xa6bb947cffbe3323ULL, 0xaa303344d4741444ULL,
                                      0x2c3b3f0d26594943ULL}};
static const uint64_t glv_a1[2] = {0x89d3256894d213e3ULL, 0};
static const uint64_t glv_a2[2] = {0x0be4e1541221250bULL, 0x6f4d8248eeb859fdULL};
static const uint64_t glv_b1abs[2] = {0x8211bbeb7d4f1128ULL, 0x6f4d8248eeb859fcULL};
static const uint64_t glv_b2[2] = {0x89d3256894d213e3ULL, 0};
static const uint64_t glv_g1[3] = {0xd91d232ec7e0b3d7ULL, 0x2ULL, 0};
static const uint64_t glv_g2[3] = {0x7a7bd9d4391eb18eULL, 0x4ccef014a773d2cfULL, 0x2ULL};

/* c = round(k g / 2^256) for k < r (c < 2^128). */
static void mul_round_shift256(uint64_t c[2], const uint64_t k[4], const uint64_t g[3])
{
    uint64_t t[7] = {0};
    for (int i = 0; i < 4; i++) {
        uint64_t carry = 0;
        for (int j = 0; j < 3; j++) {
            pv_u128 s = (pv_u128)k[i] * g[j] + t[i + j] + carry;
            t[i + j] = (uint64_t)s;
            carry = (uint64_t)(s >> 64);
        }
        t[i + 3] = carry;
    }
    uint64_t half[7] = {0, 0, 0, (uint64_t)1 << 63, 0, 0, 0};
    pv_limbs_add(t, t, half, 7);
    c[0] = t[4];
    c[1] = t[5];
}

/* r = a b mod 2^256 for two-limb a, b. */
static void mul_2x2(uint64_t r[4], const uint64_t a[2], const uint64_t b[2])
{
    memset(r, 0, 4 * sizeof(uint64_t));
    for (int i = 0; i < 2; i++) {
        uint64_t carry = 0;
        for (int j = 0; j < 2; j++) {
            pv_u128 s = (pv_u128)a[i] * b[j] + r[i + j] + carry;
            r[i + j] = (uint64_t)s;
            carry = (uint64_t)(s >> 64);
        }
        r[i + 2] = carry;
    }
}

/* Two's complement x (mod 2^256, |x| < 2^128) -> magnitude and sign. */
static void to_signed(uint64_t mag[2], bool *neg, const uint64_t x[4])
{
    uint64_t t[4];
    *neg = x[3] >> 63;
    if (*neg) {
        const uint64_t zero[4] = {0};
        pv_limbs_sub(t, zero, x, 4);
    } else {
        memcpy(t, x, sizeof t);
    }
    mag[0] = t[0];
    mag[1] = t[1];
}

void pv_bn254_g1_glv_split(uint64_t k1[2], bool *neg1, uint64_t k2[2], bool *neg2, const uint64_t k[4])
{
    uint64_t c1[2], c2[2], t[4], x[4];
    mul_round_shift256(c1, k, glv_g1);
    mul_round_shift256(c2, k, glv_g2);
    memcpy(x, k, sizeof x);                   /* k1 = k - c1 a1 - c2 a2 */
    mul_2x2(t, c1, glv_a1);
    pv_limbs_sub(x, x, t, 4);
    mul_2x2(t, c2, glv_a2);
    pv_limbs_sub(x, x, t, 4);
    to_signed(k1, neg1, x);
    mul_2x2(x, c1, glv_b1abs);                /* k2 = c1 |b1| - c2 b2 */
    mul_2x2(t, c2, glv_b2);
    pv_limbs_sub(x, x, t, 4);
    to_signed(k2, neg2, x);
}

/* Affine copies of n Jacobian points (none at infinity) with one inversion (Montgomery's
 * simultaneous inversion). */
static void g1_batch_to_affine(pv_bn254_g1_affine *r, const pv_bn254_g1 *a, int n)
{
    pv_bn254_fp prefix[8], inv, zi, zi2;
    prefix[0] = a[0].z;
    for (int i = 1; i < n; i++)
        pv_bn254_fp_mul(&prefix[i], &prefix[i - 1], &a[i].z);
    pv_bn254_fp_inv(&inv, &prefix[n - 1]);
    for (int i = n - 1; i >= 0; i--) {
        if (i > 0) {
            pv_bn254_fp_mul(&zi, &inv, &prefix[i - 1]);
            pv_bn254_fp_mul(&inv, &inv, &a[i].z);
        } else {
            zi = inv;
        }
        pv_bn254_fp_sqr(&zi2, &zi);
        pv_bn254_fp_mul(&r[i].x, &a[i].x, &zi2);
        pv_bn254_fp_mul(&zi2, &zi2, &zi);
        pv_bn254_fp_mul(&r[i].y, &a[i].y, &zi2);
        r[i].inf = false;
    }
}

void pv_bn254_g1_mul_glv(pv_bn254_g1 *r, const pv_bn254_g1_affine *a, const uint64_t k_in[4])
{
    uint64_t k[4];
    memcpy(k, k_in, sizeof k);
    while (pv_limbs_geq(k, pv_bn254_r, 4))
        pv_limbs_sub(k, k, pv_bn254_r, 4);
    if (a->inf || pv_limbs_is_zero(k, 4)) {
        pv_bn254_g1_set_infinity(r);
        return;
    }
    uint64_t k1[2], k2[2];
    bool neg1, neg2;
    pv_bn254_g1_glv_split(k1, &neg1, k2, &neg2, k);
    /* Odd multiples a, 3a, ..., 15a in affine form, and their images under phi. */
    pv_bn254_g1 jac[8], a2;
    pv_bn254_g1_affine t1[8], t2[8];
    pv_bn254_g1_from_affine(&jac[0], a);
    pv_bn254_g1_dbl(&a2, &jac[0]);
    for (int i = 1; i < 8; i++)
        pv_bn254_g1_add(&jac[i], &jac[i - 1], &a2);
    g1_batch_to_affine(t1, jac, 8);
    for (int i = 0; i < 8; i++) {
        if (neg1)
            pv_bn254_fp_neg(&t1[i].y, &t1[i].y);
        pv_bn254_fp_mul(&t2[i].x, &t1[i].x, &glv_beta);
        t2[i].y = t1[i].y;
        if (neg1 != neg2)
            pv_bn254_fp_neg(&t2[i].y, &t2[i].y);
        t2[i].inf = false;
    }
    int8_t d1[4 * 64 + 1], d2[4 * 64 + 1];
    int n1 = wnaf5(d1, k1, 2), n2 = wnaf5(d2, k2, 2);
    pv_bn254_g1 acc;
    pv_bn254_g1_set_infinity(&acc);
    for (int i = (n1 > n2 ? n1 : n2) - 1; i >= 0; i--) {
        pv_bn254_g1_dbl(&acc, &acc);
        for (int s = 0; s < 2; s++) {
            int d = s == 0 ? (i < n1 ? d1[i] : 0) : (i < n2 ? d2[i] : 0);
            if (d == 0)
                continue;
            pv_bn254_g1_affine m = (s == 0 ? t1 : t2)[(d > 0 ? d : -d) >> 1];
            if (d < 0)
                pv_bn254_fp_neg(&m.y, &m.y);
            pv_bn254_g1_add_affine(&acc, &acc, &m);
        }
    }
    *r = acc;
}
