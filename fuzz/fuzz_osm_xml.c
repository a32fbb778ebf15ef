/* libFuzzer target for the OSM XML importer. readosm reads files by name
 * (and wants the name to end in .osm), so each input is written to one
 * temporary file per process and imported from there with the real tag
 * tables from the data directory. Any input must either be refused with an
 * error the importer documents (and a message naming the file, the model
 * left empty) or give a model whose features keep the promises of model.h;
 * malformed XML must be refused as such; nothing may leak or crash.
 * Inputs are capped at 64 KiB so that each run stays fast. Leaks are checked
 * on every well-formed input; see LLVMFuzzerTestOneInput for why not on
 * malformed ones.
 * SPDX-License-Identifier: EUPL-1.2 */
#include "agora/osm.h"

#include <expat.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#if defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(leak_sanitizer)
#include <sanitizer/lsan_interface.h>
#define HAVE_LSAN 1
#endif
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

enum { MAX_INPUT = 64 * 1024 };

static struct ag_osm_rules *rules;
static char path[64];

static void die(const char *what, const char *detail)
{
    fprintf(stderr, "fuzz_osm_xml: %s%s%s\n", what, detail ? ": " : "", detail ? detail : "");
    abort();
}

static void cleanup(void)
{
    if (path[0])
        unlink(path);
    ag_osm_rules_free(rules);
    rules = NULL;
}

static void setup(void)
{
    struct ag_error err = {0};
    if (ag_osm_rules_load(&rules, ag_data_dir(), &err))
        die("cannot load the tag tables", err.msg);
    snprintf(path, sizeof path, "/tmp/agora-fuzz-%ld.osm", (long)getpid());
    atexit(cleanup);
    /* A progress bar would only slow the runs down. */
    ag_progress_force(0);
}

static bool write_input(const uint8_t *data, size_t size)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return false;
    bool ok = fwrite(data, 1, size, f) == size;
    return fclose(f) == 0 && ok;
}

/* The same expat that readosm uses, asked only whether the bytes are
 * well-formed XML. */
static bool well_formed(const uint8_t *data, size_t size)
{
    XML_Parser p = XML_ParserCreate(NULL);
    if (!p)
        return false;
    bool ok = XML_Parse(p, (const char *)data, (int)size, 1) == XML_STATUS_OK;
    XML_ParserFree(p);
    return ok;
}

static bool ref_is(const struct ag_osm_ref *ref, const char *a, const char *b)
{
    return !strcmp(ref->type, a) || (b && !strcmp(ref->type, b));
}

static void check_line(const struct ag_line *l, size_t min_points, const char *what)
{
    if (l->n < min_points || !l->pts)
        die("too few points", what);
}

static void check_model(const struct ag_city_model *m)
{
    if (!m->source || strcmp(m->source, path) != 0)
        die("model does not name its source", m->source);
    if (m->nodes_read == 0)
        die("accepted a file without nodes", NULL);
    for (size_t i = 0; i < m->spaces.len; i++) {
        const struct ag_space *s = &AG_VEC_AT(&m->spaces, struct ag_space, i);
        if (!ref_is(&s->ref, "way", "relation") || !s->kind || !s->origin ||
            strcmp(s->origin, "osm") != 0 || !s->geom_source || !s->tags_json)
            die("space with missing fields", s->kind);
        if (s->geom.npolys == 0 || !(s->area_m2 > 0) || !isfinite(s->area_m2) ||
            !(s->perimeter_m > 0) || !isfinite(s->perimeter_m))
            die("space without a usable polygon", s->kind);
    }
    for (size_t i = 0; i < m->road_edges.len; i++) {
        const struct ag_road_edge *e = &AG_VEC_AT(&m->road_edges, struct ag_road_edge, i);
        if (!e->highway || !e->width_source)
            die("road edge with missing fields", NULL);
        check_line(&e->geom, 2, "road edge");
        if (!(e->width_m > 0) || !(e->length_m >= 0))
            die("road edge with an impossible width or length", e->width_source);
        if (e->oneway < -1 || e->oneway > 1)
            die("road edge with an impossible oneway", NULL);
        if (!isnan(e->incline_pct) && !(fabs(e->incline_pct) <= 100))
            die("road edge with an impossible incline", NULL);
        if (!isnan(e->maxspeed_kmh) && !(e->maxspeed_kmh > 0))
            die("road edge with an impossible maxspeed", NULL);
    }
    for (size_t i = 0; i < m->road_nodes.len; i++) {
        const struct ag_road_node *n = &AG_VEC_AT(&m->road_nodes, struct ag_road_node, i);
        if (n->blocks_vehicle && !n->barrier)
            die("road node blocks vehicles without a barrier", NULL);
    }
    for (size_t i = 0; i < m->barriers.len; i++) {
        const struct ag_barrier *b = &AG_VEC_AT(&m->barriers, struct ag_barrier, i);
        if (!b->type || !ref_is(&b->ref, "node", "way"))
            die("barrier with missing fields", NULL);
        check_line(&b->geom, !strcmp(b->ref.type, "node") ? 1 : 2, "barrier");
    }
    for (size_t i = 0; i < m->buildings.len; i++) {
        const struct ag_building *b = &AG_VEC_AT(&m->buildings, struct ag_building, i);
        if (!b->building || !ref_is(&b->ref, "way", "relation") || b->geom.npolys == 0)
            die("building with missing fields", NULL);
    }
    for (size_t i = 0; i < m->skipped.len; i++) {
        const struct ag_skip *s = &AG_VEC_AT(&m->skipped, struct ag_skip, i);
        if (!s->what || !s->reason)
            die("skip without a reason", NULL);
    }
}

static bool model_is_empty(const struct ag_city_model *m)
{
    return !m->source && m->spaces.len == 0 && m->road_nodes.len == 0 && m->road_edges.len == 0 &&
           m->barriers.len == 0 && m->buildings.len == 0 && m->skipped.len == 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!rules)
        setup();
    if (size > MAX_INPUT)
        return 0;
    if (!write_input(data, size))
        die("cannot write the temporary file", path);

    /* readosm 1.1.0 leaks on malformed XML: its expat parser and whatever
     * it had allocated for the object being parsed (a member's role, say).
     * Those allocations are made by readosm itself, with no agora frame on
     * their stack, so no suppression can tell them from a leak in agora's
     * callbacks (which run under readosm and expat frames too). Instead,
     * leak checking is paused for inputs expat itself refuses, and agora's
     * code is leak-checked in full on every well-formed input; the clean-up
     * after a parse error is the same code. */
    bool xml_ok = well_formed(data, size);
    struct ag_city_model m;
    struct ag_error err = {0};
#ifdef HAVE_LSAN
    if (!xml_ok)
        __lsan_disable();
#endif
    int rc = ag_osm_read(path, rules, &m, &err);
    unlink(path); /* only a crash inside the import leaves it behind */
#ifdef HAVE_LSAN
    if (!xml_ok)
        __lsan_enable();
#endif
    if (!xml_ok && rc != AG_EPARSE && rc != AG_ENOMEM && !(size == 0 && rc == AG_EEMPTY))
        die("malformed XML not refused as malformed", ag_errname(rc));
    if (rc) {
        if (rc != AG_EEMPTY && rc != AG_EPARSE && rc != AG_ENOMEM && rc != AG_EPROJ)
            die("unexpected error code", ag_errname(rc));
        if (err.code != rc || !strstr(err.msg, path))
            die("error message does not name the file", err.msg);
        if (!model_is_empty(&m))
            die("model not emptied on failure", err.msg);
    } else {
        check_model(&m);
    }
    ag_city_model_free(&m);
    return 0;
}
