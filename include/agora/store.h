/* agora — the store: where the city model and every result live.
 *
 * The API names no database: it takes and returns model structs, so that a
 * PostgreSQL backend can sit behind the same functions later (see
 * docs/internals/store.md). Today the backend is SQLite: one file, WAL,
 * foreign keys on, schema migrations applied in order when the file is opened.
 * A store handle is used from one thread at a time.
 * SPDX-License-Identifier: EUPL-1.2 */
#ifndef AGORA_STORE_H
#define AGORA_STORE_H

#include "agora/incident_io.h"
#include "agora/model.h"

#ifdef __cplusplus
extern "C" {
#endif

struct ag_store;

enum ag_store_flags {
    AG_STORE_READONLY = 1, /* never write, never create */
    AG_STORE_CREATE = 2,   /* create the database when it does not exist */
};

/* The schema version this build writes and reads. */
#define AG_STORE_SCHEMA_VERSION 4

/* Opens the store at `location`: a file path, or "sqlite:PATH". A
 * "postgresql://" location is reserved for the PostgreSQL backend and fails
 * with AG_EINVAL in this build. Pending schema migrations are applied in one
 * transaction (not with AG_STORE_READONLY, which then fails with AG_EVERSION
 * when the file is older than this build). A database written by a newer
 * agora is refused with AG_EVERSION. A location that cannot be written when
 * writing was asked for fails with AG_EREADONLY before anything is changed;
 * when this call created the file and then failed, the file is removed. */
int ag_store_open(struct ag_store **out, const char *location, int flags,
                  struct ag_error *err);
void ag_store_close(struct ag_store *s);
int ag_store_schema_version(struct ag_store *s);

struct ag_city {
    int64_t id;
    char name[128];
    char source[512];
    char imported_at[32]; /* UTC, ISO 8601 */
    struct ag_ll origin;  /* centre of the local projection */
    struct ag_bbox bbox;
    int64_t import_count; /* how many times this city was imported */
};

/* Counts of what an import did. */
struct ag_import_stats {
    int64_t city_id;
    bool city_created;
    int64_t spaces_inserted, spaces_updated, spaces_removed;
    int64_t road_nodes, road_edges, barriers, buildings;
};

/* Writes the model as city `name` in one transaction: creates the city or,
 * when it exists, replaces its OSM-derived content. Spaces keep their id
 * across re-imports (matched by OSM reference); spaces no longer in the data
 * are removed; custom spaces are kept. On failure nothing is changed. */
int ag_store_import(struct ag_store *s, const char *name,
                    const struct ag_city_model *m, struct ag_import_stats *st,
                    struct ag_error *err);

/* Finds a city by name; with name NULL, the only city in the store (AG_EAMBIG
 * when there are several, AG_ENOTFOUND when there is none). */
int ag_store_city_get(struct ag_store *s, const char *name, struct ag_city *out,
                      struct ag_error *err);
/* All cities, ordered by name. out: vec of struct ag_city (init by caller). */
int ag_store_cities(struct ag_store *s, struct ag_vec *out,
                    struct ag_error *err);

/* Spaces of a city, ordered by kind then name then id. out: vec of struct
 * ag_space initialised by the caller; free each with ag_space_free. With
 * with_geom false, geom is left empty (faster listing). */
int ag_store_spaces(struct ag_store *s, int64_t city_id, bool with_geom,
                    struct ag_vec *out, struct ag_error *err);
/* One space by reference: an internal id ("12") or an OSM reference
 * ("way/4227203"). */
int ag_store_space_get(struct ag_store *s, int64_t city_id, const char *ref,
                       struct ag_space *out, struct ag_error *err);
/* Adds a custom space (origin "custom"); its measures must be filled in.
 * Sets sp->id. */
int ag_store_space_add(struct ag_store *s, int64_t city_id,
                       struct ag_space *sp, struct ag_error *err);

/* Road graph, barriers and buildings of a city; out vecs of the model structs
 * initialised by the caller. */
int ag_store_road_edges(struct ag_store *s, int64_t city_id, struct ag_vec *out,
                        struct ag_error *err);
int ag_store_road_nodes(struct ag_store *s, int64_t city_id, struct ag_vec *out,
                        struct ag_error *err);
int ag_store_barriers(struct ag_store *s, int64_t city_id, struct ag_vec *out,
                      struct ag_error *err);
int ag_store_buildings(struct ag_store *s, int64_t city_id, struct ag_vec *out,
                       struct ag_error *err);

/* Vehicle approach results (schema 2). One run keeps the model, the vehicle
 * class table it used (its CSV text) and other parameters (JSON), and one
 * JSON result per space (the format of `agora vehicle --json`). Written in
 * one transaction; sets *run_id. */
int ag_store_vehicle_save(struct ag_store *s, int64_t city_id, const char *model,
                          const char *classes_csv, const char *params_json,
                          const int64_t *space_ids, const char *const *results, size_t n,
                          int64_t *run_id, struct ag_error *err);
/* The latest result for a space (malloc'd JSON), or AG_ENOTFOUND. */
int ag_store_vehicle_latest(struct ag_store *s, int64_t space_id, char **result_json,
                            struct ag_error *err);

/* ---- incidents (schema 3) ---- */

struct ag_incident_set {
    int64_t id;
    char name[128];
    char source[512];     /* the file it came from */
    char imported_at[32]; /* UTC, ISO 8601 */
    char crs[128];        /* the coordinates' CRS in the file */
    char plane[128];      /* where distances are taken (ag_plane_new) */
    char *params;         /* JSON: the columns and formats used (malloc'd) */
    int64_t records;      /* stored */
    int64_t skipped;      /* bad records left out (--skip-bad) */
};

void ag_incident_set_free(struct ag_incident_set *set);

/* Stores rows[0..n) as set `set->name` in one transaction, replacing a set
 * of that name (*replaced tells). Sets set->id. On failure nothing is
 * changed. */
int ag_store_incidents_save(struct ag_store *s, struct ag_incident_set *set,
                            const struct ag_incident *rows, size_t n, bool *replaced,
                            struct ag_error *err);
/* All sets, ordered by name. out: vec of struct ag_incident_set. */
int ag_store_incident_sets(struct ag_store *s, struct ag_vec *out, struct ag_error *err);
/* A set by name; with name NULL, the only set (AG_EAMBIG when there are
 * several, AG_ENOTFOUND when there is none). */
int ag_store_incident_set_get(struct ag_store *s, const char *name, struct ag_incident_set *out,
                              struct ag_error *err);

/* Which records of a set to load. */
struct ag_incident_filter {
    const char *const *categories; /* ncat names; 0: every category */
    size_t ncat;
    bool has_from, has_to;
    int64_t from, to; /* local civil seconds, from inclusive, to exclusive */
    /* Load only what the statistics need (xy, t, has_t, has_time): line, ll
     * and category are left zero, which makes large sets load twice as
     * fast. */
    bool xy_only;
};

/* Records of a set in file order. out: vec of struct ag_incident
 * (initialised by the caller; free each category). With a time bound,
 * records without a time are left out. */
int ag_store_incidents_load(struct ag_store *s, int64_t set_id,
                            const struct ag_incident_filter *f, struct ag_vec *out,
                            struct ag_error *err);

/* ---- assessments (schema 4) ----
 * One row per version of a space's assessment; the document is the JSON of
 * ag_assessment_to_json (agora/assess.h), the store does not look inside. */
struct ag_assessment_rec {
    int64_t id, city_id, space_id, based_on; /* based_on: 0 when none */
    int version;
    char created_at[32], updated_at[32];
    char *assessor;
    char sharing[16];
    char *doc;
};

void ag_assessment_rec_free(struct ag_assessment_rec *r);
/* Inserts a new version for r->space_id (version = the space's highest + 1,
 * or 1), logs "created" by who, and sets r->id and r->version. */
int ag_store_assessment_insert(struct ag_store *s, struct ag_assessment_rec *r, const char *who,
                               struct ag_error *err);
/* Replaces the document (and assessor, sharing, updated_at) of r->id and
 * logs what was done, in one transaction. AG_ENOTFOUND if no such id. */
int ag_store_assessment_update(struct ag_store *s, const struct ag_assessment_rec *r,
                               const char *who, const char *what, struct ag_error *err);
int ag_store_assessment_get(struct ag_store *s, int64_t id, struct ag_assessment_rec *out,
                            struct ag_error *err);
/* The highest version of the space's assessment, or AG_ENOTFOUND. */
int ag_store_assessment_latest(struct ag_store *s, int64_t space_id,
                               struct ag_assessment_rec *out, struct ag_error *err);
/* Every assessment of the city (struct ag_assessment_rec, doc NULL), by
 * space then version. */
int ag_store_assessments(struct ag_store *s, int64_t city_id, struct ag_vec *out,
                         struct ag_error *err);
/* The change log of an assessment as lines "at\twho\twhat\n". */
int ag_store_assessment_log(struct ag_store *s, int64_t id, struct ag_buf *out,
                            struct ag_error *err);

#ifdef __cplusplus
}
#endif
#endif
