/*
 * GeneralStateTests: loading a fixture file into memory and running its cases. No printing:
 * errors come back as strings naming the file, test and field.
 */
#ifndef PV_IO_STATETEST_H
#define PV_IO_STATETEST_H

#include "../exec/transition.h"

typedef struct pv_st_case {
    char fork_name[32];
    bool fork_known;
    pv_fork fork;
    size_t d, g, v;               /* indexes into data, gasLimit, value */
    pv_bytes32 hash, logs;
    bool expect_exception;
    char exception[96];
    int tx_type;                  /* from txbytes when given, else -1 */
} pv_st_case;

typedef struct pv_st_test {
    char *name;
    char *error;                  /* non-NULL: the test could not be loaded (message) */
    pv_world *world;
    pv_block_env env;
    /* transaction template */
    uint8_t **data;
    size_t *data_len;
    size_t ndata;
    uint64_t *gas;
    bool *gas_bad;                /* out of range: the case's transaction is invalid */
    size_t ngas;
    u256 *value;
    bool *value_bad;
    size_t nvalue;
    pv_access_entry **access;     /* per data index; NULL when absent */
    size_t *access_count;
    bool has_access_lists;
    pv_tx base;                   /* fields common to all cases */
    bool base_bad;                /* a common field out of range */
    pv_bytes32 *blob_hashes;
    bool has_blobs, has_max_fee;
    pv_st_case *cases;
    size_t ncases;
} pv_st_test;

typedef struct pv_st_file {
    pv_st_test *tests;
    size_t ntests;
} pv_st_file;

/* Loads path. Returns NULL with *err set (malloc'd) if the file is unreadable or not valid JSON
 * of the expected shape; tests with bad fields are returned with their own error. */
pv_st_file *pv_st_load(const char *path, char **err);
void pv_st_free(pv_st_file *f);

typedef struct pv_st_outcome {
    bool pass;
    bool rejected;                /* the transaction was invalid */
    pv_tx_error error;
    pv_bytes32 root, logs;
} pv_st_outcome;

/* Runs one case (the case's fork must be known). */
void pv_st_run_case(const pv_st_test *t, const pv_st_case *c, pv_st_outcome *out);

#endif
