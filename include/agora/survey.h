/* agora — perception surveys (issue 8): how safe people feel in a space,
 * summed up as a perception index with its confidence interval
 * (docs/methodology.md §20).
 * SPDX-License-Identifier: EUPL-1.2 */
#ifndef AGORA_SURVEY_H
#define AGORA_SURVEY_H

#include "agora/base.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The regularised incomplete beta function I_x(a, b), a, b > 0, 0 <= x <= 1
 * (continued fraction, relative accuracy about 1e-12); NaN outside. */
double ag_betai(double a, double b, double x);
/* Student's t distribution with df > 0 degrees of freedom: the CDF at t and
 * the quantile of probability p (0 < p < 1); NaN outside. */
double ag_t_cdf(double t, double df);
double ag_t_quantile(double p, double df);

/* One respondent's index from answers on 1..5 scales (5 = feels safest;
 * 0 = not answered): the mean of 100·(answer − 1)/4 over the answered
 * items, or NaN when none was answered. */
double ag_perception_respondent(const int *answers, size_t n);

struct ag_perception {
    size_t n;      /* respondents with an index */
    double index;  /* their mean, 0..100 */
    double lo, hi; /* the confidence interval (t interval), clamped to 0..100;
                      0 and 100 when n < 2 */
    double sd;     /* standard deviation of the respondents' indices (n − 1) */
};

/* The perception index of a space from its respondents' indices (NaN ones
 * skipped) at confidence conf (e.g. 0.95). */
int ag_perception_index(const double *respondents, size_t n, double conf, struct ag_perception *out,
                        struct ag_error *err);

/* The standard questions (data/survey-questions.csv: id,text,low,high):
 * five-point scales, 1 = low (least safe), 5 = high (safest). */
struct ag_survey_question {
    char id[32];
    char *text, *low, *high;
};
int ag_survey_questions_load(const char *dir, struct ag_survey_question **out, size_t *n,
                             struct ag_error *err);
void ag_survey_questions_free(struct ag_survey_question *q, size_t n);

/* Reads survey responses from CSV (a header of question ids, one row per
 * respondent, answers 1..5 or empty). Checked whole: any error names the
 * line and column, and nothing is returned. out: a malloc'd array of n
 * JSON objects {"question": answer} (free each, then the array). */
int ag_survey_csv_read(const char *text, size_t len, const char *name,
                       const struct ag_survey_question *q, size_t nq, char ***out, size_t *n,
                       struct ag_error *err);

#ifdef __cplusplus
}
#endif
#endif
