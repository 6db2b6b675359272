/*
 * pv_sort_by_key64 and pv_sort_settle_ties against qsort on (key, original position), which
 * makes the reference stable: random keys of a few sizes of record, with many equal keys (keys
 * drawn from a small range), with random ones and with keys that differ in a few separate bits
 * only (buckets of the first pass that need sorting again), at lengths around the switches.
 */
#include "test.h"

#include <stdbool.h>
#include <string.h>

#include "util/sort.h"

typedef struct rec {
    uint64_t key;
    uint64_t pos;
    uint64_t extra;
} rec;

static uint64_t rng = 0x9e3779b97f4a7c15ULL;
static uint64_t next(void) { return test_xorshift(&rng); }

static int cmp_key_pos(const void *a, const void *b)
{
    const rec *x = a, *y = b;
    if (x->key != y->key)
        return x->key < y->key ? -1 : 1;
    return (x->pos > y->pos) - (x->pos < y->pos);
}

static int cmp_extra(const void *a, const void *b)
{
    const rec *x = a, *y = b;
    if (x->key != y->key)
        return x->key < y->key ? -1 : 1;
    return (x->extra > y->extra) - (x->extra < y->extra);
}

int main(void)
{
    static const size_t lengths[] = {0, 1, 2, 7, 32, 33, 255, 256, 257, 1000, 70000};
    for (size_t li = 0; li < sizeof lengths / sizeof lengths[0]; li++) {
        size_t n = lengths[li];
        for (int mode = 0; mode < 4; mode++) {
            rec *v = malloc((n + 1) * sizeof *v), *ref = malloc((n + 1) * sizeof *ref);
            for (size_t i = 0; i < n; i++) {
                uint64_t k = next();
                if (mode == 1)
                    k %= 50; /* many ties */
                if (mode == 2)
                    k = (k & 0xffff000000000000ULL) | 0x1234; /* only the top digit varies */
                if (mode == 3) /* two separate bytes vary: big buckets sorted again on the low bits */
                    k = (k & 0xff0000000000ULL) | (k & 0xffff);
                v[i] = (rec){k, i, next()};
            }
            memcpy(ref, v, n * sizeof *v);
            qsort(ref, n, sizeof *ref, cmp_key_pos);
            pv_sort_by_key64(v, n, sizeof *v);
            CHECK(n == 0 || memcmp(v, ref, n * sizeof *v) == 0, "n=%zu mode %d: stable order by key", n, mode);
            /* then the ties by a full comparison */
            qsort(ref, n, sizeof *ref, cmp_extra);
            pv_sort_settle_ties(v, n, sizeof *v, cmp_extra);
            bool same = true;
            for (size_t i = 0; i < n && same; i++)
                same = v[i].key == ref[i].key && v[i].extra == ref[i].extra;
            CHECK(same, "n=%zu mode %d: ties settled", n, mode);
            free(v);
            free(ref);
        }
    }
    /* 16-byte records (a key and a pointer-sized field) */
    uint64_t pairs[2 * 5000], want[5000];
    for (size_t i = 0; i < 5000; i++) {
        pairs[2 * i] = want[i] = next() >> 3;
        pairs[2 * i + 1] = i;
    }
    pv_sort_by_key64(pairs, 5000, 16);
    bool sorted = true;
    for (size_t i = 1; i < 5000; i++)
        sorted &= pairs[2 * i - 2] <= pairs[2 * i];
    bool kept = true;
    for (size_t i = 0; i < 5000; i++)
        kept &= want[pairs[2 * i + 1]] == pairs[2 * i];
    CHECK(sorted && kept, "16-byte records sorted with their payload");
    TEST_DONE();
}
