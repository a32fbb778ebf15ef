/* Approach search over small synthetic road graphs: answers by hand, and a
 * brute-force enumeration of routes on random graphs.
 * SPDX-License-Identifier: EUPL-1.2 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "agora/vehicle.h"

/* A car with the constant model: 3 m/s², 50 m/s, 6 m/s² in bends, and a
 * truck 2.5 m wide for the width rule. */
static const struct ag_kin car = {AG_VEHICLE_CONSTANT, 3.0, 0, 1500, 50.0, 6.0};

static size_t node(struct ag_vgraph *g, double x, double y, bool blocked)
{
    size_t id;
    assert_int_equal(ag_vgraph_add_node(g, (struct ag_xy){x, y}, blocked, &id), 0);
    return id;
}

static void edge(struct ag_vgraph *g, size_t a, size_t b, double width, double incline)
{
    struct ag_xy p[2] = {g->nodes[a].xy, g->nodes[b].xy};
    assert_int_equal(ag_vgraph_add_edge(g, a, b, p, 2, width, incline), 0);
}

static double best_at(struct ag_vgraph *g, const struct ag_kin *k, double vwidth, size_t target,
                      struct ag_route *route)
{
    struct ag_speeds sp;
    assert_int_equal(ag_vehicle_speeds(g, k, vwidth, &sp), 0);
    struct ag_route r;
    assert_int_equal(ag_vehicle_route(g, k, &sp, target, &r), 0);
    /* The route the search reports must reproduce its speed. */
    if (r.nstates) {
        double replay = ag_vehicle_route_speed(g, k, vwidth, r.states, r.nstates, NULL, NULL);
        assert_true(fabs(replay - r.speed_ms) < 1e-6);
    }
    double v = r.speed_ms;
    if (route)
        *route = r;
    else
        ag_route_free(&r);
    ag_speeds_free(&sp);
    return v;
}

static void test_straight_approach_is_v2_equals_2as_over_the_run(void **state)
{
    (void)state;
    struct ag_vgraph g;
    ag_vgraph_init(&g);
    size_t a = node(&g, -100, 0, false), b = node(&g, 0, 0, false);
    edge(&g, a, b, 6, 0);
    struct ag_route r;
    assert_true(fabs(best_at(&g, &car, 1.8, b, &r) - sqrt(2 * 3.0 * 100)) < 1e-9);
    assert_int_equal(r.nstates, 1);
    assert_true(fabs(r.run_up_m - 100) < 1e-9);
    assert_true(isinf(r.limiting_radius_m));
    ag_route_free(&r);
    ag_vgraph_free(&g);
}

static void test_corner_caps_then_the_vehicle_accelerates_again(void **state)
{
    (void)state;
    struct ag_vgraph g;
    ag_vgraph_init(&g);
    size_t a = node(&g, -100, 0, false), c = node(&g, 0, 0, false), b = node(&g, 0, 50, false);
    edge(&g, a, c, 6, 0);
    edge(&g, c, b, 6, 0);
    /* At c: min(sqrt(600), sqrt(6 r)) with r = 6/(1-cos 45°); then 50 m. */
    double cap2 = 6.0 * 6.0 / (1 - cos(M_PI / 4));
    double want = sqrt(cap2 + 2 * 3.0 * 50);
    struct ag_route r;
    assert_true(fabs(best_at(&g, &car, 1.8, b, &r) - want) < 1e-9);
    assert_int_equal(r.nstates, 2);
    assert_true(fabs(r.limiting_radius_m - 6.0 / (1 - cos(M_PI / 4))) < 1e-9);
    assert_true(fabs(r.limiting_at.x) < 1e-12 && fabs(r.limiting_at.y) < 1e-12);
    ag_route_free(&r);
    ag_vgraph_free(&g);
}

static void test_chain_of_corners_keeps_only_the_last_run_up(void **state)
{
    (void)state;
    struct ag_vgraph g;
    ag_vgraph_init(&g);
    /* A staircase: 100 m east, 100 m north, 100 m east, 30 m north. */
    size_t n0 = node(&g, 0, 0, false), n1 = node(&g, 100, 0, false), n2 = node(&g, 100, 100, false),
           n3 = node(&g, 200, 100, false), n4 = node(&g, 200, 130, false);
    edge(&g, n0, n1, 6, 0);
    edge(&g, n1, n2, 6, 0);
    edge(&g, n2, n3, 6, 0);
    edge(&g, n3, n4, 6, 0);
    double cap2 = 6.0 * 6.0 / (1 - cos(M_PI / 4));
    double want = sqrt(cap2 + 2 * 3.0 * 30);
    /* Starting at n3 from rest gives only sqrt(180): the corner run wins. */
    assert_true(want > sqrt(180));
    assert_true(fabs(best_at(&g, &car, 1.8, n4, NULL) - want) < 1e-9);
    ag_vgraph_free(&g);
}

static void test_blocking_barrier_can_be_hit_but_not_passed(void **state)
{
    (void)state;
    struct ag_vgraph g;
    ag_vgraph_init(&g);
    size_t a = node(&g, -200, 0, false), m = node(&g, -50, 0, true), b = node(&g, 0, 0, false);
    edge(&g, a, m, 6, 0);
    edge(&g, m, b, 6, 0);
    /* Only the 50 m beyond the bollard count for b... */
    assert_true(fabs(best_at(&g, &car, 1.8, b, NULL) - sqrt(2 * 3.0 * 50)) < 1e-9);
    /* ...while the bollard itself is hit after 150 m. */
    assert_true(fabs(best_at(&g, &car, 1.8, m, NULL) - sqrt(2 * 3.0 * 150)) < 1e-9);
    ag_vgraph_free(&g);
}

static void test_a_way_narrower_than_the_vehicle_is_not_used(void **state)
{
    (void)state;
    struct ag_vgraph g;
    ag_vgraph_init(&g);
    size_t a = node(&g, -300, 0, false), c = node(&g, -100, 0, false), b = node(&g, 0, 0, false);
    edge(&g, a, c, 2.2, 0); /* a wide footway */
    edge(&g, c, b, 6, 0);
    assert_true(fabs(best_at(&g, &car, 1.8, b, NULL) - sqrt(2 * 3.0 * 300)) < 1e-9);
    assert_true(fabs(best_at(&g, &car, 2.5, b, NULL) - sqrt(2 * 3.0 * 100)) < 1e-9);
    ag_vgraph_free(&g);
}

static void test_slope_helps_downhill_and_hinders_uphill(void **state)
{
    (void)state;
    struct ag_vgraph g;
    ag_vgraph_init(&g);
    /* A 10 % rise from a to b. */
    size_t a = node(&g, -100, 0, false), b = node(&g, 0, 0, false);
    edge(&g, a, b, 6, 10);
    double s = sin(atan(0.10));
    assert_true(fabs(best_at(&g, &car, 1.8, b, NULL) - sqrt(2 * (3.0 - 9.80665 * s) * 100)) <
                1e-9);
    assert_true(fabs(best_at(&g, &car, 1.8, a, NULL) - sqrt(2 * (3.0 + 9.80665 * s) * 100)) <
                1e-9);
    ag_vgraph_free(&g);
}

/* ---- property test: search == brute force over routes ---- */

static uint64_t rng_state;
static double rnd(void)
{
    /* splitmix64 */
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return (double)((z ^ (z >> 31)) >> 11) / 9007199254740992.0;
}

struct brute {
    struct ag_vgraph *g;
    const struct ag_kin *k;
    long route[16];
    double *best_walk;   /* per node, over walks up to max_len states */
    double *best_simple; /* per node, over node-simple routes */
    size_t max_len;
};

static bool node_simple(const struct brute *b, size_t n)
{
    /* nodes: start of route[0], then the end of each state */
    size_t seen[17];
    size_t m = 0;
    seen[m++] = b->g->edges[b->route[0] / 2].a ^ 0;
    seen[0] = (b->route[0] & 1) ? b->g->edges[b->route[0] / 2].b : b->g->edges[b->route[0] / 2].a;
    for (size_t i = 0; i < n; i++) {
        const struct ag_vedge *e = &b->g->edges[b->route[i] / 2];
        size_t end = (b->route[i] & 1) ? e->a : e->b;
        for (size_t j = 0; j < m; j++)
            if (seen[j] == end)
                return false;
        seen[m++] = end;
    }
    return true;
}

static void enumerate(struct brute *b, size_t n)
{
    double v = ag_vehicle_route_speed(b->g, b->k, 0, b->route, n, NULL, NULL);
    if (v < 0)
        return;
    const struct ag_vedge *e = &b->g->edges[b->route[n - 1] / 2];
    size_t end = (b->route[n - 1] & 1) ? e->a : e->b;
    if (v > b->best_walk[end])
        b->best_walk[end] = v;
    if (node_simple(b, n) && v > b->best_simple[end])
        b->best_simple[end] = v;
    if (n == b->max_len)
        return;
    for (long d = 0; d < (long)(2 * b->g->nedges); d++) {
        b->route[n] = d;
        enumerate(b, n + 1);
    }
}

static void test_search_equals_brute_force_on_random_graphs(void **state)
{
    (void)state;
    rng_state = 20261122;
    int graphs = 40, loops_helped = 0;
    for (int t = 0; t < graphs; t++) {
        struct ag_vgraph g;
        ag_vgraph_init(&g);
        size_t nn = 5;
        for (size_t i = 0; i < nn; i++)
            node(&g, 300 * rnd(), 300 * rnd(), rnd() < 0.1);
        size_t ne = 6;
        for (size_t i = 0; i < ne; i++) {
            size_t a = (size_t)(rnd() * nn), b = (size_t)(rnd() * nn);
            if (a == b)
                b = (a + 1) % nn;
            /* some edges bent in the middle, some sloped */
            struct ag_xy p[3] = {g.nodes[a].xy,
                                 {(g.nodes[a].xy.x + g.nodes[b].xy.x) / 2 + 40 * (rnd() - 0.5),
                                  (g.nodes[a].xy.y + g.nodes[b].xy.y) / 2 + 40 * (rnd() - 0.5)},
                                 g.nodes[b].xy};
            double incline = rnd() < 0.3 ? 16 * (rnd() - 0.5) : 0;
            assert_int_equal(ag_vgraph_add_edge(&g, a, b, p, 3, 3 + 5 * rnd(), incline), 0);
        }
        struct ag_speeds sp;
        assert_int_equal(ag_vehicle_speeds(&g, &car, 0, &sp), 0);
        double bw[5] = {0}, bs[5] = {0};
        struct brute b = {&g, &car, {0}, bw, bs, 7};
        for (long d = 0; d < (long)(2 * ne); d++) {
            b.route[0] = d;
            enumerate(&b, 1);
        }
        for (size_t v = 0; v < nn; v++) {
            struct ag_route r;
            assert_int_equal(ag_vehicle_route(&g, &car, &sp, v, &r), 0);
            if (fabs(r.speed_ms - bw[v]) > 1e-6)
                fail_msg("graph %d node %zu: search %.9f, brute force over routes %.9f", t, v,
                         r.speed_ms, bw[v]);
            /* Simple routes are a subset: never faster than the search. */
            assert_true(bs[v] <= r.speed_ms + 1e-9);
            loops_helped += bs[v] < r.speed_ms - 1e-6;
            ag_route_free(&r);
        }
        ag_speeds_free(&sp);
        ag_vgraph_free(&g);
    }
    printf("# routes that repeat a node were faster at %d of %d nodes\n", loops_helped, graphs * 5);
}

/* ---- speeds between nodes (kerb-side approaches) ---- */

static void test_speed_along_an_edge_is_v2_equals_2as_and_passes_a_bend_unclipped(void **state)
{
    (void)state;
    struct ag_vgraph g;
    ag_vgraph_init(&g);
    /* 100 m east, then a right-angle bend at (100, 0) inside the edge, then
     * 50 m north. */
    size_t a = node(&g, 0, 0, false), b = node(&g, 100, 50, false);
    struct ag_xy p[3] = {{0, 0}, {100, 0}, {100, 50}};
    assert_int_equal(ag_vgraph_add_edge(&g, a, b, p, 3, 6, 0), 0);
    struct ag_speeds sp;
    assert_int_equal(ag_vehicle_speeds(&g, &car, 1.8, &sp), 0);
    /* From rest at a, s metres along: v² = 2·a·s, up to and at the bend
     * (a vehicle may leave the road there instead of turning); past it,
     * clipped to √(a_lat·r) and accelerating again. */
    assert_true(fabs(ag_vstate_entry_speed(&g, &car, 1.8, &sp, 0, NULL)) < 1e-12);
    for (double s = 0; s <= 100; s += 12.5)
        assert_true(fabs(ag_vstate_speed_at(&g, &car, 0, 0, s) - sqrt(2 * 3.0 * s)) < 1e-9);
    double r = 6.0 / (1 - cos(M_PI / 4));
    assert_true(fabs(ag_vstate_speed_at(&g, &car, 0, 0, 120) - sqrt(6 * r + 2 * 3.0 * 20)) < 1e-9);
    /* The route to a point: the edge's first 60 m, replayed to the same speed. */
    struct ag_route rt;
    assert_int_equal(ag_vehicle_route_along(&g, &car, 1.8, &sp, 0, 60, &rt), 0);
    assert_int_equal(rt.nstates, 1);
    assert_true(fabs(rt.speed_ms - sqrt(2 * 3.0 * 60)) < 1e-9);
    assert_true(fabs(rt.run_up_m - 60) < 1e-9 && fabs(rt.last_m - 60) < 1e-9);
    assert_true(isinf(rt.limiting_radius_m));
    ag_route_free(&rt);
    /* A vehicle wider than the road cannot use it. */
    assert_true(ag_vstate_entry_speed(&g, &car, 7, &sp, 0, NULL) < 0);
    ag_speeds_free(&sp);
    ag_vgraph_free(&g);
}

/* The speed at a point of an edge, taken from the labels of a search on the
 * graph as it is, must equal the label a search finds when the edge is cut
 * at that point: on random graphs of straight, sloped edges with blocked
 * nodes, for both models. A cut adds a vertex that takes no turn, and such
 * a vertex ends a bend that runs across it (§10), so the cut graph is given
 * the bend radii of the uncut one at every original node: the comparison
 * is of the search, not of the bend estimate. */
static void test_speed_at_a_point_equals_cutting_the_edge_there(void **state)
{
    (void)state;
    rng_state = 20261215;
    const struct ag_kin models[2] = {{AG_VEHICLE_CONSTANT, 3.0, 0, 1500, 50.0, 6.0},
                                     {AG_VEHICLE_POWER, 3.0, 100e3, 1500, 50.0, 6.0}};
    int compared = 0, below_top = 0;
    for (int t = 0; t < 80; t++) {
        const struct ag_kin *kin = &models[t % 2];
        struct ag_vgraph g, h;
        ag_vgraph_init(&g);
        ag_vgraph_init(&h);
        size_t nn = 6, ne = 8;
        for (size_t i = 0; i < nn; i++) {
            double x = 300 * rnd(), y = 300 * rnd();
            bool blocked = rnd() < 0.1;
            node(&g, x, y, blocked);
            node(&h, x, y, blocked);
        }
        size_t cut = (size_t)(rnd() * ne);
        double frac = 0.05 + 0.9 * rnd();
        size_t mid = node(&h, 0, 0, false);
        for (size_t i = 0; i < ne; i++) {
            size_t a = (size_t)(rnd() * nn), b = (size_t)(rnd() * nn);
            if (a == b)
                b = (a + 1) % nn;
            double w = 3 + 5 * rnd(), incline = rnd() < 0.3 ? 16 * (rnd() - 0.5) : 0;
            struct ag_xy pa = g.nodes[a].xy, pb = g.nodes[b].xy;
            struct ag_xy seg[2] = {pa, pb};
            assert_int_equal(ag_vgraph_add_edge(&g, a, b, seg, 2, w, incline), 0);
            g.edges[i].way = (int64_t)i + 1;
            if (i != cut) {
                assert_int_equal(ag_vgraph_add_edge(&h, a, b, seg, 2, w, incline), 0);
                h.edges[h.nedges - 1].way = (int64_t)i + 1;
                continue;
            }
            struct ag_xy m = {pa.x + frac * (pb.x - pa.x), pa.y + frac * (pb.y - pa.y)};
            h.nodes[mid].xy = m;
            struct ag_xy s1[2] = {pa, m}, s2[2] = {m, pb};
            assert_int_equal(ag_vgraph_add_edge(&h, a, mid, s1, 2, w, incline), 0);
            h.edges[h.nedges - 1].way = (int64_t)i + 1;
            assert_int_equal(ag_vgraph_add_edge(&h, mid, b, s2, 2, w, incline), 0);
            h.edges[h.nedges - 1].way = (int64_t)i + 1;
        }
        assert_int_equal(ag_vgraph_prepare(&g), 0);
        assert_int_equal(ag_vgraph_prepare(&h), 0);
        /* Edges are added in the same order, so every original node lists
         * its edges in the same order in both graphs. */
        for (size_t v = 0; v < nn; v++) {
            size_t deg = g.adj_off[v + 1] - g.adj_off[v];
            assert_int_equal(h.adj_off[v + 1] - h.adj_off[v], deg);
            for (size_t x = 0; x < deg * deg; x++)
                h.turn[h.turn_off[v] + x] = g.turn[g.turn_off[v] + x];
        }
        struct ag_speeds sg, sh;
        assert_int_equal(ag_vehicle_speeds(&g, kin, 2.5, &sg), 0);
        assert_int_equal(ag_vehicle_speeds(&h, kin, 2.5, &sh), 0);
        /* The cut edge's pieces in h: the one ending at mid from a
         * (forward) and the one ending at mid from b (backward). */
        long into_fwd = -1, into_back = -1;
        for (size_t i = 0; i < h.nedges; i++) {
            if (h.edges[i].b == mid)
                into_fwd = (long)(2 * i);
            if (h.edges[i].a == mid)
                into_back = (long)(2 * i + 1);
        }
        double len = g.edges[cut].length_m, s_fwd = frac * len;
        const long dirs[2] = {(long)(2 * cut), (long)(2 * cut + 1)};
        const long cuts[2] = {into_fwd, into_back};
        const double at[2] = {s_fwd, len - s_fwd};
        for (int k = 0; k < 2; k++) {
            struct ag_route rt;
            assert_int_equal(ag_vehicle_route_along(&g, kin, 2.5, &sg, dirs[k], at[k], &rt), 0);
            double want = sh.speed[cuts[k]];
            compared += want > 0;
            below_top += want > 0 && want < kin->vmax - 1e-6;
            if (fabs(rt.speed_ms - want) > 1e-6)
                fail_msg("graph %d, direction %d: speed at the point %.9f, after cutting %.9f", t,
                         k, rt.speed_ms, want);
            if (rt.nstates) {
                double replay = ag_vehicle_route_speed_to(&g, kin, 2.5, rt.states, rt.nstates,
                                                          rt.last_m, NULL, NULL);
                assert_true(fabs(replay - rt.speed_ms) < 1e-6);
            }
            ag_route_free(&rt);
        }
        ag_speeds_free(&sg);
        ag_speeds_free(&sh);
        ag_vgraph_free(&g);
        ag_vgraph_free(&h);
    }
    assert_true(compared > 100); /* most points are reachable */
    assert_true(below_top > 50);  /* and not merely at the top speed */
}

/* A graph keeps every edge's points, segment lengths and radii intact
 * however many edges it holds: they are carved out of shared blocks
 * (approach.c, pool_alloc), so one edge written over another, or a block
 * reused too early, would show here. Edges of 2 to 41 vertices fill
 * blocks to odd remainders; one of 20,000 vertices is larger than a block.
 * The expected values are the inputs, and their distances by hypot. */
static struct ag_xy chain_pt(size_t e, size_t i)
{
    return (struct ag_xy){(double)e * 1000.0 + (double)i * 3.0, (double)(i % 7) * 0.5};
}

static void test_graph_keeps_every_edge_across_its_blocks(void **state)
{
    (void)state;
    struct ag_vgraph g;
    ag_vgraph_init(&g);
    const size_t nedges = 4001, big = 1234, big_n = 20000;
    struct ag_xy *pts = malloc(big_n * sizeof *pts);
    assert_non_null(pts);
    for (size_t e = 0; e <= nedges; e++)
        node(&g, (double)e, 0, false);
    for (size_t e = 0; e < nedges; e++) {
        size_t n = e == big ? big_n : 2 + e % 40;
        for (size_t i = 0; i < n; i++)
            pts[i] = chain_pt(e, i);
        assert_int_equal(ag_vgraph_add_edge(&g, e, e + 1, pts, n, 5.0, 0), 0);
    }
    for (size_t e = 0; e < nedges; e++) {
        const struct ag_vedge *ed = &g.edges[e];
        size_t n = e == big ? big_n : 2 + e % 40;
        assert_int_equal(ed->n, n);
        assert_int_equal((uintptr_t)ed->pts % _Alignof(max_align_t), 0);
        double length = 0;
        for (size_t i = 0; i < n; i++) {
            struct ag_xy want = chain_pt(e, i);
            assert_true(ed->pts[i].x == want.x && ed->pts[i].y == want.y);
            assert_true(isinf(ed->radius[i]));
            if (i + 1 < n) {
                struct ag_xy next = chain_pt(e, i + 1);
                double d = hypot(next.x - want.x, next.y - want.y);
                assert_true(ed->seg_len[i] == d);
                length += d;
            }
        }
        assert_true(ed->seg_len[n - 1] == 0);
        assert_true(ed->length_m == length);
    }
    free(pts);
    ag_vgraph_free(&g);
}

static void test_rating_rounds_up_to_the_standard_test_speeds(void **state)
{
    (void)state;
    struct ag_vehicle_class n2a = {0};
    n2a.id = "N2A";
    n2a.mass_kg = 7200;
    char buf[64];
    assert_int_equal(ag_vehicle_rating(&n2a, 50.1, buf, sizeof buf), 64);
    assert_string_equal(buf, "V/7200[N2A]/64/90");
    assert_int_equal(ag_vehicle_rating(&n2a, 48.0, buf, sizeof buf), 48);
    assert_int_equal(ag_vehicle_rating(&n2a, 0.5, buf, sizeof buf), 16);
    assert_int_equal(ag_vehicle_rating(&n2a, 112.0, buf, sizeof buf), 112);
    /* Nothing to rate: no approach, or faster than any standard test. */
    assert_int_equal(ag_vehicle_rating(&n2a, 0, buf, sizeof buf), 0);
    assert_string_equal(buf, "");
    assert_int_equal(ag_vehicle_rating(&n2a, 130, buf, sizeof buf), 0);
    assert_string_equal(buf, "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_straight_approach_is_v2_equals_2as_over_the_run),
        cmocka_unit_test(test_corner_caps_then_the_vehicle_accelerates_again),
        cmocka_unit_test(test_chain_of_corners_keeps_only_the_last_run_up),
        cmocka_unit_test(test_blocking_barrier_can_be_hit_but_not_passed),
        cmocka_unit_test(test_a_way_narrower_than_the_vehicle_is_not_used),
        cmocka_unit_test(test_slope_helps_downhill_and_hinders_uphill),
        cmocka_unit_test(test_search_equals_brute_force_on_random_graphs),
        cmocka_unit_test(test_speed_along_an_edge_is_v2_equals_2as_and_passes_a_bend_unclipped),
        cmocka_unit_test(test_speed_at_a_point_equals_cutting_the_edge_there),
        cmocka_unit_test(test_rating_rounds_up_to_the_standard_test_speeds),
        cmocka_unit_test(test_graph_keeps_every_edge_across_its_blocks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
