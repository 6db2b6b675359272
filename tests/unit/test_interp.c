/* Interpreter tests against a minimal in-memory host: arithmetic results, gas of known sequences
 * (the EIP-2200 table is an independent oracle for SSTORE metering), exceptional halts, jump
 * destination analysis, memory expansion, static mode, call depth. */
#include "test.h"

#include <pthread.h>
#include <string.h>

#include "evm/code.h"
#include "evm/interp.h"
#include "util/hex.h"

/* ---- mock host: one contract's storage (16 slots), logs counted, calls recurse into the same code */
typedef struct mock {
    pv_host base;
    u256 keys[16], vals[16], orig[16];
    int nslots;
    int logs;
    const pv_code *code;
    pv_fork fork;
    pv_tx_context ctx;
} mock;

static int slot_index(mock *m, const u256 *key, bool create)
{
    for (int i = 0; i < m->nslots; i++)
        if (u256_eq(&m->keys[i], key))
            return i;
    if (!create || m->nslots == 16)
        return -1;
    m->keys[m->nslots] = *key;
    m->vals[m->nslots] = u256_zero();
    m->orig[m->nslots] = u256_zero();
    return m->nslots++;
}

static bool m_exists(pv_host *h, const pv_address *a) { (void)h; (void)a; return true; }
static u256 m_get_storage(pv_host *h, const pv_address *a, const u256 *k)
{
    (void)a;
    int i = slot_index((mock *)h, k, false);
    return i < 0 ? u256_zero() : ((mock *)h)->vals[i];
}
static void m_set_storage(pv_host *h, const pv_address *a, const u256 *k, const u256 *v, u256 *orig, u256 *cur)
{
    (void)a;
    mock *m = (mock *)h;
    int i = slot_index(m, k, true);
    *orig = m->orig[i];
    *cur = m->vals[i];
    m->vals[i] = *v;
}
static u256 m_balance(pv_host *h, const pv_address *a) { (void)h; (void)a; return u256_from_u64(1000); }
static size_t m_code_size(pv_host *h, const pv_address *a) { (void)a; return ((mock *)h)->code->size; }
static pv_bytes32 m_code_hash(pv_host *h, const pv_address *a) { (void)h; (void)a; pv_bytes32 z = {{0}}; return z; }
static const uint8_t *m_code(pv_host *h, const pv_address *a, size_t *n) { (void)a; *n = ((mock *)h)->code->size; return ((mock *)h)->code->bytes; }
static bool m_selfdestruct(pv_host *h, const pv_address *a, const pv_address *b) { (void)h; (void)a; (void)b; return true; }
static pv_result m_call(pv_host *h, const pv_message *msg)
{
    mock *m = (mock *)h;
    return pv_execute(h, m->fork, msg, m->code);
}
static const pv_tx_context *m_ctx(pv_host *h) { return &((mock *)h)->ctx; }
static pv_bytes32 m_block_hash(pv_host *h, int64_t n) { (void)h; pv_bytes32 r = {{0}}; r.b[31] = (uint8_t)n; return r; }
static void m_log(pv_host *h, const pv_address *a, const uint8_t *d, size_t n, const pv_bytes32 *t, size_t nt)
{
    (void)a; (void)d; (void)n; (void)t; (void)nt;
    ((mock *)h)->logs++;
}
static bool m_access_account(pv_host *h, const pv_address *a) { (void)h; (void)a; return true; }
static bool m_access_storage(pv_host *h, const pv_address *a, const u256 *k) { (void)h; (void)a; (void)k; return true; }
static u256 m_tload(pv_host *h, const pv_address *a, const u256 *k) { (void)h; (void)a; (void)k; return u256_zero(); }
static void m_tstore(pv_host *h, const pv_address *a, const u256 *k, const u256 *v) { (void)h; (void)a; (void)k; (void)v; }

static const pv_host_interface mock_fn = {
    m_exists, m_get_storage, m_set_storage, m_balance, m_code_size, m_code_hash, m_code,
    m_selfdestruct, m_call, m_ctx, m_block_hash, m_log, m_access_account, m_access_storage,
    m_tload, m_tstore,
};

typedef struct run {
    pv_result r;
    int64_t gas_used;
} run;

static run exec_hex(mock *m, pv_fork fork, const char *hex, int64_t gas, bool is_static)
{
    uint8_t *bytes;
    size_t n;
    run out;
    memset(&out, 0, sizeof out);
    if (!pv_hex_decode_alloc(hex, strlen(hex), &bytes, &n)) {
        out.r.status = PV_INTERNAL_ERROR;
        return out;
    }
    pv_code *c = pv_code_new(bytes, n);
    m->base.fn = &mock_fn;
    m->code = c;
    m->fork = fork;
    pv_message msg;
    memset(&msg, 0, sizeof msg);
    msg.gas = gas;
    msg.is_static = is_static;
    msg.kind = PV_CALL;
    out.r = pv_execute(&m->base, fork, &msg, c);
    out.gas_used = gas - out.r.gas_left;
    pv_code_free(c);
    free(bytes);
    return out;
}

/* Runs code that ends with RETURN of one word; returns the word. */
static bool returns_word(mock *m, pv_fork fork, const char *hex, const char *expect_hex)
{
    run x = exec_hex(m, fork, hex, 1000000, false);
    bool ok = x.r.status == PV_SUCCESS && x.r.output_size == 32;
    uint8_t want[32];
    ok = ok && pv_hex_decode_fixed(expect_hex, strlen(expect_hex), want, 32);
    ok = ok && memcmp(x.r.output, want, 32) == 0;
    free(x.r.output);
    return ok;
}

#define RET "60005260206000f3" /* MSTORE at 0, RETURN 32 bytes */

static void test_eip2200_table(void)
{
    static const struct { const char *code; int64_t gas; int64_t refund; int orig; } rows[] = {
        {"60006000556000600055", 1612, 0, 0},
        {"60006000556001600055", 20812, 0, 0},
        {"60016000556000600055", 20812, 19200, 0},
        {"60016000556002600055", 20812, 0, 0},
        {"60016000556001600055", 20812, 0, 0},
        {"60006000556000600055", 5812, 15000, 1},
        {"60006000556001600055", 5812, 4200, 1},
        {"60006000556002600055", 5812, 0, 1},
        {"60026000556000600055", 5812, 15000, 1},
        {"60026000556003600055", 5812, 0, 1},
        {"60026000556001600055", 5812, 4200, 1},
        {"60026000556002600055", 5812, 0, 1},
        {"60016000556000600055", 5812, 15000, 1},
        {"60016000556002600055", 5812, 0, 1},
        {"60016000556001600055", 1612, 0, 1},
        {"600160005560006000556001600055", 40818, 19200, 0},
        {"600060005560016000556000600055", 10818, 19200, 1},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        mock m;
        memset(&m, 0, sizeof m);
        if (rows[i].orig) {
            m.nslots = 1;
            m.keys[0] = u256_zero();
            m.vals[0] = m.orig[0] = u256_from_u64((uint64_t)rows[i].orig);
        }
        run x = exec_hex(&m, PV_ISTANBUL, rows[i].code, 100000, false);
        CHECK(x.r.status == PV_SUCCESS, "row %zu status %s", i, pv_status_name(x.r.status));
        CHECK(x.gas_used == rows[i].gas, "row %zu gas %lld want %lld", i, (long long)x.gas_used, (long long)rows[i].gas);
        CHECK(x.r.gas_refund == rows[i].refund, "row %zu refund %lld want %lld", i, (long long)x.r.gas_refund, (long long)rows[i].refund);
        free(x.r.output);
    }
}

static void test_arith(void)
{
    mock m;
    memset(&m, 0, sizeof m);
    CHECK(returns_word(&m, PV_CANCUN, "6002600301" RET, "0000000000000000000000000000000000000000000000000000000000000005"), "add");
    CHECK(returns_word(&m, PV_CANCUN, "6003600203" RET, "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"), "2-3 wraps");
    CHECK(returns_word(&m, PV_CANCUN, "6000600704" RET, "0000000000000000000000000000000000000000000000000000000000000000"), "div by zero");
    CHECK(returns_word(&m, PV_CANCUN, "600260ff1b" RET, "0000000000000000000000000000000000000000000000000000000000000000"), "shl 255 of 2");
    CHECK(returns_word(&m, PV_CANCUN, "600160ff1b" RET, "8000000000000000000000000000000000000000000000000000000000000000"), "shl 255 of 1");
    CHECK(returns_word(&m, PV_CANCUN, "60ff60001a" RET, "0000000000000000000000000000000000000000000000000000000000000000"), "byte 0 of 0xff");
    CHECK(returns_word(&m, PV_CANCUN, "60ff601f1a" RET, "00000000000000000000000000000000000000000000000000000000000000ff"), "byte 31 of 0xff");
    CHECK(returns_word(&m, PV_CANCUN, "60ff60000b" RET, "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"), "signextend");
    CHECK(returns_word(&m, PV_CANCUN, "600a60020a" RET, "0000000000000000000000000000000000000000000000000000000000000400"), "2**10");
    CHECK(returns_word(&m, PV_CANCUN, "5f5f5f5f" "6001" "6002" "91" "50" RET, "0000000000000000000000000000000000000000000000000000000000000001"), "push0, swap2");
    /* keccak256 of 32 zero bytes */
    CHECK(returns_word(&m, PV_CANCUN, "60206000" "20" RET, "290decd9548b62a8d60345a988386fc84ba6bc95484008f6362f93160ef3e563"), "keccak of zero word");
    /* CALLDATASIZE of empty input, PC, MSIZE after MSTORE */
    CHECK(returns_word(&m, PV_CANCUN, "600160405259" RET, "0000000000000000000000000000000000000000000000000000000000000060"), "msize");
}

static void test_halts_and_gas(void)
{
    mock m;
    memset(&m, 0, sizeof m);
    run x = exec_hex(&m, PV_CANCUN, "600160020100", 100, false);  /* PUSH PUSH ADD STOP */
    CHECK(x.r.status == PV_SUCCESS && x.gas_used == 9, "simple gas %lld", (long long)x.gas_used);
    x = exec_hex(&m, PV_CANCUN, "01", 100, false);
    CHECK(x.r.status == PV_STACK_UNDERFLOW && x.r.gas_left == 0, "underflow %s", pv_status_name(x.r.status));
    x = exec_hex(&m, PV_CANCUN, "6001600201", 8, false);
    CHECK(x.r.status == PV_OUT_OF_GAS, "oog %s", pv_status_name(x.r.status));
    x = exec_hex(&m, PV_CANCUN, "600456", 100, false);            /* jump into nowhere */
    CHECK(x.r.status == PV_BAD_JUMP_DESTINATION, "bad jump %s", pv_status_name(x.r.status));
    x = exec_hex(&m, PV_CANCUN, "6003565b", 100, false);          /* JUMPDEST at 3 */
    CHECK(x.r.status == PV_SUCCESS && x.gas_used == 3 + 8 + 1, "good jump %s %lld", pv_status_name(x.r.status), (long long)x.gas_used);
    x = exec_hex(&m, PV_CANCUN, "6004566000" "5b", 100, false);   /* 0x5b inside PUSH data? no: at 5 is a real JUMPDEST; jump to 4 = inside push */
    CHECK(x.r.status == PV_BAD_JUMP_DESTINATION, "jump into push data %s", pv_status_name(x.r.status));
    x = exec_hex(&m, PV_CANCUN, "615b00600156", 100, false);      /* 0x5b is PUSH2 data */
    CHECK(x.r.status == PV_BAD_JUMP_DESTINATION, "jumpdest in push data %s", pv_status_name(x.r.status));
    x = exec_hex(&m, PV_CANCUN, "fe", 100, false);
    CHECK(x.r.status == PV_INVALID_INSTRUCTION && x.r.gas_left == 0, "invalid");
    x = exec_hex(&m, PV_LONDON, "5f", 100, false);                /* PUSH0 before Shanghai */
    CHECK(x.r.status == PV_INVALID_INSTRUCTION, "push0 in london %s", pv_status_name(x.r.status));
    x = exec_hex(&m, PV_FRONTIER, "fd", 100, false);              /* REVERT before Byzantium */
    CHECK(x.r.status == PV_INVALID_INSTRUCTION, "revert in frontier");
    x = exec_hex(&m, PV_CANCUN, "60006000fd", 100, false);
    CHECK(x.r.status == PV_REVERT && x.r.gas_left == 94, "revert keeps gas %lld", (long long)x.r.gas_left);
    /* memory expansion: MSTORE at 0 costs 3 + 3 (one word) */
    x = exec_hex(&m, PV_CANCUN, "6001600052", 100, false);
    CHECK(x.r.status == PV_SUCCESS && x.gas_used == 12, "mstore gas %lld", (long long)x.gas_used);
    /* MSTORE at 1024: 33 words -> 3*33 + 33*33/512 = 99 + 2 */
    x = exec_hex(&m, PV_CANCUN, "600161040052", 1000, false);
    CHECK(x.r.status == PV_SUCCESS && x.gas_used == 3 + 3 + 3 + 99 + 2, "mstore 1024 gas %lld", (long long)x.gas_used);
    /* huge offset: out of gas, not a crash */
    x = exec_hex(&m, PV_CANCUN, "60017fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff52", 1000000, false);
    CHECK(x.r.status == PV_OUT_OF_GAS, "huge mstore %s", pv_status_name(x.r.status));
    /* static mode */
    x = exec_hex(&m, PV_CANCUN, "6001600055", 100000, true);
    CHECK(x.r.status == PV_STATIC_MODE_VIOLATION, "sstore static %s", pv_status_name(x.r.status));
    x = exec_hex(&m, PV_CANCUN, "60006000a0", 100000, true);
    CHECK(x.r.status == PV_STATIC_MODE_VIOLATION, "log static");
    /* stack overflow: 1025 pushes */
    {
        char code[1025 * 2 + 1];
        for (int i = 0; i < 1025; i++)
            memcpy(code + 2 * i, "5f", 2);
        code[1025 * 2] = 0;
        x = exec_hex(&m, PV_CANCUN, code, 100000, false);
        CHECK(x.r.status == PV_STACK_OVERFLOW, "overflow %s", pv_status_name(x.r.status));
    }
    /* EXP gas: 10 + 50 per exponent byte from Spurious Dragon, 10 per byte before */
    x = exec_hex(&m, PV_CANCUN, "61ffff60020a", 1000, false);
    CHECK(x.gas_used == 3 + 3 + 10 + 100, "exp gas %lld", (long long)x.gas_used);
    x = exec_hex(&m, PV_HOMESTEAD, "61ffff60020a", 1000, false);
    CHECK(x.gas_used == 3 + 3 + 10 + 20, "exp gas homestead %lld", (long long)x.gas_used);
    /* LOG1: 375 + 375 + 8*32 + memory */
    m.logs = 0;
    x = exec_hex(&m, PV_CANCUN, "600160206000a1", 10000, false);
    CHECK(x.r.status == PV_SUCCESS && m.logs == 1 && x.gas_used == 9 + 750 + 256 + 3, "log gas %lld", (long long)x.gas_used);
}

/* Recursion to the depth limit: code that calls itself with all gas; the 1025th call fails softly. */
static void test_depth(void)
{
    mock m;
    memset(&m, 0, sizeof m);
    /* PUSH1 0 (x4: out/in regions), PUSH1 0 (addr), GAS, DELEGATECALL, then return the depth marker */
    run x = exec_hex(&m, PV_CANCUN, "6000600060006000600030" "5a" "f4" "00", 1000000000000LL, false);
    CHECK(x.r.status == PV_SUCCESS, "deep recursion %s", pv_status_name(x.r.status));
    pv_interp_thread_cleanup();
}

/* 1024 nested frames need the stack the executors give their threads (256 MiB reserved, as
 * the pool's): the main thread's 8 MiB is not enough for them under AddressSanitizer. */
static void *depth_thread(void *arg)
{
    (void)arg;
    test_depth();
    return NULL;
}

static void run_with_big_stack(void *(*fn)(void *))
{
    pthread_attr_t at;
    pthread_attr_init(&at);
    pthread_attr_setstacksize(&at, (size_t)256 << 20);
    pthread_t t;
    CHECK(pthread_create(&t, &at, fn, NULL) == 0, "thread for the deep calls");
    pthread_join(t, NULL);
    pthread_attr_destroy(&at);
}

/* The JUMPDEST map by its definition, a byte at a time: a JUMPDEST byte that is not PUSH data. */
static bool reference_jumpdest(const uint8_t *code, size_t n, size_t pos)
{
    for (size_t pc = 0; pc < n; pc++) {
        if (pc == pos)
            return code[pc] == 0x5b;
        if (code[pc] >= 0x60 && code[pc] <= 0x7f)
            pc += (size_t)(code[pc] - 0x5f);
        if (pc >= pos)
            return false;
    }
    return false;
}

/* pv_code_new's map (64-byte blocks, PUSH data carried across them) against the definition, on
 * hand-made cases at the block edges and on random code rich in PUSH and JUMPDEST bytes. */
static void test_jumpdest_map(void)
{
    uint8_t code[2100];
    unsigned wrong = 0, cases = 0;
    uint64_t seed = 0x5eedULL;
    for (unsigned t = 0; t < 6000; t++) {
        size_t n;
        memset(code, 0x5b, sizeof code);
        if (t < 200) {
            /* a PUSHk at positions around the block edges, JUMPDESTs everywhere else */
            n = 64 * (1 + t % 3) + t % 7;
            size_t at = 64 * (t % 3) + 64 - 1 - (t / 3) % 34;
            if (at < n)
                code[at] = (uint8_t)(0x60 + (t * 7) % 32);
            if (t % 5 == 0 && n)
                code[n - 1] = 0x7f; /* a PUSH32 as the last byte */
        } else {
            n = test_xorshift(&seed) % (t < 1000 ? 300 : sizeof code);
            for (size_t i = 0; i < n; i++) {
                uint64_t r = test_xorshift(&seed);
                code[i] = r % 10 < 4 ? (uint8_t)(0x60 + (r >> 8) % 32) : r % 10 < 6 ? 0x5b : (uint8_t)(r >> 16);
            }
        }
        pv_code *c = pv_code_new(code, n);
        for (size_t pos = 0; pos < (n / 64 + 1) * 64; pos++) {
            bool got = (c->jumpdests[pos >> 6] >> (pos & 63)) & 1;
            wrong += got != (pos < n && reference_jumpdest(code, n, pos));
        }
        pv_code_free(c);
        cases++;
    }
    CHECK(wrong == 0, "%u JUMPDEST map bits differ from the definition over %u codes", wrong, cases);
}

int main(void)
{
    test_jumpdest_map();
    test_arith();
    test_halts_and_gas();
    test_eip2200_table();
    run_with_big_stack(depth_thread);
    TEST_DONE();
}
