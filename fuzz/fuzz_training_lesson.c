/* libFuzzer target: a lesson file of data/training/ (front matter,
 * Markdown, exercise blocks) and the scoring of answers to its exercises.
 * SPDX-License-Identifier: EUPL-1.2 */
#include "agora/training.h"

#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct ag_lesson l;
    struct ag_error err = {0};
    if (ag_lesson_parse((const char *)data, size, "fuzz.md", &l, &err) == 0) {
        for (size_t i = 0; i < l.nexercises; i++) {
            const struct ag_exercise *e = &l.exercises[i];
            int answer[AG_EXERCISE_MAX_OPTIONS];
            size_t n = e->noptions;
            for (size_t k = 0; k < n; k++)
                answer[k] = (int)(n - 1 - k) ^ (int)(size & 1);
            double score = -1;
            if (ag_exercise_score(e, answer, n, &score, &err) == 0 && !(score >= 0 && score <= 1))
                abort();
            if (ag_exercise_score(e, answer, 1, &score, &err) == 0 && !(score >= 0 && score <= 1))
                abort();
        }
        ag_lesson_free(&l);
    }
    return 0;
}
