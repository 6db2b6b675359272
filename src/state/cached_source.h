/*
 * A thread-safe cache in front of a pre-state source (an application's provider, or a slow
 * disk-like source in benchmarks): each location is read from the underlying source once (or a
 * few times, if threads miss at the same moment) per block, whatever the number of parallel
 * incarnations that read it.
 */
#ifndef PV_STATE_CACHED_SOURCE_H
#define PV_STATE_CACHED_SOURCE_H

#include "state.h"

typedef struct pv_cached_source pv_cached_source;

/* under must be thread-safe and outlive the cache. expected_locations sizes the tables. */
pv_cached_source *pv_cached_source_new(pv_state_source *under, size_t expected_locations);
void pv_cached_source_free(pv_cached_source *c);
pv_state_source *pv_cached_source_base(pv_cached_source *c);

/* A source that waits latency_us microseconds before each read of under (models a database
 * read for the --db-latency-us benchmarks), yielding its CPU to other runnable threads meanwhile.
 * Wrap it in a cache so that only first reads pay. With latency 0 a plain pass-through: a state
 * over it is a state over a source even when under is a world (pv_state_visit needs one), and
 * reads balances eagerly. */
typedef struct pv_slow_source {
    pv_state_source base;
    pv_state_source *under;
    unsigned latency_us;
} pv_slow_source;
void pv_slow_source_init(pv_slow_source *s, pv_state_source *under, unsigned latency_us);

#endif
