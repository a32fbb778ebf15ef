/* agora — OpenStreetMap import: reads an .osm or .osm.pbf file (readosm) into
 * a city model: public spaces by the tag table, the road network as a hostile
 * driver sees it, barriers and buildings.
 * SPDX-License-Identifier: EUPL-1.2 */
#ifndef AGORA_OSM_H
#define AGORA_OSM_H

#include "agora/model.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The tables that drive the import, loaded from data files (CSV with a header
 * line; see data/README.md). */
struct ag_osm_rules;

/* Loads space-tags.csv, road-classes.csv and barrier-types.csv from datadir.
 * Errors name the file, the line and the field. */
int ag_osm_rules_load(struct ag_osm_rules **out, const char *datadir,
                      struct ag_error *err);
void ag_osm_rules_free(struct ag_osm_rules *r);

/* The kinds of space in the table, in table order, without duplicates. */
size_t ag_osm_rules_kinds(const struct ag_osm_rules *r, const char ***kinds);

/* Reads path (".osm" or ".osm.pbf") into m (initialised by this call). The
 * whole file is read before anything is returned, so a caller can refuse a
 * bad file before touching its database. Fails with AG_ENOENT, AG_EEMPTY
 * (nothing usable: an empty file, XML that is not OSM), AG_EPARSE (a
 * truncated or corrupt file), AG_EINVAL (a name that is neither .osm nor
 * .osm.pbf), each with a message naming the file. Objects that cannot be
 * used (a multipolygon with missing members, say) are listed in m->skipped,
 * not treated as errors. */
int ag_osm_read(const char *path, const struct ag_osm_rules *rules,
                struct ag_city_model *m, struct ag_error *err);

#ifdef __cplusplus
}
#endif
#endif
