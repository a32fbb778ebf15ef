/* RiMEA 3.0 verification tests 9, 10, 11 and 12 on the crowd simulation,
 * each with its pass criterion. Test 9 simulates 2 x 1000 people: it runs
 * in the optimised build and is skipped under the sanitizers unless
 * AGORA_SLOW_TESTS is set (it takes about a minute there).
 * SPDX-License-Identifier: EUPL-1.2 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

/* cmocka needs the four headers above first */
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agora/crowd_sim.h"

#if defined(__SANITIZE_ADDRESS__)
#define SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SANITIZED 1
#endif
#endif
#ifndef SANITIZED
#define SANITIZED 0
#endif

static bool slow_tests_skipped(void)
{
    return SANITIZED && !getenv("AGORA_SLOW_TESTS");
}

static struct ag_crowd_exit exit_of(double ax, double ay, double bx, double by)
{
    struct ag_crowd_exit e = {{ax, ay}, {bx, by}, 0, false, NULL};
    e.width_m = hypot(bx - ax, by - ay);
    return e;
}

static struct ag_crowd_geom geom_of(struct ag_crowd_ring *ring, struct ag_crowd_exit *ex,
                                    size_t nex)
{
    struct ag_crowd_geom g = {ring, 1, NULL, 0, ex, nex};
    return g;
}

/* ---- test 9 ---- */

static double evacuate_room(size_t nexits, uint64_t seed)
{
    static struct ag_xy pts[] = {{0, 0}, {30, 0}, {30, 20}, {0, 20}, {0, 0}};
    struct ag_crowd_ring ring = {pts, 5};
    /* two 1 m exits on each long wall, at a quarter and three quarters of
     * its length; the second scenario keeps the two on y = 0 */
    struct ag_crowd_exit ex[4] = {exit_of(7, 0, 8, 0), exit_of(22, 0, 23, 0), exit_of(7, 20, 8, 20),
                                  exit_of(22, 20, 23, 20)};
    struct ag_crowd_geom g = geom_of(&ring, ex, nexits);
    struct ag_crowd_sim *sim;
    if (ag_crowd_sim_new(&g, NULL, &sim, NULL))
        return NAN;
    struct ag_crowd_population pop = {0};
    pop.n = 1000;
    pop.exit = AG_CROWD_EXIT_NEAREST;
    pop.seed = seed;
    double t = NAN;
    if (ag_crowd_sim_populate(sim, &pop, NULL) == 0 && ag_crowd_sim_run(sim, 2000) == 0)
        t = ag_crowd_sim_time(sim);
    size_t n;
    const double *times = ag_crowd_sim_exit_times(sim, &n);
    if (n == 1000)
        t = times[n - 1];
    ag_crowd_sim_free(sim);
    return t;
}

/* RiMEA 3.0 test 9: 1000 people leave a room 30 m x 20 m with four exits of
 * 1 m, two on each long wall; then with the two on one long wall closed.
 * The evacuation time with two exits must be about twice that with four;
 * "about" is taken as a ratio between 1.6 and 2.4. */
static void test_rimea9_closing_half_the_exits_doubles_the_time(void **state)
{
    (void)state;
    if (slow_tests_skipped())
        skip();
    double t4 = evacuate_room(4, 9), t2 = evacuate_room(2, 9);
    assert_true(isfinite(t4) && isfinite(t2));
    double ratio = t2 / t4;
    printf("RiMEA 9: 4 exits %.1f s, 2 exits %.1f s, ratio %.2f\n", t4, t2, ratio);
    assert_true(ratio >= 1.6 && ratio <= 2.4);
}

/* ---- test 10 ---- */

/* RiMEA 3.0 test 10 (assigned routes): people with an assigned exit must
 * leave by it, even when another is nearer. The guideline's floor plan (12
 * rooms along a corridor) is simplified here to one room 20 m x 10 m with
 * an exit in the middle of each short wall; 23 people, 15 assigned to the
 * west exit but standing in the east half, 8 to the east exit standing in
 * the west half. */
static void test_rimea10_everybody_leaves_by_the_assigned_exit(void **state)
{
    (void)state;
    struct ag_xy pts[] = {{0, 0}, {20, 0}, {20, 10}, {0, 10}, {0, 0}};
    struct ag_crowd_ring ring = {pts, 5};
    struct ag_crowd_exit ex[2] = {exit_of(0, 4.5, 0, 5.5), exit_of(20, 4.5, 20, 5.5)};
    struct ag_crowd_geom g = geom_of(&ring, ex, 2);
    struct ag_crowd_sim *sim;
    assert_int_equal(ag_crowd_sim_new(&g, NULL, &sim, NULL), 0);
    struct ag_crowd_agent_spec a[23];
    for (int i = 0; i < 23; i++) {
        bool west = i < 15;
        double x = west ? 12.0 + 1.5 * (i % 5) : 2.0 + 1.5 * ((i - 15) % 4);
        double y = 2.0 + 2.0 * (west ? i / 5 : (i - 15) / 4);
        a[i] = (struct ag_crowd_agent_spec){{x, y}, 1.34, 0.3, 0, west ? 0 : 1};
    }
    assert_int_equal(ag_crowd_sim_add(sim, a, 23, NULL), 0);
    assert_int_equal(ag_crowd_sim_run(sim, 200), 0);
    for (size_t i = 0; i < 23; i++) {
        struct ag_crowd_agent_info info;
        ag_crowd_sim_agent(sim, i, &info);
        assert_int_equal(info.state, AG_CROWD_OUT);
        assert_int_equal(info.exit_out, a[i].exit);
    }
    assert_int_equal(ag_crowd_sim_out(sim, 0), 15);
    assert_int_equal(ag_crowd_sim_out(sim, 1), 8);
    ag_crowd_sim_free(sim);
}

/* ---- test 11 ---- */

static void run_choice(int route, size_t out[2])
{
    struct ag_xy pts[] = {{0, 0}, {20, 0}, {20, 10}, {0, 10}, {0, 0}};
    struct ag_crowd_ring ring = {pts, 5};
    /* exit 1 near the crowd, exit 2 farther down the same wall */
    struct ag_crowd_exit ex[2] = {exit_of(20, 8, 20, 9), exit_of(20, 1, 20, 2)};
    struct ag_crowd_geom g = geom_of(&ring, ex, 2);
    struct ag_crowd_sim *sim;
    assert_int_equal(ag_crowd_sim_new(&g, NULL, &sim, NULL), 0);
    struct ag_crowd_population pop = {0};
    pop.n = 200;
    pop.lo = (struct ag_xy){8, 5.6};
    pop.hi = (struct ag_xy){20, 10};
    pop.exit = route;
    pop.seed = 11;
    assert_int_equal(ag_crowd_sim_populate(sim, &pop, NULL), 0);
    /* every one of them is nearer exit 1 */
    for (size_t i = 0; i < 200; i++) {
        struct ag_crowd_agent_info info;
        ag_crowd_sim_agent(sim, i, &info);
        assert_true(ag_crowd_nav_cost(ag_crowd_sim_nav(sim), -1, info.pos) <
                    hypot(20 - info.pos.x, info.pos.y - 1.5));
    }
    assert_int_equal(ag_crowd_sim_run(sim, 600), 0);
    out[0] = ag_crowd_sim_out(sim, 0);
    out[1] = ag_crowd_sim_out(sim, 1);
    ag_crowd_sim_free(sim);
}

/* RiMEA 3.0 test 11 (route choice): people in a room with two exits prefer
 * the nearer one, but some take the other. 200 people all nearer exit 1:
 * with route choice most leave by exit 1 and some by exit 2; following the
 * nearest-exit field alone all would take exit 1. */
static void test_rimea11_most_take_the_near_exit_some_the_other(void **state)
{
    (void)state;
    size_t nearest[2], choice[2];
    run_choice(AG_CROWD_EXIT_NEAREST, nearest);
    assert_int_equal(nearest[0], 200);
    assert_int_equal(nearest[1], 0);
    run_choice(AG_CROWD_EXIT_CHOICE, choice);
    printf("RiMEA 11: exit 1 %zu, exit 2 %zu\n", choice[0], choice[1]);
    assert_int_equal(choice[0] + choice[1], 200);
    assert_true(choice[0] > choice[1]);
    assert_true(choice[1] >= 10);
}

/* ---- test 12 ---- */

/* Flow through a line in persons per second over its crossings. */
static double line_flow(const struct ag_crowd_sim *sim, size_t line, size_t *n)
{
    const struct ag_crowd_crossing *c = ag_crowd_sim_crossings(sim, line, n);
    if (*n < 2)
        return 0;
    return (double)(*n - 1) / (c[*n - 1].t_s - c[0].t_s);
}

/* RiMEA 3.0 test 12 (bottlenecks): 150 people in a room (10 m x 10 m) walk
 * through a corridor (10 m long, 1 m wide) into a second room (10 m x
 * 10 m) and out by its exit (1 m). A jam forms at the corridor entrance
 * and none at the last exit: the flow through the last exit must not
 * exceed the corridor's (by more than 5 %, as measurement noise), and the
 * time-averaged density in front of the last exit stays far below that in
 * front of the corridor. */
static void test_rimea12_no_jam_at_the_exit_after_a_bottleneck(void **state)
{
    (void)state;
    struct ag_xy pts[] = {{0, -5}, {10, -5},  {10, -0.5}, {20, -0.5}, {20, -5}, {30, -5}, {30, 5},
                          {20, 5}, {20, 0.5}, {10, 0.5},  {10, 5},    {0, 5},   {0, -5}};
    struct ag_crowd_ring ring = {pts, 13};
    struct ag_crowd_exit ex = exit_of(30, -0.5, 30, 0.5);
    struct ag_crowd_geom g = geom_of(&ring, &ex, 1);
    struct ag_crowd_sim *sim;
    assert_int_equal(ag_crowd_sim_new(&g, NULL, &sim, NULL), 0);
    struct ag_crowd_population pop = {0};
    pop.n = 150;
    pop.lo = (struct ag_xy){0, -5};
    pop.hi = (struct ag_xy){10, 5};
    pop.exit = AG_CROWD_EXIT_NEAREST;
    pop.seed = 12;
    assert_int_equal(ag_crowd_sim_populate(sim, &pop, NULL), 0);
    assert_int_equal(ag_crowd_sim_add_line(sim, (struct ag_xy){20, -0.5}, (struct ag_xy){20, 0.5}),
                     0);
    assert_int_equal(ag_crowd_sim_add_line(sim, (struct ag_xy){29, -5}, (struct ag_xy){29, 5}), 1);
    assert_int_equal(ag_crowd_sim_density_enable(sim, 1.0, 0, 1000), 0);
    assert_int_equal(ag_crowd_sim_run(sim, 1000), 0);
    size_t nb, nl;
    double jb = line_flow(sim, 0, &nb), jl = line_flow(sim, 1, &nl);
    assert_int_equal(nb, 150);
    assert_int_equal(nl, 150);
    struct ag_crowd_grid d;
    assert_int_equal(ag_crowd_sim_density(sim, &d), 0);
    /* the 2 m x 2 m in front of each opening: cells of 1 m from x0 = -0.1 */
    double before_corridor = 0, before_exit = 0;
    for (size_t iy = 0; iy < d.ny; iy++)
        for (size_t ix = 0; ix < d.nx; ix++) {
            double x = d.x0 + ((double)ix + 0.5) * d.cell_m;
            double y = d.y0 + ((double)iy + 0.5) * d.cell_m;
            double v = d.v[iy * d.nx + ix];
            if (fabs(y) < 1 && x > 8 && x < 10)
                before_corridor = fmax(before_corridor, v);
            if (fabs(y) < 1 && x > 28 && x < 30)
                before_exit = fmax(before_exit, v);
        }
    printf("RiMEA 12: corridor flow %.2f 1/s, exit flow %.2f 1/s, density "
           "before corridor %.2f, before exit %.2f 1/m2, evacuated in %.1f s\n",
           jb, jl, before_corridor, before_exit, ag_crowd_sim_time(sim));
    assert_true(jl <= jb * 1.05);
    assert_true(before_exit < 0.5 * before_corridor);
    ag_crowd_grid_free(&d);
    ag_crowd_sim_free(sim);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rimea9_closing_half_the_exits_doubles_the_time),
        cmocka_unit_test(test_rimea10_everybody_leaves_by_the_assigned_exit),
        cmocka_unit_test(test_rimea11_most_take_the_near_exit_some_the_other),
        cmocka_unit_test(test_rimea12_no_jam_at_the_exit_after_a_bottleneck),
    };
    if (getenv("AGORA_TEST_FILTER"))
        cmocka_set_test_filter(getenv("AGORA_TEST_FILTER"));
    return cmocka_run_group_tests(tests, NULL, NULL);
}
