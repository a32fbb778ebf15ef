/* agora crowd: what the subcommands share (loading a scenario, numbers).
 * SPDX-License-Identifier: EUPL-1.2 */
#ifndef AGORA_CROWD_CLI_H
#define AGORA_CROWD_CLI_H

#include "cli.h"
#include "agora/crowd.h"

/* The geometry of one run: a stored space or an event layout. */
struct crowd_scenario {
    struct ag_crowd_geom g;
    struct ag_crowd_build_info info;
    double area_m2;   /* walkable */
    char title[300];  /* "Place du Palais (space 12, way/4227203)" or "layout FILE" */
    char *json;       /* {"space": {...}} or {"layout": "FILE"} members, no braces */
};

/* Builds the scenario from SPACE (pos, may be NULL) or --layout FILE;
 * exactly one must be given (usage error otherwise: returns AG_EINVAL
 * with a message). Reads the database read-only. */
int crowd_scenario_load(const char *cmd, const char *db, const char *city, const char *space,
                        const char *layout, struct crowd_scenario *sc, struct ag_error *err);
void crowd_scenario_free(struct crowd_scenario *sc);
/* "exit 2 (North gate)" */
const char *crowd_exit_label(const struct ag_crowd_geom *g, size_t i, char *buf, size_t len);
/* Prints the scenario header and the exits (text mode). */
void crowd_print_scenario(const struct crowd_scenario *sc);
/* Appends the scenario as JSON members: "scenario":{...},"area_m2":..,"exits":[...] */
int crowd_json_scenario(struct ag_buf *b, const struct crowd_scenario *sc);
/* "5 min 30 s" */
const char *crowd_duration(char *buf, size_t len, double s);
/* Parses a count, a seed, a number; false with a usage message printed. */
bool crowd_parse_size(const char *cmd, const char *opt, const char *s, size_t max, size_t *out);
bool crowd_parse_num(const char *cmd, const char *opt, const char *s, double lo, double hi,
                     double *out);

struct ag_crowd_nav;
/* Walking distances of the points to every exit on the floor field of nav
 * (row-major, pts x nexits, malloc'd into *out). */
int crowd_distances(struct ag_crowd_nav *nav, const struct ag_xy *pts, size_t n, size_t nexits,
                    double **out, struct ag_error *err);
/* Tier 1's egress time for `people` through every exit at the Green Guide
 * rates (82 persons/m/min level, 66 stairs): people / sum(width x rate). */
double crowd_tier1_time_s(const struct ag_crowd_geom *g, double people);

int crowd_simulate(int argc, char **argv);

#endif
