/* OpenStreetMap import: .osm / .osm.pbf -> city model.
 *
 * One pass with readosm keeps every node's position and every way's node
 * list (multipolygon members can be any way, and relations come last in the
 * file); tags are kept only for the objects agora uses. Then the road graph,
 * spaces, barriers and buildings are built from that. Memory is about 40
 * bytes per node and 8 per way node reference (docs/internals/osm-import.md).
 * SPDX-License-Identifier: EUPL-1.2 */
#include "osm/rules.h"

#include <errno.h>
#include <stddef.h>
#include <math.h>
#include <readosm.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

struct taglist {
    size_t n;
    char **kv; /* key, value, key, value, ... */
};

struct node_rec {
    int64_t id;
    double lon, lat;
};

struct way_rec {
    int64_t id;
    size_t ref_off;
    uint32_t nref;
    struct taglist *tags; /* NULL unless the way is used for itself */
    int space_rule;       /* index in space_rules, or -1 */
    const struct ag__road_rule *road;
    bool building;
    bool barrier;
};

struct member {
    int64_t way_id;
    bool inner;
};

struct rel_rec {
    int64_t id;
    struct taglist *tags;
    int space_rule;
    bool building;
    struct member *members;
    size_t nmembers;
};

struct reader {
    const struct ag_osm_rules *rules;
    struct ag_city_model *m;
    struct ag_vec nodes; /* struct node_rec, sorted by id after the pass */
    bool nodes_sorted;
    struct ag_u64map barrier_of; /* node id -> index in barrier_nodes */
    struct ag_vec barrier_nodes; /* struct barrier_node */
    struct ag_vec ways;          /* struct way_rec, sorted by id after the pass */
    bool ways_sorted;
    struct ag_vec refs;          /* int64_t */
    struct ag_vec rels;          /* struct rel_rec */
    struct ag_progress progress;
    uint64_t objects;
    int oom;
    bool bad_position; /* bad_node has a position off the Earth */
    int64_t bad_node;
    double bad_lon, bad_lat;
    struct ag_proj *proj;
};

struct barrier_node {
    int64_t id;
    char *type;
    bool blocks;
    struct taglist *tags;
};

/* ---------- tags ---------- */

static const char *tag_get(const struct taglist *t, const char *key)
{
    if (!t)
        return NULL;
    for (size_t i = 0; i < t->n; i++)
        if (!strcmp(t->kv[2 * i], key))
            return t->kv[2 * i + 1];
    return NULL;
}

static const char *rtag_get(const readosm_tag *tags, int n, const char *key)
{
    for (int i = 0; i < n; i++)
        if (tags[i].key && !strcmp(tags[i].key, key))
            return tags[i].value ? tags[i].value : "";
    return NULL;
}

/* One allocation holds the list, the pointers and the strings: a city has
 * tens of thousands of tagged buildings, and malloc per string showed in
 * profiles. */
static struct taglist *taglist_copy(const readosm_tag *tags, int n)
{
    size_t bytes = sizeof(struct taglist) + (size_t)(n > 0 ? n : 0) * 2 * sizeof(char *);
    for (int i = 0; i < n; i++)
        bytes += strlen(tags[i].key ? tags[i].key : "") + strlen(tags[i].value ? tags[i].value : "") + 2;
    struct taglist *t = malloc(bytes);
    if (!t)
        return NULL;
    t->n = (size_t)(n > 0 ? n : 0);
    t->kv = (char **)(t + 1);
    char *p = (char *)(t->kv + 2 * t->n);
    for (int i = 0; i < n; i++) {
        const char *kv[2] = {tags[i].key ? tags[i].key : "", tags[i].value ? tags[i].value : ""};
        for (int j = 0; j < 2; j++) {
            size_t len = strlen(kv[j]) + 1;
            memcpy(p, kv[j], len);
            t->kv[2 * i + j] = p;
            p += len;
        }
    }
    return t;
}

static void taglist_free(struct taglist *t)
{
    free(t);
}

static char *taglist_json(const struct taglist *t)
{
    struct ag_buf b;
    ag_buf_init(&b, 1u << 20);
    int rc = ag_buf_puts(&b, "{");
    for (size_t i = 0; t && i < t->n && !rc; i++) {
        if (i)
            rc = ag_buf_puts(&b, ",");
        if (!rc)
            rc = ag_buf_put_json_str(&b, t->kv[2 * i]);
        if (!rc)
            rc = ag_buf_puts(&b, ":");
        if (!rc)
            rc = ag_buf_put_json_str(&b, t->kv[2 * i + 1]);
    }
    if (!rc)
        rc = ag_buf_puts(&b, "}");
    if (rc) {
        ag_buf_free(&b);
        return NULL;
    }
    return ag_buf_take(&b);
}

/* ---------- tag value parsing (docs/methodology.md, "defaults") ---------- */

/* "6", "6 m", "6.5m" -> metres. Feet and other units are refused rather than
 * guessed. */
static bool parse_metres(const char *s, double *out)
{
    if (!s)
        return false;
    char tmp[64];
    size_t n = strlen(s);
    if (n == 0 || n >= sizeof tmp)
        return false;
    memcpy(tmp, s, n + 1);
    while (n && (tmp[n - 1] == ' '))
        tmp[--n] = '\0';
    if (n && tmp[n - 1] == 'm')
        tmp[--n] = '\0';
    double v;
    if (!ag_parse_double(tmp, &v) || v <= 0 || v > 1000)
        return false;
    *out = v;
    return true;
}

/* incline=10% / -8 % / 5° -> percent; up, down and others -> NaN. */
static double parse_incline(const char *s)
{
    if (!s)
        return NAN;
    char tmp[64];
    size_t n = strlen(s);
    if (n == 0 || n >= sizeof tmp)
        return NAN;
    memcpy(tmp, s, n + 1);
    bool degrees = false;
    if (n >= 2 && !strcmp(tmp + n - 2, "\xc2\xb0")) {
        degrees = true;
        tmp[n - 2] = '\0';
    } else if (tmp[n - 1] == '%') {
        tmp[n - 1] = '\0';
    }
    double v;
    if (!ag_parse_double(tmp, &v))
        return NAN;
    if (degrees)
        v = tan(v * M_PI / 180.0) * 100.0;
    return fabs(v) <= 100 ? v : NAN;
}

/* maxspeed=50 / 30 mph -> km/h; symbolic values ("FR:urban") -> NaN. */
static double parse_maxspeed(const char *s)
{
    if (!s)
        return NAN;
    char tmp[64];
    size_t n = strlen(s);
    if (n == 0 || n >= sizeof tmp)
        return NAN;
    memcpy(tmp, s, n + 1);
    double factor = 1.0;
    if (n > 3 && !strcmp(tmp + n - 3, "mph")) {
        factor = 1.609344;
        tmp[n - 3] = '\0';
    }
    double v;
    if (!ag_parse_double(tmp, &v) || v <= 0 || v > 400)
        return NAN;
    return v * factor;
}

static int parse_oneway(const struct taglist *t)
{
    const char *o = tag_get(t, "oneway");
    if (o) {
        if (!strcmp(o, "yes") || !strcmp(o, "1") || !strcmp(o, "true"))
            return 1;
        if (!strcmp(o, "-1") || !strcmp(o, "reverse"))
            return -1;
        return 0;
    }
    const char *j = tag_get(t, "junction");
    if (j && (!strcmp(j, "roundabout") || !strcmp(j, "circular")))
        return 1;
    return 0;
}

static bool tag_true(const struct taglist *t, const char *key)
{
    const char *v = tag_get(t, key);
    return v && strcmp(v, "no") != 0 && v[0];
}

/* ---------- classification ---------- */

/* The first rule of space-tags.csv that the object matches, tag and geometry.
 * *tag_only reports a rule whose tags matched when no rule matched fully (a
 * park drawn as an open line, say), so the object can be listed as skipped. */
static int match_space(const struct ag_osm_rules *r, const readosm_tag *tags, int ntags,
                       bool is_relation, bool closed, int *tag_only)
{
    *tag_only = -1;
    for (size_t i = 0; i < r->space_rules.len; i++) {
        const struct ag__space_rule *sr = &AG_VEC_AT(&r->space_rules, struct ag__space_rule, i);
        const char *v = rtag_get(tags, ntags, sr->key);
        if (!v || strcmp(v, sr->value) != 0)
            continue;
        if (sr->also_key) {
            const char *a = rtag_get(tags, ntags, sr->also_key);
            if (!a || strcmp(a, sr->also_value) != 0)
                continue;
        }
        bool fits = sr->is_line ? !is_relation : (is_relation || closed);
        if (fits)
            return (int)i;
        if (*tag_only < 0)
            *tag_only = (int)i;
    }
    return -1;
}

static const struct ag__road_rule *match_road(const struct ag_osm_rules *r,
                                              const readosm_tag *tags, int ntags)
{
    const char *hw = rtag_get(tags, ntags, "highway");
    if (!hw)
        return NULL;
    const struct ag__road_rule *rr = ag__osm_road_rule(r, hw);
    if (!rr)
        return NULL;
    /* An area of a highway (a pedestrian square drawn as a polygon) is not a
     * line a vehicle follows: it is a space, not an edge. */
    const char *area = rtag_get(tags, ntags, "area");
    if (area && !strcmp(area, "yes"))
        return NULL;
    if (rr->if_wide) {
        double w;
        if (!parse_metres(rtag_get(tags, ntags, "width"), &w) || w < rr->default_width_m)
            return NULL;
    }
    return rr;
}

/* ---------- readosm callbacks ---------- */

static int on_node(const void *ud, const readosm_node *n)
{
    struct reader *r = (struct reader *)ud;
    struct node_rec nr = {n->id, n->longitude, n->latitude};
    if (n->longitude == READOSM_UNDEFINED || n->latitude == READOSM_UNDEFINED)
        return READOSM_OK; /* a deleted or redacted node */
    if (!(fabs(n->longitude) <= 180 && fabs(n->latitude) <= 90)) {
        /* Not a position on Earth: the file is corrupt, and one such node
         * would poison every length measured through it. */
        r->bad_position = true;
        r->bad_node = n->id;
        r->bad_lon = n->longitude;
        r->bad_lat = n->latitude;
        return READOSM_ABORT;
    }
    /* OSM files are normally sorted by type then id (osmium, osmconvert and
     * the planet dumps write them so); lookups then need no hash map, only a
     * binary search. An unsorted file is sorted after the pass. */
    if (r->nodes.len && AG_VEC_AT(&r->nodes, struct node_rec, r->nodes.len - 1).id >= n->id)
        r->nodes_sorted = false;
    if (!ag_vec_push(&r->nodes, &nr))
        goto oom;
    ag_bbox_extend(&r->m->bbox, n->longitude, n->latitude);
    r->m->nodes_read++;
    const char *b = rtag_get(n->tags, n->tag_count, "barrier");
    if (b && b[0]) {
        const struct ag__barrier_rule *br = ag__osm_barrier_rule(r->rules, b);
        struct barrier_node bn = {n->id, ag_strdup(b), br ? br->blocks_vehicle : false,
                                  taglist_copy(n->tags, n->tag_count)};
        if (!bn.type || !bn.tags ||
            ag_u64map_put(&r->barrier_of, (uint64_t)n->id, r->barrier_nodes.len) ||
            !ag_vec_push(&r->barrier_nodes, &bn)) {
            free(bn.type);
            taglist_free(bn.tags);
            goto oom;
        }
    }
    if ((++r->objects & 0xfff) == 0)
        ag_progress_update(&r->progress, r->objects);
    return READOSM_OK;
oom:
    r->oom = 1;
    return READOSM_ABORT;
}

static int on_way(const void *ud, const readosm_way *w)
{
    struct reader *r = (struct reader *)ud;
    struct way_rec wr = {.id = w->id, .ref_off = r->refs.len, .nref = (uint32_t)w->node_ref_count,
                         .space_rule = -1};
    if (w->node_ref_count < 0)
        return READOSM_OK;
    if (w->node_ref_count > 0) {
        if (ag_vec_reserve(&r->refs, r->refs.len + (size_t)w->node_ref_count))
            goto oom;
        memcpy((int64_t *)r->refs.data + r->refs.len, w->node_refs,
               (size_t)w->node_ref_count * sizeof(int64_t));
        r->refs.len += (size_t)w->node_ref_count;
    }
    r->m->ways_read++;

    bool closed = w->node_ref_count >= 4 && w->node_refs[0] == w->node_refs[w->node_ref_count - 1];
    int tag_only;
    wr.space_rule = match_space(r->rules, w->tags, w->tag_count, false, closed, &tag_only);
    wr.road = match_road(r->rules, w->tags, w->tag_count);
    const char *bld = rtag_get(w->tags, w->tag_count, "building");
    wr.building = bld && strcmp(bld, "no") != 0 && closed;
    const char *bar = rtag_get(w->tags, w->tag_count, "barrier");
    wr.barrier = bar && bar[0];
    if (wr.space_rule < 0 && tag_only >= 0) {
        const struct ag__space_rule *sr =
            &AG_VEC_AT(&r->rules->space_rules, struct ag__space_rule, tag_only);
        char reason[256];
        snprintf(reason, sizeof reason, "tagged %s=%s but the way is not closed", sr->key,
                 sr->value);
        struct ag_skip sk = {{"way", w->id}, ag_strdup("space"), ag_strdup(reason)};
        if (!sk.what || !sk.reason || !ag_vec_push(&r->m->skipped, &sk)) {
            free(sk.what);
            free(sk.reason);
            goto oom;
        }
    }
    if (wr.space_rule >= 0 || wr.road || wr.building || wr.barrier) {
        wr.tags = taglist_copy(w->tags, w->tag_count);
        if (!wr.tags)
            goto oom;
    }
    if (r->ways.len && AG_VEC_AT(&r->ways, struct way_rec, r->ways.len - 1).id >= w->id)
        r->ways_sorted = false;
    if (!ag_vec_push(&r->ways, &wr)) {
        taglist_free(wr.tags);
        goto oom;
    }
    if ((++r->objects & 0xfff) == 0)
        ag_progress_update(&r->progress, r->objects);
    return READOSM_OK;
oom:
    r->oom = 1;
    return READOSM_ABORT;
}

static int on_relation(const void *ud, const readosm_relation *rel)
{
    struct reader *r = (struct reader *)ud;
    r->m->relations_read++;
    const char *type = rtag_get(rel->tags, rel->tag_count, "type");
    if (!type || strcmp(type, "multipolygon") != 0)
        return READOSM_OK;
    int tag_only;
    struct rel_rec rr = {.id = rel->id};
    rr.space_rule = match_space(r->rules, rel->tags, rel->tag_count, true, true, &tag_only);
    const char *bld = rtag_get(rel->tags, rel->tag_count, "building");
    rr.building = bld && strcmp(bld, "no") != 0;
    if (rr.space_rule < 0 && !rr.building)
        return READOSM_OK;
    rr.tags = taglist_copy(rel->tags, rel->tag_count);
    rr.members = calloc((size_t)(rel->member_count > 0 ? rel->member_count : 1), sizeof *rr.members);
    if (!rr.tags || !rr.members)
        goto oom;
    for (int i = 0; i < rel->member_count; i++) {
        const readosm_member *mb = &rel->members[i];
        if (mb->member_type != READOSM_MEMBER_WAY)
            continue;
        rr.members[rr.nmembers].way_id = mb->id;
        rr.members[rr.nmembers].inner = mb->role && !strcmp(mb->role, "inner");
        rr.nmembers++;
    }
    if (!ag_vec_push(&r->rels, &rr))
        goto oom;
    if ((++r->objects & 0xfff) == 0)
        ag_progress_update(&r->progress, r->objects);
    return READOSM_OK;
oom:
    taglist_free(rr.tags);
    free(rr.members);
    r->oom = 1;
    return READOSM_ABORT;
}

/* ---------- geometry building ---------- */

/* Binary search of a vec sorted by id whose elements start with their
 * int64_t id (struct node_rec, struct way_rec). */
static const void *find_by_id(const struct ag_vec *v, int64_t id)
{
    const char *base = v->data;
    size_t lo = 0, hi = v->len;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int64_t at;
        memcpy(&at, base + mid * v->elem, sizeof at);
        if (at < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == v->len)
        return NULL;
    int64_t at;
    memcpy(&at, base + lo * v->elem, sizeof at);
    return at == id ? base + lo * v->elem : NULL;
}

_Static_assert(offsetof(struct node_rec, id) == 0 && offsetof(struct way_rec, id) == 0,
               "find_by_id reads the id at the start of each element");

static const struct node_rec *node_get(const struct reader *r, int64_t id)
{
    return find_by_id(&r->nodes, id);
}

static const struct way_rec *way_get(const struct reader *r, int64_t id)
{
    return find_by_id(&r->ways, id);
}

static int cmp_node(const void *a, const void *b)
{
    int64_t x = ((const struct node_rec *)a)->id, y = ((const struct node_rec *)b)->id;
    return (x > y) - (x < y);
}

static int cmp_way(const void *a, const void *b)
{
    int64_t x = ((const struct way_rec *)a)->id, y = ((const struct way_rec *)b)->id;
    return (x > y) - (x < y);
}

/* NULL for a way without nodes in a file where no way has any (the pool was
 * never allocated); callers look at nref first. */
static const int64_t *way_refs(const struct reader *r, const struct way_rec *w)
{
    return r->refs.data ? (const int64_t *)r->refs.data + w->ref_off : NULL;
}

/* Node list -> lon/lat points; fails (returns the count of missing nodes) when
 * a node is not in the file, as at the cut edge of an extract. */
static size_t refs_to_pts(const struct reader *r, const int64_t *refs, size_t n,
                          struct ag_ll *pts)
{
    size_t missing = 0;
    for (size_t i = 0; i < n; i++) {
        const struct node_rec *nd = node_get(r, refs[i]);
        if (!nd) {
            missing++;
            continue;
        }
        pts[i].lon = nd->lon;
        pts[i].lat = nd->lat;
    }
    return missing;
}

static int add_skip(struct reader *r, const char *type, int64_t id, const char *what,
                    const char *reason)
{
    struct ag_skip sk = {{"", id}, ag_strdup(what), ag_strdup(reason)};
    snprintf(sk.ref.type, sizeof sk.ref.type, "%s", type);
    if (!sk.what || !sk.reason || !ag_vec_push(&r->m->skipped, &sk)) {
        free(sk.what);
        free(sk.reason);
        return AG_ENOMEM;
    }
    return 0;
}

/* Joins member ways end to end into closed rings (OSM multipolygon rules:
 * ways may be in any order and direction). Returns 0, or a reason in why. */
static int join_rings(const struct reader *r, const int64_t *way_ids, size_t n,
                      struct ag_vec *rings /* struct ag_ring */, char *why, size_t whylen)
{
    bool *used = calloc(n ? n : 1, sizeof *used);
    struct ag_vec ring; /* int64_t node ids */
    ag_vec_init(&ring, sizeof(int64_t));
    int rc = 0;
    if (!used)
        return AG_ENOMEM;
    for (size_t start = 0; start < n && !rc; start++) {
        if (used[start])
            continue;
        ring.len = 0;
        size_t cur = start;
        bool reversed = false;
        for (;;) {
            used[cur] = true;
            const struct way_rec *w = way_get(r, way_ids[cur]);
            if (!w) {
                snprintf(why, whylen, "member way/%lld is not in the file",
                         (long long)way_ids[cur]);
                rc = AG_EGEOM;
                break;
            }
            if (w->nref < 2) {
                snprintf(why, whylen, "member way/%lld has fewer than 2 nodes",
                         (long long)way_ids[cur]);
                rc = AG_EGEOM;
                break;
            }
            const int64_t *refs = way_refs(r, w);
            size_t from = ring.len ? 1 : 0; /* the joint node is already there */
            for (size_t k = from; k < w->nref; k++) {
                int64_t id = reversed ? refs[w->nref - 1 - k] : refs[k];
                if (!ag_vec_push(&ring, &id)) {
                    rc = AG_ENOMEM;
                    break;
                }
            }
            if (rc)
                break;
            int64_t first = AG_VEC_AT(&ring, int64_t, 0);
            int64_t last = AG_VEC_AT(&ring, int64_t, ring.len - 1);
            if (ring.len >= 4 && first == last)
                break;
            /* Find the next way that continues from `last`. */
            bool found = false;
            for (size_t j = 0; j < n; j++) {
                if (used[j])
                    continue;
                const struct way_rec *wj = way_get(r, way_ids[j]);
                if (!wj || wj->nref < 2)
                    continue;
                const int64_t *rj = way_refs(r, wj);
                if (rj[0] == last || rj[wj->nref - 1] == last) {
                    cur = j;
                    reversed = rj[0] != last;
                    found = true;
                    break;
                }
            }
            if (!found) {
                snprintf(why, whylen, "ring not closed: no member way continues from node/%lld",
                         (long long)last);
                rc = AG_EGEOM;
                break;
            }
        }
        if (rc)
            break;
        struct ag_ring out = {calloc(ring.len, sizeof(struct ag_ll)), ring.len};
        if (!out.pts) {
            rc = AG_ENOMEM;
            break;
        }
        size_t miss = refs_to_pts(r, ring.data, ring.len, out.pts);
        if (miss) {
            free(out.pts);
            snprintf(why, whylen, "%zu of %zu ring nodes are not in the file", miss, ring.len);
            rc = AG_EGEOM;
            break;
        }
        if (!ag_vec_push(rings, &out)) {
            free(out.pts);
            rc = AG_ENOMEM;
        }
    }
    free(used);
    ag_vec_free(&ring);
    return rc;
}

static void free_rings(struct ag_vec *rings)
{
    for (size_t i = 0; i < rings->len; i++)
        free(AG_VEC_AT(rings, struct ag_ring, i).pts);
    ag_vec_free(rings);
}

static struct ag_xy *ring_xy(const struct reader *r, const struct ag_ring *ring)
{
    struct ag_xy *xy = malloc(ring->n * sizeof *xy);
    if (xy)
        for (size_t i = 0; i < ring->n; i++)
            xy[i] = ag_proj_fwd(r->proj, ring->pts[i]);
    return xy;
}

/* Assembles a multipolygon relation: outer rings become polygons, each inner
 * ring goes to the outer ring that contains its first vertex. */
static int assemble_relation(const struct reader *r, const struct rel_rec *rel,
                             struct ag_mpoly *out, char *why, size_t whylen)
{
    memset(out, 0, sizeof *out);
    int64_t *outer = calloc(rel->nmembers + 1, sizeof *outer);
    int64_t *inner = calloc(rel->nmembers + 1, sizeof *inner);
    size_t no = 0, ni = 0;
    struct ag_vec orings, irings;
    ag_vec_init(&orings, sizeof(struct ag_ring));
    ag_vec_init(&irings, sizeof(struct ag_ring));
    int rc = 0;
    if (!outer || !inner) {
        rc = AG_ENOMEM;
        goto done;
    }
    for (size_t i = 0; i < rel->nmembers; i++) {
        if (rel->members[i].inner)
            inner[ni++] = rel->members[i].way_id;
        else
            outer[no++] = rel->members[i].way_id;
    }
    if (!no) {
        snprintf(why, whylen, "no outer member way");
        rc = AG_EGEOM;
        goto done;
    }
    rc = join_rings(r, outer, no, &orings, why, whylen);
    if (!rc)
        rc = join_rings(r, inner, ni, &irings, why, whylen);
    if (rc)
        goto done;
    out->polys = calloc(orings.len, sizeof *out->polys);
    if (!out->polys) {
        rc = AG_ENOMEM;
        goto done;
    }
    out->npolys = orings.len;
    size_t *nholes = calloc(orings.len, sizeof *nholes);
    size_t *owner = calloc(irings.len + 1, sizeof *owner);
    if (!nholes || !owner) {
        free(nholes);
        free(owner);
        rc = AG_ENOMEM;
        goto done;
    }
    for (size_t i = 0; i < irings.len && !rc; i++) {
        const struct ag_ring *ir = &AG_VEC_AT(&irings, struct ag_ring, i);
        struct ag_xy p = ag_proj_fwd(r->proj, ir->pts[0]);
        owner[i] = SIZE_MAX;
        for (size_t o = 0; o < orings.len; o++) {
            struct ag_xy *xy = ring_xy(r, &AG_VEC_AT(&orings, struct ag_ring, o));
            if (!xy) {
                rc = AG_ENOMEM;
                break;
            }
            bool in = ag_xy_ring_contains(xy, AG_VEC_AT(&orings, struct ag_ring, o).n, p);
            free(xy);
            if (in) {
                owner[i] = o;
                nholes[o]++;
                break;
            }
        }
        if (!rc && owner[i] == SIZE_MAX) {
            snprintf(why, whylen, "inner ring %zu lies in no outer ring", i + 1);
            rc = AG_EGEOM;
        }
    }
    for (size_t o = 0; o < orings.len && !rc; o++) {
        struct ag_polygon *pg = &out->polys[o];
        pg->rings = calloc(1 + nholes[o], sizeof *pg->rings);
        if (!pg->rings) {
            rc = AG_ENOMEM;
            break;
        }
        pg->rings[0] = AG_VEC_AT(&orings, struct ag_ring, o);
        AG_VEC_AT(&orings, struct ag_ring, o).pts = NULL;
        pg->nrings = 1;
        for (size_t i = 0; i < irings.len; i++) {
            if (owner[i] != o)
                continue;
            pg->rings[pg->nrings++] = AG_VEC_AT(&irings, struct ag_ring, i);
            AG_VEC_AT(&irings, struct ag_ring, i).pts = NULL;
        }
    }
    free(nholes);
    free(owner);
done:
    free(outer);
    free(inner);
    free_rings(&orings);
    free_rings(&irings);
    if (rc)
        ag_mpoly_free(out);
    return rc;
}

static int way_polygon(const struct reader *r, const struct way_rec *w, struct ag_mpoly *out,
                       char *why, size_t whylen)
{
    memset(out, 0, sizeof *out);
    struct ag_ll *pts = calloc(w->nref ? w->nref : 1, sizeof *pts);
    if (!pts)
        return AG_ENOMEM;
    size_t miss = refs_to_pts(r, way_refs(r, w), w->nref, pts);
    int rc = 0;
    if (miss) {
        snprintf(why, whylen, "%zu of %u nodes are not in the file (cut at the edge of the extract?)",
                 miss, w->nref);
        rc = AG_EGEOM;
    } else {
        rc = ag_mpoly_add_ring_polygon(out, pts, w->nref);
    }
    free(pts);
    return rc;
}

static int way_line(const struct reader *r, const struct way_rec *w, struct ag_line *out,
                    char *why, size_t whylen)
{
    out->pts = calloc(w->nref ? w->nref : 1, sizeof *out->pts);
    out->n = w->nref;
    if (!out->pts)
        return AG_ENOMEM;
    size_t miss = refs_to_pts(r, way_refs(r, w), w->nref, out->pts);
    if (miss || w->nref < 2) {
        snprintf(why, whylen, "%zu of %u nodes are not in the file", miss, w->nref);
        ag_line_free(out);
        return AG_EGEOM;
    }
    return 0;
}

/* ---------- output features ---------- */

static int emit_space(struct reader *r, const char *otype, int64_t id,
                      const struct taglist *tags, int rule, struct ag_mpoly *geom,
                      const char *geom_source)
{
    const struct ag__space_rule *sr = &AG_VEC_AT(&r->rules->space_rules, struct ag__space_rule, rule);
    struct ag_error err = {0};
    char ref[48];
    snprintf(ref, sizeof ref, "%s/%lld", otype, (long long)id);
    ag_mpoly_orient(geom, r->proj);
    int rc = ag_mpoly_validate(geom, r->proj, &err);
    if (rc) {
        ag_mpoly_free(geom);
        return rc == AG_ENOMEM ? rc : add_skip(r, otype, id, "space", err.msg);
    }
    struct ag_measure ms;
    rc = ag_mpoly_measure(geom, r->proj, &ms, &err);
    if (rc) {
        ag_mpoly_free(geom);
        return rc == AG_ENOMEM ? rc : add_skip(r, otype, id, "space", err.msg);
    }
    struct ag_space sp = {0};
    snprintf(sp.ref.type, sizeof sp.ref.type, "%s", otype);
    sp.ref.id = id;
    sp.name = ag_strdup(tag_get(tags, "name"));
    sp.kind = ag_strdup(sr->kind);
    sp.origin = ag_strdup("osm");
    sp.geom = *geom;
    memset(geom, 0, sizeof *geom);
    sp.area_m2 = ms.area_m2;
    sp.perimeter_m = ms.perimeter_m;
    sp.centroid = ms.centroid;
    sp.bbox = ms.bbox;
    sp.tags_json = taglist_json(tags);
    sp.geom_source = ag_strdup(geom_source);
    if (!sp.kind || !sp.origin || !sp.tags_json || !sp.geom_source ||
        (tag_get(tags, "name") && !sp.name) || !ag_vec_push(&r->m->spaces, &sp)) {
        ag_space_free(&sp);
        return AG_ENOMEM;
    }
    return 0;
}

static int build_way_space(struct reader *r, const struct way_rec *w)
{
    const struct ag__space_rule *sr =
        &AG_VEC_AT(&r->rules->space_rules, struct ag__space_rule, w->space_rule);
    char why[sizeof(((struct ag_error *)0)->msg)];
    struct ag_mpoly mp = {0};
    int rc;
    char source[64];
    if (!sr->is_line) {
        rc = way_polygon(r, w, &mp, why, sizeof why);
        snprintf(source, sizeof source, "area");
    } else {
        struct ag_line line = {0};
        rc = way_line(r, w, &line, why, sizeof why);
        if (!rc) {
            double width;
            if (parse_metres(tag_get(w->tags, "width"), &width))
                snprintf(source, sizeof source, "buffer:width=%.1f", width);
            else {
                width = sr->default_width_m;
                snprintf(source, sizeof source, "buffer:default=%.1f", width);
            }
            struct ag_error err = {0};
            rc = ag_line_buffer(&line, width, r->proj, &mp, &err);
            if (rc && rc != AG_ENOMEM)
                snprintf(why, sizeof why, "%s", err.msg);
            ag_line_free(&line);
        }
    }
    if (rc)
        return rc == AG_ENOMEM ? rc : add_skip(r, "way", w->id, "space", why);
    return emit_space(r, "way", w->id, w->tags, w->space_rule, &mp, source);
}

static int build_building(struct reader *r, const char *otype, int64_t id,
                          const struct taglist *tags, struct ag_mpoly *geom)
{
    struct ag_measure ms;
    struct ag_error err = {0};
    int rc = ag_mpoly_measure(geom, r->proj, &ms, &err);
    if (rc) {
        ag_mpoly_free(geom);
        return rc == AG_ENOMEM ? rc : add_skip(r, otype, id, "building", err.msg);
    }
    struct ag_building b = {0};
    snprintf(b.ref.type, sizeof b.ref.type, "%s", otype);
    b.ref.id = id;
    b.name = ag_strdup(tag_get(tags, "name"));
    b.building = ag_strdup(tag_get(tags, "building"));
    double h;
    b.height_m = parse_metres(tag_get(tags, "height"), &h) ? h : NAN;
    double lv;
    b.levels = ag_parse_double(tag_get(tags, "building:levels"), &lv) && lv > 0 && lv < 300
                   ? (int)lv
                   : 0;
    b.area_m2 = ms.area_m2;
    b.bbox = ms.bbox;
    b.geom = *geom;
    memset(geom, 0, sizeof *geom);
    if (!b.building || !ag_vec_push(&r->m->buildings, &b)) {
        ag_building_free(&b);
        return AG_ENOMEM;
    }
    return 0;
}

static int build_barrier(struct reader *r, const char *otype, int64_t id, const char *type,
                         bool blocks, struct ag_line *geom)
{
    struct ag_barrier b = {0};
    snprintf(b.ref.type, sizeof b.ref.type, "%s", otype);
    b.ref.id = id;
    b.type = ag_strdup(type);
    b.blocks_vehicle = blocks;
    b.geom = *geom;
    memset(geom, 0, sizeof *geom);
    if (!b.type || !ag_vec_push(&r->m->barriers, &b)) {
        ag_barrier_free(&b);
        return AG_ENOMEM;
    }
    return 0;
}

/* ---------- road graph ---------- */

static bool is_graph_node(const struct reader *r, const struct ag_u64map *uses, int64_t id)
{
    uint64_t n = 0;
    ag_u64map_get(uses, (uint64_t)id, &n);
    return n > 1 || ag_u64map_get(&r->barrier_of, (uint64_t)id, NULL);
}

static int add_graph_node(struct reader *r, struct ag_u64map *seen, int64_t id)
{
    if (ag_u64map_get(seen, (uint64_t)id, NULL))
        return 0;
    if (ag_u64map_put(seen, (uint64_t)id, 1))
        return AG_ENOMEM;
    const struct node_rec *nd = node_get(r, id);
    struct ag_road_node rn = {.osm_id = id, .ll = {nd->lon, nd->lat}};
    uint64_t bi;
    if (ag_u64map_get(&r->barrier_of, (uint64_t)id, &bi)) {
        const struct barrier_node *bn = &AG_VEC_AT(&r->barrier_nodes, struct barrier_node, bi);
        rn.barrier = ag_strdup(bn->type);
        rn.blocks_vehicle = bn->blocks;
        if (!rn.barrier)
            return AG_ENOMEM;
    }
    if (!ag_vec_push(&r->m->road_nodes, &rn)) {
        ag_road_node_free(&rn);
        return AG_ENOMEM;
    }
    return 0;
}

static int emit_edge(struct reader *r, const struct way_rec *w, int seq, const int64_t *refs,
                     size_t n, struct ag_u64map *seen)
{
    struct ag_road_edge e = {0};
    e.osm_way_id = w->id;
    e.seq = seq;
    e.from_node = refs[0];
    e.to_node = refs[n - 1];
    e.geom.pts = malloc(n * sizeof *e.geom.pts);
    if (!e.geom.pts)
        return AG_ENOMEM;
    e.geom.n = n;
    refs_to_pts(r, refs, n, e.geom.pts);
    e.length_m = ag_line_length(&e.geom, r->proj);
    e.highway = ag_strdup(w->road->highway);
    e.name = ag_strdup(tag_get(w->tags, "name"));
    double width, lanes;
    char src[64];
    if (parse_metres(tag_get(w->tags, "width"), &width)) {
        snprintf(src, sizeof src, "tag:width");
    } else if (ag_parse_double(tag_get(w->tags, "lanes"), &lanes) && lanes >= 1 && lanes <= 20) {
        /* 3.25 m per lane: the middle of the 3.0-3.5 m range of urban lanes. */
        width = lanes * 3.25;
        snprintf(src, sizeof src, "tag:lanes");
    } else {
        width = w->road->default_width_m;
        snprintf(src, sizeof src, "default:%s", w->road->highway);
    }
    e.width_m = width;
    e.width_source = ag_strdup(src);
    e.oneway = parse_oneway(w->tags);
    e.incline_pct = parse_incline(tag_get(w->tags, "incline"));
    e.bridge = tag_true(w->tags, "bridge");
    e.tunnel = tag_true(w->tags, "tunnel");
    double layer;
    e.layer = ag_parse_double(tag_get(w->tags, "layer"), &layer) && fabs(layer) < 10 ? (int)layer : 0;
    e.surface = ag_strdup(tag_get(w->tags, "surface"));
    e.maxspeed_kmh = parse_maxspeed(tag_get(w->tags, "maxspeed"));
    if (!e.highway || !e.width_source || !ag_vec_push(&r->m->road_edges, &e)) {
        ag_road_edge_free(&e);
        return AG_ENOMEM;
    }
    int rc = add_graph_node(r, seen, refs[0]);
    return rc ? rc : add_graph_node(r, seen, refs[n - 1]);
}

/* Splits each road way at graph nodes (shared with another road way, or
 * carrying a barrier) and at nodes missing from the file. */
static int build_roads(struct reader *r)
{
    struct ag_u64map uses, seen;
    ag_u64map_init(&uses);
    ag_u64map_init(&seen);
    int rc = 0;
    for (size_t i = 0; i < r->ways.len && !rc; i++) {
        const struct way_rec *w = &AG_VEC_AT(&r->ways, struct way_rec, i);
        if (!w->road)
            continue;
        const int64_t *refs = way_refs(r, w);
        for (size_t k = 0; k < w->nref && !rc; k++) {
            uint64_t n = 0;
            ag_u64map_get(&uses, (uint64_t)refs[k], &n);
            /* Way ends always count as shared so they become graph nodes. */
            uint64_t add = (k == 0 || k == w->nref - 1) ? 2 : 1;
            rc = ag_u64map_put(&uses, (uint64_t)refs[k], n + add);
        }
    }
    for (size_t i = 0; i < r->ways.len && !rc; i++) {
        const struct way_rec *w = &AG_VEC_AT(&r->ways, struct way_rec, i);
        if (!w->road)
            continue;
        const int64_t *refs = way_refs(r, w);
        int seq = 0;
        size_t start = 0;
        bool open = false;
        for (size_t k = 0; k < w->nref && !rc; k++) {
            bool present = node_get(r, refs[k]) != NULL;
            if (!present) {
                /* A node missing from the file cuts the way: the part before
                 * it ends at the last present node, made a graph node. */
                if (open && k - start >= 2) {
                    rc = emit_edge(r, w, seq++, refs + start, k - start, &seen);
                }
                open = false;
                continue;
            }
            if (!open) {
                start = k;
                open = true;
                continue;
            }
            bool cut = k == w->nref - 1 || is_graph_node(r, &uses, refs[k]) ||
                       (k + 1 < w->nref && !node_get(r, refs[k + 1]));
            if (cut) {
                if (!(k - start == 1 && refs[k] == refs[start]))
                    rc = emit_edge(r, w, seq++, refs + start, k - start + 1, &seen);
                start = k;
            }
        }
    }
    ag_u64map_free(&uses);
    ag_u64map_free(&seen);
    return rc;
}

/* ---------- driver ---------- */

static int build_model(struct reader *r)
{
    int rc = 0;
    char why[sizeof(((struct ag_error *)0)->msg)];
    for (size_t i = 0; i < r->ways.len && !rc; i++) {
        const struct way_rec *w = &AG_VEC_AT(&r->ways, struct way_rec, i);
        if (w->space_rule >= 0)
            rc = build_way_space(r, w);
        if (!rc && w->building) {
            struct ag_mpoly mp;
            rc = way_polygon(r, w, &mp, why, sizeof why);
            if (rc == AG_EGEOM)
                rc = add_skip(r, "way", w->id, "building", why);
            else if (!rc)
                rc = build_building(r, "way", w->id, w->tags, &mp);
        }
        if (!rc && w->barrier) {
            struct ag_line l = {0};
            rc = way_line(r, w, &l, why, sizeof why);
            if (rc == AG_EGEOM)
                rc = add_skip(r, "way", w->id, "barrier", why);
            else if (!rc) {
                const char *t = tag_get(w->tags, "barrier");
                const struct ag__barrier_rule *br = ag__osm_barrier_rule(r->rules, t);
                rc = build_barrier(r, "way", w->id, t, br && br->blocks_vehicle, &l);
            }
        }
    }
    for (size_t i = 0; i < r->rels.len && !rc; i++) {
        const struct rel_rec *rel = &AG_VEC_AT(&r->rels, struct rel_rec, i);
        struct ag_mpoly mp;
        int arc = assemble_relation(r, rel, &mp, why, sizeof why);
        if (arc == AG_ENOMEM) {
            rc = arc;
            break;
        }
        if (arc) {
            rc = add_skip(r, "relation", rel->id, rel->space_rule >= 0 ? "space" : "building", why);
            continue;
        }
        if (rel->space_rule >= 0 && rel->building) {
            struct ag_mpoly copy;
            rc = ag_mpoly_copy(&copy, &mp);
            if (!rc)
                rc = build_building(r, "relation", rel->id, rel->tags, &copy);
        } else if (rel->building) {
            rc = build_building(r, "relation", rel->id, rel->tags, &mp);
            continue;
        }
        if (!rc)
            rc = emit_space(r, "relation", rel->id, rel->tags, rel->space_rule, &mp, "multipolygon");
        else
            ag_mpoly_free(&mp);
    }
    for (size_t i = 0; i < r->barrier_nodes.len && !rc; i++) {
        const struct barrier_node *bn = &AG_VEC_AT(&r->barrier_nodes, struct barrier_node, i);
        const struct node_rec *nd = node_get(r, bn->id);
        struct ag_line l = {malloc(sizeof(struct ag_ll)), 1};
        if (!l.pts) {
            rc = AG_ENOMEM;
            break;
        }
        l.pts[0] = (struct ag_ll){nd->lon, nd->lat};
        rc = build_barrier(r, "node", bn->id, bn->type, bn->blocks, &l);
    }
    if (!rc)
        rc = build_roads(r);
    return rc;
}

static void reader_free(struct reader *r)
{
    ag_vec_free(&r->nodes);
    ag_u64map_free(&r->barrier_of);
    for (size_t i = 0; i < r->barrier_nodes.len; i++) {
        struct barrier_node *bn = &AG_VEC_AT(&r->barrier_nodes, struct barrier_node, i);
        free(bn->type);
        taglist_free(bn->tags);
    }
    ag_vec_free(&r->barrier_nodes);
    for (size_t i = 0; i < r->ways.len; i++)
        taglist_free(AG_VEC_AT(&r->ways, struct way_rec, i).tags);
    ag_vec_free(&r->ways);
    ag_vec_free(&r->refs);
    for (size_t i = 0; i < r->rels.len; i++) {
        struct rel_rec *rel = &AG_VEC_AT(&r->rels, struct rel_rec, i);
        taglist_free(rel->tags);
        free(rel->members);
    }
    ag_vec_free(&r->rels);
    ag_proj_free(r->proj);
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && !strcmp(s + a - b, suffix);
}

static int readosm_error(int rc, const char *path, struct ag_error *err)
{
    switch (rc) {
    case READOSM_INVALID_PBF_HEADER:
        return ag_error_set(err, AG_EPARSE,
                            "%s: not a valid OSM PBF file (bad block header: truncated or corrupt)",
                            path);
    case READOSM_UNZIP_ERROR:
        return ag_error_set(err, AG_EPARSE,
                            "%s: a compressed PBF block could not be decompressed (truncated or corrupt)",
                            path);
    case READOSM_XML_ERROR:
        return ag_error_set(err, AG_EPARSE, "%s: not well-formed XML (truncated or corrupt)", path);
    case READOSM_READ_ERROR:
        return ag_error_set(err, AG_EPARSE, "%s: read error (truncated or corrupt file)", path);
    case READOSM_INSUFFICIENT_MEMORY:
        return ag_error_set(err, AG_ENOMEM, "%s: out of memory", path);
    default:
        return ag_error_set(err, AG_EPARSE, "%s: cannot be read as OSM data (readosm error %d)",
                            path, rc);
    }
}

int ag_osm_read(const char *path, const struct ag_osm_rules *rules, struct ag_city_model *m,
                struct ag_error *err)
{
    ag_city_model_init(m);
    if (!ends_with(path, ".osm") && !ends_with(path, ".osm.pbf") && !ends_with(path, ".pbf"))
        return ag_error_set(err, AG_EINVAL,
                            "%s: expected an OpenStreetMap file named *.osm or *.osm.pbf%s", path,
                            ends_with(path, ".gz") || ends_with(path, ".bz2")
                                ? " (decompress it first, e.g. with gunzip)"
                                : "");
    struct stat st;
    if (stat(path, &st) != 0)
        return ag_error_set(err, errno == ENOENT ? AG_ENOENT : AG_EIO, "%s: %s", path,
                            strerror(errno));
    if (!S_ISREG(st.st_mode))
        return ag_error_set(err, AG_EINVAL, "%s: not a regular file", path);
    if (st.st_size == 0)
        return ag_error_set(err, AG_EEMPTY, "%s: the file is empty", path);

    if (ends_with(path, ".osm")) {
        int xrc = ag__osm_xml_check(path, err);
        if (xrc) {
            ag_city_model_free(m);
            return xrc;
        }
    }
    struct reader r = {.rules = rules, .m = m, .nodes_sorted = true, .ways_sorted = true};
    ag_vec_init(&r.nodes, sizeof(struct node_rec));
    ag_u64map_init(&r.barrier_of);
    ag_vec_init(&r.barrier_nodes, sizeof(struct barrier_node));
    ag_vec_init(&r.ways, sizeof(struct way_rec));
    ag_vec_init(&r.refs, sizeof(int64_t));
    ag_vec_init(&r.rels, sizeof(struct rel_rec));
    m->bbox = ag_bbox_empty();
    m->source = ag_strdup(path);

    const void *h = NULL;
    int rc = readosm_open(path, &h);
    if (rc != READOSM_OK) {
        readosm_close(h);
        reader_free(&r);
        ag_city_model_free(m);
        return rc == READOSM_FILE_NOT_FOUND
                   ? ag_error_set(err, AG_ENOENT, "%s: cannot open", path)
                   : readosm_error(rc, path, err);
    }
    ag_progress_start(&r.progress, "reading OSM objects", 0);
    rc = readosm_parse(h, &r, on_node, on_way, on_relation);
    readosm_close(h);
    ag_progress_end(&r.progress);
    int out = 0;
    if (r.oom)
        out = ag_error_set(err, AG_ENOMEM, "%s: out of memory", path);
    else if (r.bad_position)
        out = ag_error_set(err, AG_EPARSE,
                           "%s: node/%lld: position %.7f %.7f is not on Earth (longitude must "
                           "be within [-180, 180], latitude within [-90, 90])",
                           path, (long long)r.bad_node, r.bad_lon, r.bad_lat);
    else if (rc != READOSM_OK)
        out = readosm_error(rc, path, err);
    else if (m->nodes_read == 0)
        out = ag_error_set(err, AG_EEMPTY,
                           "%s: no OpenStreetMap nodes found (is this an OSM file?)", path);
    if (!out && !r.nodes_sorted)
        qsort(r.nodes.data, r.nodes.len, sizeof(struct node_rec), cmp_node);
    if (!out && !r.ways_sorted)
        qsort(r.ways.data, r.ways.len, sizeof(struct way_rec), cmp_way);
    if (!out) {
        m->origin.lon = (m->bbox.minx + m->bbox.maxx) / 2;
        m->origin.lat = (m->bbox.miny + m->bbox.maxy) / 2;
        out = ag_proj_new(&r.proj, m->origin.lon, m->origin.lat, err);
    }
    if (!out) {
        out = build_model(&r);
        if (out == AG_ENOMEM)
            ag_error_set(err, out, "%s: out of memory", path);
        else if (out)
            ag_error_set(err, out, "%s: %s", path, ag_strerror(out));
    }
    reader_free(&r);
    if (out)
        ag_city_model_free(m);
    return out;
}
