/* Mainnet block fixture loading: JSON-RPC block + pre-state + block hashes. */
#include "block_json.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "../state/trie.h"
#include "../util/hex.h"
#include "../util/keccak.h"
#include "json_util.h"

pv_fork pv_mainnet_fork(int64_t number, int64_t timestamp)
{
    if (timestamp >= 1710338135)
        return PV_CANCUN;
    if (timestamp >= 1681338455)
        return PV_SHANGHAI;
    static const struct {
        int64_t block;
        pv_fork fork;
    } by_number[] = {
        {15537394, PV_PARIS},     {12965000, PV_LONDON},    {12244000, PV_BERLIN},
        {9069000, PV_ISTANBUL},   {7280000, PV_PETERSBURG}, {4370000, PV_BYZANTIUM},
        {2675000, PV_SPURIOUS_DRAGON}, {2463000, PV_TANGERINE_WHISTLE}, {1150000, PV_HOMESTEAD},
    };
    for (size_t i = 0; i < sizeof by_number / sizeof by_number[0]; i++)
        if (number >= by_number[i].block)
            return by_number[i].fork;
    return PV_FRONTIER;
}

bool pv_read_file_maybe_gz(const char *path, uint8_t **data, size_t *len, char **err)
{
    *data = NULL;
    *len = 0;
    FILE *probe = fopen(path, "rb");
    if (!probe) {
        *err = pv_fmt("%s: %s", path, strerror(errno));
        return false;
    }
    fclose(probe);
    gzFile gz = gzopen(path, "rb");
    if (!gz) {
        *err = pv_fmt("%s: cannot open", path);
        return false;
    }
    gzbuffer(gz, 1 << 17);
    size_t cap = 1 << 20, n = 0;
    uint8_t *buf = malloc(cap);
    if (!buf)
        abort();
    for (;;) {
        if (n == cap) {
            cap *= 2;
            buf = realloc(buf, cap);
            if (!buf)
                abort();
        }
        int want = (int)((cap - n) > (1u << 30) ? (1u << 30) : (cap - n));
        int got = gzread(gz, buf + n, (unsigned)want);
        if (got < 0) {
            int code;
            const char *msg = gzerror(gz, &code);
            *err = pv_fmt("%s: cannot decompress: %s", path, msg);
            gzclose_r(gz);
            free(buf);
            return false;
        }
        if (got == 0)
            break;
        n += (size_t)got;
    }
    /* A gzip stream cut short reads as a clean end of file; zlib reports it on close. */
    int code;
    gzerror(gz, &code);
    int rc = gzclose_r(gz);
    if (code == Z_BUF_ERROR || rc == Z_BUF_ERROR) {
        *err = pv_fmt("%s: truncated gzip stream (unexpected end of file)", path);
        free(buf);
        return false;
    }
    if (rc != Z_OK) {
        *err = pv_fmt("%s: cannot read (zlib error %d)", path, rc);
        free(buf);
        return false;
    }
    *data = buf;
    *len = n;
    return true;
}

static pv_bytes32 file_block_hash(void *ctx, int64_t number)
{
    pv_block_file *f = ctx;
    size_t lo = 0, hi = f->hashes_count;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (f->hashes[mid].number < number)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < f->hashes_count && f->hashes[lo].number == number)
        return f->hashes[lo].hash;
    /* The interpreter only asks within the last 256 blocks: a gap here is a fixture gap. */
    atomic_fetch_add(&f->missing_hash_reads, 1);
    pv_bytes32 zero = {{0}};
    return zero;
}

static int cmp_hash_entry(const void *a, const void *b)
{
    int64_t x = ((const pv_block_hash_entry *)a)->number, y = ((const pv_block_hash_entry *)b)->number;
    return (x > y) - (x < y);
}

/* ---- transactions ---- */

static char *load_access_list(json_t *list, const char *field, pv_signed_tx *t)
{
    if (!json_is_array(list))
        return pv_fmt("%s: missing or not an array", field);
    size_t n = json_array_size(list), nkeys = 0;
    for (size_t i = 0; i < n; i++)
        nkeys += json_array_size(json_object_get(json_array_get(list, i), "storageKeys"));
    t->access_owned = pv_xcalloc(n, sizeof *t->access_owned);
    t->keys_owned = pv_xcalloc(nkeys, sizeof *t->keys_owned);
    size_t ki = 0;
    for (size_t i = 0; i < n; i++) {
        json_t *e = json_array_get(list, i);
        char f[256];
        char *err;
        snprintf(f, sizeof f, "%s[%zu].address", field, i);
        if ((err = pv_json_fixed(json_object_get(e, "address"), f, t->access_owned[i].address.b, 20)))
            return err;
        json_t *keys = json_object_get(e, "storageKeys");
        if (!json_is_array(keys))
            return pv_fmt("%s[%zu].storageKeys: missing or not an array", field, i);
        t->access_owned[i].keys = t->keys_owned + ki;
        t->access_owned[i].keys_count = json_array_size(keys);
        for (size_t j = 0; j < json_array_size(keys); j++) {
            uint8_t k[32];
            snprintf(f, sizeof f, "%s[%zu].storageKeys[%zu]", field, i, j);
            if ((err = pv_json_fixed(json_array_get(keys, j), f, k, 32)))
                return err;
            u256_from_be(&t->keys_owned[ki++], k, 32);
        }
    }
    t->tx.access_list = t->access_owned;
    t->tx.access_list_count = n;
    return NULL;
}

static char *u256_field(json_t *o, const char *name, const char *prefix, u256 *out)
{
    char f[128];
    snprintf(f, sizeof f, "%s.%s", prefix, name);
    bool ovf;
    char *e = pv_json_u256(json_object_get(o, name), f, out, &ovf);
    if (!e && ovf)
        e = pv_fmt("%s: out of range", f);
    return e;
}

static char *u64_field(json_t *o, const char *name, const char *prefix, uint64_t *out)
{
    char f[128];
    snprintf(f, sizeof f, "%s.%s", prefix, name);
    return pv_json_u64_strict(json_object_get(o, name), f, out);
}

static char *fixed_field(json_t *o, const char *name, const char *prefix, uint8_t *out, size_t n)
{
    char f[128];
    snprintf(f, sizeof f, "%s.%s", prefix, name);
    return pv_json_fixed(json_object_get(o, name), f, out, n);
}

static char *load_tx(json_t *j, const char *prefix, pv_fork fork, pv_signed_tx *t, pv_address *from)
{
    if (!json_is_object(j))
        return pv_fmt("%s: not an object", prefix);
    char *e;
    uint64_t type;
    if ((e = u64_field(j, "type", prefix, &type)))
        return e;
    if (type > 3)
        return pv_fmt("%s.type: unsupported transaction type %llu", prefix, (unsigned long long)type);
    pv_tx *tx = &t->tx;
    tx->type = (uint8_t)type;
    if ((e = u64_field(j, "nonce", prefix, &tx->nonce)) || (e = u64_field(j, "gas", prefix, &tx->gas_limit)) ||
        (e = u256_field(j, "value", prefix, &tx->value)))
        return e;
    if (type >= 2) {
        if ((e = u256_field(j, "maxFeePerGas", prefix, &tx->max_fee_per_gas)) ||
            (e = u256_field(j, "maxPriorityFeePerGas", prefix, &tx->max_priority_fee_per_gas)))
            return e;
    } else {
        if ((e = u256_field(j, "gasPrice", prefix, &tx->gas_price)))
            return e;
        tx->max_fee_per_gas = tx->max_priority_fee_per_gas = tx->gas_price;
    }
    json_t *to = json_object_get(j, "to");
    if (!to || json_is_null(to)) {
        tx->is_create = true;
    } else if ((e = fixed_field(j, "to", prefix, tx->to.b, 20))) {
        return e;
    }
    char f[128];
    snprintf(f, sizeof f, "%s.input", prefix);
    if ((e = pv_json_bytes(json_object_get(j, "input"), f, &t->data_owned, &tx->data_size)))
        return e;
    tx->data = t->data_owned;
    if (type >= 1) {
        t->has_chain_id = true;
        if ((e = u64_field(j, "chainId", prefix, &t->chain_id)))
            return e;
        snprintf(f, sizeof f, "%s.accessList", prefix);
        if ((e = load_access_list(json_object_get(j, "accessList"), f, t)))
            return e;
    }
    if (type == 3) {
        if ((e = u256_field(j, "maxFeePerBlobGas", prefix, &tx->max_fee_per_blob_gas)))
            return e;
        json_t *bh = json_object_get(j, "blobVersionedHashes");
        if (!json_is_array(bh))
            return pv_fmt("%s.blobVersionedHashes: missing or not an array", prefix);
        size_t n = json_array_size(bh);
        t->blob_hashes_owned = pv_xcalloc(n, sizeof *t->blob_hashes_owned);
        for (size_t i = 0; i < n; i++) {
            snprintf(f, sizeof f, "%s.blobVersionedHashes[%zu]", prefix, i);
            if ((e = pv_json_fixed(json_array_get(bh, i), f, t->blob_hashes_owned[i].b, 32)))
                return e;
        }
        tx->blob_hashes = t->blob_hashes_owned;
        tx->blob_hashes_count = n;
    }
    if ((e = u256_field(j, "v", prefix, &t->v)) || (e = u256_field(j, "r", prefix, &t->r)) ||
        (e = u256_field(j, "s", prefix, &t->s)))
        return e;
    if (type == 0 && u256_fits_u64(&t->v) && t->v.w[0] >= 35) {
        t->has_chain_id = true;
        t->chain_id = (t->v.w[0] - 35) / 2;
    }
    /* The consensus encoding must hash to the given hash: checks every field we read. */
    pv_bytes32 given;
    if ((e = fixed_field(j, "hash", prefix, given.b, 32)))
        return e;
    pv_buf b;
    pv_buf_init(&b);
    pv_tx_encode(t, &b);
    pv_keccak256(b.data, b.len, t->hash.b);
    pv_buf_free(&b);
    if (!pv_bytes32_eq(&given, &t->hash)) {
        char h1[67], h2[67];
        return pv_fmt("%s.hash: %s does not match the transaction's encoding (%s)", prefix,
                      pv_hex_encode(given.b, 32, h1), pv_hex_encode(t->hash.b, 32, h2));
    }
    if ((e = fixed_field(j, "from", prefix, from->b, 20)))
        return e;
    const char *serr = pv_tx_recover_sender(t, fork, 1);
    if (serr)
        return pv_fmt("%s: %s", prefix, serr);
    if (!pv_address_eq(&t->tx.sender, from)) {
        char a1[43], a2[43];
        return pv_fmt("%s.from: %s, but the signature recovers %s", prefix, pv_hex_encode(from->b, 20, a1),
                      pv_hex_encode(t->tx.sender.b, 20, a2));
    }
    return NULL;
}

/* ---- header ---- */

typedef struct header_fields {
    pv_bytes32 parent, ommers, state_root, tx_root, receipts_root, mix_hash, withdrawals_root, beacon_root;
    pv_address miner;
    uint8_t bloom[256], nonce[8];
    u256 difficulty, base_fee;
    uint64_t number, gas_limit, gas_used, timestamp, blob_gas_used, excess_blob_gas;
    uint8_t *extra;
    size_t extra_len;
    bool has_base_fee, has_withdrawals_root, has_blob_gas, has_blob_gas_used, has_beacon_root;
    bool has_tx_root, has_receipts_root, has_bloom, has_gas_used;
    bool complete;        /* every field of the header is present: its hash can be checked */
} header_fields;

/* An optional field: absent leaves *present false; present must be well-formed. */
static char *opt_fixed(json_t *b, const char *name, uint8_t *out, size_t n, bool *present)
{
    *present = json_object_get(b, name) != NULL;
    return *present ? fixed_field(b, name, "block", out, n) : NULL;
}

static char *opt_u64(json_t *b, const char *name, uint64_t *out, bool *present)
{
    *present = json_object_get(b, name) != NULL;
    return *present ? u64_field(b, name, "block", out) : NULL;
}

static char *load_header(json_t *b, header_fields *h)
{
    char *e;
    const char *p = "block";
    /* Needed to execute. */
    if ((e = fixed_field(b, "miner", p, h->miner.b, 20)) || (e = u256_field(b, "difficulty", p, &h->difficulty)) ||
        (e = u64_field(b, "number", p, &h->number)) || (e = u64_field(b, "gasLimit", p, &h->gas_limit)) ||
        (e = u64_field(b, "timestamp", p, &h->timestamp)) || (e = fixed_field(b, "mixHash", p, h->mix_hash.b, 32)))
        return e;
    /* Checked against, or only part of the header hash. */
    bool p1, p2, p3, p4, p5, p6, p7, p8, p9;
    if ((e = opt_fixed(b, "parentHash", h->parent.b, 32, &p1)) || (e = opt_fixed(b, "sha3Uncles", h->ommers.b, 32, &p2)) ||
        (e = opt_fixed(b, "stateRoot", h->state_root.b, 32, &p3)) ||
        (e = opt_fixed(b, "transactionsRoot", h->tx_root.b, 32, &h->has_tx_root)) ||
        (e = opt_fixed(b, "receiptsRoot", h->receipts_root.b, 32, &h->has_receipts_root)) ||
        (e = opt_fixed(b, "logsBloom", h->bloom, 256, &h->has_bloom)) ||
        (e = opt_u64(b, "gasUsed", &h->gas_used, &h->has_gas_used)) || (e = opt_fixed(b, "nonce", h->nonce, 8, &p4)))
        return e;
    p5 = json_object_get(b, "extraData") != NULL;
    if (p5 && (e = pv_json_bytes(json_object_get(b, "extraData"), "block.extraData", &h->extra, &h->extra_len)))
        return e;
    (void)p6, (void)p7, (void)p8, (void)p9;
    h->complete = p1 && p2 && p3 && p4 && p5 && h->has_tx_root && h->has_receipts_root && h->has_bloom && h->has_gas_used;
    if (h->number > INT64_MAX || h->timestamp > INT64_MAX)
        return pv_fmt("block.number/timestamp: out of range");
    if ((h->has_base_fee = json_object_get(b, "baseFeePerGas") != NULL) &&
        (e = u256_field(b, "baseFeePerGas", p, &h->base_fee)))
        return e;
    if ((h->has_withdrawals_root = json_object_get(b, "withdrawalsRoot") != NULL) &&
        (e = fixed_field(b, "withdrawalsRoot", p, h->withdrawals_root.b, 32)))
        return e;
    if ((h->has_blob_gas = json_object_get(b, "excessBlobGas") != NULL) &&
        (e = u64_field(b, "excessBlobGas", p, &h->excess_blob_gas)))
        return e;
    if ((h->has_blob_gas_used = json_object_get(b, "blobGasUsed") != NULL) &&
        (e = u64_field(b, "blobGasUsed", p, &h->blob_gas_used)))
        return e;
    if ((h->has_beacon_root = json_object_get(b, "parentBeaconBlockRoot") != NULL) &&
        (e = fixed_field(b, "parentBeaconBlockRoot", p, h->beacon_root.b, 32)))
        return e;
    return NULL;
}

static pv_bytes32 header_hash(const header_fields *h)
{
    pv_buf b;
    pv_buf_init(&b);
    size_t l = pv_rlp_list_begin(&b);
    pv_rlp_put_bytes(&b, h->parent.b, 32);
    pv_rlp_put_bytes(&b, h->ommers.b, 32);
    pv_rlp_put_bytes(&b, h->miner.b, 20);
    pv_rlp_put_bytes(&b, h->state_root.b, 32);
    pv_rlp_put_bytes(&b, h->tx_root.b, 32);
    pv_rlp_put_bytes(&b, h->receipts_root.b, 32);
    pv_rlp_put_bytes(&b, h->bloom, 256);
    pv_rlp_put_u256(&b, &h->difficulty);
    pv_rlp_put_u64(&b, h->number);
    pv_rlp_put_u64(&b, h->gas_limit);
    pv_rlp_put_u64(&b, h->gas_used);
    pv_rlp_put_u64(&b, h->timestamp);
    pv_rlp_put_bytes(&b, h->extra, h->extra_len);
    pv_rlp_put_bytes(&b, h->mix_hash.b, 32);
    pv_rlp_put_bytes(&b, h->nonce, 8);
    if (h->has_base_fee)
        pv_rlp_put_u256(&b, &h->base_fee);
    if (h->has_withdrawals_root)
        pv_rlp_put_bytes(&b, h->withdrawals_root.b, 32);
    if (h->has_blob_gas) {
        pv_rlp_put_u64(&b, h->blob_gas_used);  /* complete headers have both */
        pv_rlp_put_u64(&b, h->excess_blob_gas);
    }
    if (h->has_beacon_root)
        pv_rlp_put_bytes(&b, h->beacon_root.b, 32);
    pv_rlp_list_end(&b, l);
    pv_bytes32 r;
    pv_keccak256(b.data, b.len, r.b);
    pv_buf_free(&b);
    return r;
}

static pv_bytes32 ordered_root(const pv_buf *all, const size_t *offs, size_t n)
{
    return pv_trie_root_ordered_packed(all->data, all->len, offs, n, 1);
}

static char *load(pv_block_file *f, json_t *root)
{
    if (!json_is_object(root))
        return pv_fmt("top level: not an object");
    json_t *b = json_object_get(root, "block");
    if (!json_is_object(b))
        return pv_fmt("block: missing or not an object");
    header_fields h;
    memset(&h, 0, sizeof h);
    char *e = load_header(b, &h);
    if (e) {
        free(h.extra);
        return e;
    }
    pv_block *blk = &f->block;
    pv_block_env *env = &blk->env;
    blk->fork = pv_mainnet_fork((int64_t)h.number, (int64_t)h.timestamp);
    env->coinbase = h.miner;
    env->number = (int64_t)h.number;
    env->timestamp = (int64_t)h.timestamp;
    env->gas_limit = h.gas_limit;
    env->difficulty = h.difficulty;
    u256_from_be(&env->prev_randao, h.mix_hash.b, 32);
    if (blk->fork < PV_PARIS)
        env->prev_randao = h.difficulty;
    env->base_fee = h.base_fee;
    env->excess_blob_gas = h.excess_blob_gas;
    env->chain_id = u256_from_u64(1);
    env->block_hash = file_block_hash;
    env->block_hash_ctx = f;
    if (blk->fork >= PV_LONDON && !h.has_base_fee)
        e = pv_fmt("block.baseFeePerGas: missing in a %s block", pv_fork_name(blk->fork));
    else if (blk->fork >= PV_CANCUN && (!h.has_blob_gas || !h.has_beacon_root))
        e = pv_fmt("block: excessBlobGas/parentBeaconBlockRoot missing in a Cancun block");
    else if (h.complete && h.has_blob_gas != h.has_blob_gas_used)
        e = pv_fmt("block: blobGasUsed and excessBlobGas must come together");
    blk->has_parent_beacon_root = h.has_beacon_root;
    blk->parent_beacon_root = h.beacon_root;
    pv_bytes32 given_hash;
    f->has_hash = json_object_get(b, "hash") != NULL && h.complete;
    if (!e && json_object_get(b, "hash"))
        e = fixed_field(b, "hash", "block", given_hash.b, 32);
    if (!e && f->has_hash) {
        f->hash = given_hash;
        pv_bytes32 computed = header_hash(&h);
        f->header_hash_ok = pv_bytes32_eq(&given_hash, &computed);
    }
    f->has_gas_used = h.has_gas_used;
    f->has_logs_bloom = h.has_bloom;
    f->has_receipts_root = h.has_receipts_root;
    f->has_transactions_root = h.has_tx_root;
    f->parent_hash = h.parent;
    f->ommers_hash = h.ommers;
    f->state_root = h.state_root;
    f->transactions_root = h.tx_root;
    f->receipts_root = h.receipts_root;
    memcpy(f->logs_bloom, h.bloom, 256);
    f->gas_used = h.gas_used;
    f->has_withdrawals_root = h.has_withdrawals_root;
    f->withdrawals_root = h.withdrawals_root;
    f->has_blob_gas_used = h.has_blob_gas_used;
    f->blob_gas_used = h.blob_gas_used;
    free(h.extra);
    if (e)
        return e;

    /* uncles: only hashes in a JSON-RPC block */
    json_t *uncles = json_object_get(b, "uncles");
    if (uncles && !json_is_array(uncles))
        return pv_fmt("block.uncles: not an array");
    blk->uncles_unknown = json_array_size(uncles);

    /* transactions */
    json_t *txs = json_object_get(b, "transactions");
    if (!json_is_array(txs))
        return pv_fmt("block.transactions: missing or not an array");
    f->txs_count = json_array_size(txs);
    f->stxs = pv_xcalloc(f->txs_count, sizeof *f->stxs);
    f->txs = pv_xcalloc(f->txs_count, sizeof *f->txs);
    pv_buf enc;
    pv_buf_init(&enc);
    size_t *offs = pv_xcalloc(f->txs_count, sizeof *offs);
    for (size_t i = 0; i < f->txs_count; i++) {
        char prefix[64];
        snprintf(prefix, sizeof prefix, "block.transactions[%zu]", i);
        json_t *tj = json_array_get(txs, i);
        if (json_is_string(tj)) {
            e = pv_fmt("%s: a hash only (the file needs full transaction objects)", prefix);
            break;
        }
        pv_address from;
        if ((e = load_tx(tj, prefix, blk->fork, &f->stxs[i], &from)))
            break;
        f->txs[i] = f->stxs[i].tx;
        offs[i] = enc.len;
        pv_tx_encode(&f->stxs[i], &enc);
    }
    if (!e) {
        pv_bytes32 r = ordered_root(&enc, offs, f->txs_count);
        f->transactions_root_ok = pv_bytes32_eq(&r, &f->transactions_root);
    }
    pv_buf_free(&enc);
    free(offs);
    if (e)
        return e;
    blk->txs = f->txs;
    blk->txs_count = f->txs_count;

    /* withdrawals */
    json_t *wds = json_object_get(b, "withdrawals");
    if (wds) {
        if (!json_is_array(wds))
            return pv_fmt("block.withdrawals: not an array");
        size_t n = json_array_size(wds);
        f->withdrawals = pv_xcalloc(n, sizeof *f->withdrawals);
        pv_buf wenc;
        pv_buf_init(&wenc);
        size_t *woffs = pv_xcalloc(n, sizeof *woffs);
        for (size_t i = 0; i < n && !e; i++) {
            char prefix[64];
            snprintf(prefix, sizeof prefix, "block.withdrawals[%zu]", i);
            json_t *w = json_array_get(wds, i);
            pv_withdrawal *wd = &f->withdrawals[i];
            if ((e = u64_field(w, "index", prefix, &wd->index)) ||
                (e = u64_field(w, "validatorIndex", prefix, &wd->validator_index)) ||
                (e = fixed_field(w, "address", prefix, wd->address.b, 20)) ||
                (e = u64_field(w, "amount", prefix, &wd->amount_gwei)))
                break;
            woffs[i] = wenc.len;
            size_t l = pv_rlp_list_begin(&wenc);
            pv_rlp_put_u64(&wenc, wd->index);
            pv_rlp_put_u64(&wenc, wd->validator_index);
            pv_rlp_put_bytes(&wenc, wd->address.b, 20);
            pv_rlp_put_u64(&wenc, wd->amount_gwei);
            pv_rlp_list_end(&wenc, l);
        }
        if (!e) {
            pv_bytes32 r = ordered_root(&wenc, woffs, n);
            f->withdrawals_root_ok = pv_bytes32_eq(&r, &f->withdrawals_root);
        }
        pv_buf_free(&wenc);
        free(woffs);
        if (e)
            return e;
        blk->has_withdrawals = true;
        blk->withdrawals = f->withdrawals;
        blk->withdrawals_count = n;
    } else if (blk->fork >= PV_SHANGHAI) {
        return pv_fmt("block.withdrawals: missing in a %s block", pv_fork_name(blk->fork));
    }

    /* pre-state and block hashes */
    if ((e = pv_json_load_world(json_object_get(root, "pre"), "pre", &f->pre)))
        return e;
    pv_world_seal(f->pre);
    json_t *bh = json_object_get(root, "blockHashes");
    if (bh && !json_is_object(bh))
        return pv_fmt("blockHashes: not an object");
    f->hashes = pv_xcalloc(json_object_size(bh), sizeof *f->hashes);
    const char *k;
    json_t *v;
    json_object_foreach(bh, k, v) {
        char *end;
        errno = 0;
        long long num = strtoll(k, &end, 10);
        if (errno || *end || end == k || num < 0)
            return pv_fmt("blockHashes: key '%.30s' is not a block number", k);
        char fld[64];
        snprintf(fld, sizeof fld, "blockHashes.%s", k);
        pv_block_hash_entry *en = &f->hashes[f->hashes_count++];
        en->number = num;
        if ((e = pv_json_fixed(v, fld, en->hash.b, 32)))
            return e;
    }
    qsort(f->hashes, f->hashes_count, sizeof *f->hashes, cmp_hash_entry);
    json_t *num = json_object_get(root, "number");
    if (num && (!json_is_integer(num) || json_integer_value(num) != env->number))
        return pv_fmt("number: does not match block.number");
    return NULL;
}

pv_block_file *pv_block_file_load(const char *path, char **err)
{
    *err = NULL;
    uint8_t *data;
    size_t len;
    if (!pv_read_file_maybe_gz(path, &data, &len, err))
        return NULL;
    json_error_t je;
    json_t *root = json_loadb((const char *)data, len, 0, &je);
    free(data);
    if (!root) {
        *err = pv_fmt("%s: invalid JSON at line %d, column %d: %s", path, je.line, je.column, je.text);
        return NULL;
    }
    pv_block_file *f = pv_xcalloc(1, sizeof *f);
    f->path = strdup(path);
    char *e = load(f, root);
    json_decref(root);
    if (e) {
        *err = pv_fmt("%s: %s", path, e);
        free(e);
        pv_block_file_free(f);
        return NULL;
    }
    return f;
}

void pv_block_file_free(pv_block_file *f)
{
    if (!f)
        return;
    for (size_t i = 0; i < f->txs_count; i++)
        pv_signed_tx_free(&f->stxs[i]);
    free(f->stxs);
    free(f->txs);
    free(f->withdrawals);
    free(f->hashes);
    pv_world_free(f->pre);
    free(f->path);
    free(f);
}
