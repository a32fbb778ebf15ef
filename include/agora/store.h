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
    /* One short write, then close: the file keeps its journal mode. A
     * writer otherwise puts it in WAL while open (readers then never wait
     * for it) and back on close, a switch that costs each way a
     * transaction and its fsyncs (~20 ms of storing a vehicle analysis). */
    AG_STORE_BRIEF = 4,
};

/* The schema version this build writes and reads. */
#define AG_STORE_SCHEMA_VERSION 10

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

/* A short text that changes whenever the city's model does (a re-import, a
 * space added): for caches of what is drawn from it. */
int ag_store_city_stamp(struct ag_store *s, int64_t city_id, char out[64], struct ag_error *err);

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
/* The city's buildings whose lon/lat box meets one of boxes[0..n) and
 * that keep() accepts, in id order: found through the buildings' R*Tree
 * (its boxes, in single precision, are rounded outwards: keep() makes the
 * exact test), so that the others are never read. */
int ag_store_buildings_in(struct ag_store *s, int64_t city_id, const struct ag_bbox *boxes,
                          size_t n, bool (*keep)(void *ud, struct ag_bbox box), void *ud,
                          struct ag_vec *out, struct ag_error *err);

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
    int rev; /* changes made to this version, from 1 (schema 5) */
    char created_at[32], updated_at[32];
    char *assessor;
    char sharing[16];
    bool share_details; /* others who may see it see it in full, not a summary */
    char *doc;
};

void ag_assessment_rec_free(struct ag_assessment_rec *r);
/* Inserts a new version for r->space_id (version = the space's highest + 1,
 * or 1), logs "created" by who, and sets r->id and r->version. */
int ag_store_assessment_insert(struct ag_store *s, struct ag_assessment_rec *r, const char *who,
                               struct ag_error *err);
/* Replaces the document (and assessor, sharing, share_details, updated_at)
 * of r->id, increments its revision (r->rev is set to the new one) and logs
 * what was done, in one transaction. With expected_rev > 0 the change is
 * made only when the stored revision is expected_rev, else AG_ECONFLICT
 * (someone saved in between). AG_ENOTFOUND if no such id. */
int ag_store_assessment_update(struct ag_store *s, struct ag_assessment_rec *r, int expected_rev,
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

/* ---- transactions ----
 * Wraps several store calls in one transaction (a change and its audit
 * record): the store's own functions nest inside it. ag_store_commit rolls
 * back when it fails. */
int ag_store_begin(struct ag_store *s, struct ag_error *err);
int ag_store_commit(struct ag_store *s, struct ag_error *err);
void ag_store_rollback(struct ag_store *s);

/* ---- accounts, roles, sessions, audit (schema 5; docs/internals/server.md) ---- */

struct ag_user {
    int64_t id;
    char name[64];
    char display_name[128];
    char organisation[128];
    char lang[8];
    bool admin;
    char created_at[32];
};

/* A role in a city; ordered, a higher role has every right of a lower one. */
enum ag_role { AG_ROLE_NONE, AG_ROLE_VIEWER, AG_ROLE_ASSESSOR, AG_ROLE_COORDINATOR };
const char *ag_role_name(enum ag_role r);
/* "viewer", "assessor", "coordinator" → the role; AG_ROLE_NONE otherwise. */
enum ag_role ag_role_parse(const char *name);

struct ag_grant {
    int64_t user_id, city_id;
    char user[64], city[128];
    enum ag_role role;
    bool partner; /* the user belongs to a partner organisation */
    char granted_at[32], granted_by[64];
};

struct ag_session {
    int64_t user_id;
    char csrf[64];
    int64_t created_at, last_seen, expires_at; /* Unix seconds */
};

/* Checks a login name: 1 to 63 characters from [A-Za-z0-9._@-]. */
bool ag_user_name_ok(const char *name);
/* Adds an account (u->id set); AG_EEXIST when the name is taken. Audited
 * as "user.add" by who. */
int ag_store_user_add(struct ag_store *s, struct ag_user *u, const char *pw_hash, const char *who,
                      struct ag_error *err);
/* By name or by id; pw_hash (malloc'd) when not NULL. AG_ENOTFOUND. */
int ag_store_user_get(struct ag_store *s, const char *name, struct ag_user *out, char **pw_hash,
                      struct ag_error *err);
int ag_store_user_by_id(struct ag_store *s, int64_t id, struct ag_user *out,
                        struct ag_error *err);
/* Every account by name: out vec of struct ag_user. */
int ag_store_users(struct ag_store *s, struct ag_vec *out, struct ag_error *err);
/* Changes the password (and ends the user's sessions) / the language. */
int ag_store_user_set_password(struct ag_store *s, int64_t id, const char *pw_hash,
                               const char *who, struct ag_error *err);
int ag_store_user_set_lang(struct ag_store *s, int64_t id, const char *lang, const char *who,
                           struct ag_error *err);

/* Grants role in city (replacing the user's grant there), or removes the
 * grant with AG_ROLE_NONE (AG_ENOTFOUND when there was none). Audited. */
int ag_store_grant(struct ag_store *s, int64_t user_id, int64_t city_id, enum ag_role role,
                   bool partner, const char *who, struct ag_error *err);
/* Grants of a user (city_id 0), of a city (user_id 0) or all (both 0), by
 * city then user name: out vec of struct ag_grant. */
int ag_store_grants(struct ag_store *s, int64_t user_id, int64_t city_id, struct ag_vec *out,
                    struct ag_error *err);
/* The user's role in the city (AG_ROLE_NONE without a grant). */
int ag_store_role(struct ag_store *s, int64_t user_id, int64_t city_id, enum ag_role *role,
                  bool *partner, struct ag_error *err);

/* Sessions are stored by the hash of their token, never the token. */
int ag_store_session_add(struct ag_store *s, const uint8_t hash[32], const struct ag_session *se,
                         struct ag_error *err);
/* The live session with this hash at time now, or AG_ENOTFOUND (also when
 * expired, or idle longer than idle_s). Records the use when last_seen is
 * more than a minute old (so that reads do not each write). */
int ag_store_session_get(struct ag_store *s, const uint8_t hash[32], int64_t now, int64_t idle_s,
                         struct ag_session *out, struct ag_error *err);
int ag_store_session_delete(struct ag_store *s, const uint8_t hash[32], struct ag_error *err);
/* Removes expired sessions; sets *removed when not NULL. */
int ag_store_sessions_purge(struct ag_store *s, int64_t now, int64_t idle_s, int64_t *removed,
                            struct ag_error *err);

struct ag_audit_rec {
    int64_t id, city_id; /* city 0: none */
    char at[32];
    char who[64];
    char action[64];
    char *target, *detail;
};
void ag_audit_rec_free(struct ag_audit_rec *r);
/* One line of the audit log: when (now), who, city (0: none), what. */
int ag_store_audit(struct ag_store *s, const char *who, int64_t city_id, const char *action,
                   const char *target, const char *detail, struct ag_error *err);
/* The log of a city (city_id 0: all), newest first, at most limit rows (0:
 * all): out vec of struct ag_audit_rec. */
int ag_store_audit_list(struct ag_store *s, int64_t city_id, int64_t limit, struct ag_vec *out,
                        struct ag_error *err);

/* ---- training progress (schema 6) ---- */

struct ag_training_rec {
    char item[64];   /* an exercise id, or the practical lesson's id */
    char lesson[32]; /* the lesson it belongs to */
    double score;    /* 0..1 */
    char at[32];
    char *answer; /* JSON: the options chosen, or the practical's answers */
};
void ag_training_rec_free(struct ag_training_rec *r);
/* Records (replacing) the learner's answer to an exercise. */
int ag_store_training_answer(struct ag_store *s, int64_t user_id, const char *exercise,
                             const char *lesson, const char *answer_json, double score,
                             struct ag_error *err);
/* Records (replacing) the learner's practical assessment and its score. */
int ag_store_training_practical(struct ag_store *s, int64_t user_id, const char *lesson,
                                const char *answers_json, double score, struct ag_error *err);
/* A learner's answers (exercises, then practicals, by item): out vec of
 * struct ag_training_rec; with_answers false leaves answer NULL. */
int ag_store_training_progress(struct ag_store *s, int64_t user_id, bool with_answers,
                               struct ag_vec *out, struct ag_error *err);

/* ---- perception surveys (schema 7; own questions: schema 8) ---- */

struct ag_survey {
    int64_t id, city_id, space_id;
    char title[256];
    char token[48]; /* the public form's address: /survey/<token> */
    bool open;
    char created_at[32], created_by[64];
    int64_t responses;
};

/* Creates a survey of a space (s->id, s->token set; token: a fresh random
 * one from the caller) with the city's own questions (JSON checked by
 * ag_survey_own_check; NULL for none). Audited. */
int ag_store_survey_add(struct ag_store *s, struct ag_survey *sv, const char *questions,
                        struct ag_error *err);
/* The survey's own questions (JSON), appended to out. */
int ag_store_survey_questions(struct ag_store *s, int64_t id, struct ag_buf *out,
                              struct ag_error *err);
/* Opens or closes a survey to new answers. Audited (survey.open,
 * survey.close) as who. */
int ag_store_survey_set_open(struct ag_store *s, int64_t id, bool open, const char *who,
                             struct ag_error *err);
/* By id, or by public token (id 0). AG_ENOTFOUND. */
int ag_store_survey_get(struct ag_store *s, int64_t id, const char *token, struct ag_survey *out,
                        struct ag_error *err);
/* The surveys of a city (space_id 0: all its spaces), newest first. */
int ag_store_surveys(struct ag_store *s, int64_t city_id, int64_t space_id, struct ag_vec *out,
                     struct ag_error *err);
/* Adds responses (JSON objects {"question": answer}) in one transaction,
 * dated today (UTC, "YYYY-MM-DD": the day only, never the time); source
 * "web" or "import". */
int ag_store_survey_respond(struct ag_store *s, int64_t survey_id, const char *source, const char *const *answers, size_t n,
                            struct ag_error *err);
/* Every response's answers (malloc'd JSON strings) in order. */
int ag_store_survey_responses(struct ag_store *s, int64_t survey_id, struct ag_vec *out,
                              struct ag_error *err);

#ifdef __cplusplus
}
#endif
#endif
