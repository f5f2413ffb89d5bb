/* tasks.c: tasks (one per entity and task type) with assignees, status, priority, estimate,
 * dates and retake count; the status rules (artists set only statuses allowed to artists,
 * clients only those allowed to clients, supervisors any); bulk changes; the production grid
 * (entities x task types in one query) and "my tasks" across projects. Vendors and clients
 * see only their tasks (access.c). It does not hold comments (comments.c). */
#include "production/prod_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BULK_MAX      5000 /* tasks in one bulk change or one create */
#define ASSIGNEES_MAX 20

/* The assignees of each task as a JSON array of ids. SQLite and PostgreSQL spell string
 * aggregation differently (group_concat / string_agg), so this one expression is built per
 * engine. */
const char *prod_assignees_expr(ms_req *r)
{
    return !strcmp(db_conn_engine(r->db), "postgres")
               ? "(SELECT string_agg('\"' || ta.user_id || '\"', ',' ORDER BY ta.user_id) FROM "
                 "task_assignee ta WHERE ta.task_id = t.id)"
               : "(SELECT group_concat('\"' || user_id || '\"', ',') FROM (SELECT ta.user_id "
                 "FROM task_assignee ta WHERE ta.task_id = t.id ORDER BY ta.user_id))";
}

#define TASK_FROM                                                                                  \
    " FROM task t JOIN entity e ON e.id = t.entity_id AND e.deleted_at IS NULL JOIN entity_type "  \
    "et ON et.id = e.type_id LEFT JOIN entity pe ON pe.id = e.parent_id JOIN task_type tt ON "     \
    "tt.id = t.task_type_id JOIN task_status ts ON ts.id = t.status_id"

/* "SELECT <cols> FROM ..." with the engine's assignee aggregation. */
static void task_select(ms_req *r, ms_buf *sql)
{
    ms_buf_puts(sql, "SELECT t.id, t.project_id, t.entity_id, e.name AS entity_name, et.name AS "
                     "entity_type, pe.name AS parent_name, t.task_type_id, tt.name AS task_type, "
                     "t.status_id, ts.short_name AS status, ts.color AS status_color, ts.is_done, "
                     "t.priority, t.estimate, t.start_date, t.due_date, t.time_spent, "
                     "t.retake_count, '[' || COALESCE(");
    ms_buf_puts(sql, prod_assignees_expr(r));
    ms_buf_puts(sql,
                ", '') || ']' AS assignees_json, t.created_at, t.updated_at, t.version" TASK_FROM);
}

static int task_reply(ms_req *r, int status, const char *id)
{
    ms_buf sql;
    ms_buf_init(&sql);
    task_select(r, &sql);
    ms_buf_puts(&sql, " WHERE t.id = ?");
    db_stmt *st;
    int rc = sql.oom ? ms_req_fail(r, MS_ENOMEM, NULL, "out of memory")
                     : db_query_row(r->db, &st, &r->err, sql.data, "s", id);
    ms_buf_free(&sql);
    if (rc < 0) return rc;
    if (rc == DB_DONE) return ms_req_fail(r, MS_ENOTFOUND, NULL, "No such task.");
    json_t *o = db_row_json(st);
    db_done(st);
    ms_reply_etag(r, json_integer_value(json_object_get(o, "version")));
    return ms_reply(r, status, o);
}

/* ---- Lists. ---- */

/* Filters shared by the project's task list and "my tasks". */
static int task_filters(ms_req *r, ms_buf *sql, db_arg *args, int *n)
{
    static const struct {
        const char *param, *sql;
    } eq[] = {{"entity_id", " AND t.entity_id = ?"}, {"task_type_id", " AND t.task_type_id = ?"},
              {"status_id", " AND t.status_id = ?"}, {"status", " AND ts.short_name = ?"},
              {"parent_id", " AND e.parent_id = ?"}, {"entity_type_id", " AND e.type_id = ?"}};
    for (size_t i = 0; i < sizeof eq / sizeof eq[0]; i++) {
        const char *v = ms_req_query(r, eq[i].param);
        if (!v) continue;
        ms_buf_puts(sql, eq[i].sql);
        args[(*n)++] = DB_ARG_S(v);
    }
    const char *who = ms_req_query(r, "assignee");
    if (who) {
        ms_buf_puts(sql, " AND EXISTS (SELECT 1 FROM task_assignee ta WHERE ta.task_id = t.id AND "
                         "ta.user_id = ?)");
        args[(*n)++] = DB_ARG_S(!strcmp(who, "me") ? r->caller->user_id : who);
    }
    static const struct {
        const char *param, *sql;
    } dates[] = {{"due_before", " AND t.due_date <= ?"}, {"due_after", " AND t.due_date >= ?"}};
    for (size_t i = 0; i < sizeof dates / sizeof dates[0]; i++) {
        const char *v = ms_req_query(r, dates[i].param);
        if (!v) continue;
        if (!prod_date_valid(v))
            return ms_req_fail(r, MS_EBADREQ, "bad-query", "%s must be a date YYYY-MM-DD.",
                               dates[i].param);
        ms_buf_puts(sql, dates[i].sql);
        args[(*n)++] = DB_ARG_S(v);
    }
    const char *done = ms_req_query(r, "done");
    if (done) {
        if (strcmp(done, "true") && strcmp(done, "false"))
            return ms_req_fail(r, MS_EBADREQ, "bad-query", "done must be true or false.");
        ms_buf_puts(sql, !strcmp(done, "true") ? " AND ts.is_done <> 0" : " AND ts.is_done = 0");
    }
    return 0;
}

/* GET /projects/{id}/tasks */
int h_tasks_list(ms_req *r)
{
    static const char *const allowed[] = {"limit",     "cursor",     "entity_id", "task_type_id",
                                          "status_id", "status",     "assignee",  "entity_type_id",
                                          "parent_id", "due_before", "due_after", "done",
                                          NULL};
    int limit;
    char cursor[MS_ID_LEN + 1];
    prod_scope s;
    int rc = prod_list_begin(r, allowed, &limit, cursor, &s);
    if (rc) return rc;
    ms_buf sql;
    ms_buf_init(&sql);
    db_arg args[24];
    int n = 0;
    task_select(r, &sql);
    ms_buf_puts(&sql, " WHERE t.project_id = ? AND t.id > ?");
    args[n++] = DB_ARG_S(s.project_id);
    args[n++] = DB_ARG_S(cursor);
    if ((rc = task_filters(r, &sql, args, &n))) {
        ms_buf_free(&sql);
        return rc;
    }
    prod_task_filter(&s, &sql, args, &n);
    ms_buf_puts(&sql, " ORDER BY t.id LIMIT ?");
    args[n++] = DB_ARG_I(limit + 1);
    return prod_reply_page(r, &sql, args, n, limit);
}

/* GET /me/tasks: the caller's tasks in every project they still reach, not done first. */
int h_my_tasks(ms_req *r)
{
    static const char *const allowed[] = {"limit",     "cursor", "status", "due_before",
                                          "due_after", "done",   NULL};
    int limit, rc;
    char cursor[MS_ID_LEN + 1];
    if ((rc = ms_req_query_only(r, allowed)) ||
        (rc = ms_req_page(r, &limit, cursor, sizeof cursor)))
        return rc;
    ms_buf sql;
    ms_buf_init(&sql);
    db_arg args[16];
    int n = 0;
    task_select(r, &sql);
    /* Assignment alone does not open a project: the caller must still reach it (authz
     * paths), checked per row below through the project list of the caller. */
    ms_buf_puts(&sql, " JOIN task_assignee me ON me.task_id = t.id AND me.user_id = ? "
                      "JOIN project p ON p.id = t.project_id AND p.deleted_at IS NULL "
                      "WHERE t.id > ? AND t.project_id IN (SELECT pid FROM (");
    args[n++] = DB_ARG_S(r->caller->user_id);
    args[n++] = DB_ARG_S(cursor);
    ms_buf_puts(&sql, authz_paths_sql);
    ms_buf_puts(&sql, ") paths)");
    for (int i = 0; i < 3; i++)
        args[n++] = DB_ARG_S(r->caller->user_id);
    if ((rc = task_filters(r, &sql, args, &n))) {
        ms_buf_free(&sql);
        return rc;
    }
    ms_buf_puts(&sql, " ORDER BY t.id LIMIT ?");
    args[n++] = DB_ARG_I(limit + 1);
    return prod_reply_page(r, &sql, args, n, limit);
}

int h_task_get(ms_req *r)
{
    const char *id = ms_req_param(r, "id");
    prod_scope s;
    int rc = prod_task_scope(r, id, &s);
    return rc ? rc : task_reply(r, 200, id);
}

/* ---- Status rules. ---- */

typedef struct status_row {
    char id[MS_ID_LEN];
    char name[80];
    bool is_done, is_retake, artist, client;
} status_row;

static int status_load(ms_req *r, const prod_scope *s, const char *id, const char *field,
                       status_row *out)
{
    if (!ms_uuid_valid(id)) return ms_field_fail(&r->err, field, "is not a status id");
    db_stmt *st;
    int rc = db_query_row(r->db, &st, &r->err,
                          "SELECT id, name, is_done, is_retake, is_artist_allowed, "
                          "is_client_allowed FROM task_status WHERE id = ? AND project_id = ?",
                          "ss", id, s->project_id);
    if (rc < 0) return rc;
    if (rc == DB_DONE)
        return ms_field_fail(&r->err, field, "is not one of this project's statuses");
    ms_strlcpy(out->id, db_col_text(st, 0), sizeof out->id);
    ms_strlcpy(out->name, db_col_text(st, 1), sizeof out->name);
    out->is_done = db_col_int(st, 2) != 0;
    out->is_retake = db_col_int(st, 3) != 0;
    out->artist = db_col_int(st, 4) != 0;
    out->client = db_col_int(st, 5) != 0;
    db_done(st);
    return 0;
}

/* May the scope set this status? The server's rule, not the UI's. */
static int status_allowed(ms_req *r, const prod_scope *s, const status_row *st)
{
    bool ok = s->kind == PROD_SUPERVISOR ||
              ((s->kind == PROD_ARTIST || s->kind == PROD_VENDOR) && st->artist) ||
              (s->kind == PROD_CLIENT && st->client);
    if (ok) return 0;
    return ms_req_fail(r, MS_EFORBIDDEN, "status-not-allowed",
                       "Your role in this project (%s) may not set the status \"%s\".", s->role,
                       st->name);
}

/* Set a status already checked against the rules: count a retake when the task enters a
 * retake status, and tell the assignees and followers. The caller appends its own event. */
static int status_apply(ms_req *r, const prod_scope *s, const char *task_id, const status_row *st)
{
    char now[MS_TIME_LEN];
    ms_now_str(now);
    int rc = db_exec(r->db, &r->err,
                     "UPDATE task SET status_id = ?, retake_count = retake_count + CASE WHEN "
                     "status_id <> ? AND ? <> 0 THEN 1 ELSE 0 END, updated_at = ?, version = "
                     "version + 1 WHERE id = ?",
                     "ssiss", st->id, st->id, (int)st->is_retake, now, task_id);
    if (rc < 0 || (rc = prod_status_log(r, task_id))) return rc; /* wt-schedule: history */
    return prod_notify_watchers(r, s, task_id, "status", NULL,
                                ms_arena_printf(r->arena, "status set to %s", st->name), NULL);
}

int prod_task_set_status(ms_req *r, const prod_scope *s, const char *task_id, const char *status_id,
                         const char *field)
{
    status_row st;
    int rc = status_load(r, s, status_id, field, &st);
    if (rc || (rc = status_allowed(r, s, &st))) return rc;
    return status_apply(r, s, task_id, &st);
}

/* ---- Assignees. ---- */

/* Each id must be a user who reaches the project. */
static int assignees_check(ms_req *r, const prod_scope *s, const json_t *ids, const char *field)
{
    if (!json_is_array(ids) || json_array_size(ids) > ASSIGNEES_MAX)
        return ms_field_fail(&r->err, field, "must be a list of at most %d user ids",
                             ASSIGNEES_MAX);
    size_t i;
    json_t *v;
    json_array_foreach(ids, i, v)
    {
        const char *u = json_string_value(v);
        if (!u || !ms_uuid_valid(u)) return ms_field_fail(&r->err, field, "must hold user ids");
        ms_caller who;
        memset(&who, 0, sizeof who);
        ms_strlcpy(who.user_id, u, sizeof who.user_id);
        ms_access a;
        int rc = authz_project(r->db, &who, s->project_id, &a, &r->err);
        if (rc == MS_ENOTFOUND) {
            ms_error_clear(&r->err);
            return ms_field_fail(&r->err, field, "%s is not someone who works on this project", u);
        }
        if (rc) return rc;
    }
    return 0;
}

static int assignees_set(ms_req *r, const prod_scope *s, const char *task_id, const json_t *ids)
{
    /* Notify only the newly assigned. */
    size_t i;
    json_t *v;
    json_array_foreach(ids, i, v)
    {
        const char *u = json_string_value(v);
        db_stmt *st;
        int rc = db_query_row(r->db, &st, &r->err,
                              "SELECT 1 FROM task_assignee WHERE task_id = ? AND user_id = ?", "ss",
                              task_id, u);
        if (rc < 0) return rc;
        if (rc == DB_ROW) {
            db_done(st);
            continue;
        }
        if ((rc = prod_notify(r, s, u, "assignment", task_id, NULL, "assigned to you"))) return rc;
    }
    int rc = db_exec(r->db, &r->err, "DELETE FROM task_assignee WHERE task_id = ?", "s", task_id);
    if (rc < 0) return rc;
    json_array_foreach(ids, i, v)
    {
        if ((rc = db_exec(r->db, &r->err,
                          "INSERT INTO task_assignee (task_id, user_id) VALUES (?, ?) ON "
                          "CONFLICT DO NOTHING",
                          "ss", task_id, json_string_value(v))) < 0)
            return rc;
    }
    return 0;
}

/* ---- Writing. ---- */

static const ms_jfield task_fields[] = {
    {"entity_id", MS_J_ID, false, false, 0, 0, NULL},
    {"entity_ids", MS_J_ARRAY, false, false, 0, BULK_MAX, NULL},
    {"task_type_id", MS_J_ID, true, false, 0, 0, NULL},
    {"status_id", MS_J_ID, false, false, 0, 0, NULL},
    {"assignees", MS_J_ARRAY, false, false, 0, ASSIGNEES_MAX, NULL},
    {"priority", MS_J_INT, false, false, 0, 3, NULL},
    {"estimate", MS_J_INT, false, true, 0, 10000000, NULL},
    {"start_date", MS_J_STRING, false, true, 10, 10, NULL},
    {"due_date", MS_J_STRING, false, true, 10, 10, NULL},
    {0},
};

static int dates_check(ms_req *r, const char *start, const char *due)
{
    if (start && !prod_date_valid(start))
        return ms_field_fail(&r->err, "start_date", "must be a date YYYY-MM-DD");
    if (due && !prod_date_valid(due))
        return ms_field_fail(&r->err, "due_date", "must be a date YYYY-MM-DD");
    if (start && due && strcmp(due, start) < 0)
        return ms_field_fail(&r->err, "due_date", "must not be before start_date");
    return 0;
}

/* POST /projects/{id}/tasks: one task (entity_id) or one per entity (entity_ids), of one task
 * type. An entity that has the task already is skipped for entity_ids, a conflict for
 * entity_id. */
int h_tasks_create(ms_req *r)
{
    if (ms_json_check(r->body, task_fields, &r->err)) return r->err.code;
    const json_t *b = r->body;
    json_t *one = json_object_get(b, "entity_id"), *many = json_object_get(b, "entity_ids");
    if (!one == !many)
        return ms_field_fail(&r->err, "entity_id", "give entity_id or entity_ids, not both");
    const char *start = ms_json_str(b, "start_date"), *due = ms_json_str(b, "due_date");
    int rc = dates_check(r, start, due);
    if (rc) return rc;
    prod_scope s;
    if ((rc = prod_scope_get(r, ms_req_param(r, "id"), &s)) ||
        (rc = prod_require(r, &s, PROD_ARTIST, "create tasks")))
        return rc;
    const char *tt = ms_json_str(b, "task_type_id");
    db_stmt *st;
    rc = db_query_row(r->db, &st, &r->err,
                      "SELECT name FROM task_type WHERE id = ? AND project_id = ?", "ss", tt,
                      s.project_id);
    if (rc < 0) return rc;
    if (rc == DB_DONE)
        return ms_field_fail(&r->err, "task_type_id", "is not one of this project's");
    char *tname = ms_arena_strdup(r->arena, db_col_text(st, 0));
    db_done(st);
    status_row status;
    const char *sid = ms_json_str(b, "status_id");
    if (sid) {
        if ((rc = status_load(r, &s, sid, "status_id", &status))) return rc;
    } else {
        rc = db_query_row(r->db, &st, &r->err,
                          "SELECT id FROM task_status WHERE project_id = ? ORDER BY is_default "
                          "DESC, position LIMIT 1",
                          "s", s.project_id);
        if (rc < 0) return rc;
        if (rc == DB_DONE)
            return ms_req_fail(r, MS_ECONFLICT, "no-statuses",
                               "This project has no task statuses; set up production first.");
        ms_strlcpy(status.id, db_col_text(st, 0), sizeof status.id);
        db_done(st);
    }
    json_t *assignees = json_object_get(b, "assignees");
    if (assignees && (rc = assignees_check(r, &s, assignees, "assignees"))) return rc;
    json_t *list = one ? json_pack("[O]", one) : json_incref(many);
    size_t i, made = 0;
    json_t *v;
    char last[MS_ID_LEN] = "", now[MS_TIME_LEN];
    ms_now_str(now);
    json_t *est = json_object_get(b, "estimate");
    json_array_foreach(list, i, v)
    {
        const char *eid = json_string_value(v);
        char field[40];
        snprintf(field, sizeof field, one ? "entity_id" : "entity_ids[%zu]", i);
        if (!eid || !ms_uuid_valid(eid)) {
            rc = ms_field_fail(&r->err, field, "must be an entity id");
            break;
        }
        rc = db_query_row(r->db, &st, &r->err,
                          "SELECT 1 FROM entity WHERE id = ? AND project_id = ? AND deleted_at "
                          "IS NULL",
                          "ss", eid, s.project_id);
        if (rc < 0) break;
        if (rc == DB_DONE) {
            rc = ms_field_fail(&r->err, field, "is not an entity of this project");
            break;
        }
        db_done(st);
        char id[MS_ID_LEN];
        ms_uuid7(id);
        rc = db_exec(r->db, &r->err,
                     "INSERT INTO task (id, project_id, entity_id, task_type_id, status_id, "
                     "priority, estimate, start_date, due_date, created_by, created_at, "
                     "updated_at) VALUES (?, ?, ?, ?, ?, ?, CAST(? AS INTEGER), ?, ?, ?, ?, ?) "
                     "ON CONFLICT (entity_id, task_type_id) DO NOTHING",
                     "sssssIssssss", id, s.project_id, eid, tt, status.id,
                     ms_json_int(b, "priority", 0),
                     json_is_integer(est)
                         ? ms_arena_printf(r->arena, "%lld", (long long)json_integer_value(est))
                         : NULL,
                     start, due, s.user_id, now, now);
        if (rc < 0) break;
        if (rc == 0) {
            if (one) {
                rc = ms_req_fail(r, MS_ECONFLICT, "task-exists",
                                 "This entity has a %s task already.", tname);
                break;
            }
            rc = 0;
            continue;
        }
        if ((rc = prod_status_log(r, id))) break; /* wt-schedule: status history */
        if (assignees && (rc = assignees_set(r, &s, id, assignees))) break;
        made++;
        ms_strlcpy(last, id, sizeof last);
        rc = 0;
    }
    json_decref(list);
    if (rc) return rc;
    if ((rc = prod_event(r, &s, "task.created", "task_type", tt, NULL, "%zu %s task%s created",
                         made, tname, made == 1 ? "" : "s")))
        return rc;
    if (one) return task_reply(r, 201, last);
    return ms_reply(r, 201, json_pack("{s:I}", "created", (json_int_t)made));
}

static const ms_jfield task_update_fields[] = {
    {"status_id", MS_J_ID, false, false, 0, 0, NULL},
    {"assignees", MS_J_ARRAY, false, false, 0, ASSIGNEES_MAX, NULL},
    {"priority", MS_J_INT, false, false, 0, 3, NULL},
    {"estimate", MS_J_INT, false, true, 0, 10000000, NULL},
    {"start_date", MS_J_STRING, false, true, 10, 10, NULL},
    {"due_date", MS_J_STRING, false, true, 10, 10, NULL},
    {0},
};

/* PATCH /tasks/{id}: planning fields need an artist or a supervisor; the status follows the
 * status rules for everyone. */
int h_task_update(ms_req *r)
{
    if (ms_json_check(r->body, task_update_fields, &r->err)) return r->err.code;
    const json_t *b = r->body;
    const char *id = ms_req_param(r, "id");
    prod_scope s;
    int rc = prod_task_scope(r, id, &s);
    if (rc) return rc;
    bool planning = ms_json_has(b, "assignees") || ms_json_has(b, "priority") ||
                    ms_json_has(b, "estimate") || ms_json_has(b, "start_date") ||
                    ms_json_has(b, "due_date");
    if (planning && (rc = prod_require(r, &s, PROD_ARTIST, "plan tasks"))) return rc;
    if (!planning && s.kind == PROD_VIEWER) return prod_require(r, &s, PROD_ARTIST, "change tasks");
    db_stmt *st;
    rc = db_query_row(r->db, &st, &r->err,
                      "SELECT version, start_date, due_date, priority FROM task WHERE id = ?", "s",
                      id);
    if (rc < 0) return rc;
    int64_t ver = db_col_int(st, 0), prio = db_col_int(st, 3);
    char start[12] = "", due[12] = "";
    if (!db_col_null(st, 1)) ms_strlcpy(start, db_col_text(st, 1), sizeof start);
    if (!db_col_null(st, 2)) ms_strlcpy(due, db_col_text(st, 2), sizeof due);
    db_done(st);
    if ((rc = ms_req_check_version(r, ver))) return rc;
    if (ms_json_has(b, "start_date")) {
        const char *v = ms_json_str(b, "start_date");
        ms_strlcpy(start, v ? v : "", sizeof start);
    }
    if (ms_json_has(b, "due_date")) {
        const char *v = ms_json_str(b, "due_date");
        ms_strlcpy(due, v ? v : "", sizeof due);
    }
    if ((rc = dates_check(r, start[0] ? start : NULL, due[0] ? due : NULL))) return rc;
    json_t *assignees = json_object_get(b, "assignees");
    if (assignees && (rc = assignees_check(r, &s, assignees, "assignees"))) return rc;
    const char *sid = ms_json_str(b, "status_id");
    if (sid && (rc = prod_task_set_status(r, &s, id, sid, "status_id"))) return rc;
    if (planning) {
        char now[MS_TIME_LEN];
        ms_now_str(now);
        json_t *est = json_object_get(b, "estimate");
        bool est_set = ms_json_has(b, "estimate");
        rc = db_exec(r->db, &r->err,
                     "UPDATE task SET priority = ?, estimate = CASE WHEN ? <> 0 THEN CAST(? AS "
                     "INTEGER) ELSE estimate END, start_date = ?, due_date = ?, updated_at = ?, "
                     "version = version + 1 WHERE id = ?",
                     "Iisssss", ms_json_int(b, "priority", prio), (int)est_set,
                     json_is_integer(est)
                         ? ms_arena_printf(r->arena, "%lld", (long long)json_integer_value(est))
                         : NULL,
                     start[0] ? start : NULL, due[0] ? due : NULL, now, id);
        if (rc < 0) return rc;
        if (assignees && (rc = assignees_set(r, &s, id, assignees))) return rc;
    }
    if ((rc = prod_event(r, &s, "task.updated", "task", id, (json_t *)b, "task updated")))
        return rc;
    return task_reply(r, 200, id);
}

int h_task_delete(ms_req *r)
{
    const char *id = ms_req_param(r, "id");
    prod_scope s;
    int rc = prod_task_scope(r, id, &s);
    if (rc || (rc = prod_require(r, &s, PROD_SUPERVISOR, "delete tasks"))) return rc;
    db_stmt *st;
    rc = db_query_row(r->db, &st, &r->err, "SELECT version FROM task WHERE id = ?", "s", id);
    if (rc < 0) return rc;
    int64_t ver = db_col_int(st, 0);
    db_done(st);
    if ((rc = ms_req_check_version(r, ver))) return rc;
    static const char *const dels[] = {
        "DELETE FROM task_assignee WHERE task_id = ?",
        "DELETE FROM task_follower WHERE task_id = ?", "DELETE FROM task_comment WHERE task_id = ?",
        "DELETE FROM notification WHERE task_id = ?", "DELETE FROM task WHERE id = ?"};
    for (size_t i = 0; i < sizeof dels / sizeof dels[0]; i++)
        if ((rc = db_exec(r->db, &r->err, dels[i], "s", id)) < 0) return rc;
    if ((rc = prod_event(r, &s, "task.deleted", "task", id, NULL, "task deleted"))) return rc;
    return ms_reply_empty(r);
}

static const ms_jfield bulk_fields[] = {
    {"task_ids", MS_J_ARRAY, true, false, 1, BULK_MAX, NULL},
    {"status_id", MS_J_ID, false, false, 0, 0, NULL},
    {"assignees", MS_J_ARRAY, false, false, 0, ASSIGNEES_MAX, NULL},
    {"add_assignees", MS_J_ARRAY, false, false, 1, ASSIGNEES_MAX, NULL},
    {"remove_assignees", MS_J_ARRAY, false, false, 1, ASSIGNEES_MAX, NULL},
    {"priority", MS_J_INT, false, false, 0, 3, NULL},
    {"due_date", MS_J_STRING, false, true, 10, 10, NULL},
    {0},
};

/* Add people to a task's assignees (the new ones are notified), or take them off. */
static int assignees_add(ms_req *r, const prod_scope *s, const char *task_id, const json_t *ids)
{
    size_t i;
    json_t *v;
    json_array_foreach(ids, i, v)
    {
        const char *u = json_string_value(v);
        int rc = db_exec(r->db, &r->err,
                         "INSERT INTO task_assignee (task_id, user_id) VALUES (?, ?) ON CONFLICT "
                         "DO NOTHING",
                         "ss", task_id, u);
        if (rc < 0) return rc;
        if (rc && (rc = prod_notify(r, s, u, "assignment", task_id, NULL, "assigned to you")))
            return rc;
    }
    return 0;
}

static int assignees_remove(ms_req *r, const char *task_id, const json_t *ids)
{
    size_t i;
    json_t *v;
    json_array_foreach(ids, i, v)
    {
        int rc =
            db_exec(r->db, &r->err, "DELETE FROM task_assignee WHERE task_id = ? AND user_id = ?",
                    "ss", task_id, json_string_value(v));
        if (rc < 0) return rc;
    }
    return 0;
}

/* POST /projects/{id}/tasks/bulk: one change to many tasks, all or nothing (the request's
 * transaction): a task the caller may not see or change fails the whole request, named. */
int h_tasks_bulk(ms_req *r)
{
    if (ms_json_check(r->body, bulk_fields, &r->err)) return r->err.code;
    const json_t *b = r->body;
    prod_scope s;
    int rc = prod_scope_get(r, ms_req_param(r, "id"), &s);
    if (rc) return rc;
    bool planning = ms_json_has(b, "assignees") || ms_json_has(b, "add_assignees") ||
                    ms_json_has(b, "remove_assignees") || ms_json_has(b, "priority") ||
                    ms_json_has(b, "due_date");
    if (ms_json_has(b, "assignees") &&
        (ms_json_has(b, "add_assignees") || ms_json_has(b, "remove_assignees")))
        return ms_field_fail(&r->err, "assignees",
                             "give the whole list, or people to add and remove, not both");
    if (!planning && !ms_json_has(b, "status_id"))
        return ms_field_fail(&r->err, "status_id", "say what to change");
    if ((rc = prod_require(r, &s, planning ? PROD_ARTIST : PROD_CLIENT, "change these tasks")))
        return rc;
    const char *due = ms_json_str(b, "due_date");
    if (due && !prod_date_valid(due))
        return ms_field_fail(&r->err, "due_date", "must be a date YYYY-MM-DD");
    json_t *assignees = json_object_get(b, "assignees");
    if (assignees && (rc = assignees_check(r, &s, assignees, "assignees"))) return rc;
    json_t *adding = json_object_get(b, "add_assignees");
    json_t *removing = json_object_get(b, "remove_assignees");
    if (adding && (rc = assignees_check(r, &s, adding, "add_assignees"))) return rc;
    /* Someone who left the project can still be taken off its tasks: ids are all we check. */
    size_t k;
    json_t *u;
    json_array_foreach(removing, k, u)
    {
        if (!json_is_string(u) || !ms_uuid_valid(json_string_value(u)))
            return ms_field_fail(&r->err, "remove_assignees", "must hold user ids");
    }
    const char *sid = ms_json_str(b, "status_id");
    status_row status;
    if (sid && ((rc = status_load(r, &s, sid, "status_id", &status)) ||
                (rc = status_allowed(r, &s, &status))))
        return rc;
    json_t *ids = json_object_get(b, "task_ids");
    size_t i;
    json_t *v;
    char now[MS_TIME_LEN];
    ms_now_str(now);
    json_array_foreach(ids, i, v)
    {
        const char *tid = json_string_value(v);
        char field[40];
        snprintf(field, sizeof field, "task_ids[%zu]", i);
        if (!tid || !ms_uuid_valid(tid)) return ms_field_fail(&r->err, field, "must be a task id");
        db_stmt *st;
        rc = db_query_row(r->db, &st, &r->err, "SELECT 1 FROM task WHERE id = ? AND project_id = ?",
                          "ss", tid, s.project_id);
        if (rc < 0) return rc;
        if (rc == DB_DONE) return ms_field_fail(&r->err, field, "is not a task of this project");
        db_done(st);
        if ((rc = prod_task_visible(r, &s, tid))) {
            ms_error_clear(&r->err);
            return ms_field_fail(&r->err, field, "is not a task of this project");
        }
        if (sid && (rc = status_apply(r, &s, tid, &status))) return rc; /* checked above */
        if (ms_json_has(b, "priority") || ms_json_has(b, "due_date")) {
            rc = db_exec(
                r->db, &r->err,
                "UPDATE task SET priority = COALESCE(CAST(? AS INTEGER), priority), "
                "due_date = CASE WHEN ? <> 0 THEN ? ELSE due_date END, updated_at = ?, "
                "version = version + 1 WHERE id = ?",
                "sisss",
                ms_json_has(b, "priority")
                    ? ms_arena_printf(r->arena, "%lld", (long long)ms_json_int(b, "priority", 0))
                    : NULL,
                (int)ms_json_has(b, "due_date"), due, now, tid);
            if (rc < 0) return rc;
        }
        if (assignees && (rc = assignees_set(r, &s, tid, assignees))) return rc;
        if (removing && (rc = assignees_remove(r, tid, removing))) return rc;
        if (adding && (rc = assignees_add(r, &s, tid, adding))) return rc;
    }
    if ((rc = prod_event(r, &s, "task.bulk", "project", s.project_id, (json_t *)b,
                         "%zu tasks changed", json_array_size(ids))))
        return rc;
    return ms_reply(r, 200, json_pack("{s:I}", "changed", (json_int_t)json_array_size(ids)));
}
