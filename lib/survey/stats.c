/* The perception index and its confidence interval: Student's t from the
 * regularised incomplete beta function (continued fraction evaluated with
 * the modified Lentz method), written from the formulas in
 * docs/methodology.md §20.
 * SPDX-License-Identifier: EUPL-1.2 */
#include "agora/survey.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* The continued fraction of I_x(a, b) (converges for x < (a + 1)/(a + b + 2)). */
static double betacf(double a, double b, double x)
{
    const double tiny = 1e-300, eps = 1e-15;
    double qab = a + b, qap = a + 1, qam = a - 1;
    double c = 1, d = 1 - qab * x / qap;
    if (fabs(d) < tiny)
        d = tiny;
    d = 1 / d;
    double h = d;
    for (int m = 1; m <= 500; m++) {
        int m2 = 2 * m;
        double aa = m * (b - m) * x / ((qam + m2) * (a + m2));
        d = 1 + aa * d;
        if (fabs(d) < tiny)
            d = tiny;
        c = 1 + aa / c;
        if (fabs(c) < tiny)
            c = tiny;
        d = 1 / d;
        h *= d * c;
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
        d = 1 + aa * d;
        if (fabs(d) < tiny)
            d = tiny;
        c = 1 + aa / c;
        if (fabs(c) < tiny)
            c = tiny;
        d = 1 / d;
        double del = d * c;
        h *= del;
        if (fabs(del - 1) < eps)
            break;
    }
    return h;
}

double ag_betai(double a, double b, double x)
{
    if (!(a > 0) || !(b > 0) || !(x >= 0) || !(x <= 1))
        return NAN;
    if (x == 0 || x == 1)
        return x;
    double lbt = lgamma(a + b) - lgamma(a) - lgamma(b) + a * log(x) + b * log1p(-x);
    if (x < (a + 1) / (a + b + 2))
        return exp(lbt) * betacf(a, b, x) / a;
    return 1 - exp(lbt) * betacf(b, a, 1 - x) / b;
}

double ag_t_cdf(double t, double df)
{
    if (!(df > 0) || isnan(t))
        return NAN;
    double tail = 0.5 * ag_betai(df / 2, 0.5, df / (df + t * t));
    return t >= 0 ? 1 - tail : tail;
}

double ag_t_quantile(double p, double df)
{
    if (!(p > 0) || !(p < 1) || !(df > 0))
        return NAN;
    if (p == 0.5)
        return 0;
    /* bisection on the CDF, after bracketing */
    double lo = -1, hi = 1;
    while (ag_t_cdf(lo, df) > p)
        lo *= 2;
    while (ag_t_cdf(hi, df) < p)
        hi *= 2;
    for (int i = 0; i < 200 && hi - lo > 1e-13 * fmax(1, fabs(lo)); i++) {
        double mid = 0.5 * (lo + hi);
        if (ag_t_cdf(mid, df) < p)
            lo = mid;
        else
            hi = mid;
    }
    return 0.5 * (lo + hi);
}

double ag_perception_respondent(const int *answers, size_t n)
{
    double sum = 0;
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (answers[i] >= 1 && answers[i] <= 5) {
            sum += 100.0 * (answers[i] - 1) / 4;
            k++;
        }
    return k ? sum / (double)k : NAN;
}

int ag_perception_index(const double *respondents, size_t n, double conf, struct ag_perception *out,
                        struct ag_error *err)
{
    if (!(conf > 0 && conf < 1))
        return ag_error_set(err, AG_EINVAL, "confidence: expected between 0 and 1, e.g. 0.95");
    out->n = 0;
    out->index = out->sd = NAN;
    out->lo = 0;
    out->hi = 100;
    double sum = 0;
    for (size_t i = 0; i < n; i++)
        if (!isnan(respondents[i])) {
            sum += respondents[i];
            out->n++;
        }
    if (!out->n)
        return 0;
    out->index = sum / (double)out->n;
    if (out->n < 2)
        return 0;
    double ss = 0;
    for (size_t i = 0; i < n; i++)
        if (!isnan(respondents[i]))
            ss += (respondents[i] - out->index) * (respondents[i] - out->index);
    out->sd = sqrt(ss / (double)(out->n - 1));
    double half =
        ag_t_quantile(0.5 + conf / 2, (double)(out->n - 1)) * out->sd / sqrt((double)out->n);
    out->lo = fmax(0, out->index - half);
    out->hi = fmin(100, out->index + half);
    return 0;
}

/* Percentile mid-ranks of v[i] over the entries with both[i]: (rank − ½)/m,
 * ties sharing the mean of their ranks. */
static void mid_ranks(const double *v, const bool *both, size_t n, size_t m, double *out)
{
    for (size_t i = 0; i < n; i++) {
        if (!both[i]) {
            out[i] = NAN;
            continue;
        }
        size_t below = 0, equal = 0;
        for (size_t j = 0; j < n; j++)
            if (both[j]) {
                below += v[j] < v[i];
                equal += v[j] == v[i];
            }
        /* ranks below+1 .. below+equal, their mean below + (equal + 1)/2 */
        out[i] = ((double)below + (double)(equal + 1) / 2 - 0.5) / (double)m;
    }
}

int ag_perception_divergence(const double *index, const double *density, size_t n,
                             double *rank_fear, double *rank_incidents, double *divergence,
                             struct ag_error *err)
{
    bool *both = calloc(n + 1, sizeof *both);
    double *fear = calloc(n + 1, sizeof *fear);
    if (!both || !fear) {
        free(both);
        free(fear);
        return ag_error_set(err, AG_ENOMEM, "out of memory");
    }
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        both[i] = isfinite(index[i]) && isfinite(density[i]);
        fear[i] = 100 - index[i];
        m += both[i];
    }
    if (m < 3)
        memset(both, 0, n * sizeof *both);
    mid_ranks(fear, both, n, m, rank_fear);
    mid_ranks(density, both, n, m, rank_incidents);
    for (size_t i = 0; i < n; i++)
        divergence[i] = both[i] ? rank_fear[i] - rank_incidents[i] : NAN;
    free(both);
    free(fear);
    return 0;
}
