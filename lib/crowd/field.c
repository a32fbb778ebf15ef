/* Floor fields for the crowd simulation: the walkable area on a grid, the
 * walls with the exits cut out of them, and the walking distance to the
 * exits solved by fast marching.
 *
 * The field phi solves |grad phi| = 1 / F on the walkable cells with
 * phi = (distance to the exit segment) on the cells at the exit, by the
 * fast marching method of Sethian (1996, "A fast marching level set method
 * for monotonically advancing fronts", PNAS 93:1591) with the first-order
 * upwind discretisation. F = f + (1 - f) min(1, d_wall / c) slows the front
 * within c of a wall, so that the descent direction keeps agents off walls
 * and away from the corners they turn around (the "wall avoidance" of floor
 * field routers); where no wall is near, phi is the walking distance.
 *
 * The congestion-aware field (ag_crowd_sim_params.dyn) marches the same
 * front on a coarse grid, at speed 1 and at the crowd's relative speed
 * (sim.c), and keeps the difference, the delay that congestion adds, and
 * its gradient for the agents' desired direction (docs/methodology.md
 * §16.2, "Congestion").
 * SPDX-License-Identifier: EUPL-1.2 */
#include "sim_internal.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MAX_CELLS ((size_t)64 * 1024 * 1024)
/* An exit opens the walls within this distance of its segment (crowd.h
 * lets an exit lie up to 0.5 m off the boundary). */
#define EXIT_TOL_M 0.55

void ag_crowd_nav_defaults(struct ag_crowd_nav_params *p)
{
    p->cell_m = 0.1;
    p->clearance_m = 0.4;
    p->wall_speed = 0.25;
}

static double orient(struct ag_xy a, struct ag_xy b, struct ag_xy c)
{
    return (b.x - a.x) * (c.y - a.y) - (b.y - a.y) * (c.x - a.x);
}

/* ---- walls ---- */

/* Cuts out of [0,1] (the edge e0 + t (e1 - e0)) the part inside the
 * rectangle of exit x: 0 < u < 1 along the exit and |w| <= tol across it
 * (Liang-Barsky clipping in the exit's frame). */
static bool clip_to_exit(struct ag_xy e0, struct ag_xy e1, const struct ag__crowd_exit *x,
                         double *t0, double *t1)
{
    double ex = x->b.x - x->a.x, ey = x->b.y - x->a.y;
    double len = hypot(ex, ey);
    if (len <= 0)
        return false;
    ex /= len;
    ey /= len;
    /* u in metres along the exit, w across */
    double u0 = (e0.x - x->a.x) * ex + (e0.y - x->a.y) * ey;
    double w0 = -(e0.x - x->a.x) * ey + (e0.y - x->a.y) * ex;
    double du = (e1.x - e0.x) * ex + (e1.y - e0.y) * ey;
    double dw = -(e1.x - e0.x) * ey + (e1.y - e0.y) * ex;
    double lo = 0, hi = 1;
    const double eps = 1e-6;
    const double pp[4] = {-du, du, -dw, dw};
    const double qq[4] = {u0 - eps, (len - eps) - u0, w0 + EXIT_TOL_M, EXIT_TOL_M - w0};
    for (int i = 0; i < 4; i++) {
        if (pp[i] == 0) {
            if (qq[i] < 0)
                return false;
            continue;
        }
        double r = qq[i] / pp[i];
        if (pp[i] < 0) {
            if (r > lo)
                lo = r;
        } else if (r < hi) {
            hi = r;
        }
    }
    if (lo >= hi)
        return false;
    *t0 = lo;
    *t1 = hi;
    return true;
}

static int push_seg(struct ag_crowd_nav *nav, size_t *cap, struct ag_xy a, struct ag_xy b)
{
    if (hypot(b.x - a.x, b.y - a.y) < 1e-9)
        return 0;
    if (nav->nseg == *cap) {
        void *p = ag_grow(nav->seg, cap, nav->nseg + 1, sizeof *nav->seg, 64);
        if (!p)
            return AG_ENOMEM;
        nav->seg = p;
    }
    nav->seg[nav->nseg].a = a;
    nav->seg[nav->nseg].b = b;
    nav->nseg++;
    return 0;
}

/* The edge minus every exit rectangle it passes through. */
static int add_edge(struct ag_crowd_nav *nav, size_t *cap, struct ag_xy e0, struct ag_xy e1)
{
    double cut[64][2];
    size_t ncut = 0;
    for (size_t k = 0; k < nav->nexit && ncut < 64; k++) {
        double t0, t1;
        if (clip_to_exit(e0, e1, &nav->exit[k], &t0, &t1)) {
            cut[ncut][0] = t0;
            cut[ncut][1] = t1;
            ncut++;
        }
    }
    /* sort the cuts by start (few; insertion sort) */
    for (size_t i = 1; i < ncut; i++)
        for (size_t j = i; j > 0 && cut[j][0] < cut[j - 1][0]; j--) {
            double a = cut[j][0], b = cut[j][1];
            cut[j][0] = cut[j - 1][0];
            cut[j][1] = cut[j - 1][1];
            cut[j - 1][0] = a;
            cut[j - 1][1] = b;
        }
    double t = 0;
    for (size_t i = 0; i <= ncut; i++) {
        double until = i < ncut ? cut[i][0] : 1.0;
        if (until > t) {
            struct ag_xy a = {e0.x + t * (e1.x - e0.x), e0.y + t * (e1.y - e0.y)};
            struct ag_xy b = {e0.x + until * (e1.x - e0.x), e0.y + until * (e1.y - e0.y)};
            int rc = push_seg(nav, cap, a, b);
            if (rc)
                return rc;
        }
        if (i < ncut && cut[i][1] > t)
            t = cut[i][1];
    }
    return 0;
}

/* Whether edge a-b lies on the seam of a corridor periodic along x (the
 * line x = xlo or x = xhi): such an edge is no wall. */
static bool on_seam(const struct ag_crowd_nav *nav, struct ag_xy a, struct ag_xy b)
{
    if (!nav->periodic)
        return false;
    double eps = 1e-9 * fmax(1.0, nav->pxhi - nav->pxlo);
    return (fabs(a.x - nav->pxlo) < eps && fabs(b.x - nav->pxlo) < eps) ||
           (fabs(a.x - nav->pxhi) < eps && fabs(b.x - nav->pxhi) < eps);
}

static int add_ring(struct ag_crowd_nav *nav, size_t *cap, const struct ag_crowd_ring *r)
{
    for (size_t i = 0; i + 1 < r->n; i++) {
        if (on_seam(nav, r->pts[i], r->pts[i + 1]))
            continue;
        int rc = add_edge(nav, cap, r->pts[i], r->pts[i + 1]);
        if (rc)
            return rc;
    }
    return 0;
}

static size_t bucket_of(const struct ag_crowd_nav *nav, double v, double v0, size_t n)
{
    double f = floor((v - v0) / nav->bh);
    if (!(f > 0))
        return 0;
    if (f >= (double)(n - 1))
        return n - 1;
    return (size_t)f;
}

static int build_buckets(struct ag_crowd_nav *nav)
{
    nav->bh = 1.0;
    nav->bx0 = nav->x0;
    nav->by0 = nav->y0;
    nav->bnx = (size_t)ceil((double)nav->nx * nav->h / nav->bh) + 1;
    nav->bny = (size_t)ceil((double)nav->ny * nav->h / nav->bh) + 1;
    size_t nb = nav->bnx * nav->bny;
    nav->bstart = calloc(nb + 1, sizeof *nav->bstart);
    if (!nav->bstart)
        return AG_ENOMEM;
    /* two passes: count, then fill (counting sort keeps the segment order) */
    for (int pass = 0; pass < 2; pass++) {
        uint32_t *fill = NULL;
        if (pass == 1) {
            for (size_t i = 0; i < nb; i++)
                nav->bstart[i + 1] += nav->bstart[i];
            nav->bidx = malloc((nav->bstart[nb] + 1) * sizeof *nav->bidx);
            fill = malloc((nb + 1) * sizeof *fill);
            if (!nav->bidx || !fill) {
                free(fill);
                return AG_ENOMEM;
            }
            memcpy(fill, nav->bstart, (nb + 1) * sizeof *fill);
        }
        for (size_t s = 0; s < nav->nseg; s++) {
            const struct ag__crowd_seg *g = &nav->seg[s];
            size_t ix0 = bucket_of(nav, fmin(g->a.x, g->b.x), nav->bx0, nav->bnx);
            size_t ix1 = bucket_of(nav, fmax(g->a.x, g->b.x), nav->bx0, nav->bnx);
            size_t iy0 = bucket_of(nav, fmin(g->a.y, g->b.y), nav->by0, nav->bny);
            size_t iy1 = bucket_of(nav, fmax(g->a.y, g->b.y), nav->by0, nav->bny);
            for (size_t iy = iy0; iy <= iy1; iy++)
                for (size_t ix = ix0; ix <= ix1; ix++) {
                    size_t b = iy * nav->bnx + ix;
                    if (pass == 0)
                        nav->bstart[b + 1]++;
                    else
                        nav->bidx[fill[b]++] = (uint32_t)s;
                }
        }
        free(fill);
    }
    /* buckets with no wall in them nor in the eight around them: no wall
     * is within one bucket of any point of theirs */
    nav->bfree = malloc(nb);
    if (!nav->bfree)
        return AG_ENOMEM;
    for (size_t iy = 0; iy < nav->bny; iy++)
        for (size_t ix = 0; ix < nav->bnx; ix++) {
            uint8_t none = 1;
            for (size_t y = iy > 0 ? iy - 1 : 0; y <= iy + 1 && y < nav->bny; y++)
                for (size_t x = ix > 0 ? ix - 1 : 0; x <= ix + 1 && x < nav->bnx; x++) {
                    size_t b = y * nav->bnx + x;
                    if (nav->bstart[b + 1] > nav->bstart[b])
                        none = 0;
                }
            nav->bfree[iy * nav->bnx + ix] = none;
        }
    return 0;
}

int ag__crowd_nav_segs(const struct ag_crowd_nav *nav, double xlo, double ylo, double xhi,
                       double yhi, ag__crowd_seg_fn fn, void *ud)
{
    size_t ix0 = bucket_of(nav, xlo, nav->bx0, nav->bnx);
    size_t ix1 = bucket_of(nav, xhi, nav->bx0, nav->bnx);
    size_t iy0 = bucket_of(nav, ylo, nav->by0, nav->bny);
    size_t iy1 = bucket_of(nav, yhi, nav->by0, nav->bny);
    for (size_t iy = iy0; iy <= iy1; iy++)
        for (size_t ix = ix0; ix <= ix1; ix++) {
            size_t b = iy * nav->bnx + ix;
            for (uint32_t k = nav->bstart[b]; k < nav->bstart[b + 1]; k++) {
                int rc = fn(ud, &nav->seg[nav->bidx[k]]);
                if (rc)
                    return rc;
            }
        }
    return 0;
}

static struct ag_xy closest_on_seg(struct ag_xy p, struct ag_xy a, struct ag_xy b)
{
    double dx = b.x - a.x, dy = b.y - a.y;
    double l2 = dx * dx + dy * dy;
    double t = l2 > 0 ? ((p.x - a.x) * dx + (p.y - a.y) * dy) / l2 : 0;
    if (t < 0)
        t = 0;
    else if (t > 1)
        t = 1;
    return (struct ag_xy){a.x + t * dx, a.y + t * dy};
}

struct near_ctx {
    struct ag_xy p;
    double best;
    struct ag_xy at;
};

static int near_fn(void *ud, const struct ag__crowd_seg *s)
{
    struct near_ctx *c = ud;
    struct ag_xy q = closest_on_seg(c->p, s->a, s->b);
    double dx = c->p.x - q.x, dy = c->p.y - q.y;
    double d = sqrt(dx * dx + dy * dy); /* hypot is slow; no overflow here */
    if (d < c->best) {
        c->best = d;
        c->at = q;
    }
    return 0;
}

double ag__crowd_nav_wall_normal(const struct ag_crowd_nav *nav, struct ag_xy p, double cap_m,
                                 struct ag_xy *n)
{
    /* most agents are far from every wall: the query below would visit
     * only empty buckets (those of p and its neighbours when cap_m is at
     * most a bucket) and find nothing */
    if (cap_m <= nav->bh && nav->bfree[bucket_of(nav, p.y, nav->by0, nav->bny) * nav->bnx +
                                       bucket_of(nav, p.x, nav->bx0, nav->bnx)]) {
        if (n)
            n->x = n->y = 0;
        return cap_m;
    }
    struct near_ctx c = {p, cap_m, p};
    ag__crowd_nav_segs(nav, p.x - cap_m, p.y - cap_m, p.x + cap_m, p.y + cap_m, near_fn, &c);
    if (n) {
        if (c.best < cap_m && c.best > 0) {
            n->x = (p.x - c.at.x) / c.best;
            n->y = (p.y - c.at.y) / c.best;
        } else {
            n->x = n->y = 0;
        }
    }
    return c.best;
}

double ag_crowd_nav_wall_distance(const struct ag_crowd_nav *nav, struct ag_xy p, double cap_m)
{
    return ag__crowd_nav_wall_normal(nav, p, cap_m, NULL);
}

struct block_ctx {
    struct ag_xy p, q;
    struct ag_xy dir;
};

/* The step p->q is blocked by a wall when it crosses it, when it ends
 * within 1 mm of it, or when it passes within 1 mm of one of its ends (so
 * nobody slips through the joint of two walls). */
static int block_fn(void *ud, const struct ag__crowd_seg *s)
{
    struct block_ctx *c = ud;
    const double eps = 1e-3;
    double d1 = orient(s->a, s->b, c->p), d2 = orient(s->a, s->b, c->q);
    double d3 = orient(c->p, c->q, s->a), d4 = orient(c->p, c->q, s->b);
    bool cross =
        ((d1 > 0 && d2 < 0) || (d1 < 0 && d2 > 0)) && ((d3 > 0 && d4 < 0) || (d3 < 0 && d4 > 0));
    if (!cross && ag_xy_seg_dist(c->q, s->a, s->b) >= eps &&
        ag_xy_seg_dist(s->a, c->p, c->q) >= eps && ag_xy_seg_dist(s->b, c->p, c->q) >= eps)
        return 0;
    double dx = s->b.x - s->a.x, dy = s->b.y - s->a.y, l = hypot(dx, dy);
    c->dir = (struct ag_xy){dx / l, dy / l};
    return 1;
}

bool ag__crowd_nav_step_blocked(const struct ag_crowd_nav *nav, struct ag_xy p, struct ag_xy q,
                                struct ag_xy *wall_dir)
{
    struct block_ctx c = {p, q, {0, 0}};
    const double m = 2e-3;
    int rc = ag__crowd_nav_segs(nav, fmin(p.x, q.x) - m, fmin(p.y, q.y) - m, fmax(p.x, q.x) + m,
                                fmax(p.y, q.y) + m, block_fn, &c);
    if (wall_dir)
        *wall_dir = c.dir;
    return rc != 0;
}

/* ---- grid ---- */

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Even-odd scanline fill over every ring at once: outer rings and holes
 * alike flip parity, so a cell centre is walkable when it is inside an odd
 * number of rings (inside an outer ring and no hole). */
static int rasterise(struct ag_crowd_nav *nav, const struct ag_crowd_geom *g)
{
    size_t nedges = 0;
    for (size_t r = 0; r < g->nouter; r++)
        nedges += g->outer[r].n;
    for (size_t r = 0; r < g->nholes; r++)
        nedges += g->holes[r].n;
    double *xs = malloc((nedges + 1) * sizeof *xs);
    if (!xs)
        return AG_ENOMEM;
    for (size_t iy = 0; iy < nav->ny; iy++) {
        double y = nav->y0 + ((double)iy + 0.5) * nav->h;
        size_t nx = 0;
        for (int pass = 0; pass < 2; pass++) {
            const struct ag_crowd_ring *rings = pass ? g->holes : g->outer;
            size_t nr = pass ? g->nholes : g->nouter;
            for (size_t r = 0; r < nr; r++)
                for (size_t i = 0; i + 1 < rings[r].n; i++) {
                    struct ag_xy a = rings[r].pts[i], b = rings[r].pts[i + 1];
                    /* half-open in y so a vertex on the line counts once */
                    if ((a.y <= y && b.y > y) || (b.y <= y && a.y > y))
                        xs[nx++] = a.x + (y - a.y) / (b.y - a.y) * (b.x - a.x);
                }
        }
        qsort(xs, nx, sizeof *xs, cmp_double);
        for (size_t k = 0; k + 1 < nx; k += 2) {
            double fa = ceil((xs[k] - nav->x0) / nav->h - 0.5);
            double fb = floor((xs[k + 1] - nav->x0) / nav->h - 0.5);
            if (fa < 0)
                fa = 0;
            if (fb > (double)nav->nx - 1)
                fb = (double)nav->nx - 1;
            for (double f = fa; f <= fb; f++)
                nav->walk[iy * nav->nx + (size_t)f] = 1;
        }
    }
    free(xs);
    return 0;
}

static struct ag_xy cell_centre(const struct ag_crowd_nav *nav, size_t i)
{
    return (struct ag_xy){nav->x0 + ((double)(i % nav->nx) + 0.5) * nav->h,
                          nav->y0 + ((double)(i / nav->nx) + 0.5) * nav->h};
}

static void wall_speeds(struct ag_crowd_nav *nav)
{
    double c = nav->p.clearance_m, f = nav->p.wall_speed;
    size_t n = nav->nx * nav->ny;
    for (size_t i = 0; i < n; i++) {
        if (!nav->walk[i]) {
            nav->speed[i] = 0;
            continue;
        }
        if (c <= 0) {
            nav->speed[i] = 1;
            continue;
        }
        double d = ag__crowd_nav_wall_normal(nav, cell_centre(nav, i), c, NULL);
        nav->speed[i] = (float)(f + (1 - f) * fmin(1.0, d / c));
    }
}

/* ---- fast marching ---- */

struct heap_item {
    double v;
    uint32_t i;
};

struct heap {
    struct heap_item *a;
    size_t n, cap;
};

static int heap_push(struct heap *h, double v, uint32_t i)
{
    if (h->n == h->cap) {
        void *p = ag_grow(h->a, &h->cap, h->n + 1, sizeof *h->a, 1024);
        if (!p)
            return AG_ENOMEM;
        h->a = p;
    }
    size_t k = h->n++;
    /* ties broken by cell index so the order never depends on history */
    while (k > 0) {
        size_t up = (k - 1) / 2;
        if (h->a[up].v < v || (h->a[up].v == v && h->a[up].i < i))
            break;
        h->a[k] = h->a[up];
        k = up;
    }
    h->a[k] = (struct heap_item){v, i};
    return 0;
}

/* a before b in the heap's order: by value, ties by cell index. Bitwise
 * rather than short-circuit operators, so the compiler need not branch on
 * comparisons that go either way half the time. */
static inline bool heap_before(const struct heap_item *a, const struct heap_item *b)
{
    return (a->v < b->v) | ((a->v == b->v) & (a->i < b->i));
}

static struct heap_item heap_pop(struct heap *h)
{
    struct heap_item top = h->a[0], last = h->a[--h->n];
    size_t k = 0;
    for (;;) {
        size_t c = 2 * k + 1;
        if (c >= h->n)
            break;
        /* the smaller child, without a branch */
        c += (size_t)((c + 1 < h->n) & heap_before(&h->a[c + 1], &h->a[c]));
        if (heap_before(&last, &h->a[c]))
            break;
        h->a[k] = h->a[c];
        k = c;
    }
    if (h->n > 0)
        h->a[k] = last;
    return top;
}

/* The grid a front is marched on: the floor field's own, or the coarse one
 * of the congestion-aware field (sim_internal.h). */
struct march_grid {
    double x0, y0; /* lower-left corner of cell (0,0) */
    size_t nx, ny;
    double h;
    const uint8_t *walk;
    const float *speed; /* F per cell, > 0 on walkable cells */
};

/* First-order upwind update of cell i from its accepted neighbours. */
static double fmm_update(const struct march_grid *g, const double *phi, const uint8_t *known,
                         size_t i)
{
    size_t nx = g->nx, ix = i % nx, iy = i / nx;
    double a = INFINITY, b = INFINITY;
    if (ix > 0 && known[i - 1])
        a = phi[i - 1];
    if (ix + 1 < nx && known[i + 1] && phi[i + 1] < a)
        a = phi[i + 1];
    if (iy > 0 && known[i - nx])
        b = phi[i - nx];
    if (iy + 1 < g->ny && known[i + nx] && phi[i + nx] < b)
        b = phi[i + nx];
    double hf = g->h / (double)g->speed[i];
    if (a > b) {
        double t = a;
        a = b;
        b = t;
    }
    if (isinf(a))
        return INFINITY;
    if (isinf(b) || b - a >= hf)
        return a + hf;
    /* (T - a)^2 + (T - b)^2 = hf^2, larger root */
    double d = a - b;
    return 0.5 * (a + b + sqrt(2 * hf * hf - d * d));
}

/* Marches the front from the source cells (phi0 per source) over the
 * walkable cells of g into phi (INFINITY where it never arrives). */
static int fmm_march(const struct march_grid *g, const uint32_t *src, const double *src_phi,
                     size_t nsrc, double *phi)
{
    size_t n = g->nx * g->ny, nx = g->nx;
    uint8_t *known = calloc(n, 1);
    struct heap h = {0};
    int rc = AG_ENOMEM;
    if (!known)
        goto out;
    for (size_t i = 0; i < n; i++)
        phi[i] = INFINITY;
    for (size_t s = 0; s < nsrc; s++)
        if (src_phi[s] < phi[src[s]])
            phi[src[s]] = src_phi[s];
    for (size_t s = 0; s < nsrc; s++)
        if (heap_push(&h, phi[src[s]], src[s]))
            goto out;
    while (h.n > 0) {
        struct heap_item it = heap_pop(&h);
        size_t i = it.i;
        if (known[i] || it.v > phi[i])
            continue; /* stale entry (lazy decrease-key) */
        known[i] = 1;
        size_t ix = i % nx, iy = i / nx;
        size_t nb[4];
        int k = 0;
        if (ix > 0)
            nb[k++] = i - 1;
        if (ix + 1 < nx)
            nb[k++] = i + 1;
        if (iy > 0)
            nb[k++] = i - nx;
        if (iy + 1 < g->ny)
            nb[k++] = i + nx;
        for (int j = 0; j < k; j++) {
            size_t m = nb[j];
            if (known[m] || !g->walk[m])
                continue;
            double v = fmm_update(g, phi, known, m);
            if (v < phi[m]) {
                phi[m] = v;
                if (heap_push(&h, v, (uint32_t)m))
                    goto out;
            }
        }
    }
    rc = 0;
out:
    free(known);
    free(h.a);
    return rc;
}

static struct march_grid fine_grid(const struct ag_crowd_nav *nav)
{
    return (struct march_grid){nav->x0, nav->y0, nav->nx, nav->ny, nav->h, nav->walk, nav->speed};
}

/* Solves into f with the given source cells (phi0 per source). */
static int fmm_solve(const struct ag_crowd_nav *nav, const uint32_t *src, const double *src_phi,
                     size_t nsrc, struct ag__crowd_field *f)
{
    size_t n = nav->nx * nav->ny, nx = nav->nx;
    const struct march_grid grid = fine_grid(nav);
    double *phi = malloc(n * sizeof *phi);
    int rc = AG_ENOMEM;
    if (!phi)
        goto out;
    if ((rc = fmm_march(&grid, src, src_phi, nsrc, phi)))
        goto out;
    rc = AG_ENOMEM;
    f->phi = malloc(n * sizeof *f->phi);
    f->dir = malloc(2 * n * sizeof *f->dir);
    if (!f->phi || !f->dir)
        goto out;
    for (size_t i = 0; i < n; i++)
        f->phi[i] = (float)phi[i];
    /* Descent direction per cell: upwind one-sided differences towards the
     * lower neighbour on each axis; an obstacle neighbour is never lower,
     * so the direction never points into a wall cell. */
    for (size_t i = 0; i < n; i++) {
        f->dir[2 * i] = f->dir[2 * i + 1] = 0;
        if (!nav->walk[i] || isinf(phi[i]))
            continue;
        size_t ix = i % nx, iy = i / nx;
        double l = ix > 0 ? phi[i - 1] : INFINITY;
        double r = ix + 1 < nx ? phi[i + 1] : INFINITY;
        double d = iy > 0 ? phi[i - nx] : INFINITY;
        double u = iy + 1 < nav->ny ? phi[i + nx] : INFINITY;
        double gx = 0, gy = 0;
        if (fmin(l, r) < phi[i])
            gx = l < r ? -(phi[i] - l) : (phi[i] - r);
        if (fmin(d, u) < phi[i])
            gy = d < u ? -(phi[i] - d) : (phi[i] - u);
        double g = hypot(gx, gy);
        if (g > 0) {
            f->dir[2 * i] = (float)(gx / g);
            f->dir[2 * i + 1] = (float)(gy / g);
        }
    }
    rc = 0;
out:
    free(phi);
    return rc;
}

/* The source cells of exit x on grid g: walkable cells within 1.5 cells of
 * the closest walkable cell to the segment, phi0 = their distance to it.
 * AG_EGEOM when no walkable cell is within EXIT_TOL_M + one cell. */
static int exit_sources(const struct march_grid *g, const struct ag__crowd_exit *x, uint32_t **src,
                        double **sphi, size_t *nsrc, size_t *cap)
{
    double m = EXIT_TOL_M + 2 * g->h;
    double xlo = fmin(x->a.x, x->b.x) - m, xhi = fmax(x->a.x, x->b.x) + m;
    double ylo = fmin(x->a.y, x->b.y) - m, yhi = fmax(x->a.y, x->b.y) + m;
    double fx0 = floor((xlo - g->x0) / g->h), fx1 = ceil((xhi - g->x0) / g->h);
    double fy0 = floor((ylo - g->y0) / g->h), fy1 = ceil((yhi - g->y0) / g->h);
    fx0 = fmax(fx0, 0);
    fy0 = fmax(fy0, 0);
    fx1 = fmin(fx1, (double)g->nx - 1);
    fy1 = fmin(fy1, (double)g->ny - 1);
    double dmin = INFINITY;
    for (int pass = 0; pass < 2; pass++)
        for (double fy = fy0; fy <= fy1; fy++)
            for (double fx = fx0; fx <= fx1; fx++) {
                size_t i = (size_t)fy * g->nx + (size_t)fx;
                if (!g->walk[i])
                    continue;
                struct ag_xy c = {g->x0 + (fx + 0.5) * g->h, g->y0 + (fy + 0.5) * g->h};
                double d = ag_xy_seg_dist(c, x->a, x->b);
                if (pass == 0) {
                    if (d < dmin)
                        dmin = d;
                    continue;
                }
                if (d > dmin + 1.5 * g->h)
                    continue;
                if (*nsrc == *cap) {
                    size_t c2 = *cap;
                    void *p = ag_grow(*src, cap, *nsrc + 1, sizeof **src, 256);
                    if (!p)
                        return AG_ENOMEM;
                    *src = p;
                    p = ag_grow(*sphi, &c2, *nsrc + 1, sizeof **sphi, 256);
                    if (!p)
                        return AG_ENOMEM;
                    *sphi = p;
                }
                (*src)[*nsrc] = (uint32_t)i;
                (*sphi)[*nsrc] = d;
                (*nsrc)++;
            }
    return isinf(dmin) || dmin > EXIT_TOL_M + g->h ? AG_EGEOM : 0;
}

static int solve_field(struct ag_crowd_nav *nav, int k, struct ag_error *err)
{
    uint32_t *src = NULL;
    double *sphi = NULL;
    size_t nsrc = 0, cap = 0;
    int rc = 0;
    for (size_t e = 0; e < nav->nexit; e++) {
        if (k >= 0 && e != (size_t)k)
            continue;
        const struct march_grid grid = fine_grid(nav);
        rc = exit_sources(&grid, &nav->exit[e], &src, &sphi, &nsrc, &cap);
        if (rc == AG_EGEOM)
            rc = ag_error_set(err, AG_EGEOM, "exit %zu touches no walkable cell (cell %.2f m)",
                              e + 1, nav->h);
        if (rc)
            goto out;
    }
    rc = fmm_solve(nav, src, sphi, nsrc, &nav->field[k + 1]);
    if (rc)
        ag_error_set(err, rc, "floor field: out of memory");
out:
    free(src);
    free(sphi);
    return rc;
}

int ag_crowd_nav_prepare_exit(struct ag_crowd_nav *nav, size_t k, struct ag_error *err)
{
    if (!nav || k >= nav->nexit)
        return ag_error_set(err, AG_EINVAL, "no exit %zu", k + 1);
    if (nav->field[k + 1].phi)
        return 0;
    return solve_field(nav, (int)k, err);
}

/* ---- congestion-aware field: the coarse grid ---- */

int ag__crowd_nav_coarse_init(struct ag_crowd_nav *nav, double cell_m)
{
    double fk = round(cell_m / nav->h);
    size_t k = fk >= 1 ? (size_t)fk : 1;
    struct ag__crowd_coarse *c = calloc(1, sizeof *c);
    if (!c)
        return AG_ENOMEM;
    nav->coarse = c;
    c->k = k;
    c->h = (double)k * nav->h;
    c->inv_h = 1 / c->h;
    c->x0 = nav->x0;
    c->y0 = nav->y0;
    c->nx = (nav->nx + k - 1) / k;
    c->ny = (nav->ny + k - 1) / k;
    c->pxmax = (double)(c->nx + 1);
    c->pymax = (double)(c->ny + 1);
    size_t n = c->nx * c->ny;
    c->walk = calloc(n, 1);
    c->one = malloc(n * sizeof *c->one);
    c->area = calloc(n, sizeof *c->area);
    c->stat = calloc(nav->nexit + 1, sizeof *c->stat);
    c->delta = calloc(nav->nexit + 1, sizeof *c->delta);
    c->grad = calloc(nav->nexit + 1, sizeof *c->grad);
    c->gnext = calloc(nav->nexit + 1, sizeof *c->gnext);
    c->bad = calloc(nav->nexit + 1, 1);
    c->fresh = calloc(nav->nexit + 1, 1);
    c->flat = calloc(nav->nexit + 1, 1);
    if (!c->walk || !c->one || !c->area || !c->stat || !c->delta || !c->grad || !c->gnext ||
        !c->bad || !c->fresh || !c->flat)
        return AG_ENOMEM;
    for (size_t cy = 0; cy < c->ny; cy++)
        for (size_t cx = 0; cx < c->nx; cx++) {
            size_t cnt = 0, full = 0;
            for (size_t fy = cy * k; fy < (cy + 1) * k && fy < nav->ny; fy++)
                for (size_t fx = cx * k; fx < (cx + 1) * k && fx < nav->nx; fx++) {
                    full++;
                    cnt += nav->walk[fy * nav->nx + fx] != 0;
                }
            size_t i = cy * c->nx + cx;
            c->one[i] = 1;
            c->area[i] = (float)((double)cnt * nav->h * nav->h);
            c->walk[i] = full == k * k && cnt == full;
        }
    return 0;
}

static void coarse_free(struct ag__crowd_coarse *c, size_t nslot)
{
    if (!c)
        return;
    for (size_t s = 0; s < nslot; s++) {
        if (c->stat)
            free(c->stat[s]);
        if (c->delta)
            free(c->delta[s]);
        if (c->grad)
            free(c->grad[s]);
        if (c->gnext)
            free(c->gnext[s]);
    }
    free(c->stat);
    free(c->delta);
    free(c->grad);
    free(c->gnext);
    free(c->bad);
    free(c->fresh);
    free(c->flat);
    free(c->walk);
    free(c->one);
    free(c->area);
    free(c);
}

/* Slot s of the coarse grid solved again with the relative speeds given:
 * the delay over the free-speed travel time, per cell. */
static int coarse_slot(struct ag_crowd_nav *nav, size_t s, const float *speed)
{
    struct ag__crowd_coarse *c = nav->coarse;
    size_t n = c->nx * c->ny;
    const struct march_grid one = {c->x0, c->y0, c->nx, c->ny, c->h, c->walk, c->one};
    const struct march_grid dyn = {c->x0, c->y0, c->nx, c->ny, c->h, c->walk, speed};
    uint32_t *src = NULL;
    double *sphi = NULL, *phi = NULL;
    size_t nsrc = 0, cap = 0;
    int rc = 0;
    for (size_t e = 0; e < nav->nexit && !rc; e++)
        if (s == 0 || e + 1 == s)
            rc = exit_sources(&one, &nav->exit[e], &src, &sphi, &nsrc, &cap);
    if (rc == AG_EGEOM) {
        /* an exit the coarse grid does not reach (a narrow passage): this
         * slot keeps the floor field alone */
        c->bad[s] = 1;
        rc = 0;
        goto out;
    }
    if (rc)
        goto out;
    rc = AG_ENOMEM;
    if (!c->stat[s]) {
        if (!(c->stat[s] = malloc(n * sizeof *c->stat[s])))
            goto out;
        if ((rc = fmm_march(&one, src, sphi, nsrc, c->stat[s]))) {
            free(c->stat[s]);
            c->stat[s] = NULL;
            goto out;
        }
        rc = AG_ENOMEM;
    }
    if (!c->delta[s] && !(c->delta[s] = malloc(n * sizeof *c->delta[s])))
        goto out;
    size_t pnx = c->nx + 2;
    if (!c->gnext[s] && !(c->gnext[s] = calloc(2 * pnx * (c->ny + 2), sizeof *c->gnext[s])))
        goto out;
    if (!(phi = malloc(n * sizeof *phi)) || (rc = fmm_march(&dyn, src, sphi, nsrc, phi)))
        goto out;
    float *dl = c->delta[s], *gr = c->gnext[s];
    for (size_t i = 0; i < n; i++) {
        double t0 = c->stat[s][i], t1 = phi[i];
        dl[i] = isfinite(t0) && isfinite(t1) ? (float)(t1 - t0) : NAN;
    }
    /* the delay's gradient at each cell centre: central differences, one-
     * sided next to a cell without a delay, 0 where neither side has one
     * (and in cells without a delay); stored with a border of one cell of
     * zeros all round, so that a lookup needs no bounds but the grid's */
    for (size_t i = 0; i < n; i++) {
        size_t ix = i % c->nx, iy = i / c->nx;
        double g[2] = {0, 0};
        if (!isnan(dl[i])) {
            const size_t lo[2] = {ix > 0 ? i - 1 : i, iy > 0 ? i - c->nx : i};
            const size_t hi[2] = {ix + 1 < c->nx ? i + 1 : i, iy + 1 < c->ny ? i + c->nx : i};
            for (int a = 0; a < 2; a++) {
                size_t l = isnan(dl[lo[a]]) ? i : lo[a], u = isnan(dl[hi[a]]) ? i : hi[a];
                if (u != l)
                    g[a] = (dl[u] - dl[l]) / ((u > l ? (double)(u - l) : -(double)(l - u)) /
                                              (a ? (double)c->nx : 1.0) * c->h);
            }
        }
        size_t at = (iy + 1) * pnx + ix + 1;
        gr[2 * at] = (float)g[0];
        gr[2 * at + 1] = (float)g[1];
    }
    c->fresh[s] = 1;
    rc = 0;
out:
    free(src);
    free(sphi);
    free(phi);
    return rc;
}

void ag__crowd_nav_coarse_commit(struct ag_crowd_nav *nav)
{
    struct ag__crowd_coarse *c = nav->coarse;
    if (!c)
        return;
    for (size_t s = 0; s <= nav->nexit; s++) {
        if (c->fresh[s] == 1) {
            float *g = c->grad[s];
            c->grad[s] = c->gnext[s];
            c->gnext[s] = g;
        }
        if (c->fresh[s])
            c->flat[s] = c->fresh[s] == 2;
        c->fresh[s] = 0;
    }
}

int ag__crowd_nav_coarse_update(struct ag_crowd_nav *nav, const float *speed, const uint8_t *used,
                                bool flat, int threads)
{
    struct ag__crowd_coarse *c = nav->coarse;
    if (!c)
        return 0;
    size_t nslot = nav->nexit + 1, m = 0;
    size_t *list = malloc(nslot * sizeof *list);
    int *rcs = calloc(nslot, sizeof *rcs);
    int rc = AG_ENOMEM;
    if (!list || !rcs)
        goto out;
    for (size_t s = 0; s < nslot; s++)
        if (used[s] && !c->bad[s] && nav->field[s].phi) {
            if (flat) /* nowhere slower than free: no delay, nothing to solve */
                c->fresh[s] = 2;
            else
                list[m++] = s;
        }
    long nm = (long)m;
#ifdef _OPENMP
    /* each slot is solved by one thread alone: the result does not depend
     * on which, nor on how many */
#pragma omp parallel for schedule(dynamic, 1) num_threads(threads) if (nm > 1)
#else
    (void)threads;
#endif
    for (long j = 0; j < nm; j++)
        rcs[j] = coarse_slot(nav, list[j], speed);
    rc = 0;
    for (size_t j = 0; j < m && !rc; j++)
        rc = rcs[j];
out:
    free(list);
    free(rcs);
    return rc;
}

void ag_crowd_nav_free(struct ag_crowd_nav *nav)
{
    if (!nav)
        return;
    free(nav->walk);
    free(nav->speed);
    free(nav->seg);
    free(nav->bstart);
    free(nav->bidx);
    free(nav->bfree);
    free(nav->exit);
    if (nav->field)
        for (size_t k = 0; k <= nav->nexit; k++) {
            free(nav->field[k].phi);
            free(nav->field[k].dir);
        }
    free(nav->field);
    coarse_free(nav->coarse, nav->nexit + 1);
    free(nav);
}

static bool ring_ok(const struct ag_crowd_ring *r)
{
    if (!r->pts || r->n < 4)
        return false;
    for (size_t i = 0; i < r->n; i++)
        if (!isfinite(r->pts[i].x) || !isfinite(r->pts[i].y))
            return false;
    return r->pts[0].x == r->pts[r->n - 1].x && r->pts[0].y == r->pts[r->n - 1].y;
}

int ag_crowd_nav_new(const struct ag_crowd_geom *g, const struct ag_crowd_nav_params *p,
                     struct ag_crowd_nav **out, struct ag_error *err)
{
    return ag__crowd_nav_new(g, p, false, out, err);
}

int ag__crowd_nav_new(const struct ag_crowd_geom *g, const struct ag_crowd_nav_params *p,
                      bool periodic_x, struct ag_crowd_nav **out, struct ag_error *err)
{
    *out = NULL;
    struct ag_crowd_nav_params def;
    if (!p) {
        ag_crowd_nav_defaults(&def);
        p = &def;
    }
    if (!g || !(p->cell_m >= 0.05 && p->cell_m <= 1.0) ||
        !(p->clearance_m >= 0 && p->clearance_m <= 5) || !(p->wall_speed > 0 && p->wall_speed <= 1))
        return ag_error_set(err, AG_EINVAL,
                            "floor field: cell_m must be in [0.05, 1], "
                            "clearance_m in [0, 5], wall_speed in (0, 1]");
    if (g->nouter == 0)
        return ag_error_set(err, AG_EINVAL, "walkable area has no outer ring");
    if (g->nexits == 0 && !periodic_x)
        return ag_error_set(err, AG_EINVAL, "walkable area has no exit");
    if (periodic_x && (g->nexits > 0 || g->nouter != 1))
        return ag_error_set(err, AG_EINVAL,
                            "a corridor periodic along x has one outer ring and "
                            "no exits");
    for (size_t r = 0; r < g->nouter + g->nholes; r++) {
        const struct ag_crowd_ring *rg = r < g->nouter ? &g->outer[r] : &g->holes[r - g->nouter];
        if (!ring_ok(rg))
            return ag_error_set(err, AG_EGEOM,
                                "%s ring %zu: not closed, fewer than 4 "
                                "points or not finite",
                                r < g->nouter ? "outer" : "hole",
                                (r < g->nouter ? r : r - g->nouter) + 1);
    }
    struct ag_crowd_nav *nav = calloc(1, sizeof *nav);
    if (!nav)
        return ag_error_set(err, AG_ENOMEM, "out of memory");
    nav->p = *p;
    nav->h = p->cell_m;
    nav->nexit = g->nexits;
    nav->exit = calloc(g->nexits + 1, sizeof *nav->exit);
    nav->field = calloc(g->nexits + 1, sizeof *nav->field);
    int rc = AG_ENOMEM;
    if (!nav->exit || !nav->field)
        goto fail;
    for (size_t k = 0; k < g->nexits; k++) {
        const struct ag_crowd_exit *e = &g->exits[k];
        if (!isfinite(e->a.x) || !isfinite(e->a.y) || !isfinite(e->b.x) || !isfinite(e->b.y) ||
            ag_xy_dist(e->a, e->b) <= 0) {
            rc = ag_error_set(err, AG_EGEOM, "exit %zu: empty or not finite", k + 1);
            goto fail;
        }
        nav->exit[k] = (struct ag__crowd_exit){e->a, e->b, e->width_m};
    }
    /* bounding box of the outer rings, one cell of margin */
    double xlo = INFINITY, ylo = INFINITY, xhi = -INFINITY, yhi = -INFINITY;
    for (size_t r = 0; r < g->nouter; r++)
        for (size_t i = 0; i < g->outer[r].n; i++) {
            xlo = fmin(xlo, g->outer[r].pts[i].x);
            xhi = fmax(xhi, g->outer[r].pts[i].x);
            ylo = fmin(ylo, g->outer[r].pts[i].y);
            yhi = fmax(yhi, g->outer[r].pts[i].y);
        }
    nav->periodic = periodic_x;
    nav->pxlo = xlo;
    nav->pxhi = xhi;
    if (periodic_x && !(xhi - xlo >= 1.0)) {
        rc = ag_error_set(err, AG_EINVAL, "periodic corridor shorter than 1 m");
        goto fail_msg;
    }
    nav->x0 = xlo - nav->h;
    nav->y0 = ylo - nav->h;
    double fnx = ceil((xhi - xlo) / nav->h) + 2, fny = ceil((yhi - ylo) / nav->h) + 2;
    if (fnx * fny > (double)MAX_CELLS) {
        rc = ag_error_set(err, AG_ELIMIT,
                          "floor field: %.0f x %.0f cells of %.2f m is above "
                          "the limit of %zu cells; use a larger cell",
                          fnx, fny, nav->h, MAX_CELLS);
        goto fail;
    }
    nav->nx = (size_t)fnx;
    nav->ny = (size_t)fny;
    size_t n = nav->nx * nav->ny;
    nav->walk = calloc(n, 1);
    nav->speed = malloc(n * sizeof *nav->speed);
    if (!nav->walk || !nav->speed)
        goto fail;
    if ((rc = rasterise(nav, g)))
        goto fail;
    size_t cap = 0;
    for (size_t r = 0; r < g->nouter && !rc; r++)
        rc = add_ring(nav, &cap, &g->outer[r]);
    for (size_t r = 0; r < g->nholes && !rc; r++)
        rc = add_ring(nav, &cap, &g->holes[r]);
    if (rc || (rc = build_buckets(nav)))
        goto fail;
    wall_speeds(nav);
    if (!periodic_x && (rc = solve_field(nav, -1, err)))
        goto fail_msg;
    *out = nav;
    return 0;
fail:
    if (rc == AG_ENOMEM)
        ag_error_set(err, AG_ENOMEM, "floor field: out of memory");
fail_msg:
    ag_crowd_nav_free(nav);
    return rc;
}

/* ---- queries ---- */

static const struct ag__crowd_field *field_of(const struct ag_crowd_nav *nav, int k)
{
    if (k >= (int)nav->nexit)
        return NULL;
    const struct ag__crowd_field *f = &nav->field[k < 0 ? 0 : k + 1];
    return f->phi ? f : NULL;
}

bool ag_crowd_nav_walkable(const struct ag_crowd_nav *nav, struct ag_xy p)
{
    double fx = floor((p.x - nav->x0) / nav->h), fy = floor((p.y - nav->y0) / nav->h);
    if (!(fx >= 0 && fy >= 0 && fx < (double)nav->nx && fy < (double)nav->ny))
        return false;
    return nav->walk[(size_t)fy * nav->nx + (size_t)fx] != 0;
}

/* The four cells around p for bilinear interpolation, their weights; cells
 * off the grid get weight 0. */
static void corners(const struct ag_crowd_nav *nav, struct ag_xy p, size_t idx[4], double w[4])
{
    double fx = (p.x - nav->x0) / nav->h - 0.5, fy = (p.y - nav->y0) / nav->h - 0.5;
    double ix = floor(fx), iy = floor(fy);
    double tx = fx - ix, ty = fy - iy;
    const double cw[4] = {(1 - tx) * (1 - ty), tx * (1 - ty), (1 - tx) * ty, tx * ty};
    for (int c = 0; c < 4; c++) {
        double cx = ix + (c & 1), cy = iy + (c >> 1);
        if (cx < 0 || cy < 0 || cx >= (double)nav->nx || cy >= (double)nav->ny) {
            idx[c] = 0;
            w[c] = 0;
            continue;
        }
        idx[c] = (size_t)cy * nav->nx + (size_t)cx;
        w[c] = nav->walk[idx[c]] ? cw[c] : 0;
    }
}

double ag_crowd_nav_cost(const struct ag_crowd_nav *nav, int k, struct ag_xy p)
{
    if (nav->periodic)
        return k < 0 && ag_crowd_nav_walkable(nav, p) ? nav->pxhi - p.x : INFINITY;
    const struct ag__crowd_field *f = field_of(nav, k);
    if (!f || !ag_crowd_nav_walkable(nav, p))
        return INFINITY;
    size_t idx[4];
    double w[4], sw = 0, sv = 0;
    corners(nav, p, idx, w);
    for (int c = 0; c < 4; c++)
        if (w[c] > 0 && isfinite(f->phi[idx[c]])) {
            sw += w[c];
            sv += w[c] * f->phi[idx[c]];
        }
    return sw > 0 ? sv / sw : INFINITY;
}

void ag__crowd_nav_prefetch(const struct ag_crowd_nav *nav, int k, struct ag_xy p)
{
#if defined(__GNUC__)
    if (nav->periodic || k >= (int)nav->nexit)
        return;
    const struct ag__crowd_field *f = &nav->field[k < 0 ? 0 : k + 1];
    double fx = (p.x - nav->x0) / nav->h - 0.5, fy = (p.y - nav->y0) / nav->h - 0.5;
    if (!f->dir || !(fx >= 0 && fy >= 0 && fx + 1 < (double)nav->nx && fy + 1 < (double)nav->ny))
        return;
    const float *d0 = f->dir + 2 * ((size_t)fy * nav->nx + (size_t)fx);
    __builtin_prefetch(d0);
    __builtin_prefetch(d0 + 3);
    __builtin_prefetch(d0 + 2 * nav->nx);
    __builtin_prefetch(d0 + 2 * nav->nx + 3);
#else
    (void)nav;
    (void)k;
    (void)p;
#endif
}

bool ag_crowd_nav_direction(const struct ag_crowd_nav *nav, int k, struct ag_xy p,
                            struct ag_xy *dir)
{
    dir->x = dir->y = 0;
    if (nav->periodic) {
        /* the corridor's axis: nowhere to go but along it */
        if (k >= 0 || !ag_crowd_nav_walkable(nav, p))
            return false;
        dir->x = 1;
        return true;
    }
    const struct ag__crowd_field *f = field_of(nav, k);
    if (!f)
        return false;
    /* bilinear over the four cells around p; obstacle (and unreachable)
     * cells hold the direction (0, 0), so they drop out without a look at
     * the walkable mask, and the two rows of two cells are each one
     * contiguous read of the interleaved directions */
    double fx = (p.x - nav->x0) / nav->h - 0.5, fy = (p.y - nav->y0) / nav->h - 0.5;
    double ix = floor(fx), iy = floor(fy);
    double tx = fx - ix, ty = fy - iy;
    double sx = 0, sy = 0;
    if (ix >= 0 && iy >= 0 && ix + 1 < (double)nav->nx && iy + 1 < (double)nav->ny) {
        const float *d0 = f->dir + 2 * ((size_t)iy * nav->nx + (size_t)ix);
        const float *d1 = d0 + 2 * nav->nx;
        double w0 = (1 - tx) * (1 - ty), w1 = tx * (1 - ty), w2 = (1 - tx) * ty, w3 = tx * ty;
        sx = w0 * d0[0] + w1 * d0[2] + w2 * d1[0] + w3 * d1[2];
        sy = w0 * d0[1] + w1 * d0[3] + w2 * d1[1] + w3 * d1[3];
    } else {
        size_t idx[4];
        double w[4];
        corners(nav, p, idx, w);
        for (int c = 0; c < 4; c++)
            if (w[c] > 0) {
                sx += w[c] * f->dir[2 * idx[c]];
                sy += w[c] * f->dir[2 * idx[c] + 1];
            }
    }
    double l = sqrt(sx * sx + sy * sy);
    if (!(l > 1e-12))
        return false;
    dir->x = sx / l;
    dir->y = sy / l;
    return true;
}

bool ag__crowd_nav_delay_grad(const struct ag_crowd_nav *nav, int k, struct ag_xy p,
                              struct ag_xy *g)
{
    const struct ag__crowd_coarse *c = nav->coarse;
    if (!c || k >= (int)nav->nexit)
        return false;
    size_t slot = k < 0 ? 0 : (size_t)k + 1;
    const float *gr = c->grad[slot];
    if (!gr || c->flat[slot])
        return false;
    /* bilinear over the four coarse cell centres around p; in the padded
     * grid (one cell of zeros all round) the cell centres are at
     * (i + 0.5) h - h from the grid's corner */
    size_t pnx = c->nx + 2;
    double fx = (p.x - c->x0) * c->inv_h + 0.5, fy = (p.y - c->y0) * c->inv_h + 0.5;
    if (!(fx >= 0 && fy >= 0 && fx < c->pxmax && fy < c->pymax))
        return false;
    size_t ix = (size_t)fx, iy = (size_t)fy;
    double tx = fx - (double)ix, ty = fy - (double)iy;
    const float *g0 = gr + 2 * (iy * pnx + ix), *g1 = g0 + 2 * pnx;
    double w0 = (1 - tx) * (1 - ty), w1 = tx * (1 - ty), w2 = (1 - tx) * ty, w3 = tx * ty;
    g->x = w0 * g0[0] + w1 * g0[2] + w2 * g1[0] + w3 * g1[2];
    g->y = w0 * g0[1] + w1 * g0[3] + w2 * g1[1] + w3 * g1[3];
    return g->x != 0 || g->y != 0;
}

double ag__crowd_nav_speed_at(const struct ag_crowd_nav *nav, struct ag_xy p, double wall_d,
                              double wall_cap)
{
    double cl = nav->p.clearance_m, f = nav->p.wall_speed;
    if (!(cl > 0))
        return 1;
    if (wall_d < wall_cap || wall_cap >= cl)
        return wall_d < cl ? f + (1 - f) * (wall_d / cl) : 1;
    /* the caller's wall distance does not reach the clearance: the cell's */
    double fx = floor((p.x - nav->x0) / nav->h), fy = floor((p.y - nav->y0) / nav->h);
    if (fx >= 0 && fy >= 0 && fx < (double)nav->nx && fy < (double)nav->ny) {
        float sp = nav->speed[(size_t)fy * nav->nx + (size_t)fx];
        if (sp > 0)
            return sp;
    }
    return 1;
}
