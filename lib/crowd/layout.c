/* Event layouts: a GeoJSON FeatureCollection that draws the perimeter of
 * an event, its obstacles (stages, stalls, fences) and its exits, read
 * strictly into the geometry of the crowd tiers.
 *
 * The file comes from whoever planned the event, often drawn by hand in a
 * GIS tool, so every refusal names the feature at fault by its index in
 * "features" (and its name when it has one) and says what was expected:
 * the person who reads the message has to find the feature and fix it.
 * On failure nothing is returned: the geometry is built in locals.
 * SPDX-License-Identifier: EUPL-1.2 */
#include "agora/crowd.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A layout is a few hundred features; 16 MiB of text is far beyond any. */
#define LAYOUT_MAX_TEXT ((size_t)16 << 20)
#define LAYOUT_MAX_FEATURES 100000
#define LAYOUT_MAX_POINTS 2000000

enum role { ROLE_AREA, ROLE_OBSTACLE, ROLE_FENCE, ROLE_EXIT };

struct lring {
    struct ag_ll *pts;
    size_t n;
};

/* One polygon: rings[0] outer, others holes; or one line (nrings 1). */
struct lshape {
    size_t feature; /* 0-based index in features */
    enum role role;
    struct lring *rings;
    size_t nrings;
    char *name;
    double width_m; /* exits: NAN when not given */
    bool stairs;
};

struct lctx {
    const char *src;
    struct ag_error *err;
    struct lshape *shapes;
    size_t n, cap;
    size_t points;
    char label[160]; /* "features[3] (North gate)" */
};

static void shapes_free(struct lctx *c)
{
    for (size_t i = 0; i < c->n; i++) {
        for (size_t j = 0; j < c->shapes[i].nrings; j++)
            free(c->shapes[i].rings[j].pts);
        free(c->shapes[i].rings);
        free(c->shapes[i].name);
    }
    free(c->shapes);
    c->shapes = NULL;
    c->n = c->cap = 0;
}

static int fail(struct lctx *c, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int fail(struct lctx *c, int code, const char *fmt, ...)
{
    char detail[700];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(detail, sizeof detail, fmt, ap);
    va_end(ap);
    if (c->label[0])
        return ag_error_set(c->err, code, "%s: %s: %s", c->src, c->label, detail);
    return ag_error_set(c->err, code, "%s: %s", c->src, detail);
}

/* A name fit for a message: printable ASCII kept, the rest '?', cut. */
static void clean(char *dst, size_t cap, const char *s)
{
    size_t n = 0;
    for (; s && *s && n + 4 < cap; s++)
        dst[n++] = (*s >= 0x20 && *s < 0x7f) ? *s : '?';
    if (s && *s && n + 4 >= cap) {
        memcpy(dst + n, "...", 3);
        n += 3;
    }
    dst[n] = '\0';
}

static const char *type_of(const json_t *v)
{
    if (!v)
        return "no value (is \"coordinates\" missing?)";
    switch (json_typeof(v)) {
    case JSON_OBJECT:
        return "an object";
    case JSON_ARRAY:
        return "an array";
    case JSON_STRING:
        return "a string";
    case JSON_INTEGER:
    case JSON_REAL:
        return "a number";
    case JSON_TRUE:
    case JSON_FALSE:
        return "a boolean";
    default:
        return "null";
    }
}

static int read_position(struct lctx *c, const json_t *v, const char *where, size_t k,
                         struct ag_ll *out)
{
    if (!json_is_array(v) || json_array_size(v) < 2 || json_array_size(v) > 3)
        return fail(c, AG_EGEOM, "%s, position %zu: expected [lon, lat], found %s", where, k + 1,
                    type_of(v));
    const json_t *x = json_array_get(v, 0), *y = json_array_get(v, 1);
    if (!json_is_number(x) || !json_is_number(y) ||
        (json_array_size(v) == 3 && !json_is_number(json_array_get(v, 2))))
        return fail(c, AG_EGEOM, "%s, position %zu: coordinates must be numbers", where, k + 1);
    out->lon = json_number_value(x);
    out->lat = json_number_value(y);
    if (!isfinite(out->lon) || !isfinite(out->lat) || fabs(out->lon) > 180 ||
        fabs(out->lat) > 90)
        return fail(c, AG_EGEOM,
                    "%s, position %zu: (%g, %g) is not a WGS 84 longitude and latitude "
                    "(RFC 7946: [lon, lat] in degrees)",
                    where, k + 1, out->lon, out->lat);
    return 0;
}

static int read_positions(struct lctx *c, const json_t *arr, const char *where, bool ring,
                          struct lring *out)
{
    if (!json_is_array(arr))
        return fail(c, AG_EGEOM, "%s: expected an array of positions, found %s", where,
                    type_of(arr));
    size_t n = json_array_size(arr);
    if (ring && n < 4)
        return fail(c, AG_EGEOM, "%s: a ring needs at least 4 positions, found %zu", where, n);
    if (!ring && n < 2)
        return fail(c, AG_EGEOM, "%s: a line needs at least 2 positions, found %zu", where, n);
    if (c->points + n > LAYOUT_MAX_POINTS)
        return fail(c, AG_ELIMIT, "more than %d positions in the layout", LAYOUT_MAX_POINTS);
    c->points += n;
    out->pts = malloc(n * sizeof *out->pts);
    if (!out->pts)
        return fail(c, AG_ENOMEM, "out of memory");
    out->n = n;
    for (size_t k = 0; k < n; k++) {
        int rc = read_position(c, json_array_get(arr, k), where, k, &out->pts[k]);
        if (rc)
            return rc;
    }
    if (ring && (out->pts[0].lon != out->pts[n - 1].lon || out->pts[0].lat != out->pts[n - 1].lat))
        return fail(c, AG_EGEOM, "%s: the ring is not closed (the last position must repeat "
                                 "the first)",
                    where);
    return 0;
}

static struct lshape *new_shape(struct lctx *c, size_t feature, enum role role, size_t nrings)
{
    struct lshape *ns = ag_grow(c->shapes, &c->cap, c->n + 1, sizeof *ns, 16);
    if (!ns)
        return NULL;
    c->shapes = ns;
    struct lshape *s = &ns[c->n];
    memset(s, 0, sizeof *s);
    s->rings = calloc(nrings ? nrings : 1, sizeof *s->rings);
    if (!s->rings)
        return NULL;
    c->n++;
    s->feature = feature;
    s->role = role;
    s->width_m = NAN;
    return s;
}

static int read_polygon(struct lctx *c, const json_t *coords, size_t fi, enum role role,
                        const char *where, const char *name)
{
    if (!json_is_array(coords) || json_array_size(coords) == 0)
        return fail(c, AG_EGEOM, "%s: a Polygon needs an array of rings", where);
    size_t nr = json_array_size(coords);
    struct lshape *s = new_shape(c, fi, role, nr);
    if (!s)
        return fail(c, AG_ENOMEM, "out of memory");
    if (name && !(s->name = ag_strdup(name)))
        return fail(c, AG_ENOMEM, "out of memory");
    for (size_t r = 0; r < nr; r++) {
        char w[96];
        snprintf(w, sizeof w, "%s ring %zu", where, r + 1);
        int rc = read_positions(c, json_array_get(coords, r), w, true, &s->rings[r]);
        s->nrings = r + 1;
        if (rc)
            return rc;
    }
    return 0;
}

static int read_line(struct lctx *c, const json_t *coords, size_t fi, enum role role,
                     const char *where, struct lshape **out)
{
    struct lshape *s = new_shape(c, fi, role, 1);
    if (!s)
        return fail(c, AG_ENOMEM, "out of memory");
    s->nrings = 1;
    *out = s;
    return read_positions(c, coords, where, false, &s->rings[0]);
}

static const char *const ROLE_NAMES[] = {"area", "obstacle", "fence", "exit"};

static int read_feature(struct lctx *c, const json_t *f, size_t fi)
{
    snprintf(c->label, sizeof c->label, "features[%zu]", fi);
    if (!json_is_object(f))
        return fail(c, AG_EPARSE, "expected a Feature object, found %s", type_of(f));
    const char *ftype = json_string_value(json_object_get(f, "type"));
    if (!ftype || strcmp(ftype, "Feature") != 0)
        return fail(c, AG_EPARSE, "expected \"type\": \"Feature\"");
    const json_t *props = json_object_get(f, "properties");
    if (!json_is_object(props))
        return fail(c, AG_EINVAL,
                    "no properties: every feature needs a \"role\" (area, obstacle, fence or "
                    "exit)");
    const json_t *jname = json_object_get(props, "name");
    const char *name = NULL;
    if (jname && !json_is_null(jname)) {
        name = json_string_value(jname);
        if (!name || !ag_text_ok(name) || strlen(name) > 200)
            return fail(c, AG_EINVAL,
                        "\"name\" must be a string of at most 200 characters of UTF-8 text");
        char clean_name[64];
        clean(clean_name, sizeof clean_name, name);
        snprintf(c->label, sizeof c->label, "features[%zu] (%s)", fi, clean_name);
    }
    const json_t *jrole = json_object_get(props, "role");
    if (!jrole)
        return fail(c, AG_EINVAL,
                    "no \"role\": say what the feature is (area, obstacle, fence or exit)");
    const char *rs = json_string_value(jrole);
    int role = -1;
    for (int i = 0; rs && i < 4; i++)
        if (!strcmp(rs, ROLE_NAMES[i]))
            role = i;
    if (role < 0) {
        char r[64];
        clean(r, sizeof r, rs ? rs : type_of(jrole));
        return fail(c, AG_EINVAL,
                    "unknown role \"%s\" (expected area, obstacle, fence or exit)", r);
    }
    const json_t *geom = json_object_get(f, "geometry");
    if (!json_is_object(geom))
        return fail(c, AG_EGEOM, "no geometry");
    const char *gt = json_string_value(json_object_get(geom, "type"));
    const json_t *coords = json_object_get(geom, "coordinates");
    if (!gt)
        return fail(c, AG_EGEOM, "the geometry has no \"type\"");
    char where[64];
    snprintf(where, sizeof where, "%s", gt);
    if (role == ROLE_AREA || role == ROLE_OBSTACLE) {
        if (!strcmp(gt, "Polygon"))
            return read_polygon(c, coords, fi, (enum role)role, "Polygon", name);
        if (!strcmp(gt, "MultiPolygon")) {
            if (!json_is_array(coords) || !json_array_size(coords))
                return fail(c, AG_EGEOM, "a MultiPolygon needs an array of polygons");
            for (size_t i = 0; i < json_array_size(coords); i++) {
                snprintf(where, sizeof where, "polygon %zu", i + 1);
                int rc = read_polygon(c, json_array_get(coords, i), fi, (enum role)role, where,
                                      name);
                if (rc)
                    return rc;
            }
            return 0;
        }
        return fail(c, AG_EGEOM, "a%s %s must be a Polygon or MultiPolygon, not %.40s",
                    role == ROLE_AREA ? "n" : "n", ROLE_NAMES[role], gt);
    }
    if (role == ROLE_FENCE) {
        struct lshape *s;
        if (!strcmp(gt, "LineString"))
            return read_line(c, coords, fi, ROLE_FENCE, "LineString", &s);
        if (!strcmp(gt, "MultiLineString")) {
            if (!json_is_array(coords) || !json_array_size(coords))
                return fail(c, AG_EGEOM, "a MultiLineString needs an array of lines");
            for (size_t i = 0; i < json_array_size(coords); i++) {
                snprintf(where, sizeof where, "line %zu", i + 1);
                int rc = read_line(c, json_array_get(coords, i), fi, ROLE_FENCE, where, &s);
                if (rc)
                    return rc;
            }
            return 0;
        }
        return fail(c, AG_EGEOM, "a fence must be a LineString or MultiLineString, not %.40s",
                    gt);
    }
    /* exit */
    if (strcmp(gt, "LineString") != 0)
        return fail(c, AG_EGEOM,
                    "an exit must be a LineString across the opening, not %.40s", gt);
    struct lshape *s;
    int rc = read_line(c, coords, fi, ROLE_EXIT, "LineString", &s);
    if (rc)
        return rc;
    if (name && !(s->name = ag_strdup(name)))
        return fail(c, AG_ENOMEM, "out of memory");
    const json_t *w = json_object_get(props, "width_m");
    if (w && !json_is_null(w)) {
        if (!json_is_number(w) || !(json_number_value(w) > 0) ||
            !isfinite(json_number_value(w)))
            return fail(c, AG_EINVAL, "\"width_m\" must be a number of metres above 0");
        s->width_m = json_number_value(w);
    }
    const json_t *st = json_object_get(props, "stairs");
    if (st && !json_is_null(st)) {
        if (!json_is_boolean(st))
            return fail(c, AG_EINVAL, "\"stairs\" must be true or false");
        s->stairs = json_is_true(st);
    }
    return 0;
}

static void project_lring(const struct lring *r, const struct ag_proj *proj, struct ag_xy *out)
{
    for (size_t i = 0; i < r->n; i++)
        out[i] = ag_proj_fwd(proj, r->pts[i]);
}

static double seg_seg_dist(struct ag_xy a, struct ag_xy b, struct ag_xy c, struct ag_xy d)
{
    if (ag_seg_intersect(a, b, c, d, NULL))
        return 0;
    return fmin(fmin(ag_xy_seg_dist(a, c, d), ag_xy_seg_dist(b, c, d)),
                fmin(ag_xy_seg_dist(c, a, b), ag_xy_seg_dist(d, a, b)));
}

static void set_label(struct lctx *c, const struct lshape *s)
{
    if (s->name) {
        char nm[64];
        clean(nm, sizeof nm, s->name);
        snprintf(c->label, sizeof c->label, "features[%zu] (%s)", s->feature, nm);
    } else {
        snprintf(c->label, sizeof c->label, "features[%zu]", s->feature);
    }
}

/* The plane, the rings and the exits; then the walkable area. */
static int build(struct lctx *c, struct ag_crowd_geom *out, struct ag_ll *origin,
                 struct ag_crowd_build_info *info)
{
    size_t narea = 0, nexit = 0;
    struct ag_bbox box = ag_bbox_empty();
    for (size_t i = 0; i < c->n; i++) {
        const struct lshape *s = &c->shapes[i];
        if (s->role == ROLE_AREA) {
            narea++;
            for (size_t k = 0; k < s->rings[0].n; k++)
                ag_bbox_extend(&box, s->rings[0].pts[k].lon, s->rings[0].pts[k].lat);
        }
        nexit += s->role == ROLE_EXIT;
    }
    c->label[0] = '\0';
    if (!narea)
        return fail(c, AG_EINVAL,
                    "no area: draw the perimeter as a Polygon with \"role\": \"area\"");
    if (!nexit)
        return fail(c, AG_EINVAL,
                    "no exit: draw each way out as a LineString with \"role\": \"exit\" across "
                    "the opening");
    if (box.maxx - box.minx > 1 || box.maxy - box.miny > 1)
        return fail(c, AG_ELIMIT,
                    "the area spans more than one degree: a layout is a square or a street, "
                    "not a region");
    struct ag_ll o = {(box.minx + box.maxx) / 2, (box.miny + box.maxy) / 2};
    struct ag_proj *proj = NULL;
    int rc = ag_proj_new(&proj, o.lon, o.lat, c->err);
    if (rc)
        return rc;

    struct ag_crowd_geom area = {0};
    struct ag_crowd_ring *obst = NULL;
    struct ag_crowd_way *fences = NULL;
    size_t nobst = 0, nfence = 0, no = 0, nh = 0;
    for (size_t i = 0; i < c->n; i++) {
        const struct lshape *s = &c->shapes[i];
        if (s->role == ROLE_AREA) {
            no++;
            nh += s->nrings - 1;
        } else if (s->role == ROLE_OBSTACLE) {
            nobst++;
        } else if (s->role == ROLE_FENCE) {
            nfence++;
        }
    }
    area.outer = calloc(no, sizeof *area.outer);
    area.holes = calloc(nh + 1, sizeof *area.holes);
    area.exits = calloc(nexit, sizeof *area.exits);
    obst = calloc(nobst + 1, sizeof *obst);
    fences = calloc(nfence + 1, sizeof *fences);
    nobst = nfence = 0;
    if (!area.outer || !area.holes || !area.exits || !obst || !fences) {
        rc = fail(c, AG_ENOMEM, "out of memory");
        goto done;
    }
    for (size_t i = 0; i < c->n && !rc; i++) {
        const struct lshape *s = &c->shapes[i];
        for (size_t r = 0; r < s->nrings && !rc; r++) {
            struct ag_xy *pts = malloc(s->rings[r].n * sizeof *pts);
            if (!pts) {
                rc = fail(c, AG_ENOMEM, "out of memory");
                break;
            }
            project_lring(&s->rings[r], proj, pts);
            struct ag_crowd_ring ring = {pts, s->rings[r].n};
            if (s->role == ROLE_AREA && r == 0)
                area.outer[area.nouter++] = ring;
            else if (s->role == ROLE_AREA)
                area.holes[area.nholes++] = ring;
            else if (s->role == ROLE_OBSTACLE && r == 0)
                obst[nobst++] = ring;
            else if (s->role == ROLE_FENCE)
                fences[nfence++] = (struct ag_crowd_way){pts, ring.n, 0.2, false, NULL};
            else if (s->role == ROLE_EXIT) {
                struct ag_crowd_exit *x = &area.exits[area.nexits++];
                x->a = pts[0];
                x->b = pts[ring.n - 1];
                x->stairs = s->stairs;
                double len = ag_xy_dist(x->a, x->b);
                free(pts);
                set_label(c, s);
                if (len < 0.05)
                    rc = fail(c, AG_EGEOM,
                              "the exit has no length: draw it across the opening, from one "
                              "side to the other");
                else if (isfinite(s->width_m) && s->width_m > len + AG_CROWD_EXIT_TOL_M)
                    rc = fail(c, AG_EINVAL,
                              "\"width_m\" %.2f is wider than the exit as drawn (%.2f m)",
                              s->width_m, len);
                x->width_m = isfinite(s->width_m) ? s->width_m : len;
                if (!rc && s->name && !(x->name = ag_strdup(s->name)))
                    rc = fail(c, AG_ENOMEM, "out of memory");
            } else {
                free(pts); /* the holes of an obstacle are not walkable */
            }
        }
    }
    /* Every exit on the area's outline, before obstacles change it. */
    for (size_t i = 0, e = 0; i < c->n && !rc; i++) {
        const struct lshape *s = &c->shapes[i];
        if (s->role != ROLE_EXIT)
            continue;
        const struct ag_crowd_exit *x = &area.exits[e++];
        double d = INFINITY;
        for (size_t r = 0; r < area.nouter; r++)
            for (size_t k = 0; k + 1 < area.outer[r].n; k++)
                d = fmin(d, seg_seg_dist(x->a, x->b, area.outer[r].pts[k],
                                         area.outer[r].pts[k + 1]));
        if (d > AG_CROWD_EXIT_TOL_M) {
            set_label(c, s);
            bool inside = false;
            struct ag_xy mid = {(x->a.x + x->b.x) / 2, (x->a.y + x->b.y) / 2};
            for (size_t r = 0; r < area.nouter; r++)
                inside |= ag_xy_ring_contains(area.outer[r].pts, area.outer[r].n, mid);
            rc = fail(c, AG_EGEOM,
                      "exit outside the area: it is %.1f m from the area's outline (%s); an "
                      "exit must lie on the outline, within %.1f m",
                      d, inside ? "inside the area" : "outside the area", AG_CROWD_EXIT_TOL_M);
        }
    }
    c->label[0] = '\0';
    if (!rc) {
        struct ag_crowd_build_params p;
        ag_crowd_build_params_default(&p);
        rc = ag_crowd_geom_build(&area, obst, nobst, fences, nfence, NULL, 0, &p, out, info,
                                 c->err);
        if (rc)
            ag_error_prefix(c->err, "%s", c->src);
    }
    if (!rc) {
        rc = ag_crowd_geom_check(out, c->err);
        if (rc) {
            ag_error_prefix(c->err, "%s: the walkable area left by the obstacles", c->src);
            ag_crowd_geom_free(out);
        }
    }
    if (!rc && origin)
        *origin = o;

done:
    for (size_t i = 0; obst && i < nobst; i++)
        free(obst[i].pts);
    free(obst);
    for (size_t i = 0; fences && i < nfence; i++)
        free((void *)fences[i].pts);
    free(fences);
    ag_crowd_geom_free(&area);
    ag_proj_free(proj);
    return rc;
}

int ag_crowd_layout_read(const char *text, size_t len, const char *name,
                         struct ag_crowd_geom *out, struct ag_ll *origin,
                         struct ag_crowd_build_info *info, struct ag_error *err)
{
    struct lctx c;
    memset(&c, 0, sizeof c);
    c.src = name ? name : "layout";
    c.err = err;
    if (!out || (!text && len))
        return ag_error_set(err, AG_EINVAL, "ag_crowd_layout_read: NULL argument");
    memset(out, 0, sizeof *out);
    if (len > LAYOUT_MAX_TEXT)
        return fail(&c, AG_ELIMIT, "%zu bytes: a layout may have at most %zu MiB", len,
                    LAYOUT_MAX_TEXT >> 20);
    if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0) {
        text += 3;
        len -= 3;
    }
    json_error_t je;
    json_t *root = len ? json_loadb(text, len, JSON_REJECT_DUPLICATES, &je) : NULL;
    if (!root) {
        if (!len)
            return fail(&c, AG_EPARSE, "not valid GeoJSON: the file is empty");
        char what[JSON_ERROR_TEXT_LENGTH];
        clean(what, sizeof what, je.text);
        return fail(&c, AG_EPARSE, "not valid GeoJSON: line %d, column %d: %s", je.line,
                    je.column, what);
    }
    int rc = 0;
    const char *type = json_string_value(json_object_get(root, "type"));
    const json_t *feats = json_object_get(root, "features");
    if (!type || strcmp(type, "FeatureCollection") != 0 || !json_is_array(feats)) {
        rc = fail(&c, AG_EPARSE,
                  "not a layout: expected a GeoJSON FeatureCollection with \"features\"");
    } else if (json_array_size(feats) > LAYOUT_MAX_FEATURES) {
        rc = fail(&c, AG_ELIMIT, "%zu features: a layout may have at most %d",
                  json_array_size(feats), LAYOUT_MAX_FEATURES);
    }
    for (size_t i = 0; !rc && i < json_array_size(feats); i++)
        rc = read_feature(&c, json_array_get(feats, i), i);
    json_decref(root);
    if (!rc)
        rc = build(&c, out, origin, info);
    shapes_free(&c);
    if (rc)
        ag_crowd_geom_free(out);
    return rc;
}
