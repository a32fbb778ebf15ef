/* agora crowd: capacity, egress time and pedestrian simulation of a space
 * or an event layout. This file: the dispatch, loading a scenario, and the
 * capacity (tier 1) and egress (tier 2) commands; crowd_simulate.c runs
 * tier 3. SPDX-License-Identifier: EUPL-1.2 */
#include "crowd_cli.h"
#include "agora/crowd_sim.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char HELP[] =
    "Usage: agora crowd COMMAND (SPACE | --layout FILE) [OPTIONS]\n"
    "\n"
    "Crowd safety of a public space or of an event layout drawn on it: how many\n"
    "people it holds, how long they take to leave, and a pedestrian simulation.\n"
    "\n"
    "Commands:\n"
    "  capacity   capacity at each level of service, holding and egress capacity\n"
    "             (Green Guide), the final capacity and what limits it\n"
    "  egress     evacuation time (SFPE hydraulic model) with walking distances\n"
    "             from a floor field\n"
    "  simulate   agent simulation (collision-free speed model): evacuation curve,\n"
    "             trajectories (PedPy), density map; the three tiers side by side\n"
    "\n"
    "SPACE is a stored space: an id (12) or an OSM reference (way/4227203). Its\n"
    "walkable area is its polygon minus the buildings on it, and its exits are\n"
    "where the streets of the imported network meet its outline. --layout FILE is\n"
    "a GeoJSON FeatureCollection (lon/lat) of features with a \"role\": \"area\"\n"
    "(Polygon, the perimeter), \"obstacle\" (Polygon: stage, stall), \"fence\"\n"
    "(LineString) and \"exit\" (LineString across the opening, optional \"width_m\",\n"
    "\"stairs\": true, \"name\").\n"
    "\n"
    "Each command has its own --help. Methods and sources: docs/methodology.md,\n"
    "\"Crowd safety\". Nothing is stored in the database.\n";

static const char HELP_CAPACITY[] =
    "Usage: agora crowd capacity (SPACE | --layout FILE) [--density P] [--egress-minutes M]\n"
    "                            [--keep-all-exits] [--json] [--db PATH] [--city NAME]\n"
    "\n"
    "Tier 1, static capacity: the walkable area, its exits with their widths, how\n"
    "many people it holds at each Fruin level of service (standing and moving),\n"
    "the holding capacity at the planning density, the egress capacity through the\n"
    "exits in the allowed time with the exit that carries most assumed blocked, and\n"
    "the capacity: the smaller of the two, with the limiting factor.\n"
    "\n"
    "  --density P          planning density, persons/m² (default 2.0: 0.5 m² each)\n"
    "  --egress-minutes M   time allowed to leave (default 8, the Green Guide's)\n"
    "  --keep-all-exits     do not discount the largest exit\n"
    "  --json               the result as one JSON object\n";

static const char HELP_EGRESS[] =
    "Usage: agora crowd egress (SPACE | --layout FILE) [--people N] [--premovement S]\n"
    "                          [--rule balanced|nearest] [--seed S] [--cell M]\n"
    "                          [--json] [--db PATH] [--city NAME]\n"
    "\n"
    "Tier 2, hydraulic egress (SFPE): people placed uniformly at random over the\n"
    "walkable area, each one's walking distance to every exit from a floor field\n"
    "(fast marching on a grid, around obstacles), then per exit the people, the\n"
    "flow and the time the last of them is out; the total time and the exit that\n"
    "finishes last.\n"
    "\n"
    "  --people N      how many (default: the holding capacity at 2 persons/m²)\n"
    "  --premovement S seconds from the alarm to the start of movement (default 0)\n"
    "  --rule R        balanced (default): people shared among the exits by their\n"
    "                  capacity; nearest: everyone to their nearest exit\n"
    "  --seed S        seed of the random placement (default 1)\n"
    "  --cell M        floor field grid cell, metres (default 0.25)\n"
    "  --json          the result as one JSON object\n";

/* ---- shared ---- */

void crowd_scenario_free(struct crowd_scenario *sc)
{
    if (!sc)
        return;
    ag_crowd_geom_free(&sc->g);
    free(sc->json);
    memset(sc, 0, sizeof *sc);
}

static char *json_str(const char *s)
{
    struct ag_buf b;
    ag_buf_init(&b, 1 << 16);
    if (ag_buf_put_json_str(&b, s ? s : "")) {
        ag_buf_free(&b);
        return NULL;
    }
    return ag_buf_take(&b);
}

static int load_space(const char *db, const char *city, const char *ref, struct crowd_scenario *sc,
                      struct ag_error *err)
{
    struct ag_store *store = NULL;
    struct ag_city c;
    int rc = tool_open_city(db, city, AG_STORE_READONLY, &store, &c, err);
    if (rc == AG_EVERSION) {
        ag_error_clear(err);
        rc = tool_open_city(db, city, 0, &store, &c, err);
    }
    if (rc)
        return rc;
    struct ag_space sp;
    memset(&sp, 0, sizeof sp);
    struct ag_vec blds, edges;
    ag_vec_init(&blds, sizeof(struct ag_building));
    ag_vec_init(&edges, sizeof(struct ag_road_edge));
    rc = ag_store_space_get(store, c.id, ref, &sp, err);
    if (!rc)
        rc = ag_store_buildings(store, c.id, &blds, err);
    if (!rc)
        rc = ag_store_road_edges(store, c.id, &edges, err);
    char who[200];
    char osm[48] = "";
    if (strcmp(sp.ref.type, "custom") != 0 && sp.ref.type[0])
        snprintf(osm, sizeof osm, "%s/%lld", sp.ref.type, (long long)sp.ref.id);
    snprintf(who, sizeof who, "%s (space %lld%s%s)", sp.name ? sp.name : "unnamed space",
             (long long)sp.id, osm[0] ? ", " : "", osm);
    if (!rc) {
        rc = ag_crowd_geom_of_space(&sp, blds.data, blds.len, edges.data, edges.len, NULL, &sc->g,
                                    &sc->info, err);
        if (rc == AG_EEMPTY)
            ag_error_set(err, AG_EEMPTY,
                         "%s has no exit: none of the streets and paths of the imported network "
                         "meets its outline, so there is no opening to leave by and no capacity "
                         "or evacuation time to give. Draw the exits in an event layout and "
                         "run the command with --layout FILE (see agora crowd --help)",
                         who);
        else if (rc)
            ag_error_prefix(err, "%s", who);
    }
    if (!rc) {
        snprintf(sc->title, sizeof sc->title, "%s", who);
        char *nm = json_str(sp.name), *k = json_str(sp.kind);
        struct ag_buf b;
        ag_buf_init(&b, 1 << 16);
        if (!nm || !k ||
            ag_buf_printf(&b, "\"space\":{\"id\":%lld,\"name\":%s,\"kind\":%s,\"osm\":\"%s\"}",
                          (long long)sp.id, sp.name ? nm : "null", k, osm))
            rc = ag_error_set(err, AG_ENOMEM, "out of memory");
        else
            sc->json = ag_buf_take(&b);
        ag_buf_free(&b);
        free(nm);
        free(k);
    }
    for (size_t i = 0; i < blds.len; i++)
        ag_building_free(&AG_VEC_AT(&blds, struct ag_building, i));
    ag_vec_free(&blds);
    for (size_t i = 0; i < edges.len; i++)
        ag_road_edge_free(&AG_VEC_AT(&edges, struct ag_road_edge, i));
    ag_vec_free(&edges);
    ag_space_free(&sp);
    ag_store_close(store);
    return rc;
}

static int load_layout(const char *path, struct crowd_scenario *sc, struct ag_error *err)
{
    struct ag_buf text;
    ag_buf_init(&text, (size_t)16 << 20);
    int rc = ag_file_read(path, &text, err);
    if (!rc)
        rc = ag_crowd_layout_read(text.data, text.len, path, &sc->g, NULL, &sc->info, err);
    ag_buf_free(&text);
    if (rc)
        return rc;
    const char *base = strrchr(path, '/');
    snprintf(sc->title, sizeof sc->title, "layout %s", base ? base + 1 : path);
    char *p = json_str(path);
    struct ag_buf b;
    ag_buf_init(&b, 1 << 16);
    if (!p || ag_buf_printf(&b, "\"layout\":%s", p))
        rc = ag_error_set(err, AG_ENOMEM, "out of memory");
    else
        sc->json = ag_buf_take(&b);
    ag_buf_free(&b);
    free(p);
    return rc;
}

int crowd_scenario_load(const char *cmd, const char *db, const char *city, const char *space,
                        const char *layout, struct crowd_scenario *sc, struct ag_error *err)
{
    memset(sc, 0, sizeof *sc);
    if (!space == !layout)
        return ag_error_set(err, AG_EINVAL,
                            "crowd %s: give a SPACE or --layout FILE, not %s (see agora crowd %s "
                            "--help)",
                            cmd, space ? "both" : "neither", cmd);
    int rc = space ? load_space(db, city, space, sc, err) : load_layout(layout, sc, err);
    if (rc) {
        crowd_scenario_free(sc);
        return rc;
    }
    sc->area_m2 = ag_crowd_geom_area(&sc->g);
    return 0;
}

const char *crowd_exit_label(const struct ag_crowd_geom *g, size_t i, char *buf, size_t len)
{
    const char *nm = g->exits[i].name;
    if (nm && ag_text_ok(nm))
        snprintf(buf, len, "exit %zu (%s)", i + 1, nm);
    else
        snprintf(buf, len, "exit %zu", i + 1);
    return buf;
}

const char *crowd_duration(char *buf, size_t len, double s)
{
    if (!isfinite(s)) {
        snprintf(buf, len, "-");
    } else if (s < 60) {
        snprintf(buf, len, "%.0f s", s);
    } else {
        double m = floor(s / 60);
        snprintf(buf, len, "%.0f min %02.0f s", m, floor(s - 60 * m));
    }
    return buf;
}

void crowd_print_scenario(const struct crowd_scenario *sc)
{
    char a[64], b[64], c[64];
    printf("%s\n", sc->title);
    printf("  walkable area %s m²", tool_num(a, sizeof a, sc->area_m2, 0));
    if (sc->info.obstacles_used)
        printf(" (outline %s m², minus %s m² of %zu building%s or obstacle%s)",
               tool_num(b, sizeof b, sc->info.area_m2, 0),
               tool_num(c, sizeof c, sc->info.obstacles_m2, 0), sc->info.obstacles_used,
               sc->info.obstacles_used == 1 ? "" : "s", sc->info.obstacles_used == 1 ? "" : "s");
    printf("\n");
    if (sc->info.parts_dropped)
        printf("  left out: %zu part%s of %s m² with no exit of their own\n",
               sc->info.parts_dropped, sc->info.parts_dropped == 1 ? "" : "s",
               tool_num(a, sizeof a, sc->info.dropped_m2, 0));
    double w = 0;
    for (size_t i = 0; i < sc->g.nexits; i++)
        w += sc->g.exits[i].width_m;
    printf("  %zu exit%s, %.1f m wide in all\n", sc->g.nexits, sc->g.nexits == 1 ? "" : "s", w);
    for (size_t i = 0; i < sc->g.nexits; i++) {
        const struct ag_crowd_exit *x = &sc->g.exits[i];
        char lab[160];
        printf("    %-34s %6.1f m  %s\n", crowd_exit_label(&sc->g, i, lab, sizeof lab), x->width_m,
               x->stairs ? "stairs" : "level");
    }
}

int crowd_json_scenario(struct ag_buf *b, const struct crowd_scenario *sc)
{
    int rc = ag_buf_printf(b, "%s,\"area_m2\":%.2f,\"outline_m2\":%.2f,\"obstacles_m2\":%.2f,"
                              "\"parts_left_out\":%zu,\"exits\":[",
                           sc->json, sc->area_m2, sc->info.area_m2, sc->info.obstacles_m2,
                           sc->info.parts_dropped);
    for (size_t i = 0; !rc && i < sc->g.nexits; i++) {
        const struct ag_crowd_exit *x = &sc->g.exits[i];
        rc = ag_buf_printf(b, "%s{\"exit\":%zu,\"name\":", i ? "," : "", i + 1);
        if (!rc)
            rc = x->name && ag_text_ok(x->name) ? ag_buf_put_json_str(b, x->name)
                                                : ag_buf_puts(b, "null");
        if (!rc)
            rc = ag_buf_printf(b,
                               ",\"width_m\":%.2f,\"stairs\":%s,\"a\":[%.2f,%.2f],\"b\":[%.2f,"
                               "%.2f]}",
                               x->width_m, x->stairs ? "true" : "false", x->a.x, x->a.y, x->b.x,
                               x->b.y);
    }
    return rc ? rc : ag_buf_puts(b, "]");
}

bool crowd_parse_size(const char *cmd, const char *opt, const char *s, size_t max, size_t *out)
{
    char *end;
    errno = 0;
    unsigned long long v = s && *s != '-' ? strtoull(s, &end, 10) : 0;
    if (!s || *s == '-' || errno || end == s || *end || v > max) {
        tool_usage("crowd %s: %s: expected a whole number from 0 to %zu, found \"%s\"", cmd, opt,
                   max, s ? s : "");
        return false;
    }
    *out = (size_t)v;
    return true;
}

bool crowd_parse_num(const char *cmd, const char *opt, const char *s, double lo, double hi,
                     double *out)
{
    double v;
    if (!ag_parse_double(s, &v) || !(v >= lo) || !(v <= hi)) {
        tool_usage("crowd %s: %s: expected a number from %g to %g, found \"%s\"", cmd, opt, lo,
                   hi, s);
        return false;
    }
    *out = v;
    return true;
}

double crowd_tier1_time_s(const struct ag_crowd_geom *g, double people)
{
    double per_min = 0;
    for (size_t i = 0; i < g->nexits; i++)
        per_min += g->exits[i].width_m *
                   (g->exits[i].stairs ? AG_CROWD_GG_FLOW_STAIRS_PMM : AG_CROWD_GG_FLOW_LEVEL_PMM);
    return per_min > 0 ? people / per_min * 60 : INFINITY;
}

int crowd_distances(struct ag_crowd_nav *nav, const struct ag_xy *pts, size_t n, size_t nexits,
                    double **out, struct ag_error *err)
{
    *out = NULL;
    if (n && nexits > SIZE_MAX / sizeof(double) / n)
        return ag_error_set(err, AG_ELIMIT, "too many people and exits");
    size_t cells = n * nexits;
    double *d = malloc((cells ? cells : 1) * sizeof *d);
    if (!d)
        return ag_error_set(err, AG_ENOMEM, "out of memory");
    for (size_t k = 0; k < nexits; k++) {
        int rc = ag_crowd_nav_prepare_exit(nav, k, err);
        if (rc) {
            free(d);
            return rc;
        }
        for (size_t i = 0; i < n; i++)
            d[i * nexits + k] = ag_crowd_nav_cost(nav, (int)k, pts[i]);
    }
    *out = d;
    return 0;
}

/* ---- capacity ---- */

static int cmd_capacity(int argc, char **argv)
{
    const char *db = NULL, *city = NULL, *layout = NULL, *dens = NULL, *mins = NULL;
    bool json = false, keep_all = false;
    const struct cli_opt opts[] = {{"--db", &db, NULL},
                                   {"--city", &city, NULL},
                                   {"--layout", &layout, NULL},
                                   {"--density", &dens, NULL},
                                   {"--egress-minutes", &mins, NULL},
                                   {"--keep-all-exits", NULL, &keep_all},
                                   {"--json", NULL, &json},
                                   {NULL, NULL, NULL}};
    const char *pos[1];
    int npos, code;
    if (tool_parse(argc, argv, opts, pos, 1, &npos, HELP_CAPACITY, &code))
        return code;
    struct ag_crowd_capacity_params p;
    ag_crowd_capacity_params_default(&p);
    if (dens && !crowd_parse_num("capacity", "--density", dens, 0.01, p.max_density_pm2,
                                 &p.planning_density_pm2))
        return EXIT_USAGE;
    double m = p.egress_time_s / 60;
    if (mins && !crowd_parse_num("capacity", "--egress-minutes", mins, 0.1, 600, &m))
        return EXIT_USAGE;
    p.egress_time_s = m * 60;
    p.discount_largest_exit = !keep_all;

    struct ag_error err = {0};
    struct crowd_scenario sc;
    int rc = crowd_scenario_load("capacity", db, city, npos ? pos[0] : NULL, layout, &sc, &err);
    if (rc)
        return tool_fail(&err);
    struct ag_crowd_capacity c;
    rc = ag_crowd_capacity_assess(&sc.g, &p, &c, &err);
    if (rc) {
        crowd_scenario_free(&sc);
        return tool_fail(&err);
    }
    if (json) {
        struct ag_buf b;
        ag_buf_init(&b, 1 << 24);
        rc = ag_buf_puts(&b, "{");
        if (!rc)
            rc = crowd_json_scenario(&b, &sc);
        for (int t = 0; !rc && t < 2; t++) {
            const double *v = t ? c.walkway_persons : c.queuing_persons;
            rc = ag_buf_printf(&b, ",\"%s\":{", t ? "walkway" : "queuing");
            for (int l = 0; !rc && l < AG_LOS_COUNT; l++)
                rc = ag_buf_printf(&b, "%s\"%s\":%.0f", l ? "," : "",
                                   ag_crowd_los_name((enum ag_crowd_los)l), v[l]);
            if (!rc)
                rc = ag_buf_puts(&b, "}");
        }
        if (!rc)
            rc = ag_buf_printf(
                &b,
                ",\"planning_density_pm2\":%.3f,\"holding_persons\":%.0f,"
                "\"egress_minutes\":%.3f,\"flow_level_pmm\":%.1f,\"flow_stairs_pmm\":%.1f,"
                "\"exit_width_m\":%.2f,\"exit_width_used_m\":%.2f,\"discounted_exit\":",
                p.planning_density_pm2, c.holding_persons, p.egress_time_s / 60, p.flow_level_pmm,
                p.flow_stairs_pmm, c.exit_width_m, c.exit_width_used_m);
        if (!rc)
            rc = c.discounted_exit == SIZE_MAX ? ag_buf_puts(&b, "null")
                                               : ag_buf_printf(&b, "%zu", c.discounted_exit + 1);
        if (!rc)
            rc = ag_buf_printf(&b,
                               ",\"egress_persons\":%.0f,\"no_exit_left\":%s,"
                               "\"capacity_persons\":%.0f,\"limit\":\"%s\"}\n",
                               c.egress_persons, c.no_exit_left ? "true" : "false",
                               c.capacity_persons, ag_crowd_limit_name(c.limit));
        if (!rc)
            fputs(b.data, stdout);
        ag_buf_free(&b);
        crowd_scenario_free(&sc);
        if (rc) {
            ag_error_set(&err, rc, "writing the result: %s", ag_strerror(rc));
            return tool_fail(&err);
        }
        return EXIT_OK;
    }

    char n1[64], n2[64], lab[160];
    crowd_print_scenario(&sc);
    printf("\n  People the area holds at each level of service (Fruin):\n");
    printf("    level   standing (queuing)   moving (walkway)\n");
    for (int l = 0; l < AG_LOS_COUNT; l++)
        printf("    %-5s %20s %18s\n", ag_crowd_los_name((enum ag_crowd_los)l),
               tool_num(n1, sizeof n1, c.queuing_persons[l], 0),
               tool_num(n2, sizeof n2, c.walkway_persons[l], 0));
    printf("    (F is what physically fits: %.1f persons/m²)\n", p.max_density_pm2);
    printf("\n  Holding capacity at %.2f persons/m² (%.2f m² each): %s\n", p.planning_density_pm2,
           1 / p.planning_density_pm2, tool_num(n1, sizeof n1, c.holding_persons, 0));
    printf("  Egress capacity in %s min at %.0f persons per metre per minute (%.0f on stairs):\n",
           tool_num(n2, sizeof n2, p.egress_time_s / 60, p.egress_time_s < 600 &&
                                                              fmod(p.egress_time_s, 60) ? 1 : 0),
           p.flow_level_pmm, p.flow_stairs_pmm);
    if (c.discounted_exit != SIZE_MAX)
        printf("    %s (%.1f m) assumed blocked, %.1f m of %.1f m counted: %s\n",
               crowd_exit_label(&sc.g, c.discounted_exit, lab, sizeof lab),
               sc.g.exits[c.discounted_exit].width_m, c.exit_width_used_m, c.exit_width_m,
               tool_num(n1, sizeof n1, c.egress_persons, 0));
    else
        printf("    every exit counted, %.1f m: %s\n", c.exit_width_m,
               tool_num(n1, sizeof n1, c.egress_persons, 0));
    if (c.no_exit_left)
        printf("    with its only exit blocked nobody can leave: egress capacity 0\n");
    printf("\n  Capacity: %s people, limited by %s\n",
           tool_num(n1, sizeof n1, c.capacity_persons, 0),
           c.limit == AG_CROWD_LIMIT_EGRESS ? "the exits (egress capacity)"
                                            : "the area (holding capacity)");
    crowd_scenario_free(&sc);
    return EXIT_OK;
}

/* ---- egress ---- */

/* People placed uniformly at random on the walkable cells of the floor
 * field, from which an exit can be reached. */
static int place_people(const struct ag_crowd_geom *g, const struct ag_crowd_nav *nav, size_t n,
                        uint64_t seed, struct ag_xy **out, struct ag_error *err)
{
    struct ag_bbox box = ag_bbox_empty();
    for (size_t r = 0; r < g->nouter; r++)
        for (size_t k = 0; k < g->outer[r].n; k++)
            ag_bbox_extend(&box, g->outer[r].pts[k].x, g->outer[r].pts[k].y);
    struct ag_xy *pts = malloc((n ? n : 1) * sizeof *pts);
    if (!pts)
        return ag_error_set(err, AG_ENOMEM, "out of memory");
    struct ag_rng rng;
    ag_rng_seed(&rng, seed);
    size_t placed = 0;
    uint64_t tries = 0, max_tries = 1000 * (uint64_t)n + 100000;
    while (placed < n && tries++ < max_tries) {
        struct ag_xy p = {box.minx + ag_rng_uniform(&rng) * (box.maxx - box.minx),
                          box.miny + ag_rng_uniform(&rng) * (box.maxy - box.miny)};
        bool in = false;
        for (size_t r = 0; r < g->nouter && !in; r++)
            in = ag_xy_ring_contains(g->outer[r].pts, g->outer[r].n, p);
        for (size_t h = 0; h < g->nholes && in; h++)
            in = !ag_xy_ring_contains(g->holes[h].pts, g->holes[h].n, p);
        if (in && ag_crowd_nav_walkable(nav, p) && isfinite(ag_crowd_nav_cost(nav, -1, p)))
            pts[placed++] = p;
    }
    if (placed < n) {
        free(pts);
        return ag_error_set(err, AG_EGEOM,
                            "could place only %zu of %zu people where an exit can be reached",
                            placed, n);
    }
    *out = pts;
    return 0;
}

static int cmd_egress(int argc, char **argv)
{
    const char *db = NULL, *city = NULL, *layout = NULL, *people_s = NULL, *pre_s = NULL,
               *rule = "balanced", *seed_s = NULL, *cell_s = NULL;
    bool json = false;
    const struct cli_opt opts[] = {{"--db", &db, NULL},
                                   {"--city", &city, NULL},
                                   {"--layout", &layout, NULL},
                                   {"--people", &people_s, NULL},
                                   {"--premovement", &pre_s, NULL},
                                   {"--rule", &rule, NULL},
                                   {"--seed", &seed_s, NULL},
                                   {"--cell", &cell_s, NULL},
                                   {"--json", NULL, &json},
                                   {NULL, NULL, NULL}};
    const char *pos[1];
    int npos, code;
    if (tool_parse(argc, argv, opts, pos, 1, &npos, HELP_EGRESS, &code))
        return code;
    struct ag_crowd_egress_params ep;
    ag_crowd_egress_params_default(&ep);
    size_t people = 0, seed = 1;
    double cell = 0.25;
    if (people_s && !crowd_parse_size("egress", "--people", people_s, 10000000, &people))
        return EXIT_USAGE;
    if (pre_s && !crowd_parse_num("egress", "--premovement", pre_s, 0, 86400, &ep.premovement_s))
        return EXIT_USAGE;
    if (seed_s && !crowd_parse_size("egress", "--seed", seed_s, SIZE_MAX, &seed))
        return EXIT_USAGE;
    if (cell_s && !crowd_parse_num("egress", "--cell", cell_s, 0.05, 1, &cell))
        return EXIT_USAGE;
    if (!strcmp(rule, "nearest"))
        ep.assign = AG_ASSIGN_NEAREST;
    else if (strcmp(rule, "balanced") != 0)
        return tool_usage("crowd egress: --rule: expected balanced or nearest, found \"%s\"",
                          rule);
    if (people_s && people == 0)
        return tool_usage("crowd egress: --people: at least 1");

    struct ag_error err = {0};
    struct crowd_scenario sc;
    int rc = crowd_scenario_load("egress", db, city, npos ? pos[0] : NULL, layout, &sc, &err);
    if (rc)
        return tool_fail(&err);
    if (!people_s) {
        struct ag_crowd_capacity c;
        rc = ag_crowd_capacity_assess(&sc.g, NULL, &c, &err);
        people = rc ? 0 : (size_t)c.holding_persons;
        if (!rc && people == 0)
            rc = ag_error_set(&err, AG_EINVAL, "the area holds nobody at the planning density");
    }
    if (!rc)
        rc = ag_crowd_people_check(sc.area_m2, people, AG_CROWD_DENSITY_PHYSICAL_MAX_PM2, &err);
    struct ag_crowd_nav *nav = NULL;
    struct ag_xy *pts = NULL;
    double *dist = NULL;
    struct ag_crowd_egress e;
    memset(&e, 0, sizeof e);
    struct ag_progress prog;
    if (!rc) {
        ag_progress_start(&prog, "floor fields", sc.g.nexits + 1);
        struct ag_crowd_nav_params np;
        ag_crowd_nav_defaults(&np);
        np.cell_m = cell;
        rc = ag_crowd_nav_new(&sc.g, &np, &nav, &err);
        if (!rc)
            rc = place_people(&sc.g, nav, people, seed, &pts, &err);
        for (size_t k = 0; !rc && k < sc.g.nexits; k++) {
            ag_progress_update(&prog, k + 1);
            rc = ag_crowd_nav_prepare_exit(nav, k, &err);
        }
        if (!rc)
            rc = crowd_distances(nav, pts, people, sc.g.nexits, &dist, &err);
        ag_progress_end(&prog);
    }
    if (!rc)
        rc = ag_crowd_egress_assess(&sc.g, people, dist, &ep, &e, &err);
    if (rc) {
        ag_crowd_nav_free(nav);
        free(pts);
        free(dist);
        crowd_scenario_free(&sc);
        return tool_fail(&err);
    }

    char lab[160], n1[64], d1[64];
    if (json) {
        struct ag_buf b;
        ag_buf_init(&b, 1 << 24);
        rc = ag_buf_puts(&b, "{");
        if (!rc)
            rc = crowd_json_scenario(&b, &sc);
        if (!rc)
            rc = ag_buf_printf(&b,
                               ",\"people\":%zu,\"seed\":%zu,\"rule\":\"%s\",\"premovement_s\":%.2f,"
                               "\"cell_m\":%.3f,\"density_pm2\":%.6f,\"speed_ms\":%.6f,"
                               "\"by_exit\":[",
                               people, seed, rule, ep.premovement_s, cell, e.density_pm2,
                               e.speed_ms);
        for (size_t i = 0; !rc && i < e.nexits; i++) {
            const struct ag_crowd_exit_flow *f = &e.exits[i];
            rc = ag_buf_printf(&b,
                               "%s{\"exit\":%zu,\"people\":%.0f,\"width_eff_m\":%.3f,"
                               "\"flow_ps\":%.4f,\"first_s\":%.3f,\"time_s\":%.3f}",
                               i ? "," : "", i + 1, f->people, f->width_eff_m, f->flow_ps,
                               f->first_s, f->time_s);
        }
        if (!rc)
            rc = ag_buf_printf(&b, "],\"total_s\":%.3f,\"limiting_exit\":%zu,\"curve\":[",
                               e.total_s, e.limiting_exit + 1);
        for (size_t i = 0; !rc && i < e.ncurve; i++)
            rc = ag_buf_printf(&b, "%s[%.3f,%.1f]", i ? "," : "", e.curve[i].t_s,
                               e.curve[i].out_persons);
        if (!rc)
            rc = ag_buf_puts(&b, "]}\n");
        if (!rc)
            fputs(b.data, stdout);
        ag_buf_free(&b);
    } else {
        crowd_print_scenario(&sc);
        printf("\n  Evacuation of %s people (SFPE hydraulic model, %s sharing):\n",
               tool_num(n1, sizeof n1, (double)people, 0),
               ep.assign == AG_ASSIGN_BALANCED ? "balanced" : "nearest-exit");
        printf("    density %.2f persons/m², walking speed %.2f m/s, premovement %.0f s\n",
               e.density_pm2, e.speed_ms, ep.premovement_s);
        printf("    walking distances from a floor field (%.2f m cells), people placed at "
               "random (seed %zu)\n\n",
               cell, seed);
        printf("    %-34s %7s %10s %9s %10s\n", "exit", "people", "eff. width", "flow", "last out");
        for (size_t i = 0; i < e.nexits; i++) {
            const struct ag_crowd_exit_flow *f = &e.exits[i];
            printf("    %-34s %7.0f %8.2f m %6.2f /s %10s%s\n",
                   crowd_exit_label(&sc.g, i, lab, sizeof lab), f->people, f->width_eff_m,
                   f->flow_ps, crowd_duration(d1, sizeof d1, f->time_s),
                   f->open ? "" : "  (closed)");
        }
        printf("\n  Everyone out after %s (%.0f s); the last to clear is %s\n",
               crowd_duration(d1, sizeof d1, e.total_s), e.total_s,
               crowd_exit_label(&sc.g, e.limiting_exit, lab, sizeof lab));
    }
    ag_crowd_egress_free(&e);
    ag_crowd_nav_free(nav);
    free(pts);
    free(dist);
    crowd_scenario_free(&sc);
    if (rc) {
        ag_error_set(&err, rc, "writing the result: %s", ag_strerror(rc));
        return tool_fail(&err);
    }
    return EXIT_OK;
}

int cmd_crowd(int argc, char **argv)
{
    if (argc < 2) {
        fputs(HELP, stderr);
        return EXIT_USAGE;
    }
    const char *sub = argv[1];
    if (!strcmp(sub, "--help") || !strcmp(sub, "-h") || !strcmp(sub, "help")) {
        fputs(HELP, stdout);
        return EXIT_OK;
    }
    if (!strcmp(sub, "capacity"))
        return cmd_capacity(argc - 1, argv + 1);
    if (!strcmp(sub, "egress"))
        return cmd_egress(argc - 1, argv + 1);
    if (!strcmp(sub, "simulate"))
        return crowd_simulate(argc - 1, argv + 1);
    return tool_usage("crowd: unknown command \"%s\" (see agora crowd --help)", sub);
}
