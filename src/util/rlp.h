/*
 * Recursive Length Prefix encoding (Yellow Paper appendix B).
 *
 * Encoding appends to a growable buffer (pv_buf); the only allocation is the buffer's own growth.
 * Decoding is zero-copy: items point into the input. Decoding is strict (canonical RLP only):
 * non-minimal lengths, single bytes < 0x80 encoded as strings, leading zero length bytes and
 * truncated input are errors.
 */
#ifndef PV_UTIL_RLP_H
#define PV_UTIL_RLP_H

#include <string.h>

#include "types.h"
#include "uint256.h"

typedef struct pv_buf {
    uint8_t *data;
    size_t len, cap;
} pv_buf;

void pv_buf_init(pv_buf *b);
void pv_buf_free(pv_buf *b);
void pv_buf_reserve(pv_buf *b, size_t extra);  /* aborts on out-of-memory */
void pv_buf_append(pv_buf *b, const uint8_t *data, size_t len);

/* Encoding. Lists: remember start = pv_rlp_list_begin(b), append items, then pv_rlp_list_end(b, start)
 * which inserts the list header in front of the items. */
void pv_rlp_put_bytes(pv_buf *b, const uint8_t *data, size_t len);
void pv_rlp_put_u64(pv_buf *b, uint64_t v);          /* minimal big-endian, 0 -> 0x80 */
void pv_rlp_put_u256(pv_buf *b, const u256 *v);      /* minimal big-endian, 0 -> 0x80 */
size_t pv_rlp_list_begin(pv_buf *b);
void pv_rlp_list_end(pv_buf *b, size_t start);
/* Encoding with sizes known in advance (no header inserted afterwards, no bytes moved): */
size_t pv_rlp_list_size(size_t payload_len);                  /* header + payload of a list */
size_t pv_rlp_bytes_size(const uint8_t *data, size_t len);    /* of pv_rlp_put_bytes(data, len) */
size_t pv_rlp_u64_size(uint64_t v);                           /* of pv_rlp_put_u64(v) */
void pv_rlp_put_list_header(pv_buf *b, size_t payload_len);   /* then append exactly that much */

/* Writers into bytes the caller has reserved (pv_buf_reserve, sized with the functions above),
 * each returning the end of what it wrote: for encoders of many small items, with no call and no
 * capacity check per item (a receipt of a plain transfer took ~100 ns through pv_rlp_put_*).
 * base is 0x80 for a string's header, 0xc0 for a list's. */
static inline uint8_t *pv_rlp_write_header(uint8_t *p, size_t payload_len, uint8_t base)
{
    if (payload_len < 56) {
        *p = (uint8_t)(base + payload_len);
        return p + 1;
    }
    unsigned n = (unsigned)(64 - __builtin_clzll((unsigned long long)payload_len) + 7) / 8;
    *p = (uint8_t)(base + 55 + n);
    for (unsigned i = n; i >= 1; i--, payload_len >>= 8)
        p[i] = (uint8_t)payload_len;
    return p + 1 + n;
}

static inline uint8_t *pv_rlp_write_bytes(uint8_t *p, const uint8_t *data, size_t len)
{
    if (len == 1 && data[0] < 0x80) {
        *p = data[0];
        return p + 1;
    }
    p = pv_rlp_write_header(p, len, 0x80);
    if (len)
        memcpy(p, data, len);
    return p + len;
}

static inline uint8_t *pv_rlp_write_u64(uint8_t *p, uint64_t v)
{
    if (v < 0x80) {
        *p = v ? (uint8_t)v : 0x80;
        return p + 1;
    }
    unsigned n = (unsigned)(64 - __builtin_clzll(v) + 7) / 8;
    *p = (uint8_t)(0x80 + n);
    for (unsigned i = n; i >= 1; i--, v >>= 8)
        p[i] = (uint8_t)v;
    return p + 1 + n;
}

/* Decoding. */
typedef struct pv_rlp_item {
    bool is_list;
    const uint8_t *payload;   /* the string bytes or the list's concatenated items */
    size_t payload_len;
    size_t total_len;         /* header + payload */
} pv_rlp_item;

typedef enum {
    PV_RLP_OK = 0,
    PV_RLP_TRUNCATED,         /* input ends before the item does */
    PV_RLP_NON_CANONICAL,     /* a valid but non-minimal encoding */
    PV_RLP_TRAILING,          /* bytes after the top-level item (pv_rlp_decode_exact only) */
    PV_RLP_TOO_LARGE,         /* length field does not fit in memory */
} pv_rlp_status;

const char *pv_rlp_status_name(pv_rlp_status s);

/* Decodes one item at the start of in. */
pv_rlp_status pv_rlp_decode(const uint8_t *in, size_t in_len, pv_rlp_item *item);
/* Decodes one item that must span the whole input. */
pv_rlp_status pv_rlp_decode_exact(const uint8_t *in, size_t in_len, pv_rlp_item *item);
/* Iterates a list: *pos starts at 0; returns PV_RLP_OK and the next element, or sets *done at end. */
pv_rlp_status pv_rlp_list_next(const pv_rlp_item *list, size_t *pos, pv_rlp_item *elem, bool *done);
/* Reads a string item as an integer: canonical (no leading zeros), at most 8 / 32 bytes. */
bool pv_rlp_get_u64(const pv_rlp_item *item, uint64_t *out);
bool pv_rlp_get_u256(const pv_rlp_item *item, u256 *out);

#endif
