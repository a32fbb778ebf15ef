/* libFuzzer target for the WKB readers: any blob must either be refused with
 * AG_EPARSE (or AG_ENOMEM) and a message, outputs left zeroed, or be read
 * into a geometry that the writer turns into WKB the reader accepts again
 * with the same structure and bit-identical coordinates; the written bytes
 * are also the prefix of the blob that the reader consumed, except where the
 * writer picks a shorter form (a MultiPolygon of one polygon is written as a
 * Polygon, a LineString of one point as a Point). The readers ignore bytes
 * after the geometry.
 * SPDX-License-Identifier: EUPL-1.2 */
#include "agora/model.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void die(const char *what, const char *detail)
{
    fprintf(stderr, "fuzz_wkb: %s%s%s\n", what, detail ? ": " : "", detail ? detail : "");
    abort();
}

static bool same_bits(double a, double b)
{
    return memcmp(&a, &b, sizeof a) == 0;
}

static void check_pts(const struct ag_ll *a, const struct ag_ll *b, size_t n)
{
    for (size_t k = 0; k < n; k++) {
        if (!isfinite(a[k].lon) || !isfinite(a[k].lat))
            die("accepted a non-finite coordinate", NULL);
        if (!same_bits(a[k].lon, b[k].lon) || !same_bits(a[k].lat, b[k].lat))
            die("round trip changed the bits of a coordinate", NULL);
    }
}

static void check_same_mpoly(const struct ag_mpoly *a, const struct ag_mpoly *b)
{
    if (a->npolys != b->npolys)
        die("round trip changed the number of polygons", NULL);
    for (size_t i = 0; i < a->npolys; i++) {
        if (a->polys[i].nrings != b->polys[i].nrings)
            die("round trip changed the number of rings", NULL);
        for (size_t j = 0; j < a->polys[i].nrings; j++) {
            const struct ag_ring *ra = &a->polys[i].rings[j];
            const struct ag_ring *rb = &b->polys[i].rings[j];
            if (ra->n != rb->n)
                die("round trip changed the number of points", NULL);
            check_pts(ra->pts, rb->pts, ra->n);
        }
    }
}

/* The geometry type of a blob the reader accepted (so at least 5 bytes). */
static uint32_t blob_type(const uint8_t *data)
{
    return (uint32_t)data[1] | (uint32_t)data[2] << 8 | (uint32_t)data[3] << 16 |
           (uint32_t)data[4] << 24;
}

static void check_refusal(int rc, const struct ag_error *err, const void *out, size_t outsize)
{
    static const char zero[sizeof(struct ag_mpoly) > sizeof(struct ag_line)
                               ? sizeof(struct ag_mpoly)
                               : sizeof(struct ag_line)];
    if (rc != AG_EPARSE && rc != AG_ENOMEM)
        die("unexpected error code", ag_errname(rc));
    if (err->code != rc || !err->msg[0])
        die("error without a message", err->msg);
    if (memcmp(out, zero, outsize) != 0)
        die("output not zeroed on failure", err->msg);
}

static void fuzz_mpoly(const uint8_t *data, size_t size)
{
    struct ag_mpoly mp;
    struct ag_error err = {0};
    int rc = ag_wkb_read_mpoly(data, size, &mp, &err);
    if (rc) {
        check_refusal(rc, &err, &mp, sizeof mp);
        return;
    }
    /* Every accepted blob holds at least its header and counts. */
    if (size < 9)
        die("accepted a polygon blob shorter than its header", NULL);

    struct ag_buf b;
    ag_buf_init(&b, (size_t)1 << 30);
    rc = ag_wkb_write_mpoly(&b, &mp);
    if (rc)
        die("cannot write the multipolygon that was read", ag_errname(rc));
    struct ag_mpoly back;
    rc = ag_wkb_read_mpoly(b.data, b.len, &back, &err);
    if (rc)
        die("cannot read the multipolygon that was written", err.msg);
    check_same_mpoly(&mp, &back);

    /* The writer's output is canonical: writing again gives the same bytes. */
    struct ag_buf b2;
    ag_buf_init(&b2, (size_t)1 << 30);
    if (ag_wkb_write_mpoly(&b2, &back) || b2.len != b.len || memcmp(b2.data, b.data, b.len) != 0)
        die("writing the re-read multipolygon gave different bytes", NULL);
    /* And it never writes more than the input held (counts are bounded by
     * the blob, and a Polygon header is shorter than a MultiPolygon one). */
    if (b.len > size)
        die("written multipolygon longer than the blob it came from", NULL);
    /* The written bytes are the prefix the reader consumed, except that a
     * MultiPolygon of one polygon loses its 9-byte MultiPolygon header. */
    const uint8_t *consumed = data;
    if (blob_type(data) == 6 && mp.npolys == 1)
        consumed += 9;
    if (memcmp(b.data, consumed, b.len) != 0)
        die("written multipolygon differs from the blob it came from", NULL);

    ag_buf_free(&b2);
    ag_buf_free(&b);
    ag_mpoly_free(&back);
    ag_mpoly_free(&mp);
}

static void fuzz_line(const uint8_t *data, size_t size)
{
    struct ag_line l;
    struct ag_error err = {0};
    int rc = ag_wkb_read_line(data, size, &l, &err);
    if (rc) {
        check_refusal(rc, &err, &l, sizeof l);
        return;
    }
    if (size < 9)
        die("accepted a line blob shorter than its header", NULL);

    struct ag_buf b;
    ag_buf_init(&b, (size_t)1 << 30);
    rc = ag_wkb_write_line(&b, &l);
    if (rc)
        die("cannot write the line that was read", ag_errname(rc));
    struct ag_line back;
    rc = ag_wkb_read_line(b.data, b.len, &back, &err);
    if (rc)
        die("cannot read the line that was written", err.msg);
    if (back.n != l.n)
        die("round trip changed the number of points", NULL);
    check_pts(l.pts, back.pts, l.n);
    if (b.len > size)
        die("written line longer than the blob it came from", NULL);
    /* Where the blob was already in the writer's form (a Point, or a
     * LineString of other than one point), the written bytes are exactly the
     * prefix the reader consumed. */
    if ((blob_type(data) == 1 || l.n != 1) && memcmp(b.data, data, b.len) != 0)
        die("written line differs from the blob it came from", NULL);

    ag_buf_free(&b);
    ag_line_free(&back);
    ag_line_free(&l);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_mpoly(data, size);
    fuzz_line(data, size);
    return 0;
}
