/* agora serve: the HTTP server's shared declarations (docs/internals/server.md).
 * SPDX-License-Identifier: EUPL-1.2 */
#ifndef AGORA_SERVER_H
#define AGORA_SERVER_H

#include "agora/assess.h"
#include "agora/base.h"
#include "agora/i18n.h"
#include "agora/model.h"
#include "agora/store.h"
#include "agora/partnership.h"
#include "agora/survey.h"
#include "agora/training.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#define SRV_BODY_MAX ((size_t)1 << 20)  /* request bodies over this: 413 */
#define SRV_SESSION_IDLE (12 * 3600)    /* seconds without a request */
#define SRV_SESSION_MAX (7 * 24 * 3600) /* seconds from sign-in */
#define SRV_COOKIE "agora_session"
#define SRV_MAX_STORES 256

struct srv_tiles;
struct srv_limiter;

struct srv_config {
    const char *db;
    const char *listen; /* "127.0.0.1:8080" */
    const char *webdir, *vendordir;
    const char *tile_url; /* optional internet tile server for the map */
    unsigned threads;
    bool secure_cookies;
    bool quiet;
};

struct srv {
    struct srv_config cfg;
    char db[4096];
    char webdir[4096], vendordir[4096];
    struct ag_catalogue *cat;
    struct ag_catalog *tr[5]; /* en (NULL), fr, de, it, nl */
    struct srv_tiles *tiles;
    struct srv_limiter *limiter;
    struct MHD_Daemon *daemon;
    pthread_mutex_t stores_mu;
    struct ag_store *stores[SRV_MAX_STORES];
    size_t nstores;
    char csp[1024];
    struct ag_training *training;  /* NULL when data/training is not installed */
    struct ag_survey_question *sq; /* the perception survey's questions */
    size_t nsq;
    char *reference; /* the practical's reference answers (JSON) */
    unsigned char order_key[16]; /* random per server: how order exercises are shuffled */
    size_t reference_len;
};

enum srv_access {
    ACC_PUBLIC,      /* no session */
    ACC_USER,        /* any signed-in user */
    ACC_ADMIN,       /* an administrator */
    ACC_VIEWER,      /* at least viewer in the path's city */
    ACC_ASSESSOR,    /* at least assessor there */
    ACC_COORDINATOR, /* coordinator there */
    /* in the path's partnership ({pid}), at least: */
    ACC_P_OBSERVER,
    ACC_P_MEMBER,
    ACC_P_LEADER, /* action leader */
    ACC_P_COORDINATOR,
};

struct req;
typedef int (*srv_handler)(struct req *r);

struct route {
    const char *method;
    /* segments; {cid} {sid} {aid} {vid} {pid} {mid} {action} {meeting} {practice} {z} {x}
     * {link} {y} {lang} {user} {item} {token} */
    const char *pattern;
    enum srv_access access;
    bool shared; /* the handler decides for users without a role (shared items) */
    srv_handler fn;
};

extern const struct route srv_routes[];
extern const size_t srv_nroutes;

struct req {
    struct srv *srv;
    struct MHD_Connection *conn;
    const char *method, *url;
    struct ag_buf body;
    bool too_big;
    char client[64];
    /* the signed-in user, when there is one */
    bool authed;
    struct ag_user user;
    struct ag_session sess;
    uint8_t token_hash[32];
    /* path parameters */
    int64_t cid, sid, aid, vid; /* city, space, assessment, survey */
    /* partnership, member, action, meeting, good practice */
    int64_t pid, mid, action, meeting, practice, link;
    int z, x, y;
    char lang[8], name[128], item[64];
    /* the user's role in the path's city (coordinator for an administrator) */
    enum ag_role role;
    bool partner;
    /* the user's role in the path's partnership (coordinator for an
     * administrator) */
    enum ag_prole prole;
    struct ag_store *store;
    /* the response */
    int status;
    struct ag_buf out;
    const char *ctype;
    char set_cookie[256];
    char disposition[256];
    char retry_after[24];
    int fd; /* a file to send instead of out (static files), or -1 */
    uint64_t fd_size;
};

/* The calling thread's store handle (opened on first use). */
struct ag_store *srv_store(struct srv *s, struct ag_error *err);
/* The catalogue of a language ("en": NULL, no translation needed). */
const struct ag_catalog *srv_tr(struct srv *s, const char *lang);
/* The request's language: ?lang=, else the user's, else "en". */
const char *srv_lang(struct req *r);

/* Responses. Each returns 0 so a handler can `return reply_...(r, ...)`. */
int reply_json(struct req *r, int status); /* r->out holds the JSON */
int reply_error(struct req *r, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Maps an agora error to a status: ENOTFOUND 404, EPARSE/EINVAL 400,
 * ECONFLICT 409, EEXIST 409, otherwise 500 (logged, generic message). */
int reply_ag_error(struct req *r, int code, const struct ag_error *err);
int reply_forbidden(struct req *r);

/* Request helpers. */
const char *req_arg(struct req *r, const char *name); /* query string value or NULL */
/* Parses the JSON body: 400 is already replied (return value non-NULL is
 * the root, to json_decref) when it fails, then *failed is set. */
struct json_t *req_json(struct req *r, bool *failed);
/* Records a change in the audit log (the user is who). */
int req_audit(struct req *r, int64_t city, const char *action, const char *target,
              const char *detail, struct ag_error *err);

/* JSON helpers */
int json_str(struct ag_buf *b, const char *s); /* a JSON string, "null" for NULL */

/* A city object / the array of the cities the user has a role in. */
int srv_put_city(struct ag_buf *b, const struct ag_city *c, enum ag_role role, bool partner);
int srv_put_cities(struct req *r, struct ag_buf *b, struct ag_error *err);

/* The city / space of the path; on failure the reply (404, 500) is made
 * and -1 returned. */
int srv_city(struct req *r, struct ag_city *out);
/* The same for any city id (404 replied when there is none). */
int srv_city_id(struct req *r, int64_t cid, struct ag_city *out);
int srv_space(struct req *r, struct ag_space *out);
/* Whether the user may see this assessment in full (sharing.c). */
bool srv_may_see_full(const struct req *r, const struct ag_assessment_rec *a);
/* Whether a user without a role in its city may see its summary. */
bool srv_may_see_summary(const struct req *r, const struct ag_assessment_rec *a);
/* {"assessment","total","max","level",...} of an assessment or null. */
int srv_put_risk(struct req *r, const struct ag_assessment_rec *latest, struct ag_buf *b);

/* Sessions, sign-in, rate limiting (session.c). */
int srv_limiter_new(struct srv_limiter **out);
void srv_limiter_free(struct srv_limiter *l);
/* Authenticates from the cookie; true when a live session was found. */
bool srv_authenticate(struct req *r);
bool srv_csrf_ok(struct req *r);
/* Counts a hit of key; the seconds to wait when there were already max in
 * the last 10 minutes, else 0. Kept in memory only. */
int64_t srv_limit_hit(struct srv_limiter *l, const char *key, int max, int64_t now);

/* Map layers (tiles.c). */
int srv_tiles_new(struct srv_tiles **out);
/* The GeoJSON FeatureCollection of the city's spaces into r->out, each with
 * the risk risks[k] (a JSON value) when its id is ids[k], else null. */
int srv_spaces_json(struct req *r, const struct ag_city *c, const int64_t *ids, char *const *risks,
                    size_t nrisks, struct ag_error *err);
/* The GeoJSON of tile z/x/y of a city into r->out. */
int srv_tile_json(struct req *r, const struct ag_city *c, struct ag_error *err);
void srv_tiles_free(struct srv_tiles *t);

/* Routing (route.c): whether path matches pattern (filling r's parameters);
 * the route of r->method and path (with HEAD as GET), or NULL and
 * *other_method when only another method has one. */
bool srv_route_match(struct req *r, const char *pattern, const char *path);
const struct route *srv_route_find(struct req *r, const char *path, bool *other_method);
/* The file path (relative, from "/") a static URL maps to, and whether it
 * is under the vendored Leaflet; false for anything not to be served
 * (traversal, hidden files, odd characters). */
bool srv_static_path(const char *url, char *rel, size_t cap, bool *vendor);

/* Static files (http.c). */
int srv_static(struct req *r);

/* Handlers. */
int h_health(struct req *r);
int h_i18n(struct req *r);
int h_login(struct req *r);
int h_session(struct req *r);
int h_logout(struct req *r);
int h_session_lang(struct req *r);
int h_cities(struct req *r);
int h_catalogue(struct req *r);
int h_shared(struct req *r);
int h_users(struct req *r);
int h_user_add(struct req *r);
int h_city(struct req *r);
int h_spaces(struct req *r);
int h_tile(struct req *r);
int h_space(struct req *r);
int h_vehicle(struct req *r);
int h_report(struct req *r);
int h_assessment_new(struct req *r);
int h_assessment(struct req *r);
int h_assessment_put(struct req *r);
int h_sharing(struct req *r);
int h_plan(struct req *r);
int h_members(struct req *r);
int h_member_put(struct req *r);
int h_member_delete(struct req *r);
int h_audit(struct req *r);
int h_training(struct req *r);
int h_lesson(struct req *r);
int h_exercise_answer(struct req *r);
int h_practical(struct req *r);
int h_practical_answer(struct req *r);
int h_certificate(struct req *r);
int h_public_survey(struct req *r);
int h_public_respond(struct req *r);
int h_surveys(struct req *r);
int h_survey_new(struct req *r);
int h_survey(struct req *r);
int h_survey_put(struct req *r);
int h_perception(struct req *r);
/* partnerships (api_partner.c) */
const char *srv_text_field(struct json_t *o, const char *field, size_t max, bool empty_ok,
                           bool *bad);
int srv_put_pmember(struct ag_buf *b, const struct ag_pmember *m);
int h_partnerships(struct req *r);
int h_partnership(struct req *r);
int h_partnership_new(struct req *r);
int h_partnership_put(struct req *r);
int h_pmember_new(struct req *r);
int h_pmember_put(struct req *r);
int h_pmember_delete(struct req *r);
int h_pmember_accept(struct req *r);
int h_pcandidates(struct req *r);
/* Whether the user may change an action led by member leader (0: none),
 * its reports, deliverables and funding: a coordinator of the partnership
 * (an administrator is one), or someone acting for the leader (for a
 * leader city: with a role above viewer there, as a viewer only observes).
 * api_actions.c. */
int srv_may_lead_action(struct req *r, int64_t leader, bool *ok, struct ag_error *err);
int h_action_funding_delete(struct req *r);
int h_city_funding_delete(struct req *r);
/* the action plan of a partnership (api_actions.c) */
int h_actions(struct req *r);
int h_action_new(struct req *r);
int h_action(struct req *r);
int h_action_put(struct req *r);
int h_action_report(struct req *r);
int h_action_deliverable(struct req *r);
int h_action_link(struct req *r);
int h_meetings(struct req *r);
int h_meeting_new(struct req *r);
int h_meeting(struct req *r);
int h_meeting_put(struct req *r);
int h_action_plan(struct req *r);
/* urban indicators and funding (api_indicators.c) */
int h_indicators(struct req *r);
int h_city_indicators(struct req *r);
int h_city_indicators_put(struct req *r);
int h_city_indicators_import(struct req *r);
int h_partnership_indicators(struct req *r);
int h_funding(struct req *r);
int h_action_funding(struct req *r);
int h_action_funding_new(struct req *r);
int h_city_funding(struct req *r);
int h_city_funding_new(struct req *r);
/* the good-practice library (api_practices.c) */
int h_practices(struct req *r);
int h_practice(struct req *r);
int h_practice_new(struct req *r);
int h_practice_from_measure(struct req *r);
int h_practice_put(struct req *r);
int h_practice_delete(struct req *r);

/* Starts the server; returns when SIGINT or SIGTERM arrives. */
int srv_run(const struct srv_config *cfg, struct ag_error *err);
/* Prints the route table (method, path, access) for tests and docs. */
void srv_print_routes(void);

#endif
