/*
 * `parevm bench hash`: Keccak-256 one message at a time (pv_keccak256) against the batched hash
 * (pv_keccak256_batch) at the sizes the state code hashes (32-byte keys, one rate block, a
 * receipt's leaf node, 1 KiB), then the tries that batching is for, on one thread: a
 * receipts-root-like ordered trie and a state-like secure trie, each hashed node by node
 * (pv_trie_root_unbatched, as before batching) and with the batched leaf pass (pv_trie_root).
 * The two roots of each trie must agree (exit status 1 otherwise).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "commands.h"
#include "state/trie.h"
#include "util/keccak.h"

static clockid_t hash_clock = CLOCK_MONOTONIC;

static double now_s(void)
{
    struct timespec t;
    clock_gettime(hash_clock, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static uint64_t hash_rng = 0x9e3779b97f4a7c15ULL;
static uint64_t rnd(void)
{
    hash_rng ^= hash_rng << 13;
    hash_rng ^= hash_rng >> 7;
    hash_rng ^= hash_rng << 17;
    return hash_rng;
}

static void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p) {
        fprintf(stderr, "parevm bench hash: out of memory\n");
        exit(1);
    }
    return p;
}

#define SAMPLES 7
#define SAMPLE_SECONDS 0.02
#define WARMUP_SECONDS 0.02

/* Messages hashed per call: the same count both ways, a realistic trie chunk, in L2 together. */
#define MSGS 256

typedef struct msg_set {
    const uint8_t *data[MSGS];
    size_t lens[MSGS];
    uint8_t out[MSGS][32];
} msg_set;

static void hash_scalar(msg_set *m)
{
    for (size_t i = 0; i < MSGS; i++)
        pv_keccak256(m->data[i], m->lens[i], m->out[i]);
}

static void hash_batch(msg_set *m)
{
    pv_keccak256_batch(m->data, m->lens, MSGS, m->out);
}

/* Median seconds per call of fn(m) over SAMPLES timed batches, sized from a warm-up. */
static double time_hash(void (*fn)(msg_set *), msg_set *m)
{
    long calls = 0;
    double t0 = now_s(), elapsed;
    do {
        fn(m);
        calls++;
        elapsed = now_s() - t0;
    } while (elapsed < WARMUP_SECONDS);
    long per = (long)(SAMPLE_SECONDS / (elapsed / (double)calls)) + 1;
    double s[SAMPLES];
    for (int k = 0; k < SAMPLES; k++) {
        double t = now_s();
        for (long i = 0; i < per; i++)
            fn(m);
        s[k] = (now_s() - t) / (double)per;
    }
    qsort(s, SAMPLES, sizeof s[0], cmp_double);
    return s[SAMPLES / 2];
}

/* ---- tries ---- */

#define TRIE_RUNS 5

typedef struct trie_case {
    const char *name;
    size_t n;
    pv_trie_entry *entries;   /* the input; each run sorts a copy */
    bool secure;
} trie_case;

/* One root: batched or as before (keys hashed one by one for the secure trie, nodes hashed as
 * the encoder meets them). */
static pv_bytes32 trie_root(const trie_case *c, pv_trie_entry *work, uint8_t (*keys)[32], bool batched)
{
    if (c->secure && batched)
        return pv_trie_root_secure(c->entries, c->n);
    memcpy(work, c->entries, c->n * sizeof *work);
    if (c->secure) {
        for (size_t i = 0; i < c->n; i++) {
            pv_keccak256(work[i].key, work[i].key_len, keys[i]);
            work[i].key = keys[i];
            work[i].key_len = 32;
        }
    }
    return batched ? pv_trie_root(work, c->n) : pv_trie_root_unbatched(work, c->n);
}

/* Median milliseconds of TRIE_RUNS roots (after one untimed run), the root in *root. */
static double time_trie(const trie_case *c, bool batched, pv_bytes32 *root)
{
    pv_trie_entry *work = xmalloc(c->n * sizeof *work);
    uint8_t (*keys)[32] = xmalloc(c->n * 32);
    *root = trie_root(c, work, keys, batched);
    double s[TRIE_RUNS];
    for (int k = 0; k < TRIE_RUNS; k++) {
        double t = now_s();
        trie_root(c, work, keys, batched);
        s[k] = (now_s() - t) * 1e3;
    }
    free(work);
    free(keys);
    qsort(s, TRIE_RUNS, sizeof s[0], cmp_double);
    return s[TRIE_RUNS / 2];
}


int pv_bench_hash(int argc, char **argv)
{
    bool json = false;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--json") == 0) {
            json = true;
        } else if (strcmp(argv[i], "--cpu") == 0) {
            hash_clock = CLOCK_THREAD_CPUTIME_ID;
        } else {
            fprintf(stderr, "error: unknown option '%s'\nusage: parevm bench hash [--json] [--cpu]\n", argv[i]);
            return 2;
        }
    }
    static const size_t sizes[] = {32, 136, 280, 1024};
    enum { NSIZES = sizeof sizes / sizeof sizes[0], MAXSIZE = 1024 };
    uint8_t *pool = xmalloc((size_t)MSGS * (MAXSIZE + 8));
    for (size_t i = 0; i < (size_t)MSGS * (MAXSIZE + 8); i++)
        pool[i] = (uint8_t)rnd();
    msg_set *m = xmalloc(sizeof *m);
    if (!json)
        printf("keccak-256, %d messages per call: median of %d samples (>= %.0f ms each), %s time\n"
               "%-10s %14s %14s %9s\n", MSGS, SAMPLES, SAMPLE_SECONDS * 1e3,
               hash_clock == CLOCK_MONOTONIC ? "wall-clock" : "thread CPU", "size", "single MB/s", "batch MB/s",
               "speed-up");
    for (size_t s = 0; s < NSIZES; s++) {
        for (size_t i = 0; i < MSGS; i++) {
            m->data[i] = pool + i * (MAXSIZE + 8);
            m->lens[i] = sizes[s];
        }
        double bytes = (double)MSGS * (double)sizes[s];
        double scalar = bytes / time_hash(hash_scalar, m) / 1e6;
        double batch = bytes / time_hash(hash_batch, m) / 1e6;
        if (json)
            printf("{\"case\":\"keccak_%zuB\",\"bytes\":%zu,\"scalar_mb_per_s\":%.1f,\"batch_mb_per_s\":%.1f,"
                   "\"speedup\":%.2f}\n", sizes[s], sizes[s], scalar, batch, batch / scalar);
        else
            printf("%-10zu %14.1f %14.1f %8.2fx\n", sizes[s], scalar, batch, batch / scalar);
        fflush(stdout);
    }
    free(m);

    /* A receipts-root-like ordered trie (50,000 values of 270 bytes: 3-block leaves) and a
     * state-like secure trie (50,000 20-byte keys, 70-byte values: 1-block keys and leaves). */
    enum { TRIE_N = 50000, RECEIPT = 270, ACCOUNT = 70 };
    uint8_t *vals = xmalloc((size_t)TRIE_N * RECEIPT);
    for (size_t i = 0; i < (size_t)TRIE_N * RECEIPT; i++)
        vals[i] = (uint8_t)rnd();
    uint8_t (*ikeys)[9] = xmalloc((size_t)TRIE_N * 9);
    uint8_t (*addrs)[20] = xmalloc((size_t)TRIE_N * 20);
    for (size_t i = 0; i < (size_t)TRIE_N * 20; i++)
        addrs[0][i] = (uint8_t)rnd();
    pv_trie_entry *ordered = xmalloc(TRIE_N * sizeof *ordered), *secure = xmalloc(TRIE_N * sizeof *secure);
    for (size_t i = 0; i < TRIE_N; i++) {
        ordered[i] = (pv_trie_entry){ikeys[i], pv_trie_ordered_key(i, ikeys[i]), vals + i * RECEIPT, RECEIPT};
        secure[i] = (pv_trie_entry){addrs[i], 20, vals + i * RECEIPT, ACCOUNT};
    }
    const trie_case tries[] = {
        {"ordered_trie_50000x270B", TRIE_N, ordered, false},
        {"secure_trie_50000x70B", TRIE_N, secure, true},
    };
    if (!json)
        printf("\ntrie roots on 1 thread: median of %d runs\n%-26s %16s %16s %9s\n", TRIE_RUNS, "trie",
               "node by node ms", "batched ms", "speed-up");
    int bad = 0;
    for (size_t t = 0; t < sizeof tries / sizeof tries[0]; t++) {
        pv_bytes32 r1, r2;
        double before = time_trie(&tries[t], false, &r1);
        double after = time_trie(&tries[t], true, &r2);
        bool same = pv_bytes32_eq(&r1, &r2);
        bad += !same;
        if (json)
            printf("{\"case\":\"%s\",\"entries\":%zu,\"threads\":1,\"unbatched_ms\":%.3f,\"batched_ms\":%.3f,"
                   "\"speedup\":%.2f,\"same_root\":%s}\n", tries[t].name, tries[t].n, before, after,
                   before / after, same ? "true" : "false");
        else
            printf("%-26s %16.2f %16.2f %8.2fx%s\n", tries[t].name, before, after, before / after,
                   same ? "" : "  ROOTS DIFFER");
        fflush(stdout);
    }
    free(ordered);
    free(secure);
    free(addrs);
    free(ikeys);
    free(vals);
    free(pool);
    return bad ? 1 : 0;
}
