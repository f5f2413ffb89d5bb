/* users.c: user accounts: creation (CLI, invitations), profile, password change.
 *
 * There is no open sign-up: accounts come from `mstation init`/`user add` or from accepting an
 * invitation. E-mail addresses are stored lower-case and are unique. */
#include "auth/auth_internal.h"

#include "core/buf.h"

#include <stdio.h>
#include <string.h>

static const char user_cols[] =
    "SELECT id, email, display_name, locale, is_admin, created_at, updated_at, version "
    "FROM user_account WHERE id = ?";

int user_create_hashed(db_conn *c, const char *email, const char *display_name, const char *locale,
                       const char *password_hash, bool is_admin, char id_out[MS_ID_LEN],
                       ms_error *err)
{
    if (!ms_email_valid(email)) return ms_field_fail(err, "email", "must be an e-mail address");
    if (!display_name || !*display_name || ms_utf8_chars(display_name) > 200 ||
        !ms_str_is_clean_text(display_name, 800, false))
        return ms_field_fail(err, "display_name", "must be 1-200 characters of text");
    if (!ms_locale_valid(locale))
        return ms_field_fail(err, "locale", "must be a language tag such as en or zh-CN");
    char lower[256];
    ms_strlcpy(lower, email, sizeof lower);
    ms_str_lower(lower);
    char id[MS_ID_LEN], now[MS_TIME_LEN];
    ms_uuid7(id);
    ms_now_str(now);
    int rc = db_exec(c, err,
                     "INSERT INTO user_account (id, email, display_name, locale, password_hash, "
                     "is_admin, password_changed_at, created_at, updated_at) "
                     "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                     "sssssbsss", id, lower, display_name, locale, password_hash, is_admin, now,
                     now, now);
    if (rc == MS_ECONFLICT)
        return ms_fail(err, MS_ECONFLICT, "email-taken",
                       "An account with e-mail %s already exists.", lower);
    if (rc < 0) return rc;
    char summary[400];
    snprintf(summary, sizeof summary, "Account %s created for %s", lower, display_name);
    ms_event ev = {.action = "user.created",
                   .object_type = "user",
                   .object_id = id,
                   .summary = summary,
                   .actor_id = NULL};
    /* Personal events are visible to the actor only: make the new user the actor. */
    ev.actor_id = id;
    if ((rc = event_append(c, &ev, err))) return rc;
    if (id_out) memcpy(id_out, id, MS_ID_LEN);
    return 0;
}

int user_create(db_conn *c, const char *email, const char *display_name, const char *locale,
                const char *password, bool is_admin, char id_out[MS_ID_LEN], ms_error *err)
{
    int rc = password_check_policy(password, email, err);
    if (rc) return rc;
    char hash[128];
    if ((rc = password_hash(password, hash, err))) return rc;
    return user_create_hashed(c, email, display_name, locale, hash, is_admin, id_out, err);
}

int user_set_password(db_conn *c, const char *user_id, const char *hash, ms_error *err)
{
    char now[MS_TIME_LEN];
    ms_now_str(now);
    int rc = db_exec(c, err,
                     "UPDATE user_account SET password_hash = ?, password_changed_at = ?, "
                     "updated_at = ?, version = version + 1 WHERE id = ?",
                     "ssss", hash, now, now, user_id);
    if (rc < 0) return rc;
    if (rc == 0) return ms_fail(err, MS_ENOTFOUND, NULL, "No such user.");
    return 0;
}

int user_find_by_email(db_conn *c, const char *email, char id_out[MS_ID_LEN], ms_error *err)
{
    char lower[256];
    ms_strlcpy(lower, email, sizeof lower);
    ms_str_lower(lower);
    db_stmt *st;
    int rc = db_query_row(c, &st, err, "SELECT id FROM user_account WHERE email = ?", "s", lower);
    if (rc < 0) return rc;
    if (rc == DB_DONE) return ms_fail(err, MS_ENOTFOUND, NULL, "No account with e-mail %s.", lower);
    ms_strlcpy(id_out, db_col_text(st, 0), MS_ID_LEN);
    db_done(st);
    return 0;
}

int user_get_json(db_conn *c, const char *user_id, json_t **out, ms_error *err)
{
    db_stmt *st;
    int rc = db_query_row(c, &st, err, user_cols, "s", user_id);
    if (rc < 0) return rc;
    if (rc == DB_DONE) return ms_fail(err, MS_ENOTFOUND, NULL, "No such user.");
    *out = db_row_json(st);
    db_done(st);
    return 0;
}

/* GET /users/me: the account, its organizations (for the switcher) and, for a browser
 * session, the CSRF token (so a reloaded page can write again). */
int h_users_me(ms_req *r)
{
    json_t *me;
    int rc = user_get_json(r->db, r->caller->user_id, &me, &r->err);
    if (rc) return rc;
    db_stmt *st;
    rc = db_query(r->db, &st, &r->err,
                  "SELECT o.id, o.slug, o.name, o.kind, m.role FROM membership m "
                  "JOIN org o ON o.id = m.org_id WHERE m.user_id = ? ORDER BY o.name, o.id",
                  "s", r->caller->user_id);
    if (rc) {
        json_decref(me);
        return rc;
    }
    json_t *orgs = json_array();
    while ((rc = db_step(st, &r->err)) == DB_ROW)
        json_array_append_new(orgs, db_row_json(st));
    db_done(st);
    if (rc < 0) {
        json_decref(me);
        json_decref(orgs);
        return rc;
    }
    json_object_set_new(me, "orgs", orgs);
    json_object_set_new(me, "auth",
                        json_string(r->caller->via == AUTH_VIA_SESSION ? "session" : "token"));
    if (r->caller->via == AUTH_VIA_SESSION)
        json_object_set_new(me, "csrf_token", json_string(r->caller->csrf));
    ms_reply_etag(r, json_integer_value(json_object_get(me, "version")));
    return ms_reply(r, 200, me);
}

static const ms_jfield me_update_fields[] = {
    {"display_name", MS_J_STRING, false, false, 1, 200, NULL},
    {"locale", MS_J_LOCALE, false, false, 0, 0, NULL},
    {0},
};

int h_users_me_update(ms_req *r)
{
    if (ms_json_check(r->body, me_update_fields, &r->err)) return r->err.code;
    db_stmt *st;
    int rc = db_query_row(r->db, &st, &r->err,
                          "SELECT version, display_name, locale FROM user_account WHERE id = ?",
                          "s", r->caller->user_id);
    if (rc < 0) return rc;
    if (rc == DB_DONE) return ms_req_fail(r, MS_ENOTFOUND, NULL, "No such user.");
    int64_t version = db_col_int(st, 0);
    const char *name = ms_json_str(r->body, "display_name");
    const char *locale = ms_json_str(r->body, "locale");
    char *old_name = ms_arena_strdup(r->arena, db_col_text(st, 1));
    char *old_locale = ms_arena_strdup(r->arena, db_col_text(st, 2));
    db_done(st);
    if ((rc = ms_req_check_version(r, version))) return rc;
    char now[MS_TIME_LEN];
    ms_now_str(now);
    rc = db_exec(r->db, &r->err,
                 "UPDATE user_account SET display_name = ?, locale = ?, updated_at = ?, "
                 "version = version + 1 WHERE id = ? AND version = ?",
                 "ssssI", name ? name : old_name, locale ? locale : old_locale, now,
                 r->caller->user_id, version);
    if (rc < 0) return rc;
    if (rc == 0) return ms_req_check_version(r, version + 1);
    if ((rc = auth_event(r, "user.updated", "user", r->caller->user_id, NULL, NULL, NULL,
                         "%s updated their profile", name ? name : old_name)))
        return rc;
    return h_users_me(r);
}

static const ms_jfield password_fields[] = {
    {"current_password", MS_J_STRING, true, false, 1, 1024, NULL},
    {"new_password", MS_J_STRING, true, false, 1, 1024, NULL},
    {0},
};

/* POST /users/me/password. Runs its own transactions (MS_ROUTE_NO_TX): the two argon2id
 * computations take a tenth of a second each and must not hold the write lock. Every other
 * session of the user ends; the current one stays. */
int h_users_me_password(ms_req *r)
{
    if (ms_json_check(r->body, password_fields, &r->err)) return r->err.code;
    const char *cur = ms_json_str(r->body, "current_password");
    const char *new = ms_json_str(r->body, "new_password");
    db_stmt *st;
    int rc =
        db_query_row(r->db, &st, &r->err, "SELECT password_hash FROM user_account WHERE id = ?",
                     "s", r->caller->user_id);
    if (rc < 0) return rc;
    if (rc == DB_DONE) return ms_req_fail(r, MS_ENOTFOUND, NULL, "No such user.");
    char hash[128];
    ms_strlcpy(hash, db_col_text(st, 0), sizeof hash);
    db_done(st);
    if (!password_verify(hash, cur)) {
        ms_field_fail(&r->err, "current_password", "is not your current password");
        snprintf(r->err.type, sizeof r->err.type, "wrong-password");
        return MS_EINVAL;
    }
    if ((rc = password_check_policy(new, r->caller->email, &r->err))) {
        /* The policy names the field "password"; here it is new_password. */
        for (int i = 0; i < r->err.nfields; i++)
            if (!strcmp(r->err.fields[i].field, "password"))
                ms_strlcpy(r->err.fields[i].field, "new_password", sizeof r->err.fields[i].field);
        return rc;
    }
    char newhash[128];
    if ((rc = password_hash(new, newhash, &r->err))) return rc;
    if ((rc = db_begin(r->db, DB_TX_WRITE, &r->err))) return rc;
    rc = user_set_password(r->db, r->caller->user_id, newhash, &r->err);
    if (!rc) {
        const char *keep = r->caller->via == AUTH_VIA_SESSION ? r->caller->credential_id : "";
        int n = db_exec(r->db, &r->err, "DELETE FROM session WHERE user_id = ? AND id <> ?", "ss",
                        r->caller->user_id, keep);
        rc = n < 0 ? n : 0;
        if (!rc)
            rc = auth_event(r, "user.password_changed", "user", r->caller->user_id, NULL, NULL,
                            json_pack("{s:i}", "sessions_ended", n),
                            "%s changed their password; %d other session(s) ended",
                            r->caller->display_name, n);
    }
    if (rc) {
        db_rollback(r->db);
        return rc;
    }
    if ((rc = db_commit(r->db, &r->err))) return rc;
    return ms_reply_empty(r);
}
