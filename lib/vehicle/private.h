/* agora — what the files of lib/vehicle share beyond the public header (not
 * public): the bend through one vertex of a path, and work spread over the
 * two cores. docs/internals/vehicle.md. SPDX-License-Identifier: EUPL-1.2 */
#ifndef AGORA_VEHICLE_PRIVATE_H
#define AGORA_VEHICLE_PRIVATE_H

#include "agora/vehicle.h"

#include <math.h>

/* ag_kin_run, with what depends only on the vehicle worked out once
 * (ag__kin_prepare): a search runs ~10⁵ segments per vehicle class. Both
 * compute the same expressions in the same order, so they agree bit for
 * bit; ag_kin_run is ag__kin_prepare then ag__kin_run. */
struct ag__kin_run {
    const struct ag_kin *k;
    bool level_power; /* power and mass > 0: the closed form applies */
    double two_a0;    /* 2·a0 */
    double pm;        /* P/m */
    double three_pm;  /* 3·P/m */
    double v1;        /* P/(m·a0): traction-limited below it */
    double v1_sq;     /* v1² */
    double vmax_cube; /* just above vmax³: cbrt of anything larger is > vmax */
};
void ag__kin_prepare(struct ag__kin_run *r, const struct ag_kin *k);
/* The power model on a slope: integrated numerically (kinematics.c). */
double ag__kin_run_numeric(const struct ag_kin *k, double v0, double s, double sin_slope);

/* v² = v0² + 2 a s for constant a (two_a = 2·a), clipped to [0, vmax²]. */
static inline double ag__kin_run_constant(double v0, double two_a, double s, double vmax)
{
    double v2 = v0 * v0 + two_a * s;
    if (v2 <= 0)
        return 0;
    double v = sqrt(v2);
    return v < vmax ? v : vmax;
}

/* ag_kin_run (agora/vehicle.h) for a prepared vehicle. */
static inline double ag__kin_run(const struct ag__kin_run *r, double v0, double s, double sin_slope)
{
    const struct ag_kin *k = r->k;
    if (!(s > 0))
        return v0 < k->vmax ? v0 : k->vmax;
    if (v0 > k->vmax)
        v0 = k->vmax;
    if (k->model == AG_VEHICLE_CONSTANT)
        return ag__kin_run_constant(v0, 2 * (k->a0 - AG_GRAVITY * sin_slope), s, k->vmax);
    if (sin_slope != 0 || !r->level_power)
        return ag__kin_run_numeric(k, v0, s, sin_slope);
    /* Level road, power model: traction-limited up to v1 = P/(m a0), then
     * v dv/ds = P/(m v), i.e. d(v³)/ds = 3P/m. */
    if (v0 < r->v1) {
        double s1 = (r->v1_sq - v0 * v0) / r->two_a0;
        if (s <= s1)
            return ag__kin_run_constant(v0, r->two_a0, s, k->vmax);
        s -= s1;
        v0 = r->v1;
        if (v0 >= k->vmax)
            return k->vmax;
    }
    double v3 = v0 * v0 * v0 + r->three_pm * s;
    if (v3 >= r->vmax_cube)
        return k->vmax; /* what cbrt(v3) capped at vmax is, without the cbrt */
    double v = cbrt(v3);
    return v < k->vmax ? v : k->vmax;
}

/* What the grouping into bends knows of one interior vertex of a path. */
struct ag__vturn {
    double th;      /* signed turn; 0 when a segment beside it has no length */
    double w;       /* the narrower of the widths of its two segments */
    double tan_len; /* sharp-corner tangent length; 0 for a turn below noise */
    bool known;     /* computed yet (ag__bend_at fills the cache lazily) */
};

/* The radius that ag_path_speed_caps(p, n, widths, ...) gives at vertex j,
 * bit for bit: +inf at an end or where j takes part in no bend. Bends are
 * the maximal runs of linked neighbours, so the one through j is found by
 * walking out from j; only the vertices it spans and the two that end it
 * are looked at. *a and *b receive its first and last vertex (j and j when
 * there is none): every vertex between has the same radius. t[0..n) caches
 * the vertices' turns; set every known to false before the first call on a
 * path and keep t for later calls on the same path. */
double ag__bend_at(const struct ag_xy *p, size_t n, const double *widths, size_t j,
                   struct ag__vturn *t, size_t *a, size_t *b);

/* Threads the analysis spreads its work over: the machines agora targets
 * have two cores. */
#define AG__VTHREADS 2

/* Calls fn(ctx, worker, from, to) on AG__VTHREADS threads (the caller's
 * among them) until the items [0, n) are all handed out, `chunk` at a time
 * to whichever thread is free; worker (0 .. AG__VTHREADS - 1) names the
 * thread, for scratch space of its own. fn must write its results for items
 * from..to-1 where no other item writes: which thread took which chunk then
 * changes nothing. After a non-zero return no further chunk is handed out,
 * and the first non-zero value met is returned. Runs everything on the
 * caller's thread when a thread cannot be started, or for one chunk. */
int ag__vparallel(size_t n, size_t chunk,
                  int (*fn)(void *ctx, size_t worker, size_t from, size_t to), void *ctx);

#endif
