/* Local metric projection: WGS 84 lon/lat <-> transverse Mercator metres.
 *
 * Krüger's series to sixth order in the third flattening n, as written by
 * Karney, "Transverse Mercator with an accuracy of a few nanometers",
 * J. Geodesy 85 (2011) 475-485, eqs. (7)-(11), (35)-(36): within a city the
 * series is exact to a few nanometres, and it agrees with PROJ's
 * +proj=tmerc (the Poder/Engsager form of the same series) to within a
 * nanometre (tests/unit/test_geo.c checks it against PROJ itself). Written
 * here rather than called through PROJ because a projection is all most
 * commands need, and loading PROJ (its library closure, ~21 ms at start-up,
 * and proj.db, ~14 ms) cost more than the analyses that use it
 * (docs/internals/vehicle.md). docs/methodology.md §1.
 * SPDX-License-Identifier: EUPL-1.2 */
#include "agora/geo.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>

/* WGS 84 (NIMA TR8350.2, 2000, table 3.1). */
#define WGS84_A 6378137.0
#define WGS84_F (1 / 298.257223563)

#define SERIES 6

struct ag_proj {
    struct ag_ll origin;
    double lon0;            /* degrees */
    double e, e2m;          /* eccentricity, 1 - e^2 */
    double a1;              /* rectifying radius times the scale factor (1) */
    double alp[SERIES + 1]; /* forward series, alp[1..6] */
    double bet[SERIES + 1]; /* inverse series, bet[1..6] */
    double y0;              /* northing of the origin's latitude */
};

static double deg2rad(double d)
{
    return d * (M_PI / 180);
}
static double rad2deg(double r)
{
    return r * (180 / M_PI);
}

/* e * atanh(e * x) */
static double eatanhe(const struct ag_proj *p, double x)
{
    return p->e * atanh(p->e * x);
}

/* sqrt(1 + x^2): hyp1(x) without its care for overflow, which no
 * latitude needs (tan of 90 degrees in doubles is 1.6e16). */
static double hyp1(double x)
{
    return sqrt(1 + x * x);
}

/* tan(chi), chi the conformal latitude, from tau = tan(phi) (Karney 2011,
 * eqs. 7-9). */
static double taupf(const struct ag_proj *p, double tau)
{
    double tau1 = hyp1(tau);
    double sig = sinh(eatanhe(p, tau / tau1));
    return hyp1(sig) * tau - sig * tau1;
}

/* tau = tan(phi) from taup = tan(chi): Newton's method on taupf (Karney
 * 2011, eqs. 19-21); two or three steps reach full precision. */
static double tauf(const struct ag_proj *p, double taup)
{
    const double tol = sqrt(DBL_EPSILON) / 10;
    double tau = fabs(taup) > 70 ? taup * exp(eatanhe(p, 1)) : taup / p->e2m;
    double stol = tol * fmax(1, fabs(taup));
    if (!(fabs(tau) < 2 / sqrt(DBL_EPSILON)))
        return tau; /* a pole */
    for (int i = 0; i < 5; i++) {
        double taupa = taupf(p, tau);
        double dtau =
            (taup - taupa) * (1 + p->e2m * tau * tau) / (p->e2m * hyp1(tau) * hyp1(taupa));
        tau += dtau;
        if (!(fabs(dtau) >= stol))
            break;
    }
    return tau;
}

/* z + sum_j c[j] sin(2 j z) for complex z = xi + i eta, by Clenshaw's
 * recurrence: one sine and cosine of 2z instead of six, and those from one
 * sincos and one exp. */
static void krueger(const double *c, double xi, double eta, double *oxi, double *oeta)
{
    double s = sin(2 * xi), co = cos(2 * xi);
    double ex = exp(2 * eta), sh = (ex - 1 / ex) / 2, ch = (ex + 1 / ex) / 2;
    /* sin 2z = a + ib, cos 2z = ca + i cb */
    double a = s * ch, b = co * sh, ca = co * ch, cb = -s * sh;
    double y1r = 0, y1i = 0, y2r = 0, y2i = 0;
    for (int j = SERIES; j >= 1; j--) {
        /* y = c_j + 2 cos(2z) y1 - y2 */
        double yr = c[j] + 2 * (ca * y1r - cb * y1i) - y2r;
        double yi = 2 * (ca * y1i + cb * y1r) - y2i;
        y2r = y1r;
        y2i = y1i;
        y1r = yr;
        y1i = yi;
    }
    *oxi = xi + (y1r * a - y1i * b);
    *oeta = eta + (y1r * b + y1i * a);
}

/* (xi, eta) of the point at latitude phi, longitude lam from the central
 * meridian (radians, |lam| <= pi/2), in units of the rectifying radius. */
static void fwd_unit(const struct ag_proj *p, double phi, double lam, double *xi, double *eta)
{
    double taup = taupf(p, tan(phi));
    double sl = sin(lam), c = cos(lam);
    double xip = atan2(taup, c);
    double etap = asinh(sl / hypot(taup, c));
    krueger(p->alp, xip, etap, xi, eta);
}

int ag_proj_new(struct ag_proj **out, double lon0, double lat0, struct ag_error *err)
{
    if (!out)
        return ag_error_set(err, AG_EINVAL, "ag_proj_new: no output pointer");
    *out = NULL;
    if (!isfinite(lon0) || !isfinite(lat0) || fabs(lon0) > 180 || fabs(lat0) > 90)
        return ag_error_set(err, AG_EINVAL, "projection origin out of range: lon %g lat %g", lon0,
                            lat0);
    struct ag_proj *p = calloc(1, sizeof *p);
    if (!p)
        return ag_error_set(err, AG_ENOMEM, "out of memory");
    p->origin = (struct ag_ll){lon0, lat0};
    p->lon0 = lon0;
    double f = WGS84_F, n = f / (2 - f), n2 = n * n;
    double e2 = f * (2 - f);
    p->e = sqrt(e2);
    p->e2m = 1 - e2;
    /* Karney 2011, eq. (14): A = a / (1 + n) (1 + n^2/4 + n^4/64 + n^6/256). */
    p->a1 = WGS84_A / (1 + n) * (1 + n2 * (1.0 / 4 + n2 * (1.0 / 64 + n2 / 256)));
    /* Eq. (35), alpha_j, and eq. (36), beta_j, in Horner form. */
    double n3 = n2 * n, n4 = n3 * n, n5 = n4 * n, n6 = n5 * n;
    p->alp[1] =
        n / 2 - 2 * n2 / 3 + 5 * n3 / 16 + 41 * n4 / 180 - 127 * n5 / 288 + 7891 * n6 / 37800;
    p->alp[2] =
        13 * n2 / 48 - 3 * n3 / 5 + 557 * n4 / 1440 + 281 * n5 / 630 - 1983433 * n6 / 1935360;
    p->alp[3] = 61 * n3 / 240 - 103 * n4 / 140 + 15061 * n5 / 26880 + 167603 * n6 / 181440;
    p->alp[4] = 49561 * n4 / 161280 - 179 * n5 / 168 + 6601661 * n6 / 7257600;
    p->alp[5] = 34729 * n5 / 80640 - 3418889 * n6 / 1995840;
    p->alp[6] = 212378941 * n6 / 319334400;
    p->bet[1] = n / 2 - 2 * n2 / 3 + 37 * n3 / 96 - n4 / 360 - 81 * n5 / 512 + 96199 * n6 / 604800;
    p->bet[2] = n2 / 48 + n3 / 15 - 437 * n4 / 1440 + 46 * n5 / 105 - 1118711 * n6 / 3870720;
    p->bet[3] = 17 * n3 / 480 - 37 * n4 / 840 - 209 * n5 / 4480 + 5569 * n6 / 90720;
    p->bet[4] = 4397 * n4 / 161280 - 11 * n5 / 504 - 830251 * n6 / 7257600;
    p->bet[5] = 4583 * n5 / 161280 - 108847 * n6 / 3991680;
    p->bet[6] = 20648693 * n6 / 638668800;
    /* The inverse series subtracts: store its coefficients negated. */
    for (int j = 1; j <= SERIES; j++)
        p->bet[j] = -p->bet[j];
    double xi0, eta0;
    fwd_unit(p, deg2rad(lat0), 0, &xi0, &eta0);
    p->y0 = p->a1 * xi0;
    *out = p;
    return 0;
}

void ag_proj_free(struct ag_proj *p)
{
    free(p);
}

struct ag_ll ag_proj_origin(const struct ag_proj *p)
{
    return p->origin;
}

/* Longitude from the central meridian, in (-180, 180]. */
static double lon_diff(double lon, double lon0)
{
    double d = lon - lon0;
    if (d > 180)
        d -= 360;
    else if (d <= -180)
        d += 360;
    return d;
}

struct ag_xy ag_proj_fwd(const struct ag_proj *p, struct ag_ll ll)
{
    double lam = isfinite(ll.lon) ? lon_diff(ll.lon, p->lon0) : NAN;
    /* The projection of a city: the hemisphere around the central meridian
     * (beyond it the series does not hold), NaN elsewhere. */
    if (!isfinite(ll.lat) || !(fabs(ll.lat) <= 90) || !(fabs(lam) <= 90))
        return (struct ag_xy){NAN, NAN};
    double xi, eta;
    fwd_unit(p, deg2rad(ll.lat), deg2rad(lam), &xi, &eta);
    return (struct ag_xy){p->a1 * eta, p->a1 * xi - p->y0};
}

struct ag_ll ag_proj_inv(const struct ag_proj *p, struct ag_xy xy)
{
    struct ag_ll nan = {NAN, NAN};
    if (!isfinite(xy.x) || !isfinite(xy.y))
        return nan;
    double xi = (xy.y + p->y0) / p->a1, eta = xy.x / p->a1;
    if (!(fabs(xi) <= M_PI / 2))
        return nan; /* beyond a pole */
    double xip, etap;
    krueger(p->bet, xi, eta, &xip, &etap);
    double s = sinh(etap), c = fmax(0, cos(xip)), r = hypot(s, c);
    double lat, lam;
    if (r != 0) {
        lam = rad2deg(atan2(s, c));
        lat = rad2deg(atan(tauf(p, sin(xip) / r)));
    } else { /* a pole */
        lam = 0;
        lat = xip < 0 ? -90 : 90;
    }
    double lon = p->lon0 + lam;
    if (lon > 180)
        lon -= 360;
    else if (lon <= -180)
        lon += 360;
    if (!isfinite(lat) || !isfinite(lon))
        return nan;
    return (struct ag_ll){lon, lat};
}
