/* Report documents: the block list and the building API. The writers are
 * html.c and pdf.c; docs/internals/doc.md describes the layout.
 * SPDX-License-Identifier: EUPL-1.2 */
#include "doc_int.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- texts ---- */

/* Copies s for the block list (NULL: ""). Bytes that are not well-formed
 * UTF-8 become U+FFFD and control characters become spaces, newlines being
 * kept only where keep_nl: pango refuses invalid UTF-8 (it warns and drops
 * the text) and HTML forbids most C0 controls, so cleaning once here means
 * no text can make a writer fail or produce a broken page. */
static char *clean_text(const char *s, bool keep_nl)
{
    if (!s)
        s = "";
    size_t len = strlen(s);
    if (len > (SIZE_MAX - 1) / 3)
        return NULL;
    /* Worst case: every byte is invalid and becomes the 3 bytes of U+FFFD. */
    char *out = malloc(3 * len + 1);
    if (!out)
        return NULL;
    const unsigned char *p = (const unsigned char *)s;
    size_t o = 0;
    while (*p) {
        unsigned c = *p;
        if (c < 0x80) {
            if (c == '\r' && p[1] == '\n') {
                p++; /* CR LF: the LF that follows decides */
                continue;
            }
            if (c == '\n' || c == '\r')
                out[o++] = keep_nl ? '\n' : ' ';
            else if (c < 0x20 || c == 0x7f)
                out[o++] = ' ';
            else
                out[o++] = (char)c;
            p++;
            continue;
        }
        int n = 0;
        unsigned cp = 0, min = 0;
        if ((c & 0xe0) == 0xc0)
            n = 1, cp = c & 0x1f, min = 0x80;
        else if ((c & 0xf0) == 0xe0)
            n = 2, cp = c & 0x0f, min = 0x800;
        else if ((c & 0xf8) == 0xf0)
            n = 3, cp = c & 0x07, min = 0x10000;
        bool ok = n > 0;
        /* A NUL fails the continuation test, so this never reads past the
         * end of s. */
        for (int k = 1; ok && k <= n; k++) {
            if ((p[k] & 0xc0) != 0x80)
                ok = false;
            else
                cp = (cp << 6) | (p[k] & 0x3f);
        }
        if (ok && (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)))
            ok = false;
        if (!ok) {
            memcpy(out + o, "\xef\xbf\xbd", 3);
            o += 3;
            p++; /* resynchronise on the next byte */
        } else if (cp <= 0x9f) {
            out[o++] = ' '; /* C1 controls */
            p += n + 1;
        } else {
            memcpy(out + o, p, (size_t)n + 1);
            o += (size_t)n + 1;
            p += n + 1;
        }
    }
    out[o] = '\0';
    char *shrunk = realloc(out, o + 1);
    return shrunk ? shrunk : out;
}

static void free_texts(char **t, size_t n)
{
    if (!t)
        return;
    for (size_t i = 0; i < n; i++)
        free(t[i]);
    free(t);
}

/* n cleaned copies of src (src NULL or src[i] NULL: ""). */
static char **clean_texts(const char *const *src, size_t n, bool keep_nl)
{
    char **t = calloc(n ? n : 1, sizeof *t);
    if (!t)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        t[i] = clean_text(src ? src[i] : NULL, keep_nl);
        if (!t[i]) {
            free_texts(t, i);
            return NULL;
        }
    }
    return t;
}

/* ---- colours ---- */

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* "#rrggbb" only: the fills come from code (a risk level's colour), so
 * anything else is a caller's mistake, refused rather than guessed. */
static bool parse_rgb(const char *s, struct doc_rgb *out)
{
    if (!s || s[0] != '#' || strlen(s) != 7)
        return false;
    int v[6];
    for (int i = 0; i < 6; i++)
        if ((v[i] = hexval(s[1 + i])) < 0)
            return false;
    *out = (struct doc_rgb){true, (unsigned char)(v[0] * 16 + v[1]),
                            (unsigned char)(v[2] * 16 + v[3]), (unsigned char)(v[4] * 16 + v[5])};
    return true;
}

/* WCAG 2 relative luminance of one sRGB channel. */
static double channel_lum(unsigned char v)
{
    double c = v / 255.0;
    return c <= 0.04045 ? c / 12.92 : pow((c + 0.055) / 1.055, 2.4);
}

bool ag__doc_dark_text(struct doc_rgb c)
{
    double l = 0.2126 * channel_lum(c.r) + 0.7152 * channel_lum(c.g) + 0.0722 * channel_lum(c.b);
    /* Contrast ratios (L1 + 0.05) / (L2 + 0.05) against black (L = 0) and
     * white (L = 1); the larger one wins. */
    double vs_black = (l + 0.05) / 0.05;
    double vs_white = 1.05 / (l + 0.05);
    return vs_black >= vs_white;
}

const char *ag_doc_band(int product)
{
    /* The products of two 1..5 scores are 1-6, 8-10, 12, 15, 16, 20, 25:
     * the bands cut between 4|5, 9|10 and 16|20. Values outside 1..25 are
     * clamped so the function never returns NULL. */
    if (product <= 4)
        return "#1a9641";
    if (product <= 9)
        return "#fdd835";
    if (product <= 16)
        return "#fb8c00";
    return "#d7191c";
}

struct doc_rgb ag__doc_band_rgb(int product)
{
    struct doc_rgb c = {0};
    parse_rgb(ag_doc_band(product), &c);
    return c;
}

void ag__doc_number(char *out, size_t cap, double v, int decimals, const char *lang)
{
    /* ag_format_fixed needs at least one decimal; whole numbers are
     * rounded here, also by integer arithmetic (no locale involved). */
    if (decimals <= 0)
        snprintf(out, cap, "%lld", llround(v));
    else
        ag_format_fixed(out, cap, v, decimals);
    /* the decimal comma of the continental languages agora writes */
    bool comma = lang && (!strncmp(lang, "fr", 2) || !strncmp(lang, "de", 2) ||
                          !strncmp(lang, "it", 2) || !strncmp(lang, "nl", 2));
    char *dot = comma ? strchr(out, '.') : NULL;
    if (dot)
        *dot = ',';
}

/* ---- the document ---- */

static void block_free(struct doc_block *b)
{
    free(b->text);
    switch (b->kind) {
    case DOC_TABLE:
        if (b->u.table) {
            struct doc_table *t = b->u.table;
            for (size_t i = 0; i < t->rows.len; i++) {
                struct doc_row *r = &AG_VEC_AT(&t->rows, struct doc_row, i);
                free_texts(r->cells, t->ncols);
                free(r->fills);
            }
            ag_vec_free(&t->rows);
            free_texts(t->header, t->ncols);
            free(t->widths);
            free(t->numeric);
            free(t);
        }
        break;
    case DOC_MATRIX:
        if (b->u.matrix) {
            struct doc_matrix *m = b->u.matrix;
            free(m->x_label);
            free(m->y_label);
            for (int i = 0; i < 5; i++) {
                free(m->x_ticks[i]);
                free(m->y_ticks[i]);
            }
            for (int i = 0; i < 25; i++)
                free(m->cells[i]);
            free(m);
        }
        break;
    case DOC_BARS:
        if (b->u.bars) {
            struct doc_bars *s = b->u.bars;
            free_texts(s->label, s->n);
            free(s->value);
            free(s->lo);
            free(s->hi);
            free(s);
        }
        break;
    default:
        break;
    }
}

struct ag_doc *ag_doc_new(const char *lang, const char *title)
{
    struct ag_doc *d = calloc(1, sizeof *d);
    if (!d)
        return NULL;
    ag_vec_init(&d->blocks, sizeof(struct doc_block));
    /* "und" is BCP 47 for "undetermined": better than claiming English. */
    d->lang = clean_text(lang ? lang : "und", false);
    d->title = clean_text(title, false);
    if (!d->lang || !d->title) {
        ag_doc_free(d);
        return NULL;
    }
    return d;
}

void ag_doc_free(struct ag_doc *d)
{
    if (!d)
        return;
    for (size_t i = 0; i < d->blocks.len; i++)
        block_free(&AG_VEC_AT(&d->blocks, struct doc_block, i));
    ag_vec_free(&d->blocks);
    free(d->lang);
    free(d->title);
    free(d->subtitle);
    free(d->footer);
    free(d);
}

static int set_text(char **slot, const char *text)
{
    char *t = clean_text(text, false);
    if (!t)
        return AG_ENOMEM;
    free(*slot);
    *slot = t;
    return 0;
}

int ag_doc_subtitle(struct ag_doc *d, const char *text)
{
    return d ? set_text(&d->subtitle, text) : AG_EINVAL;
}

int ag_doc_footer(struct ag_doc *d, const char *text)
{
    return d ? set_text(&d->footer, text) : AG_EINVAL;
}

/* Appends a block; on failure the block's contents are freed here, so every
 * caller can hand over what it built and return the code. */
static int push_block(struct ag_doc *d, struct doc_block *b)
{
    if (!ag_vec_push(&d->blocks, b)) {
        block_free(b);
        return AG_ENOMEM;
    }
    return 0;
}

static int text_block(struct ag_doc *d, enum doc_kind kind, int level, const char *text,
                      bool keep_nl)
{
    if (!d || !text)
        return AG_EINVAL;
    struct doc_block b = {.kind = kind, .level = level};
    if (!(b.text = clean_text(text, keep_nl)))
        return AG_ENOMEM;
    return push_block(d, &b);
}

int ag_doc_heading(struct ag_doc *d, int level, const char *text)
{
    if (level < 1 || level > 3)
        return AG_EINVAL;
    return text_block(d, DOC_HEADING, level, text, false);
}

int ag_doc_para(struct ag_doc *d, const char *text)
{
    return text_block(d, DOC_PARA, 0, text, true);
}

int ag_doc_note(struct ag_doc *d, const char *text)
{
    return text_block(d, DOC_NOTE, 0, text, true);
}

int ag_doc_bullet(struct ag_doc *d, const char *text)
{
    return text_block(d, DOC_BULLET, 0, text, true);
}

int ag_doc_pagebreak(struct ag_doc *d)
{
    if (!d)
        return AG_EINVAL;
    struct doc_block b = {.kind = DOC_PAGEBREAK};
    return push_block(d, &b);
}

int ag_doc_table(struct ag_doc *d, size_t ncols, const char *const *header, const double *widths,
                 const bool *numeric)
{
    if (!d || !header || ncols < 1 || ncols > 12)
        return AG_EINVAL;
    double sum = 0;
    for (size_t c = 0; widths && c < ncols; c++) {
        if (!isfinite(widths[c]) || widths[c] <= 0)
            return AG_EINVAL;
        sum += widths[c];
    }
    if (widths && !isfinite(sum))
        return AG_EINVAL;
    struct doc_block b = {.kind = DOC_TABLE};
    struct doc_table *t = calloc(1, sizeof *t);
    if (!t)
        return AG_ENOMEM;
    b.u.table = t;
    t->ncols = ncols;
    ag_vec_init(&t->rows, sizeof(struct doc_row));
    t->header = clean_texts(header, ncols, false);
    t->widths = calloc(ncols, sizeof *t->widths);
    t->numeric = calloc(ncols, sizeof *t->numeric);
    if (!t->header || !t->widths || !t->numeric) {
        block_free(&b);
        return AG_ENOMEM;
    }
    for (size_t c = 0; c < ncols; c++) {
        t->widths[c] = widths ? widths[c] / sum : 1.0 / (double)ncols;
        t->numeric[c] = numeric && numeric[c];
    }
    return push_block(d, &b);
}

int ag_doc_row(struct ag_doc *d, const char *const *cells, const char *const *fills)
{
    if (!d || !cells || !d->blocks.len)
        return AG_EINVAL;
    struct doc_block *last = &AG_VEC_AT(&d->blocks, struct doc_block, d->blocks.len - 1);
    if (last->kind != DOC_TABLE)
        return AG_EINVAL; /* a row belongs to the table just declared */
    struct doc_table *t = last->u.table;
    struct doc_row r = {0};
    if (fills) {
        /* Parsed before anything is allocated for the cells, so a bad
         * colour costs nothing to refuse. */
        if (!(r.fills = calloc(t->ncols, sizeof *r.fills)))
            return AG_ENOMEM;
        for (size_t c = 0; c < t->ncols; c++) {
            if (fills[c] && !parse_rgb(fills[c], &r.fills[c])) {
                free(r.fills);
                return AG_EINVAL;
            }
        }
    }
    if (!(r.cells = clean_texts(cells, t->ncols, true))) {
        free(r.fills);
        return AG_ENOMEM;
    }
    if (!ag_vec_push(&t->rows, &r)) {
        free_texts(r.cells, t->ncols);
        free(r.fills);
        return AG_ENOMEM;
    }
    return 0;
}

int ag_doc_matrix(struct ag_doc *d, const char *x_label, const char *y_label,
                  const char *const x_ticks[5], const char *const y_ticks[5],
                  const char *const cells[25])
{
    if (!d)
        return AG_EINVAL;
    struct doc_block b = {.kind = DOC_MATRIX};
    struct doc_matrix *m = calloc(1, sizeof *m);
    if (!m)
        return AG_ENOMEM;
    b.u.matrix = m;
    bool ok =
        (m->x_label = clean_text(x_label, false)) && (m->y_label = clean_text(y_label, false));
    /* Ticks default to the scores themselves. */
    static const char *const scores[5] = {"1", "2", "3", "4", "5"};
    for (int i = 0; ok && i < 5; i++) {
        ok = (m->x_ticks[i] = clean_text(x_ticks ? x_ticks[i] : scores[i], false)) &&
             (m->y_ticks[i] = clean_text(y_ticks ? y_ticks[i] : scores[i], false));
    }
    for (int i = 0; ok && i < 25; i++)
        ok = (m->cells[i] = clean_text(cells ? cells[i] : NULL, true)) != NULL;
    if (!ok) {
        block_free(&b);
        return AG_ENOMEM;
    }
    return push_block(d, &b);
}

/* Bound on every number of a bar chart: ag__doc_number rounds through a
 * long long at up to 6 decimals, and a report's scale never needs more. */
#define BARS_LIMIT 1e12

static bool bar_number_ok(double v)
{
    return isfinite(v) && fabs(v) <= BARS_LIMIT;
}

int ag_doc_bars(struct ag_doc *d, size_t n, const char *const *label, const double *value,
                const double *lo, const double *hi, double max, int decimals)
{
    if (!d || n < 1 || !value || !bar_number_ok(max) || max <= 0 || decimals < 0 || decimals > 6)
        return AG_EINVAL;
    if (n > SIZE_MAX / sizeof(double))
        return AG_EINVAL;
    for (size_t i = 0; i < n; i++) {
        double l = lo ? lo[i] : value[i], h = hi ? hi[i] : value[i];
        if (!bar_number_ok(value[i]) || !bar_number_ok(l) || !bar_number_ok(h) || l > h)
            return AG_EINVAL;
    }
    struct doc_block b = {.kind = DOC_BARS};
    struct doc_bars *s = calloc(1, sizeof *s);
    if (!s)
        return AG_ENOMEM;
    b.u.bars = s;
    s->max = max;
    s->decimals = decimals;
    s->label = clean_texts(label, n, false);
    s->value = malloc(n * sizeof *s->value);
    s->lo = malloc(n * sizeof *s->lo);
    s->hi = malloc(n * sizeof *s->hi);
    if (!s->label || !s->value || !s->lo || !s->hi) {
        /* n is set only now, so block_free frees exactly what was made */
        if (s->label)
            s->n = n;
        block_free(&b);
        return AG_ENOMEM;
    }
    s->n = n;
    for (size_t i = 0; i < n; i++) {
        s->value[i] = value[i];
        s->lo[i] = lo ? lo[i] : value[i];
        s->hi[i] = hi ? hi[i] : value[i];
    }
    return push_block(d, &b);
}
