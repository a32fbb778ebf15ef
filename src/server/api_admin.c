/* agora serve: accounts (administrators), members of a city and its audit
 * log (coordinators), and the route table.
 * SPDX-License-Identifier: EUPL-1.2 */
#include "server/server.h"

#include "agora/auth.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int put_user(struct ag_buf *b, const struct ag_user *u)
{
    int rc = ag_buf_printf(b, "{\"id\":%lld,\"name\":", (long long)u->id);
    if (!rc)
        rc = json_str(b, u->name);
    if (!rc)
        rc = ag_buf_puts(b, ",\"display_name\":");
    if (!rc)
        rc = json_str(b, u->display_name);
    if (!rc)
        rc = ag_buf_puts(b, ",\"organisation\":");
    if (!rc)
        rc = json_str(b, u->organisation);
    if (!rc)
        rc = ag_buf_printf(b, ",\"admin\":%s,\"lang\":\"%s\",\"created_at\":\"%s\"}",
                           u->admin ? "true" : "false", u->lang, u->created_at);
    return rc;
}

int h_users(struct req *r)
{
    struct ag_vec v;
    ag_vec_init(&v, sizeof(struct ag_user));
    struct ag_error err = {0};
    int rc = ag_store_users(r->store, &v, &err);
    if (!rc)
        rc = ag_buf_puts(&r->out, "[");
    for (size_t i = 0; !rc && i < v.len; i++) {
        rc = ag_buf_puts(&r->out, i ? "," : "");
        if (!rc)
            rc = put_user(&r->out, &AG_VEC_AT(&v, struct ag_user, i));
    }
    if (!rc)
        rc = ag_buf_puts(&r->out, "]");
    ag_vec_free(&v);
    return rc ? reply_ag_error(r, rc, &err) : reply_json(r, 200);
}

/* A text member of at most cap-1 bytes, or absent; 400 replied on error. */
static int get_text(struct req *r, json_t *root, const char *key, bool required, char *out,
                    size_t cap)
{
    json_t *v = json_object_get(root, key);
    out[0] = 0;
    if (!v && !required)
        return 0;
    if (!json_is_string(v) || json_string_length(v) >= cap || !ag_text_ok(json_string_value(v))) {
        reply_error(r, 400, "\"%s\": expected text of at most %zu bytes", key, cap - 1);
        return -1;
    }
    snprintf(out, cap, "%s", json_string_value(v));
    return 0;
}

int h_user_add(struct req *r)
{
    bool failed;
    json_t *root = req_json(r, &failed);
    if (failed)
        return 0;
    struct ag_user u = {0};
    char pw[AG_PASSWORD_MAX + 1];
    int rc = get_text(r, root, "name", true, u.name, sizeof u.name);
    if (!rc)
        rc = get_text(r, root, "password", true, pw, sizeof pw);
    if (!rc)
        rc = get_text(r, root, "display_name", false, u.display_name, sizeof u.display_name);
    if (!rc)
        rc = get_text(r, root, "organisation", false, u.organisation, sizeof u.organisation);
    json_t *ja = json_object_get(root, "admin");
    if (!rc && ja && !json_is_boolean(ja)) {
        reply_error(r, 400, "\"admin\": expected true or false");
        rc = -1;
    }
    u.admin = json_is_true(ja);
    json_decref(root);
    if (rc)
        return 0;
    struct ag_error err = {0};
    if (!ag_user_name_ok(u.name))
        return reply_error(r, 400, "\"name\": expected 1 to 63 letters, digits or . _ @ -");
    char hash[AG_PWHASH_MAX];
    rc = ag_password_check(pw, &err);
    if (!rc)
        rc = ag_password_hash(pw, hash, &err);
    if (!rc)
        rc = ag_store_user_add(r->store, &u, hash, r->user.name, &err);
    if (rc)
        return reply_ag_error(r, rc, &err);
    rc = put_user(&r->out, &u);
    return rc ? reply_ag_error(r, rc, NULL) : reply_json(r, 201);
}

int h_members(struct req *r)
{
    struct ag_city c;
    if (srv_city(r, &c))
        return 0;
    struct ag_vec v;
    ag_vec_init(&v, sizeof(struct ag_grant));
    struct ag_error err = {0};
    int rc = ag_store_grants(r->store, 0, c.id, &v, &err);
    if (!rc)
        rc = ag_buf_puts(&r->out, "[");
    for (size_t i = 0; !rc && i < v.len; i++) {
        const struct ag_grant *g = &AG_VEC_AT(&v, struct ag_grant, i);
        struct ag_user u;
        rc = ag_store_user_by_id(r->store, g->user_id, &u, &err);
        if (!rc)
            rc = ag_buf_printf(&r->out, "%s{\"user\":", i ? "," : "");
        if (!rc)
            rc = json_str(&r->out, g->user);
        if (!rc)
            rc = ag_buf_puts(&r->out, ",\"display_name\":");
        if (!rc)
            rc = json_str(&r->out, u.display_name);
        if (!rc)
            rc = ag_buf_puts(&r->out, ",\"organisation\":");
        if (!rc)
            rc = json_str(&r->out, u.organisation);
        if (!rc)
            rc = ag_buf_printf(&r->out,
                               ",\"role\":\"%s\",\"partner\":%s,\"granted_at\":\"%s\","
                               "\"granted_by\":",
                               ag_role_name(g->role), g->partner ? "true" : "false", g->granted_at);
        if (!rc)
            rc = json_str(&r->out, g->granted_by);
        if (!rc)
            rc = ag_buf_puts(&r->out, "}");
    }
    if (!rc)
        rc = ag_buf_puts(&r->out, "]");
    ag_vec_free(&v);
    return rc ? reply_ag_error(r, rc, &err) : reply_json(r, 200);
}

/* 1 when a coordinator (not an administrator) acts on another coordinator
 * of the city, which only an administrator may change or remove; 0, or an
 * error code. */
static int peer_coordinator(struct req *r, int64_t user, int64_t city, struct ag_error *err)
{
    if (r->user.admin)
        return 0;
    enum ag_role theirs;
    int rc = ag_store_role(r->store, user, city, &theirs, NULL, err);
    return rc ? rc : theirs == AG_ROLE_COORDINATOR;
}

int h_member_put(struct req *r)
{
    bool failed;
    json_t *root = req_json(r, &failed);
    if (failed)
        return 0;
    enum ag_role role = ag_role_parse(json_string_value(json_object_get(root, "role")));
    json_t *jp = json_object_get(root, "partner");
    bool bad = role == AG_ROLE_NONE || (jp && !json_is_boolean(jp));
    bool partner = json_is_true(jp);
    json_decref(root);
    if (bad)
        return reply_error(r, 400,
                           "expected {\"role\": \"viewer\", \"assessor\" or "
                           "\"coordinator\", \"partner\": true or false}");
    /* only an administrator makes coordinators */
    if (role == AG_ROLE_COORDINATOR && !r->user.admin)
        return reply_forbidden(r);
    struct ag_city c;
    if (srv_city(r, &c))
        return 0;
    struct ag_user u;
    struct ag_error err = {0};
    int rc = ag_store_user_get(r->store, r->name, &u, NULL, &err);
    if (rc == AG_ENOTFOUND)
        return reply_error(r, 404, "user \"%s\": no such user", r->name);
    if (!rc && (rc = peer_coordinator(r, u.id, c.id, &err)) > 0)
        return reply_forbidden(r);
    if (!rc)
        rc = ag_store_grant(r->store, u.id, c.id, role, partner, r->user.name, &err);
    if (rc)
        return reply_ag_error(r, rc, &err);
    return h_members(r);
}

int h_member_delete(struct req *r)
{
    struct ag_city c;
    if (srv_city(r, &c))
        return 0;
    struct ag_user u;
    struct ag_error err = {0};
    int rc = ag_store_user_get(r->store, r->name, &u, NULL, &err);
    if (!rc && (rc = peer_coordinator(r, u.id, c.id, &err)) > 0)
        return reply_forbidden(r);
    if (!rc)
        rc = ag_store_grant(r->store, u.id, c.id, AG_ROLE_NONE, false, r->user.name, &err);
    if (rc == AG_ENOTFOUND)
        return reply_error(r, 404, "user \"%s\" has no role in this city", r->name);
    if (rc)
        return reply_ag_error(r, rc, &err);
    return reply_json(r, 204);
}

int h_audit(struct req *r)
{
    struct ag_city c;
    if (srv_city(r, &c))
        return 0;
    int64_t limit = 500;
    const char *ls = req_arg(r, "limit");
    if (ls) {
        char *end;
        limit = strtoll(ls, &end, 10);
        if (*end || limit < 1 || limit > 100000)
            return reply_error(r, 400, "limit: expected 1 to 100000");
    }
    struct ag_vec v;
    ag_vec_init(&v, sizeof(struct ag_audit_rec));
    struct ag_error err = {0};
    int rc = ag_store_audit_list(r->store, c.id, limit, &v, &err);
    if (!rc)
        rc = ag_buf_puts(&r->out, "[");
    for (size_t i = 0; !rc && i < v.len; i++) {
        const struct ag_audit_rec *a = &AG_VEC_AT(&v, struct ag_audit_rec, i);
        rc = ag_buf_printf(&r->out, "%s{\"id\":%lld,\"at\":\"%s\",\"who\":", i ? "," : "",
                           (long long)a->id, a->at);
        if (!rc)
            rc = json_str(&r->out, a->who);
        if (!rc)
            rc = ag_buf_puts(&r->out, ",\"action\":");
        if (!rc)
            rc = json_str(&r->out, a->action);
        if (!rc)
            rc = ag_buf_puts(&r->out, ",\"target\":");
        if (!rc)
            rc = json_str(&r->out, a->target);
        if (!rc)
            rc = ag_buf_puts(&r->out, ",\"detail\":");
        if (!rc)
            rc = json_str(&r->out, a->detail);
        if (!rc)
            rc = ag_buf_puts(&r->out, "}");
    }
    if (!rc)
        rc = ag_buf_puts(&r->out, "]");
    for (size_t i = 0; i < v.len; i++)
        ag_audit_rec_free(&AG_VEC_AT(&v, struct ag_audit_rec, i));
    ag_vec_free(&v);
    return rc ? reply_ag_error(r, rc, &err) : reply_json(r, 200);
}

/* ---------- the routes ---------- */

#define API "/api/v1"

const struct route srv_routes[] = {
    {"GET", API "/health", ACC_PUBLIC, false, h_health},
    {"GET", API "/i18n/{lang}", ACC_PUBLIC, false, h_i18n},
    {"POST", API "/session", ACC_PUBLIC, false, h_login},
    {"GET", API "/session", ACC_USER, false, h_session},
    {"DELETE", API "/session", ACC_USER, false, h_logout},
    {"PUT", API "/session/lang", ACC_USER, false, h_session_lang},
    {"GET", API "/cities", ACC_USER, false, h_cities},
    {"GET", API "/catalogue", ACC_USER, false, h_catalogue},
    {"GET", API "/shared", ACC_USER, false, h_shared},
    {"GET", API "/users", ACC_ADMIN, false, h_users},
    {"POST", API "/users", ACC_ADMIN, false, h_user_add},
    {"GET", API "/cities/{cid}", ACC_VIEWER, false, h_city},
    {"GET", API "/cities/{cid}/spaces", ACC_VIEWER, false, h_spaces},
    {"GET", API "/cities/{cid}/tiles/{z}/{x}/{y}", ACC_VIEWER, false, h_tile},
    {"GET", API "/cities/{cid}/spaces/{sid}", ACC_VIEWER, false, h_space},
    {"GET", API "/cities/{cid}/spaces/{sid}/vehicle", ACC_VIEWER, false, h_vehicle},
    {"GET", API "/cities/{cid}/spaces/{sid}/report", ACC_VIEWER, false, h_report},
    {"POST", API "/cities/{cid}/spaces/{sid}/assessments", ACC_ASSESSOR, false, h_assessment_new},
    {"GET", API "/cities/{cid}/assessments/{aid}", ACC_VIEWER, true, h_assessment},
    {"PUT", API "/cities/{cid}/assessments/{aid}", ACC_ASSESSOR, false, h_assessment_put},
    {"PUT", API "/cities/{cid}/assessments/{aid}/sharing", ACC_COORDINATOR, false, h_sharing},
    {"GET", API "/cities/{cid}/assessments/{aid}/plan", ACC_VIEWER, false, h_plan},
    {"GET", API "/cities/{cid}/members", ACC_COORDINATOR, false, h_members},
    {"PUT", API "/cities/{cid}/members/{user}", ACC_COORDINATOR, false, h_member_put},
    {"DELETE", API "/cities/{cid}/members/{user}", ACC_COORDINATOR, false, h_member_delete},
    {"GET", API "/cities/{cid}/audit", ACC_COORDINATOR, false, h_audit},
    {"GET", API "/training", ACC_USER, false, h_training},
    {"GET", API "/training/lessons/{item}", ACC_USER, false, h_lesson},
    {"POST", API "/training/exercises/{item}", ACC_USER, false, h_exercise_answer},
    {"GET", API "/training/practical/{item}", ACC_USER, false, h_practical},
    {"POST", API "/training/practical/{item}", ACC_USER, false, h_practical_answer},
    {"GET", API "/training/certificate", ACC_USER, false, h_certificate},
    {"GET", API "/public/surveys/{token}", ACC_PUBLIC, false, h_public_survey},
    {"POST", API "/public/surveys/{token}/responses", ACC_PUBLIC, false, h_public_respond},
    {"GET", API "/cities/{cid}/surveys", ACC_VIEWER, false, h_surveys},
    {"POST", API "/cities/{cid}/surveys", ACC_COORDINATOR, false, h_survey_new},
    {"GET", API "/cities/{cid}/surveys/{vid}", ACC_VIEWER, false, h_survey},
    {"PUT", API "/cities/{cid}/surveys/{vid}", ACC_COORDINATOR, false, h_survey_put},
    {"GET", API "/cities/{cid}/perception", ACC_VIEWER, false, h_perception},
    /* partnerships (issue 9) */
    {"GET", API "/partnerships", ACC_USER, false, h_partnerships},
    {"POST", API "/partnerships", ACC_USER, true, h_partnership_new},
    {"GET", API "/partnerships/{pid}", ACC_P_OBSERVER, false, h_partnership},
    {"PUT", API "/partnerships/{pid}", ACC_P_COORDINATOR, false, h_partnership_put},
    {"POST", API "/partnerships/{pid}/members", ACC_P_COORDINATOR, false, h_pmember_new},
    {"GET", API "/partnerships/{pid}/candidates", ACC_P_COORDINATOR, false, h_pcandidates},
    {"PUT", API "/partnerships/{pid}/members/{mid}", ACC_P_COORDINATOR, false, h_pmember_put},
    {"DELETE", API "/partnerships/{pid}/members/{mid}", ACC_P_COORDINATOR, false,
     h_pmember_delete},
    {"POST", API "/partnerships/{pid}/members/{mid}/accept", ACC_USER, true, h_pmember_accept},
    /* the action plan: actions, reports, deliverables, links, meetings (api_actions.c) */
    {"GET", API "/partnerships/{pid}/actions", ACC_P_OBSERVER, false, h_actions},
    {"POST", API "/partnerships/{pid}/actions", ACC_P_LEADER, false, h_action_new},
    {"GET", API "/partnerships/{pid}/actions/{action}", ACC_P_OBSERVER, false, h_action},
    {"PUT", API "/partnerships/{pid}/actions/{action}", ACC_P_MEMBER, false, h_action_put},
    {"POST", API "/partnerships/{pid}/actions/{action}/reports", ACC_P_MEMBER, false,
     h_action_report},
    {"POST", API "/partnerships/{pid}/actions/{action}/deliverables", ACC_P_MEMBER, false,
     h_action_deliverable},
    {"POST", API "/partnerships/{pid}/actions/{action}/links", ACC_P_MEMBER, false,
     h_action_link},
    {"GET", API "/partnerships/{pid}/meetings", ACC_P_OBSERVER, false, h_meetings},
    {"POST", API "/partnerships/{pid}/meetings", ACC_P_LEADER, false, h_meeting_new},
    {"GET", API "/partnerships/{pid}/meetings/{meeting}", ACC_P_OBSERVER, false, h_meeting},
    {"PUT", API "/partnerships/{pid}/meetings/{meeting}", ACC_P_LEADER, false, h_meeting_put},
    {"GET", API "/partnerships/{pid}/plan", ACC_P_OBSERVER, false, h_action_plan},
    /* urban indicators and funding (issue 9) */
    {"GET", API "/indicators", ACC_USER, false, h_indicators},
    {"GET", API "/cities/{cid}/indicators", ACC_VIEWER, false, h_city_indicators},
    {"PUT", API "/cities/{cid}/indicators", ACC_ASSESSOR, false, h_city_indicators_put},
    {"POST", API "/cities/{cid}/indicators/import", ACC_ASSESSOR, false,
     h_city_indicators_import},
    {"GET", API "/partnerships/{pid}/indicators", ACC_P_OBSERVER, false,
     h_partnership_indicators},
    {"GET", API "/funding", ACC_USER, false, h_funding},
    {"GET", API "/partnerships/{pid}/actions/{action}/funding", ACC_P_OBSERVER, false,
     h_action_funding},
    {"POST", API "/partnerships/{pid}/actions/{action}/funding", ACC_P_MEMBER, false,
     h_action_funding_new},
    {"GET", API "/cities/{cid}/funding", ACC_VIEWER, false, h_city_funding},
    {"POST", API "/cities/{cid}/funding", ACC_ASSESSOR, false, h_city_funding_new},
    {"DELETE", API "/partnerships/{pid}/actions/{action}/funding/{link}", ACC_P_MEMBER, false,
     h_action_funding_delete},
    {"DELETE", API "/cities/{cid}/funding/{link}", ACC_ASSESSOR, false, h_city_funding_delete},
    /* the good-practice library (issue 9) */
    {"GET", API "/practices", ACC_USER, false, h_practices},
    {"GET", API "/practices/{practice}", ACC_USER, false, h_practice},
    {"POST", API "/cities/{cid}/practices", ACC_ASSESSOR, false, h_practice_new},
    {"POST", API "/cities/{cid}/practices/from-measure", ACC_ASSESSOR, false,
     h_practice_from_measure},
    {"PUT", API "/cities/{cid}/practices/{practice}", ACC_ASSESSOR, false, h_practice_put},
    {"DELETE", API "/cities/{cid}/practices/{practice}", ACC_COORDINATOR, false,
     h_practice_delete},
};
const size_t srv_nroutes = sizeof srv_routes / sizeof srv_routes[0];
