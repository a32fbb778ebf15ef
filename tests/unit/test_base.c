/* Unit tests for agora/base.h: bounded buffers and their escapers, growable
 * arrays, the 64-bit hash map, number parsing, error records, file helpers
 * and progress output. Expected values are written out by hand (escapes,
 * messages), computed another way (snprintf for printf growth, strtod for
 * numbers, a plain array for the hash map) or observed from outside (the
 * bytes that reach fd 2, the entries of a directory).
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
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "agora/base.h"

#define assert_rel(actual, expected, rel)                                                          \
    do {                                                                                           \
        double a_ = (actual), e_ = (expected);                                                     \
        if (!(fabs(a_ - e_) <= fabs(e_) * (rel)))                                                  \
            fail_msg("%s = %.17g, expected %.17g within %g relative", #actual, a_, e_,             \
                     (double)(rel));                                                               \
    } while (0)

/* ---------- helpers ---------- */

/* A fresh empty directory under $TMPDIR (or /tmp); removed by rm_rf. */
static void make_tmpdir(char *dir, size_t size)
{
    const char *base = getenv("TMPDIR");
    snprintf(dir, size, "%s/agora-test-base-XXXXXX", base && *base ? base : "/tmp");
    assert_non_null(mkdtemp(dir));
}

static void rm_rf(const char *path)
{
    struct stat st;
    if (lstat(path, &st) != 0)
        return;
    if (S_ISDIR(st.st_mode)) {
        DIR *d = opendir(path);
        assert_non_null(d);
        struct dirent *e;
        while ((e = readdir(d))) {
            if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
                continue;
            char sub[4096];
            snprintf(sub, sizeof sub, "%s/%s", path, e->d_name);
            rm_rf(sub);
        }
        closedir(d);
        assert_int_equal(rmdir(path), 0);
    } else {
        assert_int_equal(unlink(path), 0);
    }
}

/* Number of entries in dir other than "." and ".."; the first one's name is
 * copied to first (when there is one). */
static int count_entries(const char *dir, char *first, size_t first_size)
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        if (n == 0 && first)
            snprintf(first, first_size, "%s", e->d_name);
        n++;
    }
    closedir(d);
    return n;
}

/* Reads a whole file with stdio, independently of ag_file_read. */
static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    size_t cap = 1024, n = 0;
    char *p = malloc(cap);
    assert_non_null(p);
    size_t got;
    while ((got = fread(p + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap) {
            cap *= 2;
            p = realloc(p, cap);
            assert_non_null(p);
        }
    }
    fclose(f);
    *len = n;
    return p;
}

static void write_file(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
}

/* splitmix64: a fixed, portable sequence for the randomised tests. */
static uint64_t rng_next(uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* ---------- ag_buf ---------- */

static void test_buf_accepts_content_up_to_exactly_max(void **state)
{
    (void)state;
    struct ag_buf b;
    ag_buf_init(&b, 10);
    assert_int_equal(ag_buf_append(&b, "01234", 5), 0);
    assert_int_equal(ag_buf_append(&b, "56789", 5), 0);
    assert_int_equal(b.len, 10);
    assert_string_equal(b.data, "0123456789");
    ag_buf_free(&b);

    ag_buf_init(&b, 10);
    assert_int_equal(ag_buf_append(&b, "0123456789", 10), 0);
    assert_memory_equal(b.data, "0123456789", 11); /* NUL-terminated */
    ag_buf_free(&b);
}

static void test_buf_append_past_max_fails_with_elimit_and_leaves_content(void **state)
{
    (void)state;
    struct ag_buf b;
    ag_buf_init(&b, 10);
    assert_int_equal(ag_buf_puts(&b, "abcdefgh"), 0);
    char *before = b.data;

    assert_int_equal(ag_buf_append(&b, "XYZ", 3), AG_ELIMIT);
    assert_int_equal(b.len, 8);
    assert_string_equal(b.data, "abcdefgh");
    assert_int_equal(ag_buf_puts(&b, "XYZ"), AG_ELIMIT);
    assert_int_equal(ag_buf_printf(&b, "%d", 123), AG_ELIMIT);
    assert_int_equal(b.len, 8);
    assert_string_equal(b.data, "abcdefgh");
    assert_ptr_equal(b.data, before);

    /* A length that would overflow size_t arithmetic is refused too. */
    assert_int_equal(ag_buf_append(&b, "x", SIZE_MAX), AG_ELIMIT);
    assert_int_equal(b.len, 8);

    /* What still fits is accepted after a refusal. */
    assert_int_equal(ag_buf_append(&b, "XY", 2), 0);
    assert_string_equal(b.data, "abcdefghXY");
    assert_int_equal(ag_buf_append(&b, "", 0), 0);
    assert_int_equal(ag_buf_append(&b, "!", 1), AG_ELIMIT);
    assert_string_equal(b.data, "abcdefghXY");
    ag_buf_free(&b);

    /* A single append larger than max leaves an empty buffer empty. */
    ag_buf_init(&b, 4);
    assert_int_equal(ag_buf_append(&b, "12345", 5), AG_ELIMIT);
    assert_int_equal(b.len, 0);
    ag_buf_free(&b);
}

/* The escapers are appends too: one that does not fit as a whole leaves the
 * buffer as it was, not with the part of the escaped text that fitted. The
 * buffer lives in the test state so that teardown frees it even when an
 * assertion fails. */
static int setup_buf10(void **state)
{
    struct ag_buf *b = malloc(sizeof *b);
    if (!b)
        return -1;
    ag_buf_init(b, 10);
    *state = b;
    return 0;
}

static int teardown_buf(void **state)
{
    ag_buf_free(*state);
    free(*state);
    return 0;
}

static void test_buf_escapers_past_max_fail_with_elimit_and_leave_content(void **state)
{
    struct ag_buf *b = *state;
    assert_int_equal(ag_buf_puts(b, "abcdefgh"), 0);
    assert_int_equal(ag_buf_put_json_str(b, "xyz"), AG_ELIMIT);
    assert_int_equal(b->len, 8);
    assert_string_equal(b->data, "abcdefgh");
    assert_int_equal(ag_buf_put_html(b, "x<y"), AG_ELIMIT);
    assert_int_equal(b->len, 8);
    assert_string_equal(b->data, "abcdefgh");
}

static void test_buf_printf_grows_to_hold_what_snprintf_prints(void **state)
{
    (void)state;
    /* Many small appends through several reallocations... */
    struct ag_buf b;
    ag_buf_init(&b, 1 << 20);
    char expected[16384];
    size_t n = 0;
    for (int i = 0; i < 1500; i++) {
        assert_int_equal(ag_buf_printf(&b, "%d:%s,", i, i % 2 ? "odd" : "even"), 0);
        n += (size_t)snprintf(expected + n, sizeof expected - n, "%d:%s,", i,
                              i % 2 ? "odd" : "even");
        assert_true(n < sizeof expected);
    }
    assert_int_equal(b.len, n);
    assert_int_equal(strlen(b.data), n);
    assert_string_equal(b.data, expected);
    assert_true(b.cap > b.len);

    /* ...and one append far larger than the first allocation. */
    ag_buf_reset(&b);
    assert_int_equal(b.len, 0);
    assert_string_equal(b.data, "");
    assert_int_equal(ag_buf_printf(&b, "[%0700d]", 42), 0);
    assert_int_equal(b.len, 702);
    assert_int_equal(b.data[0], '[');
    for (int i = 1; i <= 698; i++)
        assert_int_equal(b.data[i], '0');
    assert_string_equal(b.data + 699, "42]");

    char *taken = ag_buf_take(&b);
    assert_int_equal(strlen(taken), 702);
    assert_null(b.data);
    assert_int_equal(b.len, 0);
    free(taken);

    /* Taking from a buffer never written gives an empty string. */
    taken = ag_buf_take(&b);
    assert_non_null(taken);
    assert_string_equal(taken, "");
    free(taken);
    ag_buf_free(&b);
}

static void test_buf_put_html_escapes_the_five_special_characters(void **state)
{
    (void)state;
    struct ag_buf b;
    ag_buf_init(&b, 4096);
    static const struct {
        const char *in, *out;
    } cases[] = {
        {"&", "&amp;"},
        {"<", "&lt;"},
        {">", "&gt;"},
        {"\"", "&quot;"},
        {"'", "&#39;"},
        {"<a href=\"x?a=1&b=2\">Tom & Jerry's</a>",
         "&lt;a href=&quot;x?a=1&amp;b=2&quot;&gt;Tom &amp; Jerry&#39;s&lt;/a&gt;"},
        {"plain text, caf\xc3\xa9 \xe2\x82\xac 100%", "plain text, caf\xc3\xa9 \xe2\x82\xac 100%"},
        {"&amp;", "&amp;amp;"}, /* escaping is not idempotent: already-escaped text is text */
        {"", ""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        ag_buf_reset(&b);
        assert_int_equal(ag_buf_put_html(&b, cases[i].in), 0);
        assert_string_equal(b.data ? b.data : "", cases[i].out);
    }
    ag_buf_free(&b);
}

static void test_buf_put_json_str_escapes_quotes_backslash_and_controls_only(void **state)
{
    (void)state;
    struct ag_buf b;
    ag_buf_init(&b, 4096);
    static const struct {
        const char *in, *out;
    } cases[] = {
        {"", "\"\""},
        {"say \"hi\"", "\"say \\\"hi\\\"\""},
        {"C:\\dir", "\"C:\\\\dir\""},
        {"a\nb\rc\td", "\"a\\nb\\rc\\td\""},
        {"\x01", "\"\\u0001\""},
        {"\x1f\x08\x0c", "\"\\u001f\\u0008\\u000c\""},
        /* UTF-8 passes through byte for byte: 2, 3 and 4-byte sequences. */
        {"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80",
         "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\""},
        {"</script>", "\"</script>\""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        ag_buf_reset(&b);
        assert_int_equal(ag_buf_put_json_str(&b, cases[i].in), 0);
        assert_string_equal(b.data, cases[i].out);
    }

    /* Every control character comes out as \n, \r, \t or \u00XX, never raw. */
    for (int c = 1; c < 0x20; c++) {
        char in[2] = {(char)c, 0};
        ag_buf_reset(&b);
        assert_int_equal(ag_buf_put_json_str(&b, in), 0);
        for (size_t k = 0; k < b.len; k++)
            assert_true((unsigned char)b.data[k] >= 0x20);
        char expected[16];
        if (c == '\n')
            snprintf(expected, sizeof expected, "\"\\n\"");
        else if (c == '\r')
            snprintf(expected, sizeof expected, "\"\\r\"");
        else if (c == '\t')
            snprintf(expected, sizeof expected, "\"\\t\"");
        else
            snprintf(expected, sizeof expected, "\"\\u%04x\"", c);
        assert_string_equal(b.data, expected);
    }
    ag_buf_free(&b);
}

/* ---------- ag_vec ---------- */

struct item {
    int64_t id;
    double x;
    char tag[4];
};

static void test_vec_push_copies_or_zeroes_and_keeps_order(void **state)
{
    (void)state;
    struct ag_vec v;
    ag_vec_init(&v, sizeof(struct item));
    assert_int_equal(v.len, 0);
    for (int i = 0; i < 1000; i++) {
        struct item it = {i * 7 - 3, i * 0.5, {'a', (char)('a' + i % 26), 0, 0}};
        struct item *slot = ag_vec_push(&v, i % 10 == 9 ? NULL : &it);
        assert_non_null(slot);
        assert_ptr_equal(slot, &AG_VEC_AT(&v, struct item, i));
        assert_int_equal(v.len, (size_t)i + 1);
        assert_true(v.cap >= v.len);
    }
    for (int i = 0; i < 1000; i++) {
        const struct item *it = &AG_VEC_AT(&v, struct item, i);
        if (i % 10 == 9) {
            static const struct item zero;
            assert_memory_equal(it, &zero, sizeof zero);
        } else {
            assert_int_equal(it->id, i * 7 - 3);
            assert_true(it->x == i * 0.5);
            assert_int_equal(it->tag[1], 'a' + i % 26);
        }
    }
    ag_vec_free(&v);
    assert_null(v.data);
    assert_int_equal(v.len, 0);
    assert_int_equal(v.cap, 0);
}

static void test_vec_reserve_makes_room_without_changing_len(void **state)
{
    (void)state;
    struct ag_vec v;
    ag_vec_init(&v, sizeof(uint32_t));
    assert_int_equal(ag_vec_reserve(&v, 0), 0);
    assert_int_equal(v.len, 0);
    assert_int_equal(ag_vec_reserve(&v, 1000), 0);
    assert_true(v.cap >= 1000);
    assert_int_equal(v.len, 0);
    /* Pushes within the reserved room do not move the array. */
    void *data = v.data;
    for (uint32_t i = 0; i < 1000; i++)
        assert_non_null(ag_vec_push(&v, &i));
    assert_ptr_equal(v.data, data);
    /* Reserving less than what is there changes nothing. */
    size_t cap = v.cap;
    assert_int_equal(ag_vec_reserve(&v, 10), 0);
    assert_int_equal(v.cap, cap);
    assert_int_equal(v.len, 1000);
    /* Growing keeps the content. */
    assert_int_equal(ag_vec_reserve(&v, 5000), 0);
    assert_true(v.cap >= 5000);
    for (uint32_t i = 0; i < 1000; i++)
        assert_int_equal(AG_VEC_AT(&v, uint32_t, i), i);
    /* A size that cannot be allocated is refused, content kept. */
    assert_int_equal(ag_vec_reserve(&v, SIZE_MAX), AG_ENOMEM);
    assert_int_equal(v.len, 1000);
    assert_int_equal(AG_VEC_AT(&v, uint32_t, 999), 999);
    ag_vec_free(&v);
}

/* ---------- ag_u64map ---------- */

enum { DOMAIN = 20000, OPS = 100000 };

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

static void check_map_against_oracle(const struct ag_u64map *m, const uint64_t *keys,
                                     const uint64_t *vals, const bool *present)
{
    size_t distinct = 0;
    for (size_t i = 0; i < DOMAIN; i++) {
        uint64_t got = 0xdeadbeef;
        bool found = ag_u64map_get(m, keys[i], &got);
        if (found != present[i])
            fail_msg("key %#llx: found %d, expected %d", (unsigned long long)keys[i], found,
                     present[i]);
        if (present[i]) {
            assert_int_equal(got, vals[i]);
            assert_true(ag_u64map_get(m, keys[i], NULL));
            distinct++;
        }
    }
    assert_int_equal(m->len, distinct);
}

static void test_u64map_agrees_with_a_plain_array_over_100k_random_puts(void **state)
{
    (void)state;
    /* The key domain mixes what the importer sees (dense sequential OSM ids)
     * with arbitrary 64-bit values, 0 and UINT64_MAX, and keys that agree in
     * their low 32 bits; 100k puts over 20k keys overwrite most keys several
     * times and the table rehashes from 1024 slots up. */
    static uint64_t keys[DOMAIN], vals[DOMAIN];
    static bool present[DOMAIN];
    uint64_t seed = 20240607;
    for (size_t i = 0; i < DOMAIN; i++) {
        if (i < 6000)
            keys[i] = 25177167 + i;
        else if (i < 8000)
            keys[i] = ((uint64_t)(i - 6000) << 32) | 0x1234;
        else
            keys[i] = rng_next(&seed);
        vals[i] = 0;
        present[i] = false;
    }
    keys[8000] = 0;
    keys[8001] = UINT64_MAX;
    /* The domain must hold distinct keys for the array to be an oracle. */
    static uint64_t sorted[DOMAIN];
    memcpy(sorted, keys, sizeof keys);
    qsort(sorted, DOMAIN, sizeof *sorted, cmp_u64);
    for (size_t i = 1; i < DOMAIN; i++)
        assert_true(sorted[i - 1] != sorted[i]);

    struct ag_u64map m;
    ag_u64map_init(&m);
    assert_false(ag_u64map_get(&m, 0, NULL));
    assert_false(ag_u64map_get(&m, 25177167, NULL));
    size_t overwrites = 0;
    for (size_t op = 0; op < OPS; op++) {
        size_t i = rng_next(&seed) % DOMAIN;
        uint64_t val = rng_next(&seed);
        if (present[i])
            overwrites++;
        assert_int_equal(ag_u64map_put(&m, keys[i], val), 0);
        vals[i] = val;
        present[i] = true;
        if (op % 10000 == 9999)
            check_map_against_oracle(&m, keys, vals, present);
    }
    assert_true(overwrites > OPS / 2);
    check_map_against_oracle(&m, keys, vals, present);

    /* Keys outside the domain are absent. */
    for (int k = 0; k < 20000; k++) {
        uint64_t key = rng_next(&seed);
        if (bsearch(&key, sorted, DOMAIN, sizeof *sorted, cmp_u64))
            continue;
        uint64_t got = 42;
        assert_false(ag_u64map_get(&m, key, &got));
        assert_int_equal(got, 42);
    }
    ag_u64map_free(&m);
    assert_int_equal(m.len, 0);
    assert_false(ag_u64map_get(&m, keys[0], NULL));
}

/* ---------- ag_parse_double ---------- */

static void test_parse_double_accepts_plain_decimal_numbers(void **state)
{
    (void)state;
    double v = 0;
    assert_true(ag_parse_double("12.5", &v));
    assert_true(v == 12.5);
    assert_true(ag_parse_double(" -3e2 ", &v));
    assert_true(v == -300.0);
    assert_true(ag_parse_double("+0.25", &v));
    assert_true(v == 0.25);
    assert_true(ag_parse_double("7", &v));
    assert_true(v == 7.0);
    assert_true(ag_parse_double("\t6.5\n", &v));
    assert_true(v == 6.5);
    assert_true(ag_parse_double("1E3", &v));
    assert_true(v == 1000.0);
    assert_true(ag_parse_double("2.5e-1", &v));
    assert_true(v == 0.25);
    assert_true(ag_parse_double("-0", &v));
    assert_true(v == 0.0);

    /* Values that are not exact in binary: within 1e-15 of strtod's
     * correctly rounded result. */
    static const char *inexact[] = {"0.1",  "3.14159", "43.7308", "7.4210",  "0.001",
                                    "1e-3", "123.456", "6.02e23", "-2.75e-5"};
    for (size_t i = 0; i < sizeof inexact / sizeof inexact[0]; i++) {
        assert_true(ag_parse_double(inexact[i], &v));
        assert_rel(v, strtod(inexact[i], NULL), 1e-15);
    }
}

static void test_parse_double_rejects_anything_but_a_whole_number(void **state)
{
    (void)state;
    static const char *bad[] = {"",    " ",   "1,5", "0x10",  "inf",   "-inf",  "nan",
                                "NaN", "1e",  "1e+", "12abc", "-",     "+",     ".",
                                "e5",  "1 2", "--1", "+-1",   "1.2.3", "1e5e5", "1e400"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        double v = 0;
        if (ag_parse_double(bad[i], &v))
            fail_msg("\"%s\" accepted as %g", bad[i], v);
    }
    double v;
    assert_false(ag_parse_double(NULL, &v));
}

/* ---------- errors ---------- */

static void test_error_set_formats_the_message_and_returns_the_code(void **state)
{
    (void)state;
    struct ag_error err = {0};
    assert_int_equal(
        ag_error_set(&err, AG_EPARSE, "%s:%d: bad field \"%s\"", "space-tags.csv", 7, "kind"),
        AG_EPARSE);
    assert_int_equal(err.code, AG_EPARSE);
    assert_string_equal(err.msg, "space-tags.csv:7: bad field \"kind\"");
    /* A caller that does not want the message passes NULL. */
    assert_int_equal(ag_error_set(NULL, AG_EIO, "%s", "ignored"), AG_EIO);

    ag_error_clear(&err);
    assert_int_equal(err.code, 0);
    assert_string_equal(err.msg, "");
    ag_error_clear(NULL);
}

static void test_error_prefix_joins_context_with_colon_space(void **state)
{
    (void)state;
    struct ag_error err = {0};
    ag_error_set(&err, AG_EPARSE, "line 3: unexpected end");
    assert_int_equal(ag_error_prefix(&err, "importing %s", "monaco.osm"), AG_EPARSE);
    assert_string_equal(err.msg, "importing monaco.osm: line 3: unexpected end");
    assert_int_equal(err.code, AG_EPARSE);
    assert_int_equal(ag_error_prefix(&err, "city %d", 2), AG_EPARSE);
    assert_string_equal(err.msg, "city 2: importing monaco.osm: line 3: unexpected end");

    /* Without a message, the code's text stands in for it. */
    struct ag_error bare = {.code = AG_ENOENT};
    assert_int_equal(ag_error_prefix(&bare, "opening %s", "x.db"), AG_ENOENT);
    assert_string_equal(bare.msg, "opening x.db: no such file");

    assert_int_equal(ag_error_prefix(NULL, "anything"), 0);
}

/* err sits in front of a guard zone so that a write past msg, which ASan
 * cannot see inside one object, shows as a changed guard byte. */
struct guarded_error {
    struct ag_error err;
    unsigned char guard[256];
};

static void check_guard(const struct guarded_error *g)
{
    for (size_t i = 0; i < sizeof g->guard; i++)
        if (g->guard[i] != 0xa5)
            fail_msg("byte %zu past the message was overwritten", i);
}

static void test_error_messages_truncate_within_msg_for_huge_inputs(void **state)
{
    (void)state;
    static char huge[5001];
    memset(huge, 'p', 5000);
    huge[5000] = '\0';
    static struct guarded_error g;
    memset(g.guard, 0xa5, sizeof g.guard);

    /* A 5000-character message is cut to fit. */
    ag_error_set(&g.err, AG_EIO, "%s", huge);
    assert_int_equal(strlen(g.err.msg), sizeof g.err.msg - 1);
    check_guard(&g);

    /* A 5000-character prefix on a short message. */
    ag_error_set(&g.err, AG_EPARSE, "tail");
    assert_int_equal(ag_error_prefix(&g.err, "%s", huge), AG_EPARSE);
    size_t len = strnlen(g.err.msg, sizeof g.err.msg);
    assert_true(len < sizeof g.err.msg);
    const char *sep = strstr(g.err.msg, ": ");
    assert_non_null(sep);
    for (const char *p = g.err.msg; p < sep; p++)
        assert_int_equal(*p, 'p');
    assert_true(sep > g.err.msg);
    assert_string_equal(sep, ": tail");
    check_guard(&g);

    /* A 5000-character prefix on a message that already fills msg. */
    ag_error_set(&g.err, AG_EPARSE, "%s", huge);
    assert_int_equal(ag_error_prefix(&g.err, "%s", huge), AG_EPARSE);
    len = strnlen(g.err.msg, sizeof g.err.msg);
    assert_true(len < sizeof g.err.msg);
    assert_non_null(strstr(g.err.msg, ": "));
    check_guard(&g);

    /* Prefixing many times never grows past msg either. */
    for (int i = 0; i < 50; i++)
        ag_error_prefix(&g.err, "context %d", i);
    assert_true(strnlen(g.err.msg, sizeof g.err.msg) < sizeof g.err.msg);
    assert_memory_equal(g.err.msg, "context 49: context 48: ", 24);
    check_guard(&g);
}

static void test_strerror_and_errname_cover_every_code_with_distinct_names(void **state)
{
    (void)state;
    static const struct {
        int code;
        const char *name, *text;
    } table[] = {
#define XX(name, code, text) {code, #name, text},
        AG_ERRNO_MAP(XX)
#undef XX
    };
    size_t n = sizeof table / sizeof table[0];
    assert_true(n >= 14);
    for (size_t i = 0; i < n; i++) {
        assert_true(table[i].code < 0);
        assert_string_equal(ag_errname(table[i].code), table[i].name);
        assert_string_equal(ag_strerror(table[i].code), table[i].text);
        assert_string_not_equal(ag_errname(table[i].code), "EUNKNOWN");
        assert_string_not_equal(ag_strerror(table[i].code), "unknown error");
        for (size_t j = 0; j < i; j++) {
            assert_int_not_equal(table[i].code, table[j].code);
            assert_string_not_equal(ag_errname(table[i].code), ag_errname(table[j].code));
            assert_string_not_equal(ag_strerror(table[i].code), ag_strerror(table[j].code));
        }
    }
    assert_string_equal(ag_errname(AG_OK), "OK");
    assert_string_equal(ag_strerror(AG_OK), "success");
    /* Codes outside the table still get a string, never NULL. */
    static const int unknown[] = {1, -99, -999, INT32_MIN, INT32_MAX};
    for (size_t i = 0; i < sizeof unknown / sizeof unknown[0]; i++) {
        assert_string_equal(ag_errname(unknown[i]), "EUNKNOWN");
        assert_string_equal(ag_strerror(unknown[i]), "unknown error");
    }
}

/* ---------- files ---------- */

static void test_file_write_atomic_writes_content_and_leaves_no_temp_file(void **state)
{
    (void)state;
    char dir[256], path[320], name[256];
    make_tmpdir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/out.txt", dir);
    struct ag_error err = {0};

    static const char first[] = "first\0version\nwith a NUL";
    assert_int_equal(ag_file_write_atomic(path, first, sizeof first - 1, &err), 0);
    size_t len;
    char *got = slurp(path, &len);
    assert_int_equal(len, sizeof first - 1);
    assert_memory_equal(got, first, len);
    free(got);
    assert_int_equal(count_entries(dir, name, sizeof name), 1);
    assert_string_equal(name, "out.txt");

    /* Replacing with shorter content leaves exactly the new content. */
    assert_int_equal(ag_file_write_atomic(path, "2nd", 3, &err), 0);
    got = slurp(path, &len);
    assert_int_equal(len, 3);
    assert_memory_equal(got, "2nd", 3);
    free(got);
    assert_int_equal(count_entries(dir, name, sizeof name), 1);
    assert_string_equal(name, "out.txt");

    /* An empty file is a file. */
    assert_int_equal(ag_file_write_atomic(path, "", 0, &err), 0);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_size, 0);
    assert_int_equal(count_entries(dir, NULL, 0), 1);
    rm_rf(dir);
}

static void test_file_write_atomic_into_missing_directory_fails_naming_the_path(void **state)
{
    (void)state;
    char dir[256], path[320], missing[300];
    make_tmpdir(dir, sizeof dir);
    snprintf(missing, sizeof missing, "%s/missing", dir);
    snprintf(path, sizeof path, "%s/out.txt", missing);
    struct ag_error err = {0};
    int rc = ag_file_write_atomic(path, "data", 4, &err);
    assert_true(rc == AG_EIO || rc == AG_EREADONLY);
    assert_int_equal(err.code, rc);
    assert_non_null(strstr(err.msg, path));
    /* Nothing was created, not even the directory. */
    struct stat st;
    assert_int_not_equal(stat(missing, &st), 0);
    assert_int_equal(count_entries(dir, NULL, 0), 0);
    /* The caller may also pass no error record. */
    rc = ag_file_write_atomic(path, "data", 4, NULL);
    assert_true(rc == AG_EIO || rc == AG_EREADONLY);
    rm_rf(dir);
}

static void test_file_read_reads_whole_files_across_chunks(void **state)
{
    (void)state;
    char dir[256], path[320];
    make_tmpdir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/big.bin", dir);
    /* Larger than the reader's 64 KiB chunks, bytes that are not text. */
    size_t n = 200000;
    unsigned char *data = malloc(n);
    assert_non_null(data);
    uint64_t seed = 7;
    for (size_t i = 0; i < n; i++)
        data[i] = (unsigned char)rng_next(&seed);
    write_file(path, data, n);

    struct ag_buf b;
    ag_buf_init(&b, n); /* exactly the file size is allowed */
    struct ag_error err = {0};
    assert_int_equal(ag_file_read(path, &b, &err), 0);
    assert_int_equal(b.len, n);
    assert_memory_equal(b.data, data, n);
    assert_int_equal(b.data[n], '\0');
    ag_buf_free(&b);

    /* An empty file reads as an empty, NUL-terminated buffer. */
    snprintf(path, sizeof path, "%s/empty", dir);
    write_file(path, "", 0);
    ag_buf_init(&b, 16);
    assert_int_equal(ag_file_read(path, &b, &err), 0);
    assert_int_equal(b.len, 0);
    assert_non_null(b.data);
    assert_string_equal(b.data, "");
    ag_buf_free(&b);
    free(data);
    rm_rf(dir);
}

static void test_file_read_missing_file_gives_enoent_naming_the_path(void **state)
{
    (void)state;
    char dir[256], path[320];
    make_tmpdir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/no-such-file.csv", dir);
    struct ag_buf b;
    ag_buf_init(&b, 1024);
    struct ag_error err = {0};
    assert_int_equal(ag_file_read(path, &b, &err), AG_ENOENT);
    assert_int_equal(err.code, AG_ENOENT);
    assert_non_null(strstr(err.msg, path));
    ag_buf_free(&b);
    rm_rf(dir);
}

static void test_file_read_larger_than_buffer_max_gives_elimit(void **state)
{
    (void)state;
    char dir[256], path[320];
    make_tmpdir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/thousand", dir);
    char data[1000];
    memset(data, 'x', sizeof data);
    write_file(path, data, sizeof data);

    struct ag_buf b;
    ag_buf_init(&b, 999);
    struct ag_error err = {0};
    assert_int_equal(ag_file_read(path, &b, &err), AG_ELIMIT);
    assert_int_equal(err.code, AG_ELIMIT);
    assert_non_null(strstr(err.msg, path));
    assert_true(b.len <= 999);
    ag_buf_free(&b);

    /* Also when the excess comes in a later chunk of a large file. */
    snprintf(path, sizeof path, "%s/large", dir);
    size_t n = 150000;
    char *big = malloc(n);
    assert_non_null(big);
    memset(big, 'y', n);
    write_file(path, big, n);
    ag_buf_init(&b, n - 1);
    assert_int_equal(ag_file_read(path, &b, &err), AG_ELIMIT);
    assert_non_null(strstr(err.msg, path));
    ag_buf_free(&b);
    free(big);
    rm_rf(dir);
}

static void test_mkdirs_creates_nested_directories_and_is_idempotent(void **state)
{
    (void)state;
    char dir[256], path[320], file[320], under_file[400];
    make_tmpdir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/a/b/c/d", dir);
    struct ag_error err = {0};
    assert_int_equal(ag_mkdirs(path, &err), 0);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_true(S_ISDIR(st.st_mode));
    /* Again: nothing to do, still success. */
    assert_int_equal(ag_mkdirs(path, &err), 0);
    /* A part of the path that exists already, and a trailing slash. */
    snprintf(path, sizeof path, "%s/a/b/e/", dir);
    assert_int_equal(ag_mkdirs(path, &err), 0);
    snprintf(path, sizeof path, "%s/a/b/e", dir);
    assert_int_equal(stat(path, &st), 0);
    assert_true(S_ISDIR(st.st_mode));
    assert_int_equal(count_entries(dir, NULL, 0), 1);

    /* A regular file in the way is an error naming the path. */
    snprintf(file, sizeof file, "%s/a/file", dir);
    write_file(file, "x", 1);
    snprintf(under_file, sizeof under_file, "%s/sub", file);
    int rc = ag_mkdirs(under_file, &err);
    assert_true(rc == AG_EIO || rc == AG_EREADONLY);
    assert_int_equal(err.code, rc);
    assert_non_null(strstr(err.msg, file));
    assert_int_equal(ag_mkdirs(file, &err), AG_EIO);
    assert_non_null(strstr(err.msg, file));
    rm_rf(dir);
}

/* ---------- progress ---------- */

/* Runs a whole progress sequence with fd 2 sent to a fresh temporary file
 * (which is not a terminal) and returns what reached it. */
static char *progress_output(int mode, const char *label, size_t *len)
{
    char dir[256], path[320];
    make_tmpdir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/stderr", dir);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    assert_true(fd >= 0);
    fflush(stderr);
    int saved = dup(STDERR_FILENO);
    assert_true(saved >= 0);
    assert_int_equal(dup2(fd, STDERR_FILENO), STDERR_FILENO);
    close(fd);

    ag_progress_force(mode);
    struct ag_progress p;
    ag_progress_start(&p, label, 100);
    for (uint64_t i = 0; i <= 100; i += 10)
        ag_progress_update(&p, i);
    ag_progress_end(&p);
    struct ag_progress q;
    ag_progress_start(&q, label, 0); /* unknown total: a counter */
    ag_progress_update(&q, 12345);
    ag_progress_end(&q);
    ag_progress_force(-1);

    fflush(stderr);
    assert_int_equal(dup2(saved, STDERR_FILENO), STDERR_FILENO);
    close(saved);
    char *out = slurp(path, len);
    rm_rf(dir);
    return out;
}

static void test_progress_forced_off_writes_nothing_to_stderr(void **state)
{
    (void)state;
    size_t len;
    char *out = progress_output(0, "reading OSM objects", &len);
    assert_int_equal(len, 0);
    free(out);
}

static void test_progress_forced_on_writes_lines_with_the_label(void **state)
{
    (void)state;
    size_t len;
    char *out = progress_output(1, "reading OSM objects", &len);
    assert_true(len > 0);
    char *text = malloc(len + 1);
    assert_non_null(text);
    memcpy(text, out, len);
    text[len] = '\0';
    assert_non_null(strstr(text, "reading OSM objects"));
    assert_non_null(strstr(text, "100%"));
    assert_non_null(strstr(text, "12345"));
    /* Each bar ends its line. */
    assert_int_equal(text[len - 1], '\n');
    free(text);
    free(out);
}

static void test_progress_auto_writes_nothing_when_stderr_is_not_a_terminal(void **state)
{
    (void)state;
    size_t len;
    char *out = progress_output(-1, "reading OSM objects", &len);
    assert_int_equal(len, 0);
    free(out);
}

/* Fixed decimals whatever the locale: checked against the digits written
 * out by hand. */
static void test_format_fixed_writes_the_digits_by_hand(void **state)
{
    (void)state;
    char b[64];
    ag_format_fixed(b, sizeof b, 7.42, 12);
    assert_string_equal(b, "7.420000000000");
    ag_format_fixed(b, sizeof b, -73.9751305, 7);
    assert_string_equal(b, "-73.9751305");
    ag_format_fixed(b, sizeof b, -0.0000001, 7);
    assert_string_equal(b, "-0.0000001");
    ag_format_fixed(b, sizeof b, 179.99999996, 7);
    assert_string_equal(b, "180.0000000");
    ag_format_fixed(b, sizeof b, 0.5, 1);
    assert_string_equal(b, "0.5");
}

#if defined(__GLIBC__) && !AG_ASAN
/* Whether the mapping holding address p is the brk heap ("[heap]") and
 * advised for huge pages ("hg" among its VmFlags), as /proc/self/smaps
 * shows it. */
static bool in_huge_page_heap(const void *p)
{
    FILE *f = fopen("/proc/self/smaps", "r");
    if (!f)
        return false;
    char line[512];
    bool in = false, heap = false, hg = false;
    uintptr_t at = (uintptr_t)p;
    while (fgets(line, sizeof line, f)) {
        unsigned long lo, hi;
        if (sscanf(line, "%lx-%lx ", &lo, &hi) == 2 && strchr(line, '-') < strchr(line, ' ')) {
            in = at >= lo && at < hi;
            if (in)
                heap = strstr(line, "[heap]") != NULL;
        } else if (in && !strncmp(line, "VmFlags:", 8)) {
            hg = strstr(line, " hg") != NULL;
            break;
        }
    }
    fclose(f);
    return heap && hg;
}
#endif

/* ag_heap_for_batch, seen from the kernel's side: a block allocated after
 * it lies in the process's brk heap, in a mapping advised for huge pages.
 * Under AddressSanitizer, whose allocator is its own, it changes nothing
 * and says so. */
static void test_heap_for_batch_puts_blocks_in_a_huge_page_heap(void **state)
{
    (void)state;
    bool on = ag_heap_for_batch((size_t)16 << 20);
    char *p = malloc((size_t)4 << 20);
    assert_non_null(p);
    memset(p, 1, (size_t)4 << 20);
#if AG_ASAN
    assert_false(on);
#elif defined(__GLIBC__)
    if (access("/sys/kernel/mm/transparent_hugepage/enabled", F_OK) == 0) {
        assert_true(on);
        assert_true(in_huge_page_heap(p + ((size_t)2 << 20)));
    }
#endif
    (void)on;
    free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_format_fixed_writes_the_digits_by_hand),
        cmocka_unit_test(test_buf_accepts_content_up_to_exactly_max),
        cmocka_unit_test(test_buf_append_past_max_fails_with_elimit_and_leaves_content),
        cmocka_unit_test_setup_teardown(
            test_buf_escapers_past_max_fail_with_elimit_and_leave_content, setup_buf10,
            teardown_buf),
        cmocka_unit_test(test_buf_printf_grows_to_hold_what_snprintf_prints),
        cmocka_unit_test(test_buf_put_html_escapes_the_five_special_characters),
        cmocka_unit_test(test_buf_put_json_str_escapes_quotes_backslash_and_controls_only),
        cmocka_unit_test(test_vec_push_copies_or_zeroes_and_keeps_order),
        cmocka_unit_test(test_vec_reserve_makes_room_without_changing_len),
        cmocka_unit_test(test_u64map_agrees_with_a_plain_array_over_100k_random_puts),
        cmocka_unit_test(test_parse_double_accepts_plain_decimal_numbers),
        cmocka_unit_test(test_parse_double_rejects_anything_but_a_whole_number),
        cmocka_unit_test(test_error_set_formats_the_message_and_returns_the_code),
        cmocka_unit_test(test_error_prefix_joins_context_with_colon_space),
        cmocka_unit_test(test_error_messages_truncate_within_msg_for_huge_inputs),
        cmocka_unit_test(test_strerror_and_errname_cover_every_code_with_distinct_names),
        cmocka_unit_test(test_file_write_atomic_writes_content_and_leaves_no_temp_file),
        cmocka_unit_test(test_file_write_atomic_into_missing_directory_fails_naming_the_path),
        cmocka_unit_test(test_file_read_reads_whole_files_across_chunks),
        cmocka_unit_test(test_file_read_missing_file_gives_enoent_naming_the_path),
        cmocka_unit_test(test_file_read_larger_than_buffer_max_gives_elimit),
        cmocka_unit_test(test_mkdirs_creates_nested_directories_and_is_idempotent),
        cmocka_unit_test(test_progress_forced_off_writes_nothing_to_stderr),
        cmocka_unit_test(test_progress_forced_on_writes_lines_with_the_label),
        cmocka_unit_test(test_progress_auto_writes_nothing_when_stderr_is_not_a_terminal),
        cmocka_unit_test(test_heap_for_batch_puts_blocks_in_a_huge_page_heap),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
