/* agora — the good-practice library of partnerships (issue 9): what a city
 * did, where, against which threats, with which measure, at what cost and
 * with what results, under a sharing label that decides who reads it.
 * Who sees what: docs/internals/partnership.md, "Good practices".
 * SPDX-License-Identifier: EUPL-1.2 */
#ifndef AGORA_PRACTICE_H
#define AGORA_PRACTICE_H

#include "agora/store.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The longest texts an entry holds, in bytes. */
#define AG_PRACTICE_TITLE_MAX 200
#define AG_PRACTICE_PLACE_MAX 300
#define AG_PRACTICE_CONTACT_MAX 500
#define AG_PRACTICE_TEXT_MAX 8000 /* what, problem, results */
#define AG_PRACTICE_THREATS_MAX 1023

struct ag_practice {
    int64_t id, city_id;
    int64_t assessment_id; /* the assessment it came from, 0 for none */
    char city[128];        /* the city's name (read only) */
    char title[AG_PRACTICE_TITLE_MAX + 1];
    char place[AG_PRACTICE_PLACE_MAX + 1];
    /* scenario ids (data/scenarios.csv), comma-separated, no spaces */
    char threats[AG_PRACTICE_THREATS_MAX + 1];
    char measure[64]; /* a data/measures.csv id, "" for none */
    double cost_eur;  /* < 0: not given */
    char contact[AG_PRACTICE_CONTACT_MAX + 1];
    char lang[8];     /* the language it is written in: en fr de it nl */
    char sharing[16]; /* TLP:RED, TLP:AMBER, TLP:GREEN, TLP:CLEAR */
    char created_at[32], created_by[64], updated_at[32];
    /* the long texts (malloc'd; NULL in a summary, see ag_store_practices) */
    char *what, *problem, *results;
};

void ag_practice_free(struct ag_practice *p);
/* Whether label is one of the four sharing labels. */
bool ag_practice_sharing_ok(const char *label);

/* What a list asks for; every member empty / 0 / NULL asks for nothing.
 * The user and whether they are an administrator decide what is visible. */
struct ag_practice_filter {
    int64_t user_id;
    bool admin;
    const char *threat;  /* a scenario id among the entry's threats */
    const char *measure; /* the entry's measure */
    int64_t city_id;
    const char *lang;
    const char *q; /* words in the title, what was done or the results (LIKE) */
};

/* Adds an entry of p->city_id: p->id, times and created_by set. The entry
 * is checked (texts, lengths, language, label, cost) but not against the
 * catalogue (the caller's part): AG_EINVAL naming the field. action: the
 * audit action ("practice.create" or "practice.publish"). */
int ag_store_practice_add(struct ag_store *s, struct ag_practice *p, const char *action,
                          const char *who, struct ag_error *err);
/* The entry if the user may see it (f->user_id, f->admin; the other members
 * of f are ignored); AG_ENOTFOUND when it does not exist or is not visible,
 * alike. out: free with ag_practice_free. */
int ag_store_practice_get(struct ag_store *s, int64_t id, const struct ag_practice_filter *f,
                          struct ag_practice *out, struct ag_error *err);
/* The visible entries matching f, newest first, as summaries (what, problem
 * and results NULL). out: vec of struct ag_practice (ag_practice_free each). */
int ag_store_practices(struct ag_store *s, const struct ag_practice_filter *f, struct ag_vec *out,
                       struct ag_error *err);

/* One count of a facet: a threat, measure or language id, or a city. */
struct ag_facet {
    char id[64];    /* the threat, measure or language; the city's id as text */
    char name[128]; /* the city's name (cities only) */
    int64_t count;
};
enum ag_facet_kind { AG_FACET_THREAT, AG_FACET_MEASURE, AG_FACET_CITY, AG_FACET_LANG };
/* The counts of one facet among the visible entries that match every
 * filter of f but the facet's own (so that the other choices show), most
 * frequent first. out: vec of struct ag_facet. */
int ag_store_practice_facet(struct ag_store *s, const struct ag_practice_filter *f,
                            enum ag_facet_kind kind, struct ag_vec *out, struct ag_error *err);

/* Replaces an entry of city_id with p (every field but the city, the
 * assessment and the creation); AG_ENOTFOUND when the city has no such
 * entry. Audited as practice.update. */
int ag_store_practice_update(struct ag_store *s, int64_t city_id, struct ag_practice *p,
                             const char *who, struct ag_error *err);
/* Deletes an entry of city_id; AG_ENOTFOUND when the city has none such.
 * Audited as practice.delete. */
int ag_store_practice_delete(struct ag_store *s, int64_t city_id, int64_t id, const char *who,
                             struct ag_error *err);

#ifdef __cplusplus
}
#endif
#endif
