/* agora: the command-line tool. SPDX-License-Identifier: EUPL-1.2
 *
 * Built twice (docs/internals/cli.md): agora-full has every command; agora,
 * the program users run, is built with AGORA_CLI_LEAN and has only the
 * commands that need none of the heavy libraries (PROJ, GEOS, pango/cairo,
 * libmicrohttpd), so that it starts without loading them; any other command
 * it hands to agora-full, which replaces it (same pid, argv, environment). */
#include "cli.h"

#include <stdio.h>
#include <string.h>

#ifdef AGORA_CLI_LEAN
#include <errno.h>
#include <limits.h>
#include <unistd.h>
#endif

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

#ifdef AGORA_CLI_LEAN
/* Runs agora-full in place of this process, with the same argv: the one
 * beside this program (a build tree), else the one installed with it
 * (<prefix>/libexec/agora from <prefix>/bin, wherever the prefix was moved),
 * else the one at the configured install path. Returns only when none can
 * be run, with the exit code. */
static int run_full(char **argv)
{
    char dir[PATH_MAX] = "";
    char beside[sizeof dir + 16] = "", moved[sizeof dir + sizeof AGORA_FULL_FROM_BIN + 1] = "";
    /* dir is zeroed, and readlink writes at most sizeof dir - 1 bytes. */
    char *slash = readlink("/proc/self/exe", dir, sizeof dir - 1) > 0 ? strrchr(dir, '/') : NULL;
    if (slash) {
        *slash = '\0';
        snprintf(beside, sizeof beside, "%s/agora-full", dir);
        snprintf(moved, sizeof moved, "%s/%s", dir, AGORA_FULL_FROM_BIN);
    }
    const char *paths[] = {beside, moved, AGORA_FULL_INSTALLED};
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
        if (!paths[i][0])
            continue;
        execv(paths[i], argv);
        if (errno != ENOENT && errno != ENOTDIR) {
            fprintf(stderr, "agora: error: cannot run %s: %s\n", paths[i], strerror(errno));
            return EXIT_FAIL;
        }
    }
    fprintf(stderr, "agora: error: agora-full is missing (it runs \"%s\"): looked for %s%s%s%s%s\n",
            argv[1], beside, beside[0] ? ", " : "", moved, moved[0] ? " and " : "",
            AGORA_FULL_INSTALLED);
    return EXIT_FAIL;
}
#endif

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
    /* The commands of both programs: those that need only the light
     * libraries (the test tests/cli/test_binaries.py checks it). */
    if (!strcmp(cmd, "spaces"))
        return cmd_spaces(argc - 1, argv + 1);
    if (!strcmp(cmd, "vehicle"))
        return cmd_vehicle(argc - 1, argv + 1);
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
#ifdef AGORA_CLI_LEAN
    /* Every other command, and an unknown one (agora-full says so). */
    return run_full(argv);
#else
    /* The commands of agora-full alone: GEOS, PROJ, pango/cairo, libmicrohttpd. */
    if (!strcmp(cmd, "import"))
        return cmd_import(argc - 1, argv + 1);
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
    return tool_usage("unknown command \"%s\" (see agora --help)", cmd);
#endif
}
