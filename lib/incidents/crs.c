/* Incident coordinates: a source CRS through PROJ, and the plane of a set.
 * SPDX-License-Identifier: EUPL-1.2 */
#include "agora/incident_io.h"

#include <ctype.h>
#include <math.h>
#include <proj.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct ag_crs {
    char def[128];
    bool wgs84;      /* EPSG:4326 itself: no PROJ involved */
    bool geographic;
    bool metric;
    PJ_CONTEXT *ctx;
    PJ *to_ll; /* source -> EPSG:4326, normalised to lon, lat */
};

static bool ll_in_range(struct ag_ll ll)
{
    return isfinite(ll.lon) && isfinite(ll.lat) && fabs(ll.lon) <= 180 && fabs(ll.lat) <= 90;
}

static bool is_wgs84_def(const char *def)
{
    return !strcasecmp(def, "EPSG:4326") || !strcasecmp(def, "WGS84") ||
           !strcasecmp(def, "OGC:CRS84");
}

/* The forms of definition taken: AUTHORITY:CODE ("EPSG:26971"), an OGC URN,
 * a PROJ string (+proj=...), WKT or PROJJSON. A bare name is refused:
 * proj_create() looks names up approximately, so that a typo such as "foo"
 * would silently become the first CRS whose name contains it (Amersfoort). */
static bool def_form_ok(const char *def)
{
    if (!strncasecmp(def, "urn:ogc:def:", 12) || !strncmp(def, "+proj=", 6) ||
        !strncmp(def, "proj=", 5) || strchr(def, '[') || def[0] == '{')
        return true;
    const char *p = def;
    if (!isalpha((unsigned char)*p))
        return false;
    while (isalnum((unsigned char)*p) || *p == '_')
        p++;
    if (*p++ != ':' || !*p)
        return false;
    while (isalnum((unsigned char)*p) || *p == '_' || *p == '.' || *p == '-')
        p++;
    return *p == '\0';
}

int ag_crs_new(struct ag_crs **out, const char *def, struct ag_error *err)
{
    *out = NULL;
    if (!def || !*def || strlen(def) >= sizeof((struct ag_crs){0}.def))
        return ag_error_set(err, AG_EINVAL, "CRS: expected a definition such as EPSG:4326");
    struct ag_crs *c = calloc(1, sizeof *c);
    if (!c)
        return ag_error_set(err, AG_ENOMEM, "out of memory");
    snprintf(c->def, sizeof c->def, "%s", def);
    for (char *p = c->def; *p && *p != ':'; p++)
        *p = (char)toupper((unsigned char)*p);
    if (is_wgs84_def(def)) {
        c->wgs84 = c->geographic = true;
        *out = c;
        return 0;
    }

    if (!def_form_ok(def)) {
        free(c);
        return ag_error_set(err, AG_EINVAL,
                            "unknown CRS \"%s\" (expected EPSG:N such as EPSG:4326 or "
                            "EPSG:32618, another AUTHORITY:CODE, or +proj=... +type=crs)",
                            def);
    }
    c->ctx = proj_context_create();
    if (!c->ctx) {
        free(c);
        return ag_error_set(err, AG_ENOMEM, "cannot create a PROJ context");
    }
    proj_log_level(c->ctx, PJ_LOG_NONE);
    PJ *src = proj_create(c->ctx, def);
    int rc = 0;
    PJ *cs = NULL, *dst = NULL, *op = NULL;
    if (!src) {
        /* The user's definition is wrong (bad input), not PROJ. */
        rc = ag_error_set(err, AG_EINVAL, "unknown CRS \"%s\" (expected an EPSG code PROJ knows, "
                                         "such as EPSG:4326 or EPSG:32618)", def);
        goto done;
    }
    PJ_TYPE type = proj_get_type(src);
    if (type == PJ_TYPE_GEOGRAPHIC_2D_CRS) {
        c->geographic = true;
    } else if (type == PJ_TYPE_PROJECTED_CRS) {
        cs = proj_crs_get_coordinate_system(c->ctx, src);
        int naxes = cs ? proj_cs_get_axis_count(c->ctx, cs) : 0;
        c->metric = naxes == 2;
        for (int i = 0; i < naxes; i++) {
            double factor = 0;
            if (!proj_cs_get_axis_info(c->ctx, cs, i, NULL, NULL, NULL, &factor, NULL, NULL, NULL) ||
                factor != 1.0)
                c->metric = false;
        }
    } else {
        rc = ag_error_set(err, AG_EINVAL,
                          "CRS \"%s\" is neither geographic 2D nor projected: incidents need "
                          "two coordinates",
                          def);
        goto done;
    }
    dst = proj_create(c->ctx, "EPSG:4326");
    if (!dst) {
        rc = ag_error_set(err, AG_EPROJ, "PROJ cannot create EPSG:4326: is its database "
                                         "(proj-data) installed?");
        goto done;
    }
    op = proj_create_crs_to_crs_from_pj(c->ctx, src, dst, NULL, NULL);
    if (!op) {
        rc = ag_error_set(err, AG_EPROJ, "no transformation from \"%s\" to WGS 84", def);
        goto done;
    }
    c->to_ll = proj_normalize_for_visualization(c->ctx, op);
    if (!c->to_ll)
        rc = ag_error_set(err, AG_EPROJ, "cannot order the axes of \"%s\" as east, north", def);
done:
    if (op)
        proj_destroy(op);
    if (dst)
        proj_destroy(dst);
    if (cs)
        proj_destroy(cs);
    if (src)
        proj_destroy(src);
    if (rc) {
        ag_crs_free(c);
        return rc;
    }
    *out = c;
    return 0;
}

void ag_crs_free(struct ag_crs *c)
{
    if (!c)
        return;
    if (c->to_ll)
        proj_destroy(c->to_ll);
    if (c->ctx)
        proj_context_destroy(c->ctx);
    free(c);
}

const char *ag_crs_def(const struct ag_crs *c)
{
    return c->def;
}

bool ag_crs_is_geographic(const struct ag_crs *c)
{
    return c->geographic;
}

bool ag_crs_is_metric(const struct ag_crs *c)
{
    return c->metric;
}

bool ag_crs_to_ll(const struct ag_crs *c, double a, double b, struct ag_ll *ll)
{
    if (!isfinite(a) || !isfinite(b))
        return false;
    if (c->wgs84) {
        *ll = (struct ag_ll){a, b};
        return ll_in_range(*ll);
    }
    PJ_COORD in = proj_coord(a, b, 0, 0);
    PJ_COORD o = proj_trans(c->to_ll, PJ_FWD, in);
    *ll = (struct ag_ll){o.xy.x, o.xy.y};
    return ll_in_range(*ll);
}

bool ag_crs_from_ll(const struct ag_crs *c, struct ag_ll ll, double *a, double *b)
{
    if (!ll_in_range(ll))
        return false;
    if (c->wgs84) {
        *a = ll.lon;
        *b = ll.lat;
        return true;
    }
    PJ_COORD o = proj_trans(c->to_ll, PJ_INV, proj_coord(ll.lon, ll.lat, 0, 0));
    *a = o.xy.x;
    *b = o.xy.y;
    return isfinite(*a) && isfinite(*b);
}

/* ---- planes ---- */

struct ag_plane {
    char def[128];
    struct ag_proj *tmerc; /* "tmerc:LON,LAT" */
    struct ag_crs *crs;    /* a metric CRS */
};

int ag_plane_new(struct ag_plane **out, const char *def, struct ag_error *err)
{
    *out = NULL;
    if (!def || strlen(def) >= sizeof((struct ag_plane){0}.def))
        return ag_error_set(err, AG_EINVAL, "plane: no definition");
    struct ag_plane *p = calloc(1, sizeof *p);
    if (!p)
        return ag_error_set(err, AG_ENOMEM, "out of memory");
    snprintf(p->def, sizeof p->def, "%s", def);
    int rc;
    if (!strncmp(def, "tmerc:", 6)) {
        char *end;
        double lon = strtod(def + 6, &end);
        double lat = *end == ',' ? strtod(end + 1, &end) : NAN;
        if (*end || !isfinite(lon) || !isfinite(lat)) {
            free(p);
            return ag_error_set(err, AG_EINVAL, "plane \"%s\": expected tmerc:LON,LAT", def);
        }
        rc = ag_proj_new(&p->tmerc, lon, lat, err);
    } else {
        rc = ag_crs_new(&p->crs, def, err);
        if (!rc && !ag_crs_is_metric(p->crs))
            rc = ag_error_set(err, AG_EINVAL, "plane \"%s\" is not projected in metres", def);
    }
    if (rc) {
        ag_plane_free(p);
        return rc;
    }
    *out = p;
    return 0;
}

void ag_plane_free(struct ag_plane *p)
{
    if (!p)
        return;
    ag_proj_free(p->tmerc);
    ag_crs_free(p->crs);
    free(p);
}

const char *ag_plane_def(const struct ag_plane *p)
{
    return p->def;
}

bool ag_plane_fwd(const struct ag_plane *p, struct ag_ll ll, struct ag_xy *xy)
{
    if (p->tmerc) {
        if (!ll_in_range(ll))
            return false;
        *xy = ag_proj_fwd(p->tmerc, ll);
        return isfinite(xy->x) && isfinite(xy->y);
    }
    return ag_crs_from_ll(p->crs, ll, &xy->x, &xy->y);
}

bool ag_plane_inv(const struct ag_plane *p, struct ag_xy xy, struct ag_ll *ll)
{
    if (p->tmerc) {
        if (!isfinite(xy.x) || !isfinite(xy.y))
            return false;
        *ll = ag_proj_inv(p->tmerc, xy);
        return ll_in_range(*ll);
    }
    return ag_crs_to_ll(p->crs, xy.x, xy.y, ll);
}
