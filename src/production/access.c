/* access.c: who the caller is in a project's production (supervisor, artist, vendor, client,
 * viewer: see prod_internal.h), which tasks they see, and the event every write appends. It
 * does not decide project access itself: auth's authz_project does, and this only narrows. */
#include "production/prod_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int prod_scope_get(ms_req *r, const char *project_id, prod_scope *out)
{
    memset(out, 0, sizeof *out);
    if (!ms_uuid_valid(project_id)) return ms_req_fail(r, MS_ENOTFOUND, NULL, "No such project.");
    ms_access a;
    int rc = authz_project(r->db, r->caller, project_id, &a, &r->err);
    if (rc) return rc;
    ms_strlcpy(out->project_id, project_id, sizeof out->project_id);
    ms_strlcpy(out->org_id, a.org_id, sizeof out->org_id);
    ms_strlcpy(out->role, a.role, sizeof out->role);
    ms_strlcpy(out->user_id, r->caller->user_id, sizeof out->user_id);
    if (a.level >= LEVEL_MANAGE) {
        out->kind = PROD_SUPERVISOR;
    } else if (!strcmp(a.role, "vendor")) {
        out->kind = PROD_VENDOR;
        if (!strcmp(a.via, "partner")) {
            db_stmt *st;
            rc = db_query_row(r->db, &st, &r->err,
                              "SELECT pp.org_id FROM project_partner pp JOIN membership m ON "
                              "m.org_id = pp.org_id AND m.user_id = ? WHERE pp.project_id = ? "
                              "AND pp.role = 'vendor' ORDER BY pp.org_id LIMIT 1",
                              "ss", r->caller->user_id, project_id);
            if (rc < 0) return rc;
            if (rc == DB_ROW) {
                ms_strlcpy(out->vendor_org, db_col_text(st, 0), sizeof out->vendor_org);
                db_done(st);
            }
        }
    } else if (a.level >= LEVEL_EDIT) {
        out->kind = PROD_ARTIST;
    } else if (!strcmp(a.role, "client")) {
        out->kind = PROD_CLIENT;
    } else {
        out->kind = PROD_VIEWER;
    }
    return 0;
}

int prod_scope_of(ms_req *r, const char *sql, const char *id, const char *what, prod_scope *out)
{
    if (!ms_uuid_valid(id)) return ms_req_fail(r, MS_ENOTFOUND, NULL, "No such %s.", what);
    db_stmt *st;
    int rc = db_query_row(r->db, &st, &r->err, sql, "s", id);
    if (rc < 0) return rc;
    if (rc == DB_DONE) return ms_req_fail(r, MS_ENOTFOUND, NULL, "No such %s.", what);
    char pid[MS_ID_LEN];
    ms_strlcpy(pid, db_col_text(st, 0), sizeof pid);
    db_done(st);
    rc = prod_scope_get(r, pid, out);
    if (rc == MS_ENOTFOUND) {
        ms_error_clear(&r->err);
        return ms_req_fail(r, MS_ENOTFOUND, NULL, "No such %s.", what);
    }
    return rc;
}

static const char *kind_name(prod_kind k)
{
    static const char *const names[] = {"viewer", "client", "vendor", "artist", "supervisor"};
    return names[k];
}

int prod_require(ms_req *r, const prod_scope *s, prod_kind need, const char *doing)
{
    /* A vendor plans nothing and a client only reviews: below an artist, the order of the
     * kinds is not an order of rights, so only the two upper levels are asked for. */
    if (s->kind >= need) return 0;
    return ms_req_fail(r, MS_EFORBIDDEN, "production-role",
                       "Your role in this project (%s, so %s) may not %s.", s->role,
                       kind_name(s->kind), doing);
}

void prod_task_filter(const prod_scope *s, ms_buf *sql, db_arg *args, int *n)
{
    switch (s->kind) {
    case PROD_VENDOR:
        if (s->vendor_org[0]) {
            ms_buf_puts(sql, " AND EXISTS (SELECT 1 FROM task_assignee ta JOIN membership m ON "
                             "m.user_id = ta.user_id WHERE ta.task_id = t.id AND m.org_id = ?)");
            args[(*n)++] = DB_ARG_S(s->vendor_org);
        } else {
            ms_buf_puts(sql, " AND EXISTS (SELECT 1 FROM task_assignee ta WHERE ta.task_id = "
                             "t.id AND ta.user_id = ?)");
            args[(*n)++] = DB_ARG_S(s->user_id);
        }
        break;
    case PROD_CLIENT:
        ms_buf_puts(sql, " AND t.status_id IN (SELECT id FROM task_status WHERE project_id = "
                         "t.project_id AND (is_feedback_request <> 0 OR is_client_allowed <> 0))");
        break;
    default:
        break;
    }
}

int prod_task_visible(ms_req *r, const prod_scope *s, const char *task_id)
{
    if (s->kind != PROD_VENDOR && s->kind != PROD_CLIENT) return 0;
    ms_buf sql;
    ms_buf_init(&sql);
    db_arg args[4];
    int n = 0;
    ms_buf_puts(&sql, "SELECT 1 FROM task t WHERE t.id = ?");
    args[n++] = DB_ARG_S(task_id);
    prod_task_filter(s, &sql, args, &n);
    if (sql.oom) {
        ms_buf_free(&sql);
        return ms_req_fail(r, MS_ENOMEM, NULL, "out of memory");
    }
    db_stmt *st;
    int rc = db_query_args(r->db, &st, &r->err, sql.data, args, n);
    ms_buf_free(&sql);
    if (rc) return rc;
    rc = db_step(st, &r->err);
    db_done(st);
    if (rc < 0) return rc;
    return rc == DB_ROW ? 0 : ms_req_fail(r, MS_ENOTFOUND, NULL, "No such task.");
}

int prod_task_scope(ms_req *r, const char *id, prod_scope *s)
{
    int rc = prod_scope_of(r,
                           "SELECT t.project_id FROM task t JOIN entity e ON e.id = t.entity_id "
                           "WHERE t.id = ? AND e.deleted_at IS NULL",
                           id, "task", s);
    return rc ? rc : prod_task_visible(r, s, id);
}

int prod_reply_page(ms_req *r, ms_buf *sql, const db_arg *args, int n, int limit)
{
    db_stmt *st;
    int rc = db_query_buf(r->db, &st, &r->err, sql, args, n);
    return rc ? rc : auth_reply_page(r, st, limit, "id", NULL);
}

bool prod_unique_violation(const ms_error *e)
{
    return e->code == MS_ECONFLICT || strstr(e->detail, "UNIQUE") || strstr(e->detail, "unique");
}

int prod_event(ms_req *r, const prod_scope *s, const char *action, const char *object_type,
               const char *object_id, json_t *data, const char *fmt, ...)
{
    ms_event ev = {.actor_id = r->caller ? r->caller->user_id : NULL,
                   .action = action,
                   .object_type = object_type,
                   .object_id = object_id,
                   .org_id = s->org_id,
                   .project_id = s->project_id,
                   .data = data};
    va_list ap;
    va_start(ap, fmt);
    int rc = event_vappendf(r->db, &ev, &r->err, fmt, ap);
    va_end(ap);
    if (rc || (rc = prod_revision_bump(r, s->project_id))) return rc;
    return prod_webhooks_fire(r, s, action, object_type, object_id, data);
}

bool prod_fps_valid(const char *s, char out[24])
{
    long long num = 0, den = 1;
    char tail;
    if (!s || strlen(s) > 20) return false;
    if (strchr(s, '/')) {
        if (sscanf(s, "%lld/%lld%c", &num, &den, &tail) != 2) return false;
    } else if (sscanf(s, "%lld%c", &num, &tail) != 1) {
        return false;
    }
    if (num < 1 || num > 1000000 || den < 1 || den > 1000000 || num / den > 1000) return false;
    if (den == 1)
        snprintf(out, 24, "%lld", num);
    else
        snprintf(out, 24, "%lld/%lld", num, den);
    return true;
}

bool prod_date_valid(const char *s)
{
    int y, m, d;
    char tail;
    if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-') return false;
    if (sscanf(s, "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3) return false;
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (y < 1900 || y > 2999 || m < 1 || m > 12 || d < 1) return false;
    int max = days[m - 1] + (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0));
    return d <= max;
}

bool prod_color_valid(const char *s)
{
    if (!s || strlen(s) != 7 || s[0] != '#') return false;
    for (int i = 1; i < 7; i++)
        if (!strchr("0123456789abcdefABCDEF", s[i])) return false;
    return true;
}

int prod_reply_rows(ms_req *r, db_stmt *st, void (*each)(ms_req *r, json_t *row))
{
    json_t *items = json_array();
    int rc;
    while ((rc = db_step(st, &r->err)) == DB_ROW) {
        json_t *o = db_row_json(st);
        if (each) each(r, o);
        json_array_append_new(items, o);
    }
    db_done(st);
    if (rc < 0) {
        json_decref(items);
        return rc;
    }
    return ms_reply_list(r, items, NULL);
}

int prod_list_begin(ms_req *r, const char *const *allowed, int *limit, char cursor[MS_ID_LEN + 1],
                    prod_scope *s)
{
    int rc = ms_req_query_only(r, allowed);
    if (rc || (rc = ms_req_page(r, limit, cursor, MS_ID_LEN + 1))) return rc;
    return prod_scope_get(r, ms_req_param(r, "id"), s);
}
