/* agora indicators: the urban indicators (definitions), a city's yearly
 * values imported from CSV, and what the city has entered.
 * SPDX-License-Identifier: EUPL-1.2 */
#include "cli.h"

#include "agora/indicators.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char HELP[] =
    "Usage: agora indicators COMMAND [OPTIONS]\n"
    "\n"
    "Urban indicators a city compares with the other cities of its partnerships:\n"
    "the six dimensions of the Urban Agenda self-assessment framework and the\n"
    "inclusion of migrants and refugees (data/indicators.csv; the sources in\n"
    "data/INDICATOR-SOURCES.md; docs/methodology.md §21). Each value is the city's\n"
    "own, for one year; a value is shown to the other cities only when it is\n"
    "marked visible.\n"
    "\n"
    "Commands:\n"
    "  list                        the indicators: id, dimension, unit, which way\n"
    "                              is better, name\n"
    "  import FILE.csv             the city's values: a header naming the columns\n"
    "                              indicator,year,value and optionally visible\n"
    "                              (yes/no, default no) and note; one value per\n"
    "                              line, a decimal point (12.5). The whole file is\n"
    "                              checked first: a bad line is named with its\n"
    "                              field and nothing is stored. A value given\n"
    "                              again for the same year replaces the old one\n"
    "  show [--json]               the city's values, hidden ones included\n"
    "\n"
    "Options: --db PATH, --city NAME.\n";

static int list(int argc, char **argv)
{
    const struct cli_opt opts[] = {{NULL, NULL, NULL}};
    const char *pos[1];
    int npos, code;
    if (tool_parse(argc, argv, opts, pos, 0, &npos, HELP, &code))
        return code;
    struct ag_error err = {0};
    struct ag_indicator *ind = NULL;
    size_t n = 0;
    int rc = ag_indicators_load(NULL, &ind, &n, &err);
    const char *dim = "";
    for (size_t i = 0; !rc && i < n; i++) {
        if (strcmp(dim, ind[i].dimension))
            printf("%s%s\n", i ? "\n" : "", (dim = ind[i].dimension));
        printf("  %-24s %-11s %-6s  %s\n", ind[i].id, ind[i].unit,
               ind[i].higher_better ? "higher" : "lower", ind[i].name);
    }
    free(ind);
    return rc ? tool_fail(&err) : EXIT_OK;
}

static int import(int argc, char **argv)
{
    const char *db = NULL, *city = NULL;
    const struct cli_opt opts[] = {
        {"--db", &db, NULL}, {"--city", &city, NULL}, {NULL, NULL, NULL}};
    const char *pos[1];
    int npos, code;
    if (tool_parse(argc, argv, opts, pos, 1, &npos, HELP, &code))
        return code;
    if (npos != 1)
        return tool_usage("indicators import: which file? (agora indicators import FILE.csv)");
    struct ag_error err = {0};
    struct ag_indicator *ind = NULL;
    size_t n = 0;
    struct ag_buf b;
    ag_buf_init(&b, (size_t)16 << 20);
    struct ag_vec v;
    ag_vec_init(&v, sizeof(struct ag_ivalue));
    struct ag_store *s = NULL;
    struct ag_city c;
    /* the file is read and checked whole before the database is opened */
    int rc = ag_indicators_load(NULL, &ind, &n, &err);
    if (!rc)
        rc = ag_file_read(pos[0], &b, &err);
    if (!rc)
        rc = ag_indicator_csv_read(b.data, b.len, pos[0], ind, n, &v, &err);
    if (!rc)
        rc = tool_open_city(db, city, 0, &s, &c, &err);
    char who[80];
    const char *u = getenv("USER");
    snprintf(who, sizeof who, "cli:%s", u && *u ? u : "unknown");
    if (!rc)
        rc = ag_store_ivalues_put(s, c.id, (const struct ag_ivalue *)v.data, v.len, who, &err);
    if (!rc) {
        size_t visible = 0;
        for (size_t i = 0; i < v.len; i++)
            visible += AG_VEC_AT(&v, struct ag_ivalue, i).visible;
        printf("%zu values imported for %s (%zu visible to the other cities of its "
               "partnerships)\n",
               v.len, c.name, visible);
    }
    ag_vec_free(&v);
    ag_buf_free(&b);
    free(ind);
    ag_store_close(s);
    return rc ? tool_fail(&err) : EXIT_OK;
}

static int show(int argc, char **argv)
{
    const char *db = NULL, *city = NULL;
    bool json = false;
    const struct cli_opt opts[] = {
        {"--db", &db, NULL}, {"--city", &city, NULL}, {"--json", NULL, &json}, {NULL, NULL, NULL}};
    const char *pos[1];
    int npos, code;
    if (tool_parse(argc, argv, opts, pos, 0, &npos, HELP, &code))
        return code;
    struct ag_error err = {0};
    struct ag_indicator *ind = NULL;
    size_t n = 0;
    struct ag_vec v;
    ag_vec_init(&v, sizeof(struct ag_ivalue));
    struct ag_store *s = NULL;
    struct ag_city c;
    int rc = ag_indicators_load(NULL, &ind, &n, &err);
    if (!rc)
        rc = tool_open_city(db, city, AG_STORE_READONLY, &s, &c, &err);
    if (!rc)
        rc = ag_store_ivalues(s, c.id, &v, &err);
    if (!rc && json) {
        struct ag_buf b;
        ag_buf_init(&b, (size_t)64 << 20);
        rc = ag_buf_printf(&b, "{\"city\":%lld,\"name\":", (long long)c.id);
        if (!rc)
            rc = ag_buf_put_json_str(&b, c.name);
        if (!rc)
            rc = ag_buf_puts(&b, ",\"values\":[");
        for (size_t i = 0; !rc && i < v.len; i++) {
            const struct ag_ivalue *x = &AG_VEC_AT(&v, struct ag_ivalue, i);
            char num[64];
            ag_format_fixed(num, sizeof num, x->value, 6);
            rc = ag_buf_printf(&b,
                               "%s{\"indicator\":\"%s\",\"year\":%d,\"value\":%s,\"visible\":%s,"
                               "\"note\":",
                               i ? "," : "", x->indicator, x->year, num,
                               x->visible ? "true" : "false");
            if (!rc)
                rc = ag_buf_put_json_str(&b, x->note);
            if (!rc)
                rc = ag_buf_puts(&b, "}");
        }
        if (!rc)
            rc = ag_buf_puts(&b, "]}");
        if (rc)
            ag_error_set(&err, rc, "out of memory");
        else
            printf("%s\n", b.data);
        ag_buf_free(&b);
    } else if (!rc && !v.len) {
        printf("No value yet for %s: agora indicators import FILE.csv\n", c.name);
    } else if (!rc) {
        printf("Indicators of %s (* visible to the other cities of its partnerships)\n", c.name);
        const char *last = "";
        for (size_t i = 0; i < v.len; i++) {
            const struct ag_ivalue *x = &AG_VEC_AT(&v, struct ag_ivalue, i);
            const struct ag_indicator *d = ag_indicator_find(ind, n, x->indicator);
            if (strcmp(last, x->indicator))
                printf("%s  [%s]\n", d ? d->name : x->indicator, (last = x->indicator));
            char num[64];
            ag_format_fixed(num, sizeof num, x->value, 2);
            printf("    %d  %12s %-11s %s%s%s\n", x->year, num, d ? d->unit : "",
                   x->visible ? "*" : " ", *x->note ? "  " : "", x->note);
        }
    }
    ag_vec_free(&v);
    free(ind);
    ag_store_close(s);
    return rc ? tool_fail(&err) : EXIT_OK;
}

int cmd_indicators(int argc, char **argv)
{
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        fputs(HELP, argc < 2 ? stderr : stdout);
        return argc < 2 ? EXIT_USAGE : EXIT_OK;
    }
    if (!strcmp(argv[1], "list"))
        return list(argc - 1, argv + 1);
    if (!strcmp(argv[1], "import"))
        return import(argc - 1, argv + 1);
    if (!strcmp(argv[1], "show"))
        return show(argc - 1, argv + 1);
    return tool_usage("indicators: unknown command \"%s\" (list, import, show)", argv[1]);
}
