/* agora serve: the map layers of a city (roads, buildings, barriers) as
 * GeoJSON per Web-Mercator tile, so the map needs no internet tile server.
 * Each city's features are written to JSON once, on the first request;
 * each tile is assembled once and kept, until the city is imported again.
 * SPDX-License-Identifier: EUPL-1.2 */
#include "server/server.h"

#include "agora/geo.h"
#include "agora/model.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TILE_MIN_ROADS 13 /* major roads from this zoom */
#define TILE_MIN_ALL 15   /* every road, buildings and barriers */
#define TILE_MAX_ZOOM 22
#define TILE_CACHE_MAX 65536 /* tiles kept per city */

struct feat {
    struct ag_bbox bbox;
    bool major; /* a road drawn from TILE_MIN_ROADS */
    char *json; /* the Feature */
    size_t len;
};

struct tile {
    uint64_t key; /* z, x, y packed; 0: empty slot */
    char *json;
    size_t len;
};

struct space_feat {
    int64_t id;
    char *json; /* the Feature up to its "risk" member, which depends on the user */
    size_t len;
};

struct layer {
    int64_t city_id;
    char stamp[64]; /* ag_store_city_stamp: a re-import or a new space changes it */
    struct feat *feats;
    size_t nfeats;
    struct space_feat *spaces;
    size_t nspaces;
    /* the last FeatureCollection of spaces made, and the hash of the risks
     * it was made with: most requests get the same one */
    char *spaces_out;
    size_t spaces_len;
    uint64_t spaces_key;
    struct tile *tiles; /* open addressing, cap a power of two */
    size_t ntiles, cap;
};

struct srv_tiles {
    pthread_mutex_t mu;
    struct layer *layers;
    size_t n;
};

int srv_tiles_new(struct srv_tiles **out)
{
    struct srv_tiles *t = calloc(1, sizeof *t);
    if (!t)
        return AG_ENOMEM;
    pthread_mutex_init(&t->mu, NULL);
    *out = t;
    return 0;
}

static void layer_clear(struct layer *l)
{
    for (size_t i = 0; i < l->nfeats; i++)
        free(l->feats[i].json);
    free(l->feats);
    for (size_t i = 0; i < l->nspaces; i++)
        free(l->spaces[i].json);
    free(l->spaces);
    l->spaces = NULL;
    l->nspaces = 0;
    free(l->spaces_out);
    l->spaces_out = NULL;
    l->spaces_len = 0;
    l->spaces_key = 0;
    for (size_t i = 0; i < l->cap; i++)
        free(l->tiles[i].json);
    free(l->tiles);
    l->feats = NULL;
    l->tiles = NULL;
    l->nfeats = l->ntiles = l->cap = 0;
}

void srv_tiles_free(struct srv_tiles *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < t->n; i++)
        layer_clear(&t->layers[i]);
    free(t->layers);
    pthread_mutex_destroy(&t->mu);
    free(t);
}

static bool is_major(const char *hw)
{
    static const char *const major[] = {
        "motorway",      "trunk",      "primary",      "secondary",      "tertiary",
        "motorway_link", "trunk_link", "primary_link", "secondary_link", "tertiary_link"};
    for (size_t i = 0; hw && i < sizeof major / sizeof major[0]; i++)
        if (!strcmp(hw, major[i]))
            return true;
    return false;
}

static int push(struct ag_vec *v, struct ag_buf *b, struct ag_bbox bb, bool major)
{
    struct feat f = {bb, major, ag_buf_take(b), 0};
    if (!f.json)
        return AG_ENOMEM;
    f.len = strlen(f.json);
    if (!ag_vec_push(v, &f)) {
        free(f.json);
        return AG_ENOMEM;
    }
    return 0;
}

static struct ag_bbox line_bbox(const struct ag_line *l)
{
    struct ag_bbox b = ag_bbox_empty();
    for (size_t i = 0; i < l->n; i++)
        ag_bbox_extend(&b, l->pts[i].lon, l->pts[i].lat);
    return b;
}

/* Writes every feature of the city once. */
static int layer_build(struct ag_store *s, int64_t city, struct ag_vec *out, struct ag_error *err)
{
    struct ag_vec roads, blds, bars;
    ag_vec_init(&roads, sizeof(struct ag_road_edge));
    ag_vec_init(&blds, sizeof(struct ag_building));
    ag_vec_init(&bars, sizeof(struct ag_barrier));
    struct ag_buf b;
    ag_buf_init(&b, (size_t)16 << 20);
    int rc = ag_store_road_edges(s, city, &roads, err);
    if (!rc)
        rc = ag_store_buildings(s, city, &blds, err);
    if (!rc)
        rc = ag_store_barriers(s, city, &bars, err);
    for (size_t i = 0; !rc && i < roads.len; i++) {
        const struct ag_road_edge *e = &AG_VEC_AT(&roads, struct ag_road_edge, i);
        int e2 = ag_buf_puts(&b, "{\"type\":\"Feature\",\"geometry\":");
        if (!e2)
            e2 = ag_geojson_write_line(&b, &e->geom);
        if (!e2)
            e2 = ag_buf_puts(&b, ",\"properties\":{\"layer\":\"road\",\"highway\":");
        if (!e2)
            e2 = json_str(&b, e->highway);
        if (!e2)
            e2 = ag_buf_puts(&b, ",\"name\":");
        if (!e2)
            e2 = json_str(&b, e->name);
        if (!e2)
            e2 = ag_buf_puts(&b, "}}");
        if (!e2)
            e2 = push(out, &b, line_bbox(&e->geom), is_major(e->highway));
        rc = e2 ? ag_error_set(err, e2, "out of memory") : 0;
    }
    for (size_t i = 0; !rc && i < blds.len; i++) {
        const struct ag_building *bd = &AG_VEC_AT(&blds, struct ag_building, i);
        int e2 = ag_buf_puts(&b, "{\"type\":\"Feature\",\"geometry\":");
        if (!e2)
            e2 = ag_geojson_write_mpoly(&b, &bd->geom);
        if (!e2)
            e2 = ag_buf_puts(&b, ",\"properties\":{\"layer\":\"building\",\"name\":");
        if (!e2)
            e2 = json_str(&b, bd->name);
        if (!e2)
            e2 = ag_buf_puts(&b, "}}");
        if (!e2)
            e2 = push(out, &b, bd->bbox, false);
        rc = e2 ? ag_error_set(err, e2, "out of memory") : 0;
    }
    for (size_t i = 0; !rc && i < bars.len; i++) {
        const struct ag_barrier *br = &AG_VEC_AT(&bars, struct ag_barrier, i);
        int e2 = ag_buf_puts(&b, "{\"type\":\"Feature\",\"geometry\":");
        if (!e2 && br->geom.n == 1)
            e2 = ag_buf_printf(&b, "{\"type\":\"Point\",\"coordinates\":[%.7f,%.7f]}",
                               br->geom.pts[0].lon, br->geom.pts[0].lat);
        else if (!e2)
            e2 = ag_geojson_write_line(&b, &br->geom);
        if (!e2)
            e2 = ag_buf_puts(&b, ",\"properties\":{\"layer\":\"barrier\",\"type\":");
        if (!e2)
            e2 = json_str(&b, br->type);
        if (!e2)
            e2 = ag_buf_printf(&b, ",\"blocks_vehicle\":%s}}",
                               br->blocks_vehicle ? "true" : "false");
        if (!e2)
            e2 = push(out, &b, line_bbox(&br->geom), false);
        rc = e2 ? ag_error_set(err, e2, "out of memory") : 0;
    }
    for (size_t i = 0; i < roads.len; i++)
        ag_road_edge_free(&AG_VEC_AT(&roads, struct ag_road_edge, i));
    for (size_t i = 0; i < blds.len; i++)
        ag_building_free(&AG_VEC_AT(&blds, struct ag_building, i));
    for (size_t i = 0; i < bars.len; i++)
        ag_barrier_free(&AG_VEC_AT(&bars, struct ag_barrier, i));
    ag_vec_free(&roads);
    ag_vec_free(&blds);
    ag_vec_free(&bars);
    ag_buf_free(&b);
    return rc;
}

/* Writes every space's Feature up to its risk. */
static int spaces_build(struct ag_store *s, int64_t city, struct ag_vec *out, struct ag_error *err)
{
    struct ag_vec v;
    ag_vec_init(&v, sizeof(struct ag_space));
    struct ag_buf b;
    ag_buf_init(&b, (size_t)64 << 20);
    int rc = ag_store_spaces(s, city, true, &v, err);
    for (size_t i = 0; !rc && i < v.len; i++) {
        const struct ag_space *sp = &AG_VEC_AT(&v, struct ag_space, i);
        int e = ag_buf_puts(&b, "{\"type\":\"Feature\",\"geometry\":");
        if (!e)
            e = ag_geojson_write_mpoly(&b, &sp->geom);
        if (!e)
            e = ag_buf_printf(&b, ",\"properties\":{\"id\":%lld,\"name\":", (long long)sp->id);
        if (!e)
            e = json_str(&b, sp->name);
        if (!e)
            e = ag_buf_puts(&b, ",\"kind\":");
        if (!e)
            e = json_str(&b, sp->kind);
        if (!e)
            e = ag_buf_printf(&b, ",\"osm\":\"%s/%lld\",\"area_m2\":%.1f,\"risk\":", sp->ref.type,
                              (long long)sp->ref.id, sp->area_m2);
        struct space_feat f = {sp->id, e ? NULL : ag_buf_take(&b), 0};
        if (f.json)
            f.len = strlen(f.json);
        if (!f.json || !ag_vec_push(out, &f)) {
            free(f.json);
            rc = ag_error_set(err, AG_ENOMEM, "out of memory");
        }
    }
    for (size_t i = 0; i < v.len; i++)
        ag_space_free(&AG_VEC_AT(&v, struct ag_space, i));
    ag_vec_free(&v);
    ag_buf_free(&b);
    return rc;
}

static struct ag_bbox tile_bbox(int z, int x, int y)
{
    double n = ldexp(1.0, z);
    struct ag_bbox b;
    b.minx = x / n * 360.0 - 180.0;
    b.maxx = (x + 1) / n * 360.0 - 180.0;
    b.maxy = atan(sinh(M_PI * (1 - 2 * y / n))) * 180.0 / M_PI;
    b.miny = atan(sinh(M_PI * (1 - 2 * (y + 1) / n))) * 180.0 / M_PI;
    return b;
}

static int tile_make(const struct layer *l, int z, int x, int y, struct ag_buf *b)
{
    struct ag_bbox t = tile_bbox(z, x, y);
    int rc = ag_buf_puts(b, "{\"type\":\"FeatureCollection\",\"features\":[");
    bool first = true;
    for (size_t i = 0; !rc && z >= TILE_MIN_ROADS && i < l->nfeats; i++) {
        const struct feat *f = &l->feats[i];
        if (z < TILE_MIN_ALL && !f->major)
            continue;
        if (f->bbox.maxx < t.minx || f->bbox.minx > t.maxx || f->bbox.maxy < t.miny ||
            f->bbox.miny > t.maxy)
            continue;
        if (!first)
            rc = ag_buf_puts(b, ",");
        first = false;
        if (!rc)
            rc = ag_buf_append(b, f->json, f->len);
    }
    return rc ? rc : ag_buf_puts(b, "]}");
}

static struct tile *tile_slot(struct layer *l, uint64_t key)
{
    size_t i = (size_t)(key * 11400714819323198485ull) & (l->cap - 1);
    while (l->tiles[i].key && l->tiles[i].key != key)
        i = (i + 1) & (l->cap - 1);
    return &l->tiles[i];
}

/* The city's layer, built or rebuilt when the city changed; called with
 * the mutex held. */
static struct layer *layer_get(struct srv_tiles *t, struct ag_store *st, const struct ag_city *c,
                               struct ag_error *err)
{
    char stamp[64];
    if (ag_store_city_stamp(st, c->id, stamp, err))
        return NULL;
    struct layer *l = NULL;
    for (size_t i = 0; i < t->n; i++)
        if (t->layers[i].city_id == c->id)
            l = &t->layers[i];
    if (!l) {
        struct layer *nl = realloc(t->layers, (t->n + 1) * sizeof *nl);
        if (!nl)
            return ag_error_set(err, AG_ENOMEM, "out of memory"), NULL;
        t->layers = nl;
        l = &t->layers[t->n++];
        memset(l, 0, sizeof *l);
        l->city_id = c->id;
    }
    if (!strcmp(l->stamp, stamp))
        return l;
    layer_clear(l);
    l->stamp[0] = 0;
    struct ag_vec v, sv;
    ag_vec_init(&v, sizeof(struct feat));
    ag_vec_init(&sv, sizeof(struct space_feat));
    int rc = layer_build(st, c->id, &v, err);
    if (!rc)
        rc = spaces_build(st, c->id, &sv, err);
    l->cap = 1024;
    if (!rc && !(l->tiles = calloc(l->cap, sizeof *l->tiles)))
        rc = ag_error_set(err, AG_ENOMEM, "out of memory");
    l->feats = v.data;
    l->nfeats = v.len;
    l->spaces = sv.data;
    l->nspaces = sv.len;
    if (rc) {
        layer_clear(l);
        return NULL;
    }
    snprintf(l->stamp, sizeof l->stamp, "%s", stamp);
    return l;
}

int srv_spaces_json(struct req *r, const struct ag_city *c, const int64_t *ids, char *const *risks,
                    size_t nrisks, struct ag_error *err)
{
    struct srv_tiles *t = r->srv->tiles;
    pthread_mutex_lock(&t->mu);
    uint64_t key = 1469598103934665603ull;
    for (size_t k = 0; k < nrisks; k++) {
        key = (key ^ (uint64_t)ids[k]) * 1099511628211ull;
        for (const char *p = risks[k]; *p; p++)
            key = (key ^ (unsigned char)*p) * 1099511628211ull;
    }
    key |= 1; /* never 0, the empty key */
    struct layer *l = layer_get(t, r->store, c, err);
    int rc = 0;
    if (!l)
        rc = err->code ? err->code : AG_ENOMEM;
    else if (l->spaces_out && l->spaces_key == key)
        rc = ag_buf_append(&r->out, l->spaces_out, l->spaces_len);
    else {
        struct ag_buf b;
        ag_buf_init(&b, (size_t)256 << 20);
        rc = ag_buf_puts(&b, "{\"type\":\"FeatureCollection\",\"features\":[");
        for (size_t i = 0; !rc && i < l->nspaces; i++) {
            const char *risk = "null";
            for (size_t k = 0; k < nrisks; k++)
                if (ids[k] == l->spaces[i].id)
                    risk = risks[k];
            rc = ag_buf_puts(&b, i ? "," : "");
            if (!rc)
                rc = ag_buf_append(&b, l->spaces[i].json, l->spaces[i].len);
            if (!rc)
                rc = ag_buf_puts(&b, risk);
            if (!rc)
                rc = ag_buf_puts(&b, "}}");
        }
        if (!rc)
            rc = ag_buf_puts(&b, "]}");
        if (!rc)
            rc = ag_buf_append(&r->out, b.data, b.len);
        if (!rc) {
            free(l->spaces_out);
            l->spaces_len = b.len;
            l->spaces_out = ag_buf_take(&b);
            l->spaces_key = key;
        }
        ag_buf_free(&b);
    }
    pthread_mutex_unlock(&t->mu);
    if (rc && l)
        rc = ag_error_set(err, rc, "out of memory");
    return rc;
}

int srv_tile_json(struct req *r, const struct ag_city *c, struct ag_error *err)
{
    if (r->z > TILE_MAX_ZOOM || r->x >= (1 << r->z) || r->y >= (1 << r->z))
        return ag_error_set(err, AG_EINVAL,
                            "tile %d/%d/%d: expected zoom 0 to %d and x, y below 2^zoom", r->z,
                            r->x, r->y, TILE_MAX_ZOOM);
    struct srv_tiles *t = r->srv->tiles;
    int rc = 0;
    pthread_mutex_lock(&t->mu);
    struct layer *l = layer_get(t, r->store, c, err);
    if (!l)
        rc = err->code ? err->code : AG_ENOMEM;
    uint64_t key = ((uint64_t)(r->z + 1) << 52) | ((uint64_t)r->x << 26) | (uint64_t)r->y;
    struct tile *tl = rc ? NULL : tile_slot(l, key);
    if (tl && !tl->key) {
        struct ag_buf b;
        ag_buf_init(&b, (size_t)128 << 20);
        rc = tile_make(l, r->z, r->x, r->y, &b);
        if (rc)
            rc = ag_error_set(err, rc, "tile %d/%d/%d: too large", r->z, r->x, r->y);
        else if (l->ntiles < TILE_CACHE_MAX) {
            /* keep it; grow the table at half full */
            if ((l->ntiles + 1) * 2 > l->cap) {
                size_t ncap = l->cap * 2;
                struct tile *nt = calloc(ncap, sizeof *nt);
                if (nt) {
                    struct tile *old = l->tiles;
                    size_t ocap = l->cap;
                    l->tiles = nt;
                    l->cap = ncap;
                    for (size_t i = 0; i < ocap; i++)
                        if (old[i].key)
                            *tile_slot(l, old[i].key) = old[i];
                    free(old);
                    tl = tile_slot(l, key);
                }
            }
            if ((l->ntiles + 1) * 2 <= l->cap) {
                tl->key = key;
                tl->len = b.len;
                tl->json = ag_buf_take(&b);
                l->ntiles++;
            }
        }
        if (!rc && !tl->key) /* not kept: send what was made */
            rc = ag_buf_append(&r->out, b.data, b.len);
        ag_buf_free(&b);
    }
    if (!rc && tl && tl->key)
        rc = ag_buf_append(&r->out, tl->json, tl->len);
    pthread_mutex_unlock(&t->mu);
    return rc;
}
