/* The SQLite backend's handle and helpers, shared by the files of the
 * backend (sqlite.c: the city model and results; accounts.c: users,
 * grants, sessions, audit; rows.c: reading rows). Not part of the public
 * API.
 * SPDX-License-Identifier: EUPL-1.2 */
#ifndef AGORA_STORE_SQLITE_INT_H
#define AGORA_STORE_SQLITE_INT_H

#include "agora/store.h"

#include <sqlite3.h>

struct ag_store {
    sqlite3 *db;
    bool writable;
    bool wal; /* put in WAL by this handle: back to a rollback journal on close */
    int depth; /* open transactions: the outermost is a real one */
    char path[4096];
};

/* Sets err from SQLite's last error: "PATH: what: message". */
int ag__db_fail(struct ag_store *s, struct ag_error *err, const char *what);
int ag__exec(struct ag_store *s, const char *sql, struct ag_error *err);
int ag__prepare(struct ag_store *s, const char *sql, sqlite3_stmt **st, struct ag_error *err);
/* Nested transactions: the outermost BEGIN IMMEDIATE, inner ones savepoints;
 * each begin is matched by one commit or one rollback. */
int ag__tx_begin(struct ag_store *s, struct ag_error *err);
int ag__tx_commit(struct ag_store *s, struct ag_error *err);
void ag__tx_rollback(struct ag_store *s);
/* The time now, UTC, ISO 8601 ("2026-11-23T07:20:00Z"). */
void ag__utc_now(char out[32]);
/* Column i as text into out (empty for NULL), truncated to cap. */
void ag__copy_text(sqlite3_stmt *st, int i, char *out, size_t cap);
/* Steps st once expecting SQLITE_DONE, then finalizes it. */
int ag__step_done(struct ag_store *s, sqlite3_stmt *st, const char *what, struct ag_error *err);

/* Reading rows (rows.c). A read function reads the current row of st into
 * out; it returns 0, or an error set in err after freeing what it had
 * allocated. */
typedef int (*ag__read_fn)(sqlite3_stmt *st, void *out, struct ag_error *err);
/* Column 0 into the int64_t out. */
int ag__read_int64(sqlite3_stmt *st, void *out, struct ag_error *err);
/* Steps the prepared and bound st once and finalizes it: the row read into
 * out; without a row AG_ENOTFOUND with the message notfound (printf-style),
 * or 0 with out left as it was when notfound is NULL; what names the
 * operation in a database error ("reading an action"). */
int ag__step_one(struct ag_store *s, sqlite3_stmt *st, ag__read_fn read, void *out,
                 const char *what, struct ag_error *err, const char *notfound, ...)
    __attribute__((format(printf, 7, 8)));
/* ag__step_one of sql with ?1 = a and ?2 = b (each bound when sql has it). */
int ag__select_one(struct ag_store *s, const char *sql, int64_t a, int64_t b, ag__read_fn read,
                   void *out, const char *what, struct ag_error *err, const char *notfound, ...)
    __attribute__((format(printf, 9, 10)));
/* Steps the prepared and bound st over every row and finalizes it: each row
 * read into a new (zeroed) element of out, which is taken back when the read
 * fails; AG_ENOMEM when out cannot grow. */
int ag__step_all(struct ag_store *s, sqlite3_stmt *st, ag__read_fn read, struct ag_vec *out,
                 const char *what, struct ag_error *err);
/* ag__step_all of sql with ?1 = a and ?2 = b (each bound when sql has it). */
int ag__select_all(struct ag_store *s, const char *sql, int64_t a, int64_t b, ag__read_fn read,
                   struct ag_vec *out, const char *what, struct ag_error *err);

#endif
