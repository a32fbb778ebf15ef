/* agora serve: partnerships and their members (issue 9). Who may do what:
 * docs/internals/partnership.md; the routes: docs/internals/server.md.
 * SPDX-License-Identifier: EUPL-1.2 */
#include "server/server.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A text field of a request: absent (NULL, *bad false) or a clean text of
 * at most max bytes (empty allowed when empty_ok). */
const char *srv_text_field(struct json_t *o, const char *field, size_t max, bool empty_ok,
                           bool *bad)
{
    json_t *v = json_object_get(o, field);
    if (!v)
        return NULL;
    const char *s = json_string_value(v);
    if (!s || strlen(s) > max || (!empty_ok && !*s) || !ag_text_ok(s)) {
        *bad = true;
        return NULL;
    }
    return s;
}

static int put_partnership(struct ag_buf *b, const struct ag_partnership *p)
{
    int rc = ag_buf_printf(b, "{\"id\":%lld,\"name\":", (long long)p->id);
    if (!rc)
        rc = json_str(b, p->name);
    if (!rc)
        rc = ag_buf_puts(b, ",\"description\":");
    if (!rc)
        rc = json_str(b, p->description);
    if (!rc)
        rc = ag_buf_printf(b,
                           ",\"starts\":\"%s\",\"ends\":\"%s\",\"created_at\":\"%s\","
                           "\"created_by\":",
                           p->starts, p->ends, p->created_at);
    if (!rc)
        rc = json_str(b, p->created_by);
    return rc;
}

int srv_put_pmember(struct ag_buf *b, const struct ag_pmember *m)
{
    int rc = ag_buf_printf(b, "{\"id\":%lld,\"city\":", (long long)m->id);
    if (!rc)
        rc = m->city_id ? ag_buf_printf(b, "%lld", (long long)m->city_id) : ag_buf_puts(b, "null");
    if (!rc)
        rc = ag_buf_puts(b, ",\"name\":");
    if (!rc)
        rc = json_str(b, m->name);
    if (!rc)
        rc = ag_buf_printf(b,
                           ",\"kind\":\"%s\",\"role\":\"%s\",\"state\":\"%s\",\"since\":\"%s\","
                           "\"people\":%zu}",
                           m->kind, ag_prole_name(m->role), m->active ? "active" : "invited",
                           m->since, m->people);
    return rc;
}

/* The invited cities of partnership pid whose invitation the user may
 * accept (a coordinator of the city, or an administrator):
 * ,"invitations":[{"member","city","name","role"}] */
static int put_invitations(struct req *r, int64_t pid, struct ag_buf *b, struct ag_error *err)
{
    struct ag_vec ms;
    ag_vec_init(&ms, sizeof(struct ag_pmember));
    int rc = ag_store_pmembers(r->store, pid, &ms, err);
    if (!rc)
        rc = ag_buf_puts(b, ",\"invitations\":[");
    bool first = true;
    for (size_t j = 0; !rc && j < ms.len; j++) {
        const struct ag_pmember *m = &AG_VEC_AT(&ms, struct ag_pmember, j);
        if (m->active || !m->city_id)
            continue;
        enum ag_role role = AG_ROLE_COORDINATOR;
        bool partner;
        if (!r->user.admin)
            rc = ag_store_role(r->store, r->user.id, m->city_id, &role, &partner, err);
        if (rc || role < AG_ROLE_COORDINATOR)
            continue;
        rc = ag_buf_printf(b, "%s{\"member\":%lld,\"city\":%lld,\"name\":", first ? "" : ",",
                           (long long)m->id, (long long)m->city_id);
        if (!rc)
            rc = json_str(b, m->name);
        if (!rc)
            rc = ag_buf_printf(b, ",\"role\":\"%s\"}", ag_prole_name(m->role));
        first = false;
    }
    if (!rc)
        rc = ag_buf_puts(b, "]");
    ag_vec_free(&ms);
    return rc;
}

int h_partnerships(struct req *r)
{
    struct ag_vec v;
    ag_vec_init(&v, sizeof(struct ag_partnership));
    struct ag_error err = {0};
    int rc = ag_store_partnerships_of(r->store, r->user.id, r->user.admin, &v, &err);
    struct ag_buf *b = &r->out;
    if (!rc)
        rc = ag_buf_puts(b, "[");
    for (size_t i = 0; !rc && i < v.len; i++) {
        const struct ag_partnership *p = &AG_VEC_AT(&v, struct ag_partnership, i);
        rc = ag_buf_puts(b, i ? "," : "");
        if (!rc)
            rc = put_partnership(b, p);
        if (!rc)
            rc = ag_buf_printf(b, ",\"role\":%s%s%s,\"invited\":%s", p->role ? "\"" : "",
                               p->role ? ag_prole_name(p->role) : "null", p->role ? "\"" : "",
                               p->invited ? "true" : "false");
        if (!rc && (p->invited || r->user.admin))
            rc = put_invitations(r, p->id, b, &err);
        if (!rc)
            rc = ag_buf_puts(b, "}");
    }
    if (!rc)
        rc = ag_buf_puts(b, "]");
    ag_vec_free(&v);
    return rc ? reply_ag_error(r, rc, &err) : reply_json(r, 200);
}

/* The partnership of the path with its members and the user's role. */
int h_partnership(struct req *r)
{
    struct ag_partnership p;
    struct ag_vec v;
    ag_vec_init(&v, sizeof(struct ag_pmember));
    struct ag_error err = {0};
    int rc = ag_store_partnership_get(r->store, r->pid, &p, &err);
    if (!rc)
        rc = ag_store_pmembers(r->store, r->pid, &v, &err);
    struct ag_buf *b = &r->out;
    if (!rc)
        rc = put_partnership(b, &p);
    if (!rc)
        rc = ag_buf_printf(b, ",\"role\":\"%s\",\"members\":[", ag_prole_name(r->prole));
    for (size_t i = 0; !rc && i < v.len; i++) {
        rc = ag_buf_puts(b, i ? "," : "");
        if (!rc)
            rc = srv_put_pmember(b, &AG_VEC_AT(&v, struct ag_pmember, i));
    }
    if (!rc)
        rc = ag_buf_puts(b, "]}");
    ag_vec_free(&v);
    return rc ? reply_ag_error(r, rc, &err) : reply_json(r, 200);
}

int h_partnership_new(struct req *r)
{
    bool failed, bad = false;
    json_t *root = req_json(r, &failed);
    if (failed)
        return 0;
    struct ag_partnership p = {0};
    const char *name = srv_text_field(root, "name", 200, false, &bad);
    const char *desc = srv_text_field(root, "description", sizeof p.description - 1, true, &bad);
    const char *starts = json_string_value(json_object_get(root, "starts"));
    const char *ends = json_string_value(json_object_get(root, "ends"));
    json_t *jc = json_object_get(root, "city");
    int64_t cid = json_is_integer(jc) ? json_integer_value(jc) : 0;
    bool ok = !bad && name && ag_date_ok(starts) && ag_date_ok(ends) && strcmp(ends, starts) >= 0 &&
              cid > 0;
    if (ok) {
        snprintf(p.name, sizeof p.name, "%s", name);
        snprintf(p.description, sizeof p.description, "%s", desc ? desc : "");
        snprintf(p.starts, sizeof p.starts, "%s", starts);
        snprintf(p.ends, sizeof p.ends, "%s", ends);
    }
    json_decref(root);
    if (!ok)
        return reply_error(r, 400,
                           "expected {\"name\": 1 to 200 bytes, \"description\", \"starts\": "
                           "\"YYYY-MM-DD\", \"ends\": \"YYYY-MM-DD\" (not before the start), "
                           "\"city\": the id of the coordinating city}");
    /* the coordinating city is one the user coordinates */
    enum ag_role role = AG_ROLE_COORDINATOR;
    bool partner;
    struct ag_error err = {0};
    int rc = r->user.admin ? 0 : ag_store_role(r->store, r->user.id, cid, &role, &partner, &err);
    if (rc)
        return reply_ag_error(r, rc, &err);
    if (role < AG_ROLE_COORDINATOR)
        return reply_forbidden(r);
    struct ag_city c;
    if (srv_city_id(r, cid, &c))
        return 0;
    rc = ag_store_partnership_add(r->store, &p, cid, r->user.name, &err);
    if (rc)
        return reply_ag_error(r, rc, &err);
    rc = put_partnership(&r->out, &p);
    if (!rc)
        rc = ag_buf_puts(&r->out, ",\"role\":\"coordinator\"}");
    return rc ? reply_ag_error(r, rc, NULL) : reply_json(r, 201);
}

int h_partnership_put(struct req *r)
{
    bool failed, bad = false;
    json_t *root = req_json(r, &failed);
    if (failed)
        return 0;
    const char *desc = srv_text_field(root, "description", 4000, true, &bad);
    json_t *je = json_object_get(root, "ends");
    const char *ends = json_string_value(je);
    bool ok = !bad && (!je || ag_date_ok(ends)) && (desc || ends);
    char d[4096] = "", e[16] = "";
    if (ok) {
        snprintf(d, sizeof d, "%s", desc ? desc : "");
        snprintf(e, sizeof e, "%s", ends ? ends : "");
    }
    json_decref(root);
    if (!ok)
        return reply_error(r, 400,
                           "expected {\"description\": at most 4000 bytes, \"ends\": "
                           "\"YYYY-MM-DD\"} (either or both)");
    struct ag_error err = {0};
    int rc = ag_store_partnership_update(r->store, r->pid, desc ? d : NULL, ends ? e : NULL,
                                         r->user.name, &err);
    if (rc == AG_EINVAL)
        return reply_error(r, 400, "%s", err.msg);
    return rc ? reply_ag_error(r, rc, &err) : h_partnership(r);
}

int h_pmember_new(struct req *r)
{
    bool failed, bad = false;
    json_t *root = req_json(r, &failed);
    if (failed)
        return 0;
    struct ag_pmember m = {0};
    m.partnership_id = r->pid;
    json_t *jc = json_object_get(root, "city");
    const char *org = srv_text_field(root, "organisation", 200, false, &bad);
    const char *kind = json_string_value(json_object_get(root, "kind"));
    m.role = ag_prole_parse(json_string_value(json_object_get(root, "role")));
    json_t *people = json_object_get(root, "people");
    bool city = json_is_integer(jc) && json_integer_value(jc) > 0;
    bool ok = !bad && m.role != AG_PROLE_NONE && (city != (org != NULL)) &&
              (city || ag_pmember_kind_ok(kind)) && (!people || (json_is_array(people) && !city));
    if (ok && city)
        m.city_id = json_integer_value(jc);
    else if (ok) {
        snprintf(m.name, sizeof m.name, "%s", org);
        snprintf(m.kind, sizeof m.kind, "%s", kind);
        ok = strcmp(kind, "city") != 0;
    }
    /* the accounts that act for an organisation, by name */
    size_t npeople = json_array_size(people);
    int64_t ids[64];
    struct ag_error err = {0};
    if (ok && npeople > 64)
        ok = false;
    for (size_t i = 0; ok && i < npeople; i++) {
        const char *u = json_string_value(json_array_get(people, i));
        struct ag_user user;
        if (!u || !ag_user_name_ok(u) || ag_store_user_get(r->store, u, &user, NULL, &err)) {
            json_decref(root);
            return reply_error(r, 400, "people[%zu]: not an account of this server", i + 1);
        }
        ids[i] = user.id;
    }
    json_decref(root);
    if (!ok)
        return reply_error(r, 400,
                           "expected {\"city\": a city id, \"role\"} or {\"organisation\": a "
                           "name, \"kind\": police, operator, eu_body, network or other, "
                           "\"role\", \"people\": [account names]}; role: coordinator, "
                           "action_leader, member or observer");
    int rc = 0;
    struct ag_city c;
    if (city && srv_city_id(r, m.city_id, &c))
        return 0;
    rc = ag_store_begin(r->store, &err);
    if (!rc) {
        rc = ag_store_pmember_add(r->store, &m, r->user.name, &err);
        for (size_t i = 0; !rc && i < npeople; i++)
            rc = ag_store_pmember_person(r->store, m.id, ids[i], r->user.name, &err);
        if (!rc)
            rc = ag_store_commit(r->store, &err);
        else
            ag_store_rollback(r->store);
    }
    if (!rc) /* the count of people */
        rc = ag_store_pmember_get(r->store, r->pid, m.id, &m, &err);
    if (rc == AG_EEXIST)
        return reply_error(r, 409, "%s", err.msg);
    if (rc)
        return reply_ag_error(r, rc, &err);
    rc = srv_put_pmember(&r->out, &m);
    return rc ? reply_ag_error(r, rc, NULL) : reply_json(r, 201);
}

int h_pmember_put(struct req *r)
{
    bool failed;
    json_t *root = req_json(r, &failed);
    if (failed)
        return 0;
    enum ag_prole role = ag_prole_parse(json_string_value(json_object_get(root, "role")));
    json_decref(root);
    if (role == AG_PROLE_NONE)
        return reply_error(r, 400,
                           "expected {\"role\": coordinator, action_leader, member or observer}");
    struct ag_error err = {0};
    int rc = ag_store_pmember_role(r->store, r->pid, r->mid, role, r->user.name, &err);
    if (rc == AG_EINVAL)
        return reply_error(r, 409, "%s", err.msg);
    struct ag_pmember m;
    if (!rc)
        rc = ag_store_pmember_get(r->store, r->pid, r->mid, &m, &err);
    if (rc)
        return reply_ag_error(r, rc, &err);
    rc = srv_put_pmember(&r->out, &m);
    return rc ? reply_ag_error(r, rc, NULL) : reply_json(r, 200);
}

int h_pmember_delete(struct req *r)
{
    struct ag_error err = {0};
    int rc = ag_store_pmember_remove(r->store, r->pid, r->mid, r->user.name, &err);
    if (rc == AG_EINVAL)
        return reply_error(r, 409, "%s", err.msg);
    if (rc)
        return reply_ag_error(r, rc, &err);
    return reply_json(r, 204);
}

/* A coordinator of an invited city accepts the invitation. The user is not
 * a member yet, so the route is open to any user and checked here. */
int h_pmember_accept(struct req *r)
{
    struct ag_pmember m;
    struct ag_error err = {0};
    int rc = ag_store_pmember_get(r->store, r->pid, r->mid, &m, &err);
    enum ag_role role = r->user.admin ? AG_ROLE_COORDINATOR : AG_ROLE_NONE;
    bool partner;
    if (!rc && !r->user.admin && m.city_id)
        rc = ag_store_role(r->store, r->user.id, m.city_id, &role, &partner, &err);
    if (rc == AG_ENOTFOUND || (!rc && (!m.city_id || role < AG_ROLE_COORDINATOR)))
        return reply_forbidden(r);
    if (rc)
        return reply_ag_error(r, rc, &err);
    if (m.active)
        return reply_error(r, 409, "%s is a member already", m.name);
    rc = ag_store_pmember_accept(r->store, r->pid, r->mid, r->user.name, &err);
    if (!rc)
        rc = ag_store_pmember_get(r->store, r->pid, r->mid, &m, &err);
    if (rc)
        return reply_ag_error(r, rc, &err);
    rc = srv_put_pmember(&r->out, &m);
    return rc ? reply_ag_error(r, rc, NULL) : reply_json(r, 200);
}

/* The cities of the server a coordinator may invite: not members yet, nor
 * invited. */
int h_pcandidates(struct req *r)
{
    struct ag_vec cities, ms;
    ag_vec_init(&cities, sizeof(struct ag_city));
    ag_vec_init(&ms, sizeof(struct ag_pmember));
    struct ag_error err = {0};
    int rc = ag_store_cities(r->store, &cities, &err);
    if (!rc)
        rc = ag_store_pmembers(r->store, r->pid, &ms, &err);
    struct ag_buf *b = &r->out;
    if (!rc)
        rc = ag_buf_puts(b, "{\"cities\":[");
    bool first = true;
    for (size_t i = 0; !rc && i < cities.len; i++) {
        const struct ag_city *c = &AG_VEC_AT(&cities, struct ag_city, i);
        bool member = false;
        for (size_t j = 0; j < ms.len; j++)
            member |= AG_VEC_AT(&ms, struct ag_pmember, j).city_id == c->id;
        if (member)
            continue;
        rc = ag_buf_printf(b, "%s{\"id\":%lld,\"name\":", first ? "" : ",", (long long)c->id);
        if (!rc)
            rc = json_str(b, c->name);
        if (!rc)
            rc = ag_buf_puts(b, "}");
        first = false;
    }
    if (!rc)
        rc = ag_buf_puts(b, "]}");
    ag_vec_free(&cities);
    ag_vec_free(&ms);
    return rc ? reply_ag_error(r, rc, &err) : reply_json(r, 200);
}
