/* Unit tests for agora/incidents.h: spatial weights, Getis-Ord Gi/Gi*,
 * Benjamini-Hochberg, Moran's I, nearest neighbours and Clark-Evans, the
 * Knox test and near-repeat tables.
 *
 * Every expected number is either a published reference value (listed in
 * the team's REFERENCE-VALUES.md (copied data in tests/data/) and cited at each test: pysal/esda,
 * pysal/pointpats, R spdep, the Near Repeat Calculator 1.3) or computed
 * another way in the test itself: a brute-force pair loop, an exhaustive
 * enumeration of permutations, or a hand calculation. The data files are
 * copies under tests/data/ (see the README next to each).
 * SPDX-License-Identifier: EUPL-1.2 */
/* cmocka.h needs these four first, in this order. */
/* clang-format off */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
/* clang-format on */

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agora/incidents.h"
#include "incidents/incidents_int.h"

#define assert_near(actual, expected, tol)                                                         \
    do {                                                                                           \
        double a_ = (actual), e_ = (expected), t_ = (tol);                                         \
        if (!(fabs(a_ - e_) <= t_))                                                                \
            fail_msg("%s = %.17g, expected %.17g within %g", #actual, a_, e_, t_);                 \
    } while (0)

/* Runs call, which may use e_ as its struct ag_error, and fails the test
 * with the library's message when it does not return 0. */
#define assert_ok(call)                                                                            \
    do {                                                                                           \
        struct ag_error e_ = {0};                                                                  \
        int rc_ = (call);                                                                          \
        if (rc_ != 0)                                                                              \
            fail_msg("%s failed: %s: %s", #call, ag_errname(rc_), e_.msg);                         \
    } while (0)

/* ---- fixtures ---- */

static const char *data_path(const char *rel)
{
    static char path[4096];
    const char *root = getenv("AGORA_SOURCE_DIR");
    snprintf(path, sizeof path, "%s/tests/data/%s", root ? root : ".", rel);
    return path;
}

static char *slurp(const char *rel, size_t *len)
{
    struct ag_buf b;
    struct ag_error err = {0};
    ag_buf_init(&b, 1 << 24);
    if (ag_file_read(data_path(rel), &b, &err) != 0)
        fail_msg("cannot read %s: %s", data_path(rel), err.msg);
    *len = b.len;
    return ag_buf_take(&b);
}

/* Days since 1970-01-01 of a proleptic Gregorian date: the civil-from-days
 * inversion of the 400-year cycle (146097 days), written here so that the
 * test does not depend on the time zone of the machine. */
static double days_from_civil(int y, int m, int d)
{
    y -= m <= 2;
    int era = (y >= 0 ? y : y - 399) / 400;
    int yoe = y - era * 400;
    int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return (double)era * 146097 + doe - 719468;
}

struct events {
    struct ag_xy *pts;
    double *t;
    size_t n;
};

static void events_free(struct events *ev)
{
    free(ev->pts);
    free(ev->t);
}

static void events_push(struct events *ev, size_t *cap, double x, double y, double t)
{
    if (ev->n == *cap) {
        *cap = *cap ? *cap * 2 : 256;
        ev->pts = realloc(ev->pts, *cap * sizeof *ev->pts);
        ev->t = realloc(ev->t, *cap * sizeof *ev->t);
        assert_non_null(ev->pts);
        assert_non_null(ev->t);
    }
    ev->pts[ev->n] = (struct ag_xy){x, y};
    ev->t[ev->n] = t;
    ev->n++;
}

/* burkitt.csv: ID,X,Y,T,AGE,DATE; we take X, Y and T (days). */
static struct events load_burkitt(void)
{
    size_t len, cap = 0;
    char *text = slurp("incidents/burkitt/burkitt.csv", &len);
    struct events ev = {0};
    char *save = NULL;
    char *line = strtok_r(text, "\n", &save);
    assert_non_null(line);
    assert_int_equal(strncmp(line, "ID,X,Y,T,", 9), 0);
    while ((line = strtok_r(NULL, "\n", &save))) {
        int id;
        double x, y, t;
        if (sscanf(line, "%d,%lf,%lf,%lf,", &id, &x, &y, &t) != 4)
            fail_msg("bad burkitt line: %s", line);
        events_push(&ev, &cap, x, y, t);
    }
    free(text);
    return ev;
}

/* chicago_be_month1.csv: X,Y,YYYY-MM-DD without a header. */
static struct events load_chicago_month1(void)
{
    size_t len, cap = 0;
    char *text = slurp("incidents/near_repeat_calculator_reference/chicago_be_month1.csv", &len);
    struct events ev = {0};
    char *save = NULL;
    for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        double x, y;
        int yy, mm, dd;
        if (sscanf(line, "%lf,%lf,%d-%d-%d", &x, &y, &yy, &mm, &dd) != 5)
            fail_msg("bad chicago line: %s", line);
        events_push(&ev, &cap, x, y, days_from_civil(yy, mm, dd));
    }
    free(text);
    return ev;
}

/* A dBase III reader for one numeric column (the .dbf of the Columbus
 * shapefile): 32-byte header (record count at 4, header length at 8, record
 * length at 10), 32-byte field descriptors up to a 0x0D byte, then fixed
 * records that start with a deletion flag. */
static double *dbf_column(const char *rel, const char *field, size_t *nrec)
{
    size_t len;
    unsigned char *d = (unsigned char *)slurp(rel, &len);
    assert_true(len >= 32);
    uint32_t n = d[4] | d[5] << 8 | d[6] << 16 | (uint32_t)d[7] << 24;
    size_t hlen = d[8] | d[9] << 8, rlen = d[10] | d[11] << 8;
    size_t off = 1, flen = 0;
    bool found = false;
    for (size_t p = 32; p + 32 <= hlen && d[p] != 0x0D; p += 32) {
        if (strncmp((const char *)d + p, field, 11) == 0) {
            flen = d[p + 16];
            found = true;
            break;
        }
        off += d[p + 16];
    }
    assert_true(found);
    assert_true(hlen + (size_t)n * rlen <= len);
    double *v = malloc(n * sizeof *v);
    for (uint32_t r = 0; r < n; r++) {
        char buf[64] = {0};
        memcpy(buf, d + hlen + (size_t)r * rlen + off, flen < 63 ? flen : 63);
        if (!ag_parse_double(buf, &v[r]))
            fail_msg("%s: record %u field %s: '%s'", rel, r + 1, field, buf);
    }
    free(d);
    *nrec = n;
    return v;
}

/* Columbus CRIME in the unit order of columbus.gal, whose ids are the
 * POLYID of the .dbf records. */
static double *columbus_crime_in_gal_order(const struct ag_incidents_weights *w)
{
    size_t n1, n2;
    double *crime = dbf_column("columbus/columbus.dbf", "CRIME", &n1);
    double *polyid = dbf_column("columbus/columbus.dbf", "POLYID", &n2);
    assert_int_equal(n1, 49);
    assert_int_equal(n2, 49);
    assert_int_equal(w->n, 49);
    double *x = malloc(49 * sizeof *x);
    for (size_t r = 0; r < 49; r++) {
        char id[32];
        size_t idx;
        snprintf(id, sizeof id, "%.0f", polyid[r]);
        assert_int_equal(ag_incidents_weights_find(w, id, &idx), 0);
        x[idx] = crime[r];
    }
    free(crime);
    free(polyid);
    return x;
}

static void load_columbus(struct ag_incidents_weights *w, double **x)
{
    struct ag_error err = {0};
    const char *path = data_path("columbus/columbus.gal");
    if (ag_incidents_weights_load_gal(path, w, &err) != 0)
        fail_msg("%s", err.msg);
    *x = columbus_crime_in_gal_order(w);
}

/* Deterministic test points: a linear congruential generator (Knuth's
 * MMIX constants), independent of the library's generator. */
static uint64_t lcg_state;
static double lcg_uniform(void)
{
    lcg_state = lcg_state * 6364136223846793005u + 1442695040888963407u;
    return (double)(lcg_state >> 11) * (1.0 / 9007199254740992.0);
}

/* ---- random numbers ---- */

/* splitmix64 with seed 1234567: the first outputs listed with the reference
 * implementation (Vigna, prng.di.unimi.it/splitmix64.c; also Java's
 * SplittableRandom tests). xoshiro256** from the state {1, 2, 3, 4}: worked
 * out by hand from the recurrence (11520 = rotl(2·5, 7)·9, then 0, then
 * 1509978240). */
static void test_rng_known_answers(void **state)
{
    (void)state;
    uint64_t sm = 1234567;
    assert_true(ag__splitmix64(&sm) == 6457827717110365317u);
    assert_true(ag__splitmix64(&sm) == 3203168211198807973u);
    assert_true(ag__splitmix64(&sm) == 9817491932198370423u);
    struct ag_rng r = {{1, 2, 3, 4}};
    assert_true(ag_rng_next(&r) == 11520u);
    assert_true(ag_rng_next(&r) == 0u);
    assert_true(ag_rng_next(&r) == 1509978240u);
}

static void test_rng_below_is_uniform_and_in_range(void **state)
{
    (void)state;
    struct ag_rng r;
    ag_rng_seed(&r, 42);
    unsigned counts[7] = {0};
    const unsigned draws = 70000;
    for (unsigned i = 0; i < draws; i++) {
        uint32_t v = ag_rng_below(&r, 7);
        assert_true(v < 7);
        counts[v]++;
    }
    /* Each count is Binomial(70000, 1/7): sd ≈ 92; 5 sd is a safe bound. */
    for (int k = 0; k < 7; k++)
        assert_near(counts[k], draws / 7.0, 5 * 92.6);
    assert_int_equal(ag_rng_below(&r, 1), 0);
}

/* ---- weights ---- */

static void test_band_weights_match_brute_force(void **state)
{
    (void)state;
    lcg_state = 7;
    enum { N = 700 };
    struct ag_xy pts[N];
    for (int i = 0; i < N; i++) {
        pts[i] = (struct ag_xy){lcg_uniform() * 1000, lcg_uniform() * 500};
        if (i % 50 == 49)
            pts[i] = pts[i - 1]; /* duplicates */
    }
    pts[10] = (struct ag_xy){100, 100};
    pts[11] = (struct ag_xy){130, 140}; /* exactly 50 apart: inclusive */
    struct ag_incidents_weights w = {0};
    assert_ok(ag_incidents_weights_band(pts, N, 50, false, &w, &e_));
    size_t links = 0;
    for (int i = 0; i < N; i++) {
        size_t k = w.start[i];
        for (int j = 0; j < N; j++) {
            double dx = pts[i].x - pts[j].x, dy = pts[i].y - pts[j].y;
            if (j == i || !(sqrt(dx * dx + dy * dy) <= 50))
                continue;
            assert_true(k < w.start[i + 1]);
            assert_int_equal(w.nbr[k], j);
            assert_true(w.w[k] == 1.0);
            k++;
            links++;
        }
        assert_int_equal(k, w.start[i + 1]);
    }
    assert_int_equal(links, w.start[N]);
    ag_incidents_weights_free(&w);

    /* With self: one more entry per row, at its sorted place. */
    assert_ok(ag_incidents_weights_band(pts, N, 50, true, &w, &e_));
    assert_int_equal(w.start[N], links + N);
    for (int i = 0; i < N; i++) {
        int self = 0;
        for (size_t k = w.start[i]; k < w.start[i + 1]; k++) {
            self += w.nbr[k] == (size_t)i;
            if (k > w.start[i])
                assert_true(w.nbr[k - 1] < w.nbr[k]);
        }
        assert_int_equal(self, 1);
    }
    ag_incidents_weights_free(&w);
}

static void test_band_weights_reject_bad_input(void **state)
{
    (void)state;
    struct ag_xy pts[2] = {{0, 0}, {NAN, 1}};
    struct ag_incidents_weights w = {0};
    struct ag_error err = {0};
    assert_int_equal(ag_incidents_weights_band(pts, 2, 0, false, &w, &err), AG_EINVAL);
    assert_non_null(strstr(err.msg, "band"));
    assert_int_equal(ag_incidents_weights_band(pts, 2, INFINITY, false, &w, &err), AG_EINVAL);
    assert_int_equal(ag_incidents_weights_band(pts, 2, 10, false, &w, &err), AG_EINVAL);
    assert_non_null(strstr(err.msg, "point 2"));
    assert_int_equal(ag_incidents_weights_band(pts, 0, 10, false, &w, &err), AG_EINVAL);
}

static void test_set_self_and_row_standardise(void **state)
{
    (void)state;
    struct ag_incidents_weights w = {0}, b = {0};
    assert_ok(ag_incidents_weights_lattice(3, 4, true, &w, &e_));
    /* Queen 3 × 4: corners 3 links, edges 5, inner cells 8. */
    assert_int_equal(w.start[1] - w.start[0], 3);
    assert_int_equal(w.start[2] - w.start[1], 5);
    assert_int_equal(w.start[6] - w.start[5], 8);
    assert_ok(ag_incidents_weights_set_self(&w, 1.0, &e_));
    assert_ok(ag_incidents_weights_set_self(&w, 2.0, &e_)); /* replaces */
    assert_int_equal(w.start[12], 4 * 3 + 6 * 5 + 2 * 8 + 12);
    for (size_t i = 0; i < w.n; i++) {
        double self = 0;
        for (size_t k = w.start[i]; k < w.start[i + 1]; k++) {
            if (k > w.start[i])
                assert_true(w.nbr[k - 1] < w.nbr[k]);
            if (w.nbr[k] == i)
                self = w.w[k];
        }
        assert_true(self == 2.0);
    }
    assert_int_equal(ag_incidents_weights_transform(&w, AG_INCIDENTS_W_ROW), 0);
    for (size_t i = 0; i < w.n; i++) {
        double sum = 0;
        for (size_t k = w.start[i]; k < w.start[i + 1]; k++)
            sum += w.w[k];
        assert_near(sum, 1.0, 1e-15);
    }
    assert_int_equal(ag_incidents_weights_transform(&w, AG_INCIDENTS_W_BINARY), 0);
    for (size_t k = 0; k < w.start[w.n]; k++)
        assert_true(w.w[k] == 1.0);

    /* Self-weights on band weights equal band weights built with self. */
    struct ag_xy pts[6] = {{10, 10}, {20, 10}, {40, 10}, {15, 20}, {30, 20}, {30, 30}};
    ag_incidents_weights_free(&w);
    assert_ok(ag_incidents_weights_band(pts, 6, 15, false, &w, &e_));
    assert_ok(ag_incidents_weights_set_self(&w, 1.0, &e_));
    assert_ok(ag_incidents_weights_band(pts, 6, 15, true, &b, &e_));
    assert_int_equal(w.start[6], b.start[6]);
    assert_memory_equal(w.start, b.start, 7 * sizeof *w.start);
    assert_memory_equal(w.nbr, b.nbr, b.start[6] * sizeof *w.nbr);
    ag_incidents_weights_free(&w);
    ag_incidents_weights_free(&b);
}

/* ---- GAL files ---- */

static void test_gal_columbus_queen(void **state)
{
    (void)state;
    struct ag_incidents_weights w = {0};
    struct ag_error err = {0};
    int rc = ag_incidents_weights_load_gal(data_path("columbus/columbus.gal"), &w, &err);
    if (rc)
        fail_msg("%s", err.msg);
    /* README of the Columbus data: 49 units, 236 directed links, symmetric. */
    assert_int_equal(w.n, 49);
    assert_int_equal(w.start[49], 236);
    for (size_t i = 0; i < w.n; i++) {
        for (size_t k = w.start[i]; k < w.start[i + 1]; k++) {
            size_t j = w.nbr[k];
            bool back = false;
            for (size_t m = w.start[j]; m < w.start[j + 1]; m++)
                back |= w.nbr[m] == i;
            assert_true(back);
        }
    }
    /* First records of the file: "1 2 / 2 3" and "2 3 / 3 1 4"... */
    size_t u1, u2, u3;
    assert_int_equal(ag_incidents_weights_find(&w, "1", &u1), 0);
    assert_int_equal(ag_incidents_weights_find(&w, "2", &u2), 0);
    assert_int_equal(ag_incidents_weights_find(&w, "3", &u3), 0);
    assert_int_equal(w.start[u1 + 1] - w.start[u1], 2);
    assert_int_equal(ag_incidents_weights_find(&w, "50", &u1), AG_ENOTFOUND);
    ag_incidents_weights_free(&w);
}

static void test_gal_accepts_header_variants_islands_and_crlf(void **state)
{
    (void)state;
    const char *text = "0 4 lattice POLY_ID\r\n"
                       "a 1\r\n"
                       "b\r\n"
                       "b 2\r\n"
                       "a c\r\n"
                       "island 0\r\n"
                       "\r\n"
                       "c 1\r\n"
                       "b\r\n";
    struct ag_incidents_weights w = {0};
    struct ag_error err = {0};
    int rc = ag_incidents_weights_read_gal(text, strlen(text), "t.gal", &w, &err);
    if (rc)
        fail_msg("%s", err.msg);
    assert_int_equal(w.n, 4);
    assert_string_equal(w.ids[2], "island");
    assert_int_equal(w.start[3] - w.start[2], 0);
    assert_int_equal(w.start[2] - w.start[1], 2);
    assert_int_equal(w.nbr[w.start[1]], 0); /* b's neighbours sorted: a (0), c (3) */
    assert_int_equal(w.nbr[w.start[1] + 1], 3);
    ag_incidents_weights_free(&w);
}

static void test_gal_rejects_malformed_files_with_file_and_line(void **state)
{
    (void)state;
    struct {
        const char *text;
        int code;
        const char *msg; /* must appear in the message */
    } cases[] = {
        {"", AG_EPARSE, "t.gal: empty file"},
        {"\n  \n", AG_EPARSE, "t.gal: empty file"},
        {"x\n", AG_EPARSE, "t.gal:1: the number of units"},
        {"0\n", AG_EPARSE, "t.gal:1: the number of units"},
        {"-3\n", AG_EPARSE, "t.gal:1:"},
        {"1 4 shp id\n", AG_EPARSE, "t.gal:1: expected a header"},
        {"99999999999999999999999\n", AG_EPARSE, "t.gal:1:"},
        {"20000000\n", AG_ELIMIT, "t.gal:1: 20000000 units exceed"},
        {"2\n1 1\n2\n", AG_EPARSE, "t.gal:3: end of file after 1 of the 2 units"},
        {"2\n1 x\n2\n2 1\n1\n", AG_EPARSE, "t.gal:2: neighbour count of unit '1'"},
        {"2\n1 1 7\n2\n", AG_EPARSE, "t.gal:2: expected \"unit-id neighbour-count\""},
        {"2\n1 2\n2 2\n", AG_EPARSE, "t.gal:2: unit '1' has 2 neighbours but there are only 1"},
        {"3\n1 2\n2\n", AG_EPARSE, "t.gal:3: unit '1' (line 2) announces 2 neighbours"},
        {"2\n1 1\n", AG_EPARSE, "t.gal:2: end of file where the 1 neighbours of unit '1'"},
        {"2\n1 1\n2\n1 1\n2\n", AG_EPARSE, "t.gal:4: unit '1' already appears on line 2"},
        {"2\n1 1\n3\n2 1\n1\n", AG_EPARSE, "t.gal:3: neighbour '3' of unit '1' is not a unit"},
        {"2\n1 1\n1\n2 1\n1\n", AG_EPARSE, "t.gal:3: unit '1' lists itself"},
        {"3\n1 2\n2 2\n2 1\n1\n3 0\n", AG_EPARSE, "t.gal:3: unit '1' lists neighbour '2' twice"},
        {"1\n1 0\n2 0\n", AG_EPARSE, "t.gal:3: more records than the 1 units"},
        {"2\n1 1\n2\n2 1\n1\n\n\n7 0\n", AG_EPARSE, "t.gal:8: more records"},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        struct ag_incidents_weights w = {0};
        struct ag_error err = {0};
        int rc =
            ag_incidents_weights_read_gal(cases[c].text, strlen(cases[c].text), "t.gal", &w, &err);
        if (rc != cases[c].code || !strstr(err.msg, cases[c].msg))
            fail_msg("case %zu: rc %s, message '%s', expected %s '%s'", c, ag_errname(rc), err.msg,
                     ag_errname(cases[c].code), cases[c].msg);
        assert_null(w.start);
    }
    /* A NUL byte and an over-long id. */
    const char nul[] = "2\n1 1\n2\0\n2 1\n1\n";
    struct ag_incidents_weights w = {0};
    struct ag_error err = {0};
    assert_int_equal(ag_incidents_weights_read_gal(nul, sizeof nul - 1, "t.gal", &w, &err),
                     AG_EPARSE);
    assert_non_null(strstr(err.msg, "t.gal:3: NUL byte"));
    char longid[600] = "1\n";
    memset(longid + 2, 'a', 300);
    strcpy(longid + 302, " 0\n");
    assert_int_equal(ag_incidents_weights_read_gal(longid, strlen(longid), "t.gal", &w, &err),
                     AG_ELIMIT);
    assert_non_null(strstr(err.msg, "t.gal:2: unit id longer"));
    assert_int_equal(ag_incidents_weights_load_gal(data_path("no/such.gal"), &w, &err), AG_ENOENT);
}

/* ---- Getis-Ord ---- */

static const struct ag_xy ESDA_PTS[6] = {{10, 10}, {20, 10}, {40, 10},
                                         {15, 20}, {30, 20}, {30, 30}};
static const double ESDA_Y[6] = {2, 3, 3.2, 5, 8, 7};

/* pysal/esda esda/tests/test_getisord.py (REFERENCE-VALUES.md): binary
 * distance band 15, Gi without self. */
static void test_gi_esda_six_points(void **state)
{
    (void)state;
    static const double expect[6] = {-1.0136729,  -0.04361589, 1.31558703,
                                     -0.31412676, 1.15373986,  1.77833941};
    struct ag_incidents_weights w = {0};
    double z[6];
    assert_ok(ag_incidents_weights_band(ESDA_PTS, 6, 15, false, &w, &e_));
    assert_ok(ag_incidents_getis_ord(&w, ESDA_Y, false, z, &e_));
    for (int i = 0; i < 6; i++)
        assert_near(z[i], expect[i], 1e-6);
    /* Gi ignores self-weights: the same numbers from weights that have them. */
    ag_incidents_weights_free(&w);
    assert_ok(ag_incidents_weights_band(ESDA_PTS, 6, 15, true, &w, &e_));
    assert_ok(ag_incidents_getis_ord(&w, ESDA_Y, false, z, &e_));
    for (int i = 0; i < 6; i++)
        assert_near(z[i], expect[i], 1e-6);
    ag_incidents_weights_free(&w);
}

/* Same source: Gi* with self-weight 1. */
static void test_gi_star_esda_six_points(void **state)
{
    (void)state;
    static const double expect[6] = {-1.39727626, -0.28917762, 0.65064964,
                                     -0.28917762, 1.23452088,  2.02424331};
    struct ag_incidents_weights w = {0};
    double z[6];
    assert_ok(ag_incidents_weights_band(ESDA_PTS, 6, 15, true, &w, &e_));
    assert_ok(ag_incidents_getis_ord(&w, ESDA_Y, true, z, &e_));
    for (int i = 0; i < 6; i++)
        assert_near(z[i], expect[i], 1e-6);
    ag_incidents_weights_free(&w);
}

/* On a regular graph (every unit the same number of neighbours, symmetric
 * binary weights) the Gi* numerators sum to Σ_j x_j colsum_j − X̄ Σ_i W_i =
 * 0 and all denominators are equal, so the z-scores sum to 0. Also: z is
 * unchanged by x → a x + b (a > 0) and changes sign with x → −x. */
static void test_gi_star_sums_to_zero_on_regular_graph_and_is_affine_invariant(void **state)
{
    (void)state;
    enum { N = 24 };
    struct ag_xy pts[N];
    double x[N], y[N], z[N], zy[N];
    lcg_state = 99;
    for (int i = 0; i < N; i++) {
        double a = 2 * M_PI * i / N;
        pts[i] = (struct ag_xy){100 * cos(a), 100 * sin(a)};
        x[i] = floor(lcg_uniform() * 20);
    }
    /* Chord to the second neighbour: 2 · 100 · sin(2π/24) = 51.76. */
    struct ag_incidents_weights w = {0};
    assert_ok(ag_incidents_weights_band(pts, N, 52, true, &w, &e_));
    for (int i = 0; i < N; i++)
        assert_int_equal(w.start[i + 1] - w.start[i], 5);
    assert_ok(ag_incidents_getis_ord(&w, x, true, z, &e_));
    double sum = 0;
    for (int i = 0; i < N; i++)
        sum += z[i];
    assert_near(sum, 0, 1e-12);
    for (int i = 0; i < N; i++)
        y[i] = 3.5 * x[i] + 1000;
    assert_ok(ag_incidents_getis_ord(&w, y, true, zy, &e_));
    for (int i = 0; i < N; i++)
        assert_near(zy[i], z[i], 1e-10);
    for (int i = 0; i < N; i++)
        y[i] = -x[i];
    assert_ok(ag_incidents_getis_ord(&w, y, true, zy, &e_));
    for (int i = 0; i < N; i++)
        assert_near(zy[i], -z[i], 1e-12);
    ag_incidents_weights_free(&w);
}

static void test_gi_undefined_cases_are_nan(void **state)
{
    (void)state;
    struct ag_xy pts[4] = {{0, 0}, {1, 0}, {2, 0}, {100, 0}};
    double x[4] = {1, 2, 3, 4}, z[4];
    struct ag_incidents_weights w = {0};
    assert_ok(ag_incidents_weights_band(pts, 4, 1.5, true, &w, &e_));
    assert_ok(ag_incidents_getis_ord(&w, x, false, z, &e_));
    assert_true(isnan(z[3])); /* island */
    assert_false(isnan(z[1]));
    double c[4] = {5, 5, 5, 5};
    assert_ok(ag_incidents_getis_ord(&w, c, true, z, &e_));
    for (int i = 0; i < 4; i++)
        assert_true(isnan(z[i]));
    double p[4];
    assert_ok(ag_incidents_getis_ord_perm(&w, x, false, 99, 1, p, &e_));
    assert_true(p[3] == 1.0);
    x[2] = NAN;
    struct ag_error err = {0};
    assert_int_equal(ag_incidents_getis_ord(&w, x, true, z, &err), AG_EINVAL);
    assert_non_null(strstr(err.msg, "value 3"));
    ag_incidents_weights_free(&w);
}

/* The permutation p-values against an exact enumeration: for the six-point
 * Gi*, unit i keeps x_i and its k_i neighbours take every k_i-subset of
 * the five other values with equal chance (binary weights: order does not
 * matter). With q = P(lag >= observed) the folded p-value estimates
 * min(q, 1 − q) (+ 1 / (nperm + 1)). */
static void test_gi_perm_matches_exact_conditional_distribution(void **state)
{
    (void)state;
    struct ag_incidents_weights w = {0};
    assert_ok(ag_incidents_weights_band(ESDA_PTS, 6, 15, true, &w, &e_));
    const unsigned nperm = 99999;
    double p[6];
    assert_ok(ag_incidents_getis_ord_perm(&w, ESDA_Y, true, nperm, 12345, p, &e_));
    for (size_t i = 0; i < 6; i++) {
        size_t k = 0;
        double obs = 0;
        for (size_t e = w.start[i]; e < w.start[i + 1]; e++) {
            obs += ESDA_Y[w.nbr[e]];
            k += w.nbr[e] != i;
        }
        double others[5];
        size_t m = 0;
        for (size_t j = 0; j < 6; j++)
            if (j != i)
                others[m++] = ESDA_Y[j];
        unsigned total = 0, ge = 0;
        for (unsigned mask = 0; mask < 32; mask++) {
            if ((size_t)__builtin_popcount(mask) != k)
                continue;
            double lag = ESDA_Y[i];
            for (int b = 0; b < 5; b++)
                if (mask & (1u << b))
                    lag += others[b];
            total++;
            ge += lag >= obs - 1e-12;
        }
        double q = (double)ge / total, expect = fmin(q, 1 - q);
        double sd = sqrt(q * (1 - q) / nperm);
        assert_near(p[i], expect + 1.0 / (nperm + 1), 5 * sd + 2.0 / nperm);
    }
    ag_incidents_weights_free(&w);
}

static void test_gi_perm_reproducible_and_in_unit_interval(void **state)
{
    (void)state;
    struct ag_incidents_weights w = {0};
    assert_ok(ag_incidents_weights_lattice(10, 10, true, &w, &e_));
    assert_ok(ag_incidents_weights_set_self(&w, 1, &e_));
    double x[100], p1[100], p2[100], p3[100], z[100];
    lcg_state = 5;
    for (int i = 0; i < 100; i++)
        x[i] = floor(lcg_uniform() * 5);
    /* A planted hotspot around cell (4, 4). */
    for (int r = 3; r <= 5; r++)
        for (int c = 3; c <= 5; c++)
            x[r * 10 + c] = 20;
    assert_ok(ag_incidents_getis_ord_perm(&w, x, true, AG_INCIDENTS_NPERM_DEFAULT, 2024, p1, &e_));
    assert_ok(ag_incidents_getis_ord_perm(&w, x, true, AG_INCIDENTS_NPERM_DEFAULT, 2024, p2, &e_));
    assert_ok(ag_incidents_getis_ord_perm(&w, x, true, AG_INCIDENTS_NPERM_DEFAULT, 2025, p3, &e_));
    assert_memory_equal(p1, p2, sizeof p1);
    assert_memory_not_equal(p1, p3, sizeof p1);
    for (int i = 0; i < 100; i++) {
        assert_true(p1[i] > 0 && p1[i] <= 1);
        assert_true(p1[i] >= 1.0 / 1000);
    }
    assert_ok(ag_incidents_getis_ord(&w, x, true, z, &e_));
    assert_true(z[44] > 3);
    assert_near(p1[44], 1.0 / 1000, 1e-15); /* no permutation beats the planted centre */
    struct ag_error err = {0};
    assert_int_equal(ag_incidents_getis_ord_perm(&w, x, true, 0, 1, p1, &err), AG_EINVAL);
    ag_incidents_weights_free(&w);
}

/* ---- Benjamini-Hochberg ---- */

static void test_fdr_bh_hand_example_and_properties(void **state)
{
    (void)state;
    /* By hand: sorted p 0.005, 0.01, 0.03, 0.04; n p_(k) / k = 0.02, 0.02,
     * 0.04, 0.04; running minimum from the top leaves them as they are. */
    double p[5] = {0.01, 0.04, 0.03, 0.005, 0.9}, q[5];
    assert_ok(ag_incidents_fdr_bh(p, 5, q, &e_));
    /* n = 5: 5·0.005/1 = 0.025, 5·0.01/2 = 0.025, 5·0.03/3 = 0.05,
     * 5·0.04/4 = 0.05, 5·0.9/5 = 0.9. */
    assert_near(q[3], 0.025, 1e-15);
    assert_near(q[0], 0.025, 1e-15);
    assert_near(q[2], 0.05, 1e-15);
    assert_near(q[1], 0.05, 1e-15);
    assert_near(q[4], 0.9, 1e-15);
    /* A case where the step-up minimum matters: 4 · 0.03 / 3 = 0.04 is beaten
     * by nothing, but 4 · 0.02 / 1 = 0.08 is lowered to 0.04 by rank 3. */
    double p2[4] = {0.02, 0.029, 0.03, 0.5}, q2[4];
    assert_ok(ag_incidents_fdr_bh(p2, 4, q2, &e_));
    assert_near(q2[0], 0.04, 1e-15);
    assert_near(q2[1], 0.04, 1e-15);
    assert_near(q2[2], 0.04, 1e-15);
    assert_near(q2[3], 0.5, 1e-15);

    enum { N = 500 };
    double pr[N], qr[N];
    lcg_state = 3;
    for (int i = 0; i < N; i++)
        pr[i] = i % 7 == 0 ? pr[i > 0 ? i - 1 : 0] : pow(lcg_uniform(), 3); /* with ties */
    assert_ok(ag_incidents_fdr_bh(pr, N, qr, &e_));
    for (int i = 0; i < N; i++) {
        assert_true(qr[i] >= pr[i]);
        assert_true(qr[i] <= 1);
        for (int j = 0; j < N; j++)
            if (pr[i] <= pr[j])
                assert_true(qr[i] <= qr[j]);
    }
    /* In place. */
    memcpy(qr, pr, sizeof pr);
    assert_ok(ag_incidents_fdr_bh(qr, N, qr, &e_));
    double check[N];
    assert_ok(ag_incidents_fdr_bh(pr, N, check, &e_));
    assert_memory_equal(qr, check, sizeof check);
    struct ag_error err = {0};
    double bad[2] = {0.5, 1.5};
    assert_int_equal(ag_incidents_fdr_bh(bad, 2, q, &err), AG_EINVAL);
    assert_non_null(strstr(err.msg, "p-value 2"));
}

/* ---- Moran's I ---- */

/* R spdep moran.test(columbus$CRIME, nb2listw(queen, style = "W")) and the
 * Columbus README's recomputation (REFERENCE-VALUES.md). */
static void test_moran_columbus_row_standardised(void **state)
{
    (void)state;
    struct ag_incidents_weights w = {0};
    double *x;
    load_columbus(&w, &x);
    assert_int_equal(ag_incidents_weights_transform(&w, AG_INCIDENTS_W_ROW), 0);
    struct ag_incidents_moran m;
    assert_ok(ag_incidents_moran_global(&w, x, &m, &e_));
    assert_near(m.I, 0.500188557, 1e-9);
    assert_near(m.EI, -0.020833333, 1e-9);
    assert_near(m.var_rand, 0.008689289, 1e-9);
    assert_near(m.z_rand, 5.5894, 1e-4);
    assert_near(m.z_rand, 5.589383, 1e-6);
    assert_near(m.var_norm, 0.00856341, 1e-8);
    assert_near(m.z_norm, 5.630313, 1e-6);
    free(x);
    ag_incidents_weights_free(&w);
}

/* Columbus README: binary queen weights. */
static void test_moran_columbus_binary(void **state)
{
    (void)state;
    struct ag_incidents_weights w = {0};
    double *x;
    load_columbus(&w, &x);
    struct ag_incidents_moran m;
    assert_ok(ag_incidents_moran_global(&w, x, &m, &e_));
    assert_near(m.I, 0.5154614369, 1e-10);
    assert_near(m.var_norm, 0.00734977, 1e-8);
    assert_near(m.var_rand, 0.00745439, 1e-8);
    assert_near(m.z_norm, 6.255565, 1e-6);
    assert_near(m.z_rand, 6.211513, 1e-6);
    assert_near(m.s0, 236, 0);
    free(x);
    ag_incidents_weights_free(&w);
}

/* 3 × 3 rook lattice, y = 1..9, binary (REFERENCE-VALUES.md), from the
 * lattice builder and from the same lattice written as a GAL file. */
static void test_moran_lattice_3x3_rook(void **state)
{
    (void)state;
    double y[9] = {1, 2, 3, 4, 5, 6, 7, 8, 9};
    struct ag_incidents_weights w = {0}, g = {0};
    assert_ok(ag_incidents_weights_lattice(3, 3, false, &w, &e_));
    struct ag_incidents_moran m, mg;
    assert_ok(ag_incidents_moran_global(&w, y, &m, &e_));
    assert_near(m.I, 0.5, 1e-14);
    assert_near(m.EI, -0.125, 1e-15);
    assert_near(m.var_rand, 0.0596875, 1e-14);
    assert_near(m.var_norm, 0.053125, 1e-14);
    const char *gal = "9\n1 2\n2 4\n2 3\n1 3 5\n3 2\n2 6\n4 3\n1 5 7\n5 4\n2 4 6 8\n"
                      "6 3\n3 5 9\n7 2\n4 8\n8 3\n5 7 9\n9 2\n6 8\n";
    assert_ok(ag_incidents_weights_read_gal(gal, strlen(gal), "lattice.gal", &g, &e_));
    assert_ok(ag_incidents_moran_global(&g, y, &mg, &e_));
    assert_true(mg.I == m.I && mg.var_rand == m.var_rand && mg.var_norm == m.var_norm);
    ag_incidents_weights_free(&w);
    ag_incidents_weights_free(&g);
}

static void test_moran_rejects_constant_values(void **state)
{
    (void)state;
    struct ag_incidents_weights w = {0};
    assert_ok(ag_incidents_weights_lattice(2, 2, false, &w, &e_));
    double c[4] = {2, 2, 2, 2};
    struct ag_incidents_moran m;
    struct ag_incidents_lisa l[4];
    struct ag_error err = {0};
    assert_int_equal(ag_incidents_moran_global(&w, c, &m, &err), AG_EINVAL);
    assert_non_null(strstr(err.msg, "all equal"));
    assert_int_equal(ag_incidents_moran_local(&w, c, l, &err), AG_EINVAL);
    ag_incidents_weights_free(&w);
}

/* Local Moran's moments against all 6! = 720 arrangements of the values
 * (total randomisation): the mean and variance of I_i over them must equal
 * E[I_i] and Var[I_i] of Anselin 1995. Non-binary, asymmetric weights
 * (row-standardised band weights) so that no term is accidentally 1. */
static void permute_rec(double *v, int k, int n, const struct ag_incidents_weights *w, double *sum,
                        double *sum2, long *count)
{
    if (k == n) {
        struct ag_incidents_lisa l[6];
        struct ag_error err = {0};
        if (ag_incidents_moran_local(w, v, l, &err) != 0)
            fail_msg("%s", err.msg);
        for (int i = 0; i < n; i++) {
            sum[i] += l[i].I;
            sum2[i] += l[i].I * l[i].I;
        }
        (*count)++;
        return;
    }
    for (int i = k; i < n; i++) {
        double t = v[k];
        v[k] = v[i];
        v[i] = t;
        permute_rec(v, k + 1, n, w, sum, sum2, count);
        v[i] = v[k];
        v[k] = t;
    }
}

static void test_local_moran_moments_match_exhaustive_enumeration(void **state)
{
    (void)state;
    struct ag_incidents_weights w = {0};
    assert_ok(ag_incidents_weights_band(ESDA_PTS, 6, 21, false, &w, &e_));
    assert_int_equal(ag_incidents_weights_transform(&w, AG_INCIDENTS_W_ROW), 0);
    double v[6], sum[6] = {0}, sum2[6] = {0};
    memcpy(v, ESDA_Y, sizeof v);
    long count = 0;
    permute_rec(v, 0, 6, &w, sum, sum2, &count);
    assert_int_equal(count, 720);
    struct ag_incidents_lisa l[6];
    assert_ok(ag_incidents_moran_local(&w, ESDA_Y, l, &e_));
    for (int i = 0; i < 6; i++) {
        double mean = sum[i] / count, var = sum2[i] / count - mean * mean;
        assert_near(l[i].EI, mean, 1e-12);
        assert_near(l[i].VI, var, 1e-12);
        assert_near(l[i].z, (l[i].I - l[i].EI) / sqrt(l[i].VI), 1e-12);
    }
    ag_incidents_weights_free(&w);
}

/* Σ_i I_i = Σ_i z_i lag_i / m2 = n Σ z lag / Σ z² = S0 · I (Anselin 1995:
 * the LISA sum is proportional to the global statistic). Checked on
 * Columbus, both weight styles. */
static void test_local_moran_sums_to_global_on_columbus(void **state)
{
    (void)state;
    struct ag_incidents_weights w = {0};
    double *x;
    load_columbus(&w, &x);
    for (int style = 0; style < 2; style++) {
        if (style == 1)
            assert_int_equal(ag_incidents_weights_transform(&w, AG_INCIDENTS_W_ROW), 0);
        struct ag_incidents_lisa l[49];
        struct ag_incidents_moran m;
        assert_ok(ag_incidents_moran_local(&w, x, l, &e_));
        assert_ok(ag_incidents_moran_global(&w, x, &m, &e_));
        double sum = 0;
        for (int i = 0; i < 49; i++)
            sum += l[i].I;
        assert_near(sum, m.s0 * m.I, 1e-10);
    }
    double p1[49], p2[49];
    assert_ok(ag_incidents_moran_local_perm(&w, x, 999, 77, p1, &e_));
    assert_ok(ag_incidents_moran_local_perm(&w, x, 999, 77, p2, &e_));
    assert_memory_equal(p1, p2, sizeof p1);
    for (int i = 0; i < 49; i++)
        assert_true(p1[i] > 0 && p1[i] <= 1);
    free(x);
    ag_incidents_weights_free(&w);
}

/* ---- nearest neighbours, Clark-Evans ---- */

/* pysal pointpats tests/test_pointpattern.py: the 12-point example
 * (REFERENCE-VALUES.md): mean, min and max nearest-neighbour distance. */
static const struct ag_xy PP12[12] = {
    {66.22, 32.54}, {22.52, 22.39}, {31.01, 81.21}, {9.47, 31.02},  {30.78, 60.10}, {75.21, 58.93},
    {79.26, 7.68},  {8.23, 39.93},  {98.73, 77.17}, {89.78, 42.53}, {65.19, 92.08}, {54.46, 8.48}};

static void test_clark_evans_pointpats_12_points(void **state)
{
    (void)state;
    /* The study area: the minimum bounding box, 7638.2 (same source), i.e.
     * (98.73 − 8.23) · (92.08 − 7.68). */
    const double area = (98.73 - 8.23) * (92.08 - 7.68);
    assert_near(area, 7638.2, 1e-9);
    struct ag_incidents_clark_evans ce;
    for (int m = 0; m < 3; m++) {
        assert_ok(
            ag_incidents_clark_evans(PP12, 12, area, (enum ag_incidents_nn_method)m, &ce, &e_));
        assert_near(ce.mean_nn_m, 21.612139802089246, 1e-12);
        assert_near(ce.min_nn_m, 8.9958712752017522, 1e-12);
        assert_near(ce.max_nn_m, 34.63124167568931, 1e-12);
    }
    /* R, σ and z by hand from Clark & Evans 1954 with the published mean:
     * r_E = 0.5 sqrt(7638.2 / 12) = 12.614640..., σ = 0.26136 sqrt(A) / n. */
    double re = 0.5 * sqrt(7638.2 / 12);
    assert_near(ce.expected_nn_m, re, 1e-12);
    assert_near(ce.R, 21.612139802089246 / re, 1e-12);
    assert_near(ce.R, 1.7132, 1e-4);
    assert_near(ce.se_m, 0.26136 * sqrt(7638.2) / 12, 3e-5); /* 0.26136 is rounded */
    assert_near(ce.z, (21.612139802089246 - re) / ce.se_m, 1e-12);
    assert_near(ce.p_two_sided, erfc(ce.z / sqrt(2)), 1e-15);
    /* Convex hull area 5294.00395 (same source): a smaller area, a smaller
     * expected distance, a larger R. */
    struct ag_incidents_clark_evans hull;
    assert_ok(ag_incidents_clark_evans(PP12, 12, 5294.00395, AG_INCIDENTS_NN_AUTO, &hull, &e_));
    assert_near(hull.R, 21.612139802089246 / (0.5 * sqrt(5294.00395 / 12)), 1e-12);
    struct ag_error err = {0};
    assert_int_equal(ag_incidents_clark_evans(PP12, 12, 0, AG_INCIDENTS_NN_AUTO, &hull, &err),
                     AG_EINVAL);
    assert_non_null(strstr(err.msg, "study area"));
    assert_int_equal(ag_incidents_clark_evans(PP12, 1, 10, AG_INCIDENTS_NN_AUTO, &hull, &err),
                     AG_EINVAL);
}

static void check_nn_agree(const struct ag_xy *pts, size_t n)
{
    double *d1 = malloc(n * sizeof *d1), *d2 = malloc(n * sizeof *d2);
    size_t *i1 = malloc(n * sizeof *i1), *i2 = malloc(n * sizeof *i2);
    assert_ok(ag_incidents_nn(pts, n, AG_INCIDENTS_NN_BRUTE, d1, i1, &e_));
    assert_ok(ag_incidents_nn(pts, n, AG_INCIDENTS_NN_GRID, d2, i2, &e_));
    assert_memory_equal(d1, d2, n * sizeof *d1);
    assert_memory_equal(i1, i2, n * sizeof *i1);
    free(d1);
    free(d2);
    free(i1);
    free(i2);
}

static void test_nn_grid_agrees_with_brute_force(void **state)
{
    (void)state;
    enum { N = 3000 };
    struct ag_xy *pts = malloc(N * sizeof *pts);
    /* Clustered: half uniform over 10 km, half in five tight clusters, with
     * duplicates and points on a lattice (ties). */
    lcg_state = 11;
    for (int i = 0; i < N; i++) {
        if (i % 2)
            pts[i] = (struct ag_xy){lcg_uniform() * 10000, lcg_uniform() * 7000};
        else
            pts[i] = (struct ag_xy){(i % 5) * 2000 + lcg_uniform() * 30, 3000 + lcg_uniform() * 30};
        if (i % 97 == 0 && i > 0)
            pts[i] = pts[i - 1];
        if (i % 13 == 0)
            pts[i] = (struct ag_xy){floor(lcg_uniform() * 40) * 10, floor(lcg_uniform() * 40) * 10};
    }
    check_nn_agree(pts, N);
    /* Collinear points: a zero-height extent. */
    for (int i = 0; i < N; i++)
        pts[i] = (struct ag_xy){lcg_uniform() * 5000, 42};
    check_nn_agree(pts, N);
    /* All in one place. */
    for (int i = 0; i < 50; i++)
        pts[i] = (struct ag_xy){1, 1};
    check_nn_agree(pts, 50);
    /* Burkitt: integer coordinates, many ties. */
    struct events ev = load_burkitt();
    check_nn_agree(ev.pts, ev.n);
    events_free(&ev);
    free(pts);
}

/* ---- Knox ---- */

/* pysal/pointpats pointpats/tests/test_spacetime.py on the Burkitt data,
 * δ = 20, τ = 5, inclusive (REFERENCE-VALUES.md and incidents/README.md). */
static void test_knox_burkitt_pointpats(void **state)
{
    (void)state;
    struct events ev = load_burkitt();
    assert_int_equal(ev.n, 188);
    struct ag_incidents_knox_params kp = {.delta_m = 20, .tau_days = 5};
    struct ag_incidents_knox k;
    assert_ok(ag_incidents_knox(ev.pts, ev.t, ev.n, &kp, &k, &e_));
    assert_int_equal(k.table[0][0], 13);
    assert_int_equal(k.table[0][1], 3416);
    assert_int_equal(k.table[1][0], 39);
    assert_int_equal(k.table[1][1], 14110);
    assert_int_equal(k.pairs, 17578);
    assert_int_equal(k.n_space, 3429);
    assert_int_equal(k.n_time, 52);
    assert_near(k.expected, 10.1438161, 1e-7);
    assert_near(k.p_poisson, 0.14624558197140414, 1e-14);
    assert_true(isnan(k.p_perm));
    /* Strict thresholds (same README: NS 3404, NT 44, NST 12): the data are
     * integers, so "< 20" is "<= the double just below 20". */
    kp.delta_m = nextafter(20, 0);
    kp.tau_days = nextafter(5, 0);
    assert_ok(ag_incidents_knox(ev.pts, ev.t, ev.n, &kp, &k, &e_));
    assert_int_equal(k.n_space, 3404);
    assert_int_equal(k.n_time, 44);
    assert_int_equal(k.table[0][0], 12);
    events_free(&ev);
}

/* The table against an O(n²) loop written here, for several thresholds and
 * both metrics; the four cells always add up to n (n − 1) / 2. */
static void test_knox_matches_brute_force_and_sums_to_pairs(void **state)
{
    (void)state;
    struct events ev = load_burkitt();
    const double deltas[] = {0, 5, 20, 57.5, 400};
    const double taus[] = {0, 5, 30, 1000};
    for (int metric = 0; metric < 2; metric++) {
        for (size_t a = 0; a < sizeof deltas / sizeof *deltas; a++) {
            for (size_t b = 0; b < sizeof taus / sizeof *taus; b++) {
                uint64_t t[2][2] = {{0, 0}, {0, 0}};
                for (size_t i = 0; i < ev.n; i++) {
                    for (size_t j = i + 1; j < ev.n; j++) {
                        double dx = ev.pts[i].x - ev.pts[j].x, dy = ev.pts[i].y - ev.pts[j].y;
                        double d = metric ? fabs(dx) + fabs(dy) : sqrt(dx * dx + dy * dy);
                        bool s = d <= deltas[a], tt = fabs(ev.t[i] - ev.t[j]) <= taus[b];
                        t[!s][!tt]++;
                    }
                }
                struct ag_incidents_knox_params kp = {.delta_m = deltas[a],
                                                      .tau_days = taus[b],
                                                      .metric = (enum ag_incidents_metric)metric};
                struct ag_incidents_knox k;
                assert_ok(ag_incidents_knox(ev.pts, ev.t, ev.n, &kp, &k, &e_));
                assert_memory_equal(k.table, t, sizeof t);
                assert_int_equal(k.table[0][0] + k.table[0][1] + k.table[1][0] + k.table[1][1],
                                 ev.n * (ev.n - 1) / 2);
            }
        }
    }
    events_free(&ev);
}

static void test_knox_permutations_reproducible(void **state)
{
    (void)state;
    struct events ev = load_burkitt();
    struct ag_incidents_knox_params kp = {
        .delta_m = 20, .tau_days = 5, .nperm = AG_INCIDENTS_NPERM_DEFAULT, .seed = 8};
    struct ag_incidents_knox k1, k2, k3;
    assert_ok(ag_incidents_knox(ev.pts, ev.t, ev.n, &kp, &k1, &e_));
    assert_ok(ag_incidents_knox(ev.pts, ev.t, ev.n, &kp, &k2, &e_));
    kp.seed = 9;
    assert_ok(ag_incidents_knox(ev.pts, ev.t, ev.n, &kp, &k3, &e_));
    assert_true(k1.p_perm == k2.p_perm && k1.sim_mean == k2.sim_mean);
    assert_true(k1.sim_mean != k3.sim_mean);
    assert_true(k1.p_perm > 0 && k1.p_perm <= 1);
    /* The simulation's mean estimates the expectation N_s N_t / N (each
     * shuffle keeps N_s and N_t): within 4 standard errors of a Poisson. */
    assert_near(k1.sim_mean, k1.expected, 4 * sqrt(k1.expected / 999));
    /* ... and its p-value is near the Poisson tail P(X >= 13) = 0.22227
     * (REFERENCE-VALUES.md): the permutation counts sims >= observed. */
    assert_near(k1.p_perm, 0.22227, 0.05);
    events_free(&ev);
}

static void test_knox_rejects_bad_input(void **state)
{
    (void)state;
    struct ag_xy pts[3] = {{0, 0}, {1, 1}, {2, 2}};
    double t[3] = {0, 1, NAN};
    struct ag_incidents_knox_params kp = {.delta_m = 1, .tau_days = 1};
    struct ag_incidents_knox k;
    struct ag_error err = {0};
    assert_int_equal(ag_incidents_knox(pts, t, 3, &kp, &k, &err), AG_EINVAL);
    assert_non_null(strstr(err.msg, "point 3 has a non-finite time"));
    t[2] = 2;
    assert_int_equal(ag_incidents_knox(pts, t, 1, &kp, &k, &err), AG_EINVAL);
    kp.delta_m = -1;
    assert_int_equal(ag_incidents_knox(pts, t, 3, &kp, &k, &err), AG_EINVAL);
    kp.delta_m = 1;
    kp.nperm = AG_INCIDENTS_NPERM_MAX + 1;
    assert_int_equal(ag_incidents_knox(pts, t, 3, &kp, &k, &err), AG_EINVAL);
}

/* P(X > k) against a direct sum of the Poisson terms in long double. */
static long double poisson_sf_direct(uint64_t k, double lambda)
{
    long double cdf = 0;
    for (uint64_t j = 0; j <= k; j++)
        cdf += expl((long double)j * logl(lambda) - lambda - lgammal((long double)j + 1));
    return 1 - cdf;
}

static void test_poisson_sf_against_direct_sum(void **state)
{
    (void)state;
    assert_near(ag_incidents_poisson_sf(0, 1), 1 - exp(-1), 1e-15);
    assert_near(ag_incidents_poisson_sf(13, 10.1438161), 0.14624558, 1e-7);
    const double lambdas[] = {0.5, 3, 10.1438161, 50, 400, 2500};
    for (size_t a = 0; a < sizeof lambdas / sizeof *lambdas; a++) {
        for (double f = 0.3; f < 2.0; f += 0.15) {
            uint64_t k = (uint64_t)(lambdas[a] * f);
            double got = ag_incidents_poisson_sf(k, lambdas[a]);
            double want = (double)poisson_sf_direct(k, lambdas[a]);
            /* Relative in the tail, absolute near the middle (where the
             * direct sum itself loses digits to 1 − cdf). */
            assert_near(got, want, 1e-12 + 1e-10 * want);
        }
    }
    /* Far tail, where 1 − cdf would be 0: compare with the first terms. */
    double far = ag_incidents_poisson_sf(200, 50);
    long double t = 0;
    for (int j = 201; j < 400; j++)
        t += expl((long double)j * logl(50) - 50 - lgammal((long double)j + 1));
    assert_near(far, (double)t, 1e-10 * (double)t);
    assert_true(far > 0 && far < 1e-50);
    assert_true(ag_incidents_poisson_sf(5, 0) == 0);
    assert_true(isnan(ag_incidents_poisson_sf(5, -1)));
}

/* ---- near repeat ---- */

/* Near Repeat Calculator 1.3 on chicago_be_month1.csv, Manhattan, 3 bands
 * of 100 m, 3 bands of 7 days: the "Observed frequencies distribution" of
 * chicago_be_month1_NRverbose_2019-09-23_143005.csv (REFERENCE-VALUES.md). */
static void test_near_repeat_nrc_chicago_month1_exact(void **state)
{
    (void)state;
    static const uint64_t expect[5][4] = {{28, 5, 5, 2},
                                          {44, 13, 8, 4},
                                          {97, 56, 19, 16},
                                          {77, 67, 45, 20},
                                          {182194, 146149, 95237, 45879}};
    struct events ev = load_chicago_month1();
    assert_int_equal(ev.n, 970);
    struct ag_incidents_nr_params np = {.metric = AG_INCIDENTS_MANHATTAN,
                                        .band_m = 100,
                                        .n_bands = 3,
                                        .band_days = 7,
                                        .n_tbands = 3,
                                        .nrc_exact = true};
    struct ag_incidents_nr r = {0};
    assert_ok(ag_incidents_near_repeat(ev.pts, ev.t, ev.n, &np, &r, &e_));
    assert_int_equal(r.rows, 5);
    assert_int_equal(r.cols, 4);
    assert_memory_equal(r.observed, expect, sizeof expect);
    assert_int_equal(r.pairs, 970 * 969 / 2);
    assert_true(isnan(r.p_value[0]));
    ag_incidents_nr_free(&r);

    /* With permutations: the NRC's own 19 simulations put the Knox ratio of
     * "same location, 0 to 7 days" at 1.65 and "1 to 100 m, 0 to 7 days" at
     * 1.69 (Monte-Carlo, so compared loosely) and their p-values at the
     * minimum. */
    np.nperm = 999;
    np.seed = 1;
    assert_ok(ag_incidents_near_repeat(ev.pts, ev.t, ev.n, &np, &r, &e_));
    assert_memory_equal(r.observed, expect, sizeof expect);
    assert_near(r.knox_ratio[0], 1.65, 0.2);
    assert_near(r.knox_ratio[4], 1.69, 0.2);
    assert_true(r.p_value[0] <= 0.01 && r.p_value[4] <= 0.01);
    /* Column totals are kept by every shuffle, so the expected table has
     * the observed column sums. */
    for (unsigned c = 0; c < r.cols; c++) {
        double so = 0, se = 0;
        for (unsigned row = 0; row < r.rows; row++) {
            so += (double)r.observed[row * r.cols + c];
            se += r.expected[row * r.cols + c];
        }
        assert_near(se, so, 1e-6);
    }
    for (size_t c = 0; c < (size_t)r.rows * r.cols; c++)
        assert_true(r.p_value[c] > 0 && r.p_value[c] <= 1);
    struct ag_incidents_nr r2 = {0};
    assert_ok(ag_incidents_near_repeat(ev.pts, ev.t, ev.n, &np, &r2, &e_));
    assert_memory_equal(r.p_value, r2.p_value, 20 * sizeof *r.p_value);
    assert_memory_equal(r.expected, r2.expected, 20 * sizeof *r.expected);
    ag_incidents_nr_free(&r);
    ag_incidents_nr_free(&r2);
    events_free(&ev);
}

/* Two burglaries of the 2016 Chicago file (lines 977 and 1188 of
 * chicago_residential_burglary_2016.csv, 7 days apart) are 99.973 m apart
 * (Manhattan) in double precision but exactly 100 m once the coordinates
 * are 32-bit floats, as the NRC stores them: NRC mode must put the pair in
 * the 101-200 m band, the default mode in the first band. (GCC 12.2 -O2
 * once optimised the float rounding away; see to_single() in
 * lib/incidents/nearrepeat.c.) */
static void test_near_repeat_nrc_rounds_coordinates_to_float(void **state)
{
    (void)state;
    const struct ag_xy pts[2] = {{363465.253429795, 564197.474120588},
                                 {363509.750278746, 564141.997876433}};
    const double t[2] = {16900, 16907.9}; /* lag 7.9 days: 7 whole days in NRC mode */
    assert_near((double)(float)pts[0].x, 363465.25, 0);
    struct ag_incidents_nr_params np = {.metric = AG_INCIDENTS_MANHATTAN,
                                        .band_m = 100,
                                        .n_bands = 3,
                                        .band_days = 7,
                                        .n_tbands = 3,
                                        .nrc_exact = true};
    struct ag_incidents_nr r = {0};
    assert_ok(ag_incidents_near_repeat(pts, t, 2, &np, &r, &e_));
    assert_int_equal(r.observed[2 * 4 + 1], 1); /* 101-200 m, 8-14 days */
    ag_incidents_nr_free(&r);
    np.nrc_exact = false;
    assert_ok(ag_incidents_near_repeat(pts, t, 2, &np, &r, &e_));
    assert_int_equal(r.observed[1 * 4 + 1], 1); /* (0, 100] m, (7, 14] days */
    ag_incidents_nr_free(&r);
}

/* Both modes against a pair loop written from the definitions. */
static void check_nr_brute(const struct events *ev, const struct ag_incidents_nr_params *np)
{
    unsigned rows = np->n_bands + 2, cols = np->n_tbands + 1;
    uint64_t *t = calloc((size_t)rows * cols, sizeof *t);
    for (size_t i = 0; i < ev->n; i++) {
        for (size_t j = i + 1; j < ev->n; j++) {
            double xi = ev->pts[i].x, yi = ev->pts[i].y, xj = ev->pts[j].x, yj = ev->pts[j].y;
            double ti = ev->t[i], tj = ev->t[j];
            if (np->nrc_exact) {
                xi = (float)xi, yi = (float)yi, xj = (float)xj, yj = (float)yj;
                ti = floor(ti), tj = floor(tj);
            }
            double dx = xi - xj, dy = yi - yj;
            double d = np->metric == AG_INCIDENTS_MANHATTAN ? fabs(dx) + fabs(dy)
                                                            : sqrt(dx * dx + dy * dy);
            double dt = fabs(ti - tj);
            unsigned r, c;
            if (np->nrc_exact) {
                r = d == 0 ? 0 : 1 + (unsigned)fmin(floor(d / np->band_m), np->n_bands);
                c = (unsigned)fmin(floor(dt / np->band_days), np->n_tbands);
            } else {
                r = d <= np->same_m ? 0 : 1 + (unsigned)fmin(ceil(d / np->band_m) - 1, np->n_bands);
                c = dt == 0 ? 0 : (unsigned)fmin(ceil(dt / np->band_days) - 1, np->n_tbands);
            }
            t[r * cols + c]++;
        }
    }
    struct ag_incidents_nr r = {0};
    assert_ok(ag_incidents_near_repeat(ev->pts, ev->t, ev->n, np, &r, &e_));
    assert_int_equal(r.rows, rows);
    assert_int_equal(r.cols, cols);
    assert_memory_equal(r.observed, t, (size_t)rows * cols * sizeof *t);
    uint64_t sum = 0;
    for (size_t c = 0; c < (size_t)rows * cols; c++)
        sum += r.observed[c];
    assert_int_equal(sum, ev->n * (ev->n - 1) / 2);
    ag_incidents_nr_free(&r);
    free(t);
}

static void test_near_repeat_matches_brute_force(void **state)
{
    (void)state;
    struct events ev = load_chicago_month1();
    struct ag_incidents_nr_params np = {.metric = AG_INCIDENTS_EUCLIDEAN,
                                        .band_m = 50,
                                        .n_bands = 5,
                                        .band_days = 3,
                                        .n_tbands = 4,
                                        .nrc_exact = true};
    check_nr_brute(&ev, &np);
    np.nrc_exact = false;
    check_nr_brute(&ev, &np);
    np.metric = AG_INCIDENTS_MANHATTAN;
    np.band_m = 123.5;
    np.n_bands = 2;
    np.band_days = 2.5;
    np.n_tbands = 6;
    check_nr_brute(&ev, &np);
    events_free(&ev);
    ev = load_burkitt();
    np.band_m = 10;
    np.n_bands = 4;
    np.band_days = 10;
    np.n_tbands = 3;
    check_nr_brute(&ev, &np);
    np.nrc_exact = true;
    check_nr_brute(&ev, &np);
    events_free(&ev);
}

/* Default mode with one band of δ and one of τ is the Knox table: same
 * location + band 1 is "d <= δ", column 0 is "|Δt| <= τ". */
static void test_near_repeat_default_mode_reduces_to_knox(void **state)
{
    (void)state;
    struct events ev = load_burkitt();
    struct ag_incidents_nr_params np = {.metric = AG_INCIDENTS_EUCLIDEAN,
                                        .band_m = 20,
                                        .n_bands = 1,
                                        .band_days = 5,
                                        .n_tbands = 1};
    struct ag_incidents_nr r = {0};
    assert_ok(ag_incidents_near_repeat(ev.pts, ev.t, ev.n, &np, &r, &e_));
    assert_int_equal(r.observed[0] + r.observed[2], 13);
    assert_int_equal(r.observed[1] + r.observed[3], 3416);
    assert_int_equal(r.observed[4], 39);
    assert_int_equal(r.observed[5], 14110);
    ag_incidents_nr_free(&r);
    events_free(&ev);
}

static void test_near_repeat_rejects_bad_parameters(void **state)
{
    (void)state;
    struct ag_xy pts[3] = {{0, 0}, {1, 1}, {2, 2}};
    double t[3] = {0, 1, 2};
    struct ag_incidents_nr_params np = {
        .band_m = 100, .n_bands = 3, .band_days = 7.5, .n_tbands = 3, .nrc_exact = true};
    struct ag_incidents_nr r = {0};
    struct ag_error err = {0};
    assert_int_equal(ag_incidents_near_repeat(pts, t, 3, &np, &r, &err), AG_EINVAL);
    assert_non_null(strstr(err.msg, "whole-day"));
    np.band_days = 7;
    np.n_bands = 0;
    assert_int_equal(ag_incidents_near_repeat(pts, t, 3, &np, &r, &err), AG_EINVAL);
    np.n_bands = 3;
    np.band_m = -5;
    assert_int_equal(ag_incidents_near_repeat(pts, t, 3, &np, &r, &err), AG_EINVAL);
    np.band_m = 100;
    np.nrc_exact = false;
    np.same_m = 100;
    assert_int_equal(ag_incidents_near_repeat(pts, t, 3, &np, &r, &err), AG_EINVAL);
    assert_null(r.observed);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rng_known_answers),
        cmocka_unit_test(test_rng_below_is_uniform_and_in_range),
        cmocka_unit_test(test_band_weights_match_brute_force),
        cmocka_unit_test(test_band_weights_reject_bad_input),
        cmocka_unit_test(test_set_self_and_row_standardise),
        cmocka_unit_test(test_gal_columbus_queen),
        cmocka_unit_test(test_gal_accepts_header_variants_islands_and_crlf),
        cmocka_unit_test(test_gal_rejects_malformed_files_with_file_and_line),
        cmocka_unit_test(test_gi_esda_six_points),
        cmocka_unit_test(test_gi_star_esda_six_points),
        cmocka_unit_test(test_gi_star_sums_to_zero_on_regular_graph_and_is_affine_invariant),
        cmocka_unit_test(test_gi_undefined_cases_are_nan),
        cmocka_unit_test(test_gi_perm_matches_exact_conditional_distribution),
        cmocka_unit_test(test_gi_perm_reproducible_and_in_unit_interval),
        cmocka_unit_test(test_fdr_bh_hand_example_and_properties),
        cmocka_unit_test(test_moran_columbus_row_standardised),
        cmocka_unit_test(test_moran_columbus_binary),
        cmocka_unit_test(test_moran_lattice_3x3_rook),
        cmocka_unit_test(test_moran_rejects_constant_values),
        cmocka_unit_test(test_local_moran_moments_match_exhaustive_enumeration),
        cmocka_unit_test(test_local_moran_sums_to_global_on_columbus),
        cmocka_unit_test(test_clark_evans_pointpats_12_points),
        cmocka_unit_test(test_nn_grid_agrees_with_brute_force),
        cmocka_unit_test(test_knox_burkitt_pointpats),
        cmocka_unit_test(test_knox_matches_brute_force_and_sums_to_pairs),
        cmocka_unit_test(test_knox_permutations_reproducible),
        cmocka_unit_test(test_knox_rejects_bad_input),
        cmocka_unit_test(test_poisson_sf_against_direct_sum),
        cmocka_unit_test(test_near_repeat_nrc_chicago_month1_exact),
        cmocka_unit_test(test_near_repeat_nrc_rounds_coordinates_to_float),
        cmocka_unit_test(test_near_repeat_matches_brute_force),
        cmocka_unit_test(test_near_repeat_default_mode_reduces_to_knox),
        cmocka_unit_test(test_near_repeat_rejects_bad_parameters),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
