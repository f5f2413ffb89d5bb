/* market.c: what the market's listings and offers share - who the caller is on either side of
 * a trade, which listing an organization may see (and whether its screeners), and the checks
 * of the rights on offer and of an offer's terms (the rules of deals: rights/dims.h for the
 * dimensions, the seller's media registry, ISO 4217 money). The handlers are in
 * market_listings.c and market_offers.c; docs/rights-market.md says the rules for users.
 *
 * It deliberately does not decide conflicts: an offer may ask for a window that is not free
 * (the seller sees the conflicts as a warning); acceptance creates the deal through
 * rights_deal_create, which refuses a conflicting one. */
#include "rights/rights_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TERMS_RIGHTS_MAX   200
#define TERMS_PAYMENTS_MAX 100

const char *market_side_name(market_side s)
{
    return s == MARKET_SELLER ? "seller" : s == MARKET_BUYER ? "buyer" : "none";
}

/* ---- The parties. ---- */

int market_member(ms_req *r, const char *org_id, rights_org *out)
{
    memset(out, 0, sizeof *out);
    if (!r->caller || !org_id || !ms_uuid_valid(org_id)) return 1;
    int rc = rights_org_get(r, org_id, out);
    if (rc == MS_ENOTFOUND) {
        ms_error_clear(&r->err);
        return 1;
    }
    return rc;
}

int market_party(ms_req *r, const char *org_id, rights_org *out)
{
    memset(out, 0, sizeof *out);
    ms_strlcpy(out->org_id, org_id, sizeof out->org_id);
    if (r->caller) ms_strlcpy(out->user_id, r->caller->user_id, sizeof out->user_id);
    out->level = LEVEL_NONE;
    return rights_org_name(r, org_id, out->org_name, sizeof out->org_name);
}

/* ---- Listings as an organization sees them. ----
 * The seller sees its listings whole. Another organization sees a listing when it made an
 * offer on it (it stays readable for the thread's sake), or when the listing is on the market
 * or it was invited or approved, and the listing is open or it was invited or approved.
 * Invited and approved buyers see the screeners; a declined one makes no offers. */

static bool buyer_access(const char *status)
{
    return !strcmp(status, "invited") || !strcmp(status, "approved");
}

static bool view_visible(const market_view *v)
{
    if (v->seller || v->has_offer) return true;
    bool open = !strcmp(v->l.status, "open");
    return (!strcmp(v->l.visibility, "market") || v->access) && (open || v->access);
}

bool market_may_offer(const market_view *v)
{
    if (v->seller || strcmp(v->l.status, "open")) return false;
    if (!strcmp(v->buyer_status, "declined")) return false;
    return !strcmp(v->l.visibility, "market") || v->access;
}

/* The buyer-side facts of organization `org_id` for listing `lid`. */
static int view_buyer(ms_req *r, market_view *v, const char *org_id)
{
    v->seller = false;
    v->buyer_status[0] = 0;
    db_stmt *st;
    int rc = db_query_row(r->db, &st, &r->err,
                          "SELECT status FROM rights_listing_buyer WHERE listing_id = ? AND "
                          "org_id = ?",
                          "ss", v->l.id, org_id);
    if (rc < 0) return rc;
    if (rc == DB_ROW) {
        ms_strlcpy(v->buyer_status, db_col_text(st, 0), sizeof v->buyer_status);
        db_done(st);
    }
    rc = db_query_row(r->db, &st, &r->err,
                      "SELECT 1 FROM rights_offer WHERE listing_id = ? AND buyer_org_id = ? "
                      "LIMIT 1",
                      "ss", v->l.id, org_id);
    if (rc < 0) return rc;
    v->has_offer = rc == DB_ROW;
    if (rc == DB_ROW) db_done(st);
    v->access = buyer_access(v->buyer_status);
    return 0;
}

int market_listing_view(ms_req *r, const char *id, const char *org, market_view *v)
{
    memset(v, 0, sizeof *v);
    if (!id || !ms_uuid_valid(id)) return ms_req_fail(r, MS_ENOTFOUND, NULL, "No such listing.");
    db_stmt *st;
    int rc = db_query_row(r->db, &st, &r->err,
                          "SELECT id, org_id, visibility, status, version FROM rights_listing "
                          "WHERE id = ? AND deleted_at IS NULL",
                          "s", id);
    if (rc < 0) return rc;
    if (rc == DB_DONE) return ms_req_fail(r, MS_ENOTFOUND, NULL, "No such listing.");
    ms_strlcpy(v->l.id, db_col_text(st, 0), sizeof v->l.id);
    ms_strlcpy(v->l.org_id, db_col_text(st, 1), sizeof v->l.org_id);
    ms_strlcpy(v->l.visibility, db_col_text(st, 2), sizeof v->l.visibility);
    ms_strlcpy(v->l.status, db_col_text(st, 3), sizeof v->l.status);
    v->l.version = db_col_int(st, 4);
    db_done(st);

    if (org) {
        rc = market_member(r, org, &v->viewer);
        if (rc < 0) return rc;
        if (rc == 1) return ms_req_fail(r, MS_ENOTFOUND, NULL, "No such listing.");
        if (!strcmp(org, v->l.org_id)) {
            v->seller = v->access = true;
            return 0;
        }
        if ((rc = view_buyer(r, v, org))) return rc;
        return view_visible(v) ? 0 : ms_req_fail(r, MS_ENOTFOUND, NULL, "No such listing.");
    }
    /* No organization named: the seller's view for its members, else the caller's
     * organization that sees most (invited or approved first). */
    rc = market_member(r, v->l.org_id, &v->viewer);
    if (rc < 0) return rc;
    if (rc == 0) {
        v->seller = v->access = true;
        return 0;
    }
    if (!r->caller) return ms_req_fail(r, MS_ENOTFOUND, NULL, "No such listing.");
    rc = db_query(r->db, &st, &r->err,
                  "SELECT m.org_id FROM membership m LEFT JOIN rights_listing_buyer b ON "
                  "b.listing_id = ? AND b.org_id = m.org_id WHERE m.user_id = ? ORDER BY CASE "
                  "COALESCE(b.status, '') WHEN 'approved' THEN 0 WHEN 'invited' THEN 1 WHEN "
                  "'requested' THEN 2 WHEN '' THEN 3 ELSE 4 END, m.org_id LIMIT 50",
                  "ss", v->l.id, r->caller->user_id);
    if (rc) return rc;
    char orgs[50][MS_ID_LEN];
    int n = 0;
    while ((rc = db_step(st, &r->err)) == DB_ROW && n < 50)
        ms_strlcpy(orgs[n++], db_col_text(st, 0), MS_ID_LEN);
    db_done(st);
    if (rc < 0) return rc;
    for (int i = 0; i < n; i++) {
        if ((rc = view_buyer(r, v, orgs[i]))) return rc;
        if (view_visible(v)) {
            rc = market_member(r, orgs[i], &v->viewer);
            return rc < 0 ? rc : 0;
        }
    }
    return ms_req_fail(r, MS_ENOTFOUND, NULL, "No such listing.");
}

/* ---- Checks of rights and terms. ---- */

/* A dimension checker's error as a field error. */
static void field_from(ms_req *r, const char *field, ms_error *e)
{
    ms_field_fail(&r->err, field, "%s",
                  e->nfields     ? e->fields[0].message
                  : e->detail[0] ? e->detail
                                 : "is not valid");
}

static bool key_in(const char *k, const char *const *names)
{
    for (int i = 0; names && names[i]; i++)
        if (!strcmp(k, names[i])) return true;
    return false;
}

/* Members of `o` outside `known` (and `skip`) are field errors. */
static void unknown_members(ms_req *r, const json_t *o, const char *prefix,
                            const char *const *known, const char *const *skip)
{
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)o, k, v)
    {
        if (key_in(k, known) || key_in(k, skip)) continue;
        char f[64];
        snprintf(f, sizeof f, "%s%.40s", prefix, k);
        ms_field_fail(&r->err, f, "is not a known field");
    }
}

/* The dimensions of a listing's rights on offer, into `out`. */
static void dims_check(ms_req *r, const dims_media_reg *reg, const json_t *in, const char *prefix,
                       json_t *out)
{
    char f[128];
    ms_error e;
    ms_error_clear(&e);
    av_terrs terrs;
    json_t *canon = NULL;
    snprintf(f, sizeof f, "%sterritories", prefix);
    const json_t *t = json_object_get(in, "territories");
    if (!t)
        ms_field_fail(&r->err, f, "is required");
    else if (dims_terr_parse(t, &terrs, &canon, &e))
        field_from(r, f, &e);
    else
        json_object_set_new(out, "territories", canon);

    ms_error_clear(&e);
    canon = NULL;
    av_media media;
    snprintf(f, sizeof f, "%smedia", prefix);
    const json_t *m = json_object_get(in, "media");
    if (!m)
        ms_field_fail(&r->err, f, "is required");
    else if (dims_media_parse(m, reg, &media, &canon, &e))
        field_from(r, f, &e);
    else
        json_object_set_new(out, "media", canon);

    ms_error_clear(&e);
    canon = NULL;
    snprintf(f, sizeof f, "%slanguages", prefix);
    const json_t *l = json_object_get(in, "languages");
    av_lang *langs = NULL;
    int nl = 0;
    if (!l || json_is_null(l))
        json_object_set_new(out, "languages", json_array());
    else if (dims_langs_parse(l, false, r->arena, &langs, &nl, &canon, &e))
        field_from(r, f, &e);
    else
        json_object_set_new(out, "languages", canon);

    ms_error_clear(&e);
    const json_t *sv = json_object_get(in, "start"), *ev = json_object_get(in, "end");
    const char *start = json_string_value(sv), *end = json_string_value(ev);
    snprintf(f, sizeof f, "%sstart", prefix);
    if (!start) {
        ms_field_fail(&r->err, f, "is required (YYYY-MM-DD)");
    } else if (ev && !json_is_null(ev) && !end) {
        snprintf(f, sizeof f, "%send", prefix);
        ms_field_fail(&r->err, f, "must be YYYY-MM-DD, \"open\" or null");
    } else {
        av_day s, d;
        if (dims_term_parse(start, end, &s, &d, &e)) {
            /* The detail names the bad part; end is the usual culprit when start parses. */
            av_day tmp;
            if (dims_date_parse(start, &tmp)) snprintf(f, sizeof f, "%send", prefix);
            field_from(r, f, &e);
        } else {
            char buf[11];
            dims_date_fmt(s, buf);
            json_object_set_new(out, "start", json_string(buf));
            if (d == AV_OPEN_END) {
                json_object_set_new(out, "end", json_null());
            } else {
                dims_date_fmt(d - 1, buf); /* [start, end): the last day is the day before */
                json_object_set_new(out, "end", json_string(buf));
            }
        }
    }

    snprintf(f, sizeof f, "%sexclusivity", prefix);
    const char *x = json_string_value(json_object_get(in, "exclusivity"));
    int excl = x ? dims_excl_parse(x) : -1;
    if (excl < 0)
        ms_field_fail(&r->err, f, "must be exclusive, sole or non_exclusive");
    else
        json_object_set_new(out, "exclusivity", json_string(dims_excl_name(excl)));
}

int market_rights_check(ms_req *r, const char *seller_org_id, const json_t *in, const char *field,
                        json_t **canon)
{
    *canon = NULL;
    if (!json_is_object(in))
        return ms_field_fail(&r->err, field,
                             "must be an object {territories, media, languages?, start, end?, "
                             "exclusivity}");
    dims_media_reg reg;
    int rc = rights_media_reg(r, seller_org_id, &reg);
    if (rc) return rc;
    static const char *const known[] = {"territories", "media",       "languages", "start",
                                        "end",         "exclusivity", NULL};
    char prefix[64];
    snprintf(prefix, sizeof prefix, "%s.", field);
    unknown_members(r, in, prefix, known, NULL);
    json_t *out = json_object();
    dims_check(r, &reg, in, prefix, out);
    if (r->err.code) {
        json_decref(out);
        return r->err.code;
    }
    *canon = out;
    return 0;
}

/* An amount member (integer or decimal string) as minor units and its canonical string. */
static int amount_member(ms_req *r, const json_t *in, const char *key, const char *currency,
                         const char *field, bool required, int64_t *minor, json_t *out)
{
    const json_t *v = json_object_get(in, key);
    *minor = 0;
    if (!v || json_is_null(v)) {
        if (required) return ms_field_fail(&r->err, field, "is required");
        v = NULL;
    }
    if (v) {
        if (!currency) return 0; /* the currency's own error is reported */
        ms_error e;
        ms_error_clear(&e);
        if (ms_money_parse(v, currency, minor, field, &e)) {
            if (e.nfields)
                ms_field_fail(&r->err, field, "%s", e.fields[0].message);
            else
                field_from(r, field, &e);
            return MS_EINVAL;
        }
        if (*minor < 0) return ms_field_fail(&r->err, field, "must not be negative");
    }
    if (out && currency) {
        char buf[40];
        ms_money_fmt(*minor, currency, buf, sizeof buf);
        json_object_set_new(out, key, json_string(buf));
    }
    return 0;
}

int market_terms_check(ms_req *r, const char *seller_org_id, const char *listing_id,
                       const json_t *in, const char *const *skip, json_t **canon)
{
    *canon = NULL;
    if (!json_is_object(in)) return ms_field_fail(&r->err, "terms", "must be an object");
    static const char *const known[] = {"rights",   "currency", "fee", "minimum_guarantee",
                                        "payments", NULL};
    unknown_members(r, in, "", known, skip);
    dims_media_reg reg;
    int rc = rights_media_reg(r, seller_org_id, &reg);
    if (rc) return rc;
    json_t *out = json_object();

    const char *currency = json_string_value(json_object_get(in, "currency"));
    if (!currency || !ms_currency_valid(currency)) {
        ms_field_fail(&r->err, "currency", "must be an ISO 4217 code such as USD or EUR");
        currency = NULL;
    } else {
        json_object_set_new(out, "currency", json_string(currency));
    }
    int64_t fee = 0, mg = 0;
    amount_member(r, in, "fee", currency, "fee", true, &fee, out);
    amount_member(r, in, "minimum_guarantee", currency, "minimum_guarantee", false, &mg, out);

    const json_t *rows = json_object_get(in, "rights");
    json_t *rights = json_array();
    json_object_set_new(out, "rights", rights);
    if (!json_is_array(rows) || json_array_size(rows) == 0 ||
        json_array_size(rows) > TERMS_RIGHTS_MAX) {
        ms_field_fail(&r->err, "rights", "must be 1 to %d rights rows", TERMS_RIGHTS_MAX);
    } else {
        int64_t allocated = 0;
        size_t i;
        json_t *row;
        json_array_foreach(rows, i, row)
        {
            /* One parser for every right (rows.c): what an offer may say, a deal may too. */
            char prefix[48], f[64];
            snprintf(prefix, sizeof prefix, "rights/%zu", i);
            rights_row rr;
            rights_row_parse(r, row, &reg, RIGHTS_ROW_DEAL, currency, prefix, &rr);
            if (json_object_get(row, "id"))
                ms_field_fail(&r->err, ms_arena_printf(r->arena, "%s/id", prefix),
                              "is not a known field");
            json_t *o = json_object();
            json_array_append_new(rights, o);
            snprintf(f, sizeof f, "%s/title_id", prefix);
            if (rr.title_id) {
                db_stmt *st;
                rc = db_query_row(r->db, &st, &r->err,
                                  "SELECT 1 FROM rights_listing_title lt JOIN rights_title t ON "
                                  "t.id = lt.title_id AND t.deleted_at IS NULL WHERE "
                                  "lt.listing_id = ? AND lt.title_id = ?",
                                  "ss", listing_id, rr.title_id);
                if (rc < 0) {
                    json_decref(out);
                    return rc;
                }
                if (rc == DB_ROW) {
                    db_done(st);
                    json_object_set_new(o, "title_id", json_string(rr.title_id));
                } else {
                    ms_field_fail(&r->err, f, "is not a title of the listing");
                }
            }
            if (rr.territories)
                json_object_set_new(o, "territories", json_loads(rr.territories, 0, NULL));
            if (rr.media) json_object_set_new(o, "media", json_loads(rr.media, 0, NULL));
            if (rr.languages)
                json_object_set_new(o, "languages", json_loads(rr.languages, 0, NULL));
            if (rr.start[0]) {
                json_object_set_new(o, "start", json_string(rr.start));
                json_object_set_new(o, "end", rr.end[0] ? json_string(rr.end) : json_null());
            }
            if (rr.excl >= 0)
                json_object_set_new(o, "exclusivity", json_string(dims_excl_name(rr.excl)));
            if (rr.runs >= 0) json_object_set_new(o, "runs", json_integer(rr.runs));
            if (rr.allocation >= 0 && currency) {
                char buf[40];
                ms_money_fmt(rr.allocation, currency, buf, sizeof buf);
                json_object_set_new(o, "allocation", json_string(buf));
                allocated += rr.allocation;
            }
        }
        if (currency && allocated > fee)
            ms_field_fail(&r->err, "rights", "the allocations add up to more than the fee");
        if (currency && mg > fee)
            ms_field_fail(&r->err, "minimum_guarantee", "cannot be more than the fee");
    }

    const json_t *pays = json_object_get(in, "payments");
    json_t *payments = json_array();
    json_object_set_new(out, "payments", payments);
    if (pays && !json_is_null(pays)) {
        if (!json_is_array(pays) || json_array_size(pays) > TERMS_PAYMENTS_MAX) {
            ms_field_fail(&r->err, "payments", "must be at most %d payments", TERMS_PAYMENTS_MAX);
        } else {
            static const char *const pay_known[] = {"due_date", "amount", "note", NULL};
            int64_t scheduled = 0;
            size_t i;
            json_t *p;
            json_array_foreach(pays, i, p)
            {
                char prefix[48], f[64];
                snprintf(prefix, sizeof prefix, "payments/%zu/", i);
                if (!json_is_object(p)) {
                    snprintf(f, sizeof f, "payments/%zu", i);
                    ms_field_fail(&r->err, f, "must be an object {due_date, amount, note?}");
                    continue;
                }
                unknown_members(r, p, prefix, pay_known, NULL);
                json_t *o = json_object();
                json_array_append_new(payments, o);
                snprintf(f, sizeof f, "%sdue_date", prefix);
                const char *due = json_string_value(json_object_get(p, "due_date"));
                av_day d;
                if (!due || strlen(due) != 10 || !dims_date_parse(due, &d))
                    ms_field_fail(&r->err, f, "must be a date YYYY-MM-DD");
                else
                    json_object_set_new(o, "due_date", json_string(due));
                int64_t a;
                snprintf(f, sizeof f, "%samount", prefix);
                if (!amount_member(r, p, "amount", currency, f, true, &a, o)) scheduled += a;
                snprintf(f, sizeof f, "%snote", prefix);
                const json_t *nv = json_object_get(p, "note");
                const char *note = json_string_value(nv);
                if (nv && !json_is_null(nv) &&
                    (!note || ms_utf8_chars(note) > 500 ||
                     !ms_str_is_clean_text(note, 2000, false)))
                    ms_field_fail(&r->err, f, "must be text of at most 500 characters");
                else
                    json_object_set_new(o, "note", json_string(note ? note : ""));
            }
            if (currency && scheduled > fee)
                ms_field_fail(&r->err, "payments", "add up to more than the fee");
        }
    }
    if (r->err.code) {
        json_decref(out);
        return r->err.code;
    }
    *canon = out;
    return 0;
}
