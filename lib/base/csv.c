/* RFC 4180 CSV records from memory (the data catalogues of the assessment,
 * answers imported from other tools). SPDX-License-Identifier: EUPL-1.2 */
#include "agora/base.h"

#include <stdlib.h>
#include <string.h>

#define CSV_RECORD_MAX ((size_t)1 << 20)

void ag_csv_init(struct ag_csv *c, const char *data, size_t len, const char *path)
{
    memset(c, 0, sizeof *c);
    c->p = data;
    c->end = data + len;
    if (len >= 3 && !memcmp(data, "\xEF\xBB\xBF", 3))
        c->p += 3;
    c->path = path ? path : "(csv)";
    c->next_line = 1;
    ag_buf_init(&c->text, CSV_RECORD_MAX);
}

void ag_csv_free(struct ag_csv *c)
{
    free(c->field);
    ag_buf_free(&c->text);
    memset(c, 0, sizeof *c);
}

/* Field starts are kept as offsets while the record's text grows (the
 * buffer may move), then turned into pointers once the record is whole. */
static int add_start(struct ag_csv *c, size_t off)
{
    if (c->nfield == c->field_cap) {
        void *g = ag_grow(c->field, &c->field_cap, c->nfield + 1, sizeof *c->field, 16);
        if (!g)
            return AG_ENOMEM;
        c->field = g;
    }
    c->field[c->nfield++] = (char *)(uintptr_t)off;
    return 0;
}

int ag_csv_next(struct ag_csv *c, struct ag_error *err)
{
    if (c->p >= c->end)
        return 0;
    c->line = c->next_line;
    c->nfield = 0;
    ag_buf_reset(&c->text);
    int rc = add_start(c, 0);
    bool quoted = false, after_quote = false;
    while (!rc) {
        if (c->p >= c->end) {
            if (quoted)
                return ag_error_set(err, AG_EPARSE,
                                    "%s:%d: a quoted field is not closed (a \" is missing)",
                                    c->path, c->line);
            break;
        }
        char ch = *c->p++;
        if (ch == '\0')
            return ag_error_set(err, AG_EPARSE, "%s:%d: a NUL byte: not a text file", c->path,
                                c->next_line);
        if (quoted) {
            if (ch == '"') {
                if (c->p < c->end && *c->p == '"') {
                    c->p++;
                    rc = ag_buf_append(&c->text, "\"", 1);
                } else {
                    quoted = false;
                    after_quote = true;
                }
                continue;
            }
            if (ch == '\n')
                c->next_line++;
            rc = ag_buf_append(&c->text, &ch, 1);
            continue;
        }
        if (ch == ',') {
            rc = ag_buf_append(&c->text, "", 1);
            if (!rc)
                rc = add_start(c, c->text.len);
            after_quote = false;
            continue;
        }
        if (ch == '\n' || (ch == '\r' && c->p < c->end && *c->p == '\n')) {
            if (ch == '\r')
                c->p++;
            c->next_line++;
            break;
        }
        if (after_quote)
            return ag_error_set(err, AG_EPARSE,
                                "%s:%d: field %zu: text after the closing quote (a quote inside "
                                "a quoted field must be doubled)",
                                c->path, c->next_line, c->nfield);
        if (ch == '"') {
            size_t start = (size_t)(uintptr_t)c->field[c->nfield - 1];
            if (c->text.len != start)
                return ag_error_set(err, AG_EPARSE,
                                    "%s:%d: field %zu: a quote inside an unquoted field (quote "
                                    "the whole field and double the quote)",
                                    c->path, c->next_line, c->nfield);
            quoted = true;
            continue;
        }
        rc = ag_buf_append(&c->text, &ch, 1);
    }
    if (!rc)
        rc = ag_buf_append(&c->text, "", 1);
    if (rc)
        return ag_error_set(
            err, rc, rc == AG_ELIMIT ? "%s:%d: a record longer than 1 MiB" : "%s:%d: out of memory",
            c->path, c->line);
    for (size_t i = 0; i < c->nfield; i++)
        c->field[i] = c->text.data + (size_t)(uintptr_t)c->field[i];
    return 1;
}
