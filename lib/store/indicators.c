/* Indicator values and funding links in the SQLite store (schema 9:
 * indicator_values, funding_links; docs/internals/partnership.md).
 * SPDX-License-Identifier: EUPL-1.2 */
#include "agora/indicators.h"
#include "store/sqlite_int.h"

#include <stdio.h>
#include <string.h>

#define V_COLS                                                                                     \
    "v.city_id, v.indicator, v.year, v.value, v.visible, v.note, v.updated_at, v.updated_by"

static int read_value(sqlite3_stmt *st, void *out, struct ag_error *err)
{
    (void)err;
    struct ag_ivalue *v = out;
    memset(v, 0, sizeof *v);
    v->city_id = sqlite3_column_int64(st, 0);
    ag__copy_text(st, 1, v->indicator, sizeof v->indicator);
    v->year = sqlite3_column_int(st, 2);
    v->value = sqlite3_column_double(st, 3);
    v->visible = sqlite3_column_int(st, 4) != 0;
    ag__copy_text(st, 5, v->note, sizeof v->note);
    ag__copy_text(st, 6, v->updated_at, sizeof v->updated_at);
    ag__copy_text(st, 7, v->updated_by, sizeof v->updated_by);
    return 0;
}

int ag_store_ivalues_put(struct ag_store *s, int64_t city_id, const struct ag_ivalue *v, size_t n,
                         const char *who, struct ag_error *err)
{
    char now[32];
    ag__utc_now(now);
    int rc = ag__tx_begin(s, err);
    if (rc)
        return rc;
    sqlite3_stmt *st = NULL;
    rc =
        ag__prepare(s,
                    "INSERT INTO indicator_values (city_id, indicator, year, value, visible, note, "
                    "updated_at, updated_by) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) "
                    "ON CONFLICT (city_id, indicator, year) DO UPDATE SET value = excluded.value, "
                    "visible = excluded.visible, note = excluded.note, "
                    "updated_at = excluded.updated_at, updated_by = excluded.updated_by",
                    &st, err);
    size_t visible = 0;
    for (size_t i = 0; !rc && i < n; i++) {
        sqlite3_reset(st);
        sqlite3_bind_int64(st, 1, city_id);
        sqlite3_bind_text(st, 2, v[i].indicator, -1, SQLITE_STATIC);
        sqlite3_bind_int(st, 3, v[i].year);
        sqlite3_bind_double(st, 4, v[i].value);
        sqlite3_bind_int(st, 5, v[i].visible ? 1 : 0);
        sqlite3_bind_text(st, 6, v[i].note, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 7, now, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 8, who, -1, SQLITE_STATIC);
        if (sqlite3_step(st) != SQLITE_DONE)
            rc = ag__db_fail(s, err, "storing an indicator value");
        visible += v[i].visible;
    }
    sqlite3_finalize(st);
    char target[64], detail[96];
    snprintf(target, sizeof target, "city %lld", (long long)city_id);
    snprintf(detail, sizeof detail, "%zu values (%zu visible)", n, visible);
    if (!rc)
        rc = ag_store_audit(s, who, city_id, "indicators.put", target, detail, err);
    if (!rc)
        rc = ag__tx_commit(s, err);
    if (rc)
        ag__tx_rollback(s);
    return rc;
}

int ag_store_ivalues(struct ag_store *s, int64_t city_id, struct ag_vec *out, struct ag_error *err)
{
    return ag__select_all(s,
                          "SELECT " V_COLS " FROM indicator_values v WHERE v.city_id = ?1 "
                          "ORDER BY v.indicator, v.year",
                          city_id, 0, read_value, out, "reading indicator values", err);
}

static int read_pvalue(sqlite3_stmt *st, void *out, struct ag_error *err)
{
    struct ag_pvalue *p = out;
    memset(p, 0, sizeof *p);
    read_value(st, &p->v, err);
    ag__copy_text(st, 8, p->city, sizeof p->city);
    p->own = sqlite3_column_int(st, 9) != 0;
    return 0;
}

int ag_store_ivalues_partnership(struct ag_store *s, int64_t partnership_id, const char *indicator,
                                 int64_t user_id, struct ag_vec *out, struct ag_error *err)
{
    /* The filter is here, in SQL: a hidden value of a city the user holds
     * no grant in is never read out of the database. */
    sqlite3_stmt *st;
    int rc = ag__prepare(
        s,
        "SELECT " V_COLS ", c.name, EXISTS (SELECT 1 FROM grants g WHERE g.user_id = ?3 AND "
        "g.city_id = v.city_id) AS own "
        "FROM indicator_values v "
        "JOIN partnership_members m ON m.city_id = v.city_id AND m.partnership_id = ?1 "
        "AND m.state = 'active' JOIN cities c ON c.id = v.city_id "
        "WHERE v.indicator = ?2 AND (v.visible = 1 OR EXISTS (SELECT 1 FROM grants g WHERE "
        "g.user_id = ?3 AND g.city_id = v.city_id)) "
        "ORDER BY c.name, v.city_id, v.year",
        &st, err);
    if (rc)
        return rc;
    sqlite3_bind_int64(st, 1, partnership_id);
    sqlite3_bind_text(st, 2, indicator, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, user_id);
    return ag__step_all(s, st, read_pvalue, out, "reading the partnership's indicator values", err);
}

/* ---------- funding links ---------- */

#define F_COLS                                                                                     \
    "id, instrument, coalesce(action_id, 0), coalesce(city_id, 0), coalesce(measure, ''), note, "  \
    "added_at, added_by"

static int read_link(sqlite3_stmt *st, void *out, struct ag_error *err)
{
    (void)err;
    struct ag_funding_link *l = out;
    memset(l, 0, sizeof *l);
    l->id = sqlite3_column_int64(st, 0);
    ag__copy_text(st, 1, l->instrument, sizeof l->instrument);
    l->action_id = sqlite3_column_int64(st, 2);
    l->city_id = sqlite3_column_int64(st, 3);
    ag__copy_text(st, 4, l->measure, sizeof l->measure);
    ag__copy_text(st, 5, l->note, sizeof l->note);
    ag__copy_text(st, 6, l->added_at, sizeof l->added_at);
    ag__copy_text(st, 7, l->added_by, sizeof l->added_by);
    return 0;
}

int ag_store_funding_remove(struct ag_store *s, int64_t id, int64_t action_id, int64_t city_id,
                            const char *who, struct ag_error *err)
{
    int rc = ag__tx_begin(s, err);
    if (rc)
        return rc;
    sqlite3_stmt *st;
    rc = ag__prepare(s,
                     "DELETE FROM funding_links WHERE id = ?1 AND (action_id = ?2 OR city_id = ?3)",
                     &st, err);
    if (!rc) {
        sqlite3_bind_int64(st, 1, id);
        sqlite3_bind_int64(st, 2, action_id > 0 ? action_id : -1);
        sqlite3_bind_int64(st, 3, city_id > 0 ? city_id : -1);
        rc = ag__step_done(s, st, "removing a funding link", err);
    }
    if (!rc && !sqlite3_changes(s->db))
        rc = ag_error_set(err, AG_ENOTFOUND, "funding link %lld: no such link here", (long long)id);
    char target[64];
    snprintf(target, sizeof target, "funding link %lld", (long long)id);
    if (!rc)
        rc = ag_store_audit(s, who, city_id, "funding.unlink", target, "", err);
    if (!rc)
        rc = ag__tx_commit(s, err);
    if (rc)
        ag__tx_rollback(s);
    return rc;
}

int ag_store_funding_add(struct ag_store *s, struct ag_funding_link *l, const char *who,
                         struct ag_error *err)
{
    bool action = l->action_id > 0;
    if (action == (l->city_id > 0) || (!action && !*l->measure) || !*l->instrument)
        return ag_error_set(err, AG_EINVAL,
                            "a funding link is of an action, or of a city's measure");
    ag__utc_now(l->added_at);
    snprintf(l->added_by, sizeof l->added_by, "%s", who);
    int rc = ag__tx_begin(s, err);
    if (rc)
        return rc;
    sqlite3_stmt *st;
    rc = ag__prepare(s,
                     "INSERT INTO funding_links (instrument, action_id, city_id, measure, note, "
                     "added_at, added_by) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                     &st, err);
    if (!rc) {
        sqlite3_bind_text(st, 1, l->instrument, -1, SQLITE_STATIC);
        if (action)
            sqlite3_bind_int64(st, 2, l->action_id);
        else {
            sqlite3_bind_int64(st, 3, l->city_id);
            sqlite3_bind_text(st, 4, l->measure, -1, SQLITE_STATIC);
        }
        sqlite3_bind_text(st, 5, l->note, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 6, l->added_at, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 7, l->added_by, -1, SQLITE_STATIC);
        rc = ag__step_done(s, st, "adding a funding link", err);
    }
    if (!rc)
        l->id = sqlite3_last_insert_rowid(s->db);
    char target[96], detail[96];
    if (action)
        snprintf(target, sizeof target, "action %lld", (long long)l->action_id);
    else
        snprintf(target, sizeof target, "measure %s", l->measure);
    snprintf(detail, sizeof detail, "%s", l->instrument);
    if (!rc)
        rc = ag_store_audit(s, who, action ? 0 : l->city_id, "funding.link", target, detail, err);
    if (!rc)
        rc = ag__tx_commit(s, err);
    if (rc)
        ag__tx_rollback(s);
    return rc;
}

static int links(struct ag_store *s, const char *where, int64_t id, struct ag_vec *out,
                 struct ag_error *err)
{
    char sql[256];
    snprintf(sql, sizeof sql, "SELECT " F_COLS " FROM funding_links WHERE %s = ?1 ORDER BY id",
             where);
    return ag__select_all(s, sql, id, 0, read_link, out, "reading funding links", err);
}

int ag_store_funding_of_action(struct ag_store *s, int64_t action_id, struct ag_vec *out,
                               struct ag_error *err)
{
    return links(s, "action_id", action_id, out, err);
}

int ag_store_funding_of_city(struct ag_store *s, int64_t city_id, struct ag_vec *out,
                             struct ag_error *err)
{
    return links(s, "city_id", city_id, out, err);
}
