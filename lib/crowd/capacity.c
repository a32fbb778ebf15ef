/* Tier 1, static capacity: Fruin's levels of service, the holding
 * capacity at a planning density, and the egress capacity of the exits at
 * the Green Guide's rates of passage, with the largest exit discounted.
 * SPDX-License-Identifier: EUPL-1.2 */
#include "agora/crowd.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>

#define FT2_M2 0.09290304 /* 1 ft² in m², exact (1 ft = 0.3048 m) */

/* Fruin (1971), "Pedestrian planning and design": the smallest area per
 * person of levels A..E, in ft² as published. Walkway levels: A 35 or
 * more, B 25-35, C 15-25, D 10-15, E 5-10, F under 5. Queuing (standing)
 * levels: A 13 or more, B 10-13, C 7-10, D 3-7, E 2-3, F under 2. */
static const double walkway_ft2[AG_LOS_COUNT] = {35, 25, 15, 10, 5, 0};
static const double queuing_ft2[AG_LOS_COUNT] = {13, 10, 7, 3, 2, 0};

double ag_crowd_los_min_area_m2(enum ag_crowd_los_table t, enum ag_crowd_los los)
{
    if ((unsigned)los >= AG_LOS_COUNT)
        return NAN;
    if (t == AG_LOS_WALKWAY)
        return walkway_ft2[los] * FT2_M2;
    if (t == AG_LOS_QUEUING)
        return queuing_ft2[los] * FT2_M2;
    return NAN;
}

enum ag_crowd_los ag_crowd_los_of_density(enum ag_crowd_los_table t, double density_pm2)
{
    if (!(density_pm2 > 0))
        return AG_LOS_A;
    double area = 1 / density_pm2;
    for (int l = AG_LOS_A; l < AG_LOS_F; l++)
        if (area >= ag_crowd_los_min_area_m2(t, (enum ag_crowd_los)l))
            return (enum ag_crowd_los)l;
    return AG_LOS_F;
}

const char *ag_crowd_los_name(enum ag_crowd_los los)
{
    static const char *const names[AG_LOS_COUNT] = {"A", "B", "C", "D", "E", "F"};
    return (unsigned)los < AG_LOS_COUNT ? names[los] : "?";
}

const char *ag_crowd_limit_name(enum ag_crowd_limit l)
{
    return l == AG_CROWD_LIMIT_EGRESS ? "egress" : "holding";
}

void ag_crowd_capacity_params_default(struct ag_crowd_capacity_params *p)
{
    *p = (struct ag_crowd_capacity_params){
        .planning_density_pm2 = AG_CROWD_DENSITY_PLANNING_PM2,
        .max_density_pm2 = AG_CROWD_DENSITY_PHYSICAL_MAX_PM2,
        .flow_level_pmm = AG_CROWD_GG_FLOW_LEVEL_PMM,
        .flow_stairs_pmm = AG_CROWD_GG_FLOW_STAIRS_PMM,
        .egress_time_s = AG_CROWD_EGRESS_TIME_S,
        .discount_largest_exit = true,
    };
}

static bool positive(double v)
{
    return isfinite(v) && v > 0;
}

/* Whole persons, rounded down; the small allowance keeps a product that
 * is a whole number in exact arithmetic (600 m² x 2.0) from losing one to
 * rounding. */
static double whole(double persons)
{
    return floor(persons * (1 + 1e-12));
}

int ag_crowd_capacity_assess(const struct ag_crowd_geom *g,
                             const struct ag_crowd_capacity_params *p,
                             struct ag_crowd_capacity *out, struct ag_error *err)
{
    if (!g || !out)
        return ag_error_set(err, AG_EINVAL, "capacity: no geometry or no result");
    struct ag_crowd_capacity_params def;
    if (!p) {
        ag_crowd_capacity_params_default(&def);
        p = &def;
    }
    *out = (struct ag_crowd_capacity){.discounted_exit = SIZE_MAX};
    if (!positive(p->planning_density_pm2) || !positive(p->max_density_pm2) ||
        !positive(p->flow_level_pmm) || !positive(p->flow_stairs_pmm) ||
        !(isfinite(p->egress_time_s) && p->egress_time_s >= 0))
        return ag_error_set(err, AG_EINVAL,
                            "capacity: densities, flow rates must be positive and the egress "
                            "time not negative");
    if (p->planning_density_pm2 > p->max_density_pm2)
        return ag_error_set(err, AG_EINVAL,
                            "capacity: planning density %.2f persons/m² above the maximum %.2f",
                            p->planning_density_pm2, p->max_density_pm2);

    double area = ag_crowd_geom_area(g);
    if (!positive(area))
        return ag_error_set(err, AG_EGEOM, "capacity: the walkable area is %.2f m², not positive",
                            area);
    if (g->nexits == 0 || !g->exits)
        return ag_error_set(err, AG_EINVAL, "capacity: the space has no exit: nobody can leave it");

    /* Egress capacity per exit: width x rate x time (Green Guide). */
    double total = 0, best = -1, width = 0;
    size_t ibest = SIZE_MAX;
    for (size_t i = 0; i < g->nexits; i++) {
        const struct ag_crowd_exit *x = &g->exits[i];
        if (!positive(x->width_m))
            return ag_error_set(err, AG_EINVAL,
                                "capacity: exit %zu: width %g m, must be more than 0", i + 1,
                                x->width_m);
        double rate = x->stairs ? p->flow_stairs_pmm : p->flow_level_pmm;
        double persons = x->width_m * rate * p->egress_time_s / 60;
        total += persons;
        width += x->width_m;
        if (persons > best) {
            best = persons;
            ibest = i;
        }
    }
    out->area_m2 = area;
    out->exit_width_m = width;
    out->exit_width_used_m = width;
    if (p->discount_largest_exit) {
        out->discounted_exit = ibest;
        out->exit_width_used_m = width - g->exits[ibest].width_m;
        total -= best;
        if (g->nexits == 1) {
            out->no_exit_left = true;
            out->exit_width_used_m = 0;
            total = 0;
        }
    }
    /* Subtracting the discounted exit can leave a rounding residue. */
    out->egress_persons = whole(fmax(total, 0));

    for (int l = AG_LOS_A; l < AG_LOS_F; l++) {
        out->walkway_persons[l] =
            whole(area / ag_crowd_los_min_area_m2(AG_LOS_WALKWAY, (enum ag_crowd_los)l));
        out->queuing_persons[l] =
            whole(area / ag_crowd_los_min_area_m2(AG_LOS_QUEUING, (enum ag_crowd_los)l));
    }
    out->walkway_persons[AG_LOS_F] = whole(area * p->max_density_pm2);
    out->queuing_persons[AG_LOS_F] = out->walkway_persons[AG_LOS_F];

    out->holding_persons = whole(area * p->planning_density_pm2);
    if (out->egress_persons < out->holding_persons) {
        out->capacity_persons = out->egress_persons;
        out->limit = AG_CROWD_LIMIT_EGRESS;
    } else {
        out->capacity_persons = out->holding_persons;
        out->limit = AG_CROWD_LIMIT_HOLDING;
    }
    return 0;
}

int ag_crowd_people_check(double area_m2, size_t people, double max_density_pm2,
                          struct ag_error *err)
{
    if (!positive(area_m2))
        return ag_error_set(err, AG_EINVAL, "the walkable area is %.2f m², not positive", area_m2);
    if (!positive(max_density_pm2))
        return ag_error_set(err, AG_EINVAL, "maximum density %g persons/m², must be positive",
                            max_density_pm2);
    double fit = whole(area_m2 * max_density_pm2);
    if ((double)people <= fit)
        return 0;
    return ag_error_set(err, AG_EINVAL,
                        "%zu people on %.1f m² is %.2f persons/m², above the physical maximum of "
                        "%.2f persons/m²: at most %.0f fit",
                        people, area_m2, (double)people / area_m2, max_density_pm2, fit);
}
