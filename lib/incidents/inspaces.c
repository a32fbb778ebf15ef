/* Incidents inside and around public spaces.
 * SPDX-License-Identifier: EUPL-1.2 */
#include "agora/incident_io.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* One polygon of a space in the plane: rings[0] outer, then holes. */
struct xy_poly {
    struct ag_xy **rings;
    size_t *nring;
    size_t nrings;
};

struct xy_space {
    struct xy_poly *polys;
    size_t npolys;
};

static bool poly_contains(const struct xy_poly *p, struct ag_xy q)
{
    if (!p->nrings || !ag_xy_ring_contains(p->rings[0], p->nring[0], q))
        return false;
    for (size_t r = 1; r < p->nrings; r++)
        if (ag_xy_ring_contains(p->rings[r], p->nring[r], q))
            return false;
    return true;
}

/* Distance from q to the space: 0 inside. */
static double space_dist(const struct xy_space *sp, struct ag_xy q)
{
    double d = INFINITY;
    for (size_t p = 0; p < sp->npolys; p++) {
        const struct xy_poly *pg = &sp->polys[p];
        if (poly_contains(pg, q))
            return 0;
        for (size_t r = 0; r < pg->nrings; r++)
            for (size_t k = 0; k + 1 < pg->nring[r]; k++) {
                double e = ag_xy_seg_dist(q, pg->rings[r][k], pg->rings[r][k + 1]);
                d = e < d ? e : d;
            }
    }
    return d;
}

static void xy_spaces_free(struct xy_space *xs, size_t n)
{
    for (size_t i = 0; xs && i < n; i++) {
        for (size_t p = 0; xs[i].polys && p < xs[i].npolys; p++) {
            for (size_t r = 0; xs[i].polys[p].rings && r < xs[i].polys[p].nrings; r++)
                free(xs[i].polys[p].rings[r]);
            free(xs[i].polys[p].rings);
            free(xs[i].polys[p].nring);
        }
        free(xs[i].polys);
    }
    free(xs);
}

/* Projects space sp into the plane; fills its box (grown by margin). */
static int project_space(const struct ag_space *sp, const struct ag_plane *plane, double margin,
                         struct xy_space *out, struct ag_bbox *box, struct ag_error *err)
{
    *box = ag_bbox_empty();
    out->polys = calloc(sp->geom.npolys ? sp->geom.npolys : 1, sizeof *out->polys);
    if (!out->polys)
        return ag_error_set(err, AG_ENOMEM, "out of memory");
    out->npolys = sp->geom.npolys;
    for (size_t p = 0; p < sp->geom.npolys; p++) {
        const struct ag_polygon *pg = &sp->geom.polys[p];
        struct xy_poly *xp = &out->polys[p];
        xp->rings = calloc(pg->nrings ? pg->nrings : 1, sizeof *xp->rings);
        xp->nring = calloc(pg->nrings ? pg->nrings : 1, sizeof *xp->nring);
        if (!xp->rings || !xp->nring)
            return ag_error_set(err, AG_ENOMEM, "out of memory");
        xp->nrings = pg->nrings;
        for (size_t r = 0; r < pg->nrings; r++) {
            const struct ag_ring *ring = &pg->rings[r];
            xp->rings[r] = malloc((ring->n ? ring->n : 1) * sizeof(struct ag_xy));
            if (!xp->rings[r])
                return ag_error_set(err, AG_ENOMEM, "out of memory");
            xp->nring[r] = ring->n;
            for (size_t k = 0; k < ring->n; k++) {
                if (!ag_plane_fwd(plane, ring->pts[k], &xp->rings[r][k]))
                    return ag_error_set(err, AG_EPROJ, "space %lld cannot be placed in %s",
                                        (long long)sp->id, ag_plane_def(plane));
                ag_bbox_extend(box, xp->rings[r][k].x, xp->rings[r][k].y);
            }
        }
    }
    box->minx -= margin;
    box->miny -= margin;
    box->maxx += margin;
    box->maxy += margin;
    return 0;
}

struct hit {
    const struct xy_space *xs;
    struct ag_incidents_in_spaces *r;
    struct ag_xy q;
    double around_m;
    size_t *inside; /* spaces that hold the current point, this query */
    size_t ninside;
};

static int on_hit(void *ud, int64_t id, struct ag_bbox box)
{
    (void)box;
    struct hit *h = ud;
    size_t i = (size_t)id;
    double d = space_dist(&h->xs[i], h->q);
    if (d == 0) {
        h->r->within[i] += 1;
        h->inside[h->ninside++] = i;
    }
    if (d <= h->around_m)
        h->r->around[i] += 1;
    return 0;
}

void ag_incidents_in_spaces_free(struct ag_incidents_in_spaces *r)
{
    free(r->within);
    free(r->around);
    free(r->member_start);
    free(r->member);
    memset(r, 0, sizeof *r);
}

int ag_incidents_in_spaces(const struct ag_space *spaces, size_t nspaces,
                           const struct ag_plane *plane, const struct ag_xy *pts, size_t n,
                           double around_m, struct ag_incidents_in_spaces *out,
                           struct ag_error *err)
{
    memset(out, 0, sizeof *out);
    if (!isfinite(around_m) || around_m < 0)
        return ag_error_set(err, AG_EINVAL, "around: expected metres >= 0");
    size_t ns = nspaces ? nspaces : 1;
    out->nspaces = nspaces;
    out->within = calloc(ns, sizeof *out->within);
    out->around = calloc(ns, sizeof *out->around);
    out->member_start = calloc(ns + 1, sizeof *out->member_start);
    struct xy_space *xs = calloc(ns, sizeof *xs);
    size_t *inside = malloc(ns * sizeof *inside);
    /* (space, point) pairs of points inside, in point order. */
    size_t npairs = 0, cap = 0;
    size_t *pairs = NULL;
    struct ag_index *ix = NULL;
    int rc = 0;
    if (!out->within || !out->around || !out->member_start || !xs || !inside ||
        ag_index_new(&ix))
        rc = ag_error_set(err, AG_ENOMEM, "out of memory");
    for (size_t i = 0; !rc && i < nspaces; i++) {
        struct ag_bbox box;
        rc = project_space(&spaces[i], plane, around_m, &xs[i], &box, err);
        if (!rc && spaces[i].geom.npolys && ag_index_add(ix, (int64_t)i, box))
            rc = ag_error_set(err, AG_ENOMEM, "out of memory");
    }
    if (!rc && ag_index_build(ix))
        rc = ag_error_set(err, AG_ENOMEM, "out of memory");
    for (size_t k = 0; !rc && k < n; k++) {
        struct hit h = {xs, out, pts[k], around_m, inside, 0};
        ag_index_query(ix, (struct ag_bbox){pts[k].x, pts[k].y, pts[k].x, pts[k].y}, on_hit, &h);
        for (size_t j = 0; j < h.ninside && !rc; j++) {
            if (npairs == cap) {
                size_t nc = cap ? 2 * cap : 1024;
                size_t *np = realloc(pairs, 2 * nc * sizeof *np);
                if (!np) {
                    rc = ag_error_set(err, AG_ENOMEM, "out of memory");
                    break;
                }
                pairs = np;
                cap = nc;
            }
            pairs[2 * npairs] = inside[j];
            pairs[2 * npairs + 1] = k;
            npairs++;
        }
    }
    if (!rc && !(out->member = malloc((npairs ? npairs : 1) * sizeof *out->member)))
        rc = ag_error_set(err, AG_ENOMEM, "out of memory");
    if (!rc) {
        /* Counting sort by space; points stay ascending within a space. */
        for (size_t k = 0; k < npairs; k++)
            out->member_start[pairs[2 * k] + 1]++;
        for (size_t i = 0; i < nspaces; i++)
            out->member_start[i + 1] += out->member_start[i];
        for (size_t i = 0; i < nspaces; i++)
            inside[i] = out->member_start[i];
        for (size_t k = 0; k < npairs; k++)
            out->member[inside[pairs[2 * k]]++] = pairs[2 * k + 1];
    }
    ag_index_free(ix);
    xy_spaces_free(xs, nspaces);
    free(inside);
    free(pairs);
    if (rc)
        ag_incidents_in_spaces_free(out);
    return rc;
}
