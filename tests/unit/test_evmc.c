/*
 * The EVMC 12 entry point, as a host would use it: dlopen build/libparevm.so (or $PAREVM_LIB),
 * dlsym evmc_create_parevm, check the VM's identity, and run every EVM benchmark case through
 * vm->execute against a minimal EVMC host written here (storage with EIP-2200 statuses), checking
 * status, gas and output against fixtures/evm-benchmarks/expected-results.json (Istanbul).
 */
#include "test.h"

#include <dlfcn.h>
#include <jansson.h>
#include <string.h>

#include "parevm_evmc.h"
#include "util/hex.h"

typedef struct slot {
    evmc_bytes32 key, original, current;
} slot;

struct evmc_host_context {
    slot *slots;
    size_t n, cap;
    const uint8_t *code;
    size_t code_size;
    evmc_address contract;
};

static slot *find(struct evmc_host_context *c, const evmc_bytes32 *key, bool create)
{
    for (size_t i = 0; i < c->n; i++)
        if (memcmp(c->slots[i].key.bytes, key->bytes, 32) == 0)
            return &c->slots[i];
    if (!create)
        return NULL;
    if (c->n == c->cap) {
        c->cap = c->cap ? c->cap * 2 : 64;
        c->slots = realloc(c->slots, c->cap * sizeof *c->slots);
    }
    slot *s = &c->slots[c->n++];
    memset(s, 0, sizeof *s);
    s->key = *key;
    return s;
}

static bool is_zero(const evmc_bytes32 *v)
{
    static const evmc_bytes32 z;
    return memcmp(v, &z, 32) == 0;
}

static bool eq(const evmc_bytes32 *a, const evmc_bytes32 *b) { return memcmp(a, b, 32) == 0; }

static bool h_exists(struct evmc_host_context *c, const evmc_address *a)
{
    return memcmp(a, &c->contract, 20) == 0;
}

static evmc_bytes32 h_get_storage(struct evmc_host_context *c, const evmc_address *a, const evmc_bytes32 *k)
{
    (void)a;
    slot *s = find(c, k, false);
    evmc_bytes32 z = {{0}};
    return s ? s->current : z;
}

/* The EVMC statuses, from (original, current, value) as the EVMC specification defines them. */
static enum evmc_storage_status h_set_storage(struct evmc_host_context *c, const evmc_address *a,
                                              const evmc_bytes32 *k, const evmc_bytes32 *v)
{
    (void)a;
    slot *s = find(c, k, true);
    enum evmc_storage_status st = EVMC_STORAGE_ASSIGNED;
    const evmc_bytes32 *o = &s->original, *cur = &s->current;
    if (eq(cur, v))
        st = EVMC_STORAGE_ASSIGNED;
    else if (eq(o, cur))
        st = is_zero(o) ? EVMC_STORAGE_ADDED : is_zero(v) ? EVMC_STORAGE_DELETED : EVMC_STORAGE_MODIFIED;
    else if (!is_zero(o) && is_zero(cur))
        st = eq(v, o) ? EVMC_STORAGE_DELETED_RESTORED : EVMC_STORAGE_DELETED_ADDED;
    else if (!is_zero(o) && is_zero(v))
        st = EVMC_STORAGE_MODIFIED_DELETED;
    else if (is_zero(o) && is_zero(v))
        st = EVMC_STORAGE_ADDED_DELETED;
    else if (!is_zero(o) && eq(v, o))
        st = EVMC_STORAGE_MODIFIED_RESTORED;
    s->current = *v;
    return st;
}

static evmc_uint256be h_get_balance(struct evmc_host_context *c, const evmc_address *a)
{
    (void)c, (void)a;
    evmc_uint256be z = {{0}};
    return z;
}

static size_t h_code_size(struct evmc_host_context *c, const evmc_address *a)
{
    return h_exists(c, a) ? c->code_size : 0;
}

static evmc_bytes32 h_code_hash(struct evmc_host_context *c, const evmc_address *a)
{
    (void)c, (void)a;
    evmc_bytes32 z = {{0}};
    return z;
}

static size_t h_copy_code(struct evmc_host_context *c, const evmc_address *a, size_t off, uint8_t *buf, size_t n)
{
    if (!h_exists(c, a) || off >= c->code_size)
        return 0;
    size_t k = c->code_size - off < n ? c->code_size - off : n;
    memcpy(buf, c->code + off, k);
    return k;
}

static bool h_selfdestruct(struct evmc_host_context *c, const evmc_address *a, const evmc_address *b)
{
    (void)c, (void)a, (void)b;
    return false;
}

static struct evmc_result h_call(struct evmc_host_context *c, const struct evmc_message *m)
{
    (void)c;
    struct evmc_result r;
    memset(&r, 0, sizeof r);
    r.status_code = EVMC_SUCCESS;
    r.gas_left = m->gas;
    return r;
}

static struct evmc_tx_context h_tx_context(struct evmc_host_context *c)
{
    (void)c;
    struct evmc_tx_context t;
    memset(&t, 0, sizeof t);
    t.block_number = 1;
    t.block_gas_limit = 1000000000;
    t.chain_id.bytes[31] = 1;
    return t;
}

static evmc_bytes32 h_block_hash(struct evmc_host_context *c, int64_t n)
{
    (void)c, (void)n;
    evmc_bytes32 z = {{0}};
    return z;
}

static void h_emit_log(struct evmc_host_context *c, const evmc_address *a, const uint8_t *d, size_t n,
                       const evmc_bytes32 t[], size_t nt)
{
    (void)c, (void)a, (void)d, (void)n, (void)t, (void)nt;
}

static enum evmc_access_status h_access_account(struct evmc_host_context *c, const evmc_address *a)
{
    (void)c, (void)a;
    return EVMC_ACCESS_WARM;
}

static enum evmc_access_status h_access_storage(struct evmc_host_context *c, const evmc_address *a,
                                                const evmc_bytes32 *k)
{
    (void)c, (void)a, (void)k;
    return EVMC_ACCESS_WARM;
}

static evmc_bytes32 h_get_transient(struct evmc_host_context *c, const evmc_address *a, const evmc_bytes32 *k)
{
    (void)c, (void)a, (void)k;
    evmc_bytes32 z = {{0}};
    return z;
}

static void h_set_transient(struct evmc_host_context *c, const evmc_address *a, const evmc_bytes32 *k,
                            const evmc_bytes32 *v)
{
    (void)c, (void)a, (void)k, (void)v;
}

static const struct evmc_host_interface host = {
    h_exists, h_get_storage, h_set_storage, h_get_balance, h_code_size, h_code_hash, h_copy_code, h_selfdestruct,
    h_call, h_tx_context, h_block_hash, h_emit_log, h_access_account, h_access_storage, h_get_transient,
    h_set_transient,
};

static json_t *expected;

static json_t *expected_for(const char *file, size_t index)
{
    json_t *cases = json_object_get(expected, "cases");
    for (size_t i = 0; i < json_array_size(cases); i++) {
        json_t *c = json_array_get(cases, i);
        const char *f = json_string_value(json_object_get(c, "file"));
        if (f && strstr(f, file) && (size_t)json_integer_value(json_object_get(c, "data_index")) == index)
            return json_object_get(c, "Istanbul");
    }
    return NULL;
}

static int cases_run;

static void run_file(struct evmc_vm *vm, const char *dir, const char *sub, const char *file)
{
    char path[4300];
    snprintf(path, sizeof path, "%s/evm-benchmarks/benchmarks/%s/%s", dir, sub, file);
    json_t *root = json_load_file(path, 0, NULL);
    CHECK(root != NULL, "load %s", path);
    if (!root)
        return;
    const char *name;
    json_t *t;
    json_object_foreach(root, name, t) {
        const char *code_hex = json_string_value(json_object_get(
            json_object_get(json_object_get(t, "pre"), "0xbe7c43a580000000000000000000000000000001"), "code"));
        json_t *data = json_object_get(json_object_get(t, "transaction"), "data");
        uint8_t *code;
        size_t code_len;
        CHECK(code_hex && pv_hex_decode_alloc(code_hex, strlen(code_hex), &code, &code_len), "%s: code", file);
        for (size_t i = 0; i < json_array_size(data); i++) {
            const char *in_hex = json_string_value(json_array_get(data, i));
            uint8_t *in;
            size_t in_len;
            pv_hex_decode_alloc(in_hex, strlen(in_hex), &in, &in_len);
            struct evmc_host_context ctx;
            memset(&ctx, 0, sizeof ctx);
            ctx.code = code;
            ctx.code_size = code_len;
            ctx.contract.bytes[0] = 0xbe;
            ctx.contract.bytes[19] = 1;
            struct evmc_message msg;
            memset(&msg, 0, sizeof msg);
            msg.kind = EVMC_CALL;
            msg.gas = 1000000000;
            msg.recipient = ctx.contract;
            msg.code_address = ctx.contract;
            msg.sender.bytes[0] = 0xa9;
            msg.input_data = in;
            msg.input_size = in_len;
            struct evmc_result r = vm->execute(vm, &host, &ctx, EVMC_ISTANBUL, &msg, code, code_len);
            json_t *want = expected_for(file, i);
            uint8_t *out = NULL;
            size_t out_len = 0;
            const char *out_hex = json_string_value(json_object_get(want, "output"));
            bool have = want && out_hex && pv_hex_decode_alloc(out_hex, strlen(out_hex), &out, &out_len);
            int64_t gas = have ? (int64_t)json_integer_value(json_object_get(want, "gas_used")) : -1;
            CHECK(have, "%s[%zu]: expected result found", file, i);
            CHECK(r.status_code == EVMC_SUCCESS, "%s[%zu]: status %d", file, i, r.status_code);
            CHECK(1000000000 - r.gas_left == gas, "%s[%zu]: gas %lld, expected %lld", file, i,
                  (long long)(1000000000 - r.gas_left), (long long)gas);
            CHECK(r.output_size == out_len && (!out_len || memcmp(r.output_data, out, out_len) == 0),
                  "%s[%zu]: output", file, i);
            if (r.release)
                r.release(&r);
            free(out);
            free(in);
            free(ctx.slots);
            cases_run++;
        }
        free(code);
    }
    json_decref(root);
}

int main(void)
{
    const char *lib = getenv("PAREVM_LIB");
    if (!lib || !*lib)
        lib = "build/libparevm.so";
    void *h = dlopen(lib, RTLD_NOW | RTLD_LOCAL);
    CHECK(h != NULL, "dlopen %s: %s", lib, dlerror());
    if (!h)
        TEST_DONE();
    struct evmc_vm *(*create)(void) = (struct evmc_vm * (*)(void)) dlsym(h, "evmc_create_parevm");
    CHECK(create != NULL, "evmc_create_parevm exported");
    if (!create)
        TEST_DONE();
    struct evmc_vm *vm = create();
    CHECK(vm && vm->abi_version == EVMC_ABI_VERSION, "ABI version 12");
    CHECK(vm && strcmp(vm->name, "parevm") == 0, "name");
    CHECK(vm && vm->get_capabilities(vm) == EVMC_CAPABILITY_EVM1, "EVM1 capability");
    CHECK(vm && vm->set_option(vm, "x", "y") == EVMC_SET_OPTION_INVALID_NAME, "no options");
    struct evmc_message m;
    memset(&m, 0, sizeof m);
    struct evmc_result rej = vm->execute(vm, &host, NULL, EVMC_PRAGUE, &m, NULL, 0);
    CHECK(rej.status_code == EVMC_REJECTED, "Prague rejected");

    char path[4200];
    snprintf(path, sizeof path, "%s/evm-benchmarks/expected-results.json", test_fixtures_dir());
    expected = json_load_file(path, 0, NULL);
    CHECK(expected != NULL, "load %s", path);
    static const char *const files[][2] = {
        {"main", "blake2b_huff.json"}, {"main", "blake2b_shifts.json"}, {"main", "sha1_divs.json"},
        {"main", "sha1_shifts.json"}, {"main", "snailtracer.json"}, {"main", "structarray_alloc.json"},
        {"main", "swap_math.json"}, {"main", "weierstrudel.json"}, {"micro", "JUMPDEST_n0.json"},
        {"micro", "jump_around.json"}, {"micro", "loop_with_many_jumpdests.json"},
        {"micro", "memory_grow_mload.json"}, {"micro", "memory_grow_mstore.json"}, {"micro", "signextend.json"},
    };
    for (size_t f = 0; expected && f < sizeof files / sizeof files[0]; f++)
        run_file(vm, test_fixtures_dir(), files[f][0], files[f][1]);
    CHECK(cases_run == 27, "27 benchmark cases run through EVMC (%d)", cases_run);
    json_decref(expected);
    vm->destroy(vm);
    dlclose(h);
    TEST_DONE();
}
