/* The perception index: Student's t against printed tables (6 decimals),
 * the incomplete beta function against closed forms, and an index with
 * its interval computed by hand. SPDX-License-Identifier: EUPL-1.2 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>

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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_incomplete_beta_matches_closed_forms),
        cmocka_unit_test(test_t_quantiles_match_the_printed_tables),
        cmocka_unit_test(test_perception_index_by_hand),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
