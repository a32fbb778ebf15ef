/* Unit tests for the kernel density part of agora/incidents.h: the grid
 * sums, the edge correction, the bandwidth rules.
 *
 * Every expected number is computed another way in the test: a brute-force
 * double loop over every cell and every point with the kernel written out
 * (untruncated Gaussian, quartic from the distance), the edge-correction
 * integral by the closed form of the normal distribution (Gaussian) or by
 * quadrature (quartic: a plain 2-D midpoint rule, and a 1-D Simpson rule
 * over x of the exact integral over y), masses against the number of
 * points, and the bandwidths by hand.
 * SPDX-License-Identifier: EUPL-1.2 */
/* cmocka.h needs these four first, in this order. */
/* clang-format off */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
/* clang-format on */

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agora/incidents.h"
#include "incidents/incidents_int.h"

#define assert_near(actual, expected, tol)                                                         \
    do {                                                                                           \
        double a_ = (actual), e_ = (expected), t_ = (tol);                                         \
        if (!(fabs(a_ - e_) <= t_))                                                                \
            fail_msg("%s = %.17g, expected %.17g within %g", #actual, a_, e_, t_);                 \
    } while (0)

#define assert_ok(call)                                                                            \
    do {                                                                                           \
        struct ag_error e_ = {0};                                                                  \
        int rc_ = (call);                                                                          \
        if (rc_ != 0)                                                                              \
            fail_msg("%s failed: %s: %s", #call, ag_errname(rc_), e_.msg);                         \
    } while (0)

/* ---- fixtures and oracles ---- */

static double uniform(struct ag_rng *r, double lo, double hi)
{
    return lo + (hi - lo) * ag_rng_uniform(r);
}

static double cell_x(const struct ag_incidents_grid *g, size_t ix)
{
    return g->x0 + ((double)ix + 0.5) * g->cell_m;
}

static double cell_y(const struct ag_incidents_grid *g, size_t iy)
{
    return g->y0 + ((double)iy + 0.5) * g->cell_m;
}

/* The kernels as the header writes them, from the distance. */
static double kernel_at(enum ag_incidents_kernel kern, double bw, double d)
{
    if (kern == AG_INCIDENTS_KERNEL_GAUSSIAN)
        return exp(-0.5 * (d / bw) * (d / bw)) / (2 * M_PI * bw * bw);
    if (d >= bw)
        return 0;
    double u = 1 - (d / bw) * (d / bw);
    return 3 / (M_PI * bw * bw) * u * u;
}

/* Every point at every cell, no window, no truncation. */
static void brute_kde(const struct ag_xy *p, const double *w, size_t n,
                      const struct ag_incidents_grid *g, enum ag_incidents_kernel kern, double bw,
                      double *out)
{
    for (size_t iy = 0; iy < g->ny; iy++)
        for (size_t ix = 0; ix < g->nx; ix++) {
            double s = 0;
            for (size_t i = 0; i < n; i++)
                s += (w ? w[i] : 1) *
                     kernel_at(kern, bw, hypot(cell_x(g, ix) - p[i].x, cell_y(g, iy) - p[i].y));
            out[iy * g->nx + ix] = s;
        }
}

/* Normal cdf. */
static double Phi(double z)
{
    return 0.5 * erfc(-z / sqrt(2.0));
}

/* Gaussian edge factor: P(u + σZ in W), Z standard bivariate normal. */
static double gauss_edge(const struct ag_incidents_grid *g, double s, double ux, double uy)
{
    double x1 = g->x0 + (double)g->nx * g->cell_m, y1 = g->y0 + (double)g->ny * g->cell_m;
    return (Phi((x1 - ux) / s) - Phi((g->x0 - ux) / s)) *
           (Phi((y1 - uy) / s) - Phi((g->y0 - uy) / s));
}

/* Quartic edge factor by a 1-D Simpson rule over x of the exact integral
 * over y: with s² = h² − dx², K = 3/(π h⁶) (s² − dy²)², whose integral in
 * dy is s⁴t − 2/3 s²t³ + t⁵/5. */
static double antider(double s2, double t)
{
    double t2 = t * t;
    return t * (s2 * s2 - 2.0 / 3 * s2 * t2 + t2 * t2 / 5);
}

static double quartic_edge_simpson(const struct ag_incidents_grid *g, double h, double ux,
                                   double uy, int m)
{
    double x1 = g->x0 + (double)g->nx * g->cell_m, y1 = g->y0 + (double)g->ny * g->cell_m;
    double a = fmax(g->x0, ux - h), b = fmin(x1, ux + h);
    double step = (b - a) / m, sum = 0;
    for (int i = 0; i <= m; i++) {
        double x = a + step * i, dx = x - ux, s2 = h * h - dx * dx;
        double f = 0;
        if (s2 > 0) {
            double s = sqrt(s2);
            double t0 = fmax(g->y0 - uy, -s), t1 = fmin(y1 - uy, s);
            if (t1 > t0)
                f = antider(s2, t1) - antider(s2, t0);
        }
        sum += f * (i == 0 || i == m ? 1 : i % 2 ? 4 : 2);
    }
    return sum * step / 3 * 3 / (M_PI * pow(h, 6));
}

/* Quartic edge factor by a plain m × m midpoint rule over the part of W in
 * the kernel's bounding square. */
static double quartic_edge_midpoint(const struct ag_incidents_grid *g, double h, double ux,
                                    double uy, int m)
{
    double x1 = g->x0 + (double)g->nx * g->cell_m, y1 = g->y0 + (double)g->ny * g->cell_m;
    double ax = fmax(g->x0, ux - h), bx = fmin(x1, ux + h);
    double ay = fmax(g->y0, uy - h), by = fmin(y1, uy + h);
    double sx = (bx - ax) / m, sy = (by - ay) / m, sum = 0;
    for (int i = 0; i < m; i++)
        for (int j = 0; j < m; j++)
            sum += kernel_at(AG_INCIDENTS_KERNEL_QUARTIC, h,
                             hypot(ax + (i + 0.5) * sx - ux, ay + (j + 0.5) * sy - uy));
    return sum * sx * sy;
}

static double grid_mass(const double *out, const struct ag_incidents_grid *g)
{
    double s = 0;
    for (size_t c = 0; c < g->nx * g->ny; c++)
        s += out[c];
    return s * g->cell_m * g->cell_m;
}

static double *new_grid(const struct ag_incidents_grid *g)
{
    double *v = malloc(g->nx * g->ny * sizeof *v);
    assert_non_null(v);
    return v;
}

/* A grid at an awkward origin; scatter() spreads points uniformly over it
 * and up to margin metres beyond its sides. */
static const struct ag_incidents_grid odd_grid = {-123.4, 456.7, 10.0, 37, 29};

static struct ag_xy *scatter(size_t n, uint64_t seed, const struct ag_incidents_grid *g,
                             double margin)
{
    struct ag_xy *p = malloc(n * sizeof *p);
    assert_non_null(p);
    struct ag_rng r;
    ag_rng_seed(&r, seed);
    for (size_t i = 0; i < n; i++) {
        p[i].x = uniform(&r, g->x0 - margin, g->x0 + (double)g->nx * g->cell_m + margin);
        p[i].y = uniform(&r, g->y0 - margin, g->y0 + (double)g->ny * g->cell_m + margin);
    }
    return p;
}

/* The Gaussian sum leaves out, per point, values below its kernel at the
 * cutoff: at most Σ|w| K(cutoff σ) per cell. */
static double gauss_cut_slack(double sigma, double wsum)
{
    return wsum * exp(-0.5 * AG_INCIDENTS_GAUSS_CUTOFF * AG_INCIDENTS_GAUSS_CUTOFF) /
           (2 * M_PI * sigma * sigma);
}

/* ---- the sums ---- */

static void check_against_brute(enum ag_incidents_kernel kern, double bw, bool edge)
{
    const struct ag_incidents_grid *g = &odd_grid;
    size_t n = 300, cells = g->nx * g->ny;
    struct ag_xy *p = scatter(n, 7, g, 60);
    double *w = malloc(n * sizeof *w);
    assert_non_null(w);
    struct ag_rng r;
    ag_rng_seed(&r, 99);
    for (size_t i = 0; i < n; i++)
        w[i] = uniform(&r, 0.5, 3);
    double wsum = 0;
    for (size_t i = 0; i < n; i++)
        wsum += w[i];
    double *got = new_grid(g), *want = new_grid(g);
    struct ag_incidents_kde_params kp = {kern, bw, edge, 2};
    assert_ok(ag_incidents_kde(p, w, n, g, &kp, got, &e_));
    brute_kde(p, w, n, g, kern, bw, want);
    double peak = 0;
    for (size_t c = 0; c < cells; c++)
        peak = fmax(peak, want[c]);
    assert_true(peak > 0);
    for (size_t iy = 0; iy < g->ny; iy++)
        for (size_t ix = 0; ix < g->nx; ix++) {
            size_t c = iy * g->nx + ix;
            double e = 1, ux = cell_x(g, ix), uy = cell_y(g, iy);
            if (edge)
                e = kern == AG_INCIDENTS_KERNEL_GAUSSIAN
                        ? gauss_edge(g, bw, ux, uy)
                        : quartic_edge_simpson(g, bw, ux, uy, 2000);
            double slack = kern == AG_INCIDENTS_KERNEL_GAUSSIAN ? gauss_cut_slack(bw, wsum) : 0;
            double expect = want[c] / e;
            /* 1e-9 of the value, plus 1e-13 of the peak for the tiny
             * values at the rim of a quartic, where h² − d² is a
             * difference of nearly equal numbers. */
            assert_near(got[c], expect, 1e-9 * fabs(expect) + 1e-13 * peak + slack / e);
        }
    free(p);
    free(w);
    free(got);
    free(want);
}

/* Grid counts by hand: 3 x 2 cells of 10 m from (0, 0). Cells hold
 * [0,10) [10,20) [20,30) in x and [0,10) [10,20) in y; the far edges x = 30
 * and y = 20 belong to the last cells, points beyond them to none. */
static void test_grid_count_by_hand(void **state)
{
    (void)state;
    const struct ag_incidents_grid g = {0, 0, 10, 3, 2};
    const struct ag_xy pts[] = {
        {0, 0},           /* cell (0,0) = 0 */
        {10, 10},         /* cell (1,1) = 4 */
        {29.999, 19.999}, /* cell (2,1) = 5 */
        {30, 20},         /* the far corner: cell 5 */
        {30, 5},          /* the far east edge: cell (2,0) = 2 */
        {30.1, 5},        /* beyond the east edge: none */
        {-0.1, 5},        /* beyond the west edge: none */
        {5, 20.5},        /* beyond the north edge: none */
    };
    double counts[6] = {0, 0, 0, 0, 0, 1}; /* not zeroed: added to */
    ag_incidents_grid_count(&g, pts, sizeof pts / sizeof pts[0], counts);
    const double want[6] = {1, 0, 1, 0, 1, 3};
    for (int c = 0; c < 6; c++)
        assert_true(counts[c] == want[c]);
}

static void test_quartic_matches_brute_force_sum(void **state)
{
    (void)state;
    check_against_brute(AG_INCIDENTS_KERNEL_QUARTIC, 45, false);
    check_against_brute(AG_INCIDENTS_KERNEL_QUARTIC, 7, false);   /* under a cell */
    check_against_brute(AG_INCIDENTS_KERNEL_QUARTIC, 900, false); /* wider than the grid */
}

static void test_gaussian_matches_brute_force_sum(void **state)
{
    (void)state;
    check_against_brute(AG_INCIDENTS_KERNEL_GAUSSIAN, 12, false);
    check_against_brute(AG_INCIDENTS_KERNEL_GAUSSIAN, 3, false);
    check_against_brute(AG_INCIDENTS_KERNEL_GAUSSIAN, 150, false);
}

static void test_quartic_edge_correction_matches_quadrature(void **state)
{
    (void)state;
    check_against_brute(AG_INCIDENTS_KERNEL_QUARTIC, 45, true);
    check_against_brute(AG_INCIDENTS_KERNEL_QUARTIC, 250, true); /* h near the grid's size */
}

static void test_gaussian_edge_correction_matches_normal_cdf(void **state)
{
    (void)state;
    check_against_brute(AG_INCIDENTS_KERNEL_GAUSSIAN, 12, true);
    check_against_brute(AG_INCIDENTS_KERNEL_GAUSSIAN, 80, true);
}

/* The quartic correction on its own, at corners and sides, against a plain
 * 2-D midpoint rule: e = uncorrected / corrected at a cell. */
static void test_quartic_edge_factor_matches_midpoint_rule(void **state)
{
    (void)state;
    struct ag_incidents_grid g = {1000, 2000, 25, 16, 12};
    double h = 110;
    double *cor = new_grid(&g), *unc = new_grid(&g);
    struct ag_incidents_kde_params kp = {AG_INCIDENTS_KERNEL_QUARTIC, h, false, 1};
    const size_t cells[][2] = {{0, 0}, {15, 11}, {0, 11}, {15, 0}, {1, 2},
                               {7, 0}, {0, 5},   {3, 3},  {4, 4},  {5, 6}};
    struct ag_xy q[1]; /* one point next to the tested cell */
    for (size_t t = 0; t < sizeof cells / sizeof cells[0]; t++) {
        size_t ix = cells[t][0], iy = cells[t][1];
        double ux = cell_x(&g, ix), uy = cell_y(&g, iy);
        q[0] = (struct ag_xy){ux + 3, uy - 2};
        kp.edge_correct = false;
        assert_ok(ag_incidents_kde(q, NULL, 1, &g, &kp, unc, &e_));
        kp.edge_correct = true;
        assert_ok(ag_incidents_kde(q, NULL, 1, &g, &kp, cor, &e_));
        size_t c = iy * g.nx + ix;
        double e = unc[c] / cor[c];
        double want = quartic_edge_midpoint(&g, h, ux, uy, 1000);
        assert_near(e, want, 2e-6);
        /* far from every side the whole disc is inside: exactly 1 */
        if (ux - g.x0 >= h && uy - g.y0 >= h && g.x0 + 400 - ux >= h && g.y0 + 300 - uy >= h)
            assert_true(unc[c] == cor[c]);
    }
    free(unc);
    free(cor);
}

/* Near a single straight side the quartic correction is 1 minus the tail
 * of the kernel's marginal 16/(5π) (1 − x²)^(5/2) beyond the side. */
static void test_quartic_edge_factor_near_one_side_is_marginal_tail(void **state)
{
    (void)state;
    struct ag_incidents_grid g = {0, 0, 10, 20, 60};
    double h = 75;
    double *unc = new_grid(&g), *cor = new_grid(&g);
    for (size_t ix = 0; ix < 9; ix++) {
        size_t iy = 30; /* far from the bottom and the top */
        double ux = cell_x(&g, ix), uy = cell_y(&g, iy);
        struct ag_xy q[1] = {{ux + 1, uy + 1}};
        struct ag_incidents_kde_params kp = {AG_INCIDENTS_KERNEL_QUARTIC, h, false, 1};
        assert_ok(ag_incidents_kde(q, NULL, 1, &g, &kp, unc, &e_));
        kp.edge_correct = true;
        assert_ok(ag_incidents_kde(q, NULL, 1, &g, &kp, cor, &e_));
        size_t c = iy * g.nx + ix;
        /* tail beyond the left side, at distance a = ux / h, by Simpson */
        double a = ux / h, tail = 0;
        if (a < 1) {
            int m = 20000;
            double step = (1 - a) / m;
            for (int i = 0; i <= m; i++) {
                double x = a + step * i;
                tail += 16 / (5 * M_PI) * pow(1 - x * x, 2.5) *
                        (i == 0 || i == m ? 1
                         : i % 2          ? 4
                                          : 2);
            }
            tail *= step / 3;
        }
        assert_near(unc[c] / cor[c], 1 - tail, 1e-12);
    }
    free(unc);
    free(cor);
}

/* ---- single points ---- */

static void test_one_point_gaussian_is_the_normal_density(void **state)
{
    (void)state;
    struct ag_incidents_grid g = {-50, 20, 5, 40, 36};
    double sigma = 9;
    struct ag_xy p[1] = {{43.7, 101.2}};
    double *out = new_grid(&g);
    struct ag_incidents_kde_params kp = {AG_INCIDENTS_KERNEL_GAUSSIAN, sigma, false, 1};
    assert_ok(ag_incidents_kde(p, NULL, 1, &g, &kp, out, &e_));
    size_t inside = 0, cut = 0;
    for (size_t iy = 0; iy < g.ny; iy++)
        for (size_t ix = 0; ix < g.nx; ix++) {
            double dx = cell_x(&g, ix) - p[0].x, dy = cell_y(&g, iy) - p[0].y;
            double d2 = dx * dx + dy * dy, r = 7 * sigma;
            double v = out[iy * g.nx + ix];
            if (d2 < r * r * (1 - 1e-9)) {
                /* f(u) = exp(−|u − p|² / 2σ²) / (2π σ²) */
                double f = exp(-d2 / (2 * sigma * sigma)) / (2 * M_PI * sigma * sigma);
                assert_near(v, f, 1e-13 * f);
                inside++;
            } else if (d2 > r * r * (1 + 1e-9)) {
                assert_true(v == 0);
                cut++;
            }
        }
    assert_true(inside > 100 && cut > 100);
    /* at the cell under the point, by hand: (43.7, 101.2) is in cell
     * (18, 16), centre (42.5, 102.5): d² = 1.2² + 1.3² = 3.13 */
    assert_near(out[16 * g.nx + 18], exp(-3.13 / 162) / (2 * M_PI * 81), 1e-16);
    free(out);
}

static void test_one_point_quartic_is_zero_beyond_h(void **state)
{
    (void)state;
    struct ag_incidents_grid g = {0, 0, 1, 30, 30};
    /* on a cell centre: other centres lie at whole distances, some at
     * exactly h (3-4-5), where the kernel is 0 */
    struct ag_xy p[1] = {{15.5, 15.5}};
    double h = 5;
    double *out = new_grid(&g);
    struct ag_incidents_kde_params kp = {AG_INCIDENTS_KERNEL_QUARTIC, h, false, 1};
    assert_ok(ag_incidents_kde(p, NULL, 1, &g, &kp, out, &e_));
    for (size_t iy = 0; iy < g.ny; iy++)
        for (size_t ix = 0; ix < g.nx; ix++) {
            double d = hypot(cell_x(&g, ix) - 15.5, cell_y(&g, iy) - 15.5);
            double v = out[iy * g.nx + ix];
            if (d >= h)
                assert_true(v == 0);
            else
                assert_near(v, kernel_at(AG_INCIDENTS_KERNEL_QUARTIC, h, d), 1e-15);
        }
    free(out);
}

/* The quartic of radius √8 σ has per-axis variance σ²: checked on the
 * grid's own sum for one point, with a cell of h/40. */
static void test_quartic_radius_matches_gaussian_spread(void **state)
{
    (void)state;
    double sigma = 10, h = ag_incidents_quartic_radius(sigma);
    assert_near(h, sqrt(8.0) * sigma, 1e-12);
    struct ag_incidents_grid g = {-40, -40, h / 40, 0, 0};
    g.nx = g.ny = (size_t)(80 / g.cell_m) + 1;
    struct ag_xy p[1] = {{0.3, -0.2}};
    double *out = new_grid(&g);
    struct ag_incidents_kde_params kp = {AG_INCIDENTS_KERNEL_QUARTIC, h, false, 1};
    assert_ok(ag_incidents_kde(p, NULL, 1, &g, &kp, out, &e_));
    double m0 = 0, mxx = 0, myy = 0;
    for (size_t iy = 0; iy < g.ny; iy++)
        for (size_t ix = 0; ix < g.nx; ix++) {
            double v = out[iy * g.nx + ix], dx = cell_x(&g, ix) - p[0].x,
                   dy = cell_y(&g, iy) - p[0].y;
            m0 += v;
            mxx += v * dx * dx;
            myy += v * dy * dy;
        }
    assert_near(mxx / m0, sigma * sigma, 1e-3 * sigma * sigma);
    assert_near(myy / m0, sigma * sigma, 1e-3 * sigma * sigma);
    free(out);
}

/* ---- mass ---- */

static void test_mass_is_conserved_away_from_the_sides(void **state)
{
    (void)state;
    struct ag_incidents_grid g = {0, 0, 10, 60, 60}; /* 600 m square */
    size_t n = 200;
    struct ag_xy *p = malloc(n * sizeof *p);
    assert_non_null(p);
    struct ag_rng r;
    ag_rng_seed(&r, 5);
    for (size_t i = 0; i < n; i++)
        p[i] = (struct ag_xy){uniform(&r, 120, 480), uniform(&r, 120, 480)};
    double *out = new_grid(&g);
    /* cell = h/4 and σ/1.5; both supports (40 m, 7 × 15 m) stay inside.
     * The sum over cell centres is a midpoint rule for the kernel's
     * integral, 1 per point. */
    struct ag_incidents_kde_params q = {AG_INCIDENTS_KERNEL_QUARTIC, 40, false, 0};
    struct ag_incidents_kde_params gs = {AG_INCIDENTS_KERNEL_GAUSSIAN, 15, false, 0};
    assert_ok(ag_incidents_kde(p, NULL, n, &g, &q, out, &e_));
    assert_near(grid_mass(out, &g), (double)n, 1e-3 * (double)n);
    assert_ok(ag_incidents_kde(p, NULL, n, &g, &gs, out, &e_));
    assert_near(grid_mass(out, &g), (double)n, 1e-3 * (double)n);
    /* the correction leaves them alone: their supports do not reach a side */
    double *cor = new_grid(&g);
    q.edge_correct = true;
    assert_ok(ag_incidents_kde(p, NULL, n, &g, &q, cor, &e_));
    double *unc = new_grid(&g);
    q.edge_correct = false;
    assert_ok(ag_incidents_kde(p, NULL, n, &g, &q, unc, &e_));
    for (size_t c = 0; c < g.nx * g.ny; c++)
        if (unc[c] != 0)
            assert_true(cor[c] == unc[c]);
    free(p);
    free(out);
    free(cor);
    free(unc);
}

static void test_edge_correction_restores_mass_near_a_side(void **state)
{
    (void)state;
    struct ag_incidents_grid g = {0, 0, 5, 120, 120};
    size_t n = 300;
    struct ag_xy *p = malloc(n * sizeof *p);
    assert_non_null(p);
    struct ag_rng r;
    ag_rng_seed(&r, 11);
    for (size_t i = 0; i < n; i++) /* within 20 m of the left side */
        p[i] = (struct ag_xy){uniform(&r, 0, 20), uniform(&r, 100, 500)};
    double *unc = new_grid(&g), *cor = new_grid(&g);
    enum ag_incidents_kernel kern[2] = {AG_INCIDENTS_KERNEL_QUARTIC, AG_INCIDENTS_KERNEL_GAUSSIAN};
    double bw[2] = {40, 15};
    for (int k = 0; k < 2; k++) {
        struct ag_incidents_kde_params kp = {kern[k], bw[k], false, 2};
        assert_ok(ag_incidents_kde(p, NULL, n, &g, &kp, unc, &e_));
        kp.edge_correct = true;
        assert_ok(ag_incidents_kde(p, NULL, n, &g, &kp, cor, &e_));
        double mu = grid_mass(unc, &g), mc = grid_mass(cor, &g);
        assert_true(mu < 0.9 * (double)n); /* a good part lies beyond the side */
        /* at least half of what was missing comes back: the uniform
         * correction does not conserve mass exactly (Jones-Diggle would) */
        assert_true(fabs(mc - (double)n) < 0.5 * fabs(mu - (double)n));
    }
    free(p);
    free(unc);
    free(cor);
}

/* ---- threads, weights, points outside, nothing ---- */

static void test_threads_give_identical_grids(void **state)
{
    (void)state;
    struct ag_incidents_grid g = {500, -300, 8, 70, 61};
    size_t n = 1200;
    struct ag_xy *p = scatter(n, 21, &g, 100);
    struct ag_rng r;
    ag_rng_seed(&r, 3);
    for (size_t i = 0; i < n / 2; i++) /* a dense cluster: uneven bands */
        p[i] = (struct ag_xy){uniform(&r, 700, 760), uniform(&r, -150, -110)};
    double *w = malloc(n * sizeof *w);
    assert_non_null(w);
    for (size_t i = 0; i < n; i++)
        w[i] = uniform(&r, -1, 4);
    size_t cells = g.nx * g.ny;
    double *one = new_grid(&g), *other = new_grid(&g);
    enum ag_incidents_kernel kern[2] = {AG_INCIDENTS_KERNEL_QUARTIC, AG_INCIDENTS_KERNEL_GAUSSIAN};
    double bw[2] = {50, 20};
    unsigned threads[] = {2, 3, 0, 200}; /* 0: the machine's cores; 200: capped */
    for (int k = 0; k < 2; k++)
        for (int edge = 0; edge < 2; edge++) {
            struct ag_incidents_kde_params kp = {kern[k], bw[k], edge, 1};
            assert_ok(ag_incidents_kde(p, w, n, &g, &kp, one, &e_));
            for (size_t t = 0; t < sizeof threads / sizeof threads[0]; t++) {
                kp.threads = threads[t];
                memset(other, 0xA5, cells * sizeof *other); /* garbage: must be overwritten */
                assert_ok(ag_incidents_kde(p, w, n, &g, &kp, other, &e_));
                assert_memory_equal(one, other, cells * sizeof *one);
            }
        }
    free(p);
    free(w);
    free(one);
    free(other);
}

static void test_weight_two_equals_the_point_twice(void **state)
{
    (void)state;
    const struct ag_incidents_grid *g = &odd_grid;
    size_t n = 50, cells = g->nx * g->ny;
    struct ag_xy *p = scatter(n, 8, g, 30);
    struct ag_xy *dup = malloc((n + 1) * sizeof *dup);
    double *w = malloc(n * sizeof *w), *ones = malloc(n * sizeof *ones);
    assert_non_null(dup);
    assert_non_null(w);
    assert_non_null(ones);
    for (size_t i = 0; i < n; i++) {
        dup[i] = p[i];
        w[i] = 1;
        ones[i] = 1;
    }
    w[17] = 2;
    dup[n] = p[17];
    double *a = new_grid(g), *b = new_grid(g);
    for (int k = 0; k < 2; k++) {
        struct ag_incidents_kde_params kp = {k ? AG_INCIDENTS_KERNEL_GAUSSIAN
                                               : AG_INCIDENTS_KERNEL_QUARTIC,
                                             k ? 15.0 : 40.0, true, 2};
        assert_ok(ag_incidents_kde(p, w, n, g, &kp, a, &e_));
        assert_ok(ag_incidents_kde(dup, NULL, n + 1, g, &kp, b, &e_));
        for (size_t c = 0; c < cells; c++)
            assert_near(a[c], b[c], 1e-13 * fabs(b[c]) + 1e-300);
        /* no weights is the same as weights of 1, to the bit */
        assert_ok(ag_incidents_kde(p, ones, n, g, &kp, a, &e_));
        assert_ok(ag_incidents_kde(p, NULL, n, g, &kp, b, &e_));
        assert_memory_equal(a, b, cells * sizeof *a);
    }
    free(p);
    free(dup);
    free(w);
    free(ones);
    free(a);
    free(b);
}

static void test_points_outside_the_grid_contribute(void **state)
{
    (void)state;
    struct ag_incidents_grid g = {0, 0, 10, 10, 10};
    /* 20 m left of the grid and 15 m below it, and one far away */
    struct ag_xy p[3] = {{-20, 55}, {47, -15}, {1e9, -1e9}};
    double *out = new_grid(&g);
    struct ag_incidents_kde_params kp = {AG_INCIDENTS_KERNEL_QUARTIC, 40, false, 1};
    assert_ok(ag_incidents_kde(p, NULL, 3, &g, &kp, out, &e_));
    /* cell (0, 5): centre (5, 55), 25 m from the first point; (4, 0):
     * centre (45, 5), √(2² + 20²) from the second */
    assert_near(out[5 * 10 + 0], kernel_at(AG_INCIDENTS_KERNEL_QUARTIC, 40, 25), 1e-15);
    assert_near(out[0 * 10 + 4], kernel_at(AG_INCIDENTS_KERNEL_QUARTIC, 40, hypot(2, 20)), 1e-15);
    free(out);
}

static void test_no_points_gives_zeros(void **state)
{
    (void)state;
    struct ag_incidents_grid g = {0, 0, 10, 13, 7};
    double *out = new_grid(&g);
    memset(out, 0x7F, g.nx * g.ny * sizeof *out);
    struct ag_incidents_kde_params kp = {AG_INCIDENTS_KERNEL_GAUSSIAN, 20, true, 0};
    assert_ok(ag_incidents_kde(NULL, NULL, 0, &g, &kp, out, &e_));
    for (size_t c = 0; c < g.nx * g.ny; c++)
        assert_true(out[c] == 0);
    free(out);
}

static void test_kde_rejects_bad_arguments(void **state)
{
    (void)state;
    struct ag_xy p[3] = {{0, 0}, {1, 1}, {2, 2}};
    double w[3] = {1, 1, 1};
    struct ag_incidents_grid g = {0, 0, 10, 4, 4};
    struct ag_incidents_kde_params kp = {AG_INCIDENTS_KERNEL_QUARTIC, 20, false, 1};
    double out[16];
    struct ag_error err = {0};
#define EXPECT(code, needle, call)                                                                 \
    do {                                                                                           \
        memset(&err, 0, sizeof err);                                                               \
        assert_int_equal((call), (code));                                                          \
        if (!strstr(err.msg, (needle)))                                                            \
            fail_msg("message \"%s\" does not name \"%s\"", err.msg, (needle));                    \
    } while (0)
    EXPECT(AG_EINVAL, "grid", ag_incidents_kde(p, NULL, 3, NULL, &kp, out, &err));
    EXPECT(AG_EINVAL, "parameters", ag_incidents_kde(p, NULL, 3, &g, NULL, out, &err));
    EXPECT(AG_EINVAL, "output", ag_incidents_kde(p, NULL, 3, &g, &kp, NULL, &err));
    EXPECT(AG_EINVAL, "no point", ag_incidents_kde(NULL, NULL, 3, &g, &kp, out, &err));
    struct ag_incidents_grid bad = g;
    bad.nx = 0;
    EXPECT(AG_EINVAL, "no cell", ag_incidents_kde(p, NULL, 3, &bad, &kp, out, &err));
    bad = g;
    bad.ny = 0;
    EXPECT(AG_EINVAL, "no cell", ag_incidents_kde(p, NULL, 3, &bad, &kp, out, &err));
    const double bad_cells[] = {0, -10, NAN, INFINITY};
    for (size_t i = 0; i < 4; i++) {
        bad = g;
        bad.cell_m = bad_cells[i];
        EXPECT(AG_EINVAL, "cell_m", ag_incidents_kde(p, NULL, 3, &bad, &kp, out, &err));
    }
    bad = g;
    bad.x0 = NAN;
    EXPECT(AG_EINVAL, "origin", ag_incidents_kde(p, NULL, 3, &bad, &kp, out, &err));
    bad = g;
    bad.y0 = 1e308;
    bad.cell_m = 1e308;
    EXPECT(AG_EINVAL, "extent", ag_incidents_kde(p, NULL, 3, &bad, &kp, out, &err));
    bad = g;
    bad.nx = 10001;
    bad.ny = 10000;
    EXPECT(AG_ELIMIT, "limit", ag_incidents_kde(p, NULL, 3, &bad, &kp, out, &err));
    bad.nx = SIZE_MAX / 2;
    bad.ny = 3;
    bad.cell_m = 1e-300;
    EXPECT(AG_ELIMIT, "limit", ag_incidents_kde(p, NULL, 3, &bad, &kp, out, &err));
    struct ag_incidents_kde_params bk = kp;
    const double bad_bw[] = {0, -1, NAN, INFINITY, 1e-200, 1e200};
    for (size_t i = 0; i < 6; i++) {
        bk.bandwidth_m = bad_bw[i];
        EXPECT(AG_EINVAL, "bandwidth_m", ag_incidents_kde(p, NULL, 3, &g, &bk, out, &err));
    }
    bk = kp;
    bk.kernel = (enum ag_incidents_kernel)7;
    EXPECT(AG_EINVAL, "kernel", ag_incidents_kde(p, NULL, 3, &g, &bk, out, &err));
    p[2].y = NAN;
    EXPECT(AG_EINVAL, "point 3", ag_incidents_kde(p, NULL, 3, &g, &kp, out, &err));
    p[2].y = 2;
    w[1] = INFINITY;
    EXPECT(AG_EINVAL, "weight of point 2", ag_incidents_kde(p, w, 3, &g, &kp, out, &err));
    /* a NULL error record is fine */
    assert_int_equal(ag_incidents_kde(p, w, 3, &g, &kp, out, NULL), AG_EINVAL);
#undef EXPECT
}

/* ---- bandwidth rules ---- */

static void test_scott_rule_by_hand(void **state)
{
    (void)state;
    /* (0,0) (2,0) (0,4) (2,4): mean (1, 2); x deviations ±1, Σ = 4, s_x² =
     * 4/3; y deviations ±2, Σ = 16, s_y² = 16/3; √(s_x s_y) = (64/9)^(1/4) =
     * √(8/3) = 1.632993; n^(−1/6) = 4^(−1/6) = 2^(−1/3) = 0.793701;
     * σ = 1.296108. */
    struct ag_xy p[4] = {{0, 0}, {2, 0}, {0, 4}, {2, 4}};
    double s = 0;
    assert_ok(ag_incidents_bandwidth(p, 4, AG_INCIDENTS_BW_SCOTT, &s, &e_));
    assert_near(s, sqrt(8.0 / 3) * pow(2, -1.0 / 3), 1e-14);
    assert_near(s, 1.296108, 1e-6);
    /* a shift changes nothing, a scale scales */
    for (int i = 0; i < 4; i++)
        p[i] = (struct ag_xy){3 * p[i].x + 5e5, 3 * p[i].y - 4e6};
    double s3 = 0;
    assert_ok(ag_incidents_bandwidth(p, 4, AG_INCIDENTS_BW_SCOTT, &s3, &e_));
    assert_near(s3, 3 * s, 1e-9);
}

static void test_silverman_rule_by_hand(void **state)
{
    (void)state;
    /* (0,0) (2,0) (0,4) (2,4): every distance to the mean centre (1, 2) is
     * √5, so SD = √5 and D_m = √5; √(1/ln 2) √5 = 2.685 > SD, the minimum
     * is SD: σ = 0.9 √5 4^(−0.2) = 1.525160. */
    struct ag_xy p4[4] = {{0, 0}, {2, 0}, {0, 4}, {2, 4}};
    double s = 0;
    assert_ok(ag_incidents_bandwidth(p4, 4, AG_INCIDENTS_BW_SILVERMAN, &s, &e_));
    assert_near(s, 0.9 * sqrt(5.0) * pow(4, -0.2), 1e-14);
    assert_near(s, 1.525160, 1e-6);
    /* Eight points around (0, 0) at distances 1, 1, 3, 3, 5, 5, 40, 40:
     * SD = √((1 + 1 + 9 + 9 + 25 + 25 + 1600 + 1600) / 8) = √408.75 =
     * 20.22; D_m = (3 + 5) / 2 = 4 (even n: the two middle ones), so
     * √(1/ln 2) · 4 = 4.804 wins: σ = 0.9 · 4.804 · 8^(−0.2) = 2.852803. */
    struct ag_xy p8[8] = {{1, 0}, {-1, 0}, {0, 3}, {0, -3}, {0, 5}, {0, -5}, {40, 0}, {-40, 0}};
    assert_ok(ag_incidents_bandwidth(p8, 8, AG_INCIDENTS_BW_SILVERMAN, &s, &e_));
    assert_near(s, 0.9 * sqrt(1 / log(2.0)) * 4 * pow(8, -0.2), 1e-14);
    assert_near(s, 2.852803, 1e-6);
}

static void test_bandwidth_rejects_bad_input(void **state)
{
    (void)state;
    struct ag_xy p[4] = {{0, 0}, {2, 0}, {0, 4}, {2, 4}};
    double s = -1;
    struct ag_error err = {0};
    assert_int_equal(ag_incidents_bandwidth(p, 1, AG_INCIDENTS_BW_SCOTT, &s, &err), AG_EINVAL);
    assert_int_equal(ag_incidents_bandwidth(NULL, 4, AG_INCIDENTS_BW_SCOTT, &s, &err), AG_EINVAL);
    assert_int_equal(ag_incidents_bandwidth(p, 4, AG_INCIDENTS_BW_SCOTT, NULL, &err), AG_EINVAL);
    assert_int_equal(ag_incidents_bandwidth(p, 4, (enum ag_incidents_bw_rule)9, &s, &err),
                     AG_EINVAL);
    assert_non_null(strstr(err.msg, "rule"));
    struct ag_xy q[4] = {{0, 0}, {2, 0}, {0, INFINITY}, {2, 4}};
    assert_int_equal(ag_incidents_bandwidth(q, 4, AG_INCIDENTS_BW_SILVERMAN, &s, &err), AG_EINVAL);
    assert_non_null(strstr(err.msg, "point 3"));
    /* on a vertical line: no spread along x for Scott; Silverman is fine */
    struct ag_xy line[3] = {{5, 0}, {5, 1}, {5, 3}};
    assert_int_equal(ag_incidents_bandwidth(line, 3, AG_INCIDENTS_BW_SCOTT, &s, &err), AG_EINVAL);
    assert_non_null(strstr(err.msg, "along x"));
    assert_ok(ag_incidents_bandwidth(line, 3, AG_INCIDENTS_BW_SILVERMAN, &s, &e_));
    /* all at one place */
    struct ag_xy same[3] = {{5, 7}, {5, 7}, {5, 7}};
    assert_int_equal(ag_incidents_bandwidth(same, 3, AG_INCIDENTS_BW_SILVERMAN, &s, &err),
                     AG_EINVAL);
    assert_non_null(strstr(err.msg, "coincide"));
    /* three of five at the mean centre: D_m = 0 */
    struct ag_xy most[5] = {{0, 0}, {0, 0}, {0, 0}, {1, 0}, {-1, 0}};
    assert_int_equal(ag_incidents_bandwidth(most, 5, AG_INCIDENTS_BW_SILVERMAN, &s, &err),
                     AG_EINVAL);
    assert_non_null(strstr(err.msg, "half"));
    assert_true(s == -1 || s > 0); /* never set to a bad value */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_grid_count_by_hand),
        cmocka_unit_test(test_quartic_matches_brute_force_sum),
        cmocka_unit_test(test_gaussian_matches_brute_force_sum),
        cmocka_unit_test(test_quartic_edge_correction_matches_quadrature),
        cmocka_unit_test(test_gaussian_edge_correction_matches_normal_cdf),
        cmocka_unit_test(test_quartic_edge_factor_matches_midpoint_rule),
        cmocka_unit_test(test_quartic_edge_factor_near_one_side_is_marginal_tail),
        cmocka_unit_test(test_one_point_gaussian_is_the_normal_density),
        cmocka_unit_test(test_one_point_quartic_is_zero_beyond_h),
        cmocka_unit_test(test_quartic_radius_matches_gaussian_spread),
        cmocka_unit_test(test_mass_is_conserved_away_from_the_sides),
        cmocka_unit_test(test_edge_correction_restores_mass_near_a_side),
        cmocka_unit_test(test_threads_give_identical_grids),
        cmocka_unit_test(test_weight_two_equals_the_point_twice),
        cmocka_unit_test(test_points_outside_the_grid_contribute),
        cmocka_unit_test(test_no_points_gives_zeros),
        cmocka_unit_test(test_kde_rejects_bad_arguments),
        cmocka_unit_test(test_scott_rule_by_hand),
        cmocka_unit_test(test_silverman_rule_by_hand),
        cmocka_unit_test(test_bandwidth_rejects_bad_input),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
