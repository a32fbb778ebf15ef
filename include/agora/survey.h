/* agora — perception surveys (issue 8): how safe people feel in a space,
 * summed up as a perception index with its confidence interval
 * (docs/methodology.md §20).
 * SPDX-License-Identifier: EUPL-1.2 */
#ifndef AGORA_SURVEY_H
#define AGORA_SURVEY_H

#include "agora/base.h"
#include "agora/i18n.h"

#include <stdbool.h>

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

/* Where fear and recorded incidents diverge (docs/methodology.md §20.3):
 * over the n spaces that have both a perception index and an incident
 * density (NaN where either is missing), each space's percentile rank of
 * insecurity (100 − index) and of incident density, mid-ranks for ties:
 * (rank − ½)/m over the m spaces that have both. divergence = rank of
 * insecurity − rank of incidents, in −1..1; NaN where a value is missing or
 * fewer than 3 spaces have both (ranks of one or two spaces say nothing).
 * The arrays are n long. */
int ag_perception_divergence(const double *index, const double *density, size_t n,
                             double *rank_fear, double *rank_incidents, double *divergence,
                             struct ag_error *err);
/* |divergence| at or above this marks a space where the two disagree. */
#define AG_PERCEPTION_DIVERGENT 0.5

/* The questions of a survey: the standard ones (data/survey-questions.csv:
 * id,kind,text,low,high) and the city's own. A scale question is answered
 * 1..5 (1 = low, the least safe; 5 = high, the safest); a choice question by
 * any number of its options (the rows of kind "option" that follow it in
 * the file). Standard scale questions make the perception index; the
 * city's own questions are reported but never enter the index, so that
 * indices stay comparable between spaces and cities. */
enum ag_sq_kind { AG_SQ_SCALE, AG_SQ_CHOICE };

struct ag_survey_option {
    char id[32];
    char *text;
};

struct ag_survey_question {
    char id[32];
    enum ag_sq_kind kind;
    char *text;
    char *low, *high;             /* scale: the texts of answers 1 and 5; choice: NULL */
    struct ag_survey_option *opt; /* choice: its options */
    size_t nopt;
    bool own; /* the city's own (in the language it was written in, not translated) */
};

/* The standard questions from DIR/survey-questions.csv (dir NULL: the data
 * directory). Errors name the file and line. */
int ag_survey_questions_load(const char *dir, struct ag_survey_question **out, size_t *n,
                             struct ag_error *err);
void ag_survey_questions_free(struct ag_survey_question *q, size_t n);

/* Limits on a city's own questions. */
#define AG_SURVEY_OWN_MAX 10     /* questions */
#define AG_SURVEY_OWN_TEXT 300   /* bytes of a question */
#define AG_SURVEY_OWN_END 80     /* bytes of a scale's end */
#define AG_SURVEY_OWN_OPTIONS 12 /* options of a choice question (at least 2) */
#define AG_SURVEY_OWN_OPTION 120 /* bytes of an option */

/* Checks a city's own questions, JSON text:
 *   [{"kind": "scale", "text": "...", "low": "...", "high": "..."},
 *    {"kind": "choice", "text": "...", "options": ["...", "..."]}]
 * and writes it back to canon (appended) in that same form, nothing else
 * kept. Errors name the question (1-based) and field. */
int ag_survey_own_check(const char *json, struct ag_buf *canon, struct ag_error *err);

/* A survey's whole form: a copy of the standard questions std[0..nstd)
 * followed by the city's own (own_json as checked above; NULL or "[]" for
 * none), with ids own1, own2, ... and option ids 1, 2, ... in order. */
int ag_survey_form(const struct ag_survey_question *std, size_t nstd, const char *own_json,
                   struct ag_survey_question **out, size_t *n, struct ag_error *err);

/* Checks one respondent's answers, JSON text {"question id": answer, ...}:
 * a scale answer is an integer 1..5, a choice answer an array of distinct
 * option ids (possibly empty); unknown questions are refused, unanswered
 * ones allowed, but not all of them. The canonical JSON (questions in form
 * order) is appended to out. */
int ag_survey_answers_check(const struct ag_survey_question *q, size_t nq, const char *json,
                            struct ag_buf *out, struct ag_error *err);

/* Reads survey responses from CSV (a header of question ids, one row per
 * respondent; a scale answer 1..5, a choice answer option ids separated by
 * ";", or empty). Checked whole: any error names the line and column, and
 * nothing is returned. out: a malloc'd array of n canonical answers JSON
 * (free each, then the array). Rows with no answer at all are no response:
 * *empty (when not NULL) counts them. */
int ag_survey_csv_read(const char *text, size_t len, const char *name,
                       const struct ag_survey_question *q, size_t nq, char ***out, size_t *n,
                       size_t *empty, struct ag_error *err);

/* What a survey's responses add up to. */
struct ag_survey_tally {
    size_t responses;
    struct ag_perception index; /* from the standard scale questions */
    size_t nq;
    struct ag_survey_count {
        size_t n;         /* respondents who answered */
        size_t count[64]; /* scale: count[1..5]; choice: count[option] */
        double mean;      /* scale: the mean answer; NaN without answers */
    } * q;
};

/* Tallies rows[0..n) (answers JSON as stored; answers to questions not in
 * the form are ignored) at confidence conf. */
int ag_survey_tally(const struct ag_survey_question *q, size_t nq, const char *const *rows,
                    size_t n, double conf, struct ag_survey_tally *out, struct ag_error *err);
void ag_survey_tally_free(struct ag_survey_tally *t);

/* The tally as JSON, appended to b:
 * {"responses", "respondents", "index", "lo", "hi", "questions": [{"id",
 *  "kind", "own", "text", "n", "mean", "counts": [...]}]} (index null
 * without respondents); texts translated with tr unless own. */
int ag_survey_tally_json(const struct ag_survey_question *q, size_t nq,
                         const struct ag_survey_tally *t, const struct ag_catalog *tr,
                         struct ag_buf *b);

/* The same for a stored survey: its form from the standard questions and
 * its own (ag_store_survey_questions), and the tally of its responses. */
struct ag_store;
int ag_survey_form_load(struct ag_store *s, int64_t survey_id, const struct ag_survey_question *std,
                        size_t nstd, struct ag_survey_question **out, size_t *n,
                        struct ag_error *err);
int ag_survey_tally_load(struct ag_store *s, int64_t survey_id, const struct ag_survey_question *q,
                         size_t nq, double conf, struct ag_survey_tally *out, struct ag_error *err);

#ifdef __cplusplus
}
#endif
#endif
