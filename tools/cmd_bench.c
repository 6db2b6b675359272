/*
 * `parevm bench SUBCOMMAND`: performance measurements. Each subcommand is one entry of the table
 * below (name, usage, function); `precompiles` times the precompiled contracts on valid inputs.
 */
#include <secp256k1.h>
#include <secp256k1_recovery.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "commands.h"
#include "crypto/bn254_group.h"
#include "evm/precompiles.h"
#include "util/hex.h"

/* ---- timing ---- */

/* Wall-clock time by default; --cpu measures the thread's CPU time instead (steadier on a
 * machine shared with other work). */
static clockid_t bench_clock = CLOCK_MONOTONIC;

static double now_s(void)
{
    struct timespec t;
    clock_gettime(bench_clock, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* ---- precompiles ---- */

typedef struct pc_case {
    const char *name;
    int id;
    uint8_t *in;
    size_t len;
} pc_case;

#define MAX_CASES 24
#define BATCHES 7
#define BATCH_SECONDS 0.02
#define WARMUP_SECONDS 0.03

static uint64_t bench_rng = 0x2545f4914f6cdd1dULL;
static uint64_t rnd(void)
{
    bench_rng ^= bench_rng << 13;
    bench_rng ^= bench_rng >> 7;
    bench_rng ^= bench_rng << 17;
    return bench_rng;
}

static uint8_t *xmalloc(size_t n)
{
    uint8_t *p = malloc(n ? n : 1);
    if (!p)
        abort();
    return p;
}

static void add_case(pc_case *cases, int *n, const char *name, int id, uint8_t *in, size_t len)
{
    if (*n == MAX_CASES)
        abort();
    cases[(*n)++] = (pc_case){name, id, in, len};
}

/* ECRECOVER input signed with libsecp256k1 (a fixed key and message). */
static uint8_t *ecrecover_input(void)
{
    uint8_t *in = xmalloc(128), key[32];
    memset(in, 0, 128);
    for (int i = 0; i < 32; i++) {
        in[i] = (uint8_t)rnd();
        key[i] = (uint8_t)(i + 1);
    }
    secp256k1_context *ctx = secp256k1_context_create(SECP256K1_CONTEXT_SIGN);
    secp256k1_ecdsa_recoverable_signature sig;
    int recid = 0;
    if (!secp256k1_ecdsa_sign_recoverable(ctx, &sig, in, key, NULL, NULL))
        abort();
    secp256k1_ecdsa_recoverable_signature_serialize_compact(ctx, in + 64, &recid, &sig);
    in[63] = (uint8_t)(27 + recid);
    secp256k1_context_destroy(ctx);
    return in;
}

static uint8_t *random_bytes(size_t n)
{
    uint8_t *b = xmalloc(n);
    for (size_t i = 0; i < n; i++)
        b[i] = (uint8_t)rnd();
    return b;
}

/* MODEXP with base, exponent and modulus of n bytes each (full-length exponent, odd modulus). */
static uint8_t *modexp_input(size_t n, size_t *len)
{
    *len = 96 + 3 * n;
    uint8_t *in = xmalloc(*len);
    memset(in, 0, 96);
    for (int f = 0; f < 3; f++) {
        in[32 * f + 30] = (uint8_t)(n >> 8);
        in[32 * f + 31] = (uint8_t)n;
    }
    for (size_t i = 96; i < *len; i++)
        in[i] = (uint8_t)rnd();
    in[96 + n] |= 0x80;                      /* exponent top bit */
    in[96 + 2 * n] |= 0x80;                  /* modulus top bit */
    in[*len - 1] |= 1;                       /* odd modulus */
    return in;
}

static void g1_encode(uint8_t out[64], const pv_bn254_g1 *p)
{
    pv_bn254_g1_affine a;
    pv_bn254_g1_to_affine(&a, p);
    pv_bn254_fp_to_be(out, &a.x);
    pv_bn254_fp_to_be(out + 32, &a.y);
}

/* A random multiple of the G1 generator (1, 2). */
static void random_g1(uint8_t out[64])
{
    pv_bn254_g1_affine g = {.inf = false};
    pv_bn254_fp_set_u64(&g.x, 1);
    pv_bn254_fp_set_u64(&g.y, 2);
    uint64_t k[4] = {rnd(), rnd(), rnd(), rnd() >> 3};
    pv_bn254_g1 p;
    pv_bn254_g1_mul_glv(&p, &g, k);
    g1_encode(out, &p);
}

/* A random multiple of the G2 generator of EIP-197, encoded x_im, x_re, y_im, y_re. */
static void random_g2(uint8_t out[128])
{
    static const char *gen[4] = {"198e9393920d483a7260bfb731fb5d25f1aa493335a9e71297e485b7aef312c2",
                                 "1800deef121f1e76426a00665e5c4479674322d4f75edadd46debd5cd992f6ed",
                                 "090689d0585ff075ec9e99ad690c3395bc4b313370b38ef355acdadcd122975b",
                                 "12c85ea5db8c6deb4aab71808dcb408fe3d1e7690c43d37b4ce6cc0166fa7daa"};
    pv_bn254_g2_affine q = {.inf = false};
    pv_bn254_fp *c[4] = {&q.x.c1, &q.x.c0, &q.y.c1, &q.y.c0};
    for (int i = 0; i < 4; i++) {
        uint8_t be[32];
        pv_hex_decode_fixed(gen[i], 64, be, 32);
        pv_bn254_fp_from_be(c[i], be);
    }
    uint64_t k[4] = {rnd(), rnd(), rnd(), rnd() >> 3};
    pv_bn254_g2 Q;
    pv_bn254_g2_from_affine(&Q, &q);
    pv_bn254_g2_mul(&Q, &Q, k, 4);
    pv_bn254_g2_to_affine(&q, &Q);
    const pv_bn254_fp *o[4] = {&q.x.c1, &q.x.c0, &q.y.c1, &q.y.c0};
    for (int i = 0; i < 4; i++)
        pv_bn254_fp_to_be(out + 32 * i, o[i]);
}

static uint8_t *pairing_input(size_t pairs, size_t *len)
{
    *len = 192 * pairs;
    uint8_t *in = xmalloc(*len);
    for (size_t i = 0; i < pairs; i++) {
        random_g1(in + 192 * i);
        random_g2(in + 192 * i + 64);
    }
    return in;
}

/* A valid KZG proof (ethereum-tests GeneralStateTests/Pyspecs/cancun/eip4844_blobs/
 * point_evaluation_precompile_external_vectors.json, verify_kzg_proof_case_correct_proof_31ebd010e6098750):
 * versioned hash, z, y, commitment, proof. */
static const char point_evaluation_hex[] =
    "01e798154708fe7789429634053cbf9f99b619f9f084048927333fce637f549b"
    "73eda753299d7d483339d80809a1d80553bda402fffe5bfeffffffff00000000"
    "1522a4a7f34e1ea350ae07c29c96c7e79655aa926122e95fe69fcbd932ca49e9"
    "8f59a8d2a1a625a17f3fea0fe5eb8c896db3764f3185481bc22f91b4aaffcca25f26936857bc3a7c2539ea8ec3a952b7"
    "a62ad71d14c5719385c0686f1871430475bf3a00f0aa3f7b8dd99a9abc2160744faf0070725e00b60ad9a026a15b1a8c";

static int build_cases(pc_case *cases)
{
    int n = 0;
    size_t len;
    uint8_t *in;
    add_case(cases, &n, "ecrecover", 1, ecrecover_input(), 128);
    add_case(cases, &n, "sha256_64B", 2, random_bytes(64), 64);
    add_case(cases, &n, "sha256_1KiB", 2, random_bytes(1024), 1024);
    in = modexp_input(32, &len);
    add_case(cases, &n, "modexp_32B", 5, in, len);
    in = modexp_input(128, &len);
    add_case(cases, &n, "modexp_128B", 5, in, len);
    in = modexp_input(256, &len);
    add_case(cases, &n, "modexp_256B", 5, in, len);
    in = xmalloc(128);
    random_g1(in);
    random_g1(in + 64);
    add_case(cases, &n, "ecadd", 6, in, 128);
    in = xmalloc(96);
    random_g1(in);
    for (int i = 64; i < 96; i++)
        in[i] = (uint8_t)rnd();
    add_case(cases, &n, "ecmul", 7, in, 96);
    in = pairing_input(1, &len);
    add_case(cases, &n, "ecpairing_1", 8, in, len);
    in = pairing_input(2, &len);
    add_case(cases, &n, "ecpairing_2", 8, in, len);
    in = pairing_input(4, &len);
    add_case(cases, &n, "ecpairing_4", 8, in, len);
    in = xmalloc(192);
    pv_hex_decode_fixed(point_evaluation_hex, sizeof point_evaluation_hex - 1, in, 192);
    add_case(cases, &n, "point_evaluation", 10, in, 192);
    return n;
}

static const int64_t BENCH_GAS = (int64_t)1 << 40;

/* Seconds per call over `iters` calls. */
static double time_calls(const pc_case *c, long iters)
{
    double t0 = now_s();
    for (long i = 0; i < iters; i++) {
        pv_precompile_result r = pv_precompile_run(c->id, c->in, c->len, BENCH_GAS, PV_CANCUN);
        free(r.output);
    }
    return (now_s() - t0) / (double)iters;
}

static int bench_precompiles(int argc, char **argv)
{
    bool json = false;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--json") == 0) {
            json = true;
        } else if (strcmp(argv[i], "--cpu") == 0) {
            bench_clock = CLOCK_THREAD_CPUTIME_ID;
        } else {
            fprintf(stderr, "error: unknown option '%s'\nusage: parevm bench precompiles [--json] [--cpu]\n", argv[i]);
            return 2;
        }
    }
    pc_case cases[MAX_CASES];
    int n = build_cases(cases);
    int timed = 0, rejected = 0;
    if (!json)
        printf("precompiles at Cancun prices: median of %d batches (>= %.0f ms each) after warm-up, %s time\n"
               "%-18s %8s %12s %10s\n", BATCHES, BATCH_SECONDS * 1e3,
               bench_clock == CLOCK_MONOTONIC ? "wall-clock" : "thread CPU", "case", "gas", "us/call", "Mgas/s");
    for (int i = 0; i < n; i++) {
        const pc_case *c = &cases[i];
        /* The input must be accepted before anything is timed. */
        pv_precompile_result r = pv_precompile_run(c->id, c->in, c->len, BENCH_GAS, PV_CANCUN);
        free(r.output);
        if (!r.ok) {
            const char *why = "input rejected";
            rejected++;
            if (json)
                printf("{\"case\":\"%s\",\"us_per_call\":null,\"mgas_per_s\":null,\"gas\":null,\"error\":\"%s\"}\n",
                       c->name, why);
            else
                printf("%-18s %8s %23s\n", c->name, "-", why);
            continue;
        }
        int64_t gas = r.gas_used;
        /* Warm up, size the batches from the warm-up rate, then time. */
        long iters = 0;
        double t0 = now_s(), elapsed;
        do {
            time_calls(c, 1);
            iters++;
            elapsed = now_s() - t0;
        } while (elapsed < WARMUP_SECONDS);
        long per_batch = (long)(BATCH_SECONDS / (elapsed / (double)iters)) + 1;
        double samples[BATCHES];
        for (int b = 0; b < BATCHES; b++)
            samples[b] = time_calls(c, per_batch);
        qsort(samples, BATCHES, sizeof samples[0], cmp_double);
        double us = samples[BATCHES / 2] * 1e6;
        double mgas = (double)gas / us;      /* gas per microsecond = Mgas per second */
        timed++;
        if (json)
            printf("{\"case\":\"%s\",\"us_per_call\":%.3f,\"mgas_per_s\":%.2f,\"gas\":%lld}\n", c->name, us, mgas,
                   (long long)gas);
        else
            printf("%-18s %8lld %12.3f %10.2f\n", c->name, (long long)gas, us, mgas);
        fflush(stdout);
    }
    if (!json)
        printf("%d cases: %d timed, %d rejected\n", n, timed, rejected);
    for (int i = 0; i < n; i++)
        free(cases[i].in);
    return rejected ? 1 : 0;
}

/* ---- subcommand table ---- */

typedef struct bench_cmd {
    const char *name;
    const char *usage;
    int (*run)(int argc, char **argv);
} bench_cmd;

static const bench_cmd bench_cmds[] = {
    {"precompiles", "precompiles [--json] [--cpu]   time each precompile on valid inputs", bench_precompiles},
    {"evm", "evm [--filter RE] [--json]       the interpreter on the EVM benchmark suite", pv_bench_evm},
    {"blocks", "blocks [--workload W] [--gas G] [--hot-ratio R | --sweep] [--db-latency-us N]\n"
               "         [--threads N] [--repeat K] [--json] [--svg FILE]   synthetic blocks, sequential vs parallel",
     pv_bench_blocks},
    {"mainnet", "mainnet [--threads N] [--repeat K] [--json] [--svg FILE] [FILE...]   the fixture blocks",
     pv_bench_mainnet},
    {"hash", "hash [--json] [--cpu]          keccak-256 one by one vs batched; trie roots before/after batching",
     pv_bench_hash},
};

static void bench_usage(FILE *out)
{
    fprintf(out, "usage: parevm bench <subcommand> [options]\n\nsubcommands:\n");
    for (size_t i = 0; i < sizeof bench_cmds / sizeof bench_cmds[0]; i++)
        fprintf(out, "  %s\n", bench_cmds[i].usage);
}

int pv_cmd_bench(int argc, char **argv)
{
    if (argc < 2) {
        bench_usage(stderr);
        return 2;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "help") == 0) {
        bench_usage(stdout);
        return 0;
    }
    for (size_t i = 0; i < sizeof bench_cmds / sizeof bench_cmds[0]; i++)
        if (strcmp(argv[1], bench_cmds[i].name) == 0)
            return bench_cmds[i].run(argc - 1, argv + 1);
    fprintf(stderr, "parevm bench: unknown subcommand '%s'\n", argv[1]);
    bench_usage(stderr);
    return 2;
}
