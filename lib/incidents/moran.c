/* Moran's I: global (P. A. P. Moran, "Notes on continuous stochastic
 * phenomena", Biometrika 37, 1950) with the moments of A. D. Cliff and
 * J. K. Ord, "Spatial Processes: Models and Applications", Pion, 1981
 * (ch. 1-2: normality and randomisation hypotheses), and local (L. Anselin,
 * "Local indicators of spatial association — LISA", Geographical Analysis
 * 27(2), 1995) with its moments under total randomisation.
 * SPDX-License-Identifier: EUPL-1.2 */
#include "incidents/incidents_int.h"

#include <math.h>
#include <stdlib.h>

static double mean_of(const double *x, size_t n)
{
    double m = 0;
    for (size_t i = 0; i < n; i++)
        m += x[i];
    return m / (double)n;
}

/* w_ji, or 0: rows are sorted, so a binary search. */
static double weight_at(const struct ag_incidents_weights *w, size_t i, size_t j)
{
    size_t lo = w->start[i], hi = w->start[i + 1];
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (w->nbr[mid] == j)
            return w->w[mid];
        if (w->nbr[mid] < j)
            lo = mid + 1;
        else
            hi = mid;
    }
    return 0;
}

int ag_incidents_moran_global(const struct ag_incidents_weights *w, const double *x,
                              struct ag_incidents_moran *out, struct ag_error *err)
{
    int rc = ag__incidents_check_values(w, x, 2, "Moran's I", err);
    if (rc)
        return rc;
    size_t n = w->n;
    double *colsum = calloc(n, sizeof *colsum);
    if (!colsum)
        return ag_error_set(err, AG_ENOMEM, "Moran's I: out of memory");
    double m = mean_of(x, n);
    double m2 = 0, m4 = 0, cross = 0, s0 = 0, s1 = 0, s2 = 0;
    for (size_t i = 0; i < n; i++) {
        double zi = x[i] - m;
        m2 += zi * zi;
        m4 += zi * zi * zi * zi;
        double lag = 0;
        for (size_t k = w->start[i]; k < w->start[i + 1]; k++) {
            size_t j = w->nbr[k];
            double wij = w->w[k];
            lag += wij * (x[j] - m);
            s0 += wij;
            colsum[j] += wij;
            /* S1 = ½ Σ_ij (w_ij + w_ji)² = Σ_ij w_ij² + Σ_ij w_ij w_ji. */
            s1 += wij * wij + wij * weight_at(w, j, i);
        }
        cross += zi * lag;
    }
    for (size_t i = 0; i < n; i++) {
        double rowsum = 0;
        for (size_t k = w->start[i]; k < w->start[i + 1]; k++)
            rowsum += w->w[k];
        s2 += (rowsum + colsum[i]) * (rowsum + colsum[i]);
    }
    free(colsum);
    if (!(m2 > 0))
        return ag_error_set(err, AG_EINVAL, "Moran's I: the values are all equal");
    if (s0 == 0)
        return ag_error_set(err, AG_EINVAL, "Moran's I: the weights sum to 0 (no links)");

    double nd = (double)n, s02 = s0 * s0;
    out->s0 = s0;
    out->s1 = s1;
    out->s2 = s2;
    out->I = nd / s0 * cross / m2;
    out->EI = -1.0 / (nd - 1);
    double ei2 = out->EI * out->EI;
    /* Cliff & Ord 1981, normality: */
    out->var_norm = (nd * nd * s1 - nd * s2 + 3 * s02) / ((nd * nd - 1) * s02) - ei2;
    /* ... and randomisation, with the kurtosis b2 = n Σz⁴ / (Σz²)²: */
    if (n >= 4) {
        double b2 = nd * m4 / (m2 * m2);
        double a = nd * ((nd * nd - 3 * nd + 3) * s1 - nd * s2 + 3 * s02);
        double b = b2 * ((nd * nd - nd) * s1 - 2 * nd * s2 + 6 * s02);
        out->var_rand = (a - b) / ((nd - 1) * (nd - 2) * (nd - 3) * s02) - ei2;
        out->z_rand = (out->I - out->EI) / sqrt(out->var_rand);
    } else {
        out->var_rand = NAN;
        out->z_rand = NAN;
    }
    out->z_norm = (out->I - out->EI) / sqrt(out->var_norm);
    return 0;
}

int ag_incidents_moran_local(const struct ag_incidents_weights *w, const double *x,
                             struct ag_incidents_lisa *out, struct ag_error *err)
{
    int rc = ag__incidents_check_values(w, x, 3, "local Moran's I", err);
    if (rc)
        return rc;
    size_t n = w->n;
    double nd = (double)n, m = mean_of(x, n), m2 = 0, m4 = 0;
    for (size_t i = 0; i < n; i++) {
        double zi = x[i] - m;
        m2 += zi * zi;
        m4 += zi * zi * zi * zi;
    }
    m2 /= nd;
    m4 /= nd;
    if (!(m2 > 0))
        return ag_error_set(err, AG_EINVAL, "local Moran's I: the values are all equal");
    double b2 = m4 / (m2 * m2);
    for (size_t i = 0; i < n; i++) {
        double lag = 0, wi = 0, wi2 = 0;
        for (size_t k = w->start[i]; k < w->start[i + 1]; k++) {
            if (w->nbr[k] == i)
                continue;
            lag += w->w[k] * (x[w->nbr[k]] - m);
            wi += w->w[k];
            wi2 += w->w[k] * w->w[k];
        }
        struct ag_incidents_lisa *o = &out[i];
        o->I = (x[i] - m) / m2 * lag;
        o->EI = -wi / (nd - 1);
        /* E[I_i²] over all n! arrangements: the j = h terms give
         * w_i(2) (n − b2) / (n − 1), the j ≠ h terms (w_i² − w_i(2)) (2 b2 − n)
         * / ((n − 1)(n − 2)) (docs/methodology.md). */
        o->VI = wi2 * (nd - b2) / (nd - 1) +
                (wi * wi - wi2) * (2 * b2 - nd) / ((nd - 1) * (nd - 2)) - o->EI * o->EI;
        o->z = o->VI > 0 ? (o->I - o->EI) / sqrt(o->VI) : NAN;
    }
    return 0;
}

/* Under permutation the lag of raw values L = Σ w_ij x_j gives
 * I_i = z_i (L − m w_i) / m2. */
struct lisa_ctx {
    const double *zi_over_m2;
    const double *shift;
};

static double lisa_stat(const void *ctx, size_t i, double lag)
{
    const struct lisa_ctx *c = ctx;
    return c->zi_over_m2[i] * (lag - c->shift[i]);
}

int ag_incidents_moran_local_perm(const struct ag_incidents_weights *w, const double *x,
                                  unsigned nperm, uint64_t seed, double *p, struct ag_error *err)
{
    int rc = ag__incidents_check_values(w, x, 3, "local Moran's I permutations", err);
    if (rc)
        return rc;
    size_t n = w->n;
    double m = mean_of(x, n), m2 = 0;
    for (size_t i = 0; i < n; i++)
        m2 += (x[i] - m) * (x[i] - m);
    m2 /= (double)n;
    if (!(m2 > 0))
        return ag_error_set(err, AG_EINVAL,
                            "local Moran's I permutations: the values are all equal");
    double *a = malloc(n * sizeof *a), *shift = malloc(n * sizeof *shift),
           *obs = malloc(n * sizeof *obs);
    bool *skip = calloc(n, sizeof *skip);
    if (!a || !shift || !obs || !skip) {
        rc = ag_error_set(err, AG_ENOMEM, "local Moran's I permutations: out of memory");
        goto done;
    }
    struct lisa_ctx ctx = {a, shift};
    for (size_t i = 0; i < n; i++) {
        double lag = 0, wi = 0;
        for (size_t k = w->start[i]; k < w->start[i + 1]; k++) {
            if (w->nbr[k] == i)
                continue;
            lag += w->w[k] * x[w->nbr[k]];
            wi += w->w[k];
        }
        a[i] = (x[i] - m) / m2;
        shift[i] = m * wi;
        obs[i] = lisa_stat(&ctx, i, lag);
    }
    rc = ag__incidents_cond_perm(w, x, obs, lisa_stat, skip, &ctx, nperm, seed, p, err);
done:
    free(a);
    free(shift);
    free(obs);
    free(skip);
    return rc;
}
