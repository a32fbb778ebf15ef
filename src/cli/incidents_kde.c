/* agora incidents kde: a hotspot surface by kernel density.
 * SPDX-License-Identifier: EUPL-1.2 */
#include "incidents_cli.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char HELP[] =
    "Usage: agora incidents kde [--kernel quartic|gaussian] [--bandwidth M | --bw-rule R]\n"
    "                           [--cell M] [--edge] [--extent XMIN,YMIN,XMAX,YMAX]\n"
    "                           [--top K] [--threads N] [--timing]\n"
    "                           [--json | --geojson | --csv] [selection]\n"
    "\n"
    "Kernel density of the incidents on a regular grid, in incidents per km²:\n"
    "where they concentrate, as a smooth surface. Every incident adds its kernel\n"
    "to every cell centre it reaches (an exact sum, no binning).\n"
    "\n"
    "  --kernel K       quartic (default: the crime-mapping kernel, radius =\n"
    "                   bandwidth) or gaussian (σ = bandwidth)\n"
    "  --bandwidth M    in metres; default: chosen by --bw-rule\n"
    "  --bw-rule R      scott (default): a Gaussian σ from the spread of the\n"
    "                   points (a quartic kernel gets the radius of the same\n"
    "                   spread, √8 σ, as spatstat); silverman: the robust rule of\n"
    "                   crime-mapping tools, used as σ or as the quartic's radius\n"
    "                   (as ArcGIS)\n"
    "  --cell M         cell size in metres (default: a quarter of the quartic\n"
    "                   radius, half the Gaussian σ, larger if the grid would pass\n"
    "                   4 million cells)\n"
    "  --edge           correct for the edge of the grid (the kernel's share that\n"
    "                   falls outside is given back)\n"
    "  --extent E       the grid's rectangle in the set's plane (default: the\n"
    "                   points' bounding box widened by the kernel's reach)\n"
    "  --top K          the K densest cells in the text output (default 10)\n"
    "  --threads N      threads (default: the machine's cores, at most 8)\n"
    "  --timing         print how long reading and the density took (stderr)\n"
    "  --json           the grid and its values (row by row from the south-west)\n"
    "  --geojson        cells with a density above 0 as polygons in lon/lat\n"
    "  --csv            one line per cell: ix,iy,x,y,lon,lat,per_km2\n"
    "\n"
    "Selection:\n" INC_SEL_HELP;

struct top {
    size_t cell;
    double v;
};

static int cmp_top(const void *a, const void *b)
{
    const struct top *x = a, *y = b;
    if (x->v != y->v)
        return x->v < y->v ? 1 : -1;
    return x->cell < y->cell ? -1 : x->cell > y->cell;
}

/* Writes out what b holds once it passes a megabyte, so that a grid of
 * millions of cells streams instead of growing one large buffer. */
static int spill(struct ag_buf *b, struct ag_error *err)
{
    if (b->len < ((size_t)1 << 20))
        return 0;
    if (fwrite(b->data, 1, b->len, stdout) != b->len)
        return ag_error_set(err, AG_EIO, "cannot write to standard output");
    ag_buf_reset(b);
    return 0;
}

int inc_cmd_kde(int argc, char **argv)
{
    const char *cmd = argv[0];
    struct inc_sel_opts so = {0};
    const char *kernel = NULL, *bw = NULL, *rule = NULL, *cell = NULL, *extent = NULL,
               *top = NULL, *threads = NULL;
    bool edge = false, timing = false, json = false, geojson = false, csv = false;
    const struct cli_opt opts[] = {INC_SEL_CLI_OPTS(so),
                                   {"--kernel", &kernel, NULL},
                                   {"--bandwidth", &bw, NULL},
                                   {"--bw-rule", &rule, NULL},
                                   {"--cell", &cell, NULL},
                                   {"--extent", &extent, NULL},
                                   {"--top", &top, NULL},
                                   {"--threads", &threads, NULL},
                                   {"--edge", NULL, &edge},
                                   {"--timing", NULL, &timing},
                                   {"--json", NULL, &json},
                                   {"--geojson", NULL, &geojson},
                                   {"--csv", NULL, &csv},
                                   {NULL, NULL, NULL}};
    const char *pos[1];
    int npos, code;
    if (tool_parse(argc, argv, opts, pos, 0, &npos, HELP, &code))
        return code;
    int fmt = inc_format(json, geojson, csv, 0xF, cmd);
    if (fmt < 0)
        return EXIT_USAGE;
    struct ag_incidents_kde_params kp = {.kernel = AG_INCIDENTS_KERNEL_QUARTIC};
    if (kernel && !strcmp(kernel, "gaussian"))
        kp.kernel = AG_INCIDENTS_KERNEL_GAUSSIAN;
    else if (kernel && strcmp(kernel, "quartic"))
        return tool_usage("%s: --kernel: expected quartic or gaussian, not \"%s\"", cmd, kernel);
    enum ag_incidents_bw_rule br = AG_INCIDENTS_BW_SCOTT;
    if (rule && !strcmp(rule, "silverman"))
        br = AG_INCIDENTS_BW_SILVERMAN;
    else if (rule && strcmp(rule, "scott"))
        return tool_usage("%s: --bw-rule: expected scott or silverman, not \"%s\"", cmd, rule);
    if (bw && rule)
        return tool_usage("%s: give --bandwidth or --bw-rule, not both", cmd);
    double cell_m = 0;
    unsigned ntop = 10, nthreads = 0;
    if ((bw && inc_opt_double(cmd, "--bandwidth", bw, 0, &kp.bandwidth_m)) ||
        (cell && inc_opt_double(cmd, "--cell", cell, 0, &cell_m)) ||
        (top && inc_opt_uint(cmd, "--top", top, 0, 1000000, &ntop)) ||
        (threads && inc_opt_uint(cmd, "--threads", threads, 1, 64, &nthreads)))
        return EXIT_USAGE;
    kp.edge_correct = edge;
    kp.threads = nthreads;

    struct ag_error err = {0};
    struct inc_sel s;
    double t0 = ag_now();
    int rc = inc_select(&so, false, 1, &s, &err);
    if (rc)
        return tool_fail(&err);
    double t_load = ag_now() - t0;
    double sigma = NAN;
    const char *bw_source = "given";
    if (!bw) {
        rc = ag_incidents_bandwidth(s.xy, s.n, br, &sigma, &err);
        if (rc)
            ag_error_prefix(&err, "choosing a bandwidth (give --bandwidth M): ");
        /* Scott's rule gives a Gaussian σ; a quartic kernel gets the radius
         * of the same spread, as spatstat does. The robust Silverman rule is
         * used as it stands for either kernel: as σ by Silverman, as the
         * quartic's radius by ArcGIS (methodology §14). */
        kp.bandwidth_m = kp.kernel == AG_INCIDENTS_KERNEL_QUARTIC && br == AG_INCIDENTS_BW_SCOTT
                             ? ag_incidents_quartic_radius(sigma)
                             : sigma;
        bw_source = br == AG_INCIDENTS_BW_SCOTT ? "Scott's rule" : "Silverman's robust rule";
    }
    /* The default grid reaches as far as the quartic's radius, or 4 σ: a
     * point on the edge of the data then loses at most 3e-5 of its mass. */
    double reach = kp.kernel == AG_INCIDENTS_KERNEL_QUARTIC ? kp.bandwidth_m
                                                            : 4 * kp.bandwidth_m;
    struct ag_incidents_grid g = {0};
    if (!rc && !cell) {
        cell_m = kp.kernel == AG_INCIDENTS_KERNEL_QUARTIC ? kp.bandwidth_m / 4
                                                          : kp.bandwidth_m / 2;
        rc = inc_grid(&s, extent, cell_m, reach, &g, &err);
        /* Keep the default grid within 4 million cells. */
        while (!rc && (double)g.nx * (double)g.ny > 4e6) {
            cell_m *= sqrt((double)g.nx * (double)g.ny / 4e6) * 1.001;
            rc = inc_grid(&s, extent, cell_m, reach, &g, &err);
        }
    } else if (!rc) {
        rc = inc_grid(&s, extent, cell_m, reach, &g, &err);
    }
    double *val = NULL;
    if (!rc) {
        val = malloc(g.nx * g.ny * sizeof *val);
        if (!val)
            rc = ag_error_set(&err, AG_ENOMEM, "out of memory for %zu x %zu cells", g.nx, g.ny);
    }
    double t_kde = 0;
    if (!rc) {
        struct ag_progress prog;
        ag_progress_start(&prog, "kernel density", 0);
        double t1 = ag_now();
        rc = ag_incidents_kde(s.xy, NULL, s.n, &g, &kp, val, &err);
        t_kde = ag_now() - t1;
        ag_progress_end(&prog);
    }
    size_t ncell = g.nx * g.ny;
    double mass = 0, vmax = 0;
    for (size_t c = 0; !rc && c < ncell; c++) {
        val[c] *= 1e6; /* per km² */
        mass += val[c];
        vmax = val[c] > vmax ? val[c] : vmax;
    }
    mass *= g.cell_m * g.cell_m / 1e6;
    const char *kname = kp.kernel == AG_INCIDENTS_KERNEL_QUARTIC ? "quartic" : "gaussian";
    struct ag_buf b;
    ag_buf_init(&b, (size_t)1 << 31);
    if (!rc && fmt == INC_JSON) {
        inc_json_head(&b, &s, "kde");
        ag_buf_printf(&b,
                      ",\"kernel\":\"%s\",\"bandwidth_m\":%.17g,\"bandwidth_source\":\"%s\","
                      "\"edge_correction\":%s,\"grid\":{\"x0\":%.17g,\"y0\":%.17g,"
                      "\"cell_m\":%.17g,\"nx\":%zu,\"ny\":%zu},\"unit\":\"per km2\","
                      "\"max\":%.17g,\"mass\":%.17g,\"values\":[",
                      kname, kp.bandwidth_m, bw_source, edge ? "true" : "false", g.x0, g.y0,
                      g.cell_m, g.nx, g.ny, vmax, mass);
        for (size_t c = 0; !rc && c < ncell; c++) {
            ag_buf_printf(&b, "%s%.17g", c ? "," : "", val[c]);
            rc = spill(&b, &err);
        }
        ag_buf_puts(&b, "]}\n");
    } else if (!rc && fmt == INC_CSV) {
        ag_buf_puts(&b, "ix,iy,x,y,lon,lat,per_km2\n");
        for (size_t iy = 0; iy < g.ny; iy++)
            for (size_t ix = 0; ix < g.nx; ix++) {
                struct ag_xy c = {g.x0 + ((double)ix + 0.5) * g.cell_m,
                                  g.y0 + ((double)iy + 0.5) * g.cell_m};
                struct ag_ll ll = {NAN, NAN};
                ag_plane_inv(s.plane, c, &ll);
                ag_buf_printf(&b, "%zu,%zu,%.17g,%.17g,%.9f,%.9f,%.17g\n", ix, iy, c.x, c.y,
                              ll.lon, ll.lat, val[iy * g.nx + ix]);
                if (!rc)
                    rc = spill(&b, &err);
            }
    } else if (!rc && fmt == INC_GEOJSON) {
        ag_buf_puts(&b, "{\"type\":\"FeatureCollection\",\"features\":[");
        bool first = true;
        for (size_t iy = 0; iy < g.ny; iy++)
            for (size_t ix = 0; ix < g.nx; ix++) {
                double v = val[iy * g.nx + ix];
                if (!(v > 0))
                    continue;
                ag_buf_printf(&b, "%s{\"type\":\"Feature\",\"properties\":{\"ix\":%zu,\"iy\":%zu,"
                                  "\"per_km2\":%.17g},\"geometry\":",
                              first ? "" : ",", ix, iy, v);
                inc_geojson_cell(&b, &s, &g, ix, iy);
                ag_buf_puts(&b, "}");
                first = false;
            }
        ag_buf_puts(&b, "]}\n");
    } else if (!rc) {
        char n1[32], n2[32];
        ag_buf_printf(&b, "Kernel density of %zu incidents (%s)\n", s.n, s.what);
        ag_buf_printf(&b, "  kernel: %s, %s %s m (%s)%s\n", kname,
                      kp.kernel == AG_INCIDENTS_KERNEL_QUARTIC ? "radius" : "sigma",
                      tool_num(n1, sizeof n1, kp.bandwidth_m, 1), bw_source,
                      edge ? ", edge-corrected" : "");
        ag_buf_printf(&b, "  grid: %zu x %zu cells of %s m in %s\n", g.nx, g.ny,
                      tool_num(n2, sizeof n2, g.cell_m, 1), s.set.plane);
        ag_buf_printf(&b, "  highest density: %s incidents per km²\n",
                      tool_num(n1, sizeof n1, vmax, 1));
        ag_buf_printf(&b, "  incidents on the grid (density × cell area): %s of %zu\n",
                      tool_num(n1, sizeof n1, mass, 1), s.n);
        size_t k = ntop < ncell ? ntop : ncell;
        struct top *t = k ? malloc(ncell * sizeof *t) : NULL;
        if (k && !t) {
            rc = ag_error_set(&err, AG_ENOMEM, "out of memory");
        } else if (k) {
            for (size_t c = 0; c < ncell; c++)
                t[c] = (struct top){c, val[c]};
            qsort(t, ncell, sizeof *t, cmp_top);
            ag_buf_printf(&b, "  densest cells:\n    %-12s %-12s %14s\n", "longitude", "latitude",
                          "per km²");
            for (size_t i = 0; i < k && t[i].v > 0; i++) {
                size_t ix = t[i].cell % g.nx, iy = t[i].cell / g.nx;
                struct ag_xy c = {g.x0 + ((double)ix + 0.5) * g.cell_m,
                                  g.y0 + ((double)iy + 0.5) * g.cell_m};
                struct ag_ll ll = {NAN, NAN};
                ag_plane_inv(s.plane, c, &ll);
                ag_buf_printf(&b, "    %-12.6f %-12.6f %14s\n", ll.lon, ll.lat,
                              tool_num(n1, sizeof n1, t[i].v, 1));
            }
        }
        free(t);
    }
    if (!rc)
        rc = inc_emit(&b, &err);
    else
        ag_buf_free(&b);
    if (!rc && timing)
        fprintf(stderr, "timing: read %.3f s, density %.3f s (%zu points, %zu x %zu cells)\n",
                t_load, t_kde, s.n, g.nx, g.ny);
    free(val);
    inc_sel_free(&s);
    return rc ? tool_fail(&err) : EXIT_OK;
}
