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
    /* exits and fields: field[0] nearest exit, field[1 + k] exit k */
    struct ag__crowd_exit *exit;
    size_t nexit;
    struct ag__crowd_field *field;
    /* corridor periodic along x (ag_crowd_sim_params.periodic_x): the
     * ring's edges on x = pxlo and x = pxhi are no walls, there are no
     * exits and no fields, the desired direction is +x everywhere */
    bool periodic;
    double pxlo, pxhi;
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

/* A hint to the cache: the cells of field k (-1 nearest exit) that
 * ag_crowd_nav_direction at p will read; no effect on any result. */
void ag__crowd_nav_prefetch(const struct ag_crowd_nav *nav, int k, struct ag_xy p);

/* ag_crowd_sim_add with the population group of each agent. */
int ag__crowd_sim_add_grouped(struct ag_crowd_sim *s, const struct ag_crowd_agent_spec *a,
                              const int *groups, size_t n, struct ag_error *err);

#endif
