/* The agora command: shared helpers of the subcommands.
 * SPDX-License-Identifier: EUPL-1.2 */
#ifndef AGORA_CLI_H
#define AGORA_CLI_H

#include "agora/store.h"

/* Exit codes (README, "Exit codes"). */
enum { EXIT_OK = 0, EXIT_FAIL = 1, EXIT_USAGE = 2 };

struct cli_opt {
    const char *name;  /* "--db" */
    const char **value; /* set for options that take a value */
    bool *flag;        /* set for flags */
};

/* Parses argv[1..] (argv[0] is the subcommand name) into opts and up to
 * max_pos positional arguments. "--help" prints help and returns 1 with
 * *exit_code 0; a usage error prints a message and returns 1 with
 * *exit_code 2; otherwise returns 0. */
int tool_parse(int argc, char **argv, const struct cli_opt *opts, const char **pos, int max_pos,
               int *npos, const char *help, int *exit_code);

/* Prints "agora: error: <message>" and returns the exit code for err->code. */
int tool_fail(const struct ag_error *err);
int tool_exit_code(int ag_code);
int tool_usage(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* A record id given on the command line (a number from 1): 0, or a usage
 * error "CMD: "S" is not WHAT (HINT)" with its exit code. */
int tool_id(const char *s, const char *cmd, const char *what, const char *hint, int64_t *out);

/* The database location: --db, else $AGORA_DB, else ./agora.db. */
const char *tool_db_path(const char *opt);

/* Opens the store and finds the city (--city, or the only one). */
int tool_open_city(const char *db_opt, const char *city_opt, int flags, struct ag_store **store,
                   struct ag_city *city, struct ag_error *err);

/* Formats a number with thousands separators, e.g. 12,345.6 (decimals 0..3). */
const char *tool_num(char *buf, size_t len, double v, int decimals);

int cmd_import(int argc, char **argv);
int cmd_spaces(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_vehicle(int argc, char **argv);
int cmd_incidents(int argc, char **argv);
int cmd_crowd(int argc, char **argv);
int cmd_assess(int argc, char **argv);
int cmd_plan(int argc, char **argv);
int cmd_serve(int argc, char **argv);
int cmd_user(int argc, char **argv);
int cmd_city(int argc, char **argv);
int cmd_audit(int argc, char **argv);
int cmd_training(int argc, char **argv);
int cmd_survey(int argc, char **argv);
int cmd_indicators(int argc, char **argv);

#endif
