/* agora crowd simulate: tier 3, the agent simulation, with its outputs
 * (evacuation curve, PedPy trajectories, density map) and tiers 1 and 2 on
 * the same scenario for comparison. SPDX-License-Identifier: EUPL-1.2 */
#include "crowd_cli.h"
#include "agora/crowd_sim.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char HELP[] =
    "Usage: agora crowd simulate (SPACE | --layout FILE) --people N [--seed S]\n"
    "                            [--out DIR] [--max-time S] [--premovement S]\n"
    "                            [--route choice|nearest] [--field quickest|shortest]\n"
    "                            [--fps F] [--json]\n"
    "                            [--db PATH] [--city NAME]\n"
    "\n"
    "Tier 3: N people placed at random over the walkable area walk out with the\n"
    "collision-free speed model, navigating on floor fields (fast marching). Prints\n"
    "the evacuation time, the time when 95 % were out, the people per exit, and the\n"
    "three tiers side by side for the same people: tier 1 (exit widths at Green\n"
    "Guide rates), tier 2 (SFPE hydraulic model, the same starting positions) and\n"
    "tier 3 (this simulation).\n"
    "\n"
    "  --people N       how many (required)\n"
    "  --seed S         placement, speeds: the same seed gives the same run (default 1)\n"
    "  --out DIR        write DIR/evacuation.csv (time_s,people_out,exit),\n"
    "                   DIR/trajectories.txt (PedPy: load_trajectory_from_txt),\n"
    "                   DIR/density.csv (time-averaged density per 0.5 m cell),\n"
    "                   DIR/los-map.svg (highest density per 2 m cell, in Fruin\n"
    "                   walkway levels of service) and DIR/summary.json; the files\n"
    "                   appear together at the end, or not at all\n"
    "  --max-time S     stop after S simulated seconds (default 3600)\n"
    "  --premovement S  everyone starts walking after S seconds (default 0)\n"
    "  --route R        choice (default): each picks the exit with the least\n"
    "                   estimated time, queue included; nearest: follow the floor\n"
    "                   field to the nearest exit (the quickest one with --field\n"
    "                   quickest)\n"
    "  --field F        quickest (default): the floor field is solved again every\n"
    "                   2 s with the walking speed lowered where the crowd is dense\n"
    "                   and slow, so people go round congestion (a wider line round\n"
    "                   a corner, the other exit when one is jammed); shortest: the\n"
    "                   walking distance alone, fixed for the whole run\n"
    "  --fps F          trajectory frames per second (default 10)\n"
    "  --json           print the summary as JSON\n";

#define MAP_CELL_M 2.0
#define DENSITY_CELL_M 0.5

/* The highest density each 2 m cell saw, sampled once a simulated second:
 * people in the cell over its walkable area (from a 4 x 4 sampling of the
 * floor field's cells; cells less than a quarter walkable are left out). */
struct peak_map {
    double x0, y0;
    size_t nx, ny;
    double *walk_m2; /* walkable area per cell */
    double *peak;    /* persons/m² */
    double *count;   /* scratch */
};

static int peak_init(struct peak_map *m, const struct ag_crowd_geom *g,
                     const struct ag_crowd_nav *nav)
{
    struct ag_bbox b = ag_bbox_empty();
    for (size_t r = 0; r < g->nouter; r++)
        for (size_t k = 0; k < g->outer[r].n; k++)
            ag_bbox_extend(&b, g->outer[r].pts[k].x, g->outer[r].pts[k].y);
    m->x0 = b.minx;
    m->y0 = b.miny;
    m->nx = (size_t)ceil((b.maxx - b.minx) / MAP_CELL_M) + 1;
    m->ny = (size_t)ceil((b.maxy - b.miny) / MAP_CELL_M) + 1;
    if (m->nx * m->ny > (size_t)4 << 20)
        return AG_ELIMIT;
    size_t n = m->nx * m->ny;
    m->walk_m2 = calloc(n, sizeof *m->walk_m2);
    m->peak = calloc(n, sizeof *m->peak);
    m->count = calloc(n, sizeof *m->count);
    if (!m->walk_m2 || !m->peak || !m->count)
        return AG_ENOMEM;
    for (size_t iy = 0; iy < m->ny; iy++)
        for (size_t ix = 0; ix < m->nx; ix++) {
            int in = 0;
            for (int sy = 0; sy < 4; sy++)
                for (int sx = 0; sx < 4; sx++) {
                    struct ag_xy p = {m->x0 + (ix + (sx + 0.5) / 4) * MAP_CELL_M,
                                      m->y0 + (iy + (sy + 0.5) / 4) * MAP_CELL_M};
                    in += ag_crowd_nav_walkable(nav, p);
                }
            m->walk_m2[iy * m->nx + ix] = in * MAP_CELL_M * MAP_CELL_M / 16;
        }
    return 0;
}

static void peak_free(struct peak_map *m)
{
    free(m->walk_m2);
    free(m->peak);
    free(m->count);
}

static void peak_sample(struct peak_map *m, const struct ag_crowd_sim *sim)
{
    size_t n = m->nx * m->ny;
    memset(m->count, 0, n * sizeof *m->count);
    size_t na = ag_crowd_sim_agents(sim);
    for (size_t i = 0; i < na; i++) {
        struct ag_crowd_agent_info a;
        if (ag_crowd_sim_agent(sim, i, &a) || a.state == AG_CROWD_OUT)
            continue;
        double fx = (a.pos.x - m->x0) / MAP_CELL_M, fy = (a.pos.y - m->y0) / MAP_CELL_M;
        if (fx < 0 || fy < 0 || fx >= (double)m->nx || fy >= (double)m->ny)
            continue;
        m->count[(size_t)fy * m->nx + (size_t)fx] += 1;
    }
    for (size_t c = 0; c < n; c++)
        if (m->walk_m2[c] >= MAP_CELL_M * MAP_CELL_M / 4)
            m->peak[c] = fmax(m->peak[c], m->count[c] / m->walk_m2[c]);
}

static void svg_ring(struct ag_buf *b, const struct ag_crowd_ring *r, double ymax)
{
    for (size_t k = 0; k < r->n; k++)
        ag_buf_printf(b, "%s%.2f,%.2f", k ? " L" : "M", r->pts[k].x, ymax - r->pts[k].y);
    ag_buf_puts(b, " Z ");
}

/* A self-contained SVG: cells in the colours of Fruin's walkway levels
 * (A green to F dark red), the outline, obstacles and exits. */
static int write_svg(struct ag_buf *b, const struct peak_map *m, const struct ag_crowd_geom *g,
                     const char *title)
{
    static const char *const COL[AG_LOS_COUNT] = {"#1a9850", "#91cf60", "#d9ef8b",
                                                  "#fee08b", "#fc8d59", "#d73027"};
    double w = m->nx * MAP_CELL_M, h = m->ny * MAP_CELL_M;
    double ymax = m->y0 + h;
    double px = 900, ph = px * h / w;
    ag_buf_printf(b,
                  "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                  "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" "
                  "viewBox=\"%.2f %.2f %.2f %.2f\">\n<title>",
                  px, ph + 40, m->x0, 0.0, w, h + 40 * w / px);
    ag_buf_put_html(b, title);
    ag_buf_puts(b, ": highest density (persons/m²), Fruin walkway level of service</title>\n");
    ag_buf_printf(b, "<rect x=\"%.2f\" y=\"0\" width=\"%.2f\" height=\"%.2f\" fill=\"#ffffff\"/>\n",
                  m->x0, w, h + 40 * w / px);
    for (size_t iy = 0; iy < m->ny; iy++)
        for (size_t ix = 0; ix < m->nx; ix++) {
            size_t c = iy * m->nx + ix;
            if (m->walk_m2[c] < MAP_CELL_M * MAP_CELL_M / 4)
                continue;
            enum ag_crowd_los l = ag_crowd_los_of_density(AG_LOS_WALKWAY, m->peak[c]);
            ag_buf_printf(b,
                          "<rect x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\" "
                          "fill=\"%s\"><title>%.2f persons/m², level %s</title></rect>\n",
                          m->x0 + ix * MAP_CELL_M, h - (iy + 1) * MAP_CELL_M,
                          MAP_CELL_M, MAP_CELL_M, COL[l], m->peak[c], ag_crowd_los_name(l));
        }
    double sw = w / px; /* one pixel */
    ag_buf_puts(b, "<path fill=\"none\" stroke=\"#000\" stroke-width=\"");
    ag_buf_printf(b, "%.3f\" d=\"", 2 * sw);
    for (size_t r = 0; r < g->nouter; r++)
        svg_ring(b, &g->outer[r], ymax);
    ag_buf_puts(b, "\"/>\n<path fill=\"#888\" stroke=\"#000\" stroke-width=\"");
    ag_buf_printf(b, "%.3f\" d=\"", sw);
    for (size_t r = 0; r < g->nholes; r++)
        svg_ring(b, &g->holes[r], ymax);
    ag_buf_puts(b, "\"/>\n");
    for (size_t e = 0; e < g->nexits; e++)
        ag_buf_printf(b,
                      "<line x1=\"%.2f\" y1=\"%.2f\" x2=\"%.2f\" y2=\"%.2f\" stroke=\"#2166ac\" "
                      "stroke-width=\"%.3f\"><title>exit %zu</title></line>\n",
                      g->exits[e].a.x, ymax - g->exits[e].a.y, g->exits[e].b.x,
                      ymax - g->exits[e].b.y, 5 * sw, e + 1);
    /* Legend under the map. */
    double ly = h + 10 * sw, box = 14 * sw;
    for (int l = 0; l < AG_LOS_COUNT; l++) {
        double x = m->x0 + (10 + l * 70) * sw;
        ag_buf_printf(b,
                      "<rect x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\" fill=\"%s\"/>"
                      "<text x=\"%.2f\" y=\"%.2f\" font-size=\"%.2f\" "
                      "font-family=\"sans-serif\">%s</text>\n",
                      x, ly, box, box, COL[l], x + box + 4 * sw, ly + 12 * sw, 12 * sw,
                      ag_crowd_los_name((enum ag_crowd_los)l));
    }
    return ag_buf_puts(b, "</svg>\n");
}

/* ---- writing the outputs together ---- */

struct outfile {
    const char *name;
    const char *data;
    size_t len;
    FILE *stream; /* instead of data */
};

static int copy_stream(FILE *src, FILE *dst)
{
    char buf[1 << 16];
    if (fflush(src) || fseek(src, 0, SEEK_SET))
        return AG_EIO;
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, src)) > 0)
        if (fwrite(buf, 1, n, dst) != n)
            return AG_EIO;
    return ferror(src) ? AG_EIO : 0;
}

/* Writes the files into a fresh directory next to (or inside) dir and
 * moves them into place at the end: dir receives all of them or none. */
static int write_outputs(const char *dir, const struct outfile *f, size_t n, struct ag_error *err)
{
    struct stat st;
    bool exists = stat(dir, &st) == 0;
    if (exists && !S_ISDIR(st.st_mode))
        return ag_error_set(err, AG_EINVAL, "--out %s: exists and is not a directory", dir);
    char stage[4096];
    if (exists) {
        snprintf(stage, sizeof stage, "%s/.agora-crowd-XXXXXX", dir);
    } else {
        char parent[4096];
        snprintf(parent, sizeof parent, "%s", dir);
        char *slash = strrchr(parent, '/');
        if (slash && slash != parent) {
            *slash = '\0';
            int rc = ag_mkdirs(parent, err);
            if (rc)
                return rc;
        }
        snprintf(stage, sizeof stage, "%s.tmp-XXXXXX", dir);
    }
    if (!mkdtemp(stage))
        return ag_error_set(err, AG_EIO, "--out %s: cannot create a directory there: %s", dir,
                            strerror(errno));
    int rc = 0;
    char path[4200];
    size_t written = 0;
    for (size_t i = 0; i < n && !rc; i++) {
        snprintf(path, sizeof path, "%s/%s", stage, f[i].name);
        FILE *o = fopen(path, "wb");
        if (!o) {
            rc = ag_error_set(err, AG_EIO, "writing %s: %s", path, strerror(errno));
            break;
        }
        written++;
        int wr = f[i].stream ? copy_stream(f[i].stream, o)
                             : (fwrite(f[i].data, 1, f[i].len, o) == f[i].len ? 0 : AG_EIO);
        if (fflush(o) || fsync(fileno(o)))
            wr = AG_EIO;
        if (fclose(o))
            wr = AG_EIO;
        if (wr)
            rc = ag_error_set(err, AG_EIO, "writing %s: %s", path, strerror(errno));
    }
    if (!rc && !exists) {
        if (rename(stage, dir))
            rc = ag_error_set(err, AG_EIO, "--out %s: %s", dir, strerror(errno));
        else
            return 0;
    }
    for (size_t i = 0; !rc && i < n; i++) {
        char to[4200];
        snprintf(path, sizeof path, "%s/%s", stage, f[i].name);
        snprintf(to, sizeof to, "%s/%s", dir, f[i].name);
        if (rename(path, to))
            rc = ag_error_set(err, AG_EIO, "moving %s into %s: %s", f[i].name, dir,
                              strerror(errno));
    }
    for (size_t i = 0; i < written; i++) {
        snprintf(path, sizeof path, "%s/%s", stage, f[i].name);
        unlink(path);
    }
    rmdir(stage);
    return rc;
}

/* ---- the command ---- */

int crowd_simulate(int argc, char **argv)
{
    const char *db = NULL, *city = NULL, *layout = NULL, *people_s = NULL, *seed_s = NULL,
               *out = NULL, *tmax_s = NULL, *pre_s = NULL, *route = "choice", *fps_s = NULL,
               *field = "quickest";
    bool json = false;
    const struct cli_opt opts[] = {{"--db", &db, NULL},
                                   {"--city", &city, NULL},
                                   {"--layout", &layout, NULL},
                                   {"--people", &people_s, NULL},
                                   {"--seed", &seed_s, NULL},
                                   {"--out", &out, NULL},
                                   {"--max-time", &tmax_s, NULL},
                                   {"--premovement", &pre_s, NULL},
                                   {"--route", &route, NULL},
                                   {"--field", &field, NULL},
                                   {"--fps", &fps_s, NULL},
                                   {"--json", NULL, &json},
                                   {NULL, NULL, NULL}};
    const char *pos[1];
    int npos, code;
    if (tool_parse(argc, argv, opts, pos, 1, &npos, HELP, &code))
        return code;
    size_t people = 0, seed = 1;
    double tmax = 3600, pre = 0, fps = 10;
    if (!people_s)
        return tool_usage("crowd simulate: --people N is required (see agora crowd simulate "
                          "--help)");
    if (!crowd_parse_size("simulate", "--people", people_s, 10000000, &people))
        return EXIT_USAGE;
    if (people == 0)
        return tool_usage("crowd simulate: --people: at least 1");
    if (seed_s && !crowd_parse_size("simulate", "--seed", seed_s, SIZE_MAX, &seed))
        return EXIT_USAGE;
    if (tmax_s && !crowd_parse_num("simulate", "--max-time", tmax_s, 1, 86400, &tmax))
        return EXIT_USAGE;
    if (pre_s && !crowd_parse_num("simulate", "--premovement", pre_s, 0, 3600, &pre))
        return EXIT_USAGE;
    if (fps_s && !crowd_parse_num("simulate", "--fps", fps_s, 0.1, 20, &fps))
        return EXIT_USAGE;
    int target;
    if (!strcmp(route, "choice"))
        target = AG_CROWD_EXIT_CHOICE;
    else if (!strcmp(route, "nearest"))
        target = AG_CROWD_EXIT_NEAREST;
    else
        return tool_usage("crowd simulate: --route: expected choice or nearest, found \"%s\"",
                          route);
    bool quickest = !strcmp(field, "quickest");
    if (!quickest && strcmp(field, "shortest"))
        return tool_usage("crowd simulate: --field: expected quickest or shortest, found \"%s\"",
                          field);
    if (out && !*out)
        return tool_usage("crowd simulate: --out: empty directory name");

    struct ag_error err = {0};
    struct crowd_scenario sc;
    int rc = crowd_scenario_load("simulate", db, city, npos ? pos[0] : NULL, layout, &sc, &err);
    if (rc)
        return tool_fail(&err);
    rc = ag_crowd_people_check(sc.area_m2, people, AG_CROWD_DENSITY_PHYSICAL_MAX_PM2, &err);

    struct ag_crowd_sim *sim = NULL;
    struct ag_crowd_nav *nav2 = NULL;
    struct ag_xy *start = NULL;
    double *dist = NULL;
    struct ag_crowd_egress e2;
    memset(&e2, 0, sizeof e2);
    struct peak_map map;
    memset(&map, 0, sizeof map);
    FILE *traj = NULL;
    struct ag_buf svg, summary;
    ag_buf_init(&svg, (size_t)1 << 30);
    ag_buf_init(&summary, (size_t)1 << 24);
    struct ag_crowd_sim_params sp;
    ag_crowd_sim_defaults(&sp);
    sp.dyn.on = quickest;
    struct ag_progress prog;
    bool prog_on = false;

    if (!rc) {
        ag_progress_start(&prog, "floor fields", 0);
        prog_on = true;
        rc = ag_crowd_sim_new(&sc.g, &sp, &sim, &err);
    }
    if (!rc) {
        struct ag_crowd_population pop;
        memset(&pop, 0, sizeof pop);
        pop.n = people;
        pop.premove_s = (struct ag_crowd_dist){AG_CROWD_DIST_FIXED, pre, 0, 0, 0};
        pop.min_gap_m = 0.05;
        pop.wall_gap_m = 0.05;
        pop.exit = target;
        pop.seed = seed;
        rc = ag_crowd_sim_populate(sim, &pop, &err);
        if (rc == AG_ELIMIT)
            ag_error_prefix(&err, "placing %zu people without overlap", people);
    }
    if (!rc && out) {
        traj = tmpfile();
        if (!traj)
            rc = ag_error_set(&err, AG_EIO, "cannot open a temporary file for the trajectories");
        else
            rc = ag_crowd_sim_trajectories(sim, traj, fps);
        if (rc && !err.msg[0])
            ag_error_set(&err, rc, "trajectories at %g frames per second: %s", fps,
                         ag_strerror(rc));
    }
    if (!rc && out) {
        rc = ag_crowd_sim_density_enable(sim, DENSITY_CELL_M, 0, tmax);
        if (rc)
            ag_error_set(&err, rc, "density map: %s", ag_strerror(rc));
    }
    if (!rc) {
        rc = peak_init(&map, &sc.g, ag_crowd_sim_nav(sim));
        if (rc)
            ag_error_set(&err, rc, "level-of-service map: %s", ag_strerror(rc));
    }

    /* Tier 2 from the same starting positions, on its own floor field. */
    if (!rc) {
        start = malloc(people * sizeof *start);
        if (!start)
            rc = ag_error_set(&err, AG_ENOMEM, "out of memory");
        for (size_t i = 0; !rc && i < people; i++) {
            struct ag_crowd_agent_info a;
            rc = ag_crowd_sim_agent(sim, i, &a);
            start[i] = a.pos;
        }
        if (!rc)
            rc = ag_crowd_nav_new(&sc.g, &sp.nav, &nav2, &err);
        if (!rc)
            rc = crowd_distances(nav2, start, people, sc.g.nexits, &dist, &err);
        struct ag_crowd_egress_params ep;
        ag_crowd_egress_params_default(&ep);
        ep.premovement_s = pre;
        ep.assign = target == AG_CROWD_EXIT_NEAREST ? AG_ASSIGN_NEAREST : AG_ASSIGN_BALANCED;
        if (!rc && ag_crowd_egress_assess(&sc.g, people, dist, &ep, &e2, NULL) != 0)
            e2.total_s = NAN; /* beyond the hydraulic model (too dense): no tier 2 time */
    }

    /* Run, sampling the peak densities once a simulated second. */
    bool complete = false;
    if (!rc) {
        if (prog_on)
            ag_progress_end(&prog);
        ag_progress_start(&prog, "people out", people);
        size_t per_s = (size_t)llround(1.0 / sp.dt_s);
        if (per_s == 0)
            per_s = 1;
        peak_sample(&map, sim);
        for (size_t step = 1; ag_crowd_sim_remaining(sim) > 0 && ag_crowd_sim_time(sim) < tmax;
             step++) {
            rc = ag_crowd_sim_step(sim);
            if (rc) {
                ag_error_set(&err, rc, "simulation step at %.2f s: %s", ag_crowd_sim_time(sim),
                             ag_strerror(rc));
                break;
            }
            if (step % per_s == 0) {
                peak_sample(&map, sim);
                ag_progress_update(&prog, ag_crowd_sim_out(sim, -1));
            }
        }
        complete = !rc && ag_crowd_sim_remaining(sim) == 0;
    }
    if (prog_on)
        ag_progress_end(&prog);

    size_t nout = 0;
    const double *times = sim && !rc ? ag_crowd_sim_exit_times(sim, &nout) : NULL;
    double t_end = nout ? times[nout - 1] : NAN;
    size_t k95 = (size_t)ceil(0.95 * (double)people);
    double t95 = nout >= k95 && k95 ? times[k95 - 1] : NAN;
    double t1 = crowd_tier1_time_s(&sc.g, (double)people) + pre;

    if (!rc) {
        rc = ag_buf_puts(&summary, "{");
        if (!rc)
            rc = crowd_json_scenario(&summary, &sc);
        if (!rc)
            rc = ag_buf_printf(&summary,
                               ",\"people\":%zu,\"seed\":%zu,\"route\":\"%s\",\"field\":\"%s\","
                               "\"premovement_s\":%.2f,\"max_time_s\":%.1f,\"dt_s\":%.3f,"
                               "\"complete\":%s,\"people_out\":%zu,\"evacuation_s\":",
                               people, seed, route, field, pre, tmax, sp.dt_s,
                               complete ? "true" : "false", nout);
        if (!rc)
            rc = complete ? ag_buf_printf(&summary, "%.2f", t_end) : ag_buf_puts(&summary, "null");
        if (!rc)
            rc = isfinite(t95) ? ag_buf_printf(&summary, ",\"t95_s\":%.2f", t95)
                               : ag_buf_puts(&summary, ",\"t95_s\":null");
        if (!rc)
            rc = ag_buf_puts(&summary, ",\"out_by_exit\":[");
        for (size_t k = 0; !rc && k < sc.g.nexits; k++)
            rc = ag_buf_printf(&summary, "%s%zu", k ? "," : "", ag_crowd_sim_out(sim, (int)k));
        if (!rc)
            rc = ag_buf_printf(&summary, "],\"tiers\":{\"tier1_s\":%.2f,\"tier2_s\":", t1);
        if (!rc)
            rc = isfinite(e2.total_s) ? ag_buf_printf(&summary, "%.2f", e2.total_s)
                                      : ag_buf_puts(&summary, "null");
        if (!rc)
            rc = complete ? ag_buf_printf(&summary, ",\"tier3_s\":%.2f}}\n", t_end)
                          : ag_buf_puts(&summary, ",\"tier3_s\":null}}\n");
        if (rc)
            ag_error_set(&err, rc, "summary: %s", ag_strerror(rc));
    }
    if (!rc && out) {
        /* The library writes the curve and the density grid to streams. */
        FILE *cf = tmpfile(), *df = tmpfile();
        struct ag_crowd_grid grid;
        memset(&grid, 0, sizeof grid);
        if (!cf || !df)
            rc = ag_error_set(&err, AG_EIO, "cannot open temporary files");
        if (!rc)
            rc = ag_crowd_sim_write_curve(sim, cf);
        if (!rc) {
            int dr = ag_crowd_sim_density(sim, &grid);
            if (dr == 0)
                rc = ag_crowd_grid_write(&grid, df);
            else if (dr == AG_EEMPTY)
                rc = fputs("x_m,y_m,density_pm2\n", df) < 0 ? AG_EIO : 0;
            else
                rc = dr;
            ag_crowd_grid_free(&grid);
        }
        if (!rc)
            rc = write_svg(&svg, &map, &sc.g, sc.title);
        if (rc && !err.msg[0])
            ag_error_set(&err, rc, "writing the outputs: %s", ag_strerror(rc));
        if (!rc) {
            const struct outfile files[] = {
                {"evacuation.csv", NULL, 0, cf},
                {"trajectories.txt", NULL, 0, traj},
                {"density.csv", NULL, 0, df},
                {"los-map.svg", svg.data, svg.len, NULL},
                {"summary.json", summary.data, summary.len, NULL},
            };
            rc = write_outputs(out, files, sizeof files / sizeof files[0], &err);
        }
        if (cf)
            fclose(cf);
        if (df)
            fclose(df);
    }

    if (!rc && json) {
        fputs(summary.data, stdout);
    } else if (!rc) {
        char lab[160], d1[64], d2[64], d3[64], n1[64];
        crowd_print_scenario(&sc);
        printf("\n  Simulation of %s people (collision-free speed model, seed %zu, %s exit, "
               "%s path):\n",
               tool_num(n1, sizeof n1, (double)people, 0), seed,
               target == AG_CROWD_EXIT_NEAREST ? "nearest" : "quickest", field);
        if (complete)
            printf("    everyone out after %s (%.1f s); 95 %% out after %s (%.1f s)\n",
                   crowd_duration(d1, sizeof d1, t_end), t_end, crowd_duration(d2, sizeof d2, t95),
                   t95);
        else
            printf("    after %.0f s %zu of %zu people are still inside (--max-time)\n", tmax,
                   people - nout, people);
        for (size_t k = 0; k < sc.g.nexits; k++)
            printf("    %-34s %7zu out\n", crowd_exit_label(&sc.g, k, lab, sizeof lab),
                   ag_crowd_sim_out(sim, (int)k));
        printf("\n  The three tiers on this scenario (%s people, every exit open):\n",
               tool_num(n1, sizeof n1, (double)people, 0));
        printf("    tier 1, exit widths at Green Guide rates   %10s  (%.1f s)\n",
               crowd_duration(d1, sizeof d1, t1), t1);
        if (isfinite(e2.total_s))
            printf("    tier 2, SFPE hydraulic model               %10s  (%.1f s)\n",
                   crowd_duration(d2, sizeof d2, e2.total_s), e2.total_s);
        else
            printf("    tier 2, SFPE hydraulic model               %10s  (too dense for the "
                   "model)\n",
                   "-");
        if (complete)
            printf("    tier 3, agent simulation                   %10s  (%.1f s)\n",
                   crowd_duration(d3, sizeof d3, t_end), t_end);
        else
            printf("    tier 3, agent simulation                   %10s\n", "not finished");
        if (out)
            printf("\n  Written to %s: evacuation.csv, trajectories.txt, density.csv, "
                   "los-map.svg, summary.json\n",
                   out);
    }

    if (traj)
        fclose(traj);
    peak_free(&map);
    ag_buf_free(&svg);
    ag_buf_free(&summary);
    ag_crowd_egress_free(&e2);
    free(dist);
    free(start);
    ag_crowd_nav_free(nav2);
    ag_crowd_sim_free(sim);
    crowd_scenario_free(&sc);
    return rc ? tool_fail(&err) : EXIT_OK;
}
