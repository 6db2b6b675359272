/* Hex text <-> bytes, strict: callers get an error, never a guess. */
#ifndef PV_UTIL_HEX_H
#define PV_UTIL_HEX_H

#include "types.h"

/* Decodes hex text (optional "0x" prefix; an odd number of digits is an error; len = number of
 * chars) into a newly malloc'd buffer (*out, *out_len; *out is non-NULL even for zero bytes).
 * Returns false on a non-hex character or odd length; then *out is NULL. */
bool pv_hex_decode_alloc(const char *s, size_t len, uint8_t **out, size_t *out_len);

/* Decodes exactly out_len bytes (optional "0x"); false unless the text has exactly 2*out_len digits. */
bool pv_hex_decode_fixed(const char *s, size_t len, uint8_t *out, size_t out_len);

/* Writes "0x" + 2*len lower-case digits + NUL into out (size >= 2*len+3). Returns out. */
char *pv_hex_encode(const uint8_t *data, size_t len, char *out);

#endif
