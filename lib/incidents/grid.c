/* Counting points in the cells of a grid.
 * SPDX-License-Identifier: EUPL-1.2 */
#include "agora/incidents.h"

#include <math.h>

void ag_incidents_grid_count(const struct ag_incidents_grid *g, const struct ag_xy *pts,
                             size_t n, double *counts)
{
    /* The grid's far edges, and how far past them rounding can put a point
     * that lies on them (the origin is often computed, e.g. centred). */
    double xe = g->x0 + (double)g->nx * g->cell_m;
    double ye = g->y0 + (double)g->ny * g->cell_m;
    double tx = 1e-12 * fmax(fabs(g->x0), fabs(xe));
    double ty = 1e-12 * fmax(fabs(g->y0), fabs(ye));
    for (size_t i = 0; i < n; i++) {
        double fx = floor((pts[i].x - g->x0) / g->cell_m);
        double fy = floor((pts[i].y - g->y0) / g->cell_m);
        /* A point on the far edge belongs to the last cell; one farther out
         * belongs to none, as on the near edges. */
        if (fx == (double)g->nx && pts[i].x <= xe + tx)
            fx--;
        if (fy == (double)g->ny && pts[i].y <= ye + ty)
            fy--;
        if (fx >= 0 && fy >= 0 && fx < (double)g->nx && fy < (double)g->ny)
            counts[(size_t)fy * g->nx + (size_t)fx] += 1;
    }
}
