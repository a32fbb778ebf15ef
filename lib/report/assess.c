/* The assessment report of a space and the city overview (issue 4):
 * scenario sheets, the risk register, the matrix, the computed evidence and
 * the protection plan, in the reader's language, as HTML or PDF through
 * agora/doc.h. Every sentence goes through the catalogue (ag_tr); the
 * catalogues' own texts (scenarios, questions, measures) are translated by
 * their English text, which is their msgid in po/.
 * SPDX-License-Identifier: EUPL-1.2 */
#include "agora/assess.h"
#include "agora/doc.h"
#include "agora/i18n.h"
#include "agora/model.h"
#include "agora/report.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define T(s) ag_tr(r->tr, s)

struct rep {
    const struct ag_catalog *tr;
    const struct ag_catalogue *cat;
    struct ag_doc *doc;
    const char *lang;
};

/* A number in the reader's convention: 1,234.5 in English; 1 234,5 in
 * French (narrow no-break space); 1.234,5 in German, Italian and Dutch. */
static const char *num(const struct rep *r, char *buf, size_t cap, double v, int decimals)
{
    char raw[64];
    if (decimals > 0)
        ag_format_fixed(raw, sizeof raw, fabs(v), decimals);
    else
        snprintf(raw, sizeof raw, "%.0f", fabs(v)); /* no decimal point: locale-proof */
    bool en = !strcmp(r->lang, "en");
    const char *group = en ? "," : !strcmp(r->lang, "fr") ? "\u202f" : ".";
    const char *point = en ? "." : ",";
    char *dot = strchr(raw, '.');
    size_t ilen = dot ? (size_t)(dot - raw) : strlen(raw);
    size_t j = 0;
    if (v < 0 && round(v * pow(10, decimals > 0 ? decimals : 0)) != 0 && j + 1 < cap)
        buf[j++] = '-';
    for (size_t i = 0; i < ilen && j + 4 < cap; i++) {
        buf[j++] = raw[i];
        size_t left = ilen - i - 1;
        if (left && left % 3 == 0)
            for (const char *g = group; *g && j + 1 < cap; g++)
                buf[j++] = *g;
    }
    if (dot && decimals > 0) {
        for (const char *p = point; *p && j + 1 < cap; p++)
            buf[j++] = *p;
        for (const char *p = dot + 1; *p && j + 1 < cap; p++)
            buf[j++] = *p;
    }
    buf[j] = '\0';
    return buf;
}

static const char *level_name(const struct rep *r, int level)
{
    switch (level) {
    case 1:
        return T("very high");
    case 2:
        return T("high");
    case 3:
        return T("medium");
    case 4:
        return T("low");
    case 5:
        return T("very low");
    default:
        return T("not answered");
    }
}

static const char *source_name(const struct rep *r, enum ag_answer_source s)
{
    switch (s) {
    case AG_ANSWER_ASSESSOR:
        return T("assessor");
    case AG_ANSWER_COMPUTED:
        return T("computed by agora");
    case AG_ANSWER_OVERRIDE:
        return T("assessor, overriding agora");
    default:
        return "";
    }
}

/* Scenario indices by decreasing risk (ties: catalogue order). */
static const struct ag_scenario_risk *sort_risks;
static int by_risk(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    double d = sort_risks[y].risk.value - sort_risks[x].risk.value;
    return d > 0 ? 1 : d < 0 ? -1 : (x > y) - (x < y);
}

static void rank_scenarios(const struct ag_catalogue *c, const struct ag_scenario_risk *risk,
                           size_t *order)
{
    for (size_t s = 0; s < c->nscenarios; s++)
        order[s] = s;
    sort_risks = risk;
    qsort(order, c->nscenarios, sizeof *order, by_risk);
    sort_risks = NULL;
}

/* The colour of a risk, by its cell of the matrix (the same bands). */
static const char *risk_fill(const struct ag_scenario_risk *x)
{
    return ag_doc_band(x->row * x->col);
}

static int matrix(struct rep *r, const struct ag_scenario_risk *risk)
{
    const struct ag_catalogue *c = r->cat;
    char *cells[25] = {0};
    int rc = 0;
    for (size_t s = 0; s < c->nscenarios && !rc; s++) {
        int k = (risk[s].row - 1) * 5 + (risk[s].col - 1);
        size_t old = cells[k] ? strlen(cells[k]) : 0;
        size_t add = strlen(c->scenarios[s].code) + 2;
        char *g = realloc(cells[k], old + add + 1);
        if (!g) {
            rc = AG_ENOMEM;
            break;
        }
        snprintf(g + old, add + 1, "%s%s", old ? " " : "", c->scenarios[s].code);
        cells[k] = g;
    }
    const char *xt[5] = {T("minor"), T("moderate"), T("serious"), T("major"), T("catastrophic")};
    const char *yt[5] = {T("rare"), T("unlikely"), T("possible"), T("likely"), T("almost certain")};
    if (!rc)
        rc = ag_doc_matrix(r->doc, T("Impact"), T("Likelihood of a successful attack"), xt, yt,
                           (const char *const *)cells);
    for (int k = 0; k < 25; k++)
        free(cells[k]);
    return rc;
}

static int summary(struct rep *r, const struct ag_scenario_risk *risk, const size_t *order,
                   double total)
{
    const struct ag_catalogue *c = r->cat;
    char n1[48], line[1200];
    int rc = ag_doc_heading(r->doc, 1, T("Summary"));
    snprintf(line, sizeof line,
             T("Total risk %s (the sum of the risks of the %zu scenarios; each "
               "risk is on a scale of 0 to 100)."),
             num(r, n1, sizeof n1, total, 1), c->nscenarios);
    if (!rc)
        rc = ag_doc_para(r->doc, line);
    if (!rc && c->nscenarios >= 3) {
        snprintf(line, sizeof line, T("The highest risks: %s, %s and %s."),
                 T(c->scenarios[order[0]].name), T(c->scenarios[order[1]].name),
                 T(c->scenarios[order[2]].name));
        rc = ag_doc_para(r->doc, line);
    }
    const char **labels = calloc(c->nscenarios, sizeof *labels);
    double *v = calloc(c->nscenarios * 3, sizeof *v);
    if (!labels || !v)
        rc = rc ? rc : AG_ENOMEM;
    double max = 0;
    for (size_t i = 0; !rc && i < c->nscenarios; i++) {
        size_t s = order[i];
        labels[i] = T(c->scenarios[s].name);
        v[i] = risk[s].risk.value;
        v[c->nscenarios + i] = risk[s].risk.lo;
        v[2 * c->nscenarios + i] = risk[s].risk.hi;
        max = fmax(max, risk[s].risk.hi);
    }
    if (!rc)
        rc = ag_doc_heading(r->doc, 2, T("Risk per scenario, with its range"));
    if (!rc)
        rc = ag_doc_bars(r->doc, c->nscenarios, labels, v, v + c->nscenarios, v + 2 * c->nscenarios,
                         max > 0 ? ceil(max / 10) * 10 : 10, 1);
    free(labels);
    free(v);
    if (!rc)
        rc = ag_doc_heading(r->doc, 2, T("Risk matrix"));
    if (!rc)
        rc = matrix(r, risk);
    if (!rc)
        rc = ag_doc_note(r->doc, T("A risk matrix groups unlike risks into few cells: two risks in "
                                   "one cell may differ tenfold, and a cell's colour can rank "
                                   "risks in the wrong order. Read the numbers and their ranges "
                                   "above; the matrix is for orientation only."));
    return rc;
}

/* The measures in place that reduce scenario s, comma-separated. */
static void existing_controls(struct rep *r, const struct ag_assessment *a, size_t s, char *out,
                              size_t cap)
{
    const struct ag_catalogue *c = r->cat;
    size_t j = 0;
    out[0] = '\0';
    for (size_t m = 0; m < c->nmeasures; m++) {
        if (a->measures[m] != AG_MEASURE_EXISTING)
            continue;
        for (size_t k = 0; k < c->measures[m].nreduces; k++)
            if (c->measures[m].reduces[k].index == s && j + 8 < cap) {
                int n = snprintf(out + j, cap - j, "%s%s", j ? ", " : "", T(c->measures[m].name));
                j = n > 0 && (size_t)n < cap - j ? j + (size_t)n : cap - 1;
            }
    }
    if (!j)
        snprintf(out, cap, "%s", T("none recorded"));
}

static int register_table(struct rep *r, const struct ag_assessment *a,
                          const struct ag_scenario_risk *risk, const struct ag_plan *plan,
                          const size_t *order)
{
    const struct ag_catalogue *c = r->cat;
    int rc = ag_doc_heading(r->doc, 1, T("Risk register"));
    const char *head[] = {T("Threat"), T("Vulnerability"),
                          T("Impact"), T("Existing controls"),
                          T("Risk"),   T("Residual risk after the plan")};
    const double w[] = {2.0, 1.8, 1.6, 2.2, 1.5, 1.7};
    const bool numeric[] = {false, true, true, false, true, true};
    if (!rc)
        rc = ag_doc_table(r->doc, 6, head, w, numeric);
    for (size_t i = 0; !rc && i < c->nscenarios; i++) {
        size_t s = order[i];
        char v[48], im[48], rk[160], lo[48], hi[48], res[48], ctl[1000];
        num(r, v, sizeof v, risk[s].vulnerability.value, 2);
        num(r, im, sizeof im, risk[s].consequence, 2);
        char val[48];
        snprintf(rk, sizeof rk, "%s (%s–%s)", num(r, val, sizeof val, risk[s].risk.value, 1),
                 num(r, lo, sizeof lo, risk[s].risk.lo, 1),
                 num(r, hi, sizeof hi, risk[s].risk.hi, 1));
        num(r, res, sizeof res, plan->after[s].risk.value, 1);
        existing_controls(r, a, s, ctl, sizeof ctl);
        char name[300];
        snprintf(name, sizeof name, "%s %s", c->scenarios[s].code, T(c->scenarios[s].name));
        const char *cells[] = {name, v, im, ctl, rk, res};
        const char *fills[] = {
            NULL, NULL, NULL, NULL, risk_fill(&risk[s]), risk_fill(&plan->after[s])};
        rc = ag_doc_row(r->doc, cells, fills);
    }
    return rc;
}

static int scenario_sheets(struct rep *r, const struct ag_assessment *a,
                           const struct ag_scenario_risk *risk, const size_t *order)
{
    const struct ag_catalogue *c = r->cat;
    int rc = ag_doc_pagebreak(r->doc);
    if (!rc)
        rc = ag_doc_heading(r->doc, 1, T("Scenario sheets"));
    for (size_t i = 0; !rc && i < c->nscenarios; i++) {
        size_t s = order[i];
        const struct ag_scenario *sc = &c->scenarios[s];
        const struct ag_scenario_risk *x = &risk[s];
        char title[300];
        snprintf(title, sizeof title, "%s %s", sc->code, T(sc->name));
        rc = ag_doc_heading(r->doc, 2, title);
        if (!rc)
            rc = ag_doc_para(r->doc, T(sc->description));
        const char *head[] = {T("Factor"), T("Value"), T("How it is obtained")};
        const double w[] = {2.6, 1.4, 3.6};
        if (!rc)
            rc = ag_doc_table(r->doc, 3, head, w, NULL);
        char b[6][160], t1[48], t2[48], t3[48];
        snprintf(b[0], sizeof b[0], "%d / 5", x->threat);
        snprintf(b[1], sizeof b[1], "%s", num(r, t1, sizeof t1, x->likelihood.value, 2));
        snprintf(b[2], sizeof b[2], "%s (%s–%s)", num(r, t1, sizeof t1, x->vulnerability.value, 2),
                 num(r, t2, sizeof t2, x->vulnerability.lo, 2),
                 num(r, t3, sizeof t3, x->vulnerability.hi, 2));
        snprintf(b[3], sizeof b[3], "%s", num(r, t1, sizeof t1, x->consequence, 2));
        snprintf(b[4], sizeof b[4], "%s (%s–%s)", num(r, t1, sizeof t1, x->risk.value, 1),
                 num(r, t2, sizeof t2, x->risk.lo, 1), num(r, t3, sizeof t3, x->risk.hi, 1));
        char how[5][300];
        snprintf(how[0], sizeof how[0], "%s", T("the city's threat level for this scenario"));
        snprintf(how[1], sizeof how[1], "%s", T("threat level and the site's attractiveness"));
        snprintf(how[2], sizeof how[2], T("%zu of %zu questions answered; their weighted answers"),
                 x->answered, x->questions);
        snprintf(how[3], sizeof how[3], "%s",
                 T("severity of the scenario, people exposed, critical functions"));
        snprintf(how[4], sizeof how[4], "%s", T("100 × likelihood × vulnerability × consequence"));
        const char *names[] = {T("Threat level"), T("Likelihood"), T("Vulnerability"),
                               T("Consequence"), T("Risk")};
        for (int k = 0; !rc && k < 5; k++) {
            const char *cells[] = {names[k], b[k], how[k]};
            rc = ag_doc_row(r->doc, cells, NULL);
        }
        /* the questions bearing on it, most vulnerable first */
        const char *qh[] = {T("Question"), T("Answer"), T("Weight")};
        const double qw[] = {4.2, 3.2, 0.8};
        const bool qn[] = {false, false, true};
        if (!rc)
            rc = ag_doc_table(r->doc, 3, qh, qw, qn);
        static const int ORDER[] = {1, 2, 3, 4, 5, 0}; /* unanswered last */
        for (int oi = 0; !rc && oi < 6; oi++)
            for (size_t q = 0; !rc && q < c->nquestions; q++) {
                const struct ag_question *qq = &c->questions[q];
                int lv = a->answers[q].level;
                if (lv != ORDER[oi])
                    continue;
                for (size_t k = 0; !rc && k < qq->nscenarios; k++) {
                    if (qq->scenarios[k].index != s)
                        continue;
                    char ans[1200], wt[16];
                    if (lv)
                        snprintf(ans, sizeof ans, "%d — %s (%s)%s%s", lv, T(qq->answer[lv - 1]),
                                 level_name(r, lv),
                                 a->answers[q].source == AG_ANSWER_ASSESSOR ? "" : "; ",
                                 a->answers[q].source == AG_ANSWER_ASSESSOR
                                     ? ""
                                     : source_name(r, a->answers[q].source));
                    else
                        snprintf(ans, sizeof ans, "%s", T("not answered"));
                    snprintf(wt, sizeof wt, "%g", qq->scenarios[k].value);
                    const char *cells[] = {T(qq->text), ans, wt};
                    const char *fills[] = {NULL,
                                           lv ? ag_doc_band(lv == 1   ? 25
                                                            : lv == 2 ? 16
                                                            : lv == 3 ? 9
                                                                      : 1)
                                              : NULL,
                                           NULL};
                    rc = ag_doc_row(r->doc, cells, fills);
                }
            }
    }
    return rc;
}

static int evidence(struct rep *r, const struct ag_assessment *a)
{
    const struct ag_catalogue *c = r->cat;
    int rc = ag_doc_heading(r->doc, 1, T("Evidence computed by agora"));
    if (!rc)
        rc = ag_doc_para(r->doc, T("These answers come from agora's own analyses of the space. An "
                                   "assessor may override them, with a written reason."));
    const char *head[] = {T("Question"), T("Computed answer"), T("What agora found"),
                          T("Answer used")};
    const double w[] = {3, 1.6, 4, 1.8};
    if (!rc)
        rc = ag_doc_table(r->doc, 4, head, w, NULL);
    for (size_t q = 0; !rc && q < c->nquestions; q++) {
        const struct ag_question *qq = &c->questions[q];
        const struct ag_answer *x = &a->answers[q];
        if (qq->evidence == AG_EVIDENCE_NONE)
            continue;
        char comp[200], used[2200];
        if (x->computed_level)
            snprintf(comp, sizeof comp, "%d — %s", x->computed_level,
                     level_name(r, x->computed_level));
        else
            snprintf(comp, sizeof comp, "%s", T("none"));
        if (x->source == AG_ANSWER_OVERRIDE)
            snprintf(used, sizeof used, "%d — %s: %s", x->level, T("overridden"),
                     x->reason ? x->reason : "");
        else if (x->level)
            snprintf(used, sizeof used, "%d — %s", x->level, level_name(r, x->level));
        else
            snprintf(used, sizeof used, "%s", T("not answered"));
        /* the summary is agora's own English sentence with numbers; it is
         * shown as written (the evidence is technical and checked by
         * engineers who read the English methodology) */
        const char *cells[] = {T(qq->text), comp, x->summary ? x->summary : "", used};
        rc = ag_doc_row(r->doc, cells, NULL);
    }
    return rc;
}

static int plan_section(struct rep *r, const struct ag_plan *p)
{
    const struct ag_catalogue *c = r->cat;
    char n1[48], n2[48], n3[48], line[600];
    int rc = ag_doc_heading(r->doc, 1, T("Protection plan"));
    if (!rc) {
        if (isinf(p->budget))
            snprintf(line, sizeof line, "%s",
                     T("Every measure not yet in place, ranked by risk removed per euro (no "
                       "budget was given)."));
        else
            snprintf(line, sizeof line,
                     T("Measures ranked by risk removed per euro, taken while they fit the "
                       "budget of %s EUR; %s EUR spent."),
                     num(r, n1, sizeof n1, p->budget, 0), num(r, n2, sizeof n2, p->spent, 0));
        rc = ag_doc_para(r->doc, line);
    }
    const char *head[] = {"#",
                          T("Measure"),
                          T("Cost, EUR"),
                          T("Risk removed"),
                          T("Per million EUR"),
                          T("Total risk after")};
    const double w[] = {0.4, 3.0, 1.3, 1.6, 1.5, 1.7};
    const bool numeric[] = {true, false, true, true, true, true};
    if (!rc)
        rc = ag_doc_table(r->doc, 6, head, w, numeric);
    for (size_t i = 0; !rc && i < p->nsteps; i++) {
        const struct ag_plan_step *st = &p->steps[i];
        char rank[24], cost[48], red[48], per[48], after[48];
        snprintf(rank, sizeof rank, "%zu", i + 1);
        const char *cells[] = {rank,
                               T(c->measures[st->measure].name),
                               num(r, cost, sizeof cost, st->cost, 0),
                               num(r, red, sizeof red, st->reduction, 2),
                               num(r, per, sizeof per, st->per_meur, 1),
                               num(r, after, sizeof after, st->total_after, 1)};
        rc = ag_doc_row(r->doc, cells, NULL);
    }
    if (!rc) {
        snprintf(line, sizeof line, T("Total risk %s before the plan, %s after it."),
                 num(r, n1, sizeof n1, p->total_before, 1),
                 num(r, n3, sizeof n3, p->total_after, 1));
        rc = ag_doc_para(r->doc, line);
    }
    if (!rc && p->nbeyond) {
        rc = ag_doc_heading(r->doc, 2, T("Beyond the budget"));
        const char *bh[] = {T("Measure"), T("Cost, EUR"), T("Risk removed")};
        const bool bn[] = {false, true, true};
        if (!rc)
            rc = ag_doc_table(r->doc, 3, bh, NULL, bn);
        for (size_t i = 0; !rc && i < p->nbeyond; i++) {
            char cost[48], red[48];
            const char *cells[] = {T(c->measures[p->beyond[i].measure].name),
                                   num(r, cost, sizeof cost, p->beyond[i].cost, 0),
                                   num(r, red, sizeof red, p->beyond[i].reduction, 2)};
            rc = ag_doc_row(r->doc, cells, NULL);
        }
    }
    return rc;
}

static int method(struct rep *r)
{
    int rc = ag_doc_heading(r->doc, 1, T("Method"));
    const char *paras[] = {
        T("Risk = 100 × likelihood × vulnerability × consequence, for each threat scenario."),
        T("Likelihood: the city's threat level for the scenario (1 to 5, divided by 5) times "
          "the site's attractiveness (its symbolic value, crowd size and media exposure)."),
        T("Vulnerability: the answers to the checklist questions that bear on the scenario, "
          "weighted; an unanswered question widens the range."),
        T("Consequence: the scenario's severity times the people exposed and the critical "
          "functions of the site."),
        T("A measure removes a share of the vulnerability to the scenarios it addresses; the "
          "plan takes the measure that removes the most risk per euro, again and again, while "
          "the budget allows."),
        T("Formulas, weights and sources: docs/methodology.md, section 18."),
    };
    for (size_t i = 0; !rc && i < sizeof paras / sizeof paras[0]; i++)
        rc = ag_doc_bullet(r->doc, paras[i]);
    return rc;
}

static int write_doc(struct ag_doc *d, const char *format, const char *path, struct ag_error *err)
{
    if (!strcmp(format, "pdf"))
        return ag_doc_write_pdf(d, path, err);
    struct ag_buf b;
    ag_buf_init(&b, (size_t)256 << 20);
    int rc = ag_doc_write_html(d, &b);
    if (rc)
        rc = ag_error_set(err, rc, "%s: the report is too large", path);
    else
        rc = ag_file_write_atomic(path, b.data, b.len, err);
    ag_buf_free(&b);
    return rc;
}

static void footer_text(const struct rep *r, const char *sharing, char *out, size_t cap)
{
    snprintf(out, cap, "agora 0.1.0 — %s — %s", T("Vulnerability assessment"), sharing);
}

int ag_report_assessment(const struct ag_catalogue *cat, const struct ag_assessment *a,
                         const struct ag_city *city, const struct ag_space *sp, const char *lang,
                         double budget, const char *format, const char *path, struct ag_error *err)
{
    struct ag_catalog *tr = NULL;
    int rc = ag_catalog_open(lang, &tr, err);
    if (rc)
        return rc;
    struct rep rr = {tr, cat, NULL, lang}, *r = &rr;
    const char *sname = sp->name && *sp->name ? sp->name : T("unnamed space");
    char title[400], sub[600], foot[200];
    snprintf(title, sizeof title, T("Vulnerability assessment: %s"), sname);
    snprintf(sub, sizeof sub, T("%s — version %d of %s — assessor: %s — %s"), city->name,
             a->version, a->updated_at[0] ? a->updated_at : a->created_at,
             a->assessor && *a->assessor ? a->assessor : "—", a->sharing);
    footer_text(r, a->sharing, foot, sizeof foot);
    struct ag_scenario_risk *risk = calloc(cat->nscenarios, sizeof *risk);
    size_t *order = calloc(cat->nscenarios, sizeof *order);
    struct ag_plan plan;
    memset(&plan, 0, sizeof plan);
    rr.doc = ag_doc_new(lang, title);
    if (!risk || !order || !rr.doc)
        rc = ag_error_set(err, AG_ENOMEM, "out of memory");
    if (!rc)
        rc = ag_assess_plan(cat, a, budget, &plan, err);
    if (!rc) {
        ag_assess_score(cat, a, NULL, risk);
        rank_scenarios(cat, risk, order);
        int e = ag_doc_subtitle(rr.doc, sub);
        if (!e)
            e = ag_doc_footer(rr.doc, foot);
        if (!e)
            e = summary(r, risk, order, ag_assess_total(cat, risk));
        if (!e)
            e = register_table(r, a, risk, &plan, order);
        if (!e)
            e = evidence(r, a);
        if (!e)
            e = plan_section(r, &plan);
        if (!e)
            e = scenario_sheets(r, a, risk, order);
        if (!e)
            e = method(r);
        if (e)
            rc = ag_error_set(err, e, "writing the report: out of memory");
    }
    if (!rc)
        rc = write_doc(rr.doc, format, path, err);
    ag_plan_free(&plan);
    ag_doc_free(rr.doc);
    free(risk);
    free(order);
    ag_catalog_free(tr);
    return rc;
}

int ag_report_overview(const struct ag_catalogue *cat, const struct ag_city *city,
                       const struct ag_assessment *const *as, const struct ag_space *const *sps,
                       size_t n, const char *lang, const char *format, const char *path,
                       struct ag_error *err)
{
    struct ag_catalog *tr = NULL;
    int rc = ag_catalog_open(lang, &tr, err);
    if (rc)
        return rc;
    struct rep rr = {tr, cat, NULL, lang}, *r = &rr;
    char title[400], foot[200];
    snprintf(title, sizeof title, T("Public spaces of %s ranked by risk"), city->name);
    footer_text(r, "TLP:AMBER", foot, sizeof foot);
    rr.doc = ag_doc_new(lang, title);
    double *total = calloc(n ? n : 1, sizeof *total);
    size_t *ord = calloc(n ? n : 1, sizeof *ord);
    struct ag_scenario_risk *risk = calloc(cat->nscenarios, sizeof *risk);
    size_t *sorder = calloc(cat->nscenarios, sizeof *sorder);
    int e = (!rr.doc || !total || !ord || !risk || !sorder) ? AG_ENOMEM : 0;
    if (!e)
        e = ag_doc_footer(rr.doc, foot);
    for (size_t i = 0; !e && i < n; i++) {
        ag_assess_score(cat, as[i], NULL, risk);
        total[i] = ag_assess_total(cat, risk);
        ord[i] = i;
    }
    /* rank by total risk, highest first (insertion sort: a city has
     * hundreds of spaces at most) */
    for (size_t i = 1; !e && i < n; i++)
        for (size_t j = i; j > 0 && total[ord[j]] > total[ord[j - 1]]; j--) {
            size_t t = ord[j];
            ord[j] = ord[j - 1];
            ord[j - 1] = t;
        }
    if (!e)
        e = ag_doc_para(rr.doc, n ? T("The latest assessment of each space, highest total risk "
                                      "first.")
                                  : T("No space has been assessed yet."));
    const char *head[] = {
        "#", T("Space"), T("Version"), T("Total risk"), T("Highest risk"), T("Questions answered")};
    const double w[] = {0.4, 2.6, 1.0, 1.5, 2.6, 1.8};
    const bool numeric[] = {true, false, true, true, false, true};
    if (!e && n)
        e = ag_doc_table(rr.doc, 6, head, w, numeric);
    for (size_t i = 0; !e && i < n; i++) {
        const struct ag_assessment *a = as[ord[i]];
        ag_assess_score(cat, a, NULL, risk);
        rank_scenarios(cat, risk, sorder);
        size_t answered = 0;
        for (size_t q = 0; q < cat->nquestions; q++)
            answered += a->answers[q].level > 0;
        char rank[24], ver[16], tot[48], top[400], ans[48];
        snprintf(rank, sizeof rank, "%zu", i + 1);
        snprintf(ver, sizeof ver, "%d", a->version);
        num(r, tot, sizeof tot, total[ord[i]], 1);
        char t1[48];
        snprintf(top, sizeof top, "%s (%s)", T(cat->scenarios[sorder[0]].name),
                 num(r, t1, sizeof t1, risk[sorder[0]].risk.value, 1));
        snprintf(ans, sizeof ans, "%zu / %zu", answered, cat->nquestions);
        const char *sname =
            sps[ord[i]]->name && *sps[ord[i]]->name ? sps[ord[i]]->name : T("unnamed space");
        const char *cells[] = {rank, sname, ver, tot, top, ans};
        const char *fills[] = {NULL, NULL, NULL, NULL, risk_fill(&risk[sorder[0]]), NULL};
        e = ag_doc_row(rr.doc, cells, fills);
    }
    if (e)
        rc = ag_error_set(err, e, "writing the overview: out of memory");
    if (!rc)
        rc = write_doc(rr.doc, format, path, err);
    ag_doc_free(rr.doc);
    free(total);
    free(ord);
    free(risk);
    free(sorder);
    ag_catalog_free(tr);
    return rc;
}
