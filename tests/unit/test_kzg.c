/* KZG verification and the point evaluation precompile (0x0a): the trusted-setup constant, the
 * verification algebra with a toy setup of known tau, the EIP-4844 fixture vectors, invalid
 * encodings, and a crash fuzz. */
#include "test.h"

#include <jansson.h>
#include <openssl/evp.h>
#include <string.h>

#include "crypto/kzg.h"
#include "evm/precompiles.h"
#include "util/hex.h"

static uint64_t rng = 0x2545f4914f6cdd1dULL;
static uint64_t rnd(void) { return test_xorshift(&rng); }

static void hex_to(uint8_t *out, size_t n, const char *hex)
{
    if (!pv_hex_decode_fixed(hex, strlen(hex), out, n))
        abort();
}

static void rand_fr(pv_bls_fr *r)
{
    uint8_t b[32];
    do {
        for (int i = 0; i < 32; i++)
            b[i] = (uint8_t)rnd();
        b[0] &= 0x7f;
    } while (!pv_bls_fr_from_bytes(r, b));
}

static void g1_mul_fr(pv_bls_g1_affine *r, const pv_bls_fr *k)
{
    pv_bls_g1_affine g;
    pv_bls_g1_generator(&g);
    pv_bls_g1 j;
    pv_bls_g1_from_affine(&j, &g);
    uint64_t s[4];
    pv_bls_fr_to_scalar(s, k);
    pv_bls_g1_mul(&j, &j, s);
    pv_bls_g1_to_affine(r, &j);
}

/* The mainnet [tau]G2 decodes to a G2 point and re-encodes to the same bytes. */
static void test_setup_constant(void)
{
    const pv_bls_g2_affine *t = pv_kzg_setup_tau_g2();
    CHECK(!t->infinity && pv_bls_g2_affine_on_curve(t), "tau G2 on the curve");
    CHECK(pv_bls_g2_in_subgroup(t), "tau G2 in G2");
    pv_bls_g2 j;
    pv_bls_g2_from_affine(&j, t);
    static const uint64_t r[4] = {0xffffffff00000001ULL, 0x53bda402fffe5bfeULL, 0x3339d80809a1d805ULL,
                                  0x73eda753299d7d48ULL};
    pv_bls_g2_mul(&j, &j, r);
    CHECK(pv_bls_g2_is_infinity(&j), "[r] tau G2 = O");
    uint8_t enc[96];
    pv_bls_g2_encode_compressed(enc, t);
    CHECK(memcmp(enc, pv_kzg_tau_g2_bytes, 96) == 0, "tau G2 re-encodes");
}

/* A toy setup with known tau: commit to p(X) = sum c_i X^i, prove p(z) = y with the quotient
 * q(X) = (p(X) - y) / (X - z), both evaluated at tau directly. */
static void test_toy_setup(void)
{
    int bad = 0;
    for (int iter = 0; iter < 6; iter++) {
        pv_bls_fr tau, c[5], z, y, pt, t, qt, num, den;
        rand_fr(&tau);
        for (int i = 0; i < 5; i++)
            rand_fr(&c[i]);
        rand_fr(&z);
        if (iter == 0)
            memset(&z, 0, sizeof z); /* z = 0 */
        /* p(tau), p(z) by Horner */
        memset(&pt, 0, sizeof pt);
        memset(&y, 0, sizeof y);
        for (int i = 4; i >= 0; i--) {
            pv_bls_fr_mul(&pt, &pt, &tau);
            pv_bls_fr_add(&pt, &pt, &c[i]);
            pv_bls_fr_mul(&y, &y, &z);
            pv_bls_fr_add(&y, &y, &c[i]);
        }
        pv_bls_fr_sub(&num, &pt, &y);
        pv_bls_fr_sub(&den, &tau, &z);
        pv_bls_fr_inv(&den, &den);
        pv_bls_fr_mul(&qt, &num, &den);

        pv_bls_g1_affine commitment, proof;
        g1_mul_fr(&commitment, &pt);
        g1_mul_fr(&proof, &qt);
        pv_bls_g2_affine g2, tg2;
        pv_bls_g2_generator(&g2);
        pv_bls_g2 j;
        pv_bls_g2_from_affine(&j, &g2);
        uint64_t ts[4], zs[4], ys[4];
        pv_bls_fr_to_scalar(ts, &tau);
        pv_bls_g2_mul(&j, &j, ts);
        pv_bls_g2_to_affine(&tg2, &j);
        pv_bls_g2_prepared *prep = malloc(sizeof *prep);
        pv_bls_g2_prepare(prep, &tg2);
        pv_bls_fr_to_scalar(zs, &z);
        pv_bls_fr_to_scalar(ys, &y);
        bad += !pv_kzg_verify_proof_impl(&commitment, zs, ys, &proof, prep);
        /* wrong y, wrong z, wrong proof, wrong commitment */
        pv_bls_fr_add(&t, &y, &PV_BLS_FR_ONE);
        uint64_t ws[4];
        pv_bls_fr_to_scalar(ws, &t);
        bad += pv_kzg_verify_proof_impl(&commitment, zs, ws, &proof, prep);
        pv_bls_fr_add(&t, &z, &PV_BLS_FR_ONE);
        pv_bls_fr_to_scalar(ws, &t);
        bad += pv_kzg_verify_proof_impl(&commitment, ws, ys, &proof, prep);
        pv_bls_g1_affine other;
        g1_mul_fr(&other, &num);
        bad += pv_kzg_verify_proof_impl(&commitment, zs, ys, &other, prep);
        bad += pv_kzg_verify_proof_impl(&other, zs, ys, &proof, prep);
        /* a constant polynomial: proof at infinity */
        g1_mul_fr(&commitment, &c[0]);
        pv_bls_g1_affine inf = {.infinity = true};
        pv_bls_fr_to_scalar(ys, &c[0]);
        bad += !pv_kzg_verify_proof_impl(&commitment, zs, ys, &inf, prep);
        /* the zero polynomial: commitment and proof at infinity, y = 0 */
        memset(ys, 0, sizeof ys);
        bad += !pv_kzg_verify_proof_impl(&inf, zs, ys, &inf, prep);
        free(prep);
    }
    CHECK(bad == 0, "toy setup KZG %d", bad);
}


/* ---- the precompile ---- */

static const char *VALID = "01e798154708fe7789429634053cbf9f99b619f9f084048927333fce637f549b"
                           "73eda753299d7d483339d80809a1d80553bda402fffe5bfeffffffff00000000"
                           "1522a4a7f34e1ea350ae07c29c96c7e79655aa926122e95fe69fcbd932ca49e9"
                           "8f59a8d2a1a625a17f3fea0fe5eb8c896db3764f3185481bc22f91b4aaffcca25f26936857bc3a7c2539ea8ec3a952b7"
                           "a62ad71d14c5719385c0686f1871430475bf3a00f0aa3f7b8dd99a9abc2160744faf0070725e00b60ad9a026a15b1a8c";

static bool run(const uint8_t *in, size_t n, int64_t gas)
{
    pv_precompile_result r = pv_pc_point_evaluation(in, n, gas, PV_CANCUN);
    bool ok = r.ok;
    if (ok && (r.gas_used != 50000 || r.output_size != 64))
        ok = false;
    free(r.output);
    return ok;
}

/* Sets the versioned hash of in (192 bytes) to match its commitment, with the given version. */
static void set_versioned_hash(uint8_t *in, uint8_t version)
{
    unsigned hl = 0;
    EVP_Digest(in + 96, 48, in, &hl, EVP_sha256(), NULL);
    in[0] = version;
}

static void test_precompile_valid(void)
{
    uint8_t in[192];
    hex_to(in, 192, VALID);
    pv_precompile_result r = pv_pc_point_evaluation(in, 192, 50000, PV_CANCUN);
    uint8_t want[64] = {0};
    want[30] = 0x10; /* 4096 */
    static const char *mod = "73eda753299d7d483339d80809a1d80553bda402fffe5bfeffffffff00000001";
    hex_to(want + 32, 32, mod);
    CHECK(r.ok && r.gas_used == 50000 && r.output_size == 64 && memcmp(r.output, want, 64) == 0,
          "valid proof: output FIELD_ELEMENTS_PER_BLOB | BLS_MODULUS");
    free(r.output);
    CHECK(!run(in, 192, 49999), "gas 49999 fails");
    CHECK(run(in, 192, 1000000), "more gas: charges 50000");
    CHECK(pv_precompile_id(&(pv_address){.b = {[19] = 10}}, PV_CANCUN) == 10, "0x0a active in Cancun");
    CHECK(pv_precompile_id(&(pv_address){.b = {[19] = 10}}, PV_SHANGHAI) == 0, "0x0a inactive before Cancun");
}

static void test_precompile_invalid(void)
{
    uint8_t in[300], base[192];
    hex_to(base, 192, VALID);
    /* lengths */
    memcpy(in, base, 192);
    in[192] = 0;
    CHECK(!run(in, 191, 50000) && !run(in, 193, 50000) && !run(NULL, 0, 50000), "wrong lengths");
    /* versioned hash: version byte, any other byte */
    for (int v = 0; v < 256; v += 0x55) {
        memcpy(in, base, 192);
        in[0] = (uint8_t)v;
        CHECK(run(in, 192, 50000) == (v == 1), "version byte 0x%02x", v);
    }
    memcpy(in, base, 192);
    in[31] ^= 1;
    CHECK(!run(in, 192, 50000), "versioned hash mismatch");
    /* z, y >= r (r itself, r + small, 2^256 - 1) */
    static const char *r = "73eda753299d7d483339d80809a1d80553bda402fffe5bfeffffffff00000001";
    for (int field = 0; field < 2; field++) {
        memcpy(in, base, 192);
        hex_to(in + 32 + 32 * field, 32, r);
        CHECK(!run(in, 192, 50000), "%s = r", field ? "y" : "z");
        in[32 + 32 * field + 31] = 2;
        CHECK(!run(in, 192, 50000), "%s = r + 1", field ? "y" : "z");
        memset(in + 32 + 32 * field, 0xff, 32);
        CHECK(!run(in, 192, 50000), "%s = 2^256 - 1", field ? "y" : "z");
    }
    /* Commitment / proof encodings (versioned hash recomputed so the point checks are reached). */
    for (int which = 0; which < 2; which++) {
        size_t off = which ? 144 : 96;
        const char *what = which ? "proof" : "commitment";
        /* C flag cleared */
        memcpy(in, base, 192);
        in[off] &= 0x7f;
        set_versioned_hash(in, 1);
        CHECK(!run(in, 192, 50000), "%s without compression flag", what);
        /* sign flag flipped: the negated point, a wrong proof */
        memcpy(in, base, 192);
        in[off] ^= 0x20;
        set_versioned_hash(in, 1);
        CHECK(!run(in, 192, 50000), "%s with flipped sign", what);
        /* infinity flag on a non-zero x; infinity with the sign flag; non-canonical infinity */
        memcpy(in, base, 192);
        in[off] |= 0x40;
        set_versioned_hash(in, 1);
        CHECK(!run(in, 192, 50000), "%s: infinity flag with x bits", what);
        memset(in + off, 0, 48);
        in[off] = 0xe0;
        set_versioned_hash(in, 1);
        CHECK(!run(in, 192, 50000), "%s: infinity with sign flag", what);
        memset(in + off, 0, 48);
        in[off] = 0xc0;
        in[off + 47] = 1;
        set_versioned_hash(in, 1);
        CHECK(!run(in, 192, 50000), "%s: non-canonical infinity", what);
        memset(in + off, 0, 48);
        in[off] = 0x40;
        set_versioned_hash(in, 1);
        CHECK(!run(in, 192, 50000), "%s: infinity without compression flag", what);
        /* x >= p: p itself and 2^381 - 1 */
        memcpy(in, base, 192);
        hex_to(in + off, 48, "1a0111ea397fe69a4b1ba7b6434bacd764774b84f38512bf6730d2a0f6b0f6241eabfffeb153ffffb9feffffffffaaab");
        in[off] |= 0x80;
        set_versioned_hash(in, 1);
        CHECK(!run(in, 192, 50000), "%s: x = p", what);
        memset(in + off, 0xff, 48);
        in[off] = 0x9f;
        set_versioned_hash(in, 1);
        CHECK(!run(in, 192, 50000), "%s: x = 2^381 - 1", what);
        /* x not on the curve, and a curve point outside G1 */
        int not_on = 0, outside = 0;
        for (int x = 1; x < 40 && (!not_on || !outside); x++) {
            memcpy(in, base, 192);
            memset(in + off, 0, 48);
            in[off] = 0x80;
            in[off + 47] = (uint8_t)x;
            pv_bls_g1_affine pt;
            bool on = pv_bls_g1_decode_compressed(&pt, in + off);
            if (on && pv_bls_g1_in_subgroup(&pt))
                continue; /* (never for these x) */
            set_versioned_hash(in, 1);
            if (!run(in, 192, 50000)) {
                if (on)
                    outside++;
                else
                    not_on++;
            } else {
                not_on = -1000;
            }
        }
        CHECK(not_on > 0, "%s: x not on the curve", what);
        CHECK(outside > 0, "%s: curve point outside G1", what);
    }
}

/* The EIP-4844 point evaluation vectors (go-kzg-4844's verify_kzg_proof cases, as used by the
 * execution-spec-tests state test): each transaction's data is the precompile input; the case
 * name tells the expected outcome. */
static void test_fixture_vectors(void)
{
    char path[1024];
    snprintf(path, sizeof path,
             "%s/ethereum-tests/GeneralStateTests/Pyspecs/cancun/eip4844_blobs/point_evaluation_precompile_external_vectors.json",
             test_fixtures_dir());
    json_error_t err;
    json_t *root = json_load_file(path, 0, &err);
    if (!root) {
        printf("note: %s not found; fixture vectors skipped\n", path);
        return;
    }
    int total = 0, bad = 0, valid = 0;
    const char *key;
    json_t *t;
    json_object_foreach(root, key, t) {
        const char *m = strstr(key, "verify_kzg_proof_case_");
        json_t *data = json_array_get(json_object_get(json_object_get(t, "transaction"), "data"), 0);
        if (!m || !json_is_string(data))
            continue;
        bool expect = strncmp(m + strlen("verify_kzg_proof_case_"), "correct_proof", 13) == 0;
        uint8_t *in;
        size_t n;
        const char *hex = json_string_value(data);
        if (!pv_hex_decode_alloc(hex, strlen(hex), &in, &n)) {
            bad++;
            continue;
        }
        bool got = run(in, n, 50000);
        if (got != expect) {
            bad++;
            fprintf(stderr, "vector %s: got %d\n", key, got);
        }
        valid += expect;
        total++;
        free(in);
    }
    json_decref(root);
    CHECK(total >= 100 && valid >= 50 && bad == 0, "fixture vectors: %d cases, %d valid, %d wrong", total, valid, bad);
}

/* Random and mutated inputs: no crash, and only a correct input may succeed. */
static void test_fuzz(void)
{
    uint8_t base[192], in[300];
    hex_to(base, 192, VALID);
    int bad = 0, oks = 0;
    for (int iter = 0; iter < 3000; iter++) {
        size_t len;
        int kind = (int)(rnd() % 4);
        if (kind == 0) { /* random bytes of a random length */
            len = rnd() % 301;
            for (size_t i = 0; i < len; i++)
                in[i] = (uint8_t)rnd();
        } else { /* the valid input with a few mutated bytes, usually a consistent hash */
            len = rnd() % 8 == 0 ? rnd() % 301 : 192;
            memset(in, 0, sizeof in);
            memcpy(in, base, 192);
            int muts = 1 + (int)(rnd() % 3);
            for (int j = 0; j < muts; j++) {
                size_t pos = 32 + rnd() % 160;
                in[pos] = rnd() % 2 ? (uint8_t)rnd() : (uint8_t)(in[pos] ^ (1u << (rnd() % 8)));
            }
            if (kind >= 2)
                set_versioned_hash(in, 1);
        }
        int64_t gas = rnd() % 4 ? 50000 : (int64_t)(rnd() % 100000);
        pv_precompile_result r = pv_pc_point_evaluation(in, len, gas, PV_CANCUN);
        if (r.ok) {
            oks++;
            if (r.gas_used != 50000 || gas < 50000 || r.output_size != 64 || len != 192)
                bad++;
        } else if (r.output) {
            bad++;
        }
        free(r.output);
    }
    CHECK(bad == 0, "fuzz: %d bad results (%d successes)", bad, oks);
}

int main(void)
{
    test_setup_constant();
    test_toy_setup();
    test_precompile_valid();
    test_precompile_invalid();
    test_fixture_vectors();
    test_fuzz();
    TEST_DONE();
}
