/* Synthetic benchmark blocks: transfers, ERC-20 transfers, AMM swaps, mixed with a hot set. */
#include "synth.h"

#include <stdio.h>
#include <stdlib.h>

#include "../util/keccak.h"

static const char *const kind_names[] = {"transfers", "erc20", "swaps", "mixed"};

const char *pv_synth_kind_name(pv_synth_kind k) { return (unsigned)k < 4 ? kind_names[k] : "unknown"; }

bool pv_synth_kind_from_name(const char *name, pv_synth_kind *out)
{
    for (unsigned i = 0; i < 4; i++)
        if (strcmp(name, kind_names[i]) == 0) {
            *out = (pv_synth_kind)i;
            return true;
        }
    return false;
}

typedef struct rng {
    uint64_t s;
} rng;

static uint64_t next(rng *r)
{
    /* xorshift64* */
    r->s ^= r->s >> 12;
    r->s ^= r->s << 25;
    r->s ^= r->s >> 27;
    return r->s * 0x2545f4914f6cdd1dULL;
}

/* Distinct, seed-dependent addresses that look random (as real ones do: hash tables and sorts
 * see realistic keys): a bijective 64-bit mix of (tag, index) spread over the 20 bytes. */
static pv_address make_addr(uint8_t tag, uint64_t i, uint64_t seed)
{
    uint64_t a = pv_mix64(((uint64_t)tag << 56) ^ i ^ pv_mix64(seed)), b = pv_mix64(a ^ 0x9e3779b97f4a7c15ULL);
    pv_address r;
    for (int k = 0; k < 8; k++) {
        r.b[k] = (uint8_t)(a >> (56 - 8 * k));
        r.b[8 + k] = (uint8_t)(b >> (56 - 8 * k));
    }
    r.b[16] = tag;
    r.b[17] = (uint8_t)(i >> 16);
    r.b[18] = (uint8_t)(i >> 8);
    r.b[19] = (uint8_t)i;
    return r;
}

/* Solidity mapping slots of the fixture ERC-20: balances at slot 0, allowances at slot 1. */
static u256 balance_slot(const pv_address *holder)
{
    uint8_t buf[64] = {0};
    memcpy(buf + 12, holder->b, 20);
    uint8_t h[32];
    pv_keccak256(buf, 64, h);
    u256 k;
    u256_from_be(&k, h, 32);
    return k;
}

static u256 allowance_slot(const pv_address *owner, const pv_address *spender)
{
    uint8_t buf[64] = {0};
    memcpy(buf + 12, owner->b, 20);
    buf[63] = 1;
    uint8_t inner[32];
    pv_keccak256(buf, 64, inner);
    memset(buf, 0, 32);
    memcpy(buf + 12, spender->b, 20);
    memcpy(buf + 32, inner, 32);
    uint8_t h[32];
    pv_keccak256(buf, 64, h);
    u256 k;
    u256_from_be(&k, h, 32);
    return k;
}

static void put_word(uint8_t *p, const u256 *v) { u256_to_be(v, p); }

static void put_addr_word(uint8_t *p, const pv_address *a)
{
    memset(p, 0, 12);
    memcpy(p + 12, a->b, 20);
}

typedef struct builder {
    const pv_synth_params *p;
    pv_synth_block *out;
    rng r;
    size_t n, cap_data, used_data;
    uint64_t account_seq;
    pv_address token_a, token_b;
    uint8_t swap_selector[4];
} builder;

static const u256 ONE_ETH = {{1000000000000000000ULL, 0, 0, 0}};
static const u256 ZERO = {{0, 0, 0, 0}};

static pv_address new_funded_sender(builder *b)
{
    pv_address a = make_addr(0x5e, b->account_seq++, b->p->seed);
    pv_world_put_account(b->out->pre, &a, 0, &ONE_ETH, NULL, 0);
    return a;
}

static pv_tx *new_tx(builder *b, const pv_address *from, const pv_address *to, uint64_t gas, size_t data_len)
{
    pv_tx *t = &b->out->txs[b->n++];
    memset(t, 0, sizeof *t);
    t->type = b->p->fork >= PV_LONDON ? 2 : 0;
    t->sender = *from;
    t->to = *to;
    t->gas_limit = gas;
    t->gas_price = u256_from_u64(10);
    t->max_fee_per_gas = u256_from_u64(10);
    t->max_priority_fee_per_gas = u256_from_u64(1);
    /* data goes in the block's calldata pool; pointers are fixed up once it stops moving */
    t->data = (const uint8_t *)(uintptr_t)b->used_data;
    t->data_size = data_len;
    b->used_data += data_len;
    return t;
}

static uint8_t *tx_data(builder *b, pv_tx *t) { return b->out->calldata + (uintptr_t)t->data; }

static void add_transfer(builder *b)
{
    pv_address from = new_funded_sender(b);
    pv_address to = make_addr(0x7e, b->account_seq++, b->p->seed);
    pv_tx *t = new_tx(b, &from, &to, 21000, 0);
    t->value = u256_from_u64(1 + next(&b->r) % 1000000);
}

static void add_erc20_transfer(builder *b, const pv_address *to_fixed)
{
    pv_address from = new_funded_sender(b);
    u256 slot = balance_slot(&from), bal = ONE_ETH;
    pv_world_put_storage(b->out->pre, &b->token_a, &slot, &bal);
    pv_address to = to_fixed ? *to_fixed : make_addr(0x7e, b->account_seq++, b->p->seed);
    pv_tx *t = new_tx(b, &from, &b->token_a, 90000, 68);
    uint8_t *d = tx_data(b, t);
    d[0] = 0xa9, d[1] = 0x05, d[2] = 0x9c, d[3] = 0xbb; /* transfer(address,uint256) */
    put_addr_word(d + 4, &to);
    u256 amount = u256_from_u64(1 + next(&b->r) % 1000000000000ULL);
    put_word(d + 36, &amount);
}

/* A pool with reserves r0 (token A) and r1 (token B), its balances written in both tokens. */
static pv_address new_pool(builder *b, uint64_t r0, uint64_t r1)
{
    pv_address pool = make_addr(0x90, b->account_seq++, b->p->seed);
    pv_world_put_account(b->out->pre, &pool, 1, &ZERO, b->p->pool_code, b->p->pool_size);
    u256 k0 = u256_from_u64(0), k1 = u256_from_u64(1), k2 = u256_from_u64(2), v;
    u256_from_be(&v, b->token_a.b, 20);
    pv_world_put_storage(b->out->pre, &pool, &k0, &v);
    u256_from_be(&v, b->token_b.b, 20);
    pv_world_put_storage(b->out->pre, &pool, &k1, &v);
    /* reserve0 in bits 0..111, reserve1 in bits 112..223 (both below 2^64 here) */
    u256 packed = {{r0, r1 << 48, r1 >> 16, 0}};
    pv_world_put_storage(b->out->pre, &pool, &k2, &packed);
    u256 s = balance_slot(&pool), a = u256_from_u64(r0), c = u256_from_u64(r1);
    pv_world_put_storage(b->out->pre, &b->token_a, &s, &a);
    pv_world_put_storage(b->out->pre, &b->token_b, &s, &c);
    return pool;
}

static void add_swap(builder *b, const pv_address *pool_fixed)
{
    pv_address pool = pool_fixed ? *pool_fixed : new_pool(b, 1000000000000ULL, 1000000000000ULL);
    pv_address trader = new_funded_sender(b);
    uint64_t amount = 1000 + next(&b->r) % 1000000;
    u256 s = balance_slot(&trader), bal = u256_from_u64(amount);
    pv_world_put_storage(b->out->pre, &b->token_a, &s, &bal);
    u256 as = allowance_slot(&trader, &pool);
    pv_world_put_storage(b->out->pre, &b->token_a, &as, &bal);
    pv_tx *t = new_tx(b, &trader, &pool, 200000, 100);
    uint8_t *d = tx_data(b, t);
    memcpy(d, b->swap_selector, 4);
    u256 amt = u256_from_u64(amount), yes = u256_from_u64(1), zero = u256_zero();
    put_word(d + 4, &amt);
    put_word(d + 36, &yes);
    put_word(d + 68, &zero);
}

const char *pv_synth_build(const pv_synth_params *p, pv_synth_block *out)
{
    memset(out, 0, sizeof *out);
    bool need_erc20 = p->kind != PV_SYNTH_TRANSFERS, need_pool = p->kind == PV_SYNTH_SWAPS || p->kind == PV_SYNTH_MIXED;
    if (need_erc20 && !p->erc20_size)
        return "the ERC-20 bytecode is needed (fixtures/contracts/ERC20Token.runtime.hex)";
    if (need_pool && !p->pool_size)
        return "the pool bytecode is needed (bench/contracts/Pool.runtime.hex)";
    static const uint64_t per_tx[] = {21000, 52000, 110000, 61000};
    size_t n = p->txs ? p->txs : (size_t)(p->gas / per_tx[p->kind]);
    if (n == 0)
        n = 1;
    builder b;
    memset(&b, 0, sizeof b);
    b.p = p;
    b.out = out;
    b.r.s = p->seed * 0x9e3779b97f4a7c15ULL + 0x632be59bd9b4e019ULL;
    if (!b.r.s)
        b.r.s = 1;
    out->pre = pv_world_new();
    out->txs = calloc(n, sizeof *out->txs);
    out->calldata = malloc(n * 100 + 1);
    if (!out->txs || !out->calldata)
        abort();
    b.token_a = make_addr(0xa0, 0, p->seed);
    b.token_b = make_addr(0xb0, 0, p->seed);
    if (need_erc20) {
        pv_world_put_account(out->pre, &b.token_a, 1, &ZERO, p->erc20_code, p->erc20_size);
        pv_world_put_account(out->pre, &b.token_b, 1, &ZERO, p->erc20_code, p->erc20_size);
    }
    uint8_t h[32];
    static const char sig[] = "swap(uint256,bool,uint256)";
    pv_keccak256((const uint8_t *)sig, sizeof sig - 1, h);
    memcpy(b.swap_selector, h, 4);
    pv_address hot_holder = make_addr(0x40, 0, p->seed), hot_pool;
    if (p->kind == PV_SYNTH_MIXED)
        hot_pool = new_pool(&b, 1000000000000000ULL, 1000000000000000ULL);
    for (size_t i = 0; i < n; i++) {
        switch (p->kind) {
        case PV_SYNTH_TRANSFERS:
            add_transfer(&b);
            break;
        case PV_SYNTH_ERC20:
            add_erc20_transfer(&b, NULL);
            break;
        case PV_SYNTH_SWAPS:
            add_swap(&b, NULL);
            break;
        case PV_SYNTH_MIXED: {
            bool hot = (double)(next(&b.r) % 1000000) < p->hot_ratio * 1000000.0;
            unsigned which = (unsigned)(next(&b.r) % 3);
            if (hot)
                which == 2 ? add_swap(&b, &hot_pool) : add_erc20_transfer(&b, &hot_holder);
            else if (which == 0)
                add_transfer(&b);
            else if (which == 1)
                add_erc20_transfer(&b, NULL);
            else
                add_swap(&b, NULL);
            break;
        }
        }
    }
    for (size_t i = 0; i < b.n; i++)
        out->txs[i].data = out->txs[i].data_size ? out->calldata + (uintptr_t)out->txs[i].data : NULL;
    /* The fee recipient exists, as every mainnet coinbase does (a fresh one would make the
     * first fee of the block create it, a dependency of every transaction on the first). */
    pv_address coinbase = make_addr(0xc0, 0, p->seed);
    pv_world_put_account(out->pre, &coinbase, 0, &ONE_ETH, NULL, 0);
    pv_world_seal(out->pre);

    pv_block *blk = &out->block;
    blk->fork = p->fork;
    blk->env.coinbase = coinbase;
    blk->env.number = p->fork >= PV_CANCUN ? 20000000 : p->fork >= PV_PARIS ? 17000000 : 12000000;
    blk->env.timestamp = p->fork >= PV_CANCUN ? 1720000000 : 1600000000;
    uint64_t limit = 0;
    for (size_t i = 0; i < b.n; i++)
        limit += out->txs[i].gas_limit;
    blk->env.gas_limit = limit;
    blk->env.base_fee = u256_from_u64(p->fork >= PV_LONDON ? 7 : 0);
    blk->env.difficulty = u256_from_u64(p->fork >= PV_PARIS ? 0 : 1);
    blk->env.chain_id = u256_from_u64(1);
    blk->txs = out->txs;
    blk->txs_count = b.n;
    return NULL;
}

void pv_synth_free(pv_synth_block *b)
{
    pv_world_free(b->pre);
    free(b->txs);
    free(b->calldata);
    memset(b, 0, sizeof *b);
}
