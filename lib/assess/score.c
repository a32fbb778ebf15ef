/* Risk per scenario and the protection plan (docs/methodology.md §18).
 * SPDX-License-Identifier: EUPL-1.2 */
#include "assess_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static double clamp(double v, double lo, double hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

/* A 1..5 rating with 0 meaning "not given": the middle. */
static double rating(int v)
{
    return v >= 1 && v <= 5 ? v : 3;
}

static int band(double x, const double edges[4])
{
    int k = 1;
    for (int i = 0; i < 4; i++)
        k += x >= edges[i];
    return k;
}

int ag_assess_score(const struct ag_catalogue *c, const struct ag_assessment *a,
                    const double *factor, struct ag_scenario_risk *out)
{
    const struct ag_risk_model *m = &c->model;
    double wsum = m->w_symbolic + m->w_crowd + m->w_media;
    double attract = (m->w_symbolic * rating(a->ctx.symbolic) + m->w_crowd * rating(a->ctx.crowd) +
                      m->w_media * rating(a->ctx.media)) /
                     wsum;
    double attract_term =
        m->attractiveness_floor + (1 - m->attractiveness_floor) * (attract - 1) / 4;
    double exposure = 0.5;
    if (a->ctx.people >= 0)
        exposure = clamp(log10(fmax(1, a->ctx.people)) / log10(m->people_reference), 0, 1);
    double critical = rating(a->ctx.critical) / 5;
    for (size_t s = 0; s < c->nscenarios; s++) {
        struct ag_scenario_risk *r = &out[s];
        memset(r, 0, sizeof *r);
        const struct ag_scenario *sc = &c->scenarios[s];
        int t = a->ctx.threat[s] ? a->ctx.threat[s] : sc->default_threat;
        r->threat = t;
        r->attractiveness = attract;
        double tlo = clamp(t - m->threat_uncertainty, 1, 5);
        double thi = clamp(t + m->threat_uncertainty, 1, 5);
        r->likelihood.value = t / 5.0 * attract_term;
        r->likelihood.lo = tlo / 5 * attract_term;
        r->likelihood.hi = thi / 5 * attract_term;
        double w = 0, v = 0, vlo = 0, vhi = 0;
        for (size_t q = 0; q < c->nquestions; q++) {
            const struct ag_question *qq = &c->questions[q];
            for (size_t k = 0; k < qq->nscenarios; k++) {
                if (qq->scenarios[k].index != s)
                    continue;
                double wq = qq->scenarios[k].value;
                int level = a->answers[q].level;
                r->questions++;
                if (level >= 1 && level <= AG_LEVELS) {
                    double x = m->level_vulnerability[level - 1];
                    r->answered++;
                    v += wq * x;
                    vlo += wq * clamp(x - m->answer_uncertainty, 0, 1);
                    vhi += wq * clamp(x + m->answer_uncertainty, 0, 1);
                } else {
                    v += wq * (m->unanswered_lo + m->unanswered_hi) / 2;
                    vlo += wq * m->unanswered_lo;
                    vhi += wq * m->unanswered_hi;
                }
                w += wq;
            }
        }
        if (w > 0) {
            v /= w, vlo /= w, vhi /= w;
        } else {
            v = (m->unanswered_lo + m->unanswered_hi) / 2;
            vlo = m->unanswered_lo;
            vhi = m->unanswered_hi;
        }
        double f = factor ? factor[s] : 1;
        r->vulnerability.value = v * f;
        r->vulnerability.lo = vlo * f;
        r->vulnerability.hi = vhi * f;
        r->consequence = sc->severity / 5.0 * (m->w_people * exposure + m->w_critical * critical);
        r->risk.value = 100 * r->likelihood.value * r->vulnerability.value * r->consequence;
        r->risk.lo = 100 * r->likelihood.lo * r->vulnerability.lo * r->consequence;
        r->risk.hi = 100 * r->likelihood.hi * r->vulnerability.hi * r->consequence;
        r->row = band(r->likelihood.value * r->vulnerability.value, m->likelihood_edges);
        r->col = band(r->consequence, m->impact_edges);
    }
    return 0;
}

double ag_assess_total(const struct ag_catalogue *c, const struct ag_scenario_risk *r)
{
    double t = 0;
    for (size_t s = 0; s < c->nscenarios; s++)
        t += r[s].risk.value;
    return t;
}

void ag_plan_free(struct ag_plan *p)
{
    free(p->steps);
    free(p->beyond);
    free(p->before);
    free(p->after);
    memset(p, 0, sizeof *p);
}

/* Risk removed by measure k on top of the factors so far: R is linear in
 * V, so each scenario s it reduces by r loses r·R_s(current). */
static double reduction(const struct ag_mitigation *mm, const struct ag_scenario_risk *cur)
{
    double d = 0;
    for (size_t i = 0; i < mm->nreduces; i++)
        d += mm->reduces[i].value * cur[mm->reduces[i].index].risk.value;
    return d;
}

static double mid_cost(const struct ag_mitigation *mm)
{
    return (mm->cost_min + mm->cost_max) / 2;
}

/* Better candidate: more risk per euro; then cheaper; then earlier. */
static bool better(double ratio, double cost, size_t k, double bratio, double bcost, long bk)
{
    if (bk < 0)
        return true;
    if (ratio != bratio)
        return ratio > bratio;
    if (cost != bcost)
        return cost < bcost;
    return (long)k < bk;
}

/* The best candidate not yet used whose cost fits room (INFINITY: any),
 * by better(); false when none removes any risk. Fills measure, cost,
 * reduction and per_meur of *st, zeroes the rest. */
static bool pick(const struct ag_catalogue *c, const bool *used, const struct ag_scenario_risk *cur,
                 double room, struct ag_plan_step *st)
{
    long best = -1;
    double bratio = 0, bcost = 0, bred = 0;
    for (size_t k = 0; k < c->nmeasures; k++) {
        if (used[k])
            continue;
        const struct ag_mitigation *mm = &c->measures[k];
        double cost = mid_cost(mm), red = reduction(mm, cur);
        if (red <= 0 || cost > room)
            continue;
        double ratio = red / cost;
        if (better(ratio, cost, k, bratio, bcost, best))
            best = (long)k, bratio = ratio, bcost = cost, bred = red;
    }
    if (best < 0)
        return false;
    memset(st, 0, sizeof *st);
    st->measure = (size_t)best;
    st->cost = bcost;
    st->reduction = bred;
    st->per_meur = bratio * 1e6;
    return true;
}

int ag_assess_plan(const struct ag_catalogue *c, const struct ag_assessment *a, double budget,
                   struct ag_plan *out, struct ag_error *err)
{
    memset(out, 0, sizeof *out);
    if (!(budget >= 0)) /* INFINITY: every measure, ranked */
        return ag_error_set(err, AG_EINVAL, "budget: expected a number of euros, 0 or more");
    size_t ns = c->nscenarios, nm = c->nmeasures;
    double *factor = malloc((ns ? ns : 1) * sizeof *factor);
    bool *used = calloc(nm ? nm : 1, sizeof *used);
    out->before = calloc(ns ? ns : 1, sizeof *out->before);
    out->after = calloc(ns ? ns : 1, sizeof *out->after);
    out->steps = calloc(nm ? nm : 1, sizeof *out->steps);
    out->beyond = calloc(nm ? nm : 1, sizeof *out->beyond);
    if (!factor || !used || !out->before || !out->after || !out->steps || !out->beyond) {
        free(factor);
        free(used);
        ag_plan_free(out);
        return ag_error_set(err, AG_ENOMEM, "out of memory");
    }
    for (size_t s = 0; s < ns; s++)
        factor[s] = 1;
    for (size_t k = 0; k < nm; k++)
        used[k] = a->measures[k] != AG_MEASURE_CANDIDATE;
    out->budget = budget;
    ag_assess_score(c, a, NULL, out->before);
    out->total_before = ag_assess_total(c, out->before);
    memcpy(out->after, out->before, ns * sizeof *out->after);
    double total = out->total_before;
    struct ag_plan_step st;
    while (pick(c, used, out->after, budget - out->spent, &st)) {
        const struct ag_mitigation *mm = &c->measures[st.measure];
        used[st.measure] = true;
        for (size_t i = 0; i < mm->nreduces; i++)
            factor[mm->reduces[i].index] *= 1 - mm->reduces[i].value;
        ag_assess_score(c, a, factor, out->after);
        total = ag_assess_total(c, out->after);
        out->spent += st.cost;
        st.cumulative = out->spent;
        st.total_after = total;
        out->steps[out->nsteps++] = st;
    }
    out->total_after = total;
    /* What did not fit, ranked the same way on the final state. */
    while (pick(c, used, out->after, INFINITY, &st)) {
        used[st.measure] = true;
        st.total_after = total - st.reduction;
        out->beyond[out->nbeyond++] = st;
    }
    free(factor);
    free(used);
    return 0;
}
