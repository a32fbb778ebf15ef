/* libFuzzer target: what the public survey form and a coordinator send:
 * one respondent's answers (POST /api/v1/public/surveys/{token}/responses)
 * and a city's own questions (POST /api/v1/cities/{cid}/surveys). The first
 * byte chooses which. Invariants: what is taken is written back in
 * canonical form, and the canonical form is taken again unchanged.
 * SPDX-License-Identifier: EUPL-1.2 */
#include "agora/survey.h"

#include <stdlib.h>
#include <string.h>

static const char OWN[] = "[{\"kind\":\"scale\",\"text\":\"d\",\"low\":\"l\",\"high\":\"h\"},"
                          "{\"kind\":\"choice\",\"text\":\"c\",\"options\":[\"a\",\"b\",\"c\"]}]";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct ag_survey_question *q;
    static size_t nq;
    struct ag_error err = {0};
    if (!q && ag_survey_form(NULL, 0, OWN, &q, &nq, &err))
        abort();
    if (size < 1)
        return 0;
    char *text = malloc(size);
    if (!text)
        return 0;
    memcpy(text, data + 1, size - 1);
    text[size - 1] = 0;
    struct ag_buf a, b;
    ag_buf_init(&a, 1 << 20);
    ag_buf_init(&b, 1 << 20);
    if (data[0] & 1) {
        if (!ag_survey_own_check(text, &a, &err)) {
            if (ag_survey_own_check(a.data, &b, &err) || strcmp(a.data, b.data))
                abort();
            struct ag_survey_question *f = NULL;
            size_t nf = 0;
            if (ag_survey_form(q, nq, a.data, &f, &nf, &err))
                abort();
            ag_survey_questions_free(f, nf);
        }
    } else if (!ag_survey_answers_check(q, nq, text, &a, &err)) {
        if (ag_survey_answers_check(q, nq, a.data, &b, &err) || strcmp(a.data, b.data))
            abort();
    }
    ag_buf_free(&a);
    ag_buf_free(&b);
    free(text);
    return 0;
}
