/* The parevm CLI's subcommands. Each gets argv after the subcommand name (argv[0] = its name)
 * and returns the process exit code. */
#ifndef PV_TOOLS_COMMANDS_H
#define PV_TOOLS_COMMANDS_H

int pv_cmd_statetest(int argc, char **argv);
int pv_cmd_block(int argc, char **argv);
int pv_cmd_bench(int argc, char **argv);
int pv_bench_blocks(int argc, char **argv);
int pv_bench_evm(int argc, char **argv);
int pv_bench_mainnet(int argc, char **argv);
int pv_bench_hash(int argc, char **argv);
int pv_cmd_gen(int argc, char **argv);

/* An "auto|never|always" option's value: 0, 1 or 2 (the order of pv_chunks_mode and
 * pv_prefix_mode), -1 for anything else. */
int pv_parse_auto_never_always(const char *value);

#endif
