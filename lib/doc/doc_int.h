/* agora — report documents: the block list shared by the builder (doc.c)
 * and the two writers (html.c, pdf.c). Not public.
 * SPDX-License-Identifier: EUPL-1.2 */
#ifndef AGORA_DOC_INT_H
#define AGORA_DOC_INT_H

#include "agora/doc.h"

enum doc_kind {
    DOC_HEADING,
    DOC_PARA,
    DOC_NOTE,
    DOC_BULLET,
    DOC_TABLE,
    DOC_MATRIX,
    DOC_BARS,
    DOC_PAGEBREAK,
};

/* A colour parsed once at ag_doc_row, so the writers never see a string
 * that could break out of a style attribute. */
struct doc_rgb {
    bool set;
    unsigned char r, g, b;
};

struct doc_row {
    char **cells;          /* ncols texts, never NULL ("" for none) */
    struct doc_rgb *fills; /* ncols colours, or NULL when the row has none */
};

struct doc_table {
    size_t ncols;
    char **header;      /* ncols texts */
    double *widths;     /* ncols fractions summing to 1 */
    bool *numeric;      /* ncols */
    struct ag_vec rows; /* struct doc_row */
};

struct doc_matrix {
    char *x_label, *y_label;
    char *x_ticks[5], *y_ticks[5];
    char *cells[25]; /* [(y-1)*5 + (x-1)] */
};

struct doc_bars {
    size_t n;
    char **label;
    double *value, *lo, *hi;
    double max;
    int decimals;
};

struct doc_block {
    enum doc_kind kind;
    int level;  /* DOC_HEADING: 1..3 */
    char *text; /* heading, para, note, bullet */
    union {
        struct doc_table *table;
        struct doc_matrix *matrix;
        struct doc_bars *bars;
    } u;
};

struct ag_doc {
    char *lang, *title, *subtitle, *footer; /* subtitle, footer: NULL when unset */
    struct ag_vec blocks;                   /* struct doc_block */
};

/* Whether text drawn on this fill should be black (true) or white (false):
 * whichever of the two has the larger WCAG 2 contrast ratio with it. */
bool ag__doc_dark_text(struct doc_rgb c);
/* "#rrggbb" of an ag_doc_band colour as a struct doc_rgb. */
struct doc_rgb ag__doc_band_rgb(int product);
/* v with `decimals` decimals (0..6), whatever the locale. */
/* v with `decimals` decimals, the point a comma for fr, de, it and nl. */
void ag__doc_number(char *out, size_t cap, double v, int decimals, const char *lang);

#endif
