/* Precompiles 0x01-0x05 and 0x09 against independent oracles, plus a crash fuzz of all ten and a
 * mutation fuzz of the BN254 ones (0x06-0x08; their oracles are in test_bn254.c). */
#include "test.h"

#include <openssl/evp.h>
#include <secp256k1.h>
#include <secp256k1_recovery.h>
#include <string.h>

#include "crypto/blake2f.h"
#include "crypto/bn254_group.h"
#include "crypto/secp256k1_recover.h"
#include "evm/precompiles.h"
#include "util/hex.h"

static uint64_t rng = 88172645463325252ULL;
static uint64_t rnd(void) { return test_xorshift(&rng); }

static bool out_is(const pv_precompile_result *r, const char *hex)
{
    uint8_t *want;
    size_t n;
    if (!pv_hex_decode_alloc(hex, strlen(hex), &want, &n))
        return false;
    bool ok = r->ok && r->output_size == n && (n == 0 || memcmp(r->output, want, n) == 0);
    free(want);
    return ok;
}

static pv_precompile_result run_hex(int id, const char *hex, int64_t gas, pv_fork fork)
{
    uint8_t *in;
    size_t n;
    pv_hex_decode_alloc(hex, strlen(hex), &in, &n);
    pv_precompile_result r = pv_precompile_run(id, in, n, gas, fork);
    free(in);
    return r;
}

/* Full BLAKE2b-512 built on the F function, compared with OpenSSL's BLAKE2b-512. */
static void blake2b512(const uint8_t *msg, size_t len, uint8_t out[64])
{
    uint64_t h[8] = {0x6a09e667f3bcc908ULL ^ 0x01010040ULL, 0xbb67ae8584caa73bULL, 0x3c6ef372fe94f82bULL,
                     0xa54ff53a5f1d36f1ULL, 0x510e527fade682d1ULL, 0x9b05688c2b3e6c1fULL,
                     0x1f83d9abfb41bd6bULL, 0x5be0cd19137e2179ULL};
    uint64_t t[2] = {0, 0};
    size_t off = 0;
    do {
        uint8_t block[128] = {0};
        size_t n = len - off > 128 ? 128 : len - off;
        memcpy(block, msg + off, n);
        off += n;
        t[0] += n;
        bool last = off == len;
        uint64_t m[16];
        memcpy(m, block, 128);
        pv_blake2b_compress(h, m, t, last, 12);
        if (last)
            break;
    } while (1);
    memcpy(out, h, 64);
}

static void test_blake2f(void)
{
    /* RFC 7693 appendix A: BLAKE2b-512("abc") through the EIP-152 input format (vector 4). */
    const char *abc = "0000000c48c9bdf267e6096a3ba7ca8485ae67bb2bf894fe72f36e3cf1361d5f3af54fa5d182e6ad7f520e511f6c3e2b8c68059b6bbd41fbabd9831f79217e1319cde05b"
                      "6162630000000000000000000000000000000000000000000000000000000000"
                      "0000000000000000000000000000000000000000000000000000000000000000"
                      "0000000000000000000000000000000000000000000000000000000000000000"
                      "0000000000000000000000000000000000000000000000000000000000000000"
                      "03000000000000000000000000000000" "01";
    pv_precompile_result r = run_hex(9, abc, 12, PV_ISTANBUL);
    CHECK(out_is(&r, "ba80a53f981c4d0d6a2797b69f12f6e94c212f14685ac4b74b12bb6fdbffa2d17d87c5392aab792dc252d5de4533cc9518d38aa8dbf1925ab92386edd4009923") && r.gas_used == 12,
          "blake2f abc");
    free(r.output);
    r = run_hex(9, abc, 11, PV_ISTANBUL);
    CHECK(!r.ok, "blake2f: 12 rounds need 12 gas");
    char bad[600];
    snprintf(bad, sizeof bad, "%.424s02", abc);     /* final flag 2 */
    r = run_hex(9, bad, 100, PV_ISTANBUL);
    CHECK(!r.ok, "blake2f: bad final flag");
    snprintf(bad, sizeof bad, "%.424s", abc);       /* 212 bytes */
    r = run_hex(9, bad, 100, PV_ISTANBUL);
    CHECK(!r.ok, "blake2f: short input");
    /* F against OpenSSL's BLAKE2b-512 on random messages of many lengths (multi-block, counters). */
    for (size_t len = 0; len < 600; len += 1 + len / 7) {
        uint8_t msg[600], a[64], b[64];
        for (size_t i = 0; i < len; i++) msg[i] = (uint8_t)rnd();
        blake2b512(msg, len, a);
        unsigned bl = 0;
        EVP_Digest(msg, len, b, &bl, EVP_blake2b512(), NULL);
        CHECK(bl == 64 && memcmp(a, b, 64) == 0, "blake2b-512 vs OpenSSL, len %zu", len);
    }
}

static void test_hashes(void)
{
    pv_precompile_result r = run_hex(2, "616263", 1000, PV_CANCUN);
    CHECK(out_is(&r, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad") && r.gas_used == 72, "sha256 abc");
    free(r.output);
    r = run_hex(3, "616263", 1000, PV_CANCUN);
    CHECK(out_is(&r, "0000000000000000000000008eb208f7e05d987a9b044a8e98c6b087f15a0bfc") && r.gas_used == 720, "ripemd160 abc");
    free(r.output);
    r = run_hex(3, "", 599, PV_CANCUN);
    CHECK(!r.ok, "ripemd160 needs 600 gas");
    r = run_hex(4, "0102", 18, PV_CANCUN);
    CHECK(out_is(&r, "0102") && r.gas_used == 18, "identity");
    free(r.output);
}

static void test_modexp(void)
{
    /* EIP-198's example: 3^(p-1) mod p = 1 for the secp256k1 field prime. */
    const char *in = "0000000000000000000000000000000000000000000000000000000000000001"
                     "0000000000000000000000000000000000000000000000000000000000000020"
                     "0000000000000000000000000000000000000000000000000000000000000020"
                     "03"
                     "fffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2e"
                     "fffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2f";
    pv_precompile_result r = run_hex(5, in, 100000, PV_BYZANTIUM);
    CHECK(out_is(&r, "0000000000000000000000000000000000000000000000000000000000000001") && r.gas_used == 13056,
          "modexp EIP-198 example, gas %lld", (long long)r.gas_used);
    free(r.output);
    r = run_hex(5, in, 100000, PV_BERLIN);
    CHECK(r.ok && r.gas_used == 1360, "modexp EIP-2565 gas %lld", (long long)r.gas_used);
    free(r.output);
    /* A length of 2^256-1 is priced (and refused), never allocated. */
    r = run_hex(5, "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"
                   "0000000000000000000000000000000000000000000000000000000000000001"
                   "0000000000000000000000000000000000000000000000000000000000000001", 10000000, PV_CANCUN);
    CHECK(!r.ok, "modexp huge base length refused");
    /* mod 0 -> zero output of mod_len bytes */
    r = run_hex(5, "0000000000000000000000000000000000000000000000000000000000000001"
                   "0000000000000000000000000000000000000000000000000000000000000001"
                   "0000000000000000000000000000000000000000000000000000000000000002"
                   "0203" "0000", 100000, PV_CANCUN);
    CHECK(out_is(&r, "0000"), "modexp mod 0");
    free(r.output);
}

static void test_ecrecover(void)
{
    secp256k1_context *ctx = secp256k1_context_create(SECP256K1_CONTEXT_SIGN);
    for (int k = 0; k < 50; k++) {
        uint8_t key[32], hash[32];
        for (int i = 0; i < 32; i++) { key[i] = (uint8_t)rnd(); hash[i] = (uint8_t)rnd(); }
        key[0] &= 0x7f;
        secp256k1_ecdsa_recoverable_signature sig;
        CHECK(secp256k1_ecdsa_sign_recoverable(ctx, &sig, hash, key, NULL, NULL), "sign");
        uint8_t rs[64];
        int recid;
        secp256k1_ecdsa_recoverable_signature_serialize_compact(ctx, rs, &recid, &sig);
        pv_address want;
        CHECK(pv_secp256k1_sign_address(key, &want), "address of key");
        uint8_t in[128] = {0};
        memcpy(in, hash, 32);
        in[63] = (uint8_t)(27 + recid);
        memcpy(in + 64, rs, 64);
        pv_precompile_result r = pv_precompile_run(1, in, 128, 3000, PV_FRONTIER);
        CHECK(r.ok && r.gas_used == 3000 && r.output_size == 32 && memcmp(r.output + 12, want.b, 20) == 0, "ecrecover %d", k);
        free(r.output);
        in[63] = 29;     /* invalid v: success with empty output */
        r = pv_precompile_run(1, in, 128, 3000, PV_FRONTIER);
        CHECK(r.ok && r.output_size == 0, "ecrecover v=29");
        in[63] = (uint8_t)(27 + recid);
        memset(in + 64, 0, 32);   /* r = 0 */
        r = pv_precompile_run(1, in, 128, 3000, PV_FRONTIER);
        CHECK(r.ok && r.output_size == 0, "ecrecover r=0");
    }
    secp256k1_context_destroy(ctx);
    pv_precompile_result r = pv_precompile_run(1, NULL, 0, 2999, PV_FRONTIER);
    CHECK(!r.ok, "ecrecover needs 3000 gas");
}

static void test_activation(void)
{
    pv_address a = {{0}};
    a.b[19] = 5;
    CHECK(pv_precompile_id(&a, PV_HOMESTEAD) == 0 && pv_precompile_id(&a, PV_BYZANTIUM) == 5, "modexp from Byzantium");
    a.b[19] = 9;
    CHECK(pv_precompile_id(&a, PV_PETERSBURG) == 0 && pv_precompile_id(&a, PV_ISTANBUL) == 9, "blake2f from Istanbul");
    a.b[19] = 10;
    CHECK(pv_precompile_id(&a, PV_SHANGHAI) == 0 && pv_precompile_id(&a, PV_CANCUN) == 10, "point evaluation from Cancun");
    a.b[19] = 11;
    CHECK(pv_precompile_id(&a, PV_CANCUN) == 0, "0x0b is not a precompile");
    a.b[0] = 1;
    a.b[19] = 1;
    CHECK(pv_precompile_id(&a, PV_CANCUN) == 0, "high bytes");
}

/* Random and mutated inputs of every length: no crash, no over-charge. */
static void test_fuzz(void)
{
    int bad = 0;
    uint8_t buf[700];
    for (int iter = 0; iter < 20000; iter++) {
        int id = 1 + (int)(rnd() % 10);
        size_t len = rnd() % 3 == 0 ? 213 : (size_t)(rnd() % sizeof buf);
        for (size_t i = 0; i < len; i++) buf[i] = (uint8_t)(rnd() % 4 == 0 ? 0 : rnd());
        if (id == 5 && len >= 96) {       /* keep modexp lengths small most of the time */
            memset(buf, 0, 96);
            buf[31] = (uint8_t)(rnd() % 70);
            buf[63] = (uint8_t)(rnd() % 70);
            buf[95] = (uint8_t)(rnd() % 70);
        }
        if (id == 9 && len == 213) {
            memset(buf, 0, 2);
            buf[2] = 0;
            buf[212] = (uint8_t)(rnd() % 3);
        }
        int64_t gas = (int64_t)(rnd() % 200000);
        pv_precompile_result r = pv_precompile_run(id, buf, len, gas, (pv_fork)(rnd() % PV_FORK_COUNT));
        if (r.ok && (r.gas_used > gas || r.gas_used < 0))
            bad++;
        free(r.output);
    }
    CHECK(bad == 0, "%d over-charged results", bad);
}

/* BN254 (0x06-0x08): valid encodings (G1 points made by ECMUL itself, multiples of the G2
 * generator, infinity) mutated in every way the validation has to catch: flipped bits, words
 * set to p, p + small, all ones or zero, swapped halves, truncation and extension to any
 * length. No crash, no over-charge, the price and output size of the EIPs when a call
 * succeeds, failure whenever a pairing input is not a multiple of 192 bytes. */
static void test_bn254_fuzz(void)
{
    static const uint8_t p_be[32] = {0x30, 0x64, 0x4e, 0x72, 0xe1, 0x31, 0xa0, 0x29, 0xb8, 0x50, 0x45,
                                     0xb6, 0x81, 0x81, 0x58, 0x5d, 0x97, 0x81, 0x6a, 0x91, 0x68, 0x71,
                                     0xca, 0x8d, 0x3c, 0x20, 0x8c, 0x16, 0xd8, 0x7c, 0xfd, 0x47};
    enum { NG1 = 16, NG2 = 8 };
    uint8_t g1[NG1][64], g2[NG2][128];
    /* G1: infinity, the generator, then ECMUL(G, random k) */
    memset(g1, 0, sizeof g1);
    g1[1][31] = 1;
    g1[1][63] = 2;
    for (int i = 2; i < NG1; i++) {
        uint8_t in[96];
        memcpy(in, g1[1], 64);
        for (int j = 64; j < 96; j++) in[j] = (uint8_t)rnd();
        pv_precompile_result r = pv_precompile_run(7, in, 96, 6000, PV_CANCUN);
        CHECK(r.ok && r.output_size == 64, "ECMUL for the fuzz pool");
        if (r.ok)
            memcpy(g1[i], r.output, 64);
        free(r.output);
    }
    /* G2: infinity and multiples of the generator (EIP-197), encoded imaginary part first */
    static const char *gen[4] = {"198e9393920d483a7260bfb731fb5d25f1aa493335a9e71297e485b7aef312c2",
                                 "1800deef121f1e76426a00665e5c4479674322d4f75edadd46debd5cd992f6ed",
                                 "090689d0585ff075ec9e99ad690c3395bc4b313370b38ef355acdadcd122975b",
                                 "12c85ea5db8c6deb4aab71808dcb408fe3d1e7690c43d37b4ce6cc0166fa7daa"};
    pv_bn254_g2_affine q;
    uint8_t be[32];
    pv_bn254_fp *coord[4] = {&q.x.c1, &q.x.c0, &q.y.c1, &q.y.c0};
    for (int c = 0; c < 4; c++) {
        pv_hex_decode_fixed(gen[c], 64, be, 32);
        pv_bn254_fp_from_be(coord[c], be);
    }
    q.inf = false;
    memset(g2, 0, sizeof g2);
    for (int i = 1; i < NG2; i++) {
        pv_bn254_g2 Q, T;
        pv_bn254_g2_affine a;
        uint64_t k[4] = {rnd(), rnd(), rnd(), i == 1 ? 0 : rnd() >> 4};
        if (i == 1)
            k[0] = 1, k[1] = k[2] = 0;
        pv_bn254_g2_from_affine(&Q, &q);
        pv_bn254_g2_mul(&T, &Q, k, 4);
        pv_bn254_g2_to_affine(&a, &T);
        const pv_bn254_fp *ac[4] = {&a.x.c1, &a.x.c0, &a.y.c1, &a.y.c0};
        for (int c = 0; c < 4; c++)
            pv_bn254_fp_to_be(g2[i] + 32 * c, ac[c]);
    }

    uint8_t buf[6 * 192 + 64];
    int bad = 0, oks = 0, fails = 0;
    for (int iter = 0; iter < 30000; iter++) {
        int id = 6 + (int)(rnd() % 3);
        size_t len;
        if (id == 6) {
            memcpy(buf, g1[rnd() % NG1], 64);
            memcpy(buf + 64, g1[rnd() % NG1], 64);
            len = 128;
        } else if (id == 7) {
            memcpy(buf, g1[rnd() % NG1], 64);
            for (int j = 64; j < 96; j++) buf[j] = (uint8_t)rnd();
            len = 96;
        } else {
            size_t k = rnd() % 5;
            for (size_t i = 0; i < k; i++) {
                memcpy(buf + 192 * i, g1[rnd() % NG1], 64);
                memcpy(buf + 192 * i + 64, g2[rnd() % NG2], 128);
            }
            len = 192 * k;
        }
        int muts = (int)(rnd() % 4);         /* a quarter stay valid */
        for (int m = 0; m < muts && len > 0; m++) {
            size_t w = (size_t)(rnd() % ((len + 31) / 32)) * 32;
            size_t wl = len - w < 32 ? len - w : 32;
            switch (rnd() % 7) {
            case 0: buf[rnd() % len] ^= (uint8_t)(1u << (rnd() % 8)); break;
            case 1: memcpy(buf + w, p_be, wl); break;
            case 2: memcpy(buf + w, p_be, wl); buf[w + wl - 1] += (uint8_t)(rnd() % 4); break;
            case 3: memset(buf + w, 0xff, wl); break;
            case 4: memset(buf + w, 0, wl); break;
            case 5:                          /* swap two words (e.g. real and imaginary parts) */
                if (len >= 64 && wl == 32) {
                    size_t o = (size_t)(rnd() % (len / 32)) * 32;
                    uint8_t t[32];
                    memcpy(t, buf + w, 32);
                    memcpy(buf + w, buf + o, 32);
                    memcpy(buf + o, t, 32);
                }
                break;
            default: buf[len - 1 - rnd() % (len < 8 ? len : 8)] = (uint8_t)rnd(); break;
            }
        }
        if (rnd() % 4 == 0) {                /* any length */
            size_t nl = (size_t)(rnd() % sizeof buf);
            for (size_t j = len; j < nl; j++) buf[j] = (uint8_t)rnd();
            len = nl;
        }
        pv_fork fork = (pv_fork)(PV_BYZANTIUM + rnd() % (PV_FORK_COUNT - PV_BYZANTIUM));
        bool ist = fork >= PV_ISTANBUL;
        int64_t price = id == 6 ? (ist ? 150 : 500) : id == 7 ? (ist ? 6000 : 40000)
                      : (ist ? 45000 + 34000 * (int64_t)(len / 192) : 100000 + 80000 * (int64_t)(len / 192));
        int64_t gas = rnd() % 5 ? price + (int64_t)(rnd() % 1000) : (int64_t)(rnd() % (uint64_t)(price + 1));
        pv_precompile_result r = pv_precompile_run(id, len ? buf : NULL, len, gas, fork);
        if (r.ok) {
            oks++;
            bad += r.gas_used != price || gas < price || r.output_size != (id == 8 ? 32u : 64u);
            bad += id == 8 && len % 192 != 0;
        } else {
            fails++;
            bad += r.output != NULL;
        }
        free(r.output);
    }
    CHECK(bad == 0 && oks > 5000 && fails > 5000, "bn254 fuzz: %d bad, %d ok, %d failed", bad, oks, fails);
}

int main(void)
{
    test_blake2f();
    test_hashes();
    test_modexp();
    test_ecrecover();
    test_activation();
    test_fuzz();
    test_bn254_fuzz();
    TEST_DONE();
}
