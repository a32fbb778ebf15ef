/* The report's crowd safety section: one line per space with its walkable
 * area, exits, holding, egress and final capacity (tier 1) and the SFPE flow
 * time of that many people (tier 2). Computed with the library calls of
 * `agora crowd capacity` and `agora crowd egress` (ag_crowd_geom_of_space,
 * ag_crowd_capacity_assess, ag_crowd_egress_assess) and their defaults, so
 * that every figure can be recomputed with the command line.
 * Method: docs/methodology.md §15, "In the report".
 * SPDX-License-Identifier: EUPL-1.2 */
#include "report_int.h"

#include "agora/crowd.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char ag__report_crowd_css[] =
    "table.ct{font-size:13px}table.ct th{background:#f0f2f5;font-weight:600}"
    "table.ct td{padding:3px 8px}table.ct .k{color:#5a6570}"
    "table.ct tr.eg td.lim{color:#6b0012;font-weight:600}"
    "p.skip{font-size:13px;max-width:900px;margin:4px 0}";

/* Why a space has no line in the table. */
enum skip { SKIP_NONE, SKIP_NO_EXIT, SKIP_COVERED, SKIP_OTHER };

struct crow {
    const struct ag_space *sp;
    size_t ix; /* in the list of spaces */
    enum skip skip;
    char *why; /* SKIP_OTHER: the library's message */
    double area_m2;
    size_t nexits, nstairs;
    struct ag_crowd_capacity cap;
    double flow_s;  /* SFPE flow time of cap.capacity_persons; NAN: not given */
    char *flow_why; /* why not, when the model refused */
};

/* Exit capacity per person of holding capacity: the smaller, the more a
 * full space depends on its exits. Rows with the least reserve first, then
 * the bigger crowd, then by id so that the order is stable. */
static double reserve(const struct crow *r)
{
    return r->cap.holding_persons > 0 ? r->cap.egress_persons / r->cap.holding_persons : INFINITY;
}

static int cmp_rows(const void *a, const void *b)
{
    const struct crow *x = a, *y = b;
    /* Skipped spaces after the table's, in the order of the list. */
    if (x->skip != SKIP_NONE || y->skip != SKIP_NONE) {
        if ((x->skip == SKIP_NONE) != (y->skip == SKIP_NONE))
            return x->skip == SKIP_NONE ? -1 : 1;
        return x->ix < y->ix ? -1 : x->ix > y->ix;
    }
    double rx = reserve(x), ry = reserve(y);
    if (rx != ry)
        return rx < ry ? -1 : 1;
    if (x->cap.holding_persons != y->cap.holding_persons)
        return x->cap.holding_persons > y->cap.holding_persons ? -1 : 1;
    return x->sp->id < y->sp->id ? -1 : x->sp->id > y->sp->id;
}

static int assess(struct crow *r, const struct ag_vec *blds, const struct ag_vec *edges)
{
    struct ag_error e = {0};
    struct ag_crowd_geom g = {0};
    r->flow_s = NAN;
    int rc = ag_crowd_geom_of_space(r->sp, blds->data, blds->len, edges->data, edges->len, NULL, &g,
                                    NULL, &e);
    if (rc == AG_ENOMEM)
        return rc;
    if (rc == AG_EEMPTY) {
        r->skip = SKIP_NO_EXIT;
        return 0;
    }
    if (!rc)
        rc = ag_crowd_capacity_assess(&g, NULL, &r->cap, &e);
    if (rc) {
        /* ag_crowd_geom_build's words for an outline the buildings cover. */
        r->skip = rc == AG_EGEOM && strstr(e.msg, "nothing is left to walk on") ? SKIP_COVERED
                                                                                : SKIP_OTHER;
        if (r->skip == SKIP_OTHER && !(r->why = ag_strdup(e.msg[0] ? e.msg : ag_strerror(rc))))
            rc = AG_ENOMEM;
        ag_crowd_geom_free(&g);
        return rc == AG_ENOMEM ? rc : 0;
    }
    r->area_m2 = ag_crowd_geom_area(&g);
    r->nexits = g.nexits;
    for (size_t i = 0; i < g.nexits; i++)
        r->nstairs += g.exits[i].stairs;
    /* Tier 2 at the capacity, every exit open, no distances: the flow time
     * alone (docs/methodology.md §15, 3.1: a lower bound). */
    size_t people = (size_t)r->cap.capacity_persons;
    if (people) {
        struct ag_crowd_egress eg;
        ag_error_clear(&e);
        rc = ag_crowd_egress_assess(&g, people, NULL, NULL, &eg, &e);
        if (!rc)
            r->flow_s = eg.total_s;
        else if (rc != AG_ENOMEM) /* e.g. every exit narrower than its boundary layers */
            rc = (r->flow_why = ag_strdup(e.msg[0] ? e.msg : ag_strerror(rc))) ? 0 : AG_ENOMEM;
        ag_crowd_egress_free(&eg); /* zeroed on failure */
    }
    ag_crowd_geom_free(&g);
    return rc;
}

static int put_name(struct ag_buf *b, const struct ag_space *sp)
{
    int rc = ag_buf_printf(b, "<a href=\"#space-%lld\">", (long long)sp->id);
    if (!rc && sp->name)
        rc = ag_buf_put_html(b, sp->name);
    else if (!rc) {
        rc = ag_buf_puts(b, "unnamed ");
        if (!rc)
            rc = ag_buf_put_html(b, sp->kind);
        if (!rc)
            rc = ag_buf_printf(b, " %lld", (long long)sp->id);
    }
    return rc ? rc : ag_buf_puts(b, "</a>");
}

static int put_duration(struct ag_buf *b, double s)
{
    if (s < 60)
        return ag_buf_printf(b, "%.0f s", s);
    double m = floor(s / 60);
    return ag_buf_printf(b, "%.0f min %02.0f s", m, floor(s - 60 * m));
}

static int write_row(struct ag_buf *b, const struct crow *r)
{
    const struct ag_crowd_capacity *c = &r->cap;
    bool eg = c->limit == AG_CROWD_LIMIT_EGRESS;
    int rc = ag_buf_printf(b, "<tr id=\"crowd-%lld\"%s><td>", (long long)r->sp->id,
                           eg ? " class=\"eg\"" : "");
    if (!rc)
        rc = put_name(b, r->sp);
    if (!rc && r->sp->name) {
        rc = ag_buf_puts(b, " <span class=\"k\">");
        if (!rc)
            rc = ag_buf_put_html(b, r->sp->kind);
        if (!rc)
            rc = ag_buf_puts(b, "</span>");
    }
    if (!rc)
        rc = ag_buf_puts(b, "</td><td class=\"n\">");
    if (!rc)
        rc = ag__report_num(b, r->area_m2, 0);
    if (!rc)
        rc = ag_buf_printf(b, "</td><td class=\"n\">%zu", r->nexits);
    if (!rc && r->nstairs)
        rc = ag_buf_printf(b, " (%zu stair%s)", r->nstairs, r->nstairs == 1 ? "" : "s");
    if (!rc)
        rc = ag_buf_puts(b, "</td><td class=\"n\">");
    if (!rc)
        rc = ag__report_num(b, c->exit_width_m, 1);
    if (!rc)
        rc = ag_buf_puts(b, "</td><td class=\"n\">");
    if (!rc)
        rc = ag__report_num(b, c->holding_persons, 0);
    if (!rc)
        rc = ag_buf_puts(b, "</td><td class=\"n\">");
    if (!rc)
        rc = ag__report_num(b, c->egress_persons, 0);
    if (!rc && c->no_exit_left)
        rc = ag_buf_puts(b, " <span class=\"k\">(one exit)</span>");
    if (!rc)
        rc = ag_buf_puts(b, "</td><td class=\"n\">");
    if (!rc)
        rc = ag__report_num(b, c->capacity_persons, 0);
    if (!rc)
        rc = ag_buf_printf(b, "</td><td class=\"lim\">%s</td>", ag_crowd_limit_name(c->limit));
    if (!rc && isfinite(r->flow_s)) {
        rc = ag_buf_printf(b, "<td class=\"n\" data-s=\"%.1f\">", r->flow_s);
        if (!rc)
            rc = put_duration(b, r->flow_s);
    } else if (!rc && r->flow_why) {
        rc = ag_buf_puts(b, "<td class=\"n\" title=\"");
        if (!rc)
            rc = ag_buf_put_html(b, r->flow_why);
        if (!rc)
            rc = ag_buf_puts(b, "\">not given");
    } else if (!rc) {
        rc = ag_buf_puts(b, "<td class=\"n\">&ndash;");
    }
    return rc ? rc : ag_buf_puts(b, "</td></tr>");
}

/* The spaces left out for one reason, in one line. */
static int write_skipped(struct ag_buf *b, const struct crow *rows, size_t n, enum skip why,
                         const char *reason)
{
    size_t count = 0;
    for (size_t i = 0; i < n; i++)
        count += rows[i].skip == why;
    if (!count)
        return 0;
    int rc = ag_buf_printf(b, "<p class=\"skip\" id=\"crowd-skip-%d\"><b>%zu space%s</b>: %s: ",
                           (int)why, count, count == 1 ? "" : "s", reason);
    size_t k = 0;
    for (size_t i = 0; !rc && i < n; i++) {
        if (rows[i].skip != why)
            continue;
        rc = ag_buf_puts(b, k++ ? ", " : "");
        if (!rc)
            rc = put_name(b, rows[i].sp);
        if (!rc && why == SKIP_OTHER) {
            rc = ag_buf_puts(b, " (");
            if (!rc)
                rc = ag_buf_put_html(b, rows[i].why);
            if (!rc)
                rc = ag_buf_puts(b, ")");
        }
    }
    return rc ? rc : ag_buf_puts(b, ".</p>");
}

static const char LEGEND[] =
    "<p class=\"legend\">How many people each public space can take and how fast they can leave "
    "it, for the stewarding plan of an event or a gathering. Every figure is what "
    "<code>agora crowd capacity SPACE</code> gives with its defaults; method, sources and "
    "limits in docs/methodology.md &sect;15 (geometry: &sect;17). "
    "<b>Walkable area</b>: the space's outline minus the buildings on it. "
    "<b>Exits</b>: where the streets and paths of the imported network cross the outline or "
    "run along it (carriageway within 2 m), openings closer than 1 m merged; their number "
    "and total clear width. "
    "<b>Holding</b>: walkable area &times; 2 persons/m&sup2; (0.5 m&sup2; each, HSE Event "
    "Safety Guide). "
    "<b>Egress in 8 min</b>: the people the exits pass in 8 minutes (Green Guide) at 82 "
    "persons per metre of width per minute on the level, 66 on stairs, with the exit that "
    "carries most assumed blocked: a space with one exit gets 0. "
    "<b>Capacity</b>: the smaller of the two; <b>limited by</b> says which (egress: the "
    "exits; holding: the area). Counts are whole persons, rounded down. "
    "<b>Flow time</b>: tier 2, SFPE hydraulic model, the time for the capacity to pass "
    "the exits, all of them open, shared in proportion to their flow (effective width = "
    "clear width &minus; 2 &times; 0.15 m; 1.3 persons/s per metre on the level, 1.01 on "
    "stairs), with premovement 0 and the walk to the exits ignored: a lower bound. "
    "<code>agora crowd egress SPACE --people N</code> adds walking distances on a floor "
    "field; too slow for every space of a city in this report. &ndash;: a capacity of 0 "
    "(one exit, assumed blocked): <code>agora crowd egress SPACE</code> gives the time the "
    "holding crowd needs through it. "
    "<b>Order</b>: the spaces whose exits pass the smallest share of their holding "
    "capacity in 8 minutes come first, so the spaces limited by their exits (red) lead, "
    "single-exit spaces at the top: filled to the planning density, they hold more people "
    "than can get out in time, and are where entry must be limited or ways out opened "
    "first. Then the bigger crowd first.</p>";

int ag__report_crowd(struct ag_buf *b, const struct ag_vec *spaces, const struct ag_report_map *map,
                     struct ag_error *err)
{
    if (!spaces->len)
        return 0;
    struct crow *rows = calloc(spaces->len, sizeof *rows);
    if (!rows)
        return ag_error_set(err, AG_ENOMEM, "out of memory");
    const struct ag_vec *blds = ag__report_map_buildings(map), *edges = ag__report_map_edges(map);
    int rc = 0;
    for (size_t i = 0; !rc && i < spaces->len; i++) {
        rows[i].sp = &AG_VEC_AT(spaces, struct ag_space, i);
        rows[i].ix = i;
        rc = assess(&rows[i], blds, edges);
    }
    /* The table's rows in the order of the legend, then the skipped. */
    if (!rc)
        qsort(rows, spaces->len, sizeof *rows, cmp_rows);
    size_t n = 0, neg = 0;
    for (size_t i = 0; !rc && i < spaces->len; i++)
        if (rows[i].skip == SKIP_NONE) {
            n++;
            neg += rows[i].cap.limit == AG_CROWD_LIMIT_EGRESS;
        }
    if (!rc)
        rc = ag_buf_printf(b,
                           "<h2 id=\"crowd\">Crowd safety</h2><p class=\"k\">%zu of %zu "
                           "spaces assessed; %zu limited by their exits.</p>",
                           n, spaces->len, neg);
    if (!rc)
        rc = ag_buf_puts(b, LEGEND);
    if (!rc && n)
        rc = ag_buf_puts(b, "<table class=\"ct\"><tr><th>Space</th>"
                            "<th class=\"n\">Walkable area (m&sup2;)</th><th class=\"n\">Exits</th>"
                            "<th class=\"n\">Exit width (m)</th><th class=\"n\">Holding</th>"
                            "<th class=\"n\">Egress in 8 min</th><th class=\"n\">Capacity</th>"
                            "<th>Limited by</th><th class=\"n\">Flow time at capacity</th></tr>");
    for (size_t i = 0; !rc && i < n; i++)
        rc = write_row(b, &rows[i]);
    if (!rc && n)
        rc = ag_buf_puts(b, "</table>");
    if (!rc && n < spaces->len)
        rc = ag_buf_puts(b, "<p class=\"legend\">Not assessed:</p>");
    if (!rc)
        rc = write_skipped(b, rows, spaces->len, SKIP_NO_EXIT,
                           "no street meets its outline: draw its exits in a layout "
                           "(<code>agora crowd capacity --layout FILE</code>)");
    if (!rc)
        rc = write_skipped(b, rows, spaces->len, SKIP_COVERED,
                           "the buildings cover the whole outline: nothing is left to walk on");
    if (!rc)
        rc = write_skipped(b, rows, spaces->len, SKIP_OTHER, "the geometry was refused");
    for (size_t i = 0; i < spaces->len; i++) {
        free(rows[i].why);
        free(rows[i].flow_why);
    }
    free(rows);
    if (rc && (!err || err->code != rc))
        ag_error_set(err, rc, "writing the crowd safety section: %s", ag_strerror(rc));
    return rc;
}
