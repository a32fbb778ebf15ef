/* agora serve: urban indicators (a city's yearly values, the partnership's
 * comparison, the chart) and funding links of measures and actions (issue
 * 9). A city's hidden values leave the store only towards users who hold a
 * grant in that city (lib/store/indicators.c filters in SQL).
 * docs/internals/partnership.md; the routes: docs/internals/server.md.
 * SPDX-License-Identifier: EUPL-1.2 */
#include "server/server.h"

#include "agora/indicators.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A number in JSON: at most 6 decimals, no trailing zeros, "." always. */
static int put_num(struct ag_buf *b, double v)
{
    char s[64];
    ag_format_fixed(s, sizeof s, v, 6);
    char *dot = strchr(s, '.');
    if (dot) {
        char *e = s + strlen(s) - 1;
        while (e > dot && *e == '0')
            *e-- = 0;
        if (e == dot)
            *e = 0;
    }
    return ag_buf_puts(b, strcmp(s, "-0") ? s : "0");
}

/* The definitions; on failure a 500 is replied and -1 returned. */
static int load_indicators(struct req *r, struct ag_indicator **ind, size_t *n)
{
    struct ag_error err = {0};
    if (ag_indicators_load(NULL, ind, n, &err)) {
        reply_ag_error(r, AG_EIO, &err);
        return -1;
    }
    return 0;
}

static int load_funding(struct req *r, struct ag_funding **f, size_t *n)
{
    struct ag_error err = {0};
    if (ag_funding_load(NULL, f, n, &err)) {
        reply_ag_error(r, AG_EIO, &err);
        return -1;
    }
    return 0;
}

/* GET /indicators?lang= */
int h_indicators(struct req *r)
{
    struct ag_indicator *ind = NULL;
    size_t n = 0;
    if (load_indicators(r, &ind, &n))
        return 0;
    const struct ag_catalog *tr = srv_tr(r->srv, srv_lang(r));
    struct ag_buf *b = &r->out;
    int rc = ag_buf_puts(b, "[");
    for (size_t i = 0; !rc && i < n; i++) {
        rc = ag_buf_printf(b, "%s{\"id\":\"%s\",\"dimension\":\"%s\",\"name\":", i ? "," : "",
                           ind[i].id, ind[i].dimension);
        if (!rc)
            rc = json_str(b, ag_tr(tr, ind[i].name));
        if (!rc)
            rc = ag_buf_puts(b, ",\"unit\":");
        if (!rc)
            rc = json_str(b, ind[i].unit);
        if (!rc)
            rc = ag_buf_printf(
                b, ",\"better\":\"%s\",\"source\":", ind[i].higher_better ? "higher" : "lower");
        if (!rc)
            rc = json_str(b, ind[i].source);
        if (!rc)
            rc = ag_buf_puts(b, "}");
    }
    if (!rc)
        rc = ag_buf_puts(b, "]");
    free(ind);
    return rc ? reply_ag_error(r, rc, NULL) : reply_json(r, 200);
}

static int put_value(struct ag_buf *b, const struct ag_ivalue *v, bool who)
{
    int rc =
        ag_buf_printf(b, "{\"indicator\":\"%s\",\"year\":%d,\"value\":", v->indicator, v->year);
    if (!rc)
        rc = put_num(b, v->value);
    if (!rc)
        rc = ag_buf_printf(b, ",\"visible\":%s,\"note\":", v->visible ? "true" : "false");
    if (!rc)
        rc = json_str(b, v->note);
    if (!rc && who) {
        rc = ag_buf_printf(b, ",\"updated_at\":\"%s\",\"updated_by\":", v->updated_at);
        if (!rc)
            rc = json_str(b, v->updated_by);
    }
    if (!rc)
        rc = ag_buf_puts(b, "}");
    return rc;
}

/* GET /cities/{cid}/indicators: every value of the city (its own users). */
int h_city_indicators(struct req *r)
{
    struct ag_vec v;
    ag_vec_init(&v, sizeof(struct ag_ivalue));
    struct ag_error err = {0};
    int rc = ag_store_ivalues(r->store, r->cid, &v, &err);
    struct ag_buf *b = &r->out;
    if (!rc)
        rc = ag_buf_printf(b, "{\"city\":%lld,\"values\":[", (long long)r->cid);
    for (size_t i = 0; !rc && i < v.len; i++) {
        rc = ag_buf_puts(b, i ? "," : "");
        if (!rc)
            rc = put_value(b, &AG_VEC_AT(&v, struct ag_ivalue, i), true);
    }
    if (!rc)
        rc = ag_buf_puts(b, "]}");
    ag_vec_free(&v);
    return rc ? reply_ag_error(r, rc, &err) : reply_json(r, 200);
}

/* Stores checked values and answers with the city's values. */
static int store_values(struct req *r, struct ag_vec *v)
{
    struct ag_city c;
    if (srv_city(r, &c)) {
        ag_vec_free(v);
        return 0;
    }
    struct ag_error err = {0};
    int rc = ag_store_ivalues_put(r->store, r->cid, (const struct ag_ivalue *)v->data, v->len,
                                  r->user.name, &err);
    ag_vec_free(v);
    return rc ? reply_ag_error(r, rc, &err) : h_city_indicators(r);
}

/* PUT /cities/{cid}/indicators {"values": [{"indicator","year","value",
 * "visible","note"}]} */
int h_city_indicators_put(struct req *r)
{
    bool failed;
    json_t *root = req_json(r, &failed);
    if (failed)
        return 0;
    json_t *values = json_object_get(root, "values");
    if (!json_is_array(values) || !json_array_size(values) || json_array_size(values) > 10000) {
        json_decref(root);
        return reply_error(r, 400,
                           "expected {\"values\": [{\"indicator\", \"year\", \"value\", "
                           "\"visible\", \"note\"}]} (1 to 10000 values)");
    }
    struct ag_indicator *ind = NULL;
    size_t n = 0;
    if (load_indicators(r, &ind, &n)) {
        json_decref(root);
        return 0;
    }
    struct ag_vec v;
    ag_vec_init(&v, sizeof(struct ag_ivalue));
    struct ag_error err = {0};
    int rc = 0;
    for (size_t k = 0; !rc && k < json_array_size(values); k++) {
        json_t *o = json_array_get(values, k);
        struct ag_ivalue x = {0};
        char where[48];
        snprintf(where, sizeof where, "values[%zu]", k + 1);
        const char *id = json_string_value(json_object_get(o, "indicator"));
        json_t *jy = json_object_get(o, "year"), *jv = json_object_get(o, "value"),
               *jvis = json_object_get(o, "visible"), *jn = json_object_get(o, "note");
        if (!json_is_object(o))
            rc = ag_error_set(&err, AG_EPARSE, "%s: expected an object", where);
        else if (!id || strlen(id) >= sizeof x.indicator || !ag_indicator_find(ind, n, id))
            rc = ag_error_set(&err, AG_EPARSE,
                              "%s: indicator: expected the id of an indicator (GET "
                              "/api/v1/indicators)",
                              where);
        else if (!json_is_integer(jy) || !ag_indicator_year_ok((long)json_integer_value(jy)))
            rc = ag_error_set(&err, AG_EPARSE, "%s: year: expected a year from %d to %d", where,
                              AG_INDICATOR_YEAR_MIN, AG_INDICATOR_YEAR_MAX);
        else if (!json_is_number(jv))
            rc = ag_error_set(&err, AG_EPARSE, "%s: value: expected a number", where);
        else if (jvis && !json_is_boolean(jvis))
            rc = ag_error_set(&err, AG_EPARSE, "%s: visible: expected true or false", where);
        else if (jn && (!json_is_string(jn) || json_string_length(jn) > AG_INDICATOR_NOTE_MAX))
            rc = ag_error_set(&err, AG_EPARSE, "%s: note: expected a text of at most %d bytes",
                              where, AG_INDICATOR_NOTE_MAX);
        if (rc)
            break;
        snprintf(x.indicator, sizeof x.indicator, "%s", id);
        x.year = (int)json_integer_value(jy);
        x.value = json_number_value(jv);
        x.visible = json_is_true(jvis);
        snprintf(x.note, sizeof x.note, "%s", jn ? json_string_value(jn) : "");
        rc = ag_ivalue_check(&x, ind, n, where, &err);
        for (size_t i = 0; !rc && i < v.len; i++) {
            const struct ag_ivalue *o2 = &AG_VEC_AT(&v, struct ag_ivalue, i);
            if (o2->year == x.year && !strcmp(o2->indicator, x.indicator))
                rc = ag_error_set(&err, AG_EPARSE, "%s: year: %s %d is given twice", where,
                                  x.indicator, x.year);
        }
        if (!rc && !ag_vec_push(&v, &x))
            rc = ag_error_set(&err, AG_ENOMEM, "out of memory");
    }
    json_decref(root);
    free(ind);
    if (rc) {
        ag_vec_free(&v);
        return rc == AG_EPARSE ? reply_error(r, 400, "%s", err.msg) : reply_ag_error(r, rc, &err);
    }
    return store_values(r, &v);
}

/* POST /cities/{cid}/indicators/import: the body is the CSV file. */
int h_city_indicators_import(struct req *r)
{
    struct ag_indicator *ind = NULL;
    size_t n = 0;
    if (load_indicators(r, &ind, &n))
        return 0;
    struct ag_vec v;
    ag_vec_init(&v, sizeof(struct ag_ivalue));
    struct ag_error err = {0};
    int rc = ag_indicator_csv_read(r->body.data, r->body.len, "line", ind, n, &v, &err);
    free(ind);
    if (rc) {
        ag_vec_free(&v);
        /* "line:3: value: ..." reads "line 3: value: ..." */
        if (!strncmp(err.msg, "line:", 5))
            err.msg[4] = ' ';
        return rc == AG_EPARSE ? reply_error(r, 400, "%s", err.msg) : reply_ag_error(r, rc, &err);
    }
    return store_values(r, &v);
}

/* GET /partnerships/{pid}/indicators?indicator=ID[&format=svg] */
int h_partnership_indicators(struct req *r)
{
    const char *id = req_arg(r, "indicator"), *format = req_arg(r, "format");
    bool svg = format && !strcmp(format, "svg");
    if (format && !svg && strcmp(format, "json"))
        return reply_error(r, 400, "format: expected json or svg");
    struct ag_indicator *ind = NULL;
    size_t n = 0;
    if (load_indicators(r, &ind, &n))
        return 0;
    const struct ag_indicator *d = ag_indicator_find(ind, n, id);
    if (!d) {
        free(ind);
        return reply_error(r, 400,
                           "indicator: expected ?indicator= the id of an indicator (GET "
                           "/api/v1/indicators)");
    }
    struct ag_vec members, vals;
    ag_vec_init(&members, sizeof(struct ag_pmember));
    ag_vec_init(&vals, sizeof(struct ag_pvalue));
    struct ag_error err = {0};
    int rc = ag_store_pmembers(r->store, r->pid, &members, &err);
    if (!rc)
        rc = ag_store_ivalues_partnership(r->store, r->pid, d->id, r->user.id, &vals, &err);
    /* the active member cities, by name, with their series */
    size_t nc = 0;
    struct city {
        const struct ag_pmember *m;
        bool own;
        size_t first, n; /* in vals */
    } *cities = rc ? NULL : calloc(members.len + 1, sizeof *cities);
    if (!rc && !cities)
        rc = ag_error_set(&err, AG_ENOMEM, "out of memory");
    for (size_t i = 0; !rc && i < members.len; i++) {
        const struct ag_pmember *m = &AG_VEC_AT(&members, struct ag_pmember, i);
        if (!m->city_id || !m->active)
            continue;
        struct city *c = &cities[nc];
        size_t at = nc++;
        while (at && strcmp(cities[at - 1].m->name, m->name) > 0) { /* insertion by name */
            cities[at] = cities[at - 1];
            at--;
        }
        c = &cities[at];
        memset(c, 0, sizeof *c);
        c->m = m;
        enum ag_role role = AG_ROLE_NONE;
        bool partner;
        rc = ag_store_role(r->store, r->user.id, m->city_id, &role, &partner, &err);
        c->own = role != AG_ROLE_NONE;
        c->first = vals.len;
        for (size_t k = 0; k < vals.len; k++) {
            const struct ag_pvalue *p = &AG_VEC_AT(&vals, struct ag_pvalue, k);
            if (p->v.city_id != m->city_id)
                continue;
            if (!c->n)
                c->first = k;
            c->n++;
        }
    }
    const struct ag_catalog *tr = srv_tr(r->srv, srv_lang(r));
    struct ag_buf *b = &r->out;
    if (!rc && svg) {
        struct ag_series *series = calloc(nc + 1, sizeof *series);
        int *years = calloc(vals.len + 1, sizeof *years);
        double *values = calloc(vals.len + 1, sizeof *values);
        if (!series || !years || !values)
            rc = ag_error_set(&err, AG_ENOMEM, "out of memory");
        for (size_t k = 0; !rc && k < vals.len; k++) {
            years[k] = AG_VEC_AT(&vals, struct ag_pvalue, k).v.year;
            values[k] = AG_VEC_AT(&vals, struct ag_pvalue, k).v.value;
        }
        for (size_t i = 0; !rc && i < nc; i++)
            series[i] = (struct ag_series){cities[i].m->name, years + cities[i].first,
                                           values + cities[i].first, cities[i].n};
        if (!rc)
            rc = ag_indicator_svg(ag_tr(tr, d->name), d->unit, series, nc, b);
        free(series);
        free(years);
        free(values);
    } else if (!rc) {
        rc = ag_buf_printf(b, "{\"indicator\":{\"id\":\"%s\",\"dimension\":\"%s\",\"name\":", d->id,
                           d->dimension);
        if (!rc)
            rc = json_str(b, ag_tr(tr, d->name));
        if (!rc)
            rc = ag_buf_puts(b, ",\"unit\":");
        if (!rc)
            rc = json_str(b, d->unit);
        if (!rc)
            rc = ag_buf_printf(b, ",\"better\":\"%s\"},\"cities\":[",
                               d->higher_better ? "higher" : "lower");
        for (size_t i = 0; !rc && i < nc; i++) {
            rc = ag_buf_printf(b, "%s{\"city\":%lld,\"member\":%lld,\"name\":", i ? "," : "",
                               (long long)cities[i].m->city_id, (long long)cities[i].m->id);
            if (!rc)
                rc = json_str(b, cities[i].m->name);
            if (!rc)
                rc = ag_buf_printf(b, ",\"own\":%s,\"values\":[", cities[i].own ? "true" : "false");
            for (size_t k = 0; !rc && k < cities[i].n; k++) {
                const struct ag_pvalue *p =
                    &AG_VEC_AT(&vals, struct ag_pvalue, cities[i].first + k);
                rc = ag_buf_printf(b, "%s{\"year\":%d,\"value\":", k ? "," : "", p->v.year);
                if (!rc)
                    rc = put_num(b, p->v.value);
                if (!rc)
                    rc = ag_buf_printf(
                        b, ",\"visible\":%s,\"note\":", p->v.visible ? "true" : "false");
                if (!rc)
                    rc = json_str(b, p->v.note);
                if (!rc)
                    rc = ag_buf_puts(b, "}");
            }
            if (!rc)
                rc = ag_buf_puts(b, "]}");
        }
        if (!rc)
            rc = ag_buf_puts(b, "]}");
    }
    free(cities);
    ag_vec_free(&members);
    ag_vec_free(&vals);
    free(ind);
    if (rc)
        return reply_ag_error(r, rc, &err);
    if (!svg)
        return reply_json(r, 200);
    r->status = 200;
    r->ctype = "image/svg+xml";
    return 0;
}

/* ---------- funding ---------- */

/* GET /funding?lang= */
int h_funding(struct req *r)
{
    struct ag_funding *f = NULL;
    size_t n = 0;
    if (load_funding(r, &f, &n))
        return 0;
    const struct ag_catalog *tr = srv_tr(r->srv, srv_lang(r));
    struct ag_buf *b = &r->out;
    int rc = ag_buf_puts(b, "[");
    for (size_t i = 0; !rc && i < n; i++) {
        rc = ag_buf_printf(b, "%s{\"id\":\"%s\",\"name\":", i ? "," : "", f[i].id);
        if (!rc)
            rc = json_str(b, ag_tr(tr, f[i].name));
        if (!rc)
            rc = ag_buf_puts(b, ",\"description\":");
        if (!rc)
            rc = json_str(b, ag_tr(tr, f[i].description));
        if (!rc)
            rc = ag_buf_puts(b, ",\"url\":");
        if (!rc)
            rc = json_str(b, f[i].url);
        if (!rc)
            rc = ag_buf_puts(b, ",\"source\":");
        if (!rc)
            rc = json_str(b, f[i].source);
        if (!rc)
            rc = ag_buf_puts(b, "}");
    }
    if (!rc)
        rc = ag_buf_puts(b, "]");
    free(f);
    return rc ? reply_ag_error(r, rc, NULL) : reply_json(r, 200);
}

static int put_link(struct ag_buf *b, const struct ag_funding_link *l)
{
    int rc = ag_buf_printf(b, "{\"id\":%lld,\"instrument\":\"%s\",\"action\":", (long long)l->id,
                           l->instrument);
    if (!rc)
        rc = l->action_id ? ag_buf_printf(b, "%lld", (long long)l->action_id)
                          : ag_buf_puts(b, "null");
    if (!rc)
        rc = ag_buf_puts(b, ",\"city\":");
    if (!rc)
        rc = l->city_id ? ag_buf_printf(b, "%lld", (long long)l->city_id) : ag_buf_puts(b, "null");
    if (!rc)
        rc = ag_buf_puts(b, ",\"measure\":");
    if (!rc)
        rc = json_str(b, l->city_id ? l->measure : NULL);
    if (!rc)
        rc = ag_buf_puts(b, ",\"note\":");
    if (!rc)
        rc = json_str(b, l->note);
    if (!rc)
        rc = ag_buf_printf(b, ",\"added_at\":\"%s\",\"added_by\":", l->added_at);
    if (!rc)
        rc = json_str(b, l->added_by);
    if (!rc)
        rc = ag_buf_puts(b, "}");
    return rc;
}

static int reply_links(struct req *r, int rc, struct ag_vec *v, struct ag_error *err)
{
    struct ag_buf *b = &r->out;
    if (!rc)
        rc = ag_buf_puts(b, "[");
    for (size_t i = 0; !rc && i < v->len; i++) {
        rc = ag_buf_puts(b, i ? "," : "");
        if (!rc)
            rc = put_link(b, &AG_VEC_AT(v, struct ag_funding_link, i));
    }
    if (!rc)
        rc = ag_buf_puts(b, "]");
    ag_vec_free(v);
    return rc ? reply_ag_error(r, rc, err) : reply_json(r, 200);
}

/* The body of a new link: the instrument (an id of the list), the note and,
 * for a city, the measure (an id of the catalogue). 400 replied on error. */
static int link_body(struct req *r, bool measure, struct ag_funding_link *l)
{
    bool failed;
    json_t *root = req_json(r, &failed);
    if (failed)
        return -1;
    const char *inst = json_string_value(json_object_get(root, "instrument"));
    const char *m = json_string_value(json_object_get(root, "measure"));
    json_t *jn = json_object_get(root, "note");
    const char *note = jn ? json_string_value(jn) : "";
    struct ag_funding *f = NULL;
    size_t n = 0;
    if (load_funding(r, &f, &n)) {
        json_decref(root);
        return -1;
    }
    int bad = 0;
    if (!inst || !ag_funding_find(f, n, inst))
        bad = reply_error(r, 400,
                          "instrument: expected the id of a funding instrument (GET "
                          "/api/v1/funding)") -
              1;
    else if (measure &&
             (!m || strlen(m) >= sizeof l->measure || ag_catalogue_measure(r->srv->cat, m) < 0))
        bad = reply_error(r, 400,
                          "measure: expected the id of a measure of the catalogue (GET "
                          "/api/v1/catalogue)") -
              1;
    else if (!note || strlen(note) >= sizeof l->note || !ag_text_ok(note))
        bad =
            reply_error(r, 400, "note: expected a text of at most %zu bytes", sizeof l->note - 1) -
            1;
    if (!bad) {
        snprintf(l->instrument, sizeof l->instrument, "%s", inst);
        snprintf(l->measure, sizeof l->measure, "%s", measure ? m : "");
        snprintf(l->note, sizeof l->note, "%s", note);
    }
    free(f);
    json_decref(root);
    return bad;
}

/* The leader member of the path's action (0: none); 0 or a reply sent
 * (404 when the partnership has no such action). */
static int action_leader(struct req *r, int64_t *leader)
{
    struct ag_action *a = malloc(sizeof *a);
    if (!a)
        return reply_ag_error(r, AG_ENOMEM, NULL), -1;
    struct ag_error err = {0};
    int rc = ag_store_action_get(r->store, r->pid, r->action, a, &err);
    *leader = rc ? 0 : a->leader;
    free(a);
    return rc ? reply_ag_error(r, rc, &err), -1 : 0;
}

/* GET /partnerships/{pid}/actions/{action}/funding */
int h_action_funding(struct req *r)
{
    int64_t leader;
    if (action_leader(r, &leader))
        return 0;
    struct ag_vec v;
    ag_vec_init(&v, sizeof(struct ag_funding_link));
    struct ag_error err = {0};
    int rc = ag_store_funding_of_action(r->store, r->action, &v, &err);
    return reply_links(r, rc, &v, &err);
}

/* Whether the user may change the funding of the path's action: as for the
 * action itself (srv_may_lead_action); 0 or a reply sent. */
static int may_fund_action(struct req *r)
{
    int64_t leader;
    if (action_leader(r, &leader))
        return -1;
    bool ok = false;
    struct ag_error err = {0};
    int rc = srv_may_lead_action(r, leader, &ok, &err);
    if (rc)
        return reply_ag_error(r, rc, &err), -1;
    return ok ? 0 : (reply_forbidden(r), -1);
}

/* POST /partnerships/{pid}/actions/{action}/funding {instrument, note} */
int h_action_funding_new(struct req *r)
{
    if (may_fund_action(r))
        return 0;
    struct ag_funding_link l = {0};
    if (link_body(r, false, &l))
        return 0;
    l.action_id = r->action;
    struct ag_error err = {0};
    int rc = ag_store_funding_add(r->store, &l, r->user.name, &err);
    if (!rc)
        rc = put_link(&r->out, &l);
    return rc ? reply_ag_error(r, rc, &err) : reply_json(r, 201);
}

/* GET /cities/{cid}/funding */
int h_city_funding(struct req *r)
{
    struct ag_vec v;
    ag_vec_init(&v, sizeof(struct ag_funding_link));
    struct ag_error err = {0};
    int rc = ag_store_funding_of_city(r->store, r->cid, &v, &err);
    return reply_links(r, rc, &v, &err);
}

/* POST /cities/{cid}/funding {measure, instrument, note} */
int h_city_funding_new(struct req *r)
{
    struct ag_city c;
    if (srv_city(r, &c))
        return 0;
    struct ag_funding_link l = {0};
    if (link_body(r, true, &l))
        return 0;
    l.city_id = r->cid;
    struct ag_error err = {0};
    int rc = ag_store_funding_add(r->store, &l, r->user.name, &err);
    if (!rc)
        rc = put_link(&r->out, &l);
    return rc ? reply_ag_error(r, rc, &err) : reply_json(r, 201);
}

/* DELETE /partnerships/{pid}/actions/{action}/funding/{link} */
int h_action_funding_delete(struct req *r)
{
    if (may_fund_action(r))
        return 0;
    struct ag_error err = {0};
    int rc = ag_store_funding_remove(r->store, r->link, r->action, 0, r->user.name, &err);
    return rc ? reply_ag_error(r, rc, &err) : reply_json(r, 204);
}

/* DELETE /cities/{cid}/funding/{link} */
int h_city_funding_delete(struct req *r)
{
    struct ag_city c;
    if (srv_city(r, &c))
        return 0;
    struct ag_error err = {0};
    int rc = ag_store_funding_remove(r->store, r->link, 0, r->cid, r->user.name, &err);
    return rc ? reply_ag_error(r, rc, &err) : reply_json(r, 204);
}
