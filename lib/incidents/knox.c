/* The Knox test of space-time interaction (E. G. Knox, "The detection of
 * space-time interactions", J. R. Stat. Soc. C 13(1), 1964), with the
 * Poisson approximation of the close-close count used by pysal/pointpats and
 * a Monte-Carlo p-value from permuting the times among the events (N. Mantel,
 * "The detection of disease clustering and a generalized regression
 * approach", Cancer Research 27, 1967).
 * SPDX-License-Identifier: EUPL-1.2 */
#include "incidents/incidents_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ln Γ(a) for a > 0 without touching the global signgam that lgamma()
 * sets, so that the library stays safe to call from several threads. */
static double log_gamma(double a)
{
    int sign;
    return lgamma_r(a, &sign);
}

/* Lower regularised incomplete gamma P(a, x) by its power series
 * (DLMF 8.7.1: P(a, x) = x^a e^{-x} Σ_k x^k / Γ(a + k + 1)), used for
 * x < a + 1 where it converges fast and keeps full relative precision in
 * the small tail. */
static double gamma_p_series(double a, double x)
{
    double term = 1.0 / a, sum = term;
    for (int k = 1; k < 100000; k++) {
        term *= x / (a + k);
        sum += term;
        if (fabs(term) < fabs(sum) * 1e-17)
            break;
    }
    return sum * exp(-x + a * log(x) - log_gamma(a));
}

/* Upper regularised incomplete gamma Q(a, x) by its continued fraction
 * (DLMF 8.9.2), evaluated with the modified Lentz method (W. J. Lentz,
 * Applied Optics 15, 1976; Thompson & Barnett, J. Comput. Phys. 64, 1986),
 * used for x >= a + 1. */
static double gamma_q_cf(double a, double x)
{
    const double tiny = 1e-300;
    double b = x + 1 - a, c = 1 / tiny, d = 1 / b, h = d;
    for (int i = 1; i < 100000; i++) {
        double an = -i * (i - a);
        b += 2;
        d = an * d + b;
        if (fabs(d) < tiny)
            d = tiny;
        c = b + an / c;
        if (fabs(c) < tiny)
            c = tiny;
        d = 1 / d;
        double delta = d * c;
        h *= delta;
        if (fabs(delta - 1) < 1e-16)
            break;
    }
    return exp(-x + a * log(x) - log_gamma(a)) * h;
}

double ag_incidents_poisson_sf(uint64_t k, double lambda)
{
    if (!(lambda >= 0))
        return NAN;
    if (lambda == 0)
        return 0;
    if (isinf(lambda))
        return 1;
    /* P(X > k) = P(X >= k + 1) = P(k + 1, λ), the lower regularised gamma
     * (DLMF 8.4.10: Q(k + 1, λ) = Σ_{j<=k} e^{-λ} λ^j / j!). */
    double a = (double)k + 1;
    if (lambda < a + 1)
        return gamma_p_series(a, lambda);
    return 1 - gamma_q_cf(a, lambda);
}

int ag_incidents_knox(const struct ag_xy *pts, const double *t_days, size_t n,
                      const struct ag_incidents_knox_params *params, struct ag_incidents_knox *out,
                      struct ag_error *err)
{
    if (!params || !out)
        return ag_error_set(err, AG_EINVAL, "Knox: no parameters or no output");
    int rc = ag__incidents_check_points(pts, t_days, n, 2, "Knox", err);
    if (rc)
        return rc;
    if (!t_days)
        return ag_error_set(err, AG_EINVAL, "Knox: no times");
    const struct ag_incidents_knox_params *P = params;
    if (!isfinite(P->delta_m) || P->delta_m < 0)
        return ag_error_set(err, AG_EINVAL, "Knox: distance threshold %g m is not finite and >= 0",
                            P->delta_m);
    if (!isfinite(P->tau_days) || P->tau_days < 0)
        return ag_error_set(err, AG_EINVAL, "Knox: time threshold %g days is not finite and >= 0",
                            P->tau_days);
    if (P->metric != AG_INCIDENTS_EUCLIDEAN && P->metric != AG_INCIDENTS_MANHATTAN)
        return ag_error_set(err, AG_EINVAL, "Knox: unknown metric %d", (int)P->metric);
    if (P->nperm > AG_INCIDENTS_NPERM_MAX)
        return ag_error_set(err, AG_EINVAL, "Knox: %u permutations exceed the limit of %u",
                            P->nperm, AG_INCIDENTS_NPERM_MAX);

    memset(out, 0, sizeof *out);
    struct ag__pairs close = {0};
    rc = ag__incidents_pairs_within(pts, n, P->delta_m, false, P->metric, &close, err);
    if (rc)
        return rc;
    double *t = malloc(n * sizeof *t);
    uint32_t *pa = malloc((close.len ? close.len : 1) * sizeof *pa);
    uint32_t *pb = malloc((close.len ? close.len : 1) * sizeof *pb);
    if (!t || !pa || !pb) {
        rc = ag_error_set(err, AG_ENOMEM, "Knox: out of memory");
        goto done;
    }
    /* Only the spatially close pairs can be close in both: their list is
     * all a simulation has to look at. */
    for (size_t k = 0; k < close.len; k++) {
        pa[k] = close.v[k].a;
        pb[k] = close.v[k].b;
    }
    size_t ns = close.len;
    ag__incidents_pairs_free(&close);

    memcpy(t, t_days, n * sizeof *t);
    /* N_t does not change when the times are shuffled: it is counted once,
     * on the sorted times. */
    qsort(t, n, sizeof *t, ag__incidents_cmp_double);
    uint64_t nt = ag__incidents_time_pairs_within(t, n, P->tau_days, false);
    uint64_t pairs = (uint64_t)n * (uint64_t)(n - 1) / 2;
    uint64_t nst = 0;
    for (size_t k = 0; k < ns; k++)
        nst += fabs(t_days[pa[k]] - t_days[pb[k]]) <= P->tau_days;

    out->table[0][0] = nst;
    out->table[0][1] = ns - nst;
    out->table[1][0] = nt - nst;
    out->table[1][1] = pairs - ns - nt + nst;
    out->pairs = pairs;
    out->n_space = ns;
    out->n_time = nt;
    out->expected = (double)ns * (double)nt / (double)pairs;
    out->p_poisson = ag_incidents_poisson_sf(nst, out->expected);
    out->nperm = P->nperm;
    out->sim_mean = NAN;
    out->p_perm = NAN;
    if (P->nperm > 0) {
        struct ag_rng rng;
        ag_rng_seed(&rng, P->seed);
        memcpy(t, t_days, n * sizeof *t);
        uint64_t ge = 0;
        double sum = 0;
        for (unsigned s = 0; s < P->nperm; s++) {
            ag__incidents_shuffle(&rng, t, n);
            uint64_t c = 0;
            for (size_t k = 0; k < ns; k++)
                c += fabs(t[pa[k]] - t[pb[k]]) <= P->tau_days;
            sum += (double)c;
            ge += c >= nst;
        }
        out->sim_mean = sum / P->nperm;
        out->p_perm = (double)(ge + 1) / (double)(P->nperm + 1);
    }
done:
    ag__incidents_pairs_free(&close);
    free(t);
    free(pa);
    free(pb);
    return rc;
}
