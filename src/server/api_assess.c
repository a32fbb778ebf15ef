/* agora serve: the checklist catalogue, assessments (read, start, answer,
 * share), the protection plan, and what other cities share
 * (docs/internals/server.md, "Sharing" and "API").
 * SPDX-License-Identifier: EUPL-1.2 */
#include "server/server.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---------- who sees what ---------- */

static bool label_is(const struct ag_assessment_rec *a, const char *label)
{
    return !strcmp(a->sharing, label);
}

bool srv_may_see_full(const struct req *r, const struct ag_assessment_rec *a)
{
    if (r->user.admin)
        return true;
    if (r->role != AG_ROLE_NONE && a->city_id == r->cid)
        return !(r->partner && label_is(a, "TLP:RED"));
    return a->share_details && srv_may_see_summary(r, a);
}

bool srv_may_see_summary(const struct req *r, const struct ag_assessment_rec *a)
{
    if (label_is(a, "TLP:CLEAR"))
        return true;
    if (!label_is(a, "TLP:GREEN"))
        return false;
    /* GREEN: the partnership, i.e. users with a role in some city */
    struct ag_vec g;
    ag_vec_init(&g, sizeof(struct ag_grant));
    bool member = ag_store_grants(r->store, r->user.id, 0, &g, NULL) == 0 && g.len > 0;
    ag_vec_free(&g);
    return member;
}

/* ---------- JSON of an assessment ---------- */

static const char *answer_source(enum ag_answer_source s)
{
    return s == AG_ANSWER_NONE ? NULL : ag_answer_source_name(s);
}

static int put_text(struct ag_buf *b, const char *key, const struct ag_catalog *tr, const char *s)
{
    int rc = ag_buf_printf(b, ",\"%s\":", key);
    return rc ? rc : json_str(b, s ? ag_tr(tr, s) : NULL);
}

/* The checklist areas as a JSON array, with descriptions or not. */
static int put_areas(struct ag_buf *b, const struct ag_catalogue *cat, const struct ag_catalog *tr,
                     bool descriptions)
{
    int rc = ag_buf_puts(b, "[");
    for (size_t i = 0; !rc && i < cat->nareas; i++) {
        rc = ag_buf_printf(b, "%s{\"id\":\"%s\"", i ? "," : "", cat->areas[i].id);
        if (!rc)
            rc = put_text(b, "name", tr, cat->areas[i].name);
        if (!rc && descriptions)
            rc = put_text(b, "description", tr, cat->areas[i].description);
        if (!rc)
            rc = ag_buf_puts(b, "}");
    }
    return rc ? rc : ag_buf_puts(b, "]");
}

/* A question's text, why it matters and its five answers (members). */
static int put_question(struct ag_buf *b, const struct ag_question *qq, const struct ag_catalog *tr)
{
    int rc = put_text(b, "text", tr, qq->text);
    if (!rc)
        rc = put_text(b, "why", tr, qq->why);
    if (!rc)
        rc = ag_buf_puts(b, ",\"choices\":[");
    for (int k = 0; !rc && k < AG_LEVELS; k++) {
        rc = ag_buf_puts(b, k ? "," : "");
        if (!rc)
            rc = json_str(b, ag_tr(tr, qq->answer[k]));
    }
    return rc ? rc : ag_buf_puts(b, "]");
}

static int put_head(struct ag_buf *b, const struct ag_assessment_rec *rec,
                    const struct ag_space *sp, const char *city, const char *detail)
{
    int rc = ag_buf_printf(b, "{\"id\":%lld,\"city\":{\"id\":%lld,\"name\":", (long long)rec->id,
                           (long long)rec->city_id);
    if (!rc)
        rc = json_str(b, city);
    if (!rc)
        rc = ag_buf_printf(b, "},\"space\":{\"id\":%lld,\"name\":", (long long)sp->id);
    if (!rc)
        rc = json_str(b, sp->name);
    if (!rc)
        rc = ag_buf_printf(b,
                           "},\"version\":%d,\"rev\":%d,\"sharing\":\"%s\",\"share_details\":%s,"
                           "\"created_at\":\"%s\",\"updated_at\":\"%s\",\"detail\":\"%s\"",
                           rec->version, rec->rev, rec->sharing,
                           rec->share_details ? "true" : "false", rec->created_at, rec->updated_at,
                           detail);
    return rc;
}

static int put_measures(struct ag_buf *b, const struct ag_catalogue *cat,
                        const struct ag_assessment *a, const struct ag_catalog *tr,
                        bool existing_only)
{
    int rc = ag_buf_puts(b, ",\"measures\":[");
    bool first = true;
    for (size_t m = 0; !rc && m < cat->nmeasures; m++) {
        if (existing_only && a->measures[m] != AG_MEASURE_EXISTING)
            continue;
        const struct ag_mitigation *mm = &cat->measures[m];
        rc = ag_buf_printf(b,
                           "%s{\"id\":\"%s\",\"category\":\"%s\",\"status\":\"%s\","
                           "\"cost_min\":%.0f,\"cost_max\":%.0f",
                           first ? "" : ",", mm->id, mm->category,
                           ag_measure_status_name(a->measures[m]), mm->cost_min, mm->cost_max);
        if (!rc)
            rc = put_text(b, "name", tr, mm->name);
        if (!rc)
            rc = ag_buf_puts(b, "}");
        first = false;
    }
    return rc ? rc : ag_buf_puts(b, "]");
}

static int put_full(struct req *r, struct ag_buf *b, const struct ag_assessment_rec *rec,
                    const struct ag_assessment *a, const struct ag_space *sp, const char *city)
{
    const struct ag_catalogue *cat = r->srv->cat;
    const struct ag_catalog *tr = srv_tr(r->srv, srv_lang(r));
    int rc = put_head(b, rec, sp, city, "full");
    if (!rc)
        rc = ag_buf_puts(b, ",\"assessor\":");
    if (!rc)
        rc = json_str(b, a->assessor);
    if (!rc) {
        const struct ag_context *x = &a->ctx;
        rc = ag_buf_printf(b,
                           ",\"context\":{\"symbolic\":%d,\"crowd\":%d,\"media\":%d,"
                           "\"critical\":%d,\"people\":",
                           x->symbolic, x->crowd, x->media, x->critical);
        if (!rc)
            rc = x->people >= 0 ? ag_buf_printf(b, "%.0f", x->people) : ag_buf_puts(b, "null");
        if (!rc)
            rc = ag_buf_puts(b, ",\"threat\":{");
        bool first = true;
        for (size_t s = 0; !rc && s < cat->nscenarios; s++) {
            if (!x->threat || !x->threat[s])
                continue;
            rc = ag_buf_printf(b, "%s\"%s\":%d", first ? "" : ",", cat->scenarios[s].id,
                               x->threat[s]);
            first = false;
        }
        if (!rc)
            rc = ag_buf_puts(b, "}}");
    }
    if (!rc)
        rc = ag_buf_puts(b, ",\"areas\":");
    if (!rc)
        rc = put_areas(b, cat, tr, false);
    if (!rc)
        rc = ag_buf_puts(b, ",\"answers\":[");
    for (size_t q = 0; !rc && q < cat->nquestions; q++) {
        const struct ag_question *qq = &cat->questions[q];
        const struct ag_answer *an = &a->answers[q];
        rc = ag_buf_printf(b, "%s{\"question\":\"%s\",\"area\":\"%s\"", q ? "," : "", qq->id,
                           cat->areas[qq->area].id);
        if (!rc)
            rc = put_question(b, qq, tr);
        if (!rc)
            rc = ag_buf_puts(b, ",\"answer\":");
        if (!rc)
            rc = an->level ? ag_buf_printf(b, "%d", an->level) : ag_buf_puts(b, "null");
        if (!rc)
            rc = ag_buf_puts(b, ",\"source\":");
        if (!rc)
            rc = json_str(b, answer_source(an->source));
        if (!rc)
            rc = ag_buf_puts(b, ",\"computed\":");
        if (!rc)
            rc = an->computed_level ? ag_buf_printf(b, "%d", an->computed_level)
                                    : ag_buf_puts(b, "null");
        if (!rc)
            rc = ag_buf_printf(b, ",\"computable\":%s,\"summary\":",
                               qq->evidence != AG_EVIDENCE_NONE ? "true" : "false");
        if (!rc)
            rc = json_str(b, an->summary);
        if (!rc)
            rc = ag_buf_puts(b, ",\"evidence\":");
        if (!rc)
            rc = ag_buf_puts(b, an->evidence && *an->evidence ? an->evidence : "null");
        if (!rc)
            rc = ag_buf_puts(b, ",\"reason\":");
        if (!rc)
            rc = json_str(b, an->reason);
        if (!rc)
            rc = ag_buf_puts(b, ",\"at\":");
        if (!rc)
            rc = json_str(b, an->at[0] ? an->at : NULL);
        if (!rc)
            rc = ag_buf_puts(b, "}");
    }
    if (!rc)
        rc = ag_buf_puts(b, "]");
    if (!rc)
        rc = put_measures(b, cat, a, tr, false);
    struct ag_scenario_risk *risk = rc ? NULL : calloc(cat->nscenarios, sizeof *risk);
    if (!rc && !risk)
        rc = AG_ENOMEM;
    if (!rc) {
        ag_assess_score(cat, a, NULL, risk);
        rc = ag_buf_printf(b, ",\"total\":%.4f,\"risk\":", ag_assess_total(cat, risk));
    }
    if (!rc)
        rc = ag_assess_risk_json(cat, risk, tr, b);
    free(risk);
    return rc ? rc : ag_buf_puts(b, "}");
}

static int put_summary(struct req *r, struct ag_buf *b, const struct ag_assessment_rec *rec,
                       const struct ag_assessment *a, const struct ag_space *sp, const char *city)
{
    int rc = put_head(b, rec, sp, city, "summary");
    if (!rc)
        rc = put_measures(b, r->srv->cat, a, srv_tr(r->srv, srv_lang(r)), true);
    return rc ? rc : ag_buf_puts(b, "}");
}

/* ---------- loading the assessment of the path ---------- */

struct loaded {
    struct ag_city city;
    struct ag_assessment_rec rec;
    struct ag_assessment *a;
    struct ag_space sp;
};

static void loaded_free(struct loaded *x)
{
    ag_assessment_rec_free(&x->rec);
    ag_assessment_free(x->a);
    ag_space_free(&x->sp);
    memset(x, 0, sizeof *x);
}

/* Loads the path's assessment; it must belong to the path's city. A user
 * without a role there gets 403 for anything not shared with them, whether
 * or not it exists. On failure the reply is made and -1 returned. */
static int load(struct req *r, struct loaded *x, bool *summary_only)
{
    memset(x, 0, sizeof *x);
    struct ag_error err = {0};
    bool member = r->user.admin || r->role != AG_ROLE_NONE;
    int rc = ag_store_assessment_get(r->store, r->aid, &x->rec, &err);
    if (rc == AG_ENOTFOUND || (!rc && x->rec.city_id != r->cid)) {
        loaded_free(x);
        return member ? (reply_error(r, 404, "assessment %lld: no such assessment in this city",
                                     (long long)r->aid),
                         -1)
                      : (reply_forbidden(r), -1);
    }
    if (rc) {
        loaded_free(x);
        return reply_ag_error(r, rc, &err), -1;
    }
    *summary_only = false;
    if (!srv_may_see_full(r, &x->rec)) {
        if (member || !srv_may_see_summary(r, &x->rec)) {
            loaded_free(x);
            return reply_forbidden(r), -1;
        }
        *summary_only = true;
    }
    char ref[32];
    snprintf(ref, sizeof ref, "%lld", (long long)x->rec.space_id);
    struct ag_vec cities;
    ag_vec_init(&cities, sizeof(struct ag_city));
    rc = ag_store_cities(r->store, &cities, &err);
    for (size_t i = 0; !rc && i < cities.len; i++)
        if (AG_VEC_AT(&cities, struct ag_city, i).id == x->rec.city_id)
            x->city = AG_VEC_AT(&cities, struct ag_city, i);
    ag_vec_free(&cities);
    if (!rc)
        rc = ag_store_space_get(r->store, x->rec.city_id, ref, &x->sp, &err);
    if (!rc)
        rc = ag_assessment_from_rec(r->srv->cat, &x->rec, &x->a, NULL, &err);
    if (rc) {
        loaded_free(x);
        return reply_ag_error(r, rc, &err), -1;
    }
    return 0;
}

int h_assessment(struct req *r)
{
    struct loaded x;
    bool summary;
    if (load(r, &x, &summary))
        return 0;
    int rc = summary ? put_summary(r, &r->out, &x.rec, x.a, &x.sp, x.city.name)
                     : put_full(r, &r->out, &x.rec, x.a, &x.sp, x.city.name);
    loaded_free(&x);
    return rc ? reply_ag_error(r, rc, NULL) : reply_json(r, 200);
}

int h_assessment_new(struct req *r)
{
    struct ag_city c;
    struct ag_space sp = {0};
    if (srv_city(r, &c) || srv_space(r, &sp))
        return 0;
    const char *assessor = NULL;
    json_t *root = NULL;
    if (r->body.len) {
        bool failed;
        if (!(root = req_json(r, &failed))) {
            ag_space_free(&sp);
            return 0;
        }
        json_t *ja = json_object_get(root, "assessor");
        if (ja && (!json_is_string(ja) || json_string_length(ja) > 200 ||
                   !ag_text_ok(json_string_value(ja)))) {
            json_decref(root);
            ag_space_free(&sp);
            return reply_error(r, 400, "\"assessor\": expected a name of at most 200 bytes");
        }
        assessor = json_string_value(ja);
    }
    if (!assessor)
        assessor = r->user.display_name[0] ? r->user.display_name : r->user.name;
    struct ag_error err = {0};
    struct ag_assessment_rec rec = {0};
    struct ag_assessment *a = NULL;
    bool has_prev;
    /* the new version starts from the latest: who may not read that one
     * (a partner, a TLP:RED assessment) may not start the next */
    struct ag_assessment_rec prev = {0};
    int prc = ag_store_assessment_latest(r->store, sp.id, &prev, NULL);
    bool hidden = prc == 0 && !srv_may_see_full(r, &prev);
    ag_assessment_rec_free(&prev);
    if (hidden || (prc && prc != AG_ENOTFOUND)) {
        json_decref(root);
        ag_space_free(&sp);
        return hidden ? reply_forbidden(r) : reply_ag_error(r, prc, NULL);
    }
    int rc = ag_store_begin(r->store, &err);
    if (!rc) {
        rc = ag_assessment_start(r->store, &c, &sp, r->srv->cat, assessor, r->user.name, &rec, &a,
                                 &has_prev, &err);
        char target[64], detail[64];
        snprintf(target, sizeof target, "assessment %lld", (long long)rec.id);
        snprintf(detail, sizeof detail, "space %lld, version %d", (long long)sp.id, rec.version);
        if (!rc)
            rc = req_audit(r, c.id, "assessment.create", target, detail, &err);
        rc = rc ? (ag_store_rollback(r->store), rc) : ag_store_commit(r->store, &err);
    }
    json_decref(root);
    if (!rc)
        rc = put_full(r, &r->out, &rec, a, &sp, c.name);
    if (!rc)
        reply_json(r, 201);
    else
        reply_ag_error(r, rc, &err);
    ag_assessment_free(a);
    ag_assessment_rec_free(&rec);
    ag_space_free(&sp);
    return 0;
}

/* Saves x with an audit line, in one transaction; on a conflict replies 409
 * with the current assessment. */
static int save(struct req *r, struct loaded *x, int rev, const char *action, const char *what)
{
    struct ag_error err = {0};
    char target[64];
    snprintf(target, sizeof target, "assessment %lld", (long long)x->rec.id);
    int rc = ag_store_begin(r->store, &err);
    if (!rc) {
        rc =
            ag_assessment_save(r->store, r->srv->cat, x->a, &x->rec, rev, r->user.name, what, &err);
        if (!rc)
            rc = req_audit(r, x->rec.city_id, action, target, what, &err);
        rc = rc ? (ag_store_rollback(r->store), rc) : ag_store_commit(r->store, &err);
    }
    if (rc == AG_ECONFLICT) {
        struct loaded cur;
        bool summary;
        ag_buf_reset(&r->out);
        if (load(r, &cur, &summary))
            return -1;
        int e = ag_buf_puts(&r->out, "{\"error\":");
        if (!e)
            e = json_str(&r->out, "someone else saved this assessment since you opened it; "
                                  "reload it, then make your change again");
        if (!e)
            e = ag_buf_puts(&r->out, ",\"current\":");
        if (!e)
            e = put_full(r, &r->out, &cur.rec, cur.a, &cur.sp, cur.city.name);
        if (!e)
            e = ag_buf_puts(&r->out, "}");
        loaded_free(&cur);
        return e ? (reply_ag_error(r, e, NULL), -1) : (reply_json(r, 409), -1);
    }
    if (rc)
        return reply_ag_error(r, rc, &err), -1;
    return 0;
}

/* Replies 200 with the assessment x in full (what was just saved). */
static void reply_full(struct req *r, const struct loaded *x)
{
    ag_buf_reset(&r->out);
    int rc = put_full(r, &r->out, &x->rec, x->a, &x->sp, x->city.name);
    if (rc)
        reply_ag_error(r, rc, NULL);
    else
        reply_json(r, 200);
}

int h_assessment_put(struct req *r)
{
    bool failed;
    json_t *root = req_json(r, &failed);
    if (failed)
        return 0;
    json_t *jrev = json_object_get(root, "rev");
    if (!json_is_integer(jrev) || json_integer_value(jrev) < 1 ||
        json_integer_value(jrev) > 1000000000) {
        json_decref(root);
        return reply_error(r, 400,
                           "\"rev\": expected the revision you started from (a "
                           "positive integer, from the assessment's \"rev\")");
    }
    int rev = (int)json_integer_value(jrev);
    if (json_object_get(root, "sharing") && r->role < AG_ROLE_COORDINATOR) {
        json_decref(root);
        return reply_forbidden(r);
    }
    json_object_del(root, "rev");
    char *doc = json_dumps(root, JSON_COMPACT);
    json_decref(root);
    if (!doc)
        return reply_error(r, 500, "out of memory");
    struct loaded x;
    bool summary;
    if (load(r, &x, &summary)) {
        free(doc);
        return 0;
    }
    struct ag_error err = {0};
    char now[32], what[64];
    ag_assess_now(now);
    size_t changed = 0;
    int rc = ag_assessment_apply(r->srv->cat, x.a, doc, strlen(doc), "request body", now, &changed,
                                 &err);
    free(doc);
    if (rc) {
        loaded_free(&x);
        return reply_ag_error(r, rc, &err);
    }
    snprintf(what, sizeof what, "%zu change(s) from the web application", changed);
    if (!save(r, &x, rev, "assessment.answer", what)) {
        reply_full(r, &x);
    }
    loaded_free(&x);
    return 0;
}

int h_sharing(struct req *r)
{
    bool failed;
    json_t *root = req_json(r, &failed);
    if (failed)
        return 0;
    const char *label = json_string_value(json_object_get(root, "sharing"));
    json_t *jd = json_object_get(root, "share_details");
    static const char *const labels[] = {"TLP:RED", "TLP:AMBER", "TLP:GREEN", "TLP:CLEAR"};
    bool ok = false;
    for (int i = 0; label && i < 4; i++)
        ok |= !strcmp(label, labels[i]);
    if (!ok || (jd && !json_is_boolean(jd))) {
        json_decref(root);
        return reply_error(r, 400,
                           "expected {\"sharing\": \"TLP:RED\", \"TLP:AMBER\", "
                           "\"TLP:GREEN\" or \"TLP:CLEAR\", \"share_details\": true or "
                           "false}");
    }
    char lab[16];
    snprintf(lab, sizeof lab, "%s", label);
    bool details = jd ? json_is_true(jd) : false;
    json_decref(root);
    /* read and written in one write transaction: an answer saved meanwhile
     * is in what is read, so it is kept */
    struct ag_error err = {0};
    int rc = ag_store_begin(r->store, &err);
    if (rc)
        return reply_ag_error(r, rc, &err);
    struct loaded x;
    bool summary;
    if (load(r, &x, &summary)) {
        ag_store_rollback(r->store);
        return 0;
    }
    snprintf(x.a->sharing, sizeof x.a->sharing, "%s", lab);
    x.rec.share_details = details;
    char what[64];
    snprintf(what, sizeof what, "sharing %s%s", lab, details ? ", details shared" : "");
    if (save(r, &x, x.rec.rev, "assessment.sharing", what)) {
        ag_store_rollback(r->store);
    } else if ((rc = ag_store_commit(r->store, &err))) {
        reply_ag_error(r, rc, &err);
    } else {
        reply_full(r, &x);
    }
    loaded_free(&x);
    return 0;
}

int h_plan(struct req *r)
{
    double budget = INFINITY;
    const char *bs = req_arg(r, "budget");
    if (bs && (!ag_parse_double(bs, &budget) || !(budget >= 0) || budget > 1e12))
        return reply_error(r, 400, "budget: expected an amount in euros, e.g. 250000");
    struct loaded x;
    bool summary;
    if (load(r, &x, &summary))
        return 0;
    if (summary) {
        loaded_free(&x);
        return reply_forbidden(r);
    }
    struct ag_plan p;
    memset(&p, 0, sizeof p);
    struct ag_error err = {0};
    int rc = ag_assess_plan(r->srv->cat, x.a, budget, &p, &err);
    if (!rc)
        rc = ag_buf_printf(&r->out, "{\"assessment\":%lld,", (long long)x.rec.id);
    if (!rc && !isfinite(p.budget)) {
        /* JSON has no infinity: an unlimited budget is null */
        p.budget = 0;
        rc = ag_assess_plan_json(r->srv->cat, &p, srv_tr(r->srv, srv_lang(r)), &r->out);
        char *k = rc ? NULL : strstr(r->out.data, "\"budget_eur\":0.00");
        if (k) /* the same length: replaced in place */
            memcpy(k, "\"budget_eur\":null", 17);
    } else if (!rc)
        rc = ag_assess_plan_json(r->srv->cat, &p, srv_tr(r->srv, srv_lang(r)), &r->out);
    if (!rc)
        rc = ag_buf_puts(&r->out, "}");
    ag_plan_free(&p);
    loaded_free(&x);
    return rc ? reply_ag_error(r, rc, &err) : reply_json(r, 200);
}

int h_catalogue(struct req *r)
{
    const struct ag_catalogue *cat = r->srv->cat;
    const struct ag_catalog *tr = srv_tr(r->srv, srv_lang(r));
    struct ag_buf *b = &r->out;
    int rc = ag_buf_printf(b, "{\"lang\":\"%s\",\"scenarios\":[", srv_lang(r));
    for (size_t i = 0; !rc && i < cat->nscenarios; i++) {
        rc = ag_buf_printf(b, "%s{\"id\":\"%s\",\"code\":\"%s\"", i ? "," : "",
                           cat->scenarios[i].id, cat->scenarios[i].code);
        if (!rc)
            rc = put_text(b, "name", tr, cat->scenarios[i].name);
        if (!rc)
            rc = put_text(b, "description", tr, cat->scenarios[i].description);
        if (!rc)
            rc = ag_buf_puts(b, "}");
    }
    if (!rc)
        rc = ag_buf_puts(b, "],\"areas\":");
    if (!rc)
        rc = put_areas(b, cat, tr, true);
    if (!rc)
        rc = ag_buf_puts(b, ",\"questions\":[");
    for (size_t q = 0; !rc && q < cat->nquestions; q++) {
        const struct ag_question *qq = &cat->questions[q];
        rc = ag_buf_printf(b, "%s{\"id\":\"%s\",\"area\":\"%s\",\"computable\":%s", q ? "," : "",
                           qq->id, cat->areas[qq->area].id,
                           qq->evidence != AG_EVIDENCE_NONE ? "true" : "false");
        if (!rc)
            rc = put_question(b, qq, tr);
        if (!rc)
            rc = ag_buf_puts(b, "}");
    }
    if (!rc)
        rc = ag_buf_puts(b, "],\"measures\":[");
    for (size_t m = 0; !rc && m < cat->nmeasures; m++) {
        const struct ag_mitigation *mm = &cat->measures[m];
        rc = ag_buf_printf(b,
                           "%s{\"id\":\"%s\",\"category\":\"%s\",\"cost_min\":%.0f,"
                           "\"cost_max\":%.0f",
                           m ? "," : "", mm->id, mm->category, mm->cost_min, mm->cost_max);
        if (!rc)
            rc = put_text(b, "name", tr, mm->name);
        if (!rc)
            rc = put_text(b, "description", tr, mm->description);
        if (!rc)
            rc = ag_buf_puts(b, "}");
    }
    if (!rc)
        rc = ag_buf_puts(b, "]}");
    return rc ? reply_ag_error(r, rc, NULL) : reply_json(r, 200);
}

int h_shared(struct req *r)
{
    struct ag_vec cities, grants;
    ag_vec_init(&cities, sizeof(struct ag_city));
    ag_vec_init(&grants, sizeof(struct ag_grant));
    struct ag_error err = {0};
    int rc = ag_store_cities(r->store, &cities, &err);
    if (!rc)
        rc = ag_store_grants(r->store, r->user.id, 0, &grants, &err);
    if (!rc)
        rc = ag_buf_puts(&r->out, "[");
    bool first = true;
    for (size_t i = 0; !rc && i < cities.len; i++) {
        const struct ag_city *c = &AG_VEC_AT(&cities, struct ag_city, i);
        bool own = false;
        for (size_t g = 0; g < grants.len; g++)
            own |= AG_VEC_AT(&grants, struct ag_grant, g).city_id == c->id;
        if (own)
            continue;
        struct ag_vec as;
        ag_vec_init(&as, sizeof(struct ag_assessment_rec));
        /* as a user without a role in that city */
        struct req view = *r;
        view.cid = c->id;
        view.role = AG_ROLE_NONE;
        view.partner = false;
        view.user.admin = false;
        rc = ag_store_assessments(r->store, c->id, &as, &err);
        for (size_t k = 0; !rc && k < as.len; k++) {
            const struct ag_assessment_rec *a = &AG_VEC_AT(&as, struct ag_assessment_rec, k);
            if (k + 1 < as.len &&
                AG_VEC_AT(&as, struct ag_assessment_rec, k + 1).space_id == a->space_id)
                continue; /* only the latest version of each space */
            if (!srv_may_see_summary(&view, a))
                continue;
            struct ag_space sp = {0};
            char ref[32];
            snprintf(ref, sizeof ref, "%lld", (long long)a->space_id);
            rc = ag_store_space_get(r->store, c->id, ref, &sp, &err);
            if (!rc)
                rc = ag_buf_printf(&r->out, "%s{\"id\":%lld,\"city\":{\"id\":%lld,\"name\":",
                                   first ? "" : ",", (long long)a->id, (long long)c->id);
            if (!rc)
                rc = json_str(&r->out, c->name);
            if (!rc)
                rc = ag_buf_printf(&r->out, "},\"space\":{\"id\":%lld,\"name\":", (long long)sp.id);
            if (!rc)
                rc = json_str(&r->out, sp.name);
            if (!rc)
                rc = ag_buf_printf(&r->out,
                                   "},\"version\":%d,\"sharing\":\"%s\",\"share_details\":%s,"
                                   "\"updated_at\":\"%s\"}",
                                   a->version, a->sharing, a->share_details ? "true" : "false",
                                   a->updated_at);
            first = false;
            ag_space_free(&sp);
        }
        for (size_t k = 0; k < as.len; k++)
            ag_assessment_rec_free(&AG_VEC_AT(&as, struct ag_assessment_rec, k));
        ag_vec_free(&as);
    }
    if (!rc)
        rc = ag_buf_puts(&r->out, "]");
    ag_vec_free(&cities);
    ag_vec_free(&grants);
    return rc ? reply_ag_error(r, rc, &err) : reply_json(r, 200);
}
