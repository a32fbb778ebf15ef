/* agora vehicle: hostile-vehicle approach analysis. SPDX-License-Identifier: EUPL-1.2 */
#include "cli.h"
#include "agora/vehicle.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char HELP[] =
    "Usage: agora vehicle SPACE... | --all [--classes FILE] [--model power|constant]\n"
    "                     [--kerb M] [--json | --geojson] [--db PATH] [--city NAME]\n"
    "\n"
    "For each space: every entry point where a vehicle can physically reach its\n"
    "edge (where a drivable way meets it, or kerb-side, where a road runs close\n"
    "enough for a vehicle to leave it and cross the pavement onto the space),\n"
    "and per vehicle class the fastest approach over the whole road\n"
    "network, the speed and kinetic energy at impact and the barrier rating the\n"
    "entry needs (ISO 22343-1 style). Results are stored with the model and the\n"
    "class table that produced them; `agora report` shows them.\n"
    "\n"
    "  SPACE            an id (12) or an OSM reference (way/4227203); several allowed\n"
    "  --all            every space of the city\n"
    "  --classes FILE   vehicle classes (default: data/vehicle-classes.csv)\n"
    "  --model M        power (default): a = min(a0, P/(m v)); constant: a = a0,\n"
    "                   the conservative reference\n"
    "  --kerb M         kerb-side entries where a carriageway's edge passes within\n"
    "                   M metres of the space with no building or blocking barrier\n"
    "                   between (default 6; 0: no kerb-side entries)\n"
    "  --json           one JSON object per space and line\n"
    "  --geojson        a FeatureCollection of entries and approach paths\n"
    "  --timing         print how long loading, each step of the analysis and storing took\n"
    "                   (stderr)\n";

static void print_text(const char *json)
{
    json_error_t je;
    json_t *root = json_loads(json, 0, &je);
    if (!root)
        return;
    json_t *sp = json_object_get(root, "space");
    const char *name = json_string_value(json_object_get(sp, "name"));
    const char *osm = json_string_value(json_object_get(sp, "osm"));
    printf("%s (id %lld%s%s, %s model)\n", name ? name : "(unnamed)",
           (long long)json_integer_value(json_object_get(sp, "id")), osm ? ", " : "", osm ? osm : "",
           json_string_value(json_object_get(root, "model")));
    json_t *entries = json_object_get(root, "entries");
    if (!json_array_size(entries))
        printf("  no entry: no drivable way reaches this space\n");
    size_t i;
    json_t *en;
    json_array_foreach(entries, i, en)
    {
        const char *kind = json_string_value(json_object_get(en, "kind"));
        const char *road = json_string_value(json_object_get(en, "road"));
        long long way = (long long)json_integer_value(json_object_get(en, "way"));
        printf("  entry %lld at %.6f %.6f, ", (long long)json_integer_value(json_object_get(en, "id")),
               json_real_value(json_object_get(en, "lon")), json_real_value(json_object_get(en, "lat")));
        if (kind && !strcmp(kind, "kerb-side") && road)
            printf("kerb-side: %.1f m of %s (way %lld) within reach, carriageway %.1f m away\n",
                   json_real_value(json_object_get(en, "frontage_m")), road, way,
                   json_real_value(json_object_get(en, "gap_m")));
        else if (kind && !strcmp(kind, "kerb-side"))
            printf("kerb-side: %.1f m of way %lld within reach, carriageway %.1f m away\n",
                   json_real_value(json_object_get(en, "frontage_m")), way,
                   json_real_value(json_object_get(en, "gap_m")));
        else
            printf("opening %.1f m (way %lld%s%s)\n", json_real_value(json_object_get(en, "width_m")),
                   way, road ? ", " : "", road ? road : "");
        size_t j;
        json_t *c;
        json_array_foreach(json_object_get(en, "by_class"), j, c)
        {
            const char *rating = json_string_value(json_object_get(c, "rating"));
            printf("    %-5s %6.1f km/h %8.0f kJ  run-up %6.0f m  %s\n",
                   json_string_value(json_object_get(c, "class")),
                   json_real_value(json_object_get(c, "speed_kmh")),
                   json_real_value(json_object_get(c, "energy_kj")),
                   json_real_value(json_object_get(c, "run_up_m")),
                   rating ? rating : (json_real_value(json_object_get(c, "speed_kmh")) > 0
                                          ? "above 112 km/h: no standard rating"
                                          : "cannot reach"));
        }
    }
    json_decref(root);
}

/* Entries as points, worst approach paths as lines, for GIS tools. */
static void print_geojson(const struct ag_vec *results)
{
    printf("{\"type\":\"FeatureCollection\",\"features\":[");
    bool first = true;
    for (size_t r = 0; r < results->len; r++) {
        json_error_t je;
        json_t *root = json_loads(AG_VEC_AT(results, struct ag_vehicle_result, r).json, 0, &je);
        if (!root)
            continue;
        json_t *sp = json_object_get(root, "space");
        size_t i;
        json_t *en;
        json_array_foreach(json_object_get(root, "entries"), i, en)
        {
            json_t *props = json_pack("{s:O,s:O,s:O,s:O,s:O}", "space_id", json_object_get(sp, "id"),
                                      "entry", json_object_get(en, "id"), "kind",
                                      json_object_get(en, "kind"), "road",
                                      json_object_get(en, "road"), "width_m",
                                      json_object_get(en, "width_m"));
            json_t *pt = json_pack("{s:s,s:[O,O]}", "type", "Point", "coordinates",
                                   json_object_get(en, "lon"), json_object_get(en, "lat"));
            json_t *f = json_pack("{s:s,s:o,s:o}", "type", "Feature", "properties", props,
                                  "geometry", pt);
            char *txt = json_dumps(f, JSON_COMPACT | JSON_REAL_PRECISION(10));
            printf("%s%s", first ? "" : ",", txt);
            first = false;
            free(txt);
            json_decref(f);
            size_t j;
            json_t *c;
            json_array_foreach(json_object_get(en, "by_class"), j, c)
            {
                json_t *path = json_object_get(c, "path");
                if (json_array_size(path) < 2)
                    continue;
                json_t *lp = json_pack("{s:O,s:O,s:O,s:O,s:O,s:O}", "space_id",
                                       json_object_get(sp, "id"), "entry",
                                       json_object_get(en, "id"), "kind",
                                       json_object_get(en, "kind"), "class",
                                       json_object_get(c, "class"), "speed_kmh",
                                       json_object_get(c, "speed_kmh"), "rating",
                                       json_object_get(c, "rating"));
                json_t *ls = json_pack("{s:s,s:O}", "type", "LineString", "coordinates", path);
                json_t *lf = json_pack("{s:s,s:o,s:o}", "type", "Feature", "properties", lp,
                                       "geometry", ls);
                txt = json_dumps(lf, JSON_COMPACT | JSON_REAL_PRECISION(10));
                printf(",%s", txt);
                free(txt);
                json_decref(lf);
            }
        }
        json_decref(root);
    }
    printf("]}\n");
}

int cmd_vehicle(int argc, char **argv)
{
    const char *db = NULL, *city = NULL, *classes_path = NULL, *model = "power", *kerb = NULL;
    bool all = false, json = false, geojson = false, timing = false;
    double t_start = ag_now(), t_loaded = 0, t_analysed = 0, t_stored = 0;
    const struct cli_opt opts[] = {{"--db", &db, NULL},         {"--city", &city, NULL},
                                   {"--classes", &classes_path, NULL},
                                   {"--model", &model, NULL},   {"--kerb", &kerb, NULL},
                                   {"--all", NULL, &all},
                                   {"--json", NULL, &json},     {"--geojson", NULL, &geojson},
                                   {"--timing", NULL, &timing},
                                   {NULL, NULL, NULL}};
    const char *pos[256];
    int npos, code;
    if (tool_parse(argc, argv, opts, pos, 256, &npos, HELP, &code))
        return code;
    if (all == (npos > 0))
        return tool_usage("vehicle: give SPACE... or --all (see agora vehicle --help)");
    if (json && geojson)
        return tool_usage("vehicle: --json and --geojson exclude each other");
    struct ag_vehicle_options o = {AG_VEHICLE_POWER, NULL, 5.0, AG_VEHICLE_KERB_DEFAULT_M, NULL};
    if (!strcmp(model, "constant"))
        o.model = AG_VEHICLE_CONSTANT;
    else if (strcmp(model, "power") != 0)
        return tool_usage("vehicle: --model: expected \"power\" or \"constant\", found \"%s\"", model);
    /* Beyond 50 m a road is not across a pavement from the space. */
    if (kerb && (!ag_parse_double(kerb, &o.kerb_m) || !(o.kerb_m >= 0 && o.kerb_m <= 50)))
        return tool_usage("vehicle: --kerb: expected metres from 0 to 50, found \"%s\"", kerb);
    if (kerb && o.kerb_m == 0)
        o.kerb_m = -1; /* the library's "off" */

    /* A city's analysis builds some 15 MB of arrays for a few tens of
     * milliseconds: from a heap that keeps them in huge pages. */
    ag_heap_for_batch((size_t)64 << 20);

    struct ag_error err = {0};
    char defpath[4096];
    snprintf(defpath, sizeof defpath, "%s/vehicle-classes.csv", ag_data_dir());
    const char *cpath = classes_path ? classes_path : defpath;
    struct ag_vehicle_classes classes = {0};
    struct ag_buf csv;
    ag_buf_init(&csv, 1 << 20);
    int rc = ag_vehicle_classes_load(cpath, &classes, &err);
    if (!rc)
        rc = ag_file_read(cpath, &csv, &err);
    o.classes = &classes;
    struct ag_vehicle_timing tm = {0};
    o.timing = &tm;
    struct ag_store *store = NULL;
    struct ag_city c;
    /* Read through a read-only handle: a refused SPACE or a failed analysis
     * must leave the database file exactly as it was. A database of an older
     * schema cannot be read so; it is upgraded by opening it for writing. */
    if (!rc) {
        rc = tool_open_city(db, city, AG_STORE_READONLY, &store, &c, &err);
        if (rc == AG_EVERSION) {
            ag_error_clear(&err);
            rc = tool_open_city(db, city, 0, &store, &c, &err);
        }
    }
    int64_t *ids = calloc((size_t)npos + 1, sizeof *ids);
    if (!ids && !rc)
        rc = ag_error_set(&err, AG_ENOMEM, "out of memory");
    for (int i = 0; i < npos && !rc; i++) {
        struct ag_space sp;
        rc = ag_store_space_get(store, c.id, pos[i], &sp, &err);
        if (!rc) {
            ids[i] = sp.id;
            ag_space_free(&sp);
        }
    }
    struct ag_vec results;
    ag_vec_init(&results, sizeof(struct ag_vehicle_result));
    struct ag_progress progress;
    t_loaded = ag_now();
    if (!rc)
        rc = ag_vehicle_analyse(store, &c, ids, (size_t)npos, &o, &results, &progress, &err);
    t_analysed = ag_now();
    /* Store what was computed, with what produced it. */
    if (!rc) {
        int64_t *sids = calloc(results.len + 1, sizeof *sids);
        const char **texts = calloc(results.len + 1, sizeof *texts);
        for (size_t i = 0; sids && texts && i < results.len; i++) {
            sids[i] = AG_VEC_AT(&results, struct ag_vehicle_result, i).space_id;
            texts[i] = AG_VEC_AT(&results, struct ag_vehicle_result, i).json;
        }
        char params[160];
        snprintf(params, sizeof params, "{\"merge_m\":%.1f,\"kerb_m\":%.1f,\"classes_file\":\"%s\"}",
                 o.merge_m, o.kerb_m < 0 ? 0 : o.kerb_m,
                 classes_path ? "custom" : "data/vehicle-classes.csv");
        int64_t run_id;
        ag_store_close(store);
        store = NULL;
        rc = sids && texts ? ag_store_open(&store, tool_db_path(db), AG_STORE_BRIEF, &err)
                           : ag_error_set(&err, AG_ENOMEM, "out of memory");
        if (!rc)
            rc = ag_store_vehicle_save(store, c.id, model, csv.data, params, sids, texts,
                                       results.len, &run_id, &err);
        free(sids);
        free(texts);
    }
    t_stored = ag_now();
    if (!rc && timing)
        fprintf(stderr,
                "timing: classes and database %.1f ms, analysis %.1f ms (reading %.1f, "
                "projecting %.1f, graph and entries %.1f, bends and turns %.1f, kerb-side %.1f, "
                "searches %.1f, results %.1f), storing %.1f ms\n",
                (t_loaded - t_start) * 1e3, (t_analysed - t_loaded) * 1e3, tm.load * 1e3,
                tm.project * 1e3, tm.graph * 1e3, tm.prepare * 1e3, tm.kerb * 1e3,
                tm.search * 1e3, tm.results * 1e3, (t_stored - t_analysed) * 1e3);
    if (!rc) {
        if (geojson)
            print_geojson(&results);
        for (size_t i = 0; !geojson && i < results.len; i++) {
            const char *text = AG_VEC_AT(&results, struct ag_vehicle_result, i).json;
            if (json)
                printf("%s\n", text);
            else
                print_text(text);
        }
    }
    for (size_t i = 0; i < results.len; i++)
        free(AG_VEC_AT(&results, struct ag_vehicle_result, i).json);
    ag_vec_free(&results);
    free(ids);
    ag_buf_free(&csv);
    ag_vehicle_classes_free(&classes);
    ag_store_close(store);
    return rc ? tool_fail(&err) : EXIT_OK;
}
