/* agora — crowd safety: the walkable area of a space and its exits, static
 * capacity (tier 1) and hydraulic egress (tier 2). The agent simulation
 * (tier 3) is in crowd_sim.h and works on the same geometry.
 *
 * Everything is in a local metric plane (metres, ag_xy): the caller projects
 * a space's outline, the buildings inside it and an event layout into it
 * (geo.h, ag_proj). Formulas and sources: docs/methodology.md, "Crowd
 * safety".
 * SPDX-License-Identifier: EUPL-1.2 */
#ifndef AGORA_CROWD_H
#define AGORA_CROWD_H

#include "agora/base.h"
#include "agora/geo.h"
#include "agora/model.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- geometry ---- */

/* A closed ring in the plane: pts[0] == pts[n - 1], n >= 4. */
struct ag_crowd_ring {
    struct ag_xy *pts;
    size_t n;
};

/* An exit: a segment a-b on (or across) the boundary of the walkable area,
 * with its clear width (usually |b - a|, less where the layout says so). */
struct ag_crowd_exit {
    struct ag_xy a, b;
    double width_m;
    bool stairs; /* the way out is a stair (lower flow rate) */
    char *name;  /* may be NULL */
};

/* The walkable area: outer rings (one per part) and holes (buildings,
 * stages, fences drawn as obstacles), with the exits. Zero-initialise;
 * ag_crowd_geom_free releases everything inside. */
struct ag_crowd_geom {
    struct ag_crowd_ring *outer;
    size_t nouter;
    struct ag_crowd_ring *holes;
    size_t nholes;
    struct ag_crowd_exit *exits;
    size_t nexits;
};

/* Frees every ring, exit name and array inside g (not g itself) and leaves
 * it zeroed; accepts NULL. */
void ag_crowd_geom_free(struct ag_crowd_geom *g);
/* Walkable area in m²: the sum of |area| of the outer rings minus the sum of
 * |area| of the holes, whatever their orientation (holes assumed inside and
 * disjoint, as ag_crowd_geom_check ensures). 0 for NULL. */
double ag_crowd_geom_area(const struct ag_crowd_geom *g);
/* Checks a geometry before any calculation. Rings: at least 4 finite
 * vertices, closed, non-zero area, simple (no edge meets another except its
 * neighbours at their shared vertex; repeated consecutive vertices are
 * tolerated). Rings may touch each other at points but not cross or share
 * a stretch of edge; every hole lies inside an outer ring, and no ring lies
 * inside another of its kind (a hole in a hole, an outer in an outer).
 * Exits: finite end points, width_m finite and > 0, the segment within
 * AG_CROWD_EXIT_TOL_M of an outer ring (touching or crossing it counts);
 * at least one exit. Returns AG_EGEOM for a bad ring or an exit away from
 * the boundary, AG_EINVAL for a bad width or no exit, with a message that
 * counts from 1 as ag_mpoly_validate does: "hole 2 is not inside any outer
 * ring", "outer ring 1 crosses itself: edge 3-4 meets edge 7-8 near
 * (12.50, 3.00)", "exit 3 (North gate) is 10.00 m from the outer boundary".
 * Brute force over pairs of edges: fine for the few thousand edges of a
 * square and its buildings. */
#define AG_CROWD_EXIT_TOL_M 0.5
int ag_crowd_geom_check(const struct ag_crowd_geom *g, struct ag_error *err);

/* ---- tier 1: static capacity ----
 * How many people the walkable area holds at each level of service (Fruin
 * 1971), at the planning density of UK event guidance, and how many can
 * leave through the exits in the allowed time (Green Guide rates of
 * passage); the capacity is the smaller of holding and egress capacity.
 * Sources and hand calculations: docs/methodology.md, "Crowd safety". */

enum ag_crowd_los { AG_LOS_A, AG_LOS_B, AG_LOS_C, AG_LOS_D, AG_LOS_E, AG_LOS_F, AG_LOS_COUNT };

/* Fruin's two tables. WALKWAY is for people moving (streets, passages,
 * circulation routes); QUEUING is for people standing or waiting (an
 * audience, a queue, a square during an event), and is the one that
 * applies to a space's holding capacity. */
enum ag_crowd_los_table { AG_LOS_WALKWAY, AG_LOS_QUEUING };

/* The smallest area per person (m²) still within level los: Fruin's lower
 * bound of the level, published in ft² and converted exactly (1 ft² =
 * 0.09290304 m²). Level F has no lower bound: 0. */
double ag_crowd_los_min_area_m2(enum ag_crowd_los_table t, enum ag_crowd_los los);
/* The level of a crowd at density_pm2 (persons/m²); boundaries belong to the
 * better level (35 ft² per person is walkway A). A for density <= 0. */
enum ag_crowd_los ag_crowd_los_of_density(enum ag_crowd_los_table t, double density_pm2);
/* "A" .. "F"; "?" out of range. */
const char *ag_crowd_los_name(enum ag_crowd_los los);

/* Densities in persons/m². PLANNING: HSE, The Event Safety Guide (HSG195)
 * and the councils' event guidance derived from it: 0.5 m² per person for a
 * standing crowd at an open-air event. TERRACE_MAX: Green Guide maximum for
 * standing terraces in good condition, 47 persons per 10 m² (Taylor Report
 * 1990, recommendation adopted by the Guide). PHYSICAL_MAX: jam density,
 * Weidmann (1993) 5.4 persons/m², which is Fruin's queuing LoS F bound of
 * 2 ft² per person (5.38 persons/m²) rounded. */
#define AG_CROWD_DENSITY_PLANNING_PM2 2.0
#define AG_CROWD_DENSITY_TERRACE_MAX_PM2 4.7
#define AG_CROWD_DENSITY_PHYSICAL_MAX_PM2 5.4

/* Green Guide rates of passage, persons per metre of exit width per minute:
 * 82 on the level, 66 on stairways. */
#define AG_CROWD_GG_FLOW_LEVEL_PMM 82.0
#define AG_CROWD_GG_FLOW_STAIRS_PMM 66.0
/* Allowed egress time: 8 minutes, the Green Guide's normal maximum egress
 * time, also the "medium risk" emergency evacuation time for open-air
 * events in the UK fire safety guide for open-air events (6 min higher
 * risk, 10 min lower risk). */
#define AG_CROWD_EGRESS_TIME_S 480.0

struct ag_crowd_capacity_params {
    double planning_density_pm2; /* holding capacity density */
    double max_density_pm2;      /* what physically fits; LoS F capacity */
    double flow_level_pmm;       /* persons / m / min through a level exit */
    double flow_stairs_pmm;      /* through an exit that is a stair */
    double egress_time_s;        /* allowed time to leave */
    bool discount_largest_exit;  /* assume the exit that carries most is blocked */
};

/* Fills p with the defaults above (discount_largest_exit = true). */
void ag_crowd_capacity_params_default(struct ag_crowd_capacity_params *p);

enum ag_crowd_limit { AG_CROWD_LIMIT_HOLDING, AG_CROWD_LIMIT_EGRESS };
/* "holding" or "egress". */
const char *ag_crowd_limit_name(enum ag_crowd_limit l);

/* Every count is whole persons, rounded down. */
struct ag_crowd_capacity {
    double area_m2;
    /* The most people the area holds without falling below level i: area /
     * the level's minimum area per person for A..E; area x max_density for
     * F (what physically fits). */
    double walkway_persons[AG_LOS_COUNT];
    double queuing_persons[AG_LOS_COUNT];
    double holding_persons;    /* area x planning density */
    double exit_width_m;       /* every exit */
    double exit_width_used_m;  /* the exits counted for egress */
    size_t discounted_exit;    /* 0-based index, or SIZE_MAX when none */
    double egress_persons;     /* sum over counted exits of width x rate x time */
    bool no_exit_left;         /* the only exit was discounted: egress capacity 0 */
    double capacity_persons;   /* min(holding, egress) */
    enum ag_crowd_limit limit; /* which of the two; HOLDING on a tie */
};

/* Tier 1 for geometry g (call ag_crowd_geom_check first: this re-checks
 * only what it uses: a positive area, at least one exit, widths > 0).
 * With discount_largest_exit the exit whose loss costs most egress capacity
 * (width x rate, so a wide stair may lose to a level gate) is left out,
 * lowest index on a tie; a space with a single exit then has egress
 * capacity 0, no_exit_left set and limit EGRESS: this is a result, not an
 * error. p NULL means the defaults. AG_EINVAL / AG_EGEOM with a message. */
int ag_crowd_capacity_assess(const struct ag_crowd_geom *g,
                             const struct ag_crowd_capacity_params *p,
                             struct ag_crowd_capacity *out, struct ag_error *err);

/* Whether `people` fit physically in area_m2 at max_density_pm2 (pass
 * AG_CROWD_DENSITY_PHYSICAL_MAX_PM2): 0 when they do, AG_EINVAL otherwise
 * with the numbers ("1200 people on 200.0 m² is 6.00 persons/m², above the
 * physical maximum of 5.40 persons/m²: at most 1080 fit"); AG_EINVAL too
 * for an area that is not finite and positive. */
int ag_crowd_people_check(double area_m2, size_t people, double max_density_pm2,
                          struct ag_error *err);

/* ---- tier 2: hydraulic egress (SFPE) ----
 * The hydraulic model of the SFPE Handbook (Nelson & Mowrer; Gwynne &
 * Rosenbaum, "Employing the hydraulic model in assessing emergency
 * movement", 5th ed. ch. 59): speed S = k (1 - a D) with a = 0.266 m² per
 * person, specific flow Fs = S D per metre of effective width, exits passing
 * at most Fs_max x We. */

#define AG_SFPE_A_M2 0.266      /* m² per person */
#define AG_SFPE_D_FREE_PM2 0.54 /* below: free walking at 0.85 k */
#define AG_SFPE_D_STOP_PM2 3.8  /* at or above: no movement */

/* Egress elements of the SFPE tables: level routes (corridor, aisle, ramp,
 * doorway) and four stairs by riser / tread in mm. */
enum ag_crowd_element {
    AG_ELEM_LEVEL,
    AG_ELEM_STAIR_191_254, /* 7.5 in / 10 in */
    AG_ELEM_STAIR_178_279, /* 7 in / 11 in */
    AG_ELEM_STAIR_165_305, /* 6.5 in / 12 in */
    AG_ELEM_STAIR_165_330, /* 6.5 in / 13 in */
    AG_ELEM_COUNT
};

/* k in m/s (1.40 level; 1.00, 1.08, 1.16, 1.23 stairs), NAN out of range. */
double ag_crowd_sfpe_k(enum ag_crowd_element e);
/* The handbook's maximum specific flow, persons/s per metre of effective
 * width (1.3 level; 0.94, 1.01, 1.09, 1.16 stairs), reached at D = 1 / (2a)
 * = 1.88 persons/m²; NAN out of range. */
double ag_crowd_sfpe_fs_max(enum ag_crowd_element e);
/* Speed in m/s along the line of travel at density_pm2: 0.85 k below 0.54
 * persons/m², k (1 - 0.266 D) up to 3.8, 0 from there (and never below 0). */
double ag_crowd_sfpe_speed(double k_ms, double density_pm2);
/* Specific flow S x D, persons/s per metre of effective width. */
double ag_crowd_sfpe_specific_flow(double k_ms, double density_pm2);

/* Boundary layers (SFPE table, after Pauls): the width along each side that
 * people keep clear of. */
enum ag_crowd_boundary {
    AG_BOUNDARY_STAIR_WALL,    /* stairways: walls or sides of tread, 0.15 m */
    AG_BOUNDARY_HANDRAIL,      /* railings, handrails, 0.09 m */
    AG_BOUNDARY_SEATS,         /* theatre chairs, stadium benches, 0 */
    AG_BOUNDARY_CORRIDOR_WALL, /* corridor, ramp walls, 0.20 m */
    AG_BOUNDARY_OBSTACLE,      /* 0.10 m */
    AG_BOUNDARY_CONCOURSE,     /* wide concourses, passageways, 0.46 m */
    AG_BOUNDARY_DOOR,          /* doors, archways, 0.15 m */
    AG_BOUNDARY_COUNT
};
double ag_crowd_boundary_m(enum ag_crowd_boundary b);
/* Clear width minus the two boundary layers, never below 0. */
double ag_crowd_effective_width_m(double clear_m, double left_m, double right_m);

/* How people are shared among the open exits.
 * NEAREST: each person to the exit with the shortest walking distance
 *   (lowest index on a tie); exits may be loaded unevenly, as in reality
 *   when nobody redirects the crowd.
 * BALANCED: each exit gets people in proportion to its flow capacity, so
 *   that all finish together if they start together (whole persons by
 *   largest remainder, lowest index on a tie); with distances, each exit
 *   takes the people nearest to it, pair by pair in order of distance, and
 *   anyone left (every exit they can reach full) goes to their nearest. */
enum ag_crowd_assign { AG_ASSIGN_NEAREST, AG_ASSIGN_BALANCED };

struct ag_crowd_egress_params {
    double premovement_s;         /* from the alarm to the start of movement */
    double k_travel_ms;           /* k while crossing the space (1.40 level) */
    double boundary_m;            /* boundary layer at each side of an exit */
    enum ag_crowd_element stairs; /* the stair of exits marked stairs */
    enum ag_crowd_assign assign;
    const bool *exit_open; /* nexits flags, NULL = all open */
};

/* premovement 0, k 1.40 (level), boundary 0.15 m (doors, archways; also
 * stair walls), stairs 178/279 mm, BALANCED, all exits open. */
void ag_crowd_egress_params_default(struct ag_crowd_egress_params *p);

struct ag_crowd_exit_flow {
    double people;      /* assigned, whole persons */
    double width_eff_m; /* clear width minus the boundary layers */
    double flow_ps;     /* Fs_max x We, persons/s */
    double first_s;     /* premovement + first arrival (0 people: 0) */
    double time_s;      /* when the last of them is out (0 people: 0) */
    bool open;
};

struct ag_crowd_curve_pt {
    double t_s;
    double out_persons;
};

/* Result of ag_crowd_egress_assess; release with ag_crowd_egress_free. */
struct ag_crowd_egress {
    double density_pm2;               /* people / walkable area */
    double speed_ms;                  /* travel speed at that density */
    struct ag_crowd_exit_flow *exits; /* one per exit of the geometry */
    size_t nexits;
    double total_s;       /* everyone out */
    size_t limiting_exit; /* the exit that finishes last */
    /* People out against time, piecewise linear between the points (first
     * (0, 0), last (total_s, people)); each exit contributes a ramp from
     * first_s to time_s. */
    struct ag_crowd_curve_pt *curve;
    size_t ncurve;
};

/* Tier 2: the time for `people` to leave geometry g. dist_m is NULL or
 * people x g->nexits walking distances in metres, row-major
 * (dist_m[i * nexits + e] is person i's distance to exit e; INFINITY where
 * e cannot be reached); the caller computes them (straight lines, a floor
 * field). NULL means every person at the exits: flow times only, a lower
 * bound, and only BALANCED is possible.
 * Per exit e with N_e people, first and last of them at d_first, d_last:
 *   T_e = premovement + max(d_first / S + N_e / F_e, d_last / S)
 * with S the SFPE speed at the density people / area and F_e = Fs_max x We;
 * the total is the largest T_e. Exits that are closed or narrower than
 * their two boundary layers take nobody.
 * Errors (AG_EINVAL, with a message): people beyond the physical maximum
 * (ag_crowd_people_check), a density at or above 3.8 persons/m² (the
 * model has nobody moving: use the agent simulation), NEAREST without
 * distances, a distance that is NaN or negative, a person who can reach no
 * usable exit, no usable exit at all. AG_ENOMEM; AG_ELIMIT beyond 2^26
 * person-exit pairs. *out is zeroed first and left zeroed on failure. */
int ag_crowd_egress_assess(const struct ag_crowd_geom *g, size_t people, const double *dist_m,
                           const struct ag_crowd_egress_params *p, struct ag_crowd_egress *out,
                           struct ag_error *err);
/* Frees the arrays inside r and zeroes it; accepts NULL. */
void ag_crowd_egress_free(struct ag_crowd_egress *r);

/* ---- from a space / from a layout ----
 * Building the geometry the tiers work on: the walkable area is the area
 * minus everything inside it that people cannot stand on (buildings,
 * stages, stalls, fences), computed with GEOS; exits are either drawn (an
 * event layout) or found where the ways of the road network meet the
 * outline. Rules and their reasons: docs/methodology.md, "Crowd safety:
 * building the geometry". */

/* A way that may open the boundary: a polyline in the plane, with its
 * width. */
struct ag_crowd_way {
    const struct ag_xy *pts;
    size_t n;
    double width_m;   /* the opening it makes, > 0 */
    bool stairs;      /* highway=steps */
    const char *name; /* may be NULL; copied */
};

struct ag_crowd_build_params {
    double merge_m;      /* openings closer than this along the boundary
                            become one exit (default 1 m) */
    double min_part_m2;  /* parts of the walkable area smaller than this are
                            slivers between buildings and the outline, left
                            out (default 2 m²) */
    double fence_width_m; /* a fence line stands for a strip this wide
                             (default 0.2 m) */
    bool drop_parts_without_exit; /* leave out parts nobody can leave
                                     (default true) */
    double adjacent_m;   /* a way whose carriageway edge (centreline +
                            width / 2) comes within this distance of the
                            outline opens it along that stretch (default
                            2 m: a kerb and a strip of pavement); 0: only
                            crossings open it */
};

void ag_crowd_build_params_default(struct ag_crowd_build_params *p);

/* What the build did, for the report. */
struct ag_crowd_build_info {
    double area_m2;          /* of the outline, before anything is removed */
    double obstacles_m2;     /* removed by obstacles (within the outline) */
    size_t obstacles_used;   /* obstacles and fences that overlap the outline */
    size_t openings;         /* places where a way meets the outline */
    size_t slivers_dropped;  /* parts below min_part_m2 */
    size_t parts_dropped;    /* parts without an exit */
    double dropped_m2;       /* their area */
};

/* Builds the walkable area and its exits in the plane.
 * area: outer rings and holes of the outline, with drawn exits (kept first,
 * in order, unchanged); obstacles: rings (outer boundaries of buildings,
 * stages) that are removed from the area wherever they overlap it; fences:
 * polylines removed as strips p->fence_width_m wide; ways: polylines of the
 * street network. Every point where a way meets an outer ring of the
 * walkable area gives an opening, centred there, of the way's width measured
 * along the ring (no wider than half the ring), unless the way only runs
 * along the boundary there (both of its pieces next to the point lie on
 * it). A way that runs alongside the outline opens it too, over the
 * stretch where its carriageway comes within p->adjacent_m of the ring
 * and it runs within 30 degrees of the ring's direction (sampled every
 * 0.25 m). Openings on one ring that overlap or are closer than merge_m become
 * one exit: a-b is the chord between the ends of the merged stretch, the
 * width the covered length along the ring, no more than |b - a|; stairs if
 * any of them is; named after the first that has a name.
 * Result: out receives outer rings and holes of area − obstacles, with
 * slivers and (by default) parts without an exit left out, and the exits.
 * No exit at all is AG_EEMPTY ("no way meets the outline: ..."), a result
 * that is empty after the obstacles AG_EGEOM; out is zeroed first and left
 * zeroed on failure. The result has not been through ag_crowd_geom_check.
 * info may be NULL; p NULL means the defaults. */
int ag_crowd_geom_build(const struct ag_crowd_geom *area, const struct ag_crowd_ring *obstacles,
                        size_t nobstacles, const struct ag_crowd_way *fences, size_t nfences,
                        const struct ag_crowd_way *ways, size_t nways,
                        const struct ag_crowd_build_params *p, struct ag_crowd_geom *out,
                        struct ag_crowd_build_info *info, struct ag_error *err);

/* The geometry of a stored space in the plane of proj (the caller makes it,
 * usually ag_proj_new at the space's centroid): its polygons, minus the
 * buildings whose box meets the space's box, with exits where the road
 * edges meet the outline (ag_crowd_geom_build). Edges that cannot be walked
 * from a square are skipped: motorways and their links, tunnels and
 * anything below ground (layer < 0); highway=steps gives a stair exit.
 * Runs ag_crowd_geom_check on the result. AG_EEMPTY when no edge meets the
 * outline, with a message that says so; out zeroed on failure. */
int ag_crowd_geom_from_space(const struct ag_space *sp, const struct ag_building *buildings,
                             size_t nbuildings, const struct ag_road_edge *edges, size_t nedges,
                             const struct ag_proj *proj, const struct ag_crowd_build_params *p,
                             struct ag_crowd_geom *out, struct ag_crowd_build_info *info,
                             struct ag_error *err);

/* ag_crowd_geom_from_space in the plane centred on the space's centroid:
 * the one geometry of a stored space that `agora crowd` and the report both
 * measure, so that their numbers agree. Same results and errors (AG_EEMPTY
 * for a space no street meets; a failure of ag_proj_new as it reports it);
 * out zeroed on failure. */
int ag_crowd_geom_of_space(const struct ag_space *sp, const struct ag_building *buildings,
                           size_t nbuildings, const struct ag_road_edge *edges, size_t nedges,
                           const struct ag_crowd_build_params *p, struct ag_crowd_geom *out,
                           struct ag_crowd_build_info *info, struct ag_error *err);

/* Whether a road edge's highway class can be an exit from a square on
 * foot (not a motorway or a motorway link). */
bool ag_crowd_way_walkable(const struct ag_road_edge *e);

/* An event layout: a GeoJSON FeatureCollection (RFC 7946, WGS 84 lon/lat)
 * whose Features say what they are in the property "role":
 *   "area"      Polygon or MultiPolygon: the perimeter (at least one)
 *   "obstacle"  Polygon or MultiPolygon: a stage, a stall, a screen
 *   "fence"     LineString or MultiLineString: a strip fence_width_m wide
 *   "exit"      LineString: the opening from its first to its last point,
 *               within AG_CROWD_EXIT_TOL_M of the area's outline; optional
 *               "width_m" (> 0, no more than the drawn length + 0.5 m;
 *               default the drawn length), "stairs" (true/false), "name"
 * and optionally "name" on any feature. The text is untrusted: it is read
 * strictly and every refusal names the source and the feature
 * ("layout.geojson: features[3] (North gate): exit outside the area: 12.4 m
 * from the area's outline"): not valid JSON (line and column), not a
 * FeatureCollection, a feature without a role or with an unknown one, a
 * geometry of the wrong type or with bad coordinates, no area, no exit.
 * The layout is projected on a local plane centred on the area's box
 * (*origin receives its centre, may be NULL), the walkable area built with
 * ag_crowd_geom_build (no ways) and checked with ag_crowd_geom_check.
 * AG_EPARSE, AG_EGEOM, AG_EINVAL, AG_ELIMIT (over 16 MiB of text or 100,000
 * features), AG_ENOMEM; out zeroed on failure. */
int ag_crowd_layout_read(const char *text, size_t len, const char *name,
                         struct ag_crowd_geom *out, struct ag_ll *origin,
                         struct ag_crowd_build_info *info, struct ag_error *err);

#ifdef __cplusplus
}
#endif
#endif
