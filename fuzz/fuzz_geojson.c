/* libFuzzer target for the GeoJSON reader: any input must either be refused
 * with a proper error (code and message, outputs untouched) or be read into
 * a multipolygon that the writer turns into GeoJSON the reader accepts
 * again, with the same shape and coordinates within the 1e-7 degrees that
 * the writer keeps.
 * SPDX-License-Identifier: EUPL-1.2 */
#include "agora/geo.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void mpoly_release(struct ag_mpoly *mp)
{
    for (size_t i = 0; i < mp->npolys; i++) {
        for (size_t j = 0; j < mp->polys[i].nrings; j++)
            free(mp->polys[i].rings[j].pts);
        free(mp->polys[i].rings);
    }
    free(mp->polys);
    mp->polys = NULL;
    mp->npolys = 0;
}

static void die(const char *what, const char *detail)
{
    fprintf(stderr, "fuzz_geojson: %s%s%s\n", what, detail ? ": " : "",
            detail ? detail : "");
    abort();
}

/* Checks what the reader promises about every polygon it returns. */
static void check_shape(const struct ag_mpoly *mp)
{
    if (mp->npolys == 0 || !mp->polys)
        die("accepted a multipolygon without polygons", NULL);
    for (size_t i = 0; i < mp->npolys; i++) {
        const struct ag_polygon *p = &mp->polys[i];
        if (p->nrings == 0 || !p->rings)
            die("accepted a polygon without rings", NULL);
        for (size_t j = 0; j < p->nrings; j++) {
            const struct ag_ring *r = &p->rings[j];
            if (r->n < 4 || !r->pts)
                die("accepted a ring with fewer than 4 positions", NULL);
            if (r->pts[0].lon != r->pts[r->n - 1].lon ||
                r->pts[0].lat != r->pts[r->n - 1].lat)
                die("accepted a ring that is not closed", NULL);
            for (size_t k = 0; k < r->n; k++)
                if (!(fabs(r->pts[k].lon) <= 180.0) ||
                    !(fabs(r->pts[k].lat) <= 90.0))
                    die("accepted a coordinate out of range", NULL);
        }
    }
}

static void check_same(const struct ag_mpoly *a, const struct ag_mpoly *b)
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
            for (size_t k = 0; k < ra->n; k++)
                if (fabs(ra->pts[k].lon - rb->pts[k].lon) > 1e-7 ||
                    fabs(ra->pts[k].lat - rb->pts[k].lat) > 1e-7)
                    die("round trip moved a coordinate by more than 1e-7",
                        NULL);
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char name[] = "fuzz.geojson";
    struct ag_mpoly mp = {0};
    char *nm = NULL;
    struct ag_error err = {0};
    int rc = ag_geojson_read_mpoly((const char *)data, size, name, &mp, &nm,
                                   &err);
    if (rc) {
        if (rc != AG_EPARSE && rc != AG_EGEOM && rc != AG_EEMPTY &&
            rc != AG_ELIMIT && rc != AG_ENOMEM)
            die("unexpected error code", ag_errname(rc));
        if (err.code != rc || strncmp(err.msg, name, sizeof name - 1) != 0)
            die("error message does not name the source", err.msg);
        if (mp.polys || mp.npolys || nm)
            die("outputs touched on failure", err.msg);
        return 0;
    }
    check_shape(&mp);

    struct ag_buf b;
    ag_buf_init(&b, (size_t)1 << 30);
    rc = ag_geojson_write_mpoly(&b, &mp);
    if (rc)
        die("cannot write what was read", ag_errname(rc));
    struct ag_mpoly back = {0};
    rc = ag_geojson_read_mpoly(b.data, b.len, "round-trip", &back, NULL, &err);
    if (rc)
        die("cannot read what was written", err.msg);
    check_same(&mp, &back);

    mpoly_release(&back);
    ag_buf_free(&b);
    mpoly_release(&mp);
    free(nm);
    return 0;
}
