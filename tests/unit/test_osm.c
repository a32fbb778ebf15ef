/* OSM import: small hand-written OSM files whose answers are known, checked
 * against PROJ's geodesic functions (Karney 2013) rather than agora's own
 * projection. SPDX-License-Identifier: EUPL-1.2 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <geodesic.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agora/osm.h"

static struct geod_geodesic wgs84;
static struct ag_osm_rules *rules;

/* Test nodes are placed in metres east/north of this origin. */
#define LON0 7.42
#define LAT0 43.73

static double lon_of(double x) { return LON0 + x / (111319.49 * cos(LAT0 * M_PI / 180)); }
static double lat_of(double y) { return LAT0 + y / 111132.95; }

struct doc {
    char path[64];
    struct ag_buf xml;
};

static void doc_begin(struct doc *d)
{
    ag_buf_init(&d->xml, 1 << 20);
    ag_buf_puts(&d->xml, "<?xml version='1.0' encoding='UTF-8'?>\n<osm version='0.6' generator='test'>\n");
}

static void node(struct doc *d, int id, double x, double y, const char *tags)
{
    ag_buf_printf(&d->xml, " <node id='%d' version='1' lat='%.8f' lon='%.8f'>%s</node>\n", id,
                  lat_of(y), lon_of(x), tags ? tags : "");
}

/* refs: space separated node ids; tags: <tag .../> elements. */
static void way(struct doc *d, int id, const char *refs, const char *tags)
{
    ag_buf_printf(&d->xml, " <way id='%d' version='1'>", id);
    char *copy = strdup(refs), *save = NULL;
    for (char *t = strtok_r(copy, " ", &save); t; t = strtok_r(NULL, " ", &save))
        ag_buf_printf(&d->xml, "<nd ref='%s'/>", t);
    free(copy);
    ag_buf_printf(&d->xml, "%s</way>\n", tags);
}

static void doc_read(struct doc *d, struct ag_city_model *m)
{
    ag_buf_puts(&d->xml, "</osm>\n");
    snprintf(d->path, sizeof d->path, "/tmp/agora-test-XXXXXX");
    int fd = mkstemp(d->path);
    assert_true(fd >= 0);
    close(fd);
    char final[80];
    snprintf(final, sizeof final, "%s.osm", d->path);
    struct ag_error err = {0};
    assert_int_equal(ag_file_write_atomic(final, d->xml.data, d->xml.len, &err), 0);
    int rc = ag_osm_read(final, rules, m, &err);
    if (rc)
        fprintf(stderr, "ag_osm_read: %s\n", err.msg);
    assert_int_equal(rc, 0);
    unlink(final);
    unlink(d->path);
    ag_buf_free(&d->xml);
}

static const struct ag_space *space_of(const struct ag_city_model *m, int64_t id)
{
    for (size_t i = 0; i < m->spaces.len; i++) {
        const struct ag_space *s = &AG_VEC_AT(&m->spaces, struct ag_space, i);
        if (s->ref.id == id)
            return s;
    }
    return NULL;
}

static double geodesic_ring_area(const struct ag_ring *r)
{
    double area, perim;
    double *lats = malloc(r->n * sizeof *lats), *lons = malloc(r->n * sizeof *lons);
    for (size_t i = 0; i < r->n; i++) {
        lats[i] = r->pts[i].lat;
        lons[i] = r->pts[i].lon;
    }
    /* geod_polygonarea takes the ring without its closing vertex. */
    geod_polygonarea(&wgs84, lats, lons, (int)r->n - 1, &area, &perim);
    free(lats);
    free(lons);
    return fabs(area);
}

static double geodesic_line_length(const struct ag_line *l)
{
    double total = 0;
    for (size_t i = 0; i + 1 < l->n; i++) {
        double s12;
        geod_inverse(&wgs84, l->pts[i].lat, l->pts[i].lon, l->pts[i + 1].lat, l->pts[i + 1].lon,
                     &s12, NULL, NULL);
        total += s12;
    }
    return total;
}

static void test_pedestrian_area_is_a_space_with_its_geodesic_area(void **state)
{
    (void)state;
    struct doc d;
    doc_begin(&d);
    node(&d, 1, 0, 0, NULL);
    node(&d, 2, 100, 0, NULL);
    node(&d, 3, 100, 50, NULL);
    node(&d, 4, 0, 50, NULL);
    way(&d, 10, "1 2 3 4 1",
        "<tag k='highway' v='pedestrian'/><tag k='area' v='yes'/><tag k='name' v='Place'/>");
    struct ag_city_model m;
    doc_read(&d, &m);
    assert_int_equal(m.spaces.len, 1);
    const struct ag_space *s = space_of(&m, 10);
    assert_non_null(s);
    assert_string_equal(s->kind, "pedestrian_area");
    assert_string_equal(s->name, "Place");
    double oracle = geodesic_ring_area(&s->geom.polys[0].rings[0]);
    assert_true(fabs(s->area_m2 - oracle) / oracle < 1e-5);
    assert_true(fabs(s->perimeter_m - 300) < 0.5);
    /* An area is not a road: a vehicle crosses it, it does not follow it. */
    assert_int_equal(m.road_edges.len, 0);
    ag_city_model_free(&m);
}

static void test_linear_pedestrian_street_is_buffered_by_its_width(void **state)
{
    (void)state;
    struct doc d;
    doc_begin(&d);
    node(&d, 1, 0, 0, NULL);
    node(&d, 2, 100, 0, NULL);
    node(&d, 3, 0, 100, NULL);
    node(&d, 4, 100, 100, NULL);
    way(&d, 10, "1 2", "<tag k='highway' v='pedestrian'/><tag k='width' v='6 m'/>");
    way(&d, 11, "3 4", "<tag k='highway' v='pedestrian'/>");
    struct ag_city_model m;
    doc_read(&d, &m);
    assert_int_equal(m.spaces.len, 2);
    const struct ag_space *wide = space_of(&m, 10), *plain = space_of(&m, 11);
    /* Flat ends: a rectangle of the street's length by its width. */
    double len = 100.0;
    assert_true(fabs(wide->area_m2 - len * 6.0) / (len * 6.0) < 0.005);
    assert_string_equal(wide->geom_source, "buffer:width=6.0");
    assert_true(fabs(plain->area_m2 - len * 5.0) / (len * 5.0) < 0.005);
    assert_string_equal(plain->geom_source, "buffer:default=5.0");
    assert_string_equal(wide->kind, "pedestrian_street");
    /* A pedestrian street is also a road a vehicle can use. */
    assert_int_equal(m.road_edges.len, 2);
    ag_city_model_free(&m);
}

static void test_multipolygon_with_hole_subtracts_the_hole(void **state)
{
    (void)state;
    struct doc d;
    doc_begin(&d);
    node(&d, 1, 0, 0, NULL);
    node(&d, 2, 200, 0, NULL);
    node(&d, 3, 200, 200, NULL);
    node(&d, 4, 0, 200, NULL);
    node(&d, 5, 50, 50, NULL);
    node(&d, 6, 80, 50, NULL);
    node(&d, 7, 80, 80, NULL);
    node(&d, 8, 50, 80, NULL);
    /* The outer ring in two pieces, the second drawn backwards. */
    way(&d, 20, "1 2 3", "");
    way(&d, 21, "1 4 3", "");
    way(&d, 22, "5 6 7 8 5", "");
    ag_buf_puts(&d.xml, " <relation id='30' version='1'><member type='way' ref='20' role='outer'/>"
                        "<member type='way' ref='21' role='outer'/>"
                        "<member type='way' ref='22' role='inner'/>"
                        "<tag k='type' v='multipolygon'/><tag k='leisure' v='park'/></relation>\n");
    struct ag_city_model m;
    doc_read(&d, &m);
    assert_int_equal(m.spaces.len, 1);
    const struct ag_space *s = space_of(&m, 30);
    assert_string_equal(s->ref.type, "relation");
    assert_string_equal(s->kind, "park");
    assert_int_equal(s->geom.npolys, 1);
    assert_int_equal(s->geom.polys[0].nrings, 2);
    double oracle = geodesic_ring_area(&s->geom.polys[0].rings[0]) -
                    geodesic_ring_area(&s->geom.polys[0].rings[1]);
    assert_true(fabs(s->area_m2 - oracle) / oracle < 1e-5);
    /* By hand, to the 0.5 % that the spherical degree lengths of lon_of and
     * lat_of allow: 200 m x 200 m less 30 m x 30 m. */
    assert_true(fabs(s->area_m2 - (40000 - 900)) / 39100 < 0.005);
    assert_true(fabs(s->perimeter_m - (800 + 120)) / 920 < 0.005);
    ag_city_model_free(&m);
}

static const struct ag_road_edge *edge_of(const struct ag_city_model *m, int64_t way, int seq)
{
    for (size_t i = 0; i < m->road_edges.len; i++) {
        const struct ag_road_edge *e = &AG_VEC_AT(&m->road_edges, struct ag_road_edge, i);
        if (e->osm_way_id == way && e->seq == seq)
            return e;
    }
    return NULL;
}

static const struct ag_road_node *rnode_of(const struct ag_city_model *m, int64_t id)
{
    for (size_t i = 0; i < m->road_nodes.len; i++) {
        const struct ag_road_node *n = &AG_VEC_AT(&m->road_nodes, struct ag_road_node, i);
        if (n->osm_id == id)
            return n;
    }
    return NULL;
}

static void test_road_graph_splits_at_junctions_and_barriers(void **state)
{
    (void)state;
    struct doc d;
    doc_begin(&d);
    /* A cross: way 1 west-east through node 3, way 2 south-north through it,
     * a bollard on the north arm at node 6. */
    node(&d, 1, -100, 0, NULL);
    node(&d, 2, -50, 0, NULL);
    node(&d, 3, 0, 0, NULL);
    node(&d, 4, 100, 0, NULL);
    node(&d, 5, 0, -100, NULL);
    node(&d, 6, 0, 50, "<tag k='barrier' v='bollard'/>");
    node(&d, 7, 0, 100, NULL);
    node(&d, 8, 50, 50, "<tag k='barrier' v='gate'/>");
    way(&d, 1, "1 2 3 4", "<tag k='highway' v='residential'/><tag k='oneway' v='-1'/>");
    way(&d, 2, "5 3 6 7", "<tag k='highway' v='service'/><tag k='incline' v='10%'/>");
    /* Not for vehicles: steps, a footway of unknown width. Wide enough: a
     * footway tagged 3 m. */
    way(&d, 3, "4 7", "<tag k='highway' v='steps'/>");
    way(&d, 4, "1 5", "<tag k='highway' v='footway'/>");
    way(&d, 5, "2 8", "<tag k='highway' v='footway'/><tag k='width' v='3'/>");
    way(&d, 6, "4 8", "<tag k='highway' v='primary'/><tag k='lanes' v='2'/><tag k='junction' v='roundabout'/>");
    struct ag_city_model m;
    doc_read(&d, &m);
    /* way 1: 1-2-3-4 cut at 2 (footway 5 joins) and 3 -> 3 edges;
     * way 2: 5-3-6-7 cut at 3 and the bollard 6 -> 3 edges;
     * way 5: 1 edge; way 6: 1 edge. */
    assert_int_equal(m.road_edges.len, 8);
    assert_null(edge_of(&m, 3, 0));
    assert_null(edge_of(&m, 4, 0));
    assert_non_null(edge_of(&m, 5, 0));
    const struct ag_road_edge *e = edge_of(&m, 2, 1);
    assert_int_equal(e->from_node, 3);
    assert_int_equal(e->to_node, 6);
    assert_true(fabs(e->incline_pct - 10) < 1e-9);
    assert_int_equal(edge_of(&m, 1, 0)->oneway, -1);
    assert_int_equal(edge_of(&m, 6, 0)->oneway, 1);
    assert_true(fabs(edge_of(&m, 6, 0)->width_m - 6.5) < 1e-9);
    assert_string_equal(edge_of(&m, 6, 0)->width_source, "tag:lanes");
    assert_true(fabs(edge_of(&m, 5, 0)->width_m - 3) < 1e-9);
    assert_string_equal(edge_of(&m, 5, 0)->width_source, "tag:width");
    assert_string_equal(edge_of(&m, 1, 0)->width_source, "default:residential");
    assert_true(isnan(edge_of(&m, 1, 0)->incline_pct));
    /* The bollard stops a vehicle; the gate does not. */
    const struct ag_road_node *b = rnode_of(&m, 6);
    assert_non_null(b);
    assert_string_equal(b->barrier, "bollard");
    assert_true(b->blocks_vehicle);
    const struct ag_road_node *g = rnode_of(&m, 8);
    assert_string_equal(g->barrier, "gate");
    assert_false(g->blocks_vehicle);
    /* Edge lengths are geodesic lengths. */
    for (size_t i = 0; i < m.road_edges.len; i++) {
        const struct ag_road_edge *x = &AG_VEC_AT(&m.road_edges, struct ag_road_edge, i);
        double oracle = geodesic_line_length(&x->geom);
        assert_true(fabs(x->length_m - oracle) / oracle < 1e-5);
    }
    assert_int_equal(m.barriers.len, 2);
    ag_city_model_free(&m);
}

static void test_incomplete_objects_are_skipped_with_a_reason(void **state)
{
    (void)state;
    struct doc d;
    doc_begin(&d);
    node(&d, 1, 0, 0, NULL);
    node(&d, 2, 100, 0, NULL);
    node(&d, 3, 100, 100, NULL);
    /* node 4 is missing, as at the cut edge of an extract */
    way(&d, 10, "1 2 3 4 1", "<tag k='leisure' v='park'/>");
    way(&d, 11, "1 2 3", "<tag k='leisure' v='playground'/>");
    struct ag_city_model m;
    doc_read(&d, &m);
    assert_int_equal(m.spaces.len, 0);
    assert_int_equal(m.skipped.len, 2);
    bool missing = false, open = false;
    for (size_t i = 0; i < m.skipped.len; i++) {
        const struct ag_skip *s = &AG_VEC_AT(&m.skipped, struct ag_skip, i);
        missing |= s->ref.id == 10 && strstr(s->reason, "not in the file");
        open |= s->ref.id == 11 && strstr(s->reason, "not closed");
    }
    assert_true(missing);
    assert_true(open);
    ag_city_model_free(&m);
}

/* The acceptance figure: Place d'Armes (way 4227203) within 0.5 % of
 * its geodesic area. */
static void test_monaco_place_d_armes_area_matches_geodesic(void **state)
{
    (void)state;
    char path[4096];
    snprintf(path, sizeof path, "%s/data/demo/monaco.osm.pbf", getenv("AGORA_SOURCE_DIR"));
    struct ag_city_model m;
    struct ag_error err = {0};
    assert_int_equal(ag_osm_read(path, rules, &m, &err), 0);
    const struct ag_space *s = space_of(&m, 4227203);
    assert_non_null(s);
    assert_string_equal(s->name, "Place d'Armes");
    double oracle = geodesic_ring_area(&s->geom.polys[0].rings[0]);
    assert_true(fabs(s->area_m2 - oracle) / oracle < 0.005);
    ag_city_model_free(&m);
}

static void test_files_that_are_not_osm_are_refused(void **state)
{
    (void)state;
    struct ag_city_model m;
    struct ag_error err = {0};
    assert_int_equal(ag_osm_read("/nonexistent/x.osm.pbf", rules, &m, &err), AG_ENOENT);
    assert_non_null(strstr(err.msg, "/nonexistent/x.osm.pbf"));
    assert_int_equal(ag_osm_read("city.osm.gz", rules, &m, &err), AG_EINVAL);
    assert_non_null(strstr(err.msg, "decompress"));
    assert_int_equal(ag_osm_read("notes.txt", rules, &m, &err), AG_EINVAL);
}

static int setup(void **state)
{
    (void)state;
    geod_init(&wgs84, 6378137, 1 / 298.257223563);
    struct ag_error err = {0};
    int rc = ag_osm_rules_load(&rules, getenv("AGORA_DATA_DIR"), &err);
    if (rc)
        fprintf(stderr, "%s\n", err.msg);
    return rc;
}

static int teardown(void **state)
{
    (void)state;
    ag_osm_rules_free(rules);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pedestrian_area_is_a_space_with_its_geodesic_area),
        cmocka_unit_test(test_linear_pedestrian_street_is_buffered_by_its_width),
        cmocka_unit_test(test_multipolygon_with_hole_subtracts_the_hole),
        cmocka_unit_test(test_road_graph_splits_at_junctions_and_barriers),
        cmocka_unit_test(test_incomplete_objects_are_skipped_with_a_reason),
        cmocka_unit_test(test_monaco_place_d_armes_area_matches_geodesic),
        cmocka_unit_test(test_files_that_are_not_osm_are_refused),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
