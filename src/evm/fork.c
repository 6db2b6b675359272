#include "fork.h"

#include <string.h>

static const char *const fork_names[PV_FORK_COUNT] = {
    "Frontier", "Homestead", "EIP150", "EIP158", "Byzantium", "Constantinople",
    "ConstantinopleFix", "Istanbul", "Berlin", "London", "Paris", "Shanghai", "Cancun",
};

bool pv_fork_from_name(const char *name, pv_fork *out)
{
    for (int i = 0; i < PV_FORK_COUNT; i++) {
        if (strcmp(name, fork_names[i]) == 0) {
            *out = (pv_fork)i;
            return true;
        }
    }
    static const struct { const char *alias; pv_fork fork; } aliases[] = {
        {"Merge", PV_PARIS}, {"TangerineWhistle", PV_TANGERINE_WHISTLE},
        {"SpuriousDragon", PV_SPURIOUS_DRAGON}, {"Petersburg", PV_PETERSBURG},
    };
    for (size_t i = 0; i < sizeof aliases / sizeof aliases[0]; i++) {
        if (strcmp(name, aliases[i].alias) == 0) {
            *out = aliases[i].fork;
            return true;
        }
    }
    return false;
}

const char *pv_fork_name(pv_fork f)
{
    return (unsigned)f < PV_FORK_COUNT ? fork_names[f] : "Unknown";
}
