/* A learner's progress through the modules, and the score of the practical
 * assessment against the reference (docs/internals/training.md).
 * SPDX-License-Identifier: EUPL-1.2 */
#include "agora/store.h"
#include "agora/training.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct ag_training_rec *find(const struct ag_training_rec *recs, size_t n,
                                          const char *item)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(recs[i].item, item))
            return &recs[i];
    return NULL;
}

int ag_training_progress(const struct ag_training *t, const struct ag_training_rec *recs, size_t n,
                         struct ag_module_progress *out, bool *all_passed)
{
    *all_passed = t->nmodules > 0;
    for (size_t m = 0; m < t->nmodules; m++) {
        struct ag_module_progress *p = &out[m];
        memset(p, 0, sizeof *p);
        p->module = &t->modules[m];
        p->self_eval_percent = p->practical_percent = -1;
        for (size_t i = 0; i < t->nlessons; i++) {
            const struct ag_lesson *l = &t->lessons[i * AG_TRAINING_LANGS];
            if (strcmp(l->module, p->module->id))
                continue;
            p->lessons++;
            if (l->kind == AG_LESSON_PRACTICAL) {
                p->has_practical = true;
                const struct ag_training_rec *r = find(recs, n, l->id);
                if (r) {
                    p->lessons_done++;
                    p->practical_percent = 100 * r->score;
                }
                continue;
            }
            size_t answered = 0;
            double sum = 0;
            for (size_t e = 0; e < l->nexercises; e++) {
                const struct ag_training_rec *r = find(recs, n, l->exercises[e].id);
                if (r) {
                    answered++;
                    sum += r->score;
                }
            }
            if (answered == l->nexercises)
                p->lessons_done++;
            if (l->kind == AG_LESSON_SELF_EVALUATION) {
                p->has_self_eval = true;
                if (answered)
                    p->self_eval_percent = 100 * sum / (double)l->nexercises;
            }
        }
        /* a module without a self-evaluation or practical is passed when
         * every lesson is done */
        bool need = p->has_self_eval || p->has_practical;
        p->passed =
            p->lessons > 0 &&
            (need
                 ? (!p->has_self_eval || p->self_eval_percent >= p->module->pass_percent - 1e-9) &&
                       (!p->has_practical || p->practical_percent >= p->module->pass_percent - 1e-9)
                 : p->lessons_done == p->lessons);
        *all_passed = *all_passed && p->passed;
    }
    return 0;
}

int ag_practical_score(const char *reference, size_t len, const char *const *qids,
                       const int *levels, size_t n, double *score, double *points, size_t *nref,
                       struct ag_error *err)
{
    json_error_t je;
    json_t *root = json_loadb(reference, len, JSON_REJECT_DUPLICATES, &je);
    if (!root)
        return ag_error_set(err, AG_EPARSE, "reference answers: line %d, column %d: %s", je.line,
                            je.column, je.text);
    json_t *answers = json_object_get(root, "answers");
    int rc = 0;
    if (!json_is_array(answers) || json_array_size(answers) == 0)
        rc = ag_error_set(err, AG_EPARSE,
                          "reference answers: expected a non-empty \"answers\" "
                          "array");
    double sum = 0;
    size_t k = 0;
    for (; !rc && k < json_array_size(answers); k++) {
        json_t *a = json_array_get(answers, k);
        const char *q = json_string_value(json_object_get(a, "question"));
        json_t *lv = json_object_get(a, "answer");
        if (!q || !json_is_integer(lv) || json_integer_value(lv) < 1 ||
            json_integer_value(lv) > 5) {
            rc = ag_error_set(err, AG_EPARSE,
                              "reference answers: answers[%zu]: expected \"question\" and an "
                              "\"answer\" from 1 to 5",
                              k);
            break;
        }
        int ref = (int)json_integer_value(lv), given = 0;
        for (size_t i = 0; i < n; i++)
            if (!strcmp(qids[i], q))
                given = levels[i];
        double pts = given == ref ? 1 : (given && abs(given - ref) == 1) ? 0.5 : 0;
        if (points)
            points[k] = pts;
        sum += pts;
    }
    if (!rc) {
        *score = sum / (double)k;
        if (nref)
            *nref = k;
    }
    json_decref(root);
    return rc;
}
