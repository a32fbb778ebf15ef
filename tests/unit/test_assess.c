/* The assessment: catalogues, answers files, risk and plan, checked against
 * the hand calculation of docs/methodology.md §18.6 on the small catalogue
 * of tests/data/assess (two scenarios, three questions, three measures).
 * SPDX-License-Identifier: EUPL-1.2 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agora/assess.h"
#include "agora/i18n.h"

#define EPS 1e-9

static char dir[4096];

static struct ag_catalogue *load(void)
{
    struct ag_catalogue *c = NULL;
    struct ag_error err = {0};
    int rc = ag_catalogue_load(dir, &c, &err);
    if (rc)
        fprintf(stderr, "%s\n", err.msg);
    assert_int_equal(rc, 0);
    return c;
}

/* The hand example: q1 = 1, q2 = 4, q3 unanswered; symbolic 5, crowd 3,
 * media 4, people 1000, critical 2. */
static struct ag_assessment *example(const struct ag_catalogue *c)
{
    struct ag_assessment *a = ag_assessment_new(c);
    assert_non_null(a);
    const char *json = "{\"context\":{\"symbolic\":5,\"crowd\":3,\"media\":4,\"people\":1000,"
                       "\"critical\":2},\"answers\":[{\"question\":\"area.q1\",\"answer\":1},"
                       "{\"question\":\"area.q2\",\"answer\":4}]}";
    size_t changed;
    struct ag_error err = {0};
    int rc = ag_assessment_apply(c, a, json, strlen(json), "example.json",
                                 "2026-11-23T00:00:00Z", &changed, &err);
    if (rc)
        fprintf(stderr, "%s\n", err.msg);
    assert_int_equal(rc, 0);
    assert_int_equal(changed, 2 + 5);
    return a;
}

static void test_catalogue_reads_the_rows_and_their_links(void **state)
{
    (void)state;
    struct ag_catalogue *c = load();
    assert_int_equal(c->nscenarios, 2);
    assert_int_equal(c->nquestions, 3);
    assert_int_equal(c->nmeasures, 3);
    assert_int_equal(c->questions[1].nscenarios, 2);
    assert_int_equal(c->questions[1].scenarios[1].index, 1);
    assert_true(fabs(c->questions[1].scenarios[1].value - 2) < EPS);
    assert_int_equal(c->questions[2].evidence, AG_EVIDENCE_VEHICLE);
    assert_true(fabs(c->measures[1].reduces[1].value - 0.5) < EPS);
    assert_string_equal(c->scenarios[0].description, "The first scenario, severe.");
    assert_true(fabs(c->model.people_reference - 100000) < EPS);
    ag_catalogue_free(c);
}

static void test_risk_matches_the_hand_calculation(void **state)
{
    (void)state;
    struct ag_catalogue *c = load();
    struct ag_assessment *a = example(c);
    struct ag_scenario_risk r[2];
    ag_assess_score(c, a, NULL, r);
    /* A = (5+3+4)/3 = 4; attractiveness term 0.5 + 0.5·3/4 = 0.875 */
    assert_true(fabs(r[0].attractiveness - 4) < EPS);
    /* scenario A: threat 4 (default) → L = 0.8·0.875 = 0.7 (t ± 0.5) */
    assert_int_equal(r[0].threat, 4);
    assert_true(fabs(r[0].likelihood.value - 0.7) < EPS);
    assert_true(fabs(r[0].likelihood.lo - 0.6125) < EPS);
    assert_true(fabs(r[0].likelihood.hi - 0.7875) < EPS);
    /* V = (3·0.9 + 1·0.3)/4 = 0.75, range (3·0.8 + 0.2)/4 .. (3·1 + 0.4)/4 */
    assert_true(fabs(r[0].vulnerability.value - 0.75) < EPS);
    assert_true(fabs(r[0].vulnerability.lo - 0.65) < EPS);
    assert_true(fabs(r[0].vulnerability.hi - 0.85) < EPS);
    /* C = 5/5 · (0.7 · log10(1000)/log10(100000) + 0.3 · 2/5) = 0.54 */
    assert_true(fabs(r[0].consequence - 0.54) < EPS);
    assert_true(fabs(r[0].risk.value - 28.35) < 1e-9);
    assert_true(fabs(r[0].risk.lo - 21.49875) < 1e-9);
    assert_true(fabs(r[0].risk.hi - 36.14625) < 1e-9);
    /* L·V = 0.525 ≥ 0.4 → row 5; 0.4 ≤ C < 0.6 → column 3 */
    assert_int_equal(r[0].row, 5);
    assert_int_equal(r[0].col, 3);
    assert_int_equal(r[0].questions, 2);
    assert_int_equal(r[0].answered, 2);
    /* scenario B: threat 2, L = 0.35; V = (2·0.3 + 0.5)/3 with q3 open
     * (0.1..0.9); C = 2/5 · 0.54 = 0.216; R = 2.772 */
    assert_true(fabs(r[1].likelihood.value - 0.35) < EPS);
    assert_true(fabs(r[1].vulnerability.value - 1.1 / 3) < EPS);
    assert_true(fabs(r[1].vulnerability.lo - 0.5 / 3) < EPS);
    assert_true(fabs(r[1].vulnerability.hi - 1.7 / 3) < EPS);
    assert_true(fabs(r[1].consequence - 0.216) < EPS);
    assert_true(fabs(r[1].risk.value - 2.772) < 1e-9);
    assert_int_equal(r[1].row, 3);
    assert_int_equal(r[1].col, 2);
    assert_int_equal(r[1].answered, 1);
    assert_true(fabs(ag_assess_total(c, r) - 31.122) < 1e-9);
    ag_assessment_free(a);
    ag_catalogue_free(c);
}

static void test_plan_ranks_by_risk_per_euro_within_the_budget(void **state)
{
    (void)state;
    struct ag_catalogue *c = load();
    struct ag_assessment *a = example(c);
    struct ag_plan p;
    struct ag_error err = {0};
    /* round 1: m1 14.175/200k, m2 4.221/20k, m3 2.4948/50k → m2;
     * round 2: m1 12.7575/200k beats m3 1.2474/50k and fits → m1;
     * m3 (50k) no longer fits the 30k left */
    assert_int_equal(ag_assess_plan(c, a, 250000, &p, &err), 0);
    assert_int_equal(p.nsteps, 2);
    assert_int_equal(p.steps[0].measure, 1);
    assert_true(fabs(p.steps[0].reduction - 4.221) < 1e-9);
    assert_true(fabs(p.steps[0].per_meur - 4.221 / 20000 * 1e6) < 1e-6);
    assert_int_equal(p.steps[1].measure, 0);
    assert_true(fabs(p.steps[1].reduction - 12.7575) < 1e-9);
    assert_true(fabs(p.spent - 220000) < EPS);
    assert_true(fabs(p.steps[1].cumulative - 220000) < EPS);
    assert_true(fabs(p.total_before - 31.122) < 1e-9);
    assert_true(fabs(p.total_after - 14.1435) < 1e-9);
    assert_true(fabs(p.after[0].risk.value - 12.7575) < 1e-9);
    assert_true(fabs(p.after[1].risk.value - 1.386) < 1e-9);
    assert_int_equal(p.nbeyond, 1);
    assert_int_equal(p.beyond[0].measure, 2);
    assert_true(fabs(p.beyond[0].reduction - 1.2474) < 1e-9);
    ag_plan_free(&p);
    /* 100k: m2, then m1 does not fit but m3 does */
    assert_int_equal(ag_assess_plan(c, a, 100000, &p, &err), 0);
    assert_int_equal(p.nsteps, 2);
    assert_int_equal(p.steps[0].measure, 1);
    assert_int_equal(p.steps[1].measure, 2);
    assert_true(fabs(p.total_after - (25.515 + 0.1386)) < 1e-9);
    assert_int_equal(p.nbeyond, 1);
    assert_int_equal(p.beyond[0].measure, 0);
    ag_plan_free(&p);
    /* a measure in place is not proposed again */
    a->measures[1] = AG_MEASURE_EXISTING;
    assert_int_equal(ag_assess_plan(c, a, 1e9, &p, &err), 0);
    assert_int_equal(p.nsteps, 2);
    assert_int_equal(p.steps[0].measure, 0);
    assert_int_equal(p.steps[1].measure, 2);
    ag_plan_free(&p);
    /* nothing fits a budget of 0 */
    assert_int_equal(ag_assess_plan(c, a, 0, &p, &err), 0);
    assert_int_equal(p.nsteps, 0);
    assert_int_equal(p.nbeyond, 2);
    ag_plan_free(&p);
    assert_int_equal(ag_assess_plan(c, a, -1, &p, &err), AG_EINVAL);
    ag_assessment_free(a);
    ag_catalogue_free(c);
}

/* A file refused must leave the assessment exactly as it was. */
static void refused(const struct ag_catalogue *c, struct ag_assessment *a, const char *json,
                    const char *expect)
{
    struct ag_buf before, after;
    ag_buf_init(&before, 1 << 20);
    ag_buf_init(&after, 1 << 20);
    assert_int_equal(ag_assessment_to_json(c, a, &before), 0);
    size_t changed = 99;
    struct ag_error err = {0};
    int rc = ag_assessment_apply(c, a, json, strlen(json), "answers.json", "2026-11-23T01:00:00Z",
                                 &changed, &err);
    assert_int_equal(rc, AG_EPARSE);
    if (!strstr(err.msg, expect))
        fprintf(stderr, "message \"%s\" lacks \"%s\"\n", err.msg, expect);
    assert_non_null(strstr(err.msg, expect));
    assert_non_null(strstr(err.msg, "answers.json"));
    assert_int_equal(ag_assessment_to_json(c, a, &after), 0);
    assert_string_equal(before.data, after.data);
    ag_buf_free(&before);
    ag_buf_free(&after);
}

static void test_bad_answers_files_name_the_item_and_change_nothing(void **state)
{
    (void)state;
    struct ag_catalogue *c = load();
    struct ag_assessment *a = example(c);
    refused(c, a, "{\"answers\":[{\"question\":\"area.q2\",\"answer\":2},", "not valid JSON");
    refused(c, a,
            "{\"answers\":[{\"question\":\"area.q2\",\"answer\":2},"
            "{\"question\":\"area.nope\",\"answer\":3}]}",
            "answers[1] (question \"area.nope\"): unknown question");
    refused(c, a,
            "{\"answers\":[{\"question\":\"area.q2\",\"answer\":2},"
            "{\"question\":\"area.q1\",\"answer\":7}]}",
            "answers[1] (question \"area.q1\"): answer 7 is out of range");
    refused(c, a, "{\"answers\":[{\"question\":\"area.q1\",\"answer\":0}]}", "out of range");
    refused(c, a, "{\"answers\":[{\"question\":\"area.q1\",\"answer\":\"2\"}]}", "out of range");
    refused(c, a, "{\"answers\":[{\"question\":\"area.q1\"}]}",
            "answers[0] (question \"area.q1\"): the field \"answer\" is missing");
    refused(c, a, "{\"answers\":[{\"answer\":2}]}", "answers[0]: the field \"question\" is missing");
    refused(c, a, "{\"answers\":[{\"question\":\"area.q1\",\"answer\":2,\"note\":\"x\"}]}",
            "unknown field \"note\"");
    refused(c, a,
            "{\"answers\":[{\"question\":\"area.q1\",\"answer\":2},"
            "{\"question\":\"area.q1\",\"answer\":3}]}",
            "answered twice");
    refused(c, a, "{\"answer\":[]}", "unknown field \"answer\"");
    refused(c, a, "[1,2]", "expected a JSON object");
    refused(c, a, "{\"context\":{\"threat\":{\"sz\":3}}}", "context.threat.sz: unknown scenario");
    refused(c, a, "{\"context\":{\"threat\":{\"sa\":6}}}", "context.threat.sa");
    refused(c, a, "{\"context\":{\"people\":-5}}", "context.people");
    refused(c, a, "{\"measures\":{\"existing\":[\"m9\"]}}", "measures.existing[0]");
    refused(c, a, "{\"sharing\":\"TLP:PINK\"}", "sharing");
    ag_assessment_free(a);
    ag_catalogue_free(c);
}

static void test_computed_answers_need_a_reason_to_be_overridden(void **state)
{
    (void)state;
    struct ag_catalogue *c = load();
    struct ag_assessment *a = example(c);
    assert_int_equal(ag_assessment_set_computed(a, 2, 1, "{\"engine\":\"vehicle\"}",
                                                "3 entries; fastest 62 km/h",
                                                "2026-11-23T00:00:00Z"),
                     0);
    assert_int_equal(a->answers[2].level, 1);
    assert_int_equal(a->answers[2].source, AG_ANSWER_COMPUTED);
    refused(c, a, "{\"answers\":[{\"question\":\"area.q3\",\"answer\":4}]}",
            "agora computed answer 1");
    const char *ok = "{\"answers\":[{\"question\":\"area.q3\",\"answer\":4,"
                     "\"reason\":\"rated bollards installed since the analysis\"}]}";
    size_t changed;
    struct ag_error err = {0};
    assert_int_equal(ag_assessment_apply(c, a, ok, strlen(ok), "x.json", "2026-11-23T02:00:00Z",
                                         &changed, &err),
                     0);
    assert_int_equal(changed, 1);
    assert_int_equal(a->answers[2].level, 4);
    assert_int_equal(a->answers[2].source, AG_ANSWER_OVERRIDE);
    assert_int_equal(a->answers[2].computed_level, 1);
    /* a new computation keeps the person's override */
    assert_int_equal(ag_assessment_set_computed(a, 2, 2, NULL, NULL, "2026-11-24T00:00:00Z"), 0);
    assert_int_equal(a->answers[2].level, 4);
    assert_int_equal(a->answers[2].computed_level, 2);
    /* the document round-trips */
    struct ag_buf b;
    ag_buf_init(&b, 1 << 20);
    assert_int_equal(ag_assessment_to_json(c, a, &b), 0);
    struct ag_assessment *z = ag_assessment_new(c);
    size_t skipped = 9;
    assert_int_equal(ag_assessment_from_json(c, b.data, z, &skipped, &err), 0);
    assert_int_equal(skipped, 0);
    struct ag_buf b2;
    ag_buf_init(&b2, 1 << 20);
    assert_int_equal(ag_assessment_to_json(c, z, &b2), 0);
    assert_string_equal(b.data, b2.data);
    assert_string_equal(z->answers[2].reason, "rated bollards installed since the analysis");
    ag_buf_free(&b);
    ag_buf_free(&b2);
    ag_assessment_free(z);
    ag_assessment_free(a);
    ag_catalogue_free(c);
}

static void test_engine_bands(void **state)
{
    (void)state;
    assert_int_equal(ag_assess_vehicle_level(false, 0), 5);
    assert_int_equal(ag_assess_vehicle_level(true, 10), 4);
    assert_int_equal(ag_assess_vehicle_level(true, 16), 3);
    assert_int_equal(ag_assess_vehicle_level(true, 31.9), 3);
    assert_int_equal(ag_assess_vehicle_level(true, 32), 2);
    assert_int_equal(ag_assess_vehicle_level(true, 48), 1);
    assert_int_equal(ag_assess_vehicle_level(true, 112), 1);
    assert_int_equal(ag_assess_crowd_level(1100, 1000), 1);
    assert_int_equal(ag_assess_crowd_level(1000, 1000), 2);
    assert_int_equal(ag_assess_crowd_level(900, 1000), 2);
    assert_int_equal(ag_assess_crowd_level(899, 1000), 3);
    assert_int_equal(ag_assess_crowd_level(700, 1000), 3);
    assert_int_equal(ag_assess_crowd_level(500, 1000), 4);
    assert_int_equal(ag_assess_crowd_level(499, 1000), 5);
    assert_int_equal(ag_assess_crowd_level(10, 0), 1);
}

/* Writes a catalogue file into a scratch copy of the example and expects
 * the load to fail naming file, line and column. */
static void bad_catalogue(const char *file, const char *content, const char *expect)
{
    char tmp[] = "/tmp/agora-assess-XXXXXX";
    assert_non_null(mkdtemp(tmp));
    const char *files[] = {"scenarios.csv", "checklist-areas.csv", "checklist.csv",
                           "measures.csv", "risk-model.csv"};
    char src[8192], dst[8192];
    for (size_t i = 0; i < 5; i++) {
        snprintf(src, sizeof src, "%s/%s", dir, files[i]);
        snprintf(dst, sizeof dst, "%s/%s", tmp, files[i]);
        struct ag_buf b;
        ag_buf_init(&b, 1 << 20);
        assert_int_equal(ag_file_read(src, &b, NULL), 0);
        if (!strcmp(files[i], file))
            assert_int_equal(ag_file_write_atomic(dst, content, strlen(content), NULL), 0);
        else
            assert_int_equal(ag_file_write_atomic(dst, b.data, b.len, NULL), 0);
        ag_buf_free(&b);
    }
    struct ag_catalogue *c = NULL;
    struct ag_error err = {0};
    assert_int_equal(ag_catalogue_load(tmp, &c, &err), AG_EPARSE);
    assert_null(c);
    if (!strstr(err.msg, expect))
        fprintf(stderr, "message \"%s\" lacks \"%s\"\n", err.msg, expect);
    assert_non_null(strstr(err.msg, expect));
    for (size_t i = 0; i < 5; i++) {
        snprintf(dst, sizeof dst, "%s/%s", tmp, files[i]);
        remove(dst);
    }
    rmdir(tmp);
}

static void test_bad_catalogues_name_file_line_and_column(void **state)
{
    (void)state;
    const char *mh = "id,name,description,category,cost_min_eur,cost_max_eur,reduces,"
                     "accessibility,multifunctionality,proportionality,sustainability,"
                     "aesthetics,source\n";
    char buf[2048];
    snprintf(buf, sizeof buf, "%sm1,M,D,hvm,10,5,sa:0.5,3,3,3,3,3,s\n", mh);
    bad_catalogue("measures.csv", buf, "measures.csv:2: column cost_max_eur");
    snprintf(buf, sizeof buf, "%sm1,M,D,hvm,10,50,sz:0.5,3,3,3,3,3,s\n", mh);
    bad_catalogue("measures.csv", buf, "\"sz\" is not in the scenario table");
    snprintf(buf, sizeof buf, "%sm1,M,D,hvm,10,50,sa:1.5,3,3,3,3,3,s\n", mh);
    bad_catalogue("measures.csv", buf, "column reduces");
    snprintf(buf, sizeof buf, "%sm1,M,D,tanks,10,50,sa:0.5,3,3,3,3,3,s\n", mh);
    bad_catalogue("measures.csv", buf, "column category");
    snprintf(buf, sizeof buf, "%sm1,M,D,hvm,10,50,sa:0.5,3,3,3,3,9,s\n", mh);
    bad_catalogue("measures.csv", buf, "column aesthetics");
    bad_catalogue("scenarios.csv",
                  "id,code,name,description,severity,default_threat,source\n"
                  "sa,A,N,\"unclosed,5,4,s\n",
                  "scenarios.csv:2: a quoted field is not closed");
    bad_catalogue("scenarios.csv", "id,code,name,severity\n", "scenarios.csv:1: header");
    bad_catalogue("checklist.csv",
                  "id,area,question,why,answer_1,answer_2,answer_3,answer_4,answer_5,scenarios,"
                  "measures,evidence\nArea.Q,area,Q?,W,1,2,3,4,5,sa:1,,\n",
                  "checklist.csv:2: column id");
    bad_catalogue("checklist.csv",
                  "id,area,question,why,answer_1,answer_2,answer_3,answer_4,answer_5,scenarios,"
                  "measures,evidence\narea.q,area,Q?,W,1,2,3,4,5,sa:1,,radar\n",
                  "column evidence");
    bad_catalogue("risk-model.csv", "parameter,value,description\nw_media,1,x\n",
                  "is missing");
}

static void test_mo_catalogue_lookup_and_bad_files(void **state)
{
    (void)state;
    /* A little-endian .mo with two messages, laid out by hand: header (28
     * bytes), originals table, translations table, then the strings. */
    const char *ids[] = {"Risk", "Threat"};
    const char *strs[] = {"Risque", "Menace"};
    unsigned char mo[256] = {0};
    uint32_t n = 2, o = 28, t = 28 + 16, s = 28 + 32;
    uint32_t hdr[7] = {0x950412de, 0, n, o, t, 0, 0};
    memcpy(mo, hdr, sizeof hdr);
    for (uint32_t i = 0; i < n; i++) {
        uint32_t e[2] = {(uint32_t)strlen(ids[i]), s};
        memcpy(mo + o + 8 * i, e, 8);
        memcpy(mo + s, ids[i], strlen(ids[i]) + 1);
        s += (uint32_t)strlen(ids[i]) + 1;
    }
    for (uint32_t i = 0; i < n; i++) {
        uint32_t e[2] = {(uint32_t)strlen(strs[i]), s};
        memcpy(mo + t + 8 * i, e, 8);
        memcpy(mo + s, strs[i], strlen(strs[i]) + 1);
        s += (uint32_t)strlen(strs[i]) + 1;
    }
    struct ag_catalog *cat = NULL;
    struct ag_error err = {0};
    assert_int_equal(ag_catalog_from_mo("fr", mo, s, "t.mo", &cat, &err), 0);
    assert_int_equal(ag_catalog_size(cat), 2);
    assert_string_equal(ag_tr(cat, "Threat"), "Menace");
    assert_string_equal(ag_tr(cat, "Risk"), "Risque");
    assert_string_equal(ag_tr(cat, "Plan"), "Plan");
    assert_string_equal(ag_trc(cat, "x", "Risk"), "Risk");
    ag_catalog_free(cat);
    /* a string that runs past the end of the file */
    unsigned char bad[256];
    memcpy(bad, mo, sizeof bad);
    uint32_t far[2] = {200, 40};
    memcpy(bad + o, far, 8);
    assert_int_equal(ag_catalog_from_mo("fr", bad, s, "t.mo", &cat, &err), AG_EPARSE);
    assert_non_null(strstr(err.msg, "t.mo"));
    assert_int_equal(ag_catalog_from_mo("fr", "not a catalogue at all, really", 30, "x.mo", &cat,
                                        &err),
                     AG_EPARSE);
    assert_non_null(strstr(err.msg, "magic"));
    assert_int_equal(ag_catalog_open("xx", &cat, &err), AG_EINVAL);
    assert_int_equal(ag_catalog_open("en", &cat, &err), 0);
    assert_string_equal(ag_tr(cat, "Risk"), "Risk");
    ag_catalog_free(cat);
}

static void test_csv_reader(void **state)
{
    (void)state;
    const char *text = "\xEF\xBB\xBF"
                       "a,\"b,c\",\"say \"\"hi\"\"\"\r\n"
                       "\"multi\nline\",,x\n"
                       "\n"
                       "last";
    struct ag_csv c;
    struct ag_error err = {0};
    ag_csv_init(&c, text, strlen(text), "t.csv");
    assert_int_equal(ag_csv_next(&c, &err), 1);
    assert_int_equal(c.line, 1);
    assert_int_equal(c.nfield, 3);
    assert_string_equal(c.field[1], "b,c");
    assert_string_equal(c.field[2], "say \"hi\"");
    assert_int_equal(ag_csv_next(&c, &err), 1);
    assert_int_equal(c.line, 2);
    assert_string_equal(c.field[0], "multi\nline");
    assert_string_equal(c.field[1], "");
    assert_int_equal(ag_csv_next(&c, &err), 1);
    assert_int_equal(c.line, 4);
    assert_int_equal(c.nfield, 1);
    assert_int_equal(ag_csv_next(&c, &err), 1);
    assert_int_equal(c.line, 5);
    assert_string_equal(c.field[0], "last");
    assert_int_equal(ag_csv_next(&c, &err), 0);
    ag_csv_free(&c);
    const char *bad = "a,b\nc,\"d\"e\n";
    ag_csv_init(&c, bad, strlen(bad), "t.csv");
    assert_int_equal(ag_csv_next(&c, &err), 1);
    assert_int_equal(ag_csv_next(&c, &err), AG_EPARSE);
    assert_non_null(strstr(err.msg, "t.csv:2"));
    ag_csv_free(&c);
}

int main(void)
{
    const char *src = getenv("AGORA_SOURCE_DIR");
    snprintf(dir, sizeof dir, "%s/tests/data/assess", src ? src : ".");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_catalogue_reads_the_rows_and_their_links),
        cmocka_unit_test(test_risk_matches_the_hand_calculation),
        cmocka_unit_test(test_plan_ranks_by_risk_per_euro_within_the_budget),
        cmocka_unit_test(test_bad_answers_files_name_the_item_and_change_nothing),
        cmocka_unit_test(test_computed_answers_need_a_reason_to_be_overridden),
        cmocka_unit_test(test_engine_bands),
        cmocka_unit_test(test_bad_catalogues_name_file_line_and_column),
        cmocka_unit_test(test_mo_catalogue_lookup_and_bad_files),
        cmocka_unit_test(test_csv_reader),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
