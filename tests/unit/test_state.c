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

int main(void)
{
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
