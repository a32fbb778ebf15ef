/* Loading the assessment catalogues: data/scenarios.csv,
 * checklist-areas.csv, checklist.csv, measures.csv and risk-model.csv
 * (docs/methodology.md §18; their columns in docs/assessment.md). A city may
 * edit them, so they are read like outside input: exact headers, every
 * field checked, every reference resolved, and an error that names the
 * file, the line and the column.
 * SPDX-License-Identifier: EUPL-1.2 */
#include "assess_int.h"

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TABLE_MAX ((size_t)4 << 20)
#define TEXT_MAX 1000
#define ID_MAX 64

struct table {
    const char *path; /* for messages */
    struct ag_csv csv;
    struct ag_buf data;
    int ncols;
    const char *const *cols;
};

static int table_open(struct table *t, const char *dir, const char *file, const char *const *cols,
                      int ncols, char *pathbuf, size_t pathcap, struct ag_error *err)
{
    memset(t, 0, sizeof *t);
    snprintf(pathbuf, pathcap, "%s/%s", dir, file);
    t->path = pathbuf;
    t->cols = cols;
    t->ncols = ncols;
    ag_buf_init(&t->data, TABLE_MAX);
    int rc = ag_file_read(pathbuf, &t->data, err);
    if (rc)
        return rc;
    ag_csv_init(&t->csv, t->data.data, t->data.len, pathbuf);
    rc = ag_csv_next(&t->csv, err);
    if (rc < 0)
        return rc;
    if (rc == 0)
        return ag_error_set(err, AG_EPARSE, "%s: empty file (expected a header line)", pathbuf);
    char want[512] = "", q[64];
    for (int i = 0; i < ncols; i++)
        snprintf(want + strlen(want), sizeof want - strlen(want), "%s%s", i ? "," : "", cols[i]);
    for (int i = 0; i < ncols; i++)
        if ((size_t)i >= t->csv.nfield || strcmp(t->csv.field[i], cols[i]))
            return ag_error_set(err, AG_EPARSE,
                                "%s:1: header: column %d is %s%s%s, expected \"%s\" "
                                "(the header must be exactly %s)",
                                pathbuf, i + 1, (size_t)i < t->csv.nfield ? "\"" : "",
                                (size_t)i < t->csv.nfield ? ag_excerpt(t->csv.field[i], q, sizeof q)
                                                          : "missing",
                                (size_t)i < t->csv.nfield ? "\"" : "", cols[i], want);
    if (t->csv.nfield != (size_t)ncols)
        return ag_error_set(err, AG_EPARSE, "%s:1: header: %zu columns, expected %d (%s)", pathbuf,
                            t->csv.nfield, ncols, want);
    return 0;
}

static void table_close(struct table *t)
{
    ag_csv_free(&t->csv);
    ag_buf_free(&t->data);
}

/* Next data row with exactly ncols fields; blank lines are skipped. */
static int table_row(struct table *t, struct ag_error *err)
{
    for (;;) {
        int rc = ag_csv_next(&t->csv, err);
        if (rc <= 0)
            return rc;
        if (t->csv.nfield == 1 && !t->csv.field[0][0])
            continue;
        if (t->csv.nfield != (size_t)t->ncols)
            return ag_error_set(err, AG_EPARSE,
                                "%s:%d: %zu fields, expected %d (quote a field "
                                "that holds a comma)",
                                t->path, t->csv.line, t->csv.nfield, t->ncols);
        return 1;
    }
}

static const char *fld(const struct table *t, int col)
{
    return t->csv.field[col];
}

static int bad(const struct table *t, int col, struct ag_error *err, const char *what)
{
    char q[64];
    return ag_error_set(err, AG_EPARSE, "%s:%d: column %s: \"%s\": expected %s", t->path,
                        t->csv.line, t->cols[col], ag_excerpt(fld(t, col), q, sizeof q), what);
}

static bool id_ok(const char *s, bool dots)
{
    size_t n = strlen(s);
    if (n < 1 || n > ID_MAX)
        return false;
    for (size_t i = 0; i < n; i++) {
        char ch = s[i];
        if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_' ||
              (dots && ch == '.')))
            return false;
    }
    return true;
}

static int get_id(const struct table *t, int col, bool dots, char **out, struct ag_error *err)
{
    if (!id_ok(fld(t, col), dots))
        return bad(t, col, err,
                   dots ? "an id of 1 to 64 characters a-z, 0-9, _ and ."
                        : "an id of 1 to 64 characters a-z, 0-9 and _");
    *out = ag_strdup(fld(t, col));
    return *out ? 0 : ag_error_set(err, AG_ENOMEM, "out of memory");
}

static int get_text(const struct table *t, int col, bool required, char **out, struct ag_error *err)
{
    const char *s = fld(t, col);
    if (required && !*s)
        return bad(t, col, err, "a text (it is empty)");
    if (strlen(s) > TEXT_MAX || !ag_text_ok(s))
        return bad(t, col, err, "one line of UTF-8 text of at most 1000 bytes");
    *out = ag_strdup(s);
    return *out ? 0 : ag_error_set(err, AG_ENOMEM, "out of memory");
}

static int get_num(const struct table *t, int col, double lo, double hi, bool integer, double *out,
                   struct ag_error *err)
{
    double v;
    char what[96];
    snprintf(what, sizeof what, "%s from %g to %g", integer ? "a whole number" : "a number", lo,
             hi);
    if (!ag_parse_double(fld(t, col), &v) || !isfinite(v) || v < lo || v > hi ||
        (integer && v != floor(v)))
        return bad(t, col, err, what);
    *out = v;
    return 0;
}

static int get_int(const struct table *t, int col, int lo, int hi, int *out, struct ag_error *err)
{
    double v = 0;
    int rc = get_num(t, col, lo, hi, true, &v, err);
    if (!rc)
        *out = (int)v;
    return rc;
}

static long find_id(const char *id, const void *rows, size_t n, size_t stride)
{
    for (size_t i = 0; i < n; i++) {
        const char *const *p = (const char *const *)((const char *)rows + i * stride);
        if (!strcmp(*p, id))
            return (long)i;
    }
    return -1;
}

/* A new row of an array of structs that start with their id. */
static void *push(void **rows, size_t *n, size_t *cap, size_t elem, struct ag_error *err)
{
    void *g = ag_grow(*rows, cap, *n + 1, elem, 16);
    if (!g) {
        ag_error_set(err, AG_ENOMEM, "out of memory");
        return NULL;
    }
    *rows = g;
    void *row = (char *)g + *n * elem;
    memset(row, 0, elem);
    (*n)++;
    return row;
}

/* "a:1;b:0.5" (with values) or "a;b" (without); ids resolved in rows. */
static int get_links(const struct table *t, int col, const void *rows, size_t nrows, size_t stride,
                     const char *target, bool with_value, double lo, double hi,
                     struct ag_link **out, size_t *nout, struct ag_error *err)
{
    *out = NULL;
    *nout = 0;
    const char *s = fld(t, col);
    if (!*s)
        return 0;
    size_t cap = 0;
    char item[160], q[64], what[200];
    while (*s) {
        size_t len = strcspn(s, ";");
        if (len == 0 || len >= sizeof item)
            return bad(t, col, err, "items separated by \";\" (an item is empty or too long)");
        memcpy(item, s, len);
        item[len] = '\0';
        s += len;
        if (*s == ';')
            s++;
        double v = 1;
        char *colon = strchr(item, ':');
        if (with_value) {
            if (!colon)
                return bad(t, col, err, "items id:value separated by \";\"");
            *colon = '\0';
            if (!ag_parse_double(colon + 1, &v) || !(v > lo - 1e-12) || v > hi) {
                snprintf(what, sizeof what, "a value from %g to %g after \"%s:\"", lo, hi,
                         ag_excerpt(item, q, sizeof q));
                return bad(t, col, err, what);
            }
        } else if (colon)
            return bad(t, col, err, "ids separated by \";\" without values");
        long ix = find_id(item, rows, nrows, stride);
        if (ix < 0) {
            snprintf(what, sizeof what, "known %s ids (\"%s\" is not in the %s table)", target,
                     ag_excerpt(item, q, sizeof q), target);
            return bad(t, col, err, what);
        }
        for (size_t i = 0; i < *nout; i++)
            if ((*out)[i].index == (size_t)ix) {
                snprintf(what, sizeof what, "each id once (\"%s\" is repeated)",
                         ag_excerpt(item, q, sizeof q));
                return bad(t, col, err, what);
            }
        struct ag_link *g = ag_grow(*out, &cap, *nout + 1, sizeof **out, 4);
        if (!g)
            return ag_error_set(err, AG_ENOMEM, "out of memory");
        *out = g;
        g[*nout].index = (size_t)ix;
        g[*nout].value = v;
        (*nout)++;
    }
    return 0;
}

static int dup_check(const struct table *t, const void *rows, size_t n, size_t stride,
                     struct ag_error *err)
{
    const char *id = *(const char *const *)((const char *)rows + (n - 1) * stride);
    long first = find_id(id, rows, n - 1, stride);
    if (first >= 0)
        return bad(t, 0, err, "a new id (it is used on an earlier line)");
    return 0;
}

static int load_scenarios(struct ag_catalogue *c, const char *dir, struct ag_error *err)
{
    static const char *const cols[] = {"id",       "code",           "name",  "description",
                                       "severity", "default_threat", "source"};
    struct table t;
    char path[PATH_MAX];
    size_t cap = 0;
    int rc = table_open(&t, dir, "scenarios.csv", cols, 7, path, sizeof path, err);
    while (!rc && (rc = table_row(&t, err)) == 1) {
        struct ag_scenario *s = push((void **)&c->scenarios, &c->nscenarios, &cap, sizeof *s, err);
        if (!s) {
            rc = AG_ENOMEM;
            break;
        }
        rc = get_id(&t, 0, false, &s->id, err);
        if (!rc)
            rc = dup_check(&t, c->scenarios, c->nscenarios, sizeof *s, err);
        if (!rc)
            rc = get_text(&t, 1, true, &s->code, err);
        if (!rc && strlen(s->code) > 8)
            rc = bad(&t, 1, err, "a short code of at most 8 characters");
        if (!rc)
            rc = get_text(&t, 2, true, &s->name, err);
        if (!rc)
            rc = get_text(&t, 3, true, &s->description, err);
        if (!rc)
            rc = get_int(&t, 4, 1, 5, &s->severity, err);
        if (!rc)
            rc = get_int(&t, 5, 1, 5, &s->default_threat, err);
        if (!rc)
            rc = get_text(&t, 6, false, &s->source, err);
    }
    if (!rc && !c->nscenarios)
        rc = ag_error_set(err, AG_EPARSE, "%s: no scenario (expected one row per threat)", path);
    table_close(&t);
    return rc < 0 ? rc : 0;
}

static int load_areas(struct ag_catalogue *c, const char *dir, struct ag_error *err)
{
    static const char *const cols[] = {"id", "name", "description"};
    struct table t;
    char path[PATH_MAX];
    size_t cap = 0;
    int rc = table_open(&t, dir, "checklist-areas.csv", cols, 3, path, sizeof path, err);
    while (!rc && (rc = table_row(&t, err)) == 1) {
        struct ag_area *a = push((void **)&c->areas, &c->nareas, &cap, sizeof *a, err);
        if (!a) {
            rc = AG_ENOMEM;
            break;
        }
        rc = get_id(&t, 0, false, &a->id, err);
        if (!rc)
            rc = dup_check(&t, c->areas, c->nareas, sizeof *a, err);
        if (!rc)
            rc = get_text(&t, 1, true, &a->name, err);
        if (!rc)
            rc = get_text(&t, 2, false, &a->description, err);
    }
    if (!rc && !c->nareas)
        rc = ag_error_set(err, AG_EPARSE, "%s: no area", path);
    table_close(&t);
    return rc < 0 ? rc : 0;
}

static int load_measures(struct ag_catalogue *c, const char *dir, struct ag_error *err)
{
    static const char *const cols[] = {"id",
                                       "name",
                                       "description",
                                       "category",
                                       "cost_min_eur",
                                       "cost_max_eur",
                                       "reduces",
                                       "accessibility",
                                       "multifunctionality",
                                       "proportionality",
                                       "sustainability",
                                       "aesthetics",
                                       "source"};
    static const char *const categories[] = {"hvm",      "detection",    "lighting",
                                             "training", "procedures",   "crowd",
                                             "design",   "communication"};
    struct table t;
    char path[PATH_MAX];
    size_t cap = 0;
    int rc = table_open(&t, dir, "measures.csv", cols, 13, path, sizeof path, err);
    while (!rc && (rc = table_row(&t, err)) == 1) {
        struct ag_mitigation *m = push((void **)&c->measures, &c->nmeasures, &cap, sizeof *m, err);
        if (!m) {
            rc = AG_ENOMEM;
            break;
        }
        rc = get_id(&t, 0, false, &m->id, err);
        if (!rc)
            rc = dup_check(&t, c->measures, c->nmeasures, sizeof *m, err);
        if (!rc)
            rc = get_text(&t, 1, true, &m->name, err);
        if (!rc)
            rc = get_text(&t, 2, true, &m->description, err);
        if (!rc) {
            bool known = false;
            for (size_t i = 0; i < sizeof categories / sizeof categories[0]; i++)
                known |= !strcmp(fld(&t, 3), categories[i]);
            if (!known)
                rc = bad(&t, 3, err,
                         "one of hvm, detection, lighting, training, procedures, crowd, design, "
                         "communication");
            else
                rc = get_text(&t, 3, true, &m->category, err);
        }
        if (!rc)
            rc = get_num(&t, 4, 0, 1e9, false, &m->cost_min, err);
        if (!rc)
            rc = get_num(&t, 5, 1, 1e9, false, &m->cost_max, err);
        if (!rc && m->cost_max < m->cost_min)
            rc = bad(&t, 5, err, "a maximum cost not below cost_min_eur");
        if (!rc)
            rc = get_links(&t, 6, c->scenarios, c->nscenarios, sizeof *c->scenarios, "scenario",
                           true, 0.01, 0.99, &m->reduces, &m->nreduces, err);
        for (int k = 0; !rc && k < AG_NQUALITIES; k++)
            rc = get_int(&t, 7 + k, 1, 5, &m->quality[k], err);
        if (!rc)
            rc = get_text(&t, 12, false, &m->source, err);
    }
    if (!rc && !c->nmeasures)
        rc = ag_error_set(err, AG_EPARSE, "%s: no measure", path);
    table_close(&t);
    return rc < 0 ? rc : 0;
}

static int load_questions(struct ag_catalogue *c, const char *dir, struct ag_error *err)
{
    static const char *const cols[] = {"id",       "area",      "question", "why",
                                       "answer_1", "answer_2",  "answer_3", "answer_4",
                                       "answer_5", "scenarios", "measures", "evidence"};
    struct table t;
    char path[PATH_MAX];
    size_t cap = 0;
    int rc = table_open(&t, dir, "checklist.csv", cols, 12, path, sizeof path, err);
    while (!rc && (rc = table_row(&t, err)) == 1) {
        struct ag_question *q = push((void **)&c->questions, &c->nquestions, &cap, sizeof *q, err);
        if (!q) {
            rc = AG_ENOMEM;
            break;
        }
        rc = get_id(&t, 0, true, &q->id, err);
        if (!rc)
            rc = dup_check(&t, c->questions, c->nquestions, sizeof *q, err);
        if (!rc) {
            long a = find_id(fld(&t, 1), c->areas, c->nareas, sizeof *c->areas);
            if (a < 0)
                rc = bad(&t, 1, err, "an area id of checklist-areas.csv");
            q->area = a < 0 ? 0 : (size_t)a;
        }
        if (!rc)
            rc = get_text(&t, 2, true, &q->text, err);
        if (!rc)
            rc = get_text(&t, 3, true, &q->why, err);
        for (int k = 0; !rc && k < AG_LEVELS; k++)
            rc = get_text(&t, 4 + k, true, &q->answer[k], err);
        if (!rc)
            rc = get_links(&t, 9, c->scenarios, c->nscenarios, sizeof *c->scenarios, "scenario",
                           true, 1, 3, &q->scenarios, &q->nscenarios, err);
        if (!rc && !q->nscenarios)
            rc = bad(&t, 9, err, "at least one scenario id:weight");
        if (!rc) {
            struct ag_link *l = NULL;
            size_t n = 0;
            rc = get_links(&t, 10, c->measures, c->nmeasures, sizeof *c->measures, "measure", false,
                           0, 1, &l, &n, err);
            if (!rc && n) {
                q->measures = malloc(n * sizeof *q->measures);
                if (!q->measures)
                    rc = ag_error_set(err, AG_ENOMEM, "out of memory");
                for (size_t i = 0; !rc && i < n; i++)
                    q->measures[i] = l[i].index;
                q->nmeasures = rc ? 0 : n;
            }
            free(l);
        }
        if (!rc) {
            int e = ag__evidence_of(fld(&t, 11));
            if (e < 0)
                rc =
                    bad(&t, 11, err, "nothing, vehicle_impact, crowd_capacity or incident_density");
            else
                q->evidence = (enum ag_evidence)e;
        }
        if (!rc && q->evidence != AG_EVIDENCE_NONE)
            for (size_t i = 0; i + 1 < c->nquestions; i++)
                if (c->questions[i].evidence == q->evidence)
                    rc = bad(&t, 11, err, "an evidence key used by one question only");
    }
    if (!rc && !c->nquestions)
        rc = ag_error_set(err, AG_EPARSE, "%s: no question", path);
    table_close(&t);
    return rc < 0 ? rc : 0;
}

static int load_model(struct ag_catalogue *c, const char *dir, struct ag_error *err)
{
    static const char *const cols[] = {"parameter", "value", "description"};
    struct ag_risk_model *m = &c->model;
    struct {
        const char *name;
        double *at;
        double lo, hi;
    } params[] = {
        {"level_vulnerability_1", &m->level_vulnerability[0], 0, 1},
        {"level_vulnerability_2", &m->level_vulnerability[1], 0, 1},
        {"level_vulnerability_3", &m->level_vulnerability[2], 0, 1},
        {"level_vulnerability_4", &m->level_vulnerability[3], 0, 1},
        {"level_vulnerability_5", &m->level_vulnerability[4], 0, 1},
        {"unanswered_lo", &m->unanswered_lo, 0, 1},
        {"unanswered_hi", &m->unanswered_hi, 0, 1},
        {"answer_uncertainty", &m->answer_uncertainty, 0, 0.5},
        {"threat_uncertainty", &m->threat_uncertainty, 0, 2},
        {"w_symbolic", &m->w_symbolic, 0, 100},
        {"w_crowd", &m->w_crowd, 0, 100},
        {"w_media", &m->w_media, 0, 100},
        {"attractiveness_floor", &m->attractiveness_floor, 0, 1},
        {"people_reference", &m->people_reference, 10, 1e9},
        {"w_people", &m->w_people, 0, 1},
        {"w_critical", &m->w_critical, 0, 1},
        {"likelihood_edge_1", &m->likelihood_edges[0], 0, 1},
        {"likelihood_edge_2", &m->likelihood_edges[1], 0, 1},
        {"likelihood_edge_3", &m->likelihood_edges[2], 0, 1},
        {"likelihood_edge_4", &m->likelihood_edges[3], 0, 1},
        {"impact_edge_1", &m->impact_edges[0], 0, 1},
        {"impact_edge_2", &m->impact_edges[1], 0, 1},
        {"impact_edge_3", &m->impact_edges[2], 0, 1},
        {"impact_edge_4", &m->impact_edges[3], 0, 1},
    };
    enum { NPARAMS = sizeof params / sizeof params[0] };
    bool seen[NPARAMS] = {0};
    struct table t;
    char path[PATH_MAX];
    int rc = table_open(&t, dir, "risk-model.csv", cols, 3, path, sizeof path, err);
    while (!rc && (rc = table_row(&t, err)) == 1) {
        int k = -1;
        for (int i = 0; i < NPARAMS; i++)
            if (!strcmp(fld(&t, 0), params[i].name))
                k = i;
        if (k < 0)
            rc = bad(&t, 0, err, "a parameter of the risk model (see docs/methodology.md §18)");
        else if (seen[k])
            rc = bad(&t, 0, err, "each parameter once (this one is repeated)");
        else {
            seen[k] = true;
            rc = get_num(&t, 1, params[k].lo, params[k].hi, false, params[k].at, err);
        }
    }
    for (int i = 0; !rc && i < NPARAMS; i++)
        if (!seen[i])
            rc = ag_error_set(err, AG_EPARSE, "%s: parameter \"%s\" is missing", path,
                              params[i].name);
    if (!rc) {
        for (int i = 0; i + 1 < AG_LEVELS && !rc; i++)
            if (!(m->level_vulnerability[i] > m->level_vulnerability[i + 1]))
                rc = ag_error_set(err, AG_EPARSE,
                                  "%s: level_vulnerability_1..5 must decrease strictly", path);
        for (int i = 0; i + 1 < 4 && !rc; i++)
            if (!(m->likelihood_edges[i] < m->likelihood_edges[i + 1]) ||
                !(m->impact_edges[i] < m->impact_edges[i + 1]))
                rc = ag_error_set(err, AG_EPARSE,
                                  "%s: the likelihood and impact edges must increase strictly",
                                  path);
        if (!rc && !(m->unanswered_lo <= m->unanswered_hi))
            rc = ag_error_set(err, AG_EPARSE, "%s: unanswered_lo must not exceed unanswered_hi",
                              path);
        if (!rc && !(m->w_symbolic + m->w_crowd + m->w_media > 0))
            rc = ag_error_set(err, AG_EPARSE, "%s: the attractiveness weights sum to 0", path);
        if (!rc && fabs(m->w_people + m->w_critical - 1) > 1e-9)
            rc = ag_error_set(err, AG_EPARSE,
                              "%s: w_people + w_critical must be 1 (they are %g + %g)", path,
                              m->w_people, m->w_critical);
    }
    table_close(&t);
    return rc < 0 ? rc : 0;
}

int ag_catalogue_load(const char *dir, struct ag_catalogue **out, struct ag_error *err)
{
    *out = NULL;
    if (!dir)
        dir = ag_data_dir();
    struct ag_catalogue *c = calloc(1, sizeof *c);
    if (!c)
        return ag_error_set(err, AG_ENOMEM, "out of memory");
    int rc = load_scenarios(c, dir, err);
    if (!rc)
        rc = load_areas(c, dir, err);
    if (!rc)
        rc = load_measures(c, dir, err);
    if (!rc)
        rc = load_questions(c, dir, err);
    if (!rc)
        rc = load_model(c, dir, err);
    if (rc) {
        ag_catalogue_free(c);
        return rc;
    }
    *out = c;
    return 0;
}

void ag_catalogue_free(struct ag_catalogue *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->nscenarios; i++) {
        struct ag_scenario *s = &c->scenarios[i];
        free(s->id), free(s->code), free(s->name), free(s->description), free(s->source);
    }
    for (size_t i = 0; i < c->nareas; i++)
        free(c->areas[i].id), free(c->areas[i].name), free(c->areas[i].description);
    for (size_t i = 0; i < c->nquestions; i++) {
        struct ag_question *q = &c->questions[i];
        free(q->id), free(q->text), free(q->why), free(q->scenarios), free(q->measures);
        for (int k = 0; k < AG_LEVELS; k++)
            free(q->answer[k]);
    }
    for (size_t i = 0; i < c->nmeasures; i++) {
        struct ag_mitigation *m = &c->measures[i];
        free(m->id), free(m->name), free(m->description), free(m->category), free(m->source);
        free(m->reduces);
    }
    free(c->scenarios), free(c->areas), free(c->questions), free(c->measures);
    free(c);
}

long ag_catalogue_scenario(const struct ag_catalogue *c, const char *id)
{
    return id ? find_id(id, c->scenarios, c->nscenarios, sizeof *c->scenarios) : -1;
}

long ag_catalogue_question(const struct ag_catalogue *c, const char *id)
{
    return id ? find_id(id, c->questions, c->nquestions, sizeof *c->questions) : -1;
}

long ag_catalogue_measure(const struct ag_catalogue *c, const char *id)
{
    return id ? find_id(id, c->measures, c->nmeasures, sizeof *c->measures) : -1;
}
