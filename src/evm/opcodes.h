/*
 * The opcode table: the single definition of every instruction (name, stack inputs and outputs,
 * the fork that introduced it, its base gas), from which the interpreter's per-fork dispatch
 * tables (gas, stack requirements, undefined opcodes) and the names are generated.
 *
 * PV_OPCODES(X) expands X(value, NAME, stack_in, stack_out, since_fork, base_gas) for every
 * instruction. base_gas is the gas in the fork that introduced it; later repricings are applied
 * in opcodes.c (pv_op_table_build), in one place per EIP.
 */
#ifndef PV_EVM_OPCODES_H
#define PV_EVM_OPCODES_H

#include <stdint.h>

#include "fork.h"

#define PV_OPCODES(X)                                                   \
    X(0x00, STOP, 0, 0, PV_FRONTIER, 0)                                 \
    X(0x01, ADD, 2, 1, PV_FRONTIER, 3)                                  \
    X(0x02, MUL, 2, 1, PV_FRONTIER, 5)                                  \
    X(0x03, SUB, 2, 1, PV_FRONTIER, 3)                                  \
    X(0x04, DIV, 2, 1, PV_FRONTIER, 5)                                  \
    X(0x05, SDIV, 2, 1, PV_FRONTIER, 5)                                 \
    X(0x06, MOD, 2, 1, PV_FRONTIER, 5)                                  \
    X(0x07, SMOD, 2, 1, PV_FRONTIER, 5)                                 \
    X(0x08, ADDMOD, 3, 1, PV_FRONTIER, 8)                               \
    X(0x09, MULMOD, 3, 1, PV_FRONTIER, 8)                               \
    X(0x0a, EXP, 2, 1, PV_FRONTIER, 10)                                 \
    X(0x0b, SIGNEXTEND, 2, 1, PV_FRONTIER, 5)                           \
    X(0x10, LT, 2, 1, PV_FRONTIER, 3)                                   \
    X(0x11, GT, 2, 1, PV_FRONTIER, 3)                                   \
    X(0x12, SLT, 2, 1, PV_FRONTIER, 3)                                  \
    X(0x13, SGT, 2, 1, PV_FRONTIER, 3)                                  \
    X(0x14, EQ, 2, 1, PV_FRONTIER, 3)                                   \
    X(0x15, ISZERO, 1, 1, PV_FRONTIER, 3)                               \
    X(0x16, AND, 2, 1, PV_FRONTIER, 3)                                  \
    X(0x17, OR, 2, 1, PV_FRONTIER, 3)                                   \
    X(0x18, XOR, 2, 1, PV_FRONTIER, 3)                                  \
    X(0x19, NOT, 1, 1, PV_FRONTIER, 3)                                  \
    X(0x1a, BYTE, 2, 1, PV_FRONTIER, 3)                                 \
    X(0x1b, SHL, 2, 1, PV_CONSTANTINOPLE, 3)                            \
    X(0x1c, SHR, 2, 1, PV_CONSTANTINOPLE, 3)                            \
    X(0x1d, SAR, 2, 1, PV_CONSTANTINOPLE, 3)                            \
    X(0x20, KECCAK256, 2, 1, PV_FRONTIER, 30)                           \
    X(0x30, ADDRESS, 0, 1, PV_FRONTIER, 2)                              \
    X(0x31, BALANCE, 1, 1, PV_FRONTIER, 20)                             \
    X(0x32, ORIGIN, 0, 1, PV_FRONTIER, 2)                               \
    X(0x33, CALLER, 0, 1, PV_FRONTIER, 2)                               \
    X(0x34, CALLVALUE, 0, 1, PV_FRONTIER, 2)                            \
    X(0x35, CALLDATALOAD, 1, 1, PV_FRONTIER, 3)                         \
    X(0x36, CALLDATASIZE, 0, 1, PV_FRONTIER, 2)                         \
    X(0x37, CALLDATACOPY, 3, 0, PV_FRONTIER, 3)                         \
    X(0x38, CODESIZE, 0, 1, PV_FRONTIER, 2)                             \
    X(0x39, CODECOPY, 3, 0, PV_FRONTIER, 3)                             \
    X(0x3a, GASPRICE, 0, 1, PV_FRONTIER, 2)                             \
    X(0x3b, EXTCODESIZE, 1, 1, PV_FRONTIER, 20)                         \
    X(0x3c, EXTCODECOPY, 4, 0, PV_FRONTIER, 20)                         \
    X(0x3d, RETURNDATASIZE, 0, 1, PV_BYZANTIUM, 2)                      \
    X(0x3e, RETURNDATACOPY, 3, 0, PV_BYZANTIUM, 3)                      \
    X(0x3f, EXTCODEHASH, 1, 1, PV_CONSTANTINOPLE, 400)                  \
    X(0x40, BLOCKHASH, 1, 1, PV_FRONTIER, 20)                           \
    X(0x41, COINBASE, 0, 1, PV_FRONTIER, 2)                             \
    X(0x42, TIMESTAMP, 0, 1, PV_FRONTIER, 2)                            \
    X(0x43, NUMBER, 0, 1, PV_FRONTIER, 2)                               \
    X(0x44, PREVRANDAO, 0, 1, PV_FRONTIER, 2)                           \
    X(0x45, GASLIMIT, 0, 1, PV_FRONTIER, 2)                             \
    X(0x46, CHAINID, 0, 1, PV_ISTANBUL, 2)                              \
    X(0x47, SELFBALANCE, 0, 1, PV_ISTANBUL, 5)                          \
    X(0x48, BASEFEE, 0, 1, PV_LONDON, 2)                                \
    X(0x49, BLOBHASH, 1, 1, PV_CANCUN, 3)                               \
    X(0x4a, BLOBBASEFEE, 0, 1, PV_CANCUN, 2)                            \
    X(0x50, POP, 1, 0, PV_FRONTIER, 2)                                  \
    X(0x51, MLOAD, 1, 1, PV_FRONTIER, 3)                                \
    X(0x52, MSTORE, 2, 0, PV_FRONTIER, 3)                               \
    X(0x53, MSTORE8, 2, 0, PV_FRONTIER, 3)                              \
    X(0x54, SLOAD, 1, 1, PV_FRONTIER, 50)                               \
    X(0x55, SSTORE, 2, 0, PV_FRONTIER, 0)                               \
    X(0x56, JUMP, 1, 0, PV_FRONTIER, 8)                                 \
    X(0x57, JUMPI, 2, 0, PV_FRONTIER, 10)                               \
    X(0x58, PC, 0, 1, PV_FRONTIER, 2)                                   \
    X(0x59, MSIZE, 0, 1, PV_FRONTIER, 2)                                \
    X(0x5a, GAS, 0, 1, PV_FRONTIER, 2)                                  \
    X(0x5b, JUMPDEST, 0, 0, PV_FRONTIER, 1)                             \
    X(0x5c, TLOAD, 1, 1, PV_CANCUN, 100)                                \
    X(0x5d, TSTORE, 2, 0, PV_CANCUN, 100)                               \
    X(0x5e, MCOPY, 3, 0, PV_CANCUN, 3)                                  \
    X(0x5f, PUSH0, 0, 1, PV_SHANGHAI, 2)                                \
    X(0x60, PUSH1, 0, 1, PV_FRONTIER, 3)                                \
    X(0x61, PUSH2, 0, 1, PV_FRONTIER, 3)                                \
    X(0x62, PUSH3, 0, 1, PV_FRONTIER, 3)                                \
    X(0x63, PUSH4, 0, 1, PV_FRONTIER, 3)                                \
    X(0x64, PUSH5, 0, 1, PV_FRONTIER, 3)                                \
    X(0x65, PUSH6, 0, 1, PV_FRONTIER, 3)                                \
    X(0x66, PUSH7, 0, 1, PV_FRONTIER, 3)                                \
    X(0x67, PUSH8, 0, 1, PV_FRONTIER, 3)                                \
    X(0x68, PUSH9, 0, 1, PV_FRONTIER, 3)                                \
    X(0x69, PUSH10, 0, 1, PV_FRONTIER, 3)                               \
    X(0x6a, PUSH11, 0, 1, PV_FRONTIER, 3)                               \
    X(0x6b, PUSH12, 0, 1, PV_FRONTIER, 3)                               \
    X(0x6c, PUSH13, 0, 1, PV_FRONTIER, 3)                               \
    X(0x6d, PUSH14, 0, 1, PV_FRONTIER, 3)                               \
    X(0x6e, PUSH15, 0, 1, PV_FRONTIER, 3)                               \
    X(0x6f, PUSH16, 0, 1, PV_FRONTIER, 3)                               \
    X(0x70, PUSH17, 0, 1, PV_FRONTIER, 3)                               \
    X(0x71, PUSH18, 0, 1, PV_FRONTIER, 3)                               \
    X(0x72, PUSH19, 0, 1, PV_FRONTIER, 3)                               \
    X(0x73, PUSH20, 0, 1, PV_FRONTIER, 3)                               \
    X(0x74, PUSH21, 0, 1, PV_FRONTIER, 3)                               \
    X(0x75, PUSH22, 0, 1, PV_FRONTIER, 3)                               \
    X(0x76, PUSH23, 0, 1, PV_FRONTIER, 3)                               \
    X(0x77, PUSH24, 0, 1, PV_FRONTIER, 3)                               \
    X(0x78, PUSH25, 0, 1, PV_FRONTIER, 3)                               \
    X(0x79, PUSH26, 0, 1, PV_FRONTIER, 3)                               \
    X(0x7a, PUSH27, 0, 1, PV_FRONTIER, 3)                               \
    X(0x7b, PUSH28, 0, 1, PV_FRONTIER, 3)                               \
    X(0x7c, PUSH29, 0, 1, PV_FRONTIER, 3)                               \
    X(0x7d, PUSH30, 0, 1, PV_FRONTIER, 3)                               \
    X(0x7e, PUSH31, 0, 1, PV_FRONTIER, 3)                               \
    X(0x7f, PUSH32, 0, 1, PV_FRONTIER, 3)                               \
    X(0x80, DUP1, 1, 2, PV_FRONTIER, 3)                                 \
    X(0x81, DUP2, 2, 3, PV_FRONTIER, 3)                                 \
    X(0x82, DUP3, 3, 4, PV_FRONTIER, 3)                                 \
    X(0x83, DUP4, 4, 5, PV_FRONTIER, 3)                                 \
    X(0x84, DUP5, 5, 6, PV_FRONTIER, 3)                                 \
    X(0x85, DUP6, 6, 7, PV_FRONTIER, 3)                                 \
    X(0x86, DUP7, 7, 8, PV_FRONTIER, 3)                                 \
    X(0x87, DUP8, 8, 9, PV_FRONTIER, 3)                                 \
    X(0x88, DUP9, 9, 10, PV_FRONTIER, 3)                                \
    X(0x89, DUP10, 10, 11, PV_FRONTIER, 3)                              \
    X(0x8a, DUP11, 11, 12, PV_FRONTIER, 3)                              \
    X(0x8b, DUP12, 12, 13, PV_FRONTIER, 3)                              \
    X(0x8c, DUP13, 13, 14, PV_FRONTIER, 3)                              \
    X(0x8d, DUP14, 14, 15, PV_FRONTIER, 3)                              \
    X(0x8e, DUP15, 15, 16, PV_FRONTIER, 3)                              \
    X(0x8f, DUP16, 16, 17, PV_FRONTIER, 3)                              \
    X(0x90, SWAP1, 2, 2, PV_FRONTIER, 3)                                \
    X(0x91, SWAP2, 3, 3, PV_FRONTIER, 3)                                \
    X(0x92, SWAP3, 4, 4, PV_FRONTIER, 3)                                \
    X(0x93, SWAP4, 5, 5, PV_FRONTIER, 3)                                \
    X(0x94, SWAP5, 6, 6, PV_FRONTIER, 3)                                \
    X(0x95, SWAP6, 7, 7, PV_FRONTIER, 3)                                \
    X(0x96, SWAP7, 8, 8, PV_FRONTIER, 3)                                \
    X(0x97, SWAP8, 9, 9, PV_FRONTIER, 3)                                \
    X(0x98, SWAP9, 10, 10, PV_FRONTIER, 3)                              \
    X(0x99, SWAP10, 11, 11, PV_FRONTIER, 3)                             \
    X(0x9a, SWAP11, 12, 12, PV_FRONTIER, 3)                             \
    X(0x9b, SWAP12, 13, 13, PV_FRONTIER, 3)                             \
    X(0x9c, SWAP13, 14, 14, PV_FRONTIER, 3)                             \
    X(0x9d, SWAP14, 15, 15, PV_FRONTIER, 3)                             \
    X(0x9e, SWAP15, 16, 16, PV_FRONTIER, 3)                             \
    X(0x9f, SWAP16, 17, 17, PV_FRONTIER, 3)                             \
    X(0xa0, LOG0, 2, 0, PV_FRONTIER, 375)                               \
    X(0xa1, LOG1, 3, 0, PV_FRONTIER, 750)                               \
    X(0xa2, LOG2, 4, 0, PV_FRONTIER, 1125)                              \
    X(0xa3, LOG3, 5, 0, PV_FRONTIER, 1500)                              \
    X(0xa4, LOG4, 6, 0, PV_FRONTIER, 1875)                              \
    X(0xf0, CREATE, 3, 1, PV_FRONTIER, 32000)                           \
    X(0xf1, CALL, 7, 1, PV_FRONTIER, 40)                                \
    X(0xf2, CALLCODE, 7, 1, PV_FRONTIER, 40)                            \
    X(0xf3, RETURN, 2, 0, PV_FRONTIER, 0)                               \
    X(0xf4, DELEGATECALL, 6, 1, PV_HOMESTEAD, 40)                       \
    X(0xf5, CREATE2, 4, 1, PV_CONSTANTINOPLE, 32000)                    \
    X(0xfa, STATICCALL, 6, 1, PV_BYZANTIUM, 700)                        \
    X(0xfd, REVERT, 2, 0, PV_BYZANTIUM, 0)                              \
    X(0xfe, INVALID, 0, 0, PV_FRONTIER, 0)                              \
    X(0xff, SELFDESTRUCT, 1, 0, PV_FRONTIER, 0)

enum pv_opcode {
#define PV_OP_ENUM(v, name, in, out, since, gas) PV_OP_##name = v,
    PV_OPCODES(PV_OP_ENUM)
#undef PV_OP_ENUM
};

/* What the interpreter checks before executing an instruction, per fork. */
typedef struct pv_op_info {
    int32_t gas;          /* static gas; -1 when undefined in this fork */
    int16_t stack_min;    /* items needed on the stack */
    int16_t stack_grow;   /* net change of the stack height */
} pv_op_info;

/* Table for a fork: 256 entries. Built once at start-up. */
const pv_op_info *pv_op_table(pv_fork fork);

/* Mnemonic of an opcode, or NULL if no fork defines it. */
const char *pv_op_name(uint8_t opcode);

#endif
