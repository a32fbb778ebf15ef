/* Vehicle classes: the shipped table, SI conversion, and every kind of bad
 * input a user's --classes FILE can bring, each named by file, line and
 * column. SPDX-License-Identifier: EUPL-1.2 */
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

#include "agora/vehicle.h"

#define HEADER                                                                                     \
    "id,description,mass_kg,accel_ms2,power_kw,max_speed_kmh,lateral_accel_ms2,width_m,source\n"
#define ROW_M1 "M1,Car,1500,3.5,110,200,8.3,1.8,test\n"
#define ROW_N2A "N2A,Truck,7200,1.6,162,80,4.9,2.4,test\n"

/* cmocka's assert_float_equal works in float; these values need double. */
#define assert_near(a, b, eps)                                                                     \
    do {                                                                                           \
        double a_ = (a), b_ = (b);                                                                 \
        if (!(fabs(a_ - b_) <= (eps)))                                                             \
            fail_msg("%s = %.12g, expected %.12g within %g", #a, a_, b_, (double)(eps));           \
    } while (0)

static char dir[64];
static char path[128];

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/agora-vc-XXXXXX");
    if (!mkdtemp(dir))
        return -1;
    snprintf(path, sizeof path, "%s/classes.csv", dir);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    unlink(path);
    rmdir(dir);
    return 0;
}

static void write_bytes(const char *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
}

static void write_file(const char *text)
{
    write_bytes(text, strlen(text));
}

/* Loads path, expects code, and checks that the message names each of the
 * given fragments (NULL-terminated). */
static void expect_failure(int code, ...)
{
    struct ag_vehicle_classes c = {(void *)1, 99};
    struct ag_error err = {0};
    int rc = ag_vehicle_classes_load(path, &c, &err);
    if (rc != code)
        fail_msg("expected %s, got %s: %s", ag_errname(code), ag_errname(rc), err.msg);
    assert_int_equal(err.code, code);
    assert_null(c.v);
    assert_int_equal(c.n, 0);
    va_list ap;
    va_start(ap, code);
    for (const char *frag = va_arg(ap, const char *); frag; frag = va_arg(ap, const char *))
        if (!strstr(err.msg, frag))
            fail_msg("message \"%s\" does not contain \"%s\"", err.msg, frag);
    va_end(ap);
}

static void test_shipped_table(void **state)
{
    (void)state;
    const char *dd = getenv("AGORA_DATA_DIR");
    if (!dd)
        fail_msg("AGORA_DATA_DIR is not set: run this test through ctest");
    char p[4096];
    snprintf(p, sizeof p, "%s/vehicle-classes.csv", dd);
    struct ag_vehicle_classes c;
    struct ag_error err = {0};
    int rc = ag_vehicle_classes_load(p, &c, &err);
    if (rc)
        fail_msg("%s", err.msg);
    assert_true(c.n >= 6);
    for (size_t i = 0; i < c.n; i++) {
        for (size_t j = i + 1; j < c.n; j++)
            assert_string_not_equal(c.v[i].id, c.v[j].id);
        assert_true(strlen(c.v[i].source) > 20);
        assert_true(strlen(c.v[i].description) > 0);
        /* Every class accelerates, turns and fits a lane. */
        assert_true(c.v[i].accel_ms2 > 0 && c.v[i].lateral_accel_ms2 > 0);
        assert_true(c.v[i].width_m >= 1.5 && c.v[i].width_m <= 2.56);
    }
    const struct ag_vehicle_class *m1 = ag_vehicle_class_find(&c, "M1");
    assert_non_null(m1);
    assert_near(m1->mass_kg, 1500, 0);
    assert_near(m1->max_speed_ms, 200 / 3.6, 1e-9);
    const struct ag_vehicle_class *n2a = ag_vehicle_class_find(&c, "N2A");
    assert_non_null(n2a);
    assert_near(n2a->mass_kg, 7200, 0);
    assert_non_null(ag_vehicle_class_find(&c, "N3C"));
    assert_non_null(ag_vehicle_class_find(&c, "N3F"));
    assert_null(ag_vehicle_class_find(&c, "m1")); /* ids are case-sensitive */
    assert_null(ag_vehicle_class_find(&c, "X9"));
    assert_null(ag_vehicle_class_find(&c, NULL));
    /* Heavier classes never corner harder than the car. */
    for (size_t i = 0; i < c.n; i++)
        assert_true(c.v[i].lateral_accel_ms2 <= m1->lateral_accel_ms2);
    ag_vehicle_classes_free(&c);
    assert_null(c.v);
    assert_int_equal(c.n, 0);
    ag_vehicle_classes_free(&c); /* twice is harmless */
    ag_vehicle_classes_free(NULL);
}

static void test_si_conversion(void **state)
{
    (void)state;
    write_file(HEADER ROW_M1 ROW_N2A);
    struct ag_vehicle_classes c;
    assert_int_equal(ag_vehicle_classes_load(path, &c, NULL), 0);
    assert_int_equal(c.n, 2);
    const struct ag_vehicle_class *t = ag_vehicle_class_find(&c, "N2A");
    assert_non_null(t);
    assert_string_equal(t->description, "Truck");
    assert_string_equal(t->source, "test");
    assert_near(t->max_speed_ms, 22.2222, 1e-4); /* 80 km/h */
    assert_near(t->power_w, 162000, 1e-6);       /* 162 kW */
    assert_near(t->mass_kg, 7200, 0);
    assert_near(t->accel_ms2, 1.6, 1e-12);
    assert_near(t->lateral_accel_ms2, 4.9, 1e-12);
    assert_near(t->width_m, 2.4, 1e-12);
    assert_near(c.v[0].power_w, 110000, 1e-6);
    ag_vehicle_classes_free(&c);
}

/* CRLF line ends, a UTF-8 byte-order mark, blank and comment lines, no final
 * newline: all accepted, and line numbers still count every line. */
static void test_tolerated_layout(void **state)
{
    (void)state;
    write_file("\xef\xbb\xbf"
               "id,description,mass_kg,accel_ms2,power_kw,max_speed_kmh,lateral_accel_ms2,"
               "width_m,source\r\n"
               "# a comment\r\n"
               "\r\n"
               "M1,Voiture \xc3\xa9lectrique,1500,3.5,110,200,8.3,1.8,test\r\n"
               "N2A,Truck,7200,1.6,162,80,4.9,2.4,test");
    struct ag_vehicle_classes c;
    struct ag_error err = {0};
    int rc = ag_vehicle_classes_load(path, &c, &err);
    if (rc)
        fail_msg("%s", err.msg);
    assert_int_equal(c.n, 2);
    assert_string_equal(c.v[0].description, "Voiture \xc3\xa9lectrique");
    assert_string_equal(c.v[1].source, "test");
    ag_vehicle_classes_free(&c);

    /* The blank and comment lines count: the bad value is on line 6. */
    write_file(HEADER "# comment\n\n" ROW_M1 "\n"
                      "N2A,Truck,7200,1.6,fast,80,4.9,2.4,test\n");
    expect_failure(AG_EPARSE, "classes.csv:6:", "column power_kw", "\"fast\"", NULL);
}

static void test_missing_column(void **state)
{
    (void)state;
    write_file("id,description,mass_kg,accel_ms2,power_kw,max_speed_kmh,lateral_accel_ms2,"
               "source\n" ROW_M1);
    expect_failure(AG_EPARSE, "classes.csv:1:", "missing column", "\"width_m\"", NULL);
}

static void test_extra_column(void **state)
{
    (void)state;
    write_file("id,description,mass_kg,accel_ms2,power_kw,max_speed_kmh,lateral_accel_ms2,"
               "width_m,height_m,source\n" ROW_M1);
    expect_failure(AG_EPARSE, "classes.csv:1:", "unexpected column", "\"height_m\"", NULL);
    /* A repeated column. */
    write_file("id,description,mass_kg,accel_ms2,power_kw,max_speed_kmh,lateral_accel_ms2,"
               "width_m,source,source\n" ROW_M1);
    expect_failure(AG_EPARSE, "classes.csv:1:", "10 columns", NULL);
    /* Right columns, wrong order. */
    write_file("id,description,accel_ms2,mass_kg,power_kw,max_speed_kmh,lateral_accel_ms2,"
               "width_m,source\n" ROW_M1);
    expect_failure(AG_EPARSE, "classes.csv:1:", "column 3", "\"accel_ms2\"", "\"mass_kg\"", NULL);
    /* A row with a field too many (a comma in the source). */
    write_file(HEADER ROW_M1 "N2A,Truck,7200,1.6,162,80,4.9,2.4,Smith, 2020\n");
    expect_failure(AG_EPARSE, "classes.csv:3:", "column source", "10 columns", NULL);
    /* A row that stops early names the first missing column. */
    write_file(HEADER "M1,Car,1500,3.5,110,200,8.3\n");
    expect_failure(AG_EPARSE, "classes.csv:2:", "column width_m", "missing", NULL);
}

static void test_non_numeric(void **state)
{
    (void)state;
    write_file(HEADER ROW_M1 ROW_N2A "N3F,Truck,30000,1.6,fast,90,3.9,2.55,test\n");
    expect_failure(AG_EPARSE, "classes.csv:4: column power_kw: expected a number, found \"fast\"",
                   NULL);
    /* Locale or spreadsheet habits are refused, not misread. */
    static const char *bad[] = {"3,5", "1.5e", "", " ", "nan", "inf", "0x10", "1.5 kW", "--1"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char text[512];
        snprintf(text, sizeof text, HEADER "M1,Car,1500,%s,110,200,8.3,1.8,test\n", bad[i]);
        write_file(text);
        struct ag_vehicle_classes c;
        struct ag_error err = {0};
        int rc = ag_vehicle_classes_load(path, &c, &err);
        if (rc != AG_EPARSE)
            fail_msg("\"%s\" was accepted", bad[i]);
        assert_non_null(strstr(err.msg, "classes.csv:2:"));
    }
}

static void test_out_of_range(void **state)
{
    (void)state;
    static const struct {
        const char *row, *column;
    } cases[] = {
        {"M1,Car,50,3.5,110,200,8.3,1.8,t\n", "column mass_kg"},
        {"M1,Car,150000,3.5,110,200,8.3,1.8,t\n", "column mass_kg"},
        {"M1,Car,1500,0,110,200,8.3,1.8,t\n", "column accel_ms2"},
        {"M1,Car,1500,-3,110,200,8.3,1.8,t\n", "column accel_ms2"},
        {"M1,Car,1500,35,110,200,8.3,1.8,t\n", "column accel_ms2"},
        {"M1,Car,1500,3.5,110000,200,8.3,1.8,t\n", "column power_kw"}, /* W, not kW */
        {"M1,Car,1500,3.5,110,2,8.3,1.8,t\n", "column max_speed_kmh"},
        {"M1,Car,1500,3.5,110,900,8.3,1.8,t\n", "column max_speed_kmh"},
        {"M1,Car,1500,3.5,110,200,0.3,1.8,t\n", "column lateral_accel_ms2"},
        {"M1,Car,1500,3.5,110,200,80,1.8,t\n", "column lateral_accel_ms2"},
        {"M1,Car,1500,3.5,110,200,8.3,180,t\n", "column width_m"}, /* cm, not m */
        {"M1,Car,1500,3.5,110,200,8.3,0.2,t\n", "column width_m"},
        {"M1,Car,1500,3.5,110,200,8.3,1e400,t\n", "column width_m"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char text[512];
        snprintf(text, sizeof text, HEADER ROW_N2A "%s", cases[i].row);
        write_file(text);
        struct ag_vehicle_classes c;
        struct ag_error err = {0};
        int rc = ag_vehicle_classes_load(path, &c, &err);
        if (rc != AG_EPARSE)
            fail_msg("row %zu accepted: %s", i, cases[i].row);
        if (!strstr(err.msg, "classes.csv:3:") || !strstr(err.msg, cases[i].column))
            fail_msg("row %zu: message \"%s\"", i, err.msg);
    }
    /* The bounds themselves are accepted. */
    write_file(HEADER "A,a,100,0.1,1,5,0.5,0.5,t\nB,b,100000,15,2000,300,15,3.5,t\n");
    struct ag_vehicle_classes c;
    assert_int_equal(ag_vehicle_classes_load(path, &c, NULL), 0);
    assert_int_equal(c.n, 2);
    ag_vehicle_classes_free(&c);
}

static void test_duplicate_id(void **state)
{
    (void)state;
    write_file(HEADER ROW_M1 ROW_N2A ROW_M1);
    expect_failure(AG_EPARSE, "classes.csv:4:", "column id", "duplicate", "\"M1\"", "line 2", NULL);
}

static void test_bad_ids_and_text(void **state)
{
    (void)state;
    static const char *rows[] = {
        ",Car,1500,3.5,110,200,8.3,1.8,t\n",                 /* empty id */
        "M 1,Car,1500,3.5,110,200,8.3,1.8,t\n",              /* space */
        "ABCDEFGHIJKLMNOP,Car,1500,3.5,110,200,8.3,1.8,t\n", /* 16 characters */
        "M1/x,Car,1500,3.5,110,200,8.3,1.8,t\n",             /* slash */
        /* non-ASCII: "Mé1" (é written as octal escapes so the 1 is not read
         * as a further hex digit) */
        "M\303\2511,Car,1500,3.5,110,200,8.3,1.8,t\n",
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        char text[512];
        snprintf(text, sizeof text, HEADER "%s", rows[i]);
        write_file(text);
        expect_failure(AG_EPARSE, "classes.csv:2:", "column id", NULL);
    }
    write_file(HEADER "ABCDEFGHIJKLMNO,Car,1500,3.5,110,200,8.3,1.8,t\n"); /* 15: fine */
    struct ag_vehicle_classes c;
    assert_int_equal(ag_vehicle_classes_load(path, &c, NULL), 0);
    ag_vehicle_classes_free(&c);

    write_file(HEADER "M1,,1500,3.5,110,200,8.3,1.8,t\n");
    expect_failure(AG_EPARSE, "classes.csv:2:", "column description", NULL);
    write_file(HEADER "M1,Car,1500,3.5,110,200,8.3,1.8,\n");
    expect_failure(AG_EPARSE, "classes.csv:2:", "column source", NULL);
    write_file(HEADER "M1,Car\tx,1500,3.5,110,200,8.3,1.8,t\n");
    expect_failure(AG_EPARSE, "classes.csv:2:", "column description", NULL);
    write_file(HEADER "M1,Car,1500,3.5,110,200,8.3,1.8,bad \xff utf-8\n");
    expect_failure(AG_EPARSE, "classes.csv:2:", "column source", NULL);
    write_file(HEADER "M1,Car,1500,3.5,110,200,8.3,1.8,\"Smith, 2020\"\n");
    expect_failure(AG_EPARSE, "classes.csv:2:", "quotes", NULL);
    write_bytes(HEADER "M1,Car,1500,3.5,110,200,8.3,1.8,t\0x\n",
                sizeof(HEADER "M1,Car,1500,3.5,110,200,8.3,1.8,t\0x\n") - 1);
    expect_failure(AG_EPARSE, "classes.csv:2:", "NUL", NULL);
}

static void test_empty(void **state)
{
    (void)state;
    write_file("");
    expect_failure(AG_EEMPTY, "classes.csv:1:", "empty", "id,description", NULL);
    write_file("\n");
    expect_failure(AG_EEMPTY, "classes.csv:1:", NULL);
    write_file(HEADER);
    expect_failure(AG_EEMPTY, "classes.csv:", "no vehicle classes", NULL);
    write_file(HEADER "# only a comment\n\n");
    expect_failure(AG_EEMPTY, "classes.csv:3:", "no vehicle classes", NULL);
}

static void test_missing_file(void **state)
{
    (void)state;
    unlink(path);
    expect_failure(AG_ENOENT, "classes.csv", NULL);
    struct ag_vehicle_classes c;
    assert_int_equal(ag_vehicle_classes_load(NULL, &c, NULL), AG_EINVAL);
    assert_int_equal(ag_vehicle_classes_load("", &c, NULL), AG_EINVAL);
    assert_int_equal(ag_vehicle_classes_load(path, NULL, NULL), AG_EINVAL);
    /* A directory is not a table. */
    struct ag_error err = {0};
    assert_int_not_equal(ag_vehicle_classes_load(dir, &c, &err), 0);
    assert_null(c.v);
}

static void test_size_bound(void **state)
{
    (void)state;
    /* 2 MiB of comment lines: refused before parsing, the table stays empty. */
    size_t n = 2u << 20;
    char *big = malloc(n);
    assert_non_null(big);
    memset(big, '#', n);
    for (size_t i = 79; i < n; i += 80)
        big[i] = '\n';
    memcpy(big, HEADER, sizeof HEADER - 1);
    write_bytes(big, n);
    free(big);
    expect_failure(AG_ELIMIT, "classes.csv", NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_shipped_table, setup, teardown),
        cmocka_unit_test_setup_teardown(test_si_conversion, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tolerated_layout, setup, teardown),
        cmocka_unit_test_setup_teardown(test_missing_column, setup, teardown),
        cmocka_unit_test_setup_teardown(test_extra_column, setup, teardown),
        cmocka_unit_test_setup_teardown(test_non_numeric, setup, teardown),
        cmocka_unit_test_setup_teardown(test_out_of_range, setup, teardown),
        cmocka_unit_test_setup_teardown(test_duplicate_id, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_ids_and_text, setup, teardown),
        cmocka_unit_test_setup_teardown(test_empty, setup, teardown),
        cmocka_unit_test_setup_teardown(test_missing_file, setup, teardown),
        cmocka_unit_test_setup_teardown(test_size_bound, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
