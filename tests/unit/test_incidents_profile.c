/* Unit tests for agora/incidents.h, "when": local civil calendar fields,
 * the temporal profile (hour × weekday, weekday, hour, month) and the
 * log-linear Poisson trend.
 *
 * Every expected value is computed another way: calendar fields by a naive
 * day-by-day counter and Zeller's congruence, profile counts by hand or
 * from the fields the events were generated from, the trend by its closed
 * form for two periods and by a golden-section search of the profile
 * log-likelihood in long double, its standard error by the numerical
 * second derivative of that profile.
 * SPDX-License-Identifier: EUPL-1.2 */
/* cmocka.h needs these four first, in this order. */
/* clang-format off */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
/* clang-format on */

#include <limits.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agora/incidents.h"

#define assert_near(actual, expected, tol)                                                         \
    do {                                                                                           \
        double a_ = (actual), e_ = (expected), t_ = (tol);                                         \
        if (!(fabs(a_ - e_) <= t_))                                                                \
            fail_msg("%s = %.17g, expected %.17g within %g", #actual, a_, e_, t_);                 \
    } while (0)

#define assert_ok(call)                                                                            \
    do {                                                                                           \
        struct ag_error e_ = {0};                                                                  \
        int rc_ = (call);                                                                          \
        if (rc_ != 0)                                                                              \
            fail_msg("%s failed: %s: %s", #call, ag_errname(rc_), e_.msg);                         \
    } while (0)

/* A small deterministic generator for test data (Knuth's MMIX LCG, upper
 * bits), independent of the library's own. */
static uint64_t lcg_state;

static uint32_t lcg_next(void)
{
    lcg_state = lcg_state * 6364136223846793005u + 1442695040888963407u;
    return (uint32_t)(lcg_state >> 32);
}

static int lcg_below(int n)
{
    return (int)(lcg_next() % (uint32_t)n);
}

static struct ag_civil civil(int y, int mo, int d, int h, int mi, int s)
{
    struct ag_civil c = {y, mo, d, h, mi, s, -1};
    return c;
}

static int64_t secs(int y, int mo, int d, int h, int mi, int s)
{
    struct ag_civil c = civil(y, mo, d, h, mi, s);
    int64_t t = 0;
    if (ag_civil_to_seconds(&c, &t) != 0)
        fail_msg("%d-%02d-%02d %02d:%02d:%02d rejected", y, mo, d, h, mi, s);
    return t;
}

static void assert_civil(struct ag_civil c, int y, int mo, int d, int h, int mi, int s, int wd)
{
    if (c.year != y || c.month != mo || c.day != d || c.hour != h || c.minute != mi ||
        c.second != s || c.weekday != wd)
        fail_msg(
            "got %d-%02d-%02d %02d:%02d:%02d wd %d, expected %d-%02d-%02d %02d:%02d:%02d wd %d",
            c.year, c.month, c.day, c.hour, c.minute, c.second, c.weekday, y, mo, d, h, mi, s, wd);
}

/* ---- civil calendar ---- */

static void test_civil_anchors(void **state)
{
    (void)state;
    /* 1970-01-01 was a Thursday; weekday 0 is Monday. */
    assert_civil(ag_civil_from_seconds(0), 1970, 1, 1, 0, 0, 0, 3);
    assert_civil(ag_civil_from_seconds(-1), 1969, 12, 31, 23, 59, 59, 2);
    assert_civil(ag_civil_from_seconds(-86400), 1969, 12, 31, 0, 0, 0, 2);
    assert_civil(ag_civil_from_seconds(-86401), 1969, 12, 30, 23, 59, 59, 1);
    assert_int_equal(secs(1970, 1, 1, 0, 0, 0), 0);
    assert_int_equal(secs(1969, 12, 31, 23, 59, 59), -1);
    /* 2000 is a leap year (divisible by 400): 11,016 days after the epoch
     * (30 years of 365 days + 7 leap days + 31 + 28), a Tuesday. */
    assert_int_equal(secs(2000, 2, 29, 0, 0, 0), 11016 * 86400LL);
    assert_civil(ag_civil_from_seconds(11016 * 86400LL + 3723), 2000, 2, 29, 1, 2, 3, 1);
    assert_civil(ag_civil_from_seconds(11017 * 86400LL), 2000, 3, 1, 0, 0, 0, 2);
    /* 2016-01-01 was a Friday. */
    assert_civil(ag_civil_from_seconds(16801 * 86400LL), 2016, 1, 1, 0, 0, 0, 4);
    /* 0001-01-01 (proleptic) was a Monday, 719,162 days before 1970. */
    assert_civil(ag_civil_from_seconds(-719162 * 86400LL), 1, 1, 1, 0, 0, 0, 0);
    /* Year 0 is a leap year, as every multiple of 400. */
    assert_civil(ag_civil_from_seconds(secs(0, 2, 29, 12, 0, 0)), 0, 2, 29, 12, 0, 0, 1);
}

static bool naive_leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int naive_month_len(int y, int m)
{
    static const int len[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && naive_leap(y) ? 29 : len[m - 1];
}

/* One day of the counter below: three times of that day, their fields and
 * their round trip through ag_civil_to_seconds. */
static void check_day(int64_t day, int y, int m, int d, int wd)
{
    static const int sod[3] = {0, 45296, 86399}; /* 00:00:00, 12:34:56, 23:59:59 */
    for (int k = 0; k < 3; k++) {
        int64_t t = day * 86400 + sod[k];
        struct ag_civil c = ag_civil_from_seconds(t);
        if (c.year != y || c.month != m || c.day != d || c.weekday != wd ||
            c.hour * 3600 + c.minute * 60 + c.second != sod[k])
            fail_msg("day %lld: got %d-%d-%d wd %d, expected %d-%d-%d wd %d", (long long)day,
                     c.year, c.month, c.day, c.weekday, y, m, d, wd);
        int64_t back = 0;
        assert_int_equal(ag_civil_to_seconds(&c, &back), 0);
        if (back != t)
            fail_msg("round trip of %lld gave %lld", (long long)t, (long long)back);
    }
}

/* Every day of years -1000 .. 3000 against a counter that walks from
 * 1970-01-01 (a Thursday) one day at a time, forwards and backwards. */
static void test_civil_matches_day_by_day_counter(void **state)
{
    (void)state;
    int y = 1970, m = 1, d = 1, wd = 3;
    int64_t day = 0;
    while (y <= 3000) {
        check_day(day, y, m, d, wd);
        day++;
        wd = (wd + 1) % 7;
        if (++d > naive_month_len(y, m)) {
            d = 1;
            if (++m > 12) {
                m = 1;
                y++;
            }
        }
    }
    y = 1969, m = 12, d = 31, wd = 2, day = -1;
    while (y >= -1000) {
        check_day(day, y, m, d, wd);
        day--;
        wd = (wd + 6) % 7;
        if (--d < 1) {
            if (--m < 1) {
                m = 12;
                y--;
            }
            d = naive_month_len(y, m);
        }
    }
    /* The counter went through every day of years -1000 .. 1969: 2,970
     * years of 365 days and 720 leap days (743 multiples of 4, less 30 of
     * 100, plus 7 of 400). */
    assert_int_equal(day, -1084770 - 1);
}

/* Zeller's congruence for the weekday of a Gregorian date, with floor
 * division so that it also holds for years <= 0:
 * h = (d + ⌊13(m + 1)/5⌋ + K + ⌊K/4⌋ + ⌊J/4⌋ + 5J) mod 7, 0 = Saturday,
 * K = year mod 100, J = ⌊year / 100⌋, January and February counted as
 * months 13 and 14 of the year before. Independent of any day count. */
static int64_t fdiv(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return q - (a % b != 0 && a < 0);
}

static int zeller_weekday(int year, int m, int d)
{
    int64_t y = year;
    if (m < 3) {
        m += 12;
        y--;
    }
    int64_t j = fdiv(y, 100), k = y - 100 * j;
    int64_t h = d + 13 * (m + 1) / 5 + k + k / 4 + fdiv(j, 4) + 5 * j;
    h -= 7 * fdiv(h, 7);
    return (int)((h + 5) % 7); /* Saturday is 5 when Monday is 0 */
}

static void test_civil_weekday_matches_zeller(void **state)
{
    (void)state;
    lcg_state = 7;
    for (int i = 0; i < 200000; i++) {
        int y = -400000 + lcg_below(800001), m = 1 + lcg_below(12);
        int d = 1 + lcg_below(naive_month_len(y, m));
        struct ag_civil c = ag_civil_from_seconds(secs(y, m, d, 6, 7, 8));
        assert_civil(c, y, m, d, 6, 7, 8, zeller_weekday(y, m, d));
    }
}

/* Across the whole int range of years: the round trip is exact, and adding
 * 400 years (146,097 days) moves only the year. */
static void test_civil_round_trip_and_400_year_cycle(void **state)
{
    (void)state;
    lcg_state = 11;
    for (int i = 0; i < 200000; i++) {
        int y = (int)((int64_t)lcg_next() + INT_MIN); /* any int */
        if (y > INT_MAX - 400)
            y -= 400;
        int m = 1 + lcg_below(12), d = 1 + lcg_below(naive_month_len(y, m));
        int h = lcg_below(24), mi = lcg_below(60), s = lcg_below(60);
        int64_t t = secs(y, m, d, h, mi, s);
        struct ag_civil c = ag_civil_from_seconds(t);
        assert_civil(c, y, m, d, h, mi, s, zeller_weekday(y, m, d));
        struct ag_civil c400 = ag_civil_from_seconds(t + 146097LL * 86400);
        assert_civil(c400, y + 400, m, d, h, mi, s, c.weekday);
    }
}

/* The first and last representable seconds, and clamping beyond them. */
static void test_civil_extremes_are_clamped(void **state)
{
    (void)state;
    int64_t lo = secs(INT_MIN, 1, 1, 0, 0, 0), hi = secs(INT_MAX, 12, 31, 23, 59, 59);
    struct ag_civil c = ag_civil_from_seconds(INT64_MIN);
    assert_civil(c, INT_MIN, 1, 1, 0, 0, 0, zeller_weekday(INT_MIN, 1, 1));
    assert_civil(ag_civil_from_seconds(lo), INT_MIN, 1, 1, 0, 0, 0, c.weekday);
    c = ag_civil_from_seconds(INT64_MAX);
    assert_civil(c, INT_MAX, 12, 31, 23, 59, 59, zeller_weekday(INT_MAX, 12, 31));
    assert_civil(ag_civil_from_seconds(hi), INT_MAX, 12, 31, 23, 59, 59, c.weekday);
    assert_civil(ag_civil_from_seconds(hi - 86400), INT_MAX, 12, 30, 23, 59, 59,
                 (c.weekday + 6) % 7);
    /* Gregorian years average 365.2425 days; within a 400-year cycle the
     * count of days drifts from that mean by less than two days. */
    assert_near((double)hi + 1, (2147483648.0 - 1970) * 365.2425 * 86400, 2 * 86400);
    assert_near((double)lo, (-2147483648.0 - 1970) * 365.2425 * 86400, 2 * 86400);
}

static void test_civil_rejects_invalid_fields(void **state)
{
    (void)state;
    static const int bad[][6] = {
        {2023, 2, 29, 0, 0, 0}, {1900, 2, 29, 0, 0, 0}, {2023, 0, 1, 0, 0, 0},
        {2023, 13, 1, 0, 0, 0}, {2023, 1, 32, 0, 0, 0}, {2023, 1, 0, 0, 0, 0},
        {2023, 4, 31, 0, 0, 0}, {2023, 1, 1, 24, 0, 0}, {2023, 1, 1, -1, 0, 0},
        {2023, 1, 1, 0, 60, 0}, {2023, 1, 1, 0, -1, 0}, {2023, 1, 1, 0, 0, 60},
        {2023, 1, 1, 0, 0, -1}, {-100, 2, 29, 0, 0, 0},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct ag_civil c = civil(bad[i][0], bad[i][1], bad[i][2], bad[i][3], bad[i][4], bad[i][5]);
        int64_t t = 12345;
        assert_int_equal(ag_civil_to_seconds(&c, &t), AG_EINVAL);
        assert_int_equal(t, 12345);
    }
    /* Leap days that exist, and the weekday field ignored. */
    struct ag_civil c = civil(2024, 2, 29, 23, 59, 59);
    c.weekday = 99;
    int64_t t;
    assert_int_equal(ag_civil_to_seconds(&c, &t), 0);
    assert_int_equal(ag_civil_to_seconds(NULL, &t), AG_EINVAL);
    assert_int_equal(ag_civil_to_seconds(&c, NULL), AG_EINVAL);
    secs(-400, 2, 29, 0, 0, 0);
    secs(2000, 2, 29, 0, 0, 0);
}

/* ---- profile ---- */

/* Four events by hand: Sunday 2023-12-31 23:30, Monday 2024-01-01 00:15,
 * Friday 2024-03-15 as a date only (recorded at 17:00, which must not
 * count) and Friday 2024-03-15 08:00. February 2024 has none. */
static void test_profile_hand_counts_across_a_year_boundary(void **state)
{
    (void)state;
    int64_t t[4] = {secs(2023, 12, 31, 23, 30, 0), secs(2024, 1, 1, 0, 15, 0),
                    secs(2024, 3, 15, 17, 0, 0), secs(2024, 3, 15, 8, 0, 0)};
    bool has_time[4] = {true, true, false, true};
    struct ag_incidents_profile p;
    assert_ok(ag_incidents_profile(t, has_time, 4, &p, &e_));
    assert_int_equal(p.n, 4);
    assert_int_equal(p.no_time, 1);
    assert_int_equal(p.first_year, 2023);
    assert_int_equal(p.first_month, 12);
    assert_int_equal(p.nmonths, 4);
    uint64_t monthly[4] = {1, 1, 0, 2};
    for (int i = 0; i < 4; i++)
        assert_int_equal(p.monthly[i], monthly[i]);
    uint64_t weekday[7] = {1, 0, 0, 0, 2, 0, 1};
    for (int d = 0; d < 7; d++)
        assert_int_equal(p.weekday[d], weekday[d]);
    for (int h = 0; h < 24; h++)
        assert_int_equal(p.hour[h], h == 23 || h == 0 || h == 8 ? 1 : 0);
    for (int d = 0; d < 7; d++)
        for (int h = 0; h < 24; h++) {
            int want = (d == 6 && h == 23) || (d == 0 && h == 0) || (d == 4 && h == 8);
            assert_int_equal(p.hour_weekday[d][h], want);
        }
    ag_incidents_profile_free(&p);
    assert_null(p.monthly);
    ag_incidents_profile_free(&p);
    ag_incidents_profile_free(NULL);
}

/* has_time NULL: every record has a time, so 17:00 counts. Times before
 * 1970 and before year 1. */
static void test_profile_without_has_time_and_before_1970(void **state)
{
    (void)state;
    int64_t t[3] = {secs(1969, 12, 31, 23, 59, 59), secs(1969, 10, 1, 17, 0, 0),
                    secs(1969, 12, 1, 0, 0, 0)};
    struct ag_incidents_profile p;
    assert_ok(ag_incidents_profile(t, NULL, 3, &p, &e_));
    assert_int_equal(p.no_time, 0);
    assert_int_equal(p.first_year, 1969);
    assert_int_equal(p.first_month, 10);
    assert_int_equal(p.nmonths, 3);
    assert_int_equal(p.monthly[0], 1);
    assert_int_equal(p.monthly[1], 0);
    assert_int_equal(p.monthly[2], 2);
    /* Wednesday, Wednesday, Monday. */
    assert_int_equal(p.weekday[2], 2);
    assert_int_equal(p.weekday[0], 1);
    assert_int_equal(p.hour[23], 1);
    assert_int_equal(p.hour[17], 1);
    assert_int_equal(p.hour[0], 1);
    assert_int_equal(p.hour_weekday[2][17], 1);
    ag_incidents_profile_free(&p);

    /* December of year -1 (2 BC) and January of year 0: one month apart. */
    int64_t u[2] = {secs(-1, 12, 31, 12, 0, 0), secs(0, 1, 1, 12, 0, 0)};
    assert_ok(ag_incidents_profile(u, NULL, 2, &p, &e_));
    assert_int_equal(p.first_year, -1);
    assert_int_equal(p.first_month, 12);
    assert_int_equal(p.nmonths, 2);
    assert_int_equal(p.monthly[0], 1);
    assert_int_equal(p.monthly[1], 1);
    assert_int_equal(p.weekday[zeller_weekday(0, 1, 1)] + p.weekday[zeller_weekday(-1, 12, 31)], 2);
    ag_incidents_profile_free(&p);
}

/* Events generated from random calendar fields: the profile equals the
 * tally of those fields, with weekdays by Zeller's congruence. */
static void test_profile_matches_the_fields_events_were_made_from(void **state)
{
    (void)state;
    enum { N = 5000, Y0 = 1890, NY = 141 };
    int64_t *t = malloc(N * sizeof *t);
    bool *has = malloc(N * sizeof *has);
    uint64_t *monthly = calloc(NY * 12, sizeof *monthly);
    uint64_t hw[7][24] = {{0}}, wd[7] = {0}, hr[24] = {0}, no_time = 0;
    assert_non_null(t);
    assert_non_null(has);
    assert_non_null(monthly);
    lcg_state = 3;
    int mmin = INT_MAX, mmax = INT_MIN;
    for (int i = 0; i < N; i++) {
        int y = Y0 + lcg_below(NY), m = 1 + lcg_below(12), d = 1 + lcg_below(naive_month_len(y, m));
        int h = lcg_below(24);
        t[i] = secs(y, m, d, h, lcg_below(60), lcg_below(60));
        has[i] = lcg_below(5) != 0;
        int w = zeller_weekday(y, m, d), mi = (y - Y0) * 12 + m - 1;
        monthly[mi]++;
        mmin = mi < mmin ? mi : mmin;
        mmax = mi > mmax ? mi : mmax;
        wd[w]++;
        if (has[i]) {
            hr[h]++;
            hw[w][h]++;
        } else {
            no_time++;
        }
    }
    struct ag_incidents_profile p;
    assert_ok(ag_incidents_profile(t, has, N, &p, &e_));
    assert_int_equal(p.n, N);
    assert_int_equal(p.no_time, no_time);
    assert_int_equal(p.nmonths, mmax - mmin + 1);
    assert_int_equal(p.first_year, Y0 + mmin / 12);
    assert_int_equal(p.first_month, mmin % 12 + 1);
    for (size_t k = 0; k < p.nmonths; k++)
        assert_int_equal(p.monthly[k], monthly[mmin + (int)k]);
    for (int d = 0; d < 7; d++) {
        assert_int_equal(p.weekday[d], wd[d]);
        for (int h = 0; h < 24; h++)
            assert_int_equal(p.hour_weekday[d][h], hw[d][h]);
    }
    for (int h = 0; h < 24; h++)
        assert_int_equal(p.hour[h], hr[h]);
    ag_incidents_profile_free(&p);
    free(t);
    free(has);
    free(monthly);
}

static void test_profile_limits_and_rejections(void **state)
{
    (void)state;
    struct ag_incidents_profile p;
    struct ag_error err = {0};
    /* January 1000 to December 1999: 12,000 months, the most allowed. */
    int64_t t[2] = {secs(1000, 1, 1, 0, 0, 0), secs(1999, 12, 31, 23, 59, 59)};
    assert_ok(ag_incidents_profile(t, NULL, 2, &p, &e_));
    assert_int_equal(p.nmonths, 12000);
    assert_int_equal(p.monthly[0], 1);
    assert_int_equal(p.monthly[11999], 1);
    ag_incidents_profile_free(&p);
    t[1] = secs(2000, 1, 1, 0, 0, 0);
    assert_int_equal(ag_incidents_profile(t, NULL, 2, &p, &err), AG_ELIMIT);
    assert_non_null(strstr(err.msg, "12001 months"));
    assert_null(p.monthly);
    ag_incidents_profile_free(&p);

    /* One event: one month. */
    assert_ok(ag_incidents_profile(t, NULL, 1, &p, &e_));
    assert_int_equal(p.nmonths, 1);
    assert_int_equal(p.monthly[0], 1);
    ag_incidents_profile_free(&p);

    assert_int_equal(ag_incidents_profile(t, NULL, 0, &p, &err), AG_EINVAL);
    assert_null(p.monthly);
    assert_int_equal(ag_incidents_profile(NULL, NULL, 2, &p, &err), AG_EINVAL);
    assert_int_equal(ag_incidents_profile(t, NULL, 2, NULL, &err), AG_EINVAL);
    int64_t far[1] = {INT64_MAX};
    assert_int_equal(ag_incidents_profile(far, NULL, 1, &p, &err), AG_EINVAL);
    assert_non_null(strstr(err.msg, "outside"));
    assert_int_equal(ag_incidents_profile(far, NULL, 1, &p, NULL), AG_EINVAL);
}

/* ---- trend ---- */

static double trend_b(const double *y, size_t n)
{
    struct ag_incidents_trend tr;
    struct ag_error err = {0};
    int rc = ag_incidents_trend(y, n, &tr, &err);
    if (rc)
        fail_msg("trend failed: %s", err.msg);
    return tr.b;
}

/* Two periods: μ_0 = y_0 and μ_1 = y_1 fit exactly, so b = ln(y_1 / y_0),
 * a = ln y_0, and the inverse information gives var(b) = 1/y_0 + 1/y_1. */
static void test_trend_two_periods_closed_form(void **state)
{
    (void)state;
    static const double pairs[][2] = {{4, 9}, {10, 3}, {1, 1}, {0.5, 2.5}, {1000, 1}, {7, 7000}};
    for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++) {
        double y0 = pairs[i][0], y1 = pairs[i][1];
        struct ag_incidents_trend tr;
        assert_ok(ag_incidents_trend(pairs[i], 2, &tr, &e_));
        double b = log(y1 / y0), se = sqrt(1 / y0 + 1 / y1);
        assert_int_equal(tr.periods, 2);
        assert_near(tr.b, b, 1e-13 * fmax(1, fabs(b)));
        assert_near(tr.a, log(y0), 1e-13 * fmax(1, fabs(log(y0))));
        assert_near(tr.se_b, se, 1e-13 * se);
        assert_near(tr.z, b / se, 1e-12 * fmax(1, fabs(b / se)));
        assert_near(tr.rate_ratio, y1 / y0, 1e-13 * y1 / y0);
        assert_near(tr.p, erfc(fabs(b / se) / sqrt(2)), 1e-13);
    }
    /* The Wald p-value of (4, 9): z = 1.3494694501804951, p from Python's
     * math.erfc(z / sqrt(2)). */
    struct ag_incidents_trend tr;
    assert_ok(ag_incidents_trend(pairs[0], 2, &tr, &e_));
    assert_near(tr.z, 1.3494694501804951, 1e-13);
    assert_near(tr.p, 0.17718622651813207, 1e-14);
}

/* Constant counts c: b = 0, a = ln c, var(b) = 1 / (c Σ (t − t̄)²). */
static void test_trend_constant_counts_have_zero_slope(void **state)
{
    (void)state;
    for (size_t n = 2; n <= 50; n += 3) {
        double y[50];
        for (size_t i = 0; i < n; i++)
            y[i] = 17;
        struct ag_incidents_trend tr;
        assert_ok(ag_incidents_trend(y, n, &tr, &e_));
        double sxx = (double)n * ((double)n * n - 1) / 12; /* Σ (t − t̄)² */
        assert_near(tr.b, 0, 1e-15);
        assert_near(tr.a, log(17), 1e-14);
        assert_near(tr.se_b, 1 / sqrt(17 * sxx), 1e-14 / sqrt(17 * sxx));
        assert_near(tr.p, 1, 1e-13);
        assert_near(tr.rate_ratio, 1, 1e-15);
    }
    /* Zeros at both ends, symmetric: the y-weighted mean time is the middle,
     * so b = 0. */
    double sym[5] = {0, 2, 6, 2, 0};
    assert_near(trend_b(sym, 5), 0, 1e-15);
}

/* Profile log-likelihood of the slope, the intercept maximised out:
 * a(b) = ln(Y / Σ e^{bt}), l_p(b) = b Σ y_t t − Y ln Σ e^{bt} + const, in
 * long double with uncentred t (the library centres t, in double). */
static long double prof_ll(const double *y, size_t n, long double b)
{
    long double sy = 0, syt = 0, shift = b > 0 ? b * (long double)(n - 1) : 0, se = 0;
    for (size_t i = 0; i < n; i++) {
        sy += y[i];
        syt += y[i] * (long double)i;
        se += expl(b * (long double)i - shift);
    }
    return b * syt - sy * (shift + logl(se));
}

/* The slope that maximises prof_ll: the best of a grid of step 10^-3 on
 * [−10, 10], then golden-section search to a bracket of 10^-13. */
static double oracle_b(const double *y, size_t n)
{
    const long double step = 1e-3L;
    long double best = 0, lbest = prof_ll(y, n, 0);
    for (int k = -10000; k <= 10000; k++) {
        long double b = k * step, l = prof_ll(y, n, b);
        if (l > lbest) {
            lbest = l;
            best = b;
        }
    }
    const long double g = (sqrtl(5) - 1) / 2;
    long double lo = best - step, hi = best + step;
    long double x1 = hi - g * (hi - lo), x2 = lo + g * (hi - lo);
    long double f1 = prof_ll(y, n, x1), f2 = prof_ll(y, n, x2);
    while (hi - lo > 1e-13L) {
        if (f1 < f2) {
            lo = x1;
            x1 = x2;
            f1 = f2;
            x2 = lo + g * (hi - lo);
            f2 = prof_ll(y, n, x2);
        } else {
            hi = x2;
            x2 = x1;
            f2 = f1;
            x1 = hi - g * (hi - lo);
            f1 = prof_ll(y, n, x1);
        }
    }
    return (double)((lo + hi) / 2);
}

/* Poisson draw by multiplying uniforms (Knuth, TAOCP vol. 2, 3.4.1),
 * fine for the small means used here. */
static double poisson_draw(double mean)
{
    double limit = exp(-mean), prod = 1;
    int k = -1;
    do {
        prod *= (lcg_next() + 0.5) / 4294967296.0;
        k++;
    } while (prod > limit);
    return k;
}

static void check_against_oracle(const double *y, size_t n)
{
    struct ag_incidents_trend tr;
    assert_ok(ag_incidents_trend(y, n, &tr, &e_));
    double b = oracle_b(y, n);
    assert_near(tr.b, b, 1e-8);
    /* The intercept is the profile's a(b) at the fitted b. */
    long double sy = 0, se = 0;
    for (size_t i = 0; i < n; i++) {
        sy += y[i];
        se += expl((long double)tr.b * (long double)i);
    }
    assert_near(tr.a, (double)logl(sy / se), 1e-10 * fmax(1, fabs(tr.a)));
    /* se(b)^-2 is minus the second derivative of the profile
     * log-likelihood (which equals the bb element of the inverse of the
     * full information), here by a central difference. */
    long double h = 1e-3L / (long double)(n - 1), bb = tr.b;
    long double d2 =
        (prof_ll(y, n, bb + h) - 2 * prof_ll(y, n, bb) + prof_ll(y, n, bb - h)) / (h * h);
    double se_num = (double)(1 / sqrtl(-d2));
    assert_near(tr.se_b, se_num, 1e-6 * se_num);
    assert_near(tr.z, tr.b / tr.se_b, 1e-14 * fmax(1, fabs(tr.z)));
    assert_near(tr.p, erfc(fabs(tr.z) / sqrt(2)), 1e-15);
    assert_near(tr.rate_ratio, exp(tr.b), 1e-15 * exp(tr.b));
}

static void test_trend_matches_profile_likelihood_search(void **state)
{
    (void)state;
    static const double rising[] = {3, 5, 4, 8, 9, 12, 10, 15};
    static const double falling[] = {40, 31, 33, 22, 25, 17, 12, 14, 9, 6};
    static const double inner[] = {0, 0, 5, 0, 3, 0, 0};
    static const double steep[] = {5, 0, 0, 0, 1};
    static const double late[] = {0, 1, 0, 0, 0, 0, 0, 0, 0, 7};
    static const double frac[] = {0.5, 1.25, 2.0, 0.0, 3.75};
    static const double ends[] = {1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1000};
    check_against_oracle(rising, sizeof rising / sizeof rising[0]);
    check_against_oracle(falling, sizeof falling / sizeof falling[0]);
    check_against_oracle(inner, sizeof inner / sizeof inner[0]);
    check_against_oracle(steep, sizeof steep / sizeof steep[0]);
    check_against_oracle(late, sizeof late / sizeof late[0]);
    check_against_oracle(frac, sizeof frac / sizeof frac[0]);
    check_against_oracle(ends, sizeof ends / sizeof ends[0]);
    /* Simulated months: rate e^{1.5 + 0.01 t} over 200 periods, and a
     * flat rate of 0.3 (mostly zeros) over 60. */
    lcg_state = 5;
    double sim[200];
    for (int i = 0; i < 200; i++)
        sim[i] = poisson_draw(exp(1.5 + 0.01 * i));
    check_against_oracle(sim, 200);
    for (int i = 0; i < 60; i++)
        sim[i] = poisson_draw(0.3);
    check_against_oracle(sim, 60);
}

/* Reversing the series negates b and keeps se; scaling the counts by k
 * adds ln k to a, keeps b and divides se by sqrt k. */
static void test_trend_reversal_and_scaling(void **state)
{
    (void)state;
    static const double y[] = {12, 7, 9, 4, 6, 3, 0, 2};
    enum { N = sizeof y / sizeof y[0] };
    double rev[N], scaled[N];
    for (int i = 0; i < N; i++) {
        rev[i] = y[N - 1 - i];
        scaled[i] = 3.5 * y[i];
    }
    struct ag_incidents_trend t0, tr, ts;
    assert_ok(ag_incidents_trend(y, N, &t0, &e_));
    assert_ok(ag_incidents_trend(rev, N, &tr, &e_));
    assert_ok(ag_incidents_trend(scaled, N, &ts, &e_));
    assert_true(t0.b < 0);
    assert_near(tr.b, -t0.b, 1e-13);
    assert_near(tr.se_b, t0.se_b, 1e-13);
    assert_near(tr.p, t0.p, 1e-13);
    /* The fitted last period of the reversal is the first of the original. */
    assert_near(tr.a + tr.b * (N - 1), t0.a, 1e-12);
    assert_near(ts.b, t0.b, 1e-13);
    assert_near(ts.a, t0.a + log(3.5), 1e-12);
    assert_near(ts.se_b, t0.se_b / sqrt(3.5), 1e-13);
}

/* 100,000 periods, where a fit that compares log-likelihoods stalls on
 * their rounding: the fitted rates satisfy both likelihood equations,
 * Σ μ_t = Σ y_t and Σ t μ_t = Σ t y_t (summed here in long double). */
static void test_trend_long_series_solves_the_likelihood_equations(void **state)
{
    (void)state;
    enum { N = 100000 };
    double *y = malloc(N * sizeof *y);
    assert_non_null(y);
    for (int i = 0; i < N; i++)
        y[i] = floor(1000 * exp(-1e-4 * i));
    struct ag_incidents_trend tr;
    assert_ok(ag_incidents_trend(y, N, &tr, &e_));
    long double sy = 0, sty = 0, smu = 0, stmu = 0;
    for (int i = 0; i < N; i++) {
        long double mu = expl((long double)tr.a + (long double)tr.b * i);
        sy += y[i];
        sty += (long double)i * y[i];
        smu += mu;
        stmu += (long double)i * mu;
    }
    assert_near((double)(smu / sy), 1, 1e-11);
    assert_near((double)(stmu / sty), 1, 1e-11);
    assert_near(tr.b, -1e-4, 2e-6); /* the floor() lowers the counts a little */
    free(y);
}

/* Counts whose slope is finite in exact arithmetic but not in double
 * precision are refused with a message, not answered with garbage; one of
 * 1 against 10^-300 is still fine: b = ln 10^-300 exactly. */
static void test_trend_refuses_counts_beyond_double_precision(void **state)
{
    (void)state;
    struct ag_incidents_trend tr;
    struct ag_error err = {0};
    static const double crushed[] = {1e300, 0, 1e-300};
    assert_int_equal(ag_incidents_trend(crushed, 3, &tr, &err), AG_EINVAL);
    assert_non_null(strstr(err.msg, "double precision"));
    static const double tiny[] = {1, 1e-300};
    assert_ok(ag_incidents_trend(tiny, 2, &tr, &e_));
    assert_near(tr.b, log(1e-300), 1e-12 * 690.8);
    assert_near(tr.a, 0, 1e-15);
    assert_near(tr.se_b, 1e150, 1e138);
}

static void test_trend_rejects_degenerate_counts(void **state)
{
    (void)state;
    struct ag_incidents_trend tr;
    struct ag_error err = {0};
    static const double first_only[] = {5, 0, 0, 0};
    static const double last_only[] = {0, 0, 0, 2.5};
    static const double two_first[] = {3, 0};
    static const double two_last[] = {0, 3};
    static const double zeros[] = {0, 0, 0};
    static const double neg[] = {1, -1, 2};
    const double nan_y[] = {1, NAN, 2}, inf_y[] = {1, INFINITY, 2};
    static const double huge[] = {1.5e308, 1.5e308};

    assert_int_equal(ag_incidents_trend(first_only, 4, &tr, &err), AG_EINVAL);
    assert_non_null(strstr(err.msg, "every count but the first is 0"));
    assert_non_null(strstr(err.msg, "minus infinity"));
    assert_int_equal(ag_incidents_trend(last_only, 4, &tr, &err), AG_EINVAL);
    assert_non_null(strstr(err.msg, "every count but the last is 0"));
    assert_non_null(strstr(err.msg, "plus infinity"));
    assert_int_equal(ag_incidents_trend(two_first, 2, &tr, &err), AG_EINVAL);
    assert_non_null(strstr(err.msg, "infinity"));
    assert_int_equal(ag_incidents_trend(two_last, 2, &tr, &err), AG_EINVAL);
    assert_non_null(strstr(err.msg, "infinity"));
    assert_int_equal(ag_incidents_trend(zeros, 3, &tr, &err), AG_EINVAL);
    assert_int_equal(ag_incidents_trend(neg, 3, &tr, &err), AG_EINVAL);
    assert_int_equal(ag_incidents_trend(nan_y, 3, &tr, &err), AG_EINVAL);
    assert_int_equal(ag_incidents_trend(inf_y, 3, &tr, &err), AG_EINVAL);
    assert_int_equal(ag_incidents_trend(huge, 2, &tr, &err), AG_EINVAL);
    assert_int_equal(ag_incidents_trend(first_only, 1, &tr, &err), AG_EINVAL);
    assert_int_equal(ag_incidents_trend(first_only, 0, &tr, &err), AG_EINVAL);
    assert_int_equal(ag_incidents_trend(NULL, 3, &tr, &err), AG_EINVAL);
    assert_int_equal(ag_incidents_trend(first_only, 4, NULL, &err), AG_EINVAL);
    assert_int_equal(ag_incidents_trend(first_only, 4, &tr, NULL), AG_EINVAL);
    /* A zero in the middle, at one end or at both ends is fine. */
    static const double ok1[] = {5, 0, 1}, ok2[] = {0, 5, 1}, ok3[] = {0, 5, 0},
                        ok4[] = {1, 0, 0, 9, 0};
    assert_ok(ag_incidents_trend(ok1, 3, &tr, &e_));
    assert_ok(ag_incidents_trend(ok2, 3, &tr, &e_));
    assert_ok(ag_incidents_trend(ok3, 3, &tr, &e_));
    assert_ok(ag_incidents_trend(ok4, 5, &tr, &e_));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_civil_anchors),
        cmocka_unit_test(test_civil_matches_day_by_day_counter),
        cmocka_unit_test(test_civil_weekday_matches_zeller),
        cmocka_unit_test(test_civil_round_trip_and_400_year_cycle),
        cmocka_unit_test(test_civil_extremes_are_clamped),
        cmocka_unit_test(test_civil_rejects_invalid_fields),
        cmocka_unit_test(test_profile_hand_counts_across_a_year_boundary),
        cmocka_unit_test(test_profile_without_has_time_and_before_1970),
        cmocka_unit_test(test_profile_matches_the_fields_events_were_made_from),
        cmocka_unit_test(test_profile_limits_and_rejections),
        cmocka_unit_test(test_trend_two_periods_closed_form),
        cmocka_unit_test(test_trend_constant_counts_have_zero_slope),
        cmocka_unit_test(test_trend_matches_profile_likelihood_search),
        cmocka_unit_test(test_trend_reversal_and_scaling),
        cmocka_unit_test(test_trend_long_series_solves_the_likelihood_equations),
        cmocka_unit_test(test_trend_refuses_counts_beyond_double_precision),
        cmocka_unit_test(test_trend_rejects_degenerate_counts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
