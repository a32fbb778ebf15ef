/* agora spaces list | show | add. SPDX-License-Identifier: EUPL-1.2 */
#include "cli.h"
#include "agora/osm.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char HELP[] =
    "Usage: agora spaces list [--json] [--db PATH] [--city NAME]\n"
    "       agora spaces show SPACE [--geojson] [--db PATH] [--city NAME]\n"
    "       agora spaces add --geojson FILE --name NAME --kind KIND [--db PATH] [--city NAME]\n"
    "\n"
    "list   every public space of the city: id, kind, area, perimeter, name\n"
    "show   one space; SPACE is its id (12) or its OSM reference (way/4227203);\n"
    "       --geojson prints it as a GeoJSON Feature\n"
    "add    a custom perimeter (a Christmas market, a festival site) from a GeoJSON\n"
    "       Polygon or MultiPolygon (a geometry, a Feature, or a FeatureCollection of\n"
    "       one Feature); the polygon is checked (closed rings, no self-intersection)\n"
    "       and measured. --name may be left out when the Feature has a \"name\".\n"
    "       KIND is one of the kinds of data/space-tags.csv, or event_site, or other.\n";

static void space_json(struct ag_buf *b, const struct ag_space *sp)
{
    ag_buf_printf(b, "{\"id\":%lld,\"ref\":", (long long)sp->id);
    if (!strcmp(sp->origin, "osm")) {
        char ref[48];
        snprintf(ref, sizeof ref, "%s/%lld", sp->ref.type, (long long)sp->ref.id);
        ag_buf_put_json_str(b, ref);
    } else {
        ag_buf_puts(b, "null");
    }
    ag_buf_puts(b, ",\"name\":");
    if (sp->name)
        ag_buf_put_json_str(b, sp->name);
    else
        ag_buf_puts(b, "null");
    ag_buf_puts(b, ",\"kind\":");
    ag_buf_put_json_str(b, sp->kind);
    ag_buf_puts(b, ",\"origin\":");
    ag_buf_put_json_str(b, sp->origin);
    ag_buf_printf(b,
                  ",\"area_m2\":%.2f,\"perimeter_m\":%.2f,\"centroid\":[%.7f,%.7f],"
                  "\"geom_source\":",
                  sp->area_m2, sp->perimeter_m, sp->centroid.lon, sp->centroid.lat);
    ag_buf_put_json_str(b, sp->geom_source);
    ag_buf_puts(b, "}");
}

static int spaces_list(struct ag_store *store, const struct ag_city *city, bool json,
                       struct ag_error *err)
{
    struct ag_vec v;
    ag_vec_init(&v, sizeof(struct ag_space));
    int rc = ag_store_spaces(store, city->id, false, &v, err);
    if (!rc && json) {
        struct ag_buf b;
        ag_buf_init(&b, (size_t)256 << 20);
        ag_buf_puts(&b, "[");
        for (size_t i = 0; i < v.len; i++) {
            if (i)
                ag_buf_puts(&b, ",\n ");
            space_json(&b, &AG_VEC_AT(&v, struct ag_space, i));
        }
        ag_buf_puts(&b, "]\n");
        fputs(b.data, stdout);
        ag_buf_free(&b);
    } else if (!rc) {
        printf("%-6s %-18s %-20s %12s %11s  %s\n", "id", "ref", "kind", "area m2", "perim. m",
               "name");
        for (size_t i = 0; i < v.len; i++) {
            const struct ag_space *sp = &AG_VEC_AT(&v, struct ag_space, i);
            char ref[48], a[32], p[32];
            if (!strcmp(sp->origin, "osm"))
                snprintf(ref, sizeof ref, "%s/%lld", sp->ref.type, (long long)sp->ref.id);
            else
                snprintf(ref, sizeof ref, "(custom)");
            printf("%-6lld %-18s %-20s %12s %11s  %s\n", (long long)sp->id, ref, sp->kind,
                   tool_num(a, sizeof a, sp->area_m2, 0), tool_num(p, sizeof p, sp->perimeter_m, 0),
                   sp->name ? sp->name : "(unnamed)");
        }
        printf("%zu spaces in %s\n", v.len, city->name);
    }
    for (size_t i = 0; i < v.len; i++)
        ag_space_free(&AG_VEC_AT(&v, struct ag_space, i));
    ag_vec_free(&v);
    return rc;
}

static int spaces_show(struct ag_store *store, const struct ag_city *city, const char *ref,
                       bool geojson, struct ag_error *err)
{
    struct ag_space sp;
    int rc = ag_store_space_get(store, city->id, ref, &sp, err);
    if (rc)
        return rc;
    struct ag_buf b;
    ag_buf_init(&b, (size_t)256 << 20);
    if (geojson) {
        ag_buf_puts(&b, "{\"type\":\"Feature\",\"properties\":");
        space_json(&b, &sp);
        ag_buf_puts(&b, ",\"geometry\":");
        ag_geojson_write_mpoly(&b, &sp.geom);
        ag_buf_puts(&b, "}\n");
    } else {
        char a[32], p[32];
        ag_buf_printf(&b, "id:          %lld\n", (long long)sp.id);
        ag_buf_printf(&b, "name:        %s\n", sp.name ? sp.name : "(unnamed)");
        ag_buf_printf(&b, "kind:        %s\n", sp.kind);
        if (!strcmp(sp.origin, "osm"))
            ag_buf_printf(&b, "source:      OpenStreetMap %s/%lld\n", sp.ref.type, (long long)sp.ref.id);
        else
            ag_buf_printf(&b, "source:      custom perimeter\n");
        ag_buf_printf(&b, "area:        %s m2\n", tool_num(a, sizeof a, sp.area_m2, 1));
        ag_buf_printf(&b, "perimeter:   %s m\n", tool_num(p, sizeof p, sp.perimeter_m, 1));
        ag_buf_printf(&b, "centroid:    %.6f %.6f (lon lat)\n", sp.centroid.lon, sp.centroid.lat);
        size_t nrings = 0;
        for (size_t i = 0; i < sp.geom.npolys; i++)
            nrings += sp.geom.polys[i].nrings;
        ag_buf_printf(&b, "polygon:     %zu part(s), %zu ring(s), from %s\n", sp.geom.npolys, nrings,
                      sp.geom_source);
        if (sp.tags_json)
            ag_buf_printf(&b, "tags:        %s\n", sp.tags_json);
    }
    fputs(b.data, stdout);
    ag_buf_free(&b);
    ag_space_free(&sp);
    return 0;
}

static bool kind_allowed(const char *kind, const struct ag_osm_rules *rules, struct ag_buf *list)
{
    const char **kinds;
    size_t nk = ag_osm_rules_kinds(rules, &kinds);
    bool ok = !strcmp(kind, "event_site") || !strcmp(kind, "other");
    for (size_t i = 0; i < nk; i++) {
        ok |= !strcmp(kind, kinds[i]);
        ag_buf_printf(list, "%s, ", kinds[i]);
    }
    ag_buf_puts(list, "event_site, other");
    return ok;
}

/* Reads, checks and measures a custom perimeter before any database is
 * opened, so that a bad file leaves the database untouched. The polygon is
 * measured in a projection centred on itself. */
static int spaces_add_prepare(const char *file, const char *name, const char *kind,
                              struct ag_space *sp, struct ag_error *err)
{
    struct ag_osm_rules *rules = NULL;
    int rc = ag_osm_rules_load(&rules, ag_data_dir(), err);
    if (rc)
        return rc;
    struct ag_buf list;
    ag_buf_init(&list, 4096);
    if (!kind_allowed(kind, rules, &list))
        rc = ag_error_set(err, AG_EINVAL, "--kind: \"%s\" is not a kind of space; expected one of: %s",
                          kind, list.data);
    ag_buf_free(&list);
    ag_osm_rules_free(rules);
    if (rc)
        return rc;
    struct ag_buf text;
    ag_buf_init(&text, (size_t)64 << 20);
    char *name_prop = NULL;
    struct ag_proj *proj = NULL;
    memset(sp, 0, sizeof *sp);
    rc = ag_file_read(file, &text, err);
    if (!rc)
        rc = ag_geojson_read_mpoly(text.data, text.len, file, &sp->geom, &name_prop, err);
    if (!rc && !name && !name_prop)
        rc = ag_error_set(err, AG_EINVAL,
                          "%s: the Feature has no \"name\" property; give one with --name", file);
    if (!rc) {
        struct ag_bbox bb = ag_mpoly_bbox(&sp->geom);
        rc = ag_proj_new(&proj, (bb.minx + bb.maxx) / 2, (bb.miny + bb.maxy) / 2, err);
    }
    if (!rc) {
        rc = ag_mpoly_validate(&sp->geom, proj, err);
        if (rc)
            ag_error_prefix(err, "%s", file);
    }
    struct ag_measure ms;
    if (!rc) {
        ag_mpoly_orient(&sp->geom, proj);
        rc = ag_mpoly_measure(&sp->geom, proj, &ms, err);
    }
    if (!rc) {
        snprintf(sp->ref.type, sizeof sp->ref.type, "custom");
        sp->name = ag_strdup(name ? name : name_prop);
        sp->kind = ag_strdup(kind);
        sp->origin = ag_strdup("custom");
        sp->geom_source = ag_strdup("geojson");
        sp->area_m2 = ms.area_m2;
        sp->perimeter_m = ms.perimeter_m;
        sp->centroid = ms.centroid;
        sp->bbox = ms.bbox;
        if (!sp->name || !sp->kind || !sp->origin || !sp->geom_source)
            rc = ag_error_set(err, AG_ENOMEM, "out of memory");
    }
    ag_proj_free(proj);
    free(name_prop);
    ag_buf_free(&text);
    if (rc)
        ag_space_free(sp);
    return rc;
}

int cmd_spaces(int argc, char **argv)
{
    if (argc < 2 || (strcmp(argv[1], "list") && strcmp(argv[1], "show") && strcmp(argv[1], "add"))) {
        if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
            fputs(HELP, stdout);
            return EXIT_OK;
        }
        return tool_usage("spaces: expected list, show or add (see agora spaces --help)");
    }
    const char *sub = argv[1];
    const char *db = NULL, *city = NULL, *file = NULL, *name = NULL, *kind = NULL;
    bool json = false, geojson_flag = false;
    bool is_add = !strcmp(sub, "add");
    struct cli_opt opts[] = {{"--db", &db, NULL},
                             {"--city", &city, NULL},
                             {"--json", NULL, &json},
                             {"--geojson", NULL, &geojson_flag},
                             {"--name", &name, NULL},
                             {"--kind", &kind, NULL},
                             {NULL, NULL, NULL}};
    if (is_add)
        opts[3] = (struct cli_opt){"--geojson", &file, NULL};
    const char *pos[1];
    int npos, code;
    if (tool_parse(argc - 1, argv + 1, opts, pos, 1, &npos, HELP, &code))
        return code;
    if (!strcmp(sub, "list") && (npos || name || kind || geojson_flag))
        return tool_usage("spaces list: takes only --json, --db and --city");
    if (!strcmp(sub, "show") && (npos != 1 || name || kind || json))
        return tool_usage("spaces show: expected one SPACE (an id or an OSM reference such as "
                          "way/4227203)");
    if (is_add && (npos || !file || !kind || json))
        return tool_usage("spaces add: expected --geojson FILE and --kind KIND (and --name NAME "
                          "unless the Feature has one)");
    struct ag_error err = {0};
    struct ag_store *store = NULL;
    struct ag_city c;
    struct ag_space sp = {0};
    int rc = is_add ? spaces_add_prepare(file, name, kind, &sp, &err) : 0;
    if (!rc)
        rc = tool_open_city(db, city, is_add ? 0 : AG_STORE_READONLY, &store, &c, &err);
    if (!rc) {
        if (!strcmp(sub, "list"))
            rc = spaces_list(store, &c, json, &err);
        else if (!strcmp(sub, "show"))
            rc = spaces_show(store, &c, pos[0], geojson_flag, &err);
        else
            rc = ag_store_space_add(store, c.id, &sp, &err);
    }
    if (!rc && is_add) {
        char a[32];
        printf("Added space %lld \"%s\" (%s, %s m2) to %s\n", (long long)sp.id, sp.name, sp.kind,
               tool_num(a, sizeof a, sp.area_m2, 0), c.name);
    }
    ag_space_free(&sp);
    ag_store_close(store);
    return rc ? tool_fail(&err) : EXIT_OK;
}
