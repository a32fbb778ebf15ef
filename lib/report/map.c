/* Small SVG maps of a space among its roads and buildings.
 * SPDX-License-Identifier: EUPL-1.2 */
#include "agora/report.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

struct ag_report_map {
    struct ag_vec edges;     /* struct ag_road_edge */
    struct ag_vec buildings; /* struct ag_building */
    struct ag_vec barriers;  /* struct ag_barrier */
    struct ag_index *edge_ix, *building_ix, *barrier_ix;
};

static struct ag_bbox line_bbox(const struct ag_line *l)
{
    struct ag_bbox b = ag_bbox_empty();
    for (size_t i = 0; i < l->n; i++)
        ag_bbox_extend(&b, l->pts[i].lon, l->pts[i].lat);
    return b;
}

int ag_report_map_new(struct ag_store *s, const struct ag_city *city, struct ag_report_map **out,
                      struct ag_error *err)
{
    struct ag_report_map *m = calloc(1, sizeof *m);
    if (!m)
        return ag_error_set(err, AG_ENOMEM, "out of memory");
    ag_vec_init(&m->edges, sizeof(struct ag_road_edge));
    ag_vec_init(&m->buildings, sizeof(struct ag_building));
    ag_vec_init(&m->barriers, sizeof(struct ag_barrier));
    int rc = ag_store_road_edges(s, city->id, &m->edges, err);
    if (!rc)
        rc = ag_store_buildings(s, city->id, &m->buildings, err);
    if (!rc)
        rc = ag_store_barriers(s, city->id, &m->barriers, err);
    if (!rc && (ag_index_new(&m->edge_ix) || ag_index_new(&m->building_ix) ||
                ag_index_new(&m->barrier_ix)))
        rc = ag_error_set(err, AG_ENOMEM, "out of memory");
    for (size_t i = 0; !rc && i < m->edges.len; i++)
        rc = ag_index_add(m->edge_ix, (int64_t)i,
                          line_bbox(&AG_VEC_AT(&m->edges, struct ag_road_edge, i).geom));
    for (size_t i = 0; !rc && i < m->buildings.len; i++)
        rc = ag_index_add(m->building_ix, (int64_t)i,
                          AG_VEC_AT(&m->buildings, struct ag_building, i).bbox);
    for (size_t i = 0; !rc && i < m->barriers.len; i++)
        rc = ag_index_add(m->barrier_ix, (int64_t)i,
                          line_bbox(&AG_VEC_AT(&m->barriers, struct ag_barrier, i).geom));
    if (!rc)
        rc = ag_index_build(m->edge_ix);
    if (!rc)
        rc = ag_index_build(m->building_ix);
    if (!rc)
        rc = ag_index_build(m->barrier_ix);
    if (rc) {
        if (err && !err->msg[0])
            ag_error_set(err, rc, "building the map index: %s", ag_strerror(rc));
        ag_report_map_free(m);
        return rc;
    }
    *out = m;
    return 0;
}

void ag_report_map_free(struct ag_report_map *m)
{
    if (!m)
        return;
    for (size_t i = 0; i < m->edges.len; i++)
        ag_road_edge_free(&AG_VEC_AT(&m->edges, struct ag_road_edge, i));
    for (size_t i = 0; i < m->buildings.len; i++)
        ag_building_free(&AG_VEC_AT(&m->buildings, struct ag_building, i));
    for (size_t i = 0; i < m->barriers.len; i++)
        ag_barrier_free(&AG_VEC_AT(&m->barriers, struct ag_barrier, i));
    ag_vec_free(&m->edges);
    ag_vec_free(&m->buildings);
    ag_vec_free(&m->barriers);
    ag_index_free(m->edge_ix);
    ag_index_free(m->building_ix);
    ag_index_free(m->barrier_ix);
    free(m);
}

/* The view: metres around the space centroid, y flipped for SVG. */
struct view {
    const struct ag_proj *proj;
    double cx, cy, scale, half;
    struct ag_buf *out;
};

static void pt(struct view *v, struct ag_ll ll, double *x, double *y)
{
    struct ag_xy p = ag_proj_fwd(v->proj, ll);
    *x = v->half + (p.x - v->cx) * v->scale;
    *y = v->half - (p.y - v->cy) * v->scale;
}

static int path_pts(struct view *v, const struct ag_ll *pts, size_t n, bool close)
{
    int rc = 0;
    for (size_t i = 0; i < n && !rc; i++) {
        double x, y;
        pt(v, pts[i], &x, &y);
        rc = ag_buf_printf(v->out, "%c%.1f %.1f", i ? 'L' : 'M', x, y);
    }
    if (!rc && close)
        rc = ag_buf_puts(v->out, "Z");
    return rc;
}

static int mpoly_path(struct view *v, const struct ag_mpoly *mp, const char *attrs)
{
    int rc = ag_buf_puts(v->out, "<path d=\"");
    for (size_t p = 0; p < mp->npolys && !rc; p++)
        for (size_t r = 0; r < mp->polys[p].nrings && !rc; r++)
            rc = path_pts(v, mp->polys[p].rings[r].pts, mp->polys[p].rings[r].n, true);
    if (!rc)
        rc = ag_buf_printf(v->out, "\" %s/>", attrs);
    return rc;
}

struct collect {
    struct ag_vec ids;
};

static int collect_cb(void *ud, int64_t id, struct ag_bbox box)
{
    (void)box;
    struct collect *c = ud;
    return ag_vec_push(&c->ids, &id) ? 0 : AG_ENOMEM;
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* Ids of the features whose boxes meet q, in index order so output is stable. */
static int query(const struct ag_index *ix, struct ag_bbox q, struct collect *c)
{
    c->ids.len = 0;
    int rc = ag_index_query(ix, q, collect_cb, c);
    if (!rc)
        qsort(c->ids.data, c->ids.len, sizeof(int64_t), cmp_i64);
    return rc;
}

int ag_report_map_svg(const struct ag_report_map *m, const struct ag_space *sp, double margin_m,
                      int size_px, struct ag_buf *out)
{
    struct ag_proj *proj;
    int rc = ag_proj_new(&proj, sp->centroid.lon, sp->centroid.lat, NULL);
    if (rc)
        return rc;
    /* Fit the space's box plus the margin into a square. */
    struct ag_xy lo = ag_proj_fwd(proj, (struct ag_ll){sp->bbox.minx, sp->bbox.miny});
    struct ag_xy hi = ag_proj_fwd(proj, (struct ag_ll){sp->bbox.maxx, sp->bbox.maxy});
    double cx = (lo.x + hi.x) / 2, cy = (lo.y + hi.y) / 2;
    double half_m = fmax(fabs(hi.x - lo.x), fabs(hi.y - lo.y)) / 2 + margin_m;
    struct view v = {proj, cx, cy, (size_px / 2.0) / half_m, size_px / 2.0, out};
    struct ag_ll qlo = ag_proj_inv(proj, (struct ag_xy){cx - half_m, cy - half_m});
    struct ag_ll qhi = ag_proj_inv(proj, (struct ag_xy){cx + half_m, cy + half_m});
    struct ag_bbox q = {qlo.lon, qlo.lat, qhi.lon, qhi.lat};
    struct collect c;
    ag_vec_init(&c.ids, sizeof(int64_t));
    rc = ag_buf_printf(out,
                       "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d %d\" "
                       "width=\"%d\" height=\"%d\" role=\"img\">"
                       "<rect width=\"%d\" height=\"%d\" class=\"bg\"/>",
                       size_px, size_px, size_px, size_px, size_px, size_px);
    if (!rc)
        rc = query(m->building_ix, q, &c);
    for (size_t i = 0; i < c.ids.len && !rc; i++) {
        const struct ag_building *b =
            &AG_VEC_AT(&m->buildings, struct ag_building, AG_VEC_AT(&c.ids, int64_t, i));
        rc = mpoly_path(&v, &b->geom, "class=\"bld\"");
    }
    if (!rc)
        rc = mpoly_path(&v, &sp->geom, "class=\"space\" fill-rule=\"evenodd\"");
    if (!rc)
        rc = query(m->edge_ix, q, &c);
    for (size_t i = 0; i < c.ids.len && !rc; i++) {
        const struct ag_road_edge *e =
            &AG_VEC_AT(&m->edges, struct ag_road_edge, AG_VEC_AT(&c.ids, int64_t, i));
        rc = ag_buf_puts(out, "<path d=\"");
        if (!rc)
            rc = path_pts(&v, e->geom.pts, e->geom.n, false);
        if (!rc)
            rc = ag_buf_printf(out, "\" class=\"road\" stroke-width=\"%.1f\"/>",
                               fmax(0.8, e->width_m * v.scale));
    }
    if (!rc)
        rc = query(m->barrier_ix, q, &c);
    for (size_t i = 0; i < c.ids.len && !rc; i++) {
        const struct ag_barrier *b =
            &AG_VEC_AT(&m->barriers, struct ag_barrier, AG_VEC_AT(&c.ids, int64_t, i));
        if (!b->blocks_vehicle)
            continue;
        if (b->geom.n == 1) {
            double x, y;
            pt(&v, b->geom.pts[0], &x, &y);
            rc = ag_buf_printf(out, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"2.2\" class=\"bar\"/>", x, y);
        } else {
            rc = ag_buf_puts(out, "<path d=\"");
            if (!rc)
                rc = path_pts(&v, b->geom.pts, b->geom.n, false);
            if (!rc)
                rc = ag_buf_puts(out, "\" class=\"barl\"/>");
        }
    }
    /* Scale bar: the largest round length under a third of the map. */
    if (!rc) {
        static const double steps[] = {5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000};
        double want = 2 * half_m / 3, len = steps[0];
        for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++)
            if (steps[i] <= want)
                len = steps[i];
        double px = len * v.scale;
        rc = ag_buf_printf(out,
                           "<path d=\"M8 %d h%.1f\" class=\"scale\"/>"
                           "<text x=\"8\" y=\"%d\" class=\"scalet\">%.0f m</text>",
                           size_px - 8, px, size_px - 12, len);
    }
    if (!rc)
        rc = ag_buf_puts(out, "</svg>");
    ag_vec_free(&c.ids);
    ag_proj_free(proj);
    return rc;
}
