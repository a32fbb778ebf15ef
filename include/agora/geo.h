/* agora — geo: geographic and local metric coordinates, polygons, distances,
 * validity, buffers and a spatial index.
 *
 * Geometry lives in WGS 84 longitude/latitude (struct ag_ll, degrees) when it
 * is stored or exchanged, and in a local metric plane (struct ag_xy, metres)
 * when it is measured. struct ag_proj converts between the two.
 * SPDX-License-Identifier: EUPL-1.2 */
#ifndef AGORA_GEO_H
#define AGORA_GEO_H

#include "agora/base.h"

#ifdef __cplusplus
extern "C" {
#endif

struct ag_ll {
    double lon;
    double lat;
};

struct ag_xy {
    double x;
    double y;
};

struct ag_bbox {
    double minx, miny, maxx, maxy;
};

/* A ring is closed: pts[0] equals pts[n-1], and n >= 4 for a valid ring. */
struct ag_ring {
    struct ag_ll *pts;
    size_t n;
};

/* rings[0] is the outer boundary, the others are holes. */
struct ag_polygon {
    struct ag_ring *rings;
    size_t nrings;
};

struct ag_mpoly {
    struct ag_polygon *polys;
    size_t npolys;
};

/* A polyline in lon/lat. */
struct ag_line {
    struct ag_ll *pts;
    size_t n;
};

/* Frees the arrays inside (not the struct itself); accepts NULL. Leaves the
 * struct zeroed. */
void ag_mpoly_free(struct ag_mpoly *mp);
void ag_line_free(struct ag_line *l);
/* Deep copy. */
int ag_mpoly_copy(struct ag_mpoly *dst, const struct ag_mpoly *src);
/* Appends a polygon made of a single outer ring copied from pts[0..n). */
int ag_mpoly_add_ring_polygon(struct ag_mpoly *mp, const struct ag_ll *pts,
                              size_t n);
/* Bounding box in lon/lat of all vertices. */
struct ag_bbox ag_mpoly_bbox(const struct ag_mpoly *mp);

/* ---- local metric projection ----
 * A transverse Mercator projection on the WGS 84 ellipsoid centred on
 * (lon0, lat0) with scale factor 1: within 10 km of the centre distances are
 * exact to about 1 part in 10^6 and areas to 2 parts in 10^6
 * (docs/methodology.md). Krueger's series (lib/geo/proj.c), which agrees with
 * PROJ's +proj=tmerc to a nanometre. An ag_proj is not changed after
 * ag_proj_new: any number of threads may use one at once. Longitudes more
 * than 90 degrees from the centre have no image (NaN). */
struct ag_proj;

int ag_proj_new(struct ag_proj **out, double lon0, double lat0,
                struct ag_error *err);
void ag_proj_free(struct ag_proj *p);
struct ag_ll ag_proj_origin(const struct ag_proj *p);
/* lon/lat degrees -> metres east/north of the origin. */
struct ag_xy ag_proj_fwd(const struct ag_proj *p, struct ag_ll ll);
/* metres -> lon/lat degrees. */
struct ag_ll ag_proj_inv(const struct ag_proj *p, struct ag_xy xy);

/* ---- planar measures (metres) ---- */

/* Signed shoelace area: positive when counter-clockwise. n counts the closing
 * vertex, which contributes nothing. */
double ag_xy_ring_area_signed(const struct ag_xy *pts, size_t n);
/* Sum of segment lengths pts[i]..pts[i+1]. */
double ag_xy_path_length(const struct ag_xy *pts, size_t n);
/* Area centroid of a simple ring; falls back to the vertex mean when the
 * area is zero. */
struct ag_xy ag_xy_ring_centroid(const struct ag_xy *pts, size_t n);
/* Even-odd point in ring test; points exactly on the boundary count as
 * inside. */
bool ag_xy_ring_contains(const struct ag_xy *pts, size_t n, struct ag_xy p);

/* Segment intersection of a-b with c-d. Returns 0 when they do not meet,
 * 1 when they meet in one point (stored in *at when not NULL), 2 when they
 * overlap collinearly along a stretch (*at is one shared point). */
int ag_seg_intersect(struct ag_xy a, struct ag_xy b, struct ag_xy c,
                     struct ag_xy d, struct ag_xy *at);

/* Distance from p to segment a-b. */
double ag_xy_seg_dist(struct ag_xy p, struct ag_xy a, struct ag_xy b);
/* Planar distance. */
double ag_xy_dist(struct ag_xy a, struct ag_xy b);

/* Measures of a multipolygon in the plane of proj: area (outer rings minus
 * holes), perimeter (every ring, holes included), area centroid and the
 * lon/lat of that centroid. */
struct ag_measure {
    double area_m2;
    double perimeter_m;
    struct ag_ll centroid;
    struct ag_bbox bbox; /* lon/lat */
};

int ag_mpoly_measure(const struct ag_mpoly *mp, const struct ag_proj *proj,
                     struct ag_measure *out, struct ag_error *err);
/* Length in metres of a lon/lat polyline. */
double ag_line_length(const struct ag_line *l, const struct ag_proj *proj);

/* Checks that mp is a valid polygon for agora: every ring closed with at
 * least 4 vertices and non-zero area, no ring crossing itself or another
 * ring of its polygon, holes inside their outer ring. On failure returns
 * AG_EGEOM with a message naming the polygon, ring and vertices, and the
 * lon/lat where the problem is ("ring 1 of polygon 1 crosses itself: edge
 * 3-4 crosses edge 7-8 near 7.421240 43.731020").
 * Messages count polygons, rings and vertices from 1; ring 1 is the outer
 * ring and edge 3-4 joins vertices 3 and 4. Repeated consecutive vertices
 * are tolerated; a ring must not otherwise touch itself, and rings of one
 * polygon may touch each other at points (OGC) but not cross or share an
 * edge. A hole inside another hole is rejected. Overlap between different
 * polygons of mp is not checked. AG_EPROJ when a vertex cannot be
 * projected. */
int ag_mpoly_validate(const struct ag_mpoly *mp, const struct ag_proj *proj,
                      struct ag_error *err);

/* Orients rings in place: outer rings counter-clockwise, holes clockwise
 * (the GeoJSON right-hand rule, RFC 7946 §3.1.6). */
void ag_mpoly_orient(struct ag_mpoly *mp, const struct ag_proj *proj);

/* The area within width_m / 2 of a polyline, with flat ends (a street of that
 * width): computed with GEOS in the plane of proj and returned in lon/lat. */
int ag_line_buffer(const struct ag_line *l, double width_m,
                   const struct ag_proj *proj, struct ag_mpoly *out,
                   struct ag_error *err);

/* ---- spatial index ----
 * A static packed R-tree (Sort-Tile-Recursive, Leutenegger et al. 1997) over
 * boxes with caller ids. Add every box, build once, then query. A query on
 * an index that is not built (or has had boxes added since the last build)
 * still returns every match, by a linear scan. ag_index_add rejects boxes
 * that are not finite or have min > max (AG_EINVAL). */
struct ag_index;

int ag_index_new(struct ag_index **out);
void ag_index_free(struct ag_index *ix);
int ag_index_add(struct ag_index *ix, int64_t id, struct ag_bbox box);
int ag_index_build(struct ag_index *ix);
size_t ag_index_size(const struct ag_index *ix);
/* Calls cb for every stored box that intersects q (touching counts). A
 * non-zero return from cb stops the query and is returned. */
typedef int (*ag_index_cb)(void *ud, int64_t id, struct ag_bbox box);
int ag_index_query(const struct ag_index *ix, struct ag_bbox q, ag_index_cb cb,
                   void *ud);

bool ag_bbox_intersects(struct ag_bbox a, struct ag_bbox b);
struct ag_bbox ag_bbox_empty(void);
void ag_bbox_extend(struct ag_bbox *b, double x, double y);

/* ---- GeoJSON (RFC 7946) ----
 * Reads a Polygon or MultiPolygon: a bare geometry, a Feature, or a
 * FeatureCollection holding exactly one polygonal Feature. The text is
 * untrusted: every failure returns AG_EPARSE or AG_EGEOM with a message that
 * names the source (`name`, usually the file path), the line and column for
 * JSON syntax errors, and the JSON path of the offending member
 * ("features[0].geometry.coordinates[0][3]: expected [lon, lat]").
 * Coordinates must be finite with |lon| <= 180 and |lat| <= 90. Rings are
 * returned as given (closed; not re-oriented; not validated for
 * self-intersection: call ag_mpoly_validate). If name_prop is not NULL it
 * receives the Feature's "name" property (malloc'd) or NULL. */
int ag_geojson_read_mpoly(const char *text, size_t len, const char *name,
                          struct ag_mpoly *out, char **name_prop,
                          struct ag_error *err);
/* Appends a GeoJSON geometry (Polygon when there is one polygon, otherwise
 * MultiPolygon) with coordinates printed to 7 decimals (~1 cm). */
int ag_geojson_write_mpoly(struct ag_buf *b, const struct ag_mpoly *mp);
/* Appends a GeoJSON LineString. */
int ag_geojson_write_line(struct ag_buf *b, const struct ag_line *l);

#ifdef __cplusplus
}
#endif
#endif
