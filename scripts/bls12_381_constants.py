#!/usr/bin/env python3
"""Derives the BLS12-381 constants embedded (in Montgomery form) in src/crypto/bls12_381_*.c from
their definitions, checking each defining property on the way. Run: python3 scripts/bls12_381_constants.py
The unit tests (tests/unit/test_bls12_381.c) check the same properties on the C side."""

p = 0x1A0111EA397FE69A4B1BA7B6434BACD764774B84F38512BF6730D2A0F6B0F6241EABFFFEB153FFFFB9FEFFFFFFFFAAAB
r = 0x73EDA753299D7D483339D80809A1D80553BDA402FFFE5BFEFFFFFFFF00000001
x = -0xD201000000010000
assert p == (x - 1) ** 2 * (x**4 - x**2 + 1) // 3 + x and r == x**4 - x**2 + 1
# Final exponentiation hard part (Hayashida-Hayasaka-Teruya): 3 (p^4 - p^2 + 1) / r
assert 3 * ((p**4 - p**2 + 1) // r) == (x - 1) ** 2 * (x + p) * (x**2 + p**2 - 1) + 3


def inv(a):
    return pow(a, p - 2, p)


# Fp2 = Fp[u]/(u^2 + 1) as pairs
def f2mul(a, b):
    return ((a[0] * b[0] - a[1] * b[1]) % p, (a[0] * b[1] + a[1] * b[0]) % p)


def f2inv(a):
    n = inv(a[0] * a[0] + a[1] * a[1])
    return (a[0] * n % p, -a[1] * n % p)


def f2pow(a, e):
    res = (1, 0)
    while e:
        if e & 1:
            res = f2mul(res, a)
        a = f2mul(a, a)
        e >>= 1
    return res


def f2conj(a):
    return (a[0], -a[1] % p)


class Curve:
    """Affine short Weierstrass y^2 = x^3 + b over a field given by its operations."""

    def __init__(self, add, sub, mul, inv, b, zero, one):
        self.add, self.sub, self.mul, self.inv, self.b, self.zero, self.one = add, sub, mul, inv, b, zero, one

    def on(self, P):
        return self.mul(P[1], P[1]) == self.add(self.mul(self.mul(P[0], P[0]), P[0]), self.b)

    def padd(self, P, Q):
        if P is None:
            return Q
        if Q is None:
            return P
        if P[0] == Q[0]:
            if P[1] != Q[1] or P[1] == self.zero:
                return None
            two = self.add(self.one, self.one)
            three = self.add(two, self.one)
            lam = self.mul(self.mul(three, self.mul(P[0], P[0])), self.inv(self.mul(two, P[1])))
        else:
            lam = self.mul(self.sub(Q[1], P[1]), self.inv(self.sub(Q[0], P[0])))
        x3 = self.sub(self.sub(self.mul(lam, lam), P[0]), Q[0])
        return (x3, self.sub(self.mul(lam, self.sub(P[0], x3)), P[1]))

    def smul(self, k, P):
        if k < 0:
            k, P = -k, (P[0], self.sub(self.zero, P[1]))
        R = None
        while k:
            if k & 1:
                R = self.padd(R, P)
            P = self.padd(P, P)
            k >>= 1
        return R


E1 = Curve(lambda a, b: (a + b) % p, lambda a, b: (a - b) % p, lambda a, b: a * b % p, inv, 4, 0, 1)
E2 = Curve(lambda a, b: ((a[0] + b[0]) % p, (a[1] + b[1]) % p), lambda a, b: ((a[0] - b[0]) % p, (a[1] - b[1]) % p),
           f2mul, f2inv, (4, 4), (0, 0), (1, 0))
xi = (1, 1)

# Generators (draft-irtf-cfrg-pairing-friendly-curves, BLS12_381)
G1 = (0x17F1D3A73197D7942695638C4FA9AC0FC3688C4F9774B905A14E3A3F171BAC586C55E83FF97A1AEFFB3AF00ADB22C6BB,
      0x08B3F481E3AAA0F1A09E30ED741D8AE4FCF5E095D5D00AF600DB18CB2C04B3EDD03CC744A2888AE40CAA232946C5E7E1)
G2 = ((0x024AA2B2F08F0A91260805272DC51051C6E47AD4FA403B02B4510B647AE3D1770BAC0326A805BBEFD48056C8C121BDB8,
       0x13E02B6052719F607DACD3A088274F65596BD0D09920B61AB5DA61BBDC7F5049334CF11213945D57E5AC7D055D042B7E),
      (0x0CE5D527727D6E118CC9CDC6DA2E351AADFD9BAA8CBDD3A76D429A695160D12C923AC9CC3BACA289E193548608B82801,
       0x0606C4A02EA734CC32ACD2B02BC28B99CB3E287E85A763AF267492AB572E99AB3F370D275CEC1DA1AAA9075FF05F79BE))
assert E1.on(G1) and E2.on(G2) and E1.smul(r, G1) is None and E2.smul(r, G2) is None

# beta: the primitive cube root of unity with phi(x, y) = (beta x, y) acting as [-x^2] on G1
s3 = pow(p - 3, (p + 1) // 4, p)
betas = [(-1 + s3) * inv(2) % p, (-1 - s3) * inv(2) % p]
beta = [b for b in betas if (b * G1[0] % p, G1[1]) == E1.smul(-x * x, G1)][0]
# psi = untwist-Frobenius-twist on E': (conj(x) xi^-((p-1)/3), conj(y) xi^-((p-1)/2)) = [x] on G2
psi_x, psi_y = f2inv(f2pow(xi, (p - 1) // 3)), f2inv(f2pow(xi, (p - 1) // 2))
assert (f2mul(f2conj(G2[0]), psi_x), f2mul(f2conj(G2[1]), psi_y)) == E2.smul(x, G2)

R = 1 << 384


def limbs(v, n=6):
    return "{" + ", ".join("0x%016xULL" % ((v >> (64 * i)) & (2**64 - 1)) for i in range(n)) + "}"


def mont(name, v):
    print("%-14s %s" % (name, limbs(v * R % p)))


print("-p^-1 mod 2^64  0x%016x" % (-pow(p, -1, 2**64) % 2**64))
print("%-14s %s" % ("R^2 mod p", limbs(R * R % p)))
mont("one", 1)
mont("b = 4", 4)
mont("3b' (each)", 12)
mont("beta", beta)
for name, v in (("psi_x", psi_x), ("psi_y", psi_y)):
    mont(name + ".c0", v[0])
    mont(name + ".c1", v[1])
for i in range(1, 6):
    g = f2pow(xi, i * (p - 1) // 6)
    mont("frob1[%d].c0" % i, g[0])
    mont("frob1[%d].c1" % i, g[1])
for i in range(1, 6):
    g = f2pow(xi, i * (p * p - 1) // 6)
    assert g[1] == 0
    mont("frob2[%d]" % i, g[0])
mont("G1.x", G1[0])
mont("G1.y", G1[1])
for name, v in (("G2.x.c0", G2[0][0]), ("G2.x.c1", G2[0][1]), ("G2.y.c0", G2[1][0]), ("G2.y.c1", G2[1][1])):
    mont(name, v)
Rr = 1 << 256
print("-r^-1 mod 2^64  0x%016x" % (-pow(r, -1, 2**64) % 2**64))
print("%-14s %s" % ("R^2 mod r", limbs(Rr * Rr % r, 4)))
print("%-14s %s" % ("one mod r", limbs(Rr % r, 4)))
