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
 * small SVG map drawn from the imported roads and buildings. outdir is created
 * if needed; the file is replaced atomically. */
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

#ifdef __cplusplus
}
#endif
#endif
