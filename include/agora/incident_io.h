/* agora — incident records: reading them from outside files and placing
 * them in a metric plane.
 *
 * An incident file is untrusted input: CSV (RFC 4180, with a header row) or
 * GeoJSON points. The readers take the whole file in memory, check every
 * record and collect one message per bad record ("FILE:LINE: column "date":
 * ..."), so that a user sees every problem of a file at once. Whether a file
 * with bad records is refused or stored without them is the caller's
 * choice.
 *
 * Coordinates come in any CRS PROJ knows ("EPSG:4326" for longitude and
 * latitude, "EPSG:26971", ...). Each set of incidents gets one plane in which
 * distances are taken: the source CRS itself when it is projected in metres
 * (so results agree with tools run on the same coordinates), otherwise a
 * local transverse Mercator centred on the data (docs/methodology.md).
 *
 * Times are local civil seconds (see ag_civil in incidents.h): the clock time
 * as the record gives it, without time zone.
 * SPDX-License-Identifier: EUPL-1.2 */
#ifndef AGORA_INCIDENT_IO_H
#define AGORA_INCIDENT_IO_H

#include "agora/base.h"
#include "agora/geo.h"
#include "agora/model.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Limits on one incident file. */
#define AG_INCIDENT_FILE_MAX_BYTES ((size_t)2 << 30)
#define AG_INCIDENT_MAX_RECORDS 50000000u
#define AG_INCIDENT_FIELD_MAX 4096u   /* bytes in one CSV field */
#define AG_INCIDENT_CATEGORY_MAX 255u /* bytes kept of a category */
/* Records in longitude/latitude spanning more degrees than this get no
 * local plane (ag_incident_plane_for). */
#define AG_INCIDENT_MAX_SPAN_DEG 2.0

/* ---- coordinate reference systems ---- */
struct ag_crs;

/* "EPSG:N" (any case), another AUTHORITY:CODE, an OGC URN, a +proj= string,
 * WKT or PROJJSON (bare names are refused: PROJ matches them approximately).
 * AG_EINVAL with the definition named when PROJ does not know it or when it
 * is not a 2D geographic or projected CRS; AG_EPROJ when PROJ cannot
 * transform it to WGS 84. EPSG:4326 and "WGS84" need no PROJ database. */
int ag_crs_new(struct ag_crs **out, const char *def, struct ag_error *err);
void ag_crs_free(struct ag_crs *c);
const char *ag_crs_def(const struct ag_crs *c);
/* Longitude/latitude in degrees (axis order normalised to lon, lat). */
bool ag_crs_is_geographic(const struct ag_crs *c);
/* Projected with both axes in metres (easting, northing). */
bool ag_crs_is_metric(const struct ag_crs *c);
/* Source coordinates -> WGS 84 lon/lat degrees; false when PROJ cannot
 * transform the point or the result is outside [-180, 180] × [-90, 90]. */
bool ag_crs_to_ll(const struct ag_crs *c, double a, double b, struct ag_ll *ll);
/* WGS 84 lon/lat -> source coordinates; false when it cannot. */
bool ag_crs_from_ll(const struct ag_crs *c, struct ag_ll ll, double *a, double *b);

/* ---- the plane of an incident set ----
 * Either a metric projected CRS ("EPSG:26971") or a local transverse
 * Mercator "tmerc:LON,LAT" (the ag_proj of geo.h). */
struct ag_plane;

int ag_plane_new(struct ag_plane **out, const char *def, struct ag_error *err);
void ag_plane_free(struct ag_plane *p);
const char *ag_plane_def(const struct ag_plane *p);
bool ag_plane_fwd(const struct ag_plane *p, struct ag_ll ll, struct ag_xy *xy);
bool ag_plane_inv(const struct ag_plane *p, struct ag_xy xy, struct ag_ll *ll);

/* ---- reading records ---- */

enum ag_incident_format {
    AG_INCIDENT_CSV,
    AG_INCIDENT_GEOJSON,
};

struct ag_incident_read_opts {
    enum ag_incident_format format;
    /* CSV column names (matched without regard to case). x/y are the first
     * and second coordinate in the CRS's own order of easting/longitude and
     * northing/latitude. NULL: found among the usual names (x/y/lon/lng/
     * longitude/lat/latitude; the message says which were found). */
    const char *x_col, *y_col;
    /* Column (CSV) or property (GeoJSON) holding the time; NULL: no time. */
    const char *time_col;
    /* Column or property holding the category; NULL: none. */
    const char *category_col;
    /* NULL: ISO 8601 (YYYY-MM-DD, optionally followed by T or a space and
     * HH:MM[:SS[.fff]], optionally by Z or a UTC offset, which are ignored:
     * the clock time is kept). Otherwise a pattern of %Y %m %d %H %M %S and
     * literal characters ("%d/%m/%Y %H:%M"); without %H the records have a
     * date only. */
    const char *time_format;
    char delimiter;     /* CSV: 0 means ',' */
    bool decimal_comma; /* CSV: "2,35" is 2.35 (use with delimiter ';') */
};

struct ag_incident {
    int64_t line;      /* CSV: line of the file where the record starts; GeoJSON: feature index + 1 */
    double sx, sy;     /* coordinates as read, in the source CRS */
    struct ag_ll ll;   /* WGS 84 */
    struct ag_xy xy;   /* in the set's plane */
    int64_t t;         /* local civil seconds; 0 when has_t is false */
    bool has_t;        /* a time column was chosen and parsed */
    bool has_time;     /* the record gives a time of day (not a date only) */
    char *category;    /* NULL when none */
};

struct ag_incident_data {
    struct ag_vec good;  /* struct ag_incident, in file order */
    struct ag_vec bad;   /* char *: one message per bad record, in file order */
    int64_t records;     /* records read (good + bad) */
    char x_col[64], y_col[64]; /* the coordinate columns used (CSV) */
};

void ag_incident_data_init(struct ag_incident_data *d);
void ag_incident_data_free(struct ag_incident_data *d);

/* Reads text[0..len) named `name` (used in messages) into d: each record is
 * parsed, its coordinates checked and transformed to lon/lat through crs.
 * A bad record (wrong number of fields, a coordinate that is not a finite
 * number or cannot be transformed, a time that is missing or not a valid
 * date in the expected format, a geometry that is not a Point) goes to
 * d->bad with its message; the others go to d->good with sx, sy, ll, t and
 * category set (xy is set by ag_incident_place). Fails as a whole (AG_EPARSE
 * "name: ...") for what no record can survive: no header, a chosen column
 * missing from the header (the message lists the columns there are), an
 * unterminated quote, invalid JSON, a GeoJSON that is not a
 * FeatureCollection; AG_EEMPTY when the file holds no record; AG_ELIMIT
 * beyond the limits above. d must be initialised; on failure it is left
 * empty. */
int ag_incident_read(const char *text, size_t len, const char *name,
                     const struct ag_incident_read_opts *opts, const struct ag_crs *crs,
                     struct ag_incident_data *d, struct ag_error *err);

/* Parses one time text with the pattern (NULL: ISO 8601 as above) into local
 * civil seconds; *has_time tells whether it held a time of day. AG_EPARSE
 * with a message saying what was expected. */
int ag_incident_parse_time(const char *s, const char *format, int64_t *t, bool *has_time,
                           struct ag_error *err);

/* Chooses the plane for records read through crs: the CRS itself when it is
 * metric, else "tmerc:LON,LAT" at the centre of the records' lon/lat
 * bounding box. Writes its definition to def (at least 128 bytes). AG_EEMPTY
 * when there is no record; AG_EINVAL when the box spans more than
 * AG_INCIDENT_MAX_SPAN_DEG in either direction. */
int ag_incident_plane_for(const struct ag_incident_data *d, const struct ag_crs *crs, char *def,
                          size_t cap, struct ag_error *err);

/* Sets xy of every good record: the source coordinates when the plane is the
 * source CRS, otherwise the plane's projection of ll. A record that cannot
 * be projected moves to the bad list. */
int ag_incident_place(struct ag_incident_data *d, const struct ag_crs *crs,
                      const struct ag_plane *plane, struct ag_error *err);

/* ---- incidents and public spaces ---- */

/* Which incidents lie inside each space, and how many within around_m of its
 * edge (inside included), all in the plane: the spaces' outlines are
 * projected into it. A point inside two overlapping spaces counts for both;
 * a point on an edge counts as inside. */
struct ag_incidents_in_spaces {
    size_t nspaces;
    double *within;       /* nspaces counts */
    double *around;       /* nspaces counts; equal to within when around_m is 0 */
    size_t *member_start; /* nspaces + 1 offsets into member */
    size_t *member;       /* indices of the points inside each space, ascending */
};

/* AG_EPROJ when a space cannot be projected into the plane; AG_EINVAL for
 * around_m negative or not finite. out is overwritten. */
int ag_incidents_in_spaces(const struct ag_space *spaces, size_t nspaces,
                           const struct ag_plane *plane, const struct ag_xy *pts, size_t n,
                           double around_m, struct ag_incidents_in_spaces *out,
                           struct ag_error *err);
void ag_incidents_in_spaces_free(struct ag_incidents_in_spaces *r);

#ifdef __cplusplus
}
#endif
#endif
