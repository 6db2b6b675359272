/* Point evaluation precompile 0x0a (EIP-4844). */
#include "precompiles.h"

#include <openssl/evp.h>
#include <stdlib.h>

#include "../crypto/kzg.h"

#define POINT_EVALUATION_GAS 50000
#define VERSIONED_HASH_VERSION_KZG 0x01

/* input: versioned_hash (32) | z (32) | y (32) | commitment (48) | proof (48) */
pv_precompile_result pv_pc_point_evaluation(const uint8_t *in, size_t in_len, int64_t gas_limit, pv_fork fork)
{
    (void)fork;
    if (gas_limit < POINT_EVALUATION_GAS || in_len != 192)
        return (pv_precompile_result){0};
    const uint8_t *versioned_hash = in, *z = in + 32, *y = in + 64, *commitment = in + 96, *proof = in + 144;
    /* kzg_to_versioned_hash(commitment) = 0x01 || sha256(commitment)[1:] */
    uint8_t h[EVP_MAX_MD_SIZE];
    unsigned hl = 0;
    if (!EVP_Digest(commitment, 48, h, &hl, EVP_sha256(), NULL) || hl != 32)
        abort();
    h[0] = VERSIONED_HASH_VERSION_KZG;
    if (memcmp(h, versioned_hash, 32) != 0)
        return (pv_precompile_result){0};
    if (!pv_kzg_verify_proof(commitment, z, y, proof))
        return (pv_precompile_result){0};
    /* FIELD_ELEMENTS_PER_BLOB and BLS_MODULUS, each as 32 big-endian bytes */
    uint8_t *out = malloc(64);
    if (!out)
        abort();
    memset(out, 0, 32);
    out[30] = (uint8_t)(PV_KZG_FIELD_ELEMENTS_PER_BLOB >> 8);
    out[31] = (uint8_t)(PV_KZG_FIELD_ELEMENTS_PER_BLOB & 0xff);
    pv_limbs_to_be(out + 32, PV_BLS_R, 4);
    return (pv_precompile_result){true, POINT_EVALUATION_GAS, out, 64};
}
