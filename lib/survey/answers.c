/* Answers to a perception survey: one respondent's answers checked against
 * the survey's form, responses imported from another survey tool (CSV),
 * and what they add up to (the tally and the perception index).
 * SPDX-License-Identifier: EUPL-1.2 */
#include "agora/survey.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static long find_question(const struct ag_survey_question *q, size_t nq, const char *id)
{
    for (size_t k = 0; k < nq; k++)
        if (!strcmp(q[k].id, id))
            return (long)k;
    return -1;
}

static long find_option(const struct ag_survey_question *q, const char *id)
{
    for (size_t k = 0; k < q->nopt; k++)
        if (!strcmp(q->opt[k].id, id))
            return (long)k;
    return -1;
}

/* Writes the answers of one respondent in form order: scale[k] 1..5 (0: not
 * answered), chosen[k] a bit set of options (answered[k] tells whether a
 * choice question was answered at all). */
static int put_answers(const struct ag_survey_question *q, size_t nq, const int *scale,
                       const uint64_t *chosen, const bool *answered, struct ag_buf *out)
{
    int rc = ag_buf_puts(out, "{");
    bool first = true;
    for (size_t k = 0; !rc && k < nq; k++) {
        if (!answered[k])
            continue;
        rc = ag_buf_printf(out, "%s\"%s\":", first ? "" : ",", q[k].id);
        first = false;
        if (!rc && q[k].kind == AG_SQ_SCALE)
            rc = ag_buf_printf(out, "%d", scale[k]);
        else if (!rc) {
            rc = ag_buf_puts(out, "[");
            bool f = true;
            for (size_t j = 0; !rc && j < q[k].nopt; j++)
                if (chosen[k] >> j & 1) {
                    rc = ag_buf_printf(out, "%s\"%s\"", f ? "" : ",", q[k].opt[j].id);
                    f = false;
                }
            if (!rc)
                rc = ag_buf_puts(out, "]");
        }
    }
    return rc ? rc : ag_buf_puts(out, "}");
}

struct sheet {
    int *scale;
    uint64_t *chosen;
    bool *answered;
};

static int sheet_new(struct sheet *s, size_t nq)
{
    s->scale = calloc(nq + 1, sizeof *s->scale);
    s->chosen = calloc(nq + 1, sizeof *s->chosen);
    s->answered = calloc(nq + 1, sizeof *s->answered);
    return s->scale && s->chosen && s->answered ? 0 : AG_ENOMEM;
}

static void sheet_clear(struct sheet *s, size_t nq)
{
    memset(s->scale, 0, nq * sizeof *s->scale);
    memset(s->chosen, 0, nq * sizeof *s->chosen);
    memset(s->answered, 0, nq * sizeof *s->answered);
}

static void sheet_free(struct sheet *s)
{
    free(s->scale);
    free(s->chosen);
    free(s->answered);
}

int ag_survey_answers_check(const struct ag_survey_question *q, size_t nq, const char *json,
                            struct ag_buf *out, struct ag_error *err)
{
    json_error_t je;
    json_t *root = json_loads(json, JSON_REJECT_DUPLICATES, &je);
    if (!json_is_object(root) || !json_object_size(root)) {
        json_decref(root);
        return ag_error_set(err, AG_EPARSE,
                            "answers: expected {\"question id\": an answer, ...} with at least "
                            "one answer");
    }
    struct sheet s;
    int rc = sheet_new(&s, nq) ? ag_error_set(err, AG_ENOMEM, "out of memory") : 0;
    const char *key;
    json_t *v;
    json_object_foreach(root, key, v)
    {
        if (rc)
            break;
        char ex[48];
        long k = find_question(q, nq, key);
        if (k < 0) {
            rc = ag_error_set(err, AG_EPARSE, "answers: \"%s\" is not a question of this survey",
                              ag_excerpt(key, ex, sizeof ex));
            break;
        }
        s.answered[k] = true;
        if (q[k].kind == AG_SQ_SCALE) {
            if (!json_is_integer(v) || json_integer_value(v) < 1 || json_integer_value(v) > 5) {
                rc = ag_error_set(err, AG_EPARSE, "answers.%s: expected an answer from 1 to 5",
                                  q[k].id);
                break;
            }
            s.scale[k] = (int)json_integer_value(v);
            continue;
        }
        if (!json_is_array(v) || json_array_size(v) > q[k].nopt) {
            rc = ag_error_set(err, AG_EPARSE,
                              "answers.%s: expected a list of the options chosen (at most %zu)",
                              q[k].id, q[k].nopt);
            break;
        }
        size_t j;
        json_t *o;
        json_array_foreach(v, j, o)
        {
            const char *id = json_string_value(o);
            long opt = id ? find_option(&q[k], id) : -1;
            if (opt < 0 || s.chosen[k] >> opt & 1) {
                rc = ag_error_set(err, AG_EPARSE,
                                  "answers.%s[%zu]: expected an option of the question, each "
                                  "once",
                                  q[k].id, j + 1);
                break;
            }
            s.chosen[k] |= (uint64_t)1 << opt;
        }
    }
    json_decref(root);
    if (!rc && put_answers(q, nq, s.scale, s.chosen, s.answered, out))
        rc = ag_error_set(err, AG_ENOMEM, "out of memory");
    sheet_free(&s);
    return rc;
}

int ag_survey_csv_read(const char *text, size_t len, const char *name,
                       const struct ag_survey_question *q, size_t nq, char ***out, size_t *n,
                       size_t *empty, struct ag_error *err)
{
    struct ag_csv c;
    ag_csv_init(&c, text, len, name);
    long col[64];
    size_t ncol = 0;
    char **rows = NULL;
    size_t nrows = 0, nempty = 0;
    int rc = 0, got = ag_csv_next(&c, err);
    if (got == 0)
        rc = ag_error_set(err, AG_EPARSE, "%s: empty file (expected a header of question ids)",
                          name);
    else if (got < 0)
        rc = got;
    else if (c.nfield > 64)
        rc = ag_error_set(err, AG_EPARSE, "%s:1: more than 64 columns", name);
    for (size_t i = 0; !rc && i < c.nfield; i++) {
        col[i] = find_question(q, nq, c.field[i]);
        for (size_t j = 0; col[i] >= 0 && j < i; j++)
            if (col[j] == col[i])
                rc = ag_error_set(err, AG_EPARSE, "%s:1: column %zu: %s given twice", name, i + 1,
                                  q[col[i]].id);
        if (col[i] < 0) {
            char ex[64];
            rc = ag_error_set(err, AG_EPARSE,
                              "%s:1: column %zu: \"%s\" is not a question of the survey "
                              "(agora survey results ID lists them)",
                              name, i + 1, ag_excerpt(c.field[i], ex, sizeof ex));
        }
        ncol = i + 1;
    }
    struct ag_buf b;
    ag_buf_init(&b, 4096);
    struct sheet s;
    if (!rc && sheet_new(&s, nq))
        rc = ag_error_set(err, AG_ENOMEM, "out of memory");
    else if (rc)
        memset(&s, 0, sizeof s);
    while (!rc && (got = ag_csv_next(&c, err)) > 0) {
        if (c.nfield == 1 && !*c.field[0])
            continue; /* a blank line */
        if (c.nfield != ncol) {
            rc = ag_error_set(err, AG_EPARSE, "%s:%d: %zu fields, the header has %zu", name, c.line,
                              c.nfield, ncol);
            break;
        }
        sheet_clear(&s, nq);
        bool any = false;
        for (size_t i = 0; !rc && i < ncol; i++) {
            const char *v = c.field[i];
            const struct ag_survey_question *x = &q[col[i]];
            char ex[64];
            if (!*v)
                continue;
            any = s.answered[col[i]] = true;
            if (x->kind == AG_SQ_SCALE) {
                if (strlen(v) != 1 || v[0] < '1' || v[0] > '5')
                    rc = ag_error_set(err, AG_EPARSE,
                                      "%s:%d: column %zu (%s): \"%s\": expected an answer from 1 "
                                      "to 5, or nothing",
                                      name, c.line, i + 1, x->id, ag_excerpt(v, ex, sizeof ex));
                else
                    s.scale[col[i]] = v[0] - '0';
                continue;
            }
            /* option ids separated by ';' */
            for (const char *p = v; !rc && *p;) {
                size_t l = strcspn(p, ";");
                char id[32];
                long opt = -1;
                if (l < sizeof id) {
                    memcpy(id, p, l);
                    id[l] = 0;
                    opt = find_option(x, id);
                }
                if (opt < 0 || s.chosen[col[i]] >> opt & 1)
                    rc = ag_error_set(err, AG_EPARSE,
                                      "%s:%d: column %zu (%s): \"%s\": expected option ids of "
                                      "the question separated by ';', each once",
                                      name, c.line, i + 1, x->id, ag_excerpt(v, ex, sizeof ex));
                else
                    s.chosen[col[i]] |= (uint64_t)1 << opt;
                p += l + (p[l] == ';');
            }
        }
        if (rc)
            break;
        if (!any) {
            nempty++; /* a respondent who answered nothing */
            continue;
        }
        ag_buf_reset(&b);
        rc = put_answers(q, nq, s.scale, s.chosen, s.answered, &b);
        char **nr = rc ? NULL : realloc(rows, (nrows + 1) * sizeof *rows);
        if (!rc && (!nr || !(nr[nrows] = ag_strdup(b.data)))) {
            if (nr)
                rows = nr;
            rc = ag_error_set(err, AG_ENOMEM, "out of memory");
        } else if (rc)
            ag_error_set(err, AG_ENOMEM, "out of memory");
        if (!rc) {
            rows = nr;
            nrows++;
        }
    }
    if (!rc && got < 0)
        rc = got;
    if (!rc && !nrows)
        rc = ag_error_set(err, AG_EEMPTY, "%s: no response", name);
    sheet_free(&s);
    ag_buf_free(&b);
    ag_csv_free(&c);
    if (rc) {
        for (size_t i = 0; i < nrows; i++)
            free(rows[i]);
        free(rows);
        return rc;
    }
    *out = rows;
    *n = nrows;
    if (empty)
        *empty = nempty;
    return 0;
}

/* ---------- the tally ---------- */

void ag_survey_tally_free(struct ag_survey_tally *t)
{
    free(t->q);
    memset(t, 0, sizeof *t);
}

int ag_survey_tally(const struct ag_survey_question *q, size_t nq, const char *const *rows,
                    size_t n, double conf, struct ag_survey_tally *out, struct ag_error *err)
{
    memset(out, 0, sizeof *out);
    out->responses = n;
    out->nq = nq;
    out->q = calloc(nq + 1, sizeof *out->q);
    double *idx = calloc(n + 1, sizeof *idx);
    int *std = calloc(nq + 1, sizeof *std);
    double *sum = calloc(nq + 1, sizeof *sum);
    int rc = out->q && idx && std && sum ? 0 : ag_error_set(err, AG_ENOMEM, "out of memory");
    for (size_t i = 0; !rc && i < n; i++) {
        json_t *o = json_loads(rows[i], 0, NULL);
        size_t nstd = 0;
        for (size_t k = 0; k < nq; k++) {
            json_t *x = json_object_get(o, q[k].id);
            struct ag_survey_count *c = &out->q[k];
            if (q[k].kind == AG_SQ_SCALE) {
                int a = json_is_integer(x) ? (int)json_integer_value(x) : 0;
                if (a < 1 || a > 5)
                    a = 0;
                if (!q[k].own)
                    std[nstd++] = a;
                if (a) {
                    c->n++;
                    c->count[a]++;
                    sum[k] += a;
                }
            } else if (json_is_array(x)) {
                c->n++;
                size_t j;
                json_t *e;
                json_array_foreach(x, j, e)
                {
                    long opt = json_is_string(e) ? find_option(&q[k], json_string_value(e)) : -1;
                    if (opt >= 0 && opt < 64)
                        c->count[opt]++;
                }
            }
        }
        json_decref(o);
        idx[i] = ag_perception_respondent(std, nstd);
    }
    for (size_t k = 0; !rc && k < nq; k++)
        out->q[k].mean = q[k].kind == AG_SQ_SCALE && out->q[k].n ? sum[k] / out->q[k].n : NAN;
    if (!rc)
        rc = ag_perception_index(idx, n, conf, &out->index, err);
    free(idx);
    free(std);
    free(sum);
    if (rc)
        ag_survey_tally_free(out);
    return rc;
}

int ag_survey_tally_json(const struct ag_survey_question *q, size_t nq,
                         const struct ag_survey_tally *t, const struct ag_catalog *tr,
                         struct ag_buf *b)
{
    int rc = ag_buf_printf(b, "{\"responses\":%zu,\"respondents\":%zu,\"index\":", t->responses,
                           t->index.n);
    if (!rc)
        rc = ag_buf_put_fixed(b, t->index.n ? t->index.index : NAN, 2);
    if (!rc)
        rc = ag_buf_puts(b, ",\"lo\":");
    if (!rc)
        rc = ag_buf_put_fixed(b, t->index.lo, 2);
    if (!rc)
        rc = ag_buf_puts(b, ",\"hi\":");
    if (!rc)
        rc = ag_buf_put_fixed(b, t->index.hi, 2);
    if (!rc)
        rc = ag_buf_puts(b, ",\"questions\":[");
    for (size_t k = 0; !rc && k < nq && k < t->nq; k++) {
        const struct ag_survey_question *x = &q[k];
        const struct ag_survey_count *c = &t->q[k];
        const struct ag_catalog *qt = x->own ? NULL : tr;
        rc = ag_buf_printf(b, "%s{\"id\":\"%s\",\"kind\":\"%s\",\"own\":%s,\"text\":", k ? "," : "",
                           x->id, x->kind == AG_SQ_SCALE ? "scale" : "choice",
                           x->own ? "true" : "false");
        if (!rc)
            rc = ag_buf_put_json_str(b, ag_tr(qt, x->text));
        if (!rc)
            rc = ag_buf_printf(b, ",\"n\":%zu,\"mean\":", c->n);
        if (!rc)
            rc = ag_buf_put_fixed(b, c->mean, 3);
        if (!rc && x->kind == AG_SQ_SCALE) {
            rc = ag_buf_puts(b, ",\"low\":");
            if (!rc)
                rc = ag_buf_put_json_str(b, ag_tr(qt, x->low));
            if (!rc)
                rc = ag_buf_puts(b, ",\"high\":");
            if (!rc)
                rc = ag_buf_put_json_str(b, ag_tr(qt, x->high));
            if (!rc)
                rc = ag_buf_printf(b, ",\"counts\":[%zu,%zu,%zu,%zu,%zu]}", c->count[1],
                                   c->count[2], c->count[3], c->count[4], c->count[5]);
            continue;
        }
        if (!rc)
            rc = ag_buf_puts(b, ",\"options\":[");
        for (size_t j = 0; !rc && j < x->nopt; j++) {
            rc = ag_buf_printf(b, "%s{\"id\":\"%s\",\"text\":", j ? "," : "", x->opt[j].id);
            if (!rc)
                rc = ag_buf_put_json_str(b, ag_tr(qt, x->opt[j].text));
            if (!rc)
                rc = ag_buf_printf(b, ",\"count\":%zu}", j < 64 ? c->count[j] : 0);
        }
        if (!rc)
            rc = ag_buf_puts(b, "]}");
    }
    return rc ? rc : ag_buf_puts(b, "]}");
}
