/* agora serve: perception surveys (issue 8): the public form of a survey
 * (no account, anonymous: the answers and the day are kept, the address of
 * the respondent only in memory for the rate limit), a city's surveys with
 * their results, and the perception index of each space beside its
 * recorded incidents (docs/methodology.md §20).
 * SPDX-License-Identifier: EUPL-1.2 */
#include "server/server.h"

#include "agora/auth.h"
#include "agora/incident_io.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define RESPONSES_PER_CLIENT 10 /* in 10 minutes */

/* A survey's form; 0 or an error replied. */
static int load_form(struct req *r, int64_t id, struct ag_survey_question **q, size_t *nq)
{
    struct ag_error err = {0};
    int rc = ag_survey_form_load(r->store, id, r->srv->sq, r->srv->nsq, q, nq, &err);
    return rc ? reply_ag_error(r, rc, &err), -1 : 0;
}

/* The public survey of the path's token, open or not, with its space's
 * name (malloc'd) and its form; 0 or an error replied. */
static int public_survey(struct req *r, struct ag_survey *sv, char **space,
                         struct ag_survey_question **q, size_t *nq)
{
    struct ag_error err = {0};
    int rc = ag_store_survey_get(r->store, 0, r->item, sv, &err);
    if (rc == AG_ENOTFOUND)
        return reply_error(r, 404, "no such survey"), -1;
    if (rc)
        return reply_ag_error(r, rc, &err), -1;
    char ref[32];
    snprintf(ref, sizeof ref, "%lld", (long long)sv->space_id);
    struct ag_space sp = {0};
    if ((rc = ag_store_space_get(r->store, sv->city_id, ref, &sp, &err)))
        return reply_ag_error(r, rc, &err), -1;
    *space = sp.name ? ag_strdup(sp.name) : NULL;
    ag_space_free(&sp);
    if (load_form(r, sv->id, q, nq)) {
        free(*space);
        return -1;
    }
    return 0;
}

int h_public_survey(struct req *r)
{
    struct ag_survey sv;
    char *space = NULL;
    struct ag_survey_question *q = NULL;
    size_t nq = 0;
    if (public_survey(r, &sv, &space, &q, &nq))
        return 0;
    const struct ag_catalog *tr = srv_tr(r->srv, srv_lang(r));
    struct ag_buf *b = &r->out;
    int rc = ag_buf_puts(b, "{\"title\":");
    if (!rc)
        rc = json_str(b, sv.title);
    if (!rc)
        rc = ag_buf_puts(b, ",\"space\":");
    if (!rc)
        rc = json_str(b, space);
    if (!rc)
        rc = ag_buf_printf(b, ",\"open\":%s,\"lang\":\"%s\",\"questions\":[",
                           sv.open ? "true" : "false", srv_lang(r));
    for (size_t k = 0; !rc && k < nq; k++) {
        /* the city's own questions as written, the standard ones translated */
        const struct ag_catalog *qt = q[k].own ? NULL : tr;
        rc = ag_buf_printf(b, "%s{\"id\":\"%s\",\"kind\":\"%s\",\"own\":%s,\"text\":", k ? "," : "",
                           q[k].id, q[k].kind == AG_SQ_SCALE ? "scale" : "choice",
                           q[k].own ? "true" : "false");
        if (!rc)
            rc = json_str(b, ag_tr(qt, q[k].text));
        if (!rc && q[k].kind == AG_SQ_SCALE) {
            rc = ag_buf_puts(b, ",\"low\":");
            if (!rc)
                rc = json_str(b, ag_tr(qt, q[k].low));
            if (!rc)
                rc = ag_buf_puts(b, ",\"high\":");
            if (!rc)
                rc = json_str(b, ag_tr(qt, q[k].high));
        } else if (!rc) {
            rc = ag_buf_puts(b, ",\"options\":[");
            for (size_t j = 0; !rc && j < q[k].nopt; j++) {
                rc = ag_buf_printf(b, "%s{\"id\":\"%s\",\"text\":", j ? "," : "", q[k].opt[j].id);
                if (!rc)
                    rc = json_str(b, ag_tr(qt, q[k].opt[j].text));
                if (!rc)
                    rc = ag_buf_puts(b, "}");
            }
            if (!rc)
                rc = ag_buf_puts(b, "]");
        }
        if (!rc)
            rc = ag_buf_puts(b, "}");
    }
    if (!rc)
        rc = ag_buf_puts(b, "]}");
    free(space);
    ag_survey_questions_free(q, nq);
    return rc ? reply_ag_error(r, rc, NULL) : reply_json(r, 200);
}

int h_public_respond(struct req *r)
{
    struct ag_survey sv;
    char *space = NULL;
    struct ag_survey_question *q = NULL;
    size_t nq = 0;
    if (public_survey(r, &sv, &space, &q, &nq))
        return 0;
    free(space);
    if (!sv.open) {
        ag_survey_questions_free(q, nq);
        return reply_error(r, 409, "this survey is closed");
    }
    char key[96];
    snprintf(key, sizeof key, "survey:%s", r->client);
    int64_t wait = srv_limit_hit(r->srv->limiter, key, RESPONSES_PER_CLIENT, (int64_t)time(NULL));
    if (wait > 0) {
        ag_survey_questions_free(q, nq);
        snprintf(r->retry_after, sizeof r->retry_after, "%lld", (long long)wait);
        return reply_error(r, 429, "too many answers from here; try again later");
    }
    bool failed;
    json_t *root = req_json(r, &failed);
    if (failed) {
        ag_survey_questions_free(q, nq);
        return 0;
    }
    char *text = json_dumps(json_object_get(root, "answers"), JSON_COMPACT);
    json_decref(root);
    struct ag_buf b;
    ag_buf_init(&b, 64 << 10);
    struct ag_error err = {0};
    int rc = ag_survey_answers_check(q, nq, text ? text : "", &b, &err);
    free(text);
    ag_survey_questions_free(q, nq);
    if (rc == AG_EPARSE)
        reply_error(r, 400, "%s", err.msg);
    else if (!rc) {
        const char *one = b.data;
        rc = ag_store_survey_respond(r->store, sv.id, "web", &one, 1, &err);
    }
    if (rc && rc != AG_EPARSE)
        reply_ag_error(r, rc, &err);
    else if (!rc) {
        ag_buf_puts(&r->out, "{\"ok\":true}");
        reply_json(r, 201);
    }
    ag_buf_free(&b);
    return 0;
}

/* The tally of a stored survey from its form. */
static int survey_tally(struct req *r, int64_t id, struct ag_survey_tally *t, struct ag_error *err)
{
    struct ag_survey_question *q = NULL;
    size_t nq = 0;
    int rc = ag_survey_form_load(r->store, id, r->srv->sq, r->srv->nsq, &q, &nq, err);
    if (!rc)
        rc = ag_survey_tally_load(r->store, id, q, nq, 0.95, t, err);
    ag_survey_questions_free(q, nq);
    return rc;
}

/* A survey's summary: id, space, open, title, the token (coordinators
 * only), created_at, responses, respondents, index, lo, hi. */
static int put_survey(struct req *r, const struct ag_survey *sv, const struct ag_perception *p,
                      struct ag_buf *b)
{
    int rc =
        ag_buf_printf(b, "{\"id\":%lld,\"space\":%lld,\"open\":%s,\"title\":", (long long)sv->id,
                      (long long)sv->space_id, sv->open ? "true" : "false");
    if (!rc)
        rc = json_str(b, sv->title);
    /* the public form's token only for those who run the survey */
    if (!rc)
        rc = ag_buf_puts(b, ",\"token\":");
    if (!rc)
        rc = json_str(b, r->role >= AG_ROLE_COORDINATOR ? sv->token : NULL);
    if (!rc)
        rc = ag_buf_printf(b, ",\"created_at\":\"%s\",\"responses\":%lld,\"respondents\":%zu,",
                           sv->created_at, (long long)sv->responses, p->n);
    if (!rc)
        rc = ag_buf_puts(b, "\"index\":");
    if (!rc)
        rc = ag_buf_put_fixed(b, p->n ? p->index : NAN, 2);
    if (!rc)
        rc = ag_buf_puts(b, ",\"lo\":");
    if (!rc)
        rc = ag_buf_put_fixed(b, p->lo, 2);
    if (!rc)
        rc = ag_buf_puts(b, ",\"hi\":");
    if (!rc)
        rc = ag_buf_put_fixed(b, p->hi, 2);
    return rc ? rc : ag_buf_puts(b, "}");
}

int h_surveys(struct req *r)
{
    struct ag_city c;
    if (srv_city(r, &c))
        return 0;
    struct ag_vec v;
    ag_vec_init(&v, sizeof(struct ag_survey));
    struct ag_error err = {0};
    int rc = ag_store_surveys(r->store, c.id, 0, &v, &err);
    struct ag_buf *b = &r->out;
    if (!rc)
        rc = ag_buf_puts(b, "[");
    for (size_t i = 0; !rc && i < v.len; i++) {
        const struct ag_survey *sv = &AG_VEC_AT(&v, struct ag_survey, i);
        struct ag_survey_tally t;
        rc = survey_tally(r, sv->id, &t, &err);
        if (!rc && i)
            rc = ag_buf_puts(b, ",");
        if (!rc)
            rc = put_survey(r, sv, &t.index, b);
        if (!rc)
            ag_survey_tally_free(&t);
    }
    if (!rc)
        rc = ag_buf_puts(b, "]");
    ag_vec_free(&v);
    return rc ? reply_ag_error(r, rc, &err) : reply_json(r, 200);
}

/* The survey of the path ({vid}) in the path's city; 0 or 404 replied. */
static int path_survey(struct req *r, struct ag_city *c, struct ag_survey *sv)
{
    if (srv_city(r, c))
        return -1;
    struct ag_error err = {0};
    int rc = ag_store_survey_get(r->store, r->vid, NULL, sv, &err);
    if (rc == AG_ENOTFOUND || (!rc && sv->city_id != c->id))
        return reply_error(r, 404, "survey %lld: no such survey in this city", (long long)r->vid),
               -1;
    return rc ? reply_ag_error(r, rc, &err), -1 : 0;
}

int h_survey(struct req *r)
{
    struct ag_city c;
    struct ag_survey sv;
    if (path_survey(r, &c, &sv))
        return 0;
    struct ag_survey_question *q = NULL;
    size_t nq = 0;
    if (load_form(r, sv.id, &q, &nq))
        return 0;
    struct ag_survey_tally t = {0};
    struct ag_error err = {0};
    int rc = ag_survey_tally_load(r->store, sv.id, q, nq, 0.95, &t, &err);
    struct ag_buf *b = &r->out;
    if (!rc)
        rc = ag_buf_puts(b, "{\"survey\":");
    if (!rc)
        rc = put_survey(r, &sv, &t.index, b);
    if (!rc)
        rc = ag_buf_puts(b, ",\"tally\":");
    if (!rc)
        rc = ag_survey_tally_json(q, nq, &t, srv_tr(r->srv, srv_lang(r)), b);
    if (!rc)
        rc = ag_buf_puts(b, "}");
    ag_survey_tally_free(&t);
    ag_survey_questions_free(q, nq);
    return rc ? reply_ag_error(r, rc, &err) : reply_json(r, 200);
}

int h_survey_put(struct req *r)
{
    struct ag_city c;
    struct ag_survey sv;
    if (path_survey(r, &c, &sv))
        return 0;
    bool failed;
    json_t *root = req_json(r, &failed);
    if (failed)
        return 0;
    json_t *open = json_object_get(root, "open");
    bool ok = json_is_boolean(open) && json_object_size(root) == 1;
    bool want = json_is_true(open);
    json_decref(root);
    if (!ok)
        return reply_error(r, 400, "expected {\"open\": true or false}");
    struct ag_error err = {0};
    int rc =
        sv.open == want ? 0 : ag_store_survey_set_open(r->store, sv.id, want, r->user.name, &err);
    if (rc)
        return reply_ag_error(r, rc, &err);
    rc = ag_buf_printf(&r->out, "{\"id\":%lld,\"open\":%s}", (long long)sv.id,
                       want ? "true" : "false");
    return rc ? reply_ag_error(r, rc, NULL) : reply_json(r, 200);
}

int h_survey_new(struct req *r)
{
    struct ag_city c;
    if (srv_city(r, &c))
        return 0;
    bool failed;
    json_t *root = req_json(r, &failed);
    if (failed)
        return 0;
    json_t *js = json_object_get(root, "space");
    const char *title = json_string_value(json_object_get(root, "title"));
    json_t *own = json_object_get(root, "questions");
    char *own_text = own ? json_dumps(own, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
    struct ag_survey sv = {0};
    bool ok = json_is_integer(js) && json_integer_value(js) > 0 && title && *title &&
              strlen(title) < sizeof sv.title && ag_text_ok(title) && (!own || own_text);
    if (ok) {
        sv.space_id = json_integer_value(js);
        snprintf(sv.title, sizeof sv.title, "%s", title);
    }
    json_decref(root);
    if (!ok) {
        free(own_text);
        return reply_error(r, 400,
                           "expected {\"space\": a space id, \"title\": a title of at "
                           "most 255 bytes, \"questions\": the city's own (optional)}");
    }
    struct ag_error err = {0};
    struct ag_buf canon;
    ag_buf_init(&canon, 1 << 20);
    int rc = own_text ? ag_survey_own_check(own_text, &canon, &err) : 0;
    free(own_text);
    if (rc) {
        ag_buf_free(&canon);
        return reply_error(r, 400, "%s", err.msg);
    }
    char ref[32];
    snprintf(ref, sizeof ref, "%lld", (long long)sv.space_id);
    struct ag_space sp = {0};
    rc = ag_store_space_get(r->store, c.id, ref, &sp, &err);
    ag_space_free(&sp);
    if (rc == AG_ENOTFOUND) {
        ag_buf_free(&canon);
        return reply_error(r, 404, "space %lld: no such space in this city",
                           (long long)sv.space_id);
    }
    sv.city_id = c.id;
    ag_token_new(sv.token);
    snprintf(sv.created_by, sizeof sv.created_by, "%s", r->user.name);
    if (!rc)
        rc = ag_store_survey_add(r->store, &sv, canon.data, &err);
    ag_buf_free(&canon);
    if (rc)
        return reply_ag_error(r, rc, &err);
    rc = ag_buf_printf(&r->out,
                       "{\"id\":%lld,\"space\":%lld,\"token\":\"%s\",\"form\":"
                       "\"/#/survey/%s\"}",
                       (long long)sv.id, (long long)sv.space_id, sv.token, sv.token);
    return rc ? reply_ag_error(r, rc, NULL) : reply_json(r, 201);
}

/* ---------- perception beside incidents ---------- */

struct spot {
    struct ag_space space;
    struct ag_survey survey; /* the newest with respondents */
    struct ag_perception p;
    double incidents, per_ha;
    double rank_fear, rank_inc, divergence;
};

/* Adds each incident set's records inside the spaces to their counts; the
 * names of the sets used are listed in names (JSON strings). */
static int count_incidents(struct req *r, struct spot *sp, size_t n, struct ag_buf *names,
                           struct ag_error *err)
{
    struct ag_vec sets, spaces;
    ag_vec_init(&sets, sizeof(struct ag_incident_set));
    ag_vec_init(&spaces, sizeof(struct ag_space));
    int rc = ag_store_incident_sets(r->store, &sets, err);
    for (size_t i = 0; !rc && i < n; i++)
        if (!ag_vec_push(&spaces, &sp[i].space))
            rc = ag_error_set(err, AG_ENOMEM, "out of memory");
    bool first = true;
    for (size_t k = 0; !rc && k < sets.len; k++) {
        const struct ag_incident_set *set = &AG_VEC_AT(&sets, struct ag_incident_set, k);
        struct ag_plane *plane = NULL;
        struct ag_vec rows;
        ag_vec_init(&rows, sizeof(struct ag_incident));
        struct ag_incident_filter f = {.xy_only = true};
        rc = ag_plane_new(&plane, set->plane, err);
        if (!rc)
            rc = ag_store_incidents_load(r->store, set->id, &f, &rows, err);
        struct ag_xy *xy = rc ? NULL : malloc((rows.len + 1) * sizeof *xy);
        if (!rc && !xy)
            rc = ag_error_set(err, AG_ENOMEM, "out of memory");
        for (size_t i = 0; !rc && i < rows.len; i++)
            xy[i] = AG_VEC_AT(&rows, struct ag_incident, i).xy;
        struct ag_incidents_in_spaces in = {0};
        if (!rc)
            rc = ag_incidents_in_spaces((const struct ag_space *)spaces.data, n, plane, xy,
                                        rows.len, 0, &in, err);
        double total = 0;
        for (size_t i = 0; !rc && i < n; i++) {
            sp[i].incidents += in.within[i];
            total += in.within[i];
        }
        /* a set with nothing in this city's surveyed spaces is not named */
        if (!rc && total > 0) {
            rc = ag_buf_puts(names, first ? "" : ",");
            if (!rc)
                rc = json_str(names, set->name);
            first = false;
        }
        ag_incidents_in_spaces_free(&in);
        free(xy);
        for (size_t i = 0; i < rows.len; i++)
            free(AG_VEC_AT(&rows, struct ag_incident, i).category);
        ag_vec_free(&rows);
        ag_plane_free(plane);
    }
    for (size_t k = 0; k < sets.len; k++)
        ag_incident_set_free(&AG_VEC_AT(&sets, struct ag_incident_set, k));
    ag_vec_free(&sets);
    ag_vec_free(&spaces); /* the spaces belong to sp */
    return rc;
}

int h_perception(struct req *r)
{
    struct ag_city c;
    if (srv_city(r, &c))
        return 0;
    struct ag_vec v;
    ag_vec_init(&v, sizeof(struct ag_survey));
    struct ag_error err = {0};
    int rc = ag_store_surveys(r->store, c.id, 0, &v, &err);
    struct spot *sp = rc ? NULL : calloc(v.len + 1, sizeof *sp);
    size_t n = 0;
    if (!rc && !sp)
        rc = ag_error_set(&err, AG_ENOMEM, "out of memory");
    /* newest first: a space's first survey with respondents is its newest */
    for (size_t i = 0; !rc && i < v.len; i++) {
        const struct ag_survey *sv = &AG_VEC_AT(&v, struct ag_survey, i);
        bool seen = false;
        for (size_t k = 0; k < n; k++)
            seen |= sp[k].survey.space_id == sv->space_id;
        if (seen || !sv->responses)
            continue;
        struct ag_survey_tally t;
        rc = survey_tally(r, sv->id, &t, &err);
        if (rc || !t.index.n) {
            if (!rc)
                ag_survey_tally_free(&t);
            continue;
        }
        struct spot *s = &sp[n];
        s->survey = *sv;
        s->p = t.index;
        ag_survey_tally_free(&t);
        char ref[32];
        snprintf(ref, sizeof ref, "%lld", (long long)sv->space_id);
        rc = ag_store_space_get(r->store, c.id, ref, &s->space, &err);
        if (!rc)
            n++;
        else
            ag_space_free(&s->space);
    }
    struct ag_buf names;
    ag_buf_init(&names, 1 << 20);
    if (!rc && n)
        rc = count_incidents(r, sp, n, &names, &err);
    double *idx = rc ? NULL : calloc(n + 1, sizeof *idx);
    double *dens = rc ? NULL : calloc(n + 1, sizeof *dens);
    double *rf = rc ? NULL : calloc(n + 1, sizeof *rf);
    double *ri = rc ? NULL : calloc(n + 1, sizeof *ri);
    double *dv = rc ? NULL : calloc(n + 1, sizeof *dv);
    if (!rc && (!idx || !dens || !rf || !ri || !dv))
        rc = ag_error_set(&err, AG_ENOMEM, "out of memory");
    bool have_incidents = names.len > 0;
    for (size_t i = 0; !rc && i < n; i++) {
        sp[i].per_ha =
            sp[i].space.area_m2 > 0 ? sp[i].incidents / (sp[i].space.area_m2 / 1e4) : NAN;
        idx[i] = sp[i].p.index;
        dens[i] = have_incidents ? sp[i].per_ha : NAN;
    }
    if (!rc)
        rc = ag_perception_divergence(idx, dens, n, rf, ri, dv, &err);
    struct ag_buf *b = &r->out;
    if (!rc)
        rc = ag_buf_puts(b, "{\"incident_sets\":[");
    if (!rc && names.len)
        rc = ag_buf_puts(b, names.data);
    if (!rc)
        rc = ag_buf_printf(b, "],\"divergent_at\":%.2f,\"spaces\":[", AG_PERCEPTION_DIVERGENT);
    for (size_t i = 0; !rc && i < n; i++) {
        const struct spot *s = &sp[i];
        rc = ag_buf_printf(b, "%s{\"space\":%lld,\"name\":", i ? "," : "", (long long)s->space.id);
        if (!rc)
            rc = json_str(b, s->space.name);
        if (!rc)
            rc = ag_buf_printf(b, ",\"lat\":%.6f,\"lon\":%.6f,\"survey\":%lld,\"respondents\":%zu",
                               s->space.centroid.lat, s->space.centroid.lon,
                               (long long)s->survey.id, s->p.n);
        const char *labels[] = {",\"index\":",          ",\"lo\":",        ",\"hi\":",
                                ",\"area_ha\":",        ",\"per_ha\":",    ",\"rank_fear\":",
                                ",\"rank_incidents\":", ",\"divergence\":"};
        double vals[] = {
            s->p.index, s->p.lo, s->p.hi, s->space.area_m2 / 1e4, have_incidents ? s->per_ha : NAN,
            rf[i],      ri[i],   dv[i]};
        int dec[] = {2, 2, 2, 4, 3, 4, 4, 4};
        for (size_t k = 0; !rc && k < sizeof vals / sizeof vals[0]; k++) {
            rc = ag_buf_puts(b, labels[k]);
            if (!rc)
                rc = ag_buf_put_fixed(b, vals[k], dec[k]);
        }
        if (!rc)
            rc = have_incidents ? ag_buf_printf(b, ",\"incidents\":%.0f", s->incidents)
                                : ag_buf_puts(b, ",\"incidents\":null");
        const char *div = !isfinite(dv[i])                    ? "null"
                          : dv[i] >= AG_PERCEPTION_DIVERGENT  ? "\"fear\""
                          : dv[i] <= -AG_PERCEPTION_DIVERGENT ? "\"incidents\""
                                                              : "\"agree\"";
        if (!rc)
            rc = ag_buf_printf(b, ",\"diverges\":%s}", div);
    }
    if (!rc)
        rc = ag_buf_puts(b, "]}");
    for (size_t i = 0; i < n; i++)
        ag_space_free(&sp[i].space);
    free(sp);
    free(idx);
    free(dens);
    free(rf);
    free(ri);
    free(dv);
    ag_buf_free(&names);
    ag_vec_free(&v);
    return rc ? reply_ag_error(r, rc, &err) : reply_json(r, 200);
}
