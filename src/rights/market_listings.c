/* market_listings.c: a seller's listings on the market - titles, the rights on offer, asking
 * terms, visibility (the whole market or invited buyers only), screeners - the market as a
 * buyer organization browses it, and who a listing is open to (invitations, access requests,
 * approvals, refusals).
 *
 * Screeners are "view" shares of the asset library (assets.h), one per asset, made by the
 * member who adds them (they must be able to edit the asset's project); the share's token is
 * kept sealed with the server key (core/seal.h), as review links keep theirs, and shown only
 * to the seller and to invited or approved buyers. Taking a screener off a listing revokes its
 * share. This file does not make offers (market_offers.c). */
#include "assets/assets.h"
#include "core/seal.h"
#include "rights/rights_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TITLES_MAX    500
#define SCREENERS_MAX 20
#define SEAL_PURPOSE  "market-screener"

static const char *const visibilities[] = {"market", "invited", NULL};
static const char *const listing_statuses[] = {"open", "closed", NULL};
static const char *const buyer_statuses[] = {"invited", "approved", "declined", NULL};

/* ---- The listing as JSON. ---- */

static json_t *parse_text(const char *s)
{
    json_t *j = s ? json_loads(s, 0, NULL) : NULL;
    return j ? j : json_null();
}

static int listing_titles(ms_req *r, const char *id, json_t *out)
{
    db_stmt *st;
    int rc = db_query(r->db, &st, &r->err,
                      "SELECT t.id, t.title, t.kind, t.year FROM rights_listing_title lt JOIN "
                      "rights_title t ON t.id = lt.title_id WHERE lt.listing_id = ? AND "
                      "t.deleted_at IS NULL ORDER BY lt.position",
                      "s", id);
    if (rc) return rc;
    json_t *titles = json_array(), *ids = json_array();
    while ((rc = db_step(st, &r->err)) == DB_ROW) {
        json_t *t = json_pack("{s:s,s:s,s:s}", "id", db_col_text(st, 0), "title",
                              db_col_text(st, 1), "kind", db_col_text(st, 2));
        json_object_set_new(t, "year",
                            db_col_null(st, 3) ? json_null() : json_integer(db_col_int(st, 3)));
        json_array_append_new(titles, t);
        json_array_append_new(ids, json_string(db_col_text(st, 0)));
    }
    db_done(st);
    json_object_set_new(out, "titles", titles);
    json_object_set_new(out, "title_ids", ids);
    return rc < 0 ? rc : 0;
}

static int listing_screeners(ms_req *r, const market_view *v, json_t *out)
{
    db_stmt *st;
    int rc = db_query(r->db, &st, &r->err,
                      "SELECT asset_id, asset_name, share_id, token_sealed FROM "
                      "rights_listing_screener WHERE listing_id = ? ORDER BY position",
                      "s", v->l.id);
    if (rc) return rc;
    json_t *list = json_array();
    int n = 0;
    while ((rc = db_step(st, &r->err)) == DB_ROW) {
        n++;
        if (!v->access) continue;
        char *token = NULL;
        if ((rc = ms_unseal(r->env->secret, SEAL_PURPOSE, db_col_text(st, 3), &token, NULL,
                            &r->err)))
            break;
        json_t *s = json_pack("{s:s,s:s,s:s,s:s,s:s}", "asset_id", db_col_text(st, 0), "name",
                              db_col_text(st, 1), "url",
                              ms_arena_printf(r->arena, "/api/v1/shares/%s", token), "thumbnail",
                              ms_arena_printf(r->arena, "/api/v1/shares/%s/thumbnail", token),
                              "proxy", ms_arena_printf(r->arena, "/api/v1/shares/%s/proxy", token));
        free(token);
        if (v->seller) json_object_set_new(s, "share_id", json_string(db_col_text(st, 2)));
        json_array_append_new(list, s);
    }
    db_done(st);
    json_object_set_new(out, "screeners", list);
    json_object_set_new(out, "screener_count", json_integer(n));
    return rc < 0 ? rc : 0;
}

/* The listing as the view's organization sees it (screeners only with access). */
static int listing_json(ms_req *r, const market_view *v, json_t **out)
{
    *out = NULL;
    db_stmt *st;
    int rc = db_query_row(r->db, &st, &r->err,
                          "SELECT l.id, l.org_id, o.name, l.name, l.description, l.territories, "
                          "l.media, l.languages, l.start_date, l.end_date, l.exclusivity, "
                          "l.asking_currency, l.asking_amount, l.asking_terms, l.visibility, "
                          "l.status, l.created_at, l.updated_at, l.version FROM rights_listing l "
                          "JOIN org o ON o.id = l.org_id WHERE l.id = ?",
                          "s", v->l.id);
    if (rc < 0) return rc;
    if (rc == DB_DONE) return ms_req_fail(r, MS_ENOTFOUND, NULL, "No such listing.");
    json_t *o = json_pack("{s:s,s:s,s:s,s:s,s:s}", "id", db_col_text(st, 0), "org_id",
                          db_col_text(st, 1), "org_name", db_col_text(st, 2), "name",
                          db_col_text(st, 3), "description", db_col_text(st, 4));
    json_t *rights =
        json_pack("{s:o,s:o,s:o,s:s,s:o,s:s}", "territories", parse_text(db_col_text(st, 5)),
                  "media", parse_text(db_col_text(st, 6)), "languages",
                  parse_text(db_col_text(st, 7)), "start", db_col_text(st, 8), "end",
                  db_col_null(st, 9) ? json_null() : json_string(db_col_text(st, 9)), "exclusivity",
                  db_col_text(st, 10));
    json_object_set_new(o, "rights", rights);
    const char *cur = db_col_text(st, 11);
    json_t *asking = json_pack("{s:s,s:s}", "currency", cur, "terms", db_col_text(st, 13));
    if (db_col_null(st, 12)) {
        json_object_set_new(asking, "amount", json_null());
    } else {
        char buf[40];
        ms_money_fmt(db_col_int(st, 12), cur, buf, sizeof buf);
        json_object_set_new(asking, "amount", json_string(buf));
    }
    json_object_set_new(o, "asking", asking);
    json_object_set_new(o, "visibility", json_string(db_col_text(st, 14)));
    json_object_set_new(o, "status", json_string(db_col_text(st, 15)));
    json_object_set_new(o, "created_at", json_string(db_col_text(st, 16)));
    json_object_set_new(o, "updated_at", json_string(db_col_text(st, 17)));
    json_object_set_new(o, "version", json_integer(db_col_int(st, 18)));
    db_done(st);
    json_object_set_new(o, "viewer_org_id", json_string(v->viewer.org_id));
    json_object_set_new(o, "your_side", json_string(v->seller ? "seller" : "buyer"));
    json_object_set_new(o, "own", json_boolean(v->seller));
    json_object_set_new(o, "buyer_status",
                        v->buyer_status[0] ? json_string(v->buyer_status) : json_null());
    json_object_set_new(o, "may_offer", json_boolean(market_may_offer(v)));
    if ((rc = listing_titles(r, v->l.id, o)) || (rc = listing_screeners(r, v, o))) {
        json_decref(o);
        return rc;
    }
    *out = o;
    return 0;
}

static int reply_listing(ms_req *r, int status, const market_view *v)
{
    json_t *o;
    int rc = listing_json(r, v, &o);
    if (rc) return rc;
    ms_reply_etag(r, json_integer_value(json_object_get(o, "version")));
    if (status == 201)
        ms_reply_header(r, "Location", ms_arena_printf(r->arena, "/api/v1/listings/%s", v->l.id));
    return ms_reply(r, status, o);
}

/* ---- Checks of a listing's parts. ---- */

/* Title ids: distinct titles of the seller's catalogue. */
static int titles_check(ms_req *r, const char *org_id, const json_t *ids)
{
    if (!json_is_array(ids) || json_array_size(ids) == 0 || json_array_size(ids) > TITLES_MAX)
        return ms_field_fail(&r->err, "title_ids", "must list 1 to %d titles", TITLES_MAX);
    size_t i, j;
    json_t *v;
    json_array_foreach(ids, i, v)
    {
        const char *id = json_string_value(v);
        if (!id || !ms_uuid_valid(id))
            return ms_field_fail(&r->err, "title_ids", "must hold title ids");
        for (j = 0; j < i; j++)
            if (!strcmp(id, json_string_value(json_array_get(ids, j))))
                return ms_field_fail(&r->err, "title_ids", "lists %s twice", id);
        db_stmt *st;
        int rc = db_query_row(r->db, &st, &r->err,
                              "SELECT 1 FROM rights_title WHERE id = ? AND org_id = ? AND "
                              "deleted_at IS NULL",
                              "ss", id, org_id);
        if (rc < 0) return rc;
        if (rc == DB_DONE)
            return ms_field_fail(&r->err, "title_ids", "%s is not a title of your catalogue", id);
        db_done(st);
    }
    return 0;
}

/* Asking terms {currency, amount?, terms?} into columns. */
typedef struct asking {
    char currency[8];
    bool has_amount;
    int64_t amount;
    const char *terms;
} asking;

static int asking_check(ms_req *r, const json_t *in, asking *a)
{
    memset(a, 0, sizeof *a);
    a->terms = "";
    if (!json_is_object(in))
        return ms_field_fail(&r->err, "asking", "must be an object {currency, amount?, terms?}");
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)in, k, v)
    {
        if (strcmp(k, "currency") && strcmp(k, "amount") && strcmp(k, "terms"))
            ms_field_fail(&r->err, "asking", "has an unknown member %.40s", k);
    }
    const char *cur = json_string_value(json_object_get(in, "currency"));
    if (!cur || !ms_currency_valid(cur))
        return ms_field_fail(&r->err, "asking.currency", "must be an ISO 4217 code such as USD");
    ms_strlcpy(a->currency, cur, sizeof a->currency);
    const json_t *amt = json_object_get(in, "amount");
    if (amt && !json_is_null(amt)) {
        ms_error e;
        ms_error_clear(&e);
        if (ms_money_parse(amt, cur, &a->amount, "asking.amount", &e) || a->amount < 0)
            return ms_field_fail(&r->err, "asking.amount",
                                 "must be a non-negative amount in %s (\"125000.00\")", cur);
        a->has_amount = true;
    }
    const json_t *t = json_object_get(in, "terms");
    if (t && !json_is_null(t)) {
        const char *s = json_string_value(t);
        if (!s || ms_utf8_chars(s) > 5000 || !ms_str_is_clean_text(s, 20000, true))
            return ms_field_fail(&r->err, "asking.terms",
                                 "must be text of at most 5000 characters");
        a->terms = s;
    }
    return r->err.code;
}

/* A screener to add: the asset, its version, its name. */
typedef struct screener {
    const char *asset_id;
    int number;
    char name[300];
} screener;

/* Screener asset ids: distinct live assets with a version, in projects the caller may edit. */
static int screeners_check(ms_req *r, const json_t *ids, screener **out, int *n)
{
    *out = NULL;
    *n = 0;
    if (!ids || json_is_null(ids)) return 0;
    if (!json_is_array(ids) || json_array_size(ids) > SCREENERS_MAX)
        return ms_field_fail(&r->err, "screener_asset_ids", "must list at most %d assets",
                             SCREENERS_MAX);
    screener *s = ms_arena_alloc(r->arena, (json_array_size(ids) + 1) * sizeof *s);
    if (!s) return ms_req_fail(r, MS_ENOMEM, NULL, "out of memory");
    size_t i, j;
    json_t *v;
    json_array_foreach(ids, i, v)
    {
        const char *id = json_string_value(v);
        if (!id || !ms_uuid_valid(id))
            return ms_field_fail(&r->err, "screener_asset_ids", "must hold asset ids");
        for (j = 0; j < i; j++)
            if (!strcmp(id, json_string_value(json_array_get(ids, j))))
                return ms_field_fail(&r->err, "screener_asset_ids", "lists %s twice", id);
        db_stmt *st;
        int rc = db_query_row(r->db, &st, &r->err,
                              "SELECT project_id, current_number, name FROM asset WHERE id = ? "
                              "AND deleted_at IS NULL",
                              "s", id);
        if (rc < 0) return rc;
        char pid[MS_ID_LEN] = "";
        if (rc == DB_ROW) {
            ms_strlcpy(pid, db_col_text(st, 0), sizeof pid);
            s[i].number = (int)db_col_int(st, 1);
            ms_strlcpy(s[i].name, db_col_text(st, 2), sizeof s[i].name);
            db_done(st);
        }
        ms_access a;
        rc = pid[0] ? authz_project(r->db, r->caller, pid, &a, &r->err) : MS_ENOTFOUND;
        if (rc == MS_ENOTFOUND || (!rc && a.level < LEVEL_EDIT)) {
            ms_error_clear(&r->err);
            return ms_field_fail(&r->err, "screener_asset_ids",
                                 "%s is not an asset you may share (you need edit access to "
                                 "its project)",
                                 id);
        }
        if (rc) return rc;
        if (s[i].number < 1)
            return ms_field_fail(&r->err, "screener_asset_ids", "%s has no version yet", id);
        s[i].asset_id = id;
    }
    *out = s;
    *n = (int)json_array_size(ids);
    return 0;
}

/* Give the listing these screeners, in this order: shares for new assets, revoked shares for
 * assets taken off. */
static int screeners_set(ms_req *r, const char *listing_id, const screener *s, int n)
{
    db_stmt *st;
    int rc = db_query(r->db, &st, &r->err,
                      "SELECT asset_id, share_id FROM rights_listing_screener WHERE listing_id = ?",
                      "s", listing_id);
    if (rc) return rc;
    json_t *have = json_object(); /* asset id -> share id */
    while ((rc = db_step(st, &r->err)) == DB_ROW)
        json_object_set_new(have, db_col_text(st, 0), json_string(db_col_text(st, 1)));
    db_done(st);
    const char *aid;
    json_t *sid;
    json_object_foreach(have, aid, sid)
    {
        if (rc < 0) break;
        bool keep = false;
        for (int i = 0; i < n && !keep; i++)
            keep = !strcmp(s[i].asset_id, aid);
        if (keep) continue;
        rc = assets_share_revoke(r->db, r->caller->user_id, json_string_value(sid), &r->err);
        if (rc == MS_ENOTFOUND) {
            ms_error_clear(&r->err);
            rc = 0;
        }
        if (!rc)
            rc = db_exec(r->db, &r->err,
                         "DELETE FROM rights_listing_screener WHERE listing_id = ? AND "
                         "asset_id = ?",
                         "ss", listing_id, aid);
    }
    char now[MS_TIME_LEN];
    ms_now_str(now);
    for (int i = 0; i < n && rc >= 0; i++) {
        if (json_object_get(have, s[i].asset_id)) {
            rc = db_exec(r->db, &r->err,
                         "UPDATE rights_listing_screener SET position = ? WHERE listing_id = ? "
                         "AND asset_id = ?",
                         "iss", i, listing_id, s[i].asset_id);
            continue;
        }
        char share[MS_ID_LEN], token[64];
        rc = assets_share_create_view(r->db, r->env, r->caller->user_id, s[i].asset_id, s[i].number,
                                      NULL, NULL, "market listing screener", share, token, &r->err);
        if (rc) break;
        char *sealed = NULL;
        if ((rc = ms_seal(r->env->secret, SEAL_PURPOSE, token, strlen(token), &sealed, &r->err)))
            break;
        rc = db_exec(r->db, &r->err,
                     "INSERT INTO rights_listing_screener (listing_id, asset_id, asset_name, "
                     "share_id, token_sealed, position, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                     "sssssis", listing_id, s[i].asset_id, s[i].name, share, sealed, i, now);
        free(sealed);
    }
    json_decref(have);
    return rc < 0 ? rc : 0;
}

static int titles_set(ms_req *r, const char *listing_id, const json_t *ids)
{
    int rc = db_exec(r->db, &r->err, "DELETE FROM rights_listing_title WHERE listing_id = ?", "s",
                     listing_id);
    size_t i;
    json_t *v;
    json_array_foreach(ids, i, v)
    {
        if (rc < 0) break;
        rc = db_exec(r->db, &r->err,
                     "INSERT INTO rights_listing_title (listing_id, title_id, position) VALUES "
                     "(?, ?, ?)",
                     "ssi", listing_id, json_string_value(v), (int)i);
    }
    return rc < 0 ? rc : 0;
}

/* ---- POST /orgs/{id}/listings ---- */

static const ms_jfield listing_fields[] = {
    {"name", MS_J_STRING, true, false, 1, 200, NULL},
    {"description", MS_J_TEXT, false, false, 0, 20000, NULL},
    {"title_ids", MS_J_ARRAY, true, false, 0, TITLES_MAX, NULL},
    {"rights", MS_J_OBJECT, true, false, 0, 8, NULL},
    {"asking", MS_J_OBJECT, true, false, 0, 4, NULL},
    {"visibility", MS_J_ENUM, false, false, 0, 0, visibilities},
    {"screener_asset_ids", MS_J_ARRAY, false, false, 0, SCREENERS_MAX, NULL},
    {0},
};

static char *dump(const json_t *j)
{
    return json_dumps(j, JSON_COMPACT);
}

int h_listings_create(ms_req *r)
{
    if (ms_json_check(r->body, listing_fields, &r->err)) return r->err.code;
    const json_t *b = r->body;
    rights_org o;
    int rc = rights_org_get(r, ms_req_param(r, "id"), &o);
    if (rc || (rc = rights_require(r, &o, LEVEL_EDIT, "publish listings"))) return rc;
    json_t *rights = NULL;
    asking ask;
    screener *scr = NULL;
    int nscr = 0;
    titles_check(r, o.org_id, json_object_get(b, "title_ids"));
    market_rights_check(r, o.org_id, json_object_get(b, "rights"), "rights", &rights);
    asking_check(r, json_object_get(b, "asking"), &ask);
    screeners_check(r, json_object_get(b, "screener_asset_ids"), &scr, &nscr);
    if (r->err.code) {
        json_decref(rights);
        return r->err.code;
    }
    const char *vis = ms_json_str(b, "visibility");
    const char *desc = ms_json_str(b, "description");
    char id[MS_ID_LEN], now[MS_TIME_LEN];
    ms_uuid7(id);
    ms_now_str(now);
    char *terr = dump(json_object_get(rights, "territories"));
    char *media = dump(json_object_get(rights, "media"));
    char *langs = dump(json_object_get(rights, "languages"));
    rc = db_exec(r->db, &r->err,
                 "INSERT INTO rights_listing (id, org_id, name, description, territories, media, "
                 "languages, start_date, end_date, exclusivity, asking_currency, asking_amount, "
                 "asking_terms, visibility, status, created_by, created_at, updated_at) VALUES "
                 "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, CAST(? AS BIGINT), ?, ?, 'open', ?, ?, ?)",
                 "sssssssssssssssss", id, o.org_id, ms_json_str(b, "name"), desc ? desc : "", terr,
                 media, langs, json_string_value(json_object_get(rights, "start")),
                 json_string_value(json_object_get(rights, "end")),
                 json_string_value(json_object_get(rights, "exclusivity")), ask.currency,
                 ask.has_amount ? ms_arena_printf(r->arena, "%lld", (long long)ask.amount) : NULL,
                 ask.terms, vis ? vis : "market", o.user_id, now, now);
    free(terr);
    free(media);
    free(langs);
    json_decref(rights);
    if (rc < 0) return rc;
    if ((rc = titles_set(r, id, json_object_get(b, "title_ids"))) ||
        (rc = screeners_set(r, id, scr, nscr)))
        return rc;
    json_t *data = json_pack("{s:s,s:s}", "listing_id", id, "visibility", vis ? vis : "market");
    rc =
        rights_event(r, &o, "rights.listing_created", "listing", id, data,
                     "Listing \"%s\" published (%s)", ms_json_str(b, "name"), vis ? vis : "market");
    json_decref(data);
    if (rc) return rc;
    market_view v;
    if ((rc = market_listing_view(r, id, o.org_id, &v))) return rc;
    return reply_listing(r, 201, &v);
}

/* ---- Lists. ---- */

/* Reply with the listings whose ids are in `ids` (n of them; more: a next page), as `org`
 * sees them. */
static int reply_listings(ms_req *r, const char *org, char (*ids)[MS_ID_LEN], int n, int limit)
{
    json_t *items = json_array();
    int rc = 0;
    for (int i = 0; i < n && i < limit; i++) {
        market_view v;
        json_t *o;
        if ((rc = market_listing_view(r, ids[i], org, &v)) || (rc = listing_json(r, &v, &o))) break;
        json_array_append_new(items, o);
    }
    if (rc) {
        json_decref(items);
        return rc;
    }
    return ms_reply_list(r, items, n > limit ? ids[limit - 1] : NULL);
}

/* A `media` filter: one code (built-in or custom slug). */
static bool media_param_ok(const char *m)
{
    size_t n = strlen(m);
    if (n < 2 || n > 32) return false;
    for (size_t i = 0; i < n; i++)
        if (!strchr("abcdefghijklmnopqrstuvwxyz0123456789_", m[i])) return false;
    return true;
}

/* GET /market/listings?org=&q=&media=&territory=&status=&limit=&cursor= */
int h_market_listings(ms_req *r)
{
    static const char *const allowed[] = {"org",    "q",     "media",  "territory",
                                          "status", "limit", "cursor", NULL};
    int limit, rc;
    char cursor[MS_ID_LEN + 1];
    if ((rc = ms_req_query_only(r, allowed)) ||
        (rc = ms_req_page(r, &limit, cursor, sizeof cursor)))
        return rc;
    const char *org = ms_req_query(r, "org"), *q = ms_req_query(r, "q");
    const char *media = ms_req_query(r, "media"), *terr = ms_req_query(r, "territory");
    const char *status = ms_req_query(r, "status");
    if (!org || !*org)
        return ms_field_fail(&r->err, "org", "name the organization you browse for (?org=)");
    rights_org o;
    rc = market_member(r, org, &o);
    if (rc < 0) return rc;
    if (rc == 1) return ms_req_fail(r, MS_ENOTFOUND, NULL, "No such organization.");
    if (media && !media_param_ok(media))
        return ms_field_fail(&r->err, "media", "must be one media code such as svod");
    if (status && strcmp(status, "open") && strcmp(status, "closed"))
        return ms_field_fail(&r->err, "status", "must be open or closed");
    av_terrs want;
    bool by_terr = terr && *terr;
    if (by_terr) {
        json_t *expr = json_array();
        char *copy = ms_arena_strdup(r->arena, terr), *save = NULL;
        for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save))
            json_array_append_new(expr, json_string(t));
        ms_error e;
        ms_error_clear(&e);
        rc = dims_terr_parse(expr, &want, NULL, &e);
        json_decref(expr);
        if (rc)
            return ms_field_fail(&r->err, "territory", "%s",
                                 e.nfields ? e.fields[0].message : e.detail);
    }
    ms_buf sql;
    ms_buf_init(&sql);
    db_arg args[12];
    int n = 0;
    ms_buf_puts(&sql, "SELECT l.id, l.territories FROM rights_listing l LEFT JOIN "
                      "rights_listing_buyer b ON b.listing_id = l.id AND b.org_id = ? WHERE "
                      "l.deleted_at IS NULL AND l.id > ? AND (l.org_id = ? OR EXISTS (SELECT 1 "
                      "FROM rights_offer f WHERE f.listing_id = l.id AND f.buyer_org_id = ?) OR "
                      "((l.visibility = 'market' OR b.status IN ('invited', 'approved')) AND "
                      "(l.status = 'open' OR b.status IN ('invited', 'approved'))))");
    args[n++] = DB_ARG_S(org);
    args[n++] = DB_ARG_S(cursor);
    args[n++] = DB_ARG_S(org);
    args[n++] = DB_ARG_S(org);
    if (q && *q) {
        char *like = db_like_pattern(r->arena, q);
        ms_buf_puts(&sql, " AND (LOWER(l.name) LIKE ? ESCAPE '\\' OR LOWER(l.description) LIKE ? "
                          "ESCAPE '\\')");
        args[n++] = DB_ARG_S(like);
        args[n++] = DB_ARG_S(like);
    }
    if (media) {
        /* Stored media are canonical JSON arrays of codes ("all" is expanded); a code's
         * '_' is escaped, LIKE would take it for any character. */
        ms_buf like;
        ms_buf_init(&like);
        ms_buf_puts(&like, "%\"");
        for (const char *c = media; *c; c++) {
            if (*c == '_') ms_buf_putc(&like, '\\');
            ms_buf_putc(&like, *c);
        }
        ms_buf_puts(&like, "\"%");
        ms_buf_puts(&sql, " AND l.media LIKE ? ESCAPE '\\'");
        args[n++] = DB_ARG_S(like.oom ? "" : ms_arena_strdup(r->arena, like.data));
        ms_buf_free(&like);
    }
    if (status) {
        ms_buf_puts(&sql, " AND l.status = ?");
        args[n++] = DB_ARG_S(status);
    }
    ms_buf_puts(&sql, " ORDER BY l.id");
    if (!by_terr) {
        ms_buf_puts(&sql, " LIMIT ?");
        args[n++] = DB_ARG_I((int64_t)limit + 1);
    }
    db_stmt *st;
    rc = db_query_buf(r->db, &st, &r->err, &sql, args, n);
    if (rc) return rc;
    char(*ids)[MS_ID_LEN] = ms_arena_alloc(r->arena, (size_t)(limit + 1) * MS_ID_LEN);
    int found = 0;
    while (found <= limit && (rc = db_step(st, &r->err)) == DB_ROW) {
        if (by_terr) {
            json_t *t = json_loads(db_col_text(st, 1), 0, NULL);
            av_terrs have;
            ms_error e;
            bool hit =
                t && !dims_terr_parse(t, &have, NULL, &e) && dims_terr_intersects(&have, &want);
            json_decref(t);
            if (!hit) continue;
        }
        ms_strlcpy(ids[found++], db_col_text(st, 0), MS_ID_LEN);
    }
    db_done(st);
    if (rc < 0) return rc;
    return reply_listings(r, org, ids, found, limit);
}

/* GET /orgs/{id}/listings?status=: the organization's own listings. */
int h_org_listings(ms_req *r)
{
    static const char *const allowed[] = {"status", "limit", "cursor", NULL};
    int limit, rc;
    char cursor[MS_ID_LEN + 1];
    if ((rc = ms_req_query_only(r, allowed)) ||
        (rc = ms_req_page(r, &limit, cursor, sizeof cursor)))
        return rc;
    rights_org o;
    if ((rc = rights_org_get(r, ms_req_param(r, "id"), &o))) return rc;
    const char *status = ms_req_query(r, "status");
    if (status && strcmp(status, "open") && strcmp(status, "closed"))
        return ms_field_fail(&r->err, "status", "must be open or closed");
    db_stmt *st;
    rc = db_query(r->db, &st, &r->err,
                  "SELECT id FROM rights_listing WHERE org_id = ? AND deleted_at IS NULL AND id > "
                  "? AND (? = '' OR status = ?) ORDER BY id LIMIT ?",
                  "ssssI", o.org_id, cursor, status ? status : "", status ? status : "",
                  (int64_t)limit + 1);
    if (rc) return rc;
    char(*ids)[MS_ID_LEN] = ms_arena_alloc(r->arena, (size_t)(limit + 1) * MS_ID_LEN);
    int found = 0;
    while (found <= limit && (rc = db_step(st, &r->err)) == DB_ROW)
        ms_strlcpy(ids[found++], db_col_text(st, 0), MS_ID_LEN);
    db_done(st);
    if (rc < 0) return rc;
    return reply_listings(r, o.org_id, ids, found, limit);
}

/* ---- One listing. ---- */

static int org_query(ms_req *r, const char **org)
{
    static const char *const allowed[] = {"org", NULL};
    int rc = ms_req_query_only(r, allowed);
    if (rc) return rc;
    *org = ms_req_query(r, "org");
    if (*org && !**org) *org = NULL;
    return 0;
}

/* GET /listings/{id}?org= */
int h_listing_get(ms_req *r)
{
    const char *org;
    int rc = org_query(r, &org);
    if (rc) return rc;
    market_view v;
    if ((rc = market_listing_view(r, ms_req_param(r, "id"), org, &v))) return rc;
    return reply_listing(r, 200, &v);
}

/* The seller's view of listing {id} with at least `need` (404 for everyone else). */
static int seller_view(ms_req *r, ms_level need, const char *doing, market_view *v)
{
    int rc = market_listing_view(r, ms_req_param(r, "id"), NULL, v);
    if (rc) return rc;
    if (!v->seller) return ms_req_fail(r, MS_ENOTFOUND, NULL, "No such listing.");
    return rights_require(r, &v->viewer, need, doing);
}

static const ms_jfield listing_patch_fields[] = {
    {"name", MS_J_STRING, false, false, 1, 200, NULL},
    {"description", MS_J_TEXT, false, false, 0, 20000, NULL},
    {"title_ids", MS_J_ARRAY, false, false, 0, TITLES_MAX, NULL},
    {"rights", MS_J_OBJECT, false, false, 0, 8, NULL},
    {"asking", MS_J_OBJECT, false, false, 0, 4, NULL},
    {"visibility", MS_J_ENUM, false, false, 0, 0, visibilities},
    {"status", MS_J_ENUM, false, false, 0, 0, listing_statuses},
    {"screener_asset_ids", MS_J_ARRAY, false, true, 0, SCREENERS_MAX, NULL},
    {0},
};

/* PATCH /listings/{id} (If-Match): the seller changes, closes or reopens a listing. */
int h_listing_update(ms_req *r)
{
    if (ms_json_check(r->body, listing_patch_fields, &r->err)) return r->err.code;
    const json_t *b = r->body;
    market_view v;
    int rc = seller_view(r, LEVEL_EDIT, "change listings", &v);
    if (rc || (rc = ms_req_check_version(r, v.l.version))) return rc;
    json_t *rights = NULL;
    asking ask;
    screener *scr = NULL;
    int nscr = 0;
    const json_t *tids = json_object_get(b, "title_ids");
    if (tids) titles_check(r, v.l.org_id, tids);
    if (json_object_get(b, "rights"))
        market_rights_check(r, v.l.org_id, json_object_get(b, "rights"), "rights", &rights);
    if (json_object_get(b, "asking")) asking_check(r, json_object_get(b, "asking"), &ask);
    bool set_screeners = ms_json_has(b, "screener_asset_ids");
    if (set_screeners) screeners_check(r, json_object_get(b, "screener_asset_ids"), &scr, &nscr);
    if (r->err.code) {
        json_decref(rights);
        return r->err.code;
    }
    char now[MS_TIME_LEN];
    ms_now_str(now);
    const char *name = ms_json_str(b, "name"), *desc = ms_json_str(b, "description");
    const char *vis = ms_json_str(b, "visibility"), *status = ms_json_str(b, "status");
    rc = db_exec(r->db, &r->err,
                 "UPDATE rights_listing SET name = COALESCE(?, name), description = COALESCE(?, "
                 "description), visibility = COALESCE(?, visibility), status = COALESCE(?, "
                 "status), updated_at = ?, version = version + 1 WHERE id = ?",
                 "ssssss", name, desc, vis, status, now, v.l.id);
    if (rc >= 0 && rights) {
        char *terr = dump(json_object_get(rights, "territories"));
        char *media = dump(json_object_get(rights, "media"));
        char *langs = dump(json_object_get(rights, "languages"));
        rc = db_exec(r->db, &r->err,
                     "UPDATE rights_listing SET territories = ?, media = ?, languages = ?, "
                     "start_date = ?, end_date = ?, exclusivity = ? WHERE id = ?",
                     "sssssss", terr, media, langs,
                     json_string_value(json_object_get(rights, "start")),
                     json_string_value(json_object_get(rights, "end")),
                     json_string_value(json_object_get(rights, "exclusivity")), v.l.id);
        free(terr);
        free(media);
        free(langs);
    }
    json_decref(rights);
    if (rc >= 0 && json_object_get(b, "asking"))
        rc = db_exec(r->db, &r->err,
                     "UPDATE rights_listing SET asking_currency = ?, asking_amount = CAST(? AS "
                     "BIGINT), asking_terms = ? WHERE id = ?",
                     "ssss", ask.currency,
                     ask.has_amount ? ms_arena_printf(r->arena, "%lld", (long long)ask.amount)
                                    : NULL,
                     ask.terms, v.l.id);
    if (rc < 0) return rc;
    if (tids && (rc = titles_set(r, v.l.id, tids))) return rc;
    if (set_screeners && (rc = screeners_set(r, v.l.id, scr, nscr))) return rc;
    json_t *data = json_pack("{s:s}", "listing_id", v.l.id);
    json_t *changed = json_array();
    const char *k;
    json_t *x;
    json_object_foreach((json_t *)b, k, x) json_array_append_new(changed, json_string(k));
    json_object_set_new(data, "changed", changed);
    const char *what = status && strcmp(status, v.l.status)
                           ? (!strcmp(status, "closed") ? "closed" : "reopened")
                           : "changed";
    rc = rights_event(r, &v.viewer, "rights.listing_updated", "listing", v.l.id, data, "Listing %s",
                      what);
    json_decref(data);
    if (rc) return rc;
    market_view now_v; /* read again: the view's facts may have changed */
    if ((rc = market_listing_view(r, v.l.id, v.viewer.org_id, &now_v))) return rc;
    return reply_listing(r, 200, &now_v);
}

/* ---- Buyers. ---- */

#define BUYER_COLS                                                                                 \
    "SELECT b.listing_id, b.org_id, o.name AS org_name, o.slug AS org_slug, b.status, "            \
    "b.message, b.created_at, b.updated_at, b.version FROM rights_listing_buyer b JOIN org o ON "  \
    "o.id = b.org_id"

/* GET /listings/{id}/buyers: the seller's list of invited, requesting, approved and declined
 * organizations. */
int h_listing_buyers(ms_req *r)
{
    static const char *const allowed[] = {"status", NULL};
    int rc = ms_req_query_only(r, allowed);
    if (rc) return rc;
    market_view v;
    if ((rc = seller_view(r, LEVEL_VIEW, "see buyers", &v))) return rc;
    const char *status = ms_req_query(r, "status");
    if (status && strcmp(status, "invited") && strcmp(status, "requested") &&
        strcmp(status, "approved") && strcmp(status, "declined"))
        return ms_field_fail(&r->err, "status", "must be invited, requested, approved or declined");
    db_stmt *st;
    rc = db_query(r->db, &st, &r->err,
                  BUYER_COLS " WHERE b.listing_id = ? AND (? = '' OR b.status = ?) ORDER BY "
                             "b.updated_at DESC, b.org_id LIMIT 1000",
                  "sss", v.l.id, status ? status : "", status ? status : "");
    if (rc) return rc;
    json_t *items = json_array();
    while ((rc = db_step(st, &r->err)) == DB_ROW)
        json_array_append_new(items, db_row_json(st));
    db_done(st);
    if (rc < 0) {
        json_decref(items);
        return rc;
    }
    return ms_reply_list(r, items, NULL);
}

static int reply_buyer(ms_req *r, int status, const char *listing_id, const char *org_id)
{
    db_stmt *st;
    int rc =
        db_query_row(r->db, &st, &r->err, BUYER_COLS " WHERE b.listing_id = ? AND b.org_id = ?",
                     "ss", listing_id, org_id);
    if (rc < 0) return rc;
    if (rc == DB_DONE) return ms_req_fail(r, MS_EINTERNAL, NULL, "The buyer row vanished.");
    json_t *o = db_row_json(st);
    db_done(st);
    ms_reply_etag(r, json_integer_value(json_object_get(o, "version")));
    return ms_reply(r, status, o);
}

static const ms_jfield buyer_fields[] = {
    {"org_id", MS_J_ID, false, false, 0, 0, NULL},
    {"org_slug", MS_J_STRING, false, false, 1, 100, NULL},
    {"status", MS_J_ENUM, true, false, 0, 0, buyer_statuses},
    {"message", MS_J_TEXT, false, false, 0, 2000, NULL},
    {0},
};

/* POST /listings/{id}/buyers {org_id | org_slug, status, message?}: the seller invites,
 * approves or declines an organization (manage level). */
int h_listing_buyers_set(ms_req *r)
{
    if (ms_json_check(r->body, buyer_fields, &r->err)) return r->err.code;
    const json_t *b = r->body;
    market_view v;
    int rc = seller_view(r, LEVEL_MANAGE, "manage a listing's buyers", &v);
    if (rc) return rc;
    const char *oid = ms_json_str(b, "org_id"), *slug = ms_json_str(b, "org_slug");
    if (!oid == !slug) return ms_field_fail(&r->err, "org_id", "give org_id or org_slug (one)");
    db_stmt *st;
    rc = db_query_row(r->db, &st, &r->err, "SELECT id FROM org WHERE id = ? OR slug = ?", "ss",
                      oid ? oid : "", slug ? slug : "");
    if (rc < 0) return rc;
    if (rc == DB_DONE)
        return ms_field_fail(&r->err, oid ? "org_id" : "org_slug", "no such organization");
    char buyer[MS_ID_LEN];
    ms_strlcpy(buyer, db_col_text(st, 0), sizeof buyer);
    db_done(st);
    if (!strcmp(buyer, v.l.org_id))
        return ms_field_fail(&r->err, oid ? "org_id" : "org_slug",
                             "is the seller: a listing is not offered to its own organization");
    rc = db_query_row(r->db, &st, &r->err,
                      "SELECT status FROM rights_listing_buyer WHERE listing_id = ? AND org_id = ?",
                      "ss", v.l.id, buyer);
    if (rc < 0) return rc;
    bool existed = rc == DB_ROW;
    if (existed) db_done(st);
    const char *status = ms_json_str(b, "status"), *msg = ms_json_str(b, "message");
    char now[MS_TIME_LEN];
    ms_now_str(now);
    if (existed)
        rc = db_exec(r->db, &r->err,
                     "UPDATE rights_listing_buyer SET status = ?, message = COALESCE(?, message), "
                     "updated_at = ?, version = version + 1 WHERE listing_id = ? AND org_id = ?",
                     "sssss", status, msg, now, v.l.id, buyer);
    else
        rc = db_exec(r->db, &r->err,
                     "INSERT INTO rights_listing_buyer (listing_id, org_id, status, message, "
                     "created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                     "sssssss", v.l.id, buyer, status, msg ? msg : "", v.viewer.user_id, now, now);
    if (rc < 0) return rc;
    rights_org party;
    if ((rc = market_party(r, buyer, &party))) return rc;
    json_t *data =
        json_pack("{s:s,s:s,s:s}", "listing_id", v.l.id, "org_id", buyer, "status", status);
    rc = rights_event(r, &v.viewer, "rights.listing_buyer", "listing", v.l.id, data,
                      "%s %s for a listing", party.org_name, status);
    if (!rc)
        rc = rights_event(r, &party, "rights.listing_buyer", "listing", v.l.id, data,
                          "%s %s your organization for a listing", v.viewer.org_name, status);
    json_decref(data);
    return rc ? rc : reply_buyer(r, existed ? 200 : 201, v.l.id, buyer);
}

static const ms_jfield access_fields[] = {
    {"org_id", MS_J_ID, true, false, 0, 0, NULL},
    {"message", MS_J_TEXT, false, false, 0, 2000, NULL},
    {0},
};

/* POST /listings/{id}/access-requests {org_id, message?}: a buyer organization that sees the
 * listing asks for its screeners (edit level). Asking again changes nothing; after a refusal
 * it is 409. */
int h_listing_access_request(ms_req *r)
{
    if (ms_json_check(r->body, access_fields, &r->err)) return r->err.code;
    const char *org = ms_json_str(r->body, "org_id");
    market_view v;
    int rc = market_listing_view(r, ms_req_param(r, "id"), org, &v);
    if (rc) return rc;
    if (v.seller) return ms_field_fail(&r->err, "org_id", "is the seller of the listing");
    if ((rc = rights_require(r, &v.viewer, LEVEL_EDIT, "ask for access to listings"))) return rc;
    if (!strcmp(v.buyer_status, "declined"))
        return ms_req_fail(r, MS_ECONFLICT, "access-declined",
                           "The seller declined your organization for this listing.");
    if (v.buyer_status[0]) return reply_buyer(r, 200, v.l.id, v.viewer.org_id);
    const char *msg = ms_json_str(r->body, "message");
    char now[MS_TIME_LEN];
    ms_now_str(now);
    rc = db_exec(r->db, &r->err,
                 "INSERT INTO rights_listing_buyer (listing_id, org_id, status, message, "
                 "created_by, created_at, updated_at) VALUES (?, ?, 'requested', ?, ?, ?, ?)",
                 "ssssss", v.l.id, v.viewer.org_id, msg ? msg : "", v.viewer.user_id, now, now);
    if (rc < 0) return rc;
    rights_org seller;
    if ((rc = market_party(r, v.l.org_id, &seller))) return rc;
    json_t *data = json_pack("{s:s,s:s,s:s}", "listing_id", v.l.id, "org_id", v.viewer.org_id,
                             "status", "requested");
    rc = rights_event(r, &v.viewer, "rights.listing_access_requested", "listing", v.l.id, data,
                      "Access to a listing of %s requested", seller.org_name);
    if (!rc)
        rc = rights_event(r, &seller, "rights.listing_access_requested", "listing", v.l.id, data,
                          "%s asks for access to a listing", v.viewer.org_name);
    json_decref(data);
    return rc ? rc : reply_buyer(r, 201, v.l.id, v.viewer.org_id);
}
