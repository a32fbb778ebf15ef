/* Kerb-side entries (docs/methodology.md §13) on small synthetic cities: a
 * square and roads placed in metres, stored, analysed by
 * ag_vehicle_analyse, and every figure checked against a hand calculation
 * (v² = 2·a·s from rest with the constant model; distances from the
 * geometry). SPDX-License-Identifier: EUPL-1.2 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agora/store.h"
#include "agora/vehicle.h"

static char dir[64];
static char dbpath[128];

static const struct ag_ll ORIGIN = {7.42, 43.73};

/* Two classes for the hand calculations, driven with the constant model:
 * CAR (1.8 m wide, 3 m/s²) and WIDE (3.0 m wide, 1 m/s²); top speeds far
 * above anything reached here. */
static struct ag_vehicle_class CLASSES[] = {
    {"CAR", "test car", 1500, 3.0, 1e6, 100.0, 6.0, 1.8, "test"},
    {"WIDE", "test wide vehicle", 3000, 1.0, 1e6, 100.0, 6.0, 3.0, "test"},
};

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/agora-kerb-XXXXXX");
    if (!mkdtemp(dir))
        return -1;
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[160];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd);
}

/* A city drawn in metres east and north of ORIGIN, in the plane the
 * analysis uses (the same projection around the same origin). */
struct scene {
    struct ag_city_model m;
    struct ag_proj *proj;
    int64_t next_id;
};

static void scene_init(struct scene *sc)
{
    ag_city_model_init(&sc->m);
    sc->m.source = strdup("test.osm");
    sc->m.origin = ORIGIN;
    sc->m.bbox = (struct ag_bbox){7.40, 43.71, 7.44, 43.75};
    struct ag_error err = {0};
    assert_int_equal(ag_proj_new(&sc->proj, ORIGIN.lon, ORIGIN.lat, &err), 0);
    sc->next_id = 1000;
}

static struct ag_ll ll(const struct scene *sc, double x, double y)
{
    return ag_proj_inv(sc->proj, (struct ag_xy){x, y});
}

/* The square "Plaza" [0, 40] × [0, 40] (way 1). */
static void add_square(struct scene *sc)
{
    struct ag_space sp = {0};
    snprintf(sp.ref.type, sizeof sp.ref.type, "way");
    sp.ref.id = 1;
    sp.name = strdup("Plaza");
    sp.kind = strdup("square");
    sp.origin = strdup("osm");
    sp.geom_source = strdup("area");
    struct ag_ll pts[5] = {ll(sc, 0, 0), ll(sc, 40, 0), ll(sc, 40, 40), ll(sc, 0, 40),
                           ll(sc, 0, 0)};
    assert_int_equal(ag_mpoly_add_ring_polygon(&sp.geom, pts, 5), 0);
    sp.area_m2 = 1600;
    sp.perimeter_m = 160;
    sp.centroid = ll(sc, 20, 20);
    sp.bbox = ag_mpoly_bbox(&sp.geom);
    assert_non_null(ag_vec_push(&sc->m.spaces, &sp));
}

/* A straight road from (x0, y0) to (x1, y1), one edge between two nodes. */
static void add_road(struct scene *sc, int64_t way, const char *name, double x0, double y0,
                     double x1, double y1, double width, bool tunnel)
{
    struct ag_road_node a = {sc->next_id++, ll(sc, x0, y0), NULL, false};
    struct ag_road_node b = {sc->next_id++, ll(sc, x1, y1), NULL, false};
    assert_non_null(ag_vec_push(&sc->m.road_nodes, &a));
    assert_non_null(ag_vec_push(&sc->m.road_nodes, &b));
    struct ag_road_edge e = {0};
    e.osm_way_id = way;
    e.from_node = a.osm_id;
    e.to_node = b.osm_id;
    e.highway = strdup("residential");
    e.name = name ? strdup(name) : NULL;
    e.width_source = strdup("tag:width");
    e.width_m = width;
    e.length_m = hypot(x1 - x0, y1 - y0);
    e.incline_pct = NAN;
    e.maxspeed_kmh = NAN;
    e.tunnel = tunnel;
    e.layer = tunnel ? -1 : 0;
    e.geom.pts = calloc(2, sizeof *e.geom.pts);
    e.geom.n = 2;
    e.geom.pts[0] = a.ll;
    e.geom.pts[1] = b.ll;
    assert_non_null(ag_vec_push(&sc->m.road_edges, &e));
}

/* A road node at (x, y); returns its id. */
static int64_t add_node(struct scene *sc, double x, double y)
{
    struct ag_road_node a = {sc->next_id++, ll(sc, x, y), NULL, false};
    assert_non_null(ag_vec_push(&sc->m.road_nodes, &a));
    return a.osm_id;
}

/* Edge seq of way `way` between two existing nodes, 6 m wide. */
static void add_edge(struct scene *sc, int64_t way, int seq, const char *name, int64_t a,
                     int64_t b)
{
    struct ag_ll pa = {0}, pb = {0};
    for (size_t i = 0; i < sc->m.road_nodes.len; i++) {
        const struct ag_road_node *n = &AG_VEC_AT(&sc->m.road_nodes, struct ag_road_node, i);
        if (n->osm_id == a)
            pa = n->ll;
        if (n->osm_id == b)
            pb = n->ll;
    }
    struct ag_road_edge e = {0};
    e.osm_way_id = way;
    e.seq = seq;
    e.from_node = a;
    e.to_node = b;
    e.highway = strdup("residential");
    e.name = name ? strdup(name) : NULL;
    e.width_source = strdup("tag:width");
    e.width_m = 6.0;
    e.length_m = 1; /* not read by the analysis, which measures in its plane */
    e.incline_pct = NAN;
    e.maxspeed_kmh = NAN;
    e.geom.pts = calloc(2, sizeof *e.geom.pts);
    e.geom.n = 2;
    e.geom.pts[0] = pa;
    e.geom.pts[1] = pb;
    assert_non_null(ag_vec_push(&sc->m.road_edges, &e));
}

/* A building over the rectangle [x0, x1] × [y0, y1]. */
static void add_building(struct scene *sc, double x0, double y0, double x1, double y1)
{
    struct ag_building bd = {0};
    snprintf(bd.ref.type, sizeof bd.ref.type, "way");
    bd.ref.id = sc->next_id++;
    bd.building = strdup("yes");
    bd.height_m = NAN;
    struct ag_ll pts[5] = {ll(sc, x0, y0), ll(sc, x1, y0), ll(sc, x1, y1), ll(sc, x0, y1),
                           ll(sc, x0, y0)};
    assert_int_equal(ag_mpoly_add_ring_polygon(&bd.geom, pts, 5), 0);
    bd.area_m2 = (x1 - x0) * (y1 - y0);
    bd.bbox = ag_mpoly_bbox(&bd.geom);
    assert_non_null(ag_vec_push(&sc->m.buildings, &bd));
}

/* A barrier drawn as a line from (x0, y0) to (x1, y1). */
static void add_barrier_line(struct scene *sc, const char *type, bool blocks, double x0, double y0,
                             double x1, double y1)
{
    struct ag_barrier br = {0};
    snprintf(br.ref.type, sizeof br.ref.type, "way");
    br.ref.id = sc->next_id++;
    br.type = strdup(type);
    br.blocks_vehicle = blocks;
    br.geom.pts = calloc(2, sizeof *br.geom.pts);
    br.geom.n = 2;
    br.geom.pts[0] = ll(sc, x0, y0);
    br.geom.pts[1] = ll(sc, x1, y1);
    assert_non_null(ag_vec_push(&sc->m.barriers, &br));
}

/* Stores the scene in a fresh database, analyses it with reach kerb_m, and
 * returns Plaza's result (json_decref it). */
static json_t *analyse(struct scene *sc, double kerb_m)
{
    static int n;
    snprintf(dbpath, sizeof dbpath, "%s/t%d.db", dir, n++);
    struct ag_store *s = NULL;
    struct ag_error err = {0};
    int rc = ag_store_open(&s, dbpath, AG_STORE_CREATE, &err);
    struct ag_import_stats st;
    if (!rc)
        rc = ag_store_import(s, "Testville", &sc->m, &st, &err);
    struct ag_city city;
    if (!rc)
        rc = ag_store_city_get(s, "Testville", &city, &err);
    struct ag_vehicle_classes classes = {CLASSES, 2};
    struct ag_vehicle_options o = {AG_VEHICLE_CONSTANT, &classes, 5.0, kerb_m, NULL};
    struct ag_vec out;
    ag_vec_init(&out, sizeof(struct ag_vehicle_result));
    if (!rc)
        rc = ag_vehicle_analyse(s, &city, NULL, 0, &o, &out, NULL, &err);
    if (rc)
        fprintf(stderr, "%s\n", err.msg);
    assert_int_equal(rc, 0);
    assert_int_equal(out.len, 1);
    json_error_t je;
    json_t *res = json_loads(AG_VEC_AT(&out, struct ag_vehicle_result, 0).json, 0, &je);
    assert_non_null(res);
    for (size_t i = 0; i < out.len; i++)
        free(AG_VEC_AT(&out, struct ag_vehicle_result, i).json);
    ag_vec_free(&out);
    ag_store_close(s);
    ag_city_model_free(&sc->m);
    ag_proj_free(sc->proj);
    return res;
}

/* The entries of a result of one kind ("way" or "kerb-side"). */
static size_t count_kind(const json_t *res, const char *kind)
{
    size_t n = 0, i;
    json_t *e;
    json_array_foreach(json_object_get(res, "entries"), i, e)
        n += !strcmp(json_string_value(json_object_get(e, "kind")), kind);
    return n;
}

static const json_t *only_kerb(const json_t *res)
{
    assert_int_equal(count_kind(res, "kerb-side"), 1);
    size_t i;
    json_t *e;
    json_array_foreach(json_object_get(res, "entries"), i, e)
        if (!strcmp(json_string_value(json_object_get(e, "kind")), "kerb-side"))
            return e;
    return NULL;
}

static double num(const json_t *o, const char *key)
{
    const json_t *v = json_object_get(o, key);
    assert_true(json_is_number(v));
    return json_number_value(v);
}

static const json_t *class_of(const json_t *entry, const char *id)
{
    size_t i;
    json_t *c;
    json_array_foreach(json_object_get(entry, "by_class"), i, c)
        if (!strcmp(json_string_value(json_object_get(c, "class")), id))
            return c;
    fail_msg("no class %s", id);
    return NULL;
}

/* Speeds are written in km/h with 2 decimals; the end of a stretch is
 * found to about a millimetre (well below the rounding here). */
static void assert_kmh(const json_t *c, double v_ms)
{
    double got = num(c, "speed_kmh");
    if (fabs(got - v_ms * 3.6) > 0.011)
        fail_msg("speed %.3f km/h, expected %.3f km/h", got, v_ms * 3.6);
}

/* The point (x, y) of the scene's plane where the entry lies, to 1 cm. */
static void assert_at(const json_t *e, double x, double y)
{
    struct ag_proj *p;
    struct ag_error err = {0};
    assert_int_equal(ag_proj_new(&p, ORIGIN.lon, ORIGIN.lat, &err), 0);
    struct ag_xy xy = ag_proj_fwd(p, (struct ag_ll){num(e, "lon"), num(e, "lat")});
    ag_proj_free(p);
    if (ag_xy_dist(xy, (struct ag_xy){x, y}) > 0.02)
        fail_msg("entry at %.3f %.3f, expected %.3f %.3f", xy.x, xy.y, x, y);
}

/* A 600 m road (6 m wide) along the square's south side at offset `off`,
 * from x = -300 to x = 300. Within reach (6 m from the carriageway's edge)
 * are its points within 9 m of the square: x from -√(81 − off²) to
 * 40 + √(81 − off²). The fastest of them is the east end of that stretch,
 * driven eastward from rest at x = -300: v² = 2·a·(340 + √(81 − off²)). */
static void road_alongside(struct scene *sc, double off)
{
    add_square(sc);
    add_road(sc, 500, "Rue du Test", -300, -off, 300, -off, 6.0, false);
}

static void test_road_alongside_within_reach_is_a_kerb_side_entry(void **state)
{
    (void)state;
    for (double off = 3.5; off <= 8.95; off += 1.8) {
        struct scene sc;
        scene_init(&sc);
        road_alongside(&sc, off);
        json_t *res = analyse(&sc, 6.0);
        assert_int_equal(count_kind(res, "way"), 0);
        const json_t *e = only_kerb(res);
        double half = sqrt(81 - off * off), s = 340 + half;
        assert_string_equal(json_string_value(json_object_get(e, "road")), "Rue du Test");
        assert_int_equal(json_integer_value(json_object_get(e, "way")), 500);
        assert_true(json_is_null(json_object_get(e, "node")));
        assert_true(fabs(num(e, "frontage_m") - (40 + 2 * half)) < 0.051);
        assert_true(fabs(num(e, "width_m") - (40 + 2 * half)) < 0.051);
        assert_true(fabs(num(e, "gap_m") - (off - 3)) < 0.051);
        const json_t *car = class_of(e, "CAR"), *wide = class_of(e, "WIDE");
        assert_kmh(car, sqrt(2 * 3.0 * s));
        assert_kmh(wide, sqrt(2 * 1.0 * s));
        assert_true(fabs(num(car, "run_up_m") - s) < 0.051);
        /* It leaves the road where the carriageway's edge is 6 m from the
         * square, and meets it at the corner (40, 0). */
        assert_true(fabs(num(car, "across_m") - 6.0) < 0.051);
        assert_at(e, 40, 0);
        json_t *path = json_object_get(car, "path");
        assert_int_equal(json_array_size(path), 3); /* start, where it leaves, the corner */
        json_decref(res);
    }
}

static void test_road_beyond_reach_gives_no_entry(void **state)
{
    (void)state;
    /* 9.1 m from the square: the carriageway's edge is 6.1 m away. */
    struct scene sc;
    scene_init(&sc);
    road_alongside(&sc, 9.1);
    json_t *res = analyse(&sc, 6.0);
    assert_int_equal(json_array_size(json_object_get(res, "entries")), 0);
    json_decref(res);
    /* ...but within a reach of 6.2 m. */
    scene_init(&sc);
    road_alongside(&sc, 9.1);
    res = analyse(&sc, 6.2);
    const json_t *e = only_kerb(res);
    assert_kmh(class_of(e, "CAR"), sqrt(2 * 3.0 * (340 + sqrt(9.2 * 9.2 - 9.1 * 9.1))));
    json_decref(res);
    /* A negative reach turns kerb-side entries off. */
    scene_init(&sc);
    road_alongside(&sc, 5);
    res = analyse(&sc, -1);
    assert_int_equal(json_array_size(json_object_get(res, "entries")), 0);
    json_decref(res);
}

static void test_building_between_road_and_square_removes_the_entry(void **state)
{
    (void)state;
    struct scene sc;
    scene_init(&sc);
    road_alongside(&sc, 8);
    add_building(&sc, -50, -4, 90, -1); /* the whole frontage */
    json_t *res = analyse(&sc, 6.0);
    assert_int_equal(json_array_size(json_object_get(res, "entries")), 0);
    json_decref(res);
}

static void test_vehicle_needs_a_gap_as_wide_as_itself(void **state)
{
    (void)state;
    /* A building covers the frontage east of x = 20: a vehicle leaving the
     * road at x heads straight north to (x, 0) and clears the building's
     * west wall by 20 − x, which must be half its width: CAR up to
     * x = 19.1, WIDE up to x = 18.5, each fastest there. */
    struct scene sc;
    scene_init(&sc);
    road_alongside(&sc, 8);
    add_building(&sc, 20, -4, 90, -1);
    json_t *res = analyse(&sc, 6.0);
    const json_t *e = only_kerb(res);
    assert_kmh(class_of(e, "CAR"), sqrt(2 * 3.0 * (300 + 19.1)));
    assert_kmh(class_of(e, "WIDE"), sqrt(2 * 1.0 * (300 + 18.5)));
    assert_true(fabs(num(class_of(e, "CAR"), "across_m") - 5.0) < 0.051);
    assert_at(e, 19.1, 0); /* where the fastest class meets the square */
    /* The frontage is the narrowest class's: from x = -√(81 − 64). */
    assert_true(fabs(num(e, "frontage_m") - (19.1 + sqrt(17))) < 0.051);
    json_decref(res);
}

static void test_wall_blocks_and_fence_does_not(void **state)
{
    (void)state;
    struct scene sc;
    scene_init(&sc);
    road_alongside(&sc, 8);
    add_barrier_line(&sc, "wall", true, -50, -2, 90, -2);
    json_t *res = analyse(&sc, 6.0);
    assert_int_equal(json_array_size(json_object_get(res, "entries")), 0);
    json_decref(res);
    scene_init(&sc);
    road_alongside(&sc, 8);
    add_barrier_line(&sc, "fence", false, -50, -2, 90, -2);
    res = analyse(&sc, 6.0);
    assert_kmh(class_of(only_kerb(res), "CAR"), sqrt(2 * 3.0 * (340 + sqrt(17))));
    json_decref(res);
}

static void test_tunnel_alongside_gives_no_entry(void **state)
{
    (void)state;
    struct scene sc;
    scene_init(&sc);
    add_square(&sc);
    add_road(&sc, 500, "Tunnel", -300, -5, 300, -5, 6.0, true);
    json_t *res = analyse(&sc, 6.0);
    assert_int_equal(json_array_size(json_object_get(res, "entries")), 0);
    json_decref(res);
}

static void test_perpendicular_roads(void **state)
{
    (void)state;
    /* Far away: nothing. */
    struct scene sc;
    scene_init(&sc);
    add_square(&sc);
    add_road(&sc, 600, "Far", 20, -200, 20, -100, 6.0, false);
    json_t *res = analyse(&sc, 6.0);
    assert_int_equal(json_array_size(json_object_get(res, "entries")), 0);
    json_decref(res);
    /* A dead end 5 m short of the square, pointing at it: the vehicle goes
     * on straight across at the speed it has at the end of the road, after
     * its whole 100 m. */
    scene_init(&sc);
    add_square(&sc);
    add_road(&sc, 600, "Short", 20, -105, 20, -5, 6.0, false);
    res = analyse(&sc, 6.0);
    const json_t *e = only_kerb(res);
    assert_kmh(class_of(e, "CAR"), sqrt(2 * 3.0 * 100));
    assert_kmh(class_of(e, "WIDE"), sqrt(2 * 1.0 * 100));
    assert_at(e, 20, 0);
    assert_true(fabs(num(e, "frontage_m") - 4.0) < 0.051); /* y from -9 to -5 */
    assert_true(fabs(num(e, "width_m") - 6.0) < 0.051);    /* never less than the carriageway */
    assert_true(fabs(num(class_of(e, "CAR"), "across_m") - 2.0) < 0.051);
    json_decref(res);
}

static void test_road_into_the_square_keeps_its_way_entries_only(void **state)
{
    (void)state;
    /* A road across the square: two way entries, each reached from its own
     * side after 100 m; its stretches just outside the square are those
     * entries' approaches, not kerb-side entries. */
    struct scene sc;
    scene_init(&sc);
    add_square(&sc);
    add_road(&sc, 700, "Across", 20, -100, 20, 140, 6.0, false);
    json_t *res = analyse(&sc, 6.0);
    assert_int_equal(count_kind(res, "way"), 2);
    assert_int_equal(count_kind(res, "kerb-side"), 0);
    size_t i;
    json_t *e;
    json_array_foreach(json_object_get(res, "entries"), i, e)
        assert_kmh(class_of(e, "CAR"), sqrt(2 * 3.0 * 100));
    json_decref(res);
}

static void test_one_street_and_the_side_street_pointing_at_it_are_one_entry(void **state)
{
    (void)state;
    /* A 60 m street 8 m south of the square, x from -10 to 50, drawn as two
     * OSM ways meeting at x = 30 (one name: one entry), and a side street
     * 192 m long arriving from the south at that junction, straight at the
     * square. Along the street the fastest point is its east end of reach,
     * x = 40 + √17, after 54.1 m from rest; down the side street and
     * straight on across, 192 m: the side street sets the entry's speed,
     * and it meets the square at (30, 0). The side street's own stretch is
     * 1 m long (its carriageway's edge is within reach from y = -9 to the
     * junction): part of the street's frontage. */
    struct scene sc;
    scene_init(&sc);
    add_square(&sc);
    int64_t w = add_node(&sc, -10, -8), j = add_node(&sc, 30, -8), e = add_node(&sc, 50, -8);
    int64_t s = add_node(&sc, 30, -200);
    add_edge(&sc, 800, 0, "Rue Longue", w, j);
    add_edge(&sc, 801, 0, "Rue Longue", j, e);
    add_edge(&sc, 802, 0, "Rue Courte", s, j);
    json_t *res = analyse(&sc, 6.0);
    const json_t *en = only_kerb(res);
    assert_string_equal(json_string_value(json_object_get(en, "road")), "Rue Longue");
    assert_kmh(class_of(en, "CAR"), sqrt(2 * 3.0 * 192));
    assert_kmh(class_of(en, "WIDE"), sqrt(2 * 1.0 * 192));
    assert_at(en, 30, 0);
    if (fabs(num(en, "frontage_m") - (40 + 2 * sqrt(17) + 1)) > 0.051)
        fail_msg("frontage %.3f, expected %.3f", num(en, "frontage_m"), 40 + 2 * sqrt(17) + 1);
    json_decref(res);
}

static void test_ring_road_is_one_stretch_around_its_closing_node(void **state)
{
    (void)state;
    /* A one-way ring 5 m around the square (a closed way, drawn from its
     * south-west corner anticlockwise), every point within reach, but a
     * building between its north side and the square from x = 10 to 30: a
     * car must stay 0.9 m clear of it, so 21.8 m of the ring is shut out.
     * What is left runs from the middle of the north side round to it
     * again, across the node where the way closes: one entry, named or not
     * (a name would also join two stretches of one street at a node). */
    for (int named = 0; named < 2; named++) {
        struct scene sc;
        scene_init(&sc);
        add_square(&sc);
        int64_t c[4] = {add_node(&sc, -5, -5), add_node(&sc, 45, -5), add_node(&sc, 45, 45),
                        add_node(&sc, -5, 45)};
        for (int k = 0; k < 4; k++)
            add_edge(&sc, 900, k, named ? "Ceinture" : NULL, c[k], c[(k + 1) % 4]);
        add_building(&sc, 10, 41, 30, 44);
        json_t *res = analyse(&sc, 6.0);
        const json_t *en = only_kerb(res);
        if (fabs(num(en, "frontage_m") - (200 - 21.8)) > 0.051)
            fail_msg("frontage %.3f, expected %.3f", num(en, "frontage_m"), 200 - 21.8);
        assert_true(fabs(num(en, "gap_m") - 2.0) < 0.051);
        json_decref(res);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_road_alongside_within_reach_is_a_kerb_side_entry),
        cmocka_unit_test(test_road_beyond_reach_gives_no_entry),
        cmocka_unit_test(test_building_between_road_and_square_removes_the_entry),
        cmocka_unit_test(test_vehicle_needs_a_gap_as_wide_as_itself),
        cmocka_unit_test(test_wall_blocks_and_fence_does_not),
        cmocka_unit_test(test_tunnel_alongside_gives_no_entry),
        cmocka_unit_test(test_perpendicular_roads),
        cmocka_unit_test(test_road_into_the_square_keeps_its_way_entries_only),
        cmocka_unit_test(test_one_street_and_the_side_street_pointing_at_it_are_one_entry),
        cmocka_unit_test(test_ring_road_is_one_stretch_around_its_closing_node),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
