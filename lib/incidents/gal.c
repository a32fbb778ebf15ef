/* GeoDa's GAL contiguity file (Anselin, Syabri & Kho, "GeoDa: an
 * introduction to spatial data analysis", Geographical Analysis 38, 2006;
 * format as written by GeoDa and read by libpysal):
 *
 *     0 49 columbus POLYID      header: n, or "0 n shapefile idvariable"
 *     1 2                       unit id, number of neighbours
 *     2 3                       the neighbour ids
 *     ...
 *
 * The file is untrusted: every count and id is checked, sizes are bounded
 * before anything is allocated from them, and each error names the file and
 * line.
 * SPDX-License-Identifier: EUPL-1.2 */
#include "incidents/incidents_int.h"

#include <stdlib.h>
#include <string.h>

struct lexer {
    const char *p, *end;
    const char *name;
    size_t line; /* of the line last returned */
};

struct tok {
    const char *s;
    size_t len;
};

/* A neighbour id as it stands in the text, resolved once every unit is
 * known (a neighbour may be listed before its own record). */
struct pending {
    struct tok id;
    uint32_t from;
    size_t line;
};

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

/* Next line that holds something other than white space: [*ls, *le).
 * Returns 0, 1 at the end of the text, or AG_EPARSE for a NUL byte. */
static int next_line(struct lexer *lx, const char **ls, const char **le, struct ag_error *err)
{
    while (lx->p < lx->end) {
        const char *s = lx->p;
        const char *nl = memchr(s, '\n', (size_t)(lx->end - s));
        const char *e = nl ? nl : lx->end;
        lx->p = nl ? nl + 1 : lx->end;
        lx->line++;
        if (memchr(s, '\0', (size_t)(e - s)))
            return ag_error_set(err, AG_EPARSE, "%s:%zu: NUL byte in a text file", lx->name,
                                lx->line);
        const char *q = s;
        while (q < e && is_space(*q))
            q++;
        if (q < e) {
            *ls = s;
            *le = e;
            return 0;
        }
    }
    return 1;
}

/* Splits [s, e) into at most max tokens; returns how many there are in all
 * (which may exceed max: only the first max are stored). */
static size_t split(const char *s, const char *e, struct tok *toks, size_t max)
{
    size_t count = 0;
    while (s < e) {
        while (s < e && is_space(*s))
            s++;
        if (s == e)
            break;
        const char *b = s;
        while (s < e && !is_space(*s))
            s++;
        if (count < max)
            toks[count] = (struct tok){b, (size_t)(s - b)};
        count++;
    }
    return count;
}

/* A decimal count without sign; false when not all digits or > max. */
static bool parse_count(struct tok t, uint64_t max, uint64_t *out)
{
    if (t.len == 0 || t.len > 20)
        return false;
    uint64_t v = 0;
    for (size_t i = 0; i < t.len; i++) {
        if (t.s[i] < '0' || t.s[i] > '9')
            return false;
        if (v > (max - (uint64_t)(t.s[i] - '0')) / 10)
            return false;
        v = v * 10 + (uint64_t)(t.s[i] - '0');
    }
    *out = v;
    return true;
}

static int tokcmp(struct tok a, struct tok b)
{
    size_t m = a.len < b.len ? a.len : b.len;
    int c = memcmp(a.s, b.s, m);
    if (c)
        return c;
    return (a.len > b.len) - (a.len < b.len);
}

struct unit_ref {
    struct tok id;
    uint32_t index;
    size_t line;
};

static int cmp_unit_ref(const void *pa, const void *pb)
{
    const struct unit_ref *a = pa, *b = pb;
    int c = tokcmp(a->id, b->id);
    if (c)
        return c;
    return (a->index > b->index) - (a->index < b->index);
}

static const struct unit_ref *find_unit(const struct unit_ref *sorted, size_t n, struct tok id)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = tokcmp(sorted[mid].id, id);
        if (c == 0)
            return &sorted[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

struct gal_link {
    uint32_t from, to;
    size_t line;
};

static int cmp_gal_link(const void *pa, const void *pb)
{
    const struct gal_link *a = pa, *b = pb;
    if (a->from != b->from)
        return a->from < b->from ? -1 : 1;
    if (a->to != b->to)
        return a->to < b->to ? -1 : 1;
    return (a->line > b->line) - (a->line < b->line);
}

static char *tokdup(struct tok t)
{
    char *s = malloc(t.len + 1);
    if (s) {
        memcpy(s, t.s, t.len);
        s[t.len] = '\0';
    }
    return s;
}

int ag_incidents_weights_read_gal(const char *text, size_t len, const char *name,
                                  struct ag_incidents_weights *out, struct ag_error *err)
{
    if (!name)
        name = "<gal>";
    memset(out, 0, sizeof *out);
    if (!text)
        return ag_error_set(err, AG_EINVAL, "%s: no text", name);
    if (len > AG_INCIDENTS_GAL_MAX_BYTES)
        return ag_error_set(err, AG_ELIMIT, "%s: %zu bytes exceed the limit of %zu", name, len,
                            AG_INCIDENTS_GAL_MAX_BYTES);
    struct lexer lx = {text, text + len, name, 0};
    const char *ls, *le;
    struct tok toks[4] = {{0}};
    int rc = next_line(&lx, &ls, &le, err);
    if (rc < 0)
        return rc;
    if (rc == 1)
        return ag_error_set(err, AG_EPARSE, "%s: empty file, expected a GAL header", name);
    size_t ntok = split(ls, le, toks, 4);
    uint64_t n = 0;
    struct tok ntok_s = ntok == 1 ? toks[0] : toks[1];
    if (ntok >= 2 && !(toks[0].len == 1 && toks[0].s[0] == '0'))
        return ag_error_set(err, AG_EPARSE,
                            "%s:%zu: expected a header \"n\" or \"0 n shapefile idvariable\"", name,
                            lx.line);
    if (!parse_count(ntok_s, UINT64_MAX, &n) || n == 0)
        return ag_error_set(err, AG_EPARSE,
                            "%s:%zu: the number of units must be a whole number >= 1, got '%.*s'",
                            name, lx.line, (int)(ntok_s.len > 40 ? 40 : ntok_s.len), ntok_s.s);
    if (n > AG_INCIDENTS_GAL_MAX_UNITS)
        return ag_error_set(err, AG_ELIMIT, "%s:%zu: %llu units exceed the limit of %u", name,
                            lx.line, (unsigned long long)n, AG_INCIDENTS_GAL_MAX_UNITS);

    struct unit_ref *units = calloc((size_t)n, sizeof *units);
    struct pending *pend = NULL;
    struct gal_link *links = NULL;
    size_t npend = 0, cappend = 0;
    if (!units)
        return ag_error_set(err, AG_ENOMEM, "%s: out of memory for %llu units", name,
                            (unsigned long long)n);

    for (uint64_t u = 0; u < n && rc == 0; u++) {
        rc = next_line(&lx, &ls, &le, err);
        if (rc == 1) {
            rc = ag_error_set(err, AG_EPARSE,
                              "%s:%zu: end of file after %llu of the %llu units of the header",
                              name, lx.line, (unsigned long long)u, (unsigned long long)n);
            break;
        }
        if (rc < 0)
            break;
        size_t nt = split(ls, le, toks, 2);
        uint64_t k = 0;
        if (nt != 2) {
            rc = ag_error_set(err, AG_EPARSE,
                              "%s:%zu: expected \"unit-id neighbour-count\", found %zu fields",
                              name, lx.line, nt);
            break;
        }
        if (toks[0].len > AG_INCIDENTS_GAL_MAX_ID) {
            rc = ag_error_set(err, AG_ELIMIT, "%s:%zu: unit id longer than %u bytes", name, lx.line,
                              AG_INCIDENTS_GAL_MAX_ID);
            break;
        }
        if (!parse_count(toks[1], UINT64_MAX, &k)) {
            rc = ag_error_set(err, AG_EPARSE,
                              "%s:%zu: neighbour count of unit '%.*s' must be a whole number "
                              ">= 0, got '%.*s'",
                              name, lx.line, (int)toks[0].len, toks[0].s,
                              (int)(toks[1].len > 40 ? 40 : toks[1].len), toks[1].s);
            break;
        }
        if (k > n - 1) {
            rc = ag_error_set(err, AG_EPARSE,
                              "%s:%zu: unit '%.*s' has %llu neighbours but there are only %llu "
                              "other units",
                              name, lx.line, (int)toks[0].len, toks[0].s, (unsigned long long)k,
                              (unsigned long long)(n - 1));
            break;
        }
        if (npend + k > AG_INCIDENTS_GAL_MAX_LINKS) {
            rc = ag_error_set(err, AG_ELIMIT, "%s:%zu: more than %u links", name, lx.line,
                              AG_INCIDENTS_GAL_MAX_LINKS);
            break;
        }
        units[u] = (struct unit_ref){toks[0], (uint32_t)u, lx.line};
        if (k == 0)
            continue;
        size_t unit_line = lx.line;
        struct tok unit_id = toks[0];
        rc = next_line(&lx, &ls, &le, err);
        if (rc == 1) {
            rc = ag_error_set(err, AG_EPARSE,
                              "%s:%zu: end of file where the %llu neighbours of unit '%.*s' "
                              "(line %zu) were expected",
                              name, lx.line, (unsigned long long)k, (int)unit_id.len, unit_id.s,
                              unit_line);
            break;
        }
        if (rc < 0)
            break;
        if (npend + k > cappend) {
            struct pending *np = ag_grow(pend, &cappend, npend + k, sizeof *np, 256);
            if (!np) {
                rc = ag_error_set(err, AG_ENOMEM, "%s:%zu: out of memory", name, lx.line);
                break;
            }
            pend = np;
        }
        /* Tokenise straight into the pending list. */
        size_t found = 0;
        const char *s = ls;
        while (s < le) {
            while (s < le && is_space(*s))
                s++;
            if (s == le)
                break;
            const char *b = s;
            while (s < le && !is_space(*s))
                s++;
            if (found < k)
                pend[npend + found] = (struct pending){{b, (size_t)(s - b)}, (uint32_t)u, lx.line};
            found++;
        }
        if (found != k) {
            rc = ag_error_set(err, AG_EPARSE,
                              "%s:%zu: unit '%.*s' (line %zu) announces %llu neighbours, this "
                              "line lists %zu",
                              name, lx.line, (int)unit_id.len, unit_id.s, unit_line,
                              (unsigned long long)k, found);
            break;
        }
        npend += k;
    }
    if (rc == 0) {
        rc = next_line(&lx, &ls, &le, err);
        if (rc == 0)
            rc = ag_error_set(err, AG_EPARSE,
                              "%s:%zu: more records than the %llu units of the header", name,
                              lx.line, (unsigned long long)n);
        else if (rc == 1)
            rc = 0;
    }
    if (rc)
        goto done;

    /* Unit ids: sorted copy for lookup, duplicates refused. */
    struct unit_ref *sorted = malloc((size_t)n * sizeof *sorted);
    if (!sorted) {
        rc = ag_error_set(err, AG_ENOMEM, "%s: out of memory", name);
        goto done;
    }
    memcpy(sorted, units, (size_t)n * sizeof *sorted);
    qsort(sorted, (size_t)n, sizeof *sorted, cmp_unit_ref);
    for (size_t i = 1; i < n; i++) {
        if (tokcmp(sorted[i - 1].id, sorted[i].id) == 0) {
            size_t l1 = sorted[i - 1].line, l2 = sorted[i].line;
            rc = ag_error_set(err, AG_EPARSE, "%s:%zu: unit '%.*s' already appears on line %zu",
                              name, l1 > l2 ? l1 : l2, (int)sorted[i].id.len, sorted[i].id.s,
                              l1 < l2 ? l1 : l2);
            free(sorted);
            goto done;
        }
    }
    links = malloc((npend ? npend : 1) * sizeof *links);
    if (!links) {
        free(sorted);
        rc = ag_error_set(err, AG_ENOMEM, "%s: out of memory", name);
        goto done;
    }
    for (size_t k = 0; k < npend; k++) {
        const struct unit_ref *to = find_unit(sorted, (size_t)n, pend[k].id);
        const struct tok from = units[pend[k].from].id;
        if (!to) {
            rc = ag_error_set(err, AG_EPARSE,
                              "%s:%zu: neighbour '%.*s' of unit '%.*s' is not a unit of the file",
                              name, pend[k].line, (int)(pend[k].id.len > 80 ? 80 : pend[k].id.len),
                              pend[k].id.s, (int)from.len, from.s);
            break;
        }
        if (to->index == pend[k].from) {
            rc = ag_error_set(err, AG_EPARSE, "%s:%zu: unit '%.*s' lists itself as a neighbour",
                              name, pend[k].line, (int)from.len, from.s);
            break;
        }
        links[k] = (struct gal_link){pend[k].from, to->index, pend[k].line};
    }
    free(sorted);
    if (rc)
        goto done;
    qsort(links, npend, sizeof *links, cmp_gal_link);
    for (size_t k = 1; k < npend; k++) {
        if (links[k].from == links[k - 1].from && links[k].to == links[k - 1].to) {
            const struct tok from = units[links[k].from].id, to = units[links[k].to].id;
            rc = ag_error_set(err, AG_EPARSE, "%s:%zu: unit '%.*s' lists neighbour '%.*s' twice",
                              name, links[k].line, (int)from.len, from.s, (int)to.len, to.s);
            goto done;
        }
    }

    out->n = (size_t)n;
    out->start = calloc((size_t)n + 1, sizeof *out->start);
    out->nbr = malloc((npend ? npend : 1) * sizeof *out->nbr);
    out->w = malloc((npend ? npend : 1) * sizeof *out->w);
    out->ids = calloc((size_t)n, sizeof *out->ids);
    if (!out->start || !out->nbr || !out->w || !out->ids) {
        rc = ag_error_set(err, AG_ENOMEM, "%s: out of memory", name);
        goto done;
    }
    for (size_t i = 0; i < n; i++) {
        out->ids[i] = tokdup(units[i].id);
        if (!out->ids[i]) {
            rc = ag_error_set(err, AG_ENOMEM, "%s: out of memory", name);
            goto done;
        }
    }
    for (size_t k = 0; k < npend; k++) {
        out->start[links[k].from + 1]++;
        out->nbr[k] = links[k].to;
        out->w[k] = 1.0;
    }
    for (size_t i = 0; i < n; i++)
        out->start[i + 1] += out->start[i];

done:
    if (rc)
        ag_incidents_weights_free(out);
    free(units);
    free(pend);
    free(links);
    return rc;
}

int ag_incidents_weights_load_gal(const char *path, struct ag_incidents_weights *out,
                                  struct ag_error *err)
{
    struct ag_buf b;
    ag_buf_init(&b, AG_INCIDENTS_GAL_MAX_BYTES);
    memset(out, 0, sizeof *out);
    int rc = ag_file_read(path, &b, err);
    if (rc == 0)
        rc = ag_incidents_weights_read_gal(b.data ? b.data : "", b.len, path, out, err);
    ag_buf_free(&b);
    return rc;
}
