/* agora report. SPDX-License-Identifier: EUPL-1.2 */
#include "cli.h"
#include "agora/report.h"

#include <stdio.h>

static const char HELP[] =
    "Usage: agora report --out DIR [--lang en] [--db PATH] [--city NAME]\n"
    "\n"
    "Writes DIR/index.html: every public space of the city with its kind, area,\n"
    "perimeter and a small map drawn from the imported roads and buildings; the\n"
    "crowd safety of every space (capacity and what limits it, egress flow time,\n"
    "as agora crowd capacity computes them); incidents when any were imported.\n"
    "The page is self-contained: it needs no network to be viewed.\n"
    "\n"
    "  --out DIR    where to write (created if needed)\n"
    "  --lang LANG  language of the report (available: en)\n";

int cmd_report(int argc, char **argv)
{
    const char *db = NULL, *city = NULL, *out = NULL, *lang = "en";
    const struct cli_opt opts[] = {{"--db", &db, NULL},
                                   {"--city", &city, NULL},
                                   {"--out", &out, NULL},
                                   {"--lang", &lang, NULL},
                                   {NULL, NULL, NULL}};
    const char *pos[1];
    int npos, code;
    if (tool_parse(argc, argv, opts, pos, 0, &npos, HELP, &code))
        return code;
    if (!out)
        return tool_usage("report: --out DIR is required (see agora report --help)");
    if (!ag_report_lang_supported(lang))
        return tool_usage("report: --lang \"%s\" is not available; available: %s", lang,
                          ag_report_langs());
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
