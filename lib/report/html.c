/* The HTML report of a city. Self-contained: styles and maps are inline, no
 * script, no font or tile is fetched. SPDX-License-Identifier: EUPL-1.2 */
#include "agora/report.h"

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
    "td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}"
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
    "footer{padding:18px 28px;color:#5a6570;font-size:13px}";

struct kind_sum {
    const char *kind;
    size_t count;
    double area;
};

static int html_num(struct ag_buf *b, double v, int decimals)
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

static int write_space_card(struct ag_buf *b, const struct ag_report_map *map,
                            const struct ag_space *sp)
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
        rc = html_num(b, sp->area_m2, 0);
    if (!rc)
        rc = ag_buf_puts(b, " m&sup2;</dd><dt>Perimeter</dt><dd>");
    if (!rc)
        rc = html_num(b, sp->perimeter_m, 0);
    if (!rc)
        rc = ag_buf_puts(b, " m</dd><dt>Outline</dt><dd>");
    if (!rc)
        rc = ag_buf_put_html(b, sp->geom_source);
    if (!rc)
        rc = ag_buf_puts(b, "</dd></dl></div>\n");
    return rc;
}

static int write_report(struct ag_buf *b, struct ag_store *s, const struct ag_city *city,
                        const struct ag_vec *spaces, const struct ag_report_map *map,
                        struct ag_error *err)
{
    (void)s;
    int rc = ag_buf_puts(b, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                            "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">"
                            "<title>agora &mdash; public spaces of ");
    if (!rc)
        rc = ag_buf_put_html(b, city->name);
    if (!rc)
        rc = ag_buf_printf(b, "</title><style>%s</style></head><body><header><h1>Public spaces of ",
                           CSS);
    if (!rc)
        rc = ag_buf_put_html(b, city->name);
    if (!rc)
        rc = ag_buf_printf(b, "</h1><p>%zu spaces &middot; imported %s from ", spaces->len,
                           city->imported_at);
    if (!rc)
        rc = ag_buf_put_html(b, city->source);
    if (!rc)
        rc = ag_buf_puts(b, "</p></header><main><h2>Summary by kind</h2><table><tr><th>Kind</th>"
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
            rc = html_num(b, area, 0);
        if (!rc)
            rc = ag_buf_puts(b, "</td></tr>");
    }
    if (!rc)
        rc = ag_buf_puts(b, "</table><h2>Spaces</h2><p class=\"legend\">On each map: the space in red; "
                            "buildings in grey; roads and ways a vehicle can use in white, drawn "
                            "at their width; red dots and lines: barriers that stop a vehicle "
                            "(bollards, blocks...). North is up.</p><div class=\"cards\">\n");
    for (size_t k = 0; k < spaces->len && !rc; k++)
        rc = write_space_card(b, map, &AG_VEC_AT(spaces, struct ag_space, k));
    if (!rc)
        rc = ag_buf_puts(b, "</div></main><footer>Map data &copy; OpenStreetMap contributors, "
                            "available under the Open Database License (ODbL 1.0), "
                            "https://www.openstreetmap.org/copyright. Areas and perimeters are "
                            "measured in a local transverse Mercator projection; see "
                            "docs/methodology.md. Made with agora (EUPL-1.2).</footer>"
                            "</body></html>\n");
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
    int rc = ag_store_spaces(s, city->id, true, &spaces, err);
    if (!rc)
        rc = ag_report_map_new(s, city, &map, err);
    if (!rc)
        rc = write_report(&b, s, city, &spaces, map, err);
    if (!rc)
        rc = ag_mkdirs(outdir, err);
    if (!rc) {
        char path[4096];
        snprintf(path, sizeof path, "%s/index.html", outdir);
        rc = ag_file_write_atomic(path, b.data, b.len, err);
    }
    ag_buf_free(&b);
    ag_report_map_free(map);
    for (size_t i = 0; i < spaces.len; i++)
        ag_space_free(&AG_VEC_AT(&spaces, struct ag_space, i));
    ag_vec_free(&spaces);
    return rc;
}
