/* When incidents happen: local civil calendar fields, counts by hour of day,
 * weekday and month, and the log-linear Poisson trend of counts per period
 * (P. McCullagh, J. A. Nelder, Generalized Linear Models, 2nd ed., Chapman
 * & Hall 1989, sec. 2.5 and ch. 6; A. Agresti, Categorical Data Analysis,
 * 3rd ed., Wiley 2013, on Poisson log-linear models and Wald tests).
 * SPDX-License-Identifier: EUPL-1.2 */
#include "incidents/incidents_int.h"

#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- proleptic Gregorian calendar ----
 * The era arithmetic of H. Hinnant, "chrono-Compatible Low-Level Date
 * Algorithms" (2013, howardhinnant.github.io/date_algorithms.html): the
 * year is taken to start on 1 March, so that the leap day is the last day
 * of its year and the month lengths from March on repeat the pattern
 * 31 30 31 30 31 (153 days per five months); 400 Gregorian years are
 * exactly 146,097 days (20,871 weeks), so every date reduces to an era of
 * 400 years and a day within it, 0..146,096. Era 0 starts on 0000-03-01,
 * which is 719,468 days before 1970-01-01. All in int64_t, so that every
 * int year is exact. */

#define SECONDS_PER_DAY 86400
#define DAYS_PER_ERA 146097
#define ERA0_TO_EPOCH_DAYS 719468 /* 0000-03-01 to 1970-01-01 */

/* Floor division and the matching non-negative remainder (C rounds towards
 * zero, which would put 1969-12-31 23:59:59 on 1970-01-01). */
static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return q - (a % b != 0 && (a % b < 0) != (b < 0));
}

static int64_t floor_mod(int64_t a, int64_t b)
{
    return a - floor_div(a, b) * b;
}

/* Day of the March-based year (0 = 1 March) of the first day of month m
 * (1..12): March .. December are 0 .. 9, January and February 10 and 11;
 * (153 k + 2) / 5 is the number of days before March-based month k. */
static int64_t days_before_month(int m)
{
    int64_t k = m > 2 ? m - 3 : m + 9;
    return (153 * k + 2) / 5;
}

static int64_t days_from_civil(int64_t y, int m, int d)
{
    if (m <= 2)
        y--; /* January and February belong to the previous March year */
    int64_t era = floor_div(y, 400);
    int64_t year_of_era = y - era * 400;                /* 0..399 */
    int64_t day_of_year = days_before_month(m) + d - 1; /* 0..365 */
    int64_t day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    return era * DAYS_PER_ERA + day_of_era - ERA0_TO_EPOCH_DAYS;
}

static void civil_from_days(int64_t days, int64_t *year, int *month, int *day)
{
    int64_t z = days + ERA0_TO_EPOCH_DAYS;
    int64_t era = floor_div(z, DAYS_PER_ERA);
    int64_t doe = z - era * DAYS_PER_ERA; /* 0..146096 */
    /* Years of the era elapsed before day doe: remove the leap days (one
     * every 1,460 days, none at the century marks 36,524, one back at
     * 146,096, the last day of the era) and divide by 365. */
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (yoe * 365 + yoe / 4 - yoe / 100); /* 0..365 */
    int64_t mp = (5 * doy + 2) / 153;                      /* March-based 0..11 */
    *day = (int)(doy - (153 * mp + 2) / 5 + 1);
    *month = (int)(mp < 10 ? mp + 3 : mp - 9);
    *year = era * 400 + yoe + (*month <= 2);
}

/* The first and last second whose year fits in an int. */
static int64_t civil_min_seconds(void)
{
    return days_from_civil(INT_MIN, 1, 1) * SECONDS_PER_DAY;
}

static int64_t civil_max_seconds(void)
{
    return days_from_civil(INT_MAX, 12, 31) * SECONDS_PER_DAY + SECONDS_PER_DAY - 1;
}

struct ag_civil ag_civil_from_seconds(int64_t t)
{
    int64_t lo = civil_min_seconds(), hi = civil_max_seconds();
    if (t < lo)
        t = lo;
    if (t > hi)
        t = hi;
    int64_t days = floor_div(t, SECONDS_PER_DAY);
    int64_t sod = t - days * SECONDS_PER_DAY; /* 0..86399 */
    struct ag_civil c;
    int64_t year;
    civil_from_days(days, &year, &c.month, &c.day);
    c.year = (int)year;
    c.hour = (int)(sod / 3600);
    c.minute = (int)(sod / 60 % 60);
    c.second = (int)(sod % 60);
    /* 1970-01-01 was a Thursday (3 when Monday is 0). */
    c.weekday = (int)floor_mod(days + 3, 7);
    return c;
}

static bool is_leap(int64_t y)
{
    return floor_mod(y, 4) == 0 && (floor_mod(y, 100) != 0 || floor_mod(y, 400) == 0);
}

static int days_in_month(int64_t y, int m)
{
    static const int len[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && is_leap(y) ? 29 : len[m - 1];
}

int ag_civil_to_seconds(const struct ag_civil *c, int64_t *t)
{
    if (!c || !t)
        return AG_EINVAL;
    if (c->month < 1 || c->month > 12 || c->day < 1 || c->day > days_in_month(c->year, c->month))
        return AG_EINVAL;
    if (c->hour < 0 || c->hour > 23 || c->minute < 0 || c->minute > 59 || c->second < 0 ||
        c->second > 59)
        return AG_EINVAL;
    /* At most about 7.8e11 days, 6.8e16 s: far inside int64_t. */
    *t = days_from_civil(c->year, c->month, c->day) * SECONDS_PER_DAY + c->hour * 3600 +
         c->minute * 60 + c->second;
    return 0;
}

/* ---- counts by hour, weekday and month ---- */

#define PROFILE_MONTHS_MAX 12000

int ag_incidents_profile(const int64_t *t, const bool *has_time, size_t n,
                         struct ag_incidents_profile *out, struct ag_error *err)
{
    if (!out)
        return ag_error_set(err, AG_EINVAL, "profile: no output");
    memset(out, 0, sizeof *out);
    if (n == 0)
        return ag_error_set(err, AG_EINVAL, "profile: no events");
    if (!t)
        return ag_error_set(err, AG_EINVAL, "profile: no times");

    int64_t lo = civil_min_seconds(), hi = civil_max_seconds();
    int64_t first = INT64_MAX, last = INT64_MIN; /* months as year * 12 + month - 1 */
    for (size_t i = 0; i < n; i++) {
        if (t[i] < lo || t[i] > hi)
            return ag_error_set(err, AG_EINVAL,
                                "profile: time %zu (%lld s) lies outside the years %d to %d", i,
                                (long long)t[i], INT_MIN, INT_MAX);
        struct ag_civil c = ag_civil_from_seconds(t[i]);
        int64_t m = (int64_t)c.year * 12 + (c.month - 1);
        if (m < first)
            first = m;
        if (m > last)
            last = m;
    }
    if (last - first >= PROFILE_MONTHS_MAX)
        return ag_error_set(err, AG_ELIMIT,
                            "profile: the events span %lld months, more than the limit of %d",
                            (long long)(last - first + 1), PROFILE_MONTHS_MAX);

    size_t nmonths = (size_t)(last - first + 1);
    uint64_t *monthly = calloc(nmonths, sizeof *monthly);
    if (!monthly)
        return ag_error_set(err, AG_ENOMEM, "profile: out of memory");
    for (size_t i = 0; i < n; i++) {
        struct ag_civil c = ag_civil_from_seconds(t[i]);
        monthly[(int64_t)c.year * 12 + (c.month - 1) - first]++;
        out->weekday[c.weekday]++;
        if (has_time && !has_time[i]) {
            out->no_time++;
            continue;
        }
        out->hour[c.hour]++;
        out->hour_weekday[c.weekday][c.hour]++;
    }
    out->n = n;
    out->first_year = (int)floor_div(first, 12);
    out->first_month = (int)floor_mod(first, 12) + 1;
    out->nmonths = nmonths;
    out->monthly = monthly;
    return 0;
}

void ag_incidents_profile_free(struct ag_incidents_profile *p)
{
    if (!p)
        return;
    free(p->monthly);
    p->monthly = NULL;
    p->nmonths = 0;
}

/* ---- log-linear Poisson trend ----
 * y_t ~ Poisson(μ_t), log μ_t = a + b t, t = 0 .. n − 1. With Y = Σ y_t,
 * the log-likelihood without its constant −Σ log y_t! is
 *     l(a, b) = Σ y_t (a + b t) − Σ e^{a + b t}.
 * For fixed b it is largest at e^a = Y / Σ e^{bt} (the intercept that makes
 * Σ μ_t = Y, the first likelihood equation of any Poisson log-linear model
 * with a constant), which leaves the profile log-likelihood of the slope
 *     l_p(b) = Y (b d − ln Σ e^{bt}) + const,   d = Σ y_t t / Y,
 * with p_t(b) = e^{bt} / Σ e^{bt}, E_b[t] = Σ p_t t, V_b[t] = Σ p_t (t − E_b[t])²:
 *     l_p'(b) = Y (d − E_b[t]),   l_p''(b) = −Y V_b[t] < 0 (n >= 2).
 * The MLE is the root of d = E_b[t]. Newton-Raphson on l_p takes the step
 * (d − E_b[t]) / V_b[t]: the b part of the Newton step of the full (a, b)
 * problem (= Fisher scoring = IRLS, the log link being canonical: McCullagh
 * & Nelder 1989, sec. 2.5) taken from the best a for the current b.
 *
 * Standard error: the inverse of the information [[Σμ, Σtμ], [Σtμ, Σt²μ]]
 * has bb element 1 / Σ μ_t (t − m)², m = Σ tμ / Σμ; at the MLE μ_t = Y p_t,
 * so var(b̂) = 1 / (Y V_b[t]) = −1 / l_p''(b̂). Wald z = b̂ / se, two-sided
 * p = erfc(|z| / √2).
 *
 * Existence: E_b[t] increases strictly with b (its derivative is V_b[t] >
 * 0) from 0 at b → −∞ to n − 1 at b → +∞, so d = E_b[t] has one finite root
 * exactly when 0 < d < n − 1. For counts >= 0 with Y > 0 that fails only
 * when every count but y_0 is 0 (d = 0, b̂ = −∞) or every count but y_{n−1}
 * (d = n − 1, b̂ = +∞). Zeros elsewhere, even at both ends, leave b̂ finite.
 * (S. J. Haberman, The Analysis of Frequency Data, 1974, gives the general
 * condition for log-linear models.)
 *
 * Why not Newton in (a, b) with step halving on l: with many periods l is
 * a sum of large terms, its rounding error exceeds the gain of the last
 * steps, and halving stalls (10^5 periods did). The root of the profile
 * score is instead bracketed by its sign, which rounding cannot reverse
 * far from the root, and Newton's steps are kept inside the bracket by
 * bisection when they leave it or do not halve (the safeguard of "rtsafe",
 * Press et al., Numerical Recipes, 3rd ed., 2007, sec. 9.4). */

#define TREND_ITER_MAX 100
#define TREND_DOUBLINGS_MAX 40

struct trend_data {
    size_t n;
    double last; /* n − 1 */
    double d_lo; /* d = Σ y_t t / Y */
    double d_hi; /* n − 1 − d = Σ y_t (n − 1 − t) / Y, summed apart */
};

/* d − E_b[t] in *score and V_b[t] in *var. Weights e^{bt − M} with M the
 * largest exponent, so nothing overflows; for b <= 0 the mean is measured
 * from t = 0 and for b > 0 from t = n − 1, where the weights gather, so
 * that a steep slope keeps the relative precision of the small distance
 * between d and E_b[t]. Returns ln Σ e^{bt}. */
static double trend_moments(const struct trend_data *D, double b, double *score, double *var)
{
    bool up = b > 0;
    double shift = up ? b * D->last : 0, w_sum = 0, e_sum = 0;
    for (size_t i = 0; i < D->n; i++) {
        double t = (double)i, w = exp(b * t - shift);
        w_sum += w;
        e_sum += w * (up ? D->last - t : t);
    }
    double e = e_sum / w_sum, v_sum = 0;
    for (size_t i = 0; i < D->n; i++) {
        double t = (double)i, w = exp(b * t - shift), u = (up ? D->last - t : t) - e;
        v_sum += w * u * u;
    }
    *score = up ? e - D->d_hi : D->d_lo - e;
    *var = v_sum / w_sum;
    return shift + log(w_sum);
}

int ag_incidents_trend(const double *y, size_t n, struct ag_incidents_trend *out,
                       struct ag_error *err)
{
    if (!out)
        return ag_error_set(err, AG_EINVAL, "trend: no output");
    memset(out, 0, sizeof *out);
    if (n < 2)
        return ag_error_set(err, AG_EINVAL, "trend: %zu periods, at least 2 are needed", n);
    if (!y)
        return ag_error_set(err, AG_EINVAL, "trend: no counts");
    double total = 0, sum_lo = 0, sum_hi = 0, last = (double)(n - 1);
    size_t first_pos = n, last_pos = 0;
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(y[i]) || y[i] < 0)
            return ag_error_set(err, AG_EINVAL, "trend: count %zu (%g) is not finite and >= 0", i,
                                y[i]);
        if (y[i] > 0) {
            if (first_pos == n)
                first_pos = i;
            last_pos = i;
        }
        total += y[i];
        sum_lo += y[i] * (double)i;
        sum_hi += y[i] * (last - (double)i);
    }
    if (total == 0)
        return ag_error_set(err, AG_EINVAL, "trend: every count is 0");
    if (!isfinite(total) || !isfinite(sum_lo) || !isfinite(sum_hi))
        return ag_error_set(err, AG_EINVAL, "trend: the counts sum beyond the range of double");
    if (first_pos == last_pos && (first_pos == 0 || first_pos == n - 1))
        return ag_error_set(err, AG_EINVAL,
                            "trend: every count but the %s is 0, so the maximum likelihood "
                            "slope is %s infinity",
                            first_pos == 0 ? "first" : "last", first_pos == 0 ? "minus" : "plus");
    struct trend_data D = {n, last, sum_lo / total, sum_hi / total};
    if (D.d_lo == 0 || D.d_hi == 0)
        return ag_error_set(err, AG_EINVAL,
                            "trend: the counts are so concentrated in the %s period that double "
                            "precision cannot tell the slope from %s infinity",
                            D.d_lo == 0 ? "first" : "last", D.d_lo == 0 ? "minus" : "plus");

    /* Bracket the root: the score decreases in b. Steps from 1 / (n − 1),
     * the slope that changes the rate by a factor e across the series,
     * doubling up to 2^40 times that. Newton then starts from the point
     * tried whose own Newton step is the shortest: b = 0, the slope of
     * constant counts, when the trend is flat. */
    double score, var, b = 0;
    trend_moments(&D, 0, &score, &var);
    double lo = 0, hi = 0, best = fabs(score / var);
    bool converged = score == 0;
    if (!converged) {
        double dir = score > 0 ? 1 : -1, step = 1 / last, s = score;
        for (int k = 0; k < TREND_DOUBLINGS_MAX && s * dir > 0; k++, step *= 2) {
            trend_moments(&D, dir * step, &s, &var);
            if (s * dir > 0) {
                if (dir > 0)
                    lo = step;
                else
                    hi = -step;
            }
            if (fabs(s / var) < best) {
                best = fabs(s / var);
                b = dir * step;
            }
        }
        step /= 2; /* the last step tried */
        if (s * dir > 0)
            return ag_error_set(err, AG_EINVAL,
                                "trend: the slope exceeds %g per period, beyond double precision",
                                step);
        if (s == 0) {
            b = dir * step;
            converged = true;
        } else if (dir > 0) {
            hi = step;
        } else {
            lo = -step;
        }
    }
    /* Safeguarded Newton: invariant score(lo) > 0 > score(hi). Converged
     * when a step moves b by at most 1e-12 of max(|b|, 1 / (n − 1)); the
     * convergence of Newton's method being quadratic, b is then exact to
     * rounding. */
    double dx_old = hi - lo, dx = dx_old;
    for (int it = 0; it < TREND_ITER_MAX && !converged; it++) {
        trend_moments(&D, b, &score, &var);
        if (score == 0)
            break;
        if (score > 0)
            lo = b;
        else
            hi = b;
        double newton = b + score / var, next;
        /* Closed bracket: a step below half an ulp lands on b itself. */
        if (!(newton >= lo && newton <= hi) || fabs(newton - b) > fabs(dx_old) / 2)
            next = lo + (hi - lo) / 2;
        else
            next = newton;
        dx_old = dx;
        dx = next - b;
        b = next;
        double tol = 1e-12 * fmax(fabs(b), 1 / last);
        converged = fabs(dx) <= tol || hi - lo <= tol;
    }
    if (!converged && score != 0)
        return ag_error_set(err, AG_EINVAL,
                            "trend: Newton-Raphson did not converge in %d iterations (counts "
                            "too extreme for double precision)",
                            TREND_ITER_MAX);

    double log_sum = trend_moments(&D, b, &score, &var);
    double info = total * var;
    if (!(info > 0) || !isfinite(info))
        return ag_error_set(err, AG_EINVAL,
                            "trend: the information about the slope is %g (counts too extreme "
                            "for double precision)",
                            info);
    out->periods = n;
    out->b = b;
    out->a = log(total) - log_sum;
    out->se_b = 1 / sqrt(info);
    out->z = b / out->se_b;
    out->p = erfc(fabs(out->z) / sqrt(2.0));
    out->rate_ratio = exp(b);
    return 0;
}
