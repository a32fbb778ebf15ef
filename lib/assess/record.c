/* Assessments as stored records: starting a new version of a space's
 * assessment, loading one, saving one (the CLI and the server share these).
 * SPDX-License-Identifier: EUPL-1.2 */
#include "agora/assess.h"
#include "agora/model.h"
#include "agora/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int ag_assessment_from_rec(const struct ag_catalogue *cat, const struct ag_assessment_rec *rec,
                           struct ag_assessment **out, size_t *skipped, struct ag_error *err)
{
    struct ag_assessment *a = ag_assessment_new(cat);
    if (!a)
        return ag_error_set(err, AG_ENOMEM, "out of memory");
    size_t sk = 0;
    a->id = rec->id;
    int rc = ag_assessment_from_json(cat, rec->doc, a, &sk, err);
    if (rc) {
        ag_assessment_free(a);
        return rc;
    }
    if (skipped)
        *skipped = sk;
    a->city_id = rec->city_id;
    a->space_id = rec->space_id;
    a->based_on = rec->based_on;
    a->version = rec->version;
    snprintf(a->created_at, sizeof a->created_at, "%s", rec->created_at);
    snprintf(a->updated_at, sizeof a->updated_at, "%s", rec->updated_at);
    snprintf(a->sharing, sizeof a->sharing, "%s", rec->sharing);
    free(a->assessor);
    a->assessor = ag_strdup(rec->assessor ? rec->assessor : "");
    if (!a->assessor) {
        ag_assessment_free(a);
        return ag_error_set(err, AG_ENOMEM, "out of memory");
    }
    *out = a;
    return 0;
}

/* Fills rec's document, assessor and sharing from a. */
static int to_rec(const struct ag_catalogue *cat, const struct ag_assessment *a,
                  struct ag_assessment_rec *rec, struct ag_error *err)
{
    struct ag_buf b;
    ag_buf_init(&b, (size_t)64 << 20);
    int rc = ag_assessment_to_json(cat, a, &b);
    char *doc = rc ? NULL : ag_buf_take(&b);
    ag_buf_free(&b);
    char *assessor = ag_strdup(a->assessor ? a->assessor : "");
    if (!doc || !assessor) {
        free(doc);
        free(assessor);
        return ag_error_set(err, AG_ENOMEM, "out of memory");
    }
    free(rec->doc);
    free(rec->assessor);
    rec->doc = doc;
    rec->assessor = assessor;
    snprintf(rec->sharing, sizeof rec->sharing, "%s", a->sharing);
    return 0;
}

int ag_assessment_save(struct ag_store *s, const struct ag_catalogue *cat,
                       const struct ag_assessment *a, struct ag_assessment_rec *rec,
                       int expected_rev, const char *who, const char *what, struct ag_error *err)
{
    int rc = to_rec(cat, a, rec, err);
    if (rc)
        return rc;
    ag_assess_now(rec->updated_at);
    return ag_store_assessment_update(s, rec, expected_rev, who, what, err);
}

int ag_assessment_start(struct ag_store *s, const struct ag_city *city, const struct ag_space *sp,
                        const struct ag_catalogue *cat, const char *assessor, const char *who,
                        struct ag_assessment_rec *rec, struct ag_assessment **out, bool *has_prev,
                        struct ag_error *err)
{
    struct ag_assessment_rec prev = {0};
    struct ag_assessment *a = NULL;
    memset(rec, 0, sizeof *rec);
    *has_prev = false;
    int rc = ag_store_assessment_latest(s, sp->id, &prev, err);
    if (!rc) {
        *has_prev = true;
        rc = ag_assessment_from_rec(cat, &prev, &a, NULL, err);
    } else if (rc == AG_ENOTFOUND) {
        ag_error_clear(err);
        rc = (a = ag_assessment_new(cat)) ? 0 : ag_error_set(err, AG_ENOMEM, "out of memory");
    }
    char now[32];
    ag_assess_now(now);
    if (!rc && assessor) {
        free(a->assessor);
        if (!(a->assessor = ag_strdup(assessor)))
            rc = ag_error_set(err, AG_ENOMEM, "out of memory");
    }
    if (!rc)
        rc = ag_assess_evidence(s, city, sp, cat, a, now, err);
    if (!rc)
        rc = to_rec(cat, a, rec, err);
    if (!rc) {
        rec->city_id = city->id;
        rec->space_id = sp->id;
        rec->based_on = *has_prev ? prev.id : 0;
        rec->share_details = *has_prev && prev.share_details;
        snprintf(rec->created_at, sizeof rec->created_at, "%s", now);
        snprintf(rec->updated_at, sizeof rec->updated_at, "%s", now);
        rc = ag_store_assessment_insert(s, rec, who, err);
    }
    ag_assessment_rec_free(&prev);
    if (!rc) {
        a->id = rec->id;
        a->city_id = rec->city_id;
        a->space_id = rec->space_id;
        a->based_on = rec->based_on;
        a->version = rec->version;
        snprintf(a->created_at, sizeof a->created_at, "%s", now);
        snprintf(a->updated_at, sizeof a->updated_at, "%s", now);
        *out = a;
    } else {
        ag_assessment_free(a);
        ag_assessment_rec_free(rec);
    }
    return rc;
}
