/* projects.c: projects, their partner organizations and their individual members.
 *
 * A project belongs to one organization. Its managers share it with partner organizations
 * (co-producer, vendor, distributor, client) and with individual users (admin, member, vendor,
 * client, viewer); auth.h says what each role may do. Deleting a project hides it from
 * everyone (deleted_at) and keeps its rows for the audit trail: modules' data stays
 * reachable to an operator, never to users.
 *
 * Every project in a response carries `access` ({level, role, via}) for the caller, computed
 * by the one rule in authz.c, so the UI shows only what the caller may do. */
#include "auth/auth_internal.h"

#include "core/buf.h"

#include <stdio.h>
#include <string.h>

static const char *const project_statuses[] = {"active", "archived", NULL};

static const char project_cols[] =
    "p.id, p.org_id, o.name AS org_name, o.slug AS org_slug, p.name, p.code, p.description, "
    "p.status, p.created_at, p.updated_at, p.version";

static json_t *access_json(const ms_access *a)
{
    return json_pack("{s:s,s:s,s:s}", "level", ms_level_name(a->level), "role", a->role, "via",
                     a->via);
}

static int reply_project(ms_req *r, int status, const char *id)
{
    ms_access a;
    int rc = authz_project(r->db, r->caller, id, &a, &r->err);
    if (rc) return rc;
    db_stmt *st;
    rc = db_query_row(r->db, &st, &r->err,
                      ms_arena_printf(r->arena,
                                      "SELECT %s FROM project p JOIN org o ON o.id = p.org_id "
                                      "WHERE p.id = ?",
                                      project_cols),
                      "s", id);
    if (rc < 0) return rc;
    if (rc == DB_DONE) return ms_req_fail(r, MS_ENOTFOUND, NULL, "No such project.");
    json_t *o = db_row_json(st);
    db_done(st);
    json_object_set_new(o, "access", access_json(&a));
    ms_reply_etag(r, json_integer_value(json_object_get(o, "version")));
    if (status == 201)
        ms_reply_header(r, "Location", ms_arena_printf(r->arena, "/api/v1/projects/%s", id));
    return ms_reply(r, status, o);
}

static bool code_valid(const char *s)
{
    size_t n = strlen(s);
    if (n > 16) return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-'))
            return false;
    }
    return true;
}

static const ms_jfield project_create_fields[] = {
    {"org_id", MS_J_ID, true, false, 0, 0, NULL},
    {"name", MS_J_STRING, true, false, 1, 200, NULL},
    {"code", MS_J_STRING, false, false, 0, 16, NULL},
    {"description", MS_J_TEXT, false, false, 0, 8000, NULL},
    {0},
};

int h_projects_create(ms_req *r)
{
    if (ms_json_check(r->body, project_create_fields, &r->err)) return r->err.code;
    const char *org_id = ms_json_str(r->body, "org_id"), *name = ms_json_str(r->body, "name");
    const char *code = ms_json_str(r->body, "code"), *desc = ms_json_str(r->body, "description");
    if (code && !code_valid(code))
        return ms_field_fail(&r->err, "code", "must be up to 16 of A-Z, 0-9, _ and -");
    /* Creating in an organization is an org-scoped permission on an id from the body: the
     * same authorization function as every route. Members and above may create. */
    ms_access a;
    int rc = authz_org(r->db, r->caller, org_id, &a, &r->err);
    if (rc == MS_ENOTFOUND) {
        ms_error_clear(&r->err);
        return ms_field_fail(&r->err, "org_id", "is not an organization you belong to");
    }
    if (rc) return rc;
    if (a.level < LEVEL_EDIT)
        return ms_req_fail(r, MS_EFORBIDDEN, NULL,
                           "Viewers cannot create projects; ask an admin of the organization.");
    char id[MS_ID_LEN], now[MS_TIME_LEN];
    ms_uuid7(id);
    ms_now_str(now);
    rc = db_exec(r->db, &r->err,
                 "INSERT INTO project (id, org_id, name, code, description, status, created_by, "
                 "created_at, updated_at) VALUES (?, ?, ?, ?, ?, 'active', ?, ?, ?)",
                 "ssssssss", id, org_id, name, code ? code : "", desc ? desc : "",
                 r->caller->user_id, now, now);
    if (rc < 0) return rc;
    if ((rc = auth_event(r, "project.created", "project", id, org_id, id, NULL,
                         "Project %s created", name)))
        return rc;
    return reply_project(r, 201, id);
}

/* GET /projects: every project the caller reaches, with access. `org_id` narrows to the
 * projects of one organization: those it owns and those shared with it. */
int h_projects_list(ms_req *r)
{
    static const char *const allowed[] = {"limit", "cursor", "org_id", "q", "status", NULL};
    int limit, rc;
    char cursor[MS_ID_LEN + 1];
    if ((rc = ms_req_query_only(r, allowed)) ||
        (rc = ms_req_page(r, &limit, cursor, sizeof cursor)))
        return rc;
    const char *org_id = ms_req_query(r, "org_id"), *q = ms_req_query(r, "q");
    const char *status = ms_req_query(r, "status");
    if (org_id && !ms_uuid_valid(org_id))
        return ms_req_fail(r, MS_EBADREQ, "bad-query", "org_id must be an organization id.");
    if (status && !auth_role_in(status, project_statuses))
        return ms_req_fail(r, MS_EBADREQ, "bad-query", "status must be active or archived.");
    if (q && (ms_utf8_chars(q) > 100 || !ms_str_is_clean_text(q, 400, false)))
        return ms_req_fail(r, MS_EBADREQ, "bad-query", "q must be at most 100 characters.");
    char *like = q && *q ? db_like_pattern(r->arena, q) : NULL;
    const char *uid = r->caller->user_id;
    char *sql = ms_arena_printf(
        r->arena,
        "WITH vis AS (%s), page AS (SELECT p.id FROM project p WHERE p.deleted_at IS NULL "
        "AND p.id > ? AND p.id IN (SELECT pid FROM vis) "
        "AND (? IS NULL OR p.org_id = ? OR p.id IN (SELECT pp.project_id FROM project_partner pp "
        "WHERE pp.org_id = ?)) "
        "AND (? IS NULL OR LOWER(p.name) LIKE ? ESCAPE '\\' OR LOWER(p.code) LIKE ? ESCAPE '\\') "
        "AND (? IS NULL OR p.status = ?) ORDER BY p.id LIMIT ?) "
        "SELECT %s, v.via AS path_via, v.role AS path_role, v.cap AS path_cap FROM page "
        "JOIN project p ON p.id = page.id JOIN org o ON o.id = p.org_id "
        "JOIN vis v ON v.pid = p.id ORDER BY p.id",
        authz_paths_sql, project_cols);
    db_stmt *st;
    rc = db_query(r->db, &st, &r->err, sql, "ssssssssssssi", uid, uid, uid, cursor, org_id, org_id,
                  org_id, like, like, like, status, status, limit + 1);
    if (rc) return rc;
    /* Rows come grouped by project (one per access path); fold them. */
    json_t *items = json_array(), *cur = NULL;
    ms_access a;
    int n = 0;
    bool more = false;
    char last[MS_ID_LEN] = "";
    while ((rc = db_step(st, &r->err)) == DB_ROW) {
        const char *id = db_col_text(st, 0);
        if (!cur || strcmp(id, json_string_value(json_object_get(cur, "id"))) != 0) {
            if (cur) json_object_set_new(cur, "access", access_json(&a));
            if (n == limit) {
                more = true;
                cur = NULL;
                break;
            }
            cur = db_row_json(st);
            json_object_del(cur, "path_via");
            json_object_del(cur, "path_role");
            json_object_del(cur, "path_cap");
            json_array_append_new(items, cur);
            memset(&a, 0, sizeof a);
            ms_strlcpy(last, id, sizeof last);
            n++;
        }
        int nc = db_col_count(st);
        authz_add_path(&a, db_col_text(st, nc - 3), db_col_text(st, nc - 2),
                       db_col_text(st, nc - 1));
    }
    if (cur) json_object_set_new(cur, "access", access_json(&a));
    db_done(st);
    if (rc < 0) {
        json_decref(items);
        return rc;
    }
    return ms_reply_list(r, items, more ? last : NULL);
}

int h_projects_get(ms_req *r)
{
    return reply_project(r, 200, ms_req_param(r, "id"));
}

static const ms_jfield project_update_fields[] = {
    {"name", MS_J_STRING, false, false, 1, 200, NULL},
    {"code", MS_J_STRING, false, false, 0, 16, NULL},
    {"description", MS_J_TEXT, false, false, 0, 8000, NULL},
    {"status", MS_J_ENUM, false, false, 0, 0, project_statuses},
    {0},
};

int h_projects_update(ms_req *r)
{
    if (ms_json_check(r->body, project_update_fields, &r->err)) return r->err.code;
    const char *id = ms_req_param(r, "id");
    const char *code = ms_json_str(r->body, "code");
    if (code && !code_valid(code))
        return ms_field_fail(&r->err, "code", "must be up to 16 of A-Z, 0-9, _ and -");
    db_stmt *st;
    int rc = db_query_row(r->db, &st, &r->err,
                          "SELECT name, code, description, status, version, org_id FROM project "
                          "WHERE id = ?",
                          "s", id);
    if (rc < 0) return rc;
    if (rc == DB_DONE) return ms_req_fail(r, MS_ENOTFOUND, NULL, "No such project.");
    const char *name = ms_json_str(r->body, "name"), *desc = ms_json_str(r->body, "description");
    const char *status = ms_json_str(r->body, "status");
    if (!name) name = ms_arena_strdup(r->arena, db_col_text(st, 0));
    if (!code) code = ms_arena_strdup(r->arena, db_col_text(st, 1));
    if (!desc) desc = ms_arena_strdup(r->arena, db_col_text(st, 2));
    if (!status) status = ms_arena_strdup(r->arena, db_col_text(st, 3));
    int64_t version = db_col_int(st, 4);
    char *org_id = ms_arena_strdup(r->arena, db_col_text(st, 5));
    db_done(st);
    if ((rc = ms_req_check_version(r, version))) return rc;
    char now[MS_TIME_LEN];
    ms_now_str(now);
    rc = db_exec(r->db, &r->err,
                 "UPDATE project SET name = ?, code = ?, description = ?, status = ?, "
                 "updated_at = ?, version = version + 1 WHERE id = ? AND version = ?",
                 "ssssssI", name, code, desc, status, now, id, version);
    if (rc < 0) return rc;
    if (rc == 0) return ms_req_check_version(r, version + 1);
    json_t *changed = json_object();
    const char *key;
    json_t *v;
    json_object_foreach(r->body, key, v) json_object_set(changed, key, v);
    if ((rc = auth_event(r, "project.updated", "project", id, org_id, id, changed,
                         "Project %s updated", name)))
        return rc;
    return reply_project(r, 200, id);
}

int h_projects_delete(ms_req *r)
{
    const char *id = ms_req_param(r, "id");
    db_stmt *st;
    int rc = db_query_row(r->db, &st, &r->err,
                          "SELECT name, version, org_id FROM project WHERE id = ?", "s", id);
    if (rc < 0) return rc;
    if (rc == DB_DONE) return ms_req_fail(r, MS_ENOTFOUND, NULL, "No such project.");
    char *name = ms_arena_strdup(r->arena, db_col_text(st, 0));
    int64_t version = db_col_int(st, 1);
    char *org_id = ms_arena_strdup(r->arena, db_col_text(st, 2));
    db_done(st);
    if ((rc = ms_req_check_version(r, version))) return rc;
    char now[MS_TIME_LEN];
    ms_now_str(now);
    rc = db_exec(r->db, &r->err,
                 "UPDATE project SET deleted_at = ?, updated_at = ?, version = version + 1 "
                 "WHERE id = ? AND version = ?",
                 "sssI", now, now, id, version);
    if (rc < 0) return rc;
    if (rc == 0) return ms_req_check_version(r, version + 1);
    /* Recorded at the organization (project_id NULL): the project itself is gone for
     * everyone, but the owner's members see that it was deleted and by whom. */
    if ((rc = auth_event(r, "project.deleted", "project", id, org_id, NULL, NULL,
                         "Project %s deleted", name)))
        return rc;
    return ms_reply_empty(r);
}

/* ---- Partners. ---- */

static const char partner_select[] =
    "SELECT pp.org_id, o.name AS org_name, o.slug AS org_slug, o.kind AS org_kind, pp.role, "
    "pp.created_at, pp.updated_at, pp.version FROM project_partner pp JOIN org o ON o.id = "
    "pp.org_id ";

int h_partners_list(ms_req *r)
{
    static const char *const allowed[] = {"limit", "cursor", NULL};
    int limit, rc;
    char cursor[MS_ID_LEN + 1];
    if ((rc = ms_req_query_only(r, allowed)) ||
        (rc = ms_req_page(r, &limit, cursor, sizeof cursor)))
        return rc;
    db_stmt *st;
    rc = db_query(r->db, &st, &r->err,
                  ms_arena_printf(r->arena,
                                  "%sWHERE pp.project_id = ? AND pp.org_id > ? ORDER BY pp.org_id "
                                  "LIMIT ?",
                                  partner_select),
                  "ssi", ms_req_param(r, "id"), cursor, limit + 1);
    if (rc) return rc;
    return auth_reply_page(r, st, limit, "org_id", NULL);
}

static int reply_partner(ms_req *r, int status, const char *project_id, const char *org_id)
{
    db_stmt *st;
    int rc = db_query_row(
        r->db, &st, &r->err,
        ms_arena_printf(r->arena, "%sWHERE pp.project_id = ? AND pp.org_id = ?", partner_select),
        "ss", project_id, org_id);
    if (rc < 0) return rc;
    if (rc == DB_DONE) return ms_req_fail(r, MS_ENOTFOUND, NULL, "No such partner.");
    json_t *o = db_row_json(st);
    db_done(st);
    ms_reply_etag(r, json_integer_value(json_object_get(o, "version")));
    if (status == 201)
        ms_reply_header(
            r, "Location",
            ms_arena_printf(r->arena, "/api/v1/projects/%s/partners/%s", project_id, org_id));
    return ms_reply(r, status, o);
}

static const ms_jfield partner_add_fields[] = {
    {"org_id", MS_J_ID, false, false, 0, 0, NULL},
    {"org", MS_J_SLUG, false, false, 2, 40, NULL},
    {"role", MS_J_ENUM, true, false, 0, 0, partner_roles},
    {0},
};

int h_partners_add(ms_req *r)
{
    if (ms_json_check(r->body, partner_add_fields, &r->err)) return r->err.code;
    const char *pid = ms_req_param(r, "id"), *role = ms_json_str(r->body, "role");
    const char *oid = ms_json_str(r->body, "org_id"), *slug = ms_json_str(r->body, "org");
    if (!oid == !slug)
        return ms_field_fail(&r->err, "org_id", "give either org_id or org (the slug)");
    db_stmt *st;
    int rc = db_query_row(r->db, &st, &r->err,
                          oid ? "SELECT id, name FROM org WHERE id = ?"
                              : "SELECT id, name FROM org WHERE slug = ?",
                          "s", oid ? oid : slug);
    if (rc < 0) return rc;
    if (rc == DB_DONE)
        return ms_field_fail(&r->err, oid ? "org_id" : "org", "no organization has this %s",
                             oid ? "id" : "slug");
    char org_id[MS_ID_LEN], org_name[256];
    ms_strlcpy(org_id, db_col_text(st, 0), sizeof org_id);
    ms_strlcpy(org_name, db_col_text(st, 1), sizeof org_name);
    db_done(st);
    if (!strcmp(org_id, r->access->org_id))
        return ms_field_fail(&r->err, oid ? "org_id" : "org",
                             "is the organization that owns the project");
    char now[MS_TIME_LEN];
    ms_now_str(now);
    rc = db_exec(r->db, &r->err,
                 "INSERT INTO project_partner (project_id, org_id, role, created_by, created_at, "
                 "updated_at) VALUES (?, ?, ?, ?, ?, ?)",
                 "ssssss", pid, org_id, role, r->caller->user_id, now, now);
    if (rc == MS_ECONFLICT)
        return ms_req_fail(r, MS_ECONFLICT, "already-partner",
                           "%s is already a partner of this project; change its role instead.",
                           org_name);
    if (rc < 0) return rc;
    if ((rc = auth_event(r, "project.partner.added", "org", org_id, r->access->org_id, pid,
                         json_pack("{s:s}", "role", role), "%s joined the project as %s", org_name,
                         role)))
        return rc;
    return reply_partner(r, 201, pid, org_id);
}

static int load_partner(ms_req *r, const char *pid, const char *org_id, char role[24],
                        int64_t *version, char name[256])
{
    if (!ms_uuid_valid(org_id)) return ms_req_fail(r, MS_ENOTFOUND, NULL, "No such partner.");
    db_stmt *st;
    int rc =
        db_query_row(r->db, &st, &r->err,
                     "SELECT pp.role, pp.version, o.name FROM project_partner pp "
                     "JOIN org o ON o.id = pp.org_id WHERE pp.project_id = ? AND pp.org_id = ?",
                     "ss", pid, org_id);
    if (rc < 0) return rc;
    if (rc == DB_DONE) return ms_req_fail(r, MS_ENOTFOUND, NULL, "No such partner.");
    ms_strlcpy(role, db_col_text(st, 0), 24);
    *version = db_col_int(st, 1);
    ms_strlcpy(name, db_col_text(st, 2), 256);
    db_done(st);
    return 0;
}

static const ms_jfield partner_update_fields[] = {
    {"role", MS_J_ENUM, true, false, 0, 0, partner_roles},
    {0},
};

int h_partners_update(ms_req *r)
{
    if (ms_json_check(r->body, partner_update_fields, &r->err)) return r->err.code;
    const char *pid = ms_req_param(r, "id"), *org_id = ms_req_param(r, "org_id");
    const char *role = ms_json_str(r->body, "role");
    char old[24], name[256];
    int64_t version;
    int rc = load_partner(r, pid, org_id, old, &version, name);
    if (rc) return rc;
    if ((rc = ms_req_check_version(r, version))) return rc;
    char now[MS_TIME_LEN];
    ms_now_str(now);
    rc = db_exec(r->db, &r->err,
                 "UPDATE project_partner SET role = ?, updated_at = ?, version = version + 1 "
                 "WHERE project_id = ? AND org_id = ? AND version = ?",
                 "ssssI", role, now, pid, org_id, version);
    if (rc < 0) return rc;
    if (rc == 0) return ms_req_check_version(r, version + 1);
    if ((rc = auth_event(r, "project.partner.updated", "org", org_id, r->access->org_id, pid,
                         json_pack("{s:s,s:s}", "from", old, "to", role),
                         "%s is now %s on the project (was %s)", name, role, old)))
        return rc;
    return reply_partner(r, 200, pid, org_id);
}

/* DELETE /projects/{id}/partners/{org_id}: a manager removes a partner, or an admin of the
 * partner organization takes it off the project. */
int h_partners_remove(ms_req *r)
{
    const char *pid = ms_req_param(r, "id"), *org_id = ms_req_param(r, "org_id");
    if (r->access->level < LEVEL_MANAGE) {
        ms_access mine;
        ms_error e;
        if (authz_org(r->db, r->caller, org_id, &mine, &e) != 0 || mine.level < LEVEL_MANAGE)
            return ms_req_fail(r, MS_EFORBIDDEN, NULL,
                               "Only the project's managers or the partner's admins may remove "
                               "a partner.");
    }
    char role[24], name[256];
    int64_t version;
    int rc = load_partner(r, pid, org_id, role, &version, name);
    if (rc) return rc;
    if ((rc = ms_req_check_version(r, version))) return rc;
    rc = db_exec(r->db, &r->err, "DELETE FROM project_partner WHERE project_id = ? AND org_id = ?",
                 "ss", pid, org_id);
    if (rc < 0) return rc;
    if ((rc = auth_event(r, "project.partner.removed", "org", org_id, r->access->org_id, pid,
                         json_pack("{s:s}", "role", role), "%s left the project", name)))
        return rc;
    return ms_reply_empty(r);
}

/* ---- Individual project members. ---- */

static const char pmember_select[] =
    "SELECT u.id AS user_id, u.email, u.display_name, pm.role, pm.created_at, pm.updated_at, "
    "pm.version FROM project_member pm JOIN user_account u ON u.id = pm.user_id ";

int h_project_members_list(ms_req *r)
{
    static const char *const allowed[] = {"limit", "cursor", NULL};
    int limit, rc;
    char cursor[MS_ID_LEN + 1];
    if ((rc = ms_req_query_only(r, allowed)) ||
        (rc = ms_req_page(r, &limit, cursor, sizeof cursor)))
        return rc;
    db_stmt *st;
    rc = db_query(r->db, &st, &r->err,
                  ms_arena_printf(r->arena,
                                  "%sWHERE pm.project_id = ? AND pm.user_id > ? ORDER BY "
                                  "pm.user_id LIMIT ?",
                                  pmember_select),
                  "ssi", ms_req_param(r, "id"), cursor, limit + 1);
    if (rc) return rc;
    return auth_reply_page(r, st, limit, "user_id", NULL);
}

static int reply_pmember(ms_req *r, int status, const char *pid, const char *uid)
{
    db_stmt *st;
    int rc = db_query_row(
        r->db, &st, &r->err,
        ms_arena_printf(r->arena, "%sWHERE pm.project_id = ? AND pm.user_id = ?", pmember_select),
        "ss", pid, uid);
    if (rc < 0) return rc;
    if (rc == DB_DONE) return ms_req_fail(r, MS_ENOTFOUND, NULL, "No such member.");
    json_t *o = db_row_json(st);
    db_done(st);
    ms_reply_etag(r, json_integer_value(json_object_get(o, "version")));
    if (status == 201)
        ms_reply_header(r, "Location",
                        ms_arena_printf(r->arena, "/api/v1/projects/%s/members/%s", pid, uid));
    return ms_reply(r, status, o);
}

static const ms_jfield pmember_add_fields[] = {
    {"user_id", MS_J_ID, false, false, 0, 0, NULL},
    {"email", MS_J_EMAIL, false, false, 0, 0, NULL},
    {"role", MS_J_ENUM, true, false, 0, 0, project_roles},
    {0},
};

int h_project_members_add(ms_req *r)
{
    if (ms_json_check(r->body, pmember_add_fields, &r->err)) return r->err.code;
    const char *pid = ms_req_param(r, "id"), *role = ms_json_str(r->body, "role");
    char uid[MS_ID_LEN];
    int rc = auth_body_user(r, uid);
    if (rc || (rc = project_member_add(r->db, r->caller->user_id, pid, uid, role, &r->err)))
        return rc;
    return reply_pmember(r, 201, pid, uid);
}

int project_member_add(db_conn *c, const char *actor_id, const char *project_id,
                       const char *user_id, const char *role, ms_error *err)
{
    if (!auth_role_in(role, project_roles))
        return ms_field_fail(err, "role", "must be one of admin, member, vendor, client, viewer");
    db_stmt *st;
    int rc = db_query_row(c, &st, err,
                          "SELECT p.org_id, (SELECT display_name FROM user_account WHERE id = ?), "
                          "(SELECT 1 FROM project_member WHERE project_id = p.id AND user_id = ?) "
                          "FROM project p WHERE p.id = ? AND p.deleted_at IS NULL",
                          "sss", user_id, user_id, project_id);
    if (rc < 0) return rc;
    if (rc == DB_DONE) return ms_fail(err, MS_ENOTFOUND, NULL, "No such project.");
    char org_id[MS_ID_LEN], name[256];
    ms_strlcpy(org_id, db_col_text(st, 0), sizeof org_id);
    bool known = !db_col_null(st, 1), member = !db_col_null(st, 2);
    ms_strlcpy(name, known ? db_col_text(st, 1) : "", sizeof name);
    db_done(st);
    if (!known) return ms_fail(err, MS_ENOTFOUND, NULL, "No such user.");
    if (member)
        return ms_fail(err, MS_ECONFLICT, "already-member",
                       "This person is already a member of the project; change their role "
                       "instead.");
    char now[MS_TIME_LEN];
    ms_now_str(now);
    rc = db_exec(c, err,
                 "INSERT INTO project_member (project_id, user_id, role, created_by, created_at, "
                 "updated_at) VALUES (?, ?, ?, ?, ?, ?)",
                 "ssssss", project_id, user_id, role, actor_id, now, now);
    if (rc < 0) return rc;
    json_t *data = json_pack("{s:s}", "role", role);
    ms_event ev = {.actor_id = actor_id,
                   .action = "project.member.added",
                   .object_type = "user",
                   .object_id = user_id,
                   .org_id = org_id,
                   .project_id = project_id,
                   .data = data};
    rc = event_appendf(c, &ev, err, "%s joined the project as %s", name, role);
    json_decref(data);
    return rc;
}

static int load_pmember(ms_req *r, const char *pid, const char *uid, char role[16],
                        int64_t *version, char name[256])
{
    if (!ms_uuid_valid(uid)) return ms_req_fail(r, MS_ENOTFOUND, NULL, "No such member.");
    db_stmt *st;
    int rc = db_query_row(r->db, &st, &r->err,
                          "SELECT pm.role, pm.version, u.display_name FROM project_member pm "
                          "JOIN user_account u ON u.id = pm.user_id "
                          "WHERE pm.project_id = ? AND pm.user_id = ?",
                          "ss", pid, uid);
    if (rc < 0) return rc;
    if (rc == DB_DONE) return ms_req_fail(r, MS_ENOTFOUND, NULL, "No such member.");
    ms_strlcpy(role, db_col_text(st, 0), 16);
    *version = db_col_int(st, 1);
    ms_strlcpy(name, db_col_text(st, 2), 256);
    db_done(st);
    return 0;
}

static const ms_jfield pmember_update_fields[] = {
    {"role", MS_J_ENUM, true, false, 0, 0, project_roles},
    {0},
};

int h_project_members_update(ms_req *r)
{
    if (ms_json_check(r->body, pmember_update_fields, &r->err)) return r->err.code;
    const char *pid = ms_req_param(r, "id"), *uid = ms_req_param(r, "user_id");
    const char *role = ms_json_str(r->body, "role");
    char old[16], name[256];
    int64_t version;
    int rc = load_pmember(r, pid, uid, old, &version, name);
    if (rc) return rc;
    if ((rc = ms_req_check_version(r, version))) return rc;
    char now[MS_TIME_LEN];
    ms_now_str(now);
    rc = db_exec(r->db, &r->err,
                 "UPDATE project_member SET role = ?, updated_at = ?, version = version + 1 "
                 "WHERE project_id = ? AND user_id = ? AND version = ?",
                 "ssssI", role, now, pid, uid, version);
    if (rc < 0) return rc;
    if (rc == 0) return ms_req_check_version(r, version + 1);
    if ((rc = auth_event(r, "project.member.updated", "user", uid, r->access->org_id, pid,
                         json_pack("{s:s,s:s}", "from", old, "to", role),
                         "%s is now %s on the project (was %s)", name, role, old)))
        return rc;
    return reply_pmember(r, 200, pid, uid);
}

/* DELETE /projects/{id}/members/{user_id}: a manager removes someone, or a member leaves. */
int h_project_members_remove(ms_req *r)
{
    const char *pid = ms_req_param(r, "id"), *uid = ms_req_param(r, "user_id");
    bool self = !strcmp(uid, r->caller->user_id);
    if (!self && r->access->level < LEVEL_MANAGE)
        return ms_req_fail(r, MS_EFORBIDDEN, NULL,
                           "Only the project's managers may remove members.");
    char role[16], name[256];
    int64_t version;
    int rc = load_pmember(r, pid, uid, role, &version, name);
    if (rc) return rc;
    if ((rc = ms_req_check_version(r, version))) return rc;
    rc = db_exec(r->db, &r->err, "DELETE FROM project_member WHERE project_id = ? AND user_id = ?",
                 "ss", pid, uid);
    if (rc < 0) return rc;
    if ((rc = auth_event(r, self ? "project.member.left" : "project.member.removed", "user", uid,
                         r->access->org_id, pid, json_pack("{s:s}", "role", role),
                         self ? "%s left the project" : "%s was removed from the project", name)))
        return rc;
    return ms_reply_empty(r);
}
