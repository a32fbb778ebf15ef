/* Spatial weights: distance bands, lattices, self-weights and the binary and
 * row-standardised styles. Rows are compressed sparse rows so that a lag
 * Σ_j w_ij x_j costs one pass over the links.
 * SPDX-License-Identifier: EUPL-1.2 */
#include "incidents/incidents_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void ag_incidents_weights_free(struct ag_incidents_weights *w)
{
    if (!w)
        return;
    if (w->ids) {
        for (size_t i = 0; i < w->n; i++)
            free(w->ids[i]);
        free(w->ids);
    }
    free(w->start);
    free(w->nbr);
    free(w->w);
    memset(w, 0, sizeof *w);
}

/* Builds CSR rows from a list of directed links (from, to) that is sorted
 * by from then to; weights all 1. */
struct link {
    uint32_t from, to;
};

static int cmp_link(const void *pa, const void *pb)
{
    const struct link *a = pa, *b = pb;
    if (a->from != b->from)
        return a->from < b->from ? -1 : 1;
    return (a->to > b->to) - (a->to < b->to);
}

static int csr_from_links(size_t n, struct link *links, size_t nlinks,
                          struct ag_incidents_weights *out)
{
    qsort(links, nlinks, sizeof *links, cmp_link);
    memset(out, 0, sizeof *out);
    out->start = calloc(n + 1, sizeof *out->start);
    out->nbr = malloc((nlinks ? nlinks : 1) * sizeof *out->nbr);
    out->w = malloc((nlinks ? nlinks : 1) * sizeof *out->w);
    if (!out->start || !out->nbr || !out->w) {
        ag_incidents_weights_free(out);
        return AG_ENOMEM;
    }
    out->n = n;
    for (size_t k = 0; k < nlinks; k++) {
        out->start[links[k].from + 1]++;
        out->nbr[k] = links[k].to;
        out->w[k] = 1.0;
    }
    for (size_t i = 0; i < n; i++)
        out->start[i + 1] += out->start[i];
    return 0;
}

int ag_incidents_weights_band(const struct ag_xy *pts, size_t n, double band_m, bool self,
                              struct ag_incidents_weights *out, struct ag_error *err)
{
    int rc = ag__incidents_check_points(pts, NULL, n, 1, "distance-band weights", err);
    if (rc)
        return rc;
    if (!isfinite(band_m) || !(band_m > 0))
        return ag_error_set(err, AG_EINVAL,
                            "distance-band weights: the band must be finite and > 0, got %g",
                            band_m);
    struct ag__pairs pairs = {0};
    rc = ag__incidents_pairs_within(pts, n, band_m, false, AG_INCIDENTS_EUCLIDEAN, &pairs, err);
    if (rc)
        return rc;
    size_t nlinks = 2 * pairs.len + (self ? n : 0);
    struct link *links = malloc((nlinks ? nlinks : 1) * sizeof *links);
    if (!links) {
        ag__incidents_pairs_free(&pairs);
        return ag_error_set(err, AG_ENOMEM, "distance-band weights: out of memory (%zu links)",
                            nlinks);
    }
    size_t k = 0;
    for (size_t p = 0; p < pairs.len; p++) {
        links[k++] = (struct link){pairs.v[p].a, pairs.v[p].b};
        links[k++] = (struct link){pairs.v[p].b, pairs.v[p].a};
    }
    if (self)
        for (size_t i = 0; i < n; i++)
            links[k++] = (struct link){(uint32_t)i, (uint32_t)i};
    ag__incidents_pairs_free(&pairs);
    rc = csr_from_links(n, links, nlinks, out);
    free(links);
    if (rc)
        return ag_error_set(err, rc, "distance-band weights: out of memory");
    return 0;
}

int ag_incidents_weights_lattice(size_t nrows, size_t ncols, bool queen,
                                 struct ag_incidents_weights *out, struct ag_error *err)
{
    if (nrows == 0 || ncols == 0)
        return ag_error_set(err, AG_EINVAL, "lattice weights: %zu × %zu lattice is empty", nrows,
                            ncols);
    if (nrows > AG_INCIDENTS_MAX_POINTS / ncols)
        return ag_error_set(err, AG_ELIMIT, "lattice weights: %zu × %zu cells are too many", nrows,
                            ncols);
    size_t n = nrows * ncols;
    size_t nlinks = 0;
    struct link *links = malloc(n * (queen ? 8 : 4) * sizeof *links);
    if (!links)
        return ag_error_set(err, AG_ENOMEM, "lattice weights: out of memory");
    for (size_t r = 0; r < nrows; r++) {
        for (size_t c = 0; c < ncols; c++) {
            for (int dr = -1; dr <= 1; dr++) {
                for (int dc = -1; dc <= 1; dc++) {
                    if ((dr == 0 && dc == 0) || (!queen && dr != 0 && dc != 0))
                        continue;
                    if ((dr < 0 && r == 0) || (dr > 0 && r + 1 == nrows) || (dc < 0 && c == 0) ||
                        (dc > 0 && c + 1 == ncols))
                        continue;
                    size_t to = (r + (size_t)(ptrdiff_t)dr) * ncols + c + (size_t)(ptrdiff_t)dc;
                    links[nlinks++] = (struct link){(uint32_t)(r * ncols + c), (uint32_t)to};
                }
            }
        }
    }
    int rc = csr_from_links(n, links, nlinks, out);
    free(links);
    if (rc)
        return ag_error_set(err, rc, "lattice weights: out of memory");
    return 0;
}

int ag_incidents_weights_find(const struct ag_incidents_weights *w, const char *id, size_t *index)
{
    if (!w || !w->ids || !id)
        return AG_EINVAL;
    for (size_t i = 0; i < w->n; i++) {
        if (strcmp(w->ids[i], id) == 0) {
            if (index)
                *index = i;
            return 0;
        }
    }
    return AG_ENOTFOUND;
}

int ag_incidents_weights_set_self(struct ag_incidents_weights *w, double value,
                                  struct ag_error *err)
{
    if (!w || !w->start)
        return ag_error_set(err, AG_EINVAL, "self-weights: no weights");
    if (!isfinite(value))
        return ag_error_set(err, AG_EINVAL, "self-weights: value %g is not finite", value);
    size_t missing = 0;
    for (size_t i = 0; i < w->n; i++) {
        bool found = false;
        for (size_t k = w->start[i]; k < w->start[i + 1]; k++)
            found |= w->nbr[k] == i;
        missing += !found;
    }
    size_t total = w->start[w->n] + missing;
    size_t *start = malloc((w->n + 1) * sizeof *start);
    size_t *nbr = malloc((total ? total : 1) * sizeof *nbr);
    double *wt = malloc((total ? total : 1) * sizeof *wt);
    if (!start || !nbr || !wt) {
        free(start);
        free(nbr);
        free(wt);
        return ag_error_set(err, AG_ENOMEM, "self-weights: out of memory");
    }
    size_t k2 = 0;
    for (size_t i = 0; i < w->n; i++) {
        start[i] = k2;
        bool placed = false;
        for (size_t k = w->start[i]; k < w->start[i + 1]; k++) {
            /* Rows stay in ascending order: the self entry goes before the
             * first neighbour with a larger index. */
            if (!placed && w->nbr[k] >= i) {
                nbr[k2] = i;
                wt[k2++] = value;
                placed = true;
                if (w->nbr[k] == i)
                    continue;
            }
            nbr[k2] = w->nbr[k];
            wt[k2++] = w->w[k];
        }
        if (!placed) {
            nbr[k2] = i;
            wt[k2++] = value;
        }
    }
    start[w->n] = k2;
    free(w->start);
    free(w->nbr);
    free(w->w);
    w->start = start;
    w->nbr = nbr;
    w->w = wt;
    return 0;
}

int ag_incidents_weights_transform(struct ag_incidents_weights *w, enum ag_incidents_wstyle style)
{
    if (!w || !w->start)
        return AG_EINVAL;
    for (size_t i = 0; i < w->n; i++) {
        size_t a = w->start[i], b = w->start[i + 1];
        if (style == AG_INCIDENTS_W_BINARY) {
            for (size_t k = a; k < b; k++)
                w->w[k] = 1.0;
        } else if (style == AG_INCIDENTS_W_ROW) {
            double sum = 0;
            for (size_t k = a; k < b; k++)
                sum += w->w[k];
            if (sum != 0)
                for (size_t k = a; k < b; k++)
                    w->w[k] /= sum;
        } else {
            return AG_EINVAL;
        }
    }
    return 0;
}

/* Shared by Getis-Ord and Moran: weights present, enough units, finite
 * values. */
int ag__incidents_check_values(const struct ag_incidents_weights *w, const double *x, size_t min_n,
                               const char *what, struct ag_error *err)
{
    if (!w || !w->start || !x)
        return ag_error_set(err, AG_EINVAL, "%s: no weights or no values", what);
    if (w->n < min_n)
        return ag_error_set(err, AG_EINVAL, "%s: needs at least %zu units, got %zu", what, min_n,
                            w->n);
    if (w->n > AG_INCIDENTS_MAX_POINTS)
        return ag_error_set(err, AG_ELIMIT, "%s: %zu units exceed the limit of %u", what, w->n,
                            AG_INCIDENTS_MAX_POINTS);
    for (size_t i = 0; i < w->n; i++)
        if (!isfinite(x[i]))
            return ag_error_set(err, AG_EINVAL, "%s: value %zu is not finite", what, i + 1);
    return 0;
}
