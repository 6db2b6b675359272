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

#endif
