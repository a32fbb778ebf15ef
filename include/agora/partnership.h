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

/* ---------- actions and meetings ----------
 * An action of the partnership's plan: a leader (a member), the members
 * taking part, status reports over time, deliverables, and links to member
 * cities' assessments or catalogue measures. Meetings record their
 * participants and the actions they discussed. Every function checks that
 * the action or meeting of its arguments belongs to the partnership
 * (AG_ENOTFOUND otherwise); ids inside what is written (leader, members,
 * participants, actions, the linked city or assessment) are checked too,
 * and a wrong one is AG_EINVAL with a message that names the field
 * ("members[2]: not a member of this partnership"). Every change is made in
 * one transaction with its audit line (action.create, .update, .report,
 * .deliverable, .link; meeting.create, .update). */

/* "proposed", "ongoing", "implemented", "stopped". */
bool ag_action_status_ok(const char *status);
/* An http:// or https:// address with a host, at most 2000 bytes, no
 * spaces or control characters. */
bool ag_url_ok(const char *url);

#define AG_ACTION_TITLE_MAX 200
#define AG_ACTION_TEXT_MAX 4000   /* objective, report text, next steps, agenda, outcomes */
#define AG_MEETING_MINUTES_MAX 16000
#define AG_LIST_MAX 200           /* members, participants, actions of a meeting */

/* An id with a name: a member (its city's or organisation's name), an
 * action (its title). */
struct ag_named {
    int64_t id;
    char name[256];
};

struct ag_action {
    int64_t id, partnership_id;
    char title[256];
    char objective[4096];
    char status[16];
    int64_t leader; /* a member id; 0 when the leader has left the partnership */
    char leader_name[256];
    char created_at[32], created_by[64], updated_at[32];
    char last_report[32]; /* when the latest status report was made; "" when none */
};

/* What to write of an action: NULL pointers and false flags leave a field
 * as it is (on creation: title and leader are required, status defaults to
 * "proposed"). The leader must be an active member; members any members. */
struct ag_action_edit {
    const char *title, *objective, *status;
    bool set_leader;
    int64_t leader;
    bool set_members;
    const int64_t *members;
    size_t nmembers;
};

struct ag_action_report {
    int64_t id, action_id;
    char at[32], author[64];
    char status[16]; /* the action's status from this report on */
    char text[4096];
    char next_steps[4096];
};

struct ag_deliverable {
    int64_t id, action_id;
    char title[256];
    char url[2048]; /* "" when none */
    char added_at[32], added_by[64];
};

/* A link to a member city's assessment or catalogue measure (or both: the
 * measure in that assessment). */
struct ag_action_link {
    int64_t id, action_id;
    int64_t city_id;
    char city[256];
    char measure[64];      /* a data/measures.csv id; "" when none */
    int64_t assessment_id; /* 0 when none; then: */
    int64_t space_id;
    char space[256];
    int version;
    char sharing[16];
    bool share_details;
};

struct ag_meeting {
    int64_t id, partnership_id;
    char date[16]; /* YYYY-MM-DD */
    char place[256];
    char agenda[4096];
    char minutes[16384];
    char outcomes[4096];
    char created_by[64], updated_at[32];
};

/* As struct ag_action_edit: NULL/false leaves a field; on creation the date
 * is required. Participants are members, actions actions of the same
 * partnership. */
struct ag_meeting_edit {
    const char *date, *place, *agenda, *minutes, *outcomes;
    bool set_participants;
    const int64_t *participants;
    size_t nparticipants;
    bool set_actions;
    const int64_t *actions;
    size_t nactions;
};

/* A meeting as an action lists it. */
struct ag_meeting_ref {
    int64_t id;
    char date[16];
    char place[256];
};

/* Adds an action to the partnership (*id set). AG_EEXIST when the
 * partnership has an action of that title. */
int ag_store_action_add(struct ag_store *s, int64_t partnership_id, const struct ag_action_edit *e,
                        int64_t *id, const char *who, struct ag_error *err);
int ag_store_action_update(struct ag_store *s, int64_t partnership_id, int64_t action_id,
                           const struct ag_action_edit *e, const char *who, struct ag_error *err);
int ag_store_action_get(struct ag_store *s, int64_t partnership_id, int64_t action_id,
                        struct ag_action *out, struct ag_error *err);
/* The partnership's actions, oldest first. out: vec of struct ag_action. */
int ag_store_actions(struct ag_store *s, int64_t partnership_id, struct ag_vec *out,
                     struct ag_error *err);
/* The members taking part, by name. out: vec of struct ag_named. */
int ag_store_action_members(struct ag_store *s, int64_t partnership_id, int64_t action_id,
                            struct ag_vec *out, struct ag_error *err);

/* A status report (r: status, text, next_steps; id, action_id, at and
 * author = who are set); the action takes its status. */
int ag_store_action_report_add(struct ag_store *s, int64_t partnership_id, int64_t action_id,
                               struct ag_action_report *r, const char *who, struct ag_error *err);
/* Newest first. out: vec of struct ag_action_report. */
int ag_store_action_reports(struct ag_store *s, int64_t partnership_id, int64_t action_id,
                            struct ag_vec *out, struct ag_error *err);

/* d: title, url (empty or ag_url_ok); the rest is set. */
int ag_store_deliverable_add(struct ag_store *s, int64_t partnership_id, int64_t action_id,
                             struct ag_deliverable *d, const char *who, struct ag_error *err);
/* Oldest first. out: vec of struct ag_deliverable. */
int ag_store_deliverables(struct ag_store *s, int64_t partnership_id, int64_t action_id,
                          struct ag_vec *out, struct ag_error *err);

/* l: city_id and assessment_id and/or measure (the caller checks that the
 * measure is in the catalogue); the city must be an active member, the
 * assessment one of that city. AG_EEXIST when the action has that link
 * already. The rest of l is filled. Audited with the city. */
int ag_store_action_link_add(struct ag_store *s, int64_t partnership_id, int64_t action_id,
                             struct ag_action_link *l, const char *who, struct ag_error *err);
/* By city, then id. out: vec of struct ag_action_link. */
int ag_store_action_links(struct ag_store *s, int64_t partnership_id, int64_t action_id,
                          struct ag_vec *out, struct ag_error *err);
/* The meetings that discussed the action, newest first. out: vec of struct
 * ag_meeting_ref. */
int ag_store_action_meetings(struct ag_store *s, int64_t partnership_id, int64_t action_id,
                             struct ag_vec *out, struct ag_error *err);

int ag_store_meeting_add(struct ag_store *s, int64_t partnership_id,
                         const struct ag_meeting_edit *e, int64_t *id, const char *who,
                         struct ag_error *err);
int ag_store_meeting_update(struct ag_store *s, int64_t partnership_id, int64_t meeting_id,
                            const struct ag_meeting_edit *e, const char *who,
                            struct ag_error *err);
int ag_store_meeting_get(struct ag_store *s, int64_t partnership_id, int64_t meeting_id,
                         struct ag_meeting *out, struct ag_error *err);
/* Newest first (by date). out: vec of struct ag_meeting. */
int ag_store_meetings(struct ag_store *s, int64_t partnership_id, struct ag_vec *out,
                      struct ag_error *err);
/* The participants (members, by name) / the actions discussed (by id, the
 * title as name). out: vec of struct ag_named. */
int ag_store_meeting_participants(struct ag_store *s, int64_t partnership_id, int64_t meeting_id,
                                  struct ag_vec *out, struct ag_error *err);
int ag_store_meeting_actions(struct ag_store *s, int64_t partnership_id, int64_t meeting_id,
                             struct ag_vec *out, struct ag_error *err);

#ifdef __cplusplus
}
#endif
#endif
