/* The questions of a perception survey: the standard ones from
 * data/survey-questions.csv and the city's own, which come from a
 * coordinator as JSON and are checked like any outside input.
 * SPDX-License-Identifier: EUPL-1.2 */
#include "agora/survey.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void ag_survey_questions_free(struct ag_survey_question *q, size_t n)
{
    for (size_t i = 0; q && i < n; i++) {
        free(q[i].text);
        free(q[i].low);
        free(q[i].high);
        for (size_t k = 0; k < q[i].nopt; k++)
            free(q[i].opt[k].text);
        free(q[i].opt);
    }
    free(q);
}

/* Appends an empty question to *q (n of them); NULL when out of memory. */
static struct ag_survey_question *grow(struct ag_survey_question **q, size_t *n)
{
    struct ag_survey_question *nq = realloc(*q, (*n + 1) * sizeof **q);
    if (!nq)
        return NULL;
    *q = nq;
    memset(&nq[*n], 0, sizeof **q);
    return &nq[(*n)++];
}

static int add_option(struct ag_survey_question *x, const char *id, const char *text)
{
    struct ag_survey_option *o = realloc(x->opt, (x->nopt + 1) * sizeof *o);
    if (!o)
        return AG_ENOMEM;
    x->opt = o;
    snprintf(o[x->nopt].id, sizeof o->id, "%s", id);
    if (!(o[x->nopt].text = ag_strdup(text)))
        return AG_ENOMEM;
    x->nopt++;
    return 0;
}

static bool id_ok(const char *s)
{
    size_t n = strlen(s);
    return n && n < sizeof((struct ag_survey_question *)0)->id &&
           strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789_") == n;
}

int ag_survey_questions_load(const char *dir, struct ag_survey_question **out, size_t *n,
                             struct ag_error *err)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/survey-questions.csv", dir ? dir : ag_data_dir());
    struct ag_buf b;
    ag_buf_init(&b, (size_t)1 << 20);
    int rc = ag_file_read(path, &b, err);
    struct ag_csv c;
    ag_csv_init(&c, b.data ? b.data : "", b.len, path);
    struct ag_survey_question *q = NULL;
    size_t nq = 0;
    int got = rc ? rc : ag_csv_next(&c, err);
    if (!rc && got <= 0)
        rc = got < 0 ? got : ag_error_set(err, AG_EPARSE, "%s: empty file", path);
    else if (!rc && (c.nfield != 5 || strcmp(c.field[0], "id") || strcmp(c.field[1], "kind") ||
                     strcmp(c.field[2], "text") || strcmp(c.field[3], "low") ||
                     strcmp(c.field[4], "high")))
        rc = ag_error_set(err, AG_EPARSE, "%s:1: expected the header id,kind,text,low,high", path);
    while (!rc && (got = ag_csv_next(&c, err)) > 0) {
        const char *kind = c.nfield == 5 ? c.field[1] : "";
        bool scale = !strcmp(kind, "scale"), choice = !strcmp(kind, "choice"),
             option = !strcmp(kind, "option");
        if (c.nfield != 5 || !id_ok(c.field[0]) || !(scale || choice || option) || !*c.field[2] ||
            !ag_text_ok(c.field[2])) {
            rc = ag_error_set(err, AG_EPARSE,
                              "%s:%d: expected an id (a-z, 0-9, _), a kind (scale, choice or "
                              "option) and a text",
                              path, c.line);
            break;
        }
        if (scale !=
            (*c.field[3] && *c.field[4] && ag_text_ok(c.field[3]) && ag_text_ok(c.field[4]))) {
            rc = ag_error_set(err, AG_EPARSE,
                              "%s:%d: low, high: expected the texts of the lowest and highest "
                              "answers for a scale, and nothing otherwise",
                              path, c.line);
            break;
        }
        if (option) {
            struct ag_survey_question *cq = nq ? &q[nq - 1] : NULL;
            if (!cq || cq->kind != AG_SQ_CHOICE) {
                rc = ag_error_set(err, AG_EPARSE,
                                  "%s:%d: an option must follow its choice question", path, c.line);
                break;
            }
            for (size_t k = 0; k < cq->nopt; k++)
                if (!strcmp(cq->opt[k].id, c.field[0]))
                    rc = ag_error_set(err, AG_EPARSE, "%s:%d: option %s given twice", path, c.line,
                                      c.field[0]);
            if (!rc && cq->nopt == 63)
                rc = ag_error_set(err, AG_EPARSE, "%s:%d: more than 63 options", path, c.line);
            if (!rc && add_option(cq, c.field[0], c.field[2]))
                rc = ag_error_set(err, AG_ENOMEM, "out of memory");
            continue;
        }
        if (nq && q[nq - 1].kind == AG_SQ_CHOICE && q[nq - 1].nopt < 2) {
            rc = ag_error_set(err, AG_EPARSE, "%s:%d: question %s has fewer than 2 options", path,
                              c.line, q[nq - 1].id);
            break;
        }
        for (size_t i = 0; i < nq; i++)
            if (!strcmp(q[i].id, c.field[0]))
                rc = ag_error_set(err, AG_EPARSE, "%s:%d: question %s given twice", path, c.line,
                                  c.field[0]);
        if (rc)
            break;
        struct ag_survey_question *x = grow(&q, &nq);
        if (!x) {
            rc = ag_error_set(err, AG_ENOMEM, "out of memory");
            break;
        }
        snprintf(x->id, sizeof x->id, "%s", c.field[0]);
        x->kind = scale ? AG_SQ_SCALE : AG_SQ_CHOICE;
        x->text = ag_strdup(c.field[2]);
        if (scale) {
            x->low = ag_strdup(c.field[3]);
            x->high = ag_strdup(c.field[4]);
        }
        if (!x->text || (scale && (!x->low || !x->high)))
            rc = ag_error_set(err, AG_ENOMEM, "out of memory");
    }
    if (!rc && got < 0)
        rc = got;
    if (!rc && nq && q[nq - 1].kind == AG_SQ_CHOICE && q[nq - 1].nopt < 2)
        rc = ag_error_set(err, AG_EPARSE, "%s: question %s has fewer than 2 options", path,
                          q[nq - 1].id);
    if (!rc && !nq)
        rc = ag_error_set(err, AG_EPARSE, "%s: no question", path);
    ag_csv_free(&c);
    ag_buf_free(&b);
    if (rc) {
        ag_survey_questions_free(q, nq);
        return rc;
    }
    *out = q;
    *n = nq;
    return 0;
}

/* ---------- the city's own questions ---------- */

/* A string field of own question k: present, non-empty, at most max bytes,
 * clean text. */
static const char *own_text(json_t *o, const char *field, size_t max, size_t k,
                            struct ag_error *err)
{
    const char *s = json_string_value(json_object_get(o, field));
    if (!s || !*s || strlen(s) > max || !ag_text_ok(s)) {
        ag_error_set(err, AG_EPARSE,
                     "questions[%zu].%s: expected a text of 1 to %zu bytes (no control "
                     "characters)",
                     k + 1, field, max);
        return NULL;
    }
    return s;
}

/* Walks own questions JSON, checking each; with q, appends them to it. */
static int own_walk(const char *json, struct ag_buf *canon, struct ag_survey_question **q,
                    size_t *nq, struct ag_error *err)
{
    json_error_t je;
    json_t *root = json_loads(json, JSON_REJECT_DUPLICATES, &je);
    if (!json_is_array(root)) {
        json_decref(root);
        return ag_error_set(err, AG_EPARSE,
                            "questions: expected an array of questions "
                            "[{\"kind\": \"scale\" or \"choice\", \"text\", ...}]");
    }
    size_t n = json_array_size(root);
    int rc = 0;
    if (n > AG_SURVEY_OWN_MAX)
        rc = ag_error_set(err, AG_EPARSE, "questions: at most %d of the city's own",
                          AG_SURVEY_OWN_MAX);
    if (!rc && canon)
        rc = ag_buf_puts(canon, "[");
    for (size_t k = 0; !rc && k < n; k++) {
        json_t *o = json_array_get(root, k);
        const char *kind = json_string_value(json_object_get(o, "kind"));
        bool scale = kind && !strcmp(kind, "scale"), choice = kind && !strcmp(kind, "choice");
        if (!json_is_object(o) || !(scale || choice)) {
            rc = ag_error_set(err, AG_EPARSE,
                              "questions[%zu].kind: expected \"scale\" or \"choice\"", k + 1);
            break;
        }
        const char *text = own_text(o, "text", AG_SURVEY_OWN_TEXT, k, err);
        const char *low = text && scale ? own_text(o, "low", AG_SURVEY_OWN_END, k, err) : NULL;
        const char *high = low ? own_text(o, "high", AG_SURVEY_OWN_END, k, err) : NULL;
        if (!text || (scale && !high)) {
            rc = AG_EPARSE;
            break;
        }
        json_t *opts = json_object_get(o, "options");
        size_t nopt = json_array_size(opts);
        if (choice && (!json_is_array(opts) || nopt < 2 || nopt > AG_SURVEY_OWN_OPTIONS)) {
            rc = ag_error_set(err, AG_EPARSE,
                              "questions[%zu].options: expected 2 to %d options (texts)", k + 1,
                              AG_SURVEY_OWN_OPTIONS);
            break;
        }
        for (size_t j = 0; choice && j < nopt; j++) {
            const char *t = json_string_value(json_array_get(opts, j));
            if (!t || !*t || strlen(t) > AG_SURVEY_OWN_OPTION || !ag_text_ok(t)) {
                rc = ag_error_set(err, AG_EPARSE,
                                  "questions[%zu].options[%zu]: expected a text of 1 to %d "
                                  "bytes",
                                  k + 1, j + 1, AG_SURVEY_OWN_OPTION);
                break;
            }
        }
        if (rc)
            break;
        if (canon) {
            rc = ag_buf_printf(canon, "%s{\"kind\":\"%s\",\"text\":", k ? "," : "",
                               scale ? "scale" : "choice");
            if (!rc)
                rc = ag_buf_put_json_str(canon, text);
            if (!rc && scale) {
                rc = ag_buf_puts(canon, ",\"low\":");
                if (!rc)
                    rc = ag_buf_put_json_str(canon, low);
                if (!rc)
                    rc = ag_buf_puts(canon, ",\"high\":");
                if (!rc)
                    rc = ag_buf_put_json_str(canon, high);
            }
            if (!rc && choice)
                rc = ag_buf_puts(canon, ",\"options\":[");
            for (size_t j = 0; !rc && choice && j < nopt; j++) {
                if (j)
                    rc = ag_buf_puts(canon, ",");
                if (!rc)
                    rc = ag_buf_put_json_str(canon, json_string_value(json_array_get(opts, j)));
            }
            if (!rc)
                rc = ag_buf_puts(canon, choice ? "]}" : "}");
        }
        struct ag_survey_question *x = !rc && q ? grow(q, nq) : NULL;
        if (!rc && q && !x)
            rc = AG_ENOMEM;
        if (!rc && x) {
            snprintf(x->id, sizeof x->id, "own%zu", k + 1 < 100 ? k + 1 : 99);
            x->own = true;
            x->kind = scale ? AG_SQ_SCALE : AG_SQ_CHOICE;
            x->text = ag_strdup(text);
            if (scale) {
                x->low = ag_strdup(low);
                x->high = ag_strdup(high);
            }
            if (!x->text || (scale && (!x->low || !x->high)))
                rc = AG_ENOMEM;
            for (size_t j = 0; !rc && choice && j < nopt; j++) {
                char id[24];
                snprintf(id, sizeof id, "%zu", j + 1);
                rc = add_option(x, id, json_string_value(json_array_get(opts, j)));
            }
        }
        if (rc == AG_ENOMEM)
            ag_error_set(err, AG_ENOMEM, "out of memory");
    }
    if (!rc && canon)
        rc = ag_buf_puts(canon, "]");
    json_decref(root);
    return rc;
}

int ag_survey_own_check(const char *json, struct ag_buf *canon, struct ag_error *err)
{
    return own_walk(json, canon, NULL, NULL, err);
}

int ag_survey_form(const struct ag_survey_question *std, size_t nstd, const char *own_json,
                   struct ag_survey_question **out, size_t *n, struct ag_error *err)
{
    struct ag_survey_question *q = NULL;
    size_t nq = 0;
    int rc = 0;
    for (size_t i = 0; !rc && i < nstd; i++) {
        struct ag_survey_question *x = grow(&q, &nq);
        if (!x) {
            rc = AG_ENOMEM;
            break;
        }
        const struct ag_survey_question *s = &std[i];
        memcpy(x->id, s->id, sizeof x->id);
        x->kind = s->kind;
        x->own = s->own;
        x->text = ag_strdup(s->text);
        x->low = s->low ? ag_strdup(s->low) : NULL;
        x->high = s->high ? ag_strdup(s->high) : NULL;
        if (!x->text || (s->low && !x->low) || (s->high && !x->high))
            rc = AG_ENOMEM;
        for (size_t k = 0; !rc && k < s->nopt; k++)
            rc = add_option(x, s->opt[k].id, s->opt[k].text);
    }
    if (rc)
        ag_error_set(err, AG_ENOMEM, "out of memory");
    if (!rc && own_json && *own_json)
        rc = own_walk(own_json, NULL, &q, &nq, err);
    if (rc) {
        ag_survey_questions_free(q, nq);
        return rc;
    }
    *out = q;
    *n = nq;
    return 0;
}
