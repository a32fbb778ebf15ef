/* Static packed R-tree built by Sort-Tile-Recursive (S. T. Leutenegger,
 * M. A. Lopez, J. Edgington, "STR: a simple and efficient algorithm for
 * R-tree packing", ICDE 1997).
 *
 * Layout: level 0 is the array of stored boxes; level k > 0 is an array of
 * nodes, each covering a contiguous run of at most NODE_CAP entries of level
 * k - 1. Packing a level sorts the level below in place, so every run stays
 * contiguous and no child pointers are needed beyond (first, count).
 * SPDX-License-Identifier: EUPL-1.2 */
#include "agora/geo.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

enum {
    NODE_CAP = 16,
    /* 16^15 entries exceed any memory, so fifteen levels above the leaves
     * are enough; the query stack holds at most NODE_CAP per level. */
    MAX_LEVELS = 16,
};

/* A stored box (ref = caller's id) or a node (ref = index of its first
 * child in the level below, count = number of children). */
struct ix_entry {
    struct ag_bbox box;
    int64_t ref;
    size_t count;
};

struct ag_index {
    struct ix_entry *items;
    size_t n, cap;
    struct ix_entry *nodes; /* every node level, bottom up */
    size_t level_off[MAX_LEVELS + 1];
    size_t level_len[MAX_LEVELS + 1];
    int nlevels; /* node levels; 0 when not built or empty */
    bool built;
};

int ag_index_new(struct ag_index **out)
{
    if (!out)
        return AG_EINVAL;
    *out = calloc(1, sizeof **out);
    return *out ? 0 : AG_ENOMEM;
}

void ag_index_free(struct ag_index *ix)
{
    if (!ix)
        return;
    free(ix->items);
    free(ix->nodes);
    free(ix);
}

size_t ag_index_size(const struct ag_index *ix)
{
    return ix ? ix->n : 0;
}

int ag_index_add(struct ag_index *ix, int64_t id, struct ag_bbox box)
{
    if (!ix || !isfinite(box.minx) || !isfinite(box.miny) ||
        !isfinite(box.maxx) || !isfinite(box.maxy) || box.minx > box.maxx ||
        box.miny > box.maxy)
        return AG_EINVAL;
    struct ix_entry *items = ag_grow(ix->items, &ix->cap, ix->n + 1, sizeof *items, 64);
    if (!items)
        return AG_ENOMEM;
    ix->items = items;
    ix->items[ix->n++] = (struct ix_entry){box, id, 0};
    /* The tree no longer covers every box; queries scan until rebuilt. */
    ix->built = false;
    return 0;
}

/* Box centres compared as sums: halving changes no order. */
static int cmp_x(const void *pa, const void *pb)
{
    const struct ix_entry *a = pa, *b = pb;
    double ca = a->box.minx + a->box.maxx, cb = b->box.minx + b->box.maxx;
    return (ca > cb) - (ca < cb);
}

static int cmp_y(const void *pa, const void *pb)
{
    const struct ix_entry *a = pa, *b = pb;
    double ca = a->box.miny + a->box.maxy, cb = b->box.miny + b->box.maxy;
    return (ca > cb) - (ca < cb);
}

static size_t ceil_div(size_t a, size_t b)
{
    return a / b + (a % b != 0);
}

/* One STR pass: sort the r entries by x centre, cut them into S vertical
 * slices of S * NODE_CAP entries (S = ceil(sqrt(P)), P = number of nodes),
 * sort each slice by y centre and pack runs of NODE_CAP into nodes. Every
 * slice but the last holds a multiple of NODE_CAP, so exactly P nodes come
 * out. */
static void str_pack(struct ix_entry *e, size_t r, struct ix_entry *out)
{
    size_t p = ceil_div(r, NODE_CAP);
    double root = ceil(sqrt((double)p));
    size_t s = (size_t)root;
    size_t slice = s * NODE_CAP;
    qsort(e, r, sizeof *e, cmp_x);
    size_t k = 0;
    for (size_t s0 = 0; s0 < r; s0 += slice) {
        size_t len = r - s0 < slice ? r - s0 : slice;
        qsort(e + s0, len, sizeof *e, cmp_y);
        for (size_t g = s0; g < s0 + len; g += NODE_CAP) {
            size_t cnt = s0 + len - g < NODE_CAP ? s0 + len - g : NODE_CAP;
            struct ag_bbox b = e[g].box;
            for (size_t i = g + 1; i < g + cnt; i++) {
                b.minx = fmin(b.minx, e[i].box.minx);
                b.miny = fmin(b.miny, e[i].box.miny);
                b.maxx = fmax(b.maxx, e[i].box.maxx);
                b.maxy = fmax(b.maxy, e[i].box.maxy);
            }
            out[k++] = (struct ix_entry){b, (int64_t)g, cnt};
        }
    }
}

int ag_index_build(struct ag_index *ix)
{
    if (!ix)
        return AG_EINVAL;
    free(ix->nodes);
    ix->nodes = NULL;
    ix->nlevels = 0;
    ix->built = false;
    if (ix->n == 0) {
        ix->built = true;
        return 0;
    }

    /* Level sizes up to a single root (at least one node level, so the
     * query always starts from a node). */
    size_t total = 0, r = ix->n;
    int nl = 0;
    do {
        if (nl == MAX_LEVELS)
            return AG_ENOMEM;
        r = ceil_div(r, NODE_CAP);
        ix->level_off[nl] = total;
        ix->level_len[nl] = r;
        total += r;
        nl++;
    } while (r > 1);

    ix->nodes = malloc(total * sizeof *ix->nodes);
    if (!ix->nodes)
        return AG_ENOMEM;
    str_pack(ix->items, ix->n, ix->nodes + ix->level_off[0]);
    for (int l = 1; l < nl; l++)
        str_pack(ix->nodes + ix->level_off[l - 1], ix->level_len[l - 1],
                 ix->nodes + ix->level_off[l]);
    ix->nlevels = nl;
    ix->built = true;
    return 0;
}

int ag_index_query(const struct ag_index *ix, struct ag_bbox q, ag_index_cb cb,
                   void *ud)
{
    if (!ix || !cb)
        return AG_EINVAL;
    if (!ix->built) {
        /* Not built (or boxes added since): a linear scan gives the same
         * answer, only slower. */
        for (size_t i = 0; i < ix->n; i++)
            if (ag_bbox_intersects(ix->items[i].box, q)) {
                int rc = cb(ud, ix->items[i].ref, ix->items[i].box);
                if (rc)
                    return rc;
            }
        return 0;
    }
    if (ix->nlevels == 0)
        return 0;

    /* Depth-first with an explicit stack of node-level entries. A node pops
     * at most NODE_CAP children, so the stack never holds more than
     * NODE_CAP per level. */
    struct {
        int level; /* 1-based node level */
        size_t idx;
    } stack[MAX_LEVELS * NODE_CAP + 1];
    size_t top = 0;
    stack[top].level = ix->nlevels;
    stack[top].idx = 0;
    top++;
    while (top > 0) {
        top--;
        int level = stack[top].level;
        const struct ix_entry *node =
            &ix->nodes[ix->level_off[level - 1] + stack[top].idx];
        if (!ag_bbox_intersects(node->box, q))
            continue;
        size_t first = (size_t)node->ref;
        if (level == 1) {
            for (size_t i = first; i < first + node->count; i++)
                if (ag_bbox_intersects(ix->items[i].box, q)) {
                    int rc = cb(ud, ix->items[i].ref, ix->items[i].box);
                    if (rc)
                        return rc;
                }
            continue;
        }
        /* Pushed in reverse so children are visited in stored order. */
        for (size_t i = first + node->count; i-- > first;) {
            stack[top].level = level - 1;
            stack[top].idx = i;
            top++;
        }
    }
    return 0;
}
