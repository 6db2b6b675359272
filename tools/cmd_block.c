/* `parevm block`: replays block files and checks them against their headers. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "commands.h"
#include "exec/block.h"
#include "io/block_json.h"
#include "util/hex.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

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

int pv_cmd_block(int argc, char **argv)
{
    bool json = false, verbose = false;
    pv_invalid_tx_policy policy = PV_INVALID_TX_ABORT;
    int first = 1;
    for (; first < argc && argv[first][0] == '-'; first++) {
        if (strcmp(argv[first], "--json") == 0)
            json = true;
        else if (strcmp(argv[first], "--verbose") == 0 || strcmp(argv[first], "-v") == 0)
            verbose = true;
        else if (strcmp(argv[first], "--skip-invalid") == 0)
            policy = PV_INVALID_TX_SKIP;
        else if (strcmp(argv[first], "--") == 0) {
            first++;
            break;
        } else {
            fprintf(stderr, "parevm block: unknown option '%s'\n", argv[first]);
            fprintf(stderr, "usage: parevm block [--json] [--verbose] [--skip-invalid] FILE...\n");
            return 2;
        }
    }
    if (first >= argc) {
        fprintf(stderr, "usage: parevm block [--json] [--verbose] [--skip-invalid] FILE...\n");
        return 2;
    }
    int passed = 0, failed = 0;
    double total_exec = 0, total_load = 0;
    uint64_t total_gas = 0;
    for (int i = first; i < argc; i++) {
        double t0 = now();
        char *err = NULL;
        pv_block_file *f = pv_block_file_load(argv[i], &err);
        double t1 = now();
        if (!f) {
            failed++;
            if (json) {
                printf("{\"file\":");
                json_str(argv[i]);
                printf(",\"error\":");
                json_str(err);
                printf("}\n");
            } else {
                printf("%s\n", argv[i]);
                printf("  ERROR %s\n", err);
            }
            fprintf(stderr, "parevm block: %s\n", err);
            free(err);
            continue;
        }
        pv_block_result r;
        double t2 = now();
        pv_block_execute(pv_world_source(f->pre), &f->block, policy, &r);
        size_t skipped = 0;
        for (size_t k = 0; k < r.receipts_count; k++)
            skipped += r.receipts[k].rejected != PV_TX_VALID;
        double t3 = now();
        double exec = t3 - t2;

        block_report rep;
        memset(&rep, 0, sizeof rep);
        rep.header = !f->has_hash ? CHECK_NOT_CHECKED : f->header_hash_ok ? CHECK_PASS : CHECK_FAIL;
        rep.txroot = !f->has_transactions_root ? CHECK_NOT_CHECKED
                     : f->transactions_root_ok ? CHECK_PASS
                                               : CHECK_FAIL;
        rep.wdroot = !f->has_withdrawals_root ? CHECK_NOT_CHECKED : f->withdrawals_root_ok ? CHECK_PASS : CHECK_FAIL;
        if (!r.valid) {
            rep.gas = rep.bloom = rep.receipts = CHECK_FAIL;
            char h[67];
            pv_hex_encode(f->stxs[r.invalid_tx].hash.b, 32, h);
            snprintf(rep.detail, sizeof rep.detail, "tx %zu (%s) is invalid: %s", r.invalid_tx, h,
                     pv_tx_error_name(r.invalid_error));
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
                  !rep.blockhash_gap;
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
            if (rep.detail[0]) {
                printf(",\"mismatch\":");
                json_str(rep.detail);
            }
            if (rep.notes[0]) {
                printf(",\"notes\":");
                json_str(rep.notes);
            }
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
            if (verbose && rep.notes[0])
                printf("  note: %s\n", rep.notes);
            if (verbose) {
                printf("  load+decode %.2f ms, %zu accounts changed\n", (t1 - t0) * 1e3, r.changes.count);
                print_receipts(f, &r);
            }
        }
        pv_block_result_free(&r);
        pv_block_file_free(f);
    }
    if (!json)
        printf("total: %llu gas in %.3f s of execution (%.1f Mgas/s); loading and decoding %.3f s\n",
               (unsigned long long)total_gas, total_exec, total_exec > 0 ? (double)total_gas / total_exec / 1e6 : 0,
               total_load);
    printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
