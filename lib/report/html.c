/* The HTML report of a city. Self-contained: styles and maps are inline, no
 * script, no font or tile is fetched. SPDX-License-Identifier: EUPL-1.2 */
#include "agora/report.h"
#include "report_int.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool ag_report_lang_supported(const char *lang) { return lang && !strcmp(lang, "en"); }

const char *ag_report_langs(void) { return "en"; }

static const char CSS[] =
    "body{font:15px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;margin:0;"
    "color:#1d232a;background:#f6f7f9}"
    "header{background:#1f3b57;color:#fff;padding:18px 28px}header h1{margin:0 0 4px;font-size:24px}"
    "header p{margin:0;opacity:.85}main{padding:18px 28px;max-width:1200px}"
    "table{border-collapse:collapse;background:#fff;margin:8px 0 24px}"
    "th,td{padding:5px 10px;border-bottom:1px solid #e3e6ea;text-align:left}"
    "td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}td.n{white-space:nowrap}"
    ".cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(300px,1fr));gap:14px}"
    ".card{background:#fff;border:1px solid #dde1e6;border-radius:6px;padding:10px 12px}"
    ".card h3{margin:0 0 2px;font-size:16px}.card .k{color:#5a6570;font-size:13px;margin:0 0 6px}"
    ".card dl{display:grid;grid-template-columns:auto 1fr;gap:0 10px;margin:6px 0 0;font-size:13px}"
    ".card dt{color:#5a6570}.card dd{margin:0}"
    "svg{display:block;border-radius:4px}.bg{fill:#eef0ea}.bld{fill:#c9c2b8;stroke:#b0a89c;stroke-width:.5}"
    ".space{fill:#e4572e;fill-opacity:.35;stroke:#c0392b;stroke-width:1.5}"
    ".road{fill:none;stroke:#fff;stroke-linecap:round;stroke-linejoin:round;opacity:.9}"
    ".bar{fill:#b00020}.barl{fill:none;stroke:#b00020;stroke-width:1.2}"
    ".scale{stroke:#333;stroke-width:2}.scalet{font-size:10px;fill:#333}"
    ".legend{color:#5a6570;font-size:13px;max-width:900px}"
    "a{color:#1f5d96}.card p.veh{margin:8px 0 0;font-size:13px}"
    ".chip{display:inline-block;width:11px;height:11px;border-radius:2px;margin-right:5px;"
    "vertical-align:-1px;border:1px solid rgba(0,0,0,.25)}.chip.r{margin:0 0 0 6px}"
    ".over{color:#6b0012}"
    ".sym{display:inline-block;margin:0 4px 0 0;vertical-align:-2px;box-sizing:border-box}"
    ".sym.lab{width:16px;height:16px;border-radius:50%;border:1.5px solid #1d232a;background:#fff;"
    "font:bold 10px/13px system-ui,sans-serif;text-align:center}"
    ".sym.bend{width:10px;height:10px;border:1.5px solid #1d232a;background:#fff;"
    "transform:rotate(45deg);margin:0 7px 0 3px}"
    ".sym.st{width:8px;height:8px;border-radius:50%;border:1.5px solid #1d232a;background:#fff}"
    ".keys{display:flex;flex-wrap:wrap;gap:4px 16px;margin:6px 0 12px;font-size:13px}"
    ".methods{font-size:13px;color:#3a4550;max-width:900px;background:#fff;border:1px solid #dde1e6;"
    "border-radius:6px;padding:8px 12px;margin:0 0 24px}.methods p{margin:4px 0}"
    ".vblock{background:#fff;border:1px solid #dde1e6;border-radius:6px;padding:10px 14px;"
    "margin:0 0 16px}.vblock h3{margin:0 0 2px;font-size:17px}"
    ".vblock .k{color:#5a6570;font-size:13px;margin:0 0 8px}"
    ".vgrid{display:flex;flex-wrap:wrap;gap:16px;align-items:flex-start}"
    ".vgrid>svg{flex:0 0 auto;position:sticky;top:8px}.vgrid>div{flex:1 1 480px;min-width:0}"
    "table.vt{margin:0;font-size:13px;width:100%}table.vt th{background:#f0f2f5;font-weight:600}"
    "table.vt td{padding:3px 8px}table.vt tbody{border-top:2px solid #c9ced6}"
    "table.vt tr.worst td{font-weight:600}table.vt tr.why td{color:#3a4550;"
    "padding:4px 8px 8px;font-weight:normal}"
    "td.ent{vertical-align:top}.none{color:#5a6570}td.ent .ek{display:block;margin-top:3px;"
    "font-size:12px;color:#5a6570;max-width:11em}"
    ".apc{fill:none;stroke:#1d232a;stroke-opacity:.6;stroke-width:6;stroke-linecap:round;"
    "stroke-linejoin:round}.ap{fill:none;stroke-width:3.6;stroke-linecap:round;stroke-linejoin:round}"
    ".mlab circle{fill:#fff;stroke:#1d232a;stroke-width:1.5}"
    ".mlab text{font:bold 10px system-ui,sans-serif;text-anchor:middle;fill:#1d232a}"
    ".mlead{stroke:#1d232a;stroke-width:1.2}.mdot{fill:#1d232a}"
    ".mbend{fill:#fff;stroke:#1d232a;stroke-width:1.5}.mst{fill:#fff;stroke:#1d232a;stroke-width:1.5}"
    "footer{padding:18px 28px;color:#5a6570;font-size:13px}";

struct kind_sum {
    const char *kind;
    size_t count;
    double area;
};

int ag__report_num(struct ag_buf *b, double v, int decimals)
{
    char raw[64];
    snprintf(raw, sizeof raw, "%.*f", decimals, v);
    char *dot = strchr(raw, '.');
    size_t ilen = dot ? (size_t)(dot - raw) : strlen(raw);
    int rc = 0;
    for (size_t i = 0; i < ilen && !rc; i++) {
        rc = ag_buf_append(b, &raw[i], 1);
        size_t left = ilen - i - 1;
        if (!rc && left && left % 3 == 0 && raw[i] != '-')
            rc = ag_buf_puts(b, ",");
    }
    if (!rc && dot)
        rc = ag_buf_puts(b, dot);
    return rc;
}

/* ---- vehicle approach results (agora vehicle; docs/methodology.md §10-11) ---- */

/* Impact speed bands: the colour of a path says which test speed of the
 * list agora rates with (methodology §13) a barrier at its entry needs. */
static const struct band {
    double upto_kmh;
    const char *color;
    const char *label; /* HTML */
} BANDS[] = {
    {32, "#1a9641", "up to 32 km/h"},     {48, "#e0b800", "32&ndash;48 km/h"},
    {64, "#f07800", "48&ndash;64 km/h"},  {80, "#d7191c", "64&ndash;80 km/h"},
    {INFINITY, "#6b0012", "over 80 km/h"},
};

static const struct band *band_of(double kmh)
{
    size_t n = sizeof BANDS / sizeof BANDS[0];
    for (size_t i = 0; i + 1 < n; i++)
        if (kmh <= BANDS[i].upto_kmh + 1e-6) /* the tolerance of the ratings */
            return &BANDS[i];
    return &BANDS[n - 1];
}

/* Speeds are shown rounded up to 0.1 km/h, so a shown speed never sits below
 * the test speed its rating was chosen for. */
static double kmh_up(double kmh) { return ceil(kmh * 10 - 1e-6) / 10; }

/* The approach of one vehicle class to one entry. */
struct vclass {
    const char *cls;
    double kmh, run_up_m, kj;
    double across_m; /* kerb-side: pavement crossed from the carriageway; NaN otherwise */
    const char *rating; /* NULL: none (too fast, or cannot reach) */
    const char *note;   /* rating_note, or NULL */
    bool bend;
    double bend_r;
    struct ag_ll bend_at;
    struct ag_ll *path;
    size_t npath;
};

struct ventry {
    long long id;
    struct ag_ll ll;
    double width_m;
    bool kerb;        /* a kerb-side entry: a road alongside, not a way into the space */
    const char *road; /* the road's name, or NULL */
    long long way;
    struct vclass *c;
    size_t nc;
    const struct vclass *worst; /* the fastest class, NULL when none reaches */
};

/* The latest stored result of one space. */
struct vresult {
    bool present; /* a result is stored */
    bool bad;     /* ...but it could not be read */
    json_t *root; /* owns the strings below */
    const char *model;
    struct ventry *e;
    size_t ne;
    const struct vclass *worst;      /* fastest over every entry and class */
    const struct ventry *worst_entry;
    const struct vclass *max_energy; /* most energy over every entry and class */
};

static double jnum(const json_t *o, const char *key)
{
    double v = json_number_value(json_object_get(o, key));
    return isfinite(v) ? v : 0;
}

static const char *jstr(const json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

static bool jll(const json_t *a, struct ag_ll *ll)
{
    if (!json_is_array(a) || json_array_size(a) != 2 || !json_is_number(json_array_get(a, 0)) ||
        !json_is_number(json_array_get(a, 1)))
        return false;
    ll->lon = json_number_value(json_array_get(a, 0));
    ll->lat = json_number_value(json_array_get(a, 1));
    return isfinite(ll->lon) && isfinite(ll->lat) && fabs(ll->lon) <= 180 && fabs(ll->lat) <= 90;
}

static void vresult_free(struct vresult *r)
{
    for (size_t i = 0; i < r->ne; i++) {
        for (size_t j = 0; j < r->e[i].nc; j++)
            free(r->e[i].c[j].path);
        free(r->e[i].c);
    }
    free(r->e);
    json_decref(r->root);
    memset(r, 0, sizeof *r);
}

/* Reads a result in the format of `agora vehicle --json`. Returns AG_EPARSE
 * when it is not one, AG_ENOMEM. */
static int vresult_parse(const char *text, struct vresult *r)
{
    json_error_t je;
    r->root = json_loads(text, 0, &je);
    json_t *entries = json_object_get(r->root, "entries");
    if (!json_is_object(r->root) || !json_is_array(entries))
        return AG_EPARSE;
    r->model = jstr(r->root, "model");
    r->ne = json_array_size(entries);
    r->e = calloc(r->ne ? r->ne : 1, sizeof *r->e);
    if (!r->e) {
        r->ne = 0;
        return AG_ENOMEM;
    }
    for (size_t i = 0; i < r->ne; i++) {
        const json_t *je_ = json_array_get(entries, i);
        struct ventry *e = &r->e[i];
        const json_t *classes = json_object_get(je_, "by_class");
        if (!json_is_object(je_) || !json_is_array(classes))
            return AG_EPARSE;
        e->id = json_is_integer(json_object_get(je_, "id"))
                    ? (long long)json_integer_value(json_object_get(je_, "id"))
                    : (long long)i + 1;
        e->ll = (struct ag_ll){jnum(je_, "lon"), jnum(je_, "lat")};
        e->width_m = jnum(je_, "width_m");
        /* Results stored before kerb-side entries have no kind: way entries. */
        const char *kind = jstr(je_, "kind");
        e->kerb = kind && !strcmp(kind, "kerb-side");
        e->road = jstr(je_, "road");
        e->way = json_is_integer(json_object_get(je_, "way"))
                     ? (long long)json_integer_value(json_object_get(je_, "way"))
                     : 0;
        e->c = calloc(json_array_size(classes) + 1, sizeof *e->c);
        if (!e->c)
            return AG_ENOMEM;
        e->nc = json_array_size(classes);
        for (size_t j = 0; j < e->nc; j++) {
            const json_t *jc = json_array_get(classes, j);
            struct vclass *c = &e->c[j];
            c->cls = jstr(jc, "class");
            if (!c->cls)
                c->cls = "?";
            c->kmh = fmax(0, jnum(jc, "speed_kmh"));
            c->run_up_m = fmax(0, jnum(jc, "run_up_m"));
            c->kj = fmax(0, jnum(jc, "energy_kj"));
            c->across_m = json_is_number(json_object_get(jc, "across_m"))
                              ? fmax(0, jnum(jc, "across_m"))
                              : NAN;
            c->rating = jstr(jc, "rating");
            c->note = jstr(jc, "rating_note");
            const json_t *lb = json_object_get(jc, "limiting_bend");
            /* A class that cannot reach the entry has no route, hence no bend. */
            c->bend = c->kmh > 0 && json_is_object(lb) &&
                      jll(json_object_get(lb, "at"), &c->bend_at) && jnum(lb, "radius_m") > 0;
            c->bend_r = c->bend ? jnum(lb, "radius_m") : 0;
            const json_t *path = json_object_get(jc, "path");
            size_t np = json_array_size(path);
            c->path = malloc((np ? np : 1) * sizeof *c->path);
            if (!c->path)
                return AG_ENOMEM;
            for (size_t k = 0; k < np; k++)
                if (jll(json_array_get(path, k), &c->path[c->npath]))
                    c->npath++;
            if (c->kmh > 0 && (!e->worst || c->kmh > e->worst->kmh))
                e->worst = c;
            if (c->kmh > 0 && (!r->max_energy || c->kj > r->max_energy->kj))
                r->max_energy = c;
        }
        if (e->worst && (!r->worst || e->worst->kmh > r->worst->kmh)) {
            r->worst = e->worst;
            r->worst_entry = e;
        }
    }
    return 0;
}

/* Loads the latest result of every space; spaces without one are left
 * empty, a stored result that cannot be read is marked bad. */
static int vresults_load(struct ag_store *s, const struct ag_vec *spaces, struct vresult *out,
                         struct ag_error *err)
{
    for (size_t i = 0; i < spaces->len; i++) {
        char *json = NULL;
        struct ag_error e2 = {0};
        int rc = ag_store_vehicle_latest(s, AG_VEC_AT(spaces, struct ag_space, i).id, &json, &e2);
        if (rc == AG_ENOTFOUND)
            continue;
        if (rc) {
            if (err)
                *err = e2;
            return rc;
        }
        out[i].present = true;
        rc = vresult_parse(json, &out[i]);
        free(json);
        if (rc == AG_ENOMEM)
            return ag_error_set(err, rc, "out of memory");
        if (rc) {
            vresult_free(&out[i]);
            out[i].present = out[i].bad = true;
        }
    }
    return 0;
}

/* The name, or for an unnamed space its OSM reference or id, so that the
 * many unnamed pedestrian streets of a city can be told apart. */
static int put_space_name(struct ag_buf *b, const struct ag_space *sp)
{
    if (sp->name)
        return ag_buf_put_html(b, sp->name);
    if (!strcmp(sp->origin, "osm"))
        return ag_buf_printf(b, "(unnamed, OSM %s/%lld)", sp->ref.type, (long long)sp->ref.id);
    return ag_buf_printf(b, "(unnamed, id %lld)", (long long)sp->id);
}

static int put_chip(struct ag_buf *b, double kmh)
{
    return ag_buf_printf(b, "<span class=\"chip\" style=\"background:%s\"></span>",
                         band_of(kmh)->color);
}

/* A speed in a right-aligned column, its chip after it so that the chips
 * line up. */
static int put_speed_cell(struct ag_buf *b, double kmh)
{
    return ag_buf_printf(b, "<td class=\"n\">%.1f km/h<span class=\"chip r\" "
                            "style=\"background:%s\"></span></td>",
                         kmh_up(kmh), band_of(kmh)->color);
}

/* "V/1500[M1]/96/90", or why there is none. */
static int put_rating(struct ag_buf *b, const struct vclass *c)
{
    if (c->rating)
        return ag_buf_put_html(b, c->rating);
    if (c->kmh > 112 + 1e-6)
        return ag_buf_puts(b, "<span class=\"over\" title=\"faster than the highest test speed "
                              "agora rates\">none above 112 km/h</span>");
    return ag_buf_puts(b, "<span class=\"none\">&mdash;</span>");
}

/* The card's one line. */
static int write_vehicle_line(struct ag_buf *b, const struct ag_space *sp, const struct vresult *r)
{
    if (!r->present)
        return 0;
    if (r->bad)
        return ag_buf_puts(b, "<p class=\"veh\">Vehicle access: the stored result could not be "
                              "read; run <code>agora vehicle</code> again.</p>");
    if (!r->ne)
        return ag_buf_puts(b, "<p class=\"veh\">Vehicle access: No drivable way reaches this "
                              "space.</p>");
    int rc = ag_buf_puts(b, "<p class=\"veh\">");
    if (!rc && r->worst)
        rc = put_chip(b, r->worst->kmh);
    size_t nkerb = 0;
    for (size_t i = 0; i < r->ne; i++)
        nkerb += r->e[i].kerb;
    if (!rc)
        rc = ag_buf_printf(b, "Vehicle access: %zu %s", r->ne, r->ne == 1 ? "entry" : "entries");
    if (!rc && nkerb)
        rc = ag_buf_printf(b, " (%zu kerb-side)", nkerb);
    if (!rc)
        rc = ag_buf_puts(b, "; ");
    if (!rc && !r->worst)
        rc = ag_buf_puts(b, "no vehicle class reaches them");
    if (!rc && r->worst) {
        rc = ag_buf_printf(b, "worst impact %.1f km/h (", kmh_up(r->worst->kmh));
        if (!rc)
            rc = ag_buf_put_html(b, r->worst->cls);
        if (!rc)
            rc = ag_buf_puts(b, ") &rarr; ");
        if (!rc)
            rc = r->worst->rating ? ag_buf_put_html(b, r->worst->rating)
                                  : ag_buf_puts(b, "no standard rating (over 112 km/h)");
    }
    if (!rc)
        rc = ag_buf_printf(b, " &middot; <a href=\"#vehicle-%lld\">details</a></p>",
                           (long long)sp->id);
    return rc;
}

/* Spaces with a readable result and at least one entry, most exposed first. */
struct ranked {
    const struct ag_space *sp;
    const struct vresult *r;
};

static int cmp_ranked(const void *a, const void *b)
{
    const struct ranked *x = a, *y = b;
    double vx = x->r->worst ? x->r->worst->kmh : 0, vy = y->r->worst ? y->r->worst->kmh : 0;
    if (vx != vy)
        return vx < vy ? 1 : -1;
    double ex = x->r->max_energy ? x->r->max_energy->kj : 0;
    double ey = y->r->max_energy ? y->r->max_energy->kj : 0;
    if (ex != ey)
        return ex < ey ? 1 : -1;
    int c = strcmp(x->sp->name ? x->sp->name : "", y->sp->name ? y->sp->name : "");
    return c ? c : (x->sp->id > y->sp->id) - (x->sp->id < y->sp->id);
}

static int write_bands_legend(struct ag_buf *b)
{
    int rc = ag_buf_puts(b, "<div class=\"keys\"><span>Speed at impact:</span>");
    for (size_t i = 0; i < sizeof BANDS / sizeof BANDS[0] && !rc; i++)
        rc = ag_buf_printf(b, "<span><span class=\"chip\" style=\"background:%s\"></span>%s</span>",
                           BANDS[i].color, BANDS[i].label);
    if (!rc)
        rc = ag_buf_puts(b, "</div>");
    return rc;
}

static const char *model_text(const char *model)
{
    if (model && !strcmp(model, "power"))
        return "<b>power</b>: full throttle, the acceleration limited by grip at low speed "
               "and by engine power above (a&nbsp;=&nbsp;min(a<sub>0</sub>, P/(m&middot;v)))";
    if (model && !strcmp(model, "constant"))
        return "<b>constant</b>: full throttle at the class's constant acceleration "
               "a<sub>0</sub> at every speed, the conservative reference";
    return NULL;
}

static int write_methods(struct ag_buf *b, const struct vresult *res, size_t n)
{
    int rc = ag_buf_puts(
        b, "<div class=\"methods\"><p><b>How these figures are obtained.</b> For every entry "
           "(where a drivable way meets the edge of the space, or <i>kerb-side</i>, where a road "
           "runs so close that a vehicle can leave it and cross the pavement onto the space, "
           "with no building or barrier that stops a vehicle in between) and every vehicle "
           "class, agora searches the whole road network for the approach that reaches the "
           "entry fastest. "
           "The vehicle may start from rest anywhere; it ignores one-way streets and access "
           "restrictions, but not steps, barriers that stop a vehicle, or ways narrower than "
           "itself. In a bend its speed is held to what the bend allows "
           "(&radic;(a<sub>lat</sub>&middot;r)).</p><p>Model: ");
    /* The models of the stored results, each once. */
    const char *seen[8];
    size_t nseen = 0;
    for (size_t i = 0; i < n && !rc; i++) {
        if (!res[i].present || res[i].bad)
            continue;
        const char *m = res[i].model ? res[i].model : "(not recorded)";
        bool dup = false;
        for (size_t k = 0; k < nseen; k++)
            dup = dup || !strcmp(seen[k], m);
        if (dup || nseen == sizeof seen / sizeof seen[0])
            continue;
        seen[nseen++] = m;
        if (nseen > 1)
            rc = ag_buf_puts(b, "; ");
        const char *t = model_text(m);
        if (!rc)
            rc = t ? ag_buf_puts(b, t) : ag_buf_put_html(b, m);
    }
    if (!rc && nseen > 1)
        rc = ag_buf_puts(b, " (spaces were analysed with different models; each space says "
                            "which)");
    if (!rc)
        rc = ag_buf_puts(
            b, ".</p><p>The speeds err on the high side, as a threat assessment should: "
               "no air drag or rolling resistance, and no braking before bends (the vehicle "
               "is only slowed to the bend's limit). Shown speeds are rounded up to 0.1 km/h. "
               "The rating a barrier needs is the impact speed rounded up to the next of the "
               "test speeds agora uses (16, 32, 48, 64, 80, 96 or 112 km/h; 48, 64 and 80 km/h "
               "appear in published ratings, the rest of the list is not checked against the "
               "standards' texts: methodology &sect;13), written in the style of IWA 14-1: "
               "V/test mass in kg[vehicle class]/test speed/impact angle, e.g. "
               "V/7200[N2A]/64/90; above 112 km/h agora gives no rating. Energy is the "
               "kinetic energy at impact, &frac12;&middot;m&middot;v&sup2; at the class's test "
               "mass. At a kerb-side entry the vehicle is taken to reach the space at the speed "
               "it has where it leaves the road, with no speed lost in the swerve. Method and "
               "sources: "
               "docs/methodology.md, sections 10, 11 and 13.</p></div>");
    return rc;
}

/* The city-level table at the top of the page. */
static int write_vehicle_summary(struct ag_buf *b, const struct ag_vec *spaces,
                                 const struct vresult *res, const struct ranked *rk, size_t nrk)
{
    size_t nres = 0, nbad = 0, nnone = 0;
    for (size_t i = 0; i < spaces->len; i++) {
        nres += res[i].present;
        nbad += res[i].bad;
        nnone += res[i].present && !res[i].bad && !res[i].ne;
    }
    int rc = ag_buf_printf(
        b, "<h2 id=\"vehicle-summary\">Vehicle approach: most exposed spaces first</h2>"
           "<p class=\"legend\">%zu of %zu spaces analysed. For each space: how many entries a "
           "vehicle can reach, and the highest speed at which any vehicle class can hit one of "
           "them, with the barrier rating that speed calls for. The largest impact energy, "
           "usually of a heavy truck, is shown too: a barrier must stop both.</p>",
        nres, spaces->len);
    if (!rc)
        rc = write_methods(b, res, spaces->len);
    if (!rc)
        rc = write_bands_legend(b);
    if (!rc && nrk)
        rc = ag_buf_puts(b, "<table><tr><th class=\"n\">#</th><th>Space</th><th>Kind</th>"
                            "<th class=\"n\">Entries</th><th class=\"n\">Worst impact speed</th>"
                            "<th>Class</th><th>Barrier rating needed</th>"
                            "<th class=\"n\">Largest energy</th></tr>");
    for (size_t i = 0; i < nrk && !rc; i++) {
        const struct vresult *r = rk[i].r;
        rc = ag_buf_printf(b, "<tr><td class=\"n\">%zu</td><td><a href=\"#vehicle-%lld\">", i + 1,
                           (long long)rk[i].sp->id);
        if (!rc)
            rc = put_space_name(b, rk[i].sp);
        if (!rc)
            rc = ag_buf_puts(b, "</a></td><td>");
        if (!rc)
            rc = ag_buf_put_html(b, rk[i].sp->kind);
        if (!rc)
            rc = ag_buf_printf(b, "</td><td class=\"n\">%zu</td>", r->ne);
        if (!rc && !r->worst)
            rc = ag_buf_puts(b, "<td colspan=\"4\" class=\"none\">no vehicle class reaches "
                                "an entry</td></tr>");
        if (rc || !r->worst)
            continue;
        rc = put_speed_cell(b, r->worst->kmh);
        if (!rc)
            rc = ag_buf_puts(b, "<td>");
        if (!rc)
            rc = ag_buf_put_html(b, r->worst->cls);
        if (!rc)
            rc = ag_buf_puts(b, "</td><td>");
        if (!rc)
            rc = put_rating(b, r->worst);
        if (!rc)
            rc = ag_buf_puts(b, "</td><td class=\"n\">");
        if (!rc)
            rc = ag__report_num(b, r->max_energy->kj, 0);
        if (!rc)
            rc = ag_buf_puts(b, " kJ (");
        if (!rc)
            rc = ag_buf_put_html(b, r->max_energy->cls);
        if (!rc)
            rc = ag_buf_puts(b, ")</td></tr>");
    }
    if (!rc && nrk)
        rc = ag_buf_puts(b, "</table>");
    if (!rc && nnone) {
        rc = ag_buf_printf(b, "<p class=\"legend\">No drivable way reaches %s%zu space%s: ",
                           nnone == nres ? "any of the " : "", nnone, nnone == 1 ? "" : "s");
        size_t k = 0;
        for (size_t i = 0; i < spaces->len && !rc; i++) {
            if (!res[i].present || res[i].bad || res[i].ne)
                continue;
            const struct ag_space *sp = &AG_VEC_AT(spaces, struct ag_space, i);
            rc = ag_buf_printf(b, "%s<a href=\"#space-%lld\">", k++ ? ", " : "", (long long)sp->id);
            if (!rc)
                rc = put_space_name(b, sp);
            if (!rc)
                rc = ag_buf_puts(b, "</a>");
        }
        if (!rc)
            rc = ag_buf_puts(b, ".</p>");
    }
    if (!rc && nbad)
        rc = ag_buf_printf(b, "<p class=\"legend\">The stored result of %zu space%s could not be "
                              "read; run <code>agora vehicle</code> again.</p>",
                           nbad, nbad == 1 ? "" : "s");
    return rc;
}

/* Metres along a path from its vertex nearest to `at` to its end; negative
 * when no vertex lies within a few metres of `at`. */
static double metres_after(const struct vclass *c, struct ag_ll at)
{
    const double m_per_deg = 6371008.8 * M_PI / 180;
    double k = cos(at.lat * M_PI / 180), best = INFINITY, len = 0;
    size_t bi = 0;
    for (size_t i = 0; i < c->npath; i++) {
        double dx = (c->path[i].lon - at.lon) * k * m_per_deg;
        double dy = (c->path[i].lat - at.lat) * m_per_deg;
        if (hypot(dx, dy) < best) {
            best = hypot(dx, dy);
            bi = i;
        }
    }
    if (!(best < 3))
        return -1;
    for (size_t i = bi; i + 1 < c->npath; i++)
        len += hypot((c->path[i + 1].lon - c->path[i].lon) * k * m_per_deg,
                     (c->path[i + 1].lat - c->path[i].lat) * m_per_deg);
    return len;
}

/* Why the worst case of an entry is what it is. */
static int write_worst_sentence(struct ag_buf *b, const struct ventry *e)
{
    const struct vclass *w = e->worst;
    if (!w && e->kerb)
        return ag_buf_puts(b, "No vehicle class reaches this stretch of road: the ways that lead "
                              "to it are blocked or narrower than every vehicle of the table, or "
                              "the gaps to the space are.");
    if (!w)
        return ag_buf_puts(b, "No vehicle class reaches this entry from outside the space: the "
                              "ways that lead to it are blocked or narrower than every vehicle "
                              "of the table.");
    int rc = ag_buf_puts(b, "Worst case: ");
    if (!rc)
        rc = ag_buf_put_html(b, w->cls);
    if (!rc)
        rc = ag_buf_printf(b, " reaches %.1f km/h after a ", kmh_up(w->kmh));
    if (!rc)
        rc = ag__report_num(b, w->run_up_m, 0);
    if (!rc)
        rc = ag_buf_puts(b, " m run-up");
    if (!rc && w->bend) {
        rc = ag_buf_printf(b, "; the last bend that limits it has a radius of %.0f m",
                           w->bend_r);
        double after = metres_after(w, w->bend_at);
        if (!rc && after >= 0.5) {
            rc = ag_buf_puts(b, ", ");
            if (!rc)
                rc = ag__report_num(b, after, 0);
            if (!rc)
                rc = ag_buf_puts(b, " m before the entry");
        }
        if (!rc)
            rc = ag_buf_printf(b, " (at %.5f, %.5f)", w->bend_at.lon, w->bend_at.lat);
    } else if (!rc) {
        rc = ag_buf_puts(b, " with no bend sharp enough to slow it down");
    }
    if (!rc && e->kerb && isfinite(w->across_m)) {
        rc = ag_buf_puts(b, "; it leaves the road");
        if (!rc && w->across_m >= 0.05) {
            rc = ag_buf_puts(b, " and crosses ");
            if (!rc)
                rc = ag__report_num(b, w->across_m, 1);
            if (!rc)
                rc = ag_buf_puts(b, " m of pavement");
        }
        if (!rc)
            rc = ag_buf_puts(b, w->across_m >= 0.05 ? " to the space" : " straight onto the space");
    }
    if (!rc && !w->rating && w->kmh > 112 + 1e-6)
        rc = ag_buf_puts(b, "; that is faster than the highest test speed agora rates "
                            "(112 km/h), so no rating is given");
    if (!rc)
        rc = ag_buf_puts(b, ".");
    return rc;
}

/* The entry's number, its kind and its road. */
static int write_entry_cells(struct ag_buf *b, const struct ventry *e, size_t rows)
{
    int rc = ag_buf_printf(b, "<td rowspan=\"%zu\" class=\"ent\"><span class=\"sym lab\">%lld"
                              "</span><span class=\"ek\">%s",
                           rows, e->id, e->kerb ? "kerb-side" : "way");
    if (!rc && (e->road || e->way))
        rc = ag_buf_puts(b, e->kerb ? " along " : ": ");
    if (!rc && e->road)
        rc = ag_buf_put_html(b, e->road);
    else if (!rc && e->way)
        rc = ag_buf_printf(b, "OSM way %lld", e->way);
    if (!rc)
        rc = ag_buf_printf(b, "</span></td><td rowspan=\"%zu\" class=\"n ent\">", rows);
    if (!rc)
        rc = ag__report_num(b, e->width_m, 1);
    if (!rc)
        rc = ag_buf_puts(b, " m</td>");
    return rc;
}

static int write_entry_rows(struct ag_buf *b, const struct ventry *e)
{
    int rc = ag_buf_puts(b, "<tbody>");
    /* No class reaches it: one row that says why, not one per class. */
    if (!rc && !e->worst) {
        rc = ag_buf_puts(b, "<tr>");
        if (!rc)
            rc = write_entry_cells(b, e, 1);
        if (!rc)
            rc = ag_buf_puts(b, "<td colspan=\"5\" class=\"none\">");
        if (!rc)
            rc = write_worst_sentence(b, e);
        if (!rc)
            rc = ag_buf_puts(b, "</td></tr></tbody>");
        return rc;
    }
    for (size_t j = 0; j < e->nc && !rc; j++) {
        const struct vclass *c = &e->c[j];
        rc = ag_buf_printf(b, "<tr%s>", c == e->worst ? " class=\"worst\"" : "");
        if (!rc && !j)
            rc = write_entry_cells(b, e, e->nc);
        if (!rc)
            rc = ag_buf_puts(b, "<td>");
        if (!rc)
            rc = ag_buf_put_html(b, c->cls);
        if (!rc)
            rc = ag_buf_puts(b, "</td>");
        if (!rc && !(c->kmh > 0)) {
            rc = ag_buf_puts(b, "<td colspan=\"4\" class=\"none\">cannot reach this entry</td>"
                                "</tr>");
            continue;
        }
        if (!rc)
            rc = put_speed_cell(b, c->kmh);
        if (!rc)
            rc = ag_buf_puts(b, "<td class=\"n\">");
        if (!rc)
            rc = ag__report_num(b, c->kj, 0);
        if (!rc)
            rc = ag_buf_puts(b, " kJ</td><td class=\"n\">");
        if (!rc)
            rc = ag__report_num(b, c->run_up_m, 0);
        if (!rc)
            rc = ag_buf_puts(b, " m</td><td>");
        if (!rc)
            rc = put_rating(b, c);
        if (!rc)
            rc = ag_buf_puts(b, "</td></tr>");
    }
    if (!rc)
        rc = ag_buf_puts(b, "<tr class=\"why\"><td colspan=\"7\">");
    if (!rc)
        rc = write_worst_sentence(b, e);
    if (!rc)
        rc = ag_buf_puts(b, "</td></tr></tbody>");
    return rc;
}

static int cmp_line_speed(const void *a, const void *b)
{
    const struct vclass *x = *(const struct vclass *const *)a, *y = *(const struct vclass *const *)b;
    return (x->kmh > y->kmh) - (x->kmh < y->kmh);
}

/* The map of one space: per entry the route of its fastest class, slowest
 * drawn first so that the most dangerous lie on top. */
static int write_vehicle_map(struct ag_buf *b, const struct ag_report_map *map,
                             const struct ag_space *sp, const struct vresult *r)
{
    const struct vclass **order = calloc(r->ne + 1, sizeof *order);
    struct ag_report_line *lines = calloc(r->ne + 1, sizeof *lines);
    struct ag_report_mark *marks = calloc(3 * r->ne + 1, sizeof *marks);
    char(*titles)[160] = calloc(2 * r->ne + 1, sizeof *titles);
    char(*labels)[24] = calloc(r->ne + 1, sizeof *labels);
    int rc = order && lines && marks && titles && labels ? 0 : AG_ENOMEM;
    size_t nl = 0, nm = 0;
    for (size_t i = 0; i < r->ne && !rc; i++)
        if (r->e[i].worst && r->e[i].worst->npath)
            order[nl++] = r->e[i].worst;
    if (!rc)
        qsort(order, nl, sizeof *order, cmp_line_speed);
    for (size_t i = 0; i < nl && !rc; i++) {
        const struct vclass *c = order[i];
        const struct ventry *e = NULL;
        for (size_t k = 0; k < r->ne && !e; k++)
            if (r->e[k].worst == c)
                e = &r->e[k];
        snprintf(titles[i], sizeof titles[i], "Entry %lld%s: %s at %.1f km/h after %.0f m", e->id,
                 e->kerb ? " (kerb-side)" : "", c->cls, kmh_up(c->kmh), c->run_up_m);
        lines[i] = (struct ag_report_line){c->path, c->npath, band_of(c->kmh)->color, titles[i]};
        if (c->npath >= 2)
            marks[nm++] = (struct ag_report_mark){c->path[0], AG_REPORT_MARK_START, NULL,
                                                  "Start of the run-up (from rest)"};
        if (c->bend) {
            snprintf(titles[r->ne + i], sizeof titles[0],
                     "Entry %lld: last bend that limits %s, radius %.0f m", e->id, c->cls,
                     c->bend_r);
            marks[nm++] = (struct ag_report_mark){c->bend_at, AG_REPORT_MARK_BEND, NULL,
                                                  titles[r->ne + i]};
        }
    }
    for (size_t i = 0; i < r->ne && !rc; i++) {
        snprintf(labels[i], sizeof labels[i], "%lld", r->e[i].id);
        marks[nm++] = (struct ag_report_mark){r->e[i].ll, AG_REPORT_MARK_LABEL, labels[i], NULL};
    }
    struct ag_report_overlay ov = {lines, nl, marks, nm, 600.0};
    if (!rc)
        rc = ag_report_map_svg_overlay(map, sp, 25.0, 420, &ov, b);
    free(order);
    free(lines);
    free(marks);
    free(titles);
    free(labels);
    return rc;
}

static int write_vehicle_block(struct ag_buf *b, const struct ag_report_map *map,
                               const struct ag_space *sp, const struct vresult *r)
{
    int rc = ag_buf_printf(b, "<section class=\"vblock\" id=\"vehicle-%lld\"><h3>",
                           (long long)sp->id);
    if (!rc)
        rc = put_space_name(b, sp);
    if (!rc)
        rc = ag_buf_puts(b, "</h3><p class=\"k\">");
    if (!rc)
        rc = ag_buf_put_html(b, sp->kind);
    if (!rc)
        rc = ag_buf_printf(b, " &middot; <a href=\"#space-%lld\">id %lld</a> &middot; %zu %s "
                              "&middot; ",
                           (long long)sp->id, (long long)sp->id, r->ne,
                           r->ne == 1 ? "entry" : "entries");
    if (!rc)
        rc = ag_buf_put_html(b, r->model ? r->model : "unknown");
    if (!rc)
        rc = ag_buf_puts(b, " model</p><div class=\"vgrid\">");
    if (!rc)
        rc = write_vehicle_map(b, map, sp, r);
    if (!rc)
        rc = ag_buf_puts(b, "<div><table class=\"vt\"><thead><tr><th>Entry</th>"
                            "<th class=\"n\">Opening</th><th>Class</th>"
                            "<th class=\"n\">Speed at impact</th><th class=\"n\">Energy</th>"
                            "<th class=\"n\">Run-up</th><th>Barrier rating needed</th></tr>"
                            "</thead>");
    for (size_t i = 0; i < r->ne && !rc; i++)
        rc = write_entry_rows(b, &r->e[i]);
    if (!rc)
        rc = ag_buf_puts(b, "</table></div></div></section>\n");
    return rc;
}

static int write_vehicle_details(struct ag_buf *b, const struct ag_report_map *map,
                                 const struct ranked *rk, size_t nrk)
{
    if (!nrk)
        return 0;
    int rc = ag_buf_puts(
        b, "<h2 id=\"vehicle\">Vehicle approach by space</h2><p class=\"legend\">Most exposed "
           "spaces first. On each map, for every entry, the route on which the fastest vehicle "
           "class reaches it, coloured by its speed at impact (a route that goes further than "
           "600 m from the space is cut at the map's edge; north is up). The table gives every "
           "class; opening: the width of the way at the entry, or for a kerb-side entry the "
           "length of road from which a vehicle can cross to the space (never less than the "
           "carriageway's width).</p>");
    if (!rc)
        rc = write_bands_legend(b);
    if (!rc)
        rc = ag_buf_puts(b, "<div class=\"keys\"><span><span class=\"sym lab\">1</span>entry "
                            "(its number in the table)</span><span><span class=\"sym st\"></span>"
                            "where the run-up starts, from rest</span><span><span class=\"sym "
                            "bend\"></span>the last bend that limits the speed</span></div>");
    for (size_t i = 0; i < nrk && !rc; i++)
        rc = write_vehicle_block(b, map, rk[i].sp, rk[i].r);
    return rc;
}

static int write_space_card(struct ag_buf *b, const struct ag_report_map *map,
                            const struct ag_space *sp, const struct vresult *vr)
{
    int rc = ag_buf_printf(b, "<div class=\"card\" id=\"space-%lld\"><h3>", (long long)sp->id);
    if (!rc)
        rc = ag_buf_put_html(b, sp->name ? sp->name : "(unnamed)");
    if (!rc)
        rc = ag_buf_puts(b, "</h3><p class=\"k\">");
    if (!rc)
        rc = ag_buf_put_html(b, sp->kind);
    if (!rc)
        rc = ag_buf_printf(b, " &middot; id %lld", (long long)sp->id);
    if (!rc && !strcmp(sp->origin, "osm"))
        rc = ag_buf_printf(b, " &middot; OSM %s/%lld", sp->ref.type, (long long)sp->ref.id);
    else if (!rc)
        rc = ag_buf_puts(b, " &middot; custom perimeter");
    if (!rc)
        rc = ag_buf_puts(b, "</p>");
    if (!rc)
        rc = ag_report_map_svg(map, sp, 40.0, 280, b);
    if (!rc)
        rc = ag_buf_puts(b, "<dl><dt>Area</dt><dd>");
    if (!rc)
        rc = ag__report_num(b, sp->area_m2, 0);
    if (!rc)
        rc = ag_buf_puts(b, " m&sup2;</dd><dt>Perimeter</dt><dd>");
    if (!rc)
        rc = ag__report_num(b, sp->perimeter_m, 0);
    if (!rc)
        rc = ag_buf_puts(b, " m</dd><dt>Outline</dt><dd>");
    if (!rc)
        rc = ag_buf_put_html(b, sp->geom_source);
    if (!rc)
        rc = ag_buf_puts(b, "</dd></dl>");
    if (!rc)
        rc = write_vehicle_line(b, sp, vr);
    if (!rc)
        rc = ag_buf_puts(b, "</div>\n");
    return rc;
}

static int write_report(struct ag_buf *b, struct ag_store *s, const struct ag_city *city,
                        const struct ag_vec *spaces, const struct ag_report_map *map,
                        const struct vresult *res, struct ag_error *err)
{
    /* Spaces with entries, most exposed first. */
    struct ranked *rk = calloc(spaces->len + 1, sizeof *rk);
    if (!rk)
        return ag_error_set(err, AG_ENOMEM, "out of memory");
    size_t nrk = 0, nres = 0;
    for (size_t i = 0; i < spaces->len; i++) {
        nres += res[i].present;
        if (res[i].present && !res[i].bad && res[i].ne)
            rk[nrk++] = (struct ranked){&AG_VEC_AT(spaces, struct ag_space, i), &res[i]};
    }
    qsort(rk, nrk, sizeof *rk, cmp_ranked);
    int rc = ag_buf_puts(b, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                            "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">"
                            "<title>agora &mdash; public spaces of ");
    if (!rc)
        rc = ag_buf_put_html(b, city->name);
    if (!rc)
        rc = ag_buf_printf(
            b, "</title><style>%s%s%s</style></head><body><header><h1>Public spaces of ", CSS,
            ag__report_crowd_css, ag__report_incidents_css);
    if (!rc)
        rc = ag_buf_put_html(b, city->name);
    if (!rc)
        rc = ag_buf_printf(b, "</h1><p>%zu spaces &middot; imported %s from ", spaces->len,
                           city->imported_at);
    if (!rc)
        rc = ag_buf_put_html(b, city->source);
    if (!rc)
        rc = ag_buf_puts(b, "</p></header><main>");
    if (!rc && nres)
        rc = write_vehicle_summary(b, spaces, res, rk, nrk);
    if (!rc)
        rc = ag_buf_puts(b, "<h2>Summary by kind</h2><table><tr><th>Kind</th>"
                            "<th class=\"n\">Spaces</th><th class=\"n\">Total area (m&sup2;)</th></tr>");
    /* spaces arrive ordered by kind, so a running group is enough. */
    size_t i = 0;
    while (!rc && i < spaces->len) {
        const char *kind = AG_VEC_AT(spaces, struct ag_space, i).kind;
        size_t n = 0;
        double area = 0;
        while (i < spaces->len && !strcmp(AG_VEC_AT(spaces, struct ag_space, i).kind, kind)) {
            area += AG_VEC_AT(spaces, struct ag_space, i).area_m2;
            n++;
            i++;
        }
        rc = ag_buf_puts(b, "<tr><td>");
        if (!rc)
            rc = ag_buf_put_html(b, kind);
        if (!rc)
            rc = ag_buf_printf(b, "</td><td class=\"n\">%zu</td><td class=\"n\">", n);
        if (!rc)
            rc = ag__report_num(b, area, 0);
        if (!rc)
            rc = ag_buf_puts(b, "</td></tr>");
    }
    if (!rc)
        rc = ag_buf_puts(b, "</table><h2>Spaces</h2><p class=\"legend\">On each map: the space in red; "
                            "buildings in grey; roads and ways a vehicle can use in white, drawn "
                            "at their width; red dots and lines: barriers that stop a vehicle "
                            "(bollards, blocks...). North is up.</p><div class=\"cards\">\n");
    for (size_t k = 0; k < spaces->len && !rc; k++)
        rc = write_space_card(b, map, &AG_VEC_AT(spaces, struct ag_space, k), &res[k]);
    if (!rc)
        rc = ag_buf_puts(b, "</div>");
    if (!rc)
        rc = write_vehicle_details(b, map, rk, nrk);
    if (!rc) {
        rc = ag__report_crowd(b, spaces, map, err);
        if (rc) {
            free(rk);
            return rc;
        }
    }
    if (!rc) {
        rc = ag__report_incidents(b, s, spaces, err);
        if (rc) {
            free(rk);
            return rc;
        }
    }
    if (!rc)
        rc = ag_buf_puts(b, "</main><footer>Map data &copy; OpenStreetMap contributors, "
                            "available under the Open Database License (ODbL 1.0), "
                            "https://www.openstreetmap.org/copyright. Areas and perimeters are "
                            "measured in a local transverse Mercator projection; see "
                            "docs/methodology.md. Made with agora (EUPL-1.2).</footer>"
                            "</body></html>\n");
    free(rk);
    if (rc)
        ag_error_set(err, rc, "writing the report: %s", ag_strerror(rc));
    return rc;
}

int ag_report_html(struct ag_store *s, const struct ag_city *city, const char *lang,
                   const char *outdir, struct ag_error *err)
{
    if (!ag_report_lang_supported(lang))
        return ag_error_set(err, AG_EINVAL, "--lang: \"%s\" is not available; available: %s",
                            lang ? lang : "", ag_report_langs());
    struct ag_vec spaces;
    ag_vec_init(&spaces, sizeof(struct ag_space));
    struct ag_report_map *map = NULL;
    struct ag_buf b;
    ag_buf_init(&b, (size_t)512 << 20);
    struct vresult *res = NULL;
    int rc = ag_store_spaces(s, city->id, true, &spaces, err);
    if (!rc && !(res = calloc(spaces.len + 1, sizeof *res)))
        rc = ag_error_set(err, AG_ENOMEM, "out of memory");
    if (!rc)
        rc = vresults_load(s, &spaces, res, err);
    if (!rc)
        rc = ag_report_map_new(s, city, &map, err);
    if (!rc)
        rc = write_report(&b, s, city, &spaces, map, res, err);
    if (!rc)
        rc = ag_mkdirs(outdir, err);
    if (!rc) {
        char path[4096];
        snprintf(path, sizeof path, "%s/index.html", outdir);
        rc = ag_file_write_atomic(path, b.data, b.len, err);
    }
    ag_buf_free(&b);
    ag_report_map_free(map);
    for (size_t i = 0; res && i < spaces.len; i++)
        vresult_free(&res[i]);
    free(res);
    for (size_t i = 0; i < spaces.len; i++)
        ag_space_free(&AG_VEC_AT(&spaces, struct ag_space, i));
    ag_vec_free(&spaces);
    return rc;
}
