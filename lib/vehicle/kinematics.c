/* Vehicle kinematics and speed caps in bends (docs/methodology.md,
 * "Vehicle kinematics"). SPDX-License-Identifier: EUPL-1.2 */
#include "private.h"

#include <math.h>
#include <stdlib.h>

double ag_kin_accel(const struct ag_kin *k, double v, double sin_slope)
{
    double a = k->a0;
    if (k->model == AG_VEHICLE_POWER && v > 0 && k->mass_kg > 0) {
        double ap = k->power_w / (k->mass_kg * v);
        if (ap < a)
            a = ap;
    }
    return a - AG_GRAVITY * sin_slope;
}

/* dE/ds = a(v) with E = v²/2 (so ds appears linearly), classic fourth-order
 * Runge-Kutta. E rather than v keeps the equation regular at v = 0. */
double ag__kin_run_numeric(const struct ag_kin *k, double v0, double s, double sin_slope)
{
    int steps = (int)ceil(s / 0.5);
    if (steps < 16)
        steps = 16;
    if (steps > 200000)
        steps = 200000;
    double h = s / steps, e = v0 * v0 / 2, emax = k->vmax * k->vmax / 2;
    for (int i = 0; i < steps; i++) {
#define ACC(E) ag_kin_accel(k, sqrt(2 * ((E) > 0 ? (E) : 0)), sin_slope)
        double k1 = ACC(e);
        double k2 = ACC(e + h * k1 / 2);
        double k3 = ACC(e + h * k2 / 2);
        double k4 = ACC(e + h * k3);
#undef ACC
        e += h * (k1 + 2 * k2 + 2 * k3 + k4) / 6;
        if (e <= 0)
            return 0;
        if (e >= emax)
            return k->vmax;
    }
    return sqrt(2 * e);
}

void ag__kin_prepare(struct ag__kin_run *r, const struct ag_kin *k)
{
    r->k = k;
    r->level_power = k->power_w > 0 && k->mass_kg > 0;
    r->two_a0 = 2 * k->a0;
    r->pm = k->power_w / k->mass_kg;
    r->three_pm = 3 * r->pm;
    r->v1 = r->pm / k->a0;
    r->v1_sq = r->v1 * r->v1;
    /* vmax³ (1 + 2⁻³⁰): above it the exact cube root exceeds vmax by more
     * than 10⁻¹⁰ of it, millions of times cbrt's error (a few ulps), so
     * cbrt's result, capped at vmax, is vmax. */
    r->vmax_cube = k->vmax * k->vmax * k->vmax * (1 + 0x1p-30);
}

double ag_kin_run(const struct ag_kin *k, double v0, double s, double sin_slope)
{
    struct ag__kin_run r;
    ag__kin_prepare(&r, k);
    return ag__kin_run(&r, v0, s, sin_slope);
}

double ag_bend_radius(double theta, double width_m, double centre_radius_m)
{
    theta = fabs(theta);
    if (theta < 1e-9)
        return INFINITY;
    double half = (theta < M_PI ? theta : M_PI) / 2;
    double w = width_m, R = centre_radius_m > w / 2 ? centre_radius_m : w / 2;
    return R + w / (1 - cos(half)) - w / 2;
}

/* Signed turn at b between a->b and b->c, in (-pi, pi]: the angle between
 * the two directions, from their cross and dot products (one atan2). */
static double turn(struct ag_xy a, struct ag_xy b, struct ag_xy c)
{
    double ux = b.x - a.x, uy = b.y - a.y, vx = c.x - b.x, vy = c.y - b.y;
    return atan2(ux * vy - uy * vx, ux * vx + uy * vy);
}

/* Turns below half a degree are drawing noise, not bends. */
#define MIN_TURN (0.5 * M_PI / 180)

/* Whether segment ab is shorter than a nanometre (compared squared: this
 * runs for every vertex of every bend estimate, and hypot is dear). */
static bool no_length(struct ag_xy a, struct ag_xy b)
{
    double dx = b.x - a.x, dy = b.y - a.y;
    return dx * dx + dy * dy < 1e-18;
}

/* Turn and sharp-corner tangent length at interior vertex i; a vertex with
 * a zero-length neighbour segment takes no turn. */
static struct ag__vturn vertex_turn(const struct ag_xy *p, const double *widths, size_t i)
{
    struct ag__vturn t = {0, 0, 0, true};
    if (no_length(p[i - 1], p[i]) || no_length(p[i], p[i + 1]))
        return t;
    t.th = turn(p[i - 1], p[i], p[i + 1]);
    t.w = widths[i - 1] < widths[i] ? widths[i - 1] : widths[i];
    if (fabs(t.th) >= MIN_TURN)
        t.tan_len = ag_bend_radius(t.th, t.w, 0) * tan(fabs(t.th) / 2);
    return t;
}

/* Whether vertices k and k + 1 are one bend: both turn, the same way, and
 * their corners' arcs (tangent lengths, doubled to take in coarse drawings)
 * would overlap along the segment between them. */
static bool linked(const struct ag_xy *p, const struct ag__vturn *t, size_t k)
{
    return fabs(t[k].th) >= MIN_TURN && fabs(t[k + 1].th) >= MIN_TURN &&
           (t[k + 1].th > 0) == (t[k].th > 0) &&
           ag_xy_dist(p[k], p[k + 1]) <= 2 * (t[k].tan_len + t[k + 1].tan_len);
}

/* The path radius through the bend of vertices a..b. */
static double bend_radius_of(const struct ag_xy *p, const struct ag__vturn *t, size_t a, size_t b)
{
    double total = 0, w = t[a].w, rsum = 0;
    for (size_t k = a; k <= b; k++) {
        total += fabs(t[k].th);
        if (t[k].w < w)
            w = t[k].w;
    }
    /* Centreline radius from each chord between bend vertices: a chord c
     * of a circle spanning angle phi has c = 2 R sin(phi / 2), and at a
     * vertex of a polygon inscribed in the circle the turn equals the
     * angle its chords span. */
    for (size_t k = a; k < b; k++) {
        double phi = (fabs(t[k].th) + fabs(t[k + 1].th)) / 2;
        rsum += ag_xy_dist(p[k], p[k + 1]) / (2 * sin(phi / 2));
    }
    double R = b > a ? rsum / (double)(b - a) : 0;
    return ag_bend_radius(total, w, R);
}

int ag_path_speed_caps(const struct ag_xy *p, size_t n, const double *widths, double a_lat,
                       double *cap, double *radius)
{
    for (size_t i = 0; i < n; i++) {
        cap[i] = INFINITY;
        if (radius)
            radius[i] = INFINITY;
    }
    if (n < 3)
        return 0;
    /* Bends of short paths need no heap. */
    struct ag__vturn small[64];
    struct ag__vturn *t = n <= 64 ? small : malloc(n * sizeof *t);
    if (!t)
        return AG_ENOMEM;
    t[0] = t[n - 1] = (struct ag__vturn){0, 0, 0, true};
    for (size_t i = 1; i + 1 < n; i++)
        t[i] = vertex_turn(p, widths, i);
    size_t i = 1;
    while (i + 1 < n) {
        if (fabs(t[i].th) < MIN_TURN) {
            i++;
            continue;
        }
        /* Grow the bend while the next vertex is linked to it. */
        size_t a = i, b = i;
        while (b + 2 < n && linked(p, t, b))
            b++;
        double r = bend_radius_of(p, t, a, b);
        for (size_t k = a; k <= b; k++) {
            cap[k] = sqrt(a_lat * r);
            if (radius)
                radius[k] = r;
        }
        i = b + 1;
    }
    if (t != small)
        free(t);
    return 0;
}

double ag__bend_at(const struct ag_xy *p, size_t n, const double *widths, size_t j,
                   struct ag__vturn *t, size_t *a, size_t *b)
{
    *a = *b = j;
    if (j < 1 || j + 2 > n)
        return INFINITY;
#define KNOW(i) (t[i].known ? (void)0 : (void)(t[i] = vertex_turn(p, widths, i)))
    KNOW(j);
    if (fabs(t[j].th) < MIN_TURN)
        return INFINITY;
    /* ag_path_speed_caps grows each bend from its first vertex while the
     * next is linked, and starts the next bend after it: bends are exactly
     * the maximal runs of linked neighbours among interior vertices. */
    size_t lo = j, hi = j;
    while (lo > 1) {
        KNOW(lo - 1);
        if (!linked(p, t, lo - 1))
            break;
        lo--;
    }
    while (hi + 2 < n) {
        KNOW(hi + 1);
        if (!linked(p, t, hi))
            break;
        hi++;
    }
#undef KNOW
    *a = lo;
    *b = hi;
    return bend_radius_of(p, t, lo, hi);
}
