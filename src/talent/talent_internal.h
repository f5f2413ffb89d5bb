/* talent_internal.h: what the files of the talent module share. Not for other modules (they
 * use talent.h). Each part keeps its declarations in its own marked block. */
#ifndef MS_TALENT_INTERNAL_H
#define MS_TALENT_INTERNAL_H

#include "assets/assets.h"
#include "auth/auth.h"
#include "core/api.h"
#include "core/buf.h"
#include "core/id.h"
#include "core/json.h"
#include "core/time.h"
#include "store/db.h"
#include "talent/talent.h"

#include <stdbool.h>
#include <stdint.h>

/* ---- Visibility and the viewer (access.c). ----
 * Every field of a profile has a visibility; a viewer reads a field when the field's
 * visibility is at most the viewer's level for that profile:
 *   TV_PUBLIC    anyone (anonymous included)
 *   TV_PLATFORM  any signed-in user
 *   TV_ORGS      a member of the profile's steward organization, or of an organization the
 *                person's account belongs to
 *   TV_PRIVATE   the person; before the profile is claimed, the steward's members (who keep
 *                it for the person) */
typedef enum talent_vis { TV_PUBLIC = 0, TV_PLATFORM, TV_ORGS, TV_PRIVATE } talent_vis;

typedef enum talent_field {
    TF_NAMES = 0, /* public or platform only: a profile nobody may name is not listed */
    TF_HEADLINE,
    TF_BIO,
    TF_CRAFTS,
    TF_SKILLS,
    TF_LANGUAGES,
    TF_LOCATION, /* country, region, city, travel */
    TF_AFFILIATIONS,
    TF_EDUCATION,
    TF_SHOWREEL, /* showreel and portfolio */
    TF_RATES,
    TF_CONTACTS,
    TF_CREDITS, /* credits, and the organizations they name (the organization facet) */
    TF_AVAILABILITY,
    TF_COUNT
} talent_field;

extern const char *const talent_field_names[TF_COUNT]; /* "names", "headline", ... */
extern const char *const talent_vis_names[4];          /* "public", "platform", ... */
extern const talent_vis talent_vis_default[TF_COUNT];
int talent_vis_parse(const char *s); /* TV_* or -1 */

/* One profile's keys and visibilities. */
typedef struct talent_ref {
    int64_t seq;
    char id[MS_ID_LEN];
    char user_id[MS_ID_LEN];        /* "" when unclaimed */
    char steward_org_id[MS_ID_LEN]; /* "" when none */
    talent_vis vis[TF_COUNT];
    bool listed;
    int64_t version;
} talent_ref;

/* What the caller is to one profile. */
typedef struct talent_viewer {
    talent_vis level; /* the widest visibility the caller reads */
    bool self;        /* the caller is the person (claimed account) */
    bool steward;     /* the caller is a member (member, admin, owner) of the steward org */
    bool can_edit;    /* self, or steward of an unclaimed profile */
} talent_viewer;

/* Load a profile by id: 404 when it does not exist, is erased, or the caller may not even
 * read its names. Fills the viewer. */
int talent_open(ms_req *r, const char *profile_id, talent_ref *p, talent_viewer *v);
/* The same by seq, without failing the request: MS_ENOTFOUND quietly. */
int talent_open_seq(ms_req *r, int64_t seq, talent_ref *p, talent_viewer *v);
static inline bool talent_sees(const talent_viewer *v, const talent_ref *p, talent_field f)
{
    return p->vis[f] <= v->level;
}
/* 404 unless the caller may edit the profile (and it answered to talent_open). */
int talent_require_edit(ms_req *r, const talent_ref *p, const talent_viewer *v);
/* The organizations the caller belongs to whose members read TV_ORGS fields of profiles they
 * steward or whose people belong to them: used by search to widen a viewer's level. */
int talent_viewer_orgs(ms_req *r, const char ***ids, int *n);

/* A change to a profile or to anything the search knows of it (credits, unavailability):
 * raises the talent revision, stamps the profile, refreshes talent_doc and the text index.
 * In the request's write transaction; every talent write calls it. */
int talent_touch(ms_req *r, const talent_ref *p);
int talent_touch_conn(db_conn *c, int64_t seq, ms_error *err);
/* An event in the log: the steward organization's when there is one, else the actor's own. */
int talent_event(ms_req *r, const talent_ref *p, const char *action, const char *object_type,
                 const char *object_id, const char *fmt, ...) __attribute__((format(printf, 6, 7)));

/* ---- Profiles as JSON (profiles.c). ----
 * The profile as `v` may read it: fields it may not read are absent (not null), and
 * "visibility" is present only for those who may edit. card: the short form of search
 * results (names, headline, crafts, languages, location, credit counts). */
int talent_profile_json(ms_req *r, const talent_ref *p, const talent_viewer *v, bool card,
                        json_t **out);
/* Crafts: the built-in list and the instance's own (crafts.c). */
bool talent_craft_valid(ms_req *r, const char *code);
const char *talent_craft_label(ms_req *r, const char *code, bool zh);

/* ---- Text and the index (search.c, index.c: part "search"). ---- */
/* Rebuild talent_doc's text of one profile from the database and update its row of the
 * text index (store/db_text.h); a profile not listed, or erased, leaves the index. */
int talent_reindex(db_conn *c, int64_t seq, ms_error *err);
/* ---- end of search ---- */

/* ---- Credits, availability, shortlists, invites (part "work"). ---- */
/* Production credits of a profile (credits.c): one per (project, task type) of the tasks
 * assigned to the person's account, and one ("Crew") per project the account is a member of
 * (admin, member, vendor) without tasks there; marked verified (the producing organization's
 * own records). Idempotent: a second run changes nothing, and production credits whose work
 * is gone are removed. In the caller's write transaction; touches the profile when anything
 * changed. An unclaimed or erased profile has no account, so nothing to derive. */
int talent_sync_production(db_conn *c, int64_t seq, ms_error *err);
/* Dates "YYYY-MM-DD" as days since 1970-01-01 (availability.c), and back. */
bool talent_date_parse(const char *s, int64_t *days);
void talent_date_fmt(int64_t days, char out[11]);
int64_t talent_today(void);
/* Fail the request 400 bad-query naming query parameter `field`. */
int talent_query_fail(ms_req *r, const char *field, const char *msg);
/* ---- end of work ---- */

/* ---- CSV import and export (part "io"). ---- */
/* ---- end of io ---- */

/* ---- Handlers (routes.c). ---- */
int h_talent_crafts(ms_req *r);
int h_talent_crafts_create(ms_req *r);
int h_talent_profiles_create(ms_req *r);
int h_talent_profile_get(ms_req *r);
int h_talent_profile_update(ms_req *r);
int h_talent_profile_delete(ms_req *r);
int h_talent_me(ms_req *r);
int h_talent_me_export(ms_req *r);
int h_talent_claim_links_create(ms_req *r);
int h_talent_claim(ms_req *r);
int h_org_talent_profiles(ms_req *r);
/* search */
/* end of search */
/* work */
int h_talent_credits_list(ms_req *r);
int h_talent_credits_create(ms_req *r);
int h_talent_credit_update(ms_req *r);
int h_talent_credit_delete(ms_req *r);
int h_talent_credit_verify(ms_req *r);
int h_org_talent_credits(ms_req *r);
int h_talent_sync(ms_req *r);
int h_talent_availability(ms_req *r);
int h_talent_unavailable_create(ms_req *r);
int h_talent_unavailable_delete(ms_req *r);
int h_org_talent_shortlists(ms_req *r);
int h_org_talent_shortlists_create(ms_req *r);
int h_talent_shortlist_get(ms_req *r);
int h_talent_shortlist_update(ms_req *r);
int h_talent_shortlist_delete(ms_req *r);
int h_talent_shortlist_entry_add(ms_req *r);
int h_talent_shortlist_entry_remove(ms_req *r);
int h_project_talent_invites_create(ms_req *r);
int h_project_talent_invites(ms_req *r);
int h_talent_me_invites(ms_req *r);
int h_talent_invite_accept(ms_req *r);
int h_talent_invite_decline(ms_req *r);
int h_talent_invite_withdraw(ms_req *r);
/* end of work */
/* io */
/* end of io */

#endif
