/* agora serve: perception surveys (issue 8): the public form of a survey
 * (no account, anonymous: the answers and the day are kept, the address of
 * the respondent only in memory for the rate limit), and a city's surveys
 * with their perception index (docs/methodology.md §20).
 * SPDX-License-Identifier: EUPL-1.2 */
#include "server/server.h"

#include "agora/auth.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define RESPONSES_PER_CLIENT 10 /* in 10 minutes */

/* The public survey of the path's token, open or not; 404 replied. */
static int public_survey(struct req *r, struct ag_survey *sv, struct ag_space *sp)
{
    struct ag_error err = {0};
    int rc = ag_store_survey_get(r->store, 0, r->item, sv, &err);
    if (rc == AG_ENOTFOUND)
        return reply_error(r, 404, "no such survey"), -1;
    if (rc)
        return reply_ag_error(r, rc, &err), -1;
    char ref[32];
    snprintf(ref, sizeof ref, "%lld", (long long)sv->space_id);
    if ((rc = ag_store_space_get(r->store, sv->city_id, ref, sp, &err)))
        return reply_ag_error(r, rc, &err), -1;
    return 0;
}

int h_public_survey(struct req *r)
{
    struct ag_survey sv;
    struct ag_space sp = {0};
    if (public_survey(r, &sv, &sp))
        return 0;
    const struct ag_catalog *tr = srv_tr(r->srv, srv_lang(r));
    struct ag_buf *b = &r->out;
    int rc = ag_buf_puts(b, "{\"title\":");
    if (!rc)
        rc = json_str(b, sv.title);
    if (!rc)
        rc = ag_buf_puts(b, ",\"space\":");
    if (!rc)
        rc = json_str(b, sp.name);
    if (!rc)
        rc = ag_buf_printf(b, ",\"open\":%s,\"lang\":\"%s\",\"questions\":[",
                           sv.open ? "true" : "false", srv_lang(r));
    for (size_t k = 0; !rc && k < r->srv->nsq; k++) {
        const struct ag_survey_question *q = &r->srv->sq[k];
        rc = ag_buf_printf(b, "%s{\"id\":\"%s\",\"text\":", k ? "," : "", q->id);
        if (!rc)
            rc = json_str(b, ag_tr(tr, q->text));
        if (!rc)
            rc = ag_buf_puts(b, ",\"low\":");
        if (!rc)
            rc = json_str(b, ag_tr(tr, q->low));
        if (!rc)
            rc = ag_buf_puts(b, ",\"high\":");
        if (!rc)
            rc = json_str(b, ag_tr(tr, q->high));
        if (!rc)
            rc = ag_buf_puts(b, "}");
    }
    if (!rc)
        rc = ag_buf_puts(b, "]}");
    ag_space_free(&sp);
    return rc ? reply_ag_error(r, rc, NULL) : reply_json(r, 200);
}

int h_public_respond(struct req *r)
{
    struct ag_survey sv;
    struct ag_space sp = {0};
    if (public_survey(r, &sv, &sp))
        return 0;
    ag_space_free(&sp);
    if (!sv.open)
        return reply_error(r, 409, "this survey is closed");
    char key[96];
    snprintf(key, sizeof key, "survey:%s", r->client);
    int64_t wait = srv_limit_hit(r->srv->limiter, key, RESPONSES_PER_CLIENT, (int64_t)time(NULL));
    if (wait > 0) {
        snprintf(r->retry_after, sizeof r->retry_after, "%lld", (long long)wait);
        return reply_error(r, 429, "too many answers from here; try again later");
    }
    bool failed;
    json_t *root = req_json(r, &failed);
    if (failed)
        return 0;
    json_t *ans = json_object_get(root, "answers");
    struct ag_buf b;
    ag_buf_init(&b, 4096);
    int rc = json_is_object(ans) && json_object_size(ans) ? 0 : 1;
    if (rc)
        reply_error(r, 400, "expected {\"answers\": {\"question id\": 1 to 5, ...}}");
    const char *k;
    json_t *v;
    bool first = true;
    ag_buf_puts(&b, "{");
    json_object_foreach(ans, k, v)
    {
        if (rc)
            break;
        bool known = false;
        for (size_t i = 0; i < r->srv->nsq; i++)
            known |= !strcmp(r->srv->sq[i].id, k);
        if (!known || !json_is_integer(v) || json_integer_value(v) < 1 ||
            json_integer_value(v) > 5) {
            reply_error(r, 400,
                        "answers: \"%.40s\": expected a question of the survey and an "
                        "answer from 1 to 5",
                        k);
            rc = 1;
            break;
        }
        ag_buf_printf(&b, "%s\"%s\":%d", first ? "" : ",", k, (int)json_integer_value(v));
        first = false;
    }
    json_decref(root);
    if (!rc && ag_buf_puts(&b, "}")) {
        reply_error(r, 500, "out of memory");
        rc = 1;
    }
    if (!rc) {
        char day[16];
        time_t t = time(NULL);
        struct tm tm;
        gmtime_r(&t, &tm);
        strftime(day, sizeof day, "%Y-%m-%d", &tm);
        const char *one = b.data;
        struct ag_error err = {0};
        int e = ag_store_survey_respond(r->store, sv.id, day, "web", &one, 1, &err);
        if (e)
            reply_ag_error(r, e, &err);
        else {
            ag_buf_puts(&r->out, "{\"ok\":true}");
            reply_json(r, 201);
        }
    }
    ag_buf_free(&b);
    return 0;
}

/* The perception index of a survey's responses. */
static int survey_index(struct req *r, int64_t id, struct ag_perception *p, struct ag_error *err)
{
    struct ag_vec v;
    ag_vec_init(&v, sizeof(char *));
    int rc = ag_store_survey_responses(r->store, id, &v, err);
    double *idx = rc ? NULL : calloc(v.len + 1, sizeof *idx);
    int *ans = rc ? NULL : calloc(r->srv->nsq + 1, sizeof *ans);
    if (!rc && (!idx || !ans))
        rc = ag_error_set(err, AG_ENOMEM, "out of memory");
    for (size_t i = 0; !rc && i < v.len; i++) {
        json_t *o = json_loads(AG_VEC_AT(&v, char *, i), 0, NULL);
        for (size_t k = 0; k < r->srv->nsq; k++) {
            json_t *x = json_object_get(o, r->srv->sq[k].id);
            ans[k] = json_is_integer(x) ? (int)json_integer_value(x) : 0;
        }
        json_decref(o);
        idx[i] = ag_perception_respondent(ans, r->srv->nsq);
    }
    if (!rc)
        rc = ag_perception_index(idx, v.len, 0.95, p, err);
    for (size_t i = 0; i < v.len; i++)
        free(AG_VEC_AT(&v, char *, i));
    ag_vec_free(&v);
    free(idx);
    free(ans);
    return rc;
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
        struct ag_perception p;
        rc = survey_index(r, sv->id, &p, &err);
        if (!rc)
            rc = ag_buf_printf(
                b, "%s{\"id\":%lld,\"space\":%lld,\"open\":%s,\"title\":", i ? "," : "",
                (long long)sv->id, (long long)sv->space_id, sv->open ? "true" : "false");
        if (!rc)
            rc = json_str(b, sv->title);
        /* the public form's token only for those who run the survey */
        if (!rc)
            rc = ag_buf_puts(b, ",\"token\":");
        if (!rc)
            rc = json_str(b, r->role >= AG_ROLE_COORDINATOR ? sv->token : NULL);
        if (!rc)
            rc = ag_buf_printf(b,
                               ",\"created_at\":\"%s\",\"responses\":%lld,\"respondents\":%zu,"
                               "\"index\":",
                               sv->created_at, (long long)sv->responses, p.n);
        if (!rc)
            rc = p.n ? ag_buf_printf(b, "%.2f", p.index) : ag_buf_puts(b, "null");
        if (!rc)
            rc = ag_buf_printf(b, ",\"lo\":%.2f,\"hi\":%.2f}", p.lo, p.hi);
    }
    if (!rc)
        rc = ag_buf_puts(b, "]");
    ag_vec_free(&v);
    return rc ? reply_ag_error(r, rc, &err) : reply_json(r, 200);
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
    struct ag_survey sv = {0};
    bool ok = json_is_integer(js) && json_integer_value(js) > 0 && title && *title &&
              strlen(title) < sizeof sv.title && ag_text_ok(title);
    if (ok) {
        sv.space_id = json_integer_value(js);
        snprintf(sv.title, sizeof sv.title, "%s", title);
    }
    json_decref(root);
    if (!ok)
        return reply_error(r, 400,
                           "expected {\"space\": a space id, \"title\": a title of at "
                           "most 255 bytes}");
    char ref[32];
    snprintf(ref, sizeof ref, "%lld", (long long)sv.space_id);
    struct ag_space sp = {0};
    struct ag_error err = {0};
    int rc = ag_store_space_get(r->store, c.id, ref, &sp, &err);
    ag_space_free(&sp);
    if (rc == AG_ENOTFOUND)
        return reply_error(r, 404, "space %lld: no such space in this city",
                           (long long)sv.space_id);
    sv.city_id = c.id;
    ag_token_new(sv.token);
    snprintf(sv.created_by, sizeof sv.created_by, "%s", r->user.name);
    if (!rc)
        rc = ag_store_survey_add(r->store, &sv, &err);
    if (rc)
        return reply_ag_error(r, rc, &err);
    rc = ag_buf_printf(&r->out,
                       "{\"id\":%lld,\"space\":%lld,\"token\":\"%s\",\"form\":"
                       "\"/#/survey/%s\"}",
                       (long long)sv.id, (long long)sv.space_id, sv.token, sv.token);
    return rc ? reply_ag_error(r, rc, NULL) : reply_json(r, 201);
}
