/* Crowd simulation (tier 3): the floor field against exact distances, the
 * collision-free speed model's invariants, determinism across threads, the
 * congestion-aware field turning people round a crowd, the
 * outputs, and the RiMEA 3.0 verification tests 1, 5, 6 and 7 with their
 * pass criteria. Tests 9-12 and 15 are in test_crowd_rimea.c.
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

/* A geometry over caller storage: one outer ring, no holes. */
struct geo1 {
    struct ag_crowd_ring ring;
    struct ag_crowd_exit exits[4];
    struct ag_crowd_geom g;
};

static void geo1_init(struct geo1 *s, struct ag_xy *pts, size_t n, const struct ag_crowd_exit *ex,
                      size_t nex)
{
    memset(s, 0, sizeof *s);
    s->ring.pts = pts;
    s->ring.n = n;
    for (size_t k = 0; k < nex; k++)
        s->exits[k] = ex[k];
    s->g.outer = &s->ring;
    s->g.nouter = 1;
    s->g.exits = s->exits;
    s->g.nexits = nex;
}

static struct ag_crowd_exit exit_of(double ax, double ay, double bx, double by)
{
    struct ag_crowd_exit e = {{ax, ay}, {bx, by}, 0, false, NULL};
    e.width_m = hypot(bx - ax, by - ay);
    return e;
}

/* ---- floor field ---- */

static void test_field_in_open_room_is_the_distance_to_the_exit(void **state)
{
    (void)state;
    /* 10 m x 10 m, the whole east wall is the exit: phi = 10 - x away from
     * the walls, exactly for a plane front. */
    struct ag_xy pts[] = {{0, 0}, {10, 0}, {10, 10}, {0, 10}, {0, 0}};
    struct ag_crowd_exit ex = exit_of(10, 0, 10, 10);
    struct geo1 s;
    geo1_init(&s, pts, 5, &ex, 1);
    struct ag_crowd_nav *nav;
    struct ag_error err;
    assert_int_equal(ag_crowd_nav_new(&s.g, NULL, &nav, &err), 0);
    for (double x = 1; x < 9.5; x += 1.3) {
        double phi = ag_crowd_nav_cost(nav, -1, (struct ag_xy){x, 5.05});
        assert_true(fabs(phi - (10 - x)) < 0.06);
        struct ag_xy d;
        assert_true(ag_crowd_nav_direction(nav, -1, (struct ag_xy){x, 5.05}, &d));
        assert_true(d.x > 0.999);
    }
    /* a narrow exit: the field follows the Euclidean distance to the
     * segment within the first-order scheme's few per cent (it
     * over-estimates oblique fronts) */
    ag_crowd_nav_free(nav);
    ex = exit_of(10, 4.5, 10, 5.5);
    geo1_init(&s, pts, 5, &ex, 1);
    struct ag_crowd_nav_params np;
    ag_crowd_nav_defaults(&np);
    np.clearance_m = 0; /* pure distance: no cost near the exit's jambs */
    assert_int_equal(ag_crowd_nav_new(&s.g, &np, &nav, &err), 0);
    struct ag_xy probe[] = {{2, 5}, {2, 2}, {5, 8}, {8, 1.5}};
    for (size_t i = 0; i < 4; i++) {
        double exact = ag_xy_seg_dist(probe[i], ex.a, ex.b);
        double phi = ag_crowd_nav_cost(nav, -1, probe[i]);
        assert_true(phi >= exact - 0.06);
        assert_true(phi <= exact * 1.05 + 0.06);
    }
    assert_true(isinf(ag_crowd_nav_cost(nav, -1, (struct ag_xy){11, 5})));
    ag_crowd_nav_free(nav);
}

static void test_field_goes_around_an_obstacle_and_keeps_off_walls(void **state)
{
    (void)state;
    /* 20 x 10 room, exit centred on the east wall, a 2 m x 6 m pillar
     * between an agent and the exit: the walking distance is the taut
     * string around the pillar, longer than the straight line. */
    struct ag_xy outer[] = {{0, 0}, {20, 0}, {20, 10}, {0, 10}, {0, 0}};
    struct ag_xy hole[] = {{9, 2}, {9, 8}, {11, 8}, {11, 2}, {9, 2}};
    struct ag_crowd_ring rings[2] = {{outer, 5}, {hole, 5}};
    struct ag_crowd_exit ex = exit_of(20, 4.5, 20, 5.5);
    struct ag_crowd_geom g = {&rings[0], 1, &rings[1], 1, &ex, 1};
    struct ag_crowd_nav_params np;
    ag_crowd_nav_defaults(&np);
    np.clearance_m = 0; /* pure distance for the comparison */
    struct ag_crowd_nav *nav;
    assert_int_equal(ag_crowd_nav_new(&g, &np, &nav, NULL), 0);
    struct ag_xy a = {3, 5};
    /* taut string: a -> (9,8) -> (11,8) -> exit centre (20,5) */
    double taut = hypot(6, 3) + 2 + hypot(9, 3);
    double phi = ag_crowd_nav_cost(nav, -1, a);
    assert_true(phi > 16.5); /* the straight line would be 17 - 0.5 */
    assert_true(fabs(phi - taut) < 0.05 * taut);
    assert_false(ag_crowd_nav_walkable(nav, (struct ag_xy){10, 5}));
    /* the hole is a wall */
    assert_true(ag_crowd_nav_wall_distance(nav, (struct ag_xy){8.5, 5}, 5) - 0.5 < 1e-9);
    ag_crowd_nav_free(nav);

    /* with the default clearance the route bends further from the pillar's
     * corner: the field grows near walls */
    assert_int_equal(ag_crowd_nav_new(&g, NULL, &nav, NULL), 0);
    assert_true(ag_crowd_nav_cost(nav, -1, a) > phi);
    ag_crowd_nav_free(nav);
}

static void test_field_rejects_bad_input(void **state)
{
    (void)state;
    struct ag_xy pts[] = {{0, 0}, {10, 0}, {10, 10}, {0, 10}, {0, 0}};
    struct geo1 s;
    struct ag_crowd_nav *nav;
    struct ag_error err;
    geo1_init(&s, pts, 5, NULL, 0);
    assert_int_equal(ag_crowd_nav_new(&s.g, NULL, &nav, &err), AG_EINVAL);
    assert_non_null(strstr(err.msg, "no exit"));
    struct ag_crowd_exit far = exit_of(30, 0, 30, 2);
    geo1_init(&s, pts, 5, &far, 1);
    assert_int_equal(ag_crowd_nav_new(&s.g, NULL, &nav, &err), AG_EGEOM);
    assert_non_null(strstr(err.msg, "exit 1"));
    struct ag_crowd_exit ok = exit_of(10, 4, 10, 6);
    geo1_init(&s, pts, 4, &ok, 1); /* not closed */
    assert_int_equal(ag_crowd_nav_new(&s.g, NULL, &nav, &err), AG_EGEOM);
    geo1_init(&s, pts, 5, &ok, 1);
    struct ag_crowd_nav_params np;
    ag_crowd_nav_defaults(&np);
    np.cell_m = 0.001;
    assert_int_equal(ag_crowd_nav_new(&s.g, &np, &nav, &err), AG_EINVAL);
}

/* ---- random numbers ---- */

static void test_rng_is_seeded_and_distributions_have_their_moments(void **state)
{
    (void)state;
    struct ag_rng a, b;
    ag_rng_seed(&a, 42);
    ag_rng_seed(&b, 42);
    for (int i = 0; i < 100; i++)
        assert_true(ag_rng_next(&a) == ag_rng_next(&b));
    ag_rng_seed(&b, 43);
    assert_true(ag_rng_next(&a) != ag_rng_next(&b));
    /* Weidmann's speeds: mean 1.34, sd 0.26 (truncation at 0.5 and 2.0 m/s
     * is 2.5 sd away: it moves the moments by under 1 %) */
    double sum = 0, sq = 0;
    const int n = 200000;
    for (int i = 0; i < n; i++) {
        double v = ag_crowd_dist_draw(&ag_crowd_speed_weidmann.speed_ms, &a);
        assert_true(v >= 0.5 && v <= 2.0);
        sum += v;
        sq += v * v;
    }
    double mean = sum / n, sd = sqrt(sq / n - mean * mean);
    assert_true(fabs(mean - 1.34) < 0.005);
    assert_true(fabs(sd - 0.26) < 0.01);
}

/* ---- RiMEA test 1 ---- */

/* RiMEA 3.0 test 1: one person walks a corridor 2 m wide and 40 m long at
 * 1.33 m/s; the walking time must lie between 26 and 34 s (40 m / 1.33 m/s
 * = 30.1 s). */
static void test_rimea1_straight_corridor_walking_time(void **state)
{
    (void)state;
    struct ag_xy pts[] = {{-0.5, 0}, {40, 0}, {40, 2}, {-0.5, 2}, {-0.5, 0}};
    struct ag_crowd_exit ex = exit_of(40, 0, 40, 2);
    struct geo1 s;
    geo1_init(&s, pts, 5, &ex, 1);
    struct ag_crowd_sim *sim;
    assert_int_equal(ag_crowd_sim_new(&s.g, NULL, &sim, NULL), 0);
    struct ag_crowd_agent_spec a = {{0, 1}, 1.33, 0.3, 0, AG_CROWD_EXIT_NEAREST};
    assert_int_equal(ag_crowd_sim_add(sim, &a, 1, NULL), 0);
    assert_int_equal(ag_crowd_sim_run(sim, 60), 0);
    struct ag_crowd_agent_info info;
    assert_int_equal(ag_crowd_sim_agent(sim, 0, &info), 0);
    assert_int_equal(info.state, AG_CROWD_OUT);
    double t = info.out_s - info.start_s;
    assert_true(t >= 26 && t <= 34);
    /* and the model keeps the desired speed on the straight: 30.08 s */
    assert_true(fabs(t - 40 / 1.33) < 0.1);
    assert_true(fabs(info.walked_m - 40) < 0.05);
    ag_crowd_sim_free(sim);
}

/* ---- RiMEA test 5 ---- */

/* RiMEA 3.0 test 5: ten people in a room 8 m x 5 m with an exit 1 m wide in
 * the middle of a short wall have premovement times of 10, 20, ..., 100 s;
 * each must start walking at its own time (here: within one time step). */
static void test_rimea5_each_agent_starts_after_its_premovement_time(void **state)
{
    (void)state;
    struct ag_xy pts[] = {{0, 0}, {8, 0}, {8, 5}, {0, 5}, {0, 0}};
    struct ag_crowd_exit ex = exit_of(8, 2, 8, 3);
    struct geo1 s;
    geo1_init(&s, pts, 5, &ex, 1);
    struct ag_crowd_sim_params p;
    ag_crowd_sim_defaults(&p);
    struct ag_crowd_sim *sim;
    assert_int_equal(ag_crowd_sim_new(&s.g, &p, &sim, NULL), 0);
    struct ag_crowd_agent_spec a[10];
    for (int i = 0; i < 10; i++)
        a[i] = (struct ag_crowd_agent_spec){{1.0 + 1.2 * (i % 5), i < 5 ? 1.2 : 3.8},
                                            1.34,
                                            0.3,
                                            10.0 * (i + 1),
                                            AG_CROWD_EXIT_NEAREST};
    assert_int_equal(ag_crowd_sim_add(sim, a, 10, NULL), 0);
    /* before its time every agent stands still (and is an obstacle) */
    while (ag_crowd_sim_time(sim) < 9.99)
        assert_int_equal(ag_crowd_sim_step(sim), 0);
    for (size_t i = 0; i < 10; i++) {
        struct ag_crowd_agent_info info;
        ag_crowd_sim_agent(sim, i, &info);
        assert_int_equal(info.state, AG_CROWD_WAITING);
        assert_true(info.pos.x == a[i].pos.x && info.pos.y == a[i].pos.y);
    }
    assert_int_equal(ag_crowd_sim_run(sim, 200), 0);
    for (size_t i = 0; i < 10; i++) {
        struct ag_crowd_agent_info info;
        ag_crowd_sim_agent(sim, i, &info);
        assert_true(info.start_s >= a[i].premove_s - 1e-9);
        assert_true(info.start_s <= a[i].premove_s + p.dt_s + 1e-9);
        assert_int_equal(info.state, AG_CROWD_OUT);
        assert_true(info.out_s > info.start_s);
    }
    ag_crowd_sim_free(sim);
}

/* ---- RiMEA test 6 ---- */

static bool in_l_corridor(struct ag_xy p)
{
    /* (0,0)-(12,0)-(12,12)-(10,12)-(10,2)-(0,2): two arms 2 m wide */
    bool arm1 = p.x > 0 && p.x < 12 && p.y > 0 && p.y < 2;
    bool arm2 = p.x > 10 && p.x < 12 && p.y > 0 && p.y < 12;
    return arm1 || arm2;
}

/* RiMEA 3.0 test 6: 20 people walk a corridor 2 m wide around a left
 * corner (arms 12 m long); nobody may pass through the walls. Checked
 * after every step for every agent; everybody must also get out. */
static void test_rimea6_nobody_walks_through_the_corner(void **state)
{
    (void)state;
    struct ag_xy pts[] = {{0, 0}, {12, 0}, {12, 12}, {10, 12}, {10, 2}, {0, 2}, {0, 0}};
    struct ag_crowd_exit ex = exit_of(10, 12, 12, 12);
    struct geo1 s;
    geo1_init(&s, pts, 7, &ex, 1);
    struct ag_crowd_sim *sim;
    assert_int_equal(ag_crowd_sim_new(&s.g, NULL, &sim, NULL), 0);
    struct ag_crowd_population pop = {0};
    pop.n = 20;
    pop.lo = (struct ag_xy){0, 0};
    pop.hi = (struct ag_xy){6, 2};
    pop.premove_s = (struct ag_crowd_dist){AG_CROWD_DIST_FIXED, 0, 0, 0, 0};
    pop.exit = AG_CROWD_EXIT_NEAREST;
    pop.min_gap_m = 0.05;
    pop.seed = 6;
    struct ag_error err;
    assert_int_equal(ag_crowd_sim_populate(sim, &pop, &err), 0);
    int outside = 0;
    while (ag_crowd_sim_remaining(sim) > 0 && ag_crowd_sim_time(sim) < 120) {
        assert_int_equal(ag_crowd_sim_step(sim), 0);
        for (size_t i = 0; i < 20; i++) {
            struct ag_crowd_agent_info info;
            ag_crowd_sim_agent(sim, i, &info);
            if (info.state != AG_CROWD_OUT && !in_l_corridor(info.pos))
                outside++;
        }
    }
    assert_int_equal(outside, 0);
    assert_int_equal(ag_crowd_sim_out(sim, -1), 20);
    ag_crowd_sim_free(sim);
}

/* ---- RiMEA test 7 ---- */

/* RiMEA 3.0 test 7: people with the walking speeds of the guideline's age
 * groups (after Weidmann) must walk at speeds within their group's range.
 * 50 people per group, each in its own lane so that nobody slows anybody;
 * the speed measured from the run (path length over walking time) must lie
 * in the group's range, and the group's mean must be that of the uniform
 * distribution over it within three standard errors. */
static void test_rimea7_speeds_by_age_group_are_reproduced(void **state)
{
    (void)state;
    const size_t per = 50, ng = 4, n = per * ng;
    struct ag_xy pts[] = {{0, 0}, {22, 0}, {22, 201}, {0, 201}, {0, 0}};
    struct ag_crowd_exit ex = exit_of(22, 0, 22, 201);
    struct geo1 s;
    geo1_init(&s, pts, 5, &ex, 1);
    struct ag_crowd_sim_params p;
    ag_crowd_sim_defaults(&p);
    p.nav.cell_m = 0.25;
    struct ag_crowd_sim *sim;
    assert_int_equal(ag_crowd_sim_new(&s.g, &p, &sim, NULL), 0);
    struct ag_crowd_agent_spec a[200];
    struct ag_rng r;
    ag_rng_seed(&r, 7);
    for (size_t i = 0; i < n; i++) {
        const struct ag_crowd_speed_group *g = &ag_crowd_speed_rimea7[i / per];
        a[i] = (struct ag_crowd_agent_spec){{2, 1.0 + (double)i},
                                            ag_crowd_dist_draw(&g->speed_ms, &r),
                                            0.3,
                                            0,
                                            AG_CROWD_EXIT_NEAREST};
    }
    assert_int_equal(ag_crowd_sim_add(sim, a, n, NULL), 0);
    assert_int_equal(ag_crowd_sim_run(sim, 100), 0);
    for (size_t g = 0; g < ng; g++) {
        const struct ag_crowd_dist *d = &ag_crowd_speed_rimea7[g].speed_ms;
        double sum = 0;
        for (size_t i = g * per; i < (g + 1) * per; i++) {
            struct ag_crowd_agent_info info;
            ag_crowd_sim_agent(sim, i, &info);
            double v = info.walked_m / (info.out_s - info.start_s);
            assert_true(v >= d->a - 0.01 && v <= d->b + 0.01);
            assert_true(fabs(v - a[i].v0_ms) < 0.01);
            sum += v;
        }
        double se = (d->b - d->a) / sqrt(12.0) / sqrt((double)per);
        assert_true(fabs(sum / (double)per - 0.5 * (d->a + d->b)) < 3 * se);
    }
    ag_crowd_sim_free(sim);
}

static void test_population_draws_groups_by_share(void **state)
{
    (void)state;
    struct ag_xy pts[] = {{0, 0}, {40, 0}, {40, 40}, {0, 40}, {0, 0}};
    struct ag_crowd_exit ex = exit_of(40, 18, 40, 22);
    struct geo1 s;
    geo1_init(&s, pts, 5, &ex, 1);
    struct ag_crowd_sim *sim;
    assert_int_equal(ag_crowd_sim_new(&s.g, NULL, &sim, NULL), 0);
    struct ag_crowd_speed_group groups[2] = {ag_crowd_speed_rimea7[0], ag_crowd_speed_rimea7[3]};
    groups[0].share = 3;
    groups[1].share = 1;
    struct ag_crowd_population pop = {0};
    pop.n = 2000;
    pop.groups = groups;
    pop.ngroups = 2;
    pop.premove_s = (struct ag_crowd_dist){AG_CROWD_DIST_NORMAL, 30, 10, 0, 60};
    pop.exit = AG_CROWD_EXIT_NEAREST;
    pop.seed = 11;
    assert_int_equal(ag_crowd_sim_populate(sim, &pop, NULL), 0);
    size_t n0 = 0;
    double pre = 0;
    for (size_t i = 0; i < 2000; i++) {
        struct ag_crowd_agent_info info;
        ag_crowd_sim_agent(sim, i, &info);
        const struct ag_crowd_dist *d = &groups[info.group].speed_ms;
        assert_true(info.v0_ms >= d->a && info.v0_ms <= d->b);
        assert_true(info.premove_s >= 0 && info.premove_s <= 60);
        n0 += info.group == 0;
        pre += info.premove_s;
        /* no two bodies overlap at the start (checked on the first 300) */
        for (size_t j = 0; j < i && i < 300; j++) {
            struct ag_crowd_agent_info o;
            ag_crowd_sim_agent(sim, j, &o);
            assert_true(ag_xy_dist(o.pos, info.pos) >= 0.3);
        }
    }
    /* binomial(2000, 0.75): sd 19.4 */
    assert_true(fabs((double)n0 - 1500) < 80);
    assert_true(fabs(pre / 2000 - 30) < 1.0);
    /* too many for the area */
    pop.n = 100000;
    struct ag_error err;
    assert_int_equal(ag_crowd_sim_populate(sim, &pop, &err), AG_ELIMIT);
    assert_non_null(strstr(err.msg, "fit"));
    ag_crowd_sim_free(sim);
}

/* ---- model invariants ---- */

static void test_agents_keep_their_distance_in_a_queue(void **state)
{
    (void)state;
    /* a single file in a 0.8 m corridor behind a slow leader: by the speed
     * model nobody may come closer than l to the one ahead */
    struct ag_xy pts[] = {{0, 0}, {60, 0}, {60, 0.8}, {0, 0.8}, {0, 0}};
    struct ag_crowd_exit ex = exit_of(60, 0, 60, 0.8);
    struct geo1 s;
    geo1_init(&s, pts, 5, &ex, 1);
    struct ag_crowd_sim *sim;
    assert_int_equal(ag_crowd_sim_new(&s.g, NULL, &sim, NULL), 0);
    struct ag_crowd_agent_spec a[10];
    for (int i = 0; i < 10; i++)
        a[i] = (struct ag_crowd_agent_spec){
            {20.0 - 0.5 * i, 0.4}, i == 0 ? 0.5 : 1.5, 0.3, 0, AG_CROWD_EXIT_NEAREST};
    assert_int_equal(ag_crowd_sim_add(sim, a, 10, NULL), 0);
    double dmin = INFINITY;
    for (int k = 0; k < 800; k++) {
        assert_int_equal(ag_crowd_sim_step(sim), 0);
        for (size_t i = 1; i < 10; i++) {
            struct ag_crowd_agent_info u, v;
            ag_crowd_sim_agent(sim, i - 1, &u);
            ag_crowd_sim_agent(sim, i, &v);
            dmin = fmin(dmin, ag_xy_dist(u.pos, v.pos));
        }
    }
    assert_true(dmin > 0.3 - 1e-9);
    /* the followers have caught up and walk at the leader's speed */
    struct ag_crowd_agent_info last;
    ag_crowd_sim_agent(sim, 9, &last);
    assert_true(fabs(last.speed_ms - 0.5) < 0.05);
    ag_crowd_sim_free(sim);
}

/* The state of every agent, to compare runs bit for bit. */
static void snapshot(const struct ag_crowd_sim *sim, double *out)
{
    for (size_t i = 0; i < ag_crowd_sim_agents(sim); i++) {
        struct ag_crowd_agent_info info;
        ag_crowd_sim_agent(sim, i, &info);
        out[3 * i] = info.pos.x;
        out[3 * i + 1] = info.pos.y;
        out[3 * i + 2] = info.out_s;
    }
}

static struct ag_crowd_sim *busy_room(int threads, uint64_t seed, int route)
{
    static struct ag_xy pts[] = {{0, 0}, {20, 0}, {20, 15}, {0, 15}, {0, 0}};
    static struct geo1 s;
    struct ag_crowd_exit ex[2] = {exit_of(20, 6, 20, 7.2), exit_of(0, 2, 0, 3)};
    geo1_init(&s, pts, 5, ex, 2);
    struct ag_crowd_sim_params p;
    ag_crowd_sim_defaults(&p);
    p.threads = threads;
    struct ag_crowd_sim *sim;
    if (ag_crowd_sim_new(&s.g, &p, &sim, NULL))
        return NULL;
    struct ag_crowd_population pop = {0};
    pop.n = 400;
    pop.premove_s = (struct ag_crowd_dist){AG_CROWD_DIST_UNIFORM, 0, 5, 0, 0};
    pop.exit = route;
    pop.seed = seed;
    if (ag_crowd_sim_populate(sim, &pop, NULL)) {
        ag_crowd_sim_free(sim);
        return NULL;
    }
    return sim;
}

/* The congestion-aware field is on by default: its densities are counted
 * serially and each exit's field is solved by one thread (route choice
 * needs both exits' fields, solved side by side). */
static void test_runs_are_identical_bit_for_bit_whatever_the_threads(void **state)
{
    (void)state;
    double *ref = malloc(3 * 400 * sizeof *ref), *cur = malloc(3 * 400 * sizeof *cur);
    assert_non_null(ref);
    assert_non_null(cur);
    const int routes[] = {AG_CROWD_EXIT_NEAREST, AG_CROWD_EXIT_CHOICE};
    for (int r = 0; r < 2; r++) {
        struct ag_crowd_sim *a = busy_room(1, 99, routes[r]);
        assert_non_null(a);
        for (int k = 0; k < 400; k++)
            assert_int_equal(ag_crowd_sim_step(a), 0);
        snapshot(a, ref);
        assert_true(ag_crowd_sim_out(a, -1) > 0);
        ag_crowd_sim_free(a);
        const int threads[] = {2, 3, 4};
        for (size_t t = 0; t < 3; t++) {
            struct ag_crowd_sim *b = busy_room(threads[t], 99, routes[r]);
            assert_non_null(b);
            for (int k = 0; k < 400; k++)
                assert_int_equal(ag_crowd_sim_step(b), 0);
            snapshot(b, cur);
            assert_memory_equal(ref, cur, 3 * 400 * sizeof *ref);
            ag_crowd_sim_free(b);
        }
    }
    /* another seed, another run */
    struct ag_crowd_sim *c = busy_room(1, 100, AG_CROWD_EXIT_CHOICE);
    assert_non_null(c);
    for (int k = 0; k < 400; k++)
        assert_int_equal(ag_crowd_sim_step(c), 0);
    snapshot(c, cur);
    assert_true(memcmp(ref, cur, 3 * 400 * sizeof *ref) != 0);
    ag_crowd_sim_free(c);
    free(ref);
    free(cur);
}

/* ---- congestion-aware floor field ---- */

/* A block of people standing still (their premovement time far off) in
 * the straight line from a walker to the exit. On the static field the
 * walker heads straight into them and stays stuck there; on the
 * congestion-aware field (the default) the delay through the block turns
 * it, from 11 m away, to the side of the block it is on, and it walks
 * round and out. */
static void test_congestion_turns_a_walker_round_a_standing_crowd(void **state)
{
    (void)state;
    struct ag_xy pts[] = {{0, 0}, {30, 0}, {30, 10}, {0, 10}, {0, 0}};
    struct ag_crowd_exit ex = exit_of(30, 4, 30, 6);
    struct geo1 s;
    geo1_init(&s, pts, 5, &ex, 1);
    struct ag_crowd_agent_spec a[80];
    size_t n = 0;
    a[n++] = (struct ag_crowd_agent_spec){{4, 4.6}, 1.3, 0.3, 0, AG_CROWD_EXIT_NEAREST};
    for (int i = 0; i < 9; i++)
        for (int j = 0; j < 7; j++)
            a[n++] = (struct ag_crowd_agent_spec){
                {15 + 0.6 * i, 3.2 + 0.6 * j}, 1.3, 0.3, 1e6, AG_CROWD_EXIT_NEAREST};
    double hy[2], out[2], ymin[2];
    for (int dyn = 0; dyn < 2; dyn++) {
        struct ag_crowd_sim_params p;
        ag_crowd_sim_defaults(&p);
        p.dyn.on = dyn;
        struct ag_crowd_sim *sim;
        assert_int_equal(ag_crowd_sim_new(&s.g, &p, &sim, NULL), 0);
        assert_int_equal(ag_crowd_sim_add(sim, a, n, NULL), 0);
        struct ag_crowd_agent_info w;
        ymin[dyn] = INFINITY;
        for (int k = 0; k < 1200; k++) {
            assert_int_equal(ag_crowd_sim_step(sim), 0);
            assert_int_equal(ag_crowd_sim_agent(sim, 0, &w), 0);
            if (k == 1) /* the field solved at t = 0 is read from the second step */
                hy[dyn] = w.heading.y;
            if (w.state == AG_CROWD_OUT)
                break;
            if (w.pos.x > 14 && w.pos.x < 21)
                ymin[dyn] = fmin(ymin[dyn], w.pos.y);
        }
        out[dyn] = w.out_s;
        ag_crowd_sim_free(sim);
    }
    printf("walker and a standing crowd: heading y in the second step %.3f (static) %.3f "
           "(congestion-aware); "
           "out after %.1f s / %.1f s; lowest y beside the crowd %.2f / %.2f\n",
           hy[0], hy[1], out[0], out[1], ymin[0], ymin[1]);
    assert_true(fabs(hy[0]) < 0.01);
    assert_true(hy[1] < -0.05);
    /* round the block and out; on the static field stuck against it for
     * the minute simulated */
    assert_true(isfinite(out[1]) && out[1] < 30);
    assert_true(ymin[1] < 3.2 - 0.3);
    assert_true(isnan(out[0]));
}

/* ---- outputs ---- */

static void test_outputs_count_everybody_once(void **state)
{
    (void)state;
    /* 30 people cross a room 10 m long through a line at x = 5 to a 2 m
     * exit: 30 crossings, 30 on the curve, non-decreasing times; the
     * time-averaged density integrates to the mean number of people on the
     * area over the window. */
    struct ag_xy pts[] = {{0, 0}, {10, 0}, {10, 4}, {0, 4}, {0, 0}};
    struct ag_crowd_exit ex = exit_of(10, 1, 10, 3);
    struct geo1 s;
    geo1_init(&s, pts, 5, &ex, 1);
    struct ag_crowd_sim *sim;
    assert_int_equal(ag_crowd_sim_new(&s.g, NULL, &sim, NULL), 0);
    struct ag_crowd_population pop = {0};
    pop.n = 30;
    pop.lo = (struct ag_xy){0, 0};
    pop.hi = (struct ag_xy){4, 4};
    pop.exit = AG_CROWD_EXIT_NEAREST;
    pop.seed = 3;
    assert_int_equal(ag_crowd_sim_populate(sim, &pop, NULL), 0);
    assert_int_equal(ag_crowd_sim_add_line(sim, (struct ag_xy){5, 0}, (struct ag_xy){5, 4}), 0);
    assert_int_equal(ag_crowd_sim_density_enable(sim, 0.5, 0, 5), 0);
    double people_time = 0;
    while (ag_crowd_sim_remaining(sim) > 0 && ag_crowd_sim_time(sim) < 100) {
        if (ag_crowd_sim_time(sim) < 5 - 1e-9)
            people_time += (double)ag_crowd_sim_remaining(sim);
        assert_int_equal(ag_crowd_sim_step(sim), 0);
        /* remaining after the step is what the density counted */
    }
    assert_int_equal(ag_crowd_sim_remaining(sim), 0);
    size_t n;
    const struct ag_crowd_crossing *c = ag_crowd_sim_crossings(sim, 0, &n);
    assert_int_equal(n, 30);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(c[i].sign, 1); /* upward line: west to east is its right */
    const double *t = ag_crowd_sim_exit_times(sim, &n);
    assert_int_equal(n, 30);
    for (size_t i = 1; i < n; i++)
        assert_true(t[i] >= t[i - 1]);
    struct ag_crowd_grid g;
    assert_int_equal(ag_crowd_sim_density(sim, &g), 0);
    double integral = 0;
    for (size_t i = 0; i < g.nx * g.ny; i++)
        integral += g.v[i] * g.cell_m * g.cell_m;
    assert_true(integral > 20 && integral <= 30 + 1e-9);
    ag_crowd_grid_free(&g);

    FILE *f = tmpfile();
    assert_non_null(f);
    assert_int_equal(ag_crowd_sim_write_curve(sim, f), 0);
    rewind(f);
    char line[256];
    assert_non_null(fgets(line, sizeof line, f));
    assert_string_equal(line, "time_s,people_out,exit\n");
    int lines = 0;
    while (fgets(line, sizeof line, f))
        lines++;
    assert_int_equal(lines, 30);
    fclose(f);
    ag_crowd_sim_free(sim);
    (void)people_time;
}

/* The trajectory file follows PedPy's plain text format: the frame rate on
 * a comment line with "framerate" and the unit as "x/m", then whitespace
 * separated id frame x y z with integer ids and frames. */
static void test_trajectories_are_in_pedpy_text_format(void **state)
{
    (void)state;
    struct ag_xy pts[] = {{0, 0}, {10, 0}, {10, 2}, {0, 2}, {0, 0}};
    struct ag_crowd_exit ex = exit_of(10, 0, 10, 2);
    struct geo1 s;
    geo1_init(&s, pts, 5, &ex, 1);
    struct ag_crowd_sim *sim;
    assert_int_equal(ag_crowd_sim_new(&s.g, NULL, &sim, NULL), 0);
    struct ag_crowd_agent_spec a[2] = {{{1, 0.5}, 1.0, 0.3, 0, AG_CROWD_EXIT_NEAREST},
                                       {{1, 1.5}, 1.2, 0.3, 0, AG_CROWD_EXIT_NEAREST}};
    assert_int_equal(ag_crowd_sim_add(sim, a, 2, NULL), 0);
    FILE *f = tmpfile();
    assert_non_null(f);
    assert_int_equal(ag_crowd_sim_trajectories(sim, f, 10), 0);
    assert_int_equal(ag_crowd_sim_run(sim, 60), 0);
    rewind(f);
    char line[256];
    double fps = 0;
    bool unit = false;
    long rows = 0, last_frame = -1, frames = 0;
    while (fgets(line, sizeof line, f)) {
        if (line[0] == '#') {
            assert_null(strstr(line, "in cm"));
            assert_null(strstr(line, "x/cm"));
            if (strstr(line, "framerate"))
                assert_int_equal(sscanf(line, "# framerate: %lf fps", &fps), 1);
            if (strstr(line, "x/m"))
                unit = true;
            continue;
        }
        unsigned id;
        long frame;
        double x, y, z;
        assert_int_equal(sscanf(line, "%u %ld %lf %lf %lf", &id, &frame, &x, &y, &z), 5);
        assert_true(id == 1 || id == 2);
        assert_true(frame >= last_frame);
        if (frame != last_frame)
            frames++;
        last_frame = frame;
        assert_true(x >= 0 && x <= 10 && y > 0 && y < 2);
        rows++;
    }
    assert_true(fps == 10.0);
    assert_true(unit);
    /* agent 1 walks 9 m at 1 m/s: about 90 frames, agent 2 fewer */
    assert_true(frames >= 88 && frames <= 92);
    assert_true(rows > frames && rows < 2 * frames);
    fclose(f);
    ag_crowd_sim_free(sim);
}

static void test_simulation_rejects_bad_agents(void **state)
{
    (void)state;
    struct ag_xy pts[] = {{0, 0}, {10, 0}, {10, 2}, {0, 2}, {0, 0}};
    struct ag_crowd_exit ex = exit_of(10, 0, 10, 2);
    struct geo1 s;
    geo1_init(&s, pts, 5, &ex, 1);
    struct ag_crowd_sim *sim;
    struct ag_error err;
    assert_int_equal(ag_crowd_sim_new(&s.g, NULL, &sim, &err), 0);
    struct ag_crowd_agent_spec a = {{11, 1}, 1.0, 0.3, 0, AG_CROWD_EXIT_NEAREST};
    assert_int_equal(ag_crowd_sim_add(sim, &a, 1, &err), AG_EINVAL);
    assert_non_null(strstr(err.msg, "agent 1"));
    a.pos.x = 5;
    a.v0_ms = 0;
    assert_int_equal(ag_crowd_sim_add(sim, &a, 1, &err), AG_EINVAL);
    a.v0_ms = 1;
    a.exit = 3;
    assert_int_equal(ag_crowd_sim_add(sim, &a, 1, &err), AG_EINVAL);
    assert_int_equal(ag_crowd_sim_agents(sim), 0);
    ag_crowd_sim_free(sim);
    struct ag_crowd_sim_params p;
    ag_crowd_sim_defaults(&p);
    p.dt_s = 1;
    assert_int_equal(ag_crowd_sim_new(&s.g, &p, &sim, &err), AG_EINVAL);
    /* the congestion-aware field's parameters, checked only when it is on */
    ag_crowd_sim_defaults(&p);
    p.dyn.min_speed = 0;
    assert_int_equal(ag_crowd_sim_new(&s.g, &p, &sim, &err), AG_EINVAL);
    assert_non_null(strstr(err.msg, "congestion-aware"));
    p.dyn.on = false;
    assert_int_equal(ag_crowd_sim_new(&s.g, &p, &sim, &err), 0);
    ag_crowd_sim_free(sim);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_field_in_open_room_is_the_distance_to_the_exit),
        cmocka_unit_test(test_field_goes_around_an_obstacle_and_keeps_off_walls),
        cmocka_unit_test(test_field_rejects_bad_input),
        cmocka_unit_test(test_rng_is_seeded_and_distributions_have_their_moments),
        cmocka_unit_test(test_rimea1_straight_corridor_walking_time),
        cmocka_unit_test(test_rimea5_each_agent_starts_after_its_premovement_time),
        cmocka_unit_test(test_rimea6_nobody_walks_through_the_corner),
        cmocka_unit_test(test_rimea7_speeds_by_age_group_are_reproduced),
        cmocka_unit_test(test_population_draws_groups_by_share),
        cmocka_unit_test(test_agents_keep_their_distance_in_a_queue),
        cmocka_unit_test(test_runs_are_identical_bit_for_bit_whatever_the_threads),
        cmocka_unit_test(test_congestion_turns_a_walker_round_a_standing_crowd),
        cmocka_unit_test(test_outputs_count_everybody_once),
        cmocka_unit_test(test_trajectories_are_in_pedpy_text_format),
        cmocka_unit_test(test_simulation_rejects_bad_agents),
    };
    /* AGORA_TEST_FILTER="test_rimea*" runs a subset */
    if (getenv("AGORA_TEST_FILTER"))
        cmocka_set_test_filter(getenv("AGORA_TEST_FILTER"));
    return cmocka_run_group_tests(tests, NULL, NULL);
}
