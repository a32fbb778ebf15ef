/* agora incidents spaces: incidents within and around each public space,
 * rates and trend. SPDX-License-Identifier: EUPL-1.2 */
#include "incidents_cli.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char HELP[] =
    "Usage: agora incidents spaces [--around M] [--city NAME] [--all]\n"
    "                              [--json | --geojson | --csv] [selection]\n"
    "\n"
    "For each public space of the city: the incidents inside it and within M\n"
    "metres of its edge, the rate per hectare and, when the incidents have\n"
    "dates, the rate per year and the trend of the monthly counts inside the\n"
    "space (a log-linear Poisson fit: the change per year and its p-value;\n"
    "only for spaces with at least 10 incidents inside).\n"
    "Spaces are listed from the most incidents to the fewest.\n"
    "\n"
    "  --around M       the margin around each space (default 50 m)\n"
    "  --city NAME      the city, when the database holds several\n"
    "  --all            list spaces without incidents too (text output)\n"
    "  --json, --geojson, --csv   machine-readable output (every space)\n"
    "\n"
    "Selection:\n" INC_SEL_HELP;

/* Fewer incidents inside a space than this give no trend: with a handful
 * the fitted change per year is noise (methodology, "Per public space"). */
#define TREND_MIN 10

struct row {
    size_t i;
    double within;
    double around;
    double per_ha;
    double per_year;
    bool has_trend;
    struct ag_incidents_trend trend;
    char trend_why[160];
};

static int cmp_row(const void *a, const void *b)
{
    const struct row *x = a, *y = b;
    if (x->within != y->within)
        return x->within < y->within ? 1 : -1;
    if (x->around != y->around)
        return x->around < y->around ? 1 : -1;
    return x->i < y->i ? -1 : x->i > y->i;
}

static int month_index(int64_t t)
{
    struct ag_civil c = ag_civil_from_seconds(t);
    return c.year * 12 + c.month - 1;
}

int inc_cmd_spaces(int argc, char **argv)
{
    const char *cmd = argv[0];
    struct inc_sel_opts so = {0};
    const char *around = NULL, *city = NULL;
    bool all = false, json = false, geojson = false, csv = false;
    const struct cli_opt opts[] = {INC_SEL_CLI_OPTS(so),
                                   {"--around", &around, NULL},
                                   {"--city", &city, NULL},
                                   {"--all", NULL, &all},
                                   {"--json", NULL, &json},
                                   {"--geojson", NULL, &geojson},
                                   {"--csv", NULL, &csv},
                                   {NULL, NULL, NULL}};
    const char *pos[1];
    int npos, code;
    if (tool_parse(argc, argv, opts, pos, 0, &npos, HELP, &code))
        return code;
    int fmt = inc_format(json, geojson, csv, 0xF, cmd);
    if (fmt < 0)
        return EXIT_USAGE;
    double around_m = 50;
    if (around) {
        char *end;
        around_m = strtod(around, &end);
        if (end == around || *end || !isfinite(around_m) || around_m < 0)
            return tool_usage("%s: --around: expected metres >= 0, not \"%s\"", cmd, around);
    }

    struct ag_error err = {0};
    struct inc_sel s;
    int rc = inc_select(&so, false, 0, &s, &err);
    if (rc)
        return tool_fail(&err);
    struct inc_units u;
    rc = inc_units_spaces(&s, city, around_m, &u, &err);
    if (rc) {
        inc_sel_free(&s);
        return tool_fail(&err);
    }
    /* The months the selection spans, for rates and trends. */
    bool dated = s.n > 0;
    int64_t tmin = INT64_MAX, tmax = INT64_MIN;
    for (size_t k = 0; k < s.n; k++) {
        const struct ag_incident *r = &AG_VEC_AT(&s.rows, struct ag_incident, k);
        if (!r->has_t) {
            dated = false;
            break;
        }
        tmin = r->t < tmin ? r->t : tmin;
        tmax = r->t > tmax ? r->t : tmax;
    }
    int m0 = dated ? month_index(tmin) : 0;
    size_t nmonths = dated ? (size_t)(month_index(tmax) - m0 + 1) : 0;
    double years = nmonths / 12.0;
    struct row *rows = calloc(u.n, sizeof *rows);
    double *series = calloc(nmonths ? nmonths : 1, sizeof *series);
    if (!rows || !series)
        rc = ag_error_set(&err, AG_ENOMEM, "out of memory");
    for (size_t i = 0; !rc && i < u.n; i++) {
        const struct ag_space *sp = &AG_VEC_AT(&u.spaces, struct ag_space, i);
        struct row *r = &rows[i];
        r->i = i;
        r->within = u.count[i];
        r->around = u.inside.around[i];
        r->per_ha = r->within / (sp->area_m2 / 1e4);
        r->per_year = dated ? r->within / years : NAN;
        if (!dated) {
            snprintf(r->trend_why, sizeof r->trend_why, "no dates");
            continue;
        }
        if (r->within < TREND_MIN || nmonths < 3) {
            snprintf(r->trend_why, sizeof r->trend_why,
                     "too few incidents or months (a trend needs %d inside and 3 months)",
                     TREND_MIN);
            continue;
        }
        memset(series, 0, nmonths * sizeof *series);
        for (size_t k = u.inside.member_start[i]; k < u.inside.member_start[i + 1]; k++) {
            const struct ag_incident *inc = &AG_VEC_AT(&s.rows, struct ag_incident, u.inside.member[k]);
            series[month_index(inc->t) - m0] += 1;
        }
        struct ag_error te;
        if (ag_incidents_trend(series, nmonths, &r->trend, &te) == 0)
            r->has_trend = true;
        else
            snprintf(r->trend_why, sizeof r->trend_why, "%.150s", te.msg);
    }
    if (!rc)
        qsort(rows, u.n, sizeof *rows, cmp_row);
    struct ag_buf b;
    ag_buf_init(&b, (size_t)1 << 30);
    if (!rc && fmt == INC_JSON) {
        inc_json_head(&b, &s, "spaces");
        ag_buf_puts(&b, ",\"city\":");
        ag_buf_put_json_str(&b, u.city.name);
        ag_buf_printf(&b, ",\"around_m\":%.17g,\"months\":%zu,\"spaces\":[", around_m, nmonths);
    } else if (!rc && fmt == INC_GEOJSON) {
        ag_buf_puts(&b, "{\"type\":\"FeatureCollection\",\"features\":[");
    } else if (!rc && fmt == INC_CSV) {
        ag_buf_puts(&b, "space_id,name,kind,area_m2,within,around,per_ha,per_year,"
                        "trend_per_year,trend_p\n");
    } else if (!rc) {
        char a[32];
        ag_buf_printf(&b, "Incidents in the public spaces of %s (%zu incidents, %s)\n",
                      u.city.name, s.n, s.what);
        ag_buf_printf(&b, "  around: within %s m of a space's edge (inside included)\n",
                      tool_num(a, sizeof a, around_m, 1));
        if (dated)
            ag_buf_printf(&b, "  period: %zu months; trend: change per year of the monthly "
                              "counts inside (Poisson fit)\n",
                          nmonths);
        ag_buf_printf(&b, "  %-36s %-18s %7s %7s %8s %8s %14s\n", "space", "kind", "inside",
                      "around", "per ha", "per year", "trend/year");
    }
    size_t shown = 0;
    for (size_t k = 0; !rc && k < u.n; k++) {
        const struct row *r = &rows[k];
        const struct ag_space *sp = &AG_VEC_AT(&u.spaces, struct ag_space, r->i);
        double tr = r->has_trend ? exp(12 * r->trend.b) - 1 : NAN;
        double tp = r->has_trend ? r->trend.p : NAN;
        if (fmt == INC_TEXT) {
            if (!all && r->within == 0 && r->around == 0)
                continue;
            char name[64], trend[40];
            snprintf(name, sizeof name, "%.28s (%lld)", sp->name ? sp->name : "(unnamed)",
                     (long long)sp->id);
            if (r->has_trend)
                snprintf(trend, sizeof trend, "%+.0f%% (p %.2g)", 100 * tr, tp);
            else
                snprintf(trend, sizeof trend, "-");
            ag_buf_printf(&b, "  %-36s %-18s %7.0f %7.0f %8.2f %8.1f %14s\n", name, sp->kind,
                          r->within, r->around, r->per_ha, r->per_year, trend);
            shown++;
            continue;
        }
        if (fmt == INC_CSV) {
            inc_unit_csv_id(&b, &u, r->i);
            ag_buf_printf(&b, ",%s,%.17g,%.17g,%.17g,%.17g", sp->kind, sp->area_m2, r->within,
                          r->around, r->per_ha);
            if (dated)
                ag_buf_printf(&b, ",%.17g", r->per_year);
            else
                ag_buf_puts(&b, ",");
            if (r->has_trend)
                ag_buf_printf(&b, ",%.17g,%.17g\n", tr, tp);
            else
                ag_buf_puts(&b, ",,\n");
            continue;
        }
        if (fmt == INC_GEOJSON)
            ag_buf_printf(&b, "%s{\"type\":\"Feature\",\"properties\":{", k ? "," : "");
        else
            ag_buf_printf(&b, "%s{", k ? "," : "");
        inc_unit_json_id(&b, &u, r->i);
        ag_buf_printf(&b, ",\"area_m2\":%.17g,\"within\":%.17g,\"around\":%.17g,\"per_ha\":%.17g",
                      sp->area_m2, r->within, r->around, r->per_ha);
        if (dated)
            ag_buf_printf(&b, ",\"per_year\":%.17g", r->per_year);
        if (r->has_trend)
            ag_buf_printf(&b, ",\"trend\":{\"per_year\":%.17g,\"rate_ratio_month\":%.17g,"
                              "\"z\":%.17g,\"p\":%.17g}",
                          tr, r->trend.rate_ratio, r->trend.z, r->trend.p);
        else {
            ag_buf_puts(&b, ",\"trend\":null,\"trend_note\":");
            ag_buf_put_json_str(&b, r->trend_why);
        }
        ag_buf_puts(&b, "}");
        if (fmt == INC_GEOJSON) {
            ag_buf_puts(&b, ",\"geometry\":");
            ag_geojson_write_mpoly(&b, &sp->geom);
            ag_buf_puts(&b, "}");
        }
    }
    if (!rc && (fmt == INC_JSON || fmt == INC_GEOJSON))
        ag_buf_puts(&b, "]}\n");
    if (!rc && fmt == INC_TEXT && !shown)
        ag_buf_puts(&b, "  (no incident in or around any space)\n");
    if (!rc)
        rc = inc_emit(&b, &err);
    else
        ag_buf_free(&b);
    free(rows);
    free(series);
    inc_units_free(&u);
    inc_sel_free(&s);
    return rc ? tool_fail(&err) : EXIT_OK;
}
