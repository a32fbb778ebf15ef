/* agora incidents knox: space-time interaction. The Knox 2 x 2 test and the
 * near-repeat tables of Ratcliffe's Near Repeat Calculator, both on the
 * selection's plane (docs/methodology.md, section 12).
 * SPDX-License-Identifier: EUPL-1.2 */
#include "incidents_cli.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char HELP[] =
    "Usage: agora incidents knox --delta M --tau DAYS [OPTIONS]\n"
    "       agora incidents knox --band M --bands N --tband DAYS --tbands N [--same M] [--nrc]\n"
    "                            [OPTIONS]\n"
    "\n"
    "Do incidents follow one another nearby, soon after, more often than chance\n"
    "would have it? Every pair of incidents is classed by its distance and its\n"
    "time lag; the counts are compared with those obtained when the times are\n"
    "shuffled among the incidents (the places stay, so only the link between\n"
    "where and when is tested). Distances are in metres in the set's plane.\n"
    "\n"
    "Knox test (--delta and --tau): a pair is close in space when its distance\n"
    "is at most M metres, close in time when its lag is at most DAYS days (both\n"
    "limits inclusive). Prints the 2 x 2 table, the expected number of pairs\n"
    "close in both, a Poisson p-value (the chance of strictly more, as pysal's\n"
    "pointpats) and the Monte-Carlo p-value.\n"
    "\n"
    "Near-repeat table (--band, --bands, --tband, --tbands), as the Near Repeat\n"
    "Calculator: rows \"same location\", N bands of M metres and beyond, columns\n"
    "N bands of DAYS days and beyond; per cell the observed pairs, the expected\n"
    "ones (mean over the shuffles), the Knox ratio observed / expected and the\n"
    "Monte-Carlo p-value. Bands include their upper limit: \">100 to 200 m\" is\n"
    "more than 100 m and at most 200 m; the first time band is \"0 to 7 days\",\n"
    "lags from 0 to 7 days inclusive.\n"
    "\n"
    "  --delta M        Knox: close in space when the distance is <= M metres\n"
    "  --tau DAYS       Knox: close in time when the lag is <= DAYS days\n"
    "  --band M         near repeat: width of the spatial bands in metres\n"
    "  --bands N        near repeat: number of spatial bands (1 to 1000)\n"
    "  --tband DAYS     near repeat: width of the temporal bands in days\n"
    "  --tbands N       near repeat: number of temporal bands (1 to 1000)\n"
    "  --same M         near repeat: \"same location\" is a distance <= M metres\n"
    "                   (default 0; then the first band starts above M)\n"
    "  --nrc            near repeat: reproduce the Near Repeat Calculator 1.3\n"
    "                   exactly: coordinates rounded to 32-bit floats, same\n"
    "                   location only at exactly 0 m, bands [a, b) (\"100 to\n"
    "                   <200 m\"), times in whole days and temporal bands of\n"
    "                   whole days (the NRC's \"0 to 7 days\" is 0 to 6 days);\n"
    "                   --tband must be a whole number\n"
    "  --metric M       euclidean (default) or manhattan distance\n"
    "  --perm N         shuffles of the times (default 999; 0: no Monte Carlo)\n"
    "  --seed S         seed of the shuffles (default 1): the same seed gives the\n"
    "                   same p-values\n"
    "  --json           everything as JSON (parameters and tables)\n"
    "  --csv            one line per cell: row_label,col_label,observed,expected,\n"
    "                   knox_ratio,p_value (Knox test: the four cells of the 2 x 2\n"
    "                   table, expected = row total x column total / pairs, which\n"
    "                   is also the mean under shuffling; p_value only for the\n"
    "                   cell close in space and time). Empty fields: undefined\n" INC_SEL_HELP "\n"
    "Method and sources: docs/methodology.md, \"Knox test\" and \"Near-repeat tables\".\n";

#define CMD "incidents knox"

/* Permutation p-values are exact-level tests: p <= alpha rejects with
 * probability alpha under the null. */
#define KNOX_ALPHA 0.05

static void json_num(struct ag_buf *b, double v)
{
    if (isfinite(v))
        ag_buf_printf(b, "%.17g", v);
    else
        ag_buf_puts(b, "null");
}

static void csv_num(struct ag_buf *b, double v)
{
    if (isfinite(v))
        ag_buf_printf(b, "%.17g", v);
}

/* A non-negative number option ("--delta 0" is a legitimate choice: the
 * same place). */
static int opt_nonneg(const char *opt, const char *text, double *out)
{
    double v;
    if (!ag_parse_double(text, &v) || !isfinite(v) || v < 0) {
        tool_usage("%s: %s: expected a number >= 0, not \"%s\"", CMD, opt, text);
        return -1;
    }
    *out = v;
    return 0;
}

static const char *metric_name(enum ag_incidents_metric m)
{
    return m == AG_INCIDENTS_MANHATTAN ? "manhattan" : "euclidean";
}

/* ---- the Knox 2 x 2 test ---- */

static const char *const KNOX_ROWS[2] = {"close in space", "not close in space"};
static const char *const KNOX_COLS[2] = {"close in time", "not close in time"};

static void knox_text(const struct inc_sel *s, const struct ag_incidents_knox_params *p,
                      const struct ag_incidents_knox *k)
{
    char a[64], b[64], c[64], d[64];
    printf("Knox test of space-time interaction: %s, %zu incidents, %s pairs\n", s->what, s->n,
           tool_num(a, sizeof a, (double)k->pairs, 0));
    printf("  close in space: %s distance <= %.10g m (in %s)\n", metric_name(p->metric), p->delta_m,
           s->set.plane);
    printf("  close in time:  lag <= %.10g days\n", p->tau_days);
    printf("  both limits inclusive\n\n");
    uint64_t rowtot[2] = {k->table[0][0] + k->table[0][1], k->table[1][0] + k->table[1][1]};
    uint64_t coltot[2] = {k->table[0][0] + k->table[1][0], k->table[0][1] + k->table[1][1]};
    printf("  %-20s %15s %19s %14s\n", "", KNOX_COLS[0], KNOX_COLS[1], "total");
    for (int r = 0; r < 2; r++)
        printf("  %-20s %15s %19s %14s\n", KNOX_ROWS[r],
               tool_num(a, sizeof a, (double)k->table[r][0], 0),
               tool_num(b, sizeof b, (double)k->table[r][1], 0),
               tool_num(c, sizeof c, (double)rowtot[r], 0));
    printf("  %-20s %15s %19s %14s\n\n", "total", tool_num(a, sizeof a, (double)coltot[0], 0),
           tool_num(b, sizeof b, (double)coltot[1], 0), tool_num(c, sizeof c, (double)k->pairs, 0));

    printf("  pairs N = %s, close in space N_s = %s, close in time N_t = %s\n",
           tool_num(a, sizeof a, (double)k->pairs, 0), tool_num(b, sizeof b, (double)k->n_space, 0),
           tool_num(c, sizeof c, (double)k->n_time, 0));
    printf("  close in space and time: %s observed, %s expected if where and when were\n"
           "    independent (N_s x N_t / N), ratio %s\n",
           tool_num(a, sizeof a, (double)k->table[0][0], 0), tool_num(b, sizeof b, k->expected, 2),
           tool_num(d, sizeof d, k->expected > 0 ? (double)k->table[0][0] / k->expected : NAN, 2));
    printf("  p (Poisson, chance of more than %llu): %.3g\n", (unsigned long long)k->table[0][0],
           k->p_poisson);
    if (k->nperm)
        printf("  p (Monte Carlo, %u shuffles of the times, seed %llu): %.3g (mean of the\n"
               "    shuffles %s)\n",
               k->nperm, (unsigned long long)p->seed, k->p_perm,
               tool_num(a, sizeof a, k->sim_mean, 2));
    else
        printf("  p (Monte Carlo): not computed (--perm 0)\n");

    bool excess = (double)k->table[0][0] > k->expected;
    double pv = k->nperm ? k->p_perm : k->p_poisson;
    printf("\n  reading: ");
    if (excess && pv <= KNOX_ALPHA)
        printf("more pairs close in both space and time than chance gives (%s p <= %g):\n"
               "    incidents tend to follow one another within %.10g m and %.10g days.\n",
               k->nperm ? "Monte Carlo" : "Poisson", KNOX_ALPHA, p->delta_m, p->tau_days);
    else
        printf("no evidence of space-time interaction at these limits\n"
               "    (%s p = %.3g).\n",
               k->nperm ? "Monte Carlo" : "Poisson", pv);
    if (!k->nperm)
        printf("  note: the Poisson p-value errs on the side of significance; prefer the\n"
               "    Monte Carlo one (--perm 999).\n");
}

static void knox_json(struct ag_buf *o, const struct inc_sel *s,
                      const struct ag_incidents_knox_params *p, const struct ag_incidents_knox *k)
{
    inc_json_head(o, s, "knox");
    ag_buf_puts(o, ",\"parameters\":{\"delta_m\":");
    json_num(o, p->delta_m);
    ag_buf_puts(o, ",\"tau_days\":");
    json_num(o, p->tau_days);
    ag_buf_printf(o, ",\"inclusive\":true,\"metric\":\"%s\",\"perm\":%u,\"seed\":%llu}",
                  metric_name(p->metric), p->nperm, (unsigned long long)p->seed);
    ag_buf_printf(o,
                  ",\"table\":[[%llu,%llu],[%llu,%llu]],\"table_rows\":[\"%s\",\"%s\"],"
                  "\"table_cols\":[\"%s\",\"%s\"],\"pairs\":%llu,\"n_space\":%llu,"
                  "\"n_time\":%llu,\"observed\":%llu,\"expected\":",
                  (unsigned long long)k->table[0][0], (unsigned long long)k->table[0][1],
                  (unsigned long long)k->table[1][0], (unsigned long long)k->table[1][1],
                  KNOX_ROWS[0], KNOX_ROWS[1], KNOX_COLS[0], KNOX_COLS[1],
                  (unsigned long long)k->pairs, (unsigned long long)k->n_space,
                  (unsigned long long)k->n_time, (unsigned long long)k->table[0][0]);
    json_num(o, k->expected);
    ag_buf_puts(o, ",\"ratio\":");
    json_num(o, k->expected > 0 ? (double)k->table[0][0] / k->expected : NAN);
    ag_buf_puts(o, ",\"p_poisson\":");
    json_num(o, k->p_poisson);
    ag_buf_printf(o, ",\"nperm\":%u,\"sim_mean\":", k->nperm);
    json_num(o, k->nperm ? k->sim_mean : NAN);
    ag_buf_puts(o, ",\"p_perm\":");
    json_num(o, k->nperm ? k->p_perm : NAN);
    ag_buf_puts(o, "}\n");
}

static void knox_csv(struct ag_buf *o, const struct ag_incidents_knox *k)
{
    ag_buf_puts(o, "row_label,col_label,observed,expected,knox_ratio,p_value\n");
    const double rowtot[2] = {(double)(k->table[0][0] + k->table[0][1]),
                              (double)(k->table[1][0] + k->table[1][1])};
    const double coltot[2] = {(double)(k->table[0][0] + k->table[1][0]),
                              (double)(k->table[0][1] + k->table[1][1])};
    for (int r = 0; r < 2; r++)
        for (int c = 0; c < 2; c++) {
            /* Cell [0][0] takes the library's value so that both outputs
             * agree to the last bit. */
            double e = r == 0 && c == 0 ? k->expected : rowtot[r] * coltot[c] / (double)k->pairs;
            ag_buf_printf(o, "%s,%s,%llu,", KNOX_ROWS[r], KNOX_COLS[c],
                          (unsigned long long)k->table[r][c]);
            csv_num(o, e);
            ag_buf_puts(o, ",");
            csv_num(o, e > 0 ? (double)k->table[r][c] / e : NAN);
            ag_buf_puts(o, ",");
            if (r == 0 && c == 0 && k->nperm)
                csv_num(o, k->p_perm);
            ag_buf_puts(o, "\n");
        }
}

/* ---- the near-repeat table ---- */

/* What the interval of a row or column is, for labels and JSON. */
struct nr_interval {
    char label[96];
    double min, max; /* max NaN: unbounded */
    bool min_incl, max_incl;
};

static struct nr_interval nr_row(const struct ag_incidents_nr_params *p, unsigned r)
{
    struct nr_interval out, *iv = &out;
    unsigned nb = p->n_bands;
    if (r == 0) {
        iv->min = 0;
        iv->max = p->nrc_exact ? 0 : p->same_m;
        iv->min_incl = iv->max_incl = true;
        if (iv->max > 0)
            snprintf(iv->label, sizeof iv->label, "same location (0 to %.10g m)", iv->max);
        else
            snprintf(iv->label, sizeof iv->label, "same location");
        return out;
    }
    if (r == nb + 1) {
        iv->min = (double)nb * p->band_m;
        iv->max = NAN;
        iv->min_incl = p->nrc_exact;
        iv->max_incl = false;
        snprintf(iv->label, sizeof iv->label, p->nrc_exact ? "%.10g m or more" : "over %.10g m",
                 iv->min);
        return out;
    }
    iv->min = r == 1 ? (p->nrc_exact ? 0 : p->same_m) : (double)(r - 1) * p->band_m;
    iv->max = (double)r * p->band_m;
    if (p->nrc_exact) {
        /* [a, b) without 0: the first band is (0, b). */
        iv->min_incl = r > 1;
        iv->max_incl = false;
        snprintf(iv->label, sizeof iv->label, "%s%.10g to <%.10g m", r == 1 ? ">" : "", iv->min,
                 iv->max);
    } else {
        iv->min_incl = false;
        iv->max_incl = true;
        snprintf(iv->label, sizeof iv->label, ">%.10g to %.10g m", iv->min, iv->max);
    }
    return out;
}

static struct nr_interval nr_col(const struct ag_incidents_nr_params *p, unsigned c)
{
    struct nr_interval out, *iv = &out;
    unsigned nt = p->n_tbands;
    if (c == nt) {
        iv->min = (double)nt * p->band_days;
        iv->max = NAN;
        iv->min_incl = p->nrc_exact;
        iv->max_incl = false;
        snprintf(iv->label, sizeof iv->label,
                 p->nrc_exact ? "%.10g days or more" : "over %.10g days", iv->min);
        return out;
    }
    iv->min = (double)c * p->band_days;
    iv->max = (double)(c + 1) * p->band_days;
    if (p->nrc_exact) {
        /* Whole days [a, b): the lags a .. b - 1. */
        iv->min_incl = true;
        iv->max_incl = false;
        if (iv->max - 1 == iv->min)
            snprintf(iv->label, sizeof iv->label, "%.10g days", iv->min);
        else
            snprintf(iv->label, sizeof iv->label, "%.10g to %.10g days", iv->min, iv->max - 1);
    } else {
        iv->min_incl = c == 0;
        iv->max_incl = true;
        snprintf(iv->label, sizeof iv->label, "%s%.10g to %.10g days", c ? ">" : "", iv->min,
                 iv->max);
    }
    return out;
}

static void json_interval(struct ag_buf *o, const struct nr_interval *iv, const char *unit)
{
    ag_buf_puts(o, "{\"label\":");
    ag_buf_put_json_str(o, iv->label);
    ag_buf_printf(o, ",\"min_%s\":", unit);
    json_num(o, iv->min);
    ag_buf_printf(o, ",\"min_inclusive\":%s,\"max_%s\":", iv->min_incl ? "true" : "false", unit);
    json_num(o, iv->max);
    ag_buf_printf(o, ",\"max_inclusive\":%s}", iv->max_incl ? "true" : "false");
}

/* One table of the text output: cell(r, c) formatted into buf. */
typedef const char *(*nr_cell_fn)(const struct ag_incidents_nr *t, size_t i, char *buf, size_t len);

static const char *cell_observed(const struct ag_incidents_nr *t, size_t i, char *buf, size_t len)
{
    return tool_num(buf, len, (double)t->observed[i], 0);
}

static const char *cell_expected(const struct ag_incidents_nr *t, size_t i, char *buf, size_t len)
{
    return tool_num(buf, len, t->expected[i], 1);
}

static const char *cell_ratio(const struct ag_incidents_nr *t, size_t i, char *buf, size_t len)
{
    return tool_num(buf, len, t->knox_ratio[i], 2);
}

static const char *cell_p(const struct ag_incidents_nr *t, size_t i, char *buf, size_t len)
{
    if (!isfinite(t->p_value[i]))
        snprintf(buf, len, "-");
    else
        snprintf(buf, len, "%.3g", t->p_value[i]);
    return buf;
}

/* Widest of a column's label and cells. */
static int nr_col_width(const struct ag_incidents_nr *t, const struct ag_incidents_nr_params *p,
                        unsigned c, nr_cell_fn cell)
{
    char buf[64];
    int w = (int)strlen(nr_col(p, c).label);
    for (unsigned r = 0; r < t->rows; r++) {
        int l = (int)strlen(cell(t, (size_t)r * t->cols + c, buf, sizeof buf));
        w = l > w ? l : w;
    }
    return w;
}

static void nr_text_table(const struct ag_incidents_nr *t, const struct ag_incidents_nr_params *p,
                          const char *title, nr_cell_fn cell)
{
    int lw = 8;
    for (unsigned r = 0; r < t->rows; r++) {
        int l = (int)strlen(nr_row(p, r).label);
        lw = l > lw ? l : lw;
    }
    char buf[64];
    printf("%s\n  %-*s", title, lw, "");
    for (unsigned c = 0; c < t->cols; c++)
        printf("  %*s", nr_col_width(t, p, c, cell), nr_col(p, c).label);
    printf("\n");
    for (unsigned r = 0; r < t->rows; r++) {
        printf("  %-*s", lw, nr_row(p, r).label);
        for (unsigned c = 0; c < t->cols; c++)
            printf("  %*s", nr_col_width(t, p, c, cell),
                   cell(t, (size_t)r * t->cols + c, buf, sizeof buf));
        printf("\n");
    }
    printf("\n");
}

static void nr_text(const struct inc_sel *s, const struct ag_incidents_nr_params *p,
                    const struct ag_incidents_nr *t)
{
    char a[64];
    printf("Near-repeat table: %s, %zu incidents, %s pairs\n", s->what, s->n,
           tool_num(a, sizeof a, (double)t->pairs, 0));
    printf("  %u bands of %.10g m (%s distance, in %s), %u bands of %.10g days\n", p->n_bands,
           p->band_m, metric_name(p->metric), s->set.plane, p->n_tbands, p->band_days);
    if (p->nrc_exact)
        printf(
            "  NRC mode, as the Near Repeat Calculator 1.3: coordinates rounded to 32-bit\n"
            "  floats, \"same location\" exactly 0 m, a band includes its lower limit and not\n"
            "  its upper one (\"100 to <200 m\"), lags in whole days (the NRC's \"0 to 7 days\"\n"
            "  is \"0 to 6 days\" here)\n");
    else
        printf("  a band includes its upper limit and not its lower one: \">100 to 200 m\" is\n"
               "  more than 100 m and at most 200 m; \"0 to 7 days\" includes 0 and 7 days\n");
    if (t->nperm)
        printf("  expected: mean over %u shuffles of the times (seed %llu)\n", t->nperm,
               (unsigned long long)p->seed);
    else
        printf("  no shuffles (--perm 0): observed pairs only\n");
    printf("\n");
    nr_text_table(t, p, "Observed pairs", cell_observed);
    if (!t->nperm)
        return;
    nr_text_table(t, p, "Expected pairs (mean of the shuffles)", cell_expected);
    nr_text_table(t, p, "Knox ratio (observed / expected)", cell_ratio);
    nr_text_table(t, p, "p-value (Monte Carlo: share of shuffles with as many pairs)", cell_p);

    /* The reading the Near Repeat Calculator's summary gives: the cells
     * with significantly more pairs than chance, where the risk is raised. */
    printf("Reading: near cells with more pairs than chance (p <= %g):\n", KNOX_ALPHA);
    unsigned found = 0;
    /* The last row and column (beyond the bands) are what a near repeat is
     * measured against, not near repeats. */
    for (unsigned r = 0; r + 1 < t->rows; r++)
        for (unsigned c = 0; c + 1 < t->cols; c++) {
            size_t i = (size_t)r * t->cols + c;
            if (t->p_value[i] <= KNOX_ALPHA && t->knox_ratio[i] > 1) {
                struct nr_interval row = nr_row(p, r), col = nr_col(p, c);
                printf("  %s, %s: %s times the expected pairs (p = %.3g)\n", row.label, col.label,
                       tool_num(a, sizeof a, t->knox_ratio[i], 2), t->p_value[i]);
                found++;
            }
        }
    if (!found)
        printf("  none: no evidence of repeat or near-repeat victimisation at these bands\n");
    else
        printf("  After an incident, the places in these distance bands run a raised risk\n"
               "  during these intervals.\n");
}

static void json_table_u64(struct ag_buf *o, const struct ag_incidents_nr *t, const uint64_t *v)
{
    ag_buf_puts(o, "[");
    for (unsigned r = 0; r < t->rows; r++) {
        ag_buf_puts(o, r ? ",[" : "[");
        for (unsigned c = 0; c < t->cols; c++)
            ag_buf_printf(o, "%s%llu", c ? "," : "",
                          (unsigned long long)v[(size_t)r * t->cols + c]);
        ag_buf_puts(o, "]");
    }
    ag_buf_puts(o, "]");
}

static void json_table_dbl(struct ag_buf *o, const struct ag_incidents_nr *t, const double *v)
{
    ag_buf_puts(o, "[");
    for (unsigned r = 0; r < t->rows; r++) {
        ag_buf_puts(o, r ? ",[" : "[");
        for (unsigned c = 0; c < t->cols; c++) {
            ag_buf_puts(o, c ? "," : "");
            json_num(o, v[(size_t)r * t->cols + c]);
        }
        ag_buf_puts(o, "]");
    }
    ag_buf_puts(o, "]");
}

static void nr_json(struct ag_buf *o, const struct inc_sel *s,
                    const struct ag_incidents_nr_params *p, const struct ag_incidents_nr *t)
{
    inc_json_head(o, s, "near_repeat");
    ag_buf_printf(o, ",\"parameters\":{\"metric\":\"%s\",\"band_m\":", metric_name(p->metric));
    json_num(o, p->band_m);
    ag_buf_printf(o, ",\"bands\":%u,\"band_days\":", p->n_bands);
    json_num(o, p->band_days);
    ag_buf_printf(o, ",\"tbands\":%u,\"same_m\":", p->n_tbands);
    json_num(o, p->nrc_exact ? 0 : p->same_m);
    ag_buf_printf(o, ",\"nrc\":%s,\"perm\":%u,\"seed\":%llu}", p->nrc_exact ? "true" : "false",
                  p->nperm, (unsigned long long)p->seed);
    ag_buf_printf(o, ",\"pairs\":%llu,\"nperm\":%u,\"rows\":[", (unsigned long long)t->pairs,
                  t->nperm);
    for (unsigned r = 0; r < t->rows; r++) {
        ag_buf_puts(o, r ? "," : "");
        struct nr_interval iv = nr_row(p, r);
        json_interval(o, &iv, "m");
    }
    ag_buf_puts(o, "],\"cols\":[");
    for (unsigned c = 0; c < t->cols; c++) {
        ag_buf_puts(o, c ? "," : "");
        struct nr_interval iv = nr_col(p, c);
        json_interval(o, &iv, "days");
    }
    ag_buf_puts(o, "],\"observed\":");
    json_table_u64(o, t, t->observed);
    ag_buf_puts(o, ",\"expected\":");
    json_table_dbl(o, t, t->expected);
    ag_buf_puts(o, ",\"knox_ratio\":");
    json_table_dbl(o, t, t->knox_ratio);
    ag_buf_puts(o, ",\"p_value\":");
    json_table_dbl(o, t, t->p_value);
    ag_buf_puts(o, "}\n");
}

/* Labels are ours (digits, letters, spaces, '<', '>', '.', '(', ')'): no
 * field needs quoting. */
static void nr_csv(struct ag_buf *o, const struct ag_incidents_nr_params *p,
                   const struct ag_incidents_nr *t)
{
    ag_buf_puts(o, "row_label,col_label,observed,expected,knox_ratio,p_value\n");
    for (unsigned r = 0; r < t->rows; r++)
        for (unsigned c = 0; c < t->cols; c++) {
            size_t i = (size_t)r * t->cols + c;
            ag_buf_printf(o, "%s,%s,%llu,", nr_row(p, r).label, nr_col(p, c).label,
                          (unsigned long long)t->observed[i]);
            csv_num(o, t->expected[i]);
            ag_buf_puts(o, ",");
            csv_num(o, t->knox_ratio[i]);
            ag_buf_puts(o, ",");
            csv_num(o, t->p_value[i]);
            ag_buf_puts(o, "\n");
        }
}

/* ---- the command ---- */

int inc_cmd_knox(int argc, char **argv)
{
    const char *delta = NULL, *tau = NULL, *band = NULL, *bands = NULL, *tband = NULL,
               *tbands = NULL, *same = NULL, *metric = NULL, *perm = NULL, *seed = NULL;
    bool nrc = false, json = false, csv = false;
    struct inc_sel_opts so = {0};
    const struct cli_opt opts[] = {
        {"--delta", &delta, NULL}, {"--tau", &tau, NULL},     {"--band", &band, NULL},
        {"--bands", &bands, NULL}, {"--tband", &tband, NULL}, {"--tbands", &tbands, NULL},
        {"--same", &same, NULL},   {"--nrc", NULL, &nrc},     {"--metric", &metric, NULL},
        {"--perm", &perm, NULL},   {"--seed", &seed, NULL},   {"--json", NULL, &json},
        {"--csv", NULL, &csv},     INC_SEL_CLI_OPTS(so),      {NULL, NULL, NULL}};
    const char *pos[1];
    int npos, code;
    if (tool_parse(argc, argv, opts, pos, 0, &npos, HELP, &code))
        return code;
    int fmt = inc_format(json, false, csv, 1u << INC_TEXT | 1u << INC_JSON | 1u << INC_CSV, CMD);
    if (fmt < 0)
        return EXIT_USAGE;

    bool knox_mode = delta || tau;
    bool nr_mode = band || bands || tband || tbands || same || nrc;
    if (knox_mode && nr_mode)
        return tool_usage("%s: choose either the Knox test (--delta, --tau) or the near-repeat "
                          "table (--band, --bands, --tband, --tbands, --same, --nrc), not both",
                          CMD);
    if (!knox_mode && !nr_mode)
        return tool_usage("%s: give --delta M --tau DAYS (Knox test) or --band M --bands N "
                          "--tband DAYS --tbands N (near-repeat table); see agora %s --help",
                          CMD, CMD);
    if (knox_mode && (!delta || !tau))
        return tool_usage("%s: the Knox test needs both --delta M and --tau DAYS", CMD);
    if (nr_mode && (!band || !bands || !tband || !tbands))
        return tool_usage("%s: the near-repeat table needs --band M, --bands N, --tband DAYS "
                          "and --tbands N (missing:%s%s%s%s)",
                          CMD, band ? "" : " --band", bands ? "" : " --bands",
                          tband ? "" : " --tband", tbands ? "" : " --tbands");
    if (nrc && same)
        return tool_usage("%s: --same is not available with --nrc (the Near Repeat Calculator's "
                          "same location is exactly 0 m)",
                          CMD);

    enum ag_incidents_metric m = AG_INCIDENTS_EUCLIDEAN;
    if (metric && !strcmp(metric, "manhattan"))
        m = AG_INCIDENTS_MANHATTAN;
    else if (metric && strcmp(metric, "euclidean"))
        return tool_usage("%s: --metric: expected euclidean or manhattan, not \"%s\"", CMD, metric);
    unsigned nperm = AG_INCIDENTS_NPERM_DEFAULT;
    uint64_t sd = 1;
    if (perm && inc_opt_uint(CMD, "--perm", perm, 0, AG_INCIDENTS_NPERM_MAX, &nperm))
        return EXIT_USAGE;
    if (seed && inc_opt_u64(CMD, "--seed", seed, &sd))
        return EXIT_USAGE;

    struct ag_incidents_knox_params kp = {.metric = m, .nperm = nperm, .seed = sd};
    struct ag_incidents_nr_params np = {.metric = m, .nrc_exact = nrc, .nperm = nperm, .seed = sd};
    if (knox_mode) {
        if (opt_nonneg("--delta", delta, &kp.delta_m) || opt_nonneg("--tau", tau, &kp.tau_days))
            return EXIT_USAGE;
    } else {
        if (inc_opt_double(CMD, "--band", band, 0, &np.band_m) ||
            inc_opt_uint(CMD, "--bands", bands, 1, 1000, &np.n_bands) ||
            inc_opt_double(CMD, "--tband", tband, 0, &np.band_days) ||
            inc_opt_uint(CMD, "--tbands", tbands, 1, 1000, &np.n_tbands) ||
            (same && opt_nonneg("--same", same, &np.same_m)))
            return EXIT_USAGE;
        if (np.same_m >= np.band_m)
            return tool_usage("%s: --same (%.10g m) must be smaller than --band (%.10g m)", CMD,
                              np.same_m, np.band_m);
        if (nrc && np.band_days != floor(np.band_days))
            return tool_usage("%s: --nrc counts whole days: --tband must be a whole number, not "
                              "%s",
                              CMD, tband);
    }

    struct ag_error err = {0};
    struct inc_sel s;
    struct ag_incidents_knox k = {0};
    struct ag_incidents_nr t = {0};
    int rc = inc_select(&so, true, 2, &s, &err);
    if (rc)
        return tool_fail(&err);

    /* The library has no progress callback: a label while it works. */
    char label[96];
    if (nperm)
        snprintf(label, sizeof label, "%s, %u shuffles of the times",
                 knox_mode ? "Knox test" : "near-repeat table", nperm);
    else
        snprintf(label, sizeof label, "%s, counting pairs",
                 knox_mode ? "Knox test" : "near-repeat table");
    struct ag_progress prog;
    ag_progress_start(&prog, label, 0);
    if (knox_mode)
        rc = ag_incidents_knox(s.xy, s.t_days, s.n, &kp, &k, &err);
    else
        rc = ag_incidents_near_repeat(s.xy, s.t_days, s.n, &np, &t, &err);
    ag_progress_end(&prog);

    if (!rc && fmt == INC_TEXT) {
        if (knox_mode)
            knox_text(&s, &kp, &k);
        else
            nr_text(&s, &np, &t);
        if (fflush(stdout))
            rc = ag_error_set(&err, AG_EIO, "cannot write to standard output");
    } else if (!rc) {
        struct ag_buf o;
        ag_buf_init(&o, (size_t)256 << 20);
        if (knox_mode && fmt == INC_JSON)
            knox_json(&o, &s, &kp, &k);
        else if (knox_mode)
            knox_csv(&o, &k);
        else if (fmt == INC_JSON)
            nr_json(&o, &s, &np, &t);
        else
            nr_csv(&o, &np, &t);
        rc = inc_emit(&o, &err);
    }
    ag_incidents_nr_free(&t);
    inc_sel_free(&s);
    return rc ? tool_fail(&err) : EXIT_OK;
}
