/* agora — report: helpers shared by the files of lib/report (not public).
 * SPDX-License-Identifier: EUPL-1.2 */
#ifndef AGORA_REPORT_INT_H
#define AGORA_REPORT_INT_H

#include "agora/report.h"

/* A number with thousands separators and `decimals` decimals. */
int ag__report_num(struct ag_buf *b, double v, int decimals);

/* The "Incidents" section: one block per incident set of the database
 * (nothing when there is none) with a hotspot map over the city, the public
 * spaces with the most incidents, the hour-of-day × weekday table and the
 * monthly series. spaces: the city's spaces with geometry. */
int ag__report_incidents(struct ag_buf *b, struct ag_store *s, const struct ag_vec *spaces,
                         struct ag_error *err);

/* Style rules of that section, appended to the page's style sheet. */
extern const char ag__report_incidents_css[];

/* The city's buildings (struct ag_building) and road edges (struct
 * ag_road_edge) the map was drawn from, borrowed: the crowd section builds
 * each space's walkable area from them instead of reading them again. */
const struct ag_vec *ag__report_map_buildings(const struct ag_report_map *m);
const struct ag_vec *ag__report_map_edges(const struct ag_report_map *m);

/* The "Crowd safety" section (docs/methodology.md §15): for every space with
 * exits, its walkable area, exits, holding, egress and final capacity with
 * the limiting factor (tier 1) and the SFPE flow time of that many people
 * (tier 2, no walking distances), most exit-bound first; the spaces that
 * could not be assessed listed by reason. A space that cannot be assessed
 * is a line of the section, not a failure; only AG_ENOMEM (or a full
 * buffer) fails, with err set. */
int ag__report_crowd(struct ag_buf *b, const struct ag_vec *spaces, const struct ag_report_map *map,
                     struct ag_error *err);

/* Style rules of that section. */
extern const char ag__report_crowd_css[];

#endif
