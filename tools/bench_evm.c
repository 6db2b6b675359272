/*
 * `parevm bench evm`: the interpreter on the standard EVM benchmark suite
 * (fixtures/evm-benchmarks, FORMAT.md): each case's code run as a plain top-level CALL at the
 * Istanbul rules on fresh state, checked against expected-results.json, timed over repeated
 * runs after a warm-up. "execute": code analysis (JUMPDEST map) cached, as a client does for
 * deployed code; "total": analysis included in every run.
 */
#include <jansson.h>
#include <math.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "evm/interp.h"
#include "exec/host_impl.h"
#include "util/clock.h"
#include "util/hex.h"
#include "util/keccak.h"

static double now_us(void) { return (double)pv_now_ns() * 1e-3; }

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

typedef struct bench_case {
    char name[300];
    uint8_t *code;
    size_t code_len;
    uint8_t *input;
    size_t input_len;
    bool has_expected;
    uint64_t expected_gas;
    uint8_t *expected_out;
    size_t expected_out_len;
} bench_case;

static const pv_address CONTRACT = {{0xbe, 0x7c, 0x43, 0xa5, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}};
static const pv_address CALLER = {{0xa9, 0x4f, 0x53, 0x74, 0xfc, 0xe5, 0xed, 0xbc, 0x8e, 0x2a,
                                   0x8a, 0x69, 0x7c, 0x15, 0x33, 0x16, 0x77, 0xe6, 0xeb, 0x0b}};
#define GAS_LIMIT 1000000000LL

typedef struct runner {
    pv_world *world;
    pv_state *st;
    pv_block_env env;
} runner;

/* One run: fresh state (storage writes of the previous run discarded), a top-level CALL. */
static pv_result run_case(runner *rn, const bench_case *c, const pv_code *code)
{
    pv_state_reset(rn->st, pv_world_source(rn->world));
    pv_state_host host;
    pv_state_host_init(&host, rn->st, PV_ISTANBUL, &rn->env);
    host.ctx.origin = CALLER;
    host.ctx.gas_price = u256_from_u64(1);
    host.ctx.number = 1;
    host.ctx.gas_limit = GAS_LIMIT;
    host.ctx.chain_id = u256_from_u64(1);
    pv_message msg;
    memset(&msg, 0, sizeof msg);
    msg.kind = PV_CALL;
    msg.gas = GAS_LIMIT;
    msg.recipient = CONTRACT;
    msg.code_address = CONTRACT;
    msg.sender = CALLER;
    msg.input = c->input;
    msg.input_size = c->input_len;
    return pv_execute(&host.base, PV_ISTANBUL, &msg, code);
}

typedef struct timing {
    double execute_min, execute_median, total_min, total_median;
} timing;

/* Times `iters`-long batches until both at least min_batches batches and min_us have passed. */
static void time_case(runner *rn, const bench_case *c, const pv_code *cached, bool total, double *min, double *median)
{
    /* warm-up, and the batch size: about 2 ms per batch */
    double t0 = now_us();
    unsigned iters = 0;
    do {
        pv_code *fresh = total ? pv_code_new(c->code, c->code_len) : NULL;
        pv_result r = run_case(rn, c, total ? fresh : cached);
        free(r.output);
        pv_code_free(fresh);
        iters++;
    } while (now_us() - t0 < 20000 && iters < 100000);
    double per = (now_us() - t0) / iters;
    unsigned batch = per > 2000 ? 1 : (unsigned)(2000 / per) + 1;
    double samples[400];
    unsigned n = 0;
    double start = now_us();
    while (n < 400 && (n < 15 || now_us() - start < 300000)) {
        double b0 = now_us();
        for (unsigned k = 0; k < batch; k++) {
            pv_code *fresh = total ? pv_code_new(c->code, c->code_len) : NULL;
            pv_result r = run_case(rn, c, total ? fresh : cached);
            free(r.output);
            pv_code_free(fresh);
        }
        samples[n++] = (now_us() - b0) / batch;
        if (n >= 5 && per > 200000)
            break; /* very long cases: five runs are plenty */
    }
    qsort(samples, n, sizeof *samples, cmp_double);
    *min = samples[0];
    *median = n % 2 ? samples[n / 2] : (samples[n / 2 - 1] + samples[n / 2]) / 2;
}

static const char *fixtures_dir(void)
{
    const char *d = getenv("PAREVM_FIXTURES");
    return d && *d ? d : "../shared/fixtures";
}

/* Loads the cases of one benchmark file (name `folder/stem/label`). */
static size_t load_file(const char *dir, const char *folder, const char *file, bench_case *out, size_t cap,
                        char **err)
{
    char path[8400];
    snprintf(path, sizeof path, "%s/benchmarks/%s/%s", dir, folder, file);
    json_error_t je;
    json_t *root = json_load_file(path, 0, &je);
    if (!root) {
        if (asprintf(err, "%s: %s", path, je.text) < 0)
            abort();
        return 0;
    }
    const char *tname;
    json_t *t;
    size_t n = 0;
    json_object_foreach(root, tname, t) {
        const char *code_hex = json_string_value(json_object_get(json_object_get(json_object_get(t, "pre"),
                                                                                 "0xbe7c43a580000000000000000000000000000001"),
                                                                 "code"));
        json_t *data = json_object_get(json_object_get(t, "transaction"), "data");
        json_t *labels = json_object_get(json_object_get(t, "_info"), "labels");
        if (!code_hex || !json_is_array(data)) {
            if (asprintf(err, "%s: pre[contract].code or transaction.data missing", path) < 0)
                abort();
            break;
        }
        char stem[256];
        snprintf(stem, sizeof stem, "%s", file);
        char *dot = strstr(stem, ".json");
        if (dot)
            *dot = 0;
        for (size_t i = 0; i < json_array_size(data) && n < cap; i++) {
            bench_case *c = &out[n];
            memset(c, 0, sizeof *c);
            char idx[24];
            snprintf(idx, sizeof idx, "%zu", i);
            const char *label = json_string_value(json_object_get(labels, idx));
            snprintf(c->name, sizeof c->name, "%s/%s/%s", folder, stem, label ? label : idx);
            const char *in_hex = json_string_value(json_array_get(data, i));
            if (!pv_hex_decode_alloc(code_hex, strlen(code_hex), &c->code, &c->code_len) || !in_hex ||
                !pv_hex_decode_alloc(in_hex, strlen(in_hex), &c->input, &c->input_len)) {
                if (asprintf(err, "%s: bad hex in code or data[%zu]", path, i) < 0)
                    abort();
                free(c->code);
                break;
            }
            n++;
        }
    }
    json_decref(root);
    return n;
}

static void attach_expected(const char *dir, bench_case *cs, size_t n)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/expected-results.json", dir);
    json_t *root = json_load_file(path, 0, NULL);
    json_t *cases = json_object_get(root, "cases");
    for (size_t i = 0; i < json_array_size(cases); i++) {
        json_t *e = json_array_get(cases, i);
        const char *name = json_string_value(json_object_get(e, "case"));
        json_t *ist = json_object_get(e, "Istanbul");
        for (size_t k = 0; name && k < n; k++) {
            if (strcmp(cs[k].name, name) != 0)
                continue;
            json_t *gas = json_object_get(ist, "gas_used");
            const char *outp = json_string_value(json_object_get(ist, "output"));
            if (json_is_integer(gas) && outp &&
                pv_hex_decode_alloc(outp, strlen(outp), &cs[k].expected_out, &cs[k].expected_out_len)) {
                cs[k].expected_gas = (uint64_t)json_integer_value(gas);
                cs[k].has_expected = true;
            }
        }
    }
    json_decref(root);
}

int pv_bench_evm(int argc, char **argv)
{
    const char *usage = "usage: parevm bench evm [--filter REGEX] [--json]\n";
    bool json = false;
    const char *filter = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--json") == 0)
            json = true;
        else if (strcmp(argv[i], "--filter") == 0 && i + 1 < argc)
            filter = argv[++i];
        else {
            fprintf(stderr, "parevm bench evm: unknown option '%s'\n%s", argv[i], usage);
            return 2;
        }
    }
    regex_t re;
    if (filter && regcomp(&re, filter, REG_EXTENDED | REG_NOSUB) != 0) {
        fprintf(stderr, "parevm bench evm: bad --filter regular expression '%s'\n", filter);
        return 2;
    }
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/evm-benchmarks", fixtures_dir());
    static const char *const files[][2] = {
        {"main", "blake2b_huff.json"}, {"main", "blake2b_shifts.json"},  {"main", "sha1_divs.json"},
        {"main", "sha1_shifts.json"},  {"main", "snailtracer.json"},     {"main", "structarray_alloc.json"},
        {"main", "swap_math.json"},    {"main", "weierstrudel.json"},    {"micro", "JUMPDEST_n0.json"},
        {"micro", "jump_around.json"}, {"micro", "loop_with_many_jumpdests.json"},
        {"micro", "memory_grow_mload.json"}, {"micro", "memory_grow_mstore.json"}, {"micro", "signextend.json"},
    };
    bench_case cases[64];
    size_t n = 0;
    for (size_t f = 0; f < sizeof files / sizeof files[0]; f++) {
        char *err = NULL;
        n += load_file(dir, files[f][0], files[f][1], cases + n, 64 - n, &err);
        if (err) {
            fprintf(stderr, "parevm bench evm: %s\n", err);
            free(err);
            return 1;
        }
    }
    attach_expected(dir, cases, n);
    runner rn;
    memset(&rn, 0, sizeof rn);
    int failed = 0, ran = 0;
    double log_sum = 0;
    int main_cases = 0;
    if (!json)
        printf("%-42s %12s %12s %12s %12s %12s\n", "case", "execute min", "execute med", "total min", "total med",
               "gas used");
    for (size_t i = 0; i < n; i++) {
        bench_case *c = &cases[i];
        if (filter && regexec(&re, c->name, 0, NULL, 0) != 0)
            continue;
        rn.world = pv_world_new();
        u256 zero = u256_zero();
        pv_world_put_account(rn.world, &CONTRACT, 1, &zero, c->code, c->code_len);
        pv_world_seal(rn.world);
        rn.st = pv_state_new(rn.world);
        pv_bytes32 h;
        pv_keccak256(c->code, c->code_len, h.b);
        const pv_code *cached = pv_code_get(c->code, c->code_len, &h);
        /* correctness first */
        pv_result r = run_case(&rn, c, cached);
        uint64_t gas_used = (uint64_t)(GAS_LIMIT - r.gas_left);
        /* A case without an expected result is a failure, not a pass: nothing was checked. */
        bool ok = r.status == PV_SUCCESS && c->has_expected && gas_used == c->expected_gas &&
                  r.output_size == c->expected_out_len &&
                  (r.output_size == 0 || memcmp(r.output, c->expected_out, r.output_size) == 0);
        free(r.output);
        if (!ok) {
            failed++;
            fprintf(stderr, "parevm bench evm: %s: wrong result (status %s, gas %llu, expected %llu)\n", c->name,
                    pv_status_name(r.status), (unsigned long long)gas_used, (unsigned long long)c->expected_gas);
        }
        timing t;
        time_case(&rn, c, cached, false, &t.execute_min, &t.execute_median);
        time_case(&rn, c, cached, true, &t.total_min, &t.total_median);
        ran++;
        if (strncmp(c->name, "main/", 5) == 0) {
            log_sum += log(t.total_median);
            main_cases++;
        }
        if (json)
            printf("{\"case\":\"%s\",\"execute_median_us\":%.3f,\"total_median_us\":%.3f,\"execute_min_us\":%.3f,"
                   "\"total_min_us\":%.3f,\"gas_used\":%llu,\"ok\":%s}\n",
                   c->name, t.execute_median, t.total_median, t.execute_min, t.total_min,
                   (unsigned long long)gas_used, ok ? "true" : "false");
        else
            printf("%-42s %9.2f us %9.2f us %9.2f us %9.2f us %12llu%s\n", c->name, t.execute_min, t.execute_median,
                   t.total_min, t.total_median, (unsigned long long)gas_used, ok ? "" : "  WRONG RESULT");
        fflush(stdout);
        pv_state_free(rn.st);
        pv_world_free(rn.world);
    }
    if (!json && main_cases)
        printf("geometric mean of the total median over the %d main cases: %.2f us\n", main_cases,
               exp(log_sum / main_cases));
    if (!json)
        printf("%d passed, %d failed\n", ran - failed, failed);
    for (size_t i = 0; i < n; i++) {
        free(cases[i].code);
        free(cases[i].input);
        free(cases[i].expected_out);
    }
    if (filter)
        regfree(&re);
    return failed ? 1 : 0;
}
