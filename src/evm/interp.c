/*
 * The EVM interpreter: a computed-goto loop over padded, pre-analysed code.
 *
 * Per instruction the loop looks up one pv_op_info entry of the fork's table (static gas,
 * stack requirement, stack growth), checks and charges, and jumps to the handler. Everything
 * dynamic (memory expansion, copy costs, cold accesses, calls) is charged in the handler.
 * The interpreter allocates nothing per instruction: stacks come from a per-thread pool indexed
 * by call depth, and memory buffers are reused per depth.
 */
#include "interp.h"

#include <stdio.h>
#include <stdlib.h>

#include "../util/keccak.h"
#include "opcodes.h"

/* Each instruction's stack inputs and outputs and the fork that introduced it, as constants
 * for its handler's checks (ENTER). */
#define PV_OP_CONSTS(v, name, in, out, since, g) enum { PV_IN_##name = in, PV_OUT_##name = out, PV_SINCE_##name = since };
PV_OPCODES(PV_OP_CONSTS)
#undef PV_OP_CONSTS

#define STACK_LIMIT 1024
#define MAX_DEPTH 1024
#define CALL_STIPEND 2300
#define MAX_CODE_SIZE 24576
#define MAX_INITCODE_SIZE (2 * MAX_CODE_SIZE)
/* Offsets above this can never be paid for with any gas a transaction may carry. */
#define MEMORY_LIMIT (1ULL << 32)
/* Memory buffers above this size are not kept in the per-thread pool. */
#define MEMORY_POOL_KEEP (1u << 20)

const char *pv_status_name(pv_status s)
{
    static const char *const names[] = {
        "success", "revert", "out of gas", "invalid instruction", "stack underflow",
        "stack overflow", "bad jump destination", "invalid memory access", "static mode violation",
        "call depth exceeded", "insufficient balance", "create collision", "contract size limit",
        "invalid code prefix", "precompile failure", "internal error",
    };
    return (unsigned)s < sizeof names / sizeof names[0] ? names[s] : "unknown";
}

static inline bool halted(const pv_host *h) { return h->halt && *h->halt; }

static void oom(void)
{
    fputs("parevm: out of memory\n", stderr);
    abort();
}

/* Per-thread pools: one stack and one memory buffer per call depth. */
typedef struct mem_buf {
    uint8_t *data;
    uint64_t cap;
} mem_buf;

static __thread u256 *stack_pool[MAX_DEPTH + 1];
static __thread mem_buf mem_pool[MAX_DEPTH + 1];

void pv_interp_thread_cleanup(void)
{
    for (int i = 0; i <= MAX_DEPTH; i++) {
        free(stack_pool[i]);
        stack_pool[i] = NULL;
        free(mem_pool[i].data);
        mem_pool[i].data = NULL;
        mem_pool[i].cap = 0;
    }
}

typedef struct vm {
    pv_host *host;
    const pv_host_interface *fn;
    pv_fork fork;
    const pv_message *msg;
    const pv_code *code;
    uint8_t *mem;
    uint64_t mem_size;       /* always a multiple of 32 */
    uint64_t mem_cap;
    uint64_t mem_zeroed;     /* [mem_size, mem_zeroed) is zero already (mem_size <= mem_zeroed <= mem_cap) */
    uint8_t *ret;            /* return data of the last call */
    size_t ret_size;
    int64_t refund;
} vm;

static inline int64_t mem_cost(uint64_t words)
{
    return (int64_t)(3 * words + words * words / 512);
}

/* Makes [mem_zeroed, new_size) zero and addressable (new_size > mem_zeroed): more capacity if
 * needed, and a kilobyte or so zeroed ahead, since Solidity's allocations grow memory a word or
 * two at a time (structarray_alloc grew it thousands of times, a memset call each). Out of line:
 * most growth stays inside what is zeroed already. */
__attribute__((noinline)) static void mem_zero_to(vm *v, uint64_t new_size)
{
    if (new_size > v->mem_cap) {
        uint64_t cap = v->mem_cap ? v->mem_cap : 4096;
        while (cap < new_size)
            cap *= 2;
        uint8_t *p = realloc(v->mem, cap);
        if (!p)
            oom();
        v->mem = p;
        v->mem_cap = cap;
    }
    uint64_t zero_end = new_size + 1024 < v->mem_cap ? new_size + 1024 : v->mem_cap;
    memset(v->mem + v->mem_zeroed, 0, zero_end - v->mem_zeroed);
    v->mem_zeroed = zero_end;
}

/* Grows memory to cover [0, end) (end > mem_size), charging the expansion. Inline: a call here
 * was 14% of structarray_alloc's samples, mostly its entry and return. */
static inline bool mem_grow(vm *v, int64_t *gas, uint64_t end)
{
    uint64_t new_words = (end + 31) / 32;
    *gas -= mem_cost(new_words) - mem_cost(v->mem_size / 32);
    if (*gas < 0)
        return false;
    uint64_t new_size = new_words * 32;
    if (PV_UNLIKELY(new_size > v->mem_zeroed))
        mem_zero_to(v, new_size);
    v->mem_size = new_size;
    return true;
}

/* Makes [off, off+len) addressable, charging expansion. len == 0 needs nothing (and the offset
 * is then ignored, as the EVM specifies). On success *o and *l hold the region as integers. */
static inline bool mem_need(vm *v, int64_t *gas, const u256 *off, const u256 *len, uint64_t *o, uint64_t *l)
{
    if (u256_is_zero(len)) {
        *o = 0;
        *l = 0;
        return true;
    }
    if (!u256_fits_u64(off) || !u256_fits_u64(len) || off->w[0] > MEMORY_LIMIT || len->w[0] > MEMORY_LIMIT)
        return false;
    *o = off->w[0];
    *l = len->w[0];
    uint64_t end = *o + *l;
    return PV_LIKELY(end <= v->mem_size) || mem_grow(v, gas, end);
}

static inline uint64_t load_be64(const uint8_t *p)
{
    uint64_t x;
    memcpy(&x, p, 8);
    return __builtin_bswap64(x);
}

/* The n-byte big-endian operand of PUSHn at p (2 <= n <= 32). Reads up to 32 bytes past p
 * whatever n is: code is followed by 33 zero bytes of padding (code.h), and the bytes beyond the
 * operand are shifted out. */
static inline void push_operand(u256 *r, const uint8_t *p, unsigned n)
{
    if (n <= 8) {
        *r = (u256){{load_be64(p) >> (64 - 8 * n), 0, 0, 0}};
        return;
    }
    /* The 32-byte window as limbs (w[3] most significant), shifted right by the extra bytes. */
    uint64_t w[4] = {load_be64(p + 24), load_be64(p + 16), load_be64(p + 8), load_be64(p)}, o[4];
    unsigned shift = (32 - n) * 8, words = shift / 64, bits = shift % 64;
    for (unsigned i = 0; i < 4; i++) {
        unsigned j = i + words;
        uint64_t lo = j < 4 ? w[j] : 0, hi = j + 1 < 4 ? w[j + 1] : 0;
        o[i] = bits ? (lo >> bits) | (hi << (64 - bits)) : lo;
    }
    u256_store4(r, o[0], o[1], o[2], o[3]); /* n is a constant in each handler: all folds */
}

/* Solidity computes a mapping's slot as keccak256(key . slot), 64 bytes, a dynamic array's as
 * keccak256(slot), 32, and often several times in one transaction (a balance read, checked,
 * written back; an array's base per element): a few recent ones per thread, looked up by the
 * whole input (a pure function: a hit is exact). A miss costs ~10 ns, a hit saves a Keccak
 * permutation (~300 ns; ERC-20 transfers -14%, AMM swaps -20%). */
#define KECCAK_CACHE 16
typedef struct keccak_entry {
    uint64_t in[8];            /* the input, zero-padded to 64 bytes */
    uint8_t out[32];
    uint8_t len;               /* 32 or 64; 0: empty */
} keccak_entry;
static __thread keccak_entry keccak_cache[KECCAK_CACHE];

static void keccak_cached(const uint8_t *in, size_t len, uint8_t out[32])
{
    uint64_t w[8] = {0};
    memcpy(w, in, len);
    uint64_t x = (w[0] ^ w[1] ^ w[2] ^ w[3] ^ w[4] ^ w[5] ^ w[6] ^ w[7]) + len;
    keccak_entry *e = &keccak_cache[(x * 0x9e3779b97f4a7c15ULL) >> 60];
    if (e->len == len && memcmp(e->in, w, 64) == 0) {
        memcpy(out, e->out, 32);
        return;
    }
    pv_keccak256(in, len, out);
    memcpy(e->in, w, 64);
    memcpy(e->out, out, 32);
    e->len = (uint8_t)len;
}

static inline void addr_from_u256(pv_address *a, const u256 *x)
{
    uint8_t b[32];
    u256_to_be(x, b);
    memcpy(a->b, b + 12, 20);
}

static inline void u256_from_addr(u256 *r, const pv_address *a)
{
    u256_from_be(r, a->b, 20);
}

static inline uint64_t num_words(uint64_t len)
{
    return (len + 31) / 32;
}

/* Copies src[off .. off+len) into dst, zero-filling what lies beyond src_size. */
static void copy_padded(uint8_t *dst, const uint8_t *src, size_t src_size, const u256 *off, uint64_t len)
{
    if (len == 0)
        return;
    uint64_t start = u256_fits_u64(off) && off->w[0] < src_size ? off->w[0] : src_size;
    uint64_t avail = src_size - start;
    uint64_t n = avail < len ? avail : len;
    if (n)
        memcpy(dst, src + start, n);
    if (n < len)
        memset(dst + n, 0, len - n);
}

static void set_return_data(vm *v, uint8_t *data, size_t size)
{
    free(v->ret);
    v->ret = data;
    v->ret_size = size;
}

/* Gas passed to a callee under EIP-150 (all but one 64th) or, before it, exactly what was asked. */
static inline int64_t max_call_gas(int64_t gas)
{
    return gas - gas / 64;
}

/* CALL, CALLCODE, DELEGATECALL, STATICCALL. sp points at the top item; the result replaces the
 * last consumed item. Returns PV_SUCCESS to continue, or the failure status. */
static pv_status op_call(vm *v, uint8_t op, u256 *sp, int64_t *gas)
{
    const bool has_value_arg = op == PV_OP_CALL || op == PV_OP_CALLCODE;
    u256 gas_arg = sp[0];
    pv_address dst;
    addr_from_u256(&dst, &sp[-1]);
    u256 value = has_value_arg ? sp[-2] : u256_zero();
    const u256 *args = has_value_arg ? &sp[-3] : &sp[-2];
    u256 *result = has_value_arg ? &sp[-6] : &sp[-5];
    const bool has_value = !u256_is_zero(&value);

    if (v->fork >= PV_BERLIN && !v->fn->access_account(v->host, &dst)) {
        if ((*gas -= 2500) < 0)
            return PV_OUT_OF_GAS;
    }
    uint64_t in_off, in_len, out_off, out_len;
    if (!mem_need(v, gas, &args[0], &args[-1], &in_off, &in_len) ||
        !mem_need(v, gas, &args[-2], &args[-3], &out_off, &out_len))
        return PV_OUT_OF_GAS;

    int64_t cost = has_value ? 9000 : 0;
    if (op == PV_OP_CALL) {
        if (has_value && v->msg->is_static)
            return PV_STATIC_MODE_VIOLATION;
        if ((has_value || v->fork < PV_SPURIOUS_DRAGON) && !v->fn->account_exists(v->host, &dst))
            cost += 25000;
    }
    if ((*gas -= cost) < 0)
        return PV_OUT_OF_GAS;

    int64_t call_gas = u256_fits_u64(&gas_arg) && gas_arg.w[0] <= (uint64_t)INT64_MAX ? (int64_t)gas_arg.w[0] : INT64_MAX;
    if (v->fork >= PV_TANGERINE_WHISTLE) {
        int64_t cap = max_call_gas(*gas);
        if (call_gas > cap)
            call_gas = cap;
    } else if (call_gas > *gas) {
        return PV_OUT_OF_GAS;
    }
    *gas -= call_gas;
    if (has_value)
        call_gas += CALL_STIPEND;

    *result = u256_zero();
    set_return_data(v, NULL, 0);
    if (v->msg->depth >= MAX_DEPTH) {
        *gas += call_gas;
        return PV_SUCCESS;
    }
    if (has_value) {
        u256 bal = v->fn->get_balance(v->host, &v->msg->recipient);
        if (u256_lt(&bal, &value)) {
            *gas += call_gas;
            return PV_SUCCESS;
        }
    }

    pv_message m;
    memset(&m, 0, sizeof m);
    m.depth = v->msg->depth + 1;
    m.gas = call_gas;
    m.is_static = v->msg->is_static || op == PV_OP_STATICCALL;
    m.input = in_len ? v->mem + in_off : NULL;
    m.input_size = in_len;
    m.code_address = dst;
    switch (op) {
    case PV_OP_CALL:
    case PV_OP_STATICCALL:
        m.kind = PV_CALL;
        m.sender = v->msg->recipient;
        m.recipient = dst;
        m.value = value;
        break;
    case PV_OP_CALLCODE:
        m.kind = PV_CALLCODE;
        m.sender = v->msg->recipient;
        m.recipient = v->msg->recipient;
        m.value = value;
        break;
    default: /* DELEGATECALL */
        m.kind = PV_DELEGATECALL;
        m.sender = v->msg->sender;
        m.recipient = v->msg->recipient;
        m.value = v->msg->value;
        break;
    }
    pv_result r = v->fn->call(v->host, &m);
    if (PV_UNLIKELY(halted(v->host))) {
        free(r.output);
        return PV_INTERNAL_ERROR;
    }
    if (r.status != PV_SUCCESS && r.status != PV_REVERT) {
        free(r.output);
        r.output = NULL;
        r.output_size = 0;
        r.gas_left = 0;
    }
    if (r.status == PV_SUCCESS) {
        *result = u256_from_u64(1);
        v->refund += r.gas_refund;
    }
    size_t n = r.output_size < out_len ? r.output_size : out_len;
    if (n)
        memcpy(v->mem + out_off, r.output, n);
    set_return_data(v, r.output, r.output_size);
    *gas += r.gas_left;
    return PV_SUCCESS;
}

/* CREATE and CREATE2. */
static pv_status op_create(vm *v, uint8_t op, u256 *sp, int64_t *gas)
{
    if (v->msg->is_static)
        return PV_STATIC_MODE_VIOLATION;
    u256 endowment = sp[0];
    uint64_t off, len;
    if (!mem_need(v, gas, &sp[-1], &sp[-2], &off, &len))
        return PV_OUT_OF_GAS;
    u256 salt = op == PV_OP_CREATE2 ? sp[-3] : u256_zero();
    u256 *result = op == PV_OP_CREATE2 ? &sp[-3] : &sp[-2];
    if (v->fork >= PV_SHANGHAI) {
        if (len > MAX_INITCODE_SIZE)
            return PV_OUT_OF_GAS;       /* EIP-3860: exceptional halt */
        if ((*gas -= 2 * (int64_t)num_words(len)) < 0)
            return PV_OUT_OF_GAS;
    }
    if (op == PV_OP_CREATE2 && (*gas -= 6 * (int64_t)num_words(len)) < 0)
        return PV_OUT_OF_GAS;

    *result = u256_zero();
    set_return_data(v, NULL, 0);
    int64_t call_gas = v->fork >= PV_TANGERINE_WHISTLE ? max_call_gas(*gas) : *gas;

    pv_message m;
    memset(&m, 0, sizeof m);
    m.kind = op == PV_OP_CREATE2 ? PV_CREATE2 : PV_CREATE;
    m.depth = v->msg->depth + 1;
    m.gas = call_gas;
    m.sender = v->msg->recipient;
    m.value = endowment;
    m.create2_salt = salt;
    m.input = len ? v->mem + off : NULL;
    m.input_size = len;
    *gas -= call_gas;
    pv_result r = v->fn->call(v->host, &m);
    if (PV_UNLIKELY(halted(v->host))) {
        free(r.output);
        return PV_INTERNAL_ERROR;
    }
    if (r.status == PV_SUCCESS) {
        u256_from_addr(result, &r.create_address);
        v->refund += r.gas_refund;
        free(r.output);     /* the deployed code; RETURNDATA is empty after a successful create */
    } else if (r.status == PV_REVERT) {
        set_return_data(v, r.output, r.output_size);
    } else {
        free(r.output);   /* gas_left is msg.gas when the create was refused before running */
    }
    *gas += r.gas_left;
    return PV_SUCCESS;
}

/* SSTORE pricing: EIP-2200 (Istanbul), EIP-1283 (Constantinople only), EIP-2929 (Berlin),
 * EIP-3529 (London); before them the original Frontier rule. Returns false on out of gas. */
static bool op_sstore(vm *v, const u256 *key, const u256 *value, int64_t *gas)
{
    const pv_fork f = v->fork;
    if (f >= PV_ISTANBUL && *gas <= CALL_STIPEND)
        return false;
    int64_t cost = 0;
    if (f >= PV_BERLIN && !v->fn->access_storage(v->host, &v->msg->recipient, key))
        cost += 2100;
    u256 original, current;
    v->fn->set_storage(v->host, &v->msg->recipient, key, value, &original, &current);
    const bool net_metering = f == PV_CONSTANTINOPLE || f >= PV_ISTANBUL;
    if (!net_metering) {
        bool cur_zero = u256_is_zero(&current), new_zero = u256_is_zero(value);
        cost += cur_zero && !new_zero ? 20000 : 5000;
        if (!cur_zero && new_zero)
            v->refund += 15000;
    } else {
        const int64_t warm = f >= PV_BERLIN ? 100 : f >= PV_ISTANBUL ? 800 : 200;
        const int64_t reset = f >= PV_BERLIN ? 2900 : 5000;
        const int64_t clear_refund = f >= PV_LONDON ? 4800 : 15000;
        const int64_t set = 20000;
        bool orig_zero = u256_is_zero(&original), cur_zero = u256_is_zero(&current);
        bool new_zero = u256_is_zero(value);
        if (u256_eq(&current, value)) {
            cost += warm;
        } else if (u256_eq(&original, &current)) {
            cost += orig_zero ? set : reset;
            if (!orig_zero && new_zero)
                v->refund += clear_refund;
        } else {
            cost += warm;
            if (!orig_zero) {
                if (cur_zero)
                    v->refund -= clear_refund;
                else if (new_zero)
                    v->refund += clear_refund;
            }
            if (u256_eq(&original, value))
                v->refund += orig_zero ? set - warm : reset - warm;
        }
    }
    *gas -= cost;
    return *gas >= 0;
}

static pv_result make_result(vm *v, pv_status status, int64_t gas, uint8_t *output, size_t output_size)
{
    pv_result r;
    memset(&r, 0, sizeof r);
    r.status = status;
    if (status == PV_SUCCESS || status == PV_REVERT) {
        r.gas_left = gas;
        r.output = output;
        r.output_size = output_size;
    } else {
        free(output);
    }
    if (status == PV_SUCCESS)
        r.gas_refund = v->refund;
    return r;
}

pv_result pv_execute(pv_host *host, pv_fork fork, const pv_message *msg, const pv_code *code)
{
    if (PV_UNLIKELY(halted(host))) {
        pv_result r;
        memset(&r, 0, sizeof r);
        r.status = PV_INTERNAL_ERROR;
        return r;
    }
    vm v;
    v.host = host;
    v.fn = host->fn;
    v.fork = fork;
    v.msg = msg;
    v.code = code;
    v.ret = NULL;
    v.ret_size = 0;
    v.refund = 0;

    int depth = msg->depth < 0 ? 0 : msg->depth > MAX_DEPTH ? MAX_DEPTH : msg->depth;
    if (!stack_pool[depth] && !(stack_pool[depth] = malloc(STACK_LIMIT * sizeof(u256))))
        oom();
    mem_buf *mb = &mem_pool[depth];
    v.mem = mb->data;
    v.mem_cap = mb->cap;
    v.mem_size = 0;
    v.mem_zeroed = 0;        /* a reused buffer holds the last frame's bytes */
    mb->data = NULL;     /* taken; returned below (a nested frame at this depth cannot exist) */
    mb->cap = 0;

    const pv_op_info *table = pv_op_table(fork);
    const uint8_t *const code_start = code->bytes;
    const uint8_t *ip = code_start;
    u256 *const stack_bottom = stack_pool[depth] - 1;  /* sp == stack_bottom: empty */
    u256 *sp = stack_bottom;
    int64_t gas = msg->gas;
    pv_status status = PV_SUCCESS;
    uint8_t *output = NULL;
    size_t output_size = 0;
    uint8_t op;

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Woverride-init"
    static const void *labels[256] = {
        [0 ... 255] = &&op_UNDEFINED, /* then every defined opcode's own */
#define PV_OP_LABEL(v, name, in, out, since, g) [v] = &&op_##name,
        PV_OPCODES(PV_OP_LABEL)
#undef PV_OP_LABEL
    };
#pragma GCC diagnostic pop

#define S(i) sp[-(ptrdiff_t)(i)]
#define CHARGE(c)                                                           \
    do {                                                                    \
        if (PV_UNLIKELY((gas -= (int64_t)(c)) < 0))                         \
            goto out_of_gas;                                                \
    } while (0)
#define FAIL(st)                                                            \
    do {                                                                    \
        status = (st);                                                      \
        goto done;                                                          \
    } while (0)
#define HALT_CHECK()                                                        \
    do {                                                                    \
        if (PV_UNLIKELY(halted(host)))                                      \
            FAIL(PV_INTERNAL_ERROR);                                        \
    } while (0)
/* Dispatch jumps straight to the handler, which checks what its own instruction needs (the
 * fork, stack items, room, static gas) with its stack effect known at compile time: no check
 * for what cannot fail (nothing to pop, nothing to push), and no table entry to load but the
 * gas (repriced per fork). The handlers shared by several opcodes check from the table. */
#define DISPATCH()                                                          \
    do {                                                                    \
        op = *ip;                                                           \
        goto *labels[op];                                                   \
    } while (0)
#define ENTER(name)                                                         \
    do {                                                                    \
        if ((int)PV_SINCE_##name > (int)PV_FRONTIER && PV_UNLIKELY((int)fork < (int)PV_SINCE_##name)) \
            FAIL(PV_INVALID_INSTRUCTION);                                   \
        if (PV_IN_##name > 0 && PV_UNLIKELY(sp - stack_bottom < PV_IN_##name)) \
            FAIL(PV_STACK_UNDERFLOW);                                       \
        if (PV_OUT_##name > PV_IN_##name &&                                 \
            PV_UNLIKELY(sp - stack_bottom > STACK_LIMIT - (PV_OUT_##name - PV_IN_##name))) \
            FAIL(PV_STACK_OVERFLOW);                                        \
        CHARGE(table[PV_OP_##name].gas);                                    \
    } while (0)
#define ENTER_DYN()                                                         \
    do {                                                                    \
        const pv_op_info *inf_ = &table[op];                                \
        if (PV_UNLIKELY(inf_->gas < 0))                                     \
            FAIL(PV_INVALID_INSTRUCTION);                                   \
        ptrdiff_t height_ = sp - stack_bottom;                              \
        if (PV_UNLIKELY(height_ < inf_->stack_min))                         \
            FAIL(PV_STACK_UNDERFLOW);                                       \
        if (PV_UNLIKELY(height_ + inf_->stack_grow > STACK_LIMIT))          \
            FAIL(PV_STACK_OVERFLOW);                                        \
        CHARGE(inf_->gas);                                                  \
    } while (0)
#define NEXT()                                                              \
    do {                                                                    \
        ip++;                                                               \
        DISPATCH();                                                         \
    } while (0)
#define BINOP(fnc)                                                          \
    do {                                                                    \
        fnc(&S(1), &S(0), &S(1));                                           \
        sp--;                                                               \
        NEXT();                                                             \
    } while (0)
#define CMPOP(expr)                                                         \
    do {                                                                    \
        bool r_ = (expr);                                                   \
        sp--;                                                               \
        S(0) = u256_from_u64(r_);                                           \
        NEXT();                                                             \
    } while (0)
#define STATIC_CHECK()                                                      \
    do {                                                                    \
        if (PV_UNLIKELY(msg->is_static))                                    \
            FAIL(PV_STATIC_MODE_VIOLATION);                                 \
    } while (0)
/* Helpers that charge gas get a copy's address, never gas's own: a variable whose address
 * escapes lives in memory, and gas is updated by every instruction (kept in memory it put a
 * store-to-load round trip, ~5 cycles, on the dispatch's critical path). */
#define WITH_GAS(call)                                                      \
    ({                                                                      \
        int64_t g_ = gas;                                                   \
        __typeof__(call) r_ = (call);                                       \
        gas = g_;                                                           \
        r_;                                                                 \
    })
#define MEM(off, len, o, l)                                                 \
    do {                                                                    \
        if (PV_UNLIKELY(!WITH_GAS(mem_need(&v, &g_, (off), (len), (o), (l))))) \
            goto out_of_gas;                                                \
    } while (0)

    DISPATCH();

op_STOP:
    ENTER(STOP);
    goto done;
op_ADD:
    ENTER(ADD);
    BINOP(u256_add);
op_MUL:
    ENTER(MUL);
    BINOP(u256_mul);
op_SUB:
    ENTER(SUB);
    BINOP(u256_sub);
op_DIV:
    ENTER(DIV);
    BINOP(u256_div);
op_SDIV:
    ENTER(SDIV);
    BINOP(u256_sdiv);
op_MOD:
    ENTER(MOD);
    BINOP(u256_mod);
op_SMOD:
    ENTER(SMOD);
    BINOP(u256_smod);
op_ADDMOD:
    ENTER(ADDMOD);
    u256_addmod(&S(2), &S(0), &S(1), &S(2));
    sp -= 2;
    NEXT();
op_MULMOD:
    ENTER(MULMOD);
    u256_mulmod(&S(2), &S(0), &S(1), &S(2));
    sp -= 2;
    NEXT();
op_EXP: {
    ENTER(EXP);
    unsigned bytes = u256_byte_length(&S(1));
    CHARGE((int64_t)bytes * (fork >= PV_SPURIOUS_DRAGON ? 50 : 10));
    u256_exp(&S(1), &S(0), &S(1));
    sp--;
    NEXT();
}
op_SIGNEXTEND:
    ENTER(SIGNEXTEND);
    BINOP(u256_signextend);
op_LT:
    ENTER(LT);
    CMPOP(u256_lt(&S(0), &S(1)));
op_GT:
    ENTER(GT);
    CMPOP(u256_gt(&S(0), &S(1)));
op_SLT:
    ENTER(SLT);
    CMPOP(u256_slt(&S(0), &S(1)));
op_SGT:
    ENTER(SGT);
    CMPOP(u256_sgt(&S(0), &S(1)));
op_EQ:
    ENTER(EQ);
    CMPOP(u256_eq(&S(0), &S(1)));
op_ISZERO:
    ENTER(ISZERO);
    S(0) = u256_from_u64(u256_is_zero(&S(0)));
    NEXT();
op_AND:
    ENTER(AND);
    BINOP(u256_and);
op_OR:
    ENTER(OR);
    BINOP(u256_or);
op_XOR:
    ENTER(XOR);
    BINOP(u256_xor);
op_NOT:
    ENTER(NOT);
    u256_not(&S(0), &S(0));
    NEXT();
op_BYTE:
    ENTER(BYTE);
    BINOP(u256_byte);
op_SHL:
    ENTER(SHL);
    BINOP(u256_shl);
op_SHR:
    ENTER(SHR);
    BINOP(u256_shr);
op_SAR:
    ENTER(SAR);
    BINOP(u256_sar);
op_KECCAK256: {
    ENTER(KECCAK256);
    uint64_t o, l;
    MEM(&S(0), &S(1), &o, &l);
    CHARGE(6 * (int64_t)num_words(l));
    uint8_t h[32];
    if (l == 64 || l == 32)
        keccak_cached(v.mem + o, l, h);
    else
        pv_keccak256(l ? v.mem + o : NULL, l, h);
    sp--;
    u256_from_be(&S(0), h, 32);
    NEXT();
}
op_ADDRESS:
    ENTER(ADDRESS);
    sp++;
    u256_from_addr(&S(0), &msg->recipient);
    NEXT();
op_BALANCE: {
    ENTER(BALANCE);
    pv_address a;
    addr_from_u256(&a, &S(0));
    if (fork >= PV_BERLIN && !v.fn->access_account(host, &a))
        CHARGE(2500);
    S(0) = v.fn->get_balance(host, &a);
    HALT_CHECK();
    NEXT();
}
op_ORIGIN:
    ENTER(ORIGIN);
    sp++;
    u256_from_addr(&S(0), &v.fn->get_tx_context(host)->origin);
    NEXT();
op_CALLER:
    ENTER(CALLER);
    sp++;
    u256_from_addr(&S(0), &msg->sender);
    NEXT();
op_CALLVALUE:
    ENTER(CALLVALUE);
    sp++;
    S(0) = msg->value;
    NEXT();
op_CALLDATALOAD: {
    ENTER(CALLDATALOAD);
    uint8_t buf[32];
    copy_padded(buf, msg->input, msg->input_size, &S(0), 32);
    u256_from_be(&S(0), buf, 32);
    NEXT();
}
op_CALLDATASIZE:
    ENTER(CALLDATASIZE);
    sp++;
    S(0) = u256_from_u64(msg->input_size);
    NEXT();
op_CALLDATACOPY:
op_CODECOPY:
op_RETURNDATACOPY: {
    ENTER_DYN();
    uint64_t o, l;
    const uint8_t *src;
    size_t src_size;
    if (op == PV_OP_CALLDATACOPY) {
        src = msg->input;
        src_size = msg->input_size;
    } else if (op == PV_OP_CODECOPY) {
        src = code_start;
        src_size = code->size;
    } else {
        src = v.ret;
        src_size = v.ret_size;
        u256 end;
        u256_add(&end, &S(1), &S(2));
        if (u256_lt(&end, &S(1)) || !u256_fits_u64(&end) || end.w[0] > src_size)
            FAIL(PV_INVALID_MEMORY_ACCESS);
    }
    MEM(&S(0), &S(2), &o, &l);
    CHARGE(3 * (int64_t)num_words(l));
    if (l)
        copy_padded(v.mem + o, src, src_size, &S(1), l);
    sp -= 3;
    NEXT();
}
op_CODESIZE:
    ENTER(CODESIZE);
    sp++;
    S(0) = u256_from_u64(code->size);
    NEXT();
op_GASPRICE:
    ENTER(GASPRICE);
    sp++;
    S(0) = v.fn->get_tx_context(host)->gas_price;
    NEXT();
op_EXTCODESIZE: {
    ENTER(EXTCODESIZE);
    pv_address a;
    addr_from_u256(&a, &S(0));
    if (fork >= PV_BERLIN && !v.fn->access_account(host, &a))
        CHARGE(2500);
    S(0) = u256_from_u64(v.fn->get_code_size(host, &a));
    HALT_CHECK();
    NEXT();
}
op_EXTCODECOPY: {
    ENTER(EXTCODECOPY);
    pv_address a;
    addr_from_u256(&a, &S(0));
    uint64_t o, l;
    MEM(&S(1), &S(3), &o, &l);
    CHARGE(3 * (int64_t)num_words(l));
    if (fork >= PV_BERLIN && !v.fn->access_account(host, &a))
        CHARGE(2500);
    if (l) {
        size_t csize;
        const uint8_t *c = v.fn->get_code(host, &a, &csize);
        copy_padded(v.mem + o, c, csize, &S(2), l);
        HALT_CHECK();
    }
    sp -= 4;
    NEXT();
}
op_RETURNDATASIZE:
    ENTER(RETURNDATASIZE);
    sp++;
    S(0) = u256_from_u64(v.ret_size);
    NEXT();
op_EXTCODEHASH: {
    ENTER(EXTCODEHASH);
    pv_address a;
    addr_from_u256(&a, &S(0));
    if (fork >= PV_BERLIN && !v.fn->access_account(host, &a))
        CHARGE(2500);
    pv_bytes32 h = v.fn->get_code_hash(host, &a);
    u256_from_be(&S(0), h.b, 32);
    HALT_CHECK();
    NEXT();
}
op_BLOCKHASH: {
    ENTER(BLOCKHASH);
    int64_t number = v.fn->get_tx_context(host)->number;
    u256 *n = &S(0);
    if (u256_fits_u64(n) && n->w[0] < (uint64_t)number && n->w[0] + 256 >= (uint64_t)number) {
        pv_bytes32 h = v.fn->get_block_hash(host, (int64_t)n->w[0]);
        u256_from_be(n, h.b, 32);
    } else {
        *n = u256_zero();
    }
    NEXT();
}
op_COINBASE:
    ENTER(COINBASE);
    sp++;
    u256_from_addr(&S(0), &v.fn->get_tx_context(host)->coinbase);
    NEXT();
op_TIMESTAMP:
    ENTER(TIMESTAMP);
    sp++;
    S(0) = u256_from_u64((uint64_t)v.fn->get_tx_context(host)->timestamp);
    NEXT();
op_NUMBER:
    ENTER(NUMBER);
    sp++;
    S(0) = u256_from_u64((uint64_t)v.fn->get_tx_context(host)->number);
    NEXT();
op_PREVRANDAO:
    ENTER(PREVRANDAO);
    sp++;
    S(0) = v.fn->get_tx_context(host)->prev_randao;
    NEXT();
op_GASLIMIT:
    ENTER(GASLIMIT);
    sp++;
    S(0) = u256_from_u64((uint64_t)v.fn->get_tx_context(host)->gas_limit);
    NEXT();
op_CHAINID:
    ENTER(CHAINID);
    sp++;
    S(0) = v.fn->get_tx_context(host)->chain_id;
    NEXT();
op_SELFBALANCE:
    ENTER(SELFBALANCE);
    sp++;
    S(0) = v.fn->get_balance(host, &msg->recipient);
    HALT_CHECK();
    NEXT();
op_BASEFEE:
    ENTER(BASEFEE);
    sp++;
    S(0) = v.fn->get_tx_context(host)->base_fee;
    NEXT();
op_BLOBHASH: {
    ENTER(BLOBHASH);
    const pv_tx_context *tx = v.fn->get_tx_context(host);
    u256 *i = &S(0);
    if (u256_fits_u64(i) && i->w[0] < tx->blob_hashes_count)
        u256_from_be(i, tx->blob_hashes[i->w[0]].b, 32);
    else
        *i = u256_zero();
    NEXT();
}
op_BLOBBASEFEE:
    ENTER(BLOBBASEFEE);
    sp++;
    S(0) = v.fn->get_tx_context(host)->blob_base_fee;
    NEXT();
op_POP:
    ENTER(POP);
    sp--;
    NEXT();
op_MLOAD: {
    ENTER(MLOAD);
    uint64_t o, l;
    u256 len = u256_from_u64(32);
    MEM(&S(0), &len, &o, &l);
    u256_from_be(&S(0), v.mem + o, 32);
    NEXT();
}
op_MSTORE: {
    ENTER(MSTORE);
    uint64_t o, l;
    u256 len = u256_from_u64(32);
    MEM(&S(0), &len, &o, &l);
    u256_to_be(&S(1), v.mem + o);
    sp -= 2;
    NEXT();
}
op_MSTORE8: {
    ENTER(MSTORE8);
    uint64_t o, l;
    u256 len = u256_from_u64(1);
    MEM(&S(0), &len, &o, &l);
    v.mem[o] = (uint8_t)S(1).w[0];
    sp -= 2;
    NEXT();
}
op_SLOAD: {
    ENTER(SLOAD);
    if (fork >= PV_BERLIN && !v.fn->access_storage(host, &msg->recipient, &S(0)))
        CHARGE(2000);
    S(0) = v.fn->get_storage(host, &msg->recipient, &S(0));
    HALT_CHECK();
    NEXT();
}
op_SSTORE:
    ENTER(SSTORE);
    STATIC_CHECK();
    if (!WITH_GAS(op_sstore(&v, &S(0), &S(1), &g_)))
        goto out_of_gas;
    sp -= 2;
    NEXT();
op_JUMP: {
    ENTER(JUMP);
    const u256 *d = &S(0);
    if (!u256_fits_u64(d) || !pv_code_is_jumpdest(code, d->w[0]))
        FAIL(PV_BAD_JUMP_DESTINATION);
    ip = code_start + d->w[0];
    sp--;
    DISPATCH();
}
op_JUMPI: {
    ENTER(JUMPI);
    if (!u256_is_zero(&S(1))) {
        const u256 *d = &S(0);
        if (!u256_fits_u64(d) || !pv_code_is_jumpdest(code, d->w[0]))
            FAIL(PV_BAD_JUMP_DESTINATION);
        ip = code_start + d->w[0];
        sp -= 2;
        DISPATCH();
    }
    sp -= 2;
    NEXT();
}
op_PC:
    ENTER(PC);
    sp++;
    S(0) = u256_from_u64((uint64_t)(ip - code_start));
    NEXT();
op_MSIZE:
    ENTER(MSIZE);
    sp++;
    S(0) = u256_from_u64(v.mem_size);
    NEXT();
op_GAS:
    ENTER(GAS);
    sp++;
    S(0) = u256_from_u64((uint64_t)gas);
    NEXT();
op_JUMPDEST:
    ENTER(JUMPDEST);
    NEXT();
op_TLOAD:
    ENTER(TLOAD);
    S(0) = v.fn->get_transient_storage(host, &msg->recipient, &S(0));
    NEXT();
op_TSTORE:
    ENTER(TSTORE);
    STATIC_CHECK();
    v.fn->set_transient_storage(host, &msg->recipient, &S(0), &S(1));
    sp -= 2;
    NEXT();
op_MCOPY: {
    ENTER(MCOPY);
    uint64_t o, l, so, sl;
    MEM(&S(0), &S(2), &o, &l);
    MEM(&S(1), &S(2), &so, &sl);
    CHARGE(3 * (int64_t)num_words(l));
    if (l)
        memmove(v.mem + o, v.mem + so, l);
    sp -= 3;
    NEXT();
}
op_PUSH0:
    ENTER(PUSH0);
    sp++;
    S(0) = u256_zero();
    NEXT();
op_PUSH1:
    ENTER(PUSH1);
    sp++;
    S(0) = u256_from_u64(ip[1]);
    ip += 2;
    DISPATCH();
    /* One handler per width and depth, each with its n a constant: the operand load and the
     * stack checks fold (a shared handler computed n and looked its checks up per instruction). */
#define PV_PUSH_HANDLER(N)                                                  \
    op_PUSH##N:                                                             \
    ENTER(PUSH##N);                                                         \
    sp++;                                                                   \
    push_operand(&S(0), ip + 1, N);                                         \
    ip += N + 1;                                                            \
    DISPATCH();
#define PV_DUP_HANDLER(N)                                                   \
    op_DUP##N:                                                              \
    ENTER(DUP##N);                                                          \
    sp[1] = S(N - 1);                                                       \
    sp++;                                                                   \
    NEXT();
#define PV_SWAP_HANDLER(N)                                                  \
    op_SWAP##N : {                                                          \
        ENTER(SWAP##N);                                                     \
        u256 t = S(0);                                                      \
        S(0) = S(N);                                                        \
        S(N) = t;                                                           \
        NEXT();                                                             \
    }
    PV_PUSH_HANDLER(2) PV_PUSH_HANDLER(3) PV_PUSH_HANDLER(4) PV_PUSH_HANDLER(5) PV_PUSH_HANDLER(6)
    PV_PUSH_HANDLER(7) PV_PUSH_HANDLER(8) PV_PUSH_HANDLER(9) PV_PUSH_HANDLER(10) PV_PUSH_HANDLER(11)
    PV_PUSH_HANDLER(12) PV_PUSH_HANDLER(13) PV_PUSH_HANDLER(14) PV_PUSH_HANDLER(15) PV_PUSH_HANDLER(16)
    PV_PUSH_HANDLER(17) PV_PUSH_HANDLER(18) PV_PUSH_HANDLER(19) PV_PUSH_HANDLER(20) PV_PUSH_HANDLER(21)
    PV_PUSH_HANDLER(22) PV_PUSH_HANDLER(23) PV_PUSH_HANDLER(24) PV_PUSH_HANDLER(25) PV_PUSH_HANDLER(26)
    PV_PUSH_HANDLER(27) PV_PUSH_HANDLER(28) PV_PUSH_HANDLER(29) PV_PUSH_HANDLER(30) PV_PUSH_HANDLER(31)
    PV_PUSH_HANDLER(32)
    PV_DUP_HANDLER(1) PV_DUP_HANDLER(2) PV_DUP_HANDLER(3) PV_DUP_HANDLER(4) PV_DUP_HANDLER(5)
    PV_DUP_HANDLER(6) PV_DUP_HANDLER(7) PV_DUP_HANDLER(8) PV_DUP_HANDLER(9) PV_DUP_HANDLER(10)
    PV_DUP_HANDLER(11) PV_DUP_HANDLER(12) PV_DUP_HANDLER(13) PV_DUP_HANDLER(14) PV_DUP_HANDLER(15)
    PV_DUP_HANDLER(16)
    PV_SWAP_HANDLER(1) PV_SWAP_HANDLER(2) PV_SWAP_HANDLER(3) PV_SWAP_HANDLER(4) PV_SWAP_HANDLER(5)
    PV_SWAP_HANDLER(6) PV_SWAP_HANDLER(7) PV_SWAP_HANDLER(8) PV_SWAP_HANDLER(9) PV_SWAP_HANDLER(10)
    PV_SWAP_HANDLER(11) PV_SWAP_HANDLER(12) PV_SWAP_HANDLER(13) PV_SWAP_HANDLER(14) PV_SWAP_HANDLER(15)
    PV_SWAP_HANDLER(16)
#undef PV_PUSH_HANDLER
#undef PV_DUP_HANDLER
#undef PV_SWAP_HANDLER
op_LOG0: op_LOG1: op_LOG2: op_LOG3: op_LOG4: {
    ENTER_DYN();
    STATIC_CHECK();
    unsigned ntopics = (unsigned)(op - PV_OP_LOG0);
    uint64_t o, l;
    MEM(&S(0), &S(1), &o, &l);
    CHARGE(8 * (int64_t)l);
    pv_bytes32 topics[4];
    for (unsigned i = 0; i < ntopics; i++)
        u256_to_be(&S(2 + i), topics[i].b);
    v.fn->emit_log(host, &msg->recipient, l ? v.mem + o : NULL, l, topics, ntopics);
    sp -= 2 + ntopics;
    NEXT();
}
op_CREATE:
op_CREATE2: {
    ENTER_DYN();
    pv_status st = WITH_GAS(op_create(&v, op, sp, &g_));
    if (st != PV_SUCCESS)
        FAIL(st);
    if (gas < 0)
        goto out_of_gas;
    sp -= op == PV_OP_CREATE2 ? 3 : 2;
    NEXT();
}
op_CALL:
op_CALLCODE:
op_DELEGATECALL:
op_STATICCALL: {
    ENTER_DYN();
    pv_status st = WITH_GAS(op_call(&v, op, sp, &g_));
    if (st != PV_SUCCESS)
        FAIL(st);
    sp -= op == PV_OP_CALL || op == PV_OP_CALLCODE ? 6 : 5;
    NEXT();
}
op_RETURN:
op_REVERT: {
    ENTER_DYN();
    uint64_t o, l;
    MEM(&S(0), &S(1), &o, &l);
    if (l) {
        output = malloc(l);
        if (!output)
            oom();
        memcpy(output, v.mem + o, l);
        output_size = l;
    }
    status = op == PV_OP_RETURN ? PV_SUCCESS : PV_REVERT;
    goto done;
}
op_INVALID:
op_UNDEFINED:
    FAIL(PV_INVALID_INSTRUCTION);
op_SELFDESTRUCT: {
    ENTER(SELFDESTRUCT);
    STATIC_CHECK();
    pv_address beneficiary;
    addr_from_u256(&beneficiary, &S(0));
    if (fork >= PV_BERLIN && !v.fn->access_account(host, &beneficiary))
        CHARGE(2600);
    if (fork >= PV_TANGERINE_WHISTLE) {
        bool charge_new = fork < PV_SPURIOUS_DRAGON;
        if (!charge_new) {
            u256 bal = v.fn->get_balance(host, &msg->recipient);
            charge_new = !u256_is_zero(&bal);
        }
        if (charge_new && !v.fn->account_exists(host, &beneficiary))
            CHARGE(25000);
    }
    if (v.fn->selfdestruct(host, &msg->recipient, &beneficiary) && fork < PV_LONDON)
        v.refund += 24000;
    goto done;
}

out_of_gas:
    status = PV_OUT_OF_GAS;
done:
    free(v.ret);
    /* Return the memory buffer to the pool, unless it grew large. */
    if (v.mem_cap <= MEMORY_POOL_KEEP) {
        mb->data = v.mem;
        mb->cap = v.mem_cap;
    } else {
        free(v.mem);
    }
    return make_result(&v, status, gas, output, output_size);
#undef S
#undef CHARGE
#undef FAIL
#undef HALT_CHECK
#undef DISPATCH
#undef ENTER
#undef ENTER_DYN
#undef NEXT
#undef BINOP
#undef CMPOP
#undef STATIC_CHECK
#undef MEM
}
