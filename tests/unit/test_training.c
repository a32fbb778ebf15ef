/* Training lessons: the parser of data/training/ files (format in
 * docs/internals/training.md, whose example is parsed here), the loader's
 * agreement check across languages, and the scoring rules against hand
 * computed scores. SPDX-License-Identifier: EUPL-1.2 */
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

#include "agora/store.h"
#include "agora/training.h"

static const char LESSON[] =
    "---\n"
    "id: m1-01\n"
    "module: m1\n"
    "module_title: A helicopter view of crime and threats in public space\n"
    "title: Routine activity theory\n"
    "kind: lesson\n"
    "minutes: 15\n"
    "---\n"
    "Markdown text: paragraphs, `## headings` (levels 2 and 3), `- lists`,\n"
    "`1. numbered lists`, **bold**, *italic*, [links](https://…), and `> quotes`.\n"
    "No raw HTML, no images, no tables.\n"
    "\n"
    "::: choice m1-01-q1\n"
    "What three elements does routine activity theory say must meet for a crime?\n"
    "- [ ] A poor neighbourhood, a young offender and darkness\n"
    "- [x] A likely offender, a suitable target and the absence of a capable guardian\n"
    "- [ ] A weapon, a motive and an opportunity\n"
    "> Cohen and Felson (1979): crime happens when the three meet in time and space.\n"
    ":::\n"
    "\n"
    "::: multiple m1-01-q2\n"
    "Which of these are capable guardians? (several answers)\n"
    "- [x] A shop owner watching the street\n"
    "- [x] A passer-by\n"
    "- [ ] A dark alley\n"
    "> Guardians are people (or their presence) who discourage an offence by being there.\n"
    ":::\n"
    "\n"
    "::: order m1-01-q3\n"
    "Put the steps of a vulnerability assessment in order.\n"
    "1. Describe the space and its existing measures\n"
    "2. Build one scenario per threat\n"
    "3. Rate likelihood, vulnerability and consequence\n"
    "4. Choose measures within the budget\n"
    "> The order of the EU guidance, as agora follows it.\n"
    ":::\n"
    "\n"
    "::: scenario m1-01-q4\n"
    "A market is held every Saturday on a square that cars can reach from three\n"
    "streets. What is the first thing to find out?\n"
    "- [ ] How many stalls there are\n"
    "- [x] Which approaches a vehicle could take, and at what speed\n"
    "- [ ] The colour of the barriers\n"
    "> A short scenario question: one answer is right, the explanation says why.\n"
    ":::\n"
    "\n";

static void test_the_documented_example_parses(void **state)
{
    (void)state;
    struct ag_lesson l;
    struct ag_error err = {0};
    int rc = ag_lesson_parse(LESSON, strlen(LESSON), "example.md", &l, &err);
    if (rc)
        fail_msg("%s", err.msg);
    assert_string_equal(l.id, "m1-01");
    assert_string_equal(l.module, "m1");
    assert_string_equal(l.title, "Routine activity theory");
    assert_int_equal(l.kind, AG_LESSON_LESSON);
    assert_int_equal(l.minutes, 15);
    assert_non_null(strstr(l.body, "Markdown text"));
    assert_null(strstr(l.body, ":::"));
    assert_int_equal(l.nexercises, 4);
    const struct ag_exercise *e = l.exercises;
    assert_int_equal(e[0].kind, AG_EX_CHOICE);
    assert_string_equal(e[0].id, "m1-01-q1");
    assert_int_equal(e[0].noptions, 3);
    assert_false(e[0].correct[0]);
    assert_true(e[0].correct[1]);
    assert_non_null(strstr(e[0].explanation, "Cohen and Felson"));
    assert_int_equal(e[1].kind, AG_EX_MULTIPLE);
    assert_true(e[1].correct[0] && e[1].correct[1] && !e[1].correct[2]);
    assert_int_equal(e[2].kind, AG_EX_ORDER);
    assert_int_equal(e[2].noptions, 4);
    assert_string_equal(e[2].option[0], "Describe the space and its existing measures");
    assert_int_equal(e[3].kind, AG_EX_SCENARIO);
    assert_non_null(strstr(e[3].question, "three\nstreets"));
    ag_lesson_free(&l);
}

static double score(const struct ag_exercise *e, const int *a, size_t n)
{
    double s = -1;
    struct ag_error err = {0};
    assert_int_equal(ag_exercise_score(e, a, n, &s, &err), 0);
    return s;
}

static void test_scores_match_hand_computed_values(void **state)
{
    (void)state;
    struct ag_lesson l;
    struct ag_error err = {0};
    assert_int_equal(ag_lesson_parse(LESSON, strlen(LESSON), "example.md", &l, &err), 0);
    const struct ag_exercise *e = l.exercises;
    /* choice: the one right option */
    assert_true(score(&e[0], (int[]){1}, 1) == 1);
    assert_true(score(&e[0], (int[]){0}, 1) == 0);
    /* multiple, right = {0, 1}: (hits - misses) / 2, at least 0 */
    assert_true(score(&e[1], (int[]){0}, 1) == 0.5);
    assert_true(score(&e[1], (int[]){1, 0}, 2) == 1);
    assert_true(score(&e[1], (int[]){0, 2}, 2) == 0);
    assert_true(score(&e[1], (int[]){0, 1, 2}, 3) == 0.5);
    assert_true(score(&e[1], (int[]){2}, 1) == 0);
    /* order of 4: neighbouring pairs in the right relative order, of 3 */
    assert_true(score(&e[2], (int[]){0, 1, 2, 3}, 4) == 1);
    assert_true(score(&e[2], (int[]){3, 2, 1, 0}, 4) == 0);
    assert_true(score(&e[2], (int[]){0, 2, 1, 3}, 4) == 2.0 / 3);
    assert_true(score(&e[2], (int[]){1, 0, 2, 3}, 4) == 2.0 / 3);
    /* malformed answers */
    double s;
    assert_int_equal(ag_exercise_score(&e[2], (int[]){0, 1, 2}, 3, &s, &err), AG_EINVAL);
    assert_int_equal(ag_exercise_score(&e[2], (int[]){0, 1, 1, 3}, 4, &s, &err), AG_EINVAL);
    assert_non_null(strstr(err.msg, "twice"));
    assert_int_equal(ag_exercise_score(&e[0], (int[]){7}, 1, &s, &err), AG_EINVAL);
    assert_int_equal(ag_exercise_score(&e[0], (int[]){0, 1}, 2, &s, &err), AG_EINVAL);
    assert_int_equal(ag_exercise_score(&e[3], (int[]){-1}, 1, &s, &err), AG_EINVAL);
    ag_lesson_free(&l);
}

/* The lesson with `from` replaced by `to` (first occurrence) must fail with
 * a message containing `want`. */
static void bad(const char *from, const char *to, const char *want)
{
    const char *at = strstr(LESSON, from);
    assert_non_null(at);
    char text[8192];
    snprintf(text, sizeof text, "%.*s%s%s", (int)(at - LESSON), LESSON, to, at + strlen(from));
    struct ag_lesson l;
    struct ag_error err = {0};
    int rc = ag_lesson_parse(text, strlen(text), "bad.md", &l, &err);
    if (rc != AG_EPARSE)
        fail_msg("\"%s\" -> \"%s\": rc %d (%s), expected a parse error", from, to, rc, err.msg);
    if (!strstr(err.msg, want))
        fail_msg("\"%s\": message \"%s\" lacks \"%s\"", from, err.msg, want);
}

static void test_bad_lessons_are_refused_naming_file_and_line(void **state)
{
    (void)state;
    bad("---\nid", "id", "bad.md:1: expected the front matter");
    bad("minutes: 15", "minutes: many", "bad.md:7: minutes");
    bad("minutes: 15\n", "", "lacks minutes");
    bad("kind: lesson", "kind: lecture", "bad.md:6: kind");
    bad("kind: lesson", "colour: blue", "unknown key");
    bad("- [ ] A poor neighbourhood", "- [x] A poor neighbourhood", "exactly one [x]");
    bad("2. Build one", "3. Build one", "expected option 2");
    bad("- [ ] A dark alley", "1. A dark alley", "options are");
    bad("::: choice m1-01-q1", "::: quiz m1-01-q1", "expected choice, multiple");
    bad("::: choice m1-01-q1", "::: choice m2-01-q1", "start with the lesson id");
    bad("::: multiple m1-01-q2", "::: multiple m1-01-q1", "used twice");
    bad("> The order", "More text\n> The order", "only \"> explanation\"");
    bad("> Guardians are people (or their presence) who discourage an offence by being there.\n:::",
        "> Guardians", "bad.md:27: nothing may follow the explanation");
    bad("kind: lesson", "kind: practical", "a practical lesson has no exercises");
    bad("Routine activity theory", "Routine\x01 activity", "control characters");
}

static char dir[64];

static void write_file(const char *rel, const char *text)
{
    char p[256];
    snprintf(p, sizeof p, "%s/%s", dir, rel);
    FILE *f = fopen(p, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void test_the_five_languages_must_agree(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/agora-train-XXXXXX");
    assert_non_null(mkdtemp(dir));
    char p[256];
    snprintf(p, sizeof p, "%s/training/m1", dir);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "mkdir -p %s", p);
    assert_int_equal(system(cmd), 0);
    write_file("training/modules.csv", "id,order,pass_percent\nm1,1,70\n");
    static const char *const langs[] = {"en", "fr", "de", "it", "nl"};
    for (int k = 0; k < 5; k++) {
        char rel[64];
        snprintf(rel, sizeof rel, "training/m1/01-rat.%s.md", langs[k]);
        write_file(rel, LESSON);
    }
    struct ag_training *t = NULL;
    struct ag_error err = {0};
    int rc = ag_training_load(dir, &t, &err);
    if (rc)
        fail_msg("%s", err.msg);
    assert_int_equal(t->nlessons, 1);
    assert_string_equal(ag_training_lesson(t, 0, "it")->lang, "it");
    size_t li = 9;
    assert_non_null(ag_training_find_exercise(t, "m1-01-q3", &li));
    assert_int_equal(li, 0);
    assert_null(ag_training_find_exercise(t, "m1-01-q9", NULL));
    assert_true(ag_training_module(t, "m1")->pass_percent == 70);
    ag_training_free(t);

    /* the Dutch lesson marks another answer right */
    const char *at = strstr(LESSON, "- [ ] A poor");
    char text[8192];
    snprintf(text, sizeof text, "%.*s- [x] A poor%s", (int)(at - LESSON), LESSON, at + 12);
    char *x = strstr(text, "- [x] A likely");
    memcpy(x, "- [ ]", 5);
    write_file("training/m1/01-rat.nl.md", text);
    assert_int_equal(ag_training_load(dir, &t, &err), AG_EPARSE);
    assert_non_null(strstr(err.msg, "01-rat.nl.md"));
    assert_non_null(strstr(err.msg, "m1-01-q1"));
    /* a missing translation */
    snprintf(p, sizeof p, "%s/training/m1/01-rat.nl.md", dir);
    unlink(p);
    assert_int_equal(ag_training_load(dir, &t, &err), AG_ENOENT);
    assert_non_null(strstr(err.msg, "01-rat.nl.md: missing"));
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

static void test_practical_scores_full_half_or_nothing(void **state)
{
    (void)state;
    static const char REF[] = "{\"answers\": [{\"question\": \"a\", \"answer\": 2},"
                              " {\"question\": \"b\", \"answer\": 4},"
                              " {\"question\": \"c\", \"answer\": 1},"
                              " {\"question\": \"d\", \"answer\": 5}]}";
    const char *q[] = {"a", "b", "c", "x"};
    int lv[] = {2, 3, 3, 5};
    double s = -1, pts[4];
    size_t nref = 0;
    struct ag_error err = {0};
    assert_int_equal(ag_practical_score(REF, strlen(REF), q, lv, 4, &s, pts, &nref, &err), 0);
    /* a: same 1; b: one off 0.5; c: two off 0; d: unanswered 0 -> 1.5 / 4 */
    assert_int_equal(nref, 4);
    assert_true(pts[0] == 1 && pts[1] == 0.5 && pts[2] == 0 && pts[3] == 0);
    assert_true(s == 1.5 / 4);
    assert_int_equal(ag_practical_score("{\"answers\": []}", 15, q, lv, 4, &s, NULL, NULL, &err),
                     AG_EPARSE);
    assert_int_equal(ag_practical_score("{", 1, q, lv, 4, &s, NULL, NULL, &err), AG_EPARSE);
    assert_non_null(strstr(err.msg, "line 1"));
}

static void test_progress_passes_a_module_on_its_self_evaluation(void **state)
{
    (void)state;
    /* one module m1: the example lesson (4 exercises) and a self-evaluation
     * made of the same text with kind self-evaluation and id m1-99 */
    struct ag_training t = {0};
    struct ag_module mod = {"m1", 1, 70};
    t.modules = &mod;
    t.nmodules = 1;
    struct ag_lesson ls[2 * AG_TRAINING_LANGS];
    memset(ls, 0, sizeof ls);
    struct ag_error err = {0};
    assert_int_equal(ag_lesson_parse(LESSON, strlen(LESSON), "a.md", &ls[0], &err), 0);
    char self[8192];
    snprintf(self, sizeof self, "%s", LESSON);
    for (char *p = self; (p = strstr(p, "m1-01")); p += 5)
        memcpy(p, "m1-99", 5);
    char *k = strstr(self, "kind: lesson");
    memmove(k + 21, k + 12, strlen(k + 12) + 1);
    memcpy(k, "kind: self-evaluation", 21);
    if (ag_lesson_parse(self, strlen(self), "b.md", &ls[AG_TRAINING_LANGS], &err))
        fail_msg("%s", err.msg);
    t.lessons = ls;
    t.nlessons = 2;
    struct ag_training_rec recs[8];
    memset(recs, 0, sizeof recs);
    const char *items[] = {"m1-01-q1", "m1-01-q2", "m1-01-q3", "m1-01-q4",
                           "m1-99-q1", "m1-99-q2", "m1-99-q3"};
    const double scores[] = {1, 1, 1, 1, 1, 0.5, 1};
    for (int i = 0; i < 7; i++) {
        snprintf(recs[i].item, sizeof recs[i].item, "%s", items[i]);
        recs[i].score = scores[i];
    }
    struct ag_module_progress p;
    bool all;
    /* self-evaluation 2.5 of 4 = 62.5 % < 70: not passed */
    assert_int_equal(ag_training_progress(&t, recs, 7, &p, &all), 0);
    assert_int_equal(p.lessons, 2);
    assert_int_equal(p.lessons_done, 1);
    assert_true(p.has_self_eval && !p.has_practical);
    assert_true(fabs(p.self_eval_percent - 62.5) < 1e-12);
    assert_false(p.passed);
    assert_false(all);
    /* the fourth answer: 3.5 / 4 = 87.5 % */
    snprintf(recs[7].item, sizeof recs[7].item, "m1-99-q4");
    recs[7].score = 1;
    assert_int_equal(ag_training_progress(&t, recs, 8, &p, &all), 0);
    assert_int_equal(p.lessons_done, 2);
    assert_true(fabs(p.self_eval_percent - 87.5) < 1e-12);
    assert_true(p.passed && all);
    ag_lesson_free(&ls[0]);
    ag_lesson_free(&ls[AG_TRAINING_LANGS]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_the_documented_example_parses),
        cmocka_unit_test(test_scores_match_hand_computed_values),
        cmocka_unit_test(test_bad_lessons_are_refused_naming_file_and_line),
        cmocka_unit_test(test_the_five_languages_must_agree),
        cmocka_unit_test(test_practical_scores_full_half_or_nothing),
        cmocka_unit_test(test_progress_passes_a_module_on_its_self_evaluation),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
