/* Internal: the loaded import tables. SPDX-License-Identifier: EUPL-1.2 */
#ifndef AGORA_OSM_RULES_H
#define AGORA_OSM_RULES_H

#include "agora/osm.h"

struct ag__space_rule {
    char *kind, *key, *value;
    bool is_line;        /* "line": linear ways given a polygon by buffering */
    char *also_key, *also_value; /* a second tag that must also match */
    double default_width_m;
    char *label;
};

struct ag__road_rule {
    char *highway;
    bool if_wide; /* drivable only when tagged at least default_width_m wide */
    double default_width_m;
};

struct ag__barrier_rule {
    char *barrier;
    bool blocks_vehicle;
};

struct ag_osm_rules {
    struct ag_vec space_rules;   /* struct ag__space_rule, first match wins */
    struct ag_vec road_rules;    /* struct ag__road_rule */
    struct ag_vec barrier_rules; /* struct ag__barrier_rule */
    const char **kinds;          /* borrowed from space_rules */
    size_t nkinds;
};

const struct ag__road_rule *ag__osm_road_rule(const struct ag_osm_rules *r,
                                              const char *highway);
const struct ag__barrier_rule *ag__osm_barrier_rule(const struct ag_osm_rules *r,
                                                    const char *barrier);

/* Refuses OSM XML that is not well-formed or lacks an attribute readosm
 * needs, naming line and column (lib/osm/xmlcheck.c). */
int ag__osm_xml_check(const char *path, struct ag_error *err);

#endif
