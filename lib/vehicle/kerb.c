/* Kerb-side entries (docs/methodology.md §13): where a drivable road runs
 * close enough to a space for a vehicle to leave it, cross the pavement and
 * reach the space, with no building or barrier that stops a vehicle in the
 * way. The road is examined at points every KERB_STEP metres and at every
 * vertex; a stretch of one road whose points all qualify is one entry. The
 * speed at a point comes from the searches' labels without cutting the
 * graph (ag_vstate_entry_speed, ag_vstate_speed_at), so it is exact with
 * respect to the model, and the way entries are left exactly as they were.
 * SPDX-License-Identifier: EUPL-1.2 */
#include "city.h"
#include "private.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Spacing of the points examined along a road (m). It only decides how
 * narrow a gap between obstacles can be and still be seen: speeds are taken
 * at the exact ends of each stretch and at its vertices, where the speed
 * along a straight run peaks. A gap between buildings a vehicle fits through
 * with less than a metre to spare can be missed. */
#define KERB_STEP 1.0
/* Halvings that place the end of a stretch between a point that qualifies
 * and one that does not: to KERB_STEP / 2^10, about a millimetre
 * of road. */
#define KERB_BISECT 10

static double orient(struct ag_xy a, struct ag_xy b, struct ag_xy c)
{
    return (b.x - a.x) * (c.y - a.y) - (b.y - a.y) * (c.x - a.x);
}

/* Squared distance from p to segment a-b, and the nearest point in *f.
 * (Squares and one square root: the probes run this hundreds of thousands
 * of times, and hypot is several times slower.) */
static double pt_seg_d2(struct ag_xy p, struct ag_xy a, struct ag_xy b, struct ag_xy *f)
{
    double dx = b.x - a.x, dy = b.y - a.y, l2 = dx * dx + dy * dy;
    double t = l2 > 0 ? ((p.x - a.x) * dx + (p.y - a.y) * dy) / l2 : 0;
    t = t < 0 ? 0 : t > 1 ? 1 : t;
    struct ag_xy q = {a.x + t * dx, a.y + t * dy};
    if (f)
        *f = q;
    return (p.x - q.x) * (p.x - q.x) + (p.y - q.y) * (p.y - q.y);
}

/* Distance between segments a-b and c-d: 0 when they cross, else the least
 * of the four endpoint-to-segment distances (which also covers touching
 * and degenerate segments). */
static double seg_seg_dist(struct ag_xy a, struct ag_xy b, struct ag_xy c, struct ag_xy d)
{
    double d1 = orient(c, d, a), d2 = orient(c, d, b), d3 = orient(a, b, c), d4 = orient(a, b, d);
    if (((d1 > 0 && d2 < 0) || (d1 < 0 && d2 > 0)) && ((d3 > 0 && d4 < 0) || (d3 < 0 && d4 > 0)))
        return 0;
    return sqrt(fmin(fmin(pt_seg_d2(a, c, d, NULL), pt_seg_d2(b, c, d, NULL)),
                     fmin(pt_seg_d2(c, a, b, NULL), pt_seg_d2(d, a, b, NULL))));
}

static struct ag_bbox grow(struct ag_bbox b, double m)
{
    return (struct ag_bbox){b.minx - m, b.miny - m, b.maxx + m, b.maxy + m};
}

/* The nearest point of the perimeter (every ring, holes included) to p,
 * and whether p lies in the space, in one pass over the rings: p is inside
 * when a ray from it crosses the rings an odd number of times (rings of a
 * valid multipolygon neither cross nor overlap), or on the boundary. */
static double locate(const struct city_graph *cg, size_t sp, struct ag_xy p, struct ag_xy *q,
                     bool *inside)
{
    double best = INFINITY;
    bool odd = false;
    for (size_t r = 0; r < cg->space_nrings[sp]; r++) {
        const struct ag_xy *ring = cg->space_xy[sp][r];
        for (size_t k = 0; k + 1 < cg->space_ring_n[sp][r]; k++) {
            struct ag_xy a = ring[k], b = ring[k + 1], f;
            double d2 = pt_seg_d2(p, a, b, &f);
            if (d2 < best) {
                best = d2;
                *q = f;
            }
            if ((a.y > p.y) != (b.y > p.y) && p.x < a.x + (b.x - a.x) * (p.y - a.y) / (b.y - a.y))
                odd = !odd;
        }
    }
    *inside = odd || best == 0;
    return sqrt(best);
}

/* The point s metres along a graph edge from its first vertex. */
static struct ag_xy point_at(const struct ag_vedge *e, double s)
{
    double at = 0;
    for (size_t i = 0; i + 1 < e->n; i++) {
        if (s <= at + e->seg_len[i]) {
            double t = e->seg_len[i] > 0 ? (s - at) / e->seg_len[i] : 0;
            t = t < 0 ? 0 : t;
            return (struct ag_xy){e->pts[i].x + t * (e->pts[i + 1].x - e->pts[i].x),
                                  e->pts[i].y + t * (e->pts[i + 1].y - e->pts[i].y)};
        }
        at += e->seg_len[i];
    }
    return e->pts[e->n - 1];
}

/* ---- obstacles ---- */

/* Even-odd over all rings: inside an outer ring and not in its hole. */
static bool obstacle_contains(const struct obstacle *o, struct ag_bbox box, struct ag_xy p)
{
    if (p.x < box.minx || p.x > box.maxx || p.y < box.miny || p.y > box.maxy)
        return false;
    bool in = false;
    for (size_t r = 0; r < o->nrings; r++) {
        size_t from = r ? o->ring_end[r - 1] : 0;
        for (size_t k = from; k + 1 < o->ring_end[r]; k++) {
            struct ag_xy a = o->pts[k], b = o->pts[k + 1];
            if ((a.y > p.y) != (b.y > p.y) && p.x < a.x + (b.x - a.x) * (p.y - a.y) / (b.y - a.y))
                in = !in;
        }
    }
    return in;
}

struct clear_ctx {
    const struct city_graph *cg;
    struct ag_xy a, b;
    struct ag_bbox box; /* of a-b */
    double clear;
};

static int clear_cb(void *ud, int64_t id, struct ag_bbox box)
{
    struct clear_ctx *c = ud;
    const struct obstacle *o = &c->cg->obst[id];
    if (o->area && (obstacle_contains(o, box, c->a) || obstacle_contains(o, box, c->b))) {
        c->clear = 0;
        return 1;
    }
    for (size_t r = 0; r < o->nrings; r++) {
        size_t from = r ? o->ring_end[r - 1] : 0;
        for (size_t k = from; k + 1 < o->ring_end[r]; k++) {
            struct ag_xy p = o->pts[k], q = o->pts[k + 1];
            /* Most sides of a building are farther than what is already
             * known: their boxes tell. */
            if (fmin(p.x, q.x) > c->box.maxx + c->clear ||
                fmax(p.x, q.x) < c->box.minx - c->clear ||
                fmin(p.y, q.y) > c->box.maxy + c->clear || fmax(p.y, q.y) < c->box.miny - c->clear)
                continue;
            double d = seg_seg_dist(c->a, c->b, p, q);
            if (d < c->clear)
                c->clear = d;
        }
    }
    return c->clear > 0 ? 0 : 1;
}

/* The free half-width around the line a-b: the distance to the nearest
 * obstacle, capped just above half the widest vehicle (farther is all any
 * class needs to know). */
static double clearance(const struct city_graph *cg, struct ag_xy a, struct ag_xy b)
{
    double cap = cg->max_hw + 0.01;
    struct ag_bbox q = ag_bbox_empty();
    ag_bbox_extend(&q, a.x, a.y);
    ag_bbox_extend(&q, b.x, b.y);
    struct clear_ctx c = {cg, a, b, q, cap};
    if (cg->obst_ix)
        ag_index_query(cg->obst_ix, grow(q, cap), clear_cb, &c);
    return c.clear;
}

static int any_cb(void *ud, int64_t id, struct ag_bbox box)
{
    (void)ud;
    (void)id;
    (void)box;
    return 1;
}

static bool near_any(void *ud, struct ag_bbox box)
{
    return ag_index_query(ud, box, any_cb, NULL) != 0;
}

/* The box of space sp's projected rings. */
static struct ag_bbox space_box(const struct city_graph *cg, size_t sp)
{
    struct ag_bbox box = ag_bbox_empty();
    for (size_t r = 0; r < cg->space_nrings[sp]; r++)
        for (size_t k = 0; k < cg->space_ring_n[sp][r]; k++)
            ag_bbox_extend(&box, cg->space_xy[sp][r][k].x, cg->space_xy[sp][r][k].y);
    return box;
}

static int build_obstacles(struct city_graph *cg);

int ag__kerb_load(struct ag_store *s, const struct ag_city *city, struct city_graph *cg,
                  struct ag_error *err)
{
    /* Most buildings of a city are nowhere near an analysed space: the
     * store skips them by their lon/lat boxes against the spaces' grown by
     * the reach and a vehicle and then some (a degree of latitude is at
     * least 110.5 km; a degree of longitude at least that times the cosine
     * of the city's farthest latitude). build_obstacles makes the exact test
     * later. */
    struct ag_index *near = NULL;
    int rc = ag_index_new(&near);
    struct ag_bbox *boxes = malloc((cg->spaces.len ? cg->spaces.len : 1) * sizeof *boxes);
    if (!boxes && !rc)
        rc = AG_ENOMEM;
    double m = cg->kerb_m + cg->max_hw + 10, maxlat = 0;
    for (size_t i = 0; i < cg->spaces.len; i++) {
        const struct ag_bbox *b = &AG_VEC_AT(&cg->spaces, struct ag_space, i).bbox;
        maxlat = fmax(maxlat, fmax(fabs(b->miny), fabs(b->maxy)));
    }
    double dlat = m / 110500, dlon = dlat / fmax(cos(fmin(maxlat + 1, 89) * M_PI / 180), 1e-3);
    for (size_t i = 0; i < cg->spaces.len && !rc; i++) {
        struct ag_bbox b = AG_VEC_AT(&cg->spaces, struct ag_space, i).bbox;
        b = (struct ag_bbox){b.minx - dlon, b.miny - dlat, b.maxx + dlon, b.maxy + dlat};
        boxes[i] = b;
        rc = ag_index_add(near, (int64_t)i, b);
    }
    if (!rc)
        rc = ag_index_build(near);
    if (!rc)
        rc = ag_store_buildings_in(s, city->id, boxes, cg->spaces.len, near_any, near,
                                   &cg->buildings, err);
    else
        rc = ag_error_set(err, rc, "out of memory");
    if (!rc)
        rc = ag_store_barriers(s, city->id, &cg->barriers, err);
    ag_index_free(near);
    free(boxes);
    /* Projected and indexed here too, on the loading thread. */
    if (!rc && (rc = build_obstacles(cg)))
        rc = ag_error_set(err, rc, "out of memory");
    return rc;
}

/* Appends an obstacle of nrings rings (or one line), projected. */
static int add_obstacle(struct city_graph *cg, size_t *cap, const struct ag_ring *rings,
                        size_t nrings, const struct ag_line *line)
{
    struct obstacle *ob = ag_grow(cg->obst, cap, cg->nobst + 1, sizeof *ob, 256);
    if (!ob)
        return AG_ENOMEM;
    cg->obst = ob;
    size_t nr = line ? 1 : nrings, total = 0;
    for (size_t r = 0; r < nr; r++)
        total += line ? line->n : rings[r].n;
    struct obstacle o = {malloc((total ? total : 1) * sizeof *o.pts),
                         malloc((nr ? nr : 1) * sizeof *o.ring_end), nr, !line};
    if (!o.pts || !o.ring_end) {
        free(o.pts);
        free(o.ring_end);
        return AG_ENOMEM;
    }
    size_t k = 0;
    for (size_t r = 0; r < nr; r++) {
        const struct ag_ll *pts = line ? line->pts : rings[r].pts;
        size_t n = line ? line->n : rings[r].n;
        for (size_t i = 0; i < n; i++)
            o.pts[k++] = ag_proj_fwd(cg->proj, pts[i]);
        o.ring_end[r] = k;
    }
    cg->obst[cg->nobst++] = o;
    return 0;
}

/* Projects the buildings and blocking barrier lines near the analysed spaces
 * (a city has tens of thousands of buildings, most far from any space) and
 * indexes them. */
static int build_obstacles(struct city_graph *cg)
{
    struct ag_index *near = NULL;
    int rc = ag_index_new(&near);
    /* Each space's reach in lon/lat: the corners of its box in metres,
     * grown by everything a kerb-side approach line can span, taken back
     * to lon/lat, and padded by about a metre. */
    double m = cg->kerb_m + cg->max_hw + 2;
    for (size_t sp = 0; sp < cg->spaces.len && !rc; sp++) {
        struct ag_bbox b = grow(space_box(cg, sp), m), ll = ag_bbox_empty();
        const struct ag_xy corners[4] = {
            {b.minx, b.miny}, {b.maxx, b.miny}, {b.maxx, b.maxy}, {b.minx, b.maxy}};
        for (int i = 0; i < 4; i++) {
            struct ag_ll c = ag_proj_inv(cg->proj, corners[i]);
            ag_bbox_extend(&ll, c.lon, c.lat);
        }
        rc = ag_index_add(near, (int64_t)sp, grow(ll, 1e-5));
    }
    if (!rc)
        rc = ag_index_build(near);
    size_t cap = 0;
    for (size_t i = 0; i < cg->buildings.len && !rc; i++) {
        const struct ag_building *bd = &AG_VEC_AT(&cg->buildings, struct ag_building, i);
        /* A roof on pillars (building=roof, a carport) has no walls to stop
         * a vehicle (OSM wiki, Key:building). */
        if (bd->building && (!strcmp(bd->building, "roof") || !strcmp(bd->building, "carport")))
            continue;
        if (!ag_index_query(near, bd->bbox, any_cb, NULL))
            continue;
        for (size_t p = 0; p < bd->geom.npolys && !rc; p++)
            rc = add_obstacle(cg, &cap, bd->geom.polys[p].rings, bd->geom.polys[p].nrings, NULL);
    }
    for (size_t i = 0; i < cg->barriers.len && !rc; i++) {
        const struct ag_barrier *br = &AG_VEC_AT(&cg->barriers, struct ag_barrier, i);
        /* A barrier on a single node is a post a vehicle passes beside;
         * lines (walls, rows of bollards drawn as a way) stop it. */
        if (!br->blocks_vehicle || br->geom.n < 2)
            continue;
        struct ag_bbox ll = ag_bbox_empty();
        for (size_t k = 0; k < br->geom.n; k++)
            ag_bbox_extend(&ll, br->geom.pts[k].lon, br->geom.pts[k].lat);
        if (ag_index_query(near, ll, any_cb, NULL))
            rc = add_obstacle(cg, &cap, NULL, 0, &br->geom);
    }
    ag_index_free(near);
    if (!rc)
        rc = ag_index_new(&cg->obst_ix);
    for (size_t i = 0; i < cg->nobst && !rc; i++) {
        const struct obstacle *o = &cg->obst[i];
        size_t total = o->nrings ? o->ring_end[o->nrings - 1] : 0;
        if (!total)
            continue;
        struct ag_bbox b = ag_bbox_empty();
        for (size_t k = 0; k < total; k++)
            ag_bbox_extend(&b, o->pts[k].x, o->pts[k].y);
        rc = ag_index_add(cg->obst_ix, (int64_t)i, b);
    }
    if (!rc)
        rc = ag_index_build(cg->obst_ix);
    return rc;
}

/* ---- probing a point of a road ---- */

/* Examines the point p, s metres along graph edge ge, for a kerb-side
 * approach to space sp, hw being half the carriageway width there. When the
 * point is out of reach, o->gap may be only a lower bound. */
static void probe_at(const struct city_graph *cg, size_t sp, size_t ge, double s, struct ag_xy p,
                     double hw, bool vertex, struct ksample *o)
{
    const struct ag_vedge *e = &cg->g.edges[ge];
    *o = (struct ksample){.ge = ge, .s = s, .p = p, .hw = hw, .vertex = vertex};
    /* Far from the space's box, far from the space: no need for its rings. */
    const struct ag_bbox *bx = &cg->kspaces[sp].box;
    double dx = fmax(0, fmax(bx->minx - o->p.x, o->p.x - bx->maxx));
    double dy = fmax(0, fmax(bx->miny - o->p.y, o->p.y - bx->maxy));
    if (dx * dx + dy * dy > (cg->kerb_m + hw) * (cg->kerb_m + hw)) {
        o->gap = sqrt(dx * dx + dy * dy) - hw;
        return;
    }
    bool inside;
    double dist = locate(cg, sp, o->p, &o->q, &inside);
    o->gap = dist - hw;
    if (!(o->gap <= cg->kerb_m) || inside)
        return;
    /* The road of a way entry, near that entry: the vehicle meets the space
     * there at the way entry, whose figures already cover it. Twice the
     * reach takes in a road meeting the perimeter at up to about 63° from
     * square (tan⁻¹ 2); a road running more nearly alongside keeps the
     * stretch beyond that. */
    const struct kspace *ks = &cg->kspaces[sp];
    double own = 2 * (cg->kerb_m + hw);
    for (size_t i = 0; i < ks->nwp; i++)
        if (ks->wp[i].way == e->way && ag_xy_dist(ks->wp[i].xy, o->q) < own)
            return;
    o->base = true;
    /* The line the vehicle takes: from the carriageway's edge (the
     * carriageway itself is clear) straight to the nearest point. */
    double off = fmin(hw, dist);
    struct ag_xy from = {o->p.x + (o->q.x - o->p.x) * off / dist,
                         o->p.y + (o->q.y - o->p.y) * off / dist};
    o->clear = clearance(cg, from, o->q);
}

static void probe(const struct city_graph *cg, size_t sp, size_t ge, double s, double hw,
                  bool vertex, struct ksample *o)
{
    probe_at(cg, sp, ge, s, point_at(&cg->g.edges[ge], s), hw, vertex, o);
}

static bool qualifies(const struct ksample *k, double half_width)
{
    return k->base && k->clear >= half_width;
}

/* Consecutive points of one road, with nothing unexamined between them. */
static bool adjacent(const struct city_graph *cg, const struct ksample *a, const struct ksample *b)
{
    return cg->g.edges[a->ge].way == cg->g.edges[b->ge].way &&
           fabs(b->pos - a->pos) <= KERB_STEP + 1e-6;
}

/* The end of a stretch between `in`, which qualifies for a vehicle of half
 * width hwv, and `out` on the same edge, which does not. *min_clear (may be
 * NULL) receives the least clearance of the points that qualified on the
 * way: for any wider vehicle up to that, every halving goes the same way. */
static struct ksample refine(const struct city_graph *cg, size_t sp, const struct ksample *in,
                             const struct ksample *out, double hwv, double *min_clear)
{
    struct ksample lo = *in;
    double s_out = out->s, hw = cg->g.edges[in->ge].width_m / 2, least = INFINITY;
    for (int i = 0; i < KERB_BISECT; i++) {
        struct ksample m;
        probe(cg, sp, in->ge, (lo.s + s_out) / 2, hw, false, &m);
        if (qualifies(&m, hwv)) {
            m.pos = in->pos + (m.s - in->s);
            lo = m;
            least = fmin(least, m.clear);
        } else {
            s_out = m.s;
        }
    }
    if (min_clear)
        *min_clear = least;
    return lo;
}

/* ---- finding the stretches ---- */

/* Road edges in order along their ways: (way, seq) keys. */
struct edge_key {
    int64_t way;
    int seq;
    size_t ix;
};

static int cmp_edge_key(const void *a, const void *b)
{
    const struct edge_key *x = a, *y = b;
    if (x->way != y->way)
        return x->way < y->way ? -1 : 1;
    return (x->seq > y->seq) - (x->seq < y->seq);
}

/* Sorts road edge indices ix[0..n) along their ways. */
static int sort_along_ways(const struct city_graph *cg, size_t *ix, size_t n)
{
    struct edge_key *k = malloc((n ? n : 1) * sizeof *k);
    if (!k)
        return AG_ENOMEM;
    for (size_t i = 0; i < n; i++) {
        const struct ag_road_edge *e = &AG_VEC_AT(&cg->edges, struct ag_road_edge, ix[i]);
        k[i] = (struct edge_key){e->osm_way_id, e->seq, ix[i]};
    }
    qsort(k, n, sizeof *k, cmp_edge_key);
    for (size_t i = 0; i < n; i++)
        ix[i] = k[i].ix;
    free(k);
    return 0;
}

struct collect {
    struct ag_vec *ids; /* size_t */
    int rc;
};

static int collect_cb(void *ud, int64_t id, struct ag_bbox box)
{
    (void)box;
    struct collect *c = ud;
    size_t v = (size_t)id;
    if (!ag_vec_push(c->ids, &v))
        return c->rc = AG_ENOMEM;
    return 0;
}

/* Where each road edge lies along its OSM way, in the graph's own metres. */
static int way_positions(struct city_graph *cg)
{
    size_t ne = cg->edges.len, ng = cg->g.nedges;
    size_t *order = malloc((ne ? ne : 1) * sizeof *order);
    double *len = calloc(ne ? ne : 1, sizeof *len);
    cg->gs0 = malloc((ng ? ng : 1) * sizeof *cg->gs0);
    cg->wayoff = calloc(ne ? ne : 1, sizeof *cg->wayoff);
    cg->waylen = calloc(ne ? ne : 1, sizeof *cg->waylen);
    cg->wayclosed = calloc(ne ? ne : 1, sizeof *cg->wayclosed);
    cg->node_hw = calloc(cg->g.nnodes ? cg->g.nnodes : 1, sizeof *cg->node_hw);
    if (!order || !len || !cg->gs0 || !cg->wayoff || !cg->waylen || !cg->wayclosed ||
        !cg->node_hw) {
        free(order);
        free(len);
        return AG_ENOMEM;
    }
    for (size_t e = 0; e < ne; e++) {
        double at = 0;
        for (size_t j = 0; j < cg->npieces[e]; j++) {
            size_t ge = cg->first_piece[e] + j;
            cg->gs0[ge] = at;
            at += cg->g.edges[ge].length_m;
        }
        len[e] = at;
        order[e] = e;
    }
    for (size_t ge = 0; ge < ng; ge++) {
        const struct ag_vedge *g = &cg->g.edges[ge];
        cg->node_hw[g->a] = fmax(cg->node_hw[g->a], g->width_m / 2);
        cg->node_hw[g->b] = fmax(cg->node_hw[g->b], g->width_m / 2);
    }
    if (sort_along_ways(cg, order, ne)) {
        free(order);
        free(len);
        return AG_ENOMEM;
    }
    for (size_t i = 0; i < ne;) {
        int64_t way = AG_VEC_AT(&cg->edges, struct ag_road_edge, order[i]).osm_way_id;
        size_t j = i;
        double at = 0;
        for (; j < ne && AG_VEC_AT(&cg->edges, struct ag_road_edge, order[j]).osm_way_id == way;
             j++) {
            cg->wayoff[order[j]] = at;
            at += len[order[j]];
        }
        bool closed = AG_VEC_AT(&cg->edges, struct ag_road_edge, order[i]).from_node ==
                      AG_VEC_AT(&cg->edges, struct ag_road_edge, order[j - 1]).to_node;
        for (size_t k = i; k < j; k++) {
            cg->waylen[order[k]] = at;
            cg->wayclosed[order[k]] = closed;
        }
        i = j;
    }
    free(order);
    free(len);
    return 0;
}

/* The way entries of space sp and the roads that meet them. */
static int space_context(struct city_graph *cg, size_t sp)
{
    struct kspace *ks = &cg->kspaces[sp];
    ks->box = space_box(cg, sp);
    size_t cap = 0;
    for (size_t i = 0; i < cg->entries.len; i++) {
        const struct entry *en = &AG_VEC_AT(&cg->entries, struct entry, i);
        if (en->space != sp || en->kind != ENTRY_WAY)
            continue;
        for (size_t k = 0; k < en->nnodes; k++) {
            size_t v = en->nodes[k];
            for (size_t j = cg->g.adj_off[v]; j < cg->g.adj_off[v + 1]; j++) {
                struct kway *wp = ag_grow(ks->wp, &cap, ks->nwp + 1, sizeof *wp, 8);
                if (!wp)
                    return AG_ENOMEM;
                ks->wp = wp;
                ks->wp[ks->nwp++] =
                    (struct kway){cg->g.edges[cg->g.adj[j] / 2].way, cg->g.nodes[v].xy};
            }
        }
    }
    return 0;
}

/* Probes along one edge, in order. */
struct walk {
    const struct city_graph *cg;
    size_t sp, ge;
    double base; /* where the edge starts along its way */
    double lb;   /* a lower bound of the last point's distance to the space */
    double last_s;
    struct ag_vec *out;
};

static int walk_to(struct walk *w, double s, struct ag_xy p, double hw, bool vertex)
{
    struct ksample smp;
    /* The distance to the space changes by at most the distance moved: a
     * point that the last one's distance already puts out of reach needs
     * no look at the rings (most points of a road near a space's box). */
    double lb = w->lb - (s - w->last_s);
    if (lb - hw > w->cg->kerb_m) {
        smp = (struct ksample){
            .ge = w->ge, .s = s, .p = p, .hw = hw, .gap = lb - hw, .vertex = vertex};
    } else {
        probe_at(w->cg, w->sp, w->ge, s, p, hw, vertex, &smp);
        lb = smp.gap + hw;
    }
    w->lb = lb;
    w->last_s = s;
    smp.pos = w->base + s;
    return ag_vec_push(w->out, &smp) ? 0 : AG_ENOMEM;
}

/* Examines graph edge ge at its vertices and every KERB_STEP metres or
 * less between them (at its two nodes only when ends_only). At a node the
 * carriageway is the widest of the roads that meet there. */
static int sample_edge(const struct city_graph *cg, size_t sp, size_t ge, double base,
                       bool ends_only, struct ag_bbox box, struct ag_vec *out)
{
    const struct ag_vedge *e = &cg->g.edges[ge];
    struct walk w = {cg, sp, ge, base, -INFINITY, 0, out};
    int rc = walk_to(&w, 0, e->pts[0], cg->node_hw[e->a], true);
    double at = 0;
    for (size_t k = 0; k + 1 < e->n && !ends_only && !rc; k++) {
        size_t steps = (size_t)ceil(e->seg_len[k] / KERB_STEP);
        steps = steps ? steps : 1;
        /* A segment out of reach of the space's box has nothing to find
         * between its vertices (its vertices are examined all the same, so
         * that the stretches beside it end where they should). */
        struct ag_bbox sb = ag_bbox_empty();
        ag_bbox_extend(&sb, e->pts[k].x, e->pts[k].y);
        ag_bbox_extend(&sb, e->pts[k + 1].x, e->pts[k + 1].y);
        if (!ag_bbox_intersects(sb, box))
            steps = 1;
        struct ag_xy a = e->pts[k], b = e->pts[k + 1];
        for (size_t m = 0; m < steps && !rc; m++) {
            if (k == 0 && m == 0)
                continue; /* the node, done */
            double t = (double)m / (double)steps;
            rc = walk_to(&w, at + e->seg_len[k] * t,
                         (struct ag_xy){a.x + t * (b.x - a.x), a.y + t * (b.y - a.y)},
                         e->width_m / 2, m == 0);
        }
        at += e->seg_len[k];
    }
    return rc ? rc : walk_to(&w, e->length_m, e->pts[e->n - 1], cg->node_hw[e->b], true);
}

/* Samples every candidate road near space sp, in order along each way. */
static int sample_space(const struct city_graph *cg, size_t sp, struct ag_vec *out)
{
    struct ag_vec ids;
    ag_vec_init(&ids, sizeof(size_t));
    struct collect c = {&ids, 0};
    struct ag_bbox box = grow(cg->kspaces[sp].box, cg->kerb_m + cg->road_hw);
    ag_index_query(cg->road_ix, box, collect_cb, &c);
    int rc = c.rc ? c.rc : sort_along_ways(cg, ids.data, ids.len);
    for (size_t i = 0; i < ids.len && !rc; i++) {
        size_t re = AG_VEC_AT(&ids, size_t, i);
        const struct ag_road_edge *r = &AG_VEC_AT(&cg->edges, struct ag_road_edge, re);
        /* No class can use it (the search would never let it), or a vehicle
         * in a tunnel or on a bridge cannot leave it sideways: only its ends,
         * on the ground, are examined. */
        if (r->width_m < 2 * cg->min_hw)
            continue;
        bool ends_only = r->tunnel || r->bridge;
        for (size_t j = 0; j < cg->npieces[re] && !rc; j++) {
            size_t ge = cg->first_piece[re] + j;
            const struct ag_vedge *e = &cg->g.edges[ge];
            struct ag_bbox eb = ag_bbox_empty();
            for (size_t k = 0; k < e->n; k++)
                ag_bbox_extend(&eb, e->pts[k].x, e->pts[k].y);
            if (!ag_bbox_intersects(eb, box))
                continue;
            double base = cg->wayoff[re] + cg->gs0[ge];
            rc = sample_edge(cg, sp, ge, base, ends_only, box, out);
        }
    }
    ag_vec_free(&ids);
    return rc;
}

/* A run of consecutive qualifying samples [i, j] of one way, its exact ends
 * along the way (a, b) and the samples to keep for it [lo, hi] (the run with
 * the neighbours that bound it). */
struct run {
    size_t i, j, lo, hi;
    double a, b;
};

/* A stretch in the making: runs members[first .. first + n) of the space's
 * run array. */
struct kgroup {
    size_t first, n;
    double frontage;
    size_t root; /* union-find: the group it has been merged into */
};

/* The kerb-side entries of one space, found apart from the others' (on
 * another thread) and appended to the city's in space order: ks_off counts
 * from the space's first sample until then. */
struct kfound {
    struct ag_vec entries;  /* struct entry */
    struct ag_vec ksamples; /* struct ksample */
};

static int add_entry(const struct city_graph *cg, struct kfound *out, size_t sp,
                     const struct ag_vec *smp, const struct run *runs, const size_t *members,
                     size_t nm)
{
    const struct ksample *S = smp->data;
    struct entry en = {.space = sp, .kind = ENTRY_KERB, .ks_off = out->ksamples.len};
    const struct ksample *first = &S[runs[members[0]].i];
    size_t re = AG_VEC_AT(&cg->gsrc, size_t, first->ge);
    en.osm_way = AG_VEC_AT(&cg->edges, struct ag_road_edge, re).osm_way_id;
    en.store_edge = re;
    en.gap_m = INFINITY;
    for (size_t m = 0; m < nm; m++) {
        const struct run *r = &runs[members[m]];
        en.frontage_m += r->b - r->a;
        for (size_t k = r->lo; k <= r->hi; k++) {
            if (!ag_vec_push(&out->ksamples, &S[k]))
                return AG_ENOMEM;
            if (qualifies(&S[k], cg->min_hw) && S[k].gap < en.gap_m) {
                en.gap_m = S[k].gap;
                en.xy = S[k].q; /* until a class's fastest point replaces it */
            }
        }
    }
    en.ks_n = out->ksamples.len - en.ks_off;
    en.gap_m = fmax(0, en.gap_m);
    double carriageway = AG_VEC_AT(&cg->edges, struct ag_road_edge, re).width_m;
    /* The opening a barrier must close: the frontage, and never less than
     * the carriageway that points at the space. */
    en.width_m = fmax(en.frontage_m, carriageway);
    return ag_vec_push(&out->entries, &en) ? 0 : AG_ENOMEM;
}

/* Groups the runs runs[from .. to) of one way into stretches: runs less than
 * merge_m apart are one stretch (as entry points within merge_m are one
 * entry), and on a way that closes on itself the last stretch continues
 * into the first. */
static int group_way(const struct city_graph *cg, const struct ksample *S, const struct run *runs,
                     size_t from, size_t to, double merge_m, struct ag_vec *members,
                     struct ag_vec *groups)
{
    size_t re = AG_VEC_AT(&cg->gsrc, size_t, S[runs[from].i].ge);
    size_t g0 = groups->len;
    for (size_t i = from; i < to; i++) {
        if (i == from || !(runs[i].a - runs[i - 1].b < merge_m)) {
            struct kgroup g = {members->len, 0, 0, groups->len};
            if (!ag_vec_push(groups, &g))
                return AG_ENOMEM;
        }
        struct kgroup *g = &AG_VEC_AT(groups, struct kgroup, groups->len - 1);
        g->n++;
        g->frontage += runs[i].b - runs[i].a;
        if (!ag_vec_push(members, &i))
            return AG_ENOMEM;
    }
    size_t ng = groups->len - g0;
    if (ng > 1 && cg->wayclosed[re] && runs[from].a + (cg->waylen[re] - runs[to - 1].b) < merge_m) {
        /* The first stretch continues the last: move its runs after the
         * last's (the members of the last group are at the end). */
        struct kgroup *first = &AG_VEC_AT(groups, struct kgroup, g0);
        struct kgroup *last = &AG_VEC_AT(groups, struct kgroup, groups->len - 1);
        for (size_t k = 0; k < first->n; k++) {
            size_t m = AG_VEC_AT(members, size_t, first->first + k);
            if (!ag_vec_push(members, &m))
                return AG_ENOMEM;
            first = &AG_VEC_AT(groups, struct kgroup, g0);
            last = &AG_VEC_AT(groups, struct kgroup, groups->len - 1);
        }
        last->n += first->n;
        last->frontage += first->frontage;
        first->n = 0; /* emptied: not an entry */
    }
    return 0;
}

static size_t find_root(struct ag_vec *groups, size_t g)
{
    while (AG_VEC_AT(groups, struct kgroup, g).root != g)
        g = AG_VEC_AT(groups, struct kgroup, g).root;
    return g;
}

/* Whether two stretches meet at a node that qualifies in both. */
static bool share_node(const struct city_graph *cg, const struct ksample *S, const struct run *runs,
                       const struct ag_vec *members, const struct kgroup *x, const struct kgroup *y)
{
    for (size_t i = 0; i < x->n; i++) {
        const struct run *rx = &runs[AG_VEC_AT(members, size_t, x->first + i)];
        for (size_t a = rx->i; a <= rx->j; a++) {
            const struct ag_vedge *ea = &cg->g.edges[S[a].ge];
            if (S[a].s > 0 && S[a].s < ea->length_m)
                continue; /* not a node */
            for (size_t k = 0; k < y->n; k++) {
                const struct run *ry = &runs[AG_VEC_AT(members, size_t, y->first + k)];
                for (size_t b = ry->i; b <= ry->j; b++)
                    if (S[b].vertex && ag_xy_dist(S[a].p, S[b].p) < 1e-6)
                        return true;
            }
        }
    }
    return false;
}

/* Stretches of different ways that meet at a node are one entry when they
 * are one street (the same name: a street drawn as several OSM ways), or
 * when one is a mere stub (shorter than merge_m: the end of a side street
 * at the junction with the road that runs alongside, whose straight-on
 * approach reaches the same frontage). The longest stretch names it. */
static void merge_groups(const struct city_graph *cg, const struct ksample *S,
                         const struct run *runs, const struct ag_vec *members,
                         struct ag_vec *groups, double merge_m)
{
    for (size_t x = 0; x < groups->len; x++) {
        for (size_t y = x + 1; y < groups->len; y++) {
            struct kgroup *gx = &AG_VEC_AT(groups, struct kgroup, x);
            struct kgroup *gy = &AG_VEC_AT(groups, struct kgroup, y);
            if (!gx->n || !gy->n)
                continue;
            size_t rx = find_root(groups, x), ry = find_root(groups, y);
            if (rx == ry)
                continue;
            const struct ag_road_edge *ex = &AG_VEC_AT(
                &cg->edges, struct ag_road_edge,
                AG_VEC_AT(&cg->gsrc, size_t, S[runs[AG_VEC_AT(members, size_t, gx->first)].i].ge));
            const struct ag_road_edge *ey = &AG_VEC_AT(
                &cg->edges, struct ag_road_edge,
                AG_VEC_AT(&cg->gsrc, size_t, S[runs[AG_VEC_AT(members, size_t, gy->first)].i].ge));
            bool same_street = ex->name && ey->name && !strcmp(ex->name, ey->name);
            bool stub = gx->frontage < merge_m || gy->frontage < merge_m;
            if ((same_street || stub) && share_node(cg, S, runs, members, gx, gy)) {
                struct kgroup *root_x = &AG_VEC_AT(groups, struct kgroup, rx);
                struct kgroup *root_y = &AG_VEC_AT(groups, struct kgroup, ry);
                /* The root keeps the running total of its members' frontage. */
                if (root_y->frontage > root_x->frontage) {
                    root_x->root = ry;
                    root_y->frontage += root_x->frontage;
                } else {
                    root_y->root = rx;
                    root_x->frontage += root_y->frontage;
                }
            }
        }
    }
}

static int find_space(const struct city_graph *cg, size_t sp, double merge_m, struct kfound *out)
{
    struct ag_vec smp, runs, members, groups, list;
    ag_vec_init(&smp, sizeof(struct ksample));
    ag_vec_init(&runs, sizeof(struct run));
    ag_vec_init(&members, sizeof(size_t));
    ag_vec_init(&groups, sizeof(struct kgroup));
    ag_vec_init(&list, sizeof(size_t));
    int rc = sample_space(cg, sp, &smp);
    const struct ksample *S = smp.data;
    size_t n = smp.len;
    for (size_t i = 0; i < n && !rc;) {
        if (!qualifies(&S[i], cg->min_hw)) {
            i++;
            continue;
        }
        size_t j = i;
        while (j + 1 < n && adjacent(cg, &S[j], &S[j + 1]) && qualifies(&S[j + 1], cg->min_hw))
            j++;
        struct run r = {i, j, i, j, S[i].pos, S[j].pos};
        if (i > 0 && adjacent(cg, &S[i - 1], &S[i])) {
            r.lo = i - 1;
            if (S[i - 1].ge == S[i].ge)
                r.a = refine(cg, sp, &S[i], &S[i - 1], cg->min_hw, NULL).pos;
        }
        if (j + 1 < n && adjacent(cg, &S[j], &S[j + 1])) {
            r.hi = j + 1;
            if (S[j + 1].ge == S[j].ge)
                r.b = refine(cg, sp, &S[j], &S[j + 1], cg->min_hw, NULL).pos;
        }
        if (!ag_vec_push(&runs, &r))
            rc = AG_ENOMEM;
        i = j + 1;
    }
    /* One way at a time: the samples come ordered by way. */
    const struct run *R = runs.data;
    for (size_t i = 0; i < runs.len && !rc;) {
        size_t j = i + 1;
        while (j < runs.len && cg->g.edges[S[R[j].i].ge].way == cg->g.edges[S[R[i].i].ge].way)
            j++;
        rc = group_way(cg, S, R, i, j, merge_m, &members, &groups);
        i = j;
    }
    if (!rc)
        merge_groups(cg, S, R, &members, &groups, merge_m);
    /* One entry per root, its own runs first (they name it), in the order
     * the ways came. */
    for (size_t g = 0; g < groups.len && !rc; g++) {
        const struct kgroup *root = &AG_VEC_AT(&groups, struct kgroup, g);
        if (root->root != g || !root->n)
            continue;
        list.len = 0;
        for (size_t h = g; h < groups.len && !rc; h++) {
            const struct kgroup *x = &AG_VEC_AT(&groups, struct kgroup, h);
            if (x->n && find_root(&groups, h) == g)
                for (size_t k = 0; k < x->n && !rc; k++)
                    if (!ag_vec_push(&list, &AG_VEC_AT(&members, size_t, x->first + k)))
                        rc = AG_ENOMEM;
        }
        for (size_t h = 0; h < g && !rc; h++) {
            const struct kgroup *x = &AG_VEC_AT(&groups, struct kgroup, h);
            if (x->n && find_root(&groups, h) == g)
                for (size_t k = 0; k < x->n && !rc; k++)
                    if (!ag_vec_push(&list, &AG_VEC_AT(&members, size_t, x->first + k)))
                        rc = AG_ENOMEM;
        }
        if (!rc)
            rc = add_entry(cg, out, sp, &smp, R, list.data, list.len);
    }
    ag_vec_free(&smp);
    ag_vec_free(&runs);
    ag_vec_free(&members);
    ag_vec_free(&groups);
    ag_vec_free(&list);
    return rc;
}

struct find_ctx {
    struct city_graph *cg;
    double merge_m;
    struct kfound *found; /* per space */
};

static int find_spaces(void *ctx, size_t worker, size_t from, size_t to)
{
    struct find_ctx *f = ctx;
    (void)worker;
    int rc = 0;
    for (size_t sp = from; sp < to && !rc; sp++)
        rc = find_space(f->cg, sp, f->merge_m, &f->found[sp]);
    return rc;
}

int ag__kerb_find(struct city_graph *cg, double merge_m)
{
    if (cg->kerb_m < 0 || !cg->spaces.len)
        return 0;
    cg->kspaces = calloc(cg->spaces.len, sizeof *cg->kspaces);
    if (!cg->kspaces)
        return AG_ENOMEM;
    cg->nkspaces = cg->spaces.len;
    int rc = way_positions(cg);
    for (size_t sp = 0; sp < cg->spaces.len && !rc; sp++)
        rc = space_context(cg, sp);
    /* The spaces one at a time on the two threads: each reads the graph,
     * the obstacles and its own context, and keeps what it finds apart. */
    struct kfound *found = calloc(cg->spaces.len, sizeof *found);
    if (!found)
        return rc ? rc : AG_ENOMEM;
    for (size_t sp = 0; sp < cg->spaces.len; sp++) {
        ag_vec_init(&found[sp].entries, sizeof(struct entry));
        ag_vec_init(&found[sp].ksamples, sizeof(struct ksample));
    }
    struct find_ctx f = {cg, merge_m, found};
    if (!rc)
        rc = ag__vparallel(cg->spaces.len, 1, find_spaces, &f);
    /* Kerb-side entries come after every way entry, so that the way entries
     * keep their numbers; then space by space, as if found in turn. */
    for (size_t sp = 0; sp < cg->spaces.len && !rc; sp++) {
        size_t base = cg->ksamples.len;
        for (size_t k = 0; k < found[sp].ksamples.len && !rc; k++)
            if (!ag_vec_push(&cg->ksamples, &AG_VEC_AT(&found[sp].ksamples, struct ksample, k)))
                rc = AG_ENOMEM;
        for (size_t k = 0; k < found[sp].entries.len && !rc; k++) {
            struct entry en = AG_VEC_AT(&found[sp].entries, struct entry, k);
            en.ks_off += base;
            if (!ag_vec_push(&cg->entries, &en))
                rc = AG_ENOMEM;
        }
    }
    for (size_t sp = 0; sp < cg->spaces.len; sp++) {
        ag_vec_free(&found[sp].entries);
        ag_vec_free(&found[sp].ksamples);
    }
    free(found);
    return rc;
}

void ag__kerb_free(struct city_graph *cg)
{
    for (size_t i = 0; i < cg->buildings.len; i++)
        ag_building_free(&AG_VEC_AT(&cg->buildings, struct ag_building, i));
    ag_vec_free(&cg->buildings);
    for (size_t i = 0; i < cg->barriers.len; i++)
        ag_barrier_free(&AG_VEC_AT(&cg->barriers, struct ag_barrier, i));
    ag_vec_free(&cg->barriers);
    for (size_t i = 0; i < cg->nobst; i++) {
        free(cg->obst[i].pts);
        free(cg->obst[i].ring_end);
    }
    free(cg->obst);
    ag_index_free(cg->obst_ix);
    for (size_t i = 0; i < cg->nkspaces; i++)
        free(cg->kspaces[i].wp);
    free(cg->kspaces);
    ag_vec_free(&cg->ksamples);
    free(cg->gs0);
    free(cg->wayoff);
    free(cg->waylen);
    free(cg->wayclosed);
    free(cg->node_hw);
}

/* ---- the fastest approach of one vehicle ---- */

/* The end of a run of an entry's samples, sample i towards side (-1 or +1),
 * for a vehicle of half width hwv: from the memo when an earlier, narrower
 * vehicle's halvings hold for this one too. */
static int run_end(const struct city_graph *cg, const struct entry *en, size_t i, int side,
                   double hwv, struct ag_vec *memo, struct ksample *res)
{
    const struct ksample *S = &AG_VEC_AT(&cg->ksamples, struct ksample, en->ks_off);
    for (size_t k = 0; k < memo->len; k++) {
        const struct kmemo *m = &AG_VEC_AT(memo, struct kmemo, k);
        if (m->i == i && m->side == side && m->hwv <= hwv && hwv <= m->min_clear) {
            *res = m->res;
            return 0;
        }
    }
    struct kmemo m = {i, side, hwv, 0, {0}};
    m.res = refine(cg, en->space, &S[i], &S[side < 0 ? i - 1 : i + 1], hwv, &m.min_clear);
    *res = m.res;
    return ag_vec_push(memo, &m) ? 0 : AG_ENOMEM;
}

int ag__kerb_candidates(const struct city_graph *cg, const struct entry *en, double vehicle_width_m,
                        struct ag_vec *memo, struct ag_vec *out)
{
    out->len = 0;
    const struct ksample *S = &AG_VEC_AT(&cg->ksamples, struct ksample, en->ks_off);
    size_t n = en->ks_n;
    double hwv = vehicle_width_m / 2;
    /* Along a segment the speed only rises, or only falls (full throttle
     * against a fixed slope), so its highest value over a stretch is at
     * one of the stretch's ends or at a vertex, where a bend may cut it:
     * those are the points examined, on this vehicle's own stretches (a
     * wider vehicle needs a wider gap between obstacles). */
    for (size_t i = 0; i < n; i++) {
        if (!qualifies(&S[i], hwv))
            continue;
        bool prev = i > 0 && adjacent(cg, &S[i - 1], &S[i]);
        bool next = i + 1 < n && adjacent(cg, &S[i], &S[i + 1]);
        struct ksample c[3];
        size_t nc = 0;
        int rc = 0;
        if (S[i].vertex || !prev || !next)
            c[nc++] = S[i];
        if (prev && !qualifies(&S[i - 1], hwv)) {
            if (S[i - 1].ge == S[i].ge)
                rc = run_end(cg, en, i, -1, hwv, memo, &c[nc++]);
            else
                c[nc++] = S[i];
        }
        if (!rc && next && !qualifies(&S[i + 1], hwv)) {
            if (S[i + 1].ge == S[i].ge)
                rc = run_end(cg, en, i, +1, hwv, memo, &c[nc++]);
            else
                c[nc++] = S[i];
        }
        if (rc)
            return rc;
        for (size_t k = 0; k < nc; k++)
            if (!ag_vec_push(out, &c[k]))
                return AG_ENOMEM;
    }
    return 0;
}

void ag__kerb_best(const struct city_graph *cg, const struct ag_vec *cands, const struct ag_kin *k,
                   double vehicle_width_m, const struct ag_speeds *sp, struct kbest *out)
{
    memset(out, 0, sizeof *out);
    for (size_t i = 0; i < cands->len; i++) {
        const struct ksample *at = &AG_VEC_AT(cands, struct ksample, i);
        const struct ag_vedge *e = &cg->g.edges[at->ge];
        for (long dir = 0; dir < 2; dir++) {
            long d = (long)(2 * at->ge) + dir;
            double v0 = ag_vstate_entry_speed(&cg->g, k, vehicle_width_m, sp, d, NULL);
            if (v0 < 0)
                break; /* the vehicle cannot use this road */
            double sd = dir ? e->length_m - at->s : at->s;
            double v = ag_vstate_speed_at(&cg->g, k, d, v0, sd);
            /* Of equal speeds (at the class's top speed, say), the point
             * nearest the space: the most direct way in. */
            if (v > 0 &&
                (!out->found || v > out->v + 1e-9 || (v > out->v - 1e-9 && at->gap < out->at.gap)))
                *out = (struct kbest){true, v, d, sd, *at};
        }
    }
}
