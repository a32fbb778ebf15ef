/* Reading one lesson file of data/training/ (docs/internals/training.md):
 * front matter, Markdown body, exercise blocks. The files may be edited by
 * a city, so they are read like outside input: every line checked, errors
 * naming the file and the line.
 * SPDX-License-Identifier: EUPL-1.2 */
#include "agora/training.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LESSON_MAX ((size_t)1 << 20)
#define LINE_MAX_BYTES 4000

struct reader {
    const char *p, *end, *name;
    int line;
    char buf[LINE_MAX_BYTES + 1];
};

/* The next line into r->buf (without its end of line); 0 at the end, 1 for
 * a line, <0 on error. */
static int next_line(struct reader *r, struct ag_error *err)
{
    if (r->p >= r->end)
        return 0;
    const char *nl = memchr(r->p, '\n', (size_t)(r->end - r->p));
    size_t n = nl ? (size_t)(nl - r->p) : (size_t)(r->end - r->p);
    r->line++;
    if (n > LINE_MAX_BYTES)
        return ag_error_set(err, AG_EPARSE, "%s:%d: line longer than %d bytes", r->name, r->line,
                            LINE_MAX_BYTES);
    memcpy(r->buf, r->p, n);
    r->p = nl ? nl + 1 : r->end;
    if (n && r->buf[n - 1] == '\r')
        n--;
    r->buf[n] = 0;
    if (memchr(r->buf, 0, n))
        return ag_error_set(err, AG_EPARSE, "%s:%d: a NUL byte in the text", r->name, r->line);
    if (n && !ag_text_ok(r->buf))
        return ag_error_set(err, AG_EPARSE, "%s:%d: expected UTF-8 text without control characters",
                            r->name, r->line);
    return 1;
}

static int append(char **dst, const char *s, const char *sep)
{
    size_t a = *dst ? strlen(*dst) : 0, b = strlen(s), c = *dst ? strlen(sep) : 0;
    char *n = realloc(*dst, a + c + b + 1);
    if (!n)
        return AG_ENOMEM;
    if (c)
        memcpy(n + a, sep, c);
    memcpy(n + a + c, s, b + 1);
    *dst = n;
    return 0;
}

static const char *strip(char *s)
{
    while (*s == ' ')
        s++;
    size_t n = strlen(s);
    while (n && s[n - 1] == ' ')
        s[--n] = 0;
    return s;
}

void ag_lesson_free(struct ag_lesson *l)
{
    if (!l)
        return;
    free(l->module_title);
    free(l->title);
    free(l->body);
    for (size_t i = 0; i < l->nexercises; i++) {
        struct ag_exercise *e = &l->exercises[i];
        free(e->question);
        free(e->explanation);
        for (size_t k = 0; k < e->noptions; k++)
            free(e->option[k]);
    }
    free(l->exercises);
    memset(l, 0, sizeof *l);
}

static bool id_ok(const char *s, size_t max)
{
    size_t n = strlen(s);
    if (n < 1 || n >= max)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '-' ||
              s[i] == '_'))
            return false;
    return true;
}

static int front_matter(struct reader *r, struct ag_lesson *l, struct ag_error *err)
{
    int rc = next_line(r, err);
    if (rc < 0)
        return rc;
    if (rc == 0 || strcmp(r->buf, "---"))
        return ag_error_set(err, AG_EPARSE, "%s:1: expected the front matter to start with ---",
                            r->name);
    bool seen[6] = {0};
    static const char *const keys[] = {"id", "module", "module_title", "title", "kind", "minutes"};
    for (;;) {
        if ((rc = next_line(r, err)) < 0)
            return rc;
        if (rc == 0)
            return ag_error_set(err, AG_EPARSE, "%s:%d: the front matter has no closing ---",
                                r->name, r->line);
        if (!strcmp(r->buf, "---"))
            break;
        char *colon = strchr(r->buf, ':');
        if (!colon)
            return ag_error_set(err, AG_EPARSE,
                                "%s:%d: expected \"key: value\" in the front matter", r->name,
                                r->line);
        *colon = 0;
        const char *key = strip(r->buf), *val = strip(colon + 1);
        int k = -1;
        for (int i = 0; i < 6; i++)
            if (!strcmp(key, keys[i]))
                k = i;
        if (k < 0)
            return ag_error_set(err, AG_EPARSE,
                                "%s:%d: unknown key \"%.40s\" (expected id, module, module_title, "
                                "title, kind, minutes)",
                                r->name, r->line, key);
        if (seen[k])
            return ag_error_set(err, AG_EPARSE, "%s:%d: %s given twice", r->name, r->line, key);
        seen[k] = true;
        if (!*val)
            return ag_error_set(err, AG_EPARSE, "%s:%d: %s: expected a value", r->name, r->line,
                                key);
        switch (k) {
        case 0:
            if (!id_ok(val, sizeof l->id))
                return ag_error_set(err, AG_EPARSE,
                                    "%s:%d: id: expected lower-case letters, digits and - (e.g. "
                                    "m1-01)",
                                    r->name, r->line);
            snprintf(l->id, sizeof l->id, "%s", val);
            break;
        case 1:
            if (!id_ok(val, sizeof l->module) || val[0] != 'm')
                return ag_error_set(err, AG_EPARSE, "%s:%d: module: expected m1, m2, ...", r->name,
                                    r->line);
            snprintf(l->module, sizeof l->module, "%s", val);
            break;
        case 2:
            if (!(l->module_title = ag_strdup(val)))
                return AG_ENOMEM;
            break;
        case 3:
            if (!(l->title = ag_strdup(val)))
                return AG_ENOMEM;
            break;
        case 4:
            if (!strcmp(val, "lesson"))
                l->kind = AG_LESSON_LESSON;
            else if (!strcmp(val, "self-evaluation"))
                l->kind = AG_LESSON_SELF_EVALUATION;
            else if (!strcmp(val, "practical"))
                l->kind = AG_LESSON_PRACTICAL;
            else
                return ag_error_set(err, AG_EPARSE,
                                    "%s:%d: kind: expected lesson, self-evaluation or practical",
                                    r->name, r->line);
            break;
        case 5: {
            char *end;
            long m = strtol(val, &end, 10);
            if (*end || m < 1 || m > 600)
                return ag_error_set(err, AG_EPARSE, "%s:%d: minutes: expected 1 to 600", r->name,
                                    r->line);
            l->minutes = (int)m;
            break;
        }
        }
    }
    for (int i = 0; i < 6; i++)
        if (!seen[i])
            return ag_error_set(err, AG_EPARSE, "%s:%d: the front matter lacks %s", r->name,
                                r->line, keys[i]);
    return 0;
}

/* One exercise block, its "::: KIND ID" line already in r->buf. */
static int exercise(struct reader *r, struct ag_lesson *l, struct ag_error *err)
{
    int start = r->line;
    char kind[16], id[64];
    if (sscanf(r->buf, "::: %15s %63s", kind, id) != 2)
        return ag_error_set(err, AG_EPARSE, "%s:%d: expected \"::: KIND ID\"", r->name, start);
    struct ag_exercise *ne = realloc(l->exercises, (l->nexercises + 1) * sizeof *ne);
    if (!ne)
        return AG_ENOMEM;
    l->exercises = ne;
    struct ag_exercise *e = &l->exercises[l->nexercises++];
    memset(e, 0, sizeof *e);
    if (!strcmp(kind, "choice"))
        e->kind = AG_EX_CHOICE;
    else if (!strcmp(kind, "multiple"))
        e->kind = AG_EX_MULTIPLE;
    else if (!strcmp(kind, "order"))
        e->kind = AG_EX_ORDER;
    else if (!strcmp(kind, "scenario"))
        e->kind = AG_EX_SCENARIO;
    else
        return ag_error_set(err, AG_EPARSE,
                            "%s:%d: exercise kind \"%.15s\": expected choice, multiple, order or "
                            "scenario",
                            r->name, start, kind);
    if (!id_ok(id, sizeof e->id))
        return ag_error_set(err, AG_EPARSE,
                            "%s:%d: exercise id: expected lower-case letters, "
                            "digits and - (e.g. m1-01-q1)",
                            r->name, start);
    size_t ll = strlen(l->id);
    if (strncmp(id, l->id, ll) || id[ll] != '-')
        return ag_error_set(err, AG_EPARSE,
                            "%s:%d: exercise id %s: expected it to start with the "
                            "lesson id %s-",
                            r->name, start, id, l->id);
    for (size_t i = 0; i + 1 < l->nexercises; i++)
        if (!strcmp(l->exercises[i].id, id))
            return ag_error_set(err, AG_EPARSE, "%s:%d: exercise id %s used twice", r->name, start,
                                id);
    snprintf(e->id, sizeof e->id, "%s", id);
    int rc;
    for (;;) {
        if ((rc = next_line(r, err)) < 0)
            return rc;
        if (rc == 0)
            return ag_error_set(err, AG_EPARSE,
                                "%s:%d: the exercise %s has no closing :::", r->name, start, id);
        const char *s = r->buf;
        if (!strcmp(s, ":::"))
            break;
        bool ticked = !strncmp(s, "- [x] ", 6) || !strncmp(s, "- [X] ", 6);
        bool box = ticked || !strncmp(s, "- [ ] ", 6);
        char num[8];
        int used = 0;
        bool numbered = sscanf(s, "%7[0-9]. %n", num, &used) == 1 && used > 0;
        if (e->explanation || !strncmp(s, "> ", 2) || !strcmp(s, ">")) {
            if (strncmp(s, ">", 1))
                return ag_error_set(err, AG_EPARSE,
                                    "%s:%d: nothing may follow the explanation (> ...) but more of "
                                    "it",
                                    r->name, r->line);
            if (!e->noptions)
                return ag_error_set(err, AG_EPARSE,
                                    "%s:%d: the explanation comes after the "
                                    "options",
                                    r->name, r->line);
            if ((rc = append(&e->explanation, s[1] ? s + 2 : "", " ")))
                return rc;
        } else if (box || numbered) {
            /* a numbered line before the options of a choice is part of its
             * question ("... each weighted 2. One is answered 5, the other\n3.
             * What is ...") */
            if (numbered && !box && e->kind != AG_EX_ORDER && !e->noptions) {
                if ((rc = append(&e->question, s, "\n")))
                    return rc;
                continue;
            }
            if (e->kind == AG_EX_ORDER ? box : numbered)
                return ag_error_set(
                    err, AG_EPARSE, "%s:%d: %s exercise: options are %s", r->name, r->line, kind,
                    e->kind == AG_EX_ORDER ? "\"1. text\", \"2. text\" ... in the right order"
                                           : "\"- [ ] text\" or \"- [x] text\"");
            if (e->noptions == AG_EXERCISE_MAX_OPTIONS)
                return ag_error_set(err, AG_EPARSE, "%s:%d: more than %d options", r->name, r->line,
                                    AG_EXERCISE_MAX_OPTIONS);
            if (numbered && atoi(num) != (int)e->noptions + 1)
                return ag_error_set(err, AG_EPARSE, "%s:%d: expected option %zu here", r->name,
                                    r->line, e->noptions + 1);
            const char *text = box ? s + 6 : s + used;
            if (!*text)
                return ag_error_set(err, AG_EPARSE, "%s:%d: an option without text", r->name,
                                    r->line);
            e->correct[e->noptions] = ticked || numbered;
            if (!(e->option[e->noptions++] = ag_strdup(text)))
                return AG_ENOMEM;
        } else {
            if (e->noptions)
                return ag_error_set(
                    err, AG_EPARSE,
                    "%s:%d: after the options only \"> explanation\" lines may come", r->name,
                    r->line);
            if (*s && (rc = append(&e->question, s, "\n")))
                return rc;
        }
    }
    if (!e->question)
        return ag_error_set(err, AG_EPARSE, "%s:%d: the exercise %s has no question", r->name,
                            start, id);
    if (e->noptions < 2)
        return ag_error_set(err, AG_EPARSE, "%s:%d: the exercise %s needs 2 to %d options", r->name,
                            start, id, AG_EXERCISE_MAX_OPTIONS);
    size_t right = 0;
    for (size_t k = 0; k < e->noptions; k++)
        right += e->correct[k];
    if ((e->kind == AG_EX_CHOICE || e->kind == AG_EX_SCENARIO) && right != 1)
        return ag_error_set(err, AG_EPARSE, "%s:%d: the %s exercise %s needs exactly one [x]",
                            r->name, start, kind, id);
    if (e->kind == AG_EX_MULTIPLE && right < 1)
        return ag_error_set(err, AG_EPARSE,
                            "%s:%d: the multiple exercise %s needs at least one "
                            "[x]",
                            r->name, start, id);
    return 0;
}

int ag_lesson_parse(const char *text, size_t len, const char *name, struct ag_lesson *out,
                    struct ag_error *err)
{
    memset(out, 0, sizeof *out);
    if (len > LESSON_MAX)
        return ag_error_set(err, AG_ELIMIT, "%s: larger than %zu bytes", name, LESSON_MAX);
    struct reader *r = calloc(1, sizeof *r);
    if (!r)
        return ag_error_set(err, AG_ENOMEM, "out of memory");
    r->p = text;
    r->end = text + len;
    r->name = name;
    if (len >= 3 && !memcmp(text, "\xEF\xBB\xBF", 3))
        r->p += 3; /* a byte order mark */
    int rc = front_matter(r, out, err);
    while (!rc) {
        int got = next_line(r, err);
        if (got <= 0) {
            rc = got;
            break;
        }
        if (!strncmp(r->buf, ":::", 3))
            rc = exercise(r, out, err);
        else
            rc = append(&out->body, r->buf, "\n");
    }
    if (rc == AG_ENOMEM)
        ag_error_set(err, AG_ENOMEM, "out of memory");
    if (!rc && out->kind == AG_LESSON_SELF_EVALUATION && out->nexercises == 0)
        rc = ag_error_set(err, AG_EPARSE, "%s: a self-evaluation needs exercises", name);
    if (!rc && out->kind == AG_LESSON_PRACTICAL && out->nexercises)
        rc = ag_error_set(err, AG_EPARSE, "%s: a practical lesson has no exercises", name);
    if (!rc && !out->body && !(out->body = ag_strdup("")))
        rc = ag_error_set(err, AG_ENOMEM, "out of memory");
    if (rc)
        ag_lesson_free(out);
    free(r);
    return rc;
}

int ag_exercise_score(const struct ag_exercise *e, const int *answer, size_t n, double *score,
                      struct ag_error *err)
{
    bool used[AG_EXERCISE_MAX_OPTIONS] = {0};
    if (n > e->noptions)
        return ag_error_set(err, AG_EINVAL, "%s: %zu options given, the exercise has %zu", e->id, n,
                            e->noptions);
    for (size_t i = 0; i < n; i++) {
        if (answer[i] < 0 || (size_t)answer[i] >= e->noptions)
            return ag_error_set(err, AG_EINVAL, "%s: option %d does not exist (0 to %zu)", e->id,
                                answer[i], e->noptions - 1);
        if (used[answer[i]])
            return ag_error_set(err, AG_EINVAL, "%s: option %d given twice", e->id, answer[i]);
        used[answer[i]] = true;
    }
    switch (e->kind) {
    case AG_EX_CHOICE:
    case AG_EX_SCENARIO:
        if (n != 1)
            return ag_error_set(err, AG_EINVAL, "%s: expected one option", e->id);
        *score = e->correct[answer[0]] ? 1 : 0;
        return 0;
    case AG_EX_MULTIPLE: {
        int right = 0, hit = 0, miss = 0;
        for (size_t k = 0; k < e->noptions; k++)
            right += e->correct[k];
        for (size_t i = 0; i < n; i++)
            e->correct[answer[i]] ? hit++ : miss++;
        *score = hit > miss ? (double)(hit - miss) / right : 0;
        return 0;
    }
    case AG_EX_ORDER: {
        if (n != e->noptions)
            return ag_error_set(err, AG_EINVAL,
                                "%s: expected every one of the %zu options, in "
                                "order",
                                e->id, e->noptions);
        size_t good = 0;
        for (size_t i = 0; i + 1 < n; i++)
            good += answer[i] < answer[i + 1];
        *score = (double)good / (double)(n - 1);
        return 0;
    }
    }
    return ag_error_set(err, AG_EINVAL, "%s: unknown exercise kind", e->id);
}
