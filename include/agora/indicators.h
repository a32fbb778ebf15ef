/* agora — urban indicators and funding instruments of the partnership
 * workspace (issue 9): the definitions (data/indicators.csv,
 * data/funding-instruments.csv), a city's yearly values (entered or imported
 * from CSV; each city decides which are visible to the other cities of its
 * partnerships), the comparison chart (SVG), and the links of measures and
 * actions to funding instruments. docs/internals/partnership.md, "Urban
 * indicators and funding"; docs/methodology.md §21.
 * SPDX-License-Identifier: EUPL-1.2 */
#ifndef AGORA_INDICATORS_H
#define AGORA_INDICATORS_H

#include "agora/base.h"
#include "agora/store.h"

#ifdef __cplusplus
extern "C" {
#endif

#define AG_INDICATOR_YEAR_MIN 1900
#define AG_INDICATOR_YEAR_MAX 2200
#define AG_INDICATOR_NOTE_MAX 500   /* bytes */
#define AG_INDICATOR_VALUE_MAX 1e12 /* magnitude */

/* One indicator of data/indicators.csv. */
struct ag_indicator {
    char id[48];        /* a-z, 0-9, _ */
    char dimension[32]; /* quality_of_life, social_cohesion, ... (ag_indicator_dimension_ok) */
    char name[256];     /* English; translated with ag_tr */
    char unit[32];      /* "%", "per 100 000", ... */
    bool higher_better; /* the column better: higher or lower */
    char source[64];    /* a key of data/INDICATOR-SOURCES.md */
};

/* One instrument of data/funding-instruments.csv. */
struct ag_funding {
    char id[48];
    char name[160];
    char description[1024];
    char url[512]; /* https:// */
    char source[64];
};

/* quality_of_life social_cohesion public_space_liveability sense_of_safety
 * urban_security background_conditions migrant_inclusion */
bool ag_indicator_dimension_ok(const char *dimension);
bool ag_indicator_year_ok(long year);

/* Load dir/indicators.csv and dir/funding-instruments.csv (dir NULL: the
 * data directory). A bad line: AG_EPARSE, "PATH:LINE: field: ...". *out is
 * malloc'd (free it). */
int ag_indicators_load(const char *dir, struct ag_indicator **out, size_t *n, struct ag_error *err);
int ag_funding_load(const char *dir, struct ag_funding **out, size_t *n, struct ag_error *err);
const struct ag_indicator *ag_indicator_find(const struct ag_indicator *ind, size_t n,
                                             const char *id);
const struct ag_funding *ag_funding_find(const struct ag_funding *f, size_t n, const char *id);

/* A yearly value of an indicator in a city. */
struct ag_ivalue {
    int64_t city_id;
    char indicator[48];
    int year;
    double value;
    bool visible; /* shown to the other cities of the city's partnerships */
    char note[AG_INDICATOR_NOTE_MAX + 1];
    char updated_at[32], updated_by[64];
};

/* Checks one value: a known indicator, a year in 1900..2200, a finite
 * value of at most 10^12 in magnitude, a clean note of at most 500 bytes. On failure err names the
 * field
 * ("indicator", "year", "value", "note") after prefix: "PREFIX: field: ...". */
int ag_ivalue_check(const struct ag_ivalue *v, const struct ag_indicator *ind, size_t n,
                    const char *prefix, struct ag_error *err);

/* Reads a city's values from CSV: a header naming the columns indicator,
 * year, value and optionally visible and note (any order; other columns are
 * refused); one value per line; decimal point; visible yes/no/1/0/true/false
 * (empty or absent: no). The whole file is checked: the first bad line gives
 * AG_EPARSE "PATH:LINE: field: ...", also for an (indicator, year) given
 * twice. out: vec of struct ag_ivalue (city_id 0), in file order. */
int ag_indicator_csv_read(const char *data, size_t len, const char *path,
                          const struct ag_indicator *ind, size_t n, struct ag_vec *out,
                          struct ag_error *err);

/* ---- the comparison chart ---- */

struct ag_series {
    const char *label;    /* the city */
    const int *years;     /* ascending */
    const double *values; /* n each */
    size_t n;
};

/* The plot area of the chart, in SVG user units: x from AG_CHART_LEFT to
 * AG_CHART_WIDTH - AG_CHART_RIGHT, y from AG_CHART_TOP to AG_CHART_HEIGHT -
 * AG_CHART_BOTTOM. Years map linearly onto x (the first year at the left
 * edge, the last at the right; one year alone in the middle); values onto y
 * between the lowest and highest tick (docs/methodology.md §21). */
#define AG_CHART_WIDTH 720
#define AG_CHART_HEIGHT 400
#define AG_CHART_LEFT 72
#define AG_CHART_RIGHT 200
#define AG_CHART_TOP 40
#define AG_CHART_BOTTOM 56

/* A line chart of the series (one line per city, a point per year, axis
 * ticks, a legend, the unit) appended to out as a standalone SVG document.
 * Deterministic; every text is escaped. */
int ag_indicator_svg(const char *title, const char *unit, const struct ag_series *s, size_t ns,
                     struct ag_buf *out);

/* ---- the store (schema 9: indicator_values, funding_links) ---- */

/* Inserts or replaces the values of a city (v[k].city_id ignored), in one
 * transaction, audited as "indicators.put". Values are checked by the
 * caller (ag_ivalue_check). */
int ag_store_ivalues_put(struct ag_store *s, int64_t city_id, const struct ag_ivalue *v, size_t n,
                         const char *who, struct ag_error *err);
/* Every value of a city, by indicator then year. out: vec of struct ag_ivalue. */
int ag_store_ivalues(struct ag_store *s, int64_t city_id, struct ag_vec *out, struct ag_error *err);

/* A value as another city's user sees it in a partnership. */
struct ag_pvalue {
    struct ag_ivalue v;
    char city[128];
    bool own; /* the user holds a grant in the city: every value shows */
};
/* The values of one indicator of the partnership's active member cities as
 * user_id sees them: the visible values, and every value of the cities the
 * user holds a grant in. A hidden value of another city never comes out.
 * By city name, then year. out: vec of struct ag_pvalue. */
int ag_store_ivalues_partnership(struct ag_store *s, int64_t partnership_id, const char *indicator,
                                 int64_t user_id, struct ag_vec *out, struct ag_error *err);

/* A link of an action (action_id) or of a city's measure (city_id and
 * measure) to a funding instrument. */
struct ag_funding_link {
    int64_t id;
    char instrument[48];
    int64_t action_id; /* 0: a measure */
    int64_t city_id;   /* 0: an action */
    char measure[64];
    char note[1024];
    char added_at[32], added_by[64];
};
/* Adds a link (l->id, added_at set), audited as "funding.link". */
int ag_store_funding_add(struct ag_store *s, struct ag_funding_link *l, const char *who,
                         struct ag_error *err);
/* Removes link id of action action_id, or of city city_id's measures (the
 * other 0); AG_ENOTFOUND when it is not one of theirs. Audited as
 * "funding.unlink". */
int ag_store_funding_remove(struct ag_store *s, int64_t id, int64_t action_id, int64_t city_id,
                            const char *who, struct ag_error *err);
/* The links of an action / of a city's measures, oldest first. out: vec of
 * struct ag_funding_link. */
int ag_store_funding_of_action(struct ag_store *s, int64_t action_id, struct ag_vec *out,
                               struct ag_error *err);
int ag_store_funding_of_city(struct ag_store *s, int64_t city_id, struct ag_vec *out,
                             struct ag_error *err);

#ifdef __cplusplus
}
#endif
#endif
