/* agora — incidents: helpers shared by the files of lib/incidents (not part
 * of the public API).
 * SPDX-License-Identifier: EUPL-1.2 */
#ifndef AGORA_INCIDENTS_INT_H
#define AGORA_INCIDENTS_INT_H

#include "agora/incidents.h"

#include <math.h>
#include <stdint.h>

/* ---- random numbers ----
 * xoshiro256** 1.0 (Blackman & Vigna, ACM TOMS 47, 2021), its 256-bit state
 * filled by four outputs of splitmix64 (Steele, Lea & Flood, OOPSLA 2014)
 * from the caller's seed, as the xoshiro authors recommend: a seed of 0 is
 * fine and nearby seeds give unrelated streams. Written from the published
 * recurrences; inline because the permutation loops call it once per
 * draw. */
struct ag__rng {
    uint64_t s[4];
};

static inline uint64_t ag__rotl64(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

static inline uint64_t ag__splitmix64(uint64_t *state)
{
    uint64_t z = (*state += 0x9E3779B97F4A7C15u);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
    return z ^ (z >> 31);
}

static inline void ag__rng_seed(struct ag__rng *r, uint64_t seed)
{
    uint64_t sm = seed;
    for (int i = 0; i < 4; i++)
        r->s[i] = ag__splitmix64(&sm);
}

static inline uint64_t ag__rng_next(struct ag__rng *r)
{
    uint64_t *s = r->s;
    uint64_t result = ag__rotl64(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = ag__rotl64(s[3], 45);
    return result;
}

/* Uniform integer in [0, bound), bound >= 1, without modulo bias: Lemire's
 * "nearly divisionless" multiply-and-reject (ACM TOMACS 29, 2019) on the
 * upper 32 bits of a draw. */
static inline uint32_t ag__rng_below(struct ag__rng *r, uint32_t bound)
{
    uint64_t m = (ag__rng_next(r) >> 32) * (uint64_t)bound;
    uint32_t low = (uint32_t)m;
    if (low < bound) {
        uint32_t threshold = (uint32_t)(-bound) % bound;
        while (low < threshold) {
            m = (ag__rng_next(r) >> 32) * (uint64_t)bound;
            low = (uint32_t)m;
        }
    }
    return (uint32_t)(m >> 32);
}

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
static inline void ag__incidents_shuffle(struct ag__rng *rng, double *t, size_t n)
{
    for (size_t i = n; i > 1; i--) {
        size_t j = ag__rng_below(rng, (uint32_t)i);
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
