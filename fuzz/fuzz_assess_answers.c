/* libFuzzer target: answers files (agora assess answer ID --file F), applied
 * to an empty assessment over the shipped catalogues. A refused file must
 * leave the assessment as it was and name the file; an accepted one must
 * round-trip through the stored document and score to finite numbers.
 * SPDX-License-Identifier: EUPL-1.2 */
#include "agora/assess.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static struct ag_catalogue *cat;
static char *empty_doc;

static char *doc_of(const struct ag_assessment *a)
{
    struct ag_buf b;
    ag_buf_init(&b, (size_t)16 << 20);
    if (ag_assessment_to_json(cat, a, &b))
        abort();
    return ag_buf_take(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!cat) {
        struct ag_error err = {0};
        if (ag_catalogue_load(NULL, &cat, &err))
            abort(); /* the shipped catalogues must load */
        struct ag_assessment *e = ag_assessment_new(cat);
        empty_doc = doc_of(e);
        ag_assessment_free(e);
    }
    struct ag_assessment *a = ag_assessment_new(cat);
    if (!a)
        return 0;
    struct ag_error err = {0};
    size_t changed = 0;
    int rc = ag_assessment_apply(cat, a, (const char *)data, size, "fuzz.json",
                                 "2026-11-23T00:00:00Z", &changed, &err);
    char *doc = doc_of(a);
    if (rc) {
        if (strcmp(doc, empty_doc) || !strstr(err.msg, "fuzz.json") || changed)
            abort(); /* refused: nothing changed, the file named */
    } else {
        struct ag_assessment *b = ag_assessment_new(cat);
        size_t skipped = 0;
        if (ag_assessment_from_json(cat, doc, b, &skipped, &err) || skipped)
            abort();
        char *doc2 = doc_of(b);
        if (strcmp(doc, doc2))
            abort(); /* the stored document reads back the same */
        free(doc2);
        struct ag_scenario_risk *r = calloc(cat->nscenarios, sizeof *r);
        ag_assess_score(cat, b, NULL, r);
        for (size_t s = 0; s < cat->nscenarios; s++)
            if (!isfinite(r[s].risk.value) || r[s].risk.lo > r[s].risk.value + 1e-9 ||
                r[s].risk.value > r[s].risk.hi + 1e-9 || r[s].risk.value < 0 ||
                r[s].risk.value > 100)
                abort();
        free(r);
        ag_assessment_free(b);
    }
    free(doc);
    ag_assessment_free(a);
    return 0;
}
