/*
 * The BN254 precompiles: ECADD (0x06) and ECMUL (0x07) of EIP-196, ECPAIRING (0x08) of EIP-197,
 * priced by EIP-1108 from Istanbul. The mathematics is in src/crypto/bn254_*.
 *
 * Encoding: field elements are 32-byte big-endian integers that must be < p; a G1 point is
 * (x, y), a G2 point (x_im, x_re, y_im, y_re) (imaginary part first); all-zero coordinates
 * encode the point at infinity. Any invalid point (a coordinate >= p, not on the curve, a G2
 * point outside the order-r subgroup) fails the call, as does a pairing input whose length is
 * not a multiple of 192. ECADD and ECMUL zero-pad short input and ignore the excess.
 */
#include "precompiles.h"

#include <stdlib.h>

#include "../crypto/bn254_pairing.h"

static pv_precompile_result fail(void) { return (pv_precompile_result){0}; }

static pv_precompile_result success(int64_t gas, uint8_t *out, size_t n)
{
    return (pv_precompile_result){true, gas, out, n};
}

static uint8_t *alloc_out(size_t n)
{
    uint8_t *p = malloc(n);
    if (!p)
        abort();
    return p;
}

/* dst = in[0 .. n), zero-padded past in_len. */
static void read_padded(uint8_t *dst, const uint8_t *in, size_t in_len, size_t n)
{
    size_t k = in_len < n ? in_len : n;
    if (k)
        memcpy(dst, in, k);
    memset(dst + k, 0, n - k);
}

static bool all_zero(const uint8_t *b, size_t n)
{
    uint8_t acc = 0;
    for (size_t i = 0; i < n; i++)
        acc |= b[i];
    return acc == 0;
}

/* A valid G1 point from 64 bytes. */
static bool parse_g1(pv_bn254_g1_affine *r, const uint8_t in[64])
{
    if (all_zero(in, 64)) {
        r->inf = true;
        return true;
    }
    r->inf = false;
    return pv_bn254_fp_from_be(&r->x, in) && pv_bn254_fp_from_be(&r->y, in + 32) &&
           pv_bn254_g1_affine_on_curve(r);
}

/* A valid G2 point (on the twist and in the subgroup) from 128 bytes. */
static bool parse_g2(pv_bn254_g2_affine *r, const uint8_t in[128])
{
    if (all_zero(in, 128)) {
        r->inf = true;
        return true;
    }
    r->inf = false;
    return pv_bn254_fp_from_be(&r->x.c1, in) && pv_bn254_fp_from_be(&r->x.c0, in + 32) &&
           pv_bn254_fp_from_be(&r->y.c1, in + 64) && pv_bn254_fp_from_be(&r->y.c0, in + 96) &&
           pv_bn254_g2_affine_on_curve(r) && pv_bn254_g2_in_subgroup(r);
}

static uint8_t *encode_g1(const pv_bn254_g1 *p)
{
    uint8_t *out = alloc_out(64);
    pv_bn254_g1_affine a;
    pv_bn254_g1_to_affine(&a, p);
    if (a.inf) {
        memset(out, 0, 64);
    } else {
        pv_bn254_fp_to_be(out, &a.x);
        pv_bn254_fp_to_be(out + 32, &a.y);
    }
    return out;
}

pv_precompile_result pv_pc_ecadd(const uint8_t *in, size_t in_len, int64_t gas_limit, pv_fork fork)
{
    int64_t gas = fork >= PV_ISTANBUL ? 150 : 500;
    if (gas > gas_limit)
        return fail();
    uint8_t buf[128];
    read_padded(buf, in, in_len, sizeof buf);
    pv_bn254_g1_affine a, b;
    if (!parse_g1(&a, buf) || !parse_g1(&b, buf + 64))
        return fail();
    pv_bn254_g1 s;
    pv_bn254_g1_from_affine(&s, &a);
    pv_bn254_g1_add_affine(&s, &s, &b);
    return success(gas, encode_g1(&s), 64);
}

pv_precompile_result pv_pc_ecmul(const uint8_t *in, size_t in_len, int64_t gas_limit, pv_fork fork)
{
    int64_t gas = fork >= PV_ISTANBUL ? 6000 : 40000;
    if (gas > gas_limit)
        return fail();
    uint8_t buf[96];
    read_padded(buf, in, in_len, sizeof buf);
    pv_bn254_g1_affine a;
    if (!parse_g1(&a, buf))
        return fail();
    /* The full 256-bit scalar; every point of E(Fp) has order r (cofactor 1), so the
     * multiplication reduces it mod r. */
    uint64_t k[4];
    pv_limbs_from_be(k, buf + 64, 4);
    pv_bn254_g1 p;
    pv_bn254_g1_mul_glv(&p, &a, k);
    return success(gas, encode_g1(&p), 64);
}

pv_precompile_result pv_pc_ecpairing(const uint8_t *in, size_t in_len, int64_t gas_limit, pv_fork fork)
{
    int64_t base = fork >= PV_ISTANBUL ? 45000 : 100000;
    int64_t per_pair = fork >= PV_ISTANBUL ? 34000 : 80000;
    if (in_len % 192 != 0 || base > gas_limit)
        return fail();
    size_t k = in_len / 192;
    if (k > (size_t)((gas_limit - base) / per_pair))
        return fail();
    int64_t gas = base + per_pair * (int64_t)k;
    /* Batches of pairs: parse and check, then one Miller loop per batch into the product. */
    pv_bn254_g1_affine P[PV_BN254_PAIRING_BATCH];
    pv_bn254_g2_affine Q[PV_BN254_PAIRING_BATCH];
    pv_bn254_fp12 f, g;
    pv_bn254_fp12_set_one(&f);
    for (size_t i = 0; i < k; i += PV_BN254_PAIRING_BATCH) {
        size_t m = k - i < PV_BN254_PAIRING_BATCH ? k - i : PV_BN254_PAIRING_BATCH;
        for (size_t j = 0; j < m; j++) {
            const uint8_t *pair = in + 192 * (i + j);
            if (!parse_g1(&P[j], pair) || !parse_g2(&Q[j], pair + 64))
                return fail();
        }
        pv_bn254_miller_loop(&g, P, Q, m);
        pv_bn254_fp12_mul(&f, &f, &g);
    }
    bool one = true;
    if (!pv_bn254_fp12_is_one(&f)) {
        pv_bn254_final_exp(&g, &f);
        one = pv_bn254_fp12_is_one(&g);
    }
    uint8_t *out = alloc_out(32);
    memset(out, 0, 32);
    out[31] = one;
    return success(gas, out, 32);
}
