/* Placeholder until the KZG point evaluation lands: the precompile fails (consumes all gas). */
#include "precompiles.h"

pv_precompile_result pv_pc_point_evaluation(const uint8_t *in, size_t n, int64_t g, pv_fork f)
{
    (void)in; (void)n; (void)g; (void)f;
    return (pv_precompile_result){0};
}
