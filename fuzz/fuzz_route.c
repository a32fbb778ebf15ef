/* libFuzzer target: the request paths agora serve parses itself (the API
 * route patterns with their parameters, and static file paths).
 * Invariants: a static path accepted never climbs out of its directory,
 * and matched parameters are in range.
 * SPDX-License-Identifier: EUPL-1.2 */
#include "server/server.h"

#include <stdlib.h>
#include <string.h>

/* The route table of the server, without handlers (the harness only
 * matches). */
const struct route srv_routes[] = {
    {"GET", "/api/v1/i18n/{lang}", ACC_PUBLIC, false, NULL},
    {"GET", "/api/v1/cities/{cid}/tiles/{z}/{x}/{y}", ACC_VIEWER, false, NULL},
    {"GET", "/api/v1/cities/{cid}/spaces/{sid}/vehicle", ACC_VIEWER, false, NULL},
    {"PUT", "/api/v1/cities/{cid}/assessments/{aid}", ACC_ASSESSOR, false, NULL},
    {"PUT", "/api/v1/cities/{cid}/members/{user}", ACC_COORDINATOR, false, NULL},
    {"DELETE", "/api/v1/cities/{cid}/members/{user}", ACC_COORDINATOR, false, NULL},
};
const size_t srv_nroutes = sizeof srv_routes / sizeof srv_routes[0];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 4096)
        return 0;
    char *url = malloc(size + 1);
    if (!url)
        return 0;
    memcpy(url, data, size);
    url[size] = 0;
    static const char *const methods[] = {"GET", "PUT", "DELETE", "HEAD"};
    struct req r;
    memset(&r, 0, sizeof r);
    r.method = methods[size % 4];
    bool other;
    const struct route *rt = srv_route_find(&r, url, &other);
    if (rt) {
        if (strstr(rt->pattern, "{cid}") && r.cid < 1)
            abort();
        if (strstr(rt->pattern, "{z}") && (r.z < 0 || r.x < 0 || r.y < 0))
            abort();
        if (strstr(rt->pattern, "{user}") && !ag_user_name_ok(r.name))
            abort();
        if (strstr(rt->pattern, "{lang}") && !ag_i18n_lang_ok(r.lang))
            abort();
    }
    char rel[512];
    bool vendor;
    if (srv_static_path(url, rel, sizeof rel, &vendor)) {
        if (rel[0] != '/' || strstr(rel, "/.") || strstr(rel, "//") || strchr(rel, '\\'))
            abort();
    }
    free(url);
    return 0;
}
