/* agora serve: matching a request path to a route and its parameters, and
 * the static file paths served; no HTTP library here, so that the fuzz
 * target fuzz_route can take these parsers of outside input on their own.
 * SPDX-License-Identifier: EUPL-1.2 */
#include "server/server.h"

#include <stdio.h>
#include <string.h>

/* ---------- routing ---------- */

#define MAX_SEGS 12

static int split(char *path, char **segs)
{
    int n = 0;
    char *save = NULL;
    for (char *t = strtok_r(path, "/", &save); t; t = strtok_r(NULL, "/", &save)) {
        if (n == MAX_SEGS)
            return -1;
        segs[n++] = t;
    }
    return n;
}

static bool parse_id(const char *s, int64_t *out)
{
    if (!*s || strlen(s) > 15)
        return false;
    int64_t v = 0;
    for (const char *p = s; *p; p++) {
        if (*p < '0' || *p > '9')
            return false;
        v = v * 10 + (*p - '0');
    }
    if (v < 1)
        return false;
    *out = v;
    return true;
}

static bool parse_small(const char *s, int *out)
{
    int64_t v = 0;
    if (!strcmp(s, "0")) {
        *out = 0;
        return true;
    }
    if (!parse_id(s, &v) || v > (1 << 24))
        return false;
    *out = (int)v;
    return true;
}

/* Matches the path segments against a pattern, filling r's parameters. */
static bool match(struct req *r, const char *pattern, char **segs, int n)
{
    char buf[256];
    snprintf(buf, sizeof buf, "%s", pattern);
    char *ps[MAX_SEGS];
    int np = split(buf, ps);
    if (np != n)
        return false;
    for (int i = 0; i < n; i++) {
        const char *p = ps[i], *s = segs[i];
        if (p[0] != '{') {
            if (strcmp(p, s))
                return false;
        } else if (!strcmp(p, "{cid}")) {
            if (!parse_id(s, &r->cid))
                return false;
        } else if (!strcmp(p, "{sid}")) {
            if (!parse_id(s, &r->sid))
                return false;
        } else if (!strcmp(p, "{aid}")) {
            if (!parse_id(s, &r->aid))
                return false;
        } else if (!strcmp(p, "{pid}")) {
            if (!parse_id(s, &r->pid))
                return false;
        } else if (!strcmp(p, "{mid}")) {
            if (!parse_id(s, &r->mid))
                return false;
        } else if (!strcmp(p, "{action}")) {
            if (!parse_id(s, &r->action))
                return false;
        } else if (!strcmp(p, "{meeting}")) {
            if (!parse_id(s, &r->meeting))
                return false;
        } else if (!strcmp(p, "{practice}")) {
            if (!parse_id(s, &r->practice))
                return false;
        } else if (!strcmp(p, "{link}")) {
            if (!parse_id(s, &r->link))
                return false;
        } else if (!strcmp(p, "{vid}")) {
            if (!parse_id(s, &r->vid))
                return false;
        } else if (!strcmp(p, "{z}")) {
            if (!parse_small(s, &r->z))
                return false;
        } else if (!strcmp(p, "{x}")) {
            if (!parse_small(s, &r->x))
                return false;
        } else if (!strcmp(p, "{y}")) {
            if (!parse_small(s, &r->y))
                return false;
        } else if (!strcmp(p, "{lang}")) {
            if (!ag_i18n_lang_ok(s))
                return false;
            snprintf(r->lang, sizeof r->lang, "%s", s);
        } else if (!strcmp(p, "{user}")) {
            if (!ag_user_name_ok(s))
                return false;
            snprintf(r->name, sizeof r->name, "%s", s);
        } else if (!strcmp(p, "{token}")) {
            /* a survey's public token: base64url */
            size_t n = strlen(s);
            if (n < 20 || n >= sizeof r->item ||
                strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-") != n)
                return false;
            snprintf(r->item, sizeof r->item, "%s", s);
        } else if (!strcmp(p, "{item}")) {
            /* a lesson or exercise id: lower-case letters, digits, - */
            size_t n = strlen(s);
            if (n < 1 || n >= sizeof r->item ||
                strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789-") != n)
                return false;
            snprintf(r->item, sizeof r->item, "%s", s);
        } else
            return false;
    }
    return true;
}

bool srv_route_match(struct req *r, const char *pattern, const char *path)
{
    char buf[1024];
    if (strlen(path) >= sizeof buf)
        return false;
    snprintf(buf, sizeof buf, "%s", path);
    char *segs[MAX_SEGS];
    int n = split(buf, segs);
    return n > 0 && match(r, pattern, segs, n);
}

const struct route *srv_route_find(struct req *r, const char *path, bool *other_method)
{
    const char *m = !strcmp(r->method, "HEAD") ? "GET" : r->method;
    *other_method = false;
    for (size_t i = 0; i < srv_nroutes; i++) {
        if (!srv_route_match(r, srv_routes[i].pattern, path))
            continue;
        if (!strcmp(srv_routes[i].method, m))
            return &srv_routes[i];
        *other_method = true;
    }
    return NULL;
}

/* A path segment we serve: letters, digits, - _ . and not starting with a
 * dot (no "..", no hidden files). */
static bool segment_ok(const char *s, size_t n)
{
    if (n == 0 || s[0] == '.')
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_' || c == '.'))
            return false;
    }
    return true;
}

bool srv_static_path(const char *url, char *rel, size_t cap, bool *vendor)
{
    static const char VENDOR[] = "/vendor/leaflet/";
    *vendor = false;
    if (!strcmp(url, "/"))
        url = "/index.html";
    if (!strncmp(url, VENDOR, sizeof VENDOR - 1)) {
        *vendor = true;
        if ((size_t)snprintf(rel, cap, "/leaflet/dist/%s", url + sizeof VENDOR - 1) >= cap)
            return false;
    } else if ((size_t)snprintf(rel, cap, "%s", url) >= cap)
        return false;
    if (rel[0] != '/')
        return false;
    /* every segment checked: no traversal, no hidden files */
    const char *p = rel;
    while (*p == '/') {
        const char *q = strchr(p + 1, '/');
        size_t n = q ? (size_t)(q - p - 1) : strlen(p + 1);
        if (!segment_ok(p + 1, n))
            return false;
        p = q ? q : p + 1 + n;
    }
    return *p == 0;
}
