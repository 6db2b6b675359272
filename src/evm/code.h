/*
 * Analysed bytecode: the code bytes padded for safe reading past the end, and the bitmap of
 * valid JUMPDEST positions. Deployed code is analysed once per code hash and cached for the
 * life of the process (pv_code_get); initcode is analysed per use (pv_code_new / pv_code_free).
 */
#ifndef PV_EVM_CODE_H
#define PV_EVM_CODE_H

#include "../util/types.h"

typedef struct pv_code {
    const uint8_t *bytes;       /* size bytes, followed by at least 33 zero bytes of padding */
    size_t size;
    pv_bytes32 hash;            /* keccak256 of the code (zero for uncached initcode) */
    const uint64_t *jumpdests;  /* bit i set when position i is a JUMPDEST opcode, not push data */
} pv_code;

/* Returns the cached analysis of code with the given hash, creating it from bytes if absent.
 * Thread-safe. The result lives until pv_code_cache_clear. hash must be keccak256(bytes). */
const pv_code *pv_code_get(const uint8_t *bytes, size_t size, const pv_bytes32 *hash);

/* Analyses code without caching (initcode). Free with pv_code_free. */
pv_code *pv_code_new(const uint8_t *bytes, size_t size);
void pv_code_free(pv_code *c);

/* Whether two code references (NULL: no code) are the same code: one cached analysis per hash,
 * so usually the same pointer. */
static inline bool pv_code_same(const pv_code *a, const pv_code *b)
{
    return a == b || (a && b && pv_bytes32_eq(&a->hash, &b->hash));
}

static inline bool pv_code_is_jumpdest(const pv_code *c, uint64_t pos)
{
    return pos < c->size && ((c->jumpdests[pos >> 6] >> (pos & 63)) & 1);
}

/* Frees every cached analysis. Not thread-safe: call only when no execution is running. */
void pv_code_cache_clear(void);

#endif
