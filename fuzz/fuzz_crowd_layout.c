/* libFuzzer target for event layouts (ag_crowd_layout_read): any input must
 * be refused with a proper error (a known code, a message that names the
 * source, the output untouched) or give a geometry that passes
 * ag_crowd_geom_check, with at least one exit and a positive area.
 * SPDX-License-Identifier: EUPL-1.2 */
#include "agora/crowd.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void die(const char *what, const char *detail)
{
    fprintf(stderr, "fuzz_crowd_layout: %s%s%s\n", what, detail ? ": " : "", detail ? detail : "");
    abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char name[] = "fuzz.geojson";
    struct ag_crowd_geom g;
    struct ag_error err = {0};
    int rc = ag_crowd_layout_read((const char *)data, size, name, &g, NULL, NULL, &err);
    if (rc) {
        if (rc != AG_EPARSE && rc != AG_EGEOM && rc != AG_EINVAL && rc != AG_EEMPTY &&
            rc != AG_ELIMIT && rc != AG_ENOMEM && rc != AG_EPROJ)
            die("unexpected error code", ag_errname(rc));
        if (err.code != rc || strncmp(err.msg, name, sizeof name - 1) != 0)
            die("error message does not name the source", err.msg);
        if (g.outer || g.holes || g.exits || g.nouter || g.nexits)
            die("output touched on failure", err.msg);
        return 0;
    }
    if (!g.nouter || !g.nexits)
        die("accepted a layout without an area or an exit", NULL);
    if (!(ag_crowd_geom_area(&g) > 0))
        die("accepted a layout with no walkable area", NULL);
    if (ag_crowd_geom_check(&g, &err) != 0)
        die("accepted a geometry that its own check refuses", err.msg);
    ag_crowd_geom_free(&g);
    return 0;
}
