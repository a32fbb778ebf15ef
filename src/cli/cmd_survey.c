/* agora survey: perception surveys of a space (create, import responses
 * from another survey tool, results with the perception index).
 * SPDX-License-Identifier: EUPL-1.2 */
#include "cli.h"

#include "agora/auth.h"
#include "agora/survey.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char HELP[] =
    "Usage: agora survey COMMAND [OPTIONS]\n"
    "\n"
    "Perception surveys: how safe people feel in a public space, by day and after\n"
    "dark (data/survey-questions.csv), summed up as a perception index from 0 (least\n"
    "safe) to 100 with its 95 % confidence interval (docs/methodology.md §20).\n"
    "Responses are anonymous: agora keeps the answers and the day, nothing else.\n"
    "\n"
    "Commands:\n"
    "  create SPACE --title TEXT [--questions FILE.json]\n"
    "                              a survey of SPACE (an id or an OSM reference); the\n"
    "                              city's own questions besides the standard ones:\n"
    "                              [{\"kind\": \"scale\", \"text\", \"low\", \"high\"},\n"
    "                               {\"kind\": \"choice\", \"text\", \"options\": [...]}]\n"
    "                              (shown as written; not in the perception index)\n"
    "  import ID FILE.csv          responses from another survey tool: a header of\n"
    "                              question ids, one row per respondent, answers 1-5,\n"
    "                              option ids separated by ';', or empty; the whole\n"
    "                              file is checked first\n"
    "  results ID [--json]         respondents, the perception index, each question\n"
    "  close ID, reopen ID         stop or resume taking answers on the public form\n"
    "  list                        the surveys of the city\n"
    "\n"
    "Options: --db PATH, --city NAME.\n";

static int parse_id(const char *s, int64_t *id)
{
    return tool_id(s, "survey", "a survey id", "agora survey list", id);
}

static int create(int argc, char **argv)
{
    const char *db = NULL, *city = NULL, *title = NULL, *questions = NULL;
    const struct cli_opt opts[] = {{"--db", &db, NULL},
                                   {"--city", &city, NULL},
                                   {"--title", &title, NULL},
                                   {"--questions", &questions, NULL},
                                   {NULL, NULL, NULL}};
    const char *pos[1];
    int npos, code;
    if (tool_parse(argc, argv, opts, pos, 1, &npos, HELP, &code))
        return code;
    if (npos != 1)
        return tool_usage("survey create: which space? (agora survey create SPACE --title T)");
    if (!title || !*title || strlen(title) > 200 || !ag_text_ok(title))
        return tool_usage("survey create: --title: expected a title of at most 200 bytes");
    struct ag_error err = {0};
    struct ag_store *s = NULL;
    struct ag_city c;
    struct ag_space sp = {0};
    struct ag_survey sv = {0};
    struct ag_buf own, canon;
    ag_buf_init(&own, (size_t)1 << 20);
    ag_buf_init(&canon, (size_t)1 << 20);
    int rc = 0;
    if (questions) {
        rc = ag_file_read(questions, &own, &err);
        if (!rc && (rc = ag_survey_own_check(own.data ? own.data : "", &canon, &err)))
            ag_error_prefix(&err, "%s: ", questions);
    }
    if (!rc)
        rc = tool_open_city(db, city, 0, &s, &c, &err);
    if (!rc)
        rc = ag_store_space_get(s, c.id, pos[0], &sp, &err);
    if (!rc) {
        sv.city_id = c.id;
        sv.space_id = sp.id;
        snprintf(sv.title, sizeof sv.title, "%s", title);
        ag_token_new(sv.token);
        const char *u = getenv("USER");
        snprintf(sv.created_by, sizeof sv.created_by, "cli:%s", u && *u ? u : "unknown");
        rc = ag_store_survey_add(s, &sv, questions ? canon.data : NULL, &err);
    }
    if (!rc)
        printf("Survey %lld of %s: the public form is /#/survey/%s on the web application\n",
               (long long)sv.id, sp.name ? sp.name : pos[0], sv.token);
    ag_buf_free(&own);
    ag_buf_free(&canon);
    ag_space_free(&sp);
    ag_store_close(s);
    return rc ? tool_fail(&err) : EXIT_OK;
}

/* Opens the city's store and the survey ID of that city, with its form. */
static int open_survey(const char *db, const char *city, int flags, int64_t id, struct ag_store **s,
                       struct ag_survey *sv, struct ag_survey_question **q, size_t *nq,
                       struct ag_error *err)
{
    struct ag_city c;
    struct ag_survey_question *std = NULL;
    size_t nstd = 0;
    int rc = ag_survey_questions_load(NULL, &std, &nstd, err);
    if (!rc)
        rc = tool_open_city(db, city, flags, s, &c, err);
    if (!rc)
        rc = ag_store_survey_get(*s, id, NULL, sv, err);
    if (!rc && sv->city_id != c.id)
        rc = ag_error_set(err, AG_ENOTFOUND, "survey %lld: not a survey of %s", (long long)id,
                          c.name);
    if (!rc && q)
        rc = ag_survey_form_load(*s, id, std, nstd, q, nq, err);
    ag_survey_questions_free(std, nstd);
    return rc;
}

static int import(int argc, char **argv)
{
    const char *db = NULL, *city = NULL;
    const struct cli_opt opts[] = {
        {"--db", &db, NULL}, {"--city", &city, NULL}, {NULL, NULL, NULL}};
    const char *pos[2];
    int npos, code;
    if (tool_parse(argc, argv, opts, pos, 2, &npos, HELP, &code))
        return code;
    if (npos != 2)
        return tool_usage("survey import: expected ID FILE.csv");
    int64_t id = 0;
    if ((code = parse_id(pos[0], &id)))
        return code;
    struct ag_error err = {0};
    struct ag_survey_question *q = NULL;
    size_t nq = 0, n = 0, empty = 0;
    char **rows = NULL;
    struct ag_buf b;
    ag_buf_init(&b, (size_t)64 << 20);
    struct ag_store *s = NULL;
    struct ag_survey sv;
    int rc = open_survey(db, city, 0, id, &s, &sv, &q, &nq, &err);
    if (!rc)
        rc = ag_file_read(pos[1], &b, &err);
    if (!rc)
        rc = ag_survey_csv_read(b.data, b.len, pos[1], q, nq, &rows, &n, &empty, &err);
    if (!rc)
        rc = ag_store_survey_respond(s, id, "import", (const char *const *)rows, n, &err);
    if (!rc && empty)
        printf("%zu responses imported into survey %lld (rows with no answer left out: %zu)\n", n,
               (long long)id, empty);
    else if (!rc)
        printf("%zu responses imported into survey %lld\n", n, (long long)id);
    for (size_t i = 0; i < n; i++)
        free(rows[i]);
    free(rows);
    ag_buf_free(&b);
    ag_survey_questions_free(q, nq);
    ag_store_close(s);
    return rc ? tool_fail(&err) : EXIT_OK;
}

static int results(int argc, char **argv)
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
        return tool_usage("survey results: which survey? (agora survey results ID)");
    int64_t id = 0;
    if ((code = parse_id(pos[0], &id)))
        return code;
    struct ag_error err = {0};
    struct ag_survey_question *q = NULL;
    size_t nq = 0;
    struct ag_store *s = NULL;
    struct ag_survey sv;
    struct ag_survey_tally t = {0};
    int rc = open_survey(db, city, AG_STORE_READONLY, id, &s, &sv, &q, &nq, &err);
    if (!rc)
        rc = ag_survey_tally_load(s, id, q, nq, 0.95, &t, &err);
    if (!rc && json) {
        struct ag_buf b;
        ag_buf_init(&b, (size_t)16 << 20);
        rc = ag_buf_printf(&b, "{\"survey\":%lld,\"space\":%lld,\"open\":%s,\"tally\":",
                           (long long)sv.id, (long long)sv.space_id, sv.open ? "true" : "false");
        if (!rc)
            rc = ag_survey_tally_json(q, nq, &t, NULL, &b);
        if (!rc)
            rc = ag_buf_puts(&b, "}");
        if (rc)
            ag_error_set(&err, rc, "out of memory");
        else
            printf("%s\n", b.data);
        ag_buf_free(&b);
    } else if (!rc) {
        printf("Survey %lld: %s (%zu responses; %s)\n", (long long)sv.id, sv.title, t.responses,
               sv.open ? "open" : "closed");
        if (t.index.n)
            printf("Perception index %.1f (95 %% confidence %.1f to %.1f) from %zu respondents;\n"
                   "0 is the least safe, 100 the safest\n",
                   t.index.index, t.index.lo, t.index.hi, t.index.n);
        else
            printf("No answer yet.\n");
        for (size_t k = 0; k < nq; k++) {
            const struct ag_survey_count *c = &t.q[k];
            if (!c->n)
                continue;
            if (q[k].kind == AG_SQ_SCALE) {
                printf("  %-12s mean %.2f of 5 (%zu answers)  %s%s\n", q[k].id, c->mean, c->n,
                       q[k].text, q[k].own ? "  [own]" : "");
                continue;
            }
            printf("  %-12s %zu answers  %s%s\n", q[k].id, c->n, q[k].text,
                   q[k].own ? "  [own]" : "");
            for (size_t j = 0; j < q[k].nopt; j++)
                printf("    %5zu  %5.1f %%  %s\n", c->count[j], 100.0 * c->count[j] / c->n,
                       q[k].opt[j].text);
        }
    }
    ag_survey_tally_free(&t);
    ag_survey_questions_free(q, nq);
    ag_store_close(s);
    return rc ? tool_fail(&err) : EXIT_OK;
}

static int set_open(int argc, char **argv, bool open)
{
    const char *db = NULL, *city = NULL;
    const struct cli_opt opts[] = {
        {"--db", &db, NULL}, {"--city", &city, NULL}, {NULL, NULL, NULL}};
    const char *pos[1];
    int npos, code;
    if (tool_parse(argc, argv, opts, pos, 1, &npos, HELP, &code))
        return code;
    if (npos != 1)
        return tool_usage("survey %s: which survey? (agora survey list)", argv[0]);
    int64_t id = 0;
    if ((code = parse_id(pos[0], &id)))
        return code;
    struct ag_error err = {0};
    struct ag_store *s = NULL;
    struct ag_survey sv;
    int rc = open_survey(db, city, 0, id, &s, &sv, NULL, NULL, &err);
    char who[80];
    const char *u = getenv("USER");
    snprintf(who, sizeof who, "cli:%s", u && *u ? u : "unknown");
    if (!rc)
        rc = ag_store_survey_set_open(s, id, open, who, &err);
    if (!rc)
        printf("Survey %lld is %s\n", (long long)id,
               open ? "open again: the public form takes answers"
                    : "closed: the public form takes no more answers");
    ag_store_close(s);
    return rc ? tool_fail(&err) : EXIT_OK;
}

static int list(int argc, char **argv)
{
    const char *db = NULL, *city = NULL;
    const struct cli_opt opts[] = {
        {"--db", &db, NULL}, {"--city", &city, NULL}, {NULL, NULL, NULL}};
    const char *pos[1];
    int npos, code;
    if (tool_parse(argc, argv, opts, pos, 0, &npos, HELP, &code))
        return code;
    struct ag_error err = {0};
    struct ag_store *s = NULL;
    struct ag_city c;
    struct ag_vec v;
    ag_vec_init(&v, sizeof(struct ag_survey));
    int rc = tool_open_city(db, city, AG_STORE_READONLY, &s, &c, &err);
    if (!rc)
        rc = ag_store_surveys(s, c.id, 0, &v, &err);
    if (!rc && !v.len)
        printf("No survey yet: agora survey create SPACE --title TEXT\n");
    for (size_t i = 0; !rc && i < v.len; i++) {
        const struct ag_survey *sv = &AG_VEC_AT(&v, struct ag_survey, i);
        printf("%-4lld space %-6lld %6lld responses  %-6s  %s  %s\n", (long long)sv->id,
               (long long)sv->space_id, (long long)sv->responses, sv->open ? "open" : "closed",
               sv->created_at, sv->title);
    }
    ag_vec_free(&v);
    ag_store_close(s);
    return rc ? tool_fail(&err) : EXIT_OK;
}

int cmd_survey(int argc, char **argv)
{
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        fputs(HELP, argc < 2 ? stderr : stdout);
        return argc < 2 ? EXIT_USAGE : EXIT_OK;
    }
    if (!strcmp(argv[1], "create"))
        return create(argc - 1, argv + 1);
    if (!strcmp(argv[1], "import"))
        return import(argc - 1, argv + 1);
    if (!strcmp(argv[1], "results"))
        return results(argc - 1, argv + 1);
    if (!strcmp(argv[1], "list"))
        return list(argc - 1, argv + 1);
    if (!strcmp(argv[1], "close") || !strcmp(argv[1], "reopen"))
        return set_open(argc - 1, argv + 1, argv[1][0] == 'r');
    return tool_usage("survey: unknown command \"%s\" (create, import, results, close, reopen, "
                      "list)",
                      argv[1]);
}
