/*
 * 256-bit unsigned integers on four 64-bit limbs, with every arithmetic the EVM needs.
 *
 * Contract:
 *  - w[0] is the least significant limb. Values are plain unsigned 256-bit integers; the signed
 *    operations (sdiv, smod, slt, sgt, sar, signextend) interpret them as two's complement.
 *  - Every operation is total, with EVM semantics: division or modulo by zero gives 0,
 *    sdiv(-2^255, -1) gives -2^255, shifts by >= 256 give 0 (or all ones for sar of a negative),
 *    byte(i >= 32) gives 0, signextend(b >= 31) returns x unchanged.
 *  - The result pointer may alias any argument. No function allocates.
 * Hot operations are inline; division-class operations and exp live in uint256.c.
 */
#ifndef PV_UTIL_UINT256_H
#define PV_UTIL_UINT256_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct u256 { uint64_t w[4]; } u256;

#define U256_C(x) ((u256){{(uint64_t)(x), 0, 0, 0}})

static inline u256 u256_zero(void) { return (u256){{0, 0, 0, 0}}; }
static inline u256 u256_from_u64(uint64_t x) { return (u256){{x, 0, 0, 0}}; }
static inline bool u256_is_zero(const u256 *a) { return (a->w[0] | a->w[1] | a->w[2] | a->w[3]) == 0; }
/* True when a < 2^64. */
static inline bool u256_fits_u64(const u256 *a) { return (a->w[1] | a->w[2] | a->w[3]) == 0; }
static inline bool u256_eq(const u256 *a, const u256 *b)
{
    return ((a->w[0] ^ b->w[0]) | (a->w[1] ^ b->w[1]) | (a->w[2] ^ b->w[2]) | (a->w[3] ^ b->w[3])) == 0;
}

/* Comparisons (signed ones on two's complement), add, sub, mul, shifts, byte, signextend, the
 * bitwise operations, lengths and big-endian conversion are inline (uint256_inline.h); the
 * rest is in uint256.c. */

/* add, sub, mul: mod 2^256. u256_mul_u64(r, a, b): r = a * b mod 2^256, returning whether the
 * exact product fits in 256 bits (gas times a price: one 64-bit row of the schoolbook product,
 * no division to detect the overflow). */
void u256_div(u256 *r, const u256 *a, const u256 *b);            /* b == 0 -> 0 */
void u256_mod(u256 *r, const u256 *a, const u256 *b);            /* b == 0 -> 0 */
void u256_sdiv(u256 *r, const u256 *a, const u256 *b);
void u256_smod(u256 *r, const u256 *a, const u256 *b);           /* sign of a */
void u256_addmod(u256 *r, const u256 *a, const u256 *b, const u256 *m); /* full 257-bit sum; m == 0 -> 0 */
void u256_mulmod(u256 *r, const u256 *a, const u256 *b, const u256 *m); /* full 512-bit product; m == 0 -> 0 */
void u256_exp(u256 *r, const u256 *base, const u256 *exponent);  /* mod 2^256 */
/* Inline: u256_signextend(r, byte_index, x); u256_shl/shr/sar(r, shift, x); u256_byte(r, index,
 * x) with index 0 the most significant byte; u256_and/or/xor(r, a, b), u256_not(r, a),
 * u256_neg(r, a) (two's complement); u256_bit_length(a), u256_byte_length(a): significant bits
 * and bytes (0 for zero); u256_from_be(r, bytes, len): len bytes as a right-aligned big-endian
 * number (only the low-order 32 if more); u256_to_be(a, out[32]). */

/* Parses "0x..." or decimal text (as in test fixtures), up to 2^256-1. Returns false on empty,
 * non-digit characters or overflow, leaving *r unspecified. len = number of chars. */
bool u256_from_string(u256 *r, const char *s, size_t len);
/* Writes "0x" + minimal lower-case hex ("0x0" for zero) into out (>= 67 bytes); returns length. */
size_t u256_to_hex(const u256 *a, char *out);

#include "uint256_inline.h"

#endif
