#include "cached_source.h"

#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "../util/clock.h"
#include "../util/conc_map.h"

typedef struct cached_account {
    pv_account_basic basic;
    u256 balance;
    _Atomic int ready;        /* 0: being filled by its inserter */
} cached_account;

typedef struct slot_key {
    pv_address addr;
    uint8_t key[32];
} slot_key;

struct pv_cached_source {
    pv_state_source base;
    pv_state_source *under;
    pv_cmap *accounts;        /* pv_address -> cached_account */
    pv_cmap *slots;           /* slot_key -> u256 */
};

static uint64_t addr_hash(const pv_address *a) { return pv_hash_bytes(a->b, 20); }

/* The account's cached basic fields and balance (read from under on a miss). */
static void account(pv_cached_source *c, const pv_address *a, pv_account_basic *basic, u256 *balance)
{
    uint64_t h = addr_hash(a);
    cached_account *e = pv_cmap_find(c->accounts, a, h);
    if (e && atomic_load_explicit(&e->ready, memory_order_acquire)) {
        *basic = e->basic;
        *balance = e->balance;
        return;
    }
    /* Read first, then publish a complete entry: readers never see a half-filled one. A thread
     * that loses the insert race keeps its own (identical) answer. */
    c->under->fn->read_basic(c->under, a, basic);
    *balance = c->under->fn->read_balance(c->under, a);
    bool inserted;
    e = pv_cmap_get_or_insert(c->accounts, a, h, NULL, NULL, &inserted);
    if (inserted) {
        e->basic = *basic;
        e->balance = *balance;
        atomic_store_explicit(&e->ready, 1, memory_order_release);
    }
}

static void c_read_basic(pv_state_source *src, const pv_address *a, pv_account_basic *out)
{
    u256 balance;
    account((pv_cached_source *)src, a, out, &balance);
}

static u256 c_read_balance(pv_state_source *src, const pv_address *a)
{
    pv_account_basic basic;
    u256 balance;
    account((pv_cached_source *)src, a, &basic, &balance);
    return balance;
}

typedef struct cached_slot {
    u256 value;
    _Atomic int ready;
} cached_slot;

static u256 c_read_storage(pv_state_source *src, const pv_address *a, const u256 *key)
{
    pv_cached_source *c = (pv_cached_source *)src;
    slot_key k;
    k.addr = *a;
    memcpy(k.key, key->w, 32);
    uint64_t h = pv_hash_bytes(&k, sizeof k);
    cached_slot *e = pv_cmap_find(c->slots, &k, h);
    if (e && atomic_load_explicit(&e->ready, memory_order_acquire))
        return e->value;
    u256 v = c->under->fn->read_storage(c->under, a, key);
    bool inserted;
    e = pv_cmap_get_or_insert(c->slots, &k, h, NULL, NULL, &inserted);
    if (inserted) {
        e->value = v;
        atomic_store_explicit(&e->ready, 1, memory_order_release);
    }
    return v;
}

static void c_read_basic_with_balance(pv_state_source *src, const pv_address *a, pv_account_basic *out,
                                      u256 *balance)
{
    account((pv_cached_source *)src, a, out, balance);
}

static const pv_state_source_fn cached_fn = {c_read_basic, c_read_balance, c_read_storage, c_read_basic_with_balance,
                                             NULL, NULL};

pv_cached_source *pv_cached_source_new(pv_state_source *under, size_t expected)
{
    pv_cached_source *c = calloc(1, sizeof *c);
    if (!c)
        abort();
    c->base.fn = &cached_fn;
    c->under = under;
    c->accounts = pv_cmap_new(sizeof(pv_address), sizeof(cached_account), expected / 4 + 64);
    c->slots = pv_cmap_new(sizeof(slot_key), sizeof(cached_slot), expected + 64);
    return c;
}

void pv_cached_source_free(pv_cached_source *c)
{
    if (!c)
        return;
    pv_cmap_free(c->accounts, NULL);
    pv_cmap_free(c->slots, NULL);
    free(c);
}

pv_state_source *pv_cached_source_base(pv_cached_source *c) { return &c->base; }

/* Waits until us microseconds have passed, giving the CPU to any other runnable thread
 * meanwhile (as a thread blocked on a read would). Not nanosleep: a sleep overshoots by the
 * timer slack (50 us by default) and a timer interrupt, and on this project's VM a requested
 * 20 us took 98 us (47 us with a slack of 1 ns), so --db-latency-us 20 modelled a read 5x
 * slower than it said. */
static void pause_us(unsigned us)
{
    if (!us)
        return;
    uint64_t end = pv_now_ns() + (uint64_t)us * 1000;
    while (pv_now_ns() < end)
        sched_yield();
}

static void slow_read_basic(pv_state_source *src, const pv_address *a, pv_account_basic *out)
{
    pv_slow_source *s = (pv_slow_source *)src;
    pause_us(s->latency_us);
    s->under->fn->read_basic(s->under, a, out);
}

static u256 slow_read_balance(pv_state_source *src, const pv_address *a)
{
    pv_slow_source *s = (pv_slow_source *)src;
    /* The account record came with the basic read: no second trip to the database. */
    return s->under->fn->read_balance(s->under, a);
}

static u256 slow_read_storage(pv_state_source *src, const pv_address *a, const u256 *key)
{
    pv_slow_source *s = (pv_slow_source *)src;
    pause_us(s->latency_us);
    return s->under->fn->read_storage(s->under, a, key);
}

static const pv_state_source_fn slow_fn = {slow_read_basic, slow_read_balance, slow_read_storage, NULL, NULL, NULL};

void pv_slow_source_init(pv_slow_source *s, pv_state_source *under, unsigned latency_us)
{
    s->base.fn = &slow_fn;
    s->base.lazy_balance = false;
    s->under = under;
    s->latency_us = latency_us;
}
