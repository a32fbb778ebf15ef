/* agora: the command-line tool. SPDX-License-Identifier: EUPL-1.2 */
#include "cli.h"

#include <stdio.h>
#include <string.h>

static const char HELP[] =
    "agora - assess and protect public spaces\n"
    "\n"
    "Usage: agora COMMAND [OPTIONS]\n"
    "\n"
    "Commands:\n"
    "  import FILE            import a city from an OpenStreetMap file (.osm, .osm.pbf)\n"
    "  spaces list            list the public spaces of a city\n"
    "  spaces show SPACE      show one space (an id, or an OSM reference like way/4227203)\n"
    "  spaces add             add a custom perimeter from a GeoJSON polygon\n"
    "  vehicle SPACE.. | --all  hostile-vehicle approach speeds and barrier ratings\n"
    "  incidents COMMAND      incident records: import, hotspots, near repeats, profiles\n"
    "  crowd COMMAND          crowd safety: capacity, egress time, pedestrian simulation\n"
    "  assess COMMAND         vulnerability assessment: new, answer, score, diff\n"
    "  plan ID --budget EUR   the protection plan of an assessment within a budget\n"
    "  report --out DIR       write the HTML report of a city to DIR/index.html\n"
    "  report SPACE --out F   the assessment report of a space (--lang, --format pdf)\n"
    "  serve                  the web application (--listen 127.0.0.1:8080)\n"
    "  user add|passwd|list   accounts of the web application\n"
    "  city grant|revoke|members  who may do what in a city\n"
    "  audit                  the log of every change made by users\n"
    "  training list|progress the training modules, a learner's progress\n"
    "  survey COMMAND         perception surveys: create, import, results\n"
    "  indicators COMMAND     urban indicators: list, import a city's values, show\n"
    "\n"
    "Options common to the commands:\n"
    "  --db PATH              the database (default: $AGORA_DB, else ./agora.db)\n"
    "  --city NAME            the city, when the database holds several\n"
    "  --help                 help on a command: agora import --help\n"
    "\n"
    "Exit codes: 0 success, 1 failure, 2 bad usage or bad input.\n";

int main(int argc, char **argv)
{
    if (argc < 2) {
        fputs(HELP, stderr);
        return EXIT_USAGE;
    }
    const char *cmd = argv[1];
    if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h") || !strcmp(cmd, "help")) {
        fputs(HELP, stdout);
        return EXIT_OK;
    }
    if (!strcmp(cmd, "--version")) {
        printf("agora 0.1.0 (store schema %d)\n", AG_STORE_SCHEMA_VERSION);
        return EXIT_OK;
    }
    if (!strcmp(cmd, "import"))
        return cmd_import(argc - 1, argv + 1);
    if (!strcmp(cmd, "spaces"))
        return cmd_spaces(argc - 1, argv + 1);
    if (!strcmp(cmd, "vehicle"))
        return cmd_vehicle(argc - 1, argv + 1);
    if (!strcmp(cmd, "incidents"))
        return cmd_incidents(argc - 1, argv + 1);
    if (!strcmp(cmd, "crowd"))
        return cmd_crowd(argc - 1, argv + 1);
    if (!strcmp(cmd, "assess"))
        return cmd_assess(argc - 1, argv + 1);
    if (!strcmp(cmd, "plan"))
        return cmd_plan(argc - 1, argv + 1);
    if (!strcmp(cmd, "report"))
        return cmd_report(argc - 1, argv + 1);
    if (!strcmp(cmd, "serve"))
        return cmd_serve(argc - 1, argv + 1);
    if (!strcmp(cmd, "user"))
        return cmd_user(argc - 1, argv + 1);
    if (!strcmp(cmd, "city"))
        return cmd_city(argc - 1, argv + 1);
    if (!strcmp(cmd, "audit"))
        return cmd_audit(argc - 1, argv + 1);
    if (!strcmp(cmd, "training"))
        return cmd_training(argc - 1, argv + 1);
    if (!strcmp(cmd, "survey"))
        return cmd_survey(argc - 1, argv + 1);
    if (!strcmp(cmd, "indicators"))
        return cmd_indicators(argc - 1, argv + 1);
    return tool_usage("unknown command \"%s\" (see agora --help)", cmd);
}
