/* rights_internal.h: what the files of the rights module share. Not for other modules (they
 * use rights.h). */
#ifndef MS_RIGHTS_INTERNAL_H
#define MS_RIGHTS_INTERNAL_H

#include "auth/auth.h"
#include "core/api.h"
#include "core/buf.h"
#include "core/id.h"
#include "core/json.h"
#include "core/money.h"
#include "core/time.h"
#include "rights/avails.h"
#include "rights/dims.h"
#include "rights/rights.h"
#include "assets/assets.h"
#include "store/db.h"

#include <stdbool.h>
#include <stdint.h>

static inline const char *rights_or(const char *s, const char *def)
{
    return s ? s : def;
}

/* ---- Who the caller is in an organization's rights (access.c). ----
 *   view    (viewer)        reads the catalogue, rights, deals, avails, reports
 *   edit    (member)        changes titles, rights in, holdbacks, draft deals; makes and
 *                           answers offers; imports
 *   manage  (admin, owner)  also signs, activates and terminates deals, accepts offers,
 *                           manages listings' buyers and custom media */
typedef struct rights_org {
    char org_id[MS_ID_LEN];
    char org_name[256];
    char user_id[MS_ID_LEN];
    ms_level level;
} rights_org;

/* An organization's name into out (MS_ENOTFOUND when there is none). */
int rights_org_name(ms_req *r, const char *org_id, char *out, size_t cap);
/* The caller in organization `org_id` (MS_ENOTFOUND when not a member). */
int rights_org_get(ms_req *r, const char *org_id, rights_org *out);
/* The caller acting on title `title_id`: through the organization that owns it (*owned), or
 * through one of theirs that holds rights in on it (?org= chooses among them). */
int rights_title_scope(ms_req *r, const char *title_id, rights_org *o, bool *owned);
/* The caller in the organization that owns a row: `sql` selects org_id for one id. */
int rights_org_of(ms_req *r, const char *sql, const char *id, const char *what, rights_org *out);
/* Fail with 403 unless the caller is at least `need` ("Signing a deal needs ..."). */
int rights_require(ms_req *r, const rights_org *o, ms_level need, const char *doing);

/* Record a rights write: an event in the organization's log, in the request's transaction.
 * Every write of the module calls it. */
int rights_event(ms_req *r, const rights_org *o, const char *action, const char *object_type,
                 const char *object_id, json_t *data, const char *fmt, ...)
    __attribute__((format(printf, 7, 8)));
/* A change to the windows of `title_id` (rights in, deal rights, holdbacks, deal status):
 * and to the title itself: raises the organization's rights revision and stamps the
 * (organization, title) pair with it, so the engine's cache reloads that title. */
int rights_title_changed(ms_req *r, const char *org_id, const char *title_id);

/* Every row of `sql` (one id parameter) as JSON appended to `arr`, each passed through `each`
 * (may be NULL) with `ctx` first. */
int rights_rows_json(ms_req *r, json_t *arr, const char *sql, const char *id,
                     void (*each)(json_t *row, const char *ctx), const char *ctx);

/* Money is core/money.h (exact minor units per ISO 4217). */

/* The media registry of an organization: built-ins and its own codes (strings in arena). */
int rights_media_reg(ms_req *r, const char *org_id, dims_media_reg *reg);

/* ---- One right's dimensions (rows.c). ---- */
typedef enum rights_row_kind {
    RIGHTS_ROW_IN = 0,
    RIGHTS_ROW_DEAL,
    RIGHTS_ROW_HOLDBACK
} rights_row_kind;
typedef struct rights_row {
    const char *title_id;                        /* deal rights and holdbacks */
    const char *territories, *media, *languages; /* canonical JSON text, in the arena */
    char start[11], end[11];                     /* "" when open (a holdback's start: always) */
    int excl;                                    /* av_excl; -1 for holdbacks */
    int64_t runs, allocation;                    /* -1 when not given */
    const char *note;                            /* rights in: notes; holdbacks: reason */
    av_window w;                                 /* the engine's form (ref not set) */
} rights_row;
/* Check row `j` of kind `kind` (field names prefixed by `prefix`, "rights/2"); `currency` for a
 * deal row's allocation. Field errors go to r->err; returns MS_EINVAL when any. */
int rights_row_parse(ms_req *r, const json_t *j, const dims_media_reg *reg, rights_row_kind kind,
                     const char *currency, const char *prefix, rights_row *out);
/* Only the fields a row of `kind` has (before anything else is looked at). */
int rights_row_keys_check(ms_req *r, const json_t *j, rights_row_kind kind, const char *prefix);
/* Stored text back into a window (kind and ref left to the caller), parsing each distinct
 * expression once through a memo whose language strings live in `strings`. */
typedef struct rights_parse_memo rights_parse_memo;
rights_parse_memo *rights_memo_new(ms_arena *strings);
void rights_memo_free(rights_parse_memo *m);
int rights_window_from_text(rights_parse_memo *m, const dims_media_reg *reg, const char *terr,
                            const char *media, const char *langs, const char *start,
                            const char *end, const char *excl, av_window *w, ms_error *err);

/* ---- Reading an organization's windows (windows.c): for the cache and for conflict checks
 * inside write transactions. ---- */
enum { RIGHTS_REF_IN = 1, RIGHTS_REF_DEAL = 2, RIGHTS_REF_HOLDBACK = 3 };
typedef struct rights_ref {
    uint8_t type;
    char id[MS_ID_LEN];                        /* the right in, deal or holdback */
    const char *reference, *licensee, *status; /* deals (strings owned by the receiver) */
} rights_ref;
/* Called for each window of the organization (one title when `title_id` is given), the deal
 * `ignore_deal_id` left out; the window's ref is to be set by the receiver. */
typedef int (*rights_window_fn)(void *ctx, const char *title_id, av_window *w,
                                const rights_ref *ref, ms_error *err);
int rights_windows_load(db_conn *c, const char *org_id, const char *title_id,
                        const char *ignore_deal_id, const dims_media_reg *reg,
                        rights_parse_memo *memo, rights_window_fn fn, void *ctx, ms_error *err);

/* ---- Deals (deals.c). ----
 * A deal body as POST /orgs/{id}/deals takes it (docs/rights.md):
 *   {"licensee_org_id"?, "licensee_name"?, "reference"?, "status"?, "currency"?, "fee"?,
 *    "minimum_guarantee"?, "notes"?, "rights": [{"title_id", "territories", "media",
 *    "languages"?, "start", "end"?, "exclusivity", "runs"?, "allocation"?}, ...],
 *    "payments"?: [{"due_date", "amount", "paid_at"?, "note"?}],
 *    "holdbacks"?: [{"title_id", "territories", "media", "start"?, "end", "reason"?}]}
 * Create one for organization `o` (the licensor) with `status` (NULL: the body's, default
 * draft), made from market offer `offer_id` (may be NULL). Checks every field (field errors),
 * the titles (the licensor's), and conflicts: any part of a right not available to the
 * licensor, against signed and active deals, answers MS_ECONFLICT with type
 * "rights-conflict" and r->problem {"conflicts": [...]} (rights_conflicts_json). A deal
 * created signed is signed by the caller now. Appends the event; raises the revision of
 * every title it touches. */
int rights_deal_create(ms_req *r, const rights_org *o, const json_t *body, const char *status,
                       const char *offer_id, char id_out[MS_ID_LEN]);
/* The deal as the API shows it (with rights, payments, holdbacks), NULL when absent. */
json_t *rights_deal_json(ms_req *r, const char *deal_id);

/* ---- The avails engine behind the requests (cache.c). ----
 * An organization's windows, loaded once and kept fresh by the rights revision. Reads take
 * it per request; the returned view is valid until rights_cache_release. */
typedef struct rights_title_windows {
    char id[MS_ID_LEN];
    const char *name;
    char kind[16];
    const av_window *w; /* w[i].ref indexes refs */
    int nw;
    const rights_ref *refs;
    int nrefs;
} rights_title_windows;
typedef struct rights_view rights_view;
int rights_cache_get(ms_req *r, const char *org_id, rights_view **out);
void rights_cache_release(rights_view *v);
/* The windows of one title (NULL when the title is not in the catalogue). */
const rights_title_windows *rights_view_title(rights_view *v, const char *title_id);
/* The catalogue's titles in id order: count, and the i-th. */
int rights_view_count(rights_view *v);
const rights_title_windows *rights_view_at(rights_view *v, int i);
const dims_media_reg *rights_view_media(rights_view *v);

/* The conflicts of proposed rights rows (a deal's, as JSON rights rows) against the
 * organization's current state in the database (not the cache: called inside write
 * transactions), ignoring deal `ignore_deal_id` (may be NULL). Fills *conflicts with a JSON
 * array (empty when none) of {"title_id", "right": index, "territories": [...], "media",
 * "language"?, "start", "end" (last day, null open), "reason", "deal_id"?, "licensee_name"?,
 * "rights_in_id"?, "holdback_id"?}. */
int rights_conflicts(ms_req *r, const rights_org *o, const json_t *rights,
                     const char *ignore_deal_id, json_t **conflicts);

/* ---- Questions and answers (avails_api.c). ---- */
/* {"territories", "media", "languages", "start", "end", "exclusivity"} into a question (field
 * errors in r->err); defaults WORLD, every medium, no language dimension, today, ten years,
 * non_exclusive. */
int rights_question_parse(ms_req *r, const json_t *j, const dims_media_reg *reg, av_query *q);
/* The bounded stand-in for an open end: the day after 9999-12-31. */
av_day rights_far_end(void);
/* A reason as JSON members of `o`: "reason" and what blocks (deal_id, reference,
 * licensee_name, status / rights_in_id / holdback_id). */
void rights_reason_refs(json_t *o, const av_reason *re, const rights_ref *refs, int nrefs);

/* ---- Handlers. ---- */
int h_rights_territories(ms_req *r);
int h_rights_media_list(ms_req *r);
int h_rights_media_create(ms_req *r);
int h_titles_list(ms_req *r);
int h_titles_create(ms_req *r);
int h_title_get(ms_req *r);
int h_title_update(ms_req *r);
int h_title_delete(ms_req *r);
int h_rights_in_list(ms_req *r);
int h_rights_in_create(ms_req *r);
int h_rights_in_update(ms_req *r);
int h_rights_in_delete(ms_req *r);
int h_holdbacks_list(ms_req *r);
int h_holdbacks_create(ms_req *r);
int h_holdback_delete(ms_req *r);
int h_deals_list(ms_req *r);
int h_deals_create(ms_req *r);
int h_deal_get(ms_req *r);
int h_deal_update(ms_req *r);
int h_deal_delete(ms_req *r);
int h_deal_status(ms_req *r);
int h_avails_check(ms_req *r);
int h_title_deals(ms_req *r);
int h_title_avails(ms_req *r);
int h_avails_query(ms_req *r);
int h_avails_grid(ms_req *r);
int h_rights_revenue(ms_req *r);
int h_rights_due(ms_req *r);

/* ---- Market (wt-market): market.c. ---- */
/* The listings and offers between organizations (docs/rights-market.md). market.c holds what
 * listings and offers share; market_listings.c and market_offers.c the handlers. */
typedef enum market_side { MARKET_NONE = 0, MARKET_SELLER = 1, MARKET_BUYER = 2 } market_side;
const char *market_side_name(market_side s);

/* The caller in organization `org_id` when a member: 0 and *out filled; 1 when not a member
 * (nothing failed); < 0 on a database error. */
int market_member(ms_req *r, const char *org_id, rights_org *out);
/* An organization `org_id` as a party the caller is not a member of (for its events). */
int market_party(ms_req *r, const char *org_id, rights_org *out);

/* A listing as an organization sees it. */
typedef struct market_listing {
    char id[MS_ID_LEN], org_id[MS_ID_LEN];
    char visibility[16], status[16];
    int64_t version;
} market_listing;
typedef struct market_view {
    market_listing l;
    rights_org viewer;     /* the organization whose view (the caller is a member) */
    bool seller;           /* the viewer is the seller */
    char buyer_status[16]; /* the viewer's row in the listing's buyers, "" when none */
    bool has_offer;        /* the viewer made an offer on it */
    bool access;           /* seller, invited or approved: sees screeners */
} market_view;
/* The listing `id` as organization `org` (NULL: the seller when the caller is one of its
 * members, else the caller's organization that sees most of it) sees it: MS_ENOTFOUND with
 * "No such listing." when it may not. */
int market_listing_view(ms_req *r, const char *id, const char *org, market_view *v);
/* Whether the viewer may make an offer now (open, not declined; invited ones: by access). */
bool market_may_offer(const market_view *v);

/* The rights on offer of a listing: {territories, media, languages?, start, end?,
 * exclusivity} checked against the seller's media; *canon gets the stored form. Field errors
 * are named under `field`. */
int market_rights_check(ms_req *r, const char *seller_org_id, const json_t *in, const char *field,
                        json_t **canon);
/* Offer terms {rights: [deal rights rows], currency, fee, minimum_guarantee?, payments?}
 * (extra members named in `skip` are left to the caller) with the rules of deals; titles must
 * be the listing's. *canon gets the stored form, with amounts as decimal strings. */
int market_terms_check(ms_req *r, const char *seller_org_id, const char *listing_id,
                       const json_t *in, const char *const *skip, json_t **canon);

int h_listings_create(ms_req *r);
int h_org_listings(ms_req *r);
int h_market_listings(ms_req *r);
int h_listing_get(ms_req *r);
int h_listing_update(ms_req *r);
int h_listing_buyers(ms_req *r);
int h_listing_buyers_set(ms_req *r);
int h_listing_access_request(ms_req *r);
int h_offers_create(ms_req *r);
int h_org_offers(ms_req *r);
int h_offer_get(ms_req *r);
int h_offer_events(ms_req *r);
int h_offer_message(ms_req *r);
int h_offer_counter(ms_req *r);
int h_offer_accept(ms_req *r);
int h_offer_reject(ms_req *r);
int h_offer_withdraw(ms_req *r);
/* ---- end of market. ---- */

/* ---- EMA Avails (wt-ema): ema.c. ---- */
/* ema.c reads and writes the file format (rights/ema.h); ema_api.c maps it onto titles and deals.
 * POST /orgs/{id}/ema/import (a streamed text body, at most 16 MiB: rights_ema_on_body) and
 * GET /orgs/{id}/ema/export. */
int h_rights_ema_import(ms_req *r);
int h_rights_ema_export(ms_req *r);
int rights_ema_on_body(ms_req *r, const char *data, size_t len);
/* ---- end of EMA. ---- */

#endif
