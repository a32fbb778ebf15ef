/* The geometry of a space or a layout: the walkable area (the outline
 * minus obstacles, with GEOS) and its exits (drawn, or found where the
 * street network meets the outline). Rules: docs/methodology.md, "Crowd
 * safety: building the geometry".
 * SPDX-License-Identifier: EUPL-1.2 */
#include "agora/crowd.h"

#include <geos_c.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Pieces of a way within this distance of the boundary run along it. */
#define ON_BOUNDARY_M 0.05
/* How far along a way its side of a meeting point is sampled. */
#define SAMPLE_M 0.5

void ag_crowd_build_params_default(struct ag_crowd_build_params *p)
{
    p->merge_m = 1.0;
    p->min_part_m2 = 2.0;
    p->fence_width_m = 0.2;
    p->drop_parts_without_exit = true;
    p->adjacent_m = 2.0;
}

bool ag_crowd_way_walkable(const struct ag_road_edge *e)
{
    if (!e || !e->highway)
        return false;
    if (!strcmp(e->highway, "motorway") || !strcmp(e->highway, "motorway_link"))
        return false;
    return !e->tunnel && e->layer >= 0;
}

/* ---- GEOS plumbing (one context per call, as in lib/geo/buffer.c) ---- */

struct geos_msg {
    char text[256];
};

static void on_geos_error(const char *msg, void *ud)
{
    struct geos_msg *m = ud;
    snprintf(m->text, sizeof m->text, "%s", msg);
}

static void on_geos_notice(const char *msg, void *ud)
{
    (void)msg;
    (void)ud;
}

static GEOSGeometry *ring_to_geos(GEOSContextHandle_t h, const struct ag_crowd_ring *r)
{
    if (r->n < 4 || r->n > UINT_MAX)
        return NULL;
    GEOSCoordSequence *cs = GEOSCoordSeq_create_r(h, (unsigned)r->n, 2);
    if (!cs)
        return NULL;
    for (size_t i = 0; i < r->n; i++) {
        if (!isfinite(r->pts[i].x) || !isfinite(r->pts[i].y)) {
            GEOSCoordSeq_destroy_r(h, cs);
            return NULL;
        }
        GEOSCoordSeq_setXY_r(h, cs, (unsigned)i, r->pts[i].x, r->pts[i].y);
    }
    /* Close exactly, whatever rounding did. */
    GEOSCoordSeq_setXY_r(h, cs, (unsigned)(r->n - 1), r->pts[0].x, r->pts[0].y);
    return GEOSGeom_createLinearRing_r(h, cs);
}

/* A polygon that GEOS accepts: an invalid one (a building drawn with a
 * bow tie) is repaired rather than refused; NULL when nothing is left. */
static GEOSGeometry *make_valid(GEOSContextHandle_t h, GEOSGeometry *g)
{
    if (!g)
        return NULL;
    if (GEOSisValid_r(h, g) == 1)
        return g;
    GEOSGeometry *v = GEOSMakeValid_r(h, g);
    GEOSGeom_destroy_r(h, g);
    return v;
}

static GEOSGeometry *polygon_of(GEOSContextHandle_t h, const struct ag_crowd_ring *outer,
                                const struct ag_crowd_ring *const *holes, size_t nholes)
{
    GEOSGeometry *shell = ring_to_geos(h, outer);
    if (!shell)
        return NULL;
    GEOSGeometry **hg = nholes ? calloc(nholes, sizeof *hg) : NULL;
    if (nholes && !hg) {
        GEOSGeom_destroy_r(h, shell);
        return NULL;
    }
    for (size_t i = 0; i < nholes; i++) {
        hg[i] = ring_to_geos(h, holes[i]);
        if (!hg[i]) {
            for (size_t j = 0; j < i; j++)
                GEOSGeom_destroy_r(h, hg[j]);
            free(hg);
            GEOSGeom_destroy_r(h, shell);
            return NULL;
        }
    }
    GEOSGeometry *pg = GEOSGeom_createPolygon_r(h, shell, hg, (unsigned)nholes);
    free(hg);
    return make_valid(h, pg);
}

static GEOSGeometry *line_of(GEOSContextHandle_t h, const struct ag_crowd_way *w)
{
    if (w->n < 2 || w->n > UINT_MAX)
        return NULL;
    GEOSCoordSequence *cs = GEOSCoordSeq_create_r(h, (unsigned)w->n, 2);
    if (!cs)
        return NULL;
    for (size_t i = 0; i < w->n; i++)
        GEOSCoordSeq_setXY_r(h, cs, (unsigned)i, w->pts[i].x, w->pts[i].y);
    return GEOSGeom_createLineString_r(h, cs);
}

/* Union of the geometries in gs[0..n) (taken over); NULL on failure. */
static GEOSGeometry *union_of(GEOSContextHandle_t h, GEOSGeometry **gs, size_t n)
{
    GEOSGeometry *coll =
        GEOSGeom_createCollection_r(h, GEOS_GEOMETRYCOLLECTION, gs, (unsigned)n);
    if (!coll) {
        for (size_t i = 0; i < n; i++)
            GEOSGeom_destroy_r(h, gs[i]);
        return NULL;
    }
    GEOSGeometry *u = GEOSUnaryUnion_r(h, coll);
    GEOSGeom_destroy_r(h, coll);
    return u;
}

/* ---- the result in our rings ---- */

struct part {
    struct ag_crowd_ring outer;
    struct ag_crowd_ring *holes;
    size_t nholes;
    bool keep;
};

static void parts_free(struct part *ps, size_t n)
{
    for (size_t i = 0; ps && i < n; i++) {
        free(ps[i].outer.pts);
        for (size_t j = 0; j < ps[i].nholes; j++)
            free(ps[i].holes[j].pts);
        free(ps[i].holes);
    }
    free(ps);
}

static int ring_from_geos(GEOSContextHandle_t h, const GEOSGeometry *ring, struct ag_crowd_ring *out)
{
    const GEOSCoordSequence *cs = GEOSGeom_getCoordSeq_r(h, ring);
    unsigned int n = 0;
    if (!cs || !GEOSCoordSeq_getSize_r(h, cs, &n) || n < 4)
        return AG_EGEOM;
    out->pts = malloc(n * sizeof *out->pts);
    if (!out->pts)
        return AG_ENOMEM;
    out->n = n;
    for (unsigned int i = 0; i < n; i++)
        if (!GEOSCoordSeq_getXY_r(h, cs, i, &out->pts[i].x, &out->pts[i].y))
            return AG_EGEOM;
    return 0;
}

/* Appends every polygon of g (a Polygon, MultiPolygon or a collection
 * holding them; lines and points of a degenerate difference are ignored). */
static int collect_parts(GEOSContextHandle_t h, const GEOSGeometry *g, struct part **ps, size_t *n,
                         size_t *cap)
{
    int type = GEOSGeomTypeId_r(h, g);
    if (type == GEOS_MULTIPOLYGON || type == GEOS_GEOMETRYCOLLECTION) {
        int k = GEOSGetNumGeometries_r(h, g);
        for (int i = 0; i < k; i++) {
            int rc = collect_parts(h, GEOSGetGeometryN_r(h, g, i), ps, n, cap);
            if (rc)
                return rc;
        }
        return 0;
    }
    if (type != GEOS_POLYGON || GEOSisEmpty_r(h, g) == 1)
        return 0;
    struct part *np = ag_grow(*ps, cap, *n + 1, sizeof **ps, 8);
    if (!np)
        return AG_ENOMEM;
    *ps = np;
    struct part *p = &np[(*n)++];
    memset(p, 0, sizeof *p);
    int rc = ring_from_geos(h, GEOSGetExteriorRing_r(h, g), &p->outer);
    int nh = GEOSGetNumInteriorRings_r(h, g);
    if (!rc && nh > 0) {
        p->holes = calloc((size_t)nh, sizeof *p->holes);
        if (!p->holes)
            return AG_ENOMEM;
        for (int i = 0; i < nh && !rc; i++) {
            rc = ring_from_geos(h, GEOSGetInteriorRingN_r(h, g, i), &p->holes[i]);
            p->nholes = (size_t)i + 1;
        }
    }
    return rc;
}

/* ---- openings along an outer ring ---- */

struct opening {
    size_t ring;
    double s0, s1; /* arc length along the ring, s0 < s1, s0 in [0, L) */
    double width_m;
    bool stairs;
    const char *name;
};

static int cmp_opening(const void *a, const void *b)
{
    const struct opening *x = a, *y = b;
    if (x->ring != y->ring)
        return x->ring < y->ring ? -1 : 1;
    return (x->s0 > y->s0) - (x->s0 < y->s0);
}

static double ring_length(const struct ag_crowd_ring *r)
{
    return ag_xy_path_length(r->pts, r->n);
}

/* The point at arc length s (taken modulo the ring's length L), and the
 * ring's edge there (when seg is not NULL). */
static struct ag_xy ring_at_seg(const struct ag_crowd_ring *r, double L, double s, size_t *seg)
{
    s = fmod(s, L);
    if (s < 0)
        s += L;
    for (size_t i = 0; i + 1 < r->n; i++) {
        double len = ag_xy_dist(r->pts[i], r->pts[i + 1]);
        if (s <= len || i + 2 == r->n) {
            if (seg)
                *seg = i;
            double t = len > 0 ? fmin(1, s / len) : 0;
            return (struct ag_xy){r->pts[i].x + t * (r->pts[i + 1].x - r->pts[i].x),
                                  r->pts[i].y + t * (r->pts[i + 1].y - r->pts[i].y)};
        }
        s -= len;
    }
    if (seg)
        *seg = 0;
    return r->pts[0];
}

static struct ag_xy ring_at(const struct ag_crowd_ring *r, double L, double s)
{
    return ring_at_seg(r, L, s, NULL);
}

/* |sin| of the angle between a-b and c-d; 1 when either has no length. */
static double sin_between(struct ag_xy a, struct ag_xy b, struct ag_xy c, struct ag_xy d)
{
    double ux = b.x - a.x, uy = b.y - a.y, vx = d.x - c.x, vy = d.y - c.y;
    double lu = hypot(ux, uy), lv = hypot(vx, vy);
    if (!(lu > 0) || !(lv > 0))
        return 1;
    return fabs(ux * vy - uy * vx) / (lu * lv);
}

/* Distance from p to the nearest ring of the walkable parts. */
static double boundary_dist(const struct part *ps, size_t np, struct ag_xy p)
{
    double d = INFINITY;
    for (size_t i = 0; i < np; i++) {
        if (!ps[i].keep)
            continue;
        const struct ag_crowd_ring *r = &ps[i].outer;
        for (size_t k = 0; k + 1 < r->n; k++)
            d = fmin(d, ag_xy_seg_dist(p, r->pts[k], r->pts[k + 1]));
        for (size_t j = 0; j < ps[i].nholes; j++) {
            r = &ps[i].holes[j];
            for (size_t k = 0; k + 1 < r->n; k++)
                d = fmin(d, ag_xy_seg_dist(p, r->pts[k], r->pts[k + 1]));
        }
    }
    return d;
}

/* Whether the way, leaving point p towards q, stays off the boundary. */
static bool leaves_boundary(const struct part *ps, size_t np, struct ag_xy p, struct ag_xy q)
{
    double len = ag_xy_dist(p, q);
    if (len < 1e-9)
        return false;
    double t = fmin(SAMPLE_M, len / 2) / len;
    struct ag_xy s = {p.x + t * (q.x - p.x), p.y + t * (q.y - p.y)};
    return boundary_dist(ps, np, s) > ON_BOUNDARY_M;
}

static int push_opening(struct opening **os, size_t *n, size_t *cap, struct opening o)
{
    struct opening *no = ag_grow(*os, cap, *n + 1, sizeof **os, 16);
    if (!no)
        return AG_ENOMEM;
    *os = no;
    no[(*n)++] = o;
    return 0;
}

/* Every meeting of way w with outer ring `ring` of part `pi`. */
static int find_openings(const struct part *ps, size_t np, size_t pi, size_t ring,
                         const double *cum, double L, const struct ag_crowd_way *w,
                         struct opening **os, size_t *n, size_t *cap)
{
    const struct ag_crowd_ring *r = &ps[pi].outer;
    for (size_t k = 0; k + 1 < w->n; k++) {
        struct ag_xy a = w->pts[k], b = w->pts[k + 1];
        double wx0 = fmin(a.x, b.x), wx1 = fmax(a.x, b.x), wy0 = fmin(a.y, b.y),
               wy1 = fmax(a.y, b.y);
        for (size_t j = 0; j + 1 < r->n; j++) {
            struct ag_xy c = r->pts[j], d = r->pts[j + 1];
            if (fmax(c.x, d.x) < wx0 || fmin(c.x, d.x) > wx1 || fmax(c.y, d.y) < wy0 ||
                fmin(c.y, d.y) > wy1)
                continue;
            struct ag_xy at;
            if (ag_seg_intersect(a, b, c, d, &at) != 1)
                continue;
            /* The way's pieces on each side of the meeting point: within
             * this segment, and the neighbouring segment when the point is
             * a vertex of the way. */
            bool opens = leaves_boundary(ps, np, at, a) || leaves_boundary(ps, np, at, b);
            if (!opens && ag_xy_dist(at, a) < 1e-9 && k > 0)
                opens = leaves_boundary(ps, np, at, w->pts[k - 1]);
            if (!opens && ag_xy_dist(at, b) < 1e-9 && k + 2 < w->n)
                opens = leaves_boundary(ps, np, at, w->pts[k + 2]);
            if (!opens)
                continue;
            double half = fmin(w->width_m, L / 2) / 2;
            double s = cum[j] + ag_xy_dist(c, at);
            double s0 = fmod(s - half + L, L);
            struct opening o = {ring, s0, s0 + 2 * half, 2 * half, w->stairs, w->name};
            int rc = push_opening(os, n, cap, o);
            if (rc)
                return rc;
        }
    }
    return 0;
}

/* Stretches of the ring that a way runs alongside: sample points every
 * ALONG_STEP_M whose distance to the way's centreline is at most half its
 * width plus adjacent_m (the carriageway's edge within a kerb and a strip
 * of pavement of the outline), on a piece of way within 30 degrees of the
 * outline's direction there. */
#define ALONG_STEP_M 0.25
static int find_alongside(const struct ag_crowd_ring *r, size_t ring, double L,
                          const struct ag_crowd_way *ways, size_t nways, double adjacent_m,
                          struct opening **os, size_t *n, size_t *cap)
{
    if (!(adjacent_m > 0) || nways == 0)
        return 0;
    size_t ns = (size_t)ceil(L / ALONG_STEP_M);
    if (ns < 4)
        return 0;
    double step = L / (double)ns;
    struct ag_bbox rb = ag_bbox_empty();
    for (size_t k = 0; k < r->n; k++)
        ag_bbox_extend(&rb, r->pts[k].x, r->pts[k].y);
    size_t run_start = SIZE_MAX;
    const struct ag_crowd_way *run_way = NULL;
    bool run_stairs = false;
    for (size_t i = 0; i <= ns; i++) {
        const struct ag_crowd_way *hit = NULL;
        if (i < ns) {
            size_t seg;
            struct ag_xy q = ring_at_seg(r, L, (double)i * step, &seg);
            for (size_t w = 0; w < nways && !hit; w++) {
                const struct ag_crowd_way *wy = &ways[w];
                if (!(wy->width_m > 0) || !isfinite(wy->width_m))
                    continue;
                double reach = wy->width_m / 2 + adjacent_m;
                for (size_t k = 0; k + 1 < wy->n && !hit; k++) {
                    struct ag_xy a = wy->pts[k], b = wy->pts[k + 1];
                    if (fmin(a.x, b.x) - reach > q.x || fmax(a.x, b.x) + reach < q.x ||
                        fmin(a.y, b.y) - reach > q.y || fmax(a.y, b.y) + reach < q.y)
                        continue;
                    /* Alongside: within 30 degrees of the outline's
                     * direction; a way across it opens by its width. */
                    if (ag_xy_seg_dist(q, a, b) <= reach &&
                        sin_between(a, b, r->pts[seg], r->pts[seg + 1]) < 0.5)
                        hit = wy;
                }
            }
        }
        if (hit && run_start == SIZE_MAX) {
            run_start = i;
            run_way = hit;
            run_stairs = hit->stairs;
        } else if (hit) {
            run_stairs |= hit->stairs;
        } else if (run_start != SIZE_MAX) {
            /* samples run_start .. i - 1 are open: half a step beyond each */
            double s0 = (double)run_start * step - step / 2, len = (double)(i - run_start) * step;
            if (len >= 2 * ALONG_STEP_M) {
                struct opening o = {ring, fmod(s0 + L, L), fmod(s0 + L, L) + len, len,
                                    run_stairs, run_way->name};
                int rc = push_opening(os, n, cap, o);
                if (rc)
                    return rc;
            }
            run_start = SIZE_MAX;
        }
    }
    return 0;
}

/* Merges openings of one ring (sorted by s0) that overlap or lie closer
 * than merge_m, the last with the first across the ring's start. */
static size_t merge_ring(struct opening *o, size_t n, double L, double merge_m)
{
    if (n == 0)
        return 0;
    size_t m = 0;
    for (size_t i = 1; i < n; i++) {
        struct opening *cur = &o[m];
        if (o[i].s0 - cur->s1 < merge_m) {
            double cover = fmax(0, o[i].s1 - fmax(o[i].s0, cur->s1));
            cur->width_m += cover;
            cur->s1 = fmax(cur->s1, o[i].s1);
            cur->stairs |= o[i].stairs;
            if (!cur->name)
                cur->name = o[i].name;
        } else {
            o[++m] = o[i];
        }
    }
    m++;
    if (m > 1 && o[0].s0 + L - o[m - 1].s1 < merge_m) {
        struct opening *last = &o[m - 1];
        double cover = fmax(0, o[0].s1 + L - fmax(o[0].s0 + L, last->s1));
        last->width_m += cover;
        last->s1 = fmax(last->s1, o[0].s1 + L);
        last->stairs |= o[0].stairs;
        if (!last->name)
            last->name = o[0].name;
        o[0] = *last;
        m--;
    }
    for (size_t i = 0; i < m; i++)
        if (o[i].s1 - o[i].s0 > L / 2) { /* never the whole ring */
            o[i].s1 = o[i].s0 + L / 2;
            o[i].width_m = fmin(o[i].width_m, L / 2);
        }
    return m;
}

static double seg_seg_dist(struct ag_xy a, struct ag_xy b, struct ag_xy c, struct ag_xy d)
{
    if (ag_seg_intersect(a, b, c, d, NULL))
        return 0;
    return fmin(fmin(ag_xy_seg_dist(a, c, d), ag_xy_seg_dist(b, c, d)),
                fmin(ag_xy_seg_dist(c, a, b), ag_xy_seg_dist(d, a, b)));
}

static double exit_ring_dist(const struct ag_crowd_exit *x, const struct ag_crowd_ring *r)
{
    double d = INFINITY;
    for (size_t k = 0; k + 1 < r->n; k++)
        d = fmin(d, seg_seg_dist(x->a, x->b, r->pts[k], r->pts[k + 1]));
    return d;
}

static int add_exit(struct ag_crowd_geom *g, size_t *cap, const struct ag_crowd_exit *x)
{
    struct ag_crowd_exit *ne = ag_grow(g->exits, cap, g->nexits + 1, sizeof *ne, 8);
    if (!ne)
        return AG_ENOMEM;
    g->exits = ne;
    struct ag_crowd_exit *e = &ne[g->nexits];
    *e = *x;
    e->name = NULL;
    if (x->name && !(e->name = ag_strdup(x->name)))
        return AG_ENOMEM;
    g->nexits++;
    return 0;
}

/* Moves the kept parts into out (rings are handed over). */
static int parts_to_geom(struct part *ps, size_t np, struct ag_crowd_geom *out)
{
    size_t no = 0, nh = 0;
    for (size_t i = 0; i < np; i++)
        if (ps[i].keep) {
            no++;
            nh += ps[i].nholes;
        }
    out->outer = calloc(no ? no : 1, sizeof *out->outer);
    out->holes = calloc(nh ? nh : 1, sizeof *out->holes);
    if (!out->outer || !out->holes)
        return AG_ENOMEM;
    for (size_t i = 0; i < np; i++) {
        if (!ps[i].keep)
            continue;
        out->outer[out->nouter++] = ps[i].outer;
        ps[i].outer.pts = NULL;
        for (size_t j = 0; j < ps[i].nholes; j++) {
            out->holes[out->nholes++] = ps[i].holes[j];
            ps[i].holes[j].pts = NULL;
        }
    }
    return 0;
}

static bool ring_in_ring(const struct ag_crowd_ring *in, const struct ag_crowd_ring *out)
{
    /* Holes of a valid polygon lie inside its shell: one vertex decides,
     * the first that is not on the shell. */
    for (size_t i = 0; i + 1 < in->n; i++) {
        bool on = false;
        for (size_t k = 0; k + 1 < out->n && !on; k++)
            on = ag_xy_seg_dist(in->pts[i], out->pts[k], out->pts[k + 1]) < 1e-9;
        if (!on)
            return ag_xy_ring_contains(out->pts, out->n, in->pts[i]);
    }
    return false;
}

int ag_crowd_geom_build(const struct ag_crowd_geom *area, const struct ag_crowd_ring *obstacles,
                        size_t nobstacles, const struct ag_crowd_way *fences, size_t nfences,
                        const struct ag_crowd_way *ways, size_t nways,
                        const struct ag_crowd_build_params *p, struct ag_crowd_geom *out,
                        struct ag_crowd_build_info *info, struct ag_error *err)
{
    if (!area || !out || (nobstacles && !obstacles) || (nfences && !fences) || (nways && !ways))
        return ag_error_set(err, AG_EINVAL, "ag_crowd_geom_build: NULL argument");
    memset(out, 0, sizeof *out);
    struct ag_crowd_build_params defs;
    ag_crowd_build_params_default(&defs);
    if (!p)
        p = &defs;
    struct ag_crowd_build_info inf;
    memset(&inf, 0, sizeof inf);
    if (!area->nouter)
        return ag_error_set(err, AG_EGEOM, "the outline has no outer ring");
    if (area->nouter > INT_MAX / 2 || nobstacles + nfences > UINT_MAX / 2)
        return ag_error_set(err, AG_ELIMIT, "too many rings");

    struct geos_msg msg = {{0}};
    GEOSContextHandle_t h = GEOS_init_r();
    if (!h)
        return ag_error_set(err, AG_ENOMEM, "cannot start GEOS");
    GEOSContext_setErrorMessageHandler_r(h, on_geos_error, &msg);
    GEOSContext_setNoticeMessageHandler_r(h, on_geos_notice, NULL);

    int rc = 0;
    GEOSGeometry *outline = NULL, *obst = NULL, *walk = NULL;
    struct part *ps = NULL;
    size_t np = 0, pcap = 0;
    struct opening *os = NULL;
    size_t nos = 0, ocap = 0, xcap = 0;
    double **cums = NULL;
    const struct ag_crowd_ring **hs = NULL;

    /* The outline: each outer ring with the holes that lie inside it. */
    {
        GEOSGeometry **polys = calloc(area->nouter, sizeof *polys);
        hs = calloc(area->nholes ? area->nholes : 1, sizeof *hs);
        if (!polys || !hs) {
            free(polys);
            rc = ag_error_set(err, AG_ENOMEM, "out of memory");
            goto done;
        }
        for (size_t i = 0; i < area->nouter && !rc; i++) {
            size_t nh = 0;
            for (size_t j = 0; j < area->nholes; j++)
                if (ring_in_ring(&area->holes[j], &area->outer[i]))
                    hs[nh++] = &area->holes[j];
            polys[i] = polygon_of(h, &area->outer[i], hs, nh);
            if (!polys[i]) {
                for (size_t j = 0; j < i; j++)
                    GEOSGeom_destroy_r(h, polys[j]);
                rc = ag_error_set(err, AG_EGEOM, "outer ring %zu of the outline is not a polygon%s%s",
                                  i + 1, msg.text[0] ? ": " : "", msg.text);
            }
        }
        if (!rc) {
            outline = union_of(h, polys, area->nouter);
            if (!outline)
                rc = ag_error_set(err, AG_EGEOM, "GEOS cannot join the outline: %s", msg.text);
        }
        free(polys);
        if (rc)
            goto done;
    }
    double a0 = 0;
    GEOSArea_r(h, outline, &a0);
    inf.area_m2 = a0;

    /* Obstacles that meet the outline. */
    {
        size_t nob = 0;
        GEOSGeometry **og = calloc(nobstacles + nfences + 1, sizeof *og);
        if (!og) {
            rc = ag_error_set(err, AG_ENOMEM, "out of memory");
            goto done;
        }
        const GEOSPreparedGeometry *prep = GEOSPrepare_r(h, outline);
        for (size_t i = 0; i < nobstacles + nfences; i++) {
            GEOSGeometry *g;
            if (i < nobstacles) {
                g = polygon_of(h, &obstacles[i], NULL, 0);
            } else {
                GEOSGeometry *l = line_of(h, &fences[i - nobstacles]);
                g = l ? GEOSBuffer_r(h, l, p->fence_width_m / 2, 4) : NULL;
                if (l)
                    GEOSGeom_destroy_r(h, l);
            }
            if (!g)
                continue; /* a broken building outline is no obstacle */
            if (prep && GEOSPreparedIntersects_r(h, prep, g) == 1) {
                og[nob++] = g;
            } else {
                GEOSGeom_destroy_r(h, g);
            }
        }
        if (prep)
            GEOSPreparedGeom_destroy_r(h, prep);
        inf.obstacles_used = nob;
        if (nob) {
            obst = union_of(h, og, nob);
            if (!obst)
                rc = ag_error_set(err, AG_EGEOM, "GEOS cannot join the obstacles: %s", msg.text);
        }
        free(og);
        if (rc)
            goto done;
    }
    walk = obst ? GEOSDifference_r(h, outline, obst) : GEOSGeom_clone_r(h, outline);
    if (!walk) {
        rc = ag_error_set(err, AG_EGEOM, "GEOS cannot remove the obstacles: %s", msg.text);
        goto done;
    }
    double a1 = 0;
    GEOSArea_r(h, walk, &a1);
    inf.obstacles_m2 = fmax(0, a0 - a1);
    rc = collect_parts(h, walk, &ps, &np, &pcap);
    if (rc) {
        rc = ag_error_set(err, rc, "reading the walkable area back from GEOS: %s", ag_strerror(rc));
        goto done;
    }
    size_t kept = 0;
    for (size_t i = 0; i < np; i++) {
        double a = fabs(ag_xy_ring_area_signed(ps[i].outer.pts, ps[i].outer.n));
        for (size_t j = 0; j < ps[i].nholes; j++)
            a -= fabs(ag_xy_ring_area_signed(ps[i].holes[j].pts, ps[i].holes[j].n));
        ps[i].keep = a >= p->min_part_m2;
        if (!ps[i].keep)
            inf.slivers_dropped++;
        kept += ps[i].keep;
    }
    if (!kept) {
        rc = ag_error_set(err, AG_EGEOM,
                          "nothing is left to walk on: the obstacles cover the whole outline");
        goto done;
    }

    /* Openings where the ways meet the outer rings. */
    cums = calloc(np, sizeof *cums);
    if (!cums) {
        rc = ag_error_set(err, AG_ENOMEM, "out of memory");
        goto done;
    }
    for (size_t i = 0; i < np && !rc; i++) {
        if (!ps[i].keep)
            continue;
        const struct ag_crowd_ring *r = &ps[i].outer;
        cums[i] = malloc(r->n * sizeof **cums);
        if (!cums[i]) {
            rc = ag_error_set(err, AG_ENOMEM, "out of memory");
            break;
        }
        cums[i][0] = 0;
        for (size_t k = 0; k + 1 < r->n; k++)
            cums[i][k + 1] = cums[i][k] + ag_xy_dist(r->pts[k], r->pts[k + 1]);
        double L = cums[i][r->n - 1];
        if (!(L > 0))
            continue;
        for (size_t w = 0; w < nways && !rc; w++) {
            if (!(ways[w].width_m > 0) || !isfinite(ways[w].width_m) || ways[w].n < 2)
                continue;
            rc = find_openings(ps, np, i, i, cums[i], L, &ways[w], &os, &nos, &ocap);
        }
        if (!rc)
            rc = find_alongside(r, i, L, ways, nways, p->adjacent_m, &os, &nos, &ocap);
    }
    if (rc) {
        rc = ag_error_set(err, rc, "out of memory");
        goto done;
    }
    inf.openings = nos;
    if (nos)
        qsort(os, nos, sizeof *os, cmp_opening);

    /* Drawn exits first, then the openings, ring by ring. */
    for (size_t i = 0; i < area->nexits && !rc; i++)
        rc = add_exit(out, &xcap, &area->exits[i]);
    for (size_t i = 0; i < nos && !rc;) {
        size_t j = i;
        while (j < nos && os[j].ring == os[i].ring)
            j++;
        const struct ag_crowd_ring *r = &ps[os[i].ring].outer;
        double L = ring_length(r);
        size_t m = merge_ring(os + i, j - i, L, p->merge_m);
        for (size_t k = 0; k < m && !rc; k++) {
            const struct opening *o = &os[i + k];
            struct ag_crowd_exit x = {ring_at(r, L, o->s0), ring_at(r, L, o->s1), 0, o->stairs,
                                      (char *)o->name};
            x.width_m = fmin(o->width_m, ag_xy_dist(x.a, x.b));
            if (x.width_m > 0.01)
                rc = add_exit(out, &xcap, &x);
        }
        i = j;
    }
    if (rc) {
        rc = ag_error_set(err, rc, "out of memory");
        goto done;
    }
    if (!out->nexits) {
        rc = ag_error_set(err, AG_EEMPTY,
                          "no exit: no way of the street network meets the outline "
                          "(%zu ways looked at)",
                          nways);
        goto done;
    }

    /* Parts that nobody can leave are not part of the evacuation. */
    if (p->drop_parts_without_exit) {
        for (size_t i = 0; i < np; i++) {
            if (!ps[i].keep)
                continue;
            bool has = false;
            for (size_t e = 0; e < out->nexits && !has; e++)
                has = exit_ring_dist(&out->exits[e], &ps[i].outer) <= AG_CROWD_EXIT_TOL_M;
            if (!has) {
                double a = fabs(ag_xy_ring_area_signed(ps[i].outer.pts, ps[i].outer.n));
                for (size_t j = 0; j < ps[i].nholes; j++)
                    a -= fabs(ag_xy_ring_area_signed(ps[i].holes[j].pts, ps[i].holes[j].n));
                ps[i].keep = false;
                inf.parts_dropped++;
                inf.dropped_m2 += a;
            }
        }
    }
    rc = parts_to_geom(ps, np, out);
    if (rc)
        rc = ag_error_set(err, rc, "out of memory");

done:
    if (rc)
        ag_crowd_geom_free(out);
    else if (info)
        *info = inf;
    for (size_t i = 0; cums && i < np; i++)
        free(cums[i]);
    free(cums);
    free(os);
    free(hs);
    parts_free(ps, np);
    if (walk)
        GEOSGeom_destroy_r(h, walk);
    if (obst)
        GEOSGeom_destroy_r(h, obst);
    if (outline)
        GEOSGeom_destroy_r(h, outline);
    finishGEOS_r(h);
    return rc;
}

/* ---- a stored space ---- */

static int project_ring(const struct ag_ring *r, const struct ag_proj *proj,
                        struct ag_crowd_ring *out)
{
    out->pts = malloc((r->n ? r->n : 1) * sizeof *out->pts);
    if (!out->pts)
        return AG_ENOMEM;
    out->n = r->n;
    for (size_t i = 0; i < r->n; i++) {
        out->pts[i] = ag_proj_fwd(proj, r->pts[i]);
        if (!isfinite(out->pts[i].x) || !isfinite(out->pts[i].y))
            return AG_EPROJ;
    }
    return 0;
}

static void rings_free(struct ag_crowd_ring *r, size_t n)
{
    for (size_t i = 0; r && i < n; i++)
        free(r[i].pts);
    free(r);
}

int ag_crowd_geom_from_space(const struct ag_space *sp, const struct ag_building *buildings,
                             size_t nbuildings, const struct ag_road_edge *edges, size_t nedges,
                             const struct ag_proj *proj, const struct ag_crowd_build_params *p,
                             struct ag_crowd_geom *out, struct ag_crowd_build_info *info,
                             struct ag_error *err)
{
    if (!sp || !proj || !out || (nbuildings && !buildings) || (nedges && !edges))
        return ag_error_set(err, AG_EINVAL, "ag_crowd_geom_from_space: NULL argument");
    memset(out, 0, sizeof *out);
    struct ag_crowd_geom area = {0};
    struct ag_crowd_ring *obst = NULL;
    size_t nobst = 0;
    struct ag_crowd_way *ways = NULL;
    size_t nways = 0;
    int rc = 0;

    size_t no = 0, nh = 0;
    for (size_t i = 0; i < sp->geom.npolys; i++)
        if (sp->geom.polys[i].nrings) {
            no++;
            nh += sp->geom.polys[i].nrings - 1;
        }
    if (!no)
        return ag_error_set(err, AG_EGEOM, "the space has no polygon");
    area.outer = calloc(no, sizeof *area.outer);
    area.holes = calloc(nh ? nh : 1, sizeof *area.holes);
    obst = calloc(nbuildings ? nbuildings : 1, sizeof *obst);
    ways = calloc(nedges ? nedges : 1, sizeof *ways);
    if (!area.outer || !area.holes || !obst || !ways) {
        rc = ag_error_set(err, AG_ENOMEM, "out of memory");
        goto done;
    }
    for (size_t i = 0; i < sp->geom.npolys && !rc; i++) {
        const struct ag_polygon *pg = &sp->geom.polys[i];
        for (size_t j = 0; j < pg->nrings && !rc; j++) {
            struct ag_crowd_ring *dst =
                j == 0 ? &area.outer[area.nouter++] : &area.holes[area.nholes++];
            rc = project_ring(&pg->rings[j], proj, dst);
        }
    }
    if (rc) {
        rc = ag_error_set(err, rc, "projecting the space: %s", ag_strerror(rc));
        goto done;
    }
    /* Only what can touch the space: boxes in lon/lat, widened by 50 m
     * for ways (their width) at this latitude (~0.0005 degrees). */
    struct ag_bbox box = ag_mpoly_bbox(&sp->geom);
    struct ag_bbox wide = {box.minx - 5e-4 / fmax(0.1, cos(box.miny * M_PI / 180)),
                           box.miny - 5e-4, box.maxx + 5e-4 / fmax(0.1, cos(box.miny * M_PI / 180)),
                           box.maxy + 5e-4};
    for (size_t i = 0; i < nbuildings && !rc; i++) {
        const struct ag_building *b = &buildings[i];
        if (!ag_bbox_intersects(b->bbox, box))
            continue;
        for (size_t k = 0; k < b->geom.npolys && !rc; k++) {
            if (!b->geom.polys[k].nrings)
                continue;
            struct ag_crowd_ring *grown = realloc(obst, (nobst + 1) * sizeof *obst);
            if (!grown) {
                rc = ag_error_set(err, AG_ENOMEM, "out of memory");
                break;
            }
            obst = grown;
            rc = project_ring(&b->geom.polys[k].rings[0], proj, &obst[nobst]);
            nobst++;
            if (rc)
                rc = ag_error_set(err, rc, "projecting building %s/%lld: %s", b->ref.type,
                                  (long long)b->ref.id, ag_strerror(rc));
        }
    }
    for (size_t i = 0; i < nedges && !rc; i++) {
        const struct ag_road_edge *e = &edges[i];
        if (!ag_crowd_way_walkable(e) || e->geom.n < 2)
            continue;
        struct ag_bbox eb = ag_bbox_empty();
        for (size_t k = 0; k < e->geom.n; k++)
            ag_bbox_extend(&eb, e->geom.pts[k].lon, e->geom.pts[k].lat);
        if (!ag_bbox_intersects(eb, wide))
            continue;
        struct ag_xy *pts = malloc(e->geom.n * sizeof *pts);
        if (!pts) {
            rc = ag_error_set(err, AG_ENOMEM, "out of memory");
            break;
        }
        for (size_t k = 0; k < e->geom.n; k++)
            pts[k] = ag_proj_fwd(proj, e->geom.pts[k]);
        ways[nways++] = (struct ag_crowd_way){pts, e->geom.n, e->width_m,
                                              !strcmp(e->highway, "steps"), e->name};
    }
    if (rc)
        goto done;
    rc = ag_crowd_geom_build(&area, obst, nobst, NULL, 0, ways, nways, p, out, info, err);
    if (rc == AG_EEMPTY)
        rc = ag_error_set(err, AG_EEMPTY,
                          "no exit: none of the %zu street%s near the space meets its outline, "
                          "so there is no opening to leave by",
                          nways, nways == 1 ? "" : "s");
    if (!rc) {
        rc = ag_crowd_geom_check(out, err);
        if (rc)
            ag_crowd_geom_free(out);
    }

done:
    rings_free(obst, nobst);
    for (size_t i = 0; ways && i < nways; i++)
        free((void *)ways[i].pts);
    free(ways);
    ag_crowd_geom_free(&area);
    return rc;
}

int ag_crowd_geom_of_space(const struct ag_space *sp, const struct ag_building *buildings,
                           size_t nbuildings, const struct ag_road_edge *edges, size_t nedges,
                           const struct ag_crowd_build_params *p, struct ag_crowd_geom *out,
                           struct ag_crowd_build_info *info, struct ag_error *err)
{
    if (!sp || !out)
        return ag_error_set(err, AG_EINVAL, "ag_crowd_geom_of_space: NULL argument");
    memset(out, 0, sizeof *out);
    struct ag_proj *proj = NULL;
    int rc = ag_proj_new(&proj, sp->centroid.lon, sp->centroid.lat, err);
    if (!rc)
        rc = ag_crowd_geom_from_space(sp, buildings, nbuildings, edges, nedges, proj, p, out, info,
                                      err);
    ag_proj_free(proj);
    return rc;
}
