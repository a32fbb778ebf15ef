/* Seeded random numbers, parameter distributions and the random placement
 * of a population for the crowd simulation. Every draw comes from one
 * stream in a fixed order, so a seed fixes the population exactly.
 * SPDX-License-Identifier: EUPL-1.2 */
#include "sim_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

double ag_crowd_dist_draw(const struct ag_crowd_dist *d, struct ag_rng *r)
{
    switch (d->kind) {
    case AG_CROWD_DIST_UNIFORM:
        return d->a + (d->b - d->a) * ag_rng_uniform(r);
    case AG_CROWD_DIST_NORMAL:
        if (!(d->hi > d->lo) || !(d->b > 0))
            return d->a;
        for (int k = 0; k < 1000; k++) {
            double x = d->a + d->b * ag_rng_normal(r);
            if (x >= d->lo && x <= d->hi)
                return x;
        }
        return fmin(fmax(d->a, d->lo), d->hi);
    case AG_CROWD_DIST_FIXED:
    default:
        return d->a;
    }
}

const struct ag_crowd_speed_group ag_crowd_speed_weidmann = {
    "adults (Weidmann 1993)", 1.0, {AG_CROWD_DIST_NORMAL, 1.34, 0.26, 0.5, 2.0}};

/* RiMEA 3.0 test 7, walking speeds after Weidmann by age group (minimum -
 * maximum, m/s). The figures as transcribed in JuPedSim's RiMEA test 7
 * (runtest_rimea_7.py: 0.58-1.61, 1.41-1.54, 0.68-1.41, 0.46-0.76); they
 * were not checked against the guideline's own table here. */
const struct ag_crowd_speed_group ag_crowd_speed_rimea7[4] = {
    {"under 30", 1.0, {AG_CROWD_DIST_UNIFORM, 0.58, 1.61, 0, 0}},
    {"30 to 50", 1.0, {AG_CROWD_DIST_UNIFORM, 1.41, 1.54, 0, 0}},
    {"over 50", 1.0, {AG_CROWD_DIST_UNIFORM, 0.68, 1.41, 0, 0}},
    {"mobility impaired", 1.0, {AG_CROWD_DIST_UNIFORM, 0.46, 0.76, 0, 0}},
};

/* A hash grid of placed bodies for the overlap test. */
struct place_grid {
    double x0, y0, h;
    size_t nx, ny;
    int32_t *head, *next;
    struct ag_xy *pos;
    double *rad;
    size_t n;
};

static size_t pg_cell(const struct place_grid *g, struct ag_xy p)
{
    double fx = floor((p.x - g->x0) / g->h), fy = floor((p.y - g->y0) / g->h);
    fx = fmin(fmax(fx, 0), (double)g->nx - 1);
    fy = fmin(fmax(fy, 0), (double)g->ny - 1);
    return (size_t)fy * g->nx + (size_t)fx;
}

static void pg_add(struct place_grid *g, struct ag_xy p, double rad)
{
    size_t c = pg_cell(g, p);
    g->pos[g->n] = p;
    g->rad[g->n] = rad;
    g->next[g->n] = g->head[c];
    g->head[c] = (int32_t)g->n;
    g->n++;
}

static bool pg_free(const struct place_grid *g, struct ag_xy p, double rad, double gap)
{
    size_t c = pg_cell(g, p), cx = c % g->nx, cy = c / g->nx;
    for (size_t yy = cy > 0 ? cy - 1 : 0; yy <= cy + 1 && yy < g->ny; yy++)
        for (size_t xx = cx > 0 ? cx - 1 : 0; xx <= cx + 1 && xx < g->nx; xx++)
            for (int32_t k = g->head[yy * g->nx + xx]; k >= 0; k = g->next[k]) {
                double d = hypot(p.x - g->pos[k].x, p.y - g->pos[k].y);
                if (d < rad + g->rad[k] + gap)
                    return false;
            }
    return true;
}

int ag_crowd_sim_populate(struct ag_crowd_sim *sim, const struct ag_crowd_population *pop,
                          struct ag_error *err)
{
    if (!sim || !pop)
        return ag_error_set(err, AG_EINVAL, "population: nothing given");
    if (pop->n == 0)
        return 0;
    if (pop->n > 10000000 || (pop->groups && pop->ngroups == 0) || !(pop->min_gap_m >= 0) ||
        !(pop->wall_gap_m >= 0))
        return ag_error_set(err, AG_EINVAL,
                            "population: n above 10 million, no groups, or a "
                            "negative gap");
    const struct ag_crowd_speed_group *groups =
        pop->groups ? pop->groups : &ag_crowd_speed_weidmann;
    size_t ngroups = pop->groups ? pop->ngroups : 1;
    double wsum = 0;
    for (size_t k = 0; k < ngroups; k++) {
        if (!(groups[k].share >= 0))
            return ag_error_set(err, AG_EINVAL,
                                "population: group %zu has a "
                                "negative share",
                                k + 1);
        wsum += groups[k].share;
    }
    if (!(wsum > 0))
        return ag_error_set(err, AG_EINVAL, "population: shares sum to 0");

    const struct ag_crowd_nav *nav = ag_crowd_sim_nav(sim);
    double len = pop->length_m > 0 ? pop->length_m : 0.3;
    double rad = 0.5 * len;
    struct ag_xy lo = pop->lo, hi = pop->hi;
    double gx1 = nav->x0 + (double)nav->nx * nav->h;
    double gy1 = nav->y0 + (double)nav->ny * nav->h;
    if (lo.x == hi.x && lo.y == hi.y) {
        lo = (struct ag_xy){nav->x0, nav->y0};
        hi = (struct ag_xy){gx1, gy1};
    }
    lo.x = fmax(lo.x, nav->x0);
    lo.y = fmax(lo.y, nav->y0);
    hi.x = fmin(hi.x, gx1);
    hi.y = fmin(hi.y, gy1);
    if (!(hi.x > lo.x && hi.y > lo.y))
        return ag_error_set(err, AG_EINVAL, "population: the placement box misses the area");

    size_t existing = ag_crowd_sim_agents(sim), total = existing + pop->n;
    struct place_grid g = {0};
    g.h = fmax(len + pop->min_gap_m, 0.2);
    g.x0 = nav->x0;
    g.y0 = nav->y0;
    g.nx = (size_t)ceil((gx1 - g.x0) / g.h) + 1;
    g.ny = (size_t)ceil((gy1 - g.y0) / g.h) + 1;
    struct ag_crowd_agent_spec *spec = calloc(pop->n, sizeof *spec);
    int *grp = calloc(pop->n, sizeof *grp);
    g.head = malloc(g.nx * g.ny * sizeof *g.head);
    g.next = malloc(total * sizeof *g.next);
    g.pos = malloc(total * sizeof *g.pos);
    g.rad = malloc(total * sizeof *g.rad);
    int rc = AG_ENOMEM;
    if (!spec || !grp || !g.head || !g.next || !g.pos || !g.rad) {
        ag_error_set(err, rc, "population: out of memory");
        goto out;
    }
    for (size_t c = 0; c < g.nx * g.ny; c++)
        g.head[c] = -1;
    for (size_t i = 0; i < existing; i++) {
        struct ag_crowd_agent_info a;
        ag_crowd_sim_agent(sim, i, &a);
        if (a.state != AG_CROWD_OUT)
            pg_add(&g, a.pos, 0.5 * a.length_m);
    }

    struct ag_rng r;
    ag_rng_seed(&r, pop->seed);
    size_t placed = 0;
    /* random sequential addition saturates near 0.547 of the plane
     * covered (Feder 1980); far before that, places get rare: give up after
     * 100,000 misses in a row */
    uint64_t misses = 0;
    while (placed < pop->n && misses < 100000) {
        misses++;
        struct ag_xy p = {lo.x + (hi.x - lo.x) * ag_rng_uniform(&r),
                          lo.y + (hi.y - lo.y) * ag_rng_uniform(&r)};
        if (!ag_crowd_nav_walkable(nav, p) ||
            ag_crowd_nav_wall_distance(nav, p, rad + pop->wall_gap_m + 0.01) <
                rad + pop->wall_gap_m ||
            !pg_free(&g, p, rad, pop->min_gap_m))
            continue;
        /* a cell can be walkable while the exit is unreachable from it
         * (a closed courtyard): such places are skipped */
        if (isinf(ag_crowd_nav_cost(nav, -1, p)))
            continue;
        pg_add(&g, p, rad);
        misses = 0;
        double u = ag_rng_uniform(&r) * wsum, acc = 0;
        size_t k = 0;
        for (; k + 1 < ngroups; k++) {
            acc += groups[k].share;
            if (u < acc)
                break;
        }
        double v0 = ag_crowd_dist_draw(&groups[k].speed_ms, &r);
        double pre = ag_crowd_dist_draw(&pop->premove_s, &r);
        spec[placed] = (struct ag_crowd_agent_spec){p, fmin(fmax(v0, 0.05), 5.0), len,
                                                    pre > 0 ? pre : 0, pop->exit};
        grp[placed] = (int)k;
        placed++;
    }
    if (placed < pop->n) {
        rc = ag_error_set(err, AG_ELIMIT,
                          "population: only %zu of %zu people fit in the "
                          "placement area without overlap",
                          placed, pop->n);
        goto out;
    }
    rc = ag__crowd_sim_add_grouped(sim, spec, grp, placed, err);
out:
    free(spec);
    free(grp);
    free(g.head);
    free(g.next);
    free(g.pos);
    free(g.rad);
    return rc;
}
