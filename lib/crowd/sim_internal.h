/* agora — crowd simulation internals shared by field.c and sim.c.
 * SPDX-License-Identifier: EUPL-1.2 */
#ifndef AGORA_CROWD_SIM_INTERNAL_H
#define AGORA_CROWD_SIM_INTERNAL_H

#include "agora/crowd_sim.h"

/* A wall: a ring edge, or what is left of it once the exits are cut out. */
struct ag__crowd_seg {
    struct ag_xy a, b;
};

/* One solved field: value (cost-weighted distance) and unit descent
 * direction per cell; float to halve the memory of large squares. The
 * direction is interleaved (dir[2i], dir[2i+1]) so that one lookup touches
 * one cache line per row, and is (0, 0) in obstacle and unreachable cells. */
struct ag__crowd_field {
    float *phi;
    float *dir;
};

struct ag__crowd_exit {
    struct ag_xy a, b;
    double width_m;
};

/* The coarse grid of the congestion-aware floor field (docs/methodology.md
 * §16.2, "Congestion"): cells of k x k floor-field cells; a coarse cell is
 * walkable when all its fine cells are, so the coarse grid never joins
 * what a wall parts. Per field slot (0 nearest exit, 1 + k exit k) the
 * travel time at the free speed (stat) and the delay of the congested one
 * over it (delta, NaN where the coarse front does not arrive). */
struct ag__crowd_coarse {
    size_t k;
    double x0, y0, h, inv_h;
    double pxmax, pymax; /* nx + 1, ny + 1: the padded grid's last centres */
    size_t nx, ny;
    uint8_t *walk;
    float *one;    /* speed 1 on every cell (the uncongested solve) */
    float *area;   /* walkable area of the fine cells in each cell, m² */
    double **stat; /* per slot, NULL until first needed */
    float **delta; /* per slot, NULL until first solved */
    float **grad;  /* per slot: the delay's gradient per cell, (x, y)
                      interleaved, 0 where there is no delay, on the grid
                      padded with one cell all round ((nx + 2) x (ny + 2));
                      what the agents read */
    float **gnext; /* per slot: the same, being solved; fresh[slot] 1 once
                      solved (swapped with grad by ..._coarse_commit), 2
                      when there is no delay at all (flat[slot] then) */
    uint8_t *fresh;
    uint8_t *flat; /* per slot: no delay anywhere (grad not read) */
    uint8_t *bad;  /* per slot: an exit of it reaches no coarse cell */
};

struct ag_crowd_nav {
    struct ag_crowd_nav_params p;
    /* grid */
    double x0, y0, h; /* lower-left corner of cell (0,0), cell edge */
    size_t nx, ny;
    uint8_t *walk; /* 1 walkable */
    float *speed;  /* field speed 0 < F <= 1 per walkable cell */
    /* walls, bucketed on a coarse grid for the queries of agents */
    struct ag__crowd_seg *seg;
    size_t nseg;
    double bx0, by0, bh;
    size_t bnx, bny;
    uint32_t *bstart; /* bnx * bny + 1 offsets into bidx */
    uint32_t *bidx;
    uint8_t *bfree; /* per bucket: no wall in it nor in the 8 around it */
    /* exits and fields: field[0] nearest exit, field[1 + k] exit k */
    struct ag__crowd_exit *exit;
    size_t nexit;
    struct ag__crowd_field *field;
    /* corridor periodic along x (ag_crowd_sim_params.periodic_x): the
     * ring's edges on x = pxlo and x = pxhi are no walls, there are no
     * exits and no fields, the desired direction is +x everywhere */
    bool periodic;
    double pxlo, pxhi;
    /* congestion-aware field (ag_crowd_sim_params.dyn), NULL when off */
    struct ag__crowd_coarse *coarse;
};

/* ag_crowd_nav_new, or with periodic_x the navigation of a corridor
 * periodic along x: g has one outer ring and no exits; the ring's bounding
 * box in x is the period. */
int ag__crowd_nav_new(const struct ag_crowd_geom *g, const struct ag_crowd_nav_params *p,
                      bool periodic_x, struct ag_crowd_nav **out, struct ag_error *err);

/* Calls fn for every wall segment whose bucket meets the box; stops when fn
 * returns non-zero and returns that. */
typedef int (*ag__crowd_seg_fn)(void *ud, const struct ag__crowd_seg *s);
int ag__crowd_nav_segs(const struct ag_crowd_nav *nav, double xlo, double ylo, double xhi,
                       double yhi, ag__crowd_seg_fn fn, void *ud);

/* Nearest wall point to p within cap_m: returns the distance (cap_m when
 * none) and the unit vector from the wall point to p in *n. */
double ag__crowd_nav_wall_normal(const struct ag_crowd_nav *nav, struct ag_xy p, double cap_m,
                                 struct ag_xy *n);

/* Whether the step p->q crosses (or ends on) a wall; the direction of
 * that wall in *wall_dir when not NULL. */
bool ag__crowd_nav_step_blocked(const struct ag_crowd_nav *nav, struct ag_xy p, struct ag_xy q,
                                struct ag_xy *wall_dir);

/* Sets up the coarse grid of the congestion-aware field, cells of about
 * cell_m (a whole number of floor-field cells, at least one). */
int ag__crowd_nav_coarse_init(struct ag_crowd_nav *nav, double cell_m);

/* Solves the congestion-aware field again for every slot s with used[s]
 * (0 nearest exit, 1 + k exit k; the fine field of the slot must be
 * solved): speed[c] is the relative walking speed in coarse cell c,
 * 0 < speed <= 1 (flat: it is 1 everywhere, and every slot has no delay
 * without a solve). Slots solved in parallel on up to `threads` threads
 * (each slot's result does not depend on them). The agents see the new
 * gradients only after ag__crowd_nav_coarse_commit, so a solve can run
 * while they move. */
int ag__crowd_nav_coarse_update(struct ag_crowd_nav *nav, const float *speed, const uint8_t *used,
                                bool flat, int threads);
/* Makes the gradients solved since the last call the ones the agents
 * read. */
void ag__crowd_nav_coarse_commit(struct ag_crowd_nav *nav);

/* The gradient at p of the delay that congestion adds on the way to exit
 * k (k < 0 the nearest), bilinear over the four coarse cell centres
 * around p, in *g; false (and *g unset) where there is none: the field is
 * not congestion-aware, the slot not solved (yet), or the gradient 0. The
 * desired direction on the congestion-aware field is then
 * normalise(d / F - g), d the floor field's unit direction and F its
 * speed at p (ag__crowd_nav_speed_at): -grad(phi + delay). */
bool ag__crowd_nav_delay_grad(const struct ag_crowd_nav *nav, int k, struct ag_xy p,
                              struct ag_xy *g);

/* The floor field's speed F at p (1 beyond the wall clearance; its
 * gradient has the magnitude 1 / F): from wall_d, the distance from p to
 * the nearest wall when below wall_cap (else wall_cap or more), when that
 * reaches the clearance, else from the cell holding p. */
double ag__crowd_nav_speed_at(const struct ag_crowd_nav *nav, struct ag_xy p, double wall_d,
                              double wall_cap);

/* A hint to the cache: the cells of field k (-1 nearest exit) that
 * ag_crowd_nav_direction at p will read; no effect on any result. */
void ag__crowd_nav_prefetch(const struct ag_crowd_nav *nav, int k, struct ag_xy p);

/* ag_crowd_sim_add with the population group of each agent. */
int ag__crowd_sim_add_grouped(struct ag_crowd_sim *s, const struct ag_crowd_agent_spec *a,
                              const int *groups, size_t n, struct ag_error *err);

#endif
