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
