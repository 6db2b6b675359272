/* The public API (include/parevm.h) over the internal modules. */
#include "parevm.h"

#include <stdio.h>
#include <stdlib.h>

#include "../exec/block.h"
#include "../exec/parallel.h"
#include "../io/block_json.h"
#include "../io/tx_codec.h"
#include "../state/cached_source.h"
#include "../util/clock.h"
#include "../util/keccak.h"
#include "../util/pool.h"

_Static_assert((int)PAREVM_CANCUN == (int)PV_CANCUN, "parevm_fork mirrors pv_fork");

parevm_fork parevm_mainnet_fork(uint64_t number, uint64_t timestamp)
{
    return (parevm_fork)pv_mainnet_fork((int64_t)number, (int64_t)timestamp);
}

/* ---- transactions ---- */

struct parevm_tx {
    pv_signed_tx stx;
};

parevm_tx *parevm_tx_decode(const uint8_t *raw, size_t len, parevm_fork fork, uint64_t chain_id, char *err,
                            size_t err_len)
{
    if (err_len)
        err[0] = 0;
    if (!raw || (unsigned)fork > PAREVM_CANCUN) {
        if (err_len)
            snprintf(err, err_len, "bad arguments");
        return NULL;
    }
    parevm_tx *t = calloc(1, sizeof *t);
    if (!t)
        abort();
    const char *e = pv_tx_decode(raw, len, &t->stx);
    if (!e)
        e = pv_tx_recover_sender(&t->stx, (pv_fork)fork, chain_id);
    if (e) {
        if (err_len)
            snprintf(err, err_len, "%s", e);
        pv_signed_tx_free(&t->stx);
        free(t);
        return NULL;
    }
    return t;
}

void parevm_tx_free(parevm_tx *tx)
{
    if (!tx)
        return;
    pv_signed_tx_free(&tx->stx);
    free(tx);
}

void parevm_tx_sender(const parevm_tx *tx, uint8_t out[20]) { memcpy(out, tx->stx.tx.sender.b, 20); }
void parevm_tx_hash(const parevm_tx *tx, uint8_t out[32]) { memcpy(out, tx->stx.hash.b, 32); }

/* ---- the provider as a state source ---- */

typedef struct provider_source {
    pv_state_source base;
    const parevm_state_provider *p;
} provider_source;

static void prov_read_basic(pv_state_source *src, const pv_address *a, pv_account_basic *out)
{
    const parevm_state_provider *p = ((provider_source *)src)->p;
    parevm_account acc;
    memset(&acc, 0, sizeof acc);
    memset(out, 0, sizeof *out);
    if (!p->get_account(p->ctx, a->b, &acc))
        return;
    out->exists = true;
    out->nonce = acc.nonce;
    out->has_storage = acc.has_storage;
    if (acc.code_size) {
        pv_bytes32 h;
        pv_keccak256(acc.code, acc.code_size, h.b);
        out->code = pv_code_get(acc.code, acc.code_size, &h);
    }
}

static u256 prov_read_balance(pv_state_source *src, const pv_address *a)
{
    const parevm_state_provider *p = ((provider_source *)src)->p;
    parevm_account acc;
    memset(&acc, 0, sizeof acc);
    u256 v = u256_zero();
    if (p->get_account(p->ctx, a->b, &acc))
        u256_from_be(&v, acc.balance, 32);
    return v;
}

static u256 prov_read_storage(pv_state_source *src, const pv_address *a, const u256 *key)
{
    const parevm_state_provider *p = ((provider_source *)src)->p;
    uint8_t k[32], v[32];
    u256_to_be(key, k);
    memset(v, 0, 32);
    p->get_storage(p->ctx, a->b, k, v);
    u256 r;
    u256_from_be(&r, v, 32);
    return r;
}

static const pv_state_source_fn provider_fn = {prov_read_basic, prov_read_balance, prov_read_storage, NULL, NULL, NULL};

/* ---- results ---- */

typedef struct result_memory {
    pv_block_result r;
    parevm_receipt *receipts;
    parevm_log *logs;
    parevm_account_change *changes;
    parevm_slot_change *slots;
} result_memory;

typedef struct env_hash_ctx {
    const parevm_block_env *env;
} env_hash_ctx;

static pv_bytes32 env_block_hash(void *ctx, int64_t number)
{
    const parevm_block_env *env = ((env_hash_ctx *)ctx)->env;
    pv_bytes32 h = {{0}};
    if (env->get_block_hash && number >= 0 && !env->get_block_hash(env->block_hash_ctx, (uint64_t)number, h.b))
        memset(h.b, 0, 32);
    return h;
}

static void export_result(result_memory *m, parevm_block_result *out)
{
    pv_block_result *r = &m->r;
    out->valid = r->valid;
    out->invalid_tx = r->invalid_tx;
    out->invalid_reason = r->valid ? NULL : pv_tx_error_name(r->invalid_error);
    size_t nlogs = 0, nslots = 0;
    for (size_t i = 0; i < r->receipts_count; i++)
        nlogs += r->receipts[i].logs_count;
    for (size_t i = 0; i < r->changes.count; i++)
        nslots += r->changes.accounts[i].slots_count;
    m->receipts = calloc(r->receipts_count + 1, sizeof *m->receipts);
    m->logs = calloc(nlogs + 1, sizeof *m->logs);
    m->changes = calloc(r->changes.count + 1, sizeof *m->changes);
    m->slots = calloc(nslots + 1, sizeof *m->slots);
    if (!m->receipts || !m->logs || !m->changes || !m->slots)
        abort();
    size_t li = 0;
    for (size_t i = 0; i < r->receipts_count; i++) {
        const pv_block_receipt *s = &r->receipts[i];
        parevm_receipt *d = &m->receipts[i];
        d->tx_type = s->tx_type;
        d->rejected = s->rejected ? pv_tx_error_name(s->rejected) : NULL;
        d->success = !s->rejected && s->status == PV_SUCCESS;
        d->gas_used = s->gas_used;
        d->cumulative_gas_used = s->cumulative_gas_used;
        memcpy(d->bloom, s->bloom, 256);
        d->has_contract_address = s->has_contract_address;
        memcpy(d->contract_address, s->contract_address.b, 20);
        d->logs = m->logs + li;
        d->logs_count = s->logs_count;
        for (size_t j = 0; j < s->logs_count; j++, li++) {
            memcpy(m->logs[li].address, s->logs[j].address.b, 20);
            m->logs[li].topics = (const uint8_t(*)[32])s->logs[j].topics;
            m->logs[li].topics_count = s->logs[j].topics_count;
            m->logs[li].data = s->logs[j].data;
            m->logs[li].data_size = s->logs[j].data_size;
        }
    }
    size_t si = 0;
    for (size_t i = 0; i < r->changes.count; i++) {
        const pv_account_change *s = &r->changes.accounts[i];
        parevm_account_change *d = &m->changes[i];
        memcpy(d->address, s->address.b, 20);
        d->exists = s->exists;
        d->storage_reset = s->storage_reset;
        d->nonce = s->nonce;
        u256_to_be(&s->balance, d->balance);
        memcpy(d->code_hash, s->code ? s->code->hash.b : PV_EMPTY_CODE_HASH.b, 32);
        d->code = s->code ? s->code->bytes : NULL;
        d->code_size = s->code ? s->code->size : 0;
        d->slots = m->slots + si;
        d->slots_count = s->slots_count;
        for (size_t j = 0; j < s->slots_count; j++, si++) {
            u256_to_be(&s->slots[j].key, m->slots[si].key);
            u256_to_be(&s->slots[j].value, m->slots[si].value);
        }
    }
    out->receipts = m->receipts;
    out->receipts_count = r->receipts_count;
    out->gas_used = r->gas_used;
    memcpy(out->logs_bloom, r->logs_bloom, 256);
    out->receipts_root_known = r->receipts_root_known;
    memcpy(out->receipts_root, r->receipts_root.b, 32);
    out->changes = m->changes;
    out->changes_count = r->changes.count;
    out->uncle_rewards_missing = r->uncle_rewards_missing;
    out->internal_ = m;
}

int parevm_execute_block(const parevm_block_env *env, parevm_tx *const *txs, size_t txs_count,
                         const parevm_state_provider *pre, const parevm_options *options,
                         parevm_block_result *out)
{
    if (!out)
        return -1;
    memset(out, 0, sizeof *out);
    if (!env || (!txs && txs_count) || !pre || !pre->get_account || !pre->get_storage ||
        (unsigned)env->fork > PAREVM_CANCUN || (env->withdrawals_count && !env->withdrawals) ||
        (env->uncles_count && !env->uncles))
        return -1;
    for (size_t i = 0; i < txs_count; i++)
        if (!txs[i])
            return -1;
    double t0 = pv_now_ms();

    pv_block b;
    memset(&b, 0, sizeof b);
    b.fork = (pv_fork)env->fork;
    env_hash_ctx hctx = {env};
    pv_block_env *e = &b.env;
    memcpy(e->coinbase.b, env->coinbase, 20);
    e->number = (int64_t)env->number;
    e->timestamp = (int64_t)env->timestamp;
    e->gas_limit = env->gas_limit;
    u256_from_be(&e->difficulty, env->difficulty, 32);
    u256_from_be(&e->prev_randao, env->prev_randao, 32);
    if (b.fork < PV_PARIS)
        e->prev_randao = e->difficulty;
    u256_from_be(&e->base_fee, env->base_fee, 32);
    e->excess_blob_gas = env->excess_blob_gas;
    e->chain_id = u256_from_u64(env->chain_id);
    e->block_hash = env_block_hash;
    e->block_hash_ctx = &hctx;
    b.has_parent_beacon_root = env->has_parent_beacon_root;
    memcpy(b.parent_beacon_root.b, env->parent_beacon_root, 32);
    pv_withdrawal *wds = calloc(env->withdrawals_count + 1, sizeof *wds);
    pv_uncle *uncles = calloc(env->uncles_count + 1, sizeof *uncles);
    pv_tx *ptxs = calloc(txs_count + 1, sizeof *ptxs);
    if (!wds || !uncles || !ptxs)
        abort();
    for (size_t i = 0; i < env->withdrawals_count; i++) {
        wds[i].index = env->withdrawals[i].index;
        wds[i].validator_index = env->withdrawals[i].validator_index;
        memcpy(wds[i].address.b, env->withdrawals[i].address, 20);
        wds[i].amount_gwei = env->withdrawals[i].amount_gwei;
    }
    for (size_t i = 0; i < env->uncles_count; i++) {
        uncles[i].number = (int64_t)env->uncles[i].number;
        memcpy(uncles[i].miner.b, env->uncles[i].miner, 20);
    }
    for (size_t i = 0; i < txs_count; i++)
        ptxs[i] = txs[i]->stx.tx;
    b.has_withdrawals = env->has_withdrawals;
    b.withdrawals = wds;
    b.withdrawals_count = env->withdrawals_count;
    b.uncles = uncles;
    b.uncles_count = env->uncles_count;
    b.uncles_unknown = env->uncles_without_header;
    b.txs = ptxs;
    b.txs_count = txs_count;

    provider_source psrc;
    memset(&psrc, 0, sizeof psrc);
    psrc.base.fn = &provider_fn;
    psrc.p = pre;
    /* Parallel incarnations read the same locations many times: cache the provider's answers. */
    pv_cached_source *cache = pv_cached_source_new(&psrc.base, 0);
    result_memory *m = calloc(1, sizeof *m);
    if (!m)
        abort();
    pv_parallel_options popt = {
        .threads = options ? options->threads : 0,
        .policy = options && options->skip_invalid_txs ? PV_INVALID_TX_SKIP : PV_INVALID_TX_ABORT,
    };
    pv_parallel_stats st;
    pv_execute_block_auto(pv_cached_source_base(cache), &b, &popt, &m->r, &st);
    pv_cached_source_free(cache);
    free(wds);
    free(uncles);
    free(ptxs);
    export_result(m, out);
    out->stats.threads = st.threads;
    out->stats.sequential_fallback = st.sequential_fallback;
    snprintf(out->stats.fallback_reason, sizeof out->stats.fallback_reason, "%s", st.fallback_reason);
    out->stats.executions = st.executions;
    out->stats.reexecutions = st.reexecutions;
    out->stats.validations = st.validations;
    out->stats.aborts = st.aborts;
    out->stats.dependency_waits = st.dependency_waits;
    out->stats.execute_ms = pv_now_ms() - t0;
    return 0;
}

void parevm_block_result_free(parevm_block_result *r)
{
    if (!r)
        return;
    result_memory *m = r->internal_;
    if (m) {
        pv_block_result_free(&m->r);
        free(m->receipts);
        free(m->logs);
        free(m->changes);
        free(m->slots);
        free(m);
    }
    memset(r, 0, sizeof *r);
}

typedef struct executor_call {
    void (*fn)(void *);
    void *arg;
} executor_call;

static void *executor_call_main(void *p)
{
    executor_call *c = p;
    c->fn(c->arg);
    return NULL;
}

void parevm_run_on_executor_thread(void (*fn)(void *arg), void *arg)
{
    executor_call c = {fn, arg};
    void *p = &c;
    pv_pool_run_long(executor_call_main, &p, 1);
}
