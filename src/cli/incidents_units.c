/* agora incidents: the units hotspot statistics work on (grid cells or the
 * city's public spaces) and the weights between them.
 * SPDX-License-Identifier: EUPL-1.2 */
#include "incidents_cli.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int inc_units_grid(const struct inc_sel *s, const char *extent, double cell_m,
                   struct inc_units *u, struct ag_error *err)
{
    memset(u, 0, sizeof *u);
    u->grid = true;
    int rc = inc_grid(s, extent, cell_m, 0, &u->g, err);
    if (rc)
        return rc;
    u->n = u->g.nx * u->g.ny;
    u->centre = malloc(u->n * sizeof *u->centre);
    u->count = calloc(u->n, sizeof *u->count);
    if (!u->centre || !u->count) {
        inc_units_free(u);
        return ag_error_set(err, AG_ENOMEM, "out of memory for %zu cells", u->n);
    }
    for (size_t iy = 0; iy < u->g.ny; iy++)
        for (size_t ix = 0; ix < u->g.nx; ix++)
            u->centre[iy * u->g.nx + ix] =
                (struct ag_xy){u->g.x0 + ((double)ix + 0.5) * u->g.cell_m,
                               u->g.y0 + ((double)iy + 0.5) * u->g.cell_m};
    ag_incidents_grid_count(&u->g, s->xy, s->n, u->count);
    return 0;
}

int inc_units_spaces(const struct inc_sel *s, const char *city, double around_m,
                     struct inc_units *u, struct ag_error *err)
{
    memset(u, 0, sizeof *u);
    ag_vec_init(&u->spaces, sizeof(struct ag_space));
    u->around_m = around_m;
    int rc = ag_store_city_get(s->store, city, &u->city, err);
    if (!rc)
        rc = ag_store_spaces(s->store, u->city.id, true, &u->spaces, err);
    if (!rc && !u->spaces.len)
        rc = ag_error_set(err, AG_EEMPTY, "city \"%s\" has no public space", u->city.name);
    if (!rc)
        rc = ag_incidents_in_spaces((const struct ag_space *)u->spaces.data, u->spaces.len,
                                    s->plane, s->xy, s->n, around_m, &u->inside, err);
    u->n = u->spaces.len;
    if (!rc && !(u->centre = calloc(u->n, sizeof *u->centre)))
        rc = ag_error_set(err, AG_ENOMEM, "out of memory");
    for (size_t i = 0; !rc && i < u->n; i++) {
        const struct ag_space *sp = &AG_VEC_AT(&u->spaces, struct ag_space, i);
        if (!ag_plane_fwd(s->plane, sp->centroid, &u->centre[i]))
            rc = ag_error_set(err, AG_EPROJ, "space %lld cannot be placed in %s",
                              (long long)sp->id, s->set.plane);
    }
    if (rc) {
        inc_units_free(u);
        return rc;
    }
    u->count = u->inside.within;
    return 0;
}

void inc_units_free(struct inc_units *u)
{
    for (size_t i = 0; i < u->spaces.len; i++)
        ag_space_free(&AG_VEC_AT(&u->spaces, struct ag_space, i));
    ag_vec_free(&u->spaces);
    if (u->grid)
        free(u->count);
    ag_incidents_in_spaces_free(&u->inside);
    free(u->centre);
    memset(u, 0, sizeof *u);
}

int inc_units_weights(const struct inc_units *u, const char *band, const char *contiguity,
                      const char *gal, bool self, struct ag_incidents_weights *w, char *describe,
                      size_t cap, struct ag_error *err)
{
    if (!!band + !!contiguity + !!gal > 1)
        return ag_error_set(err, AG_EINVAL, "give one of --band, --contiguity and --gal");
    if (!band && !contiguity && !gal) {
        if (!u->grid)
            return ag_error_set(err, AG_EINVAL,
                                "public spaces need --band M (centroids within M metres are "
                                "neighbours) or --gal FILE");
        contiguity = "queen";
    }
    int rc;
    if (band) {
        char *end;
        double m = strtod(band, &end);
        if (end == band || *end || !isfinite(m) || m <= 0)
            return ag_error_set(err, AG_EINVAL, "--band: expected metres > 0, not \"%s\"", band);
        rc = ag_incidents_weights_band(u->centre, u->n, m, false, w, err);
        snprintf(describe, cap, "distance band %g m between %s", m,
                 u->grid ? "cell centres" : "space centroids");
    } else if (contiguity) {
        bool queen = !strcmp(contiguity, "queen");
        if (!queen && strcmp(contiguity, "rook"))
            return ag_error_set(err, AG_EINVAL, "--contiguity: expected queen or rook, not \"%s\"",
                                contiguity);
        if (!u->grid)
            return ag_error_set(err, AG_EINVAL,
                                "--contiguity is for grids; public spaces need --band or --gal");
        rc = ag_incidents_weights_lattice(u->g.ny, u->g.nx, queen, w, err);
        snprintf(describe, cap, "%s contiguity between cells", contiguity);
    } else {
        if (u->grid)
            return ag_error_set(err, AG_EINVAL, "--gal is for public spaces (ids are space ids)");
        struct ag_incidents_weights g = {0};
        rc = ag_incidents_weights_load_gal(gal, &g, err);
        /* Reorder the file's units to the order of the spaces. */
        size_t *map = NULL;
        if (!rc && g.n != u->n)
            rc = ag_error_set(err, AG_EINVAL, "%s: %zu units, but the city has %zu spaces", gal,
                              g.n, u->n);
        if (!rc && !(map = malloc(u->n * sizeof *map)))
            rc = ag_error_set(err, AG_ENOMEM, "out of memory");
        for (size_t i = 0; !rc && i < u->n; i++) {
            char id[32];
            snprintf(id, sizeof id, "%lld",
                     (long long)AG_VEC_AT(&u->spaces, struct ag_space, i).id);
            if (ag_incidents_weights_find(&g, id, &map[i]))
                rc = ag_error_set(err, AG_EINVAL, "%s: no unit for space %s", gal, id);
        }
        if (!rc) {
            /* inverse: file unit -> space index */
            size_t *inv = malloc(u->n * sizeof *inv);
            w->n = u->n;
            w->start = calloc(u->n + 1, sizeof *w->start);
            w->nbr = malloc((g.start[g.n] ? g.start[g.n] : 1) * sizeof *w->nbr);
            w->w = malloc((g.start[g.n] ? g.start[g.n] : 1) * sizeof *w->w);
            if (!inv || !w->start || !w->nbr || !w->w) {
                rc = ag_error_set(err, AG_ENOMEM, "out of memory");
            } else {
                for (size_t i = 0; i < u->n; i++)
                    inv[map[i]] = i;
                size_t k = 0;
                for (size_t i = 0; i < u->n; i++) {
                    size_t f = map[i];
                    size_t first = k;
                    for (size_t e = g.start[f]; e < g.start[f + 1]; e++, k++) {
                        w->nbr[k] = inv[g.nbr[e]];
                        w->w[k] = g.w[e];
                    }
                    /* keep neighbours ascending */
                    for (size_t a = first + 1; a < k; a++)
                        for (size_t b = a; b > first && w->nbr[b - 1] > w->nbr[b]; b--) {
                            size_t tn = w->nbr[b];
                            w->nbr[b] = w->nbr[b - 1];
                            w->nbr[b - 1] = tn;
                            double tw = w->w[b];
                            w->w[b] = w->w[b - 1];
                            w->w[b - 1] = tw;
                        }
                    w->start[i + 1] = k;
                }
            }
            free(inv);
        }
        free(map);
        ag_incidents_weights_free(&g);
        snprintf(describe, cap, "contiguity from %s", gal);
    }
    if (!rc && self)
        rc = ag_incidents_weights_set_self(w, 1.0, err);
    if (rc)
        ag_incidents_weights_free(w);
    return rc;
}

const char *inc_unit_label(const struct inc_units *u, size_t i, char *buf, size_t cap)
{
    if (u->grid) {
        snprintf(buf, cap, "cell %zu,%zu", i % u->g.nx, i / u->g.nx);
    } else {
        const struct ag_space *sp = &AG_VEC_AT(&u->spaces, struct ag_space, i);
        snprintf(buf, cap, "%s (id %lld)", sp->name ? sp->name : "(unnamed)", (long long)sp->id);
    }
    return buf;
}

void inc_unit_geojson(struct ag_buf *b, const struct inc_sel *s, const struct inc_units *u,
                      size_t i)
{
    if (u->grid) {
        inc_geojson_cell(b, s, &u->g, i % u->g.nx, i / u->g.nx);
        return;
    }
    ag_geojson_write_mpoly(b, &AG_VEC_AT(&u->spaces, struct ag_space, i).geom);
}

void inc_unit_json_id(struct ag_buf *b, const struct inc_units *u, size_t i)
{
    if (u->grid) {
        ag_buf_printf(b, "\"ix\":%zu,\"iy\":%zu,\"x\":%.17g,\"y\":%.17g", i % u->g.nx,
                      i / u->g.nx, u->centre[i].x, u->centre[i].y);
        return;
    }
    const struct ag_space *sp = &AG_VEC_AT(&u->spaces, struct ag_space, i);
    ag_buf_printf(b, "\"space_id\":%lld,\"name\":", (long long)sp->id);
    if (sp->name)
        ag_buf_put_json_str(b, sp->name);
    else
        ag_buf_puts(b, "null");
    ag_buf_puts(b, ",\"kind\":");
    ag_buf_put_json_str(b, sp->kind);
}

void inc_csv_text(struct ag_buf *b, const char *s)
{
    ag_buf_puts(b, "\"");
    for (; *s; s++)
        ag_buf_printf(b, "%s", *s == '"' ? "\"\"" : (char[]){*s, 0});
    ag_buf_puts(b, "\"");
}

void inc_unit_csv_id(struct ag_buf *b, const struct inc_units *u, size_t i)
{
    if (u->grid) {
        ag_buf_printf(b, "%zu,%zu,%.17g,%.17g", i % u->g.nx, i / u->g.nx, u->centre[i].x,
                      u->centre[i].y);
        return;
    }
    const struct ag_space *sp = &AG_VEC_AT(&u->spaces, struct ag_space, i);
    ag_buf_printf(b, "%lld,", (long long)sp->id);
    inc_csv_text(b, sp->name ? sp->name : "");
}
