/* Transaction encodings, hashes, decoding and sender recovery (EIP-155, 2718, 2930, 1559, 4844). */
#include "tx_codec.h"

#include <stdlib.h>

#include "../crypto/secp256k1_recover.h"
#include "../util/keccak.h"

void pv_signed_tx_free(pv_signed_tx *t)
{
    free(t->data_owned);
    free(t->access_owned);
    free(t->keys_owned);
    free(t->blob_hashes_owned);
    memset(t, 0, sizeof *t);
}

static void put_to(pv_buf *b, const pv_tx *tx)
{
    pv_rlp_put_bytes(b, tx->is_create ? NULL : tx->to.b, tx->is_create ? 0 : 20);
}

static void put_access_list(pv_buf *b, const pv_tx *tx)
{
    size_t l = pv_rlp_list_begin(b);
    for (size_t i = 0; i < tx->access_list_count; i++) {
        const pv_access_entry *e = &tx->access_list[i];
        size_t el = pv_rlp_list_begin(b);
        pv_rlp_put_bytes(b, e->address.b, 20);
        size_t kl = pv_rlp_list_begin(b);
        for (size_t k = 0; k < e->keys_count; k++) {
            uint8_t key[32];
            u256_to_be(&e->keys[k], key);
            pv_rlp_put_bytes(b, key, 32);
        }
        pv_rlp_list_end(b, kl);
        pv_rlp_list_end(b, el);
    }
    pv_rlp_list_end(b, l);
}

/* The fields every type shares after its fee fields: gas, to, value, data (+ access list). */
static void put_body(pv_buf *b, const pv_signed_tx *t, bool signing)
{
    const pv_tx *tx = &t->tx;
    if (tx->type != 0)
        pv_rlp_put_u64(b, t->chain_id);
    pv_rlp_put_u64(b, tx->nonce);
    if (tx->type >= 2) {
        pv_rlp_put_u256(b, &tx->max_priority_fee_per_gas);
        pv_rlp_put_u256(b, &tx->max_fee_per_gas);
    } else {
        pv_rlp_put_u256(b, &tx->gas_price);
    }
    pv_rlp_put_u64(b, tx->gas_limit);
    put_to(b, tx);
    pv_rlp_put_u256(b, &tx->value);
    pv_rlp_put_bytes(b, tx->data, tx->data_size);
    if (tx->type != 0)
        put_access_list(b, tx);
    if (tx->type == 3) {
        pv_rlp_put_u256(b, &tx->max_fee_per_blob_gas);
        size_t l = pv_rlp_list_begin(b);
        for (size_t i = 0; i < tx->blob_hashes_count; i++)
            pv_rlp_put_bytes(b, tx->blob_hashes[i].b, 32);
        pv_rlp_list_end(b, l);
    }
    if (signing) {
        if (tx->type == 0 && t->has_chain_id) {
            pv_rlp_put_u64(b, t->chain_id);
            pv_rlp_put_u64(b, 0);
            pv_rlp_put_u64(b, 0);
        }
        return;
    }
    pv_rlp_put_u256(b, &t->v);
    pv_rlp_put_u256(b, &t->r);
    pv_rlp_put_u256(b, &t->s);
}

static void encode(const pv_signed_tx *t, pv_buf *out, bool signing)
{
    if (t->tx.type != 0) {
        uint8_t ty = t->tx.type;
        pv_buf_append(out, &ty, 1);
    }
    size_t l = pv_rlp_list_begin(out);
    put_body(out, t, signing);
    pv_rlp_list_end(out, l);
}

void pv_tx_encode(const pv_signed_tx *t, pv_buf *out) { encode(t, out, false); }
void pv_tx_encode_signing(const pv_signed_tx *t, pv_buf *out) { encode(t, out, true); }

/* ---- decoding ---- */

typedef struct reader {
    pv_rlp_item list;
    size_t pos;
    const char *err;
} reader;

static bool next(reader *r, pv_rlp_item *it, bool want_list)
{
    bool done = false;
    if (r->err)
        return false;
    if (pv_rlp_list_next(&r->list, &r->pos, it, &done) != PV_RLP_OK || done) {
        r->err = done ? "transaction: too few fields" : "transaction: malformed RLP field";
        return false;
    }
    if (it->is_list != want_list) {
        r->err = want_list ? "transaction: expected a list field" : "transaction: expected a string field";
        return false;
    }
    return true;
}

static void get_u64(reader *r, uint64_t *out, const char *what)
{
    pv_rlp_item it;
    if (next(r, &it, false) && !pv_rlp_get_u64(&it, out))
        r->err = what;
}

static void get_u256(reader *r, u256 *out, const char *what)
{
    pv_rlp_item it;
    if (next(r, &it, false) && !pv_rlp_get_u256(&it, out))
        r->err = what;
}

static const char *decode_access_list(const pv_rlp_item *list, pv_signed_tx *t)
{
    /* First pass: count entries and keys. */
    size_t n = 0, nkeys = 0, pos = 0;
    bool done = false;
    pv_rlp_item e;
    while (pv_rlp_list_next(list, &pos, &e, &done) == PV_RLP_OK && !done) {
        if (!e.is_list)
            return "transaction: access list entry is not a list";
        size_t p2 = 0;
        bool d2 = false;
        pv_rlp_item addr, keys, k;
        if (pv_rlp_list_next(&e, &p2, &addr, &d2) != PV_RLP_OK || d2 || addr.is_list || addr.payload_len != 20)
            return "transaction: access list address must be 20 bytes";
        if (pv_rlp_list_next(&e, &p2, &keys, &d2) != PV_RLP_OK || d2 || !keys.is_list)
            return "transaction: access list storage keys must be a list";
        size_t p3 = 0;
        bool d3 = false;
        while (pv_rlp_list_next(&keys, &p3, &k, &d3) == PV_RLP_OK && !d3) {
            if (k.is_list || k.payload_len != 32)
                return "transaction: access list storage key must be 32 bytes";
            nkeys++;
        }
        if (!d3)
            return "transaction: malformed access list";
        pv_rlp_item extra;
        if (pv_rlp_list_next(&e, &p2, &extra, &d2) != PV_RLP_OK || !d2)
            return "transaction: access list entry has extra fields";
        n++;
    }
    if (!done)
        return "transaction: malformed access list";
    t->access_owned = calloc(n ? n : 1, sizeof *t->access_owned);
    t->keys_owned = calloc(nkeys ? nkeys : 1, sizeof *t->keys_owned);
    if (!t->access_owned || !t->keys_owned)
        abort();
    pos = 0;
    size_t ki = 0;
    for (size_t i = 0; i < n; i++) {
        pv_rlp_list_next(list, &pos, &e, &done);
        size_t p2 = 0;
        bool d2;
        pv_rlp_item addr, keys, k;
        pv_rlp_list_next(&e, &p2, &addr, &d2);
        pv_rlp_list_next(&e, &p2, &keys, &d2);
        memcpy(t->access_owned[i].address.b, addr.payload, 20);
        t->access_owned[i].keys = t->keys_owned + ki;
        size_t p3 = 0;
        bool d3 = false;
        while (pv_rlp_list_next(&keys, &p3, &k, &d3) == PV_RLP_OK && !d3)
            u256_from_be(&t->keys_owned[ki++], k.payload, 32);
        t->access_owned[i].keys_count = (size_t)(t->keys_owned + ki - t->access_owned[i].keys);
    }
    t->tx.access_list = t->access_owned;
    t->tx.access_list_count = n;
    return NULL;
}

const char *pv_tx_decode(const uint8_t *raw, size_t len, pv_signed_tx *out)
{
    memset(out, 0, sizeof *out);
    if (len == 0)
        return "transaction: empty";
    uint8_t type = 0;
    const uint8_t *body = raw;
    size_t body_len = len;
    if (raw[0] < 0xc0) {
        if (raw[0] < 1 || raw[0] > 3)
            return "transaction: unknown type byte";
        type = raw[0];
        body++;
        body_len--;
    }
    reader r = {.pos = 0, .err = NULL};
    if (pv_rlp_decode_exact(body, body_len, &r.list) != PV_RLP_OK || !r.list.is_list)
        return "transaction: not a canonical RLP list";
    pv_signed_tx *t = out;
    pv_tx *tx = &t->tx;
    tx->type = type;
    if (type != 0) {
        t->has_chain_id = true;
        get_u64(&r, &t->chain_id, "transaction: chain id out of range");
    }
    get_u64(&r, &tx->nonce, "transaction: nonce out of range");
    if (type >= 2) {
        get_u256(&r, &tx->max_priority_fee_per_gas, "transaction: maxPriorityFeePerGas malformed");
        get_u256(&r, &tx->max_fee_per_gas, "transaction: maxFeePerGas malformed");
    } else {
        get_u256(&r, &tx->gas_price, "transaction: gasPrice malformed");
        tx->max_fee_per_gas = tx->max_priority_fee_per_gas = tx->gas_price;
    }
    get_u64(&r, &tx->gas_limit, "transaction: gas limit out of range");
    pv_rlp_item it;
    if (next(&r, &it, false)) {
        if (it.payload_len == 0)
            tx->is_create = true;
        else if (it.payload_len == 20)
            memcpy(tx->to.b, it.payload, 20);
        else
            r.err = "transaction: `to` must be empty or 20 bytes";
    }
    get_u256(&r, &tx->value, "transaction: value malformed");
    if (next(&r, &it, false)) {
        t->data_owned = malloc(it.payload_len ? it.payload_len : 1);
        if (!t->data_owned)
            abort();
        memcpy(t->data_owned, it.payload, it.payload_len);
        tx->data = t->data_owned;
        tx->data_size = it.payload_len;
    }
    if (type != 0 && next(&r, &it, true)) {
        const char *e = decode_access_list(&it, t);
        if (e)
            r.err = e;
    }
    if (type == 3) {
        get_u256(&r, &tx->max_fee_per_blob_gas, "transaction: maxFeePerBlobGas malformed");
        if (next(&r, &it, true)) {
            size_t n = 0, pos = 0;
            bool done = false;
            pv_rlp_item h;
            while (pv_rlp_list_next(&it, &pos, &h, &done) == PV_RLP_OK && !done) {
                if (h.is_list || h.payload_len != 32) {
                    r.err = "transaction: blob versioned hash must be 32 bytes";
                    break;
                }
                n++;
            }
            if (!r.err) {
                t->blob_hashes_owned = calloc(n ? n : 1, sizeof(pv_bytes32));
                if (!t->blob_hashes_owned)
                    abort();
                pos = 0;
                for (size_t i = 0; i < n; i++) {
                    pv_rlp_list_next(&it, &pos, &h, &done);
                    memcpy(t->blob_hashes_owned[i].b, h.payload, 32);
                }
                tx->blob_hashes = t->blob_hashes_owned;
                tx->blob_hashes_count = n;
            }
        }
        if (!r.err && tx->is_create)
            r.err = "transaction: a blob transaction must have a `to`";
    }
    get_u256(&r, &t->v, "transaction: v malformed");
    get_u256(&r, &t->r, "transaction: r malformed");
    get_u256(&r, &t->s, "transaction: s malformed");
    if (!r.err) {
        bool done = false;
        pv_rlp_item extra;
        if (pv_rlp_list_next(&r.list, &r.pos, &extra, &done) != PV_RLP_OK || !done)
            r.err = "transaction: too many fields";
    }
    if (!r.err && type == 0) {
        /* Legacy: v = 27/28, or chain_id * 2 + 35/36 (EIP-155). */
        if (!u256_fits_u64(&t->v))
            r.err = "transaction: v out of range";
        else if (t->v.w[0] >= 35) {
            t->has_chain_id = true;
            t->chain_id = (t->v.w[0] - 35) / 2;
        } else if (t->v.w[0] != 27 && t->v.w[0] != 28) {
            r.err = "transaction: legacy v must be 27, 28 or >= 35";
        }
    }
    if (r.err) {
        pv_signed_tx_free(t);
        return r.err;
    }
    pv_keccak256(raw, len, t->hash.b);
    return NULL;
}

/* secp256k1 group order n and n/2. */
static const u256 SECP_N = {{0xbfd25e8cd0364141ULL, 0xbaaedce6af48a03bULL, 0xfffffffffffffffeULL, 0xffffffffffffffffULL}};
static const u256 SECP_HALF_N = {{0xdfe92f46681b20a0ULL, 0x5d576e7357a4501dULL, 0xffffffffffffffffULL, 0x7fffffffffffffffULL}};

const char *pv_tx_recover_sender(pv_signed_tx *t, pv_fork fork, uint64_t expected_chain_id)
{
    int parity;
    if (t->tx.type == 0) {
        if (!u256_fits_u64(&t->v))
            return "signature: v out of range";
        uint64_t v = t->v.w[0];
        if (v == 27 || v == 28) {
            parity = (int)(v - 27);
        } else if (v >= 35) {
            if (fork < PV_SPURIOUS_DRAGON)
                return "signature: EIP-155 v before Spurious Dragon";
            if ((v - 35) / 2 != expected_chain_id)
                return "signature: chain id of v does not match";
            parity = (int)((v - 35) % 2);
        } else {
            return "signature: invalid legacy v";
        }
    } else {
        if (!u256_fits_u64(&t->v) || t->v.w[0] > 1)
            return "signature: y parity must be 0 or 1";
        if (t->chain_id != expected_chain_id)
            return "signature: chain id does not match";
        parity = (int)t->v.w[0];
    }
    if (u256_is_zero(&t->r) || u256_is_zero(&t->s) || !u256_lt(&t->r, &SECP_N) || !u256_lt(&t->s, &SECP_N))
        return "signature: r or s out of range";
    if (fork >= PV_HOMESTEAD && u256_gt(&t->s, &SECP_HALF_N))
        return "signature: s above n/2 (EIP-2)";
    pv_buf b;
    pv_buf_init(&b);
    pv_tx_encode_signing(t, &b);
    uint8_t h[32], r[32], s[32];
    pv_keccak256(b.data, b.len, h);
    pv_buf_free(&b);
    u256_to_be(&t->r, r);
    u256_to_be(&t->s, s);
    if (!pv_secp256k1_recover(h, r, s, parity, &t->tx.sender))
        return "signature: no public key recovers from it";
    return NULL;
}
