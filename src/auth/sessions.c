/* sessions.c: signing in and out, browser sessions, and slowing down password guessing.
 *
 * A session is a random cookie value (mss_...) kept as a keyed hash, with a CSRF token that
 * cookie-authenticated writes must echo in X-CSRF-Token. The cookie is HttpOnly and
 * SameSite=Lax (and Secure when public_url is https).
 *
 * Throttling. Failed sign-ins are counted per e-mail address and per client address in
 * signin_throttle (in the database, so that it holds across server processes). From the
 * third failure on an address, the next attempt must wait 1, 2, 4 ... up to 60 seconds
 * (429 with Retry-After, the password is not even checked); after signin_max_failures the
 * account is locked for signin_lock. A client address gets five times the allowance, since
 * an office shares one address. A success clears the e-mail's count. Counts older than an
 * hour start over. Unknown e-mail addresses cost the same argon2id time as known ones and
 * get the same answer, so sign-in does not reveal who has an account. */
#include "auth/auth_internal.h"

#include "core/buf.h"

#include <stdio.h>
#include <string.h>

#define WINDOW_MS   (3600LL * 1000)
#define MAX_DELAY_S 60

typedef struct bucket_policy {
    int64_t free_failures; /* failures before delays start */
    int64_t lock_after;    /* failures before the lock */
} bucket_policy;

static int throttle_check(ms_req *r, const char *bucket, int64_t now)
{
    db_stmt *st;
    int rc = db_query_row(r->db, &st, &r->err,
                          "SELECT next_allowed_at, locked_until FROM signin_throttle "
                          "WHERE bucket = ?",
                          "s", bucket);
    if (rc <= 0) return rc;
    int64_t next = 0, locked = 0;
    ms_time_parse(db_col_text(st, 0), &next);
    const char *l = db_col_text(st, 1);
    if (l) ms_time_parse(l, &locked);
    db_done(st);
    int64_t until = locked > now ? locked : next;
    if (until <= now) return 0;
    char *secs = ms_arena_printf(r->arena, "%lld", (long long)((until - now + 999) / 1000));
    ms_reply_header(r, "Retry-After", secs);
    if (locked > now)
        return ms_req_fail(r, MS_ELIMIT, "signin-locked",
                           "Too many failed sign-ins: sign-in is locked for %s more seconds.",
                           secs);
    return ms_req_fail(r, MS_ELIMIT, "signin-throttled",
                       "Too many failed sign-ins: wait %s seconds before trying again.", secs);
}

static int throttle_fail(ms_req *r, const char *bucket, bucket_policy p, int64_t now)
{
    db_stmt *st;
    int rc = db_query_row(r->db, &st, &r->err,
                          "SELECT failures, window_start FROM signin_throttle WHERE bucket = ?",
                          "s", bucket);
    if (rc < 0) return rc;
    int64_t failures = 0, start = now;
    if (rc == DB_ROW) {
        int64_t ws;
        if (ms_time_parse(db_col_text(st, 1), &ws) && now - ws < WINDOW_MS) {
            failures = db_col_int(st, 0);
            start = ws;
        }
        db_done(st);
    }
    failures++;
    int64_t delay_s = 0;
    if (failures > p.free_failures) {
        delay_s = 1;
        for (int64_t i = p.free_failures + 1; i < failures && delay_s < MAX_DELAY_S; i++)
            delay_s *= 2;
        if (delay_s > MAX_DELAY_S) delay_s = MAX_DELAY_S;
    }
    char tnow[MS_TIME_LEN], tstart[MS_TIME_LEN], tnext[MS_TIME_LEN], tlock[MS_TIME_LEN];
    ms_time_fmt(now, tnow);
    ms_time_fmt(start, tstart);
    ms_time_fmt(now + delay_s * 1000, tnext);
    const char *lock = NULL;
    if (failures >= p.lock_after) {
        ms_time_fmt(now + r->env->config->signin_lock * 1000, tlock);
        lock = tlock;
    }
    rc =
        db_exec(r->db, &r->err,
                "INSERT INTO signin_throttle (bucket, failures, window_start, next_allowed_at, "
                "locked_until, updated_at) VALUES (?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (bucket) DO UPDATE SET failures = excluded.failures, "
                "window_start = excluded.window_start, next_allowed_at = excluded.next_allowed_at, "
                "locked_until = excluded.locked_until, updated_at = excluded.updated_at",
                "sIssss", bucket, failures, tstart, tnext, lock, tnow);
    return rc < 0 ? rc : 0;
}

int session_start(ms_req *r, const char *user_id, char csrf_out[48], char expires_out[MS_TIME_LEN])
{
    char cookie[64], hash[65], id[MS_ID_LEN], now[MS_TIME_LEN];
    auth_credential_new("mss_", cookie);
    auth_credential_hash(r->env, "session", cookie, hash);
    unsigned char raw[24];
    ms_random_bytes(raw, sizeof raw);
    ms_b64url_encode(raw, sizeof raw, csrf_out);
    ms_uuid7(id);
    int64_t t = ms_now_ms();
    ms_time_fmt(t, now);
    ms_time_fmt(t + r->env->config->session_ttl * 1000, expires_out);
    char ua[256];
    ms_strlcpy(ua, r->user_agent ? r->user_agent : "", sizeof ua);
    if (!ms_str_is_clean_text(ua, sizeof ua, false)) ua[0] = 0;
    int rc = db_exec(r->db, &r->err,
                     "INSERT INTO session (id, token_hash, user_id, csrf_token, created_at, "
                     "expires_at, last_seen_at, ip, user_agent) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                     "sssssssss", id, hash, user_id, csrf_out, now, expires_out, now,
                     r->client_ip ? r->client_ip : "", ua);
    if (rc < 0) return rc;
    bool secure = ms_str_has_prefix(r->env->config->public_url, "https:");
    char *set =
        ms_arena_printf(r->arena, "ms_session=%s; Path=/; HttpOnly; SameSite=Lax; Max-Age=%lld%s",
                        cookie, (long long)r->env->config->session_ttl, secure ? "; Secure" : "");
    ms_reply_header(r, "Set-Cookie", set);
    return 0;
}

static const ms_jfield signin_fields[] = {
    {"email", MS_J_STRING, true, false, 1, 254, NULL},
    {"password", MS_J_STRING, true, false, 1, 1024, NULL},
    {0},
};

/* POST /sessions (MS_ROUTE_NO_TX: the password check happens outside the write lock). */
int h_sessions_create(ms_req *r)
{
    if (ms_json_check(r->body, signin_fields, &r->err)) return r->err.code;
    char email[256];
    ms_strlcpy(email, ms_json_str(r->body, "email"), sizeof email);
    ms_str_lower(email);
    const char *password = ms_json_str(r->body, "password");
    const ms_config *cfg = r->env->config;
    int64_t now = ms_now_ms();
    char *email_bucket = ms_arena_printf(r->arena, "email:%s", email);
    char *ip_bucket = ms_arena_printf(r->arena, "ip:%s", r->client_ip ? r->client_ip : "");
    int rc;
    if ((rc = throttle_check(r, email_bucket, now)) || (rc = throttle_check(r, ip_bucket, now)))
        return rc;

    db_stmt *st;
    rc = db_query_row(r->db, &st, &r->err,
                      "SELECT id, password_hash, disabled, display_name FROM user_account "
                      "WHERE email = ?",
                      "s", email);
    if (rc < 0) return rc;
    char user_id[MS_ID_LEN] = "", hash[128] = "", name[256] = "";
    bool disabled = false;
    if (rc == DB_ROW) {
        ms_strlcpy(user_id, db_col_text(st, 0), sizeof user_id);
        ms_strlcpy(hash, db_col_text(st, 1), sizeof hash);
        disabled = db_col_int(st, 2) != 0;
        ms_strlcpy(name, db_col_text(st, 3), sizeof name);
        db_done(st);
    }
    bool ok;
    if (user_id[0]) {
        ok = password_verify(hash, password);
    } else {
        password_verify_dummy(password);
        ok = false;
    }

    if ((rc = db_begin(r->db, DB_TX_WRITE, &r->err))) return rc;
    if (!ok) {
        bucket_policy pe = {2, cfg->signin_max_failures};
        bucket_policy pi = {5 * cfg->signin_max_failures / 2, 5 * cfg->signin_max_failures};
        rc = throttle_fail(r, email_bucket, pe, now);
        if (!rc) rc = throttle_fail(r, ip_bucket, pi, now);
        if (!rc && user_id[0]) {
            ms_event ev = {.actor_id = user_id,
                           .action = "user.signin_failed",
                           .object_type = "user",
                           .object_id = user_id,
                           .summary = "A sign-in with a wrong password was refused"};
            json_t *d = json_pack("{s:s}", "ip", r->client_ip ? r->client_ip : "");
            ev.data = d;
            rc = event_append(r->db, &ev, &r->err);
            json_decref(d);
        }
        if (!rc)
            rc = db_commit(r->db, &r->err);
        else
            db_rollback(r->db);
        if (rc) return rc;
        return ms_req_fail(r, MS_EUNAUTH, "invalid-credentials",
                           "The e-mail address or the password is wrong.");
    }
    if (disabled) {
        db_rollback(r->db);
        return ms_req_fail(r, MS_EUNAUTH, "account-disabled",
                           "This account is disabled; ask your administrator.");
    }
    char csrf[48], expires[MS_TIME_LEN];
    rc = db_exec(r->db, &r->err, "DELETE FROM signin_throttle WHERE bucket = ?", "s", email_bucket);
    if (rc >= 0) rc = session_start(r, user_id, csrf, expires);
    if (rc >= 0) {
        ms_event ev = {.actor_id = user_id,
                       .action = "user.signed_in",
                       .object_type = "user",
                       .object_id = user_id,
                       .summary = "Signed in"};
        json_t *d = json_pack("{s:s}", "ip", r->client_ip ? r->client_ip : "");
        ev.data = d;
        rc = event_append(r->db, &ev, &r->err);
        json_decref(d);
    }
    json_t *user = NULL;
    if (rc >= 0) rc = user_get_json(r->db, user_id, &user, &r->err);
    if (rc < 0) {
        db_rollback(r->db);
        return rc;
    }
    if ((rc = db_commit(r->db, &r->err))) {
        json_decref(user);
        return rc;
    }
    return ms_reply(
        r, 201,
        json_pack("{s:o,s:s,s:s}", "user", user, "csrf_token", csrf, "expires_at", expires));
}

static void clear_cookie(ms_req *r)
{
    ms_reply_header(r, "Set-Cookie", "ms_session=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0");
}

/* DELETE /sessions/current: sign out. */
int h_sessions_delete_current(ms_req *r)
{
    if (r->caller->via != AUTH_VIA_SESSION)
        return ms_req_fail(r, MS_EBADREQ, "not-a-session",
                           "This request is authenticated with an API token, not a session; "
                           "revoke tokens with DELETE /api/v1/tokens/{id}.");
    int rc =
        db_exec(r->db, &r->err, "DELETE FROM session WHERE id = ?", "s", r->caller->credential_id);
    if (rc < 0) return rc;
    if ((rc = auth_event(r, "user.signed_out", "user", r->caller->user_id, NULL, NULL, NULL,
                         "Signed out")))
        return rc;
    clear_cookie(r);
    return ms_reply_empty(r);
}

int h_sessions_list(ms_req *r)
{
    static const char *const allowed[] = {"limit", "cursor", NULL};
    int limit, rc;
    char cursor[MS_ID_LEN + 1];
    if ((rc = ms_req_query_only(r, allowed)) ||
        (rc = ms_req_page(r, &limit, cursor, sizeof cursor)))
        return rc;
    char now[MS_TIME_LEN];
    ms_now_str(now);
    db_stmt *st;
    rc = db_query(r->db, &st, &r->err,
                  "SELECT id, created_at, expires_at, last_seen_at, ip, user_agent, "
                  "CASE WHEN id = ? THEN 1 ELSE 0 END AS is_current FROM session "
                  "WHERE user_id = ? AND expires_at > ? AND id > ? ORDER BY id LIMIT ?",
                  "ssssi", r->caller->via == AUTH_VIA_SESSION ? r->caller->credential_id : "",
                  r->caller->user_id, now, cursor, limit + 1);
    if (rc) return rc;
    return auth_reply_page(r, st, limit, "id", NULL);
}

int h_sessions_delete(ms_req *r)
{
    const char *id = ms_req_param(r, "id");
    if (!ms_uuid_valid(id)) return ms_req_fail(r, MS_ENOTFOUND, NULL, "No such session.");
    int rc = db_exec(r->db, &r->err, "DELETE FROM session WHERE id = ? AND user_id = ?", "ss", id,
                     r->caller->user_id);
    if (rc < 0) return rc;
    if (rc == 0) return ms_req_fail(r, MS_ENOTFOUND, NULL, "No such session.");
    if ((rc = auth_event(r, "user.session_ended", "session", id, NULL, NULL, NULL,
                         "Ended a session on another device")))
        return rc;
    if (r->caller->via == AUTH_VIA_SESSION && !strcmp(id, r->caller->credential_id))
        clear_cookie(r);
    return ms_reply_empty(r);
}
