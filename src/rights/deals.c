/* deals.c: licenses out - a licensor, a licensee (an organization on the platform or a name),
 * rights rows for one title or a package, a fee with minimum guarantee and payment schedule,
 * holdbacks the licensor promises, and the status line
 *     draft -> offered -> negotiating -> signed -> active -> expired | terminated
 * Every create, change of rights and signature is checked for conflicts in its transaction
 * (conflicts.c): an overlap with what is already licensed exclusively, or with no rights in,
 * answers 409 with the conflicts. A signed deal gives a licensee organization rights in on the
 * titles (acquired), which it can sell on within what it got; terminating takes them back.
 * Not here: offers between organizations (market*.c) make deals through rights_deal_create. */
#include "rights/rights_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const deal_statuses[] = {"draft",  "offered", "negotiating", "signed",
                                            "active", "expired", "terminated",  NULL};

static bool is_status(const char *s)
{
    for (int i = 0; s && deal_statuses[i]; i++)
        if (!strcmp(deal_statuses[i], s)) return true;
    return false;
}

static bool holds(const char *status)
{
    return !strcmp(status, "signed") || !strcmp(status, "active");
}

static bool closed(const char *status)
{
    return holds(status) || !strcmp(status, "expired") || !strcmp(status, "terminated");
}

/* ---- A deal's body, checked. ---- */

typedef struct deal_in {
    const char *licensee_org_id, *licensee_name, *reference, *currency, *notes;
    int64_t fee, mg;
    rights_row *rights;
    int nrights;
    rights_row *holdbacks;
    int nholdbacks;
    const json_t *payments;
} deal_in;

static const ms_jfield deal_fields[] = {
    {"licensee_org_id", MS_J_ID, false, true, 0, 0, NULL},
    {"licensee_name", MS_J_STRING, false, true, 1, 300, NULL},
    {"reference", MS_J_STRING, false, true, 0, 200, NULL},
    {"status", MS_J_ENUM, false, false, 0, 0, deal_statuses},
    {"currency", MS_J_STRING, false, false, 3, 3, NULL},
    {"fee", MS_J_STRING, false, true, 0, 0, NULL}, /* or an integer: checked below */
    {"minimum_guarantee", MS_J_STRING, false, true, 0, 0, NULL},
    {"notes", MS_J_TEXT, false, true, 0, 10000, NULL},
    {"rights", MS_J_ARRAY, false, false, 1, 500, NULL},
    {"payments", MS_J_ARRAY, false, false, 0, 120, NULL},
    {"holdbacks", MS_J_ARRAY, false, false, 0, 100, NULL},
    {NULL, 0, false, false, 0, 0, NULL},
};

/* ms_json_check with amounts that may be integers or strings. */
static int check_shape(ms_req *r, const json_t *body)
{
    if (!json_is_object(body)) return ms_field_fail(&r->err, "body", "must be a JSON object");
    json_t *b = json_deep_copy(body);
    const char *money[] = {"fee", "minimum_guarantee"};
    for (int i = 0; i < 2; i++)
        if (json_is_integer(json_object_get(b, money[i])))
            json_object_set_new(b, money[i], json_string("0"));
    int rc = ms_json_check(b, deal_fields, &r->err);
    json_decref(b);
    return rc;
}

/* Is title `id` in organization o's catalogue? */
static int title_in_catalogue(ms_req *r, const char *org_id, const char *id, bool *yes)
{
    db_stmt *st;
    int rc = db_query_row(r->db, &st, &r->err,
                          "SELECT 1 FROM rights_title t WHERE t.id = ? AND t.deleted_at IS NULL "
                          "AND (t.org_id = ? OR EXISTS (SELECT 1 FROM rights_in ri WHERE "
                          "ri.title_id = t.id AND ri.org_id = ? AND ri.deleted_at IS NULL))",
                          "sss", id, org_id, org_id);
    if (rc < 0) return rc;
    *yes = rc == DB_ROW;
    if (*yes) db_done(st);
    return 0;
}

/* Check body `b` (the whole deal as it will be) into `d`. */
static int deal_parse(ms_req *r, const rights_org *o, const json_t *b, deal_in *d)
{
    memset(d, 0, sizeof *d);
    d->currency = rights_or(ms_json_str(b, "currency"), "USD");
    if (!ms_currency_valid(d->currency))
        ms_field_fail(&r->err, "currency", "must be an ISO 4217 currency code like USD or CNY");
    else {
        json_t *fee = json_object_get(b, "fee"), *mg = json_object_get(b, "minimum_guarantee");
        if (fee && !json_is_null(fee)) ms_money_parse(fee, d->currency, &d->fee, "fee", &r->err);
        if (mg && !json_is_null(mg))
            ms_money_parse(mg, d->currency, &d->mg, "minimum_guarantee", &r->err);
    }
    d->reference = rights_or(ms_json_str(b, "reference"), "");
    d->notes = rights_or(ms_json_str(b, "notes"), "");
    d->licensee_org_id = ms_json_str(b, "licensee_org_id");
    d->licensee_name = ms_json_str(b, "licensee_name");
    if (d->licensee_org_id) {
        db_stmt *st;
        int rc = db_query_row(r->db, &st, &r->err, "SELECT name FROM org WHERE id = ?", "s",
                              d->licensee_org_id);
        if (rc < 0) return rc;
        if (rc == DB_DONE)
            ms_field_fail(&r->err, "licensee_org_id", "is not an organization on this platform");
        else {
            if (!d->licensee_name) d->licensee_name = ms_arena_strdup(r->arena, db_col_text(st, 0));
            db_done(st);
        }
        if (!strcmp(d->licensee_org_id, o->org_id))
            ms_field_fail(&r->err, "licensee_org_id", "cannot be the licensor itself");
    } else if (!d->licensee_name) {
        ms_field_fail(&r->err, "licensee_name", "is required when licensee_org_id is not given");
    }
    dims_media_reg reg;
    int rc = rights_media_reg(r, o->org_id, &reg);
    if (rc) return rc;
    json_t *rights = json_object_get(b, "rights");
    d->nrights = (int)json_array_size(rights);
    if (!d->nrights) ms_field_fail(&r->err, "rights", "must list at least one right");
    d->rights = ms_arena_alloc(r->arena, (size_t)(d->nrights + 1) * sizeof *d->rights);
    int64_t allocated = 0;
    for (int i = 0; i < d->nrights; i++) {
        char *f = ms_arena_printf(r->arena, "rights/%d", i);
        if (rights_row_parse(r, json_array_get(rights, (size_t)i), &reg, RIGHTS_ROW_DEAL,
                             ms_currency_valid(d->currency) ? d->currency : "USD", f,
                             &d->rights[i]))
            continue;
        /* A package repeats its titles row after row: each is looked up once. */
        bool yes = true, seen = false;
        for (int k = 0; k < i && !seen; k++)
            seen = d->rights[k].title_id && !strcmp(d->rights[k].title_id, d->rights[i].title_id);
        if (!seen && (rc = title_in_catalogue(r, o->org_id, d->rights[i].title_id, &yes)))
            return rc;
        if (!yes)
            ms_field_fail(&r->err, ms_arena_printf(r->arena, "%s/title_id", f),
                          "is not a title of your catalogue");
        if (d->rights[i].allocation > 0) allocated += d->rights[i].allocation;
    }
    if (allocated > d->fee)
        ms_field_fail(&r->err, "rights", "allocations add up to more than the fee");
    if (d->mg > d->fee) ms_field_fail(&r->err, "minimum_guarantee", "cannot be more than the fee");
    json_t *hb = json_object_get(b, "holdbacks");
    d->nholdbacks = (int)json_array_size(hb);
    d->holdbacks = ms_arena_alloc(r->arena, (size_t)(d->nholdbacks + 1) * sizeof *d->holdbacks);
    for (int i = 0; i < d->nholdbacks; i++) {
        char *f = ms_arena_printf(r->arena, "holdbacks/%d", i);
        if (rights_row_parse(r, json_array_get(hb, (size_t)i), &reg, RIGHTS_ROW_HOLDBACK, NULL, f,
                             &d->holdbacks[i]))
            continue;
        bool yes;
        if ((rc = title_in_catalogue(r, o->org_id, d->holdbacks[i].title_id, &yes))) return rc;
        if (!yes)
            ms_field_fail(&r->err, ms_arena_printf(r->arena, "%s/title_id", f),
                          "is not a title of your catalogue");
    }
    d->payments = json_object_get(b, "payments");
    size_t i;
    json_t *p;
    int64_t scheduled = 0;
    json_array_foreach(d->payments, i, p)
    {
        char *f = ms_arena_printf(r->arena, "payments/%zu", i);
        const char *due = ms_json_str(p, "due_date"), *paid = ms_json_str(p, "paid_at");
        const char *note = ms_json_str(p, "note");
        av_day day;
        int64_t amount = 0;
        bool known = json_is_object(p);
        const char *key;
        json_t *v;
        json_object_foreach(p, key, v) known &= !strcmp(key, "due_date") ||
                                                !strcmp(key, "amount") || !strcmp(key, "paid_at") ||
                                                !strcmp(key, "note") || !strcmp(key, "id");
        if (!known) {
            ms_field_fail(&r->err, f,
                          "must be {\"due_date\", \"amount\", \"paid_at\"?, \"note\"?}");
            continue;
        }
        if (!due || !dims_date_parse(due, &day))
            ms_field_fail(&r->err, ms_arena_printf(r->arena, "%s/due_date", f),
                          "must be YYYY-MM-DD");
        if (!ms_currency_valid(d->currency) ||
            ms_money_parse(json_object_get(p, "amount"), d->currency, &amount,
                           ms_arena_printf(r->arena, "%s/amount", f), &r->err))
            continue;
        scheduled += amount;
        if (paid && !dims_date_parse(paid, &day))
            ms_field_fail(&r->err, ms_arena_printf(r->arena, "%s/paid_at", f),
                          "must be YYYY-MM-DD");
        if (note && !ms_str_is_clean_text(note, 500, false))
            ms_field_fail(&r->err, ms_arena_printf(r->arena, "%s/note", f),
                          "must be one line of at most 500 characters");
    }
    if (scheduled > d->fee) ms_field_fail(&r->err, "payments", "add up to more than the fee");
    return r->err.code ? r->err.code : 0;
}

/* ---- Writing. ---- */

static int write_children(ms_req *r, const rights_org *o, const char *deal_id, const deal_in *d)
{
    int rc;
    for (int i = 0; i < d->nrights; i++) {
        const rights_row *w = &d->rights[i];
        char id[MS_ID_LEN];
        ms_uuid7(id);
        rc = db_exec(
            r->db, &r->err,
            "INSERT INTO rights_deal_right (id, deal_id, org_id, title_id, territories, "
            "media, languages, start_date, end_date, exclusivity, runs, allocation, "
            "position) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, CAST(? AS INTEGER), CAST(? "
            "AS BIGINT), ?)",
            "ssssssssssssI", id, deal_id, o->org_id, w->title_id, w->territories, w->media,
            w->languages, w->start, w->end[0] ? w->end : NULL, dims_excl_name(w->excl),
            w->runs > 0 ? ms_arena_printf(r->arena, "%lld", (long long)w->runs) : NULL,
            w->allocation >= 0 ? ms_arena_printf(r->arena, "%lld", (long long)w->allocation) : NULL,
            (int64_t)i);
        if (rc < 0) return rc;
    }
    for (int i = 0; i < d->nholdbacks; i++) {
        const rights_row *h = &d->holdbacks[i];
        char id[MS_ID_LEN], now[MS_TIME_LEN];
        ms_uuid7(id);
        ms_now_str(now);
        rc =
            db_exec(r->db, &r->err,
                    "INSERT INTO rights_holdback (id, org_id, title_id, deal_id, territories, "
                    "media, start_date, end_date, reason, created_by, created_at) VALUES (?, ?, ?, "
                    "?, ?, ?, ?, ?, ?, ?, ?)",
                    "sssssssssss", id, o->org_id, h->title_id, deal_id, h->territories, h->media,
                    h->start[0] ? h->start : NULL, h->end, h->note, o->user_id, now);
        if (rc < 0) return rc;
    }
    size_t i;
    json_t *p;
    json_array_foreach(d->payments, i, p)
    {
        int64_t amount = 0;
        ms_money_parse(json_object_get(p, "amount"), d->currency, &amount, "amount", &r->err);
        char id[MS_ID_LEN];
        ms_uuid7(id);
        rc = db_exec(r->db, &r->err,
                     "INSERT INTO rights_payment (id, deal_id, due_date, amount, paid_at, note, "
                     "position) VALUES (?, ?, ?, CAST(? AS BIGINT), ?, ?, ?)",
                     "ssssssI", id, deal_id, ms_json_str(p, "due_date"),
                     ms_arena_printf(r->arena, "%lld", (long long)amount),
                     ms_json_str(p, "paid_at"), rights_or(ms_json_str(p, "note"), ""), (int64_t)i);
        if (rc < 0) return rc;
    }
    return 0;
}

/* Stamp the (organization, title) pairs a statement selects as changed: rows of (title_id,
 * org_id), all of organization `org_id` when given. Read first, then written: the pairs are
 * few (a deal's titles). */
static int stamp_titles(ms_req *r, const char *org_id, db_stmt *st)
{
    json_t *pairs = json_array();
    int rc;
    while ((rc = db_step(st, &r->err)) == DB_ROW)
        json_array_append_new(
            pairs, json_pack("[ss]", db_col_text(st, 0), org_id ? org_id : db_col_text(st, 1)));
    db_done(st);
    size_t i;
    json_t *v;
    json_array_foreach(pairs, i, v) if (rc >= 0) rc = rights_title_changed(
        r, json_string_value(json_array_get(v, 1)), json_string_value(json_array_get(v, 0)));
    json_decref(pairs);
    return rc < 0 ? rc : 0;
}

/* Raise the revision of every title the deal touches (before or after a change). */
static int touch_titles(ms_req *r, const char *org_id, const char *deal_id)
{
    db_stmt *st;
    int rc = db_query(r->db, &st, &r->err,
                      "SELECT title_id FROM rights_deal_right WHERE deal_id = ? UNION SELECT "
                      "title_id FROM rights_holdback WHERE deal_id = ?",
                      "ss", deal_id, deal_id);
    return rc ? rc : stamp_titles(r, org_id, st);
}

/* The licensee organization's rights in from a signed deal: one per rights row. */
static int grant_licensee(ms_req *r, const rights_org *o, const char *deal_id)
{
    db_stmt *st;
    int rc = db_query_row(r->db, &st, &r->err,
                          "SELECT licensee_org_id, reference FROM rights_deal WHERE id = ?", "s",
                          deal_id);
    if (rc < 0) return rc;
    if (rc == DB_DONE || db_col_null(st, 0)) {
        if (rc == DB_ROW) db_done(st);
        return 0;
    }
    char licensee[MS_ID_LEN];
    ms_strlcpy(licensee, db_col_text(st, 0), sizeof licensee);
    char *ref = ms_arena_strdup(r->arena, db_col_text(st, 1));
    db_done(st);
    char now[MS_TIME_LEN];
    ms_now_str(now);
    /* The deal's rights row ids serve as the acquired rights' ids: one each, never reused. */
    rc = db_exec(r->db, &r->err,
                 "INSERT INTO rights_in (id, org_id, title_id, source, licensor, contract_ref, "
                 "deal_id, territories, media, languages, start_date, end_date, exclusivity, runs, "
                 "created_by, created_at, updated_at) SELECT id, ?, title_id, 'acquired', ?, ?, "
                 "deal_id, territories, media, languages, start_date, end_date, exclusivity, runs, "
                 "?, ?, ? FROM rights_deal_right WHERE deal_id = ?",
                 "sssssss", licensee, o->org_name, ref, o->user_id, now, now, deal_id);
    if (rc < 0) return rc;
    rc =
        db_query(r->db, &st, &r->err,
                 "SELECT DISTINCT title_id FROM rights_deal_right WHERE deal_id = ?", "s", deal_id);
    return rc ? rc : stamp_titles(r, licensee, st);
}

/* Take back what grant_licensee gave (termination). */
static int revoke_licensee(ms_req *r, const char *deal_id)
{
    char now[MS_TIME_LEN];
    ms_now_str(now);
    db_stmt *st;
    /* Stamped before the rows go: the stamp's query reads the rows still held. */
    int rc = db_query(r->db, &st, &r->err,
                      "SELECT DISTINCT title_id, org_id FROM rights_in WHERE deal_id = ? AND "
                      "source = 'acquired' AND deleted_at IS NULL",
                      "s", deal_id);
    if (rc || (rc = stamp_titles(r, NULL, st))) return rc;
    rc = db_exec(r->db, &r->err,
                 "UPDATE rights_in SET deleted_at = ?, version = version + 1 WHERE deal_id = ? AND "
                 "source = 'acquired' AND deleted_at IS NULL",
                 "ss", now, deal_id);
    return rc < 0 ? rc : 0;
}

static int conflict_fail(ms_req *r, json_t *conflicts, const char *doing)
{
    size_t n = json_array_size(conflicts);
    json_decref(r->problem);
    r->problem = json_pack("{s:o}", "conflicts", conflicts);
    return ms_req_fail(r, MS_ECONFLICT, "rights-conflict",
                       "%s conflicts with what is already licensed or not held: %zu conflict%s "
                       "(see conflicts).",
                       doing, n, n == 1 ? "" : "s");
}

static int check_conflicts(ms_req *r, const rights_org *o, const json_t *rights, const char *ignore,
                           const char *doing)
{
    json_t *conflicts = NULL;
    int rc = rights_conflicts(r, o, rights, ignore, &conflicts);
    if (rc) return rc;
    if (json_array_size(conflicts)) return conflict_fail(r, conflicts, doing);
    json_decref(conflicts);
    return 0;
}

int rights_deal_create(ms_req *r, const rights_org *o, const json_t *body, const char *status,
                       const char *offer_id, char id_out[MS_ID_LEN])
{
    if (check_shape(r, body)) return r->err.code;
    if (!status) status = rights_or(ms_json_str(body, "status"), "draft");
    if (!is_status(status) || !strcmp(status, "expired") || !strcmp(status, "terminated") ||
        !strcmp(status, "active"))
        return ms_field_fail(&r->err, "status",
                             "a new deal is draft, offered, negotiating or signed");
    int rc = rights_require(r, o, holds(status) ? LEVEL_MANAGE : LEVEL_EDIT,
                            holds(status) ? "sign deals" : "make deals");
    deal_in d;
    if (rc || (rc = deal_parse(r, o, body, &d))) return rc;
    if ((rc = check_conflicts(r, o, json_object_get(body, "rights"), NULL, "This deal"))) return rc;
    char now[MS_TIME_LEN];
    ms_now_str(now);
    ms_uuid7(id_out);
    bool signed_now = holds(status);
    rc = db_exec(r->db, &r->err,
                 "INSERT INTO rights_deal (id, org_id, licensee_org_id, licensee_name, reference, "
                 "status, currency, fee, minimum_guarantee, offer_id, notes, signed_at, signed_by, "
                 "created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
                 "?, ?, ?, ?)",
                 "sssssssIIsssssss", id_out, o->org_id, d.licensee_org_id, d.licensee_name,
                 d.reference, status, d.currency, d.fee, d.mg, offer_id, d.notes,
                 signed_now ? now : NULL, signed_now ? o->user_id : NULL, o->user_id, now, now);
    if (rc < 0) return rc;
    if ((rc = write_children(r, o, id_out, &d)) || (rc = touch_titles(r, o->org_id, id_out)))
        return rc;
    if (signed_now && (rc = grant_licensee(r, o, id_out))) return rc;
    json_t *data = json_pack("{s:s,s:s,s:i}", "status", status, "licensee_name", d.licensee_name,
                             "rights", d.nrights);
    rc = rights_event(r, o, signed_now ? "deal.signed" : "deal.created", "deal", id_out, data,
                      "Deal %s with %s %s", d.reference[0] ? d.reference : "(no reference)",
                      d.licensee_name, signed_now ? "signed" : "created");
    json_decref(data);
    return rc;
}

/* ---- Reading. ---- */

static void money_fields(json_t *o, const char *const *keys)
{
    const char *cur = rights_or(ms_json_str(o, "currency"), "USD");
    for (int i = 0; keys[i]; i++) {
        json_t *v = json_object_get(o, keys[i]);
        if (!json_is_integer(v)) continue;
        char buf[40];
        ms_money_fmt(json_integer_value(v), cur, buf, sizeof buf);
        json_object_set_new(o, keys[i], json_string(buf));
    }
}

/* Amount columns of a deal's child rows, in the deal's currency. */
static void money_of_row(json_t *row, const char *currency, const char *key)
{
    json_t *v = json_object_get(row, key);
    if (!json_is_integer(v)) return;
    char buf[40];
    ms_money_fmt(json_integer_value(v), currency, buf, sizeof buf);
    json_object_set_new(row, key, json_string(buf));
}

static void allocation_of(json_t *row, const char *currency)
{
    money_of_row(row, currency, "allocation");
}

static void amount_of(json_t *row, const char *currency)
{
    money_of_row(row, currency, "amount");
}

json_t *rights_deal_json(ms_req *r, const char *deal_id)
{
    db_stmt *st;
    int rc = db_query_row(
        r->db, &st, &r->err,
        "SELECT d.id, d.org_id, o.name AS org_name, d.licensee_org_id, d.licensee_name, "
        "d.reference, d.status, d.currency, d.fee, d.minimum_guarantee, d.notes, d.offer_id, "
        "d.signed_at, d.signed_by, d.terminated_at, d.created_at, d.updated_at, d.version FROM "
        "rights_deal d JOIN org o ON o.id = d.org_id WHERE d.id = ? AND d.deleted_at IS NULL",
        "s", deal_id);
    if (rc != DB_ROW) return NULL;
    json_t *deal = db_row_json(st);
    db_done(st);
    static const char *const money[] = {"fee", "minimum_guarantee", NULL};
    money_fields(deal, money);
    const char *cur = ms_json_str(deal, "currency");
    json_t *rights = json_array(), *payments = json_array(), *hbs = json_array();
    json_object_set_new(deal, "rights", rights);
    json_object_set_new(deal, "payments", payments);
    json_object_set_new(deal, "holdbacks", hbs);
    if (rights_rows_json(r, rights,
                         "SELECT dr.id, dr.title_id, t.title, dr.territories AS territories_json, "
                         "dr.media AS media_json, dr.languages AS languages_json, dr.start_date AS "
                         "start, dr.end_date AS \"end\", dr.exclusivity, dr.runs, dr.allocation "
                         "FROM rights_deal_right dr JOIN rights_title t ON t.id = dr.title_id "
                         "WHERE dr.deal_id = ? ORDER BY dr.position",
                         deal_id, allocation_of, cur) ||
        rights_rows_json(r, payments,
                         "SELECT id, due_date, amount, paid_at, note FROM rights_payment WHERE "
                         "deal_id = ? ORDER BY position",
                         deal_id, amount_of, cur) ||
        rights_rows_json(r, hbs,
                         "SELECT id, title_id, territories AS territories_json, media AS "
                         "media_json, start_date AS start, end_date AS \"end\", reason FROM "
                         "rights_holdback WHERE deal_id = ? AND deleted_at IS NULL ORDER BY id",
                         deal_id, NULL, NULL)) {
        json_decref(deal);
        return NULL;
    }
    return deal;
}

static int deal_reply(ms_req *r, int status, const char *id)
{
    json_t *d = rights_deal_json(r, id);
    if (!d) return r->err.code ? r->err.code : ms_req_fail(r, MS_ENOTFOUND, NULL, "No such deal.");
    ms_reply_etag(r, json_integer_value(json_object_get(d, "version")));
    return ms_reply(r, status, d);
}

/* The caller on deal `id`: the licensor's member (*licensor) or the licensee's (read only). */
static int deal_scope(ms_req *r, const char *id, rights_org *o, bool *licensor)
{
    if (!ms_uuid_valid(id)) return ms_req_fail(r, MS_ENOTFOUND, NULL, "No such deal.");
    db_stmt *st;
    int rc = db_query_row(r->db, &st, &r->err,
                          "SELECT org_id, licensee_org_id FROM rights_deal WHERE id = ? AND "
                          "deleted_at IS NULL",
                          "s", id);
    if (rc < 0) return rc;
    if (rc == DB_DONE) return ms_req_fail(r, MS_ENOTFOUND, NULL, "No such deal.");
    char lor[MS_ID_LEN], lee[MS_ID_LEN] = "";
    ms_strlcpy(lor, db_col_text(st, 0), sizeof lor);
    if (!db_col_null(st, 1)) ms_strlcpy(lee, db_col_text(st, 1), sizeof lee);
    db_done(st);
    rc = rights_org_get(r, lor, o);
    if (!rc) {
        *licensor = true;
        return 0;
    }
    if (rc != MS_ENOTFOUND) return rc;
    ms_error_clear(&r->err);
    *licensor = false;
    if (lee[0] && !(rc = rights_org_get(r, lee, o))) return 0;
    if (rc && rc != MS_ENOTFOUND) return rc;
    ms_error_clear(&r->err);
    return ms_req_fail(r, MS_ENOTFOUND, NULL, "No such deal.");
}

static int licensor_scope(ms_req *r, const char *id, rights_org *o, const char *doing)
{
    bool licensor;
    int rc = deal_scope(r, id, o, &licensor);
    if (rc) return rc;
    if (!licensor)
        return ms_req_fail(r, MS_EFORBIDDEN, "not-licensor",
                           "Only the licensor may %s; you are the licensee.", doing);
    return 0;
}

/* POST /orgs/{id}/deals */
int h_deals_create(ms_req *r)
{
    rights_org o;
    int rc = rights_org_get(r, ms_req_param(r, "id"), &o);
    if (rc) return rc;
    char id[MS_ID_LEN];
    if ((rc = rights_deal_create(r, &o, r->body, NULL, NULL, id))) return rc;
    ms_reply_header(r, "Location", ms_arena_printf(r->arena, "/api/v1/deals/%s", id));
    return deal_reply(r, 201, id);
}

/* GET /deals/{id} */
int h_deal_get(ms_req *r)
{
    rights_org o;
    bool licensor;
    const char *id = ms_req_param(r, "id");
    int rc = deal_scope(r, id, &o, &licensor);
    if (rc || (rc = deal_reply(r, 200, id))) return rc;
    json_object_set_new(r->json, "your_side", json_string(licensor ? "licensor" : "licensee"));
    return 0;
}

#define DEAL_SUMMARY                                                                               \
    "SELECT d.id, d.org_id, o.name AS org_name, d.licensee_org_id, d.licensee_name, "              \
    "d.reference, d.status, d.currency, d.fee, d.signed_at, d.updated_at, (SELECT COUNT(DISTINCT " \
    "dr.title_id) FROM rights_deal_right dr WHERE dr.deal_id = d.id) AS titles, (SELECT "          \
    "MIN(dr.start_date) FROM rights_deal_right dr WHERE dr.deal_id = d.id) AS start, (SELECT "     \
    "CASE WHEN COUNT(*) > COUNT(dr.end_date) THEN NULL ELSE MAX(dr.end_date) END FROM "            \
    "rights_deal_right dr WHERE dr.deal_id = d.id) AS \"end\", d.version FROM rights_deal d JOIN " \
    "org o ON o.id = d.org_id"

static void summary_row(ms_req *r, json_t *item)
{
    (void)r;
    static const char *const money[] = {"fee", NULL};
    money_fields(item, money);
}

/* GET /orgs/{id}/deals?status=&title_id=&role=&q= */
int h_deals_list(ms_req *r)
{
    static const char *const allowed[] = {"limit", "cursor", "status", "title_id",
                                          "role",  "q",      NULL};
    int limit;
    char cursor[MS_ID_LEN + 1];
    int rc = ms_req_query_only(r, allowed);
    if (rc || (rc = ms_req_page(r, &limit, cursor, sizeof cursor))) return rc;
    rights_org o;
    if ((rc = rights_org_get(r, ms_req_param(r, "id"), &o))) return rc;
    const char *role = rights_or(ms_req_query(r, "role"), "licensor");
    if (strcmp(role, "licensor") && strcmp(role, "licensee") && strcmp(role, "any"))
        return ms_field_fail(&r->err, "role", "must be licensor, licensee or any");
    ms_buf sql;
    ms_buf_init(&sql);
    db_arg args[10];
    int n = 0;
    ms_buf_puts(&sql, DEAL_SUMMARY " WHERE d.deleted_at IS NULL AND d.id > ?");
    args[n++] = DB_ARG_S(cursor);
    if (!strcmp(role, "licensor")) {
        ms_buf_puts(&sql, " AND d.org_id = ?");
        args[n++] = DB_ARG_S(o.org_id);
    } else if (!strcmp(role, "licensee")) {
        ms_buf_puts(&sql, " AND d.licensee_org_id = ?");
        args[n++] = DB_ARG_S(o.org_id);
    } else {
        ms_buf_puts(&sql, " AND (d.org_id = ? OR d.licensee_org_id = ?)");
        args[n++] = DB_ARG_S(o.org_id);
        args[n++] = DB_ARG_S(o.org_id);
    }
    const char *status = ms_req_query(r, "status"), *title = ms_req_query(r, "title_id");
    const char *q = ms_req_query(r, "q");
    if (status) {
        if (!is_status(status)) {
            ms_buf_free(&sql);
            return ms_field_fail(&r->err, "status", "is not a deal status");
        }
        ms_buf_puts(&sql, " AND d.status = ?");
        args[n++] = DB_ARG_S(status);
    }
    if (title) {
        ms_buf_puts(&sql, " AND EXISTS (SELECT 1 FROM rights_deal_right dr WHERE dr.deal_id = d.id "
                          "AND dr.title_id = ?)");
        args[n++] = DB_ARG_S(title);
    }
    if (q && *q) {
        ms_buf_puts(&sql, " AND (LOWER(d.reference) LIKE ? ESCAPE '\\' OR LOWER(d.licensee_name) "
                          "LIKE ? ESCAPE '\\')");
        char *pat = db_like_pattern(r->arena, q);
        args[n++] = DB_ARG_S(pat);
        args[n++] = DB_ARG_S(pat);
    }
    ms_buf_printf(&sql, " ORDER BY d.id LIMIT %d", limit + 1);
    db_stmt *st;
    rc = db_query_buf(r->db, &st, &r->err, &sql, args, n);
    return rc ? rc : auth_reply_page(r, st, limit, "id", summary_row);
}

/* GET /titles/{id}/deals: the acting organization's deals on the title, either side. */
int h_title_deals(ms_req *r)
{
    rights_org o;
    const char *id = ms_req_param(r, "id");
    int rc = rights_title_scope(r, id, &o, NULL);
    if (rc) return rc;
    db_stmt *st;
    rc = db_query(r->db, &st, &r->err,
                  DEAL_SUMMARY " WHERE d.deleted_at IS NULL AND (d.org_id = ? OR "
                               "d.licensee_org_id = ?) AND EXISTS (SELECT 1 FROM rights_deal_right "
                               "dr WHERE dr.deal_id = d.id AND dr.title_id = ?) ORDER BY d.id "
                               "LIMIT 501",
                  "sss", o.org_id, o.org_id, id);
    return rc ? rc : auth_reply_page(r, st, 500, "id", summary_row);
}

/* PATCH /deals/{id}: everything while open; only reference, notes and payments once signed. */
int h_deal_update(ms_req *r)
{
    if (check_shape(r, r->body)) return r->err.code;
    const char *id = ms_req_param(r, "id");
    rights_org o;
    int rc = licensor_scope(r, id, &o, "change the deal");
    if (rc || (rc = rights_require(r, &o, LEVEL_EDIT, "change deals"))) return rc;
    if (ms_json_has(r->body, "status"))
        return ms_field_fail(&r->err, "status", "changes through POST /deals/{id}/status");
    json_t *cur = rights_deal_json(r, id);
    if (!cur)
        return r->err.code ? r->err.code : ms_req_fail(r, MS_ENOTFOUND, NULL, "No such deal.");
    const char *status = ms_arena_strdup(r->arena, ms_json_str(cur, "status"));
    if ((rc = ms_req_check_version(r, json_integer_value(json_object_get(cur, "version"))))) {
        json_decref(cur);
        return rc;
    }
    if (closed(status)) {
        const char *key;
        json_t *v;
        json_object_foreach(r->body, key, v)
        {
            if (strcmp(key, "reference") && strcmp(key, "notes") && strcmp(key, "payments")) {
                json_decref(cur);
                return ms_req_fail(r, MS_ECONFLICT, "deal-signed",
                                   "The deal is %s: only its reference, notes and payments can "
                                   "change (%s cannot).",
                                   status, key);
            }
        }
    }
    /* The whole deal as it will be: the current one with the body's members over it, in the
     * form the create takes. */
    json_t *next = json_object();
    static const char *const keep[] = {"licensee_org_id", "licensee_name", "reference",
                                       "currency",        "notes",         "rights",
                                       "payments",        "holdbacks",     NULL};
    for (int i = 0; keep[i]; i++) {
        json_t *v = json_object_get(r->body, keep[i]);
        if (!v && !ms_json_has(r->body, keep[i])) v = json_object_get(cur, keep[i]);
        if (v) json_object_set(next, keep[i], v);
    }
    json_t *fee = json_object_get(r->body, "fee");
    json_object_set(next, "fee", fee ? fee : json_object_get(cur, "fee"));
    json_t *mg = json_object_get(r->body, "minimum_guarantee");
    json_object_set(next, "minimum_guarantee", mg ? mg : json_object_get(cur, "minimum_guarantee"));
    /* Rows read back carry ids and titles: strip what a create does not take. */
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(next, "rights"), i, v)
    {
        json_object_del(v, "title");
        if (json_is_null(json_object_get(v, "runs"))) json_object_del(v, "runs");
        if (json_is_null(json_object_get(v, "allocation"))) json_object_del(v, "allocation");
    }
    json_array_foreach(json_object_get(next, "payments"), i, v) json_object_del(v, "id");
    json_array_foreach(json_object_get(next, "holdbacks"), i, v)
    {
        json_object_del(v, "id");
        if (json_is_null(json_object_get(v, "start"))) json_object_del(v, "start");
    }
    json_decref(cur);
    if (!ms_json_str(r->body, "licensee_name") && ms_json_str(r->body, "licensee_org_id"))
        json_object_del(next, "licensee_name");
    deal_in d;
    if (check_shape(r, next) || (rc = deal_parse(r, &o, next, &d))) {
        json_decref(next);
        return r->err.code;
    }
    bool rights_change = ms_json_has(r->body, "rights") || ms_json_has(r->body, "holdbacks");
    if (rights_change &&
        (rc = check_conflicts(r, &o, json_object_get(next, "rights"), id, "The changed deal"))) {
        json_decref(next);
        return rc;
    }
    char now[MS_TIME_LEN];
    ms_now_str(now);
    if ((rc = touch_titles(r, o.org_id, id)) ||
        (rc = db_exec(r->db, &r->err, "DELETE FROM rights_deal_right WHERE deal_id = ?", "s", id)) <
            0 ||
        (rc = db_exec(r->db, &r->err, "DELETE FROM rights_payment WHERE deal_id = ?", "s", id)) <
            0 ||
        (rc = db_exec(r->db, &r->err, "DELETE FROM rights_holdback WHERE deal_id = ?", "s", id)) <
            0 ||
        (rc = db_exec(r->db, &r->err,
                      "UPDATE rights_deal SET licensee_org_id = ?, licensee_name = ?, reference = "
                      "?, currency = ?, fee = ?, minimum_guarantee = ?, notes = ?, updated_at = ?, "
                      "version = version + 1 WHERE id = ?",
                      "ssssIIsss", d.licensee_org_id, d.licensee_name, d.reference, d.currency,
                      d.fee, d.mg, d.notes, now, id)) < 0 ||
        (rc = write_children(r, &o, id, &d)) || (rc = touch_titles(r, o.org_id, id))) {
        json_decref(next);
        return rc;
    }
    rc = rights_event(r, &o, "deal.updated", "deal", id, NULL, "Deal %s with %s changed",
                      d.reference[0] ? d.reference : "(no reference)", d.licensee_name);
    json_decref(next);
    return rc ? rc : deal_reply(r, 200, id);
}

/* DELETE /deals/{id}: a deal that never held (draft, offered, negotiating). */
int h_deal_delete(ms_req *r)
{
    const char *id = ms_req_param(r, "id");
    rights_org o;
    int rc = licensor_scope(r, id, &o, "delete the deal");
    if (rc || (rc = rights_require(r, &o, LEVEL_EDIT, "delete deals"))) return rc;
    db_stmt *st;
    rc = db_query_row(r->db, &st, &r->err,
                      "SELECT status, version, reference FROM rights_deal WHERE id = ?", "s", id);
    if (rc < 0) return rc;
    char status[16];
    ms_strlcpy(status, db_col_text(st, 0), sizeof status);
    int64_t ver = db_col_int(st, 1);
    char *ref = ms_arena_strdup(r->arena, db_col_text(st, 2));
    db_done(st);
    if ((rc = ms_req_check_version(r, ver))) return rc;
    if (closed(status))
        return ms_req_fail(r, MS_ECONFLICT, "deal-signed",
                           "A %s deal is kept: terminate it instead.", status);
    char now[MS_TIME_LEN];
    ms_now_str(now);
    if ((rc = touch_titles(r, o.org_id, id)) ||
        (rc = db_exec(r->db, &r->err,
                      "UPDATE rights_deal SET deleted_at = ?, version = version + 1 WHERE id = ?",
                      "ss", now, id)) < 0 ||
        (rc = rights_event(r, &o, "deal.deleted", "deal", id, NULL, "Deal %s deleted",
                           ref[0] ? ref : "(no reference)")))
        return rc;
    return ms_reply_empty(r);
}

/* Which status may follow which. */
static bool may_move(const char *from, const char *to)
{
    static const char *const moves[][2] = {
        {"draft", "offered"},     {"draft", "negotiating"},   {"draft", "signed"},
        {"offered", "draft"},     {"offered", "negotiating"}, {"offered", "signed"},
        {"negotiating", "draft"}, {"negotiating", "offered"}, {"negotiating", "signed"},
        {"signed", "active"},     {"signed", "expired"},      {"signed", "terminated"},
        {"active", "expired"},    {"active", "terminated"},
    };
    for (size_t i = 0; i < sizeof moves / sizeof moves[0]; i++)
        if (!strcmp(moves[i][0], from) && !strcmp(moves[i][1], to)) return true;
    return false;
}

/* POST /deals/{id}/status {"status"} */
int h_deal_status(ms_req *r)
{
    static const ms_jfield fields[] = {
        {"status", MS_J_ENUM, true, false, 0, 0, deal_statuses},
        {NULL, 0, false, false, 0, 0, NULL},
    };
    if (ms_json_check(r->body, fields, &r->err)) return r->err.code;
    const char *id = ms_req_param(r, "id");
    const char *to = ms_json_str(r->body, "status");
    rights_org o;
    int rc = licensor_scope(r, id, &o, "change the deal's status");
    if (rc) return rc;
    json_t *cur = rights_deal_json(r, id);
    if (!cur)
        return r->err.code ? r->err.code : ms_req_fail(r, MS_ENOTFOUND, NULL, "No such deal.");
    char from[16];
    ms_strlcpy(from, ms_json_str(cur, "status"), sizeof from);
    int64_t ver = json_integer_value(json_object_get(cur, "version"));
    char *ref = ms_arena_strdup(r->arena, ms_json_str(cur, "reference"));
    char *licensee = ms_arena_strdup(r->arena, ms_json_str(cur, "licensee_name"));
    json_t *rights = json_incref(json_object_get(cur, "rights"));
    json_decref(cur);
    bool needs_manage = holds(to) || !strcmp(to, "terminated");
    if ((rc = rights_require(r, &o, needs_manage ? LEVEL_MANAGE : LEVEL_EDIT,
                             needs_manage ? "sign, activate or terminate deals"
                                          : "change deal statuses")) ||
        (rc = ms_req_check_version(r, ver)))
        goto out;
    if (!strcmp(from, to)) {
        rc = deal_reply(r, 200, id);
        goto out;
    }
    if (!may_move(from, to)) {
        rc = ms_req_fail(r, MS_ECONFLICT, "deal-status", "A %s deal cannot become %s.", from, to);
        goto out;
    }
    if (!strcmp(to, "signed")) {
        /* The signature: checked again against everything signed before it. */
        size_t i;
        json_t *v;
        json_array_foreach(rights, i, v)
        {
            json_object_del(v, "id");
            json_object_del(v, "title");
            json_object_del(v, "allocation");
            if (json_is_null(json_object_get(v, "runs"))) json_object_del(v, "runs");
        }
        if ((rc = check_conflicts(r, &o, rights, id, "Signing this deal"))) goto out;
    }
    char now[MS_TIME_LEN];
    ms_now_str(now);
    bool sign = !strcmp(to, "signed"), term = !strcmp(to, "terminated");
    if ((rc =
             db_exec(r->db, &r->err,
                     "UPDATE rights_deal SET status = ?, signed_at = CASE WHEN ? = '1' THEN ? ELSE "
                     "signed_at END, signed_by = CASE WHEN ? = '1' THEN ? ELSE signed_by END, "
                     "terminated_at = CASE WHEN ? = '1' THEN ? ELSE terminated_at END, updated_at "
                     "= ?, version = version + 1 WHERE id = ?",
                     "sssssssss", to, sign ? "1" : "0", now, sign ? "1" : "0", o.user_id,
                     term ? "1" : "0", now, now, id)) < 0)
        goto out;
    rc = touch_titles(r, o.org_id, id);
    if (!rc && sign) rc = grant_licensee(r, &o, id);
    if (!rc && term) rc = revoke_licensee(r, id);
    if (rc) goto out;
    char *action = ms_arena_printf(r->arena, "deal.%s", to);
    if ((rc = rights_event(r, &o, action, "deal", id, NULL, "Deal %s with %s: %s → %s",
                           ref[0] ? ref : "(no reference)", licensee, from, to)))
        goto out;
    rc = deal_reply(r, 200, id);
out:
    json_decref(rights);
    return rc;
}
