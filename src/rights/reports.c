/* reports.c: the money side of sales - revenue by title, territory, medium or licensee, and
 * what is coming: payments due (and overdue) and deals expiring within N days. Revenue counts
 * deals that held (signed, active, expired); a deal's fee is spread over its rights rows (a
 * row's allocation, or an equal share of what the allocations leave), and a row's share over
 * its territories or media evenly, remainders to the first, so every total adds up to the
 * fees exactly. Amounts are kept per currency: nothing here converts money. */
#include "rights/rights_internal.h"

#include <stdlib.h>
#include <string.h>

typedef struct rev_row {
    char title_id[MS_ID_LEN];
    char *title, *territories, *media, *licensee_key, *licensee_name;
    int64_t allocation; /* -1: a share of the rest */
} rev_row;

typedef struct agg {
    json_t *by_key; /* "currency\x1fkey" -> {"key", "label", "currency", "amount" (int), deals} */
    char last_deal[MS_ID_LEN];
} agg;

static void add(agg *a, const char *currency, const char *key, const char *label, int64_t amount,
                const char *deal_id)
{
    char k[400];
    snprintf(k, sizeof k, "%s\x1f%s", currency, key);
    json_t *o = json_object_get(a->by_key, k);
    if (!o) {
        o = json_pack("{s:s,s:s,s:s,s:I,s:i,s:s}", "key", key, "label", label, "currency", currency,
                      "amount", (json_int_t)0, "deals", 0, "_last", "");
        json_object_set_new(a->by_key, k, o);
    }
    json_object_set_new(o, "amount",
                        json_integer(json_integer_value(json_object_get(o, "amount")) + amount));
    if (strcmp(ms_json_str(o, "_last"), deal_id)) {
        json_object_set_new(o, "_last", json_string(deal_id));
        json_object_set_new(o, "deals",
                            json_integer(json_integer_value(json_object_get(o, "deals")) + 1));
    }
}

/* Spread `amount` over the items of a JSON array text, evenly. */
static void spread(agg *a, const char *currency, const char *deal_id, int64_t amount, json_t *keys,
                   json_t *labels)
{
    size_t n = json_array_size(keys);
    if (!n) return;
    int64_t each = amount / (int64_t)n, rest = amount - each * (int64_t)n;
    for (size_t i = 0; i < n; i++) {
        const char *k = json_string_value(json_array_get(keys, i));
        const char *l = labels ? json_string_value(json_array_get(labels, i)) : k;
        add(a, currency, k, l ? l : k, each + (i == 0 ? rest : 0), deal_id);
    }
}

static void flush_deal(agg *a, const char *by, const char *deal_id, const char *currency,
                       int64_t fee, rev_row *rows, int n)
{
    int64_t allocated = 0;
    int shares = 0;
    for (int i = 0; i < n; i++) {
        if (rows[i].allocation >= 0)
            allocated += rows[i].allocation;
        else
            shares++;
    }
    int64_t rest = fee - allocated > 0 ? fee - allocated : 0;
    int64_t each = shares ? rest / shares : 0, extra = shares ? rest - each * shares : 0;
    bool first_share = true;
    for (int i = 0; i < n; i++) {
        int64_t amount = rows[i].allocation;
        if (amount < 0) {
            amount = each + (first_share ? extra : 0);
            first_share = false;
        }
        if (!strcmp(by, "title")) {
            add(a, currency, rows[i].title_id, rows[i].title, amount, deal_id);
        } else if (!strcmp(by, "licensee")) {
            add(a, currency, rows[i].licensee_key, rows[i].licensee_name, amount, deal_id);
        } else if (!strcmp(by, "media")) {
            json_t *m = json_loads(rows[i].media, 0, NULL);
            spread(a, currency, deal_id, amount, m, NULL);
            json_decref(m);
        } else {
            json_t *t = json_loads(rows[i].territories, 0, NULL);
            av_terrs s;
            ms_error e;
            json_t *codes = t && !dims_terr_parse(t, &s, NULL, &e) ? dims_terr_codes(&s) : NULL;
            spread(a, currency, deal_id, amount, codes, NULL);
            json_decref(codes);
            json_decref(t);
        }
    }
}

static int amount_cmp(const void *x, const void *y)
{
    json_int_t a = json_integer_value(json_object_get(*(json_t *const *)x, "amount"));
    json_int_t b = json_integer_value(json_object_get(*(json_t *const *)y, "amount"));
    return a < b ? 1 : a > b ? -1 : 0;
}

/* GET /orgs/{id}/rights/revenue?by=title|territory|media|licensee&from=&to= */
int h_rights_revenue(ms_req *r)
{
    static const char *const allowed[] = {"by", "from", "to", NULL};
    int rc = ms_req_query_only(r, allowed);
    if (rc) return rc;
    const char *by = rights_or(ms_req_query(r, "by"), "title");
    if (strcmp(by, "title") && strcmp(by, "territory") && strcmp(by, "media") &&
        strcmp(by, "licensee"))
        return ms_field_fail(&r->err, "by", "must be title, territory, media or licensee");
    const char *from = ms_req_query(r, "from"), *to = ms_req_query(r, "to");
    av_day d;
    if (from && !dims_date_parse(from, &d)) ms_field_fail(&r->err, "from", "must be YYYY-MM-DD");
    if (to && !dims_date_parse(to, &d)) ms_field_fail(&r->err, "to", "must be YYYY-MM-DD");
    if (r->err.code) return r->err.code;
    rights_org o;
    if ((rc = rights_org_get(r, ms_req_param(r, "id"), &o))) return rc;
    char to_next[16] = "";
    if (to) {
        dims_date_parse(to, &d);
        dims_date_fmt(d + 1, to_next);
    }
    db_stmt *st;
    rc = db_query(r->db, &st, &r->err,
                  "SELECT d.id, d.currency, d.fee, COALESCE(d.licensee_org_id, d.licensee_name), "
                  "d.licensee_name, dr.title_id, t.title, dr.territories, dr.media, dr.allocation "
                  "FROM rights_deal d JOIN rights_deal_right dr ON dr.deal_id = d.id JOIN "
                  "rights_title t ON t.id = dr.title_id WHERE d.org_id = ? AND d.deleted_at IS "
                  "NULL AND d.status IN ('signed', 'active', 'expired') AND (CAST(? AS TEXT) IS "
                  "NULL OR d.signed_at >= ?) AND (CAST(? AS TEXT) IS NULL OR d.signed_at < ?) "
                  "ORDER BY d.id, dr.position",
                  "sssss", o.org_id, from, from, to ? to_next : NULL, to ? to_next : NULL);
    if (rc) return rc;
    agg a = {.by_key = json_object()};
    rev_row *rows = NULL;
    int n = 0, cap = 0;
    char deal[MS_ID_LEN] = "", currency[4] = "";
    int64_t fee = 0;
    ms_arena *ar = r->arena;
    while ((rc = db_step(st, &r->err)) == DB_ROW) {
        if (strcmp(deal, db_col_text(st, 0))) {
            if (deal[0]) flush_deal(&a, by, deal, currency, fee, rows, n);
            n = 0;
            ms_strlcpy(deal, db_col_text(st, 0), sizeof deal);
            ms_strlcpy(currency, db_col_text(st, 1), sizeof currency);
            fee = db_col_int(st, 2);
        }
        if (n == cap) {
            cap = cap ? cap * 2 : 16;
            rev_row *nr = ms_arena_alloc(ar, (size_t)cap * sizeof *nr);
            if (n) memcpy(nr, rows, (size_t)n * sizeof *nr);
            rows = nr;
        }
        rev_row *x = &rows[n++];
        ms_strlcpy(x->title_id, db_col_text(st, 5), sizeof x->title_id);
        x->licensee_key = ms_arena_strdup(ar, db_col_text(st, 3));
        x->licensee_name = ms_arena_strdup(ar, db_col_text(st, 4));
        x->title = ms_arena_strdup(ar, db_col_text(st, 6));
        x->territories = ms_arena_strdup(ar, db_col_text(st, 7));
        x->media = ms_arena_strdup(ar, db_col_text(st, 8));
        x->allocation = db_col_null(st, 9) ? -1 : db_col_int(st, 9);
    }
    db_done(st);
    if (rc < 0) {
        json_decref(a.by_key);
        return rc;
    }
    if (deal[0]) flush_deal(&a, by, deal, currency, fee, rows, n);
    size_t count = json_object_size(a.by_key), k = 0;
    json_t **list = ms_arena_alloc(ar, (count ? count : 1) * sizeof *list);
    const char *key;
    json_t *v;
    json_object_foreach(a.by_key, key, v) list[k++] = v;
    qsort(list, count, sizeof *list, amount_cmp);
    json_t *items = json_array();
    for (size_t i = 0; i < count; i++) {
        json_t *o2 = json_deep_copy(list[i]);
        json_object_del(o2, "_last");
        char buf[40];
        ms_money_fmt(json_integer_value(json_object_get(o2, "amount")), ms_json_str(o2, "currency"),
                     buf, sizeof buf);
        json_object_set_new(o2, "amount", json_string(buf));
        json_array_append_new(items, o2);
    }
    json_decref(a.by_key);
    return ms_reply(r, 200, json_pack("{s:s,s:o}", "by", by, "items", items));
}

/* GET /orgs/{id}/rights/due?days=90 */
int h_rights_due(ms_req *r)
{
    static const char *const allowed[] = {"days", NULL};
    int rc = ms_req_query_only(r, allowed);
    int64_t days = 90;
    if (rc || (rc = ms_req_query_int(r, "days", 90, 1, 3660, &days))) return rc;
    rights_org o;
    if ((rc = rights_org_get(r, ms_req_param(r, "id"), &o))) return rc;
    av_day today = (av_day)(ms_now_ms() / 86400000);
    char t0[11], t1[11];
    dims_date_fmt(today, t0);
    dims_date_fmt(today + (av_day)days, t1);
    db_stmt *st;
    rc = db_query(r->db, &st, &r->err,
                  "SELECT d.id AS deal_id, d.reference, d.licensee_name, p.due_date, p.amount, "
                  "d.currency, CASE WHEN p.due_date < ? THEN 1 ELSE 0 END AS is_overdue FROM "
                  "rights_payment p JOIN rights_deal d ON d.id = p.deal_id WHERE d.org_id = ? AND "
                  "d.deleted_at IS NULL AND d.status IN ('signed', 'active', 'expired') AND "
                  "p.paid_at IS NULL AND p.due_date <= ? ORDER BY p.due_date, d.id LIMIT 1000",
                  "sss", t0, o.org_id, t1);
    if (rc) return rc;
    json_t *payments = json_array();
    while ((rc = db_step(st, &r->err)) == DB_ROW) {
        json_t *p = db_row_json(st);
        char buf[40];
        ms_money_fmt(json_integer_value(json_object_get(p, "amount")), ms_json_str(p, "currency"),
                     buf, sizeof buf);
        json_object_set_new(p, "amount", json_string(buf));
        json_object_set(p, "overdue", json_object_get(p, "is_overdue"));
        json_object_del(p, "is_overdue");
        json_array_append_new(payments, p);
    }
    db_done(st);
    if (rc < 0) {
        json_decref(payments);
        return rc;
    }
    rc = db_query(r->db, &st, &r->err,
                  "SELECT d.id AS deal_id, d.reference, d.licensee_name, d.status, "
                  "MAX(dr.end_date) AS \"end\" FROM rights_deal d JOIN rights_deal_right dr ON "
                  "dr.deal_id = d.id WHERE d.org_id = ? AND d.deleted_at IS NULL AND d.status IN "
                  "('signed', 'active') GROUP BY d.id, d.reference, d.licensee_name, d.status "
                  "HAVING COUNT(*) = COUNT(dr.end_date) AND MAX(dr.end_date) >= ? AND "
                  "MAX(dr.end_date) <= ? ORDER BY MAX(dr.end_date), d.id LIMIT 1000",
                  "sss", o.org_id, t0, t1);
    if (rc) {
        json_decref(payments);
        return rc;
    }
    json_t *expiring = json_array();
    while ((rc = db_step(st, &r->err)) == DB_ROW)
        json_array_append_new(expiring, db_row_json(st));
    db_done(st);
    if (rc < 0) {
        json_decref(payments);
        json_decref(expiring);
        return rc;
    }
    return ms_reply(r, 200,
                    json_pack("{s:I,s:o,s:o}", "days", (json_int_t)days, "payments", payments,
                              "expiring", expiring));
}
