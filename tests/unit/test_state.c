/* pv_world / pv_state: journal reverts, original values, warm sets, transient storage, EIP-161
 * cleanup, world immutability, and state roots checked against hand-built RLP. */
#include "test.h"

#include <string.h>

#include "exec/transition.h"
#include "state/state.h"
#include "state/trie.h"
#include "util/keccak.h"
#include "util/rlp.h"

static pv_address addr(uint8_t x)
{
    pv_address a = {{0}};
    a.b[0] = 0xaa;
    a.b[19] = x;
    return a;
}

/* Root of a state with one codeless, storageless account, built independently of state.c. */
static pv_bytes32 one_account_root(const pv_address *a, uint64_t nonce, uint64_t balance)
{
    pv_buf v;
    pv_buf_init(&v);
    size_t start = pv_rlp_list_begin(&v);
    pv_rlp_put_u64(&v, nonce);
    pv_rlp_put_u64(&v, balance);
    pv_rlp_put_bytes(&v, PV_EMPTY_TRIE_ROOT.b, 32);
    pv_rlp_put_bytes(&v, PV_EMPTY_CODE_HASH.b, 32);
    pv_rlp_list_end(&v, start);
    pv_trie_entry e = {a->b, 20, v.data, v.len};
    pv_bytes32 r = pv_trie_root_secure(&e, 1);
    pv_buf_free(&v);
    return r;
}

/* Reads reported by a lazy world state's hook, per kind and account. */
typedef struct read_log {
    unsigned basic[600], balance[600], storage[600];
} read_log;

static void note_read(void *ctx, pv_state_read_kind kind, const pv_address *a, const u256 *key)
{
    read_log *l = ctx;
    unsigned i = (unsigned)a->b[18] << 8 | a->b[19];
    if (i >= 600)
        return;
    if (kind == PV_READ_BASIC)
        l->basic[i]++;
    else if (kind == PV_READ_BALANCE)
        l->balance[i]++;
    else if (kind == PV_READ_STORAGE && key)
        l->storage[i]++;
}

static pv_address addr_n(unsigned i)
{
    pv_address a = {{0}};
    a.b[0] = (uint8_t)(i * 37); /* address order differs from creation order */
    a.b[18] = (uint8_t)(i >> 8);
    a.b[19] = (uint8_t)i;
    return a;
}

/* A world state with lazy balances and a read hook does what an eager one does, reports the
 * locations it read (credits are no balance reads), and its unordered collect, put in the order
 * it gives, is the ordered collect. */
static void test_lazy_world_and_unordered_collect(void)
{
    pv_world *w = pv_world_new();
    for (unsigned i = 0; i < 500; i++) {
        pv_address a = addr_n(i);
        u256 bal = u256_from_u64(1000 + i);
        pv_world_put_account(w, &a, 1, &bal, NULL, 0);
        if (i % 50 == 0) {
            u256 k = u256_from_u64(7), v = u256_from_u64(i + 1);
            pv_world_put_storage(w, &a, &k, &v);
        }
    }
    pv_world_seal(w);
    pv_state *eager = pv_state_new(w), *lazy = pv_state_new(w);
    pv_state_set_lazy_balance(lazy);
    read_log *log = calloc(1, sizeof *log);
    pv_state_set_read_hook(lazy, note_read, log);
    pv_state *both[2] = {eager, lazy};
    for (int k = 0; k < 2; k++) {
        pv_state *st = both[k];
        for (unsigned i = 0; i < 600; i += 2) { /* credits, 50 of them to fresh accounts */
            pv_address a = addr_n(i);
            u256 v = u256_from_u64(5);
            pv_st_add_balance(st, &a, &v);
        }
        for (unsigned i = 1; i < 300; i += 2) { /* debits: the balance is used */
            pv_address a = addr_n(i);
            u256 v = u256_from_u64(3);
            pv_st_sub_balance(st, &a, &v);
        }
        for (unsigned i = 0; i < 500; i += 50) { /* slots read and written */
            pv_address a = addr_n(i);
            u256 key = u256_from_u64(7), one = u256_from_u64(1), o, c, cur = pv_st_get_storage(st, &a, &key);
            u256_add(&cur, &cur, &one);
            pv_st_set_storage(st, &a, &key, &cur, &o, &c);
        }
        for (unsigned i = 700; i < 710; i++) { /* only read: loaded, left unchanged */
            pv_address a = addr_n(i);
            (void)pv_st_balance(st, &a);
        }
        pv_st_end_tx(st, true, NULL, NULL);
    }
    bool basic_ok = true, balance_ok = true, storage_ok = true;
    for (unsigned i = 0; i < 600; i++) {
        bool touched = i % 2 == 0 || i < 300;
        basic_ok &= (log->basic[i] > 0) == touched;
        balance_ok &= (log->balance[i] > 0) == (i % 2 == 1 && i < 300);
        storage_ok &= (log->storage[i] > 0) == (i < 500 && i % 50 == 0);
    }
    CHECK(basic_ok, "every account loaded reported as read, no other");
    CHECK(balance_ok, "balances reported only where used (debits), never for credits");
    CHECK(storage_ok, "slots loaded from the world reported");
    pv_state_set_read_hook(lazy, NULL, NULL);
    pv_bytes32 r1 = pv_state_root(eager), r2 = pv_state_root(lazy); /* credits still deltas here */
    CHECK(pv_bytes32_eq(&r1, &r2), "the lazy state's root is the eager one's");

    pv_state_changes want, got;
    pv_change_ref *order;
    pv_state_collect_changes(eager, &want);
    size_t got_slots, n_unchanged;
    pv_address_ref *unchanged;
    pv_state_collect_changes_unordered(lazy, &got, &order, &got_slots, &unchanged, &n_unchanged);
    bool listed = n_unchanged == 10;
    for (size_t i = 0; listed && i < n_unchanged; i++) {
        unsigned id = (unsigned)unchanged[i].addr->b[18] << 8 | unchanged[i].addr->b[19];
        uint64_t p = 0;
        for (int b = 0; b < 8; b++)
            p = p << 8 | unchanged[i].addr->b[b];
        listed &= id >= 700 && id < 710 && p == unchanged[i].prefix &&
                  (i == 0 || memcmp(unchanged[i - 1].addr->b, unchanged[i].addr->b, 20) < 0);
    }
    CHECK(listed, "the 10 accounts only read listed unchanged, by address (%zu)", n_unchanged);
    free(unchanged);
    CHECK(want.count == 450 && got.count == want.count, "300 credited and 150 debited accounts (%zu, %zu)", want.count,
          got.count);
    size_t sum = 0;
    for (size_t i = 0; i < got.count; i++)
        sum += got.accounts[i].slots_count;
    CHECK(got_slots == 10 && sum == got_slots, "10 slot changes counted (%zu, %zu)", got_slots, sum);
    pv_state_changes ordered = {malloc(got.count * sizeof *ordered.accounts), got.count, NULL};
    bool prefixes = true;
    for (size_t i = 0; i < got.count; i++) {
        ordered.accounts[i] = *order[i].change;
        uint64_t p = 0;
        for (int b = 0; b < 8; b++)
            p = p << 8 | order[i].change->address.b[b];
        prefixes &= p == order[i].prefix && order[i].slots_count == order[i].change->slots_count;
    }
    CHECK(prefixes, "each reference carries its address's first 8 bytes and its slot count");
    char why[256];
    CHECK(pv_state_changes_equal(&want, &ordered, why, sizeof why), "unordered collect in its order: %s", why);
    free(ordered.accounts);
    free(order);
    pv_state_changes_free(&want);
    pv_state_changes_free(&got);
    free(log);
    pv_state_free(eager);
    pv_state_free(lazy);
    pv_world_free(w);
}

int main(void)
{
    test_lazy_world_and_unordered_collect();
    pv_world *w = pv_world_new();
    pv_address a = addr(1), b = addr(2), c = addr(3);
    u256 hundred = u256_from_u64(100), ten = u256_from_u64(10), zero = u256_zero();
    pv_world_put_account(w, &a, 1, &hundred, NULL, 0);
    u256 k1 = u256_from_u64(1), v7 = u256_from_u64(7);
    pv_world_put_storage(w, &a, &k1, &v7);

    /* empty state */
    pv_world *empty = pv_world_new();
    pv_state *s0 = pv_state_new(empty);
    pv_bytes32 r0 = pv_state_root(s0);
    CHECK(pv_bytes32_eq(&r0, &PV_EMPTY_TRIE_ROOT), "empty state root");
    pv_st_add_balance(s0, &b, &ten);
    pv_bytes32 r1 = pv_state_root(s0), want1 = one_account_root(&b, 0, 10);
    CHECK(pv_bytes32_eq(&r1, &want1), "one-account root");
    pv_state_free(s0);
    pv_world_free(empty);

    pv_state *s = pv_state_new(w);
    pv_bytes32 before = pv_state_root(s);

    /* journal: every kind of change reverts */
    size_t snap = pv_st_snapshot(s);
    pv_st_add_balance(s, &a, &ten);
    pv_st_set_nonce(s, &a, 5);
    u256 orig, cur, v9 = u256_from_u64(9);
    pv_st_set_storage(s, &a, &k1, &v9, &orig, &cur);
    CHECK(u256_eq(&orig, &v7) && u256_eq(&cur, &v7), "original and current before the first write");
    pv_st_set_storage(s, &a, &k1, &ten, &orig, &cur);
    CHECK(u256_eq(&orig, &v7) && u256_eq(&cur, &v9), "original stays, current moves");
    pv_st_set_code(s, &b, (const uint8_t *)"\x60\x00", 2);
    pv_st_set_transient(s, &a, &k1, &v9);
    CHECK(!pv_st_access_account(s, &c) && pv_st_access_account(s, &c), "cold then warm");
    CHECK(!pv_st_access_slot(s, &a, &k1) && pv_st_access_slot(s, &a, &k1), "cold slot then warm");
    pv_st_add_log(s, &a, NULL, 0, NULL, 0);
    pv_st_revert(s, snap);
    u256 bal = pv_st_balance(s, &a), sv = pv_st_get_storage(s, &a, &k1), tv = pv_st_get_transient(s, &a, &k1);
    CHECK(u256_eq(&bal, &hundred) && pv_st_nonce(s, &a) == 1, "balance and nonce reverted");
    CHECK(u256_eq(&sv, &v7), "storage reverted");
    CHECK(pv_st_code(s, &b) == NULL && !pv_st_exists(s, &b), "code and account creation reverted");
    CHECK(u256_is_zero(&tv), "transient storage reverted");
    CHECK(!pv_st_access_account(s, &c), "warm mark reverted");
    pv_bytes32 after = pv_state_root(s);
    CHECK(pv_bytes32_eq(&before, &after), "root unchanged after full revert");

    /* end of transaction: transient cleared, originals advance, touched empty accounts removed */
    pv_st_set_transient(s, &a, &k1, &v9);
    pv_st_set_storage(s, &a, &k1, &v9, &orig, &cur);
    pv_st_add_balance(s, &c, &zero);             /* touch a non-existent account */
    CHECK(pv_st_exists(s, &c), "touch creates");
    pv_log *logs;
    size_t nlogs;
    pv_st_end_tx(s, true, &logs, &nlogs);
    free(logs);
    tv = pv_st_get_transient(s, &a, &k1);
    CHECK(u256_is_zero(&tv), "transient cleared at the end of the transaction");
    CHECK(!pv_st_exists(s, &c), "EIP-161: touched empty account removed");
    pv_st_set_storage(s, &a, &k1, &ten, &orig, &cur);
    CHECK(u256_eq(&orig, &v9), "original is the value at the start of the next transaction");

    /* selfdestruct removes the account and its storage at the end of the transaction */
    CHECK(pv_st_mark_selfdestruct(s, &a) && !pv_st_mark_selfdestruct(s, &a), "first registration only");
    pv_st_end_tx(s, true, NULL, NULL);
    sv = pv_st_get_storage(s, &a, &k1);
    CHECK(!pv_st_exists(s, &a) && u256_is_zero(&sv), "destroyed with its storage");
    pv_bytes32 gone = pv_state_root(s);
    CHECK(pv_bytes32_eq(&gone, &PV_EMPTY_TRIE_ROOT), "state empty after destruction");

    /* the world is untouched: a fresh state over it has the original root */
    pv_state *s2 = pv_state_new(w);
    pv_bytes32 again = pv_state_root(s2);
    CHECK(pv_bytes32_eq(&again, &before), "world unchanged");
    pv_state_free(s2);
    pv_state_free(s);
    pv_world_free(w);
    TEST_DONE();
}
