/* Dependency graph, critical path and list scheduling from Block-STM traces. */
#include "projection.h"

#include <stdlib.h>

/* Per location while walking the block: the latest full writer and the credits since. */
typedef struct loc_state {
    pv_loc loc;
    bool used;
    int64_t last_full;          /* -1: none (the pre-state) */
    uint32_t *credits;
    uint32_t ncredits, cap;
} loc_state;

typedef struct graph {
    uint32_t **deps;            /* deps[j]: transactions j depends on */
    uint32_t *ndeps;
    size_t edges;
} graph;

static void *xalloc(size_t n)
{
    void *p = calloc(1, n ? n : 1);
    if (!p)
        abort();
    return p;
}

static loc_state *lookup(loc_state *t, size_t cap, const pv_loc *l)
{
    for (size_t i = pv_loc_hash(l) & (cap - 1);; i = (i + 1) & (cap - 1)) {
        if (!t[i].used) {
            t[i].used = true;
            t[i].loc = *l;
            t[i].last_full = -1;
            return &t[i];
        }
        if (memcmp(&t[i].loc, l, sizeof *l) == 0)
            return &t[i];
    }
}

static void add_dep(uint32_t **list, uint32_t *n, uint32_t *cap, uint32_t d)
{
    for (uint32_t k = 0; k < *n; k++)
        if ((*list)[k] == d)
            return;
    if (*n == *cap) {
        *cap = *cap ? *cap * 2 : 8;
        *list = realloc(*list, *cap * sizeof **list);
        if (!*list)
            abort();
    }
    (*list)[(*n)++] = d;
}

static void build(const pv_tx_trace *tr, size_t n, graph *g)
{
    size_t nloc = 0;
    for (size_t j = 0; j < n; j++)
        nloc += tr[j].nreads + tr[j].nwrites;
    size_t cap = 64;
    while (cap < 2 * nloc)
        cap <<= 1;
    loc_state *t = xalloc(cap * sizeof *t);
    g->deps = xalloc((n + 1) * sizeof *g->deps);
    g->ndeps = xalloc((n + 1) * sizeof *g->ndeps);
    g->edges = 0;
    for (size_t j = 0; j < n; j++) {
        uint32_t dcap = 0;
        for (uint32_t r = 0; r < tr[j].nreads; r++) {
            loc_state *s = lookup(t, cap, &tr[j].reads[r]);
            if (s->last_full >= 0)
                add_dep(&g->deps[j], &g->ndeps[j], &dcap, (uint32_t)s->last_full);
            for (uint32_t c = 0; c < s->ncredits; c++)
                add_dep(&g->deps[j], &g->ndeps[j], &dcap, s->credits[c]);
        }
        for (uint32_t w = 0; w < tr[j].nwrites; w++) {
            loc_state *s = lookup(t, cap, &tr[j].writes[w]);
            if (tr[j].write_flags[w] & PV_MV_DELTA) {
                if (s->ncredits == s->cap) {
                    s->cap = s->cap ? s->cap * 2 : 4;
                    s->credits = realloc(s->credits, s->cap * sizeof *s->credits);
                    if (!s->credits)
                        abort();
                }
                s->credits[s->ncredits++] = (uint32_t)j;
            } else {
                s->last_full = (int64_t)j;
                s->ncredits = 0;
            }
        }
        g->edges += g->ndeps[j];
    }
    for (size_t i = 0; i < cap; i++)
        free(t[i].credits);
    free(t);
}

static void graph_free(graph *g, size_t n)
{
    for (size_t j = 0; j < n; j++)
        free(g->deps[j]);
    free(g->deps);
    free(g->ndeps);
}

void pv_project(const pv_tx_trace *tr, size_t n, pv_projection *out)
{
    memset(out, 0, sizeof *out);
    graph g;
    build(tr, n, &g);
    double *cp = xalloc((n + 1) * sizeof *cp);
    for (size_t j = 0; j < n; j++) {
        double longest = 0;
        for (uint32_t k = 0; k < g.ndeps[j]; k++)
            if (cp[g.deps[j][k]] > longest)
                longest = cp[g.deps[j][k]];
        cp[j] = longest + tr[j].exec_us;
        out->total_us += tr[j].exec_us;
        if (cp[j] > out->critical_path_us)
            out->critical_path_us = cp[j];
    }
    out->critical_path_bound = out->critical_path_us > 0 ? out->total_us / out->critical_path_us : 1;
    out->edges = g.edges;
    free(cp);
    graph_free(&g, n);
}

double pv_project_list_schedule_speeds(const pv_tx_trace *tr, size_t n, const double *speed, unsigned workers)
{
    if (!n || !workers)
        return 1;
    graph g;
    build(tr, n, &g);
    double *finish = xalloc((n + 1) * sizeof *finish);
    double *free_at = xalloc(workers * sizeof *free_at);
    double total = 0, makespan = 0;
    for (size_t j = 0; j < n; j++) {
        double ready = 0;
        for (uint32_t k = 0; k < g.ndeps[j]; k++)
            if (finish[g.deps[j][k]] > ready)
                ready = finish[g.deps[j][k]];
        unsigned w = 0;
        double best = 0;
        for (unsigned k = 0; k < workers; k++) {
            double end = (ready > free_at[k] ? ready : free_at[k]) + tr[j].exec_us / speed[k];
            /* A tie (both idle when the transaction is ready) goes to the worker that became free
             * last: the other stays free from earlier, for a transaction ready sooner. (Taking
             * the one free first, as this did before, left that gap unused: block 1150000
             * projected x1.05 instead of x1.30 on two workers.) */
            if (k == 0 || end < best || (end == best && free_at[k] > free_at[w]))
                w = k, best = end;
        }
        finish[j] = best;
        free_at[w] = best;
        total += tr[j].exec_us;
        if (best > makespan)
            makespan = best;
    }
    free(finish);
    free(free_at);
    graph_free(&g, n);
    return makespan > 0 ? total / makespan : 1;
}

double pv_project_with_serial(double seq_ms, double serial_ms, double projected)
{
    if (!(serial_ms > 0 && serial_ms < seq_ms && projected > 0))
        return projected;
    return seq_ms / ((seq_ms - serial_ms) / projected + serial_ms);
}

double pv_project_with_start(double seq_ms, double serial_ms, double projected, double first_ms, double second_ms)
{
    if (!(seq_ms > 0 && projected > 0))
        return 0;
    if (!(serial_ms > 0 && serial_ms < seq_ms))
        serial_ms = 0;
    double early = first_ms > 0 ? first_ms : 0, late = second_ms > 0 ? second_ms : 0;
    if (early > late) {
        double t = early;
        early = late;
        late = t;
    }
    double work = seq_ms - serial_ms, alone = late - early;
    double span = work <= alone ? early + work : late + (work - alone) / projected;
    double speedup = seq_ms / (serial_ms + span);
    return speedup > 1 ? speedup : 1;
}

double pv_project_list_schedule(const pv_tx_trace *tr, size_t n, unsigned workers)
{
    double *speed = xalloc((workers + 1) * sizeof *speed);
    for (unsigned w = 0; w < workers; w++)
        speed[w] = 1;
    double r = pv_project_list_schedule_speeds(tr, n, speed, workers);
    free(speed);
    return r;
}
