/* An assessment's inputs: creation, the stored JSON document, answers
 * files and engine answers. SPDX-License-Identifier: EUPL-1.2 */
#include "assess_int.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define ANSWERS_FILE_MAX ((size_t)4 << 20)
#define REASON_MAX 2000

static const char *const EVIDENCE[] = {"", "vehicle_impact", "crowd_capacity", "incident_density"};
static const char *const SOURCES[] = {"none", "assessor", "computed", "override"};
static const char *const STATUSES[] = {"candidate", "existing", "excluded"};
static const char *const SHARING[] = {"TLP:RED", "TLP:AMBER", "TLP:GREEN", "TLP:CLEAR"};

void ag_assess_now(char out[32])
{
    /* AGORA_NOW fixes the clock for reproducible demos and tests */
    const char *env = getenv("AGORA_NOW");
    if (env && strlen(env) == 20 && env[4] == '-' && env[10] == 'T' && env[19] == 'Z') {
        snprintf(out, 32, "%s", env);
        return;
    }
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

int ag__evidence_of(const char *name)
{
    for (int i = 0; i < 4; i++)
        if (!strcmp(name, EVIDENCE[i]))
            return i;
    return -1;
}

const char *ag_answer_source_name(enum ag_answer_source s)
{
    return (unsigned)s < 4 ? SOURCES[s] : "none";
}

const char *ag_measure_status_name(enum ag_measure_status s)
{
    return (unsigned)s < 3 ? STATUSES[s] : "candidate";
}

struct ag_assessment *ag_assessment_new(const struct ag_catalogue *c)
{
    struct ag_assessment *a = calloc(1, sizeof *a);
    if (!a)
        return NULL;
    a->ctx.threat = calloc(c->nscenarios ? c->nscenarios : 1, sizeof *a->ctx.threat);
    a->answers = calloc(c->nquestions ? c->nquestions : 1, sizeof *a->answers);
    a->measures = calloc(c->nmeasures ? c->nmeasures : 1, sizeof *a->measures);
    a->ctx.people = -1;
    a->version = 1;
    a->nscenarios = c->nscenarios;
    a->nquestions = c->nquestions;
    a->nmeasures = c->nmeasures;
    snprintf(a->sharing, sizeof a->sharing, "TLP:AMBER");
    if (!a->ctx.threat || !a->answers || !a->measures) {
        ag_assessment_free(a);
        return NULL;
    }
    return a;
}

static void answer_clear(struct ag_answer *x)
{
    free(x->evidence);
    free(x->summary);
    free(x->reason);
    memset(x, 0, sizeof *x);
}

void ag_assessment_free(struct ag_assessment *a)
{
    if (!a)
        return;
    free(a->ctx.threat);
    free(a->assessor);
    free(a->measures);
    for (size_t i = 0; a->answers && i < a->nquestions; i++)
        answer_clear(&a->answers[i]);
    free(a->answers);
    free(a);
}

static int put_text_field(struct ag_buf *b, const char *key, const char *v)
{
    int rc = ag_buf_printf(b, ",\"%s\":", key);
    return rc ? rc : ag_buf_put_json_str(b, v);
}

int ag_assessment_to_json(const struct ag_catalogue *c, const struct ag_assessment *a,
                          struct ag_buf *out)
{
    int rc = ag_buf_puts(out, "{\"context\":{\"threat\":{");
    bool first = true;
    for (size_t i = 0; !rc && i < c->nscenarios && i < a->nscenarios; i++)
        if (a->ctx.threat[i]) {
            rc = ag_buf_printf(out, "%s\"%s\":%d", first ? "" : ",", c->scenarios[i].id,
                               a->ctx.threat[i]);
            first = false;
        }
    if (!rc)
        rc = ag_buf_printf(out, "},\"symbolic\":%d,\"crowd\":%d,\"media\":%d,\"critical\":%d",
                           a->ctx.symbolic, a->ctx.crowd, a->ctx.media, a->ctx.critical);
    if (!rc)
        rc = a->ctx.people >= 0 ? ag_buf_printf(out, ",\"people\":%.0f}", a->ctx.people)
                                : ag_buf_puts(out, ",\"people\":null}");
    if (!rc)
        rc = ag_buf_puts(out, ",\"answers\":{");
    first = true;
    for (size_t i = 0; !rc && i < c->nquestions && i < a->nquestions; i++) {
        const struct ag_answer *x = &a->answers[i];
        if (x->source == AG_ANSWER_NONE && !x->computed_level && !x->evidence)
            continue;
        rc = ag_buf_printf(out, "%s\"%s\":{\"answer\":%d,\"source\":\"%s\",\"computed\":%d",
                           first ? "" : ",", c->questions[i].id, x->level,
                           ag_answer_source_name(x->source), x->computed_level);
        first = false;
        if (!rc && x->evidence)
            rc = ag_buf_printf(out, ",\"evidence\":%s", x->evidence);
        if (!rc && x->summary)
            rc = put_text_field(out, "summary", x->summary);
        if (!rc && x->reason)
            rc = put_text_field(out, "reason", x->reason);
        if (!rc)
            rc = put_text_field(out, "at", x->at);
        if (!rc)
            rc = ag_buf_puts(out, "}");
    }
    if (!rc)
        rc = ag_buf_puts(out, "},\"measures\":{");
    first = true;
    for (size_t i = 0; !rc && i < c->nmeasures && i < a->nmeasures; i++)
        if (a->measures[i] != AG_MEASURE_CANDIDATE) {
            rc = ag_buf_printf(out, "%s\"%s\":\"%s\"", first ? "" : ",", c->measures[i].id,
                               ag_measure_status_name(a->measures[i]));
            first = false;
        }
    if (!rc)
        rc = ag_buf_puts(out, "}}");
    return rc;
}

static char *dup_json_str(json_t *v)
{
    return json_is_string(v) ? ag_strdup(json_string_value(v)) : NULL;
}

int ag_assessment_from_json(const struct ag_catalogue *c, const char *json, struct ag_assessment *a,
                            size_t *skipped, struct ag_error *err)
{
    json_error_t je;
    json_t *root = json_loads(json, 0, &je);
    size_t skip = 0;
    if (!root || !json_is_object(root)) {
        json_decref(root);
        return ag_error_set(err, AG_EPARSE, "stored assessment %lld: not a JSON object (%s)",
                            (long long)a->id, je.text);
    }
    json_t *ctx = json_object_get(root, "context");
    json_t *th = json_object_get(ctx, "threat");
    const char *k;
    json_t *v;
    json_object_foreach(th, k, v)
    {
        long s = ag_catalogue_scenario(c, k);
        if (s < 0 || !json_is_integer(v))
            skip++;
        else
            a->ctx.threat[s] = (int)json_integer_value(v);
    }
    a->ctx.symbolic = (int)json_integer_value(json_object_get(ctx, "symbolic"));
    a->ctx.crowd = (int)json_integer_value(json_object_get(ctx, "crowd"));
    a->ctx.media = (int)json_integer_value(json_object_get(ctx, "media"));
    a->ctx.critical = (int)json_integer_value(json_object_get(ctx, "critical"));
    json_t *people = json_object_get(ctx, "people");
    a->ctx.people = json_is_number(people) ? json_number_value(people) : -1;
    json_object_foreach(json_object_get(root, "answers"), k, v)
    {
        long q = ag_catalogue_question(c, k);
        if (q < 0) {
            skip++;
            continue;
        }
        struct ag_answer *x = &a->answers[q];
        answer_clear(x);
        x->level = (int)json_integer_value(json_object_get(v, "answer"));
        x->computed_level = (int)json_integer_value(json_object_get(v, "computed"));
        const char *src = json_string_value(json_object_get(v, "source"));
        for (int i = 0; src && i < 4; i++)
            if (!strcmp(src, SOURCES[i]))
                x->source = (enum ag_answer_source)i;
        json_t *ev = json_object_get(v, "evidence");
        if (ev)
            x->evidence = json_dumps(ev, JSON_COMPACT | JSON_SORT_KEYS);
        x->summary = dup_json_str(json_object_get(v, "summary"));
        x->reason = dup_json_str(json_object_get(v, "reason"));
        const char *at = json_string_value(json_object_get(v, "at"));
        snprintf(x->at, sizeof x->at, "%s", at ? at : "");
        if (x->level < 0 || x->level > AG_LEVELS)
            x->level = 0;
    }
    json_object_foreach(json_object_get(root, "measures"), k, v)
    {
        long m = ag_catalogue_measure(c, k);
        const char *st = json_string_value(v);
        if (m < 0 || !st) {
            skip++;
            continue;
        }
        for (int i = 0; i < 3; i++)
            if (!strcmp(st, STATUSES[i]))
                a->measures[m] = (enum ag_measure_status)i;
    }
    json_decref(root);
    if (skipped)
        *skipped = skip;
    return 0;
}

int ag_assessment_set_computed(struct ag_assessment *a, size_t q, int level,
                               const char *evidence_json, const char *summary, const char *now)
{
    if (q >= a->nquestions || level < 0 || level > AG_LEVELS)
        return AG_EINVAL;
    struct ag_answer *x = &a->answers[q];
    char *ev = evidence_json ? ag_strdup(evidence_json) : NULL;
    char *sum = summary ? ag_strdup(summary) : NULL;
    if ((evidence_json && !ev) || (summary && !sum)) {
        free(ev);
        free(sum);
        return AG_ENOMEM;
    }
    free(x->evidence);
    free(x->summary);
    x->evidence = ev;
    x->summary = sum;
    x->computed_level = level;
    if (x->source == AG_ANSWER_OVERRIDE || x->source == AG_ANSWER_ASSESSOR) {
        /* a person's answer stands; a computed answer equal to it makes
         * the override moot, and it is kept as the person's word */
        if (x->source == AG_ANSWER_ASSESSOR && level)
            x->source = x->level == level ? AG_ANSWER_COMPUTED : AG_ANSWER_OVERRIDE;
        return 0;
    }
    x->level = level;
    x->source = level ? AG_ANSWER_COMPUTED : AG_ANSWER_NONE;
    snprintf(x->at, sizeof x->at, "%s", now);
    return 0;
}

/* ---- answers files ---- */

struct staged_answer {
    size_t q;
    int level; /* 0: clear */
    char *reason;
};

static int item_error(struct ag_error *err, const char *name, size_t i, const char *qid,
                      const char *fmt, const char *detail)
{
    char msg[700];
    snprintf(msg, sizeof msg, fmt, detail ? detail : "");
    if (qid)
        return ag_error_set(err, AG_EPARSE, "%s: answers[%zu] (question \"%.80s\"): %s", name, i,
                            qid, msg);
    return ag_error_set(err, AG_EPARSE, "%s: answers[%zu]: %s", name, i, msg);
}

static bool text_field_ok(json_t *v, size_t max)
{
    return json_is_string(v) && json_string_length(v) <= max &&
           strlen(json_string_value(v)) == json_string_length(v) &&
           ag_text_ok(json_string_value(v));
}

static int level_field(json_t *v, int lo, const char *name, const char *path, struct ag_error *err,
                       int *out)
{
    if (!v)
        return 0;
    if (!json_is_integer(v) || json_integer_value(v) < lo || json_integer_value(v) > 5)
        return ag_error_set(err, AG_EPARSE, "%s: %s: expected a whole number from %d to 5", name,
                            path, lo);
    *out = (int)json_integer_value(v);
    return 0;
}

int ag_assessment_apply(const struct ag_catalogue *c, struct ag_assessment *a, const char *json,
                        size_t len, const char *name, const char *now, size_t *changed,
                        struct ag_error *err)
{
    *changed = 0;
    if (len > ANSWERS_FILE_MAX)
        return ag_error_set(err, AG_ELIMIT, "%s: larger than 4 MiB", name);
    json_error_t je;
    json_t *root = json_loadb(json, len, JSON_REJECT_DUPLICATES, &je);
    if (!root)
        return ag_error_set(err, AG_EPARSE, "%s:%d:%d: not valid JSON: %s", name, je.line,
                            je.column, je.text);
    int rc = 0;
    struct staged_answer *st = NULL;
    size_t nst = 0;
    int *threat = calloc(c->nscenarios ? c->nscenarios : 1, sizeof *threat);
    enum ag_measure_status *ms = malloc((c->nmeasures ? c->nmeasures : 1) * sizeof *ms);
    struct ag_context ctx = a->ctx;
    char *assessor = NULL;
    const char *sharing = NULL;
    if (!threat || !ms) {
        rc = ag_error_set(err, AG_ENOMEM, "out of memory");
        goto done;
    }
    memcpy(threat, a->ctx.threat, c->nscenarios * sizeof *threat);
    memcpy(ms, a->measures, c->nmeasures * sizeof *ms);
    if (!json_is_object(root)) {
        rc = ag_error_set(err, AG_EPARSE,
                          "%s: expected a JSON object with \"answers\", \"context\" or "
                          "\"measures\"",
                          name);
        goto done;
    }
    const char *k;
    json_t *v;
    json_object_foreach(root, k, v)
    {
        if (strcmp(k, "answers") && strcmp(k, "context") && strcmp(k, "measures") &&
            strcmp(k, "assessor") && strcmp(k, "sharing")) {
            rc = ag_error_set(err, AG_EPARSE,
                              "%s: unknown field \"%.60s\" (expected answers, context, "
                              "measures, assessor, sharing)",
                              name, k);
            goto done;
        }
    }
    json_t *jas = json_object_get(root, "assessor");
    if (jas) {
        if (!text_field_ok(jas, 200)) {
            rc = ag_error_set(err, AG_EPARSE,
                              "%s: assessor: expected a name (text, at most 200 "
                              "bytes)",
                              name);
            goto done;
        }
        assessor = ag_strdup(json_string_value(jas));
        if (!assessor) {
            rc = ag_error_set(err, AG_ENOMEM, "out of memory");
            goto done;
        }
    }
    json_t *jsh = json_object_get(root, "sharing");
    if (jsh) {
        for (int i = 0; i < 4 && json_is_string(jsh); i++)
            if (!strcmp(json_string_value(jsh), SHARING[i]))
                sharing = SHARING[i];
        if (!sharing) {
            rc = ag_error_set(err, AG_EPARSE,
                              "%s: sharing: expected TLP:RED, TLP:AMBER, "
                              "TLP:GREEN or TLP:CLEAR",
                              name);
            goto done;
        }
    }
    /* context */
    json_t *jc = json_object_get(root, "context");
    if (jc) {
        if (!json_is_object(jc)) {
            rc = ag_error_set(err, AG_EPARSE, "%s: context: expected an object", name);
            goto done;
        }
        json_object_foreach(jc, k, v)
        {
            char path[128];
            snprintf(path, sizeof path, "context.%.60s", k);
            if (!strcmp(k, "threat")) {
                if (!json_is_object(v)) {
                    rc = ag_error_set(err, AG_EPARSE,
                                      "%s: context.threat: expected an object of scenario: level",
                                      name);
                    goto done;
                }
                const char *sk;
                json_t *sv;
                json_object_foreach(v, sk, sv)
                {
                    long s = ag_catalogue_scenario(c, sk);
                    snprintf(path, sizeof path, "context.threat.%.60s", sk);
                    if (s < 0) {
                        rc = ag_error_set(err, AG_EPARSE,
                                          "%s: %s: unknown scenario (see data/scenarios.csv)", name,
                                          path);
                        goto done;
                    }
                    if ((rc = level_field(sv, 1, name, path, err, &threat[s])))
                        goto done;
                }
            } else if (!strcmp(k, "symbolic") || !strcmp(k, "crowd") || !strcmp(k, "media") ||
                       !strcmp(k, "critical")) {
                int *at = !strcmp(k, "symbolic") ? &ctx.symbolic
                          : !strcmp(k, "crowd")  ? &ctx.crowd
                          : !strcmp(k, "media")  ? &ctx.media
                                                 : &ctx.critical;
                if ((rc = level_field(v, 1, name, path, err, at)))
                    goto done;
            } else if (!strcmp(k, "people")) {
                if (json_is_null(v))
                    ctx.people = -1;
                else if (!json_is_number(v) || json_number_value(v) < 0 ||
                         json_number_value(v) > 1e7) {
                    rc = ag_error_set(err, AG_EPARSE,
                                      "%s: context.people: expected a number of people from 0 to "
                                      "10,000,000 (or null)",
                                      name);
                    goto done;
                } else
                    ctx.people = json_number_value(v);
            } else {
                rc = ag_error_set(err, AG_EPARSE,
                                  "%s: %s: unknown field (expected threat, symbolic, crowd, "
                                  "media, critical, people)",
                                  name, path);
                goto done;
            }
        }
    }
    /* measures */
    json_t *jm = json_object_get(root, "measures");
    if (jm) {
        if (!json_is_object(jm)) {
            rc = ag_error_set(err, AG_EPARSE,
                              "%s: measures: expected an object with lists \"existing\", "
                              "\"excluded\", \"candidate\"",
                              name);
            goto done;
        }
        json_object_foreach(jm, k, v)
        {
            int status = -1;
            for (int i = 0; i < 3; i++)
                if (!strcmp(k, STATUSES[i]))
                    status = i;
            if (status < 0 || !json_is_array(v)) {
                rc = ag_error_set(err, AG_EPARSE,
                                  "%s: measures.%.60s: expected a list named existing, excluded "
                                  "or candidate",
                                  name, k);
                goto done;
            }
            size_t i;
            json_t *mv;
            json_array_foreach(v, i, mv)
            {
                long m = json_is_string(mv) ? ag_catalogue_measure(c, json_string_value(mv)) : -1;
                if (m < 0) {
                    rc = ag_error_set(err, AG_EPARSE,
                                      "%s: measures.%s[%zu]: expected a measure id of "
                                      "data/measures.csv%s%.60s%s",
                                      name, k, i, json_is_string(mv) ? " (not \"" : "",
                                      json_is_string(mv) ? json_string_value(mv) : "",
                                      json_is_string(mv) ? "\")" : "");
                    goto done;
                }
                ms[m] = (enum ag_measure_status)status;
            }
        }
    }
    /* answers */
    json_t *ja = json_object_get(root, "answers");
    if (ja && !json_is_array(ja)) {
        rc = ag_error_set(err, AG_EPARSE,
                          "%s: answers: expected a list of {\"question\": id, \"answer\": 1..5}",
                          name);
        goto done;
    }
    size_t n = json_array_size(ja);
    st = calloc(n ? n : 1, sizeof *st);
    if (!st) {
        rc = ag_error_set(err, AG_ENOMEM, "out of memory");
        goto done;
    }
    for (size_t i = 0; i < n; i++) {
        json_t *it = json_array_get(ja, i);
        if (!json_is_object(it)) {
            rc = item_error(err, name, i, NULL,
                            "expected an object {\"question\": id, "
                            "\"answer\": 1..5}%s",
                            NULL);
            goto done;
        }
        json_t *jq = json_object_get(it, "question");
        if (!json_is_string(jq)) {
            rc = item_error(err, name, i, NULL, "the field \"question\" is missing%s", NULL);
            goto done;
        }
        const char *qid = json_string_value(jq);
        long q = ag_catalogue_question(c, qid);
        if (q < 0) {
            rc = item_error(err, name, i, qid, "unknown question (see agora assess questions)%s",
                            NULL);
            goto done;
        }
        json_object_foreach(it, k, v)
        {
            if (strcmp(k, "question") && strcmp(k, "answer") && strcmp(k, "reason")) {
                rc = item_error(err, name, i, qid,
                                "unknown field \"%s\" (expected question, answer, reason)", k);
                goto done;
            }
        }
        for (size_t j = 0; j < i; j++)
            if (st[j].q == (size_t)q) {
                rc = item_error(err, name, i, qid, "answered twice in this file%s", NULL);
                goto done;
            }
        json_t *jv = json_object_get(it, "answer");
        if (!jv) {
            rc = item_error(err, name, i, qid,
                            "the field \"answer\" is missing (1 to 5, or null to clear)%s", NULL);
            goto done;
        }
        int level = 0;
        if (!json_is_null(jv)) {
            if (!json_is_integer(jv) || json_integer_value(jv) < 1 ||
                json_integer_value(jv) > AG_LEVELS) {
                char d[64];
                if (json_is_integer(jv))
                    snprintf(d, sizeof d, "%lld", (long long)json_integer_value(jv));
                else
                    snprintf(d, sizeof d, "not a whole number");
                rc = item_error(err, name, i, qid,
                                "answer %s is out of range: expected 1 (very high vulnerability) "
                                "to 5 (very low), or null",
                                d);
                goto done;
            }
            level = (int)json_integer_value(jv);
        }
        json_t *jr = json_object_get(it, "reason");
        if (jr && !json_is_null(jr) && !text_field_ok(jr, REASON_MAX)) {
            rc = item_error(err, name, i, qid, "reason: expected text of at most 2000 bytes%s",
                            NULL);
            goto done;
        }
        const char *reason = jr && json_is_string(jr) ? json_string_value(jr) : NULL;
        const struct ag_answer *cur = &a->answers[q];
        if (cur->computed_level && level && level != cur->computed_level && (!reason || !*reason)) {
            char d[96];
            snprintf(d, sizeof d, "%d", cur->computed_level);
            rc = item_error(err, name, i, qid,
                            "agora computed answer %s from its analysis; to override it give a "
                            "\"reason\"",
                            d);
            goto done;
        }
        st[i].q = (size_t)q;
        st[i].level = level;
        if (reason && !(st[i].reason = ag_strdup(reason))) {
            rc = ag_error_set(err, AG_ENOMEM, "out of memory");
            goto done;
        }
        nst = i + 1;
    }
    nst = n;
    /* everything checked: apply */
    for (size_t i = 0; i < nst; i++) {
        struct ag_answer *x = &a->answers[st[i].q];
        bool same_reason = (!x->reason && !st[i].reason) ||
                           (x->reason && st[i].reason && !strcmp(x->reason, st[i].reason));
        if (x->level == st[i].level && same_reason)
            continue;
        x->level = st[i].level;
        free(x->reason);
        x->reason = st[i].reason;
        st[i].reason = NULL;
        if (!x->level)
            x->source = AG_ANSWER_NONE;
        else if (x->computed_level)
            x->source = x->level == x->computed_level ? AG_ANSWER_COMPUTED : AG_ANSWER_OVERRIDE;
        else
            x->source = AG_ANSWER_ASSESSOR;
        snprintf(x->at, sizeof x->at, "%s", now);
        (*changed)++;
    }
    for (size_t s = 0; s < c->nscenarios; s++)
        *changed += threat[s] != a->ctx.threat[s];
    memcpy(a->ctx.threat, threat, c->nscenarios * sizeof *threat);
    *changed += (ctx.symbolic != a->ctx.symbolic) + (ctx.crowd != a->ctx.crowd) +
                (ctx.media != a->ctx.media) + (ctx.critical != a->ctx.critical) +
                (ctx.people != a->ctx.people);
    ctx.threat = a->ctx.threat;
    a->ctx = ctx;
    for (size_t m = 0; m < c->nmeasures; m++)
        *changed += ms[m] != a->measures[m];
    memcpy(a->measures, ms, c->nmeasures * sizeof *ms);
    if (assessor) {
        *changed += !a->assessor || strcmp(a->assessor, assessor);
        free(a->assessor);
        a->assessor = assessor;
        assessor = NULL;
    }
    if (sharing) {
        *changed += strcmp(a->sharing, sharing) != 0;
        snprintf(a->sharing, sizeof a->sharing, "%s", sharing);
    }
done:
    for (size_t i = 0; st && i < json_array_size(ja); i++)
        free(st[i].reason);
    free(st);
    free(threat);
    free(ms);
    free(assessor);
    json_decref(root);
    return rc;
}
