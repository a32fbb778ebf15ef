/* agora — vehicle approach analysis: vehicle classes, kinematics, speed caps
 * in bends. SI units throughout (m, s, m/s, kg, W).
 * SPDX-License-Identifier: EUPL-1.2 */
#ifndef AGORA_VEHICLE_H
#define AGORA_VEHICLE_H

#include "agora/geo.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- kinematics (docs/methodology.md, "Vehicle kinematics") ---- */

#define AG_GRAVITY 9.80665 /* m/s², standard gravity (CGPM 1901) */

enum ag_vehicle_model {
    /* a = a0 up to the maximum speed: the conservative reference model. */
    AG_VEHICLE_CONSTANT,
    /* a(v) = min(a0, P / (m v)): traction-limited at low speed,
     * power-limited above v1 = P / (m a0). */
    AG_VEHICLE_POWER,
};

/* What the kinematics needs of a vehicle. */
struct ag_kin {
    enum ag_vehicle_model model;
    double a0;       /* m/s², maximum acceleration on the level */
    double power_w;  /* W, used by AG_VEHICLE_POWER */
    double mass_kg;  /* kg, used by AG_VEHICLE_POWER */
    double vmax;     /* m/s */
    double a_lat;    /* m/s², lateral acceleration sustained in a bend */
};

/* Acceleration at speed v on a slope whose sine is sin_slope (positive
 * uphill): the model's tractive acceleration minus g·sin_slope. */
double ag_kin_accel(const struct ag_kin *k, double v, double sin_slope);

/* Speed after a run of s metres starting at v0 with full throttle, capped at
 * vmax and never below 0 (a vehicle that cannot climb stops). Exact for the
 * constant model (v² = v0² + 2 a s) and for the power model on the level
 * (v³ = v1³ + 3 P s / m above v1); the power model on a slope is integrated
 * numerically to better than 1e-6 relative. */
double ag_kin_run(const struct ag_kin *k, double v0, double s, double sin_slope);

/* Largest radius (m) of a circular path through a bend of a road of width
 * width_m that turns by theta radians in total and whose centreline bends
 * with radius centre_radius_m (0 for a sharp corner):
 *   r = max(R, w/2) + w / (1 − cos(min(θ, π)/2)) − w/2,
 * which is w / (1 − cos(θ/2)) for a sharp corner and R + w/2 once the bend
 * turns 180° or more (derivation in docs/methodology.md). */
double ag_bend_radius(double theta, double width_m, double centre_radius_m);

/* Speed caps (m/s) at every vertex of a path drawn as a polyline in metres:
 * cap[0] and cap[n-1] are +inf; widths[i] is the road width of segment
 * i..i+1. Vertices that turn the same way and whose sharp-corner arcs
 * would overlap form one bend, whose centreline radius is estimated from the
 * chords and turns, so a curve drawn with many nodes is capped like the
 * curve, not like a series of gentle corners. If radius is not NULL it
 * receives the path radius r used at each vertex (+inf where none).
 * Returns 0 or AG_ENOMEM. */
int ag_path_speed_caps(const struct ag_xy *pts, size_t n, const double *widths, double a_lat,
                       double *cap, double *radius);

/* ---- vehicle classes ---- */

/* One test-vehicle class of ISO 22343-1 / IWA 14-1 / PAS 68, with the
 * driving figures the approach analysis needs (data/vehicle-classes.csv,
 * docs/methodology.md §9). SI units: the table's kW and km/h are converted
 * at load. */
struct ag_vehicle_class {
    char *id; /* "M1", "N2A": [A-Za-z0-9_-]{1,15}, unique */
    char *description;
    double mass_kg;           /* test mass, kg */
    double accel_ms2;         /* maximum low-speed acceleration, m/s² */
    double power_w;           /* engine power, W */
    double max_speed_ms;      /* maximum speed, m/s */
    double lateral_accel_ms2; /* lateral acceleration sustained in a bend, m/s² */
    double width_m;           /* body width, m */
    char *source;
};

struct ag_vehicle_classes {
    struct ag_vehicle_class *v;
    size_t n;
};

/* Loads a vehicle-class table (the shipped data/vehicle-classes.csv or a
 * user's --classes FILE). The header must be exactly
 *   id,description,mass_kg,accel_ms2,power_kw,max_speed_kmh,lateral_accel_ms2,width_m,source
 * and every field is validated; a failure names file, line and column.
 * Returns 0, AG_ENOENT (no such file), AG_EIO, AG_ELIMIT (file too large),
 * AG_EPARSE (bad header or field, duplicate id), AG_EEMPTY (no rows) or
 * AG_ENOMEM. On failure *out is left empty ({NULL, 0}). */
int ag_vehicle_classes_load(const char *path, struct ag_vehicle_classes *out, struct ag_error *err);
/* Frees the table and leaves it empty; NULL or an empty table is fine. */
void ag_vehicle_classes_free(struct ag_vehicle_classes *c);
/* The class with this id (exact, case-sensitive match), or NULL. */
const struct ag_vehicle_class *ag_vehicle_class_find(const struct ag_vehicle_classes *c,
                                                     const char *id);

/* ---- end of vehicle classes ---- */


/* ---- approach search over a road graph (docs/methodology.md §11) ---- */

/* A road graph in the local metric plane, independent of the store: nodes
 * with positions, undirected edges drawn as polylines. */
struct ag_vnode {
    struct ag_xy xy;
    bool blocked; /* a barrier that stops a vehicle: it may be hit, not passed */
};

struct ag_vedge {
    size_t a, b;        /* node indices; pts[0] is at a, pts[n-1] at b */
    struct ag_xy *pts;  /* owned by the graph */
    size_t n;
    double width_m;     /* carriageway width */
    double incline_pct; /* signed, rising from a to b; 0 when unknown */
    double length_m;
    double *radius;     /* bend radius at each vertex (+inf at the ends), set by
                           ag_vgraph_prepare (+inf everywhere until then) */
    double *seg_len;    /* length of segment i..i+1 */
    double sin_slope;   /* sine of the slope, rising from a to b */
    int64_t way;        /* the mapped road it belongs to (OSM way id), 0 if unknown:
                           bends are followed along a way across junctions */
};

struct ag_vpool;

struct ag_vgraph {
    struct ag_vnode *nodes;
    size_t nnodes, cap_nodes;
    struct ag_vedge *edges;
    size_t nedges, cap_edges;
    struct ag_vpool *pool; /* where the edges' arrays live (approach.c) */
    size_t *adj_off; /* CSR adjacency of directed edges, built on first search */
    size_t *adj;
    /* Bend radius of every turn at every node, built on first search: for
     * node v, turn[turn_off[v] + i·deg + j] is the radius turning from the
     * state arriving by adjacency i into the state leaving by adjacency j. */
    size_t *turn_off;
    double *turn;
    /* Per state, built with the turns: the road it continues from and into
     * (-1 if none), used to judge bends across junctions. */
    long *cont_into, *cont_from;
    /* Per state, built with the turns, what the search reads on leaving the
     * state's end node: where that node's states begin in adj[], how many
     * there are (0 at a blocked node), and where the row of turns from this
     * state begins in turn[]. */
    struct ag_vnext {
        uint32_t adj, deg, turn;
    } *next;
};

void ag_vgraph_init(struct ag_vgraph *g);
void ag_vgraph_free(struct ag_vgraph *g);
/* Adds a node and returns its index in *id. */
int ag_vgraph_add_node(struct ag_vgraph *g, struct ag_xy xy, bool blocked, size_t *id);
/* Adds an edge from node a to node b along pts[0..n) (n >= 2; pts[0] and
 * pts[n-1] should be the nodes' positions). */
int ag_vgraph_add_edge(struct ag_vgraph *g, size_t a, size_t b, const struct ag_xy *pts, size_t n,
                       double width_m, double incline_pct);

/* The best approach speeds of one vehicle over the whole graph. A state is a
 * directed edge d = 2·edge + (0 for a->b, 1 for b->a); speed[d] is the
 * highest speed at which the vehicle can arrive at d's end node over any
 * route that starts from rest at any node, never passes through a blocked
 * node, never uses an edge narrower than the vehicle, never turns straight
 * back along the edge it came by, and obeys the kinematics above (runs with
 * full throttle, speed clipped at every bend). Routes may pass a node more
 * than once: a driver may circle a block to gain speed. */
struct ag_speeds {
    size_t nstates;
    double *speed; /* m/s; 0 for a state that cannot be used */
    long *pred;    /* previous state, -1 when the route starts at the state's start node */
    /* Every improvement of a label is a record pointing at the record it was
     * made from; records form a tree, so the route behind any label can be
     * replayed exactly, loops included. */
    long *rec;               /* current record of each state, -1 if none */
    struct ag_record {
        long state;
        long parent;         /* parent record, -1 for a start from rest */
    } *recs;
    size_t nrec, caprec;
};

int ag_vehicle_speeds(struct ag_vgraph *g, const struct ag_kin *k, double vehicle_width_m,
                      struct ag_speeds *out);
/* Builds what the searches share (adjacency, bend radii across junctions),
 * after which ag_vehicle_speeds only reads the graph and may run for several
 * vehicles at once on different threads. ag_vehicle_speeds calls it. */
int ag_vgraph_prepare(struct ag_vgraph *g);
void ag_speeds_free(struct ag_speeds *s);

/* The fastest arrival at node `target`: its speed (0 when no usable edge
 * reaches it), the state it arrives by (-1 if none), and the route as a list
 * of states from its start (malloc'd; it may pass a node or an edge more
 * than once when circling gains speed). */
struct ag_route {
    double speed_ms;
    long last_state;
    long *states;
    size_t nstates;
    double run_up_m;          /* length of the route */
    double limiting_radius_m; /* the last bend that clipped the speed, +inf if none */
    struct ag_xy limiting_at;
    double last_m;            /* how far along its last state the route goes: the
                                 whole edge, except for a route to a point on it */
};

int ag_vehicle_route(const struct ag_vgraph *g, const struct ag_kin *k, const struct ag_speeds *sp,
                     size_t target, struct ag_route *out);
/* The same for a given arrival state (an entry reached from one side only). */
int ag_vehicle_route_state(const struct ag_vgraph *g, const struct ag_kin *k,
                           const struct ag_speeds *sp, long state, struct ag_route *out);
/* Index of the state's start and end nodes. */
size_t ag_vstate_start(const struct ag_vgraph *g, long state);
size_t ag_vstate_end(const struct ag_vgraph *g, long state);
void ag_route_free(struct ag_route *r);

/* Speed at the end of a given route of states, from rest at its start, by
 * the same rules as the search (used to explain a route and by the tests'
 * brute force). Returns a negative value when the route is not connected or
 * uses something the vehicle cannot use. */
double ag_vehicle_route_speed(const struct ag_vgraph *g, const struct ag_kin *k,
                              double vehicle_width_m, const long *states, size_t n,
                              double *limiting_radius_m, struct ag_xy *limiting_at);
/* The same, driving only the first last_m metres of the last state. */
double ag_vehicle_route_speed_to(const struct ag_vgraph *g, const struct ag_kin *k,
                                 double vehicle_width_m, const long *states, size_t n,
                                 double last_m, double *limiting_radius_m,
                                 struct ag_xy *limiting_at);

/* ---- speeds at points between nodes (kerb-side approaches, §13) ----
 * Once the search has labelled every state, the speed at any point of an
 * edge follows exactly, without cutting the edge there: the best speed at
 * which the vehicle can set off along state d (over every state arriving at
 * d's start node, clipped by the turn into d, or from rest), then the run
 * along d with its bends and slope. This is what cutting the edge at the
 * point and searching again would give (a cut adds a straight-through node,
 * which neither clips nor helps), without growing the graph. */

/* The speed at which the vehicle sets off along state d from its start
 * node; *from (may be NULL) receives the state it comes by, -1 from rest.
 * Negative when the vehicle cannot use d. Needs the speeds of a search on
 * this graph. */
double ag_vstate_entry_speed(const struct ag_vgraph *g, const struct ag_kin *k,
                             double vehicle_width_m, const struct ag_speeds *sp, long d,
                             long *from);
/* The speed s metres along state d after setting off at v0: bends before s
 * clip it, a bend exactly at s does not (the vehicle may leave the road
 * there rather than take it, as at a node). */
double ag_vstate_speed_at(const struct ag_vgraph *g, const struct ag_kin *k, long d, double v0,
                          double s);
/* The fastest arrival at the point s metres along state d: speed (0 when
 * the vehicle cannot get there), the route ending with d (out->last_m = s),
 * its run-up and last limiting bend. */
int ag_vehicle_route_along(const struct ag_vgraph *g, const struct ag_kin *k,
                           double vehicle_width_m, const struct ag_speeds *sp, long d, double s,
                           struct ag_route *out);

/* ---- the analysis of a city's spaces (docs/methodology.md §13) ---- */

struct ag_store;
struct ag_city;

/* How far from a space a carriageway's edge may lie for a kerb-side entry,
 * by default (m): a pavement and a parking lane (docs/methodology.md §13). */
#define AG_VEHICLE_KERB_DEFAULT_M 6.0

struct ag_vehicle_options {
    enum ag_vehicle_model model;
    const struct ag_vehicle_classes *classes;
    double merge_m; /* entry points closer than this are one entry (default 5 m) */
    /* Kerb-side entries: a road passes close enough for a vehicle to leave
     * it and cross the pavement onto the space when its carriageway's edge
     * comes within kerb_m of the perimeter (default 6 m when 0; negative:
     * no kerb-side entries). docs/methodology.md §13. */
    double kerb_m;
    /* When not NULL, filled with where the time went (--timing). */
    struct ag_vehicle_timing *timing;
};

/* Seconds spent by ag_vehicle_analyse in each of its steps, in order. */
struct ag_vehicle_timing {
    double load;    /* reading roads and spaces from the store */
    double project; /* projecting roads, indexing them */
    double graph;   /* crossings with perimeters, the cut graph, entries */
    double prepare; /* bends and turns (ag_vgraph_prepare) */
    double kerb;    /* waiting for buildings and barriers, kerb-side probes */
    double search;  /* one search per class */
    double results; /* entries' speeds, routes and JSON */
};

/* The barrier rating a speed calls for: the speed rounded up to the
 * standard test speeds 16, 32, 48, 64, 80, 96, 112 km/h, written in the
 * ISO 22343-1 style "V/7200[N2A]/64/90" into buf. Returns the test speed,
 * or 0 (and an empty buf) for a speed of 0 or above 112 km/h. */
int ag_vehicle_rating(const struct ag_vehicle_class *c, double speed_kmh, char *buf, size_t len);

/* Analyses the spaces space_ids[0..n) of the city (every space when n is
 * 0): finds their entry points (where a drivable way meets or crosses the
 * perimeter, merged within merge_m: kind "way"; where a drivable road runs
 * within kerb_m of it with nothing in between: kind "kerb-side"), and for
 * each entry and class the fastest approach from outside. Appends to out (a vec of struct
 * ag_vehicle_result, each json malloc'd) one JSON object per space, in the
 * format of `agora vehicle --json` (README). progress may be NULL. */
struct ag_vehicle_result {
    int64_t space_id;
    char *json; /* malloc'd */
};

int ag_vehicle_analyse(struct ag_store *s, const struct ag_city *city, const int64_t *space_ids,
                       size_t n, const struct ag_vehicle_options *o, struct ag_vec *out,
                       struct ag_progress *progress, struct ag_error *err);

#ifdef __cplusplus
}
#endif
#endif
