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
#include <time.h>
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
    "  create SPACE --title TEXT   a survey of SPACE (an id or an OSM reference)\n"
    "  import ID FILE.csv          responses from another survey tool: a header of\n"
    "                              question ids, one row per respondent, answers 1-5\n"
    "                              or empty; the whole file is checked first\n"
    "  results ID [--json]         respondents, the perception index, each question\n"
    "  list                        the surveys of the city\n"
    "\n"
    "Options: --db PATH, --city NAME.\n";

static int parse_id(const char *s, int64_t *id)
{
    char *end;
    long long v = strtoll(s, &end, 10);
    if (*end || end == s || v < 1)
        return tool_usage("survey: \"%s\" is not a survey id (agora survey list)", s);
    *id = v;
    return 0;
}

static int create(int argc, char **argv)
{
    const char *db = NULL, *city = NULL, *title = NULL;
    const struct cli_opt opts[] = {{"--db", &db, NULL},
                                   {"--city", &city, NULL},
                                   {"--title", &title, NULL},
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
    int rc = tool_open_city(db, city, 0, &s, &c, &err);
    if (!rc)
        rc = ag_store_space_get(s, c.id, pos[0], &sp, &err);
    if (!rc) {
        sv.city_id = c.id;
        sv.space_id = sp.id;
        snprintf(sv.title, sizeof sv.title, "%s", title);
        ag_token_new(sv.token);
        const char *u = getenv("USER");
        snprintf(sv.created_by, sizeof sv.created_by, "cli:%s", u && *u ? u : "unknown");
        rc = ag_store_survey_add(s, &sv, &err);
    }
    if (!rc)
        printf("Survey %lld of %s: the public form is /survey/%s on the web application\n",
               (long long)sv.id, sp.name ? sp.name : pos[0], sv.token);
    ag_space_free(&sp);
    ag_store_close(s);
    return rc ? tool_fail(&err) : EXIT_OK;
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
    size_t nq = 0, n = 0;
    char **rows = NULL;
    struct ag_buf b;
    ag_buf_init(&b, (size_t)64 << 20);
    struct ag_store *s = NULL;
    struct ag_city c;
    struct ag_survey sv;
    int rc = ag_survey_questions_load(NULL, &q, &nq, &err);
    if (!rc)
        rc = ag_file_read(pos[1], &b, &err);
    if (!rc)
        rc = ag_survey_csv_read(b.data, b.len, pos[1], q, nq, &rows, &n, &err);
    if (!rc)
        rc = tool_open_city(db, city, 0, &s, &c, &err);
    if (!rc)
        rc = ag_store_survey_get(s, id, NULL, &sv, &err);
    if (!rc && sv.city_id != c.id)
        rc = ag_error_set(&err, AG_ENOTFOUND, "survey %lld: not a survey of %s", (long long)id,
                          c.name);
    if (!rc) {
        char day[16];
        time_t t = time(NULL);
        struct tm tm;
        gmtime_r(&t, &tm);
        strftime(day, sizeof day, "%Y-%m-%d", &tm);
        rc = ag_store_survey_respond(s, id, day, "import", (const char *const *)rows, n, &err);
    }
    if (!rc)
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
    struct ag_city c;
    struct ag_survey sv;
    struct ag_vec v;
    ag_vec_init(&v, sizeof(char *));
    int rc = ag_survey_questions_load(NULL, &q, &nq, &err);
    if (!rc)
        rc = tool_open_city(db, city, AG_STORE_READONLY, &s, &c, &err);
    if (!rc)
        rc = ag_store_survey_get(s, id, NULL, &sv, &err);
    if (!rc)
        rc = ag_store_survey_responses(s, id, &v, &err);
    double *idx = rc ? NULL : calloc(v.len + 1, sizeof *idx);
    double *sum = rc ? NULL : calloc(nq, sizeof *sum);
    size_t *cnt = rc ? NULL : calloc(nq, sizeof *cnt);
    int *ans = rc ? NULL : calloc(nq, sizeof *ans);
    if (!rc && (!idx || !sum || !cnt || !ans))
        rc = ag_error_set(&err, AG_ENOMEM, "out of memory");
    for (size_t i = 0; !rc && i < v.len; i++) {
        json_t *o = json_loads(AG_VEC_AT(&v, char *, i), 0, NULL);
        for (size_t k = 0; k < nq; k++) {
            json_t *x = json_object_get(o, q[k].id);
            ans[k] = json_is_integer(x) ? (int)json_integer_value(x) : 0;
            if (ans[k] >= 1 && ans[k] <= 5) {
                sum[k] += ans[k];
                cnt[k]++;
            }
        }
        json_decref(o);
        idx[i] = ag_perception_respondent(ans, nq);
    }
    struct ag_perception p = {0};
    if (!rc)
        rc = ag_perception_index(idx, v.len, 0.95, &p, &err);
    if (!rc && json) {
        printf("{\"survey\":%lld,\"space\":%lld,\"responses\":%zu,\"respondents\":%zu,\"index\":",
               (long long)sv.id, (long long)sv.space_id, v.len, p.n);
        p.n ? printf("%.4f", p.index) : printf("null");
        printf(",\"lo\":%.4f,\"hi\":%.4f,\"questions\":[", p.lo, p.hi);
        for (size_t k = 0; k < nq; k++) {
            printf("%s{\"id\":\"%s\",\"n\":%zu,\"mean\":", k ? "," : "", q[k].id, cnt[k]);
            cnt[k] ? printf("%.4f}", sum[k] / (double)cnt[k]) : printf("null}");
        }
        printf("]}\n");
    } else if (!rc) {
        printf("Survey %lld: %s (%lld responses)\n", (long long)sv.id, sv.title,
               (long long)sv.responses);
        if (p.n)
            printf("Perception index %.1f (95 %% confidence %.1f to %.1f) from %zu respondents;\n"
                   "0 is the least safe, 100 the safest\n",
                   p.index, p.lo, p.hi, p.n);
        else
            printf("No answer yet.\n");
        for (size_t k = 0; k < nq; k++)
            if (cnt[k])
                printf("  %-12s mean %.2f of 5 (%zu answers)  %s\n", q[k].id,
                       sum[k] / (double)cnt[k], cnt[k], q[k].text);
    }
    for (size_t i = 0; i < v.len; i++)
        free(AG_VEC_AT(&v, char *, i));
    ag_vec_free(&v);
    free(idx);
    free(sum);
    free(cnt);
    free(ans);
    ag_survey_questions_free(q, nq);
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
        printf("%-4lld space %-6lld %6lld responses  %s  %s\n", (long long)sv->id,
               (long long)sv->space_id, (long long)sv->responses, sv->created_at, sv->title);
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
    return tool_usage("survey: unknown command \"%s\" (create, import, results, list)", argv[1]);
}
