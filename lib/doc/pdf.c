/* Report documents as PDF: cairo draws, pango sets the text. A4 portrait,
 * 18 mm margins, DejaVu Sans. The document is laid out twice by the same
 * code: the first pass only measures and counts the pages, the second draws,
 * so that every footer can say "n / N". docs/internals/doc.md explains the
 * pagination rules.
 * SPDX-License-Identifier: EUPL-1.2 */
#include "doc_int.h"

#include <cairo-pdf.h>
#include <cairo.h>
#include <errno.h>
#include <math.h>
#include <pango/pangocairo.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- page geometry, in PDF points (1/72 in) ---- */

#define MM (72.0 / 25.4)
#define PAGE_W (210 * MM)
#define PAGE_H (297 * MM)
#define MARGIN (18 * MM)
#define CONTENT_W (PAGE_W - 2 * MARGIN)
#define TOP MARGIN
#define BOTTOM (PAGE_H - MARGIN)
/* The running header and footer live in the margins. */
#define HEADER_Y (9 * MM)
#define FOOTER_Y (PAGE_H - 12 * MM)
/* Slack when comparing heights, against rounding in pango units. */
#define EPS 0.01

/* Table cells */
#define PADX 4.0
#define PADY 3.0

/* Colours (0xrrggbb) */
#define INK 0x1d232a    /* body text */
#define INK2 0x4a5560   /* secondary text: running header, footer, scales */
#define ACCENT 0x1f3b57 /* title, headings */
#define RULE 0xd0d5db
#define RULE2 0x9aa3ad
#define HEAD_BG 0xe8ebef
#define NOTE_BG 0xeef0f3
#define NOTE_BAR 0x6b7580
#define BAR 0x3b6ea5

enum font {
    F_BODY,
    F_TITLE,
    F_SUB,
    F_H1,
    F_H2,
    F_H3,
    F_SMALL, /* running header and footer, scales */
    F_CELL,
    F_CELL_BOLD,
    F_TINY, /* a matrix cell's score; crowded cells */
    F_COUNT
};

static const struct {
    double size;
    bool bold;
} FONTS[F_COUNT] = {
    [F_BODY] = {10, false}, [F_TITLE] = {20, true}, [F_SUB] = {11, false},
    [F_H1] = {15, true},    [F_H2] = {12.5, true},  [F_H3] = {11, true},
    [F_SMALL] = {8, false}, [F_CELL] = {9, false},  [F_CELL_BOLD] = {9, true},
    [F_TINY] = {7, false},
};

struct pdf {
    const struct ag_doc *d;
    cairo_surface_t *surface;
    cairo_t *cr; /* NULL in the measuring pass: nothing is drawn */
    PangoContext *pc;
    PangoFontDescription *font[F_COUNT];
    int page;       /* the current page, from 1 */
    int pages;      /* the total, known in the drawing pass (0 before) */
    double y;       /* the cursor: where the next thing goes, from the page top */
    int outline[4]; /* PDF outline ids of the last heading of each level */
    int rc;         /* sticky AG_ENOMEM */
};

/* ---- text ----
 * A PangoLayout with the geometry of each of its lines, so that a text can
 * be cut between any two lines at a page break and each part drawn on its
 * own page (drawing the whole layout under a clip would put the hidden
 * lines into the PDF too, where text extraction would find them twice). */

struct line {
    double top, bottom; /* from the layout's top */
    double base;        /* baseline, from the layout's top */
    double x;           /* the line's left edge (alignment offset) */
};

struct text {
    PangoLayout *lay;
    int n;
    struct line *line;
    double h; /* the whole layout's height */
};

static void text_free(struct text *t)
{
    if (t->lay)
        g_object_unref(t->lay);
    free(t->line);
    *t = (struct text){0};
}

/* s as a layout of `font`, wrapped at `width` points (<= 0: unwrapped).
 * The text is set as plain text, never as markup: a "<b>" in a scenario
 * name is printed, not interpreted. Words longer than the width (URLs,
 * codes) are broken between characters. max_h > 0 caps the height, the end
 * being replaced by an ellipsis (fixed-size boxes: matrix cells, ticks);
 * max_h < 0 caps the number of lines the same way. */
static void text_make(struct pdf *p, struct text *t, const char *s, enum font font, double width,
                      PangoAlignment align, double max_h)
{
    *t = (struct text){0};
    t->lay = pango_layout_new(p->pc);
    pango_layout_set_font_description(t->lay, p->font[font]);
    pango_layout_set_wrap(t->lay, PANGO_WRAP_WORD_CHAR);
    if (width > 0)
        pango_layout_set_width(t->lay, pango_units_from_double(width));
    pango_layout_set_alignment(t->lay, align);
    if (font == F_BODY) /* a little leading for running text */
        pango_layout_set_spacing(t->lay, pango_units_from_double(1.5));
    if (max_h != 0) {
        pango_layout_set_ellipsize(t->lay, PANGO_ELLIPSIZE_END);
        pango_layout_set_height(t->lay, max_h > 0 ? pango_units_from_double(max_h) : (int)max_h);
    }
    /* No hyphen where a word is broken between characters: in a URL or a
     * code it would read as part of the text (and be copied with it). */
    PangoAttrList *attrs = pango_attr_list_new();
    pango_attr_list_insert(attrs, pango_attr_insert_hyphens_new(FALSE));
    pango_layout_set_attributes(t->lay, attrs);
    pango_attr_list_unref(attrs);
    pango_layout_set_text(t->lay, s, -1);

    int n = pango_layout_get_line_count(t->lay);
    t->line = calloc(n > 0 ? (size_t)n : 1, sizeof *t->line);
    if (!t->line) {
        p->rc = AG_ENOMEM;
        return; /* n stays 0: the text takes no room and draws nothing */
    }
    PangoLayoutIter *it = pango_layout_get_iter(t->lay);
    int i = 0;
    do {
        int y0, y1;
        PangoRectangle logical;
        pango_layout_iter_get_line_yrange(it, &y0, &y1);
        pango_layout_iter_get_line_extents(it, NULL, &logical);
        t->line[i] = (struct line){pango_units_to_double(y0), pango_units_to_double(y1),
                                   pango_units_to_double(pango_layout_iter_get_baseline(it)),
                                   pango_units_to_double(logical.x)};
        i++;
    } while (i < n && pango_layout_iter_next_line(it));
    pango_layout_iter_free(it);
    t->n = i;
    t->h = t->n ? t->line[t->n - 1].bottom - t->line[0].top : 0;
}

/* Height of lines a..b-1 of t. */
static double lines_h(const struct text *t, int a, int b)
{
    return b > a ? t->line[b - 1].bottom - t->line[a].top : 0;
}

/* b such that lines a..b-1 of t fit in `room` points and line b does not
 * (or b = n). */
static int lines_fit(const struct text *t, int a, double room)
{
    int b = a;
    while (b < t->n && lines_h(t, a, b + 1) <= room + EPS)
        b++;
    return b;
}

static void set_rgb(cairo_t *cr, unsigned hex)
{
    cairo_set_source_rgb(cr, ((hex >> 16) & 0xff) / 255.0, ((hex >> 8) & 0xff) / 255.0,
                         (hex & 0xff) / 255.0);
}

static unsigned rgb_hex(struct doc_rgb c)
{
    return (unsigned)c.r << 16 | (unsigned)c.g << 8 | c.b;
}

/* Text colour on a fill: black or white, whichever contrasts more. */
static unsigned ink_on(struct doc_rgb fill)
{
    return ag__doc_dark_text(fill) ? 0x000000 : 0xffffff;
}

/* Draws lines a..b-1 of t with line a's top at (x, y). */
static void draw_lines(struct pdf *p, const struct text *t, double x, double y, int a, int b,
                       unsigned color)
{
    if (!p->cr || a >= b)
        return;
    set_rgb(p->cr, color);
    for (int k = a; k < b; k++) {
        cairo_move_to(p->cr, x + t->line[k].x, y + t->line[k].base - t->line[a].top);
        pango_cairo_show_layout_line(p->cr, pango_layout_get_line_readonly(t->lay, k));
    }
}

static void draw_text(struct pdf *p, const struct text *t, double x, double y, unsigned color)
{
    draw_lines(p, t, x, y, 0, t->n, color);
}

static void fill_rect(struct pdf *p, double x, double y, double w, double h, unsigned color)
{
    if (!p->cr)
        return;
    set_rgb(p->cr, color);
    cairo_rectangle(p->cr, x, y, w, h);
    cairo_fill(p->cr);
}

static void hline(struct pdf *p, double x0, double x1, double y, double width, unsigned color)
{
    if (!p->cr)
        return;
    set_rgb(p->cr, color);
    cairo_set_line_width(p->cr, width);
    cairo_move_to(p->cr, x0, y);
    cairo_line_to(p->cr, x1, y);
    cairo_stroke(p->cr);
}

/* ---- pages ---- */

/* The running header (the title, from page 2: page 1 shows it large) and
 * the footer (the footer text and "n / N"), drawn when a page begins: the
 * total is known from the measuring pass. */
static void running(struct pdf *p)
{
    if (!p->cr)
        return;
    struct text t;
    if (p->page > 1) {
        text_make(p, &t, p->d->title, F_SMALL, CONTENT_W, PANGO_ALIGN_LEFT, -1);
        draw_text(p, &t, MARGIN, HEADER_Y, INK2);
        hline(p, MARGIN, PAGE_W - MARGIN, HEADER_Y + t.h + 3, 0.5, RULE);
        text_free(&t);
    }
    hline(p, MARGIN, PAGE_W - MARGIN, FOOTER_Y - 3, 0.5, RULE);
    const double num_w = 60;
    if (p->d->footer) {
        text_make(p, &t, p->d->footer, F_SMALL, CONTENT_W - num_w - 10, PANGO_ALIGN_LEFT, -1);
        draw_text(p, &t, MARGIN, FOOTER_Y, INK2);
        text_free(&t);
    }
    char num[48];
    snprintf(num, sizeof num, "%d / %d", p->page, p->pages > p->page ? p->pages : p->page);
    text_make(p, &t, num, F_SMALL, 0, PANGO_ALIGN_LEFT, 0);
    PangoRectangle ext;
    pango_layout_get_extents(t.lay, NULL, &ext);
    draw_text(p, &t, PAGE_W - MARGIN - pango_units_to_double(ext.width), FOOTER_Y, INK2);
    text_free(&t);
}

static void new_page(struct pdf *p)
{
    if (p->cr)
        cairo_show_page(p->cr);
    p->page++;
    p->y = TOP;
    running(p);
}

static bool at_top(const struct pdf *p)
{
    return p->y <= TOP + EPS;
}

/* Starts a new page unless h points fit below the cursor (or the page is
 * still empty: what does not fit on an empty page will not fit anywhere). */
static void need(struct pdf *p, double h)
{
    if (p->y + h > BOTTOM + EPS && !at_top(p))
        new_page(p);
}

/* Vertical space between blocks; none at the top of a page. */
static void gap(struct pdf *p, double h)
{
    if (!at_top(p))
        p->y += h;
}

/* ---- flowing text: paragraphs, notes, bullets, the title ---- */

/* Places t from the cursor down at x, breaking pages between lines. pad > 0
 * draws each page's part in a grey box with that padding; bullet_x >= 0
 * draws a bullet there beside the first line. A page never ends on the
 * first line of a text of several lines, nor starts with its last line of a
 * text of four or more (orphans and widows). */
static void flow(struct pdf *p, const struct text *t, double x, double pad, double bullet_x,
                 unsigned color)
{
    int a = 0;
    while (a < t->n) {
        int b = lines_fit(t, a, BOTTOM - p->y - 2 * pad);
        if (b == a || (a == 0 && b == 1 && t->n > 1)) {
            if (!at_top(p)) {
                new_page(p);
                continue;
            }
            if (b == a)
                b = a + 1; /* a line taller than a page: let it overflow */
        }
        if (b == t->n - 1 && b - a >= 3)
            b--;
        double h = lines_h(t, a, b) + 2 * pad;
        if (pad > 0) {
            fill_rect(p, MARGIN, p->y, CONTENT_W, h, NOTE_BG);
            fill_rect(p, MARGIN, p->y, 3, h, NOTE_BAR);
        }
        draw_lines(p, t, x, p->y + pad, a, b, color);
        if (a == 0 && bullet_x >= 0 && p->cr) {
            /* a round dot at mid x-height of the first line */
            set_rgb(p->cr, color);
            cairo_new_path(p->cr); /* no line from the last glyph's end */
            cairo_arc(p->cr, bullet_x, p->y + pad + t->line[0].base - t->line[0].top - 3.3, 1.7, 0,
                      2 * M_PI);
            cairo_fill(p->cr);
        }
        p->y += h;
        a = b;
        if (a < t->n)
            new_page(p);
    }
}

static void flow_string(struct pdf *p, const char *s, enum font font, double x, double width,
                        double pad, double bullet_x, unsigned color)
{
    struct text t;
    text_make(p, &t, s, font, width, PANGO_ALIGN_LEFT, 0);
    flow(p, &t, x, pad, bullet_x, color);
    text_free(&t);
}

/* ---- headings ---- */

static void heading(struct pdf *p, int level, const char *s, double keep)
{
    static const enum font fonts[4] = {F_H1, F_H1, F_H2, F_H3};
    static const double before[4] = {14, 14, 11, 8};
    gap(p, before[level]);
    struct text t;
    text_make(p, &t, s, fonts[level], CONTENT_W, PANGO_ALIGN_LEFT, 0);
    /* Keep with next: a heading needs room for itself and about three lines
     * of what follows (keep: more when what follows cannot break, a
     * matrix), else it would close a page alone. */
    need(p, t.h + keep);
    if (p->cr) {
        /* A bookmark in the PDF's outline, nested by level. cairo takes the
         * title as UTF-8 and escapes it; the position is written in whole
         * points, so no locale decimal separator can reach the attributes. */
        int parent = CAIRO_PDF_OUTLINE_ROOT;
        for (int l = level - 1; l >= 1 && parent == CAIRO_PDF_OUTLINE_ROOT; l--)
            parent = p->outline[l];
        char attrs[64];
        snprintf(attrs, sizeof attrs, "page=%d pos=[%d %d]", p->page, (int)MARGIN, (int)p->y);
        p->outline[level] = cairo_pdf_surface_add_outline(p->surface, parent, s, attrs, 0);
        for (int l = level + 1; l <= 3; l++)
            p->outline[l] = CAIRO_PDF_OUTLINE_ROOT;
    }
    flow(p, &t, MARGIN, 0, -1, level == 1 ? ACCENT : INK);
    p->y += 4;
    text_free(&t);
}

/* ---- tables ---- */

struct tlayout {
    const struct doc_table *t;
    double x[12], w[12]; /* column left edges and widths */
    struct text head[12];
    double head_h;
};

static void table_header(struct pdf *p, const struct tlayout *tl)
{
    fill_rect(p, MARGIN, p->y, CONTENT_W, tl->head_h, HEAD_BG);
    for (size_t c = 0; c < tl->t->ncols; c++)
        draw_text(p, &tl->head[c], tl->x[c] + PADX, p->y + PADY, INK);
    hline(p, MARGIN, PAGE_W - MARGIN, p->y + tl->head_h, 0.8, RULE2);
    p->y += tl->head_h;
}

/* A page break inside a table: the header goes on top of the next page. */
static void table_break(struct pdf *p, const struct tlayout *tl)
{
    new_page(p);
    table_header(p, tl);
}

static void row_make(struct pdf *p, const struct tlayout *tl, const struct doc_row *r,
                     struct text *cell)
{
    for (size_t c = 0; c < tl->t->ncols; c++)
        text_make(p, &cell[c], r->cells[c], F_CELL, tl->w[c] - 2 * PADX,
                  tl->t->numeric[c] ? PANGO_ALIGN_RIGHT : PANGO_ALIGN_LEFT, 0);
}

static double row_h(const struct tlayout *tl, const struct text *cell)
{
    double h = 0;
    for (size_t c = 0; c < tl->t->ncols; c++)
        h = fmax(h, cell[c].h);
    return h + 2 * PADY;
}

/* One row. A row that does not fit below the cursor but fits on a page goes
 * whole to the next page, under a repeated header. A row taller than a
 * whole page is cut between lines, each cell independently, into as many
 * parts as needed, each part on its own page under the header. */
static void table_row(struct pdf *p, const struct tlayout *tl, const struct doc_row *r)
{
    size_t nc = tl->t->ncols;
    struct text cell[12];
    row_make(p, tl, r, cell);
    double h = row_h(tl, cell);
    if (p->y + h > BOTTOM + EPS && h <= BOTTOM - TOP - tl->head_h + EPS)
        table_break(p, tl);

    int from[12] = {0}, to[12];
    for (bool first = true;; first = false) {
        bool left = false;
        for (size_t c = 0; c < nc; c++)
            left |= from[c] < cell[c].n;
        if (!left && !first)
            break;
        double room = BOTTOM - p->y - 2 * PADY, seg = 0;
        bool placed = false;
        for (size_t c = 0; c < nc; c++) {
            to[c] = lines_fit(&cell[c], from[c], room);
            placed |= to[c] > from[c];
        }
        if (left && !placed) {
            if (p->y > TOP + tl->head_h + EPS) {
                table_break(p, tl);
                continue;
            }
            /* Not one line fits under the header of an empty page: a line
             * taller than a page; let it overflow rather than loop. */
            for (size_t c = 0; c < nc; c++)
                to[c] = from[c] < cell[c].n ? from[c] + 1 : from[c];
        }
        for (size_t c = 0; c < nc; c++)
            seg = fmax(seg, lines_h(&cell[c], from[c], to[c]));
        seg += 2 * PADY;
        for (size_t c = 0; c < nc; c++) {
            unsigned ink = INK;
            if (r->fills && r->fills[c].set) {
                fill_rect(p, tl->x[c], p->y, tl->w[c], seg, rgb_hex(r->fills[c]));
                ink = ink_on(r->fills[c]);
            }
            draw_lines(p, &cell[c], tl->x[c] + PADX, p->y + PADY, from[c], to[c], ink);
            from[c] = to[c];
        }
        hline(p, MARGIN, PAGE_W - MARGIN, p->y + seg, 0.4, RULE);
        p->y += seg;
        left = false;
        for (size_t c = 0; c < nc; c++)
            left |= from[c] < cell[c].n;
        if (left)
            table_break(p, tl);
    }
    for (size_t c = 0; c < nc; c++)
        text_free(&cell[c]);
}

static void table(struct pdf *p, const struct doc_table *t)
{
    struct tlayout tl = {.t = t};
    double x = MARGIN;
    for (size_t c = 0; c < t->ncols; c++) {
        tl.x[c] = x;
        tl.w[c] = t->widths[c] * CONTENT_W;
        x += tl.w[c];
        text_make(p, &tl.head[c], t->header[c], F_CELL_BOLD, tl.w[c] - 2 * PADX,
                  t->numeric[c] ? PANGO_ALIGN_RIGHT : PANGO_ALIGN_LEFT, 0);
        tl.head_h = fmax(tl.head_h, tl.head[c].h);
    }
    tl.head_h += 2 * PADY;

    /* The header never closes a page alone: it starts where the first row
     * (or, for a row taller than a page, its first lines) fits under it. */
    double first = 0;
    if (t->rows.len) {
        struct text cell[12];
        row_make(p, &tl, &AG_VEC_AT(&t->rows, struct doc_row, 0), cell);
        first = row_h(&tl, cell);
        if (first > BOTTOM - TOP - tl.head_h)
            first = 40; /* to be cut anyway: a few lines of it */
        for (size_t c = 0; c < t->ncols; c++)
            text_free(&cell[c]);
    }
    gap(p, 4);
    need(p, tl.head_h + first);
    table_header(p, &tl);
    for (size_t i = 0; i < t->rows.len; i++)
        table_row(p, &tl, &AG_VEC_AT(&t->rows, struct doc_row, i));
    p->y += 10;
    for (size_t c = 0; c < t->ncols; c++)
        text_free(&tl.head[c]);
}

/* ---- the risk matrix ---- */

/* Drawn whole on one page: likelihood rows 5 (top) to 1, impact columns 1
 * to 5, tick labels left and below, axis labels outside them (the
 * likelihood label turned a quarter left). Each cell shows its score x·y in
 * a corner and its text in the middle; texts too long for a fixed-size box
 * are set smaller, and past 7 pt end with an ellipsis rather than spill
 * into the next cell (the HTML page shows them whole). */
static void matrix(struct pdf *p, const struct doc_matrix *m)
{
    const double ax = 24, tick = 100, ch = 44;
    const double cw = fmin(74, (CONTENT_W - ax - tick) / 5);
    struct text xt[5], xl, yt[5], yl, cells[25], score;
    for (int i = 0; i < 5; i++) {
        text_make(p, &xt[i], m->x_ticks[i], F_CELL, cw - 4, PANGO_ALIGN_CENTER, -3);
        text_make(p, &yt[i], m->y_ticks[i], F_CELL, tick - 8, PANGO_ALIGN_RIGHT, ch - 4);
    }
    text_make(p, &xl, m->x_label, F_CELL_BOLD, 5 * cw, PANGO_ALIGN_CENTER, -2);
    text_make(p, &yl, m->y_label, F_CELL_BOLD, 5 * ch, PANGO_ALIGN_CENTER, -2);
    for (int i = 0; i < 25; i++) {
        /* A crowded cell (many scenario codes) steps down to 8 then 7 pt
         * before anything is cut off. */
        static const enum font steps[] = {F_CELL, F_SMALL, F_TINY};
        for (size_t f = 0; f < sizeof steps / sizeof steps[0]; f++) {
            if (f)
                text_free(&cells[i]);
            text_make(p, &cells[i], m->cells[i], steps[f], cw - 8, PANGO_ALIGN_CENTER, ch - 14);
            if (!cells[i].lay || !pango_layout_is_ellipsized(cells[i].lay))
                break;
        }
    }
    double xt_h = 0;
    for (int i = 0; i < 5; i++)
        xt_h = fmax(xt_h, xt[i].h);
    double total = 5 * ch + 4 + xt_h + 4 + xl.h;

    gap(p, 6);
    need(p, total);
    double gx = MARGIN + ax + tick, gy = p->y; /* the grid's top-left corner */
    for (int y = 5; y >= 1; y--) {
        double ry = gy + (5 - y) * ch;
        const struct text *tk = &yt[y - 1];
        draw_text(p, tk, gx - tick, ry + (ch - tk->h) / 2, INK);
        for (int x = 1; x <= 5; x++) {
            double cx = gx + (x - 1) * cw;
            struct doc_rgb band = ag__doc_band_rgb(x * y);
            unsigned ink = ink_on(band);
            /* white gutters between cells: 1 pt on each side */
            fill_rect(p, cx + 1, ry + 1, cw - 2, ch - 2, rgb_hex(band));
            char num[8];
            snprintf(num, sizeof num, "%d", x * y);
            text_make(p, &score, num, F_TINY, 0, PANGO_ALIGN_LEFT, 0);
            draw_text(p, &score, cx + 3, ry + 2, ink);
            text_free(&score);
            const struct text *c = &cells[(y - 1) * 5 + (x - 1)];
            double top = ry + 10; /* below the score */
            draw_text(p, c, cx + 4, top + (ch - 12 - c->h) / 2, ink);
        }
    }
    for (int x = 1; x <= 5; x++)
        draw_text(p, &xt[x - 1], gx + (x - 1) * cw + 2, gy + 5 * ch + 4, INK);
    draw_text(p, &xl, gx, gy + 5 * ch + 4 + xt_h + 4, INK);
    if (p->cr) {
        /* Turned a quarter left about the grid's bottom-left corner: the
         * layout's width runs up the grid, its lines stack rightwards. */
        cairo_save(p->cr);
        cairo_translate(p->cr, MARGIN + (ax - yl.h) / 2, gy + 5 * ch);
        cairo_rotate(p->cr, -M_PI / 2);
        draw_text(p, &yl, 0, 0, INK);
        cairo_restore(p->cr);
    }
    p->y = gy + total + 10;
    for (int i = 0; i < 5; i++) {
        text_free(&xt[i]);
        text_free(&yt[i]);
    }
    for (int i = 0; i < 25; i++)
        text_free(&cells[i]);
    text_free(&xl);
    text_free(&yl);
}

/* ---- bars ---- */

/* One row per bar, kept whole (a row is a line or two high, rows break
 * between them): label on the left, the bar on a common scale 0..max over a
 * light track, the lo..hi whisker with end caps across it, the value on the
 * right; under the last row the scale's two ends. */
static void bars(struct pdf *p, const struct doc_bars *s)
{
    const double lw = 0.34 * CONTENT_W, vw = 64, sep = 8;
    const double bx = MARGIN + lw + sep, bw = CONTENT_W - lw - vw - 2 * sep;
    gap(p, 6);
    for (size_t i = 0; i < s->n; i++) {
        struct text label, val;
        char num[64];
        ag__doc_number(num, sizeof num, s->value[i], s->decimals, p->d->lang);
        text_make(p, &label, s->label[i], F_CELL, lw - 4, PANGO_ALIGN_LEFT, 0);
        text_make(p, &val, num, F_CELL, vw, PANGO_ALIGN_RIGHT, 0);
        double h = fmax(label.h, 14) + 4;
        need(p, h + (i + 1 == s->n ? 14 : 0)); /* the last row keeps the scale */
        double mid = p->y + h / 2;
        draw_text(p, &label, MARGIN, mid - label.h / 2, INK);
        fill_rect(p, bx, mid - 5, bw, 10, NOTE_BG);
        double v = fmin(fmax(s->value[i] / s->max, 0), 1) * bw;
        fill_rect(p, bx, mid - 5, v, 10, BAR);
        if ((s->lo[i] != s->value[i] || s->hi[i] != s->value[i]) && p->cr) {
            double lo = bx + fmin(fmax(s->lo[i] / s->max, 0), 1) * bw;
            double hi = bx + fmin(fmax(s->hi[i] / s->max, 0), 1) * bw;
            set_rgb(p->cr, INK);
            cairo_set_line_width(p->cr, 1.2);
            cairo_move_to(p->cr, lo, mid);
            cairo_line_to(p->cr, hi, mid);
            cairo_move_to(p->cr, lo, mid - 4);
            cairo_line_to(p->cr, lo, mid + 4);
            cairo_move_to(p->cr, hi, mid - 4);
            cairo_line_to(p->cr, hi, mid + 4);
            cairo_stroke(p->cr);
        }
        draw_text(p, &val, PAGE_W - MARGIN - vw, mid - val.h / 2, INK);
        p->y += h;
        text_free(&label);
        text_free(&val);
    }
    hline(p, bx, bx + bw, p->y + 1, 0.6, RULE2);
    struct text zero, max;
    char num[64];
    ag__doc_number(num, sizeof num, s->max, s->decimals, p->d->lang);
    text_make(p, &zero, "0", F_SMALL, 0, PANGO_ALIGN_LEFT, 0);
    text_make(p, &max, num, F_SMALL, 80, PANGO_ALIGN_RIGHT, 0);
    draw_text(p, &zero, bx, p->y + 2, INK2);
    draw_text(p, &max, bx + bw - 80, p->y + 2, INK2);
    p->y += 2 + fmax(zero.h, max.h) + 10;
    text_free(&zero);
    text_free(&max);
}

/* ---- the document ---- */

/* One pass over the document: measures only (p->cr NULL) or draws. */
static void layout(struct pdf *p)
{
    const struct ag_doc *d = p->d;
    p->page = 1;
    p->y = TOP;
    for (int l = 0; l < 4; l++)
        p->outline[l] = CAIRO_PDF_OUTLINE_ROOT;
    running(p);

    flow_string(p, d->title, F_TITLE, MARGIN, CONTENT_W, 0, -1, ACCENT);
    if (d->subtitle) {
        p->y += 3;
        flow_string(p, d->subtitle, F_SUB, MARGIN, CONTENT_W, 0, -1, INK2);
    }
    p->y += 6;
    hline(p, MARGIN, PAGE_W - MARGIN, p->y, 1.2, ACCENT);
    p->y += 8;

    /* A page break waits for the next block: one at the end of the
     * document would otherwise leave a blank last page. */
    bool brk = false;
    for (size_t i = 0; i < d->blocks.len; i++) {
        const struct doc_block *b = &AG_VEC_AT(&d->blocks, struct doc_block, i);
        if (b->kind == DOC_PAGEBREAK) {
            brk = true;
            continue;
        }
        if (brk && !at_top(p))
            new_page(p);
        brk = false;
        bool next_bullet = i + 1 < d->blocks.len &&
                           AG_VEC_AT(&d->blocks, struct doc_block, i + 1).kind == DOC_BULLET;
        switch (b->kind) {
        case DOC_HEADING: {
            /* a matrix is drawn whole (about 290 pt): its heading goes
             * with it to the next page rather than stay behind */
            bool next_matrix = i + 1 < d->blocks.len &&
                               AG_VEC_AT(&d->blocks, struct doc_block, i + 1).kind == DOC_MATRIX;
            heading(p, b->level, b->text, next_matrix ? 300 : 40);
            break;
        }
        case DOC_PARA:
            flow_string(p, b->text, F_BODY, MARGIN, CONTENT_W, 0, -1, INK);
            p->y += 6;
            break;
        case DOC_NOTE:
            gap(p, 2);
            flow_string(p, b->text, F_BODY, MARGIN + 11, CONTENT_W - 19, 6, -1, INK);
            p->y += 8;
            break;
        case DOC_BULLET:
            flow_string(p, b->text, F_BODY, MARGIN + 14, CONTENT_W - 14, 0, MARGIN + 5, INK);
            p->y += next_bullet ? 2 : 6;
            break;
        case DOC_TABLE:
            table(p, b->u.table);
            break;
        case DOC_MATRIX:
            matrix(p, b->u.matrix);
            break;
        case DOC_BARS:
            bars(p, b->u.bars);
            break;
        case DOC_PAGEBREAK:
            break; /* handled above */
        }
    }
    if (p->cr)
        cairo_show_page(p->cr);
}

/* cairo writes the PDF through this, so that a failed write (disk full) is
 * seen with its errno instead of a bare CAIRO_STATUS_WRITE_ERROR. */
struct sink {
    int fd;
    int err; /* errno of the first failed write */
};

static cairo_status_t sink_write(void *closure, const unsigned char *data, unsigned int len)
{
    struct sink *s = closure;
    while (len && !s->err) {
        ssize_t w = write(s->fd, data, len);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            s->err = w < 0 ? errno : EIO;
            break;
        }
        data += w;
        len -= (unsigned int)w;
    }
    return s->err ? CAIRO_STATUS_WRITE_ERROR : CAIRO_STATUS_SUCCESS;
}

/* Both passes, with a private font map: the document's fonts live and die
 * with this call, and nothing global of pango is changed for the host
 * program. Resolution 72 dpi makes a pango point a PDF point; metrics
 * hinting is off so that text measures the same at any zoom. */
static int render(const struct ag_doc *d, cairo_surface_t *surface)
{
    struct pdf p = {.d = d, .surface = surface};
    PangoFontMap *fm = pango_cairo_font_map_new();
    p.pc = pango_font_map_create_context(fm);
    pango_cairo_context_set_resolution(p.pc, 72);
    cairo_font_options_t *fo = cairo_font_options_create();
    cairo_font_options_set_hint_metrics(fo, CAIRO_HINT_METRICS_OFF);
    cairo_font_options_set_hint_style(fo, CAIRO_HINT_STYLE_NONE);
    pango_cairo_context_set_font_options(p.pc, fo);
    cairo_font_options_destroy(fo);
    /* The document's language guides pango's line breaking and font
     * choice (cairo has no way to write the PDF's /Lang entry). */
    pango_context_set_language(p.pc, pango_language_from_string(d->lang));
    for (int f = 0; f < F_COUNT; f++) {
        p.font[f] = pango_font_description_new();
        pango_font_description_set_family_static(p.font[f], "DejaVu Sans");
        pango_font_description_set_size(p.font[f], (int)lround(FONTS[f].size * PANGO_SCALE));
        pango_font_description_set_weight(p.font[f],
                                          FONTS[f].bold ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL);
    }

    layout(&p); /* measure: how many pages */
    if (!p.rc) {
        p.pages = p.page;
        p.cr = cairo_create(surface);
        layout(&p); /* draw */
        if (cairo_status(p.cr) == CAIRO_STATUS_NO_MEMORY)
            p.rc = AG_ENOMEM;
        cairo_destroy(p.cr);
    }
    for (int f = 0; f < F_COUNT; f++)
        pango_font_description_free(p.font[f]);
    g_object_unref(p.pc);
    g_object_unref(fm);
    return p.rc;
}

int ag_doc_write_pdf(const struct ag_doc *d, const char *path, struct ag_error *err)
{
    if (!d || !path || !*path)
        return ag_error_set(err, AG_EINVAL, "no document or no path");
    size_t plen = strlen(path);
    char *tmp = malloc(plen + 16);
    if (!tmp)
        return ag_error_set(err, AG_ENOMEM, "out of memory");
    /* The temporary file sits next to path, so the final rename stays on one
     * file system and is atomic: a reader sees the old PDF or the new one. */
    snprintf(tmp, plen + 16, "%s.tmp.XXXXXX", path);
    int fd = mkstemp(tmp);
    if (fd < 0) {
        int e = errno;
        free(tmp);
        return ag_error_set(err, AG_EIO, "%s: cannot write: %s", path, strerror(e));
    }

    struct sink sink = {fd, 0};
    cairo_surface_t *surface =
        cairo_pdf_surface_create_for_stream(sink_write, &sink, PAGE_W, PAGE_H);
    cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_TITLE, d->title);
    cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_CREATOR, "agora");
    int rc = cairo_surface_status(surface) == CAIRO_STATUS_SUCCESS ? render(d, surface) : AG_ENOMEM;
    cairo_surface_finish(surface);
    cairo_status_t st = cairo_surface_status(surface);
    cairo_surface_destroy(surface);

    if (!rc && sink.err)
        rc = ag_error_set(err, AG_EIO, "%s: write failed: %s", path, strerror(sink.err));
    else if (!rc && st == CAIRO_STATUS_NO_MEMORY)
        rc = AG_ENOMEM;
    else if (!rc && st != CAIRO_STATUS_SUCCESS)
        rc = ag_error_set(err, AG_EIO, "%s: cannot write the PDF: %s", path,
                          cairo_status_to_string(st));
    if (rc == AG_ENOMEM)
        ag_error_set(err, AG_ENOMEM, "%s: out of memory", path);
    if (!rc) {
        fchmod(fd, 0644);
        if (fsync(fd) != 0) {
            int e = errno;
            rc = ag_error_set(err, AG_EIO, "%s: cannot finish writing: %s", path, strerror(e));
        }
    }
    if (close(fd) != 0 && !rc) {
        int e = errno;
        rc = ag_error_set(err, AG_EIO, "%s: cannot finish writing: %s", path, strerror(e));
    }
    if (!rc && rename(tmp, path) != 0) {
        int e = errno;
        rc = ag_error_set(err, AG_EIO, "%s: cannot write: %s", path, strerror(e));
    }
    if (rc)
        unlink(tmp);
    free(tmp);
    return rc;
}
