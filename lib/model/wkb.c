/* Well-Known Binary, 2D, little endian (OGC 06-103r4, Simple Features
 * Common Architecture §8.2). Readers check every count against the bytes
 * left, so a damaged row cannot make them read past the blob.
 * SPDX-License-Identifier: EUPL-1.2 */
#include "agora/model.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

enum { WKB_POINT = 1, WKB_LINESTRING = 2, WKB_POLYGON = 3, WKB_MULTIPOLYGON = 6 };

static int put_u8(struct ag_buf *b, uint8_t v) { return ag_buf_append(b, &v, 1); }

static int put_u32(struct ag_buf *b, uint32_t v)
{
    uint8_t x[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};
    return ag_buf_append(b, x, 4);
}

static int put_f64(struct ag_buf *b, double d)
{
    uint64_t v;
    memcpy(&v, &d, 8);
    uint8_t x[8];
    for (int i = 0; i < 8; i++)
        x[i] = (uint8_t)(v >> (8 * i));
    return ag_buf_append(b, x, 8);
}

static int put_pts(struct ag_buf *b, const struct ag_ll *pts, size_t n)
{
    int rc = put_u32(b, (uint32_t)n);
    for (size_t i = 0; i < n && !rc; i++) {
        rc = put_f64(b, pts[i].lon);
        if (!rc)
            rc = put_f64(b, pts[i].lat);
    }
    return rc;
}

static int put_polygon(struct ag_buf *b, const struct ag_polygon *p)
{
    int rc = put_u8(b, 1);
    if (!rc)
        rc = put_u32(b, WKB_POLYGON);
    if (!rc)
        rc = put_u32(b, (uint32_t)p->nrings);
    for (size_t r = 0; r < p->nrings && !rc; r++)
        rc = put_pts(b, p->rings[r].pts, p->rings[r].n);
    return rc;
}

int ag_wkb_write_mpoly(struct ag_buf *b, const struct ag_mpoly *mp)
{
    if (mp->npolys == 1)
        return put_polygon(b, &mp->polys[0]);
    int rc = put_u8(b, 1);
    if (!rc)
        rc = put_u32(b, WKB_MULTIPOLYGON);
    if (!rc)
        rc = put_u32(b, (uint32_t)mp->npolys);
    for (size_t i = 0; i < mp->npolys && !rc; i++)
        rc = put_polygon(b, &mp->polys[i]);
    return rc;
}

int ag_wkb_write_line(struct ag_buf *b, const struct ag_line *l)
{
    int rc = put_u8(b, 1);
    if (l->n == 1) {
        if (!rc)
            rc = put_u32(b, WKB_POINT);
        if (!rc)
            rc = put_f64(b, l->pts[0].lon);
        if (!rc)
            rc = put_f64(b, l->pts[0].lat);
        return rc;
    }
    if (!rc)
        rc = put_u32(b, WKB_LINESTRING);
    if (!rc)
        rc = put_pts(b, l->pts, l->n);
    return rc;
}

struct reader {
    const uint8_t *p;
    size_t left;
    struct ag_error *err;
};

static int bad(struct reader *r, const char *what)
{
    return ag_error_set(r->err, AG_EPARSE, "geometry blob: %s", what);
}

static int get_u32(struct reader *r, uint32_t *v)
{
    if (r->left < 4)
        return bad(r, "truncated");
    *v = (uint32_t)r->p[0] | (uint32_t)r->p[1] << 8 | (uint32_t)r->p[2] << 16 |
         (uint32_t)r->p[3] << 24;
    r->p += 4;
    r->left -= 4;
    return 0;
}

static int get_f64(struct reader *r, double *d)
{
    if (r->left < 8)
        return bad(r, "truncated");
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v |= (uint64_t)r->p[i] << (8 * i);
    memcpy(d, &v, 8);
    r->p += 8;
    r->left -= 8;
    if (!isfinite(*d))
        return bad(r, "non-finite coordinate");
    return 0;
}

static int get_header(struct reader *r, uint32_t *type)
{
    if (r->left < 1)
        return bad(r, "truncated");
    if (r->p[0] != 1)
        return bad(r, "not little-endian WKB");
    r->p++;
    r->left--;
    return get_u32(r, type);
}

static int get_pts(struct reader *r, struct ag_ll **pts, size_t *n)
{
    uint32_t cnt = 0;
    int rc = get_u32(r, &cnt);
    if (rc)
        return rc;
    if ((size_t)cnt > r->left / 16)
        return bad(r, "point count larger than the blob");
    *pts = malloc((cnt ? cnt : 1) * sizeof **pts);
    if (!*pts)
        return ag_error_set(r->err, AG_ENOMEM, "out of memory");
    *n = cnt;
    for (uint32_t i = 0; i < cnt && !rc; i++) {
        rc = get_f64(r, &(*pts)[i].lon);
        if (!rc)
            rc = get_f64(r, &(*pts)[i].lat);
    }
    return rc;
}

static int get_polygon(struct reader *r, struct ag_polygon *p)
{
    uint32_t type = 0, nrings = 0;
    int rc = get_header(r, &type);
    if (rc)
        return rc;
    if (type != WKB_POLYGON)
        return bad(r, "expected a polygon");
    if ((rc = get_u32(r, &nrings)))
        return rc;
    if ((size_t)nrings > r->left / 4)
        return bad(r, "ring count larger than the blob");
    p->rings = calloc(nrings ? nrings : 1, sizeof *p->rings);
    if (!p->rings)
        return ag_error_set(r->err, AG_ENOMEM, "out of memory");
    p->nrings = nrings;
    for (uint32_t i = 0; i < nrings && !rc; i++)
        rc = get_pts(r, &p->rings[i].pts, &p->rings[i].n);
    return rc;
}

int ag_wkb_read_mpoly(const void *data, size_t len, struct ag_mpoly *out,
                      struct ag_error *err)
{
    struct reader r = {data, len, err};
    memset(out, 0, sizeof *out);
    uint32_t type = 0;
    int rc = get_header(&r, &type);
    if (rc)
        return rc;
    if (type == WKB_POLYGON) {
        r.p -= 5;
        r.left += 5;
        out->polys = calloc(1, sizeof *out->polys);
        if (!out->polys)
            return ag_error_set(err, AG_ENOMEM, "out of memory");
        out->npolys = 1;
        rc = get_polygon(&r, &out->polys[0]);
    } else if (type == WKB_MULTIPOLYGON) {
        uint32_t n = 0;
        rc = get_u32(&r, &n);
        if (!rc && (size_t)n > r.left / 9)
            rc = bad(&r, "polygon count larger than the blob");
        if (!rc) {
            out->polys = calloc(n ? n : 1, sizeof *out->polys);
            if (!out->polys)
                return ag_error_set(err, AG_ENOMEM, "out of memory");
            out->npolys = n;
            for (uint32_t i = 0; i < n && !rc; i++)
                rc = get_polygon(&r, &out->polys[i]);
        }
    } else {
        rc = bad(&r, "expected a polygon or multipolygon");
    }
    if (rc)
        ag_mpoly_free(out);
    return rc;
}

int ag_wkb_read_line(const void *data, size_t len, struct ag_line *out,
                     struct ag_error *err)
{
    struct reader r = {data, len, err};
    memset(out, 0, sizeof *out);
    uint32_t type = 0;
    int rc = get_header(&r, &type);
    if (rc)
        return rc;
    if (type == WKB_POINT) {
        out->pts = malloc(sizeof *out->pts);
        if (!out->pts)
            return ag_error_set(err, AG_ENOMEM, "out of memory");
        out->n = 1;
        rc = get_f64(&r, &out->pts[0].lon);
        if (!rc)
            rc = get_f64(&r, &out->pts[0].lat);
    } else if (type == WKB_LINESTRING) {
        rc = get_pts(&r, &out->pts, &out->n);
    } else {
        rc = bad(&r, "expected a point or linestring");
    }
    if (rc)
        ag_line_free(out);
    return rc;
}
