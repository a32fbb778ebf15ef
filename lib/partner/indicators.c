/* Urban indicators and funding instruments: the definitions (data files),
 * a city's values read from CSV, and the comparison chart (SVG).
 * docs/internals/partnership.md; docs/methodology.md §21.
 * SPDX-License-Identifier: EUPL-1.2 */
#include "agora/indicators.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *const DIMENSIONS[] = {
    "quality_of_life", "social_cohesion",       "public_space_liveability", "sense_of_safety",
    "urban_security",  "background_conditions", "migrant_inclusion"};

bool ag_indicator_dimension_ok(const char *dimension)
{
    for (size_t i = 0; dimension && i < sizeof DIMENSIONS / sizeof DIMENSIONS[0]; i++)
        if (!strcmp(dimension, DIMENSIONS[i]))
            return true;
    return false;
}

bool ag_indicator_year_ok(long year)
{
    return year >= AG_INDICATOR_YEAR_MIN && year <= AG_INDICATOR_YEAR_MAX;
}

static bool id_ok(const char *s, size_t cap)
{
    size_t n = strlen(s);
    return n && n < cap && strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789_") == n;
}

/* A text field of at most cap-1 bytes, clean, non-empty unless empty_ok. */
static bool text_ok(const char *s, size_t cap, bool empty_ok)
{
    size_t n = strlen(s);
    return n < cap && (empty_ok || n) && ag_text_ok(s);
}

/* Reads a data file: its header must be exactly cols (ncols of them); each
 * record is handed to row (which sets err and returns non-zero to stop). */
static int read_table(const char *dir, const char *file, const char *const *cols, size_t ncols,
                      int (*row)(void *ctx, struct ag_csv *c, const char *path,
                                 struct ag_error *err),
                      void *ctx, struct ag_error *err)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/%s", dir ? dir : ag_data_dir(), file);
    struct ag_buf b;
    ag_buf_init(&b, (size_t)4 << 20);
    int rc = ag_file_read(path, &b, err);
    struct ag_csv c;
    ag_csv_init(&c, b.data ? b.data : "", b.len, path);
    int got = rc ? rc : ag_csv_next(&c, err);
    if (!rc && got <= 0)
        rc = got < 0 ? got : ag_error_set(err, AG_EPARSE, "%s: empty file", path);
    bool header = !rc && c.nfield == ncols;
    for (size_t i = 0; header && i < ncols; i++)
        header = !strcmp(c.field[i], cols[i]);
    if (!rc && !header) {
        char want[256] = "";
        for (size_t i = 0; i < ncols; i++)
            snprintf(want + strlen(want), sizeof want - strlen(want), "%s%s", i ? "," : "",
                     cols[i]);
        rc = ag_error_set(err, AG_EPARSE, "%s:1: expected the header %s", path, want);
    }
    while (!rc && (got = ag_csv_next(&c, err)) > 0) {
        if (c.nfield != ncols) {
            rc = ag_error_set(err, AG_EPARSE, "%s:%d: expected %zu fields, found %zu", path, c.line,
                              ncols, c.nfield);
            break;
        }
        rc = row(ctx, &c, path, err);
    }
    if (!rc && got < 0)
        rc = got;
    ag_csv_free(&c);
    ag_buf_free(&b);
    return rc;
}

struct ind_ctx {
    struct ag_indicator *ind;
    size_t n;
};

static int indicator_row(void *vctx, struct ag_csv *c, const char *path, struct ag_error *err)
{
    struct ind_ctx *x = vctx;
    char **f = c->field;
    struct ag_indicator d = {0};
    if (!id_ok(f[0], sizeof d.id))
        return ag_error_set(err, AG_EPARSE, "%s:%d: id: expected a-z, 0-9 and _ (at most %zu)",
                            path, c->line, sizeof d.id - 1);
    if (!ag_indicator_dimension_ok(f[1]))
        return ag_error_set(err, AG_EPARSE,
                            "%s:%d: dimension: expected quality_of_life, social_cohesion, "
                            "public_space_liveability, sense_of_safety, urban_security, "
                            "background_conditions or migrant_inclusion",
                            path, c->line);
    if (!text_ok(f[2], sizeof d.name, false))
        return ag_error_set(err, AG_EPARSE, "%s:%d: name: expected a text of 1 to %zu bytes", path,
                            c->line, sizeof d.name - 1);
    if (!text_ok(f[3], sizeof d.unit, false))
        return ag_error_set(err, AG_EPARSE, "%s:%d: unit: expected a text of 1 to %zu bytes", path,
                            c->line, sizeof d.unit - 1);
    if (strcmp(f[4], "higher") && strcmp(f[4], "lower"))
        return ag_error_set(err, AG_EPARSE, "%s:%d: better: expected higher or lower", path,
                            c->line);
    if (!text_ok(f[5], sizeof d.source, false))
        return ag_error_set(err, AG_EPARSE, "%s:%d: source: expected a key of the sources", path,
                            c->line);
    if (ag_indicator_find(x->ind, x->n, f[0]))
        return ag_error_set(err, AG_EPARSE, "%s:%d: id: %s given twice", path, c->line, f[0]);
    snprintf(d.id, sizeof d.id, "%s", f[0]);
    snprintf(d.dimension, sizeof d.dimension, "%s", f[1]);
    snprintf(d.name, sizeof d.name, "%s", f[2]);
    snprintf(d.unit, sizeof d.unit, "%s", f[3]);
    d.higher_better = !strcmp(f[4], "higher");
    snprintf(d.source, sizeof d.source, "%s", f[5]);
    struct ag_indicator *g = realloc(x->ind, (x->n + 1) * sizeof *g);
    if (!g)
        return ag_error_set(err, AG_ENOMEM, "out of memory");
    x->ind = g;
    g[x->n++] = d;
    return 0;
}

int ag_indicators_load(const char *dir, struct ag_indicator **out, size_t *n, struct ag_error *err)
{
    static const char *const COLS[] = {"id", "dimension", "name", "unit", "better", "source"};
    struct ind_ctx x = {0};
    int rc = read_table(dir, "indicators.csv", COLS, 6, indicator_row, &x, err);
    if (!rc && !x.n)
        rc = ag_error_set(err, AG_EPARSE, "indicators.csv: no indicator");
    if (rc) {
        free(x.ind);
        return rc;
    }
    *out = x.ind;
    *n = x.n;
    return 0;
}

struct fund_ctx {
    struct ag_funding *f;
    size_t n;
};

static int funding_row(void *vctx, struct ag_csv *c, const char *path, struct ag_error *err)
{
    struct fund_ctx *x = vctx;
    char **f = c->field;
    struct ag_funding d = {0};
    if (!id_ok(f[0], sizeof d.id))
        return ag_error_set(err, AG_EPARSE, "%s:%d: id: expected a-z, 0-9 and _ (at most %zu)",
                            path, c->line, sizeof d.id - 1);
    if (!text_ok(f[1], sizeof d.name, false))
        return ag_error_set(err, AG_EPARSE, "%s:%d: name: expected a text of 1 to %zu bytes", path,
                            c->line, sizeof d.name - 1);
    if (!text_ok(f[2], sizeof d.description, false))
        return ag_error_set(err, AG_EPARSE, "%s:%d: description: expected a text of 1 to %zu bytes",
                            path, c->line, sizeof d.description - 1);
    if (!text_ok(f[3], sizeof d.url, false) || strncmp(f[3], "https://", 8) ||
        strpbrk(f[3], " \"<>'"))
        return ag_error_set(err, AG_EPARSE, "%s:%d: url: expected an https:// address", path,
                            c->line);
    if (!text_ok(f[4], sizeof d.source, false))
        return ag_error_set(err, AG_EPARSE, "%s:%d: source: expected a key of the sources", path,
                            c->line);
    if (ag_funding_find(x->f, x->n, f[0]))
        return ag_error_set(err, AG_EPARSE, "%s:%d: id: %s given twice", path, c->line, f[0]);
    snprintf(d.id, sizeof d.id, "%s", f[0]);
    snprintf(d.name, sizeof d.name, "%s", f[1]);
    snprintf(d.description, sizeof d.description, "%s", f[2]);
    snprintf(d.url, sizeof d.url, "%s", f[3]);
    snprintf(d.source, sizeof d.source, "%s", f[4]);
    struct ag_funding *g = realloc(x->f, (x->n + 1) * sizeof *g);
    if (!g)
        return ag_error_set(err, AG_ENOMEM, "out of memory");
    x->f = g;
    g[x->n++] = d;
    return 0;
}

int ag_funding_load(const char *dir, struct ag_funding **out, size_t *n, struct ag_error *err)
{
    static const char *const COLS[] = {"id", "name", "description", "url", "source"};
    struct fund_ctx x = {0};
    int rc = read_table(dir, "funding-instruments.csv", COLS, 5, funding_row, &x, err);
    if (!rc && !x.n)
        rc = ag_error_set(err, AG_EPARSE, "funding-instruments.csv: no instrument");
    if (rc) {
        free(x.f);
        return rc;
    }
    *out = x.f;
    *n = x.n;
    return 0;
}

const struct ag_indicator *ag_indicator_find(const struct ag_indicator *ind, size_t n,
                                             const char *id)
{
    for (size_t i = 0; id && i < n; i++)
        if (!strcmp(ind[i].id, id))
            return &ind[i];
    return NULL;
}

const struct ag_funding *ag_funding_find(const struct ag_funding *f, size_t n, const char *id)
{
    for (size_t i = 0; id && i < n; i++)
        if (!strcmp(f[i].id, id))
            return &f[i];
    return NULL;
}

/* ---------- a city's values ---------- */

int ag_ivalue_check(const struct ag_ivalue *v, const struct ag_indicator *ind, size_t n,
                    const char *prefix, struct ag_error *err)
{
    if (!ag_indicator_find(ind, n, v->indicator))
        return ag_error_set(err, AG_EPARSE,
                            "%s: indicator: \"%s\" is not an indicator (agora indicators list)",
                            prefix, ag_text_ok(v->indicator) ? v->indicator : "?");
    if (!ag_indicator_year_ok(v->year))
        return ag_error_set(err, AG_EPARSE, "%s: year: expected a year from %d to %d", prefix,
                            AG_INDICATOR_YEAR_MIN, AG_INDICATOR_YEAR_MAX);
    if (!isfinite(v->value) || fabs(v->value) > AG_INDICATOR_VALUE_MAX)
        return ag_error_set(err, AG_EPARSE,
                            "%s: value: expected a finite number of at most 10^12 in magnitude",
                            prefix);
    if (!ag_text_ok(v->note) || strlen(v->note) > AG_INDICATOR_NOTE_MAX)
        return ag_error_set(err, AG_EPARSE,
                            "%s: note: expected a text of at most %d bytes (no control "
                            "characters)",
                            prefix, AG_INDICATOR_NOTE_MAX);
    return 0;
}

/* yes/no/1/0/true/false (any case); empty: no. */
static bool parse_visible(const char *s, bool *out)
{
    static const char *const YES[] = {"yes", "1", "true"}, *const NO[] = {"no", "0", "false", ""};
    for (size_t i = 0; i < 3; i++)
        if (!strcasecmp(s, YES[i]))
            return (*out = true);
    for (size_t i = 0; i < 4; i++)
        if (!strcasecmp(s, NO[i])) {
            *out = false;
            return true;
        }
    return false;
}

/* A whole number of at most 4 digits (spaces around allowed). */
static bool parse_year(const char *s, long *out)
{
    while (*s == ' ')
        s++;
    long y = 0;
    int digits = 0;
    while (*s >= '0' && *s <= '9' && digits < 5) {
        y = y * 10 + (*s++ - '0');
        digits++;
    }
    while (*s == ' ')
        s++;
    if (!digits || digits > 4 || *s)
        return false;
    *out = y;
    return true;
}

enum { COL_INDICATOR, COL_YEAR, COL_VALUE, COL_VISIBLE, COL_NOTE, NCOLS };
static const char *const COLNAMES[NCOLS] = {"indicator", "year", "value", "visible", "note"};

int ag_indicator_csv_read(const char *data, size_t len, const char *path,
                          const struct ag_indicator *ind, size_t n, struct ag_vec *out,
                          struct ag_error *err)
{
    struct ag_csv c;
    ag_csv_init(&c, data ? data : "", data ? len : 0, path);
    path = c.path;
    int col[NCOLS] = {-1, -1, -1, -1, -1};
    size_t ncols = 0;
    int rc = 0, got = ag_csv_next(&c, err);
    if (got <= 0)
        rc = got < 0 ? got
                     : ag_error_set(err, AG_EPARSE,
                                    "%s: empty file: expected a header line "
                                    "indicator,year,value[,visible][,note]",
                                    path);
    for (size_t i = 0; !rc && i < c.nfield; i++) {
        int k = 0;
        while (k < NCOLS && strcmp(c.field[i], COLNAMES[k]))
            k++;
        if (k == NCOLS)
            rc = ag_error_set(err, AG_EPARSE,
                              "%s:1: column %zu: \"%s\" is not a column (expected indicator, "
                              "year, value, visible, note)",
                              path, i + 1, ag_text_ok(c.field[i]) ? c.field[i] : "?");
        else if (col[k] >= 0)
            rc = ag_error_set(err, AG_EPARSE, "%s:1: column %s given twice", path, COLNAMES[k]);
        else
            col[k] = (int)i;
    }
    for (int k = COL_INDICATOR; !rc && k <= COL_VALUE; k++)
        if (col[k] < 0)
            rc = ag_error_set(err, AG_EPARSE,
                              "%s:1: the header has no column %s (expected "
                              "indicator,year,value[,visible][,note])",
                              path, COLNAMES[k]);
    ncols = c.nfield;
    size_t first = out->len;
    while (!rc && (got = ag_csv_next(&c, err)) > 0) {
        if (c.nfield == 1 && !*c.field[0])
            continue; /* an empty line */
        if (c.nfield != ncols) {
            rc = ag_error_set(err, AG_EPARSE,
                              "%s:%d: expected %zu fields as in the header, found "
                              "%zu",
                              path, c.line, ncols, c.nfield);
            break;
        }
        struct ag_ivalue v = {0};
        const char *f_ind = c.field[col[COL_INDICATOR]], *f_year = c.field[col[COL_YEAR]],
                   *f_value = c.field[col[COL_VALUE]];
        char where[4300];
        snprintf(where, sizeof where, "%s:%d", path, c.line);
        long year = 0;
        if (strlen(f_ind) >= sizeof v.indicator || !ag_indicator_find(ind, n, f_ind)) {
            rc = ag_error_set(err, AG_EPARSE,
                              "%s: indicator: \"%s\" is not an indicator (agora indicators list)",
                              where, ag_text_ok(f_ind) && strlen(f_ind) < 64 ? f_ind : "?");
            break;
        }
        snprintf(v.indicator, sizeof v.indicator, "%s", f_ind);
        if (!parse_year(f_year, &year) || !ag_indicator_year_ok(year)) {
            rc = ag_error_set(err, AG_EPARSE, "%s: year: expected a year from %d to %d", where,
                              AG_INDICATOR_YEAR_MIN, AG_INDICATOR_YEAR_MAX);
            break;
        }
        v.year = (int)year;
        if (!ag_parse_double(f_value, &v.value) || !isfinite(v.value) ||
            fabs(v.value) > AG_INDICATOR_VALUE_MAX) {
            rc = ag_error_set(err, AG_EPARSE,
                              "%s: value: expected a number with a decimal point (12.5), at most "
                              "10^12 in magnitude",
                              where);
            break;
        }
        if (col[COL_VISIBLE] >= 0 && !parse_visible(c.field[col[COL_VISIBLE]], &v.visible)) {
            rc = ag_error_set(err, AG_EPARSE, "%s: visible: expected yes, no, 1, 0, true or false",
                              where);
            break;
        }
        if (col[COL_NOTE] >= 0) {
            const char *note = c.field[col[COL_NOTE]];
            if (strlen(note) > AG_INDICATOR_NOTE_MAX || !ag_text_ok(note)) {
                rc = ag_error_set(err, AG_EPARSE,
                                  "%s: note: expected a text of at most %d bytes (no control "
                                  "characters)",
                                  where, AG_INDICATOR_NOTE_MAX);
                break;
            }
            snprintf(v.note, sizeof v.note, "%s", note);
        }
        for (size_t i = first; i < out->len; i++) {
            const struct ag_ivalue *o = &AG_VEC_AT(out, struct ag_ivalue, i);
            if (o->year == v.year && !strcmp(o->indicator, v.indicator)) {
                rc = ag_error_set(err, AG_EPARSE,
                                  "%s: indicator, year: %s %d is given twice in the file", where,
                                  v.indicator, v.year);
                break;
            }
        }
        if (!rc && !ag_vec_push(out, &v))
            rc = ag_error_set(err, AG_ENOMEM, "out of memory");
    }
    if (!rc && got < 0)
        rc = got;
    if (!rc && out->len == first)
        rc = ag_error_set(err, AG_EPARSE, "%s: no value under the header", path);
    if (rc)
        out->len = first;
    ag_csv_free(&c);
    return rc;
}

/* ---------- the chart ---------- */

/* 1, 2 or 5 times a power of ten, at least x. */
static double nice_step(double x)
{
    double p = pow(10, floor(log10(x)));
    double m = x / p;
    return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * p;
}

/* A number for the SVG: at most 2 decimals, no trailing zeros, "." always. */
static void num(char *out, size_t cap, double v)
{
    ag_format_fixed(out, cap, v, 2);
    char *dot = strchr(out, '.');
    if (dot) {
        char *e = out + strlen(out) - 1;
        while (e > dot && *e == '0')
            *e-- = 0;
        if (e == dot)
            *e = 0;
    }
    if (!strcmp(out, "-0"))
        snprintf(out, cap, "0");
}

static const char *const COLOURS[] = {"#1f77b4", "#d62728", "#2ca02c", "#9467bd",
                                      "#ff7f0e", "#17becf", "#8c564b", "#e377c2"};

int ag_indicator_svg(const char *title, const char *unit, const struct ag_series *s, size_t ns,
                     struct ag_buf *out)
{
    const double x0 = AG_CHART_LEFT, x1 = AG_CHART_WIDTH - AG_CHART_RIGHT, y0 = AG_CHART_TOP,
                 y1 = AG_CHART_HEIGHT - AG_CHART_BOTTOM;
    int ymin = 0, ymax = 0;
    double vmin = 0, vmax = 0;
    bool any = false;
    for (size_t i = 0; i < ns; i++)
        for (size_t k = 0; k < s[i].n; k++) {
            if (!isfinite(s[i].values[k]))
                continue;
            if (!any || s[i].years[k] < ymin)
                ymin = s[i].years[k];
            if (!any || s[i].years[k] > ymax)
                ymax = s[i].years[k];
            if (!any || s[i].values[k] < vmin)
                vmin = s[i].values[k];
            if (!any || s[i].values[k] > vmax)
                vmax = s[i].values[k];
            any = true;
        }
    /* the value axis: 5 or so ticks at a round step; a flat series gets a
     * band around it */
    double range = vmax - vmin;
    if (range <= 0)
        range = fabs(vmax) > 0 ? fabs(vmax) : 1;
    double step = nice_step(range / 5);
    double lo = floor(vmin / step) * step, hi = ceil(vmax / step) * step;
    if (hi <= lo) {
        lo -= step;
        hi += step;
    }
    char a[48], b[48], c[48], d[48];
    int rc = ag_buf_printf(out,
                           "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
                           "viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" font-size=\"12\">\n"
                           "<rect width=\"%d\" height=\"%d\" fill=\"#ffffff\"/>\n"
                           "<text x=\"%d\" y=\"22\" font-size=\"14\" font-weight=\"bold\">",
                           AG_CHART_WIDTH, AG_CHART_HEIGHT, AG_CHART_WIDTH, AG_CHART_HEIGHT,
                           AG_CHART_WIDTH, AG_CHART_HEIGHT, AG_CHART_LEFT);
    if (!rc)
        rc = ag_buf_put_html(out, title ? title : "");
    if (!rc)
        rc = ag_buf_puts(out, "</text>\n");
    /* the unit, along the value axis */
    if (!rc)
        rc = ag_buf_printf(out,
                           "<text class=\"unit\" x=\"16\" y=\"%d\" text-anchor=\"middle\" "
                           "transform=\"rotate(-90 16 %d)\">",
                           (int)((y0 + y1) / 2), (int)((y0 + y1) / 2));
    if (!rc)
        rc = ag_buf_put_html(out, unit ? unit : "");
    if (!rc)
        rc = ag_buf_puts(out, "</text>\n");
    if (!rc && !any)
        rc = ag_buf_printf(out,
                           "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">no value</text>\n"
                           "</svg>\n",
                           (int)((x0 + x1) / 2), (int)((y0 + y1) / 2));
    if (rc || !any)
        return rc;
    /* axes */
    num(a, sizeof a, x0);
    num(b, sizeof b, y1);
    num(c, sizeof c, x1);
    num(d, sizeof d, y0);
    rc = ag_buf_printf(out,
                       "<g class=\"axes\" stroke=\"#333333\" fill=\"none\">"
                       "<line x1=\"%s\" y1=\"%s\" x2=\"%s\" y2=\"%s\"/>"
                       "<line x1=\"%s\" y1=\"%s\" x2=\"%s\" y2=\"%s\"/></g>\n",
                       a, b, c, b, a, b, a, d);
    /* value ticks, with grid lines */
    int nticks = (int)lround((hi - lo) / step);
    for (int t = 0; !rc && t <= nticks && t <= 100; t++) {
        double v = lo + t * step;
        double y = y1 - (v - lo) / (hi - lo) * (y1 - y0);
        char label[48];
        num(label, sizeof label, fabs(v) < step * 1e-9 ? 0 : v);
        num(b, sizeof b, y);
        num(c, sizeof c, x0 - 6);
        num(d, sizeof d, x1);
        rc = ag_buf_printf(out,
                           "<line x1=\"%s\" y1=\"%s\" x2=\"%s\" y2=\"%s\" stroke=\"#dddddd\"/>"
                           "<text class=\"ytick\" x=\"%s\" y=\"%s\" text-anchor=\"end\" "
                           "dy=\"4\">%s</text>\n",
                           a, b, d, b, c, b, label);
    }
    /* year ticks: every year up to 12 of them, else a round step */
    int span = ymax - ymin, ystep = 1;
    while (span / ystep > 12)
        ystep = ystep == 1 ? 2 : ystep == 2 ? 5 : ystep * 2;
    for (int yr = ymin; !rc && yr <= ymax; yr += ystep) {
        double x = span ? x0 + (double)(yr - ymin) / span * (x1 - x0) : (x0 + x1) / 2;
        num(a, sizeof a, x);
        num(b, sizeof b, y1);
        num(c, sizeof c, y1 + 5);
        num(d, sizeof d, y1 + 20);
        rc = ag_buf_printf(out,
                           "<line x1=\"%s\" y1=\"%s\" x2=\"%s\" y2=\"%s\" stroke=\"#333333\"/>"
                           "<text class=\"xtick\" x=\"%s\" y=\"%s\" "
                           "text-anchor=\"middle\">%d</text>\n",
                           a, b, a, c, a, d, yr);
    }
    /* one line per series, a point per value; the legend on the right */
    for (size_t i = 0; !rc && i < ns; i++) {
        const char *colour = COLOURS[i % (sizeof COLOURS / sizeof COLOURS[0])];
        rc = ag_buf_puts(out, "<g class=\"series\" data-city=\"");
        if (!rc)
            rc = ag_buf_put_html(out, s[i].label ? s[i].label : "");
        if (!rc)
            rc = ag_buf_printf(out,
                               "\"><polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\" "
                               "points=\"",
                               colour);
        for (size_t k = 0; !rc && k < s[i].n; k++) {
            if (!isfinite(s[i].values[k]))
                continue;
            double x =
                span ? x0 + (double)(s[i].years[k] - ymin) / span * (x1 - x0) : (x0 + x1) / 2;
            double y = y1 - (s[i].values[k] - lo) / (hi - lo) * (y1 - y0);
            num(a, sizeof a, x);
            num(b, sizeof b, y);
            rc = ag_buf_printf(out, "%s%s,%s", k ? " " : "", a, b);
        }
        if (!rc)
            rc = ag_buf_puts(out, "\"/>\n");
        for (size_t k = 0; !rc && k < s[i].n; k++) {
            if (!isfinite(s[i].values[k]))
                continue;
            double x =
                span ? x0 + (double)(s[i].years[k] - ymin) / span * (x1 - x0) : (x0 + x1) / 2;
            double y = y1 - (s[i].values[k] - lo) / (hi - lo) * (y1 - y0);
            char v[48];
            num(a, sizeof a, x);
            num(b, sizeof b, y);
            num(v, sizeof v, s[i].values[k]);
            rc = ag_buf_printf(out,
                               "<circle cx=\"%s\" cy=\"%s\" r=\"3.5\" fill=\"%s\"><title>%d: %s", a,
                               b, colour, s[i].years[k], v);
            if (!rc && unit && *unit)
                rc = ag_buf_puts(out, " ");
            if (!rc)
                rc = ag_buf_put_html(out, unit ? unit : "");
            if (!rc)
                rc = ag_buf_puts(out, "</title></circle>\n");
        }
        double ly = y0 + 8 + 20.0 * (double)i;
        num(a, sizeof a, x1 + 16);
        num(b, sizeof b, ly);
        num(c, sizeof c, x1 + 40);
        num(d, sizeof d, x1 + 46);
        if (!rc)
            rc = ag_buf_printf(out,
                               "<line class=\"legend\" x1=\"%s\" y1=\"%s\" x2=\"%s\" y2=\"%s\" "
                               "stroke=\"%s\" stroke-width=\"2\"/><text x=\"%s\" y=\"%s\" "
                               "dy=\"4\">",
                               a, b, c, b, colour, d, b);
        if (!rc)
            rc = ag_buf_put_html(out, s[i].label ? s[i].label : "");
        if (!rc)
            rc = ag_buf_puts(out, "</text></g>\n");
    }
    if (!rc)
        rc = ag_buf_puts(out, "</svg>\n");
    return rc;
}
