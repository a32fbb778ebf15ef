/* The vehicle approach analysis of a city's spaces: the road graph with
 * every perimeter crossing made a node, one search per vehicle class for
 * the whole city, then the entries of each space read off the searches.
 * SPDX-License-Identifier: EUPL-1.2 */
#include "city.h"
#include "private.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const int TEST_SPEEDS[] = {16, 32, 48, 64, 80, 96, 112};

int ag_vehicle_rating(const struct ag_vehicle_class *c, double speed_kmh, char *buf, size_t len)
{
    if (len)
        buf[0] = '\0';
    if (!(speed_kmh > 0))
        return 0;
    for (size_t i = 0; i < sizeof TEST_SPEEDS / sizeof TEST_SPEEDS[0]; i++) {
        /* A hair of tolerance so that 48.0000001 from rounding is still 48. */
        if (speed_kmh <= TEST_SPEEDS[i] + 1e-6) {
            snprintf(buf, len, "V/%.0f[%s]/%d/90", c->mass_kg, c->id, TEST_SPEEDS[i]);
            return TEST_SPEEDS[i];
        }
    }
    return 0;
}

/* Rings of every polygon, flattened: ring r of the space. */
bool ag__vspace_contains(const struct city_graph *cg, size_t sp, struct ag_xy p)
{
    const struct ag_space *s = &AG_VEC_AT(&cg->spaces, struct ag_space, sp);
    size_t r = 0;
    for (size_t i = 0; i < s->geom.npolys; i++) {
        bool in = false;
        for (size_t j = 0; j < s->geom.polys[i].nrings; j++, r++) {
            bool c = ag_xy_ring_contains(cg->space_xy[sp][r], cg->space_ring_n[sp][r], p);
            if (j == 0)
                in = c;
            else if (c)
                in = false;
        }
        if (in)
            return true;
    }
    return false;
}

static void city_graph_free(struct city_graph *cg)
{
    ag_proj_free(cg->proj);
    for (size_t i = 0; i < cg->edges.len; i++)
        ag_road_edge_free(&AG_VEC_AT(&cg->edges, struct ag_road_edge, i));
    free(cg->edge_xy_all);
    free(cg->edge_xy);
    ag_vec_free(&cg->edges);
    for (size_t i = 0; i < cg->nodes.len; i++)
        ag_road_node_free(&AG_VEC_AT(&cg->nodes, struct ag_road_node, i));
    ag_vec_free(&cg->nodes);
    for (size_t i = 0; i < cg->spaces.len; i++) {
        if (cg->space_xy && cg->space_xy[i]) {
            for (size_t r = 0; r < cg->space_nrings[i]; r++)
                free(cg->space_xy[i][r]);
            free(cg->space_xy[i]);
            free(cg->space_ring_n[i]);
        }
        ag_space_free(&AG_VEC_AT(&cg->spaces, struct ag_space, i));
    }
    free(cg->space_xy);
    free(cg->space_ring_n);
    free(cg->space_nrings);
    ag_vec_free(&cg->spaces);
    ag_vec_free(&cg->crossings);
    ag_vec_free(&cg->entries);
    free(cg->vnode_osm);
    ag_vec_free(&cg->vedge_ll);
    ag_vec_free(&cg->vedge_ll_off);
    ag_vec_free(&cg->gsrc);
    free(cg->first_piece);
    free(cg->npieces);
    ag_index_free(cg->road_ix);
    ag__kerb_free(cg);
    ag_vgraph_free(&cg->g);
}

static int project_spaces(struct city_graph *cg)
{
    size_t n = cg->spaces.len;
    cg->space_xy = calloc(n ? n : 1, sizeof *cg->space_xy);
    cg->space_ring_n = calloc(n ? n : 1, sizeof *cg->space_ring_n);
    cg->space_nrings = calloc(n ? n : 1, sizeof *cg->space_nrings);
    if (!cg->space_xy || !cg->space_ring_n || !cg->space_nrings)
        return AG_ENOMEM;
    for (size_t i = 0; i < n; i++) {
        const struct ag_space *s = &AG_VEC_AT(&cg->spaces, struct ag_space, i);
        size_t nr = 0;
        for (size_t p = 0; p < s->geom.npolys; p++)
            nr += s->geom.polys[p].nrings;
        cg->space_xy[i] = calloc(nr ? nr : 1, sizeof **cg->space_xy);
        cg->space_ring_n[i] = calloc(nr ? nr : 1, sizeof **cg->space_ring_n);
        if (!cg->space_xy[i] || !cg->space_ring_n[i])
            return AG_ENOMEM;
        cg->space_nrings[i] = nr;
        size_t r = 0;
        for (size_t p = 0; p < s->geom.npolys; p++) {
            for (size_t j = 0; j < s->geom.polys[p].nrings; j++, r++) {
                const struct ag_ring *ring = &s->geom.polys[p].rings[j];
                cg->space_xy[i][r] = malloc(ring->n * sizeof(struct ag_xy));
                if (!cg->space_xy[i][r])
                    return AG_ENOMEM;
                for (size_t k = 0; k < ring->n; k++)
                    cg->space_xy[i][r][k] = ag_proj_fwd(cg->proj, ring->pts[k]);
                cg->space_ring_n[i][r] = ring->n;
            }
        }
    }
    return 0;
}

static struct ag_bbox seg_box(struct ag_xy a, struct ag_xy b)
{
    struct ag_bbox x = ag_bbox_empty();
    ag_bbox_extend(&x, a.x, a.y);
    ag_bbox_extend(&x, b.x, b.y);
    return x;
}

struct find_ctx {
    struct city_graph *cg;
    size_t space;
    struct ag_xy a, b;
    struct ag_vec *out; /* the space's crossings */
    int rc;
};

/* Closer than this (m), a road vertex lies on a perimeter, and two
 * crossings are one. A millimetre: far below what a map says (OSM stores
 * 10^-7 degree, about a centimetre), far above the noise of a position
 * projected, stored and projected again (nanometres). Exact tests would
 * let that noise decide: a road node shared with a square's outline comes
 * back from the store a nanometre to one side or the other of it, and an
 * exact test then finds a crossing, or two, or none. */
#define SNAP_M 1e-3

/* Where road segment p0-p1 meets perimeter segment a-b: at a road vertex
 * within SNAP_M of the perimeter (t = 0 or 1, the vertex itself, so that
 * no sliver of road is cut off), where a perimeter vertex lies within
 * SNAP_M of the road (its foot on the road), or where the two cross.
 * False when they do not meet, or when the road runs along the perimeter
 * (both its vertices on it). */
static bool road_meets(struct ag_xy p0, struct ag_xy p1, struct ag_xy a, struct ag_xy b,
                       struct ag_xy *at, double *t)
{
    bool on0 = ag_xy_seg_dist(p0, a, b) <= SNAP_M, on1 = ag_xy_seg_dist(p1, a, b) <= SNAP_M;
    if (on0 && on1)
        return false;
    if (on0 || on1) {
        *at = on0 ? p0 : p1;
        *t = on0 ? 0 : 1;
        return true;
    }
    double len = ag_xy_dist(p0, p1);
    for (int i = 0; i < 2; i++) {
        struct ag_xy c = i ? b : a;
        if (len > 0 && ag_xy_seg_dist(c, p0, p1) <= SNAP_M) {
            double u = ((c.x - p0.x) * (p1.x - p0.x) + (c.y - p0.y) * (p1.y - p0.y)) / (len * len);
            /* The foot, or the road vertex it is within SNAP_M of. */
            *t = u * len <= SNAP_M ? 0 : (1 - u) * len <= SNAP_M ? 1 : u;
            *at = *t == 0   ? p0
                  : *t == 1 ? p1
                            : (struct ag_xy){p0.x + *t * (p1.x - p0.x), p0.y + *t * (p1.y - p0.y)};
            return true;
        }
    }
    if (ag_seg_intersect(p0, p1, a, b, at) != 1)
        return false;
    *t = len > 0 ? ag_xy_dist(p0, *at) / len : 0;
    return true;
}

/* Crossings are ordered by road edge, segment and position: of two that are
 * one, the first is kept, whichever the spatial index met first. */
static bool crossing_before(const struct crossing *x, const struct crossing *y)
{
    if (x->edge != y->edge)
        return x->edge < y->edge;
    if (x->seg != y->seg)
        return x->seg < y->seg;
    return x->t < y->t;
}

static int crossing_cb(void *ud, int64_t id, struct ag_bbox box)
{
    (void)box;
    struct find_ctx *f = ud;
    struct city_graph *cg = f->cg;
    const struct ag_road_edge *e = &AG_VEC_AT(&cg->edges, struct ag_road_edge, id);
    const struct ag_xy *p = cg->edge_xy[id];
    for (size_t k = 0; k + 1 < e->geom.n; k++) {
        struct crossing x = {f->space, (size_t)id, k, 0, {0, 0}, SIZE_MAX};
        if (!road_meets(p[k], p[k + 1], f->a, f->b, &x.xy, &x.t))
            continue;
        /* The same point reached from two perimeter segments or two road
         * segments is one crossing. */
        struct crossing *same = NULL;
        for (size_t c = 0; c < f->out->len && !same; c++) {
            struct crossing *y = &AG_VEC_AT(f->out, struct crossing, c);
            if (ag_xy_dist(y->xy, x.xy) <= SNAP_M)
                same = y;
        }
        if (same) {
            if (crossing_before(&x, same))
                *same = x;
        } else if (!ag_vec_push(f->out, &x)) {
            return f->rc = AG_ENOMEM;
        }
    }
    return 0;
}

static int cmp_crossing(const void *a, const void *b)
{
    const struct crossing *x = *(const struct crossing *const *)a,
                          *y = *(const struct crossing *const *)b;
    if (x->edge != y->edge)
        return x->edge < y->edge ? -1 : 1;
    if (x->seg != y->seg)
        return x->seg < y->seg ? -1 : 1;
    return (x->t > y->t) - (x->t < y->t);
}

/* Adds a piece of road edge e from node a to node b along pts[0..n) (ll:
 * the same points in lon/lat) to the graph. */
static int add_piece(struct city_graph *cg, size_t e, size_t a, size_t b, const struct ag_xy *pts,
                     const struct ag_ll *ll, size_t n)
{
    const struct ag_road_edge *re = &AG_VEC_AT(&cg->edges, struct ag_road_edge, e);
    double incline = isfinite(re->incline_pct) ? re->incline_pct : 0;
    int rc = ag_vgraph_add_edge(&cg->g, a, b, pts, n, re->width_m, incline);
    if (rc)
        return rc;
    cg->g.edges[cg->g.nedges - 1].way = re->osm_way_id;
    cg->npieces[e]++;
    size_t off = cg->vedge_ll.len;
    if (!ag_vec_push(&cg->gsrc, &e) || !ag_vec_push(&cg->vedge_ll_off, &off) ||
        ag_vec_reserve(&cg->vedge_ll, off + n))
        return AG_ENOMEM;
    memcpy(&AG_VEC_AT(&cg->vedge_ll, struct ag_ll, off), ll, n * sizeof *ll);
    cg->vedge_ll.len += n;
    return 0;
}

/* Adds the road edges to the graph, cut at every crossing. */
static int build_graph(struct city_graph *cg, struct ag_u64map *node_ix)
{
    size_t nc = cg->crossings.len;
    struct crossing **order = malloc((nc ? nc : 1) * sizeof *order);
    struct ag_xy *buf = NULL;
    struct ag_ll *llbuf = NULL; /* buf's points in lon/lat */
    size_t bufcap = 0;
    if (!order)
        return AG_ENOMEM;
    for (size_t i = 0; i < nc; i++)
        order[i] = &AG_VEC_AT(&cg->crossings, struct crossing, i);
    qsort(order, nc, sizeof *order, cmp_crossing);
    cg->first_piece = calloc(cg->edges.len ? cg->edges.len : 1, sizeof *cg->first_piece);
    cg->npieces = calloc(cg->edges.len ? cg->edges.len : 1, sizeof *cg->npieces);
    int rc = cg->first_piece && cg->npieces ? 0 : AG_ENOMEM;
    size_t ci = 0;
    for (size_t e = 0; e < cg->edges.len && !rc; e++) {
        const struct ag_road_edge *re = &AG_VEC_AT(&cg->edges, struct ag_road_edge, e);
        const struct ag_xy *p = cg->edge_xy[e];
        uint64_t a, b;
        if (!ag_u64map_get(node_ix, (uint64_t)re->from_node, &a) ||
            !ag_u64map_get(node_ix, (uint64_t)re->to_node, &b))
            continue; /* cannot happen with a consistent store */
        cg->first_piece[e] = cg->g.nedges;
        if (bufcap < re->geom.n + 2 * nc + 2) {
            bufcap = re->geom.n + 2 * nc + 2;
            struct ag_xy *nb = realloc(buf, bufcap * sizeof *buf);
            if (nb)
                buf = nb;
            struct ag_ll *nl = realloc(llbuf, bufcap * sizeof *llbuf);
            if (nl)
                llbuf = nl;
            if (!nb || !nl) {
                rc = AG_ENOMEM;
                break;
            }
        }
        size_t start_node = a, m = 0;
        llbuf[m] = re->geom.pts[0];
        buf[m++] = p[0];
        for (size_t k = 0; k + 1 < re->geom.n && !rc; k++) {
            while (ci < nc && order[ci]->edge == e && order[ci]->seg == k) {
                struct crossing *x = order[ci++];
                size_t node;
                if (k == 0 && x->t < 1e-9) {
                    node = a;
                } else if (k + 2 == re->geom.n && x->t > 1 - 1e-9) {
                    node = b;
                } else if (m == 1 && ag_xy_dist(buf[0], x->xy) <= SNAP_M) {
                    node = start_node; /* the same point as the last cut */
                } else {
                    rc = ag_vgraph_add_node(&cg->g, x->xy, false, &node);
                    struct ag_ll x_ll = ag_proj_inv(cg->proj, x->xy);
                    if (ag_xy_dist(buf[m - 1], x->xy) > 1e-9) { /* not a cut at a vertex */
                        llbuf[m] = x_ll;
                        buf[m++] = x->xy;
                    }
                    if (!rc)
                        rc = add_piece(cg, e, start_node, node, buf, llbuf, m);
                    start_node = node;
                    m = 0;
                    llbuf[m] = x_ll;
                    buf[m++] = x->xy;
                }
                x->vnode = node;
                if (rc)
                    break;
            }
            if (ag_xy_dist(buf[m - 1], p[k + 1]) > 1e-9) {
                llbuf[m] = re->geom.pts[k + 1];
                buf[m++] = p[k + 1];
            }
        }
        if (!rc && m >= 2)
            rc = add_piece(cg, e, start_node, b, buf, llbuf, m);
    }
    free(order);
    free(buf);
    free(llbuf);
    return rc;
}

static int load_city(struct ag_store *s, const struct ag_city *city, const int64_t *ids, size_t n,
                     struct city_graph *cg, struct ag_error *err)
{
    ag_vec_init(&cg->edges, sizeof(struct ag_road_edge));
    ag_vec_init(&cg->nodes, sizeof(struct ag_road_node));
    ag_vec_init(&cg->spaces, sizeof(struct ag_space));
    ag_vec_init(&cg->crossings, sizeof(struct crossing));
    ag_vec_init(&cg->entries, sizeof(struct entry));
    ag_vec_init(&cg->gsrc, sizeof(size_t));
    ag_vec_init(&cg->vedge_ll, sizeof(struct ag_ll));
    ag_vec_init(&cg->vedge_ll_off, sizeof(size_t));
    ag_vec_init(&cg->buildings, sizeof(struct ag_building));
    ag_vec_init(&cg->barriers, sizeof(struct ag_barrier));
    ag_vec_init(&cg->ksamples, sizeof(struct ksample));
    ag_vgraph_init(&cg->g);
    int rc = ag_proj_new(&cg->proj, city->origin.lon, city->origin.lat, err);
    if (!rc && n == 0)
        rc = ag_store_spaces(s, city->id, true, &cg->spaces, err);
    for (size_t i = 0; i < n && !rc; i++) {
        char ref[32];
        snprintf(ref, sizeof ref, "%lld", (long long)ids[i]);
        struct ag_space sp;
        rc = ag_store_space_get(s, city->id, ref, &sp, err);
        if (!rc && !ag_vec_push(&cg->spaces, &sp)) {
            ag_space_free(&sp);
            rc = ag_error_set(err, AG_ENOMEM, "out of memory");
        }
    }
    if (!rc)
        rc = ag_store_road_nodes(s, city->id, &cg->nodes, err);
    return rc ? rc : ag_store_road_edges(s, city->id, &cg->edges, err);
}

static int find_entries(struct city_graph *cg, double merge_m)
{
    /* Per space, the graph nodes on its perimeter: crossings, plus road
     * nodes that sit on it (a street ending at a square's edge). */
    for (size_t c = 0; c < cg->crossings.len; c++) {
        const struct crossing *x = &AG_VEC_AT(&cg->crossings, struct crossing, c);
        if (x->vnode == SIZE_MAX)
            continue;
        const struct ag_road_edge *re = &AG_VEC_AT(&cg->edges, struct ag_road_edge, x->edge);
        /* Merge with an entry of the same space within merge_m. */
        struct entry *hit = NULL;
        for (size_t k = 0; k < cg->entries.len; k++) {
            struct entry *en = &AG_VEC_AT(&cg->entries, struct entry, k);
            if (en->space == x->space && ag_xy_dist(en->xy, x->xy) < merge_m) {
                hit = en;
                break;
            }
        }
        if (hit) {
            bool have = false;
            for (size_t k = 0; k < hit->nnodes; k++)
                have |= hit->nodes[k] == x->vnode;
            if (!have && hit->nnodes < sizeof hit->nodes / sizeof hit->nodes[0])
                hit->nodes[hit->nnodes++] = x->vnode;
            if (re->width_m > hit->width_m)
                hit->width_m = re->width_m;
            if (!hit->osm_node && cg->vnode_osm[x->vnode])
                hit->osm_node = cg->vnode_osm[x->vnode];
            continue;
        }
        struct entry en = {.space = x->space,
                           .kind = ENTRY_WAY,
                           .xy = x->xy,
                           .width_m = re->width_m,
                           .osm_way = re->osm_way_id,
                           .osm_node = cg->vnode_osm[x->vnode],
                           .store_edge = x->edge,
                           .nodes = {x->vnode},
                           .nnodes = 1};
        if (!ag_vec_push(&cg->entries, &en))
            return AG_ENOMEM;
    }
    return 0;
}

/* The point just before the end of a state, to tell an approach from
 * outside from a departure from inside. */
static struct ag_xy before_end(const struct ag_vgraph *g, long d)
{
    const struct ag_vedge *e = &g->edges[(size_t)d / 2];
    struct ag_xy p = (d & 1) ? e->pts[1] : e->pts[e->n - 2];
    struct ag_xy q = (d & 1) ? e->pts[0] : e->pts[e->n - 1];
    return (struct ag_xy){(p.x + q.x) / 2, (p.y + q.y) / 2};
}

static struct ag_ll to_lonlat(const struct city_graph *cg, struct ag_xy xy)
{
    return ag_proj_inv(cg->proj, xy);
}

/* Graph edge ei's vertices in lon/lat: the map's own coordinates, and
 * those of the points where it was cut. */
static const struct ag_ll *edge_lonlat(const struct city_graph *cg, size_t ei)
{
    return &AG_VEC_AT(&cg->vedge_ll, struct ag_ll, AG_VEC_AT(&cg->vedge_ll_off, size_t, ei));
}

/* A coordinate with 7 decimals (1 cm), written without printf: paths have
 * thousands of vertices and vsnprintf was an eighth of the run time. */
static void put_coord(char **p, double v)
{
    long long q = llround(v * 1e7);
    if (q < 0) {
        *(*p)++ = '-';
        q = -q;
    }
    char tmp[24];
    int n = 0;
    long long ip = q / 10000000, fp = q % 10000000;
    do {
        tmp[n++] = (char)('0' + ip % 10);
        ip /= 10;
    } while (ip);
    while (n)
        *(*p)++ = tmp[--n];
    *(*p)++ = '.';
    for (int i = 6; i >= 0; i--) {
        (*p)[i] = (char)('0' + fp % 10);
        fp /= 10;
    }
    *p += 7;
}

static void put_ll(struct ag_buf *b, struct ag_ll ll)
{
    char s[64], *p = s;
    *p++ = '[';
    put_coord(&p, ll.lon);
    *p++ = ',';
    put_coord(&p, ll.lat);
    *p++ = ']';
    ag_buf_append(b, s, (size_t)(p - s));
}

/* One class's figures at one entry, from the route behind them: speed,
 * energy, rating, the last bend that clipped the speed and the path. For a
 * kerb-side entry, kerb is the point where the vehicle leaves the road: the
 * path goes on from there straight to the perimeter. */
static int write_class(struct city_graph *cg, const struct ag_vehicle_class *c,
                       const struct ag_route *r, const struct ksample *kerb, struct ag_buf *b)
{
    double kmh = r->speed_ms * 3.6;
    char rating[64];
    ag_vehicle_rating(c, kmh, rating, sizeof rating);
    ag_buf_puts(b, "{\"class\":");
    ag_buf_put_json_str(b, c->id);
    ag_buf_printf(b, ",\"speed_kmh\":%.2f,\"run_up_m\":%.1f,\"energy_kj\":%.1f,\"rating\":", kmh,
                  r->run_up_m, 0.5 * c->mass_kg * r->speed_ms * r->speed_ms / 1000);
    if (rating[0])
        ag_buf_put_json_str(b, rating);
    else
        ag_buf_puts(b, "null");
    if (kmh > TEST_SPEEDS[6] + 1e-6)
        ag_buf_puts(b, ",\"rating_note\":\"above the highest standard test speed (112 km/h)\"");
    ag_buf_puts(b, ",\"limiting_bend\":");
    if (isfinite(r->limiting_radius_m)) {
        ag_buf_printf(b, "{\"radius_m\":%.1f,\"at\":", r->limiting_radius_m);
        put_ll(b, to_lonlat(cg, r->limiting_at));
        ag_buf_puts(b, "}");
    } else {
        ag_buf_puts(b, "null");
    }
    if (kerb)
        ag_buf_printf(b, ",\"across_m\":%.1f", r->nstates ? fmax(0, kerb->gap) : 0.0);
    ag_buf_puts(b, ",\"path\":[");
    bool first = true;
    for (size_t i = 0; i < r->nstates; i++) {
        size_t ei = (size_t)r->states[i] / 2;
        const struct ag_vedge *e = &cg->g.edges[ei];
        bool back = r->states[i] & 1, last = kerb && i + 1 == r->nstates;
        const struct ag_ll *ll = edge_lonlat(cg, ei);
        double at = 0;
        for (size_t j = i ? 1 : 0; j < e->n; j++) {
            if (last) {
                /* Up to the point where the vehicle leaves the road. */
                if (j > 0)
                    at += e->seg_len[back ? e->n - 1 - j : j - 1];
                if (at >= r->last_m - 1e-7)
                    break;
            }
            if (!first)
                ag_buf_puts(b, ",");
            first = false;
            put_ll(b, ll[back ? e->n - 1 - j : j]);
        }
    }
    if (kerb && r->nstates) {
        ag_buf_puts(b, first ? "" : ",");
        put_ll(b, to_lonlat(cg, kerb->p));
        ag_buf_puts(b, ",");
        put_ll(b, to_lonlat(cg, kerb->q));
    }
    ag_buf_puts(b, "]}");
    return 0;
}

/* The states arriving at a way entry's nodes whose last stretch lies
 * outside the space, in the order of its nodes and their adjacency. */
struct arrivals {
    long *d;
    size_t n;
};

static int way_arrivals(const struct city_graph *cg, const struct entry *en, struct arrivals *out)
{
    size_t cap = 0;
    for (size_t i = 0; i < en->nnodes; i++)
        cap += cg->g.adj_off[en->nodes[i] + 1] - cg->g.adj_off[en->nodes[i]];
    out->n = 0;
    out->d = malloc((cap ? cap : 1) * sizeof *out->d);
    if (!out->d)
        return AG_ENOMEM;
    for (size_t i = 0; i < en->nnodes; i++) {
        size_t v = en->nodes[i];
        for (size_t j = cg->g.adj_off[v]; j < cg->g.adj_off[v + 1]; j++) {
            long d = (long)cg->g.adj[j] ^ 1;
            if (!ag__vspace_contains(cg, en->space, before_end(&cg->g, d)))
                out->d[out->n++] = d;
        }
    }
    return 0;
}

/* A way entry: the fastest of its arrivals from outside. */
static int class_result(struct city_graph *cg, const struct ag_vehicle_class *c,
                        const struct ag_kin *k, const struct ag_speeds *sp,
                        const struct arrivals *arr, struct ag_buf *b)
{
    long best = -1;
    for (size_t i = 0; i < arr->n; i++) {
        long d = arr->d[i];
        if (sp->speed[d] > 0 && (best < 0 || sp->speed[d] > sp->speed[best]))
            best = d;
    }
    struct ag_route r = {0};
    r.limiting_radius_m = INFINITY; /* no route, no bend */
    int rc = best >= 0 ? ag_vehicle_route_state(&cg->g, k, sp, best, &r) : 0;
    if (!rc)
        rc = write_class(cg, c, &r, NULL, b);
    ag_route_free(&r);
    return rc;
}

/* A kerb-side entry: the route to the point where the class leaves the road
 * fastest (found by ag__kerb_best). */
static int kerb_class_result(struct city_graph *cg, const struct ag_vehicle_class *c,
                             const struct ag_kin *k, const struct ag_speeds *sp,
                             const struct kbest *kb, struct ag_buf *b)
{
    struct ag_route r = {0};
    r.limiting_radius_m = INFINITY;
    int rc = kb->found ? ag_vehicle_route_along(&cg->g, k, c->width_m, sp, kb->d, kb->sd, &r) : 0;
    if (!rc)
        rc = write_class(cg, c, &r, &kb->at, b);
    ag_route_free(&r);
    return rc;
}

/* The entry's header: where it is, its kind, opening and road. */
static void write_entry_head(struct city_graph *cg, const struct entry *en, int no,
                             struct ag_buf *b)
{
    struct ag_ll ll = to_lonlat(cg, en->xy);
    const char *road = AG_VEC_AT(&cg->edges, struct ag_road_edge, en->store_edge).name;
    ag_buf_printf(b, "%s{\"id\":%d,\"kind\":\"%s\",\"lat\":%.7f,\"lon\":%.7f,\"width_m\":%.1f,"
                     "\"way\":%lld,\"node\":",
                  no ? "," : "", no + 1, en->kind == ENTRY_KERB ? "kerb-side" : "way", ll.lat,
                  ll.lon, en->width_m, (long long)en->osm_way);
    if (en->osm_node)
        ag_buf_printf(b, "%lld", (long long)en->osm_node);
    else
        ag_buf_puts(b, "null");
    ag_buf_puts(b, ",\"road\":");
    if (road)
        ag_buf_put_json_str(b, road);
    else
        ag_buf_puts(b, "null");
    if (en->kind == ENTRY_KERB)
        ag_buf_printf(b, ",\"frontage_m\":%.1f,\"gap_m\":%.1f", en->frontage_m, en->gap_m);
}

/* The searches of the vehicle classes are independent once the graph is
 * prepared: the two threads take the classes one at a time. */
struct search_ctx {
    struct ag_vgraph *g;
    const struct ag_vehicle_options *o;
    const struct ag_kin *kins;
    struct ag_speeds *speeds;
};

static int search_classes(void *ctx, size_t worker, size_t from, size_t to)
{
    struct search_ctx *x = ctx;
    (void)worker;
    int rc = 0;
    for (size_t c = from; c < to && !rc; c++)
        rc = ag_vehicle_speeds(x->g, &x->kins[c], x->o->classes->v[c].width_m, &x->speeds[c]);
    return rc;
}

/* Buildings and barriers are only needed for kerb-side entries, once the
 * graph is built: a thread reads, projects and indexes them meanwhile. The
 * store is used by that thread alone until it is joined. */
struct load_job {
    struct ag_store *s;
    const struct ag_city *city;
    struct city_graph *cg;
    struct ag_error err;
    int rc;
};

static void *load_obstacles(void *arg)
{
    struct load_job *j = arg;
    j->rc = ag__kerb_load(j->s, j->city, j->cg, &j->err);
    return NULL;
}

static int join_load(pthread_t *th, bool *started, struct load_job *job, struct ag_error *err)
{
    if (*started)
        pthread_join(*th, NULL);
    *started = false;
    if (job->rc && err && !err->msg[0])
        *err = job->err;
    return job->rc;
}

/* What writing one space's results needs; scratch space per thread. */
struct results_ctx {
    struct city_graph *cg;
    const struct ag_vehicle_options *o;
    const struct ag_kin *kins;
    const struct ag_speeds *speeds;
    struct {
        struct ag_vec cands, memo;
        struct kbest *kbest; /* per class */
    } scratch[AG__VTHREADS];
    char **jsons; /* per space */
};

/* The JSON results of spaces [from, to): their entries and, per entry and
 * class, the fastest approach. */
static int space_results(void *ctx, size_t worker, size_t from, size_t to)
{
    struct results_ctx *x = ctx;
    struct city_graph *cg = x->cg;
    const struct ag_vehicle_options *o = x->o;
    size_t nc = o->classes->n;
    struct ag_vec *cands = &x->scratch[worker].cands, *memo = &x->scratch[worker].memo;
    struct kbest *kbest = x->scratch[worker].kbest;
    int rc = 0;
    for (size_t sp = from; sp < to && !rc; sp++) {
        const struct ag_space *space = &AG_VEC_AT(&cg->spaces, struct ag_space, sp);
        struct ag_buf b;
        ag_buf_init(&b, (size_t)256 << 20);
        ag_buf_printf(&b, "{\"space\":{\"id\":%lld,\"osm\":", (long long)space->id);
        if (!strcmp(space->origin, "osm"))
            ag_buf_printf(&b, "\"%s/%lld\"", space->ref.type, (long long)space->ref.id);
        else
            ag_buf_puts(&b, "null");
        ag_buf_puts(&b, ",\"name\":");
        if (space->name)
            ag_buf_put_json_str(&b, space->name);
        else
            ag_buf_puts(&b, "null");
        ag_buf_printf(&b, ",\"kind\":\"%s\"},\"model\":\"%s\",\"entries\":[", space->kind,
                      o->model == AG_VEHICLE_POWER ? "power" : "constant");
        int no = 0;
        for (size_t e = 0; e < cg->entries.len && !rc; e++) {
            struct entry *en = &AG_VEC_AT(&cg->entries, struct entry, e);
            if (en->space != sp)
                continue;
            /* A kerb-side entry lies where the fastest class meets the
             * perimeter: each class's best point first. */
            memo->len = 0;
            for (size_t c = 0; c < nc && !rc && en->kind == ENTRY_KERB; c++) {
                /* Classes of one width share their points. */
                double w = o->classes->v[c].width_m;
                if (c == 0 || w != o->classes->v[c - 1].width_m)
                    rc = ag__kerb_candidates(cg, en, w, memo, cands);
                ag__kerb_best(cg, cands, &x->kins[c], w, &x->speeds[c], &kbest[c]);
            }
            if (en->kind == ENTRY_KERB) {
                size_t fastest = SIZE_MAX;
                for (size_t c = 0; c < nc; c++)
                    if (kbest[c].found && (fastest == SIZE_MAX || kbest[c].v > kbest[fastest].v))
                        fastest = c;
                if (fastest != SIZE_MAX)
                    en->xy = kbest[fastest].at.q;
            }
            /* The states arriving at a way entry from outside: the same for
             * every class. */
            struct arrivals arr = {0};
            if (en->kind == ENTRY_WAY)
                rc = way_arrivals(cg, en, &arr);
            write_entry_head(cg, en, no, &b);
            ag_buf_puts(&b, ",\"by_class\":[");
            for (size_t c = 0; c < nc && !rc; c++) {
                if (c)
                    ag_buf_puts(&b, ",");
                rc = en->kind == ENTRY_KERB ? kerb_class_result(cg, &o->classes->v[c], &x->kins[c],
                                                                &x->speeds[c], &kbest[c], &b)
                                            : class_result(cg, &o->classes->v[c], &x->kins[c],
                                                           &x->speeds[c], &arr, &b);
            }
            free(arr.d);
            ag_buf_puts(&b, "]}");
            no++;
        }
        if (!rc && ag_buf_puts(&b, "]}"))
            rc = AG_ELIMIT;
        if (!rc && !(x->jsons[sp] = ag_buf_take(&b)))
            rc = AG_ENOMEM;
        ag_buf_free(&b);
    }
    return rc;
}

/* Road nodes [from, to) projected into xy (ag__vparallel). */
struct project_ctx {
    struct city_graph *cg;
    struct ag_xy *node_xy;
    struct ag_bbox *edge_box;
};

static int project_nodes(void *ctx, size_t worker, size_t from, size_t to)
{
    struct project_ctx *x = ctx;
    (void)worker;
    for (size_t i = from; i < to; i++)
        x->node_xy[i] =
            ag_proj_fwd(x->cg->proj, AG_VEC_AT(&x->cg->nodes, struct ag_road_node, i).ll);
    return 0;
}

/* Road edges [from, to) projected (into cg->edge_xy, laid out beforehand
 * in one block: the two threads would otherwise wait on each other's
 * allocations) with their boxes. */
static int project_edges(void *ctx, size_t worker, size_t from, size_t to)
{
    struct project_ctx *x = ctx;
    struct city_graph *cg = x->cg;
    (void)worker;
    for (size_t i = from; i < to; i++) {
        const struct ag_road_edge *e = &AG_VEC_AT(&cg->edges, struct ag_road_edge, i);
        struct ag_xy *xy = cg->edge_xy[i];
        struct ag_bbox bb = ag_bbox_empty();
        for (size_t k = 0; k < e->geom.n; k++) {
            xy[k] = ag_proj_fwd(cg->proj, e->geom.pts[k]);
            ag_bbox_extend(&bb, xy[k].x, xy[k].y);
        }
        x->edge_box[i] = bb;
    }
    return 0;
}

/* The crossings of spaces [from, to) with the roads, each space's in its
 * own vec (ag__vparallel): the index is only read. */
struct crossings_ctx {
    struct city_graph *cg;
    struct ag_vec *per_space;
};

static int space_crossings(void *ctx, size_t worker, size_t from, size_t to)
{
    struct crossings_ctx *x = ctx;
    struct city_graph *cg = x->cg;
    (void)worker;
    for (size_t sp = from; sp < to; sp++)
        for (size_t r = 0; r < cg->space_nrings[sp]; r++) {
            const struct ag_xy *ring = cg->space_xy[sp][r];
            for (size_t k = 0; k + 1 < cg->space_ring_n[sp][r]; k++) {
                struct find_ctx f = {cg, sp, ring[k], ring[k + 1], &x->per_space[sp], 0};
                ag_index_query(cg->road_ix, seg_box(ring[k], ring[k + 1]), crossing_cb, &f);
                if (f.rc)
                    return f.rc;
            }
        }
    return 0;
}

/* Adds the time since *mark to *phase and moves the mark (--timing). */
static void lap(double *phase, double *mark)
{
    double now = ag_now();
    *phase += now - *mark;
    *mark = now;
}

int ag_vehicle_analyse(struct ag_store *s, const struct ag_city *city, const int64_t *space_ids,
                       size_t n, const struct ag_vehicle_options *o, struct ag_vec *out,
                       struct ag_progress *progress, struct ag_error *err)
{
    struct city_graph cg = {0};
    struct ag_u64map node_ix;
    ag_u64map_init(&node_ix);
    struct ag_speeds *speeds = NULL;
    struct ag_kin *kins = NULL;
    char **jsons = NULL; /* per space, until appended to out */
    double merge_m = o->merge_m > 0 ? o->merge_m : 5.0;
    /* Kerb-side reach: 0 is the default, a negative value turns them off. */
    cg.kerb_m = o->kerb_m == 0 ? AG_VEHICLE_KERB_DEFAULT_M : o->kerb_m < 0 ? -1 : o->kerb_m;
    struct load_job job = {s, city, &cg, {0}, 0};
    pthread_t loader;
    bool loading = false, kerb = false;
    struct ag_vehicle_timing tm = {0};
    double mark = ag_now();
    int rc = load_city(s, city, space_ids, n, &cg, err);
    if (!rc)
        rc = project_spaces(&cg);
    if (rc)
        goto done;
    kerb = cg.kerb_m >= 0 && o->classes->n && cg.spaces.len;
    cg.min_hw = INFINITY;
    for (size_t c = 0; c < o->classes->n; c++) {
        cg.min_hw = fmin(cg.min_hw, o->classes->v[c].width_m / 2);
        cg.max_hw = fmax(cg.max_hw, o->classes->v[c].width_m / 2);
    }
    if (kerb) {
        loading = pthread_create(&loader, NULL, load_obstacles, &job) == 0;
        if (!loading)
            load_obstacles(&job); /* no thread: read them now */
    }
    lap(&tm.load, &mark);
    /* Graph nodes: the road nodes first, so graph index = road node index.
     * Projecting (roads have ~10 vertices each) runs on two threads. */
    struct project_ctx px = {&cg, malloc((cg.nodes.len ? cg.nodes.len : 1) * sizeof(struct ag_xy)),
                             malloc((cg.edges.len ? cg.edges.len : 1) * sizeof(struct ag_bbox))};
    cg.edge_xy = calloc(cg.edges.len ? cg.edges.len : 1, sizeof *cg.edge_xy);
    size_t nvert = 0;
    for (size_t i = 0; i < cg.edges.len; i++)
        nvert += AG_VEC_AT(&cg.edges, struct ag_road_edge, i).geom.n;
    cg.edge_xy_all = malloc((nvert ? nvert : 1) * sizeof *cg.edge_xy_all);
    if (!rc && (!px.node_xy || !px.edge_box || !cg.edge_xy || !cg.edge_xy_all ||
                ag_index_new(&cg.road_ix)))
        rc = AG_ENOMEM;
    for (size_t i = 0, at = 0; !rc && i < cg.edges.len; i++) {
        cg.edge_xy[i] = cg.edge_xy_all + at;
        at += AG_VEC_AT(&cg.edges, struct ag_road_edge, i).geom.n;
    }
    if (!rc)
        rc = ag__vparallel(cg.nodes.len, 256, project_nodes, &px);
    for (size_t i = 0; i < cg.nodes.len && !rc; i++) {
        const struct ag_road_node *rn = &AG_VEC_AT(&cg.nodes, struct ag_road_node, i);
        size_t id;
        rc = ag_vgraph_add_node(&cg.g, px.node_xy[i], rn->blocks_vehicle, &id);
        if (!rc)
            rc = ag_u64map_put(&node_ix, (uint64_t)rn->osm_id, id);
    }
    lap(&tm.project, &mark);
    if (!rc)
        rc = ag__vparallel(cg.edges.len, 128, project_edges, &px);
    for (size_t i = 0; i < cg.edges.len && !rc; i++) {
        rc = ag_index_add(cg.road_ix, (int64_t)i, px.edge_box[i]);
        cg.road_hw = fmax(cg.road_hw, AG_VEC_AT(&cg.edges, struct ag_road_edge, i).width_m / 2);
    }
    free(px.node_xy);
    free(px.edge_box);
    if (!rc)
        rc = ag_index_build(cg.road_ix);
    lap(&tm.project, &mark);
    /* Every point where a road meets a perimeter, space by space on two
     * threads, then in space order. */
    struct crossings_ctx cx = {&cg,
                               calloc(cg.spaces.len ? cg.spaces.len : 1, sizeof(struct ag_vec))};
    if (!rc && !cx.per_space)
        rc = AG_ENOMEM;
    for (size_t sp = 0; cx.per_space && sp < cg.spaces.len; sp++)
        ag_vec_init(&cx.per_space[sp], sizeof(struct crossing));
    if (!rc)
        rc = ag__vparallel(cg.spaces.len, 4, space_crossings, &cx);
    for (size_t sp = 0; cx.per_space && sp < cg.spaces.len; sp++) {
        for (size_t c = 0; c < cx.per_space[sp].len && !rc; c++)
            if (!ag_vec_push(&cg.crossings, &AG_VEC_AT(&cx.per_space[sp], struct crossing, c)))
                rc = AG_ENOMEM;
        ag_vec_free(&cx.per_space[sp]);
    }
    free(cx.per_space);
    lap(&tm.graph, &mark);
    if (!rc)
        rc = build_graph(&cg, &node_ix);
    if (!rc) {
        cg.vnode_osm = calloc(cg.g.nnodes ? cg.g.nnodes : 1, sizeof *cg.vnode_osm);
        if (!cg.vnode_osm)
            rc = AG_ENOMEM;
        for (size_t i = 0; !rc && i < cg.nodes.len; i++)
            cg.vnode_osm[i] = AG_VEC_AT(&cg.nodes, struct ag_road_node, i).osm_id;
    }
    lap(&tm.graph, &mark);
    if (!rc)
        rc = find_entries(&cg, merge_m);
    /* One search per class covers every entry of every space. */
    size_t nc = o->classes->n;
    speeds = calloc(nc ? nc : 1, sizeof *speeds);
    kins = calloc(nc ? nc : 1, sizeof *kins);
    if (!rc && (!speeds || !kins))
        rc = AG_ENOMEM;
    for (size_t c = 0; c < nc && !rc; c++) {
        const struct ag_vehicle_class *vc = &o->classes->v[c];
        kins[c] = (struct ag_kin){o->model, vc->accel_ms2, vc->power_w, vc->mass_kg,
                                  vc->max_speed_ms, vc->lateral_accel_ms2};
    }
    lap(&tm.graph, &mark);
    if (!rc)
        rc = ag_vgraph_prepare(&cg.g);
    lap(&tm.prepare, &mark);
    /* Kerb-side entries after the way entries: they read the graph's
     * adjacency and the way entries, and add nothing to the graph. */
    if (kerb) {
        int lrc = join_load(&loader, &loading, &job, err);
        rc = rc ? rc : lrc;
        if (!rc)
            rc = ag__kerb_find(&cg, merge_m);
    }
    lap(&tm.kerb, &mark);
    if (progress)
        ag_progress_start(progress, "vehicle classes", nc);
    if (!rc) {
        struct search_ctx sx = {&cg.g, o, kins, speeds};
        rc = ag__vparallel(nc, 1, search_classes, &sx);
    }
    if (progress) {
        ag_progress_update(progress, nc);
        ag_progress_end(progress);
    }
    lap(&tm.search, &mark);
    /* Each space's results on its own; the two threads take the spaces
     * one at a time, and they are appended in order. */
    jsons = calloc(cg.spaces.len ? cg.spaces.len : 1, sizeof *jsons);
    if (!rc && !jsons)
        rc = AG_ENOMEM;
    struct results_ctx rx = {.cg = &cg, .o = o, .kins = kins, .speeds = speeds, .jsons = jsons};
    for (size_t t = 0; t < AG__VTHREADS; t++) {
        ag_vec_init(&rx.scratch[t].cands, sizeof(struct ksample));
        ag_vec_init(&rx.scratch[t].memo, sizeof(struct kmemo));
        rx.scratch[t].kbest = calloc(nc ? nc : 1, sizeof *rx.scratch[t].kbest);
        if (!rx.scratch[t].kbest && !rc)
            rc = AG_ENOMEM;
    }
    if (!rc)
        rc = ag__vparallel(cg.spaces.len, 1, space_results, &rx);
    for (size_t sp = 0; sp < cg.spaces.len && !rc; sp++) {
        struct ag_vehicle_result res = {AG_VEC_AT(&cg.spaces, struct ag_space, sp).id, jsons[sp]};
        if (!ag_vec_push(out, &res))
            rc = AG_ENOMEM;
        else
            jsons[sp] = NULL;
    }
    for (size_t t = 0; t < AG__VTHREADS; t++) {
        ag_vec_free(&rx.scratch[t].cands);
        ag_vec_free(&rx.scratch[t].memo);
        free(rx.scratch[t].kbest);
    }
    lap(&tm.results, &mark);
    if (o->timing)
        *o->timing = tm;
done:
    join_load(&loader, &loading, &job, NULL);
    if (rc && err && !err->msg[0])
        ag_error_set(err, rc, "vehicle analysis: %s", ag_strerror(rc));
    for (size_t c = 0; speeds && c < o->classes->n; c++)
        ag_speeds_free(&speeds[c]);
    free(speeds);
    free(kins);
    for (size_t sp = 0; jsons && sp < cg.spaces.len; sp++)
        free(jsons[sp]);
    free(jsons);
    ag_u64map_free(&node_ix);
    city_graph_free(&cg);
    return rc;
}
