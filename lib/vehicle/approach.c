/* Approach search: the highest speed at which a vehicle can arrive at each
 * node of a road graph (docs/methodology.md §11).
 *
 * States are directed edges. Speed only grows along a straight run and is
 * clipped at bends, so arriving faster is never worse: every transfer
 * function is monotone. The search is label-correcting: states are taken
 * fastest first from a heap, and a state is queued again whenever a route
 * improves it, until nothing improves. Routes may repeat nodes.
 * SPDX-License-Identifier: EUPL-1.2 */
#include "private.h"

#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

/* An improvement smaller than this (m/s) is not worth another round: it
 * keeps the power model, whose speed approaches equilibria on climbs only
 * asymptotically, from looping on ever smaller gains. */
#define MIN_GAIN 1e-7

static void drop_adjacency(struct ag_vgraph *g);

/* The edges' arrays are carved out of blocks of at least POOL_BLOCK bytes
 * that the graph owns: a city's graph has thousands of edges, and three
 * allocations each kept the thread that reads obstacles meanwhile waiting
 * on the allocator's lock (docs/internals/vehicle.md, "Threads"). */
#define POOL_BLOCK ((size_t)256 << 10)

struct ag_vpool {
    struct ag_vpool *next;
    size_t used, cap;
    _Alignas(max_align_t) unsigned char data[];
};

void ag_vgraph_init(struct ag_vgraph *g)
{
    memset(g, 0, sizeof *g);
}

void ag_vgraph_free(struct ag_vgraph *g)
{
    if (!g)
        return;
    for (struct ag_vpool *c = g->pool, *next; c; c = next) {
        next = c->next;
        free(c);
    }
    free(g->edges);
    free(g->nodes);
    drop_adjacency(g);
    memset(g, 0, sizeof *g);
}

static void drop_adjacency(struct ag_vgraph *g)
{
    free(g->adj_off);
    free(g->adj);
    free(g->turn_off);
    free(g->turn);
    free(g->cont_into);
    free(g->cont_from);
    free(g->next);
    g->next = NULL;
    g->adj_off = NULL;
    g->adj = NULL;
    g->turn_off = NULL;
    g->turn = NULL;
    g->cont_into = NULL;
    g->cont_from = NULL;
}

int ag_vgraph_add_node(struct ag_vgraph *g, struct ag_xy xy, bool blocked, size_t *id)
{
    struct ag_vnode *nodes = ag_grow(g->nodes, &g->cap_nodes, g->nnodes + 1, sizeof *nodes, 64);
    if (!nodes)
        return AG_ENOMEM;
    g->nodes = nodes;
    g->nodes[g->nnodes] = (struct ag_vnode){xy, blocked};
    *id = g->nnodes++;
    drop_adjacency(g);
    return 0;
}

static void *pool_alloc(struct ag_vgraph *g, size_t bytes)
{
    size_t align = _Alignof(max_align_t);
    bytes = (bytes + align - 1) / align * align;
    struct ag_vpool *c = g->pool;
    if (!c || c->cap - c->used < bytes) {
        /* Under AddressSanitizer every edge's block is its own, so that
         * writing past one is caught, not silently into the next. */
        size_t cap = bytes > POOL_BLOCK || AG_ASAN ? bytes : POOL_BLOCK;
        if (!(c = malloc(sizeof *c + cap)))
            return NULL;
        *c = (struct ag_vpool){g->pool, 0, cap};
        g->pool = c;
    }
    void *p = c->data + c->used;
    c->used += bytes;
    return p;
}

int ag_vgraph_add_edge(struct ag_vgraph *g, size_t a, size_t b, const struct ag_xy *pts, size_t n,
                       double width_m, double incline_pct)
{
    if (a >= g->nnodes || b >= g->nnodes || n < 2 || !(width_m > 0))
        return AG_EINVAL;
    struct ag_vedge *edges = ag_grow(g->edges, &g->cap_edges, g->nedges + 1, sizeof *edges, 64);
    if (!edges)
        return AG_ENOMEM;
    g->edges = edges;
    /* One block: pts, radius, seg_len (whose last element is 0). */
    struct ag_xy *block = pool_alloc(g, n * (sizeof *pts + 2 * sizeof(double)));
    if (!block)
        return AG_ENOMEM;
    struct ag_vedge e = {a,
                         b,
                         block,
                         n,
                         width_m,
                         isfinite(incline_pct) ? incline_pct : 0,
                         0,
                         (double *)(block + n),
                         (double *)(block + n) + n,
                         0,
                         0};
    memcpy(e.pts, pts, n * sizeof *pts);
    e.seg_len[n - 1] = 0;
    /* What every traversal needs, computed once. */
    e.sin_slope = sin(atan(e.incline_pct / 100));
    for (size_t i = 0; i + 1 < n; i++) {
        e.seg_len[i] = ag_xy_dist(pts[i], pts[i + 1]);
        e.length_m += e.seg_len[i];
    }
    /* The bends inside the edge are judged with the roads it continues at
     * both ends, which only ag_vgraph_prepare knows (refine_edge_radii). */
    for (size_t i = 0; i < n; i++)
        e.radius[i] = INFINITY;
    g->edges[g->nedges++] = e;
    drop_adjacency(g);
    return 0;
}

static size_t st_edge(long d) { return (size_t)d / 2; }
static bool st_back(long d) { return d & 1; }

static size_t st_start(const struct ag_vgraph *g, long d)
{
    const struct ag_vedge *e = &g->edges[st_edge(d)];
    return st_back(d) ? e->b : e->a;
}

static size_t st_end(const struct ag_vgraph *g, long d)
{
    const struct ag_vedge *e = &g->edges[st_edge(d)];
    return st_back(d) ? e->a : e->b;
}

size_t ag_vstate_start(const struct ag_vgraph *g, long state) { return st_start(g, state); }
size_t ag_vstate_end(const struct ag_vgraph *g, long state) { return st_end(g, state); }

/* The i-th vertex of a state's edge in travel order. */
static size_t st_vertex(const struct ag_vedge *e, bool back, size_t i)
{
    return back ? e->n - 1 - i : i;
}

static int build_adjacency(struct ag_vgraph *g)
{
    if (g->adj_off)
        return 0;
    g->adj_off = calloc(g->nnodes + 1, sizeof *g->adj_off);
    g->adj = malloc((2 * g->nedges + 1) * sizeof *g->adj);
    if (!g->adj_off || !g->adj) {
        drop_adjacency(g);
        return AG_ENOMEM;
    }
    for (size_t i = 0; i < g->nedges; i++) {
        g->adj_off[g->edges[i].a + 1]++;
        g->adj_off[g->edges[i].b + 1]++;
    }
    for (size_t v = 0; v < g->nnodes; v++)
        g->adj_off[v + 1] += g->adj_off[v];
    size_t *fill = calloc(g->nnodes + 1, sizeof *fill);
    if (!fill) {
        drop_adjacency(g);
        return AG_ENOMEM;
    }
    for (size_t i = 0; i < g->nedges; i++) {
        size_t a = g->edges[i].a, b = g->edges[i].b;
        g->adj[g->adj_off[a] + fill[a]++] = 2 * i;     /* leaves a */
        g->adj[g->adj_off[b] + fill[b]++] = 2 * i + 1; /* leaves b */
    }
    free(fill);
    return 0;
}

struct limit {
    double radius;
    struct ag_xy at;
};

/* Caps *v at the speed a bend of radius r allows; true if that slowed it. */
static bool clip(double *v, double a_lat, double r, struct ag_xy at, struct limit *lim)
{
    double cap = sqrt(a_lat * r);
    if (!(*v > cap))
        return false;
    *v = cap;
    if (lim) {
        lim->radius = r;
        lim->at = at;
    }
    return true;
}

/* A stopping point closer than this (m) to a vertex is at the vertex: the
 * same vertex measured from the other end of the edge sums its segments in
 * another order. */
#define AT_VERTEX 1e-7

/* Drives along a state's edge from speed v0 at its start node, for `stop`
 * metres (the whole edge when stop is +inf). A vertex at `stop` does not
 * clip: as at a node, the speed there is the speed arriving, since a vehicle
 * may leave the road there instead of taking the bend (a kerb-side
 * approach). With stop = +inf the steps are exactly those of a whole run. */
static double traverse_to(const struct ag_vgraph *g, const struct ag_kin *k, long d, double v0,
                          double stop, struct limit *lim)
{
    const struct ag_vedge *e = &g->edges[st_edge(d)];
    bool back = st_back(d);
    double sin_slope = back ? -e->sin_slope : e->sin_slope;
    double v = v0, at = 0;
    for (size_t i = 0; i + 1 < e->n; i++) {
        if (stop <= at + AT_VERTEX)
            return v;
        size_t p = st_vertex(e, back, i);
        if (i > 0)
            clip(&v, k->a_lat, e->radius[p], e->pts[p], lim);
        double len = e->seg_len[back ? e->n - 2 - i : i];
        if (stop < at + len - AT_VERTEX)
            return ag_kin_run(k, v, stop - at, sin_slope);
        v = ag_kin_run(k, v, len, sin_slope);
        at += len;
    }
    return v;
}

/* Drives along a state's whole edge from speed v0 at its start node, for
 * the search, and says whether a bend inside the edge slowed the vehicle
 * (*capped). The steps are those of traverse_to(g, r->k, d, v0, INFINITY,
 * NULL), bit for bit (ag__kin_run is ag_kin_run; routes are replayed with
 * traverse_to and must give the labels back), without the arithmetic of a
 * stopping point and on the vehicle prepared once per search. `at` only
 * reproduces traverse_to stopping where the distance overflows to +inf. */
static double traverse(const struct ag_vgraph *g, const struct ag__kin_run *r, long d, double v0,
                       bool *capped)
{
    const struct ag_vedge *e = &g->edges[st_edge(d)];
    double a_lat = r->k->a_lat, v = v0, at = 0;
    size_t m = e->n - 1; /* segments */
    *capped = false;
    if (!st_back(d)) {
        for (size_t i = 0; i < m && at != INFINITY; i++) {
            if (i > 0 && clip(&v, a_lat, e->radius[i], e->pts[i], NULL))
                *capped = true;
            v = ag__kin_run(r, v, e->seg_len[i], e->sin_slope);
            at += e->seg_len[i];
        }
    } else {
        /* Vertex i, then segment i - 1 (from vertex i to i - 1). */
        for (size_t i = m; i > 0 && at != INFINITY; i--) {
            if (i < m && clip(&v, a_lat, e->radius[i], e->pts[i], NULL))
                *capped = true;
            v = ag__kin_run(r, v, e->seg_len[i - 1], -e->sin_slope);
            at += e->seg_len[i - 1];
        }
    }
    return v;
}

/* Heading of the first / last segment of a state, in travel order. */
static double first_heading(const struct ag_vgraph *g, long d)
{
    const struct ag_vedge *e = &g->edges[st_edge(d)];
    struct ag_xy a = e->pts[st_vertex(e, st_back(d), 0)], b = e->pts[st_vertex(e, st_back(d), 1)];
    return atan2(b.y - a.y, b.x - a.x);
}

static double last_heading(const struct ag_vgraph *g, long d)
{
    const struct ag_vedge *e = &g->edges[st_edge(d)];
    struct ag_xy a = e->pts[st_vertex(e, st_back(d), e->n - 2)];
    struct ag_xy b = e->pts[st_vertex(e, st_back(d), e->n - 1)];
    return atan2(b.y - a.y, b.x - a.x);
}

static double angle_between(double h1, double h2)
{
    double t = fabs(h2 - h1);
    while (t > 2 * M_PI)
        t -= 2 * M_PI;
    return t > M_PI ? 2 * M_PI - t : t;
}

/* A road "continues" through a node into the way that turns least, if it
 * turns less than this; beyond, the node is a junction's end, not a bend. */
#define MAX_CONTINUATION (M_PI / 3)

/* Among candidate states, the one that continues the road of state d: its
 * own mapped way first, at any angle short of turning back (a roundabout
 * drawn with 4 nodes turns 90 degrees at each); otherwise the way that turns
 * least, if less than MAX_CONTINUATION. */
static bool better_continuation(const struct ag_vgraph *g, long d, long cand, double turn,
                                long best, double best_turn)
{
    int64_t way = g->edges[st_edge(d)].way;
    bool same = way && g->edges[st_edge(cand)].way == way;
    bool best_same = best >= 0 && way && g->edges[st_edge(best)].way == way;
    if (same != best_same)
        return same && turn < 0.75 * M_PI;
    return turn < best_turn && (same ? turn < 0.75 * M_PI : turn < MAX_CONTINUATION);
}

/* The state that leads into d at d's start node, or -1. */
static long continues_into(const struct ag_vgraph *g, long d)
{
    size_t u = st_start(g, d);
    long best = -1;
    double best_turn = M_PI;
    for (size_t j = g->adj_off[u]; j < g->adj_off[u + 1]; j++) {
        long x = (long)g->adj[j];
        if (x == d)
            continue;
        long p = x ^ 1; /* arrives at u */
        double t = angle_between(last_heading(g, p), first_heading(g, d));
        if (better_continuation(g, d, p, t, best, best_turn)) {
            best_turn = t;
            best = p;
        }
    }
    return best;
}

/* The state that d leads into at its end node, or -1. */
static long continues_from(const struct ag_vgraph *g, long d)
{
    size_t v = st_end(g, d);
    long best = -1;
    double best_turn = M_PI;
    for (size_t j = g->adj_off[v]; j < g->adj_off[v + 1]; j++) {
        long f = (long)g->adj[j];
        if (f == (d ^ 1))
            continue;
        double t = angle_between(last_heading(g, d), first_heading(g, f));
        if (better_continuation(g, d, f, t, best, best_turn)) {
            best_turn = t;
            best = f;
        }
    }
    return best;
}

/* A polyline with widths per segment, grown at either end. */
struct poly {
    struct ag_xy *pts;
    double *w; /* w[i]: segment i..i+1 */
    size_t n, cap, head; /* live part: pts[head .. head + n) */
};

/* How many vertices of the road before and after a stretch a bend
 * estimate looks at: enough for a roundabout drawn with few nodes and split
 * at every junction. */
#define CONTEXT 12

/* Vertices of the state d in travel order, skipping `skip_first` vertices,
 * appended at the end of p (p's last vertex is d's first when skip is 1). */
static void poly_append_state(struct poly *p, const struct ag_vgraph *g, long d, size_t skip,
                              size_t limit)
{
    const struct ag_vedge *e = &g->edges[st_edge(d)];
    for (size_t i = skip; i < e->n && limit; i++, limit--) {
        if (p->n)
            p->w[p->head + p->n - 1] = e->width_m;
        p->pts[p->head + p->n++] = e->pts[st_vertex(e, st_back(d), i)];
    }
}

/* Vertices of d before its last, newest first, prepended to p. */
static void poly_prepend_state(struct poly *p, const struct ag_vgraph *g, long d, size_t limit)
{
    const struct ag_vedge *e = &g->edges[st_edge(d)];
    for (size_t i = e->n - 1; i-- > 0 && limit; limit--) {
        p->head--;
        p->n++;
        p->pts[p->head] = e->pts[st_vertex(e, st_back(d), i)];
        p->w[p->head] = e->width_m;
    }
}

/* Context before state d: the road it continues, up to CONTEXT vertices. */
static void add_context_before(struct poly *p, const struct ag_vgraph *g, long d)
{
    size_t want = CONTEXT;
    for (long c = g->cont_into[d]; c >= 0 && want && p->head; c = g->cont_into[c]) {
        size_t have = g->edges[st_edge(c)].n - 1;
        size_t take = have < want ? have : want;
        if (take > p->head)
            take = p->head;
        poly_prepend_state(p, g, c, take);
        want -= take;
    }
}

static void add_context_after(struct poly *p, const struct ag_vgraph *g, long d)
{
    size_t want = CONTEXT;
    for (long c = g->cont_from[d]; c >= 0 && want; c = g->cont_from[c]) {
        size_t have = g->edges[st_edge(c)].n - 1;
        size_t take = have < want ? have : want;
        poly_append_state(p, g, c, 1, take);
        want -= take;
    }
}

#define POLY_SMALL (4 * CONTEXT + 4)

/* A polyline with room for `middle` vertices plus context on both sides;
 * small ones live in the caller's stack buffers. */
static int poly_init(struct poly *p, size_t middle, struct ag_xy *pts_buf, double *w_buf)
{
    p->cap = middle + 2 * CONTEXT + 2;
    bool small = p->cap <= POLY_SMALL;
    p->pts = small ? pts_buf : malloc(p->cap * sizeof *p->pts);
    p->w = small ? w_buf : malloc(p->cap * sizeof *p->w);
    p->n = 0;
    p->head = CONTEXT + 1;
    if (!p->pts || !p->w) {
        if (!small) {
            free(p->pts);
            free(p->w);
        }
        return AG_ENOMEM;
    }
    return 0;
}

static void poly_free(struct poly *p, const struct ag_xy *pts_buf)
{
    if (p->pts != pts_buf) {
        free(p->pts);
        free(p->w);
    }
}

/* Bend radius at the node joining state d to state f. The bend is judged
 * on the vertices around the node: the end of d and the start of f, and,
 * where those are short, the road d continues and the road f leads into,
 * so that a bend split by junctions (a roundabout) is still seen whole.
 * Returns 0 when out of memory (the most cautious cap). */
static double turn_radius(const struct ag_vgraph *g, long d, long f)
{
    const struct ag_vedge *ed = &g->edges[st_edge(d)], *ef = &g->edges[st_edge(f)];
    struct poly p;
    struct ag_xy pts_buf[POLY_SMALL];
    double w_buf[POLY_SMALL];
    struct ag__vturn t[POLY_SMALL];
    if (poly_init(&p, 2 * CONTEXT + 2, pts_buf, w_buf))
        return 0;
    size_t nd = ed->n < CONTEXT + 1 ? ed->n : CONTEXT + 1;
    size_t nf = ef->n < CONTEXT + 1 ? ef->n : CONTEXT + 1;
    poly_append_state(&p, g, d, ed->n - nd, nd);
    size_t joint_from_head = p.n - 1;
    if (nd < CONTEXT + 1)
        add_context_before(&p, g, d);
    size_t joint = joint_from_head + (CONTEXT + 1 - p.head);
    poly_append_state(&p, g, f, 1, nf - 1);
    if (nf < CONTEXT + 1)
        add_context_after(&p, g, f);
    /* Only the bend through the joint matters: judged on its own vertices,
     * as ag_path_speed_caps would judge it on the whole polyline. */
    for (size_t i = 0; i < p.n; i++)
        t[i].known = false;
    size_t a, b;
    double r = ag__bend_at(p.pts + p.head, p.n, p.w + p.head, joint, t, &a, &b);
    poly_free(&p, pts_buf);
    return r;
}

/* The bend radii inside every edge of [from, to), judged with the roads it
 * continues at both ends as context (an edge alone cannot see that it is a
 * quarter of a roundabout). */
static int refine_edge_radii(void *ctx, size_t worker, size_t from, size_t to)
{
    struct ag_vgraph *g = ctx;
    (void)worker;
    for (size_t i = from; i < to; i++) {
        struct ag_vedge *e = &g->edges[i];
        if (e->n < 3)
            continue;
        long d = (long)(2 * i);
        struct poly p;
        struct ag_xy pts_buf[POLY_SMALL];
        double w_buf[POLY_SMALL];
        if (poly_init(&p, e->n, pts_buf, w_buf))
            return AG_ENOMEM;
        poly_append_state(&p, g, d, 0, e->n);
        add_context_before(&p, g, d);
        size_t first = CONTEXT + 1 - p.head; /* index of the edge's vertex 0 */
        add_context_after(&p, g, d);
        /* Bend by bend, walking out from each vertex not yet covered: the
         * context is looked at only as far as a bend reaches into it. */
        struct ag__vturn t_buf[POLY_SMALL];
        struct ag__vturn *t = p.n <= POLY_SMALL ? t_buf : malloc(p.n * sizeof *t);
        if (!t) {
            poly_free(&p, pts_buf);
            return AG_ENOMEM;
        }
        for (size_t k = 0; k < p.n; k++)
            t[k].known = false;
        size_t a = 0, b = 0;
        double r = INFINITY;
        for (size_t k = 1; k + 1 < e->n; k++) {
            size_t j = first + k;
            if (k == 1 || j < a || j > b)
                r = ag__bend_at(p.pts + p.head, p.n, p.w + p.head, j, t, &a, &b);
            e->radius[k] = r;
        }
        if (t != t_buf)
            free(t);
        poly_free(&p, pts_buf);
    }
    return 0;
}

/* The roads that each state in [from, to) continues from and into. */
static int find_continuations(void *ctx, size_t worker, size_t from, size_t to)
{
    struct ag_vgraph *g = ctx;
    (void)worker;
    for (size_t d = from; d < to; d++) {
        g->cont_into[d] = continues_into(g, (long)d);
        g->cont_from[d] = continues_from(g, (long)d);
    }
    return 0;
}

/* The turn table's rows of the nodes in [from, to). */
static int fill_turns(void *ctx, size_t worker, size_t from, size_t to)
{
    struct ag_vgraph *g = ctx;
    (void)worker;
    for (size_t v = from; v < to; v++) {
        size_t deg = g->adj_off[v + 1] - g->adj_off[v];
        for (size_t i = 0; i < deg; i++) {
            long in = (long)g->adj[g->adj_off[v] + i] ^ 1; /* arrives at v */
            for (size_t j = 0; j < deg; j++) {
                long out = (long)g->adj[g->adj_off[v] + j];
                g->turn[g->turn_off[v] + i * deg + j] = i == j ? 0 : turn_radius(g, in, out);
            }
        }
    }
    return 0;
}

/* Every turn's radius depends only on the geometry, not on the vehicle:
 * computed once per graph, it saves recomputing bends on every relaxation of
 * every class. Each step writes per state, edge or node what no other item
 * writes, so the two threads (ag__vparallel) change nothing in the result. */
static int build_turns(struct ag_vgraph *g)
{
    if (g->turn)
        return 0;
    size_t ns = 2 * g->nedges;
    g->cont_into = malloc((ns ? ns : 1) * sizeof *g->cont_into);
    g->cont_from = malloc((ns ? ns : 1) * sizeof *g->cont_from);
    if (!g->cont_into || !g->cont_from)
        return AG_ENOMEM;
    ag__vparallel(ns, 512, find_continuations, g);
    /* Reads the continuations and the vertices, writes each edge's radii. */
    int rc = ag__vparallel(g->nedges, 128, refine_edge_radii, g);
    if (rc)
        return rc;
    g->turn_off = malloc((g->nnodes + 1) * sizeof *g->turn_off);
    if (!g->turn_off)
        return AG_ENOMEM;
    size_t total = 0;
    for (size_t v = 0; v < g->nnodes; v++) {
        size_t deg = g->adj_off[v + 1] - g->adj_off[v];
        g->turn_off[v] = total;
        total += deg * deg;
    }
    g->turn_off[g->nnodes] = total;
    /* The search's view of each state's end node, in 32 bits: a city's
     * graph is far below 2^32 states and turns. */
    if (ns >= UINT32_MAX || total >= UINT32_MAX)
        return AG_ELIMIT;
    g->next = malloc((ns ? ns : 1) * sizeof *g->next);
    if (!g->next)
        return AG_ENOMEM;
    for (size_t d = 0; d < ns; d++) {
        size_t v = st_end(g, (long)d), deg = g->adj_off[v + 1] - g->adj_off[v], i = 0;
        while (i < deg && g->adj[g->adj_off[v] + i] != (d ^ 1))
            i++;
        g->next[d] = (struct ag_vnext){(uint32_t)g->adj_off[v],
                                       g->nodes[v].blocked ? 0 : (uint32_t)deg,
                                       (uint32_t)(g->turn_off[v] + i * deg)};
    }
    g->turn = malloc((total ? total : 1) * sizeof *g->turn);
    if (!g->turn)
        return AG_ENOMEM;
    ag__vparallel(g->nnodes, 64, fill_turns, g);
    return 0;
}

int ag_vgraph_prepare(struct ag_vgraph *g)
{
    int rc = build_adjacency(g);
    return rc ? rc : build_turns(g);
}

struct heap_item {
    double s;
    long d;
};

struct heap {
    struct heap_item *a;
    size_t n, cap;
};

/* A binary max-heap. The order in which it gives out states of equal speed
 * decides which of two equally fast routes a label keeps, so both
 * operations move items exactly as the textbook swaps would, only without
 * the swaps: the same items end in the same places. */
static int heap_push(struct heap *h, double s, long d)
{
    if (h->n == h->cap) {
        struct heap_item *a = ag_grow(h->a, &h->cap, h->n + 1, sizeof *a, 256);
        if (!a)
            return AG_ENOMEM;
        h->a = a;
    }
    /* Up from a hole at the end past every parent slower than s. */
    size_t i = h->n++;
    while (i > 0 && h->a[(i - 1) / 2].s < s) {
        h->a[i] = h->a[(i - 1) / 2];
        i = (i - 1) / 2;
    }
    h->a[i] = (struct heap_item){s, d};
    return 0;
}

/* The textbook sift-down moves the last item x down along the larger
 * children (the left one on a tie) while that child is faster than x. The
 * children on that path only get slower, so the same place is found by
 * moving every child on the path up a level down to a leaf, then x back up
 * past those no faster than itself: one comparison per level on the way
 * down instead of two, and x, which came from the bottom, rarely climbs. */
static struct heap_item heap_pop(struct heap *h)
{
    struct heap_item top = h->a[0], x = h->a[--h->n];
    size_t n = h->n, i = 0;
    for (size_t l; (l = 2 * i + 1) < n;) {
        size_t c = l + 1 < n && h->a[l + 1].s > h->a[l].s ? l + 1 : l;
        h->a[i] = h->a[c];
        i = c;
    }
    while (i > 0 && h->a[(i - 1) / 2].s <= x.s) {
        h->a[i] = h->a[(i - 1) / 2];
        i = (i - 1) / 2;
    }
    h->a[i] = x;
    return top;
}

static long new_record(struct ag_speeds *sp, long state, long parent)
{
    if (sp->nrec == sp->caprec) {
        struct ag_record *recs = ag_grow(sp->recs, &sp->caprec, sp->nrec + 1, sizeof *recs, 1024);
        if (!recs)
            return -1;
        sp->recs = recs;
    }
    sp->recs[sp->nrec] = (struct ag_record){state, parent};
    return (long)sp->nrec++;
}

static bool usable(const struct ag_vgraph *g, long d, double vehicle_width_m)
{
    return g->edges[st_edge(d)].width_m >= vehicle_width_m;
}

/* Pruning. A run along an edge is non-decreasing in the speed it sets off
 * at (§11: the search rests on it), so the search keeps, per state d,
 * bound[d]: a speed at the start of d (after the turn into it) at or below
 * which running d cannot beat its label by more than MIN_GAIN. That is the
 * start speed of the run that set the label, or of any later run that did
 * not improve it; +inf once such a run was clipped by a bend inside the
 * edge, since a faster start reaches that bend at least as fast, leaves it
 * at the same cap and ends at the same speed, bit for bit, while a slower
 * one ends no faster; +inf from the outset for a state the vehicle cannot
 * use. A relaxation not above the bound is skipped without running the
 * edge: it would not have improved the label, so labels, records and the
 * heap's operations are those of the search without pruning. (Rounding
 * may let a run from a slower start end a few ulps faster, far below
 * MIN_GAIN.) On Monaco this skips half the relaxations. */
int ag_vehicle_speeds(struct ag_vgraph *g, const struct ag_kin *k, double vehicle_width_m,
                      struct ag_speeds *out)
{
    memset(out, 0, sizeof *out);
    int rc = ag_vgraph_prepare(g);
    if (rc)
        return rc;
    size_t ns = 2 * g->nedges;
    out->nstates = ns;
    out->speed = calloc(ns ? ns : 1, sizeof *out->speed);
    out->pred = malloc((ns ? ns : 1) * sizeof *out->pred);
    out->rec = malloc((ns ? ns : 1) * sizeof *out->rec);
    double *bound = malloc((ns ? ns : 1) * sizeof *bound);
    struct heap h = {0};
    struct ag__kin_run r;
    ag__kin_prepare(&r, k);
    if (!out->speed || !out->pred || !out->rec || !bound) {
        free(bound);
        ag_speeds_free(out);
        return AG_ENOMEM;
    }
    /* A route may start from rest at any node. */
    for (size_t d = 0; d < ns && !rc; d++) {
        out->pred[d] = -1;
        out->rec[d] = -1;
        bound[d] = INFINITY;
        if (!usable(g, (long)d, vehicle_width_m))
            continue;
        bool capped;
        out->speed[d] = traverse(g, &r, (long)d, 0, &capped);
        bound[d] = capped ? INFINITY : 0;
        out->rec[d] = new_record(out, (long)d, -1);
        rc = out->rec[d] < 0 ? AG_ENOMEM : heap_push(&h, out->speed[d], (long)d);
    }
    while (!rc && h.n) {
        struct heap_item it = heap_pop(&h);
        if (it.s < out->speed[it.d])
            continue; /* an older, slower entry */
        /* On through the end node, unless it is blocked (nx->deg is 0). */
        const struct ag_vnext *nx = &g->next[it.d];
        const size_t *leave = g->adj + nx->adj;
        const double *turn = g->turn + nx->turn;
        for (size_t j = 0; j < nx->deg && !rc; j++) {
            long f = (long)leave[j];
            if (f == (it.d ^ 1))
                continue;
            double s = it.s;
            clip(&s, k->a_lat, turn[j], (struct ag_xy){0, 0}, NULL);
            if (!(s > bound[f]))
                continue; /* cannot improve f, or f is not usable */
            bool capped;
            double start = s;
            s = traverse(g, &r, f, start, &capped);
            bound[f] = capped ? INFINITY : start;
            if (s > out->speed[f] + MIN_GAIN) {
                out->speed[f] = s;
                out->pred[f] = it.d;
                out->rec[f] = new_record(out, f, out->rec[it.d]);
                rc = out->rec[f] < 0 ? AG_ENOMEM : heap_push(&h, s, f);
            }
        }
    }
    free(h.a);
    free(bound);
    if (rc)
        ag_speeds_free(out);
    return rc;
}

void ag_speeds_free(struct ag_speeds *s)
{
    if (!s)
        return;
    free(s->speed);
    free(s->pred);
    free(s->rec);
    free(s->recs);
    memset(s, 0, sizeof *s);
}

/* The radius of the turn from state `in` into state `out` at node v: from
 * the table when the search has built it, else computed. */
static double cached_turn(const struct ag_vgraph *g, size_t v, long in, long out)
{
    if (!g->turn)
        return turn_radius(g, in, out);
    size_t deg = g->adj_off[v + 1] - g->adj_off[v], i = deg, j = deg;
    for (size_t x = 0; x < deg; x++) {
        long a = (long)g->adj[g->adj_off[v] + x];
        if (a == (in ^ 1))
            i = x;
        if (a == out)
            j = x;
    }
    return i < deg && j < deg ? g->turn[g->turn_off[v] + i * deg + j] : turn_radius(g, in, out);
}

double ag_vehicle_route_speed(const struct ag_vgraph *g, const struct ag_kin *k,
                              double vehicle_width_m, const long *states, size_t n,
                              double *limiting_radius_m, struct ag_xy *limiting_at)
{
    return ag_vehicle_route_speed_to(g, k, vehicle_width_m, states, n, INFINITY,
                                     limiting_radius_m, limiting_at);
}

double ag_vehicle_route_speed_to(const struct ag_vgraph *g, const struct ag_kin *k,
                                 double vehicle_width_m, const long *states, size_t n,
                                 double last_m, double *limiting_radius_m,
                                 struct ag_xy *limiting_at)
{
    struct limit lim = {INFINITY, {0, 0}};
    if (n == 0)
        return -1;
    double v = 0;
    for (size_t i = 0; i < n; i++) {
        long d = states[i];
        if (d < 0 || (size_t)d >= 2 * g->nedges || !usable(g, d, vehicle_width_m))
            return -1;
        if (i > 0) {
            long p = states[i - 1];
            size_t node = st_end(g, p);
            if (node != st_start(g, d) || d == (p ^ 1) || g->nodes[node].blocked)
                return -1;
            clip(&v, k->a_lat, cached_turn(g, node, p, d), g->nodes[node].xy, &lim);
        }
        v = traverse_to(g, k, d, v, i + 1 == n ? last_m : INFINITY, &lim);
    }
    if (limiting_radius_m)
        *limiting_radius_m = lim.radius;
    if (limiting_at)
        *limiting_at = lim.at;
    return v;
}

/* The states of the route behind state's label, from its start, into
 * out->states with room for `extra` more, and its length into
 * out->run_up_m; without replaying it. */
static int collect_route(const struct ag_vgraph *g, const struct ag_speeds *sp, long state,
                         size_t extra, struct ag_route *out)
{
    size_t n = 0;
    for (long r = sp->rec[state]; r >= 0; r = sp->recs[r].parent)
        n++;
    out->states = malloc((n + extra ? n + extra : 1) * sizeof *out->states);
    if (!out->states)
        return AG_ENOMEM;
    size_t i = n;
    for (long r = sp->rec[state]; r >= 0; r = sp->recs[r].parent) {
        out->states[--i] = sp->recs[r].state;
        out->run_up_m += g->edges[st_edge(sp->recs[r].state)].length_m;
    }
    out->nstates = n;
    return 0;
}

int ag_vehicle_route_state(const struct ag_vgraph *g, const struct ag_kin *k,
                           const struct ag_speeds *sp, long state, struct ag_route *out)
{
    memset(out, 0, sizeof *out);
    out->last_state = -1;
    out->limiting_radius_m = INFINITY;
    if (state < 0 || (size_t)state >= sp->nstates || sp->nstates != 2 * g->nedges)
        return AG_EINVAL;
    out->speed_ms = sp->speed[state];
    if (!(out->speed_ms > 0))
        return 0;
    out->last_state = state;
    int rc = collect_route(g, sp, state, 0, out);
    if (rc)
        return rc;
    out->last_m = g->edges[st_edge(state)].length_m;
    ag_vehicle_route_speed(g, k, 0, out->states, out->nstates, &out->limiting_radius_m,
                           &out->limiting_at);
    return 0;
}

double ag_vstate_entry_speed(const struct ag_vgraph *g, const struct ag_kin *k,
                             double vehicle_width_m, const struct ag_speeds *sp, long d,
                             long *from)
{
    if (from)
        *from = -1;
    if (d < 0 || (size_t)d >= 2 * g->nedges || sp->nstates != 2 * g->nedges || !g->turn ||
        !usable(g, d, vehicle_width_m))
        return -1;
    size_t u = st_start(g, d);
    /* From rest at u is always possible; through u only if nothing stops
     * a vehicle there, as in the search. */
    double best = 0;
    if (g->nodes[u].blocked)
        return 0;
    size_t deg = g->adj_off[u + 1] - g->adj_off[u], j = 0;
    while (j < deg && (long)g->adj[g->adj_off[u] + j] != d)
        j++;
    for (size_t i = 0; i < deg && j < deg; i++) {
        long x = (long)g->adj[g->adj_off[u] + i];
        long p = x ^ 1; /* arrives at u */
        if (x == d || sp->rec[p] < 0)
            continue; /* turning straight back, or a state the vehicle cannot use */
        double s = sp->speed[p];
        clip(&s, k->a_lat, g->turn[g->turn_off[u] + i * deg + j], g->nodes[u].xy, NULL);
        if (s > best) {
            best = s;
            if (from)
                *from = p;
        }
    }
    return best;
}

double ag_vstate_speed_at(const struct ag_vgraph *g, const struct ag_kin *k, long d, double v0,
                          double s)
{
    return traverse_to(g, k, d, v0, s, NULL);
}

int ag_vehicle_route_along(const struct ag_vgraph *g, const struct ag_kin *k,
                           double vehicle_width_m, const struct ag_speeds *sp, long d, double s,
                           struct ag_route *out)
{
    memset(out, 0, sizeof *out);
    out->last_state = -1;
    out->limiting_radius_m = INFINITY;
    long from;
    double v0 = ag_vstate_entry_speed(g, k, vehicle_width_m, sp, d, &from);
    if (v0 < 0)
        return d >= 0 && (size_t)d < 2 * g->nedges && sp->nstates == 2 * g->nedges && g->turn
                   ? 0
                   : AG_EINVAL;
    const struct ag_vedge *e = &g->edges[st_edge(d)];
    double last = s < 0 ? 0 : s > e->length_m ? e->length_m : s;
    double v = traverse_to(g, k, d, v0, last, NULL);
    if (!(v > 0))
        return 0;
    /* The route to `from`, then d; replayed once, as a whole. */
    int rc = 0;
    if (from >= 0 && sp->speed[from] > 0)
        rc = collect_route(g, sp, from, 1, out);
    else if (!(out->states = malloc(sizeof *out->states)))
        rc = AG_ENOMEM;
    if (rc)
        return rc;
    out->states[out->nstates++] = d;
    out->speed_ms = v;
    out->last_state = d;
    out->last_m = last;
    out->run_up_m += last;
    ag_vehicle_route_speed_to(g, k, 0, out->states, out->nstates, last, &out->limiting_radius_m,
                              &out->limiting_at);
    return 0;
}

int ag_vehicle_route(const struct ag_vgraph *g, const struct ag_kin *k, const struct ag_speeds *sp,
                     size_t target, struct ag_route *out)
{
    memset(out, 0, sizeof *out);
    out->last_state = -1;
    out->limiting_radius_m = INFINITY;
    if (target >= g->nnodes || !g->adj_off || sp->nstates != 2 * g->nedges)
        return AG_EINVAL; /* call ag_vehicle_speeds on this graph first */
    long best = -1;
    for (size_t j = g->adj_off[target]; j < g->adj_off[target + 1]; j++) {
        long d = (long)g->adj[j] ^ 1; /* the reverse of a leaving state arrives */
        if (sp->speed[d] > 0 && (best < 0 || sp->speed[d] > sp->speed[best]))
            best = d;
    }
    return best < 0 ? 0 : ag_vehicle_route_state(g, k, sp, best, out);
}

void ag_route_free(struct ag_route *r)
{
    if (!r)
        return;
    free(r->states);
    memset(r, 0, sizeof *r);
}
