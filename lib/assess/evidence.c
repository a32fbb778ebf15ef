/* Computed answers: what agora's engines say about a space, turned into
 * the answer bands of the checklist questions that carry an evidence key
 * (docs/methodology.md §18.3). SPDX-License-Identifier: EUPL-1.2 */
#include "agora/crowd.h"
#include "agora/model.h"
#include "agora/store.h"
#include "assess_int.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int ag_assess_vehicle_level(bool any_entry, double worst_kmh)
{
    if (!any_entry)
        return 5;
    if (worst_kmh >= 48)
        return 1;
    if (worst_kmh >= 32)
        return 2;
    if (worst_kmh >= 16)
        return 3;
    return 4;
}

int ag_assess_crowd_level(double people, double capacity)
{
    if (!(capacity > 0))
        return people > 0 ? 1 : 5;
    double r = people / capacity;
    if (r > 1)
        return 1;
    if (r >= 0.9)
        return 2;
    if (r >= 0.7)
        return 3;
    if (r >= 0.5)
        return 4;
    return 5;
}

static long question_with(const struct ag_catalogue *c, enum ag_evidence e)
{
    for (size_t q = 0; q < c->nquestions; q++)
        if (c->questions[q].evidence == e)
            return (long)q;
    return -1;
}

/* The worst impact speed over every entry and class of the stored result. */
static int vehicle_evidence(struct ag_store *s, const struct ag_space *sp, struct ag_assessment *a,
                            size_t q, const char *now, struct ag_error *err)
{
    char *json = NULL;
    int rc = ag_store_vehicle_latest(s, sp->id, &json, err);
    if (rc == AG_ENOTFOUND) {
        ag_error_clear(err);
        return ag_assessment_set_computed(a, q, 0, NULL,
                                          "no vehicle approach analysis is stored for this "
                                          "space: run agora vehicle first",
                                          now);
    }
    if (rc)
        return rc;
    json_error_t je;
    json_t *root = json_loads(json, 0, &je);
    free(json);
    json_t *entries = json_object_get(root, "entries");
    if (!json_is_array(entries)) {
        json_decref(root);
        return ag_error_set(err, AG_EPARSE,
                            "the stored vehicle result of space %lld is not "
                            "readable: run agora vehicle again",
                            (long long)sp->id);
    }
    double worst = -1;
    json_t *we = NULL, *wc = NULL;
    size_t i, j;
    json_t *e, *k;
    json_array_foreach(entries, i, e)
    {
        json_array_foreach(json_object_get(e, "by_class"), j, k)
        {
            double v = json_number_value(json_object_get(k, "speed_kmh"));
            if (v > worst)
                worst = v, we = e, wc = k;
        }
    }
    size_t n = json_array_size(entries);
    int level = ag_assess_vehicle_level(n > 0, worst);
    char summary[400];
    struct ag_buf ev;
    ag_buf_init(&ev, 1 << 16);
    rc = ag_buf_printf(&ev, "{\"engine\":\"vehicle\",\"model\":");
    if (!rc)
        rc = ag_buf_put_json_str(&ev, json_string_value(json_object_get(root, "model"))
                                          ? json_string_value(json_object_get(root, "model"))
                                          : "");
    if (!rc)
        rc = ag_buf_printf(&ev, ",\"entries\":%zu", n);
    if (!rc && we) {
        const char *cls = json_string_value(json_object_get(wc, "class"));
        const char *rating = json_string_value(json_object_get(wc, "rating"));
        const char *kind = json_string_value(json_object_get(we, "kind"));
        char speed[32];
        ag_format_fixed(speed, sizeof speed, worst, 1);
        rc = ag_buf_printf(&ev, ",\"worst\":{\"entry\":%lld,\"class\":",
                           (long long)json_integer_value(json_object_get(we, "id")));
        if (!rc)
            rc = ag_buf_put_json_str(&ev, cls ? cls : "");
        if (!rc)
            rc = ag_buf_printf(&ev, ",\"speed_kmh\":%s,\"rating\":", speed);
        if (!rc)
            rc = ag_buf_put_json_str(&ev, rating ? rating : "");
        if (!rc)
            rc = ag_buf_printf(&ev, ",\"way\":%lld}",
                               (long long)json_integer_value(json_object_get(we, "way")));
        snprintf(summary, sizeof summary,
                 "%zu %s; fastest: entry %lld%s%s%s, class %s at %.0f km/h (a barrier rated %s "
                 "would be needed)",
                 n, n == 1 ? "entry" : "entries",
                 (long long)json_integer_value(json_object_get(we, "id")), kind ? " (" : "",
                 kind ? kind : "", kind ? ")" : "", cls ? cls : "?", worst,
                 rating && *rating ? rating : "above every standard test");
    } else {
        snprintf(summary, sizeof summary,
                 "no entry: no drivable way reaches this space in the analysed network");
    }
    if (!rc)
        rc = ag_buf_puts(&ev, "}");
    json_decref(root);
    if (!rc)
        rc = ag_assessment_set_computed(a, q, level, ev.data, summary, now);
    ag_buf_free(&ev);
    return rc ? ag_error_set(err, rc, "vehicle evidence: out of memory") : 0;
}

static void free_vecs(struct ag_vec *blds, struct ag_vec *edges)
{
    for (size_t i = 0; i < blds->len; i++)
        ag_building_free(&AG_VEC_AT(blds, struct ag_building, i));
    ag_vec_free(blds);
    for (size_t i = 0; i < edges->len; i++)
        ag_road_edge_free(&AG_VEC_AT(edges, struct ag_road_edge, i));
    ag_vec_free(edges);
}

/* The space's final capacity (tier 1) against the people expected. */
static int crowd_evidence(struct ag_store *s, const struct ag_city *city, const struct ag_space *sp,
                          struct ag_assessment *a, size_t q, const char *now, struct ag_error *err)
{
    struct ag_vec blds, edges;
    ag_vec_init(&blds, sizeof(struct ag_building));
    ag_vec_init(&edges, sizeof(struct ag_road_edge));
    int rc = ag_store_buildings(s, city->id, &blds, err);
    if (!rc)
        rc = ag_store_road_edges(s, city->id, &edges, err);
    struct ag_crowd_geom g;
    struct ag_crowd_build_info info;
    struct ag_crowd_capacity cap;
    char summary[400];
    if (!rc) {
        struct ag_error e2 = {0};
        int grc = ag_crowd_geom_of_space(sp, blds.data, blds.len, edges.data, edges.len, NULL, &g,
                                         &info, &e2);
        if (!grc) {
            grc = ag_crowd_capacity_assess(&g, NULL, &cap, &e2);
            ag_crowd_geom_free(&g);
        }
        free_vecs(&blds, &edges);
        if (grc == AG_ENOMEM)
            return ag_error_set(err, AG_ENOMEM, "crowd evidence: out of memory");
        if (grc) {
            snprintf(summary, sizeof summary, "the crowd capacity could not be computed: %.300s",
                     e2.msg);
            return ag_assessment_set_computed(a, q, 0, NULL, summary, now);
        }
    } else {
        free_vecs(&blds, &edges);
        return rc;
    }
    char capn[32];
    snprintf(capn, sizeof capn, "%.0f", cap.capacity_persons);
    if (a->ctx.people < 0) {
        snprintf(summary, sizeof summary,
                 "safe capacity %s people (limited by %s); give the largest crowd expected "
                 "(context.people) to compare",
                 capn, ag_crowd_limit_name(cap.limit));
        return ag_assessment_set_computed(a, q, 0, NULL, summary, now);
    }
    int level = ag_assess_crowd_level(a->ctx.people, cap.capacity_persons);
    char ev[400], ratio[32] = "null";
    if (cap.capacity_persons > 0)
        snprintf(ratio, sizeof ratio, "%.3f", a->ctx.people / cap.capacity_persons);
    snprintf(ev, sizeof ev,
             "{\"engine\":\"crowd\",\"capacity\":%s,\"limit\":\"%s\",\"holding\":%.0f,"
             "\"egress\":%.0f,\"people\":%.0f,\"ratio\":%s}",
             capn, ag_crowd_limit_name(cap.limit), cap.holding_persons, cap.egress_persons,
             a->ctx.people, ratio);
    snprintf(summary, sizeof summary,
             "%.0f people expected against a safe capacity of %s (limited by %s)%s", a->ctx.people,
             capn, ag_crowd_limit_name(cap.limit),
             cap.no_exit_left ? "; with its only exit blocked nobody could leave" : "");
    return ag_assessment_set_computed(a, q, level, ev, summary, now);
}

int ag_assess_evidence(struct ag_store *s, const struct ag_city *city, const struct ag_space *sp,
                       const struct ag_catalogue *c, struct ag_assessment *a, const char *now,
                       struct ag_error *err)
{
    long q = question_with(c, AG_EVIDENCE_VEHICLE);
    int rc = 0;
    if (q >= 0)
        rc = vehicle_evidence(s, sp, a, (size_t)q, now, err);
    q = question_with(c, AG_EVIDENCE_CROWD);
    if (!rc && q >= 0)
        rc = crowd_evidence(s, city, sp, a, (size_t)q, now, err);
    return rc;
}
