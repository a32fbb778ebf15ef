/* Conditional permutation (the "conditional randomisation" of Anselin 1995,
 * "LISA", Geographical Analysis 27(2)): the value at i stays,
 * the other n − 1 values are randomly reassigned, and only the k_i that land
 * on i's neighbours matter, so each draw is a partial Fisher-Yates shuffle
 * (Durstenfeld 1964; Knuth, TAOCP vol. 2, §3.4.2, algorithm P) of k_i
 * positions instead of a full permutation.
 * SPDX-License-Identifier: EUPL-1.2 */
#include "incidents/incidents_int.h"

#include <stdlib.h>

static void swap_at(uint32_t *idx, uint32_t *pos, size_t a, size_t b)
{
    uint32_t ia = idx[a], ib = idx[b];
    idx[a] = ib;
    idx[b] = ia;
    pos[ib] = (uint32_t)a;
    pos[ia] = (uint32_t)b;
}

int ag__incidents_cond_perm(const struct ag_incidents_weights *w, const double *x,
                            const double *observed, ag__perm_stat stat, const bool *skip,
                            const void *ctx, unsigned nperm, uint64_t seed, double *p,
                            struct ag_error *err)
{
    size_t n = w->n;
    if (nperm == 0 || nperm > AG_INCIDENTS_NPERM_MAX)
        return ag_error_set(err, AG_EINVAL, "permutations: %u permutations, expected 1 to %u",
                            nperm, AG_INCIDENTS_NPERM_MAX);
    uint32_t *idx = malloc(n * sizeof *idx);
    uint32_t *pos = malloc(n * sizeof *pos);
    double *wk = malloc(n * sizeof *wk);
    if (!idx || !pos || !wk) {
        free(idx);
        free(pos);
        free(wk);
        return ag_error_set(err, AG_ENOMEM, "permutations: out of memory");
    }
    for (size_t i = 0; i < n; i++)
        idx[i] = pos[i] = (uint32_t)i;
    struct ag_rng rng;
    ag_rng_seed(&rng, seed);
    int rc = 0;
    for (size_t i = 0; i < n; i++) {
        size_t k = 0;
        for (size_t e = w->start[i]; e < w->start[i + 1]; e++)
            if (w->nbr[e] != i)
                wk[k++] = w->w[e];
        if (skip[i] || k == 0) {
            p[i] = 1.0;
            continue;
        }
        if (k > n - 1) {
            rc = ag_error_set(err, AG_EINVAL,
                              "permutations: unit %zu has %zu neighbours among %zu other units "
                              "(repeated links?)",
                              i + 1, k, n - 1);
            break;
        }
        /* Park i at the end: draws come from positions 0 .. n − 2. */
        swap_at(idx, pos, pos[i], n - 1);
        uint32_t others = (uint32_t)(n - 1);
        unsigned larger = 0;
        for (unsigned s = 0; s < nperm; s++) {
            double lag = 0;
            for (size_t m = 0; m < k; m++) {
                size_t r = m + ag_rng_below(&rng, others - (uint32_t)m);
                swap_at(idx, pos, m, r);
                lag += wk[m] * x[idx[m]];
            }
            if (stat(ctx, i, lag) >= observed[i])
                larger++;
        }
        /* Folded as esda does: the tail the observed value lies in. */
        if (nperm - larger < larger)
            larger = nperm - larger;
        p[i] = (double)(larger + 1) / (double)(nperm + 1);
    }
    free(idx);
    free(pos);
    free(wk);
    return rc;
}
