/* Ethereum hard forks (revisions) in activation order. */
#ifndef PV_EVM_FORK_H
#define PV_EVM_FORK_H

#include <stdbool.h>

typedef enum pv_fork {
    PV_FRONTIER = 0,
    PV_HOMESTEAD,
    PV_TANGERINE_WHISTLE,   /* "EIP150" */
    PV_SPURIOUS_DRAGON,     /* "EIP158" */
    PV_BYZANTIUM,
    PV_CONSTANTINOPLE,
    PV_PETERSBURG,          /* "ConstantinopleFix" */
    PV_ISTANBUL,
    PV_BERLIN,
    PV_LONDON,
    PV_PARIS,               /* "Merge" */
    PV_SHANGHAI,
    PV_CANCUN,
    PV_FORK_COUNT
} pv_fork;

/* Fixture spelling of a fork ("EIP150", "ConstantinopleFix", "Merge" are accepted aliases).
 * Returns false for unknown names. */
bool pv_fork_from_name(const char *name, pv_fork *out);
/* Canonical fixture spelling ("Frontier", ..., "EIP150", "EIP158", "ConstantinopleFix", "Paris"). */
const char *pv_fork_name(pv_fork f);

#endif
