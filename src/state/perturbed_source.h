/*
 * A pre-state with some of its values changed, deterministically from a seed: for differential
 * tests of the executors (parallel == sequential) on states that no fixture has. A real block
 * run over it takes other branches, fails other transactions (a sender without the funds, a
 * nonce that no longer matches) and writes other slots, while its code and transactions stay
 * real. `parevm block --compare --perturb SEED` uses it.
 *
 * What changes (each location decides alone, from a hash of the seed and the location, so the
 * answers never depend on the order or the thread of the reads):
 *  - about 1 existing account in 16: its nonce, one up or one down;
 *  - about 1 non-zero balance in 4: to zero, halved k times, raised by 2^k, minus one wei, or a
 *    random 96-bit value;
 *  - about 1 non-zero storage slot in 4: to zero, plus or minus one, shifted down, a small
 *    number, or a random word; and about 1 zero slot in 32 of an account that has storage:
 *    to a small number.
 * Existence, code and the has-storage flag are never changed, so the state stays one that a
 * chain could have (an account with a balance exists; storage appears only where some is).
 * Thread-safe when under is; the source keeps no state beyond its seed.
 */
#ifndef PV_STATE_PERTURBED_SOURCE_H
#define PV_STATE_PERTURBED_SOURCE_H

#include "state.h"

typedef struct pv_perturbed_source {
    pv_state_source base;
    pv_state_source *under;
    uint64_t seed;
} pv_perturbed_source;

/* under must outlive s. Any seed is valid; different seeds give unrelated changes. */
void pv_perturbed_source_init(pv_perturbed_source *s, pv_state_source *under, uint64_t seed);

#endif
