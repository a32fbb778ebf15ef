/* The report's incident section: hotspot map, spaces, hours, months.
 * Everything here is computed with the same library functions as the
 * `agora incidents` commands, with the parameters the section states.
 * SPDX-License-Identifier: EUPL-1.2 */
#include "report_int.h"

#include "agora/incident_io.h"
#include "agora/incidents.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char ag__report_incidents_css[] =
    ".iblock{background:#fff;border:1px solid #dde1e6;border-radius:6px;padding:10px 14px;"
    "margin:0 0 16px}.iblock h3{margin:12px 0 4px;font-size:16px}"
    ".igrid{display:flex;flex-wrap:wrap;gap:16px;align-items:flex-start}"
    ".igrid>div{flex:1 1 380px;min-width:0}.kde{stroke:none}"
    ".hot{fill:#54278f;fill-opacity:.28;stroke:#54278f;stroke-width:.6}"
    ".isp{fill:none;stroke:#1f5d96;stroke-width:1}"
    "table.hw{font-size:11px;margin:0}table.hw td,table.hw th{padding:2px 4px;text-align:right;"
    "border:none}.mbar{fill:#1f5d96}.maxis{stroke:#5a6570;stroke-width:1}"
    ".mlabel{font-size:10px;fill:#3a4550}";

/* Parameters of the section (docs/methodology.md, "Incidents in the
 * report"). */
#define KDE_CELLS 120   /* cells along the longer side of the map */
#define GI_CELLS 40     /* Gi* cells along the longer side */
#define GI_FDR 0.05
#define AROUND_M 50.0
#define TOP_SPACES 10
#define MAP_PX 560

static const char *const RAMP[5] = {"#fee5d9", "#fcae91", "#fb6a4a", "#de2d26", "#a50f15"};
static const double RAMP_AT[5] = {0.1, 0.25, 0.5, 0.75, 0.9};

struct view {
    double x0, y0, scale; /* plane -> pixels: px = (x - x0) * scale, py = H - (y - y0) * scale */
    int w, h;
};

static double px(const struct view *v, double x) { return (x - v->x0) * v->scale; }
static double py(const struct view *v, double y) { return v->h - (y - v->y0) * v->scale; }

static int put_date(struct ag_buf *b, int64_t t)
{
    struct ag_civil c = ag_civil_from_seconds(t);
    return ag_buf_printf(b, "%04d-%02d-%02d", c.year, c.month, c.day);
}

/* The map: density cells, Gi* hot cells, space outlines, a scale bar. */
static int write_map(struct ag_buf *b, const struct view *v, const struct ag_incidents_grid *kg,
                     const double *kde, double kmax, const struct ag_incidents_grid *gg,
                     const bool *hot, const struct ag_vec *spaces, const struct ag_plane *plane)
{
    int rc = ag_buf_printf(b, "<svg width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
                              "role=\"img\" aria-label=\"incident density map\">"
                              "<rect class=\"bg\" width=\"%d\" height=\"%d\"/>",
                           v->w, v->h, v->w, v->h, v->w, v->h);
    double cpx = kg->cell_m * v->scale;
    for (size_t c = 0; !rc && kmax > 0 && c < kg->nx * kg->ny; c++) {
        double f = kde[c] / kmax;
        int k = -1;
        for (int j = 0; j < 5; j++)
            if (f >= RAMP_AT[j])
                k = j;
        if (k < 0)
            continue;
        double x = kg->x0 + (double)(c % kg->nx) * kg->cell_m;
        double y = kg->y0 + (double)(c / kg->nx + 1) * kg->cell_m;
        rc = ag_buf_printf(b, "<rect class=\"kde\" x=\"%.1f\" y=\"%.1f\" width=\"%.2f\" "
                              "height=\"%.2f\" fill=\"%s\"/>",
                           px(v, x), py(v, y), cpx + 0.3, cpx + 0.3, RAMP[k]);
    }
    for (size_t i = 0; !rc && i < spaces->len; i++) {
        const struct ag_space *sp = &AG_VEC_AT(spaces, struct ag_space, i);
        for (size_t p = 0; !rc && p < sp->geom.npolys; p++)
            for (size_t r = 0; !rc && r < sp->geom.polys[p].nrings; r++) {
                const struct ag_ring *ring = &sp->geom.polys[p].rings[r];
                rc = ag_buf_puts(b, "<path class=\"isp\" d=\"");
                for (size_t k = 0; !rc && k < ring->n; k++) {
                    struct ag_xy q;
                    if (!ag_plane_fwd(plane, ring->pts[k], &q))
                        continue;
                    rc = ag_buf_printf(b, "%s%.1f %.1f", k ? "L" : "M", px(v, q.x), py(v, q.y));
                }
                if (!rc)
                    rc = ag_buf_puts(b, "Z\"/>");
            }
    }
    double gpx = gg->cell_m * v->scale;
    for (size_t c = 0; !rc && c < gg->nx * gg->ny; c++) {
        if (!hot[c])
            continue;
        double x = gg->x0 + (double)(c % gg->nx) * gg->cell_m;
        double y = gg->y0 + (double)(c / gg->nx + 1) * gg->cell_m;
        rc = ag_buf_printf(b, "<rect class=\"hot\" x=\"%.1f\" y=\"%.1f\" width=\"%.2f\" "
                              "height=\"%.2f\"/>",
                           px(v, x), py(v, y), gpx, gpx);
    }
    /* A scale bar of a round length near a fifth of the width. */
    double target = v->w / v->scale / 5, len = pow(10, floor(log10(target)));
    if (len * 5 <= target)
        len *= 5;
    else if (len * 2 <= target)
        len *= 2;
    if (!rc)
        rc = ag_buf_printf(b, "<line class=\"scale\" x1=\"10\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\"/>"
                              "<text class=\"scalet\" x=\"10\" y=\"%d\">%g %s</text></svg>",
                           v->h - 10, 10 + len * v->scale, v->h - 10, v->h - 14,
                           len >= 1000 ? len / 1000 : len, len >= 1000 ? "km" : "m");
    return rc;
}

static int write_hour_table(struct ag_buf *b, const struct ag_incidents_profile *pr)
{
    static const char *const days[7] = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
    uint64_t max = 0;
    for (int d = 0; d < 7; d++)
        for (int h = 0; h < 24; h++)
            max = pr->hour_weekday[d][h] > max ? pr->hour_weekday[d][h] : max;
    int rc = ag_buf_puts(b, "<table class=\"hw\"><tr><th></th>");
    for (int h = 0; !rc && h < 24; h++)
        rc = ag_buf_printf(b, "<th>%02d</th>", h);
    if (!rc)
        rc = ag_buf_puts(b, "<th>all</th></tr>");
    for (int d = 0; !rc && d < 7; d++) {
        rc = ag_buf_printf(b, "<tr><th>%s</th>", days[d]);
        for (int h = 0; !rc && h < 24; h++) {
            uint64_t n = pr->hour_weekday[d][h];
            double f = max ? (double)n / (double)max : 0;
            rc = ag_buf_printf(b, "<td style=\"background:rgba(165,15,21,%.2f)%s\">%llu</td>",
                               0.85 * f, f > 0.55 ? ";color:#fff" : "", (unsigned long long)n);
        }
        if (!rc)
            rc = ag_buf_printf(b, "<td>%llu</td></tr>", (unsigned long long)pr->weekday[d]);
    }
    if (!rc)
        rc = ag_buf_puts(b, "</table>");
    return rc;
}

static int write_months(struct ag_buf *b, const struct ag_incidents_profile *pr)
{
    uint64_t max = 1;
    for (size_t m = 0; m < pr->nmonths; m++)
        max = pr->monthly[m] > max ? pr->monthly[m] : max;
    const int W = 560, H = 140, top = 10, bottom = 20;
    double bw = (double)(W - 40) / (double)pr->nmonths;
    int rc = ag_buf_printf(b, "<svg width=\"%d\" height=\"%d\" role=\"img\" "
                              "aria-label=\"incidents per month\">"
                              "<line class=\"maxis\" x1=\"30\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>"
                              "<text class=\"mlabel\" x=\"0\" y=\"%d\">%llu</text>",
                           W, H, H - bottom, W - 10, H - bottom, top + 8,
                           (unsigned long long)max);
    for (size_t m = 0; !rc && m < pr->nmonths; m++) {
        double h = (double)(H - top - bottom) * (double)pr->monthly[m] / (double)max;
        int year = pr->first_year + (pr->first_month - 1 + (int)m) / 12;
        int month = (pr->first_month - 1 + (int)m) % 12 + 1;
        rc = ag_buf_printf(b, "<rect class=\"mbar\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
                              "height=\"%.1f\"><title>%04d-%02d: %llu</title></rect>",
                           30 + (double)m * bw + 0.5, H - bottom - h, bw > 2 ? bw - 1 : bw, h,
                           year, month, (unsigned long long)pr->monthly[m]);
        if (!rc && (month == 1 || m == 0))
            rc = ag_buf_printf(b, "<text class=\"mlabel\" x=\"%.1f\" y=\"%d\">%04d</text>",
                               30 + (double)m * bw, H - 5, year);
    }
    if (!rc)
        rc = ag_buf_puts(b, "</svg>");
    return rc;
}

struct top {
    size_t i;
    double within, around;
};

static int cmp_top(const void *a, const void *b)
{
    const struct top *x = a, *y = b;
    if (x->within != y->within)
        return x->within < y->within ? 1 : -1;
    if (x->around != y->around)
        return x->around < y->around ? 1 : -1;
    return x->i < y->i ? -1 : x->i > y->i;
}

static int write_spaces(struct ag_buf *b, const struct ag_vec *spaces,
                        const struct ag_incidents_in_spaces *in)
{
    size_t n = spaces->len;
    struct top *t = malloc((n ? n : 1) * sizeof *t);
    if (!t)
        return AG_ENOMEM;
    for (size_t i = 0; i < n; i++)
        t[i] = (struct top){i, in->within[i], in->around[i]};
    qsort(t, n, sizeof *t, cmp_top);
    int rc = ag_buf_printf(b, "<h3>Public spaces with the most incidents</h3><table><tr>"
                              "<th>Space</th><th>Kind</th><th class=\"n\">Inside</th>"
                              "<th class=\"n\">Within %.0f m</th><th class=\"n\">Per hectare</th>"
                              "</tr>",
                           AROUND_M);
    size_t shown = 0;
    for (size_t k = 0; !rc && k < n && shown < TOP_SPACES; k++) {
        if (t[k].within == 0 && t[k].around == 0)
            break;
        const struct ag_space *sp = &AG_VEC_AT(spaces, struct ag_space, t[k].i);
        rc = ag_buf_puts(b, "<tr><td>");
        if (!rc)
            rc = ag_buf_put_html(b, sp->name ? sp->name : "(unnamed)");
        if (!rc)
            rc = ag_buf_printf(b, " <span class=\"none\">(id %lld)</span></td><td>",
                               (long long)sp->id);
        if (!rc)
            rc = ag_buf_put_html(b, sp->kind);
        if (!rc)
            rc = ag_buf_printf(b, "</td><td class=\"n\">%.0f</td><td class=\"n\">%.0f</td>"
                                  "<td class=\"n\">%.2f</td></tr>",
                               t[k].within, t[k].around, t[k].within / (sp->area_m2 / 1e4));
        shown++;
    }
    if (!rc && !shown)
        rc = ag_buf_puts(b, "<tr><td colspan=\"5\" class=\"none\">No incident inside or near a "
                            "public space of this city.</td></tr>");
    if (!rc)
        rc = ag_buf_puts(b, "</table>");
    free(t);
    return rc;
}

/* One incident set. */
static int write_set(struct ag_buf *b, struct ag_store *s, const struct ag_incident_set *set,
                     const struct ag_vec *spaces, struct ag_error *err)
{
    struct ag_vec rows;
    ag_vec_init(&rows, sizeof(struct ag_incident));
    struct ag_plane *plane = NULL;
    struct ag_xy *xy = NULL;
    int64_t *t = NULL;
    bool *has_time = NULL;
    double *kde = NULL, *counts = NULL, *z = NULL, *q = NULL;
    bool *hot = NULL;
    struct ag_incidents_weights w = {0};
    struct ag_incidents_in_spaces in = {0};
    struct ag_incidents_profile pr = {0};
    bool have_profile = false;
    const struct ag_incident_filter all = {.xy_only = true};
    int rc = ag_store_incidents_load(s, set->id, &all, &rows, err);
    if (!rc)
        rc = ag_plane_new(&plane, set->plane, err);
    size_t n = rows.len;
    if (!rc && n < 2) {
        rc = ag_buf_printf(b, "<div class=\"iblock\"><h3>");
        if (!rc)
            rc = ag_buf_put_html(b, set->name);
        if (!rc)
            rc = ag_buf_printf(b, "</h3><p class=\"none\">%zu incident: too few to map.</p></div>",
                               n);
        goto done;
    }
    xy = malloc(n * sizeof *xy);
    t = malloc(n * sizeof *t);
    has_time = malloc(n * sizeof *has_time);
    if (!rc && (!xy || !t || !has_time))
        rc = ag_error_set(err, AG_ENOMEM, "out of memory");
    bool dated = true;
    int64_t tmin = INT64_MAX, tmax = INT64_MIN;
    struct ag_bbox bb = ag_bbox_empty();
    for (size_t i = 0; !rc && i < n; i++) {
        const struct ag_incident *r = &AG_VEC_AT(&rows, struct ag_incident, i);
        xy[i] = r->xy;
        ag_bbox_extend(&bb, r->xy.x, r->xy.y);
        dated = dated && r->has_t;
        t[i] = r->t;
        has_time[i] = r->has_time;
        tmin = r->t < tmin ? r->t : tmin;
        tmax = r->t > tmax ? r->t : tmax;
    }
    /* The map's square extent around the points. */
    double side = fmax(bb.maxx - bb.minx, bb.maxy - bb.miny);
    if (!(side > 0))
        side = 100;
    side *= 1.04;
    double cx = (bb.minx + bb.maxx) / 2, cy = (bb.miny + bb.maxy) / 2;
    struct ag_incidents_grid kg = {cx - side / 2, cy - side / 2, side / KDE_CELLS, KDE_CELLS,
                                   KDE_CELLS};
    struct ag_incidents_grid gg = {cx - side / 2, cy - side / 2, side / GI_CELLS, GI_CELLS,
                                   GI_CELLS};
    double sigma = 0, radius = 0, kmax = 0;
    struct ag_incidents_kde_params kp = {.kernel = AG_INCIDENTS_KERNEL_QUARTIC};
    if (!rc)
        rc = ag_incidents_bandwidth(xy, n, AG_INCIDENTS_BW_SCOTT, &sigma, err);
    if (!rc) {
        radius = kp.bandwidth_m = ag_incidents_quartic_radius(sigma);
        kde = malloc(KDE_CELLS * KDE_CELLS * sizeof *kde);
        counts = calloc(GI_CELLS * GI_CELLS, sizeof *counts);
        z = malloc(GI_CELLS * GI_CELLS * sizeof *z);
        q = malloc(GI_CELLS * GI_CELLS * sizeof *q);
        hot = calloc(GI_CELLS * GI_CELLS, sizeof *hot);
        if (!kde || !counts || !z || !q || !hot)
            rc = ag_error_set(err, AG_ENOMEM, "out of memory");
    }
    if (!rc)
        rc = ag_incidents_kde(xy, NULL, n, &kg, &kp, kde, err);
    for (size_t c = 0; !rc && c < KDE_CELLS * KDE_CELLS; c++)
        kmax = kde[c] > kmax ? kde[c] : kmax;
    /* Gi* on a grid of counts, queen neighbours and the cell itself, normal
     * p-values, Benjamini-Hochberg at GI_FDR. */
    if (!rc)
        ag_incidents_grid_count(&gg, xy, n, counts);
    if (!rc)
        rc = ag_incidents_weights_lattice(GI_CELLS, GI_CELLS, true, &w, err);
    if (!rc)
        rc = ag_incidents_weights_set_self(&w, 1.0, err);
    if (!rc)
        rc = ag_incidents_getis_ord(&w, counts, true, z, err);
    for (size_t c = 0; !rc && c < GI_CELLS * GI_CELLS; c++)
        q[c] = isfinite(z[c]) ? erfc(fabs(z[c]) / sqrt(2.0)) : 1.0;
    if (!rc)
        rc = ag_incidents_fdr_bh(q, GI_CELLS * GI_CELLS, q, err);
    size_t nhot = 0;
    for (size_t c = 0; !rc && c < GI_CELLS * GI_CELLS; c++) {
        hot[c] = q[c] <= GI_FDR && z[c] > 0;
        nhot += hot[c];
    }
    if (!rc)
        rc = ag_incidents_in_spaces((const struct ag_space *)spaces->data, spaces->len, plane, xy,
                                    n, AROUND_M, &in, err);
    if (!rc && dated) {
        rc = ag_incidents_profile(t, has_time, n, &pr, err);
        have_profile = !rc;
    }
    if (rc)
        goto done;

    rc = ag_buf_puts(b, "<div class=\"iblock\"><h3>");
    if (!rc)
        rc = ag_buf_put_html(b, set->name);
    if (!rc)
        rc = ag_buf_puts(b, "</h3><p class=\"k\">");
    if (!rc)
        rc = ag__report_num(b, (double)n, 0);
    if (!rc)
        rc = ag_buf_puts(b, " incidents from ");
    if (!rc)
        rc = ag_buf_put_html(b, set->source);
    if (!rc && dated) {
        rc = ag_buf_puts(b, ", ");
        if (!rc)
            rc = put_date(b, tmin);
        if (!rc)
            rc = ag_buf_puts(b, " to ");
        if (!rc)
            rc = put_date(b, tmax);
    }
    if (!rc)
        rc = ag_buf_printf(b, "; imported %s.</p><div class=\"igrid\">", set->imported_at);
    struct view v = {cx - side / 2, cy - side / 2, MAP_PX / side, MAP_PX, MAP_PX};
    if (!rc)
        rc = write_map(b, &v, &kg, kde, kmax, &gg, hot, spaces, plane);
    if (!rc)
        rc = ag_buf_puts(b, "<div><p class=\"legend\">Colours: kernel density of the incidents "
                            "(quartic kernel, radius ");
    if (!rc)
        rc = ag__report_num(b, radius, 0);
    if (!rc)
        rc = ag_buf_puts(b, " m by Scott's rule), from light (10&nbsp;% of the highest) to dark "
                            "(90&nbsp;%); highest: ");
    if (!rc)
        rc = ag__report_num(b, kmax * 1e6, 1);
    if (!rc)
        rc = ag_buf_printf(b, " incidents per km&sup2;. Purple cells: Getis-Ord Gi* hot spots "
                              "on a grid of %d &times; %d cells of ",
                           GI_CELLS, GI_CELLS);
    if (!rc)
        rc = ag__report_num(b, gg.cell_m, 0);
    if (!rc)
        rc = ag_buf_printf(b, " m (queen neighbours and the cell itself, normal p-values, false "
                              "discovery rate %.0f&nbsp;%%): %zu cells. Blue outlines: the city's "
                              "public spaces. North is up.</p>",
                           GI_FDR * 100, nhot);
    if (!rc)
        rc = write_spaces(b, spaces, &in);
    if (!rc)
        rc = ag_buf_puts(b, "</div></div>");
    if (!rc && have_profile) {
        rc = ag_buf_printf(b, "<h3>When: hour of day and weekday</h3><p class=\"legend\">"
                              "Local clock time as recorded; %llu incidents with a date only "
                              "are counted by weekday, not by hour.</p>",
                           (unsigned long long)pr.no_time);
        if (!rc)
            rc = write_hour_table(b, &pr);
        if (!rc)
            rc = ag_buf_puts(b, "<h3>Incidents per month</h3>");
        if (!rc)
            rc = write_months(b, &pr);
        struct ag_incidents_trend tr;
        double *y = malloc((pr.nmonths ? pr.nmonths : 1) * sizeof *y);
        if (!y) {
            rc = AG_ENOMEM;
        } else {
            for (size_t m = 0; m < pr.nmonths; m++)
                y[m] = (double)pr.monthly[m];
            struct ag_error te;
            if (!rc && pr.nmonths >= 3 && !ag_incidents_trend(y, pr.nmonths, &tr, &te))
                rc = ag_buf_printf(b, "<p class=\"legend\">Trend of the monthly counts "
                                      "(log-linear Poisson fit): %+.1f&nbsp;%% per year, p = %.3g."
                                      "</p>",
                                   100 * (exp(12 * tr.b) - 1), tr.p);
            free(y);
        }
    }
    if (!rc)
        rc = ag_buf_puts(b, "</div>");
done:
    for (size_t i = 0; i < rows.len; i++)
        free(AG_VEC_AT(&rows, struct ag_incident, i).category);
    ag_vec_free(&rows);
    ag_plane_free(plane);
    free(xy);
    free(t);
    free(has_time);
    free(kde);
    free(counts);
    free(z);
    free(q);
    free(hot);
    ag_incidents_weights_free(&w);
    ag_incidents_in_spaces_free(&in);
    if (have_profile)
        ag_incidents_profile_free(&pr);
    return rc;
}

int ag__report_incidents(struct ag_buf *b, struct ag_store *s, const struct ag_vec *spaces,
                         struct ag_error *err)
{
    struct ag_vec sets;
    ag_vec_init(&sets, sizeof(struct ag_incident_set));
    int rc = ag_store_incident_sets(s, &sets, err);
    if (!rc && sets.len)
        rc = ag_buf_puts(b, "<h2 id=\"incidents\">Incidents</h2><p class=\"legend\">Where "
                            "incidents concentrate, near which public spaces, and when. Methods "
                            "and sources: docs/methodology.md; every figure can be recomputed "
                            "with <code>agora incidents</code> (kde, gistar, spaces, profile) "
                            "and the parameters given.</p>");
    for (size_t i = 0; !rc && i < sets.len; i++)
        rc = write_set(b, s, &AG_VEC_AT(&sets, struct ag_incident_set, i), spaces, err);
    for (size_t i = 0; i < sets.len; i++)
        ag_incident_set_free(&AG_VEC_AT(&sets, struct ag_incident_set, i));
    ag_vec_free(&sets);
    if (rc && (!err || err->code != rc))
        ag_error_set(err, rc, "writing the incident section: %s", ag_strerror(rc));
    return rc;
}
