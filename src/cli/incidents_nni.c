/* agora incidents nni: the Clark-Evans nearest-neighbour index, with the
 * study area it depends on chosen explicitly (docs/methodology.md, section
 * 12, "Nearest neighbours and the Clark-Evans index").
 * SPDX-License-Identifier: EUPL-1.2 */
#include "incidents_cli.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char HELP[] =
    "Usage: agora incidents nni [--area bbox|hull|M2] [--json | --csv] [--set NAME]\n"
    "                           [--category C] [--from DATE] [--to DATE] [--db PATH]\n"
    "\n"
    "Are the incidents closer to one another than if they were spread at random\n"
    "over the study area? The Clark-Evans index R is the mean distance from each\n"
    "incident to its nearest other one, divided by the mean expected for random\n"
    "points over the area: R < 1 clustered, R > 1 dispersed, with a z-test (normal\n"
    "approximation, two-sided p).\n"
    "\n"
    "The answer depends on the area: the same incidents look more clustered in a\n"
    "larger one. There is no edge correction, which understates clustering.\n"
    "\n"
    "  --area bbox      the rectangle bounding the incidents in the set's plane\n"
    "                   (default)\n"
    "  --area hull      the convex hull of the incidents (smaller than the\n"
    "                   rectangle, so R is larger)\n"
    "  --area M2        a study area in square metres (say, the district's)\n"
    "  --json           everything as JSON\n"
    "  --csv            one header line and one line of results\n" INC_SEL_HELP "\n"
    "Method and sources: docs/methodology.md, \"Nearest neighbours and the\n"
    "Clark-Evans index\".\n";

#define CMD "incidents nni"
#define NNI_ALPHA 0.05

enum area_kind { AREA_BBOX, AREA_HULL, AREA_GIVEN };

static const char *const AREA_NAME[3] = {"bbox", "hull", "given"};

static void json_num(struct ag_buf *b, double v)
{
    if (isfinite(v))
        ag_buf_printf(b, "%.17g", v);
    else
        ag_buf_puts(b, "null");
}

/* ---- convex hull (A. M. Andrew, "Another efficient algorithm for convex
 * hulls in two dimensions", Inf. Process. Lett. 9(5), 1979: the monotone
 * chain) ---- */

static int cmp_xy(const void *a, const void *b)
{
    const struct ag_xy *p = a, *q = b;
    if (p->x != q->x)
        return p->x < q->x ? -1 : 1;
    if (p->y != q->y)
        return p->y < q->y ? -1 : 1;
    return 0;
}

/* > 0 when o, a, b turn counter-clockwise. */
static double cross(struct ag_xy o, struct ag_xy a, struct ag_xy b)
{
    return (a.x - o.x) * (b.y - o.y) - (a.y - o.y) * (b.x - o.x);
}

/* Area of the convex hull of pts[0..n) in m²; 0 when the points are
 * collinear. -1 when out of memory. */
static double hull_area(const struct ag_xy *pts, size_t n)
{
    if (n < 3)
        return 0;
    struct ag_xy *p = malloc(n * sizeof *p), *h = malloc(2 * n * sizeof *h);
    if (!p || !h) {
        free(p);
        free(h);
        return -1;
    }
    memcpy(p, pts, n * sizeof *p);
    qsort(p, n, sizeof *p, cmp_xy);
    /* Lower chain left to right, then upper chain right to left; a point
     * that does not turn counter-clockwise (collinear ones included) is
     * dropped. */
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        while (k >= 2 && cross(h[k - 2], h[k - 1], p[i]) <= 0)
            k--;
        h[k++] = p[i];
    }
    for (size_t i = n - 1, lower = k + 1; i-- > 0;) {
        while (k >= lower && cross(h[k - 2], h[k - 1], p[i]) <= 0)
            k--;
        h[k++] = p[i];
    }
    /* h[k - 1] repeats h[0]. Shoelace about h[0], so that large projected
     * coordinates cost no precision. */
    double twice = 0;
    for (size_t i = 1; i + 1 < k; i++)
        twice += cross(h[0], h[i], h[i + 1]);
    free(p);
    free(h);
    return twice / 2;
}

int inc_cmd_nni(int argc, char **argv)
{
    const char *area = NULL;
    bool json = false, csv = false;
    struct inc_sel_opts so = {0};
    const struct cli_opt opts[] = {{"--area", &area, NULL},
                                   {"--json", NULL, &json},
                                   {"--csv", NULL, &csv},
                                   INC_SEL_CLI_OPTS(so),
                                   {NULL, NULL, NULL}};
    const char *pos[1];
    int npos, code;
    if (tool_parse(argc, argv, opts, pos, 0, &npos, HELP, &code))
        return code;
    int fmt = inc_format(json, false, csv, 1u << INC_TEXT | 1u << INC_JSON | 1u << INC_CSV, CMD);
    if (fmt < 0)
        return EXIT_USAGE;
    enum area_kind kind = AREA_BBOX;
    double area_m2 = NAN;
    if (area && !strcmp(area, "hull")) {
        kind = AREA_HULL;
    } else if (area && strcmp(area, "bbox")) {
        kind = AREA_GIVEN;
        if (!ag_parse_double(area, &area_m2) || !isfinite(area_m2) || area_m2 <= 0)
            return tool_usage("%s: --area: expected bbox, hull or an area in square metres "
                              "greater than 0, not \"%s\"",
                              CMD, area);
    }

    struct ag_error err = {0};
    struct inc_sel s;
    int rc = inc_select(&so, false, 2, &s, &err);
    if (rc)
        return tool_fail(&err);

    struct ag_bbox bb = ag_bbox_empty();
    for (size_t i = 0; i < s.n; i++)
        ag_bbox_extend(&bb, s.xy[i].x, s.xy[i].y);
    if (kind == AREA_BBOX) {
        area_m2 = (bb.maxx - bb.minx) * (bb.maxy - bb.miny);
    } else if (kind == AREA_HULL) {
        area_m2 = hull_area(s.xy, s.n);
        if (area_m2 < 0)
            rc = ag_error_set(&err, AG_ENOMEM, "out of memory");
    }
    if (!rc && !(area_m2 > 0))
        rc = ag_error_set(&err, AG_EINVAL,
                          "%s: the %s of the incidents has no area (they lie on one line or "
                          "at one point): give the study area with --area M2",
                          s.what, kind == AREA_HULL ? "convex hull" : "bounding rectangle");
    struct ag_incidents_clark_evans ce = {0};
    if (!rc)
        rc = ag_incidents_clark_evans(s.xy, s.n, area_m2, AG_INCIDENTS_NN_AUTO, &ce, &err);

    const char *reading = "random";
    if (!rc && ce.R < 1 && ce.p_two_sided < NNI_ALPHA)
        reading = "clustered";
    else if (!rc && ce.R > 1 && ce.p_two_sided < NNI_ALPHA)
        reading = "dispersed";

    if (!rc && fmt == INC_TEXT) {
        char a[64], b[64], c[64];
        printf("Nearest-neighbour index (Clark-Evans): %s, %zu incidents\n", s.what, ce.n);
        printf("  study area: %s m² (%s km²), ", tool_num(a, sizeof a, ce.area_m2, 1),
               tool_num(b, sizeof b, ce.area_m2 / 1e6, 3));
        if (kind == AREA_BBOX)
            printf("the rectangle bounding the incidents,\n    %s m x %s m in %s\n",
                   tool_num(a, sizeof a, bb.maxx - bb.minx, 1),
                   tool_num(b, sizeof b, bb.maxy - bb.miny, 1), s.set.plane);
        else if (kind == AREA_HULL)
            printf("the convex hull of the incidents\n    in %s\n", s.set.plane);
        else
            printf("as given (--area)\n");
        printf("  distance to the nearest other incident: mean %s m, min %s m, max %s m\n",
               tool_num(a, sizeof a, ce.mean_nn_m, 1), tool_num(b, sizeof b, ce.min_nn_m, 1),
               tool_num(c, sizeof c, ce.max_nn_m, 1));
        printf("  expected mean for random points over the area: %s m (standard error %s m)\n",
               tool_num(a, sizeof a, ce.expected_nn_m, 1), tool_num(b, sizeof b, ce.se_m, 2));
        printf("  R = %.4g (observed / expected), z = %.3g, p = %.3g (two-sided)\n", ce.R, ce.z,
               ce.p_two_sided);
        if (!strcmp(reading, "clustered"))
            printf("  reading: clustered (R < 1, p < %g): the incidents lie closer to one\n"
                   "    another than random points over this area would\n",
                   NNI_ALPHA);
        else if (!strcmp(reading, "dispersed"))
            printf("  reading: dispersed (R > 1, p < %g): the incidents are more evenly spaced\n"
                   "    than random points over this area would be\n",
                   NNI_ALPHA);
        else
            printf("  reading: no evidence against randomness (p >= %g)\n", NNI_ALPHA);
        printf("  note: a larger study area makes the same incidents look more clustered\n");
        if (fflush(stdout))
            rc = ag_error_set(&err, AG_EIO, "cannot write to standard output");
    } else if (!rc && fmt == INC_CSV) {
        struct ag_buf o;
        ag_buf_init(&o, (size_t)1 << 16);
        ag_buf_printf(&o, "n,area_method,area_m2,mean_nn_m,min_nn_m,max_nn_m,expected_nn_m,se_m,"
                          "R,z,p_two_sided,reading\n%zu,%s",
                      s.n, AREA_NAME[kind]);
        const double v[] = {ce.area_m2,     ce.mean_nn_m, ce.min_nn_m, ce.max_nn_m,
                            ce.expected_nn_m, ce.se_m,    ce.R,        ce.z,
                            ce.p_two_sided};
        for (size_t i = 0; i < sizeof v / sizeof v[0]; i++)
            ag_buf_printf(&o, ",%.17g", v[i]);
        ag_buf_printf(&o, ",%s\n", reading);
        rc = inc_emit(&o, &err);
    } else if (!rc) {
        struct ag_buf o;
        ag_buf_init(&o, (size_t)1 << 20);
        inc_json_head(&o, &s, "clark_evans");
        ag_buf_printf(&o, ",\"area_method\":\"%s\",\"area_m2\":", AREA_NAME[kind]);
        json_num(&o, ce.area_m2);
        ag_buf_puts(&o, ",\"bbox\":[");
        json_num(&o, bb.minx);
        ag_buf_puts(&o, ",");
        json_num(&o, bb.miny);
        ag_buf_puts(&o, ",");
        json_num(&o, bb.maxx);
        ag_buf_puts(&o, ",");
        json_num(&o, bb.maxy);
        const struct {
            const char *key;
            double v;
        } f[] = {{"mean_nn_m", ce.mean_nn_m},
                 {"min_nn_m", ce.min_nn_m},
                 {"max_nn_m", ce.max_nn_m},
                 {"expected_nn_m", ce.expected_nn_m},
                 {"se_m", ce.se_m},
                 {"R", ce.R},
                 {"z", ce.z},
                 {"p_two_sided", ce.p_two_sided}};
        ag_buf_puts(&o, "]");
        for (size_t i = 0; i < sizeof f / sizeof f[0]; i++) {
            ag_buf_printf(&o, ",\"%s\":", f[i].key);
            json_num(&o, f[i].v);
        }
        ag_buf_printf(&o, ",\"reading\":\"%s\"}\n", reading);
        rc = inc_emit(&o, &err);
    }
    inc_sel_free(&s);
    return rc ? tool_fail(&err) : EXIT_OK;
}
