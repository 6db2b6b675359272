/* A pre-state with some values changed from a seed (see perturbed_source.h). */
#include "perturbed_source.h"

#include <string.h>

#include "../util/conc_map.h"

enum { KIND_NONCE = 1, KIND_BALANCE = 2, KIND_SLOT = 3 };

/* 64 well-mixed bits for (seed, kind, address, key, round). */
static uint64_t mix(const pv_perturbed_source *s, unsigned kind, const pv_address *a, const u256 *key, unsigned round)
{
    unsigned char buf[8 + 2 + 20 + 32];
    memcpy(buf, &s->seed, 8);
    buf[8] = (unsigned char)kind;
    buf[9] = (unsigned char)round;
    memcpy(buf + 10, a->b, 20);
    if (key)
        memcpy(buf + 30, key->w, 32);
    else
        memset(buf + 30, 0, 32);
    return pv_hash_bytes(buf, sizeof buf);
}

/* v plus or minus one (mod 2^256) */
static void add_one(u256 *v, bool down)
{
    u256 one = u256_from_u64(1);
    if (down)
        u256_sub(v, v, &one);
    else
        u256_add(v, v, &one);
}

static void perturb_basic(const pv_perturbed_source *s, const pv_address *a, pv_account_basic *b)
{
    if (!b->exists)
        return;
    uint64_t h = mix(s, KIND_NONCE, a, NULL, 0);
    if (h % 16)
        return;
    if ((h >> 8) & 1 && b->nonce > 0)
        b->nonce--;
    else if (b->nonce < UINT64_MAX / 2)
        b->nonce++;
}

static void perturb_balance(const pv_perturbed_source *s, const pv_address *a, u256 *v)
{
    if (u256_is_zero(v)) /* an account without a balance may not exist: it stays as it is */
        return;
    uint64_t h = mix(s, KIND_BALANCE, a, NULL, 0);
    if (h % 4)
        return;
    unsigned k = (unsigned)((h >> 16) % 80);
    switch ((h >> 8) % 5) {
    case 0:
        *v = u256_zero();
        break;
    case 1:
        u256_shr_by(v, v, k + 1, 0);
        break;
    case 2: {
        u256 add = u256_zero();
        add.w[k / 64] = 1ULL << (k % 64);
        u256_add(v, v, &add);
        break;
    }
    case 3:
        add_one(v, true);
        break;
    default: {
        uint64_t r = mix(s, KIND_BALANCE, a, NULL, 1);
        *v = u256_zero();
        v->w[0] = r;
        v->w[1] = (h >> 32) | 1; /* never zero */
        break;
    }
    }
}

static void perturb_slot(const pv_perturbed_source *s, const pv_address *a, const u256 *key, u256 *v)
{
    uint64_t h = mix(s, KIND_SLOT, a, key, 0);
    if (u256_is_zero(v)) {
        /* a new non-zero slot only where the account has storage (see the header) */
        if (h % 32)
            return;
        pv_account_basic b;
        s->under->fn->read_basic(s->under, a, &b);
        if (b.exists && b.has_storage)
            *v = u256_from_u64(1 + mix(s, KIND_SLOT, a, key, 5) % 3);
        return;
    }
    if (h % 4)
        return;
    unsigned k = (unsigned)((h >> 16) % 255);
    switch ((h >> 8) % 6) {
    case 0:
        *v = u256_zero();
        break;
    case 1:
    case 2:
        add_one(v, (h >> 8) % 6 == 2);
        break;
    case 3:
        u256_shr_by(v, v, k + 1, 0);
        break;
    case 4:
        *v = u256_from_u64(1 + (h >> 32) % 3);
        break;
    default:
        for (unsigned i = 0; i < 4; i++)
            v->w[i] = mix(s, KIND_SLOT, a, key, 1 + i);
        break;
    }
}

static void p_read_basic(pv_state_source *src, const pv_address *a, pv_account_basic *out)
{
    pv_perturbed_source *s = (pv_perturbed_source *)src;
    s->under->fn->read_basic(s->under, a, out);
    perturb_basic(s, a, out);
}

static u256 p_read_balance(pv_state_source *src, const pv_address *a)
{
    pv_perturbed_source *s = (pv_perturbed_source *)src;
    u256 v = s->under->fn->read_balance(s->under, a);
    perturb_balance(s, a, &v);
    return v;
}

static u256 p_read_storage(pv_state_source *src, const pv_address *a, const u256 *key)
{
    pv_perturbed_source *s = (pv_perturbed_source *)src;
    u256 v = s->under->fn->read_storage(s->under, a, key);
    perturb_slot(s, a, key, &v);
    return v;
}

static const pv_state_source_fn perturbed_fn = {p_read_basic, p_read_balance, p_read_storage, NULL, NULL, NULL};

void pv_perturbed_source_init(pv_perturbed_source *s, pv_state_source *under, uint64_t seed)
{
    memset(s, 0, sizeof *s);
    s->base.fn = &perturbed_fn;
    s->base.lazy_balance = false;
    s->under = under;
    s->seed = seed;
}
