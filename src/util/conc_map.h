/*
 * An insert-only concurrent hash map for the lifetime of one block: multi-version memory and
 * the pre-state cache.
 *
 * Design (see docs/ARCHITECTURE.md for why not liburcu's lfht): a fixed array of buckets, each
 * a lock-free singly linked list. A node is published with one compare-and-swap on its bucket's
 * head after its key and value are initialised, and is never removed or moved until the map is
 * freed; so readers need no lock, no epoch and no reference counting, and a pointer to a value
 * stays valid for the map's lifetime. The bucket count is chosen at creation from the expected
 * number of entries (more entries only make chains longer, never wrong).
 *
 * Contract:
 *  - Keys are key_size bytes compared with memcmp; the caller supplies the hash (64 bits).
 *  - Values are value_size bytes, 16-byte aligned, owned by the map.
 *  - pv_cmap_find and pv_cmap_get_or_insert may run concurrently from any threads.
 *  - pv_cmap_for_each and pv_cmap_free must not run concurrently with anything else.
 *  - Out of memory aborts.
 */
#ifndef PV_UTIL_CONC_MAP_H
#define PV_UTIL_CONC_MAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct pv_cmap pv_cmap;

pv_cmap *pv_cmap_new(size_t key_size, size_t value_size, size_t expected_entries);
void pv_cmap_free(pv_cmap *m, void (*destroy)(void *value));

/* The value stored under key, or NULL. */
void *pv_cmap_find(pv_cmap *m, const void *key, uint64_t hash);

/* The value under key; when absent, inserts one initialised by init(value, key, ctx) (zeroed
 * before; init may be NULL) and sets *inserted. Concurrent inserters of one key agree on one
 * value (the others' init results are discarded with destroy-free semantics: init must not
 * acquire resources that need freeing when it can lose, or losers leak them). */
void *pv_cmap_get_or_insert(pv_cmap *m, const void *key, uint64_t hash,
                            void (*init)(void *value, const void *key, void *ctx), void *ctx, bool *inserted);

/* Starts fetching the bucket where key's hash lives (a hint before a lookup soon after). */
void pv_cmap_prefetch(pv_cmap *m, uint64_t hash);

/* Calls fn for every entry (unspecified order). */
void pv_cmap_for_each(pv_cmap *m, void (*fn)(const void *key, void *value, void *ctx), void *ctx);

/* A good 64-bit hash of a byte string (for callers without a cheaper one). */
uint64_t pv_hash_bytes(const void *data, size_t len);

#endif
