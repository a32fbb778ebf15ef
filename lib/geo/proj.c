/* Local metric projection: WGS 84 lon/lat <-> transverse Mercator metres.
 * SPDX-License-Identifier: EUPL-1.2 */
#include "agora/geo.h"

#include <math.h>
#include <proj.h>
#include <stdio.h>
#include <stdlib.h>

struct ag_proj {
    PJ_CONTEXT *ctx;
    PJ *pj;
    struct ag_ll origin;
};

int ag_proj_new(struct ag_proj **out, double lon0, double lat0,
                struct ag_error *err)
{
    if (!out)
        return ag_error_set(err, AG_EINVAL, "ag_proj_new: no output pointer");
    *out = NULL;
    if (!isfinite(lon0) || !isfinite(lat0) || fabs(lon0) > 180 ||
        fabs(lat0) > 90)
        return ag_error_set(err, AG_EINVAL,
                            "projection origin out of range: lon %g lat %g",
                            lon0, lat0);

    struct ag_proj *p = calloc(1, sizeof *p);
    if (!p)
        return ag_error_set(err, AG_ENOMEM, "out of memory");
    p->origin = (struct ag_ll){lon0, lat0};
    p->ctx = proj_context_create();
    if (!p->ctx) {
        free(p);
        return ag_error_set(err, AG_ENOMEM, "cannot create a PROJ context");
    }
    /* Failures are reported through return values; PROJ must not write to
     * the host program's stderr. */
    proj_log_level(p->ctx, PJ_LOG_NONE);

    /* An explicit pipeline rather than proj_create_crs_to_crs("EPSG:4326",
     * ...): it needs no lookup in proj.db (so it works where the PROJ
     * database is missing and costs microseconds, not milliseconds), it
     * fixes the axis order to lon, lat in degrees without
     * proj_normalize_for_visualization, and no datum shift can be chosen
     * behind our back. +k=1 and no false origin make (0, 0) the centre. */
    char slon[48], slat[48], def[256];
    /* 12 decimals (0.1 micrometre), written whatever the locale. */
    ag_format_fixed(slon, sizeof slon, lon0, 12);
    ag_format_fixed(slat, sizeof slat, lat0, 12);
    snprintf(def, sizeof def,
             "+proj=pipeline +step +proj=unitconvert +xy_in=deg +xy_out=rad "
             "+step +proj=tmerc +lat_0=%s +lon_0=%s +k=1 +x_0=0 +y_0=0 "
             "+ellps=WGS84 +units=m",
             slat, slon);
    p->pj = proj_create(p->ctx, def);
    if (!p->pj) {
        int e = proj_context_errno(p->ctx);
        ag_error_set(err, AG_EPROJ, "cannot create projection \"%s\": %s", def,
                     proj_context_errno_string(p->ctx, e));
        proj_context_destroy(p->ctx);
        free(p);
        return AG_EPROJ;
    }
    *out = p;
    return 0;
}

void ag_proj_free(struct ag_proj *p)
{
    if (!p)
        return;
    proj_destroy(p->pj);
    proj_context_destroy(p->ctx);
    free(p);
}

struct ag_ll ag_proj_origin(const struct ag_proj *p)
{
    return p->origin;
}

/* Runs one coordinate through the pipeline; NaN on failure. proj_trans marks
 * failures with HUGE_VAL (not finite) and an errno, which must be cleared so
 * that the next call starts clean. */
static PJ_COORD trans(const struct ag_proj *p, PJ_DIRECTION dir, double a,
                      double b)
{
    PJ_COORD c = proj_coord(a, b, 0, 0);
    if (!isfinite(a) || !isfinite(b)) {
        c.xy.x = c.xy.y = NAN;
        return c;
    }
    PJ_COORD r = proj_trans(p->pj, dir, c);
    if (proj_errno(p->pj) || !isfinite(r.xy.x) || !isfinite(r.xy.y)) {
        proj_errno_reset(p->pj);
        r.xy.x = r.xy.y = NAN;
    }
    return r;
}

struct ag_xy ag_proj_fwd(const struct ag_proj *p, struct ag_ll ll)
{
    PJ_COORD r = trans(p, PJ_FWD, ll.lon, ll.lat);
    return (struct ag_xy){r.xy.x, r.xy.y};
}

struct ag_ll ag_proj_inv(const struct ag_proj *p, struct ag_xy xy)
{
    /* The pipeline's inverse yields degrees in the same lon, lat order. */
    PJ_COORD r = trans(p, PJ_INV, xy.x, xy.y);
    return (struct ag_ll){r.xy.x, r.xy.y};
}
