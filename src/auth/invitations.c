/* invitations.c: inviting people into an organization by e-mail.
 *
 * An admin invites an address with a role. The invitation carries a random token
 * ("msi_...", kept as a keyed hash) that is mailed to the address (a "mail.send" job, so a
 * slow or absent mail server never slows the request) and also returned once to the admin,
 * who may pass the link on another way. Whoever opens the link sees the organization and the
 * role, and accepts:
 *   - with no account for that address yet: by choosing a display name and password; the
 *     account is created, joined and signed in, in one step;
 *   - with an existing account: by signing in as that account first.
 * An invitation is for its address only, expires after 7 days, is used once, and can be
 * revoked. Inviting the same address again replaces the pending invitation. */
#include "auth/auth_internal.h"

#include "core/buf.h"
#include "core/seal.h"
#include "store/jobs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define INVITATION_TTL_MS (7LL * 86400 * 1000)

static const ms_jfield invite_fields[] = {
    {"email", MS_J_EMAIL, true, false, 0, 0, NULL},
    {"role", MS_J_ENUM, true, false, 0, 0, org_roles},
    {"message", MS_J_TEXT, false, false, 0, 2000, NULL},
    {0},
};

static const char invitation_select[] =
    "SELECT i.id, i.org_id, i.email, i.role, i.created_at, i.expires_at, i.accepted_at, "
    "i.revoked_at, u.display_name AS invited_by_name, CASE WHEN i.accepted_at IS NOT NULL THEN "
    "'accepted' WHEN i.revoked_at IS NOT NULL THEN 'revoked' WHEN i.expires_at <= ? THEN "
    "'expired' ELSE 'pending' END AS status FROM invitation i "
    "LEFT JOIN user_account u ON u.id = i.invited_by ";

static int enqueue_mail(ms_req *r, const char *to, const char *org_name, const char *role,
                        const char *inviter, const char *message, const char *url,
                        const char *expires)
{
    ms_buf b;
    ms_buf_init(&b);
    ms_buf_printf(&b, "%s invited you to join %s on mstation as %s.\n\n", inviter, org_name, role);
    if (message && *message) ms_buf_printf(&b, "%s\n\n", message);
    ms_buf_printf(&b, "Accept the invitation (valid until %s):\n%s\n\n", expires, url);
    ms_buf_printf(&b, "%s 邀请你以 %s 身份加入 mstation 上的 %s。\n接受邀请：%s\n", inviter, role,
                  org_name, url);
    char *subject =
        ms_arena_printf(r->arena, "%s invited you to %s on mstation", inviter, org_name);
    /* The text holds the invitation link: the queued job keeps it sealed (core/seal.h). */
    char *sealed = NULL;
    int rc = b.oom ? ms_req_fail(r, MS_ENOMEM, NULL, "out of memory")
                   : ms_seal(r->env->secret, "mail", b.data, b.len, &sealed, &r->err);
    ms_buf_free(&b);
    if (rc) return rc;
    json_t *p = json_pack("{s:s,s:s,s:s}", "to", to, "subject", subject, "text_sealed", sealed);
    free(sealed);
    ms_job_opts o = {.max_attempts = 10};
    rc = jobs_enqueue(r->db, "mail.send", p, &o, NULL, &r->err);
    json_decref(p);
    if (!rc) r->jobs_enqueued = true;
    return rc;
}

int h_invitations_create(ms_req *r)
{
    if (ms_json_check(r->body, invite_fields, &r->err)) return r->err.code;
    const char *org_id = ms_req_param(r, "id"), *role = ms_json_str(r->body, "role");
    if (!strcmp(role, "owner") && r->access->level < LEVEL_OWN)
        return ms_req_fail(r, MS_EFORBIDDEN, NULL, "Only an owner may invite another owner.");
    char *email = ms_arena_strdup(r->arena, ms_json_str(r->body, "email"));
    ms_str_lower(email);
    db_stmt *st;
    int rc = db_query_row(r->db, &st, &r->err,
                          "SELECT 1 FROM membership m JOIN user_account u ON u.id = m.user_id "
                          "WHERE m.org_id = ? AND u.email = ?",
                          "ss", org_id, email);
    if (rc < 0) return rc;
    if (rc == DB_ROW) {
        db_done(st);
        return ms_req_fail(r, MS_ECONFLICT, "already-member", "%s is already a member.", email);
    }
    char now[MS_TIME_LEN], expires[MS_TIME_LEN];
    int64_t t = ms_now_ms();
    ms_time_fmt(t, now);
    ms_time_fmt(t + INVITATION_TTL_MS, expires);
    /* Replace a pending invitation of the same address. */
    rc = db_exec(r->db, &r->err,
                 "UPDATE invitation SET revoked_at = ? WHERE org_id = ? AND email = ? AND "
                 "accepted_at IS NULL AND revoked_at IS NULL",
                 "sss", now, org_id, email);
    if (rc < 0) return rc;
    char token[64], hash[65], id[MS_ID_LEN];
    auth_credential_new("msi_", token);
    auth_credential_hash(r->env, "invitation", token, hash);
    ms_uuid7(id);
    rc = db_exec(r->db, &r->err,
                 "INSERT INTO invitation (id, org_id, email, role, token_hash, invited_by, "
                 "created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                 "ssssssss", id, org_id, email, role, hash, r->caller->user_id, now, expires);
    if (rc < 0) return rc;
    rc = db_query_row(r->db, &st, &r->err, "SELECT name FROM org WHERE id = ?", "s", org_id);
    if (rc < 0) return rc;
    char *org_name = ms_arena_strdup(r->arena, rc == DB_ROW ? db_col_text(st, 0) : "");
    if (rc == DB_ROW) db_done(st);
    char *url = ms_arena_printf(r->arena, "%s/invite/%s", r->env->config->public_url, token);
    if ((rc = enqueue_mail(r, email, org_name, role, r->caller->display_name,
                           ms_json_str(r->body, "message"), url, expires)))
        return rc;
    if ((rc = auth_event(r, "org.invitation.created", "invitation", id, org_id, NULL,
                         json_pack("{s:s,s:s}", "email", email, "role", role),
                         "%s invited %s as %s", r->caller->display_name, email, role)))
        return rc;
    rc = db_query_row(r->db, &st, &r->err,
                      ms_arena_printf(r->arena, "%sWHERE i.id = ?", invitation_select), "ss", now,
                      id);
    if (rc < 0) return rc;
    json_t *o = db_row_json(st);
    db_done(st);
    json_object_set_new(o, "token", json_string(token));
    json_object_set_new(o, "accept_url", json_string(url));
    ms_reply_header(r, "Location",
                    ms_arena_printf(r->arena, "/api/v1/orgs/%s/invitations/%s", org_id, id));
    return ms_reply(r, 201, o);
}

int h_invitations_list(ms_req *r)
{
    static const char *const allowed[] = {"limit", "cursor", "status", NULL};
    int limit, rc;
    char cursor[MS_ID_LEN + 1];
    if ((rc = ms_req_query_only(r, allowed)) ||
        (rc = ms_req_page(r, &limit, cursor, sizeof cursor)))
        return rc;
    const char *status = ms_req_query(r, "status");
    static const char *const statuses[] = {"pending", "accepted", "revoked", "expired", NULL};
    if (status && !auth_role_in(status, statuses))
        return ms_req_fail(r, MS_EBADREQ, "bad-query",
                           "status must be pending, accepted, revoked or expired.");
    char now[MS_TIME_LEN];
    ms_now_str(now);
    db_stmt *st;
    rc = db_query(r->db, &st, &r->err,
                  ms_arena_printf(r->arena,
                                  "SELECT * FROM (%sWHERE i.org_id = ? AND i.id > ?) x "
                                  "WHERE (? IS NULL OR x.status = ?) ORDER BY x.id LIMIT ?",
                                  invitation_select),
                  "sssssi", now, ms_req_param(r, "id"), cursor, status, status, limit + 1);
    if (rc) return rc;
    return auth_reply_page(r, st, limit, "id", NULL);
}

int h_invitations_revoke(ms_req *r)
{
    const char *org_id = ms_req_param(r, "id"), *inv = ms_req_param(r, "invitation_id");
    if (!ms_uuid_valid(inv)) return ms_req_fail(r, MS_ENOTFOUND, NULL, "No such invitation.");
    char now[MS_TIME_LEN];
    ms_now_str(now);
    db_stmt *st;
    int rc = db_query_row(r->db, &st, &r->err,
                          "SELECT email, accepted_at FROM invitation WHERE id = ? AND org_id = ?",
                          "ss", inv, org_id);
    if (rc < 0) return rc;
    if (rc == DB_DONE) return ms_req_fail(r, MS_ENOTFOUND, NULL, "No such invitation.");
    char *email = ms_arena_strdup(r->arena, db_col_text(st, 0));
    bool accepted = !db_col_null(st, 1);
    db_done(st);
    if (accepted)
        return ms_req_fail(r, MS_ECONFLICT, "invitation-accepted",
                           "This invitation was already accepted; remove the member instead.");
    rc = db_exec(r->db, &r->err,
                 "UPDATE invitation SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL", "ss",
                 now, inv);
    if (rc < 0) return rc;
    if (rc > 0 && (rc = auth_event(r, "org.invitation.revoked", "invitation", inv, org_id, NULL,
                                   NULL, "The invitation of %s was revoked", email)))
        return rc;
    return ms_reply_empty(r);
}

/* Load a usable invitation by token: fills the fields, or a precise error. */
typedef struct invitation {
    char id[MS_ID_LEN], org_id[MS_ID_LEN], email[256], role[16], expires[MS_TIME_LEN];
    char org_name[256], org_slug[64], org_kind[24], inviter[256];
} invitation;

static int load_invitation(ms_req *r, invitation *inv)
{
    const char *token = ms_req_param(r, "token");
    if (!token || strncmp(token, "msi_", 4) != 0 || strlen(token) != 47)
        return ms_req_fail(r, MS_ENOTFOUND, "invitation-invalid",
                           "This invitation link is not valid.");
    char hash[65];
    auth_credential_hash(r->env, "invitation", token, hash);
    db_stmt *st;
    int rc = db_query_row(r->db, &st, &r->err,
                          "SELECT i.id, i.org_id, i.email, i.role, i.expires_at, i.accepted_at, "
                          "i.revoked_at, o.name, o.slug, o.kind, u.display_name "
                          "FROM invitation i JOIN org o ON o.id = i.org_id "
                          "LEFT JOIN user_account u ON u.id = i.invited_by WHERE i.token_hash = ?",
                          "s", hash);
    if (rc < 0) return rc;
    if (rc == DB_DONE)
        return ms_req_fail(r, MS_ENOTFOUND, "invitation-invalid",
                           "This invitation link is not valid.");
    ms_strlcpy(inv->id, db_col_text(st, 0), sizeof inv->id);
    ms_strlcpy(inv->org_id, db_col_text(st, 1), sizeof inv->org_id);
    ms_strlcpy(inv->email, db_col_text(st, 2), sizeof inv->email);
    ms_strlcpy(inv->role, db_col_text(st, 3), sizeof inv->role);
    ms_strlcpy(inv->expires, db_col_text(st, 4), sizeof inv->expires);
    bool accepted = !db_col_null(st, 5), revoked = !db_col_null(st, 6);
    ms_strlcpy(inv->org_name, db_col_text(st, 7), sizeof inv->org_name);
    ms_strlcpy(inv->org_slug, db_col_text(st, 8), sizeof inv->org_slug);
    ms_strlcpy(inv->org_kind, db_col_text(st, 9), sizeof inv->org_kind);
    ms_strlcpy(inv->inviter, db_col_text(st, 10) ? db_col_text(st, 10) : "", sizeof inv->inviter);
    db_done(st);
    int64_t exp;
    if (accepted)
        return ms_req_fail(r, MS_ENOTFOUND, "invitation-used",
                           "This invitation was already accepted.");
    if (revoked)
        return ms_req_fail(r, MS_ENOTFOUND, "invitation-revoked", "This invitation was withdrawn.");
    if (!ms_time_parse(inv->expires, &exp) || exp <= ms_now_ms())
        return ms_req_fail(r, MS_ENOTFOUND, "invitation-expired",
                           "This invitation has expired; ask for a new one.");
    return 0;
}

static bool account_exists(ms_req *r, const char *email, char id_out[MS_ID_LEN])
{
    ms_error e;
    return user_find_by_email(r->db, email, id_out, &e) == 0;
}

int h_invitations_preview(ms_req *r)
{
    invitation inv;
    int rc = load_invitation(r, &inv);
    if (rc) return rc;
    char uid[MS_ID_LEN];
    return ms_reply(r, 200,
                    json_pack("{s:{s:s,s:s,s:s,s:s},s:s,s:s,s:s,s:s,s:b}", "org", "id", inv.org_id,
                              "name", inv.org_name, "slug", inv.org_slug, "kind", inv.org_kind,
                              "email", inv.email, "role", inv.role, "expires_at", inv.expires,
                              "invited_by", inv.inviter, "account_exists",
                              account_exists(r, inv.email, uid)));
}

static const ms_jfield accept_fields[] = {
    {"display_name", MS_J_STRING, false, false, 1, 200, NULL},
    {"password", MS_J_STRING, false, false, 1, 1024, NULL},
    {"locale", MS_J_LOCALE, false, false, 0, 0, NULL},
    {0},
};

int h_invitations_accept(ms_req *r)
{
    json_t *empty = NULL;
    const json_t *body = r->body;
    if (!body) body = empty = json_object();
    int rc = ms_json_check(body, accept_fields, &r->err);
    if (rc) {
        json_decref(empty);
        return rc;
    }
    invitation inv;
    if ((rc = load_invitation(r, &inv))) {
        json_decref(empty);
        return rc;
    }
    char uid[MS_ID_LEN];
    bool exists = account_exists(r, inv.email, uid);
    json_t *reply = json_object();
    if (exists) {
        if (!r->caller || strcmp(r->caller->user_id, uid) != 0) {
            json_decref(empty);
            json_decref(reply);
            return ms_req_fail(r, r->caller ? MS_EFORBIDDEN : MS_EUNAUTH, "sign-in-as-invitee",
                               "This invitation is for %s, who already has an account: sign in "
                               "as %s, then accept.",
                               inv.email, inv.email);
        }
    } else {
        if (r->caller && strcmp(r->caller->email, inv.email) != 0) {
            json_decref(empty);
            json_decref(reply);
            return ms_req_fail(r, MS_EFORBIDDEN, "wrong-account",
                               "This invitation is for %s; sign out to create that account.",
                               inv.email);
        }
        const char *name = ms_json_str(body, "display_name"), *pw = ms_json_str(body, "password");
        const char *locale = ms_json_str(body, "locale");
        if (!name) ms_field_fail(&r->err, "display_name", "is required to create your account");
        if (!pw) ms_field_fail(&r->err, "password", "is required to create your account");
        if (!name || !pw ||
            (rc = user_create(r->db, inv.email, name, locale ? locale : "en", pw, false, uid,
                              &r->err))) {
            json_decref(empty);
            json_decref(reply);
            return r->err.code ? r->err.code : MS_EINVAL;
        }
        char csrf[48], expires[MS_TIME_LEN];
        if ((rc = session_start(r, uid, csrf, expires))) {
            json_decref(empty);
            json_decref(reply);
            return rc;
        }
        json_object_set_new(reply, "csrf_token", json_string(csrf));
        json_object_set_new(reply, "expires_at", json_string(expires));
    }
    json_decref(empty);
    char now[MS_TIME_LEN];
    ms_now_str(now);
    rc = db_exec(r->db, &r->err,
                 "INSERT INTO membership (org_id, user_id, role, created_at, updated_at) "
                 "VALUES (?, ?, ?, ?, ?) ON CONFLICT (org_id, user_id) DO NOTHING",
                 "sssss", inv.org_id, uid, inv.role, now, now);
    if (rc >= 0)
        rc = db_exec(r->db, &r->err,
                     "UPDATE invitation SET accepted_at = ?, accepted_by = ? WHERE id = ?", "sss",
                     now, uid, inv.id);
    if (rc >= 0) {
        ms_event ev = {.actor_id = uid,
                       .action = "org.member.joined",
                       .object_type = "user",
                       .object_id = uid,
                       .org_id = inv.org_id,
                       .summary = ms_arena_printf(r->arena, "%s accepted the invitation as %s",
                                                  inv.email, inv.role)};
        rc = event_append(r->db, &ev, &r->err);
    }
    json_t *user = NULL;
    if (rc >= 0) rc = user_get_json(r->db, uid, &user, &r->err);
    if (rc < 0) {
        json_decref(reply);
        return rc;
    }
    json_object_set_new(reply, "user", user);
    json_object_set_new(reply, "org",
                        json_pack("{s:s,s:s,s:s,s:s}", "id", inv.org_id, "name", inv.org_name,
                                  "slug", inv.org_slug, "role", inv.role));
    return ms_reply(r, 201, reply);
}
