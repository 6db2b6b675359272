/* Transaction execution: validation, gas purchase, the message, refunds and fees. */
#include "transition.h"

#include <stdlib.h>

#include "../evm/precompiles.h"
#include "../util/keccak.h"
#include "../util/rlp.h"
#include "host_impl.h"

#define GAS_PER_BLOB 131072
#define MAX_BLOBS 6
#define MAX_INITCODE_SIZE 49152

const char *pv_tx_error_name(pv_tx_error e)
{
    static const char *const names[PV_TX_ERROR_COUNT] = {
        "valid", "TYPE_NOT_SUPPORTED", "NONCE_TOO_LOW", "NONCE_TOO_HIGH", "NONCE_IS_MAX",
        "GAS_LIMIT_EXCEEDS_BLOCK", "INTRINSIC_GAS_TOO_LOW", "INSUFFICIENT_ACCOUNT_FUNDS",
        "INSUFFICIENT_MAX_FEE_PER_GAS", "PRIORITY_GREATER_THAN_MAX_FEE_PER_GAS", "FEE_OVERFLOW",
        "SENDER_NOT_EOA", "INITCODE_SIZE_EXCEEDED", "TYPE_3_TX_CONTRACT_CREATION",
        "TYPE_3_TX_BLOB_COUNT", "TYPE_3_TX_INVALID_BLOB_VERSIONED_HASH",
        "INSUFFICIENT_MAX_FEE_PER_BLOB_GAS",
    };
    return (unsigned)e < PV_TX_ERROR_COUNT ? names[e] : "unknown";
}

void pv_log_payload_free(pv_log *l)
{
    free(l->topics_count ? (void *)l->topics : (void *)l->data);
}

void pv_receipt_free(pv_receipt *r)
{
    for (size_t i = 0; i < r->logs_count; i++)
        pv_log_payload_free(&r->logs[i]);
    free(r->logs);
    r->logs = NULL;
    r->logs_count = 0;
}

static u256 blob_base_fee_uncached(uint64_t excess_blob_gas)
{
    /* fake_exponential(1, excess, 3338477) */
    const u256 denominator = u256_from_u64(3338477);
    u256 numerator = u256_from_u64(excess_blob_gas);
    u256 output = u256_zero(), accum = denominator;
    for (uint64_t i = 1; !u256_is_zero(&accum); i++) {
        u256_add(&output, &output, &accum);
        u256 d = u256_from_u64(i), div;
        u256_mul(&accum, &accum, &numerator);
        u256_mul(&div, &denominator, &d);
        u256_div(&accum, &accum, &div);
    }
    u256_div(&output, &output, &denominator);
    return output;
}

/* Every transaction asks for it (its validity and its fee): a series of 256-bit divisions was 3%
 * of a block of plain transfers. One entry per thread: a block's transactions share the value. */
u256 pv_blob_base_fee(uint64_t excess_blob_gas)
{
    static _Thread_local bool known;
    static _Thread_local uint64_t known_excess;
    static _Thread_local u256 known_fee;
    if (!known || known_excess != excess_blob_gas) {
        known_fee = blob_base_fee_uncached(excess_blob_gas);
        known_excess = excess_blob_gas;
        known = true;
    }
    return known_fee;
}

pv_bytes32 pv_logs_hash(const pv_log *logs, size_t n)
{
    pv_buf b;
    pv_buf_init(&b);
    size_t outer = pv_rlp_list_begin(&b);
    for (size_t i = 0; i < n; i++) {
        size_t l = pv_rlp_list_begin(&b);
        pv_rlp_put_bytes(&b, logs[i].address.b, 20);
        size_t t = pv_rlp_list_begin(&b);
        for (size_t j = 0; j < logs[i].topics_count; j++)
            pv_rlp_put_bytes(&b, logs[i].topics[j].b, 32);
        pv_rlp_list_end(&b, t);
        pv_rlp_put_bytes(&b, logs[i].data, logs[i].data_size);
        pv_rlp_list_end(&b, l);
    }
    pv_rlp_list_end(&b, outer);
    pv_bytes32 h;
    pv_keccak256(b.data, b.len, h.b);
    pv_buf_free(&b);
    return h;
}

uint64_t pv_tx_intrinsic_gas(const pv_tx *tx, pv_fork fork)
{
    uint64_t g = 21000;
    if (tx->is_create && fork >= PV_HOMESTEAD)
        g += 32000;
    uint64_t nonzero_cost = fork >= PV_ISTANBUL ? 16 : 68;
    for (size_t i = 0; i < tx->data_size; i++)
        g += tx->data[i] ? nonzero_cost : 4;
    for (size_t i = 0; i < tx->access_list_count; i++)
        g += 2400 + 1900 * (uint64_t)tx->access_list[i].keys_count;
    if (tx->is_create && fork >= PV_SHANGHAI)
        g += 2 * ((tx->data_size + 31) / 32);
    return g;
}

static bool add_checked(u256 *r, const u256 *a, const u256 *b)
{
    u256 s;
    u256_add(&s, a, b);
    if (u256_lt(&s, a))
        return false;
    *r = s;
    return true;
}

static pv_tx_error validate(pv_state *st, const pv_block_env *env, pv_fork fork, const pv_tx *tx,
                            uint64_t block_gas_used, u256 *effective_price, u256 *blob_base_fee)
{
    if ((tx->type == 1 && fork < PV_BERLIN) || (tx->type == 2 && fork < PV_LONDON) ||
        (tx->type == 3 && fork < PV_CANCUN) || tx->type > 3)
        return PV_TX_TYPE_NOT_SUPPORTED;
    *blob_base_fee = fork >= PV_CANCUN ? pv_blob_base_fee(env->excess_blob_gas) : u256_zero();
    if (tx->type == 3) {
        if (tx->is_create)
            return PV_TX_BLOB_CREATE;
        if (tx->blob_hashes_count == 0 || tx->blob_hashes_count > MAX_BLOBS)
            return PV_TX_BLOB_COUNT;
        for (size_t i = 0; i < tx->blob_hashes_count; i++)
            if (tx->blob_hashes[i].b[0] != 0x01)
                return PV_TX_BLOB_VERSIONED_HASH;
    }
    uint64_t nonce = pv_st_nonce(st, &tx->sender);
    if (nonce == UINT64_MAX)
        return PV_TX_NONCE_MAX;
    if (tx->nonce < nonce)
        return PV_TX_NONCE_TOO_LOW;
    if (tx->nonce > nonce)
        return PV_TX_NONCE_TOO_HIGH;
    if (pv_st_code(st, &tx->sender) != NULL)
        return PV_TX_SENDER_NOT_EOA;

    const bool dynamic = tx->type >= 2;
    const u256 *max_price = dynamic ? &tx->max_fee_per_gas : &tx->gas_price;
    if (fork >= PV_LONDON) {
        if (dynamic && u256_lt(&tx->max_fee_per_gas, &tx->max_priority_fee_per_gas))
            return PV_TX_PRIORITY_FEE_ABOVE_FEE_CAP;
        if (u256_lt(max_price, &env->base_fee))
            return PV_TX_FEE_CAP_BELOW_BASE_FEE;
    }
    if (dynamic) {
        u256 sum;
        if (!add_checked(&sum, &env->base_fee, &tx->max_priority_fee_per_gas))
            sum = tx->max_fee_per_gas;
        *effective_price = u256_lt(&tx->max_fee_per_gas, &sum) ? tx->max_fee_per_gas : sum;
    } else {
        *effective_price = tx->gas_price;
    }

    if (tx->gas_limit > env->gas_limit || tx->gas_limit > env->gas_limit - block_gas_used)
        return PV_TX_GAS_LIMIT_EXCEEDS_BLOCK;

    /* Balance must cover gas_limit * max price + value (+ max blob fee). */
    u256 cost;
    if (!u256_mul_u64(&cost, max_price, tx->gas_limit) || !add_checked(&cost, &cost, &tx->value))
        return PV_TX_INSUFFICIENT_FUNDS;
    if (tx->type == 3) {
        u256 blob_cost;
        if (!u256_mul_u64(&blob_cost, &tx->max_fee_per_blob_gas, (uint64_t)GAS_PER_BLOB * tx->blob_hashes_count) ||
            !add_checked(&cost, &cost, &blob_cost))
            return PV_TX_INSUFFICIENT_FUNDS;
    }
    if (!pv_st_balance_at_least(st, &tx->sender, &cost))
        return PV_TX_INSUFFICIENT_FUNDS;

    if (pv_tx_intrinsic_gas(tx, fork) > tx->gas_limit)
        return PV_TX_INTRINSIC_GAS;
    if (tx->is_create && fork >= PV_SHANGHAI && tx->data_size > MAX_INITCODE_SIZE)
        return PV_TX_INITCODE_TOO_LARGE;
    if (tx->type == 3 && u256_lt(&tx->max_fee_per_blob_gas, blob_base_fee))
        return PV_TX_BLOB_FEE_CAP_TOO_LOW;
    return PV_TX_VALID;
}

pv_tx_error pv_transact(pv_state *st, const pv_block_env *env, pv_fork fork, const pv_tx *tx,
                        uint64_t block_gas_used, pv_receipt *receipt)
{
    memset(receipt, 0, sizeof *receipt);
    u256 price, blob_base_fee;
    pv_tx_error err = validate(st, env, fork, tx, block_gas_used, &price, &blob_base_fee);
    if (err != PV_TX_VALID)
        return err;

    /* Buy gas. */
    u256 upfront;
    u256_mul_u64(&upfront, &price, tx->gas_limit); /* fits: below the balance checked above */
    if (tx->type == 3) {
        u256 blob_fee;
        u256_mul_u64(&blob_fee, &blob_base_fee, (uint64_t)GAS_PER_BLOB * tx->blob_hashes_count);
        u256_add(&upfront, &upfront, &blob_fee);
    }
    pv_st_sub_balance(st, &tx->sender, &upfront);
    if (!tx->is_create)
        pv_st_set_nonce(st, &tx->sender, tx->nonce + 1);

    pv_state_host host;
    pv_state_host_init(&host, st, fork, env);
    pv_tx_context *ctx = &host.ctx;
    ctx->gas_price = price;
    ctx->origin = tx->sender;
    ctx->coinbase = env->coinbase;
    ctx->number = env->number;
    ctx->timestamp = env->timestamp;
    ctx->gas_limit = (int64_t)env->gas_limit;
    ctx->prev_randao = fork >= PV_PARIS ? env->prev_randao : env->difficulty;
    ctx->chain_id = env->chain_id;
    ctx->base_fee = env->base_fee;
    ctx->blob_base_fee = blob_base_fee;
    ctx->blob_hashes = tx->blob_hashes;
    ctx->blob_hashes_count = tx->blob_hashes_count;

    if (fork >= PV_BERLIN) {
        pv_st_access_account(st, &tx->sender);
        if (!tx->is_create)
            pv_st_access_account(st, &tx->to);
        /* Precompiles are warm too: the host answers that without state records (h_access_account),
         * so that a transaction does not read ten accounts it never uses. */
        for (size_t i = 0; i < tx->access_list_count; i++) {
            const pv_access_entry *e = &tx->access_list[i];
            pv_st_access_account(st, &e->address);
            for (size_t k = 0; k < e->keys_count; k++)
                pv_st_access_slot(st, &e->address, &e->keys[k]);
        }
        if (fork >= PV_SHANGHAI)
            pv_st_access_account(st, &env->coinbase);
    }

    pv_message msg;
    memset(&msg, 0, sizeof msg);
    msg.gas = (int64_t)(tx->gas_limit - pv_tx_intrinsic_gas(tx, fork));
    msg.sender = tx->sender;
    msg.value = tx->value;
    msg.input = tx->data;
    msg.input_size = tx->data_size;
    pv_result r;
    if (tx->is_create) {
        msg.kind = PV_CREATE;
        r = pv_host_create(&host, &msg, false);
    } else {
        msg.kind = PV_CALL;
        msg.recipient = tx->to;
        msg.code_address = tx->to;
        r = host.base.fn->call(&host.base, &msg);
    }
    free(r.output);

    uint64_t gas_left = (uint64_t)r.gas_left;
    uint64_t gas_used = tx->gas_limit - gas_left;
    int64_t refund = r.status == PV_SUCCESS ? r.gas_refund : 0;
    if (refund < 0)
        refund = 0;
    uint64_t max_refund = gas_used / (fork >= PV_LONDON ? 5 : 2);
    if ((uint64_t)refund > max_refund)
        refund = (int64_t)max_refund;
    gas_used -= (uint64_t)refund;
    gas_left += (uint64_t)refund;

    u256 amount;
    u256_mul_u64(&amount, &price, gas_left);
    pv_st_add_balance(st, &tx->sender, &amount);
    u256 tip = price;
    if (fork >= PV_LONDON)
        u256_sub(&tip, &price, &env->base_fee);
    u256_mul_u64(&amount, &tip, gas_used);
    pv_st_add_balance(st, &env->coinbase, &amount);

    pv_st_end_tx(st, fork >= PV_SPURIOUS_DRAGON, &receipt->logs, &receipt->logs_count);
    receipt->status = r.status;
    receipt->gas_used = gas_used;
    if (r.status == PV_SUCCESS && tx->is_create)
        receipt->contract_address = r.create_address;
    return PV_TX_VALID;
}
