/* 256-bit arithmetic. Division-class operations use Knuth's algorithm D on 64-bit digits. */
#include "uint256.h"

#include <string.h>

typedef unsigned __int128 u128;
typedef __int128 i128;

bool u256_lt(const u256 *a, const u256 *b)
{
    for (int i = 3; i >= 0; i--)
        if (a->w[i] != b->w[i])
            return a->w[i] < b->w[i];
    return false;
}

bool u256_gt(const u256 *a, const u256 *b) { return u256_lt(b, a); }

bool u256_slt(const u256 *a, const u256 *b)
{
    bool na = a->w[3] >> 63, nb = b->w[3] >> 63;
    if (na != nb)
        return na;
    return u256_lt(a, b);
}

bool u256_sgt(const u256 *a, const u256 *b) { return u256_slt(b, a); }

void u256_add(u256 *r, const u256 *a, const u256 *b)
{
    u128 c = 0;
    for (int i = 0; i < 4; i++) {
        c += (u128)a->w[i] + b->w[i];
        r->w[i] = (uint64_t)c;
        c >>= 64;
    }
}

void u256_sub(u256 *r, const u256 *a, const u256 *b)
{
    uint64_t borrow = 0;
    for (int i = 0; i < 4; i++) {
        uint64_t ai = a->w[i], bi = b->w[i];
        uint64_t d = ai - bi;
        uint64_t b1 = ai < bi;
        uint64_t d2 = d - borrow;
        uint64_t b2 = d < borrow;
        r->w[i] = d2;
        borrow = b1 | b2;
    }
}

bool u256_mul_u64(u256 *r, const u256 *a, uint64_t b)
{
    uint64_t carry = 0;
    for (int i = 0; i < 4; i++) {
        u128 t = (u128)a->w[i] * b + carry;
        r->w[i] = (uint64_t)t;
        carry = (uint64_t)(t >> 64);
    }
    return carry == 0;
}

void u256_mul(u256 *r, const u256 *a, const u256 *b)
{
    /* Schoolbook product, only the partial products below 2^256. */
    const uint64_t a0 = a->w[0], a1 = a->w[1], a2 = a->w[2], a3 = a->w[3];
    const uint64_t b0 = b->w[0], b1 = b->w[1], b2 = b->w[2], b3 = b->w[3];
    u128 t = (u128)a0 * b0;
    uint64_t r0 = (uint64_t)t, c = (uint64_t)(t >> 64);
    t = (u128)a0 * b1 + c;
    uint64_t r1 = (uint64_t)t;
    c = (uint64_t)(t >> 64);
    t = (u128)a0 * b2 + c;
    uint64_t r2 = (uint64_t)t;
    c = (uint64_t)(t >> 64);
    uint64_t r3 = a0 * b3 + c;
    t = (u128)a1 * b0 + r1;
    r1 = (uint64_t)t;
    c = (uint64_t)(t >> 64);
    t = (u128)a1 * b1 + r2 + c;
    r2 = (uint64_t)t;
    c = (uint64_t)(t >> 64);
    r3 += a1 * b2 + c;
    t = (u128)a2 * b0 + r2;
    r2 = (uint64_t)t;
    c = (uint64_t)(t >> 64);
    r3 += a2 * b1 + c + a3 * b0;
    r->w[0] = r0;
    r->w[1] = r1;
    r->w[2] = r2;
    r->w[3] = r3;
}

static int sig_words(const uint64_t *w, int n)
{
    while (n > 0 && w[n - 1] == 0)
        n--;
    return n;
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
        for (int i = ulen - 1; i >= 0; i--) {
            u128 cur = ((u128)r << 64) | u[i];
            qq[i] = (uint64_t)(cur / d);
            r = (uint64_t)(cur % d);
        }
        if (q)
            memcpy(q, qq, (size_t)ulen * 8);
        if (rem)
            rem[0] = r;
        return;
    }
    int s = __builtin_clzll(v[vlen - 1]);
    uint64_t vn[4], un[9];
    for (int i = vlen - 1; i > 0; i--)
        vn[i] = s ? (v[i] << s) | (v[i - 1] >> (64 - s)) : v[i];
    vn[0] = v[0] << s;
    un[ulen] = s ? u[ulen - 1] >> (64 - s) : 0;
    for (int i = ulen - 1; i > 0; i--)
        un[i] = s ? (u[i] << s) | (u[i - 1] >> (64 - s)) : u[i];
    un[0] = u[0] << s;

    for (int j = ulen - vlen; j >= 0; j--) {
        u128 num = ((u128)un[j + vlen] << 64) | un[j + vlen - 1];
        u128 qhat = num / vn[vlen - 1];
        u128 rhat = num % vn[vlen - 1];
        while (qhat >> 64 || qhat * vn[vlen - 2] > ((rhat << 64) | un[j + vlen - 2])) {
            qhat--;
            rhat += vn[vlen - 1];
            if (rhat >> 64)
                break;
        }
        i128 k = 0, t;
        for (int i = 0; i < vlen; i++) {
            u128 p = qhat * vn[i];
            t = (i128)un[i + j] - k - (i128)(uint64_t)p;
            un[i + j] = (uint64_t)t;
            k = (i128)(uint64_t)(p >> 64) - (t >> 64);
        }
        t = (i128)un[j + vlen] - k;
        un[j + vlen] = (uint64_t)t;
        qq[j] = (uint64_t)qhat;
        if (t < 0) {
            qq[j]--;
            u128 c = 0;
            for (int i = 0; i < vlen; i++) {
                c += (u128)un[i + j] + vn[i];
                un[i + j] = (uint64_t)c;
                c >>= 64;
            }
            un[j + vlen] += (uint64_t)c;
        }
    }
    if (q)
        memcpy(q, qq, (size_t)ulen * 8);
    if (rem) {
        for (int i = 0; i < vlen; i++)
            rem[i] = s ? (un[i] >> s) | (un[i + 1] << (64 - s)) : un[i];
    }
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

void u256_neg(u256 *r, const u256 *a)
{
    u256 z = u256_zero();
    u256_sub(r, &z, a);
}

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
    if (ulen)
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
    if (ulen)
        udivrem(NULL, out.w, p, ulen, m->w, vlen);
    *r = out;
}

void u256_exp(u256 *r, const u256 *base, const u256 *exponent)
{
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

void u256_signextend(u256 *r, const u256 *byte_index, const u256 *x)
{
    if (!u256_fits_u64(byte_index) || byte_index->w[0] >= 31) {
        *r = *x;
        return;
    }
    unsigned bit = (unsigned)byte_index->w[0] * 8 + 7;
    unsigned word = bit / 64, off = bit % 64;
    u256 v = *x;
    bool neg = (v.w[word] >> off) & 1;
    uint64_t mask = off == 63 ? ~0ULL : ((1ULL << (off + 1)) - 1);
    if (neg) {
        v.w[word] |= ~mask;
        for (unsigned i = word + 1; i < 4; i++) v.w[i] = ~0ULL;
    } else {
        v.w[word] &= mask;
        for (unsigned i = word + 1; i < 4; i++) v.w[i] = 0;
    }
    *r = v;
}

static void shl_n(u256 *r, const u256 *x, unsigned n)
{
    u256 out = u256_zero();
    unsigned ws = n / 64, bs = n % 64;
    for (int i = 3; i >= (int)ws; i--) {
        uint64_t v = x->w[i - ws] << bs;
        if (bs && i - (int)ws - 1 >= 0)
            v |= x->w[i - ws - 1] >> (64 - bs);
        out.w[i] = v;
    }
    *r = out;
}

static void shr_n(u256 *r, const u256 *x, unsigned n, uint64_t fill)
{
    u256 out;
    unsigned ws = n / 64, bs = n % 64;
    for (unsigned i = 0; i < 4; i++) {
        uint64_t lo = i + ws < 4 ? x->w[i + ws] : fill;
        uint64_t hi = i + ws + 1 < 4 ? x->w[i + ws + 1] : fill;
        out.w[i] = bs ? (lo >> bs) | (hi << (64 - bs)) : lo;
    }
    *r = out;
}

void u256_shl(u256 *r, const u256 *shift, const u256 *x)
{
    if (!u256_fits_u64(shift) || shift->w[0] >= 256) {
        *r = u256_zero();
        return;
    }
    shl_n(r, x, (unsigned)shift->w[0]);
}

void u256_shr(u256 *r, const u256 *shift, const u256 *x)
{
    if (!u256_fits_u64(shift) || shift->w[0] >= 256) {
        *r = u256_zero();
        return;
    }
    shr_n(r, x, (unsigned)shift->w[0], 0);
}

void u256_sar(u256 *r, const u256 *shift, const u256 *x)
{
    uint64_t fill = is_neg(x) ? ~0ULL : 0;
    if (!u256_fits_u64(shift) || shift->w[0] >= 256) {
        for (int i = 0; i < 4; i++) r->w[i] = fill;
        return;
    }
    shr_n(r, x, (unsigned)shift->w[0], fill);
}

void u256_byte(u256 *r, const u256 *index, const u256 *x)
{
    if (!u256_fits_u64(index) || index->w[0] >= 32) {
        *r = u256_zero();
        return;
    }
    unsigned i = 31 - (unsigned)index->w[0];   /* little-endian byte position */
    uint64_t b = (x->w[i / 8] >> (8 * (i % 8))) & 0xff;
    *r = u256_from_u64(b);
}

void u256_and(u256 *r, const u256 *a, const u256 *b) { for (int i = 0; i < 4; i++) r->w[i] = a->w[i] & b->w[i]; }
void u256_or(u256 *r, const u256 *a, const u256 *b) { for (int i = 0; i < 4; i++) r->w[i] = a->w[i] | b->w[i]; }
void u256_xor(u256 *r, const u256 *a, const u256 *b) { for (int i = 0; i < 4; i++) r->w[i] = a->w[i] ^ b->w[i]; }
void u256_not(u256 *r, const u256 *a) { for (int i = 0; i < 4; i++) r->w[i] = ~a->w[i]; }

unsigned u256_bit_length(const u256 *a)
{
    for (int i = 3; i >= 0; i--)
        if (a->w[i])
            return (unsigned)(i * 64 + 64 - __builtin_clzll(a->w[i]));
    return 0;
}

unsigned u256_byte_length(const u256 *a) { return (u256_bit_length(a) + 7) / 8; }

void u256_from_be(u256 *r, const uint8_t *bytes, size_t len)
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

void u256_to_be(const u256 *a, uint8_t out[32])
{
    for (int i = 0; i < 4; i++) {
        uint64_t x = __builtin_bswap64(a->w[3 - i]);
        memcpy(out + 8 * i, &x, 8);
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
