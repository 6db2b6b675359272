/*
 * Merkle-Patricia roots.
 *  - Every file of ethereum-tests/TrieTests except trietestnextprev.json, which tests iteration
 *    (next/previous key of a key), not roots, so it does not apply to a root-only trie. Files whose
 *    name contains "secure" use the secure trie (keys hashed). "in" is either an ordered list of
 *    [key, value] operations, where a null or empty value deletes the key, applied in order to a
 *    map whose final contents give the root, or an object (any order). Keys and values starting
 *    with "0x" are hex (always hex when the test says "hexEncoded"), otherwise raw bytes; values
 *    are stored in the leaves as they are (the tests do not RLP-encode them).
 *  - Against a naive reference builder written here (nibble arrays, explicit recursion on the
 *    whole set at every node, no sorting) on random sets: keys of mixed lengths, keys that are
 *    prefixes of others, long keys, embedded and hashed nodes.
 *  - The API contract: empty sets, duplicates (last wins), deletions, the secure variant leaving
 *    the caller's array alone, the ordered variant.
 *  - The batched bottom pass (leaf and bottom-branch hashes computed ahead in batches) against the
 *    node-by-node encoder (pv_trie_root_unbatched) and, for the smaller sets, the reference: sets
 *    of up to 3000 keys of five shapes, with values that put leaves just under and over 32 bytes
 *    (embedded or hashed) and around the 136-byte block boundaries.
 */
#include "test.h"

#include <pthread.h>

#include <dirent.h>
#include <jansson.h>
#include <string.h>
#include <strings.h>

#include "state/trie.h"
#include "util/hex.h"
#include "util/keccak.h"
#include "util/rlp.h"

typedef struct {
    uint8_t *k, *v;
    size_t kl, vl;
} kv;

/* "0x.." (or anything when hex is forced) is hex, other strings raw bytes; null -> empty. */
static bool get_bytes(json_t *j, bool force_hex, uint8_t **out, size_t *len)
{
    *out = NULL;
    *len = 0;
    if (!j || json_is_null(j)) {
        *out = malloc(1);
        return true;
    }
    if (!json_is_string(j))
        return false;
    const char *s = json_string_value(j);
    size_t n = json_string_length(j);
    if (force_hex || (n >= 2 && s[0] == '0' && s[1] == 'x'))
        return pv_hex_decode_alloc(s, n, out, len);
    *out = malloc(n + 1);
    memcpy(*out, s, n);
    *len = n;
    return true;
}

/* The map the operations are applied to. */
typedef struct {
    kv *a;
    size_t n, cap;
} kvmap;

static void map_put(kvmap *m, uint8_t *k, size_t kl, uint8_t *v, size_t vl)
{
    for (size_t i = 0; i < m->n; i++) {
        if (m->a[i].kl == kl && memcmp(m->a[i].k, k, kl) == 0) {
            free(m->a[i].k);
            free(m->a[i].v);
            if (vl == 0) {  /* delete */
                free(v);
                free(k);
                m->a[i] = m->a[--m->n];
            } else {
                m->a[i] = (kv){k, v, kl, vl};
            }
            return;
        }
    }
    if (vl == 0) {
        free(k);
        free(v);
        return;
    }
    if (m->n == m->cap) {
        m->cap = m->cap ? 2 * m->cap : 16;
        m->a = realloc(m->a, m->cap * sizeof *m->a);
    }
    m->a[m->n++] = (kv){k, v, kl, vl};
}

static void map_free(kvmap *m)
{
    for (size_t i = 0; i < m->n; i++) {
        free(m->a[i].k);
        free(m->a[i].v);
    }
    free(m->a);
}

static pv_bytes32 root_of(const kv *a, size_t n, bool secure, bool reversed)
{
    pv_trie_entry *e = malloc((n ? n : 1) * sizeof *e);
    for (size_t i = 0; i < n; i++) {
        const kv *x = &a[reversed ? n - 1 - i : i];
        e[i] = (pv_trie_entry){x->k, x->kl, x->v, x->vl};
    }
    pv_bytes32 r = secure ? pv_trie_root_secure(e, n) : pv_trie_root(e, n);
    free(e);
    return r;
}

static int run_trie_file(const char *file, bool secure)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/ethereum-tests/TrieTests/%s", test_fixtures_dir(), file);
    json_error_t err;
    json_t *root = json_load_file(path, JSON_ALLOW_NUL, &err);
    CHECK(root != NULL, "cannot load %s: %s", path, err.text);
    if (!root)
        return 0;
    int cases = 0;
    const char *tname;
    json_t *t;
    json_object_foreach(root, tname, t) {
        cases++;
        json_t *in = json_object_get(t, "in");
        bool force_hex = json_is_true(json_object_get(t, "hexEncoded"));
        kvmap m = {0};
        kv *ops = NULL;  /* the raw operation list, for pv_trie_root's own last-wins handling */
        size_t nops = 0;
        bool ok = true;
        if (json_is_array(in)) {
            size_t i;
            json_t *pair;
            ops = malloc((json_array_size(in) + 1) * sizeof *ops);
            json_array_foreach(in, i, pair) {
                uint8_t *k, *v;
                size_t kl, vl;
                if (!json_is_array(pair) || json_array_size(pair) != 2 ||
                    !get_bytes(json_array_get(pair, 0), force_hex, &k, &kl) ||
                    !get_bytes(json_array_get(pair, 1), force_hex, &v, &vl)) {
                    ok = false;
                    break;
                }
                ops[nops++] = (kv){k, v, kl, vl};
                uint8_t *k2 = malloc(kl + 1), *v2 = malloc(vl + 1);
                memcpy(k2, k, kl);
                memcpy(v2, v, vl);
                map_put(&m, k2, kl, v2, vl);
            }
        } else if (json_is_object(in)) {
            const char *key;
            json_t *val;
            json_object_foreach(in, key, val) {
                uint8_t *k, *v;
                size_t kl, vl;
                json_t *kj = json_string(key);
                bool got = get_bytes(kj, force_hex, &k, &kl);
                json_decref(kj);
                if (!got || !get_bytes(val, force_hex, &v, &vl)) {
                    if (got)
                        free(k);
                    ok = false;
                    break;
                }
                map_put(&m, k, kl, v, vl);
            }
        } else {
            ok = false;
        }
        pv_bytes32 want;
        const char *rs = json_string_value(json_object_get(t, "root"));
        ok = ok && rs && pv_hex_decode_fixed(rs, strlen(rs), want.b, 32);
        CHECK(ok, "%s/%s: malformed test", file, tname);
        if (ok) {
            char h[80];
            pv_bytes32 got = root_of(m.a, m.n, secure, false);
            CHECK(pv_bytes32_eq(&got, &want), "%s/%s: root %s", file, tname, pv_hex_encode(got.b, 32, h));
            got = root_of(m.a, m.n, secure, true);
            CHECK(pv_bytes32_eq(&got, &want), "%s/%s (reversed order): root %s", file, tname,
                  pv_hex_encode(got.b, 32, h));
            if (ops) {
                got = root_of(ops, nops, secure, false);
                CHECK(pv_bytes32_eq(&got, &want), "%s/%s (raw operation list): root %s", file, tname,
                      pv_hex_encode(got.b, 32, h));
            }
        }
        for (size_t i = 0; i < nops; i++) {
            free(ops[i].k);
            free(ops[i].v);
        }
        free(ops);
        map_free(&m);
    }
    json_decref(root);
    return cases;
}

static void fixtures(void)
{
    char dir[1024];
    snprintf(dir, sizeof dir, "%s/ethereum-tests/TrieTests", test_fixtures_dir());
    DIR *d = opendir(dir);
    CHECK(d != NULL, "cannot open %s", dir);
    if (!d)
        return;
    int files = 0, cases = 0;
    struct dirent *de;
    while ((de = readdir(d))) {
        size_t nl = strlen(de->d_name);
        if (nl < 6 || strcmp(de->d_name + nl - 5, ".json") != 0)
            continue;
        /* next/prev iteration tests: nothing to do with roots */
        if (strcmp(de->d_name, "trietestnextprev.json") == 0)
            continue;
        bool secure = strcasestr(de->d_name, "secure") != NULL;
        cases += run_trie_file(de->d_name, secure);
        files++;
    }
    closedir(d);
    CHECK(files >= 5 && cases >= 20, "TrieTests: %d files, %d cases", files, cases);
    printf("TrieTests: %d files, %d cases\n", files, cases);
}

/* ---- naive reference ------------------------------------------------------------------------- */

typedef struct {
    uint8_t *nib;   /* remaining key as nibbles */
    size_t n;
    const uint8_t *v;
    size_t vl;
} rpair;

static void ref_hp(pv_buf *b, const uint8_t *nib, size_t n, bool leaf)
{
    uint8_t bytes[1 + 512];
    size_t len = 0;
    unsigned flag = (leaf ? 2u : 0u) + (unsigned)(n % 2);
    size_t i = 0;
    if (n % 2)
        bytes[len++] = (uint8_t)(flag * 16 + nib[i++]);
    else
        bytes[len++] = (uint8_t)(flag * 16);
    while (i < n) {
        bytes[len++] = (uint8_t)(nib[i] * 16 + nib[i + 1]);
        i += 2;
    }
    pv_rlp_put_bytes(b, bytes, len);
}

static void ref_node(pv_buf *out, rpair *p, size_t n);

static void ref_ref(pv_buf *out, rpair *p, size_t n)
{
    pv_buf node;
    pv_buf_init(&node);
    ref_node(&node, p, n);
    if (node.len < 32) {
        pv_buf_append(out, node.data, node.len);
    } else {
        uint8_t h[32];
        pv_keccak256(node.data, node.len, h);
        pv_rlp_put_bytes(out, h, 32);
    }
    pv_buf_free(&node);
}

static void ref_node(pv_buf *out, rpair *p, size_t n)
{
    size_t start = pv_rlp_list_begin(out);
    if (n == 1) {
        ref_hp(out, p[0].nib, p[0].n, true);
        pv_rlp_put_bytes(out, p[0].v, p[0].vl);
        pv_rlp_list_end(out, start);
        return;
    }
    /* common prefix over every pair */
    size_t cp = p[0].n;
    for (size_t i = 1; i < n; i++) {
        size_t c = 0;
        while (c < cp && c < p[i].n && p[i].nib[c] == p[0].nib[c])
            c++;
        cp = c;
    }
    if (cp > 0) {
        ref_hp(out, p[0].nib, cp, false);
        rpair *q = malloc(n * sizeof *q);
        for (size_t i = 0; i < n; i++)
            q[i] = (rpair){p[i].nib + cp, p[i].n - cp, p[i].v, p[i].vl};
        ref_ref(out, q, n);
        free(q);
        pv_rlp_list_end(out, start);
        return;
    }
    rpair *q = malloc(n * sizeof *q);
    const rpair *value = NULL;
    for (unsigned k = 0; k < 16; k++) {
        size_t m = 0;
        for (size_t i = 0; i < n; i++)
            if (p[i].n > 0 && p[i].nib[0] == k)
                q[m++] = (rpair){p[i].nib + 1, p[i].n - 1, p[i].v, p[i].vl};
        if (m)
            ref_ref(out, q, m);
        else
            pv_rlp_put_bytes(out, NULL, 0);
    }
    for (size_t i = 0; i < n; i++)
        if (p[i].n == 0)
            value = &p[i];
    pv_rlp_put_bytes(out, value ? value->v : NULL, value ? value->vl : 0);
    free(q);
    pv_rlp_list_end(out, start);
}

/* Reference root of distinct keys with non-empty values. */
static pv_bytes32 ref_root(const kv *a, size_t n)
{
    if (n == 0)
        return PV_EMPTY_TRIE_ROOT;
    rpair *p = malloc(n * sizeof *p);
    for (size_t i = 0; i < n; i++) {
        p[i].nib = malloc(2 * a[i].kl + 1);
        for (size_t j = 0; j < a[i].kl; j++) {
            p[i].nib[2 * j] = a[i].k[j] >> 4;
            p[i].nib[2 * j + 1] = a[i].k[j] & 15;
        }
        p[i].n = 2 * a[i].kl;
        p[i].v = a[i].v;
        p[i].vl = a[i].vl;
    }
    pv_buf b;
    pv_buf_init(&b);
    ref_node(&b, p, n);
    pv_bytes32 r;
    pv_keccak256(b.data, b.len, r.b);
    pv_buf_free(&b);
    for (size_t i = 0; i < n; i++)
        free(p[i].nib);
    free(p);
    return r;
}

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;
static uint64_t rnd(void) { return test_xorshift(&rng_state); }

static void random_against_reference(void)
{
    int bad = 0, rounds = 0;
    for (int round = 0; round < 400; round++, rounds++) {
        size_t n = (size_t)(rnd() % (round < 200 ? 12 : 300)) + 1;
        /* key shape: short keys over a tiny alphabet (many shared prefixes, prefix keys), 32-byte
         * random keys, or long keys (> 64 bytes) with a common head */
        int shape = (int)(rnd() % 3);
        kvmap m = {0};
        for (size_t i = 0; i < n; i++) {
            size_t kl = shape == 0 ? (size_t)(rnd() % 4) : shape == 1 ? 32 : 64 + (size_t)(rnd() % 40);
            uint8_t *k = malloc(kl + 1);
            for (size_t j = 0; j < kl; j++)
                k[j] = shape == 0 ? (uint8_t)(rnd() % 3 * 0x11) : shape == 2 && j < 60 ? 0xab : (uint8_t)rnd();
            /* values: tiny (embedded nodes), or long (hashed, or long RLP strings) */
            size_t vl = rnd() % 4 == 0 ? 40 + (size_t)(rnd() % 100) : 1 + (size_t)(rnd() % 3);
            uint8_t *v = malloc(vl);
            for (size_t j = 0; j < vl; j++)
                v[j] = (uint8_t)rnd();
            map_put(&m, k, kl, v, vl);
        }
        pv_bytes32 want = ref_root(m.a, m.n);
        pv_bytes32 got = root_of(m.a, m.n, false, rnd() & 1);
        if (!pv_bytes32_eq(&got, &want)) {
            bad++;
            if (bad < 5)
                fprintf(stderr, "random set %d (shape %d, %zu keys) differs from the reference\n", round, shape, m.n);
        }
        map_free(&m);
    }
    CHECK(bad == 0, "%d of %d random sets differ from the reference", bad, rounds);
}

/* ---- batched bottom pass ---------------------------------------------------------------------- */

/* A value length of the given class: embedded leaves, leaves around 32 bytes, around one and two
 * rate blocks. */
static size_t value_len(int cls)
{
    switch (cls) {
    case 0: return 1 + (size_t)(rnd() % 3);
    case 1: return 25 + (size_t)(rnd() % 16);
    case 2: return 125 + (size_t)(rnd() % 21);
    default: return 255 + (size_t)(rnd() % 31);
    }
}

static void batched_against_unbatched(void)
{
    int bad = 0, bad_ref = 0, bad_secure = 0, rounds = 0;
    static const uint8_t alphabet[] = {0x00, 0x01, 0x10, 0x11, 0xff};
    for (int round = 0; round < 150; round++, rounds++) {
        size_t n = (size_t)(rnd() % (round < 75 ? 300 : 3000)) + 1;
        /* keys: 0 short over a tiny alphabet (prefix keys: branch values), 1 32-byte random,
         * 2 long with a common head (extensions), 3 RLP(i) (ordered lists), 4 1..6 bytes over
         * bytes that split at odd nibbles */
        int shape = (int)(rnd() % 5);
        int cls = (int)(rnd() % 5);  /* one value class for the set, or 4: mixed */
        kv *a = malloc(n * sizeof *a);
        for (size_t i = 0; i < n; i++) {
            size_t kl;
            uint8_t *k = malloc(104);
            if (shape == 3) {
                kl = i == 0 ? 1 : i < 0x80 ? 1 : i < 0x100 ? 2 : 3;
                if (i == 0)
                    k[0] = 0x80;
                else if (i < 0x80)
                    k[0] = (uint8_t)i;
                else
                    for (size_t j = 0; j < kl; j++)
                        k[j] = j == 0 ? (uint8_t)(0x80 + kl - 1) : (uint8_t)(i >> (8 * (kl - 1 - j)));
            } else {
                kl = shape == 0 ? (size_t)(rnd() % 4) : shape == 1 ? 32 : shape == 2 ? 64 + (size_t)(rnd() % 40)
                                                                                    : 1 + (size_t)(rnd() % 6);
                for (size_t j = 0; j < kl; j++)
                    k[j] = shape == 0 ? (uint8_t)(rnd() % 3 * 0x11)
                           : shape == 2 && j < 60 ? 0xab
                           : shape == 4 ? alphabet[rnd() % sizeof alphabet] : (uint8_t)rnd();
            }
            size_t vl = value_len(cls == 4 ? (int)(rnd() % 4) : cls);
            uint8_t *v = malloc(vl);
            for (size_t j = 0; j < vl; j++)
                v[j] = (uint8_t)rnd();
            a[i] = (kv){k, v, kl, vl};
        }
        /* duplicates are allowed: every root resolves them the same way (the last wins) */
        pv_bytes32 one = root_of(a, n, false, false);
        pv_trie_entry *e = malloc(n * sizeof *e);
        for (size_t i = 0; i < n; i++)
            e[i] = (pv_trie_entry){a[i].k, a[i].kl, a[i].v, a[i].vl};
        pv_bytes32 unb = pv_trie_root_unbatched(e, n);
        if (!pv_bytes32_eq(&one, &unb)) {
            if (bad < 5)
                fprintf(stderr, "set %d (shape %d, values %d, %zu keys): batched root differs\n", round, shape, cls, n);
            bad++;
        }
        /* the secure root: keys hashed in batches, then batched, against both done one by one */
        pv_bytes32 sec = root_of(a, n, true, false);
        uint8_t (*hk)[32] = malloc(n * 32);
        for (size_t i = 0; i < n; i++) {
            pv_keccak256(a[i].k, a[i].kl, hk[i]);
            e[i] = (pv_trie_entry){hk[i], 32, a[i].v, a[i].vl};
        }
        unb = pv_trie_root_unbatched(e, n);
        bad_secure += !pv_bytes32_eq(&sec, &unb);
        free(hk);
        free(e);
        if (n <= 300) {
            kvmap m = {0};
            for (size_t i = 0; i < n; i++) {
                uint8_t *k = malloc(a[i].kl + 1), *v = malloc(a[i].vl);
                memcpy(k, a[i].k, a[i].kl);
                memcpy(v, a[i].v, a[i].vl);
                map_put(&m, k, a[i].kl, v, a[i].vl);
            }
            pv_bytes32 want = ref_root(m.a, m.n);
            bad_ref += !pv_bytes32_eq(&one, &want);
            map_free(&m);
        }
        for (size_t i = 0; i < n; i++) {
            free(a[i].k);
            free(a[i].v);
        }
        free(a);
    }
    CHECK(bad == 0, "%d of %d sets: batched root differs from the node-by-node one", bad, rounds);
    CHECK(bad_secure == 0, "%d of %d sets: batched secure root differs from the node-by-node one", bad_secure, rounds);
    CHECK(bad_ref == 0, "%d sets: batched root differs from the reference", bad_ref);
}

/* ---- API contract ---------------------------------------------------------------------------- */

static void contract(void)
{
    pv_bytes32 r = pv_trie_root(NULL, 0);
    CHECK(pv_bytes32_eq(&r, &PV_EMPTY_TRIE_ROOT), "empty set");
    r = pv_trie_root_secure(NULL, 0);
    CHECK(pv_bytes32_eq(&r, &PV_EMPTY_TRIE_ROOT), "empty secure set");
    r = pv_trie_root_ordered(NULL, NULL, 0);
    CHECK(pv_bytes32_eq(&r, &PV_EMPTY_TRIE_ROOT), "empty ordered list");

    /* only deletions / empty values */
    pv_trie_entry gone[2] = {{(const uint8_t *)"a", 1, (const uint8_t *)"", 0}, {(const uint8_t *)"b", 1, NULL, 0}};
    r = pv_trie_root(gone, 2);
    CHECK(pv_bytes32_eq(&r, &PV_EMPTY_TRIE_ROOT), "set of absent values");

    /* a single short entry: the root node is short but still hashed */
    pv_trie_entry one = {(const uint8_t *)"a", 1, (const uint8_t *)"\x01", 1};
    r = pv_trie_root(&one, 1);
    const uint8_t node[] = {0xc4, 0x82, 0x20, 0x61, 0x01};  /* [HP("a", leaf) = 0x20 0x61, 0x01] */
    pv_bytes32 want;
    pv_keccak256(node, sizeof node, want.b);
    CHECK(pv_bytes32_eq(&r, &want), "single short leaf: hashed root");

    /* duplicates: the last wins, a later empty value deletes, a later value re-inserts */
    pv_trie_entry dup[5] = {
        {(const uint8_t *)"dog", 3, (const uint8_t *)"x", 1},
        {(const uint8_t *)"do", 2, (const uint8_t *)"verb", 4},
        {(const uint8_t *)"dog", 3, (const uint8_t *)"puppy", 5},
        {(const uint8_t *)"do", 2, NULL, 0},
        {(const uint8_t *)"do", 2, (const uint8_t *)"verb", 4},
    };
    pv_trie_entry clean[2] = {{(const uint8_t *)"do", 2, (const uint8_t *)"verb", 4},
                              {(const uint8_t *)"dog", 3, (const uint8_t *)"puppy", 5}};
    pv_bytes32 a = pv_trie_root(dup, 5), b = pv_trie_root(clean, 2);
    CHECK(pv_bytes32_eq(&a, &b), "duplicates: last wins");
    pv_trie_entry dup2[2] = {{(const uint8_t *)"k", 1, (const uint8_t *)"v", 1}, {(const uint8_t *)"k", 1, NULL, 0}};
    a = pv_trie_root(dup2, 2);
    CHECK(pv_bytes32_eq(&a, &PV_EMPTY_TRIE_ROOT), "duplicates: a final deletion wins");

    /* many duplicates (the merge-sort path): 100 keys, each written 3 times, last value counts */
    enum { K = 100 };
    static uint8_t keys[K][4], vals[3][K][2];
    pv_trie_entry many[3 * K], last[K];
    for (int i = 0; i < K; i++) {
        keys[i][0] = (uint8_t)(i * 37);
        keys[i][1] = (uint8_t)i;
        keys[i][2] = 7;
        keys[i][3] = (uint8_t)(i % 5);
        for (int w = 0; w < 3; w++) {
            vals[w][i][0] = (uint8_t)w;
            vals[w][i][1] = (uint8_t)i;
        }
    }
    for (int w = 0, n = 0; w < 3; w++)
        for (int i = 0; i < K; i++, n++) {
            int idx = (i * 53 + w * 11) % K;  /* interleave the writes */
            many[n] = (pv_trie_entry){keys[idx], 4, vals[w][idx], 2};
        }
    for (int i = 0; i < K; i++)
        last[i] = (pv_trie_entry){keys[i], 4, vals[2][i], 2};
    a = pv_trie_root(many, 3 * K);
    b = pv_trie_root(last, K);
    CHECK(pv_bytes32_eq(&a, &b), "300 writes of 100 keys: last value wins");

    /* the secure variant must not touch the caller's array */
    pv_trie_entry sec[3] = {{(const uint8_t *)"zz", 2, (const uint8_t *)"1", 1},
                            {(const uint8_t *)"aa", 2, (const uint8_t *)"2", 1},
                            {(const uint8_t *)"mm", 2, (const uint8_t *)"3", 1}};
    pv_trie_entry copy[3];
    memcpy(copy, sec, sizeof sec);
    pv_trie_root_secure(sec, 3);
    CHECK(memcmp(copy, sec, sizeof sec) == 0, "secure root leaves the caller's entries unchanged");
    /* and equals the plain root over hashed keys */
    uint8_t hk[3][32];
    for (int i = 0; i < 3; i++) {
        pv_keccak256(sec[i].key, sec[i].key_len, hk[i]);
        copy[i].key = hk[i];
        copy[i].key_len = 32;
    }
    a = pv_trie_root_secure(sec, 3);
    b = pv_trie_root(copy, 3);
    CHECK(pv_bytes32_eq(&a, &b), "secure root = root over keccak(key)");

    /* pv_trie_root sorts the caller's array (and keeps it a permutation) */
    pv_trie_entry srt[4] = {{(const uint8_t *)"c", 1, (const uint8_t *)"1", 1},
                            {(const uint8_t *)"a", 1, (const uint8_t *)"2", 1},
                            {(const uint8_t *)"b", 1, (const uint8_t *)"3", 1},
                            {(const uint8_t *)"a", 1, (const uint8_t *)"4", 1}};
    pv_trie_root(srt, 4);
    CHECK(srt[0].key[0] == 'a' && srt[0].value[0] == '4' && srt[1].key[0] == 'b' && srt[2].key[0] == 'c' &&
              srt[3].key[0] == 'a' && srt[3].value[0] == '2',
          "root reorders the array: kept entries first, sorted");

    /* the ordered variant = the plain root over RLP(i) keys, for lengths across 0x7f/0x80/0xff/0x100 */
    static uint8_t item[300][3];
    const uint8_t *vp[300];
    size_t vl[300];
    pv_trie_entry ord[300];
    static uint8_t rk[300][3];
    for (size_t i = 0; i < 300; i++) {
        item[i][0] = 0xc2;  /* a tiny RLP list, as a receipt or transaction would be */
        item[i][1] = (uint8_t)(i & 0x7f);
        item[i][2] = (uint8_t)(i >> 7);
        vp[i] = item[i];
        vl[i] = 3;
        size_t kl;
        if (i == 0) {
            rk[i][0] = 0x80;
            kl = 1;
        } else if (i < 0x80) {
            rk[i][0] = (uint8_t)i;
            kl = 1;
        } else if (i < 0x100) {
            rk[i][0] = 0x81;
            rk[i][1] = (uint8_t)i;
            kl = 2;
        } else {
            rk[i][0] = 0x82;
            rk[i][1] = (uint8_t)(i >> 8);
            rk[i][2] = (uint8_t)i;
            kl = 3;
        }
        ord[i] = (pv_trie_entry){rk[i], kl, item[i], 3};
    }
    static const size_t counts[] = {1, 2, 127, 128, 129, 255, 256, 257, 300};
    for (size_t c = 0; c < sizeof counts / sizeof counts[0]; c++) {
        size_t n = counts[c];
        pv_trie_entry tmp[300];
        memcpy(tmp, ord, n * sizeof *tmp);
        a = pv_trie_root_ordered(vp, vl, n);
        b = pv_trie_root(tmp, n);
        CHECK(pv_bytes32_eq(&a, &b), "ordered root of %zu items", n);
        kv ref[300];
        for (size_t i = 0; i < n; i++)
            ref[i] = (kv){(uint8_t *)ord[i].key, (uint8_t *)ord[i].value, ord[i].key_len, ord[i].value_len};
        b = ref_root(ref, n);
        CHECK(pv_bytes32_eq(&a, &b), "ordered root of %zu items against the reference", n);
    }
}

/* The multi-threaded ordered root equals the single-threaded one, whatever the size (the
 * partition into subtrees changes with n and the thread count). */
/* Sets the pieces of an ordered trie in a scrambled order: every piece, or every other one
 * (from `first`) when two threads share them. */
typedef struct piece_job {
    pv_ordered_trie *tr;
    const size_t *cut;
    unsigned pieces, first, step;
    const uint8_t *const *vals;
    const size_t *lens;
} piece_job;

static void *set_pieces(void *arg)
{
    piece_job *j = arg;
    for (unsigned q = j->first; q < j->pieces; q += j->step) {
        unsigned p = (q * 5 + 3) % j->pieces;
        pv_ordered_trie_set(j->tr, j->cut[p], j->cut[p + 1], j->vals + j->cut[p], j->lens + j->cut[p]);
    }
    return NULL;
}

static void ordered_multithreaded(void)
{
    static const size_t sizes[] = {0, 1, 2, 63, 64, 65, 127, 128, 129, 255, 256, 300, 823, 1000, 4097, 20000, 65537};
    uint64_t x = 0x243f6a8885a308d3ULL;
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
        size_t n = sizes[s];
        uint8_t **vals = malloc((n + 1) * sizeof *vals);
        size_t *lens = malloc((n + 1) * sizeof *lens);
        for (size_t i = 0; i < n; i++) {
            test_xorshift(&x);
            lens[i] = 1 + x % 300; /* short (embedded) and long (hashed) nodes */
            vals[i] = malloc(lens[i]);
            for (size_t j = 0; j < lens[i]; j++)
                vals[i][j] = (uint8_t)(x >> (j % 56));
        }
        pv_bytes32 one = pv_trie_root_ordered((const uint8_t *const *)vals, lens, n);
        pv_trie_entry *e = malloc((n + 1) * sizeof *e);
        uint8_t (*keys)[9] = malloc((n + 1) * 9);
        for (size_t i = 0; i < n; i++) {
            size_t kl = 1;
            if (i == 0) {
                keys[i][0] = 0x80;
            } else if (i < 0x80) {
                keys[i][0] = (uint8_t)i;
            } else {
                unsigned nb = 0;
                for (size_t t = i; t; t >>= 8)
                    nb++;
                keys[i][0] = (uint8_t)(0x80 + nb);
                for (unsigned k = 0; k < nb; k++)
                    keys[i][nb - k] = (uint8_t)(i >> (8 * k));
                kl = 1 + nb;
            }
            e[i] = (pv_trie_entry){keys[i], kl, vals[i], lens[i]};
        }
        pv_bytes32 unb = pv_trie_root_unbatched(e, n);
        CHECK(pv_bytes32_eq(&one, &unb), "ordered root of %zu items: batched = node by node", n);
        free(e);
        free(keys);
        for (unsigned t = 2; t <= 8; t *= 2) {
            pv_bytes32 many = pv_trie_root_ordered_mt((const uint8_t *const *)vals, lens, n, t);
            CHECK(pv_bytes32_eq(&one, &many), "ordered root of %zu items on %u threads", n, t);
        }
        /* in pieces: 1 to 7 ranges set in a scrambled order, cut anywhere (inside the first
         * 128 items too), from one thread or from two at once */
        for (unsigned pieces = 1; pieces <= 7; pieces += 3)
            for (unsigned t = 1; t <= 2; t++) {
                size_t cut[8];
                cut[0] = 0;
                cut[pieces] = n;
                for (unsigned p = 1; p < pieces; p++) {
                    test_xorshift(&x);
                    size_t c = n ? (p % 2 ? x % (n < 200 ? n : 200) : x % n) : 0; /* near the start, or anywhere */
                    cut[p] = c < cut[p - 1] ? cut[p - 1] : c;
                }
                /* one thread: made whole; two: keys filled by range, last range first */
                pv_ordered_trie *tr = t == 1 ? pv_ordered_trie_new(n) : pv_ordered_trie_new_unfilled(n);
                for (unsigned p = pieces; t == 2 && p-- > 0;)
                    pv_ordered_trie_fill(tr, cut[p], cut[p + 1]);
                piece_job jobs[2];
                pthread_t th;
                for (unsigned j = 0; j < 2; j++)
                    jobs[j] = (piece_job){tr, cut, pieces, j, t, (const uint8_t *const *)vals, lens};
                if (t == 2)
                    pthread_create(&th, NULL, set_pieces, &jobs[1]);
                set_pieces(&jobs[0]);
                if (t == 2)
                    pthread_join(th, NULL);
                pv_bytes32 pieced = pv_ordered_trie_root(tr);
                pv_ordered_trie_free(tr);
                CHECK(pv_bytes32_eq(&one, &pieced), "ordered root of %zu items in %u pieces set from %u threads",
                      n, pieces, t);
            }
        for (size_t i = 0; i < n; i++)
            free(vals[i]);
        free(vals);
        free(lens);
    }
}

/* An item's leaf hashed by the caller (streamed: prefix, then the value in pieces) gives the same
 * root as the trie hashing it itself, in one piece or several; a wrong hash changes the root, so
 * the hash is what the root is built from. */
static void ordered_leaf_hashed(void)
{
    static const size_t sizes[] = {2, 3, 7, 8, 9, 80, 127, 128, 129, 300, 1000};
    uint64_t x = 0x13198a2e03707344ULL;
    int bad = 0, cases = 0, unused = 0;
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
        size_t n = sizes[s];
        const size_t picks[] = {0, 1, n / 2, n - 1, 127, 128};
        for (size_t k = 0; k < sizeof picks / sizeof picks[0]; k++) {
            size_t big = picks[k];
            if (big >= n)
                continue;
            uint8_t **vals = malloc(n * sizeof *vals);
            size_t *lens = malloc(n * sizeof *lens);
            for (size_t i = 0; i < n; i++) {
                test_xorshift(&x);
                lens[i] = i == big ? 32 + x % 70000 : 1 + x % 300;
                vals[i] = malloc(lens[i]);
                for (size_t j = 0; j < lens[i]; j++)
                    vals[i][j] = (uint8_t)((x >> (j % 56)) + j);
            }
            pv_bytes32 want = pv_trie_root_ordered((const uint8_t *const *)vals, lens, n);
            for (unsigned pieces = 1; pieces <= 3; pieces += 2)
                for (int wrong = 0; wrong <= 1; wrong++) {
                    pv_ordered_trie *tr = pv_ordered_trie_new(n);
                    uint8_t prefix[PV_TRIE_LEAF_PREFIX_MAX];
                    size_t pl = pv_ordered_trie_leaf_prefix(tr, big, lens[big], prefix);
                    CHECK(pl > 0, "a leaf prefix for item %zu of %zu", big, n);
                    pv_keccak256_stream ks;
                    pv_keccak256_begin(&ks);
                    pv_keccak256_absorb(&ks, prefix, pl);
                    size_t third = lens[big] / 3;
                    pv_keccak256_absorb(&ks, vals[big], third);
                    pv_keccak256_absorb(&ks, vals[big] + third, third);
                    pv_keccak256_absorb(&ks, vals[big] + 2 * third, lens[big] - 2 * third);
                    uint8_t h[32];
                    pv_keccak256_end(&ks, h);
                    h[7] ^= (uint8_t)wrong;
                    pv_ordered_trie_set_leaf_hash(tr, big, h);
                    for (unsigned p = 0; p < pieces; p++) {
                        size_t lo = n * p / pieces, hi = n * (p + 1) / pieces;
                        pv_ordered_trie_set(tr, lo, hi, (const uint8_t *const *)vals + lo, lens + lo);
                    }
                    pv_bytes32 got = pv_ordered_trie_root(tr);
                    pv_ordered_trie_free(tr);
                    if (wrong)
                        unused += pv_bytes32_eq(&got, &want);
                    else
                        bad += !pv_bytes32_eq(&got, &want);
                    cases++;
                }
            for (size_t i = 0; i < n; i++)
                free(vals[i]);
            free(vals);
            free(lens);
        }
    }
    CHECK(bad == 0, "%d of %d roots with a leaf hashed by the caller differ", bad, cases / 2);
    CHECK(unused == 0, "%d of %d roots ignored a wrong leaf hash", unused, cases / 2);
    pv_ordered_trie *one = pv_ordered_trie_new(1);
    uint8_t prefix[PV_TRIE_LEAF_PREFIX_MAX];
    CHECK(pv_ordered_trie_leaf_prefix(one, 0, 100, prefix) == 0, "no leaf prefix in a trie of one item (its leaf is the root)");
    pv_ordered_trie_free(one);
    pv_ordered_trie *two = pv_ordered_trie_new(2);
    CHECK(pv_ordered_trie_leaf_prefix(two, 1, 31, prefix) == 0, "no leaf prefix for a value under 32 bytes");
    CHECK(pv_ordered_trie_leaf_prefix(two, 2, 100, prefix) == 0, "no leaf prefix for an item past the end");
    pv_ordered_trie_free(two);
}

int main(void)
{
    ordered_leaf_hashed();
    ordered_multithreaded();
    fixtures();
    random_against_reference();
    batched_against_unbatched();
    contract();
    TEST_DONE();
}
