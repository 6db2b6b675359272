/*
 * The EVM interpreter: executes one call frame's code.
 *
 * pv_execute runs code for msg under fork and returns the frame's result. Nested calls and
 * creates go through host->fn->call, which in turn calls pv_execute for the callee's code. The
 * interpreter checks call depth (1024) and the caller's balance before calling the host for a
 * nested CALL/CALLCODE (creates: see host.h, the host checks) and charges every gas cost,
 * including the EIP-150 63/64 rule and the CALL stipend. For creates it returns the deployed code
 * as output; storing it (and charging the code deposit, EIP-170/3541 checks) is the host's job,
 * see pv_code_deposit_cost.
 */
#ifndef PV_EVM_INTERP_H
#define PV_EVM_INTERP_H

#include "code.h"
#include "host.h"

pv_result pv_execute(pv_host *host, pv_fork fork, const pv_message *msg, const pv_code *code);

/* Releases memory kept in the calling thread's frame cache (stacks and memory buffers). */
void pv_interp_thread_cleanup(void);

#endif
