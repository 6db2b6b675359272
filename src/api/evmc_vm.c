/*
 * The EVMC VM: parevm's interpreter behind the EVMC 12 ABI (include/parevm_evmc.h). An adapter
 * implements parevm's host interface (src/evm/host.h) over the EVMC host the caller passes.
 */
#include "parevm_evmc.h"

#include <stdlib.h>
#include <string.h>

#include "../evm/code.h"
#include "../evm/host.h"
#include "../evm/interp.h"
#include "../util/arena.h"
#include "parevm.h"

_Static_assert(sizeof(evmc_bytes32) == sizeof(pv_bytes32), "32-byte words share a layout");
_Static_assert(sizeof(evmc_address) == sizeof(pv_address), "addresses share a layout");

typedef struct adapter {
    pv_host base;
    const struct evmc_host_interface *h;
    struct evmc_host_context *ctx;
    pv_fork fork;
    bool have_tx;
    pv_tx_context tx;
    pv_arena scratch;           /* code copies for EXTCODECOPY, until execute returns */
} adapter;

static adapter *A(pv_host *h) { return (adapter *)h; }

static u256 to_u256(const evmc_bytes32 *b)
{
    u256 r;
    u256_from_be(&r, b->bytes, 32);
    return r;
}

static evmc_bytes32 to_b32(const u256 *v)
{
    evmc_bytes32 b;
    u256_to_be(v, b.bytes);
    return b;
}

static const evmc_address *ea(const pv_address *a) { return (const evmc_address *)a; }

static bool a_account_exists(pv_host *h, const pv_address *addr)
{
    return A(h)->h->account_exists(A(h)->ctx, ea(addr));
}

static u256 a_get_storage(pv_host *h, const pv_address *addr, const u256 *key)
{
    evmc_bytes32 k = to_b32(key), v = A(h)->h->get_storage(A(h)->ctx, ea(addr), &k);
    return to_u256(&v);
}

/* A value other than v and not zero. */
static u256 other(const u256 *v)
{
    u256 r = *v;
    r.w[0] ^= 1;
    if (u256_is_zero(&r))
        r = u256_from_u64(2);
    return r;
}

/* EVMC reports the effect of a store as a status; the interpreter prices SSTORE from the
 * (original, current, new) triple. Each status names exactly one EIP-2200 case, so a triple with
 * the same zero/equality pattern prices it identically. */
static void a_set_storage(pv_host *h, const pv_address *addr, const u256 *key, const u256 *value, u256 *original,
                          u256 *current)
{
    evmc_bytes32 k = to_b32(key), v = to_b32(value);
    enum evmc_storage_status s = A(h)->h->set_storage(A(h)->ctx, ea(addr), &k, &v);
    u256 zero = u256_zero(), one = u256_from_u64(1), two = u256_from_u64(2);
    switch (s) {
    case EVMC_STORAGE_ADDED:              *original = zero, *current = zero; break;
    case EVMC_STORAGE_DELETED:            *original = one, *current = one; break;
    case EVMC_STORAGE_MODIFIED:           *original = other(value), *current = *original; break;
    case EVMC_STORAGE_DELETED_ADDED:      *original = other(value), *current = zero; break;
    case EVMC_STORAGE_MODIFIED_DELETED:   *original = one, *current = two; break;
    case EVMC_STORAGE_DELETED_RESTORED:   *original = *value, *current = zero; break;
    case EVMC_STORAGE_ADDED_DELETED:      *original = zero, *current = one; break;
    case EVMC_STORAGE_MODIFIED_RESTORED:  *original = *value, *current = other(value); break;
    case EVMC_STORAGE_ASSIGNED:
    default:                              *original = *value, *current = *value; break;
    }
}

static u256 a_get_balance(pv_host *h, const pv_address *addr)
{
    evmc_uint256be b = A(h)->h->get_balance(A(h)->ctx, ea(addr));
    return to_u256(&b);
}

static size_t a_get_code_size(pv_host *h, const pv_address *addr)
{
    return A(h)->h->get_code_size(A(h)->ctx, ea(addr));
}

static pv_bytes32 a_get_code_hash(pv_host *h, const pv_address *addr)
{
    evmc_bytes32 b = A(h)->h->get_code_hash(A(h)->ctx, ea(addr));
    pv_bytes32 r;
    memcpy(r.b, b.bytes, 32);
    return r;
}

static const uint8_t *a_get_code(pv_host *h, const pv_address *addr, size_t *size)
{
    adapter *x = A(h);
    size_t n = x->h->get_code_size(x->ctx, ea(addr));
    uint8_t *buf = pv_arena_alloc(&x->scratch, n ? n : 1);
    *size = n ? x->h->copy_code(x->ctx, ea(addr), 0, buf, n) : 0;
    return buf;
}

static bool a_selfdestruct(pv_host *h, const pv_address *addr, const pv_address *beneficiary)
{
    return A(h)->h->selfdestruct(A(h)->ctx, ea(addr), ea(beneficiary));
}

static pv_status status_from_evmc(enum evmc_status_code s)
{
    switch (s) {
    case EVMC_SUCCESS: return PV_SUCCESS;
    case EVMC_REVERT: return PV_REVERT;
    case EVMC_OUT_OF_GAS: return PV_OUT_OF_GAS;
    case EVMC_INVALID_INSTRUCTION:
    case EVMC_UNDEFINED_INSTRUCTION: return PV_INVALID_INSTRUCTION;
    case EVMC_STACK_OVERFLOW: return PV_STACK_OVERFLOW;
    case EVMC_STACK_UNDERFLOW: return PV_STACK_UNDERFLOW;
    case EVMC_BAD_JUMP_DESTINATION: return PV_BAD_JUMP_DESTINATION;
    case EVMC_INVALID_MEMORY_ACCESS: return PV_INVALID_MEMORY_ACCESS;
    case EVMC_CALL_DEPTH_EXCEEDED: return PV_CALL_DEPTH_EXCEEDED;
    case EVMC_STATIC_MODE_VIOLATION: return PV_STATIC_MODE_VIOLATION;
    case EVMC_PRECOMPILE_FAILURE: return PV_PRECOMPILE_FAILURE;
    case EVMC_INSUFFICIENT_BALANCE: return PV_INSUFFICIENT_BALANCE;
    case EVMC_CONTRACT_VALIDATION_FAILURE: return PV_INVALID_CODE_PREFIX;
    default: return s < 0 ? PV_INTERNAL_ERROR : PV_OUT_OF_GAS;
    }
}

static enum evmc_status_code status_to_evmc(pv_status s)
{
    switch (s) {
    case PV_SUCCESS: return EVMC_SUCCESS;
    case PV_REVERT: return EVMC_REVERT;
    case PV_OUT_OF_GAS: return EVMC_OUT_OF_GAS;
    case PV_INVALID_INSTRUCTION: return EVMC_INVALID_INSTRUCTION;
    case PV_STACK_UNDERFLOW: return EVMC_STACK_UNDERFLOW;
    case PV_STACK_OVERFLOW: return EVMC_STACK_OVERFLOW;
    case PV_BAD_JUMP_DESTINATION: return EVMC_BAD_JUMP_DESTINATION;
    case PV_INVALID_MEMORY_ACCESS: return EVMC_INVALID_MEMORY_ACCESS;
    case PV_STATIC_MODE_VIOLATION: return EVMC_STATIC_MODE_VIOLATION;
    case PV_CALL_DEPTH_EXCEEDED: return EVMC_CALL_DEPTH_EXCEEDED;
    case PV_INSUFFICIENT_BALANCE: return EVMC_INSUFFICIENT_BALANCE;
    case PV_PRECOMPILE_FAILURE: return EVMC_PRECOMPILE_FAILURE;
    case PV_INVALID_CODE_PREFIX: return EVMC_CONTRACT_VALIDATION_FAILURE;
    case PV_INTERNAL_ERROR: return EVMC_INTERNAL_ERROR;
    default: return EVMC_FAILURE;
    }
}

static pv_result a_call(pv_host *h, const pv_message *m)
{
    adapter *x = A(h);
    pv_result r;
    memset(&r, 0, sizeof r);
    /* parevm's host checks creates (depth, balance) itself; an EVMC host expects the VM to. */
    if (m->kind == PV_CREATE || m->kind == PV_CREATE2) {
        u256 bal = a_get_balance(h, &m->sender);
        if (m->depth > 1024 || u256_lt(&bal, &m->value)) {
            r.status = m->depth > 1024 ? PV_CALL_DEPTH_EXCEEDED : PV_INSUFFICIENT_BALANCE;
            r.gas_left = m->gas;
            return r;
        }
    }
    struct evmc_message em;
    memset(&em, 0, sizeof em);
    static const enum evmc_call_kind kinds[] = {EVMC_CALL, EVMC_DELEGATECALL, EVMC_CALLCODE, EVMC_CREATE, EVMC_CREATE2};
    em.kind = kinds[m->kind];
    em.flags = m->is_static ? EVMC_STATIC : 0;
    em.depth = m->depth;
    em.gas = m->gas;
    memcpy(em.recipient.bytes, m->recipient.b, 20);
    memcpy(em.sender.bytes, m->sender.b, 20);
    memcpy(em.code_address.bytes, m->code_address.b, 20);
    em.input_data = m->input;
    em.input_size = m->input_size;
    em.value = to_b32(&m->value);
    em.create2_salt = to_b32(&m->create2_salt);
    struct evmc_result er = x->h->call(x->ctx, &em);
    r.status = status_from_evmc(er.status_code);
    r.gas_left = er.gas_left;
    r.gas_refund = er.gas_refund;
    if (er.output_size) {
        r.output = malloc(er.output_size);
        if (!r.output)
            abort();
        memcpy(r.output, er.output_data, er.output_size);
        r.output_size = er.output_size;
    }
    memcpy(r.create_address.b, er.create_address.bytes, 20);
    if (er.release)
        er.release(&er);
    return r;
}

static const pv_tx_context *a_get_tx_context(pv_host *h)
{
    adapter *x = A(h);
    if (!x->have_tx) {
        struct evmc_tx_context t = x->h->get_tx_context(x->ctx);
        x->tx.gas_price = to_u256(&t.tx_gas_price);
        memcpy(x->tx.origin.b, t.tx_origin.bytes, 20);
        memcpy(x->tx.coinbase.b, t.block_coinbase.bytes, 20);
        x->tx.number = t.block_number;
        x->tx.timestamp = t.block_timestamp;
        x->tx.gas_limit = t.block_gas_limit;
        x->tx.prev_randao = to_u256(&t.block_prev_randao);
        x->tx.chain_id = to_u256(&t.chain_id);
        x->tx.base_fee = to_u256(&t.block_base_fee);
        x->tx.blob_base_fee = to_u256(&t.blob_base_fee);
        x->tx.blob_hashes = (const pv_bytes32 *)t.blob_hashes;
        x->tx.blob_hashes_count = t.blob_hashes_count;
        x->have_tx = true;
    }
    return &x->tx;
}

static pv_bytes32 a_get_block_hash(pv_host *h, int64_t number)
{
    evmc_bytes32 b = A(h)->h->get_block_hash(A(h)->ctx, number);
    pv_bytes32 r;
    memcpy(r.b, b.bytes, 32);
    return r;
}

static void a_emit_log(pv_host *h, const pv_address *addr, const uint8_t *data, size_t size, const pv_bytes32 *topics,
                       size_t n)
{
    A(h)->h->emit_log(A(h)->ctx, ea(addr), data, size, (const evmc_bytes32 *)topics, n);
}

static bool a_access_account(pv_host *h, const pv_address *addr)
{
    return A(h)->h->access_account(A(h)->ctx, ea(addr)) == EVMC_ACCESS_WARM;
}

static bool a_access_storage(pv_host *h, const pv_address *addr, const u256 *key)
{
    evmc_bytes32 k = to_b32(key);
    return A(h)->h->access_storage(A(h)->ctx, ea(addr), &k) == EVMC_ACCESS_WARM;
}

static u256 a_get_transient(pv_host *h, const pv_address *addr, const u256 *key)
{
    evmc_bytes32 k = to_b32(key), v = A(h)->h->get_transient_storage(A(h)->ctx, ea(addr), &k);
    return to_u256(&v);
}

static void a_set_transient(pv_host *h, const pv_address *addr, const u256 *key, const u256 *value)
{
    evmc_bytes32 k = to_b32(key), v = to_b32(value);
    A(h)->h->set_transient_storage(A(h)->ctx, ea(addr), &k, &v);
}

static const pv_host_interface adapter_fn = {
    a_account_exists, a_get_storage, a_set_storage, a_get_balance, a_get_code_size, a_get_code_hash,
    a_get_code, a_selfdestruct, a_call, a_get_tx_context, a_get_block_hash, a_emit_log,
    a_access_account, a_access_storage, a_get_transient, a_set_transient,
};

static void release_output(const struct evmc_result *r) { free((void *)r->output_data); }

static struct evmc_result vm_execute(struct evmc_vm *vm, const struct evmc_host_interface *host,
                                     struct evmc_host_context *context, enum evmc_revision rev,
                                     const struct evmc_message *msg, const uint8_t *code, size_t code_size)
{
    (void)vm;
    struct evmc_result out;
    memset(&out, 0, sizeof out);
    if ((unsigned)rev > EVMC_CANCUN || !msg || (!code && code_size)) {
        out.status_code = EVMC_REJECTED;
        return out;
    }
    adapter x;
    memset(&x, 0, sizeof x);
    x.base.fn = &adapter_fn;
    x.h = host;
    x.ctx = context;
    x.fork = (pv_fork)rev;
    pv_message m;
    memset(&m, 0, sizeof m);
    static const pv_call_kind kinds[] = {PV_CALL, PV_DELEGATECALL, PV_CALLCODE, PV_CREATE, PV_CREATE2};
    m.kind = (unsigned)msg->kind <= EVMC_CREATE2 ? kinds[msg->kind] : PV_CALL;
    m.is_static = (msg->flags & EVMC_STATIC) != 0;
    m.depth = msg->depth;
    m.gas = msg->gas;
    memcpy(m.recipient.b, msg->recipient.bytes, 20);
    memcpy(m.sender.b, msg->sender.bytes, 20);
    memcpy(m.code_address.b, msg->code_address.bytes, 20);
    m.input = msg->input_data;
    m.input_size = msg->input_size;
    m.value = to_u256(&msg->value);
    m.create2_salt = to_u256(&msg->create2_salt);
    /* EVMC passes raw code: analyse it here (the "total" cost of a benchmark run). */
    pv_code *c = pv_code_new(code, code_size);
    pv_result r = pv_execute(&x.base, x.fork, &m, c);
    pv_code_free(c);
    pv_arena_free_all(&x.scratch);
    out.status_code = status_to_evmc(r.status);
    out.gas_left = r.gas_left;
    out.gas_refund = r.gas_refund;
    out.output_data = r.output;
    out.output_size = r.output_size;
    out.release = r.output ? release_output : NULL;
    memcpy(out.create_address.bytes, r.create_address.b, 20);
    return out;
}

static void vm_destroy(struct evmc_vm *vm) { free(vm); }

static evmc_capabilities_flagset vm_capabilities(struct evmc_vm *vm)
{
    (void)vm;
    return EVMC_CAPABILITY_EVM1;
}

static enum evmc_set_option_result vm_set_option(struct evmc_vm *vm, const char *name, const char *value)
{
    (void)vm;
    (void)name;
    (void)value;
    return EVMC_SET_OPTION_INVALID_NAME;
}

struct evmc_vm *evmc_create_parevm(void)
{
    static const struct evmc_vm proto = {
        EVMC_ABI_VERSION, "parevm", PAREVM_VERSION, vm_destroy, vm_execute, vm_capabilities, vm_set_option,
    };
    struct evmc_vm *vm = malloc(sizeof *vm);
    if (vm)
        memcpy(vm, &proto, sizeof *vm);
    return vm;
}
