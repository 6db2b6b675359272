/*
 * The scaling projection (src/bench/projection.c) on hand-built traces whose answers are worked
 * out below by hand: dependencies from reads of written locations, credits that commute, the
 * critical path, list scheduling on equal and on unequal workers.
 */
#include "test.h"

#include <math.h>
#include <string.h>

#include "bench/projection.h"

#define MAXT 8

typedef struct trace_set {
    pv_tx_trace t[MAXT];
    pv_loc reads[MAXT][4], writes[MAXT][4];
    uint8_t flags[MAXT][4];
    size_t n;
} trace_set;

static pv_loc loc_of(unsigned id)
{
    pv_address a;
    memset(&a, 0, sizeof a);
    a.b[19] = (uint8_t)id;
    pv_loc l;
    pv_loc_make(&l, PV_LOC_BALANCE, &a, NULL);
    return l;
}

/* Transaction n: exec_us, reading location r (0: none), writing w (0: none), w a credit when delta. */
static void add(trace_set *s, double us, unsigned r, unsigned w, bool delta)
{
    size_t i = s->n++;
    pv_tx_trace *t = &s->t[i];
    memset(t, 0, sizeof *t);
    t->exec_us = us;
    t->incarnations = 1;
    t->reads = s->reads[i];
    t->writes = s->writes[i];
    t->write_flags = s->flags[i];
    if (r)
        s->reads[i][t->nreads++] = loc_of(r);
    if (w) {
        s->writes[i][t->nwrites] = loc_of(w);
        s->flags[i][t->nwrites++] = delta ? PV_MV_DELTA : 0;
    }
}

static bool near(double a, double b) { return fabs(a - b) < 1e-9; }

int main(void)
{
    /* Four independent transactions of 1 us: 2 workers halve the time, 8 cannot do better than 4. */
    trace_set s = {.n = 0};
    for (unsigned i = 0; i < 4; i++)
        add(&s, 1, 10 + i, 20 + i, false);
    pv_projection p;
    pv_project(s.t, s.n, &p);
    CHECK(near(p.critical_path_bound, 4) && p.edges == 0, "independent: bound %f, %zu edges", p.critical_path_bound,
          p.edges);
    CHECK(near(pv_project_list_schedule(s.t, s.n, 2), 2), "independent on 2 workers");
    CHECK(near(pv_project_list_schedule(s.t, s.n, 8), 4), "independent on 8 workers");

    /* A chain: each reads what the previous one wrote. Nothing runs side by side. */
    s.n = 0;
    add(&s, 2, 0, 1, false);
    add(&s, 3, 1, 2, false);
    add(&s, 5, 2, 3, false);
    pv_project(s.t, s.n, &p);
    CHECK(near(p.critical_path_bound, 1) && p.edges == 2, "chain: bound %f, %zu edges", p.critical_path_bound, p.edges);
    CHECK(near(pv_project_list_schedule(s.t, s.n, 2), 1), "chain on 2 workers");

    /* Credits commute: two credits to one balance do not depend on each other, but a reader of
     * that balance depends on both. Work 1 + 1 + 2 = 4, path 1 + 2 = 3. */
    s.n = 0;
    add(&s, 1, 0, 7, true);
    add(&s, 1, 0, 7, true);
    add(&s, 2, 7, 0, false);
    pv_project(s.t, s.n, &p);
    CHECK(p.edges == 2 && near(p.critical_path_bound, 4.0 / 3.0), "credits: %zu edges, bound %f", p.edges,
          p.critical_path_bound);
    /* 2 workers: both credits at once (end 1), the reader after them (end 3): 4 / 3. */
    CHECK(near(pv_project_list_schedule(s.t, s.n, 2), 4.0 / 3.0), "credits on 2 workers");

    /* Unequal workers: three independent transactions of 10 us, worker 1 at half speed. The
     * first goes to worker 0 (ends at 10, worker 1 would end at 20); the second ties at 20
     * and goes to worker 0, free last; the third to worker 1 (20 against 30). 30 / 20 = 1.5,
     * the two workers' speeds added. */
    s.n = 0;
    for (unsigned i = 0; i < 3; i++)
        add(&s, 10, 0, 30 + i, false);
    double half[2] = {1, 0.5}, equal[2] = {1, 1}, faster[2] = {1.25, 1.25};
    CHECK(near(pv_project_list_schedule_speeds(s.t, s.n, half, 2), 1.5), "unequal workers: %f",
          pv_project_list_schedule_speeds(s.t, s.n, half, 2));
    CHECK(near(pv_project_list_schedule_speeds(s.t, s.n, equal, 2), pv_project_list_schedule(s.t, s.n, 2)),
          "speeds of 1 are the plain list schedule");
    /* Both workers faster than the reference: 30 us of work in 2 rounds of 8 us = 1.875. */
    CHECK(near(pv_project_list_schedule_speeds(s.t, s.n, faster, 2), 30.0 / 16.0), "faster workers: %f",
          pv_project_list_schedule_speeds(s.t, s.n, faster, 2));

    /* The tie: a long transaction t0 (10 us), t1 (1 us) and t2 (4 us, reading what t0 wrote,
     * ready at 10), t3 (5 us, reading what t1 wrote, ready at 1). Worker 0 takes t0 (0-10),
     * worker 1 t1 (0-1); t2 is ready at 10 with both free: it goes to worker 0, free last
     * (10-14), and t3 to worker 1 (1-6). Makespan 14, work 20. Had t2 gone to worker 1, free
     * first, t3 would wait for worker 0 (10-15). */
    s.n = 0;
    add(&s, 10, 0, 40, false);
    add(&s, 1, 0, 41, false);
    add(&s, 4, 40, 0, false);
    add(&s, 5, 41, 0, false);
    CHECK(near(pv_project_list_schedule(s.t, s.n, 2), 20.0 / 14.0), "the tie goes to the worker free last: %f",
          pv_project_list_schedule(s.t, s.n, 2));

    /* Amdahl: 10 ms sequential, 2 of them outside the transactions, the other 8 projected x2:
     * 4 + 2 = 6 ms, x1.667. No serial part, or a meaningless one, leaves the projection. */
    CHECK(near(pv_project_with_serial(10, 2, 2), 10.0 / 6.0), "serial steps added: %f",
          pv_project_with_serial(10, 2, 2));
    CHECK(near(pv_project_with_serial(10, 0, 1.8), 1.8), "no serial steps");
    CHECK(near(pv_project_with_serial(1, 2, 1.8), 1.8), "serial steps longer than the block");

    /* A late start: 10 ms sequential, 2 serial, the 8 of transactions projected x2; one worker
     * starts at 0.02 ms, the other at 0.08: the first runs 0.06 ms alone, the other 7.94 take
     * 3.97 on two, so 2 + 0.08 + 3.97 = 6.05 ms. The starts' order does not matter. */
    CHECK(near(pv_project_with_start(10, 2, 2, 0.02, 0.08), 10.0 / 6.05), "late start: %f",
          pv_project_with_start(10, 2, 2, 0.02, 0.08));
    CHECK(near(pv_project_with_start(10, 2, 2, 0.08, 0.02), 10.0 / 6.05), "starts swapped");
    /* both at once at 0: the Amdahl figure */
    CHECK(near(pv_project_with_start(10, 2, 2, 0, 0), pv_project_with_serial(10, 2, 2)), "no start cost");
    /* 0.05 ms of transactions, done alone before the other worker arrives at 0.08: sequential (1) */
    CHECK(near(pv_project_with_start(0.05, 0, 1.85, 0.02, 0.08), 1.0), "a block too short to repay the start: %f",
          pv_project_with_start(0.05, 0, 1.85, 0.02, 0.08));
    /* 0.3 ms, x1.9 projected, starts 0.02 / 0.08: 0.08 + 0.24 / 1.9 = 0.2063 ms */
    CHECK(near(pv_project_with_start(0.3, 0, 1.9, 0.02, 0.08), 0.3 / (0.08 + 0.24 / 1.9)), "short block: %f",
          pv_project_with_start(0.3, 0, 1.9, 0.02, 0.08));
    CHECK(pv_project_with_start(0, 0, 2, 0.02, 0.08) == 0 && pv_project_with_start(1, 0, 0, 0.02, 0.08) == 0,
          "nothing to project");
    TEST_DONE();
}
