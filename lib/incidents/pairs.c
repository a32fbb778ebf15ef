/* Pairs of points within a distance, through a uniform grid; pairs of times
 * within a lag, through sorting. These are the O(n · neighbours) and
 * O(n log n) replacements for the O(n²) pair loops of the Knox and
 * near-repeat statistics.
 * SPDX-License-Identifier: EUPL-1.2 */
#include "incidents/incidents_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Cells per axis at most: keeps (cx + 1, cy + 1) packable in 32 bits each. */
#define GRID_MAX_CELLS ((double)(1u << 30))

struct cell_item {
    uint64_t key;
    uint32_t idx;
};

static int cmp_cell_item(const void *pa, const void *pb)
{
    const struct cell_item *a = pa, *b = pb;
    if (a->key != b->key)
        return a->key < b->key ? -1 : 1;
    return (a->idx > b->idx) - (a->idx < b->idx);
}

static uint64_t pack_cell(uint64_t cx, uint64_t cy)
{
    return (cx << 32) | cy;
}

/* First position in items[0..n) whose key is >= key. */
static size_t lower_bound(const struct cell_item *items, size_t n, uint64_t key)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (items[mid].key < key)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

int ag__incidents_check_points(const struct ag_xy *pts, const double *t, size_t n, size_t min_n,
                               const char *what, struct ag_error *err)
{
    if (n < min_n)
        return ag_error_set(err, AG_EINVAL, "%s: needs at least %zu points, got %zu", what, min_n,
                            n);
    if (n > AG_INCIDENTS_MAX_POINTS)
        return ag_error_set(err, AG_ELIMIT, "%s: %zu points exceed the limit of %u", what, n,
                            AG_INCIDENTS_MAX_POINTS);
    if (!pts)
        return ag_error_set(err, AG_EINVAL, "%s: no points", what);
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(pts[i].x) || !isfinite(pts[i].y))
            return ag_error_set(err, AG_EINVAL, "%s: point %zu has a non-finite coordinate", what,
                                i + 1);
        if (t && !isfinite(t[i]))
            return ag_error_set(err, AG_EINVAL, "%s: point %zu has a non-finite time", what, i + 1);
    }
    return 0;
}

void ag__incidents_pairs_free(struct ag__pairs *p)
{
    free(p->v);
    memset(p, 0, sizeof *p);
}

static int pairs_push(struct ag__pairs *p, uint32_t a, uint32_t b, double d)
{
    struct ag__pair *v = ag_grow(p->v, &p->cap, p->len + 1, sizeof *v, 1024);
    if (!v)
        return AG_ENOMEM;
    p->v = v;
    if (a > b) {
        uint32_t tmp = a;
        a = b;
        b = tmp;
    }
    p->v[p->len++] = (struct ag__pair){a, b, d};
    return 0;
}

int ag__incidents_pairs_within(const struct ag_xy *pts, size_t n, double radius, bool strict,
                               enum ag_incidents_metric metric, struct ag__pairs *out,
                               struct ag_error *err)
{
    out->len = 0;
    if (n < 2)
        return 0;
    struct ag_bbox bb = ag_bbox_empty();
    for (size_t i = 0; i < n; i++)
        ag_bbox_extend(&bb, pts[i].x, pts[i].y);
    double minx = bb.minx, maxx = bb.maxx, miny = bb.miny, maxy = bb.maxy;
    double extent = fmax(maxx - minx, maxy - miny);
    /* Any cell >= radius is correct (a pair within radius lies in adjacent
     * cells, for the Manhattan metric too since |dx|, |dy| <= d); the cell
     * only grows past radius when radius is 0 or tiny against the extent. */
    double cell = radius;
    if (!(extent / cell < GRID_MAX_CELLS))
        cell = extent > 0 ? extent / GRID_MAX_CELLS * 2 : 1.0;
    if (!(cell > 0))
        cell = 1.0;

    struct cell_item *items = malloc(n * sizeof *items);
    if (!items)
        return ag_error_set(err, AG_ENOMEM, "pairs within %g m: out of memory", radius);
    for (size_t i = 0; i < n; i++) {
        /* +1 so that the neighbouring cell cy - 1 is never negative. */
        uint64_t cx = (uint64_t)floor((pts[i].x - minx) / cell) + 1;
        uint64_t cy = (uint64_t)floor((pts[i].y - miny) / cell) + 1;
        items[i] = (struct cell_item){pack_cell(cx, cy), (uint32_t)i};
    }
    qsort(items, n, sizeof *items, cmp_cell_item);

    int rc = 0;
    /* Half stencil: the rest of the own cell and the cell above it (one
     * contiguous run in (cx, cy) order), then the column to the right, rows
     * cy - 1 .. cy + 1 (another run): every pair is visited exactly once. */
    for (size_t p = 0; p < n && rc == 0; p++) {
        uint64_t cx = items[p].key >> 32, cy = items[p].key & 0xFFFFFFFFu;
        size_t runs[2][2];
        runs[0][0] = p + 1;
        runs[0][1] = lower_bound(items, n, pack_cell(cx, cy + 2));
        runs[1][0] = lower_bound(items, n, pack_cell(cx + 1, cy - 1));
        runs[1][1] = lower_bound(items, n, pack_cell(cx + 1, cy + 2));
        struct ag_xy a = pts[items[p].idx];
        for (int r = 0; r < 2 && rc == 0; r++) {
            for (size_t q = runs[r][0]; q < runs[r][1]; q++) {
                double d = ag__incidents_dist(a, pts[items[q].idx], metric);
                if (strict ? d < radius : d <= radius) {
                    rc = pairs_push(out, items[p].idx, items[q].idx, d);
                    if (rc)
                        break;
                }
            }
        }
    }
    free(items);
    if (rc)
        return ag_error_set(err, rc, "pairs within %g m: out of memory after %zu pairs", radius,
                            out->len);
    return 0;
}

uint64_t ag__incidents_time_pairs_within(const double *sorted_t, size_t n, double limit,
                                         bool strict)
{
    uint64_t count = 0;
    size_t j = 0;
    for (size_t i = 0; i < n; i++) {
        if (j < i + 1)
            j = i + 1;
        while (j < n &&
               (strict ? sorted_t[j] - sorted_t[i] < limit : sorted_t[j] - sorted_t[i] <= limit))
            j++;
        count += j - i - 1;
    }
    return count;
}

int ag__incidents_cmp_double(const void *pa, const void *pb)
{
    double a = *(const double *)pa, b = *(const double *)pb;
    return (a > b) - (a < b);
}
