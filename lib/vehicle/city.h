/* agora — the vehicle analysis of a city: what analysis.c and kerb.c share
 * (not public). docs/internals/vehicle.md.
 * SPDX-License-Identifier: EUPL-1.2 */
#ifndef AGORA_VEHICLE_CITY_H
#define AGORA_VEHICLE_CITY_H

#include "agora/store.h"
#include "agora/vehicle.h"

/* A point where a road edge meets a space's perimeter. */
struct crossing {
    size_t space;    /* index in the spaces vec */
    size_t edge;     /* index in the road edges vec */
    size_t seg;      /* segment of the edge polyline */
    double t;        /* position along that segment, 0..1 */
    struct ag_xy xy;
    size_t vnode;    /* graph node, once the graph is built */
};

enum entry_kind {
    ENTRY_WAY,  /* a drivable way meets or crosses the perimeter */
    ENTRY_KERB, /* a drivable road runs alongside, within reach across the pavement */
};

struct entry {
    size_t space;
    enum entry_kind kind;
    struct ag_xy xy;
    double width_m;   /* the opening: carriageway width, or the frontage */
    int64_t osm_way;
    int64_t osm_node; /* 0 when the entry is a crossing between nodes */
    size_t store_edge; /* the road edge it was found on (its name) */
    size_t nodes[8];  /* graph nodes merged into this entry (way entries) */
    size_t nnodes;
    /* Kerb-side entries: their samples, cg->ksamples[ks_off .. ks_off + ks_n),
     * in order along the road. */
    size_t ks_off, ks_n;
    double frontage_m; /* length of road from which the space can be reached */
    double gap_m;      /* the least distance from carriageway edge to perimeter */
};

/* A point of a road examined for a kerb-side approach. */
struct ksample {
    size_t ge;         /* graph edge */
    double s;          /* metres from the edge's first vertex */
    double pos;        /* metres along its OSM way */
    struct ag_xy p;    /* on the road's centre line */
    struct ag_xy q;    /* the nearest point of the perimeter */
    double hw;         /* half the carriageway width there */
    double gap;        /* from the carriageway's edge to the perimeter: |pq| - hw */
    double clear;      /* free half-width around the line from the carriageway's edge
                          to q: the nearest building or blocking barrier (capped) */
    bool base;         /* outside the space, within reach, not a way entry's approach */
    bool vertex;       /* a vertex or node of the edge */
};

/* Obstacles between a road and a space: building outlines (area) and
 * barrier lines that stop a vehicle, in metres. */
struct obstacle {
    struct ag_xy *pts;
    size_t *ring_end; /* ring r is pts[r ? ring_end[r-1] : 0 .. ring_end[r]) */
    size_t nrings;
    bool area;
};

/* Per analysed space, what a kerb-side probe needs. */
struct kspace {
    struct ag_bbox box; /* of its rings, metres */
    struct kway {
        int64_t way;
        struct ag_xy xy;
    } *wp; /* the nodes of its way entries, with each OSM way that meets them */
    size_t nwp;
};

struct city_graph {
    struct ag_proj *proj;
    struct ag_vgraph g;
    struct ag_vec edges;     /* struct ag_road_edge, from the store */
    struct ag_vec nodes;     /* struct ag_road_node */
    struct ag_xy **edge_xy;  /* each edge's polyline in metres, in edge_xy_all */
    struct ag_xy *edge_xy_all;
    struct ag_index *road_ix;/* road edges by their box in metres */
    struct ag_vec spaces;    /* struct ag_space */
    struct ag_xy ***space_xy;/* [space][ring] polyline in metres, rings flattened */
    size_t **space_ring_n;
    size_t *space_nrings;
    struct ag_vec crossings; /* struct crossing */
    struct ag_vec entries;   /* struct entry */
    int64_t *vnode_osm;      /* OSM id of each graph node, 0 for crossings */
    /* Where each graph edge comes from, filled by the graph builder. */
    struct ag_vec gsrc;      /* size_t per graph edge: its road edge */
    struct ag_vec vedge_ll;  /* struct ag_ll: every graph edge's vertices in lon/lat */
    struct ag_vec vedge_ll_off; /* size_t per graph edge: where its vertices begin there */
    size_t *first_piece;     /* per road edge: its first graph edge */
    size_t *npieces;         /* per road edge: how many graph edges it became */
    /* Kerb-side entries (kerb.c). */
    double kerb_m;           /* reach from the carriageway's edge; < 0: off */
    double min_hw, max_hw;   /* half the narrowest and the widest vehicle class */
    double road_hw;          /* half the widest road */
    double *gs0;             /* per graph edge: where it starts along its road edge */
    double *wayoff;          /* per road edge: where it starts along its OSM way */
    double *waylen;          /* per road edge: the length of its OSM way */
    bool *wayclosed;         /* per road edge: its OSM way is a ring */
    double *node_hw;         /* per graph node: half the widest carriageway there */
    struct ag_vec buildings; /* struct ag_building */
    struct ag_vec barriers;  /* struct ag_barrier */
    struct obstacle *obst;
    size_t nobst;
    struct ag_index *obst_ix;
    struct kspace *kspaces;  /* per space */
    size_t nkspaces;
    struct ag_vec ksamples;  /* struct ksample */
};

/* Whether p lies in space sp (boundary included). */
bool ag__vspace_contains(const struct city_graph *cg, size_t sp, struct ag_xy p);

/* Reads the buildings and barriers kerb-side approaches must clear, those
 * near the analysed spaces (their rings projected already), and projects
 * and indexes them (cg->obst, cg->obst_ix). Writes nothing else of cg, so
 * that a thread may run it while another builds the graph. */
int ag__kerb_load(struct ag_store *s, const struct ag_city *city, struct city_graph *cg,
                  struct ag_error *err);
/* Finds the kerb-side entries of every space, after the graph and the way
 * entries: appends them to cg->entries, their samples to cg->ksamples. */
int ag__kerb_find(struct city_graph *cg, double merge_m);
/* Frees what kerb.c added to cg. */
void ag__kerb_free(struct city_graph *cg);

/* The fastest kerb-side approach of one vehicle to a kerb-side entry. */
struct kbest {
    bool found;
    double v;         /* m/s */
    long d;           /* the state it runs along when it leaves the road */
    double sd;        /* metres along d */
    struct ksample at;
};

/* A stretch end found for one vehicle width, kept for the next classes of
 * the entry. */
struct kmemo {
    size_t i;         /* the entry's sample it starts from */
    int side;         /* towards sample i - 1 (-1) or i + 1 (+1) */
    double hwv;       /* half the width it was found for */
    double min_clear; /* it holds for every half width from hwv to this */
    struct ksample res;
};

/* The points of a kerb-side entry where a vehicle of this width may reach
 * its highest speed (struct ksample): the ends of the stretches it fits
 * through and their vertices. Classes of one width share them; memo (struct
 * kmemo, emptied by the caller for each entry) saves finding ends again. */
int ag__kerb_candidates(const struct city_graph *cg, const struct entry *en,
                        double vehicle_width_m, struct ag_vec *memo, struct ag_vec *out);
/* The fastest of those points for one vehicle. */
void ag__kerb_best(const struct city_graph *cg, const struct ag_vec *cands, const struct ag_kin *k,
                   double vehicle_width_m, const struct ag_speeds *sp, struct kbest *out);

#endif
