/* agora serve: the action plan of a partnership (issue 9): actions with
 * their status reports, deliverables and links to member cities'
 * assessments and measures, meetings, and the plan as a document (HTML or
 * PDF). Who may do what: docs/internals/partnership.md, "Actions, reports
 * and meetings"; the routes: docs/internals/server.md.
 * SPDX-License-Identifier: EUPL-1.2 */
#include "server/server.h"

#include "agora/doc.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---------- reading a request ---------- */

/* Whether s is clean text; multiline also allows line breaks and tabs. */
static bool clean_text(const char *s, bool multiline)
{
    if (!multiline)
        return ag_text_ok(s);
    size_t n = strlen(s);
    char *c = malloc(n + 1);
    if (!c)
        return false;
    for (size_t i = 0; i <= n; i++)
        c[i] = s[i] == '\n' || s[i] == '\r' || s[i] == '\t' ? ' ' : s[i];
    bool ok = ag_text_ok(c);
    free(c);
    return ok;
}

/* A text member of o: NULL when absent (an error when required). The first
 * problem found is written to msg (later calls then do nothing). */
static const char *text_in(json_t *o, const char *field, size_t max, bool required, bool multiline,
                           char *msg, size_t cap)
{
    if (*msg)
        return NULL;
    json_t *v = json_object_get(o, field);
    if (!v) {
        if (required)
            snprintf(msg, cap, "%s: required", field);
        return NULL;
    }
    const char *s = json_string_value(v);
    if (!s || json_string_length(v) != strlen(s) || strlen(s) > max || (required && !*s) ||
        !clean_text(s, multiline)) {
        snprintf(msg, cap, "%s: expected a text of %s%zu bytes (UTF-8, no control characters%s)",
                 field, required ? "1 to " : "at most ", max, multiline ? " but line breaks" : "");
        return NULL;
    }
    return s;
}

/* A list of ids: *present false when absent. */
static void ids_in(json_t *o, const char *field, int64_t *ids, size_t *n, bool *present, char *msg,
                   size_t cap)
{
    *n = 0;
    json_t *v = json_object_get(o, field);
    *present = v != NULL;
    if (*msg || !v)
        return;
    if (!json_is_array(v) || json_array_size(v) > AG_LIST_MAX) {
        snprintf(msg, cap, "%s: expected a list of at most %d ids", field, AG_LIST_MAX);
        return;
    }
    for (size_t i = 0; i < json_array_size(v); i++) {
        json_t *x = json_array_get(v, i);
        if (!json_is_integer(x) || json_integer_value(x) <= 0) {
            snprintf(msg, cap, "%s[%zu]: expected an id", field, i + 1);
            return;
        }
        ids[i] = json_integer_value(x);
    }
    *n = json_array_size(v);
}

/* An id member: 0 when absent. */
static int64_t id_in(json_t *o, const char *field, bool required, const char *what, char *msg,
                     size_t cap)
{
    json_t *v = json_object_get(o, field);
    if (*msg || (!v && !required))
        return 0;
    if (!json_is_integer(v) || json_integer_value(v) <= 0) {
        snprintf(msg, cap, "%s: expected %s", field, what);
        return 0;
    }
    return json_integer_value(v);
}

static const char *status_in(json_t *o, bool required, char *msg, size_t cap)
{
    json_t *v = json_object_get(o, "status");
    if (*msg || (!v && !required))
        return NULL;
    const char *s = json_string_value(v);
    if (!ag_action_status_ok(s)) {
        snprintf(msg, cap, "status: expected proposed, ongoing, implemented or stopped");
        return NULL;
    }
    return s;
}

/* ---------- who may do what ---------- */

int srv_may_lead_action(struct req *r, int64_t leader, bool *ok, struct ag_error *err)
{
    *ok = r->prole >= AG_PROLE_COORDINATOR;
    if (*ok || !leader)
        return 0;
    bool acts;
    int rc = ag_store_acts_for(r->store, r->user.id, leader, &acts, err);
    if (rc || !acts)
        return rc;
    struct ag_pmember m;
    rc = ag_store_pmember_get(r->store, r->pid, leader, &m, err);
    if (rc || !m.active)
        return rc;
    if (!m.city_id) {
        *ok = true;
        return 0;
    }
    enum ag_role role;
    bool partner;
    rc = ag_store_role(r->store, r->user.id, m.city_id, &role, &partner, err);
    if (!rc)
        *ok = role >= AG_ROLE_ASSESSOR;
    return rc;
}

/* The request as a route of the city would see it: the user's role in
 * that city filled in, so that the sharing rules of the city routes
 * (srv_may_see_full, srv_may_see_summary) decide, unchanged. */
static int as_city_route(struct req *r, int64_t city_id, struct req *view, struct ag_error *err)
{
    *view = *r;
    view->cid = city_id;
    view->role = AG_ROLE_NONE;
    view->partner = false;
    if (r->user.admin) {
        view->role = AG_ROLE_COORDINATOR;
        return 0;
    }
    return ag_store_role(r->store, r->user.id, city_id, &view->role, &view->partner, err);
}

/* Whether the user may see the linked assessment (its space and version):
 * the summary or more of it. */
static int link_visible(struct req *r, const struct ag_action_link *l, bool *out,
                        struct ag_error *err)
{
    *out = false;
    if (!l->assessment_id)
        return 0;
    struct req view;
    int rc = as_city_route(r, l->city_id, &view, err);
    if (rc)
        return rc;
    struct ag_assessment_rec a;
    memset(&a, 0, sizeof a);
    a.id = l->assessment_id;
    a.city_id = l->city_id;
    a.space_id = l->space_id;
    a.version = l->version;
    snprintf(a.sharing, sizeof a.sharing, "%s", l->sharing);
    a.share_details = l->share_details;
    *out = srv_may_see_full(&view, &a) || srv_may_see_summary(&view, &a);
    return 0;
}

/* ---------- JSON ---------- */

static int put_named(struct ag_buf *b, const char *idkey, const struct ag_named *n)
{
    int rc = ag_buf_printf(b, "{\"%s\":%lld,\"%s\":", idkey, (long long)n->id,
                           strcmp(idkey, "id") ? "name" : "title");
    if (!rc)
        rc = json_str(b, n->name);
    return rc ? rc : ag_buf_puts(b, "}");
}

static int put_named_list(struct ag_buf *b, const char *key, const char *idkey,
                          const struct ag_vec *v)
{
    int rc = ag_buf_printf(b, ",\"%s\":[", key);
    for (size_t i = 0; !rc && i < v->len; i++) {
        rc = ag_buf_puts(b, i ? "," : "");
        if (!rc)
            rc = put_named(b, idkey, &AG_VEC_AT(v, struct ag_named, i));
    }
    return rc ? rc : ag_buf_puts(b, "]");
}

/* The head of an action (no closing brace): what the list shows. */
static int put_action_head(struct req *r, struct ag_buf *b, const struct ag_action *a,
                           struct ag_error *err)
{
    struct ag_vec members;
    ag_vec_init(&members, sizeof(struct ag_named));
    int rc = ag_store_action_members(r->store, r->pid, a->id, &members, err);
    if (!rc)
        rc = ag_buf_printf(b, "{\"id\":%lld,\"title\":", (long long)a->id);
    if (!rc)
        rc = json_str(b, a->title);
    if (!rc)
        rc = ag_buf_printf(b, ",\"status\":\"%s\",\"leader\":", a->status);
    if (!rc && a->leader) {
        struct ag_named n = {.id = a->leader};
        snprintf(n.name, sizeof n.name, "%s", a->leader_name);
        rc = put_named(b, "member", &n);
    } else if (!rc)
        rc = ag_buf_puts(b, "null");
    if (!rc)
        rc = put_named_list(b, "members", "member", &members);
    if (!rc)
        rc = ag_buf_printf(b, ",\"updated_at\":\"%s\",\"last_report\":", a->updated_at);
    if (!rc)
        rc = json_str(b, a->last_report[0] ? a->last_report : NULL);
    ag_vec_free(&members);
    return rc;
}

static int put_report(struct ag_buf *b, const struct ag_action_report *p)
{
    int rc = ag_buf_printf(b, "{\"id\":%lld,\"at\":\"%s\",\"author\":", (long long)p->id, p->at);
    if (!rc)
        rc = json_str(b, p->author);
    if (!rc)
        rc = ag_buf_printf(b, ",\"status\":\"%s\",\"text\":", p->status);
    if (!rc)
        rc = json_str(b, p->text);
    if (!rc)
        rc = ag_buf_puts(b, ",\"next_steps\":");
    if (!rc)
        rc = json_str(b, p->next_steps);
    return rc ? rc : ag_buf_puts(b, "}");
}

static int put_deliverable(struct ag_buf *b, const struct ag_deliverable *d)
{
    int rc = ag_buf_printf(b, "{\"id\":%lld,\"title\":", (long long)d->id);
    if (!rc)
        rc = json_str(b, d->title);
    if (!rc)
        rc = ag_buf_puts(b, ",\"url\":");
    if (!rc)
        rc = json_str(b, d->url[0] ? d->url : NULL);
    if (!rc)
        rc = ag_buf_printf(b, ",\"added_at\":\"%s\",\"added_by\":", d->added_at);
    if (!rc)
        rc = json_str(b, d->added_by);
    return rc ? rc : ag_buf_puts(b, "}");
}

static int put_link(struct req *r, struct ag_buf *b, const struct ag_action_link *l,
                    struct ag_error *err)
{
    const struct ag_catalog *tr = srv_tr(r->srv, srv_lang(r));
    bool visible;
    int rc = link_visible(r, l, &visible, err);
    if (!rc)
        rc = ag_buf_printf(b, "{\"id\":%lld,\"city\":{\"id\":%lld,\"name\":", (long long)l->id,
                           (long long)l->city_id);
    if (!rc)
        rc = json_str(b, l->city);
    if (!rc)
        rc = ag_buf_puts(b, "},\"measure\":");
    long m = l->measure[0] ? ag_catalogue_measure(r->srv->cat, l->measure) : -1;
    if (!rc && l->measure[0]) {
        rc = ag_buf_puts(b, "{\"id\":");
        if (!rc)
            rc = json_str(b, l->measure);
        if (!rc)
            rc = ag_buf_puts(b, ",\"name\":");
        if (!rc)
            rc = json_str(b, m >= 0 ? ag_tr(tr, r->srv->cat->measures[m].name) : l->measure);
        if (!rc)
            rc = ag_buf_puts(b, "}");
    } else if (!rc)
        rc = ag_buf_puts(b, "null");
    if (!rc)
        rc = ag_buf_puts(b, ",\"assessment\":");
    if (!rc && !l->assessment_id)
        rc = ag_buf_puts(b, "null");
    else if (!rc && !visible)
        rc = ag_buf_puts(b, "{\"shared\":false,\"note\":\"not shared with you\"}");
    else if (!rc) {
        rc = ag_buf_printf(b, "{\"shared\":true,\"id\":%lld,\"space\":{\"id\":%lld,\"name\":",
                           (long long)l->assessment_id, (long long)l->space_id);
        if (!rc)
            rc = json_str(b, l->space[0] ? l->space : NULL);
        if (!rc)
            rc = ag_buf_printf(b, "},\"version\":%d,\"sharing\":\"%s\"}", l->version, l->sharing);
    }
    return rc ? rc : ag_buf_puts(b, "}");
}

/* The action in full into r->out. */
static int put_action(struct req *r, const struct ag_action *a, struct ag_error *err)
{
    struct ag_buf *b = &r->out;
    struct ag_vec reports, deliv, links, meetings;
    ag_vec_init(&reports, sizeof(struct ag_action_report));
    ag_vec_init(&deliv, sizeof(struct ag_deliverable));
    ag_vec_init(&links, sizeof(struct ag_action_link));
    ag_vec_init(&meetings, sizeof(struct ag_meeting_ref));
    bool edit = false;
    int rc = srv_may_lead_action(r, a->leader, &edit, err);
    if (!rc)
        rc = ag_store_action_reports(r->store, r->pid, a->id, &reports, err);
    if (!rc)
        rc = ag_store_deliverables(r->store, r->pid, a->id, &deliv, err);
    if (!rc)
        rc = ag_store_action_links(r->store, r->pid, a->id, &links, err);
    if (!rc)
        rc = ag_store_action_meetings(r->store, r->pid, a->id, &meetings, err);
    if (!rc)
        rc = put_action_head(r, b, a, err);
    if (!rc)
        rc = ag_buf_puts(b, ",\"objective\":");
    if (!rc)
        rc = json_str(b, a->objective);
    if (!rc)
        rc = ag_buf_printf(b, ",\"created_at\":\"%s\",\"created_by\":", a->created_at);
    if (!rc)
        rc = json_str(b, a->created_by);
    if (!rc)
        rc = ag_buf_printf(b, ",\"may_edit\":%s,\"reports\":[", edit ? "true" : "false");
    for (size_t i = 0; !rc && i < reports.len; i++) {
        rc = ag_buf_puts(b, i ? "," : "");
        if (!rc)
            rc = put_report(b, &AG_VEC_AT(&reports, struct ag_action_report, i));
    }
    if (!rc)
        rc = ag_buf_puts(b, "],\"deliverables\":[");
    for (size_t i = 0; !rc && i < deliv.len; i++) {
        rc = ag_buf_puts(b, i ? "," : "");
        if (!rc)
            rc = put_deliverable(b, &AG_VEC_AT(&deliv, struct ag_deliverable, i));
    }
    if (!rc)
        rc = ag_buf_puts(b, "],\"links\":[");
    for (size_t i = 0; !rc && i < links.len; i++) {
        rc = ag_buf_puts(b, i ? "," : "");
        if (!rc)
            rc = put_link(r, b, &AG_VEC_AT(&links, struct ag_action_link, i), err);
    }
    if (!rc)
        rc = ag_buf_puts(b, "],\"meetings\":[");
    for (size_t i = 0; !rc && i < meetings.len; i++) {
        const struct ag_meeting_ref *m = &AG_VEC_AT(&meetings, struct ag_meeting_ref, i);
        rc = ag_buf_printf(b, "%s{\"id\":%lld,\"date\":\"%s\",\"place\":", i ? "," : "",
                           (long long)m->id, m->date);
        if (!rc)
            rc = json_str(b, m->place);
        if (!rc)
            rc = ag_buf_puts(b, "}");
    }
    if (!rc)
        rc = ag_buf_puts(b, "]}");
    ag_vec_free(&reports);
    ag_vec_free(&deliv);
    ag_vec_free(&links);
    ag_vec_free(&meetings);
    return rc;
}

/* ---------- actions ---------- */

int h_actions(struct req *r)
{
    struct ag_vec v;
    ag_vec_init(&v, sizeof(struct ag_action));
    struct ag_error err = {0};
    int rc = ag_store_actions(r->store, r->pid, &v, &err);
    if (!rc)
        rc = ag_buf_puts(&r->out, "[");
    for (size_t i = 0; !rc && i < v.len; i++) {
        rc = ag_buf_puts(&r->out, i ? "," : "");
        if (!rc)
            rc = put_action_head(r, &r->out, &AG_VEC_AT(&v, struct ag_action, i), &err);
        if (!rc)
            rc = ag_buf_puts(&r->out, "}");
    }
    if (!rc)
        rc = ag_buf_puts(&r->out, "]");
    ag_vec_free(&v);
    return rc ? reply_ag_error(r, rc, &err) : reply_json(r, 200);
}

/* Replies with the action of the path (status 200 or 201). */
static int reply_action(struct req *r, int64_t id, int status)
{
    struct ag_action *a = malloc(sizeof *a);
    struct ag_error err = {0};
    int rc = a ? ag_store_action_get(r->store, r->pid, id, a, &err) : AG_ENOMEM;
    ag_buf_reset(&r->out);
    if (!rc)
        rc = put_action(r, a, &err);
    free(a);
    return rc ? reply_ag_error(r, rc, &err) : reply_json(r, status);
}

int h_action(struct req *r)
{
    return reply_action(r, r->action, 200);
}

/* The fields of an action in a request body; msg names the first bad one. */
static void action_edit_in(json_t *root, struct ag_action_edit *e, int64_t *members, char *msg,
                           size_t cap, bool create)
{
    memset(e, 0, sizeof *e);
    if (!json_is_object(root)) {
        snprintf(msg, cap, "expected an object");
        return;
    }
    e->title = text_in(root, "title", AG_ACTION_TITLE_MAX, create, false, msg, cap);
    if (!create && !*msg && json_object_get(root, "title") && !*e->title)
        snprintf(msg, cap, "title: expected a text of 1 to %d bytes", AG_ACTION_TITLE_MAX);
    e->objective = text_in(root, "objective", AG_ACTION_TEXT_MAX, false, true, msg, cap);
    e->status = status_in(root, false, msg, cap);
    e->set_leader = json_object_get(root, "leader") != NULL;
    e->leader = id_in(root, "leader", create, "the id of a member of the partnership", msg, cap);
    ids_in(root, "members", members, &e->nmembers, &e->set_members, msg, cap);
    e->members = members;
}

int h_action_new(struct req *r)
{
    bool failed;
    json_t *root = req_json(r, &failed);
    if (failed)
        return 0;
    struct ag_action_edit e;
    int64_t members[AG_LIST_MAX];
    char msg[256] = "";
    action_edit_in(root, &e, members, msg, sizeof msg, true);
    if (*msg) {
        json_decref(root);
        return reply_error(r, 400, "%s", msg);
    }
    e.set_leader = true;
    struct ag_error err = {0};
    int64_t id = 0;
    int rc = ag_store_action_add(r->store, r->pid, &e, &id, r->user.name, &err);
    json_decref(root);
    return rc ? reply_ag_error(r, rc, &err) : reply_action(r, id, 201);
}

/* The action of the path, and whether the user may change it; on failure
 * (404, 403) the reply is made and -1 returned. */
static int editable_action(struct req *r, struct ag_action *a)
{
    struct ag_error err = {0};
    bool ok = false;
    int rc = ag_store_action_get(r->store, r->pid, r->action, a, &err);
    if (!rc)
        rc = srv_may_lead_action(r, a->leader, &ok, &err);
    if (rc)
        return reply_ag_error(r, rc, &err), -1;
    if (!ok)
        return reply_forbidden(r), -1;
    return 0;
}

int h_action_put(struct req *r)
{
    struct ag_action *a = malloc(sizeof *a);
    if (!a)
        return reply_ag_error(r, AG_ENOMEM, NULL);
    if (editable_action(r, a)) {
        free(a);
        return 0;
    }
    bool failed;
    json_t *root = req_json(r, &failed);
    if (failed) {
        free(a);
        return 0;
    }
    struct ag_action_edit e;
    int64_t members[AG_LIST_MAX];
    char msg[256] = "";
    action_edit_in(root, &e, members, msg, sizeof msg, false);
    if (!*msg && !e.title && !e.objective && !e.status && !e.set_leader && !e.set_members)
        snprintf(msg, sizeof msg,
                 "expected at least one of \"title\", \"objective\", \"status\", \"leader\", "
                 "\"members\"");
    int rc = 0;
    struct ag_error err = {0};
    if (*msg)
        rc = reply_error(r, 400, "%s", msg);
    else if (e.set_leader && e.leader != a->leader && r->prole < AG_PROLE_COORDINATOR)
        rc = reply_forbidden(r); /* only a coordinator names another leader */
    else if ((rc = ag_store_action_update(r->store, r->pid, r->action, &e, r->user.name, &err)))
        rc = reply_ag_error(r, rc, &err);
    else
        rc = reply_action(r, r->action, 200);
    json_decref(root);
    free(a);
    return rc;
}

int h_action_report(struct req *r)
{
    struct ag_action *a = malloc(sizeof *a);
    if (!a)
        return reply_ag_error(r, AG_ENOMEM, NULL);
    int fail = editable_action(r, a);
    free(a);
    if (fail)
        return 0;
    bool failed;
    json_t *root = req_json(r, &failed);
    if (failed)
        return 0;
    char msg[256] = "";
    struct ag_action_report *p = calloc(1, sizeof *p);
    if (!p) {
        json_decref(root);
        return reply_ag_error(r, AG_ENOMEM, NULL);
    }
    const char *status = status_in(root, true, msg, sizeof msg);
    const char *text = text_in(root, "text", AG_ACTION_TEXT_MAX, true, true, msg, sizeof msg);
    const char *next =
        text_in(root, "next_steps", AG_ACTION_TEXT_MAX, false, true, msg, sizeof msg);
    int rc = 0;
    struct ag_error err = {0};
    if (*msg)
        rc = reply_error(r, 400, "%s", msg);
    else {
        snprintf(p->status, sizeof p->status, "%s", status);
        snprintf(p->text, sizeof p->text, "%s", text);
        snprintf(p->next_steps, sizeof p->next_steps, "%s", next ? next : "");
        rc = ag_store_action_report_add(r->store, r->pid, r->action, p, r->user.name, &err);
        if (!rc)
            rc = put_report(&r->out, p);
        rc = rc ? reply_ag_error(r, rc, &err) : reply_json(r, 201);
    }
    free(p);
    json_decref(root);
    return rc;
}

int h_action_deliverable(struct req *r)
{
    struct ag_action *a = malloc(sizeof *a);
    if (!a)
        return reply_ag_error(r, AG_ENOMEM, NULL);
    int fail = editable_action(r, a);
    free(a);
    if (fail)
        return 0;
    bool failed;
    json_t *root = req_json(r, &failed);
    if (failed)
        return 0;
    char msg[256] = "";
    const char *title = text_in(root, "title", AG_ACTION_TITLE_MAX, true, false, msg, sizeof msg);
    const char *url = text_in(root, "url", 2000, false, false, msg, sizeof msg);
    if (!*msg && url && *url && !ag_url_ok(url))
        snprintf(msg, sizeof msg,
                 "url: expected an http:// or https:// address of at most 2000 bytes");
    struct ag_deliverable d;
    memset(&d, 0, sizeof d);
    int rc;
    struct ag_error err = {0};
    if (*msg)
        rc = reply_error(r, 400, "%s", msg);
    else {
        snprintf(d.title, sizeof d.title, "%s", title);
        snprintf(d.url, sizeof d.url, "%s", url ? url : "");
        rc = ag_store_deliverable_add(r->store, r->pid, r->action, &d, r->user.name, &err);
        if (!rc)
            rc = put_deliverable(&r->out, &d);
        rc = rc ? reply_ag_error(r, rc, &err) : reply_json(r, 201);
    }
    json_decref(root);
    return rc;
}

/* A link to a member city's assessment or measure: made by someone who
 * works on that city's assessments (an assessor or coordinator there), or
 * an administrator. */
int h_action_link(struct req *r)
{
    bool failed;
    json_t *root = req_json(r, &failed);
    if (failed)
        return 0;
    char msg[256] = "";
    struct ag_action_link l;
    memset(&l, 0, sizeof l);
    if (!json_is_object(root))
        snprintf(msg, sizeof msg, "expected an object");
    l.city_id = id_in(root, "city", true, "the id of a member city", msg, sizeof msg);
    l.assessment_id =
        id_in(root, "assessment", false, "the id of an assessment of the city", msg, sizeof msg);
    const char *measure =
        text_in(root, "measure", sizeof l.measure - 1, false, false, msg, sizeof msg);
    if (!*msg && measure && ag_catalogue_measure(r->srv->cat, measure) < 0)
        snprintf(msg, sizeof msg, "measure: not a measure of the catalogue (data/measures.csv)");
    if (!*msg && !measure && !l.assessment_id)
        snprintf(msg, sizeof msg,
                 "expected an \"assessment\" of the city, a \"measure\" of the catalogue, or "
                 "both");
    if (measure)
        snprintf(l.measure, sizeof l.measure, "%s", measure);
    json_decref(root);
    if (*msg)
        return reply_error(r, 400, "%s", msg);
    struct ag_error err = {0};
    struct ag_action *a = malloc(sizeof *a);
    int rc = a ? ag_store_action_get(r->store, r->pid, r->action, a, &err) : AG_ENOMEM;
    free(a);
    if (rc)
        return reply_ag_error(r, rc, &err);
    struct req view;
    if ((rc = as_city_route(r, l.city_id, &view, &err)))
        return reply_ag_error(r, rc, &err);
    if (view.role < AG_ROLE_ASSESSOR)
        return reply_forbidden(r);
    if (l.assessment_id) { /* never a link to what the user may not read */
        struct ag_assessment_rec rec = {0};
        rc = ag_store_assessment_get(r->store, l.assessment_id, &rec, &err);
        bool hidden = !rc && rec.city_id == l.city_id && !srv_may_see_full(&view, &rec);
        ag_assessment_rec_free(&rec);
        if (rc && rc != AG_ENOTFOUND)
            return reply_ag_error(r, rc, &err);
        if (hidden)
            return reply_forbidden(r);
    }
    rc = ag_store_action_link_add(r->store, r->pid, r->action, &l, r->user.name, &err);
    if (!rc)
        rc = put_link(r, &r->out, &l, &err);
    return rc ? reply_ag_error(r, rc, &err) : reply_json(r, 201);
}

/* ---------- meetings ---------- */

static int put_meeting(struct req *r, struct ag_buf *b, const struct ag_meeting *m, bool full,
                       struct ag_error *err)
{
    struct ag_vec who, acts;
    ag_vec_init(&who, sizeof(struct ag_named));
    ag_vec_init(&acts, sizeof(struct ag_named));
    int rc = ag_store_meeting_participants(r->store, r->pid, m->id, &who, err);
    if (!rc)
        rc = ag_store_meeting_actions(r->store, r->pid, m->id, &acts, err);
    if (!rc)
        rc = ag_buf_printf(b, "{\"id\":%lld,\"date\":\"%s\",\"place\":", (long long)m->id, m->date);
    if (!rc)
        rc = json_str(b, m->place);
    if (full) {
        const char *keys[] = {"agenda", "minutes", "outcomes"};
        const char *vals[] = {m->agenda, m->minutes, m->outcomes};
        for (int i = 0; !rc && i < 3; i++) {
            rc = ag_buf_printf(b, ",\"%s\":", keys[i]);
            if (!rc)
                rc = json_str(b, vals[i]);
        }
    }
    if (!rc)
        rc = ag_buf_puts(b, ",\"created_by\":");
    if (!rc)
        rc = json_str(b, m->created_by);
    if (!rc)
        rc = ag_buf_printf(b, ",\"updated_at\":\"%s\"", m->updated_at);
    if (!rc)
        rc = put_named_list(b, "participants", "member", &who);
    if (!rc)
        rc = put_named_list(b, "actions", "id", &acts);
    if (!rc)
        rc = ag_buf_puts(b, "}");
    ag_vec_free(&who);
    ag_vec_free(&acts);
    return rc;
}

int h_meetings(struct req *r)
{
    struct ag_vec v;
    ag_vec_init(&v, sizeof(struct ag_meeting));
    struct ag_error err = {0};
    int rc = ag_store_meetings(r->store, r->pid, &v, &err);
    if (!rc)
        rc = ag_buf_puts(&r->out, "[");
    for (size_t i = 0; !rc && i < v.len; i++) {
        rc = ag_buf_puts(&r->out, i ? "," : "");
        if (!rc)
            rc = put_meeting(r, &r->out, &AG_VEC_AT(&v, struct ag_meeting, i), false, &err);
    }
    if (!rc)
        rc = ag_buf_puts(&r->out, "]");
    ag_vec_free(&v);
    return rc ? reply_ag_error(r, rc, &err) : reply_json(r, 200);
}

static int reply_meeting(struct req *r, int64_t id, int status)
{
    struct ag_meeting *m = malloc(sizeof *m);
    struct ag_error err = {0};
    int rc = m ? ag_store_meeting_get(r->store, r->pid, id, m, &err) : AG_ENOMEM;
    ag_buf_reset(&r->out);
    if (!rc)
        rc = put_meeting(r, &r->out, m, true, &err);
    free(m);
    return rc ? reply_ag_error(r, rc, &err) : reply_json(r, status);
}

int h_meeting(struct req *r)
{
    return reply_meeting(r, r->meeting, 200);
}

static void meeting_edit_in(json_t *root, struct ag_meeting_edit *e, int64_t *who, int64_t *acts,
                            char *msg, size_t cap, bool create)
{
    memset(e, 0, sizeof *e);
    if (!json_is_object(root)) {
        snprintf(msg, cap, "expected an object");
        return;
    }
    json_t *jd = json_object_get(root, "date");
    if ((create || jd) && !ag_date_ok(json_string_value(jd)))
        snprintf(msg, cap, "date: expected YYYY-MM-DD");
    e->date = json_string_value(jd);
    e->place = text_in(root, "place", AG_ACTION_TITLE_MAX, false, false, msg, cap);
    e->agenda = text_in(root, "agenda", AG_ACTION_TEXT_MAX, false, true, msg, cap);
    e->minutes = text_in(root, "minutes", AG_MEETING_MINUTES_MAX, false, true, msg, cap);
    e->outcomes = text_in(root, "outcomes", AG_ACTION_TEXT_MAX, false, true, msg, cap);
    ids_in(root, "participants", who, &e->nparticipants, &e->set_participants, msg, cap);
    e->participants = who;
    ids_in(root, "actions", acts, &e->nactions, &e->set_actions, msg, cap);
    e->actions = acts;
}

static int meeting_write(struct req *r, bool create)
{
    bool failed;
    json_t *root = req_json(r, &failed);
    if (failed)
        return 0;
    struct ag_meeting_edit e;
    int64_t who[AG_LIST_MAX], acts[AG_LIST_MAX];
    char msg[256] = "";
    meeting_edit_in(root, &e, who, acts, msg, sizeof msg, create);
    if (!create && !*msg && !e.date && !e.place && !e.agenda && !e.minutes && !e.outcomes &&
        !e.set_participants && !e.set_actions)
        snprintf(msg, sizeof msg,
                 "expected at least one of \"date\", \"place\", \"agenda\", \"minutes\", "
                 "\"outcomes\", \"participants\", \"actions\"");
    if (*msg) {
        json_decref(root);
        return reply_error(r, 400, "%s", msg);
    }
    struct ag_error err = {0};
    int64_t id = r->meeting;
    int rc = create ? ag_store_meeting_add(r->store, r->pid, &e, &id, r->user.name, &err)
                    : ag_store_meeting_update(r->store, r->pid, id, &e, r->user.name, &err);
    json_decref(root);
    return rc ? reply_ag_error(r, rc, &err) : reply_meeting(r, id, create ? 201 : 200);
}

int h_meeting_new(struct req *r)
{
    return meeting_write(r, true);
}

int h_meeting_put(struct req *r)
{
    return meeting_write(r, false);
}

/* ---------- the action plan as a document ---------- */

#define T(s) ag_tr(tr, s)

static const char *status_label(const struct ag_catalog *tr, const char *status)
{
    if (!strcmp(status, "proposed"))
        return T("Proposed");
    if (!strcmp(status, "ongoing"))
        return T("Ongoing");
    if (!strcmp(status, "implemented"))
        return T("Implemented");
    return T("Stopped");
}

static const char *role_label(const struct ag_catalog *tr, enum ag_prole role)
{
    switch (role) {
    case AG_PROLE_COORDINATOR:
        return T("Coordinator");
    case AG_PROLE_LEADER:
        return T("Action leader");
    case AG_PROLE_MEMBER:
        return T("Member");
    default:
        return T("Observer");
    }
}

static const char *kind_label(const struct ag_catalog *tr, const char *kind)
{
    if (!strcmp(kind, "city"))
        return T("City");
    if (!strcmp(kind, "police"))
        return T("Police");
    if (!strcmp(kind, "operator"))
        return T("Operator");
    if (!strcmp(kind, "eu_body"))
        return T("EU body");
    if (!strcmp(kind, "network"))
        return T("Network");
    return T("Other");
}

/* "a, b, c" of a list of names into a buffer (e.g. the members). */
static int join_names(struct ag_buf *out, const struct ag_vec *v, const char *none)
{
    ag_buf_reset(out);
    int rc = v->len ? 0 : ag_buf_puts(out, none);
    for (size_t i = 0; !rc && i < v->len; i++)
        rc = ag_buf_printf(out, "%s%s", i ? ", " : "", AG_VEC_AT(v, struct ag_named, i).name);
    return rc;
}

/* One action of the plan: its status, leader and members, objective, the
 * latest report with its next steps, deliverables, links, meetings. */
static int plan_action(struct req *r, const struct ag_catalog *tr, struct ag_doc *d,
                       const struct ag_action *a, struct ag_buf *tmp, struct ag_error *err)
{
    struct ag_vec members, reports, deliv, links, meetings;
    ag_vec_init(&members, sizeof(struct ag_named));
    ag_vec_init(&reports, sizeof(struct ag_action_report));
    ag_vec_init(&deliv, sizeof(struct ag_deliverable));
    ag_vec_init(&links, sizeof(struct ag_action_link));
    ag_vec_init(&meetings, sizeof(struct ag_meeting_ref));
    int rc = ag_store_action_members(r->store, r->pid, a->id, &members, err);
    if (!rc)
        rc = ag_store_action_reports(r->store, r->pid, a->id, &reports, err);
    if (!rc)
        rc = ag_store_deliverables(r->store, r->pid, a->id, &deliv, err);
    if (!rc)
        rc = ag_store_action_links(r->store, r->pid, a->id, &links, err);
    if (!rc)
        rc = ag_store_action_meetings(r->store, r->pid, a->id, &meetings, err);
    int e = rc;
    if (!e)
        e = ag_doc_heading(d, 2, a->title);
    if (!e) {
        const char *head[] = {T("Status"), T("Leader"), T("Members"), T("Last change")};
        const double widths[] = {1, 1.5, 2.5, 1.2};
        e = ag_doc_table(d, 4, head, widths, NULL);
    }
    if (!e)
        e = join_names(tmp, &members, "—");
    if (!e) {
        char updated[16];
        snprintf(updated, sizeof updated, "%.10s", a->updated_at);
        const char *row[] = {status_label(tr, a->status), a->leader ? a->leader_name : "—",
                             tmp->data, updated};
        e = ag_doc_row(d, row, NULL);
    }
    if (!e && a->objective[0]) {
        e = ag_doc_heading(d, 3, T("Objective"));
        if (!e)
            e = ag_doc_para(d, a->objective);
    }
    if (!e && reports.len) {
        const struct ag_action_report *p = &AG_VEC_AT(&reports, struct ag_action_report, 0);
        char line[256];
        snprintf(line, sizeof line, "%.10s — %s — %s", p->at, p->author,
                 status_label(tr, p->status));
        e = ag_doc_heading(d, 3, T("Latest report"));
        if (!e)
            e = ag_doc_note(d, line);
        if (!e)
            e = ag_doc_para(d, p->text);
        if (!e && p->next_steps[0]) {
            e = ag_doc_heading(d, 3, T("Next steps"));
            if (!e)
                e = ag_doc_para(d, p->next_steps);
        }
    } else if (!e)
        e = ag_doc_note(d, T("No status report yet."));
    if (!e && deliv.len)
        e = ag_doc_heading(d, 3, T("Deliverables"));
    for (size_t i = 0; !e && i < deliv.len; i++) {
        const struct ag_deliverable *x = &AG_VEC_AT(&deliv, struct ag_deliverable, i);
        ag_buf_reset(tmp);
        e = ag_buf_printf(tmp, "%s%s%s", x->title, x->url[0] ? " — " : "", x->url);
        if (!e)
            e = ag_doc_bullet(d, tmp->data);
    }
    if (!e && links.len)
        e = ag_doc_heading(d, 3, T("Related assessments and measures"));
    for (size_t i = 0; !e && i < links.len; i++) {
        const struct ag_action_link *l = &AG_VEC_AT(&links, struct ag_action_link, i);
        bool visible = false;
        e = link_visible(r, l, &visible, err);
        if (e) {
            rc = e;
            break;
        }
        ag_buf_reset(tmp);
        e = ag_buf_printf(tmp, "%s", l->city);
        if (!e && l->measure[0]) {
            long m = ag_catalogue_measure(r->srv->cat, l->measure);
            e = ag_buf_printf(tmp, " — %s: %s", T("Measure"),
                              m >= 0 ? ag_tr(tr, r->srv->cat->measures[m].name) : l->measure);
        }
        if (!e && l->assessment_id && visible) {
            char what[400];
            snprintf(what, sizeof what, T("assessment of %s, version %d"),
                     l->space[0] ? l->space : T("unnamed space"), l->version);
            e = ag_buf_printf(tmp, " — %s", what);
        } else if (!e && l->assessment_id)
            e = ag_buf_printf(tmp, " — %s", T("an assessment not shared with you"));
        if (!e)
            e = ag_doc_bullet(d, tmp->data);
    }
    if (!e && meetings.len) {
        ag_buf_reset(tmp);
        e = ag_buf_printf(tmp, "%s:", T("Discussed at the meetings of"));
        for (size_t i = 0; !e && i < meetings.len; i++)
            e = ag_buf_printf(tmp, "%s %s", i ? "," : "",
                              AG_VEC_AT(&meetings, struct ag_meeting_ref, i).date);
        if (!e)
            e = ag_doc_para(d, tmp->data);
    }
    ag_vec_free(&members);
    ag_vec_free(&reports);
    ag_vec_free(&deliv);
    ag_vec_free(&links);
    ag_vec_free(&meetings);
    if (!rc && e)
        rc = ag_error_set(err, e, "writing the action plan: %s", ag_strerror(e));
    return rc;
}

static int plan_meeting(struct req *r, const struct ag_catalog *tr, struct ag_doc *d,
                        const struct ag_meeting *m, struct ag_buf *tmp, struct ag_error *err)
{
    struct ag_vec who, acts;
    ag_vec_init(&who, sizeof(struct ag_named));
    ag_vec_init(&acts, sizeof(struct ag_named));
    int rc = ag_store_meeting_participants(r->store, r->pid, m->id, &who, err);
    if (!rc)
        rc = ag_store_meeting_actions(r->store, r->pid, m->id, &acts, err);
    int e = rc;
    if (!e) {
        ag_buf_reset(tmp);
        e = ag_buf_printf(tmp, "%s%s%s", m->date, m->place[0] ? " — " : "", m->place);
    }
    if (!e)
        e = ag_doc_heading(d, 2, tmp->data);
    if (!e && who.len) {
        ag_buf_reset(tmp);
        e = ag_buf_printf(tmp, "%s: ", T("Participants"));
        for (size_t i = 0; !e && i < who.len; i++)
            e = ag_buf_printf(tmp, "%s%s", i ? ", " : "", AG_VEC_AT(&who, struct ag_named, i).name);
        if (!e)
            e = ag_doc_para(d, tmp->data);
    }
    const char *heads[] = {
        T("Agenda"),
        /* TRANSLATORS: the written record of a meeting */
        T("Minutes"),
        T("Outcomes"),
    };
    const char *texts[] = {m->agenda, m->minutes, m->outcomes};
    for (int i = 0; !e && i < 3; i++) {
        if (!texts[i][0])
            continue;
        e = ag_doc_heading(d, 3, heads[i]);
        if (!e)
            e = ag_doc_para(d, texts[i]);
    }
    if (!e && acts.len)
        e = ag_doc_heading(d, 3, T("Actions discussed"));
    for (size_t i = 0; !e && i < acts.len; i++)
        e = ag_doc_bullet(d, AG_VEC_AT(&acts, struct ag_named, i).name);
    ag_vec_free(&who);
    ag_vec_free(&acts);
    if (!rc && e)
        rc = ag_error_set(err, e, "writing the action plan: %s", ag_strerror(e));
    return rc;
}

/* The whole plan into d. */
static int plan_doc(struct req *r, const struct ag_catalog *tr, const struct ag_partnership *p,
                    struct ag_doc *d, struct ag_error *err)
{
    struct ag_vec members, actions, meetings;
    ag_vec_init(&members, sizeof(struct ag_pmember));
    ag_vec_init(&actions, sizeof(struct ag_action));
    ag_vec_init(&meetings, sizeof(struct ag_meeting));
    struct ag_buf tmp;
    ag_buf_init(&tmp, (size_t)1 << 20);
    int rc = ag_store_pmembers(r->store, r->pid, &members, err);
    if (!rc)
        rc = ag_store_actions(r->store, r->pid, &actions, err);
    if (!rc)
        rc = ag_store_meetings(r->store, r->pid, &meetings, err);
    int e = rc;
    char line[512], foot[256];
    snprintf(line, sizeof line, T("From %s to %s"), p->starts, p->ends);
    snprintf(foot, sizeof foot, "agora 0.1.0 — %s", T("Action plan"));
    if (!e)
        e = ag_doc_subtitle(d, line);
    if (!e)
        e = ag_doc_footer(d, foot);
    if (!e && p->description[0])
        e = ag_doc_para(d, p->description);
    if (!e)
        e = ag_doc_heading(d, 1, T("Members"));
    if (!e) {
        const char *head[] = {T("Member"), T("Kind"), T("Role"), T("Since")};
        const double widths[] = {2.5, 1.2, 1.3, 1};
        e = ag_doc_table(d, 4, head, widths, NULL);
    }
    for (size_t i = 0; !e && i < members.len; i++) {
        const struct ag_pmember *m = &AG_VEC_AT(&members, struct ag_pmember, i);
        char since[16];
        snprintf(since, sizeof since, "%.10s", m->since);
        const char *row[] = {m->name, kind_label(tr, m->kind),
                             m->active ? role_label(tr, m->role) : T("Invited"),
                             m->active ? since : "—"};
        e = ag_doc_row(d, row, NULL);
    }
    if (!e)
        e = ag_doc_heading(d, 1, T("Actions"));
    if (!e && !actions.len)
        e = ag_doc_para(d, T("No actions yet."));
    if (e && !rc)
        rc = ag_error_set(err, e, "writing the action plan: %s", ag_strerror(e));
    for (size_t i = 0; !rc && i < actions.len; i++)
        rc = plan_action(r, tr, d, &AG_VEC_AT(&actions, struct ag_action, i), &tmp, err);
    e = rc ? 0 : ag_doc_heading(d, 1, T("Meetings"));
    if (!e && !rc && !meetings.len)
        e = ag_doc_para(d, T("No meetings yet."));
    if (e && !rc)
        rc = ag_error_set(err, e, "writing the action plan: %s", ag_strerror(e));
    for (size_t i = 0; !rc && i < meetings.len; i++)
        rc = plan_meeting(r, tr, d, &AG_VEC_AT(&meetings, struct ag_meeting, i), &tmp, err);
    ag_buf_free(&tmp);
    ag_vec_free(&members);
    ag_vec_free(&actions);
    ag_vec_free(&meetings);
    return rc;
}

int h_action_plan(struct req *r)
{
    const char *format = req_arg(r, "format");
    if (!format)
        format = "html";
    if (strcmp(format, "pdf") && strcmp(format, "html"))
        return reply_error(r, 400, "format: expected html or pdf");
    const char *qlang = req_arg(r, "lang");
    if (qlang && !ag_i18n_lang_ok(qlang))
        return reply_error(r, 400, "lang: expected one of %s", ag_i18n_langs());
    const char *lang = srv_lang(r);
    const struct ag_catalog *tr = srv_tr(r->srv, lang);
    struct ag_error err = {0};
    struct ag_partnership *p = malloc(sizeof *p);
    int rc = p ? ag_store_partnership_get(r->store, r->pid, p, &err) : AG_ENOMEM;
    struct ag_doc *d = NULL;
    if (!rc) {
        char title[400];
        snprintf(title, sizeof title, T("Action plan: %s"), p->name);
        if (!(d = ag_doc_new(lang, title)))
            rc = ag_error_set(&err, AG_ENOMEM, "out of memory");
    }
    if (!rc)
        rc = plan_doc(r, tr, p, d, &err);
    free(p);
    if (!rc && !strcmp(format, "html")) {
        ag_buf_reset(&r->out);
        rc = ag_doc_write_html(d, &r->out);
    } else if (!rc) {
        char path[] = "/tmp/agora-plan-XXXXXX";
        int fd = mkstemp(path);
        if (fd < 0)
            rc = ag_error_set(&err, AG_EIO, "cannot create a temporary file");
        else {
            close(fd);
            rc = ag_doc_write_pdf(d, path, &err);
            ag_buf_reset(&r->out);
            if (!rc)
                rc = ag_file_read(path, &r->out, &err);
            unlink(path);
        }
    }
    ag_doc_free(d);
    if (rc)
        return reply_ag_error(r, rc, &err);
    /* a file name of ASCII letters only: the partnership id and language */
    snprintf(r->disposition, sizeof r->disposition,
             "attachment; filename=\"agora-action-plan-%lld-%s.%s\"", (long long)r->pid, lang,
             format);
    r->ctype = strcmp(format, "pdf") ? "text/html; charset=utf-8" : "application/pdf";
    r->status = 200;
    return 0;
}
