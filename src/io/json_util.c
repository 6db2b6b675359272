#include "json_util.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/hex.h"

char *pv_fmt(const char *f, ...)
{
    va_list ap;
    va_start(ap, f);
    char *s = NULL;
    if (vasprintf(&s, f, ap) < 0)
        abort();
    va_end(ap);
    return s;
}

void *pv_xcalloc(size_t n, size_t sz)
{
    void *p = calloc(n ? n : 1, sz);
    if (!p)
        abort();
    return p;
}

const char *pv_json_str(json_t *v) { return json_is_string(v) ? json_string_value(v) : NULL; }

static bool is_hex_number(const char *s)
{
    if (s[0] != '0' || (s[1] != 'x' && s[1] != 'X') || !s[2])
        return false;
    for (const char *p = s + 2; *p; p++)
        if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f') || (*p >= 'A' && *p <= 'F')))
            return false;
    return true;
}

char *pv_json_u256(json_t *v, const char *field, u256 *out, bool *overflow)
{
    *overflow = false;
    if (json_is_integer(v) && json_integer_value(v) >= 0) {
        *out = u256_from_u64((uint64_t)json_integer_value(v));
        return NULL;
    }
    const char *s = pv_json_str(v);
    if (!s)
        return pv_fmt("%s: missing or not a string", field);
    size_t n = strlen(s);
    if (u256_from_string(out, s, n))
        return NULL;
    if (is_hex_number(s) || strncmp(s, "0x:bigint 0x", 12) == 0) {
        *overflow = true;
        *out = u256_zero();
        return NULL;
    }
    return pv_fmt("%s: invalid number '%.40s'", field, s);
}

char *pv_json_u64(json_t *v, const char *field, uint64_t *out, bool *overflow)
{
    u256 x;
    char *e = pv_json_u256(v, field, &x, overflow);
    if (e)
        return e;
    if (!u256_fits_u64(&x))
        *overflow = true;
    *out = x.w[0];
    return NULL;
}

char *pv_json_u64_strict(json_t *v, const char *field, uint64_t *out)
{
    bool ovf;
    char *e = pv_json_u64(v, field, out, &ovf);
    if (!e && ovf)
        e = pv_fmt("%s: out of range", field);
    return e;
}

char *pv_json_bytes(json_t *v, const char *field, uint8_t **out, size_t *len)
{
    const char *s = pv_json_str(v);
    if (!s)
        return pv_fmt("%s: missing or not a string", field);
    if (!pv_hex_decode_alloc(s, strlen(s), out, len))
        return pv_fmt("%s: invalid hex '%.40s'", field, s);
    return NULL;
}

char *pv_json_fixed(json_t *v, const char *field, uint8_t *out, size_t n)
{
    const char *s = pv_json_str(v);
    if (!s)
        return pv_fmt("%s: missing or not a string", field);
    if (!pv_hex_decode_fixed(s, strlen(s), out, n))
        return pv_fmt("%s: expected %zu bytes of hex, got '%.70s'", field, n, s);
    return NULL;
}

char *pv_json_load_world(json_t *pre, const char *field, pv_world **out)
{
    *out = pv_world_new();
    if (!json_is_object(pre))
        return pv_fmt("%s: missing or not an object", field);
    const char *key;
    json_t *acc;
    json_object_foreach(pre, key, acc) {
        pv_address a;
        char f[160];
        snprintf(f, sizeof f, "%s.%s", field, key);
        if (!pv_hex_decode_fixed(key, strlen(key), a.b, 20))
            return pv_fmt("%s: invalid address", f);
        if (!json_is_object(acc))
            return pv_fmt("%s: not an object", f);
        char f2[200];
        u256 bal;
        uint64_t nonce;
        char *e;
        snprintf(f2, sizeof f2, "%s.balance", f);
        bool ovf;
        if ((e = pv_json_u256(json_object_get(acc, "balance"), f2, &bal, &ovf)))
            return e;
        if (ovf)
            return pv_fmt("%s: out of range", f2);
        snprintf(f2, sizeof f2, "%s.nonce", f);
        if ((e = pv_json_u64_strict(json_object_get(acc, "nonce"), f2, &nonce)))
            return e;
        uint8_t *code;
        size_t code_len;
        snprintf(f2, sizeof f2, "%s.code", f);
        if ((e = pv_json_bytes(json_object_get(acc, "code"), f2, &code, &code_len)))
            return e;
        pv_world_put_account(*out, &a, nonce, &bal, code, code_len);
        free(code);
        json_t *storage = json_object_get(acc, "storage");
        if (storage && !json_is_object(storage))
            return pv_fmt("%s.storage: not an object", f);
        const char *sk;
        json_t *sv;
        json_object_foreach(storage, sk, sv) {
            u256 k, v;
            json_t *kj = json_string(sk);
            snprintf(f2, sizeof f2, "%s.storage[%s]", f, sk);
            e = pv_json_u256(kj, f2, &k, &ovf);
            json_decref(kj);
            if (e)
                return e;
            if (ovf || (e = pv_json_u256(sv, f2, &v, &ovf)) || ovf)
                return e ? e : pv_fmt("%s: out of range", f2);
            pv_world_put_storage(*out, &a, &k, &v);
        }
    }
    return NULL;
}
