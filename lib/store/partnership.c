/* Partnerships and their members in the SQLite store (schema 9;
 * docs/internals/partnership.md). SPDX-License-Identifier: EUPL-1.2 */
#include "agora/partnership.h"
#include "store/sqlite_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const PROLES[] = {"", "observer", "member", "action_leader", "coordinator"};

const char *ag_prole_name(enum ag_prole r)
{
    return r >= AG_PROLE_NONE && r <= AG_PROLE_COORDINATOR ? PROLES[r] : "";
}

enum ag_prole ag_prole_parse(const char *name)
{
    for (int r = AG_PROLE_OBSERVER; r <= AG_PROLE_COORDINATOR; r++)
        if (name && !strcmp(name, PROLES[r]))
            return (enum ag_prole)r;
    return AG_PROLE_NONE;
}

bool ag_pmember_kind_ok(const char *kind)
{
    static const char *const KINDS[] = {"city",    "police",  "operator",
                                        "eu_body", "network", "other"};
    for (size_t i = 0; kind && i < sizeof KINDS / sizeof KINDS[0]; i++)
        if (!strcmp(kind, KINDS[i]))
            return true;
    return false;
}

bool ag_date_ok(const char *s)
{
    int y, m, d;
    char tail;
    if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-' ||
        sscanf(s, "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3 || y < 1900 || y > 2200 || m < 1 ||
        m > 12 || d < 1)
        return false;
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return d <= days[m - 1] + (m == 2 && leap);
}

/* ---------- partnerships ---------- */

#define P_COLS "p.id, p.name, p.description, p.starts, p.ends, p.created_at, p.created_by"

static int read_partnership(sqlite3_stmt *st, void *out, struct ag_error *err)
{
    (void)err;
    struct ag_partnership *p = out;
    memset(p, 0, sizeof *p);
    p->id = sqlite3_column_int64(st, 0);
    ag__copy_text(st, 1, p->name, sizeof p->name);
    ag__copy_text(st, 2, p->description, sizeof p->description);
    ag__copy_text(st, 3, p->starts, sizeof p->starts);
    ag__copy_text(st, 4, p->ends, sizeof p->ends);
    ag__copy_text(st, 5, p->created_at, sizeof p->created_at);
    ag__copy_text(st, 6, p->created_by, sizeof p->created_by);
    return 0;
}

static void target_of(char out[64], int64_t pid)
{
    snprintf(out, 64, "partnership %lld", (long long)pid);
}

int ag_store_partnership_add(struct ag_store *s, struct ag_partnership *p, int64_t city_id,
                             const char *who, struct ag_error *err)
{
    ag__utc_now(p->created_at);
    snprintf(p->created_by, sizeof p->created_by, "%s", who);
    int rc = ag__tx_begin(s, err);
    if (rc)
        return rc;
    sqlite3_stmt *st;
    rc = ag__prepare(s, "SELECT 1 FROM partnerships WHERE name = ?1", &st, err);
    if (!rc) {
        sqlite3_bind_text(st, 1, p->name, -1, SQLITE_STATIC);
        int step = sqlite3_step(st);
        if (step == SQLITE_ROW)
            rc = ag_error_set(err, AG_EEXIST, "a partnership is already called \"%s\"", p->name);
        else if (step != SQLITE_DONE)
            rc = ag__db_fail(s, err, "reading partnerships");
        sqlite3_finalize(st);
    }
    if (!rc)
        rc = ag__prepare(s,
                         "INSERT INTO partnerships (name, description, starts, ends, created_at, "
                         "created_by) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                         &st, err);
    if (!rc) {
        sqlite3_bind_text(st, 1, p->name, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, p->description, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, p->starts, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 4, p->ends, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 5, p->created_at, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 6, p->created_by, -1, SQLITE_STATIC);
        rc = ag__step_done(s, st, "adding a partnership", err);
    }
    if (!rc) {
        p->id = sqlite3_last_insert_rowid(s->db);
        rc = ag__prepare(s,
                         "INSERT INTO partnership_members (partnership_id, city_id, kind, role, "
                         "state, since) VALUES (?1, ?2, 'city', 'coordinator', 'active', ?3)",
                         &st, err);
    }
    if (!rc) {
        sqlite3_bind_int64(st, 1, p->id);
        sqlite3_bind_int64(st, 2, city_id);
        sqlite3_bind_text(st, 3, p->created_at, -1, SQLITE_STATIC);
        rc = ag__step_done(s, st, "adding the coordinating city", err);
    }
    char target[64];
    target_of(target, p->id);
    if (!rc)
        rc = ag_store_audit(s, who, city_id, "partnership.create", target, p->name, err);
    if (!rc)
        rc = ag__tx_commit(s, err);
    if (rc)
        ag__tx_rollback(s);
    return rc;
}

int ag_store_partnership_get(struct ag_store *s, int64_t id, struct ag_partnership *out,
                             struct ag_error *err)
{
    return ag__select_one(s, "SELECT " P_COLS " FROM partnerships p WHERE p.id = ?1", id, 0,
                          read_partnership, out, "reading a partnership", err,
                          "partnership %lld: no such partnership", (long long)id);
}

/* The members a user acts for, as SQL: rows (member id, role, state, the
 * user's role in the member city or NULL). ?1 the user. */
#define ACTS_FOR                                                                                   \
    "SELECT m.id AS member_id, m.partnership_id, m.role, m.state, g.role AS city_role "            \
    "FROM partnership_members m JOIN grants g ON g.city_id = m.city_id AND g.user_id = ?1 "        \
    "UNION ALL "                                                                                   \
    "SELECT m.id, m.partnership_id, m.role, m.state, NULL FROM partnership_members m "             \
    "JOIN partnership_people pp ON pp.member_id = m.id AND pp.user_id = ?1"

/* A member's role as it reaches a user: a viewer of a member city only
 * observes. */
static enum ag_prole reach(const char *member_role, const char *city_role)
{
    enum ag_prole r = ag_prole_parse(member_role);
    if (city_role && !strcmp(city_role, "viewer") && r > AG_PROLE_OBSERVER)
        r = AG_PROLE_OBSERVER;
    return r;
}

int ag_store_partnerships_of(struct ag_store *s, int64_t user_id, bool admin, struct ag_vec *out,
                             struct ag_error *err)
{
    sqlite3_stmt *st;
    int rc = ag__prepare(
        s,
        admin
            ? "SELECT " P_COLS ", 'coordinator', 'active', NULL FROM partnerships p ORDER BY p.name"
            : "SELECT " P_COLS ", a.role, a.state, a.city_role FROM partnerships p JOIN (" ACTS_FOR
              ") a ON a.partnership_id = p.id ORDER BY p.name, p.id",
        &st, err);
    if (rc)
        return rc;
    sqlite3_bind_int64(st, 1, user_id);
    int step;
    while (!rc && (step = sqlite3_step(st)) == SQLITE_ROW) {
        struct ag_partnership p;
        read_partnership(st, &p, NULL);
        const char *state = (const char *)sqlite3_column_text(st, 8);
        const char *city_role = (const char *)sqlite3_column_text(st, 9);
        bool active = state && !strcmp(state, "active");
        enum ag_prole r = reach((const char *)sqlite3_column_text(st, 7), city_role);
        /* an invitation shows to the coordinators of the invited city only */
        bool can_accept = !active && city_role && !strcmp(city_role, "coordinator");
        if (!active && !can_accept)
            continue;
        struct ag_partnership *last =
            out->len ? &AG_VEC_AT(out, struct ag_partnership, out->len - 1) : NULL;
        if (last && last->id == p.id) { /* one row per member the user acts for */
            if (active && r > last->role)
                last->role = r;
            last->invited |= can_accept;
            continue;
        }
        p.role = active ? r : AG_PROLE_NONE;
        p.invited = can_accept;
        if (!ag_vec_push(out, &p))
            rc = ag_error_set(err, AG_ENOMEM, "out of memory");
    }
    if (!rc && step != SQLITE_DONE)
        rc = ag__db_fail(s, err, "listing partnerships");
    sqlite3_finalize(st);
    return rc;
}

int ag_store_partnership_update(struct ag_store *s, int64_t id, const char *description,
                                const char *ends, const char *who, struct ag_error *err)
{
    struct ag_partnership p;
    int rc = ag__tx_begin(s, err);
    if (rc)
        return rc;
    rc = ag_store_partnership_get(s, id, &p, err);
    if (!rc && ends && strcmp(ends, p.starts) < 0)
        rc = ag_error_set(err, AG_EINVAL, "ends: %s is before the start, %s", ends, p.starts);
    sqlite3_stmt *st;
    if (!rc)
        rc = ag__prepare(s,
                         "UPDATE partnerships SET description = coalesce(?2, description), "
                         "ends = coalesce(?3, ends) WHERE id = ?1",
                         &st, err);
    if (!rc) {
        sqlite3_bind_int64(st, 1, id);
        if (description)
            sqlite3_bind_text(st, 2, description, -1, SQLITE_STATIC);
        if (ends)
            sqlite3_bind_text(st, 3, ends, -1, SQLITE_STATIC);
        rc = ag__step_done(s, st, "changing a partnership", err);
    }
    char target[64], detail[96];
    target_of(target, id);
    snprintf(detail, sizeof detail, "ends %s (was %s)", ends ? ends : p.ends, p.ends);
    if (!rc)
        rc = ag_store_audit(
            s, who, 0, ends && strcmp(ends, p.ends) ? "partnership.prolong" : "partnership.update",
            target, detail, err);
    if (!rc)
        rc = ag__tx_commit(s, err);
    if (rc)
        ag__tx_rollback(s);
    return rc;
}

/* ---------- who acts for whom ---------- */

int ag_store_partner_role(struct ag_store *s, int64_t user_id, int64_t partnership_id,
                          enum ag_prole *out, struct ag_error *err)
{
    *out = AG_PROLE_NONE;
    sqlite3_stmt *st;
    int rc = ag__prepare(s,
                         "SELECT a.role, a.city_role FROM (" ACTS_FOR
                         ") a WHERE a.partnership_id = ?2 AND a.state = 'active'",
                         &st, err);
    if (rc)
        return rc;
    sqlite3_bind_int64(st, 1, user_id);
    sqlite3_bind_int64(st, 2, partnership_id);
    int step;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        enum ag_prole r = reach((const char *)sqlite3_column_text(st, 0),
                                (const char *)sqlite3_column_text(st, 1));
        if (r > *out)
            *out = r;
    }
    if (step != SQLITE_DONE)
        rc = ag__db_fail(s, err, "reading a partnership role");
    sqlite3_finalize(st);
    return rc;
}

/* A row found: the bool out set. */
static int read_true(sqlite3_stmt *st, void *out, struct ag_error *err)
{
    (void)st, (void)err;
    *(bool *)out = true;
    return 0;
}

int ag_store_acts_for(struct ag_store *s, int64_t user_id, int64_t member_id, bool *out,
                      struct ag_error *err)
{
    *out = false;
    return ag__select_one(s, "SELECT 1 FROM (" ACTS_FOR ") a WHERE a.member_id = ?2", user_id,
                          member_id, read_true, out, "reading a partnership member", err, NULL);
}

/* ---------- members ---------- */

#define M_COLS                                                                                     \
    "m.id, m.partnership_id, coalesce(m.city_id, 0), coalesce(c.name, m.organisation), m.kind, "   \
    "m.role, m.state, m.since, (SELECT count(*) FROM partnership_people pp WHERE pp.member_id = "  \
    "m.id) "                                                                                       \
    "FROM partnership_members m LEFT JOIN cities c ON c.id = m.city_id "

static int read_member(sqlite3_stmt *st, void *out, struct ag_error *err)
{
    (void)err;
    struct ag_pmember *m = out;
    memset(m, 0, sizeof *m);
    m->id = sqlite3_column_int64(st, 0);
    m->partnership_id = sqlite3_column_int64(st, 1);
    m->city_id = sqlite3_column_int64(st, 2);
    ag__copy_text(st, 3, m->name, sizeof m->name);
    ag__copy_text(st, 4, m->kind, sizeof m->kind);
    m->role = ag_prole_parse((const char *)sqlite3_column_text(st, 5));
    const unsigned char *state = sqlite3_column_text(st, 6);
    m->active = state && !strcmp((const char *)state, "active");
    ag__copy_text(st, 7, m->since, sizeof m->since);
    m->people = (size_t)sqlite3_column_int64(st, 8);
    return 0;
}

int ag_store_pmembers(struct ag_store *s, int64_t partnership_id, struct ag_vec *out,
                      struct ag_error *err)
{
    return ag__select_all(s,
                          "SELECT " M_COLS "WHERE m.partnership_id = ?1 ORDER BY m.role = "
                          "'coordinator' DESC, 4, m.id",
                          partnership_id, 0, read_member, out, "listing partnership members", err);
}

int ag_store_pmember_get(struct ag_store *s, int64_t partnership_id, int64_t member_id,
                         struct ag_pmember *out, struct ag_error *err)
{
    return ag__select_one(s, "SELECT " M_COLS "WHERE m.partnership_id = ?1 AND m.id = ?2",
                          partnership_id, member_id, read_member, out,
                          "reading a partnership member", err,
                          "member %lld: not a member of this partnership", (long long)member_id);
}

/* Runs one statement on a member, then audits it, in one transaction. */
static int member_change(struct ag_store *s, int64_t pid, int64_t mid, const char *sql,
                         const char *text, const char *action, const char *who,
                         struct ag_error *err)
{
    struct ag_pmember m;
    int rc = ag__tx_begin(s, err);
    if (rc)
        return rc;
    rc = ag_store_pmember_get(s, pid, mid, &m, err);
    sqlite3_stmt *st;
    if (!rc)
        rc = ag__prepare(s, sql, &st, err);
    if (!rc) {
        sqlite3_bind_int64(st, 1, mid);
        if (text)
            sqlite3_bind_text(st, 2, text, -1, SQLITE_STATIC);
        rc = ag__step_done(s, st, action, err);
    }
    char target[64], detail[320];
    target_of(target, pid);
    snprintf(detail, sizeof detail, "%s%s%s", m.name, text ? ": " : "", text ? text : "");
    if (!rc)
        rc = ag_store_audit(s, who, m.city_id, action, target, detail, err);
    if (!rc)
        rc = ag__tx_commit(s, err);
    if (rc)
        ag__tx_rollback(s);
    return rc;
}

int ag_store_pmember_add(struct ag_store *s, struct ag_pmember *m, const char *who,
                         struct ag_error *err)
{
    ag__utc_now(m->since);
    bool city = m->city_id > 0;
    if (!city && (!*m->name || !ag_pmember_kind_ok(m->kind) || !strcmp(m->kind, "city")))
        return ag_error_set(err, AG_EINVAL,
                            "an organisation needs a name and a kind (police, operator, eu_body, "
                            "network or other)");
    if (m->role == AG_PROLE_NONE)
        return ag_error_set(err, AG_EINVAL,
                            "role: expected coordinator, action_leader, member or observer");
    int rc = ag__tx_begin(s, err);
    if (rc)
        return rc;
    sqlite3_stmt *st;
    rc = ag__prepare(s,
                     city ? "SELECT 1 FROM partnership_members WHERE partnership_id = ?1 AND "
                            "city_id = ?2"
                          : "SELECT 1 FROM partnership_members WHERE partnership_id = ?1 AND "
                            "organisation = ?3",
                     &st, err);
    if (!rc) {
        sqlite3_bind_int64(st, 1, m->partnership_id);
        sqlite3_bind_int64(st, 2, m->city_id);
        sqlite3_bind_text(st, 3, m->name, -1, SQLITE_STATIC);
        int step = sqlite3_step(st);
        if (step == SQLITE_ROW)
            rc = ag_error_set(err, AG_EEXIST, "already a member of this partnership");
        else if (step != SQLITE_DONE)
            rc = ag__db_fail(s, err, "reading partnership members");
        sqlite3_finalize(st);
    }
    if (!rc)
        rc = ag__prepare(s,
                         "INSERT INTO partnership_members (partnership_id, city_id, organisation, "
                         "kind, role, state, since) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                         &st, err);
    if (!rc) {
        sqlite3_bind_int64(st, 1, m->partnership_id);
        if (city)
            sqlite3_bind_int64(st, 2, m->city_id);
        else
            sqlite3_bind_text(st, 3, m->name, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 4, city ? "city" : m->kind, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 5, ag_prole_name(m->role), -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 6, city ? "invited" : "active", -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 7, m->since, -1, SQLITE_STATIC);
        rc = ag__step_done(s, st, "adding a partnership member", err);
    }
    if (!rc) {
        m->id = sqlite3_last_insert_rowid(s->db);
        m->active = !city;
        rc = ag_store_pmember_get(s, m->partnership_id, m->id, m, err);
    }
    char target[64], detail[320];
    target_of(target, m->partnership_id);
    snprintf(detail, sizeof detail, "%s as %s", m->name, ag_prole_name(m->role));
    if (!rc)
        rc =
            ag_store_audit(s, who, city ? m->city_id : 0,
                           city ? "partnership.invite" : "partnership.member", target, detail, err);
    if (!rc)
        rc = ag__tx_commit(s, err);
    if (rc)
        ag__tx_rollback(s);
    return rc;
}

/* The number of active coordinators other than member mid. */
static int other_coordinators(struct ag_store *s, int64_t pid, int64_t mid, int64_t *n,
                              struct ag_error *err)
{
    /* count(*) always gives a row */
    return ag__select_one(s,
                          "SELECT count(*) FROM partnership_members WHERE partnership_id = ?1 AND "
                          "id <> ?2 AND role = 'coordinator' AND state = 'active'",
                          pid, mid, ag__read_int64, n, "counting coordinators", err, NULL);
}

int ag_store_pmember_role(struct ag_store *s, int64_t partnership_id, int64_t member_id,
                          enum ag_prole role, const char *who, struct ag_error *err)
{
    if (role == AG_PROLE_NONE)
        return ag_error_set(err, AG_EINVAL,
                            "role: expected coordinator, action_leader, member or observer");
    int64_t others = 1;
    int rc = role == AG_PROLE_COORDINATOR
                 ? 0
                 : other_coordinators(s, partnership_id, member_id, &others, err);
    if (!rc && !others)
        return ag_error_set(err, AG_EINVAL,
                            "the partnership would have no coordinator left: name another one "
                            "first");
    return rc ? rc
              : member_change(s, partnership_id, member_id,
                              "UPDATE partnership_members SET role = ?2 WHERE id = ?1",
                              ag_prole_name(role), "partnership.role", who, err);
}

int ag_store_pmember_accept(struct ag_store *s, int64_t partnership_id, int64_t member_id,
                            const char *who, struct ag_error *err)
{
    return member_change(s, partnership_id, member_id,
                         "UPDATE partnership_members SET state = 'active' WHERE id = ?1", NULL,
                         "partnership.accept", who, err);
}

int ag_store_pmember_remove(struct ag_store *s, int64_t partnership_id, int64_t member_id,
                            const char *who, struct ag_error *err)
{
    int64_t others = 0;
    int rc = other_coordinators(s, partnership_id, member_id, &others, err);
    struct ag_pmember m;
    if (!rc)
        rc = ag_store_pmember_get(s, partnership_id, member_id, &m, err);
    if (!rc && m.role == AG_PROLE_COORDINATOR && m.active && !others)
        return ag_error_set(err, AG_EINVAL,
                            "the partnership would have no coordinator left: name another one "
                            "first");
    return rc ? rc
              : member_change(s, partnership_id, member_id,
                              "DELETE FROM partnership_members WHERE id = ?1", NULL,
                              "partnership.remove", who, err);
}

int ag_store_pmember_person(struct ag_store *s, int64_t member_id, int64_t user_id, const char *who,
                            struct ag_error *err)
{
    int rc = ag__tx_begin(s, err);
    if (rc)
        return rc;
    sqlite3_stmt *st;
    rc = ag__prepare(s,
                     "INSERT OR IGNORE INTO partnership_people (member_id, user_id) SELECT ?1, ?2 "
                     "FROM partnership_members WHERE id = ?1 AND city_id IS NULL",
                     &st, err);
    if (!rc) {
        sqlite3_bind_int64(st, 1, member_id);
        sqlite3_bind_int64(st, 2, user_id);
        rc = ag__step_done(s, st, "adding a person to a member", err);
    }
    if (!rc && !sqlite3_changes(s->db))
        rc = ag_error_set(err, AG_EINVAL,
                          "member %lld: not an organisation, or the person acts for it already",
                          (long long)member_id);
    char target[64], detail[64];
    snprintf(target, sizeof target, "member %lld", (long long)member_id);
    snprintf(detail, sizeof detail, "user %lld", (long long)user_id);
    if (!rc)
        rc = ag_store_audit(s, who, 0, "partnership.person", target, detail, err);
    if (!rc)
        rc = ag__tx_commit(s, err);
    if (rc)
        ag__tx_rollback(s);
    return rc;
}
