/* libFuzzer target: the assessment catalogues a city may edit, through
 * the richest of them, checklist.csv (RFC 4180 records, id lists with
 * weights, references to the other tables). Each input is written as
 * checklist.csv into a scratch directory holding the shipped scenarios,
 * areas, measures and risk model. A refusal must name the file; a success
 * must give questions whose references are in range.
 * SPDX-License-Identifier: EUPL-1.2 */
#include "agora/assess.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char dir[64];

static void cleanup(void)
{
    const char *files[] = {"scenarios.csv", "checklist-areas.csv", "checklist.csv", "measures.csv",
                           "risk-model.csv"};
    char p[128];
    for (size_t i = 0; i < 5; i++) {
        snprintf(p, sizeof p, "%s/%s", dir, files[i]);
        unlink(p);
    }
    rmdir(dir);
}

static void copy(const char *name)
{
    char src[4200], dst[128];
    snprintf(src, sizeof src, "%s/%s", ag_data_dir(), name);
    snprintf(dst, sizeof dst, "%s/%s", dir, name);
    struct ag_buf b;
    ag_buf_init(&b, 1 << 22);
    if (ag_file_read(src, &b, NULL) || ag_file_write_atomic(dst, b.data, b.len, NULL))
        abort();
    ag_buf_free(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!dir[0]) {
        snprintf(dir, sizeof dir, "/tmp/agora-fuzz-cat-%ld", (long)getpid());
        if (ag_mkdirs(dir, NULL))
            abort();
        atexit(cleanup);
        copy("scenarios.csv");
        copy("checklist-areas.csv");
        copy("measures.csv");
        copy("risk-model.csv");
    }
    char path[128];
    snprintf(path, sizeof path, "%s/checklist.csv", dir);
    if (ag_file_write_atomic(path, data, size, NULL))
        abort();
    struct ag_catalogue *c = NULL;
    struct ag_error err = {0};
    int rc = ag_catalogue_load(dir, &c, &err);
    if (rc) {
        if (c || (rc != AG_ENOMEM && !strstr(err.msg, "checklist.csv")))
            abort();
        return 0;
    }
    for (size_t q = 0; q < c->nquestions; q++) {
        const struct ag_question *qq = &c->questions[q];
        if (qq->area >= c->nareas || !qq->nscenarios)
            abort();
        for (size_t k = 0; k < qq->nscenarios; k++)
            if (qq->scenarios[k].index >= c->nscenarios || qq->scenarios[k].value < 1 ||
                qq->scenarios[k].value > 3)
                abort();
        for (size_t k = 0; k < qq->nmeasures; k++)
            if (qq->measures[k] >= c->nmeasures)
                abort();
    }
    ag_catalogue_free(c);
    return 0;
}
