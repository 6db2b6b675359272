/* Random block generator: see block_gen.h and docs/ARCHITECTURE.md ("Random blocks"). */
#include "block_gen.h"

#include "../exec/host_impl.h"

#include <errno.h>
#include <stdarg.h>
#include <math.h>
#include <pthread.h>
#include <secp256k1.h>
#include <secp256k1_recovery.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "../crypto/secp256k1_recover.h"
#include "../exec/transition.h"
#include "../state/trie.h"
#include "../util/hex.h"
#include "../util/keccak.h"
#include "../util/rlp.h"
#include "../util/uint256.h"
#include "block_gen_data.h"
#include "block_json.h"
#include "json_util.h"
#include "tx_codec.h"

/* ------------------------------------------------------------------------------------------ */
/* Deterministic randomness: xoshiro256** seeded through splitmix64.                          */

typedef struct rng {
    uint64_t s[4];
} rng;

static uint64_t splitmix(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static void rng_seed(rng *r, uint64_t seed)
{
    for (int i = 0; i < 4; i++)
        r->s[i] = splitmix(&seed);
}

static inline uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

static uint64_t rnext(rng *r)
{
    uint64_t *s = r->s, out = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return out;
}

static uint64_t rbelow(rng *r, uint64_t n) { return n ? rnext(r) % n : 0; }
static double runit(rng *r) { return (double)(rnext(r) >> 11) * 0x1p-53; }
static bool rchance(rng *r, double p) { return runit(r) < p; }

static void rbytes(rng *r, uint8_t *out, size_t n)
{
    for (size_t i = 0; i < n; i += 8) {
        uint64_t v = rnext(r);
        for (size_t j = 0; j < 8 && i + j < n; j++)
            out[i + j] = (uint8_t)(v >> (8 * j));
    }
}

/* ------------------------------------------------------------------------------------------ */
/* Small helpers                                                                              */

static void *grow(void *p, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap)
        return p;
    size_t c = *cap ? *cap : 16;
    while (c < need)
        c *= 2;
    p = realloc(p, c * elem);
    if (!p)
        abort();
    *cap = c;
    return p;
}

static const uint64_t GWEI = 1000000000ULL;
static const uint64_t ETHER = 1000000000000000000ULL;

static u256 mul64(uint64_t a, uint64_t b)
{
    u256 x = u256_from_u64(a), y = u256_from_u64(b), r;
    u256_mul(&r, &x, &y);
    return r;
}

static void word_u64(uint8_t out[32], uint64_t v)
{
    memset(out, 0, 32);
    for (int i = 0; i < 8; i++)
        out[31 - i] = (uint8_t)(v >> (8 * i));
}

static void word_addr(uint8_t out[32], const pv_address *a)
{
    memset(out, 0, 12);
    memcpy(out + 12, a->b, 20);
}

static void word_u256(uint8_t out[32], const u256 *v) { u256_to_be(v, out); }

/* keccak256(tag ++ be64(a) ++ be64(b)): every seed-derived value (keys, addresses, hashes). */
static void tagged_hash(const char *tag, uint64_t a, uint64_t b, uint8_t out[32])
{
    uint8_t pre[96];
    size_t tl = strlen(tag);
    if (tl > sizeof pre - 16)
        abort();
    memcpy(pre, tag, tl);
    for (int i = 0; i < 8; i++) {
        pre[tl + i] = (uint8_t)(a >> (8 * (7 - i)));
        pre[tl + 8 + i] = (uint8_t)(b >> (8 * (7 - i)));
    }
    pv_keccak256(pre, tl + 16, out);
}

/* keccak256(pad32(key) ++ pad32(slot)): a Solidity mapping entry. */
static void mapping_slot(const pv_address *key, uint64_t slot, uint8_t out[32])
{
    uint8_t pre[64];
    word_addr(pre, key);
    word_u64(pre + 32, slot);
    pv_keccak256(pre, 64, out);
}

/* A short Solidity string (< 32 bytes): left-aligned, lowest byte 2 * length. */
static u256 short_string(const char *s)
{
    uint8_t w[32] = {0};
    size_t n = strlen(s);
    memcpy(w, s, n);
    w[31] = (uint8_t)(2 * n);
    u256 v;
    u256_from_be(&v, w, 32);
    return v;
}

/* ------------------------------------------------------------------------------------------ */
/* A tiny EVM assembler. Programs are text, one token per opcode or argument:
 *   STOP, ADD, ..., DUP1-DUP6, SWAP1, LOG1-LOG3, CALL, ...   the opcode
 *   PUSH <n>      the shortest PUSH of n (decimal or 0x hex, below 2^64)
 *   PUSHk 0x<hex> PUSHk of that value, left-padded to k bytes
 *   PUSHk $       PUSHk of the next argument (const uint8_t *, k bytes), e.g. an address
 *   @name         a label (a JUMPDEST here)
 *   JUMP:name / JUMPI:name   PUSH2 of the label's position, then JUMP / JUMPI
 *   REVERT0       REVERT(0, 0) from Byzantium; before it, INVALID (an exceptional halt)
 *   ; ...         a comment, to the end of the line
 * A program may be assembled from several pieces (a_src calls) sharing labels.                 */

#define ASM_LABELS 8
#define ASM_FIXUPS 16

typedef struct asm_t {
    pv_buf b;
    pv_fork fork;
    char label_name[ASM_LABELS][16];
    size_t label_at[ASM_LABELS], nlabels;
    size_t fix_at[ASM_FIXUPS], fix_label[ASM_FIXUPS], nfix;
} asm_t;

static const struct {
    const char *name;
    uint8_t op;
} OPCODES[] = {
    {"STOP", 0x00}, {"ADD", 0x01}, {"SUB", 0x03}, {"DIV", 0x04}, {"LT", 0x10}, {"EQ", 0x14},
    {"ISZERO", 0x15}, {"AND", 0x16}, {"XOR", 0x18}, {"SHA3", 0x20}, {"BALANCE", 0x31},
    {"CALLER", 0x33}, {"CALLVALUE", 0x34}, {"CALLDATALOAD", 0x35}, {"CALLDATASIZE", 0x36},
    {"CALLDATACOPY", 0x37}, {"CODECOPY", 0x39}, {"BLOCKHASH", 0x40}, {"NUMBER", 0x43}, {"POP", 0x50},
    {"MLOAD", 0x51}, {"MSTORE", 0x52}, {"MSTORE8", 0x53}, {"SLOAD", 0x54}, {"SSTORE", 0x55},
    {"JUMP", 0x56}, {"JUMPI", 0x57}, {"JUMPDEST", 0x5b}, {"DUP1", 0x80}, {"DUP2", 0x81},
    {"DUP3", 0x82}, {"DUP4", 0x83}, {"DUP5", 0x84}, {"DUP6", 0x85}, {"SWAP1", 0x90}, {"LOG1", 0xa1},
    {"LOG2", 0xa2}, {"LOG3", 0xa3}, {"CREATE", 0xf0}, {"CALL", 0xf1}, {"RETURN", 0xf3},
    {"CREATE2", 0xf5}, {"STATICCALL", 0xfa}, {"REVERT", 0xfd}, {"INVALID", 0xfe},
    {"SELFDESTRUCT", 0xff},
};

static void a_init(asm_t *a, pv_fork fork)
{
    memset(a, 0, sizeof *a);
    pv_buf_init(&a->b);
    a->fork = fork;
}

static void a_op(asm_t *a, uint8_t op) { pv_buf_append(&a->b, &op, 1); }

static void a_push(asm_t *a, const uint8_t *v, size_t n)
{
    a_op(a, (uint8_t)(0x60 + n - 1));
    pv_buf_append(&a->b, v, n);
}

static size_t a_label_index(asm_t *a, const char *name, size_t len)
{
    for (size_t i = 0; i < a->nlabels; i++)
        if (strlen(a->label_name[i]) == len && memcmp(a->label_name[i], name, len) == 0)
            return i;
    if (a->nlabels == ASM_LABELS || len >= sizeof a->label_name[0])
        abort();
    memcpy(a->label_name[a->nlabels], name, len);
    a->label_name[a->nlabels][len] = 0;
    a->label_at[a->nlabels] = SIZE_MAX;
    return a->nlabels++;
}

/* The programs are constants of this file: a malformed one is a bug, so it aborts. */
static void a_src(asm_t *a, const char *src, ...)
{
    va_list args;
    va_start(args, src);
    const char *p = src;
    for (;;) {
        while (*p == ' ' || *p == '\n')
            p++;
        if (*p == ';') {
            while (*p && *p != '\n')
                p++;
            continue;
        }
        if (!*p)
            break;
        const char *t = p;
        while (*p && *p != ' ' && *p != '\n')
            p++;
        size_t n = (size_t)(p - t);
        if (t[0] == '@') {
            a->label_at[a_label_index(a, t + 1, n - 1)] = a->b.len;
            a_op(a, 0x5b);
        } else if (n > 5 && (memcmp(t, "JUMP:", 5) == 0 || memcmp(t, "JUMPI:", 6) == 0)) {
            bool cond = t[4] == 'I';
            size_t skip = cond ? 6 : 5;
            if (a->nfix == ASM_FIXUPS)
                abort();
            a->fix_label[a->nfix] = a_label_index(a, t + skip, n - skip);
            a->fix_at[a->nfix++] = a->b.len + 1;
            static const uint8_t zero[2];
            a_push(a, zero, 2);
            a_op(a, cond ? 0x57 : 0x56);
        } else if (n == 7 && memcmp(t, "REVERT0", 7) == 0) {
            if (a->fork >= PV_BYZANTIUM)
                a_src(a, "PUSH 0 DUP1 REVERT");
            else
                a_op(a, 0xfe);
        } else if (n >= 4 && memcmp(t, "PUSH", 4) == 0) {
            size_t width = 0; /* 0: shortest */
            for (size_t i = 4; i < n; i++)
                width = width * 10 + (size_t)(t[i] - '0');
            while (*p == ' ')
                p++;
            const char *v = p;
            while (*p && *p != ' ' && *p != '\n')
                p++;
            size_t vn = (size_t)(p - v);
            uint8_t w[32] = {0};
            if (width > 32 || (vn == 0))
                abort();
            if (v[0] == '$') {
                if (!width)
                    abort();
                memcpy(w + 32 - width, va_arg(args, const uint8_t *), width);
            } else if (vn > 2 && v[0] == '0' && v[1] == 'x') {
                size_t digits = vn - 2, bytes = (digits + 1) / 2;
                if (bytes > 32)
                    abort();
                for (size_t i = 0; i < digits; i++) {
                    char c = v[vn - 1 - i];
                    unsigned d = c <= '9' ? (unsigned)(c - '0') : (unsigned)((c | 0x20) - 'a' + 10);
                    if (d > 15)
                        abort();
                    w[31 - i / 2] |= (uint8_t)(d << (4 * (i % 2)));
                }
            } else {
                uint64_t x = 0;
                for (size_t i = 0; i < vn; i++) {
                    if (v[i] < '0' || v[i] > '9')
                        abort();
                    x = x * 10 + (uint64_t)(v[i] - '0');
                }
                word_u64(w, x);
            }
            if (!width) {
                width = 32;
                while (width > 1 && w[32 - width] == 0)
                    width--;
            }
            for (size_t i = 0; i < 32 - width; i++)
                if (w[i])
                    abort(); /* does not fit */
            a_push(a, w + 32 - width, width);
        } else {
            size_t i = 0;
            while (i < sizeof OPCODES / sizeof OPCODES[0] &&
                   (strlen(OPCODES[i].name) != n || memcmp(OPCODES[i].name, t, n) != 0))
                i++;
            if (i == sizeof OPCODES / sizeof OPCODES[0])
                abort();
            a_op(a, OPCODES[i].op);
        }
    }
    va_end(args);
}

/* Resolves the jumps and hands over the code. */
static pv_buf a_finish(asm_t *a)
{
    for (size_t i = 0; i < a->nfix; i++) {
        size_t at = a->label_at[a->fix_label[i]];
        if (at == SIZE_MAX || at > 0xffff)
            abort();
        a->b.data[a->fix_at[i]] = (uint8_t)(at >> 8);
        a->b.data[a->fix_at[i] + 1] = (uint8_t)at;
    }
    return a->b;
}

#define HOT_CALL_GAS "60000"

/*
 * The hot prologue: when calldata word 0 is non-zero (or always, for initcode), call the
 * counter contract with slot 0 (32 zero bytes of input), so that the transaction reads and
 * writes the shared counter.
 */
static void a_hot_prologue(asm_t *a, const pv_address *counter, bool from_calldata)
{
    if (from_calldata)
        a_src(a, "PUSH 0 CALLDATALOAD ISZERO JUMPI:cold");
    a_src(a, "PUSH 0 PUSH 0 PUSH 32 PUSH 0 PUSH 0 PUSH20 $ PUSH " HOT_CALL_GAS " CALL POP", counter->b);
    if (from_calldata)
        a_src(a, "@cold");
}

/* Appends the initcode tail that returns runtime (CODECOPY + RETURN), then the runtime. */
static void a_deploy(asm_t *a, const pv_buf *runtime)
{
    size_t len = runtime->len, off = a->b.len + 15;
    uint8_t l2[2] = {(uint8_t)(len >> 8), (uint8_t)len}, o2[2] = {(uint8_t)(off >> 8), (uint8_t)off};
    a_src(a, "PUSH2 $ PUSH2 $ PUSH 0 CODECOPY PUSH2 $ PUSH 0 RETURN", l2, o2, l2);
    pv_buf_append(&a->b, runtime->data, runtime->len);
}

/* ------------------------------------------------------------------------------------------ */
/* The hand-assembled contracts. Calldata words are numbered from 0 (word i at 32 * i); word 0  */
/* of the contracts with the hot prologue is the hot flag.                                    */

/* COUNTER(s): x = sload(s); sstore(s, x + 1); sstore(s + 1, x). Slot 0 is the shared counter. */
static pv_buf code_counter(pv_fork fork)
{
    asm_t a;
    a_init(&a, fork);
    a_src(&a, "PUSH 0 CALLDATALOAD DUP1 SLOAD         ; s x\n"
              "DUP1 PUSH 1 ADD DUP3 SSTORE            ; sstore(s, x + 1)\n"
              "SWAP1 PUSH 1 ADD SSTORE STOP           ; sstore(s + 1, x)\n");
    return a_finish(&a);
}

/* REVERTER(hot, mode, slot): x = sload(slot) + 1; sstore(slot, x); log1(x, topic slot);
 * mode 1: revert; mode 2: revert when x is even (depends on earlier transactions). */
static pv_buf code_reverter(pv_fork fork, const pv_address *counter)
{
    asm_t a;
    a_init(&a, fork);
    a_hot_prologue(&a, counter, true);
    a_src(&a, "PUSH 0x40 CALLDATALOAD DUP1 SLOAD PUSH 1 ADD   ; slot x\n"
              "DUP1 DUP3 SSTORE                               ; sstore(slot, x)\n"
              "DUP1 PUSH 0 MSTORE DUP2 PUSH 32 PUSH 0 LOG1    ; log1(mem[0..32] = x, topic slot)\n"
              "PUSH 0x20 CALLDATALOAD                         ; slot x mode\n"
              "DUP1 PUSH 1 EQ JUMPI:revert\n"
              "PUSH 2 EQ JUMPI:check STOP\n"
              "@check PUSH 1 AND ISZERO JUMPI:revert STOP     ; x even: revert\n"
              "@revert REVERT0\n");
    return a_finish(&a);
}

/* BURNER(hot): loops until out of gas. */
static pv_buf code_burner(pv_fork fork, const pv_address *counter)
{
    asm_t a;
    a_init(&a, fork);
    a_hot_prologue(&a, counter, true);
    a_src(&a, "@loop JUMP:loop");
    return a_finish(&a);
}

/* READER(hot, key, holder, account, depth):
 * sstore(key, token.balanceOf(holder) ^ balance(account) ^ blockhash(number - depth)).
 * STATICCALL from Byzantium, a CALL without value before. */
static pv_buf code_reader(pv_fork fork, const pv_address *counter, const pv_address *token)
{
    asm_t a;
    a_init(&a, fork);
    a_hot_prologue(&a, counter, true);
    a_src(&a, "PUSH32 0x70a0823100000000000000000000000000000000000000000000000000000000\n"
              "PUSH 0x80 MSTORE PUSH 0x40 CALLDATALOAD PUSH 0x84 MSTORE   ; balanceOf(holder) at 0x80\n"
              "PUSH 0x20 PUSH 0x100 PUSH 0x24 PUSH 0x80                   ; output to 0x100\n");
    if (fork >= PV_BYZANTIUM)
        a_src(&a, "PUSH20 $ PUSH 100000 STATICCALL POP", token->b);
    else
        a_src(&a, "PUSH 0 PUSH20 $ PUSH 100000 CALL POP", token->b);
    a_src(&a, "PUSH 0x100 MLOAD\n"
              "PUSH 0x60 CALLDATALOAD BALANCE XOR\n"
              "PUSH 0x80 CALLDATALOAD NUMBER SUB BLOCKHASH XOR\n"
              "PUSH 0x20 CALLDATALOAD SSTORE STOP\n");
    return a_finish(&a);
}

/* FACTORY(hot, op, salt, initcode...): addr = CREATE2(callvalue, initcode, salt) (CREATE before
 * Constantinople); op 1: then call addr; log2(topics salt, addr) -- addr 0 when creation failed
 * (a CREATE2 address collision). */
static pv_buf code_factory(pv_fork fork, const pv_address *counter)
{
    asm_t a;
    a_init(&a, fork);
    a_hot_prologue(&a, counter, true);
    a_src(&a, "PUSH 0x60 CALLDATASIZE SUB                      ; len\n"
              "DUP1 PUSH 0x60 PUSH 0 CALLDATACOPY              ; mem[0..len] = initcode\n");
    if (fork >= PV_CONSTANTINOPLE)
        a_src(&a, "PUSH 0x40 CALLDATALOAD SWAP1 PUSH 0 CALLVALUE CREATE2");
    else
        a_src(&a, "PUSH 0 CALLVALUE CREATE");
    a_src(&a, "PUSH 0x20 CALLDATALOAD PUSH 1 EQ ISZERO JUMPI:logit   ; addr\n"
              "PUSH 0 PUSH 0 PUSH 0 PUSH 0 PUSH 0 DUP6 PUSH 100000 CALL POP\n"
              "@logit PUSH 0x40 CALLDATALOAD PUSH 0 PUSH 0 LOG2 STOP\n");
    return a_finish(&a);
}

/* SD(hot, mode, beneficiary): mode 0: sstore(0, sload(0) + 1); otherwise SELFDESTRUCT(beneficiary). */
static pv_buf code_selfdestruct(pv_fork fork, const pv_address *counter)
{
    asm_t a;
    a_init(&a, fork);
    a_hot_prologue(&a, counter, true);
    a_src(&a, "PUSH 0x20 CALLDATALOAD JUMPI:destroy\n"
              "PUSH 0 SLOAD PUSH 1 ADD PUSH 0 SSTORE STOP\n"
              "@destroy PUSH 0x40 CALLDATALOAD SELFDESTRUCT\n");
    return a_finish(&a);
}

/* PROXY(hot, target, payload...): ok = CALL(target, callvalue, payload); log1(first output
 * word, topic ok). Catches an inner revert (the transaction succeeds). */
static pv_buf code_proxy(pv_fork fork, const pv_address *counter)
{
    asm_t a;
    a_init(&a, fork);
    a_hot_prologue(&a, counter, true);
    a_src(&a, "PUSH 0x40 CALLDATASIZE SUB                      ; len\n"
              "DUP1 PUSH 0x40 PUSH 0 CALLDATACOPY              ; mem[0..len] = payload\n"
              "PUSH 32 PUSH 0 DUP3 PUSH 0 CALLVALUE PUSH 0x20 CALLDATALOAD PUSH 150000 CALL   ; len ok\n"
              "PUSH 32 PUSH 0 LOG1 STOP\n");
    return a_finish(&a);
}

/* A minimal ERC-20 (transfer, balanceOf; balances mapping at slot 0, Transfer log) for forks
 * before Constantinople, where the fixture token's SHL/SHR do not exist. */
static pv_buf code_mini_token(pv_fork fork)
{
    static const char sig[] = "Transfer(address,address,uint256)";
    uint8_t topic[32];
    pv_keccak256((const uint8_t *)sig, sizeof sig - 1, topic);
    asm_t a;
    a_init(&a, fork);
    a_src(&a, "PUSH29 0x0100000000000000000000000000000000000000000000000000000000\n"
              "PUSH 0 CALLDATALOAD DIV                          ; selector (no SHR yet)\n"
              "DUP1 PUSH4 0xa9059cbb EQ JUMPI:transfer\n"
              "PUSH4 0x70a08231 EQ JUMPI:balance\n"
              "REVERT0\n"
              "@transfer\n"
              "CALLER PUSH 0 MSTORE PUSH 0 PUSH 0x20 MSTORE PUSH 0x40 PUSH 0 SHA3   ; from's slot\n"
              "DUP1 SLOAD PUSH 0x24 CALLDATALOAD               ; fslot fbal amount\n"
              "DUP1 DUP3 LT JUMPI:fail                         ; fbal < amount\n"
              "SWAP1 SUB SWAP1 SSTORE\n"
              "PUSH 4 CALLDATALOAD PUSH 0 MSTORE PUSH 0x40 PUSH 0 SHA3               ; to's slot\n"
              "DUP1 SLOAD PUSH 0x24 CALLDATALOAD ADD SWAP1 SSTORE\n"
              "PUSH 0x24 CALLDATALOAD PUSH 0 MSTORE\n"
              "PUSH 4 CALLDATALOAD CALLER PUSH32 $ PUSH 0x20 PUSH 0 LOG3             ; Transfer(from, to, amount)\n"
              "PUSH 1 PUSH 0 MSTORE PUSH 0x20 PUSH 0 RETURN\n"
              "@balance\n"
              "PUSH 4 CALLDATALOAD PUSH 0 MSTORE PUSH 0 PUSH 0x20 MSTORE PUSH 0x40 PUSH 0 SHA3\n"
              "SLOAD PUSH 0 MSTORE PUSH 0x20 PUSH 0 RETURN\n"
              "@fail REVERT0\n",
          topic);
    return a_finish(&a);
}

/* EIP-4788 beacon roots contract, the runtime code given in the EIP ("Deployment"). */
static const char BEACON_ROOTS_CODE_HEX[] =
    "3373fffffffffffffffffffffffffffffffffffffffe14604d57602036146024575f5ffd5b5f35801560495762001fff"
    "810690815414603c575f5ffd5b62001fff01545f5260205ff35b5f5ffd5b62001fff42064281555f359062001fff015500";
static const pv_address BEACON_ROOTS = {{0x00, 0x0F, 0x3d, 0xf6, 0xD7, 0x32, 0x80, 0x7E, 0xf1, 0x31,
                                         0x9f, 0xB7, 0xB8, 0xbB, 0x85, 0x22, 0xd0, 0xBe, 0xac, 0x02}};

/* Fixture bytecode, decoded once. */
static pv_buf fixture_erc20, fixture_weth9, beacon_code;
static pthread_once_t fixtures_once = PTHREAD_ONCE_INIT;
static secp256k1_context *secp;

static void decode_hex_into(pv_buf *b, const char *hex)
{
    uint8_t *d;
    size_t n;
    if (!pv_hex_decode_alloc(hex, strlen(hex), &d, &n))
        abort();
    pv_buf_init(b);
    pv_buf_append(b, d, n);
    free(d);
}

static void init_once(void)
{
    decode_hex_into(&fixture_erc20, pv_gen_erc20_runtime_hex);
    decode_hex_into(&fixture_weth9, pv_gen_weth9_runtime_hex);
    decode_hex_into(&beacon_code, BEACON_ROOTS_CODE_HEX);
    secp = secp256k1_context_create(SECP256K1_CONTEXT_SIGN);
    if (!secp)
        abort();
}

/* ------------------------------------------------------------------------------------------ */
/* Generator state                                                                            */

typedef struct sender {
    uint8_t key[32];
    pv_address addr;
    uint64_t next_nonce;        /* next nonce of a transaction that will be valid */
    size_t valid;               /* valid transactions so far in the block */
    u256 token;                 /* token balance in the pre-state */
} sender;

typedef struct pre_acct {
    pv_address a;
    u256 balance;
    uint64_t nonce;
    const pv_buf *code;         /* NULL: no code */
} pre_acct;

typedef struct pre_slot {
    pv_address a;
    uint8_t key[32];
    u256 value;
} pre_slot;

/* Where the scripted and guaranteed transactions go (schedule codes; 0 = random mix). */
enum {
    SLOT_RANDOM = 0,
    SLOT_INVALID,
    S_BEACON_READ, S_CREATE2_FIRST, S_SD_A_DESTROY, S_SD_B_DESTROY, S_SD_A_CALL1, S_CREATE2_SECOND,
    S_SD_A_RECREATE, S_CREATE_DESTROY, S_SD_A_CALL2, S_FACTORY_DESTROY,
    G_TOKEN, G_REVERT, G_OOG, G_CREATE, G_PRECOMPILE, G_COINBASE_FROM, G_COINBASE_TO, G_CALL_NEW,
    G_COUNTER, G_READER,
};

typedef struct gen {
    pv_gen_params p;
    pv_fork fork;
    rng r;
    int64_t number, timestamp;
    u256 base_fee, blob_base_fee;
    uint64_t excess_blob_gas;
    uint64_t legacy_price;      /* gas price of the drain transactions and of the drained */

    /* contracts and their code */
    pv_buf c_counter, c_reverter, c_burner, c_reader, c_factory, c_sd, c_proxy, c_mini_token;
    pv_buf init_child, init_sd, init_reverter;
    const pv_buf *token_code;
    pv_address counter, reverter, burner, reader, factory, sd_a, sd_b, proxy, token, weth;
    pv_address hot_recipient, hot_holder, quiet[8];
    uint8_t collide_salt[32], sd_salt[32];
    bool have_weth;

    sender *senders;
    size_t nsenders, csenders, nregular, coinbase;
    size_t *drained;
    size_t ndrained, cdrained, ndrainable;

    pre_acct *acc;
    size_t nacc, cacc;
    pre_slot *slots;
    size_t nslots, cslots;
    uint64_t derive_counter;

    pv_address *created;        /* contracts created earlier in the block (called by CALL_NEW) */
    size_t ncreated, ccreated;
    bool hash_read[257];

    /* output */
    pv_buf txj;                 /* the transactions JSON array's items */
    pv_buf enc;                 /* consensus encodings, for the transactions root */
    size_t *enc_off, cenc_off;
    size_t ntx, blobs;
    uint64_t gas_sum;
    pv_buf scratch;
    pv_gen_info *info;
} gen;

/* ---- accounts ---- */

static pv_address derive_address(gen *g, const char *tag)
{
    uint8_t h[32];
    tagged_hash(tag, g->p.seed, g->derive_counter++, h);
    pv_address a;
    memcpy(a.b, h + 12, 20);
    return a;
}

static size_t add_acct(gen *g, const pv_address *a, u256 balance, uint64_t nonce, const pv_buf *code)
{
    g->acc = grow(g->acc, &g->cacc, g->nacc + 1, sizeof *g->acc);
    pre_acct *x = &g->acc[g->nacc];
    x->a = *a;
    x->balance = balance;
    x->nonce = nonce;
    x->code = code;
    return g->nacc++;
}

static void add_slot(gen *g, const pv_address *a, const uint8_t key[32], u256 value)
{
    g->slots = grow(g->slots, &g->cslots, g->nslots + 1, sizeof *g->slots);
    pre_slot *s = &g->slots[g->nslots++];
    s->a = *a;
    memcpy(s->key, key, 32);
    s->value = value;
}

static void add_slot_u64(gen *g, const pv_address *a, uint64_t key, u256 value)
{
    uint8_t k[32];
    word_u64(k, key);
    add_slot(g, a, k, value);
}

static void set_token_balance(gen *g, const pv_address *holder, u256 amount)
{
    uint8_t k[32];
    mapping_slot(holder, 0, k);
    add_slot(g, &g->token, k, amount);
}

static uint64_t contract_nonce(const gen *g) { return g->fork >= PV_SPURIOUS_DRAGON ? 1 : 0; }

static size_t add_sender(gen *g, const char *tag, uint64_t index, u256 balance, uint64_t nonce)
{
    g->senders = grow(g->senders, &g->csenders, g->nsenders + 1, sizeof *g->senders);
    sender *s = &g->senders[g->nsenders];
    memset(s, 0, sizeof *s);
    tagged_hash(tag, g->p.seed, index, s->key);
    while (!secp256k1_ec_seckey_verify(secp, s->key))
        pv_keccak256(s->key, 32, s->key);
    if (!pv_secp256k1_sign_address(s->key, &s->addr))
        abort();
    s->next_nonce = nonce;
    add_acct(g, &s->addr, balance, nonce, NULL);
    return g->nsenders++;
}

/* A new existing EOA (listed in the pre-state), optionally holding tokens. */
static pv_address existing_account(gen *g, bool tokens)
{
    pv_address a = derive_address(g, "parevm-gen existing");
    add_acct(g, &a, mul64(1 + rbelow(&g->r, 10000), ETHER / 1000), rbelow(&g->r, 5), NULL);
    if (tokens && rchance(&g->r, 0.5))
        set_token_balance(g, &a, mul64(1 + rbelow(&g->r, 1000000), ETHER));
    return a;
}

static pv_address fresh_address(gen *g) { return derive_address(g, "parevm-gen fresh"); }

static size_t pick_sender(gen *g) { return (size_t)rbelow(&g->r, g->nregular); }

static pv_address create2_address(const pv_address *creator, const uint8_t salt[32], const pv_buf *initcode)
{
    u256 s;
    u256_from_be(&s, salt, 32);
    return pv_create2_address(creator, &s, initcode->data, initcode->len);
}

static void add_created(gen *g, const pv_address *a)
{
    g->created = grow(g->created, &g->ccreated, g->ncreated + 1, sizeof *g->created);
    g->created[g->ncreated++] = *a;
}

/* ---- transactions ---- */

typedef struct txreq {
    pv_gen_kind kind;
    pv_gen_expect expect;
    bool hot;
    size_t sender;
    bool create;
    pv_address to;
    u256 value;
    const uint8_t *data;
    size_t len;
    uint64_t extra_gas;         /* gas beyond the intrinsic gas */
    int type;                   /* -1: chosen by fork */
    bool explicit_nonce;
    uint64_t nonce;
    bool no_access_list;
    bool fixed_price;           /* legacy at g->legacy price (drain and drained) */
    int blobs;
} txreq;

static txreq req_new(gen *g, pv_gen_kind kind, bool hot)
{
    txreq q;
    memset(&q, 0, sizeof q);
    q.kind = kind;
    q.hot = hot;
    q.type = -1;
    q.sender = pick_sender(g);
    return q;
}

static uint64_t intrinsic_gas(pv_fork fork, const pv_signed_tx *t)
{
    const pv_tx *tx = &t->tx;
    uint64_t gas = 21000;
    if (tx->is_create && fork >= PV_HOMESTEAD)
        gas += 32000;
    for (size_t i = 0; i < tx->data_size; i++)
        gas += tx->data[i] ? (fork >= PV_ISTANBUL ? 16 : 68) : 4;
    for (size_t i = 0; i < tx->access_list_count; i++)
        gas += 2400 + 1900 * (uint64_t)tx->access_list[i].keys_count;
    if (tx->is_create && fork >= PV_SHANGHAI)
        gas += 2 * ((tx->data_size + 31) / 32);
    return gas;
}

static void sign_hash(const uint8_t key[32], const uint8_t hash[32], uint8_t rs[64], int *recid)
{
    secp256k1_ecdsa_recoverable_signature sig;
    if (!secp256k1_ecdsa_sign_recoverable(secp, &sig, hash, key, NULL, NULL))
        abort();
    secp256k1_ecdsa_recoverable_signature_serialize_compact(secp, rs, recid, &sig);
}

static void sign_tx(gen *g, pv_signed_tx *t, const uint8_t key[32])
{
    g->scratch.len = 0;
    pv_tx_encode_signing(t, &g->scratch);
    uint8_t h[32], rs[64];
    int recid;
    pv_keccak256(g->scratch.data, g->scratch.len, h);
    sign_hash(key, h, rs, &recid);
    u256_from_be(&t->r, rs, 32);
    u256_from_be(&t->s, rs + 32, 32);
    if (t->tx.type != 0)
        t->v = u256_from_u64((uint64_t)recid);
    else if (t->has_chain_id)
        t->v = u256_from_u64(t->chain_id * 2 + 35 + (uint64_t)recid);
    else
        t->v = u256_from_u64(27 + (uint64_t)recid);
    size_t at = g->enc.len;
    pv_tx_encode(t, &g->enc);
    pv_keccak256(g->enc.data + at, g->enc.len - at, t->hash.b);
}

/* ---- JSON text ---- */

static void js(pv_buf *b, const char *s) { pv_buf_append(b, (const uint8_t *)s, strlen(s)); }

static void jhex(pv_buf *b, const uint8_t *d, size_t n)
{
    static const char digits[] = "0123456789abcdef";
    pv_buf_reserve(b, 2 * n + 4);
    uint8_t *o = b->data + b->len;
    *o++ = '"';
    *o++ = '0';
    *o++ = 'x';
    for (size_t i = 0; i < n; i++) {
        *o++ = (uint8_t)digits[d[i] >> 4];
        *o++ = (uint8_t)digits[d[i] & 15];
    }
    *o++ = '"';
    b->len = (size_t)(o - b->data);
}

static void jq(pv_buf *b, uint64_t v)
{
    char s[32];
    snprintf(s, sizeof s, "\"0x%llx\"", (unsigned long long)v);
    js(b, s);
}

static void jq256(pv_buf *b, const u256 *v)
{
    char s[80];
    s[0] = '"';
    size_t n = u256_to_hex(v, s + 1);
    s[n + 1] = '"';
    s[n + 2] = 0;
    js(b, s);
}

static void jkey(pv_buf *b, const char *k)
{
    js(b, ",\"");
    js(b, k);
    js(b, "\":");
}

static void tx_json(gen *g, const pv_signed_tx *t, const pv_address *from, const u256 *effective_price)
{
    pv_buf *b = &g->txj;
    const pv_tx *tx = &t->tx;
    if (g->ntx)
        js(b, ",");
    js(b, "{\"type\":");
    jq(b, tx->type);
    jkey(b, "hash");
    jhex(b, t->hash.b, 32);
    jkey(b, "nonce");
    jq(b, tx->nonce);
    jkey(b, "blockNumber");
    jq(b, (uint64_t)g->number);
    jkey(b, "transactionIndex");
    jq(b, g->ntx);
    jkey(b, "from");
    jhex(b, from->b, 20);
    jkey(b, "to");
    if (tx->is_create)
        js(b, "null");
    else
        jhex(b, tx->to.b, 20);
    jkey(b, "value");
    jq256(b, &tx->value);
    jkey(b, "gas");
    jq(b, tx->gas_limit);
    jkey(b, "gasPrice");
    jq256(b, effective_price);
    if (tx->type >= 2) {
        jkey(b, "maxFeePerGas");
        jq256(b, &tx->max_fee_per_gas);
        jkey(b, "maxPriorityFeePerGas");
        jq256(b, &tx->max_priority_fee_per_gas);
    }
    if (tx->type == 3) {
        jkey(b, "maxFeePerBlobGas");
        jq256(b, &tx->max_fee_per_blob_gas);
        jkey(b, "blobVersionedHashes");
        js(b, "[");
        for (size_t i = 0; i < tx->blob_hashes_count; i++) {
            if (i)
                js(b, ",");
            jhex(b, tx->blob_hashes[i].b, 32);
        }
        js(b, "]");
    }
    jkey(b, "input");
    jhex(b, tx->data, tx->data_size);
    if (tx->type >= 1) {
        jkey(b, "accessList");
        js(b, "[");
        for (size_t i = 0; i < tx->access_list_count; i++) {
            const pv_access_entry *e = &tx->access_list[i];
            js(b, i ? ",{\"address\":" : "{\"address\":");
            jhex(b, e->address.b, 20);
            js(b, ",\"storageKeys\":[");
            for (size_t k = 0; k < e->keys_count; k++) {
                uint8_t w[32];
                u256_to_be(&e->keys[k], w);
                if (k)
                    js(b, ",");
                jhex(b, w, 32);
            }
            js(b, "]}");
        }
        js(b, "]");
    }
    if (t->has_chain_id) {
        jkey(b, "chainId");
        jq(b, t->chain_id);
    }
    jkey(b, "v");
    jq256(b, &t->v);
    jkey(b, "r");
    jq256(b, &t->r);
    jkey(b, "s");
    jq256(b, &t->s);
    if (tx->type >= 1) {
        jkey(b, "yParity");
        jq256(b, &t->v);
    }
    js(b, "}");
}

/* Builds, signs and appends one transaction. */
static void emit(gen *g, const txreq *q)
{
    sender *s = &g->senders[q->sender];
    pv_signed_tx t;
    memset(&t, 0, sizeof t);
    pv_tx *tx = &t.tx;

    int type = q->type;
    if (q->fixed_price)
        type = 0;
    if (type < 0) {
        uint64_t x = rbelow(&g->r, 100);
        if (g->fork >= PV_LONDON)
            type = x < 60 ? 2 : x < 75 ? 1 : 0;
        else if (g->fork >= PV_BERLIN)
            type = x < 30 ? 1 : 0;
        else
            type = 0;
    }
    tx->type = (uint8_t)type;
    tx->nonce = q->explicit_nonce ? q->nonce : s->next_nonce;
    tx->is_create = q->create;
    if (!q->create)
        tx->to = q->to;
    tx->value = q->value;
    tx->data = q->data;
    tx->data_size = q->len;

    /* fees */
    u256 effective;
    if (q->fixed_price) {
        tx->gas_price = u256_from_u64(g->legacy_price);
    } else if (g->fork >= PV_LONDON) {
        u256 tip = u256_from_u64(rbelow(&g->r, 3 * GWEI)), two = u256_from_u64(2);
        if (type >= 2) {
            tx->max_priority_fee_per_gas = tip;
            u256_mul(&tx->max_fee_per_gas, &g->base_fee, &two);
            u256_add(&tx->max_fee_per_gas, &tx->max_fee_per_gas, &tip);
        } else {
            u256_add(&tx->gas_price, &g->base_fee, &tip);
        }
    } else {
        tx->gas_price = u256_from_u64((1 + rbelow(&g->r, 50)) * GWEI);
    }
    if (type >= 2) {
        u256 sum;
        u256_add(&sum, &g->base_fee, &tx->max_priority_fee_per_gas);
        effective = u256_lt(&tx->max_fee_per_gas, &sum) ? tx->max_fee_per_gas : sum;
    } else {
        tx->max_fee_per_gas = tx->max_priority_fee_per_gas = tx->gas_price;
        effective = tx->gas_price;
    }

    /* chain id: typed always; legacy with EIP-155 from Spurious Dragon (mostly) */
    if (type != 0) {
        t.has_chain_id = true;
        t.chain_id = 1;
    } else if (g->fork >= PV_SPURIOUS_DRAGON && !rchance(&g->r, 0.15)) {
        t.has_chain_id = true;
        t.chain_id = 1;
    }

    /* access list: half of the typed transactions name the target (or the counter); warming a
     * slot loads it, so a cold transaction names random high slots, never the hot ones */
    pv_access_entry al;
    u256 keys[2];
    if (type >= 1 && !q->no_access_list && rchance(&g->r, 0.5)) {
        al.address = q->create ? g->counter : q->to;
        al.keys_count = (size_t)rbelow(&g->r, 3);
        for (size_t k = 0; k < al.keys_count; k++)
            keys[k] = u256_from_u64(q->hot ? rbelow(&g->r, 4) : rnext(&g->r) | 0x100);
        al.keys = keys;
        tx->access_list = &al;
        tx->access_list_count = 1;
    }

    /* blobs */
    pv_bytes32 bh[6];
    if (type == 3) {
        for (int i = 0; i < q->blobs; i++) {
            rbytes(&g->r, bh[i].b, 32);
            bh[i].b[0] = 0x01;
        }
        tx->blob_hashes = bh;
        tx->blob_hashes_count = (size_t)q->blobs;
        u256 two = u256_from_u64(2), extra = u256_from_u64(rbelow(&g->r, 10));
        u256_mul(&tx->max_fee_per_blob_gas, &g->blob_base_fee, &two);
        u256_add(&tx->max_fee_per_blob_gas, &tx->max_fee_per_blob_gas, &extra);
        g->blobs += (size_t)q->blobs;
    }

    tx->gas_limit = intrinsic_gas(g->fork, &t) + q->extra_gas;

    g->enc_off = grow(g->enc_off, &g->cenc_off, g->ntx + 1, sizeof *g->enc_off);
    g->enc_off[g->ntx] = g->enc.len;
    sign_tx(g, &t, s->key);
    tx_json(g, &t, &s->addr, &effective);

    bool invalid = q->kind == PV_GEN_INVALID_NONCE || q->kind == PV_GEN_INVALID_FUNDS;
    if (!invalid) {
        s->next_nonce++;
        s->valid++;
    }
    g->gas_sum += tx->gas_limit;
    pv_gen_info *info = g->info;
    info->tx_kind[g->ntx] = (uint8_t)q->kind;
    info->tx_expect[g->ntx] = (uint8_t)q->expect;
    info->tx_hot[g->ntx] = q->hot;
    info->kinds[q->kind]++;
    info->hot += q->hot;
    g->ntx++;
}

/* Initcode deploying the reverter code (constructor: sstore(1, 42)), with the hot prologue. */
static pv_buf reverter_initcode(gen *g, bool hot)
{
    asm_t a;
    a_init(&a, g->fork);
    if (hot)
        a_hot_prologue(&a, &g->counter, false);
    a_src(&a, "PUSH 42 PUSH 1 SSTORE");
    a_deploy(&a, &g->c_reverter);
    return a_finish(&a);
}

/* ---- calldata builders ---- */

typedef struct cd {
    uint8_t b[1024];
    size_t n;
} cd;

static void cd_room(const cd *c, size_t n)
{
    if (c->n + n > sizeof c->b)
        abort(); /* a calldata layout of this file outgrew the buffer */
}

static void cd_word(cd *c, uint64_t v)
{
    cd_room(c, 32);
    word_u64(c->b + c->n, v);
    c->n += 32;
}

static void cd_addr(cd *c, const pv_address *a)
{
    cd_room(c, 32);
    word_addr(c->b + c->n, a);
    c->n += 32;
}

static void cd_bytes(cd *c, const uint8_t *d, size_t n)
{
    cd_room(c, n);
    memcpy(c->b + c->n, d, n);
    c->n += n;
}

static pv_gen_expect expect_revert(const gen *g)
{
    return g->fork >= PV_BYZANTIUM ? PV_GEN_EXPECT_REVERT : PV_GEN_EXPECT_FAIL;
}

static u256 small_value(gen *g) { return u256_from_u64(1 + rbelow(&g->r, ETHER / 10)); }

/* ---- the mix ---- */

static void gen_transfer(gen *g, bool hot)
{
    txreq q = req_new(g, PV_GEN_TRANSFER, hot);
    if (hot)
        q.to = g->hot_recipient;
    else
        q.to = rchance(&g->r, 0.5) ? fresh_address(g) : existing_account(g, false);
    q.value = rchance(&g->r, 0.05) ? u256_zero() : small_value(g);
    q.extra_gas = rchance(&g->r, 0.2) ? rbelow(&g->r, 20000) : 0;
    emit(g, &q);
}

/* A value transfer to `to`; when hot, through the proxy with the hot prologue (the value goes on
 * to `to`). */
static void via_proxy_if_hot(gen *g, txreq *q, const pv_address *to)
{
    if (!q->hot) {
        q->to = *to;
        emit(g, q);
        return;
    }
    cd c = {.n = 0};
    cd_word(&c, 1);
    cd_addr(&c, to);
    q->to = g->proxy;
    q->data = c.b;
    q->len = c.n;
    q->extra_gas = 350000;
    emit(g, q);
}

/* dir: 0 to the coinbase, 1 from it, -1 either. */
static void gen_coinbase(gen *g, bool hot, int dir)
{
    txreq q = req_new(g, PV_GEN_COINBASE, hot);
    if (dir < 0)
        dir = hot || rchance(&g->r, 0.5) ? 1 : 0;
    if (dir == 1) {
        q.sender = g->coinbase;
        q.to = hot ? g->hot_recipient : rchance(&g->r, 0.5) ? fresh_address(g) : existing_account(g, false);
        q.value = small_value(g);
        emit(g, &q);
    } else {
        q.value = small_value(g);
        via_proxy_if_hot(g, &q, &g->senders[g->coinbase].addr);
    }
}

static void gen_token(gen *g, bool hot, bool may_fail)
{
    txreq q = req_new(g, PV_GEN_TOKEN, hot);
    pv_address to = hot ? g->hot_holder : rchance(&g->r, 0.5) ? fresh_address(g) : existing_account(g, true);
    u256 amount;
    if (may_fail && !hot && rchance(&g->r, 0.05)) {
        /* (cold only: the token reverts before it reads the recipient's balance) */
        u256 two = u256_from_u64(2);
        u256_mul(&amount, &g->senders[q.sender].token, &two); /* more than it has: reverts */
        q.expect = expect_revert(g);
    } else {
        amount = u256_from_u64(1 + rbelow(&g->r, ETHER));
    }
    cd c = {.n = 0};
    static const uint8_t sel[4] = {0xa9, 0x05, 0x9c, 0xbb};
    cd_bytes(&c, sel, 4);
    cd_addr(&c, &to);
    uint8_t w[32];
    word_u256(w, &amount);
    cd_bytes(&c, w, 32);
    q.to = g->token;
    q.data = c.b;
    q.len = c.n;
    q.extra_gas = 150000;
    emit(g, &q);
}

static void gen_weth(gen *g)
{
    txreq q = req_new(g, PV_GEN_WETH, true);
    cd c = {.n = 0};
    if (rchance(&g->r, 0.5)) {
        static const uint8_t dep[4] = {0xd0, 0xe3, 0x0d, 0xb0};
        cd_bytes(&c, dep, 4);
        q.value = u256_from_u64(1 + rbelow(&g->r, ETHER));
    } else {
        static const uint8_t wd[4] = {0x2e, 0x1a, 0x7d, 0x4d};
        cd_bytes(&c, wd, 4);
        cd_word(&c, 1 + rbelow(&g->r, ETHER / 10));
    }
    q.to = g->weth;
    q.data = c.b;
    q.len = c.n;
    q.extra_gas = 100000;
    emit(g, &q);
}

static uint64_t cold_slot(gen *g) { return rnext(&g->r) | 0x100; }

static void gen_counter(gen *g, bool hot)
{
    txreq q = req_new(g, PV_GEN_COUNTER, hot);
    cd c = {.n = 0};
    cd_word(&c, hot ? (rchance(&g->r, 0.7) ? 0 : 1) : cold_slot(g));
    q.to = g->counter;
    q.data = c.b;
    q.len = c.n;
    q.extra_gas = 100000;
    emit(g, &q);
}

static void gen_reader(gen *g, bool hot)
{
    txreq q = req_new(g, PV_GEN_READER, hot);
    cd c = {.n = 0};
    uint64_t depth = 1 + rbelow(&g->r, 256);
    g->hash_read[depth] = true;
    cd_word(&c, 0);
    cd_word(&c, cold_slot(g));
    cd_addr(&c, hot ? &g->hot_holder : &g->quiet[rbelow(&g->r, 8)]);
    cd_addr(&c, hot ? &g->hot_recipient : &g->quiet[rbelow(&g->r, 8)]);
    cd_word(&c, depth);
    q.to = g->reader;
    q.data = c.b;
    q.len = c.n;
    q.extra_gas = 200000;
    emit(g, &q);
}

/* variant: 0 always reverts, 1 reverts depending on state, 2 nested revert caught by a proxy,
 * 3 CREATE whose initcode reverts; -1 random. */
static void gen_revert(gen *g, bool hot, int variant)
{
    txreq q = req_new(g, PV_GEN_REVERT, hot);
    if (variant < 0) {
        uint64_t x = rbelow(&g->r, 100);
        variant = x < 45 ? 0 : x < 70 ? 1 : x < 85 ? 2 : 3;
    }
    cd c = {.n = 0};
    q.extra_gas = 350000;
    if (variant <= 1) {
        cd_word(&c, hot);
        cd_word(&c, variant == 0 ? 1 : 2);
        cd_word(&c, cold_slot(g));
        q.to = g->reverter;
        q.expect = variant == 0 ? expect_revert(g) : PV_GEN_EXPECT_ANY;
    } else if (variant == 2) {
        cd_word(&c, hot);
        cd_addr(&c, &g->reverter);
        cd_word(&c, 0);
        cd_word(&c, 1);
        cd_word(&c, cold_slot(g));
        q.to = g->proxy;
    } else {
        asm_t a;
        a_init(&a, g->fork);
        if (hot)
            a_hot_prologue(&a, &g->counter, false);
        a_src(&a, "REVERT0");
        pv_buf code = a_finish(&a);
        cd_bytes(&c, code.data, code.len);
        pv_buf_free(&code);
        q.create = true;
        q.expect = expect_revert(g);
    }
    q.data = c.b;
    q.len = c.n;
    emit(g, &q);
}

/* variant: 0 endless loop, 1 enough gas for the counter's SLOAD but not its SSTORE; -1 random. */
static void gen_oog(gen *g, bool hot, int variant)
{
    txreq q = req_new(g, PV_GEN_OOG, hot);
    if (variant < 0)
        variant = (int)rbelow(&g->r, 2);
    cd c = {.n = 0};
    if (variant == 0) {
        cd_word(&c, hot);
        q.to = g->burner;
        q.extra_gas = 100000 + rbelow(&g->r, 40000); /* the prologue's call can run (before EIP-150 too) */
    } else {
        cd_word(&c, hot ? 0 : cold_slot(g));
        q.to = g->counter;
        /* enough for the (cold, EIP-2929) SLOAD, so the slot is read, too little for any SSTORE:
         * below 5000 and, after the SLOAD, below the EIP-2200 stipend of 2300 from Berlin on */
        q.extra_gas = 3600;
        q.no_access_list = true;
    }
    q.data = c.b;
    q.len = c.n;
    q.expect = PV_GEN_EXPECT_OOG;
    emit(g, &q);
}

static void initcode_deployer(gen *g, bool hot, cd *c)
{
    pv_buf code = reverter_initcode(g, hot);
    cd_bytes(c, code.data, code.len);
    pv_buf_free(&code);
}

static void gen_create(gen *g, bool hot, bool may_fail)
{
    txreq q = req_new(g, PV_GEN_CREATE, hot);
    cd c = {.n = 0};
    if (may_fail && g->fork >= PV_LONDON && rchance(&g->r, 0.1)) {
        /* deploys code starting with 0xEF: rejected by EIP-3541 */
        asm_t a;
        a_init(&a, g->fork);
        if (hot)
            a_hot_prologue(&a, &g->counter, false);
        a_src(&a, "PUSH 0xef PUSH 0 MSTORE8 PUSH 1 PUSH 0 RETURN");
        pv_buf code = a_finish(&a);
        cd_bytes(&c, code.data, code.len);
        pv_buf_free(&code);
        q.expect = PV_GEN_EXPECT_FAIL;
    } else {
        initcode_deployer(g, hot, &c);
        sender *s = &g->senders[q.sender];
        pv_address a = pv_create_address(&s->addr, s->next_nonce);
        add_created(g, &a);
    }
    q.create = true;
    q.value = rchance(&g->r, 0.3) ? u256_from_u64(rbelow(&g->r, ETHER / 100)) : u256_zero();
    q.data = c.b;
    q.len = c.n;
    q.extra_gas = 350000;
    emit(g, &q);
}

static void gen_call_new(gen *g, bool hot)
{
    if (!g->ncreated) {
        gen_counter(g, hot);
        return;
    }
    txreq q = req_new(g, PV_GEN_CALL_NEW, hot);
    cd c = {.n = 0};
    cd_word(&c, hot);
    cd_word(&c, 0);
    cd_word(&c, rbelow(&g->r, 4));
    q.to = g->created[rbelow(&g->r, g->ncreated)];
    q.data = c.b;
    q.len = c.n;
    q.extra_gas = 350000;
    emit(g, &q);
}

/* A factory call: FACTORY(hot, op, salt, initcode). factory NULL: a new factory of its own
 * (so that cold CREATE2s do not share the factory's nonce). */
static void factory_call(gen *g, txreq *q, const pv_address *factory, uint64_t op, const uint8_t salt[32],
                         const pv_buf *initcode, bool record)
{
    pv_address f;
    if (factory) {
        f = *factory;
    } else {
        f = derive_address(g, "parevm-gen factory");
        add_acct(g, &f, u256_zero(), contract_nonce(g), &g->c_factory);
    }
    cd c = {.n = 0};
    cd_word(&c, q->hot);
    cd_word(&c, op);
    cd_bytes(&c, salt, 32);
    cd_bytes(&c, initcode->data, initcode->len);
    if (record && g->fork >= PV_CONSTANTINOPLE) {
        pv_address a = create2_address(&f, salt, initcode);
        add_created(g, &a);
    }
    q->to = f;
    q->data = c.b;
    q->len = c.n;
    q->extra_gas = 400000;
    emit(g, q);
}

static void gen_create2(gen *g, bool hot)
{
    txreq q = req_new(g, PV_GEN_CREATE2, hot);
    uint8_t salt[32];
    rbytes(&g->r, salt, 32);
    factory_call(g, &q, hot ? &g->factory : NULL, 0, salt, &g->init_reverter, true);
}

static void precompile_payload(gen *g, size_t sender_idx, int pc, cd *c)
{
    if (pc == 1) {
        uint8_t h[32], rs[64];
        int recid;
        rbytes(&g->r, h, 32);
        sign_hash(g->senders[sender_idx].key, h, rs, &recid);
        cd_bytes(c, h, 32);
        cd_word(c, 27 + (uint64_t)recid);
        cd_bytes(c, rs, 64);
    } else {
        uint8_t d[96];
        size_t n = 1 + (size_t)rbelow(&g->r, sizeof d);
        rbytes(&g->r, d, n);
        cd_bytes(c, d, n);
    }
}

static void gen_precompile(gen *g, bool hot)
{
    txreq q = req_new(g, PV_GEN_PRECOMPILE, hot);
    uint64_t x = rbelow(&g->r, 100);
    int pc = x < 30 ? 1 : x < 60 ? 2 : x < 70 ? 3 : 4;
    pv_address target = {{0}};
    target.b[19] = (uint8_t)pc;
    cd c = {.n = 0};
    if (hot) {
        cd_word(&c, 1);
        cd_addr(&c, &target);
        precompile_payload(g, q.sender, pc, &c);
        q.to = g->proxy;
        q.extra_gas = 350000;
        /* value makes the precompile an account that later transactions see (EIP-2929 warms
         * every precompile): a conflict, so only in hot transactions */
        if (rchance(&g->r, 0.1))
            q.value = u256_from_u64(1);
    } else {
        precompile_payload(g, q.sender, pc, &c);
        q.to = target;
        q.extra_gas = 20000;
    }
    q.data = c.b;
    q.len = c.n;
    emit(g, &q);
}

static void gen_blob(gen *g, bool hot)
{
    int n = 1 + (int)rbelow(&g->r, 2);
    if (g->fork < PV_CANCUN || g->blobs + (size_t)n > 6) {
        gen_transfer(g, hot);
        return;
    }
    txreq q = req_new(g, PV_GEN_BLOB, hot);
    q.type = 3;
    q.blobs = n;
    q.to = hot ? g->hot_recipient : fresh_address(g);
    q.value = small_value(g);
    emit(g, &q);
}

/* ---- scripted hard cases ---- */

/* SD(hot, destroy, beneficiary). A hot call to a contract that may be gone (no code, so no
 * prologue) goes through the proxy. */
static void call_sd(gen *g, pv_gen_kind kind, bool hot, const pv_address *sd, bool destroy)
{
    txreq q = req_new(g, kind, hot);
    cd c = {.n = 0};
    bool proxied = hot && !destroy;
    if (proxied) {
        cd_word(&c, 1);
        cd_addr(&c, sd);
    }
    cd_word(&c, hot);
    cd_word(&c, destroy);
    cd_addr(&c, hot ? &g->hot_recipient : &g->senders[q.sender].addr);
    q.to = proxied ? g->proxy : *sd;
    q.data = c.b;
    q.len = c.n;
    q.extra_gas = 350000;
    emit(g, &q);
}

static void gen_scripted(gen *g, int code, bool hot, size_t index)
{
    switch (code) {
    case S_BEACON_READ: {
        txreq q = req_new(g, PV_GEN_BEACON_READ, hot);
        cd c = {.n = 0};
        if (hot) {
            cd_word(&c, 1);
            cd_addr(&c, &BEACON_ROOTS);
            q.to = g->proxy;
        } else {
            q.to = BEACON_ROOTS;
        }
        cd_word(&c, (uint64_t)g->timestamp);
        q.data = c.b;
        q.len = c.n;
        q.extra_gas = hot ? 350000 : 50000;
        emit(g, &q);
        break;
    }
    case S_CREATE2_FIRST:
    case S_CREATE2_SECOND: {
        bool second = code == S_CREATE2_SECOND;
        bool collides = second && g->fork >= PV_CONSTANTINOPLE;
        txreq q = req_new(g, collides ? PV_GEN_CREATE2_COLLISION : PV_GEN_CREATE2, hot);
        if (collides) {
            g->info->has_collision = true;
            g->info->collision_tx = index;
        }
        factory_call(g, &q, &g->factory, 0, g->collide_salt, &g->init_reverter, !second);
        break;
    }
    case S_SD_A_DESTROY:
    case S_SD_B_DESTROY:
        call_sd(g, PV_GEN_SELFDESTRUCT, hot, code == S_SD_A_DESTROY ? &g->sd_a : &g->sd_b, true);
        g->info->has_selfdestruct = true;
        break;
    case S_SD_A_CALL1:
    case S_SD_A_CALL2:
        call_sd(g, PV_GEN_CALL_DESTROYED, hot, &g->sd_a, false);
        break;
    case S_SD_A_RECREATE: {
        txreq q = req_new(g, PV_GEN_RECREATE, hot);
        if (g->fork >= PV_CONSTANTINOPLE) {
            /* Cancun: the contract survived its SELFDESTRUCT (EIP-6780): a collision */
            factory_call(g, &q, &g->factory, 0, g->sd_salt, &g->init_sd, false);
        } else {
            /* no CREATE2 yet: a value transfer brings the address back as a plain account */
            q.value = u256_from_u64(ETHER / 1000);
            q.extra_gas = 10000;
            via_proxy_if_hot(g, &q, &g->sd_a);
        }
        break;
    }
    case S_CREATE_DESTROY: {
        txreq q = req_new(g, PV_GEN_CREATE_DESTROY, hot);
        asm_t a;
        a_init(&a, g->fork);
        if (hot)
            a_hot_prologue(&a, &g->counter, false);
        a_src(&a, "PUSH20 $ SELFDESTRUCT", (hot ? &g->hot_recipient : &g->senders[q.sender].addr)->b);
        pv_buf code = a_finish(&a);
        cd c = {.n = 0};
        cd_bytes(&c, code.data, code.len);
        pv_buf_free(&code);
        q.create = true;
        q.value = u256_from_u64(1000);
        q.data = c.b;
        q.len = c.n;
        q.extra_gas = 350000;
        emit(g, &q);
        break;
    }
    case S_FACTORY_DESTROY: {
        txreq q = req_new(g, PV_GEN_FACTORY_DESTROY, hot);
        uint8_t salt[32];
        rbytes(&g->r, salt, 32);
        q.value = u256_from_u64(1000);
        factory_call(g, &q, &g->factory, 1, salt, &g->init_child, false);
        break;
    }
    case G_TOKEN:
        gen_token(g, hot, false);
        break;
    case G_REVERT:
        gen_revert(g, hot, 0);
        break;
    case G_OOG:
        gen_oog(g, hot, 0);
        break;
    case G_CREATE:
        gen_create(g, hot, false);
        break;
    case G_PRECOMPILE:
        gen_precompile(g, hot);
        break;
    case G_COINBASE_FROM:
    case G_COINBASE_TO:
        gen_coinbase(g, hot, code == G_COINBASE_FROM ? 1 : 0);
        break;
    case G_CALL_NEW:
        gen_call_new(g, hot);
        break;
    case G_COUNTER:
        gen_counter(g, hot);
        break;
    case G_READER:
        gen_reader(g, hot);
        break;
    default:
        abort();
    }
}

/* The random mix; weights in percent (docs/ARCHITECTURE.md). */
static const struct {
    pv_gen_kind kind;
    unsigned weight;
} MIX[] = {
    {PV_GEN_TRANSFER, 24}, {PV_GEN_COINBASE, 2}, {PV_GEN_TOKEN, 18}, {PV_GEN_WETH, 4},
    {PV_GEN_COUNTER, 10},  {PV_GEN_READER, 8},   {PV_GEN_REVERT, 7}, {PV_GEN_OOG, 4},
    {PV_GEN_CREATE, 5},    {PV_GEN_CALL_NEW, 4}, {PV_GEN_CREATE2, 4}, {PV_GEN_PRECOMPILE, 6},
    {PV_GEN_BLOB, 4},
};

static void gen_random(gen *g, bool hot)
{
    uint64_t x = rbelow(&g->r, 100);
    pv_gen_kind k = PV_GEN_TRANSFER;
    for (size_t i = 0; i < sizeof MIX / sizeof MIX[0]; i++) {
        if (x < MIX[i].weight) {
            k = MIX[i].kind;
            break;
        }
        x -= MIX[i].weight;
    }
    switch (k) {
    case PV_GEN_TRANSFER: gen_transfer(g, hot); break;
    case PV_GEN_COINBASE: gen_coinbase(g, hot, -1); break;
    case PV_GEN_TOKEN: gen_token(g, hot, true); break;
    case PV_GEN_WETH:
        if (hot && g->have_weth)
            gen_weth(g);
        else
            gen_token(g, hot, true);
        break;
    case PV_GEN_COUNTER: gen_counter(g, hot); break;
    case PV_GEN_READER: gen_reader(g, hot); break;
    case PV_GEN_REVERT: gen_revert(g, hot, -1); break;
    case PV_GEN_OOG: gen_oog(g, hot, -1); break;
    case PV_GEN_CREATE: gen_create(g, hot, true); break;
    case PV_GEN_CALL_NEW: gen_call_new(g, hot); break;
    case PV_GEN_CREATE2: gen_create2(g, hot); break;
    case PV_GEN_PRECOMPILE: gen_precompile(g, hot); break;
    case PV_GEN_BLOB: gen_blob(g, hot); break;
    default: abort();
    }
}

/* ---- --invalid ---- */

static void gen_drain(gen *g)
{
    u256 balance = mul64(1 + rbelow(&g->r, 1000), ETHER / 1000);
    size_t d = add_sender(g, "parevm-gen drainable", g->ndrainable++, balance, rbelow(&g->r, 3));
    txreq q;
    memset(&q, 0, sizeof q);
    q.kind = PV_GEN_DRAIN;
    q.sender = d;
    q.fixed_price = true;
    q.to = fresh_address(g);
    /* everything but 1000 wei above the gas cost: afterwards it cannot pay for 21000 gas */
    u256 cost = mul64(21000, g->legacy_price), keep = u256_from_u64(1000);
    u256_sub(&q.value, &balance, &cost);
    u256_sub(&q.value, &q.value, &keep);
    emit(g, &q);
    g->drained = grow(g->drained, &g->cdrained, g->ndrained + 1, sizeof *g->drained);
    g->drained[g->ndrained++] = d;
}

static void gen_invalid_funds(gen *g)
{
    txreq q;
    memset(&q, 0, sizeof q);
    q.kind = PV_GEN_INVALID_FUNDS;
    q.expect = PV_GEN_EXPECT_INSUFFICIENT_FUNDS;
    q.sender = g->drained[rbelow(&g->r, g->ndrained)];
    q.fixed_price = true;
    q.to = fresh_address(g);
    q.value = u256_from_u64(1);
    emit(g, &q);
}

static bool gen_invalid_nonce(gen *g)
{
    size_t start = pick_sender(g);
    for (size_t i = 0; i < g->nregular; i++) {
        size_t k = (start + i) % g->nregular;
        sender *s = &g->senders[k];
        if (!s->valid)
            continue;
        txreq q = req_new(g, PV_GEN_INVALID_NONCE, false);
        q.expect = PV_GEN_EXPECT_NONCE_TOO_LOW;
        q.sender = k;
        q.explicit_nonce = true;
        q.nonce = s->next_nonce - 1 - rbelow(&g->r, s->valid < 3 ? s->valid : 3);
        q.to = fresh_address(g);
        q.value = small_value(g);
        emit(g, &q);
        return true;
    }
    return false;
}

static void gen_invalid_slot(gen *g, size_t k)
{
    /* the first and every sixth such slot drains a sender; the others alternate between an
     * unpayable transaction of a drained sender and a reused nonce */
    if (k % 6 == 0 || !g->ndrained) {
        gen_drain(g);
        return;
    }
    if (k % 2 == 1 || !gen_invalid_nonce(g))
        gen_invalid_funds(g);
}

/* ------------------------------------------------------------------------------------------ */
/* Block layout                                                                               */

typedef struct fork_place {
    int64_t number;             /* first block number used */
    int64_t timestamp;          /* timestamp of that block */
    int64_t seconds;            /* per block after it */
} fork_place;

static fork_place place_of(pv_fork f)
{
    /* a block a little after each fork's activation (README table), spaced 13 s (12 s after
     * the merge); the generator adds up to 40000 blocks */
    switch (f) {
    case PV_FRONTIER: return (fork_place){1000, 1438273000, 13};
    case PV_HOMESTEAD: return (fork_place){1151000, 1457995000, 13};
    case PV_TANGERINE_WHISTLE: return (fork_place){2464000, 1476810000, 13};
    case PV_SPURIOUS_DRAGON: return (fork_place){2676000, 1479840000, 13};
    case PV_BYZANTIUM: return (fork_place){4371000, 1508145000, 13};
    case PV_PETERSBURG: return (fork_place){7281000, 1551396000, 13};
    case PV_ISTANBUL: return (fork_place){9070000, 1575778000, 13};
    case PV_BERLIN: return (fork_place){12245000, 1618495000, 13};
    case PV_LONDON: return (fork_place){12966000, 1628180000, 13};
    case PV_PARIS: return (fork_place){15538000, 1663231000, 12};
    case PV_SHANGHAI: return (fork_place){17034870, 1681338455, 12};
    case PV_CANCUN: return (fork_place){19426587, 1710338135, 12};
    default: return (fork_place){0, 0, 0};
    }
}

void pv_gen_params_default(pv_gen_params *p)
{
    memset(p, 0, sizeof *p);
    p->seed = 1;
    p->txs = 100;
    p->conflicts = 0.5;
    p->fork = PV_CANCUN;
}

char *pv_gen_check_params(const pv_gen_params *p)
{
    if (p->txs > PV_GEN_MAX_TXS)
        return pv_fmt("txs: %zu is above the limit of %d", p->txs, PV_GEN_MAX_TXS);
    if (!(p->conflicts >= 0 && p->conflicts <= 1))
        return pv_fmt("conflicts: %g is not in [0, 1]", p->conflicts);
    if (!(p->invalid >= 0 && p->invalid <= 1))
        return pv_fmt("invalid: %g is not in [0, 1]", p->invalid);
    if ((unsigned)p->fork >= PV_FORK_COUNT)
        return pv_fmt("fork: unknown fork %d", (int)p->fork);
    if (p->fork == PV_CONSTANTINOPLE)
        return pv_fmt("fork: Constantinople never ran on mainnet (its blocks run as Petersburg); use Petersburg");
    if (p->gas_limit && p->gas_limit < 21000)
        return pv_fmt("gas-limit: %llu is below 21000, the cost of the cheapest transaction",
                      (unsigned long long)p->gas_limit);
    return NULL;
}

const char *pv_gen_kind_name(pv_gen_kind k)
{
    static const char *names[PV_GEN_KIND_COUNT] = {
        "transfer",  "coinbase", "token", "weth", "counter", "reader", "revert", "oog", "create",
        "call-new", "create2", "precompile", "blob", "create2-collision", "selfdestruct", "recreate",
        "call-destroyed", "create-destroy", "factory-destroy", "beacon-read", "drain", "invalid-nonce",
        "invalid-funds",
    };
    return (unsigned)k < PV_GEN_KIND_COUNT ? names[k] : "unknown";
}

void pv_gen_info_free(pv_gen_info *info)
{
    if (!info)
        return;
    free(info->tx_kind);
    free(info->tx_expect);
    free(info->tx_hot);
    memset(info, 0, sizeof *info);
}

/* Contracts, hot accounts and senders in the pre-state. */
static void setup_state(gen *g)
{
    pv_fork f = g->fork;
    uint64_t cn = contract_nonce(g);
    g->counter = derive_address(g, "parevm-gen counter");
    g->reverter = derive_address(g, "parevm-gen reverter");
    g->burner = derive_address(g, "parevm-gen burner");
    g->reader = derive_address(g, "parevm-gen reader");
    g->factory = derive_address(g, "parevm-gen factory");
    g->proxy = derive_address(g, "parevm-gen proxy");
    g->token = derive_address(g, "parevm-gen token");
    g->weth = derive_address(g, "parevm-gen weth");
    g->sd_b = derive_address(g, "parevm-gen selfdestruct");
    g->hot_recipient = derive_address(g, "parevm-gen hot recipient");
    g->hot_holder = derive_address(g, "parevm-gen hot holder");
    for (int i = 0; i < 8; i++)
        g->quiet[i] = derive_address(g, "parevm-gen quiet");

    g->c_counter = code_counter(f);
    g->c_reverter = code_reverter(f, &g->counter);
    g->c_burner = code_burner(f, &g->counter);
    g->c_factory = code_factory(f, &g->counter);
    g->c_sd = code_selfdestruct(f, &g->counter);
    g->c_proxy = code_proxy(f, &g->counter);
    g->c_mini_token = code_mini_token(f);
    g->token_code = f >= PV_CONSTANTINOPLE ? &fixture_erc20 : &g->c_mini_token;
    g->c_reader = code_reader(f, &g->counter, &g->token);
    g->have_weth = f >= PV_CONSTANTINOPLE;

    asm_t a;
    a_init(&a, f); /* the child FACTORY op 1 calls: runtime CALLER SELFDESTRUCT */
    a_src(&a, "CALLER SELFDESTRUCT");
    pv_buf child = a_finish(&a);
    a_init(&a, f);
    a_deploy(&a, &child);
    g->init_child = a_finish(&a);
    pv_buf_free(&child);
    a_init(&a, f); /* the self-destructing contract, constructor sstore(0, 100) */
    a_src(&a, "PUSH 100 PUSH 0 SSTORE");
    a_deploy(&a, &g->c_sd);
    g->init_sd = a_finish(&a);
    g->init_reverter = reverter_initcode(g, false);
    rbytes(&g->r, g->collide_salt, 32);
    rbytes(&g->r, g->sd_salt, 32);
    /* SD A was made by the factory's CREATE2, so CREATE2 can bring it back */
    g->sd_a = f >= PV_CONSTANTINOPLE ? create2_address(&g->factory, g->sd_salt, &g->init_sd)
                                     : derive_address(g, "parevm-gen selfdestruct");

    u256 zero = u256_zero();
    add_acct(g, &g->counter, zero, cn, &g->c_counter);
    add_slot_u64(g, &g->counter, 0, u256_from_u64(1000 + rbelow(&g->r, 1000)));
    add_slot_u64(g, &g->counter, 1, u256_from_u64(7));
    add_acct(g, &g->reverter, zero, cn, &g->c_reverter);
    add_acct(g, &g->burner, zero, cn, &g->c_burner);
    add_acct(g, &g->reader, zero, cn, &g->c_reader);
    add_acct(g, &g->factory, zero, cn, &g->c_factory);
    add_acct(g, &g->proxy, zero, cn, &g->c_proxy);
    add_acct(g, &g->sd_a, mul64(500, ETHER / 1000), cn, &g->c_sd);
    add_slot_u64(g, &g->sd_a, 0, u256_from_u64(7));
    add_slot_u64(g, &g->sd_a, 3, u256_from_u64(9));
    add_acct(g, &g->sd_b, mul64(250, ETHER / 1000), cn, &g->c_sd);
    add_slot_u64(g, &g->sd_b, 0, u256_from_u64(5));
    if (f >= PV_CANCUN)
        add_acct(g, &BEACON_ROOTS, zero, 1, &beacon_code);

    add_acct(g, &g->token, zero, cn, g->token_code);
    if (f >= PV_CONSTANTINOPLE) {
        add_slot_u64(g, &g->token, 2, mul64(ETHER, 1000000000ULL));
        add_slot_u64(g, &g->token, 3, short_string("Parevm Gen Token"));
        add_slot_u64(g, &g->token, 4, short_string("PGT"));
        add_slot_u64(g, &g->token, 5, u256_from_u64(18));
    }
    add_acct(g, &g->hot_recipient, u256_from_u64(ETHER), 0, NULL);
    add_acct(g, &g->hot_holder, u256_from_u64(ETHER / 2), 0, NULL);
    set_token_balance(g, &g->hot_holder, mul64(100, ETHER));
    for (int i = 0; i < 8; i++) {
        add_acct(g, &g->quiet[i], mul64(1 + rbelow(&g->r, 100), ETHER / 10), rbelow(&g->r, 10), NULL);
        set_token_balance(g, &g->quiet[i], mul64(1 + rbelow(&g->r, 1000000), ETHER));
    }

    /* senders: about four transactions each, interleaved */
    g->nregular = g->p.txs / 4 + 2;
    u256 weth_total = zero;
    for (size_t i = 0; i < g->nregular; i++) {
        size_t k = add_sender(g, "parevm-gen sender", i, mul64(10 + rbelow(&g->r, 90), ETHER), rbelow(&g->r, 4));
        g->senders[k].token = mul64(1000 + rbelow(&g->r, 1000000), ETHER);
        set_token_balance(g, &g->senders[k].addr, g->senders[k].token);
        if (g->have_weth) {
            uint8_t key[32];
            u256 w = mul64(10, ETHER);
            mapping_slot(&g->senders[k].addr, 3, key);
            add_slot(g, &g->weth, key, w);
            u256_add(&weth_total, &weth_total, &w);
        }
    }
    g->coinbase = add_sender(g, "parevm-gen coinbase", 0, mul64(5 + rbelow(&g->r, 5), ETHER), rbelow(&g->r, 100));
    if (g->have_weth) {
        add_acct(g, &g->weth, weth_total, cn, &fixture_weth9);
        add_slot_u64(g, &g->weth, 0, short_string("Wrapped Ether"));
        add_slot_u64(g, &g->weth, 1, short_string("WETH"));
        add_slot_u64(g, &g->weth, 2, u256_from_u64(18));
    }
}

/* Schedule: scripted cases at fixed fractions of the block (in this order), then one of each
 * guaranteed kind, then the invalid slots; everything else is the random mix. */
static uint8_t *make_schedule(gen *g)
{
    size_t n = g->p.txs;
    uint8_t *s = pv_xcalloc(n ? n : 1, 1);
    static const struct {
        int code;
        double at;
    } scripted[] = {
        {S_BEACON_READ, 0.10},    {S_CREATE2_FIRST, 0.20}, {S_SD_A_DESTROY, 0.30},  {S_SD_B_DESTROY, 0.40},
        {S_SD_A_CALL1, 0.50},     {S_CREATE2_SECOND, 0.60}, {S_SD_A_RECREATE, 0.70}, {S_CREATE_DESTROY, 0.80},
        {S_SD_A_CALL2, 0.85},     {S_FACTORY_DESTROY, 0.90},
    },
      guaranteed[] = {
          {G_TOKEN, 0.05},         {G_REVERT, 0.15},       {G_OOG, 0.25},      {G_CREATE, 0.35},
          {G_PRECOMPILE, 0.45},    {G_COINBASE_FROM, 0.55}, {G_COINBASE_TO, 0.65}, {G_CALL_NEW, 0.75},
          {G_COUNTER, 0.95},       {G_READER, 0.98},
      };
    if (n >= 24) {
        size_t next = 0;
        for (size_t i = 0; i < sizeof scripted / sizeof scripted[0]; i++) {
            if (scripted[i].code == S_BEACON_READ && g->fork < PV_CANCUN)
                continue;
            size_t at = (size_t)(scripted[i].at * (double)n);
            if (at < next)
                at = next;
            while (at < n && s[at])
                at++;
            if (at >= n)
                break;
            s[at] = (uint8_t)scripted[i].code;
            next = at + 1;
        }
    }
    if (n >= 12) {
        for (size_t i = 0; i < sizeof guaranteed / sizeof guaranteed[0]; i++) {
            size_t at = (size_t)(guaranteed[i].at * (double)n);
            for (size_t k = 0; k < n; k++, at = (at + 1) % n)
                if (!s[at]) {
                    s[at] = (uint8_t)guaranteed[i].code;
                    break;
                }
        }
    }
    if (g->p.invalid > 0) {
        size_t nfree = 0;
        size_t *free_at = pv_xcalloc(n ? n : 1, sizeof *free_at);
        for (size_t i = 0; i < n; i++)
            if (!s[i])
                free_at[nfree++] = i;
        size_t want = (size_t)llround(g->p.invalid * (double)n);
        if (want > nfree)
            want = nfree;
        for (size_t i = 0; i < want; i++) { /* partial Fisher-Yates */
            size_t j = i + (size_t)rbelow(&g->r, nfree - i);
            size_t t = free_at[i];
            free_at[i] = free_at[j];
            free_at[j] = t;
            s[free_at[i]] = SLOT_INVALID;
        }
        free(free_at);
    }
    return s;
}

static int cmp_acct(const void *a, const void *b)
{
    return memcmp(((const pre_acct *)a)->a.b, ((const pre_acct *)b)->a.b, 20);
}

static int cmp_slot(const void *a, const void *b)
{
    const pre_slot *x = a, *y = b;
    int c = memcmp(x->a.b, y->a.b, 20);
    return c ? c : memcmp(x->key, y->key, 32);
}

static void write_pre(gen *g, pv_buf *b)
{
    /* stable order by address; the same address twice (a derived-address clash, practically
     * impossible) keeps its first entry */
    qsort(g->acc, g->nacc, sizeof *g->acc, cmp_acct);
    qsort(g->slots, g->nslots, sizeof *g->slots, cmp_slot);
    js(b, "{");
    size_t si = 0, written = 0;
    for (size_t i = 0; i < g->nacc; i++) {
        const pre_acct *x = &g->acc[i];
        if (i && pv_address_eq(&x->a, &g->acc[i - 1].a))
            continue;
        if (written++)
            js(b, ",");
        jhex(b, x->a.b, 20);
        js(b, ":{\"balance\":");
        jq256(b, &x->balance);
        char n[32];
        snprintf(n, sizeof n, ",\"nonce\":%llu", (unsigned long long)x->nonce);
        js(b, n);
        js(b, ",\"code\":");
        if (x->code)
            jhex(b, x->code->data, x->code->len);
        else
            js(b, "\"0x\"");
        js(b, ",\"storage\":{");
        while (si < g->nslots && memcmp(g->slots[si].a.b, x->a.b, 20) < 0)
            si++;
        bool first = true;
        for (; si < g->nslots && pv_address_eq(&g->slots[si].a, &x->a); si++) {
            if (si + 1 < g->nslots && pv_address_eq(&g->slots[si + 1].a, &x->a) &&
                memcmp(g->slots[si + 1].key, g->slots[si].key, 32) == 0)
                continue; /* a key set twice: the last one wins */
            if (!first)
                js(b, ",");
            first = false;
            jhex(b, g->slots[si].key, 32);
            js(b, ":");
            jq256(b, &g->slots[si].value);
        }
        js(b, "}}");
    }
    js(b, "}");
    g->info->pre_accounts = written;
}

static pv_bytes32 list_root(const pv_buf *all, const size_t *offs, size_t n)
{
    return pv_trie_root_ordered_packed(all->data, all->len, offs, n, 1);
}

/* A few withdrawals (Shanghai): to fresh and existing accounts, one of amount 0. Appends their
 * JSON array to b; returns how many, their root in *root. */
static size_t write_withdrawals(gen *g, pv_buf *b, pv_bytes32 *root)
{
    pv_buf enc;
    pv_buf_init(&enc);
    size_t n = 4 + (size_t)rbelow(&g->r, 5), offs[8];
    size_t zero_at = (size_t)rbelow(&g->r, n);
    uint64_t index = 10000000 + rbelow(&g->r, 10000000), validator = rbelow(&g->r, 1000000);
    js(b, "[");
    for (size_t i = 0; i < n; i++) {
        pv_address to;
        uint64_t amount = i == zero_at ? 0 : 1 + rbelow(&g->r, 50000000);
        if (i == zero_at || (i != 1 && rchance(&g->r, 0.5)))
            to = fresh_address(g);
        else if (rchance(&g->r, 0.5))
            to = g->senders[pick_sender(g)].addr;
        else
            to = existing_account(g, false);
        uint64_t vi = validator + rbelow(&g->r, 1000);
        js(b, i ? ",{\"index\":" : "{\"index\":");
        jq(b, index + i);
        js(b, ",\"validatorIndex\":");
        jq(b, vi);
        js(b, ",\"address\":");
        jhex(b, to.b, 20);
        js(b, ",\"amount\":");
        jq(b, amount);
        js(b, "}");
        offs[i] = enc.len;
        size_t l = pv_rlp_list_begin(&enc);
        pv_rlp_put_u64(&enc, index + i);
        pv_rlp_put_u64(&enc, vi);
        pv_rlp_put_bytes(&enc, to.b, 20);
        pv_rlp_put_u64(&enc, amount);
        pv_rlp_list_end(&enc, l);
    }
    js(b, "]");
    *root = list_root(&enc, offs, n);
    pv_buf_free(&enc);
    return n;
}

/* The hashes BLOCKHASH reads (the reader's depths), ascending by number; returns how many. */
static size_t write_block_hashes(gen *g, pv_buf *b)
{
    size_t n = 0;
    js(b, "{");
    for (int d = 256; d >= 1; d--) {
        if (!g->hash_read[d])
            continue;
        int64_t number = g->number - d;
        uint8_t h[32];
        tagged_hash("parevm-gen blockhash", g->p.seed, (uint64_t)number, h);
        char key[40];
        snprintf(key, sizeof key, "%s\"%lld\":", n ? "," : "", (long long)number);
        js(b, key);
        jhex(b, h, 32);
        n++;
    }
    js(b, "}");
    return n;
}

static void gen_free(gen *g)
{
    pv_buf *bufs[] = {&g->c_counter, &g->c_reverter, &g->c_burner, &g->c_reader, &g->c_factory, &g->c_sd,
                      &g->c_proxy, &g->c_mini_token, &g->init_child, &g->init_sd, &g->init_reverter,
                      &g->txj, &g->enc, &g->scratch};
    for (size_t i = 0; i < sizeof bufs / sizeof bufs[0]; i++)
        pv_buf_free(bufs[i]);
    free(g->senders);
    free(g->drained);
    free(g->acc);
    free(g->slots);
    free(g->created);
    free(g->enc_off);
}

char *pv_gen_block_json(const pv_gen_params *p, size_t *len, pv_gen_info *info_out, char **err)
{
    *err = NULL;
    if ((*err = pv_gen_check_params(p)))
        return NULL;
    pthread_once(&fixtures_once, init_once);

    gen g;
    memset(&g, 0, sizeof g);
    pv_gen_info local_info;
    pv_gen_info *info = info_out ? info_out : &local_info;
    memset(info, 0, sizeof *info);
    g.info = info;
    g.p = *p;
    g.fork = p->fork;
    rng_seed(&g.r, p->seed);
    pv_buf_init(&g.txj);
    pv_buf_init(&g.enc);
    pv_buf_init(&g.scratch);
    size_t n = p->txs;
    info->tx_kind = pv_xcalloc(n ? n : 1, 1);
    info->tx_expect = pv_xcalloc(n ? n : 1, 1);
    info->tx_hot = pv_xcalloc(n ? n : 1, sizeof *info->tx_hot);

    /* header values */
    fork_place fp = place_of(g.fork);
    int64_t k = (int64_t)rbelow(&g.r, 40000);
    g.number = fp.number + k;
    g.timestamp = fp.timestamp + k * fp.seconds + (int64_t)rbelow(&g.r, 3);
    if (pv_mainnet_fork(g.number, g.timestamp) != g.fork)
        abort(); /* the table above is wrong */
    g.base_fee = u256_from_u64(GWEI + rbelow(&g.r, 30 * GWEI));
    g.legacy_price = g.fork >= PV_LONDON ? g.base_fee.w[0] + GWEI : 10 * GWEI;
    g.excess_blob_gas = g.fork >= PV_CANCUN ? 131072 * rbelow(&g.r, 40) : 0;
    g.blob_base_fee = pv_blob_base_fee(g.excess_blob_gas);

    setup_state(&g);
    uint8_t *sched = make_schedule(&g);
    size_t invalid_seen = 0;
    for (size_t i = 0; i < n; i++) {
        if (sched[i] == SLOT_INVALID) {
            gen_invalid_slot(&g, invalid_seen++);
            continue;
        }
        bool hot = rchance(&g.r, p->conflicts);
        if (sched[i] == SLOT_RANDOM)
            gen_random(&g, hot);
        else
            gen_scripted(&g, sched[i], hot, i);
    }
    free(sched);

    /* assemble */
    pv_buf out;
    pv_buf_init(&out);
    uint64_t gas_limit = p->gas_limit ? p->gas_limit : (g.gas_sum > 30000000 ? g.gas_sum : 30000000);
    bool paris = g.fork >= PV_PARIS;
    char num[64];
    snprintf(num, sizeof num, "{\"number\":%lld,\"block\":{", (long long)g.number);
    js(&out, num);
    uint8_t h[32];
    tagged_hash("parevm-gen parent", p->seed, (uint64_t)g.number, h);
    js(&out, "\"parentHash\":");
    jhex(&out, h, 32);
    jkey(&out, "sha3Uncles");
    js(&out, "\"0x1dcc4de8dec75d7aab85b567b6ccd41ad312451b948a7413f0a142fd40d49347\"");
    jkey(&out, "miner");
    jhex(&out, g.senders[g.coinbase].addr.b, 20);
    pv_bytes32 txroot = list_root(&g.enc, g.enc_off, g.ntx);
    jkey(&out, "transactionsRoot");
    jhex(&out, txroot.b, 32);
    jkey(&out, "difficulty");
    if (paris) {
        jq(&out, 0);
    } else {
        u256 d = u256_from_u64((1ULL << 40) + rbelow(&g.r, 1ULL << 44));
        jq256(&out, &d);
    }
    jkey(&out, "number");
    jq(&out, (uint64_t)g.number);
    jkey(&out, "gasLimit");
    jq(&out, gas_limit);
    jkey(&out, "timestamp");
    jq(&out, (uint64_t)g.timestamp);
    jkey(&out, "extraData");
    jhex(&out, (const uint8_t *)"parevm-gen", 10);
    uint8_t mix[32], nonce[8] = {0};
    rbytes(&g.r, mix, 32);
    if (!paris)
        rbytes(&g.r, nonce, 8);
    jkey(&out, "mixHash");
    jhex(&out, mix, 32);
    jkey(&out, "nonce");
    jhex(&out, nonce, 8);
    if (g.fork >= PV_LONDON) {
        jkey(&out, "baseFeePerGas");
        jq256(&out, &g.base_fee);
    }

    /* withdrawals (their JSON goes after the transactions, their root into the header) */
    pv_buf wd;
    pv_buf_init(&wd);
    size_t nwd = 0;
    if (g.fork >= PV_SHANGHAI) {
        pv_bytes32 wroot;
        nwd = write_withdrawals(&g, &wd, &wroot);
        jkey(&out, "withdrawalsRoot");
        jhex(&out, wroot.b, 32);
    }
    if (g.fork >= PV_CANCUN) {
        jkey(&out, "blobGasUsed");
        jq(&out, 131072 * (uint64_t)g.blobs);
        jkey(&out, "excessBlobGas");
        jq(&out, g.excess_blob_gas);
        uint8_t beacon[32];
        rbytes(&g.r, beacon, 32);
        jkey(&out, "parentBeaconBlockRoot");
        jhex(&out, beacon, 32);
    }
    jkey(&out, "uncles");
    js(&out, "[]");
    jkey(&out, "transactions");
    js(&out, "[");
    pv_buf_append(&out, g.txj.data, g.txj.len);
    js(&out, "]");
    if (nwd) {
        jkey(&out, "withdrawals");
        pv_buf_append(&out, wd.data, wd.len);
    }
    pv_buf_free(&wd);
    js(&out, "},\"pre\":");
    write_pre(&g, &out);
    js(&out, ",\"blockHashes\":");
    size_t nh = write_block_hashes(&g, &out);
    js(&out, "}\n");
    uint8_t nul = 0;
    pv_buf_append(&out, &nul, 1);

    info->fork = g.fork;
    info->number = g.number;
    info->timestamp = g.timestamp;
    info->gas_limit = gas_limit;
    info->txs = g.ntx;
    info->senders = g.nsenders;
    info->withdrawals = nwd;
    info->block_hashes = nh;
    info->factory = g.factory;
    info->destroyed = g.sd_b;
    info->recreated = g.sd_a;
    info->coinbase = g.senders[g.coinbase].addr;
    info->counter = g.counter;
    info->token = g.token;
    info->weth = g.weth;
    info->hot_recipient = g.hot_recipient;
    info->hot_holder = g.hot_holder;
    info->beacon_roots = BEACON_ROOTS;
    gen_free(&g);
    if (!info_out)
        pv_gen_info_free(&local_info);
    *len = out.len - 1;
    return (char *)out.data;
}

void pv_gzip_fixed(const uint8_t *data, size_t len, uint8_t **out, size_t *out_len)
{
    z_stream z;
    memset(&z, 0, sizeof z);
    if (deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        abort();
    gz_header h;
    memset(&h, 0, sizeof h);
    h.os = 255; /* unknown: the same bytes on every system */
    if (deflateSetHeader(&z, &h) != Z_OK)
        abort();
    size_t cap = deflateBound(&z, (uLong)len) + 64, n = 0;
    uint8_t *buf = malloc(cap);
    if (!buf)
        abort();
    z.next_in = (Bytef *)data;
    int rc;
    do {
        size_t in_left = len - (size_t)(z.next_in - data);
        z.avail_in = in_left > (1u << 30) ? (1u << 30) : (uInt)in_left;
        if (cap - n < 65536) {
            cap *= 2;
            buf = realloc(buf, cap);
            if (!buf)
                abort();
        }
        z.next_out = buf + n;
        z.avail_out = (uInt)((cap - n) > (1u << 30) ? (1u << 30) : (cap - n));
        size_t before = z.total_out;
        rc = deflate(&z, z.avail_in == in_left ? Z_FINISH : Z_NO_FLUSH);
        n += z.total_out - before;
        if (rc != Z_OK && rc != Z_STREAM_END && rc != Z_BUF_ERROR)
            abort();
    } while (rc != Z_STREAM_END);
    deflateEnd(&z);
    *out = buf;
    *out_len = n;
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && strcmp(s + a - b, suffix) == 0;
}

bool pv_gen_block_write(const pv_gen_params *p, const char *path, pv_gen_info *info, char **err)
{
    *err = NULL;
    bool gz = ends_with(path, ".json.gz");
    if (!gz && !ends_with(path, ".json")) {
        *err = pv_fmt("%s: the file name must end in .json or .json.gz", path);
        return false;
    }
    size_t len;
    char *text = pv_gen_block_json(p, &len, info, err);
    if (!text)
        return false;
    const uint8_t *data = (const uint8_t *)text;
    uint8_t *z = NULL;
    size_t zlen = len;
    if (gz) {
        pv_gzip_fixed(data, len, &z, &zlen);
        data = z;
    }
    FILE *f = fopen(path, "wb");
    bool ok = f && fwrite(data, 1, zlen, f) == zlen;
    int e = errno;
    if (f && fclose(f) != 0 && ok) {
        ok = false;
        e = errno;
    }
    if (!ok)
        *err = pv_fmt("%s: cannot write: %s", path, strerror(e));
    free(z);
    free(text);
    if (!ok && info)
        pv_gen_info_free(info);
    return ok;
}
