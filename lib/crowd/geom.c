/* The walkable area of a space and its exits: ownership, area and the
 * checks every tier relies on. Rings and exits are numbered from 1 in
 * messages, as in ag_mpoly_validate; edge 3-4 joins vertices 3 and 4.
 * SPDX-License-Identifier: EUPL-1.2 */
#include "agora/crowd.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void ag_crowd_geom_free(struct ag_crowd_geom *g)
{
    if (!g)
        return;
    for (size_t i = 0; i < g->nouter; i++)
        free(g->outer[i].pts);
    for (size_t i = 0; i < g->nholes; i++)
        free(g->holes[i].pts);
    for (size_t i = 0; i < g->nexits; i++)
        free(g->exits[i].name);
    free(g->outer);
    free(g->holes);
    free(g->exits);
    memset(g, 0, sizeof *g);
}

double ag_crowd_geom_area(const struct ag_crowd_geom *g)
{
    if (!g)
        return 0;
    double a = 0;
    for (size_t i = 0; i < g->nouter; i++)
        a += fabs(ag_xy_ring_area_signed(g->outer[i].pts, g->outer[i].n));
    for (size_t i = 0; i < g->nholes; i++)
        a -= fabs(ag_xy_ring_area_signed(g->holes[i].pts, g->holes[i].n));
    return a;
}

/* ---- checks ---- */

/* A ring with its name for messages ("outer ring 2", "hole 1"). */
struct named_ring {
    const struct ag_crowd_ring *r;
    const char *kind;
    size_t num; /* 1-based */
};

static double orient(struct ag_xy a, struct ag_xy b, struct ag_xy c)
{
    return (b.x - a.x) * (c.y - a.y) - (b.y - a.y) * (c.x - a.x);
}

static bool same_pt(struct ag_xy p, struct ag_xy q)
{
    return p.x == q.x && p.y == q.y;
}

/* Proper crossing: each segment's ends strictly on both sides of the
 * other's line, so they meet in one interior point of both. */
static bool crosses(struct ag_xy a, struct ag_xy b, struct ag_xy c, struct ag_xy d)
{
    double d1 = orient(c, d, a), d2 = orient(c, d, b);
    double d3 = orient(a, b, c), d4 = orient(a, b, d);
    return ((d1 > 0 && d2 < 0) || (d1 < 0 && d2 > 0)) && ((d3 > 0 && d4 < 0) || (d3 < 0 && d4 > 0));
}

/* The next vertex after i (i < n - 1) that differs from pts[i], or n - 1
 * when the rest repeats it: repeated vertices make no edge. */
static size_t next_distinct(const struct ag_xy *pts, size_t n, size_t i)
{
    size_t j = i + 1;
    while (j < n - 1 && same_pt(pts[j], pts[i]))
        j++;
    return j;
}

static int check_ring_alone(const struct named_ring *nr, struct ag_error *err)
{
    const struct ag_crowd_ring *r = nr->r;
    if (!r->pts || r->n < 4)
        return ag_error_set(err, AG_EGEOM,
                            "%s %zu has %zu vertices; a closed ring needs at least 4", nr->kind,
                            nr->num, r->pts ? r->n : 0);
    for (size_t i = 0; i < r->n; i++)
        if (!isfinite(r->pts[i].x) || !isfinite(r->pts[i].y))
            return ag_error_set(err, AG_EGEOM, "%s %zu: vertex %zu is not a finite number",
                                nr->kind, nr->num, i + 1);
    if (!same_pt(r->pts[0], r->pts[r->n - 1]))
        return ag_error_set(err, AG_EGEOM,
                            "%s %zu is not closed: vertex 1 (%.2f, %.2f) differs from vertex "
                            "%zu (%.2f, %.2f)",
                            nr->kind, nr->num, r->pts[0].x, r->pts[0].y, r->n, r->pts[r->n - 1].x,
                            r->pts[r->n - 1].y);
    if (ag_xy_ring_area_signed(r->pts, r->n) == 0)
        return ag_error_set(err, AG_EGEOM, "%s %zu has zero area", nr->kind, nr->num);

    /* Edges start at vertex indices e[k] and end at e[k + 1]. */
    size_t *e = malloc(r->n * sizeof *e);
    if (!e)
        return ag_error_set(err, AG_ENOMEM, "checking %s %zu: out of memory", nr->kind, nr->num);
    size_t ne = 0;
    for (size_t i = 0; i < r->n - 1; i = next_distinct(r->pts, r->n, i))
        if (!same_pt(r->pts[i], r->pts[next_distinct(r->pts, r->n, i)]))
            e[ne++] = i;
    e[ne] = r->n - 1;
    int rc = 0;
    for (size_t i = 0; i < ne && rc == 0; i++) {
        struct ag_xy a = r->pts[e[i]], b = r->pts[e[i + 1]];
        for (size_t j = i + 1; j < ne && rc == 0; j++) {
            struct ag_xy c = r->pts[e[j]], d = r->pts[e[j + 1]];
            bool adjacent = j == i + 1 || (i == 0 && j == ne - 1);
            struct ag_xy at;
            int k = ag_seg_intersect(a, b, c, d, &at);
            /* Neighbours share one vertex; they may only meet there, and
             * a collinear overlap is a spike folding back on itself. */
            if (adjacent && k == 1)
                continue;
            if (k != 0)
                rc = ag_error_set(
                    err, AG_EGEOM,
                    "%s %zu %s itself: edge %zu-%zu %s edge %zu-%zu near (%.2f, %.2f)", nr->kind,
                    nr->num, k == 2 ? "overlaps" : "crosses", e[i] + 1, e[i + 1] + 1,
                    k == 2 ? "runs along" : "meets", e[j] + 1, e[j + 1] + 1, at.x, at.y);
        }
    }
    free(e);
    return rc;
}

/* Distance from p to the boundary of ring r. */
static double ring_dist(const struct ag_crowd_ring *r, struct ag_xy p)
{
    double best = INFINITY;
    for (size_t i = 0; i + 1 < r->n; i++) {
        double d = ag_xy_seg_dist(p, r->pts[i], r->pts[i + 1]);
        if (d < best)
            best = d;
    }
    return best;
}

/* Strictly inside: inside by the even-odd rule and not on the boundary
 * (up to rounding at the scale of the coordinates). */
static bool strictly_inside(const struct ag_crowd_ring *r, struct ag_xy p)
{
    if (!ag_xy_ring_contains(r->pts, r->n, p))
        return false;
    double mag = fabs(p.x) + fabs(p.y) + 1;
    return ring_dist(r, p) > 64 * DBL_EPSILON * mag;
}

/* Two different rings may touch at points but not cross or share a
 * stretch of edge. */
static int check_pair(const struct named_ring *p, const struct named_ring *q, struct ag_error *err)
{
    const struct ag_crowd_ring *r = p->r, *s = q->r;
    for (size_t i = 0; i + 1 < r->n; i++) {
        struct ag_xy a = r->pts[i], b = r->pts[i + 1];
        if (same_pt(a, b))
            continue;
        for (size_t j = 0; j + 1 < s->n; j++) {
            struct ag_xy c = s->pts[j], d = s->pts[j + 1];
            if (same_pt(c, d))
                continue;
            struct ag_xy at;
            int k = ag_seg_intersect(a, b, c, d, &at);
            if (k == 2 || (k == 1 && crosses(a, b, c, d)))
                return ag_error_set(err, AG_EGEOM,
                                    "%s %zu %s %s %zu: edge %zu-%zu %s its edge %zu-%zu near "
                                    "(%.2f, %.2f)",
                                    p->kind, p->num, k == 2 ? "overlaps" : "crosses", q->kind,
                                    q->num, i + 1, i + 2, k == 2 ? "runs along" : "crosses", j + 1,
                                    j + 2, at.x, at.y);
        }
    }
    return 0;
}

/* With no crossing, one ring lies inside another when any of its vertices
 * or edge midpoints does (points on the boundary, where rings may touch,
 * do not count; midpoints catch a ring whose every vertex touches). */
static bool ring_inside(const struct ag_crowd_ring *in, const struct ag_crowd_ring *out)
{
    for (size_t i = 0; i + 1 < in->n; i++) {
        struct ag_xy a = in->pts[i], b = in->pts[i + 1];
        struct ag_xy mid = {a.x + (b.x - a.x) / 2, a.y + (b.y - a.y) / 2};
        if (strictly_inside(out, a) || strictly_inside(out, mid))
            return true;
    }
    return false;
}

static int check_rings(const struct ag_crowd_geom *g, struct ag_error *err)
{
    if (g->nouter == 0 || !g->outer)
        return ag_error_set(err, AG_EGEOM, "no outer ring: the walkable area is empty");
    if (g->nholes > 0 && !g->holes)
        return ag_error_set(err, AG_EINVAL, "%zu holes but no hole array", g->nholes);
    size_t n = g->nouter + g->nholes;
    struct named_ring *nr = malloc(n * sizeof *nr);
    if (!nr)
        return ag_error_set(err, AG_ENOMEM, "checking rings: out of memory");
    for (size_t i = 0; i < g->nouter; i++)
        nr[i] = (struct named_ring){&g->outer[i], "outer ring", i + 1};
    for (size_t i = 0; i < g->nholes; i++)
        nr[g->nouter + i] = (struct named_ring){&g->holes[i], "hole", i + 1};

    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++)
        rc = check_ring_alone(&nr[i], err);
    for (size_t i = 0; i < n && rc == 0; i++)
        for (size_t j = i + 1; j < n && rc == 0; j++)
            rc = check_pair(&nr[i], &nr[j], err);
    /* Outer rings are disjoint parts; holes are disjoint obstacles. */
    for (size_t i = 0; i < n && rc == 0; i++)
        for (size_t j = 0; j < n && rc == 0; j++) {
            bool same_kind = (i < g->nouter) == (j < g->nouter);
            if (i != j && same_kind && ring_inside(nr[i].r, nr[j].r))
                rc = ag_error_set(err, AG_EGEOM, "%s %zu lies inside %s %zu", nr[i].kind, nr[i].num,
                                  nr[j].kind, nr[j].num);
        }
    for (size_t h = 0; h < g->nholes && rc == 0; h++) {
        bool inside = false;
        for (size_t o = 0; o < g->nouter && !inside; o++)
            inside = ring_inside(&g->holes[h], &g->outer[o]);
        if (!inside)
            rc = ag_error_set(err, AG_EGEOM,
                              "hole %zu is not inside any outer ring (near (%.2f, %.2f))", h + 1,
                              g->holes[h].pts[0].x, g->holes[h].pts[0].y);
    }
    free(nr);
    return rc;
}

/* Distance between segments a-b and c-d: 0 when they meet, otherwise the
 * closest of the four end points to the other segment. */
static double seg_seg_dist(struct ag_xy a, struct ag_xy b, struct ag_xy c, struct ag_xy d)
{
    if (ag_seg_intersect(a, b, c, d, NULL))
        return 0;
    double m = ag_xy_seg_dist(a, c, d);
    m = fmin(m, ag_xy_seg_dist(b, c, d));
    m = fmin(m, ag_xy_seg_dist(c, a, b));
    return fmin(m, ag_xy_seg_dist(d, a, b));
}

static void exit_label(const struct ag_crowd_exit *x, size_t i, char *buf, size_t len)
{
    if (x->name && *x->name)
        snprintf(buf, len, "exit %zu (%s)", i + 1, x->name);
    else
        snprintf(buf, len, "exit %zu", i + 1);
}

static int check_exits(const struct ag_crowd_geom *g, struct ag_error *err)
{
    if (g->nexits == 0 || !g->exits)
        return ag_error_set(err, AG_EINVAL, "the space has no exit: nobody can leave it");
    for (size_t i = 0; i < g->nexits; i++) {
        const struct ag_crowd_exit *x = &g->exits[i];
        char label[160];
        exit_label(x, i, label, sizeof label);
        if (!isfinite(x->a.x) || !isfinite(x->a.y) || !isfinite(x->b.x) || !isfinite(x->b.y))
            return ag_error_set(err, AG_EGEOM, "%s: an end point is not a finite number", label);
        if (!isfinite(x->width_m) || x->width_m <= 0)
            return ag_error_set(err, AG_EINVAL, "%s: width %g m, must be more than 0", label,
                                x->width_m);
        double best = INFINITY;
        for (size_t o = 0; o < g->nouter; o++) {
            const struct ag_crowd_ring *r = &g->outer[o];
            for (size_t k = 0; k + 1 < r->n; k++)
                best = fmin(best, seg_seg_dist(x->a, x->b, r->pts[k], r->pts[k + 1]));
        }
        if (!(best <= AG_CROWD_EXIT_TOL_M))
            return ag_error_set(err, AG_EGEOM,
                                "%s is %.2f m from the outer boundary (at most %.1f m allowed): "
                                "an exit must be an opening in the boundary",
                                label, best, AG_CROWD_EXIT_TOL_M);
    }
    return 0;
}

int ag_crowd_geom_check(const struct ag_crowd_geom *g, struct ag_error *err)
{
    if (!g)
        return ag_error_set(err, AG_EINVAL, "no geometry");
    int rc = check_rings(g, err);
    if (rc == 0)
        rc = check_exits(g, err);
    return rc;
}
