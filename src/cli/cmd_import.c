/* agora import FILE. SPDX-License-Identifier: EUPL-1.2 */
#include "cli.h"
#include "agora/osm.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char HELP[] =
    "Usage: agora import FILE [--db PATH] [--city NAME] [--verbose] [--json]\n"
    "\n"
    "Imports a city from an OpenStreetMap extract (FILE ends in .osm or .osm.pbf):\n"
    "its public spaces (by the tag table data/space-tags.csv), its road network\n"
    "as a hostile driver sees it, its barriers and its buildings.\n"
    "\n"
    "The whole file is read and checked before the database is touched; the\n"
    "import is then written in one transaction. Importing the same city again\n"
    "replaces what came from OpenStreetMap (spaces keep their ids) and keeps\n"
    "custom perimeters.\n"
    "\n"
    "  --db PATH     database to write (created if missing; default ./agora.db)\n"
    "  --city NAME   name of the city (default: the file name, e.g. \"monaco\")\n"
    "  --verbose     list every object that could not be used, and why\n"
    "  --json        print the import summary as JSON on stdout\n";

static char *default_city_name(const char *path)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    char *name = ag_strdup(base);
    if (!name)
        return NULL;
    static const char *const suffixes[] = {".osm.pbf", ".pbf", ".osm"};
    for (size_t i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++) {
        size_t n = strlen(name), s = strlen(suffixes[i]);
        if (n > s && !strcmp(name + n - s, suffixes[i])) {
            name[n - s] = '\0';
            break;
        }
    }
    return name;
}

static size_t count_kind(const struct ag_city_model *m, const char *kind)
{
    size_t n = 0;
    for (size_t i = 0; i < m->spaces.len; i++)
        n += !strcmp(AG_VEC_AT(&m->spaces, struct ag_space, i).kind, kind);
    return n;
}

static void print_summary(const struct ag_city_model *m, const struct ag_import_stats *st,
                          const char *city, const char *db, const struct ag_osm_rules *rules,
                          bool verbose)
{
    const char **kinds;
    size_t nk = ag_osm_rules_kinds(rules, &kinds);
    printf("Imported %s from %s into %s%s\n", city, m->source, db,
           st->city_created ? "" : " (re-import: replaced what came from OpenStreetMap)");
    printf("  read: %llu nodes, %llu ways, %llu relations\n", (unsigned long long)m->nodes_read,
           (unsigned long long)m->ways_read, (unsigned long long)m->relations_read);
    printf("  public spaces: %zu", m->spaces.len);
    if (!st->city_created)
        printf(" (%lld new, %lld updated, %lld removed)", (long long)st->spaces_inserted,
               (long long)st->spaces_updated, (long long)st->spaces_removed);
    printf("\n");
    for (size_t i = 0; i < nk; i++) {
        size_t n = count_kind(m, kinds[i]);
        if (n)
            printf("    %-20s %zu\n", kinds[i], n);
    }
    printf("  road network: %lld edges, %lld nodes\n", (long long)st->road_edges,
           (long long)st->road_nodes);
    size_t blocking = 0;
    for (size_t i = 0; i < m->barriers.len; i++)
        blocking += AG_VEC_AT(&m->barriers, struct ag_barrier, i).blocks_vehicle;
    printf("  barriers: %lld (%zu stop a vehicle)\n", (long long)st->barriers, blocking);
    printf("  buildings: %lld\n", (long long)st->buildings);
    size_t skipped_spaces = 0;
    for (size_t i = 0; i < m->skipped.len; i++)
        skipped_spaces += !strcmp(AG_VEC_AT(&m->skipped, struct ag_skip, i).what, "space");
    if (m->skipped.len)
        printf("  not usable: %zu objects (%zu tagged as spaces)%s\n", m->skipped.len,
               skipped_spaces, verbose ? ":" : "; --verbose lists them");
    for (size_t i = 0; verbose && i < m->skipped.len; i++) {
        const struct ag_skip *sk = &AG_VEC_AT(&m->skipped, struct ag_skip, i);
        printf("    %s/%lld (%s): %s\n", sk->ref.type, (long long)sk->ref.id, sk->what, sk->reason);
    }
}

static void print_json(const struct ag_city_model *m, const struct ag_import_stats *st,
                       const char *city, const struct ag_osm_rules *rules)
{
    struct ag_buf b;
    ag_buf_init(&b, (size_t)64 << 20);
    ag_buf_puts(&b, "{\"city\":");
    ag_buf_put_json_str(&b, city);
    ag_buf_printf(&b, ",\"city_id\":%lld,\"created\":%s,\"source\":", (long long)st->city_id,
                  st->city_created ? "true" : "false");
    ag_buf_put_json_str(&b, m->source);
    ag_buf_printf(&b,
                  ",\"nodes_read\":%llu,\"ways_read\":%llu,\"relations_read\":%llu,"
                  "\"spaces\":%zu,\"spaces_inserted\":%lld,\"spaces_updated\":%lld,"
                  "\"spaces_removed\":%lld,\"road_edges\":%lld,\"road_nodes\":%lld,"
                  "\"barriers\":%lld,\"buildings\":%lld,\"spaces_by_kind\":{",
                  (unsigned long long)m->nodes_read, (unsigned long long)m->ways_read,
                  (unsigned long long)m->relations_read, m->spaces.len,
                  (long long)st->spaces_inserted, (long long)st->spaces_updated,
                  (long long)st->spaces_removed, (long long)st->road_edges,
                  (long long)st->road_nodes, (long long)st->barriers, (long long)st->buildings);
    const char **kinds;
    size_t nk = ag_osm_rules_kinds(rules, &kinds);
    for (size_t i = 0; i < nk; i++) {
        ag_buf_printf(&b, "%s", i ? "," : "");
        ag_buf_put_json_str(&b, kinds[i]);
        ag_buf_printf(&b, ":%zu", count_kind(m, kinds[i]));
    }
    ag_buf_puts(&b, "},\"skipped\":[");
    for (size_t i = 0; i < m->skipped.len; i++) {
        const struct ag_skip *sk = &AG_VEC_AT(&m->skipped, struct ag_skip, i);
        ag_buf_printf(&b, "%s{\"ref\":\"%s/%lld\",\"what\":", i ? "," : "", sk->ref.type,
                      (long long)sk->ref.id);
        ag_buf_put_json_str(&b, sk->what);
        ag_buf_puts(&b, ",\"reason\":");
        ag_buf_put_json_str(&b, sk->reason);
        ag_buf_puts(&b, "}");
    }
    ag_buf_puts(&b, "]}\n");
    fputs(b.data ? b.data : "", stdout);
    ag_buf_free(&b);
}

int cmd_import(int argc, char **argv)
{
    const char *db = NULL, *city = NULL;
    bool verbose = false, json = false;
    const struct cli_opt opts[] = {{"--db", &db, NULL},
                                   {"--city", &city, NULL},
                                   {"--verbose", NULL, &verbose},
                                   {"--json", NULL, &json},
                                   {NULL, NULL, NULL}};
    const char *pos[1];
    int npos, code;
    if (tool_parse(argc, argv, opts, pos, 1, &npos, HELP, &code))
        return code;
    if (npos != 1)
        return tool_usage("import: expected one FILE (see agora import --help)");
    const char *file = pos[0];
    struct ag_error err = {0};
    struct ag_osm_rules *rules = NULL;
    struct ag_city_model m;
    ag_city_model_init(&m);
    struct ag_store *store = NULL;
    char *name = city ? ag_strdup(city) : default_city_name(file);
    int rc = name ? 0 : ag_error_set(&err, AG_ENOMEM, "out of memory");
    if (!rc && (!*name || strlen(name) > 127))
        rc = ag_error_set(&err, AG_EINVAL, "--city: a name of 1 to 127 bytes is required");
    if (!rc)
        rc = ag_osm_rules_load(&rules, ag_data_dir(), &err);
    /* Read and check the whole input before the database is opened, so a bad
     * file never touches it. */
    if (!rc)
        rc = ag_osm_read(file, rules, &m, &err);
    if (!rc && m.spaces.len == 0 && m.road_edges.len == 0 && m.buildings.len == 0)
        rc = ag_error_set(&err, AG_EEMPTY,
                          "%s: holds OpenStreetMap data but no public space, road or building "
                          "that agora uses",
                          file);
    if (!rc)
        rc = ag_store_open(&store, tool_db_path(db), AG_STORE_CREATE, &err);
    struct ag_import_stats st;
    if (!rc)
        rc = ag_store_import(store, name, &m, &st, &err);
    if (!rc) {
        if (json)
            print_json(&m, &st, name, rules);
        else
            print_summary(&m, &st, name, tool_db_path(db), rules, verbose);
    }
    ag_store_close(store);
    ag_city_model_free(&m);
    ag_osm_rules_free(rules);
    free(name);
    return rc ? tool_fail(&err) : EXIT_OK;
}
