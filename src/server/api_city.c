/* agora serve: health, translations, cities, spaces, map tiles, vehicle
 * analysis and report downloads (docs/internals/server.md, "API").
 * SPDX-License-Identifier: EUPL-1.2 */
#include "server/server.h"

#include "agora/doc.h"
#include "agora/geo.h"
#include "agora/model.h"
#include "agora/report.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int h_health(struct req *r)
{
    ag_buf_puts(&r->out, "{\"ok\":true,\"version\":\"0.1.0\",\"tile_url\":");
    json_str(&r->out, r->srv->cfg.tile_url);
    ag_buf_puts(&r->out, "}");
    return reply_json(r, 200);
}

struct i18n_ctx {
    struct ag_buf *b;
    bool first;
};

static int put_message(void *ctx, const char *msgctxt, const char *msgid, const char *msgstr)
{
    struct i18n_ctx *x = ctx;
    if (msgctxt || !*msgid || !*msgstr)
        return 0;
    int rc = ag_buf_puts(x->b, x->first ? "" : ",");
    x->first = false;
    if (!rc)
        rc = ag_buf_put_json_str(x->b, msgid);
    if (!rc)
        rc = ag_buf_puts(x->b, ":");
    return rc ? rc : ag_buf_put_json_str(x->b, msgstr);
}

int h_i18n(struct req *r)
{
    struct i18n_ctx x = {&r->out, true};
    int rc = ag_buf_printf(&r->out, "{\"lang\":\"%s\",\"messages\":{", r->lang);
    if (!rc)
        rc = ag_catalog_each(srv_tr(r->srv, r->lang), put_message, &x);
    if (!rc)
        rc = ag_buf_puts(&r->out, "}}");
    return rc ? reply_ag_error(r, rc, NULL) : reply_json(r, 200);
}

int h_cities(struct req *r)
{
    struct ag_error err = {0};
    int rc = srv_put_cities(r, &r->out, &err);
    return rc ? reply_ag_error(r, rc, &err) : reply_json(r, 200);
}

/* The city of the path: 404 when it does not exist (only an administrator
 * can get that far for a city that does not exist). */
int srv_city(struct req *r, struct ag_city *out)
{
    return srv_city_id(r, r->cid, out);
}

int srv_city_id(struct req *r, int64_t cid, struct ag_city *out)
{
    struct ag_vec v;
    ag_vec_init(&v, sizeof(struct ag_city));
    struct ag_error err = {0};
    int rc = ag_store_cities(r->store, &v, &err);
    bool found = false;
    for (size_t i = 0; !rc && i < v.len; i++)
        if (AG_VEC_AT(&v, struct ag_city, i).id == cid) {
            *out = AG_VEC_AT(&v, struct ag_city, i);
            found = true;
        }
    ag_vec_free(&v);
    if (rc)
        return reply_ag_error(r, rc, &err), -1;
    if (!found)
        return reply_error(r, 404, "city %lld: no such city", (long long)cid), -1;
    return 0;
}

/* The space of the path within the path's city. */
int srv_space(struct req *r, struct ag_space *out)
{
    char ref[32];
    snprintf(ref, sizeof ref, "%lld", (long long)r->sid);
    struct ag_error err = {0};
    int rc = ag_store_space_get(r->store, r->cid, ref, out, &err);
    if (rc == AG_ENOTFOUND)
        return reply_error(r, 404, "space %lld: no such space in this city", (long long)r->sid), -1;
    if (rc)
        return reply_ag_error(r, rc, &err), -1;
    return 0;
}

int h_city(struct req *r)
{
    struct ag_city c;
    if (srv_city(r, &c))
        return 0;
    struct ag_vec v;
    ag_vec_init(&v, sizeof(struct ag_space));
    struct ag_error err = {0};
    int rc = ag_store_spaces(r->store, c.id, false, &v, &err);
    size_t n = v.len;
    for (size_t i = 0; i < v.len; i++)
        ag_space_free(&AG_VEC_AT(&v, struct ag_space, i));
    ag_vec_free(&v);
    if (rc)
        return reply_ag_error(r, rc, &err);
    rc = srv_put_city(&r->out, &c, r->role, r->partner);
    if (!rc && r->out.len && r->out.data[r->out.len - 1] == '}') {
        r->out.data[--r->out.len] = 0;
        rc = ag_buf_printf(&r->out, ",\"spaces\":%zu}", n);
    }
    return rc ? reply_ag_error(r, rc, NULL) : reply_json(r, 200);
}

/* The risk summary of the latest assessment of a space the user may see in
 * full, as a JSON object, or "null". */
int srv_put_risk(struct req *r, const struct ag_assessment_rec *latest, struct ag_buf *b)
{
    if (!latest || !srv_may_see_full(r, latest))
        return ag_buf_puts(b, "null");
    struct ag_assessment *a = NULL;
    int rc = ag_assessment_from_rec(r->srv->cat, latest, &a, NULL, NULL);
    struct ag_scenario_risk *risk = rc ? NULL : calloc(r->srv->cat->nscenarios, sizeof *risk);
    if (rc || !risk) {
        ag_assessment_free(a);
        free(risk);
        return ag_buf_puts(b, "null");
    }
    ag_assess_score(r->srv->cat, a, NULL, risk);
    double total = ag_assess_total(r->srv->cat, risk), max = 0;
    int cell = 0;
    size_t worst = 0;
    for (size_t s = 0; s < r->srv->cat->nscenarios; s++) {
        if (risk[s].risk.value > max)
            max = risk[s].risk.value, worst = s;
        if (risk[s].row * risk[s].col > cell)
            cell = risk[s].row * risk[s].col;
    }
    const char *level = cell <= 4    ? "low"
                        : cell <= 9  ? "medium"
                        : cell <= 16 ? "high"
                                     : "very_high";
    rc = ag_buf_printf(b,
                       "{\"assessment\":%lld,\"version\":%d,\"total\":%.4f,\"max\":%.4f,"
                       "\"worst\":\"%s\",\"cell\":%d,\"level\":\"%s\",\"colour\":\"%s\"}",
                       (long long)latest->id, latest->version, total, max,
                       r->srv->cat->scenarios[worst].id, cell, level, ag_doc_band(cell));
    free(risk);
    ag_assessment_free(a);
    return rc;
}

int h_spaces(struct req *r)
{
    struct ag_city c;
    if (srv_city(r, &c))
        return 0;
    struct ag_vec as;
    ag_vec_init(&as, sizeof(struct ag_assessment_rec));
    struct ag_error err = {0};
    int rc = ag_store_assessments(r->store, c.id, &as, &err);
    /* the risk of each assessed space, from its latest version (the list is
     * by space then version) */
    int64_t *ids = calloc(as.len + 1, sizeof *ids);
    char **risks = calloc(as.len + 1, sizeof *risks);
    size_t n = 0;
    if (!rc && (!ids || !risks))
        rc = ag_error_set(&err, AG_ENOMEM, "out of memory");
    for (size_t k = 0; !rc && k < as.len; k++) {
        const struct ag_assessment_rec *a = &AG_VEC_AT(&as, struct ag_assessment_rec, k);
        if (k + 1 < as.len &&
            AG_VEC_AT(&as, struct ag_assessment_rec, k + 1).space_id == a->space_id)
            continue;
        struct ag_assessment_rec full = {0};
        struct ag_buf b;
        ag_buf_init(&b, 4096);
        if (ag_store_assessment_get(r->store, a->id, &full, NULL) == 0 &&
            srv_put_risk(r, &full, &b) == 0) {
            ids[n] = a->space_id;
            risks[n++] = ag_buf_take(&b);
        }
        ag_buf_free(&b);
        ag_assessment_rec_free(&full);
    }
    if (!rc)
        rc = srv_spaces_json(r, &c, ids, risks, n, &err);
    for (size_t k = 0; k < n; k++)
        free(risks[k]);
    free(ids);
    free(risks);
    for (size_t i = 0; i < as.len; i++)
        ag_assessment_rec_free(&AG_VEC_AT(&as, struct ag_assessment_rec, i));
    ag_vec_free(&as);
    return rc ? reply_ag_error(r, rc, &err) : reply_json(r, 200);
}

int h_tile(struct req *r)
{
    struct ag_city c;
    if (srv_city(r, &c))
        return 0;
    struct ag_error err = {0};
    int rc = srv_tile_json(r, &c, &err);
    return rc ? reply_ag_error(r, rc, &err) : reply_json(r, 200);
}

int h_space(struct req *r)
{
    struct ag_space sp = {0};
    if (srv_space(r, &sp))
        return 0;
    struct ag_vec as;
    ag_vec_init(&as, sizeof(struct ag_assessment_rec));
    struct ag_error err = {0};
    int rc = ag_store_assessments(r->store, r->cid, &as, &err);
    struct ag_buf *b = &r->out;
    if (!rc)
        rc = ag_buf_printf(b, "{\"id\":%lld,\"city\":%lld,\"name\":", (long long)sp.id,
                           (long long)r->cid);
    if (!rc)
        rc = json_str(b, sp.name);
    if (!rc)
        rc = ag_buf_puts(b, ",\"kind\":");
    if (!rc)
        rc = json_str(b, sp.kind);
    if (!rc)
        rc = ag_buf_printf(b,
                           ",\"osm\":\"%s/%lld\",\"area_m2\":%.1f,\"perimeter_m\":%.1f,"
                           "\"center\":[%.7f,%.7f],\"geometry\":",
                           sp.ref.type, (long long)sp.ref.id, sp.area_m2, sp.perimeter_m,
                           sp.centroid.lon, sp.centroid.lat);
    if (!rc)
        rc = ag_geojson_write_mpoly(b, &sp.geom);
    if (!rc)
        rc = ag_buf_puts(b, ",\"assessments\":[");
    bool first = true;
    const struct ag_assessment_rec *latest = NULL;
    for (size_t i = 0; !rc && i < as.len; i++) {
        const struct ag_assessment_rec *a = &AG_VEC_AT(&as, struct ag_assessment_rec, i);
        if (a->space_id != sp.id || !srv_may_see_full(r, a))
            continue;
        latest = a;
        rc = ag_buf_printf(b,
                           "%s{\"id\":%lld,\"version\":%d,\"rev\":%d,\"created_at\":\"%s\","
                           "\"updated_at\":\"%s\",\"sharing\":\"%s\",\"assessor\":",
                           first ? "" : ",", (long long)a->id, a->version, a->rev, a->created_at,
                           a->updated_at, a->sharing);
        if (!rc)
            rc = json_str(b, a->assessor);
        if (!rc)
            rc = ag_buf_puts(b, "}");
        first = false;
    }
    if (!rc)
        rc = ag_buf_printf(b, "],\"latest_assessment\":");
    if (!rc)
        rc = latest ? ag_buf_printf(b, "%lld", (long long)latest->id) : ag_buf_puts(b, "null");
    if (!rc)
        rc = ag_buf_puts(b, "}");
    for (size_t i = 0; i < as.len; i++)
        ag_assessment_rec_free(&AG_VEC_AT(&as, struct ag_assessment_rec, i));
    ag_vec_free(&as);
    ag_space_free(&sp);
    return rc ? reply_ag_error(r, rc, &err) : reply_json(r, 200);
}

int h_vehicle(struct req *r)
{
    struct ag_space sp = {0};
    if (srv_space(r, &sp))
        return 0;
    char *json = NULL;
    struct ag_error err = {0};
    int rc = ag_store_vehicle_latest(r->store, sp.id, &json, &err);
    ag_space_free(&sp);
    if (rc == AG_ENOTFOUND)
        return reply_error(r, 404,
                           "no vehicle approach analysis of this space yet (agora vehicle --all)");
    if (rc)
        return reply_ag_error(r, rc, &err);
    rc = ag_buf_puts(&r->out, json);
    free(json);
    return rc ? reply_ag_error(r, rc, NULL) : reply_json(r, 200);
}

int h_report(struct req *r)
{
    const char *format = req_arg(r, "format");
    if (!format)
        format = "pdf";
    if (strcmp(format, "pdf") && strcmp(format, "html"))
        return reply_error(r, 400, "format: expected pdf or html");
    double budget = INFINITY;
    const char *bs = req_arg(r, "budget");
    if (bs && (!ag_parse_double(bs, &budget) || !(budget >= 0) || budget > 1e12))
        return reply_error(r, 400, "budget: expected an amount in euros, e.g. 250000");
    const char *lang = srv_lang(r);
    struct ag_city c;
    struct ag_space sp = {0};
    if (srv_city(r, &c) || srv_space(r, &sp))
        return 0;
    struct ag_error err = {0};
    struct ag_assessment_rec rec = {0};
    struct ag_assessment *a = NULL;
    /* the latest version the user may see in full */
    struct ag_vec as;
    ag_vec_init(&as, sizeof(struct ag_assessment_rec));
    int rc = ag_store_assessments(r->store, c.id, &as, &err);
    int64_t id = 0;
    for (size_t i = 0; !rc && i < as.len; i++) {
        const struct ag_assessment_rec *x = &AG_VEC_AT(&as, struct ag_assessment_rec, i);
        if (x->space_id == sp.id && srv_may_see_full(r, x))
            id = x->id;
    }
    for (size_t i = 0; i < as.len; i++)
        ag_assessment_rec_free(&AG_VEC_AT(&as, struct ag_assessment_rec, i));
    ag_vec_free(&as);
    if (!rc && !id) {
        ag_space_free(&sp);
        return reply_error(r, 404, "this space has no assessment yet");
    }
    if (!rc)
        rc = ag_store_assessment_get(r->store, id, &rec, &err);
    if (!rc)
        rc = ag_assessment_from_rec(r->srv->cat, &rec, &a, NULL, &err);
    char path[] = "/tmp/agora-report-XXXXXX";
    int fd = -1;
    if (!rc && (fd = mkstemp(path)) < 0)
        rc = ag_error_set(&err, AG_EIO, "cannot create a temporary file");
    if (fd >= 0)
        close(fd);
    if (!rc)
        rc = ag_report_assessment(r->srv->cat, a, &c, &sp, lang, budget, format, path, &err);
    if (!rc)
        rc = ag_file_read(path, &r->out, &err);
    if (fd >= 0)
        unlink(path);
    if (!rc) {
        /* a file name of ASCII letters only: the space id and language */
        snprintf(r->disposition, sizeof r->disposition,
                 "attachment; filename=\"agora-space-%lld-%s.%s\"", (long long)sp.id, lang, format);
        r->ctype = strcmp(format, "pdf") ? "text/html; charset=utf-8" : "application/pdf";
        r->status = 200;
    } else
        reply_ag_error(r, rc, &err);
    ag_assessment_free(a);
    ag_assessment_rec_free(&rec);
    ag_space_free(&sp);
    return 0;
}
