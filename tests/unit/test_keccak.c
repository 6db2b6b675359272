/* Keccak-256 on known vectors, block-boundary lengths against a bytewise reference sponge, and hex. */
#include "test.h"

#include <string.h>

#include "util/hex.h"
#include "util/keccak.h"

static bool hash_is(const uint8_t *data, size_t len, const char *hex)
{
    uint8_t h[32], want[32];
    pv_keccak256(data, len, h);
    return pv_hex_decode_fixed(hex, strlen(hex), want, 32) && memcmp(h, want, 32) == 0;
}

/* An obviously-correct (slow) Keccak-f[1600] sponge, written from the specification's
 * step definitions with explicit x, y indexing, as an independent check of the unrolled one. */
static uint64_t rol(uint64_t x, unsigned n) { return n ? (x << n) | (x >> (64 - n)) : x; }
static void ref_f(uint64_t A[5][5])
{
    static const unsigned r[5][5] = {{0, 36, 3, 41, 18}, {1, 44, 10, 45, 2}, {62, 6, 43, 15, 61},
                                     {28, 55, 25, 21, 56}, {27, 20, 39, 8, 14}};
    uint64_t rc = 1;   /* LFSR round constants */
    unsigned lfsr = 1;
    for (int round = 0; round < 24; round++) {
        uint64_t C[5], D[5], B[5][5];
        for (int x = 0; x < 5; x++) C[x] = A[x][0] ^ A[x][1] ^ A[x][2] ^ A[x][3] ^ A[x][4];
        for (int x = 0; x < 5; x++) D[x] = C[(x + 4) % 5] ^ rol(C[(x + 1) % 5], 1);
        for (int x = 0; x < 5; x++) for (int y = 0; y < 5; y++) A[x][y] ^= D[x];
        for (int x = 0; x < 5; x++) for (int y = 0; y < 5; y++) B[y][(2 * x + 3 * y) % 5] = rol(A[x][y], r[x][y]);
        for (int x = 0; x < 5; x++) for (int y = 0; y < 5; y++) A[x][y] = B[x][y] ^ (~B[(x + 1) % 5][y] & B[(x + 2) % 5][y]);
        rc = 0;
        for (int j = 0; j < 7; j++) {
            if (lfsr & 1) rc |= 1ULL << ((1u << j) - 1);
            lfsr = (lfsr << 1) ^ ((lfsr & 0x80) ? 0x71 : 0);
            lfsr &= 0xff;
        }
        A[0][0] ^= rc;
    }
}
static void ref_keccak(const uint8_t *m, size_t len, uint8_t out[32])
{
    uint64_t A[5][5] = {{0}};
    size_t padded = (len / 136 + 1) * 136;
    uint8_t *buf = calloc(padded, 1);
    memcpy(buf, m, len);
    buf[len] ^= 0x01;
    buf[padded - 1] ^= 0x80;
    for (size_t off = 0; off < padded; off += 136) {
        for (int i = 0; i < 17; i++) {
            uint64_t lane = 0;
            for (int b = 0; b < 8; b++) lane |= (uint64_t)buf[off + 8 * i + b] << (8 * b);
            A[i % 5][i / 5] ^= lane;
        }
        ref_f(A);
    }
    for (int i = 0; i < 4; i++)
        for (int b = 0; b < 8; b++) out[8 * i + b] = (uint8_t)(A[i % 5][i / 5] >> (8 * b));
    free(buf);
}

int main(void)
{
    CHECK(hash_is(NULL, 0, "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470"), "empty");
    CHECK(hash_is((const uint8_t *)"abc", 3, "4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45"), "abc");
    CHECK(hash_is((const uint8_t *)"\x80", 1, "56e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421"), "rlp empty string");
    CHECK(hash_is((const uint8_t *)"\xc0", 1, "1dcc4de8dec75d7aab85b567b6ccd41ad312451b948a7413f0a142fd40d49347"), "rlp empty list");
    uint8_t zero[32] = {0};
    CHECK(hash_is(zero, 32, "290decd9548b62a8d60345a988386fc84ba6bc95484008f6362f93160ef3e563"), "zero word");
    uint8_t msg[700];
    for (size_t i = 0; i < sizeof msg; i++) msg[i] = (uint8_t)(i * 131 + 7);
    static const size_t lens[] = {1, 55, 56, 135, 136, 137, 271, 272, 273, 500, 700};
    for (size_t k = 0; k < sizeof lens / sizeof lens[0]; k++) {
        uint8_t a[32], b[32];
        pv_keccak256(msg, lens[k], a);
        ref_keccak(msg, lens[k], b);
        CHECK(memcmp(a, b, 32) == 0, "length %zu against the reference sponge", lens[k]);
    }
    uint8_t *bytes;
    size_t n;
    char enc[16];
    CHECK(pv_hex_decode_alloc("0xABcd", 6, &bytes, &n) && n == 2 && bytes[0] == 0xab && bytes[1] == 0xcd, "hex decode");
    CHECK(strcmp(pv_hex_encode(bytes, n, enc), "0xabcd") == 0, "hex encode");
    free(bytes);
    CHECK(!pv_hex_decode_alloc("0xabc", 5, &bytes, &n), "odd length rejected");
    CHECK(!pv_hex_decode_alloc("0xzz", 4, &bytes, &n), "bad digit rejected");
    uint8_t fixed[2];
    CHECK(!pv_hex_decode_fixed("0x0102ff", 8, fixed, 2), "wrong fixed length rejected");
    TEST_DONE();
}
