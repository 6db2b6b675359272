/* The monotonic clock, read the one way every timing in parevm reads it (phase statistics, the
 * pool's polling deadlines, the chunks' per-CPU speeds, the tools' measurements). */
#ifndef PV_UTIL_CLOCK_H
#define PV_UTIL_CLOCK_H

#include <stdint.h>
#include <time.h>

/* Nanoseconds since an arbitrary fixed point (CLOCK_MONOTONIC: never steps back). */
static inline uint64_t pv_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* The same in milliseconds, as a double (sub-microsecond resolution for phases of a block). */
static inline double pv_now_ms(void) { return (double)pv_now_ns() * 1e-6; }

#endif
