/* Accounts, roles per city, sessions and the audit log in the SQLite store
 * (schema 5; docs/internals/server.md).
 * SPDX-License-Identifier: EUPL-1.2 */
#include "store/sqlite_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *const ROLES[] = {"", "viewer", "assessor", "coordinator"};

const char *ag_role_name(enum ag_role r)
{
    return r >= AG_ROLE_NONE && r <= AG_ROLE_COORDINATOR ? ROLES[r] : "";
}

enum ag_role ag_role_parse(const char *name)
{
    for (int r = AG_ROLE_VIEWER; r <= AG_ROLE_COORDINATOR; r++)
        if (name && !strcmp(name, ROLES[r]))
            return (enum ag_role)r;
    return AG_ROLE_NONE;
}

bool ag_user_name_ok(const char *name)
{
    size_t n = name ? strlen(name) : 0;
    if (n < 1 || n > 63)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = name[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '@' || c == '-'))
            return false;
    }
    return true;
}

void ag__utc_now(char out[32])
{
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

void ag__copy_text(sqlite3_stmt *st, int i, char *out, size_t cap)
{
    const unsigned char *t = sqlite3_column_text(st, i);
    snprintf(out, cap, "%s", t ? (const char *)t : "");
}

int ag__step_done(struct ag_store *s, sqlite3_stmt *st, const char *what, struct ag_error *err)
{
    int rc = sqlite3_step(st) == SQLITE_DONE ? 0 : ag__db_fail(s, err, what);
    sqlite3_finalize(st);
    return rc;
}

/* ---------- audit ---------- */

void ag_audit_rec_free(struct ag_audit_rec *r)
{
    if (!r)
        return;
    free(r->target);
    free(r->detail);
    r->target = r->detail = NULL;
}

int ag_store_audit(struct ag_store *s, const char *who, int64_t city_id, const char *action,
                   const char *target, const char *detail, struct ag_error *err)
{
    char at[32];
    ag__utc_now(at);
    sqlite3_stmt *st;
    int rc = ag__prepare(s,
                         "INSERT INTO audit (at, who, city_id, action, target, detail) "
                         "VALUES (?1, ?2, nullif(?3, 0), ?4, ?5, ?6)",
                         &st, err);
    if (rc)
        return rc;
    sqlite3_bind_text(st, 1, at, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, who ? who : "", -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, city_id);
    sqlite3_bind_text(st, 4, action, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, target ? target : "", -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 6, detail ? detail : "", -1, SQLITE_STATIC);
    return ag__step_done(s, st, "writing the audit log", err);
}

static int read_audit(sqlite3_stmt *st, void *out, struct ag_error *err)
{
    struct ag_audit_rec *r = out;
    r->id = sqlite3_column_int64(st, 0);
    r->city_id = sqlite3_column_int64(st, 1);
    ag__copy_text(st, 2, r->at, sizeof r->at);
    ag__copy_text(st, 3, r->who, sizeof r->who);
    ag__copy_text(st, 4, r->action, sizeof r->action);
    r->target = ag_strdup((const char *)sqlite3_column_text(st, 5));
    r->detail = ag_strdup((const char *)sqlite3_column_text(st, 6));
    if (!r->target || !r->detail) {
        ag_audit_rec_free(r);
        return ag_error_set(err, AG_ENOMEM, "out of memory");
    }
    return 0;
}

int ag_store_audit_list(struct ag_store *s, int64_t city_id, int64_t limit, struct ag_vec *out,
                        struct ag_error *err)
{
    return ag__select_all(s,
                          "SELECT id, coalesce(city_id, 0), at, who, action, target, detail "
                          "FROM audit WHERE ?1 = 0 OR city_id = ?1 ORDER BY id DESC "
                          "LIMIT (CASE WHEN ?2 > 0 THEN ?2 ELSE -1 END)",
                          city_id, limit, read_audit, out, "reading the audit log", err);
}

/* ---------- users ---------- */

#define USER_COLS "id, name, display_name, organisation, lang, admin, created_at"

static int read_user(sqlite3_stmt *st, void *out, struct ag_error *err)
{
    (void)err;
    struct ag_user *u = out;
    memset(u, 0, sizeof *u);
    u->id = sqlite3_column_int64(st, 0);
    ag__copy_text(st, 1, u->name, sizeof u->name);
    ag__copy_text(st, 2, u->display_name, sizeof u->display_name);
    ag__copy_text(st, 3, u->organisation, sizeof u->organisation);
    ag__copy_text(st, 4, u->lang, sizeof u->lang);
    u->admin = sqlite3_column_int(st, 5) != 0;
    ag__copy_text(st, 6, u->created_at, sizeof u->created_at);
    return 0;
}

int ag_store_user_add(struct ag_store *s, struct ag_user *u, const char *pw_hash, const char *who,
                      struct ag_error *err)
{
    if (!ag_user_name_ok(u->name))
        return ag_error_set(err, AG_EINVAL,
                            "user name \"%s\": expected 1 to 63 letters, digits or . _ @ -",
                            u->name);
    int rc = ag__tx_begin(s, err);
    if (rc)
        return rc;
    sqlite3_stmt *st;
    rc = ag__prepare(s,
                     "INSERT INTO users (name, display_name, organisation, lang, admin, pw_hash, "
                     "created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (name) DO "
                     "NOTHING RETURNING id, created_at",
                     &st, err);
    if (!rc) {
        if (!u->lang[0])
            snprintf(u->lang, sizeof u->lang, "en");
        ag__utc_now(u->created_at);
        sqlite3_bind_text(st, 1, u->name, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, u->display_name, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, u->organisation, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 4, u->lang, -1, SQLITE_STATIC);
        sqlite3_bind_int(st, 5, u->admin);
        sqlite3_bind_text(st, 6, pw_hash, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 7, u->created_at, -1, SQLITE_STATIC);
        int step = sqlite3_step(st);
        if (step == SQLITE_ROW)
            u->id = sqlite3_column_int64(st, 0);
        else if (step == SQLITE_DONE)
            rc = ag_error_set(err, AG_EEXIST, "user \"%s\" already exists", u->name);
        else
            rc = ag__db_fail(s, err, "adding a user");
        sqlite3_finalize(st);
    }
    if (!rc)
        rc = ag_store_audit(s, who, 0, "user.add", u->name, u->admin ? "administrator" : "", err);
    if (!rc)
        rc = ag__tx_commit(s, err);
    if (rc)
        ag__tx_rollback(s);
    return rc;
}

/* A user and, when pw_hash is not NULL, the password hash after the user's
 * columns. */
struct user_row {
    struct ag_user *user;
    char **pw_hash;
};

static int read_user_row(sqlite3_stmt *st, void *out, struct ag_error *err)
{
    struct user_row *r = out;
    read_user(st, r->user, err);
    if (r->pw_hash && !(*r->pw_hash = ag_strdup((const char *)sqlite3_column_text(st, 7))))
        return ag_error_set(err, AG_ENOMEM, "out of memory");
    return 0;
}

static int user_one(struct ag_store *s, const char *sql, const char *name, int64_t id,
                    struct ag_user *out, char **pw_hash, struct ag_error *err)
{
    sqlite3_stmt *st;
    int rc = ag__prepare(s, sql, &st, err);
    if (rc)
        return rc;
    struct user_row r = {out, pw_hash};
    if (!name) {
        sqlite3_bind_int64(st, 1, id);
        return ag__step_one(s, st, read_user_row, &r, "reading a user", err,
                            "user %lld: no such user", (long long)id);
    }
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    return ag__step_one(s, st, read_user_row, &r, "reading a user", err,
                        "user \"%s\": no such user", name);
}

int ag_store_user_get(struct ag_store *s, const char *name, struct ag_user *out, char **pw_hash,
                      struct ag_error *err)
{
    return user_one(s, "SELECT " USER_COLS ", pw_hash FROM users WHERE name = ?1", name, 0, out,
                    pw_hash, err);
}

int ag_store_user_by_id(struct ag_store *s, int64_t id, struct ag_user *out, struct ag_error *err)
{
    return user_one(s, "SELECT " USER_COLS " FROM users WHERE id = ?1", NULL, id, out, NULL, err);
}

int ag_store_users(struct ag_store *s, struct ag_vec *out, struct ag_error *err)
{
    return ag__select_all(s, "SELECT " USER_COLS " FROM users ORDER BY name", 0, 0, read_user, out,
                          "listing users", err);
}

/* Runs an UPDATE of one user (?1 = id, ?2 = value) and its audit record in
 * one transaction. */
static int user_update(struct ag_store *s, const char *sql, int64_t id, const char *value,
                       const char *who, const char *action, const char *detail,
                       struct ag_error *err)
{
    struct ag_user u;
    int rc = ag_store_user_by_id(s, id, &u, err);
    if (rc)
        return rc;
    if ((rc = ag__tx_begin(s, err)))
        return rc;
    sqlite3_stmt *st;
    rc = ag__prepare(s, sql, &st, err);
    if (!rc) {
        sqlite3_bind_int64(st, 1, id);
        sqlite3_bind_text(st, 2, value, -1, SQLITE_STATIC);
        rc = ag__step_done(s, st, "changing a user", err);
    }
    if (!rc && !strcmp(action, "user.password")) {
        /* a new password ends every session opened with the old one */
        rc = ag__prepare(s, "DELETE FROM sessions WHERE user_id = ?1", &st, err);
        if (!rc) {
            sqlite3_bind_int64(st, 1, id);
            rc = ag__step_done(s, st, "ending sessions", err);
        }
    }
    if (!rc)
        rc = ag_store_audit(s, who, 0, action, u.name, detail, err);
    if (!rc)
        rc = ag__tx_commit(s, err);
    if (rc)
        ag__tx_rollback(s);
    return rc;
}

int ag_store_user_set_password(struct ag_store *s, int64_t id, const char *pw_hash, const char *who,
                               struct ag_error *err)
{
    return user_update(s, "UPDATE users SET pw_hash = ?2 WHERE id = ?1", id, pw_hash, who,
                       "user.password", "", err);
}

int ag_store_user_set_lang(struct ag_store *s, int64_t id, const char *lang, const char *who,
                           struct ag_error *err)
{
    return user_update(s, "UPDATE users SET lang = ?2 WHERE id = ?1", id, lang, who, "user.lang",
                       lang, err);
}

/* ---------- grants ---------- */

int ag_store_grant(struct ag_store *s, int64_t user_id, int64_t city_id, enum ag_role role,
                   bool partner, const char *who, struct ag_error *err)
{
    struct ag_user u;
    int rc = ag_store_user_by_id(s, user_id, &u, err);
    if (rc)
        return rc;
    if ((rc = ag__tx_begin(s, err)))
        return rc;
    sqlite3_stmt *st;
    char at[32];
    ag__utc_now(at);
    if (role == AG_ROLE_NONE) {
        rc = ag__prepare(s, "DELETE FROM grants WHERE user_id = ?1 AND city_id = ?2", &st, err);
        if (!rc) {
            sqlite3_bind_int64(st, 1, user_id);
            sqlite3_bind_int64(st, 2, city_id);
            rc = ag__step_done(s, st, "removing a grant", err);
            if (!rc && sqlite3_changes(s->db) == 0)
                rc =
                    ag_error_set(err, AG_ENOTFOUND, "user \"%s\" has no role in that city", u.name);
        }
    } else {
        rc = ag__prepare(s,
                         "INSERT INTO grants (user_id, city_id, role, partner, granted_at, "
                         "granted_by) VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (user_id, "
                         "city_id) DO UPDATE SET role = ?3, partner = ?4, granted_at = ?5, "
                         "granted_by = ?6",
                         &st, err);
        if (!rc) {
            sqlite3_bind_int64(st, 1, user_id);
            sqlite3_bind_int64(st, 2, city_id);
            sqlite3_bind_text(st, 3, ag_role_name(role), -1, SQLITE_STATIC);
            sqlite3_bind_int(st, 4, partner);
            sqlite3_bind_text(st, 5, at, -1, SQLITE_STATIC);
            sqlite3_bind_text(st, 6, who ? who : "", -1, SQLITE_STATIC);
            rc = ag__step_done(s, st, "granting a role", err);
        }
    }
    if (!rc) {
        char detail[256], city[128] = "";
        if (ag__prepare(s, "SELECT name FROM cities WHERE id = ?1", &st, NULL) == 0) {
            sqlite3_bind_int64(st, 1, city_id);
            if (sqlite3_step(st) == SQLITE_ROW)
                ag__copy_text(st, 0, city, sizeof city);
            sqlite3_finalize(st);
        }
        snprintf(detail, sizeof detail, "%s%s in %s", role ? ag_role_name(role) : "none",
                 partner && role ? " (partner)" : "", city);
        rc = ag_store_audit(s, who, city_id, role ? "grant" : "revoke", u.name, detail, err);
    }
    if (!rc)
        rc = ag__tx_commit(s, err);
    if (rc)
        ag__tx_rollback(s);
    return rc;
}

static int read_grant(sqlite3_stmt *st, void *out, struct ag_error *err)
{
    (void)err;
    struct ag_grant *g = out;
    g->user_id = sqlite3_column_int64(st, 0);
    g->city_id = sqlite3_column_int64(st, 1);
    ag__copy_text(st, 2, g->user, sizeof g->user);
    ag__copy_text(st, 3, g->city, sizeof g->city);
    g->role = ag_role_parse((const char *)sqlite3_column_text(st, 4));
    g->partner = sqlite3_column_int(st, 5) != 0;
    ag__copy_text(st, 6, g->granted_at, sizeof g->granted_at);
    ag__copy_text(st, 7, g->granted_by, sizeof g->granted_by);
    return 0;
}

int ag_store_grants(struct ag_store *s, int64_t user_id, int64_t city_id, struct ag_vec *out,
                    struct ag_error *err)
{
    return ag__select_all(s,
                          "SELECT g.user_id, g.city_id, u.name, c.name, g.role, g.partner, "
                          "g.granted_at, g.granted_by FROM grants g JOIN users u ON u.id = "
                          "g.user_id JOIN cities c ON c.id = g.city_id WHERE (?1 = 0 OR g.user_id "
                          "= ?1) AND (?2 = 0 OR g.city_id = ?2) ORDER BY c.name, u.name",
                          user_id, city_id, read_grant, out, "listing grants", err);
}

int ag_store_role(struct ag_store *s, int64_t user_id, int64_t city_id, enum ag_role *role,
                  bool *partner, struct ag_error *err)
{
    sqlite3_stmt *st;
    int rc = ag__prepare(s, "SELECT role, partner FROM grants WHERE user_id = ?1 AND city_id = ?2",
                         &st, err);
    if (rc)
        return rc;
    sqlite3_bind_int64(st, 1, user_id);
    sqlite3_bind_int64(st, 2, city_id);
    *role = AG_ROLE_NONE;
    if (partner)
        *partner = false;
    int step = sqlite3_step(st);
    if (step == SQLITE_ROW) {
        *role = ag_role_parse((const char *)sqlite3_column_text(st, 0));
        if (partner)
            *partner = sqlite3_column_int(st, 1) != 0;
    } else if (step != SQLITE_DONE)
        rc = ag__db_fail(s, err, "reading a role");
    sqlite3_finalize(st);
    return rc;
}

/* ---------- sessions ---------- */

int ag_store_session_add(struct ag_store *s, const uint8_t hash[32], const struct ag_session *se,
                         struct ag_error *err)
{
    sqlite3_stmt *st;
    int rc = ag__prepare(s,
                         "INSERT INTO sessions (token_hash, user_id, csrf, created_at, last_seen, "
                         "expires_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                         &st, err);
    if (rc)
        return rc;
    sqlite3_bind_blob(st, 1, hash, 32, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, se->user_id);
    sqlite3_bind_text(st, 3, se->csrf, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, se->created_at);
    sqlite3_bind_int64(st, 5, se->last_seen);
    sqlite3_bind_int64(st, 6, se->expires_at);
    return ag__step_done(s, st, "opening a session", err);
}

static int read_session(sqlite3_stmt *st, void *out, struct ag_error *err)
{
    (void)err;
    struct ag_session *se = out;
    se->user_id = sqlite3_column_int64(st, 0);
    ag__copy_text(st, 1, se->csrf, sizeof se->csrf);
    se->created_at = sqlite3_column_int64(st, 2);
    se->last_seen = sqlite3_column_int64(st, 3);
    se->expires_at = sqlite3_column_int64(st, 4);
    return 0;
}

int ag_store_session_get(struct ag_store *s, const uint8_t hash[32], int64_t now, int64_t idle_s,
                         struct ag_session *out, struct ag_error *err)
{
    sqlite3_stmt *st;
    int rc = ag__prepare(s,
                         "SELECT user_id, csrf, created_at, last_seen, expires_at FROM sessions "
                         "WHERE token_hash = ?1",
                         &st, err);
    if (rc)
        return rc;
    sqlite3_bind_blob(st, 1, hash, 32, SQLITE_STATIC);
    memset(out, 0, sizeof *out);
    rc = ag__step_one(s, st, read_session, out, "reading a session", err, "no such session");
    if (!rc && (now >= out->expires_at || now - out->last_seen > idle_s))
        rc = ag_error_set(err, AG_ENOTFOUND, "the session has expired");
    if (!rc && now - out->last_seen > 60 && s->writable) {
        if (ag__prepare(s, "UPDATE sessions SET last_seen = ?2 WHERE token_hash = ?1", &st, NULL) ==
            0) {
            sqlite3_bind_blob(st, 1, hash, 32, SQLITE_STATIC);
            sqlite3_bind_int64(st, 2, now);
            sqlite3_step(st); /* best effort: a busy database only delays it */
            sqlite3_finalize(st);
            out->last_seen = now;
        }
    }
    return rc;
}

int ag_store_session_delete(struct ag_store *s, const uint8_t hash[32], struct ag_error *err)
{
    sqlite3_stmt *st;
    int rc = ag__prepare(s, "DELETE FROM sessions WHERE token_hash = ?1", &st, err);
    if (rc)
        return rc;
    sqlite3_bind_blob(st, 1, hash, 32, SQLITE_STATIC);
    return ag__step_done(s, st, "ending a session", err);
}

int ag_store_sessions_purge(struct ag_store *s, int64_t now, int64_t idle_s, int64_t *removed,
                            struct ag_error *err)
{
    sqlite3_stmt *st;
    int rc = ag__prepare(s, "DELETE FROM sessions WHERE expires_at <= ?1 OR last_seen < ?1 - ?2",
                         &st, err);
    if (rc)
        return rc;
    sqlite3_bind_int64(st, 1, now);
    sqlite3_bind_int64(st, 2, idle_s);
    rc = ag__step_done(s, st, "purging sessions", err);
    if (!rc && removed)
        *removed = sqlite3_changes(s->db);
    return rc;
}

/* ---------- training progress ---------- */

void ag_training_rec_free(struct ag_training_rec *r)
{
    if (r) {
        free(r->answer);
        r->answer = NULL;
    }
}

static int training_put(struct ag_store *s, const char *sql, int64_t user_id, const char *item,
                        const char *lesson, const char *json, double score, struct ag_error *err)
{
    if (!(score >= 0 && score <= 1))
        return ag_error_set(err, AG_EINVAL, "a score from 0 to 1 was expected");
    char at[32];
    ag__utc_now(at);
    sqlite3_stmt *st;
    int rc = ag__prepare(s, sql, &st, err);
    if (rc)
        return rc;
    sqlite3_bind_int64(st, 1, user_id);
    sqlite3_bind_text(st, 2, item, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, lesson, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, json, -1, SQLITE_STATIC);
    sqlite3_bind_double(st, 5, score);
    sqlite3_bind_text(st, 6, at, -1, SQLITE_STATIC);
    return ag__step_done(s, st, "recording training progress", err);
}

int ag_store_training_answer(struct ag_store *s, int64_t user_id, const char *exercise,
                             const char *lesson, const char *answer_json, double score,
                             struct ag_error *err)
{
    return training_put(
        s,
        "INSERT INTO training_answers (user_id, exercise, lesson, answer, score, at) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (user_id, exercise) DO UPDATE "
        "SET lesson = ?3, answer = ?4, score = ?5, at = ?6",
        user_id, exercise, lesson, answer_json, score, err);
}

int ag_store_training_practical(struct ag_store *s, int64_t user_id, const char *lesson,
                                const char *answers_json, double score, struct ag_error *err)
{
    /* the item is the lesson here: ?3 repeats ?2 and is not used */
    return training_put(s,
                        "INSERT INTO training_practical (user_id, lesson, answers, score, at) "
                        "VALUES (?1, ?2, ?4, ?5, ?6) ON CONFLICT (user_id, lesson) DO UPDATE SET "
                        "answers = ?4, score = ?5, at = ?6",
                        user_id, lesson, lesson, answers_json, score, err);
}

static int read_training(sqlite3_stmt *st, void *out, struct ag_error *err)
{
    (void)err;
    struct ag_training_rec *r = out;
    ag__copy_text(st, 0, r->item, sizeof r->item);
    ag__copy_text(st, 1, r->lesson, sizeof r->lesson);
    r->score = sqlite3_column_double(st, 2);
    ag__copy_text(st, 3, r->at, sizeof r->at);
    return 0;
}

static int read_training_answer(sqlite3_stmt *st, void *out, struct ag_error *err)
{
    struct ag_training_rec *r = out;
    read_training(st, r, err);
    if (!(r->answer = ag_strdup((const char *)sqlite3_column_text(st, 4))))
        return ag_error_set(err, AG_ENOMEM, "out of memory");
    return 0;
}

int ag_store_training_progress(struct ag_store *s, int64_t user_id, bool with_answers,
                               struct ag_vec *out, struct ag_error *err)
{
    return ag__select_all(s,
                          "SELECT exercise, lesson, score, at, answer FROM training_answers WHERE "
                          "user_id = ?1 UNION ALL SELECT lesson, lesson, score, at, answers FROM "
                          "training_practical WHERE user_id = ?1 ORDER BY 1",
                          user_id, 0, with_answers ? read_training_answer : read_training, out,
                          "reading training progress", err);
}

/* ---------- perception surveys ---------- */

#define SURVEY_COLS                                                                                \
    "s.id, s.city_id, s.space_id, s.title, s.token, s.open, s.created_at, s.created_by, "          \
    "(SELECT count(*) FROM survey_responses r WHERE r.survey_id = s.id)"

static int read_survey(sqlite3_stmt *st, void *out, struct ag_error *err)
{
    (void)err;
    struct ag_survey *sv = out;
    memset(sv, 0, sizeof *sv);
    sv->id = sqlite3_column_int64(st, 0);
    sv->city_id = sqlite3_column_int64(st, 1);
    sv->space_id = sqlite3_column_int64(st, 2);
    ag__copy_text(st, 3, sv->title, sizeof sv->title);
    ag__copy_text(st, 4, sv->token, sizeof sv->token);
    sv->open = sqlite3_column_int(st, 5) != 0;
    ag__copy_text(st, 6, sv->created_at, sizeof sv->created_at);
    ag__copy_text(st, 7, sv->created_by, sizeof sv->created_by);
    sv->responses = sqlite3_column_int64(st, 8);
    return 0;
}

int ag_store_survey_add(struct ag_store *s, struct ag_survey *sv, const char *questions,
                        struct ag_error *err)
{
    ag__utc_now(sv->created_at);
    int rc = ag__tx_begin(s, err);
    if (rc)
        return rc;
    sqlite3_stmt *st;
    rc = ag__prepare(s,
                     "INSERT INTO surveys (city_id, space_id, title, token, open, created_at, "
                     "created_by, questions) VALUES (?1, ?2, ?3, ?4, 1, ?5, ?6, ?7)",
                     &st, err);
    if (!rc) {
        sqlite3_bind_int64(st, 1, sv->city_id);
        sqlite3_bind_int64(st, 2, sv->space_id);
        sqlite3_bind_text(st, 3, sv->title, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 4, sv->token, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 5, sv->created_at, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 6, sv->created_by, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 7, questions ? questions : "[]", -1, SQLITE_STATIC);
        rc = ag__step_done(s, st, "adding a survey", err);
    }
    if (!rc) {
        sv->id = sqlite3_last_insert_rowid(s->db);
        sv->open = true;
        char target[64];
        snprintf(target, sizeof target, "survey %lld", (long long)sv->id);
        rc =
            ag_store_audit(s, sv->created_by, sv->city_id, "survey.create", target, sv->title, err);
    }
    if (!rc)
        rc = ag__tx_commit(s, err);
    if (rc)
        ag__tx_rollback(s);
    return rc;
}

int ag_store_survey_get(struct ag_store *s, int64_t id, const char *token, struct ag_survey *out,
                        struct ag_error *err)
{
    sqlite3_stmt *st;
    int rc = ag__prepare(s,
                         id ? "SELECT " SURVEY_COLS " FROM surveys s WHERE s.id = ?1"
                            : "SELECT " SURVEY_COLS " FROM surveys s WHERE s.token = ?2",
                         &st, err);
    if (rc)
        return rc;
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_text(st, 2, token ? token : "", -1, SQLITE_STATIC);
    return id ? ag__step_one(s, st, read_survey, out, "reading a survey", err,
                             "survey %lld: no such survey", (long long)id)
              : ag__step_one(s, st, read_survey, out, "reading a survey", err, "no such survey");
}

/* Column 0 appended to the struct ag_buf out. */
static int read_questions(sqlite3_stmt *st, void *out, struct ag_error *err)
{
    if (ag_buf_puts(out, (const char *)sqlite3_column_text(st, 0)))
        return ag_error_set(err, AG_ENOMEM, "out of memory");
    return 0;
}

int ag_store_survey_questions(struct ag_store *s, int64_t id, struct ag_buf *out,
                              struct ag_error *err)
{
    return ag__select_one(s, "SELECT questions FROM surveys WHERE id = ?1", id, 0, read_questions,
                          out, "reading a survey's questions", err, "survey %lld: no such survey",
                          (long long)id);
}

int ag_store_survey_set_open(struct ag_store *s, int64_t id, bool open, const char *who,
                             struct ag_error *err)
{
    struct ag_survey sv;
    int rc = ag__tx_begin(s, err);
    if (rc)
        return rc;
    rc = ag_store_survey_get(s, id, NULL, &sv, err);
    sqlite3_stmt *st = NULL;
    if (!rc)
        rc = ag__prepare(s, "UPDATE surveys SET open = ?2 WHERE id = ?1", &st, err);
    if (!rc) {
        sqlite3_bind_int64(st, 1, id);
        sqlite3_bind_int(st, 2, open);
        rc = ag__step_done(s, st, "opening or closing a survey", err);
    }
    if (!rc) {
        char target[64];
        snprintf(target, sizeof target, "survey %lld", (long long)id);
        rc = ag_store_audit(s, who, sv.city_id, open ? "survey.open" : "survey.close", target,
                            sv.title, err);
    }
    if (!rc)
        rc = ag__tx_commit(s, err);
    if (rc)
        ag__tx_rollback(s);
    return rc;
}

int ag_store_surveys(struct ag_store *s, int64_t city_id, int64_t space_id, struct ag_vec *out,
                     struct ag_error *err)
{
    return ag__select_all(s,
                          "SELECT " SURVEY_COLS " FROM surveys s WHERE s.city_id = ?1 AND (?2 = 0 "
                          "OR s.space_id = ?2) ORDER BY s.id DESC",
                          city_id, space_id, read_survey, out, "listing surveys", err);
}

int ag_store_survey_respond(struct ag_store *s, int64_t survey_id, const char *source,
                            const char *const *answers, size_t n, struct ag_error *err)
{
    char day[32];
    ag__utc_now(day);
    day[10] = 0; /* YYYY-MM-DD */
    int rc = ag__tx_begin(s, err);
    if (rc)
        return rc;
    sqlite3_stmt *st = NULL;
    rc = ag__prepare(s,
                     "INSERT INTO survey_responses (survey_id, day, source, answers) VALUES (?1, "
                     "?2, ?3, ?4)",
                     &st, err);
    for (size_t i = 0; !rc && i < n; i++) {
        sqlite3_reset(st);
        sqlite3_bind_int64(st, 1, survey_id);
        sqlite3_bind_text(st, 2, day, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, source, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 4, answers[i], -1, SQLITE_STATIC);
        if (sqlite3_step(st) != SQLITE_DONE)
            rc = ag__db_fail(s, err, "adding a survey response");
    }
    sqlite3_finalize(st);
    if (!rc)
        rc = ag__tx_commit(s, err);
    if (rc)
        ag__tx_rollback(s);
    return rc;
}

/* Column 0 as a new string into the char * out. */
static int read_answers(sqlite3_stmt *st, void *out, struct ag_error *err)
{
    if (!(*(char **)out = ag_strdup((const char *)sqlite3_column_text(st, 0))))
        return ag_error_set(err, AG_ENOMEM, "out of memory");
    return 0;
}

int ag_store_survey_responses(struct ag_store *s, int64_t survey_id, struct ag_vec *out,
                              struct ag_error *err)
{
    return ag__select_all(s,
                          "SELECT answers FROM survey_responses WHERE survey_id = ?1 ORDER BY id",
                          survey_id, 0, read_answers, out, "reading survey responses", err);
}
