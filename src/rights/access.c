/* access.c: who the caller is in an organization's rights (view, edit, manage: see
 * rights_internal.h), the event every write appends, the revision that keeps the engine's
 * cache honest, money, and the organization's media registry. It does not decide membership:
 * auth's authz_org does, and this only reads the level it gives. */
#include "rights/rights_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int rights_org_name(ms_req *r, const char *org_id, char *out, size_t cap)
{
    db_stmt *st;
    int rc = db_query_row(r->db, &st, &r->err, "SELECT name FROM org WHERE id = ?", "s", org_id);
    if (rc < 0) return rc;
    if (rc == DB_DONE) return ms_req_fail(r, MS_ENOTFOUND, NULL, "No such organization.");
    ms_strlcpy(out, db_col_text(st, 0), cap);
    db_done(st);
    return 0;
}

int rights_org_get(ms_req *r, const char *org_id, rights_org *out)
{
    memset(out, 0, sizeof *out);
    if (!r->caller) return ms_req_fail(r, MS_EUNAUTH, NULL, "Sign in first.");
    ms_access a;
    int rc = authz_org(r->db, r->caller, org_id, &a, &r->err);
    if (rc || (rc = rights_org_name(r, org_id, out->org_name, sizeof out->org_name))) return rc;
    ms_strlcpy(out->org_id, org_id, sizeof out->org_id);
    ms_strlcpy(out->user_id, r->caller->user_id, sizeof out->user_id);
    out->level = a.level > LEVEL_MANAGE ? LEVEL_MANAGE : a.level;
    return 0;
}

int rights_org_of(ms_req *r, const char *sql, const char *id, const char *what, rights_org *out)
{
    if (!ms_uuid_valid(id)) return ms_req_fail(r, MS_ENOTFOUND, NULL, "No such %s.", what);
    db_stmt *st;
    int rc = db_query_row(r->db, &st, &r->err, sql, "s", id);
    if (rc < 0) return rc;
    if (rc == DB_DONE) return ms_req_fail(r, MS_ENOTFOUND, NULL, "No such %s.", what);
    char org[MS_ID_LEN];
    ms_strlcpy(org, db_col_text(st, 0), sizeof org);
    db_done(st);
    rc = rights_org_get(r, org, out);
    if (rc == MS_ENOTFOUND) {
        ms_error_clear(&r->err);
        return ms_req_fail(r, MS_ENOTFOUND, NULL, "No such %s.", what);
    }
    return rc;
}

int rights_require(ms_req *r, const rights_org *o, ms_level need, const char *doing)
{
    if (o->level >= need) return 0;
    return ms_req_fail(r, MS_EFORBIDDEN, "rights-role",
                       "Your role in %s (%s) may not %s: that needs %s.", o->org_name,
                       ms_level_name(o->level), doing,
                       need >= LEVEL_MANAGE ? "an admin or owner" : "a member, admin or owner");
}

int rights_event(ms_req *r, const rights_org *o, const char *action, const char *object_type,
                 const char *object_id, json_t *data, const char *fmt, ...)
{
    ms_event ev = {.actor_id = r->caller ? r->caller->user_id : NULL,
                   .action = action,
                   .object_type = object_type,
                   .object_id = object_id,
                   .org_id = o->org_id,
                   .data = data};
    va_list ap;
    va_start(ap, fmt);
    int rc = event_vappendf(r->db, &ev, &r->err, fmt, ap);
    va_end(ap);
    return rc;
}

int rights_title_changed(ms_req *r, const char *org_id, const char *title_id)
{
    /* The revision row is written by every change of the organization's windows: under
     * PostgreSQL's serializable transactions two racing changes conflict on it, so one of two
     * racing signatures is retried and then sees the other. */
    int rc = db_exec(r->db, &r->err,
                     "INSERT INTO rights_revision (org_id, revision) VALUES (?, 1) ON CONFLICT "
                     "(org_id) DO UPDATE SET revision = rights_revision.revision + 1",
                     "s", org_id);
    if (rc < 0) return rc;
    rc = db_exec(r->db, &r->err,
                 "INSERT INTO rights_title_rev (org_id, title_id, rev) SELECT org_id, ?, revision "
                 "FROM rights_revision WHERE org_id = ? ON CONFLICT (org_id, title_id) DO UPDATE "
                 "SET rev = excluded.rev",
                 "ss", title_id, org_id);
    return rc < 0 ? rc : 0;
}

/* ---- Money. ---- */

/* ISO 4217 currencies in use, with their minor unit digits where it is not 2. */
static const char *const currencies[] = {
    "AED", "AFN", "ALL", "AMD", "ANG", "AOA", "ARS", "AUD", "AWG", "AZN", "BAM", "BBD", "BDT",
    "BGN", "BHD", "BIF", "BMD", "BND", "BOB", "BRL", "BSD", "BTN", "BWP", "BYN", "BZD", "CAD",
    "CDF", "CHF", "CLP", "CNY", "COP", "CRC", "CUP", "CVE", "CZK", "DJF", "DKK", "DOP", "DZD",
    "EGP", "ERN", "ETB", "EUR", "FJD", "FKP", "GBP", "GEL", "GHS", "GIP", "GMD", "GNF", "GTQ",
    "GYD", "HKD", "HNL", "HTG", "HUF", "IDR", "ILS", "INR", "IQD", "IRR", "ISK", "JMD", "JOD",
    "JPY", "KES", "KGS", "KHR", "KMF", "KPW", "KRW", "KWD", "KYD", "KZT", "LAK", "LBP", "LKR",
    "LRD", "LSL", "LYD", "MAD", "MDL", "MGA", "MKD", "MMK", "MNT", "MOP", "MRU", "MUR", "MVR",
    "MWK", "MXN", "MYR", "MZN", "NAD", "NGN", "NIO", "NOK", "NPR", "NZD", "OMR", "PAB", "PEN",
    "PGK", "PHP", "PKR", "PLN", "PYG", "QAR", "RON", "RSD", "RUB", "RWF", "SAR", "SBD", "SCR",
    "SDG", "SEK", "SGD", "SHP", "SLE", "SOS", "SRD", "SSP", "STN", "SVC", "SYP", "SZL", "THB",
    "TJS", "TMT", "TND", "TOP", "TRY", "TTD", "TWD", "TZS", "UAH", "UGX", "USD", "UYU", "UZS",
    "VES", "VND", "VUV", "WST", "XAF", "XCD", "XOF", "XPF", "YER", "ZAR", "ZMW", "ZWL", NULL};

bool rights_currency_valid(const char *currency)
{
    if (!currency) return false;
    for (int i = 0; currencies[i]; i++)
        if (!strcmp(currencies[i], currency)) return true;
    return false;
}

static int minor_digits(const char *currency)
{
    static const char *const zero[] = {"BIF", "CLP", "DJF", "GNF", "ISK", "JPY",
                                       "KMF", "KRW", "PYG", "RWF", "UGX", "VND",
                                       "VUV", "XAF", "XOF", "XPF", NULL};
    static const char *const three[] = {"BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND", NULL};
    for (int i = 0; zero[i]; i++)
        if (!strcmp(zero[i], currency)) return 0;
    for (int i = 0; three[i]; i++)
        if (!strcmp(three[i], currency)) return 3;
    return 2;
}

/* Amounts are bounded well inside int64 so that sums over many deals cannot overflow. */
#define AMOUNT_MAX 100000000000000LL /* 10^14 minor units */

int rights_amount_parse(const json_t *v, const char *currency, int64_t *out, const char *field,
                        ms_error *err)
{
    int digits = minor_digits(currency);
    int64_t scale = 1;
    for (int i = 0; i < digits; i++)
        scale *= 10;
    if (json_is_integer(v)) {
        json_int_t x = json_integer_value(v);
        if (x < 0 || x > AMOUNT_MAX / scale)
            return ms_field_fail(err, field, "must be between 0 and %lld", AMOUNT_MAX / scale);
        *out = (int64_t)x * scale;
        return 0;
    }
    const char *s = json_string_value(v);
    if (!s || !*s || strlen(s) > 24)
        return ms_field_fail(err, field, "must be an amount: an integer or a decimal string");
    int64_t whole = 0, frac = 0;
    int nfrac = 0;
    const char *p = s;
    if (!(*p >= '0' && *p <= '9'))
        return ms_field_fail(err, field, "must be a non-negative decimal amount like \"1250.50\"");
    for (; *p >= '0' && *p <= '9'; p++) {
        whole = whole * 10 + (*p - '0');
        if (whole > AMOUNT_MAX / scale) return ms_field_fail(err, field, "is too large");
    }
    if (*p == '.') {
        p++;
        if (!(*p >= '0' && *p <= '9'))
            return ms_field_fail(err, field, "must have digits after the decimal point");
        for (; *p >= '0' && *p <= '9'; p++) {
            if (++nfrac > digits)
                return ms_field_fail(err, field, "has more decimals than %s has (%d)", currency,
                                     digits);
            frac = frac * 10 + (*p - '0');
        }
    }
    if (*p)
        return ms_field_fail(err, field, "must be a non-negative decimal amount like \"1250.50\"");
    for (int i = nfrac; i < digits; i++)
        frac *= 10;
    *out = whole * scale + frac;
    return 0;
}

void rights_amount_fmt(int64_t minor, const char *currency, char *out, size_t cap)
{
    int digits = minor_digits(currency);
    if (!digits) {
        snprintf(out, cap, "%lld", (long long)minor);
        return;
    }
    int64_t scale = digits == 3 ? 1000 : 100;
    const char *sign = minor < 0 ? "-" : "";
    int64_t m = minor < 0 ? -minor : minor;
    snprintf(out, cap, "%s%lld.%0*lld", sign, (long long)(m / scale), digits,
             (long long)(m % scale));
}

/* ---- Media. ---- */

int rights_media_reg(ms_req *r, const char *org_id, dims_media_reg *reg)
{
    dims_media_reg_builtin(reg);
    db_stmt *st;
    int rc = db_query(r->db, &st, &r->err,
                      "SELECT code FROM rights_media WHERE org_id = ? ORDER BY created_at, code",
                      "s", org_id);
    if (rc) return rc;
    while ((rc = db_step(st, &r->err)) == DB_ROW)
        if (reg->n < AV_NMEDIA)
            reg->codes[reg->n++] = ms_arena_strdup(r->arena, db_col_text(st, 0));
    db_done(st);
    return rc < 0 ? rc : 0;
}

int rights_rows_json(ms_req *r, json_t *arr, const char *sql, const char *id,
                     void (*each)(json_t *row, const char *ctx), const char *ctx)
{
    db_stmt *st;
    int rc = db_query(r->db, &st, &r->err, sql, "s", id);
    if (rc) return rc;
    while ((rc = db_step(st, &r->err)) == DB_ROW) {
        json_t *row = db_row_json(st);
        if (each) each(row, ctx);
        json_array_append_new(arr, row);
    }
    db_done(st);
    return rc < 0 ? rc : 0;
}
