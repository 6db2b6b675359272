/* RLP (Yellow Paper appendix B): growable buffer, encoders, strict canonical decoder. */
#include "rlp.h"

#include <stdio.h>
#include <stdlib.h>

void pv_buf_init(pv_buf *b) { b->data = NULL; b->len = b->cap = 0; }
void pv_buf_free(pv_buf *b) { free(b->data); pv_buf_init(b); }

static _Noreturn void out_of_memory(size_t bytes)
{
    fprintf(stderr, "parevm: out of memory (growing a buffer to %zu bytes)\n", bytes);
    abort();
}

void pv_buf_reserve(pv_buf *b, size_t extra)
{
    if (extra <= b->cap - b->len)
        return;
    if (extra > SIZE_MAX - b->len)
        out_of_memory(SIZE_MAX);
    size_t need = b->len + extra;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < need)
        cap = cap > SIZE_MAX / 2 ? need : cap * 2;
    uint8_t *p = realloc(b->data, cap);
    if (!p)
        out_of_memory(cap);
    b->data = p;
    b->cap = cap;
}

void pv_buf_append(pv_buf *b, const uint8_t *data, size_t len)
{
    if (!len)
        return;
    pv_buf_reserve(b, len);
    memcpy(b->data + b->len, data, len);
    b->len += len;
}

/* The header for a payload of len bytes with base 0x80 (string) or 0xc0 (list), into h (9 bytes
 * at most); returns its length. */
static size_t header(uint8_t *h, size_t len, uint8_t base) { return (size_t)(pv_rlp_write_header(h, len, base) - h); }

/* The buffer encoders reserve, then use the writers of rlp.h: one encoding of each item. */
void pv_rlp_put_bytes(pv_buf *b, const uint8_t *data, size_t len)
{
    pv_buf_reserve(b, 9 + len); /* the header's 9 bytes at most: no size to compute */
    b->len = (size_t)(pv_rlp_write_bytes(b->data + b->len, data, len) - b->data);
}

void pv_rlp_put_u64(pv_buf *b, uint64_t v)
{
    pv_buf_reserve(b, 9);
    b->len = (size_t)(pv_rlp_write_u64(b->data + b->len, v) - b->data);
}

void pv_rlp_put_u256(pv_buf *b, const u256 *v)
{
    uint8_t be[32];
    for (int i = 0; i < 4; i++)
        for (int j = 0; j < 8; j++)
            be[i * 8 + j] = (uint8_t)(v->w[3 - i] >> (56 - 8 * j));
    size_t skip = 0;
    while (skip < 32 && be[skip] == 0)
        skip++;
    pv_rlp_put_bytes(b, be + skip, 32 - skip);
}

size_t pv_rlp_list_begin(pv_buf *b) { return b->len; }

static size_t header_size(size_t len)
{
    size_t n = 1;
    if (len >= 56)
        for (size_t t = len; t; t >>= 8)
            n++;
    return n;
}

size_t pv_rlp_list_size(size_t payload_len) { return header_size(payload_len) + payload_len; }

size_t pv_rlp_bytes_size(const uint8_t *data, size_t len)
{
    if (len == 1 && data[0] < 0x80)
        return 1;
    return header_size(len) + len;
}

size_t pv_rlp_u64_size(uint64_t v)
{
    if (v < 0x80)
        return 1; /* 0 is 0x80, 1..0x7f themselves */
    size_t n = 0;
    for (uint64_t t = v; t; t >>= 8)
        n++;
    return 1 + n;
}

void pv_rlp_put_list_header(pv_buf *b, size_t payload_len)
{
    pv_buf_reserve(b, 9);
    b->len = (size_t)(pv_rlp_write_header(b->data + b->len, payload_len, 0xc0) - b->data);
}

void pv_rlp_list_end(pv_buf *b, size_t start)
{
    size_t len = b->len - start;
    uint8_t h[9];
    size_t hl = header(h, len, 0xc0);
    pv_buf_reserve(b, hl);
    memmove(b->data + start + hl, b->data + start, len);
    memcpy(b->data + start, h, hl);
    b->len += hl;
}

const char *pv_rlp_status_name(pv_rlp_status s)
{
    switch (s) {
    case PV_RLP_OK: return "ok";
    case PV_RLP_TRUNCATED: return "truncated";
    case PV_RLP_NON_CANONICAL: return "non-canonical encoding";
    case PV_RLP_TRAILING: return "trailing bytes";
    case PV_RLP_TOO_LARGE: return "length too large";
    }
    return "unknown";
}

pv_rlp_status pv_rlp_decode(const uint8_t *in, size_t in_len, pv_rlp_item *item)
{
    if (in_len == 0)
        return PV_RLP_TRUNCATED;
    uint8_t p = in[0];
    if (p < 0x80) {
        item->is_list = false;
        item->payload = in;
        item->payload_len = 1;
        item->total_len = 1;
        return PV_RLP_OK;
    }
    bool is_list = p >= 0xc0;
    uint8_t base = is_list ? 0xc0 : 0x80;
    size_t hl, len;
    if (p - base < 56) {
        hl = 1;
        len = (size_t)(p - base);
    } else {
        size_t n = (size_t)(p - base - 55);
        if (in_len < 1 + n)
            return PV_RLP_TRUNCATED;
        if (in[1] == 0)
            return PV_RLP_NON_CANONICAL;
        if (n > sizeof(size_t))
            return PV_RLP_TOO_LARGE;
        len = 0;
        for (size_t i = 0; i < n; i++)
            len = (len << 8) | in[1 + i];
        if (len < 56)
            return PV_RLP_NON_CANONICAL;
        hl = 1 + n;
    }
    if (len > in_len - hl)
        return PV_RLP_TRUNCATED;
    if (!is_list && len == 1 && hl == 1 && in[1] < 0x80)
        return PV_RLP_NON_CANONICAL;
    item->is_list = is_list;
    item->payload = in + hl;
    item->payload_len = len;
    item->total_len = hl + len;
    return PV_RLP_OK;
}

pv_rlp_status pv_rlp_decode_exact(const uint8_t *in, size_t in_len, pv_rlp_item *item)
{
    pv_rlp_status st = pv_rlp_decode(in, in_len, item);
    if (st == PV_RLP_OK && item->total_len != in_len)
        return PV_RLP_TRAILING;
    return st;
}

pv_rlp_status pv_rlp_list_next(const pv_rlp_item *list, size_t *pos, pv_rlp_item *elem, bool *done)
{
    if (*pos >= list->payload_len) {
        *done = true;
        return PV_RLP_OK;
    }
    *done = false;
    pv_rlp_status st = pv_rlp_decode(list->payload + *pos, list->payload_len - *pos, elem);
    if (st == PV_RLP_OK)
        *pos += elem->total_len;
    return st;
}

bool pv_rlp_get_u64(const pv_rlp_item *item, uint64_t *out)
{
    if (item->is_list || item->payload_len > 8 || (item->payload_len && item->payload[0] == 0))
        return false;
    uint64_t v = 0;
    for (size_t i = 0; i < item->payload_len; i++)
        v = (v << 8) | item->payload[i];
    *out = v;
    return true;
}

bool pv_rlp_get_u256(const pv_rlp_item *item, u256 *out)
{
    if (item->is_list || item->payload_len > 32 || (item->payload_len && item->payload[0] == 0))
        return false;
    u256 v = {{0, 0, 0, 0}};
    for (size_t i = 0; i < item->payload_len; i++) {
        size_t k = item->payload_len - 1 - i;
        v.w[i / 8] |= (uint64_t)item->payload[k] << (8 * (i % 8));
    }
    *out = v;
    return true;
}
