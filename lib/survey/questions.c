/* The standard questions of a perception survey and responses imported
 * from another survey tool (CSV), read like any outside input.
 * SPDX-License-Identifier: EUPL-1.2 */
#include "agora/survey.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void ag_survey_questions_free(struct ag_survey_question *q, size_t n)
{
    for (size_t i = 0; q && i < n; i++) {
        free(q[i].text);
        free(q[i].low);
        free(q[i].high);
    }
    free(q);
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
    else if (!rc && (c.nfield != 4 || strcmp(c.field[0], "id") || strcmp(c.field[1], "text") ||
                     strcmp(c.field[2], "low") || strcmp(c.field[3], "high")))
        rc = ag_error_set(err, AG_EPARSE, "%s:1: expected the header id,text,low,high", path);
    while (!rc && (got = ag_csv_next(&c, err)) > 0) {
        if (c.nfield != 4 || !*c.field[0] || strlen(c.field[0]) >= sizeof q->id ||
            strspn(c.field[0], "abcdefghijklmnopqrstuvwxyz0123456789_") != strlen(c.field[0]) ||
            !*c.field[1] || !*c.field[2] || !*c.field[3]) {
            rc = ag_error_set(err, AG_EPARSE,
                              "%s:%d: expected an id (a-z, 0-9, _), a question and the texts of "
                              "its lowest and highest answers",
                              path, c.line);
            break;
        }
        for (size_t i = 0; i < nq; i++)
            if (!strcmp(q[i].id, c.field[0]))
                rc = ag_error_set(err, AG_EPARSE, "%s:%d: question %s given twice", path, c.line,
                                  c.field[0]);
        struct ag_survey_question *nqq = rc ? NULL : realloc(q, (nq + 1) * sizeof *q);
        if (!rc && !nqq)
            rc = ag_error_set(err, AG_ENOMEM, "out of memory");
        if (rc)
            break;
        q = nqq;
        struct ag_survey_question *x = &q[nq++];
        memset(x, 0, sizeof *x);
        snprintf(x->id, sizeof x->id, "%s", c.field[0]);
        x->text = ag_strdup(c.field[1]);
        x->low = ag_strdup(c.field[2]);
        x->high = ag_strdup(c.field[3]);
        if (!x->text || !x->low || !x->high)
            rc = ag_error_set(err, AG_ENOMEM, "out of memory");
    }
    if (!rc && got < 0)
        rc = got;
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

int ag_survey_csv_read(const char *text, size_t len, const char *name,
                       const struct ag_survey_question *q, size_t nq, char ***out, size_t *n,
                       struct ag_error *err)
{
    struct ag_csv c;
    ag_csv_init(&c, text, len, name);
    long col[64];
    size_t ncol = 0;
    char **rows = NULL;
    size_t nrows = 0;
    int rc = 0, got = ag_csv_next(&c, err);
    if (got == 0)
        rc = ag_error_set(err, AG_EPARSE, "%s: empty file (expected a header of question ids)",
                          name);
    else if (got < 0)
        rc = got;
    else if (c.nfield > 64)
        rc = ag_error_set(err, AG_EPARSE, "%s:1: more than 64 columns", name);
    for (size_t i = 0; !rc && i < c.nfield; i++) {
        col[i] = -1;
        for (size_t k = 0; k < nq; k++)
            if (!strcmp(c.field[i], q[k].id))
                col[i] = (long)k;
        for (size_t j = 0; col[i] >= 0 && j < i; j++)
            if (col[j] == col[i])
                rc = ag_error_set(err, AG_EPARSE, "%s:1: column %zu: %s given twice", name, i + 1,
                                  q[col[i]].id);
        if (col[i] < 0) {
            char ex[64];
            rc = ag_error_set(err, AG_EPARSE,
                              "%s:1: column %zu: \"%s\" is not a question of the survey "
                              "(data/survey-questions.csv)",
                              name, i + 1, ag_excerpt(c.field[i], ex, sizeof ex));
        }
        ncol = i + 1;
    }
    struct ag_buf b;
    ag_buf_init(&b, 4096);
    while (!rc && (got = ag_csv_next(&c, err)) > 0) {
        if (c.nfield == 1 && !*c.field[0])
            continue; /* a blank line */
        if (c.nfield != ncol) {
            rc = ag_error_set(err, AG_EPARSE, "%s:%d: %zu fields, the header has %zu", name, c.line,
                              c.nfield, ncol);
            break;
        }
        ag_buf_reset(&b);
        rc = ag_buf_puts(&b, "{");
        bool first = true;
        for (size_t i = 0; !rc && i < ncol; i++) {
            const char *v = c.field[i];
            if (!*v)
                continue;
            if (strlen(v) != 1 || v[0] < '1' || v[0] > '5') {
                char ex[64];
                rc = ag_error_set(err, AG_EPARSE,
                                  "%s:%d: column %zu (%s): \"%s\": expected an answer from 1 to 5, "
                                  "or nothing",
                                  name, c.line, i + 1, q[col[i]].id, ag_excerpt(v, ex, sizeof ex));
                break;
            }
            rc = ag_buf_printf(&b, "%s\"%s\":%c", first ? "" : ",", q[col[i]].id, v[0]);
            first = false;
        }
        if (!rc)
            rc = ag_buf_puts(&b, "}");
        char **nr = rc ? NULL : realloc(rows, (nrows + 1) * sizeof *rows);
        if (!rc && (!nr || !(nr[nrows] = ag_strdup(b.data)))) {
            if (nr)
                rows = nr;
            rc = ag_error_set(err, AG_ENOMEM, "out of memory");
        }
        if (!rc) {
            rows = nr;
            nrows++;
        }
    }
    if (!rc && got < 0)
        rc = got;
    if (!rc && !nrows)
        rc = ag_error_set(err, AG_EEMPTY, "%s: no response", name);
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
    return 0;
}
