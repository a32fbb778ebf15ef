/* agora — the city model: the features an import produces and the store
 * keeps. Plain structs with owned members; each has a _free that accepts NULL
 * and leaves the struct zeroed.
 * SPDX-License-Identifier: EUPL-1.2 */
#ifndef AGORA_MODEL_H
#define AGORA_MODEL_H

#include "agora/geo.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Where a feature came from: an OSM object ("node", "way", "relation") with
 * its id, or a custom perimeter ("custom", id 0). */
struct ag_osm_ref {
    char type[12];
    int64_t id;
};

/* Parses "way/4227203", "w4227203", "relation/12", "r12", "node/5", "n5".
 * Returns false when s is not such a reference. */
bool ag_osm_ref_parse(const char *s, struct ag_osm_ref *out);

/* A public space: a square, a pedestrian area or street, a market, a park... */
struct ag_space {
    int64_t id;      /* store id; 0 before it is stored */
    int64_t city_id;
    struct ag_osm_ref ref;
    char *name;      /* may be NULL when OSM has no name */
    char *kind;      /* a kind from data/space-tags.csv, or one given by a user */
    char *origin;    /* "osm" or "custom" */
    struct ag_mpoly geom;
    double area_m2;
    double perimeter_m;
    struct ag_ll centroid;
    struct ag_bbox bbox; /* lon/lat */
    char *tags_json;     /* the OSM tags as a JSON object, or NULL */
    char *geom_source;   /* how the polygon was obtained: "area", "multipolygon",
                            "buffer:width=6.0", "buffer:default=5.0", "geojson" */
};

/* A node of the road graph. Nodes carrying a barrier that stops a vehicle are
 * kept with blocks_vehicle set: edges end at them and a route must not pass
 * through them (docs/methodology.md, "road network"). */
struct ag_road_node {
    int64_t osm_id;
    struct ag_ll ll;
    char *barrier;   /* OSM barrier=* value, or NULL */
    bool blocks_vehicle;
};

/* A road edge between two graph nodes, in the direction of the OSM way. */
struct ag_road_edge {
    int64_t id;
    int64_t osm_way_id;
    int seq;           /* position of this edge along its way, from 0 */
    int64_t from_node; /* OSM node ids */
    int64_t to_node;
    char *highway;
    char *name;
    double length_m;
    double width_m;
    char *width_source; /* "tag:width", "tag:lanes", "default:<class>" */
    int oneway;         /* 0 both ways, 1 forward only, -1 backward only */
    double incline_pct; /* NaN when not tagged or not numeric */
    bool bridge;
    bool tunnel;
    int layer;
    char *surface;      /* NULL when not tagged */
    double maxspeed_kmh; /* NaN when not tagged or not numeric */
    struct ag_line geom;
};

/* A barrier: a node on or off the roads, or a linear barrier (wall, fence,
 * jersey barrier line). */
struct ag_barrier {
    int64_t id;
    struct ag_osm_ref ref;
    char *type;          /* OSM barrier=* value */
    bool blocks_vehicle; /* from data/barrier-types.csv */
    struct ag_line geom; /* one point for a node */
};

struct ag_building {
    int64_t id;
    struct ag_osm_ref ref;
    char *name;
    char *building; /* building=* value */
    double height_m; /* NaN when unknown */
    int levels;      /* 0 when unknown */
    double area_m2;
    struct ag_mpoly geom;
    struct ag_bbox bbox;
};

/* Something in the input that agora could not use, reported to the user. */
struct ag_skip {
    struct ag_osm_ref ref;
    char *what;   /* "space", "building", ... */
    char *reason;
};

/* Everything one import produced. */
struct ag_city_model {
    char *source;           /* the input file path */
    struct ag_ll origin;    /* centre of the local projection */
    struct ag_bbox bbox;    /* of all nodes read */
    uint64_t nodes_read, ways_read, relations_read;
    struct ag_vec spaces;    /* struct ag_space */
    struct ag_vec road_nodes;/* struct ag_road_node */
    struct ag_vec road_edges;/* struct ag_road_edge */
    struct ag_vec barriers;  /* struct ag_barrier */
    struct ag_vec buildings; /* struct ag_building */
    struct ag_vec skipped;   /* struct ag_skip */
};

void ag_space_free(struct ag_space *s);
void ag_road_node_free(struct ag_road_node *n);
void ag_road_edge_free(struct ag_road_edge *e);
void ag_barrier_free(struct ag_barrier *b);
void ag_building_free(struct ag_building *b);
void ag_city_model_init(struct ag_city_model *m);
void ag_city_model_free(struct ag_city_model *m);

/* ---- Well-Known Binary (OGC Simple Features, little endian, 2D) ----
 * The store keeps geometry as WKB so that a PostGIS backend can read it as
 * it is. */
int ag_wkb_write_mpoly(struct ag_buf *b, const struct ag_mpoly *mp);
int ag_wkb_write_line(struct ag_buf *b, const struct ag_line *l);
/* Reads a Polygon or MultiPolygon. */
int ag_wkb_read_mpoly(const void *data, size_t len, struct ag_mpoly *out,
                      struct ag_error *err);
/* Reads a Point or LineString. */
int ag_wkb_read_line(const void *data, size_t len, struct ag_line *out,
                     struct ag_error *err);

#ifdef __cplusplus
}
#endif
#endif
