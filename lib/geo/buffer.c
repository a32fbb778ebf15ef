/* Street areas: the buffer of a polyline, computed with GEOS in metres.
 * SPDX-License-Identifier: EUPL-1.2 */
#include "agora/geo.h"

#include <geos_c.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Segments per quarter circle at the joins: the polygon then falls short
 * of the true arc by under 0.2 % of the quarter disc's area (the chord
 * deficit 1 - sin(pi/2q) * 2q/pi for q = 16). */
enum { QUADRANT_SEGMENTS = 16 };

/* GEOS reports failures through a callback; keep the last message so the
 * caller's error says what GEOS objected to. One per call, no globals. */
struct geos_msg {
    char text[256];
};

static void on_geos_error_r(const char *msg, void *ud)
{
    struct geos_msg *m = ud;
    snprintf(m->text, sizeof m->text, "%s", msg);
}

static void on_geos_notice_r(const char *msg, void *ud)
{
    (void)msg;
    (void)ud;
}

/* Appends one GEOS ring to out as lon/lat. */
static int ring_to_ll(GEOSContextHandle_t h, const GEOSGeometry *ring,
                      const struct ag_proj *proj, struct ag_ring *out)
{
    const GEOSCoordSequence *cs = GEOSGeom_getCoordSeq_r(h, ring);
    unsigned int n = 0;
    if (!cs || !GEOSCoordSeq_getSize_r(h, cs, &n))
        return AG_EGEOM;
    out->pts = n ? malloc(n * sizeof *out->pts) : NULL;
    if (n && !out->pts)
        return AG_ENOMEM;
    out->n = n;
    for (unsigned int i = 0; i < n; i++) {
        double x, y;
        if (!GEOSCoordSeq_getXY_r(h, cs, i, &x, &y))
            return AG_EGEOM;
        out->pts[i] = ag_proj_inv(proj, (struct ag_xy){x, y});
        if (!isfinite(out->pts[i].lon) || !isfinite(out->pts[i].lat))
            return AG_EPROJ;
    }
    return 0;
}

static int polygon_to_ll(GEOSContextHandle_t h, const GEOSGeometry *pg,
                         const struct ag_proj *proj, struct ag_polygon *out)
{
    int nholes = GEOSGetNumInteriorRings_r(h, pg);
    if (nholes < 0)
        return AG_EGEOM;
    out->rings = calloc((size_t)nholes + 1, sizeof *out->rings);
    if (!out->rings)
        return AG_ENOMEM;
    out->nrings = (size_t)nholes + 1;
    int rc = ring_to_ll(h, GEOSGetExteriorRing_r(h, pg), proj, &out->rings[0]);
    for (int i = 0; rc == 0 && i < nholes; i++)
        rc = ring_to_ll(h, GEOSGetInteriorRingN_r(h, pg, i), proj,
                        &out->rings[i + 1]);
    return rc;
}

static int result_to_mpoly(GEOSContextHandle_t h, const GEOSGeometry *g,
                           const struct ag_proj *proj, struct ag_mpoly *out)
{
    int type = GEOSGeomTypeId_r(h, g);
    if (type != GEOS_POLYGON && type != GEOS_MULTIPOLYGON)
        return AG_EGEOM;
    int n = type == GEOS_POLYGON ? 1 : GEOSGetNumGeometries_r(h, g);
    if (n <= 0)
        return AG_EGEOM;
    out->polys = calloc((size_t)n, sizeof *out->polys);
    if (!out->polys)
        return AG_ENOMEM;
    out->npolys = (size_t)n;
    for (int i = 0; i < n; i++) {
        const GEOSGeometry *pg =
            type == GEOS_POLYGON ? g : GEOSGetGeometryN_r(h, g, i);
        int rc = pg ? polygon_to_ll(h, pg, proj, &out->polys[i]) : AG_EGEOM;
        if (rc)
            return rc;
    }
    return 0;
}

int ag_line_buffer(const struct ag_line *l, double width_m,
                   const struct ag_proj *proj, struct ag_mpoly *out,
                   struct ag_error *err)
{
    if (!l || !proj || !out)
        return ag_error_set(err, AG_EINVAL, "ag_line_buffer: NULL argument");
    memset(out, 0, sizeof *out);
    if (!(width_m > 0) || !isfinite(width_m))
        return ag_error_set(err, AG_EINVAL,
                            "buffer width must be a positive number of "
                            "metres, not %g",
                            width_m);
    if (l->n < 2 || l->n > UINT_MAX)
        return ag_error_set(err, AG_EGEOM,
                            "a line to buffer needs at least 2 points, not "
                            "%zu",
                            l->n);

    struct geos_msg msg = {{0}};
    GEOSContextHandle_t h = GEOS_init_r();
    if (!h)
        return ag_error_set(err, AG_ENOMEM, "cannot start GEOS");
    GEOSContext_setErrorMessageHandler_r(h, on_geos_error_r, &msg);
    GEOSContext_setNoticeMessageHandler_r(h, on_geos_notice_r, NULL);

    int rc = 0;
    GEOSGeometry *line = NULL, *buf = NULL;
    GEOSBufferParams *params = NULL;
    GEOSCoordSequence *cs = GEOSCoordSeq_create_r(h, (unsigned int)l->n, 2);
    if (!cs) {
        rc = ag_error_set(err, AG_ENOMEM, "GEOS: %s", msg.text);
        goto done;
    }
    for (size_t i = 0; i < l->n; i++) {
        struct ag_xy p = ag_proj_fwd(proj, l->pts[i]);
        if (!isfinite(p.x) || !isfinite(p.y)) {
            GEOSCoordSeq_destroy_r(h, cs);
            rc = ag_error_set(err, AG_EPROJ,
                              "point %zu of the line (%.6f %.6f) cannot be "
                              "projected",
                              i + 1, l->pts[i].lon, l->pts[i].lat);
            goto done;
        }
        GEOSCoordSeq_setXY_r(h, cs, (unsigned int)i, p.x, p.y);
    }
    line = GEOSGeom_createLineString_r(h, cs); /* owns cs from here on */
    if (!line) {
        rc = ag_error_set(err, AG_EGEOM, "GEOS: %s", msg.text);
        goto done;
    }

    /* Flat ends stop the area at the line's ends, as a street stops at its
     * junctions; round joins keep every point within width / 2 of the line
     * and nothing farther, which a mitre join would not. */
    params = GEOSBufferParams_create_r(h);
    if (!params ||
        !GEOSBufferParams_setEndCapStyle_r(h, params, GEOSBUF_CAP_FLAT) ||
        !GEOSBufferParams_setJoinStyle_r(h, params, GEOSBUF_JOIN_ROUND) ||
        !GEOSBufferParams_setQuadrantSegments_r(h, params, QUADRANT_SEGMENTS)) {
        rc = ag_error_set(err, AG_ENOMEM, "GEOS buffer parameters: %s",
                          msg.text);
        goto done;
    }
    buf = GEOSBufferWithParams_r(h, line, params, width_m / 2);
    if (!buf) {
        rc = ag_error_set(err, AG_EGEOM, "GEOS buffer failed: %s", msg.text);
        goto done;
    }
    if (GEOSisEmpty_r(h, buf) == 1) {
        /* Every point is the same: a flat-ended buffer of it is empty. */
        rc = ag_error_set(err, AG_EGEOM,
                          "the line has no length, so its buffer is empty");
        goto done;
    }
    rc = result_to_mpoly(h, buf, proj, out);
    if (rc) {
        ag_mpoly_free(out);
        rc = ag_error_set(err, rc, "converting the buffer to lon/lat: %s",
                          ag_strerror(rc));
        goto done;
    }
    /* GEOS gives outer rings clockwise; store the GeoJSON orientation. */
    ag_mpoly_orient(out, proj);

done:
    if (params)
        GEOSBufferParams_destroy_r(h, params);
    if (buf)
        GEOSGeom_destroy_r(h, buf);
    if (line)
        GEOSGeom_destroy_r(h, line);
    finishGEOS_r(h);
    return rc;
}
