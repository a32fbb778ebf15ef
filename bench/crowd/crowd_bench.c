/* bench/crowd: simulated seconds per wall-clock second of the crowd
 * simulation (collision-free speed model, lib/crowd/sim.c) for n agents on a
 * square of side m metres with a 10 m exit in the middle of each side.
 *
 *   crowd_bench N SIDE_M SIM_S
 *
 * Places N agents at random (seed 1, 0.1 m free between bodies), walks them
 * 2 s to warm up, then times SIM_S simulated seconds (wall clock, monotonic).
 * Prints "agents N threads T setup_s S warm_agents A sim_s X wall_s W
 * ratio R" where R = X / W (above 1: faster than real time). The number of
 * threads is the OpenMP runtime's (OMP_NUM_THREADS).
 * SPDX-License-Identifier: EUPL-1.2 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "agora/crowd_sim.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: crowd_bench N SIDE_M SIM_S\n");
        return 2;
    }
    size_t n = (size_t)strtoul(argv[1], NULL, 10);
    double side = atof(argv[2]), sim_s = atof(argv[3]);
    double h = side / 2, e = 5;
    struct ag_xy pts[] = {{0, 0}, {side, 0}, {side, side}, {0, side}, {0, 0}};
    struct ag_crowd_ring ring = {pts, 5};
    struct ag_crowd_exit ex[4] = {
        {{h - e, 0}, {h + e, 0}, 2 * e, false, NULL},
        {{side, h - e}, {side, h + e}, 2 * e, false, NULL},
        {{h + e, side}, {h - e, side}, 2 * e, false, NULL},
        {{0, h + e}, {0, h - e}, 2 * e, false, NULL},
    };
    struct ag_crowd_geom g = {&ring, 1, NULL, 0, ex, 4};
    struct ag_error err = {0};
    double t0 = now();
    struct ag_crowd_sim *sim;
    if (ag_crowd_sim_new(&g, NULL, &sim, &err)) {
        fprintf(stderr, "crowd_bench: %s\n", err.msg);
        return 1;
    }
    struct ag_crowd_population pop = {0};
    pop.n = n;
    pop.min_gap_m = 0.1;
    pop.wall_gap_m = 0.1;
    pop.exit = AG_CROWD_EXIT_NEAREST;
    pop.seed = 1;
    if (ag_crowd_sim_populate(sim, &pop, &err)) {
        fprintf(stderr, "crowd_bench: %s\n", err.msg);
        return 1;
    }
    double setup = now() - t0;
    while (ag_crowd_sim_time(sim) < 2.0 - 1e-9)
        ag_crowd_sim_step(sim);
    size_t warm = ag_crowd_sim_remaining(sim);
    double s0 = ag_crowd_sim_time(sim), w0 = now();
    while (ag_crowd_sim_time(sim) < s0 + sim_s - 1e-9)
        ag_crowd_sim_step(sim);
    double wall = now() - w0, simd = ag_crowd_sim_time(sim) - s0;
    printf("agents %zu threads %d setup_s %.2f warm_agents %zu end_agents %zu sim_s %.1f "
           "wall_s %.3f ratio %.2f\n",
           n, ag_crowd_sim_max_threads(), setup, warm, ag_crowd_sim_remaining(sim), simd, wall,
           simd / wall);
    ag_crowd_sim_free(sim);
    return 0;
}
