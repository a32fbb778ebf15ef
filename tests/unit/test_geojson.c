/* Unit tests for the GeoJSON reader and writer (lib/geo/geojson.c).
 * SPDX-License-Identifier: EUPL-1.2 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agora/geo.h"

/* ---- helpers ---- */

static int read_str(const char *text, const char *name, struct ag_mpoly *mp,
                    char **nm, struct ag_error *err)
{
    return ag_geojson_read_mpoly(text, strlen(text), name, mp, nm, err);
}

static void mpoly_release(struct ag_mpoly *mp)
{
    for (size_t i = 0; i < mp->npolys; i++) {
        for (size_t j = 0; j < mp->polys[i].nrings; j++)
            free(mp->polys[i].rings[j].pts);
        free(mp->polys[i].rings);
    }
    free(mp->polys);
    mp->polys = NULL;
    mp->npolys = 0;
}

static void assert_contains(const char *msg, const char *needle)
{
    if (!strstr(msg, needle))
        fail_msg("message \"%s\" lacks \"%s\"", msg, needle);
}

/* Reads text that must be rejected with `code`, and checks that the message
 * names the file and contains every needle (path, line, reason), and that
 * the outputs were left alone. */
static void expect_reject(const char *text, size_t len, int code,
                          const char *needle1, const char *needle2)
{
    static const char name[] = "market.geojson";
    struct ag_mpoly sentinel = {(struct ag_polygon *)&sentinel, 42};
    struct ag_mpoly mp = sentinel;
    char *nm_sentinel = (char *)name;
    char *nm = nm_sentinel;
    struct ag_error err = {0};
    int rc = ag_geojson_read_mpoly(text, len, name, &mp, &nm, &err);
    if (rc != code)
        fail_msg("expected %s, got %s: %s", ag_errname(code), ag_errname(rc),
                 err.msg);
    assert_int_equal(err.code, code);
    assert_contains(err.msg, "market.geojson: ");
    if (needle1)
        assert_contains(err.msg, needle1);
    if (needle2)
        assert_contains(err.msg, needle2);
    assert_memory_equal(&mp, &sentinel, sizeof mp);
    assert_ptr_equal(nm, nm_sentinel);
}

static void reject(const char *text, int code, const char *needle1,
                   const char *needle2)
{
    expect_reject(text, strlen(text), code, needle1, needle2);
}

static void assert_ll(struct ag_ll p, double lon, double lat)
{
    assert_true(fabs(p.lon - lon) < 1e-12);
    assert_true(fabs(p.lat - lat) < 1e-12);
}

#define SQUARE                                                                \
    "[[7.42,43.73],[7.43,43.73],[7.43,43.74],[7.42,43.74],[7.42,43.73]]"
#define HOLE                                                                  \
    "[[7.422,43.732],[7.422,43.735],[7.425,43.735],[7.425,43.732],"          \
    "[7.422,43.732]]"
#define POLY "{\"type\":\"Polygon\",\"coordinates\":[" SQUARE "]}"

static char *fixture_path(const char *file)
{
    const char *root = getenv("AGORA_SOURCE_DIR");
    static char path[4096];
    snprintf(path, sizeof path, "%s/tests/data/geojson/%s", root ? root : ".",
             file);
    return path;
}

static int read_fixture(const char *file, struct ag_mpoly *mp, char **nm,
                        struct ag_error *err)
{
    struct ag_buf b;
    ag_buf_init(&b, 1 << 20);
    const char *path = fixture_path(file);
    int rc = ag_file_read(path, &b, err);
    if (rc)
        fail_msg("cannot read fixture %s: %s", path, err->msg);
    rc = ag_geojson_read_mpoly(b.data, b.len, file, mp, nm, err);
    ag_buf_free(&b);
    return rc;
}

/* ---- accepted input ---- */

static void test_polygon(void **state)
{
    (void)state;
    struct ag_mpoly mp = {0};
    char *nm = (char *)"x";
    struct ag_error err = {0};
    assert_int_equal(read_str(POLY, "a.geojson", &mp, &nm, &err), 0);
    assert_null(nm);
    assert_int_equal(mp.npolys, 1);
    assert_int_equal(mp.polys[0].nrings, 1);
    assert_int_equal(mp.polys[0].rings[0].n, 5);
    assert_ll(mp.polys[0].rings[0].pts[0], 7.42, 43.73);
    assert_ll(mp.polys[0].rings[0].pts[2], 7.43, 43.74);
    assert_ll(mp.polys[0].rings[0].pts[4], 7.42, 43.73);
    mpoly_release(&mp);
}

static void test_integers_and_exponents(void **state)
{
    (void)state;
    struct ag_mpoly mp = {0};
    struct ag_error err = {0};
    const char *t = "{\"type\":\"Polygon\",\"coordinates\":[[[7,43],[8,43],"
                    "[8,44],[0.75e1,4.4E1],[7,43]]]}";
    assert_int_equal(read_str(t, "a", &mp, NULL, &err), 0);
    assert_ll(mp.polys[0].rings[0].pts[3], 7.5, 44);
    mpoly_release(&mp);
}

static void test_feature_name(void **state)
{
    (void)state;
    struct ag_mpoly mp = {0};
    char *nm = NULL;
    struct ag_error err = {0};
    const char *t = "{\"type\":\"Feature\",\"id\":7,\"properties\":"
                    "{\"name\":\"March\\u00e9 de No\\u00ebl\",\"x\":1},"
                    "\"geometry\":" POLY "}";
    assert_int_equal(read_str(t, "a", &mp, &nm, &err), 0);
    assert_string_equal(nm, "Marché de Noël");
    assert_int_equal(mp.npolys, 1);
    free(nm);
    mpoly_release(&mp);

    /* A name that is not a string, or no properties at all: no name. */
    const char *t2 = "{\"type\":\"Feature\",\"properties\":{\"name\":12},"
                     "\"geometry\":" POLY "}";
    nm = (char *)"x";
    assert_int_equal(read_str(t2, "a", &mp, &nm, &err), 0);
    assert_null(nm);
    mpoly_release(&mp);
    const char *t3 = "{\"type\":\"Feature\",\"properties\":null,"
                     "\"geometry\":" POLY "}";
    nm = (char *)"x";
    assert_int_equal(read_str(t3, "a", &mp, &nm, &err), 0);
    assert_null(nm);
    mpoly_release(&mp);
}

static void test_feature_collection(void **state)
{
    (void)state;
    struct ag_mpoly mp = {0};
    char *nm = NULL;
    struct ag_error err = {0};
    const char *t = "{\"type\":\"FeatureCollection\",\"features\":[{\"type\":"
                    "\"Feature\",\"properties\":{\"name\":\"Fête\"},"
                    "\"geometry\":" POLY "}]}";
    assert_int_equal(read_str(t, "a", &mp, &nm, &err), 0);
    assert_string_equal(nm, "Fête");
    assert_int_equal(mp.npolys, 1);
    free(nm);
    mpoly_release(&mp);

    /* An entrance Point alongside the perimeter is ignored. */
    const char *t2 =
        "{\"type\":\"FeatureCollection\",\"features\":["
        "{\"type\":\"Feature\",\"properties\":{\"name\":\"entrance\"},"
        "\"geometry\":{\"type\":\"Point\",\"coordinates\":[7.42,43.73]}},"
        "{\"type\":\"Feature\",\"properties\":null,\"geometry\":null},"
        "{\"type\":\"Feature\",\"properties\":{\"name\":\"site\"},"
        "\"geometry\":" POLY "}]}";
    nm = NULL;
    assert_int_equal(read_str(t2, "a", &mp, &nm, &err), 0);
    assert_string_equal(nm, "site");
    assert_int_equal(mp.polys[0].rings[0].n, 5);
    free(nm);
    mpoly_release(&mp);
}

static void test_multipolygon_hole(void **state)
{
    (void)state;
    struct ag_mpoly mp = {0};
    struct ag_error err = {0};
    const char *t = "{\"type\":\"MultiPolygon\",\"coordinates\":[[" SQUARE
                    "," HOLE "],[[[7.5,43.8],[7.6,43.8],[7.6,43.9],"
                    "[7.5,43.8]]]]}";
    assert_int_equal(read_str(t, "a", &mp, NULL, &err), 0);
    assert_int_equal(mp.npolys, 2);
    assert_int_equal(mp.polys[0].nrings, 2);
    assert_int_equal(mp.polys[0].rings[1].n, 5);
    assert_ll(mp.polys[0].rings[1].pts[1], 7.422, 43.735);
    assert_int_equal(mp.polys[1].nrings, 1);
    assert_int_equal(mp.polys[1].rings[0].n, 4);
    mpoly_release(&mp);
}

static void test_altitude_ignored(void **state)
{
    (void)state;
    struct ag_mpoly mp = {0};
    struct ag_error err = {0};
    const char *t = "{\"type\":\"Polygon\",\"coordinates\":[[[7.42,43.73,12.5],"
                    "[7.43,43.73,13],[7.43,43.74,0],[7.42,43.73,12.5]]]}";
    assert_int_equal(read_str(t, "a", &mp, NULL, &err), 0);
    assert_int_equal(mp.polys[0].rings[0].n, 4);
    assert_ll(mp.polys[0].rings[0].pts[1], 7.43, 43.73);
    mpoly_release(&mp);
}

static void test_bom_and_crs84(void **state)
{
    (void)state;
    struct ag_mpoly mp = {0};
    struct ag_error err = {0};
    const char *t = "\xef\xbb\xbf{\"type\":\"Polygon\",\"crs\":{\"type\":"
                    "\"name\",\"properties\":{\"name\":"
                    "\"urn:ogc:def:crs:OGC:1.3:CRS84\"}},"
                    "\"coordinates\":[" SQUARE "]}";
    assert_int_equal(read_str(t, "a", &mp, NULL, &err), 0);
    mpoly_release(&mp);
}

/* ---- rejected input ---- */

static void test_empty(void **state)
{
    (void)state;
    expect_reject("", 0, AG_EEMPTY, "file is empty", NULL);
    reject(" \n\t\r\n", AG_EEMPTY, "file is empty", NULL);
}

static void test_too_large(void **state)
{
    (void)state;
    size_t len = ((size_t)64 << 20) + 1;
    char *big = malloc(len);
    assert_non_null(big);
    memset(big, ' ', len);
    expect_reject(big, len, AG_ELIMIT, "MiB", NULL);
    free(big);
}

static void test_syntax_error(void **state)
{
    (void)state;
    reject("{\n  \"type\": \"Polygon\",\n  \"coordinates\": [[[1,2],,]]\n}",
           AG_EPARSE, "line 3, column", "JSON syntax error");
    reject("{\"type\":\"Polygon\"} trailing", AG_EPARSE, "line 1, column",
           "JSON syntax error");
    reject("{\"type\":\"Polygon\",\"coordinates\":[[[NaN,1]]]}", AG_EPARSE,
           "JSON syntax error", NULL);
    reject("{\"type\":\"Polygon\",\"coordinates\":[[[1e999,1]]]}", AG_EPARSE,
           "JSON syntax error", NULL);
    /* Invalid UTF-8. */
    reject("{\"type\":\"Polygon\xff\"}", AG_EPARSE, "JSON syntax error", NULL);
    /* Control characters from the file do not reach the terminal. */
    struct ag_error err = {0};
    struct ag_mpoly mp = {0};
    const char *t = "{\"type\":\"Poly\\u001b[31mgon\",\"coordinates\":[]}";
    assert_int_equal(read_str(t, "m", &mp, NULL, &err), AG_EPARSE);
    assert_null(strchr(err.msg, '\x1b'));
    /* Nor do C1 controls (U+009B is CSI on some terminals). */
    t = "{\"type\":\"Poly\\u009b31mgon\",\"coordinates\":[]}";
    assert_int_equal(read_str(t, "m", &mp, NULL, &err), AG_EPARSE);
    assert_null(strstr(err.msg, "\xc2\x9b"));
    assert_contains(err.msg, "found \"Poly?31mgon\"");
    /* Long values are cut on a character boundary. */
    t = "{\"type\":\"\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9"
        "\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9"
        "\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\"}";
    assert_int_equal(read_str(t, "m", &mp, NULL, &err), AG_EPARSE);
    assert_contains(err.msg, "found \"\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9"
                             "\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9"
                             "\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9"
                             "\u00e9...\"");
}

static void test_duplicate_key(void **state)
{
    (void)state;
    reject("{\"type\":\"Polygon\",\n\"type\":\"Polygon\",\"coordinates\":[]}",
           AG_EPARSE, "line 2", "duplicate");
}

static void test_not_an_object(void **state)
{
    (void)state;
    reject("[" SQUARE "]", AG_EPARSE, "expected a GeoJSON object",
           "found an array of 1 element");
    reject("42", AG_EPARSE, "expected a GeoJSON object", "found the number 42");
}

static void test_bad_type(void **state)
{
    (void)state;
    reject("{\"coordinates\":[]}", AG_EPARSE, "type: missing member", NULL);
    reject("{\"type\":3,\"coordinates\":[]}", AG_EPARSE, "type: expected",
           "found the number 3");
    reject("{\"type\":\"LineString\",\"coordinates\":[[1,2],[3,4]]}",
           AG_EPARSE,
           "market.geojson: type: expected \"Polygon\" or \"MultiPolygon\", "
           "found \"LineString\"",
           NULL);
    reject("{\"type\":\"polygon\",\"coordinates\":[]}", AG_EPARSE,
           "found \"polygon\"", "case-sensitive");
    reject("{\"type\":\"Topology\",\"objects\":{}}", AG_EPARSE,
           "\"FeatureCollection\", found \"Topology\"", NULL);
    reject("{\"type\":\"GeometryCollection\",\"geometries\":[" POLY "]}",
           AG_EPARSE, "type: expected \"Polygon\" or \"MultiPolygon\"",
           "found \"GeometryCollection\"");
}

static void test_feature_errors(void **state)
{
    (void)state;
    reject("{\"type\":\"Feature\",\"properties\":{}}", AG_EPARSE,
           "geometry: missing member", NULL);
    reject("{\"type\":\"Feature\",\"properties\":{},\"geometry\":null}",
           AG_EPARSE, "geometry: expected a Polygon or MultiPolygon",
           "found null");
    reject("{\"type\":\"Feature\",\"geometry\":{\"type\":\"Point\","
           "\"coordinates\":[1,2]}}",
           AG_EPARSE, "geometry.type: expected", "found \"Point\"");
    reject("{\"type\":\"Feature\",\"geometry\":{\"type\":\"Polygon\"}}",
           AG_EPARSE, "geometry.coordinates: missing member", NULL);
}

static void test_collection_errors(void **state)
{
    (void)state;
    reject("{\"type\":\"FeatureCollection\"}", AG_EPARSE,
           "features: missing member", NULL);
    reject("{\"type\":\"FeatureCollection\",\"features\":{}}", AG_EPARSE,
           "features: expected an array of Features", "found an object");
    reject("{\"type\":\"FeatureCollection\",\"features\":[]}", AG_EPARSE,
           "features: expected exactly one Feature", "found an empty array");
    reject("{\"type\":\"FeatureCollection\",\"features\":[{\"type\":"
           "\"Feature\",\"geometry\":{\"type\":\"LineString\","
           "\"coordinates\":[[1,2],[3,4]]}}]}",
           AG_EPARSE,
           "market.geojson: features[0].geometry.type: expected \"Polygon\" "
           "or \"MultiPolygon\", found \"LineString\"",
           NULL);
    reject("{\"type\":\"FeatureCollection\",\"features\":[{\"type\":"
           "\"Feature\",\"geometry\":" POLY "},{\"type\":\"Feature\","
           "\"geometry\":{\"type\":\"Point\",\"coordinates\":[1,2]}},{\"type\":"
           "\"Feature\",\"geometry\":" POLY "}]}",
           AG_EPARSE, "features: expected exactly one Feature",
           "found 2 (features[0], features[2])");
    reject("{\"type\":\"FeatureCollection\",\"features\":[{\"type\":"
           "\"Feature\",\"geometry\":null},{\"type\":\"Feature\","
           "\"geometry\":{\"type\":\"Point\",\"coordinates\":[1,2]}}]}",
           AG_EPARSE, "found none among 2 Features", NULL);
    reject("{\"type\":\"FeatureCollection\",\"features\":[{\"type\":"
           "\"Feature\",\"geometry\":" POLY "}, 3]}",
           AG_EPARSE, "features[1]: expected a Feature object",
           "found the number 3");
    reject("{\"type\":\"FeatureCollection\",\"features\":[" POLY "]}",
           AG_EPARSE, "features[0].type: expected \"Feature\"",
           "found \"Polygon\"");
    /* The path goes all the way down to the position. */
    reject("{\"type\":\"FeatureCollection\",\"features\":[{\"type\":"
           "\"Feature\",\"geometry\":{\"type\":\"Polygon\",\"coordinates\":"
           "[[[7.42,43.73],[7.43,43.73],[7.43,\"43.74\"],[7.42,43.73]]]}}]}",
           AG_EPARSE, "features[0].geometry.coordinates[0][2][1]: expected a "
                      "number (latitude), found \"43.74\"",
           NULL);
}

static void test_ring_errors(void **state)
{
    (void)state;
    reject("{\"type\":\"Polygon\",\"coordinates\":[[[7.42,43.73],[7.43,43.73],"
           "[7.43,43.74],[7.42,43.74]]]}",
           AG_EGEOM, "coordinates[0]: linear ring is not closed", "3.1.6");
    reject("{\"type\":\"Polygon\",\"coordinates\":[[[7.42,43.73],[7.43,43.73],"
           "[7.42,43.73]]]}",
           AG_EGEOM, "coordinates[0]: a linear ring needs at least 4",
           "found 3");
    reject("{\"type\":\"MultiPolygon\",\"coordinates\":[[" SQUARE "],[" SQUARE
           ",[[7.42,43.73],[7.43,43.73],[7.43,43.74],[7.42,43.74]]]]}",
           AG_EGEOM, "coordinates[1][1]: linear ring is not closed", NULL);
    reject("{\"type\":\"Polygon\",\"coordinates\":[]}", AG_EGEOM,
           "coordinates: a polygon needs at least its outer ring", NULL);
    reject("{\"type\":\"MultiPolygon\",\"coordinates\":[]}", AG_EGEOM,
           "coordinates: a MultiPolygon needs at least one polygon", NULL);
    reject("{\"type\":\"Polygon\",\"coordinates\":{}}", AG_EPARSE,
           "coordinates: expected an array of linear rings", NULL);
    reject("{\"type\":\"MultiPolygon\",\"coordinates\":[3]}", AG_EPARSE,
           "coordinates[0]: expected an array of linear rings",
           "found the number 3");
    reject("{\"type\":\"Polygon\",\"coordinates\":[\"ring\"]}", AG_EPARSE,
           "coordinates[0]: expected a linear ring", "found \"ring\"");
    /* One nesting level short: the position is reported, not the count. */
    reject("{\"type\":\"Polygon\",\"coordinates\":[[7.42,43.73]]}", AG_EPARSE,
           "coordinates[0][0]: expected [longitude, latitude] numbers",
           "found the number 7.42");
}

static void test_position_errors(void **state)
{
    (void)state;
    reject("{\"type\":\"Polygon\",\"coordinates\":[[[7.42,43.73],[7.43,43.73],"
           "[7.43,43.74],\"x\",[7.42,43.73]]]}",
           AG_EPARSE,
           "coordinates[0][3]: expected [longitude, latitude] numbers", NULL);
    reject("{\"type\":\"Polygon\",\"coordinates\":[[[7.42,43.73],[7.43],"
           "[7.43,43.74],[7.42,43.73]]]}",
           AG_EPARSE, "coordinates[0][1]: expected [longitude, latitude]",
           "found an array of 1 element");
    reject("{\"type\":\"Polygon\",\"coordinates\":[[[7.42,43.73,1,2],[7.43,"
           "43.73],[7.43,43.74],[7.42,43.73,1,2]]]}",
           AG_EPARSE, "coordinates[0][0]: expected [longitude, latitude] or",
           "array of 4 elements");
    reject("{\"type\":\"Polygon\",\"coordinates\":[[[7.42,43.73,\"high\"],"
           "[7.43,43.73],[7.43,43.74],[7.42,43.73]]]}",
           AG_EPARSE, "coordinates[0][0][2]: expected a number (altitude)",
           NULL);
    reject("{\"type\":\"Polygon\",\"coordinates\":[[[7.42,43.73],[null,43.73],"
           "[7.43,43.74],[7.42,43.73]]]}",
           AG_EPARSE, "coordinates[0][1][0]: expected a number (longitude)",
           "found null");
    reject("{\"type\":\"Polygon\",\"coordinates\":[[[7.42,43.73],[180.5,43.73],"
           "[7.43,43.74],[7.42,43.73]]]}",
           AG_EPARSE, "coordinates[0][1]: longitude 180.5 is outside", NULL);
    reject("{\"type\":\"Polygon\",\"coordinates\":[[[7.42,43.73],[7.43,-90.01],"
           "[7.43,43.74],[7.42,43.73]]]}",
           AG_EPARSE, "coordinates[0][1]: latitude -90.01 is outside", NULL);
    /* Latitude first. */
    reject("{\"type\":\"Polygon\",\"coordinates\":[[[43.73,117.42],[43.73,"
           "117.43],[43.74,117.43],[43.73,117.42]]]}",
           AG_EPARSE, "coordinates[0][0]: latitude 117.42", "swapped");
    /* Lambert-93 metres. */
    reject("{\"type\":\"Polygon\",\"coordinates\":[[[1044000,6300000],"
           "[1044040,6300000],[1044040,6300030],[1044000,6300000]]]}",
           AG_EPARSE, "coordinates[0][0]: longitude 1044000", "projected");
    /* Boundaries are allowed. */
    struct ag_mpoly mp = {0};
    struct ag_error err = {0};
    assert_int_equal(read_str("{\"type\":\"Polygon\",\"coordinates\":[[[-180,"
                              "-90],[180,-90],[180,90],[-180,-90]]]}",
                              "a", &mp, NULL, &err),
                     0);
    mpoly_release(&mp);
}

static void test_crs_projected(void **state)
{
    (void)state;
    reject("{\"type\":\"FeatureCollection\",\"crs\":{\"type\":\"name\","
           "\"properties\":{\"name\":\"urn:ogc:def:crs:EPSG::2154\"}},"
           "\"features\":[]}",
           AG_EPARSE, "crs: coordinates are in \"urn:ogc:def:crs:EPSG::2154\"",
           "EPSG:4326");
}

static void test_null_args(void **state)
{
    (void)state;
    struct ag_mpoly mp = {0};
    struct ag_error err = {0};
    assert_int_equal(ag_geojson_read_mpoly(NULL, 3, "a", &mp, NULL, &err),
                     AG_EINVAL);
    assert_int_equal(ag_geojson_read_mpoly(POLY, strlen(POLY), "a", NULL,
                                           NULL, &err),
                     AG_EINVAL);
    /* err may be NULL. */
    assert_int_equal(ag_geojson_read_mpoly("[", 1, NULL, &mp, NULL, NULL),
                     AG_EPARSE);
    /* A missing name still gives a readable message. */
    assert_int_equal(ag_geojson_read_mpoly("[", 1, NULL, &mp, NULL, &err),
                     AG_EPARSE);
    assert_contains(err.msg, "GeoJSON: line 1");
}

/* ---- writing ---- */

static void test_write_format(void **state)
{
    (void)state;
    struct ag_ll pts[] = {{7.42, 43.73},  {7.4300000001, 43.73},
                          {7.43, 43.74},  {-1e-9, -0.0},
                          {-180, 90},     {7.42, 43.73}};
    struct ag_ring ring = {pts, 6};
    struct ag_polygon poly = {&ring, 1};
    struct ag_mpoly mp = {&poly, 1};
    struct ag_buf b;
    ag_buf_init(&b, 1 << 16);
    assert_int_equal(ag_geojson_write_mpoly(&b, &mp), 0);
    assert_string_equal(b.data,
                        "{\"type\":\"Polygon\",\"coordinates\":[[[7.42,43.73],"
                        "[7.43,43.73],[7.43,43.74],[0,0],[-180,90],"
                        "[7.42,43.73]]]}");
    ag_buf_reset(&b);

    struct ag_polygon two[] = {poly, poly};
    struct ag_mpoly mp2 = {two, 2};
    assert_int_equal(ag_geojson_write_mpoly(&b, &mp2), 0);
    static const char head[] =
        "{\"type\":\"MultiPolygon\",\"coordinates\":[[[[7.42,43.73],";
    assert_memory_equal(b.data, head, sizeof head - 1);
    assert_contains(b.data, "]]],[[[7.42,43.73],");
    ag_buf_reset(&b);

    struct ag_line l = {pts, 3};
    assert_int_equal(ag_geojson_write_line(&b, &l), 0);
    assert_string_equal(b.data, "{\"type\":\"LineString\",\"coordinates\":"
                                "[[7.42,43.73],[7.43,43.73],[7.43,43.74]]}");
    ag_buf_reset(&b);

    struct ag_line empty = {NULL, 0};
    assert_int_equal(ag_geojson_write_line(&b, &empty), 0);
    assert_string_equal(b.data,
                        "{\"type\":\"LineString\",\"coordinates\":[]}");
    ag_buf_free(&b);
}

static void test_write_errors(void **state)
{
    (void)state;
    struct ag_ll pts[] = {{7.42, 43.73}, {7.43, 43.73}, {7.43, 43.74},
                          {7.42, 43.73}};
    struct ag_ring ring = {pts, 4};
    struct ag_polygon poly = {&ring, 1};
    struct ag_mpoly mp = {&poly, 1};
    struct ag_buf b;

    /* Too small a buffer: AG_ELIMIT, and what was there before stays. */
    ag_buf_init(&b, 40);
    assert_int_equal(ag_buf_puts(&b, "prefix"), 0);
    assert_int_equal(ag_geojson_write_mpoly(&b, &mp), AG_ELIMIT);
    assert_string_equal(b.data, "prefix");
    assert_int_equal(b.len, 6);
    struct ag_line l = {pts, 4};
    assert_int_equal(ag_geojson_write_line(&b, &l), AG_ELIMIT);
    assert_string_equal(b.data, "prefix");
    ag_buf_free(&b);

    /* JSON cannot hold NaN or infinity. */
    ag_buf_init(&b, 1 << 16);
    pts[2].lat = NAN;
    assert_int_equal(ag_geojson_write_mpoly(&b, &mp), AG_EINVAL);
    assert_int_equal(ag_geojson_write_line(&b, &l), AG_EINVAL);
    pts[2].lat = INFINITY;
    assert_int_equal(ag_geojson_write_mpoly(&b, &mp), AG_EINVAL);
    assert_int_equal(b.len, 0);
    assert_int_equal(ag_geojson_write_mpoly(&b, NULL), AG_EINVAL);
    assert_int_equal(ag_geojson_write_line(NULL, &l), AG_EINVAL);
    ag_buf_free(&b);
}

static void assert_same_mpoly(const struct ag_mpoly *a,
                              const struct ag_mpoly *b, double tol)
{
    assert_int_equal(a->npolys, b->npolys);
    for (size_t i = 0; i < a->npolys; i++) {
        assert_int_equal(a->polys[i].nrings, b->polys[i].nrings);
        for (size_t j = 0; j < a->polys[i].nrings; j++) {
            const struct ag_ring *ra = &a->polys[i].rings[j];
            const struct ag_ring *rb = &b->polys[i].rings[j];
            assert_int_equal(ra->n, rb->n);
            for (size_t k = 0; k < ra->n; k++) {
                assert_true(fabs(ra->pts[k].lon - rb->pts[k].lon) <= tol);
                assert_true(fabs(ra->pts[k].lat - rb->pts[k].lat) <= tol);
            }
        }
    }
}

static void test_round_trip(void **state)
{
    (void)state;
    /* Coordinates with more digits than are written: they come back within
     * 1e-7 degrees. */
    const char *t =
        "{\"type\":\"MultiPolygon\",\"coordinates\":"
        "[[[[7.123456789,43.987654321],"
        "[-179.99999996,43.1],[-0.00000004,-89.99999999],"
        "[7.123456789,43.987654321]]," HOLE "],[" SQUARE "]]}";
    struct ag_mpoly a = {0}, b2 = {0};
    struct ag_error err = {0};
    assert_int_equal(read_str(t, "a", &a, NULL, &err), 0);
    struct ag_buf b;
    ag_buf_init(&b, 1 << 16);
    assert_int_equal(ag_geojson_write_mpoly(&b, &a), 0);
    int rc = ag_geojson_read_mpoly(b.data, b.len, "out", &b2, NULL, &err);
    if (rc)
        fail_msg("%s\n%s", err.msg, b.data);
    assert_same_mpoly(&a, &b2, 1e-7);
    mpoly_release(&b2);

    /* A single polygon comes back as a Polygon, exactly when its
     * coordinates have 7 decimals or fewer. */
    mpoly_release(&a);
    ag_buf_reset(&b);
    assert_int_equal(read_str(POLY, "a", &a, NULL, &err), 0);
    assert_int_equal(ag_geojson_write_mpoly(&b, &a), 0);
    assert_string_equal(b.data, POLY);
    assert_int_equal(ag_geojson_read_mpoly(b.data, b.len, "out", &b2, NULL,
                                           &err),
                     0);
    assert_same_mpoly(&a, &b2, 0);
    mpoly_release(&a);
    mpoly_release(&b2);
    ag_buf_free(&b);
}

/* ---- fixtures used by the CLI tests ---- */

static void test_fixtures(void **state)
{
    (void)state;
    struct ag_mpoly mp = {0};
    char *nm = NULL;
    struct ag_error err = {0};

    assert_int_equal(read_fixture("market.geojson", &mp, &nm, &err), 0);
    assert_string_equal(nm, "Marché de Noël");
    assert_int_equal(mp.npolys, 1);
    assert_int_equal(mp.polys[0].rings[0].n, 5);
    const struct ag_ll *p = mp.polys[0].rings[0].pts;
    /* About 40 m by 30 m at 43.73° N (80 567 m per degree of longitude,
     * 111 107 m per degree of latitude on WGS 84). */
    assert_true(fabs((p[1].lon - p[0].lon) * 80567.0 - 40.0) < 0.05);
    assert_true(fabs((p[2].lat - p[1].lat) * 111107.0 - 30.0) < 0.05);
    free(nm);
    nm = NULL;
    mpoly_release(&mp);

    /* Valid GeoJSON: self-intersection is ag_mpoly_validate's business. */
    assert_int_equal(read_fixture("bowtie.geojson", &mp, NULL, &err), 0);
    assert_int_equal(mp.polys[0].rings[0].n, 5);
    mpoly_release(&mp);

    assert_int_equal(read_fixture("line.geojson", &mp, &nm, &err), AG_EPARSE);
    assert_string_equal(err.msg,
                        "line.geojson: geometry.type: expected \"Polygon\" or "
                        "\"MultiPolygon\", found \"LineString\"");
    assert_null(nm);

    assert_int_equal(read_fixture("broken.geojson", &mp, &nm, &err),
                     AG_EPARSE);
    assert_contains(err.msg, "broken.geojson: line 3, column ");
    assert_contains(err.msg, "JSON syntax error");

    assert_int_equal(read_fixture("empty.geojson", &mp, &nm, &err),
                     AG_EEMPTY);
    assert_string_equal(err.msg, "empty.geojson: file is empty");
    assert_null(mp.polys);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_polygon),
        cmocka_unit_test(test_integers_and_exponents),
        cmocka_unit_test(test_feature_name),
        cmocka_unit_test(test_feature_collection),
        cmocka_unit_test(test_multipolygon_hole),
        cmocka_unit_test(test_altitude_ignored),
        cmocka_unit_test(test_bom_and_crs84),
        cmocka_unit_test(test_empty),
        cmocka_unit_test(test_too_large),
        cmocka_unit_test(test_syntax_error),
        cmocka_unit_test(test_duplicate_key),
        cmocka_unit_test(test_not_an_object),
        cmocka_unit_test(test_bad_type),
        cmocka_unit_test(test_feature_errors),
        cmocka_unit_test(test_collection_errors),
        cmocka_unit_test(test_ring_errors),
        cmocka_unit_test(test_position_errors),
        cmocka_unit_test(test_crs_projected),
        cmocka_unit_test(test_null_args),
        cmocka_unit_test(test_write_format),
        cmocka_unit_test(test_write_errors),
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_fixtures),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
