/* Tier 2, hydraulic egress: the SFPE Handbook's speed-density relation,
 * effective widths and maximum specific flows, people shared among the
 * exits, and the evacuation curve that the agent simulation will be
 * compared with.
 * SPDX-License-Identifier: EUPL-1.2 */
#include "agora/crowd.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* SFPE Handbook, 5th ed., ch. 59 (Gwynne & Rosenbaum), tables of the
 * constants of S = k - a k D (k, m/s) and of the maximum specific flow
 * (persons/s per metre of effective width), in the order of
 * enum ag_crowd_element. Stairs by riser / tread: 191/254, 178/279,
 * 165/305, 165/330 mm. The flows are k / (4a) rounded: the peak of
 * k D (1 - a D) at D = 1 / (2a). */
static const double sfpe_k[AG_ELEM_COUNT] = {1.40, 1.00, 1.08, 1.16, 1.23};
static const double sfpe_fs_max[AG_ELEM_COUNT] = {1.3, 0.94, 1.01, 1.09, 1.16};

/* SFPE boundary layer table (after Pauls), metres, in the order of
 * enum ag_crowd_boundary. */
static const double boundary_m[AG_BOUNDARY_COUNT] = {0.15, 0.09, 0, 0.20, 0.10, 0.46, 0.15};

double ag_crowd_sfpe_k(enum ag_crowd_element e)
{
    return (unsigned)e < AG_ELEM_COUNT ? sfpe_k[e] : NAN;
}

double ag_crowd_sfpe_fs_max(enum ag_crowd_element e)
{
    return (unsigned)e < AG_ELEM_COUNT ? sfpe_fs_max[e] : NAN;
}

double ag_crowd_boundary_m(enum ag_crowd_boundary b)
{
    return (unsigned)b < AG_BOUNDARY_COUNT ? boundary_m[b] : NAN;
}

double ag_crowd_effective_width_m(double clear_m, double left_m, double right_m)
{
    double w = clear_m - left_m - right_m;
    return w > 0 ? w : 0;
}

/* Below 0.54 persons/m² people walk at their own pace, which the handbook
 * puts at 0.85 k (the formula would give 0.856 k there: the step is the
 * handbook's rounding). From 3.8 persons/m² nobody moves; the formula
 * reaches 0 at 1 / a = 3.76, so speeds are also kept from going below 0. */
double ag_crowd_sfpe_speed(double k_ms, double density_pm2)
{
    if (density_pm2 < AG_SFPE_D_FREE_PM2)
        return 0.85 * k_ms;
    if (density_pm2 >= AG_SFPE_D_STOP_PM2)
        return 0;
    double s = k_ms * (1 - AG_SFPE_A_M2 * density_pm2);
    return s > 0 ? s : 0;
}

double ag_crowd_sfpe_specific_flow(double k_ms, double density_pm2)
{
    if (!(density_pm2 > 0))
        return 0;
    return ag_crowd_sfpe_speed(k_ms, density_pm2) * density_pm2;
}

void ag_crowd_egress_params_default(struct ag_crowd_egress_params *p)
{
    *p = (struct ag_crowd_egress_params){
        .premovement_s = 0,
        .k_travel_ms = 1.40,
        .boundary_m = 0.15,
        .stairs = AG_ELEM_STAIR_178_279,
        .assign = AG_ASSIGN_BALANCED,
        .exit_open = NULL,
    };
}

void ag_crowd_egress_free(struct ag_crowd_egress *r)
{
    if (!r)
        return;
    free(r->exits);
    free(r->curve);
    memset(r, 0, sizeof *r);
}

/* ---- assignment ---- */

/* Whole persons in proportion to weight w[e] by largest remainder; ties
 * in the remainder go to the lower index. */
static void share_by_weight(size_t people, const double *w, size_t n, size_t *count)
{
    double sum = 0;
    for (size_t e = 0; e < n; e++)
        sum += w[e];
    size_t given = 0;
    for (size_t e = 0; e < n; e++) {
        count[e] = sum > 0 ? (size_t)floor((double)people * w[e] / sum) : 0;
        given += count[e];
    }
    while (given < people) {
        size_t best = SIZE_MAX;
        double best_rem = -1;
        for (size_t e = 0; e < n; e++) {
            if (w[e] <= 0)
                continue;
            double rem = (double)people * w[e] / sum - (double)count[e];
            if (rem > best_rem) {
                best_rem = rem;
                best = e;
            }
        }
        count[best]++;
        given++;
    }
}

struct pair {
    double d;
    size_t person, exit;
};

static int pair_cmp(const void *pa, const void *pb)
{
    const struct pair *a = pa, *b = pb;
    if (a->d != b->d)
        return a->d < b->d ? -1 : 1;
    if (a->person != b->person)
        return a->person < b->person ? -1 : 1;
    return a->exit < b->exit ? -1 : (a->exit > b->exit);
}

/* Nearest usable exit of person i, or SIZE_MAX. */
static size_t nearest(const double *row, const bool *usable, size_t n)
{
    size_t best = SIZE_MAX;
    for (size_t e = 0; e < n; e++)
        if (usable[e] && isfinite(row[e]) && (best == SIZE_MAX || row[e] < row[best]))
            best = e;
    return best;
}

/* Fills exit_of[i] for every person, honouring quota[] (BALANCED) or not
 * (quota NULL: NEAREST). */
static int assign_people(size_t people, size_t nexits, const double *dist, const bool *usable,
                         const size_t *quota, size_t *exit_of, struct ag_error *err)
{
    for (size_t i = 0; i < people; i++) {
        exit_of[i] = nearest(&dist[i * nexits], usable, nexits);
        if (exit_of[i] == SIZE_MAX)
            return ag_error_set(err, AG_EINVAL, "egress: person %zu can reach no usable exit",
                                i + 1);
    }
    if (!quota)
        return 0;

    /* Greedy by distance: the closest remaining person-exit pair is served
     * first while the exit has room. */
    size_t npairs = 0;
    for (size_t i = 0; i < people; i++)
        for (size_t e = 0; e < nexits; e++)
            if (usable[e] && isfinite(dist[i * nexits + e]))
                npairs++;
    struct pair *pairs = malloc(npairs * sizeof *pairs);
    size_t *room = malloc(nexits * sizeof *room);
    bool *done = calloc(people, sizeof *done);
    if (!pairs || !room || !done) {
        free(pairs);
        free(room);
        free(done);
        return ag_error_set(err, AG_ENOMEM, "egress: out of memory");
    }
    size_t k = 0;
    for (size_t i = 0; i < people; i++)
        for (size_t e = 0; e < nexits; e++)
            if (usable[e] && isfinite(dist[i * nexits + e]))
                pairs[k++] = (struct pair){dist[i * nexits + e], i, e};
    qsort(pairs, npairs, sizeof *pairs, pair_cmp);
    memcpy(room, quota, nexits * sizeof *room);
    for (k = 0; k < npairs; k++) {
        struct pair *q = &pairs[k];
        if (done[q->person] || room[q->exit] == 0)
            continue;
        exit_of[q->person] = q->exit;
        done[q->person] = true;
        room[q->exit]--;
    }
    /* Whoever is left keeps the nearest exit already set above. */
    free(pairs);
    free(room);
    free(done);
    return 0;
}

/* ---- the evacuation curve ---- */

static int dbl_cmp(const void *pa, const void *pb)
{
    double a = *(const double *)pa, b = *(const double *)pb;
    return a < b ? -1 : (a > b);
}

/* People out of exit x by time t: a ramp from (first_s, 0) to (time_s,
 * people). */
static double ramp(const struct ag_crowd_exit_flow *x, double t)
{
    if (x->people <= 0 || t <= x->first_s)
        return 0;
    if (t >= x->time_s)
        return x->people;
    return x->people * (t - x->first_s) / (x->time_s - x->first_s);
}

static int build_curve(struct ag_crowd_egress *r, size_t people, struct ag_error *err)
{
    size_t n = 1;
    double *t = malloc((2 * r->nexits + 1) * sizeof *t);
    if (!t)
        return ag_error_set(err, AG_ENOMEM, "egress: out of memory");
    t[0] = 0;
    for (size_t e = 0; e < r->nexits; e++)
        if (r->exits[e].people > 0) {
            t[n++] = r->exits[e].first_s;
            t[n++] = r->exits[e].time_s;
        }
    qsort(t, n, sizeof *t, dbl_cmp);
    r->curve = malloc(n * sizeof *r->curve);
    if (!r->curve) {
        free(t);
        return ag_error_set(err, AG_ENOMEM, "egress: out of memory");
    }
    double last = -INFINITY;
    for (size_t i = 0; i < n; i++) {
        if (t[i] == last)
            continue;
        last = t[i];
        double out = 0;
        for (size_t e = 0; e < r->nexits; e++)
            out += ramp(&r->exits[e], t[i]);
        r->curve[r->ncurve++] = (struct ag_crowd_curve_pt){t[i], out};
    }
    /* The sum of ramps reaches exactly everyone at the end. */
    r->curve[r->ncurve - 1].out_persons = (double)people;
    free(t);
    return 0;
}

/* ---- the assessment ---- */

/* Person-exit pairs beyond this are refused (AG_ELIMIT): 2^26 pairs of 24
 * bytes is 1.5 GiB of sort buffer. */
#define MAX_PAIRS ((size_t)1 << 26)

int ag_crowd_egress_assess(const struct ag_crowd_geom *g, size_t people, const double *dist_m,
                           const struct ag_crowd_egress_params *p, struct ag_crowd_egress *out,
                           struct ag_error *err)
{
    if (!out)
        return ag_error_set(err, AG_EINVAL, "egress: no result");
    memset(out, 0, sizeof *out);
    if (!g)
        return ag_error_set(err, AG_EINVAL, "egress: no geometry");
    struct ag_crowd_egress_params def;
    if (!p) {
        ag_crowd_egress_params_default(&def);
        p = &def;
    }
    if (!(isfinite(p->premovement_s) && p->premovement_s >= 0) ||
        !(isfinite(p->k_travel_ms) && p->k_travel_ms > 0) ||
        !(isfinite(p->boundary_m) && p->boundary_m >= 0) || (unsigned)p->stairs >= AG_ELEM_COUNT ||
        (p->assign != AG_ASSIGN_NEAREST && p->assign != AG_ASSIGN_BALANCED))
        return ag_error_set(err, AG_EINVAL,
                            "egress: premovement and boundary must not be negative, k must be "
                            "positive, stairs and assignment known");
    size_t ne = g->nexits;
    if (ne == 0 || !g->exits)
        return ag_error_set(err, AG_EINVAL, "egress: the space has no exit: nobody can leave it");
    if (people == 0)
        return ag_error_set(err, AG_EINVAL, "egress: no people to evacuate");
    double area = ag_crowd_geom_area(g);
    int rc = ag_crowd_people_check(area, people, AG_CROWD_DENSITY_PHYSICAL_MAX_PM2, err);
    if (rc) {
        ag_error_prefix(err, "egress"); /* returns 0 when err is NULL */
        return rc;
    }
    double density = (double)people / area;
    if (density >= AG_SFPE_D_STOP_PM2)
        return ag_error_set(err, AG_EINVAL,
                            "egress: %zu people on %.1f m² is %.2f persons/m²; from %.1f the "
                            "hydraulic model has nobody moving: use the agent simulation",
                            people, area, density, AG_SFPE_D_STOP_PM2);
    if (!dist_m && p->assign == AG_ASSIGN_NEAREST)
        return ag_error_set(err, AG_EINVAL,
                            "egress: the nearest-exit rule needs each person's distances");
    if (dist_m && ne > MAX_PAIRS / people)
        return ag_error_set(err, AG_ELIMIT, "egress: %zu people x %zu exits is too many pairs",
                            people, ne);
    if (dist_m)
        for (size_t i = 0; i < people * ne; i++)
            if (isnan(dist_m[i]) || dist_m[i] < 0)
                return ag_error_set(err, AG_EINVAL,
                                    "egress: distance of person %zu to exit %zu is %g m",
                                    i / ne + 1, i % ne + 1, dist_m[i]);

    out->exits = calloc(ne, sizeof *out->exits);
    bool *usable = calloc(ne, sizeof *usable);
    double *weight = calloc(ne, sizeof *weight);
    size_t *quota = calloc(ne, sizeof *quota);
    size_t *exit_of = dist_m ? calloc(people, sizeof *exit_of) : NULL;
    /* Nearest and farthest assigned person per exit (0 without distances). */
    double *dfirst = calloc(ne, sizeof *dfirst), *dlast = calloc(ne, sizeof *dlast);
    if (!out->exits || !usable || !weight || !quota || (dist_m && !exit_of) || !dfirst || !dlast) {
        rc = ag_error_set(err, AG_ENOMEM, "egress: out of memory");
        goto done;
    }
    out->nexits = ne;
    out->density_pm2 = density;
    out->speed_ms = ag_crowd_sfpe_speed(p->k_travel_ms, density);

    size_t nusable = 0;
    for (size_t e = 0; e < ne; e++) {
        const struct ag_crowd_exit *x = &g->exits[e];
        struct ag_crowd_exit_flow *f = &out->exits[e];
        if (!(isfinite(x->width_m) && x->width_m > 0)) {
            rc = ag_error_set(err, AG_EINVAL, "egress: exit %zu: width %g m, must be more than 0",
                              e + 1, x->width_m);
            goto done;
        }
        f->open = !p->exit_open || p->exit_open[e];
        f->width_eff_m = ag_crowd_effective_width_m(x->width_m, p->boundary_m, p->boundary_m);
        double fs = ag_crowd_sfpe_fs_max(x->stairs ? p->stairs : AG_ELEM_LEVEL);
        f->flow_ps = f->open ? fs * f->width_eff_m : 0;
        usable[e] = f->flow_ps > 0;
        weight[e] = f->flow_ps;
        nusable += usable[e];
    }
    if (nusable == 0) {
        rc = ag_error_set(err, AG_EINVAL,
                          "egress: no usable exit: every exit is closed or narrower than its two "
                          "boundary layers of %.2f m",
                          p->boundary_m);
        goto done;
    }

    /* People per exit, and the nearest and farthest of them. */
    share_by_weight(people, weight, ne, quota);
    if (dist_m) {
        rc = assign_people(people, ne, dist_m, usable,
                           p->assign == AG_ASSIGN_BALANCED ? quota : NULL, exit_of, err);
        if (rc)
            goto done;
        for (size_t e = 0; e < ne; e++)
            dfirst[e] = INFINITY;
        for (size_t i = 0; i < people; i++) {
            size_t e = exit_of[i];
            double d = dist_m[i * ne + e];
            out->exits[e].people += 1;
            dfirst[e] = fmin(dfirst[e], d);
            dlast[e] = fmax(dlast[e], d);
        }
    } else {
        for (size_t e = 0; e < ne; e++)
            out->exits[e].people = (double)quota[e];
    }

    /* T_e = premovement + max(d_first / S + N_e / F_e, d_last / S). */
    double s = out->speed_ms;
    for (size_t e = 0; e < ne; e++) {
        struct ag_crowd_exit_flow *f = &out->exits[e];
        if (f->people <= 0)
            continue;
        double first = p->premovement_s + dfirst[e] / s;
        double queue_end = first + f->people / f->flow_ps;
        double walk_end = p->premovement_s + dlast[e] / s;
        f->first_s = first;
        f->time_s = fmax(queue_end, walk_end);
        if (f->time_s > out->total_s) {
            out->total_s = f->time_s;
            out->limiting_exit = e;
        }
    }
    rc = build_curve(out, people, err);

done:
    free(usable);
    free(weight);
    free(quota);
    free(exit_of);
    free(dfirst);
    free(dlast);
    if (rc)
        ag_crowd_egress_free(out);
    return rc;
}
