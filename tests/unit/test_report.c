/* The HTML report: the vehicle approach section read from stored results, on
 * a tiny store built by hand. SPDX-License-Identifier: EUPL-1.2 */
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

#include "agora/report.h"

static char dir[64];
static char dbpath[128];
static char outdir[128];

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/agora-report-XXXXXX");
    if (!mkdtemp(dir))
        return -1;
    snprintf(dbpath, sizeof dbpath, "%s/t.db", dir);
    snprintf(outdir, sizeof outdir, "%s/out", dir);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[160];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd);
}

/* A square space of d degrees with its south-west corner at lon, lat. */
static void add_space(struct ag_city_model *m, int64_t way, const char *name, const char *kind,
                      double lon, double lat, double d)
{
    struct ag_space sp = {0};
    snprintf(sp.ref.type, sizeof sp.ref.type, "way");
    sp.ref.id = way;
    sp.name = strdup(name);
    sp.kind = strdup(kind);
    sp.origin = strdup("osm");
    sp.geom_source = strdup("area");
    struct ag_ll pts[5] = {{lon, lat}, {lon + d, lat}, {lon + d, lat + d}, {lon, lat + d}, {lon, lat}};
    assert_int_equal(ag_mpoly_add_ring_polygon(&sp.geom, pts, 5), 0);
    sp.area_m2 = 1000;
    sp.perimeter_m = 400;
    sp.centroid = (struct ag_ll){lon + d / 2, lat + d / 2};
    sp.bbox = ag_mpoly_bbox(&sp.geom);
    assert_non_null(ag_vec_push(&m->spaces, &sp));
}

static void add_edge(struct ag_city_model *m, int64_t way, int64_t a, int64_t b, struct ag_ll pa,
                     struct ag_ll pb)
{
    struct ag_road_edge e = {0};
    e.osm_way_id = way;
    e.from_node = a;
    e.to_node = b;
    e.highway = strdup("residential");
    e.width_source = strdup("default:residential");
    e.width_m = 5.5;
    e.length_m = 100;
    e.incline_pct = NAN;
    e.maxspeed_kmh = NAN;
    e.geom.pts = calloc(2, sizeof *e.geom.pts);
    e.geom.n = 2;
    e.geom.pts[0] = pa;
    e.geom.pts[1] = pb;
    assert_non_null(ag_vec_push(&m->road_edges, &e));
    struct ag_road_node na = {a, pa, NULL, false}, nb = {b, pb, NULL, false};
    assert_non_null(ag_vec_push(&m->road_nodes, &na));
    assert_non_null(ag_vec_push(&m->road_nodes, &nb));
}

/* Four spaces: A (two entries, with a name to escape), B (no entry), C (no
 * stored result) and D (one slow entry and one no class reaches; listed
 * before A by kind and name). */
static struct ag_store *build_store(struct ag_city *city)
{
    struct ag_city_model m;
    ag_city_model_init(&m);
    m.source = strdup("test.osm");
    m.origin = (struct ag_ll){7.42, 43.73};
    m.bbox = (struct ag_bbox){7.41, 43.72, 7.49, 43.74};
    add_space(&m, 1, "Place <Ouest> & Co", "square", 7.420, 43.730, 1e-3);
    add_space(&m, 2, "Plage Sans Route", "beach", 7.430, 43.730, 1e-3);
    add_space(&m, 3, "Jardin Oublie", "park", 7.440, 43.730, 1e-3);
    add_space(&m, 4, "Allee Lente", "pedestrian_street", 7.450, 43.730, 1e-3);
    add_edge(&m, 100, 1, 2, (struct ag_ll){7.4250, 43.7305}, (struct ag_ll){7.4210, 43.7305});
    struct ag_store *s = NULL;
    struct ag_error err = {0};
    int rc = ag_store_open(&s, dbpath, AG_STORE_CREATE, &err);
    if (rc)
        fprintf(stderr, "%s\n", err.msg);
    assert_int_equal(rc, 0);
    struct ag_import_stats st;
    rc = ag_store_import(s, "Testville", &m, &st, &err);
    if (rc)
        fprintf(stderr, "%s\n", err.msg);
    assert_int_equal(rc, 0);
    ag_city_model_free(&m);
    assert_int_equal(ag_store_city_get(s, "Testville", city, &err), 0);
    return s;
}

static int64_t space_id(struct ag_store *s, const struct ag_city *city, const char *ref)
{
    struct ag_space sp;
    struct ag_error err = {0};
    assert_int_equal(ag_store_space_get(s, city->id, ref, &sp, &err), 0);
    int64_t id = sp.id;
    ag_space_free(&sp);
    return id;
}

/* Entry 1 of A: M1 at 87.3 km/h after 410 m, held by a bend of 33 m at
 * (7.4230, 43.7300), on a route that starts 5 km east (cut at the map's
 * edge); N3F at exactly 64 km/h, no bend. Entry 2: M1 just over 48 km/h (shown
 * rounded up, rated 64), N3F cannot reach (the engine writes a radius-0 bend
 * for it). */
static const char RESULT_A[] =
    "{\"space\":{\"id\":0,\"osm\":\"way/1\",\"name\":\"Place <Ouest> & Co\",\"kind\":\"square\"},"
    "\"model\":\"power\",\"entries\":["
    "{\"id\":1,\"lat\":43.7305,\"lon\":7.4210,\"width_m\":5.5,\"way\":100,\"node\":2,\"by_class\":["
    "{\"class\":\"M1\",\"speed_kmh\":87.3,\"run_up_m\":410.0,\"energy_kj\":441.0,"
    "\"rating\":\"V/1500[M1]/96/90\",\"limiting_bend\":{\"radius_m\":33.0,\"at\":[7.4230,43.7300]},"
    "\"path\":[[7.4830,43.7305],[7.4250,43.7305],[7.4230,43.7300],[7.4210,43.7305]]},"
    "{\"class\":\"N3F\",\"speed_kmh\":64.0,\"run_up_m\":380.0,\"energy_kj\":4741.3,"
    "\"rating\":\"V/30000[N3F]/64/90\",\"limiting_bend\":null,"
    "\"path\":[[7.4250,43.7305],[7.4210,43.7305]]}]},"
    "{\"id\":2,\"lat\":43.7300,\"lon\":7.4205,\"width_m\":3.0,\"way\":101,\"node\":null,\"by_class\":["
    "{\"class\":\"M1\",\"speed_kmh\":48.03,\"run_up_m\":1234.0,\"energy_kj\":133.5,"
    "\"rating\":\"V/1500[M1]/64/90\",\"limiting_bend\":null,"
    "\"path\":[[7.4205,43.7290],[7.4205,43.7300]]},"
    "{\"class\":\"N3F\",\"speed_kmh\":0.0,\"run_up_m\":0.0,\"energy_kj\":0.0,\"rating\":null,"
    "\"limiting_bend\":{\"radius_m\":0.0,\"at\":[7.4199984,43.7423984]},\"path\":[]}]}]}";

static const char RESULT_B[] =
    "{\"space\":{\"id\":0,\"osm\":\"way/2\",\"name\":\"Plage Sans Route\",\"kind\":\"beach\"},"
    "\"model\":\"power\",\"entries\":[]}";

static const char RESULT_D[] =
    "{\"space\":{\"id\":0,\"osm\":\"way/4\",\"name\":\"Allee Lente\",\"kind\":\"pedestrian_street\"},"
    "\"model\":\"power\",\"entries\":["
    "{\"id\":1,\"lat\":43.7300,\"lon\":7.4505,\"width_m\":4.0,\"way\":102,\"node\":7,\"by_class\":["
    "{\"class\":\"M1\",\"speed_kmh\":30.2,\"run_up_m\":25.0,\"energy_kj\":52.8,"
    "\"rating\":\"V/1500[M1]/32/90\",\"limiting_bend\":null,"
    "\"path\":[[7.4505,43.7298],[7.4505,43.7300]]}]},"
    "{\"id\":2,\"lat\":43.7310,\"lon\":7.4505,\"width_m\":2.0,\"way\":103,\"node\":8,\"by_class\":["
    "{\"class\":\"M1\",\"speed_kmh\":0.0,\"run_up_m\":0.0,\"energy_kj\":0.0,\"rating\":null,"
    "\"limiting_bend\":{\"radius_m\":0.0,\"at\":[7.4,43.7]},\"path\":[]}]}]}";

static char *read_report(void)
{
    char path[192];
    snprintf(path, sizeof path, "%s/index.html", outdir);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *s = malloc((size_t)n + 1);
    assert_non_null(s);
    assert_int_equal(fread(s, 1, (size_t)n, f), (size_t)n);
    s[n] = '\0';
    fclose(f);
    return s;
}

static void write_report(struct ag_store *s, const struct ag_city *city)
{
    struct ag_error err = {0};
    int rc = ag_report_html(s, city, "en", outdir, &err);
    if (rc)
        fprintf(stderr, "%s\n", err.msg);
    assert_int_equal(rc, 0);
}

static void assert_has(const char *html, const char *what)
{
    if (!strstr(html, what))
        fail_msg("the report lacks: %s", what);
}

/* The only addresses in the page: the SVG namespace and the OSM copyright. */
static void assert_no_external_reference(const char *html)
{
    for (const char *p = strstr(html, "http"); p; p = strstr(p + 1, "http")) {
        if (!strncmp(p, "http://www.w3.org/2000/svg\"", 27) ||
            !strncmp(p, "https://www.openstreetmap.org/copyright", 39))
            continue;
        fail_msg("unexpected address in the report: %.60s", p);
    }
    assert_null(strstr(html, "<script"));
    assert_null(strstr(html, "src="));
    assert_null(strstr(html, "url("));
}

/* Every coordinate of every approach path lies on the 420 px map (with the
 * slack left for line caps), even for a route that starts 5 km away. */
static void assert_paths_clipped(const char *html)
{
    size_t npaths = 0;
    for (const char *p = strstr(html, "<path d=\""); p; p = strstr(p + 1, "<path d=\"")) {
        const char *d = p + 9, *end = strchr(d, '"');
        assert_non_null(end);
        if (strncmp(end, "\" class=\"ap\"", 12) != 0)
            continue;
        npaths++;
        for (const char *q = d; q < end;) {
            if (*q == 'M' || *q == 'L' || *q == ' ') {
                q++;
                continue;
            }
            char *next;
            double v = strtod(q, &next);
            assert_true(next > q);
            assert_true(v >= -7 && v <= 427);
            q = next;
        }
    }
    assert_int_equal(npaths, 3); /* A's two entries and D's one */
}

static void test_vehicle_section_shows_entries_ratings_and_why(void **state)
{
    (void)state;
    struct ag_city city;
    struct ag_store *s = build_store(&city);
    int64_t a = space_id(s, &city, "way/1"), b = space_id(s, &city, "way/2"),
            c = space_id(s, &city, "way/3"), d = space_id(s, &city, "way/4");
    int64_t ids[3] = {a, b, d};
    const char *results[3] = {RESULT_A, RESULT_B, RESULT_D};
    int64_t run;
    struct ag_error err = {0};
    assert_int_equal(ag_store_vehicle_save(s, city.id, "power", "id,description\n", "{}", ids,
                                           results, 3, &run, &err),
                     0);
    write_report(s, &city);
    char *html = read_report();

    /* The table of entries: speeds (rounded up to 0.1), energies, run-ups,
     * ratings, openings. */
    assert_has(html, "87.3 km/h<span class=\"chip r\" style=\"background:#6b0012\">");
    assert_has(html, "441 kJ</td>");
    assert_has(html, "V/1500[M1]/96/90");
    assert_has(html, "64.0 km/h<span class=\"chip r\" style=\"background:#f07800\">");
    assert_has(html, "4,741 kJ</td>");
    assert_has(html, "V/30000[N3F]/64/90");
    assert_has(html, "48.1 km/h<span class=\"chip r\" style=\"background:#f07800\">");
    assert_has(html, "V/1500[M1]/64/90");
    assert_has(html, "1,234 m</td>");
    assert_has(html, "5.5 m</td>");
    assert_has(html, "3.0 m</td>");
    assert_has(html, "cannot reach this entry");
    assert_has(html, "No vehicle class reaches this entry from outside the space");
    assert_has(html, "Vehicle access: 2 entries; worst impact 30.2 km/h (M1)");
    /* Why each worst case is what it is. */
    assert_has(html, "Worst case: M1 reaches 87.3 km/h after a 410 m run-up; the last bend "
                     "that limits it has a radius of 33 m, ");
    assert_has(html, " m before the entry (at 7.42300, 43.73000).");
    assert_has(html, "Worst case: M1 reaches 48.1 km/h after a 1,234 m run-up with no bend "
                     "sharp enough to slow it down.");
    /* Paths coloured by the band of their impact speed: over 80 km/h dark
     * red, 48-64 orange, up to 32 green; the legend gives every band. */
    assert_has(html, "class=\"ap\" stroke=\"#6b0012\"");
    assert_has(html, "class=\"ap\" stroke=\"#f07800\"");
    assert_has(html, "class=\"ap\" stroke=\"#1a9641\"");
    assert_has(html, "background:#e0b800\"></span>32&ndash;48 km/h");
    assert_has(html, "background:#d7191c\"></span>64&ndash;80 km/h");
    /* Entries numbered on the map, the limiting bend marked (only the real
     * one: the radius-0 bend of a class that cannot reach is no bend). */
    assert_has(html, "<g class=\"mlab\">");
    assert_non_null(strstr(strstr(html, "class=\"mbend\""), "limits M1, radius 33 m"));
    assert_null(strstr(html, "radius 0 m"));
    assert_paths_clipped(html);

    /* The card line, the city-level ranking (A before D, though D comes
     * first on the page by kind), no section without entries or result. */
    assert_has(html, "Vehicle access: 2 entries; worst impact 87.3 km/h (M1) &rarr; "
                     "V/1500[M1]/96/90");
    assert_has(html, "Vehicle access: No drivable way reaches this space.");
    char anchor_a[64], anchor_b[64], anchor_c[64], anchor_d[64], card_c[64];
    snprintf(anchor_a, sizeof anchor_a, "<a href=\"#vehicle-%lld\">", (long long)a);
    snprintf(anchor_d, sizeof anchor_d, "<a href=\"#vehicle-%lld\">", (long long)d);
    snprintf(anchor_b, sizeof anchor_b, "id=\"vehicle-%lld\"", (long long)b);
    snprintf(anchor_c, sizeof anchor_c, "id=\"vehicle-%lld\"", (long long)c);
    snprintf(card_c, sizeof card_c, "id=\"space-%lld\"", (long long)c);
    const char *summary = strstr(html, "id=\"vehicle-summary\"");
    const char *kinds = strstr(html, "Summary by kind");
    assert_non_null(summary);
    assert_non_null(kinds);
    const char *ra = strstr(summary, anchor_a), *rd = strstr(summary, anchor_d);
    assert_non_null(ra);
    assert_non_null(rd);
    assert_true(ra < rd && rd < kinds);
    assert_null(strstr(html, anchor_b));
    assert_null(strstr(html, anchor_c));
    const char *cc = strstr(html, card_c);
    assert_non_null(cc);
    const char *cc_end = strstr(cc, "</div>\n");
    const char *veh = strstr(cc, "Vehicle access");
    assert_true(!veh || veh > cc_end);
    /* The methods paragraph. */
    assert_has(html, "<b>power</b>");
    assert_has(html, "docs/methodology.md, sections 10, 11 and 13");
    assert_has(html, "no braking before bends");
    /* Escaped everywhere, self-contained. */
    assert_has(html, "Place &lt;Ouest&gt; &amp; Co");
    assert_null(strstr(html, "<Ouest>"));
    assert_no_external_reference(html);
    free(html);
    ag_store_close(s);
}

/* A way entry and a kerb-side entry (docs/methodology.md §13): each shown
 * with its kind and road, the kerb-side one with the pavement crossed. */
static const char RESULT_KERB[] =
    "{\"space\":{\"id\":0,\"osm\":\"way/1\",\"name\":\"Place <Ouest> & Co\",\"kind\":\"square\"},"
    "\"model\":\"power\",\"entries\":["
    "{\"id\":1,\"kind\":\"way\",\"lat\":43.7305,\"lon\":7.4210,\"width_m\":5.5,\"way\":100,"
    "\"node\":2,\"road\":\"Rue Haute\",\"by_class\":["
    "{\"class\":\"M1\",\"speed_kmh\":40.0,\"run_up_m\":100.0,\"energy_kj\":92.6,"
    "\"rating\":\"V/1500[M1]/48/90\",\"limiting_bend\":null,"
    "\"path\":[[7.4250,43.7305],[7.4210,43.7305]]}]},"
    "{\"id\":2,\"kind\":\"kerb-side\",\"lat\":43.7300,\"lon\":7.4215,\"width_m\":42.5,"
    "\"way\":101,\"node\":null,\"road\":\"Boulevard <Bas>\",\"frontage_m\":42.5,\"gap_m\":3.6,"
    "\"by_class\":[{\"class\":\"M1\",\"speed_kmh\":70.2,\"run_up_m\":300.0,\"energy_kj\":285.2,"
    "\"rating\":\"V/1500[M1]/80/90\",\"limiting_bend\":null,\"across_m\":3.6,"
    "\"path\":[[7.4180,43.7299],[7.4215,43.7299],[7.4215,43.7300]]}]}]}";

static void test_kerb_side_entries_are_shown_with_their_kind(void **state)
{
    (void)state;
    struct ag_city city;
    struct ag_store *s = build_store(&city);
    int64_t a = space_id(s, &city, "way/1");
    const char *results[1] = {RESULT_KERB};
    int64_t run;
    struct ag_error err = {0};
    assert_int_equal(ag_store_vehicle_save(s, city.id, "power", "id,description\n", "{}", &a,
                                           results, 1, &run, &err),
                     0);
    write_report(s, &city);
    char *html = read_report();
    assert_has(html, "Vehicle access: 2 entries (1 kerb-side); worst impact 70.2 km/h (M1)");
    assert_has(html, "<span class=\"ek\">way: Rue Haute</span>");
    assert_has(html, "<span class=\"ek\">kerb-side along Boulevard &lt;Bas&gt;</span>");
    assert_has(html, "42.5 m</td>");
    assert_has(html, "Worst case: M1 reaches 70.2 km/h after a 300 m run-up with no bend sharp "
                     "enough to slow it down; it leaves the road and crosses 3.6 m of pavement "
                     "to the space.");
    assert_has(html, "Entry 2 (kerb-side): M1 at 70.2 km/h after 300 m");
    assert_null(strstr(html, "<Bas>"));
    free(html);
    ag_store_close(s);
}

static void test_report_without_vehicle_results_has_no_vehicle_section(void **state)
{
    (void)state;
    struct ag_city city;
    struct ag_store *s = build_store(&city);
    write_report(s, &city);
    char *html = read_report();
    assert_has(html, "Summary by kind");
    assert_has(html, "Place &lt;Ouest&gt; &amp; Co");
    assert_null(strstr(html, "Vehicle"));
    assert_null(strstr(html, "class=\"ap\""));
    assert_no_external_reference(html);
    free(html);
    ag_store_close(s);
}

/* A stored result that is not a result breaks neither the page nor the
 * others: the space says it could not be read. */
static void test_unreadable_result_is_reported_not_fatal(void **state)
{
    (void)state;
    struct ag_city city;
    struct ag_store *s = build_store(&city);
    int64_t ids[2] = {space_id(s, &city, "way/1"), space_id(s, &city, "way/4")};
    const char *results[2] = {"{\"entries\":7}", RESULT_D};
    int64_t run;
    struct ag_error err = {0};
    assert_int_equal(
        ag_store_vehicle_save(s, city.id, "power", "", "{}", ids, results, 2, &run, &err), 0);
    write_report(s, &city);
    char *html = read_report();
    assert_has(html, "Vehicle access: the stored result could not be read");
    assert_has(html, "30.2 km/h<span class=\"chip r\" style=\"background:#1a9641\">");
    assert_has(html, "V/1500[M1]/32/90");
    assert_no_external_reference(html);
    free(html);
    ag_store_close(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_vehicle_section_shows_entries_ratings_and_why, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_kerb_side_entries_are_shown_with_their_kind, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(
            test_report_without_vehicle_results_has_no_vehicle_section, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unreadable_result_is_reported_not_fatal, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
