/* uint256 checked against GMP on biased random and edge inputs, with EVM semantics. */
#include "test.h"

#include <gmp.h>
#include <string.h>

#include "util/uint256.h"

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;
static uint64_t rnd(void)
{
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* Biased generator: edge values, sparse limbs, small numbers, powers of two and neighbours. */
static u256 gen(void)
{
    u256 x = u256_zero();
    switch (rnd() % 10) {
    case 0: return x;
    case 1: x.w[0] = rnd() % 4; return x;
    case 2: for (int i = 0; i < 4; i++) x.w[i] = ~0ULL; if (rnd() & 1) x.w[0] -= rnd() % 3; return x;
    case 3: { unsigned b = (unsigned)(rnd() % 256); x.w[b / 64] = 1ULL << (b % 64);
              if (rnd() & 1) { u256 one = u256_from_u64(1); if (rnd() & 1) u256_sub(&x, &x, &one); else u256_add(&x, &x, &one); }
              return x; }
    case 4: x.w[0] = rnd(); return x;
    case 5: x.w[3] = 0x8000000000000000ULL | (rnd() & 0xff); x.w[0] = rnd(); return x;
    case 6: for (int i = 0; i < 4; i++) x.w[i] = (rnd() & 1) ? rnd() : 0; return x;
    default: { int n = 1 + (int)(rnd() % 4); for (int i = 0; i < n; i++) x.w[i] = rnd(); return x; }
    }
}

static void to_mpz(mpz_t r, const u256 *a)
{
    mpz_import(r, 4, -1, 8, 0, 0, a->w);
}

static void to_signed_mpz(mpz_t r, const u256 *a)
{
    to_mpz(r, a);
    if (a->w[3] >> 63) {
        mpz_t t;
        mpz_init(t);
        mpz_ui_pow_ui(t, 2, 256);
        mpz_sub(r, r, t);
        mpz_clear(t);
    }
}

static u256 from_mpz(const mpz_t v)
{
    mpz_t t, m;
    mpz_inits(t, m, NULL);
    mpz_ui_pow_ui(m, 2, 256);
    mpz_mod(t, v, m);   /* non-negative residue */
    u256 r = u256_zero();
    size_t count = 0;
    mpz_export(r.w, &count, -1, 8, 0, 0, t);
    mpz_clears(t, m, NULL);
    return r;
}

static void hex(const u256 *a, char *buf) { u256_to_hex(a, buf); }

enum { ADD, SUB, MUL, DIV, MOD, SDIV, SMOD, ADDMOD, MULMOD, EXP, SIGNEXT, SHL, SHR, SAR, BYTE, LT, SLT, NOPS };
static const char *names[NOPS] = {"add", "sub", "mul", "div", "mod", "sdiv", "smod", "addmod", "mulmod", "exp", "signextend", "shl", "shr", "sar", "byte", "lt", "slt"};

static u256 reference(int op, const u256 *a, const u256 *b, const u256 *c)
{
    mpz_t x, y, z, r;
    mpz_inits(x, y, z, r, NULL);
    to_mpz(x, a);
    to_mpz(y, b);
    to_mpz(z, c);
    switch (op) {
    case ADD: mpz_add(r, x, y); break;
    case SUB: mpz_sub(r, x, y); break;
    case MUL: mpz_mul(r, x, y); break;
    case DIV: if (mpz_sgn(y)) mpz_fdiv_q(r, x, y); break;
    case MOD: if (mpz_sgn(y)) mpz_fdiv_r(r, x, y); break;
    case SDIV: to_signed_mpz(x, a); to_signed_mpz(y, b); if (mpz_sgn(y)) mpz_tdiv_q(r, x, y); break;
    case SMOD: to_signed_mpz(x, a); to_signed_mpz(y, b); if (mpz_sgn(y)) mpz_tdiv_r(r, x, y); break;
    case ADDMOD: if (mpz_sgn(z)) { mpz_add(r, x, y); mpz_mod(r, r, z); } break;
    case MULMOD: if (mpz_sgn(z)) { mpz_mul(r, x, y); mpz_mod(r, r, z); } break;
    case EXP: { mpz_t m; mpz_init(m); mpz_ui_pow_ui(m, 2, 256); mpz_powm(r, x, y, m); mpz_clear(m); break; }
    case SIGNEXT:
        if (mpz_cmp_ui(x, 31) < 0) {
            unsigned long bit = mpz_get_ui(x) * 8 + 7;
            mpz_fdiv_r_2exp(r, y, bit + 1);
            if (mpz_tstbit(r, bit)) {
                mpz_t t; mpz_init(t); mpz_ui_pow_ui(t, 2, bit + 1); mpz_sub(r, r, t); mpz_clear(t);
            }
        } else {
            mpz_set(r, y);
        }
        break;
    case SHL: if (mpz_cmp_ui(x, 256) < 0) mpz_mul_2exp(r, y, mpz_get_ui(x)); break;
    case SHR: if (mpz_cmp_ui(x, 256) < 0) mpz_fdiv_q_2exp(r, y, mpz_get_ui(x)); break;
    case SAR:
        to_signed_mpz(y, b);
        if (mpz_cmp_ui(x, 256) < 0) mpz_fdiv_q_2exp(r, y, mpz_get_ui(x));
        else mpz_set_si(r, mpz_sgn(y) < 0 ? -1 : 0);
        break;
    case BYTE:
        if (mpz_cmp_ui(x, 32) < 0) { mpz_fdiv_q_2exp(r, y, 8 * (31 - mpz_get_ui(x))); mpz_fdiv_r_2exp(r, r, 8); }
        break;
    case LT: mpz_set_ui(r, mpz_cmp(x, y) < 0); break;
    case SLT: to_signed_mpz(x, a); to_signed_mpz(y, b); mpz_set_ui(r, mpz_cmp(x, y) < 0); break;
    }
    u256 out = from_mpz(r);
    mpz_clears(x, y, z, r, NULL);
    return out;
}

static u256 actual(int op, const u256 *a, const u256 *b, const u256 *c)
{
    u256 r;
    switch (op) {
    case ADD: u256_add(&r, a, b); break;
    case SUB: u256_sub(&r, a, b); break;
    case MUL: u256_mul(&r, a, b); break;
    case DIV: u256_div(&r, a, b); break;
    case MOD: u256_mod(&r, a, b); break;
    case SDIV: u256_sdiv(&r, a, b); break;
    case SMOD: u256_smod(&r, a, b); break;
    case ADDMOD: u256_addmod(&r, a, b, c); break;
    case MULMOD: u256_mulmod(&r, a, b, c); break;
    case EXP: u256_exp(&r, a, b); break;
    case SIGNEXT: u256_signextend(&r, a, b); break;
    case SHL: u256_shl(&r, a, b); break;
    case SHR: u256_shr(&r, a, b); break;
    case SAR: u256_sar(&r, a, b); break;
    case BYTE: u256_byte(&r, a, b); break;
    case LT: r = u256_from_u64(u256_lt(a, b)); break;
    default: r = u256_from_u64(u256_slt(a, b)); break;
    }
    return r;
}

int main(void)
{
    for (int op = 0; op < NOPS; op++) {
        int fails = 0;
        int n = op == EXP ? 20000 : 100000;
        for (int i = 0; i < n; i++) {
            u256 a = gen(), b = gen(), c = gen();
            if (op == SIGNEXT || op == SHL || op == SHR || op == SAR || op == BYTE) {
                if (rnd() & 1) a = u256_from_u64(rnd() % 300);
            }
            u256 want = reference(op, &a, &b, &c), got = actual(op, &a, &b, &c);
            if (!u256_eq(&want, &got) && fails++ < 5) {
                char ha[70], hb[70], hc[70], hw[70], hg[70];
                hex(&a, ha); hex(&b, hb); hex(&c, hc); hex(&want, hw); hex(&got, hg);
                fprintf(stderr, "%s(%s, %s, %s): want %s got %s\n", names[op], ha, hb, hc, hw, hg);
            }
            /* aliasing: result written over the first argument */
            u256 a2 = a;
            if (op == ADD) { u256_add(&a2, &a2, &b); if (!u256_eq(&a2, &want)) fails++; }
        }
        CHECK(fails == 0, "%s: %d mismatches", names[op], fails);
    }
    /* EXP's power-of-two path (a shift) against GMP: every power of two as the base, the
     * exponents around where the result leaves 256 bits, and exponents of more than one word;
     * bases one off a power of two take the general path beside it */
    {
        int fails = 0;
        for (unsigned p = 0; p < 256; p++) {
            for (unsigned k = 0; k < 300 + 40; k++) {
                u256 base = u256_zero(), e = u256_zero();
                base.w[p / 64] = 1ULL << (p % 64);
                if (k < 300)
                    e.w[0] = k;
                else {   /* big exponents: a high word, or a low word of 256 and more */
                    e.w[0] = rnd();
                    e.w[1 + k % 3] = (k & 4) ? rnd() | 1 : 0;
                    if (!(k & 4) && e.w[0] < 256)
                        e.w[0] += 256;
                }
                u256 z = u256_zero();
                for (int off = 0; off < 2; off++) {
                    u256 b = base;
                    if (off) {
                        u256 one = u256_from_u64(1);
                        u256_add(&b, &b, &one);
                    }
                    u256 want = reference(EXP, &b, &e, &z), got = actual(EXP, &b, &e, &z);
                    if (!u256_eq(&want, &got) && fails++ < 5)
                        fprintf(stderr, "EXP(2^%u%s, exponent %u): wrong\n", p, off ? " + 1" : "", k);
                }
            }
        }
        CHECK(fails == 0, "EXP of powers of two: %d mismatches", fails);
    }
    /* MULMOD by four-word divisors whose top words come back in the running remainder (the
     * division's digit 2^64 - 1, taken without the reciprocal) and whose top word is all ones
     * or nearly (digits one too large, added back): a multiple of m (or nearly) times a number
     * of ones; and divisors shifted by 0..7 bits, so that the normalisation shift varies */
    {
        int fails = 0;
        for (int i = 0; i < 200000; i++) {
            u256 m, x, y;
            m.w[3] = ~0ULL >> (rnd() % 8);
            m.w[2] = (rnd() & 1) ? ~0ULL : rnd();
            m.w[1] = rnd();
            m.w[0] = rnd();
            x = m;
            if (rnd() & 1)
                x.w[0] ^= rnd() & 7;
            y.w[3] = ~0ULL;
            y.w[2] = ~0ULL;
            y.w[1] = (rnd() & 1) ? ~0ULL : rnd();
            y.w[0] = rnd();
            if (rnd() & 1) {
                u256 t = x;
                x = y;
                y = t;
            }
            u256 want = reference(MULMOD, &x, &y, &m), got = actual(MULMOD, &x, &y, &m);
            if (!u256_eq(&want, &got) && fails++ < 5) {
                char hx[70], hy[70], hm[70];
                hex(&x, hx); hex(&y, hy); hex(&m, hm);
                fprintf(stderr, "mulmod(%s, %s, %s): wrong\n", hx, hy, hm);
            }
        }
        CHECK(fails == 0, "MULMOD with digits of all ones: %d mismatches", fails);
    }
    /* u256_mul_u64 against GMP: the product mod 2^256 and whether it fits */
    {
        int fails = 0;
        mpz_t pa, full, lim;
        mpz_inits(pa, full, lim, NULL);
        mpz_ui_pow_ui(lim, 2, 256);
        for (int i = 0; i < 100000; i++) {
            u256 a = gen(), w = gen();
            uint64_t b = (rnd() & 1) ? rnd() : w.w[0];
            if (i % 7 == 0)
                b = rnd() % 3;
            to_mpz(pa, &a);
            mpz_import(full, 1, -1, 8, 0, 0, &b);
            mpz_mul(full, full, pa);
            u256 got, want = from_mpz(full);
            bool fits = u256_mul_u64(&got, &a, b);
            if ((!u256_eq(&got, &want) || fits != (mpz_cmp(full, lim) < 0)) && fails++ < 5) {
                char ha[70];
                hex(&a, ha);
                fprintf(stderr, "mul_u64(%s, %llu): product or overflow flag wrong\n", ha, (unsigned long long)b);
            }
        }
        mpz_clears(pa, full, lim, NULL);
        CHECK(fails == 0, "mul_u64: %d mismatches", fails);
        u256 top = u256_zero(), r;
        top.w[3] = 1ULL << 63;
        CHECK(!u256_mul_u64(&r, &top, 2) && u256_is_zero(&r), "2^255 * 2 overflows to 0");
        CHECK(u256_mul_u64(&r, &top, 1) && u256_eq(&r, &top), "2^255 * 1 fits");
    }
    /* byte conversions */
    for (size_t len = 0; len <= 32; len++) {
        uint8_t in[32], out[32];
        for (size_t i = 0; i < 32; i++) in[i] = (uint8_t)rnd();
        u256 v;
        u256_from_be(&v, in, len);
        u256_to_be(&v, out);
        bool ok = true;
        for (size_t i = 0; i < 32; i++) ok &= out[i] == (i < 32 - len ? 0 : in[i - (32 - len)]);
        CHECK(ok, "be round trip len %zu", len);
        CHECK(u256_byte_length(&v) <= len, "byte length %zu", len);
    }
    u256 v;
    CHECK(u256_from_string(&v, "0x0", 3) && u256_is_zero(&v), "0x0");
    CHECK(u256_from_string(&v, "0xFF", 4) && v.w[0] == 255, "0xFF");
    CHECK(u256_from_string(&v, "1234", 4) && v.w[0] == 1234, "decimal");
    CHECK(!u256_from_string(&v, "0x", 2), "bare 0x");
    CHECK(!u256_from_string(&v, "", 0), "empty");
    CHECK(!u256_from_string(&v, "0xg", 3), "bad digit");
    const char *max = "0xffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff";
    CHECK(u256_from_string(&v, max, strlen(max)) && v.w[3] == ~0ULL, "max");
    const char *over = "0x1ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff";
    CHECK(!u256_from_string(&v, over, strlen(over)), "overflow hex");
    const char *dover = "115792089237316195423570985008687907853269984665640564039457584007913129639936";
    CHECK(!u256_from_string(&v, dover, strlen(dover)), "overflow decimal");
    char buf[70];
    u256 z = u256_zero();
    u256_to_hex(&z, buf);
    CHECK(strcmp(buf, "0x0") == 0, "to_hex zero: %s", buf);
    u256 h = u256_from_u64(0x1abc);
    u256_to_hex(&h, buf);
    CHECK(strcmp(buf, "0x1abc") == 0, "to_hex: %s", buf);
    TEST_DONE();
}
