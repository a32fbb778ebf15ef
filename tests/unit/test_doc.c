/* Unit tests for agora/doc.h: report documents built from every block type
 * with texts in English, French, German, Italian and Dutch, written as HTML
 * (checked as text: escaping, lang, tables, matrix colours) and as PDF
 * (checked from outside with poppler's pdftotext, pdfinfo and pdftoppm: the
 * text comes back, the pages are counted and numbered, a long table repeats
 * its header on every page, nothing is drawn outside the page, the pages
 * are not blank and the matrix has its colours).
 * SPDX-License-Identifier: EUPL-1.2 */
/* cmocka.h needs these four first, in this order. */
/* clang-format off */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
/* clang-format on */

#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "agora/doc.h"

/* The A4 page and the writer's 18 mm margins, in points. */
#define PAGE_W 595.276
#define PAGE_H 841.890
#define MARGIN (18 * 72.0 / 25.4)

/* ---------- helpers ---------- */

static char dir[256];

static int setup(void **state)
{
    (void)state;
    const char *base = getenv("TMPDIR");
    snprintf(dir, sizeof dir, "%s/agora-test-doc-XXXXXX", base && *base ? base : "/tmp");
    return mkdtemp(dir) ? 0 : -1;
}

/* Appends s to b single-quoted for /bin/sh. */
static void shq(struct ag_buf *b, const char *s)
{
    assert_int_equal(ag_buf_puts(b, "'"), 0);
    for (const char *p = s; *p; p++)
        assert_int_equal(*p == '\'' ? ag_buf_puts(b, "'\\''") : ag_buf_append(b, p, 1), 0);
    assert_int_equal(ag_buf_puts(b, "'"), 0);
}

static int teardown(void **state)
{
    (void)state;
    struct ag_buf cmd;
    ag_buf_init(&cmd, 1 << 12);
    ag_buf_puts(&cmd, "rm -rf ");
    shq(&cmd, dir);
    int rc = system(cmd.data);
    ag_buf_free(&cmd);
    return rc;
}

/* Runs `prog 'arg1' 'arg2' ...` through /bin/sh and returns its standard
 * output (free() it); fails the test when it exits non-zero. */
static char *run(const char *prog, ...)
{
    struct ag_buf cmd;
    ag_buf_init(&cmd, 1 << 14);
    assert_int_equal(ag_buf_puts(&cmd, prog), 0);
    va_list ap;
    va_start(ap, prog);
    for (const char *a; (a = va_arg(ap, const char *));) {
        assert_int_equal(ag_buf_puts(&cmd, " "), 0);
        shq(&cmd, a);
    }
    va_end(ap);
    FILE *f = popen(cmd.data, "r");
    assert_non_null(f);
    struct ag_buf out;
    ag_buf_init(&out, 64u << 20);
    char chunk[8192];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        assert_int_equal(ag_buf_append(&out, chunk, n), 0);
    int status = pclose(f);
    if (status != 0)
        fail_msg("`%s` exited with status %d", cmd.data, status);
    ag_buf_free(&cmd);
    ag_buf_append(&out, "", 0); /* a NUL-terminated empty string at least */
    return ag_buf_take(&out);
}

static bool have_poppler(void)
{
    return system("command -v pdftotext >/dev/null 2>&1 && command -v pdftoppm >/dev/null 2>&1 "
                  "&& command -v pdfinfo >/dev/null 2>&1") == 0;
}

static size_t count(const char *hay, const char *needle)
{
    size_t n = 0, len = strlen(needle);
    for (const char *p = hay; (p = strstr(p, needle)); p += len)
        n++;
    return n;
}

#define assert_contains(hay, needle)                                                               \
    do {                                                                                           \
        if (!strstr((hay), (needle)))                                                              \
            fail_msg("\"%s\" not found", (needle));                                                \
    } while (0)

static size_t dir_entries(const char *path)
{
    DIR *d = opendir(path);
    assert_non_null(d);
    size_t n = 0;
    for (struct dirent *e; (e = readdir(d));)
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
            n++;
    closedir(d);
    return n;
}

/* The pages of pdftotext's output (separated by form feeds): page k
 * (1-based) as a new string, or NULL past the end. */
static char *page_text(const char *all, int k)
{
    const char *p = all;
    for (int i = 1; i < k; i++) {
        p = strchr(p, '\f');
        if (!p)
            return NULL;
        p++;
    }
    const char *end = strchr(p, '\f');
    if (!end)
        return NULL; /* pdftotext ends every page with \f */
    size_t n = (size_t)(end - p);
    char *s = malloc(n + 1);
    assert_non_null(s);
    memcpy(s, p, n);
    s[n] = '\0';
    return s;
}

/* The text of a PDF in the order it was drawn (-raw): the words of one
 * table row or footer line come out on one line. (pdftotext's default
 * reading-order mode guesses columns and word gaps, and on a lone short
 * line like the page number it reads "1 / 6" as "1/ 6".) */
static char *pdf_text(const char *pdf)
{
    return run("pdftotext -raw -enc UTF-8", pdf, "-", NULL);
}

static int pdf_pages(const char *pdf)
{
    char *info = run("pdfinfo", pdf, NULL);
    const char *p = strstr(info, "\nPages:");
    assert_non_null(p);
    int n = atoi(p + 7);
    free(info);
    return n;
}

/* An 8-bit image read back from pdftoppm: P5 (grey) or P6 (RGB). */
struct image {
    int w, h, channels;
    unsigned char *px;
};

static void read_pnm(const char *path, struct image *im)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    char magic[3] = {0};
    int maxval = 0;
    assert_int_equal(fscanf(f, "%2s %d %d %d", magic, &im->w, &im->h, &maxval), 4);
    assert_int_equal(fgetc(f), '\n'); /* the one whitespace byte before the pixels */
    assert_int_equal(maxval, 255);
    im->channels = !strcmp(magic, "P5") ? 1 : !strcmp(magic, "P6") ? 3 : 0;
    assert_true(im->channels > 0 && im->w > 0 && im->h > 0);
    size_t n = (size_t)im->w * (size_t)im->h * (size_t)im->channels;
    im->px = malloc(n);
    assert_non_null(im->px);
    assert_int_equal(fread(im->px, 1, n, f), n);
    fclose(f);
}

/* Page `page` of pdf rendered at 30 dpi (grey or colour) into an image. */
static void render(const char *pdf, int page, bool gray, struct image *im)
{
    char pg[16], prefix[300], file[320];
    snprintf(pg, sizeof pg, "%d", page);
    snprintf(prefix, sizeof prefix, "%s/render", dir);
    char *out = run(gray ? "pdftoppm -r 30 -gray -singlefile" : "pdftoppm -r 30 -singlefile", "-f",
                    pg, "-l", pg, pdf, prefix, NULL);
    free(out);
    snprintf(file, sizeof file, "%s.%s", prefix, gray ? "pgm" : "ppm");
    read_pnm(file, im);
    unlink(file);
}

/* ---------- the documents ---------- */

/* One sentence per language, each with its accented letters. */
static const char *const SENTENCES[5] = {
    "English: a naïve café owner’s façade, résumé attached.",
    "Français : évacuation d’urgence, sécurité des élèves à la fête de Noël.",
    "Deutsch: größere Menschenmenge, Übergänge prüfen, Straßenfest in Köln.",
    "Italiano: città più sicura, perché l’uscita è già aperta.",
    "Nederlands: coördinatie van één ruïne, geïnspireerd door reünie.",
};
/* A word of each sentence that pdftotext must give back. */
static const char *const ACCENTED[5] = {"naïve", "évacuation", "Übergänge", "città", "coördinatie"};

/* The five characters HTML escapes, appended to every text of the HTML
 * document, and what they must become. */
#define NASTY " <&\"'>"
#define NASTY_ESC " &lt;&amp;&quot;&#39;&gt;"

/* Every block type, every text tagged with NASTY. */
static struct ag_doc *html_doc(void)
{
    struct ag_doc *d = ag_doc_new("fr", "Titre é" NASTY);
    assert_non_null(d);
    assert_int_equal(ag_doc_subtitle(d, "Sous-titre à" NASTY), 0);
    assert_int_equal(ag_doc_footer(d, "Pied ç" NASTY), 0);
    assert_int_equal(ag_doc_heading(d, 1, "Titre1 ë" NASTY), 0);
    assert_int_equal(ag_doc_heading(d, 2, "Titre2 ï" NASTY), 0);
    assert_int_equal(ag_doc_heading(d, 3, "Titre3 ô" NASTY), 0);
    for (int i = 0; i < 5; i++) {
        char s[200];
        snprintf(s, sizeof s, "%s" NASTY, SENTENCES[i]);
        assert_int_equal(ag_doc_para(d, s), 0);
    }
    assert_int_equal(ag_doc_note(d, "Remarque ù" NASTY), 0);
    assert_int_equal(ag_doc_bullet(d, "Puce1 œ" NASTY), 0);
    assert_int_equal(ag_doc_bullet(d, "Puce2 ÿ" NASTY), 0);
    const char *head[3] = {"Colonne ü" NASTY, "Valeur" NASTY, NULL};
    const bool numeric[3] = {false, true, false};
    const double widths[3] = {2, 1, 1};
    assert_int_equal(ag_doc_table(d, 3, head, widths, numeric), 0);
    const char *r1[3] = {"Cellule â" NASTY, "12.5", NULL};
    const char *f1[3] = {NULL, "#d7191c", "#fdd835"};
    assert_int_equal(ag_doc_row(d, r1, f1), 0);
    const char *r2[3] = {"Zelle ß" NASTY, "3", "x"};
    assert_int_equal(ag_doc_row(d, r2, NULL), 0);
    const char *h2[1] = {"Seule" NASTY};
    assert_int_equal(ag_doc_table(d, 1, h2, NULL, NULL), 0);
    const char *xt[5] = {"Imp1" NASTY, "Imp2", "Imp3", "Imp4", "Imp5"};
    const char *yt[5] = {"Vra1" NASTY, "Vra2", "Vra3", "Vra4", "Vra5"};
    const char *cells[25] = {0};
    cells[(4 - 1) * 5 + (5 - 1)] = "S1" NASTY; /* x = 5, y = 4: red */
    cells[(1 - 1) * 5 + (2 - 1)] = "S2";       /* x = 2, y = 1: green */
    assert_int_equal(ag_doc_matrix(d, "Impact è" NASTY, "Vraisemblance é" NASTY, xt, yt, cells), 0);
    const char *labels[2] = {"Barre1 î" NASTY, "Barre2"};
    const double value[2] = {2.5, 4}, lo[2] = {1.75, 4}, hi[2] = {3.25, 4};
    assert_int_equal(ag_doc_bars(d, 2, labels, value, lo, hi, 5, 2), 0);
    assert_int_equal(ag_doc_pagebreak(d), 0);
    return d;
}

/* ---------- building ---------- */

static void test_band_colours(void **state)
{
    (void)state;
    static const int green[] = {1, 2, 3, 4}, yellow[] = {5, 6, 8, 9}, orange[] = {10, 12, 15, 16},
                     red[] = {20, 25};
    for (size_t i = 0; i < 4; i++) {
        assert_string_equal(ag_doc_band(green[i]), "#1a9641");
        assert_string_equal(ag_doc_band(yellow[i]), "#fdd835");
        assert_string_equal(ag_doc_band(orange[i]), "#fb8c00");
    }
    for (size_t i = 0; i < 2; i++)
        assert_string_equal(ag_doc_band(red[i]), "#d7191c");
    /* clamped, never NULL */
    assert_string_equal(ag_doc_band(0), "#1a9641");
    assert_string_equal(ag_doc_band(99), "#d7191c");
}

static void test_building_refuses_bad_arguments(void **state)
{
    (void)state;
    struct ag_doc *d = ag_doc_new("en", "T");
    assert_non_null(d);
    const char *h[2] = {"a", "b"}, *r[2] = {"1", "2"};
    assert_int_equal(ag_doc_heading(d, 0, "x"), AG_EINVAL);
    assert_int_equal(ag_doc_heading(d, 4, "x"), AG_EINVAL);
    assert_int_equal(ag_doc_para(d, NULL), AG_EINVAL);
    assert_int_equal(ag_doc_row(d, r, NULL), AG_EINVAL); /* no table yet */
    assert_int_equal(ag_doc_table(d, 0, h, NULL, NULL), AG_EINVAL);
    assert_int_equal(ag_doc_table(d, 13, h, NULL, NULL), AG_EINVAL);
    assert_int_equal(ag_doc_table(d, 2, NULL, NULL, NULL), AG_EINVAL);
    const double bad_w[2] = {1, 0};
    assert_int_equal(ag_doc_table(d, 2, h, bad_w, NULL), AG_EINVAL);
    assert_int_equal(ag_doc_table(d, 2, h, NULL, NULL), 0);
    const char *bad_fill[2] = {"red", NULL}, *inject[2] = {"#fff\"><", NULL};
    assert_int_equal(ag_doc_row(d, r, bad_fill), AG_EINVAL);
    assert_int_equal(ag_doc_row(d, r, inject), AG_EINVAL);
    assert_int_equal(ag_doc_row(d, NULL, NULL), AG_EINVAL);
    assert_int_equal(ag_doc_row(d, r, NULL), 0);
    assert_int_equal(ag_doc_para(d, "p"), 0);
    assert_int_equal(ag_doc_row(d, r, NULL), AG_EINVAL); /* the table is closed */
    const char *lab[1] = {"l"};
    const double v[1] = {1}, lo[1] = {2}, hi[1] = {3}, nan_v[1] = {NAN};
    /* a value outside its range is accepted, a range with lo > hi is not */
    assert_int_equal(ag_doc_bars(d, 1, lab, v, lo, hi, 5, 1), 0);
    const double lo2[1] = {3}, hi2[1] = {2};
    assert_int_equal(ag_doc_bars(d, 1, lab, v, lo2, hi2, 5, 1), AG_EINVAL);
    assert_int_equal(ag_doc_bars(d, 1, lab, nan_v, NULL, NULL, 5, 1), AG_EINVAL);
    assert_int_equal(ag_doc_bars(d, 1, lab, v, NULL, NULL, 0, 1), AG_EINVAL);
    assert_int_equal(ag_doc_bars(d, 0, lab, v, NULL, NULL, 5, 1), AG_EINVAL);
    assert_int_equal(ag_doc_bars(d, 1, lab, v, NULL, NULL, 5, 7), AG_EINVAL);
    assert_int_equal(ag_doc_bars(d, 1, NULL, v, NULL, NULL, 5, 0), 0);
    assert_int_equal(ag_doc_matrix(d, NULL, NULL, NULL, NULL, NULL), 0);
    assert_int_equal(ag_doc_heading(NULL, 1, "x"), AG_EINVAL);
    ag_doc_free(d);
    ag_doc_free(NULL);
}

/* ---------- HTML ---------- */

static void test_html_escapes_every_text_and_keeps_structure(void **state)
{
    (void)state;
    struct ag_doc *d = html_doc();
    struct ag_buf b;
    ag_buf_init(&b, 1 << 22);
    assert_int_equal(ag_doc_write_html(d, &b), 0);
    const char *h = b.data;

    assert_true(!strncmp(h, "<!DOCTYPE html>\n<html lang=\"fr\">", 32));
    assert_contains(h, "<meta charset=\"utf-8\">");
    assert_contains(h, "</html>\n");
    assert_null(strstr(h, "<script"));
    assert_null(strstr(h, "http")); /* nothing fetched */
    /* The raw characters never survive: no text can open a tag. */
    assert_null(strstr(h, NASTY));
    assert_null(strstr(h, "<&"));

    static const char *const texts[] = {
        "Titre é",  "Sous-titre à", "Pied ç",   "Titre1 ë",        "Titre2 ï",
        "Titre3 ô", "Remarque ù",   "Puce1 œ",  "Puce2 ÿ",         "Colonne ü",
        "Valeur",   "Cellule â",    "Zelle ß",  "Seule",           "Imp1",
        "Vra1",     "S1",           "Impact è", "Vraisemblance é", "Barre1 î"};
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        char want[128];
        snprintf(want, sizeof want, "%s" NASTY_ESC, texts[i]);
        assert_contains(h, want);
    }
    for (int i = 0; i < 5; i++) {
        char want[256];
        snprintf(want, sizeof want, "%s" NASTY_ESC, SENTENCES[i]);
        assert_contains(h, want);
    }
    /* the title twice (title element and h1), heading levels shifted under it */
    assert_int_equal(count(h, "Titre é" NASTY_ESC), 2);
    assert_contains(h, "<title>Titre é" NASTY_ESC "</title>");
    assert_contains(h, "<h2>Titre1 ë");
    assert_contains(h, "<h3>Titre2 ï");
    assert_contains(h, "<h4>Titre3 ô");
    /* consecutive bullets form one list */
    assert_int_equal(count(h, "<ul>"), 1);
    assert_int_equal(count(h, "<li>"), 2);

    /* one table element per table, plus the matrix and the bars */
    assert_int_equal(count(h, "<table class=\"t\">"), 2);
    assert_int_equal(count(h, "<table"), 4);
    assert_int_equal(count(h, "<th scope=\"col\""), 4 + 5); /* headers, impact ticks */
    assert_contains(h, "<th scope=\"col\" class=\"n\">Valeur");
    assert_contains(h, "<td class=\"n\" style=\"background:#d7191c;color:#ffffff\">12.5</td>");
    assert_contains(h, "<td style=\"background:#fdd835;color:#000000\"></td>");

    /* The matrix: rows likelihood 5 down to 1, columns impact 1..5, each
     * cell coloured by its band, with black or white text for contrast. */
    const char *mx = strstr(h, "<table class=\"mx\">");
    assert_non_null(mx);
    const char *cell = mx;
    for (int i = 0; i < 25; i++) {
        int y = 5 - i / 5, x = i % 5 + 1;
        cell = strstr(cell, "<td class=\"mc\"");
        assert_non_null(cell);
        const char *end = strchr(cell, '>');
        char want[96];
        const char *band = ag_doc_band(x * y);
        bool white = !strcmp(band, "#d7191c"); /* only red is dark enough for white */
        snprintf(want, sizeof want, "style=\"background:%s;color:%s\"", band,
                 white ? "#ffffff" : "#000000");
        const char *at = strstr(cell, want);
        if (!at || at > end)
            fail_msg("matrix cell x=%d y=%d: %s missing", x, y, want);
        char score[48];
        snprintf(score, sizeof score, "<span class=\"p\">%d</span>", x * y);
        assert_true(!strncmp(end + 1, score, strlen(score)));
        cell = end;
    }
    assert_null(strstr(cell, "<td class=\"mc\""));
    assert_contains(mx, "<span class=\"p\">20</span>S1" NASTY_ESC "</td>");
    assert_contains(mx, "<span class=\"p\">2</span>S2</td>");

    /* bars: the value in text, the range in the SVG title, a whisker; a
     * French document writes the decimal comma */
    assert_contains(h, "<title>Barre1 î" NASTY_ESC ": 2,50 (1,75 \xe2\x80\x93 3,25)</title>");
    assert_contains(h, "<td class=\"n\">2,50</td>");
    assert_int_equal(count(h, "<path"), 1); /* Barre2 has no range */
    assert_int_equal(count(h, "<div class=\"pb\">"), 1);

    /* Appending: a second page lands after the first, intact. */
    size_t len = b.len;
    assert_int_equal(ag_doc_write_html(d, &b), 0);
    assert_int_equal(b.len, 2 * len);
    /* A full buffer: ELIMIT and the buffer as it was. */
    struct ag_buf small;
    ag_buf_init(&small, 300);
    assert_int_equal(ag_buf_puts(&small, "keep"), 0);
    assert_int_equal(ag_doc_write_html(d, &small), AG_ELIMIT);
    assert_string_equal(small.data, "keep");
    ag_buf_free(&small);
    ag_buf_free(&b);
    ag_doc_free(d);
}

static void test_texts_are_cleaned_to_valid_utf8(void **state)
{
    (void)state;
    struct ag_doc *d = ag_doc_new(NULL, NULL);
    assert_non_null(d);
    assert_int_equal(ag_doc_para(d, "bad \xff byte, \xc3 cut, ctrl\x01x, line1\nline2"), 0);
    assert_int_equal(ag_doc_heading(d, 1, "no\nbreak"), 0);
    struct ag_buf b;
    ag_buf_init(&b, 1 << 20);
    assert_int_equal(ag_doc_write_html(d, &b), 0);
    assert_contains(b.data, "<html lang=\"und\">");
    assert_contains(b.data,
                    "<p>bad \xef\xbf\xbd byte, \xef\xbf\xbd cut, ctrl x, line1<br>line2</p>");
    assert_contains(b.data, "<h2>no break</h2>");
    /* nothing invalid reached the page */
    const char *p = strstr(b.data, "<p>bad");
    char para[128];
    snprintf(para, sizeof para, "%.*s", (int)(strstr(p, "</p>") - p), p);
    assert_true(ag_text_ok(para));
    ag_buf_free(&b);
    ag_doc_free(d);
}

/* ---------- PDF ---------- */

#define LONG_ROWS 160
#define LONG_HEADER "Bezeichnungskopf"

/* A German report: every block type, the five languages, a plain-text
 * trap, a long URL, then on its own pages a table of LONG_ROWS rows. */
static struct ag_doc *pdf_doc(void)
{
    struct ag_doc *d = ag_doc_new("de", "Prüfbericht Größe <&>");
    assert_non_null(d);
    assert_int_equal(ag_doc_subtitle(d, "Köln, 1. März 2025 — Version 0.1"), 0);
    assert_int_equal(ag_doc_footer(d, "agora 0.1.0 — TLP:AMBER"), 0);
    assert_int_equal(ag_doc_heading(d, 1, "Überblick der Lage"), 0);
    for (int i = 0; i < 5; i++)
        assert_int_equal(ag_doc_para(d, SENTENCES[i]), 0);
    assert_int_equal(ag_doc_para(d, "Markup stays text: <b>fett</b> &amp; <span "
                                    "foreground=\"red\">rot</span>"),
                     0);
    assert_int_equal(ag_doc_para(d, "https://example.org/"
                                    "averyveryveryverylongpathsegmentwithoutanyspaceatall/"
                                    "0123456789012345678901234567890123456789012345678901234567890"
                                    "123456789012345678901234567890123456789?query=ÄÖÜäöü"),
                     0);
    assert_int_equal(ag_doc_note(d, "Hinweis: Die Werte sind Schätzungen (geschätzte Größen)."), 0);
    assert_int_equal(ag_doc_bullet(d, "Erster Punkt: Zugänge prüfen"), 0);
    assert_int_equal(ag_doc_bullet(d, "Zweiter Punkt: Fluchtwege freihalten"), 0);
    assert_int_equal(ag_doc_heading(d, 2, "Risikomatrix"), 0);
    const char *xt[5] = {"gering", "mäßig", "spürbar", "groß", "katastrophal"};
    const char *yt[5] = {"selten", "unwahrscheinlich", "möglich", "wahrscheinlich", "häufig"};
    const char *cells[25] = {0};
    cells[24] = "S1 S2";
    cells[0] = "S9";
    cells[12] = "S01 S02 S03 S04 S05 S06 S07 S08"; /* crowded: set smaller, not cut */
    assert_int_equal(ag_doc_matrix(d, "Auswirkung", "Eintrittswahrscheinlichkeit", xt, yt, cells),
                     0);
    assert_int_equal(ag_doc_heading(d, 3, "Balken mit Spannweiten"), 0);
    const char *labels[3] = {"Fußgängerzone", "Marktplatz", "Bahnhofstraße"};
    const double v[3] = {3.2, 4.75, 1}, lo[3] = {2.5, 4.75, 0.5}, hi[3] = {4, 4.75, 1.5};
    assert_int_equal(ag_doc_bars(d, 3, labels, v, lo, hi, 5, 1), 0);
    const char *head[3] = {"Nr.", "Ort", "Wert"};
    const bool num[3] = {true, false, true};
    assert_int_equal(ag_doc_table(d, 3, head, (const double[]){1, 4, 1}, num), 0);
    const char *r[3] = {"1", "Domplatte", "17.5"};
    assert_int_equal(ag_doc_row(d, r, (const char *[]){NULL, NULL, "#d7191c"}), 0);

    assert_int_equal(ag_doc_pagebreak(d), 0);
    assert_int_equal(ag_doc_heading(d, 1, "Lange Tabelle"), 0);
    const char *lh[3] = {"Zeile", LONG_HEADER, "Wert"};
    assert_int_equal(ag_doc_table(d, 3, lh, (const double[]){1, 3, 1}, num), 0);
    for (int i = 1; i <= LONG_ROWS; i++) {
        char n[16], name[64], val[16];
        snprintf(n, sizeof n, "%d", i);
        snprintf(name, sizeof name, i == LONG_ROWS ? "Schlusszeile-Ärger" : "Eintrag Größe %d", i);
        snprintf(val, sizeof val, "%d.%d", i * 3, i % 10);
        const char *row[3] = {n, name, val};
        assert_int_equal(ag_doc_row(d, row, NULL), 0);
    }
    return d;
}

static void test_pdf_text_pages_and_repeated_header(void **state)
{
    (void)state;
    if (!have_poppler())
        skip();
    struct ag_doc *d = pdf_doc();
    char pdf[320];
    snprintf(pdf, sizeof pdf, "%s/bericht.pdf", dir);
    struct ag_error err = {0};
    assert_int_equal(ag_doc_write_pdf(d, pdf, &err), 0);
    assert_int_equal(dir_entries(dir), 1); /* no temporary file left */

    char *info = run("pdfinfo", pdf, NULL);
    assert_contains(info, "Prüfbericht Größe <&>"); /* the metadata title */
    free(info);

    int pages = pdf_pages(pdf);
    char *txt = pdf_text(pdf);
    assert_int_equal((int)count(txt, "\f"), pages);
    assert_contains(txt, "Prüfbericht Größe <&>");
    assert_contains(txt, "Köln, 1. März 2025");
    assert_contains(txt, "Überblick der Lage");
    assert_contains(txt, "Risikomatrix");
    assert_contains(txt, "Balken mit Spannweiten");
    for (int i = 0; i < 5; i++)
        assert_contains(txt, ACCENTED[i]);
    /* user text is never pango markup */
    assert_contains(txt, "<b>fett</b> &amp; <span");
    assert_contains(txt, "https://example.org/averyvery");
    assert_contains(txt, "Schätzungen");
    assert_contains(txt, "Fluchtwege");
    assert_contains(txt, "Eintrittswahrscheinlichkeit");
    assert_contains(txt, "katastrophal");
    for (int i = 1; i <= 8; i++) {
        char code[8];
        snprintf(code, sizeof code, "S0%d", i);
        assert_contains(txt, code);
    }
    assert_contains(txt, "Bahnhofstraße");
    assert_contains(txt, "4.8"); /* 4.75 at one decimal */
    assert_contains(txt, "Domplatte");
    assert_contains(txt, "Schlusszeile-Ärger"); /* the last row of the long table */

    /* The long table starts on the page of its heading and runs to the
     * end: three pages at least, its header on top of every one of them,
     * each page numbered "k / N" with the footer text. */
    int first = 0;
    for (int k = 1; k <= pages; k++) {
        char *pt = page_text(txt, k);
        assert_non_null(pt);
        char num[32];
        snprintf(num, sizeof num, "%d / %d", k, pages);
        assert_contains(pt, num);
        assert_contains(pt, "agora 0.1.0 — TLP:AMBER");
        if (!first && strstr(pt, "Lange Tabelle"))
            first = k;
        size_t heads = count(pt, LONG_HEADER);
        if (first)
            assert_int_equal(heads, 1);
        else
            assert_int_equal(heads, 0);
        if (k > 1) /* the running header */
            assert_contains(pt, "Prüfbericht Größe <&>");
        free(pt);
    }
    assert_true(first > 1);
    int table_pages = pages - first + 1;
    assert_true(table_pages >= 3);
    assert_int_equal(count(txt, LONG_HEADER), (size_t)table_pages);
    /* 160 one-line rows of 9 pt: about 45 to a page, so 4 pages, give or
     * take one for the font's exact line height. */
    assert_in_range(table_pages, 3, 5);
    /* every row came back, once */
    for (int i = 1; i < LONG_ROWS; i++) {
        char row[64];
        snprintf(row, sizeof row, "\n%d Eintrag Größe %d %d.%d\n", i, i, i * 3, i % 10);
        assert_int_equal(count(txt, row), 1);
    }
    free(txt);
    ag_doc_free(d);
}

static void test_pdf_keeps_everything_inside_the_page(void **state)
{
    (void)state;
    if (!have_poppler())
        skip();
    struct ag_doc *d = pdf_doc();
    char pdf[320];
    snprintf(pdf, sizeof pdf, "%s/bericht.pdf", dir);
    assert_int_equal(ag_doc_write_pdf(d, pdf, NULL), 0);
    /* Every word's box within the margins, left and right (the long URL
     * has to wrap for that), and within the page top to bottom (the running
     * header and footer sit in the margins). */
    char *bbox = run("pdftotext -bbox -enc UTF-8", pdf, "-", NULL);
    size_t words = 0;
    for (const char *p = bbox; (p = strstr(p, "<word ")); p++) {
        double x0, y0, x1, y1;
        assert_int_equal(sscanf(p, "<word xMin=\"%lf\" yMin=\"%lf\" xMax=\"%lf\" yMax=\"%lf\"", &x0,
                                &y0, &x1, &y1),
                         4);
        if (x0 < MARGIN - 1 || x1 > PAGE_W - MARGIN + 1 || y0 < 10 || y1 > PAGE_H - 10) {
            const char *end = strchr(p, '\n');
            fail_msg("word outside the page's frame: %.*s", (int)(end ? end - p : 80), p);
        }
        words++;
    }
    assert_true(words > 500);
    free(bbox);

    /* Not blank: page 1 (text, the matrix) and the last page of the long
     * table, rendered at 30 dpi in grey. */
    int pages = pdf_pages(pdf);
    int pgs[2] = {1, pages};
    for (int i = 0; i < 2; i++) {
        struct image im;
        render(pdf, pgs[i], true, &im);
        assert_in_range(im.w, 240, 250); /* 210 mm at 30 dpi */
        assert_in_range(im.h, 345, 355);
        size_t dark = 0, n = (size_t)im.w * (size_t)im.h;
        for (size_t k = 0; k < n; k++)
            dark += im.px[k] < 200;
        if (dark < n / 100)
            fail_msg("page %d looks blank: %zu of %zu pixels dark", pgs[i], dark, n);
        free(im.px);
    }
    /* The matrix in colour: red, orange, yellow and green cells on the
     * pages before the long table. */
    size_t red = 0, orange = 0, yellow = 0, green = 0;
    for (int k = 1; k < pages; k++) {
        struct image im;
        render(pdf, k, false, &im);
        for (size_t i = 0; i < (size_t)im.w * (size_t)im.h; i++) {
            int r = im.px[3 * i], g = im.px[3 * i + 1], b = im.px[3 * i + 2];
            red += r > 180 && g < 60 && b < 60;
            orange += r > 220 && g > 110 && g < 170 && b < 60;
            yellow += r > 220 && g > 190 && b < 100;
            green += r < 60 && g > 120 && b < 100;
        }
        free(im.px);
    }
    assert_true(red > 20 && orange > 20 && yellow > 20 && green > 20);
    ag_doc_free(d);
}

/* A cell longer than a page is cut between its lines over several pages,
 * under the repeated header, and none of its words is lost. */
static void test_pdf_row_taller_than_a_page_is_cut(void **state)
{
    (void)state;
    if (!have_poppler())
        skip();
    struct ag_doc *d = ag_doc_new("nl", "Lange cel");
    assert_non_null(d);
    const char *head[2] = {"Kolomkop", "Tweede"};
    assert_int_equal(ag_doc_table(d, 2, head, (const double[]){1, 5}, NULL), 0);
    struct ag_buf big;
    ag_buf_init(&big, 1 << 20);
    for (int i = 1; i <= 700; i++)
        assert_int_equal(ag_buf_printf(&big, "één%03d ", i), 0);
    const char *row[2] = {"kort", big.data};
    assert_int_equal(ag_doc_row(d, row, (const char *[]){"#1a9641", NULL}), 0);
    const char *row2[2] = {"daarna", "coördinatie"};
    assert_int_equal(ag_doc_row(d, row2, NULL), 0);
    char pdf[320];
    snprintf(pdf, sizeof pdf, "%s/lang.pdf", dir);
    assert_int_equal(ag_doc_write_pdf(d, pdf, NULL), 0);
    int pages = pdf_pages(pdf);
    assert_true(pages >= 2);
    char *txt = pdf_text(pdf);
    assert_int_equal(count(txt, "Kolomkop"), (size_t)pages);
    for (int i = 1; i <= 700; i++) {
        char w[16];
        snprintf(w, sizeof w, "één%03d", i);
        assert_int_equal(count(txt, w), 1);
    }
    assert_contains(txt, "coördinatie");
    free(txt);
    ag_buf_free(&big);
    ag_doc_free(d);
}

/* A page break takes effect before the next block only: two in a row make
 * one break, one at the end makes no blank page, and a document of a title
 * alone is one page. */
static void test_pdf_page_breaks(void **state)
{
    (void)state;
    if (!have_poppler())
        skip();
    char pdf[320];
    snprintf(pdf, sizeof pdf, "%s/breaks.pdf", dir);
    struct ag_doc *d = ag_doc_new("en", "Only a title");
    assert_non_null(d);
    assert_int_equal(ag_doc_write_pdf(d, pdf, NULL), 0);
    assert_int_equal(pdf_pages(pdf), 1);
    assert_int_equal(ag_doc_para(d, "First page"), 0);
    assert_int_equal(ag_doc_pagebreak(d), 0);
    assert_int_equal(ag_doc_pagebreak(d), 0);
    assert_int_equal(ag_doc_para(d, "Second page"), 0);
    assert_int_equal(ag_doc_pagebreak(d), 0);
    assert_int_equal(ag_doc_write_pdf(d, pdf, NULL), 0);
    assert_int_equal(pdf_pages(pdf), 2);
    char *txt = pdf_text(pdf);
    char *p1 = page_text(txt, 1), *p2 = page_text(txt, 2);
    assert_contains(p1, "First page");
    assert_contains(p1, "1 / 2");
    assert_contains(p2, "Second page");
    assert_contains(p2, "2 / 2");
    assert_null(strstr(p1, "Second page"));
    free(p1);
    free(p2);
    free(txt);
    ag_doc_free(d);
}

static void test_pdf_failures_leave_nothing_behind(void **state)
{
    (void)state;
    struct ag_doc *d = ag_doc_new("it", "Città");
    assert_non_null(d);
    assert_int_equal(ag_doc_para(d, "perché"), 0);
    struct ag_error err = {0};

    /* a directory that does not exist */
    char path[400];
    snprintf(path, sizeof path, "%s/missing/out.pdf", dir);
    assert_int_equal(ag_doc_write_pdf(d, path, &err), AG_EIO);
    assert_int_equal(err.code, AG_EIO);
    assert_contains(err.msg, path);
    assert_int_equal(dir_entries(dir), 0);

    /* a parent that is a file */
    char file[320];
    snprintf(file, sizeof file, "%s/file", dir);
    FILE *f = fopen(file, "w");
    assert_non_null(f);
    fclose(f);
    snprintf(path, sizeof path, "%s/out.pdf", file);
    ag_error_clear(&err);
    assert_int_equal(ag_doc_write_pdf(d, path, &err), AG_EIO);
    assert_contains(err.msg, path);
    assert_int_equal(dir_entries(dir), 1);

    /* A directory in the way: the temporary file is written, the rename
     * fails, and the temporary file is removed. */
    snprintf(path, sizeof path, "%s/sub", dir);
    assert_int_equal(mkdir(path, 0755), 0);
    ag_error_clear(&err);
    assert_int_equal(ag_doc_write_pdf(d, path, &err), AG_EIO);
    assert_contains(err.msg, path);
    assert_int_equal(dir_entries(dir), 2); /* file, sub */
    assert_int_equal(dir_entries(path), 0);

    /* and a good path still works afterwards, and again over the result */
    snprintf(path, sizeof path, "%s/ok.pdf", dir);
    assert_int_equal(ag_doc_write_pdf(d, path, &err), 0);
    assert_int_equal(ag_doc_write_pdf(d, path, &err), 0);
    assert_int_equal(dir_entries(dir), 3);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_true(st.st_size > 1000);
    assert_int_equal(ag_doc_write_pdf(NULL, path, &err), AG_EINVAL);
    ag_doc_free(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_band_colours),
        cmocka_unit_test(test_building_refuses_bad_arguments),
        cmocka_unit_test(test_html_escapes_every_text_and_keeps_structure),
        cmocka_unit_test(test_texts_are_cleaned_to_valid_utf8),
        cmocka_unit_test_setup_teardown(test_pdf_text_pages_and_repeated_header, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pdf_keeps_everything_inside_the_page, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pdf_row_taller_than_a_page_is_cut, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pdf_page_breaks, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pdf_failures_leave_nothing_behind, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
