/* Report documents as one self-contained HTML page: inline style sheet, no
 * script, nothing fetched; readable on screen, printable on A4, and usable
 * with a screen reader (lang, real tables with header cells, the matrix's
 * cells tied to their axis labels, the bars' values in text).
 * SPDX-License-Identifier: EUPL-1.2 */
#include "doc_int.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* Colours: body text #1d232a on white (15:1), secondary text #4a5560 (7.6:1);
 * text on a fill is black or white, whichever contrasts more
 * (ag__doc_dark_text). Print: A4 with the PDF's 18 mm margins, table
 * headers repeated on every page (thead as table-header-group), and fills
 * printed even where a browser drops backgrounds by default. */
static const char CSS[] =
    "*{box-sizing:border-box}"
    "html{color:#1d232a;background:#fff}"
    "body{font:15px/1.5 'DejaVu Sans',system-ui,sans-serif;margin:0 auto;max-width:960px;"
    "padding:24px 28px}"
    "header{border-bottom:2px solid #1f3b57;margin:0 0 18px;padding:0 0 8px}"
    "h1{font-size:26px;line-height:1.25;margin:0 0 4px;color:#1f3b57}"
    ".sub{margin:0;color:#4a5560}"
    "h2{font-size:21px;line-height:1.3;margin:28px 0 8px;color:#1f3b57}"
    "h3{font-size:17px;margin:22px 0 6px}h4{font-size:15px;margin:18px 0 4px}"
    "p{margin:0 0 10px}p,li,td,th,h1,h2,h3,h4{overflow-wrap:anywhere}"
    ".note{background:#eef0f3;border-left:4px solid #6b7580;padding:8px 12px;margin:0 0 12px}"
    "ul{margin:0 0 12px;padding-left:24px}li{margin:0 0 3px}"
    "table{border-collapse:collapse;margin:6px 0 16px}"
    "table.t{width:100%;font-size:14px}"
    ".t th,.t td{padding:4px 8px;border-bottom:1px solid #d0d5db;text-align:left;"
    "vertical-align:top}"
    ".t thead th{background:#e8ebef;border-bottom:2px solid #9aa3ad}"
    ".t .n{text-align:right;font-variant-numeric:tabular-nums}"
    ".mx td{width:84px;height:56px;border:2px solid #fff;text-align:center;"
    "vertical-align:middle;font-size:13px;padding:2px 4px}"
    ".mx .p{display:block;font-size:10px;text-align:left}"
    ".mx th{font-weight:normal;font-size:13px;padding:4px 6px}"
    ".mx .yt{text-align:right}.mx .xt{vertical-align:top}"
    ".mx .xa,.mx .ya{font-weight:bold}"
    ".mx .ya span{writing-mode:vertical-rl;transform:rotate(180deg)}"
    "table.bars{width:100%;font-size:14px}"
    ".bars th{text-align:left;font-weight:normal;padding:3px 10px 3px 0;width:35%}"
    ".bars td.b{padding:3px 0}.bars svg{display:block;width:100%;height:14px}"
    ".bars .n{text-align:right;padding-left:10px;white-space:nowrap;"
    "font-variant-numeric:tabular-nums}"
    ".bars .ax td{font-size:12px;color:#4a5560;border-top:1px solid #9aa3ad;padding-top:2px}"
    ".bars .ax span{float:right}"
    "footer{margin-top:28px;padding-top:8px;border-top:1px solid #d0d5db;color:#4a5560;"
    "font-size:13px}"
    "@page{size:A4;margin:18mm}"
    "@media print{body{max-width:none;padding:0;font-size:10pt}"
    "thead{display:table-header-group}tr,.note,.mx{break-inside:avoid}"
    "h2,h3,h4{break-after:avoid}.pb{break-after:page}"
    "*{-webkit-print-color-adjust:exact;print-color-adjust:exact}}";

/* The page is appended through this writer: after the first failure every
 * call does nothing, and the caller checks rc once at the end. */
struct w {
    struct ag_buf *b;
    int rc;
    const char *lang;
};

static void w_puts(struct w *w, const char *s)
{
    if (!w->rc)
        w->rc = ag_buf_puts(w->b, s);
}

static void w_printf(struct w *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void w_printf(struct w *w, const char *fmt, ...)
{
    if (w->rc)
        return;
    va_list ap;
    va_start(ap, fmt);
    w->rc = ag_buf_vprintf(w->b, fmt, ap);
    va_end(ap);
}

/* A text escaped for element content and attribute values alike (the five
 * characters of ag_buf_put_html); newlines, kept only in multi-line texts
 * by doc.c, become <br>. */
static void w_text(struct w *w, const char *s)
{
    const char *run = s;
    for (const char *p = s;; p++) {
        const char *rep = NULL;
        switch (*p) {
        case '&':
            rep = "&amp;";
            break;
        case '<':
            rep = "&lt;";
            break;
        case '>':
            rep = "&gt;";
            break;
        case '"':
            rep = "&quot;";
            break;
        case '\'':
            rep = "&#39;";
            break;
        case '\n':
            rep = "<br>";
            break;
        default:
            break;
        }
        if (!rep && *p)
            continue;
        if (!w->rc && p > run)
            w->rc = ag_buf_append(w->b, run, (size_t)(p - run));
        if (!*p)
            return;
        w_puts(w, rep);
        run = p + 1;
    }
}

/* style="background:…;color:…" for a fill, with the text colour chosen for
 * contrast. */
static void w_fill(struct w *w, struct doc_rgb c)
{
    w_printf(w, " style=\"background:#%02x%02x%02x;color:%s\"", c.r, c.g, c.b,
             ag__doc_dark_text(c) ? "#000000" : "#ffffff");
}

static void w_number(struct w *w, double v, int decimals)
{
    char num[64];
    ag__doc_number(num, sizeof num, v, decimals, w->lang);
    w_puts(w, num);
}

static void html_table(struct w *w, const struct doc_table *t)
{
    w_puts(w, "<table class=\"t\"><colgroup>");
    for (size_t c = 0; c < t->ncols; c++) {
        w_puts(w, "<col style=\"width:");
        w_number(w, t->widths[c] * 100, 2);
        w_puts(w, "%\">");
    }
    w_puts(w, "</colgroup><thead><tr>");
    for (size_t c = 0; c < t->ncols; c++) {
        w_puts(w, t->numeric[c] ? "<th scope=\"col\" class=\"n\">" : "<th scope=\"col\">");
        w_text(w, t->header[c]);
        w_puts(w, "</th>");
    }
    w_puts(w, "</tr></thead><tbody>\n");
    for (size_t i = 0; i < t->rows.len; i++) {
        const struct doc_row *r = &AG_VEC_AT(&t->rows, struct doc_row, i);
        w_puts(w, "<tr>");
        for (size_t c = 0; c < t->ncols; c++) {
            w_puts(w, t->numeric[c] ? "<td class=\"n\"" : "<td");
            if (r->fills && r->fills[c].set)
                w_fill(w, r->fills[c]);
            w_puts(w, ">");
            w_text(w, r->cells[c]);
            w_puts(w, "</td>");
        }
        w_puts(w, "</tr>\n");
    }
    w_puts(w, "</tbody></table>\n");
}

/* The matrix is a real table: likelihood rows from 5 (top) down to 1, impact
 * columns 1..5 with their labels underneath, as risk matrices are drawn.
 * Column headers below the cells are not found by a screen reader's
 * "header above" rule, so every cell names its two tick headers (and the
 * axis headers) through `headers`; k numbers the matrices of the page so
 * the ids stay unique. Each cell shows its score x·y as well as its colour:
 * colour alone must not carry the meaning. */
static void html_matrix(struct w *w, const struct doc_matrix *m, size_t k)
{
    w_puts(w, "<table class=\"mx\"><tbody>\n");
    for (int y = 5; y >= 1; y--) {
        w_puts(w, "<tr>");
        if (y == 5) {
            w_printf(w, "<th scope=\"rowgroup\" rowspan=\"5\" class=\"ya\" id=\"m%zuya\"><span>",
                     k);
            w_text(w, m->y_label);
            w_puts(w, "</span></th>");
        }
        w_printf(w, "<th scope=\"row\" class=\"yt\" id=\"m%zuy%d\">", k, y);
        w_text(w, m->y_ticks[y - 1]);
        w_puts(w, "</th>");
        for (int x = 1; x <= 5; x++) {
            w_printf(w, "<td class=\"mc\" headers=\"m%zuya m%zuy%d m%zuxa m%zux%d\"", k, k, y, k, k,
                     x);
            w_fill(w, ag__doc_band_rgb(x * y));
            w_printf(w, "><span class=\"p\">%d</span>", x * y);
            w_text(w, m->cells[(y - 1) * 5 + (x - 1)]);
            w_puts(w, "</td>");
        }
        w_puts(w, "</tr>\n");
    }
    w_puts(w, "<tr><td colspan=\"2\"></td>");
    for (int x = 1; x <= 5; x++) {
        w_printf(w, "<th scope=\"col\" class=\"xt\" id=\"m%zux%d\">", k, x);
        w_text(w, m->x_ticks[x - 1]);
        w_puts(w, "</th>");
    }
    w_printf(w,
             "</tr>\n<tr><td colspan=\"2\"></td><th scope=\"colgroup\" colspan=\"5\" class=\"xa\" "
             "id=\"m%zuxa\">",
             k);
    w_text(w, m->x_label);
    w_puts(w, "</th></tr>\n</tbody></table>\n");
}

/* Bars are inline SVG, not CSS boxes: browsers leave out background colours
 * when printing unless told otherwise, SVG fills always print. Each bar is
 * stretched to its cell (preserveAspectRatio none, strokes kept thin by
 * non-scaling-stroke); its <title> and the value cell carry the numbers for
 * whoever cannot see the bar. */
static void html_bars(struct w *w, const struct doc_bars *s)
{
    w_puts(w, "<table class=\"bars\"><tbody>\n");
    for (size_t i = 0; i < s->n; i++) {
        double v = fmin(fmax(s->value[i] / s->max, 0), 1) * 200;
        double lo = fmin(fmax(s->lo[i] / s->max, 0), 1) * 200;
        double hi = fmin(fmax(s->hi[i] / s->max, 0), 1) * 200;
        bool range = s->lo[i] != s->value[i] || s->hi[i] != s->value[i];
        w_puts(w, "<tr><th scope=\"row\">");
        w_text(w, s->label[i]);
        w_puts(w, "</th><td class=\"b\"><svg viewBox=\"0 0 200 14\" preserveAspectRatio=\"none\" "
                  "role=\"img\"><title>");
        w_text(w, s->label[i]);
        w_puts(w, ": ");
        w_number(w, s->value[i], s->decimals);
        if (range) {
            w_puts(w, " (");
            w_number(w, s->lo[i], s->decimals);
            w_puts(w, " \xe2\x80\x93 "); /* en dash */
            w_number(w, s->hi[i], s->decimals);
            w_puts(w, ")");
        }
        w_puts(w, "</title><rect x=\"0\" y=\"0\" width=\"200\" height=\"14\" fill=\"#eef0f3\"/>"
                  "<rect x=\"0\" y=\"2\" height=\"10\" fill=\"#3b6ea5\" width=\"");
        w_number(w, v, 3);
        w_puts(w, "\"/>");
        if (range) {
            /* the whisker and its two end caps */
            w_puts(w, "<path fill=\"none\" stroke=\"#1d232a\" stroke-width=\"1.5\" "
                      "vector-effect=\"non-scaling-stroke\" d=\"M");
            w_number(w, lo, 3);
            w_puts(w, " 7H");
            w_number(w, hi, 3);
            w_puts(w, "M");
            w_number(w, lo, 3);
            w_puts(w, " 3V11M");
            w_number(w, hi, 3);
            w_puts(w, " 3V11\"/>");
        }
        w_puts(w, "</svg></td><td class=\"n\">");
        w_number(w, s->value[i], s->decimals);
        w_puts(w, "</td></tr>\n");
    }
    /* the scale: 0 on the left, max on the right */
    w_puts(w, "<tr class=\"ax\"><td></td><td>0<span>");
    w_number(w, s->max, s->decimals);
    w_puts(w, "</span></td><td></td></tr>\n</tbody></table>\n");
}

int ag_doc_write_html(const struct ag_doc *d, struct ag_buf *out)
{
    if (!d || !out)
        return AG_EINVAL;
    size_t start = out->len;
    struct w w = {out, 0, d->lang};
    w_puts(&w, "<!DOCTYPE html>\n<html lang=\"");
    w_text(&w, d->lang);
    w_puts(&w, "\">\n<head>\n<meta charset=\"utf-8\">\n"
               "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>");
    w_text(&w, d->title);
    w_puts(&w, "</title>\n<style>");
    w_puts(&w, CSS);
    w_puts(&w, "</style>\n</head>\n<body>\n<header><h1>");
    w_text(&w, d->title);
    w_puts(&w, "</h1>");
    if (d->subtitle) {
        w_puts(&w, "<p class=\"sub\">");
        w_text(&w, d->subtitle);
        w_puts(&w, "</p>");
    }
    w_puts(&w, "</header>\n<main>\n");

    size_t matrices = 0;
    for (size_t i = 0; i < d->blocks.len && !w.rc; i++) {
        const struct doc_block *b = &AG_VEC_AT(&d->blocks, struct doc_block, i);
        switch (b->kind) {
        case DOC_HEADING:
            /* The title is the page's h1, so heading levels 1..3 are h2..h4. */
            w_printf(&w, "<h%d>", b->level + 1);
            w_text(&w, b->text);
            w_printf(&w, "</h%d>\n", b->level + 1);
            break;
        case DOC_PARA:
            w_puts(&w, "<p>");
            w_text(&w, b->text);
            w_puts(&w, "</p>\n");
            break;
        case DOC_NOTE:
            w_puts(&w, "<div class=\"note\" role=\"note\">");
            w_text(&w, b->text);
            w_puts(&w, "</div>\n");
            break;
        case DOC_BULLET: {
            /* consecutive items form one list */
            bool first =
                i == 0 || AG_VEC_AT(&d->blocks, struct doc_block, i - 1).kind != DOC_BULLET;
            bool last = i + 1 == d->blocks.len ||
                        AG_VEC_AT(&d->blocks, struct doc_block, i + 1).kind != DOC_BULLET;
            w_puts(&w, first ? "<ul>\n<li>" : "<li>");
            w_text(&w, b->text);
            w_puts(&w, last ? "</li>\n</ul>\n" : "</li>\n");
            break;
        }
        case DOC_TABLE:
            html_table(&w, b->u.table);
            break;
        case DOC_MATRIX:
            html_matrix(&w, b->u.matrix, ++matrices);
            break;
        case DOC_BARS:
            html_bars(&w, b->u.bars);
            break;
        case DOC_PAGEBREAK:
            w_puts(&w, "<div class=\"pb\"></div>\n");
            break;
        }
    }
    w_puts(&w, "</main>\n");
    if (d->footer) {
        w_puts(&w, "<footer><p>");
        w_text(&w, d->footer);
        w_puts(&w, "</p></footer>\n");
    }
    w_puts(&w, "</body>\n</html>\n");
    if (w.rc && out->data) {
        /* nothing half-written stays in the caller's buffer */
        out->len = start;
        out->data[start] = '\0';
    }
    return w.rc;
}
