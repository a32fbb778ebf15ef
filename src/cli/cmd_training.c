/* agora training: the e-learning modules (list) and a learner's progress.
 * SPDX-License-Identifier: EUPL-1.2 */
#include "cli.h"

#include "agora/i18n.h"
#include "agora/training.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char HELP[] =
    "Usage: agora training COMMAND [OPTIONS]\n"
    "\n"
    "The training modules for the staff who protect public spaces (data/training/,\n"
    "in five languages), taken in the web application (agora serve).\n"
    "\n"
    "Commands:\n"
    "  list [--lang L]        the modules and their lessons\n"
    "  progress USER [--db PATH]\n"
    "                         a learner's progress: lessons done, self-evaluation and\n"
    "                         practical scores, modules passed\n"
    "  check [DIR]            read every lesson of DIR/training (default agora's data)\n"
    "                         and report the first error\n";

static const char *const KINDS[] = {"lesson", "self-evaluation", "practical"};

static int load(const char *dir, struct ag_training **t)
{
    struct ag_error err = {0};
    int rc = ag_training_load(dir, t, &err);
    return rc ? tool_fail(&err) : 0;
}

static int list(int argc, char **argv)
{
    const char *lang = NULL;
    const struct cli_opt opts[] = {{"--lang", &lang, NULL}, {NULL, NULL, NULL}};
    const char *pos[1];
    int npos, code;
    if (tool_parse(argc, argv, opts, pos, 0, &npos, HELP, &code))
        return code;
    if (!lang)
        lang = "en";
    if (!ag_i18n_lang_ok(lang))
        return tool_usage("training list: --lang \"%s\": expected one of %s", lang,
                          ag_i18n_langs());
    struct ag_training *t = NULL;
    if ((code = load(NULL, &t)))
        return code;
    for (size_t m = 0; m < t->nmodules; m++) {
        bool head = false;
        for (size_t i = 0; i < t->nlessons; i++) {
            const struct ag_lesson *l = ag_training_lesson(t, i, lang);
            if (strcmp(l->module, t->modules[m].id))
                continue;
            if (!head)
                printf("%s  %s (pass mark %.0f %%)\n", t->modules[m].id, l->module_title,
                       t->modules[m].pass_percent);
            head = true;
            printf("  %-8s %-16s %3d min  %2zu exercises  %s\n", l->id, KINDS[l->kind], l->minutes,
                   l->nexercises, l->title);
        }
    }
    ag_training_free(t);
    return EXIT_OK;
}

static int progress(int argc, char **argv)
{
    const char *db = NULL;
    const struct cli_opt opts[] = {{"--db", &db, NULL}, {NULL, NULL, NULL}};
    const char *pos[1];
    int npos, code;
    if (tool_parse(argc, argv, opts, pos, 1, &npos, HELP, &code))
        return code;
    if (npos != 1)
        return tool_usage("training progress: whose? (agora training progress USER)");
    struct ag_training *t = NULL;
    if ((code = load(NULL, &t)))
        return code;
    struct ag_error err = {0};
    struct ag_store *s = NULL;
    struct ag_user u;
    struct ag_vec v;
    ag_vec_init(&v, sizeof(struct ag_training_rec));
    struct ag_module_progress *mp = calloc(t->nmodules, sizeof *mp);
    bool all = false;
    int rc = mp ? ag_store_open(&s, tool_db_path(db), AG_STORE_READONLY, &err)
                : ag_error_set(&err, AG_ENOMEM, "out of memory");
    if (!rc)
        rc = ag_store_user_get(s, pos[0], &u, NULL, &err);
    if (!rc)
        rc = ag_store_training_progress(s, u.id, false, &v, &err);
    if (!rc)
        rc = ag_training_progress(t, v.data, v.len, mp, &all);
    for (size_t m = 0; !rc && m < t->nmodules; m++) {
        const struct ag_module_progress *p = &mp[m];
        printf("%s  %zu of %zu lessons done", p->module->id, p->lessons_done, p->lessons);
        if (p->has_self_eval)
            p->self_eval_percent >= 0 ? printf(", self-evaluation %.0f %%", p->self_eval_percent)
                                      : printf(", self-evaluation not begun");
        if (p->has_practical)
            p->practical_percent >= 0 ? printf(", practical %.0f %%", p->practical_percent)
                                      : printf(", practical not done");
        printf("%s\n", p->passed ? "  passed" : "");
    }
    if (!rc)
        printf("%s\n", all ? "Every module passed: the certificate can be downloaded."
                           : "The certificate comes when every module is passed.");
    for (size_t i = 0; i < v.len; i++)
        ag_training_rec_free(&AG_VEC_AT(&v, struct ag_training_rec, i));
    ag_vec_free(&v);
    free(mp);
    ag_store_close(s);
    ag_training_free(t);
    return rc ? tool_fail(&err) : EXIT_OK;
}

int cmd_training(int argc, char **argv)
{
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        fputs(HELP, argc < 2 ? stderr : stdout);
        return argc < 2 ? EXIT_USAGE : EXIT_OK;
    }
    if (!strcmp(argv[1], "list"))
        return list(argc - 1, argv + 1);
    if (!strcmp(argv[1], "progress"))
        return progress(argc - 1, argv + 1);
    if (!strcmp(argv[1], "check")) {
        struct ag_training *t = NULL;
        int code = load(argc > 2 ? argv[2] : NULL, &t);
        if (!code)
            printf("%zu modules, %zu lessons in 5 languages: every file reads and the languages "
                   "agree\n",
                   t->nmodules, t->nlessons);
        ag_training_free(t);
        return code;
    }
    return tool_usage("training: unknown command \"%s\" (list, progress, check)", argv[1]);
}
