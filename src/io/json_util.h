/*
 * Field readers shared by the fixture loaders (jansson). Each returns NULL on success or a
 * malloc'd message naming the field and the problem; callers prefix the file name.
 */
#ifndef PV_IO_JSON_UTIL_H
#define PV_IO_JSON_UTIL_H

#include <jansson.h>

#include "../state/state.h"
#include "../util/uint256.h"

/* malloc'd printf; aborts on out-of-memory. */
char *pv_fmt(const char *f, ...) __attribute__((format(printf, 1, 2)));
void *pv_xcalloc(size_t n, size_t size);

/* The string value, or NULL if v is not a string. */
const char *pv_json_str(json_t *v);

/* A number as "0x.." hex, decimal string or non-negative JSON integer. *overflow is set (and
 * *out zeroed) for well-formed numbers above 2^256-1 (fixtures write some as "0x:bigint 0x.."). */
char *pv_json_u256(json_t *v, const char *field, u256 *out, bool *overflow);
/* Same, *overflow also set above 2^64-1. */
char *pv_json_u64(json_t *v, const char *field, uint64_t *out, bool *overflow);
/* Same, but out of range is an error. */
char *pv_json_u64_strict(json_t *v, const char *field, uint64_t *out);
/* Hex bytes of any length into a malloc'd buffer (non-NULL even when empty). */
char *pv_json_bytes(json_t *v, const char *field, uint8_t **out, size_t *len);
/* Exactly n bytes of hex. */
char *pv_json_fixed(json_t *v, const char *field, uint8_t *out, size_t n);

/* Builds a world from a fixture "pre" object {address: {balance, nonce, code, storage}}. */
char *pv_json_load_world(json_t *pre, const char *field, pv_world **out);

#endif
