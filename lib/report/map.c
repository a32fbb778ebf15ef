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

const struct ag_vec *ag__report_map_buildings(const struct ag_report_map *m)
{
    return &m->buildings;
}

const struct ag_vec *ag__report_map_edges(const struct ag_report_map *m)
{
    return &m->edges;
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

/* Points closer than this to the last one written are left out: at city
 * scale a building drawn with 40 nodes may cover a few pixels. */
#define MIN_STEP_PX 0.6

static int path_pts(struct view *v, const struct ag_ll *pts, size_t n, bool close)
{
    int rc = 0;
    double lx = 0, ly = 0;
    for (size_t i = 0; i < n && !rc; i++) {
        double x, y;
        pt(v, pts[i], &x, &y);
        if (i && i + 1 < n && fabs(x - lx) < MIN_STEP_PX && fabs(y - ly) < MIN_STEP_PX)
            continue;
        rc = ag_buf_printf(v->out, "%c%.1f %.1f", i ? 'L' : 'M', x, y);
        lx = x;
        ly = y;
    }
    if (!rc && close)
        rc = ag_buf_puts(v->out, "Z");
    return rc;
}

/* Liang-Barsky: clips the segment a..b to [lo, hi]², giving the parameters
 * of the part inside; false when nothing is. */
static bool clip_seg(double ax, double ay, double bx, double by, double lo, double hi, double *t0,
                     double *t1)
{
    double dx = bx - ax, dy = by - ay;
    double p[4] = {-dx, dx, -dy, dy};
    double q[4] = {ax - lo, hi - ax, ay - lo, hi - ay};
    *t0 = 0;
    *t1 = 1;
    for (int i = 0; i < 4; i++) {
        if (p[i] == 0) {
            if (q[i] < 0)
                return false;
            continue;
        }
        double r = q[i] / p[i];
        if (p[i] < 0) {
            if (r > *t1)
                return false;
            if (r > *t0)
                *t0 = r;
        } else {
            if (r < *t0)
                return false;
            if (r < *t1)
                *t1 = r;
        }
    }
    return true;
}

/* A polyline clipped to the map (with a little slack so that round caps at
 * the border are not cut); writes nothing when no part is inside. */
static int clipped_path_d(struct view *v, const struct ag_ll *pts, size_t n, struct ag_buf *d)
{
    double lo = -6, hi = 2 * v->half + 6;
    double px = 0, py = 0;
    bool pen = false; /* the last point written is the end of the previous segment */
    int rc = 0;
    if (n == 1) {
        pt(v, pts[0], &px, &py);
        if (px >= lo && px <= hi && py >= lo && py <= hi)
            rc = ag_buf_printf(d, "M%.1f %.1fh0", px, py);
        return rc;
    }
    if (n)
        pt(v, pts[0], &px, &py);
    for (size_t i = 1; i < n && !rc; i++) {
        double x, y, t0, t1;
        pt(v, pts[i], &x, &y);
        if (clip_seg(px, py, x, y, lo, hi, &t0, &t1)) {
            double sx = px + t0 * (x - px), sy = py + t0 * (y - py);
            double ex = px + t1 * (x - px), ey = py + t1 * (y - py);
            if (!pen || t0 > 0)
                rc = ag_buf_printf(d, "M%.1f %.1f", sx, sy);
            if (!rc)
                rc = ag_buf_printf(d, "L%.1f %.1f", ex, ey);
            pen = t1 >= 1;
        } else {
            pen = false;
        }
        px = x;
        py = y;
    }
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

/* Ids of the features whose boxes meet q, in index order so output is stable. */
static int query(const struct ag_index *ix, struct ag_bbox q, struct collect *c)
{
    c->ids.len = 0;
    int rc = ag_index_query(ix, q, collect_cb, c);
    if (!rc)
        ag_vec_sort_i64(&c->ids);
    return rc;
}

static int put_title(struct ag_buf *out, const char *title)
{
    if (!title || !title[0])
        return 0;
    int rc = ag_buf_puts(out, "<title>");
    if (!rc)
        rc = ag_buf_put_html(out, title);
    if (!rc)
        rc = ag_buf_puts(out, "</title>");
    return rc;
}

/* The overlay's lines: a dark casing under all of them, so that light
 * colours read on the pale map, then each line in its colour. */
static int draw_lines(struct view *v, const struct ag_report_overlay *ov)
{
    struct ag_buf d;
    ag_buf_init(&d, (size_t)64 << 20);
    int rc = 0;
    for (int pass = 0; pass < 2 && !rc; pass++) {
        for (size_t i = 0; i < ov->nlines && !rc; i++) {
            const struct ag_report_line *l = &ov->lines[i];
            ag_buf_reset(&d);
            rc = clipped_path_d(v, l->pts, l->n, &d);
            if (rc || !d.len)
                continue;
            rc = ag_buf_printf(v->out, "<path d=\"%s\" class=\"%s\"", d.data,
                               pass ? "ap" : "apc");
            if (!rc && pass) {
                rc = ag_buf_puts(v->out, " stroke=\"");
                if (!rc)
                    rc = ag_buf_put_html(v->out, l->color ? l->color : "#000");
                if (!rc)
                    rc = ag_buf_puts(v->out, "\">");
                if (!rc)
                    rc = put_title(v->out, l->title);
                if (!rc)
                    rc = ag_buf_puts(v->out, "</path>");
            } else if (!rc) {
                rc = ag_buf_puts(v->out, "/>");
            }
        }
    }
    ag_buf_free(&d);
    return rc;
}

#define MAX_PLACED 256
#define LABEL_GAP_PX 18.0

/* Where a label of a point at x, y goes: on the point when no label placed
 * so far is in the way, else the nearest free spot on rings around it. */
static void place_label(double (*placed)[2], size_t nplaced, double x, double y, int size_px,
                        double *lx, double *ly)
{
    for (int ring = 0; ring <= 4; ring++) {
        int steps = ring ? 8 * ring : 1;
        for (int k = 0; k < steps; k++) {
            double a = 2 * M_PI * k / steps - M_PI / 2;
            double cx = x + ring * LABEL_GAP_PX * cos(a), cy = y + ring * LABEL_GAP_PX * sin(a);
            if (ring && (cx < 10 || cy < 10 || cx > size_px - 10 || cy > size_px - 10))
                continue;
            bool free_spot = true;
            for (size_t i = 0; i < nplaced && free_spot; i++)
                free_spot = hypot(placed[i][0] - cx, placed[i][1] - cy) >= LABEL_GAP_PX;
            if (free_spot) {
                *lx = cx;
                *ly = cy;
                return;
            }
        }
    }
    *lx = x;
    *ly = y;
}

/* Marks by kind, starts under bends under labels; marks off the map are
 * left out. */
static int draw_marks(struct view *v, const struct ag_report_overlay *ov, int size_px)
{
    double placed[MAX_PLACED][2];
    size_t nplaced = 0;
    static const enum ag_report_mark_kind order[] = {AG_REPORT_MARK_START, AG_REPORT_MARK_BEND,
                                                      AG_REPORT_MARK_LABEL};
    int rc = 0;
    for (size_t o = 0; o < 3 && !rc; o++) {
        for (size_t i = 0; i < ov->nmarks && !rc; i++) {
            const struct ag_report_mark *mk = &ov->marks[i];
            if (mk->kind != order[o])
                continue;
            double x, y;
            pt(v, mk->ll, &x, &y);
            if (!(x >= 0 && x <= size_px && y >= 0 && y <= size_px))
                continue;
            switch (mk->kind) {
            case AG_REPORT_MARK_START:
                rc = ag_buf_printf(v->out, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3.5\" class=\"mst\">",
                                   x, y);
                if (!rc)
                    rc = put_title(v->out, mk->title);
                if (!rc)
                    rc = ag_buf_puts(v->out, "</circle>");
                break;
            case AG_REPORT_MARK_BEND:
                rc = ag_buf_printf(v->out,
                                   "<path d=\"M%.1f %.1fl5.5 5.5l-5.5 5.5l-5.5 -5.5z\" class=\"mbend\">",
                                   x, y - 5.5);
                if (!rc)
                    rc = put_title(v->out, mk->title);
                if (!rc)
                    rc = ag_buf_puts(v->out, "</path>");
                break;
            case AG_REPORT_MARK_LABEL: {
                double lx, ly;
                place_label(placed, nplaced, x, y, size_px, &lx, &ly);
                if (nplaced < MAX_PLACED) {
                    placed[nplaced][0] = lx;
                    placed[nplaced++][1] = ly;
                }
                rc = ag_buf_puts(v->out, "<g class=\"mlab\">");
                /* A label moved off a crowded point keeps a leader to it. */
                if (!rc && (lx != x || ly != y))
                    rc = ag_buf_printf(v->out,
                                       "<path d=\"M%.1f %.1fL%.1f %.1f\" class=\"mlead\"/>"
                                       "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"2.5\" class=\"mdot\"/>",
                                       x, y, lx, ly, x, y);
                if (!rc)
                    rc = ag_buf_printf(v->out,
                                       "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"8.5\"/>"
                                       "<text x=\"%.1f\" y=\"%.1f\">",
                                       lx, ly, lx, ly + 3.6);
                if (!rc)
                    rc = ag_buf_put_html(v->out, mk->label ? mk->label : "");
                if (!rc)
                    rc = ag_buf_puts(v->out, "</text>");
                if (!rc)
                    rc = put_title(v->out, mk->title);
                if (!rc)
                    rc = ag_buf_puts(v->out, "</g>");
                break;
            }
            }
        }
    }
    return rc;
}

static void extend_clamped(double *b, struct ag_xy p, const double *lim)
{
    double x = fmin(fmax(p.x, lim[0]), lim[2]), y = fmin(fmax(p.y, lim[1]), lim[3]);
    b[0] = fmin(b[0], x);
    b[1] = fmin(b[1], y);
    b[2] = fmax(b[2], x);
    b[3] = fmax(b[3], y);
}

int ag_report_map_svg(const struct ag_report_map *m, const struct ag_space *sp, double margin_m,
                      int size_px, struct ag_buf *out)
{
    return ag_report_map_svg_overlay(m, sp, margin_m, size_px, NULL, out);
}

int ag_report_map_svg_overlay(const struct ag_report_map *m, const struct ag_space *sp,
                              double margin_m, int size_px, const struct ag_report_overlay *ov,
                              struct ag_buf *out)
{
    struct ag_proj *proj;
    int rc = ag_proj_new(&proj, sp->centroid.lon, sp->centroid.lat, NULL);
    if (rc)
        return rc;
    /* Fit the space's box, the overlay (up to fit_max_m beyond the space)
     * and the margin into a square. */
    struct ag_xy lo = ag_proj_fwd(proj, (struct ag_ll){sp->bbox.minx, sp->bbox.miny});
    struct ag_xy hi = ag_proj_fwd(proj, (struct ag_ll){sp->bbox.maxx, sp->bbox.maxy});
    double box[4] = {fmin(lo.x, hi.x), fmin(lo.y, hi.y), fmax(lo.x, hi.x), fmax(lo.y, hi.y)};
    if (ov && ov->fit_max_m > 0) {
        double f = ov->fit_max_m;
        double lim[4] = {box[0] - f, box[1] - f, box[2] + f, box[3] + f};
        for (size_t i = 0; i < ov->nlines; i++)
            for (size_t k = 0; k < ov->lines[i].n; k++)
                extend_clamped(box, ag_proj_fwd(proj, ov->lines[i].pts[k]), lim);
        for (size_t i = 0; i < ov->nmarks; i++)
            extend_clamped(box, ag_proj_fwd(proj, ov->marks[i].ll), lim);
    }
    double cx = (box[0] + box[2]) / 2, cy = (box[1] + box[3]) / 2;
    double half_m = fmax(box[2] - box[0], box[3] - box[1]) / 2 + margin_m;
    if (!(half_m > 0))
        half_m = 1;
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
    /* Buildings in one path: a city-scale map holds thousands. */
    if (!rc)
        rc = query(m->building_ix, q, &c);
    if (!rc && c.ids.len)
        rc = ag_buf_puts(out, "<path d=\"");
    for (size_t i = 0; i < c.ids.len && !rc; i++) {
        const struct ag_building *b =
            &AG_VEC_AT(&m->buildings, struct ag_building, AG_VEC_AT(&c.ids, int64_t, i));
        for (size_t p = 0; p < b->geom.npolys && !rc; p++)
            for (size_t r = 0; r < b->geom.polys[p].nrings && !rc; r++)
                rc = path_pts(&v, b->geom.polys[p].rings[r].pts, b->geom.polys[p].rings[r].n, true);
    }
    if (!rc && c.ids.len)
        rc = ag_buf_puts(out, "\" class=\"bld\" fill-rule=\"evenodd\"/>");
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
    if (!rc && ov)
        rc = draw_lines(&v, ov);
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
    if (!rc && ov)
        rc = draw_marks(&v, ov, size_px);
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
