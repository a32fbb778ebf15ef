/* Kernel density on a regular grid: the quartic (biweight) and Gaussian
 * kernels summed exactly at cell centres, the uniform edge correction and
 * two rule-of-thumb bandwidths.
 *
 * Sources: B. W. Silverman, "Density Estimation for Statistics and Data
 * Analysis", Chapman & Hall 1986 (the biweight, eq. 4.5; the rule of thumb,
 * eq. 3.31); D. W. Scott, "Multivariate Density Estimation", Wiley 1992
 * (the normal reference rule, σ n^(−1/(d+4))); P. J. Diggle, "A kernel
 * method for smoothing point process data", Applied Statistics 34(2), 1985
 * (edge correction); A. Baddeley, E. Rubak, R. Turner, "Spatial Point
 * Patterns: Methodology and Applications with R", CRC 2015, and spatstat's
 * bw.scott (R/bw.scott.R); Esri, ArcGIS Spatial Analyst, "How Kernel
 * Density works" (the spatial Silverman rule) and "How Standard Distance
 * works".
 * SPDX-License-Identifier: EUPL-1.2 */
#include "incidents/incidents_int.h"

#include <float.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define KDE_AUTO_THREADS_MAX 8u
/* An explicit thread count above this buys nothing and costs stacks. */
#define KDE_THREADS_MAX 64u

/* ---- how the work is shared ----
 * Points are bucketed by the grid row they lie in (clamped to the grid: a
 * point outside moves to the nearest row, which only brings it closer) with
 * a stable counting sort, so the summation order is fixed: by row, then by
 * index. The rows of the output are cut into bands, one per thread; each
 * thread walks, in that order, the buckets whose points can reach its band
 * and adds to its own rows only. Every cell therefore receives the same
 * terms in the same order whatever the number of threads, and the grid is
 * the same to the bit. */

struct kde {
    double x0, y0, cell, inv_cell;
    size_t nx, ny;
    bool gauss;
    double bw;     /* h or σ */
    double reach;  /* support radius: h, or AG_INCIDENTS_GAUSS_CUTOFF σ */
    double reach2; /* its square */
    double inv;    /* quartic: 1/h²; Gaussian: 1/(2σ²) */
    double q;      /* Gaussian: exp(−cell²/σ²), see gauss_values */
    double norm;   /* 3/(π h²) or 1/(2π σ²) */
    bool edge;
    const double *px, *py, *pw; /* points in row order */
    const size_t *first;        /* bucket r holds points first[r] .. first[r + 1] − 1 */
    size_t reach_rows;          /* a point reaches rows at most this far from its own */
    const double *fx, *fy;      /* Gaussian edge correction per column and per row */
    double *out;
};

struct kde_band {
    const struct kde *k;
    size_t r0, r1; /* rows r0 .. r1 − 1 */
    double *dx2;   /* scratch over a point's window: dx² per column, */
    double *ex;    /* exp(−dx²/2σ²) per column */
    double *ey;    /* and exp(−dy²/2σ²) per row */
};

static inline double centre(double origin, double cell, size_t i)
{
    return origin + ((double)i + 0.5) * cell;
}

/* The cells i of an axis of nc cells whose centre is within reach of p,
 * as lo .. hi; false when there is none. Computed in double and clamped
 * before the conversion, so any finite input is safe. */
static bool axis_range(double p, double origin, double inv_cell, size_t nc, double reach,
                       size_t *lo, size_t *hi)
{
    double a = ceil((p - reach - origin) * inv_cell - 0.5);
    double b = floor((p + reach - origin) * inv_cell - 0.5);
    double last = (double)(nc - 1);
    if (!(a <= b) || b < 0 || a > last)
        return false;
    *lo = a < 0 ? 0 : (size_t)a;
    *hi = b > last ? nc - 1 : (size_t)b;
    return true;
}

/* v[k] = exp(−d_k² inv), d_k the offset from p of the centre of cell lo + k,
 * for k < len. exp is called at every 16th cell only; in between, with c
 * the cell size, v_(k+1) = v_k r_k and r_(k+1) = r_k q, where r_k =
 * exp(−(2 d_k c + c²) inv) and q = exp(−2c² inv), which is exact algebra
 * and loses at most about 16²/2 roundings. Within a window every |d_k| <=
 * cutoff σ, and two or more cells mean c <= 2 cutoff σ, so r_k stays far
 * from overflow. */
static void gauss_values(double *v, double origin, double cell, size_t lo, size_t len, double p,
                         double inv, double q)
{
    double g = 0, r = 0;
    for (size_t k = 0; k < len; k++) {
        if (k % 16 == 0) {
            double d = centre(origin, cell, lo + k) - p;
            g = exp(-d * d * inv);
            r = exp(-(2 * d * cell + cell * cell) * inv);
        } else {
            g *= r;
            r *= q;
        }
        v[k] = g;
    }
}

/* Adds one point's kernel to the rows of band b. Along x, over the point's
 * whole window (the same whichever band asks), dx² and for the Gaussian
 * exp(−dx²/2σ²); along y, exp(−dy²/2σ²) over the whole window too. A row
 * covers the columns whose dx² <= cutoff² σ² − dy² (Gaussian) or < h² − dy²
 * (quartic): an interval around the column nearest the point, followed
 * from row to row by moving its ends. It adds exp(−dy²/2σ²) times the x
 * values (the Gaussian is separable), or ((h² − dy² − dx²) / h²)². */
static void kde_point(const struct kde *k, const struct kde_band *b, double x, double y, double w)
{
    size_t ylo, yhi, xlo, xhi;
    if (!axis_range(y, k->y0, k->inv_cell, k->ny, k->reach, &ylo, &yhi))
        return;
    size_t r0 = ylo < b->r0 ? b->r0 : ylo, r1 = yhi >= b->r1 ? b->r1 - 1 : yhi;
    if (r0 > r1)
        return;
    if (!axis_range(x, k->x0, k->inv_cell, k->nx, k->reach, &xlo, &xhi))
        return;
    size_t len = xhi - xlo + 1, kmin = 0;
    double *dx2 = b->dx2;
    for (size_t j = 0; j < len; j++) {
        double dx = centre(k->x0, k->cell, xlo + j) - x;
        dx2[j] = dx * dx;
        if (dx2[j] < dx2[kmin])
            kmin = j;
    }
    double c = w * k->norm;
    if (k->gauss) {
        gauss_values(b->ex, k->x0, k->cell, xlo, len, x, k->inv, k->q);
        gauss_values(b->ey, k->y0, k->cell, ylo, yhi - ylo + 1, y, k->inv, k->q);
    }
    size_t lo = kmin, hi = kmin;
    for (size_t iy = r0; iy <= r1; iy++) {
        double dy = centre(k->y0, k->cell, iy) - y;
        double room = k->reach2 - dy * dy;
        double *restrict row = k->out + iy * k->nx + xlo;
        if (k->gauss) {
            if (!(dx2[kmin] <= room))
                continue;
            while (lo > 0 && dx2[lo - 1] <= room)
                lo--;
            while (!(dx2[lo] <= room))
                lo++;
            while (hi + 1 < len && dx2[hi + 1] <= room)
                hi++;
            while (!(dx2[hi] <= room))
                hi--;
            double a = c * b->ey[iy - ylo];
            const double *restrict ex = b->ex;
            for (size_t j = lo; j <= hi; j++)
                row[j] += a * ex[j];
        } else {
            if (!(dx2[kmin] < room))
                continue;
            while (lo > 0 && dx2[lo - 1] < room)
                lo--;
            while (!(dx2[lo] < room))
                lo++;
            while (hi + 1 < len && dx2[hi + 1] < room)
                hi++;
            while (!(dx2[hi] < room))
                hi--;
            /* room − dx² > 0 exactly on this interval */
            double inv = k->inv;
            for (size_t j = lo; j <= hi; j++) {
                double t = (room - dx2[j]) * inv;
                row[j] += c * t * t;
            }
        }
    }
}

/* ---- edge correction: e(u) = ∫_W K(u − v) dv ----
 *
 * Gaussian: the kernel is a product of two normal densities, so e(u) is the
 * product of one factor per axis, 0.5 (erf(a/√2) + erf(b/√2)) with a and b
 * the distances in σ from u to the two sides (a sum of two positive terms:
 * no cancellation when the grid is narrow against σ). It is the mass of the
 * untruncated kernel; the sum is cut at the cutoff, so the corrected value
 * is off by a relative exp(−cutoff²/2) = 2.3e-11 at most. Where both sides
 * are beyond the cutoff the factor is 1 exactly (the truncated kernel does
 * not reach the side; the untruncated one would differ from 1 by
 * erfc(cutoff/√2)/2 = 1.3e-12), so the interior is left untouched.
 *
 * Quartic: not separable, but its mass over a quadrant has a closed form.
 * For the unit-radius kernel k(r) = 3/π (1 − r²)²:
 *   marginal   m(x) = 16/(5π) (1 − x²)^(5/2),
 *   half-plane H(a) = ∫_{x>a} k = 1/2 − 16/(5π) G(a), with
 *     G(x) = ∫_0^x (1 − t²)^(5/2) dt
 *          = x s (s⁴/6 + 5s²/24 + 5/16) + 5/16 asin x,  s = √(1 − x²),
 *   quadrant   Q(a, b) = ∫_{x>a, y>b} k, for a, b >= 0 and a² + b² < 1,
 *     with c = √(1 − b²), integrating (s² − y²)² over y in [b, s] first:
 *     3/π [8/15 (G(c) − G(a)) − b (P4(c) − P4(a)) + 2/3 b³ (P2(c) − P2(a))
 *          − b⁵/5 (c − a)],  P4(x) = x − 2x³/3 + x⁵/5, P2(x) = x − x³/3,
 * and Q for negative a or b by reflection (Q(a, b) = H(b) − Q(−a, b)).
 * The rectangle [a1, a2] × [b1, b2] (sides relative to u, in units of h)
 * then holds Q(a1, b1) − Q(a2, b1) − Q(a1, b2) + Q(a2, b2). Accurate to a
 * few 1e-16 in absolute terms, hence in relative terms too unless the grid
 * is smaller than about 1e-8 h² in area. Only cells within h of a side are
 * computed: elsewhere the disc lies inside W and e = 1. */

static double quartic_G(double x)
{
    double s2 = 1 - x * x, s = sqrt(s2);
    return x * s * (s2 * s2 / 6 + 5 * s2 / 24 + 5.0 / 16) + 5.0 / 16 * asin(x);
}

static double quartic_H(double a)
{
    if (a <= -1)
        return 1;
    if (a >= 1)
        return 0;
    return 0.5 - 16 / (5 * M_PI) * quartic_G(a);
}

static double quartic_Q0(double a, double b) /* a, b >= 0 */
{
    if (a >= 1 || b >= 1 || a * a + b * b >= 1)
        return 0;
    double c = sqrt(1 - b * b);
    double p4 = (c - 2 * c * c * c / 3 + c * c * c * c * c / 5) -
                (a - 2 * a * a * a / 3 + a * a * a * a * a / 5);
    double p2 = (c - c * c * c / 3) - (a - a * a * a / 3);
    double b3 = b * b * b, b5 = b3 * b * b;
    double q =
        8.0 / 15 * (quartic_G(c) - quartic_G(a)) - b * p4 + 2.0 / 3 * b3 * p2 - b5 / 5 * (c - a);
    q *= 3 / M_PI;
    return q > 0 ? q : 0;
}

static double quartic_Q(double a, double b)
{
    if (a < 0 && b < 0)
        return quartic_H(b) - quartic_H(-a) + quartic_Q0(-a, -b);
    if (a < 0)
        return quartic_H(b) - quartic_Q0(-a, b);
    if (b < 0)
        return quartic_H(a) - quartic_Q0(a, -b);
    return quartic_Q0(a, b);
}

static double quartic_rect_mass(double a1, double a2, double b1, double b2)
{
    return quartic_Q(a1, b1) - quartic_Q(a2, b1) - quartic_Q(a1, b2) + quartic_Q(a2, b2);
}

static double gauss_axis_factor(double a, double b) /* distances to the sides, in σ */
{
    if (a >= AG_INCIDENTS_GAUSS_CUTOFF && b >= AG_INCIDENTS_GAUSS_CUTOFF)
        return 1;
    return 0.5 * (erf(a * M_SQRT1_2) + erf(b * M_SQRT1_2));
}

static void quartic_edge_cell(const struct kde *k, double *v, double ux, double uy)
{
    double xmax = k->x0 + (double)k->nx * k->cell, ymax = k->y0 + (double)k->ny * k->cell;
    double e = quartic_rect_mass((k->x0 - ux) / k->bw, (xmax - ux) / k->bw, (k->y0 - uy) / k->bw,
                                 (ymax - uy) / k->bw);
    if (e > 0)
        *v /= e;
}

static void kde_band_edge(const struct kde *k, const struct kde_band *b)
{
    size_t nx = k->nx;
    if (k->gauss) {
        for (size_t iy = b->r0; iy < b->r1; iy++) {
            double *row = k->out + iy * nx, f = k->fy[iy];
            for (size_t ix = 0; ix < nx; ix++) {
                double e = k->fx[ix] * f;
                if (e > 0 && e != 1)
                    row[ix] /= e;
            }
        }
        return;
    }
    double xmax = k->x0 + (double)nx * k->cell, ymax = k->y0 + (double)k->ny * k->cell;
    /* Columns within h of the left and right sides: 0 .. nl − 1 and nr .. nx − 1. */
    size_t nl = 0, nr = nx;
    while (nl < nx && centre(k->x0, k->cell, nl) - k->x0 < k->bw)
        nl++;
    while (nr > nl && xmax - centre(k->x0, k->cell, nr - 1) < k->bw)
        nr--;
    for (size_t iy = b->r0; iy < b->r1; iy++) {
        double uy = centre(k->y0, k->cell, iy);
        double *row = k->out + iy * nx;
        bool near_y = uy - k->y0 < k->bw || ymax - uy < k->bw;
        for (size_t ix = 0; ix < nx; ix++) {
            if (!near_y && ix == nl && nr > nl)
                ix = nr; /* skip the interior of the row */
            if (ix >= nx)
                break;
            quartic_edge_cell(k, &row[ix], centre(k->x0, k->cell, ix), uy);
        }
    }
}

static void *kde_band_run(void *arg)
{
    struct kde_band *b = arg;
    const struct kde *k = b->k;
    memset(k->out + b->r0 * k->nx, 0, (b->r1 - b->r0) * k->nx * sizeof *k->out);
    size_t blo = b->r0 > k->reach_rows ? b->r0 - k->reach_rows : 0;
    size_t bhi = k->ny - b->r1 > k->reach_rows ? b->r1 + k->reach_rows : k->ny;
    for (size_t i = k->first[blo]; i < k->first[bhi]; i++)
        kde_point(k, b, k->px[i], k->py[i], k->pw[i]);
    if (k->edge)
        kde_band_edge(k, b);
    return NULL;
}

static size_t row_of(const struct kde *k, double y)
{
    double r = floor((y - k->y0) * k->inv_cell);
    if (!(r > 0))
        return 0;
    if (r >= (double)(k->ny - 1))
        return k->ny - 1;
    return (size_t)r;
}

static int check_kde_args(const struct ag_xy *pts, const double *weights, size_t n,
                          const struct ag_incidents_grid *grid,
                          const struct ag_incidents_kde_params *params, const double *out,
                          struct ag_error *err)
{
    if (!grid || !params || !out)
        return ag_error_set(err, AG_EINVAL, "kernel density: no %s",
                            !grid     ? "grid"
                            : !params ? "parameters"
                                      : "output array");
    if (grid->nx == 0 || grid->ny == 0)
        return ag_error_set(err, AG_EINVAL, "kernel density: grid of %zu x %zu cells has no cell",
                            grid->nx, grid->ny);
    if (!isfinite(grid->cell_m) || !(grid->cell_m > 0))
        return ag_error_set(err, AG_EINVAL, "kernel density: grid cell_m %g is not finite and > 0",
                            grid->cell_m);
    if (!isfinite(grid->x0) || !isfinite(grid->y0) ||
        !isfinite(grid->x0 + (double)grid->nx * grid->cell_m) ||
        !isfinite(grid->y0 + (double)grid->ny * grid->cell_m))
        return ag_error_set(err, AG_EINVAL,
                            "kernel density: grid origin (%g, %g) or extent is not finite",
                            grid->x0, grid->y0);
    if (grid->nx > SIZE_MAX / grid->ny || grid->nx * grid->ny > AG_INCIDENTS_GRID_MAX_CELLS)
        return ag_error_set(err, AG_ELIMIT,
                            "kernel density: grid of %zu x %zu cells exceeds the limit of %zu "
                            "cells",
                            grid->nx, grid->ny, AG_INCIDENTS_GRID_MAX_CELLS);
    if (params->kernel != AG_INCIDENTS_KERNEL_QUARTIC &&
        params->kernel != AG_INCIDENTS_KERNEL_GAUSSIAN)
        return ag_error_set(err, AG_EINVAL, "kernel density: unknown kernel %d",
                            (int)params->kernel);
    double bw = params->bandwidth_m;
    if (!isfinite(bw) || !(bw > 0))
        return ag_error_set(err, AG_EINVAL, "kernel density: bandwidth_m %g is not finite and > 0",
                            bw);
    /* The kernels divide by bw²: keep it a normal, finite double. */
    if (!(bw * bw >= DBL_MIN) ||
        !isfinite(bw * bw * AG_INCIDENTS_GAUSS_CUTOFF * AG_INCIDENTS_GAUSS_CUTOFF * 2 * M_PI))
        return ag_error_set(err, AG_EINVAL,
                            "kernel density: bandwidth_m %g is out of range (its square "
                            "under- or overflows)",
                            bw);
    if (n == 0)
        return 0;
    int rc = ag__incidents_check_points(pts, NULL, n, 0, "kernel density", err);
    if (rc)
        return rc;
    if (weights)
        for (size_t i = 0; i < n; i++)
            if (!isfinite(weights[i]))
                return ag_error_set(err, AG_EINVAL,
                                    "kernel density: weight of point %zu is not finite", i + 1);
    return 0;
}

int ag_incidents_kde(const struct ag_xy *pts, const double *weights, size_t n,
                     const struct ag_incidents_grid *grid,
                     const struct ag_incidents_kde_params *params, double *out,
                     struct ag_error *err)
{
    int rc = check_kde_args(pts, weights, n, grid, params, out, err);
    if (rc)
        return rc;
    size_t nx = grid->nx, ny = grid->ny;
    if (n == 0) {
        memset(out, 0, nx * ny * sizeof *out);
        return 0;
    }
    struct kde k = {0};
    k.x0 = grid->x0;
    k.y0 = grid->y0;
    k.cell = grid->cell_m;
    k.inv_cell = 1 / grid->cell_m;
    k.nx = nx;
    k.ny = ny;
    k.gauss = params->kernel == AG_INCIDENTS_KERNEL_GAUSSIAN;
    k.bw = params->bandwidth_m;
    k.edge = params->edge_correct;
    k.out = out;
    double bw2 = k.bw * k.bw;
    if (k.gauss) {
        k.reach = AG_INCIDENTS_GAUSS_CUTOFF * k.bw;
        k.inv = 1 / (2 * bw2);
        k.norm = 1 / (2 * M_PI * bw2);
        k.q = exp(-2 * k.cell * k.cell * k.inv);
    } else {
        k.reach = k.bw;
        k.inv = 1 / bw2;
        k.norm = 3 / (M_PI * bw2);
    }
    k.reach2 = k.reach * k.reach;
    double rr = ceil(k.reach * k.inv_cell) + 1;
    k.reach_rows = rr >= (double)ny ? ny : (size_t)rr;
    /* the most cells a window spans along each axis */
    double wd = floor(2 * k.reach * k.inv_cell) + 3;
    size_t wx = wd >= (double)nx ? nx : (size_t)wd, wy = wd >= (double)ny ? ny : (size_t)wd;
    /* rounded up to whole 64-byte lines and one spare line, so that two
     * threads never write to the same line */
    size_t per_band = (2 * wx + wy + 15) / 8 * 8;

    unsigned nth = params->threads;
    if (nth == 0) {
        long cores = sysconf(_SC_NPROCESSORS_ONLN);
        nth = cores < 1                            ? 1u
              : cores > (long)KDE_AUTO_THREADS_MAX ? KDE_AUTO_THREADS_MAX
                                                   : (unsigned)cores;
    }
    if (nth > KDE_THREADS_MAX)
        nth = KDE_THREADS_MAX;
    if (nth > ny)
        nth = (unsigned)ny;

    double *px = malloc(n * sizeof *px), *py = malloc(n * sizeof *py);
    double *pw = malloc(n * sizeof *pw);
    size_t *first = calloc(ny + 1, sizeof *first);
    double *cum = malloc((ny + 1) * sizeof *cum);
    double *scratch = aligned_alloc(64, (size_t)nth * per_band * sizeof *scratch);
    double *fx = NULL, *fy = NULL;
    struct kde_band *bands = calloc(nth, sizeof *bands);
    pthread_t *th = calloc(nth, sizeof *th);
    bool *started = calloc(nth, sizeof *started);
    if (k.gauss && k.edge) {
        fx = malloc(nx * sizeof *fx);
        fy = malloc(ny * sizeof *fy);
    }
    if (!px || !py || !pw || !first || !cum || !scratch || !bands || !th || !started ||
        (k.gauss && k.edge && (!fx || !fy))) {
        rc = ag_error_set(err, AG_ENOMEM, "kernel density: out of memory");
        goto done;
    }

    /* Stable counting sort of the points by row. */
    for (size_t i = 0; i < n; i++)
        first[row_of(&k, pts[i].y) + 1]++;
    for (size_t r = 0; r < ny; r++)
        first[r + 1] += first[r];
    for (size_t i = 0; i < n; i++) {
        size_t at = first[row_of(&k, pts[i].y)]++;
        px[at] = pts[i].x;
        py[at] = pts[i].y;
        pw[at] = weights ? weights[i] : 1.0;
    }
    for (size_t r = ny; r > 0; r--)
        first[r] = first[r - 1];
    first[0] = 0;
    k.px = px;
    k.py = py;
    k.pw = pw;
    k.first = first;

    if (fx) {
        double xmax = k.x0 + (double)nx * k.cell, ymax = k.y0 + (double)ny * k.cell;
        for (size_t ix = 0; ix < nx; ix++) {
            double u = centre(k.x0, k.cell, ix);
            fx[ix] = gauss_axis_factor((u - k.x0) / k.bw, (xmax - u) / k.bw);
        }
        for (size_t iy = 0; iy < ny; iy++) {
            double u = centre(k.y0, k.cell, iy);
            fy[iy] = gauss_axis_factor((u - k.y0) / k.bw, (ymax - u) / k.bw);
        }
    }
    k.fx = fx;
    k.fy = fy;

    /* Bands of about equal work: a row costs the points that reach it
     * times a chord, plus its cells (zeroing, edge correction). */
    double chord = 1.6 * k.reach * k.inv_cell + 4;
    if (chord > (double)nx)
        chord = (double)nx;
    cum[0] = 0;
    for (size_t r = 0; r < ny; r++) {
        size_t lo = r > k.reach_rows ? r - k.reach_rows : 0;
        size_t hi = ny - r - 1 > k.reach_rows ? r + k.reach_rows + 1 : ny;
        cum[r + 1] = cum[r] + (double)(first[hi] - first[lo]) * chord + 0.25 * (double)nx;
    }
    size_t r0 = 0;
    for (unsigned t = 0; t < nth; t++) {
        size_t r1 = ny;
        if (t + 1 < nth) {
            double goal = cum[ny] * (double)(t + 1) / (double)nth;
            r1 = r0 + 1;
            while (r1 < ny && cum[r1] < goal)
                r1++;
            if (r1 > ny - (nth - t - 1))
                r1 = ny - (nth - t - 1);
        }
        double *sb = scratch + (size_t)t * per_band;
        bands[t] = (struct kde_band){&k, r0, r1, sb, sb + wx, sb + 2 * wx};
        r0 = r1;
    }
    for (unsigned t = 1; t < nth; t++) {
        started[t] = pthread_create(&th[t], NULL, kde_band_run, &bands[t]) == 0;
        if (!started[t])
            kde_band_run(&bands[t]); /* no thread: do it here */
    }
    kde_band_run(&bands[0]);
    for (unsigned t = 1; t < nth; t++)
        if (started[t])
            pthread_join(th[t], NULL);

done:
    free(px);
    free(py);
    free(pw);
    free(first);
    free(cum);
    free(scratch);
    free(fx);
    free(fy);
    free(bands);
    free(th);
    free(started);
    return rc;
}

/* ---- bandwidth rules ---- */

int ag_incidents_bandwidth(const struct ag_xy *pts, size_t n, enum ag_incidents_bw_rule rule,
                           double *sigma_m, struct ag_error *err)
{
    if (!sigma_m)
        return ag_error_set(err, AG_EINVAL, "bandwidth: no output");
    if (rule != AG_INCIDENTS_BW_SCOTT && rule != AG_INCIDENTS_BW_SILVERMAN)
        return ag_error_set(err, AG_EINVAL, "bandwidth: unknown rule %d", (int)rule);
    int rc = ag__incidents_check_points(pts, NULL, n, 2, "bandwidth", err);
    if (rc || n < 2) /* (n < 2 is refused there: said again for the analysers) */
        return rc ? rc : AG_EINVAL;
    double mx = 0, my = 0;
    for (size_t i = 0; i < n; i++) {
        mx += pts[i].x;
        my += pts[i].y;
    }
    mx /= (double)n;
    my /= (double)n;
    double sxx = 0, syy = 0;
    for (size_t i = 0; i < n; i++) {
        double dx = pts[i].x - mx, dy = pts[i].y - my;
        sxx += dx * dx;
        syy += dy * dy;
    }
    double sigma;
    if (rule == AG_INCIDENTS_BW_SCOTT) {
        /* spatstat bw.scott(isotropic = TRUE): the geometric mean of the two
         * sample standard deviations (R's sd, n − 1), times n^(−1/(d+4))
         * with d = 2. spatstat floors each sd at the machine epsilon; a zero
         * sd here is refused instead, since σ would be meaningless. */
        double sx = sqrt(sxx / (double)(n - 1)), sy = sqrt(syy / (double)(n - 1));
        if (!(sx > 0) || !(sy > 0))
            return ag_error_set(err, AG_EINVAL,
                                "bandwidth: Scott's rule needs spread along both axes, the "
                                "points have none along %s",
                                !(sx > 0) ? "x" : "y");
        sigma = sqrt(sx) * sqrt(sy) * pow((double)n, -1.0 / 6);
    } else {
        /* ArcGIS's spatial Silverman rule: the standard distance SD =
         * sqrt(Σ d_i² / n) (population form, as Esri's Standard Distance
         * tool) and the median D_m of the distances d_i to the mean centre
         * (for even n the mean of the two middle ones). Both estimate √2
         * times the per-axis σ of a normal cloud: E[d²] = 2σ², and the
         * median of d is σ √(2 ln 2), hence the factor √(1/ln 2). */
        double *d = malloc(n * sizeof *d);
        if (!d)
            return ag_error_set(err, AG_ENOMEM, "bandwidth: out of memory");
        for (size_t i = 0; i < n; i++)
            d[i] = hypot(pts[i].x - mx, pts[i].y - my);
        qsort(d, n, sizeof *d, ag__incidents_cmp_double);
        double dm = n % 2 ? d[n / 2] : 0.5 * (d[n / 2 - 1] + d[n / 2]);
        free(d);
        double sd = sqrt((sxx + syy) / (double)n);
        double spread = fmin(sd, sqrt(1 / M_LN2) * dm);
        if (!(spread > 0))
            return ag_error_set(err, AG_EINVAL, "bandwidth: Silverman's rule gives 0: %s",
                                sd > 0 ? "more than half of the points lie at their mean centre"
                                       : "all points coincide");
        sigma = 0.9 * spread * pow((double)n, -0.2);
    }
    if (!isfinite(sigma))
        return ag_error_set(err, AG_EINVAL,
                            "bandwidth: the points' spread overflows (coordinates too large)");
    *sigma_m = sigma;
    return 0;
}

double ag_incidents_quartic_radius(double sigma_m)
{
    /* Per-axis variance of the biweight of radius h: E[r²] = ∫ r² K 2πr dr
     * = h²/4, split equally between the axes, h²/8 = σ². */
    return sqrt(8.0) * sigma_m;
}
