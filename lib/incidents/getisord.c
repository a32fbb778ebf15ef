/* Getis-Ord local statistics Gi and Gi* as z-scores (J. K. Ord, A. Getis,
 * "Local spatial autocorrelation statistics: distributional issues and an
 * application", Geographical Analysis 27(4), 1995: the standardised forms
 * of Gi and Gi*), conditional permutation pseudo p-values (L. Anselin,
 * "Local indicators of spatial association — LISA", Geographical Analysis
 * 27(2), 1995) and the Benjamini-Hochberg adjustment (Y. Benjamini,
 * Y. Hochberg, J. R. Stat. Soc. B 57(1), 1995).
 * SPDX-License-Identifier: EUPL-1.2 */
#include "incidents/incidents_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* What the z-score of unit i needs besides the lag: with the lag L = Σ w_ij
 * x_j, z = (L − shift) / scale. Both are fixed under a conditional
 * permutation, which is why the permutation test can compare lags. */
struct gi_unit {
    double shift, scale;
    bool undefined;
};

/* Sums are taken in deviations from the mean of all n values (c = x − m)
 * so that a large common offset in x costs no precision. For Gi the mean
 * and variance are those of the n − 1 others:
 *   mean_i − m = −c_i / (n − 1),
 *   S_i² = (SS − c_i²) / (n − 1) − (c_i / (n − 1))². */
static void gi_prepare(const struct ag_incidents_weights *w, const double *x, bool star,
                       struct gi_unit *u)
{
    size_t n = w->n;
    double m = 0;
    for (size_t i = 0; i < n; i++)
        m += x[i];
    m /= (double)n;
    double ss = 0;
    for (size_t i = 0; i < n; i++)
        ss += (x[i] - m) * (x[i] - m);
    for (size_t i = 0; i < n; i++) {
        double wsum = 0, w2sum = 0;
        for (size_t k = w->start[i]; k < w->start[i + 1]; k++) {
            if (!star && w->nbr[k] == i)
                continue;
            wsum += w->w[k];
            w2sum += w->w[k] * w->w[k];
        }
        double ci = x[i] - m, nn, mean, var;
        if (star) {
            nn = (double)n;
            mean = m;
            var = ss / nn;
        } else {
            nn = (double)(n - 1);
            mean = m - ci / nn;
            var = (ss - ci * ci) / nn - (ci / nn) * (ci / nn);
        }
        /* Ord & Getis 1995: Var(Σ w_ij x_j) = S² (n' Σ w² − W²) / (n' − 1). */
        double spread = (nn * w2sum - wsum * wsum) / (nn - 1);
        u[i].shift = mean * wsum;
        u[i].scale = sqrt(var) * sqrt(spread);
        /* Exact zeros are the undefined cases; a rounding residue of
         * n' Σ w² − W² (every unit a neighbour) counts as zero too. */
        u[i].undefined = !(var > 0) || !(spread > 1e-12 * nn * w2sum) || wsum == 0;
    }
}

static double gi_lag(const struct ag_incidents_weights *w, const double *x, bool star, size_t i)
{
    double lag = 0;
    for (size_t k = w->start[i]; k < w->start[i + 1]; k++)
        if (star || w->nbr[k] != i)
            lag += w->w[k] * x[w->nbr[k]];
    return lag;
}

int ag_incidents_getis_ord(const struct ag_incidents_weights *w, const double *x, bool star,
                           double *z, struct ag_error *err)
{
    int rc = ag__incidents_check_values(w, x, 3, star ? "Gi*" : "Gi", err);
    if (rc)
        return rc;
    struct gi_unit *u = malloc(w->n * sizeof *u);
    if (!u)
        return ag_error_set(err, AG_ENOMEM, "Gi: out of memory");
    gi_prepare(w, x, star, u);
    for (size_t i = 0; i < w->n; i++)
        z[i] = u[i].undefined ? NAN : (gi_lag(w, x, star, i) - u[i].shift) / u[i].scale;
    free(u);
    return 0;
}

/* The statistic compared under permutation is the lag itself (z is an
 * increasing function of it); Gi* adds the fixed own term w_ii x_i. */
struct gi_perm_ctx {
    const double *self_term;
};

static double gi_perm_stat(const void *ctx, size_t i, double lag)
{
    const struct gi_perm_ctx *c = ctx;
    return lag + c->self_term[i];
}

int ag_incidents_getis_ord_perm(const struct ag_incidents_weights *w, const double *x, bool star,
                                unsigned nperm, uint64_t seed, double *p, struct ag_error *err)
{
    int rc = ag__incidents_check_values(w, x, 3, star ? "Gi* permutations" : "Gi permutations", err);
    if (rc)
        return rc;
    size_t n = w->n;
    struct gi_unit *u = malloc(n * sizeof *u);
    double *self_term = calloc(n, sizeof *self_term);
    double *observed = malloc(n * sizeof *observed);
    bool *skip = malloc(n * sizeof *skip);
    if (!u || !self_term || !observed || !skip) {
        rc = ag_error_set(err, AG_ENOMEM, "Gi permutations: out of memory");
        goto done;
    }
    gi_prepare(w, x, star, u);
    for (size_t i = 0; i < n; i++) {
        double own = 0, lag = 0;
        for (size_t k = w->start[i]; k < w->start[i + 1]; k++) {
            if (w->nbr[k] == i)
                own += w->w[k];
            else
                lag += w->w[k] * x[w->nbr[k]];
        }
        self_term[i] = star ? own * x[i] : 0;
        observed[i] = lag + self_term[i];
        skip[i] = u[i].undefined;
    }
    struct gi_perm_ctx ctx = {self_term};
    rc = ag__incidents_cond_perm(w, x, observed, gi_perm_stat, skip, &ctx, nperm, seed, p, err);
done:
    free(u);
    free(self_term);
    free(observed);
    free(skip);
    return rc;
}

struct p_rank {
    double p;
    size_t i;
};

static int cmp_p_rank(const void *pa, const void *pb)
{
    const struct p_rank *a = pa, *b = pb;
    if (a->p != b->p)
        return a->p < b->p ? -1 : 1;
    return (a->i > b->i) - (a->i < b->i);
}

int ag_incidents_fdr_bh(const double *p, size_t n, double *q, struct ag_error *err)
{
    if (n == 0)
        return 0;
    if (!p || !q)
        return ag_error_set(err, AG_EINVAL, "Benjamini-Hochberg: no p-values");
    struct p_rank *r = malloc(n * sizeof *r);
    if (!r)
        return ag_error_set(err, AG_ENOMEM, "Benjamini-Hochberg: out of memory");
    for (size_t i = 0; i < n; i++) {
        if (!(p[i] >= 0 && p[i] <= 1)) {
            free(r);
            return ag_error_set(err, AG_EINVAL,
                                "Benjamini-Hochberg: p-value %zu is %g, outside [0, 1]", i + 1,
                                p[i]);
        }
        r[i] = (struct p_rank){p[i], i};
    }
    qsort(r, n, sizeof *r, cmp_p_rank);
    /* Step-up from the largest p: the running minimum of n p_(k) / k makes
     * the adjusted values monotone (Benjamini & Hochberg 1995, as R's
     * p.adjust(method = "BH")). */
    double running = 1.0;
    for (size_t k = n; k-- > 0;) {
        double v = (double)n * r[k].p / (double)(k + 1);
        if (v < running)
            running = v;
        r[k].p = running;
    }
    for (size_t k = 0; k < n; k++)
        q[r[k].i] = r[k].p;
    free(r);
    return 0;
}
