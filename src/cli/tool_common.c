/* SPDX-License-Identifier: EUPL-1.2 */
#include "cli.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int tool_parse(int argc, char **argv, const struct cli_opt *opts, const char **pos, int max_pos,
               int *npos, const char *help, int *exit_code)
{
    *npos = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            fputs(help, stdout);
            *exit_code = EXIT_OK;
            return 1;
        }
        if (a[0] == '-' && a[1] == '-' && a[2]) {
            const char *eq = strchr(a, '=');
            size_t nlen = eq ? (size_t)(eq - a) : strlen(a);
            const struct cli_opt *o = opts;
            while (o && o->name && !(strlen(o->name) == nlen && !strncmp(o->name, a, nlen)))
                o++;
            if (!o || !o->name) {
                *exit_code = tool_usage("%s: unknown option %.*s (see agora %s --help)", argv[0],
                                        (int)nlen, a, argv[0]);
                return 1;
            }
            if (o->flag) {
                if (eq) {
                    *exit_code = tool_usage("%s: %s takes no value", argv[0], o->name);
                    return 1;
                }
                *o->flag = true;
            } else if (eq) {
                *o->value = eq + 1;
            } else if (i + 1 < argc) {
                *o->value = argv[++i];
            } else {
                *exit_code = tool_usage("%s: %s needs a value", argv[0], o->name);
                return 1;
            }
            continue;
        }
        if (*npos == max_pos) {
            *exit_code = tool_usage("%s: unexpected argument \"%s\" (see agora %s --help)", argv[0],
                                    a, argv[0]);
            return 1;
        }
        pos[(*npos)++] = a;
    }
    return 0;
}

int tool_usage(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("agora: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    return EXIT_USAGE;
}

int tool_id(const char *s, const char *cmd, const char *what, const char *hint, int64_t *out)
{
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno || *end || end == s || v < 1)
        return tool_usage("%s: \"%s\" is not %s (%s)", cmd, s, what, hint);
    *out = v;
    return 0;
}

int tool_exit_code(int code)
{
    switch (code) {
    case AG_OK:
        return EXIT_OK;
    case AG_EINVAL:
    case AG_ENOENT:
    case AG_EPARSE:
    case AG_EEMPTY:
    case AG_EGEOM:
    case AG_EREADONLY:
    case AG_ENOTFOUND:
    case AG_ELIMIT:
    case AG_EAMBIG:
        return EXIT_USAGE;
    default:
        return EXIT_FAIL;
    }
}

int tool_fail(const struct ag_error *err)
{
    fprintf(stderr, "agora: error: %s\n", err->msg[0] ? err->msg : ag_strerror(err->code));
    return tool_exit_code(err->code);
}

const char *tool_db_path(const char *opt)
{
    if (opt && *opt)
        return opt;
    const char *env = getenv("AGORA_DB");
    return env && *env ? env : "agora.db";
}

int tool_open_city(const char *db_opt, const char *city_opt, int flags, struct ag_store **store,
                   struct ag_city *city, struct ag_error *err)
{
    int rc = ag_store_open(store, tool_db_path(db_opt), flags, err);
    if (rc)
        return rc;
    rc = ag_store_city_get(*store, city_opt, city, err);
    if (rc) {
        ag_store_close(*store);
        *store = NULL;
    }
    return rc;
}

const char *tool_num(char *buf, size_t len, double v, int decimals)
{
    if (!isfinite(v)) {
        snprintf(buf, len, "-");
        return buf;
    }
    char raw[64];
    snprintf(raw, sizeof raw, "%.*f", decimals, fabs(v));
    char *dot = strchr(raw, '.');
    size_t ilen = dot ? (size_t)(dot - raw) : strlen(raw);
    char out[96];
    size_t o = 0;
    if (v < 0 && strspn(raw, "0.") != strlen(raw))
        out[o++] = '-';
    for (size_t i = 0; i < ilen; i++) {
        out[o++] = raw[i];
        size_t left = ilen - i - 1;
        if (left && left % 3 == 0)
            out[o++] = ',';
    }
    out[o] = '\0';
    snprintf(buf, len, "%s%s", out, dot ? dot : "");
    return buf;
}
