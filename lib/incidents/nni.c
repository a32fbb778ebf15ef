/* Nearest neighbours and the Clark-Evans index (P. J. Clark, F. C. Evans,
 * "Distance to nearest neighbor as a measure of spatial relationships in
 * populations", Ecology 35(4), 1954).
 * SPDX-License-Identifier: EUPL-1.2 */
#include "incidents/incidents_int.h"

#include <math.h>
#include <stdlib.h>

/* Below this many points every pair is cheaper than building a grid. */
#define NN_BRUTE_MAX 512

static double nn_dist(struct ag_xy a, struct ag_xy b)
{
    double dx = a.x - b.x, dy = a.y - b.y;
    return sqrt(dx * dx + dy * dy);
}

/* Ties go to the smallest index, in both methods, so that they agree to
 * the bit. */
static void nn_brute(const struct ag_xy *pts, size_t n, double *dist, size_t *idx)
{
    for (size_t i = 0; i < n; i++) {
        double best = INFINITY;
        size_t bj = 0;
        for (size_t j = 0; j < n; j++) {
            if (j == i)
                continue;
            double d = nn_dist(pts[i], pts[j]);
            if (d < best) {
                best = d;
                bj = j;
            }
        }
        dist[i] = best;
        if (idx)
            idx[i] = bj;
    }
}

/* Uniform grid of about one point per cell, searched in square rings of
 * cells around the point's own cell. After ring r every unvisited point is
 * at least r · cell away, so the search stops once the best distance is
 * below that (strictly, so that a tie further out cannot be missed). */
static int nn_grid(const struct ag_xy *pts, size_t n, double *dist, size_t *idx)
{
    struct ag_bbox bb = ag_bbox_empty();
    for (size_t i = 0; i < n; i++)
        ag_bbox_extend(&bb, pts[i].x, pts[i].y);
    double minx = bb.minx, maxx = bb.maxx, miny = bb.miny, maxy = bb.maxy;
    double w = maxx - minx, h = maxy - miny, extent = fmax(w, h);
    if (extent == 0) { /* all points coincide */
        for (size_t i = 0; i < n; i++) {
            dist[i] = 0;
            if (idx)
                idx[i] = i == 0 ? 1 : 0;
        }
        return 0;
    }
    double cell = w > 0 && h > 0 ? sqrt(w * h / (double)n) : extent / (double)n;
    /* Keep the cell count near n even for thin, elongated extents. */
    for (;;) {
        double cx = floor(w / cell) + 1, cy = floor(h / cell) + 1;
        if (cx * cy <= 2.0 * (double)n + 16)
            break;
        cell *= 1.25;
    }
    size_t ncx = (size_t)(w / cell) + 1, ncy = (size_t)(h / cell) + 1, ncell = ncx * ncy;
    size_t *first = calloc(ncell + 1, sizeof *first);
    uint32_t *members = malloc(n * sizeof *members);
    uint32_t *cell_of = malloc(n * sizeof *cell_of);
    if (!first || !members || !cell_of) {
        free(first);
        free(members);
        free(cell_of);
        return AG_ENOMEM;
    }
    for (size_t i = 0; i < n; i++) {
        size_t cx = (size_t)((pts[i].x - minx) / cell), cy = (size_t)((pts[i].y - miny) / cell);
        if (cx >= ncx)
            cx = ncx - 1;
        if (cy >= ncy)
            cy = ncy - 1;
        cell_of[i] = (uint32_t)(cy * ncx + cx);
        first[cell_of[i] + 1]++;
    }
    for (size_t c = 0; c < ncell; c++)
        first[c + 1] += first[c];
    {
        size_t *fill = malloc(ncell * sizeof *fill);
        if (!fill) {
            free(first);
            free(members);
            free(cell_of);
            return AG_ENOMEM;
        }
        for (size_t c = 0; c < ncell; c++)
            fill[c] = first[c];
        for (size_t i = 0; i < n; i++)
            members[fill[cell_of[i]]++] = (uint32_t)i;
        free(fill);
    }
    size_t rmax = ncx > ncy ? ncx : ncy;
    for (size_t i = 0; i < n; i++) {
        long long cx = (long long)(cell_of[i] % ncx), cy = (long long)(cell_of[i] / ncx);
        double best = INFINITY;
        size_t bj = SIZE_MAX;
        for (size_t r = 0; r <= rmax; r++) {
            long long rr = (long long)r;
            for (long long y = cy - rr; y <= cy + rr; y++) {
                if (y < 0 || y >= (long long)ncy)
                    continue;
                bool edge_row = y == cy - rr || y == cy + rr;
                long long step = edge_row || rr == 0 ? 1 : 2 * rr;
                for (long long x = cx - rr; x <= cx + rr; x += step) {
                    if (x < 0 || x >= (long long)ncx)
                        continue;
                    size_t c = (size_t)y * ncx + (size_t)x;
                    for (size_t m = first[c]; m < first[c + 1]; m++) {
                        size_t j = members[m];
                        if (j == i)
                            continue;
                        double d = nn_dist(pts[i], pts[j]);
                        if (d < best || (d == best && j < bj)) {
                            best = d;
                            bj = j;
                        }
                    }
                }
            }
            if (best < (double)r * cell)
                break;
        }
        dist[i] = best;
        if (idx)
            idx[i] = bj;
    }
    free(first);
    free(members);
    free(cell_of);
    return 0;
}

int ag_incidents_nn(const struct ag_xy *pts, size_t n, enum ag_incidents_nn_method method,
                    double *dist, size_t *idx, struct ag_error *err)
{
    int rc = ag__incidents_check_points(pts, NULL, n, 2, "nearest neighbours", err);
    if (rc)
        return rc;
    if (!dist)
        return ag_error_set(err, AG_EINVAL, "nearest neighbours: no output array");
    if (method == AG_INCIDENTS_NN_AUTO)
        method = n <= NN_BRUTE_MAX ? AG_INCIDENTS_NN_BRUTE : AG_INCIDENTS_NN_GRID;
    if (method == AG_INCIDENTS_NN_BRUTE) {
        nn_brute(pts, n, dist, idx);
        return 0;
    }
    if (method != AG_INCIDENTS_NN_GRID)
        return ag_error_set(err, AG_EINVAL, "nearest neighbours: unknown method %d", (int)method);
    if (nn_grid(pts, n, dist, idx))
        return ag_error_set(err, AG_ENOMEM, "nearest neighbours: out of memory");
    return 0;
}

int ag_incidents_clark_evans(const struct ag_xy *pts, size_t n, double area_m2,
                             enum ag_incidents_nn_method method,
                             struct ag_incidents_clark_evans *out, struct ag_error *err)
{
    if (!isfinite(area_m2) || !(area_m2 > 0))
        return ag_error_set(err, AG_EINVAL,
                            "Clark-Evans: the study area must be finite and > 0, got %g", area_m2);
    int rc = ag__incidents_check_points(pts, NULL, n, 2, "Clark-Evans", err);
    if (rc)
        return rc;
    double *d = malloc(n * sizeof *d);
    if (!d)
        return ag_error_set(err, AG_ENOMEM, "Clark-Evans: out of memory");
    rc = ag_incidents_nn(pts, n, method, d, NULL, err);
    if (rc) {
        free(d);
        return rc;
    }
    double sum = 0, lo = INFINITY, hi = 0;
    for (size_t i = 0; i < n; i++) {
        sum += d[i];
        lo = fmin(lo, d[i]);
        hi = fmax(hi, d[i]);
    }
    free(d);
    double nd = (double)n;
    out->n = n;
    out->area_m2 = area_m2;
    out->mean_nn_m = sum / nd;
    out->min_nn_m = lo;
    out->max_nn_m = hi;
    /* Clark & Evans 1954: under complete spatial randomness with density
     * ρ = n / A, E[r̄] = 1 / (2 sqrt ρ) and σ_r̄ = 0.26136 / sqrt(n ρ), where
     * 0.26136 = sqrt((4 − π) / (4π)). */
    out->expected_nn_m = 0.5 * sqrt(area_m2 / nd);
    out->se_m = sqrt((4 - M_PI) / (4 * M_PI)) * sqrt(area_m2) / nd;
    out->R = out->mean_nn_m / out->expected_nn_m;
    out->z = (out->mean_nn_m - out->expected_nn_m) / out->se_m;
    out->p_two_sided = erfc(fabs(out->z) / M_SQRT2);
    return 0;
}
