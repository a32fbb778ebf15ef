/* Loading data/training/: modules.csv and every lesson in the five
 * languages, which must agree on everything but their texts
 * (docs/internals/training.md).
 * SPDX-License-Identifier: EUPL-1.2 */
#include "agora/training.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const LANGS[AG_TRAINING_LANGS] = {"en", "fr", "de", "it", "nl"};

void ag_training_free(struct ag_training *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < t->nlessons * AG_TRAINING_LANGS; i++)
        ag_lesson_free(&t->lessons[i]);
    free(t->lessons);
    free(t->modules);
    free(t);
}

static int load_modules(const char *dir, struct ag_training *t, struct ag_error *err)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/modules.csv", dir);
    struct ag_buf b;
    ag_buf_init(&b, (size_t)1 << 20);
    int rc = ag_file_read(path, &b, err);
    struct ag_csv c;
    ag_csv_init(&c, b.data ? b.data : "", b.len, path);
    int got = rc ? rc : ag_csv_next(&c, err);
    if (got == 0)
        rc = ag_error_set(err, AG_EPARSE, "%s: empty file (expected id,order,pass_percent)", path);
    else if (got < 0)
        rc = got;
    else if (c.nfield != 3 || strcmp(c.field[0], "id") || strcmp(c.field[1], "order") ||
             strcmp(c.field[2], "pass_percent"))
        rc = ag_error_set(err, AG_EPARSE, "%s:1: expected the header id,order,pass_percent", path);
    while (!rc && (got = ag_csv_next(&c, err)) > 0) {
        int line = c.line;
        struct ag_module m = {0};
        char *end;
        long order = c.nfield == 3 ? strtol(c.field[1], &end, 10) : 0;
        if (c.nfield != 3)
            rc = ag_error_set(err, AG_EPARSE, "%s:%d: expected 3 fields", path, line);
        else if (strlen(c.field[0]) < 2 || strlen(c.field[0]) >= sizeof m.id ||
                 c.field[0][0] != 'm' ||
                 strspn(c.field[0] + 1, "0123456789") != strlen(c.field[0]) - 1)
            rc = ag_error_set(err, AG_EPARSE, "%s:%d: id: expected m1, m2, ...", path, line);
        else if (*end || order < 1 || order > 1000)
            rc = ag_error_set(err, AG_EPARSE, "%s:%d: order: expected 1 to 1000", path, line);
        else if (!ag_parse_double(c.field[2], &m.pass_percent) || !(m.pass_percent > 0) ||
                 m.pass_percent > 100)
            rc = ag_error_set(err, AG_EPARSE,
                              "%s:%d: pass_percent: expected more than 0, at "
                              "most 100",
                              path, line);
        if (rc)
            break;
        snprintf(m.id, sizeof m.id, "%s", c.field[0]);
        m.order = (int)order;
        for (size_t i = 0; i < t->nmodules; i++)
            if (!strcmp(t->modules[i].id, m.id))
                rc = ag_error_set(err, AG_EPARSE, "%s:%d: module %s given twice", path, line, m.id);
        struct ag_module *nm = rc ? NULL : realloc(t->modules, (t->nmodules + 1) * sizeof *nm);
        if (!rc && !nm)
            rc = ag_error_set(err, AG_ENOMEM, "out of memory");
        if (!rc) {
            t->modules = nm;
            t->modules[t->nmodules++] = m;
        }
    }
    if (!rc && got < 0)
        rc = got;
    if (!rc && !t->nmodules)
        rc = ag_error_set(err, AG_EPARSE, "%s: no module", path);
    ag_csv_free(&c);
    ag_buf_free(&b);
    /* by order */
    for (size_t i = 1; !rc && i < t->nmodules; i++)
        for (size_t k = i; k > 0 && t->modules[k - 1].order > t->modules[k].order; k--) {
            struct ag_module x = t->modules[k];
            t->modules[k] = t->modules[k - 1];
            t->modules[k - 1] = x;
        }
    return rc;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The lesson files of a module: names ending in ".en.md", sorted. */
static int list_lessons(const char *mdir, char ***out, size_t *n, struct ag_error *err)
{
    DIR *d = opendir(mdir);
    if (!d)
        return ag_error_set(err, AG_ENOENT, "%s: no such directory (a module of modules.csv)",
                            mdir);
    *out = NULL;
    *n = 0;
    struct dirent *de;
    int rc = 0;
    while (!rc && (de = readdir(d))) {
        size_t l = strlen(de->d_name);
        if (l <= 6 || strcmp(de->d_name + l - 6, ".en.md") || de->d_name[0] == '.')
            continue;
        char **nn = realloc(*out, (*n + 1) * sizeof *nn);
        if (!nn || !(nn[*n] = ag_strdup(de->d_name))) {
            if (nn)
                *out = nn;
            rc = ag_error_set(err, AG_ENOMEM, "out of memory");
            break;
        }
        *out = nn;
        (*n)++;
    }
    closedir(d);
    if (!rc && *n)
        qsort(*out, *n, sizeof **out, cmp_str);
    return rc;
}

/* Everything but the texts must be the same in every language. */
static int same(const struct ag_lesson *en, const struct ag_lesson *x, const char *path,
                struct ag_error *err)
{
    if (strcmp(en->id, x->id) || strcmp(en->module, x->module) || en->kind != x->kind ||
        en->minutes != x->minutes)
        return ag_error_set(err, AG_EPARSE,
                            "%s: id, module, kind or minutes differ from the English lesson", path);
    if (en->nexercises != x->nexercises)
        return ag_error_set(err, AG_EPARSE, "%s: %zu exercises, the English lesson has %zu", path,
                            x->nexercises, en->nexercises);
    for (size_t i = 0; i < en->nexercises; i++) {
        const struct ag_exercise *a = &en->exercises[i], *b = &x->exercises[i];
        if (strcmp(a->id, b->id) || a->kind != b->kind || a->noptions != b->noptions ||
            memcmp(a->correct, b->correct, sizeof a->correct))
            return ag_error_set(err, AG_EPARSE,
                                "%s: exercise %s differs from the English one (id, kind, number "
                                "of options or right answers)",
                                path, b->id);
    }
    return 0;
}

int ag_training_load(const char *dir, struct ag_training **out, struct ag_error *err)
{
    char base[4096];
    snprintf(base, sizeof base, "%s/training", dir ? dir : ag_data_dir());
    struct ag_training *t = calloc(1, sizeof *t);
    if (!t)
        return ag_error_set(err, AG_ENOMEM, "out of memory");
    int rc = load_modules(base, t, err);
    struct ag_buf b;
    ag_buf_init(&b, (size_t)1 << 20);
    for (size_t m = 0; !rc && m < t->nmodules; m++) {
        char mdir[4200];
        snprintf(mdir, sizeof mdir, "%s/%s", base, t->modules[m].id);
        char **names = NULL;
        size_t n = 0;
        rc = list_lessons(mdir, &names, &n, err);
        if (!rc && !n)
            rc = ag_error_set(err, AG_EPARSE, "%s: no lesson (expected NN-name.en.md files)", mdir);
        for (size_t i = 0; !rc && i < n; i++) {
            struct ag_lesson *nl =
                realloc(t->lessons, (t->nlessons + 1) * AG_TRAINING_LANGS * sizeof *nl);
            if (!nl) {
                rc = ag_error_set(err, AG_ENOMEM, "out of memory");
                break;
            }
            t->lessons = nl;
            struct ag_lesson *row = &t->lessons[t->nlessons * AG_TRAINING_LANGS];
            memset(row, 0, AG_TRAINING_LANGS * sizeof *row);
            t->nlessons++;
            size_t stem = strlen(names[i]) - 6;
            for (int k = 0; !rc && k < AG_TRAINING_LANGS; k++) {
                char path[4400];
                snprintf(path, sizeof path, "%s/%.*s.%s.md", mdir, (int)stem, names[i], LANGS[k]);
                ag_buf_reset(&b);
                rc = ag_file_read(path, &b, err);
                if (rc == AG_ENOENT)
                    rc = ag_error_set(err, AG_ENOENT, "%s: missing (every lesson exists in %s)",
                                      path, "en fr de it nl");
                if (!rc)
                    rc = ag_lesson_parse(b.data, b.len, path, &row[k], err);
                if (!rc) {
                    snprintf(row[k].lang, sizeof row[k].lang, "%s", LANGS[k]);
                    if (strcmp(row[k].module, t->modules[m].id))
                        rc = ag_error_set(err, AG_EPARSE, "%s: module is %s, but the file is in %s",
                                          path, row[k].module, t->modules[m].id);
                }
                if (!rc && k)
                    rc = same(&row[0], &row[k], path, err);
            }
            for (size_t j = 0; !rc && j + 1 < t->nlessons; j++)
                if (!strcmp(t->lessons[j * AG_TRAINING_LANGS].id, row[0].id))
                    rc = ag_error_set(err, AG_EPARSE, "%s/%s: lesson id %s used twice", mdir,
                                      names[i], row[0].id);
        }
        for (size_t i = 0; i < n; i++)
            free(names[i]);
        free(names);
    }
    ag_buf_free(&b);
    if (rc) {
        ag_training_free(t);
        return rc;
    }
    *out = t;
    return 0;
}

const struct ag_lesson *ag_training_lesson(const struct ag_training *t, size_t i, const char *lang)
{
    if (i >= t->nlessons)
        return NULL;
    for (int k = 0; k < AG_TRAINING_LANGS; k++)
        if (lang && !strcmp(lang, LANGS[k]))
            return &t->lessons[i * AG_TRAINING_LANGS + k];
    return NULL;
}

long ag_training_find_lesson(const struct ag_training *t, const char *id)
{
    for (size_t i = 0; i < t->nlessons; i++)
        if (!strcmp(t->lessons[i * AG_TRAINING_LANGS].id, id))
            return (long)i;
    return -1;
}

const struct ag_exercise *ag_training_find_exercise(const struct ag_training *t, const char *id,
                                                    size_t *lesson)
{
    for (size_t i = 0; i < t->nlessons; i++) {
        const struct ag_lesson *l = &t->lessons[i * AG_TRAINING_LANGS];
        for (size_t e = 0; e < l->nexercises; e++)
            if (!strcmp(l->exercises[e].id, id)) {
                if (lesson)
                    *lesson = i;
                return &l->exercises[e];
            }
    }
    return NULL;
}

const struct ag_module *ag_training_module(const struct ag_training *t, const char *id)
{
    for (size_t i = 0; i < t->nmodules; i++)
        if (!strcmp(t->modules[i].id, id))
            return &t->modules[i];
    return NULL;
}
