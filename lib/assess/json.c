/* JSON of an assessment's numbers: the risk of every scenario and the
 * protection plan (agora assess score --json, agora plan --json, the API).
 * SPDX-License-Identifier: EUPL-1.2 */
#include "agora/assess.h"
#include "agora/i18n.h"

#include <stdio.h>

static int put_range(struct ag_buf *b, const char *key, struct ag_range r, int dec)
{
    char v[40], lo[40], hi[40];
    ag_format_fixed(v, sizeof v, r.value, dec);
    ag_format_fixed(lo, sizeof lo, r.lo, dec);
    ag_format_fixed(hi, sizeof hi, r.hi, dec);
    return ag_buf_printf(b, ",\"%s\":{\"value\":%s,\"lo\":%s,\"hi\":%s}", key, v, lo, hi);
}

int ag_assess_risk_json(const struct ag_catalogue *cat, const struct ag_scenario_risk *r,
                        const struct ag_catalog *tr, struct ag_buf *b)
{
    int rc = ag_buf_puts(b, "[");
    for (size_t s = 0; !rc && s < cat->nscenarios; s++) {
        const struct ag_scenario *sc = &cat->scenarios[s];
        char a[40], c[40];
        ag_format_fixed(a, sizeof a, r[s].attractiveness, 4);
        ag_format_fixed(c, sizeof c, r[s].consequence, 6);
        rc = ag_buf_printf(b, "%s{\"id\":\"%s\",\"code\":", s ? "," : "", sc->id);
        if (!rc)
            rc = ag_buf_put_json_str(b, sc->code);
        if (!rc)
            rc = ag_buf_puts(b, ",\"name\":");
        if (!rc)
            rc = ag_buf_put_json_str(b, ag_tr(tr, sc->name));
        if (!rc)
            rc = ag_buf_printf(b, ",\"threat\":%d,\"attractiveness\":%s", r[s].threat, a);
        if (!rc)
            rc = put_range(b, "likelihood", r[s].likelihood, 6);
        if (!rc)
            rc = put_range(b, "vulnerability", r[s].vulnerability, 6);
        if (!rc)
            rc = ag_buf_printf(b, ",\"consequence\":%s", c);
        if (!rc)
            rc = put_range(b, "risk", r[s].risk, 4);
        if (!rc)
            rc = ag_buf_printf(b,
                               ",\"matrix\":{\"likelihood\":%d,\"impact\":%d},\"questions\":%zu,"
                               "\"answered\":%zu}",
                               r[s].row, r[s].col, r[s].questions, r[s].answered);
    }
    return rc ? rc : ag_buf_puts(b, "]");
}

static int put_step(struct ag_buf *b, const struct ag_catalogue *cat, const struct ag_catalog *tr,
                    const struct ag_plan_step *st, size_t rank, bool with_cumulative)
{
    const struct ag_mitigation *m = &cat->measures[st->measure];
    char cost[40], red[40], per[40], cum[40], after[40];
    ag_format_fixed(cost, sizeof cost, st->cost, 2);
    ag_format_fixed(red, sizeof red, st->reduction, 4);
    ag_format_fixed(per, sizeof per, st->per_meur, 4);
    ag_format_fixed(cum, sizeof cum, st->cumulative, 2);
    ag_format_fixed(after, sizeof after, st->total_after, 4);
    int rc = ag_buf_printf(b, "%s{\"rank\":%zu,\"measure\":\"%s\",\"name\":", rank > 1 ? "," : "",
                           rank, m->id);
    if (!rc)
        rc = ag_buf_put_json_str(b, ag_tr(tr, m->name));
    if (!rc)
        rc = ag_buf_printf(b,
                           ",\"category\":\"%s\",\"cost_eur\":%s,\"risk_reduced\":%s,"
                           "\"per_million_eur\":%s",
                           m->category, cost, red, per);
    if (!rc && with_cumulative)
        rc = ag_buf_printf(b, ",\"cumulative_eur\":%s", cum);
    if (!rc)
        rc = ag_buf_printf(b, ",\"total_risk_after\":%s}", after);
    return rc;
}

int ag_assess_plan_json(const struct ag_catalogue *c, const struct ag_plan *p,
                        const struct ag_catalog *tr, struct ag_buf *b)
{
    char f[4][40];
    ag_format_fixed(f[0], 40, p->budget, 2);
    ag_format_fixed(f[1], 40, p->spent, 2);
    ag_format_fixed(f[2], 40, p->total_before, 4);
    ag_format_fixed(f[3], 40, p->total_after, 4);
    int e = ag_buf_printf(b,
                          "\"budget_eur\":%s,\"spent_eur\":%s,\"total_risk_before\":%s,"
                          "\"total_risk_after\":%s,\"steps\":[",
                          f[0], f[1], f[2], f[3]);
    for (size_t i = 0; !e && i < p->nsteps; i++)
        e = put_step(b, c, tr, &p->steps[i], i + 1, true);
    if (!e)
        e = ag_buf_puts(b, "],\"residual\":[");
    for (size_t s = 0; !e && s < c->nscenarios; s++) {
        char a[40], z[40];
        ag_format_fixed(a, sizeof a, p->before[s].risk.value, 4);
        ag_format_fixed(z, sizeof z, p->after[s].risk.value, 4);
        e = ag_buf_printf(b, "%s{\"scenario\":\"%s\",\"before\":%s,\"after\":%s}", s ? "," : "",
                          c->scenarios[s].id, a, z);
    }
    if (!e)
        e = ag_buf_puts(b, "],\"beyond_budget\":[");
    for (size_t i = 0; !e && i < p->nbeyond; i++)
        e = put_step(b, c, tr, &p->beyond[i], i + 1, false);
    return e ? e : ag_buf_puts(b, "]");
}
