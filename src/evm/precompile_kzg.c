/* Placeholder until the KZG point evaluation lands (issue 3): the precompile fails (consumes all
 * gas) and records that it was needed. */
#include "precompiles.h"

pv_precompile_result pv_pc_point_evaluation(const uint8_t *in, size_t n, int64_t g, pv_fork f)
{
    (void)in; (void)n; (void)g; (void)f;
    pv_precompile_note_unimplemented();
    return (pv_precompile_result){0};
}
