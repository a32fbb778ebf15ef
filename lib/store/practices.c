/* The good-practice library in the SQLite store (schema 9, table
 * practices; docs/internals/partnership.md, "Good practices"). Who may see
 * an entry is decided by one SQL expression (VISIBLE), in every query.
 * SPDX-License-Identifier: EUPL-1.2 */
#include "agora/i18n.h"
#include "agora/practice.h"
#include "store/sqlite_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void ag_practice_free(struct ag_practice *p)
{
    if (!p)
        return;
    free(p->what);
    free(p->problem);
    free(p->results);
    p->what = p->problem = p->results = NULL;
}

bool ag_practice_sharing_ok(const char *label)
{
    static const char *const LABELS[] = {"TLP:RED", "TLP:AMBER", "TLP:GREEN", "TLP:CLEAR"};
    for (size_t i = 0; label && i < sizeof LABELS / sizeof LABELS[0]; i++)
        if (!strcmp(label, LABELS[i]))
            return true;
    return false;
}

/* Whether the entry of practices row p may be seen by user :user (an
 * administrator when :admin is 1):
 * - TLP:CLEAR every signed-in user;
 * - any label: the city's users (a grant in the city), except TLP:RED for
 *   users of a partner organisation (a grant marked partner);
 * - TLP:GREEN every user with a grant somewhere or acting for an active
 *   member of a partnership (one of an organisation's people);
 * - TLP:AMBER every user who acts for an active member of a partnership in
 *   which the city is an active member: by a grant in that member city, or
 *   as one of that member organisation's people (as ag_store_partner_role). */
#define VISIBLE                                                                                    \
    "(:admin = 1 OR p.sharing = 'TLP:CLEAR' "                                                      \
    " OR EXISTS (SELECT 1 FROM grants g WHERE g.user_id = :user AND g.city_id = p.city_id "        \
    "   AND (g.partner = 0 OR p.sharing <> 'TLP:RED')) "                                           \
    " OR (p.sharing = 'TLP:GREEN' AND (EXISTS (SELECT 1 FROM grants g WHERE g.user_id = :user) "   \
    "   OR EXISTS (SELECT 1 FROM partnership_people pp JOIN partnership_members m ON m.id = "      \
    "   pp.member_id WHERE pp.user_id = :user AND m.state = 'active'))) "                          \
    " OR (p.sharing = 'TLP:AMBER' AND EXISTS (SELECT 1 FROM partnership_members cm "               \
    "   JOIN partnership_members um ON um.partnership_id = cm.partnership_id "                     \
    "   AND um.state = 'active' "                                                                  \
    "   WHERE cm.city_id = p.city_id AND cm.state = 'active' "                                     \
    "   AND (EXISTS (SELECT 1 FROM grants g WHERE g.user_id = :user AND g.city_id = um.city_id) "  \
    "     OR EXISTS (SELECT 1 FROM partnership_people pp WHERE pp.member_id = um.id "              \
    "     AND pp.user_id = :user)))))"

#define COLS                                                                                       \
    "p.id, p.city_id, coalesce(p.assessment_id, 0), c.name, p.title, p.place, p.threats, "         \
    "coalesce(p.measure, ''), coalesce(p.cost_eur, -1), p.contact, p.lang, p.sharing, "            \
    "p.created_at, p.created_by, p.updated_at"
#define NCOLS 15
#define FROM " FROM practices p JOIN cities c ON c.id = p.city_id "

static char *dup_column(sqlite3_stmt *st, int i)
{
    const char *s = (const char *)sqlite3_column_text(st, i);
    return strdup(s ? s : "");
}

/* Reads a row of COLS (and, when the row has them, what, problem and
 * results). */
static int read_practice(sqlite3_stmt *st, void *out, struct ag_error *err)
{
    struct ag_practice *p = out;
    memset(p, 0, sizeof *p);
    p->id = sqlite3_column_int64(st, 0);
    p->city_id = sqlite3_column_int64(st, 1);
    p->assessment_id = sqlite3_column_int64(st, 2);
    ag__copy_text(st, 3, p->city, sizeof p->city);
    ag__copy_text(st, 4, p->title, sizeof p->title);
    ag__copy_text(st, 5, p->place, sizeof p->place);
    ag__copy_text(st, 6, p->threats, sizeof p->threats);
    ag__copy_text(st, 7, p->measure, sizeof p->measure);
    p->cost_eur = sqlite3_column_double(st, 8);
    ag__copy_text(st, 9, p->contact, sizeof p->contact);
    ag__copy_text(st, 10, p->lang, sizeof p->lang);
    ag__copy_text(st, 11, p->sharing, sizeof p->sharing);
    ag__copy_text(st, 12, p->created_at, sizeof p->created_at);
    ag__copy_text(st, 13, p->created_by, sizeof p->created_by);
    ag__copy_text(st, 14, p->updated_at, sizeof p->updated_at);
    if (sqlite3_column_count(st) == NCOLS)
        return 0;
    p->what = dup_column(st, NCOLS);
    p->problem = dup_column(st, NCOLS + 1);
    p->results = dup_column(st, NCOLS + 2);
    if (!p->what || !p->problem || !p->results) {
        ag_practice_free(p);
        return ag_error_set(err, AG_ENOMEM, "out of memory");
    }
    return 0;
}

/* ---------- checks ---------- */

/* Text of at most max bytes (at least one when required): clean UTF-8,
 * without control characters but, when lines, new lines and tabs. */
static bool text_ok(const char *s, size_t max, bool required, bool lines)
{
    if (!s)
        return !required;
    size_t n = strlen(s);
    if (n > max || (required && !n))
        return false;
    if (!lines)
        return ag_text_ok(s);
    char *copy = strdup(s);
    if (!copy)
        return false;
    for (char *c = copy; *c; c++)
        if (*c == '\n' || *c == '\t' || *c == '\r')
            *c = ' ';
    bool ok = ag_text_ok(copy);
    free(copy);
    return ok;
}

/* Scenario ids: [a-z0-9_]+ separated by single commas, or empty. */
static bool threats_ok(const char *s)
{
    bool at_start = true;
    for (const char *c = s; *c; c++) {
        if (*c == ',') {
            if (at_start)
                return false;
            at_start = true;
        } else if ((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '_') {
            at_start = false;
        } else {
            return false;
        }
    }
    return !*s || !at_start;
}

static int check(const struct ag_practice *p, struct ag_error *err)
{
    if (!text_ok(p->title, AG_PRACTICE_TITLE_MAX, true, false))
        return ag_error_set(err, AG_EINVAL, "title: expected 1 to %d bytes of text on one line",
                            AG_PRACTICE_TITLE_MAX);
    if (!text_ok(p->what, AG_PRACTICE_TEXT_MAX, true, true))
        return ag_error_set(err, AG_EINVAL, "what: expected 1 to %d bytes of text",
                            AG_PRACTICE_TEXT_MAX);
    if (!text_ok(p->place, AG_PRACTICE_PLACE_MAX, false, false))
        return ag_error_set(err, AG_EINVAL, "place: expected at most %d bytes of text on one line",
                            AG_PRACTICE_PLACE_MAX);
    if (!text_ok(p->problem, AG_PRACTICE_TEXT_MAX, false, true))
        return ag_error_set(err, AG_EINVAL, "problem: expected at most %d bytes of text",
                            AG_PRACTICE_TEXT_MAX);
    if (!text_ok(p->results, AG_PRACTICE_TEXT_MAX, false, true))
        return ag_error_set(err, AG_EINVAL, "results: expected at most %d bytes of text",
                            AG_PRACTICE_TEXT_MAX);
    if (!text_ok(p->contact, AG_PRACTICE_CONTACT_MAX, false, false))
        return ag_error_set(err, AG_EINVAL,
                            "contact: expected at most %d bytes of text on one line",
                            AG_PRACTICE_CONTACT_MAX);
    if (!threats_ok(p->threats))
        return ag_error_set(err, AG_EINVAL, "threats: expected scenario ids");
    if (!*p->threats && !(p->problem && *p->problem))
        return ag_error_set(err, AG_EINVAL,
                            "threats: name at least one threat, or the problem it answers");
    if (!ag_i18n_lang_ok(p->lang))
        return ag_error_set(err, AG_EINVAL, "lang: expected one of %s", ag_i18n_langs());
    if (!ag_practice_sharing_ok(p->sharing))
        return ag_error_set(err, AG_EINVAL,
                            "sharing: expected TLP:RED, TLP:AMBER, TLP:GREEN or TLP:CLEAR");
    if (!(p->cost_eur < 0 || (isfinite(p->cost_eur) && p->cost_eur <= 1e12)))
        return ag_error_set(err, AG_EINVAL, "cost_eur: expected an amount in euros, 0 or more");
    return 0;
}

static void target_of(char out[64], int64_t id)
{
    snprintf(out, 64, "practice %lld", (long long)id);
}

/* Binds the fields of p common to INSERT and UPDATE (?2 .. ?12). */
static void bind_fields(sqlite3_stmt *st, const struct ag_practice *p)
{
    sqlite3_bind_text(st, 2, p->title, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, p->what, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, p->place, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, p->problem ? p->problem : "", -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 6, p->threats, -1, SQLITE_STATIC);
    if (*p->measure)
        sqlite3_bind_text(st, 7, p->measure, -1, SQLITE_STATIC);
    if (p->cost_eur >= 0)
        sqlite3_bind_double(st, 8, p->cost_eur);
    sqlite3_bind_text(st, 9, p->results ? p->results : "", -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 10, p->contact, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 11, p->lang, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 12, p->sharing, -1, SQLITE_STATIC);
}

int ag_store_practice_add(struct ag_store *s, struct ag_practice *p, const char *action,
                          const char *who, struct ag_error *err)
{
    int rc = check(p, err);
    if (rc)
        return rc;
    ag__utc_now(p->created_at);
    memcpy(p->updated_at, p->created_at, sizeof p->updated_at);
    snprintf(p->created_by, sizeof p->created_by, "%s", who);
    rc = ag__tx_begin(s, err);
    if (rc)
        return rc;
    sqlite3_stmt *st;
    rc = ag__prepare(s,
                     "INSERT INTO practices (city_id, title, what, place, problem, threats, "
                     "measure, cost_eur, results, contact, lang, sharing, assessment_id, "
                     "created_at, created_by, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, "
                     "?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?14)",
                     &st, err);
    if (!rc) {
        sqlite3_bind_int64(st, 1, p->city_id);
        bind_fields(st, p);
        if (p->assessment_id > 0)
            sqlite3_bind_int64(st, 13, p->assessment_id);
        sqlite3_bind_text(st, 14, p->created_at, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 15, p->created_by, -1, SQLITE_STATIC);
        rc = ag__step_done(s, st, "adding a good practice", err);
    }
    char target[64];
    if (!rc) {
        p->id = sqlite3_last_insert_rowid(s->db);
        target_of(target, p->id);
        rc = ag_store_audit(s, who, p->city_id, action, target, p->title, err);
    }
    if (!rc)
        rc = ag__tx_commit(s, err);
    if (rc)
        ag__tx_rollback(s);
    return rc;
}

/* ---------- reading ---------- */

static int bind_named_text(sqlite3_stmt *st, const char *name, const char *v)
{
    int i = sqlite3_bind_parameter_index(st, name);
    return i ? sqlite3_bind_text(st, i, v, -1, SQLITE_TRANSIENT) : SQLITE_OK;
}

static int bind_named_int(sqlite3_stmt *st, const char *name, int64_t v)
{
    int i = sqlite3_bind_parameter_index(st, name);
    return i ? sqlite3_bind_int64(st, i, v) : SQLITE_OK;
}

/* The pattern of q for LIKE: %q% with %, _ and the escape \ escaped. */
static char *like_pattern(const char *q)
{
    size_t n = strlen(q);
    char *out = malloc(2 * n + 3);
    if (!out)
        return NULL;
    char *o = out;
    *o++ = '%';
    for (const char *c = q; *c; c++) {
        if (*c == '%' || *c == '_' || *c == '\\')
            *o++ = '\\';
        *o++ = *c;
    }
    *o++ = '%';
    *o = 0;
    return out;
}

/* The WHERE clause of f: visibility and the filters, but the facet skip's
 * own (skip < 0: none skipped). */
static int where_of(struct ag_buf *b, const struct ag_practice_filter *f, int skip)
{
    int rc = ag_buf_puts(b, " WHERE " VISIBLE);
    if (!rc && f->threat && *f->threat && skip != AG_FACET_THREAT)
        rc = ag_buf_puts(b, " AND instr(',' || p.threats || ',', ',' || :threat || ',') > 0");
    if (!rc && f->measure && *f->measure && skip != AG_FACET_MEASURE)
        rc = ag_buf_puts(b, " AND p.measure = :measure");
    if (!rc && f->city_id > 0 && skip != AG_FACET_CITY)
        rc = ag_buf_puts(b, " AND p.city_id = :city");
    if (!rc && f->lang && *f->lang && skip != AG_FACET_LANG)
        rc = ag_buf_puts(b, " AND p.lang = :lang");
    if (!rc && f->q && *f->q)
        rc = ag_buf_puts(b, " AND (p.title LIKE :q ESCAPE '\\' OR p.what LIKE :q ESCAPE '\\' "
                            "OR p.results LIKE :q ESCAPE '\\')");
    return rc;
}

/* Prepares sql (with where_of's parameters) and binds f. */
static int prepare_filtered(struct ag_store *s, const char *sql, const struct ag_practice_filter *f,
                            sqlite3_stmt **st, struct ag_error *err)
{
    int rc = ag__prepare(s, sql, st, err);
    if (rc)
        return rc;
    char *pattern = f->q && *f->q ? like_pattern(f->q) : NULL;
    if (f->q && *f->q && !pattern) {
        sqlite3_finalize(*st);
        return ag_error_set(err, AG_ENOMEM, "out of memory");
    }
    int b = bind_named_int(*st, ":user", f->user_id);
    if (b == SQLITE_OK)
        b = bind_named_int(*st, ":admin", f->admin ? 1 : 0);
    if (b == SQLITE_OK && f->threat)
        b = bind_named_text(*st, ":threat", f->threat);
    if (b == SQLITE_OK && f->measure)
        b = bind_named_text(*st, ":measure", f->measure);
    if (b == SQLITE_OK)
        b = bind_named_int(*st, ":city", f->city_id);
    if (b == SQLITE_OK && f->lang)
        b = bind_named_text(*st, ":lang", f->lang);
    if (b == SQLITE_OK && pattern)
        b = bind_named_text(*st, ":q", pattern);
    free(pattern);
    if (b != SQLITE_OK) {
        rc = ag__db_fail(s, err, "binding a query of good practices");
        sqlite3_finalize(*st);
    }
    return rc;
}

int ag_store_practice_get(struct ag_store *s, int64_t id, const struct ag_practice_filter *f,
                          struct ag_practice *out, struct ag_error *err)
{
    memset(out, 0, sizeof *out);
    sqlite3_stmt *st;
    int rc = prepare_filtered(
        s, "SELECT " COLS ", p.what, p.problem, p.results" FROM "WHERE p.id = :id AND " VISIBLE, f,
        &st, err);
    if (rc)
        return rc;
    bind_named_int(st, ":id", id);
    return ag__step_one(s, st, read_practice, out, "reading a good practice", err,
                        "good practice %lld: no such entry", (long long)id);
}

int ag_store_practices(struct ag_store *s, const struct ag_practice_filter *f, struct ag_vec *out,
                       struct ag_error *err)
{
    struct ag_buf sql;
    ag_buf_init(&sql, 16384);
    int rc = ag_buf_puts(&sql, "SELECT " COLS FROM);
    if (!rc)
        rc = where_of(&sql, f, -1);
    if (!rc)
        rc = ag_buf_puts(&sql, " ORDER BY p.updated_at DESC, p.id DESC");
    if (rc) {
        ag_buf_free(&sql);
        return ag_error_set(err, rc, "building a query of good practices");
    }
    sqlite3_stmt *st;
    rc = prepare_filtered(s, sql.data, f, &st, err);
    ag_buf_free(&sql);
    return rc ? rc : ag__step_all(s, st, read_practice, out, "listing good practices", err);
}

static int read_facet(sqlite3_stmt *st, void *out, struct ag_error *err)
{
    (void)err;
    struct ag_facet *fc = out;
    ag__copy_text(st, 0, fc->id, sizeof fc->id);
    ag__copy_text(st, 1, fc->name, sizeof fc->name);
    fc->count = sqlite3_column_int64(st, 2);
    return 0;
}

int ag_store_practice_facet(struct ag_store *s, const struct ag_practice_filter *f,
                            enum ag_facet_kind kind, struct ag_vec *out, struct ag_error *err)
{
    /* the threats are split with json_each: ids of [a-z0-9_] (checked on
     * every write) make a JSON array once quoted */
    static const char *const heads[] = {
        [AG_FACET_THREAT] = "SELECT t.value, '', count(*)" FROM
                            ", json_each('[\"' || replace(p.threats, ',', '\",\"') || '\"]') t",
        [AG_FACET_MEASURE] = "SELECT p.measure, '', count(*)" FROM,
        [AG_FACET_CITY] = "SELECT p.city_id, c.name, count(*)" FROM,
        [AG_FACET_LANG] = "SELECT p.lang, '', count(*)" FROM,
    };
    static const char *const tails[] = {
        [AG_FACET_THREAT] = " AND t.value <> '' GROUP BY t.value",
        [AG_FACET_MEASURE] = " AND p.measure IS NOT NULL GROUP BY p.measure",
        [AG_FACET_CITY] = " GROUP BY p.city_id",
        [AG_FACET_LANG] = " GROUP BY p.lang",
    };
    if (kind < AG_FACET_THREAT || kind > AG_FACET_LANG)
        return ag_error_set(err, AG_EINVAL, "no such facet");
    struct ag_buf sql;
    ag_buf_init(&sql, 16384);
    int rc = ag_buf_puts(&sql, heads[kind]);
    if (!rc)
        rc = where_of(&sql, f, (int)kind);
    if (!rc)
        rc = ag_buf_puts(&sql, tails[kind]);
    if (!rc)
        rc = ag_buf_puts(&sql, " ORDER BY 3 DESC, 2, 1");
    if (rc) {
        ag_buf_free(&sql);
        return ag_error_set(err, rc, "building a query of good practices");
    }
    sqlite3_stmt *st;
    rc = prepare_filtered(s, sql.data, f, &st, err);
    ag_buf_free(&sql);
    return rc ? rc : ag__step_all(s, st, read_facet, out, "counting good practices", err);
}

/* ---------- changing ---------- */

int ag_store_practice_update(struct ag_store *s, int64_t city_id, struct ag_practice *p,
                             const char *who, struct ag_error *err)
{
    int rc = check(p, err);
    if (rc)
        return rc;
    ag__utc_now(p->updated_at);
    rc = ag__tx_begin(s, err);
    if (rc)
        return rc;
    sqlite3_stmt *st;
    rc = ag__prepare(s,
                     "UPDATE practices SET title = ?2, what = ?3, place = ?4, problem = ?5, "
                     "threats = ?6, measure = ?7, cost_eur = ?8, results = ?9, contact = ?10, "
                     "lang = ?11, sharing = ?12, updated_at = ?13 WHERE id = ?1 AND city_id = ?14",
                     &st, err);
    if (!rc) {
        sqlite3_bind_int64(st, 1, p->id);
        bind_fields(st, p);
        sqlite3_bind_text(st, 13, p->updated_at, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 14, city_id);
        rc = ag__step_done(s, st, "changing a good practice", err);
    }
    if (!rc && !sqlite3_changes(s->db))
        rc = ag_error_set(err, AG_ENOTFOUND, "good practice %lld: no such entry of this city",
                          (long long)p->id);
    char target[64], detail[320];
    target_of(target, p->id);
    snprintf(detail, sizeof detail, "%s (%s)", p->title, p->sharing);
    if (!rc)
        rc = ag_store_audit(s, who, city_id, "practice.update", target, detail, err);
    if (!rc)
        rc = ag__tx_commit(s, err);
    if (rc)
        ag__tx_rollback(s);
    return rc;
}

static int read_title(sqlite3_stmt *st, void *out, struct ag_error *err)
{
    (void)err;
    ag__copy_text(st, 0, out, AG_PRACTICE_TITLE_MAX + 1);
    return 0;
}

int ag_store_practice_delete(struct ag_store *s, int64_t city_id, int64_t id, const char *who,
                             struct ag_error *err)
{
    int rc = ag__tx_begin(s, err);
    if (rc)
        return rc;
    sqlite3_stmt *st;
    char title[AG_PRACTICE_TITLE_MAX + 1] = "";
    rc = ag__select_one(s, "SELECT title FROM practices WHERE id = ?1 AND city_id = ?2", id,
                        city_id, read_title, title, "reading a good practice", err,
                        "good practice %lld: no such entry of this city", (long long)id);
    if (!rc)
        rc = ag__prepare(s, "DELETE FROM practices WHERE id = ?1", &st, err);
    if (!rc) {
        sqlite3_bind_int64(st, 1, id);
        rc = ag__step_done(s, st, "deleting a good practice", err);
    }
    char target[64];
    target_of(target, id);
    if (!rc)
        rc = ag_store_audit(s, who, city_id, "practice.delete", target, title, err);
    if (!rc)
        rc = ag__tx_commit(s, err);
    if (rc)
        ag__tx_rollback(s);
    return rc;
}
