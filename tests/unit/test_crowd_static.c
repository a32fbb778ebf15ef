/* Crowd safety, geometry, tier 1 (static capacity) and tier 2 (hydraulic
 * egress): every number checked against a hand calculation written out
 * beside it.
 * SPDX-License-Identifier: EUPL-1.2 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "agora/crowd.h"

#define NEAR(a, b, tol) assert_true(fabs((a) - (b)) <= (tol))
#define HAS(msg, s)                                                                                \
    do {                                                                                           \
        if (!strstr((msg), (s)))                                                                   \
            fail_msg("message \"%s\" lacks \"%s\"", (msg), (s));                                   \
    } while (0)

/* A 30 m x 20 m room (the room of RiMEA test 9) with up to four exits of
 * 1 m, one in the middle of each wall, and up to two holes. The storage
 * lives in the struct so that a test can edit any piece. */
struct room {
    struct ag_xy outer[8];
    struct ag_xy hole[2][6];
    struct ag_crowd_ring rings[1];
    struct ag_crowd_ring holes[2];
    struct ag_crowd_exit exits[4];
    struct ag_crowd_geom g;
};

static void rect(struct ag_xy *p, double x0, double y0, double x1, double y1, bool ccw)
{
    const struct ag_xy c[4] = {{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}};
    for (int i = 0; i < 4; i++)
        p[i] = c[ccw ? i : (4 - i) % 4];
    p[4] = p[0];
}

static void room_init(struct room *r, size_t nexits)
{
    memset(r, 0, sizeof *r);
    rect(r->outer, 0, 0, 30, 20, true);
    r->rings[0] = (struct ag_crowd_ring){r->outer, 5};
    /* south, north, west, east */
    r->exits[0] = (struct ag_crowd_exit){{14.5, 0}, {15.5, 0}, 1.0, false, NULL};
    r->exits[1] = (struct ag_crowd_exit){{14.5, 20}, {15.5, 20}, 1.0, false, NULL};
    r->exits[2] = (struct ag_crowd_exit){{0, 9.5}, {0, 10.5}, 1.0, false, NULL};
    r->exits[3] = (struct ag_crowd_exit){{30, 9.5}, {30, 10.5}, 1.0, false, NULL};
    r->g = (struct ag_crowd_geom){r->rings, 1, NULL, 0, r->exits, nexits};
}

static void room_add_hole(struct room *r, double x0, double y0, double x1, double y1)
{
    size_t h = r->g.nholes;
    rect(r->hole[h], x0, y0, x1, y1, false);
    r->holes[h] = (struct ag_crowd_ring){r->hole[h], 5};
    r->g.holes = r->holes;
    r->g.nholes = h + 1;
}

/* ---- geometry ---- */

static void test_room_is_valid_and_measures_600_m2(void **state)
{
    (void)state;
    struct room r;
    room_init(&r, 4);
    struct ag_error err = {0};
    assert_int_equal(ag_crowd_geom_check(&r.g, &err), 0);
    /* 30 x 20 = 600 m². */
    NEAR(ag_crowd_geom_area(&r.g), 600, 1e-9);
    assert_true(ag_crowd_geom_area(NULL) == 0);
}

static void test_area_subtracts_holes_whatever_their_orientation(void **state)
{
    (void)state;
    struct room r;
    room_init(&r, 4);
    /* A 10 x 5 stage (clockwise) and a 2 x 2 kiosk drawn counter-clockwise:
     * 600 - 50 - 4 = 546 m². */
    room_add_hole(&r, 5, 5, 15, 10);
    room_add_hole(&r, 20, 12, 22, 14);
    rect(r.hole[1], 20, 12, 22, 14, true);
    struct ag_error err = {0};
    assert_int_equal(ag_crowd_geom_check(&r.g, &err), 0);
    NEAR(ag_crowd_geom_area(&r.g), 546, 1e-9);
    /* An outer ring drawn clockwise measures the same. */
    rect(r.outer, 0, 0, 30, 20, false);
    NEAR(ag_crowd_geom_area(&r.g), 546, 1e-9);
}

static void test_hole_outside_the_area_is_named(void **state)
{
    (void)state;
    struct room r;
    room_init(&r, 4);
    room_add_hole(&r, 40, 0, 45, 5);
    struct ag_error err = {0};
    assert_int_equal(ag_crowd_geom_check(&r.g, &err), AG_EGEOM);
    HAS(err.msg, "hole 1 is not inside any outer ring");
}

static void test_hole_across_the_boundary_is_named(void **state)
{
    (void)state;
    struct room r;
    room_init(&r, 4);
    room_add_hole(&r, 25, 5, 35, 10);
    struct ag_error err = {0};
    assert_int_equal(ag_crowd_geom_check(&r.g, &err), AG_EGEOM);
    /* Outer edge 2-3 is x = 30; hole edge 1-2 runs y = 10 from x 25 to 35
     * (the hole is stored clockwise from (25, 5): (25,5) (25,10) ...). */
    HAS(err.msg, "outer ring 1 crosses hole 1");
    HAS(err.msg, "(30.00, ");
}

static void test_overlapping_and_nested_holes_are_named(void **state)
{
    (void)state;
    struct room r;
    room_init(&r, 4);
    room_add_hole(&r, 5, 5, 15, 10);
    room_add_hole(&r, 10, 8, 20, 12);
    struct ag_error err = {0};
    assert_int_equal(ag_crowd_geom_check(&r.g, &err), AG_EGEOM);
    HAS(err.msg, "hole 1 crosses hole 2");

    room_init(&r, 4);
    room_add_hole(&r, 5, 5, 15, 10);
    room_add_hole(&r, 6, 6, 8, 8);
    assert_int_equal(ag_crowd_geom_check(&r.g, &err), AG_EGEOM);
    HAS(err.msg, "hole 2 lies inside hole 1");

    /* Touching at a corner is allowed. */
    room_init(&r, 4);
    room_add_hole(&r, 5, 5, 15, 10);
    room_add_hole(&r, 15, 10, 18, 12);
    assert_int_equal(ag_crowd_geom_check(&r.g, &err), 0);
}

static void test_self_intersecting_ring_names_the_edges(void **state)
{
    (void)state;
    struct room r;
    room_init(&r, 0);
    /* (0,0) (10,10) (10,0) (0,6): edge 1-2 (y = x) and edge 3-4
     * (y = 6 - 0.6 x) meet where x = 6 - 0.6 x, x = 3.75. Signed area -20
     * (lobes of different size), so the zero-area check does not hide it. */
    struct ag_xy bow[5] = {{0, 0}, {10, 10}, {10, 0}, {0, 6}, {0, 0}};
    r.rings[0] = (struct ag_crowd_ring){bow, 5};
    struct ag_error err = {0};
    assert_int_equal(ag_crowd_geom_check(&r.g, &err), AG_EGEOM);
    HAS(err.msg, "outer ring 1 crosses itself: edge 1-2 meets edge 3-4 near (3.75, 3.75)");
}

static void test_spike_and_open_and_short_rings_are_refused(void **state)
{
    (void)state;
    struct room r;
    room_init(&r, 0);
    struct ag_error err = {0};
    /* Edge 2-3 folds back along edge 1-2. */
    struct ag_xy spike[6] = {{0, 0}, {10, 0}, {5, 0}, {5, 5}, {0, 5}, {0, 0}};
    r.rings[0] = (struct ag_crowd_ring){spike, 6};
    assert_int_equal(ag_crowd_geom_check(&r.g, &err), AG_EGEOM);
    HAS(err.msg, "outer ring 1 overlaps itself: edge 1-2 runs along edge 2-3");

    struct ag_xy open[5] = {{0, 0}, {10, 0}, {10, 5}, {0, 5}, {0, 1}};
    r.rings[0] = (struct ag_crowd_ring){open, 5};
    assert_int_equal(ag_crowd_geom_check(&r.g, &err), AG_EGEOM);
    HAS(err.msg, "outer ring 1 is not closed");

    r.rings[0] = (struct ag_crowd_ring){open, 3};
    assert_int_equal(ag_crowd_geom_check(&r.g, &err), AG_EGEOM);
    HAS(err.msg, "outer ring 1 has 3 vertices");

    /* A repeated vertex is tolerated. */
    struct ag_xy rep[6] = {{0, 0}, {10, 0}, {10, 0}, {10, 5}, {0, 5}, {0, 0}};
    room_init(&r, 0);
    r.exits[0] = (struct ag_crowd_exit){{4, 0}, {5, 0}, 1.0, false, NULL};
    r.g.nexits = 1;
    r.rings[0] = (struct ag_crowd_ring){rep, 6};
    assert_int_equal(ag_crowd_geom_check(&r.g, &err), 0);
}

static void test_exit_far_from_the_boundary_is_named(void **state)
{
    (void)state;
    struct room r;
    room_init(&r, 4);
    /* (10,10)-(11,10) is 10 m from the nearest walls (y = 0, y = 20,
     * x = 0). */
    r.exits[1] = (struct ag_crowd_exit){{10, 10}, {11, 10}, 1.0, false, "Stage door"};
    struct ag_error err = {0};
    assert_int_equal(ag_crowd_geom_check(&r.g, &err), AG_EGEOM);
    HAS(err.msg, "exit 2 (Stage door) is 10.00 m from the outer boundary");

    /* 0.4 m inside the wall is within the 0.5 m allowed; a segment across
     * the wall touches it. */
    r.exits[1] = (struct ag_crowd_exit){{14.5, 19.6}, {15.5, 19.6}, 1.0, false, NULL};
    r.exits[2] = (struct ag_crowd_exit){{-1, 10}, {1, 10}, 1.0, false, NULL};
    assert_int_equal(ag_crowd_geom_check(&r.g, &err), 0);
    r.exits[1].a.y = r.exits[1].b.y = 19.4;
    assert_int_equal(ag_crowd_geom_check(&r.g, &err), AG_EGEOM);
    HAS(err.msg, "exit 2 is 0.60 m");
}

static void test_exit_without_width_and_space_without_exit_are_refused(void **state)
{
    (void)state;
    struct room r;
    room_init(&r, 4);
    r.exits[2].width_m = 0;
    struct ag_error err = {0};
    assert_int_equal(ag_crowd_geom_check(&r.g, &err), AG_EINVAL);
    HAS(err.msg, "exit 3: width 0 m, must be more than 0");
    room_init(&r, 0);
    assert_int_equal(ag_crowd_geom_check(&r.g, &err), AG_EINVAL);
    HAS(err.msg, "no exit");
    assert_int_equal(ag_crowd_geom_check(NULL, &err), AG_EINVAL);
}

static void test_geom_free_releases_everything_and_zeroes(void **state)
{
    (void)state;
    struct ag_crowd_geom g = {0};
    g.nouter = 1;
    g.outer = calloc(1, sizeof *g.outer);
    g.outer[0].pts = calloc(5, sizeof(struct ag_xy));
    g.outer[0].n = 5;
    g.nholes = 1;
    g.holes = calloc(1, sizeof *g.holes);
    g.holes[0].pts = calloc(5, sizeof(struct ag_xy));
    g.nexits = 1;
    g.exits = calloc(1, sizeof *g.exits);
    g.exits[0].name = ag_strdup("Gate A");
    ag_crowd_geom_free(&g); /* AddressSanitizer reports any leak */
    assert_null(g.outer);
    assert_int_equal(g.nexits, 0);
    ag_crowd_geom_free(NULL);
}

/* ---- tier 1 ---- */

static void test_los_bounds_are_fruins_in_square_feet(void **state)
{
    (void)state;
    /* 1 ft² = 0.3048² = 0.09290304 m². Walkway A 35 ft² = 3.2516064 m²,
     * queuing A 13 ft² = 1.20773952 m², queuing E 2 ft² = 0.18580608 m². */
    NEAR(ag_crowd_los_min_area_m2(AG_LOS_WALKWAY, AG_LOS_A), 3.2516064, 1e-12);
    NEAR(ag_crowd_los_min_area_m2(AG_LOS_WALKWAY, AG_LOS_E), 0.4645152, 1e-12);
    NEAR(ag_crowd_los_min_area_m2(AG_LOS_QUEUING, AG_LOS_A), 1.20773952, 1e-12);
    NEAR(ag_crowd_los_min_area_m2(AG_LOS_QUEUING, AG_LOS_E), 0.18580608, 1e-12);
    assert_true(ag_crowd_los_min_area_m2(AG_LOS_QUEUING, AG_LOS_F) == 0);
    /* 0.5 p/m² = 2 m² each: walkway C (1.39-2.32), queuing A (>= 1.21).
     * 3 p/m² = 0.333 m²: walkway F (< 0.46), queuing D (0.28-0.65). */
    assert_int_equal(ag_crowd_los_of_density(AG_LOS_WALKWAY, 0.5), AG_LOS_C);
    assert_int_equal(ag_crowd_los_of_density(AG_LOS_QUEUING, 0.5), AG_LOS_A);
    assert_int_equal(ag_crowd_los_of_density(AG_LOS_WALKWAY, 3), AG_LOS_F);
    assert_int_equal(ag_crowd_los_of_density(AG_LOS_QUEUING, 3), AG_LOS_D);
    /* Either side of the queuing B/C bound of 10 ft². */
    assert_int_equal(ag_crowd_los_of_density(AG_LOS_QUEUING, 1 / 0.9291), AG_LOS_B);
    assert_int_equal(ag_crowd_los_of_density(AG_LOS_QUEUING, 1 / 0.9289), AG_LOS_C);
    assert_int_equal(ag_crowd_los_of_density(AG_LOS_QUEUING, 0), AG_LOS_A);
    assert_string_equal(ag_crowd_los_name(AG_LOS_F), "F");
}

static void test_room_holds_1200_limited_by_holding_not_egress(void **state)
{
    (void)state;
    struct room r;
    room_init(&r, 4);
    struct ag_crowd_capacity c;
    struct ag_error err = {0};
    assert_int_equal(ag_crowd_capacity_assess(&r.g, NULL, &c, &err), 0);
    NEAR(c.area_m2, 600, 1e-9);
    /* Queuing: 600 / 1.20773952 = 496.8 -> 496; / 0.9290304 = 645.8 -> 645;
     * / 0.65032128 = 922.6 -> 922; / 0.27870912 = 2152.8 -> 2152;
     * / 0.18580608 = 3229.2 -> 3229; F: 600 x 5.4 = 3240. */
    const double q[AG_LOS_COUNT] = {496, 645, 922, 2152, 3229, 3240};
    /* Walkway: 600 / 3.2516064 = 184.5; / 2.322576 = 258.3;
     * / 1.3935456 = 430.6; / 0.9290304 = 645.8; / 0.4645152 = 1291.7. */
    const double w[AG_LOS_COUNT] = {184, 258, 430, 645, 1291, 3240};
    for (int l = 0; l < AG_LOS_COUNT; l++) {
        assert_true(c.queuing_persons[l] == q[l]);
        assert_true(c.walkway_persons[l] == w[l]);
    }
    /* Holding: 600 m² x 2 persons/m² = 1200.
     * Egress: each exit 1 m x 82 /m/min x 8 min = 656; four = 2624; the
     * first of four equal exits is discounted: 3 x 656 = 1968 > 1200. */
    assert_true(c.holding_persons == 1200);
    NEAR(c.exit_width_m, 4, 1e-12);
    NEAR(c.exit_width_used_m, 3, 1e-12);
    assert_int_equal(c.discounted_exit, 0);
    assert_true(c.egress_persons == 1968);
    assert_false(c.no_exit_left);
    assert_true(c.capacity_persons == 1200);
    assert_int_equal(c.limit, AG_CROWD_LIMIT_HOLDING);
    assert_string_equal(ag_crowd_limit_name(c.limit), "holding");
}

static void test_two_exits_make_egress_the_limit(void **state)
{
    (void)state;
    struct room r;
    room_init(&r, 2);
    struct ag_crowd_capacity c;
    /* 2 exits, one discounted: 1 x 82 x 8 = 656 < 1200. */
    assert_int_equal(ag_crowd_capacity_assess(&r.g, NULL, &c, NULL), 0);
    assert_true(c.egress_persons == 656);
    assert_true(c.capacity_persons == 656);
    assert_int_equal(c.limit, AG_CROWD_LIMIT_EGRESS);
    /* Ten minutes instead of eight: 1 x 82 x 10 = 820. Without the
     * discount: 2 x 820 = 1640, and holding limits again. */
    struct ag_crowd_capacity_params p;
    ag_crowd_capacity_params_default(&p);
    p.egress_time_s = 600;
    assert_int_equal(ag_crowd_capacity_assess(&r.g, &p, &c, NULL), 0);
    assert_true(c.egress_persons == 820);
    p.discount_largest_exit = false;
    assert_int_equal(ag_crowd_capacity_assess(&r.g, &p, &c, NULL), 0);
    assert_true(c.egress_persons == 1640);
    assert_int_equal(c.discounted_exit, SIZE_MAX);
    assert_int_equal(c.limit, AG_CROWD_LIMIT_HOLDING);
    /* Planning density 1.5: 900 holding. */
    p.planning_density_pm2 = 1.5;
    assert_int_equal(ag_crowd_capacity_assess(&r.g, &p, &c, NULL), 0);
    assert_true(c.holding_persons == 900);
}

static void test_discount_takes_the_exit_carrying_most_not_the_widest(void **state)
{
    (void)state;
    struct room r;
    room_init(&r, 2);
    /* Level 1.2 m: 1.2 x 82 x 8 = 787.2; stair 1.4 m: 1.4 x 66 x 8 = 739.2.
     * The narrower level exit carries more and is discounted: 739. */
    r.exits[0].width_m = 1.2;
    r.exits[1].width_m = 1.4;
    r.exits[1].stairs = true;
    struct ag_crowd_capacity c;
    assert_int_equal(ag_crowd_capacity_assess(&r.g, NULL, &c, NULL), 0);
    assert_int_equal(c.discounted_exit, 0);
    NEAR(c.exit_width_used_m, 1.4, 1e-12);
    assert_true(c.egress_persons == 739);
}

static void test_single_exit_leaves_no_egress_capacity_with_a_flag(void **state)
{
    (void)state;
    struct room r;
    room_init(&r, 1);
    struct ag_crowd_capacity c;
    struct ag_error err = {0};
    assert_int_equal(ag_crowd_capacity_assess(&r.g, NULL, &c, &err), 0);
    assert_true(c.no_exit_left);
    assert_true(c.egress_persons == 0);
    assert_true(c.capacity_persons == 0);
    assert_int_equal(c.limit, AG_CROWD_LIMIT_EGRESS);
    assert_int_equal(c.discounted_exit, 0);

    room_init(&r, 0);
    assert_int_equal(ag_crowd_capacity_assess(&r.g, NULL, &c, &err), AG_EINVAL);
    HAS(err.msg, "no exit");
    room_init(&r, 2);
    r.exits[1].width_m = -1;
    assert_int_equal(ag_crowd_capacity_assess(&r.g, NULL, &c, &err), AG_EINVAL);
    HAS(err.msg, "exit 2: width -1 m");
    /* A degenerate outline has no area. */
    room_init(&r, 2);
    rect(r.outer, 0, 0, 30, 0, true);
    assert_int_equal(ag_crowd_capacity_assess(&r.g, NULL, &c, &err), AG_EGEOM);
    HAS(err.msg, "not positive");
}

static void test_more_people_than_fit_is_refused_with_the_numbers(void **state)
{
    (void)state;
    struct ag_error err = {0};
    /* 600 m² x 5.4 = 3240 fit. */
    assert_int_equal(ag_crowd_people_check(600, 3240, AG_CROWD_DENSITY_PHYSICAL_MAX_PM2, &err), 0);
    assert_int_equal(ag_crowd_people_check(600, 3241, AG_CROWD_DENSITY_PHYSICAL_MAX_PM2, &err),
                     AG_EINVAL);
    /* 3241 / 600 = 5.40 */
    HAS(err.msg, "3241 people on 600.0 m² is 5.40 persons/m²");
    HAS(err.msg, "at most 3240 fit");
    assert_int_equal(ag_crowd_people_check(0, 1, 5.4, &err), AG_EINVAL);
    assert_int_equal(ag_crowd_people_check(-5, 1, 5.4, &err), AG_EINVAL);
}

/* ---- tier 2 ---- */

static void test_sfpe_speed_and_flow_follow_the_handbook(void **state)
{
    (void)state;
    double k = ag_crowd_sfpe_k(AG_ELEM_LEVEL);
    NEAR(k, 1.40, 0);
    /* D = 2: S = 1.40 (1 - 0.266 x 2) = 1.40 x 0.468 = 0.6552 m/s,
     * Fs = 0.6552 x 2 = 1.3104 persons/s/m. */
    NEAR(ag_crowd_sfpe_speed(k, 2), 0.6552, 1e-12);
    NEAR(ag_crowd_sfpe_specific_flow(k, 2), 1.3104, 1e-12);
    /* Below 0.54: 0.85 x 1.40 = 1.19 m/s. At 0.54: 1.40 x 0.85636 =
     * 1.198904. */
    NEAR(ag_crowd_sfpe_speed(k, 0.3), 1.19, 1e-12);
    NEAR(ag_crowd_sfpe_speed(k, 0.54), 1.198904, 1e-12);
    /* 1 - 0.266 x 3.77 < 0, and from 3.8 nobody moves. */
    assert_true(ag_crowd_sfpe_speed(k, 3.77) == 0);
    assert_true(ag_crowd_sfpe_speed(k, 3.8) == 0);
    assert_true(ag_crowd_sfpe_specific_flow(k, 0) == 0);
    /* Stairs k: 1.00, 1.08, 1.16, 1.23. */
    NEAR(ag_crowd_sfpe_k(AG_ELEM_STAIR_191_254), 1.00, 0);
    NEAR(ag_crowd_sfpe_k(AG_ELEM_STAIR_165_330), 1.23, 0);
    assert_true(isnan(ag_crowd_sfpe_k(AG_ELEM_COUNT)));
}

static void test_max_specific_flow_is_the_peak_at_1_88(void **state)
{
    (void)state;
    /* k D (1 - a D) peaks at D = 1 / (2a) = 1.8797 with k / (4a): 1.40 /
     * 1.064 = 1.3158; the handbook prints 1.3. The tabulated values agree
     * with k / (4a) within 1.5 % for every element. */
    for (int e = 0; e < AG_ELEM_COUNT; e++) {
        double k = ag_crowd_sfpe_k((enum ag_crowd_element)e);
        double peak = k / (4 * AG_SFPE_A_M2);
        double tab = ag_crowd_sfpe_fs_max((enum ag_crowd_element)e);
        assert_true(fabs(tab - peak) / peak < 0.015);
        /* A scan of the curve finds the peak at 1.88. */
        double best = 0, at = 0;
        for (int i = 500; i < 3800; i++) {
            double d = i / 1000.0;
            double f = ag_crowd_sfpe_specific_flow(k, d);
            if (f > best) {
                best = f;
                at = d;
            }
        }
        NEAR(at, 1.88, 0.002);
        NEAR(best, peak, 1e-6);
    }
    NEAR(ag_crowd_sfpe_fs_max(AG_ELEM_LEVEL), 1.3, 0);
}

static void test_effective_width_subtracts_boundary_layers(void **state)
{
    (void)state;
    /* A 1 m doorway: 1 - 2 x 0.15 = 0.70 m. A 2 m corridor: 2 - 2 x 0.20 =
     * 1.60 m. A 0.25 m gap: nothing. */
    double door = ag_crowd_boundary_m(AG_BOUNDARY_DOOR);
    NEAR(ag_crowd_effective_width_m(1, door, door), 0.70, 1e-12);
    double wall = ag_crowd_boundary_m(AG_BOUNDARY_CORRIDOR_WALL);
    NEAR(ag_crowd_effective_width_m(2, wall, wall), 1.60, 1e-12);
    assert_true(ag_crowd_effective_width_m(0.25, door, door) == 0);
    NEAR(ag_crowd_boundary_m(AG_BOUNDARY_HANDRAIL), 0.09, 0);
    NEAR(ag_crowd_boundary_m(AG_BOUNDARY_CONCOURSE), 0.46, 0);
    assert_true(ag_crowd_boundary_m(AG_BOUNDARY_SEATS) == 0);
}

static void test_room_of_1000_takes_twice_as_long_through_two_exits(void **state)
{
    (void)state;
    struct room r;
    room_init(&r, 4);
    struct ag_crowd_egress e;
    struct ag_error err = {0};
    /* 1000 / 600 = 1.667 persons/m²: S = 1.40 (1 - 0.266 x 1.667) =
     * 0.77933 m/s. Each exit: We = 1 - 0.30 = 0.70 m, F = 1.3 x 0.70 =
     * 0.91 persons/s, 250 people: 250 / 0.91 = 274.725 s. */
    assert_int_equal(ag_crowd_egress_assess(&r.g, 1000, NULL, NULL, &e, &err), 0);
    NEAR(e.density_pm2, 1000.0 / 600, 1e-12);
    NEAR(e.speed_ms, 0.779333333, 1e-8);
    assert_int_equal(e.nexits, 4);
    for (int i = 0; i < 4; i++) {
        NEAR(e.exits[i].people, 250, 0);
        NEAR(e.exits[i].width_eff_m, 0.70, 1e-12);
        NEAR(e.exits[i].flow_ps, 0.91, 1e-12);
        NEAR(e.exits[i].time_s, 274.725275, 1e-5);
    }
    NEAR(e.total_s, 274.725275, 1e-5);
    assert_int_equal(e.limiting_exit, 0);
    /* Curve: everyone starts at once, a straight line to 1000. */
    assert_int_equal(e.ncurve, 2);
    NEAR(e.curve[1].t_s, 274.725275, 1e-5);
    NEAR(e.curve[1].out_persons, 1000, 0);
    double four = e.total_s;
    ag_crowd_egress_free(&e);

    /* Two exits closed: 500 each, 500 / 0.91 = 549.45 s, twice as long
     * (the ratio RiMEA test 9 asks for). A premovement of 30 s adds 30. */
    const bool open[4] = {true, false, true, false};
    struct ag_crowd_egress_params p;
    ag_crowd_egress_params_default(&p);
    p.exit_open = open;
    p.premovement_s = 30;
    assert_int_equal(ag_crowd_egress_assess(&r.g, 1000, NULL, &p, &e, &err), 0);
    NEAR(e.exits[0].people, 500, 0);
    NEAR(e.exits[1].people, 0, 0);
    assert_false(e.exits[1].open);
    NEAR(e.total_s, 30 + 549.450549, 1e-5);
    NEAR((e.total_s - 30) / four, 2, 1e-12);
    assert_int_equal(e.ncurve, 3); /* (0, 0), (30, 0), (579.45, 1000) */
    NEAR(e.curve[1].t_s, 30, 0);
    NEAR(e.curve[1].out_persons, 0, 0);
    ag_crowd_egress_free(&e);
}

static void test_nearest_exit_with_distances_gives_per_exit_times(void **state)
{
    (void)state;
    struct room r;
    room_init(&r, 4);
    /* Use only the west (index 0 here) and east exits. */
    r.exits[0] = r.exits[2];
    r.exits[1] = r.exits[3];
    r.g.nexits = 2;
    /* Distances to (west, east); the fifth person is equidistant and takes
     * the lower index. */
    const double d[5 * 2] = {2, 28, 5, 25, 10, 20, 26, 4, 15, 15};
    struct ag_crowd_egress_params p;
    ag_crowd_egress_params_default(&p);
    p.assign = AG_ASSIGN_NEAREST;
    struct ag_crowd_egress e;
    struct ag_error err = {0};
    assert_int_equal(ag_crowd_egress_assess(&r.g, 5, d, &p, &e, &err), 0);
    /* 5 / 600 persons/m² < 0.54: S = 0.85 x 1.40 = 1.19 m/s. F = 0.91/s.
     * West: 4 people, first at 2 m, last at 15 m. First out 2 / 1.19 =
     * 1.680672 s; queue ends 1.680672 + 4 / 0.91 = 6.076277 s; the last
     * walks 15 / 1.19 = 12.605042 s: that is later, T = 12.605042.
     * East: 1 person at 4 m: 4 / 1.19 + 1 / 0.91 = 3.361345 + 1.098901 =
     * 4.460246 s. */
    NEAR(e.speed_ms, 1.19, 1e-12);
    NEAR(e.exits[0].people, 4, 0);
    NEAR(e.exits[1].people, 1, 0);
    NEAR(e.exits[0].first_s, 1.680672269, 1e-8);
    NEAR(e.exits[0].time_s, 12.605042017, 1e-8);
    NEAR(e.exits[1].first_s, 3.361344538, 1e-8);
    NEAR(e.exits[1].time_s, 4.460245637, 1e-8);
    NEAR(e.total_s, 12.605042017, 1e-8);
    assert_int_equal(e.limiting_exit, 0);
    /* Curve: west ramps 0 -> 4 over [1.6807, 12.6050], east 0 -> 1 over
     * [3.3613, 4.4602]. At 3.3613: 4 x 1.680672 / 10.924370 = 0.615385.
     * At 4.4602: 4 x 2.779574 / 10.924370 + 1 = 2.017751. End: 5. */
    assert_int_equal(e.ncurve, 5);
    const double t[5] = {0, 1.680672269, 3.361344538, 4.460245637, 12.605042017};
    const double n[5] = {0, 0, 0.615384615, 2.017751479, 5};
    for (int i = 0; i < 5; i++) {
        NEAR(e.curve[i].t_s, t[i], 1e-8);
        NEAR(e.curve[i].out_persons, n[i], 1e-8);
    }
    ag_crowd_egress_free(&e);
}

static void test_balanced_assignment_fills_each_exit_with_its_nearest(void **state)
{
    (void)state;
    struct room r;
    room_init(&r, 4);
    r.exits[0] = r.exits[2];
    r.exits[1] = r.exits[3];
    r.g.nexits = 2;
    /* All four are nearer the west exit; equal exits take 2 each. Pairs in
     * order of distance: (1, p1 W) (2, p2 W) -> west full; (3, p3 W) and
     * (4, p4 W) skipped; (8, p3 E); (20, p4 E). */
    const double d[4 * 2] = {1, 10, 2, 9, 3, 8, 4, 20};
    struct ag_crowd_egress e;
    assert_int_equal(ag_crowd_egress_assess(&r.g, 4, d, NULL, &e, NULL), 0);
    NEAR(e.exits[0].people, 2, 0);
    NEAR(e.exits[1].people, 2, 0);
    /* East: first at 8 m, last at 20 m: max(8 / 1.19 + 2 / 0.91, 20 /
     * 1.19) = max(8.920, 16.807) = 16.807 s. */
    NEAR(e.exits[1].time_s, 20 / 1.19, 1e-9);
    NEAR(e.exits[0].time_s, 1 / 1.19 + 2 / 0.91, 1e-9);
    assert_int_equal(e.limiting_exit, 1);
    ag_crowd_egress_free(&e);
}

static void test_balanced_shares_by_flow_capacity(void **state)
{
    (void)state;
    struct room r;
    room_init(&r, 2);
    /* We 0.70 and 1.70 m (1 and 2 m clear): flows 0.91 and 2.21 persons/s.
     * 100 people: 100 x 0.91 / 3.12 = 29.17 -> 29, 70.83 -> 70, the one
     * left goes to the larger remainder (0.83): 29 and 71. */
    r.exits[1].a.x = 14;
    r.exits[1].b.x = 16;
    r.exits[1].width_m = 2;
    struct ag_crowd_egress e;
    assert_int_equal(ag_crowd_egress_assess(&r.g, 100, NULL, NULL, &e, NULL), 0);
    NEAR(e.exits[0].people, 29, 0);
    NEAR(e.exits[1].people, 71, 0);
    /* 29 / 0.91 = 31.868 s, 71 / 2.21 = 32.127 s: nearly together. */
    NEAR(e.exits[0].time_s, 29 / 0.91, 1e-9);
    NEAR(e.exits[1].time_s, 71 / 2.21, 1e-9);
    assert_int_equal(e.limiting_exit, 1);
    ag_crowd_egress_free(&e);
}

static void test_egress_bad_input_gets_clear_messages(void **state)
{
    (void)state;
    struct room r;
    room_init(&r, 2);
    struct ag_crowd_egress e;
    struct ag_error err = {0};
    /* 3241 > 600 x 5.4. */
    assert_int_equal(ag_crowd_egress_assess(&r.g, 3241, NULL, NULL, &e, &err), AG_EINVAL);
    HAS(err.msg, "egress: 3241 people");
    HAS(err.msg, "physical maximum");
    assert_null(e.exits);
    assert_int_equal(ag_crowd_egress_assess(&r.g, 3241, NULL, NULL, &e, NULL), AG_EINVAL);
    /* 2300 / 600 = 3.83 >= 3.8. */
    assert_int_equal(ag_crowd_egress_assess(&r.g, 2300, NULL, NULL, &e, &err), AG_EINVAL);
    HAS(err.msg, "3.83 persons/m²");
    HAS(err.msg, "agent simulation");
    struct ag_crowd_egress_params p;
    ag_crowd_egress_params_default(&p);
    p.assign = AG_ASSIGN_NEAREST;
    assert_int_equal(ag_crowd_egress_assess(&r.g, 10, NULL, &p, &e, &err), AG_EINVAL);
    HAS(err.msg, "needs each person's distances");
    const double d[2 * 2] = {3, 4, INFINITY, INFINITY};
    assert_int_equal(ag_crowd_egress_assess(&r.g, 2, d, &p, &e, &err), AG_EINVAL);
    HAS(err.msg, "person 2 can reach no usable exit");
    const double bad[2 * 2] = {3, 4, 5, NAN};
    assert_int_equal(ag_crowd_egress_assess(&r.g, 2, bad, &p, &e, &err), AG_EINVAL);
    HAS(err.msg, "person 2 to exit 2");
    /* Exits of 0.3 m have no effective width left. */
    r.exits[0].width_m = r.exits[1].width_m = 0.3;
    assert_int_equal(ag_crowd_egress_assess(&r.g, 10, NULL, NULL, &e, &err), AG_EINVAL);
    HAS(err.msg, "no usable exit");
    room_init(&r, 0);
    assert_int_equal(ag_crowd_egress_assess(&r.g, 10, NULL, NULL, &e, &err), AG_EINVAL);
    HAS(err.msg, "no exit");
    ag_crowd_egress_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_room_is_valid_and_measures_600_m2),
        cmocka_unit_test(test_area_subtracts_holes_whatever_their_orientation),
        cmocka_unit_test(test_hole_outside_the_area_is_named),
        cmocka_unit_test(test_hole_across_the_boundary_is_named),
        cmocka_unit_test(test_overlapping_and_nested_holes_are_named),
        cmocka_unit_test(test_self_intersecting_ring_names_the_edges),
        cmocka_unit_test(test_spike_and_open_and_short_rings_are_refused),
        cmocka_unit_test(test_exit_far_from_the_boundary_is_named),
        cmocka_unit_test(test_exit_without_width_and_space_without_exit_are_refused),
        cmocka_unit_test(test_geom_free_releases_everything_and_zeroes),
        cmocka_unit_test(test_los_bounds_are_fruins_in_square_feet),
        cmocka_unit_test(test_room_holds_1200_limited_by_holding_not_egress),
        cmocka_unit_test(test_two_exits_make_egress_the_limit),
        cmocka_unit_test(test_discount_takes_the_exit_carrying_most_not_the_widest),
        cmocka_unit_test(test_single_exit_leaves_no_egress_capacity_with_a_flag),
        cmocka_unit_test(test_more_people_than_fit_is_refused_with_the_numbers),
        cmocka_unit_test(test_sfpe_speed_and_flow_follow_the_handbook),
        cmocka_unit_test(test_max_specific_flow_is_the_peak_at_1_88),
        cmocka_unit_test(test_effective_width_subtracts_boundary_layers),
        cmocka_unit_test(test_room_of_1000_takes_twice_as_long_through_two_exits),
        cmocka_unit_test(test_nearest_exit_with_distances_gives_per_exit_times),
        cmocka_unit_test(test_balanced_assignment_fills_each_exit_with_its_nearest),
        cmocka_unit_test(test_balanced_shares_by_flow_capacity),
        cmocka_unit_test(test_egress_bad_input_gets_clear_messages),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
