/*
 * Montgomery arithmetic modulo an odd prime p on n 64-bit limbs: the one implementation behind
 * every prime field of parevm's own curve code (BN254: n = 4, BLS12-381: n = 6).
 *
 * Each function takes the limb count n as a parameter and is always inlined, so a field module
 * wraps it with a compile-time constant n (e.g. `fp_mul(r,a,b) { pv_mont_mul(r,a,b,P,PINV,4); }`)
 * and the compiler emits fully unrolled, specialised code: one template, no hand copies.
 *
 * Contract:
 *  - Limbs are little-endian (l[0] least significant). n <= PV_MONT_MAX_LIMBS.
 *  - p is odd and its top limb is below 2^63 - 1 (p < 2^(64n-1) with room to spare): this allows
 *    the carry-free CIOS multiplication and additions without a carry limb. Both BN254's and
 *    BLS12-381's base and scalar field moduli qualify.
 *  - pinv = -p^-1 mod 2^64 (pv_mont_pinv computes it).
 *  - Field elements are fully reduced (< p) on input and output of every function. A value
 *    a*R mod p represents a ("Montgomery form", R = 2^(64n)).
 *  - Outputs may alias inputs. Nothing allocates; nothing branches on secret data is NOT promised
 *    (these are public-input precompiles; constant time is not a goal).
 *  - Inversion: pv_mont_pow by p - 2 (Fermat), or the faster pv_mont_inv (binary GCD, below).
 */
#ifndef PV_CRYPTO_MONT_H
#define PV_CRYPTO_MONT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#if defined(__x86_64__)
#include <x86intrin.h>
#endif

#define PV_MONT_MAX_LIMBS 6
#define PV_MONT_INLINE static inline __attribute__((always_inline))

typedef unsigned __int128 pv_u128;

/* -p^-1 mod 2^64 by Newton iteration (each step doubles the correct low bits). */
static inline uint64_t pv_mont_pinv(uint64_t p0)
{
    uint64_t x = p0; /* correct to 3 bits for odd p0 */
    for (int i = 0; i < 6; i++)
        x *= 2 - p0 * x;
    return (uint64_t)0 - x;
}

/* r = a + b - (borrowless) ... helpers on raw limbs. Returns the carry / borrow. */
#if defined(__x86_64__)
/* x86-64: the carry intrinsics compile to adc/sbb chains (GCC makes poor code of the 128-bit
 * sums below). */
PV_MONT_INLINE uint64_t pv_limbs_add(uint64_t *r, const uint64_t *a, const uint64_t *b, int n)
{
    unsigned char c = 0;
    for (int i = 0; i < n; i++) {
        unsigned long long s;
        c = _addcarry_u64(c, a[i], b[i], &s);
        r[i] = s;
    }
    return c;
}

PV_MONT_INLINE uint64_t pv_limbs_sub(uint64_t *r, const uint64_t *a, const uint64_t *b, int n)
{
    unsigned char c = 0;
    for (int i = 0; i < n; i++) {
        unsigned long long d;
        c = _subborrow_u64(c, a[i], b[i], &d);
        r[i] = d;
    }
    return c;
}
#else
PV_MONT_INLINE uint64_t pv_limbs_add(uint64_t *r, const uint64_t *a, const uint64_t *b, int n)
{
    /* __builtin_add_overflow keeps gcc on one add/adc chain (a 128-bit sum does not) */
    uint64_t c = 0;
    for (int i = 0; i < n; i++) {
        uint64_t s;
        uint64_t c1 = __builtin_add_overflow(a[i], b[i], &s);
        uint64_t c2 = __builtin_add_overflow(s, c, &r[i]);
        c = c1 | c2;
    }
    return c;
}

PV_MONT_INLINE uint64_t pv_limbs_sub(uint64_t *r, const uint64_t *a, const uint64_t *b, int n)
{
    uint64_t borrow = 0;
    for (int i = 0; i < n; i++) {
        uint64_t d;
        uint64_t b1 = __builtin_sub_overflow(a[i], b[i], &d);
        uint64_t b2 = __builtin_sub_overflow(d, borrow, &r[i]);
        borrow = b1 | b2;
    }
    return borrow;
}
#endif

/* a >= b as unsigned n-limb integers. */
PV_MONT_INLINE bool pv_limbs_geq(const uint64_t *a, const uint64_t *b, int n)
{
    for (int i = n - 1; i >= 0; i--) {
        if (a[i] != b[i])
            return a[i] > b[i];
    }
    return true;
}

PV_MONT_INLINE bool pv_limbs_is_zero(const uint64_t *a, int n)
{
    uint64_t acc = 0;
    for (int i = 0; i < n; i++)
        acc |= a[i];
    return acc == 0;
}

PV_MONT_INLINE bool pv_limbs_eq(const uint64_t *a, const uint64_t *b, int n)
{
    uint64_t acc = 0;
    for (int i = 0; i < n; i++)
        acc |= a[i] ^ b[i];
    return acc == 0;
}

/* r = a + b mod p. */
PV_MONT_INLINE void pv_mont_add(uint64_t *r, const uint64_t *a, const uint64_t *b, const uint64_t *p, int n)
{
    uint64_t t[PV_MONT_MAX_LIMBS], u[PV_MONT_MAX_LIMBS];
    pv_limbs_add(t, a, b, n); /* no carry out: a + b < 2p < 2^(64n) */
    uint64_t keep = (uint64_t)0 - pv_limbs_sub(u, t, p, n); /* all ones: t < p */
    for (int i = 0; i < n; i++)
        r[i] = (t[i] & keep) | (u[i] & ~keep);
}

/* r = a - b mod p. */
PV_MONT_INLINE void pv_mont_sub(uint64_t *r, const uint64_t *a, const uint64_t *b, const uint64_t *p, int n)
{
    uint64_t t[PV_MONT_MAX_LIMBS], pm[PV_MONT_MAX_LIMBS];
    uint64_t mask = (uint64_t)0 - pv_limbs_sub(t, a, b, n); /* all ones: a < b, add p */
    for (int i = 0; i < n; i++)
        pm[i] = p[i] & mask;
    pv_limbs_add(r, t, pm, n);
}

/* r = -a mod p. */
PV_MONT_INLINE void pv_mont_neg(uint64_t *r, const uint64_t *a, const uint64_t *p, int n)
{
    if (pv_limbs_is_zero(a, n)) {
        for (int i = 0; i < n; i++)
            r[i] = 0;
        return;
    }
    pv_limbs_sub(r, p, a, n);
}

/*
 * r = a * b * R^-1 mod p: CIOS (coarsely integrated operand scanning) without the extra carry
 * limb, valid because p's top limb leaves a spare bit (see the contract above). The accumulator
 * stays below 2p, so one conditional subtraction reduces it.
 */
PV_MONT_INLINE void pv_mont_mul(uint64_t *r, const uint64_t *a, const uint64_t *b, const uint64_t *p,
                                uint64_t pinv, int n)
{
    uint64_t t[PV_MONT_MAX_LIMBS] = {0};
    /* Unrolled completely for the constant n: gcc otherwise keeps the outer loop and spills the
     * accumulator (measured 52 -> 34 ns for n = 6). */
    _Pragma("GCC unroll 8")
    for (int i = 0; i < n; i++) {
        pv_u128 s = (pv_u128)a[0] * b[i] + t[0];
        uint64_t carry_a = (uint64_t)(s >> 64);
        uint64_t t0 = (uint64_t)s;
        uint64_t m = t0 * pinv;
        pv_u128 q = (pv_u128)m * p[0] + t0;
        uint64_t carry_m = (uint64_t)(q >> 64);
        _Pragma("GCC unroll 8")
        for (int j = 1; j < n; j++) {
            s = (pv_u128)a[j] * b[i] + t[j] + carry_a;
            carry_a = (uint64_t)(s >> 64);
            q = (pv_u128)m * p[j] + (uint64_t)s + carry_m;
            carry_m = (uint64_t)(q >> 64);
            t[j - 1] = (uint64_t)q;
        }
        t[n - 1] = carry_a + carry_m;
    }
    uint64_t u[PV_MONT_MAX_LIMBS];
    uint64_t borrow = pv_limbs_sub(u, t, p, n);
    for (int i = 0; i < n; i++)
        r[i] = borrow ? t[i] : u[i];
}

PV_MONT_INLINE void pv_mont_sqr(uint64_t *r, const uint64_t *a, const uint64_t *p, uint64_t pinv, int n)
{
    pv_mont_mul(r, a, a, p, pinv, n);
}

/* r = a^e (Montgomery in, Montgomery out) for an exponent of e_limbs little-endian limbs;
 * one_mont = R mod p. Left-to-right square and multiply; e is public. */
PV_MONT_INLINE void pv_mont_pow(uint64_t *r, const uint64_t *a, const uint64_t *e, int e_limbs,
                                const uint64_t *one_mont, const uint64_t *p, uint64_t pinv, int n)
{
    uint64_t acc[PV_MONT_MAX_LIMBS], base[PV_MONT_MAX_LIMBS];
    memcpy(acc, one_mont, sizeof(uint64_t) * (size_t)n);
    memcpy(base, a, sizeof(uint64_t) * (size_t)n);
    for (int i = e_limbs - 1; i >= 0; i--) {
        for (int bit = 63; bit >= 0; bit--) {
            pv_mont_sqr(acc, acc, p, pinv, n);
            if ((e[i] >> bit) & 1)
                pv_mont_mul(acc, acc, base, p, pinv, n);
        }
    }
    memcpy(r, acc, sizeof(uint64_t) * (size_t)n);
}

/* Conversions: to Montgomery form with r2 = R^2 mod p; from it by multiplying with 1. */
PV_MONT_INLINE void pv_mont_to(uint64_t *r, const uint64_t *a, const uint64_t *r2, const uint64_t *p,
                               uint64_t pinv, int n)
{
    pv_mont_mul(r, a, r2, p, pinv, n);
}

PV_MONT_INLINE void pv_mont_from(uint64_t *r, const uint64_t *a, const uint64_t *p, uint64_t pinv, int n)
{
    uint64_t one[PV_MONT_MAX_LIMBS] = {1};
    pv_mont_mul(r, a, one, p, pinv, n);
}

/* Big-endian bytes (8n of them) <-> limbs. No reduction: callers check a value is below p
 * (pv_limbs_geq) before converting it to Montgomery form, since the EIPs reject such input. */
PV_MONT_INLINE void pv_limbs_from_be(uint64_t *r, const uint8_t *be, int n)
{
    for (int i = 0; i < n; i++) {
        uint64_t v = 0;
        for (int j = 0; j < 8; j++)
            v = v << 8 | be[8 * (n - 1 - i) + j];
        r[i] = v;
    }
}

PV_MONT_INLINE void pv_limbs_to_be(uint8_t *be, const uint64_t *a, int n)
{
    for (int i = 0; i < n; i++)
        for (int j = 0; j < 8; j++)
            be[8 * (n - 1 - i) + j] = (uint8_t)(a[i] >> (56 - 8 * j));
}

/*
 * ---- Inversion: r = a^-1 (Montgomery in, Montgomery out; r = 0 for a = 0) ----
 *
 * Variable-time Bernstein-Yang "safegcd" (ePrint 2019/266): the binary GCD's divsteps
 * (delta, f, g) -> (1 - delta, g, (g - f)/2) if delta > 0 and g odd, else
 * (1 + delta, f, (g + g_odd f)/2), run 62 at a time on the low bits of f and g to a 2x2
 * transition matrix (entries |u| + |v| <= 2^62), which is then applied to the full f, g and to
 * the cofactors d, e (modulo p, dividing by 2^62 exactly by adding a multiple of p). From
 * f = p, g = a, d = 0, e = 1 the invariant f = d a (mod p) holds; g reaches 0 with f = +-1.
 * Numbers use signed 62-bit limbs (n + 1 of them): limbs below the top in [0, 2^62), the top
 * limb signed. d and e stay in (-2p, p). Needs p odd and n <= PV_MONT_MAX_LIMBS; r2 = R^2 mod p
 * converts the plain inverse of aR into Montgomery form (a^-1 R = (aR)^-1 R^2).
 */
#define PV_S62_MASK (((uint64_t)1 << 62) - 1)
#define PV_S62_MAX_LIMBS (PV_MONT_MAX_LIMBS + 1)
typedef __int128 pv_i128;

PV_MONT_INLINE void pv_s62_from_limbs(int64_t *s, const uint64_t *a, int n)
{
    for (int i = 0; i <= n; i++) {
        int bit = 62 * i, w = bit / 64, off = bit % 64;
        uint64_t x = w < n ? a[w] >> off : 0;
        if (off > 2 && w + 1 < n)
            x |= a[w + 1] << (64 - off);
        s[i] = (int64_t)(x & PV_S62_MASK);
    }
}

/* For 0 <= s < 2^(64n) with every limb in [0, 2^62). */
PV_MONT_INLINE void pv_s62_to_limbs(uint64_t *a, const int64_t *s, int n)
{
    for (int i = 0; i < n; i++)
        a[i] = 0;
    for (int i = 0; i <= n; i++) {
        int bit = 62 * i, w = bit / 64, off = bit % 64;
        if (w < n)
            a[w] |= (uint64_t)s[i] << off;
        if (off > 2 && w + 1 < n)
            a[w + 1] |= (uint64_t)s[i] >> (64 - off);
    }
}

/* Carries so that limbs below the top are in [0, 2^62); the sign is then the top limb's. */
PV_MONT_INLINE void pv_s62_normalize(int64_t *s, int n)
{
    for (int i = 0; i < n; i++) {
        s[i + 1] += s[i] >> 62; /* arithmetic shift */
        s[i] = (int64_t)((uint64_t)s[i] & PV_S62_MASK);
    }
}

/* 62 divsteps on the low bits of f and g (f odd) from eta = -delta; returns the new eta and
 * the matrix t = (u, v, q, r) with 2^62 f' = u f + v g and 2^62 g' = q f + r g. */
PV_MONT_INLINE int64_t pv_s62_divsteps(int64_t eta, uint64_t f, uint64_t g, int64_t t[4])
{
    uint64_t u = 1, v = 0, q = 0, r = 1; /* arithmetic mod 2^64; true values fit int64 */
    int i = 62;
    for (;;) {
        /* Halve g over its trailing zeros (at most i): delta grows by one per halving. */
        int zeros = __builtin_ctzll(g | (~(uint64_t)0 << i));
        g >>= zeros;
        u <<= zeros;
        v <<= zeros;
        eta -= zeros;
        i -= zeros;
        if (i == 0)
            break;
        /* g is odd. */
        if (eta < 0) { /* delta > 0: (f, g) = (g, -f), then g + f = g - f_old */
            uint64_t x;
            eta = -eta;
            x = f; f = g; g = (uint64_t)0 - x;
            x = u; u = q; q = (uint64_t)0 - x;
            x = v; v = r; r = (uint64_t)0 - x;
        }
        g += f;
        q += u;
        r += v;
    }
    t[0] = (int64_t)u;
    t[1] = (int64_t)v;
    t[2] = (int64_t)q;
    t[3] = (int64_t)r;
    return eta;
}

/* (f, g) = (u f + v g, q f + r g) / 2^62 (exact), n + 1 limbs. */
PV_MONT_INLINE void pv_s62_update_fg(int64_t *f, int64_t *g, const int64_t t[4], int n)
{
    const int64_t u = t[0], v = t[1], q = t[2], r = t[3];
    pv_i128 cf = (pv_i128)u * f[0] + (pv_i128)v * g[0];
    pv_i128 cg = (pv_i128)q * f[0] + (pv_i128)r * g[0];
    cf >>= 62;
    cg >>= 62;
    for (int i = 1; i <= n; i++) {
        cf += (pv_i128)u * f[i] + (pv_i128)v * g[i];
        cg += (pv_i128)q * f[i] + (pv_i128)r * g[i];
        f[i - 1] = (int64_t)((uint64_t)cf & PV_S62_MASK);
        g[i - 1] = (int64_t)((uint64_t)cg & PV_S62_MASK);
        cf >>= 62;
        cg >>= 62;
    }
    f[n] = (int64_t)cf;
    g[n] = (int64_t)cg;
}

/* (d, e) = (u d + v e, q d + r e) / 2^62 mod p, keeping both in (-2p, p): a negative input
 * counts as itself plus p, and the multiple of p that clears the low 62 bits is taken in
 * (-2^62, 0]. pinv62 = p^-1 mod 2^62. */
PV_MONT_INLINE void pv_s62_update_de(int64_t *d, int64_t *e, const int64_t t[4], const int64_t *p62,
                                     uint64_t pinv62, int n)
{
    const int64_t u = t[0], v = t[1], q = t[2], r = t[3];
    int64_t sd = d[n] >> 63, se = e[n] >> 63;
    int64_t md = (u & sd) + (v & se), me = (q & sd) + (r & se);
    pv_i128 cd = (pv_i128)u * d[0] + (pv_i128)v * e[0];
    pv_i128 ce = (pv_i128)q * d[0] + (pv_i128)r * e[0];
    md -= (int64_t)((pinv62 * (uint64_t)cd + (uint64_t)md) & PV_S62_MASK);
    me -= (int64_t)((pinv62 * (uint64_t)ce + (uint64_t)me) & PV_S62_MASK);
    cd += (pv_i128)p62[0] * md;
    ce += (pv_i128)p62[0] * me;
    cd >>= 62;
    ce >>= 62;
    for (int i = 1; i <= n; i++) {
        cd += (pv_i128)u * d[i] + (pv_i128)v * e[i] + (pv_i128)p62[i] * md;
        ce += (pv_i128)q * d[i] + (pv_i128)r * e[i] + (pv_i128)p62[i] * me;
        d[i - 1] = (int64_t)((uint64_t)cd & PV_S62_MASK);
        e[i - 1] = (int64_t)((uint64_t)ce & PV_S62_MASK);
        cd >>= 62;
        ce >>= 62;
    }
    d[n] = (int64_t)cd;
    e[n] = (int64_t)ce;
}

PV_MONT_INLINE void pv_mont_inv(uint64_t *r, const uint64_t *a, const uint64_t *p, uint64_t pinv,
                                const uint64_t *r2, int n)
{
    if (pv_limbs_is_zero(a, n)) {
        for (int i = 0; i < n; i++)
            r[i] = 0;
        return;
    }
    int64_t f[PV_S62_MAX_LIMBS], g[PV_S62_MAX_LIMBS], d[PV_S62_MAX_LIMBS] = {0},
        e[PV_S62_MAX_LIMBS] = {1}, p62[PV_S62_MAX_LIMBS], t[4];
    pv_s62_from_limbs(p62, p, n);
    pv_s62_from_limbs(f, p, n);
    pv_s62_from_limbs(g, a, n);
    const uint64_t pinv62 = ((uint64_t)0 - pinv) & PV_S62_MASK; /* p^-1 mod 2^62 */
    int64_t eta = -1;
    for (;;) {
        eta = pv_s62_divsteps(eta, (uint64_t)f[0], (uint64_t)g[0], t);
        pv_s62_update_de(d, e, t, p62, pinv62, n);
        pv_s62_update_fg(f, g, t, n);
        int64_t any = 0;
        for (int i = 0; i <= n; i++)
            any |= g[i];
        if (!any)
            break;
    }
    /* f = +-1: a^-1 = sign(f) d, brought into [0, p). */
    if (f[n] < 0) {
        for (int i = 0; i <= n; i++)
            d[i] = -d[i];
        pv_s62_normalize(d, n);
    }
    while (d[n] < 0) {
        for (int i = 0; i <= n; i++)
            d[i] += p62[i];
        pv_s62_normalize(d, n);
    }
    for (;;) {
        int64_t s[PV_S62_MAX_LIMBS];
        for (int i = 0; i <= n; i++)
            s[i] = d[i] - p62[i];
        pv_s62_normalize(s, n);
        if (s[n] < 0)
            break;
        memcpy(d, s, sizeof(int64_t) * (size_t)(n + 1));
    }
    uint64_t inv[PV_MONT_MAX_LIMBS];
    pv_s62_to_limbs(inv, d, n);
    pv_mont_mul(r, inv, r2, p, pinv, n);
    pv_mont_mul(r, r, r2, p, pinv, n);
}

#endif
