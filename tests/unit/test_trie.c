/* Merkle-Patricia roots against ethereum-tests/TrieTests, and RLP against RLPTests. */
#include "test.h"

#include <jansson.h>
#include <string.h>

#include "state/trie.h"
#include "util/hex.h"
#include "util/keccak.h"
#include "util/rlp.h"

/* "0x.." is hex, anything else raw bytes; NULL/json null = absent. */
static bool get_bytes(json_t *v, uint8_t **out, size_t *len)
{
    if (!v || json_is_null(v)) {
        *out = NULL;
        *len = 0;
        return true;
    }
    const char *s = json_string_value(v);
    if (!s)
        return false;
    size_t n = strlen(s);
    if (n >= 2 && s[0] == '0' && s[1] == 'x')
        return pv_hex_decode_alloc(s, n, out, len);
    *out = malloc(n + 1);
    memcpy(*out, s, n);
    *len = n;
    return true;
}

static void run_trie_file(const char *name, bool secure)
{
    char path[512];
    snprintf(path, sizeof path, "%s/ethereum-tests/TrieTests/%s", test_fixtures_dir(), name);
    json_error_t err;
    json_t *root = json_load_file(path, 0, &err);
    CHECK(root != NULL, "cannot load %s: %s", path, err.text);
    if (!root)
        return;
    const char *tname;
    json_t *t;
    json_object_foreach(root, tname, t) {
        json_t *in = json_object_get(t, "in");
        pv_trie_entry e[512];
        uint8_t *owned[1024];
        size_t n = 0, nowned = 0;
        bool ok = true;
        if (json_is_array(in)) {
            size_t i;
            json_t *pair;
            json_array_foreach(in, i, pair) {
                uint8_t *k, *v;
                size_t kl, vl;
                ok &= get_bytes(json_array_get(pair, 0), &k, &kl) && get_bytes(json_array_get(pair, 1), &v, &vl);
                owned[nowned++] = k;
                owned[nowned++] = v;
                e[n++] = (pv_trie_entry){k, kl, v, vl};   /* an empty value deletes (last wins) */
            }
        } else {
            const char *key;
            json_t *val;
            json_object_foreach(in, key, val) {
                uint8_t *k, *v;
                size_t kl, vl;
                json_t *kj = json_string(key);
                ok &= get_bytes(kj, &k, &kl) && get_bytes(val, &v, &vl);
                json_decref(kj);
                owned[nowned++] = k;
                owned[nowned++] = v;
                e[n++] = (pv_trie_entry){k, kl, v, vl};
            }
        }
        pv_bytes32 want;
        const char *rs = json_string_value(json_object_get(t, "root"));
        ok &= rs && pv_hex_decode_fixed(rs, strlen(rs), want.b, 32);
        pv_bytes32 got = secure ? pv_trie_root_secure(e, n) : pv_trie_root(e, n);
        char h[80];
        CHECK(ok && pv_bytes32_eq(&got, &want), "%s/%s: root %s", name, tname, pv_hex_encode(got.b, 32, h));
        for (size_t i = 0; i < nowned; i++)
            free(owned[i]);
    }
    json_decref(root);
}

/* Encodes a JSON test input as RLP: strings, integers, "#bignum" strings, lists. */
static bool encode_json(pv_buf *b, json_t *v)
{
    if (json_is_array(v)) {
        size_t start = pv_rlp_list_begin(b), i;
        json_t *x;
        json_array_foreach(v, i, x) if (!encode_json(b, x)) return false;
        pv_rlp_list_end(b, start);
        return true;
    }
    if (json_is_integer(v)) {
        pv_rlp_put_u64(b, (uint64_t)json_integer_value(v));
        return true;
    }
    const char *s = json_string_value(v);
    if (!s)
        return false;
    if (s[0] == '#') {
        /* decimal -> minimal big-endian bytes (may exceed 256 bits) */
        uint8_t be[64] = {0};
        for (const char *d = s + 1; *d; d++) {
            unsigned carry = (unsigned)(*d - '0');
            for (int i = 63; i >= 0; i--) {
                unsigned x = be[i] * 10u + carry;
                be[i] = (uint8_t)x;
                carry = x >> 8;
            }
        }
        size_t skip = 0;
        while (skip < 64 && be[skip] == 0)
            skip++;
        pv_rlp_put_bytes(b, be + skip, 64 - skip);
        return true;
    }
    pv_rlp_put_bytes(b, (const uint8_t *)s, json_string_length(v));
    return true;
}

/* Checks that a decoded item re-encodes to the same bytes (and that nested items decode). */
static bool reencode(pv_buf *b, const uint8_t *in, size_t len)
{
    pv_rlp_item it;
    if (pv_rlp_decode_exact(in, len, &it) != PV_RLP_OK)
        return false;
    if (!it.is_list) {
        pv_rlp_put_bytes(b, it.payload, it.payload_len);
        return true;
    }
    size_t start = pv_rlp_list_begin(b), pos = 0;
    for (;;) {
        pv_rlp_item el;
        bool done;
        if (pv_rlp_list_next(&it, &pos, &el, &done) != PV_RLP_OK)
            return false;
        if (done)
            break;
        if (!reencode(b, el.payload - (el.total_len - el.payload_len), el.total_len))
            return false;
    }
    pv_rlp_list_end(b, start);
    return true;
}

static void run_rlp(void)
{
    char path[512];
    json_error_t err;
    snprintf(path, sizeof path, "%s/ethereum-tests/RLPTests/rlptest.json", test_fixtures_dir());
    json_t *root = json_load_file(path, JSON_ALLOW_NUL, &err);
    CHECK(root != NULL, "cannot load %s", path);
    const char *name;
    json_t *t;
    if (root) {
        json_object_foreach(root, name, t) {
            const char *out = json_string_value(json_object_get(t, "out"));
            uint8_t *want;
            size_t wl;
            bool ok = out && pv_hex_decode_alloc(out, strlen(out), &want, &wl);
            if (!ok) { CHECK(0, "rlptest %s: bad out", name); continue; }
            pv_buf b;
            pv_buf_init(&b);
            CHECK(encode_json(&b, json_object_get(t, "in")) && b.len == wl && memcmp(b.data, want, wl) == 0, "rlp encode %s", name);
            pv_buf r;
            pv_buf_init(&r);
            CHECK(reencode(&r, want, wl) && r.len == wl && memcmp(r.data, want, wl) == 0, "rlp decode %s", name);
            pv_buf_free(&b);
            pv_buf_free(&r);
            free(want);
        }
        json_decref(root);
    }
    snprintf(path, sizeof path, "%s/ethereum-tests/RLPTests/invalidRLPTest.json", test_fixtures_dir());
    root = json_load_file(path, 0, &err);
    CHECK(root != NULL, "cannot load %s", path);
    if (root) {
        json_object_foreach(root, name, t) {
            const char *out = json_string_value(json_object_get(t, "out"));
            uint8_t *bytes;
            size_t bl;
            if (!out || !pv_hex_decode_alloc(out, strlen(out), &bytes, &bl)) {
                CHECK(0, "invalid rlp %s: bad hex", name);
                continue;
            }
            pv_buf r;
            pv_buf_init(&r);
            CHECK(!reencode(&r, bytes, bl), "invalid RLP accepted: %s", name);
            pv_buf_free(&r);
            free(bytes);
        }
        json_decref(root);
    }
}

int main(void)
{
    run_trie_file("trietest.json", false);
    run_trie_file("trieanyorder.json", false);
    run_trie_file("trietest_secureTrie.json", true);
    run_trie_file("trieanyorder_secureTrie.json", true);
    run_trie_file("hex_encoded_securetrie_test.json", true);
    /* trietestnextprev.json tests iteration order, not roots: not applicable here. */
    run_rlp();
    TEST_DONE();
}
