/* Accounts, roles, sessions and the audit log in the store, and the
 * password and token helpers (lib/store/accounts.c, lib/auth/auth.c).
 * Oracles: libsodium's own verify against hashes made here, the SQLite
 * file read back with plain SQL.
 * SPDX-License-Identifier: EUPL-1.2 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agora/auth.h"
#include "agora/model.h"
#include "agora/store.h"

static char dir[64];
static char dbpath[128];

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/agora-acct-XXXXXX");
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

static int64_t scalar(const char *sql)
{
    sqlite3 *db;
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_open(dbpath, &db), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    int64_t v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return v;
}

/* A store with one city "Town" (id 1) and one space. */
static struct ag_store *open_with_city(void)
{
    unlink(dbpath);
    struct ag_store *s = NULL;
    struct ag_error err = {0};
    assert_int_equal(ag_store_open(&s, dbpath, AG_STORE_CREATE, &err), 0);
    struct ag_city_model m;
    ag_city_model_init(&m);
    m.source = strdup("test.osm");
    m.origin = (struct ag_ll){7.42, 43.73};
    m.bbox = (struct ag_bbox){7.41, 43.72, 7.43, 43.74};
    struct ag_import_stats st;
    assert_int_equal(ag_store_import(s, "Town", &m, &st, &err), 0);
    ag_city_model_free(&m);
    return s;
}

static void test_password_hash_is_argon2id_and_verifies_only_the_right_password(void **state)
{
    (void)state;
    struct ag_error err = {0};
    char h1[AG_PWHASH_MAX], h2[AG_PWHASH_MAX];
    assert_int_equal(ag_password_hash("correct horse battery", h1, &err), 0);
    assert_int_equal(ag_password_hash("correct horse battery", h2, &err), 0);
    assert_int_equal(strncmp(h1, "$argon2id$", 10), 0);
    assert_string_not_equal(h1, h2); /* salted */
    assert_true(ag_password_verify(h1, "correct horse battery"));
    assert_false(ag_password_verify(h1, "correct horse batterY"));
    assert_false(ag_password_verify("$argon2id$garbage", "correct horse battery"));
    assert_false(ag_password_verify(ag_password_dummy_hash(), "correct horse battery"));
    assert_int_equal(ag_password_check("short", &err), AG_EINVAL);
    assert_non_null(strstr(err.msg, "at least 10"));
    assert_int_equal(ag_password_check("long enough!", &err), 0);
    assert_int_equal(ag_password_check("bell\a is bad!", &err), AG_EINVAL);
}

static void test_tokens_are_random_url_safe_and_hashed(void **state)
{
    (void)state;
    char a[AG_TOKEN_LEN + 1], b[AG_TOKEN_LEN + 1];
    ag_token_new(a);
    ag_token_new(b);
    assert_int_equal(strlen(a), AG_TOKEN_LEN);
    assert_string_not_equal(a, b);
    for (const char *p = a; *p; p++)
        assert_non_null(strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_", *p));
    uint8_t ha[32], ha2[32], hb[32];
    ag_token_hash(a, ha);
    ag_token_hash(a, ha2);
    ag_token_hash(b, hb);
    assert_memory_equal(ha, ha2, 32);
    assert_memory_not_equal(ha, hb, 32);
    assert_true(ag_secret_equal(a, a));
    assert_false(ag_secret_equal(a, b));
    assert_false(ag_secret_equal("abc", "abcd"));
    assert_false(ag_secret_equal("", ""));
}

static void test_users_grants_and_roles(void **state)
{
    (void)state;
    struct ag_store *s = open_with_city();
    struct ag_error err = {0};
    struct ag_user u = {0};
    snprintf(u.name, sizeof u.name, "alice");
    snprintf(u.display_name, sizeof u.display_name, "Alice");
    assert_int_equal(ag_store_user_add(s, &u, "$argon2id$x", "test", &err), 0);
    assert_true(u.id > 0);
    struct ag_user dup = u;
    assert_int_equal(ag_store_user_add(s, &dup, "$argon2id$y", "test", &err), AG_EEXIST);
    assert_non_null(strstr(err.msg, "alice"));
    struct ag_user bad = {0};
    snprintf(bad.name, sizeof bad.name, "a b");
    assert_int_equal(ag_store_user_add(s, &bad, "h", "test", &err), AG_EINVAL);

    struct ag_user got;
    char *hash = NULL;
    assert_int_equal(ag_store_user_get(s, "alice", &got, &hash, &err), 0);
    assert_string_equal(hash, "$argon2id$x");
    assert_string_equal(got.lang, "en");
    free(hash);
    assert_int_equal(ag_store_user_get(s, "bob", &got, NULL, &err), AG_ENOTFOUND);

    enum ag_role role;
    bool partner;
    assert_int_equal(ag_store_role(s, u.id, 1, &role, &partner, &err), 0);
    assert_int_equal(role, AG_ROLE_NONE);
    assert_int_equal(ag_store_grant(s, u.id, 1, AG_ROLE_ASSESSOR, true, "boss", &err), 0);
    assert_int_equal(ag_store_role(s, u.id, 1, &role, &partner, &err), 0);
    assert_int_equal(role, AG_ROLE_ASSESSOR);
    assert_true(partner);
    /* a second grant replaces the first */
    assert_int_equal(ag_store_grant(s, u.id, 1, AG_ROLE_VIEWER, false, "boss", &err), 0);
    assert_int_equal(ag_store_role(s, u.id, 1, &role, &partner, &err), 0);
    assert_int_equal(role, AG_ROLE_VIEWER);
    assert_false(partner);
    assert_int_equal(scalar("SELECT count(*) FROM grants"), 1);
    assert_int_equal(ag_store_grant(s, u.id, 1, AG_ROLE_NONE, false, "boss", &err), 0);
    assert_int_equal(ag_store_grant(s, u.id, 1, AG_ROLE_NONE, false, "boss", &err), AG_ENOTFOUND);
    assert_int_equal(ag_role_parse("coordinator"), AG_ROLE_COORDINATOR);
    assert_int_equal(ag_role_parse("admin"), AG_ROLE_NONE);

    /* every change is in the audit log, newest first, with who */
    struct ag_vec v;
    ag_vec_init(&v, sizeof(struct ag_audit_rec));
    assert_int_equal(ag_store_audit_list(s, 0, 0, &v, &err), 0);
    assert_int_equal(v.len, 4); /* user.add, grant, grant, revoke */
    struct ag_audit_rec *a0 = &AG_VEC_AT(&v, struct ag_audit_rec, 0);
    assert_string_equal(a0->action, "revoke");
    assert_string_equal(a0->who, "boss");
    assert_string_equal(a0->target, "alice");
    assert_int_equal(a0->city_id, 1);
    assert_string_equal(AG_VEC_AT(&v, struct ag_audit_rec, 3).action, "user.add");
    for (size_t i = 0; i < v.len; i++)
        ag_audit_rec_free(&AG_VEC_AT(&v, struct ag_audit_rec, i));
    ag_vec_free(&v);
    ag_store_close(s);
}

static void test_sessions_expire_and_a_new_password_ends_them(void **state)
{
    (void)state;
    struct ag_store *s = open_with_city();
    struct ag_error err = {0};
    struct ag_user u = {0};
    snprintf(u.name, sizeof u.name, "bob");
    assert_int_equal(ag_store_user_add(s, &u, "h", "test", &err), 0);
    uint8_t h[32];
    ag_token_hash("some token", h);
    struct ag_session se = {u.id, "csrf-value", 1000, 1000, 1000 + 3600};
    assert_int_equal(ag_store_session_add(s, h, &se, &err), 0);
    struct ag_session got;
    assert_int_equal(ag_store_session_get(s, h, 1010, 600, &got, &err), 0);
    assert_string_equal(got.csrf, "csrf-value");
    assert_int_equal(got.user_id, u.id);
    /* idle too long, then past expiry */
    assert_int_equal(ag_store_session_get(s, h, 1000 + 601, 600, &got, &err), AG_ENOTFOUND);
    assert_int_equal(ag_store_session_get(s, h, 1000 + 3600, 100000, &got, &err), AG_ENOTFOUND);
    /* a use more than a minute later moves last_seen */
    assert_int_equal(ag_store_session_get(s, h, 1100, 600, &got, &err), 0);
    assert_int_equal(scalar("SELECT last_seen FROM sessions"), 1100);
    assert_int_equal(ag_store_session_get(s, h, 1600, 600, &got, &err), 0);
    /* no raw token in the table: only the 32-byte hash */
    assert_int_equal(scalar("SELECT length(token_hash) FROM sessions"), 32);
    assert_int_equal(ag_store_user_set_password(s, u.id, "h2", "test", &err), 0);
    assert_int_equal(ag_store_session_get(s, h, 1610, 600, &got, &err), AG_ENOTFOUND);
    assert_int_equal(scalar("SELECT count(*) FROM sessions"), 0);
    /* purge */
    assert_int_equal(ag_store_session_add(s, h, &se, &err), 0);
    int64_t removed = -1;
    assert_int_equal(ag_store_sessions_purge(s, 5000, 600, &removed, &err), 0);
    assert_int_equal(removed, 1);
    ag_store_close(s);
}

static void test_assessment_revisions_refuse_a_lost_update(void **state)
{
    (void)state;
    struct ag_store *s = open_with_city();
    struct ag_error err = {0};
    /* a space to hang the assessment on */
    struct ag_space sp = {0};
    struct ag_ll pts[5] = {{7.42, 43.73}, {7.421, 43.73}, {7.421, 43.731}, {7.42, 43.731}, {7.42, 43.73}};
    assert_int_equal(ag_mpoly_add_ring_polygon(&sp.geom, pts, 5), 0);
    sp.name = strdup("Square");
    sp.kind = strdup("square");
    sp.origin = strdup("custom");
    snprintf(sp.ref.type, sizeof sp.ref.type, "custom");
    sp.ref.id = 1;
    sp.geom_source = strdup("geojson");
    sp.area_m2 = 100;
    sp.perimeter_m = 40;
    sp.bbox = ag_mpoly_bbox(&sp.geom);
    if (ag_store_space_add(s, 1, &sp, &err))
        fail_msg("%s", err.msg);
    struct ag_assessment_rec r = {0};
    r.city_id = 1;
    r.space_id = sp.id;
    snprintf(r.created_at, sizeof r.created_at, "2026-01-01T00:00:00Z");
    snprintf(r.sharing, sizeof r.sharing, "TLP:AMBER");
    r.assessor = strdup("A");
    r.doc = strdup("{}");
    assert_int_equal(ag_store_assessment_insert(s, &r, "test", &err), 0);
    assert_int_equal(r.rev, 1);
    struct ag_assessment_rec a = r, b = r; /* two editors read rev 1 */
    assert_int_equal(ag_store_assessment_update(s, &a, 1, "one", "first", &err), 0);
    assert_int_equal(a.rev, 2);
    assert_int_equal(ag_store_assessment_update(s, &b, 1, "two", "second", &err), AG_ECONFLICT);
    assert_non_null(strstr(err.msg, "someone else"));
    assert_int_equal(scalar("SELECT rev FROM assessments"), 2);
    assert_int_equal(scalar("SELECT count(*) FROM assessment_log WHERE who = 'two'"), 0);
    /* without a revision the write goes through (the CLI) */
    assert_int_equal(ag_store_assessment_update(s, &b, 0, "cli", "forced", &err), 0);
    assert_int_equal(b.rev, 3);
    b.id = 999;
    assert_int_equal(ag_store_assessment_update(s, &b, 3, "x", "y", &err), AG_ENOTFOUND);
    ag_assessment_rec_free(&r);
    ag_space_free(&sp);
    ag_store_close(s);
}

static void test_a_transaction_wraps_a_change_and_its_audit_record(void **state)
{
    (void)state;
    struct ag_store *s = open_with_city();
    struct ag_error err = {0};
    struct ag_user u = {0};
    snprintf(u.name, sizeof u.name, "carol");
    assert_int_equal(ag_store_begin(s, &err), 0);
    assert_int_equal(ag_store_user_add(s, &u, "h", "test", &err), 0);
    assert_int_equal(ag_store_audit(s, "test", 1, "extra", "t", "d", &err), 0);
    ag_store_rollback(s);
    /* both gone: the inner transactions were savepoints of the outer one */
    assert_int_equal(scalar("SELECT count(*) FROM users"), 0);
    assert_int_equal(scalar("SELECT count(*) FROM audit"), 0);
    assert_int_equal(ag_store_begin(s, &err), 0);
    assert_int_equal(ag_store_user_add(s, &u, "h", "test", &err), 0);
    assert_int_equal(ag_store_commit(s, &err), 0);
    assert_int_equal(scalar("SELECT count(*) FROM users"), 1);
    assert_int_equal(scalar("SELECT count(*) FROM audit"), 1);
    ag_store_close(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_password_hash_is_argon2id_and_verifies_only_the_right_password),
        cmocka_unit_test(test_tokens_are_random_url_safe_and_hashed),
        cmocka_unit_test(test_users_grants_and_roles),
        cmocka_unit_test(test_sessions_expire_and_a_new_password_ends_them),
        cmocka_unit_test(test_assessment_revisions_refuse_a_lost_update),
        cmocka_unit_test(test_a_transaction_wraps_a_change_and_its_audit_record),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
