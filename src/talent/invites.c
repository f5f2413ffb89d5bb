/* invites.c: inviting a person found in the talent data center to work on a project.
 *
 * A project manager (PERM_PROJECT_MANAGE) invites the person behind a claimed profile with a
 * project role (member, vendor or viewer: never admin, never client), the craft and dates of
 * the work and a message. The invitation is for the account that claimed the profile: an
 * unclaimed profile has nobody to answer, so it cannot be invited (409: send its person a
 * claim link first). One pending invitation per (project, profile).
 *
 *     pending -> accepted   the person; they become a member of the project with the role,
 *                           in the same transaction (auth's project_member_add, its event)
 *             -> declined   the person
 *             -> withdrawn  a manager of the project
 *
 * Each step appends an event on the project (the invitation's notice: the activity feed and
 * webhooks read events); the person finds their invitations at GET /talent/me/invites. To
 * anyone but the person and the project's managers an invitation does not exist (404).
 * Not here: project membership itself (auth/projects.c). */
#include "talent/talent_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const char *const invite_roles[] = {"member", "vendor", "viewer", NULL};
static const char *const invite_statuses[] = {"pending", "accepted", "declined", "withdrawn", NULL};

#define INVITE_COLS                                                                                \
    "i.id, i.project_id, p.name AS project_name, i.org_id, o.name AS org_name, i.profile_id, "     \
    "tp.primary_name AS profile_name, i.user_id, i.role, i.craft, i.start_date, i.end_date, "      \
    "i.message, i.status, i.created_by, u.display_name AS created_by_name, i.created_at, "         \
    "i.responded_at, i.version FROM talent_invite i JOIN project p ON p.id = i.project_id JOIN "   \
    "org o ON o.id = i.org_id JOIN talent_profile tp ON tp.id = i.profile_id LEFT JOIN "           \
    "user_account u ON u.id = i.created_by"

static void invite_shape(ms_req *r, json_t *o)
{
    (void)r;
    json_object_set_new(o, "project",
                        json_pack("{s:O,s:O}", "id", json_object_get(o, "project_id"), "name",
                                  json_object_get(o, "project_name")));
    json_object_set_new(o, "org",
                        json_pack("{s:O,s:O}", "id", json_object_get(o, "org_id"), "name",
                                  json_object_get(o, "org_name")));
    json_object_set_new(o, "profile",
                        json_pack("{s:O,s:O}", "id", json_object_get(o, "profile_id"),
                                  "primary_name", json_object_get(o, "profile_name")));
    static const char *const moved[] = {"project_id", "project_name", "org_id",
                                        "org_name",   "profile_id",   "profile_name"};
    for (size_t i = 0; i < sizeof moved / sizeof *moved; i++)
        json_object_del(o, moved[i]);
}

static int invite_json(ms_req *r, const char *id, json_t **out)
{
    db_stmt *st;
    int rc = db_query_row(r->db, &st, &r->err, "SELECT " INVITE_COLS " WHERE i.id = ?", "s", id);
    if (rc < 0) return rc;
    if (rc == DB_DONE) return ms_req_fail(r, MS_ENOTFOUND, NULL, "No such invitation.");
    *out = db_row_json(st);
    db_done(st);
    invite_shape(r, *out);
    return 0;
}

static int invite_event(ms_req *r, const char *org_id, const char *project_id, const char *action,
                        const char *id, json_t *data, const char *fmt, ...)
    __attribute__((format(printf, 7, 8)));
static int invite_event(ms_req *r, const char *org_id, const char *project_id, const char *action,
                        const char *id, json_t *data, const char *fmt, ...)
{
    ms_event ev = {.actor_id = r->caller ? r->caller->user_id : NULL,
                   .action = action,
                   .object_type = "talent_invite",
                   .object_id = id,
                   .org_id = org_id,
                   .project_id = project_id,
                   .data = data};
    va_list ap;
    va_start(ap, fmt);
    int rc = event_vappendf(r->db, &ev, &r->err, fmt, ap);
    va_end(ap);
    json_decref(data);
    return rc;
}

static const ms_jfield invite_fields[] = {
    {"profile_id", MS_J_ID, true, false, 0, 0, NULL},
    {"role", MS_J_ENUM, false, false, 0, 0, invite_roles},
    {"craft", MS_J_STRING, false, true, 1, 40, NULL},
    {"start_date", MS_J_STRING, false, true, 10, 10, NULL},
    {"end_date", MS_J_STRING, false, true, 10, 10, NULL},
    {"message", MS_J_TEXT, false, false, 0, 2000, NULL},
    {NULL, 0, false, false, 0, 0, NULL},
};

/* POST /projects/{id}/talent-invites */
int h_project_talent_invites_create(ms_req *r)
{
    if (ms_json_check(r->body, invite_fields, &r->err)) return r->err.code;
    const json_t *b = r->body;
    const char *start = ms_json_str(b, "start_date"), *end = ms_json_str(b, "end_date");
    int64_t a = 0, z = 0;
    if (start && !talent_date_parse(start, &a))
        ms_field_fail(&r->err, "start_date", "must be a date YYYY-MM-DD");
    if (end && !talent_date_parse(end, &z))
        ms_field_fail(&r->err, "end_date", "must be a date YYYY-MM-DD");
    else if (start && end && !r->err.code && z < a)
        ms_field_fail(&r->err, "end_date", "must not be before start_date");
    if (r->err.code) return r->err.code;
    const char *project_id = ms_req_param(r, "id"), *craft = ms_json_str(b, "craft");
    const char *role = ms_json_str(b, "role") ? ms_json_str(b, "role") : "member";
    const char *message = ms_json_str(b, "message");
    talent_ref p;
    talent_viewer v;
    int rc = talent_open(r, ms_json_str(b, "profile_id"), &p, &v);
    if (rc) return rc;
    if (craft && !talent_craft_valid(r, craft))
        return ms_field_fail(&r->err, "craft", "is not a known craft (GET /api/v1/talent/crafts)");
    if (!p.user_id[0])
        return ms_req_fail(r, MS_ECONFLICT, "profile-unclaimed",
                           "Nobody has claimed this profile yet, so there is no one to accept an "
                           "invitation. Ask the organization that keeps it to send the person a "
                           "claim link; invite them once they have claimed it.");
    db_stmt *st;
    rc = db_query_row(r->db, &st, &r->err,
                      "SELECT (SELECT 1 FROM project_member WHERE project_id = ? AND user_id = ?), "
                      "(SELECT id FROM talent_invite WHERE project_id = ? AND profile_id = ? AND "
                      "status = 'pending' LIMIT 1)",
                      "ssss", project_id, p.user_id, project_id, p.id);
    if (rc < 0) return rc;
    bool member = !db_col_null(st, 0), pending = !db_col_null(st, 1);
    db_done(st);
    if (member)
        return ms_req_fail(r, MS_ECONFLICT, "already-member",
                           "This person is a member of the project already.");
    if (pending)
        return ms_req_fail(r, MS_ECONFLICT, "invite-pending",
                           "This person has an invitation to the project already; withdraw it to "
                           "send another.");
    char id[MS_ID_LEN], now[MS_TIME_LEN];
    ms_uuid7(id);
    ms_now_str(now);
    const char *org_id = r->access->org_id;
    rc = db_exec(r->db, &r->err,
                 "INSERT INTO talent_invite (id, project_id, org_id, profile_id, user_id, role, "
                 "craft, start_date, end_date, message, status, created_by, created_at) VALUES "
                 "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?)",
                 "ssssssssssss", id, project_id, org_id, p.id, p.user_id, role, craft, start, end,
                 message ? message : "", r->caller->user_id, now);
    if (rc < 0) return rc;
    json_t *o = NULL;
    if ((rc = invite_json(r, id, &o))) return rc;
    rc = invite_event(
        r, org_id, project_id, "talent.invite.created", id,
        json_pack("{s:s,s:s,s:s}", "user_id", p.user_id, "profile_id", p.id, "role", role),
        "a person from the talent data center was invited to the project as %s", role);
    if (rc) {
        json_decref(o);
        return rc;
    }
    ms_reply_etag(r, 1);
    return ms_reply(r, 201, o);
}

/* A list of invitations: `where` takes the key and then the status filter twice. */
static int invite_list(ms_req *r, const char *where, const char *key)
{
    static const char *const allowed[] = {"limit", "cursor", "status", NULL};
    int limit, rc;
    char cursor[MS_ID_LEN + 1];
    if ((rc = ms_req_query_only(r, allowed)) ||
        (rc = ms_req_page(r, &limit, cursor, sizeof cursor)))
        return rc;
    const char *status = ms_req_query(r, "status");
    bool known = !status;
    for (int i = 0; status && invite_statuses[i]; i++)
        known |= !strcmp(status, invite_statuses[i]);
    if (!known)
        return talent_query_fail(r, "status", "must be pending, accepted, declined or withdrawn");
    db_stmt *st;
    rc = db_query(r->db, &st, &r->err,
                  ms_arena_printf(r->arena,
                                  "SELECT " INVITE_COLS " WHERE %s AND (? IS NULL OR i.status = ?) "
                                  "AND i.id > ? ORDER BY i.id LIMIT ?",
                                  where),
                  "ssssi", key, status, status, cursor, limit + 1);
    if (rc) return rc;
    return auth_reply_page(r, st, limit, "id", invite_shape);
}

/* GET /projects/{id}/talent-invites?status */
int h_project_talent_invites(ms_req *r)
{
    return invite_list(r, "i.project_id = ?", ms_req_param(r, "id"));
}

/* GET /talent/me/invites?status: the caller's, on projects that still exist. */
int h_talent_me_invites(ms_req *r)
{
    return invite_list(r, "i.user_id = ? AND p.deleted_at IS NULL", r->caller->user_id);
}

/* ---- Answering. ---- */

typedef struct invite {
    char id[MS_ID_LEN], project_id[MS_ID_LEN], org_id[MS_ID_LEN], user_id[MS_ID_LEN];
    char role[16], status[16];
    bool project_gone;
} invite;

static int invite_load(ms_req *r, invite *inv)
{
    memset(inv, 0, sizeof *inv);
    const char *id = ms_req_param(r, "id");
    if (!id || !ms_uuid_valid(id)) return ms_req_fail(r, MS_ENOTFOUND, NULL, "No such invitation.");
    db_stmt *st;
    int rc = db_query_row(r->db, &st, &r->err,
                          "SELECT i.project_id, i.org_id, i.user_id, i.role, i.status, "
                          "p.deleted_at FROM talent_invite i JOIN project p ON p.id = "
                          "i.project_id WHERE i.id = ?",
                          "s", id);
    if (rc < 0) return rc;
    if (rc == DB_DONE) return ms_req_fail(r, MS_ENOTFOUND, NULL, "No such invitation.");
    ms_strlcpy(inv->id, id, sizeof inv->id);
    ms_strlcpy(inv->project_id, db_col_text(st, 0), sizeof inv->project_id);
    ms_strlcpy(inv->org_id, db_col_text(st, 1), sizeof inv->org_id);
    ms_strlcpy(inv->user_id, db_col_text(st, 2), sizeof inv->user_id);
    ms_strlcpy(inv->role, db_col_text(st, 3), sizeof inv->role);
    ms_strlcpy(inv->status, db_col_text(st, 4), sizeof inv->status);
    inv->project_gone = !db_col_null(st, 5);
    db_done(st);
    return 0;
}

/* The person's own pending invitation, or the reason why not. */
static int invite_mine_pending(ms_req *r, invite *inv)
{
    int rc = invite_load(r, inv);
    if (rc) return rc;
    if (strcmp(inv->user_id, r->caller->user_id) != 0 || inv->project_gone)
        return ms_req_fail(r, MS_ENOTFOUND, NULL, "No such invitation.");
    if (strcmp(inv->status, "pending") != 0)
        return ms_req_fail(r, MS_ECONFLICT, "invite-not-pending", "This invitation was %s already.",
                           inv->status);
    return 0;
}

static int invite_set_status(ms_req *r, const invite *inv, const char *status)
{
    char now[MS_TIME_LEN];
    ms_now_str(now);
    int rc = db_exec(r->db, &r->err,
                     "UPDATE talent_invite SET status = ?, responded_at = ?, version = version + "
                     "1 WHERE id = ? AND status = 'pending'",
                     "sss", status, now, inv->id);
    if (rc < 0) return rc;
    if (rc == 0)
        return ms_req_fail(r, MS_ECONFLICT, "invite-not-pending",
                           "This invitation was answered already.");
    return 0;
}

static int invite_answer_reply(ms_req *r, const invite *inv, json_t *extra)
{
    json_t *o = NULL;
    int rc = invite_json(r, inv->id, &o);
    if (rc) {
        json_decref(extra);
        return rc;
    }
    if (extra) json_object_set_new(o, "membership", extra);
    ms_reply_etag(r, json_integer_value(json_object_get(o, "version")));
    return ms_reply(r, 200, o);
}

/* POST /talent/invites/{id}/accept: the person joins the project with the invitation's role.
 * Already a member (added by hand meanwhile): the membership stays as it is. */
int h_talent_invite_accept(ms_req *r)
{
    invite inv;
    int rc = invite_mine_pending(r, &inv);
    if (rc) return rc;
    bool added = true;
    rc = project_member_add(r->db, r->caller->user_id, inv.project_id, r->caller->user_id, inv.role,
                            &r->err);
    if (rc == MS_ECONFLICT) {
        ms_error_clear(&r->err);
        added = false;
        rc = 0;
    }
    if (rc || (rc = invite_set_status(r, &inv, "accepted"))) return rc;
    db_stmt *st;
    rc = db_query_row(r->db, &st, &r->err,
                      "SELECT role FROM project_member WHERE project_id = ? AND user_id = ?", "ss",
                      inv.project_id, r->caller->user_id);
    if (rc < 0) return rc;
    json_t *m = json_pack("{s:s,s:s,s:b}", "project_id", inv.project_id, "role",
                          rc == DB_ROW ? db_col_text(st, 0) : inv.role, "added", added);
    if (rc == DB_ROW) db_done(st);
    rc = invite_event(r, inv.org_id, inv.project_id, "talent.invite.accepted", inv.id,
                      json_pack("{s:s,s:b}", "role", inv.role, "added", added),
                      "an invitation to the project was accepted (as %s)", inv.role);
    if (rc) {
        json_decref(m);
        return rc;
    }
    return invite_answer_reply(r, &inv, m);
}

/* POST /talent/invites/{id}/decline */
int h_talent_invite_decline(ms_req *r)
{
    invite inv;
    int rc = invite_mine_pending(r, &inv);
    if (rc || (rc = invite_set_status(r, &inv, "declined")) ||
        (rc = invite_event(r, inv.org_id, inv.project_id, "talent.invite.declined", inv.id, NULL,
                           "%s", "an invitation to the project was declined")))
        return rc;
    return invite_answer_reply(r, &inv, NULL);
}

/* POST /talent/invites/{id}/withdraw: a manager of the project. */
int h_talent_invite_withdraw(ms_req *r)
{
    invite inv;
    int rc = invite_load(r, &inv);
    if (rc) return rc;
    ms_access a;
    ms_error e;
    ms_error_clear(&e);
    rc = authz_project(r->db, r->caller, inv.project_id, &a, &e);
    if (rc && rc != MS_ENOTFOUND) {
        r->err = e;
        return rc;
    }
    bool mine = !strcmp(inv.user_id, r->caller->user_id);
    if (rc == MS_ENOTFOUND || a.level < LEVEL_MANAGE) {
        if (rc == MS_ENOTFOUND && !mine)
            return ms_req_fail(r, MS_ENOTFOUND, NULL, "No such invitation.");
        return ms_req_fail(r, MS_EFORBIDDEN, "talent-not-inviter",
                           mine ? "Decline the invitation instead; only the project's managers "
                                  "withdraw it."
                                : "Only the project's managers may withdraw an invitation.");
    }
    if (strcmp(inv.status, "pending") != 0)
        return ms_req_fail(r, MS_ECONFLICT, "invite-not-pending", "This invitation was %s already.",
                           inv.status);
    if ((rc = invite_set_status(r, &inv, "withdrawn")) ||
        (rc = invite_event(r, inv.org_id, inv.project_id, "talent.invite.withdrawn", inv.id, NULL,
                           "%s", "an invitation to the project was withdrawn")))
        return rc;
    return invite_answer_reply(r, &inv, NULL);
}
