/* agora — partnerships of cities and organisations (issue 9): members and
 * their roles, actions with status reports, deliverables and links,
 * meetings. The mechanisms and who may do what: docs/internals/partnership.md.
 * SPDX-License-Identifier: EUPL-1.2 */
#ifndef AGORA_PARTNERSHIP_H
#define AGORA_PARTNERSHIP_H

#include "agora/store.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A member's role in a partnership, weakest first. */
enum ag_prole {
    AG_PROLE_NONE,
    AG_PROLE_OBSERVER,
    AG_PROLE_MEMBER,
    AG_PROLE_LEADER, /* action leader */
    AG_PROLE_COORDINATOR,
};
/* "observer", "member", "action_leader", "coordinator"; "" for none. */
const char *ag_prole_name(enum ag_prole r);
enum ag_prole ag_prole_parse(const char *name); /* AG_PROLE_NONE when unknown */

/* The kinds of member: a city of the server, or an organisation. */
bool ag_pmember_kind_ok(const char *kind); /* city police operator eu_body network other */

struct ag_partnership {
    int64_t id;
    char name[256];
    char description[4096];
    char starts[16], ends[16]; /* YYYY-MM-DD; ends may be moved (prolonged) */
    char created_at[32], created_by[64];
    /* for a user (ag_store_partnerships_of): their role, and whether a city
     * they coordinate is invited but has not accepted */
    enum ag_prole role;
    bool invited;
};

struct ag_pmember {
    int64_t id, partnership_id;
    int64_t city_id; /* 0 for an organisation */
    char name[256];  /* the city's name, or the organisation's */
    char kind[16];   /* "city", or the kind of organisation */
    enum ag_prole role;
    bool active; /* false: a city invited that has not accepted yet */
    char since[32];
    size_t people; /* organisation: the accounts that act for it */
};

/* YYYY-MM-DD, a real date. */
bool ag_date_ok(const char *s);

/* Creates a partnership with the city as its first member, coordinator and
 * active (p->id set). Audited as who. */
int ag_store_partnership_add(struct ag_store *s, struct ag_partnership *p, int64_t city_id,
                             const char *who, struct ag_error *err);
int ag_store_partnership_get(struct ag_store *s, int64_t id, struct ag_partnership *out,
                             struct ag_error *err);
/* The partnerships a user belongs to (an active member acts for them) or
 * whose invitation a city they coordinate can accept; every one for an
 * administrator (admin true). By name. out: vec of struct ag_partnership. */
int ag_store_partnerships_of(struct ag_store *s, int64_t user_id, bool admin, struct ag_vec *out,
                             struct ag_error *err);
/* Changes the description and the end (prolonging or shortening; never
 * before the start). NULL leaves a field. Audited. */
int ag_store_partnership_update(struct ag_store *s, int64_t id, const char *description,
                                const char *ends, const char *who, struct ag_error *err);

/* The user's role in the partnership: the strongest over the active members
 * they act for. A user acts for a member city when they hold a grant in it
 * (a viewer of the city only as an observer), and for a member organisation
 * when they are one of its people. AG_PROLE_NONE otherwise. */
int ag_store_partner_role(struct ag_store *s, int64_t user_id, int64_t partnership_id,
                          enum ag_prole *out, struct ag_error *err);
/* Whether the user acts for member member_id (see above; any role). */
int ag_store_acts_for(struct ag_store *s, int64_t user_id, int64_t member_id, bool *out,
                      struct ag_error *err);

/* The members, coordinators first then by name. out: vec of struct ag_pmember. */
int ag_store_pmembers(struct ag_store *s, int64_t partnership_id, struct ag_vec *out,
                      struct ag_error *err);
int ag_store_pmember_get(struct ag_store *s, int64_t partnership_id, int64_t member_id,
                         struct ag_pmember *out, struct ag_error *err);
/* Adds a member: a city (city_id > 0; invited until its coordinator
 * accepts) or an organisation (city_id 0, name and kind; active at once).
 * AG_EEXIST when already a member. m->id set. Audited. */
int ag_store_pmember_add(struct ag_store *s, struct ag_pmember *m, const char *who,
                         struct ag_error *err);
int ag_store_pmember_role(struct ag_store *s, int64_t partnership_id, int64_t member_id,
                          enum ag_prole role, const char *who, struct ag_error *err);
int ag_store_pmember_accept(struct ag_store *s, int64_t partnership_id, int64_t member_id,
                            const char *who, struct ag_error *err);
/* Removes a member (its people, its part in actions and meetings). The last
 * coordinator cannot leave: AG_EINVAL. */
int ag_store_pmember_remove(struct ag_store *s, int64_t partnership_id, int64_t member_id,
                            const char *who, struct ag_error *err);
/* An account that acts for an organisation member. */
int ag_store_pmember_person(struct ag_store *s, int64_t member_id, int64_t user_id, const char *who,
                            struct ag_error *err);

#ifdef __cplusplus
}
#endif
#endif
