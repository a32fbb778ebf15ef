/* agora incidents gistar | moran: hotspots and spatial autocorrelation of
 * incident counts on a grid or on the city's public spaces.
 * SPDX-License-Identifier: EUPL-1.2 */
#include "incidents_cli.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define UNITS_HELP                                                                             \
    "Units and weights:\n"                                                                     \
    "  --cell M         a grid of M-metre cells over the incidents (default: 1/50 of\n"       \
    "                   the longer side of their bounding box)\n"                             \
    "  --extent E       the grid's rectangle XMIN,YMIN,XMAX,YMAX in the set's plane\n"        \
    "  --units spaces   the city's public spaces instead of a grid (--city NAME when\n"        \
    "                   the database holds several)\n"                                         \
    "  --contiguity C   queen (default for grids) or rook neighbours between cells\n"          \
    "                   (binary weights; Gi* adds each unit to its own neighbours)\n"          \
    "  --band M         neighbours are units whose centres are within M metres\n"             \
    "  --gal FILE       neighbours from a GeoDa .gal file (spaces; ids are space ids)\n"      \
    "  --perm N         permutations for pseudo p-values (default 999; 0: none)\n"            \
    "  --seed S         seed of the permutations (default 1)\n"                               \
    "  --fdr Q          false discovery rate for the classes (default 0.05)\n"                \
    "  --top K          units listed in the text output (default 10)\n"

static const char HELP_GISTAR[] =
    "Usage: agora incidents gistar [units and weights] [--gi]\n"
    "                              [--json | --geojson | --csv] [selection]\n"
    "\n"
    "Getis-Ord Gi* hotspots: units whose neighbourhood (the unit itself and its\n"
    "neighbours) holds more incidents than chance would give. Each unit gets a\n"
    "z-score, a normal p-value, a permutation pseudo p-value and a Benjamini-\n"
    "Hochberg q-value; it is a hot (cold) spot when q <= --fdr and z > 0 (< 0).\n"
    "\n" UNITS_HELP "  --gi             Gi instead of Gi* (the unit itself left out)\n"
    "\n"
    "Selection:\n" INC_SEL_HELP;

static const char HELP_MORAN[] =
    "Usage: agora incidents moran [units and weights] [--local] [--binary]\n"
    "                             [--json | --geojson | --csv] [selection]\n"
    "\n"
    "Moran's I of the incident counts: do units with many incidents lie next to\n"
    "each other? Global I with its expectation, variance and z-score under the\n"
    "normality and randomisation hypotheses; with --local, Anselin's local I of\n"
    "every unit with its permutation pseudo p-value, q-value and quadrant\n"
    "(HH: many among many, LL, HL: many among few, LH).\n"
    "\n" UNITS_HELP "  --local          local Moran's I (LISA) per unit\n"
    "  --binary         binary weights (default: row-standardised)\n"
    "\n"
    "Selection:\n" INC_SEL_HELP;

struct hs_opts {
    struct inc_sel_opts so;
    const char *cell, *extent, *units, *city, *contiguity, *band, *gal, *perm, *seed, *fdr,
        *top;
    bool json, geojson, csv;
    unsigned nperm, ntop;
    uint64_t seed_v;
    double fdr_v;
    int fmt;
};

#define HS_CLI_OPTS(o)                                                                         \
    INC_SEL_CLI_OPTS((o).so), {"--cell", &(o).cell, NULL}, {"--extent", &(o).extent, NULL},    \
        {"--units", &(o).units, NULL}, {"--city", &(o).city, NULL},                            \
        {"--contiguity", &(o).contiguity, NULL}, {"--band", &(o).band, NULL},                  \
        {"--gal", &(o).gal, NULL}, {"--perm", &(o).perm, NULL}, {"--seed", &(o).seed, NULL},   \
        {"--fdr", &(o).fdr, NULL}, {"--top", &(o).top, NULL}, {"--json", NULL, &(o).json},     \
        {"--geojson", NULL, &(o).geojson}, {"--csv", NULL, &(o).csv}

/* Checks the options shared by gistar and moran; -1 after a usage message. */
static int hs_check(const char *cmd, struct hs_opts *o)
{
    o->nperm = AG_INCIDENTS_NPERM_DEFAULT;
    o->ntop = 10;
    o->seed_v = 1;
    o->fdr_v = 0.05;
    double dummy;
    if ((o->perm && inc_opt_uint(cmd, "--perm", o->perm, 0, AG_INCIDENTS_NPERM_MAX, &o->nperm)) ||
        (o->top && inc_opt_uint(cmd, "--top", o->top, 0, 1000000, &o->ntop)) ||
        (o->seed && inc_opt_u64(cmd, "--seed", o->seed, &o->seed_v)) ||
        (o->fdr && inc_opt_double(cmd, "--fdr", o->fdr, 0, &o->fdr_v)) ||
        (o->cell && inc_opt_double(cmd, "--cell", o->cell, 0, &dummy)))
        return -1;
    if (o->fdr_v >= 1)
        return tool_usage("%s: --fdr: expected a rate between 0 and 1", cmd), -1;
    if (o->units && strcmp(o->units, "spaces") && strcmp(o->units, "grid"))
        return tool_usage("%s: --units: expected grid or spaces, not \"%s\"", cmd, o->units), -1;
    bool spaces = o->units && !strcmp(o->units, "spaces");
    if (spaces && (o->cell || o->extent))
        return tool_usage("%s: --cell and --extent are for grids, not --units spaces", cmd), -1;
    if (!spaces && o->city)
        return tool_usage("%s: --city goes with --units spaces", cmd), -1;
    o->fmt = inc_format(o->json, o->geojson, o->csv, 0xF, cmd);
    return o->fmt < 0 ? -1 : 0;
}

/* Loads the selection, the units and the weights. */
static int hs_load(struct hs_opts *o, bool self, struct inc_sel *s, struct inc_units *u,
                   struct ag_incidents_weights *w, char *wdesc, size_t cap, struct ag_error *err)
{
    int rc = inc_select(&o->so, false, 1, s, err);
    if (rc)
        return rc;
    if (o->units && !strcmp(o->units, "spaces")) {
        rc = inc_units_spaces(s, o->city, 0, u, err);
    } else {
        double cell_m;
        if (o->cell) {
            cell_m = strtod(o->cell, NULL);
        } else {
            struct ag_bbox bb = ag_bbox_empty();
            for (size_t i = 0; i < s->n; i++)
                ag_bbox_extend(&bb, s->xy[i].x, s->xy[i].y);
            double side = fmax(bb.maxx - bb.minx, bb.maxy - bb.miny);
            cell_m = side > 0 ? side / 50 : 100;
        }
        rc = inc_units_grid(s, o->extent, cell_m, u, err);
    }
    if (!rc && u->n < 3)
        rc = ag_error_set(err, AG_EEMPTY, "%zu units: at least 3 are needed", u->n);
    if (!rc)
        rc = inc_units_weights(u, o->band, o->contiguity, o->gal, self, w, wdesc, cap, err);
    if (rc) {
        inc_units_free(u);
        inc_sel_free(s);
    }
    return rc;
}

static double p_normal(double z)
{
    return isfinite(z) ? erfc(fabs(z) / sqrt(2.0)) : NAN;
}

static void json_num(struct ag_buf *b, const char *key, double v)
{
    if (isfinite(v))
        ag_buf_printf(b, ",\"%s\":%.17g", key, v);
    else
        ag_buf_printf(b, ",\"%s\":null", key);
}

static void csv_num(struct ag_buf *b, double v)
{
    if (isfinite(v))
        ag_buf_printf(b, ",%.17g", v);
    else
        ag_buf_puts(b, ",");
}

struct rank {
    size_t i;
    double key;
};

static int cmp_rank(const void *a, const void *b)
{
    const struct rank *x = a, *y = b;
    if (x->key != y->key)
        return x->key < y->key ? 1 : -1;
    return x->i < y->i ? -1 : x->i > y->i;
}

/* Unit indices sorted by key descending (NaN last). */
static struct rank *ranked(const double *key, size_t n)
{
    struct rank *r = malloc((n ? n : 1) * sizeof *r);
    if (!r)
        return NULL;
    for (size_t i = 0; i < n; i++)
        r[i] = (struct rank){i, isfinite(key[i]) ? key[i] : -INFINITY};
    qsort(r, n, sizeof *r, cmp_rank);
    return r;
}

int inc_cmd_gistar(int argc, char **argv)
{
    const char *cmd = argv[0];
    struct hs_opts o = {0};
    bool gi = false;
    const struct cli_opt opts[] = {HS_CLI_OPTS(o), {"--gi", NULL, &gi}, {NULL, NULL, NULL}};
    const char *pos[1];
    int npos, code;
    if (tool_parse(argc, argv, opts, pos, 0, &npos, HELP_GISTAR, &code))
        return code;
    if (hs_check(cmd, &o))
        return EXIT_USAGE;
    struct ag_error err = {0};
    struct inc_sel s;
    struct inc_units u;
    struct ag_incidents_weights w = {0};
    char wdesc[600];
    int rc = hs_load(&o, !gi, &s, &u, &w, wdesc, sizeof wdesc, &err);
    if (rc)
        return tool_fail(&err);
    size_t n = u.n;
    double *z = malloc(n * sizeof *z), *pn = malloc(n * sizeof *pn),
           *pp = malloc(n * sizeof *pp), *q = malloc(n * sizeof *q);
    if (!z || !pn || !pp || !q)
        rc = ag_error_set(&err, AG_ENOMEM, "out of memory");
    if (!rc)
        rc = ag_incidents_getis_ord(&w, u.count, !gi, z, &err);
    if (!rc && o.nperm) {
        struct ag_progress prog;
        ag_progress_start(&prog, "permutations", 0);
        rc = ag_incidents_getis_ord_perm(&w, u.count, !gi, o.nperm, o.seed_v, pp, &err);
        ag_progress_end(&prog);
    }
    for (size_t i = 0; !rc && i < n; i++) {
        pn[i] = isfinite(z[i]) ? p_normal(z[i]) : 1.0;
        if (!o.nperm)
            pp[i] = NAN;
    }
    if (!rc)
        rc = ag_incidents_fdr_bh(o.nperm ? pp : pn, n, q, &err);
    size_t hot = 0, cold = 0;
    for (size_t i = 0; !rc && i < n; i++) {
        hot += q[i] <= o.fdr_v && z[i] > 0;
        cold += q[i] <= o.fdr_v && z[i] < 0;
    }
    const char *stat = gi ? "Gi" : "Gi*";
    struct ag_buf b;
    ag_buf_init(&b, (size_t)1 << 31);
    char label[300];
    for (size_t i = 0; !rc && o.fmt != INC_TEXT && i <= n; i++) {
        if (i == 0) { /* heads */
            if (o.fmt == INC_JSON) {
                inc_json_head(&b, &s, gi ? "gi" : "gistar");
                ag_buf_printf(&b, ",\"units\":\"%s\",\"weights\":", u.grid ? "grid" : "spaces");
                ag_buf_put_json_str(&b, wdesc);
                if (u.grid)
                    ag_buf_printf(&b, ",\"grid\":{\"x0\":%.17g,\"y0\":%.17g,\"cell_m\":%.17g,"
                                      "\"nx\":%zu,\"ny\":%zu}",
                                  u.g.x0, u.g.y0, u.g.cell_m, u.g.nx, u.g.ny);
                ag_buf_printf(&b, ",\"nperm\":%u,\"seed\":%llu,\"fdr\":%.17g,\"hot\":%zu,"
                                  "\"cold\":%zu,\"results\":[",
                              o.nperm, (unsigned long long)o.seed_v, o.fdr_v, hot, cold);
            } else if (o.fmt == INC_GEOJSON) {
                ag_buf_puts(&b, "{\"type\":\"FeatureCollection\",\"features\":[");
            } else {
                ag_buf_puts(&b, u.grid ? "ix,iy,x,y" : "space_id,name");
                ag_buf_puts(&b, ",count,z,p_normal,p_perm,q,class\n");
            }
        }
        if (i == n)
            break;
        const char *cls = q[i] <= o.fdr_v && z[i] > 0   ? "hot"
                          : q[i] <= o.fdr_v && z[i] < 0 ? "cold"
                                                        : "";
        if (o.fmt == INC_CSV) {
            inc_unit_csv_id(&b, &u, i);
            ag_buf_printf(&b, ",%.17g", u.count[i]);
            csv_num(&b, z[i]);
            csv_num(&b, pn[i]);
            csv_num(&b, pp[i]);
            csv_num(&b, q[i]);
            ag_buf_printf(&b, ",%s\n", cls);
            continue;
        }
        if (o.fmt == INC_GEOJSON)
            ag_buf_printf(&b, "%s{\"type\":\"Feature\",\"properties\":{", i ? "," : "");
        else
            ag_buf_printf(&b, "%s{", i ? "," : "");
        inc_unit_json_id(&b, &u, i);
        ag_buf_printf(&b, ",\"count\":%.17g", u.count[i]);
        json_num(&b, "z", z[i]);
        json_num(&b, "p_normal", pn[i]);
        json_num(&b, "p_perm", pp[i]);
        json_num(&b, "q", q[i]);
        ag_buf_printf(&b, ",\"class\":\"%s\"}", cls);
        if (o.fmt == INC_GEOJSON) {
            ag_buf_puts(&b, ",\"geometry\":");
            inc_unit_geojson(&b, &s, &u, i);
            ag_buf_puts(&b, "}");
        }
    }
    if (!rc && (o.fmt == INC_JSON || o.fmt == INC_GEOJSON))
        ag_buf_puts(&b, "]}\n");
    if (!rc && o.fmt == INC_TEXT) {
        ag_buf_printf(&b, "Getis-Ord %s of %zu incidents (%s)\n", stat, s.n, s.what);
        if (u.grid)
            ag_buf_printf(&b, "  units: %zu x %zu cells of %.1f m in %s\n", u.g.nx, u.g.ny,
                          u.g.cell_m, s.set.plane);
        else
            ag_buf_printf(&b, "  units: the %zu public spaces of %s\n", n, u.city.name);
        ag_buf_printf(&b, "  weights: %s%s\n", wdesc, gi ? "" : ", each unit its own neighbour");
        if (o.nperm)
            ag_buf_printf(&b, "  p-values: %u permutations (seed %llu), false discovery rate %g\n",
                          o.nperm, (unsigned long long)o.seed_v, o.fdr_v);
        else
            ag_buf_printf(&b, "  p-values: normal approximation, false discovery rate %g\n",
                          o.fdr_v);
        ag_buf_printf(&b, "  hot spots: %zu, cold spots: %zu\n", hot, cold);
        struct rank *r = ranked(z, n);
        if (!r) {
            rc = ag_error_set(&err, AG_ENOMEM, "out of memory");
        } else if (o.ntop) {
            ag_buf_printf(&b, "  highest z-scores:\n    %-40s %7s %8s %9s %9s  %s\n", "unit",
                          "count", "z", "p", "q", "");
            for (size_t k = 0; k < n && k < o.ntop && isfinite(z[r[k].i]); k++) {
                size_t i = r[k].i;
                ag_buf_printf(&b, "    %-40s %7.0f %8.3f %9.4f %9.4f  %s\n",
                              inc_unit_label(&u, i, label, sizeof label), u.count[i], z[i],
                              o.nperm ? pp[i] : pn[i], q[i],
                              q[i] <= o.fdr_v && z[i] > 0 ? "hot spot" : "");
            }
        }
        free(r);
    }
    if (!rc)
        rc = inc_emit(&b, &err);
    else
        ag_buf_free(&b);
    free(z);
    free(pn);
    free(pp);
    free(q);
    ag_incidents_weights_free(&w);
    inc_units_free(&u);
    inc_sel_free(&s);
    return rc ? tool_fail(&err) : EXIT_OK;
}

static const char *quadrant(double xi, double mean, double lag, double lag_mean)
{
    bool high = xi > mean, high_lag = lag > lag_mean;
    return high ? (high_lag ? "HH" : "HL") : (high_lag ? "LH" : "LL");
}

int inc_cmd_moran(int argc, char **argv)
{
    const char *cmd = argv[0];
    struct hs_opts o = {0};
    bool local = false, binary = false;
    const struct cli_opt opts[] = {HS_CLI_OPTS(o),
                                   {"--local", NULL, &local},
                                   {"--binary", NULL, &binary},
                                   {NULL, NULL, NULL}};
    const char *pos[1];
    int npos, code;
    if (tool_parse(argc, argv, opts, pos, 0, &npos, HELP_MORAN, &code))
        return code;
    if (hs_check(cmd, &o))
        return EXIT_USAGE;
    if (o.fmt == INC_GEOJSON && !local)
        return tool_usage("%s: --geojson needs --local (one feature per unit)", cmd);
    struct ag_error err = {0};
    struct inc_sel s;
    struct inc_units u;
    struct ag_incidents_weights w = {0};
    char wdesc[600];
    int rc = hs_load(&o, false, &s, &u, &w, wdesc, sizeof wdesc, &err);
    if (rc)
        return tool_fail(&err);
    if (!binary)
        ag_incidents_weights_transform(&w, AG_INCIDENTS_W_ROW);
    size_t n = u.n;
    struct ag_incidents_moran g;
    rc = ag_incidents_moran_global(&w, u.count, &g, &err);
    struct ag_incidents_lisa *li = NULL;
    double *pp = NULL, *q = NULL, *lag = NULL;
    double mean = 0, lag_mean = 0;
    if (!rc && local) {
        li = malloc(n * sizeof *li);
        pp = malloc(n * sizeof *pp);
        q = malloc(n * sizeof *q);
        lag = calloc(n, sizeof *lag);
        if (!li || !pp || !q || !lag)
            rc = ag_error_set(&err, AG_ENOMEM, "out of memory");
        if (!rc)
            rc = ag_incidents_moran_local(&w, u.count, li, &err);
        if (!rc && o.nperm) {
            struct ag_progress prog;
            ag_progress_start(&prog, "permutations", 0);
            rc = ag_incidents_moran_local_perm(&w, u.count, o.nperm, o.seed_v, pp, &err);
            ag_progress_end(&prog);
        }
        for (size_t i = 0; !rc && i < n; i++) {
            if (!o.nperm)
                pp[i] = isfinite(li[i].z) ? p_normal(li[i].z) : 1.0;
            mean += u.count[i] / (double)n;
            for (size_t e = w.start[i]; e < w.start[i + 1]; e++)
                if (w.nbr[e] != i)
                    lag[i] += w.w[e] * u.count[w.nbr[e]];
        }
        for (size_t i = 0; !rc && i < n; i++)
            lag_mean += lag[i] / (double)n;
        if (!rc)
            rc = ag_incidents_fdr_bh(pp, n, q, &err);
    }
    double p_rand = p_normal(g.z_rand), p_norm = p_normal(g.z_norm);
    const char *style = binary ? "binary" : "row-standardised";
    struct ag_buf b;
    ag_buf_init(&b, (size_t)1 << 31);
    char label[300];
    if (!rc && o.fmt == INC_JSON) {
        inc_json_head(&b, &s, local ? "moran_local" : "moran");
        ag_buf_printf(&b, ",\"units\":\"%s\",\"unit_count\":%zu,\"weights\":",
                      u.grid ? "grid" : "spaces", n);
        ag_buf_put_json_str(&b, wdesc);
        ag_buf_printf(&b, ",\"style\":\"%s\",\"global\":{\"I\":%.17g,\"EI\":%.17g", style, g.I,
                      g.EI);
        json_num(&b, "var_norm", g.var_norm);
        json_num(&b, "z_norm", g.z_norm);
        json_num(&b, "p_norm", p_norm);
        json_num(&b, "var_rand", g.var_rand);
        json_num(&b, "z_rand", g.z_rand);
        json_num(&b, "p_rand", p_rand);
        ag_buf_puts(&b, "}");
        if (local)
            ag_buf_printf(&b, ",\"nperm\":%u,\"seed\":%llu,\"fdr\":%.17g,\"local\":[", o.nperm,
                          (unsigned long long)o.seed_v, o.fdr_v);
    } else if (!rc && o.fmt == INC_GEOJSON) {
        ag_buf_puts(&b, "{\"type\":\"FeatureCollection\",\"features\":[");
    } else if (!rc && o.fmt == INC_CSV && local) {
        ag_buf_puts(&b, u.grid ? "ix,iy,x,y" : "space_id,name");
        ag_buf_puts(&b, ",count,I,EI,VI,z,p,q,quadrant,significant\n");
    } else if (!rc && o.fmt == INC_CSV) {
        ag_buf_puts(&b, "units,weights,style,I,EI,var_norm,z_norm,p_norm,var_rand,z_rand,p_rand\n");
        ag_buf_printf(&b, "%zu,", n);
        inc_csv_text(&b, wdesc);
        ag_buf_printf(&b, ",%s,%.17g,%.17g", style, g.I, g.EI);
        csv_num(&b, g.var_norm);
        csv_num(&b, g.z_norm);
        csv_num(&b, p_norm);
        csv_num(&b, g.var_rand);
        csv_num(&b, g.z_rand);
        csv_num(&b, p_rand);
        ag_buf_puts(&b, "\n");
    }
    for (size_t i = 0; !rc && local && o.fmt != INC_TEXT && i < n; i++) {
        const char *quad = quadrant(u.count[i], mean, lag[i], lag_mean);
        bool sig = q[i] <= o.fdr_v;
        if (o.fmt == INC_CSV) {
            inc_unit_csv_id(&b, &u, i);
            ag_buf_printf(&b, ",%.17g", u.count[i]);
            csv_num(&b, li[i].I);
            csv_num(&b, li[i].EI);
            csv_num(&b, li[i].VI);
            csv_num(&b, li[i].z);
            csv_num(&b, pp[i]);
            csv_num(&b, q[i]);
            ag_buf_printf(&b, ",%s,%s\n", quad, sig ? "yes" : "no");
            continue;
        }
        if (o.fmt == INC_GEOJSON)
            ag_buf_printf(&b, "%s{\"type\":\"Feature\",\"properties\":{", i ? "," : "");
        else
            ag_buf_printf(&b, "%s{", i ? "," : "");
        inc_unit_json_id(&b, &u, i);
        ag_buf_printf(&b, ",\"count\":%.17g", u.count[i]);
        json_num(&b, "I", li[i].I);
        json_num(&b, "EI", li[i].EI);
        json_num(&b, "VI", li[i].VI);
        json_num(&b, "z", li[i].z);
        json_num(&b, "p", pp[i]);
        json_num(&b, "q", q[i]);
        ag_buf_printf(&b, ",\"quadrant\":\"%s\",\"significant\":%s}", quad,
                      sig ? "true" : "false");
        if (o.fmt == INC_GEOJSON) {
            ag_buf_puts(&b, ",\"geometry\":");
            inc_unit_geojson(&b, &s, &u, i);
            ag_buf_puts(&b, "}");
        }
    }
    if (!rc && o.fmt == INC_JSON)
        ag_buf_puts(&b, local ? "]}\n" : "}\n");
    if (!rc && o.fmt == INC_GEOJSON)
        ag_buf_puts(&b, "]}\n");
    if (!rc && o.fmt == INC_TEXT) {
        ag_buf_printf(&b, "Moran's I of incident counts (%zu incidents, %s)\n", s.n, s.what);
        if (u.grid)
            ag_buf_printf(&b, "  units: %zu x %zu cells of %.1f m in %s\n", u.g.nx, u.g.ny,
                          u.g.cell_m, s.set.plane);
        else
            ag_buf_printf(&b, "  units: the %zu public spaces of %s\n", n, u.city.name);
        ag_buf_printf(&b, "  weights: %s, %s\n", wdesc, style);
        ag_buf_printf(&b, "  I = %.6f (expected %.6f under no autocorrelation)\n", g.I, g.EI);
        ag_buf_printf(&b, "  z = %.4f, p = %.4g under randomisation; z = %.4f, p = %.4g under "
                          "normality\n",
                      g.z_rand, p_rand, g.z_norm, p_norm);
        ag_buf_printf(&b, "  reading: %s\n",
                      !(p_rand < 0.05) ? "no evidence of spatial autocorrelation"
                      : g.I > g.EI     ? "units with many incidents cluster together"
                                       : "units with many incidents avoid each other");
        if (local) {
            size_t counts[4] = {0};
            static const char *const names[4] = {"HH", "LL", "HL", "LH"};
            for (size_t i = 0; i < n; i++)
                if (q[i] <= o.fdr_v) {
                    const char *qd = quadrant(u.count[i], mean, lag[i], lag_mean);
                    for (int k = 0; k < 4; k++)
                        counts[k] += !strcmp(qd, names[k]);
                }
            ag_buf_printf(&b, "  local: significant at FDR %g: HH %zu, LL %zu, HL %zu, LH %zu\n",
                          o.fdr_v, counts[0], counts[1], counts[2], counts[3]);
            double *key = calloc(n ? n : 1, sizeof *key);
            struct rank *r = NULL;
            if (key) {
                for (size_t i = 0; i < n; i++)
                    key[i] = q[i] <= o.fdr_v ? li[i].z : NAN;
                r = ranked(key, n);
            }
            if (!key || !r)
                rc = ag_error_set(&err, AG_ENOMEM, "out of memory");
            for (size_t k = 0; !rc && k < n && k < o.ntop && isfinite(key[r[k].i]); k++) {
                size_t i = r[k].i;
                ag_buf_printf(&b, "    %-40s %7.0f  I %8.3f  z %7.3f  q %.4f  %s\n",
                              inc_unit_label(&u, i, label, sizeof label), u.count[i], li[i].I,
                              li[i].z, q[i], quadrant(u.count[i], mean, lag[i], lag_mean));
            }
            free(key);
            free(r);
        }
    }
    if (!rc)
        rc = inc_emit(&b, &err);
    else
        ag_buf_free(&b);
    free(li);
    free(pp);
    free(q);
    free(lag);
    ag_incidents_weights_free(&w);
    inc_units_free(&u);
    inc_sel_free(&s);
    return rc ? tool_fail(&err) : EXIT_OK;
}
