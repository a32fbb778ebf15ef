/* libFuzzer target: the vehicle-class table loader, which reads a user's
 * --classes FILE. The loader takes a path, so each input is written to a
 * per-process scratch file. Every failure must be a clean error naming the
 * file; every success must give a table whose values are in range.
 * SPDX-License-Identifier: EUPL-1.2 */
#include "agora/vehicle.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char path[64];

static void cleanup(void) { unlink(path); }

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!path[0]) {
        snprintf(path, sizeof path, "/tmp/agora-fuzz-classes-%ld.csv", (long)getpid());
        atexit(cleanup);
    }
    FILE *f = fopen(path, "wb");
    if (!f)
        abort();
    fwrite(data, 1, size, f);
    fclose(f);
    struct ag_vehicle_classes c = {0};
    struct ag_error err = {0};
    int rc = ag_vehicle_classes_load(path, &c, &err);
    if (rc) {
        if (c.v || c.n || !strstr(err.msg, path))
            abort(); /* a failure must leave the table empty and name the file */
    } else {
        for (size_t i = 0; i < c.n; i++) {
            const struct ag_vehicle_class *v = &c.v[i];
            if (!v->id || !(v->mass_kg > 0) || !isfinite(v->power_w) || !(v->max_speed_ms > 0) ||
                !(v->lateral_accel_ms2 > 0) || !(v->width_m > 0) ||
                ag_vehicle_class_find(&c, v->id) != v)
                abort();
        }
    }
    ag_vehicle_classes_free(&c);
    return 0;
}
