/* agora — incidents: helpers shared by the files of lib/incidents (not part
 * of the public API).
 * SPDX-License-Identifier: EUPL-1.2 */
#ifndef AGORA_INCIDENTS_INT_H
#define AGORA_INCIDENTS_INT_H

#include "agora/incidents.h"
#include "agora/rng.h"

#include <math.h>
#include <stdint.h>

/* ---- pairs of points within a distance ----
 * Every unordered pair {a, b} (a < b) whose distance is <= radius (strict
 * false) or < radius (strict true), found through a uniform grid of cell >=
 * radius so that only the 3 × 3 cells around a point are searched. The
 * distance is sqrt(dx² + dy²) or |dx| + |dy| computed in double from the
 * coordinates as given. */
struct ag__pair {
    uint32_t a, b;
    double d;
};

struct ag__pairs {
    struct ag__pair *v;
    size_t len, cap;
};

int ag__incidents_pairs_within(const struct ag_xy *pts, size_t n, double radius, bool strict,
                               enum ag_incidents_metric metric, struct ag__pairs *out,
                               struct ag_error *err);
void ag__incidents_pairs_free(struct ag__pairs *p);

static inline double ag__incidents_dist(struct ag_xy a, struct ag_xy b,
                                        enum ag_incidents_metric metric)
{
    double dx = a.x - b.x, dy = a.y - b.y;
    if (metric == AG_INCIDENTS_MANHATTAN)
        return fabs(dx) + fabs(dy);
    return sqrt(dx * dx + dy * dy);
}

/* Checks n, coordinates (and times when t is not NULL) for the space-time
 * and point functions; `what` names the caller in the message. */
int ag__incidents_check_points(const struct ag_xy *pts, const double *t, size_t n, size_t min_n,
                               const char *what, struct ag_error *err);

/* Number of unordered pairs whose |t_a − t_b| is <= limit (strict false) or
 * < limit (strict true). sorted_t holds the n times in ascending order. */
uint64_t ag__incidents_time_pairs_within(const double *sorted_t, size_t n, double limit,
                                         bool strict);

/* qsort comparison of doubles (no NaN). */
int ag__incidents_cmp_double(const void *a, const void *b);

/* Fisher-Yates shuffle of t[0..n) in place (Durstenfeld 1964), n below
 * 2^32. */
static inline void ag__incidents_shuffle(struct ag_rng *rng, double *t, size_t n)
{
    for (size_t i = n; i > 1; i--) {
        size_t j = ag_rng_below(rng, (uint32_t)i);
        double tmp = t[i - 1];
        t[i - 1] = t[j];
        t[j] = tmp;
    }
}

/* Conditional permutation engine shared by Gi/Gi* and local Moran: for each
 * unit i, nperm times, the neighbours j != i of i receive values drawn
 * without replacement from x without x_i, and stat(ctx, i, lag) with lag =
 * Σ w_ij x_draw is compared with observed[i]. Folded pseudo p-value into
 * p[i]; units for which skip[i] is true get 1. */
typedef double (*ag__perm_stat)(const void *ctx, size_t i, double lag);
int ag__incidents_cond_perm(const struct ag_incidents_weights *w, const double *x,
                            const double *observed, ag__perm_stat stat, const bool *skip,
                            const void *ctx, unsigned nperm, uint64_t seed, double *p,
                            struct ag_error *err);

/* Refuses missing weights, fewer than min_n units, too many units or a
 * non-finite value, naming the statistic `what`. */
int ag__incidents_check_values(const struct ag_incidents_weights *w, const double *x,
                               size_t min_n, const char *what, struct ag_error *err);

#endif
