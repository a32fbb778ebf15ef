/* agora — training: the e-learning lessons of data/training/ (format in
 * docs/internals/training.md), their exercises and how answers are scored.
 * SPDX-License-Identifier: EUPL-1.2 */
#ifndef AGORA_TRAINING_H
#define AGORA_TRAINING_H

#include "agora/base.h"

#ifdef __cplusplus
extern "C" {
#endif

#define AG_TRAINING_LANGS 5 /* en fr de it nl, in ag_i18n_langs order */
#define AG_EXERCISE_MAX_OPTIONS 8

enum ag_exercise_kind {
    AG_EX_CHOICE,   /* one right option */
    AG_EX_MULTIPLE, /* one or more right options */
    AG_EX_ORDER,    /* the options are given in the right order */
    AG_EX_SCENARIO, /* a situation, then one right option */
};

enum ag_lesson_kind { AG_LESSON_LESSON, AG_LESSON_SELF_EVALUATION, AG_LESSON_PRACTICAL };

struct ag_exercise {
    char id[64];
    enum ag_exercise_kind kind;
    char *question;
    char *option[AG_EXERCISE_MAX_OPTIONS];
    bool correct[AG_EXERCISE_MAX_OPTIONS];
    size_t noptions;
    char *explanation; /* NULL when none */
};

struct ag_lesson {
    char id[32], module[8];
    char *module_title, *title;
    enum ag_lesson_kind kind;
    int minutes;
    char lang[4];
    char *body; /* Markdown, without the exercise blocks */
    struct ag_exercise *exercises;
    size_t nexercises;
};

/* Parses one lesson file (text of len bytes; name for messages, e.g. its
 * path). Errors name the file, the line and what was expected. */
int ag_lesson_parse(const char *text, size_t len, const char *name, struct ag_lesson *out,
                    struct ag_error *err);
void ag_lesson_free(struct ag_lesson *l);

struct ag_module {
    char id[8];
    int order;
    double pass_percent;
};

struct ag_training {
    struct ag_module *modules;
    size_t nmodules;
    /* lessons[i * AG_TRAINING_LANGS + lang]: lesson i in each language,
     * ordered by module then file order */
    struct ag_lesson *lessons;
    size_t nlessons;
};

/* Loads data/training (dir NULL: agora's data directory): modules.csv and
 * every lesson in every language, and checks that the five languages agree
 * (same lessons, kinds, exercises, options and right answers). */
int ag_training_load(const char *dir, struct ag_training **out, struct ag_error *err);
void ag_training_free(struct ag_training *t);
/* Lesson i in language lang ("en".."nl"); NULL when out of range. */
const struct ag_lesson *ag_training_lesson(const struct ag_training *t, size_t i, const char *lang);
/* The index of a lesson or exercise id, or -1; *lesson gets the lesson of an
 * exercise. */
long ag_training_find_lesson(const struct ag_training *t, const char *id);
const struct ag_exercise *ag_training_find_exercise(const struct ag_training *t, const char *id,
                                                    size_t *lesson);
const struct ag_module *ag_training_module(const struct ag_training *t, const char *id);

/* Scores an answer to an exercise, from 0 to 1 (docs/methodology.md §20):
 * choice, scenario: 1 when the one chosen option (answer[0]) is the right
 * one; multiple: the options chosen (answer[0..n)) score (right chosen −
 * wrong chosen) / right options, at least 0; order: answer is the order
 * the learner gave (option indices, first to last) and scores the share of
 * the n−1 neighbouring pairs that are in the right relative order. An answer naming an option
 * that does not exist, twice the same option, or (order) not every option
 * once is AG_EINVAL. */
int ag_exercise_score(const struct ag_exercise *e, const int *answer, size_t n, double *score,
                      struct ag_error *err);

/* ---- progress (lib/training/progress.c) ---- */

struct ag_training_rec; /* agora/store.h */

struct ag_module_progress {
    const struct ag_module *module;
    size_t lessons, lessons_done; /* a lesson is done when each exercise has an answer
                                     (a practical one: when its assessment was scored) */
    bool has_self_eval, has_practical;
    double self_eval_percent; /* mean score of the self-evaluation's exercises × 100 (an
                                 unanswered one counts 0); -1 when not begun */
    double practical_percent; /* -1 when not done */
    bool passed; /* self-evaluation and practical (where the module has them) at least
                    pass_percent */
};

/* The progress in each module (out: t->nmodules entries, module order)
 * from a learner's records (agora/store.h ag_store_training_progress);
 * *all_passed tells whether a certificate is due. */
int ag_training_progress(const struct ag_training *t, const struct ag_training_rec *recs,
                         size_t n, struct ag_module_progress *out, bool *all_passed);

/* Scores a practical assessment against the reference answers (an answers
 * file, JSON: {"answers": [{"question", "answer"}]}): each reference
 * question scores 1 when the learner's level is the reference's, 0.5 when
 * one level off, else 0 (unanswered: 0); *score is the mean, 0..1. levels
 * and qids: the learner's answers. points (optional, one per reference
 * question, in its order) and nref receive the detail. */
int ag_practical_score(const char *reference, size_t len, const char *const *qids,
                       const int *levels, size_t n, double *score, double *points, size_t *nref,
                       struct ag_error *err);

#ifdef __cplusplus
}
#endif
#endif
