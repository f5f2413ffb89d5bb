/* market_offers.c: offers between a buyer and a seller organization on a listing - the
 * counter-offers, the message thread, and acceptance, which turns the standing terms into a
 * signed deal for both parties in the same transaction.
 *
 * The rules, kept here and said for users in docs/rights-market.md:
 *   - Only the members of the two organizations see an offer and its events; everyone else
 *     gets 404, as if it did not exist.
 *   - The sides take turns. The side that did not write the standing terms (last_by) may
 *     counter, accept or reject them; the side that wrote them may only withdraw them (which
 *     ends the negotiation) or wait. A side never accepts its own terms.
 *   - Only open and countered offers move; accepted, rejected and withdrawn ones are final.
 *     Messages may be added while the offer is open, countered or accepted.
 *   - Acceptance needs If-Match with the version read: terms that changed in between are
 *     never accepted blind. Accepting as the seller needs manage level, as the buyer edit;
 *     the deal is made by rights_deal_create (status signed), which re-checks conflicts at
 *     that moment: a conflict answers 409 and nothing changes.
 *   - Every step appends an offer event (the thread) and a rights event in both parties'
 *     logs. A member of both organizations acts as the side whose turn it is unless ?org=
 *     names one.
 * It does not check availability when terms are proposed: an offer may ask for a window that
 * is not free; the seller's view shows the conflicts as a warning. */
#include "rights/rights_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EVENTS_MAX  2000
#define MESSAGE_MAX 10000

typedef struct offer {
    char id[MS_ID_LEN], listing_id[MS_ID_LEN], seller[MS_ID_LEN], buyer[MS_ID_LEN];
    char status[16], last_by[8], deal_id[MS_ID_LEN];
    int64_t round, version, event_count;
} offer;

/* The caller as one side of an offer. */
typedef struct party {
    market_side side;
    rights_org me;    /* the caller's organization on that side */
    rights_org other; /* the other side (a party the caller may not belong to) */
} party;

static bool offer_active(const offer *f)
{
    return !strcmp(f->status, "open") || !strcmp(f->status, "countered");
}

static market_side last_side(const offer *f)
{
    return !strcmp(f->last_by, "seller") ? MARKET_SELLER : MARKET_BUYER;
}

static market_side other_side(market_side s)
{
    return s == MARKET_SELLER ? MARKET_BUYER : MARKET_SELLER;
}

/* `id` must not point into `f`. */
static int offer_load(ms_req *r, const char *id, offer *f)
{
    memset(f, 0, sizeof *f);
    if (!id || !ms_uuid_valid(id)) return ms_req_fail(r, MS_ENOTFOUND, NULL, "No such offer.");
    db_stmt *st;
    int rc = db_query_row(r->db, &st, &r->err,
                          "SELECT id, listing_id, seller_org_id, buyer_org_id, status, last_by, "
                          "COALESCE(deal_id, ''), round, version, event_count FROM rights_offer "
                          "WHERE id = ?",
                          "s", id);
    if (rc < 0) return rc;
    if (rc == DB_DONE) return ms_req_fail(r, MS_ENOTFOUND, NULL, "No such offer.");
    ms_strlcpy(f->id, db_col_text(st, 0), sizeof f->id);
    ms_strlcpy(f->listing_id, db_col_text(st, 1), sizeof f->listing_id);
    ms_strlcpy(f->seller, db_col_text(st, 2), sizeof f->seller);
    ms_strlcpy(f->buyer, db_col_text(st, 3), sizeof f->buyer);
    ms_strlcpy(f->status, db_col_text(st, 4), sizeof f->status);
    ms_strlcpy(f->last_by, db_col_text(st, 5), sizeof f->last_by);
    ms_strlcpy(f->deal_id, db_col_text(st, 6), sizeof f->deal_id);
    f->round = db_col_int(st, 7);
    f->version = db_col_int(st, 8);
    f->event_count = db_col_int(st, 9);
    db_done(st);
    return 0;
}

/* Which side the caller is on: ?org= when given, else the one it belongs to, else (a member
 * of both) `hint`. 404 when neither. */
static int offer_party(ms_req *r, const offer *f, market_side hint, party *p)
{
    memset(p, 0, sizeof *p);
    const char *org = ms_req_query(r, "org");
    rights_org s, b;
    int rs = market_member(r, f->seller, &s);
    if (rs < 0) return rs;
    int rb = market_member(r, f->buyer, &b);
    if (rb < 0) return rb;
    bool in_s = rs == 0, in_b = rb == 0;
    if (org && *org) {
        in_s = in_s && !strcmp(org, f->seller);
        in_b = in_b && !strcmp(org, f->buyer);
    }
    if (!in_s && !in_b) return ms_req_fail(r, MS_ENOTFOUND, NULL, "No such offer.");
    if (in_s && in_b)
        p->side = hint == MARKET_BUYER ? MARKET_BUYER : MARKET_SELLER;
    else
        p->side = in_s ? MARKET_SELLER : MARKET_BUYER;
    p->me = p->side == MARKET_SELLER ? s : b;
    int rc = market_party(r, p->side == MARKET_SELLER ? f->buyer : f->seller, &p->other);
    return rc;
}

/* Accepting binds the organization, and so do the seller's counter-offers: once the buyer
 * accepts them they are a signed deal. So both need the level that signs deals on the
 * seller's side (admin, owner); a buyer's member binds its organization, as it does when it
 * makes an offer. */
static ms_level accept_level(market_side s)
{
    return s == MARKET_SELLER ? LEVEL_MANAGE : LEVEL_EDIT;
}

static json_t *offer_may(const offer *f, const party *p)
{
    bool active = offer_active(f), turn = p->side != last_side(f);
    bool edit = p->me.level >= LEVEL_EDIT;
    return json_pack(
        "{s:b,s:b,s:b,s:b,s:b}", "counter", active && turn && p->me.level >= accept_level(p->side),
        "accept", active && turn && p->me.level >= accept_level(p->side), "reject",
        active && turn && edit, "withdraw", active && !turn && edit, "message",
        (active || !strcmp(f->status, "accepted")) && edit && f->event_count < EVENTS_MAX);
}

/* The offer as the API shows it to party `p`; `conflicts`: the seller also gets the
 * conflicts of the standing terms (a warning; the buyer does not see the seller's deals). */
static int offer_json(ms_req *r, const offer *f, const party *p, bool conflicts, json_t **out)
{
    *out = NULL;
    db_stmt *st;
    int rc = db_query_row(r->db, &st, &r->err,
                          "SELECT f.id, f.listing_id, l.name, f.seller_org_id, s.name, "
                          "f.buyer_org_id, b.name, f.status, f.terms, f.last_by, f.round, "
                          "f.deal_id, f.created_at, f.updated_at, f.version FROM rights_offer f "
                          "JOIN rights_listing l ON l.id = f.listing_id JOIN org s ON s.id = "
                          "f.seller_org_id JOIN org b ON b.id = f.buyer_org_id WHERE f.id = ?",
                          "s", f->id);
    if (rc < 0) return rc;
    if (rc == DB_DONE) return ms_req_fail(r, MS_ENOTFOUND, NULL, "No such offer.");
    json_t *terms = json_loads(db_col_text(st, 8), 0, NULL);
    json_t *o = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:o,s:s,s:I,s:o,s:s,s:s,s:I}", "id",
                          db_col_text(st, 0), "listing_id", db_col_text(st, 1), "listing_name",
                          db_col_text(st, 2), "seller_org_id", db_col_text(st, 3), "seller_name",
                          db_col_text(st, 4), "buyer_org_id", db_col_text(st, 5), "buyer_name",
                          db_col_text(st, 6), "status", db_col_text(st, 7), "terms",
                          terms ? terms : json_null(), "last_by", db_col_text(st, 9), "round",
                          (json_int_t)db_col_int(st, 10), "deal_id",
                          db_col_null(st, 11) ? json_null() : json_string(db_col_text(st, 11)),
                          "created_at", db_col_text(st, 12), "updated_at", db_col_text(st, 13),
                          "version", (json_int_t)db_col_int(st, 14));
    db_done(st);
    if (!o) return ms_req_fail(r, MS_ENOMEM, NULL, "out of memory");
    json_object_set_new(o, "your_side", json_string(market_side_name(p->side)));
    json_object_set_new(o, "your_org_id", json_string(p->me.org_id));
    json_object_set_new(o, "may", offer_may(f, p));
    if (conflicts && p->side == MARKET_SELLER && offer_active(f) && terms) {
        json_t *c = NULL;
        if ((rc = rights_conflicts(r, &p->me, json_object_get(terms, "rights"), NULL, &c))) {
            json_decref(o);
            return rc;
        }
        json_object_set_new(o, "conflicts", c ? c : json_array());
    }
    *out = o;
    return 0;
}

static int reply_offer(ms_req *r, int status, const char *id, market_side hint)
{
    offer f;
    party p;
    json_t *o;
    int rc = offer_load(r, id, &f);
    if (rc || (rc = offer_party(r, &f, hint, &p)) || (rc = offer_json(r, &f, &p, true, &o)))
        return rc;
    ms_reply_etag(r, f.version);
    if (status == 201)
        ms_reply_header(r, "Location", ms_arena_printf(r->arena, "/api/v1/offers/%s", id));
    return ms_reply(r, status, o);
}

/* Append an event to the offer's thread. */
static int thread_add(ms_req *r, const offer *f, const party *p, const char *kind, const char *body,
                      const json_t *terms)
{
    char id[MS_ID_LEN], now[MS_TIME_LEN];
    ms_uuid7(id);
    ms_now_str(now);
    char *t = terms ? json_dumps(terms, JSON_COMPACT) : NULL;
    int rc = db_exec(r->db, &r->err,
                     "INSERT INTO rights_offer_event (id, offer_id, kind, side, org_id, actor_id, "
                     "body, terms, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                     "sssssssss", id, f->id, kind, market_side_name(p->side), p->me.org_id,
                     p->me.user_id, body ? body : "", t, now);
    free(t);
    return rc < 0 ? rc : 0;
}

/* The rights event of a step, in both parties' logs. */
static int both_events(ms_req *r, const offer *f, const party *p, const char *action,
                       const char *what)
{
    json_t *data =
        json_pack("{s:s,s:s,s:s,s:s,s:I}", "offer_id", f->id, "listing_id", f->listing_id, "side",
                  market_side_name(p->side), "org_id", p->me.org_id, "round", (json_int_t)f->round);
    int rc = rights_event(r, &p->me, action, "offer", f->id, data, "%s %s", p->me.org_name, what);
    if (!rc)
        rc =
            rights_event(r, &p->other, action, "offer", f->id, data, "%s %s", p->me.org_name, what);
    json_decref(data);
    return rc;
}

/* The checks every move shares: an active offer, whose turn, the level. */
static int move_check(ms_req *r, const offer *f, const party *p, bool own_terms, ms_level need,
                      const char *doing)
{
    if (!offer_active(f))
        return ms_req_fail(r, MS_ECONFLICT, "offer-closed", "The offer is %s: it cannot %s.",
                           f->status, doing);
    bool mine = p->side == last_side(f);
    if (mine != own_terms)
        return ms_req_fail(r, MS_ECONFLICT, "not-your-turn",
                           own_terms ? "Only the side whose terms stand (the %s) may %s."
                                     : "The %s wrote the standing terms: the other side may %s.",
                           f->last_by, doing);
    return rights_require(r, &p->me, need, doing);
}

static const char *message_of(ms_req *r, const char *key, int *rc)
{
    *rc = 0;
    const json_t *v = r->body ? json_object_get(r->body, key) : NULL;
    if (!v || json_is_null(v)) return NULL;
    const char *s = json_string_value(v);
    if (!s || ms_utf8_chars(s) > MESSAGE_MAX || !ms_str_is_clean_text(s, 4 * MESSAGE_MAX, true))
        *rc = ms_field_fail(&r->err, key, "must be text of at most %d characters", MESSAGE_MAX);
    return s;
}

/* Members other than those named, in an optional body. */
static int body_only(ms_req *r, const char *const *names)
{
    if (!r->body) return 0;
    if (!json_is_object(r->body)) return ms_field_fail(&r->err, "body", "must be an object");
    const char *k;
    json_t *v;
    json_object_foreach(r->body, k, v)
    {
        bool ok = false;
        for (int i = 0; names[i] && !ok; i++)
            ok = !strcmp(k, names[i]);
        if (!ok) ms_field_fail(&r->err, k, "is not a known field");
    }
    return r->err.code;
}

static int offer_org_query(ms_req *r)
{
    static const char *const allowed[] = {"org", NULL};
    return ms_req_query_only(r, allowed);
}

/* ---- POST /listings/{id}/offers ---- */

int h_offers_create(ms_req *r)
{
    static const char *const no_query[] = {NULL};
    if (ms_req_query_only(r, no_query)) return r->err.code;
    /* The body's shape before any lookup: unknown members are named whatever else is wrong. */
    static const char *const names[] = {"org_id", "message",           "rights",   "currency",
                                        "fee",    "minimum_guarantee", "payments", NULL};
    if (!json_is_object(r->body)) return ms_field_fail(&r->err, "body", "must be an object");
    if (body_only(r, names)) return r->err.code;
    const char *org = ms_json_str(r->body, "org_id");
    if (!org || !ms_uuid_valid(org))
        return ms_field_fail(&r->err, "org_id",
                             "must be the id of your (the buyer's) organization");
    int rc;
    const char *msg = message_of(r, "message", &rc);
    if (rc) return rc;
    market_view v;
    if ((rc = market_listing_view(r, ms_req_param(r, "id"), org, &v))) return rc;
    if (v.seller) return ms_field_fail(&r->err, "org_id", "is the seller of the listing");
    if ((rc = rights_require(r, &v.viewer, LEVEL_EDIT, "make offers"))) return rc;
    if (strcmp(v.l.status, "open"))
        return ms_req_fail(r, MS_ECONFLICT, "listing-closed",
                           "The listing is closed: it takes no new offers.");
    if (!market_may_offer(&v))
        return ms_req_fail(r, MS_EFORBIDDEN, "not-invited",
                           !strcmp(v.buyer_status, "declined")
                               ? "The seller declined your organization for this listing."
                               : "This listing takes offers from invited buyers only.");
    static const char *const skip[] = {"org_id", "message", NULL};
    json_t *terms;
    if ((rc = market_terms_check(r, v.l.org_id, v.l.id, r->body, skip, &terms))) return rc;
    char id[MS_ID_LEN], now[MS_TIME_LEN];
    ms_uuid7(id);
    ms_now_str(now);
    char *t = json_dumps(terms, JSON_COMPACT);
    rc = db_exec(r->db, &r->err,
                 "INSERT INTO rights_offer (id, listing_id, seller_org_id, buyer_org_id, status, "
                 "terms, last_by, round, event_count, created_by, created_at, updated_at) VALUES "
                 "(?, ?, ?, ?, 'open', ?, 'buyer', 1, 1, ?, ?, ?)",
                 "ssssssss", id, v.l.id, v.l.org_id, org, t, v.viewer.user_id, now, now);
    free(t);
    offer f;
    party p = {.side = MARKET_BUYER, .me = v.viewer};
    if (rc >= 0) rc = offer_load(r, id, &f);
    if (rc >= 0) rc = market_party(r, v.l.org_id, &p.other);
    if (rc >= 0) rc = thread_add(r, &f, &p, "offered", msg, terms);
    json_decref(terms);
    if (rc < 0) return rc;
    if ((rc = both_events(r, &f, &p, "rights.offer_made", "made an offer"))) return rc;
    return reply_offer(r, 201, id, MARKET_BUYER);
}

/* ---- Reading. ---- */

/* GET /offers/{id}?org= */
int h_offer_get(ms_req *r)
{
    int rc = offer_org_query(r);
    return rc ? rc : reply_offer(r, 200, ms_req_param(r, "id"), MARKET_NONE);
}

/* GET /orgs/{id}/offers?role=seller|buyer&status=&listing_id=&limit=&cursor=: the inbox. */
int h_org_offers(ms_req *r)
{
    static const char *const allowed[] = {"role", "status", "listing_id", "limit", "cursor", NULL};
    int limit, rc;
    char cursor[MS_ID_LEN + 1];
    if ((rc = ms_req_query_only(r, allowed)) ||
        (rc = ms_req_page(r, &limit, cursor, sizeof cursor)))
        return rc;
    rights_org o;
    if ((rc = rights_org_get(r, ms_req_param(r, "id"), &o))) return rc;
    const char *role = ms_req_query(r, "role"), *status = ms_req_query(r, "status");
    const char *lid = ms_req_query(r, "listing_id");
    if (role && strcmp(role, "seller") && strcmp(role, "buyer"))
        return ms_field_fail(&r->err, "role", "must be seller or buyer");
    if (status && strcmp(status, "open") && strcmp(status, "countered") &&
        strcmp(status, "accepted") && strcmp(status, "rejected") && strcmp(status, "withdrawn") &&
        strcmp(status, "active"))
        return ms_field_fail(&r->err, "status",
                             "must be open, countered, accepted, rejected, withdrawn or active");
    if (lid && !ms_uuid_valid(lid)) return ms_field_fail(&r->err, "listing_id", "must be an id");
    ms_buf sql;
    ms_buf_init(&sql);
    db_arg args[8];
    int n = 0;
    ms_buf_puts(&sql, "SELECT id FROM rights_offer WHERE id > ?");
    args[n++] = DB_ARG_S(cursor);
    if (!role) {
        ms_buf_puts(&sql, " AND (seller_org_id = ? OR buyer_org_id = ?)");
        args[n++] = DB_ARG_S(o.org_id);
        args[n++] = DB_ARG_S(o.org_id);
    } else {
        ms_buf_puts(&sql,
                    !strcmp(role, "seller") ? " AND seller_org_id = ?" : " AND buyer_org_id = ?");
        args[n++] = DB_ARG_S(o.org_id);
    }
    if (status && !strcmp(status, "active")) {
        ms_buf_puts(&sql, " AND status IN ('open', 'countered')");
    } else if (status) {
        ms_buf_puts(&sql, " AND status = ?");
        args[n++] = DB_ARG_S(status);
    }
    if (lid) {
        ms_buf_puts(&sql, " AND listing_id = ?");
        args[n++] = DB_ARG_S(lid);
    }
    ms_buf_puts(&sql, " ORDER BY id LIMIT ?");
    args[n++] = DB_ARG_I((int64_t)limit + 1);
    db_stmt *st;
    rc = db_query_buf(r->db, &st, &r->err, &sql, args, n);
    if (rc) return rc;
    char(*ids)[MS_ID_LEN] = ms_arena_alloc(r->arena, (size_t)(limit + 1) * MS_ID_LEN);
    int found = 0;
    while (found <= limit && (rc = db_step(st, &r->err)) == DB_ROW)
        ms_strlcpy(ids[found++], db_col_text(st, 0), MS_ID_LEN);
    db_done(st);
    if (rc < 0) return rc;
    json_t *items = json_array();
    for (int i = 0; i < found && i < limit && rc >= 0; i++) {
        offer f;
        party p;
        json_t *j;
        if ((rc = offer_load(r, ids[i], &f))) break;
        /* The inbox is the organization's: its side, with its level. */
        p.side = !strcmp(f.seller, o.org_id) ? MARKET_SELLER : MARKET_BUYER;
        p.me = o;
        if ((rc = market_party(r, p.side == MARKET_SELLER ? f.buyer : f.seller, &p.other)) ||
            (rc = offer_json(r, &f, &p, false, &j)))
            break;
        json_array_append_new(items, j);
    }
    if (rc < 0) {
        json_decref(items);
        return rc;
    }
    return ms_reply_list(r, items, found > limit ? ids[limit - 1] : NULL);
}

/* GET /offers/{id}/events?limit=&cursor=: the thread, oldest first. */
int h_offer_events(ms_req *r)
{
    static const char *const allowed[] = {"org", "limit", "cursor", NULL};
    int limit, rc;
    char cursor[MS_ID_LEN + 1];
    if ((rc = ms_req_query_only(r, allowed)) ||
        (rc = ms_req_page(r, &limit, cursor, sizeof cursor)))
        return rc;
    offer f;
    party p;
    if ((rc = offer_load(r, ms_req_param(r, "id"), &f)) ||
        (rc = offer_party(r, &f, MARKET_NONE, &p)))
        return rc;
    db_stmt *st;
    rc = db_query(r->db, &st, &r->err,
                  "SELECT e.id, e.kind, e.side, e.org_id, o.name AS org_name, e.actor_id, "
                  "COALESCE(u.display_name, '') AS actor_name, e.body, e.terms AS terms_json, "
                  "e.created_at FROM rights_offer_event e JOIN org o ON o.id = e.org_id LEFT "
                  "JOIN user_account u ON u.id = e.actor_id WHERE e.offer_id = ? AND e.id > ? "
                  "ORDER BY e.id LIMIT ?",
                  "ssI", f.id, cursor, (int64_t)limit + 1);
    return rc ? rc : auth_reply_page(r, st, limit, "id", NULL);
}

/* ---- Moves. ---- */

static const ms_jfield message_fields[] = {
    {"body", MS_J_TEXT, true, false, 1, MESSAGE_MAX, NULL},
    {0},
};

/* POST /offers/{id}/messages {body} */
int h_offer_message(ms_req *r)
{
    int rc = offer_org_query(r);
    if (rc) return rc;
    if (ms_json_check(r->body, message_fields, &r->err)) return r->err.code;
    offer f;
    party p;
    if ((rc = offer_load(r, ms_req_param(r, "id"), &f)) ||
        (rc = offer_party(r, &f, MARKET_NONE, &p)))
        return rc;
    if (!offer_active(&f) && strcmp(f.status, "accepted"))
        return ms_req_fail(r, MS_ECONFLICT, "offer-closed",
                           "The offer is %s: its thread is closed.", f.status);
    if (f.event_count >= EVENTS_MAX)
        return ms_req_fail(r, MS_ECONFLICT, "thread-full",
                           "The thread has reached %d events; start a new offer.", EVENTS_MAX);
    if ((rc = rights_require(r, &p.me, LEVEL_EDIT, "write in offer threads"))) return rc;
    char now[MS_TIME_LEN];
    ms_now_str(now);
    /* A message changes no terms, so not the version an acceptance names. */
    rc = db_exec(r->db, &r->err,
                 "UPDATE rights_offer SET event_count = event_count + 1, updated_at = ? WHERE id "
                 "= ?",
                 "ss", now, f.id);
    if (rc < 0 || (rc = thread_add(r, &f, &p, "message", ms_json_str(r->body, "body"), NULL)) ||
        (rc = both_events(r, &f, &p, "rights.offer_message", "wrote in an offer's thread")))
        return rc;
    return reply_offer(r, 201, f.id, p.side);
}

/* POST /offers/{id}/counter {rights, currency, fee, ..., message?} (If-Match optional) */
int h_offer_counter(ms_req *r)
{
    int rc = offer_org_query(r);
    if (rc) return rc;
    static const char *const names[] = {"message",           "rights",   "currency", "fee",
                                        "minimum_guarantee", "payments", NULL};
    if (!json_is_object(r->body)) return ms_field_fail(&r->err, "body", "must be an object");
    if (body_only(r, names)) return r->err.code;
    const char *msg = message_of(r, "message", &rc);
    if (rc) return rc;
    offer f;
    party p;
    if ((rc = offer_load(r, ms_req_param(r, "id"), &f))) return rc;
    market_side turn = other_side(last_side(&f));
    if ((rc = offer_party(r, &f, turn, &p)) ||
        (rc = move_check(r, &f, &p, false, accept_level(p.side), "counter the offer")) ||
        (rc = ms_req_check_version(r, f.version)))
        return rc;
    if (f.event_count >= EVENTS_MAX)
        return ms_req_fail(r, MS_ECONFLICT, "thread-full",
                           "The thread has reached %d events; start a new offer.", EVENTS_MAX);
    static const char *const skip[] = {"message", NULL};
    json_t *terms;
    if ((rc = market_terms_check(r, f.seller, f.listing_id, r->body, skip, &terms))) return rc;
    char now[MS_TIME_LEN];
    ms_now_str(now);
    char *t = json_dumps(terms, JSON_COMPACT);
    rc = db_exec(r->db, &r->err,
                 "UPDATE rights_offer SET status = 'countered', terms = ?, last_by = ?, round = "
                 "round + 1, event_count = event_count + 1, updated_at = ?, version = version + 1 "
                 "WHERE id = ? AND version = ?",
                 "ssssI", t, market_side_name(p.side), now, f.id, f.version);
    free(t);
    if (rc == 0) rc = ms_req_fail(r, MS_ESTALE, NULL, "The offer changed meanwhile.");
    f.round++;
    if (rc >= 0) rc = thread_add(r, &f, &p, "countered", msg, terms);
    json_decref(terms);
    if (rc < 0 || (rc = both_events(r, &f, &p, "rights.offer_countered", "made a counter-offer")))
        return rc;
    return reply_offer(r, 200, f.id, p.side);
}

/* The standing terms as the body of the deal an acceptance makes. */
static int deal_body(ms_req *r, const offer *f, json_t **out)
{
    *out = NULL;
    db_stmt *st;
    int rc = db_query_row(r->db, &st, &r->err,
                          "SELECT f.terms, b.name, l.name FROM rights_offer f JOIN org b ON b.id "
                          "= f.buyer_org_id JOIN rights_listing l ON l.id = f.listing_id WHERE "
                          "f.id = ?",
                          "s", f->id);
    if (rc < 0) return rc;
    if (rc == DB_DONE) return ms_req_fail(r, MS_ENOTFOUND, NULL, "No such offer.");
    json_t *terms = json_loads(db_col_text(st, 0), 0, NULL);
    if (!terms) {
        db_done(st);
        return ms_req_fail(r, MS_EINTERNAL, NULL, "The offer's terms are not readable.");
    }
    json_t *b = json_object();
    json_object_set_new(b, "licensee_org_id", json_string(f->buyer));
    json_object_set_new(b, "licensee_name", json_string(db_col_text(st, 1)));
    json_object_set_new(
        b, "notes",
        json_string(ms_arena_printf(r->arena, "Market offer on \"%s\", accepted in round %lld.",
                                    db_col_text(st, 2), (long long)f->round)));
    db_done(st);
    static const char *const keys[] = {"currency", "fee",      "minimum_guarantee",
                                       "rights",   "payments", NULL};
    for (int i = 0; keys[i]; i++) {
        json_t *v = json_object_get(terms, keys[i]);
        if (v) json_object_set(b, keys[i], v);
    }
    json_decref(terms);
    *out = b;
    return 0;
}

/* A person in both organizations does not accept terms they proposed themselves. */
static int not_own_terms(ms_req *r, const offer *f)
{
    db_stmt *st;
    int rc = db_query_row(r->db, &st, &r->err,
                          "SELECT COALESCE(actor_id, '') FROM rights_offer_event WHERE offer_id = "
                          "? AND kind IN ('offered', 'countered') ORDER BY id DESC LIMIT 1",
                          "s", f->id);
    if (rc < 0) return rc;
    if (rc == DB_DONE) return 0;
    bool own = r->caller && !strcmp(db_col_text(st, 0), r->caller->user_id);
    db_done(st);
    return own ? ms_req_fail(r, MS_ECONFLICT, "not-your-turn",
                             "You proposed the standing terms yourself: someone else accepts them.")
               : 0;
}

/* POST /offers/{id}/accept {message?} (If-Match required) -> {offer, deal} */
int h_offer_accept(ms_req *r)
{
    static const char *const names[] = {"message", NULL};
    int rc = offer_org_query(r);
    if (rc || (rc = body_only(r, names))) return rc;
    const char *msg = message_of(r, "message", &rc);
    if (rc) return rc;
    offer f;
    party p;
    if ((rc = offer_load(r, ms_req_param(r, "id"), &f))) return rc;
    market_side turn = other_side(last_side(&f));
    if ((rc = offer_party(r, &f, turn, &p)) ||
        (rc = move_check(r, &f, &p, false, accept_level(p.side), "accept the offer")) ||
        (rc = not_own_terms(r, &f)))
        return rc;
    if (!r->if_match)
        return ms_req_fail(r, MS_EBADREQ, "if-match-required",
                           "Accepting needs If-Match with the offer's version you read: terms "
                           "are never accepted blind.");
    if ((rc = ms_req_check_version(r, f.version))) return rc;
    /* The seller's side of the deal. The buyer accepting the seller's standing terms signs
     * for both: those terms were the seller's own. */
    rights_org seller = p.side == MARKET_SELLER ? p.me : p.other;
    if (p.side == MARKET_BUYER) seller.level = LEVEL_MANAGE;
    json_t *body;
    if ((rc = deal_body(r, &f, &body))) return rc;
    char deal_id[MS_ID_LEN] = "";
    rc = rights_deal_create(r, &seller, body, "signed", f.id, deal_id);
    json_decref(body);
    if (rc) return rc;
    char now[MS_TIME_LEN];
    ms_now_str(now);
    rc = db_exec(r->db, &r->err,
                 "UPDATE rights_offer SET status = 'accepted', deal_id = ?, event_count = "
                 "event_count + 1, updated_at = ?, version = version + 1 WHERE id = ? AND "
                 "version = ?",
                 "sssI", deal_id, now, f.id, f.version);
    if (rc == 0) rc = ms_req_fail(r, MS_ESTALE, NULL, "The offer changed meanwhile.");
    if (rc < 0 || (rc = thread_add(r, &f, &p, "accepted", msg, NULL)) ||
        (rc = both_events(r, &f, &p, "rights.offer_accepted", "accepted an offer: deal signed")))
        return rc;
    char oid[MS_ID_LEN];
    ms_strlcpy(oid, f.id, sizeof oid);
    if ((rc = offer_load(r, oid, &f))) return rc;
    json_t *o, *deal = rights_deal_json(r, deal_id);
    if (!deal) return ms_req_fail(r, MS_EINTERNAL, NULL, "The new deal is not readable.");
    if ((rc = offer_json(r, &f, &p, false, &o))) {
        json_decref(deal);
        return rc;
    }
    ms_reply_etag(r, f.version);
    return ms_reply(r, 200, json_pack("{s:o,s:o}", "offer", o, "deal", deal));
}

/* A final move that ends the negotiation: reject (the side whose turn it is) or withdraw
 * (the side whose terms stand). */
static int end_move(ms_req *r, bool withdraw)
{
    static const char *const names[] = {"reason", NULL};
    int rc = offer_org_query(r);
    if (rc || (rc = body_only(r, names))) return rc;
    const char *reason = message_of(r, "reason", &rc);
    if (rc) return rc;
    offer f;
    party p;
    if ((rc = offer_load(r, ms_req_param(r, "id"), &f))) return rc;
    market_side who = withdraw ? last_side(&f) : other_side(last_side(&f));
    if ((rc = offer_party(r, &f, who, &p)) ||
        (rc = move_check(r, &f, &p, withdraw, LEVEL_EDIT,
                         withdraw ? "withdraw the offer" : "reject the offer")) ||
        (rc = ms_req_check_version(r, f.version)))
        return rc;
    const char *status = withdraw ? "withdrawn" : "rejected";
    char now[MS_TIME_LEN];
    ms_now_str(now);
    rc = db_exec(r->db, &r->err,
                 "UPDATE rights_offer SET status = ?, event_count = event_count + 1, updated_at = "
                 "?, version = version + 1 WHERE id = ? AND version = ?",
                 "sssI", status, now, f.id, f.version);
    if (rc == 0) rc = ms_req_fail(r, MS_ESTALE, NULL, "The offer changed meanwhile.");
    if (rc < 0 || (rc = thread_add(r, &f, &p, status, reason, NULL)) ||
        (rc = both_events(r, &f, &p, withdraw ? "rights.offer_withdrawn" : "rights.offer_rejected",
                          withdraw ? "withdrew an offer" : "rejected an offer")))
        return rc;
    return reply_offer(r, 200, f.id, p.side);
}

/* POST /offers/{id}/reject {reason?} */
int h_offer_reject(ms_req *r)
{
    return end_move(r, false);
}

/* POST /offers/{id}/withdraw {reason?} */
int h_offer_withdraw(ms_req *r)
{
    return end_move(r, true);
}
