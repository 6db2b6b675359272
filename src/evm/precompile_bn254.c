/* Placeholder until BN254 lands (issue 3): the precompiles fail (consume all gas) and record
 * that they were needed. */
#include "precompiles.h"

static pv_precompile_result unavailable(void)
{
    pv_precompile_note_unimplemented();
    return (pv_precompile_result){0};
}

pv_precompile_result pv_pc_ecadd(const uint8_t *in, size_t n, int64_t g, pv_fork f) { (void)in; (void)n; (void)g; (void)f; return unavailable(); }
pv_precompile_result pv_pc_ecmul(const uint8_t *in, size_t n, int64_t g, pv_fork f) { (void)in; (void)n; (void)g; (void)f; return unavailable(); }
pv_precompile_result pv_pc_ecpairing(const uint8_t *in, size_t n, int64_t g, pv_fork f) { (void)in; (void)n; (void)g; (void)f; return unavailable(); }
