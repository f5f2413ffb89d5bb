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
#include "core/money.h"
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
int talent_vis_parse(const char *s);   /* TV_* or -1 */
int talent_field_parse(const char *s); /* TF_* or -1 */
/* A profile's visibility column (JSON) into vis[] (defaults for fields it does not name). */
void talent_vis_from_json(const char *text, talent_vis vis[TF_COUNT]);
json_t *talent_vis_json(const talent_vis vis[TF_COUNT]);

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

/* What `caller` (NULL: anonymous) is to profile `p`. */
int talent_viewer_for(db_conn *c, const ms_caller *caller, const talent_ref *p, talent_viewer *v,
                      ms_error *err);
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
/* The card of profile `seq` as the caller may read it (MS_ENOTFOUND quietly when the caller
 * may not see it, or it is erased). */
int talent_card_json(ms_req *r, int64_t seq, json_t **out);

/* A profile body (the API's shape) checked field by field (errors name the body's keys, e.g.
 * "languages/2"), shared by the API and the CSV import. Members the body lacks stay unset
 * (NULL / false) and are left as they are. Strings live in `a` or in `body`. */
typedef struct talent_input {
    const char *names, *primary_name; /* names: JSON text */
    const char *headline, *bio;
    const char *crafts, *skills, *languages, *affiliations, *education, *contacts; /* JSON */
    bool location_set;
    const char *country, *region, *city, *travel;
    bool showreel_set;
    const char *showreel;  /* JSON or NULL (cleared) */
    const char *portfolio; /* JSON */
    bool rates_set;        /* rates given (null clears them) */
    const char *rate_currency;
    bool has_day, has_week;
    int64_t rate_day, rate_week; /* minor units */
    bool vis_set;
    bool vis_given[TF_COUNT];
    talent_vis vis[TF_COUNT];
    int listed; /* -1: not given */
    bool ref_set;
    const char *ref;
} talent_input;
/* Language levels: native 5, fluent 4, professional 3, conversational 2, basic 1, else 0. */
int talent_level_rank(const char *level);
/* `caller` may be NULL (then showreel and portfolio are refused: they need a project the
 * caller may edit). */
int talent_input_check(db_conn *c, ms_arena *a, const ms_caller *caller, const json_t *body,
                       bool create, talent_input *in, ms_error *err);
/* A new profile (user_id: claimed by that account; steward_org_id: kept by that org), then
 * talent_touch. A taken user or ref is MS_ECONFLICT. */
int talent_profile_insert(db_conn *c, ms_arena *a, const char *actor_id, const char *user_id,
                          const char *steward_org_id, const talent_input *in, const json_t *consent,
                          char id_out[MS_ID_LEN], int64_t *seq_out, ms_error *err);
/* The same row stamped with revision `rev` and not touched: for a bulk load that indexes every
 * profile once at the end (io.c). */
int talent_profile_insert_untouched(db_conn *c, ms_arena *a, const char *actor_id,
                                    const char *user_id, const char *steward_org_id,
                                    const talent_input *in, const json_t *consent, int64_t rev,
                                    char id_out[MS_ID_LEN], int64_t *seq_out, ms_error *err);
/* Write the given members of `in` to profile `seq` (and version + 1 when bump_version), then
 * talent_touch. */
int talent_profile_apply(db_conn *c, ms_arena *a, int64_t seq, const talent_input *in,
                         bool bump_version, ms_error *err);

/* Crafts: the built-in list and the instance's own (crafts.c). */
bool talent_craft_builtin(const char *code, const char **en, const char **zh);
/* Labels of a craft (MS_ENOTFOUND quietly when there is no such craft). */
int talent_craft_lookup(db_conn *c, const char *code, char *en, size_t encap, char *zh,
                        size_t zhcap, ms_error *err);
bool talent_craft_valid(ms_req *r, const char *code);

/* Production credits of the person's account into talent_credit (part work implements it;
 * create and claim call it). */
int talent_sync_production(db_conn *c, int64_t seq, ms_error *err);

/* ---- Text and the index (search.c, index.c: part "search"). ---- */
/* Rebuild talent_doc's text of one profile from the database and update its row of the
 * text index (store/db_text.h); a profile not listed, or erased, leaves the index. */
int talent_reindex(db_conn *c, int64_t seq, ms_error *err);
/* The talent_doc summary of a profile's credits, written by talent_reindex:
 * {"n", "verified", "crafts": {code: n}, "crafts_verified": {code: n},
 *  "crafts_last_year": {code: year}, "orgs": [organizations of verified credits],
 *  "last_year"}. */

/* "YYYY-MM-DD" into days since 1970-01-01 (false for anything else). */
bool talent_day_parse(const char *s, int32_t *day);
/* Language level: basic 1, conversational 2, professional 3, fluent 4, native 5; 0 unknown. */
int talent_lang_level(const char *s);

/* Availability in a window: free, partly taken, booked (taken every day), unknown (the
 * searcher may not read the profile's availability). */
typedef enum talent_avail { TA_FREE = 0, TA_PARTLY, TA_UNKNOWN, TA_BOOKED } talent_avail;
const char *talent_avail_name(talent_avail a);

/* The in-memory attribute index (index.c): a search over it. */
enum { TALENT_FACETS = 5, TALENT_FACET_MAX = 20 }; /* craft, language, country, city, org */
typedef struct talent_search_q {
    const char *text;       /* the words to find (text index), NULL: every listed profile */
    const char *folded;     /* the same folded (ranking) */
    const char *crafts[16]; /* any of them */
    int ncrafts;
    const char *language; /* with at least `level` */
    int level;
    const char *country; /* upper case */
    const char *city;    /* folded */
    const char *org;
    bool window; /* free every day of [from, to] */
    int32_t from, to;
    uint64_t after; /* the cursor: hits ranked after this key; 0 from the start */
    int limit;
} talent_search_q;
typedef struct talent_hit {
    int64_t seq, score;
    uint64_t key; /* rank order: higher first; the cursor */
    talent_avail avail;
} talent_hit;
typedef struct talent_facet {
    const char *value;
    int64_t count;
} talent_facet;
typedef struct talent_search_res {
    talent_hit *hits; /* in the request's arena */
    int nhits;
    bool more;
    int64_t total;
    talent_facet *facets[TALENT_FACETS];
    int nfacets[TALENT_FACETS];
} talent_search_res;
int talent_ix_search(ms_req *r, const talent_search_q *q, talent_search_res *out);

/* A project's need and the candidates ranked for it (match.c asks, index.c answers). */
enum { TALENT_NEED_LANGS = 16, TALENT_NEED_SKILLS = 32, TALENT_FACTORS = 6 };
typedef struct talent_need {
    const char *craft;
    bool window;
    int32_t from, to;
    struct {
        const char *tag;
        int level;
    } langs[TALENT_NEED_LANGS];
    int nlangs;
    const char *skills[TALENT_NEED_SKILLS]; /* folded */
    int nskills;
    const char *country, *city; /* upper case; folded */
    bool budget;
    const char *currency;
    int64_t budget_day; /* minor units */
    int limit;
} talent_need;
typedef struct talent_factor {
    const char *factor;
    int points, max;
    char detail[120];
} talent_factor;
typedef struct talent_match_item {
    int64_t seq;
    talent_avail avail;
    int score; /* the sum of the factors' points */
    talent_factor f[TALENT_FACTORS];
    int nf;
} talent_match_item;
int talent_ix_match(ms_req *r, const talent_need *nd, talent_match_item **items, int *nitems,
                    int64_t *considered);
/* Drop the whole index (the next request loads it again): tests, tools. */
void talent_index_forget(void);
/* ---- end of search ---- */

/* ---- Credits, availability, shortlists, invites (part "work"). ---- */
/* talent_sync_production (declared with the profiles, defined in credits.c): one credit per
 * (project, task type) of the tasks assigned to the person's account, and one ("Crew") per
 * project the account is a member of (admin, member, vendor) without tasks there; verified
 * (the producing organization's own records). Idempotent: a second run changes nothing, and
 * production credits whose work is gone are removed. Touches the profile when anything
 * changed. An unclaimed or erased profile has no account, so nothing to derive. */
/* Dates "YYYY-MM-DD" as days since 1970-01-01 (availability.c), and back. */
bool talent_date_parse(const char *s, int64_t *days);
void talent_date_fmt(int64_t days, char out[11]);
int64_t talent_today(void);
/* A credit body (title, role, craft, year, company, org_id; source on create), checked for
 * the credits API and the CSV import (io.c): its shape (title and role required on create), a
 * year from 1888 to next year, a known craft, an organization of this platform. Field errors
 * go into `err` (MS_EINVAL); a database failure is returned as it is. */
int talent_credit_check(ms_req *r, const json_t *body, bool create, ms_error *err);
/* Fail the request 400 bad-query naming query parameter `field`. */
int talent_query_fail(ms_req *r, const char *field, const char *msg);
/* ---- end of work ---- */

/* ---- CSV import and export (part "io"). ---- */
/* MS_ROUTE_STREAM body of POST /orgs/{id}/talent/import: the CSV, collected (64 MiB at most). */
int talent_io_on_body(ms_req *r, const char *data, size_t len);
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
int h_talent_profile_media(ms_req *r);
/* search */
int h_talent_search(ms_req *r);
int h_org_talent_match(ms_req *r);
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
int h_talent_import(ms_req *r);
int h_talent_export(ms_req *r);
/* end of io */

#endif
