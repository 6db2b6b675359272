#include "statetest.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "../crypto/secp256k1_recover.h"
#include "../evm/precompiles.h"
#include "../util/hex.h"
#include "../util/keccak.h"
#include "json_util.h"

static pv_bytes32 test_block_hash(void *ctx, int64_t number)
{
    (void)ctx;
    char buf[32];
    int n = snprintf(buf, sizeof buf, "%lld", (long long)number);
    pv_bytes32 h;
    pv_keccak256((const uint8_t *)buf, (size_t)n, h.b);
    return h;
}

static char *load_env(pv_st_test *t, json_t *env)
{
    if (!json_is_object(env))
        return pv_fmt("env: missing or not an object");
    pv_block_env *e = &t->env;
    char *err;
    bool ovf;
    uint64_t x;
    if ((err = pv_json_fixed(json_object_get(env, "currentCoinbase"), "env.currentCoinbase", e->coinbase.b, 20)))
        return err;
    if ((err = pv_json_u64(json_object_get(env, "currentGasLimit"), "env.currentGasLimit", &e->gas_limit, &ovf)))
        return err;
    if ((err = pv_json_u64(json_object_get(env, "currentNumber"), "env.currentNumber", &x, &ovf)))
        return err;
    e->number = (int64_t)x;
    if ((err = pv_json_u64(json_object_get(env, "currentTimestamp"), "env.currentTimestamp", &x, &ovf)))
        return err;
    e->timestamp = (int64_t)x;
    json_t *v;
    if ((v = json_object_get(env, "currentDifficulty")) && (err = pv_json_u256(v, "env.currentDifficulty", &e->difficulty, &ovf)))
        return err;
    if ((v = json_object_get(env, "currentRandom")) && (err = pv_json_u256(v, "env.currentRandom", &e->prev_randao, &ovf)))
        return err;
    else if (!v)
        e->prev_randao = e->difficulty;
    if ((v = json_object_get(env, "currentBaseFee")) && (err = pv_json_u256(v, "env.currentBaseFee", &e->base_fee, &ovf)))
        return err;
    if ((v = json_object_get(env, "currentExcessBlobGas")) &&
        (err = pv_json_u64(v, "env.currentExcessBlobGas", &e->excess_blob_gas, &ovf)))
        return err;
    e->chain_id = u256_from_u64(1);
    e->block_hash = test_block_hash;
    return NULL;
}

static char *load_access_list(json_t *list, const char *field, pv_access_entry **out, size_t *count)
{
    size_t n = json_array_size(list);
    pv_access_entry *al = pv_xcalloc(n, sizeof *al);
    *out = al;
    *count = n;
    for (size_t i = 0; i < n; i++) {
        json_t *ent = json_array_get(list, i);
        char f[128];
        snprintf(f, sizeof f, "%s[%zu].address", field, i);
        char *e = pv_json_fixed(json_object_get(ent, "address"), f, al[i].address.b, 20);
        if (e)
            return e;
        json_t *keys = json_object_get(ent, "storageKeys");
        size_t nk = json_array_size(keys);
        u256 *k = pv_xcalloc(nk, sizeof *k);
        al[i].keys = k;
        al[i].keys_count = nk;
        for (size_t j = 0; j < nk; j++) {
            bool ovf;
            snprintf(f, sizeof f, "%s[%zu].storageKeys[%zu]", field, i, j);
            if ((e = pv_json_u256(json_array_get(keys, j), f, &k[j], &ovf)))
                return e;
        }
    }
    return NULL;
}

static char *load_tx(pv_st_test *t, json_t *tx)
{
    if (!json_is_object(tx))
        return pv_fmt("transaction: missing or not an object");
    char *e;
    bool ovf;
    json_t *data = json_object_get(tx, "data"), *gas = json_object_get(tx, "gasLimit"),
           *value = json_object_get(tx, "value");
    if (!json_is_array(data) || !json_is_array(gas) || !json_is_array(value))
        return pv_fmt("transaction: data, gasLimit and value must be arrays");
    t->ndata = json_array_size(data);
    t->data = pv_xcalloc(t->ndata, sizeof *t->data);
    t->data_len = pv_xcalloc(t->ndata, sizeof *t->data_len);
    for (size_t i = 0; i < t->ndata; i++) {
        char f[64];
        snprintf(f, sizeof f, "transaction.data[%zu]", i);
        if ((e = pv_json_bytes(json_array_get(data, i), f, &t->data[i], &t->data_len[i])))
            return e;
    }
    t->ngas = json_array_size(gas);
    t->gas = pv_xcalloc(t->ngas, sizeof *t->gas);
    t->gas_bad = pv_xcalloc(t->ngas, sizeof *t->gas_bad);
    for (size_t i = 0; i < t->ngas; i++) {
        char f[64];
        snprintf(f, sizeof f, "transaction.gasLimit[%zu]", i);
        if ((e = pv_json_u64(json_array_get(gas, i), f, &t->gas[i], &t->gas_bad[i])))
            return e;
    }
    t->nvalue = json_array_size(value);
    t->value = pv_xcalloc(t->nvalue, sizeof *t->value);
    t->value_bad = pv_xcalloc(t->nvalue, sizeof *t->value_bad);
    for (size_t i = 0; i < t->nvalue; i++) {
        char f[64];
        snprintf(f, sizeof f, "transaction.value[%zu]", i);
        if ((e = pv_json_u256(json_array_get(value, i), f, &t->value[i], &t->value_bad[i])))
            return e;
    }
    pv_tx *b = &t->base;
    if ((e = pv_json_u64(json_object_get(tx, "nonce"), "transaction.nonce", &b->nonce, &ovf)))
        return e;
    t->base_bad |= ovf;
    json_t *v;
    if ((v = json_object_get(tx, "gasPrice"))) {
        if ((e = pv_json_u256(v, "transaction.gasPrice", &b->gas_price, &ovf)))
            return e;
        t->base_bad |= ovf;
    }
    if ((v = json_object_get(tx, "maxFeePerGas"))) {
        t->has_max_fee = true;
        if ((e = pv_json_u256(v, "transaction.maxFeePerGas", &b->max_fee_per_gas, &ovf)))
            return e;
        t->base_bad |= ovf;
        if ((e = pv_json_u256(json_object_get(tx, "maxPriorityFeePerGas"), "transaction.maxPriorityFeePerGas",
                          &b->max_priority_fee_per_gas, &ovf)))
            return e;
        t->base_bad |= ovf;
    }
    const char *to = pv_json_str(json_object_get(tx, "to"));
    if (!to)
        return pv_fmt("transaction.to: missing");
    if (!*to) {
        b->is_create = true;
    } else if (!pv_hex_decode_fixed(to, strlen(to), b->to.b, 20)) {
        return pv_fmt("transaction.to: invalid address '%.50s'", to);
    }
    if ((v = json_object_get(tx, "sender"))) {
        if ((e = pv_json_fixed(v, "transaction.sender", b->sender.b, 20)))
            return e;
    } else {
        uint8_t key[32];
        if ((e = pv_json_fixed(json_object_get(tx, "secretKey"), "transaction.secretKey", key, 32)))
            return e;
        if (!pv_secp256k1_sign_address(key, &b->sender))
            return pv_fmt("transaction.secretKey: not a valid secp256k1 key");
    }
    json_t *al = json_object_get(tx, "accessLists");
    if (json_is_array(al)) {
        t->has_access_lists = true;
        size_t n = json_array_size(al);
        t->access = pv_xcalloc(t->ndata, sizeof *t->access);
        t->access_count = pv_xcalloc(t->ndata, sizeof *t->access_count);
        for (size_t i = 0; i < n && i < t->ndata; i++) {
            json_t *l = json_array_get(al, i);
            if (json_is_null(l))
                continue;
            char f[64];
            snprintf(f, sizeof f, "transaction.accessLists[%zu]", i);
            if ((e = load_access_list(l, f, &t->access[i], &t->access_count[i])))
                return e;
        }
    }
    json_t *bh = json_object_get(tx, "blobVersionedHashes");
    if (json_is_array(bh)) {
        t->has_blobs = true;
        size_t n = json_array_size(bh);
        t->blob_hashes = pv_xcalloc(n, sizeof *t->blob_hashes);
        for (size_t i = 0; i < n; i++) {
            char f[64];
            snprintf(f, sizeof f, "transaction.blobVersionedHashes[%zu]", i);
            if ((e = pv_json_fixed(json_array_get(bh, i), f, t->blob_hashes[i].b, 32)))
                return e;
        }
        b->blob_hashes = t->blob_hashes;
        b->blob_hashes_count = n;
        if ((e = pv_json_u256(json_object_get(tx, "maxFeePerBlobGas"), "transaction.maxFeePerBlobGas",
                          &b->max_fee_per_blob_gas, &ovf)))
            return e;
        t->base_bad |= ovf;
    }
    return NULL;
}

static char *load_post(pv_st_test *t, json_t *post)
{
    if (!json_is_object(post))
        return pv_fmt("post: missing or not an object");
    size_t total = 0;
    const char *fork;
    json_t *cases;
    json_object_foreach(post, fork, cases) total += json_array_size(cases);
    t->cases = pv_xcalloc(total, sizeof *t->cases);
    json_object_foreach(post, fork, cases) {
        if (!json_is_array(cases))
            return pv_fmt("post.%s: not an array", fork);
        pv_fork f = PV_FRONTIER;
        bool known = pv_fork_from_name(fork, &f);
        for (size_t i = 0; i < json_array_size(cases); i++) {
            json_t *c = json_array_get(cases, i);
            pv_st_case *k = &t->cases[t->ncases];
            snprintf(k->fork_name, sizeof k->fork_name, "%s", fork);
            k->fork_known = known;
            k->fork = f;
            char field[96];
            snprintf(field, sizeof field, "post.%s[%zu]", fork, i);
            json_t *ix = json_object_get(c, "indexes");
            json_t *d = json_object_get(ix, "data"), *g = json_object_get(ix, "gas"), *v = json_object_get(ix, "value");
            if (!json_is_integer(d) || !json_is_integer(g) || !json_is_integer(v))
                return pv_fmt("%s.indexes: missing or not integers", field);
            k->d = (size_t)json_integer_value(d);
            k->g = (size_t)json_integer_value(g);
            k->v = (size_t)json_integer_value(v);
            if (k->d >= t->ndata || k->g >= t->ngas || k->v >= t->nvalue)
                return pv_fmt("%s.indexes: out of range of the transaction arrays", field);
            char f2[128];
            char *e;
            snprintf(f2, sizeof f2, "%s.hash", field);
            if ((e = pv_json_fixed(json_object_get(c, "hash"), f2, k->hash.b, 32)))
                return e;
            snprintf(f2, sizeof f2, "%s.logs", field);
            if ((e = pv_json_fixed(json_object_get(c, "logs"), f2, k->logs.b, 32)))
                return e;
            const char *ex = pv_json_str(json_object_get(c, "expectException"));
            if (ex) {
                k->expect_exception = true;
                snprintf(k->exception, sizeof k->exception, "%s", ex);
            }
            k->tx_type = -1;
            const char *tb = pv_json_str(json_object_get(c, "txbytes"));
            if (tb && strlen(tb) >= 4) {
                uint8_t b0;
                if (pv_hex_decode_fixed(tb, 4, &b0, 1))
                    k->tx_type = b0 >= 0xc0 ? 0 : b0;
            }
            t->ncases++;
        }
    }
    return NULL;
}

static void free_test(pv_st_test *t)
{
    free(t->name);
    free(t->error);
    pv_world_free(t->world);
    for (size_t i = 0; i < t->ndata; i++) {
        free(t->data[i]);
        if (t->access && t->access[i]) {
            for (size_t j = 0; j < t->access_count[i]; j++)
                free((void *)t->access[i][j].keys);
            free(t->access[i]);
        }
    }
    free(t->data);
    free(t->data_len);
    free(t->access);
    free(t->access_count);
    free(t->gas);
    free(t->gas_bad);
    free(t->value);
    free(t->value_bad);
    free(t->blob_hashes);
    free(t->cases);
}

pv_st_file *pv_st_load(const char *path, char **err)
{
    *err = NULL;
    json_error_t je;
    json_t *root = json_load_file(path, 0, &je);
    if (!root) {
        *err = je.line > 0 ? pv_fmt("%s: invalid JSON at line %d, column %d: %s", path, je.line, je.column, je.text)
                           : pv_fmt("%s: %s", path, je.text);
        return NULL;
    }
    if (!json_is_object(root)) {
        json_decref(root);
        *err = pv_fmt("%s: top level is not an object of tests", path);
        return NULL;
    }
    pv_st_file *f = pv_xcalloc(1, sizeof *f);
    f->tests = pv_xcalloc(json_object_size(root), sizeof *f->tests);
    const char *name;
    json_t *tj;
    json_object_foreach(root, name, tj) {
        pv_st_test *t = &f->tests[f->ntests++];
        t->name = strdup(name);
        char *e = NULL;
        if (!json_is_object(tj))
            e = pv_fmt("not an object");
        if (!e)
            e = load_env(t, json_object_get(tj, "env"));
        if (!e)
            e = pv_json_load_world(json_object_get(tj, "pre"), "pre", &t->world);
        if (!e)
            pv_world_seal(t->world);
        if (!e)
            e = load_tx(t, json_object_get(tj, "transaction"));
        if (!e)
            e = load_post(t, json_object_get(tj, "post"));
        if (e) {
            t->error = pv_fmt("%s: test '%s': %s", path, name, e);
            free(e);
        }
    }
    json_decref(root);
    return f;
}

void pv_st_free(pv_st_file *f)
{
    if (!f)
        return;
    for (size_t i = 0; i < f->ntests; i++)
        free_test(&f->tests[i]);
    free(f->tests);
    free(f);
}

void pv_st_run_case(const pv_st_test *t, const pv_st_case *c, pv_st_outcome *out)
{
    pv_tx tx = t->base;
    tx.data = t->data[c->d];
    tx.data_size = t->data_len[c->d];
    tx.gas_limit = t->gas[c->g];
    tx.value = t->value[c->v];
    if (t->has_access_lists && t->access[c->d]) {
        tx.access_list = t->access[c->d];
        tx.access_list_count = t->access_count[c->d];
    }
    if (c->tx_type >= 0)
        tx.type = (uint8_t)c->tx_type;
    else
        tx.type = t->has_blobs ? 3 : t->has_max_fee ? 2 : t->has_access_lists ? 1 : 0;
    if (tx.type < 2) {
        tx.max_fee_per_gas = tx.gas_price;
        tx.max_priority_fee_per_gas = tx.gas_price;
    }
    bool undecodable = t->base_bad || t->gas_bad[c->g] || t->value_bad[c->v];

    pv_state *st = pv_state_new(t->world);
    pv_receipt receipt;
    memset(&receipt, 0, sizeof receipt);
    pv_tx_error err = undecodable ? PV_TX_FEE_TOO_LARGE : pv_transact(st, &t->env, c->fork, &tx, 0, &receipt);
    u256 zero = u256_zero();
    pv_state_add_balance(st, &t->env.coinbase, &zero);
    pv_st_end_tx(st, c->fork >= PV_SPURIOUS_DRAGON, NULL, NULL);
    out->root = pv_state_root(st);
    out->logs = pv_logs_hash(receipt.logs, receipt.logs_count);
    out->error = err;
    out->rejected = err != PV_TX_VALID;
    out->pass = pv_bytes32_eq(&out->root, &c->hash) && pv_bytes32_eq(&out->logs, &c->logs) &&
                out->rejected == c->expect_exception;
    pv_receipt_free(&receipt);
    pv_state_free(st);
}
