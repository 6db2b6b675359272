/* parevm command-line tool: dispatches to the subcommands in tools/cmd_*.c. */
#include <stdio.h>
#include <string.h>

#include "commands.h"

static void usage(FILE *out)
{
    fprintf(out,
            "usage: parevm <command> [options]\n"
            "\n"
            "commands:\n"
            "  statetest [--fork NAME] [--json] [--verbose] [--threads N] PATH...\n"
            "            run Ethereum GeneralStateTests (files or folders, recursively)\n"
            "  bench precompiles [--json] [--cpu]\n"
            "            time the precompiled contracts on valid inputs (us/call, Mgas/s)\n"
            "  help      show this text\n");
}

int main(int argc, char **argv)
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
    if (strcmp(cmd, "help") == 0 || strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0) {
        usage(stdout);
        return 0;
    }
    fprintf(stderr, "parevm: unknown command '%s'\n", cmd);
    usage(stderr);
    return 2;
}
