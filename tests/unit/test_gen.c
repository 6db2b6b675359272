/* Random block generator: determinism, and generated blocks that load and execute as built. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "exec/block.h"
#include "io/block_gen.h"
#include "io/block_json.h"
#include "util/keccak.h"
#include "test.h"

static char tmpdir[] = "/tmp/parevm-test-gen-XXXXXX";

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static uint8_t *read_all(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *d = malloc((size_t)n + 1);
    *len = fread(d, 1, (size_t)n, f);
    fclose(f);
    return d;
}

static pv_gen_params params(uint64_t seed, size_t txs, double conflicts, pv_fork fork)
{
    pv_gen_params p;
    pv_gen_params_default(&p);
    p.seed = seed;
    p.txs = txs;
    p.conflicts = conflicts;
    p.fork = fork;
    return p;
}

/* Writes the block to a temporary file and loads it back. */
static pv_block_file *gen_load(const pv_gen_params *p, pv_gen_info *info)
{
    char path[128], *err = NULL;
    snprintf(path, sizeof path, "%s/b.json.gz", tmpdir);
    if (!pv_gen_block_write(p, path, info, &err)) {
        CHECK(false, "write: %s", err);
        free(err);
        return NULL;
    }
    pv_block_file *f = pv_block_file_load(path, &err);
    CHECK(f != NULL, "load (%s, seed %llu): %s", pv_fork_name(p->fork), (unsigned long long)p->seed, err);
    free(err);
    unlink(path);
    return f;
}

static const pv_account_change *find_change(const pv_block_result *r, const pv_address *a)
{
    for (size_t i = 0; i < r->changes.count; i++)
        if (pv_address_eq(&r->changes.accounts[i].address, a))
            return &r->changes.accounts[i];
    return NULL;
}

static bool slot_is(const pv_account_change *c, uint64_t key, uint64_t value)
{
    for (size_t i = 0; i < c->slots_count; i++)
        if (u256_fits_u64(&c->slots[i].key) && c->slots[i].key.w[0] == key)
            return u256_fits_u64(&c->slots[i].value) && c->slots[i].value.w[0] == value;
    return false;
}

static bool has_slot(const pv_account_change *c, uint64_t key)
{
    for (size_t i = 0; i < c->slots_count; i++)
        if (u256_fits_u64(&c->slots[i].key) && c->slots[i].key.w[0] == key)
            return true;
    return false;
}

/* The outcome the generator intended, against the receipt. */
static bool outcome_ok(pv_gen_expect e, const pv_block_receipt *r)
{
    switch (e) {
    case PV_GEN_EXPECT_SUCCESS: return !r->rejected && r->status == PV_SUCCESS;
    case PV_GEN_EXPECT_REVERT: return !r->rejected && r->status == PV_REVERT;
    case PV_GEN_EXPECT_OOG: return !r->rejected && r->status == PV_OUT_OF_GAS;
    case PV_GEN_EXPECT_FAIL: return !r->rejected && r->status != PV_SUCCESS;
    case PV_GEN_EXPECT_ANY: return !r->rejected;
    case PV_GEN_EXPECT_NONCE_TOO_LOW: return r->rejected == PV_TX_NONCE_TOO_LOW;
    case PV_GEN_EXPECT_INSUFFICIENT_FUNDS: return r->rejected == PV_TX_INSUFFICIENT_FUNDS;
    }
    return false;
}

static size_t check_outcomes(const pv_gen_info *info, const pv_block_result *r, const char *what)
{
    size_t bad = 0;
    for (size_t i = 0; i < r->receipts_count && i < info->txs; i++) {
        if (outcome_ok((pv_gen_expect)info->tx_expect[i], &r->receipts[i]))
            continue;
        if (!bad++)
            fprintf(stderr, "%s: tx %zu (%s%s) expected outcome %d, got %s / %s\n", what, i,
                    pv_gen_kind_name((pv_gen_kind)info->tx_kind[i]), info->tx_hot[i] ? ", hot" : "",
                    info->tx_expect[i], pv_tx_error_name(r->receipts[i].rejected),
                    pv_status_name(r->receipts[i].status));
    }
    return bad;
}

static void test_determinism(void)
{
    pv_gen_params p = params(7, 200, 0.5, PV_CANCUN);
    size_t l1, l2, l3;
    char *err = NULL;
    char *a = pv_gen_block_json(&p, &l1, NULL, &err);
    char *b = pv_gen_block_json(&p, &l2, NULL, &err);
    CHECK(a && b && l1 == l2 && memcmp(a, b, l1) == 0, "same parameters, different JSON");
    p.seed = 8;
    char *c = pv_gen_block_json(&p, &l3, NULL, &err);
    CHECK(c && (l3 != l1 || memcmp(a, c, l1) != 0), "different seeds, same JSON");
    free(c);
    p.seed = 7;
    p.conflicts = 0.25;
    c = pv_gen_block_json(&p, &l3, NULL, &err);
    CHECK(c && (l3 != l1 || memcmp(a, c, l1) != 0), "different conflict ratios, same JSON");
    free(a);
    free(b);
    free(c);

    /* the gzip file, twice: byte-identical, fixed header (no mtime, no name) */
    p = params(11, 120, 0.5, PV_SHANGHAI);
    char p1[128], p2[128];
    snprintf(p1, sizeof p1, "%s/one.json.gz", tmpdir);
    snprintf(p2, sizeof p2, "%s/two.json.gz", tmpdir);
    CHECK(pv_gen_block_write(&p, p1, NULL, &err), "write: %s", err);
    CHECK(pv_gen_block_write(&p, p2, NULL, &err), "write: %s", err);
    size_t n1 = 0, n2 = 0;
    uint8_t *d1 = read_all(p1, &n1), *d2 = read_all(p2, &n2);
    CHECK(d1 && d2 && n1 == n2 && memcmp(d1, d2, n1) == 0, "same parameters, different gzip files");
    CHECK(d1 && n1 > 10 && d1[0] == 0x1f && d1[1] == 0x8b && d1[3] == 0 && !d1[4] && !d1[5] && !d1[6] && !d1[7] &&
              d1[9] == 0xff,
          "gzip header not fixed (flags %d)", d1 ? d1[3] : -1);
    free(d1);
    free(d2);
    /* the plain file is the JSON text */
    snprintf(p2, sizeof p2, "%s/plain.json", tmpdir);
    CHECK(pv_gen_block_write(&p, p2, NULL, &err), "write: %s", err);
    char *text = pv_gen_block_json(&p, &l1, NULL, &err);
    d2 = read_all(p2, &n2);
    CHECK(text && d2 && n2 == l1 && memcmp(text, d2, l1) == 0, "plain .json differs from the JSON text");
    free(text);
    free(d2);
    unlink(p1);
    unlink(p2);
    snprintf(p2, sizeof p2, "%s/two.json.gz", tmpdir);
    unlink(p2);
}

static void test_bad_params(void)
{
    pv_gen_params p = params(1, 10, 1.5, PV_CANCUN);
    char *e = pv_gen_check_params(&p);
    CHECK(e && strstr(e, "conflicts"), "conflicts 1.5 accepted");
    free(e);
    p = params(1, 10, 0.5, PV_CONSTANTINOPLE);
    e = pv_gen_check_params(&p);
    CHECK(e && strstr(e, "Petersburg"), "Constantinople accepted");
    free(e);
    p = params(1, 10, 0.5, PV_CANCUN);
    p.invalid = -0.1;
    e = pv_gen_check_params(&p);
    CHECK(e != NULL, "invalid -0.1 accepted");
    free(e);
    p.invalid = 0;
    p.gas_limit = 100;
    e = pv_gen_check_params(&p);
    CHECK(e != NULL, "gas limit 100 accepted");
    free(e);
    p.gas_limit = 0;
    p.txs = PV_GEN_MAX_TXS + 1;
    e = pv_gen_check_params(&p);
    CHECK(e != NULL, "too many transactions accepted");
    free(e);
    p.txs = 10;
    CHECK(!pv_gen_block_write(&p, "/tmp/x.txt", NULL, &e) && e && strstr(e, ".json"), "bad file name accepted");
    free(e);
    size_t len;
    char *text = pv_gen_block_json(&p, &len, NULL, &e);
    CHECK(text != NULL && e == NULL && len > 0, "valid parameters refused: %s", e);
    free(text);
}

/* One block per fork and conflict ratio: loads, runs as a valid block, and every transaction
 * ends as the generator built it; the hard cases leave their marks in the state changes. */
static void test_forks(void)
{
    static const pv_fork forks[] = {PV_FRONTIER, PV_HOMESTEAD, PV_TANGERINE_WHISTLE, PV_SPURIOUS_DRAGON,
                                    PV_BYZANTIUM, PV_PETERSBURG, PV_ISTANBUL, PV_BERLIN, PV_LONDON, PV_PARIS,
                                    PV_SHANGHAI, PV_CANCUN};
    static const double ratios[] = {0, 0.5, 1};
    const size_t N = 60;
    for (size_t fi = 0; fi < sizeof forks / sizeof forks[0]; fi++) {
        for (size_t ri = 0; ri < 3; ri++) {
            pv_fork fork = forks[fi];
            pv_gen_params p = params(100 + fi * 3 + ri, N, ratios[ri], fork);
            char what[96];
            snprintf(what, sizeof what, "%s conflicts %.1f", pv_fork_name(fork), ratios[ri]);
            pv_gen_info info;
            pv_block_file *f = gen_load(&p, &info);
            if (!f)
                continue;
            CHECK(f->block.fork == fork, "%s: loads as %s", what, pv_fork_name(f->block.fork));
            CHECK(f->txs_count == N && info.txs == N, "%s: %zu transactions", what, f->txs_count);
            CHECK(f->has_transactions_root && f->transactions_root_ok, "%s: transactions root", what);
            CHECK(!f->has_hash && !f->has_gas_used && !f->has_receipts_root, "%s: execution results given", what);
            if (fork >= PV_SHANGHAI)
                CHECK(f->block.withdrawals_count >= 4 && f->has_withdrawals_root && f->withdrawals_root_ok,
                      "%s: withdrawals root", what);
            if (ratios[ri] == 0)
                CHECK(info.hot == 0, "%s: %zu hot transactions", what, info.hot);
            if (ratios[ri] == 1)
                CHECK(info.hot == N, "%s: only %zu hot transactions", what, info.hot);

            pv_block_result r;
            pv_block_execute(pv_world_source(f->pre), &f->block, PV_INVALID_TX_ABORT, &r);
            CHECK(r.valid, "%s: tx %zu invalid: %s", what, r.invalid_tx, pv_tx_error_name(r.invalid_error));
            CHECK(r.receipts_count == N, "%s: %zu receipts", what, r.receipts_count);
            CHECK(atomic_load(&f->missing_hash_reads) == 0, "%s: BLOCKHASH read a hash the file lacks", what);
            size_t bad = check_outcomes(&info, &r, what);
            CHECK(bad == 0, "%s: %zu transactions did not end as built", what, bad);

            size_t success = 0, revert = 0, oog = 0, failed = 0, created = 0;
            for (size_t i = 0; i < r.receipts_count; i++) {
                const pv_block_receipt *rc = &r.receipts[i];
                success += rc->status == PV_SUCCESS;
                revert += rc->status == PV_REVERT;
                oog += rc->status == PV_OUT_OF_GAS;
                failed += rc->status != PV_SUCCESS;
                created += rc->has_contract_address && info.tx_kind[i] == PV_GEN_CREATE;
            }
            CHECK(success * 10 >= N * 7, "%s: only %zu successes", what, success);
            CHECK(fork < PV_BYZANTIUM ? failed >= 3 : revert >= 1, "%s: %zu reverts, %zu failures", what, revert,
                  failed);
            CHECK(oog >= 1, "%s: no out-of-gas", what);
            CHECK(created >= 1, "%s: no contract created", what);
            CHECK(info.kinds[PV_GEN_SELFDESTRUCT] == 2 && info.kinds[PV_GEN_CREATE_DESTROY] == 1 &&
                      info.kinds[PV_GEN_FACTORY_DESTROY] == 1 && info.kinds[PV_GEN_PRECOMPILE] >= 1 &&
                      info.kinds[PV_GEN_COINBASE] >= 2 && info.kinds[PV_GEN_TOKEN] >= 1 &&
                      info.kinds[PV_GEN_READER] >= 1 && info.kinds[PV_GEN_CALL_DESTROYED] == 2,
                  "%s: the scripted cases are missing", what);

            /* CREATE2 collision: the factory logs (salt, 0) */
            if (fork >= PV_CONSTANTINOPLE) {
                CHECK(info.has_collision, "%s: no collision", what);
                bool zero_logged = false;
                const pv_block_receipt *rc = &r.receipts[info.collision_tx];
                for (size_t l = 0; l < rc->logs_count; l++)
                    if (pv_address_eq(&rc->logs[l].address, &info.factory) && rc->logs[l].topics_count == 2 &&
                        pv_bytes32_is_zero(&rc->logs[l].topics[1]))
                        zero_logged = true;
                CHECK(rc->status == PV_SUCCESS && zero_logged, "%s: the second CREATE2 did not collide", what);
            } else {
                CHECK(!info.has_collision, "%s: a collision before CREATE2", what);
            }

            /* SELFDESTRUCT: removed before Cancun; from Cancun only the balance moves */
            const pv_account_change *d = find_change(&r, &info.destroyed);
            CHECK(d != NULL, "%s: the self-destructed account did not change", what);
            if (d && fork < PV_CANCUN)
                CHECK(!d->exists, "%s: the self-destructed account still exists", what);
            if (d && fork >= PV_CANCUN)
                CHECK(d->exists && u256_is_zero(&d->balance) && d->code && !d->storage_reset,
                      "%s: EIP-6780 (old contract keeps code and storage, loses its balance)", what);
            /* the other one: re-created by CREATE2 (fresh storage), or revived as a plain account */
            const pv_account_change *a = find_change(&r, &info.recreated);
            CHECK(a != NULL, "%s: the re-created account did not change", what);
            if (a && fork >= PV_CONSTANTINOPLE && fork < PV_CANCUN)
                CHECK(a->exists && a->code && a->storage_reset && slot_is(a, 0, 101) && !has_slot(a, 3),
                      "%s: re-creation through CREATE2 (reset %d, code %d)", what, a->storage_reset, a->code != NULL);
            if (a && fork < PV_CONSTANTINOPLE)
                CHECK(a->exists && !a->code && a->storage_reset && a->slots_count == 0,
                      "%s: revival by a value transfer", what);
            if (a && fork >= PV_CANCUN)
                CHECK(a->exists && a->code && !a->storage_reset && slot_is(a, 0, 9),
                      "%s: EIP-6780 contract called after its SELFDESTRUCT", what);
            if (fork >= PV_CANCUN) {
                const pv_account_change *br = find_change(&r, &info.beacon_roots);
                CHECK(br && br->slots_count == 2, "%s: the beacon-root system call did not store", what);
                CHECK(info.kinds[PV_GEN_BEACON_READ] == 1, "%s: no beacon-root read", what);
            }
            pv_block_result_free(&r);
            pv_block_file_free(f);
            pv_gen_info_free(&info);
        }
    }
}

/* --invalid: transactions invalid because of earlier ones, rejected under builder semantics. */
static void test_invalid(void)
{
    static const pv_fork forks[] = {PV_FRONTIER, PV_BYZANTIUM, PV_BERLIN, PV_LONDON, PV_CANCUN};
    for (size_t fi = 0; fi < sizeof forks / sizeof forks[0]; fi++) {
        pv_gen_params p = params(500 + fi, 100, 0.3, forks[fi]);
        p.invalid = 0.1;
        char what[64];
        snprintf(what, sizeof what, "%s invalid 0.1", pv_fork_name(forks[fi]));
        pv_gen_info info;
        pv_block_file *f = gen_load(&p, &info);
        if (!f)
            continue;
        pv_block_result r;
        pv_block_execute(pv_world_source(f->pre), &f->block, PV_INVALID_TX_SKIP, &r);
        CHECK(r.valid && r.receipts_count == 100, "%s: %zu receipts", what, r.receipts_count);
        size_t nonce = 0, funds = 0, other = 0;
        for (size_t i = 0; i < r.receipts_count; i++) {
            pv_tx_error e = r.receipts[i].rejected;
            nonce += e == PV_TX_NONCE_TOO_LOW;
            funds += e == PV_TX_INSUFFICIENT_FUNDS;
            other += e != PV_TX_VALID && e != PV_TX_NONCE_TOO_LOW && e != PV_TX_INSUFFICIENT_FUNDS;
        }
        CHECK(nonce >= 1 && nonce == info.kinds[PV_GEN_INVALID_NONCE], "%s: %zu nonce-too-low rejections (%zu built)",
              what, nonce, info.kinds[PV_GEN_INVALID_NONCE]);
        CHECK(funds >= 1 && funds == info.kinds[PV_GEN_INVALID_FUNDS],
              "%s: %zu insufficient-funds rejections (%zu built)", what, funds, info.kinds[PV_GEN_INVALID_FUNDS]);
        CHECK(other == 0, "%s: %zu other rejections", what, other);
        size_t bad = check_outcomes(&info, &r, what);
        CHECK(bad == 0, "%s: %zu transactions did not end as built", what, bad);
        pv_block_result_free(&r);
        /* as a block to validate, it is invalid */
        pv_block_execute(pv_world_source(f->pre), &f->block, PV_INVALID_TX_ABORT, &r);
        CHECK(!r.valid && (r.invalid_error == PV_TX_NONCE_TOO_LOW || r.invalid_error == PV_TX_INSUFFICIENT_FUNDS),
              "%s: valid under ABORT", what);
        pv_block_result_free(&r);
        pv_block_file_free(f);
        pv_gen_info_free(&info);
    }
}

/* --gas-limit: a small block gas limit leaves later transactions out. */
static void test_gas_limit(void)
{
    pv_gen_params p = params(77, 60, 0.5, PV_LONDON);
    p.gas_limit = 1000000;
    pv_gen_info info;
    pv_block_file *f = gen_load(&p, &info);
    if (!f)
        return;
    CHECK(f->block.env.gas_limit == 1000000, "gas limit %llu", (unsigned long long)f->block.env.gas_limit);
    pv_block_result r;
    pv_block_execute(pv_world_source(f->pre), &f->block, PV_INVALID_TX_SKIP, &r);
    size_t over = 0;
    for (size_t i = 0; i < r.receipts_count; i++)
        over += r.receipts[i].rejected == PV_TX_GAS_LIMIT_EXCEEDS_BLOCK;
    CHECK(r.valid && over > 0 && r.gas_used <= 1000000, "%zu transactions over the block gas limit", over);
    pv_block_result_free(&r);
    pv_block_execute(pv_world_source(f->pre), &f->block, PV_INVALID_TX_ABORT, &r);
    CHECK(!r.valid && r.invalid_error == PV_TX_GAS_LIMIT_EXCEEDS_BLOCK, "small gas limit: valid under ABORT");
    pv_block_result_free(&r);
    pv_block_file_free(f);
    pv_gen_info_free(&info);
}

/* A state source over the state after the earlier transactions that notes reads of the hot set:
 * the hot recipient's and WETH's accounts, the hot holder's token balance, counter slots 0/1. */
typedef struct hot_probe {
    pv_state_source src;
    pv_state *under;
    const pv_gen_info *info;
    u256 holder_slot;
    bool touched;
} hot_probe;

static void probe_account(hot_probe *h, const pv_address *a)
{
    if (pv_address_eq(a, &h->info->hot_recipient) || pv_address_eq(a, &h->info->weth))
        h->touched = true;
}

static void probe_basic(pv_state_source *s, const pv_address *a, pv_account_basic *out)
{
    hot_probe *h = (hot_probe *)s;
    probe_account(h, a);
    out->exists = pv_st_exists(h->under, a);
    out->nonce = pv_st_nonce(h->under, a);
    out->code = pv_st_code(h->under, a);
    out->has_storage = pv_st_has_storage(h->under, a);
}

static u256 probe_balance(pv_state_source *s, const pv_address *a)
{
    hot_probe *h = (hot_probe *)s;
    probe_account(h, a);
    return pv_st_balance(h->under, a);
}

static u256 probe_storage(pv_state_source *s, const pv_address *a, const u256 *key)
{
    hot_probe *h = (hot_probe *)s;
    if ((pv_address_eq(a, &h->info->token) && u256_eq(key, &h->holder_slot)) ||
        (pv_address_eq(a, &h->info->counter) && u256_fits_u64(key) && key->w[0] <= 1))
        h->touched = true;
    return pv_st_get_storage(h->under, a, key);
}

static const pv_state_source_fn probe_fn = {probe_basic, probe_balance, probe_storage, NULL, NULL, NULL};

/* --conflicts: a transaction reads the hot set exactly when the generator made it hot. Each
 * transaction runs alone on a state over the probe, then on the block's state. */
static void test_hot_set(void)
{
    static const struct {
        pv_fork fork;
        double ratio;
    } cases[] = {{PV_FRONTIER, 0.5}, {PV_TANGERINE_WHISTLE, 0.5}, {PV_BYZANTIUM, 0.5}, {PV_PETERSBURG, 0.5},
                 {PV_BERLIN, 0.5},   {PV_LONDON, 0},              {PV_SHANGHAI, 1},    {PV_CANCUN, 0.5}};
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        pv_gen_params p = params(300 + c, 80, cases[c].ratio, cases[c].fork);
        pv_gen_info info;
        pv_block_file *f = gen_load(&p, &info);
        if (!f)
            continue;
        hot_probe h;
        memset(&h, 0, sizeof h);
        h.src.fn = &probe_fn;
        h.info = &info;
        uint8_t pre[64] = {0}, slot[32];
        memcpy(pre + 12, info.hot_holder.b, 20);
        pv_keccak256(pre, 64, slot);
        u256_from_be(&h.holder_slot, slot, 32);
        pv_state *st = pv_state_new_from(pv_world_source(f->pre));
        h.under = st;
        pv_block_beacon_root_call(st, &f->block);
        uint64_t gas = 0;
        size_t wrong = 0, hot = 0;
        for (size_t i = 0; i < f->txs_count; i++) {
            h.touched = false;
            pv_state *alone = pv_state_new_from(&h.src);
            pv_receipt rc;
            pv_tx_error e = pv_transact(alone, &f->block.env, f->block.fork, &f->txs[i], gas, &rc);
            if (e == PV_TX_VALID)
                pv_receipt_free(&rc);
            pv_state_free(alone);
            hot += h.touched;
            if (h.touched != info.tx_hot[i] && !wrong++)
                fprintf(stderr, "%s: tx %zu (%s) %s the hot set, built %s\n", pv_fork_name(p.fork), i,
                        pv_gen_kind_name((pv_gen_kind)info.tx_kind[i]), h.touched ? "reads" : "does not read",
                        info.tx_hot[i] ? "hot" : "cold");
            e = pv_transact(st, &f->block.env, f->block.fork, &f->txs[i], gas, &rc);
            CHECK(e == PV_TX_VALID, "%s: tx %zu invalid", pv_fork_name(p.fork), i);
            if (e == PV_TX_VALID) {
                gas += rc.gas_used;
                pv_receipt_free(&rc);
            }
        }
        CHECK(wrong == 0, "%s conflicts %.1f: %zu transactions touch the hot set other than built", pv_fork_name(p.fork),
              cases[c].ratio, wrong);
        CHECK(cases[c].ratio != 0 || hot == 0, "conflicts 0: %zu transactions read the hot set", hot);
        CHECK(cases[c].ratio != 1 || hot == f->txs_count, "conflicts 1: only %zu of %zu read the hot set", hot,
              f->txs_count);
        pv_state_free(st);
        pv_block_file_free(f);
        pv_gen_info_free(&info);
    }
}

/* Small blocks (no room for the scripted cases) still load and run. */
static void test_small(void)
{
    static const size_t sizes[] = {0, 1, 5, 13, 23};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        pv_gen_params p = params(900 + i, sizes[i], 0.5, i % 2 ? PV_CANCUN : PV_HOMESTEAD);
        pv_gen_info info;
        pv_block_file *f = gen_load(&p, &info);
        if (!f)
            continue;
        pv_block_result r;
        pv_block_execute(pv_world_source(f->pre), &f->block, PV_INVALID_TX_ABORT, &r);
        CHECK(r.valid && r.receipts_count == sizes[i], "%zu txs: valid %d, %zu receipts", sizes[i], r.valid,
              r.receipts_count);
        CHECK(check_outcomes(&info, &r, "small") == 0, "%zu txs: outcomes", sizes[i]);
        pv_block_result_free(&r);
        pv_block_file_free(f);
        pv_gen_info_free(&info);
    }
}

typedef struct job {
    pv_gen_params p;
    char *text;
    size_t len;
} job;

static void *gen_job(void *arg)
{
    job *j = arg;
    char *err = NULL;
    j->text = pv_gen_block_json(&j->p, &j->len, NULL, &err);
    free(err);
    return NULL;
}

/* The generator keeps no mutable global state: threads give what one thread gives. */
static void test_threads(void)
{
    job jobs[4];
    pthread_t th[4];
    for (int i = 0; i < 4; i++) {
        jobs[i].p = params(40 + (uint64_t)(i % 2), 150, 0.5, i % 2 ? PV_CANCUN : PV_BYZANTIUM);
        pthread_create(&th[i], NULL, gen_job, &jobs[i]);
    }
    for (int i = 0; i < 4; i++)
        pthread_join(th[i], NULL);
    for (int i = 0; i < 2; i++) {
        job one = {.p = jobs[i].p};
        gen_job(&one);
        CHECK(one.text && jobs[i].text && jobs[i + 2].text && one.len == jobs[i].len && one.len == jobs[i + 2].len &&
                  memcmp(one.text, jobs[i].text, one.len) == 0 && memcmp(one.text, jobs[i + 2].text, one.len) == 0,
              "threads: different output for seed %llu", (unsigned long long)one.p.seed);
        free(one.text);
    }
    for (int i = 0; i < 4; i++)
        free(jobs[i].text);
}

static void test_speed(void)
{
    pv_gen_params p = params(3, 200, 0.5, PV_CANCUN);
    size_t len;
    char *err = NULL;
    free(pv_gen_block_json(&p, &len, NULL, &err)); /* warm-up: one-time set-up */
    double best = 1e9;
    for (int i = 0; i < 3; i++) {
        double t0 = now();
        char *text = pv_gen_block_json(&p, &len, NULL, &err);
        uint8_t *z;
        size_t zl;
        pv_gzip_fixed((const uint8_t *)text, len, &z, &zl);
        double t = now() - t0;
        best = t < best ? t : best;
        free(text);
        free(z);
    }
    printf("generating a 200-transaction block (JSON + gzip): %.1f ms\n", best * 1e3);
    CHECK(best < 0.5, "200 transactions took %.1f ms", best * 1e3); /* loose: sanitizer builds */
}

int main(void)
{
    if (!mkdtemp(tmpdir)) {
        perror("mkdtemp");
        return 1;
    }
    test_determinism();
    test_bad_params();
    test_forks();
    test_invalid();
    test_gas_limit();
    test_hot_set();
    test_small();
    test_threads();
    test_speed();
    rmdir(tmpdir);
    TEST_DONE();
}
