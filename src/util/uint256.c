/* 256-bit arithmetic. Division-class operations use Knuth's algorithm D on 64-bit digits. */
#include "uint256.h"

#include <string.h>

#include "types.h"

typedef unsigned __int128 u128;
typedef __int128 i128;









static int sig_words(const uint64_t *w, int n)
{
    while (n > 0 && w[n - 1] == 0)
        n--;
    return n;
}

/* (hi, lo) / d with hi < d (the quotient fits a word): x86's divq, where a 128-bit division in
 * C is a call to __udivmodti4 (a general 128-by-128 division) for every quotient word. */
static inline uint64_t div_2by1(uint64_t hi, uint64_t lo, uint64_t d, uint64_t *rem)
{
#ifdef __x86_64__
    uint64_t q, r;
    __asm__("divq %4" : "=a"(q), "=d"(r) : "a"(lo), "d"(hi), "rm"(d) : "cc");
    *rem = r;
    return q;
#else
    u128 n = ((u128)hi << 64) | lo;
    *rem = (uint64_t)(n % d);
    return (uint64_t)(n / d);
#endif
}

/* Knuth's normalisation: vn = v << s (vlen words, s the leading zeros of v's top word, so that
 * vn's top bit is set), un = u << s (ulen + 1 words, the top one taking the bits shifted out). */
static inline void normalize(uint64_t *vn, const uint64_t *v, int vlen, uint64_t *un, const uint64_t *u, int ulen,
                             int s)
{
    for (int i = vlen - 1; i > 0; i--)
        vn[i] = s ? (v[i] << s) | (v[i - 1] >> (64 - s)) : v[i];
    vn[0] = v[0] << s;
    un[ulen] = s ? u[ulen - 1] >> (64 - s) : 0;
    for (int i = ulen - 1; i > 0; i--)
        un[i] = s ? (u[i] << s) | (u[i - 1] >> (64 - s)) : u[i];
    un[0] = u[0] << s;
}

/* The remainder back from normalize's shift: rem = (un >> s), n words (un has n + 1). */
static inline void denormalize(uint64_t *rem, const uint64_t *un, int n, int s)
{
    for (int i = 0; i < n; i++)
        rem[i] = s ? (un[i] >> s) | (un[i + 1] << (64 - s)) : un[i];
}

/* q (ulen words, may be NULL) = u / v, rem (vlen words, may be NULL) = u % v; v has vlen
 * significant words (vlen >= 1, v[vlen-1] != 0); ulen <= 8. */
static void udivrem(uint64_t *q, uint64_t *rem, const uint64_t *u, int ulen, const uint64_t *v, int vlen)
{
    uint64_t qq[8] = {0};
    if (ulen < vlen) {
        if (rem) {
            memset(rem, 0, (size_t)vlen * 8);
            memcpy(rem, u, (size_t)ulen * 8);
        }
        if (q)
            memset(q, 0, (size_t)ulen * 8);
        return;
    }
    if (vlen == 1) {
        uint64_t d = v[0], r = 0;
        for (int i = ulen - 1; i >= 0; i--) /* r < d throughout */
            qq[i] = div_2by1(r, u[i], d, &r);
        if (q)
            memcpy(q, qq, (size_t)ulen * 8);
        if (rem)
            rem[0] = r;
        return;
    }
    int s = __builtin_clzll(v[vlen - 1]);
    uint64_t vn[4], un[9];
    normalize(vn, v, vlen, un, u, ulen, s);

    for (int j = ulen - vlen; j >= 0; j--) {
        /* un[j + vlen] <= vn[vlen - 1]; when equal the estimate is B (corrected below) */
        const uint64_t u1 = un[j + vlen], u0 = un[j + vlen - 1], dtop = vn[vlen - 1];
        u128 qhat, rhat;
        if (PV_UNLIKELY(u1 >= dtop)) {
            qhat = (u128)1 << 64;
            rhat = u0;
        } else {
            uint64_t r1;
            qhat = div_2by1(u1, u0, dtop, &r1);
            rhat = r1;
        }
        while (qhat >> 64 || qhat * vn[vlen - 2] > ((rhat << 64) | un[j + vlen - 2])) {
            qhat--;
            rhat += vn[vlen - 1];
            if (rhat >> 64)
                break;
        }
        /* un[j .. j+vlen] -= q * vn, q < 2^64 after the correction: a carry word for the
         * products and a borrow bit for the subtraction (the signed 128-bit form kept both in
         * memory) */
        const uint64_t qw = (uint64_t)qhat;
        uint64_t mul_carry = 0;
        unsigned char borrow = 0;
        for (int i = 0; i < vlen; i++) {
            u128 p = (u128)qw * vn[i] + mul_carry;
            mul_carry = (uint64_t)(p >> 64);
            borrow = u64_sub_borrow(borrow, un[i + j], (uint64_t)p, &un[i + j]);
        }
        unsigned char b1 = u64_sub_borrow(0, un[j + vlen], mul_carry, &un[j + vlen]);
        unsigned char negative = u64_sub_borrow(borrow, un[j + vlen], 0, &un[j + vlen]) | b1;
        qq[j] = qw;
        if (PV_UNLIKELY(negative)) { /* q was one too many (rare): add vn back */
            qq[j]--;
            unsigned char c = 0;
            for (int i = 0; i < vlen; i++)
                c = u64_add_carry(c, un[i + j], vn[i], &un[i + j]);
            un[j + vlen] += c;
        }
    }
    if (q)
        memcpy(q, qq, (size_t)ulen * 8);
    if (rem)
        denormalize(rem, un, vlen, s);
}

/*
 * Remainders by a divisor of four significant words (MULMOD and ADDMOD by a 256-bit field
 * prime: weierstrudel spent 60% of its time in udivrem). Knuth's algorithm D, with each quotient
 * digit from the top three words of the remainder divided by the top two of the divisor, by
 * multiplication with a reciprocal (Moller and Granlund, "Improved division by invariant
 * integers", IEEE Trans. Computers 2011, algorithms 5 and 6) instead of a divq and a correction
 * loop; the digit is then exact or one too large, as with Knuth's test.
 */

/* floor((2^128 - 1) / d) - 2^64 for d with its top bit set. */
static inline uint64_t reciprocal_2by1(uint64_t d)
{
    uint64_t r;
    return div_2by1(~d, ~(uint64_t)0, d, &r); /* ~d < d: the quotient fits a word */
}

/* The reciprocal of <d1, d0> (d1's top bit set): floor((2^192 - 1) / <d1, d0>) - 2^64. */
static uint64_t reciprocal_3by2(uint64_t d1, uint64_t d0)
{
    uint64_t v = reciprocal_2by1(d1);
    uint64_t p = d1 * v + d0;
    if (p < d0) { /* the addition carried */
        v--;
        if (p >= d1) {
            v--;
            p -= d1;
        }
        p -= d1;
    }
    u128 t = (u128)v * d0;
    uint64_t t1 = (uint64_t)(t >> 64), t0 = (uint64_t)t;
    p += t1;
    if (p < t1) {
        v--;
        if (p > d1 || (p == d1 && t0 >= d0))
            v--;
    }
    return v;
}

/* <u2, u1, u0> / <d1, d0> with <u2, u1> < <d1, d0> and v = reciprocal_3by2(d1, d0): the
 * quotient (a word), and the remainder in *r. */
static inline uint64_t div_3by2(uint64_t u2, uint64_t u1, uint64_t u0, uint64_t d1, uint64_t d0, uint64_t v,
                                u128 *r)
{
    u128 q = (u128)v * u2 + (((u128)u2 << 64) | u1);
    uint64_t q1 = (uint64_t)(q >> 64), q0 = (uint64_t)q;
    uint64_t r1 = u1 - q1 * d1;
    const u128 d = ((u128)d1 << 64) | d0;
    u128 rem = (((u128)r1 << 64) | u0) - (u128)d0 * q1 - d;
    q1++;
    if ((uint64_t)(rem >> 64) >= q0) {
        q1--;
        rem += d;
    }
    if (PV_UNLIKELY(rem >= d)) {
        q1++;
        rem -= d;
    }
    *r = rem;
    return q1;
}

/* rem = u % v, u of ulen words (4 <= ulen <= 8), v of four with v[3] != 0. */
static void urem_by4(uint64_t rem[4], const uint64_t *u, int ulen, const uint64_t v[4])
{
    /* the last normalised divisor's reciprocal, per thread: a program reduces by one or two
     * moduli over and over */
    static _Thread_local uint64_t cached_d1, cached_d0, cached_v;
    const int s = __builtin_clzll(v[3]);
    uint64_t d[4], un[9];
    normalize(d, v, 4, un, u, ulen, s);
    uint64_t recip;
    if (cached_d1 == d[3] && cached_d0 == d[2] && cached_d1) {
        recip = cached_v;
    } else {
        recip = reciprocal_3by2(d[3], d[2]);
        cached_d1 = d[3];
        cached_d0 = d[2];
        cached_v = recip;
    }
    for (int j = ulen - 4; j >= 0; j--) {
        uint64_t *w = un + j; /* w[0..4]: the remainder's top five words; w[4]:w[3] <= d[3]:d[2] */
        if (PV_UNLIKELY(w[4] == d[3] && w[3] == d[2])) {
            /* the digit is 2^64 - 1: w -= (2^64 - 1) * d = w - (d << 64) + d, which is below d,
             * so four words mod 2^256 hold it (w[4] and d[3] cancel) */
            unsigned char b = u64_sub_borrow(0, w[1], d[0], &w[1]);
            b = u64_sub_borrow(b, w[2], d[1], &w[2]);
            u64_sub_borrow(b, w[3], d[2], &w[3]);
            unsigned char c = u64_add_carry(0, w[0], d[0], &w[0]);
            c = u64_add_carry(c, w[1], d[1], &w[1]);
            c = u64_add_carry(c, w[2], d[2], &w[2]);
            u64_add_carry(c, w[3], d[3], &w[3]);
            w[4] = 0;
            continue;
        }
        u128 r;
        uint64_t q = div_3by2(w[4], w[3], w[2], d[3], d[2], recip, &r);
        /* <r, w[1], w[0]> -= q * <d[1], d[0]> */
        u128 p0 = (u128)q * d[0];
        u128 p1 = (u128)q * d[1] + (uint64_t)(p0 >> 64);
        uint64_t r1 = (uint64_t)(r >> 64), r0 = (uint64_t)r;
        unsigned char b = u64_sub_borrow(0, w[0], (uint64_t)p0, &w[0]);
        b = u64_sub_borrow(b, w[1], (uint64_t)p1, &w[1]);
        b = u64_sub_borrow(b, r0, (uint64_t)(p1 >> 64), &r0);
        b = u64_sub_borrow(b, r1, 0, &r1);
        if (PV_UNLIKELY(b)) { /* the digit was one too large: add the divisor back */
            unsigned char c = u64_add_carry(0, w[0], d[0], &w[0]);
            c = u64_add_carry(c, w[1], d[1], &w[1]);
            c = u64_add_carry(c, r0, d[2], &r0);
            u64_add_carry(c, r1, d[3], &r1);
        }
        w[2] = r0;
        w[3] = r1;
        w[4] = 0;
    }
    denormalize(rem, un, 4, s);
}

static void divmod(u256 *q, u256 *r, const u256 *a, const u256 *b)
{
    int vlen = sig_words(b->w, 4);
    u256 qq = u256_zero(), rr = u256_zero();
    if (vlen == 0) {
        if (q) *q = qq;
        if (r) *r = rr;
        return;
    }
    int ulen = sig_words(a->w, 4);
    if (ulen == 0) {
        if (q) *q = qq;
        if (r) *r = rr;
        return;
    }
    if (ulen == 1 && vlen == 1) {
        qq.w[0] = a->w[0] / b->w[0];
        rr.w[0] = a->w[0] % b->w[0];
    } else {
        udivrem(qq.w, rr.w, a->w, ulen, b->w, vlen);
    }
    if (q) *q = qq;
    if (r) *r = rr;
}

void u256_div(u256 *r, const u256 *a, const u256 *b) { divmod(r, NULL, a, b); }
void u256_mod(u256 *r, const u256 *a, const u256 *b) { divmod(NULL, r, a, b); }


static bool is_neg(const u256 *a) { return a->w[3] >> 63; }

void u256_sdiv(u256 *r, const u256 *a, const u256 *b)
{
    u256 x = *a, y = *b;
    bool nx = is_neg(&x), ny = is_neg(&y);
    if (nx) u256_neg(&x, &x);
    if (ny) u256_neg(&y, &y);
    u256 q;
    divmod(&q, NULL, &x, &y);
    if (nx != ny) u256_neg(&q, &q);
    *r = q;
}

void u256_smod(u256 *r, const u256 *a, const u256 *b)
{
    u256 x = *a, y = *b;
    bool nx = is_neg(&x);
    if (nx) u256_neg(&x, &x);
    if (is_neg(&y)) u256_neg(&y, &y);
    u256 m;
    divmod(NULL, &m, &x, &y);
    if (nx) u256_neg(&m, &m);
    *r = m;
}

void u256_addmod(u256 *r, const u256 *a, const u256 *b, const u256 *m)
{
    int vlen = sig_words(m->w, 4);
    if (vlen == 0) {
        *r = u256_zero();
        return;
    }
    uint64_t s[5];
    u128 c = 0;
    for (int i = 0; i < 4; i++) {
        c += (u128)a->w[i] + b->w[i];
        s[i] = (uint64_t)c;
        c >>= 64;
    }
    s[4] = (uint64_t)c;
    int ulen = sig_words(s, 5);
    u256 out = u256_zero();
    if (vlen == 4 && ulen >= 4)
        urem_by4(out.w, s, ulen, m->w);
    else if (ulen)
        udivrem(NULL, out.w, s, ulen, m->w, vlen);
    *r = out;
}

void u256_mulmod(u256 *r, const u256 *a, const u256 *b, const u256 *m)
{
    int vlen = sig_words(m->w, 4);
    if (vlen == 0) {
        *r = u256_zero();
        return;
    }
    uint64_t p[8] = {0};
    for (int i = 0; i < 4; i++) {
        uint64_t carry = 0;
        for (int j = 0; j < 4; j++) {
            u128 t = (u128)a->w[i] * b->w[j] + p[i + j] + carry;
            p[i + j] = (uint64_t)t;
            carry = (uint64_t)(t >> 64);
        }
        p[i + 4] = carry;
    }
    int ulen = sig_words(p, 8);
    u256 out = u256_zero();
    if (vlen == 4 && ulen >= 4)
        urem_by4(out.w, p, ulen, m->w);
    else if (ulen)
        udivrem(NULL, out.w, p, ulen, m->w, vlen);
    *r = out;
}

void u256_exp(u256 *r, const u256 *base, const u256 *exponent)
{
    /* A power-of-two base (old Solidity's EXP(0x100, n) byte shifts, 2**n masks) is a shift:
     * (2^p)^e = 2^(p*e), zero once p*e reaches 256. */
    unsigned pop = (unsigned)(__builtin_popcountll(base->w[0]) + __builtin_popcountll(base->w[1]) +
                              __builtin_popcountll(base->w[2]) + __builtin_popcountll(base->w[3]));
    if (pop == 1) {
        unsigned p = u256_bit_length(base) - 1;
        if (p == 0) {
            *r = u256_from_u64(1);
            return;
        }
        if (exponent->w[1] | exponent->w[2] | exponent->w[3] || exponent->w[0] >= 256) {
            *r = u256_zero();
            return;
        }
        uint64_t shift = p * exponent->w[0];
        *r = u256_zero();
        if (shift < 256)
            r->w[shift / 64] = 1ULL << (shift % 64);
        return;
    }
    u256 result = u256_from_u64(1), b = *base, e = *exponent;
    unsigned bits = u256_bit_length(&e);
    for (unsigned i = 0; i < bits; i++) {
        if ((e.w[i / 64] >> (i % 64)) & 1)
            u256_mul(&result, &result, &b);
        if (i + 1 < bits)
            u256_mul(&b, &b, &b);
    }
    *r = result;
}











void u256_from_be_any(u256 *r, const uint8_t *bytes, size_t len)
{
    uint8_t buf[32] = {0};
    if (len > 32) {   /* keep the low-order 32 bytes */
        bytes += len - 32;
        len = 32;
    }
    if (len)
        memcpy(buf + 32 - len, bytes, len);
    for (int i = 0; i < 4; i++) {
        uint64_t x;
        memcpy(&x, buf + 8 * (3 - i), 8);
        r->w[i] = __builtin_bswap64(x);
    }
}


static int hexval(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

bool u256_from_string(u256 *r, const char *s, size_t len)
{
    u256 v = u256_zero();
    if (len >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        s += 2;
        len -= 2;
        if (len == 0)
            return false;
        while (len > 1 && *s == '0') {
            s++;
            len--;
        }
        if (len > 64)
            return false;
        for (size_t i = 0; i < len; i++) {
            int d = hexval(s[i]);
            if (d < 0)
                return false;
            size_t bitpos = 4 * (len - 1 - i);
            v.w[bitpos / 64] |= (uint64_t)d << (bitpos % 64);
        }
        *r = v;
        return true;
    }
    if (len == 0)
        return false;
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        /* v = v * 10 + d, detecting overflow */
        u128 c = (u128)(s[i] - '0');
        for (int k = 0; k < 4; k++) {
            c += (u128)v.w[k] * 10;
            v.w[k] = (uint64_t)c;
            c >>= 64;
        }
        if (c)
            return false;
    }
    *r = v;
    return true;
}

size_t u256_to_hex(const u256 *a, char *out)
{
    static const char digits[] = "0123456789abcdef";
    unsigned bits = u256_bit_length(a);
    unsigned n = bits ? (bits + 3) / 4 : 1;
    out[0] = '0';
    out[1] = 'x';
    for (unsigned i = 0; i < n; i++) {
        unsigned pos = 4 * (n - 1 - i);
        out[2 + i] = digits[(a->w[pos / 64] >> (pos % 64)) & 15];
    }
    out[2 + n] = 0;
    return 2 + n;
}
