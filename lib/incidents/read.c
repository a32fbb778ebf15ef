/* Incident records from CSV and GeoJSON files (untrusted input).
 * SPDX-License-Identifier: EUPL-1.2 */
#include "agora/incident_io.h"
#include "agora/incidents.h"

#include <ctype.h>
#include <jansson.h>
#include <locale.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void ag_incident_data_init(struct ag_incident_data *d)
{
    memset(d, 0, sizeof *d);
    ag_vec_init(&d->good, sizeof(struct ag_incident));
    ag_vec_init(&d->bad, sizeof(char *));
}

void ag_incident_data_free(struct ag_incident_data *d)
{
    for (size_t i = 0; i < d->good.len; i++)
        free(AG_VEC_AT(&d->good, struct ag_incident, i).category);
    for (size_t i = 0; i < d->bad.len; i++)
        free(AG_VEC_AT(&d->bad, char *, i));
    ag_vec_free(&d->good);
    ag_vec_free(&d->bad);
    ag_incident_data_init(d);
}

/* Appends a message for a bad record. */
static int add_bad(struct ag_incident_data *d, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static int add_bad(struct ag_incident_data *d, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    char *copy = strdup(msg);
    if (!copy || !ag_vec_push(&d->bad, &copy)) {
        free(copy);
        return AG_ENOMEM;
    }
    return 0;
}

/* A field shown in a message: at most 40 bytes, control bytes and
 * non-ASCII as '?', so that a message is always printable. */
static const char *shown(const char *s, char *buf, size_t cap)
{
    size_t j = 0;
    for (; *s && j + 4 < cap && j < 40; s++)
        buf[j++] = (*s >= 0x20 && *s < 0x7f) ? *s : '?';
    if (*s && j + 3 < cap) {
        buf[j++] = '.';
        buf[j++] = '.';
        buf[j++] = '.';
    }
    buf[j] = '\0';
    return buf;
}

/* ---- numbers and times ---- */

/* A decimal number: [sign] digits [. digits] [e [sign] digits], spaces
 * around allowed; with decimal_comma a ',' stands for the '.'. No hex, no
 * inf or nan. Parsed by strtod in the C locale (the caller switched). */
static bool parse_number(const char *s, bool decimal_comma, double *v)
{
    char tmp[128];
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    if (!n || n >= sizeof tmp)
        return false;
    memcpy(tmp, s, n);
    tmp[n] = '\0';
    size_t i = 0, digits = 0;
    if (tmp[i] == '+' || tmp[i] == '-')
        i++;
    while (isdigit((unsigned char)tmp[i]))
        i++, digits++;
    char point = decimal_comma ? ',' : '.';
    if (tmp[i] == point) {
        tmp[i++] = '.';
        while (isdigit((unsigned char)tmp[i]))
            i++, digits++;
    }
    if (!digits)
        return false;
    if (tmp[i] == 'e' || tmp[i] == 'E') {
        i++;
        if (tmp[i] == '+' || tmp[i] == '-')
            i++;
        if (!isdigit((unsigned char)tmp[i]))
            return false;
        while (isdigit((unsigned char)tmp[i]))
            i++;
    }
    if (tmp[i])
        return false;
    char *end;
    *v = strtod(tmp, &end);
    return *end == '\0' && isfinite(*v);
}

/* Reads exactly `width` digits (min_w..max_w) at *s. */
static bool take_digits(const char **s, int min_w, int max_w, int *v)
{
    int n = 0, x = 0;
    while (n < max_w && isdigit((unsigned char)(*s)[n])) {
        x = x * 10 + ((*s)[n] - '0');
        n++;
    }
    if (n < min_w)
        return false;
    *s += n;
    *v = x;
    return true;
}

static int time_error(struct ag_error *err, const char *s, const char *format)
{
    char b[64];
    if (format)
        return ag_error_set(err, AG_EPARSE, "\"%s\" does not match the time format \"%s\"",
                            shown(s, b, sizeof b), format);
    return ag_error_set(err, AG_EPARSE,
                        "\"%s\" is not a date (expected YYYY-MM-DD, optionally with a time "
                        "HH:MM or HH:MM:SS after a space or T)",
                        shown(s, b, sizeof b));
}

static int parse_iso(const char *s, struct ag_civil *c, bool *has_time)
{
    const char *p = s;
    if (!take_digits(&p, 4, 4, &c->year) || *p++ != '-' || !take_digits(&p, 2, 2, &c->month) ||
        *p++ != '-' || !take_digits(&p, 2, 2, &c->day))
        return -1;
    *has_time = false;
    if (*p == 'T' || *p == ' ') {
        p++;
        if (!take_digits(&p, 2, 2, &c->hour) || *p++ != ':' || !take_digits(&p, 2, 2, &c->minute))
            return -1;
        *has_time = true;
        if (*p == ':') {
            p++;
            if (!take_digits(&p, 2, 2, &c->second))
                return -1;
            if (*p == '.' || *p == ',') { /* fractions of a second: dropped */
                p++;
                if (!isdigit((unsigned char)*p))
                    return -1;
                while (isdigit((unsigned char)*p))
                    p++;
            }
        }
        /* A zone designator is allowed and ignored: the clock time is kept. */
        if (*p == 'Z') {
            p++;
        } else if (*p == '+' || *p == '-') {
            int hh, mm = 0;
            p++;
            if (!take_digits(&p, 2, 2, &hh))
                return -1;
            if (*p == ':')
                p++;
            if (isdigit((unsigned char)*p) && !take_digits(&p, 2, 2, &mm))
                return -1;
            if (hh > 23 || mm > 59)
                return -1;
        }
    }
    return *p ? -1 : 0;
}

static int parse_pattern(const char *s, const char *f, struct ag_civil *c, bool *has_time)
{
    bool y = false, m = false, d = false;
    *has_time = false;
    const char *p = s;
    for (; *f; f++) {
        if (*f != '%') {
            if (*p++ != *f)
                return -1;
            continue;
        }
        f++;
        bool ok;
        switch (*f) {
        case 'Y': ok = take_digits(&p, 4, 4, &c->year), y = true; break;
        case 'm': ok = take_digits(&p, 1, 2, &c->month), m = true; break;
        case 'd': ok = take_digits(&p, 1, 2, &c->day), d = true; break;
        case 'H': ok = take_digits(&p, 1, 2, &c->hour), *has_time = true; break;
        case 'M': ok = take_digits(&p, 1, 2, &c->minute); break;
        case 'S': ok = take_digits(&p, 1, 2, &c->second); break;
        case '%': ok = *p++ == '%'; break;
        default: return -2;
        }
        if (!ok)
            return -1;
    }
    if (!y || !m || !d)
        return -2;
    return *p ? -1 : 0;
}

/* A pattern holds %Y, %m and %d and no directive but those and %H %M %S %%.
 * Checked before any text, so that a bad --time-format is reported as such
 * whatever the first record holds. */
static bool format_ok(const char *f)
{
    bool y = false, m = false, d = false;
    for (; *f; f++) {
        if (*f != '%')
            continue;
        switch (*++f) {
        case 'Y': y = true; break;
        case 'm': m = true; break;
        case 'd': d = true; break;
        case 'H':
        case 'M':
        case 'S':
        case '%': break;
        default: return false; /* also a '%' that ends the pattern */
        }
    }
    return y && m && d;
}

static int format_error(struct ag_error *err, const char *format)
{
    return ag_error_set(err, AG_EINVAL,
                        "time format \"%s\": expected %%Y, %%m and %%d, and only %%Y %%m %%d "
                        "%%H %%M %%S %%%% as directives",
                        format);
}

int ag_incident_parse_time(const char *s, const char *format, int64_t *t, bool *has_time,
                           struct ag_error *err)
{
    if (format && !format_ok(format))
        return format_error(err, format);
    while (*s == ' ' || *s == '\t')
        s++;
    char tmp[80];
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    if (!n)
        return ag_error_set(err, AG_EPARSE, "empty (expected a date)");
    if (n >= sizeof tmp)
        return time_error(err, s, format);
    memcpy(tmp, s, n);
    tmp[n] = '\0';
    struct ag_civil c = {0};
    int r = format ? parse_pattern(tmp, format, &c, has_time) : parse_iso(tmp, &c, has_time);
    if (r == -2)
        return format_error(err, format);
    if (r)
        return time_error(err, tmp, format);
    if (ag_civil_to_seconds(&c, t)) {
        char b[64];
        return ag_error_set(err, AG_EPARSE, "\"%s\" is not a valid date or time of day",
                            shown(tmp, b, sizeof b));
    }
    return 0;
}

/* ---- one record ---- */

struct rec_ctx {
    const char *name;
    const char *field; /* "column" (CSV) or "property" (GeoJSON) */
    const struct ag_incident_read_opts *opts;
    const struct ag_crs *crs;
    struct ag_incident_data *d;
};

/* Checks and stores one record whose fields are given as text (CSV) or
 * already typed (GeoJSON passes text for the time and category only).
 * where: "FILE:LINE" or "FILE: feature N". Returns 0, or AG_ENOMEM. */
static int add_record(struct rec_ctx *cx, const char *where, int64_t line, double sx, double sy,
                      bool coords_ok, const char *coord_msg, const char *time_txt,
                      const char *category)
{
    const struct ag_incident_read_opts *o = cx->opts;
    struct ag_incident r = {.line = line, .sx = sx, .sy = sy};
    if (!coords_ok)
        return add_bad(cx->d, "%s: %s", where, coord_msg);
    if (!ag_crs_to_ll(cx->crs, sx, sy, &r.ll)) {
        if (ag_crs_is_geographic(cx->crs))
            return add_bad(cx->d,
                           "%s: (%.10g, %.10g) is not a longitude, latitude in %s (expected "
                           "-180..180, -90..90; projected coordinates need --crs EPSG:N)",
                           where, sx, sy, ag_crs_def(cx->crs));
        return add_bad(cx->d, "%s: (%.10g, %.10g) cannot be transformed from %s to WGS 84",
                       where, sx, sy, ag_crs_def(cx->crs));
    }
    if (o->time_col) {
        struct ag_error te;
        if (!time_txt)
            return add_bad(cx->d, "%s: %s \"%s\": no time given (expected a date)", where,
                           cx->field, o->time_col);
        if (ag_incident_parse_time(time_txt, o->time_format, &r.t, &r.has_time, &te))
            return add_bad(cx->d, "%s: %s \"%s\": %s", where, cx->field, o->time_col, te.msg);
        r.has_t = true;
    }
    if (category && *category) {
        if (!ag_text_ok(category))
            return add_bad(cx->d, "%s: %s \"%s\": expected UTF-8 text without control characters",
                           where, cx->field, o->category_col);
        size_t n = strlen(category);
        if (n > AG_INCIDENT_CATEGORY_MAX)
            return add_bad(cx->d, "%s: %s \"%s\": longer than %u bytes", where, cx->field,
                           o->category_col, AG_INCIDENT_CATEGORY_MAX);
        r.category = strdup(category);
        if (!r.category)
            return AG_ENOMEM;
    }
    if (!ag_vec_push(&cx->d->good, &r)) {
        free(r.category);
        return AG_ENOMEM;
    }
    return 0;
}

/* ---- CSV ---- */

struct csv {
    const char *p, *end;
    char delim;
    int64_t line;      /* line of the next character */
    char *buf;         /* field bytes, each NUL-terminated */
    size_t buf_len, buf_cap;
    size_t *off;       /* field offsets in buf */
    size_t nf, cap_f;
};

enum { CSV_END = 0, CSV_RECORD = 1, CSV_BADREC = 2 };

static int csv_putc(struct csv *c, char ch)
{
    if (c->buf_len + 1 >= c->buf_cap) {
        size_t cap = c->buf_cap ? c->buf_cap * 2 : 4096;
        char *nb = realloc(c->buf, cap);
        if (!nb)
            return AG_ENOMEM;
        c->buf = nb;
        c->buf_cap = cap;
    }
    c->buf[c->buf_len++] = ch;
    return 0;
}

static int csv_new_field(struct csv *c)
{
    if (c->nf == c->cap_f) {
        size_t cap = c->cap_f ? c->cap_f * 2 : 32;
        size_t *no = realloc(c->off, cap * sizeof *no);
        if (!no)
            return AG_ENOMEM;
        c->off = no;
        c->cap_f = cap;
    }
    c->off[c->nf++] = c->buf_len;
    return 0;
}

/* Reads one record. *start_line: where it began. On CSV_BADREC, why says
 * why; the record was read to its end anyway. Returns <0 for AG_ENOMEM or
 * AG_EPARSE (an unterminated quote: nothing after it can be trusted). */
static int csv_record(struct csv *c, int64_t *start_line, const char **why)
{
    c->buf_len = 0;
    c->nf = 0;
    *why = NULL;
    *start_line = c->line;
    if (c->p >= c->end)
        return CSV_END;
    if (csv_new_field(c))
        return AG_ENOMEM;
    size_t flen = 0;
    for (;;) {
        if (c->p >= c->end)
            break;
        char ch = *c->p;
        if (ch == '"' && flen == 0) {
            /* A quoted field. */
            c->p++;
            for (;;) {
                if (c->p >= c->end)
                    return AG_EPARSE;
                ch = *c->p++;
                if (ch == '"') {
                    if (c->p < c->end && *c->p == '"') {
                        c->p++;
                    } else {
                        break;
                    }
                } else if (ch == '\n') {
                    c->line++;
                }
                if (ch == '\0')
                    *why = "a NUL byte";
                if (++flen > AG_INCIDENT_FIELD_MAX) {
                    if (!*why)
                        *why = "a field longer than 4096 bytes";
                    continue;
                }
                if (csv_putc(c, ch))
                    return AG_ENOMEM;
            }
            if (c->p < c->end && *c->p != c->delim && *c->p != '\n' && *c->p != '\r' && !*why)
                *why = "text after a closing quote";
            flen = flen ? flen : 1; /* "" is a field, even if empty */
            continue;
        }
        if (ch == c->delim) {
            c->p++;
            if (csv_putc(c, '\0') || csv_new_field(c))
                return AG_ENOMEM;
            flen = 0;
            continue;
        }
        if (ch == '\n' || ch == '\r') {
            c->p++;
            if (ch == '\r' && c->p < c->end && *c->p == '\n')
                c->p++;
            c->line++;
            break;
        }
        c->p++;
        if (ch == '\0' && !*why)
            *why = "a NUL byte";
        if (++flen > AG_INCIDENT_FIELD_MAX) {
            if (!*why)
                *why = "a field longer than 4096 bytes";
            continue;
        }
        if (csv_putc(c, ch))
            return AG_ENOMEM;
    }
    if (csv_putc(c, '\0'))
        return AG_ENOMEM;
    return *why ? CSV_BADREC : CSV_RECORD;
}

/* csv_record with its failures turned into messages. */
static int csv_next(struct csv *c, int64_t *line, const char **why, const char *name,
                    struct ag_error *err)
{
    int r = csv_record(c, line, why);
    if (r == AG_EPARSE)
        return ag_error_set(err, AG_EPARSE, "%s:%lld: a quoted field is never closed", name,
                            (long long)*line);
    if (r < 0)
        return ag_error_set(err, r, "out of memory");
    return r;
}

static const char *csv_field(const struct csv *c, size_t i)
{
    return c->buf + c->off[i];
}

static bool csv_blank(const struct csv *c)
{
    return c->nf == 1 && strspn(csv_field(c, 0), " \t") == strlen(csv_field(c, 0));
}

static void trim_copy(char *dst, size_t cap, const char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    if (n >= cap)
        n = cap - 1;
    memcpy(dst, s, n);
    dst[n] = '\0';
}

/* Index of the header column named `want`, -1 when absent, -2 when two
 * columns have that name. */
static long find_col(char (*cols)[64], size_t n, const char *want)
{
    long at = -1;
    for (size_t i = 0; i < n; i++)
        if (!strcasecmp(cols[i], want)) {
            if (at >= 0)
                return -2;
            at = (long)i;
        }
    return at;
}

/* The header's column names, quoted, for a message. */
static void header_list(char *list, size_t cap, char (*cols)[64], size_t n)
{
    size_t used = 0;
    list[0] = '\0';
    for (size_t i = 0; i < n && used + 70 < cap; i++)
        used += (size_t)snprintf(list + used, cap - used, "%s\"%s\"", i ? ", " : "", cols[i]);
}

static int missing_col(struct ag_error *err, const char *name, const char *what, const char *col,
                       char (*cols)[64], size_t n, bool dup)
{
    char list[600];
    header_list(list, sizeof list, cols, n);
    if (dup)
        return ag_error_set(err, AG_EPARSE, "%s:1: %s column \"%s\" appears more than once", name,
                            what, col);
    return ag_error_set(err, AG_EPARSE, "%s:1: no %s column \"%s\" (the header has %s)", name,
                        what, col, list);
}

/* Finds a coordinate column among the usual names when none was chosen. */
static long auto_col(char (*cols)[64], size_t n, const char *const *names)
{
    long at = -1;
    for (size_t k = 0; names[k]; k++) {
        long i = find_col(cols, n, names[k]);
        if (i == -2 || (i >= 0 && at >= 0))
            return -2;
        if (i >= 0)
            at = i;
    }
    return at;
}

static int read_csv(const char *text, size_t len, const char *name, struct rec_ctx *cx,
                    struct ag_error *err)
{
    const struct ag_incident_read_opts *o = cx->opts;
    struct csv c = {.p = text, .end = text + len, .delim = o->delimiter ? o->delimiter : ',',
                    .line = 1};
    if (len >= 3 && !memcmp(text, "\xef\xbb\xbf", 3))
        c.p += 3; /* a UTF-8 byte-order mark, as spreadsheets write it */
    char (*cols)[64] = NULL;
    int rc = 0;
    int64_t line;
    const char *why;
    /* The header: the first record that is not blank. */
    for (;;) {
        int r = csv_next(&c, &line, &why, name, err);
        if (r < 0) {
            rc = r;
            goto done;
        }
        if (r == CSV_END) {
            rc = ag_error_set(err, AG_EEMPTY, "%s: empty file (expected a header line and one "
                                              "incident per line)",
                              name);
            goto done;
        }
        if (r == CSV_BADREC) {
            rc = ag_error_set(err, AG_EPARSE, "%s:%lld: header: %s", name, (long long)line, why);
            goto done;
        }
        if (!csv_blank(&c))
            break;
    }
    size_t ncols = c.nf;
    cols = calloc(ncols, sizeof *cols);
    if (!cols) {
        rc = ag_error_set(err, AG_ENOMEM, "out of memory");
        goto done;
    }
    for (size_t i = 0; i < ncols; i++)
        trim_copy(cols[i], sizeof cols[i], csv_field(&c, i));

    static const char *const xs[] = {"x", "lon", "lng", "long", "longitude", NULL};
    static const char *const ys[] = {"y", "lat", "latitude", NULL};
    long ix = o->x_col ? find_col(cols, ncols, o->x_col) : auto_col(cols, ncols, xs);
    long iy = o->y_col ? find_col(cols, ncols, o->y_col) : auto_col(cols, ncols, ys);
    char list[600];
    header_list(list, sizeof list, cols, ncols);
    if (ix < 0 && !o->x_col) {
        rc = ag_error_set(err, AG_EPARSE,
                          "%s:1: cannot tell which column holds x or the longitude (%s; the "
                          "header has %s): name it with --x",
                          name,
                          ix == -2 ? "several candidates" : "none of x, lon, lng, long, longitude",
                          list);
        goto done;
    }
    if (iy < 0 && !o->y_col) {
        rc = ag_error_set(err, AG_EPARSE,
                          "%s:1: cannot tell which column holds y or the latitude (%s; the "
                          "header has %s): name it with --y",
                          name, iy == -2 ? "several candidates" : "none of y, lat, latitude", list);
        goto done;
    }
    if (ix < 0) {
        rc = missing_col(err, name, "x", o->x_col, cols, ncols, ix == -2);
        goto done;
    }
    if (iy < 0) {
        rc = missing_col(err, name, "y", o->y_col, cols, ncols, iy == -2);
        goto done;
    }
    long it = -1, ic = -1;
    if (o->time_col && (it = find_col(cols, ncols, o->time_col)) < 0) {
        rc = missing_col(err, name, "time", o->time_col, cols, ncols, it == -2);
        goto done;
    }
    if (o->category_col && (ic = find_col(cols, ncols, o->category_col)) < 0) {
        rc = missing_col(err, name, "category", o->category_col, cols, ncols, ic == -2);
        goto done;
    }
    snprintf(cx->d->x_col, sizeof cx->d->x_col, "%s", cols[ix]);
    snprintf(cx->d->y_col, sizeof cx->d->y_col, "%s", cols[iy]);

    for (;;) {
        int r = csv_next(&c, &line, &why, name, err);
        if (r < 0) {
            rc = r;
            goto done;
        }
        if (r == CSV_END)
            break;
        if (r == CSV_RECORD && csv_blank(&c))
            continue;
        if (cx->d->records >= (int64_t)AG_INCIDENT_MAX_RECORDS) {
            rc = ag_error_set(err, AG_ELIMIT, "%s:%lld: more than %u records", name,
                              (long long)line, AG_INCIDENT_MAX_RECORDS);
            goto done;
        }
        cx->d->records++;
        char where[300];
        snprintf(where, sizeof where, "%s:%lld", name, (long long)line);
        if (r == CSV_BADREC) {
            rc = add_bad(cx->d, "%s: %s", where, why);
        } else if (c.nf != ncols) {
            rc = add_bad(cx->d, "%s: %zu fields, but the header has %zu", where, c.nf, ncols);
        } else {
            double sx = 0, sy = 0;
            char msg[300] = "", b[64];
            bool ok = true;
            if (!parse_number(csv_field(&c, (size_t)ix), o->decimal_comma, &sx)) {
                ok = false;
                snprintf(msg, sizeof msg, "column \"%s\": \"%s\" is not a number", cols[ix],
                         shown(csv_field(&c, (size_t)ix), b, sizeof b));
            } else if (!parse_number(csv_field(&c, (size_t)iy), o->decimal_comma, &sy)) {
                ok = false;
                snprintf(msg, sizeof msg, "column \"%s\": \"%s\" is not a number", cols[iy],
                         shown(csv_field(&c, (size_t)iy), b, sizeof b));
            }
            rc = add_record(cx, where, line, sx, sy, ok, msg,
                            it >= 0 ? csv_field(&c, (size_t)it) : NULL,
                            ic >= 0 ? csv_field(&c, (size_t)ic) : NULL);
        }
        if (rc) {
            rc = ag_error_set(err, rc, "out of memory");
            goto done;
        }
    }
    if (!cx->d->records)
        rc = ag_error_set(err, AG_EEMPTY, "%s: a header but no incident", name);
done:
    free(cols);
    free(c.buf);
    free(c.off);
    return rc;
}

/* ---- GeoJSON ---- */

/* text[0..len) holds only JSON white space (text need not end in a NUL). */
static bool json_blank(const char *text, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (text[i] != ' ' && text[i] != '\t' && text[i] != '\r' && text[i] != '\n')
            return false;
    return true;
}

static int read_geojson(const char *text, size_t len, const char *name, struct rec_ctx *cx,
                        struct ag_error *err)
{
    /* A UTF-8 byte-order mark, which RFC 8259 (section 8.1) lets a parser
     * ignore and Windows tools write. */
    if (len >= 3 && !memcmp(text, "\xef\xbb\xbf", 3)) {
        text += 3;
        len -= 3;
    }
    json_error_t je;
    json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
    if (!root) {
        if (json_blank(text, len))
            return ag_error_set(err, AG_EEMPTY, "%s: empty file (expected a GeoJSON "
                                                "FeatureCollection of points)",
                                name);
        return ag_error_set(err, AG_EPARSE, "%s:%d:%d: not valid JSON: %s", name, je.line,
                            je.column, je.text);
    }
    int rc = 0;
    const char *type = json_string_value(json_object_get(root, "type"));
    json_t *features = json_object_get(root, "features");
    if (!type || strcmp(type, "FeatureCollection") || !json_is_array(features)) {
        rc = ag_error_set(err, AG_EPARSE,
                          "%s: expected a GeoJSON FeatureCollection with a \"features\" array",
                          name);
        goto done;
    }
    size_t nfeat = json_array_size(features);
    if (nfeat > AG_INCIDENT_MAX_RECORDS) {
        rc = ag_error_set(err, AG_ELIMIT, "%s: more than %u features", name,
                          AG_INCIDENT_MAX_RECORDS);
        goto done;
    }
    const struct ag_incident_read_opts *o = cx->opts;
    for (size_t i = 0; i < nfeat && !rc; i++) {
        json_t *f = json_array_get(features, i);
        char where[300];
        snprintf(where, sizeof where, "%s: feature %zu", name, i + 1);
        cx->d->records++;
        const char *ft = json_string_value(json_object_get(f, "type"));
        json_t *g = json_object_get(f, "geometry");
        const char *gt = json_string_value(json_object_get(g, "type"));
        json_t *co = json_object_get(g, "coordinates");
        json_t *props = json_object_get(f, "properties");
        if (!json_is_object(f) || !ft || strcmp(ft, "Feature")) {
            rc = add_bad(cx->d, "%s: not a Feature", where);
            continue;
        }
        if (!json_is_object(g) || !gt) {
            rc = add_bad(cx->d, "%s: no geometry (expected a Point)", where);
            continue;
        }
        if (strcmp(gt, "Point")) {
            char b[64];
            rc = add_bad(cx->d, "%s: geometry is a %s (expected a Point)", where,
                         shown(gt, b, sizeof b));
            continue;
        }
        size_t nc = json_array_size(co);
        json_t *a = json_array_get(co, 0), *b = json_array_get(co, 1);
        bool ok = json_is_array(co) && (nc == 2 || nc == 3) && json_is_number(a) &&
                  json_is_number(b);
        double sx = ok ? json_number_value(a) : 0, sy = ok ? json_number_value(b) : 0;
        const char *t_txt = NULL, *cat = NULL;
        char catbuf[32];
        if (o->time_col) {
            json_t *tv = json_object_get(props, o->time_col);
            if (tv && !json_is_string(tv) && !json_is_null(tv)) {
                rc = add_bad(cx->d, "%s: property \"%s\": expected a date as text", where,
                             o->time_col);
                continue;
            }
            t_txt = json_string_value(tv);
        }
        if (o->category_col) {
            json_t *cv = json_object_get(props, o->category_col);
            if (json_is_integer(cv)) {
                snprintf(catbuf, sizeof catbuf, "%lld", (long long)json_integer_value(cv));
                cat = catbuf;
            } else if (json_is_string(cv)) {
                cat = json_string_value(cv);
            } else if (cv && !json_is_null(cv)) {
                rc = add_bad(cx->d, "%s: property \"%s\": expected text or a whole number", where,
                             o->category_col);
                continue;
            }
        }
        rc = add_record(cx, where, (int64_t)i + 1, sx, sy, ok,
                        "coordinates: expected [x, y] numbers", t_txt, cat);
    }
    if (rc) {
        rc = ag_error_set(err, rc, "out of memory");
        goto done;
    }
    if (!cx->d->records)
        rc = ag_error_set(err, AG_EEMPTY, "%s: a FeatureCollection without features", name);
done:
    json_decref(root);
    return rc;
}

int ag_incident_read(const char *text, size_t len, const char *name,
                     const struct ag_incident_read_opts *opts, const struct ag_crs *crs,
                     struct ag_incident_data *d, struct ag_error *err)
{
    if (len > AG_INCIDENT_FILE_MAX_BYTES)
        return ag_error_set(err, AG_ELIMIT, "%s: larger than %zu bytes", name,
                            AG_INCIDENT_FILE_MAX_BYTES);
    if (opts->time_format) {
        int64_t t;
        bool ht;
        struct ag_error fe;
        if (ag_incident_parse_time("", opts->time_format, &t, &ht, &fe) == AG_EINVAL)
            return ag_error_set(err, AG_EINVAL, "%s", fe.msg);
    }
    struct rec_ctx cx = {name, opts->format == AG_INCIDENT_GEOJSON ? "property" : "column", opts,
                         crs, d};
    /* Numbers are parsed by strtod, which follows LC_NUMERIC: use the C
     * locale for this thread whatever the host program chose. */
    locale_t cl = newlocale(LC_NUMERIC_MASK, "C", (locale_t)0);
    locale_t old = cl ? uselocale(cl) : (locale_t)0;
    int rc = opts->format == AG_INCIDENT_GEOJSON ? read_geojson(text, len, name, &cx, err)
                                                  : read_csv(text, len, name, &cx, err);
    if (cl) {
        uselocale(old);
        freelocale(cl);
    }
    if (rc)
        ag_incident_data_free(d);
    return rc;
}

/* ---- the plane ---- */

int ag_incident_plane_for(const struct ag_incident_data *d, const struct ag_crs *crs, char *def,
                          size_t cap, struct ag_error *err)
{
    if (!d->good.len)
        return ag_error_set(err, AG_EEMPTY, "no incident to place");
    if (ag_crs_is_metric(crs)) {
        snprintf(def, cap, "%s", ag_crs_def(crs));
        return 0;
    }
    struct ag_bbox bb = ag_bbox_empty();
    for (size_t i = 0; i < d->good.len; i++) {
        const struct ag_incident *r = &AG_VEC_AT(&d->good, struct ag_incident, i);
        ag_bbox_extend(&bb, r->ll.lon, r->ll.lat);
    }
    /* A transverse Mercator keeps distances within 1 part in 10^4 up to
     * about 1.3° of arc from its centre line (k - 1 ≈ (d/R)²/2): beyond a
     * few degrees the plane would distort the statistics unannounced. */
    if (bb.maxx - bb.minx > AG_INCIDENT_MAX_SPAN_DEG || bb.maxy - bb.miny > AG_INCIDENT_MAX_SPAN_DEG)
        return ag_error_set(err, AG_EINVAL,
                            "the records span %.1f° of longitude and %.1f° of latitude: too wide "
                            "for one local plane (at most %g°); give a projected --crs for "
                            "the region, or import the areas separately",
                            bb.maxx - bb.minx, bb.maxy - bb.miny, AG_INCIDENT_MAX_SPAN_DEG);
    char lon[32], lat[32];
    ag_format_fixed(lon, sizeof lon, (bb.minx + bb.maxx) / 2, 7);
    ag_format_fixed(lat, sizeof lat, (bb.miny + bb.maxy) / 2, 7);
    snprintf(def, cap, "tmerc:%s,%s", lon, lat);
    return 0;
}

int ag_incident_place(struct ag_incident_data *d, const struct ag_crs *crs,
                      const struct ag_plane *plane, struct ag_error *err)
{
    bool same = ag_crs_is_metric(crs) && !strcmp(ag_plane_def(plane), ag_crs_def(crs));
    size_t kept = 0;
    for (size_t i = 0; i < d->good.len; i++) {
        struct ag_incident r = AG_VEC_AT(&d->good, struct ag_incident, i);
        bool ok = true;
        if (same)
            r.xy = (struct ag_xy){r.sx, r.sy};
        else
            ok = ag_plane_fwd(plane, r.ll, &r.xy);
        if (!ok) {
            free(r.category);
            if (add_bad(d, "record at line %lld: cannot be projected to %s", (long long)r.line,
                        ag_plane_def(plane)))
                return ag_error_set(err, AG_ENOMEM, "out of memory");
            continue;
        }
        AG_VEC_AT(&d->good, struct ag_incident, kept++) = r;
    }
    d->good.len = kept;
    return 0;
}
