/* `parevm gen`: writes one random block file (src/io/block_gen.h). */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "io/block_gen.h"

static const char USAGE[] =
    "usage: parevm gen --seed S --txs N --conflicts R [--fork NAME] [--invalid R] [--gas-limit G]\n"
    "                  -o FILE.json.gz|FILE.json|-\n"
    "\n"
    "Writes one random block in the mainnet fixture format (parevm block FILE replays it).\n"
    "The same arguments give the same bytes.\n"
    "\n"
    "  --seed S        seed (unsigned 64-bit, decimal or 0x hex)\n"
    "  --txs N         number of transactions (0 .. 1000000)\n"
    "  --conflicts R   0..1: share of transactions touching the hot accounts and slots\n"
    "                  (0: nearly independent transactions, 1: every one conflicts)\n"
    "  --fork NAME     Frontier, Homestead, TangerineWhistle (EIP150), SpuriousDragon (EIP158),\n"
    "                  Byzantium, Petersburg, Istanbul, Berlin, London, Paris (Merge), Shanghai,\n"
    "                  Cancun (default)\n"
    "  --invalid R     0..1: share of transactions made invalid by an earlier one (reused nonce,\n"
    "                  drained balance); such blocks need parevm block --skip-invalid (default 0)\n"
    "  --gas-limit G   block gas limit (default: enough for every transaction)\n"
    "  -o FILE         output: .json.gz (gzip), .json, or - for JSON on standard output\n";

/* The message, the synopsis (USAGE's first two lines) and where the rest is; exit code 2. */
static int usage_error(const char *fmt, const char *a, const char *b)
{
    fprintf(stderr, "parevm gen: ");
    fprintf(stderr, fmt, a, b);
    const char *end = strstr(USAGE, "\n\n");
    fprintf(stderr, "\n%.*s\nparevm gen --help describes the options\n", (int)(end - USAGE), USAGE);
    return 2;
}

static bool parse_u64(const char *s, uint64_t *out)
{
    if (!*s || *s == '-' || *s == '+')
        return false;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 0);
    if (errno || *end)
        return false;
    *out = v;
    return true;
}

static bool parse_ratio(const char *s, double *out)
{
    if (!*s)
        return false;
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || *end || !isfinite(v) || v < 0 || v > 1)
        return false;
    *out = v;
    return true;
}

int pv_cmd_gen(int argc, char **argv)
{
    pv_gen_params p;
    pv_gen_params_default(&p);
    bool have_seed = false, have_txs = false, have_conflicts = false;
    const char *out = NULL;
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
            fputs(USAGE, stdout);
            return 0;
        }
        /* --name VALUE or --name=VALUE */
        char name[32];
        const char *val = NULL;
        const char *eq = strncmp(arg, "--", 2) == 0 ? strchr(arg, '=') : NULL;
        if (eq) {
            size_t n = (size_t)(eq - arg);
            if (n >= sizeof name)
                return usage_error("unknown option '%s'%s", arg, "");
            memcpy(name, arg, n);
            name[n] = 0;
            val = eq + 1;
        } else {
            snprintf(name, sizeof name, "%s", arg);
        }
        static const char *const known[] = {"--seed", "--txs", "--conflicts", "--fork", "--invalid", "--gas-limit",
                                            "-o", "--output"};
        bool ok = false;
        for (size_t k = 0; k < sizeof known / sizeof known[0]; k++)
            ok |= strcmp(name, known[k]) == 0;
        if (!ok)
            return usage_error("unknown option or argument '%s'%s", arg, "");
        if (!val) {
            if (i + 1 >= argc)
                return usage_error("%s needs a value%s", name, "");
            val = argv[++i];
        }
        uint64_t u;
        if (strcmp(name, "--seed") == 0) {
            if (!parse_u64(val, &p.seed))
                return usage_error("--seed: '%s' is not an unsigned 64-bit number%s", val, "");
            have_seed = true;
        } else if (strcmp(name, "--txs") == 0) {
            if (!parse_u64(val, &u) || u > PV_GEN_MAX_TXS)
                return usage_error("--txs: '%s' is not a number of transactions (0 .. 1000000)%s", val, "");
            p.txs = (size_t)u;
            have_txs = true;
        } else if (strcmp(name, "--conflicts") == 0) {
            if (!parse_ratio(val, &p.conflicts))
                return usage_error("--conflicts: '%s' is not a ratio between 0 and 1%s", val, "");
            have_conflicts = true;
        } else if (strcmp(name, "--invalid") == 0) {
            if (!parse_ratio(val, &p.invalid))
                return usage_error("--invalid: '%s' is not a ratio between 0 and 1%s", val, "");
        } else if (strcmp(name, "--gas-limit") == 0) {
            if (!parse_u64(val, &p.gas_limit) || p.gas_limit < 21000)
                return usage_error("--gas-limit: '%s' is not a gas amount of at least 21000%s", val, "");
        } else if (strcmp(name, "--fork") == 0) {
            pv_fork f;
            if (strcmp(val, "Constantinople") == 0)
                return usage_error("--fork: %s never ran on mainnet (its blocks run as Petersburg)%s", val, "");
            if (!pv_fork_from_name(val, &f))
                return usage_error("--fork: unknown fork '%s'%s", val, "");
            p.fork = f;
        } else {
            out = val;
        }
    }
    if (!have_seed || !have_txs || !have_conflicts)
        return usage_error("missing %s%s",
                           !have_seed ? "--seed" : !have_txs ? "--txs" : "--conflicts", "");
    if (!out)
        return usage_error("missing -o FILE%s%s", "", "");
    size_t ol = strlen(out);
    if (strcmp(out, "-") != 0 && !(ol > 5 && strcmp(out + ol - 5, ".json") == 0) &&
        !(ol > 8 && strcmp(out + ol - 8, ".json.gz") == 0))
        return usage_error("-o %s: the file name must end in .json or .json.gz (or be - for standard output)%s",
                           out, "");

    char *err = NULL;
    pv_gen_info info;
    if (strcmp(out, "-") == 0) {
        size_t len;
        char *text = pv_gen_block_json(&p, &len, &info, &err);
        if (!text) {
            fprintf(stderr, "parevm gen: %s\n", err);
            free(err);
            return 2;
        }
        bool ok = fwrite(text, 1, len, stdout) == len && fflush(stdout) == 0;
        free(text);
        pv_gen_info_free(&info);
        if (!ok) {
            fprintf(stderr, "parevm gen: cannot write to standard output\n");
            return 1;
        }
        return 0;
    }
    if (!pv_gen_block_write(&p, out, &info, &err)) {
        fprintf(stderr, "parevm gen: %s\n", err);
        free(err);
        return 1;
    }
    size_t invalid = info.kinds[PV_GEN_INVALID_NONCE] + info.kinds[PV_GEN_INVALID_FUNDS];
    printf("%s: %s block %lld, %zu txs (%zu hot, %zu invalid), %zu senders, %zu pre-state accounts, gas limit %llu\n",
           out, pv_fork_name(info.fork), (long long)info.number, info.txs, info.hot, invalid, info.senders,
           info.pre_accounts, (unsigned long long)info.gas_limit);
    pv_gen_info_free(&info);
    return 0;
}
