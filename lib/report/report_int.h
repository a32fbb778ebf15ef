/* agora — report: helpers shared by the files of lib/report (not public).
 * SPDX-License-Identifier: EUPL-1.2 */
#ifndef AGORA_REPORT_INT_H
#define AGORA_REPORT_INT_H

#include "agora/report.h"

/* A number with thousands separators and `decimals` decimals. */
int ag__report_num(struct ag_buf *b, double v, int decimals);

/* The "Incidents" section: one block per incident set of the database
 * (nothing when there is none) with a hotspot map over the city, the public
 * spaces with the most incidents, the hour-of-day × weekday table and the
 * monthly series. spaces: the city's spaces with geometry. */
int ag__report_incidents(struct ag_buf *b, struct ag_store *s, const struct ag_vec *spaces,
                         struct ag_error *err);

/* Style rules of that section, appended to the page's style sheet. */
extern const char ag__report_incidents_css[];

#endif
