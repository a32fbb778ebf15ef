/* The data tables that drive the OSM import (data/README.md).
 * SPDX-License-Identifier: EUPL-1.2 */
#include "osm/rules.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RULES_FILE_MAX (1u << 20)
#define MAX_FIELDS 16

/* Splits one CSV line on commas in place. The tables are written by the
 * project and hold no quoted fields; a quote is refused so that a table edited
 * into RFC 4180 form fails loudly instead of being misread. */
static int split_line(char *line, char **fields, int max, const char *file,
                      int lineno, struct ag_error *err)
{
    int n = 0;
    char *p = line;
    for (;;) {
        if (n == max)
            return ag_error_set(err, AG_EPARSE, "%s:%d: more than %d fields", file,
                                lineno, max);
        fields[n++] = p;
        char *c = strchr(p, ',');
        if (!c)
            break;
        *c = '\0';
        p = c + 1;
    }
    for (int i = 0; i < n; i++)
        if (strchr(fields[i], '"'))
            return ag_error_set(err, AG_EPARSE,
                                "%s:%d: field %d: quotes are not allowed in this table",
                                file, lineno, i + 1);
    return n;
}

typedef int (*row_fn)(struct ag_osm_rules *r, char **f, int n, const char *file,
                      int lineno, struct ag_error *err);

static int load_table(struct ag_osm_rules *r, const char *datadir, const char *name,
                      const char *header, row_fn fn, struct ag_error *err)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", datadir, name);
    struct ag_buf b;
    ag_buf_init(&b, RULES_FILE_MAX);
    int rc = ag_file_read(path, &b, err);
    if (rc) {
        ag_buf_free(&b);
        return rc;
    }
    char *save = NULL;
    int lineno = 0;
    int rows = 0;
    for (char *line = strtok_r(b.data, "\n", &save); line;
         line = strtok_r(NULL, "\n", &save)) {
        lineno++;
        size_t len = strlen(line);
        if (len && line[len - 1] == '\r')
            line[--len] = '\0';
        if (lineno == 1) {
            if (strcmp(line, header) != 0) {
                rc = ag_error_set(err, AG_EPARSE, "%s:1: expected the header \"%s\"",
                                  path, header);
                break;
            }
            continue;
        }
        if (!len || line[0] == '#')
            continue;
        char *f[MAX_FIELDS];
        int n = split_line(line, f, MAX_FIELDS, path, lineno, err);
        if (n < 0) {
            rc = n;
            break;
        }
        rc = fn(r, f, n, path, lineno, err);
        if (rc)
            break;
        rows++;
    }
    if (!rc && rows == 0)
        rc = ag_error_set(err, AG_EEMPTY, "%s: the table has no rows", path);
    ag_buf_free(&b);
    return rc;
}

static int want_fields(int n, int want, const char *file, int lineno,
                       struct ag_error *err)
{
    if (n != want)
        return ag_error_set(err, AG_EPARSE, "%s:%d: expected %d fields, found %d", file,
                            lineno, want, n);
    return 0;
}

static int space_row(struct ag_osm_rules *r, char **f, int n, const char *file,
                     int lineno, struct ag_error *err)
{
    int rc = want_fields(n, 8, file, lineno, err);
    if (rc)
        return rc;
    struct ag__space_rule sr = {0};
    if (!f[0][0] || !f[1][0] || !f[2][0])
        return ag_error_set(err, AG_EPARSE, "%s:%d: kind, key and value are required",
                            file, lineno);
    if (!strcmp(f[3], "area"))
        sr.is_line = false;
    else if (!strcmp(f[3], "line"))
        sr.is_line = true;
    else
        return ag_error_set(err, AG_EPARSE,
                            "%s:%d: field geometry: expected \"area\" or \"line\", found \"%s\"",
                            file, lineno, f[3]);
    if (!f[4][0] != !f[5][0])
        return ag_error_set(err, AG_EPARSE,
                            "%s:%d: also_key and also_value must be given together", file,
                            lineno);
    sr.default_width_m = 0;
    if (sr.is_line) {
        if (!ag_parse_double(f[6], &sr.default_width_m) || sr.default_width_m <= 0)
            return ag_error_set(err, AG_EPARSE,
                                "%s:%d: field default_width_m: expected a width in metres "
                                "for a line rule, found \"%s\"",
                                file, lineno, f[6]);
    } else if (f[6][0]) {
        return ag_error_set(err, AG_EPARSE,
                            "%s:%d: field default_width_m: only line rules take a width",
                            file, lineno);
    }
    sr.kind = ag_strdup(f[0]);
    sr.key = ag_strdup(f[1]);
    sr.value = ag_strdup(f[2]);
    sr.also_key = f[4][0] ? ag_strdup(f[4]) : NULL;
    sr.also_value = f[5][0] ? ag_strdup(f[5]) : NULL;
    sr.label = ag_strdup(f[7]);
    if (!ag_vec_push(&r->space_rules, &sr))
        return ag_error_set(err, AG_ENOMEM, "out of memory");
    return 0;
}

static bool parse_yes_no(const char *s, bool *out)
{
    if (!strcmp(s, "yes"))
        *out = true;
    else if (!strcmp(s, "no"))
        *out = false;
    else
        return false;
    return true;
}

static int road_row(struct ag_osm_rules *r, char **f, int n, const char *file,
                    int lineno, struct ag_error *err)
{
    int rc = want_fields(n, 3, file, lineno, err);
    if (rc)
        return rc;
    struct ag__road_rule rr = {0};
    if (!strcmp(f[1], "always"))
        rr.if_wide = false;
    else if (!strcmp(f[1], "if_wide"))
        rr.if_wide = true;
    else
        return ag_error_set(err, AG_EPARSE,
                            "%s:%d: field access: expected \"always\" or \"if_wide\", found \"%s\"",
                            file, lineno, f[1]);
    if (!ag_parse_double(f[2], &rr.default_width_m) || rr.default_width_m <= 0)
        return ag_error_set(err, AG_EPARSE,
                            "%s:%d: field default_width_m: expected metres, found \"%s\"",
                            file, lineno, f[2]);
    rr.highway = ag_strdup(f[0]);
    if (!ag_vec_push(&r->road_rules, &rr))
        return ag_error_set(err, AG_ENOMEM, "out of memory");
    return 0;
}

static int barrier_row(struct ag_osm_rules *r, char **f, int n, const char *file,
                       int lineno, struct ag_error *err)
{
    int rc = want_fields(n, 3, file, lineno, err);
    if (rc)
        return rc;
    struct ag__barrier_rule br = {0};
    if (!parse_yes_no(f[1], &br.blocks_vehicle))
        return ag_error_set(err, AG_EPARSE,
                            "%s:%d: field blocks_vehicle: expected \"yes\" or \"no\", found \"%s\"",
                            file, lineno, f[1]);
    br.barrier = ag_strdup(f[0]);
    if (!ag_vec_push(&r->barrier_rules, &br))
        return ag_error_set(err, AG_ENOMEM, "out of memory");
    return 0;
}

int ag_osm_rules_load(struct ag_osm_rules **out, const char *datadir,
                      struct ag_error *err)
{
    struct ag_osm_rules *r = calloc(1, sizeof *r);
    if (!r)
        return ag_error_set(err, AG_ENOMEM, "out of memory");
    ag_vec_init(&r->space_rules, sizeof(struct ag__space_rule));
    ag_vec_init(&r->road_rules, sizeof(struct ag__road_rule));
    ag_vec_init(&r->barrier_rules, sizeof(struct ag__barrier_rule));
    int rc = load_table(r, datadir, "space-tags.csv",
                        "kind,key,value,geometry,also_key,also_value,default_width_m,label",
                        space_row, err);
    if (!rc)
        rc = load_table(r, datadir, "road-classes.csv", "highway,access,default_width_m",
                        road_row, err);
    if (!rc)
        rc = load_table(r, datadir, "barrier-types.csv", "barrier,blocks_vehicle,note",
                        barrier_row, err);
    if (rc) {
        ag_osm_rules_free(r);
        return rc;
    }
    /* Distinct kinds in table order, for listings and the oracle test. */
    size_t n = r->space_rules.len;
    r->kinds = calloc(n ? n : 1, sizeof *r->kinds);
    if (!r->kinds) {
        ag_osm_rules_free(r);
        return ag_error_set(err, AG_ENOMEM, "out of memory");
    }
    for (size_t i = 0; i < n; i++) {
        const char *k = AG_VEC_AT(&r->space_rules, struct ag__space_rule, i).kind;
        bool seen = false;
        for (size_t j = 0; j < r->nkinds; j++)
            seen |= !strcmp(r->kinds[j], k);
        if (!seen)
            r->kinds[r->nkinds++] = k;
    }
    *out = r;
    return 0;
}

void ag_osm_rules_free(struct ag_osm_rules *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->space_rules.len; i++) {
        struct ag__space_rule *s = &AG_VEC_AT(&r->space_rules, struct ag__space_rule, i);
        free(s->kind);
        free(s->key);
        free(s->value);
        free(s->also_key);
        free(s->also_value);
        free(s->label);
    }
    for (size_t i = 0; i < r->road_rules.len; i++)
        free(AG_VEC_AT(&r->road_rules, struct ag__road_rule, i).highway);
    for (size_t i = 0; i < r->barrier_rules.len; i++)
        free(AG_VEC_AT(&r->barrier_rules, struct ag__barrier_rule, i).barrier);
    ag_vec_free(&r->space_rules);
    ag_vec_free(&r->road_rules);
    ag_vec_free(&r->barrier_rules);
    free(r->kinds);
    free(r);
}

size_t ag_osm_rules_kinds(const struct ag_osm_rules *r, const char ***kinds)
{
    *kinds = r->kinds;
    return r->nkinds;
}

const struct ag__road_rule *ag__osm_road_rule(const struct ag_osm_rules *r,
                                              const char *highway)
{
    for (size_t i = 0; i < r->road_rules.len; i++) {
        const struct ag__road_rule *rr = &AG_VEC_AT(&r->road_rules, struct ag__road_rule, i);
        if (!strcmp(rr->highway, highway))
            return rr;
    }
    return NULL;
}

const struct ag__barrier_rule *ag__osm_barrier_rule(const struct ag_osm_rules *r,
                                                    const char *barrier)
{
    for (size_t i = 0; i < r->barrier_rules.len; i++) {
        const struct ag__barrier_rule *br =
            &AG_VEC_AT(&r->barrier_rules, struct ag__barrier_rule, i);
        if (!strcmp(br->barrier, barrier))
            return br;
    }
    return NULL;
}
