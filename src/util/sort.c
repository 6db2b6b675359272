#include "sort.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static inline uint64_t key_at(const unsigned char *p)
{
    uint64_t k;
    memcpy(&k, p, 8);
    return k;
}

static void insertion(unsigned char *b, size_t n, size_t size, int (*cmp)(const void *, const void *))
{
    unsigned char x[64];
    for (size_t i = 1; i < n; i++) {
        if (cmp ? cmp(b + (i - 1) * size, b + i * size) <= 0 : key_at(b + (i - 1) * size) <= key_at(b + i * size))
            continue;
        memcpy(x, b + i * size, size);
        size_t j = i;
        while (j > 0 && (cmp ? cmp(b + (j - 1) * size, x) > 0 : key_at(b + (j - 1) * size) > key_at(x))) {
            memcpy(b + j * size, b + (j - 1) * size, size);
            j--;
        }
        memcpy(b + j * size, x, size);
    }
}

void pv_sort_by_key64(void *base, size_t n, size_t size)
{
    unsigned char *v = base;
    if (n < 256) {
        insertion(v, n, size, NULL);
        return;
    }
    unsigned char *tmp = malloc(n * size);
    uint32_t *count = malloc(65536 * sizeof *count);
    if (!tmp || !count) {
        fputs("parevm: out of memory (sort)\n", stderr);
        abort();
    }
    unsigned char *src = v, *dst = tmp;
    for (int shift = 0; shift < 64; shift += 16) {
        memset(count, 0, 65536 * sizeof *count);
        for (size_t i = 0; i < n; i++)
            count[(key_at(src + i * size) >> shift) & 0xffff]++;
        if (count[(key_at(src) >> shift) & 0xffff] == n)
            continue; /* every key has this digit: the pass would move nothing */
        uint32_t sum = 0;
        for (size_t d = 0; d < 65536; d++) {
            uint32_t c = count[d];
            count[d] = sum;
            sum += c;
        }
        for (size_t i = 0; i < n; i++)
            memcpy(dst + (size_t)count[(key_at(src + i * size) >> shift) & 0xffff]++ * size, src + i * size, size);
        unsigned char *t = src;
        src = dst;
        dst = t;
    }
    if (src != v)
        memcpy(v, src, n * size);
    free(tmp);
    free(count);
}

void pv_sort_settle_ties(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *))
{
    unsigned char *v = base;
    for (size_t i = 0; i < n;) {
        size_t j = i + 1;
        uint64_t k = key_at(v + i * size);
        while (j < n && key_at(v + j * size) == k)
            j++;
        if (j - i > 32)
            qsort(v + i * size, j - i, size, cmp);
        else if (j - i > 1)
            insertion(v + i * size, j - i, size, cmp);
        i = j;
    }
}
