/* agora — assessment: helpers shared by the files of lib/assess.
 * SPDX-License-Identifier: EUPL-1.2 */
#ifndef AGORA_ASSESS_INT_H
#define AGORA_ASSESS_INT_H

#include "agora/assess.h"

/* enum ag_evidence of "vehicle_impact" … ("" for NONE), or -1. */
int ag__evidence_of(const char *name);

#endif
