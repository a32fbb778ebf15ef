/* libFuzzer target: survey responses imported from CSV (agora survey
 * import), against a form of scale and choice questions. Invariant: every
 * response read is canonical answers JSON that ag_survey_answers_check
 * takes and writes back unchanged.
 * SPDX-License-Identifier: EUPL-1.2 */
#include "agora/survey.h"

#include <stdlib.h>
#include <string.h>

static const char OWN[] = "[{\"kind\":\"scale\",\"text\":\"d\",\"low\":\"l\",\"high\":\"h\"},"
                          "{\"kind\":\"scale\",\"text\":\"n\",\"low\":\"l\",\"high\":\"h\"},"
                          "{\"kind\":\"choice\",\"text\":\"c\",\"options\":[\"a\",\"b\",\"c\"]}]";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct ag_survey_question *q;
    static size_t nq;
    struct ag_error err = {0};
    if (!q && ag_survey_form(NULL, 0, OWN, &q, &nq, &err))
        abort();
    char **rows = NULL;
    size_t n = 0;
    if (ag_survey_csv_read((const char *)data, size, "fuzz.csv", q, nq, &rows, &n, NULL, &err) ==
        0) {
        struct ag_buf b;
        ag_buf_init(&b, 1 << 20);
        for (size_t i = 0; i < n; i++) {
            ag_buf_reset(&b);
            if (ag_survey_answers_check(q, nq, rows[i], &b, &err) || strcmp(b.data, rows[i]))
                abort();
            free(rows[i]);
        }
        ag_buf_free(&b);
        free(rows);
    }
    return 0;
}
