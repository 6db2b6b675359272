#include "arena.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

struct pv_arena_chunk {
    pv_arena_chunk *next;
    size_t cap;
    atomic_size_t used;
    _Alignas(16) unsigned char data[];
};

#define DEFAULT_CHUNK ((size_t)1 << 20)
#define RECYCLE_MAX 256 /* default-size chunks kept for the next block: 256 MiB at most */

/* Freed default-size chunks are kept (already paged in) for the next block instead of going
 * back to the system: a block's arenas would otherwise page-fault their way in every time. */
static pthread_mutex_t recycle_lock = PTHREAD_MUTEX_INITIALIZER;
static pv_arena_chunk *recycled;
static unsigned nrecycled;

static pv_arena_chunk *new_chunk(size_t cap, pv_arena_chunk *next)
{
    pv_arena_chunk *c = NULL;
    if (cap == DEFAULT_CHUNK) {
        pthread_mutex_lock(&recycle_lock);
        if (recycled) {
            c = recycled;
            recycled = c->next;
            nrecycled--;
        }
        pthread_mutex_unlock(&recycle_lock);
    }
    if (!c)
        c = aligned_alloc(16, (sizeof *c + cap + 15) & ~(size_t)15);
    if (!c) {
        fputs("parevm: out of memory (arena)\n", stderr);
        abort();
    }
    c->next = next;
    c->cap = cap;
    atomic_init(&c->used, 0);
    return c;
}

static void release_chunk(pv_arena_chunk *c)
{
    if (c->cap == DEFAULT_CHUNK) {
        pthread_mutex_lock(&recycle_lock);
        if (nrecycled < RECYCLE_MAX) {
            c->next = recycled;
            recycled = c;
            nrecycled++;
            c = NULL;
        }
        pthread_mutex_unlock(&recycle_lock);
    }
    free(c);
}

void *pv_arena_alloc(pv_arena *a, size_t size)
{
    size = (size + 15) & ~(size_t)15;
    pv_arena_chunk *c = a->head;
    size_t used = c ? atomic_load_explicit(&c->used, memory_order_relaxed) : 0;
    if (!c || used + size > c->cap) {
        size_t cap = a->chunk_size ? a->chunk_size : DEFAULT_CHUNK;
        if (cap < size)
            cap = size;
        c = a->head = new_chunk(cap, a->head);
        used = 0;
    }
    atomic_store_explicit(&c->used, used + size, memory_order_relaxed);
    return c->data + used;
}

void pv_arena_free_all(pv_arena *a)
{
    while (a->head) {
        pv_arena_chunk *n = a->head->next;
        release_chunk(a->head);
        a->head = n;
    }
}

void pv_shared_arena_init(pv_shared_arena *a, size_t chunk_size)
{
    atomic_init(&a->head, NULL);
    pthread_mutex_init(&a->grow, NULL);
    a->chunk_size = chunk_size ? chunk_size : DEFAULT_CHUNK;
}

void *pv_shared_arena_alloc(pv_shared_arena *a, size_t size)
{
    size = (size + 15) & ~(size_t)15;
    for (;;) {
        pv_arena_chunk *c = atomic_load_explicit(&a->head, memory_order_acquire);
        if (c) {
            size_t at = atomic_fetch_add_explicit(&c->used, size, memory_order_relaxed);
            if (at + size <= c->cap)
                return c->data + at;
        }
        /* Full (or none): one thread adds a chunk; the others retry on it. */
        pthread_mutex_lock(&a->grow);
        if (atomic_load_explicit(&a->head, memory_order_acquire) == c) {
            size_t cap = a->chunk_size < size ? size : a->chunk_size;
            atomic_store_explicit(&a->head, new_chunk(cap, c), memory_order_release);
        }
        pthread_mutex_unlock(&a->grow);
    }
}

void pv_shared_arena_destroy(pv_shared_arena *a)
{
    pv_arena_chunk *c = atomic_load(&a->head);
    while (c) {
        pv_arena_chunk *n = c->next;
        release_chunk(c);
        c = n;
    }
    atomic_store(&a->head, NULL);
    pthread_mutex_destroy(&a->grow);
}
