/* authz.c: authentication of a request's credentials and the one authorization function.
 *
 * Every route's permission is checked here (authz_require), and module handlers that act on
 * an object named in the body (create a project in org X) call the same function. The rules
 * are written out in auth.h. Keep them in this file only. */
#include "auth/auth.h"

#include "core/buf.h"
#include "core/time.h"

#include <stdio.h>
#include <string.h>

/* Throttle for "last used/seen" writes: at most one per credential per this interval, so
 * that authenticating a request stays a read. */
#define TOUCH_INTERVAL_MS (60 * 1000)

/* Both credential kinds are looked up with their user in one query; the user columns come
 * last in the same order, starting at column `first`. */
#define USER_COLS "u.id, u.email, u.display_name, u.locale, u.is_admin, u.disabled"

static int fill_user(db_stmt *st, int first, ms_caller *out, ms_error *err)
{
    ms_strlcpy(out->user_id, db_col_text(st, first), sizeof out->user_id);
    ms_strlcpy(out->email, db_col_text(st, first + 1), sizeof out->email);
    ms_strlcpy(out->display_name, db_col_text(st, first + 2), sizeof out->display_name);
    ms_strlcpy(out->locale, db_col_text(st, first + 3), sizeof out->locale);
    out->is_admin = db_col_int(st, first + 4) != 0;
    if (db_col_int(st, first + 5))
        return ms_fail(err, MS_EUNAUTH, "account-disabled", "This account is disabled.");
    return 0;
}

static bool stale(const char *last, int64_t now)
{
    int64_t t;
    return !last || !ms_time_parse(last, &t) || now - t > TOUCH_INTERVAL_MS;
}

static int auth_token(db_conn *c, const ms_env *env, const char *token, ms_caller *out,
                      ms_error *err)
{
    if (strncmp(token, "mst_", 4) != 0 || strlen(token) != 47)
        return ms_fail(err, MS_EUNAUTH, "invalid-credentials",
                       "The bearer token is not an mstation API token.");
    char hash[65];
    auth_credential_hash(env, "token", token, hash);
    db_stmt *st;
    int rc = db_query_row(c, &st, err,
                          "SELECT t.id, t.expires_at, t.revoked_at, t.last_used_at, " USER_COLS
                          " FROM api_token t JOIN user_account u ON u.id = t.user_id "
                          "WHERE t.token_hash = ?",
                          "s", hash);
    if (rc < 0) return rc;
    if (rc == DB_DONE)
        return ms_fail(err, MS_EUNAUTH, "invalid-credentials", "The API token is not valid.");
    char id[MS_ID_LEN];
    ms_strlcpy(id, db_col_text(st, 0), sizeof id);
    const char *exp = db_col_text(st, 1);
    bool revoked = !db_col_null(st, 2);
    int64_t now = ms_now_ms(), t;
    bool expired = exp && ms_time_parse(exp, &t) && t <= now;
    bool touch = stale(db_col_text(st, 3), now);
    rc = fill_user(st, 4, out, err);
    db_done(st);
    if (revoked) return ms_fail(err, MS_EUNAUTH, "token-revoked", "The API token was revoked.");
    if (expired) return ms_fail(err, MS_EUNAUTH, "token-expired", "The API token has expired.");
    if (rc) return rc;
    out->via = AUTH_VIA_TOKEN;
    out->touch = touch;
    ms_strlcpy(out->credential_id, id, sizeof out->credential_id);
    return 0;
}

static int auth_session(db_conn *c, const ms_env *env, const char *cookie, ms_caller *out,
                        ms_error *err)
{
    if (strncmp(cookie, "mss_", 4) != 0 || strlen(cookie) != 47)
        return ms_fail(err, MS_EUNAUTH, "invalid-credentials",
                       "The session is not valid; sign in again.");
    char hash[65];
    auth_credential_hash(env, "session", cookie, hash);
    db_stmt *st;
    int rc = db_query_row(c, &st, err,
                          "SELECT s.id, s.csrf_token, s.expires_at, s.last_seen_at, " USER_COLS
                          " FROM session s JOIN user_account u ON u.id = s.user_id "
                          "WHERE s.token_hash = ?",
                          "s", hash);
    if (rc < 0) return rc;
    if (rc == DB_DONE)
        return ms_fail(err, MS_EUNAUTH, "invalid-credentials",
                       "The session has ended; sign in again.");
    char id[MS_ID_LEN];
    ms_strlcpy(id, db_col_text(st, 0), sizeof id);
    ms_strlcpy(out->csrf, db_col_text(st, 1), sizeof out->csrf);
    int64_t now = ms_now_ms(), t;
    bool expired = !ms_time_parse(db_col_text(st, 2), &t) || t <= now;
    bool touch = stale(db_col_text(st, 3), now);
    rc = fill_user(st, 4, out, err);
    db_done(st);
    if (expired)
        return ms_fail(err, MS_EUNAUTH, "session-expired",
                       "The session has expired; sign in again.");
    if (rc) return rc;
    out->via = AUTH_VIA_SESSION;
    out->touch = touch;
    ms_strlcpy(out->credential_id, id, sizeof out->credential_id);
    return 0;
}

void auth_touch(db_conn *c, const ms_caller *caller)
{
    if (!caller || !caller->touch) return;
    char ts[MS_TIME_LEN];
    ms_now_str(ts);
    char cutoff[MS_TIME_LEN];
    ms_time_fmt(ms_now_ms() - TOUCH_INTERVAL_MS, cutoff);
    /* Every request in flight when the stamp went stale sees it stale. Only one of them
     * writes: the others find it fresh, or (PostgreSQL, several servers) find the row
     * locked by the one writing and skip it instead of queueing behind its commit. */
#define TOUCH_SQL(table, col, lock)                                                                \
    "UPDATE " table " SET " col " = ? WHERE id IN (SELECT id FROM " table                          \
    " WHERE id = ? AND (" col " IS NULL OR " col " < ?)" lock ")"
    static const char *const sql[2][2] = {
        {TOUCH_SQL("session", "last_seen_at", ""),
         TOUCH_SQL("session", "last_seen_at", " FOR UPDATE SKIP LOCKED")},
        {TOUCH_SQL("api_token", "last_used_at", ""),
         TOUCH_SQL("api_token", "last_used_at", " FOR UPDATE SKIP LOCKED")}};
    ms_error ignore; /* a busy database must not fail the request */
    db_exec(c, &ignore, sql[caller->via == AUTH_VIA_TOKEN][db_skip_locked(c)], "sss", ts,
            caller->credential_id, cutoff);
}

int auth_authenticate(db_conn *c, const ms_env *env, const char *bearer, const char *session,
                      ms_caller *out, ms_error *err)
{
    memset(out, 0, sizeof *out);
    if (bearer) return auth_token(c, env, bearer, out, err);
    if (session) return auth_session(c, env, session, out, err);
    return ms_fail(err, MS_EUNAUTH, "authentication-required",
                   "Sign in, or send an API token as \"Authorization: Bearer mst_...\".");
}

/* ---- Authorization. ---- */

const char *ms_level_name(ms_level l)
{
    static const char *names[] = {"none", "view", "edit", "manage", "own"};
    return l <= LEVEL_OWN ? names[l] : "none";
}

static ms_level org_role_level(const char *role)
{
    if (!strcmp(role, "owner")) return LEVEL_OWN;
    if (!strcmp(role, "admin")) return LEVEL_MANAGE;
    if (!strcmp(role, "member")) return LEVEL_EDIT;
    if (!strcmp(role, "viewer")) return LEVEL_VIEW;
    return LEVEL_NONE;
}

static ms_level partner_role_level(const char *role)
{
    if (!strcmp(role, "co-producer") || !strcmp(role, "vendor")) return LEVEL_EDIT;
    if (!strcmp(role, "distributor") || !strcmp(role, "client")) return LEVEL_VIEW;
    return LEVEL_NONE;
}

static ms_level member_role_level(const char *role)
{
    if (!strcmp(role, "admin")) return LEVEL_MANAGE;
    if (!strcmp(role, "member") || !strcmp(role, "vendor")) return LEVEL_EDIT;
    if (!strcmp(role, "client") || !strcmp(role, "viewer")) return LEVEL_VIEW;
    return LEVEL_NONE;
}

static void consider(ms_access *a, ms_level l, const char *role, const char *via)
{
    if (l > a->level) {
        a->level = l;
        ms_strlcpy(a->role, role, sizeof a->role);
        ms_strlcpy(a->via, via, sizeof a->via);
    }
}

int authz_org(db_conn *c, const ms_caller *caller, const char *org_id, ms_access *out,
              ms_error *err)
{
    memset(out, 0, sizeof *out);
    if (!caller || !org_id || !ms_uuid_valid(org_id))
        return ms_fail(err, MS_ENOTFOUND, NULL, "No such organization.");
    db_stmt *st;
    int rc =
        db_query_row(c, &st, err, "SELECT role FROM membership WHERE org_id = ? AND user_id = ?",
                     "ss", org_id, caller->user_id);
    if (rc < 0) return rc;
    if (rc == DB_DONE) return ms_fail(err, MS_ENOTFOUND, NULL, "No such organization.");
    consider(out, org_role_level(db_col_text(st, 0)), db_col_text(st, 0), "org");
    db_done(st);
    ms_strlcpy(out->org_id, org_id, sizeof out->org_id);
    return 0;
}

const char authz_paths_sql[] =
    "SELECT p.id AS pid, 'org' AS via, m.role AS role, NULL AS cap FROM project p "
    "JOIN membership m ON m.org_id = p.org_id AND m.user_id = ? WHERE p.deleted_at IS NULL "
    "UNION ALL SELECT pm.project_id, 'member', pm.role, NULL FROM project_member pm "
    "JOIN project p ON p.id = pm.project_id WHERE pm.user_id = ? AND p.deleted_at IS NULL "
    "UNION ALL SELECT pp.project_id, 'partner', pp.role, m.role FROM project_partner pp "
    "JOIN membership m ON m.org_id = pp.org_id AND m.user_id = ? "
    "JOIN project p ON p.id = pp.project_id WHERE p.deleted_at IS NULL";

void authz_add_path(ms_access *a, const char *via, const char *role, const char *cap)
{
    ms_level l = LEVEL_NONE;
    if (!strcmp(via, "org")) {
        l = org_role_level(role);
        if (l > LEVEL_MANAGE) l = LEVEL_MANAGE; /* an org owner manages, like an admin */
    } else if (!strcmp(via, "member")) {
        l = member_role_level(role);
    } else if (!strcmp(via, "partner")) {
        l = partner_role_level(role);
        if (cap && !strcmp(cap, "viewer") && l > LEVEL_VIEW) l = LEVEL_VIEW;
    }
    consider(a, l, role, via);
}

int authz_project(db_conn *c, const ms_caller *caller, const char *project_id, ms_access *out,
                  ms_error *err)
{
    memset(out, 0, sizeof *out);
    if (!caller || !project_id || !ms_uuid_valid(project_id))
        return ms_fail(err, MS_ENOTFOUND, NULL, "No such project.");
    /* All paths of this caller to this project in one query; the rule is authz_add_path. */
    db_stmt *st;
    int rc = db_query(
        c, &st, err,
        "SELECT 'org', m.role, NULL, p.org_id FROM project p JOIN membership m "
        "ON m.org_id = p.org_id AND m.user_id = ? WHERE p.id = ? AND p.deleted_at IS NULL "
        "UNION ALL SELECT 'member', pm.role, NULL, p.org_id FROM project_member pm "
        "JOIN project p ON p.id = pm.project_id WHERE pm.project_id = ? AND pm.user_id = ? "
        "AND p.deleted_at IS NULL "
        "UNION ALL SELECT 'partner', pp.role, m.role, p.org_id FROM project_partner pp "
        "JOIN membership m ON m.org_id = pp.org_id AND m.user_id = ? "
        "JOIN project p ON p.id = pp.project_id WHERE pp.project_id = ? AND p.deleted_at IS NULL",
        "ssssss", caller->user_id, project_id, project_id, caller->user_id, caller->user_id,
        project_id);
    if (rc) return rc;
    while ((rc = db_step(st, err)) == DB_ROW) {
        authz_add_path(out, db_col_text(st, 0), db_col_text(st, 1), db_col_text(st, 2));
        ms_strlcpy(out->org_id, db_col_text(st, 3), sizeof out->org_id);
    }
    db_done(st);
    if (rc < 0) return rc;
    if (out->level == LEVEL_NONE) return ms_fail(err, MS_ENOTFOUND, NULL, "No such project.");
    return 0;
}

int authz_require(db_conn *c, const ms_caller *caller, int perm, const char *scope_id,
                  ms_access *out, ms_error *err)
{
    ms_access local;
    ms_access *a = out ? out : &local;
    memset(a, 0, sizeof *a);
    if (perm == PERM_PUBLIC) return 0;
    if (!caller)
        return ms_fail(err, MS_EUNAUTH, "authentication-required",
                       "Sign in, or send an API token as \"Authorization: Bearer mst_...\".");
    ms_level need = LEVEL_NONE;
    int rc = 0;
    switch (perm) {
    case PERM_USER:
        return 0;
    case PERM_ADMIN:
        if (caller->is_admin) return 0;
        return ms_fail(err, MS_EFORBIDDEN, NULL, "Only an instance administrator may do this.");
    case PERM_ORG_VIEW:
        need = LEVEL_VIEW;
        rc = authz_org(c, caller, scope_id, a, err);
        break;
    case PERM_ORG_ADMIN:
        need = LEVEL_MANAGE;
        rc = authz_org(c, caller, scope_id, a, err);
        break;
    case PERM_PROJECT_VIEW:
        need = LEVEL_VIEW;
        rc = authz_project(c, caller, scope_id, a, err);
        break;
    case PERM_PROJECT_EDIT:
        need = LEVEL_EDIT;
        rc = authz_project(c, caller, scope_id, a, err);
        break;
    case PERM_PROJECT_MANAGE:
        need = LEVEL_MANAGE;
        rc = authz_project(c, caller, scope_id, a, err);
        break;
    default:
        return ms_fail(err, MS_EINTERNAL, NULL, "unknown permission %d", perm);
    }
    if (rc) return rc;
    if (a->level < need)
        return ms_fail(err, MS_EFORBIDDEN, NULL,
                       "Your role (%s) allows %s access here; this needs %s access.", a->role,
                       ms_level_name(a->level), ms_level_name(need));
    return 0;
}
