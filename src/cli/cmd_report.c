/* agora report. SPDX-License-Identifier: EUPL-1.2 */
#include "agora/i18n.h"
#include "agora/report.h"
#include "assess_cli.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char HELP[] =
    "Usage: agora report --out DIR [--lang en] [--db PATH] [--city NAME]\n"
    "       agora report SPACE --out FILE [--lang L] [--format html|pdf] [--budget EUR]\n"
    "       agora report --overview --out FILE [--lang L] [--format html|pdf]\n"
    "\n"
    "The city report (first form) writes DIR/index.html: every public space of the\n"
    "city with its kind, area, perimeter and a small map drawn from the imported\n"
    "roads and buildings; the hostile-vehicle approaches where agora vehicle was\n"
    "run; the crowd safety of every space; incidents when any were imported. The\n"
    "page is self-contained: it needs no network to be viewed.\n"
    "\n"
    "The assessment report of a space (second form) is written from the space's\n"
    "latest assessment (agora assess): summary with the risk of each scenario and\n"
    "the 5 x 5 matrix, the risk register, the evidence agora computed, the\n"
    "protection plan within --budget (without it, every measure ranked), the\n"
    "scenario sheets and the method. The overview (third form) ranks every\n"
    "assessed space of the city by total risk.\n"
    "\n"
    "  --out DIR|FILE   where to write (a directory for the city report)\n"
    "  --lang LANG      language: en, fr, de, it, nl (the city report: en)\n"
    "  --format FMT     html (default) or pdf\n"
    "  --budget EUR     the budget of the plan in the assessment report\n"
    "  --assessment ID  report this assessment instead of the space's latest\n";

static int city_report(const char *db, const char *city, const char *out, const char *lang)
{
    if (!ag_report_lang_supported(lang))
        return tool_usage("report: --lang \"%s\" is not available for the city report; "
                          "available: %s (assessment reports: %s)",
                          lang, ag_report_langs(), ag_i18n_langs());
    struct ag_error err = {0};
    struct ag_store *store = NULL;
    struct ag_city c;
    int rc = tool_open_city(db, city, AG_STORE_READONLY, &store, &c, &err);
    if (!rc)
        rc = ag_report_html(store, &c, lang, out, &err);
    ag_store_close(store);
    if (rc)
        return tool_fail(&err);
    printf("Report written to %s/index.html\n", out);
    return EXIT_OK;
}

static int space_report(const char *db, const char *city, const char *ref, const char *aid,
                        const char *out, const char *lang, const char *format, double budget)
{
    struct ag_error err = {0};
    struct acli x;
    int64_t id = 0;
    int code;
    if (aid && (code = acli_id(aid, &id)))
        return code;
    int rc = acli_open(&x, db, city, false, id, &err);
    if (!rc && !id) {
        struct ag_space sp = {0};
        rc = ag_store_space_get(x.store, x.city.id, ref, &sp, &err);
        if (!rc)
            rc = ag_store_assessment_latest(x.store, sp.id, &x.rec, &err);
        if (rc == AG_ENOTFOUND)
            ag_error_set(&err, AG_ENOTFOUND,
                         "%s has no assessment yet: start one with agora assess new %s",
                         sp.name && *sp.name ? sp.name : ref, ref);
        if (!rc)
            rc = acli_load_doc(x.cat, &x.rec, &x.a, &err);
        x.space = sp;
    }
    if (!rc)
        rc = ag_report_assessment(x.cat, x.a, &x.city, &x.space, lang, budget, format, out, &err);
    if (!rc)
        printf("Assessment report of %s (assessment %lld, version %d) written to %s\n",
               acli_space_name(&x.space), (long long)x.rec.id, x.rec.version, out);
    acli_close(&x);
    return rc ? tool_fail(&err) : EXIT_OK;
}

static int overview(const char *db, const char *city, const char *out, const char *lang,
                    const char *format)
{
    struct ag_error err = {0};
    struct acli x;
    struct ag_vec v;
    ag_vec_init(&v, sizeof(struct ag_assessment_rec));
    int rc = acli_open(&x, db, city, false, 0, &err);
    if (!rc)
        rc = ag_store_assessments(x.store, x.city.id, &v, &err);
    size_t n = 0;
    struct ag_assessment **as = calloc(v.len ? v.len : 1, sizeof *as);
    struct ag_space *sps = calloc(v.len ? v.len : 1, sizeof *sps);
    const struct ag_space **spp = calloc(v.len ? v.len : 1, sizeof *spp);
    if (!rc && (!as || !sps || !spp))
        rc = ag_error_set(&err, AG_ENOMEM, "out of memory");
    /* the list is by space then version: keep the last of each space */
    for (size_t i = 0; !rc && i < v.len; i++) {
        struct ag_assessment_rec *r = &AG_VEC_AT(&v, struct ag_assessment_rec, i);
        if (i + 1 < v.len && AG_VEC_AT(&v, struct ag_assessment_rec, i + 1).space_id == r->space_id)
            continue;
        struct ag_assessment_rec full;
        rc = ag_store_assessment_get(x.store, r->id, &full, &err);
        if (!rc)
            rc = acli_load_doc(x.cat, &full, &as[n], &err);
        ag_assessment_rec_free(&full);
        if (!rc)
            rc = acli_space(&x, r->space_id, &sps[n], &err);
        if (!rc) {
            spp[n] = &sps[n];
            n++;
        }
    }
    if (!rc)
        rc = ag_report_overview(x.cat, &x.city, (const struct ag_assessment *const *)as, spp, n,
                                lang, format, out, &err);
    if (!rc)
        printf("Overview of %zu assessed space(s) written to %s\n", n, out);
    for (size_t i = 0; i < v.len; i++) {
        ag_assessment_rec_free(&AG_VEC_AT(&v, struct ag_assessment_rec, i));
        if (as)
            ag_assessment_free(as[i]);
        if (sps)
            ag_space_free(&sps[i]);
    }
    ag_vec_free(&v);
    free(as);
    free(sps);
    free(spp);
    acli_close(&x);
    return rc ? tool_fail(&err) : EXIT_OK;
}

int cmd_report(int argc, char **argv)
{
    const char *db = NULL, *city = NULL, *out = NULL, *lang = "en", *format = NULL,
               *budget_s = NULL, *aid = NULL;
    bool over = false;
    const struct cli_opt opts[] = {
        {"--db", &db, NULL},          {"--city", &city, NULL},     {"--out", &out, NULL},
        {"--lang", &lang, NULL},      {"--format", &format, NULL}, {"--budget", &budget_s, NULL},
        {"--assessment", &aid, NULL}, {"--overview", NULL, &over}, {NULL, NULL, NULL}};
    const char *pos[1];
    int npos, code;
    if (tool_parse(argc, argv, opts, pos, 1, &npos, HELP, &code))
        return code;
    if (!out)
        return tool_usage("report: --out is required (see agora report --help)");
    bool assessment = npos == 1 || aid || over;
    if (!assessment) {
        if (format || budget_s)
            return tool_usage("report: --format and --budget are for an assessment report "
                              "(agora report SPACE ...)");
        return city_report(db, city, out, lang);
    }
    if (!format)
        format = "html";
    if (strcmp(format, "html") && strcmp(format, "pdf"))
        return tool_usage("report: --format \"%s\": expected html or pdf", format);
    if (!ag_i18n_lang_ok(lang))
        return tool_usage("report: --lang \"%s\" is not available; available: %s", lang,
                          ag_i18n_langs());
    double budget = INFINITY;
    if (budget_s && (!ag_parse_double(budget_s, &budget) || !(budget >= 0) || budget > 1e12))
        return tool_usage("report: --budget \"%s\": expected an amount in euros, e.g. 250000",
                          budget_s);
    if (over) {
        if (npos || aid || budget_s)
            return tool_usage("report: --overview takes no SPACE, --assessment or --budget");
        return overview(db, city, out, lang, format);
    }
    if (npos == 1 && aid)
        return tool_usage("report: give SPACE or --assessment ID, not both");
    return space_report(db, city, npos ? pos[0] : NULL, aid, out, lang, format, budget);
}
