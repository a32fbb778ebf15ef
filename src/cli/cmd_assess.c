/* agora assess and agora plan: the vulnerability assessment of a space
 * (docs/methodology.md §18). SPDX-License-Identifier: EUPL-1.2 */
#include "assess_cli.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char HELP[] =
    "Usage: agora assess COMMAND [OPTIONS]\n"
    "\n"
    "The vulnerability assessment of a public space: one scenario per threat, a\n"
    "checklist of questions answered by the city team (some answered by agora's\n"
    "own analyses), the risk of each scenario and a protection plan.\n"
    "\n"
    "Commands:\n"
    "  new SPACE              start an assessment of SPACE (an id or an OSM reference\n"
    "                         like way/4227203); a space assessed before gets its next\n"
    "                         version, starting from the answers of the last one\n"
    "  list                   every assessment of the city\n"
    "  questions              the checklist: question ids, questions and answers\n"
    "  answer ID --file F     apply an answers file (JSON, see the README)\n"
    "  answer ID              answer question by question on a terminal\n"
    "  show ID [--json]       the answers, context and measures of an assessment\n"
    "  score ID [--json]      the risk of each scenario\n"
    "  diff A B [--json]      what changed between two assessments\n"
    "  log ID                 every change made to an assessment\n"
    "\n"
    "  agora plan ID --budget EUR [--json]   the protection plan within a budget\n"
    "\n"
    "Options: --db PATH, --city NAME; agora assess COMMAND --help for more.\n";

static const char HELP_NEW[] =
    "Usage: agora assess new SPACE [--assessor NAME] [--db PATH] [--city NAME]\n"
    "\n"
    "Creates an assessment of SPACE, dated now. The first assessment of a space is\n"
    "version 1; a later one is the next version and starts from the answers,\n"
    "context and measures of the latest, so that a review changes only what\n"
    "changed. Questions agora can answer from its analyses are filled in and\n"
    "marked as computed, with the evidence: the vehicle approach speeds stored by\n"
    "agora vehicle, the crowd capacity of the space against the crowd expected.\n";

static const char HELP_ANSWER[] =
    "Usage: agora assess answer ID [--file FILE] [--who NAME] [--db PATH]\n"
    "\n"
    "With --file: applies an answers file (JSON). The whole file is checked first;\n"
    "on any error nothing is stored and the message names the item. Format:\n"
    "  {\"assessor\": \"name\", \"sharing\": \"TLP:AMBER\",\n"
    "   \"context\": {\"threat\": {\"vehicle_ramming\": 4}, \"symbolic\": 5,\n"
    "               \"crowd\": 4, \"media\": 4, \"critical\": 3, \"people\": 3000},\n"
    "   \"answers\": [{\"question\": \"site.lighting\", \"answer\": 2,\n"
    "                \"reason\": \"optional; required to override a computed answer\"}],\n"
    "   \"measures\": {\"existing\": [\"cctv\"], \"excluded\": [\"total_traffic_exclusion\"]}}\n"
    "Answers go from 1 (very high vulnerability) to 5 (very low); null clears one.\n"
    "\n"
    "Without --file: asks each question in turn on the terminal (the standard\n"
    "input): type 1 to 5, Enter to keep the current answer, s to skip, q to stop\n"
    "and save what was answered.\n";

static const char HELP_SCORE[] =
    "Usage: agora assess score ID [--json] [--db PATH]\n"
    "\n"
    "The risk of every scenario: likelihood L (threat level x attractiveness),\n"
    "vulnerability V (the weighted answers), consequence C (severity x people\n"
    "exposed and critical functions), R = 100 L V C with its range, and the cell\n"
    "of the 5 x 5 matrix (likelihood of success L V, impact C).\n";

static const char HELP_DIFF[] =
    "Usage: agora assess diff A B [--json] [--db PATH]\n"
    "\n"
    "What changed from assessment A to assessment B (usually two versions of one\n"
    "space's assessment): answers, context, measures in place, and the risk of\n"
    "every scenario.\n";

static const char HELP_PLAN[] =
    "Usage: agora plan ID --budget EUR [--json] [--db PATH]\n"
    "\n"
    "The protection plan: measures of data/measures.csv not yet in place, ranked by\n"
    "risk removed per euro (mid-point of each measure's cost range), taken while\n"
    "they fit the budget; then the residual risk of each scenario, and the\n"
    "measures that did not fit.\n";

/* ---- shared ---- */

void acli_close(struct acli *x)
{
    ag_assessment_free(x->a);
    ag_assessment_rec_free(&x->rec);
    ag_catalogue_free(x->cat);
    ag_space_free(&x->space);
    ag_store_close(x->store);
    memset(x, 0, sizeof *x);
}

int acli_id(const char *s, int64_t *out)
{
    return tool_id(s, "assess", "an assessment id", "a number, see agora assess list", out);
}

int acli_open(struct acli *x, const char *db, const char *city, bool write, int64_t id,
              struct ag_error *err)
{
    memset(x, 0, sizeof *x);
    int rc = tool_open_city(db, city, write ? 0 : AG_STORE_READONLY, &x->store, &x->city, err);
    if (!rc)
        rc = ag_catalogue_load(NULL, &x->cat, err);
    if (rc || !id)
        return rc;
    rc = ag_store_assessment_get(x->store, id, &x->rec, err);
    if (!rc)
        rc = acli_load_doc(x->cat, &x->rec, &x->a, err);
    if (!rc)
        rc = acli_space(x, x->rec.space_id, &x->space, err);
    return rc;
}

int acli_space(const struct acli *x, int64_t id, struct ag_space *out, struct ag_error *err)
{
    char ref[32];
    snprintf(ref, sizeof ref, "%lld", (long long)id);
    return ag_store_space_get(x->store, x->city.id, ref, out, err);
}

int acli_load_doc(const struct ag_catalogue *cat, const struct ag_assessment_rec *rec,
                  struct ag_assessment **out, struct ag_error *err)
{
    size_t skipped = 0;
    int rc = ag_assessment_from_rec(cat, rec, out, &skipped, err);
    if (!rc && skipped)
        fprintf(stderr,
                "agora: note: assessment %lld refers to %zu question(s), scenario(s) or "
                "measure(s) no longer in the catalogues; they are ignored\n",
                (long long)rec->id, skipped);
    return rc;
}

const char *acli_space_name(const struct ag_space *sp)
{
    return sp->name && *sp->name ? sp->name : "unnamed space";
}

/* Saves x->a over x->rec with a log line. */
static int save(struct acli *x, const char *who, const char *what, struct ag_error *err)
{
    /* against the revision read: a change made in between (in the web
     * application) is refused, not overwritten */
    return ag_assessment_save(x->store, x->cat, x->a, &x->rec, x->rec.rev, who, what, err);
}

static const char *who_default(const char *opt)
{
    if (opt && *opt)
        return opt;
    const char *u = getenv("USER");
    return u && *u ? u : "cli";
}

/* ---- new ---- */

static int assess_new(int argc, char **argv)
{
    const char *db = NULL, *city = NULL, *assessor = NULL;
    const struct cli_opt opts[] = {{"--db", &db, NULL},
                                   {"--city", &city, NULL},
                                   {"--assessor", &assessor, NULL},
                                   {NULL, NULL, NULL}};
    const char *pos[1];
    int npos, code;
    if (tool_parse(argc, argv, opts, pos, 1, &npos, HELP_NEW, &code))
        return code;
    if (npos != 1)
        return tool_usage("assess new: which space? (agora assess new SPACE; see agora spaces "
                          "list)");
    if (assessor && (strlen(assessor) > 200 || !ag_text_ok(assessor)))
        return tool_usage("assess new: --assessor: expected a name of at most 200 bytes");
    struct ag_error err = {0};
    struct acli x;
    int rc = acli_open(&x, db, city, true, 0, &err);
    if (!rc)
        rc = ag_store_space_get(x.store, x.city.id, pos[0], &x.space, &err);
    bool has_prev = false;
    char now[32];
    ag_assess_now(now);
    if (!rc)
        rc = ag_assessment_start(x.store, &x.city, &x.space, x.cat, assessor, who_default(assessor),
                                 &x.rec, &x.a, &has_prev, &err);
    if (!rc) {
        printf("Assessment %lld: %s (space %lld), version %d%s, %s\n", (long long)x.rec.id,
               acli_space_name(&x.space), (long long)x.space.id, x.rec.version,
               has_prev ? ", starting from the previous version's answers" : "", now);
        for (size_t q = 0; q < x.cat->nquestions; q++) {
            const struct ag_answer *an = &x.a->answers[q];
            if (x.cat->questions[q].evidence == AG_EVIDENCE_NONE)
                continue;
            if (an->computed_level)
                printf("  computed %s = %d: %s\n", x.cat->questions[q].id, an->computed_level,
                       an->summary ? an->summary : "");
            else
                printf("  not computed %s: %s\n", x.cat->questions[q].id,
                       an->summary ? an->summary : "no evidence");
        }
        size_t answered = 0;
        for (size_t q = 0; q < x.cat->nquestions; q++)
            answered += x.a->answers[q].level > 0;
        printf("  %zu of %zu questions answered; next: agora assess answer %lld --file "
               "answers.json\n",
               answered, x.cat->nquestions, (long long)x.rec.id);
    }
    acli_close(&x);
    return rc ? tool_fail(&err) : EXIT_OK;
}

/* ---- list ---- */

static int assess_list(int argc, char **argv)
{
    const char *db = NULL, *city = NULL;
    const struct cli_opt opts[] = {
        {"--db", &db, NULL}, {"--city", &city, NULL}, {NULL, NULL, NULL}};
    const char *pos[1];
    int npos, code;
    if (tool_parse(argc, argv, opts, pos, 0, &npos, HELP, &code))
        return code;
    struct ag_error err = {0};
    struct acli x;
    struct ag_vec v;
    ag_vec_init(&v, sizeof(struct ag_assessment_rec));
    int rc = acli_open(&x, db, city, false, 0, &err);
    if (!rc)
        rc = ag_store_assessments(x.store, x.city.id, &v, &err);
    if (!rc && v.len == 0)
        printf("No assessment yet: start one with agora assess new SPACE.\n");
    else if (!rc)
        printf("%-5s %-32s %7s  %-20s  %-20s  %s\n", "id", "space", "version", "created", "updated",
               "sharing");
    for (size_t i = 0; !rc && i < v.len; i++) {
        struct ag_assessment_rec *r = &AG_VEC_AT(&v, struct ag_assessment_rec, i);
        struct ag_space sp = {0};
        rc = acli_space(&x, r->space_id, &sp, &err);
        if (!rc)
            printf("%-5lld %-32.32s %7d  %-20s  %-20s  %s\n", (long long)r->id,
                   acli_space_name(&sp), r->version, r->created_at, r->updated_at, r->sharing);
        ag_space_free(&sp);
    }
    for (size_t i = 0; i < v.len; i++)
        ag_assessment_rec_free(&AG_VEC_AT(&v, struct ag_assessment_rec, i));
    ag_vec_free(&v);
    acli_close(&x);
    return rc ? tool_fail(&err) : EXIT_OK;
}

/* ---- questions ---- */

static int assess_questions(int argc, char **argv)
{
    const struct cli_opt opts[] = {{NULL, NULL, NULL}};
    const char *pos[1];
    int npos, code;
    if (tool_parse(argc, argv, opts, pos, 0, &npos, HELP, &code))
        return code;
    struct ag_error err = {0};
    struct ag_catalogue *cat = NULL;
    int rc = ag_catalogue_load(NULL, &cat, &err);
    if (rc)
        return tool_fail(&err);
    for (size_t ar = 0; ar < cat->nareas; ar++) {
        printf("%s\n", cat->areas[ar].name);
        for (size_t q = 0; q < cat->nquestions; q++) {
            const struct ag_question *qq = &cat->questions[q];
            if (qq->area != ar)
                continue;
            printf("  %s%s\n    %s\n", qq->id,
                   qq->evidence ? "  (computed by agora when it can)" : "", qq->text);
            for (int k = 0; k < AG_LEVELS; k++)
                printf("      %d  %s\n", k + 1, qq->answer[k]);
        }
    }
    ag_catalogue_free(cat);
    return EXIT_OK;
}

/* ---- answer ---- */

/* One question on the terminal: returns the level (1..5), 0 to keep, -1
 * to skip, -2 to quit. */
static int ask(const struct ag_catalogue *cat, size_t q, const struct ag_answer *cur, size_t i,
               size_t n)
{
    const struct ag_question *qq = &cat->questions[q];
    printf("\n[%zu/%zu] %s — %s\n%s\n  Why it matters: %s\n", i, n, cat->areas[qq->area].name,
           qq->id, qq->text, qq->why);
    for (int k = 0; k < AG_LEVELS; k++)
        printf("  %d%s %s\n", k + 1, cur->level == k + 1 ? "*" : " ", qq->answer[k]);
    if (cur->computed_level)
        printf("  agora computed %d: %s\n", cur->computed_level, cur->summary ? cur->summary : "");
    for (;;) {
        printf("Answer 1-5, Enter to keep%s, s to skip, q to stop: ",
               cur->level ? "" : " unanswered");
        fflush(stdout);
        char line[64];
        if (!fgets(line, sizeof line, stdin))
            return -2;
        char *p = line;
        while (*p == ' ' || *p == '\t')
            p++;
        if (*p == '\n' || *p == '\0')
            return 0;
        if (*p == 'q' || *p == 'Q')
            return -2;
        if (*p == 's' || *p == 'S')
            return -1;
        if (*p >= '1' && *p <= '5' && (p[1] == '\n' || p[1] == '\0' || p[1] == ' '))
            return *p - '0';
        printf("  (expected a number from 1 to 5, s or q)\n");
    }
}

static int read_line(const char *prompt, char *buf, size_t cap)
{
    printf("%s", prompt);
    fflush(stdout);
    if (!fgets(buf, (int)cap, stdin))
        return -1;
    buf[strcspn(buf, "\r\n")] = '\0';
    return 0;
}

static int answer_interactive(struct acli *x, const char *who, struct ag_error *err)
{
    char now[32];
    ag_assess_now(now);
    size_t changed = 0, n = x->cat->nquestions;
    printf("Assessment %lld of %s, version %d: %zu questions.\n", (long long)x->rec.id,
           acli_space_name(&x->space), x->rec.version, n);
    for (size_t q = 0; q < n; q++) {
        struct ag_answer *cur = &x->a->answers[q];
        int r = ask(x->cat, q, cur, q + 1, n);
        if (r == -2)
            break;
        if (r <= 0 || r == cur->level)
            continue;
        char reason[2001] = "";
        if (cur->computed_level && r != cur->computed_level) {
            if (read_line("  This overrides agora's computed answer: your reason? ", reason,
                          sizeof reason) ||
                !*reason) {
                printf("  (no reason given: the computed answer stays)\n");
                continue;
            }
            if (!ag_text_ok(reason)) {
                printf("  (the reason must be plain text: the computed answer stays)\n");
                continue;
            }
        }
        char *rs = *reason ? ag_strdup(reason) : NULL;
        free(cur->reason);
        cur->reason = rs;
        cur->level = r;
        cur->source = cur->computed_level
                          ? (r == cur->computed_level ? AG_ANSWER_COMPUTED : AG_ANSWER_OVERRIDE)
                          : AG_ANSWER_ASSESSOR;
        snprintf(cur->at, sizeof cur->at, "%s", now);
        changed++;
    }
    if (!changed) {
        printf("\nNothing changed.\n");
        return 0;
    }
    char what[96];
    snprintf(what, sizeof what, "answered %zu question(s) on the terminal", changed);
    int rc = save(x, who, what, err);
    if (!rc)
        printf("\nSaved %zu answer(s) to assessment %lld.\n", changed, (long long)x->rec.id);
    return rc;
}

static int assess_answer(int argc, char **argv)
{
    const char *db = NULL, *city = NULL, *file = NULL, *who = NULL;
    const struct cli_opt opts[] = {{"--db", &db, NULL},
                                   {"--city", &city, NULL},
                                   {"--file", &file, NULL},
                                   {"--who", &who, NULL},
                                   {NULL, NULL, NULL}};
    const char *pos[1];
    int npos, code;
    if (tool_parse(argc, argv, opts, pos, 1, &npos, HELP_ANSWER, &code))
        return code;
    if (npos != 1)
        return tool_usage("assess answer: which assessment? (agora assess answer ID --file F)");
    int64_t id = 0;
    if ((code = acli_id(pos[0], &id)))
        return code;
    struct ag_error err = {0};
    struct ag_buf b;
    ag_buf_init(&b, (size_t)4 << 20);
    int rc = 0;
    /* the file is read and checked before the database is opened for
     * writing: a bad file changes nothing */
    if (file)
        rc = ag_file_read(file, &b, &err);
    struct acli x;
    memset(&x, 0, sizeof x);
    /* read-only until the file has been checked: a refused file leaves
     * the database byte for byte as it was */
    if (!rc)
        rc = acli_open(&x, db, city, !file, id, &err);
    if (!rc && file) {
        char now[32];
        ag_assess_now(now);
        size_t changed = 0;
        double people = x.a->ctx.people;
        rc = ag_assessment_apply(x.cat, x.a, b.data, b.len, file, now, &changed, &err);
        /* the crowd evidence compares the capacity with the people
         * expected: a new number of people recomputes it */
        if (!rc && changed && x.a->ctx.people != people)
            rc = ag_assess_evidence(x.store, &x.city, &x.space, x.cat, x.a, now, &err);
        if (!rc && changed) {
            ag_store_close(x.store);
            x.store = NULL;
            rc = tool_open_city(db, city, 0, &x.store, &x.city, &err);
        }
        if (!rc && changed) {
            char what[300];
            snprintf(what, sizeof what, "answers file %.200s: %zu change(s)", file, changed);
            rc = save(&x, who_default(who), what, &err);
        }
        if (!rc)
            printf("%s: %zu change(s) to assessment %lld (%s, version %d)\n", file, changed,
                   (long long)id, acli_space_name(&x.space), x.rec.version);
    } else if (!rc) {
        if (!isatty(STDIN_FILENO) && !getenv("AGORA_INTERACTIVE"))
            rc = ag_error_set(&err, AG_EINVAL,
                              "assess answer: no --file, and the standard input is not a "
                              "terminal: give the answers with --file FILE");
        else
            rc = answer_interactive(&x, who_default(who), &err);
    }
    ag_buf_free(&b);
    acli_close(&x);
    return rc ? tool_fail(&err) : EXIT_OK;
}

/* ---- show ---- */

static int assess_show(int argc, char **argv)
{
    const char *db = NULL, *city = NULL;
    bool json = false;
    const struct cli_opt opts[] = {
        {"--db", &db, NULL}, {"--city", &city, NULL}, {"--json", NULL, &json}, {NULL, NULL, NULL}};
    const char *pos[1];
    int npos, code;
    if (tool_parse(argc, argv, opts, pos, 1, &npos, HELP, &code))
        return code;
    if (npos != 1)
        return tool_usage("assess show: which assessment? (agora assess show ID)");
    int64_t id = 0;
    if ((code = acli_id(pos[0], &id)))
        return code;
    struct ag_error err = {0};
    struct acli x;
    int rc = acli_open(&x, db, city, false, id, &err);
    if (!rc && json) {
        /* the stored document, with who, what and when around it */
        printf("{\"id\":%lld,\"space\":%lld,\"version\":%d,\"based_on\":%lld,"
               "\"created_at\":\"%s\",\"updated_at\":\"%s\",\"sharing\":\"%s\",\"doc\":%s}\n",
               (long long)x.rec.id, (long long)x.rec.space_id, x.rec.version,
               (long long)x.rec.based_on, x.rec.created_at, x.rec.updated_at, x.rec.sharing,
               x.rec.doc);
    } else if (!rc) {
        printf("Assessment %lld: %s (space %lld), version %d, created %s, updated %s, %s\n",
               (long long)x.rec.id, acli_space_name(&x.space), (long long)x.space.id, x.rec.version,
               x.rec.created_at, x.rec.updated_at, x.rec.sharing);
        for (size_t q = 0; q < x.cat->nquestions; q++) {
            const struct ag_question *qq = &x.cat->questions[q];
            const struct ag_answer *an = &x.a->answers[q];
            if (!an->level)
                printf("  %-36s -  (not answered)\n", qq->id);
            else if (an->source == AG_ANSWER_OVERRIDE)
                printf("  %-36s %d  %s  [overrides agora's %d: %s]\n", qq->id, an->level,
                       qq->answer[an->level - 1], an->computed_level, an->reason ? an->reason : "");
            else
                printf("  %-36s %d  %s%s\n", qq->id, an->level, qq->answer[an->level - 1],
                       an->source == AG_ANSWER_COMPUTED ? "  [computed]" : "");
        }
    }
    acli_close(&x);
    return rc ? tool_fail(&err) : EXIT_OK;
}

/* ---- log ---- */

static int assess_log(int argc, char **argv)
{
    const char *db = NULL, *city = NULL;
    const struct cli_opt opts[] = {
        {"--db", &db, NULL}, {"--city", &city, NULL}, {NULL, NULL, NULL}};
    const char *pos[1];
    int npos, code;
    if (tool_parse(argc, argv, opts, pos, 1, &npos, HELP, &code))
        return code;
    if (npos != 1)
        return tool_usage("assess log: which assessment? (agora assess log ID)");
    int64_t id = 0;
    if ((code = acli_id(pos[0], &id)))
        return code;
    struct ag_error err = {0};
    struct acli x;
    struct ag_buf b;
    ag_buf_init(&b, (size_t)16 << 20);
    int rc = acli_open(&x, db, city, false, id, &err);
    if (!rc)
        rc = ag_store_assessment_log(x.store, id, &b, &err);
    if (!rc)
        fputs(b.data ? b.data : "", stdout);
    ag_buf_free(&b);
    acli_close(&x);
    return rc ? tool_fail(&err) : EXIT_OK;
}

int cmd_assess(int argc, char **argv)
{
    if (argc < 2) {
        fputs(HELP, stderr);
        return EXIT_USAGE;
    }
    const char *sub = argv[1];
    if (!strcmp(sub, "--help") || !strcmp(sub, "-h")) {
        fputs(HELP, stdout);
        return EXIT_OK;
    }
    if (!strcmp(sub, "new"))
        return assess_new(argc - 1, argv + 1);
    if (!strcmp(sub, "list"))
        return assess_list(argc - 1, argv + 1);
    if (!strcmp(sub, "questions"))
        return assess_questions(argc - 1, argv + 1);
    if (!strcmp(sub, "answer"))
        return assess_answer(argc - 1, argv + 1);
    if (!strcmp(sub, "show"))
        return assess_show(argc - 1, argv + 1);
    if (!strcmp(sub, "score"))
        return assess_score(argc - 1, argv + 1, HELP_SCORE);
    if (!strcmp(sub, "diff"))
        return assess_diff(argc - 1, argv + 1, HELP_DIFF);
    if (!strcmp(sub, "log"))
        return assess_log(argc - 1, argv + 1);
    return tool_usage("assess: unknown command \"%s\" (see agora assess --help)", sub);
}

int cmd_plan(int argc, char **argv)
{
    return assess_plan(argc, argv, HELP_PLAN);
}
