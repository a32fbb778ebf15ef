/* libFuzzer target: survey responses imported from CSV (agora survey
 * import), against the standard questions. Invariant: every response read
 * is a JSON object of answers 1..5.
 * SPDX-License-Identifier: EUPL-1.2 */
#include "agora/survey.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct ag_survey_question q[4] = {
        {"safe_day", "d", "l", "h"},
        {"safe_night", "n", "l", "h"},
        {"worry", "w", "l", "h"},
        {"avoid", "a", "l", "h"},
    };
    char **rows = NULL;
    size_t n = 0;
    struct ag_error err = {0};
    if (ag_survey_csv_read((const char *)data, size, "fuzz.csv", q, 4, &rows, &n, &err) == 0) {
        for (size_t i = 0; i < n; i++) {
            json_t *o = json_loads(rows[i], 0, NULL);
            if (!json_is_object(o))
                abort();
            const char *k;
            json_t *v;
            json_object_foreach(o, k, v)
            {
                if (!json_is_integer(v) || json_integer_value(v) < 1 || json_integer_value(v) > 5)
                    abort();
            }
            json_decref(o);
            free(rows[i]);
        }
        free(rows);
    }
    return 0;
}
