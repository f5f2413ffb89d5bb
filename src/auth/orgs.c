/* orgs.c: organizations and their members.
 *
 * Anyone signed in may create an organization and becomes its owner. Organization names,
 * slugs and kinds form a directory every signed-in user can search (GET /orgs?scope=all):
 * that is how a studio finds the partner it shares a project with. Everything else about an
 * organization (members, invitations, projects) is visible only to its members.
 *
 * Owner rules: only an owner may make someone an owner, change an owner's role or remove an
 * owner, and the last owner can neither leave nor be demoted (an organization always has
 * someone who can run it). */
#include "auth/auth_internal.h"

#include "core/buf.h"

#include <stdio.h>
#include <string.h>

static const char org_select[] =
    "SELECT o.id, o.slug, o.name, o.kind, o.description, o.created_at, o.updated_at, o.version, "
    "m.role AS my_role FROM org o LEFT JOIN membership m ON m.org_id = o.id AND m.user_id = ? "
    "WHERE o.id = ?";

static int org_json(db_conn *c, const char *user_id, const char *org_id, json_t **out,
                    ms_error *err)
{
    db_stmt *st;
    int rc = db_query_row(c, &st, err, org_select, "ss", user_id, org_id);
    if (rc < 0) return rc;
    if (rc == DB_DONE) return ms_fail(err, MS_ENOTFOUND, NULL, "No such organization.");
    *out = db_row_json(st);
    db_done(st);
    return 0;
}

static int reply_org(ms_req *r, int status, const char *org_id)
{
    json_t *o;
    int rc = org_json(r->db, r->caller->user_id, org_id, &o, &r->err);
    if (rc) return rc;
    ms_reply_etag(r, json_integer_value(json_object_get(o, "version")));
    if (status == 201)
        ms_reply_header(r, "Location", ms_arena_printf(r->arena, "/api/v1/orgs/%s", org_id));
    return ms_reply(r, status, o);
}

int org_create(db_conn *c, const char *actor_id, const char *name, const char *slug,
               const char *kind, const char *description, json_t **out, ms_error *err)
{
    char auto_slug[48];
    bool generated = !slug;
    if (generated) {
        org_slug_from_name(name, auto_slug);
        slug = auto_slug;
    }
    char id[MS_ID_LEN], now[MS_TIME_LEN], try_slug[64];
    ms_uuid7(id);
    ms_now_str(now);
    /* A generated slug that is taken gets -2, -3, ...; a chosen one is the caller's to fix.
     * Probe with SELECT rather than by catching the unique violation: on PostgreSQL a failed
     * statement aborts the whole transaction. */
    int rc = DB_ROW;
    for (int n = 1; rc == DB_ROW && n <= (generated ? 50 : 1); n++) {
        if (n == 1)
            snprintf(try_slug, sizeof try_slug, "%s", slug);
        else
            snprintf(try_slug, sizeof try_slug, "%.40s-%d", slug, n);
        db_stmt *st;
        rc = db_query_row(c, &st, err, "SELECT 1 FROM org WHERE slug = ?", "s", try_slug);
        if (rc == DB_ROW) db_done(st);
    }
    if (rc == DB_DONE)
        rc = db_exec(c, err,
                     "INSERT INTO org (id, slug, name, kind, description, created_by, created_at, "
                     "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                     "ssssssss", id, try_slug, name, kind, description ? description : "", actor_id,
                     now, now);
    else if (rc == DB_ROW)
        rc = MS_ECONFLICT;
    if (rc == MS_ECONFLICT) {
        if (err) {
            ms_error_clear(err);
            ms_field_fail(err, "slug", "\"%s\" is taken by another organization", slug);
            err->code = MS_ECONFLICT;
            snprintf(err->type, sizeof err->type, "slug-taken");
        }
        return MS_ECONFLICT;
    }
    if (rc < 0) return rc;
    if (actor_id) {
        rc = db_exec(c, err,
                     "INSERT INTO membership (org_id, user_id, role, created_at, updated_at) "
                     "VALUES (?, ?, 'owner', ?, ?)",
                     "ssss", id, actor_id, now, now);
        if (rc < 0) return rc;
    }
    char summary[400];
    snprintf(summary, sizeof summary, "Organization %s (%s) created", name, kind);
    ms_event ev = {.actor_id = actor_id,
                   .action = "org.created",
                   .object_type = "org",
                   .object_id = id,
                   .org_id = id,
                   .summary = summary};
    if ((rc = event_append(c, &ev, err))) return rc;
    if (out) return org_json(c, actor_id ? actor_id : "", id, out, err);
    return 0;
}

static const ms_jfield org_create_fields[] = {
    {"name", MS_J_STRING, true, false, 1, 200, NULL},
    {"kind", MS_J_ENUM, true, false, 0, 0, org_kinds},
    {"slug", MS_J_SLUG, false, false, 2, 40, NULL},
    {"description", MS_J_TEXT, false, false, 0, 4000, NULL},
    {0},
};

int h_orgs_create(ms_req *r)
{
    if (ms_json_check(r->body, org_create_fields, &r->err)) return r->err.code;
    json_t *o;
    int rc = org_create(r->db, r->caller->user_id, ms_json_str(r->body, "name"),
                        ms_json_str(r->body, "slug"), ms_json_str(r->body, "kind"),
                        ms_json_str(r->body, "description"), &o, &r->err);
    if (rc) return rc;
    const char *id = ms_arena_strdup(r->arena, json_string_value(json_object_get(o, "id")));
    json_decref(o);
    return reply_org(r, 201, id);
}

/* GET /orgs: the caller's organizations (scope=mine, default) or the directory of all
 * (scope=all: id, slug, name, kind only). `q` filters by name or slug. */
int h_orgs_list(ms_req *r)
{
    static const char *const allowed[] = {"limit", "cursor", "scope", "q", "kind", NULL};
    int limit, rc;
    char cursor[MS_ID_LEN + 1];
    if ((rc = ms_req_query_only(r, allowed)) ||
        (rc = ms_req_page(r, &limit, cursor, sizeof cursor)))
        return rc;
    const char *scope = ms_req_query(r, "scope"), *q = ms_req_query(r, "q");
    const char *kind = ms_req_query(r, "kind");
    if (scope && strcmp(scope, "mine") && strcmp(scope, "all"))
        return ms_req_fail(r, MS_EBADREQ, "bad-query", "scope must be mine or all.");
    if (kind && !auth_role_in(kind, org_kinds))
        return ms_req_fail(r, MS_EBADREQ, "bad-query", "kind is not an organization kind.");
    if (q && (ms_utf8_chars(q) > 100 || !ms_str_is_clean_text(q, 400, false)))
        return ms_req_fail(r, MS_EBADREQ, "bad-query", "q must be at most 100 characters.");
    char *like = q && *q ? db_like_pattern(r->arena, q) : NULL;
    bool all = scope && !strcmp(scope, "all");
    db_stmt *st;
    if (all) {
        rc = db_query(r->db, &st, &r->err,
                      "SELECT o.id, o.slug, o.name, o.kind FROM org o WHERE o.id > ? "
                      "AND (? IS NULL OR LOWER(o.name) LIKE ? ESCAPE '\\' OR o.slug LIKE ? "
                      "ESCAPE '\\') AND (? IS NULL OR o.kind = ?) ORDER BY o.id LIMIT ?",
                      "ssssssi", cursor, like, like, like, kind, kind, limit + 1);
    } else {
        rc = db_query(r->db, &st, &r->err,
                      "SELECT o.id, o.slug, o.name, o.kind, o.description, o.created_at, "
                      "o.updated_at, o.version, m.role AS my_role FROM membership m "
                      "JOIN org o ON o.id = m.org_id WHERE m.user_id = ? AND o.id > ? "
                      "AND (? IS NULL OR LOWER(o.name) LIKE ? ESCAPE '\\' OR o.slug LIKE ? "
                      "ESCAPE '\\') AND (? IS NULL OR o.kind = ?) ORDER BY o.id LIMIT ?",
                      "sssssssi", r->caller->user_id, cursor, like, like, like, kind, kind,
                      limit + 1);
    }
    if (rc) return rc;
    return auth_reply_page(r, st, limit, "id", NULL);
}

int h_orgs_get(ms_req *r)
{
    return reply_org(r, 200, ms_req_param(r, "id"));
}

static const ms_jfield org_update_fields[] = {
    {"name", MS_J_STRING, false, false, 1, 200, NULL},
    {"kind", MS_J_ENUM, false, false, 0, 0, org_kinds},
    {"slug", MS_J_SLUG, false, false, 2, 40, NULL},
    {"description", MS_J_TEXT, false, false, 0, 4000, NULL},
    {0},
};

int h_orgs_update(ms_req *r)
{
    if (ms_json_check(r->body, org_update_fields, &r->err)) return r->err.code;
    const char *id = ms_req_param(r, "id");
    db_stmt *st;
    int rc = db_query_row(r->db, &st, &r->err,
                          "SELECT name, slug, kind, description, version FROM org WHERE id = ?",
                          "s", id);
    if (rc < 0) return rc;
    if (rc == DB_DONE) return ms_req_fail(r, MS_ENOTFOUND, NULL, "No such organization.");
    const char *name = ms_json_str(r->body, "name"), *slug = ms_json_str(r->body, "slug");
    const char *kind = ms_json_str(r->body, "kind");
    const char *desc = ms_json_str(r->body, "description");
    if (!name) name = ms_arena_strdup(r->arena, db_col_text(st, 0));
    if (!slug) slug = ms_arena_strdup(r->arena, db_col_text(st, 1));
    if (!kind) kind = ms_arena_strdup(r->arena, db_col_text(st, 2));
    if (!desc) desc = ms_arena_strdup(r->arena, db_col_text(st, 3));
    int64_t version = db_col_int(st, 4);
    db_done(st);
    if ((rc = ms_req_check_version(r, version))) return rc;
    char now[MS_TIME_LEN];
    ms_now_str(now);
    rc = db_exec(r->db, &r->err,
                 "UPDATE org SET name = ?, slug = ?, kind = ?, description = ?, updated_at = ?, "
                 "version = version + 1 WHERE id = ? AND version = ?",
                 "ssssssI", name, slug, kind, desc, now, id, version);
    if (rc == MS_ECONFLICT) {
        ms_error_clear(&r->err);
        ms_field_fail(&r->err, "slug", "\"%s\" is taken by another organization", slug);
        r->err.code = MS_ECONFLICT;
        snprintf(r->err.type, sizeof r->err.type, "slug-taken");
        return MS_ECONFLICT;
    }
    if (rc < 0) return rc;
    json_t *changed = json_object();
    const char *key;
    json_t *v;
    json_object_foreach(r->body, key, v) json_object_set(changed, key, v);
    if ((rc = auth_event(r, "org.updated", "org", id, id, NULL, changed, "Organization %s updated",
                         name)))
        return rc;
    return reply_org(r, 200, id);
}

/* ---- Members. ---- */

static const char member_select[] =
    "SELECT u.id AS user_id, u.email, u.display_name, m.role, m.created_at, m.updated_at, "
    "m.version FROM membership m JOIN user_account u ON u.id = m.user_id ";

int h_org_members_list(ms_req *r)
{
    static const char *const allowed[] = {"limit", "cursor", "role", NULL};
    int limit, rc;
    char cursor[MS_ID_LEN + 1];
    if ((rc = ms_req_query_only(r, allowed)) ||
        (rc = ms_req_page(r, &limit, cursor, sizeof cursor)))
        return rc;
    const char *role = ms_req_query(r, "role");
    if (role && !auth_role_in(role, org_roles))
        return ms_req_fail(r, MS_EBADREQ, "bad-query",
                           "role must be owner, admin, member or viewer.");
    db_stmt *st;
    rc = db_query(r->db, &st, &r->err,
                  ms_arena_printf(r->arena,
                                  "%sWHERE m.org_id = ? AND m.user_id > ? AND (? IS NULL OR "
                                  "m.role = ?) ORDER BY m.user_id LIMIT ?",
                                  member_select),
                  "ssssi", ms_req_param(r, "id"), cursor, role, role, limit + 1);
    if (rc) return rc;
    return auth_reply_page(r, st, limit, "user_id", NULL);
}

static int member_json(ms_req *r, const char *org_id, const char *user_id, json_t **out)
{
    db_stmt *st;
    char *sql = ms_arena_printf(r->arena, "%sWHERE m.org_id = ? AND m.user_id = ?", member_select);
    int rc = db_query_row(r->db, &st, &r->err, sql, "ss", org_id, user_id);
    if (rc < 0) return rc;
    if (rc == DB_DONE) return ms_req_fail(r, MS_ENOTFOUND, NULL, "No such member.");
    *out = db_row_json(st);
    db_done(st);
    return 0;
}

static int reply_member(ms_req *r, int status, const char *org_id, const char *user_id)
{
    json_t *m;
    int rc = member_json(r, org_id, user_id, &m);
    if (rc) return rc;
    ms_reply_etag(r, json_integer_value(json_object_get(m, "version")));
    return ms_reply(r, status, m);
}

static int count_owners(ms_req *r, const char *org_id, int64_t *n)
{
    db_stmt *st;
    int rc = db_query_row(r->db, &st, &r->err,
                          "SELECT COUNT(*) FROM membership WHERE org_id = ? AND role = 'owner'",
                          "s", org_id);
    if (rc < 0) return rc;
    *n = db_col_int(st, 0);
    db_done(st);
    return 0;
}

static const ms_jfield member_add_fields[] = {
    {"user_id", MS_J_ID, false, false, 0, 0, NULL},
    {"email", MS_J_EMAIL, false, false, 0, 0, NULL},
    {"role", MS_J_ENUM, true, false, 0, 0, org_roles},
    {0},
};

int h_org_members_add(ms_req *r)
{
    if (ms_json_check(r->body, member_add_fields, &r->err)) return r->err.code;
    const char *org_id = ms_req_param(r, "id"), *role = ms_json_str(r->body, "role");
    if (!strcmp(role, "owner") && r->access->level < LEVEL_OWN)
        return ms_req_fail(r, MS_EFORBIDDEN, NULL, "Only an owner may add another owner.");
    char uid[MS_ID_LEN];
    int rc = auth_body_user(r, uid);
    if (rc) return rc;
    char now[MS_TIME_LEN];
    ms_now_str(now);
    rc = db_exec(r->db, &r->err,
                 "INSERT INTO membership (org_id, user_id, role, created_at, updated_at) "
                 "VALUES (?, ?, ?, ?, ?)",
                 "sssss", org_id, uid, role, now, now);
    if (rc == MS_ECONFLICT)
        return ms_req_fail(r, MS_ECONFLICT, "already-member",
                           "This person is already a member; change their role instead.");
    if (rc < 0) return rc;
    json_t *m;
    if ((rc = member_json(r, org_id, uid, &m))) return rc;
    rc = auth_event(r, "org.member.added", "user", uid, org_id, NULL,
                    json_pack("{s:s}", "role", role), "%s joined as %s",
                    json_string_value(json_object_get(m, "display_name")), role);
    json_decref(m);
    if (rc) return rc;
    ms_reply_header(r, "Location",
                    ms_arena_printf(r->arena, "/api/v1/orgs/%s/members/%s", org_id, uid));
    return reply_member(r, 201, org_id, uid);
}

static int load_member(ms_req *r, const char *org_id, const char *user_id, char role[16],
                       int64_t *version, char name[256])
{
    if (!ms_uuid_valid(user_id)) return ms_req_fail(r, MS_ENOTFOUND, NULL, "No such member.");
    db_stmt *st;
    int rc = db_query_row(r->db, &st, &r->err,
                          "SELECT m.role, m.version, u.display_name FROM membership m "
                          "JOIN user_account u ON u.id = m.user_id "
                          "WHERE m.org_id = ? AND m.user_id = ?",
                          "ss", org_id, user_id);
    if (rc < 0) return rc;
    if (rc == DB_DONE) return ms_req_fail(r, MS_ENOTFOUND, NULL, "No such member.");
    ms_strlcpy(role, db_col_text(st, 0), 16);
    *version = db_col_int(st, 1);
    ms_strlcpy(name, db_col_text(st, 2), 256);
    db_done(st);
    return 0;
}

static const ms_jfield member_update_fields[] = {
    {"role", MS_J_ENUM, true, false, 0, 0, org_roles},
    {0},
};

int h_org_members_update(ms_req *r)
{
    if (ms_json_check(r->body, member_update_fields, &r->err)) return r->err.code;
    const char *org_id = ms_req_param(r, "id"), *uid = ms_req_param(r, "user_id");
    const char *role = ms_json_str(r->body, "role");
    char old[16], name[256];
    int64_t version;
    int rc = load_member(r, org_id, uid, old, &version, name);
    if (rc) return rc;
    if ((rc = ms_req_check_version(r, version))) return rc;
    if ((!strcmp(role, "owner") || !strcmp(old, "owner")) && r->access->level < LEVEL_OWN)
        return ms_req_fail(r, MS_EFORBIDDEN, NULL,
                           "Only an owner may grant or change the owner role.");
    if (!strcmp(old, "owner") && strcmp(role, "owner")) {
        int64_t owners;
        if ((rc = count_owners(r, org_id, &owners))) return rc;
        if (owners <= 1)
            return ms_req_fail(r, MS_ECONFLICT, "last-owner",
                               "This is the organization's only owner; make someone else an "
                               "owner first.");
    }
    char now[MS_TIME_LEN];
    ms_now_str(now);
    rc = db_exec(r->db, &r->err,
                 "UPDATE membership SET role = ?, updated_at = ?, version = version + 1 "
                 "WHERE org_id = ? AND user_id = ? AND version = ?",
                 "ssssI", role, now, org_id, uid, version);
    if (rc < 0) return rc;
    if (rc == 0) return ms_req_check_version(r, version + 1);
    if ((rc = auth_event(r, "org.member.updated", "user", uid, org_id, NULL,
                         json_pack("{s:s,s:s}", "from", old, "to", role), "%s is now %s (was %s)",
                         name, role, old)))
        return rc;
    return reply_member(r, 200, org_id, uid);
}

/* DELETE /orgs/{id}/members/{user_id}: an admin removes someone, or a member leaves. */
int h_org_members_remove(ms_req *r)
{
    const char *org_id = ms_req_param(r, "id"), *uid = ms_req_param(r, "user_id");
    bool self = !strcmp(uid, r->caller->user_id);
    if (!self && r->access->level < LEVEL_MANAGE)
        return ms_req_fail(r, MS_EFORBIDDEN, NULL, "Only an owner or admin may remove members.");
    char role[16], name[256];
    int64_t version;
    int rc = load_member(r, org_id, uid, role, &version, name);
    if (rc) return rc;
    if ((rc = ms_req_check_version(r, version))) return rc;
    if (!strcmp(role, "owner")) {
        if (!self && r->access->level < LEVEL_OWN)
            return ms_req_fail(r, MS_EFORBIDDEN, NULL, "Only an owner may remove an owner.");
        int64_t owners;
        if ((rc = count_owners(r, org_id, &owners))) return rc;
        if (owners <= 1)
            return ms_req_fail(r, MS_ECONFLICT, "last-owner",
                               "This is the organization's only owner; make someone else an "
                               "owner first.");
    }
    rc = db_exec(r->db, &r->err, "DELETE FROM membership WHERE org_id = ? AND user_id = ?", "ss",
                 org_id, uid);
    if (rc < 0) return rc;
    if ((rc = auth_event(r, self ? "org.member.left" : "org.member.removed", "user", uid, org_id,
                         NULL, json_pack("{s:s}", "role", role),
                         self ? "%s left the organization" : "%s was removed from the organization",
                         name)))
        return rc;
    return ms_reply_empty(r);
}
