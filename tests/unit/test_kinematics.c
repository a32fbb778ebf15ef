/* Vehicle kinematics and bend caps, each checked against a hand calculation
 * or an independent time-stepping integration.
 * SPDX-License-Identifier: EUPL-1.2 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>

#include "agora/vehicle.h"

static const struct ag_kin car_constant = {AG_VEHICLE_CONSTANT, 3.0, 0, 1500, 50.0, 6.0};
static const struct ag_kin car_power = {AG_VEHICLE_POWER, 3.0, 90000, 1500, 50.0, 6.0};

/* Oracle: explicit time stepping of dv/dt = a(v), dx/dt = v, a different
 * integration variable and method from the library's. */
static double time_stepping(const struct ag_kin *k, double v0, double s, double sin_slope)
{
    double x = 0, v = v0, dt = 1e-5;
    while (x < s) {
        double a = k->a0;
        if (k->model == AG_VEHICLE_POWER && v > 0 && k->power_w / (k->mass_kg * v) < a)
            a = k->power_w / (k->mass_kg * v);
        a -= AG_GRAVITY * sin_slope;
        double vn = v + a * dt;
        if (vn > k->vmax)
            vn = k->vmax;
        if (vn <= 0)
            return 0;
        double step = (v + vn) / 2 * dt;
        if (x + step > s) { /* land exactly on s */
            double f = (s - x) / step;
            return v + f * (vn - v);
        }
        x += step;
        v = vn;
    }
    return v;
}

static void test_straight_run_from_rest_follows_v2_equals_2as(void **state)
{
    (void)state;
    /* 50 m at 3 m/s²: v = sqrt(2 * 3 * 50) = sqrt(300). */
    assert_true(fabs(ag_kin_run(&car_constant, 0, 50, 0) - sqrt(300)) < 1e-12);
    /* From 10 m/s: sqrt(100 + 300) = 20. */
    assert_true(fabs(ag_kin_run(&car_constant, 10, 50, 0) - 20) < 1e-12);
    /* The class's top speed caps it. */
    assert_true(ag_kin_run(&car_constant, 0, 5000, 0) == 50.0);
}

static void test_slope_adds_or_removes_g_sin_slope(void **state)
{
    (void)state;
    double s = sin(atan(0.10)); /* a 10 % climb */
    double up = sqrt(2 * (3.0 - AG_GRAVITY * s) * 80);
    double down = sqrt(2 * (3.0 + AG_GRAVITY * s) * 80);
    assert_true(fabs(ag_kin_run(&car_constant, 0, 80, s) - up) < 1e-12);
    assert_true(fabs(ag_kin_run(&car_constant, 0, 80, -s) - down) < 1e-12);
    /* A climb steeper than the vehicle can take stops it. */
    assert_true(ag_kin_run(&car_constant, 5, 100, sin(atan(0.5))) == 0);
}

static void test_power_model_on_the_level_matches_time_stepping(void **state)
{
    (void)state;
    /* v1 = P/(m a0) = 90000 / (1500 * 3) = 20 m/s, reached after 66.7 m. */
    assert_true(fabs(ag_kin_run(&car_power, 0, 50, 0) - sqrt(300)) < 1e-12);
    /* Past v1: v³ = 20³ + 3 (P/m) (s - 200/3). */
    double s = 300;
    double hand = cbrt(8000 + 3 * 60 * (s - 200.0 / 3));
    assert_true(fabs(ag_kin_run(&car_power, 0, s, 0) - hand) < 1e-9);
    assert_true(fabs(ag_kin_run(&car_power, 0, s, 0) - time_stepping(&car_power, 0, s, 0)) < 1e-3);
}

/* Above v1 on the level the speed is the cube root capped at vmax, bit for
 * bit; near vmax the library skips the cube root where it would exceed
 * vmax anyway (runs from 10⁻¹² m up, from just below to at top speed). */
static void test_power_model_near_top_speed_is_the_capped_cube_root(void **state)
{
    (void)state;
    struct ag_kin k = car_power;
    double pm = k.power_w / k.mass_kg;
    for (int c = 0; c < 40; c++) {
        k.vmax = 20.5 + c * 1.37;
        for (int i = 0; i < 200; i++) {
            double v0 = i == 0 ? k.vmax : i == 1 ? nextafter(k.vmax, 0) : k.vmax - i * 1e-3;
            for (double s = 1e-12; s < 1e3; s *= 1.7) {
                double v = cbrt(v0 * v0 * v0 + 3 * pm * s);
                assert_true(ag_kin_run(&k, v0, s, 0) == (v < k.vmax ? v : k.vmax));
            }
        }
    }
}

static void test_power_model_on_a_slope_matches_time_stepping(void **state)
{
    (void)state;
    for (int i = -2; i <= 2; i++) {
        double sl = sin(atan(0.04 * i));
        for (double s = 20; s <= 400; s *= 2.5) {
            double got = ag_kin_run(&car_power, 4, s, sl);
            double want = time_stepping(&car_power, 4, s, sl);
            assert_true(fabs(got - want) < 2e-3);
        }
    }
}

static void test_sharp_corner_radius_is_w_over_one_minus_cos_half_angle(void **state)
{
    (void)state;
    double w = 6;
    assert_true(fabs(ag_bend_radius(M_PI / 2, w, 0) - w / (1 - cos(M_PI / 4))) < 1e-12);
    assert_true(fabs(ag_bend_radius(M_PI / 3, w, 0) - w / (1 - cos(M_PI / 6))) < 1e-12);
    /* A U-turn or more: the vehicle follows the bend, R + w/2. */
    assert_true(fabs(ag_bend_radius(M_PI, w, 20) - 23) < 1e-12);
    assert_true(fabs(ag_bend_radius(2 * M_PI, w, 20) - 23) < 1e-12);
    assert_true(isinf(ag_bend_radius(0, w, 0)));
}

static double widths[1024];

static void test_a_90_degree_corner_caps_speed_by_lateral_acceleration(void **state)
{
    (void)state;
    struct ag_xy p[3] = {{-100, 0}, {0, 0}, {0, 100}};
    double cap[3];
    assert_int_equal(ag_path_speed_caps(p, 3, widths, 6.0, cap, NULL), 0);
    double r = 6.0 / (1 - cos(M_PI / 4)); /* widths are 6 m */
    assert_true(isinf(cap[0]) && isinf(cap[2]));
    assert_true(fabs(cap[1] - sqrt(6.0 * r)) < 1e-9);
}

static void test_a_chain_of_distant_corners_caps_each_like_one_corner(void **state)
{
    (void)state;
    /* Around a city block: two right turns 100 m apart are two corners,
     * not one U-turn of a large radius. */
    struct ag_xy p[4] = {{-100, 0}, {0, 0}, {0, -100}, {-100, -100}};
    double cap[4];
    assert_int_equal(ag_path_speed_caps(p, 4, widths, 6.0, cap, NULL), 0);
    double one = sqrt(6.0 * 6.0 / (1 - cos(M_PI / 4)));
    assert_true(fabs(cap[1] - one) < 1e-9);
    assert_true(fabs(cap[2] - one) < 1e-9);
    /* A zig-zag (left then right) is two corners too. */
    struct ag_xy z[4] = {{-100, 0}, {0, 0}, {0, 10}, {100, 10}};
    assert_int_equal(ag_path_speed_caps(z, 4, widths, 6.0, cap, NULL), 0);
    assert_true(fabs(cap[1] - one) < 1e-9);
}

/* An arc of centreline radius R drawn with `per_turn` nodes per full turn,
 * entered and left along tangent straights; 1.5 turns so that every
 * vertex on the circle sits in a bend of more than 180 degrees. */
static void test_arcs_drawn_with_4_to_64_nodes_cap_between_R_and_R_plus_w(void **state)
{
    (void)state;
    const int counts[] = {4, 5, 8, 16, 32, 64};
    const double radii[] = {12, 20, 30};
    const double w = 6, alat = 6.0;
    for (size_t ci = 0; ci < sizeof counts / sizeof counts[0]; ci++) {
        for (size_t ri = 0; ri < sizeof radii / sizeof radii[0]; ri++) {
            int per = counts[ci];
            double R = radii[ri];
            int on_circle = per * 3 / 2 + 1;
            size_t n = (size_t)on_circle + 2;
            struct ag_xy *p = calloc(n, sizeof *p);
            double *cap = calloc(n, sizeof *cap);
            /* Circle centred at (0, R), starting at the origin heading +x. */
            p[0] = (struct ag_xy){-200, 0};
            for (int k = 0; k < on_circle; k++) {
                double a = -M_PI / 2 + 2 * M_PI * k / per;
                p[1 + k] = (struct ag_xy){R * cos(a), R + R * sin(a)};
            }
            /* leave along the tangent at the last vertex */
            double a = -M_PI / 2 + 2 * M_PI * (on_circle - 1) / per;
            p[n - 1] = (struct ag_xy){p[n - 2].x - 200 * sin(a), p[n - 2].y + 200 * cos(a)};
            assert_int_equal(ag_path_speed_caps(p, n, widths, alat, cap, NULL), 0);
            double lo = sqrt(alat * R), hi = sqrt(alat * (R + w));
            for (size_t k = 2; k + 2 < n; k++) {
                if (!(cap[k] >= lo - 1e-9 && cap[k] <= hi + 1e-9))
                    fail_msg("R=%g nodes/turn=%d vertex %zu: cap %g outside [%g, %g]", R, per, k,
                             cap[k], lo, hi);
            }
            free(p);
            free(cap);
        }
    }
}

static int setup(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof widths / sizeof widths[0]; i++)
        widths[i] = 6.0;
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_straight_run_from_rest_follows_v2_equals_2as),
        cmocka_unit_test(test_slope_adds_or_removes_g_sin_slope),
        cmocka_unit_test(test_power_model_on_the_level_matches_time_stepping),
        cmocka_unit_test(test_power_model_near_top_speed_is_the_capped_cube_root),
        cmocka_unit_test(test_power_model_on_a_slope_matches_time_stepping),
        cmocka_unit_test(test_sharp_corner_radius_is_w_over_one_minus_cos_half_angle),
        cmocka_unit_test(test_a_90_degree_corner_caps_speed_by_lateral_acceleration),
        cmocka_unit_test(test_a_chain_of_distant_corners_caps_each_like_one_corner),
        cmocka_unit_test(test_arcs_drawn_with_4_to_64_nodes_cap_between_R_and_R_plus_w),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
