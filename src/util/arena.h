/*
 * Bump allocators for memory that lives exactly as long as one block's execution: allocation is
 * a pointer increment, and everything is released at once by pv_arena_free_all.
 *
 * pv_arena is for one thread. pv_shared_arena may be used by many threads at once (an atomic
 * bump inside the current chunk; a mutex only to add a chunk).
 */
#ifndef PV_UTIL_ARENA_H
#define PV_UTIL_ARENA_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>

typedef struct pv_arena_chunk pv_arena_chunk;

typedef struct pv_arena {
    pv_arena_chunk *head;
    size_t chunk_size;            /* 0 = default (1 MiB) */
} pv_arena;

/* size bytes aligned to 16; aborts on out-of-memory. */
void *pv_arena_alloc(pv_arena *a, size_t size);
void pv_arena_free_all(pv_arena *a);

typedef struct pv_shared_arena {
    pv_arena_chunk *_Atomic head;
    pthread_mutex_t grow;
    size_t chunk_size;
} pv_shared_arena;

void pv_shared_arena_init(pv_shared_arena *a, size_t chunk_size);
void *pv_shared_arena_alloc(pv_shared_arena *a, size_t size);
void pv_shared_arena_destroy(pv_shared_arena *a);

#endif
