/* The SQLite backend of the store (docs/internals/store.md).
 * SPDX-License-Identifier: EUPL-1.2 */
#include "agora/store.h"
#include "store/migrations.h"
#include "store/sqlite_int.h"

#include <errno.h>
#include <libgen.h>
#include <math.h>
#include <sqlite3.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

_Static_assert(AG__STORE_NMIGRATIONS == AG_STORE_SCHEMA_VERSION,
               "AG_STORE_SCHEMA_VERSION must equal the number of migrations");

int ag__db_fail(struct ag_store *s, struct ag_error *err, const char *what)
{
    int ec = sqlite3_extended_errcode(s->db);
    int code = (ec & 0xff) == SQLITE_READONLY ? AG_EREADONLY : AG_ESTORE;
    return ag_error_set(err, code, "%s: %s: %s", s->path, what, sqlite3_errmsg(s->db));
}

int ag__exec(struct ag_store *s, const char *sql, struct ag_error *err)
{
    char *msg = NULL;
    if (sqlite3_exec(s->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        int ec = sqlite3_extended_errcode(s->db);
        int code = (ec & 0xff) == SQLITE_READONLY ? AG_EREADONLY : AG_ESTORE;
        int rc = ag_error_set(err, code, "%s: %s", s->path, msg ? msg : sqlite3_errmsg(s->db));
        sqlite3_free(msg);
        return rc;
    }
    return 0;
}

int ag__prepare(struct ag_store *s, const char *sql, sqlite3_stmt **st, struct ag_error *err)
{
    if (sqlite3_prepare_v2(s->db, sql, -1, st, NULL) != SQLITE_OK)
        return ag__db_fail(s, err, "preparing a query");
    return 0;
}

static int query_int(struct ag_store *s, const char *sql, int64_t *out, struct ag_error *err)
{
    sqlite3_stmt *st;
    int rc = ag__prepare(s, sql, &st, err);
    if (rc)
        return rc;
    if (sqlite3_step(st) == SQLITE_ROW)
        *out = sqlite3_column_int64(st, 0);
    else
        rc = ag__db_fail(s, err, "reading");
    sqlite3_finalize(st);
    return rc;
}

/* Refuses a location that cannot be written before SQLite is asked, so the
 * message names the real cause and nothing is created. */
static int check_writable(const char *path, bool exists, struct ag_error *err)
{
    char *copy = ag_strdup(path);
    if (!copy)
        return ag_error_set(err, AG_ENOMEM, "out of memory");
    const char *dir = dirname(copy);
    struct stat st;
    int rc = 0;
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
        rc = ag_error_set(err, AG_ENOENT, "%s: the directory %s does not exist", path, dir);
    else if (access(dir, W_OK) != 0)
        rc = ag_error_set(err, AG_EREADONLY,
                          "%s: the directory %s is not writable (a database needs to write "
                          "its journal next to it)",
                          path, dir);
    else if (exists && access(path, W_OK) != 0)
        rc = ag_error_set(err, AG_EREADONLY, "%s: the database file is read-only", path);
    free(copy);
    return rc;
}

static int migrate(struct ag_store *s, bool readonly, struct ag_error *err)
{
    int64_t v;
    int rc = query_int(s, "PRAGMA user_version", &v, err);
    if (rc && sqlite3_errcode(s->db) == SQLITE_NOTADB)
        return ag_error_set(err, AG_ESTORE, "%s: not an agora database (%s)", s->path,
                            sqlite3_errmsg(s->db));
    if (rc)
        return rc;
    if (v > AG_STORE_SCHEMA_VERSION)
        return ag_error_set(err, AG_EVERSION,
                            "%s: written by a newer agora (schema %lld; this build knows up to %d)",
                            s->path, (long long)v, AG_STORE_SCHEMA_VERSION);
    if (v == AG_STORE_SCHEMA_VERSION)
        return 0;
    if (v == 0) {
        /* A non-empty SQLite file without our version is someone else's. */
        int64_t tables;
        rc = query_int(s, "SELECT count(*) FROM sqlite_master", &tables, err);
        if (rc)
            return rc;
        if (tables)
            return ag_error_set(err, AG_ESTORE,
                                "%s: an SQLite database that agora did not create; refusing "
                                "to change it",
                                s->path);
    }
    if (readonly)
        return ag_error_set(err, AG_EVERSION,
                            "%s: schema %lld is older than this build's %d and the database "
                            "was opened read-only; run any writing command (agora import) to "
                            "upgrade it",
                            s->path, (long long)v, AG_STORE_SCHEMA_VERSION);
    if ((rc = ag__exec(s, "BEGIN IMMEDIATE", err)))
        return rc;
    for (int i = (int)v; i < AG_STORE_SCHEMA_VERSION && !rc; i++)
        rc = ag__exec(s, ag__store_migrations[i], err);
    if (!rc) {
        char sql[64];
        snprintf(sql, sizeof sql, "PRAGMA user_version = %d", AG_STORE_SCHEMA_VERSION);
        rc = ag__exec(s, sql, err);
    }
    if (!rc)
        rc = ag__exec(s, "COMMIT", err);
    if (rc)
        sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
    return rc;
}

static void remove_db_files(const char *path)
{
    char p[4200];
    unlink(path);
    snprintf(p, sizeof p, "%s-wal", path);
    unlink(p);
    snprintf(p, sizeof p, "%s-shm", path);
    unlink(p);
    snprintf(p, sizeof p, "%s-journal", path);
    unlink(p);
}

int ag_store_open(struct ag_store **out, const char *location, int flags, struct ag_error *err)
{
    *out = NULL;
    if (!strncmp(location, "postgresql://", 13) || !strncmp(location, "postgres://", 11))
        return ag_error_set(err, AG_EINVAL,
                            "%s: the PostgreSQL backend is not part of this build; use a "
                            "file path for SQLite",
                            location);
    const char *path = !strncmp(location, "sqlite:", 7) ? location + 7 : location;
    if (!*path)
        return ag_error_set(err, AG_EINVAL, "empty database path");
    if (strlen(path) >= sizeof((struct ag_store *)0)->path)
        return ag_error_set(err, AG_EINVAL, "database path too long");
    bool readonly = flags & AG_STORE_READONLY;
    struct stat st;
    bool exists = stat(path, &st) == 0;
    if (exists && !S_ISREG(st.st_mode))
        return ag_error_set(err, AG_EINVAL, "%s: not a regular file", path);
    if (!exists && (readonly || !(flags & AG_STORE_CREATE)))
        return ag_error_set(err, AG_ENOENT,
                            "%s: no such database (import a city first: agora import FILE --db %s)",
                            path, path);
    if (!readonly) {
        int rc = check_writable(path, exists, err);
        if (rc)
            return rc;
    }
    struct ag_store *s = calloc(1, sizeof *s);
    if (!s)
        return ag_error_set(err, AG_ENOMEM, "out of memory");
    snprintf(s->path, sizeof s->path, "%s", path);
    int oflags = readonly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
    int rc = 0;
    if (sqlite3_open_v2(path, &s->db, oflags | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
        rc = ag_error_set(err, AG_ESTORE, "%s: cannot open the database: %s", path,
                          s->db ? sqlite3_errmsg(s->db) : "out of memory");
        goto fail;
    }
    sqlite3_extended_result_codes(s->db, 1);
    sqlite3_busy_timeout(s->db, 5000);
    if (!readonly && sqlite3_db_readonly(s->db, "main") == 1) {
        rc = ag_error_set(err, AG_EREADONLY, "%s: the database can only be opened read-only", path);
        goto fail;
    }
    rc = ag__exec(s, "PRAGMA foreign_keys = ON", err);
    /* A reader maps the file rather than reading it a page per pread: on
     * the virtual machines agora runs on a system call costs ~10 us, and
     * the vehicle analysis reads ~1,000 pages (docs/internals/store.md).
     * SQLite maps what the file holds at the start of each read
     * transaction, during which no writer can shrink it. */
    if (!rc && readonly)
        rc = ag__exec(s, "PRAGMA mmap_size = 1073741824", err);
    if (!rc && !readonly) {
        int64_t dummy;
        bool brief = flags & AG_STORE_BRIEF;
        /* journal_mode returns a row; a file that is not a database fails here. */
        rc = query_int(s, brief ? "PRAGMA journal_mode" : "PRAGMA journal_mode = WAL", &dummy, err);
        if (rc && sqlite3_errcode(s->db) == SQLITE_NOTADB)
            rc = ag_error_set(err, AG_ESTORE, "%s: not an agora database (%s)", path,
                              sqlite3_errmsg(s->db));
        /* In WAL mode NORMAL cannot corrupt the database; a power cut may
         * lose the last committed transaction, which a re-run restores. A
         * brief writer keeps SQLite's FULL. */
        if (!rc && !brief) {
            s->wal = true;
            rc = ag__exec(s, "PRAGMA synchronous = NORMAL", err);
        }
    }
    if (!rc)
        rc = migrate(s, readonly, err);
    if (rc)
        goto fail;
    s->writable = !readonly;
    *out = s;
    return 0;
fail:
    sqlite3_close(s->db);
    free(s);
    if (!exists)
        remove_db_files(path);
    return rc;
}

void ag_store_close(struct ag_store *s)
{
    if (!s)
        return;
    /* WAL is for while a writer is open (readers then never wait for it).
     * Left on disk, WAL makes every later reader create -wal and -shm files
     * beside the database, and a reader without write access to the
     * directory cannot open it at all. So the last writer to close returns
     * the file to a rollback journal; with another connection still open
     * this fails harmlessly and the file stays in WAL. */
    if (s->writable && s->wal)
        sqlite3_exec(s->db, "PRAGMA journal_mode = DELETE", NULL, NULL, NULL);
    sqlite3_close(s->db);
    free(s);
}

/* Transactions nest: the outermost is BEGIN IMMEDIATE … COMMIT, an inner
 * one a savepoint, so a caller can wrap several store calls (a change and
 * its audit record) in one transaction. Every tx_begin is matched by
 * exactly one tx_commit or tx_rollback. */
int ag__tx_begin(struct ag_store *s, struct ag_error *err)
{
    char sql[32];
    if (s->depth == 0)
        snprintf(sql, sizeof sql, "BEGIN IMMEDIATE");
    else
        snprintf(sql, sizeof sql, "SAVEPOINT t%d", s->depth);
    int rc = ag__exec(s, sql, err);
    if (!rc)
        s->depth++;
    return rc;
}

int ag__tx_commit(struct ag_store *s, struct ag_error *err)
{
    char sql[32];
    if (s->depth == 1)
        snprintf(sql, sizeof sql, "COMMIT");
    else
        snprintf(sql, sizeof sql, "RELEASE t%d", s->depth - 1);
    int rc = ag__exec(s, sql, err);
    if (!rc)
        s->depth--;
    return rc;
}

void ag__tx_rollback(struct ag_store *s)
{
    char sql[64];
    if (s->depth <= 0)
        return;
    if (s->depth == 1)
        snprintf(sql, sizeof sql, "ROLLBACK");
    else
        snprintf(sql, sizeof sql, "ROLLBACK TO t%d; RELEASE t%d", s->depth - 1, s->depth - 1);
    sqlite3_exec(s->db, sql, NULL, NULL, NULL);
    s->depth--;
}

int ag_store_begin(struct ag_store *s, struct ag_error *err)
{
    return ag__tx_begin(s, err);
}
int ag_store_commit(struct ag_store *s, struct ag_error *err)
{
    int rc = ag__tx_commit(s, err);
    if (rc)
        ag__tx_rollback(s);
    return rc;
}
void ag_store_rollback(struct ag_store *s)
{
    ag__tx_rollback(s);
}

int ag_store_schema_version(struct ag_store *s)
{
    int64_t v = 0;
    if (query_int(s, "PRAGMA user_version", &v, NULL))
        return -1;
    return (int)v;
}

/* ---------- binding helpers ---------- */

static void bind_text(sqlite3_stmt *st, int i, const char *v)
{
    if (v)
        sqlite3_bind_text(st, i, v, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(st, i);
}

static void bind_real(sqlite3_stmt *st, int i, double v)
{
    if (isfinite(v))
        sqlite3_bind_double(st, i, v);
    else
        sqlite3_bind_null(st, i);
}

static char *col_text(sqlite3_stmt *st, int i)
{
    const unsigned char *t = sqlite3_column_text(st, i);
    return t ? ag_strdup((const char *)t) : NULL;
}

static double col_real(sqlite3_stmt *st, int i)
{
    return sqlite3_column_type(st, i) == SQLITE_NULL ? NAN : sqlite3_column_double(st, i);
}

static int bind_mpoly(sqlite3_stmt *st, int i, const struct ag_mpoly *mp, struct ag_buf *b)
{
    ag_buf_reset(b);
    int rc = ag_wkb_write_mpoly(b, mp);
    if (!rc)
        sqlite3_bind_blob(st, i, b->data, (int)b->len, SQLITE_STATIC);
    return rc;
}

static int bind_line(sqlite3_stmt *st, int i, const struct ag_line *l, struct ag_buf *b)
{
    ag_buf_reset(b);
    int rc = ag_wkb_write_line(b, l);
    if (!rc)
        sqlite3_bind_blob(st, i, b->data, (int)b->len, SQLITE_STATIC);
    return rc;
}

/* Steps a statement that is used again: reset, not finalized. */
static int step_reset(struct ag_store *s, sqlite3_stmt *st, struct ag_error *err, const char *what)
{
    int rc = sqlite3_step(st) == SQLITE_DONE ? 0 : ag__db_fail(s, err, what);
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return rc;
}

/* ---------- import ---------- */

static const char SQL_SPACE_COLS[] =
    "osm_type, osm_id, name, kind, origin, area_m2, perimeter_m, centroid_lon, centroid_lat,"
    " min_lon, min_lat, max_lon, max_lat, geom, geom_source, tags";

/* Binds the 16 columns of SQL_SPACE_COLS starting at parameter 1. */
static int bind_space(sqlite3_stmt *st, const struct ag_space *sp, struct ag_buf *b)
{
    bind_text(st, 1, sp->ref.type);
    sqlite3_bind_int64(st, 2, sp->ref.id);
    bind_text(st, 3, sp->name);
    bind_text(st, 4, sp->kind);
    bind_text(st, 5, sp->origin);
    sqlite3_bind_double(st, 6, sp->area_m2);
    sqlite3_bind_double(st, 7, sp->perimeter_m);
    sqlite3_bind_double(st, 8, sp->centroid.lon);
    sqlite3_bind_double(st, 9, sp->centroid.lat);
    sqlite3_bind_double(st, 10, sp->bbox.minx);
    sqlite3_bind_double(st, 11, sp->bbox.miny);
    sqlite3_bind_double(st, 12, sp->bbox.maxx);
    sqlite3_bind_double(st, 13, sp->bbox.maxy);
    bind_text(st, 15, sp->geom_source);
    bind_text(st, 16, sp->tags_json);
    return bind_mpoly(st, 14, &sp->geom, b);
}

static int import_spaces(struct ag_store *s, int64_t city, int64_t gen,
                         const struct ag_city_model *m, struct ag_import_stats *stats,
                         struct ag_buf *b, struct ag_error *err)
{
    sqlite3_stmt *find = NULL, *ins = NULL, *upd = NULL, *del = NULL;
    char sql[1024];
    int rc = ag__prepare(s,
                         "SELECT id FROM spaces WHERE city_id = ?1 AND origin = 'osm' AND "
                         "osm_type = ?2 AND osm_id = ?3",
                         &find, err);
    snprintf(sql, sizeof sql,
             "INSERT INTO spaces (%s, city_id, import_gen) VALUES "
             "(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15,?16,?17,?18)",
             SQL_SPACE_COLS);
    if (!rc)
        rc = ag__prepare(s, sql, &ins, err);
    if (!rc)
        rc = ag__prepare(s,
                         "UPDATE spaces SET name=?3, kind=?4, area_m2=?6, perimeter_m=?7,"
                         " centroid_lon=?8, centroid_lat=?9, min_lon=?10, min_lat=?11, max_lon=?12,"
                         " max_lat=?13, geom=?14, geom_source=?15, tags=?16, import_gen=?18 "
                         "WHERE id = ?17",
                         &upd, err);
    if (!rc)
        rc = ag__prepare(
            s, "DELETE FROM spaces WHERE city_id = ?1 AND origin = 'osm' AND import_gen <> ?2",
            &del, err);
    for (size_t i = 0; i < m->spaces.len && !rc; i++) {
        const struct ag_space *sp = &AG_VEC_AT(&m->spaces, struct ag_space, i);
        sqlite3_bind_int64(find, 1, city);
        bind_text(find, 2, sp->ref.type);
        sqlite3_bind_int64(find, 3, sp->ref.id);
        int64_t id = 0;
        int step = sqlite3_step(find);
        if (step == SQLITE_ROW)
            id = sqlite3_column_int64(find, 0);
        else if (step != SQLITE_DONE)
            rc = ag__db_fail(s, err, "finding a space");
        sqlite3_reset(find);
        if (rc)
            break;
        sqlite3_stmt *st = id ? upd : ins;
        rc = bind_space(st, sp, b);
        if (rc) {
            ag_error_set(err, rc, "%s: geometry of %s/%lld too large", s->path, sp->ref.type,
                         (long long)sp->ref.id);
            break;
        }
        sqlite3_bind_int64(st, 17, id ? id : city);
        sqlite3_bind_int64(st, 18, gen);
        rc = step_reset(s, st, err, "writing a space");
        if (id)
            stats->spaces_updated++;
        else
            stats->spaces_inserted++;
    }
    if (!rc) {
        sqlite3_bind_int64(del, 1, city);
        sqlite3_bind_int64(del, 2, gen);
        rc = step_reset(s, del, err, "removing spaces no longer in the data");
        stats->spaces_removed = sqlite3_changes(s->db);
    }
    sqlite3_finalize(find);
    sqlite3_finalize(ins);
    sqlite3_finalize(upd);
    sqlite3_finalize(del);
    return rc;
}

static int import_roads(struct ag_store *s, int64_t city, const struct ag_city_model *m,
                        struct ag_import_stats *stats, struct ag_buf *b, struct ag_error *err)
{
    sqlite3_stmt *nst = NULL, *est = NULL;
    int rc =
        ag__prepare(s,
                    "INSERT INTO road_nodes (city_id, osm_id, lon, lat, barrier, blocks_vehicle)"
                    " VALUES (?1,?2,?3,?4,?5,?6)",
                    &nst, err);
    if (!rc)
        rc = ag__prepare(s,
                         "INSERT INTO road_edges (city_id, osm_way_id, seq, from_node, to_node,"
                         " highway, name, length_m, width_m, width_source, oneway, incline_pct,"
                         " bridge, tunnel, layer, surface, maxspeed_kmh, geom) VALUES"
                         " (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15,?16,?17,?18)",
                         &est, err);
    for (size_t i = 0; i < m->road_nodes.len && !rc; i++) {
        const struct ag_road_node *n = &AG_VEC_AT(&m->road_nodes, struct ag_road_node, i);
        sqlite3_bind_int64(nst, 1, city);
        sqlite3_bind_int64(nst, 2, n->osm_id);
        sqlite3_bind_double(nst, 3, n->ll.lon);
        sqlite3_bind_double(nst, 4, n->ll.lat);
        bind_text(nst, 5, n->barrier);
        sqlite3_bind_int(nst, 6, n->blocks_vehicle);
        rc = step_reset(s, nst, err, "writing a road node");
        stats->road_nodes++;
    }
    for (size_t i = 0; i < m->road_edges.len && !rc; i++) {
        const struct ag_road_edge *e = &AG_VEC_AT(&m->road_edges, struct ag_road_edge, i);
        sqlite3_bind_int64(est, 1, city);
        sqlite3_bind_int64(est, 2, e->osm_way_id);
        sqlite3_bind_int(est, 3, e->seq);
        sqlite3_bind_int64(est, 4, e->from_node);
        sqlite3_bind_int64(est, 5, e->to_node);
        bind_text(est, 6, e->highway);
        bind_text(est, 7, e->name);
        sqlite3_bind_double(est, 8, e->length_m);
        sqlite3_bind_double(est, 9, e->width_m);
        bind_text(est, 10, e->width_source);
        sqlite3_bind_int(est, 11, e->oneway);
        bind_real(est, 12, e->incline_pct);
        sqlite3_bind_int(est, 13, e->bridge);
        sqlite3_bind_int(est, 14, e->tunnel);
        sqlite3_bind_int(est, 15, e->layer);
        bind_text(est, 16, e->surface);
        bind_real(est, 17, e->maxspeed_kmh);
        rc = bind_line(est, 18, &e->geom, b);
        if (!rc)
            rc = step_reset(s, est, err, "writing a road edge");
        stats->road_edges++;
    }
    sqlite3_finalize(nst);
    sqlite3_finalize(est);
    return rc;
}

static int import_others(struct ag_store *s, int64_t city, const struct ag_city_model *m,
                         struct ag_import_stats *stats, struct ag_buf *b, struct ag_error *err)
{
    sqlite3_stmt *bst = NULL, *hst = NULL;
    int rc =
        ag__prepare(s,
                    "INSERT INTO barriers (city_id, osm_type, osm_id, type, blocks_vehicle, geom)"
                    " VALUES (?1,?2,?3,?4,?5,?6)",
                    &bst, err);
    if (!rc)
        rc = ag__prepare(
            s,
            "INSERT INTO buildings (city_id, osm_type, osm_id, name, building, height_m,"
            " levels, area_m2, min_lon, min_lat, max_lon, max_lat, geom) VALUES"
            " (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13)",
            &hst, err);
    for (size_t i = 0; i < m->barriers.len && !rc; i++) {
        const struct ag_barrier *x = &AG_VEC_AT(&m->barriers, struct ag_barrier, i);
        sqlite3_bind_int64(bst, 1, city);
        bind_text(bst, 2, x->ref.type);
        sqlite3_bind_int64(bst, 3, x->ref.id);
        bind_text(bst, 4, x->type);
        sqlite3_bind_int(bst, 5, x->blocks_vehicle);
        rc = bind_line(bst, 6, &x->geom, b);
        if (!rc)
            rc = step_reset(s, bst, err, "writing a barrier");
        stats->barriers++;
    }
    for (size_t i = 0; i < m->buildings.len && !rc; i++) {
        const struct ag_building *x = &AG_VEC_AT(&m->buildings, struct ag_building, i);
        sqlite3_bind_int64(hst, 1, city);
        bind_text(hst, 2, x->ref.type);
        sqlite3_bind_int64(hst, 3, x->ref.id);
        bind_text(hst, 4, x->name);
        bind_text(hst, 5, x->building);
        bind_real(hst, 6, x->height_m);
        if (x->levels > 0)
            sqlite3_bind_int(hst, 7, x->levels);
        sqlite3_bind_double(hst, 8, x->area_m2);
        sqlite3_bind_double(hst, 9, x->bbox.minx);
        sqlite3_bind_double(hst, 10, x->bbox.miny);
        sqlite3_bind_double(hst, 11, x->bbox.maxx);
        sqlite3_bind_double(hst, 12, x->bbox.maxy);
        rc = bind_mpoly(hst, 13, &x->geom, b);
        if (!rc)
            rc = step_reset(s, hst, err, "writing a building");
        stats->buildings++;
    }
    sqlite3_finalize(bst);
    sqlite3_finalize(hst);
    return rc;
}

int ag_store_import(struct ag_store *s, const char *name, const struct ag_city_model *m,
                    struct ag_import_stats *stats, struct ag_error *err)
{
    memset(stats, 0, sizeof *stats);
    if (!name || !*name || strlen(name) >= sizeof((struct ag_city *)0)->name)
        return ag_error_set(err, AG_EINVAL, "a city name of 1 to 127 bytes is required");
    struct ag_buf b;
    ag_buf_init(&b, (size_t)1 << 30);
    sqlite3_stmt *st = NULL;
    int rc = ag__tx_begin(s, err);
    if (rc)
        return rc;
    int64_t city = 0, gen = 1;
    rc = ag__prepare(s, "SELECT id, import_count FROM cities WHERE name = ?1", &st, err);
    if (!rc) {
        bind_text(st, 1, name);
        if (sqlite3_step(st) == SQLITE_ROW) {
            city = sqlite3_column_int64(st, 0);
            gen = sqlite3_column_int64(st, 1) + 1;
        }
        sqlite3_finalize(st);
        st = NULL;
    }
    if (!rc) {
        rc = ag__prepare(
            s,
            city ? "UPDATE cities SET source=?2, imported_at=strftime('%Y-%m-%dT%H:%M:%SZ','now'),"
                   " origin_lon=?3, origin_lat=?4, min_lon=?5, min_lat=?6, max_lon=?7,"
                   " max_lat=?8, import_count=?9 WHERE id=?10 AND name=?1"
                 : "INSERT INTO cities (name, source, imported_at, origin_lon, origin_lat,"
                   " min_lon, min_lat, max_lon, max_lat, import_count) VALUES"
                   " (?1, ?2, strftime('%Y-%m-%dT%H:%M:%SZ','now'), ?3,?4,?5,?6,?7,?8,?9)",
            &st, err);
    }
    if (!rc) {
        bind_text(st, 1, name);
        bind_text(st, 2, m->source ? m->source : "");
        sqlite3_bind_double(st, 3, m->origin.lon);
        sqlite3_bind_double(st, 4, m->origin.lat);
        bind_real(st, 5, m->bbox.minx);
        bind_real(st, 6, m->bbox.miny);
        bind_real(st, 7, m->bbox.maxx);
        bind_real(st, 8, m->bbox.maxy);
        sqlite3_bind_int64(st, 9, gen);
        if (city)
            sqlite3_bind_int64(st, 10, city);
        rc = step_reset(s, st, err, "writing the city");
        if (!rc && !city) {
            city = sqlite3_last_insert_rowid(s->db);
            stats->city_created = true;
        }
    }
    sqlite3_finalize(st);
    st = NULL;
    stats->city_id = city;
    static const char *const clear[] = {
        "DELETE FROM road_edges WHERE city_id = %lld",
        "DELETE FROM road_nodes WHERE city_id = %lld",
        "DELETE FROM barriers WHERE city_id = %lld",
        "DELETE FROM buildings WHERE city_id = %lld",
    };
    for (size_t i = 0; i < sizeof clear / sizeof clear[0] && !rc; i++) {
        char sql[128];
        snprintf(sql, sizeof sql, clear[i], (long long)city);
        rc = ag__exec(s, sql, err);
    }
    if (!rc)
        rc = import_spaces(s, city, gen, m, stats, &b, err);
    if (!rc)
        rc = import_roads(s, city, m, stats, &b, err);
    if (!rc)
        rc = import_others(s, city, m, stats, &b, err);
    if (!rc)
        rc = ag__prepare(
            s,
            "INSERT INTO import_log (city_id, at, source, spaces, road_edges, buildings,"
            " skipped) VALUES (?1, strftime('%Y-%m-%dT%H:%M:%SZ','now'), ?2,?3,?4,?5,?6)",
            &st, err);
    if (!rc) {
        sqlite3_bind_int64(st, 1, city);
        bind_text(st, 2, m->source ? m->source : "");
        sqlite3_bind_int64(st, 3, (int64_t)m->spaces.len);
        sqlite3_bind_int64(st, 4, (int64_t)m->road_edges.len);
        sqlite3_bind_int64(st, 5, (int64_t)m->buildings.len);
        sqlite3_bind_int64(st, 6, (int64_t)m->skipped.len);
        rc = step_reset(s, st, err, "writing the import log");
    }
    sqlite3_finalize(st);
    if (!rc)
        rc = ag__tx_commit(s, err);
    if (rc)
        ag__tx_rollback(s);
    ag_buf_free(&b);
    return rc;
}

/* ---------- reading ---------- */

static void read_city(sqlite3_stmt *st, struct ag_city *c)
{
    memset(c, 0, sizeof *c);
    c->id = sqlite3_column_int64(st, 0);
    snprintf(c->name, sizeof c->name, "%s", (const char *)sqlite3_column_text(st, 1));
    snprintf(c->source, sizeof c->source, "%s", (const char *)sqlite3_column_text(st, 2));
    snprintf(c->imported_at, sizeof c->imported_at, "%s", (const char *)sqlite3_column_text(st, 3));
    c->origin.lon = sqlite3_column_double(st, 4);
    c->origin.lat = sqlite3_column_double(st, 5);
    c->bbox.minx = col_real(st, 6);
    c->bbox.miny = col_real(st, 7);
    c->bbox.maxx = col_real(st, 8);
    c->bbox.maxy = col_real(st, 9);
    c->import_count = sqlite3_column_int64(st, 10);
}

#define CITY_COLS                                                                                  \
    "id, name, source, imported_at, origin_lon, origin_lat, min_lon, min_lat, max_lon, "           \
    "max_lat, import_count"

int ag_store_cities(struct ag_store *s, struct ag_vec *out, struct ag_error *err)
{
    sqlite3_stmt *st;
    int rc = ag__prepare(s, "SELECT " CITY_COLS " FROM cities ORDER BY name", &st, err);
    if (rc)
        return rc;
    int step;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        struct ag_city c;
        read_city(st, &c);
        if (!ag_vec_push(out, &c)) {
            rc = ag_error_set(err, AG_ENOMEM, "out of memory");
            break;
        }
    }
    if (!rc && step != SQLITE_DONE)
        rc = ag__db_fail(s, err, "reading cities");
    sqlite3_finalize(st);
    return rc;
}

/* What a "choose one by name" lookup calls the things it chooses among. */
struct named_kind {
    const char *singular; /* "city" */
    const char *plural;   /* "cities" */
    const char *option;   /* "--city" */
    const char *none;     /* the end of "holds no ..." when there is none */
};

/* Index of the item named `name` among n items whose names sit at name_off
 * in elements of `stride` bytes; with name NULL, the only item. AG_EAMBIG
 * listing the names when name is NULL and there are several, AG_ENOTFOUND
 * otherwise, with messages naming the database. */
static int pick_named(const struct ag_store *s, const void *items, size_t n, size_t stride,
                      size_t name_off, const char *name, const struct named_kind *k, size_t *index,
                      struct ag_error *err)
{
    const char *base = items;
    for (size_t i = 0; i < n; i++)
        if (!name ? n == 1 : !strcmp(base + i * stride + name_off, name)) {
            *index = i;
            return 0;
        }
    if (name)
        return ag_error_set(err, AG_ENOTFOUND, "%s: no %s named \"%s\"", s->path, k->singular,
                            name);
    if (!n)
        return ag_error_set(err, AG_ENOTFOUND, "%s: holds no %s", s->path, k->none);
    struct ag_buf names;
    ag_buf_init(&names, 4096);
    for (size_t i = 0; i < n; i++)
        ag_buf_printf(&names, "%s\"%s\"", i ? ", " : "", base + i * stride + name_off);
    int rc = ag_error_set(err, AG_EAMBIG, "%s: holds several %s (%s); choose one with %s", s->path,
                          k->plural, names.data ? names.data : "", k->option);
    ag_buf_free(&names);
    return rc;
}

int ag_store_city_get(struct ag_store *s, const char *name, struct ag_city *out,
                      struct ag_error *err)
{
    static const struct named_kind kind = {"city", "cities", "--city",
                                           "city yet (import one first: agora import FILE)"};
    struct ag_vec cities;
    ag_vec_init(&cities, sizeof(struct ag_city));
    size_t at = 0;
    int rc = ag_store_cities(s, &cities, err);
    if (!rc)
        rc = pick_named(s, cities.data, cities.len, sizeof(struct ag_city),
                        offsetof(struct ag_city, name), name, &kind, &at, err);
    if (!rc)
        *out = AG_VEC_AT(&cities, struct ag_city, at);
    ag_vec_free(&cities);
    return rc;
}

static const char SQL_SPACE_SELECT[] =
    "SELECT id, city_id, osm_type, osm_id, name, kind, origin, area_m2, perimeter_m,"
    " centroid_lon, centroid_lat, min_lon, min_lat, max_lon, max_lat, geom_source, tags, geom"
    " FROM spaces ";

static int read_space(struct ag_store *s, sqlite3_stmt *st, bool with_geom, struct ag_space *sp,
                      struct ag_error *err)
{
    memset(sp, 0, sizeof *sp);
    sp->id = sqlite3_column_int64(st, 0);
    sp->city_id = sqlite3_column_int64(st, 1);
    snprintf(sp->ref.type, sizeof sp->ref.type, "%s", (const char *)sqlite3_column_text(st, 2));
    sp->ref.id = sqlite3_column_int64(st, 3);
    sp->name = col_text(st, 4);
    sp->kind = col_text(st, 5);
    sp->origin = col_text(st, 6);
    sp->area_m2 = sqlite3_column_double(st, 7);
    sp->perimeter_m = sqlite3_column_double(st, 8);
    sp->centroid.lon = sqlite3_column_double(st, 9);
    sp->centroid.lat = sqlite3_column_double(st, 10);
    sp->bbox.minx = sqlite3_column_double(st, 11);
    sp->bbox.miny = sqlite3_column_double(st, 12);
    sp->bbox.maxx = sqlite3_column_double(st, 13);
    sp->bbox.maxy = sqlite3_column_double(st, 14);
    sp->geom_source = col_text(st, 15);
    sp->tags_json = col_text(st, 16);
    if (!sp->kind || !sp->origin || !sp->geom_source) {
        ag_space_free(sp);
        return ag_error_set(err, AG_ENOMEM, "out of memory");
    }
    if (with_geom) {
        int rc = ag_wkb_read_mpoly(sqlite3_column_blob(st, 17),
                                   (size_t)sqlite3_column_bytes(st, 17), &sp->geom, err);
        if (rc) {
            ag_error_prefix(err, "%s: space %lld", s->path, (long long)sp->id);
            ag_space_free(sp);
            return rc;
        }
    }
    return 0;
}

int ag_store_spaces(struct ag_store *s, int64_t city_id, bool with_geom, struct ag_vec *out,
                    struct ag_error *err)
{
    char sql[1024];
    snprintf(sql, sizeof sql, "%s WHERE city_id = ?1 ORDER BY kind, name IS NULL, name, id",
             SQL_SPACE_SELECT);
    sqlite3_stmt *st;
    int rc = ag__prepare(s, sql, &st, err);
    if (rc)
        return rc;
    sqlite3_bind_int64(st, 1, city_id);
    int step;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        struct ag_space sp;
        rc = read_space(s, st, with_geom, &sp, err);
        if (rc)
            break;
        if (!ag_vec_push(out, &sp)) {
            ag_space_free(&sp);
            rc = ag_error_set(err, AG_ENOMEM, "out of memory");
            break;
        }
    }
    if (!rc && step != SQLITE_DONE)
        rc = ag__db_fail(s, err, "reading spaces");
    sqlite3_finalize(st);
    return rc;
}

int ag_store_space_get(struct ag_store *s, int64_t city_id, const char *ref, struct ag_space *out,
                       struct ag_error *err)
{
    char sql[1024];
    struct ag_osm_ref oref;
    bool numeric = *ref && strspn(ref, "0123456789") == strlen(ref) && strlen(ref) < 19;
    if (!numeric && !ag_osm_ref_parse(ref, &oref))
        return ag_error_set(err, AG_EINVAL,
                            "\"%s\" is not a space reference: expected an id such as 12 or an "
                            "OSM reference such as way/4227203",
                            ref);
    snprintf(sql, sizeof sql, "%s WHERE city_id = ?1 AND %s", SQL_SPACE_SELECT,
             numeric ? "id = ?2" : "osm_type = ?3 AND osm_id = ?2 AND origin = 'osm'");
    sqlite3_stmt *st;
    int rc = ag__prepare(s, sql, &st, err);
    if (rc)
        return rc;
    sqlite3_bind_int64(st, 1, city_id);
    if (numeric) {
        sqlite3_bind_int64(st, 2, strtoll(ref, NULL, 10));
    } else {
        sqlite3_bind_int64(st, 2, oref.id);
        bind_text(st, 3, oref.type);
    }
    int step = sqlite3_step(st);
    if (step == SQLITE_ROW)
        rc = read_space(s, st, true, out, err);
    else if (step == SQLITE_DONE)
        rc = ag_error_set(err, AG_ENOTFOUND, "no space %s in this city (see: agora spaces list)",
                          ref);
    else
        rc = ag__db_fail(s, err, "reading a space");
    sqlite3_finalize(st);
    return rc;
}

int ag_store_space_add(struct ag_store *s, int64_t city_id, struct ag_space *sp,
                       struct ag_error *err)
{
    char sql[1024];
    snprintf(sql, sizeof sql,
             "INSERT INTO spaces (%s, city_id) VALUES "
             "(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15,?16,?17)",
             SQL_SPACE_COLS);
    sqlite3_stmt *st;
    int rc = ag__prepare(s, sql, &st, err);
    if (rc)
        return rc;
    struct ag_buf b;
    ag_buf_init(&b, (size_t)1 << 30);
    rc = bind_space(st, sp, &b);
    sqlite3_bind_int64(st, 17, city_id);
    if (!rc)
        rc = step_reset(s, st, err, "adding a space");
    if (!rc) {
        sp->id = sqlite3_last_insert_rowid(s->db);
        sp->city_id = city_id;
    }
    sqlite3_finalize(st);
    ag_buf_free(&b);
    return rc;
}

/* Runs a query over one city's rows and hands each row to fn, which reads it
 * into a new element of out. Shared by the readers of graph, barriers and
 * buildings. */
typedef int (*row_reader)(sqlite3_stmt *st, void *elem, struct ag_error *err);

static int read_rows(struct ag_store *s, const char *sql, int64_t city_id, row_reader fn,
                     struct ag_vec *out, const char *what, struct ag_error *err)
{
    sqlite3_stmt *st;
    int rc = ag__prepare(s, sql, &st, err);
    if (rc)
        return rc;
    sqlite3_bind_int64(st, 1, city_id);
    int step;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        void *elem = ag_vec_push(out, NULL);
        if (!elem) {
            rc = ag_error_set(err, AG_ENOMEM, "out of memory");
            break;
        }
        rc = fn(st, elem, err);
        if (rc) {
            out->len--; /* fn freed what it had read */
            ag_error_prefix(err, "%s: reading %s", s->path, what);
            break;
        }
    }
    if (!rc && step != SQLITE_DONE)
        rc = ag__db_fail(s, err, what);
    sqlite3_finalize(st);
    return rc;
}

static int road_node_row(sqlite3_stmt *st, void *elem, struct ag_error *err)
{
    (void)err;
    struct ag_road_node *n = elem;
    n->osm_id = sqlite3_column_int64(st, 0);
    n->ll = (struct ag_ll){sqlite3_column_double(st, 1), sqlite3_column_double(st, 2)};
    n->barrier = col_text(st, 3);
    n->blocks_vehicle = sqlite3_column_int(st, 4) != 0;
    return 0;
}

int ag_store_road_nodes(struct ag_store *s, int64_t city_id, struct ag_vec *out,
                        struct ag_error *err)
{
    return read_rows(s,
                     "SELECT osm_id, lon, lat, barrier, blocks_vehicle FROM road_nodes"
                     " WHERE city_id = ?1 ORDER BY osm_id",
                     city_id, road_node_row, out, "road nodes", err);
}

static int road_edge_row(sqlite3_stmt *st, void *elem, struct ag_error *err)
{
    struct ag_road_edge *e = elem;
    e->id = sqlite3_column_int64(st, 0);
    e->osm_way_id = sqlite3_column_int64(st, 1);
    e->seq = sqlite3_column_int(st, 2);
    e->from_node = sqlite3_column_int64(st, 3);
    e->to_node = sqlite3_column_int64(st, 4);
    e->highway = col_text(st, 5);
    e->name = col_text(st, 6);
    e->length_m = sqlite3_column_double(st, 7);
    e->width_m = sqlite3_column_double(st, 8);
    e->width_source = col_text(st, 9);
    e->oneway = sqlite3_column_int(st, 10);
    e->incline_pct = col_real(st, 11);
    e->bridge = sqlite3_column_int(st, 12);
    e->tunnel = sqlite3_column_int(st, 13);
    e->layer = sqlite3_column_int(st, 14);
    e->surface = col_text(st, 15);
    e->maxspeed_kmh = col_real(st, 16);
    int rc = ag_wkb_read_line(sqlite3_column_blob(st, 17), (size_t)sqlite3_column_bytes(st, 17),
                              &e->geom, err);
    if (rc)
        ag_road_edge_free(e);
    return rc;
}

int ag_store_road_edges(struct ag_store *s, int64_t city_id, struct ag_vec *out,
                        struct ag_error *err)
{
    /* As the buildings (ag_store_buildings_in): the city's rows as one range
     * of ids in table order, where looking each one up from the city's index
     * and sorting them took ten times as long (12 ms for Monaco's 3,094). */
    return read_rows(s,
                     "SELECT id, osm_way_id, seq, from_node, to_node, highway, name, length_m,"
                     " width_m, width_source, oneway, incline_pct, bridge, tunnel, layer, surface,"
                     " maxspeed_kmh, geom FROM road_edges"
                     " WHERE id BETWEEN (SELECT min(id) FROM road_edges WHERE city_id = ?1)"
                     " AND (SELECT max(id) FROM road_edges WHERE city_id = ?1)"
                     " AND +city_id = ?1 ORDER BY id",
                     city_id, road_edge_row, out, "road edges", err);
}

static void col_ref(sqlite3_stmt *st, int type_col, int id_col, struct ag_osm_ref *ref)
{
    snprintf(ref->type, sizeof ref->type, "%s", (const char *)sqlite3_column_text(st, type_col));
    ref->id = sqlite3_column_int64(st, id_col);
}

static int barrier_row(sqlite3_stmt *st, void *elem, struct ag_error *err)
{
    struct ag_barrier *b = elem;
    b->id = sqlite3_column_int64(st, 0);
    col_ref(st, 1, 2, &b->ref);
    b->type = col_text(st, 3);
    b->blocks_vehicle = sqlite3_column_int(st, 4) != 0;
    int rc = ag_wkb_read_line(sqlite3_column_blob(st, 5), (size_t)sqlite3_column_bytes(st, 5),
                              &b->geom, err);
    if (rc)
        ag_barrier_free(b);
    return rc;
}

int ag_store_barriers(struct ag_store *s, int64_t city_id, struct ag_vec *out, struct ag_error *err)
{
    return read_rows(s,
                     "SELECT id, osm_type, osm_id, type, blocks_vehicle, geom FROM barriers"
                     " WHERE city_id = ?1 ORDER BY id",
                     city_id, barrier_row, out, "barriers", err);
}

static int building_row(sqlite3_stmt *st, void *elem, struct ag_error *err)
{
    struct ag_building *b = elem;
    b->id = sqlite3_column_int64(st, 0);
    col_ref(st, 1, 2, &b->ref);
    b->name = col_text(st, 3);
    b->building = col_text(st, 4);
    b->height_m = col_real(st, 5);
    b->levels = sqlite3_column_int(st, 6);
    b->area_m2 = sqlite3_column_double(st, 7);
    b->bbox = (struct ag_bbox){sqlite3_column_double(st, 8), sqlite3_column_double(st, 9),
                               sqlite3_column_double(st, 10), sqlite3_column_double(st, 11)};
    int rc = ag_wkb_read_mpoly(sqlite3_column_blob(st, 12), (size_t)sqlite3_column_bytes(st, 12),
                               &b->geom, err);
    if (rc)
        ag_building_free(b);
    return rc;
}

int ag_store_buildings(struct ag_store *s, int64_t city_id, struct ag_vec *out,
                       struct ag_error *err)
{
    return read_rows(s,
                     "SELECT id, osm_type, osm_id, name, building, height_m, levels, area_m2,"
                     " min_lon, min_lat, max_lon, max_lat, geom FROM buildings WHERE city_id = ?1"
                     " ORDER BY id",
                     city_id, building_row, out, "buildings", err);
}

int ag_store_buildings_in(struct ag_store *s, int64_t city_id, const struct ag_bbox *boxes,
                          size_t n, bool (*keep)(void *ud, struct ag_bbox box), void *ud,
                          struct ag_vec *out, struct ag_error *err)
{
    /* The ids whose box meets one of the boxes (a building near two
     * spaces comes twice: sorted, then read once each). */
    struct ag_vec ids;
    ag_vec_init(&ids, sizeof(int64_t));
    sqlite3_stmt *st = NULL;
    /* One read transaction for the lot: outside one, every statement takes
     * and drops the file's shared lock and checks for a hot journal, ~13 us
     * of system calls against ~1 us for a lookup by id. A savepoint is a
     * deferred BEGIN outside a transaction and nests inside one. */
    int rc = ag__exec(s, "SAVEPOINT buildings_in", err);
    if (rc) {
        ag_vec_free(&ids);
        return rc;
    }
    rc = ag__prepare(s,
                     "SELECT id FROM buildings_box WHERE max_lon >= ?1 AND min_lon <= ?2"
                     " AND max_lat >= ?3 AND min_lat <= ?4",
                     &st, err);
    int step = SQLITE_DONE;
    for (size_t i = 0; i < n && !rc; i++) {
        sqlite3_bind_double(st, 1, boxes[i].minx);
        sqlite3_bind_double(st, 2, boxes[i].maxx);
        sqlite3_bind_double(st, 3, boxes[i].miny);
        sqlite3_bind_double(st, 4, boxes[i].maxy);
        while ((step = sqlite3_step(st)) == SQLITE_ROW) {
            int64_t id = sqlite3_column_int64(st, 0);
            if (!ag_vec_push(&ids, &id)) {
                rc = ag_error_set(err, AG_ENOMEM, "out of memory");
                break;
            }
        }
        if (!rc && step != SQLITE_DONE)
            rc = ag__db_fail(s, err, "buildings");
        sqlite3_reset(st);
    }
    sqlite3_finalize(st); /* NULL when not prepared: a no-op */
    st = NULL;
    if (!rc) {
        ag_vec_sort_i64(&ids);
        rc = ag__prepare(s,
                         "SELECT id, osm_type, osm_id, name, building, height_m, levels, area_m2,"
                         " min_lon, min_lat, max_lon, max_lat, geom FROM buildings"
                         " WHERE id = ?1 AND city_id = ?2",
                         &st, err);
    }
    for (size_t i = 0; i < ids.len && !rc; i++) {
        int64_t id = AG_VEC_AT(&ids, int64_t, i);
        if (i > 0 && id == AG_VEC_AT(&ids, int64_t, i - 1))
            continue;
        sqlite3_bind_int64(st, 1, id);
        sqlite3_bind_int64(st, 2, city_id);
        step = sqlite3_step(st);
        if (step == SQLITE_ROW) {
            /* the box first: the geometry of a building not kept is never decoded */
            struct ag_bbox box = {sqlite3_column_double(st, 8), sqlite3_column_double(st, 9),
                                  sqlite3_column_double(st, 10), sqlite3_column_double(st, 11)};
            if (keep(ud, box)) {
                void *elem = ag_vec_push(out, NULL);
                if (!elem) {
                    rc = ag_error_set(err, AG_ENOMEM, "out of memory");
                } else if ((rc = building_row(st, elem, err))) {
                    out->len--;
                    ag_error_prefix(err, "%s: reading buildings", s->path);
                }
            }
        } else if (step != SQLITE_DONE) {
            rc = ag__db_fail(s, err, "buildings");
        }
        sqlite3_reset(st);
    }
    sqlite3_finalize(st);
    sqlite3_exec(s->db, "RELEASE buildings_in", NULL, NULL, NULL); /* only read */
    ag_vec_free(&ids);
    return rc;
}

/* ---------- vehicle results ---------- */

int ag_store_vehicle_save(struct ag_store *s, int64_t city_id, const char *model,
                          const char *classes_csv, const char *params_json,
                          const int64_t *space_ids, const char *const *results, size_t n,
                          int64_t *run_id, struct ag_error *err)
{
    sqlite3_stmt *st = NULL;
    int rc = ag__tx_begin(s, err);
    if (rc)
        return rc;
    rc = ag__prepare(s,
                     "INSERT INTO vehicle_runs (city_id, at, model, classes, params) VALUES"
                     " (?1, strftime('%Y-%m-%dT%H:%M:%SZ','now'), ?2, ?3, ?4)",
                     &st, err);
    if (!rc) {
        sqlite3_bind_int64(st, 1, city_id);
        bind_text(st, 2, model);
        bind_text(st, 3, classes_csv);
        bind_text(st, 4, params_json);
        rc = step_reset(s, st, err, "writing a vehicle run");
        *run_id = sqlite3_last_insert_rowid(s->db);
    }
    sqlite3_finalize(st);
    st = NULL;
    if (!rc)
        rc = ag__prepare(s,
                         "INSERT INTO vehicle_results (run_id, space_id, result) VALUES (?1,?2,?3)",
                         &st, err);
    for (size_t i = 0; i < n && !rc; i++) {
        sqlite3_bind_int64(st, 1, *run_id);
        sqlite3_bind_int64(st, 2, space_ids[i]);
        bind_text(st, 3, results[i]);
        rc = step_reset(s, st, err, "writing a vehicle result");
    }
    sqlite3_finalize(st);
    if (!rc)
        rc = ag__tx_commit(s, err);
    if (rc)
        ag__tx_rollback(s);
    return rc;
}

int ag_store_vehicle_latest(struct ag_store *s, int64_t space_id, char **result_json,
                            struct ag_error *err)
{
    *result_json = NULL;
    sqlite3_stmt *st;
    int rc = ag__prepare(s,
                         "SELECT result FROM vehicle_results WHERE space_id = ?1"
                         " ORDER BY run_id DESC LIMIT 1",
                         &st, err);
    if (rc)
        return rc;
    sqlite3_bind_int64(st, 1, space_id);
    int step = sqlite3_step(st);
    if (step == SQLITE_ROW) {
        *result_json = col_text(st, 0);
        if (!*result_json)
            rc = ag_error_set(err, AG_ENOMEM, "out of memory");
    } else if (step == SQLITE_DONE) {
        rc = AG_ENOTFOUND;
    } else {
        rc = ag__db_fail(s, err, "reading vehicle results");
    }
    sqlite3_finalize(st);
    return rc;
}

/* ---------- incidents (schema 3) ---------- */

void ag_incident_set_free(struct ag_incident_set *set)
{
    if (!set)
        return;
    free(set->params);
    set->params = NULL;
}

int ag_store_incidents_save(struct ag_store *s, struct ag_incident_set *set,
                            const struct ag_incident *rows, size_t n, bool *replaced,
                            struct ag_error *err)
{
    sqlite3_stmt *st = NULL;
    *replaced = false;
    int rc = ag__tx_begin(s, err);
    if (rc)
        return rc;
    rc = ag__prepare(s, "DELETE FROM incident_sets WHERE name = ?1", &st, err);
    if (!rc) {
        bind_text(st, 1, set->name);
        rc = step_reset(s, st, err, "replacing an incident set");
        *replaced = sqlite3_changes(s->db) > 0;
    }
    sqlite3_finalize(st);
    st = NULL;
    if (!rc)
        rc = ag__prepare(s,
                         "INSERT INTO incident_sets (name, source, imported_at, crs, plane, params,"
                         " records, skipped) VALUES (?1, ?2, strftime('%Y-%m-%dT%H:%M:%SZ','now'),"
                         " ?3, ?4, ?5, ?6, ?7) RETURNING id, imported_at",
                         &st, err);
    if (!rc) {
        bind_text(st, 1, set->name);
        bind_text(st, 2, set->source);
        bind_text(st, 3, set->crs);
        bind_text(st, 4, set->plane);
        bind_text(st, 5, set->params ? set->params : "{}");
        sqlite3_bind_int64(st, 6, (sqlite3_int64)n);
        sqlite3_bind_int64(st, 7, set->skipped);
        if (sqlite3_step(st) == SQLITE_ROW) {
            set->id = sqlite3_column_int64(st, 0);
            snprintf(set->imported_at, sizeof set->imported_at, "%s",
                     (const char *)sqlite3_column_text(st, 1));
            set->records = (int64_t)n;
        } else {
            rc = ag__db_fail(s, err, "writing an incident set");
        }
    }
    sqlite3_finalize(st);
    st = NULL;
    if (!rc)
        rc = ag__prepare(
            s,
            "INSERT INTO incidents (set_id, line, lon, lat, x, y, t, has_time, category)"
            " VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9)",
            &st, err);
    for (size_t i = 0; i < n && !rc; i++) {
        const struct ag_incident *r = &rows[i];
        sqlite3_bind_int64(st, 1, set->id);
        sqlite3_bind_int64(st, 2, r->line);
        sqlite3_bind_double(st, 3, r->ll.lon);
        sqlite3_bind_double(st, 4, r->ll.lat);
        sqlite3_bind_double(st, 5, r->xy.x);
        sqlite3_bind_double(st, 6, r->xy.y);
        if (r->has_t)
            sqlite3_bind_int64(st, 7, r->t);
        sqlite3_bind_int(st, 8, r->has_t && r->has_time);
        bind_text(st, 9, r->category);
        rc = step_reset(s, st, err, "writing an incident");
    }
    sqlite3_finalize(st);
    if (!rc)
        rc = ag__tx_commit(s, err);
    if (rc)
        ag__tx_rollback(s);
    return rc;
}

#define SET_COLS "id, name, source, imported_at, crs, plane, params, records, skipped"

static int read_set(sqlite3_stmt *st, struct ag_incident_set *set)
{
    memset(set, 0, sizeof *set);
    set->id = sqlite3_column_int64(st, 0);
    snprintf(set->name, sizeof set->name, "%s", (const char *)sqlite3_column_text(st, 1));
    snprintf(set->source, sizeof set->source, "%s", (const char *)sqlite3_column_text(st, 2));
    snprintf(set->imported_at, sizeof set->imported_at, "%s",
             (const char *)sqlite3_column_text(st, 3));
    snprintf(set->crs, sizeof set->crs, "%s", (const char *)sqlite3_column_text(st, 4));
    snprintf(set->plane, sizeof set->plane, "%s", (const char *)sqlite3_column_text(st, 5));
    set->params = col_text(st, 6);
    set->records = sqlite3_column_int64(st, 7);
    set->skipped = sqlite3_column_int64(st, 8);
    return set->params ? 0 : AG_ENOMEM;
}

int ag_store_incident_sets(struct ag_store *s, struct ag_vec *out, struct ag_error *err)
{
    sqlite3_stmt *st;
    int rc = ag__prepare(s, "SELECT " SET_COLS " FROM incident_sets ORDER BY name", &st, err);
    if (rc)
        return rc;
    int step;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        struct ag_incident_set set;
        if (read_set(st, &set) || !ag_vec_push(out, &set)) {
            ag_incident_set_free(&set);
            rc = ag_error_set(err, AG_ENOMEM, "out of memory");
            break;
        }
    }
    if (!rc && step != SQLITE_DONE)
        rc = ag__db_fail(s, err, "reading incident sets");
    sqlite3_finalize(st);
    return rc;
}

int ag_store_incident_set_get(struct ag_store *s, const char *name, struct ag_incident_set *out,
                              struct ag_error *err)
{
    static const struct named_kind kind = {
        "incident set", "incident sets", "--set",
        "incidents yet (import them first: agora incidents import FILE)"};
    struct ag_vec sets;
    ag_vec_init(&sets, sizeof(struct ag_incident_set));
    size_t at = 0;
    int rc = ag_store_incident_sets(s, &sets, err);
    if (!rc)
        rc = pick_named(s, sets.data, sets.len, sizeof(struct ag_incident_set),
                        offsetof(struct ag_incident_set, name), name, &kind, &at, err);
    if (!rc) {
        *out = AG_VEC_AT(&sets, struct ag_incident_set, at);
        AG_VEC_AT(&sets, struct ag_incident_set, at).params = NULL; /* now out's */
    }
    for (size_t i = 0; i < sets.len; i++)
        ag_incident_set_free(&AG_VEC_AT(&sets, struct ag_incident_set, i));
    ag_vec_free(&sets);
    return rc;
}

int ag_store_incidents_load(struct ag_store *s, int64_t set_id, const struct ag_incident_filter *f,
                            struct ag_vec *out, struct ag_error *err)
{
    static const struct ag_incident_filter none = {0};
    if (!f)
        f = &none;
    struct ag_buf sql;
    ag_buf_init(&sql, 1 << 20);
    if (f->xy_only)
        ag_buf_puts(&sql, "SELECT x, y, t, has_time FROM incidents WHERE set_id = ?1");
    else
        ag_buf_puts(&sql, "SELECT x, y, t, has_time, line, lon, lat, category FROM incidents"
                          " WHERE set_id = ?1");
    if (f->has_from)
        ag_buf_puts(&sql, " AND t >= ?2");
    if (f->has_to)
        ag_buf_puts(&sql, " AND t < ?3");
    if (f->ncat) {
        ag_buf_puts(&sql, " AND category IN (");
        for (size_t i = 0; i < f->ncat; i++)
            ag_buf_printf(&sql, "%s?%zu", i ? "," : "", i + 4);
        ag_buf_puts(&sql, ")");
    }
    ag_buf_puts(&sql, " ORDER BY id");
    sqlite3_stmt *st;
    int rc = sql.data ? ag__prepare(s, sql.data, &st, err)
                      : ag_error_set(err, AG_ENOMEM, "out of memory");
    ag_buf_free(&sql);
    if (rc)
        return rc;
    sqlite3_bind_int64(st, 1, set_id);
    if (f->has_from)
        sqlite3_bind_int64(st, 2, f->from);
    if (f->has_to)
        sqlite3_bind_int64(st, 3, f->to);
    for (size_t i = 0; i < f->ncat; i++)
        bind_text(st, (int)i + 4, f->categories[i]);
    int step;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        struct ag_incident r = {0};
        r.xy = (struct ag_xy){sqlite3_column_double(st, 0), sqlite3_column_double(st, 1)};
        r.has_t = sqlite3_column_type(st, 2) != SQLITE_NULL;
        r.t = r.has_t ? sqlite3_column_int64(st, 2) : 0;
        r.has_time = sqlite3_column_int(st, 3) != 0;
        bool nomem = false;
        if (!f->xy_only) {
            r.line = sqlite3_column_int64(st, 4);
            r.ll = (struct ag_ll){sqlite3_column_double(st, 5), sqlite3_column_double(st, 6)};
            r.category = col_text(st, 7);
            nomem = sqlite3_column_type(st, 7) != SQLITE_NULL && !r.category;
        }
        if (nomem || !ag_vec_push(out, &r)) {
            free(r.category);
            rc = ag_error_set(err, AG_ENOMEM, "out of memory");
            break;
        }
    }
    if (!rc && step != SQLITE_DONE)
        rc = ag__db_fail(s, err, "reading incidents");
    sqlite3_finalize(st);
    return rc;
}

/* ---------- assessments (schema 4) ---------- */

void ag_assessment_rec_free(struct ag_assessment_rec *r)
{
    if (!r)
        return;
    free(r->assessor);
    free(r->doc);
    r->assessor = r->doc = NULL;
}

static void copy_col(sqlite3_stmt *st, int i, char *out, size_t cap)
{
    const unsigned char *t = sqlite3_column_text(st, i);
    snprintf(out, cap, "%s", t ? (const char *)t : "");
}

#define ASSESSMENT_COLS                                                                            \
    "id, city_id, space_id, version, coalesce(based_on, 0), created_at, updated_at, assessor, "    \
    "sharing, rev, share_details"

/* Fills r from a row of ASSESSMENT_COLS (then doc at column 11 if with_doc). */
static int read_assessment(sqlite3_stmt *st, bool with_doc, struct ag_assessment_rec *r,
                           struct ag_error *err)
{
    memset(r, 0, sizeof *r);
    r->id = sqlite3_column_int64(st, 0);
    r->city_id = sqlite3_column_int64(st, 1);
    r->space_id = sqlite3_column_int64(st, 2);
    r->version = sqlite3_column_int(st, 3);
    r->based_on = sqlite3_column_int64(st, 4);
    copy_col(st, 5, r->created_at, sizeof r->created_at);
    copy_col(st, 6, r->updated_at, sizeof r->updated_at);
    r->assessor = col_text(st, 7);
    copy_col(st, 8, r->sharing, sizeof r->sharing);
    r->rev = sqlite3_column_int(st, 9);
    r->share_details = sqlite3_column_int(st, 10) != 0;
    if (with_doc)
        r->doc = col_text(st, 11);
    if (!r->assessor || (with_doc && !r->doc)) {
        ag_assessment_rec_free(r);
        return ag_error_set(err, AG_ENOMEM, "out of memory");
    }
    return 0;
}

static int log_change(struct ag_store *s, int64_t id, const char *at, const char *who,
                      const char *what, struct ag_error *err)
{
    sqlite3_stmt *st;
    int rc = ag__prepare(s,
                         "INSERT INTO assessment_log (assessment_id, at, who, what) "
                         "VALUES (?1, ?2, ?3, ?4)",
                         &st, err);
    if (rc)
        return rc;
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_text(st, 2, at, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, who ? who : "", -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, what, -1, SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_DONE)
        rc = ag__db_fail(s, err, "logging an assessment change");
    sqlite3_finalize(st);
    return rc;
}

int ag_store_assessment_insert(struct ag_store *s, struct ag_assessment_rec *r, const char *who,
                               struct ag_error *err)
{
    sqlite3_stmt *st = NULL;
    int rc = ag__tx_begin(s, err);
    if (rc)
        return rc;
    rc = ag__prepare(
        s,
        "INSERT INTO assessments (city_id, space_id, version, based_on, created_at, "
        "updated_at, assessor, sharing, doc, share_details) VALUES (?1, ?2, (SELECT "
        "coalesce(max(version), 0) + 1 FROM assessments WHERE space_id = ?2), nullif(?3, "
        "0), ?4, ?4, ?5, ?6, ?7, ?8) RETURNING id, version, rev",
        &st, err);
    if (!rc) {
        sqlite3_bind_int64(st, 1, r->city_id);
        sqlite3_bind_int64(st, 2, r->space_id);
        sqlite3_bind_int64(st, 3, r->based_on);
        sqlite3_bind_text(st, 4, r->created_at, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 5, r->assessor ? r->assessor : "", -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 6, r->sharing, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 7, r->doc, -1, SQLITE_STATIC);
        sqlite3_bind_int(st, 8, r->share_details);
        if (sqlite3_step(st) == SQLITE_ROW) {
            r->id = sqlite3_column_int64(st, 0);
            r->version = sqlite3_column_int(st, 1);
            r->rev = sqlite3_column_int(st, 2);
            if (sqlite3_step(st) != SQLITE_DONE)
                rc = ag__db_fail(s, err, "saving an assessment");
        } else
            rc = ag__db_fail(s, err, "saving an assessment");
        sqlite3_finalize(st);
    }
    if (!rc) {
        char what[64];
        snprintf(what, sizeof what, "created version %d", r->version);
        rc = log_change(s, r->id, r->created_at, who, what, err);
    }
    if (!rc)
        rc = ag__tx_commit(s, err);
    if (rc)
        ag__tx_rollback(s);
    return rc;
}

int ag_store_assessment_update(struct ag_store *s, struct ag_assessment_rec *r, int expected_rev,
                               const char *who, const char *what, struct ag_error *err)
{
    sqlite3_stmt *st = NULL;
    int rc = ag__tx_begin(s, err);
    if (rc)
        return rc;
    rc = ag__prepare(
        s,
        "UPDATE assessments SET doc = ?2, assessor = ?3, sharing = ?4, updated_at = ?5, "
        "share_details = ?6, rev = rev + 1 WHERE id = ?1 AND (?7 = 0 OR rev = ?7) "
        "RETURNING rev",
        &st, err);
    if (!rc) {
        sqlite3_bind_int64(st, 1, r->id);
        sqlite3_bind_text(st, 2, r->doc, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, r->assessor ? r->assessor : "", -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 4, r->sharing, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 5, r->updated_at, -1, SQLITE_STATIC);
        sqlite3_bind_int(st, 6, r->share_details);
        sqlite3_bind_int(st, 7, expected_rev);
        int step = sqlite3_step(st);
        if (step == SQLITE_ROW) {
            r->rev = sqlite3_column_int(st, 0);
            if (sqlite3_step(st) != SQLITE_DONE)
                rc = ag__db_fail(s, err, "saving an assessment");
        } else if (step != SQLITE_DONE)
            rc = ag__db_fail(s, err, "saving an assessment");
        else {
            sqlite3_finalize(st);
            st = NULL;
            int64_t exists = 0;
            if (ag__prepare(s, "SELECT count(*) FROM assessments WHERE id = ?1", &st, err) == 0) {
                sqlite3_bind_int64(st, 1, r->id);
                if (sqlite3_step(st) == SQLITE_ROW)
                    exists = sqlite3_column_int64(st, 0);
            }
            rc = exists ? ag_error_set(err, AG_ECONFLICT,
                                       "assessment %lld was changed by someone else since "
                                       "revision %d",
                                       (long long)r->id, expected_rev)
                        : ag_error_set(err, AG_ENOTFOUND, "assessment %lld: no such assessment",
                                       (long long)r->id);
        }
        sqlite3_finalize(st);
    }
    if (!rc)
        rc = log_change(s, r->id, r->updated_at, who, what, err);
    if (!rc)
        rc = ag__tx_commit(s, err);
    if (rc)
        ag__tx_rollback(s);
    return rc;
}

static int get_one(struct ag_store *s, const char *sql, int64_t key, const char *missing,
                   struct ag_assessment_rec *out, struct ag_error *err)
{
    sqlite3_stmt *st;
    memset(out, 0, sizeof *out);
    int rc = ag__prepare(s, sql, &st, err);
    if (rc)
        return rc;
    sqlite3_bind_int64(st, 1, key);
    int step = sqlite3_step(st);
    if (step == SQLITE_ROW)
        rc = read_assessment(st, true, out, err);
    else if (step == SQLITE_DONE)
        rc = ag_error_set(err, AG_ENOTFOUND, missing, (long long)key);
    else
        rc = ag__db_fail(s, err, "reading an assessment");
    sqlite3_finalize(st);
    return rc;
}

int ag_store_assessment_get(struct ag_store *s, int64_t id, struct ag_assessment_rec *out,
                            struct ag_error *err)
{
    return get_one(s, "SELECT " ASSESSMENT_COLS ", doc FROM assessments WHERE id = ?1", id,
                   "assessment %lld: no such assessment (see agora assess list)", out, err);
}

int ag_store_assessment_latest(struct ag_store *s, int64_t space_id, struct ag_assessment_rec *out,
                               struct ag_error *err)
{
    return get_one(s,
                   "SELECT " ASSESSMENT_COLS ", doc FROM assessments WHERE space_id = ?1 "
                   "ORDER BY version DESC LIMIT 1",
                   space_id, "space %lld has no assessment yet (agora assess new SPACE)", out, err);
}

int ag_store_assessments(struct ag_store *s, int64_t city_id, struct ag_vec *out,
                         struct ag_error *err)
{
    sqlite3_stmt *st;
    int rc = ag__prepare(s,
                         "SELECT " ASSESSMENT_COLS " FROM assessments WHERE city_id = ?1 "
                         "ORDER BY space_id, version",
                         &st, err);
    if (rc)
        return rc;
    sqlite3_bind_int64(st, 1, city_id);
    int step;
    while (!rc && (step = sqlite3_step(st)) == SQLITE_ROW) {
        struct ag_assessment_rec r;
        rc = read_assessment(st, false, &r, err);
        if (!rc && !ag_vec_push(out, &r)) {
            ag_assessment_rec_free(&r);
            rc = ag_error_set(err, AG_ENOMEM, "out of memory");
        }
    }
    if (!rc && step != SQLITE_DONE)
        rc = ag__db_fail(s, err, "listing assessments");
    sqlite3_finalize(st);
    return rc;
}

int ag_store_assessment_log(struct ag_store *s, int64_t id, struct ag_buf *out,
                            struct ag_error *err)
{
    sqlite3_stmt *st;
    int rc = ag__prepare(
        s, "SELECT at, who, what FROM assessment_log WHERE assessment_id = ?1 ORDER BY id", &st,
        err);
    if (rc)
        return rc;
    sqlite3_bind_int64(st, 1, id);
    int step;
    while (!rc && (step = sqlite3_step(st)) == SQLITE_ROW)
        rc = ag_buf_printf(out, "%s\t%s\t%s\n", (const char *)sqlite3_column_text(st, 0),
                           (const char *)sqlite3_column_text(st, 1),
                           (const char *)sqlite3_column_text(st, 2));
    if (!rc && step != SQLITE_DONE)
        rc = ag__db_fail(s, err, "reading the assessment log");
    sqlite3_finalize(st);
    return rc;
}

int ag_store_city_stamp(struct ag_store *s, int64_t city_id, char out[64], struct ag_error *err)
{
    sqlite3_stmt *st;
    int rc = ag__prepare(s,
                         "SELECT c.import_count, c.imported_at, (SELECT count(*) FROM spaces WHERE "
                         "city_id = c.id), (SELECT coalesce(max(id), 0) FROM spaces WHERE city_id "
                         "= c.id) FROM cities c WHERE c.id = ?1",
                         &st, err);
    if (rc)
        return rc;
    sqlite3_bind_int64(st, 1, city_id);
    int step = sqlite3_step(st);
    if (step == SQLITE_ROW)
        snprintf(out, 64, "%lld|%.24s|%lld|%lld", (long long)sqlite3_column_int64(st, 0),
                 (const char *)sqlite3_column_text(st, 1), (long long)sqlite3_column_int64(st, 2),
                 (long long)sqlite3_column_int64(st, 3));
    else if (step == SQLITE_DONE)
        rc = ag_error_set(err, AG_ENOTFOUND, "city %lld: no such city", (long long)city_id);
    else
        rc = ag__db_fail(s, err, "reading a city");
    sqlite3_finalize(st);
    return rc;
}
