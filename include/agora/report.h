/* agora — reports. SPDX-License-Identifier: EUPL-1.2 */
#ifndef AGORA_REPORT_H
#define AGORA_REPORT_H

#include "agora/store.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Languages a report can be written in today. */
bool ag_report_lang_supported(const char *lang);
const char *ag_report_langs(void);

/* Writes outdir/index.html: a self-contained page (no network needed to view
 * it) listing every space of the city with kind, area and perimeter and a
 * small SVG map drawn from the imported roads and buildings. Where a space
 * has a stored vehicle approach result (`agora vehicle`), the page also
 * ranks the spaces by worst impact speed and shows, per space, a map of the
 * approach paths coloured by impact speed, the table of entries and why each
 * worst case is what it is. outdir is created if needed; the file is
 * replaced atomically. */
int ag_report_html(struct ag_store *s, const struct ag_city *city, const char *lang,
                   const char *outdir, struct ag_error *err);

/* Draws one space and its surroundings (roads, buildings, barriers within
 * margin_m) as an SVG element of the given pixel size; used by the report. */
struct ag_report_map;
int ag_report_map_new(struct ag_store *s, const struct ag_city *city, struct ag_report_map **out,
                      struct ag_error *err);
void ag_report_map_free(struct ag_report_map *m);
int ag_report_map_svg(const struct ag_report_map *m, const struct ag_space *sp, double margin_m,
                      int size_px, struct ag_buf *out);

/* What can be drawn over a map: polylines (approach paths) and marks. Text
 * and colours are escaped when written. */
struct ag_report_line {
    const struct ag_ll *pts;
    size_t n;
    const char *color; /* CSS colour of the stroke, e.g. "#d7191c" */
    const char *title; /* tooltip, or NULL */
};

enum ag_report_mark_kind {
    AG_REPORT_MARK_LABEL, /* a white disc with a short label (an entry number) */
    AG_REPORT_MARK_BEND,  /* a diamond (a bend that limits the speed) */
    AG_REPORT_MARK_START, /* a small ring (where a run-up starts) */
};

struct ag_report_mark {
    struct ag_ll ll;
    enum ag_report_mark_kind kind;
    const char *label; /* AG_REPORT_MARK_LABEL: the text, a few characters */
    const char *title; /* tooltip, or NULL */
};

struct ag_report_overlay {
    const struct ag_report_line *lines; /* drawn in order, the last on top */
    size_t nlines;
    const struct ag_report_mark *marks; /* drawn above every line */
    size_t nmarks;
    /* The view grows to take in the lines and marks up to this far (metres)
     * beyond the space's box; what lies further is clipped. */
    double fit_max_m;
};

/* ag_report_map_svg with an overlay (NULL: none). */
int ag_report_map_svg_overlay(const struct ag_report_map *m, const struct ag_space *sp,
                              double margin_m, int size_px, const struct ag_report_overlay *ov,
                              struct ag_buf *out);

/* ---- assessment reports (issue 4) ---- */
struct ag_catalogue;
struct ag_assessment;
struct ag_space;

/* The assessment report of one space: summary with the risk bars and the
 * 5×5 matrix, the risk register, the computed evidence, the protection
 * plan within budget (INFINITY: every measure ranked), the scenario sheets
 * and the method, in lang (ag_i18n_langs), as format "html" or "pdf",
 * written to path atomically. */
int ag_report_assessment(const struct ag_catalogue *cat, const struct ag_assessment *a,
                         const struct ag_city *city, const struct ag_space *sp, const char *lang,
                         double budget, const char *format, const char *path,
                         struct ag_error *err);
/* The city overview: the n spaces' latest assessments ranked by total risk. */
int ag_report_overview(const struct ag_catalogue *cat, const struct ag_city *city,
                       const struct ag_assessment *const *as, const struct ag_space *const *sps,
                       size_t n, const char *lang, const char *format, const char *path,
                       struct ag_error *err);

#ifdef __cplusplus
}
#endif
#endif
