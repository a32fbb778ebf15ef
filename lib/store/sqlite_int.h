/* The SQLite backend's handle and helpers, shared by the files of the
 * backend (sqlite.c: the city model and results; accounts.c: users,
 * grants, sessions, audit). Not part of the public API.
 * SPDX-License-Identifier: EUPL-1.2 */
#ifndef AGORA_STORE_SQLITE_INT_H
#define AGORA_STORE_SQLITE_INT_H

#include "agora/store.h"

#include <sqlite3.h>

struct ag_store {
    sqlite3 *db;
    bool writable;
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

#endif
