/* Urban indicators: the data files load, a city's CSV is read or refused
 * with the line and field named, and the chart puts each point where the
 * mapping of docs/methodology.md §21 says (coordinates worked out by hand).
 * SPDX-License-Identifier: EUPL-1.2 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agora/indicators.h"

static struct ag_indicator *ind;
static size_t nind;

static int setup(void **state)
{
    (void)state;
    struct ag_error err = {0};
    if (ag_indicators_load(NULL, &ind, &nind, &err)) {
        fprintf(stderr, "%s\n", err.msg);
        return -1;
    }
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    free(ind);
    return 0;
}

static void test_the_data_files_load(void **state)
{
    (void)state;
    assert_true(nind >= 21);
    static const char *const dims[] = {
        "quality_of_life", "social_cohesion",       "public_space_liveability", "sense_of_safety",
        "urban_security",  "background_conditions", "migrant_inclusion"};
    for (size_t d = 0; d < 7; d++) {
        size_t n = 0;
        for (size_t i = 0; i < nind; i++)
            n += !strcmp(ind[i].dimension, dims[d]);
        if (n < 3)
            fail_msg("dimension %s has %zu indicators", dims[d], n);
    }
    const struct ag_indicator *x = ag_indicator_find(ind, nind, "sos_night_city");
    assert_non_null(x);
    assert_true(x->higher_better);
    assert_string_equal(x->unit, "%");
    assert_false(ag_indicator_find(ind, nind, "us_homicides")->higher_better);
    struct ag_funding *f = NULL;
    size_t nf = 0;
    struct ag_error err = {0};
    assert_int_equal(ag_funding_load(NULL, &f, &nf, &err), 0);
    assert_true(nf >= 7);
    const struct ag_funding *isf = ag_funding_find(f, nf, "isf_police");
    assert_non_null(isf);
    assert_memory_equal(isf->url, "https://", 8);
    free(f);
}

static void test_a_bad_definition_file_names_file_and_line(void **state)
{
    (void)state;
    char dir[] = "/tmp/agora-ind-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[256];
    snprintf(path, sizeof path, "%s/indicators.csv", dir);
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fputs("id,dimension,name,unit,better,source\n"
          "a,urban_security,A,%,lower,K\n"
          "b,urban_security,B,%,sideways,K\n",
          fp);
    fclose(fp);
    struct ag_indicator *x = NULL;
    size_t n = 0;
    struct ag_error err = {0};
    assert_int_equal(ag_indicators_load(dir, &x, &n, &err), AG_EPARSE);
    assert_non_null(strstr(err.msg, "indicators.csv:3: better"));
    unlink(path);
    rmdir(dir);
}

static int read_csv(const char *text, struct ag_vec *v, struct ag_error *err)
{
    return ag_indicator_csv_read(text, strlen(text), "city.csv", ind, nind, v, err);
}

static void test_a_good_file_is_read(void **state)
{
    (void)state;
    struct ag_vec v;
    ag_vec_init(&v, sizeof(struct ag_ivalue));
    struct ag_error err = {0};
    /* columns in any order, visible in every spelling, a quoted note */
    int rc = read_csv("\xEF\xBB\xBFyear,indicator,note,value,visible\n"
                      "2022,sos_night_city,\"survey, autumn\",61.5,yes\n"
                      "2023,sos_night_city,,63,TRUE\n"
                      "2023,us_homicides,,1.25,0\n"
                      "\n"
                      "2023,bc_unemployment,,-0.5,\n",
                      &v, &err);
    if (rc)
        fail_msg("%s", err.msg);
    assert_int_equal(v.len, 4);
    const struct ag_ivalue *a = &AG_VEC_AT(&v, struct ag_ivalue, 0);
    assert_string_equal(a->indicator, "sos_night_city");
    assert_int_equal(a->year, 2022);
    assert_true(fabs(a->value - 61.5) < 1e-12);
    assert_true(a->visible);
    assert_string_equal(a->note, "survey, autumn");
    assert_true(AG_VEC_AT(&v, struct ag_ivalue, 1).visible);
    assert_false(AG_VEC_AT(&v, struct ag_ivalue, 2).visible);
    assert_false(AG_VEC_AT(&v, struct ag_ivalue, 3).visible); /* empty: no */
    assert_true(fabs(AG_VEC_AT(&v, struct ag_ivalue, 3).value + 0.5) < 1e-12);
    ag_vec_free(&v);
    /* without the optional columns */
    ag_vec_init(&v, sizeof(struct ag_ivalue));
    assert_int_equal(read_csv("indicator,year,value\nmi_poverty,2021,18\n", &v, &err), 0);
    assert_int_equal(v.len, 1);
    assert_false(AG_VEC_AT(&v, struct ag_ivalue, 0).visible);
    ag_vec_free(&v);
}

static void test_each_bad_line_is_named_and_nothing_is_kept(void **state)
{
    (void)state;
    static const struct {
        const char *csv, *want;
    } cases[] = {
        {"indicator,year,value\nsos_night_city,2022,60\nno_such,2022,1\n",
         "city.csv:3: indicator:"},
        {"indicator,year,value\nsos_night_city,1899,60\n", "city.csv:2: year:"},
        {"indicator,year,value\nsos_night_city,2201,60\n", "city.csv:2: year:"},
        {"indicator,year,value\nsos_night_city,20x2,60\n", "city.csv:2: year:"},
        {"indicator,year,value\nsos_night_city,2022,abc\n", "city.csv:2: value:"},
        {"indicator,year,value\nsos_night_city,2022,\"61,5\"\n", "city.csv:2: value:"},
        {"indicator,year,value\nsos_night_city,2022,nan\n", "city.csv:2: value:"},
        {"indicator,year,value\nsos_night_city,2022,inf\n", "city.csv:2: value:"},
        {"indicator,year,value\nsos_night_city,2022,1e999\n", "city.csv:2: value:"},
        {"indicator,year,value\nsos_night_city,2022,-1e13\n", "city.csv:2: value:"},
        {"indicator,year,value\nsos_night_city,2022,\n", "city.csv:2: value:"},
        {"indicator,year,value,visible\nsos_night_city,2022,60,maybe\n", "city.csv:2: visible:"},
        {"indicator,year,value,note\nsos_night_city,2022,60,\"a\x01\"\n", "city.csv:2: note:"},
        {"indicator,year,value\nsos_night_city,2022,60\nsos_night_city,2023,61\n"
         "sos_night_city,2022,62\n",
         "city.csv:4: indicator, year:"},
        {"indicator,year,value\nsos_night_city,2022\n", "city.csv:2: expected 3 fields"},
        {"indicator,value\nsos_night_city,60\n", "city.csv:1: the header has no column year"},
        {"indicator,year,value,colour\nsos_night_city,2022,60,red\n",
         "city.csv:1: column 4: \"colour\""},
        {"indicator,year,value,year\n", "city.csv:1: column year given twice"},
        {"indicator,year,value\n", "city.csv: no value"},
        {"", "city.csv: empty file"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct ag_vec v;
        ag_vec_init(&v, sizeof(struct ag_ivalue));
        struct ag_error err = {0};
        int rc = read_csv(cases[i].csv, &v, &err);
        if (rc != AG_EPARSE || !strstr(err.msg, cases[i].want))
            fail_msg("case %zu: rc %d, \"%s\", expected \"%s\"", i, rc, err.msg, cases[i].want);
        assert_int_equal(v.len, 0); /* refused whole */
        ag_vec_free(&v);
    }
}

static void test_check_of_an_entered_value(void **state)
{
    (void)state;
    struct ag_ivalue v = {.year = 2022, .value = 3};
    struct ag_error err = {0};
    snprintf(v.indicator, sizeof v.indicator, "us_robberies");
    assert_int_equal(ag_ivalue_check(&v, ind, nind, "values[1]", &err), 0);
    v.value = NAN;
    assert_int_equal(ag_ivalue_check(&v, ind, nind, "values[1]", &err), AG_EPARSE);
    assert_non_null(strstr(err.msg, "values[1]: value:"));
    v.value = 1;
    v.year = 3000;
    assert_int_equal(ag_ivalue_check(&v, ind, nind, "values[2]", &err), AG_EPARSE);
    assert_non_null(strstr(err.msg, "values[2]: year:"));
}

/* The plot area is x 72..520, y 40..344. Values 0..100 get ticks 0, 20,
 * ..., 100 (step 20), so value v lies at y = 344 - v/100 * 304; years
 * 2020..2024 at x = 72 + (year - 2020)/4 * 448. */
static void test_the_chart_puts_points_where_they_belong(void **state)
{
    (void)state;
    static const int ya[] = {2020, 2022, 2024}, yb[] = {2021};
    static const double va[] = {0, 50, 100}, vb[] = {25};
    struct ag_series s[] = {{"Monaco", ya, va, 3}, {"Saint-Jean & <Cap>", yb, vb, 1}};
    struct ag_buf b, b2;
    ag_buf_init(&b, 1 << 20);
    ag_buf_init(&b2, 1 << 20);
    assert_int_equal(ag_indicator_svg("Feel \"safe\" at night", "%", s, 2, &b), 0);
    assert_int_equal(ag_indicator_svg("Feel \"safe\" at night", "%", s, 2, &b2), 0);
    assert_string_equal(b.data, b2.data); /* deterministic */
    const char *svg = b.data;
    assert_memory_equal(svg, "<svg xmlns=\"http://www.w3.org/2000/svg\"", 39);
    assert_non_null(strstr(svg, "points=\"72,344 296,192 520,40\""));
    assert_non_null(strstr(svg, "points=\"184,268\""));
    assert_non_null(strstr(svg, "<circle cx=\"296\" cy=\"192\""));
    assert_non_null(strstr(svg, "<circle cx=\"184\" cy=\"268\""));
    /* ticks: values and years */
    for (int v = 0; v <= 100; v += 20) {
        char t[32];
        snprintf(t, sizeof t, "dy=\"4\">%d</text>", v);
        if (!strstr(svg, t))
            fail_msg("no value tick %d", v);
    }
    for (int y = 2020; y <= 2024; y++) {
        char t[32];
        snprintf(t, sizeof t, ">%d</text>", y);
        if (!strstr(svg, t))
            fail_msg("no year tick %d", y);
    }
    /* the legend, the unit and the title, escaped */
    assert_non_null(strstr(svg, ">Saint-Jean &amp; &lt;Cap&gt;</text>"));
    assert_non_null(strstr(svg, "data-city=\"Saint-Jean &amp; &lt;Cap&gt;\""));
    assert_null(strstr(svg, "<Cap>"));
    assert_non_null(strstr(svg, "Feel &quot;safe&quot; at night"));
    assert_non_null(strstr(svg, "class=\"unit\""));
    assert_non_null(strstr(svg, "<title>2022: 50 %</title>"));
    ag_buf_free(&b);
    ag_buf_free(&b2);
    /* one year alone sits in the middle; no value at all says so */
    ag_buf_init(&b, 1 << 20);
    struct ag_series one = {"Nice", yb, vb, 1};
    assert_int_equal(ag_indicator_svg("t", "u", &one, 1, &b), 0);
    assert_non_null(strstr(b.data, "<circle cx=\"296\""));
    ag_buf_reset(&b);
    struct ag_series none = {"Nice", NULL, NULL, 0};
    assert_int_equal(ag_indicator_svg("t", "u", &none, 1, &b), 0);
    assert_non_null(strstr(b.data, "no value"));
    ag_buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_the_data_files_load),
        cmocka_unit_test(test_a_bad_definition_file_names_file_and_line),
        cmocka_unit_test(test_a_good_file_is_read),
        cmocka_unit_test(test_each_bad_line_is_named_and_nothing_is_kept),
        cmocka_unit_test(test_check_of_an_entered_value),
        cmocka_unit_test(test_the_chart_puts_points_where_they_belong),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
