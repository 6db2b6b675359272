/*
 * Block-STM against the sequential executor on hand-built blocks that hit the hard cases: one
 * sender's nonce chain, a hot recipient (balance deltas), the coinbase sending, receiving and
 * being read, a contended counter slot, SELFDESTRUCT and re-creation at one CREATE2 address,
 * create collisions, invalid transactions under both policies, the block gas limit (a second
 * scheduler round), withdrawals, the beacon-root call and pre-merge rewards.
 *
 * Each block runs sequentially once and in parallel at 1, 2, 3, 4, 8 and 16 threads several
 * times; every result must equal the sequential one (receipts, logs, gas, state changes), and
 * the sequential result itself is checked against values derived by hand.
 *
 * Every block also goes through the optimistic chunk executor (chunks.h) at 2, 3, 4 and 8
 * chunks: when it claims a result, the result must be the sequential one; and blocks built for
 * it check that it gives up exactly where a chunk reads what a lower chunk writes (a counter in
 * both halves, a sender funded by the other half, the coinbase's balance read after fees, a
 * fresh account created by both halves) and succeeds where only credits overlap.
 */
#include "test.h"

#include <string.h>
#include <unistd.h>

#include "exec/block.h"
#include "exec/chunks.h"
#include "exec/parallel.h"
#include "state/cached_source.h"
#include "util/keccak.h"

static pv_address addr_n(unsigned n)
{
    pv_address a;
    memset(&a, 0, sizeof a);
    a.b[0] = 0xaa;
    a.b[1] = (uint8_t)(n * 37); /* address order is not n's order, and prefixes differ */
    a.b[18] = (uint8_t)(n >> 8);
    a.b[19] = (uint8_t)n;
    return a;
}

static const pv_address COINBASE = {{0xc0, 0xc0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01}};

/* Contracts. */
static const uint8_t COUNTER[] = {0x60, 0x00, 0x54, 0x60, 0x01, 0x01, 0x60, 0x00, 0x55, 0x00};
/* stores BALANCE(COINBASE) at slot 0 */
static const uint8_t READ_COINBASE[] = {0x41, 0x31, 0x60, 0x00, 0x55, 0x00};
/* CREATE2 of its calldata with salt 0x2a, stores the result at slot 0 */
static const uint8_t FACTORY[] = {0x36, 0x60, 0x00, 0x60, 0x00, 0x37, 0x60, 0x2a, 0x36, 0x60, 0x00,
                                  0x60, 0x00, 0xf5, 0x60, 0x00, 0x55, 0x00};
/* initcode: slot 1 = slot 0 (what the address held: zero for a new or destroyed account),
 * slot 0 = 0x55, then deploy CALLER SELFDESTRUCT (0x33 0xff) */
static const uint8_t INIT_SELFDESTRUCT[] = {0x60, 0x00, 0x54, 0x60, 0x01, 0x55, 0x60, 0x55, 0x60, 0x00, 0x55,
                                            0x61, 0x33, 0xff, 0x60, 0x00, 0x52, 0x60, 0x02, 0x60, 0x1e, 0xf3};
/* pays its whole balance to its caller through CALL, then logs */
static const uint8_t PAYOUT[] = {0x60, 0x00, 0x60, 0x00, 0x60, 0x00, 0x60, 0x00, 0x47, 0x33, 0x5a, 0xf1,
                                 0x50, 0x60, 0x00, 0x60, 0x00, 0xa0, 0x00};

#define A_COUNTER 900
#define A_READER 901
#define A_FACTORY 902
#define A_PAYOUT 903
#define A_REGISTRY 904
/* SSTORE(CALLER, 1): each sender its own slot of one contract */
static const uint8_t REGISTRY[] = {0x60, 0x01, 0x33, 0x55, 0x00};
#define A_TALLY 908
/* slot[CALLDATALOAD(0)] += 1: callers with different keys touch different slots */
static const uint8_t TALLY[] = {0x60, 0x00, 0x35, 0x80, 0x54, 0x60, 0x01, 0x01, 0x90, 0x55, 0x00};
#define A_TOUCHER 905
#define A_CREATOR 906
#define BUSY_SENDER 950 /* an account that has sent before (nonce 1): not empty whatever its balance */
/* CALL(gas, addr_n(BUSY_SENDER), 0, 0, 0, 0, 0): looks at the busy sender's account (exists,
 * code, emptiness), never at its exact nonce; the address is filled in by builder_init */
static uint8_t TOUCHER[] = {0x60, 0x00, 0x60, 0x00, 0x60, 0x00, 0x60, 0x00, 0x60, 0x00, 0x73,
                            0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                            0x5a, 0xf1, 0x50, 0x00};
#define A_SPIN 907
/* counts 2048 down (~53,000 gas): the busy sender's transactions run long, so that others read
 * its account while they run */
static const uint8_t SPIN[] = {0x61, 0x08, 0x00, 0x5b, 0x60, 0x01, 0x90, 0x03, 0x80, 0x60, 0x03, 0x57, 0x50, 0x00};
/* SSTORE(CALLER, CREATE(0, 0, 0)): the new address depends on the contract's exact nonce */
static const uint8_t CREATOR[] = {0x60, 0x00, 0x60, 0x00, 0x60, 0x00, 0xf0, 0x33, 0x55, 0x00};

typedef struct builder {
    pv_world *w;
    pv_tx txs[400];
    size_t n;
    uint64_t nonce[1001];
    pv_block b;
    pv_withdrawal wds[4];
} builder;

static void builder_init(builder *bl, pv_fork fork)
{
    memset(bl, 0, sizeof *bl);
    bl->w = pv_world_new();
    u256 rich = u256_from_u64(1000000000000000000ULL);
    for (unsigned i = 0; i < 300; i++) {
        pv_address a = addr_n(i);
        pv_world_put_account(bl->w, &a, 0, &rich, NULL, 0);
    }
    pv_address c = addr_n(A_COUNTER), r = addr_n(A_READER), f = addr_n(A_FACTORY), p = addr_n(A_PAYOUT);
    u256 zero = u256_zero(), some = u256_from_u64(777);
    pv_world_put_account(bl->w, &c, 1, &zero, COUNTER, sizeof COUNTER);
    pv_world_put_account(bl->w, &r, 1, &zero, READ_COINBASE, sizeof READ_COINBASE);
    pv_world_put_account(bl->w, &f, 1, &zero, FACTORY, sizeof FACTORY);
    pv_world_put_account(bl->w, &p, 1, &some, PAYOUT, sizeof PAYOUT);
    pv_address g = addr_n(A_REGISTRY);
    pv_world_put_account(bl->w, &g, 1, &zero, REGISTRY, sizeof REGISTRY);
    pv_address busy = addr_n(BUSY_SENDER), t = addr_n(A_TOUCHER), cr = addr_n(A_CREATOR);
    memcpy(TOUCHER + 11, busy.b, 20);
    pv_world_put_account(bl->w, &busy, 1, &rich, NULL, 0);
    pv_world_put_account(bl->w, &t, 1, &zero, TOUCHER, sizeof TOUCHER);
    pv_world_put_account(bl->w, &cr, 1, &zero, CREATOR, sizeof CREATOR);
    pv_address sp = addr_n(A_SPIN), ta = addr_n(A_TALLY);
    pv_world_put_account(bl->w, &sp, 1, &zero, SPIN, sizeof SPIN);
    pv_world_put_account(bl->w, &ta, 1, &zero, TALLY, sizeof TALLY);
    u256 k = u256_zero(), v = u256_from_u64(5);
    pv_world_put_storage(bl->w, &c, &k, &v);
    pv_world_put_account(bl->w, &COINBASE, 0, &rich, NULL, 0);
    pv_world_seal(bl->w);
    bl->nonce[BUSY_SENDER] = 1;
    pv_block *b = &bl->b;
    b->fork = fork;
    b->env.coinbase = COINBASE;
    b->env.number = fork >= PV_PARIS ? 20000000 : 5000000;
    b->env.timestamp = 1700000000;
    b->env.gas_limit = 30000000;
    b->env.difficulty = u256_from_u64(fork >= PV_PARIS ? 0 : 1000);
    b->env.base_fee = u256_from_u64(fork >= PV_LONDON ? 7 : 0);
    b->env.chain_id = u256_from_u64(1);
    b->txs = bl->txs;
}

static pv_tx *add_tx(builder *bl, unsigned from, pv_address to, uint64_t value, uint64_t gas)
{
    pv_tx *t = &bl->txs[bl->n++];
    memset(t, 0, sizeof *t);
    t->type = bl->b.fork >= PV_LONDON ? 2 : 0;
    t->sender = from == 1000 ? COINBASE : addr_n(from);
    t->nonce = bl->nonce[from]++;
    t->gas_price = u256_from_u64(10);
    t->max_fee_per_gas = u256_from_u64(10);
    t->max_priority_fee_per_gas = u256_from_u64(2);
    t->gas_limit = gas;
    t->to = to;
    t->value = u256_from_u64(value);
    bl->b.txs_count = bl->n;
    return t;
}

static int blocks_compared, chunk_attempts, chunk_successes, chunk_steals, prefix_runs;

/* The chunk executor on b at several chunk counts: a claimed result must be seq. expect: 1 it
 * must succeed at 2 chunks, 0 it must give up there, -1 either. */
static void check_chunks(const char *name, builder *bl, pv_invalid_tx_policy policy, const pv_block_result *seq,
                         int expect)
{
    static const unsigned counts[] = {2, 3, 4, 8};
    /* Every transaction checked early, then none: the final validation alone must find every
     * conflict the early checks find. */
    static const size_t windows[] = {SIZE_MAX - 1, PV_CHUNKS_WINDOW_NONE};
    /* Over the world itself (the chunks' states report their reads) and over a source in front
     * of it (the chunk source sees them): each must find the same conflicts. (The settling cuts
     * the addresses in one range per chunk: 2 to 8 ranges here.) */
    /* Steals: none (the partition's chunks alone), or every chunk but the last starting with one
     * transaction, so that threads split running chunks at once (and again: chunks of 1 to n
     * transactions, cut wherever the threads' timing falls). */
    static const size_t steals[] = {PV_CHUNKS_STEAL_NONE, PV_CHUNKS_STEAL_SKEWED};
    for (size_t via = 0; via < 2; via++)
    for (size_t w = 0; w < 2; w++)
    for (size_t s = 0; s < 2; s++)
        for (size_t c = 0; c < sizeof counts / sizeof counts[0]; c++) {
            pv_block_result out;
            pv_chunks_outcome oc;
            pv_cached_source *cache = via & 1 ? pv_cached_source_new(pv_world_source(bl->w), 64) : NULL;
            pv_state_source *pre = via & 1 ? pv_cached_source_base(cache) : pv_world_source(bl->w);
            pv_chunks_execute(pre, &bl->b, counts[c], policy, windows[w], steals[s], &out, &oc);
            chunk_steals += oc.steals;
            pv_cached_source_free(cache);
            chunk_attempts++;
            if (oc.done) {
                chunk_successes++;
                char why[512];
                bool eq = pv_block_results_equal(seq, &out, why, sizeof why);
                CHECK(eq, "%s, %u chunks, window %zu, %s, %s: %s", name, counts[c], windows[w],
                      via & 1 ? "through a source" : "over the world", s ? "skewed, stealing" : "no steals", why);
                pv_block_result_free(&out);
            }
            if (expect >= 0 && counts[c] == 2 && s == 0)
                CHECK(oc.done == (expect == 1), "%s: 2 chunks, window %zu, %s: %s (%s)", name, windows[w],
                      via & 1 ? "through a source" : "over the world", oc.done ? "succeeded" : "gave up", oc.why_not);
        }
}

/* Runs b sequentially and in parallel at several thread counts; returns the sequential result. */
static void check_block(const char *name, builder *bl, pv_invalid_tx_policy policy, pv_block_result *seq)
{
    pv_block_execute(pv_world_source(bl->w), &bl->b, policy, seq);
    static const unsigned threads[] = {1, 2, 3, 4, 8, 16};
    pv_parallel_options o = {.threads = 0, .policy = policy, .record_traces = true};
    for (size_t t = 0; t < sizeof threads / sizeof threads[0]; t++) {
        for (int rep = 0; rep < 3; rep++) {
            pv_block_result par;
            pv_parallel_stats st;
            pv_block_execute_parallel(pv_world_source(bl->w), &bl->b, threads[t], &o, &par, &st);
            char why[512];
            bool eq = pv_block_results_equal(seq, &par, why, sizeof why);
            CHECK(eq, "%s, %u threads, run %d: %s", name, threads[t], rep, why);
            CHECK(st.ntraces == bl->b.txs_count, "%s: one trace per transaction", name);
            pv_parallel_stats_free(&st);
            pv_block_result_free(&par);
        }
    }
    /* The sequential prefix (parallel.c), forced: a small one, half the block, and nearly all
     * of it (then the other workers take most of it back). */
    static const unsigned percents[] = {10, 50, 90};
    pv_parallel_options po = {.threads = 0, .policy = policy, .prefix = PV_PREFIX_ALWAYS};
    for (size_t p = 0; p < sizeof percents / sizeof percents[0]; p++)
        for (unsigned t = 2; t <= 4; t++)
            for (int rep = 0; rep < 2; rep++) {
                po.prefix_percent = percents[p];
                pv_block_result par;
                pv_parallel_stats st;
                pv_block_execute_parallel(pv_world_source(bl->w), &bl->b, t, &po, &par, &st);
                char why[512];
                bool eq = pv_block_results_equal(seq, &par, why, sizeof why);
                CHECK(eq, "%s, prefix of %u%%, %u threads, run %d: %s", name, percents[p], t, rep, why);
                CHECK(bl->b.txs_count < 4 || (st.prefix_txs >= 2 && st.prefix_txs < bl->b.txs_count),
                      "%s: a prefix of %u%% ran (%u of %zu transactions)", name, percents[p], st.prefix_txs,
                      bl->b.txs_count);
                prefix_runs += st.prefix_txs > 0;
                pv_parallel_stats_free(&st);
                pv_block_result_free(&par);
            }
    blocks_compared++;
    check_chunks(name, bl, policy, seq, -1);
}

static u256 slot_after(const pv_block_result *r, pv_address a, uint64_t key, bool *found)
{
    *found = false;
    for (size_t i = 0; i < r->changes.count; i++) {
        const pv_account_change *c = &r->changes.accounts[i];
        if (!pv_address_eq(&c->address, &a))
            continue;
        for (size_t j = 0; j < c->slots_count; j++)
            if (c->slots[j].key.w[0] == key && c->slots[j].key.w[1] == 0) {
                *found = true;
                return c->slots[j].value;
            }
    }
    return u256_zero();
}

static const pv_account_change *change_of(const pv_block_result *r, pv_address a)
{
    for (size_t i = 0; i < r->changes.count; i++)
        if (pv_address_eq(&r->changes.accounts[i].address, &a))
            return &r->changes.accounts[i];
    return NULL;
}

static void test_transfers_and_counter(pv_fork fork)
{
    builder bl;
    builder_init(&bl, fork);
    /* 60 independent transfers, a 20-long nonce chain, 30 to one hot recipient, 40 counter
     * increments, the coinbase sending and being read, a payout back to its caller. */
    for (unsigned i = 0; i < 60; i++)
        add_tx(&bl, i, addr_n(100 + i), 1000 + i, 21000);
    for (unsigned i = 0; i < 20; i++)
        add_tx(&bl, 160, addr_n(161), 5, 21000);
    for (unsigned i = 0; i < 30; i++)
        add_tx(&bl, 170 + i, addr_n(299), 1, 21000);
    for (unsigned i = 0; i < 40; i++)
        add_tx(&bl, 200 + i % 20, addr_n(A_COUNTER), 0, 60000);
    add_tx(&bl, 1000, addr_n(5), 123, 21000);
    add_tx(&bl, 240, addr_n(A_READER), 0, 60000);
    add_tx(&bl, 241, addr_n(A_PAYOUT), 0, 100000);
    add_tx(&bl, 242, COINBASE, 9, 21000);
    add_tx(&bl, 243, addr_n(A_READER), 0, 60000);
    pv_block_result seq;
    check_block(pv_fork_name(fork), &bl, PV_INVALID_TX_ABORT, &seq);
    CHECK(seq.valid && seq.receipts_count == bl.n, "%s: every transaction included (invalid %zu: %s)", pv_fork_name(fork), seq.invalid_tx, pv_tx_error_name(seq.invalid_error));
    bool found;
    u256 counter = slot_after(&seq, addr_n(A_COUNTER), 0, &found);
    CHECK(found && counter.w[0] == 45, "%s: the counter went from 5 to 45 (got %llu)", pv_fork_name(fork),
          (unsigned long long)counter.w[0]);
    const pv_account_change *hot = change_of(&seq, addr_n(299));
    CHECK(hot && hot->balance.w[0] == 1000000000000000000ULL + 30, "%s: the hot recipient got 30 credits",
          pv_fork_name(fork));
    const pv_account_change *chain = change_of(&seq, addr_n(160));
    CHECK(chain && chain->nonce == 20, "%s: the chained sender's nonce is 20", pv_fork_name(fork));
    for (size_t i = 0; i < 60; i++)
        CHECK(seq.receipts[i].gas_used == 21000 && seq.receipts[i].status == PV_SUCCESS, "transfer %zu", i);
    pv_block_result_free(&seq);
    pv_world_free(bl.w);
}

static void test_destroy_and_recreate(pv_fork fork)
{
    builder bl;
    builder_init(&bl, fork);
    pv_address f = addr_n(A_FACTORY);
    /* create at the CREATE2 address, collide, call it (self-destructs before Cancun), re-create */
    pv_tx *t = add_tx(&bl, 10, f, 0, 200000);
    t->data = INIT_SELFDESTRUCT;
    t->data_size = sizeof INIT_SELFDESTRUCT;
    t = add_tx(&bl, 11, f, 0, 200000);
    t->data = INIT_SELFDESTRUCT;
    t->data_size = sizeof INIT_SELFDESTRUCT;
    /* the CREATE2 address: keccak(0xff ++ factory ++ salt ++ keccak(initcode))[12:] */
    uint8_t pre[85];
    pre[0] = 0xff;
    memcpy(pre + 1, f.b, 20);
    memset(pre + 21, 0, 32);
    pre[52] = 0x2a;
    pv_keccak256(INIT_SELFDESTRUCT, sizeof INIT_SELFDESTRUCT, pre + 53);
    uint8_t h[32];
    pv_keccak256(pre, sizeof pre, h);
    pv_address child;
    memcpy(child.b, h + 12, 20);
    add_tx(&bl, 12, child, 50, 100000);
    for (unsigned i = 0; i < 10; i++)
        add_tx(&bl, 20 + i, addr_n(A_COUNTER), 0, 60000);
    t = add_tx(&bl, 13, f, 0, 200000);
    t->data = INIT_SELFDESTRUCT;
    t->data_size = sizeof INIT_SELFDESTRUCT;
    /* a plain creation transaction and value to the re-created child */
    t = add_tx(&bl, 15, f, 0, 100000);
    t->is_create = true;
    t->data = INIT_SELFDESTRUCT;
    t->data_size = sizeof INIT_SELFDESTRUCT;
    add_tx(&bl, 16, child, 1, 21000);
    pv_block_result seq;
    check_block(fork >= PV_CANCUN ? "destroy/recreate (Cancun)" : "destroy/recreate", &bl, PV_INVALID_TX_ABORT, &seq);
    CHECK(seq.valid, "destroy block valid");
    bool found;
    u256 stored = slot_after(&seq, f, 0, &found);
    /* the last factory call: before Cancun the child was destroyed, so re-creation succeeds and
     * stores the address; from Cancun the child survives, so it collides and stores zero */
    u256 child_word;
    u256_from_be(&child_word, child.b, 20);
    if (fork < PV_CANCUN)
        CHECK(found && u256_eq(&stored, &child_word), "re-created at the CREATE2 address");
    const pv_account_change *c = change_of(&seq, child);
    CHECK(c != NULL, "the child account changed");
    /* Re-created after its destruction, the child must not see its old slot 0 (0x55). */
    u256 seen = slot_after(&seq, child, 1, &found);
    CHECK(u256_is_zero(&seen), "the re-created child read a destroyed slot");
    u256 s0 = slot_after(&seq, child, 0, &found);
    CHECK(found && s0.w[0] == 0x55, "the child's slot 0 after the block");
    pv_block_result_free(&seq);
    pv_world_free(bl.w);
}

static void test_invalid_and_gas_limit(void)
{
    for (int policy = 0; policy < 2; policy++) {
        builder bl;
        builder_init(&bl, PV_SHANGHAI);
        for (unsigned i = 0; i < 30; i++)
            add_tx(&bl, i, addr_n(100 + i), 1, 21000);
        pv_tx *t = add_tx(&bl, 3, addr_n(7), 1, 21000);
        t->nonce = 0; /* reused: too low */
        /* drain a sender, then let it pay for gas it no longer has */
        add_tx(&bl, 40, addr_n(41), 1000000000000000000ULL - 21000 * 10, 21000);
        add_tx(&bl, 40, addr_n(41), 1, 21000);
        for (unsigned i = 0; i < 10; i++)
            add_tx(&bl, 50 + i, addr_n(A_COUNTER), 0, 60000);
        pv_block_result seq;
        check_block(policy ? "invalid txs (skip)" : "invalid txs (abort)", &bl, (pv_invalid_tx_policy)policy, &seq);
        if (policy == PV_INVALID_TX_ABORT) {
            CHECK(!seq.valid && seq.invalid_tx == 30 && seq.invalid_error == PV_TX_NONCE_TOO_LOW,
                  "abort: stops at the reused nonce");
        } else {
            CHECK(seq.valid && seq.receipts[30].rejected == PV_TX_NONCE_TOO_LOW, "skip: nonce too low left out");
            CHECK(seq.receipts[32].rejected == PV_TX_INSUFFICIENT_FUNDS, "skip: drained sender left out");
        }
        pv_block_result_free(&seq);
        pv_world_free(bl.w);
    }
    /* The block gas limit: 30 transfers of 21000 with a limit of 25 * 21000 + 5000, where the
     * 10th transaction is a 40000-gas counter call using less than its limit. */
    for (int policy = 0; policy < 2; policy++) {
        builder bl;
        builder_init(&bl, PV_LONDON);
        bl.b.env.gas_limit = 25 * 21000 + 5000;
        for (unsigned i = 0; i < 30; i++) {
            if (i == 9)
                add_tx(&bl, i, addr_n(A_COUNTER), 0, 60000);
            else
                add_tx(&bl, i, addr_n(100 + i), 1, 21000);
        }
        pv_block_result seq;
        pv_parallel_options o = {.threads = 2, .policy = (pv_invalid_tx_policy)policy};
        pv_parallel_stats st;
        pv_block_result par;
        pv_block_execute_parallel(pv_world_source(bl.w), &bl.b, 2, &o, &par, &st);
        if (policy == PV_INVALID_TX_SKIP)
            CHECK(st.rounds >= 2, "the gas limit needed a second round (%u)", st.rounds);
        pv_block_result_free(&par);
        check_block(policy ? "gas limit (skip)" : "gas limit (abort)", &bl, (pv_invalid_tx_policy)policy, &seq);
        size_t rejected = 0;
        for (size_t i = 0; i < seq.receipts_count; i++)
            rejected += seq.receipts[i].rejected == PV_TX_GAS_LIMIT_EXCEEDS_BLOCK;
        if (policy == PV_INVALID_TX_SKIP)
            CHECK(seq.valid && rejected >= 4 && seq.gas_used <= bl.b.env.gas_limit, "skip: %zu left out", rejected);
        else
            CHECK(!seq.valid && seq.invalid_error == PV_TX_GAS_LIMIT_EXCEEDS_BLOCK, "abort: the gas limit");
        pv_block_result_free(&seq);
        pv_world_free(bl.w);
    }
}

static void test_block_level(void)
{
    /* Withdrawals (one of zero to a fresh account), the beacon-root call without its contract,
     * and pre-merge rewards with uncles. */
    builder bl;
    builder_init(&bl, PV_CANCUN);
    for (unsigned i = 0; i < 20; i++)
        add_tx(&bl, i, addr_n(100 + i), 1, 21000);
    bl.wds[0] = (pv_withdrawal){1, 1, addr_n(100), 5};
    bl.wds[1] = (pv_withdrawal){2, 2, addr_n(777), 0};
    bl.wds[2] = (pv_withdrawal){3, 3, COINBASE, 3};
    bl.b.has_withdrawals = true;
    bl.b.withdrawals = bl.wds;
    bl.b.withdrawals_count = 3;
    bl.b.has_parent_beacon_root = true;
    pv_block_result seq;
    check_block("withdrawals", &bl, PV_INVALID_TX_ABORT, &seq);
    CHECK(change_of(&seq, addr_n(777)) == NULL, "a zero withdrawal creates no account");
    const pv_account_change *c = change_of(&seq, addr_n(100));
    CHECK(c && c->balance.w[0] == 1000000000000000000ULL + 1 + 5000000000ULL, "withdrawal credited in wei");
    pv_block_result_free(&seq);
    pv_world_free(bl.w);

    builder_init(&bl, PV_BYZANTIUM);
    for (unsigned i = 0; i < 20; i++)
        add_tx(&bl, i, addr_n(100 + i), 1, 21000);
    pv_uncle u = {bl.b.env.number - 1, addr_n(555)};
    bl.b.uncles = &u;
    bl.b.uncles_count = 1;
    bl.b.uncles_unknown = 1;
    check_block("rewards", &bl, PV_INVALID_TX_ABORT, &seq);
    const pv_account_change *uncle = change_of(&seq, addr_n(555));
    CHECK(uncle && uncle->balance.w[0] == 3000000000000000000ULL / 8 * 7, "uncle reward 7/8 of 3 ETH");
    CHECK(seq.uncle_rewards_missing, "an uncle without header is reported");
    const pv_account_change *cb = change_of(&seq, COINBASE);
    /* 20 * 21000 gas at 10 wei + 3 ETH + 2 * 3 ETH / 32 */
    uint64_t want = 1000000000000000000ULL + 20 * 21000 * 10 + 3000000000000000000ULL + 2 * (3000000000000000000ULL / 32);
    CHECK(cb && cb->balance.w[0] == want, "miner reward");
    pv_block_result_free(&seq);
    pv_world_free(bl.w);
}

/* pv_block_execute_parallel from a thread outside the pool hires its worker threads at once and
 * lets them go when they are not needed: a block without transactions (no workers run), and
 * chunks (which take threads of their own), at every thread count, many times over. */
static void test_crew(void)
{
    static const unsigned threads[] = {1, 2, 3, 4, 8, 16};
    builder bl;
    builder_init(&bl, PV_CANCUN);
    bl.wds[0] = (pv_withdrawal){1, 1, addr_n(100), 5};
    bl.b.has_withdrawals = true;
    bl.b.withdrawals = bl.wds;
    bl.b.withdrawals_count = 1;
    pv_block_result seq;
    pv_block_execute(pv_world_source(bl.w), &bl.b, PV_INVALID_TX_ABORT, &seq);
    CHECK(seq.valid && seq.receipts_count == 0 && change_of(&seq, addr_n(100)), "a block of withdrawals only");
    for (int chunks = 0; chunks < 2; chunks++) {
        if (chunks) {
            pv_block_result_free(&seq);
            for (unsigned i = 0; i < 40; i++)
                add_tx(&bl, i, addr_n(100 + i), 1, 21000);
            pv_block_execute(pv_world_source(bl.w), &bl.b, PV_INVALID_TX_ABORT, &seq);
        }
        pv_parallel_options o = {.threads = 0, .policy = PV_INVALID_TX_ABORT,
                                 .chunks = chunks ? PV_CHUNKS_ALWAYS : PV_CHUNKS_AUTO};
        int chunked = 0;
        for (size_t t = 0; t < sizeof threads / sizeof threads[0]; t++)
            for (int rep = 0; rep < 20; rep++) {
                pv_block_result par;
                pv_parallel_stats st;
                pv_block_execute_parallel(pv_world_source(bl.w), &bl.b, threads[t], &o, &par, &st);
                char why[512];
                bool eq = pv_block_results_equal(&seq, &par, why, sizeof why);
                CHECK(eq, "%s, %u threads, run %d: %s", chunks ? "chunks" : "no transactions", threads[t], rep, why);
                chunked += st.chunks_done;
                pv_parallel_stats_free(&st);
                pv_block_result_free(&par);
            }
        if (chunks)
            CHECK(chunked > 0, "independent transfers done by the chunks");
    }
    pv_block_result_free(&seq);
    pv_world_free(bl.w);
}

/* Blocks of two halves, built so that the chunk executor at 2 chunks must succeed or give up. */
static void test_chunks(pv_fork fork)
{
    static const struct {
        const char *name;
        int expect;
    } cases[] = {
        {"independent transfers", 1},
        {"a counter in both halves", 0},
        {"a sender funded by the first half", 0},
        {"the coinbase's balance read in the second half", 0},
        {"the coinbase's balance read in the first half", 1},
        {"one existing recipient credited by both halves", 1},
        {"one fresh recipient created by both halves", 0},
        /* the last transaction's limit exactly fits the block's, then exceeds it by one */
        {"the block gas limit exactly reached", 1},
        {"the block gas limit exceeded by the last transaction", 0},
        /* the last transaction asks for the whole block: past the limit whatever the gas before
         * its chunk (the first half alone is 420,000) */
        {"the last transaction asking for the whole block gas limit", 0},
        /* the second half tips nothing: it loads the coinbase and leaves it as it was, and one
         * of its transactions reads the balance the first half's tips changed */
        {"the coinbase's balance read by a half that leaves it unchanged", 0},
        /* every sender its own slot of one contract, in both halves: the contract's slot
         * changes merged from both chunks (a token's balances) */
        {"one contract's different slots written by both halves", 1},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        builder bl;
        builder_init(&bl, fork);
        for (unsigned i = 0; i < 40; i++) {
            unsigned from = i, to = 100 + i;
            if (k == 1 && (i == 3 || i == 33)) {
                add_tx(&bl, from, addr_n(A_COUNTER), 0, 60000);
                continue;
            }
            if (k == 2 && i == 30)
                from = 105; /* received value from transaction 5 */
            if ((k == 3 && i == 30) || (k == 4 && i == 2) || (k == 10 && i == 30)) {
                pv_tx *t = add_tx(&bl, from, addr_n(A_READER), 0, 60000);
                if (k == 10)
                    t->max_priority_fee_per_gas = u256_zero();
                continue;
            }
            if (k == 11) {
                add_tx(&bl, from, addr_n(A_REGISTRY), 0, 60000);
                continue;
            }
            if (k == 5 && (i == 4 || i == 34))
                to = 200;
            if (k == 6 && (i == 4 || i == 34))
                to = 2000; /* not in the pre-state */
            pv_tx *t = add_tx(&bl, from, addr_n(to), 1000, 50000);
            if (k == 10 && i >= 20)
                t->max_priority_fee_per_gas = u256_zero();
        }
        if (k == 7 || k == 8)
            bl.b.env.gas_limit = 39 * 21000 + 50000 - (k == 8);
        if (k == 9) {
            bl.b.env.gas_limit = 900000;
            bl.txs[39].gas_limit = 900000;
        }
        pv_block_result seq;
        pv_block_execute(pv_world_source(bl.w), &bl.b, PV_INVALID_TX_ABORT, &seq);
        CHECK(seq.valid == (k < 8 || k > 9), "%s: valid or not as built", cases[k].name);
        char name[160];
        snprintf(name, sizeof name, "chunks, %s, %s", pv_fork_name(fork), cases[k].name);
        check_chunks(name, &bl, PV_INVALID_TX_ABORT, &seq, cases[k].expect);
        if (k == 5) {
            const pv_account_change *c = change_of(&seq, addr_n(200));
            CHECK(c && c->balance.w[0] == 1000000000000000000ULL + 2000, "%s: both credits", name);
        }
        if (k == 11) {
            const pv_account_change *c = change_of(&seq, addr_n(A_REGISTRY));
            CHECK(c && c->slots_count == 40, "%s: 40 slots set (%zu)", name, c ? c->slots_count : 0);
        }
        pv_block_result_free(&seq);
        pv_world_free(bl.w);
    }
}

/* Senders whose funds come from earlier transactions of the block: a funds check is recorded as
 * "at least", so validation must catch its answer changing either way (the funding below it
 * arrives: insufficient -> enough), and a sender's later transactions must not depend on more
 * than the sufficiency of what its earlier ones left. Accounts from 400 on start empty. */
static void test_funds_arriving(pv_fork fork)
{
    builder bl;
    builder_init(&bl, fork);
    for (unsigned i = 0; i < 12; i++) /* funding: enough for two transfers and their gas */
        add_tx(&bl, i, addr_n(400 + i), 21000 * 10 * 2 + 2, 21000);
    for (unsigned i = 0; i < 12; i++) { /* spending, twice each (a chain of the new sender) */
        add_tx(&bl, 400 + i, addr_n(500 + i), 1, 21000);
        add_tx(&bl, 400 + i, addr_n(500 + i), 1, 21000);
    }
    add_tx(&bl, 420, addr_n(520), 1, 21000); /* never funded: invalid in every order */
    pv_block_result seq;
    char name[64];
    snprintf(name, sizeof name, "funds arriving, %s", pv_fork_name(fork));
    check_block(name, &bl, PV_INVALID_TX_SKIP, &seq);
    CHECK(seq.valid && seq.receipts_count == bl.n, "%s: a receipt per transaction", name);
    for (unsigned i = 0; i < 36; i++)
        CHECK(seq.receipts[i].rejected == PV_TX_VALID, "%s: transaction %u valid in order", name, i);
    CHECK(seq.receipts[36].rejected == PV_TX_INSUFFICIENT_FUNDS, "%s: the unfunded sender left out", name);
    const pv_account_change *c = change_of(&seq, addr_n(503));
    CHECK(c && c->balance.w[0] == 2, "%s: both payments arrived", name);
    c = change_of(&seq, addr_n(403));
    uint64_t price = fork >= PV_LONDON ? 7 + 2 : 10; /* base fee + tip, or the gas price */
    uint64_t left = 21000 * 10 * 2 + 2 - 2 * (21000 * price + 1);
    CHECK(c && c->nonce == 2 && c->balance.w[0] == left && !c->balance.w[1], "%s: the funded sender has %llu left",
          name, (unsigned long long)left);
    pv_block_result_free(&seq);
    pv_world_free(bl.w);
}

/* A busy sender's nonce read only as emptiness by others (relax_basic_reads in parallel.c):
 * transactions that call into its account while its own transactions run must not abort on its
 * changing nonce; and a contract's CREATEs, which depend on its exact nonce, still order. */
static void test_nonce_as_emptiness(pv_fork fork)
{
    builder bl;
    builder_init(&bl, fork);
    for (unsigned i = 0; i < 24; i++) {
        if (i % 3 == 0)
            add_tx(&bl, BUSY_SENDER, addr_n(A_SPIN), 0, 100000);
        add_tx(&bl, 10 + i, addr_n(A_TOUCHER), 0, 60000);
    }
    pv_block_result seq;
    char name[64];
    snprintf(name, sizeof name, "a busy sender touched, %s", pv_fork_name(fork));
    check_block(name, &bl, PV_INVALID_TX_ABORT, &seq);
    CHECK(seq.valid && seq.receipts_count == bl.n, "%s: every transaction in", name);
    const pv_account_change *c = change_of(&seq, addr_n(BUSY_SENDER));
    CHECK(c && c->nonce == 9, "%s: the busy sender sent 8", name);
    /* Only the busy sender's account is shared (its nonce by its own chain, which waits instead
     * of aborting; its emptiness by the others, which never changes): no validation may fail. */
    uint64_t aborts = 0;
    pv_parallel_options o = {.threads = 0, .policy = PV_INVALID_TX_ABORT};
    for (unsigned threads = 2; threads <= 4; threads++)
        for (int rep = 0; rep < 20; rep++) {
            pv_block_result par;
            pv_parallel_stats st;
            pv_block_execute_parallel(pv_world_source(bl.w), &bl.b, threads, &o, &par, &st);
            aborts += st.aborts;
            pv_parallel_stats_free(&st);
            pv_block_result_free(&par);
        }
    CHECK(aborts == 0, "%s: %llu aborts on a nonce read only as emptiness", name, (unsigned long long)aborts);
    pv_block_result_free(&seq);
    pv_world_free(bl.w);

    builder_init(&bl, fork);
    for (unsigned i = 0; i < 16; i++)
        add_tx(&bl, 40 + i, addr_n(A_CREATOR), 0, 100000);
    snprintf(name, sizeof name, "CREATEs of one contract, %s", pv_fork_name(fork));
    check_block(name, &bl, PV_INVALID_TX_ABORT, &seq);
    c = change_of(&seq, addr_n(A_CREATOR));
    CHECK(c && c->nonce == 17 && c->slots_count == 16, "%s: 16 creations, one address each", name);
    pv_block_result_free(&seq);
    pv_world_free(bl.w);
}

/* Runs bl's block `runs` times on `threads` Block-STM workers with options o, checking each
 * result against seq; returns the statistics summed over the runs. */
typedef struct run_totals {
    uint64_t aborts, waits, executions;
    unsigned hot_runs;            /* runs that found exactly one contract hot */
    unsigned prefix_runs;         /* runs with a sequential prefix of 2 or more */
} run_totals;

static run_totals run_compared(const char *name, builder *bl, const pv_block_result *seq, unsigned threads,
                               const pv_parallel_options *o, unsigned runs)
{
    run_totals t = {0, 0, 0, 0, 0};
    for (unsigned rep = 0; rep < runs; rep++) {
        pv_block_result par;
        pv_parallel_stats st;
        pv_block_execute_parallel(pv_world_source(bl->w), &bl->b, threads, o, &par, &st);
        char why[512];
        CHECK(pv_block_results_equal(seq, &par, why, sizeof why), "%s, %u threads: %s", name, threads, why);
        t.aborts += st.aborts;
        t.waits += st.dependency_waits;
        t.executions += st.executions;
        t.hot_runs += st.hot_contracts == 1;
        t.prefix_runs += st.prefix_txs >= 2;
        pv_parallel_stats_free(&st);
        pv_block_result_free(&par);
    }
    return t;
}

/* Senders with runs of transactions (pv_scheduler_chain): the indexes skip a transaction whose
 * sender's previous one has not executed, and that one's finisher takes it; so a run executes in
 * order and no execution is ever suspended on a nonce (nor, here, aborted: a transaction reads
 * nothing but its own sender's state, its recipient and fees going out as credits). */
static void test_sender_runs(pv_fork fork)
{
    builder bl;
    builder_init(&bl, fork);
    for (unsigned i = 0; i < 40; i++) /* one sender's consecutive run, as a pool's payouts */
        add_tx(&bl, 250, addr_n(400 + i), 1 + i, 21000);
    for (unsigned i = 0; i < 90; i++) /* three senders interleaved, and a few loners */
        add_tx(&bl, i % 10 == 9 ? 260 + i / 10 : 251 + i % 3, addr_n(500 + i), 7, 21000);
    pv_block_result seq;
    char name[64];
    snprintf(name, sizeof name, "runs of one sender, %s", pv_fork_name(fork));
    check_block(name, &bl, PV_INVALID_TX_ABORT, &seq);
    CHECK(seq.valid && seq.receipts_count == bl.n, "%s: every transaction in", name);
    const pv_account_change *c = change_of(&seq, addr_n(250));
    CHECK(c && c->nonce == 40, "%s: the first sender sent 40", name);
    c = change_of(&seq, addr_n(253));
    CHECK(c && c->nonce == 27, "%s: the third sender sent 27", name);
    uint64_t waits = 0, aborts = 0, executions = 0;
    pv_parallel_options o = {.threads = 0, .policy = PV_INVALID_TX_ABORT, .chunks = PV_CHUNKS_NEVER,
                             .prefix = PV_PREFIX_NEVER};
    unsigned runs = 0;
    for (unsigned threads = 2; threads <= 8; threads *= 2, runs += 10) {
        run_totals t = run_compared(name, &bl, &seq, threads, &o, 10);
        waits += t.waits;
        aborts += t.aborts;
        executions += t.executions;
    }
    CHECK(waits == 0 && aborts == 0 && executions == (uint64_t)runs * bl.n,
          "%s: %llu suspensions, %llu aborts, %llu executions in %u runs of %zu transactions", name,
          (unsigned long long)waits, (unsigned long long)aborts, (unsigned long long)executions, runs, bl.n);
    /* With a sequential prefix, a sender's first transaction above it waits for it (its nonce
     * comes from there) instead of running with the pre-state's and being aborted. */
    o.prefix = PV_PREFIX_ALWAYS;
    aborts = 0;
    snprintf(name, sizeof name, "runs of one sender, prefix, %s", pv_fork_name(fork));
    for (unsigned threads = 2; threads <= 8; threads *= 2) {
        run_totals t = run_compared(name, &bl, &seq, threads, &o, 10);
        CHECK(t.prefix_runs == 10, "%s, %u threads: a prefix ran in %u of 10 runs", name, threads, t.prefix_runs);
        aborts += t.aborts;
    }
    CHECK(aborts == 0, "%s: %llu aborts", name, (unsigned long long)aborts);
    pv_block_result_free(&seq);
    pv_world_free(bl.w);
}

/* Callers of a contract they contend on (pv_scheduler_link_callers): every call of the counter
 * reads and writes its slot 0, so each caller needs the one before. Block-STM alone learned that
 * by aborting nearly every caller another worker took while the previous one ran (91-105 of the
 * 150 a run); once aborts show the contract hot (the statistics count it), a caller waits for
 * the previous one instead. A run still aborts what ran before validation found the contract hot (validation
 * lags execution: 8-14 a run here), so the bound is a fifth of the callers, over all runs; and
 * only with no more workers than CPUs (a worker descheduled in the middle of a call holds a
 * stale execution that a bound on schedules cannot foresee: 54 a run, 8 workers on 2 CPUs under
 * ThreadSanitizer). */
static void test_hot_contract(pv_fork fork)
{
    builder bl;
    builder_init(&bl, fork);
    for (unsigned i = 0; i < 150; i++)
        add_tx(&bl, i, addr_n(A_COUNTER), 0, 60000);
    pv_block_result seq;
    char name[64];
    snprintf(name, sizeof name, "callers of one counter, %s", pv_fork_name(fork));
    check_block(name, &bl, PV_INVALID_TX_ABORT, &seq);
    bool found;
    u256 counter = slot_after(&seq, addr_n(A_COUNTER), 0, &found);
    CHECK(found && counter.w[0] == 5 + 150, "%s: 150 increments", name);
    pv_parallel_options o = {.threads = 0, .policy = PV_INVALID_TX_ABORT, .chunks = PV_CHUNKS_NEVER,
                             .prefix = PV_PREFIX_NEVER};
    for (unsigned threads = 2; threads <= 8; threads *= 2) {
        const unsigned runs = 20;
        run_totals t = run_compared(name, &bl, &seq, threads, &o, runs);
        if (threads <= (unsigned)sysconf(_SC_NPROCESSORS_ONLN)) {
            CHECK(t.aborts * 5 <= (uint64_t)runs * bl.n, "%s, %u threads: %llu aborts in %u runs of %zu callers",
                  name, threads, (unsigned long long)t.aborts, runs, bl.n);
            CHECK(t.hot_runs * 2 >= runs, "%s, %u threads: the counter found hot in %u of %u runs", name, threads,
                  t.hot_runs, runs);
        }
    }
    pv_block_result_free(&seq);
    pv_world_free(bl.w);

    /* A contract whose callers collide now and then (two neighbours in twenty tally key 0, the
     * others a key of their own) is never hot: its aborts, at most one per pair, are no share of
     * its callers (a rule of two aborts alone found it hot in most runs). */
    builder_init(&bl, fork);
    static uint8_t keys[200][32];
    for (unsigned i = 0; i < 200; i++) {
        memset(keys[i], 0, 32);
        keys[i][31] = i % 20 < 2 ? 0 : (uint8_t)i;
        keys[i][30] = i % 20 < 2 ? 0 : 1;
        pv_tx *t = add_tx(&bl, i, addr_n(A_TALLY), 0, 60000);
        t->data = keys[i];
        t->data_size = 32;
    }
    snprintf(name, sizeof name, "tallies that rarely collide, %s", pv_fork_name(fork));
    check_block(name, &bl, PV_INVALID_TX_ABORT, &seq);
    u256 k0 = u256_zero();
    const pv_account_change *c = change_of(&seq, addr_n(A_TALLY));
    CHECK(c && c->slots_count == 181, "%s: 180 keys of one caller and key 0", name);
    for (size_t i = 0; c && i < c->slots_count; i++)
        if (u256_eq(&c->slots[i].key, &k0))
            CHECK(c->slots[i].value.w[0] == 20, "%s: key 0 tallied 20 times", name);
    for (unsigned threads = 2; threads <= 8; threads *= 2) {
        run_totals t = run_compared(name, &bl, &seq, threads, &o, 10);
        CHECK(t.hot_runs == 0, "%s, %u threads: a contract found hot in %u of 10 runs", name, threads, t.hot_runs);
    }
    pv_block_result_free(&seq);
    pv_world_free(bl.w);
}

/* Callers that repeat their previous caller's call data (the same function of the same contract
 * with the same arguments, from different senders: a bot's bundle, a mint) wait for it from the
 * start. Each tally of key 7 reads what the previous one wrote, and the first reads the
 * pre-state, so no execution can read a value that changes later: no abort, no suspension, at
 * any worker count. */
static void test_same_calls(pv_fork fork)
{
    builder bl;
    builder_init(&bl, fork);
    static uint8_t key[32];
    memset(key, 0, sizeof key);
    key[31] = 7;
    for (unsigned i = 0; i < 120; i++) {
        pv_tx *t = add_tx(&bl, i, addr_n(A_TALLY), 0, 60000);
        t->data = key;
        t->data_size = sizeof key;
    }
    pv_block_result seq;
    char name[64];
    snprintf(name, sizeof name, "repeated calls, %s", pv_fork_name(fork));
    check_block(name, &bl, PV_INVALID_TX_ABORT, &seq);
    const pv_account_change *c = change_of(&seq, addr_n(A_TALLY));
    CHECK(c && c->slots_count == 1 && c->slots[0].value.w[0] == 120, "%s: key 7 tallied 120 times", name);
    pv_parallel_options o = {.threads = 0, .policy = PV_INVALID_TX_ABORT, .chunks = PV_CHUNKS_NEVER,
                             .prefix = PV_PREFIX_NEVER};
    for (unsigned threads = 2; threads <= 8; threads *= 2) {
        run_totals t = run_compared(name, &bl, &seq, threads, &o, 10);
        CHECK(t.aborts == 0 && t.waits == 0, "%s, %u threads: %llu aborts, %llu suspensions in 10 runs", name,
              threads, (unsigned long long)t.aborts, (unsigned long long)t.waits);
    }
    pv_block_result_free(&seq);
    pv_world_free(bl.w);
}

/* pv_auto_threads' choices, one rule at a time (on a machine with one CPU everything is 1). */
static void test_auto_threads(void)
{
    static const uint8_t call[4] = {0xa9, 0x05, 0x9c, 0xbb};
    bool multi = sysconf(_SC_NPROCESSORS_ONLN) > 1;
    struct {
        const char *name;
        unsigned transfers, calls, chained;   /* plain transfers, contract calls, of them from one sender */
        uint64_t call_gas;
        bool parallel;
        const char *why;                      /* a word of the reason when sequential */
    } cases[] = {
        {"one transaction", 0, 1, 0, 8000000, false, "one transaction"},
        {"three heavy calls", 0, 3, 0, 3000000, true, NULL},
        {"little contract gas", 10, 10, 0, 100000, false, "contract transactions"},
        {"transfers outweigh the calls", 200, 2, 0, 1500000, false, "plain transfers"},
        {"calls repay the transfers", 200, 2, 0, 2000000, true, NULL},
        {"one sender's chain", 0, 40, 40, 500000, false, "chain"},
        {"independent calls", 0, 40, 0, 500000, true, NULL},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        builder bl;
        builder_init(&bl, PV_LONDON);
        for (unsigned i = 0; i < cases[c].calls; i++) {
            pv_tx *t = add_tx(&bl, i < cases[c].chained ? 7 : 10 + i, addr_n(A_COUNTER), 0, cases[c].call_gas);
            t->data = call;
            t->data_size = sizeof call;
        }
        for (unsigned i = 0; i < cases[c].transfers; i++)
            add_tx(&bl, 60 + i, addr_n(299 - i % 50), 1, 21000);
        char reason[96];
        unsigned t = pv_auto_threads(&bl.b, reason, sizeof reason);
        bool want = multi && cases[c].parallel;
        CHECK((t > 1) == want, "auto threads, %s: %u (%s)", cases[c].name, t, reason);
        if (multi && !cases[c].parallel)
            CHECK(strstr(reason, cases[c].why) != NULL, "auto threads, %s: the reason says why (%s)", cases[c].name,
                  reason);
        pv_world_free(bl.w);
    }
    /* One call that may use nearly all the gas: the others cannot repay a second worker. With
     * its share just under 4/5 the block is parallel again. */
    static const uint64_t heavy[2][3] = {{8000000, 900000, 900000}, {8000000, 1000000, 1000000}};
    for (int h = 0; h < 2; h++) {
        builder bl;
        builder_init(&bl, PV_LONDON);
        for (unsigned i = 0; i < 3; i++) {
            pv_tx *t = add_tx(&bl, 10 + i, addr_n(A_COUNTER), 0, heavy[h][i]);
            t->data = call;
            t->data_size = sizeof call;
        }
        char reason[96];
        unsigned t = pv_auto_threads(&bl.b, reason, sizeof reason);
        bool want = multi && h == 1;
        CHECK((t > 1) == want, "auto threads, one call of 8M beside two of %llu: %u (%s)",
              (unsigned long long)heavy[h][1], t, reason);
        if (!want && multi)
            CHECK(strstr(reason, "critical path") != NULL, "auto threads, one heavy call: the reason says why (%s)", reason);
        pv_world_free(bl.w);
    }
}

int main(void)
{
    test_auto_threads();
    test_funds_arriving(PV_BERLIN);
    test_funds_arriving(PV_CANCUN);
    test_nonce_as_emptiness(PV_BERLIN);
    test_nonce_as_emptiness(PV_CANCUN);
    test_sender_runs(PV_BERLIN);
    test_sender_runs(PV_CANCUN);
    test_hot_contract(PV_BERLIN);
    test_hot_contract(PV_CANCUN);
    test_same_calls(PV_BERLIN);
    test_same_calls(PV_CANCUN);
    static const pv_fork forks[] = {PV_FRONTIER, PV_SPURIOUS_DRAGON, PV_BYZANTIUM, PV_BERLIN, PV_LONDON, PV_CANCUN};
    for (size_t i = 0; i < sizeof forks / sizeof forks[0]; i++)
        test_transfers_and_counter(forks[i]);
    test_destroy_and_recreate(PV_CONSTANTINOPLE);
    test_destroy_and_recreate(PV_SHANGHAI);
    test_destroy_and_recreate(PV_CANCUN);
    test_invalid_and_gas_limit();
    test_block_level();
    test_crew();
    test_chunks(PV_LONDON);
    test_chunks(PV_CANCUN);
    printf("%d blocks compared at 6 thread counts x 3 runs; chunk executor: %d of %d attempts succeeded\n",
           blocks_compared, chunk_successes, chunk_attempts);
    CHECK(chunk_successes > 0 && chunk_successes < chunk_attempts, "the chunk executor both succeeded and gave up");
    printf("%d runs with a sequential prefix\n", prefix_runs);
    CHECK(prefix_runs > 0, "blocks ran with a sequential prefix");
    printf("%d chunks split off running ones\n", chunk_steals);
    CHECK(chunk_steals > 0, "threads done with their chunk stole from the others");
    TEST_DONE();
}
