/* GeoJSON (RFC 7946) perimeters: reading a polygon drawn by a city in a GIS
 * tool, and writing polygons and lines back out.
 *
 * The text comes from outside (an upload, a mail attachment), so the reader
 * trusts nothing: the size is capped, jansson does the JSON syntax (and
 * bounds nesting), and every member is checked before use. Each rejection
 * names the source, the JSON path of the member at fault and what was
 * expected, because the person reading the message is usually the one who
 * drew the perimeter and has to fix it in their GIS tool.
 *
 * On failure the output arguments are not touched and nothing is left
 * allocated: the geometry is built in a local and handed over at the end.
 * SPDX-License-Identifier: EUPL-1.2 */
#include "agora/geo.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A perimeter with 64 MiB of coordinates is millions of vertices: far beyond
 * any public space, and jansson's tree for it already takes about a gigabyte.
 * Anything larger is a mistake or an attack. */
#define GJ_MAX_TEXT ((size_t)64 << 20)

/* Long enough for the deepest path this reader builds
 * ("features[N].geometry.coordinates[N][N][N][N]"). */
#define GJ_PATH_MAX 192

struct gj_ctx {
    const char *name;
    struct ag_error *err;
    char path[GJ_PATH_MAX];
    size_t plen;
};

/* ---- JSON path of the member being read ---- */

static size_t path_key(struct gj_ctx *c, const char *key)
{
    size_t old = c->plen;
    int n = snprintf(c->path + old, sizeof c->path - old, "%s%s",
                     old ? "." : "", key);
    if (n > 0)
        c->plen = old + (size_t)n < sizeof c->path ? old + (size_t)n
                                                   : sizeof c->path - 1;
    return old;
}

static size_t path_index(struct gj_ctx *c, size_t i)
{
    size_t old = c->plen;
    int n = snprintf(c->path + old, sizeof c->path - old, "[%zu]", i);
    if (n > 0)
        c->plen = old + (size_t)n < sizeof c->path ? old + (size_t)n
                                                   : sizeof c->path - 1;
    return old;
}

static void path_pop(struct gj_ctx *c, size_t old)
{
    c->plen = old;
    c->path[old] = '\0';
}

static int gj_fail(struct gj_ctx *c, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int gj_fail(struct gj_ctx *c, int code, const char *fmt, ...)
{
    char detail[640];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(detail, sizeof detail, fmt, ap);
    va_end(ap);
    if (c->plen)
        return ag_error_set(c->err, code, "%s: %s: %s", c->name, c->path,
                            detail);
    return ag_error_set(c->err, code, "%s: %s", c->name, detail);
}

/* ---- describing what was found ---- */

/* Copies untrusted text into a message. Control characters, C0 and C1 (the
 * latter as UTF-8, U+0080..U+009F) become '?' so that a hostile file cannot
 * send escape sequences to the user's terminal; with `ascii`, every byte
 * above 0x7f does too, for text that may not be valid UTF-8 (jansson quotes
 * the raw bytes near a syntax error). Long text is cut on a character
 * boundary and ends with "...". */
static void sanitize(char *dst, size_t cap, const char *src, bool ascii)
{
    const size_t keep = cap > 4 ? cap - 4 : 0;
    const unsigned char *s = (const unsigned char *)src;
    size_t i = 0, n = 0;
    while (s[i] && n < keep) {
        if (s[i] < 0x20 || s[i] == 0x7f || (ascii && s[i] >= 0x80)) {
            dst[n++] = '?';
            i++;
        } else if (s[i] == 0xc2 && s[i + 1] >= 0x80 && s[i + 1] <= 0x9f) {
            dst[n++] = '?';
            i += 2;
        } else {
            dst[n++] = (char)s[i++];
        }
    }
    if (s[i]) {
        while (n > 0 && (s[i] & 0xC0) == 0x80) {
            n--;
            i--;
        }
        memcpy(dst + n, "...", 3);
        n += 3;
    }
    dst[n] = '\0';
}

static const char *describe(const json_t *v, char *buf, size_t cap)
{
    char tmp[52];
    switch (json_typeof(v)) {
    case JSON_OBJECT:
        return "an object";
    case JSON_ARRAY:
        snprintf(buf, cap, "an array of %zu element%s", json_array_size(v),
                 json_array_size(v) == 1 ? "" : "s");
        return buf;
    case JSON_STRING:
        sanitize(tmp, sizeof tmp, json_string_value(v), false);
        snprintf(buf, cap, "\"%s\"", tmp);
        return buf;
    case JSON_INTEGER:
        snprintf(buf, cap, "the number %" JSON_INTEGER_FORMAT,
                 json_integer_value(v));
        return buf;
    case JSON_REAL:
        snprintf(buf, cap, "the number %.15g", json_real_value(v));
        return buf;
    case JSON_TRUE:
        return "true";
    case JSON_FALSE:
        return "false";
    case JSON_NULL:
    default:
        return "null";
    }
}

#define DESC(v) describe((v), (char[96]){0}, 96)

/* ---- type names ---- */

/* RFC 7946 §1.4: GeoJSON types are case-sensitive. Exports that write
 * "polygon" are common enough to deserve a hint rather than a bare "found". */
static bool ascii_caseeq(const char *a, const char *b)
{
    for (; *a && *b; a++, b++) {
        int x = (*a >= 'A' && *a <= 'Z') ? *a + 32 : *a;
        int y = (*b >= 'A' && *b <= 'Z') ? *b + 32 : *b;
        if (x != y)
            return false;
    }
    return *a == *b;
}

static const char *const gj_types[] = {
    "Polygon",         "MultiPolygon", "Point",
    "MultiPoint",      "LineString",   "MultiLineString",
    "GeometryCollection", "Feature",   "FeatureCollection",
};

static const char *case_hint(const char *found)
{
    for (size_t i = 0; i < sizeof gj_types / sizeof gj_types[0]; i++)
        if (strcmp(found, gj_types[i]) != 0 && ascii_caseeq(found, gj_types[i]))
            return " (type names are case-sensitive, RFC 7946 §1.4)";
    return "";
}

static bool is_geometry_type(const char *t)
{
    for (size_t i = 0; i < 7; i++)
        if (strcmp(t, gj_types[i]) == 0)
            return true;
    return false;
}

static bool is_polygonal(const char *t)
{
    return strcmp(t, "Polygon") == 0 || strcmp(t, "MultiPolygon") == 0;
}

/* The "type" member of obj as a string, or NULL after reporting why not.
 * `expected` is the wording for the message ("\"Feature\""). */
static const char *get_type(struct gj_ctx *c, const json_t *obj,
                            const char *expected, int *rc)
{
    const json_t *t = json_object_get(obj, "type");
    size_t old = path_key(c, "type");
    if (!t)
        *rc = gj_fail(c, AG_EPARSE, "missing member; expected %s", expected);
    else if (!json_is_string(t))
        *rc = gj_fail(c, AG_EPARSE, "expected %s, found %s", expected,
                      DESC(t));
    path_pop(c, old);
    return *rc ? NULL : json_string_value(t);
}

static int bad_type(struct gj_ctx *c, const char *found, const char *expected)
{
    char tmp[52];
    sanitize(tmp, sizeof tmp, found, false);
    size_t old = path_key(c, "type");
    int rc = gj_fail(c, AG_EPARSE, "expected %s, found \"%s\"%s", expected,
                     tmp, case_hint(found));
    path_pop(c, old);
    return rc;
}

/* ---- coordinates ---- */

static const char *const axis_name[] = {"longitude", "latitude", "altitude"};

/* RFC 7946 §3.1.1: a position is [longitude, latitude] with an optional
 * altitude, which agora has no use for and drops; more elements "SHOULD
 * NOT" be written, and we refuse them rather than guess what they mean. */
static int read_position(struct gj_ctx *c, const json_t *v, struct ag_ll *out)
{
    size_t n = json_is_array(v) ? json_array_size(v) : 0;
    if (!json_is_array(v) || n < 2)
        return gj_fail(c, AG_EPARSE,
                       "expected [longitude, latitude] numbers, found %s",
                       DESC(v));
    if (n > 3)
        return gj_fail(c, AG_EPARSE,
                       "expected [longitude, latitude] or [longitude, "
                       "latitude, altitude], found an array of %zu elements "
                       "(RFC 7946 §3.1.1)",
                       n);
    double val[3];
    for (size_t i = 0; i < n; i++) {
        const json_t *x = json_array_get(v, i);
        if (!json_is_number(x) || !isfinite(json_number_value(x))) {
            size_t old = path_index(c, i);
            int rc = gj_fail(c, AG_EPARSE, "expected a number (%s), found %s",
                             axis_name[i], DESC(x));
            path_pop(c, old);
            return rc;
        }
        val[i] = json_number_value(x);
    }
    double lon = val[0], lat = val[1];
    if (fabs(lon) > 180.0 || fabs(lat) > 90.0) {
        /* Two mistakes account for nearly all of these: a file exported in
         * a national projection (metres), and latitude written first. */
        const char *hint = "";
        if (fabs(lon) > 1000.0 || fabs(lat) > 1000.0)
            hint = "; these look like projected coordinates: GeoJSON uses "
                   "WGS 84 longitude/latitude in degrees (RFC 7946 §4), "
                   "re-export as EPSG:4326";
        else if (fabs(lat) > 90.0 && fabs(lat) <= 180.0 && fabs(lon) <= 90.0)
            hint = "; are longitude and latitude swapped? GeoJSON puts "
                   "longitude first (RFC 7946 §3.1.1)";
        if (fabs(lon) > 180.0)
            return gj_fail(c, AG_EPARSE,
                           "longitude %.15g is outside -180..180%s", lon, hint);
        return gj_fail(c, AG_EPARSE, "latitude %.15g is outside -90..90%s", lat,
                       hint);
    }
    out->lon = lon;
    out->lat = lat;
    return 0;
}

/* RFC 7946 §3.1.6: a linear ring is closed and has four or more positions. */
static int read_ring(struct gj_ctx *c, const json_t *v, struct ag_ring *out)
{
    if (!json_is_array(v))
        return gj_fail(c, AG_EPARSE,
                       "expected a linear ring (an array of [longitude, "
                       "latitude] positions), found %s",
                       DESC(v));
    size_t n = json_array_size(v);
    struct ag_ll *pts = n ? calloc(n, sizeof *pts) : NULL;
    if (n && !pts)
        return gj_fail(c, AG_ENOMEM, "out of memory for %zu positions", n);
    /* Positions first: a ring that is really one position ([lon, lat] one
     * level too shallow) is better reported as such than as "too short". */
    for (size_t i = 0; i < n; i++) {
        size_t old = path_index(c, i);
        int rc = read_position(c, json_array_get(v, i), &pts[i]);
        path_pop(c, old);
        if (rc) {
            free(pts);
            return rc;
        }
    }
    if (n < 4) {
        free(pts);
        return gj_fail(c, AG_EGEOM,
                       "a linear ring needs at least 4 positions, the last "
                       "repeating the first (RFC 7946 §3.1.6), found %zu",
                       n);
    }
    if (pts[0].lon != pts[n - 1].lon || pts[0].lat != pts[n - 1].lat) {
        int rc = gj_fail(c, AG_EGEOM,
                         "linear ring is not closed: the last position "
                         "[%.15g, %.15g] must repeat the first [%.15g, %.15g] "
                         "(RFC 7946 §3.1.6)",
                         pts[n - 1].lon, pts[n - 1].lat, pts[0].lon,
                         pts[0].lat);
        free(pts);
        return rc;
    }
    out->pts = pts;
    out->n = n;
    return 0;
}

/* The caller frees out->rings (and what is in them) on failure too. */
static int read_polygon(struct gj_ctx *c, const json_t *v,
                        struct ag_polygon *out)
{
    if (!json_is_array(v))
        return gj_fail(c, AG_EPARSE,
                       "expected an array of linear rings, found %s", DESC(v));
    size_t n = json_array_size(v);
    if (n == 0)
        return gj_fail(c, AG_EGEOM,
                       "a polygon needs at least its outer ring, found an "
                       "empty array");
    out->rings = calloc(n, sizeof *out->rings);
    if (!out->rings)
        return gj_fail(c, AG_ENOMEM, "out of memory for %zu rings", n);
    out->nrings = n;
    for (size_t i = 0; i < n; i++) {
        size_t old = path_index(c, i);
        int rc = read_ring(c, json_array_get(v, i), &out->rings[i]);
        path_pop(c, old);
        if (rc)
            return rc;
    }
    return 0;
}

/* A Polygon or MultiPolygon geometry object (RFC 7946 §3.1.6, §3.1.7). */
static int read_geometry(struct gj_ctx *c, const json_t *g,
                         struct ag_mpoly *out)
{
    if (!json_is_object(g))
        return gj_fail(c, AG_EPARSE,
                       "expected a Polygon or MultiPolygon geometry object, "
                       "found %s",
                       DESC(g));
    int rc = 0;
    const char *type = get_type(c, g, "\"Polygon\" or \"MultiPolygon\"", &rc);
    if (!type)
        return rc;
    if (!is_polygonal(type))
        return bad_type(c, type, "\"Polygon\" or \"MultiPolygon\"");
    bool multi = strcmp(type, "MultiPolygon") == 0;

    const json_t *coords = json_object_get(g, "coordinates");
    size_t old = path_key(c, "coordinates");
    if (!coords) {
        rc = gj_fail(c, AG_EPARSE, "missing member; expected %s",
                     multi ? "an array of polygons"
                           : "an array of linear rings");
    } else if (!multi) {
        out->polys = calloc(1, sizeof *out->polys);
        if (!out->polys)
            rc = gj_fail(c, AG_ENOMEM, "out of memory");
        else {
            out->npolys = 1;
            rc = read_polygon(c, coords, &out->polys[0]);
        }
    } else if (!json_is_array(coords)) {
        rc = gj_fail(c, AG_EPARSE,
                     "expected an array of polygons (each an array of "
                     "linear rings), found %s",
                     DESC(coords));
    } else if (json_array_size(coords) == 0) {
        rc = gj_fail(c, AG_EGEOM,
                     "a MultiPolygon needs at least one polygon, found an "
                     "empty array");
    } else {
        size_t n = json_array_size(coords);
        out->polys = calloc(n, sizeof *out->polys);
        if (!out->polys)
            rc = gj_fail(c, AG_ENOMEM, "out of memory for %zu polygons", n);
        else {
            out->npolys = n;
            for (size_t i = 0; i < n && !rc; i++) {
                size_t o2 = path_index(c, i);
                rc = read_polygon(c, json_array_get(coords, i),
                                  &out->polys[i]);
                path_pop(c, o2);
            }
        }
    }
    path_pop(c, old);
    return rc;
}

/* ---- Feature and FeatureCollection ---- */

static int check_feature(struct gj_ctx *c, const json_t *f)
{
    if (!json_is_object(f))
        return gj_fail(c, AG_EPARSE, "expected a Feature object, found %s",
                       DESC(f));
    int rc = 0;
    const char *type = get_type(c, f, "\"Feature\"", &rc);
    if (!type)
        return rc;
    if (strcmp(type, "Feature") != 0)
        return bad_type(c, type, "\"Feature\"");
    return 0;
}

/* RFC 7946 §3.2: "geometry" is a geometry object or null; "properties" an
 * object or null. A missing or odd "properties" only means no name. */
static int read_feature(struct gj_ctx *c, const json_t *f,
                        struct ag_mpoly *out, char **name_prop)
{
    const json_t *g = json_object_get(f, "geometry");
    size_t old = path_key(c, "geometry");
    int rc;
    if (!g)
        rc = gj_fail(c, AG_EPARSE,
                     "missing member; a Feature needs a Polygon or "
                     "MultiPolygon geometry (RFC 7946 §3.2)");
    else
        rc = read_geometry(c, g, out);
    path_pop(c, old);
    if (rc || !name_prop)
        return rc;
    const json_t *props = json_object_get(f, "properties");
    const json_t *nm = json_is_object(props) ? json_object_get(props, "name")
                                             : NULL;
    if (json_is_string(nm)) {
        *name_prop = ag_strdup(json_string_value(nm));
        if (!*name_prop)
            return gj_fail(c, AG_ENOMEM, "out of memory");
    }
    return 0;
}

static bool feature_is_polygonal(const json_t *f)
{
    const json_t *g = json_object_get(f, "geometry");
    const json_t *t = json_is_object(g) ? json_object_get(g, "type") : NULL;
    return json_is_string(t) && is_polygonal(json_string_value(t));
}

/* RFC 7946 §3.3. A perimeter is one polygonal Feature; other Features (a
 * Point marking the entrance, say) may come along and are ignored, but two
 * polygons are refused rather than one of them picked at random. */
static int read_collection(struct gj_ctx *c, const json_t *fc,
                           struct ag_mpoly *out, char **name_prop)
{
    static const char want[] =
        "expected exactly one Feature with a Polygon or MultiPolygon geometry";
    const json_t *feats = json_object_get(fc, "features");
    size_t old = path_key(c, "features");
    int rc = 0;
    if (!feats) {
        rc = gj_fail(c, AG_EPARSE,
                     "missing member; a FeatureCollection needs a "
                     "\"features\" array (RFC 7946 §3.3)");
        goto done;
    }
    if (!json_is_array(feats)) {
        rc = gj_fail(c, AG_EPARSE, "expected an array of Features, found %s",
                     DESC(feats));
        goto done;
    }
    size_t n = json_array_size(feats);
    if (n == 0) {
        rc = gj_fail(c, AG_EPARSE, "%s, found an empty array", want);
        goto done;
    }
    size_t found = 0, first = 0, second = 0;
    for (size_t i = 0; i < n && !rc; i++) {
        const json_t *f = json_array_get(feats, i);
        size_t o2 = path_index(c, i);
        rc = check_feature(c, f);
        path_pop(c, o2);
        /* With a single Feature, read it whatever it holds so that the
         * message points inside it ("features[0].geometry.type: ..."). */
        if (!rc && (n == 1 || feature_is_polygonal(f))) {
            if (found == 0)
                first = i;
            else if (found == 1)
                second = i;
            found++;
        }
    }
    if (rc)
        goto done;
    if (found == 0) {
        rc = gj_fail(c, AG_EPARSE, "%s, found none among %zu Features", want,
                     n);
    } else if (found > 1) {
        rc = gj_fail(c, AG_EPARSE,
                     "%s, found %zu (features[%zu], features[%zu]%s); keep "
                     "one, or merge them into a single MultiPolygon Feature",
                     want, found, first, second, found > 2 ? ", ..." : "");
    } else {
        size_t o2 = path_index(c, first);
        rc = read_feature(c, json_array_get(feats, first), out, name_prop);
        path_pop(c, o2);
    }
done:
    path_pop(c, old);
    return rc;
}

/* The 2008 GeoJSON format allowed a "crs" member; RFC 7946 removed it (§4,
 * Appendix B.1) but GIS tools still write it. When it names anything but
 * WGS 84 longitude/latitude the coordinates cannot be read as degrees, and
 * saying so beats a confusing range error on the first vertex. */
static int check_crs(struct gj_ctx *c, const json_t *root)
{
    const json_t *crs = json_object_get(root, "crs");
    const json_t *props = json_is_object(crs)
                              ? json_object_get(crs, "properties")
                              : NULL;
    const json_t *nm = json_is_object(props) ? json_object_get(props, "name")
                                             : NULL;
    if (!json_is_string(nm))
        return 0;
    const char *s = json_string_value(nm);
    size_t len = strlen(s);
    static const char *const wgs84[] = {"CRS84", "CRS:84", ":4326"};
    for (size_t i = 0; i < sizeof wgs84 / sizeof wgs84[0]; i++) {
        size_t k = strlen(wgs84[i]);
        if (len >= k && strcmp(s + len - k, wgs84[i]) == 0)
            return 0;
    }
    char tmp[52];
    sanitize(tmp, sizeof tmp, s, false);
    size_t old = path_key(c, "crs");
    int rc = gj_fail(c, AG_EPARSE,
                     "coordinates are in \"%s\"; GeoJSON uses WGS 84 "
                     "longitude/latitude (RFC 7946 §4): re-export the file "
                     "as EPSG:4326",
                     tmp);
    path_pop(c, old);
    return rc;
}

static int read_root(struct gj_ctx *c, const json_t *root,
                     struct ag_mpoly *out, char **name_prop)
{
    static const char any[] = "\"Polygon\", \"MultiPolygon\", \"Feature\" or "
                              "\"FeatureCollection\"";
    if (!json_is_object(root))
        return gj_fail(c, AG_EPARSE,
                       "expected a GeoJSON object (a Polygon or MultiPolygon "
                       "geometry, a Feature or a FeatureCollection), found %s",
                       DESC(root));
    int rc = check_crs(c, root);
    if (rc)
        return rc;
    const char *type = get_type(c, root, any, &rc);
    if (!type)
        return rc;
    if (strcmp(type, "Feature") == 0)
        return read_feature(c, root, out, name_prop);
    if (strcmp(type, "FeatureCollection") == 0)
        return read_collection(c, root, out, name_prop);
    if (!is_geometry_type(type))
        return bad_type(c, type, any);
    return read_geometry(c, root, out);
}

static bool only_space(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\n' && s[i] != '\r')
            return false;
    return true;
}

int ag_geojson_read_mpoly(const char *text, size_t len, const char *name,
                          struct ag_mpoly *out, char **name_prop,
                          struct ag_error *err)
{
    struct gj_ctx c = {.name = name ? name : "GeoJSON", .err = err};
    if (!out || (!text && len))
        return ag_error_set(err, AG_EINVAL, "%s: no GeoJSON text or no output",
                            c.name);
    if (len == 0)
        return ag_error_set(err, AG_EEMPTY, "%s: file is empty", c.name);
    if (len > GJ_MAX_TEXT)
        return ag_error_set(err, AG_ELIMIT,
                            "%s: %zu bytes is more than the %zu MiB accepted "
                            "for a GeoJSON perimeter",
                            c.name, len, GJ_MAX_TEXT >> 20);
    /* RFC 8259 §8.1 lets a parser ignore a byte order mark, and some
     * Windows tools write one; jansson would call it an invalid token. */
    if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0) {
        text += 3;
        len -= 3;
    }
    if (only_space(text, len))
        return ag_error_set(err, AG_EEMPTY, "%s: file is empty (white space "
                            "only)", c.name);

    json_error_t jerr;
    json_t *root = json_loadb(text, len,
                              JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &jerr);
    if (!root) {
        if (json_error_code(&jerr) == json_error_out_of_memory)
            return ag_error_set(err, AG_ENOMEM, "%s: out of memory", c.name);
        char what[JSON_ERROR_TEXT_LENGTH];
        sanitize(what, sizeof what, jerr.text, true);
        /* jansson reports column 0 when it stopped on a newline. */
        if (jerr.line > 0 && jerr.column > 0)
            return ag_error_set(err, AG_EPARSE,
                                "%s: line %d, column %d: JSON syntax error: %s",
                                c.name, jerr.line, jerr.column, what);
        if (jerr.line > 0)
            return ag_error_set(err, AG_EPARSE,
                                "%s: line %d: JSON syntax error: %s", c.name,
                                jerr.line, what);
        return ag_error_set(err, AG_EPARSE, "%s: JSON syntax error: %s",
                            c.name, what);
    }

    struct ag_mpoly mp = {0};
    char *nm = NULL;
    int rc = read_root(&c, root, &mp, name_prop ? &nm : NULL);
    json_decref(root);
    if (rc) {
        ag_mpoly_free(&mp);
        free(nm);
        return rc;
    }
    *out = mp;
    if (name_prop)
        *name_prop = nm;
    return 0;
}

/* ---- writing ---- */

/* "%.7f" is about a centimetre on the ground: RFC 7946 §11.2 notes that six
 * decimals (10 cm) usually suffice, but a written perimeter is read back and
 * measured, and one more digit keeps a round trip from moving a vertex
 * visibly. Trailing zeros go (smaller files), and "-0" becomes "0". printf
 * uses '.' here because agora never calls setlocale(LC_NUMERIC). */
static int put_number(struct ag_buf *b, double v)
{
    size_t start = b->len;
    int rc = ag_buf_printf(b, "%.7f", v);
    if (rc)
        return rc;
    char *s = b->data + start;
    size_t n = b->len - start;
    if (memchr(s, '.', n)) {
        while (s[n - 1] == '0')
            n--;
        if (s[n - 1] == '.')
            n--;
    }
    if (n == 2 && s[0] == '-' && s[1] == '0') {
        s[0] = '0';
        n = 1;
    }
    b->len = start + n;
    b->data[b->len] = '\0';
    return 0;
}

static int put_positions(struct ag_buf *b, const struct ag_ll *pts, size_t n)
{
    int rc = ag_buf_puts(b, "[");
    for (size_t i = 0; i < n && !rc; i++) {
        rc = ag_buf_puts(b, i ? ",[" : "[");
        if (!rc)
            rc = put_number(b, pts[i].lon);
        if (!rc)
            rc = ag_buf_puts(b, ",");
        if (!rc)
            rc = put_number(b, pts[i].lat);
        if (!rc)
            rc = ag_buf_puts(b, "]");
    }
    return rc ? rc : ag_buf_puts(b, "]");
}

static bool positions_ok(const struct ag_ll *pts, size_t n)
{
    if (n && !pts)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!isfinite(pts[i].lon) || !isfinite(pts[i].lat))
            return false;
    return true;
}

/* JSON has no NaN or infinity, so such a vertex is refused up front rather
 * than written as invalid JSON. */
static bool mpoly_ok(const struct ag_mpoly *mp)
{
    if (mp->npolys && !mp->polys)
        return false;
    for (size_t i = 0; i < mp->npolys; i++) {
        const struct ag_polygon *p = &mp->polys[i];
        if (p->nrings && !p->rings)
            return false;
        for (size_t j = 0; j < p->nrings; j++)
            if (!positions_ok(p->rings[j].pts, p->rings[j].n))
                return false;
    }
    return true;
}

static int put_polygon(struct ag_buf *b, const struct ag_polygon *p)
{
    int rc = ag_buf_puts(b, "[");
    for (size_t j = 0; j < p->nrings && !rc; j++) {
        if (j)
            rc = ag_buf_puts(b, ",");
        if (!rc)
            rc = put_positions(b, p->rings[j].pts, p->rings[j].n);
    }
    return rc ? rc : ag_buf_puts(b, "]");
}

/* A failed append leaves b as it was, so the caller never sees half a
 * geometry. */
static int undo(struct ag_buf *b, size_t start, int rc)
{
    if (rc && b->data) {
        b->len = start;
        b->data[start] = '\0';
    }
    return rc;
}

int ag_geojson_write_mpoly(struct ag_buf *b, const struct ag_mpoly *mp)
{
    if (!b || !mp || !mpoly_ok(mp))
        return AG_EINVAL;
    size_t start = b->len;
    int rc;
    if (mp->npolys == 1) {
        rc = ag_buf_puts(b, "{\"type\":\"Polygon\",\"coordinates\":");
        if (!rc)
            rc = put_polygon(b, &mp->polys[0]);
    } else {
        rc = ag_buf_puts(b, "{\"type\":\"MultiPolygon\",\"coordinates\":[");
        for (size_t i = 0; i < mp->npolys && !rc; i++) {
            if (i)
                rc = ag_buf_puts(b, ",");
            if (!rc)
                rc = put_polygon(b, &mp->polys[i]);
        }
        if (!rc)
            rc = ag_buf_puts(b, "]");
    }
    if (!rc)
        rc = ag_buf_puts(b, "}");
    return undo(b, start, rc);
}

int ag_geojson_write_line(struct ag_buf *b, const struct ag_line *l)
{
    if (!b || !l || !positions_ok(l->pts, l->n))
        return AG_EINVAL;
    size_t start = b->len;
    int rc = ag_buf_puts(b, "{\"type\":\"LineString\",\"coordinates\":");
    if (!rc)
        rc = put_positions(b, l->pts, l->n);
    if (!rc)
        rc = ag_buf_puts(b, "}");
    return undo(b, start, rc);
}
