/* The perception index: Student's t against printed tables (6 decimals),
 * the incomplete beta function against closed forms, and an index with
 * its interval computed by hand. SPDX-License-Identifier: EUPL-1.2 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "agora/survey.h"

static void near(double got, double want, double tol)
{
    if (!(fabs(got - want) <= tol))
        fail_msg("got %.9f, expected %.9f (± %g)", got, want, tol);
}

static void test_incomplete_beta_matches_closed_forms(void **state)
{
    (void)state;
    for (double x = 0.05; x < 1; x += 0.1) {
        near(ag_betai(1, 1, x), x, 1e-12);            /* uniform */
        near(ag_betai(3, 1, x), pow(x, 3), 1e-12);    /* I_x(a, 1) = x^a */
        near(ag_betai(1, 4, x), 1 - pow(1 - x, 4), 1e-12);
        near(ag_betai(2.5, 4, x) + ag_betai(4, 2.5, 1 - x), 1, 1e-12); /* symmetry */
    }
    near(ag_betai(7, 7, 0.5), 0.5, 1e-12);
    assert_true(isnan(ag_betai(-1, 1, 0.5)));
    assert_true(isnan(ag_betai(1, 1, 1.5)));
}

static void test_t_quantiles_match_the_printed_tables(void **state)
{
    (void)state;
    static const struct {
        double p, df, t;
    } table[] = {
        {0.975, 1, 12.706205},  {0.975, 2, 4.302653},  {0.975, 5, 2.570582},
        {0.975, 10, 2.228139},  {0.975, 30, 2.042272}, {0.975, 1000, 1.962339},
        {0.95, 10, 1.812461},   {0.995, 20, 2.845340}, {0.9, 3, 1.637744},
    };
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
        near(ag_t_quantile(table[i].p, table[i].df), table[i].t, 5e-7);
        near(ag_t_quantile(1 - table[i].p, table[i].df), -table[i].t, 5e-7);
        near(ag_t_cdf(table[i].t, table[i].df), table[i].p, 1e-6);
    }
    near(ag_t_cdf(0, 4), 0.5, 1e-15);
    /* df = 1 is the Cauchy distribution: F(t) = 1/2 + atan(t)/π */
    near(ag_t_cdf(2.5, 1), 0.5 + atan(2.5) / M_PI, 1e-12);
    assert_true(isnan(ag_t_quantile(1, 5)));
}

static void test_perception_index_by_hand(void **state)
{
    (void)state;
    /* answers 5 and 3 (and one not answered): (100 + 50) / 2 */
    near(ag_perception_respondent((int[]){5, 3, 0}, 3), 75, 1e-12);
    assert_true(isnan(ag_perception_respondent((int[]){0, 0}, 2)));
    /* four respondents: mean 62.5; squares of deviations 156.25, 156.25,
     * 1406.25, 1406.25 → sd = sqrt(3125 / 3) = 32.274861; t(0.975, 3) =
     * 3.182446; half = 3.182446 × 32.274861 / 2 = 51.356 */
    struct ag_perception p;
    struct ag_error err = {0};
    double r[] = {50, 75, NAN, 100, 25};
    assert_int_equal(ag_perception_index(r, 5, 0.95, &p, &err), 0);
    assert_int_equal(p.n, 4);
    near(p.index, 62.5, 1e-12);
    near(p.sd, sqrt(3125.0 / 3), 1e-9);
    near(p.lo, 62.5 - 3.182446 * sqrt(3125.0 / 3) / 2, 1e-5);
    near(p.hi, 100, 0); /* clamped */
    /* one respondent: no interval to speak of */
    assert_int_equal(ag_perception_index((double[]){40}, 1, 0.95, &p, &err), 0);
    assert_true(p.index == 40 && p.lo == 0 && p.hi == 100);
    assert_int_equal(ag_perception_index(r, 5, 1.5, &p, &err), AG_EINVAL);
}

static void test_standard_questions_load_with_the_choice_question(void **state)
{
    (void)state;
    struct ag_survey_question *q = NULL;
    size_t n = 0;
    struct ag_error err = {0};
    assert_int_equal(ag_survey_questions_load(NULL, &q, &n, &err), 0);
    assert_int_equal(n, 5);
    assert_string_equal(q[0].id, "safe_day");
    assert_int_equal(q[0].kind, AG_SQ_SCALE);
    assert_string_equal(q[0].low, "Very unsafe");
    assert_string_equal(q[4].id, "safer");
    assert_int_equal(q[4].kind, AG_SQ_CHOICE);
    assert_null(q[4].low);
    assert_int_equal(q[4].nopt, 9);
    assert_string_equal(q[4].opt[0].id, "lighting");
    assert_false(q[4].own);
    ag_survey_questions_free(q, n);
}

static const char OWN[] =
    "[{\"kind\":\"scale\",\"text\":\"Is the market clean?\",\"low\":\"Dirty\",\"high\":\"Clean\"},"
    "{\"kind\":\"choice\",\"text\":\"When do you come?\",\"options\":[\"Morning\",\"Evening\","
    "\"Night\"]}]";

static const struct ag_survey_question STD[] = {
    {"safe_day", AG_SQ_SCALE, "d", "l", "h", NULL, 0, false},
    {"safe_night", AG_SQ_SCALE, "n", "l", "h", NULL, 0, false},
};

static void test_own_questions_are_checked_and_numbered(void **state)
{
    (void)state;
    struct ag_buf b;
    ag_buf_init(&b, 1 << 20);
    struct ag_error err = {0};
    /* extra fields are dropped, the rest written back as given */
    assert_int_equal(ag_survey_own_check("[{\"kind\":\"scale\",\"text\":\"Clean?\",\"low\":\"No\","
                                         "\"high\":\"Yes\",\"id\":\"safe_day\",\"x\":1}]",
                                         &b, &err),
                     0);
    assert_string_equal(b.data, "[{\"kind\":\"scale\",\"text\":\"Clean?\",\"low\":\"No\","
                                "\"high\":\"Yes\"}]");
    static const struct {
        const char *json, *msg;
    } bad[] = {
        {"{}", "questions: expected an array"},
        {"[{\"kind\":\"free\",\"text\":\"x\"}]", "questions[1].kind"},
        {"[{\"kind\":\"scale\",\"text\":\"x\",\"low\":\"a\"}]", "questions[1].high"},
        {"[{\"kind\":\"choice\",\"text\":\"x\",\"options\":[\"one\"]}]", "questions[1].options"},
        {"[{\"kind\":\"choice\",\"text\":\"x\",\"options\":[\"a\",7]}]",
         "questions[1].options[2]"},
        {"[{\"kind\":\"scale\",\"text\":\"\\u0007\",\"low\":\"a\",\"high\":\"b\"}]",
         "questions[1].text"},
        {"[1,2,3,4,5,6,7,8,9,10,11]", "at most 10"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ag_buf_reset(&b);
        if (ag_survey_own_check(bad[i].json, &b, &err) != AG_EPARSE)
            fail_msg("%s was taken", bad[i].json);
        if (!strstr(err.msg, bad[i].msg))
            fail_msg("%s: \"%s\" does not say \"%s\"", bad[i].json, err.msg, bad[i].msg);
    }
    struct ag_survey_question *q = NULL;
    size_t n = 0;
    assert_int_equal(ag_survey_form(STD, 2, OWN, &q, &n, &err), 0);
    assert_int_equal(n, 4);
    assert_string_equal(q[1].id, "safe_night");
    assert_false(q[1].own);
    assert_string_equal(q[2].id, "own1");
    assert_true(q[2].own);
    assert_string_equal(q[2].high, "Clean");
    assert_string_equal(q[3].id, "own2");
    assert_int_equal(q[3].nopt, 3);
    assert_string_equal(q[3].opt[2].id, "3");
    assert_string_equal(q[3].opt[2].text, "Night");
    ag_survey_questions_free(q, n);
    ag_buf_free(&b);
}

static void test_answers_are_checked_and_written_in_form_order(void **state)
{
    (void)state;
    struct ag_survey_question *q = NULL;
    size_t n = 0;
    struct ag_error err = {0};
    assert_int_equal(ag_survey_form(STD, 2, OWN, &q, &n, &err), 0);
    struct ag_buf b;
    ag_buf_init(&b, 1 << 20);
    assert_int_equal(
        ag_survey_answers_check(q, n, "{\"own2\":[\"3\",\"1\"],\"safe_day\":4,\"own1\":2}", &b,
                                &err),
        0);
    assert_string_equal(b.data, "{\"safe_day\":4,\"own1\":2,\"own2\":[\"1\",\"3\"]}");
    ag_buf_reset(&b);
    assert_int_equal(ag_survey_answers_check(q, n, "{\"own2\":[]}", &b, &err), 0);
    assert_string_equal(b.data, "{\"own2\":[]}");
    static const struct {
        const char *json, *msg;
    } bad[] = {
        {"{}", "at least one answer"},
        {"[4]", "expected {"},
        {"{\"safe_day\":6}", "answers.safe_day: expected an answer from 1 to 5"},
        {"{\"safe_day\":\"4\"}", "answers.safe_day"},
        {"{\"safe_day\":4.5}", "answers.safe_day"},
        {"{\"name\":\"Jo\"}", "\"name\" is not a question"},
        {"{\"own2\":[\"1\",\"1\"]}", "answers.own2[2]"},
        {"{\"own2\":[\"9\"]}", "answers.own2[1]"},
        {"{\"own2\":\"1\"}", "answers.own2: expected a list"},
        {"{\"safe_day\":4,\"safe_day\":5}", "expected {"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ag_buf_reset(&b);
        if (ag_survey_answers_check(q, n, bad[i].json, &b, &err) != AG_EPARSE)
            fail_msg("%s was taken", bad[i].json);
        if (!strstr(err.msg, bad[i].msg))
            fail_msg("%s: \"%s\" does not say \"%s\"", bad[i].json, err.msg, bad[i].msg);
    }
    ag_buf_free(&b);
    ag_survey_questions_free(q, n);
}

static void test_csv_import_reads_choices_and_names_bad_cells(void **state)
{
    (void)state;
    struct ag_survey_question *q = NULL;
    size_t n = 0, nr = 0;
    struct ag_error err = {0};
    assert_int_equal(ag_survey_form(STD, 2, OWN, &q, &n, &err), 0);
    char **rows = NULL;
    const char ok[] = "own2,safe_day\n3;1,5\n,\n,2\n";
    assert_int_equal(ag_survey_csv_read(ok, strlen(ok), "a.csv", q, n, &rows, &nr, NULL, &err), 0);
    assert_int_equal(nr, 2); /* the row with nothing answered is no respondent */
    assert_string_equal(rows[0], "{\"safe_day\":5,\"own2\":[\"1\",\"3\"]}");
    assert_string_equal(rows[1], "{\"safe_day\":2}");
    for (size_t i = 0; i < nr; i++)
        free(rows[i]);
    free(rows);
    const char bad[] = "own2,safe_day\n1,5\n1;4,2\n";
    assert_int_equal(ag_survey_csv_read(bad, strlen(bad), "a.csv", q, n, &rows, &nr, NULL, &err),
                     AG_EPARSE);
    assert_non_null(strstr(err.msg, "a.csv:3: column 1 (own2): \"1;4\""));
    ag_survey_questions_free(q, n);
}

static void test_tally_by_hand(void **state)
{
    (void)state;
    struct ag_survey_question *q = NULL;
    size_t n = 0;
    struct ag_error err = {0};
    assert_int_equal(ag_survey_form(STD, 2, OWN, &q, &n, &err), 0);
    /* respondent indices from the standard questions only (own1 never
     * counts): (100 + 75)/2 = 87.5; 0; (50)/1 = 50; none (NaN) */
    const char *rows[] = {
        "{\"safe_day\":5,\"safe_night\":4,\"own1\":1,\"own2\":[\"1\",\"2\"]}",
        "{\"safe_day\":1,\"safe_night\":1,\"own2\":[\"2\"]}",
        "{\"safe_night\":3,\"own1\":5}",
        "{\"own2\":[]}",
    };
    struct ag_survey_tally t;
    assert_int_equal(ag_survey_tally(q, n, rows, 4, 0.95, &t, &err), 0);
    assert_int_equal(t.responses, 4);
    assert_int_equal(t.index.n, 3);
    near(t.index.index, (87.5 + 0 + 50) / 3, 1e-12);
    assert_int_equal(t.q[0].n, 2);
    near(t.q[0].mean, 3, 1e-12);
    assert_int_equal(t.q[1].count[1], 1);
    assert_int_equal(t.q[1].count[3], 1);
    assert_int_equal(t.q[1].count[4], 1);
    near(t.q[2].mean, 3, 1e-12);
    assert_int_equal(t.q[3].n, 3); /* the empty list counts as answered */
    assert_int_equal(t.q[3].count[0], 1);
    assert_int_equal(t.q[3].count[1], 2);
    assert_int_equal(t.q[3].count[2], 0);
    struct ag_buf b;
    ag_buf_init(&b, 1 << 20);
    assert_int_equal(ag_survey_tally_json(q, n, &t, NULL, &b), 0);
    assert_non_null(strstr(b.data, "\"respondents\":3,\"index\":45.83,"));
    assert_non_null(strstr(b.data, "\"counts\":[1,0,1,1,0]"));
    assert_non_null(strstr(b.data, "{\"id\":\"2\",\"text\":\"Evening\",\"count\":2}"));
    ag_buf_free(&b);
    ag_survey_tally_free(&t);
    ag_survey_questions_free(q, n);
}

static void test_divergence_ranks_by_hand(void **state)
{
    (void)state;
    /* five spaces, one without incidents data (NaN) and so left out: the
     * other four, insecurity 100 − index = 60, 20, 40, 40 → mid-ranks 4,
     * 1, 2.5, 2.5 → (rank − ½)/4 = 0.875, 0.125, 0.5, 0.5; densities 1, 9,
     * 3, 5 → ranks 1, 4, 2, 3 → 0.125, 0.875, 0.375, 0.625 */
    double index[] = {40, 80, 60, 60, 10};
    double dens[] = {1, 9, 3, 5, NAN};
    double rf[5], ri[5], dv[5];
    struct ag_error err = {0};
    assert_int_equal(ag_perception_divergence(index, dens, 5, rf, ri, dv, &err), 0);
    double want_f[] = {0.875, 0.125, 0.5, 0.5}, want_i[] = {0.125, 0.875, 0.375, 0.625};
    for (int i = 0; i < 4; i++) {
        near(rf[i], want_f[i], 1e-12);
        near(ri[i], want_i[i], 1e-12);
        near(dv[i], want_f[i] - want_i[i], 1e-12);
    }
    assert_true(isnan(rf[4]) && isnan(dv[4]));
    assert_true(dv[0] >= AG_PERCEPTION_DIVERGENT);  /* feared, few incidents */
    assert_true(dv[1] <= -AG_PERCEPTION_DIVERGENT); /* incidents, little fear */
    /* fewer than three spaces with both: no ranks */
    assert_int_equal(ag_perception_divergence(index, dens, 2, rf, ri, dv, &err), 0);
    assert_true(isnan(dv[0]) && isnan(dv[1]));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_incomplete_beta_matches_closed_forms),
        cmocka_unit_test(test_t_quantiles_match_the_printed_tables),
        cmocka_unit_test(test_perception_index_by_hand),
        cmocka_unit_test(test_standard_questions_load_with_the_choice_question),
        cmocka_unit_test(test_own_questions_are_checked_and_numbered),
        cmocka_unit_test(test_answers_are_checked_and_written_in_form_order),
        cmocka_unit_test(test_csv_import_reads_choices_and_names_bad_cells),
        cmocka_unit_test(test_tally_by_hand),
        cmocka_unit_test(test_divergence_ranks_by_hand),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
