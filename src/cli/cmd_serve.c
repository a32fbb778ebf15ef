/* agora serve: the web application (docs/internals/server.md).
 * SPDX-License-Identifier: EUPL-1.2 */
#include "cli.h"
#include "server/server.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char HELP[] =
    "Usage: agora serve [--db PATH] [--listen ADDRESS:PORT] [OPTIONS]\n"
    "\n"
    "Serves the web application: the city map, spaces, vehicle approach paths,\n"
    "assessments and reports in the browser, for the accounts created with\n"
    "agora user add and agora city grant. Stop it with Ctrl-C.\n"
    "\n"
    "Options:\n"
    "  --db PATH              the database (default: $AGORA_DB, else ./agora.db)\n"
    "  --listen ADDR:PORT     where to listen (default 127.0.0.1:8080; port 0: any free\n"
    "                         port, printed at start). Behind a TLS proxy for anything\n"
    "                         but this machine, with --secure-cookies.\n"
    "  --threads N            worker threads (default: the number of cores)\n"
    "  --tile-url URL         an internet tile server for a background map, e.g.\n"
    "                         https://tile.openstreetmap.org/{z}/{x}/{y}.png (optional;\n"
    "                         the map draws the city's own roads and buildings)\n"
    "  --secure-cookies       mark the session cookie Secure (when served over HTTPS)\n"
    "  --web DIR              the front end's files (default: found beside agora)\n"
    "  --routes               print the API routes and who may use them, and exit\n";

/* The first of the candidate directories that holds probe. */
static bool find_dir(const char *opt, const char *env, const char *src, const char *installed,
                     const char *probe, char *out, size_t cap)
{
    const char *e = env ? getenv(env) : NULL;
    if (opt) {
        snprintf(out, cap, "%s", opt);
        return ag_dir_has(out, probe);
    }
    if (e && *e) {
        snprintf(out, cap, "%s", e);
        return ag_dir_has(out, probe);
    }
    if (ag_dir_has(src, probe)) {
        snprintf(out, cap, "%s", src);
        return true;
    }
    return ag_beside_program(installed, probe, out, cap);
}

int cmd_serve(int argc, char **argv)
{
    const char *db = NULL, *listen = NULL, *threads = NULL, *tile_url = NULL, *web = NULL;
    bool secure = false, routes = false;
    const struct cli_opt opts[] = {
        {"--db", &db, NULL},           {"--listen", &listen, NULL},
        {"--threads", &threads, NULL}, {"--tile-url", &tile_url, NULL},
        {"--web", &web, NULL},         {"--secure-cookies", NULL, &secure},
        {"--routes", NULL, &routes},   {NULL, NULL, NULL}};
    const char *pos[1];
    int npos, code;
    if (tool_parse(argc, argv, opts, pos, 0, &npos, HELP, &code))
        return code;
    if (routes) {
        srv_print_routes();
        return EXIT_OK;
    }
    struct srv_config cfg = {0};
    cfg.db = tool_db_path(db);
    cfg.listen = listen ? listen : "127.0.0.1:8080";
    cfg.tile_url = tile_url;
    cfg.secure_cookies = secure;
    if (threads) {
        char *end;
        long n = strtol(threads, &end, 10);
        if (*end || n < 1 || n > 64)
            return tool_usage("serve: --threads \"%s\": expected 1 to 64", threads);
        cfg.threads = (unsigned)n;
    }
    if (tile_url && (strncmp(tile_url, "https://", 8) && strncmp(tile_url, "http://", 7)))
        return tool_usage("serve: --tile-url: expected an http(s) URL with {z}, {x} and {y}");
    static char webdir[4096], vendordir[4096];
    if (!find_dir(web, "AGORA_WEB_DIR", AGORA_WEBDIR_SRC, "../share/agora/web", "index.html",
                  webdir, sizeof webdir))
        return tool_usage("serve: no front end found%s%s (expected index.html there)",
                          web ? " in " : "", web ? web : "");
    if (!find_dir(NULL, "AGORA_VENDOR_DIR", AGORA_VENDORDIR_SRC, "../share/agora/vendor",
                  "leaflet/dist/leaflet.js", vendordir, sizeof vendordir))
        fprintf(stderr, "agora: warning: Leaflet not found (run scripts/npm-install); the map "
                        "will not draw\n");
    cfg.webdir = webdir;
    cfg.vendordir = vendordir;
    struct ag_error err = {0};
    int rc = srv_run(&cfg, &err);
    return rc ? tool_fail(&err) : EXIT_OK;
}
