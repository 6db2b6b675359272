/*
 * Transaction decoding, hashing and sender recovery against the ethereum-tests TransactionTests
 * (every file, every fork: a valid transaction must decode to the given hash and sender; an
 * invalid one must be rejected), plus encode/decode round trips.
 */
#include "test.h"

#include <dirent.h>
#include <jansson.h>
#include <string.h>
#include <sys/stat.h>

#include "io/tx_codec.h"
#include "util/hex.h"

static int files, cases, rejected_ok, accepted_ok;

/* The stateless validity rules a transaction test checks beyond decoding and the signature. */
static const char *stateless_check(const pv_tx *tx, pv_fork fork)
{
    if ((tx->type == 1 && fork < PV_BERLIN) || (tx->type == 2 && fork < PV_LONDON) || (tx->type == 3 && fork < PV_CANCUN))
        return "type not supported";
    if (tx->nonce == UINT64_MAX)
        return "nonce overflow (EIP-2681)";
    if (tx->type >= 2 && u256_lt(&tx->max_fee_per_gas, &tx->max_priority_fee_per_gas))
        return "priority fee above fee cap";
    u256 gl = u256_from_u64(tx->gas_limit), prod, back;
    const u256 *price = tx->type >= 2 ? &tx->max_fee_per_gas : &tx->gas_price;
    u256_mul(&prod, &gl, price);
    if (tx->gas_limit && (u256_div(&back, &prod, &gl), !u256_eq(&back, price)))
        return "gas limit * price overflows";
    if (tx->is_create && fork >= PV_SHANGHAI && tx->data_size > 49152)
        return "initcode too large";
    if (pv_tx_intrinsic_gas(tx, fork) > tx->gas_limit)
        return "intrinsic gas too low";
    return NULL;
}

static void run_file(const char *path)
{
    json_error_t je;
    json_t *root = json_load_file(path, 0, &je);
    CHECK(root != NULL, "%s: %s", path, je.text);
    if (!root)
        return;
    files++;
    const char *name;
    json_t *t;
    json_object_foreach(root, name, t) {
        const char *hex = json_string_value(json_object_get(t, "txbytes"));
        uint8_t *raw = NULL;
        size_t len = 0;
        bool hex_ok = hex && pv_hex_decode_alloc(hex, strlen(hex), &raw, &len);
        const char *fork_name;
        json_t *res;
        json_object_foreach(json_object_get(t, "result"), fork_name, res) {
            pv_fork fork;
            if (!pv_fork_from_name(fork_name, &fork))
                continue;
            cases++;
            bool expect_valid = json_object_get(res, "exception") == NULL;
            pv_signed_tx st;
            const char *err = hex_ok ? pv_tx_decode(raw, len, &st) : "bad hex";
            bool decoded = err == NULL;
            if (!err) {
                err = pv_tx_recover_sender(&st, fork, 1);
                if (!err)
                    err = stateless_check(&st.tx, fork);
            }
            if (!expect_valid) {
                CHECK(err != NULL, "%s %s [%s]: accepted, expected %s", path, name, fork_name,
                      json_string_value(json_object_get(res, "exception")));
                if (err)
                    rejected_ok++;
            } else {
                CHECK(err == NULL, "%s %s [%s]: rejected: %s", path, name, fork_name, err);
                if (!err) {
                    uint8_t h[32], sender[20];
                    pv_hex_decode_fixed(json_string_value(json_object_get(res, "hash")),
                                        strlen(json_string_value(json_object_get(res, "hash"))), h, 32);
                    pv_hex_decode_fixed(json_string_value(json_object_get(res, "sender")),
                                        strlen(json_string_value(json_object_get(res, "sender"))), sender, 20);
                    bool same = memcmp(h, st.hash.b, 32) == 0 && memcmp(sender, st.tx.sender.b, 20) == 0;
                    CHECK(same, "%s %s [%s]: hash or sender differs", path, name, fork_name);
                    accepted_ok += same;
                    /* Round trip: the encoding of the decoded transaction is the input. */
                    pv_buf b;
                    pv_buf_init(&b);
                    pv_tx_encode(&st, &b);
                    CHECK(b.len == len && memcmp(b.data, raw, len) == 0, "%s %s: re-encoding differs", path, name);
                    pv_buf_free(&b);
                }
            }
            if (decoded)
                pv_signed_tx_free(&st);
        }
        free(raw);
    }
    json_decref(root);
}

static void walk(const char *dir)
{
    DIR *d = opendir(dir);
    CHECK(d != NULL, "cannot open %s", dir);
    if (!d)
        return;
    struct dirent *e;
    char **names = NULL;
    size_t n = 0;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        names = realloc(names, (n + 1) * sizeof *names);
        names[n++] = strdup(e->d_name);
    }
    closedir(d);
    for (size_t i = 0; i < n; i++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        struct stat sb;
        if (stat(path, &sb) == 0 && S_ISDIR(sb.st_mode))
            walk(path);
        else if (strstr(names[i], ".json"))
            run_file(path);
        free(names[i]);
    }
    free(names);
}

/* Malformed inputs never crash and are rejected. */
static void test_garbage(void)
{
    uint64_t x = 12345;
    for (int i = 0; i < 20000; i++) {
        uint8_t buf[200];
        size_t len = (size_t)(x % 200);
        for (size_t j = 0; j < len; j++) {
            test_xorshift(&x);
            buf[j] = (uint8_t)x;
        }
        if (len && i % 3 == 0)
            buf[0] = (uint8_t)(1 + i % 3);  /* a typed envelope with junk inside */
        pv_signed_tx st;
        if (!pv_tx_decode(buf, len, &st)) {
            pv_tx_recover_sender(&st, PV_CANCUN, 1);
            pv_signed_tx_free(&st);
        }
        test_xorshift(&x);
    }
    CHECK(pv_tx_decode(NULL, 0, &(pv_signed_tx){0}) != NULL, "empty input rejected");
}

int main(void)
{
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/ethereum-tests/TransactionTests", test_fixtures_dir());
    walk(dir);
    printf("TransactionTests: %d files, %d cases: %d valid matched, %d invalid rejected\n", files, cases,
           accepted_ok, rejected_ok);
    CHECK(files > 100 && cases > 1000, "the TransactionTests were found (%d files)", files);
    test_garbage();
    TEST_DONE();
}
