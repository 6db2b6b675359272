#include "secp256k1_recover.h"

#include <pthread.h>
#include <secp256k1.h>
#include <secp256k1_recovery.h>

#include "../util/keccak.h"

static secp256k1_context *ctx;
static pthread_once_t ctx_once = PTHREAD_ONCE_INIT;

static void make_ctx(void)
{
    ctx = secp256k1_context_create(SECP256K1_CONTEXT_SIGN | SECP256K1_CONTEXT_VERIFY);
}

static void address_of(const secp256k1_pubkey *pk, pv_address *out)
{
    uint8_t ser[65];
    size_t len = sizeof ser;
    secp256k1_ec_pubkey_serialize(ctx, ser, &len, pk, SECP256K1_EC_UNCOMPRESSED);
    uint8_t h[32];
    pv_keccak256(ser + 1, 64, h);
    memcpy(out->b, h + 12, 20);
}

bool pv_secp256k1_recover(const uint8_t hash[32], const uint8_t r[32], const uint8_t s[32],
                          int recovery_id, pv_address *out)
{
    pthread_once(&ctx_once, make_ctx);
    if (recovery_id < 0 || recovery_id > 3)
        return false;
    uint8_t sig64[64];
    memcpy(sig64, r, 32);
    memcpy(sig64 + 32, s, 32);
    static const uint8_t zero[32];
    if (memcmp(r, zero, 32) == 0 || memcmp(s, zero, 32) == 0)
        return false;
    secp256k1_ecdsa_recoverable_signature sig;
    if (!secp256k1_ecdsa_recoverable_signature_parse_compact(ctx, &sig, sig64, recovery_id))
        return false;   /* r or s >= n */
    secp256k1_pubkey pk;
    if (!secp256k1_ecdsa_recover(ctx, &pk, &sig, hash))
        return false;
    address_of(&pk, out);
    return true;
}

bool pv_secp256k1_sign_address(const uint8_t secret[32], pv_address *out)
{
    pthread_once(&ctx_once, make_ctx);
    secp256k1_pubkey pk;
    if (!secp256k1_ec_pubkey_create(ctx, &pk, secret))
        return false;
    address_of(&pk, out);
    return true;
}
