/* Standalone timing of the point evaluation precompile (0x0a) and of its parts, until
 * `parevm bench precompiles` covers it. Build and run from the repository root:
 *   make build/libparevm.a
 *   cc -O2 -D_GNU_SOURCE -Isrc -o build/bench_point_evaluation bench/bench_point_evaluation.c \
 *      build/libparevm.a -lcrypto -lgmp -lpthread
 *   build/bench_point_evaluation
 * The input is a valid proof of the EIP-4844 tests (go-kzg-4844 vector correct_proof_31ebd010e6098750,
 * in GeneralStateTests/Pyspecs/cancun/eip4844_blobs/point_evaluation_precompile_external_vectors.json). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "crypto/kzg.h"
#include "evm/precompiles.h"
#include "util/hex.h"

static const char *INPUT = "01e798154708fe7789429634053cbf9f99b619f9f084048927333fce637f549b"
                           "73eda753299d7d483339d80809a1d80553bda402fffe5bfeffffffff00000000"
                           "1522a4a7f34e1ea350ae07c29c96c7e79655aa926122e95fe69fcbd932ca49e9"
                           "8f59a8d2a1a625a17f3fea0fe5eb8c896db3764f3185481bc22f91b4aaffcca25f26936857bc3a7c2539ea8ec3a952b7"
                           "a62ad71d14c5719385c0686f1871430475bf3a00f0aa3f7b8dd99a9abc2160744faf0070725e00b60ad9a026a15b1a8c";

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

#define TIME(label, iters, stmt)                                                  \
    do {                                                                          \
        double t0_ = now();                                                       \
        for (int i_ = 0; i_ < (iters); i_++) {                                    \
            stmt;                                                                 \
        }                                                                         \
        printf("%-34s %10.2f us\n", label, (now() - t0_) / (iters) * 1e6);        \
    } while (0)

int main(int argc, char **argv)
{
    int n = argc > 1 ? atoi(argv[1]) : 500;
    uint8_t in[192];
    if (!pv_hex_decode_fixed(INPUT, strlen(INPUT), in, sizeof in))
        return 1;
    pv_precompile_result r = pv_pc_point_evaluation(in, sizeof in, 50000, 0);
    if (!r.ok) {
        fprintf(stderr, "the vector did not verify\n");
        return 1;
    }
    free(r.output);
    volatile int sink = 0;
    /* Per-call times: the minimum and the median resist other load on the machine. */
    double *ts = malloc(sizeof(double) * (size_t)n);
    for (int i = 0; i < n; i++) {
        double t0 = now();
        pv_precompile_result x = pv_pc_point_evaluation(in, sizeof in, 50000, 0);
        ts[i] = now() - t0;
        sink += x.ok;
        free(x.output);
    }
    qsort(ts, (size_t)n, sizeof *ts, cmp_double);
    printf("%-34s %10.2f us (min %.2f us)\n", "point evaluation, median", ts[n / 2] * 1e6, ts[0] * 1e6);
    free(ts);

    pv_bls_g1_affine c, p;
    TIME("  G1 decompress", n, sink += pv_bls_g1_decode_compressed(&c, in + 96));
    TIME("  G1 subgroup check", n, sink += pv_bls_g1_in_subgroup(&c));
    pv_kzg_decode_g1(&p, in + 144);
    pv_bls_g1 g, q;
    pv_bls_g1_from_affine(&g, &c);
    pv_bls_g1_from_affine(&q, &p);
    uint64_t k1[4], k2[4];
    pv_limbs_from_be(k1, in + 32, 4);
    pv_limbs_from_be(k2, in + 64, 4);
    TIME("  G1 mul2 (two 255-bit scalars)", n, pv_bls_g1_mul2(&g, &g, k1, &q, k2));
    pv_bls_g1_affine pts[2] = {c, p};
    const pv_bls_g2_affine *t = pv_kzg_setup_tau_g2();
    pv_bls_g2_prepared *prep = malloc(2 * sizeof *prep);
    pv_bls_g2_prepare(&prep[0], t);
    pv_bls_g2_prepare(&prep[1], t);
    const pv_bls_g2_prepared *qs[2] = {&prep[0], &prep[1]};
    pv_bls_fp12 f;
    TIME("  Miller loop, 2 prepared pairs", n, pv_bls_miller_loop_prepared(&f, pts, qs, 2));
    pv_bls_g2_affine q2[2] = {*t, *t};
    TIME("  Miller loop, 2 pairs (G2 on the fly)", n, pv_bls_miller_loop(&f, pts, q2, 2));
    TIME("  final exponentiation", n, pv_bls_final_exponentiation(&f, &f));
    pv_bls_fp x = c.x;
    TIME("  Fp inversion", n, pv_bls_fp_inv(&x, &x));
    TIME("  Fp multiplication", n * 1000, pv_bls_fp_mul(&x, &x, &c.y));
    printf("(%d iterations; sink %d)\n", n, sink);
    free(prep);
    return 0;
}
