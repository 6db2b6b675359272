/* The sequential host: nested calls and creates with every fork's rules, over pv_state. */
#include "host_impl.h"

#include <stdlib.h>

#include "../evm/interp.h"
#include "../evm/precompiles.h"
#include "../util/keccak.h"
#include "../util/rlp.h"

#define MAX_DEPTH 1024
#define MAX_CODE_SIZE 24576

static pv_state_host *H(pv_host *h) { return (pv_state_host *)h; }

static bool h_account_exists(pv_host *h, const pv_address *a)
{
    pv_state_host *x = H(h);
    return x->fork < PV_SPURIOUS_DRAGON ? pv_st_exists(x->st, a) : !pv_st_is_empty(x->st, a);
}

static u256 h_get_storage(pv_host *h, const pv_address *a, const u256 *k)
{
    return pv_st_get_storage(H(h)->st, a, k);
}

static void h_set_storage(pv_host *h, const pv_address *a, const u256 *k, const u256 *v, u256 *orig, u256 *cur)
{
    pv_st_set_storage(H(h)->st, a, k, v, orig, cur);
}

static u256 h_get_balance(pv_host *h, const pv_address *a) { return pv_st_balance(H(h)->st, a); }

static size_t h_get_code_size(pv_host *h, const pv_address *a)
{
    const pv_code *c = pv_st_code(H(h)->st, a);
    return c ? c->size : 0;
}

static pv_bytes32 h_get_code_hash(pv_host *h, const pv_address *a)
{
    pv_state_host *x = H(h);
    pv_bytes32 zero = {{0}};
    if (!pv_st_exists(x->st, a))
        return zero;
    if (x->fork >= PV_SPURIOUS_DRAGON && pv_st_is_empty(x->st, a))
        return zero;
    const pv_code *c = pv_st_code(x->st, a);
    return c ? c->hash : PV_EMPTY_CODE_HASH;
}

static const uint8_t *h_get_code(pv_host *h, const pv_address *a, size_t *size)
{
    const pv_code *c = pv_st_code(H(h)->st, a);
    *size = c ? c->size : 0;
    return c ? c->bytes : NULL;
}

static bool h_selfdestruct(pv_host *h, const pv_address *addr, const pv_address *beneficiary)
{
    pv_state_host *x = H(h);
    u256 bal = pv_st_balance(x->st, addr);
    if (x->fork >= PV_CANCUN && !pv_st_created_in_tx(x->st, addr)) {
        /* EIP-6780: only the balance moves. */
        if (!pv_address_eq(addr, beneficiary)) {
            pv_st_sub_balance(x->st, addr, &bal);
            pv_st_add_balance(x->st, beneficiary, &bal);
        }
        return false;
    }
    pv_st_add_balance(x->st, beneficiary, &bal);
    u256 zero = u256_zero();
    pv_st_set_balance(x->st, addr, &zero);
    return pv_st_mark_selfdestruct(x->st, addr);
}

static pv_result h_call(pv_host *h, const pv_message *msg);

static const pv_tx_context *h_get_tx_context(pv_host *h) { return &H(h)->ctx; }

static pv_bytes32 h_get_block_hash(pv_host *h, int64_t number)
{
    const pv_block_env *env = H(h)->env;
    pv_bytes32 zero = {{0}};
    return env->block_hash ? env->block_hash(env->block_hash_ctx, number) : zero;
}

static void h_emit_log(pv_host *h, const pv_address *a, const uint8_t *d, size_t n, const pv_bytes32 *t, size_t nt)
{
    pv_st_add_log(H(h)->st, a, d, n, t, nt);
}

static bool h_access_account(pv_host *h, const pv_address *a)
{
    /* EIP-2929: precompiles are always warm (access_account is only asked from Berlin on). */
    if (pv_precompile_id(a, H(h)->fork))
        return true;
    return pv_st_access_account(H(h)->st, a);
}
static bool h_access_storage(pv_host *h, const pv_address *a, const u256 *k) { return pv_st_access_slot(H(h)->st, a, k); }
static u256 h_get_transient(pv_host *h, const pv_address *a, const u256 *k) { return pv_st_get_transient(H(h)->st, a, k); }
static void h_set_transient(pv_host *h, const pv_address *a, const u256 *k, const u256 *v) { pv_st_set_transient(H(h)->st, a, k, v); }

static const pv_host_interface state_host_fn = {
    h_account_exists, h_get_storage, h_set_storage, h_get_balance, h_get_code_size,
    h_get_code_hash, h_get_code, h_selfdestruct, h_call, h_get_tx_context, h_get_block_hash,
    h_emit_log, h_access_account, h_access_storage, h_get_transient, h_set_transient,
};

void pv_state_host_init(pv_state_host *h, pv_state *st, pv_fork fork, const pv_block_env *env)
{
    memset(h, 0, sizeof *h);
    h->base.fn = &state_host_fn;
    h->st = st;
    h->fork = fork;
    h->env = env;
    h->base.halt = pv_state_halt_flag(st);
}

static pv_result fail_result(pv_status st, int64_t gas_left)
{
    pv_result r;
    memset(&r, 0, sizeof r);
    r.status = st;
    r.gas_left = gas_left;
    return r;
}

/* Discards a failed frame's effects: revert, and exceptional halts consume all gas. */
static void finish_frame(pv_state_host *x, size_t snap, pv_result *r)
{
    if (r->status == PV_SUCCESS)
        return;
    pv_st_revert(x->st, snap);
    r->gas_refund = 0;
    if (r->status != PV_REVERT) {
        r->gas_left = 0;
        free(r->output);
        r->output = NULL;
        r->output_size = 0;
    }
}

static pv_result h_call(pv_host *h, const pv_message *msg)
{
    pv_state_host *x = H(h);
    if (msg->kind == PV_CREATE || msg->kind == PV_CREATE2)
        return pv_host_create(x, msg, true);

    size_t snap = pv_st_snapshot(x->st);
    int pc = pv_precompile_id(&msg->code_address, x->fork);
    if (msg->kind == PV_CALL) {
        if (msg->is_static && u256_is_zero(&msg->value)) {
            /* STATICCALL (or a zero-value call inside one): geth touches the target. */
            u256 zero = u256_zero();
            if (!pv_st_exists(x->st, &msg->recipient) && x->fork >= PV_SPURIOUS_DRAGON && !pc) {
                /* nothing exists, nothing to run */
                return fail_result(PV_SUCCESS, msg->gas);
            }
            pv_st_add_balance(x->st, &msg->recipient, &zero);
        } else {
            if (!pv_st_exists(x->st, &msg->recipient) && x->fork >= PV_SPURIOUS_DRAGON &&
                u256_is_zero(&msg->value) && !pc)
                return fail_result(PV_SUCCESS, msg->gas);
            if (!u256_is_zero(&msg->value))
                pv_st_sub_balance(x->st, &msg->sender, &msg->value);
            pv_st_add_balance(x->st, &msg->recipient, &msg->value);
        }
    }

    pv_result r;
    if (pc) {
        pv_precompile_result p = pv_precompile_run(pc, msg->input, msg->input_size, msg->gas, x->fork);
        memset(&r, 0, sizeof r);
        if (p.ok) {
            r.status = PV_SUCCESS;
            r.gas_left = msg->gas - p.gas_used;
            r.output = p.output;
            r.output_size = p.output_size;
        } else {
            free(p.output);
            r.status = PV_PRECOMPILE_FAILURE;
        }
    } else {
        const pv_code *code = pv_st_code(x->st, &msg->code_address);
        if (!code)
            return fail_result(PV_SUCCESS, msg->gas);
        r = pv_execute(h, x->fork, msg, code);
    }
    finish_frame(x, snap, &r);
    return r;
}

pv_address pv_create_address(const pv_address *sender, uint64_t nonce)
{
    pv_buf b;
    pv_buf_init(&b);
    size_t start = pv_rlp_list_begin(&b);
    pv_rlp_put_bytes(&b, sender->b, 20);
    pv_rlp_put_u64(&b, nonce);
    pv_rlp_list_end(&b, start);
    uint8_t h[32];
    pv_keccak256(b.data, b.len, h);
    pv_buf_free(&b);
    pv_address a;
    memcpy(a.b, h + 12, 20);
    return a;
}

pv_address pv_create2_address(const pv_address *sender, const u256 *salt, const uint8_t *code, size_t n)
{
    uint8_t buf[1 + 20 + 32 + 32];
    buf[0] = 0xff;
    memcpy(buf + 1, sender->b, 20);
    u256_to_be(salt, buf + 21);
    pv_keccak256(code, n, buf + 53);
    uint8_t h[32];
    pv_keccak256(buf, sizeof buf, h);
    pv_address a;
    memcpy(a.b, h + 12, 20);
    return a;
}

pv_result pv_host_create(pv_state_host *x, const pv_message *msg, bool check_caller)
{
    pv_state *st = x->st;
    uint64_t nonce = pv_st_nonce(st, &msg->sender);
    pv_address addr = msg->kind == PV_CREATE2
                          ? pv_create2_address(&msg->sender, &msg->create2_salt, msg->input, msg->input_size)
                          : pv_create_address(&msg->sender, nonce);
    if (x->fork >= PV_BERLIN)
        pv_st_access_account(st, &addr);
    if (check_caller) {
        if (msg->depth > MAX_DEPTH)
            return fail_result(PV_CALL_DEPTH_EXCEEDED, msg->gas);
        u256 bal = pv_st_balance(st, &msg->sender);
        if (u256_lt(&bal, &msg->value))
            return fail_result(PV_INSUFFICIENT_BALANCE, msg->gas);
        if (nonce == UINT64_MAX)
            return fail_result(PV_INSUFFICIENT_BALANCE, msg->gas);
    }
    pv_st_set_nonce(st, &msg->sender, nonce + 1);
    if (pv_st_nonce(st, &addr) != 0 || pv_st_code(st, &addr) != NULL || pv_st_has_storage(st, &addr))
        return fail_result(PV_CREATE_COLLISION, 0);

    size_t snap = pv_st_snapshot(st);
    pv_st_create_account(st, &addr);
    if (x->fork >= PV_SPURIOUS_DRAGON)
        pv_st_set_nonce(st, &addr, 1);
    if (!u256_is_zero(&msg->value))
        pv_st_sub_balance(st, &msg->sender, &msg->value);
    pv_st_add_balance(st, &addr, &msg->value);

    pv_message m = *msg;
    m.recipient = addr;
    m.code_address = addr;
    m.input = NULL;         /* initcode runs with empty calldata */
    m.input_size = 0;
    pv_code *init = pv_code_new(msg->input, msg->input_size);
    pv_result r = pv_execute(&x->base, x->fork, &m, init);
    pv_code_free(init);

    if (r.status == PV_SUCCESS) {
        size_t n = r.output_size;
        int64_t deposit = 200 * (int64_t)n;
        if (x->fork >= PV_SPURIOUS_DRAGON && n > MAX_CODE_SIZE) {
            r.status = PV_CONTRACT_SIZE_LIMIT;
        } else if (x->fork >= PV_LONDON && n > 0 && r.output[0] == 0xef) {
            r.status = PV_INVALID_CODE_PREFIX;
        } else if (r.gas_left < deposit) {
            if (x->fork >= PV_HOMESTEAD)
                r.status = PV_OUT_OF_GAS;
            /* Frontier: the create succeeds without code. */
        } else {
            r.gas_left -= deposit;
            pv_st_set_code(st, &addr, r.output, n);
        }
        if (r.status == PV_SUCCESS) {
            free(r.output);
            r.output = NULL;
            r.output_size = 0;
            r.create_address = addr;
        }
    }
    finish_frame(x, snap, &r);
    return r;
}
