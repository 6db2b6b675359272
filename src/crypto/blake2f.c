#include "blake2f.h"

#include <immintrin.h>

static const uint64_t IV[8] = {
    0x6a09e667f3bcc908ULL, 0xbb67ae8584caa73bULL, 0x3c6ef372fe94f82bULL, 0xa54ff53a5f1d36f1ULL,
    0x510e527fade682d1ULL, 0x9b05688c2b3e6c1fULL, 0x1f83d9abfb41bd6bULL, 0x5be0cd19137e2179ULL,
};

static const uint8_t SIGMA[10][16] = {
    {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15},
    {14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3},
    {11, 8, 12, 0, 5, 2, 15, 13, 10, 14, 3, 6, 7, 1, 9, 4},
    {7, 9, 3, 1, 13, 12, 11, 14, 2, 6, 5, 10, 4, 0, 15, 8},
    {9, 0, 5, 7, 2, 4, 10, 15, 14, 1, 11, 12, 6, 8, 3, 13},
    {2, 12, 6, 10, 0, 11, 8, 3, 4, 13, 7, 5, 15, 14, 1, 9},
    {12, 5, 1, 15, 14, 13, 4, 10, 0, 7, 6, 3, 9, 2, 8, 11},
    {13, 11, 7, 14, 12, 1, 3, 9, 5, 0, 15, 4, 8, 6, 2, 10},
    {6, 15, 14, 9, 11, 3, 0, 8, 12, 2, 13, 7, 1, 4, 10, 5},
    {10, 2, 8, 4, 7, 6, 1, 5, 15, 11, 9, 14, 3, 12, 13, 0},
};

#define ROTR(x, n) (((x) >> (n)) | ((x) << (64 - (n))))
#define G(a, b, c, d, x, y)              \
    do {                                 \
        v[a] = v[a] + v[b] + (x);        \
        v[d] = ROTR(v[d] ^ v[a], 32);    \
        v[c] = v[c] + v[d];              \
        v[b] = ROTR(v[b] ^ v[c], 24);    \
        v[a] = v[a] + v[b] + (y);        \
        v[d] = ROTR(v[d] ^ v[a], 16);    \
        v[c] = v[c] + v[d];              \
        v[b] = ROTR(v[b] ^ v[c], 63);    \
    } while (0)

static void compress_scalar(uint64_t h[8], const uint64_t m[16], const uint64_t t[2], bool final, uint32_t rounds)
{
    uint64_t v[16];
    for (int i = 0; i < 8; i++) {
        v[i] = h[i];
        v[i + 8] = IV[i];
    }
    v[12] ^= t[0];
    v[13] ^= t[1];
    if (final)
        v[14] = ~v[14];
    for (uint32_t r = 0; r < rounds; r++) {
        const uint8_t *s = SIGMA[r % 10];
        G(0, 4, 8, 12, m[s[0]], m[s[1]]);
        G(1, 5, 9, 13, m[s[2]], m[s[3]]);
        G(2, 6, 10, 14, m[s[4]], m[s[5]]);
        G(3, 7, 11, 15, m[s[6]], m[s[7]]);
        G(0, 5, 10, 15, m[s[8]], m[s[9]]);
        G(1, 6, 11, 12, m[s[10]], m[s[11]]);
        G(2, 7, 8, 13, m[s[12]], m[s[13]]);
        G(3, 4, 9, 14, m[s[14]], m[s[15]]);
    }
    for (int i = 0; i < 8; i++)
        h[i] ^= v[i] ^ v[i + 8];
}

/* AVX2: the 4x4 state as four row vectors; the column and diagonal steps each run four G
 * functions at once. The message schedule repeats every 10 rounds, so its 40 permuted vectors
 * are built once (EIP-152 allows 2^32-1 rounds). */
#define ROTR32(x) _mm256_shuffle_epi32((x), _MM_SHUFFLE(2, 3, 0, 1))
#define ROTR24(x) _mm256_shuffle_epi8((x), r24)
#define ROTR16(x) _mm256_shuffle_epi8((x), r16)
#define ROTR63(x) _mm256_or_si256(_mm256_srli_epi64((x), 63), _mm256_add_epi64((x), (x)))
#define G4(x, y)                                                         \
    do {                                                                 \
        a = _mm256_add_epi64(_mm256_add_epi64(a, b), (x));               \
        d = ROTR32(_mm256_xor_si256(d, a));                              \
        c = _mm256_add_epi64(c, d);                                      \
        b = ROTR24(_mm256_xor_si256(b, c));                              \
        a = _mm256_add_epi64(_mm256_add_epi64(a, b), (y));               \
        d = ROTR16(_mm256_xor_si256(d, a));                              \
        c = _mm256_add_epi64(c, d);                                      \
        b = ROTR63(_mm256_xor_si256(b, c));                              \
    } while (0)

__attribute__((target("avx2"))) static void compress_avx2(uint64_t h[8], const uint64_t m[16], const uint64_t t[2],
                                                          bool final, uint32_t rounds)
{
    const __m256i r24 = _mm256_setr_epi8(3, 4, 5, 6, 7, 0, 1, 2, 11, 12, 13, 14, 15, 8, 9, 10,
                                         3, 4, 5, 6, 7, 0, 1, 2, 11, 12, 13, 14, 15, 8, 9, 10);
    const __m256i r16 = _mm256_setr_epi8(2, 3, 4, 5, 6, 7, 0, 1, 10, 11, 12, 13, 14, 15, 8, 9,
                                         2, 3, 4, 5, 6, 7, 0, 1, 10, 11, 12, 13, 14, 15, 8, 9);
    __m256i msg[10][4];
    for (int r = 0; r < 10; r++) {
        const uint8_t *s = SIGMA[r];
        msg[r][0] = _mm256_setr_epi64x((long long)m[s[0]], (long long)m[s[2]], (long long)m[s[4]], (long long)m[s[6]]);
        msg[r][1] = _mm256_setr_epi64x((long long)m[s[1]], (long long)m[s[3]], (long long)m[s[5]], (long long)m[s[7]]);
        msg[r][2] = _mm256_setr_epi64x((long long)m[s[8]], (long long)m[s[10]], (long long)m[s[12]], (long long)m[s[14]]);
        msg[r][3] = _mm256_setr_epi64x((long long)m[s[9]], (long long)m[s[11]], (long long)m[s[13]], (long long)m[s[15]]);
    }
    __m256i a = _mm256_loadu_si256((const __m256i *)h);
    __m256i b = _mm256_loadu_si256((const __m256i *)(h + 4));
    __m256i c = _mm256_loadu_si256((const __m256i *)IV);
    __m256i d = _mm256_setr_epi64x((long long)(IV[4] ^ t[0]), (long long)(IV[5] ^ t[1]),
                                   (long long)(final ? ~IV[6] : IV[6]), (long long)IV[7]);
    const __m256i a0 = a, b0 = b;
    uint32_t r10 = 0;
    for (uint32_t r = 0; r < rounds; r++) {
        const __m256i *mv = msg[r10];
        if (++r10 == 10)
            r10 = 0;
        G4(mv[0], mv[1]);
        b = _mm256_permute4x64_epi64(b, _MM_SHUFFLE(0, 3, 2, 1));
        c = _mm256_permute4x64_epi64(c, _MM_SHUFFLE(1, 0, 3, 2));
        d = _mm256_permute4x64_epi64(d, _MM_SHUFFLE(2, 1, 0, 3));
        G4(mv[2], mv[3]);
        b = _mm256_permute4x64_epi64(b, _MM_SHUFFLE(2, 1, 0, 3));
        c = _mm256_permute4x64_epi64(c, _MM_SHUFFLE(1, 0, 3, 2));
        d = _mm256_permute4x64_epi64(d, _MM_SHUFFLE(0, 3, 2, 1));
    }
    a = _mm256_xor_si256(a0, _mm256_xor_si256(a, c));
    b = _mm256_xor_si256(b0, _mm256_xor_si256(b, d));
    _mm256_storeu_si256((__m256i *)h, a);
    _mm256_storeu_si256((__m256i *)(h + 4), b);
}

void pv_blake2b_compress(uint64_t h[8], const uint64_t m[16], const uint64_t t[2], bool final, uint32_t rounds)
{
    if (__builtin_cpu_supports("avx2"))
        compress_avx2(h, m, t, final, rounds);
    else
        compress_scalar(h, m, t, final, rounds);
}
