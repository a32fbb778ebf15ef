/* The action plan of a partnership in the SQLite store (schema 9): actions
 * with their members, status reports, deliverables and links to member
 * cities' assessments and measures; meetings with their participants and
 * the actions they discussed. docs/internals/partnership.md, "Actions,
 * reports and meetings". SPDX-License-Identifier: EUPL-1.2 */
#include "agora/partnership.h"
#include "store/sqlite_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool ag_action_status_ok(const char *status)
{
    static const char *const ST[] = {"proposed", "ongoing", "implemented", "stopped"};
    for (size_t i = 0; status && i < sizeof ST / sizeof ST[0]; i++)
        if (!strcmp(status, ST[i]))
            return true;
    return false;
}

bool ag_url_ok(const char *url)
{
    if (!url || strlen(url) > 2000)
        return false;
    const char *host;
    if (!strncmp(url, "https://", 8))
        host = url + 8;
    else if (!strncmp(url, "http://", 7))
        host = url + 7;
    else
        return false;
    if (!*host || *host == '/' || *host == '?' || *host == '#')
        return false;
    for (const unsigned char *p = (const unsigned char *)url; *p; p++)
        if (*p <= 0x20 || *p == 0x7f || *p == '"' || *p == '<' || *p == '>' || *p == '\\')
            return false;
    return true;
}

/* ---------- small helpers ---------- */

static void target_of(char out[96], int64_t pid, const char *what, int64_t id)
{
    snprintf(out, 96, "partnership %lld, %s %lld", (long long)pid, what, (long long)id);
}

/* Whether the query (?1 a, ?2 b) returns a row; the first column as text
 * into col when it does (col may be NULL). */
struct first_col {
    bool found;
    char *col;
    size_t cap;
};

static int read_first_col(sqlite3_stmt *st, void *out, struct ag_error *err)
{
    (void)err;
    struct first_col *f = out;
    f->found = true;
    if (f->col)
        ag__copy_text(st, 0, f->col, f->cap);
    return 0;
}

static int row_of(struct ag_store *s, const char *sql, int64_t a, int64_t b, bool *found, char *col,
                  size_t cap, struct ag_error *err)
{
    struct first_col f = {false, col, cap};
    int rc = ag__select_one(s, sql, a, b, read_first_col, &f, "reading the action plan", err, NULL);
    *found = f.found;
    return rc;
}

static int action_in(struct ag_store *s, int64_t pid, int64_t aid, struct ag_error *err)
{
    bool found;
    int rc = row_of(s, "SELECT 1 FROM actions WHERE partnership_id = ?1 AND id = ?2", pid, aid,
                    &found, NULL, 0, err);
    if (!rc && !found)
        rc = ag_error_set(err, AG_ENOTFOUND, "action %lld: no such action in this partnership",
                          (long long)aid);
    return rc;
}

static int meeting_in(struct ag_store *s, int64_t pid, int64_t mid, struct ag_error *err)
{
    bool found;
    int rc = row_of(s, "SELECT 1 FROM meetings WHERE partnership_id = ?1 AND id = ?2", pid, mid,
                    &found, NULL, 0, err);
    if (!rc && !found)
        rc = ag_error_set(err, AG_ENOTFOUND, "meeting %lld: no such meeting in this partnership",
                          (long long)mid);
    return rc;
}

/* A member id given in field: a member of the partnership, active when
 * active is set. */
static int check_member(struct ag_store *s, int64_t pid, int64_t mid, bool active,
                        const char *field, struct ag_error *err)
{
    bool found;
    char state[16] = "";
    int rc =
        row_of(s, "SELECT state FROM partnership_members WHERE partnership_id = ?1 AND id = ?2",
               pid, mid, &found, state, sizeof state, err);
    if (!rc && !found)
        rc = ag_error_set(err, AG_EINVAL, "%s: not a member of this partnership", field);
    else if (!rc && active && strcmp(state, "active"))
        rc = ag_error_set(err, AG_EINVAL,
                          "%s: not an active member of this partnership (an invited city takes "
                          "part once it has accepted)",
                          field);
    return rc;
}

/* The ids of a list field: each one valid (check: member or action of the
 * partnership), none twice. */
static int check_ids(struct ag_store *s, int64_t pid, const char *name, const int64_t *ids,
                     size_t n, bool actions, struct ag_error *err)
{
    if (n > AG_LIST_MAX)
        return ag_error_set(err, AG_EINVAL, "%s: at most %d", name, AG_LIST_MAX);
    int rc = 0;
    for (size_t i = 0; !rc && i < n; i++) {
        char field[48];
        snprintf(field, sizeof field, "%s[%zu]", name, i + 1);
        for (size_t k = 0; k < i; k++)
            if (ids[k] == ids[i])
                return ag_error_set(err, AG_EINVAL, "%s: listed twice", field);
        if (!actions)
            rc = check_member(s, pid, ids[i], false, field, err);
        else {
            bool found;
            rc = row_of(s, "SELECT 1 FROM actions WHERE partnership_id = ?1 AND id = ?2", pid,
                        ids[i], &found, NULL, 0, err);
            if (!rc && !found)
                rc = ag_error_set(err, AG_EINVAL, "%s: not an action of this partnership", field);
        }
    }
    return rc;
}

/* Replaces the rows (owner, id) of a link table. */
static int set_list(struct ag_store *s, const char *del, const char *ins, int64_t owner,
                    const int64_t *ids, size_t n, struct ag_error *err)
{
    sqlite3_stmt *st;
    int rc = ag__prepare(s, del, &st, err);
    if (!rc) {
        sqlite3_bind_int64(st, 1, owner);
        rc = ag__step_done(s, st, "changing the action plan", err);
    }
    for (size_t i = 0; !rc && i < n; i++) {
        rc = ag__prepare(s, ins, &st, err);
        if (!rc) {
            sqlite3_bind_int64(st, 1, owner);
            sqlite3_bind_int64(st, 2, ids[i]);
            rc = ag__step_done(s, st, "changing the action plan", err);
        }
    }
    return rc;
}

/* A row (id, name) into a struct ag_named. */
static int read_named(sqlite3_stmt *st, void *out, struct ag_error *err)
{
    (void)err;
    struct ag_named *n = out;
    n->id = sqlite3_column_int64(st, 0);
    ag__copy_text(st, 1, n->name, sizeof n->name);
    return 0;
}

/* Rows (id, name) of a query with ?1 a, ?2 b into a vec of struct ag_named. */
static int named_rows(struct ag_store *s, const char *sql, int64_t a, int64_t b, struct ag_vec *out,
                      struct ag_error *err)
{
    return ag__select_all(s, sql, a, b, read_named, out, "reading the action plan", err);
}

static int too_long(const char *s, size_t max)
{
    return s && strlen(s) > max;
}

/* Appends ", what" (or "what") to a bounded detail line. */
static void detail_add(char *d, size_t cap, const char *what)
{
    size_t n = strlen(d);
    snprintf(d + n, cap - n, "%s%s", n ? ", " : "", what);
}

/* ---------- actions ---------- */

#define A_COLS                                                                                     \
    "a.id, a.partnership_id, a.title, a.objective, a.status, coalesce(a.leader, 0), "              \
    "coalesce(c.name, m.organisation, ''), a.created_at, a.created_by, a.updated_at, "             \
    "(SELECT max(r.at) FROM action_reports r WHERE r.action_id = a.id) "                           \
    "FROM actions a LEFT JOIN partnership_members m ON m.id = a.leader "                           \
    "LEFT JOIN cities c ON c.id = m.city_id "

static int read_action(sqlite3_stmt *st, void *out, struct ag_error *err)
{
    (void)err;
    struct ag_action *a = out;
    memset(a, 0, sizeof *a);
    a->id = sqlite3_column_int64(st, 0);
    a->partnership_id = sqlite3_column_int64(st, 1);
    ag__copy_text(st, 2, a->title, sizeof a->title);
    ag__copy_text(st, 3, a->objective, sizeof a->objective);
    ag__copy_text(st, 4, a->status, sizeof a->status);
    a->leader = sqlite3_column_int64(st, 5);
    ag__copy_text(st, 6, a->leader_name, sizeof a->leader_name);
    ag__copy_text(st, 7, a->created_at, sizeof a->created_at);
    ag__copy_text(st, 8, a->created_by, sizeof a->created_by);
    ag__copy_text(st, 9, a->updated_at, sizeof a->updated_at);
    ag__copy_text(st, 10, a->last_report, sizeof a->last_report);
    return 0;
}

int ag_store_action_get(struct ag_store *s, int64_t partnership_id, int64_t action_id,
                        struct ag_action *out, struct ag_error *err)
{
    return ag__select_one(s, "SELECT " A_COLS "WHERE a.partnership_id = ?1 AND a.id = ?2",
                          partnership_id, action_id, read_action, out, "reading an action", err,
                          "action %lld: no such action in this partnership", (long long)action_id);
}

int ag_store_actions(struct ag_store *s, int64_t partnership_id, struct ag_vec *out,
                     struct ag_error *err)
{
    return ag__select_all(s, "SELECT " A_COLS "WHERE a.partnership_id = ?1 ORDER BY a.id",
                          partnership_id, 0, read_action, out, "listing actions", err);
}

int ag_store_action_members(struct ag_store *s, int64_t partnership_id, int64_t action_id,
                            struct ag_vec *out, struct ag_error *err)
{
    int rc = action_in(s, partnership_id, action_id, err);
    return rc ? rc
              : named_rows(s,
                           "SELECT m.id, coalesce(c.name, m.organisation) FROM action_members am "
                           "JOIN partnership_members m ON m.id = am.member_id "
                           "LEFT JOIN cities c ON c.id = m.city_id WHERE am.action_id = ?1 "
                           "AND ?2 = ?2 ORDER BY 2, 1",
                           action_id, 0, out, err);
}

static int check_action_edit(const struct ag_action_edit *e, bool create, struct ag_error *err)
{
    if (create && !e->title)
        return ag_error_set(err, AG_EINVAL, "title: required");
    if (create && !e->set_leader)
        return ag_error_set(err, AG_EINVAL, "leader: required (a member of the partnership)");
    if (e->title && (!*e->title || too_long(e->title, AG_ACTION_TITLE_MAX)))
        return ag_error_set(err, AG_EINVAL, "title: expected 1 to %d bytes", AG_ACTION_TITLE_MAX);
    if (too_long(e->objective, AG_ACTION_TEXT_MAX))
        return ag_error_set(err, AG_EINVAL, "objective: at most %d bytes", AG_ACTION_TEXT_MAX);
    if (e->status && !ag_action_status_ok(e->status))
        return ag_error_set(err, AG_EINVAL,
                            "status: expected proposed, ongoing, implemented or stopped");
    return 0;
}

static int action_write(struct ag_store *s, int64_t pid, int64_t aid,
                        const struct ag_action_edit *e, int64_t *id_out, const char *who,
                        struct ag_error *err)
{
    bool create = aid == 0;
    int rc = check_action_edit(e, create, err);
    if (rc)
        return rc;
    rc = ag__tx_begin(s, err);
    if (rc)
        return rc;
    struct ag_action cur;
    memset(&cur, 0, sizeof cur);
    if (create) {
        bool found;
        rc = row_of(s, "SELECT 1 FROM partnerships WHERE id = ?1 AND ?2 = ?2", pid, 0, &found, NULL,
                    0, err);
        if (!rc && !found)
            rc = ag_error_set(err, AG_ENOTFOUND, "partnership %lld: no such partnership",
                              (long long)pid);
    } else
        rc = ag_store_action_get(s, pid, aid, &cur, err);
    if (!rc && e->set_leader)
        rc = check_member(s, pid, e->leader, true, "leader", err);
    if (!rc && e->set_members)
        rc = check_ids(s, pid, "members", e->members, e->nmembers, false, err);
    sqlite3_stmt *st;
    if (!rc && e->title) {
        bool found;
        rc = ag__prepare(s,
                         "SELECT 1 FROM actions WHERE partnership_id = ?1 AND title = ?2 AND "
                         "id <> ?3",
                         &st, err);
        if (!rc) {
            sqlite3_bind_int64(st, 1, pid);
            sqlite3_bind_text(st, 2, e->title, -1, SQLITE_STATIC);
            sqlite3_bind_int64(st, 3, aid);
            int step = sqlite3_step(st);
            found = step == SQLITE_ROW;
            if (step != SQLITE_ROW && step != SQLITE_DONE)
                rc = ag__db_fail(s, err, "reading actions");
            sqlite3_finalize(st);
            if (!rc && found)
                rc = ag_error_set(err, AG_EEXIST,
                                  "title: this partnership has an action called \"%s\" already",
                                  e->title);
        }
    }
    char now[32];
    ag__utc_now(now);
    if (!rc)
        rc = ag__prepare(s,
                         create ? "INSERT INTO actions (partnership_id, title, objective, status, "
                                  "leader, created_at, created_by, updated_at) VALUES (?1, ?2, "
                                  "coalesce(?3, ''), coalesce(?4, 'proposed'), ?6, ?7, ?8, ?7)"
                                : "UPDATE actions SET title = coalesce(?2, title), objective = "
                                  "coalesce(?3, objective), status = coalesce(?4, status), "
                                  "leader = CASE WHEN ?5 THEN ?6 ELSE leader END, updated_at = ?7 "
                                  "WHERE id = ?9",
                         &st, err);
    if (!rc) {
        sqlite3_bind_int64(st, 1, pid);
        if (e->title)
            sqlite3_bind_text(st, 2, e->title, -1, SQLITE_STATIC);
        if (e->objective)
            sqlite3_bind_text(st, 3, e->objective, -1, SQLITE_STATIC);
        if (e->status)
            sqlite3_bind_text(st, 4, e->status, -1, SQLITE_STATIC);
        sqlite3_bind_int(st, 5, e->set_leader);
        sqlite3_bind_int64(st, 6, e->leader);
        sqlite3_bind_text(st, 7, now, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 8, who ? who : "", -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 9, aid);
        rc = ag__step_done(s, st, create ? "adding an action" : "changing an action", err);
    }
    if (!rc && create)
        aid = sqlite3_last_insert_rowid(s->db);
    if (!rc && e->set_members)
        rc = set_list(s, "DELETE FROM action_members WHERE action_id = ?1",
                      "INSERT INTO action_members (action_id, member_id) VALUES (?1, ?2)", aid,
                      e->members, e->nmembers, err);
    char target[96], detail[512] = "";
    target_of(target, pid, "action", aid);
    if (create)
        snprintf(detail, sizeof detail, "%s", e->title);
    else {
        char part[300];
        if (e->title && strcmp(e->title, cur.title)) {
            snprintf(part, sizeof part, "title \"%s\"", e->title);
            detail_add(detail, sizeof detail, part);
        }
        if (e->objective && strcmp(e->objective, cur.objective))
            detail_add(detail, sizeof detail, "objective");
        if (e->status && strcmp(e->status, cur.status)) {
            snprintf(part, sizeof part, "status %s", e->status);
            detail_add(detail, sizeof detail, part);
        }
        if (e->set_leader && e->leader != cur.leader) {
            snprintf(part, sizeof part, "leader member %lld", (long long)e->leader);
            detail_add(detail, sizeof detail, part);
        }
        if (e->set_members)
            detail_add(detail, sizeof detail, "members");
    }
    if (!rc)
        rc = ag_store_audit(s, who, 0, create ? "action.create" : "action.update", target, detail,
                            err);
    if (!rc)
        rc = ag__tx_commit(s, err);
    if (rc)
        ag__tx_rollback(s);
    else if (id_out)
        *id_out = aid;
    return rc;
}

int ag_store_action_add(struct ag_store *s, int64_t partnership_id, const struct ag_action_edit *e,
                        int64_t *id, const char *who, struct ag_error *err)
{
    return action_write(s, partnership_id, 0, e, id, who, err);
}

int ag_store_action_update(struct ag_store *s, int64_t partnership_id, int64_t action_id,
                           const struct ag_action_edit *e, const char *who, struct ag_error *err)
{
    if (action_id <= 0)
        return ag_error_set(err, AG_ENOTFOUND, "action %lld: no such action in this partnership",
                            (long long)action_id);
    return action_write(s, partnership_id, action_id, e, NULL, who, err);
}

/* Sets the action's updated_at (and its status when status is not NULL). */
static int touch_action(struct ag_store *s, int64_t aid, const char *status, const char *now,
                        struct ag_error *err)
{
    sqlite3_stmt *st;
    int rc = ag__prepare(
        s, "UPDATE actions SET status = coalesce(?2, status), updated_at = ?3 WHERE id = ?1", &st,
        err);
    if (rc)
        return rc;
    sqlite3_bind_int64(st, 1, aid);
    if (status)
        sqlite3_bind_text(st, 2, status, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, now, -1, SQLITE_STATIC);
    return ag__step_done(s, st, "changing an action", err);
}

/* ---------- status reports ---------- */

int ag_store_action_report_add(struct ag_store *s, int64_t partnership_id, int64_t action_id,
                               struct ag_action_report *r, const char *who, struct ag_error *err)
{
    if (!ag_action_status_ok(r->status))
        return ag_error_set(err, AG_EINVAL,
                            "status: expected proposed, ongoing, implemented or stopped");
    if (!*r->text || too_long(r->text, AG_ACTION_TEXT_MAX))
        return ag_error_set(err, AG_EINVAL, "text: expected 1 to %d bytes", AG_ACTION_TEXT_MAX);
    if (too_long(r->next_steps, AG_ACTION_TEXT_MAX))
        return ag_error_set(err, AG_EINVAL, "next_steps: at most %d bytes", AG_ACTION_TEXT_MAX);
    int rc = ag__tx_begin(s, err);
    if (rc)
        return rc;
    rc = action_in(s, partnership_id, action_id, err);
    r->action_id = action_id;
    ag__utc_now(r->at);
    snprintf(r->author, sizeof r->author, "%s", who ? who : "");
    sqlite3_stmt *st;
    if (!rc)
        rc = ag__prepare(s,
                         "INSERT INTO action_reports (action_id, at, author, status, text, "
                         "next_steps) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                         &st, err);
    if (!rc) {
        sqlite3_bind_int64(st, 1, action_id);
        sqlite3_bind_text(st, 2, r->at, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, r->author, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 4, r->status, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 5, r->text, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 6, r->next_steps, -1, SQLITE_STATIC);
        rc = ag__step_done(s, st, "adding a status report", err);
    }
    if (!rc) {
        r->id = sqlite3_last_insert_rowid(s->db);
        rc = touch_action(s, action_id, r->status, r->at, err);
    }
    char target[96], detail[64];
    target_of(target, partnership_id, "action", action_id);
    snprintf(detail, sizeof detail, "report %lld, status %s", (long long)r->id, r->status);
    if (!rc)
        rc = ag_store_audit(s, who, 0, "action.report", target, detail, err);
    if (!rc)
        rc = ag__tx_commit(s, err);
    if (rc)
        ag__tx_rollback(s);
    return rc;
}

static int read_report(sqlite3_stmt *st, void *out, struct ag_error *err)
{
    (void)err;
    struct ag_action_report *r = out;
    r->id = sqlite3_column_int64(st, 0);
    r->action_id = sqlite3_column_int64(st, 1);
    ag__copy_text(st, 2, r->at, sizeof r->at);
    ag__copy_text(st, 3, r->author, sizeof r->author);
    ag__copy_text(st, 4, r->status, sizeof r->status);
    ag__copy_text(st, 5, r->text, sizeof r->text);
    ag__copy_text(st, 6, r->next_steps, sizeof r->next_steps);
    return 0;
}

int ag_store_action_reports(struct ag_store *s, int64_t partnership_id, int64_t action_id,
                            struct ag_vec *out, struct ag_error *err)
{
    int rc = action_in(s, partnership_id, action_id, err);
    return rc ? rc
              : ag__select_all(s,
                               "SELECT id, action_id, at, author, status, text, next_steps FROM "
                               "action_reports WHERE action_id = ?1 ORDER BY at DESC, id DESC",
                               action_id, 0, read_report, out, "listing status reports", err);
}

/* ---------- deliverables ---------- */

int ag_store_deliverable_add(struct ag_store *s, int64_t partnership_id, int64_t action_id,
                             struct ag_deliverable *d, const char *who, struct ag_error *err)
{
    if (!*d->title || too_long(d->title, AG_ACTION_TITLE_MAX))
        return ag_error_set(err, AG_EINVAL, "title: expected 1 to %d bytes", AG_ACTION_TITLE_MAX);
    if (*d->url && !ag_url_ok(d->url))
        return ag_error_set(err, AG_EINVAL,
                            "url: expected an http:// or https:// address of at most 2000 bytes");
    int rc = ag__tx_begin(s, err);
    if (rc)
        return rc;
    rc = action_in(s, partnership_id, action_id, err);
    d->action_id = action_id;
    ag__utc_now(d->added_at);
    snprintf(d->added_by, sizeof d->added_by, "%s", who ? who : "");
    sqlite3_stmt *st;
    if (!rc)
        rc = ag__prepare(s,
                         "INSERT INTO action_deliverables (action_id, title, url, added_at, "
                         "added_by) VALUES (?1, ?2, ?3, ?4, ?5)",
                         &st, err);
    if (!rc) {
        sqlite3_bind_int64(st, 1, action_id);
        sqlite3_bind_text(st, 2, d->title, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, d->url, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 4, d->added_at, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 5, d->added_by, -1, SQLITE_STATIC);
        rc = ag__step_done(s, st, "adding a deliverable", err);
    }
    if (!rc) {
        d->id = sqlite3_last_insert_rowid(s->db);
        rc = touch_action(s, action_id, NULL, d->added_at, err);
    }
    char target[96];
    target_of(target, partnership_id, "action", action_id);
    if (!rc)
        rc = ag_store_audit(s, who, 0, "action.deliverable", target, d->title, err);
    if (!rc)
        rc = ag__tx_commit(s, err);
    if (rc)
        ag__tx_rollback(s);
    return rc;
}

static int read_deliverable(sqlite3_stmt *st, void *out, struct ag_error *err)
{
    (void)err;
    struct ag_deliverable *d = out;
    d->id = sqlite3_column_int64(st, 0);
    d->action_id = sqlite3_column_int64(st, 1);
    ag__copy_text(st, 2, d->title, sizeof d->title);
    ag__copy_text(st, 3, d->url, sizeof d->url);
    ag__copy_text(st, 4, d->added_at, sizeof d->added_at);
    ag__copy_text(st, 5, d->added_by, sizeof d->added_by);
    return 0;
}

int ag_store_deliverables(struct ag_store *s, int64_t partnership_id, int64_t action_id,
                          struct ag_vec *out, struct ag_error *err)
{
    int rc = action_in(s, partnership_id, action_id, err);
    return rc ? rc
              : ag__select_all(s,
                               "SELECT id, action_id, title, url, added_at, added_by FROM "
                               "action_deliverables WHERE action_id = ?1 ORDER BY id",
                               action_id, 0, read_deliverable, out, "listing deliverables", err);
}

/* ---------- links to member cities' assessments and measures ---------- */

/* Links of an action whose city is an active member of the action's
 * partnership (a city that left takes its links with it). */
#define L_SQL                                                                                      \
    "SELECT l.id, l.action_id, l.city_id, c.name, coalesce(l.measure, ''), "                       \
    "coalesce(l.assessment_id, 0), coalesce(sp.id, 0), coalesce(sp.name, ''), "                    \
    "coalesce(x.version, 0), coalesce(x.sharing, ''), coalesce(x.share_details, 0) "               \
    "FROM action_links l JOIN actions a ON a.id = l.action_id "                                    \
    "JOIN cities c ON c.id = l.city_id "                                                           \
    "JOIN partnership_members pm ON pm.partnership_id = a.partnership_id AND pm.city_id = "        \
    "l.city_id AND pm.state = 'active' "                                                           \
    "LEFT JOIN assessments x ON x.id = l.assessment_id "                                           \
    "LEFT JOIN spaces sp ON sp.id = x.space_id "

static int read_link(sqlite3_stmt *st, void *out, struct ag_error *err)
{
    (void)err;
    struct ag_action_link *l = out;
    memset(l, 0, sizeof *l);
    l->id = sqlite3_column_int64(st, 0);
    l->action_id = sqlite3_column_int64(st, 1);
    l->city_id = sqlite3_column_int64(st, 2);
    ag__copy_text(st, 3, l->city, sizeof l->city);
    ag__copy_text(st, 4, l->measure, sizeof l->measure);
    l->assessment_id = sqlite3_column_int64(st, 5);
    l->space_id = sqlite3_column_int64(st, 6);
    ag__copy_text(st, 7, l->space, sizeof l->space);
    l->version = sqlite3_column_int(st, 8);
    ag__copy_text(st, 9, l->sharing, sizeof l->sharing);
    l->share_details = sqlite3_column_int(st, 10) != 0;
    return 0;
}

static int links_query(struct ag_store *s, const char *where, int64_t a, int64_t b,
                       struct ag_vec *out, struct ag_action_link *one, struct ag_error *err)
{
    char sql[1200];
    snprintf(sql, sizeof sql, "%s%s", L_SQL, where);
    return one ? ag__select_one(s, sql, a, b, read_link, one, "listing action links", err, NULL)
               : ag__select_all(s, sql, a, b, read_link, out, "listing action links", err);
}

int ag_store_action_link_add(struct ag_store *s, int64_t partnership_id, int64_t action_id,
                             struct ag_action_link *l, const char *who, struct ag_error *err)
{
    if (l->city_id <= 0)
        return ag_error_set(err, AG_EINVAL, "city: expected the id of a member city");
    if (l->assessment_id < 0 || (!l->assessment_id && !*l->measure))
        return ag_error_set(err, AG_EINVAL,
                            "expected an \"assessment\" of the city, a \"measure\" of the "
                            "catalogue, or both");
    int rc = ag__tx_begin(s, err);
    if (rc)
        return rc;
    rc = action_in(s, partnership_id, action_id, err);
    bool found;
    char state[16] = "";
    if (!rc)
        rc = row_of(s,
                    "SELECT state FROM partnership_members WHERE partnership_id = ?1 AND "
                    "city_id = ?2",
                    partnership_id, l->city_id, &found, state, sizeof state, err);
    if (!rc && (!found || strcmp(state, "active")))
        rc = ag_error_set(err, AG_EINVAL, "city: not an active member city of this partnership");
    if (!rc && l->assessment_id) {
        rc = row_of(s, "SELECT 1 FROM assessments WHERE id = ?1 AND city_id = ?2", l->assessment_id,
                    l->city_id, &found, NULL, 0, err);
        if (!rc && !found)
            rc = ag_error_set(err, AG_EINVAL, "assessment: not an assessment of that city");
    }
    sqlite3_stmt *st;
    if (!rc)
        rc = ag__prepare(s,
                         "SELECT 1 FROM action_links WHERE action_id = ?1 AND city_id = ?2 AND "
                         "coalesce(assessment_id, 0) = ?3 AND coalesce(measure, '') = ?4",
                         &st, err);
    if (!rc) {
        sqlite3_bind_int64(st, 1, action_id);
        sqlite3_bind_int64(st, 2, l->city_id);
        sqlite3_bind_int64(st, 3, l->assessment_id);
        sqlite3_bind_text(st, 4, l->measure, -1, SQLITE_STATIC);
        int step = sqlite3_step(st);
        if (step == SQLITE_ROW)
            rc = ag_error_set(err, AG_EEXIST, "the action has this link already");
        else if (step != SQLITE_DONE)
            rc = ag__db_fail(s, err, "reading action links");
        sqlite3_finalize(st);
    }
    if (!rc)
        rc = ag__prepare(s,
                         "INSERT INTO action_links (action_id, city_id, assessment_id, measure) "
                         "VALUES (?1, ?2, nullif(?3, 0), nullif(?4, ''))",
                         &st, err);
    if (!rc) {
        sqlite3_bind_int64(st, 1, action_id);
        sqlite3_bind_int64(st, 2, l->city_id);
        sqlite3_bind_int64(st, 3, l->assessment_id);
        sqlite3_bind_text(st, 4, l->measure, -1, SQLITE_STATIC);
        rc = ag__step_done(s, st, "adding an action link", err);
    }
    char now[32];
    ag__utc_now(now);
    if (!rc) {
        int64_t id = sqlite3_last_insert_rowid(s->db);
        rc = links_query(s, "WHERE l.id = ?1 AND ?2 = ?2", id, 0, NULL, l, err);
    }
    if (!rc)
        rc = touch_action(s, action_id, NULL, now, err);
    char target[96], detail[160] = "", part[96];
    target_of(target, partnership_id, "action", action_id);
    if (l->assessment_id) {
        snprintf(part, sizeof part, "assessment %lld", (long long)l->assessment_id);
        detail_add(detail, sizeof detail, part);
    }
    if (*l->measure) {
        snprintf(part, sizeof part, "measure %s", l->measure);
        detail_add(detail, sizeof detail, part);
    }
    if (!rc)
        rc = ag_store_audit(s, who, l->city_id, "action.link", target, detail, err);
    if (!rc)
        rc = ag__tx_commit(s, err);
    if (rc)
        ag__tx_rollback(s);
    return rc;
}

int ag_store_action_links(struct ag_store *s, int64_t partnership_id, int64_t action_id,
                          struct ag_vec *out, struct ag_error *err)
{
    int rc = action_in(s, partnership_id, action_id, err);
    return rc ? rc
              : links_query(s, "WHERE l.action_id = ?1 AND ?2 = ?2 ORDER BY c.name, l.id",
                            action_id, 0, out, NULL, err);
}

static int read_meeting_ref(sqlite3_stmt *st, void *out, struct ag_error *err)
{
    (void)err;
    struct ag_meeting_ref *m = out;
    m->id = sqlite3_column_int64(st, 0);
    ag__copy_text(st, 1, m->date, sizeof m->date);
    ag__copy_text(st, 2, m->place, sizeof m->place);
    return 0;
}

int ag_store_action_meetings(struct ag_store *s, int64_t partnership_id, int64_t action_id,
                             struct ag_vec *out, struct ag_error *err)
{
    int rc = action_in(s, partnership_id, action_id, err);
    return rc ? rc
              : ag__select_all(s,
                               "SELECT m.id, m.date, m.place FROM meeting_actions ma JOIN "
                               "meetings m ON m.id = ma.meeting_id WHERE ma.action_id = ?1 "
                               "ORDER BY m.date DESC, m.id DESC",
                               action_id, 0, read_meeting_ref, out, "listing an action's meetings",
                               err);
}

/* ---------- meetings ---------- */

#define MT_COLS                                                                                    \
    "id, partnership_id, date, place, agenda, minutes, outcomes, created_by, updated_at FROM "     \
    "meetings "

static int read_meeting(sqlite3_stmt *st, void *out, struct ag_error *err)
{
    (void)err;
    struct ag_meeting *m = out;
    memset(m, 0, sizeof *m);
    m->id = sqlite3_column_int64(st, 0);
    m->partnership_id = sqlite3_column_int64(st, 1);
    ag__copy_text(st, 2, m->date, sizeof m->date);
    ag__copy_text(st, 3, m->place, sizeof m->place);
    ag__copy_text(st, 4, m->agenda, sizeof m->agenda);
    ag__copy_text(st, 5, m->minutes, sizeof m->minutes);
    ag__copy_text(st, 6, m->outcomes, sizeof m->outcomes);
    ag__copy_text(st, 7, m->created_by, sizeof m->created_by);
    ag__copy_text(st, 8, m->updated_at, sizeof m->updated_at);
    return 0;
}

int ag_store_meeting_get(struct ag_store *s, int64_t partnership_id, int64_t meeting_id,
                         struct ag_meeting *out, struct ag_error *err)
{
    return ag__select_one(s, "SELECT " MT_COLS "WHERE partnership_id = ?1 AND id = ?2",
                          partnership_id, meeting_id, read_meeting, out, "reading a meeting", err,
                          "meeting %lld: no such meeting in this partnership",
                          (long long)meeting_id);
}

int ag_store_meetings(struct ag_store *s, int64_t partnership_id, struct ag_vec *out,
                      struct ag_error *err)
{
    return ag__select_all(s,
                          "SELECT " MT_COLS "WHERE partnership_id = ?1 ORDER BY date DESC, id DESC",
                          partnership_id, 0, read_meeting, out, "listing meetings", err);
}

int ag_store_meeting_participants(struct ag_store *s, int64_t partnership_id, int64_t meeting_id,
                                  struct ag_vec *out, struct ag_error *err)
{
    int rc = meeting_in(s, partnership_id, meeting_id, err);
    return rc ? rc
              : named_rows(s,
                           "SELECT m.id, coalesce(c.name, m.organisation) FROM "
                           "meeting_participants mp JOIN partnership_members m ON m.id = "
                           "mp.member_id LEFT JOIN cities c ON c.id = m.city_id WHERE "
                           "mp.meeting_id = ?1 AND ?2 = ?2 ORDER BY 2, 1",
                           meeting_id, 0, out, err);
}

int ag_store_meeting_actions(struct ag_store *s, int64_t partnership_id, int64_t meeting_id,
                             struct ag_vec *out, struct ag_error *err)
{
    int rc = meeting_in(s, partnership_id, meeting_id, err);
    return rc ? rc
              : named_rows(s,
                           "SELECT a.id, a.title FROM meeting_actions ma JOIN actions a ON a.id "
                           "= ma.action_id WHERE ma.meeting_id = ?1 AND a.partnership_id = ?2 "
                           "ORDER BY a.id",
                           meeting_id, partnership_id, out, err);
}

static int check_meeting_edit(const struct ag_meeting_edit *e, bool create, struct ag_error *err)
{
    if ((create || e->date) && !ag_date_ok(e->date))
        return ag_error_set(err, AG_EINVAL, "date: expected YYYY-MM-DD");
    if (too_long(e->place, AG_ACTION_TITLE_MAX))
        return ag_error_set(err, AG_EINVAL, "place: at most %d bytes", AG_ACTION_TITLE_MAX);
    if (too_long(e->agenda, AG_ACTION_TEXT_MAX))
        return ag_error_set(err, AG_EINVAL, "agenda: at most %d bytes", AG_ACTION_TEXT_MAX);
    if (too_long(e->minutes, AG_MEETING_MINUTES_MAX))
        return ag_error_set(err, AG_EINVAL, "minutes: at most %d bytes", AG_MEETING_MINUTES_MAX);
    if (too_long(e->outcomes, AG_ACTION_TEXT_MAX))
        return ag_error_set(err, AG_EINVAL, "outcomes: at most %d bytes", AG_ACTION_TEXT_MAX);
    return 0;
}

static int meeting_write(struct ag_store *s, int64_t pid, int64_t mid,
                         const struct ag_meeting_edit *e, int64_t *id_out, const char *who,
                         struct ag_error *err)
{
    bool create = mid == 0;
    int rc = check_meeting_edit(e, create, err);
    if (rc)
        return rc;
    rc = ag__tx_begin(s, err);
    if (rc)
        return rc;
    if (create) {
        bool found;
        rc = row_of(s, "SELECT 1 FROM partnerships WHERE id = ?1 AND ?2 = ?2", pid, 0, &found, NULL,
                    0, err);
        if (!rc && !found)
            rc = ag_error_set(err, AG_ENOTFOUND, "partnership %lld: no such partnership",
                              (long long)pid);
    } else
        rc = meeting_in(s, pid, mid, err);
    if (!rc && e->set_participants)
        rc = check_ids(s, pid, "participants", e->participants, e->nparticipants, false, err);
    if (!rc && e->set_actions)
        rc = check_ids(s, pid, "actions", e->actions, e->nactions, true, err);
    char now[32];
    ag__utc_now(now);
    sqlite3_stmt *st;
    if (!rc)
        rc = ag__prepare(s,
                         create ? "INSERT INTO meetings (partnership_id, date, place, agenda, "
                                  "minutes, outcomes, created_by, updated_at) VALUES (?1, ?2, "
                                  "coalesce(?3, ''), coalesce(?4, ''), coalesce(?5, ''), "
                                  "coalesce(?6, ''), ?7, ?8)"
                                : "UPDATE meetings SET date = coalesce(?2, date), place = "
                                  "coalesce(?3, place), agenda = coalesce(?4, agenda), minutes = "
                                  "coalesce(?5, minutes), outcomes = coalesce(?6, outcomes), "
                                  "updated_at = ?8 WHERE id = ?9 AND ?1 = ?1 AND ?7 = ?7",
                         &st, err);
    if (!rc) {
        sqlite3_bind_int64(st, 1, pid);
        const char *f[] = {e->date, e->place, e->agenda, e->minutes, e->outcomes};
        for (int i = 0; i < 5; i++)
            if (f[i])
                sqlite3_bind_text(st, 2 + i, f[i], -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 7, who ? who : "", -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 8, now, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 9, mid);
        rc = ag__step_done(s, st, create ? "adding a meeting" : "changing a meeting", err);
    }
    if (!rc && create)
        mid = sqlite3_last_insert_rowid(s->db);
    if (!rc && e->set_participants)
        rc = set_list(s, "DELETE FROM meeting_participants WHERE meeting_id = ?1",
                      "INSERT INTO meeting_participants (meeting_id, member_id) VALUES (?1, ?2)",
                      mid, e->participants, e->nparticipants, err);
    if (!rc && e->set_actions)
        rc = set_list(s, "DELETE FROM meeting_actions WHERE meeting_id = ?1",
                      "INSERT INTO meeting_actions (meeting_id, action_id) VALUES (?1, ?2)", mid,
                      e->actions, e->nactions, err);
    char target[96], detail[400] = "";
    target_of(target, pid, "meeting", mid);
    if (create)
        snprintf(detail, sizeof detail, "%s %s", e->date, e->place ? e->place : "");
    else {
        static const char *const names[] = {"date", "place", "agenda", "minutes", "outcomes"};
        const char *f[] = {e->date, e->place, e->agenda, e->minutes, e->outcomes};
        for (int i = 0; i < 5; i++)
            if (f[i])
                detail_add(detail, sizeof detail, names[i]);
        if (e->set_participants)
            detail_add(detail, sizeof detail, "participants");
        if (e->set_actions)
            detail_add(detail, sizeof detail, "actions");
    }
    if (!rc)
        rc = ag_store_audit(s, who, 0, create ? "meeting.create" : "meeting.update", target, detail,
                            err);
    if (!rc)
        rc = ag__tx_commit(s, err);
    if (rc)
        ag__tx_rollback(s);
    else if (id_out)
        *id_out = mid;
    return rc;
}

int ag_store_meeting_add(struct ag_store *s, int64_t partnership_id,
                         const struct ag_meeting_edit *e, int64_t *id, const char *who,
                         struct ag_error *err)
{
    return meeting_write(s, partnership_id, 0, e, id, who, err);
}

int ag_store_meeting_update(struct ag_store *s, int64_t partnership_id, int64_t meeting_id,
                            const struct ag_meeting_edit *e, const char *who, struct ag_error *err)
{
    if (meeting_id <= 0)
        return ag_error_set(err, AG_ENOTFOUND, "meeting %lld: no such meeting in this partnership",
                            (long long)meeting_id);
    return meeting_write(s, partnership_id, meeting_id, e, NULL, who, err);
}
