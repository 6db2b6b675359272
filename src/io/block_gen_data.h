/* Contract bytecode the block generator places in the pre-state (hex text, no 0x). */
#ifndef PV_IO_BLOCK_GEN_DATA_H
#define PV_IO_BLOCK_GEN_DATA_H

/* ERC20Token and WETH9 of ../shared/fixtures/contracts (scripts/embed-contracts.sh). */
extern const char pv_gen_erc20_runtime_hex[];
extern const char pv_gen_weth9_runtime_hex[];

#endif
