/*
 * RLP against ethereum-tests/RLPTests:
 *  - rlptest.json: encode "in" (strings, integers, "#<decimal bigint>", nested lists) and compare
 *    with "out"; decode "out" completely, check the items against "in", re-encode, compare;
 *  - invalidRLPTest.json: a complete (recursive) decode must fail;
 *  - every RandomRLPTests/<name>.json: must decode completely and re-encode to the same bytes.
 * Plus hand-written cases for the status codes, the integer readers and the encoders.
 */
#include "test.h"

#include <dirent.h>
#include <jansson.h>
#include <string.h>
#include <stdlib.h>
#include <unistd.h>
#include <pthread.h>

#include "exec/block.h"
#include "state/trie.h"
#include "util/hex.h"
#include "util/keccak.h"
#include "util/rlp.h"

/* Decimal digits -> minimal big-endian bytes (no leading zero; zero -> no bytes). */
static bool decimal_to_be(const char *s, uint8_t *be, size_t cap, size_t *len)
{
    memset(be, 0, cap);
    if (!*s)
        return false;
    for (const char *d = s; *d; d++) {
        if (*d < '0' || *d > '9')
            return false;
        unsigned carry = (unsigned)(*d - '0');
        for (size_t i = cap; i-- > 0;) {
            unsigned x = be[i] * 10u + carry;
            be[i] = (uint8_t)x;
            carry = x >> 8;
        }
        if (carry)
            return false;  /* does not fit in cap bytes */
    }
    size_t skip = 0;
    while (skip < cap && be[skip] == 0)
        skip++;
    memmove(be, be + skip, cap - skip);
    *len = cap - skip;
    return true;
}

/* Encodes a JSON test input. */
static bool encode_json(pv_buf *b, json_t *v)
{
    if (json_is_array(v)) {
        size_t start = pv_rlp_list_begin(b), i;
        json_t *x;
        json_array_foreach(v, i, x) {
            if (!encode_json(b, x))
                return false;
        }
        pv_rlp_list_end(b, start);
        return true;
    }
    if (json_is_integer(v)) {
        json_int_t n = json_integer_value(v);
        if (n < 0)
            return false;
        pv_rlp_put_u64(b, (uint64_t)n);
        return true;
    }
    if (!json_is_string(v))
        return false;
    const char *s = json_string_value(v);
    if (s[0] == '#') {
        uint8_t be[64];
        size_t n;
        if (!decimal_to_be(s + 1, be, sizeof be, &n))
            return false;
        if (n <= 32) {  /* exercise the u256 encoder where the value fits */
            u256 x = {{0, 0, 0, 0}};
            for (size_t i = 0; i < n; i++)
                x.w[i / 8] |= (uint64_t)be[n - 1 - i] << (8 * (i % 8));
            pv_rlp_put_u256(b, &x);
        } else {
            pv_rlp_put_bytes(b, be, n);
        }
        return true;
    }
    pv_rlp_put_bytes(b, (const uint8_t *)s, json_string_length(v));
    return true;
}

/* Does the decoded item match the JSON input? */
static bool item_matches(const pv_rlp_item *it, json_t *v)
{
    if (json_is_array(v)) {
        if (!it->is_list)
            return false;
        size_t pos = 0, i = 0;
        for (;;) {
            pv_rlp_item el;
            bool done;
            if (pv_rlp_list_next(it, &pos, &el, &done) != PV_RLP_OK)
                return false;
            if (done)
                break;
            json_t *x = json_array_get(v, i++);
            if (!x || !item_matches(&el, x))
                return false;
        }
        return i == json_array_size(v);
    }
    if (it->is_list)
        return false;
    if (json_is_integer(v)) {
        uint64_t got;
        return pv_rlp_get_u64(it, &got) && got == (uint64_t)json_integer_value(v);
    }
    const char *s = json_string_value(v);
    if (!s)
        return false;
    if (s[0] == '#') {
        uint8_t be[64];
        size_t n;
        if (!decimal_to_be(s + 1, be, sizeof be, &n))
            return false;
        if (n <= 32) {
            u256 x;
            if (!pv_rlp_get_u256(it, &x))
                return false;
            for (size_t i = 0; i < n; i++)
                if ((uint8_t)(x.w[i / 8] >> (8 * (i % 8))) != be[n - 1 - i])
                    return false;
        }
        return it->payload_len == n && memcmp(it->payload, be, n) == 0;
    }
    size_t n = json_string_length(v);
    return it->payload_len == n && (n == 0 || memcmp(it->payload, s, n) == 0);
}

/* Decodes in[0..len) completely (every nested item, strictly) and re-encodes it into b.
 * Returns the first error met. */
static pv_rlp_status reencode_item(pv_buf *b, const pv_rlp_item *it)
{
    if (!it->is_list) {
        pv_rlp_put_bytes(b, it->payload, it->payload_len);
        return PV_RLP_OK;
    }
    size_t start = pv_rlp_list_begin(b), pos = 0;
    for (;;) {
        pv_rlp_item el;
        bool done;
        pv_rlp_status st = pv_rlp_list_next(it, &pos, &el, &done);
        if (st != PV_RLP_OK)
            return st;
        if (done)
            break;
        st = reencode_item(b, &el);
        if (st != PV_RLP_OK)
            return st;
    }
    pv_rlp_list_end(b, start);
    return PV_RLP_OK;
}

static pv_rlp_status reencode(pv_buf *b, const uint8_t *in, size_t len)
{
    pv_rlp_item it;
    pv_rlp_status st = pv_rlp_decode_exact(in, len, &it);
    if (st != PV_RLP_OK)
        return st;
    return reencode_item(b, &it);
}

static json_t *load(const char *rel)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/ethereum-tests/RLPTests/%s", test_fixtures_dir(), rel);
    json_error_t err;
    json_t *root = json_load_file(path, JSON_ALLOW_NUL, &err);
    CHECK(root != NULL && json_is_object(root), "cannot load %s: %s", path, root ? "not an object" : err.text);
    return root;
}

static bool hex_of(json_t *t, uint8_t **bytes, size_t *len)
{
    const char *out = json_string_value(json_object_get(t, "out"));
    return out && pv_hex_decode_alloc(out, strlen(out), bytes, len);
}

static void valid_file(void)
{
    json_t *root = load("rlptest.json");
    if (!root)
        return;
    const char *name;
    json_t *t;
    int cases = 0;
    json_object_foreach(root, name, t) {
        cases++;
        uint8_t *want;
        size_t wl;
        if (!hex_of(t, &want, &wl)) {
            CHECK(0, "rlptest %s: bad \"out\"", name);
            continue;
        }
        json_t *in = json_object_get(t, "in");
        pv_buf b;
        pv_buf_init(&b);
        bool enc = encode_json(&b, in);
        CHECK(enc && b.len == wl && memcmp(b.data, want, wl) == 0, "rlptest %s: encoding differs", name);
        pv_rlp_item it;
        pv_rlp_status st = pv_rlp_decode_exact(want, wl, &it);
        CHECK(st == PV_RLP_OK && item_matches(&it, in), "rlptest %s: decoding (%s) does not match \"in\"", name,
              pv_rlp_status_name(st));
        pv_buf r;
        pv_buf_init(&r);
        st = reencode(&r, want, wl);
        CHECK(st == PV_RLP_OK && r.len == wl && memcmp(r.data, want, wl) == 0, "rlptest %s: re-encoding (%s)", name,
              pv_rlp_status_name(st));
        pv_buf_free(&b);
        pv_buf_free(&r);
        free(want);
    }
    CHECK(cases >= 20, "rlptest.json: only %d cases", cases);
    json_decref(root);
}

static void invalid_file(void)
{
    json_t *root = load("invalidRLPTest.json");
    if (!root)
        return;
    const char *name;
    json_t *t;
    int cases = 0;
    json_object_foreach(root, name, t) {
        cases++;
        uint8_t *bytes;
        size_t bl;
        if (!hex_of(t, &bytes, &bl)) {
            CHECK(0, "invalidRLPTest %s: bad hex", name);
            continue;
        }
        pv_buf r;
        pv_buf_init(&r);
        CHECK(reencode(&r, bytes, bl) != PV_RLP_OK, "invalidRLPTest %s: accepted", name);
        pv_buf_free(&r);
        free(bytes);
    }
    CHECK(cases >= 20, "invalidRLPTest.json: only %d cases", cases);
    json_decref(root);
}

static void random_files(void)
{
    char dir[1024];
    snprintf(dir, sizeof dir, "%s/ethereum-tests/RLPTests/RandomRLPTests", test_fixtures_dir());
    DIR *d = opendir(dir);
    CHECK(d != NULL, "cannot open %s", dir);
    if (!d)
        return;
    int files = 0;
    struct dirent *de;
    while ((de = readdir(d))) {
        size_t nl = strlen(de->d_name);
        if (nl < 6 || strcmp(de->d_name + nl - 5, ".json") != 0)
            continue;
        char rel[600];
        snprintf(rel, sizeof rel, "RandomRLPTests/%s", de->d_name);
        json_t *root = load(rel);
        if (!root)
            continue;
        files++;
        const char *name;
        json_t *t;
        json_object_foreach(root, name, t) {
            uint8_t *bytes;
            size_t bl;
            if (!hex_of(t, &bytes, &bl)) {
                CHECK(0, "%s %s: bad hex", de->d_name, name);
                continue;
            }
            pv_buf r;
            pv_buf_init(&r);
            pv_rlp_status st = reencode(&r, bytes, bl);
            CHECK(st == PV_RLP_OK && r.len == bl && memcmp(r.data, bytes, bl) == 0, "%s %s: %s", de->d_name, name,
                  pv_rlp_status_name(st));
            pv_buf_free(&r);
            free(bytes);
        }
        json_decref(root);
    }
    closedir(d);
    CHECK(files > 0, "no RandomRLPTests files");
}

/* ---- hand-written cases ---------------------------------------------------------------------- */

static pv_rlp_status decode_hex(const char *hex, bool exact, pv_rlp_item *it)
{
    uint8_t buf[128];
    size_t n = strlen(hex) / 2;
    if (n > sizeof buf || !pv_hex_decode_fixed(hex, strlen(hex), buf, n))
        return (pv_rlp_status)-1;
    static uint8_t keep[128];  /* items point into the input */
    memcpy(keep, buf, n);
    return exact ? pv_rlp_decode_exact(keep, n, it) : pv_rlp_decode(keep, n, it);
}

static bool encodes_to(const pv_buf *b, const char *hex)
{
    uint8_t want[256];
    size_t n = strlen(hex) / 2;
    return n <= sizeof want && pv_hex_decode_fixed(hex, strlen(hex), want, n) && b->len == n &&
           memcmp(b->data, want, n) == 0;
}

static void statuses(void)
{
    pv_rlp_item it;
    CHECK(decode_hex("8100", true, &it) == PV_RLP_NON_CANONICAL, "0x8100");
    CHECK(decode_hex("817f", true, &it) == PV_RLP_NON_CANONICAL, "0x817f");
    CHECK(decode_hex("8180", true, &it) == PV_RLP_OK && it.payload_len == 1 && it.payload[0] == 0x80, "0x8180");
    CHECK(decode_hex("b800", true, &it) == PV_RLP_NON_CANONICAL, "long form with leading zero length byte");
    CHECK(decode_hex("b90040", true, &it) == PV_RLP_NON_CANONICAL, "long length with a leading zero byte");
    CHECK(decode_hex("b80100", true, &it) == PV_RLP_NON_CANONICAL, "long form for a 1-byte string");
    CHECK(decode_hex("b837" "0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
                     "0000000000000000000000",
                     true, &it) == PV_RLP_NON_CANONICAL,
          "long form for 55 bytes");
    CHECK(decode_hex("f800", true, &it) == PV_RLP_NON_CANONICAL, "list: long form with zero length");
    CHECK(decode_hex("f803010203", true, &it) == PV_RLP_NON_CANONICAL, "list: long form for 3 bytes");
    CHECK(decode_hex("83010203", true, &it) == PV_RLP_OK, "short string");
    CHECK(decode_hex("830102", true, &it) == PV_RLP_TRUNCATED, "string beyond input");
    CHECK(decode_hex("c3010203", true, &it) == PV_RLP_OK && it.is_list && it.payload_len == 3, "short list");
    CHECK(decode_hex("c401020304", false, &it) == PV_RLP_OK, "list fits");
    CHECK(decode_hex("c5010203", true, &it) == PV_RLP_TRUNCATED, "list beyond input");
    CHECK(decode_hex("b9", true, &it) == PV_RLP_TRUNCATED, "length bytes missing");
    CHECK(decode_hex("b901", true, &it) == PV_RLP_TRUNCATED, "length bytes partly missing");
    CHECK(decode_hex("bf0f000000000000021111", true, &it) == PV_RLP_TRUNCATED, "huge length");
    CHECK(decode_hex("bfffffffffffffffff00", true, &it) != PV_RLP_OK, "2^64-1 length");
    CHECK(pv_rlp_decode((const uint8_t *)"", 0, &it) == PV_RLP_TRUNCATED, "empty input");
    CHECK(decode_hex("0102", true, &it) == PV_RLP_TRAILING, "trailing byte (exact)");
    CHECK(decode_hex("0102", false, &it) == PV_RLP_OK && it.total_len == 1, "trailing byte (prefix decode)");
    CHECK(decode_hex("8001", true, &it) == PV_RLP_TRAILING, "trailing after empty string");

    /* list iteration; an invalid element inside a list */
    CHECK(decode_hex("c6827a77c10401", true, &it) == PV_RLP_OK, "multilist");
    size_t pos = 0;
    pv_rlp_item el;
    bool done;
    int count = 0;
    while (pv_rlp_list_next(&it, &pos, &el, &done) == PV_RLP_OK && !done)
        count++;
    CHECK(count == 3 && done, "multilist has 3 elements (%d)", count);
    CHECK(decode_hex("c28100", true, &it) == PV_RLP_OK, "outer list of a bad element decodes lazily");
    pos = 0;
    CHECK(pv_rlp_list_next(&it, &pos, &el, &done) == PV_RLP_NON_CANONICAL, "bad element reported");
    CHECK(decode_hex("c3018201", true, &it) == PV_RLP_OK, "list with a truncated element");
    pos = 0;
    CHECK(pv_rlp_list_next(&it, &pos, &el, &done) == PV_RLP_OK && !done, "element 1");
    CHECK(pv_rlp_list_next(&it, &pos, &el, &done) == PV_RLP_TRUNCATED, "element 2 truncated within the list");

    for (int s = PV_RLP_OK; s <= PV_RLP_TOO_LARGE; s++)
        CHECK(pv_rlp_status_name((pv_rlp_status)s) && *pv_rlp_status_name((pv_rlp_status)s), "status name %d", s);
}

static void integers(void)
{
    pv_rlp_item it;
    uint64_t v;
    u256 w;
    CHECK(decode_hex("80", true, &it) == PV_RLP_OK && pv_rlp_get_u64(&it, &v) && v == 0, "0x80 -> 0");
    CHECK(decode_hex("00", true, &it) == PV_RLP_OK && !pv_rlp_get_u64(&it, &v), "0x00 is not canonical 0");
    CHECK(decode_hex("7f", true, &it) == PV_RLP_OK && pv_rlp_get_u64(&it, &v) && v == 127, "0x7f");
    CHECK(decode_hex("820100", true, &it) == PV_RLP_OK && pv_rlp_get_u64(&it, &v) && v == 256, "256");
    CHECK(decode_hex("820001", true, &it) == PV_RLP_OK && !pv_rlp_get_u64(&it, &v), "leading zero rejected");
    CHECK(decode_hex("88ffffffffffffffff", true, &it) == PV_RLP_OK && pv_rlp_get_u64(&it, &v) && v == UINT64_MAX,
          "2^64-1");
    CHECK(decode_hex("89010000000000000000", true, &it) == PV_RLP_OK && !pv_rlp_get_u64(&it, &v), "2^64 too long");
    CHECK(pv_rlp_get_u256(&it, &w) && w.w[0] == 0 && w.w[1] == 1 && w.w[2] == 0 && w.w[3] == 0, "2^64 as u256");
    CHECK(decode_hex("c0", true, &it) == PV_RLP_OK && !pv_rlp_get_u64(&it, &v) && !pv_rlp_get_u256(&it, &w),
          "a list is not an integer");
    CHECK(decode_hex("a0" "ff00000000000000000000000000000000000000000000000000000000000001", true, &it) == PV_RLP_OK &&
              pv_rlp_get_u256(&it, &w) && w.w[3] == 0xff00000000000000ULL && w.w[2] == 0 && w.w[1] == 0 &&
              w.w[0] == 1,
          "32-byte u256");
    CHECK(decode_hex("a1" "010000000000000000000000000000000000000000000000000000000000000000", true, &it) ==
                  PV_RLP_OK &&
              !pv_rlp_get_u256(&it, &w),
          "33 bytes too long for u256");
    CHECK(decode_hex("a0" "0000000000000000000000000000000000000000000000000000000000000001", true, &it) ==
                  PV_RLP_OK &&
              !pv_rlp_get_u256(&it, &w),
          "u256 with leading zeros rejected");

    pv_buf b;
    pv_buf_init(&b);
    static const struct { uint64_t v; const char *hex; } u64s[] = {
        {0, "80"}, {1, "01"}, {0x7f, "7f"}, {0x80, "8180"}, {0xff, "81ff"}, {0x100, "820100"},
        {0x123456, "83123456"}, {UINT64_MAX, "88ffffffffffffffff"}, {1ULL << 56, "880100000000000000"},
    };
    for (size_t i = 0; i < sizeof u64s / sizeof u64s[0]; i++) {
        b.len = 0;
        pv_rlp_put_u64(&b, u64s[i].v);
        CHECK(encodes_to(&b, u64s[i].hex), "put_u64 %llu", (unsigned long long)u64s[i].v);
        b.len = 0;
        u256 x = {{u64s[i].v, 0, 0, 0}};
        pv_rlp_put_u256(&b, &x);
        CHECK(encodes_to(&b, u64s[i].hex), "put_u256 %llu", (unsigned long long)u64s[i].v);
    }
    b.len = 0;
    u256 x = {{1, 0, 0, 0x8000000000000000ULL}};
    pv_rlp_put_u256(&b, &x);
    CHECK(encodes_to(&b, "a08000000000000000000000000000000000000000000000000000000000000001"), "put_u256 2^255+1");
    b.len = 0;
    u256 y = {{0, 0x0102, 0, 0}};
    pv_rlp_put_u256(&b, &y);
    CHECK(encodes_to(&b, "8a01020000000000000000"), "put_u256 0x0102 << 64");
    pv_buf_free(&b);
}

static void encoders(void)
{
    pv_buf b;
    pv_buf_init(&b);
    pv_rlp_put_bytes(&b, NULL, 0);
    CHECK(encodes_to(&b, "80"), "empty string");
    b.len = 0;
    pv_rlp_put_bytes(&b, (const uint8_t *)"\x00", 1);
    CHECK(encodes_to(&b, "00"), "single 0x00");
    b.len = 0;
    pv_rlp_put_bytes(&b, (const uint8_t *)"\x80", 1);
    CHECK(encodes_to(&b, "8180"), "single 0x80");
    b.len = 0;
    uint8_t s[1100];
    for (size_t i = 0; i < sizeof s; i++)
        s[i] = (uint8_t)(i * 7);
    pv_rlp_put_bytes(&b, s, 55);
    CHECK(b.len == 56 && b.data[0] == 0xb7, "55-byte string: short form");
    b.len = 0;
    pv_rlp_put_bytes(&b, s, 56);
    CHECK(b.len == 58 && b.data[0] == 0xb8 && b.data[1] == 56, "56-byte string: long form");
    b.len = 0;
    pv_rlp_put_bytes(&b, s, 1024);
    CHECK(b.len == 1027 && b.data[0] == 0xb9 && b.data[1] == 0x04 && b.data[2] == 0x00 && memcmp(b.data + 3, s, 1024) == 0,
          "1024-byte string");

    /* nested lists across the 55/56 boundary, and decode back */
    b.len = 0;
    size_t outer = pv_rlp_list_begin(&b);
    size_t inner = pv_rlp_list_begin(&b);
    pv_rlp_put_bytes(&b, s, 53);  /* 54 bytes of payload: short list */
    pv_rlp_list_end(&b, inner);
    CHECK(b.data[0] == 0xc0 + 54, "54-byte list payload: short header");
    pv_rlp_put_u64(&b, 5);
    pv_rlp_list_end(&b, outer);  /* 55 + 1 = 56 bytes of payload: long form */
    CHECK(b.len == 58 && b.data[0] == 0xf8 && b.data[1] == 56, "56-byte list payload: long header");
    pv_rlp_item it, el;
    CHECK(pv_rlp_decode_exact(b.data, b.len, &it) == PV_RLP_OK && it.is_list && it.payload_len == 56, "decodes");
    size_t pos = 0;
    bool done;
    CHECK(pv_rlp_list_next(&it, &pos, &el, &done) == PV_RLP_OK && !done && el.is_list && el.payload_len == 54,
          "inner list");
    uint64_t v;
    CHECK(pv_rlp_list_next(&it, &pos, &el, &done) == PV_RLP_OK && !done && pv_rlp_get_u64(&el, &v) && v == 5,
          "then 5");
    CHECK(pv_rlp_list_next(&it, &pos, &el, &done) == PV_RLP_OK && done, "then the end");

    /* a big list: many appends, growth, a 3-byte length */
    b.len = 0;
    size_t big = pv_rlp_list_begin(&b);
    for (int i = 0; i < 30000; i++)
        pv_rlp_put_u64(&b, (uint64_t)i);
    pv_rlp_list_end(&b, big);
    CHECK(pv_rlp_decode_exact(b.data, b.len, &it) == PV_RLP_OK && it.is_list && b.data[0] == 0xfa, "big list");
    pos = 0;
    int n = 0;
    bool order = true;
    while (pv_rlp_list_next(&it, &pos, &el, &done) == PV_RLP_OK && !done) {
        order &= pv_rlp_get_u64(&el, &v) && v == (uint64_t)n;
        n++;
    }
    CHECK(n == 30000 && order, "big list has its 30000 items in order");
    pv_buf_free(&b);
    CHECK(b.data == NULL && b.len == 0 && b.cap == 0, "pv_buf_free resets");
    pv_buf_append(&b, NULL, 0);
    CHECK(b.len == 0, "empty append");
    pv_buf_free(&b);
}

/* pv_receipt_encode (sizes computed first, headers written in place) read back with the
 * decoder: every field where it belongs, the size predicted exactly, at data sizes and topic
 * counts across the 55/56-byte header boundaries, for both status forms and typed receipts. */
static bool decodes_as(const uint8_t *enc, size_t len, const pv_block_receipt *r, pv_fork fork)
{
    size_t off = r->tx_type ? 1 : 0;
    if (r->tx_type && enc[0] != r->tx_type)
        return false;
    pv_rlp_item top, it, logs;
    if (pv_rlp_decode_exact(enc + off, len - off, &top) != PV_RLP_OK || !top.is_list)
        return false;
    size_t pos = 0;
    bool done;
    if (pv_rlp_list_next(&top, &pos, &it, &done) != PV_RLP_OK || done)
        return false;
    if (fork >= PV_BYZANTIUM ? it.payload_len != (r->status == PV_SUCCESS ? 1u : 0u)
                             : it.payload_len != 32)
        return false;
    uint64_t gas;
    if (pv_rlp_list_next(&top, &pos, &it, &done) != PV_RLP_OK || !pv_rlp_get_u64(&it, &gas) ||
        gas != r->cumulative_gas_used)
        return false;
    if (pv_rlp_list_next(&top, &pos, &it, &done) != PV_RLP_OK || it.payload_len != 256 ||
        memcmp(it.payload, r->bloom, 256))
        return false;
    if (pv_rlp_list_next(&top, &pos, &logs, &done) != PV_RLP_OK || !logs.is_list)
        return false;
    size_t lp = 0;
    for (size_t i = 0; i < r->logs_count; i++) {
        pv_rlp_item lg, a, topics, t, data;
        size_t p2 = 0, p3 = 0;
        if (pv_rlp_list_next(&logs, &lp, &lg, &done) != PV_RLP_OK || done ||
            pv_rlp_list_next(&lg, &p2, &a, &done) != PV_RLP_OK || a.payload_len != 20 ||
            memcmp(a.payload, r->logs[i].address.b, 20) ||
            pv_rlp_list_next(&lg, &p2, &topics, &done) != PV_RLP_OK || !topics.is_list)
            return false;
        for (size_t j = 0; j < r->logs[i].topics_count; j++)
            if (pv_rlp_list_next(&topics, &p3, &t, &done) != PV_RLP_OK || t.payload_len != 32 ||
                memcmp(t.payload, r->logs[i].topics[j].b, 32))
                return false;
        if (pv_rlp_list_next(&topics, &p3, &t, &done) != PV_RLP_OK || !done)
            return false;
        if (pv_rlp_list_next(&lg, &p2, &data, &done) != PV_RLP_OK || data.payload_len != r->logs[i].data_size ||
            (data.payload_len && memcmp(data.payload, r->logs[i].data, data.payload_len)))
            return false;
    }
    return pv_rlp_list_next(&logs, &lp, &it, &done) == PV_RLP_OK && done &&
           pv_rlp_list_next(&top, &pos, &it, &done) == PV_RLP_OK && done;
}

static void receipts(void)
{
    static const size_t data_sizes[] = {0, 1, 31, 54, 55, 56, 57, 200, 300};
    static uint8_t data[300];
    static pv_bytes32 topics[4];
    for (size_t i = 0; i < sizeof data; i++)
        data[i] = (uint8_t)(i * 37 + 1);
    data[0] = 0x05; /* a one-byte datum below 0x80 encodes as itself */
    for (int t = 0; t < 4; t++)
        memset(topics[t].b, 0x11 * (t + 1), 32);
    unsigned bad = 0, cases = 0;
    for (int fork = 0; fork < 2; fork++)
        for (size_t nlogs = 0; nlogs <= 5; nlogs++)
            for (size_t d = 0; d < sizeof data_sizes / sizeof data_sizes[0]; d++) {
                pv_log logs[5];
                for (size_t i = 0; i < nlogs; i++) {
                    memset(logs[i].address.b, (int)(0xa0 + i), 20);
                    logs[i].topics = topics;
                    logs[i].topics_count = (i + d) % 5 == 4 ? 0 : (i + d) % 5;
                    logs[i].data = data;
                    logs[i].data_size = data_sizes[(d + i) % (sizeof data_sizes / sizeof data_sizes[0])];
                }
                pv_block_receipt r;
                memset(&r, 0, sizeof r);
                r.tx_type = (uint8_t)(d % 3);
                r.status = nlogs % 2 ? PV_SUCCESS : PV_REVERT;
                r.cumulative_gas_used = d == 0 ? 0 : (uint64_t)1 << (7 * d);
                r.logs = logs;
                r.logs_count = nlogs;
                memset(r.bloom, (int)d, 256);
                pv_fork f = fork ? PV_CANCUN : PV_HOMESTEAD;
                pv_buf b;
                pv_buf_init(&b);
                pv_buf_append(&b, (const uint8_t *)"x", 1); /* not at the start of the buffer */
                pv_receipt_encode(&r, f, &b);
                size_t len = b.len - 1;
                cases++;
                if (len != pv_receipt_encoded_size(&r, f) || !decodes_as(b.data + 1, len, &r, f))
                    bad++;
                pv_buf_free(&b);
            }
    CHECK(bad == 0, "%u of %u receipt encodings do not decode to the receipt (or differ in size)", bad, cases);
}

/* The yellow paper's bloom, one Keccak per address and topic, no batches and no cache. */
static void bloom_reference(uint8_t bloom[256], const pv_log *logs, size_t n)
{
    memset(bloom, 0, 256);
    for (size_t g = 0; g < n; g++)
        for (size_t t = 0; t <= logs[g].topics_count; t++) {
            uint8_t h[32];
            if (t == 0)
                pv_keccak256(logs[g].address.b, 20, h);
            else
                pv_keccak256(logs[g].topics[t - 1].b, 32, h);
            for (int j = 0; j < 6; j += 2) {
                unsigned bit = ((unsigned)h[j] << 8 | h[j + 1]) & 2047u;
                bloom[255 - bit / 8] |= (uint8_t)(1u << (bit % 8));
            }
        }
}

/* pv_bloom_add_receipts (batched across receipts, a cache of repeated items) and
 * pv_bloom_add_logs one receipt at a time against the reference: receipts of 0 to 5 logs with 0
 * to 4 topics, drawn from small pools so that addresses and topics repeat (cache hits, and items
 * that share a cache slot), enough of them for many full batches; then one receipt of many logs
 * (one transaction's thousands of events, pv_bloom_add_logs's own cache). */
static void blooms(void)
{
    enum { N = 400, POOL = 300 };
    static pv_block_receipt batched[N], single[N];
    static pv_log logs[N][5];
    static pv_bytes32 topics[N][5][4];
    pv_address addrs[7];
    pv_bytes32 pool[POOL];
    uint64_t x = 0x243f6a8885a308d3ULL;
    for (int i = 0; i < 7; i++)
        for (int b = 0; b < 20; b++)
            addrs[i].b[b] = (uint8_t)((x = x * 6364136223846793005ULL + 1442695040888963407ULL) >> 56);
    for (int i = 0; i < POOL; i++)
        for (int b = 0; b < 32; b++)
            pool[i].b[b] = (uint8_t)((x = x * 6364136223846793005ULL + 1442695040888963407ULL) >> 56);
    memset(batched, 0, sizeof batched);
    memset(single, 0, sizeof single);
    size_t items = 0;
    for (int i = 0; i < N; i++) {
        x = x * 6364136223846793005ULL + 1442695040888963407ULL;
        size_t nl = (size_t)(x >> 61) % 6;
        for (size_t g = 0; g < nl; g++) {
            pv_log *lg = &logs[i][g];
            x = x * 6364136223846793005ULL + 1442695040888963407ULL;
            lg->address = addrs[(x >> 40) % 7];
            lg->topics_count = (size_t)(x >> 20) % 5;
            lg->topics = topics[i][g];
            for (size_t t = 0; t < lg->topics_count; t++) {
                x = x * 6364136223846793005ULL + 1442695040888963407ULL;
                topics[i][g][t] = pool[(x >> 33) % (t == 0 ? 3 : POOL)]; /* few event signatures */
            }
            items += 1 + lg->topics_count;
        }
        batched[i].logs = single[i].logs = logs[i];
        batched[i].logs_count = single[i].logs_count = nl;
        pv_bloom_add_logs(single[i].bloom, logs[i], nl);
    }
    pv_bloom_add_receipts(batched, N);
    unsigned differ = 0, empty = 0, wrong = 0;
    for (int i = 0; i < N; i++) {
        uint8_t ref[256];
        bloom_reference(ref, logs[i], batched[i].logs_count);
        wrong += memcmp(single[i].bloom, ref, 256) != 0;
        differ += memcmp(batched[i].bloom, single[i].bloom, 256) != 0;
        uint8_t zero[256] = {0};
        empty += batched[i].logs_count == 0 && memcmp(batched[i].bloom, zero, 256) != 0;
    }
    CHECK(items > 10 * 64, "enough items for many batches (%zu)", items);
    CHECK(wrong == 0, "one-receipt blooms equal the reference (%u of %d differ)", wrong, N);
    CHECK(differ == 0, "batched blooms equal one-receipt blooms (%u of %d differ)", differ, N);
    /* One receipt of N * 5 logs (the slots past a receipt's own logs: the zero address): the
     * same few addresses and signatures again and again. */
    static pv_log many[N * 5];
    for (int i = 0; i < N * 5; i++)
        many[i] = logs[i / 5][i % 5];
    uint8_t one[256] = {0}, ref[256];
    pv_bloom_add_logs(one, many, N * 5);
    bloom_reference(ref, many, N * 5);
    CHECK(memcmp(one, ref, 256) == 0, "a bloom of %d logs in one call equals the reference", N * 5);
    CHECK(empty == 0, "receipts without logs keep an empty bloom (%u)", empty);
}

/* The receipts finish shared by threads (pv_receipts_share, as the parallel executor's finish
 * runs it: one thread at once, another joining late) against pv_block_finish_receipts on one
 * thread: cumulative gas, the block's gas and bloom, and the receipts root, for blocks of a few
 * to thousands of receipts, some of them rejected (left out of the trie), before and after
 * Byzantium. */
typedef struct share_arg {
    pv_receipts_share *sh;
    unsigned delay_us;
} share_arg;

static void *share_thread(void *p)
{
    share_arg *a = p;
    if (a->delay_us)
        usleep(a->delay_us);
    pv_receipts_share_work(a->sh);
    return NULL;
}

static void shared_receipts(void)
{
    static const size_t sizes[] = {1, 7, 127, 128, 129, 300, 1226, 5000};
    static pv_log logs[3];
    static pv_bytes32 topics[3][2];
    for (int g = 0; g < 3; g++) {
        memset(&logs[g], 0, sizeof logs[g]);
        logs[g].address.b[19] = (uint8_t)(g + 1);
        logs[g].topics = topics[g];
        logs[g].topics_count = (size_t)g % 3;
        for (int t = 0; t < 2; t++)
            memset(topics[g][t].b, 0x11 * (g + t + 1), 32);
        logs[g].data = (uint8_t *)"payload";
        logs[g].data_size = (size_t)g * 3;
    }
    unsigned bad = 0, cases = 0;
    for (size_t si = 0; si < sizeof sizes / sizeof *sizes; si++)
        for (int fork = 0; fork < 2; fork++)
            for (int skip = 0; skip < 2; skip++) {
                size_t n = sizes[si];
                pv_block_receipt *a = calloc(n, sizeof *a), *b = calloc(n, sizeof *b);
                for (size_t i = 0; i < n; i++) {
                    pv_block_receipt *r = &a[i];
                    r->tx_type = (uint8_t)(i % 3);
                    r->status = i % 5 ? PV_SUCCESS : PV_REVERT;
                    r->gas_used = 21000 + i * 37;
                    r->rejected = skip && i % 11 == 3 ? PV_TX_NONCE_TOO_HIGH : PV_TX_VALID;
                    r->logs = r->rejected == PV_TX_VALID ? logs : NULL;
                    r->logs_count = r->rejected == PV_TX_VALID ? i % 4 : 0;
                    if (r->logs_count)
                        pv_bloom_add_logs(r->bloom, r->logs, r->logs_count > 3 ? 3 : r->logs_count);
                    if (r->logs_count > 3)
                        r->logs_count = 3;
                    b[i] = *r;
                }
                pv_fork f = fork ? PV_CANCUN : PV_HOMESTEAD;
                pv_block_result ra = {.valid = true, .receipts = a, .receipts_count = n};
                pv_block_result rb = {.valid = true, .receipts = b, .receipts_count = n};
                pv_block_finish_receipts(&ra, f, 1);
                pv_receipts_share sh;
                pv_receipts_share_init(&sh, &rb, f);
                share_arg x = {&sh, 0}, y = {&sh, (unsigned)(si % 3) * 50};
                pthread_t t1, t2;
                pthread_create(&t1, NULL, share_thread, &x);
                pthread_create(&t2, NULL, share_thread, &y);
                pthread_join(t1, NULL);
                pthread_join(t2, NULL);
                pv_receipts_share_root(&sh);
                bool same = ra.gas_used == rb.gas_used && !memcmp(ra.logs_bloom, rb.logs_bloom, 256) &&
                            ra.receipts_root_known == rb.receipts_root_known &&
                            pv_bytes32_eq(&ra.receipts_root, &rb.receipts_root);
                for (size_t i = 0; i < n; i++)
                    same = same && a[i].cumulative_gas_used == b[i].cumulative_gas_used;
                /* and the root is a real one: not the empty trie's, unless nothing was included */
                same = same && (!ra.receipts_root_known || !pv_bytes32_eq(&ra.receipts_root, &PV_EMPTY_TRIE_ROOT));
                bad += !same;
                cases++;
                free(a);
                free(b);
            }
    CHECK(bad == 0, "shared receipts finish equals the one-thread finish (%u of %u blocks differ)", bad, cases);
}

/* The same with a receipt big enough to be hashed while it is encoded (pv_receipt_stream):
 * whichever slice holds it, whether a second thread comes (at once, late, never), with receipts
 * left out before it. */
static void streamed_receipt(void)
{
    static const size_t counts[] = {2, 3, 40, 200, 700};
    uint64_t x = 0x6a09e667f3bcc908ULL;
    int streamed = 0, cases = 0;
    for (size_t c = 0; c < sizeof counts / sizeof counts[0]; c++) {
        size_t n = counts[c];
        const size_t places[] = {0, 1, n / 2, n - 1, 128 < n ? 128 : n - 1, 300 < n ? 300 : n - 1};
        for (size_t pi = 0; pi < sizeof places / sizeof places[0]; pi++) {
            size_t big = places[pi];
            pv_block_receipt *want = calloc(n, sizeof *want), *got = calloc(n, sizeof *got);
            pv_log *logs = NULL;
            size_t nlogs = 0;
            for (size_t i = 0; i < n; i++) {
                test_xorshift(&x);
                pv_block_receipt *r = &want[i];
                r->tx_type = (uint8_t)(x % 3);
                r->rejected = i != big && x % 11 == 0 ? PV_TX_NONCE_TOO_LOW : PV_TX_VALID;
                r->status = x % 5 ? PV_SUCCESS : PV_REVERT;
                r->gas_used = 21000 + x % 3000000;
                r->logs_count = i == big ? 600 + x % 400 : (r->rejected == PV_TX_VALID ? x % 3 : 0);
                for (int j = 0; j < 256 && r->logs_count; j++) /* any bits will do; none without logs */
                    r->bloom[j] = (uint8_t)(x >> (j % 60));
                nlogs += r->logs_count;
            }
            logs = calloc(nlogs + 1, sizeof *logs);
            static uint8_t data[512];
            static pv_bytes32 topics[4];
            for (size_t j = 0; j < sizeof data; j++)
                data[j] = (uint8_t)(j * 7 + 1);
            for (int t = 0; t < 4; t++)
                memset(topics[t].b, 0x10 + t, 32);
            size_t at = 0;
            for (size_t i = 0; i < n; i++) {
                want[i].logs = logs + at;
                for (size_t k = 0; k < want[i].logs_count; k++, at++) {
                    test_xorshift(&x);
                    logs[at].address.b[19] = (uint8_t)(x % 50);
                    logs[at].topics = topics;
                    logs[at].topics_count = x % 5;
                    logs[at].data = data;
                    logs[at].data_size = i == big ? 100 + x % 200 : x % 40;
                }
            }
            memcpy(got, want, n * sizeof *want);
            pv_block_result rw = {.valid = true, .receipts = want, .receipts_count = n};
            pv_block_finish_receipts(&rw, PV_CANCUN, 1);
            for (int arrival = 0; arrival < 3; arrival++) { /* second thread: at once, late, never */
                pv_block_result rg = {.valid = true, .receipts = got, .receipts_count = n};
                for (size_t i = 0; i < n; i++)
                    got[i].cumulative_gas_used = 0;
                pv_receipts_share sh;
                pv_receipts_share_init(&sh, &rg, PV_CANCUN);
                streamed += sh.big.receipt == big;
                cases++;
                share_arg second = {&sh, arrival == 1 ? 300 : 0};
                pthread_t th;
                if (arrival != 2)
                    pthread_create(&th, NULL, share_thread, &second);
                pv_receipts_share_work(&sh);
                if (arrival != 2)
                    pthread_join(th, NULL);
                pv_receipts_share_root(&sh);
                bool same = rg.gas_used == rw.gas_used && !memcmp(rg.logs_bloom, rw.logs_bloom, 256) &&
                            rg.receipts_root_known && pv_bytes32_eq(&rg.receipts_root, &rw.receipts_root);
                for (size_t i = 0; i < n; i++)
                    same &= got[i].cumulative_gas_used == want[i].cumulative_gas_used;
                CHECK(same, "%zu receipts, the big one at %zu, second thread %s: the one-thread finish's results",
                      n, big, arrival == 0 ? "at once" : arrival == 1 ? "late" : "never");
            }
            free(logs);
            free(want);
            free(got);
        }
    }
    CHECK(streamed == cases, "the big receipt streamed in %d of %d finishes", streamed, cases);
    /* no receipt big enough: nothing streamed */
    pv_block_receipt small[3];
    memset(small, 0, sizeof small);
    for (int i = 0; i < 3; i++)
        small[i].gas_used = 21000;
    pv_block_result rs = {.valid = true, .receipts = small, .receipts_count = 3};
    pv_receipts_share sh;
    pv_receipts_share_init(&sh, &rs, PV_CANCUN);
    CHECK(sh.big.receipt == SIZE_MAX, "no receipt streamed among small ones");
}

/* The in-place writers against the buffer encoders (themselves checked against the rlptest
 * vectors above), across every boundary of the header forms. */
static void writers(void)
{
    static uint8_t s[70000], w[70016];
    for (size_t i = 0; i < sizeof s; i++)
        s[i] = (uint8_t)(i * 31 + 7);
    pv_buf b;
    pv_buf_init(&b);
    size_t lens[400], nl = 0;
    for (size_t l = 0; l <= 300; l++)
        lens[nl++] = l;
    const size_t big[] = {65535, 65536, 69999};
    for (size_t i = 0; i < 3; i++)
        lens[nl++] = big[i];
    int bad = 0;
    for (size_t i = 0; i < nl; i++) {
        for (int first = 0; first < (lens[i] == 1 ? 4 : 1); first++) {
            const uint8_t firsts[4] = {0x00, 0x7f, 0x80, 0xff};
            uint8_t saved = s[0];
            if (lens[i] == 1)
                s[0] = firsts[first];
            b.len = 0;
            pv_rlp_put_bytes(&b, s, lens[i]);
            uint8_t *end = pv_rlp_write_bytes(w, s, lens[i]);
            bad += (size_t)(end - w) != b.len || memcmp(w, b.data, b.len) != 0 ||
                   b.len != pv_rlp_bytes_size(s, lens[i]);
            s[0] = saved;
        }
        b.len = 0;
        pv_rlp_put_list_header(&b, lens[i]);
        uint8_t *end = pv_rlp_write_header(w, lens[i], 0xc0);
        bad += (size_t)(end - w) != b.len || memcmp(w, b.data, b.len) != 0 ||
               b.len + lens[i] != pv_rlp_list_size(lens[i]);
    }
    CHECK(bad == 0, "pv_rlp_write_bytes/_header differ from pv_rlp_put_* in %d cases", bad);
    const size_t huge[] = {(size_t)1 << 24, ((size_t)1 << 32) - 1, (size_t)1 << 32, SIZE_MAX / 2};
    bad = 0;
    for (size_t i = 0; i < 4; i++) {
        b.len = 0;
        pv_rlp_put_list_header(&b, huge[i]);
        uint8_t *end = pv_rlp_write_header(w, huge[i], 0xc0);
        bad += (size_t)(end - w) != b.len || memcmp(w, b.data, b.len) != 0;
    }
    CHECK(bad == 0, "long list headers differ in %d cases", bad);
    bad = 0;
    int n = 0;
    for (int k = 0; k < 64; k++) {
        uint64_t p2 = (uint64_t)1 << k;
        uint64_t vs[3] = {p2 - 1, p2, p2 + 1};
        for (int j = 0; j < 3; j++, n++) {
            b.len = 0;
            pv_rlp_put_u64(&b, vs[j]);
            uint8_t *end = pv_rlp_write_u64(w, vs[j]);
            bad += (size_t)(end - w) != b.len || memcmp(w, b.data, b.len) != 0 || b.len != pv_rlp_u64_size(vs[j]);
        }
    }
    b.len = 0;
    pv_rlp_put_u64(&b, UINT64_MAX);
    uint8_t *end = pv_rlp_write_u64(w, UINT64_MAX);
    bad += (size_t)(end - w) != 9 || b.len != 9 || memcmp(w, b.data, 9) != 0 || w[0] != 0x88;
    end = pv_rlp_write_u64(w, 0);
    bad += end - w != 1 || w[0] != 0x80;
    CHECK(bad == 0, "pv_rlp_write_u64 differs from pv_rlp_put_u64 in %d of %d values", bad, n + 2);
    pv_buf_free(&b);
}

int main(void)
{
    writers();
    blooms();
    shared_receipts();
    streamed_receipt();
    receipts();
    valid_file();
    invalid_file();
    random_files();
    statuses();
    integers();
    encoders();
    TEST_DONE();
}
