/* agora incidents: what the subcommands share.
 * SPDX-License-Identifier: EUPL-1.2 */
#ifndef AGORA_INCIDENTS_CLI_H
#define AGORA_INCIDENTS_CLI_H

#include "cli.h"
#include "agora/incident_io.h"
#include "agora/incidents.h"

/* The options that choose which incidents an analysis reads. */
struct inc_sel_opts {
    const char *db, *set, *category, *from, *to;
};

#define INC_SEL_CLI_OPTS(o)                                                                    \
    {"--db", &(o).db, NULL}, {"--set", &(o).set, NULL}, {"--category", &(o).category, NULL},  \
        {"--from", &(o).from, NULL}, {"--to", &(o).to, NULL}

#define INC_SEL_HELP                                                                           \
    "  --set NAME       the incident set (default: the only one in the database)\n"          \
    "  --category C     only these categories (comma-separated)\n"                            \
    "  --from DATE      only incidents on or after DATE (YYYY-MM-DD[ HH:MM])\n"              \
    "  --to DATE        only incidents before DATE\n"                                         \
    "  --db PATH        the database (default: $AGORA_DB, else ./agora.db)\n"

/* The incidents an analysis works on. */
struct inc_sel {
    struct ag_store *store;
    struct ag_incident_set set;
    struct ag_plane *plane;
    struct ag_vec rows;  /* struct ag_incident */
    size_t n;
    struct ag_xy *xy;    /* n points in the set's plane */
    double *t_days;      /* n times in days (local civil), NULL unless asked for */
    char what[512];      /* "set \"x\", category burglary, 2016-01-01 to ..." */
};

/* Opens the database read-only and loads the selection. need_time: every
 * selected record must have a time (AG_EINVAL naming the set otherwise) and
 * t_days is filled. min_n: fewer records is AG_EEMPTY. */
int inc_select(const struct inc_sel_opts *o, bool need_time, size_t min_n, struct inc_sel *s,
               struct ag_error *err);
void inc_sel_free(struct inc_sel *s);

enum inc_format { INC_TEXT, INC_JSON, INC_GEOJSON, INC_CSV };

/* One of --json, --geojson, --csv (or none: text); more than one is a usage
 * error (returns -1 after printing it). allowed: bit mask of 1 << format. */
int inc_format(bool json, bool geojson, bool csv, unsigned allowed, const char *cmd);

/* Number options: "--band" "250" -> 250. Returns 0, or prints a usage
 * message and returns -1. */
int inc_opt_double(const char *cmd, const char *opt, const char *text, double min_excl,
                   double *out);
int inc_opt_uint(const char *cmd, const char *opt, const char *text, unsigned min, unsigned max,
                 unsigned *out);
int inc_opt_u64(const char *cmd, const char *opt, const char *text, uint64_t *out);

/* A grid over the selection's bounding box (or `extent` "xmin,ymin,xmax,ymax"
 * in the plane) with cells of cell_m, padded by pad_m on every side. */
int inc_grid(const struct inc_sel *s, const char *extent, double cell_m, double pad_m,
             struct ag_incidents_grid *g, struct ag_error *err);

/* Writes the JSON header every result shares: {"set":...,"plane":...,
 * "n":..., "selection":..., (no closing brace). */
void inc_json_head(struct ag_buf *b, const struct inc_sel *s, const char *method);

/* A cell of a grid as a GeoJSON polygon ring in lon/lat. */
void inc_geojson_cell(struct ag_buf *b, const struct inc_sel *s, const struct ag_incidents_grid *g,
                      size_t ix, size_t iy);

/* Prints b to stdout (and frees it); AG_ELIMIT/ENOMEM if the buffer
 * overflowed. */
int inc_emit(struct ag_buf *b, struct ag_error *err);

/* ---- units: grid cells or public spaces ---- */

struct inc_units {
    size_t n;
    bool grid; /* cells of g, else the city's public spaces */
    struct ag_incidents_grid g;
    struct ag_xy *centre; /* n centres (cells) or centroids (spaces) in the plane */
    double *count;        /* n: incidents in the unit */
    /* spaces only */
    struct ag_city city;
    struct ag_vec spaces;                 /* struct ag_space with geometry */
    double around_m;
    struct ag_incidents_in_spaces inside; /* count aliases inside.within */
};

/* Cells of cell_m over the selection's bounding box (or --extent), with the
 * count of incidents in each. */
int inc_units_grid(const struct inc_sel *s, const char *extent, double cell_m,
                   struct inc_units *u, struct ag_error *err);
/* The public spaces of `city` (NULL: the only city) with the incidents inside
 * each, and within around_m (0: none) of it. */
int inc_units_spaces(const struct inc_sel *s, const char *city, double around_m,
                     struct inc_units *u, struct ag_error *err);
void inc_units_free(struct inc_units *u);

/* Weights between units: band ("250": centres within 250 m), contiguity
 * ("queen" or "rook", grids only) or a GAL file (spaces: ids are space ids);
 * exactly one may be given, none means queen for a grid. self: w_ii = 1 (for
 * Gi*). describe receives a short description. */
int inc_units_weights(const struct inc_units *u, const char *band, const char *contiguity,
                      const char *gal, bool self, struct ag_incidents_weights *w, char *describe,
                      size_t cap, struct ag_error *err);

/* A unit's label ("cell 12,7" or the space's name and id) and geometry. */
const char *inc_unit_label(const struct inc_units *u, size_t i, char *buf, size_t cap);
void inc_unit_geojson(struct ag_buf *b, const struct inc_sel *s, const struct inc_units *u,
                      size_t i);
/* CSV columns naming the unit: "ix,iy,x,y" or "space_id,name". */
void inc_unit_csv_id(struct ag_buf *b, const struct inc_units *u, size_t i);
/* A CSV field in double quotes, quotes doubled. */
void inc_csv_text(struct ag_buf *b, const char *s);
/* JSON members naming the unit: "unit":...,"space_id":... or "ix":..,"iy":.. */
void inc_unit_json_id(struct ag_buf *b, const struct inc_units *u, size_t i);

int inc_cmd_kde(int argc, char **argv);
int inc_cmd_gistar(int argc, char **argv);
int inc_cmd_moran(int argc, char **argv);
int inc_cmd_nni(int argc, char **argv);
int inc_cmd_knox(int argc, char **argv);
int inc_cmd_profile(int argc, char **argv);
int inc_cmd_spaces(int argc, char **argv);

#endif
