/* agora — assessment: helpers shared by the files of lib/assess.
 * SPDX-License-Identifier: EUPL-1.2 */
#ifndef AGORA_ASSESS_INT_H
#define AGORA_ASSESS_INT_H

#include "agora/assess.h"

/* The current UTC time as 2026-11-23T10:04:05Z. */
void ag__assess_now(char out[32]);

/* "vehicle_impact" … ↔ enum ag_evidence ("" ↔ NONE). */
const char *ag__evidence_name(enum ag_evidence e);
int ag__evidence_of(const char *name);

#endif
