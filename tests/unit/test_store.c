/* The SQLite store: migrations, one transaction per import, stable ids,
 * refusal of files that are not ours. Every test works on a real file.
 * SPDX-License-Identifier: EUPL-1.2 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "agora/store.h"

static char dir[64];
static char dbpath[128];

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/agora-store-XXXXXX");
    if (!mkdtemp(dir))
        return -1;
    snprintf(dbpath, sizeof dbpath, "%s/t.db", dir);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[160];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd);
}

static void ring_square(struct ag_mpoly *mp, double lon, double lat, double d)
{
    struct ag_ll pts[5] = {{lon, lat}, {lon + d, lat}, {lon + d, lat + d}, {lon, lat + d}, {lon, lat}};
    memset(mp, 0, sizeof *mp);
    assert_int_equal(ag_mpoly_add_ring_polygon(mp, pts, 5), 0);
}

static void add_space(struct ag_city_model *m, int64_t way, const char *name, const char *kind)
{
    struct ag_space sp = {0};
    snprintf(sp.ref.type, sizeof sp.ref.type, "way");
    sp.ref.id = way;
    sp.name = strdup(name);
    sp.kind = strdup(kind);
    sp.origin = strdup("osm");
    sp.geom_source = strdup("area");
    ring_square(&sp.geom, 7.42 + way * 1e-3, 43.73, 1e-4);
    sp.area_m2 = 100;
    sp.perimeter_m = 40;
    sp.centroid = (struct ag_ll){7.42, 43.73};
    sp.bbox = ag_mpoly_bbox(&sp.geom);
    assert_non_null(ag_vec_push(&m->spaces, &sp));
}

static void add_edge(struct ag_city_model *m, int64_t way, int64_t a, int64_t b, bool add_nodes)
{
    struct ag_road_edge e = {0};
    e.osm_way_id = way;
    e.from_node = a;
    e.to_node = b;
    e.highway = strdup("residential");
    e.width_source = strdup("default:residential");
    e.width_m = 5.5;
    e.length_m = 10;
    e.incline_pct = NAN;
    e.maxspeed_kmh = NAN;
    e.geom.pts = calloc(2, sizeof *e.geom.pts);
    e.geom.n = 2;
    e.geom.pts[0] = (struct ag_ll){7.42, 43.73};
    e.geom.pts[1] = (struct ag_ll){7.4201, 43.73};
    assert_non_null(ag_vec_push(&m->road_edges, &e));
    for (int i = 0; add_nodes && i < 2; i++) {
        struct ag_road_node n = {i ? b : a, e.geom.pts[i], NULL, false};
        assert_non_null(ag_vec_push(&m->road_nodes, &n));
    }
}

static void model(struct ag_city_model *m)
{
    ag_city_model_init(m);
    m->source = strdup("test.osm");
    m->origin = (struct ag_ll){7.42, 43.73};
    m->bbox = (struct ag_bbox){7.41, 43.72, 7.43, 43.74};
}

static struct ag_store *open_rw(void)
{
    struct ag_store *s = NULL;
    struct ag_error err = {0};
    int rc = ag_store_open(&s, dbpath, AG_STORE_CREATE, &err);
    if (rc)
        fprintf(stderr, "%s\n", err.msg);
    assert_int_equal(rc, 0);
    return s;
}

/* A digest of every row of every table, to prove "nothing changed". */
static unsigned long long db_digest(void)
{
    sqlite3 *db;
    assert_int_equal(sqlite3_open_v2(dbpath, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    static const char *tables[] = {"cities", "spaces", "road_nodes", "road_edges", "barriers",
                                   "buildings", "import_log"};
    unsigned long long h = 1469598103934665603ULL;
    for (size_t t = 0; t < sizeof tables / sizeof tables[0]; t++) {
        char sql[128];
        snprintf(sql, sizeof sql, "SELECT * FROM %s ORDER BY 1, 2", tables[t]);
        sqlite3_stmt *st;
        assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
        while (sqlite3_step(st) == SQLITE_ROW) {
            for (int c = 0; c < sqlite3_column_count(st); c++) {
                const unsigned char *p = sqlite3_column_blob(st, c);
                int n = sqlite3_column_bytes(st, c);
                for (int i = 0; i < n; i++)
                    h = (h ^ p[i]) * 1099511628211ULL;
                h = (h ^ 0xff) * 1099511628211ULL;
            }
        }
        sqlite3_finalize(st);
    }
    sqlite3_close(db);
    return h;
}

static long long scalar(const char *sql)
{
    sqlite3 *db;
    assert_int_equal(sqlite3_open_v2(dbpath, &db, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    long long v = -1;
    if (sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return v;
}

static void exec_raw(const char *sql)
{
    sqlite3 *db;
    assert_int_equal(sqlite3_open(dbpath, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
}

static void assert_journal_mode(const char *want)
{
    sqlite3 *db;
    assert_int_equal(sqlite3_open_v2(dbpath, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(st, 0), want);
    sqlite3_finalize(st);
    sqlite3_close(db);
}

static void test_new_database_gets_the_schema_in_wal_mode_while_written(void **state)
{
    (void)state;
    struct ag_store *s = open_rw();
    assert_int_equal(ag_store_schema_version(s), AG_STORE_SCHEMA_VERSION);
    /* A second connection sees WAL while the writer is open... */
    assert_journal_mode("wal");
    ag_store_close(s);
    /* ...and a plain rollback journal once it closed, so that readers
     * create no -wal/-shm files. */
    assert_journal_mode("delete");
    struct stat st;
    char side[160];
    snprintf(side, sizeof side, "%s-wal", dbpath);
    assert_int_equal(stat(side, &st), -1);
    snprintf(side, sizeof side, "%s-shm", dbpath);
    assert_int_equal(stat(side, &st), -1);
    assert_int_equal(scalar("PRAGMA user_version"), AG_STORE_SCHEMA_VERSION);
    assert_int_equal(scalar("SELECT count(*) FROM sqlite_master WHERE type='table' AND name IN "
                            "('cities','spaces','road_nodes','road_edges','barriers','buildings')"),
                     6);
    unlink(dbpath);
}

/* A brief writer (AG_STORE_BRIEF) changes no journal mode: on a file in a
 * rollback journal it writes through one, and leaves no -wal file; on a
 * file another connection holds in WAL it writes into the WAL and leaves
 * the file in WAL for that connection. */
static void test_brief_writer_keeps_the_journal_mode(void **state)
{
    (void)state;
    ag_store_close(open_rw()); /* a new database, back in DELETE mode */
    struct ag_store *s;
    struct ag_error err = {0};
    assert_int_equal(ag_store_open(&s, dbpath, AG_STORE_BRIEF, &err), 0);
    assert_journal_mode("delete");
    struct stat st;
    char side[160];
    snprintf(side, sizeof side, "%s-wal", dbpath);
    assert_int_equal(stat(side, &st), -1);
    ag_store_close(s);
    assert_journal_mode("delete");
    /* Another writer holds it in WAL; a brief one comes and goes. */
    struct ag_store *holder = open_rw();
    assert_int_equal(ag_store_open(&s, dbpath, AG_STORE_BRIEF, &err), 0);
    ag_store_close(s);
    assert_journal_mode("wal");
    ag_store_close(holder);
    assert_journal_mode("delete");
    unlink(dbpath);
}

static void add_building(struct ag_city_model *m, int64_t way, double lon, double lat, double d)
{
    struct ag_building b = {0};
    snprintf(b.ref.type, sizeof b.ref.type, "way");
    b.ref.id = way;
    b.building = strdup("yes");
    b.height_m = NAN;
    b.area_m2 = 50;
    ring_square(&b.geom, lon, lat, d);
    b.bbox = ag_mpoly_bbox(&b.geom);
    assert_non_null(ag_vec_push(&m->buildings, &b));
}

struct boxes {
    const struct ag_bbox *v;
    size_t n;
};

/* The exact test the caller makes (the tree's boxes are single precision). */
static bool meets_any(void *ud, struct ag_bbox box)
{
    const struct boxes *b = ud;
    for (size_t i = 0; i < b->n; i++)
        if (ag_bbox_intersects(box, b->v[i]))
            return true;
    return false;
}

static long long count_box_rows(void)
{
    return scalar("SELECT count(*) FROM buildings_box");
}

/* The buildings near a few boxes, found through the R*Tree, are exactly
 * those a scan of every building finds (the oracle), in id order; and the
 * tree follows every change: an import, a re-import that replaces the
 * buildings, a city deleted with its rows. */
static void test_buildings_near_boxes_match_a_scan_of_all(void **state)
{
    (void)state;
    struct ag_store *s = open_rw();
    struct ag_city_model m;
    model(&m);
    add_space(&m, 1, "Place A", "square");
    /* 30 x 30 buildings of 5e-5 degrees every 1e-4, some sharing an edge
     * with the next. */
    for (int i = 0; i < 30; i++)
        for (int j = 0; j < 30; j++)
            add_building(&m, 1000 + i * 30 + j, 7.41 + i * 1e-4, 43.72 + j * 1e-4,
                         (i + j) % 7 ? 5e-5 : 1e-4);
    struct ag_import_stats st;
    struct ag_error err = {0};
    assert_int_equal(ag_store_import(s, "Town", &m, &st, &err), 0);
    assert_int_equal(count_box_rows(), 900);
    const struct ag_bbox boxes[] = {{7.4105, 43.7205, 7.4112, 43.7231}, /* a strip */
                                    {7.4120, 43.7220, 7.4121, 43.7221}, /* one edge */
                                    {7.4108, 43.7208, 7.4114, 43.7212}, /* overlaps the strip */
                                    {8.0, 44.0, 8.1, 44.1}};            /* nothing */
    const size_t nb = sizeof boxes / sizeof *boxes;
    struct ag_vec all, near;
    ag_vec_init(&all, sizeof(struct ag_building));
    ag_vec_init(&near, sizeof(struct ag_building));
    assert_int_equal(ag_store_buildings(s, st.city_id, &all, &err), 0);
    struct boxes bx = {boxes, nb};
    assert_int_equal(ag_store_buildings_in(s, st.city_id, boxes, nb, meets_any, &bx, &near, &err),
                     0);
    size_t k = 0;
    for (size_t i = 0; i < all.len; i++) {
        const struct ag_building *b = &AG_VEC_AT(&all, struct ag_building, i);
        if (!meets_any(&bx, b->bbox))
            continue;
        assert_true(k < near.len);
        assert_int_equal(AG_VEC_AT(&near, struct ag_building, k).id, b->id);
        k++;
    }
    assert_int_equal(near.len, k);
    assert_true(k > 20);
    for (size_t i = 0; i < all.len; i++)
        ag_building_free(&AG_VEC_AT(&all, struct ag_building, i));
    for (size_t i = 0; i < near.len; i++)
        ag_building_free(&AG_VEC_AT(&near, struct ag_building, i));
    ag_vec_free(&all);
    ag_vec_free(&near);

    /* A re-import with fewer buildings: the tree holds the new ones only. */
    ag_city_model_free(&m);
    model(&m);
    add_space(&m, 1, "Place A", "square");
    add_building(&m, 5, 7.42, 43.73, 1e-4);
    assert_int_equal(ag_store_import(s, "Town", &m, &st, &err), 0);
    assert_int_equal(count_box_rows(), scalar("SELECT count(*) FROM buildings"));
    assert_int_equal(count_box_rows(), 1);
    ag_city_model_free(&m);
    ag_store_close(s);
    exec_raw("PRAGMA foreign_keys = ON; DELETE FROM cities");
    assert_int_equal(count_box_rows(), 0);
    unlink(dbpath);
}

static void test_reimport_keeps_space_ids_and_adds_no_duplicates(void **state)
{
    (void)state;
    struct ag_store *s = open_rw();
    struct ag_city_model m;
    model(&m);
    add_space(&m, 1, "Place A", "square");
    add_space(&m, 2, "Place B", "park");
    add_edge(&m, 100, 1, 2, true);
    struct ag_import_stats st;
    struct ag_error err = {0};
    assert_int_equal(ag_store_import(s, "Town", &m, &st, &err), 0);
    assert_true(st.city_created);
    assert_int_equal(st.spaces_inserted, 2);
    struct ag_space a1;
    assert_int_equal(ag_store_space_get(s, st.city_id, "way/1", &a1, &err), 0);

    /* A custom perimeter must survive the next import. */
    struct ag_space custom = {0};
    snprintf(custom.ref.type, sizeof custom.ref.type, "custom");
    custom.name = strdup("Christmas market");
    custom.kind = strdup("marketplace");
    custom.origin = strdup("custom");
    custom.geom_source = strdup("geojson");
    ring_square(&custom.geom, 7.43, 43.73, 1e-4);
    custom.area_m2 = 90;
    custom.perimeter_m = 38;
    custom.bbox = ag_mpoly_bbox(&custom.geom);
    assert_int_equal(ag_store_space_add(s, st.city_id, &custom, &err), 0);

    /* The city again: B is gone from the data, C is new, A changed name. */
    ag_city_model_free(&m);
    model(&m);
    add_space(&m, 1, "Place A renamed", "square");
    add_space(&m, 3, "Place C", "park");
    add_edge(&m, 100, 1, 2, true);
    struct ag_import_stats st2;
    assert_int_equal(ag_store_import(s, "Town", &m, &st2, &err), 0);
    assert_false(st2.city_created);
    assert_int_equal(st2.city_id, st.city_id);
    assert_int_equal(st2.spaces_inserted, 1);
    assert_int_equal(st2.spaces_updated, 1);
    assert_int_equal(st2.spaces_removed, 1);
    struct ag_space a2;
    assert_int_equal(ag_store_space_get(s, st.city_id, "way/1", &a2, &err), 0);
    assert_int_equal(a2.id, a1.id);
    assert_string_equal(a2.name, "Place A renamed");
    assert_int_equal(ag_store_space_get(s, st.city_id, "way/2", &a2, &err) == 0 ? 1 : 0, 0);
    ag_space_free(&a2);
    ag_store_close(s);
    assert_int_equal(scalar("SELECT count(*) FROM cities"), 1);
    assert_int_equal(scalar("SELECT count(*) FROM spaces"), 3); /* A, C, custom */
    assert_int_equal(scalar("SELECT count(*) FROM spaces WHERE origin='custom'"), 1);
    assert_int_equal(scalar("SELECT count(*) FROM road_edges"), 1);
    assert_int_equal(scalar("SELECT import_count FROM cities"), 2);
    ag_space_free(&a1);
    ag_space_free(&custom);
    ag_city_model_free(&m);
    unlink(dbpath);
}

static void test_failed_import_leaves_the_database_unchanged(void **state)
{
    (void)state;
    struct ag_store *s = open_rw();
    struct ag_city_model m;
    model(&m);
    add_space(&m, 1, "Place A", "square");
    add_edge(&m, 100, 1, 2, true);
    struct ag_import_stats st;
    struct ag_error err = {0};
    assert_int_equal(ag_store_import(s, "Town", &m, &st, &err), 0);
    ag_store_close(s);
    unsigned long long before = db_digest();

    /* The same city with a new space and an edge whose end node is missing:
     * the foreign key fails half-way, after the spaces were written. */
    ag_city_model_free(&m);
    model(&m);
    add_space(&m, 1, "Changed", "square");
    add_space(&m, 5, "New", "park");
    add_edge(&m, 100, 1, 2, true);
    add_edge(&m, 101, 2, 99, false);
    s = open_rw();
    int rc = ag_store_import(s, "Town", &m, &st, &err);
    assert_int_equal(rc, AG_ESTORE);
    assert_non_null(strstr(err.msg, dbpath));
    assert_non_null(strstr(err.msg, "FOREIGN KEY"));
    ag_store_close(s);
    assert_true(db_digest() == before);
    ag_city_model_free(&m);
    unlink(dbpath);
}

static void test_schema_1_database_is_upgraded_in_place_keeping_its_data(void **state)
{
    (void)state;
    struct ag_store *s = open_rw();
    struct ag_city_model m;
    model(&m);
    add_space(&m, 1, "Place A", "square");
    add_building(&m, 7, 7.42, 43.73, 1e-4);
    struct ag_import_stats st;
    struct ag_error err = {0};
    assert_int_equal(ag_store_import(s, "Town", &m, &st, &err), 0);
    ag_store_close(s);
    ag_city_model_free(&m);
    /* Take the file back to what schema 1 was: no vehicle or incident tables,
     * no R*Tree of buildings. */
    exec_raw("DROP TRIGGER buildings_box_insert; DROP TRIGGER buildings_box_delete;"
             " DROP TRIGGER buildings_box_update; DROP TABLE buildings_box;"
             " DROP TABLE funding_links; DROP TABLE indicator_values; DROP TABLE practices;"
             " DROP TABLE meeting_actions; DROP TABLE meeting_participants; DROP TABLE meetings;"
             " DROP TABLE action_links; DROP TABLE action_deliverables;"
             " DROP TABLE action_reports; DROP TABLE action_members; DROP TABLE actions;"
             " DROP TABLE partnership_people; DROP TABLE partnership_members;"
             " DROP TABLE partnerships;"
             " DROP TABLE survey_responses; DROP TABLE surveys;"
             " DROP TABLE training_answers; DROP TABLE training_practical;"
             " DROP TABLE audit; DROP TABLE sessions; DROP TABLE grants; DROP TABLE users;"
             " DROP TABLE assessment_log; DROP TABLE assessments;"
             " DROP TABLE incidents; DROP TABLE incident_sets; DROP TABLE vehicle_results;"
             " DROP TABLE vehicle_runs; PRAGMA user_version = 1");
    /* A read-only open may not upgrade, and says so. */
    assert_int_equal(ag_store_open(&s, dbpath, AG_STORE_READONLY, &err), AG_EVERSION);
    assert_non_null(strstr(err.msg, "older"));
    s = open_rw();
    assert_int_equal(ag_store_schema_version(s), AG_STORE_SCHEMA_VERSION);
    int64_t run, space = 1;
    const char *result = "{\"space\":{\"id\":1},\"entries\":[]}";
    assert_int_equal(ag_store_vehicle_save(s, st.city_id, "power", "id,x\n", "{}", &space, &result,
                                           1, &run, &err),
                     0);
    char *back = NULL;
    assert_int_equal(ag_store_vehicle_latest(s, 1, &back, &err), 0);
    assert_string_equal(back, result);
    free(back);
    assert_int_equal(ag_store_vehicle_latest(s, 99, &back, &err), AG_ENOTFOUND);
    ag_store_close(s);
    assert_int_equal(scalar("SELECT count(*) FROM spaces"), 1);
    assert_int_equal(scalar("SELECT count(*) FROM vehicle_runs"), 1);
    /* Migration 10 put the buildings already there in the R*Tree. */
    assert_int_equal(count_box_rows(), 1);
    unlink(dbpath);
}

static void test_database_of_a_newer_agora_is_refused(void **state)
{
    (void)state;
    ag_store_close(open_rw());
    exec_raw("PRAGMA user_version = 99");
    struct ag_store *s = NULL;
    struct ag_error err = {0};
    assert_int_equal(ag_store_open(&s, dbpath, 0, &err), AG_EVERSION);
    assert_null(s);
    assert_non_null(strstr(err.msg, "newer agora"));
    unlink(dbpath);
}

static void test_foreign_sqlite_file_is_refused_untouched(void **state)
{
    (void)state;
    exec_raw("CREATE TABLE accounts(id INTEGER); INSERT INTO accounts VALUES (1)");
    struct stat st0;
    stat(dbpath, &st0);
    struct ag_store *s = NULL;
    struct ag_error err = {0};
    assert_int_equal(ag_store_open(&s, dbpath, AG_STORE_CREATE, &err), AG_ESTORE);
    assert_non_null(strstr(err.msg, "did not create"));
    assert_int_equal(scalar("SELECT count(*) FROM sqlite_master"), 1);
    assert_int_equal(scalar("PRAGMA user_version"), 0);
    unlink(dbpath);

    FILE *f = fopen(dbpath, "w");
    fputs("name,area\nPlace,12\n", f);
    fclose(f);
    assert_int_equal(ag_store_open(&s, dbpath, AG_STORE_CREATE, &err), AG_ESTORE);
    assert_non_null(strstr(err.msg, "not an agora database"));
    stat(dbpath, &st0);
    assert_int_equal(st0.st_size, 19);
    unlink(dbpath);
}

static void test_missing_locations_create_nothing(void **state)
{
    (void)state;
    struct ag_store *s = NULL;
    struct ag_error err = {0};
    assert_int_equal(ag_store_open(&s, dbpath, AG_STORE_READONLY, &err), AG_ENOENT);
    assert_int_equal(access(dbpath, F_OK), -1);
    assert_int_equal(ag_store_open(&s, dbpath, 0, &err), AG_ENOENT);
    assert_int_equal(access(dbpath, F_OK), -1);
    char deep[200];
    snprintf(deep, sizeof deep, "%s/no/such/dir/x.db", dir);
    assert_int_equal(ag_store_open(&s, deep, AG_STORE_CREATE, &err), AG_ENOENT);
    assert_non_null(strstr(err.msg, "does not exist"));
    assert_int_equal(ag_store_open(&s, "postgresql://localhost/agora", 0, &err), AG_EINVAL);
    assert_non_null(strstr(err.msg, "PostgreSQL"));
}

static void test_spaces_are_found_by_id_or_osm_reference(void **state)
{
    (void)state;
    struct ag_store *s = open_rw();
    struct ag_city_model m;
    model(&m);
    add_space(&m, 4227203, "Place d'Armes", "pedestrian_area");
    struct ag_import_stats st;
    struct ag_error err = {0};
    assert_int_equal(ag_store_import(s, "Monaco", &m, &st, &err), 0);
    assert_int_equal(ag_store_import(s, "Nice", &m, &st, &err), 0);
    struct ag_city c;
    assert_int_equal(ag_store_city_get(s, NULL, &c, &err), AG_EAMBIG);
    assert_non_null(strstr(err.msg, "\"Monaco\", \"Nice\""));
    assert_int_equal(ag_store_city_get(s, "Monaco", &c, &err), 0);
    struct ag_space a, b, w;
    assert_int_equal(ag_store_space_get(s, c.id, "way/4227203", &a, &err), 0);
    assert_int_equal(ag_store_space_get(s, c.id, "w4227203", &w, &err), 0);
    char id[32];
    snprintf(id, sizeof id, "%lld", (long long)a.id);
    assert_int_equal(ag_store_space_get(s, c.id, id, &b, &err), 0);
    assert_int_equal(a.id, b.id);
    assert_int_equal(a.id, w.id);
    assert_string_equal(b.name, "Place d'Armes");
    /* The outline comes back as it went in. */
    const struct ag_space *orig = &AG_VEC_AT(&m.spaces, struct ag_space, 0);
    assert_int_equal(b.geom.polys[0].rings[0].n, 5);
    for (size_t i = 0; i < 5; i++) {
        assert_true(b.geom.polys[0].rings[0].pts[i].lon == orig->geom.polys[0].rings[0].pts[i].lon);
        assert_true(b.geom.polys[0].rings[0].pts[i].lat == orig->geom.polys[0].rings[0].pts[i].lat);
    }
    ag_space_free(&b);
    assert_int_equal(ag_store_space_get(s, c.id, "way/1", &b, &err), AG_ENOTFOUND);
    assert_int_equal(ag_store_space_get(s, c.id, "place-d-armes", &b, &err), AG_EINVAL);
    assert_non_null(strstr(err.msg, "way/4227203"));
    ag_space_free(&a);
    ag_space_free(&w);
    ag_store_close(s);
    ag_city_model_free(&m);
    unlink(dbpath);
}

static void test_wkb_round_trip_and_damaged_blobs(void **state)
{
    (void)state;
    struct ag_mpoly mp = {0};
    struct ag_ll outer[5] = {{0, 0}, {1, 0}, {1, 1}, {0, 1}, {0, 0}};
    assert_int_equal(ag_mpoly_add_ring_polygon(&mp, outer, 5), 0);
    assert_int_equal(ag_mpoly_add_ring_polygon(&mp, outer, 5), 0);
    struct ag_buf b;
    ag_buf_init(&b, 1 << 20);
    assert_int_equal(ag_wkb_write_mpoly(&b, &mp), 0);
    /* 1+4+4 header, per polygon 1+4+4 + 4 + 5*16. */
    assert_int_equal(b.len, 9 + 2 * (9 + 4 + 80));
    struct ag_mpoly back;
    struct ag_error err = {0};
    assert_int_equal(ag_wkb_read_mpoly(b.data, b.len, &back, &err), 0);
    assert_int_equal(back.npolys, 2);
    assert_true(back.polys[1].rings[0].pts[2].lon == 1.0);
    ag_mpoly_free(&back);
    for (size_t cut = 0; cut < b.len; cut += 7)
        assert_int_equal(ag_wkb_read_mpoly(b.data, cut, &back, &err), AG_EPARSE);
    /* A ring count of 2^31 in a short blob must not be believed. */
    b.data[9 + 5] = 0;
    b.data[9 + 6] = 0;
    b.data[9 + 7] = 0;
    b.data[9 + 8] = (char)0x80;
    assert_int_equal(ag_wkb_read_mpoly(b.data, b.len, &back, &err), AG_EPARSE);
    ag_buf_free(&b);
    ag_mpoly_free(&mp);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_new_database_gets_the_schema_in_wal_mode_while_written),
        cmocka_unit_test(test_brief_writer_keeps_the_journal_mode),
        cmocka_unit_test(test_buildings_near_boxes_match_a_scan_of_all),
        cmocka_unit_test(test_reimport_keeps_space_ids_and_adds_no_duplicates),
        cmocka_unit_test(test_failed_import_leaves_the_database_unchanged),
        cmocka_unit_test(test_schema_1_database_is_upgraded_in_place_keeping_its_data),
        cmocka_unit_test(test_database_of_a_newer_agora_is_refused),
        cmocka_unit_test(test_foreign_sqlite_file_is_refused_untouched),
        cmocka_unit_test(test_missing_locations_create_nothing),
        cmocka_unit_test(test_spaces_are_found_by_id_or_osm_reference),
        cmocka_unit_test(test_wkb_round_trip_and_damaged_blobs),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
