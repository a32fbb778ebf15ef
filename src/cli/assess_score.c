/* agora assess score | diff, agora plan: numbers out of an assessment.
 * SPDX-License-Identifier: EUPL-1.2 */
#include "assess_cli.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int put_head(struct ag_buf *b, const struct acli *x)
{
    int rc = ag_buf_printf(b,
                           "\"assessment\":{\"id\":%lld,\"version\":%d,\"space\":{\"id\":%lld,"
                           "\"name\":",
                           (long long)x->rec.id, x->rec.version, (long long)x->space.id);
    if (!rc)
        rc = ag_buf_put_json_str(b, acli_space_name(&x->space));
    if (!rc)
        rc = ag_buf_printf(b, "},\"created_at\":\"%s\",\"updated_at\":\"%s\",\"sharing\":\"%s\"}",
                           x->rec.created_at, x->rec.updated_at, x->rec.sharing);
    return rc;
}

static int parse_one_id(int argc, char **argv, const char *help, const char *what, bool *json,
                        const char **db, const char **city, const char **budget, int64_t *id,
                        int64_t *id2)
{
    const struct cli_opt opts[] = {{"--db", db, NULL},
                                   {"--city", city, NULL},
                                   {"--json", NULL, json},
                                   {budget ? "--budget" : NULL, budget, NULL},
                                   {NULL, NULL, NULL}};
    const char *pos[2];
    int npos, code;
    if (tool_parse(argc, argv, opts, pos, id2 ? 2 : 1, &npos, help, &code))
        return code;
    if (npos != (id2 ? 2 : 1))
        return tool_usage("%s", what);
    if ((code = acli_id(pos[0], id)))
        return code;
    if (id2 && (code = acli_id(pos[1], id2)))
        return code;
    return -1;
}

int assess_score(int argc, char **argv, const char *help)
{
    const char *db = NULL, *city = NULL;
    bool json = false;
    int64_t id = 0;
    int code = parse_one_id(argc, argv, help,
                            "assess score: which assessment? (agora assess "
                            "score ID)",
                            &json, &db, &city, NULL, &id, NULL);
    if (code >= 0)
        return code;
    struct ag_error err = {0};
    struct acli x;
    int rc = acli_open(&x, db, city, false, id, &err);
    struct ag_scenario_risk *r = NULL;
    if (!rc) {
        r = calloc(x.cat->nscenarios, sizeof *r);
        if (!r)
            rc = ag_error_set(&err, AG_ENOMEM, "out of memory");
    }
    if (!rc) {
        ag_assess_score(x.cat, x.a, NULL, r);
        double total = ag_assess_total(x.cat, r);
        if (json) {
            struct ag_buf b;
            ag_buf_init(&b, (size_t)16 << 20);
            char t[40];
            ag_format_fixed(t, sizeof t, total, 4);
            int e = ag_buf_puts(&b, "{");
            if (!e)
                e = put_head(&b, &x);
            if (!e)
                e = ag_buf_printf(&b, ",\"total_risk\":%s,\"scenarios\":", t);
            if (!e)
                e = ag_assess_risk_json(x.cat, r, NULL, &b);
            if (!e)
                e = ag_buf_puts(&b, "}\n");
            if (e)
                rc = ag_error_set(&err, e, "out of memory");
            else
                fputs(b.data, stdout);
            ag_buf_free(&b);
        } else {
            size_t answered = 0;
            for (size_t q = 0; q < x.cat->nquestions; q++)
                answered += x.a->answers[q].level > 0;
            printf("Assessment %lld: %s, version %d (%s); %zu of %zu questions answered\n",
                   (long long)x.rec.id, acli_space_name(&x.space), x.rec.version, x.rec.updated_at,
                   answered, x.cat->nquestions);
            printf("%-4s %-34s %6s %6s %6s %6s %7s %-15s %s\n", "", "scenario", "threat", "L", "V",
                   "C", "risk", "range", "matrix L,I");
            for (size_t s = 0; s < x.cat->nscenarios; s++) {
                char range[40];
                snprintf(range, sizeof range, "%.1f–%.1f", r[s].risk.lo, r[s].risk.hi);
                printf("%-4s %-34.34s %6d %6.2f %6.2f %6.2f %7.1f %-17s %d,%d\n",
                       x.cat->scenarios[s].code, x.cat->scenarios[s].name, r[s].threat,
                       r[s].likelihood.value, r[s].vulnerability.value, r[s].consequence,
                       r[s].risk.value, range, r[s].row, r[s].col);
            }
            printf("Total risk %.1f (the sum over scenarios; each risk is 100·L·V·C, "
                   "docs/methodology.md §18)\n",
                   total);
        }
    }
    free(r);
    acli_close(&x);
    return rc ? tool_fail(&err) : EXIT_OK;
}

static const char *level_text(int level)
{
    static const char *const t[] = {"unanswered", "1 (very high)", "2 (high)",
                                    "3 (medium)", "4 (low)",       "5 (very low)"};
    return level >= 0 && level <= 5 ? t[level] : "?";
}

int assess_diff(int argc, char **argv, const char *help)
{
    const char *db = NULL, *city = NULL;
    bool json = false;
    int64_t ida = 0, idb = 0;
    int code = parse_one_id(argc, argv, help,
                            "assess diff: which two assessments? (agora "
                            "assess diff A B)",
                            &json, &db, &city, NULL, &ida, &idb);
    if (code >= 0)
        return code;
    struct ag_error err = {0};
    struct acli x, y;
    memset(&y, 0, sizeof y);
    int rc = acli_open(&x, db, city, false, ida, &err);
    if (!rc)
        rc = acli_open(&y, db, city, false, idb, &err);
    struct ag_scenario_risk *ra = NULL, *rb = NULL;
    if (!rc) {
        ra = calloc(x.cat->nscenarios, sizeof *ra);
        rb = calloc(x.cat->nscenarios, sizeof *rb);
        if (!ra || !rb)
            rc = ag_error_set(&err, AG_ENOMEM, "out of memory");
    }
    struct ag_buf b;
    ag_buf_init(&b, (size_t)16 << 20);
    if (!rc) {
        const struct ag_catalogue *cat = x.cat;
        ag_assess_score(cat, x.a, NULL, ra);
        ag_assess_score(cat, y.a, NULL, rb);
        int e = 0;
        size_t nchanges = 0;
        if (json) {
            e = ag_buf_printf(&b, "{\"a\":%lld,\"b\":%lld,\"answers\":[", (long long)ida,
                              (long long)idb);
        } else {
            printf("Assessment %lld (%s, version %d, %s) → %lld (%s, version %d, %s)\n",
                   (long long)ida, acli_space_name(&x.space), x.rec.version, x.rec.updated_at,
                   (long long)idb, acli_space_name(&y.space), y.rec.version, y.rec.updated_at);
            if (x.space.id != y.space.id)
                printf("note: the two assessments are of different spaces\n");
            printf("Answers:\n");
        }
        bool first = true;
        for (size_t q = 0; !e && q < cat->nquestions; q++) {
            const struct ag_answer *p = &x.a->answers[q], *n = &y.a->answers[q];
            if (p->level == n->level && p->source == n->source)
                continue;
            nchanges++;
            if (json) {
                e = ag_buf_printf(&b,
                                  "%s{\"question\":\"%s\",\"from\":%d,\"to\":%d,"
                                  "\"from_source\":\"%s\",\"to_source\":\"%s\"}",
                                  first ? "" : ",", cat->questions[q].id, p->level, n->level,
                                  ag_answer_source_name(p->source),
                                  ag_answer_source_name(n->source));
                first = false;
            } else
                printf("  %-34s %s → %s%s%s\n", cat->questions[q].id, level_text(p->level),
                       level_text(n->level), n->source == AG_ANSWER_COMPUTED ? " (computed)" : "",
                       n->source == AG_ANSWER_OVERRIDE ? " (override)" : "");
        }
        if (!json && !nchanges)
            printf("  none\n");
        if (!e && json)
            e = ag_buf_puts(&b, "],\"context\":[");
        else if (!json)
            printf("Context and measures:\n");
        first = true;
        size_t nctx = 0;
        struct {
            const char *name;
            double a, b;
        } ctx[] = {{"symbolic", x.a->ctx.symbolic, y.a->ctx.symbolic},
                   {"crowd", x.a->ctx.crowd, y.a->ctx.crowd},
                   {"media", x.a->ctx.media, y.a->ctx.media},
                   {"critical", x.a->ctx.critical, y.a->ctx.critical},
                   {"people", x.a->ctx.people, y.a->ctx.people}};
        for (size_t i = 0; !e && i < sizeof ctx / sizeof ctx[0]; i++) {
            if (ctx[i].a == ctx[i].b)
                continue;
            nctx++;
            if (json) {
                e = ag_buf_printf(&b, "%s{\"field\":\"%s\",\"from\":%g,\"to\":%g}",
                                  first ? "" : ",", ctx[i].name, ctx[i].a, ctx[i].b);
                first = false;
            } else
                printf("  %-34s %g → %g\n", ctx[i].name, ctx[i].a, ctx[i].b);
        }
        for (size_t s = 0; !e && s < cat->nscenarios; s++) {
            if (ra[s].threat == rb[s].threat)
                continue;
            nctx++;
            if (json) {
                e = ag_buf_printf(&b, "%s{\"field\":\"threat.%s\",\"from\":%d,\"to\":%d}",
                                  first ? "" : ",", cat->scenarios[s].id, ra[s].threat,
                                  rb[s].threat);
                first = false;
            } else
                printf("  threat %-27s %d → %d\n", cat->scenarios[s].id, ra[s].threat,
                       rb[s].threat);
        }
        if (!e && json)
            e = ag_buf_puts(&b, "],\"measures\":[");
        first = true;
        for (size_t m = 0; !e && m < cat->nmeasures; m++) {
            if (x.a->measures[m] == y.a->measures[m])
                continue;
            nctx++;
            if (json) {
                e = ag_buf_printf(&b, "%s{\"measure\":\"%s\",\"from\":\"%s\",\"to\":\"%s\"}",
                                  first ? "" : ",", cat->measures[m].id,
                                  ag_measure_status_name(x.a->measures[m]),
                                  ag_measure_status_name(y.a->measures[m]));
                first = false;
            } else
                printf("  measure %-26s %s → %s\n", cat->measures[m].id,
                       ag_measure_status_name(x.a->measures[m]),
                       ag_measure_status_name(y.a->measures[m]));
        }
        if (!json && !nctx)
            printf("  none\n");
        if (!e && json)
            e = ag_buf_puts(&b, "],\"risk\":[");
        else if (!json)
            printf("Risk:\n");
        for (size_t s = 0; !e && s < cat->nscenarios; s++) {
            if (json) {
                char fa[40], fb[40];
                ag_format_fixed(fa, sizeof fa, ra[s].risk.value, 4);
                ag_format_fixed(fb, sizeof fb, rb[s].risk.value, 4);
                e = ag_buf_printf(&b, "%s{\"scenario\":\"%s\",\"from\":%s,\"to\":%s}", s ? "," : "",
                                  cat->scenarios[s].id, fa, fb);
            } else if (fabs(ra[s].risk.value - rb[s].risk.value) >= 0.05)
                printf("  %-4s %-30.30s %6.1f → %6.1f (%+.1f)\n", cat->scenarios[s].code,
                       cat->scenarios[s].name, ra[s].risk.value, rb[s].risk.value,
                       rb[s].risk.value - ra[s].risk.value);
        }
        double ta = ag_assess_total(cat, ra), tb = ag_assess_total(cat, rb);
        if (!e && json) {
            char fa[40], fb[40];
            ag_format_fixed(fa, sizeof fa, ta, 4);
            ag_format_fixed(fb, sizeof fb, tb, 4);
            e = ag_buf_printf(&b, "],\"total\":{\"from\":%s,\"to\":%s}}\n", fa, fb);
        } else if (!json)
            printf("  total %.1f → %.1f (%+.1f)\n", ta, tb, tb - ta);
        if (e)
            rc = ag_error_set(&err, e, "out of memory");
        else if (json)
            fputs(b.data, stdout);
    }
    ag_buf_free(&b);
    free(ra);
    free(rb);
    acli_close(&y);
    acli_close(&x);
    return rc ? tool_fail(&err) : EXIT_OK;
}

int assess_plan(int argc, char **argv, const char *help)
{
    const char *db = NULL, *city = NULL, *budget_s = NULL;
    bool json = false;
    int64_t id = 0;
    int code = parse_one_id(argc, argv, help,
                            "plan: which assessment? (agora plan ID --budget "
                            "EUR)",
                            &json, &db, &city, &budget_s, &id, NULL);
    if (code >= 0)
        return code;
    double budget;
    if (!budget_s)
        return tool_usage("plan: --budget EUR is required (the money available, in euros)");
    if (!ag_parse_double(budget_s, &budget) || !(budget >= 0) || budget > 1e12)
        return tool_usage("plan: --budget \"%s\": expected an amount in euros, e.g. 250000",
                          budget_s);
    struct ag_error err = {0};
    struct acli x;
    struct ag_plan p;
    memset(&p, 0, sizeof p);
    int rc = acli_open(&x, db, city, false, id, &err);
    if (!rc)
        rc = ag_assess_plan(x.cat, x.a, budget, &p, &err);
    if (!rc && json) {
        struct ag_buf b;
        ag_buf_init(&b, (size_t)16 << 20);
        int e = ag_buf_puts(&b, "{");
        if (!e)
            e = put_head(&b, &x);
        if (!e)
            e = ag_buf_puts(&b, ",");
        if (!e)
            e = ag_assess_plan_json(x.cat, &p, NULL, &b);
        if (!e)
            e = ag_buf_puts(&b, "}\n");
        if (e)
            rc = ag_error_set(&err, e, "out of memory");
        else
            fputs(b.data, stdout);
        ag_buf_free(&b);
    } else if (!rc) {
        char n1[48], n2[48];
        printf("Protection plan for %s (assessment %lld, version %d), budget %s EUR\n",
               acli_space_name(&x.space), (long long)x.rec.id, x.rec.version,
               tool_num(n1, sizeof n1, budget, 0));
        if (!p.nsteps)
            printf("  no measure fits the budget\n");
        else
            printf("  %-3s %-40s %12s %9s %11s %12s %8s\n", "", "measure", "cost EUR", "risk -",
                   "per M EUR", "cumul. EUR", "total");
        for (size_t i = 0; i < p.nsteps; i++) {
            const struct ag_plan_step *st = &p.steps[i];
            printf("  %-3zu %-40.40s %12s %9.2f %11.1f %12s %8.1f\n", i + 1,
                   x.cat->measures[st->measure].name, tool_num(n1, sizeof n1, st->cost, 0),
                   st->reduction, st->per_meur, tool_num(n2, sizeof n2, st->cumulative, 0),
                   st->total_after);
        }
        printf("Spent %s EUR of %s; total risk %.1f → %.1f\n", tool_num(n1, sizeof n1, p.spent, 0),
               tool_num(n2, sizeof n2, p.budget, 0), p.total_before, p.total_after);
        printf("Residual risk per scenario:\n");
        for (size_t s = 0; s < x.cat->nscenarios; s++)
            printf("  %-4s %-34.34s %6.1f → %6.1f\n", x.cat->scenarios[s].code,
                   x.cat->scenarios[s].name, p.before[s].risk.value, p.after[s].risk.value);
        if (p.nbeyond) {
            printf("Beyond the budget (best first):\n");
            for (size_t i = 0; i < p.nbeyond && i < 10; i++)
                printf("  %-40.40s %12s EUR  risk -%.2f\n",
                       x.cat->measures[p.beyond[i].measure].name,
                       tool_num(n1, sizeof n1, p.beyond[i].cost, 0), p.beyond[i].reduction);
            if (p.nbeyond > 10)
                printf("  ... and %zu more (--json lists them all)\n", p.nbeyond - 10);
        }
    }
    ag_plan_free(&p);
    acli_close(&x);
    return rc ? tool_fail(&err) : EXIT_OK;
}
