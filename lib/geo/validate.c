/* Polygon validity: the rules of OGC Simple Features (ISO 19125-1 §6.1.11)
 * that matter for measuring areas, checked in a local metric plane.
 *
 * Every ring must be closed, have at least 4 vertices and a non-zero area,
 * and be simple (no edge meets another except its neighbours at their shared
 * vertex; consecutive duplicate vertices are tolerated). Rings of one polygon
 * must not cross or overlap each other, though they may touch at points;
 * holes must lie inside their outer ring and not inside each other.
 * Not checked: that touching holes leave the interior connected, and that
 * the polygons of a multipolygon do not overlap.
 *
 * Messages number polygons, rings and vertices from 1; ring 1 is the outer
 * ring, and edge 3-4 runs from vertex 3 to vertex 4.
 * SPDX-License-Identifier: EUPL-1.2 */
#include "agora/geo.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Above this many edges in a polygon, candidate pairs of edges come from a
 * spatial index instead of trying all n^2 / 2 pairs. */
enum { BRUTE_FORCE_MAX = 64 };

/* A non-degenerate edge of a ring, in the projected plane. */
struct edge {
    struct ag_xy a, b;
    size_t ring; /* 0-based ring of the polygon */
    size_t v;    /* 0-based index of the start vertex in the ring */
};

struct rings_xy {
    struct ag_xy *xy;   /* every vertex of the polygon, ring after ring */
    size_t *off;        /* ring r starts at xy[off[r]] */
    struct edge *edges; /* non-degenerate edges, ring after ring */
    size_t *efirst;     /* ring r's edges are edges[efirst[r]..efirst[r+1]) */
    size_t nedges;
};

/* What is wrong with a pair of edges. */
enum clash { CLASH_NONE, CLASH_CROSS, CLASH_TOUCH, CLASH_OVERLAP };

struct finding {
    enum clash kind;
    size_t e1, e2;
    struct ag_xy at;
};

static double orient(struct ag_xy a, struct ag_xy b, struct ag_xy c)
{
    return (b.x - a.x) * (c.y - a.y) - (b.y - a.y) * (c.x - a.x);
}

static bool same_pt(struct ag_xy p, struct ag_xy q)
{
    return p.x == q.x && p.y == q.y;
}

static size_t edge_prev(const struct rings_xy *g, size_t k)
{
    size_t r = g->edges[k].ring;
    return k == g->efirst[r] ? g->efirst[r + 1] - 1 : k - 1;
}

static size_t edge_next(const struct rings_xy *g, size_t k)
{
    size_t r = g->edges[k].ring;
    return k + 1 == g->efirst[r + 1] ? g->efirst[r] : k + 1;
}

/* The two directions in which ring of edge k leaves point v, which lies on
 * edge k (at an end or inside). */
static void rays_at(const struct rings_xy *g, size_t k, struct ag_xy v,
                    struct ag_xy *r1, struct ag_xy *r2)
{
    const struct edge *e = &g->edges[k];
    struct ag_xy p = e->a, q = e->b;
    if (same_pt(v, e->a))
        p = g->edges[edge_prev(g, k)].a;
    else if (same_pt(v, e->b))
        q = g->edges[edge_next(g, k)].b;
    *r1 = (struct ag_xy){p.x - v.x, p.y - v.y};
    *r2 = (struct ag_xy){q.x - v.x, q.y - v.y};
}

/* Counter-clockwise angle from u to w in [0, 2 pi). */
static double ccw_angle(struct ag_xy u, struct ag_xy w)
{
    const double two_pi = 6.283185307179586476925;
    double t = atan2(u.x * w.y - u.y * w.x, u.x * w.x + u.y * w.y);
    return t < 0 ? t + two_pi : t;
}

/* Two rings meeting at point v cross there when the two directions of one
 * ring fall on different sides of the wedge formed by the other ring's two
 * directions; if they fall on the same side, the rings only touch. */
static bool rings_cross_at(const struct rings_xy *g, size_t k1, size_t k2,
                           struct ag_xy v)
{
    struct ag_xy a1, a2, b1, b2;
    rays_at(g, k1, v, &a1, &a2);
    rays_at(g, k2, v, &b1, &b2);
    double wedge = ccw_angle(a1, a2);
    double t1 = ccw_angle(a1, b1), t2 = ccw_angle(a1, b2);
    /* A direction shared with the other ring means a common stretch, which
     * the overlap test reports on its own. */
    if (t1 == 0 || t2 == 0 || t1 == wedge || t2 == wedge)
        return false;
    return (t1 < wedge) != (t2 < wedge);
}

/* Whether a ring running p -> v -> q turns back along itself at v. Exact
 * collinearity is too strict here: a spike out and back along a street is
 * collinear in lon/lat but comes out of projection a few nanometres bent,
 * and the area test cannot see it. So it is an angle under 1e-9 rad. */
static enum clash doubles_back(struct ag_xy p, struct ag_xy v, struct ag_xy q,
                               struct ag_xy *at)
{
    struct ag_xy u = {p.x - v.x, p.y - v.y}, w = {q.x - v.x, q.y - v.y};
    double cross = u.x * w.y - u.y * w.x, dot = u.x * w.x + u.y * w.y;
    if (dot > 0 && fabs(cross) <= 1e-9 * dot) {
        *at = v;
        return CLASH_OVERLAP;
    }
    return CLASH_NONE;
}

/* Classifies how edges k1 < k2 of one polygon meet. */
static enum clash edge_clash(const struct rings_xy *g, size_t k1, size_t k2,
                             struct ag_xy *at)
{
    const struct edge *e1 = &g->edges[k1], *e2 = &g->edges[k2];
    int rc = ag_seg_intersect(e1->a, e1->b, e2->a, e2->b, at);
    if (rc == 0)
        return CLASH_NONE;
    if (rc == 2)
        return CLASH_OVERLAP; /* a shared stretch: never valid */

    double d1 = orient(e2->a, e2->b, e1->a), d2 = orient(e2->a, e2->b, e1->b);
    double d3 = orient(e1->a, e1->b, e2->a), d4 = orient(e1->a, e1->b, e2->b);
    bool proper = d1 * d2 < 0 && d3 * d4 < 0;
    if (proper)
        return CLASH_CROSS;
    if (e1->ring == e2->ring) {
        /* Neighbours share a vertex by construction; they clash only when
         * the ring turns back on itself there (a spike). */
        if (k2 == edge_next(g, k1))
            return doubles_back(e1->a, e1->b, e2->b, at);
        if (k1 == edge_next(g, k2))
            return doubles_back(e2->a, e2->b, e1->b, at);
        return CLASH_TOUCH; /* a simple ring never meets itself */
    }
    return rings_cross_at(g, k1, k2, *at) ? CLASH_CROSS : CLASH_NONE;
}

static struct ag_bbox edge_box(const struct edge *e)
{
    return (struct ag_bbox){fmin(e->a.x, e->b.x), fmin(e->a.y, e->b.y),
                            fmax(e->a.x, e->b.x), fmax(e->a.y, e->b.y)};
}

struct query_ctx {
    const struct rings_xy *g;
    size_t k;
    struct finding best; /* smallest failing partner of edge k so far */
};

static int on_candidate(void *ud, int64_t id, struct ag_bbox box)
{
    (void)box;
    struct query_ctx *q = ud;
    size_t j = (size_t)id;
    if (j <= q->k || (q->best.kind != CLASH_NONE && j >= q->best.e2))
        return 0;
    struct ag_xy at;
    enum clash c = edge_clash(q->g, q->k, j, &at);
    if (c != CLASH_NONE)
        q->best = (struct finding){c, q->k, j, at};
    return 0;
}

/* Finds the first clashing pair (k1, k2) in lexicographic order, so the
 * indexed and the brute-force paths report the same pair. */
static int find_clash(const struct rings_xy *g, struct finding *f)
{
    f->kind = CLASH_NONE;
    size_t n = g->nedges;
    if (n <= BRUTE_FORCE_MAX) {
        for (size_t k1 = 0; k1 < n; k1++) {
            struct ag_bbox b1 = edge_box(&g->edges[k1]);
            for (size_t k2 = k1 + 1; k2 < n; k2++) {
                if (!ag_bbox_intersects(b1, edge_box(&g->edges[k2])))
                    continue;
                struct ag_xy at;
                enum clash c = edge_clash(g, k1, k2, &at);
                if (c != CLASH_NONE) {
                    *f = (struct finding){c, k1, k2, at};
                    return 0;
                }
            }
        }
        return 0;
    }

    struct ag_index *ix = NULL;
    int rc = ag_index_new(&ix);
    for (size_t k = 0; rc == 0 && k < n; k++)
        rc = ag_index_add(ix, (int64_t)k, edge_box(&g->edges[k]));
    if (rc == 0)
        rc = ag_index_build(ix);
    for (size_t k = 0; rc == 0 && k < n; k++) {
        struct query_ctx q = {.g = g, .k = k};
        rc = ag_index_query(ix, edge_box(&g->edges[k]), on_candidate, &q);
        if (rc == 0 && q.best.kind != CLASH_NONE) {
            *f = q.best;
            break;
        }
    }
    ag_index_free(ix);
    return rc;
}

static void rings_free(struct rings_xy *g)
{
    free(g->xy);
    free(g->off);
    free(g->edges);
    free(g->efirst);
    memset(g, 0, sizeof *g);
}

/* Checks each ring of polygon pi on its own and projects it into g. */
static int check_rings(const struct ag_polygon *pg, size_t pi,
                       const struct ag_proj *proj, struct rings_xy *g,
                       struct ag_error *err)
{
    size_t total = 0;
    for (size_t r = 0; r < pg->nrings; r++) {
        const struct ag_ring *ring = &pg->rings[r];
        if (ring->n < 4)
            return ag_error_set(err, AG_EGEOM,
                                "ring %zu of polygon %zu has %zu vertices; a "
                                "ring needs at least 4, the last repeating "
                                "the first",
                                r + 1, pi + 1, ring->n);
        if (ring->n > SIZE_MAX / sizeof(struct edge) - total)
            return ag_error_set(err, AG_ENOMEM, "out of memory");
        total += ring->n;
    }
    g->xy = malloc(total * sizeof *g->xy);
    g->off = malloc((pg->nrings + 1) * sizeof *g->off);
    g->edges = malloc(total * sizeof *g->edges);
    g->efirst = malloc((pg->nrings + 1) * sizeof *g->efirst);
    if (!g->xy || !g->off || !g->edges || !g->efirst)
        return ag_error_set(err, AG_ENOMEM, "out of memory");

    size_t o = 0;
    for (size_t r = 0; r < pg->nrings; r++) {
        const struct ag_ring *ring = &pg->rings[r];
        const struct ag_ll *p = ring->pts;
        for (size_t k = 0; k < ring->n; k++) {
            if (!isfinite(p[k].lon) || !isfinite(p[k].lat) ||
                fabs(p[k].lon) > 180 || fabs(p[k].lat) > 90)
                return ag_error_set(err, AG_EGEOM,
                                    "vertex %zu of ring %zu of polygon %zu "
                                    "is not a longitude and latitude: %g %g",
                                    k + 1, r + 1, pi + 1, p[k].lon, p[k].lat);
        }
        if (p[0].lon != p[ring->n - 1].lon || p[0].lat != p[ring->n - 1].lat)
            return ag_error_set(err, AG_EGEOM,
                                "ring %zu of polygon %zu is not closed: it "
                                "starts at %.6f %.6f and ends at %.6f %.6f",
                                r + 1, pi + 1, p[0].lon, p[0].lat,
                                p[ring->n - 1].lon, p[ring->n - 1].lat);
        g->off[r] = o;
        for (size_t k = 0; k < ring->n; k++) {
            struct ag_xy q = ag_proj_fwd(proj, p[k]);
            if (!isfinite(q.x) || !isfinite(q.y))
                return ag_error_set(err, AG_EPROJ,
                                    "vertex %zu of ring %zu of polygon %zu "
                                    "(%.6f %.6f) cannot be projected",
                                    k + 1, r + 1, pi + 1, p[k].lon, p[k].lat);
            g->xy[o + k] = q;
        }

        const struct ag_xy *xy = g->xy + o;
        g->efirst[r] = g->nedges;
        for (size_t k = 0; k + 1 < ring->n; k++)
            if (!same_pt(xy[k], xy[k + 1]))
                g->edges[g->nedges++] = (struct edge){xy[k], xy[k + 1], r, k};
        o += ring->n;
    }
    g->off[pg->nrings] = o;
    g->efirst[pg->nrings] = g->nedges;
    return 0;
}

/* Run after the crossing test: a bowtie's two lobes cancel to zero area, and
 * "crosses itself" is the more useful message for it. */
static int check_areas(const struct rings_xy *g, const struct ag_polygon *pg,
                       size_t pi, struct ag_error *err)
{
    for (size_t r = 0; r < pg->nrings; r++) {
        const struct ag_xy *xy = g->xy + g->off[r];
        size_t n = g->off[r + 1] - g->off[r];
        double area = ag_xy_ring_area_signed(xy, n);
        double perim = ag_xy_path_length(xy, n);
        /* Zero up to rounding: a latitude stored as a double is good to
         * about a nanometre, so collinear points come back from projection
         * a few nanometres off their line. A ring whose area per metre of
         * boundary (about half its width, for a sliver) is under a
         * micrometre has no area worth the name. */
        if (!(fabs(area) > 1e-6 * perim))
            return ag_error_set(err, AG_EGEOM,
                                "ring %zu of polygon %zu has zero area near "
                                "%.6f %.6f",
                                r + 1, pi + 1, pg->rings[r].pts[0].lon,
                                pg->rings[r].pts[0].lat);
    }
    return 0;
}

static int report_clash(const struct rings_xy *g, const struct finding *f,
                        size_t pi, const struct ag_proj *proj,
                        struct ag_error *err)
{
    static const char *const verb[] = {"", "crosses", "touches", "overlaps"};
    const struct edge *e1 = &g->edges[f->e1], *e2 = &g->edges[f->e2];
    struct ag_ll at = ag_proj_inv(proj, f->at);
    if (e1->ring == e2->ring)
        return ag_error_set(err, AG_EGEOM,
                            "ring %zu of polygon %zu %s itself: edge %zu-%zu "
                            "%s edge %zu-%zu near %.6f %.6f",
                            e1->ring + 1, pi + 1, verb[f->kind], e1->v + 1,
                            e1->v + 2, verb[f->kind], e2->v + 1, e2->v + 2,
                            at.lon, at.lat);
    return ag_error_set(err, AG_EGEOM,
                        "ring %zu of polygon %zu %s ring %zu: edge %zu-%zu "
                        "of ring %zu %s edge %zu-%zu of ring %zu near %.6f "
                        "%.6f",
                        e1->ring + 1, pi + 1, verb[f->kind], e2->ring + 1,
                        e1->v + 1, e1->v + 2, e1->ring + 1, verb[f->kind],
                        e2->v + 1, e2->v + 2, e2->ring + 1, at.lon, at.lat);
}

/* Whether p is on ring pts[0..n) or so close that ag_xy_ring_contains
 * would take it for a boundary point: that test allows for rounding of a few
 * ulps, this one for 1e-9 of the edge's length, comfortably more. */
static bool near_ring(struct ag_xy p, const struct ag_xy *pts, size_t n)
{
    for (size_t j = 0; j + 1 < n; j++) {
        double mag = fabs(pts[j].x) + fabs(pts[j].y) + fabs(pts[j + 1].x) +
                     fabs(pts[j + 1].y) + fabs(p.x) + fabs(p.y);
        double tol =
            fmax(1e-9 * ag_xy_dist(pts[j], pts[j + 1]), 64 * DBL_EPSILON * mag);
        if (ag_xy_seg_dist(p, pts[j], pts[j + 1]) <= tol)
            return true;
    }
    return false;
}

/* A point of ring r that is not on the boundary of ring `other`, to decide
 * on which side of `other` ring r lies. Rings that neither cross nor overlap
 * lie wholly on one side, give or take touching points; so a vertex off the
 * boundary settles it, and failing that the middle of an edge. Returns false
 * when every candidate is on the boundary. */
static bool point_off_ring(const struct rings_xy *g, size_t r, size_t other,
                           struct ag_xy *out)
{
    const struct ag_xy *o = g->xy + g->off[other];
    size_t on = g->off[other + 1] - g->off[other];
    for (int pass = 0; pass < 2; pass++) {
        size_t lo = pass == 0 ? g->off[r] : g->efirst[r];
        size_t hi = pass == 0 ? g->off[r + 1] : g->efirst[r + 1];
        for (size_t k = lo; k < hi; k++) {
            struct ag_xy p =
                pass == 0
                    ? g->xy[k]
                    : (struct ag_xy){(g->edges[k].a.x + g->edges[k].b.x) / 2,
                                     (g->edges[k].a.y + g->edges[k].b.y) / 2};
            if (!near_ring(p, o, on)) {
                *out = p;
                return true;
            }
        }
    }
    return false;
}

static struct ag_bbox ring_box(const struct rings_xy *g, size_t r)
{
    struct ag_bbox b = ag_bbox_empty();
    for (size_t k = g->off[r]; k < g->off[r + 1]; k++)
        ag_bbox_extend(&b, g->xy[k].x, g->xy[k].y);
    return b;
}

static bool box_within(struct ag_bbox in, struct ag_bbox out)
{
    return in.minx >= out.minx && in.maxx <= out.maxx && in.miny >= out.miny &&
           in.maxy <= out.maxy;
}

static int check_holes(const struct rings_xy *g, const struct ag_polygon *pg,
                       size_t pi, const struct ag_proj *proj,
                       struct ag_error *err)
{
    const struct ag_xy *outer = g->xy;
    size_t nouter = g->off[1];
    for (size_t r = 1; r < pg->nrings; r++) {
        struct ag_xy p;
        if (point_off_ring(g, r, 0, &p) &&
            !ag_xy_ring_contains(outer, nouter, p)) {
            struct ag_ll at = ag_proj_inv(proj, p);
            return ag_error_set(err, AG_EGEOM,
                                "ring %zu of polygon %zu is a hole outside "
                                "its outer ring near %.6f %.6f",
                                r + 1, pi + 1, at.lon, at.lat);
        }
    }
    /* Nested holes: only pairs whose boxes nest can nest. */
    size_t nholes = pg->nrings - 1;
    if (nholes < 2)
        return 0;
    struct ag_bbox *box = malloc(nholes * sizeof *box);
    if (!box)
        return ag_error_set(err, AG_ENOMEM, "out of memory");
    for (size_t h = 0; h < nholes; h++)
        box[h] = ring_box(g, h + 1);
    int rc = 0;
    for (size_t r1 = 1; r1 < pg->nrings && rc == 0; r1++) {
        for (size_t r2 = 1; r2 < pg->nrings && rc == 0; r2++) {
            if (r1 == r2 || !box_within(box[r2 - 1], box[r1 - 1]))
                continue;
            struct ag_xy p;
            if (point_off_ring(g, r2, r1, &p) &&
                ag_xy_ring_contains(g->xy + g->off[r1],
                                    g->off[r1 + 1] - g->off[r1], p)) {
                struct ag_ll at = ag_proj_inv(proj, p);
                rc = ag_error_set(err, AG_EGEOM,
                                  "ring %zu of polygon %zu is a hole inside "
                                  "another hole, ring %zu, near %.6f %.6f",
                                  r2 + 1, pi + 1, r1 + 1, at.lon, at.lat);
            }
        }
    }
    free(box);
    return rc;
}

int ag_mpoly_validate(const struct ag_mpoly *mp, const struct ag_proj *proj,
                      struct ag_error *err)
{
    if (!mp || !proj)
        return ag_error_set(err, AG_EINVAL, "ag_mpoly_validate: NULL argument");
    if (mp->npolys == 0)
        return ag_error_set(err, AG_EGEOM, "multipolygon has no polygons");
    for (size_t pi = 0; pi < mp->npolys; pi++) {
        const struct ag_polygon *pg = &mp->polys[pi];
        if (pg->nrings == 0)
            return ag_error_set(err, AG_EGEOM, "polygon %zu has no rings",
                                pi + 1);
        struct rings_xy g = {0};
        int rc = check_rings(pg, pi, proj, &g, err);
        struct finding f = {0};
        if (rc == 0) {
            rc = find_clash(&g, &f);
            if (rc)
                rc = ag_error_set(err, rc, "validating polygon %zu: %s", pi + 1,
                                  ag_strerror(rc));
            else if (f.kind != CLASH_NONE)
                rc = report_clash(&g, &f, pi, proj, err);
        }
        if (rc == 0)
            rc = check_areas(&g, pg, pi, err);
        if (rc == 0)
            rc = check_holes(&g, pg, pi, proj, err);
        rings_free(&g);
        if (rc)
            return rc;
    }
    return 0;
}
