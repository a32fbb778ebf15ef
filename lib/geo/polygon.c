/* Polygons and lines: ownership helpers, planar measures in metres, and the
 * measures of a lon/lat multipolygon in a local projection.
 * SPDX-License-Identifier: EUPL-1.2 */
#include "agora/geo.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- ownership ---- */

void ag_mpoly_free(struct ag_mpoly *mp)
{
    if (!mp)
        return;
    for (size_t i = 0; i < mp->npolys; i++) {
        struct ag_polygon *pg = &mp->polys[i];
        for (size_t r = 0; r < pg->nrings; r++)
            free(pg->rings[r].pts);
        free(pg->rings);
    }
    free(mp->polys);
    mp->polys = NULL;
    mp->npolys = 0;
}

void ag_line_free(struct ag_line *l)
{
    if (!l)
        return;
    free(l->pts);
    l->pts = NULL;
    l->n = 0;
}

static int copy_points(struct ag_ll **dst, const struct ag_ll *src, size_t n)
{
    *dst = NULL;
    if (n == 0)
        return 0;
    if (n > SIZE_MAX / sizeof **dst)
        return AG_ENOMEM;
    *dst = malloc(n * sizeof **dst);
    if (!*dst)
        return AG_ENOMEM;
    memcpy(*dst, src, n * sizeof **dst);
    return 0;
}

int ag_mpoly_copy(struct ag_mpoly *dst, const struct ag_mpoly *src)
{
    if (!dst || !src || dst == src)
        return AG_EINVAL;
    memset(dst, 0, sizeof *dst);
    if (src->npolys == 0)
        return 0;
    dst->polys = calloc(src->npolys, sizeof *dst->polys);
    if (!dst->polys)
        return AG_ENOMEM;
    /* npolys grows with each polygon that is fully allocated (or zeroed), so
     * ag_mpoly_free can undo a partial copy. */
    for (size_t i = 0; i < src->npolys; i++) {
        const struct ag_polygon *sp = &src->polys[i];
        struct ag_polygon *dp = &dst->polys[i];
        dst->npolys = i + 1;
        if (sp->nrings == 0)
            continue;
        dp->rings = calloc(sp->nrings, sizeof *dp->rings);
        if (!dp->rings)
            goto oom;
        dp->nrings = sp->nrings;
        for (size_t r = 0; r < sp->nrings; r++) {
            if (copy_points(&dp->rings[r].pts, sp->rings[r].pts,
                            sp->rings[r].n))
                goto oom;
            dp->rings[r].n = sp->rings[r].n;
        }
    }
    return 0;
oom:
    ag_mpoly_free(dst);
    return AG_ENOMEM;
}

int ag_mpoly_add_ring_polygon(struct ag_mpoly *mp, const struct ag_ll *pts,
                              size_t n)
{
    if (!mp || !pts || n == 0)
        return AG_EINVAL;
    if (mp->npolys >= SIZE_MAX / sizeof *mp->polys - 1)
        return AG_ENOMEM;
    struct ag_ring ring = {0};
    if (copy_points(&ring.pts, pts, n))
        return AG_ENOMEM;
    ring.n = n;
    struct ag_ring *rings = malloc(sizeof *rings);
    if (!rings) {
        free(ring.pts);
        return AG_ENOMEM;
    }
    rings[0] = ring;
    /* Grown one at a time: other code (the GeoJSON reader, ag_mpoly_copy)
     * allocates polys to the exact count, so no spare capacity can be
     * assumed. */
    struct ag_polygon *polys =
        realloc(mp->polys, (mp->npolys + 1) * sizeof *polys);
    if (!polys) {
        free(ring.pts);
        free(rings);
        return AG_ENOMEM;
    }
    mp->polys = polys;
    mp->polys[mp->npolys++] = (struct ag_polygon){rings, 1};
    return 0;
}

/* ---- boxes ---- */

struct ag_bbox ag_bbox_empty(void)
{
    /* Inverted infinite bounds: the first extend sets both ends, and an
     * empty box intersects nothing because every comparison fails. */
    return (struct ag_bbox){INFINITY, INFINITY, -INFINITY, -INFINITY};
}

void ag_bbox_extend(struct ag_bbox *b, double x, double y)
{
    if (x < b->minx)
        b->minx = x;
    if (x > b->maxx)
        b->maxx = x;
    if (y < b->miny)
        b->miny = y;
    if (y > b->maxy)
        b->maxy = y;
}

bool ag_bbox_intersects(struct ag_bbox a, struct ag_bbox b)
{
    return a.minx <= b.maxx && b.minx <= a.maxx && a.miny <= b.maxy &&
           b.miny <= a.maxy;
}

struct ag_bbox ag_mpoly_bbox(const struct ag_mpoly *mp)
{
    struct ag_bbox b = ag_bbox_empty();
    if (!mp)
        return b;
    for (size_t i = 0; i < mp->npolys; i++)
        for (size_t r = 0; r < mp->polys[i].nrings; r++) {
            const struct ag_ring *ring = &mp->polys[i].rings[r];
            for (size_t k = 0; k < ring->n; k++)
                ag_bbox_extend(&b, ring->pts[k].lon, ring->pts[k].lat);
        }
    return b;
}

/* ---- planar measures ---- */

double ag_xy_dist(struct ag_xy a, struct ag_xy b)
{
    return hypot(b.x - a.x, b.y - a.y);
}

double ag_xy_path_length(const struct ag_xy *pts, size_t n)
{
    double len = 0;
    for (size_t i = 0; i + 1 < n; i++)
        len += ag_xy_dist(pts[i], pts[i + 1]);
    return len;
}

/* Shoelace formula (Gauss's area formula). Coordinates are taken relative to
 * the first vertex so that the products stay small: rings far from the
 * projection origin would otherwise lose digits to cancellation. The sum
 * runs over every edge including pts[n-1] -> pts[0], which is empty for a
 * closed ring and closes an open one. */
double ag_xy_ring_area_signed(const struct ag_xy *pts, size_t n)
{
    if (n < 3)
        return 0;
    double x0 = pts[0].x, y0 = pts[0].y, s = 0;
    for (size_t i = 0; i < n; i++) {
        size_t j = i + 1 < n ? i + 1 : 0;
        double xi = pts[i].x - x0, yi = pts[i].y - y0;
        double xj = pts[j].x - x0, yj = pts[j].y - y0;
        s += xi * yj - xj * yi;
    }
    return s / 2;
}

/* Area centroid of a polygon: Cx = 1/(6A) sum (xi + xj)(xi yj - xj yi), and
 * likewise for y (P. Bourke, "Calculating the area and centroid of a
 * polygon", 1988; it is Green's theorem applied to x and y). Relative to the
 * first vertex for the same reason as the shoelace sum above. */
struct ag_xy ag_xy_ring_centroid(const struct ag_xy *pts, size_t n)
{
    if (n == 0)
        return (struct ag_xy){NAN, NAN};
    double x0 = pts[0].x, y0 = pts[0].y;
    double a2 = 0, cx = 0, cy = 0;
    for (size_t i = 0; i < n; i++) {
        size_t j = i + 1 < n ? i + 1 : 0;
        double xi = pts[i].x - x0, yi = pts[i].y - y0;
        double xj = pts[j].x - x0, yj = pts[j].y - y0;
        double cross = xi * yj - xj * yi;
        a2 += cross;
        cx += (xi + xj) * cross;
        cy += (yi + yj) * cross;
    }
    /* "Zero" relative to the ring's size: a collinear ring leaves rounding
     * residue in a2 that would send the quotient anywhere. */
    double scale = 0;
    for (size_t i = 0; i < n; i++) {
        double dx = fabs(pts[i].x - x0), dy = fabs(pts[i].y - y0);
        if (dx > scale)
            scale = dx;
        if (dy > scale)
            scale = dy;
    }
    if (fabs(a2) > 64 * DBL_EPSILON * scale * scale * (double)n)
        return (struct ag_xy){x0 + cx / (3 * a2), y0 + cy / (3 * a2)};

    /* Degenerate ring: mean of the vertices, the closing duplicate of a
     * closed ring counted once. */
    size_t m = n;
    if (m > 1 && pts[m - 1].x == pts[0].x && pts[m - 1].y == pts[0].y)
        m--;
    double sx = 0, sy = 0;
    for (size_t i = 0; i < m; i++) {
        sx += pts[i].x - x0;
        sy += pts[i].y - y0;
    }
    return (struct ag_xy){x0 + sx / (double)m, y0 + sy / (double)m};
}

/* Twice the signed area of triangle a-b-c: positive when c lies to the left
 * of a->b. */
static double orient(struct ag_xy a, struct ag_xy b, struct ag_xy c)
{
    return (b.x - a.x) * (c.y - a.y) - (b.y - a.y) * (c.x - a.x);
}

double ag_xy_seg_dist(struct ag_xy p, struct ag_xy a, struct ag_xy b)
{
    double dx = b.x - a.x, dy = b.y - a.y;
    double len2 = dx * dx + dy * dy;
    if (len2 == 0)
        return ag_xy_dist(p, a);
    /* Parameter of the orthogonal projection of p on the line, clamped to
     * the segment. */
    double t = ((p.x - a.x) * dx + (p.y - a.y) * dy) / len2;
    if (t <= 0)
        return ag_xy_dist(p, a);
    if (t >= 1)
        return ag_xy_dist(p, b);
    return ag_xy_dist(p, (struct ag_xy){a.x + t * dx, a.y + t * dy});
}

/* Whether p lies on segment a-b up to the rounding of coordinates of this
 * magnitude, so that a boundary point computed by arithmetic (a midpoint, an
 * intersection) still counts as on the boundary. */
static bool on_segment(struct ag_xy p, struct ag_xy a, struct ag_xy b)
{
    double mag =
        fabs(a.x) + fabs(a.y) + fabs(b.x) + fabs(b.y) + fabs(p.x) + fabs(p.y);
    return ag_xy_seg_dist(p, a, b) <= 8 * DBL_EPSILON * mag;
}

/* Crossing-number test (W. R. Franklin, PNPOLY): a ray from p towards +x
 * crosses the boundary an odd number of times when p is inside. The
 * half-open rule (yi > p.y) != (yj > p.y) counts a vertex on the ray once.
 * Boundary points are found first, since the parity test is arbitrary
 * there. */
bool ag_xy_ring_contains(const struct ag_xy *pts, size_t n, struct ag_xy p)
{
    if (n == 0)
        return false;
    for (size_t i = 0; i < n; i++) {
        size_t j = i + 1 < n ? i + 1 : 0;
        if (on_segment(p, pts[i], pts[j]))
            return true;
    }
    bool inside = false;
    for (size_t i = 0; i < n; i++) {
        size_t j = i + 1 < n ? i + 1 : 0;
        struct ag_xy a = pts[i], b = pts[j];
        if ((a.y > p.y) != (b.y > p.y)) {
            double x = a.x + (p.y - a.y) * (b.x - a.x) / (b.y - a.y);
            if (p.x < x)
                inside = !inside;
        }
    }
    return inside;
}

static bool in_box(struct ag_xy p, struct ag_xy a, struct ag_xy b)
{
    return fmin(a.x, b.x) <= p.x && p.x <= fmax(a.x, b.x) &&
           fmin(a.y, b.y) <= p.y && p.y <= fmax(a.y, b.y);
}

/* Classic orientation-based segment test (Cormen et al., Introduction to
 * Algorithms, §33.1): the segments cross properly when each one's endpoints
 * lie strictly on opposite sides of the other; otherwise they can only meet
 * at an endpoint lying on the other segment, or overlap when all four
 * points are collinear. */
int ag_seg_intersect(struct ag_xy a, struct ag_xy b, struct ag_xy c,
                     struct ag_xy d, struct ag_xy *at)
{
    double d1 = orient(c, d, a), d2 = orient(c, d, b);
    double d3 = orient(a, b, c), d4 = orient(a, b, d);
    struct ag_xy dummy;
    if (!at)
        at = &dummy;

    if (((d1 > 0 && d2 < 0) || (d1 < 0 && d2 > 0)) &&
        ((d3 > 0 && d4 < 0) || (d3 < 0 && d4 > 0))) {
        /* a and b are at signed distances proportional to d1 and d2 from
         * line c-d, so the crossing divides a-b in the ratio d1 : -d2. */
        double t = d1 / (d1 - d2);
        at->x = a.x + t * (b.x - a.x);
        at->y = a.y + t * (b.y - a.y);
        return 1;
    }

    if (d1 == 0 && d2 == 0 && d3 == 0 && d4 == 0) {
        /* Collinear (or degenerate): compare the intervals along the axis in
         * which the four points spread most, where the order along the
         * common line is preserved. */
        double minx = fmin(fmin(a.x, b.x), fmin(c.x, d.x));
        double maxx = fmax(fmax(a.x, b.x), fmax(c.x, d.x));
        double miny = fmin(fmin(a.y, b.y), fmin(c.y, d.y));
        double maxy = fmax(fmax(a.y, b.y), fmax(c.y, d.y));
        bool use_x = maxx - minx >= maxy - miny;
        double ta = use_x ? a.x : a.y, tb = use_x ? b.x : b.y;
        double tc = use_x ? c.x : c.y, td = use_x ? d.x : d.y;
        double lo = fmax(fmin(ta, tb), fmin(tc, td));
        double hi = fmin(fmax(ta, tb), fmax(tc, td));
        if (lo > hi)
            return 0;
        /* Any endpoint inside [lo, hi] belongs to both segments. */
        const struct ag_xy cand[4] = {a, b, c, d};
        const double t[4] = {ta, tb, tc, td};
        for (int i = 0; i < 4; i++)
            if (t[i] >= lo && t[i] <= hi) {
                *at = cand[i];
                break;
            }
        return lo < hi ? 2 : 1;
    }

    /* Touching: one endpoint lies on the other segment. */
    if (d1 == 0 && in_box(a, c, d)) {
        *at = a;
        return 1;
    }
    if (d2 == 0 && in_box(b, c, d)) {
        *at = b;
        return 1;
    }
    if (d3 == 0 && in_box(c, a, b)) {
        *at = c;
        return 1;
    }
    if (d4 == 0 && in_box(d, a, b)) {
        *at = d;
        return 1;
    }
    return 0;
}

/* ---- measures of lon/lat geometry ---- */

/* Projects ring (or line) points into *buf, growing it as needed. Returns 0,
 * AG_ENOMEM, or AG_EPROJ with *bad set to the index of the first point that
 * could not be projected. */
static int project_points(const struct ag_proj *proj, const struct ag_ll *pts,
                          size_t n, struct ag_xy **buf, size_t *cap,
                          size_t *bad)
{
    if (n > *cap) {
        if (n > SIZE_MAX / sizeof **buf)
            return AG_ENOMEM;
        struct ag_xy *nb = realloc(*buf, n * sizeof **buf);
        if (!nb)
            return AG_ENOMEM;
        *buf = nb;
        *cap = n;
    }
    for (size_t i = 0; i < n; i++) {
        (*buf)[i] = ag_proj_fwd(proj, pts[i]);
        if (!isfinite((*buf)[i].x) || !isfinite((*buf)[i].y)) {
            if (bad)
                *bad = i;
            return AG_EPROJ;
        }
    }
    return 0;
}

int ag_mpoly_measure(const struct ag_mpoly *mp, const struct ag_proj *proj,
                     struct ag_measure *out, struct ag_error *err)
{
    if (!mp || !proj || !out)
        return ag_error_set(err, AG_EINVAL, "ag_mpoly_measure: NULL argument");
    memset(out, 0, sizeof *out);
    out->bbox = ag_mpoly_bbox(mp);
    out->centroid = (struct ag_ll){NAN, NAN};

    struct ag_xy *xy = NULL;
    size_t cap = 0, nverts = 0;
    /* Centroid of the whole: the area-weighted mean of ring centroids, with
     * holes weighing negatively (centroids of composite figures). Vertex
     * sums back the degenerate case. */
    double area = 0, perim = 0, wx = 0, wy = 0, w = 0, vx = 0, vy = 0;
    for (size_t i = 0; i < mp->npolys; i++) {
        const struct ag_polygon *pg = &mp->polys[i];
        for (size_t r = 0; r < pg->nrings; r++) {
            const struct ag_ring *ring = &pg->rings[r];
            size_t bad = 0;
            int rc = project_points(proj, ring->pts, ring->n, &xy, &cap, &bad);
            if (rc == AG_ENOMEM) {
                free(xy);
                return ag_error_set(err, AG_ENOMEM, "out of memory");
            }
            if (rc) {
                free(xy);
                return ag_error_set(
                    err, AG_EPROJ,
                    "vertex %zu of ring %zu of polygon %zu (%.6f %.6f) cannot "
                    "be projected",
                    bad + 1, r + 1, i + 1, ring->pts[bad].lon,
                    ring->pts[bad].lat);
            }
            double a = fabs(ag_xy_ring_area_signed(xy, ring->n));
            double sign = r == 0 ? 1 : -1;
            area += sign * a;
            perim += ag_xy_path_length(xy, ring->n);
            if (a > 0) {
                struct ag_xy c = ag_xy_ring_centroid(xy, ring->n);
                wx += sign * a * c.x;
                wy += sign * a * c.y;
                w += sign * a;
            }
            for (size_t k = 0; k < ring->n; k++) {
                vx += xy[k].x;
                vy += xy[k].y;
            }
            nverts += ring->n;
        }
    }
    free(xy);
    if (nverts == 0)
        return ag_error_set(err, AG_EEMPTY, "multipolygon has no vertices");

    struct ag_xy c;
    if (w > 0)
        c = (struct ag_xy){wx / w, wy / w};
    else
        c = (struct ag_xy){vx / (double)nverts, vy / (double)nverts};
    out->area_m2 = area;
    out->perimeter_m = perim;
    out->centroid = ag_proj_inv(proj, c);
    return 0;
}

double ag_line_length(const struct ag_line *l, const struct ag_proj *proj)
{
    if (!l || !proj)
        return NAN;
    double len = 0;
    struct ag_xy prev = {0, 0};
    for (size_t i = 0; i < l->n; i++) {
        struct ag_xy cur = ag_proj_fwd(proj, l->pts[i]);
        if (i > 0)
            len += ag_xy_dist(prev, cur);
        prev = cur;
    }
    return len;
}

static void reverse_ring(struct ag_ring *ring)
{
    for (size_t i = 0, j = ring->n ? ring->n - 1 : 0; i < j; i++, j--) {
        struct ag_ll t = ring->pts[i];
        ring->pts[i] = ring->pts[j];
        ring->pts[j] = t;
    }
}

void ag_mpoly_orient(struct ag_mpoly *mp, const struct ag_proj *proj)
{
    if (!mp)
        return;
    struct ag_xy *xy = NULL;
    size_t cap = 0;
    for (size_t i = 0; i < mp->npolys; i++) {
        struct ag_polygon *pg = &mp->polys[i];
        for (size_t r = 0; r < pg->nrings; r++) {
            struct ag_ring *ring = &pg->rings[r];
            double a;
            if (proj) {
                if (project_points(proj, ring->pts, ring->n, &xy, &cap, NULL))
                    continue; /* cannot tell; leave the ring as it is */
                a = ag_xy_ring_area_signed(xy, ring->n);
            } else {
                /* Without a projection, lon/lat as a plane: orientation
                 * survives any locally conformal map. */
                a = 0;
                size_t n = ring->n;
                for (size_t k = 0; n >= 3 && k < n; k++) {
                    size_t j = k + 1 < n ? k + 1 : 0;
                    a += (ring->pts[k].lon - ring->pts[0].lon) *
                             (ring->pts[j].lat - ring->pts[0].lat) -
                         (ring->pts[j].lon - ring->pts[0].lon) *
                             (ring->pts[k].lat - ring->pts[0].lat);
                }
            }
            if ((r == 0 && a < 0) || (r > 0 && a > 0))
                reverse_ring(ring);
        }
    }
    free(xy);
}
