/* agora serve: the training modules (issue 8): lessons in the user's
 * language, exercises scored on the server (the right answers are sent only
 * with the score), progress, the practical assessment of Place d'Armes
 * against the reference, and the certificate.
 * SPDX-License-Identifier: EUPL-1.2 */
#include "server/server.h"

#include "agora/doc.h"

#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *const KINDS[] = {"choice", "multiple", "order", "scenario"};
static const char *const LESSON_KINDS[] = {"lesson", "self-evaluation", "practical"};

static int no_training(struct req *r)
{
    return reply_error(r, 404, "the training content is not installed (data/training)");
}

/* The learner's records; *recs to free with free_recs. */
static int load_recs(struct req *r, struct ag_vec *v, bool answers, struct ag_error *err)
{
    ag_vec_init(v, sizeof(struct ag_training_rec));
    return ag_store_training_progress(r->store, r->user.id, answers, v, err);
}

static void free_recs(struct ag_vec *v)
{
    for (size_t i = 0; i < v->len; i++)
        ag_training_rec_free(&AG_VEC_AT(v, struct ag_training_rec, i));
    ag_vec_free(v);
}

static const struct ag_training_rec *rec_of(const struct ag_vec *v, const char *item)
{
    for (size_t i = 0; i < v->len; i++)
        if (!strcmp(AG_VEC_AT(v, struct ag_training_rec, i).item, item))
            return &AG_VEC_AT(v, struct ag_training_rec, i);
    return NULL;
}

/* The learner's records (in v, to free with free_recs) and progress per
 * module (*mp, t->nmodules entries, to free). */
static int progress_of(struct req *r, struct ag_vec *v, struct ag_module_progress **mp, bool *all,
                       struct ag_error *err)
{
    const struct ag_training *t = r->srv->training;
    int rc = load_recs(r, v, false, err);
    if (!rc && !(*mp = calloc(t->nmodules, sizeof **mp)))
        rc = ag_error_set(err, AG_ENOMEM, "out of memory");
    return rc ? rc : ag_training_progress(t, v->data, v->len, *mp, all);
}

int h_training(struct req *r)
{
    const struct ag_training *t = r->srv->training;
    if (!t)
        return no_training(r);
    const char *lang = srv_lang(r);
    struct ag_vec v;
    struct ag_error err = {0};
    struct ag_module_progress *mp = NULL;
    bool all = false;
    int rc = progress_of(r, &v, &mp, &all, &err);
    struct ag_buf *b = &r->out;
    if (!rc)
        rc = ag_buf_printf(b, "{\"lang\":\"%s\",\"certificate\":%s,\"modules\":[", lang,
                           all ? "true" : "false");
    for (size_t m = 0; !rc && m < t->nmodules; m++) {
        const struct ag_module_progress *p = &mp[m];
        rc = ag_buf_printf(b,
                           "%s{\"id\":\"%s\",\"pass_percent\":%.1f,\"lessons_done\":%zu,"
                           "\"passed\":%s,\"self_evaluation_percent\":",
                           m ? "," : "", p->module->id, p->module->pass_percent, p->lessons_done,
                           p->passed ? "true" : "false");
        if (!rc)
            rc = p->self_eval_percent >= 0 ? ag_buf_printf(b, "%.1f", p->self_eval_percent)
                                           : ag_buf_puts(b, "null");
        if (!rc)
            rc = ag_buf_puts(b, ",\"practical_percent\":");
        if (!rc)
            rc = p->practical_percent >= 0 ? ag_buf_printf(b, "%.1f", p->practical_percent)
                                           : ag_buf_puts(b, "null");
        const char *title = NULL; /* the module's, from its first lesson */
        for (size_t i = 0; !title && i < t->nlessons; i++) {
            const struct ag_lesson *l = ag_training_lesson(t, i, lang);
            if (!strcmp(l->module, p->module->id))
                title = l->module_title;
        }
        if (!rc)
            rc = ag_buf_puts(b, ",\"title\":");
        if (!rc)
            rc = json_str(b, title);
        if (!rc)
            rc = ag_buf_puts(b, ",\"lessons\":[");
        bool first = true;
        for (size_t i = 0; !rc && i < t->nlessons; i++) {
            const struct ag_lesson *l = ag_training_lesson(t, i, lang);
            if (strcmp(l->module, p->module->id))
                continue;
            size_t answered = 0;
            for (size_t e = 0; e < l->nexercises; e++)
                answered += rec_of(&v, l->exercises[e].id) != NULL;
            bool done = l->kind == AG_LESSON_PRACTICAL ? rec_of(&v, l->id) != NULL
                                                       : answered == l->nexercises;
            if (!rc)
                rc = ag_buf_printf(b,
                                   "%s{\"id\":\"%s\",\"kind\":\"%s\",\"minutes\":%d,"
                                   "\"exercises\":%zu,\"answered\":%zu,\"done\":%s,\"title\":",
                                   first ? "" : ",", l->id, LESSON_KINDS[l->kind], l->minutes,
                                   l->nexercises, answered, done ? "true" : "false");
            if (!rc)
                rc = json_str(b, l->title);
            if (!rc)
                rc = ag_buf_puts(b, "}");
            first = false;
        }
        if (!rc)
            rc = ag_buf_puts(b, "]}");
    }
    if (!rc)
        rc = ag_buf_puts(b, "]}");
    free(mp);
    free_recs(&v);
    return rc ? reply_ag_error(r, rc, &err) : reply_json(r, 200);
}

/* The order in which a learner sees the options of an order exercise
 * (the lesson file gives them in the right order, which must not reach the
 * page): shown[d] is the option shown at place d, never the identity. The
 * permutation comes from a keyed hash (a random key per server) of the
 * learner and the exercise, so it cannot be worked out from the source;
 * answers travel in shown places and are stored in the file's order.
 * Other kinds: the identity. */
static void shown_order(const struct req *r, const struct ag_exercise *e, int *shown)
{
    size_t n = e->noptions;
    for (size_t k = 0; k < n; k++)
        shown[k] = (int)k;
    if (e->kind != AG_EX_ORDER || n < 2)
        return;
    char msg[128];
    int len = snprintf(msg, sizeof msg, "%lld:%s", (long long)r->user.id, e->id);
    uint64_t x;
    unsigned char h[crypto_shorthash_BYTES];
    crypto_shorthash(h, (const unsigned char *)msg, (unsigned long long)len, r->srv->order_key);
    memcpy(&x, h, sizeof x);
    x |= 1;
    for (size_t k = n - 1; k > 0; k--) {
        x ^= x << 13; /* xorshift64 */
        x ^= x >> 7;
        x ^= x << 17;
        size_t j = (size_t)(x % (k + 1));
        int t = shown[k];
        shown[k] = shown[j];
        shown[j] = t;
    }
    bool identity = true;
    for (size_t k = 0; k < n; k++)
        identity &= shown[k] == (int)k;
    if (identity) {
        shown[0] = 1;
        shown[1] = 0;
    }
}

/* An exercise as the learner sees it; with its right answers and
 * explanation once answered. */
static int put_exercise(const struct req *r, struct ag_buf *b, const struct ag_exercise *e,
                        const struct ag_training_rec *done)
{
    int shown[AG_EXERCISE_MAX_OPTIONS], place[AG_EXERCISE_MAX_OPTIONS];
    shown_order(r, e, shown);
    for (size_t k = 0; k < e->noptions; k++)
        place[shown[k]] = (int)k;
    int rc =
        ag_buf_printf(b, "{\"id\":\"%s\",\"kind\":\"%s\",\"question\":", e->id, KINDS[e->kind]);
    if (!rc)
        rc = json_str(b, e->question);
    if (!rc)
        rc = ag_buf_puts(b, ",\"options\":[");
    for (size_t k = 0; !rc && k < e->noptions; k++) {
        rc = ag_buf_puts(b, k ? "," : "");
        if (!rc)
            rc = json_str(b, e->option[shown[k]]);
    }
    if (!rc)
        rc = ag_buf_puts(b, "]");
    if (!rc && done) {
        /* the stored answer (file order) in shown places */
        rc = ag_buf_printf(b, ",\"score\":%.4f,\"answer\":", done->score);
        json_t *ja = done->answer ? json_loads(done->answer, 0, NULL) : NULL;
        if (!rc && !json_is_array(ja))
            rc = ag_buf_puts(b, "null");
        else if (!rc) {
            rc = ag_buf_puts(b, "[");
            for (size_t k = 0; !rc && k < json_array_size(ja); k++) {
                json_int_t v = json_integer_value(json_array_get(ja, k));
                rc = ag_buf_printf(b, "%s%d", k ? "," : "",
                                   v >= 0 && (size_t)v < e->noptions ? place[v] : (int)v);
            }
            if (!rc)
                rc = ag_buf_puts(b, "]");
        }
        json_decref(ja);
        /* the right options (an order exercise: every option, in the
         * right order), in shown places */
        if (!rc)
            rc = ag_buf_puts(b, ",\"correct\":[");
        bool first = true;
        for (size_t k = 0; !rc && k < e->noptions; k++)
            if (e->correct[k]) {
                rc = ag_buf_printf(b, "%s%d", first ? "" : ",", place[k]);
                first = false;
            }
        if (!rc)
            rc = ag_buf_puts(b, "],\"explanation\":");
        if (!rc)
            rc = json_str(b, e->explanation);
    }
    return rc ? rc : ag_buf_puts(b, "}");
}

int h_lesson(struct req *r)
{
    const struct ag_training *t = r->srv->training;
    if (!t)
        return no_training(r);
    long i = ag_training_find_lesson(t, r->item);
    if (i < 0)
        return reply_error(r, 404, "lesson %s: no such lesson", r->item);
    const struct ag_lesson *l = ag_training_lesson(t, (size_t)i, srv_lang(r));
    struct ag_vec v;
    struct ag_error err = {0};
    int rc = load_recs(r, &v, true, &err);
    struct ag_buf *b = &r->out;
    if (!rc)
        rc = ag_buf_printf(b,
                           "{\"id\":\"%s\",\"module\":\"%s\",\"kind\":\"%s\",\"minutes\":%d,"
                           "\"lang\":\"%s\",\"module_title\":",
                           l->id, l->module, LESSON_KINDS[l->kind], l->minutes, l->lang);
    if (!rc)
        rc = json_str(b, l->module_title);
    if (!rc)
        rc = ag_buf_puts(b, ",\"title\":");
    if (!rc)
        rc = json_str(b, l->title);
    if (!rc)
        rc = ag_buf_puts(b, ",\"body\":");
    if (!rc)
        rc = json_str(b, l->body);
    if (!rc)
        rc = ag_buf_puts(b, ",\"exercises\":[");
    for (size_t e = 0; !rc && e < l->nexercises; e++) {
        rc = ag_buf_puts(b, e ? "," : "");
        if (!rc)
            rc = put_exercise(r, b, &l->exercises[e], rec_of(&v, l->exercises[e].id));
    }
    if (!rc)
        rc = ag_buf_puts(b, "]}");
    free_recs(&v);
    return rc ? reply_ag_error(r, rc, &err) : reply_json(r, 200);
}

int h_exercise_answer(struct req *r)
{
    const struct ag_training *t = r->srv->training;
    if (!t)
        return no_training(r);
    size_t li;
    const struct ag_exercise *e0 = ag_training_find_exercise(t, r->item, &li);
    if (!e0)
        return reply_error(r, 404, "exercise %s: no such exercise", r->item);
    bool failed;
    json_t *root = req_json(r, &failed);
    if (failed)
        return 0;
    json_t *ja = json_object_get(root, "answer");
    int answer[AG_EXERCISE_MAX_OPTIONS];
    size_t n = json_array_size(ja);
    bool ok = json_is_array(ja) && n >= 1 && n <= AG_EXERCISE_MAX_OPTIONS;
    for (size_t k = 0; ok && k < n; k++) {
        json_t *x = json_array_get(ja, k);
        ok = json_is_integer(x) && json_integer_value(x) >= 0 &&
             json_integer_value(x) < AG_EXERCISE_MAX_OPTIONS;
        if (ok)
            answer[k] = (int)json_integer_value(x);
    }
    json_decref(root);
    /* from the places the learner saw to the file's order */
    int shown[AG_EXERCISE_MAX_OPTIONS];
    shown_order(r, e0, shown);
    for (size_t k = 0; ok && k < n; k++)
        if ((size_t)answer[k] < e0->noptions)
            answer[k] = shown[answer[k]];
    if (!ok)
        return reply_error(r, 400,
                           "\"answer\": expected an array of option numbers (from 0), "
                           "e.g. [1]; for an order exercise every option in the order "
                           "you give");
    double score;
    struct ag_error err = {0};
    int rc = ag_exercise_score(e0, answer, n, &score, &err);
    if (rc)
        return reply_ag_error(r, rc, &err);
    struct ag_buf a;
    ag_buf_init(&a, 256);
    ag_buf_puts(&a, "[");
    for (size_t k = 0; k < n; k++)
        ag_buf_printf(&a, "%s%d", k ? "," : "", answer[k]);
    ag_buf_puts(&a, "]");
    const struct ag_lesson *l = ag_training_lesson(t, li, srv_lang(r));
    rc = ag_store_training_answer(r->store, r->user.id, e0->id, l->id, a.data, score, &err);
    if (!rc) {
        /* the exercise in the learner's language, now with its answer */
        const struct ag_exercise *e = NULL;
        for (size_t k = 0; k < l->nexercises; k++)
            if (!strcmp(l->exercises[k].id, e0->id))
                e = &l->exercises[k];
        struct ag_training_rec done = {0};
        done.score = score;
        done.answer = a.data;
        rc = put_exercise(r, &r->out, e, &done);
    }
    ag_buf_free(&a);
    return rc ? reply_ag_error(r, rc, &err) : reply_json(r, 200);
}

static const struct ag_lesson *practical_lesson(struct req *r)
{
    long i = ag_training_find_lesson(r->srv->training, r->item);
    const struct ag_lesson *l =
        i < 0 ? NULL : ag_training_lesson(r->srv->training, (size_t)i, srv_lang(r));
    if (!l || l->kind != AG_LESSON_PRACTICAL) {
        reply_error(r, 404, "lesson %s: no such practical lesson", r->item);
        return NULL;
    }
    if (!r->srv->reference) {
        reply_error(r, 404,
                    "the reference answers are not installed "
                    "(data/training/reference/place-darmes.json)");
        return NULL;
    }
    return l;
}

/* The learner's answers ({"question","answer"} objects) as parallel
 * arrays; entries not of that shape are left out (*n counts the rest). */
static int learner_answers(const json_t *ja, const char ***qids, int **levels, size_t *n)
{
    size_t m = json_array_size(ja);
    *qids = calloc(m + 1, sizeof **qids);
    *levels = calloc(m + 1, sizeof **levels);
    *n = 0;
    if (!*qids || !*levels)
        return AG_ENOMEM;
    for (size_t k = 0; k < m; k++) {
        json_t *a = json_array_get(ja, k);
        const char *q = json_string_value(json_object_get(a, "question"));
        json_t *lv = json_object_get(a, "answer");
        if (q && json_is_integer(lv)) {
            (*qids)[*n] = q;
            (*levels)[(*n)++] = (int)json_integer_value(lv);
        }
    }
    return 0;
}

/* {"lesson","score","answers","items"}: the feedback on the learner's
 * answers ja, question by question in the reference's order. */
static int put_feedback(struct req *r, const char *lesson, const json_t *ja, struct ag_error *err)
{
    const char **qids = NULL;
    int *levels = NULL;
    size_t n = 0, nref = 0;
    double score = 0;
    json_error_t je;
    json_t *ref = json_loadb(r->srv->reference, r->srv->reference_len, 0, &je);
    json_t *ra = json_object_get(ref, "answers");
    const struct ag_catalog *tr = srv_tr(r->srv, srv_lang(r));
    double *points = calloc(json_array_size(ra) + 1, sizeof *points);
    int rc = points ? learner_answers(ja, &qids, &levels, &n) : AG_ENOMEM;
    if (!rc)
        rc = ag_practical_score(r->srv->reference, r->srv->reference_len, qids, levels, n, &score,
                                points, &nref, err);
    char *doc = rc ? NULL : json_dumps(ja, JSON_COMPACT);
    if (!rc)
        rc = ag_buf_printf(&r->out, "{\"lesson\":\"%s\",\"score\":%.4f,\"answers\":%s,\"items\":[",
                           lesson, score, doc ? doc : "[]");
    for (size_t k = 0; !rc && k < nref; k++) {
        json_t *a = json_array_get(ra, k);
        const char *q = json_string_value(json_object_get(a, "question"));
        int given = 0;
        for (size_t i = 0; i < n; i++)
            if (!strcmp(qids[i], q))
                given = levels[i];
        rc = ag_buf_printf(&r->out,
                           "%s{\"question\":\"%s\",\"reference\":%d,\"given\":", k ? "," : "", q,
                           (int)json_integer_value(json_object_get(a, "answer")));
        if (!rc)
            rc = given ? ag_buf_printf(&r->out, "%d", given) : ag_buf_puts(&r->out, "null");
        if (!rc)
            rc = ag_buf_printf(&r->out, ",\"points\":%.1f,\"reason\":", points[k]);
        /* the reference's reasons are in the translation catalogues
         * (po/extract.py takes them from the reference file) */
        const char *reason = json_string_value(json_object_get(a, "reason"));
        if (!rc)
            rc = json_str(&r->out, reason ? ag_tr(tr, reason) : NULL);
        if (!rc)
            rc = ag_buf_puts(&r->out, "}");
    }
    if (!rc)
        rc = ag_buf_puts(&r->out, "]}");
    if (rc > 0)
        rc = ag_error_set(err, AG_ENOMEM, "out of memory");
    free(doc);
    free(points);
    free(qids);
    free(levels);
    json_decref(ref);
    return rc;
}

int h_practical(struct req *r)
{
    if (!r->srv->training)
        return no_training(r);
    const struct ag_lesson *l = practical_lesson(r);
    if (!l)
        return 0;
    struct ag_vec v;
    struct ag_error err = {0};
    int rc = load_recs(r, &v, true, &err);
    const struct ag_training_rec *done = rc ? NULL : rec_of(&v, l->id);
    json_t *ja = done && done->answer ? json_loads(done->answer, 0, NULL) : NULL;
    if (!rc && json_is_array(ja))
        rc = put_feedback(r, l->id, ja, &err);
    else if (!rc)
        rc = ag_buf_printf(
            &r->out, "{\"lesson\":\"%s\",\"score\":null,\"answers\":null,\"items\":null}", l->id);
    json_decref(ja);
    free_recs(&v);
    return rc ? reply_ag_error(r, rc, &err) : reply_json(r, 200);
}

int h_practical_answer(struct req *r)
{
    if (!r->srv->training)
        return no_training(r);
    const struct ag_lesson *l = practical_lesson(r);
    if (!l)
        return 0;
    const struct ag_catalogue *cat = r->srv->cat;
    bool failed;
    json_t *root = req_json(r, &failed);
    if (failed)
        return 0;
    json_t *ja = json_object_get(root, "answers");
    if (!json_is_array(ja)) {
        json_decref(root);
        return reply_error(r, 400, "expected {\"answers\": [{\"question\", \"answer\"}]}");
    }
    for (size_t k = 0; k < json_array_size(ja); k++) {
        json_t *a = json_array_get(ja, k);
        const char *q = json_string_value(json_object_get(a, "question"));
        json_t *lv = json_object_get(a, "answer");
        if (!q || ag_catalogue_question(cat, q) < 0 || !json_is_integer(lv) ||
            json_integer_value(lv) < 1 || json_integer_value(lv) > 5) {
            json_decref(root);
            return reply_error(r, 400,
                               "answers[%zu]: expected a \"question\" of the checklist and an "
                               "\"answer\" from 1 to 5",
                               k);
        }
    }
    struct ag_error err = {0};
    int rc = put_feedback(r, l->id, ja, &err);
    /* the score just computed, stored with the answers */
    json_t *fb = rc ? NULL : json_loadb(r->out.data, r->out.len, 0, NULL);
    char *doc = rc ? NULL : json_dumps(ja, JSON_COMPACT);
    if (!rc)
        rc = ag_store_training_practical(r->store, r->user.id, l->id, doc ? doc : "[]",
                                         json_real_value(json_object_get(fb, "score")), &err);
    free(doc);
    json_decref(fb);
    json_decref(root);
    return rc ? reply_ag_error(r, rc, &err) : reply_json(r, 200);
}

int h_certificate(struct req *r)
{
    const struct ag_training *t = r->srv->training;
    if (!t)
        return no_training(r);
    const char *lang = srv_lang(r);
    const struct ag_catalog *tr = srv_tr(r->srv, lang);
    struct ag_vec v;
    struct ag_error err = {0};
    struct ag_module_progress *mp = NULL;
    bool all = false;
    int rc = progress_of(r, &v, &mp, &all, &err);
    if (!rc && !all) {
        free(mp);
        free_recs(&v);
        return reply_error(r, 409, "the certificate is given when every module is passed");
    }
    char now[32];
    ag_assess_now(now);
    struct ag_doc *d = rc ? NULL : ag_doc_new(lang, ag_tr(tr, "Certificate of completion"));
    if (!rc && !d)
        rc = ag_error_set(&err, AG_ENOMEM, "out of memory");
    char line[512];
    if (!rc) {
        snprintf(line, sizeof line, "%s",
                 r->user.display_name[0] ? r->user.display_name : r->user.name);
        rc = ag_doc_subtitle(d, line);
    }
    if (!rc)
        rc = ag_doc_para(d, ag_tr(tr, "has completed the agora training on the protection of "
                                      "public spaces:"));
    for (size_t m = 0; !rc && m < t->nmodules; m++) {
        const char *title = "";
        for (size_t i = 0; i < t->nlessons; i++) {
            const struct ag_lesson *l = ag_training_lesson(t, i, lang);
            if (!strcmp(l->module, mp[m].module->id)) {
                title = l->module_title;
                break;
            }
        }
        double pct =
            mp[m].self_eval_percent >= 0 ? mp[m].self_eval_percent : mp[m].practical_percent;
        if (pct >= 0)
            snprintf(line, sizeof line, "%s (%.0f %%)", title, pct);
        else
            snprintf(line, sizeof line, "%s", title);
        rc = ag_doc_bullet(d, line);
    }
    if (!rc) {
        snprintf(line, sizeof line, "%s %.10s", ag_tr(tr, "Date:"), now);
        rc = ag_doc_para(d, line);
    }
    if (!rc) {
        snprintf(line, sizeof line, "%s%s%s", r->user.organisation,
                 r->user.organisation[0] ? " · " : "", "agora");
        rc = ag_doc_footer(d, line);
    }
    char path[] = "/tmp/agora-certificate-XXXXXX";
    int fd = rc ? -1 : mkstemp(path);
    if (!rc && fd < 0)
        rc = ag_error_set(&err, AG_EIO, "cannot create a temporary file");
    if (fd >= 0)
        close(fd);
    if (!rc)
        rc = ag_doc_write_pdf(d, path, &err);
    if (!rc)
        rc = ag_file_read(path, &r->out, &err);
    if (fd >= 0)
        unlink(path);
    ag_doc_free(d);
    free(mp);
    free_recs(&v);
    if (rc)
        return reply_ag_error(r, rc, &err);
    snprintf(r->disposition, sizeof r->disposition,
             "attachment; filename=\"agora-certificate-%s.pdf\"", lang);
    r->ctype = "application/pdf";
    r->status = 200;
    return 0;
}
