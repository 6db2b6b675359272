/* Precompile dispatch and the precompiles that need no curve arithmetic of our own. */
#include "precompiles.h"

#include <gmp.h>
#include <openssl/evp.h>
#include <stdlib.h>

#include "../crypto/blake2f.h"
#include "../crypto/secp256k1_recover.h"

int pv_precompile_id(const pv_address *addr, pv_fork fork)
{
    for (int i = 0; i < 19; i++)
        if (addr->b[i])
            return 0;
    int id = addr->b[19];
    if (id < 1 || id > 10)
        return 0;
    if (id >= 5 && id <= 8 && fork < PV_BYZANTIUM)
        return 0;
    if (id == 9 && fork < PV_ISTANBUL)
        return 0;
    if (id == 10 && fork < PV_CANCUN)
        return 0;
    return id;
}


static const pv_precompile_fn table[11] = {
    NULL, pv_pc_ecrecover, pv_pc_sha256, pv_pc_ripemd160, pv_pc_identity, pv_pc_modexp,
    pv_pc_ecadd, pv_pc_ecmul, pv_pc_ecpairing, pv_pc_blake2f, pv_pc_point_evaluation,
};

pv_precompile_result pv_precompile_run(int id, const uint8_t *in, size_t in_len, int64_t gas_limit, pv_fork fork)
{
    if (id < 1 || id > 10)
        return (pv_precompile_result){0};
    return table[id](in, in_len, gas_limit, fork);
}

static uint8_t *xmalloc(size_t n)
{
    uint8_t *p = malloc(n ? n : 1);
    if (!p)
        abort();
    return p;
}

static pv_precompile_result ok_result(int64_t gas, uint8_t *out, size_t n)
{
    return (pv_precompile_result){true, gas, out, n};
}

static int64_t words(size_t n) { return (int64_t)((n + 31) / 32); }

/* Copies in[off .. off+n) to dst, zero-padding past in_len. */
static void read_padded(uint8_t *dst, const uint8_t *in, size_t in_len, size_t off, size_t n)
{
    for (size_t i = 0; i < n; i++)
        dst[i] = off + i < in_len ? in[off + i] : 0;
}

pv_precompile_result pv_pc_ecrecover(const uint8_t *in, size_t in_len, int64_t gas_limit, pv_fork fork)
{
    (void)fork;
    if (gas_limit < 3000)
        return (pv_precompile_result){0};
    uint8_t buf[128];
    read_padded(buf, in, in_len, 0, 128);
    for (int i = 32; i < 63; i++)
        if (buf[i])
            return ok_result(3000, NULL, 0);
    if (buf[63] != 27 && buf[63] != 28)
        return ok_result(3000, NULL, 0);
    pv_address a;
    if (!pv_secp256k1_recover(buf, buf + 64, buf + 96, buf[63] - 27, &a))
        return ok_result(3000, NULL, 0);
    uint8_t *out = xmalloc(32);
    memset(out, 0, 12);
    memcpy(out + 12, a.b, 20);
    return ok_result(3000, out, 32);
}

static pv_precompile_result digest(const EVP_MD *md, const uint8_t *in, size_t in_len, int64_t gas, int64_t gas_limit, size_t pad)
{
    if (gas > gas_limit)
        return (pv_precompile_result){0};
    uint8_t h[EVP_MAX_MD_SIZE];
    unsigned hl = 0;
    if (!EVP_Digest(in_len ? in : (const uint8_t *)"", in_len, h, &hl, md, NULL))
        abort();
    uint8_t *out = xmalloc(pad + hl);
    memset(out, 0, pad);
    memcpy(out + pad, h, hl);
    return ok_result(gas, out, pad + hl);
}

pv_precompile_result pv_pc_sha256(const uint8_t *in, size_t in_len, int64_t gas_limit, pv_fork fork)
{
    (void)fork;
    return digest(EVP_sha256(), in, in_len, 60 + 12 * words(in_len), gas_limit, 0);
}

pv_precompile_result pv_pc_ripemd160(const uint8_t *in, size_t in_len, int64_t gas_limit, pv_fork fork)
{
    (void)fork;
    return digest(EVP_ripemd160(), in, in_len, 600 + 120 * words(in_len), gas_limit, 12);
}

pv_precompile_result pv_pc_identity(const uint8_t *in, size_t in_len, int64_t gas_limit, pv_fork fork)
{
    (void)fork;
    int64_t gas = 15 + 3 * words(in_len);
    if (gas > gas_limit)
        return (pv_precompile_result){0};
    uint8_t *out = NULL;
    if (in_len) {
        out = xmalloc(in_len);
        memcpy(out, in, in_len);
    }
    return ok_result(gas, out, in_len);
}

/* ---- MODEXP (EIP-198, EIP-2565) ---- */

/* Reads a 32-byte big-endian length field; saturates at 2^64-1 (such lengths are unpayable). */
static uint64_t read_len(const uint8_t *in, size_t in_len, size_t off)
{
    uint8_t b[32];
    read_padded(b, in, in_len, off, 32);
    for (int i = 0; i < 24; i++)
        if (b[i])
            return UINT64_MAX;
    uint64_t v = 0;
    for (int i = 24; i < 32; i++)
        v = v << 8 | b[i];
    return v;
}

typedef unsigned __int128 u128;

static u128 sat_mul(u128 a, u128 b)
{
    if (a && b > ((u128)-1) / a)
        return (u128)-1;
    return a * b;
}

pv_precompile_result pv_pc_modexp(const uint8_t *in, size_t in_len, int64_t gas_limit, pv_fork fork)
{
    uint64_t blen = read_len(in, in_len, 0), elen = read_len(in, in_len, 32), mlen = read_len(in, in_len, 64);
    /* Adjusted exponent length: from the first 32 bytes of the exponent. */
    uint8_t ehead[32];
    uint64_t ehead_len = elen < 32 ? elen : 32;
    if (blen != UINT64_MAX && blen < ((uint64_t)1 << 40))
        read_padded(ehead, in, in_len, (size_t)(96 + blen), (size_t)ehead_len);
    else
        memset(ehead, 0, sizeof ehead);
    unsigned bits = 0;
    for (uint64_t i = 0; i < ehead_len; i++) {
        if (ehead[i]) {
            bits = (unsigned)((ehead_len - i) * 8 - (unsigned)__builtin_clz(ehead[i]) + 24);
            break;
        }
    }
    u128 adj;
    uint64_t highbit = bits ? bits - 1 : 0;
    if (elen <= 32)
        adj = highbit;
    else
        adj = sat_mul((u128)(elen - 32), 8) + highbit;
    u128 gas;
    uint64_t maxlen = blen > mlen ? blen : mlen;
    if (fork >= PV_BERLIN) {
        u128 w = ((u128)maxlen + 7) / 8;
        u128 mc = sat_mul(w, w);
        gas = sat_mul(mc, adj > 1 ? adj : 1) / 3;
        if (gas < 200)
            gas = 200;
    } else {
        u128 x = maxlen, mc;
        if (x <= 64)
            mc = x * x;
        else if (x <= 1024)
            mc = x * x / 4 + 96 * x - 3072;
        else
            mc = sat_mul(x, x) / 16 + 480 * x - 199680;
        gas = sat_mul(mc, adj > 1 ? adj : 1) / 20;
    }
    if (gas > (u128)gas_limit)
        return (pv_precompile_result){0};
    if (mlen == 0)
        return ok_result((int64_t)gas, NULL, 0);
    uint8_t *b = xmalloc(blen), *e = xmalloc(elen), *m = xmalloc(mlen);
    read_padded(b, in, in_len, 96, blen);
    read_padded(e, in, in_len, 96 + blen, elen);
    read_padded(m, in, in_len, 96 + blen + elen, mlen);
    mpz_t B, E, M, R;
    mpz_inits(B, E, M, R, NULL);
    mpz_import(B, blen, 1, 1, 0, 0, b);
    mpz_import(E, elen, 1, 1, 0, 0, e);
    mpz_import(M, mlen, 1, 1, 0, 0, m);
    uint8_t *out = xmalloc(mlen);
    memset(out, 0, mlen);
    if (mpz_sgn(M)) {
        mpz_powm(R, B, E, M);
        size_t count = (mpz_sizeinbase(R, 2) + 7) / 8;
        if (mpz_sgn(R))
            mpz_export(out + mlen - count, NULL, 1, 1, 0, 0, R);
    }
    mpz_clears(B, E, M, R, NULL);
    free(b);
    free(e);
    free(m);
    return ok_result((int64_t)gas, out, mlen);
}

/* ---- BLAKE2F (EIP-152) ---- */
static uint64_t le64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

pv_precompile_result pv_pc_blake2f(const uint8_t *in, size_t in_len, int64_t gas_limit, pv_fork fork)
{
    (void)fork;
    if (in_len != 213 || in[212] > 1)
        return (pv_precompile_result){0};
    uint32_t rounds = (uint32_t)in[0] << 24 | (uint32_t)in[1] << 16 | (uint32_t)in[2] << 8 | in[3];
    if ((int64_t)rounds > gas_limit)
        return (pv_precompile_result){0};
    uint64_t h[8], m[16], t[2];
    for (int i = 0; i < 8; i++) h[i] = le64(in + 4 + 8 * i);
    for (int i = 0; i < 16; i++) m[i] = le64(in + 68 + 8 * i);
    t[0] = le64(in + 196);
    t[1] = le64(in + 204);
    pv_blake2b_compress(h, m, t, in[212] == 1, rounds);
    uint8_t *out = xmalloc(64);
    for (int i = 0; i < 8; i++)
        for (int j = 0; j < 8; j++)
            out[8 * i + j] = (uint8_t)(h[i] >> (8 * j));
    return ok_result(rounds, out, 64);
}
