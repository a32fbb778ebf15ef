/* agora incidents profile: when incidents happen. Hour of day by weekday,
 * the monthly series and its log-linear Poisson trend.
 * SPDX-License-Identifier: EUPL-1.2 */
#include "incidents_cli.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char HELP[] =
    "Usage: agora incidents profile [--json | --csv] [--set NAME] [--category C]\n"
    "                               [--from DATE] [--to DATE] [--db PATH]\n"
    "\n"
    "When incidents happen: a table of hour of day by weekday (Monday first),\n"
    "the totals per weekday and per hour, the records that give a date without\n"
    "a time of day (counted by weekday and month, not by hour), the number of\n"
    "incidents in each month from the first to the last, and the trend of the\n"
    "monthly counts: a log-linear Poisson regression, log E[count] = a + b month,\n"
    "whose rate ratio exp(b) is the factor by which the monthly count changes\n"
    "from one month to the next (exp(12 b) per year), with the Wald test of no\n"
    "trend (z, two-sided p). Times are the local clock times of the records.\n"
    "The first and last months count as whole months: a selection that cuts a\n"
    "month short (--from, --to, or data that start mid-month) biases the trend.\n"
    "\n"
    "  --json           everything as JSON\n"
    "  --csv            the monthly series only: month,count (YYYY-MM, months\n"
    "                   without incidents included)\n" INC_SEL_HELP "\n"
    "Method and sources: docs/methodology.md (incidents).\n";

#define CMD "incidents profile"
#define TREND_ALPHA 0.05
/* The 97.5th percentile of the standard normal distribution. */
#define Z975 1.959963984540054

static const char *const WEEKDAY[7] = {"Monday", "Tuesday",  "Wednesday", "Thursday",
                                       "Friday", "Saturday", "Sunday"};

static void json_num(struct ag_buf *b, double v)
{
    if (isfinite(v))
        ag_buf_printf(b, "%.17g", v);
    else
        ag_buf_puts(b, "null");
}

static void json_u64_array(struct ag_buf *b, const uint64_t *v, size_t n)
{
    ag_buf_puts(b, "[");
    for (size_t i = 0; i < n; i++)
        ag_buf_printf(b, "%s%llu", i ? "," : "", (unsigned long long)v[i]);
    ag_buf_puts(b, "]");
}

/* Year and month of monthly[i]. */
static void month_of(const struct ag_incidents_profile *p, size_t i, int *year, int *month)
{
    long long m = (long long)p->first_year * 12 + (p->first_month - 1) + (long long)i;
    long long y = m >= 0 ? m / 12 : -((-m + 11) / 12);
    *year = (int)y;
    *month = (int)(m - y * 12) + 1;
}

static const char *date_text(char *buf, size_t len, int64_t t)
{
    struct ag_civil c = ag_civil_from_seconds(t);
    snprintf(buf, len, "%04d-%02d-%02d", c.year, c.month, c.day);
    return buf;
}

/* Hour of day by weekday for the records with a time of day, then the
 * date-only records and all of them by weekday. */
static void print_hour_table(const struct ag_incidents_profile *p)
{
    char a[64];
    uint64_t with_time = p->n - p->no_time;
    printf("Incidents by hour of day and weekday (%s with a time of day)\n",
           tool_num(a, sizeof a, (double)with_time, 0));
    printf("  %-12s", "hour");
    for (int d = 0; d < 7; d++)
        printf(" %7.3s", WEEKDAY[d]);
    printf(" %9s\n", "total");
    for (int h = 0; h < 24; h++) {
        printf("  %02d:00-%02d:59 ", h, h);
        for (int d = 0; d < 7; d++)
            printf(" %7s", tool_num(a, sizeof a, (double)p->hour_weekday[d][h], 0));
        printf(" %9s\n", tool_num(a, sizeof a, (double)p->hour[h], 0));
    }
    uint64_t timed[7];
    for (int d = 0; d < 7; d++) {
        timed[d] = 0;
        for (int h = 0; h < 24; h++)
            timed[d] += p->hour_weekday[d][h];
    }
    printf("  %-12s", "total");
    for (int d = 0; d < 7; d++)
        printf(" %7s", tool_num(a, sizeof a, (double)timed[d], 0));
    printf(" %9s\n", tool_num(a, sizeof a, (double)with_time, 0));
    if (p->no_time) {
        printf("  %-12s", "date only");
        for (int d = 0; d < 7; d++)
            printf(" %7s", tool_num(a, sizeof a, (double)(p->weekday[d] - timed[d]), 0));
        printf(" %9s\n", tool_num(a, sizeof a, (double)p->no_time, 0));
        printf("  %-12s", "all records");
        for (int d = 0; d < 7; d++)
            printf(" %7s", tool_num(a, sizeof a, (double)p->weekday[d], 0));
        printf(" %9s\n", tool_num(a, sizeof a, (double)p->n, 0));
    }
    printf("  records without a time of day: %s\n",
           p->no_time ? tool_num(a, sizeof a, (double)p->no_time, 0) : "none");
}

static void print_text(const struct inc_sel *s, const struct ag_incidents_profile *p, int64_t tmin,
                       int64_t tmax, const struct ag_incidents_trend *tr, const char *trend_error)
{
    char a[64], b[64];
    uint64_t with_time = p->n - p->no_time;
    char n[64];
    printf("When: %s, %s incidents from %s to %s\n  (local clock times as recorded)\n\n", s->what,
           tool_num(n, sizeof n, (double)p->n, 0), date_text(a, sizeof a, tmin),
           date_text(b, sizeof b, tmax));

    if (!with_time) {
        printf("No record gives a time of day (dates only): no hour-of-day table.\n");
        printf("Incidents by weekday\n ");
        for (int d = 0; d < 7; d++)
            printf(" %7.3s", WEEKDAY[d]);
        printf(" %9s\n ", "total");
        for (int d = 0; d < 7; d++)
            printf(" %7s", tool_num(a, sizeof a, (double)p->weekday[d], 0));
        printf(" %9s\n", tool_num(a, sizeof a, (double)p->n, 0));
    } else {
        print_hour_table(p);
    }

    int bh = 0, bd = 0;
    for (int h = 1; h < 24; h++)
        if (p->hour[h] > p->hour[bh])
            bh = h;
    for (int d = 1; d < 7; d++)
        if (p->weekday[d] > p->weekday[bd])
            bd = d;
    if (with_time)
        printf("  busiest hour: %02d:00-%02d:59 (%s incidents); ", bh, bh,
               tool_num(a, sizeof a, (double)p->hour[bh], 0));
    else
        printf("  ");
    printf("busiest weekday: %s (%s incidents)\n\n", WEEKDAY[bd],
           tool_num(a, sizeof a, (double)p->weekday[bd], 0));

    printf("Incidents per month\n");
    uint64_t mmax = 1;
    for (size_t i = 0; i < p->nmonths; i++)
        mmax = p->monthly[i] > mmax ? p->monthly[i] : mmax;
    for (size_t i = 0; i < p->nmonths; i++) {
        int y, m;
        month_of(p, i, &y, &m);
        char bar[41];
        size_t len = (size_t)((double)p->monthly[i] * 40.0 / (double)mmax + 0.5);
        memset(bar, '#', len);
        bar[len] = '\0';
        printf("  %04d-%02d %9s  %s\n", y, m, tool_num(a, sizeof a, (double)p->monthly[i], 0), bar);
    }

    printf("\nTrend of the monthly counts (log-linear Poisson regression)\n");
    if (!tr) {
        /* The library's messages start with "trend: ". */
        if (!strncmp(trend_error, "trend: ", 7))
            trend_error += 7;
        printf("  not computed: %s\n", trend_error);
        return;
    }
    /* Wald interval of b, carried to the rate ratios. */
    double blo = tr->b - Z975 * tr->se_b, bhi = tr->b + Z975 * tr->se_b;
    printf("  over %zu months: rate ratio %.4g per month (95%% CI %.4g to %.4g),\n"
           "  %.4g per year (95%% CI %.4g to %.4g); z = %.3g, p = %.3g\n",
           tr->periods, tr->rate_ratio, exp(blo), exp(bhi), exp(12 * tr->b), exp(12 * blo),
           exp(12 * bhi), tr->z, tr->p);
    if (tr->p < TREND_ALPHA && tr->rate_ratio > 0.5 && tr->rate_ratio < 2)
        printf("  reading: %s, by about %.1f%% a month (p < %g)\n",
               tr->b > 0 ? "rising" : "falling", 100 * fabs(tr->rate_ratio - 1), TREND_ALPHA);
    else if (tr->p < TREND_ALPHA)
        printf("  reading: %s, the monthly count %s by about %.3g a month (p < %g)\n",
               tr->b > 0 ? "rising" : "falling", tr->b > 0 ? "multiplies" : "divides",
               tr->b > 0 ? tr->rate_ratio : 1 / tr->rate_ratio, TREND_ALPHA);
    else
        printf("  reading: no evidence of a trend over these months (p = %.3g)\n", tr->p);
    printf("  note: the first and last months count as whole months (the records run\n"
           "  from %s to %s); the trend ignores seasons: over less than\n"
           "  two years a seasonal swing can look like a trend.\n",
           date_text(a, sizeof a, tmin), date_text(b, sizeof b, tmax));
}

static void print_json(struct ag_buf *o, const struct inc_sel *s,
                       const struct ag_incidents_profile *p, int64_t tmin, int64_t tmax,
                       const struct ag_incidents_trend *tr, const char *trend_error)
{
    char a[32], b[32];
    inc_json_head(o, s, "profile");
    ag_buf_printf(o, ",\"first_date\":\"%s\",\"last_date\":\"%s\"", date_text(a, sizeof a, tmin),
                  date_text(b, sizeof b, tmax));
    ag_buf_printf(o, ",\"with_time\":%llu,\"no_time\":%llu,\"weekdays\":[",
                  (unsigned long long)(p->n - p->no_time), (unsigned long long)p->no_time);
    for (int d = 0; d < 7; d++)
        ag_buf_printf(o, "%s\"%s\"", d ? "," : "", WEEKDAY[d]);
    /* hour_weekday[d][h]: weekday d (Monday 0) and hour h, records with a
     * time of day; weekday: every record; hour: records with a time. */
    ag_buf_puts(o, "],\"hour_weekday\":[");
    for (int d = 0; d < 7; d++) {
        ag_buf_puts(o, d ? "," : "");
        json_u64_array(o, p->hour_weekday[d], 24);
    }
    ag_buf_puts(o, "],\"weekday\":");
    json_u64_array(o, p->weekday, 7);
    ag_buf_puts(o, ",\"hour\":");
    json_u64_array(o, p->hour, 24);
    ag_buf_puts(o, ",\"monthly\":[");
    for (size_t i = 0; i < p->nmonths; i++) {
        int y, m;
        month_of(p, i, &y, &m);
        ag_buf_printf(o, "%s{\"month\":\"%04d-%02d\",\"count\":%llu}", i ? "," : "", y, m,
                      (unsigned long long)p->monthly[i]);
    }
    ag_buf_puts(o, "],\"trend\":");
    if (tr) {
        ag_buf_printf(o, "{\"periods\":%zu,\"period\":\"month\",\"a\":", tr->periods);
        json_num(o, tr->a);
        ag_buf_puts(o, ",\"b\":");
        json_num(o, tr->b);
        ag_buf_puts(o, ",\"se_b\":");
        json_num(o, tr->se_b);
        ag_buf_puts(o, ",\"z\":");
        json_num(o, tr->z);
        ag_buf_puts(o, ",\"p\":");
        json_num(o, tr->p);
        ag_buf_puts(o, ",\"rate_ratio_month\":");
        json_num(o, tr->rate_ratio);
        ag_buf_puts(o, ",\"rate_ratio_year\":");
        json_num(o, exp(12 * tr->b));
        ag_buf_puts(o, "},\"trend_error\":null}\n");
    } else {
        ag_buf_puts(o, "null,\"trend_error\":");
        ag_buf_put_json_str(o, trend_error);
        ag_buf_puts(o, "}\n");
    }
}

int inc_cmd_profile(int argc, char **argv)
{
    bool json = false, csv = false;
    struct inc_sel_opts so = {0};
    const struct cli_opt opts[] = {
        {"--json", NULL, &json}, {"--csv", NULL, &csv}, INC_SEL_CLI_OPTS(so), {NULL, NULL, NULL}};
    const char *pos[1];
    int npos, code;
    if (tool_parse(argc, argv, opts, pos, 0, &npos, HELP, &code))
        return code;
    int fmt = inc_format(json, false, csv, 1u << INC_TEXT | 1u << INC_JSON | 1u << INC_CSV, CMD);
    if (fmt < 0)
        return EXIT_USAGE;

    struct ag_error err = {0};
    struct inc_sel s;
    int rc = inc_select(&so, true, 1, &s, &err);
    if (rc)
        return tool_fail(&err);

    int64_t *t = malloc(s.n * sizeof *t);
    bool *has_time = malloc(s.n * sizeof *has_time);
    double *y = NULL;
    struct ag_incidents_profile p = {0};
    int64_t tmin = INT64_MAX, tmax = INT64_MIN;
    if (!t || !has_time)
        rc = ag_error_set(&err, AG_ENOMEM, "out of memory");
    for (size_t i = 0; t && has_time && i < s.n; i++) {
        const struct ag_incident *r = &AG_VEC_AT(&s.rows, struct ag_incident, i);
        t[i] = r->t;
        has_time[i] = r->has_time;
        tmin = r->t < tmin ? r->t : tmin;
        tmax = r->t > tmax ? r->t : tmax;
    }
    if (!rc)
        rc = ag_incidents_profile(t, has_time, s.n, &p, &err);

    /* A trend that cannot be fitted (one month, counts only at one end) is
     * reported with its reason, not as a failure of the command. */
    struct ag_incidents_trend tr;
    struct ag_error terr = {0};
    bool have_trend = false;
    if (!rc) {
        y = malloc(p.nmonths * sizeof *y);
        if (!y)
            rc = ag_error_set(&err, AG_ENOMEM, "out of memory");
        for (size_t i = 0; y && i < p.nmonths; i++)
            y[i] = (double)p.monthly[i];
        if (!rc && p.nmonths < 2)
            ag_error_set(&terr, AG_EINVAL,
                         "the incidents fall in a single month; a trend needs "
                         "at least two");
        else if (!rc)
            have_trend = !ag_incidents_trend(y, p.nmonths, &tr, &terr);
    }

    if (!rc && fmt == INC_TEXT) {
        print_text(&s, &p, tmin, tmax, have_trend ? &tr : NULL, terr.msg);
        if (fflush(stdout))
            rc = ag_error_set(&err, AG_EIO, "cannot write to standard output");
    } else if (!rc) {
        struct ag_buf o;
        ag_buf_init(&o, (size_t)64 << 20);
        if (fmt == INC_CSV) {
            ag_buf_puts(&o, "month,count\n");
            for (size_t i = 0; i < p.nmonths; i++) {
                int yy, mm;
                month_of(&p, i, &yy, &mm);
                ag_buf_printf(&o, "%04d-%02d,%llu\n", yy, mm, (unsigned long long)p.monthly[i]);
            }
        } else {
            print_json(&o, &s, &p, tmin, tmax, have_trend ? &tr : NULL, terr.msg);
        }
        rc = inc_emit(&o, &err);
    }
    ag_incidents_profile_free(&p);
    free(y);
    free(t);
    free(has_time);
    inc_sel_free(&s);
    return rc ? tool_fail(&err) : EXIT_OK;
}
