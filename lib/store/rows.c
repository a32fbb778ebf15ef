/* Reading rows into structs: the prepare, bind, step, read and finalize of
 * the store's readers, once (sqlite_int.h). SPDX-License-Identifier: EUPL-1.2 */
#include "store/sqlite_int.h"

#include <stdarg.h>
#include <stdio.h>

int ag__read_int64(sqlite3_stmt *st, void *out, struct ag_error *err)
{
    (void)err;
    *(int64_t *)out = sqlite3_column_int64(st, 0);
    return 0;
}

static int vstep_one(struct ag_store *s, sqlite3_stmt *st, ag__read_fn read, void *out,
                     const char *what, struct ag_error *err, const char *notfound, va_list ap)
{
    int rc = 0;
    int step = sqlite3_step(st);
    if (step == SQLITE_ROW)
        rc = read(st, out, err);
    else if (step != SQLITE_DONE)
        rc = ag__db_fail(s, err, what);
    else if (notfound) {
        char msg[sizeof err->msg];
        vsnprintf(msg, sizeof msg, notfound, ap);
        rc = ag_error_set(err, AG_ENOTFOUND, "%s", msg);
    }
    sqlite3_finalize(st);
    return rc;
}

int ag__step_one(struct ag_store *s, sqlite3_stmt *st, ag__read_fn read, void *out,
                 const char *what, struct ag_error *err, const char *notfound, ...)
{
    va_list ap;
    va_start(ap, notfound);
    int rc = vstep_one(s, st, read, out, what, err, notfound, ap);
    va_end(ap);
    return rc;
}

/* Prepares sql and binds ?1 and ?2 where it has them. */
static int prepare_ids(struct ag_store *s, const char *sql, int64_t a, int64_t b, sqlite3_stmt **st,
                       struct ag_error *err)
{
    int rc = ag__prepare(s, sql, st, err);
    if (rc)
        return rc;
    int n = sqlite3_bind_parameter_count(*st);
    if (n >= 1)
        sqlite3_bind_int64(*st, 1, a);
    if (n >= 2)
        sqlite3_bind_int64(*st, 2, b);
    return 0;
}

int ag__select_one(struct ag_store *s, const char *sql, int64_t a, int64_t b, ag__read_fn read,
                   void *out, const char *what, struct ag_error *err, const char *notfound, ...)
{
    sqlite3_stmt *st;
    int rc = prepare_ids(s, sql, a, b, &st, err);
    if (rc)
        return rc;
    va_list ap;
    va_start(ap, notfound);
    rc = vstep_one(s, st, read, out, what, err, notfound, ap);
    va_end(ap);
    return rc;
}

int ag__step_all(struct ag_store *s, sqlite3_stmt *st, ag__read_fn read, struct ag_vec *out,
                 const char *what, struct ag_error *err)
{
    int rc = 0, step;
    while (!rc && (step = sqlite3_step(st)) == SQLITE_ROW) {
        void *elem = ag_vec_push(out, NULL);
        if (!elem)
            rc = ag_error_set(err, AG_ENOMEM, "out of memory");
        else if ((rc = read(st, elem, err)))
            out->len--; /* read freed what it had allocated */
    }
    if (!rc && step != SQLITE_DONE)
        rc = ag__db_fail(s, err, what);
    sqlite3_finalize(st);
    return rc;
}

int ag__select_all(struct ag_store *s, const char *sql, int64_t a, int64_t b, ag__read_fn read,
                   struct ag_vec *out, const char *what, struct ag_error *err)
{
    sqlite3_stmt *st;
    int rc = prepare_ids(s, sql, a, b, &st, err);
    return rc ? rc : ag__step_all(s, st, read, out, what, err);
}
