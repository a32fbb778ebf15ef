/* libFuzzer target for the incident reader (ag_incident_read), which reads a
 * user's CSV or GeoJSON file, and for the time parser behind --time-format.
 *
 * The first input byte chooses the options, the rest is the file:
 *   bit 0     GeoJSON (else CSV)
 *   bit 1     delimiter ';' (else ',')
 *   bit 2     decimal comma
 *   bit 3     a time column/property "date"
 *   bits 4-5  the time format: ISO 8601, "%d/%m/%Y %H:%M", "%Y%m%d",
 *             "%m/%d/%Y %H:%M:%S"
 *   bit 6     a category column/property "category"
 *   bit 7     coordinate columns named ("x", "y") instead of found
 * The CRS is EPSG:4326, which needs no PROJ database.
 *
 * Every failure must be a clean error that names the file and leaves the
 * data empty; every success must account for each record once (good or
 * bad), give each bad record a message naming the file, and give each good
 * one finite coordinates within longitude/latitude range.
 * SPDX-License-Identifier: EUPL-1.2 */
#include "agora/incident_io.h"
#include "agora/incidents.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const formats[4] = {NULL, "%d/%m/%Y %H:%M", "%Y%m%d", "%m/%d/%Y %H:%M:%S"};

static void die(const char *what, const char *detail)
{
    fprintf(stderr, "fuzz_incidents: %s%s%s\n", what, detail ? ": " : "", detail ? detail : "");
    abort();
}

/* A time that parsed must come back the same when written as ISO 8601. */
static void check_time(const char *s, const char *format)
{
    int64_t t = 0;
    bool has_time = false;
    struct ag_error err = {0};
    int rc = ag_incident_parse_time(s, format, &t, &has_time, &err);
    if (rc) {
        if (rc != AG_EPARSE || err.code != rc || !err.msg[0])
            die("time: unexpected error", err.msg);
        return;
    }
    struct ag_civil c = ag_civil_from_seconds(t);
    if (!has_time && (c.hour || c.minute || c.second))
        die("time: a date only has a time of day", s);
    char iso[64];
    snprintf(iso, sizeof iso, "%04d-%02d-%02d %02d:%02d:%02d", c.year, c.month, c.day, c.hour,
             c.minute, c.second);
    int64_t back = 0;
    bool back_has = false;
    if (ag_incident_parse_time(iso, NULL, &back, &back_has, &err) || back != t)
        die("time: does not survive a round trip through ISO 8601", iso);
}

static void check_data(const struct ag_incident_data *d, const struct ag_incident_read_opts *o,
                       const char *name)
{
    if (d->records <= 0)
        die("success without a record", NULL);
    if ((int64_t)(d->good.len + d->bad.len) != d->records)
        die("good + bad differs from the records read", NULL);
    size_t nlen = strlen(name);
    for (size_t i = 0; i < d->bad.len; i++) {
        const char *m = AG_VEC_AT(&d->bad, char *, i);
        if (!m || !m[0])
            die("a bad record without a message", NULL);
        if (strncmp(m, name, nlen) != 0)
            die("a bad record's message does not name the file", m);
    }
    int64_t prev = 0;
    for (size_t i = 0; i < d->good.len; i++) {
        const struct ag_incident *r = &AG_VEC_AT(&d->good, struct ag_incident, i);
        if (!isfinite(r->sx) || !isfinite(r->sy) || !isfinite(r->ll.lon) || !isfinite(r->ll.lat) ||
            !(fabs(r->ll.lon) <= 180) || !(fabs(r->ll.lat) <= 90))
            die("a good record with coordinates out of range", NULL);
        if (r->line <= prev)
            die("good records out of file order", NULL);
        prev = r->line;
        if (r->has_t != (o->time_col != NULL))
            die("has_t does not follow the time column", NULL);
        if (!r->has_t && (r->t || r->has_time))
            die("a time without a time column", NULL);
        if (r->category &&
            (!o->category_col || !r->category[0] ||
             strlen(r->category) > AG_INCIDENT_CATEGORY_MAX || !ag_text_ok(r->category)))
            die("a category that should not have been kept", r->category);
    }
}

/* Places the good records in their plane, as the import does. */
static void check_place(struct ag_incident_data *d, const struct ag_crs *crs)
{
    if (!d->good.len)
        return;
    char def[128];
    struct ag_error err = {0};
    int rc = ag_incident_plane_for(d, crs, def, sizeof def, &err);
    if (rc == AG_EINVAL && strstr(err.msg, "too wide for one local plane"))
        return; /* records spread over more than AG_INCIDENT_MAX_SPAN_DEG */
    if (rc)
        die("no plane for good records", err.msg);
    struct ag_plane *plane = NULL;
    if (ag_plane_new(&plane, def, &err))
        die("the chosen plane cannot be created", err.msg);
    int64_t before = (int64_t)(d->good.len + d->bad.len);
    if (ag_incident_place(d, crs, plane, &err))
        die("placing failed", err.msg);
    if ((int64_t)(d->good.len + d->bad.len) != before)
        die("placing lost or added records", NULL);
    for (size_t i = 0; i < d->good.len; i++) {
        const struct ag_incident *r = &AG_VEC_AT(&d->good, struct ag_incident, i);
        if (!isfinite(r->xy.x) || !isfinite(r->xy.y))
            die("a placed record with coordinates that are not finite", NULL);
    }
    ag_plane_free(plane);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct ag_crs *crs;
    if (!crs) {
        struct ag_error err = {0};
        if (ag_crs_new(&crs, "EPSG:4326", &err))
            die("cannot create EPSG:4326", err.msg);
    }
    if (size < 1)
        return 0;
    uint8_t sel = data[0];
    const char *text = (const char *)data + 1;
    size_t len = size - 1;

    struct ag_incident_read_opts o = {
        .format = (sel & 1) ? AG_INCIDENT_GEOJSON : AG_INCIDENT_CSV,
        .delimiter = (sel & 2) ? ';' : ',',
        .decimal_comma = (sel & 4) != 0,
        .time_col = (sel & 8) ? "date" : NULL,
        .time_format = (sel & 8) ? formats[(sel >> 4) & 3] : NULL,
        .category_col = (sel & 64) ? "category" : NULL,
        .x_col = (sel & 128) ? "x" : NULL,
        .y_col = (sel & 128) ? "y" : NULL,
    };
    const char *name = (sel & 1) ? "fuzz.geojson" : "fuzz.csv";

    struct ag_incident_data d;
    ag_incident_data_init(&d);
    struct ag_error err = {0};
    int rc = ag_incident_read(text, len, name, &o, crs, &d, &err);
    if (rc) {
        if (rc != AG_EPARSE && rc != AG_EEMPTY && rc != AG_ELIMIT && rc != AG_ENOMEM)
            die("unexpected error code", ag_errname(rc));
        if (err.code != rc || strncmp(err.msg, name, strlen(name)) != 0)
            die("error message does not name the file", err.msg);
        if (d.good.len || d.bad.len || d.records)
            die("data left on failure", err.msg);
    } else {
        check_data(&d, &o, name);
        check_place(&d, crs);
    }
    ag_incident_data_free(&d);

    /* The time parser on the raw bytes, as a --from/--to argument or a
     * field would reach it. */
    char *s = malloc(len + 1);
    if (!s)
        return 0;
    memcpy(s, text, len);
    s[len] = '\0';
    check_time(s, NULL);
    check_time(s, formats[(sel >> 4) & 3]);
    for (size_t k = 1; k < 4; k++)
        check_time(s, formats[k]);
    /* A pattern without %Y, or with another directive, is refused as such
     * whatever the text. */
    static const char *const bad_formats[] = {"%d/%m", "%Y-%m-%d %I:%M", "%Y%m%d%"};
    for (size_t k = 0; k < sizeof bad_formats / sizeof bad_formats[0]; k++) {
        int64_t t;
        bool has_time;
        struct ag_error e = {0};
        if (ag_incident_parse_time(s, bad_formats[k], &t, &has_time, &e) != AG_EINVAL ||
            !strstr(e.msg, bad_formats[k]))
            die("an invalid time format was not refused", bad_formats[k]);
    }
    free(s);
    return 0;
}
