/* Sequential block execution and the block-level rules both executors share. */
#include "block.h"

#include "../util/pool.h"

#include <stdio.h>
#include <stdlib.h>

#include "../state/trie.h"
#include "../util/hex.h"
#include "../util/keccak.h"
#include "../util/rlp.h"
#include "host_impl.h"

/* EIP-4788 */
static const pv_address BEACON_ROOTS_ADDRESS = {{0x00, 0x0F, 0x3d, 0xf6, 0xD7, 0x32, 0x80, 0x7E, 0xf1, 0x31,
                                                 0x9f, 0xB7, 0xB8, 0xbB, 0x85, 0x22, 0xd0, 0xBe, 0xac, 0x02}};
static const pv_address SYSTEM_ADDRESS = {{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                                           0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe}};
#define SYSTEM_CALL_GAS 30000000

void pv_block_beacon_root_call(pv_state *st, const pv_block *b)
{
    if (b->fork < PV_CANCUN || !b->has_parent_beacon_root)
        return;
    if (pv_st_code(st, &BEACON_ROOTS_ADDRESS) == NULL) {
        pv_st_end_tx(st, true, NULL, NULL);
        return;
    }
    pv_state_host host;
    pv_state_host_init(&host, st, b->fork, &b->env);
    pv_tx_context *ctx = &host.ctx;
    ctx->origin = SYSTEM_ADDRESS;
    ctx->coinbase = b->env.coinbase;
    ctx->number = b->env.number;
    ctx->timestamp = b->env.timestamp;
    ctx->gas_limit = (int64_t)b->env.gas_limit;
    ctx->prev_randao = b->env.prev_randao;
    ctx->chain_id = b->env.chain_id;
    ctx->base_fee = b->env.base_fee;
    ctx->blob_base_fee = pv_blob_base_fee(b->env.excess_blob_gas);
    pv_message msg;
    memset(&msg, 0, sizeof msg);
    msg.kind = PV_CALL;
    msg.gas = SYSTEM_CALL_GAS;
    msg.sender = SYSTEM_ADDRESS;
    msg.recipient = BEACON_ROOTS_ADDRESS;
    msg.code_address = BEACON_ROOTS_ADDRESS;
    msg.input = b->parent_beacon_root.b;
    msg.input_size = 32;
    pv_result r = host.base.fn->call(&host.base, &msg);
    free(r.output);
    pv_st_end_tx(st, true, NULL, NULL);
}

static u256 block_reward(pv_fork fork)
{
    static const u256 five = {{5000000000000000000ULL, 0, 0, 0}};
    static const u256 three = {{3000000000000000000ULL, 0, 0, 0}};
    static const u256 two = {{2000000000000000000ULL, 0, 0, 0}};
    return fork >= PV_CONSTANTINOPLE ? two : fork >= PV_BYZANTIUM ? three : five;
}

bool pv_block_finish_rewards(pv_state *st, const pv_block *b)
{
    bool eip161 = b->fork >= PV_SPURIOUS_DRAGON;
    if (b->has_withdrawals) {
        static const u256 gwei = {{1000000000ULL, 0, 0, 0}};
        for (size_t i = 0; i < b->withdrawals_count; i++) {
            u256 amount = u256_from_u64(b->withdrawals[i].amount_gwei);
            u256_mul(&amount, &amount, &gwei);
            pv_state_add_balance(st, &b->withdrawals[i].address, &amount);
        }
        pv_state_clear_touched_empty(st);
    }
    bool missing = false;
    if (b->fork < PV_PARIS) {
        u256 reward = block_reward(b->fork), per_uncle, miner = reward;
        u256 n = u256_from_u64(b->uncles_count + b->uncles_unknown), d32 = u256_from_u64(32);
        u256_div(&per_uncle, &reward, &d32);
        u256_mul(&per_uncle, &per_uncle, &n);
        u256_add(&miner, &miner, &per_uncle);
        pv_state_add_balance(st, &b->env.coinbase, &miner);
        for (size_t i = 0; i < b->uncles_count; i++) {
            /* (8 + uncle.number - number) * reward / 8 */
            int64_t k = 8 + b->uncles[i].number - b->env.number;
            if (k <= 0)
                continue;
            u256 r = u256_from_u64((uint64_t)k), d8 = u256_from_u64(8);
            u256_mul(&r, &r, &reward);
            u256_div(&r, &r, &d8);
            pv_state_add_balance(st, &b->uncles[i].miner, &r);
        }
        missing = b->uncles_unknown > 0;
        pv_st_end_tx(st, eip161, NULL, NULL);
    }
    return missing;
}

/* Blooms from logs: every address and topic hashed in full batches (several Keccak states in one
 * vector; one by one, a token transfer's four hashes were a quarter of its execution), and an
 * item met again (a token's address, an event's signature: half of a token transfer's four; all
 * but a few of block 15537394's 10,001 logs of one transaction) taken from a small cache of bit
 * positions instead of hashed again. */
void pv_bloom_cache_clear(pv_bloom_cache *c)
{
    for (size_t i = 0; i < PV_BLOOM_CACHE; i++)
        c->e[i].len = 0;
}

void pv_bloom_batch_init(pv_bloom_batch *bb, pv_bloom_cache *cache)
{
    bb->k = 0;
    bb->cache = cache;
}

static size_t bloom_cache_slot(const uint8_t *p, size_t len)
{
    _Static_assert(PV_BLOOM_CACHE == 256, "the slot is the product's top byte");
    uint64_t a, b;
    memcpy(&a, p, 8);
    memcpy(&b, p + len - 8, 8);
    return (size_t)(((a ^ b ^ len) * 0x9e3779b97f4a7c15ULL) >> 56);
}

static void bloom_set_bits(uint8_t bloom[256], const uint16_t bit[3])
{
    for (int j = 0; j < 3; j++)
        bloom[255 - bit[j] / 8] |= (uint8_t)(1u << (bit[j] % 8));
}

void pv_bloom_batch_flush(pv_bloom_batch *bb)
{
    const uint8_t *data[PV_BLOOM_BATCH];
    size_t lens[PV_BLOOM_BATCH];
    uint8_t h[PV_BLOOM_BATCH][32];
    for (size_t m = 0; m < bb->k; m++) {
        data[m] = bb->item[m];
        lens[m] = bb->len[m];
    }
    pv_keccak256_batch(data, lens, bb->k, h);
    for (size_t m = 0; m < bb->k; m++) {
        uint16_t bit[3];
        for (int j = 0; j < 3; j++)
            bit[j] = (uint16_t)(((unsigned)h[m][2 * j] << 8 | h[m][2 * j + 1]) & 2047u);
        bloom_set_bits(bb->dst[m], bit);
        if (bb->cache) {
            size_t c = bloom_cache_slot(bb->item[m], bb->len[m]);
            memcpy(bb->cache->e[c].key, bb->item[m], bb->len[m]);
            bb->cache->e[c].len = bb->len[m];
            memcpy(bb->cache->e[c].bit, bit, sizeof bit);
        }
    }
    bb->k = 0;
}

void pv_bloom_batch_add_logs(pv_bloom_batch *bb, uint8_t bloom[256], const pv_log *logs, size_t n)
{
    for (size_t g = 0; g < n; g++) {
        const pv_log *lg = &logs[g];
        for (size_t t = 0; t <= lg->topics_count; t++) {
            const uint8_t *p = t == 0 ? lg->address.b : lg->topics[t - 1].b;
            const size_t len = t == 0 ? 20 : 32;
            if (bb->cache) {
                size_t c = bloom_cache_slot(p, len);
                if (bb->cache->e[c].len == len && memcmp(bb->cache->e[c].key, p, len) == 0) {
                    bloom_set_bits(bloom, bb->cache->e[c].bit);
                    continue;
                }
            }
            memcpy(bb->item[bb->k], p, len);
            bb->len[bb->k] = (uint8_t)len;
            bb->dst[bb->k] = bloom;
            if (++bb->k == PV_BLOOM_BATCH)
                pv_bloom_batch_flush(bb);
        }
    }
}

void pv_bloom_add_logs(uint8_t bloom[256], const pv_log *logs, size_t n)
{
    pv_bloom_batch bb;
    pv_bloom_cache cache;
    if (n >= 4)   /* for a few items, clearing the cache would cost more than it saves */
        pv_bloom_cache_clear(&cache);
    pv_bloom_batch_init(&bb, n >= 4 ? &cache : NULL);
    pv_bloom_batch_add_logs(&bb, bloom, logs, n);
    pv_bloom_batch_flush(&bb);
}

void pv_bloom_add_receipts(pv_block_receipt *r, size_t n)
{
    pv_bloom_batch bb;
    pv_bloom_cache cache;
    pv_bloom_cache_clear(&cache);
    pv_bloom_batch_init(&bb, &cache);
    for (size_t i = 0; i < n; i++)
        pv_bloom_batch_add_logs(&bb, r[i].bloom, r[i].logs, r[i].logs_count);
    pv_bloom_batch_flush(&bb);
}

/* A log's payload (address, topics list, data) and its list's payload. */
static size_t log_payload(const pv_log *g, size_t *topics_payload)
{
    *topics_payload = 33 * g->topics_count;
    return 21 + pv_rlp_list_size(*topics_payload) + pv_rlp_bytes_size(g->data, g->data_size);
}

/* The receipt's list payload (status, gas, bloom, logs) and the logs list's payload. */
static size_t receipt_payload(const pv_block_receipt *r, pv_fork fork, size_t *logs_payload)
{
    size_t logs = 0, tp;
    for (size_t i = 0; i < r->logs_count; i++)
        logs += pv_rlp_list_size(log_payload(&r->logs[i], &tp));
    *logs_payload = logs;
    return (fork >= PV_BYZANTIUM ? 1 : 33) + pv_rlp_u64_size(r->cumulative_gas_used) + 259 + pv_rlp_list_size(logs);
}

size_t pv_receipt_encoded_size(const pv_block_receipt *r, pv_fork fork)
{
    size_t lp;
    return (r->tx_type != 0) + pv_rlp_list_size(receipt_payload(r, fork, &lp));
}

/* Logs between two publications of a streamed receipt's progress (~10 KB of a token's). */
#define STREAM_PUBLISH_LOGS 64

/* Sizes first, then every item written in place (pv_rlp_write_*): no list header inserted in
 * front of its items afterwards (a swap's receipt, four logs, moved ~2 KB that way). With
 * progress, the bytes of this receipt written so far are published there now and then (release),
 * for a hashing thread. */
static void receipt_encode(const pv_block_receipt *r, pv_fork fork, pv_buf *out, _Atomic size_t *progress)
{
    size_t logs_payload;
    size_t payload = receipt_payload(r, fork, &logs_payload);
    const size_t size = (r->tx_type != 0) + pv_rlp_list_size(payload);
    pv_buf_reserve(out, size);
    uint8_t *const start = out->data + out->len, *p = start;
    if (r->tx_type != 0)
        *p++ = r->tx_type;
    p = pv_rlp_write_header(p, payload, 0xc0);
    if (fork >= PV_BYZANTIUM) {
        uint8_t one = 1;
        p = pv_rlp_write_bytes(p, &one, r->status == PV_SUCCESS ? 1 : 0);
    } else {
        /* The intermediate state root is not computable from a partial pre-state. */
        p = pv_rlp_write_bytes(p, PV_EMPTY_TRIE_ROOT.b, 32);
    }
    p = pv_rlp_write_u64(p, r->cumulative_gas_used);
    p = pv_rlp_write_bytes(p, r->bloom, 256);
    p = pv_rlp_write_header(p, logs_payload, 0xc0);
    for (size_t i = 0; i < r->logs_count; i++) {
        const pv_log *g = &r->logs[i];
        size_t topics_payload;
        p = pv_rlp_write_header(p, log_payload(g, &topics_payload), 0xc0);
        p = pv_rlp_write_bytes(p, g->address.b, 20);
        p = pv_rlp_write_header(p, topics_payload, 0xc0);
        for (size_t j = 0; j < g->topics_count; j++)
            p = pv_rlp_write_bytes(p, g->topics[j].b, 32);
        p = pv_rlp_write_bytes(p, g->data, g->data_size);
        if (progress && i % STREAM_PUBLISH_LOGS == STREAM_PUBLISH_LOGS - 1)
            atomic_store_explicit(progress, (size_t)(p - start), memory_order_release);
    }
    if ((size_t)(p - start) != size) { /* the sizes above and the writes disagree: a bug */
        fprintf(stderr, "parevm: internal error: a receipt encoded to %zu bytes, sized %zu\n", (size_t)(p - start), size);
        abort();
    }
    out->len += size;
    if (progress)
        atomic_store_explicit(progress, size, memory_order_release);
}

void pv_receipt_encode(const pv_block_receipt *r, pv_fork fork, pv_buf *out)
{
    receipt_encode(r, fork, out, NULL);
}

/* dst |= src, 2048 bits. */
static void bloom_or(uint8_t dst[256], const uint8_t src[256])
{
    for (int j = 0; j < 256; j += 8) {
        uint64_t x, y;
        memcpy(&x, dst + j, 8);
        memcpy(&y, src + j, 8);
        x |= y;
        memcpy(dst + j, &x, 8);
    }
}

void pv_receipt_slice_sum(const pv_block_receipt *receipts, pv_receipt_slice *s)
{
    s->gas = 0;
    s->included = 0;
    memset(s->bloom, 0, sizeof s->bloom);
    for (size_t i = s->lo; i < s->hi; i++) {
        const pv_block_receipt *r = &receipts[i];
        if (r->rejected != PV_TX_VALID)
            continue;
        s->gas += r->gas_used;
        s->included++;
        if (r->logs_count) /* a receipt without logs has an empty bloom */
            bloom_or(s->bloom, r->bloom);
    }
}

void pv_receipt_slices_prefix(pv_block_result *res, pv_fork fork, pv_receipt_slice *s, unsigned n)
{
    memset(res->logs_bloom, 0, sizeof res->logs_bloom);
    uint64_t base = 0;
    for (unsigned t = 0; t < n; t++) {
        s[t].base = base;
        base += s[t].gas;
        bloom_or(res->logs_bloom, s[t].bloom);
    }
    res->gas_used = base;
    res->receipts_root_known = fork >= PV_BYZANTIUM;
}

/* About the encoded size of receipts[lo, hi), without touching the logs (cache misses: they
 * live wherever their transaction ran), so that a buffer reserved with it rarely grows. */
static size_t receipts_size_estimate(const pv_block_receipt *receipts, size_t lo, size_t hi)
{
    size_t total = 0;
    for (size_t i = lo; i < hi; i++)
        total += 300 + 256 * receipts[i].logs_count;
    return total;
}

/* The encodings of slice s as values: vals[i], lens[i] for its s->included receipts. */
static void slice_values(const pv_receipt_slice *s, const uint8_t **vals, size_t *lens)
{
    for (size_t i = 0; i < s->included; i++) {
        vals[i] = s->buf.data + s->offs[i];
        lens[i] = (i + 1 < s->included ? s->offs[i + 1] : s->buf.len) - s->offs[i];
    }
}

/* The exact size of slice s's encodings, setting each receipt's cumulative gas on the way. */
static size_t slice_exact_size(pv_block_result *res, pv_fork fork, const pv_receipt_slice *s)
{
    uint64_t cumulative = s->base;
    size_t total = 0;
    for (size_t i = s->lo; i < s->hi; i++) {
        pv_block_receipt *r = &res->receipts[i];
        if (r->rejected != PV_TX_VALID)
            continue;
        cumulative += r->gas_used;
        r->cumulative_gas_used = cumulative;
        total += pv_receipt_encoded_size(r, fork);
    }
    return total;
}

/* Slice s's cumulative gas and encodings; with big (the slice holds it), that receipt's bytes
 * published as they are written, the buffer sized exactly first so that it never moves under
 * the hashing thread. */
static void slice_encode_values(pv_block_result *res, pv_fork fork, pv_receipt_slice *s, pv_receipt_stream *big)
{
    uint64_t cumulative = s->base;
    pv_buf_init(&s->buf);
    pv_buf_reserve(&s->buf, big ? slice_exact_size(res, fork, s) : receipts_size_estimate(res->receipts, s->lo, s->hi));
    const uint8_t *at_start = s->buf.data;
    s->offs = malloc((s->included + 1) * sizeof *s->offs);
    if (!s->offs)
        abort();
    size_t k = 0;
    for (size_t i = s->lo; i < s->hi; i++) {
        /* the logs live wherever their transaction ran: start the misses a few receipts ahead */
        if (i + 4 < s->hi && res->receipts[i + 4].logs_count)
            __builtin_prefetch(res->receipts[i + 4].logs);
        if (i + 2 < s->hi)
            for (size_t j = 0; j < res->receipts[i + 2].logs_count && j < 8; j++) {
                __builtin_prefetch(res->receipts[i + 2].logs[j].topics);
                __builtin_prefetch(res->receipts[i + 2].logs[j].data);
            }
        pv_block_receipt *r = &res->receipts[i];
        if (r->rejected == PV_TX_VALID)
            cumulative += r->gas_used;
        r->cumulative_gas_used = cumulative;
        if (r->rejected != PV_TX_VALID || !res->receipts_root_known)
            continue;
        s->offs[k++] = s->buf.len;
        if (big && i == big->receipt) {
            atomic_store_explicit(&big->data, s->buf.data + s->buf.len, memory_order_release);
            receipt_encode(r, fork, &s->buf, &big->ready);
        } else {
            pv_receipt_encode(r, fork, &s->buf);
        }
    }
    if (big && (s->buf.data != at_start || atomic_load(&big->ready) != big->len)) {
        fprintf(stderr, "parevm: internal error: streamed receipt %zu: %zu bytes of %zu, buffer %s\n", big->receipt,
                atomic_load(&big->ready), big->len, s->buf.data != at_start ? "moved" : "kept");
        abort();
    }
}

/* Hands slice s's encodings to the trie, which hashes their leaves. */
static void slice_set_leaves(const pv_block_result *res, pv_receipt_slice *s)
{
    if (!s->trie || !res->receipts_root_known || !s->included)
        return;
    const uint8_t **vals = malloc(s->included * sizeof *vals);
    size_t *lens = malloc(s->included * sizeof *lens);
    if (!vals || !lens)
        abort();
    slice_values(s, vals, lens);
    pv_ordered_trie_set(s->trie, s->first_item, s->first_item + s->included, vals, lens);
    free(vals);
    free(lens);
}

void pv_receipt_slice_encode(pv_block_result *res, pv_fork fork, pv_receipt_slice *s)
{
    slice_encode_values(res, fork, s, NULL);
    slice_set_leaves(res, s);
}

void pv_receipt_slices_free(pv_receipt_slice *s, unsigned n)
{
    for (unsigned t = 0; t < n; t++) {
        pv_buf_free(&s[t].buf);
        free(s[t].offs);
        s[t].offs = NULL;
    }
}

void pv_receipt_slices_root(pv_block_result *res, pv_receipt_slice *s, unsigned n, unsigned threads)
{
    if (res->receipts_root_known && n && s[0].trie) {
        res->receipts_root = pv_ordered_trie_root(s[0].trie);
    } else if (res->receipts_root_known) {
        size_t included = 0;
        for (unsigned t = 0; t < n; t++)
            included += s[t].included;
        const uint8_t **vals = malloc((included + 1) * sizeof *vals);
        size_t *lens = malloc((included + 1) * sizeof *lens);
        if (!vals || !lens)
            abort();
        size_t k = 0;
        for (unsigned t = 0; t < n; t++) {
            slice_values(&s[t], vals + k, lens + k);
            k += s[t].included;
        }
        res->receipts_root = pv_trie_root_ordered_mt(vals, lens, included, threads);
        free(vals);
        free(lens);
    } else {
        memset(&res->receipts_root, 0, sizeof res->receipts_root);
    }
    pv_receipt_slices_free(s, n);
}

/* The parallel finish: sums, a prefix, encodings, the root, each step on `threads` slices. */
typedef struct slice_job {
    pv_block_result *res;
    pv_fork fork;
    pv_receipt_slice *s;
    bool encode;
} slice_job;

static void *slice_job_main(void *arg)
{
    slice_job *j = arg;
    if (j->encode)
        pv_receipt_slice_encode(j->res, j->fork, j->s);
    else
        pv_receipt_slice_sum(j->res->receipts, j->s);
    return NULL;
}

static void finish_receipts_mt(pv_block_result *res, pv_fork fork, unsigned threads)
{
    pv_receipt_slice s[16];
    slice_job jobs[16];
    void *args[16];
    if (threads > 16)
        threads = 16;
    size_t n = res->receipts_count;
    memset(s, 0, sizeof s);
    for (unsigned t = 0; t < threads; t++) {
        s[t].lo = n * t / threads;
        s[t].hi = n * (t + 1) / threads;
        jobs[t] = (slice_job){res, fork, &s[t], false};
        args[t] = &jobs[t];
    }
    pv_pool_run(slice_job_main, args, threads);
    pv_receipt_slices_prefix(res, fork, s, threads);
    for (unsigned t = 0; t < threads; t++)
        jobs[t].encode = true;
    pv_pool_run(slice_job_main, args, threads);
    pv_receipt_slices_root(res, s, threads, threads);
}

/* A receipt is streamed from this size on: below, the hand-over (the other thread's wake-up, the
 * bytes crossing between cores) costs about what the overlap saves. */
#define STREAM_MIN_BYTES (64 * 1024)

void pv_receipts_share_init(pv_receipts_share *sh, pv_block_result *res, pv_fork fork)
{
    memset(sh, 0, sizeof *sh);
    sh->res = res;
    sh->fork = fork;
    size_t n = res->receipts_count;
    /* the biggest receipt, sized only where the logs are many (sizing reads every log) */
    sh->big.receipt = SIZE_MAX;
    size_t biggest = STREAM_MIN_BYTES - 1;
    for (size_t i = 0; i < n; i++) {
        const pv_block_receipt *r = &res->receipts[i];
        if (r->rejected != PV_TX_VALID || r->logs_count < STREAM_MIN_BYTES / 1024)
            continue;
        size_t size = pv_receipt_encoded_size(r, fork);
        if (size > biggest) {
            biggest = size;
            sh->big.receipt = i;
        }
    }
    atomic_init(&sh->big.data, NULL);
    atomic_init(&sh->big.ready, 0);
    atomic_init(&sh->big.claimed, false);
    atomic_init(&sh->big.pending, 2);
    /* items 0..127 sort apart in the trie: a piece holding them all hashes them itself */
    size_t first = n / PV_RECEIPTS_SHARE_SLICES > 128 ? n / PV_RECEIPTS_SHARE_SLICES : 128;
    if (first > n)
        first = n;
    sh->nslices = 1;
    sh->s[0].hi = first;
    for (unsigned t = 1; t < PV_RECEIPTS_SHARE_SLICES && first < n; t++) {
        sh->s[t].lo = first + (n - first) * (t - 1) / (PV_RECEIPTS_SHARE_SLICES - 1);
        sh->s[t].hi = first + (n - first) * t / (PV_RECEIPTS_SHARE_SLICES - 1);
        sh->nslices = t + 1;
    }
    atomic_init(&sh->stage, 0);
    atomic_init(&sh->next, 0);
}

/* With the slices' bases and items known (stage 1): where the big receipt goes in the trie and
 * its exact length (its cumulative gas set here, as its encoder will); false if it cannot be
 * streamed (its leaf would be the root). */
static bool stream_plan(pv_receipts_share *sh)
{
    pv_receipt_stream *b = &sh->big;
    unsigned t = 0;
    while (t + 1 < sh->nslices && b->receipt >= sh->s[t].hi)
        t++;
    const pv_receipt_slice *s = &sh->s[t];
    uint64_t cumulative = s->base;
    size_t item = s->first_item;
    for (size_t i = s->lo; i < b->receipt; i++)
        if (sh->res->receipts[i].rejected == PV_TX_VALID) {
            cumulative += sh->res->receipts[i].gas_used;
            item++;
        }
    pv_block_receipt *r = &sh->res->receipts[b->receipt];
    r->cumulative_gas_used = cumulative + r->gas_used;
    b->slice = t;
    b->item = item;
    b->len = pv_receipt_encoded_size(r, sh->fork);
    _Static_assert(sizeof b->prefix == PV_TRIE_LEAF_PREFIX_MAX, "room for a leaf prefix");
    b->prefix_len = pv_ordered_trie_leaf_prefix(s->trie, item, b->len, b->prefix);
    return b->prefix_len != 0;
}

static bool stream_claim(pv_receipt_stream *b)
{
    bool expect = false;
    return !atomic_load_explicit(&b->claimed, memory_order_relaxed) &&
           atomic_compare_exchange_strong(&b->claimed, &expect, true);
}

/* One of the big slice's two parts is done; the last hashes the slice's leaves. */
static void stream_part_done(pv_receipts_share *sh)
{
    pv_receipt_stream *b = &sh->big;
    if (atomic_fetch_sub_explicit(&b->pending, 1, memory_order_acq_rel) != 1)
        return;
    pv_receipt_slice *s = &sh->s[b->slice];
    pv_ordered_trie_set_leaf_hash(s->trie, b->item, b->hash);
    slice_set_leaves(sh->res, s);
}

/* Hashes the big receipt's leaf, following its encoder. */
static void stream_hash(pv_receipts_share *sh)
{
    pv_receipt_stream *b = &sh->big;
    const uint8_t *data;
    for (unsigned i = 0; !(data = atomic_load_explicit(&b->data, memory_order_acquire)); i++)
        pv_pool_relax(i); /* its encoder is on its way: at most the slice's receipts before it */
    pv_keccak256_stream ks;
    pv_keccak256_begin(&ks);
    pv_keccak256_absorb(&ks, b->prefix, b->prefix_len);
    size_t done = 0;
    for (unsigned i = 0; done < b->len;) {
        size_t ready = atomic_load_explicit(&b->ready, memory_order_acquire);
        if (ready > done) {
            pv_keccak256_absorb(&ks, data + done, ready - done);
            done = ready;
            i = 0;
        } else {
            pv_pool_relax(i++);
        }
    }
    pv_keccak256_end(&ks, b->hash);
    stream_part_done(sh);
}

void pv_receipts_share_work(pv_receipts_share *sh)
{
    unsigned expect = 0;
    if (atomic_compare_exchange_strong(&sh->stage, &expect, 1)) {
        size_t item = 0;
        for (unsigned t = 0; t < sh->nslices; t++) {
            pv_receipt_slice_sum(sh->res->receipts, &sh->s[t]);
            sh->s[t].first_item = item;
            item += sh->s[t].included;
        }
        pv_receipt_slices_prefix(sh->res, sh->fork, sh->s, sh->nslices);
        struct pv_ordered_trie *trie = sh->res->receipts_root_known ? pv_ordered_trie_new(item) : NULL;
        for (unsigned t = 0; t < sh->nslices; t++)
            sh->s[t].trie = trie;
        if (sh->big.receipt != SIZE_MAX && !(trie && stream_plan(sh)))
            sh->big.receipt = SIZE_MAX;
        atomic_store_explicit(&sh->stage, 2, memory_order_release);
    } else {
        /* tens of microseconds at most, and a joiner comes after work of its own */
        for (unsigned i = 0; atomic_load_explicit(&sh->stage, memory_order_acquire) != 2; i++)
            pv_pool_relax(i);
    }
    pv_receipt_stream *big = sh->big.receipt != SIZE_MAX ? &sh->big : NULL;
    for (;;) {
        /* the big receipt's hash first, once another thread has its slice (it is the longest) */
        if (big && atomic_load(&sh->next) > big->slice && stream_claim(big)) {
            stream_hash(sh);
            continue;
        }
        unsigned t = atomic_fetch_add(&sh->next, 1);
        if (t >= sh->nslices)
            return;
        if (big && t == big->slice) {
            slice_encode_values(sh->res, sh->fork, &sh->s[t], big);
            if (stream_claim(big)) /* nobody came: hash it here (all of it is written) */
                stream_hash(sh);
            stream_part_done(sh);
        } else {
            pv_receipt_slice_encode(sh->res, sh->fork, &sh->s[t]);
        }
    }
}

void pv_receipts_share_root(pv_receipts_share *sh)
{
    struct pv_ordered_trie *trie = sh->s[0].trie;
    pv_receipt_slices_root(sh->res, sh->s, sh->nslices, 1);
    pv_ordered_trie_free(trie);
}

void pv_block_finish_receipts(pv_block_result *res, pv_fork fork, unsigned threads)
{
    if (threads > 1 && res->receipts_count >= 4096) {
        finish_receipts_mt(res, fork, threads);
        return;
    }

    uint64_t cumulative = 0;
    memset(res->logs_bloom, 0, sizeof res->logs_bloom);
    size_t included = 0;
    for (size_t i = 0; i < res->receipts_count; i++) {
        pv_block_receipt *r = &res->receipts[i];
        if (r->rejected != PV_TX_VALID) {
            r->cumulative_gas_used = cumulative;
            continue;
        }
        cumulative += r->gas_used;
        r->cumulative_gas_used = cumulative;
        bloom_or(res->logs_bloom, r->bloom);
        included++;
    }
    res->gas_used = cumulative;
    res->receipts_root_known = fork >= PV_BYZANTIUM;
    if (!res->receipts_root_known) {
        memset(&res->receipts_root, 0, sizeof res->receipts_root);
        return;
    }
    pv_buf buf;
    pv_buf_init(&buf);
    pv_buf_reserve(&buf, receipts_size_estimate(res->receipts, 0, res->receipts_count));
    size_t *offs = malloc((included + 1) * sizeof *offs);
    if (!offs)
        abort();
    size_t k = 0;
    for (size_t i = 0; i < res->receipts_count; i++) {
        if (res->receipts[i].rejected != PV_TX_VALID)
            continue;
        offs[k++] = buf.len;
        pv_receipt_encode(&res->receipts[i], fork, &buf);
    }
    res->receipts_root = pv_trie_root_ordered_packed(buf.data, buf.len, offs, included, threads);
    pv_buf_free(&buf);
    free(offs);
}

void pv_block_result_free(pv_block_result *r)
{
    for (size_t i = 0; i < r->receipts_count; i++) {
        pv_receipt tmp = {.logs = r->receipts[i].logs, .logs_count = r->receipts[i].logs_count};
        pv_receipt_free(&tmp);
    }
    free(r->receipts);
    pv_state_changes_free(&r->changes);
    memset(r, 0, sizeof *r);
}

void pv_block_execute_on(pv_state *st, const pv_block *b, pv_invalid_tx_policy policy, pv_block_result *out)
{
    memset(out, 0, sizeof *out);
    out->valid = true;
    out->receipts = calloc(b->txs_count ? b->txs_count : 1, sizeof *out->receipts);
    if (!out->receipts)
        abort();
    /* Most transactions touch two accounts (sender, recipient) and a slot or two. */
    pv_state_reserve(st, 2 * b->txs_count + 16, 2 * b->txs_count + 16);
    pv_block_beacon_root_call(st, b);
    uint64_t gas_used = 0;
    for (size_t i = 0; i < b->txs_count; i++) {
        pv_receipt rc;
        pv_tx_error err = pv_transact(st, &b->env, b->fork, &b->txs[i], gas_used, &rc);
        pv_block_receipt *r = &out->receipts[out->receipts_count];
        r->tx_type = b->txs[i].type;
        if (err != PV_TX_VALID) {
            if (policy == PV_INVALID_TX_ABORT) {
                out->valid = false;
                out->invalid_tx = i;
                out->invalid_error = err;
                break;
            }
            r->rejected = err;
            out->receipts_count++;
            continue;
        }
        r->status = rc.status;
        r->gas_used = rc.gas_used;
        r->logs = rc.logs;
        r->logs_count = rc.logs_count;
        r->has_contract_address = b->txs[i].is_create && rc.status == PV_SUCCESS;
        r->contract_address = rc.contract_address;
        gas_used += rc.gas_used;
        out->receipts_count++;
    }
    pv_bloom_add_receipts(out->receipts, out->receipts_count); /* all at once: full batches */
    pv_block_finish_receipts(out, b->fork, 1);
    if (!out->valid)
        return;
    out->uncle_rewards_missing = pv_block_finish_rewards(st, b);
    pv_state_collect_changes(st, &out->changes);
}

void pv_block_execute(pv_state_source *pre, const pv_block *b, pv_invalid_tx_policy policy, pv_block_result *out)
{
    pv_state *st = pv_state_new_from(pre);
    pv_block_execute_on(st, b, policy, out);
    pv_state_free(st);
}

static bool logs_equal(const pv_block_receipt *a, const pv_block_receipt *b)
{
    if (a->logs_count != b->logs_count)
        return false;
    for (size_t i = 0; i < a->logs_count; i++) {
        const pv_log *x = &a->logs[i], *y = &b->logs[i];
        if (!pv_address_eq(&x->address, &y->address) || x->topics_count != y->topics_count ||
            x->data_size != y->data_size ||
            (x->topics_count && memcmp(x->topics, y->topics, x->topics_count * sizeof *x->topics)) ||
            (x->data_size && memcmp(x->data, y->data, x->data_size)))
            return false;
    }
    return true;
}

bool pv_block_results_equal(const pv_block_result *a, const pv_block_result *b, char *why, size_t why_len)
{
    if (a->valid != b->valid || (!a->valid && (a->invalid_tx != b->invalid_tx || a->invalid_error != b->invalid_error))) {
        snprintf(why, why_len, "validity: %s at tx %zu vs %s at tx %zu",
                 a->valid ? "valid" : pv_tx_error_name(a->invalid_error), a->invalid_tx,
                 b->valid ? "valid" : pv_tx_error_name(b->invalid_error), b->invalid_tx);
        return false;
    }
    if (a->receipts_count != b->receipts_count) {
        snprintf(why, why_len, "%zu vs %zu receipts", a->receipts_count, b->receipts_count);
        return false;
    }
    for (size_t i = 0; i < a->receipts_count; i++) {
        const pv_block_receipt *x = &a->receipts[i], *y = &b->receipts[i];
        if (x->rejected != y->rejected || x->status != y->status || x->gas_used != y->gas_used ||
            x->cumulative_gas_used != y->cumulative_gas_used || x->has_contract_address != y->has_contract_address ||
            (x->has_contract_address && !pv_address_eq(&x->contract_address, &y->contract_address))) {
            snprintf(why, why_len, "tx %zu: receipt %s/%s gas %llu vs %s/%s gas %llu", i, pv_tx_error_name(x->rejected),
                     pv_status_name(x->status), (unsigned long long)x->gas_used, pv_tx_error_name(y->rejected),
                     pv_status_name(y->status), (unsigned long long)y->gas_used);
            return false;
        }
        if (!logs_equal(x, y)) {
            snprintf(why, why_len, "tx %zu: logs differ (%zu vs %zu logs)", i, x->logs_count, y->logs_count);
            return false;
        }
    }
    if (a->gas_used != b->gas_used || memcmp(a->logs_bloom, b->logs_bloom, 256) ||
        a->receipts_root_known != b->receipts_root_known || !pv_bytes32_eq(&a->receipts_root, &b->receipts_root)) {
        snprintf(why, why_len, "block gas, bloom or receipts root differ");
        return false;
    }
    if (a->uncle_rewards_missing != b->uncle_rewards_missing) {
        snprintf(why, why_len, "uncle reward flag differs");
        return false;
    }
    char sub[400];
    if (!pv_state_changes_equal(&a->changes, &b->changes, sub, sizeof sub)) {
        snprintf(why, why_len, "state changes: %s", sub);
        return false;
    }
    return true;
}
