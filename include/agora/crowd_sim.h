/* agora — crowd safety, tier 3: a pedestrian agent simulation on the
 * walkable area of a space (struct ag_crowd_geom, crowd.h).
 *
 * Navigation: a floor field per exit and one for the nearest exit, the
 * walking distance to the exit solved on a grid by fast marching (Sethian
 * 1996, first-order upwind eikonal), with a travel cost that rises near
 * walls so that routes keep their distance from them; by default made
 * congestion-aware (struct ag_crowd_dyn_params): the delay that slow,
 * dense crowds add is solved again every 2 s on a coarse grid, and agents
 * take the quickest path rather than the shortest.
 *
 * Motion: the collision-free speed model (Tordeux, Chraibi & Seyfried 2016,
 * "Collision-free speed model for pedestrian dynamics", Traffic and
 * Granular Flow '15, arXiv:1512.05597): each agent walks in the direction
 * e_i = normalise(e0_i + sum_j R(s_ij) n_ij + walls), R(s) = a exp((l - s)/D),
 * at the speed v_i = min(v0_i, max(0, (s_i - l)/T)), s_i the distance to the
 * nearest agent ahead, integrated by explicit Euler with a Jacobi update
 * (every new position from the old state), so a run is identical bit for
 * bit whatever the number of OpenMP threads.
 *
 * Methodology, parameters and their sources: docs/methodology.md, "Crowd
 * simulation". Everything in metres, seconds, m/s.
 * SPDX-License-Identifier: EUPL-1.2 */
#ifndef AGORA_CROWD_SIM_H
#define AGORA_CROWD_SIM_H

#include <stdint.h>
#include <stdio.h>

#include "agora/base.h"
#include "agora/crowd.h"
#include "agora/rng.h"
#include "agora/geo.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- floor field ---- */

struct ag_crowd_nav;

struct ag_crowd_nav_params {
    double cell_m;      /* grid cell edge, 0.05..1 (default 0.1) */
    double clearance_m; /* travel cost rises within this distance of a
                           wall (default 0.4) */
    double wall_speed;  /* relative speed right at a wall, 0 < f <= 1
                           (default 0.25): the field's speed is
                           f + (1 - f) min(1, d_wall / clearance_m) */
};

void ag_crowd_nav_defaults(struct ag_crowd_nav_params *p);

/* Grids the walkable area of g (cell centres inside an outer ring and
 * outside every hole), opens the wall where each exit is, and solves the
 * floor field to the nearest exit. Per-exit fields are solved on first use.
 * The geometry is copied; g may be freed afterwards. AG_EINVAL for bad
 * parameters or a geometry without exits, AG_EGEOM when an exit touches no
 * walkable cell, AG_ELIMIT for a grid above 64 million cells, AG_ENOMEM. */
int ag_crowd_nav_new(const struct ag_crowd_geom *g, const struct ag_crowd_nav_params *p,
                     struct ag_crowd_nav **out, struct ag_error *err);
void ag_crowd_nav_free(struct ag_crowd_nav *nav);

/* Solves the field of exit k now (ag_crowd_nav_new solves only the
 * nearest-exit field). Idempotent. */
int ag_crowd_nav_prepare_exit(struct ag_crowd_nav *nav, size_t k, struct ag_error *err);

/* The field's value at p (bilinear over walkable cells): the cost-weighted
 * walking distance in metres to exit k, or to the nearest exit when k < 0.
 * It equals the walking distance where no wall is within clearance_m and is
 * larger near walls. INFINITY where p is not walkable or the exit is not
 * reachable from p (or its field is not prepared). */
double ag_crowd_nav_cost(const struct ag_crowd_nav *nav, int k, struct ag_xy p);
/* Unit desired direction at p towards exit k (k < 0: the nearest), from the
 * field's descent directions interpolated bilinearly. Returns false (and
 * *dir = 0,0) where there is none. */
bool ag_crowd_nav_direction(const struct ag_crowd_nav *nav, int k, struct ag_xy p,
                            struct ag_xy *dir);
/* Whether the grid cell holding p is walkable. */
bool ag_crowd_nav_walkable(const struct ag_crowd_nav *nav, struct ag_xy p);
/* Exact distance from p to the nearest wall (ring edges with the exit
 * openings cut out), capped at cap_m. */
double ag_crowd_nav_wall_distance(const struct ag_crowd_nav *nav, struct ag_xy p, double cap_m);

/* ---- random numbers and distributions (deterministic, seeded) ---- */

/* Draws come from agora/rng.h (xoshiro256**, seeded). */

enum ag_crowd_dist_kind {
    AG_CROWD_DIST_FIXED,   /* always a */
    AG_CROWD_DIST_UNIFORM, /* uniform in [a, b] */
    AG_CROWD_DIST_NORMAL   /* mean a, sd b, redrawn outside [lo, hi] */
};

struct ag_crowd_dist {
    enum ag_crowd_dist_kind kind;
    double a, b;
    double lo, hi; /* NORMAL only: truncation bounds (lo < hi) */
};

double ag_crowd_dist_draw(const struct ag_crowd_dist *d, struct ag_rng *r);

/* A share of the population with its own desired-speed distribution. */
struct ag_crowd_speed_group {
    const char *name;
    double share; /* relative weight; the shares need not sum to 1 */
    struct ag_crowd_dist speed_ms;
};

/* Free walking speed of adults, Weidmann (1993), "Transporttechnik der
 * Fussgaenger", IVT Schriftenreihe 90, ETH Zuerich: mean 1.34 m/s, sd
 * 0.26 m/s; truncated here to [0.5, 2.0] m/s (our choice). */
extern const struct ag_crowd_speed_group ag_crowd_speed_weidmann;
/* The four groups of RiMEA 3.0 test 7 (walking speeds after Weidmann by
 * age: under 30, 30 to 50, over 50, mobility impaired) with the table's
 * minimum and maximum, drawn uniformly between them; equal shares. See
 * docs/methodology.md for the provenance of the figures. */
extern const struct ag_crowd_speed_group ag_crowd_speed_rimea7[4];

/* ---- simulation ---- */

struct ag_crowd_sim;

/* The congestion-aware floor field (docs/methodology.md §16.2,
 * "Congestion"): every period_s the travel time to the exits is solved
 * again on a coarse grid with the walking speed lowered where the crowd is
 * dense and slow, and agents descend the floor field plus the delay that
 * congestion adds: the quickest path rather than the shortest (Hughes
 * 2002; Kretz 2009; Hartmann 2010; Kretz et al. 2011). The relative speed
 * of a coarse cell is 1 - w (1 - u), w = (rho - free_density_pm2) /
 * (pace_density_pm2 - free_density_pm2) clamped to [0, 1], rho the density
 * and u the mean pace (progress towards the exit over the desired speed)
 * of the people within 5 x 5 coarse cells, never below min_speed. */
struct ag_crowd_dyn_params {
    bool on;                 /* default true; false: the static floor field alone */
    double period_s;         /* solved again every so often (default 2 s) */
    double cell_m;           /* coarse cell, rounded to whole floor-field cells
                                (default 0.5 m) */
    double free_density_pm2; /* below this density people are no obstacle
                                (default 0.5 persons/m²) */
    double pace_density_pm2; /* from this density on, one walks at the
                                crowd's pace (default 3 persons/m²) */
    double min_speed;        /* the relative speed never below this, 0 < s <= 1
                                (default 0.1) */
};

struct ag_crowd_sim_params {
    struct ag_crowd_nav_params nav;
    struct ag_crowd_dyn_params dyn;
    double dt_s;            /* time step (default 0.05 s) */
    double time_gap_s;      /* T (default 1 s) */
    double rep_a;           /* neighbour repulsion strength a (default 5) */
    double rep_d_m;         /* neighbour repulsion range D (default 0.1 m) */
    double wall_a;          /* wall repulsion strength (default 1, calibrated
                               on the Juelich bottleneck, docs/validation.md) */
    double wall_d_m;        /* wall repulsion range (default 0.05 m) */
    double neighbour_cut_m; /* neighbours farther than this are ignored
                               (default 2 m: above l + v0 T) */
    int threads;            /* OpenMP threads; 0: the runtime's default */
    double choice_period_s; /* route choice: re-evaluated every so often
                               (default 2 s) */
    double exit_flow_ps_m;  /* route choice: assumed exit capacity, persons
                               per metre width per second (default 1.3) */
    bool periodic_x;        /* a corridor periodic along x (default false):
                               the geometry is one outer ring without exits,
                               its extent in x [x_lo, x_hi] is the period;
                               its edges on x = x_lo and x = x_hi are open;
                               an agent stepping past x_hi re-enters at x_lo
                               (and back) with the same y and heading; the
                               neighbour terms and the speed rule see across
                               the seam; the desired direction is +x
                               everywhere; agents never leave (step, or run
                               to a time limit). The period must be at least
                               3 neighbour_cut_m. Fundamental diagrams
                               (RiMEA test 4, single file). */
};

void ag_crowd_sim_defaults(struct ag_crowd_sim_params *p);

/* Route of an agent. */
enum {
    AG_CROWD_EXIT_NEAREST = -1, /* follow the nearest-exit field (with the
                                   congestion-aware field: the quickest exit) */
    AG_CROWD_EXIT_CHOICE = -2   /* choose the exit with the least estimated
                                   time: distance / v0 + queue / capacity */
};

struct ag_crowd_agent_spec {
    struct ag_xy pos;
    double v0_ms;     /* desired (free) speed */
    double length_m;  /* l: the agent's diameter (default 0.3 if <= 0) */
    double premove_s; /* starts walking at this time */
    int exit;         /* >= 0: assigned exit, or AG_CROWD_EXIT_* */
};

/* Creates a simulation on g (copied). p may be NULL for the defaults. */
int ag_crowd_sim_new(const struct ag_crowd_geom *g, const struct ag_crowd_sim_params *p,
                     struct ag_crowd_sim **out, struct ag_error *err);
void ag_crowd_sim_free(struct ag_crowd_sim *sim);
const struct ag_crowd_nav *ag_crowd_sim_nav(const struct ag_crowd_sim *sim);

/* Adds agents (ids continue from the agents already there, from 1). Every
 * position must be on a walkable cell (AG_EINVAL naming the agent); v0 in
 * (0, 5] m/s. Solves the per-exit fields the agents need. */
int ag_crowd_sim_add(struct ag_crowd_sim *sim, const struct ag_crowd_agent_spec *a, size_t n,
                     struct ag_error *err);

/* A population to place at random. */
struct ag_crowd_population {
    size_t n;
    struct ag_xy lo, hi;                       /* placement box, intersected with the walkable
                                                  area; lo == hi: the whole area */
    const struct ag_crowd_speed_group *groups; /* NULL: Weidmann */
    size_t ngroups;
    struct ag_crowd_dist premove_s; /* premovement time */
    double length_m;                /* diameter (default 0.3 if <= 0) */
    double min_gap_m;               /* free space between bodies at placement (>= 0) */
    double wall_gap_m;              /* free space between bodies and walls (>= 0) */
    int exit;                       /* as in ag_crowd_agent_spec */
    uint64_t seed;
};

/* Places pop->n agents uniformly at random (random sequential addition,
 * without overlap), each with a group drawn by share, a speed from its
 * group and a premovement time, all from one stream seeded by pop->seed, so
 * the same seed gives the same agents. AG_ELIMIT when the area is too full
 * to place them all (message says how many fitted). The group index of
 * each agent is kept (ag_crowd_agent_info.group). */
int ag_crowd_sim_populate(struct ag_crowd_sim *sim, const struct ag_crowd_population *pop,
                          struct ag_error *err);

/* A line (a-b) through which the flow is measured: every crossing of an
 * agent is recorded with its time and direction. Returns the line's index
 * (>= 0) or a negative error. Add lines before the first step. */
int ag_crowd_sim_add_line(struct ag_crowd_sim *sim, struct ag_xy a, struct ag_xy b);

struct ag_crowd_crossing {
    double t_s;
    uint32_t id;
    int8_t sign; /* +1 when crossing from the left of a->b to its right */
};

/* Crossings of line `line`, in time order (borrowed; valid until the next
 * step). */
const struct ag_crowd_crossing *ag_crowd_sim_crossings(const struct ag_crowd_sim *sim, size_t line,
                                                       size_t *n);

/* Accumulates a time-averaged density map on a grid of cell_m from t0_s to
 * t1_s (each step in that window adds dt). Call before stepping. */
int ag_crowd_sim_density_enable(struct ag_crowd_sim *sim, double cell_m, double t0_s, double t1_s);

struct ag_crowd_grid {
    double x0, y0; /* lower-left corner */
    double cell_m;
    size_t nx, ny;
    double *v; /* nx * ny, row-major from y0: v[iy * nx + ix] */
};
void ag_crowd_grid_free(struct ag_crowd_grid *g);

/* The time-averaged density (persons/m²) over the window so far. The grid
 * is the caller's (ag_crowd_grid_free). AG_EEMPTY when not enabled or no
 * time accumulated. */
int ag_crowd_sim_density(const struct ag_crowd_sim *sim, struct ag_crowd_grid *out);

/* Writes trajectories while the simulation runs, in the plain text format
 * PedPy's load_trajectory_from_txt reads: comment lines with the frame
 * rate ("# framerate: 10.00 fps") and the unit ("x/m"), then one line
 * "id frame x y z" per agent on the area per frame. fps must divide 1/dt
 * into whole steps (a frame every round(1/(fps dt)) steps; the header
 * gives the rate that results). f stays the caller's. */
int ag_crowd_sim_trajectories(struct ag_crowd_sim *sim, FILE *f, double fps);

/* Advances one time step. */
int ag_crowd_sim_step(struct ag_crowd_sim *sim);
/* Steps until every agent is out or t_max_s is reached. Returns 0 when
 * everybody is out, AG_ELIMIT when the time ran out first. */
int ag_crowd_sim_run(struct ag_crowd_sim *sim, double t_max_s);

double ag_crowd_sim_time(const struct ag_crowd_sim *sim);
size_t ag_crowd_sim_agents(const struct ag_crowd_sim *sim);
size_t ag_crowd_sim_remaining(const struct ag_crowd_sim *sim);
/* People out through exit k (k < 0: through all). */
size_t ag_crowd_sim_out(const struct ag_crowd_sim *sim, int k);

enum ag_crowd_agent_state {
    AG_CROWD_WAITING, /* before its premovement time */
    AG_CROWD_WALKING,
    AG_CROWD_OUT
};

struct ag_crowd_agent_info {
    uint32_t id;
    enum ag_crowd_agent_state state;
    struct ag_xy pos;     /* last position (where it left, when out) */
    struct ag_xy heading; /* unit vector */
    double speed_ms;      /* speed in the last step */
    double v0_ms, length_m, premove_s;
    double start_s;  /* first step with a displacement; NAN before */
    double out_s;    /* time it crossed its exit; NAN before */
    double walked_m; /* path length so far */
    int exit_out;    /* exit it left by, -1 before */
    int target;      /* its route (ag_crowd_agent_spec.exit, or the
                        exit chosen so far under route choice) */
    int group;       /* population group, -1 for ag_crowd_sim_add */
};

/* Agent i, 0 <= i < ag_crowd_sim_agents() (ids are i + 1). */
int ag_crowd_sim_agent(const struct ag_crowd_sim *sim, size_t i, struct ag_crowd_agent_info *out);

/* The evacuation curve: the exit times of everybody out, ascending
 * (borrowed; *n of them; valid until the next step). */
const double *ag_crowd_sim_exit_times(const struct ag_crowd_sim *sim, size_t *n);

/* Writes the evacuation curve as CSV "time_s,people_out,exit" (one line per
 * person out), then nothing else. */
int ag_crowd_sim_write_curve(const struct ag_crowd_sim *sim, FILE *f);
/* Writes the crossings of a line as CSV "time_s,id,direction". */
int ag_crowd_sim_write_crossings(const struct ag_crowd_sim *sim, size_t line, FILE *f);
/* Writes a density grid as CSV "x_m,y_m,density_pm2" (cell centres,
 * cells with zero density left out). */
int ag_crowd_grid_write(const struct ag_crowd_grid *g, FILE *f);

/* Threads an OpenMP build would use with threads = 0; 1 without OpenMP. */
int ag_crowd_sim_max_threads(void);

#ifdef __cplusplus
}
#endif
#endif
