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
static atomic_ullong next_arena_id = 1; /* pv_shared_arena ids */

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
    a->id = atomic_fetch_add(&next_arena_id, 1);
}

/* Each thread's current chunk in the last few shared arenas it allocated from. A slot names its
 * arena by id, never reused, so a slot left over from a destroyed arena never matches. */
#define TL_SLOTS 4
static _Thread_local struct {
    unsigned long long id;
    pv_arena_chunk *chunk;
} tl_slot[TL_SLOTS];
static _Thread_local unsigned tl_victim;

/* Links a new chunk of at least size bytes into a (under its mutex) and returns it. */
static pv_arena_chunk *shared_new_chunk(pv_shared_arena *a, size_t size)
{
    size_t cap = a->chunk_size < size ? size : a->chunk_size;
    pthread_mutex_lock(&a->grow);
    pv_arena_chunk *c = new_chunk(cap, atomic_load_explicit(&a->head, memory_order_relaxed));
    atomic_store_explicit(&a->head, c, memory_order_release);
    pthread_mutex_unlock(&a->grow);
    return c;
}

void *pv_shared_arena_alloc(pv_shared_arena *a, size_t size)
{
    size = (size + 15) & ~(size_t)15;
    if (size > a->chunk_size / 4) { /* big: a chunk of its own, so the thread's chunk is not wasted */
        pv_arena_chunk *big = shared_new_chunk(a, size);
        atomic_store_explicit(&big->used, size, memory_order_relaxed);
        return big->data;
    }
    unsigned s = 0;
    while (s < TL_SLOTS && tl_slot[s].id != a->id)
        s++;
    if (s == TL_SLOTS) {
        s = tl_victim++ % TL_SLOTS;
        tl_slot[s].id = a->id;
        tl_slot[s].chunk = NULL;
    }
    pv_arena_chunk *c = tl_slot[s].chunk;
    size_t used = c ? atomic_load_explicit(&c->used, memory_order_relaxed) : 0;
    if (!c || used + size > c->cap) {
        c = tl_slot[s].chunk = shared_new_chunk(a, size);
        used = 0;
    }
    atomic_store_explicit(&c->used, used + size, memory_order_relaxed);
    return c->data + used;
}

void pv_shared_arena_for_each_block(pv_shared_arena *a, void (*fn)(unsigned char *data, size_t used, void *ctx),
                                    void *ctx)
{
    for (pv_arena_chunk *c = atomic_load(&a->head); c; c = c->next)
        fn(c->data, atomic_load_explicit(&c->used, memory_order_relaxed), ctx);
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
