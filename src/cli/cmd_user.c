/* agora user, agora city, agora audit: accounts, roles per city and the
 * audit log, from the command line (the first accounts of a new server are
 * made here). SPDX-License-Identifier: EUPL-1.2 */
#include "cli.h"

#include "agora/auth.h"
#include "agora/i18n.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

static const char HELP_USER[] =
    "Usage: agora user COMMAND [OPTIONS]\n"
    "\n"
    "Accounts of the web application (agora serve).\n"
    "\n"
    "Commands:\n"
    "  add NAME [--display-name TEXT] [--organisation TEXT] [--lang L] [--admin]\n"
    "           [--password-file FILE]\n"
    "                         create an account; the password is read from FILE (its\n"
    "                         first line), else asked twice on the terminal, else read\n"
    "                         from the first line of the standard input\n"
    "  passwd NAME [--password-file FILE]   set a new password (ends its sessions)\n"
    "  list                   every account\n"
    "\n"
    "Passwords: at least 10 characters; stored as argon2id hashes only.\n"
    "Then give the account a role in a city: agora city grant CITY NAME --role ROLE.\n"
    "Options: --db PATH.\n";

static const char HELP_CITY[] =
    "Usage: agora city COMMAND [OPTIONS]\n"
    "\n"
    "Who may do what in a city, in the web application.\n"
    "\n"
    "Commands:\n"
    "  grant CITY USER --role ROLE [--partner]\n"
    "                         give USER a role in CITY: viewer (reads), assessor (also\n"
    "                         answers assessments), coordinator (also shares them and\n"
    "                         manages members); --partner for a partner organisation's\n"
    "                         staff (police, operators), who never see TLP:RED items\n"
    "  revoke CITY USER       remove USER's role in CITY\n"
    "  members CITY           the users with a role in CITY\n"
    "Options: --db PATH.\n";

static const char HELP_AUDIT[] =
    "Usage: agora audit [--city NAME] [--limit N] [--db PATH]\n"
    "\n"
    "The audit log: every change made through the web application or these\n"
    "commands (accounts, roles, assessments, sharing), newest first.\n";

static const char *cli_who(char *buf, size_t cap)
{
    const char *u = getenv("USER");
    snprintf(buf, cap, "cli:%s", u && *u ? u : "unknown");
    return buf;
}

/* Reads a password: from a file's first line, the terminal (twice, without
 * echo), or the first line of standard input. */
static int read_password(const char *file, char *out, size_t cap, struct ag_error *err)
{
    out[0] = 0;
    if (file) {
        FILE *f = fopen(file, "r");
        if (!f)
            return ag_error_set(err, AG_ENOENT, "%s: cannot open the password file", file);
        bool ok = fgets(out, (int)cap, f) != NULL;
        fclose(f);
        if (!ok)
            return ag_error_set(err, AG_EINVAL, "%s: the password file is empty", file);
        out[strcspn(out, "\r\n")] = 0;
        return 0;
    }
    if (isatty(STDIN_FILENO)) {
        struct termios old, quiet;
        tcgetattr(STDIN_FILENO, &old);
        quiet = old;
        quiet.c_lflag &= ~(tcflag_t)ECHO;
        char again[AG_PASSWORD_MAX + 2];
        fprintf(stderr, "Password: ");
        tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
        bool ok = fgets(out, (int)cap, stdin) != NULL;
        fprintf(stderr, "\nAgain: ");
        ok = ok && fgets(again, sizeof again, stdin) != NULL;
        tcsetattr(STDIN_FILENO, TCSANOW, &old);
        fprintf(stderr, "\n");
        out[strcspn(out, "\r\n")] = 0;
        again[strcspn(again, "\r\n")] = 0;
        if (!ok || strcmp(out, again))
            return ag_error_set(err, AG_EINVAL, "the two passwords differ");
        return 0;
    }
    if (!fgets(out, (int)cap, stdin))
        return ag_error_set(err, AG_EINVAL, "no password on the standard input");
    out[strcspn(out, "\r\n")] = 0;
    return 0;
}

static int open_store(const char *db, bool write, struct ag_store **s, struct ag_error *err)
{
    return ag_store_open(s, tool_db_path(db), write ? 0 : AG_STORE_READONLY, err);
}

static int user_add(int argc, char **argv, bool passwd)
{
    const char *db = NULL, *display = NULL, *org = NULL, *lang = NULL, *pwfile = NULL;
    bool admin = false;
    const struct cli_opt add_opts[] = {{"--db", &db, NULL},
                                       {"--display-name", &display, NULL},
                                       {"--organisation", &org, NULL},
                                       {"--lang", &lang, NULL},
                                       {"--admin", NULL, &admin},
                                       {"--password-file", &pwfile, NULL},
                                       {NULL, NULL, NULL}};
    const struct cli_opt passwd_opts[] = {
        {"--db", &db, NULL}, {"--password-file", &pwfile, NULL}, {NULL, NULL, NULL}};
    const struct cli_opt *opts = passwd ? passwd_opts : add_opts;
    const char *pos[1];
    int npos, code;
    if (tool_parse(argc, argv, opts, pos, 1, &npos, HELP_USER, &code))
        return code;
    if (npos != 1)
        return tool_usage("user %s: which user? (agora user %s NAME)", passwd ? "passwd" : "add",
                          passwd ? "passwd" : "add");
    struct ag_user u = {0};
    if (!ag_user_name_ok(pos[0]))
        return tool_usage("user: \"%s\": a user name is 1 to 63 letters, digits or . _ @ -",
                          pos[0]);
    snprintf(u.name, sizeof u.name, "%s", pos[0]);
    if (display && (strlen(display) >= sizeof u.display_name || !ag_text_ok(display)))
        return tool_usage("user add: --display-name: expected text of at most %zu bytes",
                          sizeof u.display_name - 1);
    if (org && (strlen(org) >= sizeof u.organisation || !ag_text_ok(org)))
        return tool_usage("user add: --organisation: expected text of at most %zu bytes",
                          sizeof u.organisation - 1);
    if (lang && !ag_i18n_lang_ok(lang))
        return tool_usage("user add: --lang \"%s\": expected one of %s", lang, ag_i18n_langs());
    snprintf(u.display_name, sizeof u.display_name, "%s", display ? display : "");
    snprintf(u.organisation, sizeof u.organisation, "%s", org ? org : "");
    snprintf(u.lang, sizeof u.lang, "%s", lang ? lang : "en");
    u.admin = admin;
    struct ag_error err = {0};
    char pw[AG_PASSWORD_MAX + 2], hash[AG_PWHASH_MAX], who[128];
    int rc = read_password(pwfile, pw, sizeof pw, &err);
    if (!rc)
        rc = ag_password_check(pw, &err);
    if (rc) {
        fprintf(stderr, "agora: %s\n", err.msg);
        return EXIT_USAGE;
    }
    rc = ag_password_hash(pw, hash, &err);
    memset(pw, 0, sizeof pw);
    struct ag_store *s = NULL;
    if (!rc)
        rc = open_store(db, true, &s, &err);
    if (!rc && passwd) {
        struct ag_user cur;
        rc = ag_store_user_get(s, u.name, &cur, NULL, &err);
        if (!rc)
            rc = ag_store_user_set_password(s, cur.id, hash, cli_who(who, sizeof who), &err);
        if (!rc)
            printf("New password set for %s; their sessions are ended.\n", u.name);
    } else if (!rc) {
        rc = ag_store_user_add(s, &u, hash, cli_who(who, sizeof who), &err);
        if (!rc)
            printf("User %s created%s; give them a role: agora city grant CITY %s --role "
                   "viewer|assessor|coordinator\n",
                   u.name, u.admin ? " (administrator)" : "", u.name);
    }
    ag_store_close(s);
    return rc ? tool_fail(&err) : EXIT_OK;
}

static int user_list(int argc, char **argv)
{
    const char *db = NULL;
    const struct cli_opt opts[] = {{"--db", &db, NULL}, {NULL, NULL, NULL}};
    const char *pos[1];
    int npos, code;
    if (tool_parse(argc, argv, opts, pos, 0, &npos, HELP_USER, &code))
        return code;
    struct ag_error err = {0};
    struct ag_store *s = NULL;
    struct ag_vec v, g;
    ag_vec_init(&v, sizeof(struct ag_user));
    ag_vec_init(&g, sizeof(struct ag_grant));
    int rc = open_store(db, false, &s, &err);
    if (!rc)
        rc = ag_store_users(s, &v, &err);
    if (!rc)
        rc = ag_store_grants(s, 0, 0, &g, &err);
    if (!rc && !v.len)
        printf("No account yet: agora user add NAME --admin\n");
    for (size_t i = 0; !rc && i < v.len; i++) {
        const struct ag_user *u = &AG_VEC_AT(&v, struct ag_user, i);
        printf("%-20s %-28s %-28s %s%s\n", u->name, u->display_name, u->organisation, u->lang,
               u->admin ? "  administrator" : "");
        for (size_t k = 0; k < g.len; k++) {
            const struct ag_grant *gr = &AG_VEC_AT(&g, struct ag_grant, k);
            if (gr->user_id == u->id)
                printf("    %s in %s%s\n", ag_role_name(gr->role), gr->city,
                       gr->partner ? " (partner)" : "");
        }
    }
    ag_vec_free(&v);
    ag_vec_free(&g);
    ag_store_close(s);
    return rc ? tool_fail(&err) : EXIT_OK;
}

int cmd_user(int argc, char **argv)
{
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        fputs(HELP_USER, argc < 2 ? stderr : stdout);
        return argc < 2 ? EXIT_USAGE : EXIT_OK;
    }
    if (!strcmp(argv[1], "add"))
        return user_add(argc - 1, argv + 1, false);
    if (!strcmp(argv[1], "passwd"))
        return user_add(argc - 1, argv + 1, true);
    if (!strcmp(argv[1], "list"))
        return user_list(argc - 1, argv + 1);
    return tool_usage("user: unknown command \"%s\" (add, passwd, list)", argv[1]);
}

static int city_cmd(int argc, char **argv, const char *what)
{
    const char *db = NULL, *role_s = NULL;
    bool partner = false;
    bool grant = !strcmp(what, "grant"), members = !strcmp(what, "members");
    const struct cli_opt opts[] = {{"--db", &db, NULL},
                                   {grant ? "--role" : NULL, &role_s, NULL},
                                   {grant ? "--partner" : NULL, NULL, &partner},
                                   {NULL, NULL, NULL}};
    const char *pos[2];
    int npos, code;
    if (tool_parse(argc, argv, opts, pos, 2, &npos, HELP_CITY, &code))
        return code;
    if (npos != (members ? 1 : 2))
        return tool_usage(members ? "city members: which city? (agora city members CITY)"
                                  : "city %s: expected CITY USER",
                          what);
    enum ag_role role = AG_ROLE_NONE;
    if (grant && !(role = ag_role_parse(role_s)))
        return tool_usage("city grant: --role: expected viewer, assessor or coordinator");
    struct ag_error err = {0};
    struct ag_store *s = NULL;
    struct ag_city c;
    struct ag_user u;
    char who[128];
    int rc = open_store(db, !members, &s, &err);
    if (!rc)
        rc = ag_store_city_get(s, pos[0], &c, &err);
    if (!rc && members) {
        struct ag_vec g;
        ag_vec_init(&g, sizeof(struct ag_grant));
        rc = ag_store_grants(s, 0, c.id, &g, &err);
        if (!rc && !g.len)
            printf("Nobody has a role in %s yet: agora city grant \"%s\" USER --role ROLE\n",
                   c.name, c.name);
        for (size_t k = 0; !rc && k < g.len; k++) {
            const struct ag_grant *gr = &AG_VEC_AT(&g, struct ag_grant, k);
            printf("%-20s %-12s%s  (since %s, by %s)\n", gr->user, ag_role_name(gr->role),
                   gr->partner ? " partner" : "", gr->granted_at, gr->granted_by);
        }
        ag_vec_free(&g);
    } else if (!rc) {
        rc = ag_store_user_get(s, pos[1], &u, NULL, &err);
        if (!rc)
            rc = ag_store_grant(s, u.id, c.id, role, partner, cli_who(who, sizeof who), &err);
        if (!rc && grant)
            printf("%s is now %s%s in %s\n", u.name, ag_role_name(role),
                   partner ? " (partner organisation)" : "", c.name);
        else if (!rc)
            printf("%s no longer has a role in %s\n", u.name, c.name);
    }
    ag_store_close(s);
    return rc ? tool_fail(&err) : EXIT_OK;
}

int cmd_city(int argc, char **argv)
{
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        fputs(HELP_CITY, argc < 2 ? stderr : stdout);
        return argc < 2 ? EXIT_USAGE : EXIT_OK;
    }
    if (!strcmp(argv[1], "grant") || !strcmp(argv[1], "revoke") || !strcmp(argv[1], "members"))
        return city_cmd(argc - 1, argv + 1, argv[1]);
    return tool_usage("city: unknown command \"%s\" (grant, revoke, members)", argv[1]);
}

/* Prints s with control characters escaped (\n, \x1b): a line of the log
 * stays one line and cannot move the terminal's cursor. */
static void put_safe(const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p < 0x20 || *p == 0x7f)
            printf("\\x%02x", *p);
        else
            putchar(*p);
    }
}

int cmd_audit(int argc, char **argv)
{
    const char *db = NULL, *city = NULL, *limit_s = NULL;
    const struct cli_opt opts[] = {{"--db", &db, NULL},
                                   {"--city", &city, NULL},
                                   {"--limit", &limit_s, NULL},
                                   {NULL, NULL, NULL}};
    const char *pos[1];
    int npos, code;
    if (tool_parse(argc, argv, opts, pos, 0, &npos, HELP_AUDIT, &code))
        return code;
    int64_t limit = 100;
    if (limit_s) {
        char *end;
        limit = strtoll(limit_s, &end, 10);
        if (*end || limit < 1)
            return tool_usage("audit: --limit \"%s\": expected a positive number", limit_s);
    }
    struct ag_error err = {0};
    struct ag_store *s = NULL;
    struct ag_city c = {0};
    struct ag_vec v;
    ag_vec_init(&v, sizeof(struct ag_audit_rec));
    int rc = open_store(db, false, &s, &err);
    if (!rc && city)
        rc = ag_store_city_get(s, city, &c, &err);
    if (!rc)
        rc = ag_store_audit_list(s, c.id, limit, &v, &err);
    for (size_t i = 0; !rc && i < v.len; i++) {
        const struct ag_audit_rec *a = &AG_VEC_AT(&v, struct ag_audit_rec, i);
        printf("%s  ", a->at);
        put_safe(a->who);
        printf("  %-20s ", a->action);
        put_safe(a->target);
        if (a->detail[0]) {
            printf(": ");
            put_safe(a->detail);
        }
        putchar('\n');
    }
    for (size_t i = 0; i < v.len; i++)
        ag_audit_rec_free(&AG_VEC_AT(&v, struct ag_audit_rec, i));
    ag_vec_free(&v);
    ag_store_close(s);
    return rc ? tool_fail(&err) : EXIT_OK;
}
