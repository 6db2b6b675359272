#!/usr/bin/env python3
"""Derives the tables of the single-state AVX-512 Keccak-f[1600] in src/util/keccak.c (the block
between "BEGIN/END generated" there) and checks the scheme they drive against a plain
implementation of the specification, on a simulation of the vector instructions the C code uses.
Run: python3 scripts/keccak_avx512_tables.py  (prints the C block; exits non-zero on a mismatch)

The state is 25 lanes A[x][y] in 5 zmm registers, 5 lanes each (qwords 0..4; 5..7 unused). Per
round the layout changes twice, by round type t = round mod 3:
  theta layout of type t: lane (x, y) in register y + g_t(2x + 3y), qword h_t(x);
  chi layout of type t:   lane (X, Y) in register X + g_t(Y),      qword f_t(Y);
(g, h, f affine maps of Z/5, all arithmetic mod 5). In the theta layout every register holds one
lane of each column x at qword h_t(x), so theta's D is one vector added to every register. pi
moves (x, y) to (X, Y) = (y, 2x + 3y), which leaves each lane in its register, so pi is one
vpermq per register. In the chi layout register X + g(Y) + 1 holds lane (X + 1, Y) at the same
qword, so chi is one vpternlogq per register. The step from the chi layout of type t to the theta
layout of type t+1 is one vpermq per register for t = 0, 1 (the slopes of g, 2 -> 1 -> 4, allow
it) and a full 5x5 transposition for t = 2 -> 0: one vpermq per register, after which every
theta register takes qword p from register (p - c) mod 5 for its own c (three levels of blends).
D of the next round is computed from the chi outputs directly (one vpermq per register of
c_s ^ rol(c_{s+2}, 1), see below), in parallel with the layout step. The offsets of g and the
maps h and f are chosen so that every one-register permutation is one of five index vectors
V_c[i] = (c + 2i) mod 5. Between permutations the state stays in the chi layout of type 2.
"""
import random
import sys

MASK = (1 << 64) - 1


def rol(v, n):
    n %= 64
    return ((v << n) | (v >> (64 - n))) & MASK if n else v


# ---- the specification (FIPS 202, section 3.2) ----
RHO = [[0] * 5 for _ in range(5)]
x, y = 1, 0
for t in range(24):
    RHO[x][y] = ((t + 1) * (t + 2) // 2) % 64
    x, y = y, (2 * x + 3 * y) % 5


def rc_bit(t):
    if t % 255 == 0:
        return 1
    r = 1
    for _ in range(t % 255):
        r8 = (r >> 7) & 1
        r = (r << 1) & 0xFF
        if r8:
            r ^= 0x71
    return r & 1


RC = [sum(rc_bit(j + 7 * k) << ((1 << j) - 1) for j in range(7)) for k in range(24)]


def ref_permute(A):
    A = [row[:] for row in A]
    for k in range(24):
        C = [A[x][0] ^ A[x][1] ^ A[x][2] ^ A[x][3] ^ A[x][4] for x in range(5)]
        D = [C[(x - 1) % 5] ^ rol(C[(x + 1) % 5], 1) for x in range(5)]
        A = [[A[x][y] ^ D[x] for y in range(5)] for x in range(5)]
        B = [[0] * 5 for _ in range(5)]
        for x in range(5):
            for y in range(5):
                B[y][(2 * x + 3 * y) % 5] = rol(A[x][y], RHO[x][y])
        A = [[B[x][y] ^ (~B[(x + 1) % 5][y] & B[(x + 2) % 5][y]) for y in range(5)] for x in range(5)]
        A[0][0] ^= RC[k]
    return A


# ---- the layouts ----
def affine(a, b):
    return lambda u: (a * u + b) % 5


G = [affine(2, 0), affine(1, 3), affine(4, 2)]  # register offsets g_t
H = [affine(3, 4), affine(4, 2), affine(3, 1)]  # theta layout qwords h_t(x)
F = [affine(4, 0), affine(4, 4), affine(1, 2)]  # chi layout qwords f_t(Y)
LANES = [(x, y) for y in range(5) for x in range(5)]
THETA = [{(x, y): ((y + G[t]((2 * x + 3 * y) % 5)) % 5, H[t](x)) for x, y in LANES} for t in range(3)]
CHI = [{(x, y): ((x + G[t](y)) % 5, F[t](y)) for x, y in LANES} for t in range(3)]
V = [[(c + 2 * i) % 5 for i in range(5)] + [0, 0, 0] for c in range(5)]

for t in range(3):
    for r in range(5):
        assert sorted(x for (x, y), (rr, p) in THETA[t].items() if rr == r) == list(range(5))
        assert sorted(y for (x, y), (rr, p) in CHI[t].items() if rr == r) == list(range(5))
        assert sorted(x for (x, y), (rr, p) in CHI[t].items() if rr == r) == list(range(5))  # for D
    for (x, y), (r, p) in THETA[t].items():
        assert CHI[t][(y, (2 * x + 3 * y) % 5)][0] == r


def vindex(vec):
    """The c with V_c == vec on qwords 0..4."""
    for c in range(5):
        if V[c][:5] == vec[:5]:
            return c
    raise AssertionError("not one of the five index vectors: %s" % vec)


# ---- tables ----
DP, PI, TS, TI, ROT, IOTA = [], [], [], [], [], []
for t in range(3):
    pt = (t + 2) % 3
    # D[X + 1] = ... ^ A[X][Y] ^ rol(A[X + 2][Y], 1) ^ ...: the two lanes sit at the same qword of
    # registers s and s + 2, so u_s = c_s ^ rol(c_{s+2}, 1) holds terms of D only, which one
    # vpermq per register moves to D's qwords.
    dp = [[0] * 8 for _ in range(5)]
    for (X, Y), (s, p) in CHI[pt].items():
        assert CHI[pt][((X + 2) % 5, Y)] == ((s + 2) % 5, p)
        dp[s][H[t]((X + 1) % 5)] = p
    DP.append([vindex(v) for v in dp])
    rot = [[0] * 8 for _ in range(5)]
    pi = [[0] * 8 for _ in range(5)]
    for (x, y), (r, p) in THETA[t].items():
        rot[r][p] = RHO[x][y]
        r2, p2 = CHI[t][(y, (2 * x + 3 * y) % 5)]
        pi[r2][p2] = p
    ROT.append(rot)
    PI.append([vindex(v) for v in pi])
    dest = {}
    for (X, Y), (s, p) in CHI[pt].items():
        r, q = THETA[t][(X, Y)]
        dest.setdefault(r, []).append((s, p, q))
    if t != 0:
        ts, ti = [], []
        for r in range(5):
            assert len({s for s, _, _ in dest[r]}) == 1
            v = [0] * 8
            for s, p, q in dest[r]:
                v[q] = p
            ts.append(dest[r][0][0])
            ti.append(vindex(v))
        TS.append(ts)
        TI.append(ti)
    else:
        TS.append([0] * 5)
        TI.append([0] * 5)
        T0_DEST = dest
    r00, p00 = THETA[t][(0, 0)]
    IOTA.append((r00, p00, H[t](1), H[t](4)))

# The transposition chi layout 2 -> theta layout 0: a vpermq of each source register s puts its
# lanes at their qwords in the theta layout (P_s); then theta register d takes qword p from
# P_{(p - c_d) mod 5}, a blend of the five P_s (masks below, in the C code).
T0_PERM, T0_OFF = [], []
for s_ in range(5):
    v = [0] * 8
    for d in range(5):
        for s2, p, q in T0_DEST[d]:
            if s2 == s_:
                v[q] = p
    T0_PERM.append(vindex(v))
for d in range(5):
    qs = {s2: q for s2, p, q in T0_DEST[d]}
    c = qs[0]
    assert all(qs[s2] == (s2 + c) % 5 for s2 in range(5))
    T0_OFF.append(c)


# Absorbing: block rows 0..3 (row y = lanes 5y..5y+4 at qwords 0..4; row 3 only lanes 15, 16)
# into the chi layout of type 2 (the layout between permutations).
ABS, ABS_MASK = [], []
for pair in ((0, 1), (2, 3)):
    for r in range(5):
        v, m = [0] * 8, 0
        for (X, Y), (rr, p) in CHI[2].items():
            if rr == r and Y in pair and X + 5 * Y < 17:
                v[p] = (8 if Y == pair[1] else 0) | X
                m |= 1 << p
        ABS.append(v)
        ABS_MASK.append(m)
LANE_AT = [CHI[2][(i % 5, i // 5)] for i in range(25)]


# ---- simulation of the C code ----
def vpermq(idx, a):
    return [a[i & 7] for i in idx]


def vpermt2q(a, idx, b):
    return [(b if i & 8 else a)[i & 7] for i in idx]


def blend(a, b, k):
    return [b[i] if (k >> i) & 1 else a[i] for i in range(8)]


def xor(*vs):
    out = [0] * 8
    for v in vs:
        out = [o ^ e for o, e in zip(out, v)]
    return out


def sim_round(t, c, rc_prev):
    r00, p00, h1, h4 = IOTA[t]
    q = [vpermq(V[DP[t][s]], xor(c[s], [rol(e, 1) for e in c[(s + 2) % 5]])) for s in range(5)]
    rcd = [0] * 8
    rcd[h1], rcd[h4] = rc_prev, rol(rc_prev, 1)
    rcv = [0] * 8
    rcv[p00] = rc_prev
    if t == 0:
        P = [vpermq(V[T0_PERM[s_]], c[s_]) for s_ in range(5)]
        L = []
        for r in range(5):
            o = T0_OFF[r]
            A = blend(P[0], P[1], 1 << (1 + o) % 5)
            B = blend(P[2], P[3], 1 << (3 + o) % 5)
            C = blend(A, B, 1 << (2 + o) % 5 | 1 << (3 + o) % 5)
            L.append(blend(C, P[4], 1 << (4 + o) % 5))
    else:
        L = [vpermq(V[TI[t][r]], c[TS[t][r]]) for r in range(5)]
    A = [xor(L[r], *q, rcd, rcv if r == r00 else [0] * 8) for r in range(5)]
    A = [[rol(e, n) for e, n in zip(A[r], ROT[t][r])] for r in range(5)]
    B = [vpermq(V[PI[t][r]], A[r]) for r in range(5)]
    return [[a ^ (~b & cc) & MASK for a, b, cc in zip(B[r], B[(r + 1) % 5], B[(r + 2) % 5])] for r in range(5)]


def sim_permute(A):
    c = [[random.getrandbits(64) for _ in range(8)] for _ in range(5)]  # unused qwords: anything
    for i, (r, p) in enumerate(LANE_AT):
        c[r][p] = A[i % 5][i // 5]
    for k in range(24):
        c = sim_round(k % 3, c, RC[k - 1] if k else 0)
    out = [[0] * 5 for _ in range(5)]
    for i, (r, p) in enumerate(LANE_AT):
        out[i % 5][i // 5] = c[r][p]
    out[0][0] ^= RC[23]
    return out


def sim_absorb(block):
    """The block's lanes 0..16 as rows (row y: lanes 5y.. in qwords 0..4) through the C code's
    masked vpermt2q pairs: the registers to add to the state."""
    rows = [[block[5 * y + x] if x < 5 and 5 * y + x < 17 else 0 for x in range(8)] for y in range(4)]
    regs = []
    for r in range(5):
        t01 = [v if (ABS_MASK[r] >> i) & 1 else 0 for i, v in enumerate(vpermt2q(rows[0], ABS[r], rows[1]))]
        t23 = [v if (ABS_MASK[5 + r] >> i) & 1 else 0 for i, v in enumerate(vpermt2q(rows[2], ABS[5 + r], rows[3]))]
        regs.append(xor(t01, t23))
    return regs


random.seed(1600)
for _ in range(5):
    block = [random.getrandbits(64) for _ in range(17)]
    regs = sim_absorb(block)
    for i, (r, p) in enumerate(LANE_AT):
        if regs[r][p] != (block[i] if i < 17 else 0):
            sys.exit("absorb tables put lane %d in the wrong place" % i)
assert ref_permute([[0] * 5 for _ in range(5)])[0][0] == 0xF1258F7940E1DDE7  # Keccak team's known answer
for _ in range(20):
    A = [[random.getrandbits(64) for _ in range(5)] for _ in range(5)]
    if sim_permute(A) != ref_permute(A):
        sys.exit("simulated vector permutation differs from the specification")


# ---- C ----
def arr(v):
    return "{" + ", ".join(str(e) for e in v) + "}"


def arr8(rows, ind="    "):
    return "{\n" + ",\n".join(ind + "{" + ", ".join("%d" % e for e in r) + "}" for r in rows) + "}"


out = []
out.append("/* BEGIN generated by scripts/keccak_avx512_tables.py */")
out.append("static const uint8_t KX_DP[3][5] = {%s};" % ", ".join(arr(v) for v in DP))
out.append("static const uint8_t KX_PI[3][5] = {%s};" % ", ".join(arr(v) for v in PI))
out.append("static const uint8_t KX_TS[3][5] = {%s};" % ", ".join(arr(v) for v in TS))
out.append("static const uint8_t KX_TI[3][5] = {%s};" % ", ".join(arr(v) for v in TI))
out.append("static const uint8_t KX_IOTA[3][4] = {%s};" % ", ".join(arr(v) for v in IOTA))
out.append("static const _Alignas(64) uint64_t KX_ROT[3][5][8] = {\n%s};" %
           ",\n".join("    " + arr8(ROT[t], "     ") for t in range(3)))
out.append("static const uint8_t KX_T0_PERM[5] = %s;" % arr(T0_PERM))
out.append("static const uint8_t KX_T0_OFF[5] = %s;" % arr(T0_OFF))
out.append("static const _Alignas(64) uint64_t KX_ABS[10][8] = %s;" % arr8(ABS))
out.append("static const uint8_t KX_ABS_MASK[10] = %s;" % arr(ABS_MASK))
out.append("static const uint8_t KX_LANE_AT[25][2] = {%s};" % ", ".join(arr(v) for v in LANE_AT))
out.append("/* END generated */")
print("\n".join(out))
