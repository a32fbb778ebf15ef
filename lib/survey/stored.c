/* A stored survey's form and the tally of its responses, for the command
 * line and the server alike. SPDX-License-Identifier: EUPL-1.2 */
#include "agora/store.h"
#include "agora/survey.h"

#include <stdlib.h>

int ag_survey_form_load(struct ag_store *s, int64_t survey_id, const struct ag_survey_question *std,
                        size_t nstd, struct ag_survey_question **out, size_t *n,
                        struct ag_error *err)
{
    struct ag_buf own;
    ag_buf_init(&own, (size_t)1 << 20);
    int rc = ag_store_survey_questions(s, survey_id, &own, err);
    if (!rc)
        rc = ag_survey_form(std, nstd, own.data, out, n, err);
    ag_buf_free(&own);
    return rc;
}

int ag_survey_tally_load(struct ag_store *s, int64_t survey_id, const struct ag_survey_question *q,
                         size_t nq, double conf, struct ag_survey_tally *out, struct ag_error *err)
{
    struct ag_vec v;
    ag_vec_init(&v, sizeof(char *));
    int rc = ag_store_survey_responses(s, survey_id, &v, err);
    if (!rc)
        rc = ag_survey_tally(q, nq, (const char *const *)v.data, v.len, conf, out, err);
    for (size_t i = 0; i < v.len; i++)
        free(AG_VEC_AT(&v, char *, i));
    ag_vec_free(&v);
    return rc;
}
