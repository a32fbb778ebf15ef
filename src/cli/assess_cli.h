/* agora assess / agora plan: what the files of the command share.
 * SPDX-License-Identifier: EUPL-1.2 */
#ifndef AGORA_ASSESS_CLI_H
#define AGORA_ASSESS_CLI_H

#include "agora/assess.h"
#include "agora/model.h"
#include "cli.h"

/* An open store, its city, the catalogues and (when an id was given) one
 * assessment with its space. */
struct acli {
    struct ag_store *store;
    struct ag_city city;
    struct ag_catalogue *cat;
    struct ag_assessment_rec rec;
    struct ag_assessment *a;
    struct ag_space space;
};

/* id 0: no assessment loaded. */
int acli_open(struct acli *x, const char *db, const char *city, bool write, int64_t id,
              struct ag_error *err);
void acli_close(struct acli *x);
/* The space of the open city with store id `id`. */
int acli_space(const struct acli *x, int64_t id, struct ag_space *out, struct ag_error *err);
int acli_load_doc(const struct ag_catalogue *cat, const struct ag_assessment_rec *rec,
                  struct ag_assessment **out, struct ag_error *err);
/* Parses an assessment id; a usage message and EXIT_USAGE when it is not one. */
int acli_id(const char *s, int64_t *out);
const char *acli_space_name(const struct ag_space *sp);

int assess_score(int argc, char **argv, const char *help);
int assess_diff(int argc, char **argv, const char *help);
int assess_plan(int argc, char **argv, const char *help);

#endif
