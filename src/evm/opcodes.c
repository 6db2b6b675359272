#include "opcodes.h"

#include <pthread.h>

typedef struct {
    const char *name;
    int8_t in, out;
    int8_t since;    /* -1: no such opcode */
    int32_t gas;
} op_def;

static const op_def op_defs[256] = {
#define PV_OP_DEF(v, nm, i, o, s, g) [v] = {#nm, i, o, s, g},
    PV_OPCODES(PV_OP_DEF)
#undef PV_OP_DEF
};

static pv_op_info tables[PV_FORK_COUNT][256];
static pthread_once_t tables_once = PTHREAD_ONCE_INIT;

/* Base gas of an instruction in a given fork: the introducing fork's price, then every repricing. */
static int32_t op_gas(uint8_t op, pv_fork f)
{
    int32_t g = op_defs[op].gas;
    switch (op) {
    case PV_OP_BALANCE:
        if (f >= PV_TANGERINE_WHISTLE) g = 400;   /* EIP-150 */
        if (f >= PV_ISTANBUL) g = 700;            /* EIP-1884 */
        if (f >= PV_BERLIN) g = 100;              /* EIP-2929: warm price; cold surcharge is dynamic */
        break;
    case PV_OP_EXTCODESIZE:
    case PV_OP_EXTCODECOPY:
        if (f >= PV_TANGERINE_WHISTLE) g = 700;
        if (f >= PV_BERLIN) g = 100;
        break;
    case PV_OP_EXTCODEHASH:
        if (f >= PV_ISTANBUL) g = 700;
        if (f >= PV_BERLIN) g = 100;
        break;
    case PV_OP_SLOAD:
        if (f >= PV_TANGERINE_WHISTLE) g = 200;
        if (f >= PV_ISTANBUL) g = 800;
        if (f >= PV_BERLIN) g = 100;
        break;
    case PV_OP_CALL:
    case PV_OP_CALLCODE:
    case PV_OP_DELEGATECALL:
    case PV_OP_STATICCALL:
        if (f >= PV_TANGERINE_WHISTLE) g = 700;
        if (f >= PV_BERLIN) g = 100;
        break;
    case PV_OP_SELFDESTRUCT:
        if (f >= PV_TANGERINE_WHISTLE) g = 5000;
        break;
    default:
        break;
    }
    return g;
}

static void build_tables(void)
{
    for (int f = 0; f < PV_FORK_COUNT; f++) {
        for (int op = 0; op < 256; op++) {
            pv_op_info *e = &tables[f][op];
            const op_def *d = &op_defs[op];
            bool defined = d->name != NULL && d->since <= f && op != PV_OP_INVALID;
            e->gas = defined ? op_gas((uint8_t)op, (pv_fork)f) : -1;
            e->stack_min = d->in;
            e->stack_grow = (int16_t)(d->out - d->in);
        }
    }
}

const pv_op_info *pv_op_table(pv_fork fork)
{
    pthread_once(&tables_once, build_tables);
    return tables[fork];
}

const char *pv_op_name(uint8_t opcode)
{
    return op_defs[opcode].name;
}
