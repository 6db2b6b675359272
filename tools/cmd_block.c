/* `parevm block`: replays block files and checks them against their headers. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "exec/block.h"
#include "exec/parallel.h"
#include "io/block_json.h"
#include "state/perturbed_source.h"
#include "util/clock.h"
#include "util/hex.h"

static double now_s(void) { return pv_now_ms() * 1e-3; }

typedef enum { CHECK_PASS, CHECK_FAIL, CHECK_NOT_CHECKED } check_state;

static const char *check_name(check_state s)
{
    return s == CHECK_PASS ? "pass" : s == CHECK_FAIL ? "FAIL" : "not checked";
}

typedef struct block_report {
    check_state gas, bloom, receipts, header, txroot, wdroot;
    bool blockhash_gap;
    char detail[512];
    char notes[512];
} block_report;

/* The first transaction that certainly disagrees with the header: one whose cumulative gas
 * passes the header's gasUsed, or one whose logs set a bloom bit the header lacks. */
static void locate_mismatch(const pv_block_file *f, const pv_block_result *r, block_report *rep)
{
    for (size_t i = 0; i < r->receipts_count; i++) {
        const pv_block_receipt *rc = &r->receipts[i];
        char h[67];
        pv_hex_encode(f->stxs[i].hash.b, 32, h);
        if (f->has_gas_used && rc->cumulative_gas_used > f->gas_used) {
            snprintf(rep->detail, sizeof rep->detail,
                     "first differing receipt: tx %zu (%s): cumulative gas %llu passes the header's gasUsed %llu "
                     "(tx gas %llu, status %s)",
                     i, h, (unsigned long long)rc->cumulative_gas_used, (unsigned long long)f->gas_used,
                     (unsigned long long)rc->gas_used, pv_status_name(rc->status));
            return;
        }
        for (int j = 0; j < 256; j++) {
            if (f->has_logs_bloom && (rc->bloom[j] & ~f->logs_bloom[j])) {
                snprintf(rep->detail, sizeof rep->detail,
                         "first differing receipt: tx %zu (%s): its logs set bloom bits the header lacks "
                         "(%zu logs, status %s, gas %llu)",
                         i, h, rc->logs_count, pv_status_name(rc->status), (unsigned long long)rc->gas_used);
                return;
            }
        }
    }
    if (f->has_gas_used && r->gas_used < f->gas_used)
        snprintf(rep->detail, sizeof rep->detail,
                 "gas used %llu is %llu below the header's; the header gives no per-transaction receipts to "
                 "locate the difference",
                 (unsigned long long)r->gas_used, (unsigned long long)(f->gas_used - r->gas_used));
    else
        snprintf(rep->detail, sizeof rep->detail,
                 "the header gives no per-transaction receipts to locate the difference (run with --verbose "
                 "for every receipt)");
}

static void print_receipts(const pv_block_file *f, const pv_block_result *r)
{
    for (size_t i = 0; i < r->receipts_count; i++) {
        const pv_block_receipt *rc = &r->receipts[i];
        char h[67];
        pv_hex_encode(f->stxs[i].hash.b, 32, h);
        printf("    tx %-4zu %s type %u %-22s gas %-8llu cumulative %-9llu logs %zu\n", i, h, rc->tx_type,
               rc->rejected ? pv_tx_error_name(rc->rejected) : pv_status_name(rc->status),
               (unsigned long long)rc->gas_used, (unsigned long long)rc->cumulative_gas_used, rc->logs_count);
    }
}

static void json_str(const char *s)
{
    putchar('"');
    for (; *s; s++) {
        if (*s == '"' || *s == '\\')
            printf("\\%c", *s);
        else if ((unsigned char)*s < 0x20)
            printf("\\u%04x", *s);
        else
            putchar(*s);
    }
    putchar('"');
}

/* One location of a read or write set: its kind, address and (storage) key, and for a write
 * whether it was a balance credit (a delta) or the account's destruction. */
static void print_loc(const pv_loc *l, uint8_t flags, bool is_write, bool json)
{
    static const char *kinds[] = {"basic", "balance", "storage"};
    char addr[43], key[67];
    pv_hex_encode(l->addr.b, 20, addr);
    const char *kind = l->kind < 3 ? kinds[l->kind] : "?";
    if (l->kind == PV_LOC_STORAGE) {
        uint8_t be[32];
        u256_to_be(&l->key, be);
        pv_hex_encode(be, 32, key);
    }
    /* text, JSON: the kind and address, the key, the two marks, the end */
    static const char *const form[2][5] = {
        {" %s %s", "[%s]", " (delta)", " (destroyed)", ""},
        {"{\"kind\":\"%s\",\"address\":\"%s\"", ",\"key\":\"%s\"", ",\"delta\":true", ",\"destroyed\":true", "}"},
    };
    const char *const *f = form[json];
    printf(f[0], kind, addr);
    if (l->kind == PV_LOC_STORAGE)
        printf(f[1], key);
    if (is_write && (flags & PV_MV_DELTA))
        fputs(f[2], stdout);
    if (is_write && (flags & PV_MV_DESTROYED))
        fputs(f[3], stdout);
    fputs(f[4], stdout);
}

/* Each transaction's final read and write sets as Block-STM recorded them (--rw-sets). */
static void print_rw_sets(const pv_parallel_stats *st, bool json)
{
    if (json)
        printf(",\"transactions\":[");
    for (size_t k = 0; k < st->ntraces; k++) {
        const pv_tx_trace *t = &st->traces[k];
        if (json)
            printf("%s{\"tx\":%zu,\"incarnations\":%u,\"exec_us\":%.2f,\"reads\":[", k ? "," : "", k,
                   t->incarnations, t->exec_us);
        else
            printf("  tx %-4zu %u execution(s), last %.1f us\n    reads %u:", k, t->incarnations, t->exec_us,
                   t->nreads);
        for (uint32_t i = 0; i < t->nreads; i++) {
            if (json && i)
                printf(",");
            print_loc(&t->reads[i], 0, false, json);
        }
        if (json)
            printf("],\"writes\":[");
        else
            printf("\n    writes %u:", t->nwrites);
        for (uint32_t i = 0; i < t->nwrites; i++) {
            if (json && i)
                printf(",");
            print_loc(&t->writes[i], t->write_flags[i], true, json);
        }
        printf(json ? "]}" : "\n");
    }
    if (json)
        printf("]");
}

/* --timeline: one CSV row per Block-STM task of the block's (last) parallel run. */
static void write_timeline(FILE *out, long long number, const pv_parallel_stats *st)
{
    for (size_t i = 0; i < st->ntimeline; i++) {
        const pv_timeline_event *e = &st->timeline[i];
        fprintf(out, "%lld,%u,%s,%u,%u,%.3f,%.3f\n", number, e->worker, pv_timeline_kind_name(e->kind), e->tx,
                e->incarnation, e->start_us, e->end_us);
    }
}

/* Each worker's time by kind of task, and what is left of its span: waiting (for a dependency,
 * for work, for the others at the end). */
static void print_timeline_summary(const pv_parallel_stats *st)
{
    if (!st->ntimeline) {
        printf("  timeline: no Block-STM tasks (the block ran in optimistic chunks or had no transactions)\n");
        return;
    }
    double end = 0;
    for (size_t i = 0; i < st->ntimeline; i++)
        end = st->timeline[i].end_us > end ? st->timeline[i].end_us : end;
    printf("  timeline (microseconds from the call; the workers' tasks end at %.1f):\n", end);
    for (unsigned w = 0; w < st->threads; w++) {
        double us[PV_TL_KINDS] = {0}, first = -1, busy = 0;
        unsigned count[PV_TL_KINDS] = {0};
        for (size_t i = 0; i < st->ntimeline; i++) {
            const pv_timeline_event *e = &st->timeline[i];
            if (e->worker != w)
                continue;
            if (first < 0)
                first = e->start_us;
            us[e->kind] += e->end_us - e->start_us;
            count[e->kind]++;
            busy += e->end_us - e->start_us;
        }
        if (first < 0) {
            printf("    worker %u: no task\n", w);
            continue;
        }
        printf("    worker %u: first task at %.1f;", w, first);
        for (int k = 0; k < PV_TL_KINDS; k++)
            if (count[k])
                printf(" %s %.1f (%u)", pv_timeline_kind_name((pv_timeline_kind)k), us[k], count[k]);
        printf("; waiting %.1f\n", end - first - busy);
    }
}

/* The workers of a run that must be parallel (--compare, --rw-sets, --timeline): those asked for, or
 * automatic's choice, 2 at least. */
static unsigned parallel_threads(unsigned asked, const pv_block *b)
{
    unsigned t = asked ? asked : pv_auto_threads(b, NULL, 0);
    return t < 2 ? 2 : t;
}

/* A count of transactions (>= 1) or one of up to two words standing for special values, for
 * option opt; false (with a message) for anything else. */
static bool parse_tx_count(const char *opt, const char *m, const char *word1, size_t value1, const char *word2,
                           size_t value2, size_t *out)
{
    char *end;
    long v = strtol(m, &end, 10);
    if (strcmp(m, word1) == 0)
        *out = value1;
    else if (word2 && strcmp(m, word2) == 0)
        *out = value2;
    else if (*end || end == m || v < 1) {
        fprintf(stderr, "parevm block: %s takes a number of transactions (>= 1)%s%s or %s, got '%s'\n", opt,
                word2 ? ", " : "", word2 ? word1 : "", word2 ? word2 : word1, m);
        return false;
    } else
        *out = (size_t)v;
    return true;
}

_Static_assert(PV_CHUNKS_AUTO == 0 && PV_CHUNKS_NEVER == 1 && PV_CHUNKS_ALWAYS == 2 && PV_PREFIX_AUTO == 0 &&
                   PV_PREFIX_NEVER == 1 && PV_PREFIX_ALWAYS == 2,
               "pv_parse_auto_never_always's order");

int pv_cmd_block(int argc, char **argv)
{
    bool json = false, verbose = false, compare = false, sequential = false, skip_invalid = false, rw_sets = false;
    const char *timeline_path = NULL;
    unsigned threads = 0, repeat = 1;
    bool perturb = false;
    uint64_t perturb_seed = 0;
    pv_chunks_mode chunks = PV_CHUNKS_AUTO;
    pv_prefix_mode prefix = PV_PREFIX_AUTO;
    unsigned prefix_percent = 0;
    size_t chunks_window = 0, chunks_steal = 0;
    int first = 1;
    static const char *usage_text =
        "usage: parevm block [--json] [--verbose] [--rw-sets] [--timeline CSV] [--threads N | --sequential]\n"
        "                    [--compare [--repeat K]]\n"
        "                    [--skip-invalid] [--chunks auto|never|always] [--chunks-window N|none]\n"
        "                    [--chunks-steal N|none|skewed] [--prefix auto|never|always] [--prefix-percent P]\n"
        "                    [--perturb SEED] FILE...\n"
        "  --rw-sets: each transaction's final read and write sets, as Block-STM records them (the block\n"
        "             then runs in Block-STM on --threads N, at least 2: never sequentially nor in chunks)\n"
        "  --timeline: every Block-STM task of every worker (prefix, publish, execute, suspend, validate,\n"
        "             invalid, suffix) with its start and end in microseconds, as CSV rows, and each\n"
        "             worker's time by task (the block runs in Block-STM as with --rw-sets; with\n"
        "             --repeat K, K times, the last run shown)\n"
        "  --perturb: (tests, with --compare) some balances, nonces and storage slots of the pre-state\n"
        "             changed from SEED, the same for both executors; the header's gasUsed, logsBloom\n"
        "             and receiptsRoot are then not checked, only that the two agree\n";
    for (; first < argc && argv[first][0] == '-'; first++) {
        const char *a = argv[first];
        if (strcmp(a, "--json") == 0)
            json = true;
        else if (strcmp(a, "--verbose") == 0 || strcmp(a, "-v") == 0)
            verbose = true;
        else if (strcmp(a, "--sequential") == 0)
            sequential = true;
        else if (strcmp(a, "--compare") == 0)
            compare = true;
        else if (strcmp(a, "--skip-invalid") == 0)
            skip_invalid = true;
        else if (strcmp(a, "--rw-sets") == 0)
            rw_sets = true;
        else if (strcmp(a, "--timeline") == 0 && first + 1 < argc)
            timeline_path = argv[++first];
        else if ((strcmp(a, "--chunks") == 0 || strcmp(a, "--prefix") == 0) && first + 1 < argc) {
            const char *m = argv[++first];
            int mode = pv_parse_auto_never_always(m);
            if (mode < 0) {
                fprintf(stderr, "parevm block: %s takes auto, never or always, got '%s'\n", a, m);
                return 2;
            }
            if (a[2] == 'c')
                chunks = (pv_chunks_mode)mode;
            else
                prefix = (pv_prefix_mode)mode;
        }
        else if (strcmp(a, "--perturb") == 0 && first + 1 < argc) {
            char *end;
            errno = 0;
            unsigned long long v = strtoull(argv[++first], &end, 10);
            if (*end || end == argv[first] || errno || argv[first][0] == '-') {
                fprintf(stderr, "parevm block: --perturb needs a seed (a number), got '%s'\n", argv[first]);
                return 2;
            }
            perturb = true;
            perturb_seed = v;
        }
        else if (strcmp(a, "--prefix-percent") == 0 && first + 1 < argc) {
            /* the sequential prefix's share of the gas limits (tests: 90 makes the other workers
             * take most of it back) */
            char *end;
            long v = strtol(argv[++first], &end, 10);
            if (*end || end == argv[first] || v < 1 || v > 99) {
                fprintf(stderr, "parevm block: --prefix-percent needs a number 1..99, got '%s'\n", argv[first]);
                return 2;
            }
            prefix_percent = (unsigned)v;
        }
        else if (strcmp(a, "--chunks-window") == 0 && first + 1 < argc) {
            /* how many transactions per chunk are checked as they run (tests: none) */
            if (!parse_tx_count(a, argv[++first], "none", PV_CHUNKS_WINDOW_NONE, NULL, 0, &chunks_window))
                return 2;
        }
        else if (strcmp(a, "--chunks-steal") == 0 && first + 1 < argc) {
            /* the fewest transactions a thread takes from a running chunk (tests: none, or
             * skewed: every chunk but the last starts with one transaction) */
            if (!parse_tx_count(a, argv[++first], "none", PV_CHUNKS_STEAL_NONE, "skewed", PV_CHUNKS_STEAL_SKEWED,
                                &chunks_steal))
                return 2;
        }
        else if ((strcmp(a, "--threads") == 0 || strcmp(a, "--repeat") == 0) && first + 1 < argc) {
            char *end;
            long v = strtol(argv[first + 1], &end, 10);
            bool is_threads = strcmp(a, "--threads") == 0;
            if (*end || end == argv[first + 1] || v < (is_threads ? 0 : 1) || v > 1024) {
                fprintf(stderr, "parevm block: %s needs a number (%s), got '%s'\n", a,
                        is_threads ? "0 = auto, 1..1024" : "1..1024", argv[first + 1]);
                return 2;
            }
            if (is_threads)
                threads = (unsigned)v;
            else
                repeat = (unsigned)v;
            first++;
        } else if (strcmp(a, "--") == 0) {
            first++;
            break;
        } else {
            fprintf(stderr, "parevm block: unknown option or missing value '%s'\n%s", a, usage_text);
            return 2;
        }
    }
    if (first >= argc) {
        fprintf(stderr, "%s", usage_text);
        return 2;
    }
    if (sequential && (threads > 1 || compare || rw_sets || timeline_path)) {
        fprintf(stderr, "parevm block: --sequential excludes --threads N > 1, --compare, --rw-sets and --timeline\n");
        return 2;
    }
    if (perturb && !compare) {
        fprintf(stderr, "parevm block: --perturb needs --compare (a perturbed block has nothing else to be checked against)\n");
        return 2;
    }
    FILE *timeline = NULL;
    if (timeline_path) {
        timeline = fopen(timeline_path, "w");
        if (!timeline) {
            fprintf(stderr, "parevm block: --timeline: cannot write %s: %s\n", timeline_path, strerror(errno));
            return 2;
        }
        fprintf(timeline, "block,worker,kind,tx,incarnation,start_us,end_us\n");
        if (chunks == PV_CHUNKS_AUTO)
            chunks = PV_CHUNKS_NEVER; /* the tasks of Block-STM are what it shows */
    }
    if (sequential)
        threads = 1;
    pv_invalid_tx_policy policy = skip_invalid ? PV_INVALID_TX_SKIP : PV_INVALID_TX_ABORT;
    int passed = 0, failed = 0;
    double total_exec = 0, total_load = 0;
    uint64_t total_gas = 0;
    for (int i = first; i < argc; i++) {
        double t0 = now_s();
        char *err = NULL;
        pv_block_file *f = pv_block_file_load(argv[i], &err);
        double t1 = now_s();
        if (!f) {
            failed++;
            if (json) {
                printf("{\"file\":");
                json_str(argv[i]);
                printf(",\"error\":");
                json_str(err);
                printf("}\n");
            }
            fflush(stdout);
            fprintf(stderr, "parevm block: %s\n", err);
            free(err);
            continue;
        }
        pv_perturbed_source perturbed;
        pv_state_source *pre = pv_world_source(f->pre);
        if (perturb) {
            pv_perturbed_source_init(&perturbed, pre, perturb_seed);
            pre = &perturbed.base;
        }
        pv_block_result r;
        pv_parallel_stats st;
        pv_parallel_options popt = {.threads = threads, .policy = policy, .record_traces = rw_sets, .chunks = chunks,
                                     .chunks_window = chunks_window, .chunks_steal_min = chunks_steal,
                                     .prefix = prefix, .prefix_percent = prefix_percent,
                                     .record_timeline = timeline != NULL};
        char compare_msg[600] = "";
        bool compare_ok = true;
        double exec = 0, par_ms = 0;
        if (compare) {
            /* The reference: the sequential executor. Then Block-STM, repeat times. */
            pv_parallel_options seq = popt;
            seq.threads = 1;
            pv_parallel_stats sst;
            double t2 = now_s();
            pv_execute_block_auto(pre, &f->block, &seq, &r, &sst);
            exec = now_s() - t2;
            unsigned par_threads = parallel_threads(threads, &f->block);
            memset(&st, 0, sizeof st);
            double best_seq = exec, best_par = 1e30;
            for (unsigned k = 0; k < repeat && compare_ok; k++) {
                pv_block_result pr;
                pv_parallel_stats_free(&st);
                double t3 = now_s();
                pv_block_execute_parallel(pre, &f->block, par_threads, &popt, &pr, &st);
                double tp = now_s() - t3;
                best_par = tp < best_par ? tp : best_par;
                char why[500];
                if (!pv_block_results_equal(&r, &pr, why, sizeof why)) {
                    compare_ok = false;
                    snprintf(compare_msg, sizeof compare_msg, "run %u of %u, %u threads: %s", k + 1, repeat,
                             par_threads, why);
                }
                pv_block_result_free(&pr);
                if (k + 1 < repeat) { /* time the sequential executor as often as the parallel one */
                    pv_block_result sr;
                    double t4 = now_s();
                    pv_execute_block_auto(pre, &f->block, &seq, &sr, &sst);
                    double ts = now_s() - t4;
                    best_seq = ts < best_seq ? ts : best_seq;
                    if (compare_ok && !pv_block_results_equal(&r, &sr, why, sizeof why)) {
                        compare_ok = false;
                        snprintf(compare_msg, sizeof compare_msg, "sequential run %u differs from run 1: %s", k + 2, why);
                    }
                    pv_block_result_free(&sr);
                }
            }
            exec = best_seq;
            par_ms = best_par * 1e3;
            if (compare_ok)
                snprintf(compare_msg, sizeof compare_msg,
                         "identical in %u run(s) at %u threads; sequential %.2f ms, parallel %.2f ms: speed-up %.2fx",
                         repeat, par_threads, best_seq * 1e3, best_par * 1e3, best_par > 0 ? best_seq / best_par : 0);
            if (perturb) {
                size_t len = strlen(compare_msg);
                snprintf(compare_msg + len, sizeof compare_msg - len, " (pre-state perturbed, seed %llu)",
                         (unsigned long long)perturb_seed);
            }
        } else if (rw_sets || timeline) {
            /* Block-STM records the sets, or its tasks: of the last of --repeat runs (the first
             * of a process also pays its threads' creation and first page faults) */
            for (unsigned k = 0; k < repeat; k++) {
                if (k) {
                    pv_block_result_free(&r);
                    pv_parallel_stats_free(&st);
                }
                double t2 = now_s();
                pv_block_execute_parallel(pre, &f->block, parallel_threads(threads, &f->block),
                                          &popt, &r, &st);
                exec = now_s() - t2;
            }
        } else {
            double t2 = now_s();
            pv_execute_block_auto(pre, &f->block, &popt, &r, &st);
            exec = now_s() - t2;
        }

        size_t skipped = 0;
        for (size_t k = 0; k < r.receipts_count; k++)
            skipped += r.receipts[k].rejected != PV_TX_VALID;
        block_report rep;
        memset(&rep, 0, sizeof rep);
        rep.header = !f->has_hash ? CHECK_NOT_CHECKED : f->header_hash_ok ? CHECK_PASS : CHECK_FAIL;
        rep.txroot = !f->has_transactions_root ? CHECK_NOT_CHECKED
                     : f->transactions_root_ok ? CHECK_PASS
                                               : CHECK_FAIL;
        rep.wdroot = !f->has_withdrawals_root ? CHECK_NOT_CHECKED : f->withdrawals_root_ok ? CHECK_PASS : CHECK_FAIL;
        if (!r.valid) {
            char h[67];
            pv_hex_encode(f->stxs[r.invalid_tx].hash.b, 32, h);
            snprintf(rep.detail, sizeof rep.detail, "%stx %zu (%s) is invalid: %s", perturb ? "(perturbed pre-state) " : "",
                     r.invalid_tx, h, pv_tx_error_name(r.invalid_error));
        }
        if (perturb) {
            /* another pre-state than the header's: only the comparison decides */
            rep.gas = rep.bloom = rep.receipts = CHECK_NOT_CHECKED;
        } else if (!r.valid) {
            rep.gas = rep.bloom = rep.receipts = CHECK_FAIL;
        } else {
            rep.gas = !f->has_gas_used ? CHECK_NOT_CHECKED : r.gas_used == f->gas_used ? CHECK_PASS : CHECK_FAIL;
            rep.bloom = !f->has_logs_bloom                            ? CHECK_NOT_CHECKED
                        : memcmp(r.logs_bloom, f->logs_bloom, 256) == 0 ? CHECK_PASS
                                                                        : CHECK_FAIL;
            rep.receipts = !r.receipts_root_known || !f->has_receipts_root ? CHECK_NOT_CHECKED
                           : pv_bytes32_eq(&r.receipts_root, &f->receipts_root) ? CHECK_PASS
                                                                                 : CHECK_FAIL;
            if (rep.gas == CHECK_FAIL || rep.bloom == CHECK_FAIL || rep.receipts == CHECK_FAIL)
                locate_mismatch(f, &r, &rep);
        }
        unsigned missing = atomic_load(&f->missing_hash_reads);
        size_t off = 0;
        if (!r.receipts_root_known)
            off += (size_t)snprintf(rep.notes + off, sizeof rep.notes - off,
                                    "receiptsRoot not checked: pre-Byzantium receipts hold intermediate state "
                                    "roots, which a partial pre-state cannot give. ");
        if (skipped && off < sizeof rep.notes)
            off += (size_t)snprintf(rep.notes + off, sizeof rep.notes - off,
                                    "%zu invalid transaction(s) left out (--skip-invalid). ", skipped);
        if (r.uncle_rewards_missing && off < sizeof rep.notes)
            off += (size_t)snprintf(rep.notes + off, sizeof rep.notes - off,
                                    "%zu uncle(s) given by hash only: their miners' rewards are not in the state "
                                    "changes. ",
                                    f->block.uncles_unknown);
        if (missing) {
            if (off < sizeof rep.notes)
                snprintf(rep.notes + off, sizeof rep.notes - off, "BLOCKHASH read %u hash(es) the file lacks. ",
                         missing);
            rep.blockhash_gap = true; /* the execution saw a zero hash: its result is not trustworthy */
        }
        bool ok = rep.gas != CHECK_FAIL && rep.bloom != CHECK_FAIL && rep.receipts != CHECK_FAIL &&
                  rep.header != CHECK_FAIL && rep.txroot != CHECK_FAIL && rep.wdroot != CHECK_FAIL &&
                  !rep.blockhash_gap && compare_ok;
        ok ? passed++ : failed++;
        total_exec += exec;
        total_load += t1 - t0;
        total_gas += r.gas_used;
        double mgas = exec > 0 ? (double)r.gas_used / exec / 1e6 : 0;
        if (json) {
            printf("{\"file\":");
            json_str(argv[i]);
            printf(",\"number\":%lld,\"fork\":\"%s\",\"txs\":%zu,\"gas_used\":%llu,\"exec_ms\":%.3f,\"load_ms\":%.3f,"
                   "\"mgas_per_s\":%.1f,\"gas_check\":\"%s\",\"bloom_check\":\"%s\",\"receipts_root_check\":\"%s\","
                   "\"header_hash_check\":\"%s\",\"transactions_root_check\":\"%s\",\"withdrawals_root_check\":\"%s\","
                   "\"state_changes\":%zu,\"skipped\":%zu,\"pass\":%s",
                   (long long)f->block.env.number, pv_fork_name(f->block.fork), f->txs_count,
                   (unsigned long long)r.gas_used, exec * 1e3, (t1 - t0) * 1e3, mgas, check_name(rep.gas),
                   check_name(rep.bloom), check_name(rep.receipts), check_name(rep.header), check_name(rep.txroot),
                   check_name(rep.wdroot), r.changes.count, skipped, ok ? "true" : "false");
            printf(",\"threads\":%u,\"executions\":%llu,\"reexecutions\":%llu,\"validations\":%llu,"
                   "\"aborts\":%llu,\"dependency_waits\":%llu,\"rounds\":%u,\"ms_prepare\":%.3f,"
                   "\"ms_parallel\":%.3f,\"ms_finish\":%.3f",
                   st.threads, (unsigned long long)st.executions, (unsigned long long)st.reexecutions,
                   (unsigned long long)st.validations, (unsigned long long)st.aborts,
                   (unsigned long long)st.dependency_waits, st.rounds, st.ms_prepare, st.ms_parallel, st.ms_finish);
            if (st.sequential_fallback) {
                printf(",\"sequential_fallback\":");
                json_str(st.fallback_reason);
            }
            if (st.prefix_txs)
                printf(",\"prefix_txs\":%u", st.prefix_txs);
            if (st.hot_contracts)
                printf(",\"hot_contracts\":%u", st.hot_contracts);
            if (st.chunks) {
                printf(",\"chunks\":%u,\"chunks_done\":%s,\"ms_chunks\":%.3f", st.chunks,
                       st.chunks_done ? "true" : "false", st.ms_chunks);
                if (!st.chunks_done) {
                    printf(",\"chunks_why_not\":");
                    json_str(st.chunks_why_not);
                }
            }
            if (compare) {
                printf(",\"sequential_ms\":%.3f,\"parallel_ms\":%.3f,\"speedup\":%.3f", exec * 1e3, par_ms,
                       par_ms > 0 ? exec * 1e3 / par_ms : 0);
                printf(",\"compare\":%s,\"compare_detail\":", compare_ok ? "true" : "false");
                json_str(compare_msg);
            }
            if (rep.detail[0]) {
                printf(",\"mismatch\":");
                json_str(rep.detail);
            }
            if (rep.notes[0]) {
                printf(",\"notes\":");
                json_str(rep.notes);
            }
            if (rw_sets)
                print_rw_sets(&st, true);
            printf("}\n");
        } else {
            printf("%-10lld %-17s %4zu txs %10llu gas %8.2f ms %7.1f Mgas/s  gasUsed %s, logsBloom %s, "
                   "receiptsRoot %s, header %s, txRoot %s, withdrawalsRoot %s  %s\n",
                   (long long)f->block.env.number, pv_fork_name(f->block.fork), f->txs_count,
                   (unsigned long long)r.gas_used, exec * 1e3, mgas, check_name(rep.gas), check_name(rep.bloom),
                   check_name(rep.receipts), check_name(rep.header), check_name(rep.txroot),
                   check_name(rep.wdroot), ok ? "PASS" : "FAIL");
            if (rep.detail[0])
                printf("  mismatch: %s\n", rep.detail);
            if (skipped)
                printf("  %zu invalid transaction(s) left out (--skip-invalid)\n", skipped);
            if (compare)
                printf("  compare: %s%s\n", compare_ok ? "" : "DIFFERENT: ", compare_msg);
            if (verbose) {
                if (st.sequential_fallback)
                    printf("  sequential: %s\n", st.fallback_reason);
                if (st.chunks && st.chunks_done)
                    printf("  optimistic chunks: %u (%u split off running ones), no conflict (%.2f ms: run %.2f, "
                           "validate+merge %.2f, receipts %.2f)\n",
                           st.chunks, st.chunks_steals, st.ms_chunks, st.ms_chunks_run, st.ms_chunks_validate,
                           st.ms_chunks_finish);
                else if (st.chunks)
                    printf("  optimistic chunks: %u, gave up after %.2f ms: %s; then Block-STM\n", st.chunks,
                           st.ms_chunks, st.chunks_why_not);
                if (st.prefix_txs)
                    printf("  sequential prefix: transactions 0-%u in order on one thread, beside Block-STM\n",
                           st.prefix_txs - 1);
                if (st.hot_contracts)
                    printf("  callers of %u contract(s) they contend on made to wait for one another\n",
                           st.hot_contracts);
                printf("  %u thread(s): %llu executions (%llu re-executions), %llu validations, %llu aborts, "
                       "%llu dependency waits, %u round(s); prepare %.2f ms, execute %.2f ms, finish %.2f ms\n",
                       st.threads, (unsigned long long)st.executions, (unsigned long long)st.reexecutions,
                       (unsigned long long)st.validations, (unsigned long long)st.aborts,
                       (unsigned long long)st.dependency_waits, st.rounds, st.ms_prepare, st.ms_parallel,
                       st.ms_finish);
            }
            if (verbose && rep.notes[0])
                printf("  note: %s\n", rep.notes);
            if (verbose) {
                printf("  load+decode %.2f ms, %zu accounts changed\n", (t1 - t0) * 1e3, r.changes.count);
                print_receipts(f, &r);
            }
            if (rw_sets)
                print_rw_sets(&st, false);
            if (timeline)
                print_timeline_summary(&st);
        }
        if (timeline)
            write_timeline(timeline, (long long)f->block.env.number, &st);
        pv_block_result_free(&r);
        pv_parallel_stats_free(&st);
        pv_block_file_free(f);
    }
    if (!json)
        printf("total: %llu gas in %.3f s of execution (%.1f Mgas/s); loading and decoding %.3f s\n",
               (unsigned long long)total_gas, total_exec, total_exec > 0 ? (double)total_gas / total_exec / 1e6 : 0,
               total_load);
    if (timeline && fclose(timeline) != 0) {
        fprintf(stderr, "parevm block: --timeline: writing %s failed: %s\n", timeline_path, strerror(errno));
        failed++;
    }
    printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
