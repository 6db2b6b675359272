/*
 * Bump allocators for memory that lives exactly as long as one block's execution: allocation is
 * a pointer increment, and everything is released at once by pv_arena_free_all.
 *
 * pv_arena is for one thread. pv_shared_arena may be used by many threads at once: each thread
 * bumps inside a chunk of its own (found through a small thread-local cache), so allocation
 * touches no shared cache line and the objects of different threads never share one; a mutex is
 * taken only to link a new chunk.
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
    unsigned long long id;        /* unique per init: keys the threads' chunk caches */
} pv_shared_arena;

void pv_shared_arena_init(pv_shared_arena *a, size_t chunk_size);
void *pv_shared_arena_alloc(pv_shared_arena *a, size_t size);
void pv_shared_arena_destroy(pv_shared_arena *a);
/* Calls fn on every chunk's used bytes [data, data + used) (unspecified order); not concurrent
 * with allocation. Objects of one size, never freed one by one, are walked in memory order. */
void pv_shared_arena_for_each_block(pv_shared_arena *a, void (*fn)(unsigned char *data, size_t used, void *ctx),
                                    void *ctx);

#endif
