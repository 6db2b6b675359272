/* The public API (include/parevm.h) end to end: mainnet blocks re-encoded as raw transactions,
 * decoded by parevm_tx_decode, executed by parevm_execute_block over a state provider backed by
 * the fixture's pre-state, and checked against the block header (gas used, receipts root, logs
 * bloom) and against the internal sequential executor's state changes. Each block runs
 * sequentially, on 2 and 4 threads, and from inside parevm_run_on_executor_thread. */
#include "test.h"

#include <string.h>

#include "exec/block.h"
#include "io/block_json.h"
#include "io/tx_codec.h"
#include "parevm.h"
#include "util/rlp.h"

/* ---- a state provider over the fixture's world ---- */

static bool get_account(void *ctx, const uint8_t address[20], parevm_account *out)
{
    pv_state_source *src = ctx;
    pv_address a;
    memcpy(a.b, address, 20);
    pv_account_basic basic;
    src->fn->read_basic(src, &a, &basic);
    if (!basic.exists)
        return false;
    memset(out, 0, sizeof *out);
    out->nonce = basic.nonce;
    u256 bal = src->fn->read_balance(src, &a);
    u256_to_be(&bal, out->balance);
    out->code = basic.code ? basic.code->bytes : NULL;
    out->code_size = basic.code ? basic.code->size : 0;
    out->has_storage = basic.has_storage;
    return true;
}

static void get_storage(void *ctx, const uint8_t address[20], const uint8_t key[32], uint8_t value[32])
{
    pv_state_source *src = ctx;
    pv_address a;
    memcpy(a.b, address, 20);
    u256 k, v;
    u256_from_be(&k, key, 32);
    v = src->fn->read_storage(src, &a, &k);
    u256_to_be(&v, value);
}

static bool get_block_hash(void *ctx, uint64_t number, uint8_t hash[32])
{
    const pv_block_file *f = ctx;
    for (size_t i = 0; i < f->hashes_count; i++)
        if ((uint64_t)f->hashes[i].number == number) {
            memcpy(hash, f->hashes[i].hash.b, 32);
            return true;
        }
    return false;
}

/* ---- one block through the API ---- */

typedef struct api_run {
    const pv_block_file *f;
    parevm_tx **txs;
    parevm_block_env *env;
    parevm_state_provider *pre;
    unsigned threads;
    int rc;
    parevm_block_result res;
} api_run;

static void run_block(void *arg)
{
    api_run *r = arg;
    parevm_options opt = {.threads = r->threads};
    r->rc = parevm_execute_block(r->env, r->txs, r->f->txs_count, r->pre, &opt, &r->res);
}

static void check_result(const char *name, const char *how, const pv_block_file *f, const pv_block_result *ref,
                         const parevm_block_result *res)
{
    CHECK(res->valid, "%s %s: valid", name, how);
    CHECK(res->receipts_count == f->txs_count, "%s %s: %zu receipts", name, how, res->receipts_count);
    if (f->has_gas_used)
        CHECK(res->gas_used == f->gas_used, "%s %s: gas used %llu, header %llu", name, how,
              (unsigned long long)res->gas_used, (unsigned long long)f->gas_used);
    if (f->has_logs_bloom)
        CHECK(memcmp(res->logs_bloom, f->logs_bloom, 256) == 0, "%s %s: logs bloom", name, how);
    if (f->has_receipts_root && res->receipts_root_known)
        CHECK(memcmp(res->receipts_root, f->receipts_root.b, 32) == 0, "%s %s: receipts root", name, how);
    /* the changes, account by account, against the internal sequential executor's */
    CHECK(res->changes_count == ref->changes.count, "%s %s: %zu changed accounts, expected %zu", name, how,
          res->changes_count, ref->changes.count);
    size_t n = res->changes_count < ref->changes.count ? res->changes_count : ref->changes.count;
    size_t differ = 0;
    for (size_t i = 0; i < n; i++) {
        const parevm_account_change *c = &res->changes[i];
        const pv_account_change *e = &ref->changes.accounts[i];
        uint8_t bal[32];
        u256_to_be(&e->balance, bal);
        bool same = memcmp(c->address, e->address.b, 20) == 0 && c->exists == e->exists &&
                    c->storage_reset == e->storage_reset && c->nonce == e->nonce && memcmp(c->balance, bal, 32) == 0 &&
                    c->slots_count == e->slots_count;
        for (size_t k = 0; same && k < c->slots_count; k++) {
            uint8_t key[32], val[32];
            u256_to_be(&e->slots[k].key, key);
            u256_to_be(&e->slots[k].value, val);
            same = memcmp(c->slots[k].key, key, 32) == 0 && memcmp(c->slots[k].value, val, 32) == 0;
        }
        differ += !same;
    }
    CHECK(differ == 0, "%s %s: %zu accounts differ from the sequential executor's changes", name, how, differ);
}

static void test_block(const char *file)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/mainnet/%s", test_fixtures_dir(), file);
    char *err = NULL;
    pv_block_file *f = pv_block_file_load(path, &err);
    CHECK(f != NULL, "%s: %s", path, err ? err : "");
    if (!f) {
        free(err);
        return;
    }
    const pv_block *b = &f->block;
    pv_block_result ref;
    pv_block_execute(pv_world_source(f->pre), b, PV_INVALID_TX_ABORT, &ref);

    /* raw transactions, decoded by the API */
    parevm_fork fork = parevm_mainnet_fork((uint64_t)b->env.number, (uint64_t)b->env.timestamp);
    CHECK((int)fork == (int)b->fork, "%s: fork %d, file %d", file, (int)fork, (int)b->fork);
    uint64_t chain_id = 1;
    parevm_tx **txs = calloc(f->txs_count + 1, sizeof *txs);
    size_t decoded = 0;
    for (size_t k = 0; k < f->txs_count; k++) {
        pv_buf raw;
        pv_buf_init(&raw);
        pv_tx_encode(&f->stxs[k], &raw);
        char why[200] = "";
        txs[k] = parevm_tx_decode(raw.data, raw.len, fork, chain_id, why, sizeof why);
        pv_buf_free(&raw);
        if (!txs[k]) {
            CHECK(false, "%s: transaction %zu: %s", file, k, why);
            continue;
        }
        uint8_t sender[20], hash[32];
        parevm_tx_sender(txs[k], sender);
        parevm_tx_hash(txs[k], hash);
        decoded += memcmp(sender, b->txs[k].sender.b, 20) == 0 && memcmp(hash, f->stxs[k].hash.b, 32) == 0;
    }
    CHECK(decoded == f->txs_count, "%s: %zu of %zu transactions decoded with the right sender and hash", file,
          decoded, f->txs_count);

    parevm_withdrawal *wds = calloc(b->withdrawals_count + 1, sizeof *wds);
    for (size_t i = 0; i < b->withdrawals_count; i++) {
        wds[i].index = b->withdrawals[i].index;
        wds[i].validator_index = b->withdrawals[i].validator_index;
        memcpy(wds[i].address, b->withdrawals[i].address.b, 20);
        wds[i].amount_gwei = b->withdrawals[i].amount_gwei;
    }
    parevm_uncle *uncles = calloc(b->uncles_count + 1, sizeof *uncles);
    for (size_t i = 0; i < b->uncles_count; i++) {
        uncles[i].number = (uint64_t)b->uncles[i].number;
        memcpy(uncles[i].miner, b->uncles[i].miner.b, 20);
    }
    parevm_block_env env;
    memset(&env, 0, sizeof env);
    env.fork = fork;
    env.chain_id = chain_id;
    env.number = (uint64_t)b->env.number;
    env.timestamp = (uint64_t)b->env.timestamp;
    env.gas_limit = b->env.gas_limit;
    memcpy(env.coinbase, b->env.coinbase.b, 20);
    u256_to_be(&b->env.difficulty, env.difficulty);
    u256_to_be(&b->env.prev_randao, env.prev_randao);
    u256_to_be(&b->env.base_fee, env.base_fee);
    env.excess_blob_gas = b->env.excess_blob_gas;
    env.has_parent_beacon_root = b->has_parent_beacon_root;
    memcpy(env.parent_beacon_root, b->parent_beacon_root.b, 32);
    env.has_withdrawals = b->has_withdrawals;
    env.withdrawals = wds;
    env.withdrawals_count = b->withdrawals_count;
    env.uncles = uncles;
    env.uncles_count = b->uncles_count;
    env.uncles_without_header = b->uncles_unknown;
    env.get_block_hash = get_block_hash;
    env.block_hash_ctx = f;
    parevm_state_provider pre = {pv_world_source(f->pre), get_account, get_storage};

    static const unsigned threads[] = {1, 2, 4};
    for (int on_executor = 0; on_executor < 2; on_executor++)
        for (size_t t = 0; t < sizeof threads / sizeof threads[0]; t++) {
            api_run r = {f, txs, &env, &pre, threads[t], -1, {0}};
            if (on_executor)
                parevm_run_on_executor_thread(run_block, &r);
            else
                run_block(&r);
            char how[96];
            snprintf(how, sizeof how, "%u thread(s)%s", threads[t], on_executor ? ", on an executor thread" : "");
            CHECK(r.rc == 0, "%s %s: parevm_execute_block returned %d", file, how, r.rc);
            if (r.rc == 0) {
                check_result(file, how, f, &ref, &r.res);
                parevm_block_result_free(&r.res);
            }
        }

    /* unusable arguments: -1, an empty result, no crash */
    parevm_block_result res;
    CHECK(parevm_execute_block(NULL, txs, f->txs_count, &pre, NULL, &res) == -1, "%s: no environment", file);
    CHECK(parevm_execute_block(&env, txs, f->txs_count, NULL, NULL, &res) == -1, "%s: no state provider", file);

    for (size_t k = 0; k < f->txs_count; k++)
        parevm_tx_free(txs[k]);
    free(txs);
    free(wds);
    free(uncles);
    pv_block_result_free(&ref);
    pv_block_file_free(f);
}

int main(void)
{
    /* Frontier with uncles and rewards, Byzantium, Berlin (access lists), Cancun (withdrawals,
     * the beacon-root call, blob transactions). */
    static const char *blocks[] = {"46147.json.gz", "4864590.json.gz", "12459406.json.gz", "19933612.json.gz"};
    for (size_t i = 0; i < sizeof blocks / sizeof blocks[0]; i++)
        test_block(blocks[i]);
    TEST_DONE();
}
