/* agora incidents: import and list incident records; dispatch to the
 * analyses. SPDX-License-Identifier: EUPL-1.2 */
#include "incidents_cli.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char HELP[] =
    "Usage: agora incidents COMMAND [OPTIONS]\n"
    "\n"
    "Where crime and incidents concentrate in public space, when, and whether\n"
    "they repeat nearby soon after.\n"
    "\n"
    "Commands:\n"
    "  import FILE   store incident records from a CSV or GeoJSON file\n"
    "  list          the incident sets of the database\n"
    "  kde           kernel density (hotspot surface) on a grid\n"
    "  gistar        Getis-Ord Gi* hotspots on a grid or on public spaces\n"
    "  moran         global and local Moran's I on a grid or on public spaces\n"
    "  nni           Clark-Evans nearest-neighbour index\n"
    "  knox          Knox test and near-repeat tables\n"
    "  profile       hour of day x weekday, monthly series and trend\n"
    "  spaces        incidents within and around each public space\n"
    "\n"
    "Each command has its own --help. Methods and sources: docs/methodology.md.\n";

static const char HELP_IMPORT[] =
    "Usage: agora incidents import FILE [--set NAME] [--x COL --y COL] [--crs EPSG:N]\n"
    "                              [--time COL [--time-format FMT]] [--category COL]\n"
    "                              [--delimiter C] [--decimal-comma] [--skip-bad]\n"
    "                              [--json] [--db PATH]\n"
    "\n"
    "Stores incident records from FILE: a CSV file with a header line (FILE ending in\n"
    ".csv or .txt) or a GeoJSON FeatureCollection of points (.geojson, .json).\n"
    "Every record is checked first. A file with any bad record is refused whole,\n"
    "with every bad line listed, and the database is not touched; with --skip-bad\n"
    "the good records are stored and the bad ones reported. Importing a set of the\n"
    "same name again replaces it.\n"
    "\n"
    "  --set NAME         name of the set (default: the file name without extension)\n"
    "  --x COL, --y COL   the coordinate columns (default: found among x/lon/lng/\n"
    "                     longitude and y/lat/latitude)\n"
    "  --crs CRS          the coordinates' reference system (default EPSG:4326,\n"
    "                     longitude and latitude); projected ones by EPSG code,\n"
    "                     e.g. EPSG:26971\n"
    "  --time COL         the column (or GeoJSON property) holding the date/time\n"
    "  --time-format FMT  e.g. \"%d/%m/%Y %H:%M\" (default: ISO 8601,\n"
    "                     YYYY-MM-DD[ HH:MM[:SS]]); the clock time is kept as written\n"
    "  --category COL     the column (or property) holding the category\n"
    "  --delimiter C      the CSV field separator (default ','; ';' and 'tab' too)\n"
    "  --decimal-comma    numbers are written 2,35 (with --delimiter ';')\n"
    "  --skip-bad         store the good records, report the bad ones\n"
    "  --json             print the summary as JSON\n"
    "  --db PATH          the database (created if missing; default ./agora.db)\n";

static const char HELP_LIST[] = "Usage: agora incidents list [--json] [--db PATH]\n"
                                "\n"
                                "Lists the incident sets of the database.\n";

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && !strcasecmp(s + n - k, suffix);
}

static char *default_set_name(const char *path)
{
    const char *base = strrchr(path, '/');
    char *name = ag_strdup(base ? base + 1 : path);
    if (!name)
        return NULL;
    char *dot = strrchr(name, '.');
    if (dot && dot != name)
        *dot = '\0';
    return name;
}

static void json_opt(struct ag_buf *b, const char *key, const char *v, bool first)
{
    ag_buf_printf(b, "%s\"%s\":", first ? "" : ",", key);
    if (v)
        ag_buf_put_json_str(b, v);
    else
        ag_buf_puts(b, "null");
}

static int cmd_import_incidents(int argc, char **argv)
{
    const char *db = NULL, *set = NULL, *xc = NULL, *yc = NULL, *crs_def = NULL, *tc = NULL,
               *tf = NULL, *cc = NULL, *delim = NULL;
    bool decimal_comma = false, skip_bad = false, json = false;
    const struct cli_opt opts[] = {{"--db", &db, NULL},
                                   {"--set", &set, NULL},
                                   {"--x", &xc, NULL},
                                   {"--y", &yc, NULL},
                                   {"--crs", &crs_def, NULL},
                                   {"--time", &tc, NULL},
                                   {"--time-format", &tf, NULL},
                                   {"--category", &cc, NULL},
                                   {"--delimiter", &delim, NULL},
                                   {"--decimal-comma", NULL, &decimal_comma},
                                   {"--skip-bad", NULL, &skip_bad},
                                   {"--json", NULL, &json},
                                   {NULL, NULL, NULL}};
    const char *pos[1];
    int npos, code;
    if (tool_parse(argc, argv, opts, pos, 1, &npos, HELP_IMPORT, &code))
        return code;
    if (npos != 1)
        return tool_usage("incidents import: expected one FILE (see agora incidents import "
                          "--help)");
    if (tf && !tc)
        return tool_usage("incidents import: --time-format needs --time COL");
    const char *file = pos[0];
    struct ag_incident_read_opts ro = {.x_col = xc, .y_col = yc, .time_col = tc,
                                       .category_col = cc, .time_format = tf,
                                       .decimal_comma = decimal_comma};
    if (ends_with(file, ".geojson") || ends_with(file, ".json"))
        ro.format = AG_INCIDENT_GEOJSON;
    else if (ends_with(file, ".csv") || ends_with(file, ".txt") || ends_with(file, ".tsv"))
        ro.format = AG_INCIDENT_CSV;
    else
        return tool_usage("incidents import: %s: expected a .csv, .txt, .geojson or .json file",
                          file);
    if (ends_with(file, ".tsv"))
        ro.delimiter = '\t';
    if (delim) {
        if (!strcmp(delim, "tab") || !strcmp(delim, "\\t"))
            ro.delimiter = '\t';
        else if (strlen(delim) == 1 && delim[0] != '"' && delim[0] != '\n' && delim[0] != '\r')
            ro.delimiter = delim[0];
        else
            return tool_usage("incidents import: --delimiter: expected one character or tab");
    }
    if (ro.format == AG_INCIDENT_GEOJSON && (xc || yc || delim || decimal_comma))
        return tool_usage("incidents import: --x, --y, --delimiter and --decimal-comma are for "
                          "CSV files");
    if (decimal_comma && (ro.delimiter ? ro.delimiter : ',') == ',')
        return tool_usage("incidents import: --decimal-comma needs another --delimiter than ','");

    struct ag_error err = {0};
    struct ag_crs *crs = NULL;
    struct ag_plane *plane = NULL;
    struct ag_store *store = NULL;
    struct ag_incident_data d;
    ag_incident_data_init(&d);
    struct ag_buf text, params;
    ag_buf_init(&text, AG_INCIDENT_FILE_MAX_BYTES);
    ag_buf_init(&params, 1 << 16);
    struct ag_incident_set meta = {0};
    struct ag_progress prog;
    char *name = set ? ag_strdup(set) : default_set_name(file);
    int rc = name ? 0 : ag_error_set(&err, AG_ENOMEM, "out of memory");
    if (!rc && (!*name || strlen(name) >= sizeof meta.name || !ag_text_ok(name)))
        rc = ag_error_set(&err, AG_EINVAL, "--set: a name of 1 to 127 bytes of text is required");
    if (!rc)
        rc = ag_crs_new(&crs, crs_def ? crs_def : "EPSG:4326", &err);
    if (rc && crs_def && !crs)
        ag_error_prefix(&err, "--crs");
    /* Everything is read and checked before the database is opened: a bad
     * file never touches it. */
    if (!rc) {
        ag_progress_start(&prog, "reading incidents", 0);
        rc = ag_file_read(file, &text, &err);
        if (!rc)
            rc = ag_incident_read(text.data, text.len, file, &ro, crs, &d, &err);
        ag_progress_end(&prog);
    }
    char plane_def[128];
    if (!rc && d.good.len)
        rc = ag_incident_plane_for(&d, crs, plane_def, sizeof plane_def, &err);
    if (!rc && d.good.len)
        rc = ag_plane_new(&plane, plane_def, &err);
    size_t nread_bad = d.bad.len;
    if (!rc && plane)
        rc = ag_incident_place(&d, crs, plane, &err);
    /* The records that could not be placed were reported without the file's
     * name: prefix it, as the reader does. */
    for (size_t i = nread_bad; !rc && i < d.bad.len; i++) {
        char **m = &AG_VEC_AT(&d.bad, char *, i);
        size_t n = strlen(file) + strlen(*m) + 3;
        char *named = malloc(n);
        if (!named) {
            rc = ag_error_set(&err, AG_ENOMEM, "out of memory");
            break;
        }
        snprintf(named, n, "%s: %s", file, *m);
        free(*m);
        *m = named;
    }
    size_t nbad = d.bad.len;
    if (!rc && nbad && (!skip_bad || !d.good.len)) {
        for (size_t i = 0; i < nbad; i++)
            fprintf(stderr, "%s\n", AG_VEC_AT(&d.bad, char *, i));
        if (!d.good.len && ag_crs_is_geographic(crs) && !crs_def && nbad &&
            strstr(AG_VEC_AT(&d.bad, char *, 0), "is not a longitude"))
            fprintf(stderr, "hint: longitude and latitude were expected (EPSG:4326); for "
                            "projected coordinates give --crs EPSG:N\n");
        rc = ag_error_set(&err, AG_EPARSE,
                          "%s: %zu of %lld records are bad (listed above); nothing was stored%s",
                          file, nbad, (long long)d.records,
                          d.good.len ? " (--skip-bad stores the others)" : "");
    }
    if (!rc) {
        snprintf(meta.name, sizeof meta.name, "%s", name);
        snprintf(meta.source, sizeof meta.source, "%s", file);
        snprintf(meta.crs, sizeof meta.crs, "%s", ag_crs_def(crs));
        snprintf(meta.plane, sizeof meta.plane, "%s", plane_def);
        meta.skipped = (int64_t)nbad;
        ag_buf_puts(&params, "{");
        json_opt(&params, "format", ro.format == AG_INCIDENT_GEOJSON ? "geojson" : "csv", true);
        json_opt(&params, "x", ro.format == AG_INCIDENT_CSV ? d.x_col : NULL, false);
        json_opt(&params, "y", ro.format == AG_INCIDENT_CSV ? d.y_col : NULL, false);
        json_opt(&params, "time", tc, false);
        json_opt(&params, "time_format", tf, false);
        json_opt(&params, "category", cc, false);
        ag_buf_puts(&params, "}");
        meta.params = params.data;
        rc = ag_store_open(&store, tool_db_path(db), AG_STORE_CREATE, &err);
    }
    bool replaced = false;
    if (!rc) {
        ag_progress_start(&prog, "storing incidents", 0);
        rc = ag_store_incidents_save(store, &meta, (const struct ag_incident *)d.good.data,
                                     d.good.len, &replaced, &err);
        ag_progress_end(&prog);
    }
    if (!rc && json) {
        struct ag_buf b;
        ag_buf_init(&b, (size_t)256 << 20);
        ag_buf_puts(&b, "{\"set\":");
        ag_buf_put_json_str(&b, meta.name);
        ag_buf_printf(&b, ",\"set_id\":%lld,\"replaced\":%s,\"source\":", (long long)meta.id,
                      replaced ? "true" : "false");
        ag_buf_put_json_str(&b, file);
        ag_buf_puts(&b, ",\"crs\":");
        ag_buf_put_json_str(&b, meta.crs);
        ag_buf_puts(&b, ",\"plane\":");
        ag_buf_put_json_str(&b, meta.plane);
        ag_buf_printf(&b, ",\"records\":%lld,\"stored\":%zu,\"skipped\":%zu,\"columns\":%s,"
                          "\"bad\":[",
                      (long long)d.records, d.good.len, nbad, params.data);
        for (size_t i = 0; i < nbad; i++) {
            ag_buf_puts(&b, i ? "," : "");
            ag_buf_put_json_str(&b, AG_VEC_AT(&d.bad, char *, i));
        }
        ag_buf_puts(&b, "]}\n");
        rc = inc_emit(&b, &err);
    } else if (!rc) {
        for (size_t i = 0; i < nbad; i++)
            fprintf(stderr, "skipped: %s\n", AG_VEC_AT(&d.bad, char *, i));
        printf("Imported %zu incidents from %s into %s as set \"%s\"%s\n", d.good.len, file,
               tool_db_path(db), meta.name, replaced ? " (replaced the set of that name)" : "");
        if (ro.format == AG_INCIDENT_CSV)
            printf("  coordinates: columns \"%s\", \"%s\" in %s\n", d.x_col, d.y_col, meta.crs);
        else
            printf("  coordinates: points in %s\n", meta.crs);
        printf("  distances in: %s\n", meta.plane);
        if (tc)
            printf("  time: \"%s\"%s%s\n", tc, tf ? ", format " : "", tf ? tf : "");
        if (cc)
            printf("  category: \"%s\"\n", cc);
        if (nbad)
            printf("  skipped: %zu bad records (listed on stderr)\n", nbad);
    }
    ag_store_close(store);
    ag_plane_free(plane);
    ag_crs_free(crs);
    ag_incident_data_free(&d);
    ag_buf_free(&text);
    ag_buf_free(&params);
    free(name);
    return rc ? tool_fail(&err) : EXIT_OK;
}

static int cmd_list(int argc, char **argv)
{
    const char *db = NULL;
    bool json = false;
    const struct cli_opt opts[] = {{"--db", &db, NULL}, {"--json", NULL, &json}, {NULL, NULL, NULL}};
    const char *pos[1];
    int npos, code;
    if (tool_parse(argc, argv, opts, pos, 0, &npos, HELP_LIST, &code))
        return code;
    struct ag_error err = {0};
    struct ag_store *store = NULL;
    struct ag_vec sets;
    ag_vec_init(&sets, sizeof(struct ag_incident_set));
    int rc = ag_store_open(&store, tool_db_path(db), AG_STORE_READONLY, &err);
    if (!rc)
        rc = ag_store_incident_sets(store, &sets, &err);
    if (!rc && json) {
        struct ag_buf b;
        ag_buf_init(&b, (size_t)16 << 20);
        ag_buf_puts(&b, "[");
        for (size_t i = 0; i < sets.len; i++) {
            const struct ag_incident_set *s = &AG_VEC_AT(&sets, struct ag_incident_set, i);
            ag_buf_printf(&b, "%s{\"id\":%lld,\"name\":", i ? "," : "", (long long)s->id);
            ag_buf_put_json_str(&b, s->name);
            ag_buf_puts(&b, ",\"source\":");
            ag_buf_put_json_str(&b, s->source);
            ag_buf_printf(&b, ",\"imported_at\":\"%s\",\"crs\":", s->imported_at);
            ag_buf_put_json_str(&b, s->crs);
            ag_buf_puts(&b, ",\"plane\":");
            ag_buf_put_json_str(&b, s->plane);
            ag_buf_printf(&b, ",\"records\":%lld,\"skipped\":%lld,\"columns\":%s}",
                          (long long)s->records, (long long)s->skipped, s->params);
        }
        ag_buf_puts(&b, "]\n");
        rc = inc_emit(&b, &err);
    } else if (!rc) {
        if (!sets.len)
            printf("No incident set in %s (import one: agora incidents import FILE)\n",
                   tool_db_path(db));
        for (size_t i = 0; i < sets.len; i++) {
            const struct ag_incident_set *s = &AG_VEC_AT(&sets, struct ag_incident_set, i);
            printf("%-24s %9lld incidents  %s  from %s, %s\n", s->name, (long long)s->records,
                   s->crs, s->source, s->imported_at);
        }
    }
    for (size_t i = 0; i < sets.len; i++)
        ag_incident_set_free(&AG_VEC_AT(&sets, struct ag_incident_set, i));
    ag_vec_free(&sets);
    ag_store_close(store);
    return rc ? tool_fail(&err) : EXIT_OK;
}

int cmd_incidents(int argc, char **argv)
{
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        fputs(HELP, argc < 2 ? stderr : stdout);
        return argc < 2 ? EXIT_USAGE : EXIT_OK;
    }
    static const struct {
        const char *name;
        const char *full;
        int (*fn)(int, char **);
    } subs[] = {
        {"import", "incidents import", cmd_import_incidents},
        {"list", "incidents list", cmd_list},
        {"kde", "incidents kde", inc_cmd_kde},
        {"gistar", "incidents gistar", inc_cmd_gistar},
        {"moran", "incidents moran", inc_cmd_moran},
        {"nni", "incidents nni", inc_cmd_nni},
        {"knox", "incidents knox", inc_cmd_knox},
        {"profile", "incidents profile", inc_cmd_profile},
        {"spaces", "incidents spaces", inc_cmd_spaces},
    };
    for (size_t i = 0; i < sizeof subs / sizeof subs[0]; i++)
        if (!strcmp(argv[1], subs[i].name)) {
            argv[1] = (char *)subs[i].full; /* names the command in messages */
            return subs[i].fn(argc - 1, argv + 1);
        }
    return tool_usage("incidents: unknown command \"%s\" (see agora incidents --help)", argv[1]);
}

/* ---- shared by the analyses ---- */

static int parse_when(const char *opt, const char *text, int64_t *t, struct ag_error *err)
{
    bool has_time;
    struct ag_error e;
    if (ag_incident_parse_time(text, NULL, t, &has_time, &e))
        return ag_error_set(err, AG_EINVAL, "%s: %s", opt, e.msg);
    return 0;
}

int inc_select(const struct inc_sel_opts *o, bool need_time, size_t min_n, struct inc_sel *s,
               struct ag_error *err)
{
    memset(s, 0, sizeof *s);
    ag_vec_init(&s->rows, sizeof(struct ag_incident));
    struct ag_incident_filter f = {.xy_only = true}; /* the analyses need no more */
    char *cats = NULL;
    const char **catv = NULL;
    int rc = 0;
    if (o->from)
        rc = parse_when("--from", o->from, &f.from, err), f.has_from = true;
    if (!rc && o->to)
        rc = parse_when("--to", o->to, &f.to, err), f.has_to = true;
    if (!rc && f.has_from && f.has_to && f.to <= f.from)
        rc = ag_error_set(err, AG_EINVAL, "--to must come after --from");
    if (!rc && o->category) {
        cats = ag_strdup(o->category);
        catv = calloc(strlen(o->category) + 1, sizeof *catv);
        if (!cats || !catv)
            rc = ag_error_set(err, AG_ENOMEM, "out of memory");
        for (char *tok = cats, *save = NULL; !rc && (tok = strtok_r(tok, ",", &save)); tok = NULL)
            catv[f.ncat++] = tok;
        f.categories = catv;
        if (!rc && !f.ncat)
            rc = ag_error_set(err, AG_EINVAL, "--category: expected one or more names");
    }
    if (!rc)
        rc = ag_store_open(&s->store, tool_db_path(o->db), AG_STORE_READONLY, err);
    if (!rc)
        rc = ag_store_incident_set_get(s->store, o->set, &s->set, err);
    if (!rc)
        rc = ag_plane_new(&s->plane, s->set.plane, err);
    if (!rc && s->set.records > 0 && ag_vec_reserve(&s->rows, (size_t)s->set.records))
        rc = ag_error_set(err, AG_ENOMEM, "out of memory for %lld incidents",
                          (long long)s->set.records);
    if (!rc)
        rc = ag_store_incidents_load(s->store, s->set.id, &f, &s->rows, err);
    s->n = s->rows.len;
    size_t used = (size_t)snprintf(s->what, sizeof s->what, "set \"%s\"", s->set.name);
    if (!rc && o->category && used < sizeof s->what)
        used += (size_t)snprintf(s->what + used, sizeof s->what - used, ", category %s",
                                 o->category);
    if (!rc && o->from && used < sizeof s->what)
        used += (size_t)snprintf(s->what + used, sizeof s->what - used, ", from %s", o->from);
    if (!rc && o->to && used < sizeof s->what)
        snprintf(s->what + used, sizeof s->what - used, ", before %s", o->to);
    if (!rc && s->n < min_n)
        rc = ag_error_set(err, AG_EEMPTY, "%s: %zu incidents selected, at least %zu needed",
                          s->what, s->n, min_n);
    if (!rc) {
        s->xy = malloc((s->n ? s->n : 1) * sizeof *s->xy);
        if (need_time)
            s->t_days = malloc((s->n ? s->n : 1) * sizeof *s->t_days);
        if (!s->xy || (need_time && !s->t_days))
            rc = ag_error_set(err, AG_ENOMEM, "out of memory");
    }
    for (size_t i = 0; !rc && i < s->n; i++) {
        const struct ag_incident *r = &AG_VEC_AT(&s->rows, struct ag_incident, i);
        s->xy[i] = r->xy;
        if (need_time && !r->has_t)
            rc = ag_error_set(err, AG_EINVAL,
                              "%s: has no times (import it again with --time COL)", s->what);
        else if (need_time)
            s->t_days[i] = (double)r->t / 86400.0;
    }
    free(cats);
    free(catv);
    if (rc)
        inc_sel_free(s);
    return rc;
}

void inc_sel_free(struct inc_sel *s)
{
    for (size_t i = 0; i < s->rows.len; i++)
        free(AG_VEC_AT(&s->rows, struct ag_incident, i).category);
    ag_vec_free(&s->rows);
    ag_incident_set_free(&s->set);
    ag_plane_free(s->plane);
    ag_store_close(s->store);
    free(s->xy);
    free(s->t_days);
    memset(s, 0, sizeof *s);
}

int inc_format(bool json, bool geojson, bool csv, unsigned allowed, const char *cmd)
{
    int n = json + geojson + csv;
    if (n > 1)
        return tool_usage("%s: choose one of --json, --geojson and --csv", cmd), -1;
    enum inc_format f = json ? INC_JSON : geojson ? INC_GEOJSON : csv ? INC_CSV : INC_TEXT;
    if (!(allowed & (1u << f)))
        return tool_usage("%s: --%s is not available for this command", cmd,
                          f == INC_JSON ? "json" : f == INC_GEOJSON ? "geojson" : "csv"),
               -1;
    return (int)f;
}

int inc_opt_double(const char *cmd, const char *opt, const char *text, double min_excl,
                   double *out)
{
    char *end;
    double v = strtod(text, &end);
    if (end == text || *end || !isfinite(v) || v <= min_excl) {
        tool_usage("%s: %s: expected a number greater than %g, not \"%s\"", cmd, opt, min_excl,
                   text);
        return -1;
    }
    *out = v;
    return 0;
}

int inc_opt_uint(const char *cmd, const char *opt, const char *text, unsigned min, unsigned max,
                 unsigned *out)
{
    char *end;
    unsigned long long v = strtoull(text, &end, 10);
    if (end == text || *end || text[0] == '-' || v < min || v > max) {
        tool_usage("%s: %s: expected a whole number from %u to %u, not \"%s\"", cmd, opt, min,
                   max, text);
        return -1;
    }
    *out = (unsigned)v;
    return 0;
}

int inc_opt_u64(const char *cmd, const char *opt, const char *text, uint64_t *out)
{
    char *end;
    unsigned long long v = strtoull(text, &end, 10);
    if (end == text || *end || text[0] == '-') {
        tool_usage("%s: %s: expected a whole number, not \"%s\"", cmd, opt, text);
        return -1;
    }
    *out = v;
    return 0;
}

int inc_grid(const struct inc_sel *s, const char *extent, double cell_m, double pad_m,
             struct ag_incidents_grid *g, struct ag_error *err)
{
    double x0, y0, x1, y1;
    if (extent) {
        char *end;
        x0 = strtod(extent, &end);
        y0 = *end == ',' ? strtod(end + 1, &end) : NAN;
        x1 = *end == ',' ? strtod(end + 1, &end) : NAN;
        y1 = *end == ',' ? strtod(end + 1, &end) : NAN;
        if (*end || !isfinite(x0) || !isfinite(y0) || !isfinite(x1) || !isfinite(y1) ||
            x1 <= x0 || y1 <= y0)
            return ag_error_set(err, AG_EINVAL,
                                "--extent: expected XMIN,YMIN,XMAX,YMAX in %s with XMIN < XMAX "
                                "and YMIN < YMAX",
                                s->set.plane);
    } else {
        struct ag_bbox bb = ag_bbox_empty();
        for (size_t i = 0; i < s->n; i++)
            ag_bbox_extend(&bb, s->xy[i].x, s->xy[i].y);
        if (!s->n)
            return ag_error_set(err, AG_EEMPTY, "%s: no incident to put a grid on", s->what);
        x0 = bb.minx - pad_m;
        y0 = bb.miny - pad_m;
        x1 = bb.maxx + pad_m;
        y1 = bb.maxy + pad_m;
    }
    double nx = ceil((x1 - x0) / cell_m), ny = ceil((y1 - y0) / cell_m);
    if (nx < 1)
        nx = 1;
    if (ny < 1)
        ny = 1;
    if (nx * ny > (double)AG_INCIDENTS_GRID_MAX_CELLS)
        return ag_error_set(err, AG_ELIMIT,
                            "a grid of %.0f x %.0f cells of %g m is too large (at most %zu "
                            "cells): choose a larger --cell",
                            nx, ny, cell_m, AG_INCIDENTS_GRID_MAX_CELLS);
    /* Centre the grid on the extent. */
    g->cell_m = cell_m;
    g->nx = (size_t)nx;
    g->ny = (size_t)ny;
    g->x0 = (x0 + x1) / 2 - nx * cell_m / 2;
    g->y0 = (y0 + y1) / 2 - ny * cell_m / 2;
    return 0;
}

void inc_json_head(struct ag_buf *b, const struct inc_sel *s, const char *method)
{
    ag_buf_puts(b, "{\"method\":");
    ag_buf_put_json_str(b, method);
    ag_buf_puts(b, ",\"set\":");
    ag_buf_put_json_str(b, s->set.name);
    ag_buf_puts(b, ",\"selection\":");
    ag_buf_put_json_str(b, s->what);
    ag_buf_puts(b, ",\"plane\":");
    ag_buf_put_json_str(b, s->set.plane);
    ag_buf_printf(b, ",\"n\":%zu", s->n);
}

void inc_geojson_cell(struct ag_buf *b, const struct inc_sel *s, const struct ag_incidents_grid *g,
                      size_t ix, size_t iy)
{
    double x0 = g->x0 + (double)ix * g->cell_m, y0 = g->y0 + (double)iy * g->cell_m;
    const struct ag_xy c[5] = {{x0, y0},
                               {x0 + g->cell_m, y0},
                               {x0 + g->cell_m, y0 + g->cell_m},
                               {x0, y0 + g->cell_m},
                               {x0, y0}};
    ag_buf_puts(b, "{\"type\":\"Polygon\",\"coordinates\":[[");
    for (int k = 0; k < 5; k++) {
        struct ag_ll ll = {NAN, NAN};
        ag_plane_inv(s->plane, c[k], &ll);
        ag_buf_printf(b, "%s[%.7f,%.7f]", k ? "," : "", ll.lon, ll.lat);
    }
    ag_buf_puts(b, "]]}");
}

int inc_emit(struct ag_buf *b, struct ag_error *err)
{
    int rc = 0;
    if (!b->data)
        rc = ag_error_set(err, AG_ENOMEM, "out of memory or output too large");
    else if (fputs(b->data, stdout) == EOF || fflush(stdout))
        rc = ag_error_set(err, AG_EIO, "cannot write to standard output");
    ag_buf_free(b);
    return rc;
}
