/* agora — report documents: a flat list of blocks (headings, paragraphs,
 * tables, a 5×5 risk matrix, bars with ranges) built once and written as a
 * self-contained HTML page or as a PDF (cairo + pango, A4 portrait).
 * docs/internals/doc.md describes the layout.
 *
 * Every text is UTF-8 plain text: the writers escape it (HTML) or set it
 * as text (PDF, no pango markup is interpreted). Texts are copied, and
 * cleaned on the way in so that no text can make a writer fail: bytes that
 * are not well-formed UTF-8 become U+FFFD, control characters become
 * spaces. Newlines are kept in paragraphs, notes, bullets and table cells
 * (a line break in both outputs) and become spaces elsewhere.
 *
 * The building functions return 0, AG_EINVAL (a NULL document, a required
 * argument missing or out of range) or AG_ENOMEM; a failed call leaves the
 * document as it was. A document is used from one thread at a time.
 * SPDX-License-Identifier: EUPL-1.2 */
#ifndef AGORA_DOC_H
#define AGORA_DOC_H

#include "agora/base.h"

#ifdef __cplusplus
extern "C" {
#endif

struct ag_doc;

/* lang: a BCP 47 tag ("fr", "de-CH"; NULL: "und") written into the HTML
 * (`<html lang>`) and given to pango for the PDF's line breaking and font
 * choice (cairo has no way to write the PDF's /Lang entry); title: the
 * document's title (HTML <title> and h1, PDF title metadata, the top of the
 * first PDF page and the running header of the others; NULL: ""). NULL on
 * out of memory. */
struct ag_doc *ag_doc_new(const char *lang, const char *title);
void ag_doc_free(struct ag_doc *d);

/* Optional: a line under the title on the first page (city, date, version). */
int ag_doc_subtitle(struct ag_doc *d, const char *text);
/* Optional: the footer of every PDF page and the end of the HTML page
 * (e.g. "agora 0.1.0 — TLP:AMBER"); page numbers "n / N" are added in PDF. */
int ag_doc_footer(struct ag_doc *d, const char *text);

/* level 1..3 (HTML h2..h4: the title is the h1). A PDF heading is kept on
 * the page of what follows it and gets a bookmark in the PDF's outline. */
int ag_doc_heading(struct ag_doc *d, int level, const char *text);
int ag_doc_para(struct ag_doc *d, const char *text);
/* A paragraph set apart (grey box): explanations, caveats. */
int ag_doc_note(struct ag_doc *d, const char *text);
/* A bulleted list item (consecutive items form one list). */
int ag_doc_bullet(struct ag_doc *d, const char *text);

/* A table of ncols columns (1..12). header: ncols texts (required; NULL
 * entries: empty). widths: relative column widths, finite and > 0 (NULL:
 * equal); numeric[c]: right-align column c (NULL: none). Rows follow with
 * ag_doc_row; a PDF table split across pages repeats its header, and a row
 * taller than a page is cut between lines. */
int ag_doc_table(struct ag_doc *d, size_t ncols, const char *const *header, const double *widths,
                 const bool *numeric);
/* cells: ncols texts (NULL: empty). fills: NULL, or ncols background
 * colours "#rrggbb" (NULL entries: none), e.g. a risk level's colour; the
 * text on a fill is black or white, whichever contrasts more. AG_EINVAL
 * when the last block is not a table or a colour is not "#rrggbb". */
int ag_doc_row(struct ag_doc *d, const char *const *cells, const char *const *fills);

/* A 5×5 risk matrix: x = impact 1..5 (left to right), y = likelihood 1..5
 * (bottom to top). cells[(y-1)*5 + (x-1)]: the text shown in that cell
 * (scenario codes; cells NULL or an entry NULL: empty). Labels and ticks
 * NULL: empty labels, ticks "1".."5". Cells are coloured by x·y: 1–4 green,
 * 5–9 yellow, 10–16 orange, 20–25 red (the same bands as ag_doc_band), and
 * show x·y too, so the colour is not the only carrier of the level. */
int ag_doc_matrix(struct ag_doc *d, const char *x_label, const char *y_label,
                  const char *const x_ticks[5], const char *const y_ticks[5],
                  const char *const cells[25]);
/* The colour band of a matrix product x·y (1..25): "#1a9641" green,
 * "#fdd835" yellow, "#fb8c00" orange, "#d7191c" red. Values outside 1..25
 * are clamped; never NULL. */
const char *ag_doc_band(int product);

/* Horizontal bars on a common scale 0..max: value[i] as a bar, lo[i]..hi[i]
 * as a range whisker (lo = hi = value: none; lo and hi NULL: no whiskers),
 * labelled label[i] on the left (label NULL or label[i] NULL: empty) and
 * with the value written at the right to `decimals` decimals (0..6).
 * AG_EINVAL unless n >= 1, 0 < max and every number is finite, within
 * ±1e12, with lo[i] <= hi[i]; bars are clipped to 0..max when drawn. */
int ag_doc_bars(struct ag_doc *d, size_t n, const char *const *label, const double *value,
                const double *lo, const double *hi, double max, int decimals);

/* A forced page break in PDF (nothing in HTML but a print page-break rule).
 * It takes effect before the next block: none at the top of a page, none at
 * the end of the document. */
int ag_doc_pagebreak(struct ag_doc *d);

/* Appends the whole page (<!DOCTYPE html> … </html>, inline CSS, no
 * scripts, no network) to out. On failure (AG_ENOMEM, AG_ELIMIT when out's
 * maximum is reached) out is left as it was. */
int ag_doc_write_html(const struct ag_doc *d, struct ag_buf *out);
/* Writes the PDF to path through a temporary file next to it, renamed at
 * the end: nothing is left at path or beside it on failure (AG_EIO with the
 * path in err, AG_ENOMEM), and an existing file at path is replaced whole
 * or not at all. Fonts come from fontconfig ("DejaVu Sans", with its
 * fallbacks for other scripts); nothing global of pango is changed. */
int ag_doc_write_pdf(const struct ag_doc *d, const char *path, struct ag_error *err);

#ifdef __cplusplus
}
#endif
#endif
