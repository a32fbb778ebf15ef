/* Vehicle classes: loading and checking data/vehicle-classes.csv or a user's
 * --classes FILE (docs/methodology.md §9). The file is untrusted input: its
 * size is bounded, its header must match exactly, and every field is checked;
 * an error names the file, the line and the column.
 * SPDX-License-Identifier: EUPL-1.2 */
#include "agora/vehicle.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CLASSES_FILE_MAX (1u << 20) /* 1 MiB: the shipped table is ~3 KiB */
#define ID_MAX 15
#define DESCRIPTION_MAX 200
#define SOURCE_MAX 2000

enum {
    COL_ID,
    COL_DESCRIPTION,
    COL_MASS,
    COL_ACCEL,
    COL_POWER,
    COL_SPEED,
    COL_LATERAL,
    COL_WIDTH,
    COL_SOURCE,
    NCOLS
};

static const char *const col_names[NCOLS] = {
    "id",       "description",   "mass_kg",           "accel_ms2",
    "power_kw", "max_speed_kmh", "lateral_accel_ms2", "width_m",
    "source",
};

/* Accepted ranges, in the table's own units (kg, m/s², kW, km/h, m/s², m).
 * Wide enough for any road vehicle, narrow enough to catch a value typed in
 * the wrong unit (W for kW, m/s for km/h, g for m/s²). */
static const struct {
    int col;
    double lo, hi;
    const char *unit;
} ranges[] = {
    {COL_MASS, 100, 100000, "kg"}, {COL_ACCEL, 0.1, 15, "m/s²"},   {COL_POWER, 1, 2000, "kW"},
    {COL_SPEED, 5, 300, "km/h"},   {COL_LATERAL, 0.5, 15, "m/s²"}, {COL_WIDTH, 0.5, 3.5, "m"},
};

static bool id_ok(const char *s)
{
    size_t n = strlen(s);
    if (n < 1 || n > ID_MAX)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '-'))
            return false;
    }
    return true;
}

/* Splits a line on commas in place; returns the number of fields (which may
 * exceed max: only the first max are stored). */
static int split(char *line, char **f, int max)
{
    int n = 0;
    char *p = line;
    for (;;) {
        if (n < max)
            f[n] = p;
        n++;
        char *c = strchr(p, ',');
        if (!c)
            return n;
        *c = '\0';
        p = c + 1;
    }
}

/* Explains a header that is not exactly the expected one, naming the first
 * missing or unexpected column. */
static int header_error(const char *path, char *line, struct ag_error *err)
{
    char q[64];
    char *f[NCOLS + 1];
    int n = split(line, f, NCOLS + 1);
    int have = n < NCOLS + 1 ? n : NCOLS + 1;
    for (int c = 0; c < NCOLS; c++) {
        bool found = false;
        for (int i = 0; i < have; i++)
            found |= !strcmp(f[i], col_names[c]);
        if (!found)
            return ag_error_set(err, AG_EPARSE,
                                "%s:1: header: missing column \"%s\" (expected the header "
                                "\"id,description,mass_kg,accel_ms2,power_kw,max_speed_kmh,"
                                "lateral_accel_ms2,width_m,source\")",
                                path, col_names[c]);
    }
    for (int i = 0; i < have; i++) {
        bool known = false;
        for (int c = 0; c < NCOLS; c++)
            known |= !strcmp(f[i], col_names[c]);
        if (!known)
            return ag_error_set(err, AG_EPARSE,
                                "%s:1: header: unexpected column \"%s\" (column %d); the "
                                "columns are id,description,mass_kg,accel_ms2,power_kw,"
                                "max_speed_kmh,lateral_accel_ms2,width_m,source",
                                path, ag_excerpt(f[i], q, sizeof q), i + 1);
    }
    if (n > NCOLS)
        return ag_error_set(err, AG_EPARSE,
                            "%s:1: header: %d columns, expected %d (a column is repeated)", path, n,
                            NCOLS);
    for (int i = 0; i < NCOLS; i++)
        if (strcmp(f[i], col_names[i]))
            return ag_error_set(err, AG_EPARSE,
                                "%s:1: header: column %d is \"%s\", expected \"%s\" (the "
                                "columns must come in this order: id,description,mass_kg,"
                                "accel_ms2,power_kw,max_speed_kmh,lateral_accel_ms2,width_m,"
                                "source)",
                                path, i + 1, ag_excerpt(f[i], q, sizeof q), col_names[i]);
    return ag_error_set(err, AG_EPARSE, "%s:1: header: not the expected header", path);
}

static void class_free(struct ag_vehicle_class *v)
{
    free(v->id);
    free(v->description);
    free(v->source);
}

static int parse_row(const char *path, int lineno, char **f, const struct ag_vec *rows,
                     const int *row_lines, struct ag_vehicle_class *out, struct ag_error *err)
{
    char q[64];
    /* id */
    if (!id_ok(f[COL_ID]))
        return ag_error_set(err, AG_EPARSE,
                            "%s:%d: column id: expected 1 to %d of A-Z a-z 0-9 _ -, found \"%s\"",
                            path, lineno, ID_MAX, ag_excerpt(f[COL_ID], q, sizeof q));
    for (size_t i = 0; i < rows->len; i++)
        if (!strcmp(AG_VEC_AT(rows, struct ag_vehicle_class, i).id, f[COL_ID]))
            return ag_error_set(err, AG_EPARSE,
                                "%s:%d: column id: duplicate id \"%s\" (first on line %d)", path,
                                lineno, f[COL_ID], row_lines[i]);
    /* text columns */
    static const struct {
        int col;
        size_t max;
    } texts[] = {{COL_DESCRIPTION, DESCRIPTION_MAX}, {COL_SOURCE, SOURCE_MAX}};
    for (size_t t = 0; t < sizeof texts / sizeof texts[0]; t++) {
        const char *s = f[texts[t].col];
        const char *name = col_names[texts[t].col];
        size_t len = strlen(s);
        if (!len)
            return ag_error_set(err, AG_EPARSE, "%s:%d: column %s: expected text, found nothing",
                                path, lineno, name);
        if (len > texts[t].max)
            return ag_error_set(err, AG_EPARSE,
                                "%s:%d: column %s: %zu bytes, more than the limit of %zu", path,
                                lineno, name, len, texts[t].max);
        if (!ag_text_ok(s))
            return ag_error_set(err, AG_EPARSE,
                                "%s:%d: column %s: expected UTF-8 text without control "
                                "characters, found \"%s\"",
                                path, lineno, name, ag_excerpt(s, q, sizeof q));
    }
    /* numeric columns */
    double v[NCOLS] = {0};
    for (size_t r = 0; r < sizeof ranges / sizeof ranges[0]; r++) {
        int c = ranges[r].col;
        if (!ag_parse_double(f[c], &v[c]) || !isfinite(v[c]))
            return ag_error_set(err, AG_EPARSE, "%s:%d: column %s: expected a number, found \"%s\"",
                                path, lineno, col_names[c], ag_excerpt(f[c], q, sizeof q));
        if (!(v[c] >= ranges[r].lo && v[c] <= ranges[r].hi))
            return ag_error_set(err, AG_EPARSE,
                                "%s:%d: column %s: %s is out of range (expected %g to %g %s)", path,
                                lineno, col_names[c], ag_excerpt(f[c], q, sizeof q), ranges[r].lo,
                                ranges[r].hi, ranges[r].unit);
    }
    out->mass_kg = v[COL_MASS];
    out->accel_ms2 = v[COL_ACCEL];
    out->power_w = v[COL_POWER] * 1000.0;
    out->max_speed_ms = v[COL_SPEED] / 3.6;
    out->lateral_accel_ms2 = v[COL_LATERAL];
    out->width_m = v[COL_WIDTH];
    out->id = ag_strdup(f[COL_ID]);
    out->description = ag_strdup(f[COL_DESCRIPTION]);
    out->source = ag_strdup(f[COL_SOURCE]);
    if (!out->id || !out->description || !out->source) {
        class_free(out);
        return ag_error_set(err, AG_ENOMEM, "%s:%d: out of memory", path, lineno);
    }
    return 0;
}

void ag_vehicle_classes_free(struct ag_vehicle_classes *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->n; i++)
        class_free(&c->v[i]);
    free(c->v);
    c->v = NULL;
    c->n = 0;
}

int ag_vehicle_classes_load(const char *path, struct ag_vehicle_classes *out, struct ag_error *err)
{
    if (!out)
        return ag_error_set(err, AG_EINVAL, "ag_vehicle_classes_load: no output table");
    out->v = NULL;
    out->n = 0;
    if (!path || !*path)
        return ag_error_set(err, AG_EINVAL, "vehicle classes: no file name given");

    struct ag_buf b;
    ag_buf_init(&b, CLASSES_FILE_MAX);
    int rc = ag_file_read(path, &b, err);
    if (rc) {
        ag_buf_free(&b);
        return rc;
    }

    struct ag_vec rows;
    ag_vec_init(&rows, sizeof(struct ag_vehicle_class));
    struct ag_vec lines; /* line number of each row, for duplicate messages */
    ag_vec_init(&lines, sizeof(int));

    char *p = b.data;
    char *end = b.data + b.len;
    if (memchr(p, '\0', b.len)) {
        /* Name the line of the first NUL byte. */
        const char *nul = memchr(p, '\0', b.len);
        int ln = 1;
        for (const char *s = p; s < nul; s++)
            ln += *s == '\n';
        rc = ag_error_set(err, AG_EPARSE, "%s:%d: contains a NUL byte: not a text file", path, ln);
        goto done;
    }
    if (b.len >= 3 && !memcmp(p, "\xef\xbb\xbf", 3))
        p += 3; /* a UTF-8 byte-order mark, as spreadsheets write it */

    int lineno = 0;
    bool header_seen = false;
    while (p < end) {
        char *nl = memchr(p, '\n', (size_t)(end - p));
        char *line = p;
        char *stop = nl ? nl : end;
        p = nl ? nl + 1 : end;
        *stop = '\0';
        lineno++;
        size_t len = (size_t)(stop - line);
        if (len && line[len - 1] == '\r')
            line[--len] = '\0';
        if (!header_seen) {
            if (!len && p >= end)
                break; /* the whole file is one empty line */
            header_seen = true;
            if (strcmp(line, "id,description,mass_kg,accel_ms2,power_kw,max_speed_kmh,"
                             "lateral_accel_ms2,width_m,source") != 0) {
                rc = header_error(path, line, err);
                goto done;
            }
            continue;
        }
        /* Blank lines and # comments are allowed between rows. */
        size_t k = strspn(line, " \t");
        if (line[k] == '\0' || line[k] == '#')
            continue;
        if (strchr(line, '"')) {
            rc = ag_error_set(err, AG_EPARSE,
                              "%s:%d: quotes are not allowed in this table (write ';' instead "
                              "of ',' inside the source column)",
                              path, lineno);
            goto done;
        }
        char *f[NCOLS];
        int n = split(line, f, NCOLS);
        if (n != NCOLS) {
            /* Name the column where the row stops or overflows. */
            if (n < NCOLS)
                rc = ag_error_set(err, AG_EPARSE,
                                  "%s:%d: column %s: missing (found %d of %d columns)", path,
                                  lineno, col_names[n], n, NCOLS);
            else
                rc = ag_error_set(err, AG_EPARSE,
                                  "%s:%d: column source: %d columns, expected %d (a comma "
                                  "inside a field? write ';' instead)",
                                  path, lineno, n, NCOLS);
            goto done;
        }
        struct ag_vehicle_class vc = {0};
        rc = parse_row(path, lineno, f, &rows, lines.data, &vc, err);
        if (rc)
            goto done;
        if (!ag_vec_push(&lines, &lineno) || !ag_vec_push(&rows, &vc)) {
            class_free(&vc); /* not in rows: that push is the last to fail */
            rc = ag_error_set(err, AG_ENOMEM, "%s:%d: out of memory", path, lineno);
            goto done;
        }
    }
    if (!header_seen) {
        rc = ag_error_set(err, AG_EEMPTY,
                          "%s:1: empty file: expected the header \"id,description,mass_kg,"
                          "accel_ms2,power_kw,max_speed_kmh,lateral_accel_ms2,width_m,source\"",
                          path);
        goto done;
    }
    if (rows.len == 0) {
        rc = ag_error_set(err, AG_EEMPTY, "%s:%d: no vehicle classes after the header", path,
                          lineno);
        goto done;
    }
    out->v = rows.data;
    out->n = rows.len;
    rows.data = NULL;
    rows.len = rows.cap = 0;

done:
    for (size_t i = 0; i < rows.len; i++)
        class_free(&AG_VEC_AT(&rows, struct ag_vehicle_class, i));
    ag_vec_free(&rows);
    ag_vec_free(&lines);
    ag_buf_free(&b);
    return rc;
}

const struct ag_vehicle_class *ag_vehicle_class_find(const struct ag_vehicle_classes *c,
                                                     const char *id)
{
    if (!c || !id)
        return NULL;
    for (size_t i = 0; i < c->n; i++)
        if (!strcmp(c->v[i].id, id))
            return &c->v[i];
    return NULL;
}
