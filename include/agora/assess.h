/* agora — vulnerability assessment of a public space: the catalogues
 * (scenarios, checklist, measures, risk model: data/ tables), an assessment's
 * inputs (context, answers, measures in place), the risk per scenario and
 * the protection plan (docs/methodology.md §18).
 * SPDX-License-Identifier: EUPL-1.2 */
#ifndef AGORA_ASSESS_H
#define AGORA_ASSESS_H

#include "agora/base.h"

#ifdef __cplusplus
extern "C" {
#endif

#define AG_LEVELS 5 /* answer 1 = very high vulnerability … 5 = very low */

/* A reference from one catalogue row to another, with a number: a
 * question's weight on a scenario (1..3), a measure's reduction of a
 * scenario's vulnerability (0..1). */
struct ag_link {
    size_t index;
    double value;
};

struct ag_scenario {
    char *id, *code, *name, *description, *source;
    int severity;       /* 1..5 */
    int default_threat; /* 1..5 */
};

struct ag_area {
    char *id, *name, *description;
};

/* What an engine of agora can answer. */
enum ag_evidence {
    AG_EVIDENCE_NONE,
    AG_EVIDENCE_VEHICLE,   /* "vehicle_impact": agora vehicle */
    AG_EVIDENCE_CROWD,     /* "crowd_capacity": agora crowd capacity */
    AG_EVIDENCE_INCIDENTS, /* "incident_density": agora incidents */
};

struct ag_question {
    char *id;
    size_t area;
    char *text, *why;
    char *answer[AG_LEVELS];
    struct ag_link *scenarios; /* value: weight 1..3 */
    size_t nscenarios;
    size_t *measures;
    size_t nmeasures;
    enum ag_evidence evidence;
};

enum {
    AG_Q_ACCESSIBILITY,
    AG_Q_MULTIFUNCTIONALITY,
    AG_Q_PROPORTIONALITY,
    AG_Q_SUSTAINABILITY,
    AG_Q_AESTHETICS,
    AG_NQUALITIES
};

struct ag_mitigation {
    char *id, *name, *description, *category, *source;
    double cost_min, cost_max; /* EUR */
    struct ag_link *reduces;   /* value: fraction of the vulnerability removed */
    size_t nreduces;
    int quality[AG_NQUALITIES]; /* 1..5 */
};

/* The parameters of the risk formula (data/risk-model.csv), named as there. */
struct ag_risk_model {
    double level_vulnerability[AG_LEVELS]; /* answer level → v */
    double unanswered_lo, unanswered_hi;   /* v range of an unanswered question */
    double answer_uncertainty;             /* ± on v of an answered question */
    double threat_uncertainty;             /* ± on the threat level */
    double w_symbolic, w_crowd, w_media;   /* attractiveness weights */
    double attractiveness_floor;           /* likelihood share of an unattractive site */
    double people_reference;               /* people at which exposure is 1 */
    double w_people, w_critical;           /* consequence weights */
    double likelihood_edges[4];            /* P = L·V → matrix row 1..5 */
    double impact_edges[4];                /* C → matrix column 1..5 */
};

struct ag_catalogue {
    struct ag_scenario *scenarios;
    size_t nscenarios;
    struct ag_area *areas;
    size_t nareas;
    struct ag_question *questions;
    size_t nquestions;
    struct ag_mitigation *measures;
    size_t nmeasures;
    struct ag_risk_model model;
};

/* Loads scenarios.csv, checklist-areas.csv, checklist.csv, measures.csv
 * and risk-model.csv from dir (NULL: ag_data_dir()). Every field and every
 * cross-reference is checked; an error names the file, the line and the
 * field. */
int ag_catalogue_load(const char *dir, struct ag_catalogue **out, struct ag_error *err);
void ag_catalogue_free(struct ag_catalogue *c);
/* Index of the row with that id, or -1. */
long ag_catalogue_scenario(const struct ag_catalogue *c, const char *id);
long ag_catalogue_question(const struct ag_catalogue *c, const char *id);
long ag_catalogue_measure(const struct ag_catalogue *c, const char *id);

/* ---- an assessment ---- */

enum ag_answer_source {
    AG_ANSWER_NONE,     /* not answered */
    AG_ANSWER_ASSESSOR, /* given by a person */
    AG_ANSWER_COMPUTED, /* given by an engine, with its evidence */
    AG_ANSWER_OVERRIDE, /* an engine's answer replaced by a person, with a reason */
};

struct ag_answer {
    int level; /* 1..5, 0 when not answered */
    enum ag_answer_source source;
    int computed_level; /* the engine's level (0: none), kept when overridden */
    char *evidence;     /* JSON object from the engine, or NULL */
    char *summary;      /* one line saying what the engine found, or NULL */
    char *reason;       /* override reason or assessor's comment, or NULL */
    char at[32];        /* when it was last set, ISO 8601 UTC */
};

enum ag_measure_status { AG_MEASURE_CANDIDATE, AG_MEASURE_EXISTING, AG_MEASURE_EXCLUDED };

/* "none", "assessor", "computed", "override"; "candidate", "existing",
 * "excluded": the words of the stored document and of --json. */
const char *ag_answer_source_name(enum ag_answer_source s);
const char *ag_measure_status_name(enum ag_measure_status s);

struct ag_context {
    int *threat;   /* per scenario 1..5; 0: the scenario's default */
    int symbolic;  /* 1..5, 0: not given (counts as 3) */
    int crowd;     /* 1..5, 0: not given (counts as 3) */
    int media;     /* 1..5, 0: not given (counts as 3) */
    int critical;  /* 1..5 critical functions, 0: not given (counts as 3) */
    double people; /* people exposed at the peak, < 0: not given */
};

struct ag_assessment {
    int64_t id, city_id, space_id, based_on;
    int version;
    char created_at[32], updated_at[32];
    char *assessor;
    char sharing[16]; /* TLP:RED, TLP:AMBER, TLP:GREEN, TLP:CLEAR */
    struct ag_context ctx;
    struct ag_answer *answers;                /* nquestions, catalogue order */
    enum ag_measure_status *measures;         /* nmeasures, catalogue order */
    size_t nscenarios, nquestions, nmeasures; /* the catalogue's, at creation */
};

/* The current UTC time as 2026-11-23T10:04:05Z, the time stamp of every
 * change; $AGORA_NOW in that form fixes it (reproducible demos, tests). */
void ag_assess_now(char out[32]);

/* An empty assessment shaped for the catalogue. NULL on out of memory. */
struct ag_assessment *ag_assessment_new(const struct ag_catalogue *c);
void ag_assessment_free(struct ag_assessment *a);

/* The document stored in the database (and exported): context, answers
 * and measures as JSON, keyed by ids so that a catalogue that grows does
 * not break old assessments. */
int ag_assessment_to_json(const struct ag_catalogue *c, const struct ag_assessment *a,
                          struct ag_buf *out);
/* Fills a (made by ag_assessment_new) from a stored document. Ids the
 * catalogue no longer has are skipped with a warning in *skipped. */
int ag_assessment_from_json(const struct ag_catalogue *c, const char *json, struct ag_assessment *a,
                            size_t *skipped, struct ag_error *err);

/* Applies an answers file (docs/assessment.md "Answers file"): checks the
 * whole file first and changes nothing on any error, which names the item
 * (answers[3], question "x"); now: the time stamp given to what changes.
 * *changed: number of answers, context fields and measures changed. */
int ag_assessment_apply(const struct ag_catalogue *c, struct ag_assessment *a, const char *json,
                        size_t len, const char *name, const char *now, size_t *changed,
                        struct ag_error *err);

/* Sets question q from an engine (level 1..5 or 0 for "cannot tell") with
 * its evidence; an assessor's override is kept (its computed_level
 * updated). */
int ag_assessment_set_computed(struct ag_assessment *a, size_t q, int level,
                               const char *evidence_json, const char *summary, const char *now);

/* ---- evidence from agora's engines (docs/methodology.md §18.3) ---- */

struct ag_store;
struct ag_city;
struct ag_space;

/* Fills the questions that have an evidence key from what the store holds
 * for the space: the latest vehicle approach result (`agora vehicle`), the
 * crowd capacity of the space's walkable area against ctx.people. A
 * question whose engine has nothing to say is left as it is, with a
 * summary saying why (e.g. "no vehicle analysis stored"). An assessor's
 * override stays. */
int ag_assess_evidence(struct ag_store *s, const struct ag_city *city, const struct ag_space *sp,
                       const struct ag_catalogue *c, struct ag_assessment *a, const char *now,
                       struct ag_error *err);

/* The bands the engines' numbers fall into (answer level 1..5). */
int ag_assess_vehicle_level(bool any_entry, double worst_kmh);
int ag_assess_crowd_level(double people, double capacity);

/* ---- risk ---- */

struct ag_range {
    double value, lo, hi;
};

struct ag_scenario_risk {
    int threat;                    /* the threat level used, 1..5 */
    double attractiveness;         /* A, 1..5 */
    struct ag_range likelihood;    /* L, 0..1 */
    struct ag_range vulnerability; /* V, 0..1 */
    double consequence;            /* C, 0..1 */
    struct ag_range risk;          /* R = 100·L·V·C */
    int row, col;                  /* 5×5 matrix: likelihood of success (L·V), impact (C) */
    size_t questions, answered;
};

/* Risk of every scenario (out: nscenarios). factor: per scenario, the
 * multiplier on V of planned measures (NULL: none). */
int ag_assess_score(const struct ag_catalogue *c, const struct ag_assessment *a,
                    const double *factor, struct ag_scenario_risk *out);
/* Sum of the risks, the central value. */
double ag_assess_total(const struct ag_catalogue *c, const struct ag_scenario_risk *r);

struct ag_plan_step {
    size_t measure;
    double cost;        /* mid-point of the cost range, EUR */
    double reduction;   /* total risk removed by this step */
    double per_meur;    /* reduction per million EUR */
    double cumulative;  /* cost of the plan up to this step */
    double total_after; /* total risk after this step */
};

struct ag_plan {
    double budget, spent;
    double total_before, total_after;
    struct ag_plan_step *steps; /* chosen, in order */
    size_t nsteps;
    struct ag_plan_step *beyond; /* candidates that did not fit, ranked; cumulative = 0 */
    size_t nbeyond;
    struct ag_scenario_risk *before, *after; /* nscenarios each */
};

/* Greedy plan: repeatedly the candidate measure (not in place, not
 * excluded) with the most risk removed per euro that still fits the
 * budget; ties to the cheaper, then the catalogue order. */
int ag_assess_plan(const struct ag_catalogue *c, const struct ag_assessment *a, double budget,
                   struct ag_plan *out, struct ag_error *err);
void ag_plan_free(struct ag_plan *p);

/* ---- stored assessments (lib/assess/record.c) ---- */
struct ag_assessment_rec;

/* The assessment of a stored record; *skipped (when not NULL) counts the
 * questions, scenarios or measures it names that the catalogue no longer
 * has (ignored). */
int ag_assessment_from_rec(const struct ag_catalogue *cat, const struct ag_assessment_rec *rec,
                           struct ag_assessment **out, size_t *skipped, struct ag_error *err);
/* Writes a over its record (document, assessor, sharing, updated now) with a
 * line in its log; expected_rev as in ag_store_assessment_update. */
int ag_assessment_save(struct ag_store *s, const struct ag_catalogue *cat,
                       const struct ag_assessment *a, struct ag_assessment_rec *rec,
                       int expected_rev, const char *who, const char *what, struct ag_error *err);
/* Starts the next version of the space's assessment (version 1, or the
 * latest's answers, context, measures and sharing), fills in the computed
 * evidence, and stores it: rec and *out describe the new version, *has_prev
 * tells whether there was one before. assessor NULL keeps the previous one. */
int ag_assessment_start(struct ag_store *s, const struct ag_city *city, const struct ag_space *sp,
                        const struct ag_catalogue *cat, const char *assessor, const char *who,
                        struct ag_assessment_rec *rec, struct ag_assessment **out, bool *has_prev,
                        struct ag_error *err);

struct ag_catalog;
/* JSON of the risk of every scenario: an array (as agora assess score
 * --json), names in the language of tr (NULL: English). */
int ag_assess_risk_json(const struct ag_catalogue *c, const struct ag_scenario_risk *r,
                        const struct ag_catalog *tr, struct ag_buf *b);
/* The plan's members (budget_eur ... beyond_budget), to go inside an object
 * (as agora plan --json), names in the language of tr (NULL: English). */
int ag_assess_plan_json(const struct ag_catalogue *c, const struct ag_plan *p,
                        const struct ag_catalog *tr, struct ag_buf *b);

#ifdef __cplusplus
}
#endif
#endif
