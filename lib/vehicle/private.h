/* agora — what the files of lib/vehicle share beyond the public header (not
 * public): the bend through one vertex of a path, and work spread over the
 * two cores. docs/internals/vehicle.md. SPDX-License-Identifier: EUPL-1.2 */
#ifndef AGORA_VEHICLE_PRIVATE_H
#define AGORA_VEHICLE_PRIVATE_H

#include "agora/vehicle.h"

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
