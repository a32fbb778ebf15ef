/* agora serve: the good-practice library (issue 9): search with facets, an
 * entry, publishing (by hand or from a measure implemented in one of the
 * city's assessments), changing and deleting. Who sees what:
 * docs/internals/partnership.md, "Good practices"; the routes:
 * docs/internals/server.md. SPDX-License-Identifier: EUPL-1.2 */
#include "server/server.h"

#include "agora/practice.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---------- JSON ---------- */

/* Text written by users, as a JSON string with <, > and & escaped too
 * (\u003c ...), so that no markup survives even if the JSON were taken for
 * HTML. */
static int put_user_text(struct ag_buf *b, const char *s)
{
    if (!s)
        return ag_buf_puts(b, "null");
    size_t start = b->len;
    int rc = ag_buf_put_json_str(b, s);
    if (rc || !strpbrk(b->data + start, "<>&"))
        return rc;
    char *plain = strdup(b->data + start);
    if (!plain)
        return AG_ENOMEM;
    b->len = start;
    b->data[start] = '\0';
    for (const char *c = plain; !rc && *c; c++) {
        if (*c == '<')
            rc = ag_buf_puts(b, "\\u003c");
        else if (*c == '>')
            rc = ag_buf_puts(b, "\\u003e");
        else if (*c == '&')
            rc = ag_buf_puts(b, "\\u0026");
        else
            rc = ag_buf_append(b, c, 1);
    }
    free(plain);
    return rc;
}

/* The language names are shown in: the user's (not ?lang=, which filters
 * the entries by the language they are written in). */
static const char *names_lang(const struct req *r)
{
    return ag_i18n_lang_ok(r->user.lang) ? r->user.lang : "en";
}

/* {"id","name"} of a scenario or a measure of the catalogue (the name
 * translated), or null for an id the catalogue no longer has (the id). */
static int put_named(struct ag_buf *b, const char *id, const char *name,
                     const struct ag_catalog *tr)
{
    int rc = ag_buf_puts(b, "{\"id\":");
    if (!rc)
        rc = json_str(b, id);
    if (!rc)
        rc = ag_buf_puts(b, ",\"name\":");
    if (!rc)
        rc = json_str(b, name ? ag_tr(tr, name) : id);
    return rc ? rc : ag_buf_puts(b, "}");
}

static const char *scenario_name(const struct ag_catalogue *cat, const char *id)
{
    long i = ag_catalogue_scenario(cat, id);
    return i < 0 ? NULL : cat->scenarios[i].name;
}

static const char *measure_name(const struct ag_catalogue *cat, const char *id)
{
    long i = ag_catalogue_measure(cat, id);
    return i < 0 ? NULL : cat->measures[i].name;
}

static int put_entry(struct req *r, struct ag_buf *b, const struct ag_practice *p, bool full)
{
    const struct ag_catalogue *cat = r->srv->cat;
    const struct ag_catalog *tr = srv_tr(r->srv, names_lang(r));
    int rc = ag_buf_printf(b, "{\"id\":%lld,\"city\":{\"id\":%lld,\"name\":", (long long)p->id,
                           (long long)p->city_id);
    if (!rc)
        rc = put_user_text(b, p->city);
    if (!rc)
        rc = ag_buf_puts(b, "},\"title\":");
    if (!rc)
        rc = put_user_text(b, p->title);
    if (!rc)
        rc = ag_buf_puts(b, ",\"place\":");
    if (!rc)
        rc = put_user_text(b, p->place);
    if (!rc)
        rc = ag_buf_puts(b, ",\"threats\":[");
    char ids[sizeof p->threats];
    snprintf(ids, sizeof ids, "%s", p->threats);
    bool first = true;
    for (char *save = NULL, *t = strtok_r(ids, ",", &save); !rc && t;
         t = strtok_r(NULL, ",", &save)) {
        rc = ag_buf_puts(b, first ? "" : ",");
        if (!rc)
            rc = put_named(b, t, scenario_name(cat, t), tr);
        first = false;
    }
    if (!rc)
        rc = ag_buf_puts(b, "],\"measure\":");
    if (!rc)
        rc = *p->measure ? put_named(b, p->measure, measure_name(cat, p->measure), tr)
                         : ag_buf_puts(b, "null");
    if (!rc)
        rc = ag_buf_puts(b, ",\"cost_eur\":");
    if (!rc && p->cost_eur >= 0) {
        char cost[64];
        ag_format_fixed(cost, sizeof cost, p->cost_eur, 2);
        rc = ag_buf_puts(b, cost);
    } else if (!rc)
        rc = ag_buf_puts(b, "null");
    if (!rc)
        rc = ag_buf_printf(b, ",\"lang\":\"%s\",\"sharing\":\"%s\",\"assessment\":", p->lang,
                           p->sharing);
    if (!rc)
        rc = p->assessment_id ? ag_buf_printf(b, "%lld", (long long)p->assessment_id)
                              : ag_buf_puts(b, "null");
    if (!rc)
        rc = ag_buf_printf(b, ",\"updated_at\":\"%s\"", p->updated_at);
    if (!rc && full) {
        rc = ag_buf_puts(b, ",\"what\":");
        if (!rc)
            rc = put_user_text(b, p->what);
        if (!rc)
            rc = ag_buf_puts(b, ",\"problem\":");
        if (!rc)
            rc = put_user_text(b, p->problem);
        if (!rc)
            rc = ag_buf_puts(b, ",\"results\":");
        if (!rc)
            rc = put_user_text(b, p->results);
        if (!rc)
            rc = ag_buf_puts(b, ",\"contact\":");
        if (!rc)
            rc = put_user_text(b, p->contact);
        if (!rc)
            rc = ag_buf_printf(b, ",\"created_at\":\"%s\",\"created_by\":", p->created_at);
        if (!rc)
            rc = put_user_text(b, p->created_by);
    }
    return rc ? rc : ag_buf_puts(b, "}");
}

static struct ag_practice_filter who_is(const struct req *r)
{
    struct ag_practice_filter f = {0};
    f.user_id = r->user.id;
    f.admin = r->user.admin;
    return f;
}

/* Replies with the entry as the user sees it (status). */
static int reply_entry(struct req *r, int64_t id, int status)
{
    struct ag_practice_filter f = who_is(r);
    struct ag_practice p;
    struct ag_error err = {0};
    int rc = ag_store_practice_get(r->store, id, &f, &p, &err);
    if (rc)
        return reply_ag_error(r, rc, &err);
    ag_buf_reset(&r->out);
    rc = put_entry(r, &r->out, &p, true);
    ag_practice_free(&p);
    return rc ? reply_ag_error(r, rc, NULL) : reply_json(r, status);
}

/* ---------- reading ---------- */

static int put_facet(struct req *r, enum ag_facet_kind kind, const struct ag_practice_filter *f,
                     struct ag_error *err)
{
    static const char *const keys[] = {"threat", "measure", "city", "lang"};
    struct ag_buf *b = &r->out;
    const struct ag_catalogue *cat = r->srv->cat;
    const struct ag_catalog *tr = srv_tr(r->srv, names_lang(r));
    struct ag_vec v;
    ag_vec_init(&v, sizeof(struct ag_facet));
    int rc = ag_store_practice_facet(r->store, f, kind, &v, err);
    if (!rc)
        rc = ag_buf_printf(b, "%s\"%s\":[", kind ? "," : "", keys[kind]);
    for (size_t i = 0; !rc && i < v.len; i++) {
        const struct ag_facet *fc = &AG_VEC_AT(&v, struct ag_facet, i);
        rc = ag_buf_puts(b, i ? "," : "");
        if (!rc && kind == AG_FACET_CITY) {
            rc = ag_buf_printf(b, "{\"id\":%s,\"name\":", fc->id);
            if (!rc)
                rc = put_user_text(b, fc->name);
        } else if (!rc && kind == AG_FACET_LANG) {
            rc = ag_buf_printf(b, "{\"id\":\"%s\"", fc->id);
        } else if (!rc) {
            const char *name =
                kind == AG_FACET_THREAT ? scenario_name(cat, fc->id) : measure_name(cat, fc->id);
            rc = put_named(b, fc->id, name, tr);
            if (!rc) /* reopened for the count */
                b->data[--b->len] = '\0';
        }
        if (!rc)
            rc = ag_buf_printf(b, ",\"count\":%lld}", (long long)fc->count);
    }
    if (!rc)
        rc = ag_buf_puts(b, "]");
    ag_vec_free(&v);
    return rc;
}

int h_practices(struct req *r)
{
    const struct ag_catalogue *cat = r->srv->cat;
    struct ag_practice_filter f = who_is(r);
    f.threat = req_arg(r, "threat");
    f.measure = req_arg(r, "measure");
    f.lang = req_arg(r, "lang");
    f.q = req_arg(r, "q");
    const char *city = req_arg(r, "city");
    if (f.threat && *f.threat && ag_catalogue_scenario(cat, f.threat) < 0)
        return reply_error(r, 400, "threat: expected a scenario id of the catalogue");
    if (f.measure && *f.measure && ag_catalogue_measure(cat, f.measure) < 0)
        return reply_error(r, 400, "measure: expected a measure id of the catalogue");
    if (f.lang && *f.lang && !ag_i18n_lang_ok(f.lang))
        return reply_error(r, 400, "lang: expected one of %s", ag_i18n_langs());
    if (f.q && (strlen(f.q) > 200 || !ag_text_ok(f.q)))
        return reply_error(r, 400, "q: expected at most 200 bytes of text");
    if (city && *city) {
        char *end;
        long long id = strtoll(city, &end, 10);
        if (*end || id < 1)
            return reply_error(r, 400, "city: expected a city id");
        f.city_id = id;
    }
    struct ag_vec v;
    ag_vec_init(&v, sizeof(struct ag_practice));
    struct ag_error err = {0};
    int rc = ag_store_practices(r->store, &f, &v, &err);
    struct ag_buf *b = &r->out;
    if (!rc)
        rc = ag_buf_printf(b, "{\"lang\":\"%s\",\"practices\":[", names_lang(r));
    for (size_t i = 0; !rc && i < v.len; i++) {
        rc = ag_buf_puts(b, i ? "," : "");
        if (!rc)
            rc = put_entry(r, b, &AG_VEC_AT(&v, struct ag_practice, i), false);
    }
    for (size_t i = 0; i < v.len; i++)
        ag_practice_free(&AG_VEC_AT(&v, struct ag_practice, i));
    ag_vec_free(&v);
    if (!rc)
        rc = ag_buf_puts(b, "],\"facets\":{");
    for (int k = AG_FACET_THREAT; !rc && k <= AG_FACET_LANG; k++)
        rc = put_facet(r, (enum ag_facet_kind)k, &f, &err);
    if (!rc)
        rc = ag_buf_puts(b, "}}");
    return rc ? reply_ag_error(r, rc, &err) : reply_json(r, 200);
}

int h_practice(struct req *r)
{
    return reply_entry(r, r->practice, 200);
}

/* ---------- writing ---------- */

/* A text member into out (cap bytes): absent leaves out; 400 replied when
 * it is not a string or longer than max. */
static int take_text(struct req *r, json_t *root, const char *key, char *out, size_t cap,
                     size_t max)
{
    json_t *v = json_object_get(root, key);
    if (!v)
        return 0;
    if (!json_is_string(v) || json_string_length(v) > max || json_string_length(v) >= cap) {
        reply_error(r, 400, "%s: expected text of at most %zu bytes", key, max);
        return -1;
    }
    snprintf(out, cap, "%s", json_string_value(v));
    return 0;
}

/* The same for a long text (malloc'd into *out, replacing it). */
static int take_long(struct req *r, json_t *root, const char *key, char **out)
{
    json_t *v = json_object_get(root, key);
    if (!v)
        return 0;
    if (!json_is_string(v) || json_string_length(v) > AG_PRACTICE_TEXT_MAX) {
        reply_error(r, 400, "%s: expected text of at most %d bytes", key, AG_PRACTICE_TEXT_MAX);
        return -1;
    }
    char *s = strdup(json_string_value(v));
    if (!s) {
        reply_error(r, 500, "out of memory");
        return -1;
    }
    free(*out);
    *out = s;
    return 0;
}

/* Whether a label may be given by this user: a partner organisation's
 * account does not see TLP:RED, so it does not write it either. */
static int check_label(struct req *r, const char *label)
{
    if (!ag_practice_sharing_ok(label)) {
        reply_error(r, 400, "sharing: expected TLP:RED, TLP:AMBER, TLP:GREEN or TLP:CLEAR");
        return -1;
    }
    if (!strcmp(label, "TLP:RED") && r->partner && !r->user.admin) {
        reply_error(r, 400, "sharing: a partner organisation's account cannot use TLP:RED");
        return -1;
    }
    return 0;
}

/* Applies the members of a request body to p (absent members leave p as it
 * is); 400 replied (naming the member) and -1 returned on a bad one. */
static int apply_body(struct req *r, json_t *root, struct ag_practice *p)
{
    const struct ag_catalogue *cat = r->srv->cat;
    if (take_text(r, root, "title", p->title, sizeof p->title, AG_PRACTICE_TITLE_MAX) ||
        take_text(r, root, "place", p->place, sizeof p->place, AG_PRACTICE_PLACE_MAX) ||
        take_text(r, root, "contact", p->contact, sizeof p->contact, AG_PRACTICE_CONTACT_MAX) ||
        take_long(r, root, "what", &p->what) || take_long(r, root, "problem", &p->problem) ||
        take_long(r, root, "results", &p->results))
        return -1;
    json_t *jt = json_object_get(root, "threats");
    if (jt) {
        if (!json_is_array(jt) || json_array_size(jt) > cat->nscenarios)
            return reply_error(r, 400, "threats: expected a list of scenario ids"), -1;
        char list[sizeof p->threats] = "";
        size_t len = 0;
        for (size_t i = 0; i < json_array_size(jt); i++) {
            const char *id = json_string_value(json_array_get(jt, i));
            if (!id || ag_catalogue_scenario(cat, id) < 0)
                return reply_error(r, 400,
                                   "threats[%zu]: expected a scenario id of the "
                                   "catalogue",
                                   i + 1),
                       -1;
            char with[sizeof list + 2];
            snprintf(with, sizeof with, ",%s,", list);
            char needle[80];
            snprintf(needle, sizeof needle, ",%s,", id);
            if (strstr(with, needle))
                continue; /* named twice */
            int n = snprintf(list + len, sizeof list - len, "%s%s", len ? "," : "", id);
            if (n < 0 || (size_t)n >= sizeof list - len)
                return reply_error(r, 400, "threats: too many"), -1;
            len += (size_t)n;
        }
        memcpy(p->threats, list, sizeof list);
    }
    json_t *jm = json_object_get(root, "measure");
    if (json_is_null(jm))
        p->measure[0] = '\0';
    else if (jm) {
        const char *id = json_string_value(jm);
        if (!id || ag_catalogue_measure(cat, id) < 0)
            return reply_error(r, 400,
                               "measure: expected a measure id of the catalogue or "
                               "null"),
                   -1;
        snprintf(p->measure, sizeof p->measure, "%s", id);
    }
    json_t *jc = json_object_get(root, "cost_eur");
    if (json_is_null(jc))
        p->cost_eur = -1;
    else if (jc) {
        double cost = json_number_value(jc);
        if (!json_is_number(jc) || !isfinite(cost) || cost < 0 || cost > 1e12)
            return reply_error(r, 400,
                               "cost_eur: expected an amount in euros, 0 or more, or "
                               "null"),
                   -1;
        p->cost_eur = cost;
    }
    json_t *jl = json_object_get(root, "lang");
    if (jl) {
        const char *lang = json_string_value(jl);
        if (!lang || !ag_i18n_lang_ok(lang))
            return reply_error(r, 400,
                               "lang: expected one of %s (the language the entry is "
                               "written in)",
                               ag_i18n_langs()),
                   -1;
        snprintf(p->lang, sizeof p->lang, "%s", lang);
    }
    json_t *js = json_object_get(root, "sharing");
    if (js) {
        if (check_label(r, json_string_value(js)))
            return -1;
        snprintf(p->sharing, sizeof p->sharing, "%s", json_string_value(js));
    }
    return 0;
}

/* Adds p, replying 201 with it, or the error (400 naming the field). */
static int add_and_reply(struct req *r, struct ag_practice *p, const char *action)
{
    struct ag_error err = {0};
    int rc = ag_store_practice_add(r->store, p, action, r->user.name, &err);
    if (rc == AG_EINVAL)
        return reply_error(r, 400, "%s", err.msg);
    if (rc)
        return reply_ag_error(r, rc, &err);
    return reply_entry(r, p->id, 201);
}

int h_practice_new(struct req *r)
{
    struct ag_city c;
    if (srv_city(r, &c))
        return 0;
    bool failed;
    json_t *root = req_json(r, &failed);
    if (failed)
        return 0;
    struct ag_practice p;
    memset(&p, 0, sizeof p);
    p.city_id = c.id;
    p.cost_eur = -1;
    snprintf(p.lang, sizeof p.lang, "%s", names_lang(r));
    snprintf(p.sharing, sizeof p.sharing, "TLP:GREEN");
    int bad = json_is_object(root) ? apply_body(r, root, &p)
                                   : (reply_error(r, 400, "expected a JSON object"), -1);
    json_t *ja = json_object_get(root, "assessment");
    if (!bad && ja && !json_is_null(ja)) {
        /* the assessment it came from: one of this city's, that the user sees */
        struct ag_assessment_rec rec = {0};
        json_int_t aid = json_is_integer(ja) ? json_integer_value(ja) : 0;
        int rc = aid > 0 ? ag_store_assessment_get(r->store, aid, &rec, NULL) : AG_ENOTFOUND;
        if (rc || rec.city_id != c.id || !srv_may_see_full(r, &rec)) {
            reply_error(r, 400, "assessment: expected the id of an assessment of this city");
            bad = -1;
        }
        ag_assessment_rec_free(&rec);
        p.assessment_id = aid;
    }
    json_decref(root);
    if (!bad)
        add_and_reply(r, &p, "practice.create");
    ag_practice_free(&p);
    return 0;
}

int h_practice_from_measure(struct req *r)
{
    const struct ag_catalogue *cat = r->srv->cat;
    struct ag_city c;
    if (srv_city(r, &c))
        return 0;
    bool failed;
    json_t *root = req_json(r, &failed);
    if (failed)
        return 0;
    json_t *ja = json_object_get(root, "assessment");
    json_int_t aid = json_is_integer(ja) ? json_integer_value(ja) : 0;
    char mid[64] = "";
    const char *jm = json_string_value(json_object_get(root, "measure"));
    snprintf(mid, sizeof mid, "%s", jm ? jm : "");
    long m = ag_catalogue_measure(cat, mid);
    struct ag_practice p;
    memset(&p, 0, sizeof p);
    snprintf(p.sharing, sizeof p.sharing, "TLP:GREEN");
    json_t *js = json_object_get(root, "sharing");
    int bad = 0;
    if (aid < 1)
        bad =
            (reply_error(r, 400, "assessment: expected the id of an assessment of this city"), -1);
    else if (m < 0)
        bad = (reply_error(r, 400, "measure: expected a measure id of the catalogue"), -1);
    else if (js && check_label(r, json_string_value(js)))
        bad = -1;
    else if (take_long(r, root, "results", &p.results) ||
             take_text(r, root, "contact", p.contact, sizeof p.contact, AG_PRACTICE_CONTACT_MAX))
        bad = -1;
    if (!bad && js)
        snprintf(p.sharing, sizeof p.sharing, "%s", json_string_value(js));
    json_decref(root);
    if (bad) {
        ag_practice_free(&p);
        return 0;
    }
    /* the assessment: the city's, seen in full by the user */
    struct ag_assessment_rec rec = {0};
    struct ag_assessment *a = NULL;
    struct ag_space sp = {0};
    struct ag_error err = {0};
    int rc = ag_store_assessment_get(r->store, aid, &rec, &err);
    if (rc == AG_ENOTFOUND || (!rc && (rec.city_id != c.id || !srv_may_see_full(r, &rec)))) {
        reply_error(r, 404, "assessment %lld: no such assessment in this city", (long long)aid);
        goto done;
    }
    if (!rc)
        rc = ag_assessment_from_rec(cat, &rec, &a, NULL, &err);
    if (!rc && a->measures[m] != AG_MEASURE_EXISTING) {
        reply_error(r, 409,
                    "measure \"%s\" is not implemented (status existing) in assessment %lld: "
                    "only a measure in place can be published as a good practice",
                    mid, (long long)aid);
        goto done;
    }
    char ref[32];
    snprintf(ref, sizeof ref, "%lld", (long long)rec.space_id);
    if (!rc)
        rc = ag_store_space_get(r->store, c.id, ref, &sp, &err);
    if (rc) {
        reply_ag_error(r, rc, &err);
        goto done;
    }
    /* the entry, from the catalogue in the user's language */
    const struct ag_mitigation *mm = &cat->measures[m];
    const char *lang = srv_lang(r);
    const struct ag_catalog *tr = srv_tr(r->srv, lang);
    p.city_id = c.id;
    p.assessment_id = rec.id;
    snprintf(p.title, sizeof p.title, "%s", ag_tr(tr, mm->name));
    p.what = strdup(ag_tr(tr, mm->description));
    if (!p.what) {
        reply_error(r, 500, "out of memory");
        goto done;
    }
    if (sp.name && *sp.name)
        snprintf(p.place, sizeof p.place, "%s, %s", sp.name, c.name);
    else
        snprintf(p.place, sizeof p.place, "%s", c.name);
    size_t len = 0;
    for (size_t k = 0; k < mm->nreduces; k++) {
        int n = snprintf(p.threats + len, sizeof p.threats - len, "%s%s", len ? "," : "",
                         cat->scenarios[mm->reduces[k].index].id);
        if (n > 0 && (size_t)n < sizeof p.threats - len)
            len += (size_t)n;
    }
    snprintf(p.measure, sizeof p.measure, "%s", mm->id);
    p.cost_eur = (mm->cost_min + mm->cost_max) / 2;
    snprintf(p.lang, sizeof p.lang, "%s", lang);
    add_and_reply(r, &p, "practice.publish");
done:
    ag_practice_free(&p);
    ag_space_free(&sp);
    ag_assessment_free(a);
    ag_assessment_rec_free(&rec);
    return 0;
}

/* The entry of the path if it is the city's and the user sees it; 404
 * replied otherwise (as for one that does not exist). */
static int own_entry(struct req *r, struct ag_practice *p)
{
    struct ag_practice_filter f = who_is(r);
    struct ag_error err = {0};
    int rc = ag_store_practice_get(r->store, r->practice, &f, p, &err);
    if (!rc && p->city_id != r->cid) {
        ag_practice_free(p);
        rc = AG_ENOTFOUND;
    }
    if (rc == AG_ENOTFOUND)
        return reply_error(r, 404, "good practice %lld: no such entry in this city",
                           (long long)r->practice),
               -1;
    return rc ? (reply_ag_error(r, rc, &err), -1) : 0;
}

int h_practice_put(struct req *r)
{
    bool failed;
    json_t *root = req_json(r, &failed);
    if (failed)
        return 0;
    struct ag_practice p;
    if (own_entry(r, &p)) {
        json_decref(root);
        return 0;
    }
    int bad = json_is_object(root) ? apply_body(r, root, &p)
                                   : (reply_error(r, 400, "expected a JSON object"), -1);
    json_decref(root);
    if (!bad) {
        struct ag_error err = {0};
        int rc = ag_store_practice_update(r->store, r->cid, &p, r->user.name, &err);
        if (rc == AG_EINVAL)
            reply_error(r, 400, "%s", err.msg);
        else if (rc)
            reply_ag_error(r, rc, &err);
        else
            reply_entry(r, p.id, 200);
    }
    ag_practice_free(&p);
    return 0;
}

int h_practice_delete(struct req *r)
{
    struct ag_practice p;
    if (own_entry(r, &p))
        return 0;
    ag_practice_free(&p);
    struct ag_error err = {0};
    int rc = ag_store_practice_delete(r->store, r->cid, r->practice, r->user.name, &err);
    return rc ? reply_ag_error(r, rc, &err) : reply_json(r, 204);
}
