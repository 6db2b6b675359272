/* parevm command-line tool: dispatches to the subcommands in tools/cmd_*.c. */
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "parevm.h"

static void usage(FILE *out)
{
    fprintf(out,
            "usage: parevm <command> [options]\n"
            "\n"
            "commands:\n"
            "  statetest [--fork NAME] [--json] [--verbose] [--threads N] PATH...\n"
            "            run Ethereum GeneralStateTests (files or folders, recursively)\n"
            "  block [--json] [--verbose] [--skip-invalid] FILE...\n"
            "            replay block files (.json/.json.gz) and check them against their headers;\n"
            "            --skip-invalid leaves invalid transactions out (block building) instead of\n"
            "            rejecting the block\n"
            "  gen --seed S --txs N --conflicts R [--fork NAME] [--invalid R] [--gas-limit G] -o FILE\n"
            "            write a random block file (hard cases for parallel execution)\n"
            "  bench precompiles|evm|blocks|mainnet|hash [options]\n"
            "            measurements: precompiles, the interpreter suite, synthetic and mainnet blocks\n"
            "            sequential vs parallel, keccak and trie hashing (parevm bench --help for each\n"
            "            one's options)\n"
            "  help      show this text\n");
}

static int dispatch(int argc, char **argv);

typedef struct command_call {
    int argc;
    char **argv;
    int status;
} command_call;

static void command_main(void *arg)
{
    command_call *c = arg;
    c->status = dispatch(c->argc, c->argv);
}

/* glibc's allocator asks the kernel for transparent huge pages only when told so at start-up
 * (the glibc.malloc.hugetlb tunable), so the tool starts itself again with it once. First touches
 * of memory dominate a one-shot run on some virtual machines: a page fault took 15 us on the
 * development VM (a 2 MB huge page 0.3 us per 4 KB), and `parevm block` of two mainnet blocks
 * faulted ~4,100 times, ~550 with huge pages (0.15-0.16 s -> 0.12-0.14 s, interleaved). Not
 * when the kernel's huge pages are off, when the tunable is already set, or with
 * PAREVM_NO_HUGEPAGES. */
static void restart_with_huge_pages(char **argv)
{
    if (getenv("PAREVM_NO_HUGEPAGES") || getenv("PAREVM_HUGEPAGES_TRIED"))
        return;
    const char *tunables = getenv("GLIBC_TUNABLES");
    if (tunables && strstr(tunables, "glibc.malloc.hugetlb"))
        return;
    char mode[128] = "";
    FILE *f = fopen("/sys/kernel/mm/transparent_hugepage/enabled", "r");
    if (!f)
        return;
    bool read = fgets(mode, sizeof mode, f) != NULL;
    fclose(f);
    if (!read || strstr(mode, "[never]"))
        return;
    char value[1024];
    int n = snprintf(value, sizeof value, "%s%sglibc.malloc.hugetlb=1", tunables ? tunables : "", tunables ? ":" : "");
    if (n < 0 || (size_t)n >= sizeof value)
        return;
    if (setenv("GLIBC_TUNABLES", value, 1) != 0 || setenv("PAREVM_HUGEPAGES_TRIED", "1", 1) != 0)
        return;
    execv("/proc/self/exe", argv);
    /* still here: carry on as we are */
}

int pv_parse_auto_never_always(const char *value)
{
    static const char *const names[] = {"auto", "never", "always"};
    for (int i = 0; i < 3; i++)
        if (strcmp(value, names[i]) == 0)
            return i;
    return -1;
}

int main(int argc, char **argv)
{
    restart_with_huge_pages(argv);
    /* Blocks allocate and free tens of megabytes each: keep that memory in the heap instead of
     * mapping and unmapping it every time (page faults, and TLB shootdowns across the workers).
     * The top pad matters for the workers: glibc unmaps a worker arena's whole 64 MB heap as
     * soon as it is empty unless the pad says to keep it (measured: half the page faults of a
     * gigagas benchmark, all of them after the first block, and transfers x1.24 -> x1.53). */
    mallopt(M_MMAP_THRESHOLD, 256 << 20);
    mallopt(M_TRIM_THRESHOLD, 1 << 30);
    mallopt(M_TOP_PAD, 64 << 20);
    /* No fast bins: a block frees tens of thousands of small objects (logs, records), and the
     * next block's first large allocation then merged them all at once (malloc_consolidate):
     * 0.3-0.5 ms in Block-STM's prepare of a 3,000-transaction block, which now takes 0.14-0.17
     * ms; interleaved runs were as fast or faster both ways (synthetic block sequential 14.8 ->
     * 13.0 ms, parallel 12.7 -> 12.2; 8038679 and 15538827 within noise). */
    mallopt(M_MXFAST, 0);
    /* On one of the executor's threads, so that each block starts there instead of being handed
     * over to one (parevm_run_on_executor_thread). */
    command_call c = {argc, argv, 0};
    parevm_run_on_executor_thread(command_main, &c);
    return c.status;
}

static int dispatch(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "statetest") == 0)
        return pv_cmd_statetest(argc - 1, argv + 1);
    if (strcmp(cmd, "bench") == 0)
        return pv_cmd_bench(argc - 1, argv + 1);
    if (strcmp(cmd, "block") == 0)
        return pv_cmd_block(argc - 1, argv + 1);
    if (strcmp(cmd, "gen") == 0)
        return pv_cmd_gen(argc - 1, argv + 1);
    if (strcmp(cmd, "help") == 0 || strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0) {
        usage(stdout);
        return 0;
    }
    fprintf(stderr, "parevm: unknown command '%s'\n", cmd);
    usage(stderr);
    return 2;
}
