/* Unit tests for agora/geo.h (except GeoJSON): projection, planar measures,
 * validity, buffers and the spatial index. Each expected number comes from
 * another route: PROJ's geodesic library (C. F. F. Karney, "Algorithms for
 * geodesics", J. Geodesy 87, 2013), a decomposition worked out by hand, or a
 * brute-force search.
 * SPDX-License-Identifier: EUPL-1.2 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <geodesic.h>
#include <proj.h>
#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agora/geo.h"

/* Monaco, near the Place d'Armes: the test region of the whole project. */
#define ORIGIN_LON 7.42
#define ORIGIN_LAT 43.73

#define assert_near(actual, expected, tol)                                     \
    do {                                                                       \
        double a_ = (actual), e_ = (expected), t_ = (tol);                     \
        if (!(fabs(a_ - e_) <= t_))                                            \
            fail_msg("%s = %.15g, expected %.15g within %g", #actual, a_, e_,  \
                     t_);                                                      \
    } while (0)

#define assert_rel(actual, expected, rel)                                      \
    do {                                                                       \
        double e2_ = (expected);                                               \
        assert_near(actual, e2_, fabs(e2_) * (rel));                           \
    } while (0)

static const double WGS84_A = 6378137.0;
static const double WGS84_F = 1 / 298.257223563;

static int setup_proj(void **state)
{
    struct ag_proj *p = NULL;
    struct ag_error err = {0};
    if (ag_proj_new(&p, ORIGIN_LON, ORIGIN_LAT, &err) != 0) {
        print_message("ag_proj_new: %s\n", err.msg);
        return -1;
    }
    *state = p;
    return 0;
}

static int teardown_proj(void **state)
{
    ag_proj_free(*state);
    return 0;
}

/* A multipolygon of one polygon whose rings are given in projected metres:
 * tests think in metres, the library stores lon/lat. Each ring is a count
 * followed by x, y pairs; the list ends with a count of 0. */
static struct ag_mpoly mpoly_from_xy(const struct ag_proj *p, const double *v)
{
    struct ag_mpoly mp = {0};
    struct ag_polygon pg = {0};
    while (*v != 0) {
        size_t n = (size_t)*v++;
        struct ag_ring ring = {calloc(n, sizeof(struct ag_ll)), n};
        assert_non_null(ring.pts);
        for (size_t i = 0; i < n; i++, v += 2)
            ring.pts[i] = ag_proj_inv(p, (struct ag_xy){v[0], v[1]});
        pg.rings = realloc(pg.rings, (pg.nrings + 1) * sizeof *pg.rings);
        assert_non_null(pg.rings);
        pg.rings[pg.nrings++] = ring;
    }
    mp.polys = malloc(sizeof *mp.polys);
    assert_non_null(mp.polys);
    mp.polys[0] = pg;
    mp.npolys = 1;
    return mp;
}

static struct ag_line line_from_xy(const struct ag_proj *p, const double *xy,
                                   size_t n)
{
    struct ag_line l = {calloc(n, sizeof(struct ag_ll)), n};
    assert_non_null(l.pts);
    for (size_t i = 0; i < n; i++)
        l.pts[i] = ag_proj_inv(p, (struct ag_xy){xy[2 * i], xy[2 * i + 1]});
    return l;
}

/* The lon/lat printed after "near" in a validation message. */
static struct ag_ll near_point(const char *msg)
{
    const char *s = strstr(msg, " near ");
    struct ag_ll ll = {NAN, NAN};
    assert_non_null(s);
    assert_int_equal(sscanf(s, " near %lf %lf", &ll.lon, &ll.lat), 2);
    return ll;
}

/* ---- projection ---- */

static void test_projection_origin_maps_to_zero(void **state)
{
    const struct ag_proj *p = *state;
    struct ag_xy o = ag_proj_fwd(p, (struct ag_ll){ORIGIN_LON, ORIGIN_LAT});
    assert_near(o.x, 0, 1e-9);
    assert_near(o.y, 0, 1e-9);
    struct ag_ll ll = ag_proj_origin(p);
    assert_near(ll.lon, ORIGIN_LON, 0);
    assert_near(ll.lat, ORIGIN_LAT, 0);
}

static void test_projection_round_trip_within_1e9_degrees(void **state)
{
    const struct ag_proj *p = *state;
    for (int i = -10; i <= 10; i++)
        for (int j = -10; j <= 10; j++) {
            struct ag_ll ll = {ORIGIN_LON + i * 0.01, ORIGIN_LAT + j * 0.01};
            struct ag_ll back = ag_proj_inv(p, ag_proj_fwd(p, ll));
            assert_near(back.lon, ll.lon, 1e-9);
            assert_near(back.lat, ll.lat, 1e-9);
        }
}

static void test_projection_east_and_north_are_positive(void **state)
{
    const struct ag_proj *p = *state;
    struct ag_xy e =
        ag_proj_fwd(p, (struct ag_ll){ORIGIN_LON + 0.01, ORIGIN_LAT});
    struct ag_xy n =
        ag_proj_fwd(p, (struct ag_ll){ORIGIN_LON, ORIGIN_LAT + 0.01});
    assert_true(e.x > 800 && e.x < 820); /* 0.01 deg * cos(43.73) */
    assert_true(n.y > 1100 && n.y < 1120);
}

/* 1 km pairs in 12 directions from points around Monaco: the planar
 * distance agrees with the geodesic one to 1e-5. */
static void test_projected_distance_matches_geodesic_1km(void **state)
{
    const struct ag_proj *p = *state;
    struct geod_geodesic g;
    geod_init(&g, WGS84_A, WGS84_F);
    const struct ag_ll starts[] = {
        {7.4246, 43.7384}, {7.4199, 43.7325}, {7.4100, 43.7250}};
    for (size_t s = 0; s < sizeof starts / sizeof *starts; s++)
        for (int k = 0; k < 12; k++) {
            struct ag_ll a = starts[s], b;
            double azi2, s12, azi1, azi2b;
            geod_direct(&g, a.lat, a.lon, k * 30.0, 1000, &b.lat, &b.lon,
                        &azi2);
            geod_inverse(&g, a.lat, a.lon, b.lat, b.lon, &s12, &azi1, &azi2b);
            double d = ag_xy_dist(ag_proj_fwd(p, a), ag_proj_fwd(p, b));
            assert_rel(d, s12, 1e-5);
        }
}

/* geo.h promises about 1 part in 10^6 for distances within 10 km of the
 * centre: the transverse Mercator scale there is 1 + x^2 / 2R^2 = 1.2e-6. */
static void test_projected_distance_10km_from_origin_within_2e6(void **state)
{
    const struct ag_proj *p = *state;
    struct geod_geodesic g;
    geod_init(&g, WGS84_A, WGS84_F);
    for (int k = 0; k < 8; k++) {
        struct ag_ll a, b;
        double azi, s12, azi1, azi2;
        geod_direct(&g, ORIGIN_LAT, ORIGIN_LON, k * 45.0, 10000, &a.lat, &a.lon,
                    &azi);
        geod_direct(&g, a.lat, a.lon, 90 - k * 45.0, 1000, &b.lat, &b.lon,
                    &azi);
        geod_inverse(&g, a.lat, a.lon, b.lat, b.lon, &s12, &azi1, &azi2);
        double d = ag_xy_dist(ag_proj_fwd(p, a), ag_proj_fwd(p, b));
        assert_rel(d, s12, 2e-6);
    }
}

static void test_projection_rejects_bad_origin(void **state)
{
    (void)state;
    struct ag_proj *p = (struct ag_proj *)1;
    struct ag_error err = {0};
    assert_int_equal(ag_proj_new(&p, NAN, 43, &err), AG_EINVAL);
    assert_null(p);
    assert_int_equal(ag_proj_new(&p, 7, 91, &err), AG_EINVAL);
    assert_int_equal(ag_proj_new(&p, 181, 0, NULL), AG_EINVAL);
}

static void test_projection_of_nan_is_nan(void **state)
{
    const struct ag_proj *p = *state;
    struct ag_xy xy = ag_proj_fwd(p, (struct ag_ll){NAN, 43});
    assert_true(isnan(xy.x) && isnan(xy.y));
    struct ag_ll ll = ag_proj_inv(p, (struct ag_xy){INFINITY, 0});
    assert_true(isnan(ll.lon) && isnan(ll.lat));
    /* The failure leaves no trace on the next call. */
    struct ag_xy o = ag_proj_fwd(p, (struct ag_ll){ORIGIN_LON, ORIGIN_LAT});
    assert_near(o.x, 0, 1e-9);
}

/* A host program in a locale with a decimal comma must still get the same
 * projection (no number of it passes through text). The
 * locale is switched for this thread only (uselocale), and the test is
 * skipped where no such locale is installed. */
static void test_projection_ignores_decimal_comma_locale(void **state)
{
    (void)state;
    const char *names[] = {"de_DE.UTF-8", "fr_FR.UTF-8", "de_DE", "fr_FR"};
    locale_t comma = (locale_t)0;
    for (size_t i = 0; i < 4 && !comma; i++)
        comma = newlocale(LC_NUMERIC_MASK, names[i], (locale_t)0);
    if (!comma)
        skip();
    locale_t old = uselocale(comma);
    char probe[16];
    snprintf(probe, sizeof probe, "%.1f", 0.5);
    struct ag_proj *p = NULL;
    int rc = ag_proj_new(&p, 7.5, 43.5, NULL);
    struct ag_xy xy = {NAN, NAN};
    if (rc == 0)
        xy = ag_proj_fwd(p, (struct ag_ll){7.5, 43.5});
    ag_proj_free(p);
    uselocale(old);
    freelocale(comma);
    assert_string_equal(probe, "0,5"); /* the locale really is in force */
    assert_int_equal(rc, 0);
    assert_near(xy.x, 0, 1e-9);
    assert_near(xy.y, 0, 1e-9);
}

/* The projection is Krueger's series written in lib/geo/proj.c; PROJ's own
 * +proj=tmerc (the Poder/Engsager form of the same series) is the oracle:
 * on a grid of 41 x 41 points spanning 1.2 degrees of longitude and 0.8 of
 * latitude around origins from the equator to 70 degrees north, south of
 * it, and next to the antimeridian, both directions agree to a nanometre
 * (measured: at most 6.5e-9 m and 3.2e-14 degrees). */
static void test_projection_matches_proj_tmerc(void **state)
{
    (void)state;
    static const double origins[][2] = {{7.4246, 43.7384}, {13.4, 52.52}, {10.75, 59.91},
                                        {0, 0},            {-58.4, -34.6}, {179.9, -17},
                                        {-122.4, 37.8},    {25, 70}};
    PJ_CONTEXT *ctx = proj_context_create();
    assert_non_null(ctx);
    for (size_t o = 0; o < sizeof origins / sizeof *origins; o++) {
        double lon0 = origins[o][0], lat0 = origins[o][1];
        char def[300];
        snprintf(def, sizeof def,
                 "+proj=pipeline +step +proj=unitconvert +xy_in=deg +xy_out=rad "
                 "+step +proj=tmerc +lat_0=%.12f +lon_0=%.12f +k=1 +x_0=0 +y_0=0 "
                 "+ellps=WGS84 +units=m",
                 lat0, lon0);
        PJ *pj = proj_create(ctx, def);
        assert_non_null(pj);
        struct ag_proj *p = NULL;
        assert_int_equal(ag_proj_new(&p, lon0, lat0, NULL), 0);
        for (int i = -20; i <= 20; i++)
            for (int j = -20; j <= 20; j++) {
                double lon = lon0 + i * 0.03, lat = lat0 + j * 0.02;
                if (lon > 180)
                    lon -= 360;
                struct ag_xy a = ag_proj_fwd(p, (struct ag_ll){lon, lat});
                PJ_COORD r = proj_trans(pj, PJ_FWD, proj_coord(lon, lat, 0, 0));
                assert_near(a.x, r.xy.x, 1e-7);
                assert_near(a.y, r.xy.y, 1e-7);
                struct ag_ll b = ag_proj_inv(p, a);
                PJ_COORD q = proj_trans(pj, PJ_INV, proj_coord(a.x, a.y, 0, 0));
                assert_near(b.lon, q.xy.x, 1e-12);
                assert_near(b.lat, q.xy.y, 1e-12);
            }
        ag_proj_free(p);
        proj_destroy(pj);
    }
    proj_context_destroy(ctx);
}

/* The series holds on the hemisphere around the central meridian: beyond
 * it, and beyond a pole in the plane, the answer is NaN, not a number from
 * outside the series' domain. Across the antimeridian is near, not far. */
static void test_projection_outside_its_hemisphere_is_nan(void **state)
{
    (void)state;
    struct ag_proj *p = NULL;
    assert_int_equal(ag_proj_new(&p, 179.5, -17, NULL), 0);
    struct ag_xy far = ag_proj_fwd(p, (struct ag_ll){179.5 - 91, -17});
    assert_true(isnan(far.x) && isnan(far.y));
    struct ag_xy near = ag_proj_fwd(p, (struct ag_ll){-179.5, -17});
    assert_true(near.x > 100000 && near.x < 120000); /* 1 degree east */
    struct ag_ll back = ag_proj_inv(p, near);
    assert_near(back.lon, -179.5, 1e-9);
    struct ag_ll beyond = ag_proj_inv(p, (struct ag_xy){0, 2e7});
    assert_true(isnan(beyond.lon) && isnan(beyond.lat));
    ag_proj_free(p);
}

/* ---- planar measures ---- */

static const struct ag_xy rect100x50[] = {
    {0, 0}, {100, 0}, {100, 50}, {0, 50}, {0, 0}};

static void test_rectangle_100_by_50_area_perimeter_centroid(void **state)
{
    (void)state;
    assert_near(ag_xy_ring_area_signed(rect100x50, 5), 5000, 1e-9);
    assert_near(ag_xy_path_length(rect100x50, 5), 300, 1e-9);
    struct ag_xy c = ag_xy_ring_centroid(rect100x50, 5);
    assert_near(c.x, 50, 1e-9);
    assert_near(c.y, 25, 1e-9);
}

static void test_signed_area_flips_with_orientation(void **state)
{
    (void)state;
    struct ag_xy cw[5];
    for (int i = 0; i < 5; i++)
        cw[i] = rect100x50[4 - i];
    assert_near(ag_xy_ring_area_signed(cw, 5), -5000, 1e-9);
    /* The closing vertex adds nothing: an open ring has the same area. */
    assert_near(ag_xy_ring_area_signed(rect100x50, 4), 5000, 1e-9);
    /* Far from the origin the sum keeps its digits. */
    struct ag_xy far[5];
    for (int i = 0; i < 5; i++)
        far[i] = (struct ag_xy){rect100x50[i].x + 5e6, rect100x50[i].y + 5e6};
    assert_near(ag_xy_ring_area_signed(far, 5), 5000, 1e-6);
}

/* L = [0,20]x[0,10] (area 200, centroid (10,5)) plus [0,10]x[10,30] (area
 * 200, centroid (5,20)): area 400, centroid the mean, (7.5, 12.5). */
static void test_l_shape_centroid_by_decomposition(void **state)
{
    (void)state;
    const struct ag_xy l[] = {{0, 0},   {20, 0}, {20, 10}, {10, 10},
                              {10, 30}, {0, 30}, {0, 0}};
    assert_near(ag_xy_ring_area_signed(l, 7), 400, 1e-9);
    struct ag_xy c = ag_xy_ring_centroid(l, 7);
    assert_near(c.x, (200 * 10 + 200 * 5) / 400.0, 1e-9);
    assert_near(c.y, (200 * 5 + 200 * 20) / 400.0, 1e-9);
}

static void test_degenerate_ring_centroid_is_vertex_mean(void **state)
{
    (void)state;
    const struct ag_xy seg[] = {{0, 0}, {10, 0}, {20, 0}, {0, 0}};
    struct ag_xy c = ag_xy_ring_centroid(seg, 4);
    assert_near(c.x, 10, 1e-12);
    assert_near(c.y, 0, 1e-12);
}

static void test_seg_dist_perpendicular_and_beyond_ends(void **state)
{
    (void)state;
    struct ag_xy a = {0, 0}, b = {10, 0};
    assert_near(ag_xy_seg_dist((struct ag_xy){5, 3}, a, b), 3, 1e-12);
    assert_near(ag_xy_seg_dist((struct ag_xy){13, 4}, a, b), 5, 1e-12);
    assert_near(ag_xy_seg_dist((struct ag_xy){-3, -4}, a, b), 5, 1e-12);
    assert_near(ag_xy_seg_dist((struct ag_xy){3, 4}, a, a), 5, 1e-12);
    assert_near(ag_xy_dist(a, (struct ag_xy){3, 4}), 5, 1e-12);
}

/* ---- multipolygon measures ---- */

static void test_mpoly_rectangle_measure(void **state)
{
    const struct ag_proj *p = *state;
    /* clang-format off */
    const double v[] = {
        5,  0, 0,  100, 0,  100, 50,  0, 50,  0, 0,
        0};
    /* clang-format on */
    struct ag_mpoly mp = mpoly_from_xy(p, v);
    struct ag_measure m;
    assert_int_equal(ag_mpoly_measure(&mp, p, &m, NULL), 0);
    assert_near(m.area_m2, 5000, 1e-6);
    assert_near(m.perimeter_m, 300, 1e-6);
    struct ag_ll c = ag_proj_inv(p, (struct ag_xy){50, 25});
    assert_near(m.centroid.lon, c.lon, 1e-9);
    assert_near(m.centroid.lat, c.lat, 1e-9);
    struct ag_bbox b = ag_mpoly_bbox(&mp);
    assert_memory_equal(&m.bbox, &b, sizeof b);
    assert_true(b.minx < ORIGIN_LON + 1e-9 && b.maxx > ORIGIN_LON + 0.0012);
    assert_true(b.miny < ORIGIN_LAT + 1e-9 && b.maxy > ORIGIN_LAT + 0.00044);
    ag_mpoly_free(&mp);
    assert_null(mp.polys);
    assert_int_equal(mp.npolys, 0);
}

/* Outer 100 m square minus a centred 50 m square hole: area 10000 - 2500,
 * perimeter 400 + 200, centroid still the centre. */
static void test_square_with_centred_square_hole(void **state)
{
    const struct ag_proj *p = *state;
    /* clang-format off */
    const double v[] = {
        5,  0, 0,  100, 0,  100, 100,  0, 100,  0, 0,
        5,  25, 25,  25, 75,  75, 75,  75, 25,  25, 25,
        0};
    /* clang-format on */
    struct ag_mpoly mp = mpoly_from_xy(p, v);
    struct ag_measure m;
    assert_int_equal(ag_mpoly_measure(&mp, p, &m, NULL), 0);
    assert_near(m.area_m2, 7500, 1e-6);
    assert_near(m.perimeter_m, 600, 1e-6);
    struct ag_ll c = ag_proj_inv(p, (struct ag_xy){50, 50});
    assert_near(m.centroid.lon, c.lon, 1e-9);
    assert_near(m.centroid.lat, c.lat, 1e-9);
    assert_int_equal(ag_mpoly_validate(&mp, p, NULL), 0);
    ag_mpoly_free(&mp);
}

/* An off-centre hole [10,30]^2 pulls the centroid away from it: composite
 * centroid (10000 * 50 - 400 * 20) / (10000 - 400) = 51.25 on both axes. */
static void test_off_centre_hole_shifts_centroid(void **state)
{
    const struct ag_proj *p = *state;
    /* clang-format off */
    const double v[] = {
        5,  0, 0,  100, 0,  100, 100,  0, 100,  0, 0,
        5,  10, 10,  10, 30,  30, 30,  30, 10,  10, 10,
        0};
    /* clang-format on */
    struct ag_mpoly mp = mpoly_from_xy(p, v);
    struct ag_measure m;
    assert_int_equal(ag_mpoly_measure(&mp, p, &m, NULL), 0);
    assert_near(m.area_m2, 9600, 1e-6);
    struct ag_xy c = ag_proj_fwd(p, m.centroid);
    assert_near(c.x, (10000 * 50 - 400 * 20) / 9600.0, 1e-6);
    assert_near(c.y, (10000 * 50 - 400 * 20) / 9600.0, 1e-6);
    ag_mpoly_free(&mp);
}

/* The pedestrian area "Place d'Armes" (OSM way 4227203, in
 * tests/data/monaco-place-d-armes.osm): area and perimeter against the
 * geodesic polygon of the same vertices. */
static const struct ag_ll place_d_armes[] = {
    {7.4199537, 43.732355},  {7.4198573, 43.7326349}, {7.4197825, 43.7328522},
    {7.4189942, 43.7326774}, {7.4190526, 43.7325337}, {7.4195955, 43.7324343},
    {7.4197402, 43.7324488}, {7.419849, 43.732401},   {7.4199537, 43.732355}};

static void test_real_ring_area_matches_geodesic(void **state)
{
    const struct ag_proj *p = *state;
    const size_t n = sizeof place_d_armes / sizeof *place_d_armes;
    struct ag_mpoly mp = {0};
    assert_int_equal(ag_mpoly_add_ring_polygon(&mp, place_d_armes, n), 0);
    assert_int_equal(ag_mpoly_validate(&mp, p, NULL), 0);
    struct ag_measure m;
    assert_int_equal(ag_mpoly_measure(&mp, p, &m, NULL), 0);

    struct geod_geodesic g;
    geod_init(&g, WGS84_A, WGS84_F);
    double lats[16], lons[16], area, perim;
    for (size_t i = 0; i + 1 < n; i++) {
        lats[i] = place_d_armes[i].lat;
        lons[i] = place_d_armes[i].lon;
    }
    geod_polygonarea(&g, lats, lons, (int)n - 1, &area, &perim);
    assert_true(fabs(area) > 1000); /* a real square, not a sliver */
    assert_rel(m.area_m2, fabs(area), 1e-4);
    assert_rel(m.perimeter_m, perim, 1e-5);
    assert_true(m.centroid.lon > m.bbox.minx && m.centroid.lon < m.bbox.maxx);
    assert_true(m.centroid.lat > m.bbox.miny && m.centroid.lat < m.bbox.maxy);
    ag_mpoly_free(&mp);
}

static void test_line_length_matches_geodesic(void **state)
{
    const struct ag_proj *p = *state;
    struct ag_line l = {(struct ag_ll *)place_d_armes, 5};
    struct geod_geodesic g;
    geod_init(&g, WGS84_A, WGS84_F);
    double sum = 0;
    for (size_t i = 0; i + 1 < l.n; i++) {
        double s12, a1, a2;
        geod_inverse(&g, l.pts[i].lat, l.pts[i].lon, l.pts[i + 1].lat,
                     l.pts[i + 1].lon, &s12, &a1, &a2);
        sum += s12;
    }
    assert_rel(ag_line_length(&l, p), sum, 1e-5);
}

static void test_mpoly_copy_is_deep_and_bbox_covers_vertices(void **state)
{
    (void)state;
    struct ag_mpoly a = {0}, b;
    const size_t n = sizeof place_d_armes / sizeof *place_d_armes;
    assert_int_equal(ag_mpoly_add_ring_polygon(&a, place_d_armes, n), 0);
    assert_int_equal(ag_mpoly_add_ring_polygon(&a, place_d_armes, 4), 0);
    assert_int_equal(ag_mpoly_copy(&b, &a), 0);
    assert_int_equal(b.npolys, 2);
    assert_int_equal(b.polys[1].rings[0].n, 4);
    assert_ptr_not_equal(b.polys[0].rings[0].pts, a.polys[0].rings[0].pts);
    assert_memory_equal(b.polys[0].rings[0].pts, place_d_armes,
                        sizeof place_d_armes);
    ag_mpoly_free(&a);
    struct ag_bbox bb = ag_mpoly_bbox(&b);
    assert_near(bb.minx, 7.4189942, 0);
    assert_near(bb.maxx, 7.4199537, 0);
    assert_near(bb.miny, 43.732355, 0);
    assert_near(bb.maxy, 43.7328522, 0);
    ag_mpoly_free(&b);
    ag_mpoly_free(NULL);
}

static void test_orient_makes_outer_ccw_and_holes_cw(void **state)
{
    const struct ag_proj *p = *state;
    /* Outer clockwise, hole counter-clockwise: both wrong. */
    /* clang-format off */
    const double v[] = {
        5,  0, 0,  0, 100,  100, 100,  100, 0,  0, 0,
        5,  25, 25,  75, 25,  75, 75,  25, 75,  25, 25,
        0};
    /* clang-format on */
    struct ag_mpoly mp = mpoly_from_xy(p, v);
    ag_mpoly_orient(&mp, p);
    struct ag_xy xy[5];
    for (size_t r = 0; r < 2; r++) {
        for (size_t i = 0; i < 5; i++)
            xy[i] = ag_proj_fwd(p, mp.polys[0].rings[r].pts[i]);
        double a = ag_xy_ring_area_signed(xy, 5);
        assert_true(r == 0 ? a > 0 : a < 0);
    }
    ag_mpoly_free(&mp);
}

/* ---- segment intersection ---- */

static void test_seg_intersect_crossing(void **state)
{
    (void)state;
    struct ag_xy at;
    assert_int_equal(
        ag_seg_intersect((struct ag_xy){0, 0}, (struct ag_xy){2, 2},
                         (struct ag_xy){0, 2}, (struct ag_xy){2, 0}, &at),
        1);
    assert_near(at.x, 1, 1e-15);
    assert_near(at.y, 1, 1e-15);
    /* Off-centre: (0,0)-(4,2) meets x = 3 at y = 1.5. */
    assert_int_equal(
        ag_seg_intersect((struct ag_xy){0, 0}, (struct ag_xy){4, 2},
                         (struct ag_xy){3, -1}, (struct ag_xy){3, 5}, &at),
        1);
    assert_near(at.x, 3, 1e-15);
    assert_near(at.y, 1.5, 1e-15);
}

static void test_seg_intersect_t_touch(void **state)
{
    (void)state;
    struct ag_xy at;
    struct ag_xy a = {0, 0}, b = {2, 0}, c = {1, 0}, d = {1, 1};
    assert_int_equal(ag_seg_intersect(a, b, c, d, &at), 1);
    assert_near(at.x, 1, 0);
    assert_near(at.y, 0, 0);
    assert_int_equal(ag_seg_intersect(d, c, b, a, &at), 1);
    assert_near(at.x, 1, 0);
    /* Stopping just short of the other segment is no touch. */
    assert_int_equal(ag_seg_intersect(a, b, (struct ag_xy){1, 1e-9}, d, NULL),
                     0);
}

static void test_seg_intersect_parallel(void **state)
{
    (void)state;
    assert_int_equal(
        ag_seg_intersect((struct ag_xy){0, 0}, (struct ag_xy){2, 0},
                         (struct ag_xy){0, 1}, (struct ag_xy){2, 1}, NULL),
        0);
}

static void test_seg_intersect_collinear_overlap(void **state)
{
    (void)state;
    struct ag_xy at;
    assert_int_equal(
        ag_seg_intersect((struct ag_xy){0, 0}, (struct ag_xy){2, 0},
                         (struct ag_xy){1, 0}, (struct ag_xy){3, 0}, &at),
        2);
    assert_true(at.x >= 1 && at.x <= 2);
    assert_near(at.y, 0, 0);
    /* Vertical and contained. */
    assert_int_equal(
        ag_seg_intersect((struct ag_xy){5, 0}, (struct ag_xy){5, 9},
                         (struct ag_xy){5, 3}, (struct ag_xy){5, 4}, &at),
        2);
    assert_true(at.y >= 3 && at.y <= 4);
    /* End to end: one shared point. */
    assert_int_equal(
        ag_seg_intersect((struct ag_xy){0, 0}, (struct ag_xy){1, 0},
                         (struct ag_xy){1, 0}, (struct ag_xy){2, 0}, &at),
        1);
    assert_near(at.x, 1, 0);
}

static void test_seg_intersect_disjoint_collinear(void **state)
{
    (void)state;
    assert_int_equal(
        ag_seg_intersect((struct ag_xy){0, 0}, (struct ag_xy){1, 0},
                         (struct ag_xy){2, 0}, (struct ag_xy){3, 0}, NULL),
        0);
    assert_int_equal(
        ag_seg_intersect((struct ag_xy){0, 0}, (struct ag_xy){1, 1},
                         (struct ag_xy){3, 3}, (struct ag_xy){2, 2}, NULL),
        0);
}

/* ---- point in ring ---- */

static void test_point_in_square_and_on_its_boundary(void **state)
{
    (void)state;
    const struct ag_xy sq[] = {{0, 0}, {10, 0}, {10, 10}, {0, 10}, {0, 0}};
    assert_true(ag_xy_ring_contains(sq, 5, (struct ag_xy){5, 5}));
    assert_false(ag_xy_ring_contains(sq, 5, (struct ag_xy){15, 5}));
    assert_false(ag_xy_ring_contains(sq, 5, (struct ag_xy){-1e-9, 5}));
    assert_true(ag_xy_ring_contains(sq, 5, (struct ag_xy){10, 5})); /* edge */
    assert_true(ag_xy_ring_contains(sq, 5, (struct ag_xy){0, 0}));  /* vertex */
    assert_true(ag_xy_ring_contains(sq, 5, (struct ag_xy){5, 10})); /* top */
    /* The ray from (-5, 10) runs along the top edge; the point is out. */
    assert_false(ag_xy_ring_contains(sq, 5, (struct ag_xy){-5, 10}));
}

/* A U shape open at the top: the notch between the arms is outside, and a
 * ray from a point in the left arm passes through vertices of the notch. */
static void test_point_in_concave_ring(void **state)
{
    (void)state;
    const struct ag_xy u[] = {{0, 0},   {30, 0},  {30, 30}, {20, 30}, {20, 10},
                              {10, 10}, {10, 30}, {0, 30},  {0, 0}};
    assert_true(ag_xy_ring_contains(u, 9, (struct ag_xy){5, 20}));   /* arm */
    assert_true(ag_xy_ring_contains(u, 9, (struct ag_xy){25, 20}));  /* arm */
    assert_false(ag_xy_ring_contains(u, 9, (struct ag_xy){15, 20})); /* notch */
    assert_true(ag_xy_ring_contains(
        u, 9, (struct ag_xy){5, 10})); /* ray through vertices */
    assert_true(ag_xy_ring_contains(u, 9, (struct ag_xy){15, 5})); /* base */
    assert_true(
        ag_xy_ring_contains(u, 9, (struct ag_xy){15, 10})); /* notch floor */
}

/* ---- validation ---- */

static int validate_xy(const struct ag_proj *p, const double *v,
                       struct ag_error *err)
{
    struct ag_mpoly mp = mpoly_from_xy(p, v);
    int rc = ag_mpoly_validate(&mp, p, err);
    ag_mpoly_free(&mp);
    return rc;
}

static void assert_near_point(const struct ag_proj *p, const char *msg,
                              double x, double y)
{
    struct ag_ll got = near_point(msg);
    struct ag_ll want = ag_proj_inv(p, (struct ag_xy){x, y});
    assert_near(got.lon, want.lon, 1.5e-6);
    assert_near(got.lat, want.lat, 1.5e-6);
}

static void test_validate_accepts_rectangle_and_duplicate_vertices(void **state)
{
    const struct ag_proj *p = *state;
    struct ag_error err = {0};
    /* clang-format off */
    const double v[] = {
        5,  0, 0,  100, 0,  100, 50,  0, 50,  0, 0,
        0};
    /* clang-format on */
    assert_int_equal(validate_xy(p, v, &err), 0);
    /* clang-format off */
    const double dup[] = {
        7,  0, 0,  100, 0,  100, 0,  100, 50,  0, 50,  0, 0,  0, 0,
        0};
    /* clang-format on */
    assert_int_equal(validate_xy(p, dup, &err), 0);
}

/* (0,0) (100,100) (100,0) (0,100): edge 1-2 and edge 3-4 cross at (50,50). */
static void test_validate_rejects_bowtie_naming_edges(void **state)
{
    const struct ag_proj *p = *state;
    struct ag_error err = {0};
    /* clang-format off */
    const double v[] = {
        5,  0, 0,  100, 100,  100, 0,  0, 100,  0, 0,
        0};
    /* clang-format on */
    assert_int_equal(validate_xy(p, v, &err), AG_EGEOM);
    assert_int_equal(err.code, AG_EGEOM);
    assert_non_null(strstr(err.msg, "ring 1 of polygon 1 crosses itself: "
                                    "edge 1-2 crosses edge 3-4 near "));
    assert_near_point(p, err.msg, 50, 50);
}

static void test_validate_rejects_unclosed_ring(void **state)
{
    const struct ag_proj *p = *state;
    struct ag_error err = {0};
    /* clang-format off */
    const double v[] = {
        4,  0, 0,  100, 0,  100, 50,  0, 50,
        0};
    /* clang-format on */
    assert_int_equal(validate_xy(p, v, &err), AG_EGEOM);
    assert_non_null(strstr(err.msg, "ring 1 of polygon 1 is not closed"));
}

static void test_validate_rejects_three_point_ring(void **state)
{
    const struct ag_proj *p = *state;
    struct ag_error err = {0};
    /* clang-format off */
    const double v[] = {
        3,  0, 0,  100, 0,  0, 0,
        0};
    /* clang-format on */
    assert_int_equal(validate_xy(p, v, &err), AG_EGEOM);
    assert_non_null(strstr(err.msg, "ring 1 of polygon 1 has 3 vertices"));
}

static void test_validate_rejects_spike_and_flat_ring(void **state)
{
    const struct ag_proj *p = *state;
    struct ag_error err = {0};
    /* Runs out to (150,0) and straight back to (100,0): edges 1-2 and 2-3
     * share the stretch from 100 to 150. */
    /* clang-format off */
    const double spike[] = {
        6,  0, 0,  150, 0,  100, 0,  100, 50,  0, 50,  0, 0,
        0};
    /* clang-format on */
    assert_int_equal(validate_xy(p, spike, &err), AG_EGEOM);
    assert_non_null(strstr(err.msg, "ring 1 of polygon 1 overlaps itself: "
                                    "edge 1-2 overlaps edge 2-3 near "));
    /* clang-format off */
    const double flat[] = {
        4,  0, 0,  50, 0,  100, 0,  0, 0,
        0};
    /* clang-format on */
    assert_int_equal(validate_xy(p, flat, &err), AG_EGEOM);
}

static void test_validate_rejects_ring_touching_itself(void **state)
{
    const struct ag_proj *p = *state;
    struct ag_error err = {0};
    /* A figure of eight pinched at (50,50), visited twice. */
    /* clang-format off */
    const double v[] = {
        7,  0, 0,  50, 50,  100, 0,  100, 100,  50, 50,  0, 100,  0, 0,
        0};
    /* clang-format on */
    assert_int_equal(validate_xy(p, v, &err), AG_EGEOM);
    assert_non_null(strstr(err.msg, "ring 1 of polygon 1 touches itself"));
    assert_near_point(p, err.msg, 50, 50);
}

static void test_validate_rejects_hole_outside_outer(void **state)
{
    const struct ag_proj *p = *state;
    struct ag_error err = {0};
    /* clang-format off */
    const double v[] = {
        5,  0, 0,  100, 0,  100, 100,  0, 100,  0, 0,
        5,  200, 10,  220, 10,  220, 30,  200, 30,  200, 10,
        0};
    /* clang-format on */
    assert_int_equal(validate_xy(p, v, &err), AG_EGEOM);
    assert_non_null(strstr(err.msg, "ring 2 of polygon 1 is a hole outside "
                                    "its outer ring"));
}

/* Outer edge 2-3 runs along x = 100; the hole's edges 2-3 (y = 60) and 4-5
 * (y = 40) cross it. The first pair in order is reported. */
static void test_validate_rejects_hole_crossing_outer(void **state)
{
    const struct ag_proj *p = *state;
    struct ag_error err = {0};
    /* clang-format off */
    const double v[] = {
        5,  0, 0,  100, 0,  100, 100,  0, 100,  0, 0,
        5,  80, 40,  80, 60,  120, 60,  120, 40,  80, 40,
        0};
    /* clang-format on */
    assert_int_equal(validate_xy(p, v, &err), AG_EGEOM);
    assert_non_null(strstr(err.msg, "ring 1 of polygon 1 crosses ring 2: "
                                    "edge 2-3 of ring 1 crosses edge 2-3 of "
                                    "ring 2 near "));
    assert_near_point(p, err.msg, 100, 60);
}

/* A hole that leaves the outer ring only through its corners (100,0) and
 * (100,100), which are vertices of both rings: no edge crosses another in
 * its interior, yet the rings cross. */
static void
test_validate_rejects_hole_crossing_through_shared_vertex(void **state)
{
    const struct ag_proj *p = *state;
    struct ag_error err = {0};
    /* clang-format off */
    const double v[] = {
        5,  0, 0,  100, 0,  100, 100,  0, 100,  0, 0,
        5,  50, 50,  100, 100,  110, 50,  100, 0,  50, 50,
        0};
    /* clang-format on */
    assert_int_equal(validate_xy(p, v, &err), AG_EGEOM);
    assert_non_null(strstr(err.msg, "ring 1 of polygon 1 crosses ring 2: "
                                    "edge 1-2 of ring 1 crosses edge 3-4 of "
                                    "ring 2 near "));
    assert_near_point(p, err.msg, 100, 0);
}

/* OGC allows a hole to touch its outer ring at one point. */
static void test_validate_accepts_hole_touching_outer_at_a_vertex(void **state)
{
    const struct ag_proj *p = *state;
    struct ag_error err = {0};
    /* clang-format off */
    const double v[] = {
        6,  0, 0,  100, 0,  100, 50,  100, 100,  0, 100,  0, 0,
        4,  100, 50,  60, 40,  60, 60,  100, 50,
        0};
    /* clang-format on */
    int rc = validate_xy(p, v, &err);
    if (rc)
        fail_msg("%s", err.msg);
}

static void test_validate_rejects_hole_inside_hole(void **state)
{
    const struct ag_proj *p = *state;
    struct ag_error err = {0};
    /* clang-format off */
    const double v[] = {
        5,  0, 0,  100, 0,  100, 100,  0, 100,  0, 0,
        5,  10, 10,  10, 90,  90, 90,  90, 10,  10, 10,
        5,  40, 40,  40, 60,  60, 60,  60, 40,  40, 40,
        0};
    /* clang-format on */
    assert_int_equal(validate_xy(p, v, &err), AG_EGEOM);
    assert_non_null(strstr(err.msg, "ring 3 of polygon 1 is a hole inside "
                                    "another hole, ring 2"));
}

static void test_validate_rejects_empty_and_ringless(void **state)
{
    const struct ag_proj *p = *state;
    struct ag_error err = {0};
    struct ag_mpoly empty = {0};
    assert_int_equal(ag_mpoly_validate(&empty, p, &err), AG_EGEOM);
    struct ag_polygon pg = {0};
    struct ag_mpoly ringless = {&pg, 1};
    assert_int_equal(ag_mpoly_validate(&ringless, p, &err), AG_EGEOM);
    assert_non_null(strstr(err.msg, "polygon 1 has no rings"));
}

/* 500 vertices on a 200 m circle plus the closing one: more edges than the
 * brute-force limit, so candidate pairs come from the spatial index. */
enum { CIRCLE_N = 500 };

static double *circle_xy(void)
{
    double *v = calloc(2 * (CIRCLE_N + 1) + 2, sizeof *v);
    assert_non_null(v);
    v[0] = CIRCLE_N + 1;
    for (int i = 0; i <= CIRCLE_N; i++) {
        double t = 2 * 3.14159265358979323846 * (i % CIRCLE_N) / CIRCLE_N;
        v[1 + 2 * i] = 200 * cos(t);
        v[2 + 2 * i] = 200 * sin(t);
    }
    return v; /* ends with the 0 left by calloc */
}

static void test_validate_accepts_500_vertex_circle(void **state)
{
    const struct ag_proj *p = *state;
    struct ag_error err = {0};
    double *v = circle_xy();
    int rc = validate_xy(p, v, &err);
    if (rc)
        fail_msg("%s", err.msg);
    free(v);
}

/* Swapping vertices 201 and 202 (1-based) makes chords 200-201 and 202-203
 * cross; where they cross is solved here by Cramer's rule. */
static void
test_validate_rejects_500_vertex_ring_with_one_crossing(void **state)
{
    const struct ag_proj *p = *state;
    struct ag_error err = {0};
    double *v = circle_xy();
    const int k = 200; /* 0-based */
    for (int c = 1; c <= 2; c++) {
        double t = v[c + 2 * k];
        v[c + 2 * k] = v[c + 2 * (k + 1)];
        v[c + 2 * (k + 1)] = t;
    }
    assert_int_equal(validate_xy(p, v, &err), AG_EGEOM);
    assert_non_null(strstr(err.msg, "ring 1 of polygon 1 crosses itself: "
                                    "edge 200-201 crosses edge 202-203 near "));
    /* Segment P1-P2 (vertices 200, 201) against P3-P4 (202, 203). */
    double x1 = v[1 + 2 * (k - 1)], y1 = v[2 + 2 * (k - 1)];
    double x2 = v[1 + 2 * k], y2 = v[2 + 2 * k];
    double x3 = v[1 + 2 * (k + 1)], y3 = v[2 + 2 * (k + 1)];
    double x4 = v[1 + 2 * (k + 2)], y4 = v[2 + 2 * (k + 2)];
    double den = (x2 - x1) * (y4 - y3) - (y2 - y1) * (x4 - x3);
    double s = ((x3 - x1) * (y4 - y3) - (y3 - y1) * (x4 - x3)) / den;
    assert_near_point(p, err.msg, x1 + s * (x2 - x1), y1 + s * (y2 - y1));
    free(v);
}

/* ---- buffer ---- */

static double buffer_area(const struct ag_proj *p, const double *xy, size_t n,
                          double width, struct ag_mpoly *out)
{
    struct ag_line l = line_from_xy(p, xy, n);
    struct ag_error err = {0};
    int rc = ag_line_buffer(&l, width, p, out, &err);
    ag_line_free(&l);
    assert_null(l.pts);
    if (rc)
        fail_msg("ag_line_buffer: %s", err.msg);
    struct ag_measure m;
    assert_int_equal(ag_mpoly_measure(out, p, &m, NULL), 0);
    return m.area_m2;
}

/* Flat ends: a 100 m street 10 m wide is a 100 x 10 rectangle. */
static void test_buffer_of_straight_line_is_length_times_width(void **state)
{
    const struct ag_proj *p = *state;
    const double xy[] = {0, 0, 100, 0};
    struct ag_mpoly mp = {0};
    assert_near(buffer_area(p, xy, 2, 10, &mp), 1000, 1);
    assert_int_equal(mp.npolys, 1);
    assert_int_equal(ag_mpoly_validate(&mp, p, NULL), 0);
    /* It reaches 5 m either side and no further than the ends. */
    struct ag_bbox b = ag_bbox_empty();
    for (size_t i = 0; i < mp.polys[0].rings[0].n; i++) {
        struct ag_xy q = ag_proj_fwd(p, mp.polys[0].rings[0].pts[i]);
        ag_bbox_extend(&b, q.x, q.y);
    }
    assert_near(b.minx, 0, 1e-6);
    assert_near(b.maxx, 100, 1e-6);
    assert_near(b.miny, -5, 1e-6);
    assert_near(b.maxy, 5, 1e-6);
    ag_mpoly_free(&mp);
}

/* (0,0) -> (100,0) -> (100,100), 10 m wide: two 100 x 10 strips, less the
 * 5 x 5 square inside the corner that both cover, plus the round join
 * outside it, a quarter disc of radius 5. GEOS draws that arc with 16
 * chords, 0.03 m^2 short of the disc. */
static void test_buffer_of_l_shaped_line_by_decomposition(void **state)
{
    const struct ag_proj *p = *state;
    const double xy[] = {0, 0, 100, 0, 100, 100};
    struct ag_mpoly mp = {0};
    double expected = 2 * 100 * 10 - 5 * 5 + 3.14159265358979323846 * 25 / 4;
    assert_near(buffer_area(p, xy, 3, 10, &mp), expected, 0.1);
    assert_int_equal(ag_mpoly_validate(&mp, p, NULL), 0);
    ag_mpoly_free(&mp);
}

static void test_buffer_rejects_bad_input(void **state)
{
    const struct ag_proj *p = *state;
    struct ag_mpoly mp = {0};
    struct ag_error err = {0};
    struct ag_line one = {(struct ag_ll *)place_d_armes, 1};
    assert_int_equal(ag_line_buffer(&one, 10, p, &mp, &err), AG_EGEOM);
    struct ag_line two = {(struct ag_ll *)place_d_armes, 2};
    assert_int_equal(ag_line_buffer(&two, 0, p, &mp, &err), AG_EINVAL);
    assert_int_equal(ag_line_buffer(&two, NAN, p, &mp, &err), AG_EINVAL);
    struct ag_ll same[] = {place_d_armes[0], place_d_armes[0]};
    struct ag_line zero = {same, 2};
    assert_int_equal(ag_line_buffer(&zero, 10, p, &mp, &err), AG_EGEOM);
    assert_int_equal(mp.npolys, 0);
}

/* ---- spatial index ---- */

/* splitmix64: a fixed sequence on every platform, unlike rand(). */
static uint64_t rng_next(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static double rng_unit(uint64_t *s)
{
    return (double)(rng_next(s) >> 11) / 9007199254740992.0;
}

static struct ag_bbox rng_box(uint64_t *s, double extent, double maxsize)
{
    double x = rng_unit(s) * extent, y = rng_unit(s) * extent;
    return (struct ag_bbox){x, y, x + rng_unit(s) * maxsize,
                            y + rng_unit(s) * maxsize};
}

struct hits {
    int64_t ids[8192];
    size_t n;
};

static int collect(void *ud, int64_t id, struct ag_bbox box)
{
    (void)box;
    struct hits *h = ud;
    assert_true(h->n < sizeof h->ids / sizeof *h->ids);
    h->ids[h->n++] = id;
    return 0;
}

static int cmp_id(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

enum { NBOXES = 5000, NQUERIES = 200 };

static void check_queries_against_brute_force(const struct ag_index *ix,
                                              const struct ag_bbox *boxes,
                                              uint64_t *seed)
{
    static struct hits got, want;
    for (int q = 0; q < NQUERIES; q++) {
        struct ag_bbox qb = rng_box(seed, 1000, 100);
        got.n = want.n = 0;
        assert_int_equal(ag_index_query(ix, qb, collect, &got), 0);
        for (int i = 0; i < NBOXES; i++)
            if (ag_bbox_intersects(boxes[i], qb))
                want.ids[want.n++] = 1000 + i;
        qsort(got.ids, got.n, sizeof *got.ids, cmp_id);
        assert_int_equal(got.n, want.n);
        assert_memory_equal(got.ids, want.ids, want.n * sizeof *want.ids);
    }
}

static void test_index_matches_brute_force(void **state)
{
    (void)state;
    uint64_t seed = 20240917;
    static struct ag_bbox boxes[NBOXES];
    struct ag_index *ix = NULL;
    assert_int_equal(ag_index_new(&ix), 0);
    for (int i = 0; i < NBOXES; i++) {
        boxes[i] = rng_box(&seed, 1000, 20);
        assert_int_equal(ag_index_add(ix, 1000 + i, boxes[i]), 0);
    }
    assert_int_equal(ag_index_size(ix), NBOXES);
    /* Before build the index answers by scanning (documented in geo.h). */
    check_queries_against_brute_force(ix, boxes, &seed);
    assert_int_equal(ag_index_build(ix), 0);
    check_queries_against_brute_force(ix, boxes, &seed);
    ag_index_free(ix);
}

static void test_index_touching_counts_and_callback_stops(void **state)
{
    (void)state;
    struct ag_index *ix = NULL;
    assert_int_equal(ag_index_new(&ix), 0);
    assert_int_equal(ag_index_build(ix), 0);
    struct hits *h = calloc(1, sizeof *h);
    assert_non_null(h);
    assert_int_equal(
        ag_index_query(ix, (struct ag_bbox){0, 0, 1, 1}, collect, h), 0);
    assert_int_equal(h->n, 0);
    for (int i = 0; i < 100; i++)
        assert_int_equal(ag_index_add(ix, i, (struct ag_bbox){i, 0, i + 1, 1}),
                         0);
    assert_int_equal(ag_index_add(ix, 1, (struct ag_bbox){2, 0, 1, 1}),
                     AG_EINVAL);
    assert_int_equal(ag_index_add(ix, 1, (struct ag_bbox){NAN, 0, 1, 1}),
                     AG_EINVAL);
    assert_int_equal(ag_index_build(ix), 0);
    /* [5, 6] touches boxes 4, 5 and 6 at their edges. */
    assert_int_equal(
        ag_index_query(ix, (struct ag_bbox){5, 1, 6, 2}, collect, h), 0);
    qsort(h->ids, h->n, sizeof *h->ids, cmp_id);
    assert_int_equal(h->n, 3);
    assert_int_equal(h->ids[0], 4);
    assert_int_equal(h->ids[2], 6);
    free(h);
    assert_int_equal(ag_index_size(ix), 100);
    ag_index_free(ix);
}

static int stop_at_first(void *ud, int64_t id, struct ag_bbox box)
{
    (void)box;
    *(int64_t *)ud = id;
    return 42;
}

static void test_index_query_returns_callback_value(void **state)
{
    (void)state;
    struct ag_index *ix = NULL;
    assert_int_equal(ag_index_new(&ix), 0);
    for (int i = 0; i < 1000; i++)
        assert_int_equal(ag_index_add(ix, i, (struct ag_bbox){i, i, i, i}), 0);
    assert_int_equal(ag_index_build(ix), 0);
    int64_t seen = -1;
    assert_int_equal(ag_index_query(ix, (struct ag_bbox){0, 0, 1e4, 1e4},
                                    stop_at_first, &seen),
                     42);
    assert_true(seen >= 0 && seen < 1000);
    ag_index_free(ix);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup_proj, teardown_proj)
        T(test_projection_origin_maps_to_zero),
        T(test_projection_round_trip_within_1e9_degrees),
        T(test_projection_east_and_north_are_positive),
        T(test_projected_distance_matches_geodesic_1km),
        T(test_projected_distance_10km_from_origin_within_2e6),
        T(test_projection_rejects_bad_origin),
        T(test_projection_of_nan_is_nan),
        T(test_projection_ignores_decimal_comma_locale),
        T(test_projection_matches_proj_tmerc),
        T(test_projection_outside_its_hemisphere_is_nan),
        T(test_rectangle_100_by_50_area_perimeter_centroid),
        T(test_signed_area_flips_with_orientation),
        T(test_l_shape_centroid_by_decomposition),
        T(test_degenerate_ring_centroid_is_vertex_mean),
        T(test_seg_dist_perpendicular_and_beyond_ends),
        T(test_mpoly_rectangle_measure),
        T(test_square_with_centred_square_hole),
        T(test_off_centre_hole_shifts_centroid),
        T(test_real_ring_area_matches_geodesic),
        T(test_line_length_matches_geodesic),
        T(test_mpoly_copy_is_deep_and_bbox_covers_vertices),
        T(test_orient_makes_outer_ccw_and_holes_cw),
        T(test_seg_intersect_crossing),
        T(test_seg_intersect_t_touch),
        T(test_seg_intersect_parallel),
        T(test_seg_intersect_collinear_overlap),
        T(test_seg_intersect_disjoint_collinear),
        T(test_point_in_square_and_on_its_boundary),
        T(test_point_in_concave_ring),
        T(test_validate_accepts_rectangle_and_duplicate_vertices),
        T(test_validate_rejects_bowtie_naming_edges),
        T(test_validate_rejects_unclosed_ring),
        T(test_validate_rejects_three_point_ring),
        T(test_validate_rejects_spike_and_flat_ring),
        T(test_validate_rejects_ring_touching_itself),
        T(test_validate_rejects_hole_outside_outer),
        T(test_validate_rejects_hole_crossing_outer),
        T(test_validate_rejects_hole_crossing_through_shared_vertex),
        T(test_validate_accepts_hole_touching_outer_at_a_vertex),
        T(test_validate_rejects_hole_inside_hole),
        T(test_validate_rejects_empty_and_ringless),
        T(test_validate_accepts_500_vertex_circle),
        T(test_validate_rejects_500_vertex_ring_with_one_crossing),
        T(test_buffer_of_straight_line_is_length_times_width),
        T(test_buffer_of_l_shaped_line_by_decomposition),
        T(test_buffer_rejects_bad_input),
        T(test_index_matches_brute_force),
        T(test_index_touching_counts_and_callback_stops),
        T(test_index_query_returns_callback_value),
#undef T
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
