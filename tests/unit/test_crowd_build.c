/* Crowd geometry builder (lib/crowd/build.c) and event layouts
 * (lib/crowd/layout.c): exits found where streets meet a hand-made square,
 * obstacles cut out, and layouts refused with the feature named.
 * SPDX-License-Identifier: EUPL-1.2 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agora/crowd.h"

#define NEAR(a, b, tol) assert_true(fabs((a) - (b)) <= (tol))
#define HAS(msg, s)                                                                                \
    do {                                                                                           \
        if (!strstr((msg), (s)))                                                                   \
            fail_msg("message \"%s\" lacks \"%s\"", (msg), (s));                                   \
    } while (0)

/* A 40 m x 40 m square (0..40 both ways). */
static struct ag_xy SQUARE[5] = {{0, 0}, {40, 0}, {40, 40}, {0, 40}, {0, 0}};

static struct ag_crowd_geom square_area(void)
{
    static struct ag_crowd_ring outer;
    outer = (struct ag_crowd_ring){SQUARE, 5};
    return (struct ag_crowd_geom){&outer, 1, NULL, 0, NULL, 0};
}

/* The exit whose midpoint is nearest to p. */
static const struct ag_crowd_exit *exit_near(const struct ag_crowd_geom *g, double x, double y)
{
    const struct ag_crowd_exit *best = NULL;
    double bd = INFINITY;
    for (size_t i = 0; i < g->nexits; i++) {
        double mx = (g->exits[i].a.x + g->exits[i].b.x) / 2, my = (g->exits[i].a.y + g->exits[i].b.y) / 2;
        double d = hypot(mx - x, my - y);
        if (d < bd) {
            bd = d;
            best = &g->exits[i];
        }
    }
    assert_non_null(best);
    assert_true(bd < 0.01);
    return best;
}

static void test_two_roads_across_a_square_open_four_exits_of_their_widths(void **state)
{
    (void)state;
    /* East-west road along y = 20, 6 m wide; north-south road along
     * x = 10, 4 m wide: they cross the outline at (0, 20), (40, 20),
     * (10, 0) and (10, 40), and each opening is the road's width. */
    struct ag_xy ew[2] = {{-30, 20}, {70, 20}};
    struct ag_xy ns[3] = {{10, -30}, {10, 20}, {10, 70}};
    struct ag_crowd_way ways[2] = {{ew, 2, 6.0, false, "Rue A"}, {ns, 3, 4.0, true, NULL}};
    struct ag_crowd_geom area = square_area(), g;
    struct ag_crowd_build_info info;
    struct ag_error err = {0};
    assert_int_equal(ag_crowd_geom_build(&area, NULL, 0, NULL, 0, ways, 2, NULL, &g, &info, &err),
                     0);
    assert_int_equal(ag_crowd_geom_check(&g, &err), 0);
    assert_int_equal(g.nexits, 4);
    assert_int_equal(info.openings, 4);
    NEAR(ag_crowd_geom_area(&g), 1600, 1e-9);
    const struct ag_crowd_exit *w = exit_near(&g, 0, 20), *e = exit_near(&g, 40, 20);
    const struct ag_crowd_exit *s = exit_near(&g, 10, 0), *n = exit_near(&g, 10, 40);
    NEAR(w->width_m, 6, 1e-9);
    NEAR(e->width_m, 6, 1e-9);
    NEAR(s->width_m, 4, 1e-9);
    NEAR(n->width_m, 4, 1e-9);
    /* The 6 m opening on the west side runs from y = 17 to y = 23. */
    NEAR(fmin(w->a.y, w->b.y), 17, 1e-9);
    NEAR(fmax(w->a.y, w->b.y), 23, 1e-9);
    assert_string_equal(w->name, "Rue A");
    assert_true(s->stairs);
    assert_false(w->stairs);
    assert_null(s->name);
    ag_crowd_geom_free(&g);
}

static void test_openings_closer_than_a_metre_merge_and_a_road_that_ends_at_the_edge_counts(
    void **state)
{
    (void)state;
    /* Two 2 m paths crossing the south side at x = 10 and x = 12.5: the
     * openings 9..11 and 11.5..13.5 are 0.5 m apart, so they merge into
     * one exit from 9 to 13.5 covering 4 m. A street ending exactly on the
     * east side (from outside) opens it too. */
    struct ag_xy p1[2] = {{10, -5}, {10, 5}};
    struct ag_xy p2[2] = {{12.5, -5}, {12.5, 5}};
    struct ag_xy dead_end[2] = {{60, 30}, {40, 30}};
    struct ag_crowd_way ways[3] = {
        {p1, 2, 2.0, false, NULL}, {p2, 2, 2.0, false, "Path"}, {dead_end, 2, 5.0, false, NULL}};
    struct ag_crowd_geom area = square_area(), g;
    struct ag_error err = {0};
    assert_int_equal(ag_crowd_geom_build(&area, NULL, 0, NULL, 0, ways, 3, NULL, &g, NULL, &err),
                     0);
    assert_int_equal(g.nexits, 2);
    const struct ag_crowd_exit *m = exit_near(&g, 11.25, 0);
    NEAR(m->width_m, 4, 1e-9);
    NEAR(ag_xy_dist(m->a, m->b), 4.5, 1e-9);
    assert_string_equal(m->name, "Path");
    NEAR(exit_near(&g, 40, 30)->width_m, 5, 1e-9);
    ag_crowd_geom_free(&g);
}

static void test_a_road_alongside_opens_the_side_but_one_running_on_the_outline_does_not(
    void **state)
{
    (void)state;
    /* A 6 m street 4 m north of the north side (carriageway edge 1 m
     * away, within the 2 m allowed), from x = 5 to x = 25: the side opens
     * where it is within 3 + 2 = 5 m of the centreline, x = 2 .. 28 (at
     * the ends sqrt(3² + 4²) = 5), 26 m. A 2 m path drawn on the west side from y = 5 to
     * y = 35 is alongside too: it opens y = 2 .. 38 (within 1 + 2 m of
     * it), 36 m, although it never crosses the outline. */
    struct ag_xy street[2] = {{5, 44}, {25, 44}};
    struct ag_xy on_edge[3] = {{0, 5}, {0, 20}, {0, 35}};
    struct ag_crowd_way ways[2] = {{street, 2, 6.0, false, "Quai"}, {on_edge, 3, 2.0, false, NULL}};
    struct ag_crowd_geom area = square_area(), g;
    struct ag_error err = {0};
    assert_int_equal(ag_crowd_geom_build(&area, NULL, 0, NULL, 0, ways, 2, NULL, &g, NULL, &err),
                     0);
    assert_int_equal(g.nexits, 2);
    const struct ag_crowd_exit *n = exit_near(&g, 15, 40);
    NEAR(n->width_m, 26, 0.3); /* sampled every 0.25 m */
    assert_string_equal(n->name, "Quai");
    NEAR(exit_near(&g, 0, 20)->width_m, 36, 0.3);
    ag_crowd_geom_free(&g);

    /* With the alongside rule off: no exit at all, said so. */
    struct ag_crowd_build_params p;
    ag_crowd_build_params_default(&p);
    p.adjacent_m = 0;
    assert_int_equal(ag_crowd_geom_build(&area, NULL, 0, NULL, 0, ways, 2, &p, &g, NULL, &err),
                     AG_EEMPTY);
    HAS(err.msg, "no exit");
    assert_null(g.outer);
    assert_int_equal(g.nexits, 0);
}

static void test_buildings_are_cut_out_and_a_part_without_exit_is_left_out(void **state)
{
    (void)state;
    /* A 10 x 10 kiosk in the middle becomes a hole (1600 - 100 = 1500).
     * A wall-to-wall building across x = 30..32 cuts off the east strip
     * (32..40, 320 m²) which no road reaches: left out. */
    struct ag_xy kiosk[5] = {{15, 15}, {25, 15}, {25, 25}, {15, 25}, {15, 15}};
    struct ag_xy wall[5] = {{30, -5}, {32, -5}, {32, 45}, {30, 45}, {30, -5}};
    struct ag_crowd_ring obst[2] = {{kiosk, 5}, {wall, 5}};
    struct ag_xy road[2] = {{-20, 5}, {5, 5}};
    struct ag_crowd_way ways[1] = {{road, 2, 4.0, false, NULL}};
    struct ag_crowd_geom area = square_area(), g;
    struct ag_crowd_build_info info;
    struct ag_error err = {0};
    assert_int_equal(ag_crowd_geom_build(&area, obst, 1, NULL, 0, ways, 1, NULL, &g, &info, &err),
                     0);
    assert_int_equal(g.nholes, 1);
    NEAR(ag_crowd_geom_area(&g), 1500, 1e-6);
    NEAR(info.obstacles_m2, 100, 1e-6);
    ag_crowd_geom_free(&g);

    assert_int_equal(ag_crowd_geom_build(&area, obst, 2, NULL, 0, ways, 1, NULL, &g, &info, &err),
                     0);
    assert_int_equal(g.nouter, 1);
    assert_int_equal(info.parts_dropped, 1);
    NEAR(info.dropped_m2, 320, 1e-6);
    /* 30 x 40 = 1200 minus the kiosk 100 = 1100. */
    NEAR(ag_crowd_geom_area(&g), 1100, 1e-6);
    assert_int_equal(ag_crowd_geom_check(&g, &err), 0);
    ag_crowd_geom_free(&g);
}

/* ---- layouts ---- */

/* A 30 m x 20 m room near Monaco (7.42 E, 43.73 N), in degrees: a degree
 * of latitude there is M pi / 180 = 111,106.97 m and a degree of longitude
 * N cos(lat) pi / 180 = 80,569.02 m (WGS 84: M = a (1 - e²) / W³,
 * N = a / W, W = sqrt(1 - e² sin² lat)); good to 1e-6 over the room. */
#define LON(x) (7.42 + (x) / 80569.02)
#define LAT(y) (43.73 + (y) / 111106.97)

static char *room_layout(const char *extra_feature, bool with_exits)
{
    static char buf[8192];
    char area[1024], exits[2048] = "";
    snprintf(area, sizeof area,
             "{\"type\":\"Feature\",\"properties\":{\"role\":\"area\"},\"geometry\":{\"type\":"
             "\"Polygon\",\"coordinates\":[[[%.9f,%.9f],[%.9f,%.9f],[%.9f,%.9f],[%.9f,%.9f],[%."
             "9f,%.9f]]]}}",
             LON(0), LAT(0), LON(30), LAT(0), LON(30), LAT(20), LON(0), LAT(20), LON(0), LAT(0));
    if (with_exits)
        snprintf(exits, sizeof exits,
                 ",{\"type\":\"Feature\",\"properties\":{\"role\":\"exit\",\"name\":\"South\"},"
                 "\"geometry\":{\"type\":\"LineString\",\"coordinates\":[[%.9f,%.9f],[%.9f,%.9f]]}"
                 "},{\"type\":\"Feature\",\"properties\":{\"role\":\"exit\",\"width_m\":0.8,"
                 "\"stairs\":true},\"geometry\":{\"type\":\"LineString\",\"coordinates\":[[%.9f,%."
                 "9f],[%.9f,%.9f]]}}",
                 LON(14.5), LAT(0), LON(15.5), LAT(0), LON(30), LAT(9.5), LON(30), LAT(10.5));
    snprintf(buf, sizeof buf, "{\"type\":\"FeatureCollection\",\"features\":[%s%s%s%s]}", area,
             exits, extra_feature ? "," : "", extra_feature ? extra_feature : "");
    return buf;
}

static int read_layout(const char *text, struct ag_crowd_geom *g, struct ag_error *err)
{
    return ag_crowd_layout_read(text, strlen(text), "plan.geojson", g, NULL, NULL, err);
}

static void test_layout_room_has_600_m2_and_its_two_exits(void **state)
{
    (void)state;
    struct ag_crowd_geom g;
    struct ag_error err = {0};
    struct ag_ll origin;
    const char *t = room_layout(NULL, true);
    assert_int_equal(ag_crowd_layout_read(t, strlen(t), "plan.geojson", &g, &origin, NULL, &err),
                     0);
    NEAR(ag_crowd_geom_area(&g), 600, 0.5);
    NEAR(origin.lon, LON(15), 1e-9);
    assert_int_equal(g.nexits, 2);
    NEAR(g.exits[0].width_m, 1, 1e-3);
    assert_string_equal(g.exits[0].name, "South");
    NEAR(g.exits[1].width_m, 0.8, 0);
    assert_true(g.exits[1].stairs);
    ag_crowd_geom_free(&g);
}

static void test_layout_stage_and_fence_are_cut_out(void **state)
{
    (void)state;
    char stage[1024];
    /* A 10 m x 5 m stage and a 10 m fence (0.2 m wide: 2 m² plus its round
     * ends): 600 - 50 - about 2. */
    snprintf(stage, sizeof stage,
             "{\"type\":\"Feature\",\"properties\":{\"role\":\"obstacle\",\"name\":\"Stage\"},"
             "\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[[%.9f,%.9f],[%.9f,%.9f],[%.9f,"
             "%.9f],[%.9f,%.9f],[%.9f,%.9f]]]}},{\"type\":\"Feature\",\"properties\":{\"role\":"
             "\"fence\"},\"geometry\":{\"type\":\"LineString\",\"coordinates\":[[%.9f,%.9f],[%.9f,"
             "%.9f]]}}",
             LON(10), LAT(12), LON(20), LAT(12), LON(20), LAT(17), LON(10), LAT(17), LON(10),
             LAT(12), LON(5), LAT(5), LON(15), LAT(5));
    struct ag_crowd_geom g;
    struct ag_error err = {0};
    assert_int_equal(read_layout(room_layout(stage, true), &g, &err), 0);
    assert_int_equal(g.nholes, 2);
    NEAR(ag_crowd_geom_area(&g), 600 - 50 - 2, 0.6);
    ag_crowd_geom_free(&g);
}

static void test_layout_errors_name_the_feature(void **state)
{
    (void)state;
    struct ag_crowd_geom g;
    struct ag_error err = {0};
    assert_int_equal(read_layout("{\"type\":\"FeatureCollection\",", &g, &err), AG_EPARSE);
    HAS(err.msg, "plan.geojson: not valid GeoJSON: line 1");

    assert_int_equal(read_layout("{\"type\":\"Feature\"}", &g, &err), AG_EPARSE);
    HAS(err.msg, "FeatureCollection");

    const char *stalls = "{\"type\":\"Feature\",\"properties\":{\"role\":\"stall\",\"name\":\"Crepes\"},"
                         "\"geometry\":null}";
    assert_int_equal(read_layout(room_layout(stalls, true), &g, &err), AG_EINVAL);
    HAS(err.msg, "features[3] (Crepes): unknown role \"stall\"");

    char far[512];
    snprintf(far, sizeof far,
             "{\"type\":\"Feature\",\"properties\":{\"role\":\"exit\",\"name\":\"Gate B\"},"
             "\"geometry\":{\"type\":\"LineString\",\"coordinates\":[[%.9f,%.9f],[%.9f,%.9f]]}}",
             LON(40), LAT(10), LON(41), LAT(10));
    assert_int_equal(read_layout(room_layout(far, true), &g, &err), AG_EGEOM);
    HAS(err.msg, "features[3] (Gate B): exit outside the area: it is 10.0 m from");

    assert_int_equal(read_layout(room_layout(NULL, false), &g, &err), AG_EINVAL);
    HAS(err.msg, "no exit");

    assert_int_equal(read_layout("{\"type\":\"FeatureCollection\",\"features\":[]}", &g, &err),
                     AG_EINVAL);
    HAS(err.msg, "no area");

    const char *bad_pos = "{\"type\":\"Feature\",\"properties\":{\"role\":\"fence\"},"
                          "\"geometry\":{\"type\":\"LineString\",\"coordinates\":[[7.42,43.73],"
                          "[200,43.73]]}}";
    assert_int_equal(read_layout(room_layout(bad_pos, true), &g, &err), AG_EGEOM);
    HAS(err.msg, "features[3]: LineString, position 2");

    const char *wide = "{\"type\":\"Feature\",\"properties\":{\"role\":\"exit\",\"width_m\":-1},"
                       "\"geometry\":{\"type\":\"LineString\",\"coordinates\":[[7.42,43.73],"
                       "[7.42001,43.73]]}}";
    assert_int_equal(read_layout(room_layout(wide, true), &g, &err), AG_EINVAL);
    HAS(err.msg, "features[3]: \"width_m\"");
    assert_null(g.outer);
    assert_null(g.exits);
}

/* A stored space 40 m x 40 m in lon/lat around (7.42, 43.73), a 4 m
 * footway across it from west to east: the geometry is measured in the
 * plane centred on the space's centroid, so the exits sit 20 m either side
 * of the origin; without the footway nothing opens the outline. */
static void test_a_space_is_measured_around_its_centroid_and_no_street_means_no_exit(void **state)
{
    (void)state;
    const double lon0 = 7.42, lat0 = 43.73,
                 m_lat = 111132.954 - 559.822 * cos(2 * lat0 * M_PI / 180),
                 m_lon = 111412.84 * cos(lat0 * M_PI / 180);
    const double dx = 20 / m_lon, dy = 20 / m_lat;
    struct ag_ll ring[5] = {{lon0 - dx, lat0 - dy},
                            {lon0 + dx, lat0 - dy},
                            {lon0 + dx, lat0 + dy},
                            {lon0 - dx, lat0 + dy},
                            {lon0 - dx, lat0 - dy}};
    struct ag_space sp;
    memset(&sp, 0, sizeof sp);
    assert_int_equal(ag_mpoly_add_ring_polygon(&sp.geom, ring, 5), 0);
    sp.centroid = (struct ag_ll){lon0, lat0};
    struct ag_ll line[2] = {{lon0 - 2 * dx, lat0}, {lon0 + 2 * dx, lat0}};
    struct ag_road_edge e;
    memset(&e, 0, sizeof e);
    e.highway = "footway";
    e.width_m = 4;
    e.geom = (struct ag_line){line, 2};

    struct ag_crowd_geom g = {0};
    struct ag_error err = {0};
    assert_int_equal(ag_crowd_geom_of_space(&sp, NULL, 0, &e, 1, NULL, &g, NULL, &err), 0);
    NEAR(ag_crowd_geom_area(&g), 1600, 2);
    assert_int_equal(g.nexits, 2);
    for (size_t i = 0; i < 2; i++) { /* west then east, within the 0.1 % of the formulas above */
        const struct ag_crowd_exit *x = &g.exits[i];
        NEAR(x->width_m, 4, 0.05);
        NEAR(fabs(x->a.x + x->b.x) / 2, 20, 0.05);
        NEAR((x->a.y + x->b.y) / 2, 0, 0.05);
    }
    NEAR(g.exits[0].a.x + g.exits[1].a.x, 0, 0.1); /* one each side */
    ag_crowd_geom_free(&g);

    assert_int_equal(ag_crowd_geom_of_space(&sp, NULL, 0, NULL, 0, NULL, &g, NULL, &err),
                     AG_EEMPTY);
    HAS(err.msg, "no exit");
    assert_null(g.outer);
    assert_null(g.exits);
    ag_mpoly_free(&sp.geom);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_two_roads_across_a_square_open_four_exits_of_their_widths),
        cmocka_unit_test(
            test_openings_closer_than_a_metre_merge_and_a_road_that_ends_at_the_edge_counts),
        cmocka_unit_test(
            test_a_road_alongside_opens_the_side_but_one_running_on_the_outline_does_not),
        cmocka_unit_test(test_buildings_are_cut_out_and_a_part_without_exit_is_left_out),
        cmocka_unit_test(test_layout_room_has_600_m2_and_its_two_exits),
        cmocka_unit_test(test_layout_stage_and_fence_are_cut_out),
        cmocka_unit_test(test_layout_errors_name_the_feature),
        cmocka_unit_test(test_a_space_is_measured_around_its_centroid_and_no_street_means_no_exit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
