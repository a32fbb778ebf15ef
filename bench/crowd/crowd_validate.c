/* The Juelich experiments of tests/data/crowd/ simulated with agora on the
 * same geometry, measured the same way as bench/crowd/measured.py measures
 * the trajectories (docs/validation.md). Prints one "key value" per line.
 *
 *   crowd_validate [bottleneck|corridor|door|all] [key=value ...]
 *
 * key=value overrides a model parameter for calibration runs: T, a, D, l,
 * aw, Dw, dt.
 * SPDX-License-Identifier: EUPL-1.2 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agora/crowd_sim.h"

static struct ag_crowd_sim_params P;
static double L = 0.3; /* agent diameter */
static unsigned nseeds = 5;

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static struct ag_crowd_exit exit_of(double ax, double ay, double bx, double by)
{
    struct ag_crowd_exit e = {{ax, ay}, {bx, by}, 0, false, NULL};
    e.width_m = hypot(bx - ax, by - ay);
    return e;
}

/* Counts agents in a box and sums their speeds. */
static void box_stats(const struct ag_crowd_sim *sim, double x0, double y0, double x1, double y1,
                      double *n, double *vsum)
{
    *n = 0;
    *vsum = 0;
    size_t na = ag_crowd_sim_agents(sim);
    for (size_t i = 0; i < na; i++) {
        struct ag_crowd_agent_info a;
        ag_crowd_sim_agent(sim, i, &a);
        if (a.state != AG_CROWD_WALKING)
            continue;
        if (a.pos.x >= x0 && a.pos.x <= x1 && a.pos.y >= y0 && a.pos.y <= y1) {
            *n += 1;
            *vsum += a.speed_ms;
        }
    }
}

/* Bottleneck 040_c_56_h-: a room x in [-3.5, 3.5], y in [0, 8], a gap 0.5 m
 * wide and 1.1 m long below y = 0; 75 people standing where the experiment's
 * started (x in [-2.6, 2.2], y in [0.1, 6]). */
static void bottleneck(uint64_t seed, double *flow, double *dens, double *tlast)
{
    struct ag_xy pts[] = {{-3.5, 0}, {-0.25, 0}, {-0.25, -1.1}, {0.25, -1.1}, {0.25, 0},
                          {3.5, 0},  {3.5, 8},   {-3.5, 8},     {-3.5, 0}};
    struct ag_crowd_ring ring = {pts, sizeof pts / sizeof pts[0]};
    struct ag_crowd_exit ex = exit_of(-0.25, -1.1, 0.25, -1.1);
    struct ag_crowd_geom g = {&ring, 1, NULL, 0, &ex, 1};
    struct ag_crowd_sim *sim;
    struct ag_error err = {0};
    if (ag_crowd_sim_new(&g, &P, &sim, &err)) {
        fprintf(stderr, "bottleneck: %s\n", err.msg);
        exit(1);
    }
    int line = ag_crowd_sim_add_line(sim, (struct ag_xy){-0.4, 0}, (struct ag_xy){0.4, 0});
    struct ag_crowd_population pop = {0};
    pop.n = 75;
    pop.lo = (struct ag_xy){-2.6, 0.1};
    pop.hi = (struct ag_xy){2.2, 6.0};
    pop.length_m = L;
    pop.exit = AG_CROWD_EXIT_NEAREST;
    pop.seed = seed;
    if (ag_crowd_sim_populate(sim, &pop, &err)) {
        fprintf(stderr, "bottleneck: %s\n", err.msg);
        exit(1);
    }
    /* density in front of the gap, sampled every step; kept per step so the
     * window between the 10th and the 10th-last crossing can be cut later */
    size_t cap = 20000, ns = 0;
    double *dn = malloc(cap * sizeof *dn), *dt = malloc(cap * sizeof *dt);
    while (ag_crowd_sim_remaining(sim) > 0 && ag_crowd_sim_time(sim) < 300 && ns < cap) {
        ag_crowd_sim_step(sim);
        double n, v;
        box_stats(sim, -0.4, 0.5, 0.4, 1.3, &n, &v);
        dn[ns] = n / 0.64;
        dt[ns++] = ag_crowd_sim_time(sim);
    }
    size_t nc;
    const struct ag_crowd_crossing *c = ag_crowd_sim_crossings(sim, (size_t)line, &nc);
    double *t = malloc((nc + 1) * sizeof *t);
    size_t m = 0;
    for (size_t k = 0; k < nc; k++)
        if (c[k].sign != 0)
            t[m++] = c[k].t_s;
    qsort(t, m, sizeof *t, cmp_d);
    *flow = m > 1 ? (double)(m - 1) / (t[m - 1] - t[0]) : NAN;
    double s = 0;
    size_t q = 0;
    for (size_t k = 0; k < ns && m > 20; k++)
        if (dt[k] >= t[9] && dt[k] <= t[m - 10]) {
            s += dn[k];
            q++;
        }
    *dens = q ? s / (double)q : NAN;
    *tlast = m ? t[m - 1] : NAN;
    free(t);
    free(dn);
    free(dt);
    ag_crowd_sim_free(sim);
}

/* Corridor uo-BBB-180-180: a holding area above y = 8, an entrance of width
 * b centred on the corridor at y = 8, the wider part x in [-1, 2.8] for y in
 * [4, 8], the corridor x in [0, 1.8] for y in [-4, 4], the wider part again
 * for y in [-6.5, -4] with the exit across its end. n people in the holding
 * area. Flow through y = 0 and density/speed in x in [0, 1.8], y in [-2, 0]
 * over the middle of the passage (from the 10 % to the 90 % crossing). */
static void corridor(double b, size_t n, uint64_t seed, double *flow, double *dens, double *speed)
{
    double c = 0.9, h = b / 2;
    struct ag_xy pts[] = {{-1, -6.5}, {2.8, -6.5}, {2.8, -4},  {1.8, -4}, {1.8, 4},
                          {2.8, 4},   {2.8, 8},    {c + h, 8}, {6, 8},    {6, 16},
                          {-4.2, 16}, {-4.2, 8},   {c - h, 8}, {-1, 8},   {-1, 4},
                          {0, 4},     {0, -4},     {-1, -4},   {-1, -6.5}};
    size_t np = sizeof pts / sizeof pts[0];
    /* with b = 1.8 the entrance is as wide as the corridor's wider part
     * minus 2 m: keep the vertices distinct */
    struct ag_crowd_ring ring = {pts, np};
    struct ag_crowd_exit ex = exit_of(-1, -6.5, 2.8, -6.5);
    struct ag_crowd_geom g = {&ring, 1, NULL, 0, &ex, 1};
    struct ag_crowd_sim *sim;
    struct ag_error err = {0};
    if (ag_crowd_sim_new(&g, &P, &sim, &err)) {
        fprintf(stderr, "corridor: %s\n", err.msg);
        exit(1);
    }
    int line = ag_crowd_sim_add_line(sim, (struct ag_xy){0, 0}, (struct ag_xy){1.8, 0});
    struct ag_crowd_population pop = {0};
    pop.n = n;
    pop.lo = (struct ag_xy){-4.2, 8.3};
    pop.hi = (struct ag_xy){6, 16};
    pop.length_m = L;
    pop.exit = AG_CROWD_EXIT_NEAREST;
    pop.seed = seed;
    if (ag_crowd_sim_populate(sim, &pop, &err)) {
        fprintf(stderr, "corridor: %s\n", err.msg);
        exit(1);
    }
    size_t cap = 20000, ns = 0;
    double *dn = malloc(cap * sizeof *dn), *dv = malloc(cap * sizeof *dv),
           *dt = malloc(cap * sizeof *dt);
    while (ag_crowd_sim_remaining(sim) > 0 && ag_crowd_sim_time(sim) < 600 && ns < cap) {
        ag_crowd_sim_step(sim);
        double k, v;
        box_stats(sim, 0, -2, 1.8, 0, &k, &v);
        dn[ns] = k;
        dv[ns] = v;
        dt[ns++] = ag_crowd_sim_time(sim);
    }
    size_t nc;
    const struct ag_crowd_crossing *cr = ag_crowd_sim_crossings(sim, (size_t)line, &nc);
    double *t = malloc((nc + 1) * sizeof *t);
    size_t m = 0;
    for (size_t k = 0; k < nc; k++)
        t[m++] = cr[k].t_s;
    qsort(t, m, sizeof *t, cmp_d);
    size_t a = m / 10, z = m - 1 - m / 10;
    *flow = (double)(z - a) / (t[z] - t[a]);
    double sn = 0, sv = 0, q = 0;
    for (size_t k = 0; k < ns; k++)
        if (dt[k] >= t[a] && dt[k] <= t[z]) {
            sn += dn[k];
            sv += dv[k];
            q++;
        }
    *dens = sn / q / 3.6;
    *speed = sn > 0 ? sv / sn : NAN;
    free(t);
    free(dn);
    free(dv);
    free(dt);
    ag_crowd_sim_free(sim);
}

/* Door in a thin wall: a room x in [-5, 5], y in [0, 8], a door of width b
 * centred in the wall y = 0 (the exit is the opening itself, the wall has no
 * thickness), n people placed in x in [-4.5, 4.5], y in [1, 7.5]. Flow
 * through the door line y = 0 between the 10 % and the 90 % crossing
 * (the steady part), as (count - 1) / time. */
static void door(double b, size_t n, uint64_t seed, double *flow, double *tlast)
{
    double h = b / 2;
    struct ag_xy pts[] = {{-5, 0}, {-h, 0}, {h, 0}, {5, 0}, {5, 8}, {-5, 8}, {-5, 0}};
    struct ag_crowd_ring ring = {pts, sizeof pts / sizeof pts[0]};
    struct ag_crowd_exit ex = exit_of(-h, 0, h, 0);
    struct ag_crowd_geom g = {&ring, 1, NULL, 0, &ex, 1};
    struct ag_crowd_sim *sim;
    struct ag_error err = {0};
    if (ag_crowd_sim_new(&g, &P, &sim, &err)) {
        fprintf(stderr, "door: %s\n", err.msg);
        exit(1);
    }
    int line = ag_crowd_sim_add_line(sim, (struct ag_xy){-h - 0.5, 0}, (struct ag_xy){h + 0.5, 0});
    struct ag_crowd_population pop = {0};
    pop.n = n;
    pop.lo = (struct ag_xy){-4.5, 1};
    pop.hi = (struct ag_xy){4.5, 7.5};
    pop.length_m = L;
    pop.exit = AG_CROWD_EXIT_NEAREST;
    pop.seed = seed;
    if (ag_crowd_sim_populate(sim, &pop, &err)) {
        fprintf(stderr, "door: %s\n", err.msg);
        exit(1);
    }
    ag_crowd_sim_run(sim, 600);
    size_t nc;
    const struct ag_crowd_crossing *cr = ag_crowd_sim_crossings(sim, (size_t)line, &nc);
    double *t = malloc((nc + 1) * sizeof *t);
    size_t m = 0;
    for (size_t k = 0; k < nc; k++)
        if (cr[k].sign > 0)
            t[m++] = cr[k].t_s;
    qsort(t, m, sizeof *t, cmp_d);
    size_t a = m / 10, z = m - 1 - m / 10;
    *flow = m > 10 ? (double)(z - a) / (t[z] - t[a]) : NAN;
    *tlast = m ? t[m - 1] : NAN;
    free(t);
    ag_crowd_sim_free(sim);
}

static void report(const char *key, const double *v, unsigned n)
{
    double m = 0, s = 0;
    for (unsigned i = 0; i < n; i++)
        m += v[i];
    m /= n;
    for (unsigned i = 0; i < n; i++)
        s += (v[i] - m) * (v[i] - m);
    s = n > 1 ? sqrt(s / (n - 1)) : 0;
    printf("%s %.3f sd %.3f\n", key, m, s);
}

int main(int argc, char **argv)
{
    ag_crowd_sim_defaults(&P);
    const char *what = "all";
    for (int i = 1; i < argc; i++) {
        char *eq = strchr(argv[i], '=');
        if (!eq) {
            what = argv[i];
            continue;
        }
        double v = atof(eq + 1);
        if (!strncmp(argv[i], "T=", 2))
            P.time_gap_s = v;
        else if (!strncmp(argv[i], "a=", 2))
            P.rep_a = v;
        else if (!strncmp(argv[i], "D=", 2))
            P.rep_d_m = v;
        else if (!strncmp(argv[i], "l=", 2))
            L = v;
        else if (!strncmp(argv[i], "aw=", 3))
            P.wall_a = v;
        else if (!strncmp(argv[i], "Dw=", 3))
            P.wall_d_m = v;
        else if (!strncmp(argv[i], "dt=", 3))
            P.dt_s = v;
        else if (!strncmp(argv[i], "seeds=", 6))
            nseeds = (unsigned)atoi(eq + 1);
    }
    double f[32] = {0}, d[32] = {0}, v[32] = {0};
    if (nseeds < 1 || nseeds > 32)
        nseeds = 5;
    if (!strcmp(what, "all") || !strcmp(what, "bottleneck")) {
        for (unsigned s = 0; s < nseeds; s++)
            bottleneck(100 + s, &f[s], &d[s], &v[s]);
        report("bottleneck_flow_ps", f, nseeds);
        report("bottleneck_density_front_pm2", d, nseeds);
        report("bottleneck_last_s", v, nseeds);
    }
    if (!strcmp(what, "all") || !strcmp(what, "corridor")) {
        for (unsigned s = 0; s < nseeds; s++)
            corridor(0.5, 61, 200 + s, &f[s], &d[s], &v[s]);
        report("corridor_050_flow_ps", f, nseeds);
        report("corridor_050_density_pm2", d, nseeds);
        report("corridor_050_speed_ms", v, nseeds);
        for (unsigned s = 0; s < nseeds; s++)
            corridor(1.8, 220, 300 + s, &f[s], &d[s], &v[s]);
        report("corridor_180_flow_ps", f, nseeds);
        report("corridor_180_density_pm2", d, nseeds);
        report("corridor_180_speed_ms", v, nseeds);
    }
    if (!strcmp(what, "all") || !strcmp(what, "door")) {
        static const double widths[] = {0.8, 1.0, 1.2, 2.0};
        for (size_t w = 0; w < sizeof widths / sizeof widths[0]; w++) {
            for (unsigned s = 0; s < nseeds; s++)
                door(widths[w], 150, 400 + s, &f[s], &v[s]);
            char key[64];
            snprintf(key, sizeof key, "door_%03d_flow_ps", (int)lround(widths[w] * 100));
            report(key, f, nseeds);
            for (unsigned s = 0; s < nseeds; s++)
                f[s] /= widths[w];
            snprintf(key, sizeof key, "door_%03d_specific_flow_psm", (int)lround(widths[w] * 100));
            report(key, f, nseeds);
            snprintf(key, sizeof key, "door_%03d_last_s", (int)lround(widths[w] * 100));
            report(key, v, nseeds);
        }
    }
    return 0;
}
