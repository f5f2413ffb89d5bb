/* tokens.c: personal API tokens for scripts and the CLI.
 *
 * A token is "mst_" + 43 base64url characters (256 random bits), shown once at creation and
 * stored as a keyed hash; `prefix` (the first 8 characters after mst_) lets a person tell
 * their tokens apart. Tokens expire (default 90 days; null for never) and can be revoked.
 * A token acts with its owner's full rights. */
#include "auth/auth_internal.h"

#include "core/buf.h"

#include <stdio.h>
#include <string.h>

#define DEFAULT_TTL_DAYS 90
#define MAX_TTL_MS       (10LL * 366 * 86400 * 1000)

int token_create(db_conn *c, const ms_env *env, const char *user_id, const char *name,
                 const char *expires_at, json_t **out, char token_out[64], ms_error *err)
{
    if (!name || !*name || ms_utf8_chars(name) > 100 || !ms_str_is_clean_text(name, 400, false))
        return ms_field_fail(err, "name", "must be 1-100 characters of text");
    int64_t now = ms_now_ms(), exp = 0;
    if (expires_at) {
        if (!ms_time_parse(expires_at, &exp))
            return ms_field_fail(err, "expires_at", "must be an RFC 3339 date-time");
        if (exp <= now) return ms_field_fail(err, "expires_at", "must be in the future");
        if (exp - now > MAX_TTL_MS)
            return ms_field_fail(err, "expires_at", "must be within ten years");
    }
    char token[64], hash[65], id[MS_ID_LEN], tnow[MS_TIME_LEN], texp[MS_TIME_LEN], prefix[16];
    auth_credential_new("mst_", token);
    auth_credential_hash(env, "token", token, hash);
    snprintf(prefix, sizeof prefix, "mst_%.8s", token + 4);
    ms_uuid7(id);
    ms_time_fmt(now, tnow);
    if (expires_at) ms_time_fmt(exp, texp);
    int rc = db_exec(c, err,
                     "INSERT INTO api_token (id, user_id, name, token_hash, prefix, created_at, "
                     "expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                     "sssssss", id, user_id, name, hash, prefix, tnow, expires_at ? texp : NULL);
    if (rc < 0) return rc;
    char summary[300];
    snprintf(summary, sizeof summary, "Created API token \"%s\" (%s...)", name, prefix);
    ms_event ev = {.actor_id = user_id,
                   .action = "token.created",
                   .object_type = "token",
                   .object_id = id,
                   .summary = summary};
    if ((rc = event_append(c, &ev, err))) return rc;
    if (out) {
        db_stmt *st;
        rc = db_query_row(c, &st, err,
                          "SELECT id, name, prefix, created_at, expires_at, last_used_at, "
                          "revoked_at FROM api_token WHERE id = ?",
                          "s", id);
        if (rc < 0) return rc;
        *out = db_row_json(st);
        db_done(st);
        json_object_set_new(*out, "token", json_string(token));
    }
    if (token_out) memcpy(token_out, token, strlen(token) + 1);
    return 0;
}

int token_revoke(db_conn *c, const char *user_id, const char *token_id, ms_error *err)
{
    if (!ms_uuid_valid(token_id)) return ms_fail(err, MS_ENOTFOUND, NULL, "No such token.");
    char now[MS_TIME_LEN];
    ms_now_str(now);
    db_stmt *st;
    int rc = db_query_row(c, &st, err,
                          "SELECT name, prefix, revoked_at FROM api_token WHERE id = ? AND "
                          "user_id = ?",
                          "ss", token_id, user_id);
    if (rc < 0) return rc;
    if (rc == DB_DONE) return ms_fail(err, MS_ENOTFOUND, NULL, "No such token.");
    char summary[300];
    snprintf(summary, sizeof summary, "Revoked API token \"%s\" (%s...)", db_col_text(st, 0),
             db_col_text(st, 1));
    bool already = !db_col_null(st, 2);
    db_done(st);
    if (already) return 0; /* revoking twice is not an error: the token is revoked */
    rc = db_exec(c, err, "UPDATE api_token SET revoked_at = ? WHERE id = ?", "ss", now, token_id);
    if (rc < 0) return rc;
    ms_event ev = {.actor_id = user_id,
                   .action = "token.revoked",
                   .object_type = "token",
                   .object_id = token_id,
                   .summary = summary};
    return event_append(c, &ev, err);
}

static const ms_jfield token_fields[] = {
    {"name", MS_J_STRING, true, false, 1, 100, NULL},
    {"expires_at", MS_J_TIME, false, true, 0, 0, NULL},
    {0},
};

int h_tokens_create(ms_req *r)
{
    if (ms_json_check(r->body, token_fields, &r->err)) return r->err.code;
    const char *exp = ms_json_str(r->body, "expires_at");
    char deftime[MS_TIME_LEN];
    if (!ms_json_has(r->body, "expires_at")) {
        ms_time_fmt(ms_now_ms() + DEFAULT_TTL_DAYS * 86400LL * 1000, deftime);
        exp = deftime;
    }
    json_t *out;
    int rc = token_create(r->db, r->env, r->caller->user_id, ms_json_str(r->body, "name"), exp,
                          &out, NULL, &r->err);
    if (rc) return rc;
    ms_reply_header(r, "Location",
                    ms_arena_printf(r->arena, "/api/v1/tokens/%s",
                                    json_string_value(json_object_get(out, "id"))));
    return ms_reply(r, 201, out);
}

int h_tokens_list(ms_req *r)
{
    static const char *const allowed[] = {"limit", "cursor", "include_revoked", NULL};
    int limit, rc;
    char cursor[MS_ID_LEN + 1];
    if ((rc = ms_req_query_only(r, allowed)) ||
        (rc = ms_req_page(r, &limit, cursor, sizeof cursor)))
        return rc;
    const char *inc = ms_req_query(r, "include_revoked");
    bool include = false;
    if (inc && !ms_parse_bool(inc, &include))
        return ms_req_fail(r, MS_EBADREQ, "bad-query", "include_revoked must be true or false.");
    db_stmt *st;
    rc = db_query(r->db, &st, &r->err,
                  "SELECT id, name, prefix, created_at, expires_at, last_used_at, revoked_at "
                  "FROM api_token WHERE user_id = ? AND (? = 1 OR revoked_at IS NULL) AND id > ? "
                  "ORDER BY id LIMIT ?",
                  "sisi", r->caller->user_id, include ? 1 : 0, cursor, limit + 1);
    if (rc) return rc;
    return auth_reply_page(r, st, limit, "id", NULL);
}

int h_tokens_delete(ms_req *r)
{
    int rc = token_revoke(r->db, r->caller->user_id, ms_req_param(r, "id"), &r->err);
    return rc ? rc : ms_reply_empty(r);
}
