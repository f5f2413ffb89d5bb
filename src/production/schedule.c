/* schedule.c: the production schedule's records - task dependencies (finish-to-start with a
 * lag in days, no cycles), milestones (per project, optionally for an episode), time logs
 * (minutes per person, task and day; task.time_spent is kept equal to their sum in the same
 * transaction), and the status history of tasks that the burn-up chart reads. It also holds
 * the day arithmetic the schedule shares (day numbers, ISO weeks, working days). The Gantt
 * data and the workload are computed in schedule_plan.c, the statistics in stats.c. */
#include "production/prod_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEPS_MAX       100000 /* dependencies in one project */
#define DAY_MINUTES    1440
#define TASK_LOGS_MAX  10000 /* time log rows in one task's answer */
#define MILESTONES_MAX 2000  /* milestones in one project */

/* ---- Days. ----
 *
 * Dates are whole days; arithmetic on them is on day numbers (days since 1970-01-01, the
 * proleptic Gregorian calendar), never on struct tm, so no time zone enters. */

bool prod_day_num(const char *s, int64_t *out)
{
    int y, m, d;
    if (!prod_date_valid(s) || sscanf(s, "%4d-%2d-%2d", &y, &m, &d) != 3) return false;
    return ms_days_from_civil(y, m, d, out);
}

void prod_day_str(int64_t z, char out[11])
{
    /* H. Hinnant's civil_from_days. */
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t y = yoe + era * 400, doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153, d = doy - (153 * mp + 2) / 5 + 1;
    int64_t m = mp < 10 ? mp + 3 : mp - 9;
    y += m <= 2;
    snprintf(out, 11, "%04u-%02u-%02u", (unsigned)y % 10000u, (unsigned)m % 100u,
             (unsigned)d % 100u);
}

int prod_weekday(int64_t day)
{
    /* 1970-01-01 was a Thursday (3 with Monday 0). */
    return (int)(((day + 3) % 7 + 7) % 7);
}

void prod_iso_week(int64_t day, char out[9])
{
    /* The ISO year is the year of the week's Thursday. */
    int64_t thu = day - prod_weekday(day) + 3, jan1;
    char s[11];
    prod_day_str(thu, s);
    int y = atoi(s);
    ms_days_from_civil(y, 1, 1, &jan1);
    snprintf(out, 9, "%04u-W%02u", (unsigned)y % 10000u, (unsigned)((thu - jan1) / 7 + 1) % 100u);
}

/* Working days in [1970-01-05 (a Monday), day), negative before it. */
static int64_t workdays_before(int64_t day)
{
    int64_t x = day - 4, w = x >= 0 ? x / 7 : -((-x + 6) / 7), rem = x - 7 * w;
    return 5 * w + (rem < 5 ? rem : 5);
}

int64_t prod_workdays(int64_t a, int64_t b)
{
    return b < a ? 0 : workdays_before(b + 1) - workdays_before(a);
}

int64_t prod_today(void)
{
    int64_t ms = ms_now_ms();
    return ms >= 0 ? ms / 86400000 : -((-ms + 86399999) / 86400000);
}

int prod_query_fail(ms_req *r, const char *field, const char *what)
{
    ms_field_fail(&r->err, field, "%s", what);
    r->err.code = MS_EBADREQ;
    snprintf(r->err.type, sizeof r->err.type, "bad-query");
    snprintf(r->err.detail, sizeof r->err.detail, "%s %s.", field, what);
    return MS_EBADREQ;
}

int prod_query_range(ms_req *r, int64_t def_from, int64_t def_to, int64_t max_days, int64_t *from,
                     int64_t *to)
{
    const char *names[2] = {"from", "to"};
    int64_t *outs[2] = {from, to}, defs[2] = {def_from, def_to};
    bool given[2];
    for (int i = 0; i < 2; i++) {
        const char *v = ms_req_query(r, names[i]);
        given[i] = v != NULL;
        if (!v)
            *outs[i] = defs[i];
        else if (!prod_day_num(v, outs[i]))
            return prod_query_fail(r, names[i], "must be a date YYYY-MM-DD");
    }
    /* One end given: the other keeps the default length. */
    if (given[0] && !given[1]) *to = *from + (def_to - def_from);
    if (given[1] && !given[0]) *from = *to - (def_to - def_from);
    if (*to < *from) return prod_query_fail(r, "to", "must not be before from");
    if (*to - *from + 1 > max_days)
        return prod_query_fail(
            r, "to", max_days > 400 ? "is too far from from" : "is more than a year after from");
    return 0;
}

const char *prod_assignees_sql(ms_req *r)
{
    return !strcmp(db_conn_engine(r->db), "postgres")
               ? "'[' || COALESCE((SELECT string_agg('\"' || ta.user_id || '\"', ',' ORDER BY "
                 "ta.user_id) FROM task_assignee ta WHERE ta.task_id = t.id), '') || ']'"
               : "'[' || COALESCE((SELECT group_concat('\"' || user_id || '\"', ',') FROM "
                 "(SELECT ta.user_id FROM task_assignee ta WHERE ta.task_id = t.id ORDER BY "
                 "ta.user_id)), '') || ']'";
}

/* ---- Status history. ---- */

int prod_status_log(ms_req *r, const char *task_id)
{
    char now[MS_TIME_LEN];
    ms_now_str(now);
    int rc = db_exec(r->db, &r->err,
                     "INSERT INTO task_status_log (task_id, project_id, status_id, is_done, at) "
                     "SELECT t.id, t.project_id, t.status_id, ts.is_done, ? FROM task t JOIN "
                     "task_status ts ON ts.id = t.status_id WHERE t.id = ? AND NOT EXISTS "
                     "(SELECT 1 FROM task_status_log l WHERE l.task_id = t.id AND l.status_id = "
                     "t.status_id AND l.at = (SELECT MAX(l2.at) FROM task_status_log l2 WHERE "
                     "l2.task_id = t.id))",
                     "ss", now, task_id);
    return rc < 0 ? rc : 0;
}

/* ---- An index of ids: open addressing over a growing array (the schedule's graphs). ---- */

static size_t id_hash(const char *s)
{
    size_t h = 5381;
    for (; *s; s++)
        h = h * 33 + (unsigned char)*s;
    return h;
}

void prod_idx_free(prod_idx *x)
{
    free(x->ids);
    free(x->slot);
    memset(x, 0, sizeof *x);
}

size_t prod_idx_get(prod_idx *x, const char *id, bool add)
{
    if (x->scap) {
        for (size_t j = id_hash(id) & (x->scap - 1); x->slot[j] != SIZE_MAX;
             j = (j + 1) & (x->scap - 1))
            if (!strcmp(x->ids[x->slot[j]], id)) return x->slot[j];
    }
    if (!add) return SIZE_MAX;
    if (x->n == x->cap) {
        size_t ncap = x->cap ? 2 * x->cap : 64;
        void *v = realloc(x->ids, ncap * sizeof *x->ids);
        if (!v) return SIZE_MAX;
        x->ids = v;
        x->cap = ncap;
    }
    if (2 * (x->n + 1) > x->scap) {
        size_t ncap = x->scap ? 2 * x->scap : 128;
        size_t *sl = malloc(ncap * sizeof *sl);
        if (!sl) return SIZE_MAX;
        for (size_t k = 0; k < ncap; k++)
            sl[k] = SIZE_MAX;
        for (size_t k = 0; k < x->n; k++) {
            size_t j = id_hash(x->ids[k]) & (ncap - 1);
            while (sl[j] != SIZE_MAX)
                j = (j + 1) & (ncap - 1);
            sl[j] = k;
        }
        free(x->slot);
        x->slot = sl;
        x->scap = ncap;
    }
    ms_strlcpy(x->ids[x->n], id, MS_ID_LEN);
    size_t j = id_hash(id) & (x->scap - 1);
    while (x->slot[j] != SIZE_MAX)
        j = (j + 1) & (x->scap - 1);
    x->slot[j] = x->n;
    return x->n++;
}

/* ---- Dependencies. ----
 *
 * A dependency says task_id may start only after depends_on is due, plus lag_days
 * (finish-to-start). Both tasks are of one project. The graph of a project stays acyclic: a
 * new edge depends_on -> task_id closes a cycle exactly when depends_on is reachable from
 * task_id along existing edges, which a breadth-first walk over the whole project's edges
 * (loaded once, no recursion) decides. */

/* Would the edge pred -> succ close a cycle? 1 yes, 0 no, or MS_E*. */
static int dep_closes_cycle(ms_req *r, const char *project_id, const char *succ, const char *pred)
{
    prod_idx ix = {0};
    size_t ne = 0, ecap = 0, *efrom = NULL, *eto = NULL, *start = NULL, *adj = NULL, *queue = NULL;
    bool *seen = NULL;
    int result = 0;
    db_stmt *st;
    int rc = db_query(r->db, &st, &r->err,
                      "SELECT depends_on, task_id FROM task_dependency WHERE project_id = ?", "s",
                      project_id);
    if (rc) return rc;
    /* The walk starts at succ and looks for pred: both get indexes first. */
    if (prod_idx_get(&ix, succ, true) == SIZE_MAX || prod_idx_get(&ix, pred, true) == SIZE_MAX)
        rc = MS_ENOMEM;
    while (!rc && (rc = db_step(st, &r->err)) == DB_ROW) {
        if (ne == ecap) {
            size_t ncap = ecap ? 2 * ecap : 256;
            size_t *a = realloc(efrom, ncap * sizeof *a);
            if (a) efrom = a;
            size_t *b = realloc(eto, ncap * sizeof *b);
            if (b) eto = b;
            if (!a || !b) {
                rc = MS_ENOMEM;
                break;
            }
            ecap = ncap;
        }
        efrom[ne] = prod_idx_get(&ix, db_col_text(st, 0), true);
        eto[ne] = prod_idx_get(&ix, db_col_text(st, 1), true);
        if (efrom[ne] == SIZE_MAX || eto[ne] == SIZE_MAX) {
            rc = MS_ENOMEM;
            break;
        }
        ne++;
        rc = 0;
    }
    db_done(st);
    if (rc == MS_ENOMEM) {
        result = ms_req_fail(r, MS_ENOMEM, NULL, "out of memory");
        goto out;
    }
    if (rc < 0) {
        result = rc;
        goto out;
    }
    /* Successor lists (counting sort of the edges by their tail), then a breadth-first walk. */
    size_t n = ix.n;
    start = calloc(n + 1, sizeof *start);
    adj = malloc((ne ? ne : 1) * sizeof *adj);
    queue = malloc(n * sizeof *queue);
    seen = calloc(n, sizeof *seen);
    if (!start || !adj || !queue || !seen) {
        result = ms_req_fail(r, MS_ENOMEM, NULL, "out of memory");
        goto out;
    }
    for (size_t e = 0; e < ne; e++)
        start[efrom[e] + 1]++;
    for (size_t k = 0; k < n; k++)
        start[k + 1] += start[k];
    size_t *fill = queue; /* borrowed as a cursor per node before the walk */
    for (size_t k = 0; k < n; k++)
        fill[k] = start[k];
    for (size_t e = 0; e < ne; e++)
        adj[fill[efrom[e]]++] = eto[e];
    size_t head = 0, tail = 0;
    queue[tail++] = 0; /* succ */
    seen[0] = true;
    while (head < tail) {
        size_t u = queue[head++];
        if (u == 1) { /* pred */
            result = 1;
            break;
        }
        for (size_t k = start[u]; k < start[u + 1]; k++)
            if (!seen[adj[k]]) {
                seen[adj[k]] = true;
                queue[tail++] = adj[k];
            }
    }
out:
    prod_idx_free(&ix);
    free(efrom);
    free(eto);
    free(start);
    free(adj);
    free(queue);
    free(seen);
    return result;
}

#define DEP_COLS "d.id, d.task_id, d.depends_on, d.lag_days"

static const ms_jfield dep_fields[] = {
    {"depends_on", MS_J_ID, true, false, 0, 0, NULL},
    {"lag_days", MS_J_INT, false, false, -365, 365, NULL},
    {0},
};

/* POST /tasks/{id}/dependencies {depends_on, lag_days?} */
int h_dependency_create(ms_req *r)
{
    if (ms_json_check(r->body, dep_fields, &r->err)) return r->err.code;
    const char *id = ms_req_param(r, "id"), *pred = ms_json_str(r->body, "depends_on");
    prod_scope s;
    int rc = prod_task_scope(r, id, &s);
    if (rc || (rc = prod_require(r, &s, PROD_ARTIST, "plan tasks"))) return rc;
    if (!strcmp(pred, id)) return ms_field_fail(&r->err, "depends_on", "is the task itself");
    db_stmt *st;
    rc = db_query_row(r->db, &st, &r->err,
                      "SELECT 1 FROM task t JOIN entity e ON e.id = t.entity_id AND e.deleted_at "
                      "IS NULL WHERE t.id = ? AND t.project_id = ?",
                      "ss", pred, s.project_id);
    if (rc < 0) return rc;
    if (rc == DB_DONE) return ms_field_fail(&r->err, "depends_on", "is not a task of this project");
    db_done(st);
    if ((rc = prod_task_visible(r, &s, pred))) {
        ms_error_clear(&r->err);
        return ms_field_fail(&r->err, "depends_on", "is not a task of this project");
    }
    rc = db_query_row(r->db, &st, &r->err,
                      "SELECT 1 FROM task_dependency WHERE task_id = ? AND depends_on = ?", "ss",
                      id, pred);
    if (rc < 0) return rc;
    if (rc == DB_ROW) {
        db_done(st);
        return ms_req_fail(r, MS_ECONFLICT, "dependency-exists",
                           "The task depends on that task already.");
    }
    rc = db_query_row(r->db, &st, &r->err,
                      "SELECT COUNT(*) FROM task_dependency WHERE project_id = ?", "s",
                      s.project_id);
    if (rc < 0) return rc;
    int64_t count = db_col_int(st, 0);
    db_done(st);
    if (count >= DEPS_MAX)
        return ms_req_fail(r, MS_ECONFLICT, "too-many-dependencies",
                           "This project has %d dependencies, the most it may have.", DEPS_MAX);
    if ((rc = dep_closes_cycle(r, s.project_id, id, pred)) < 0) return rc;
    if (rc == 1)
        return ms_req_fail(r, MS_ECONFLICT, "dependency-cycle",
                           "That task already depends, directly or through others, on this "
                           "one: the dependency would close a cycle.");
    char did[MS_ID_LEN], now[MS_TIME_LEN];
    ms_uuid7(did);
    ms_now_str(now);
    int64_t lag = ms_json_int(r->body, "lag_days", 0);
    rc = db_exec(r->db, &r->err,
                 "INSERT INTO task_dependency (id, project_id, task_id, depends_on, lag_days, "
                 "created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                 "ssssIss", did, s.project_id, id, pred, lag, s.user_id, now);
    if (rc < 0) return rc;
    json_t *o = json_pack("{s:s, s:s, s:s, s:I}", "id", did, "task_id", id, "depends_on", pred,
                          "lag_days", (json_int_t)lag);
    if ((rc = prod_event(r, &s, "task.dependency_created", "task", id, o, "dependency added")) <
        0) {
        json_decref(o);
        return rc;
    }
    return ms_reply(r, 201, o);
}

/* GET /tasks/{id}/dependencies: {predecessors:[...], successors:[...]}, each with the other
 * task's name; only tasks the caller sees. */
int h_task_dependencies(ms_req *r)
{
    const char *id = ms_req_param(r, "id");
    prod_scope s;
    int rc = prod_task_scope(r, id, &s);
    if (rc) return rc;
    json_t *out = json_object();
    static const struct {
        const char *key, *mine, *other;
    } dirs[] = {{"predecessors", "task_id", "depends_on"}, {"successors", "depends_on", "task_id"}};
    for (size_t i = 0; i < 2; i++) {
        ms_buf sql;
        ms_buf_init(&sql);
        db_arg args[4];
        int n = 0;
        ms_buf_printf(&sql,
                      "SELECT " DEP_COLS ", e.name AS entity_name, tt.name AS task_type_name, "
                      "t.status_id, t.start_date, t.due_date FROM task_dependency d JOIN task t "
                      "ON t.id = d.%s JOIN entity e ON e.id = t.entity_id AND e.deleted_at IS "
                      "NULL JOIN task_type tt ON tt.id = t.task_type_id WHERE d.%s = ?",
                      dirs[i].other, dirs[i].mine);
        args[n++] = DB_ARG_S(id);
        prod_task_filter(&s, &sql, args, &n);
        ms_buf_puts(&sql, " ORDER BY d.id");
        db_stmt *st;
        rc = sql.oom ? ms_req_fail(r, MS_ENOMEM, NULL, "out of memory")
                     : db_query_args(r->db, &st, &r->err, sql.data, args, n);
        ms_buf_free(&sql);
        if (rc) {
            json_decref(out);
            return rc;
        }
        json_t *items = json_array();
        while ((rc = db_step(st, &r->err)) == DB_ROW)
            json_array_append_new(items, db_row_json(st));
        db_done(st);
        json_object_set_new(out, dirs[i].key, items);
        if (rc < 0) {
            json_decref(out);
            return rc;
        }
    }
    return ms_reply(r, 200, out);
}

/* DELETE /dependencies/{id} */
int h_dependency_delete(ms_req *r)
{
    const char *id = ms_req_param(r, "id");
    prod_scope s;
    int rc = prod_scope_of(r, "SELECT project_id FROM task_dependency WHERE id = ?", id,
                           "dependency", &s);
    if (rc) return rc;
    db_stmt *st;
    rc = db_query_row(r->db, &st, &r->err,
                      "SELECT task_id, depends_on FROM task_dependency WHERE id = ?", "s", id);
    if (rc < 0) return rc;
    char tid[MS_ID_LEN], pid[MS_ID_LEN];
    ms_strlcpy(tid, db_col_text(st, 0), sizeof tid);
    ms_strlcpy(pid, db_col_text(st, 1), sizeof pid);
    db_done(st);
    /* Both ends must be visible: a vendor or client learns nothing of other tasks. */
    if ((rc = prod_task_visible(r, &s, tid)) || (rc = prod_task_visible(r, &s, pid))) {
        ms_error_clear(&r->err);
        return ms_req_fail(r, MS_ENOTFOUND, NULL, "No such dependency.");
    }
    if ((rc = prod_require(r, &s, PROD_ARTIST, "plan tasks"))) return rc;
    if ((rc = db_exec(r->db, &r->err, "DELETE FROM task_dependency WHERE id = ?", "s", id)) < 0)
        return rc;
    if ((rc =
             prod_event(r, &s, "task.dependency_deleted", "task", tid, NULL, "dependency removed")))
        return rc;
    return ms_reply_empty(r);
}

/* ---- Milestones. ---- */

#define MILESTONE_COLS                                                                             \
    "m.id, m.project_id, m.entity_id, e.name AS entity_name, m.name, m.date, m.color, "            \
    "m.created_at, m.updated_at, m.version"
#define MILESTONE_FROM " FROM milestone m LEFT JOIN entity e ON e.id = m.entity_id"

static int milestone_reply(ms_req *r, int status, const char *id)
{
    db_stmt *st;
    int rc = db_query_row(r->db, &st, &r->err,
                          "SELECT " MILESTONE_COLS MILESTONE_FROM " WHERE m.id = ?", "s", id);
    if (rc < 0) return rc;
    if (rc == DB_DONE) return ms_req_fail(r, MS_ENOTFOUND, NULL, "No such milestone.");
    json_t *o = db_row_json(st);
    db_done(st);
    ms_reply_etag(r, json_integer_value(json_object_get(o, "version")));
    return ms_reply(r, status, o);
}

/* GET /projects/{id}/milestones: every milestone, by date. */
int h_milestones_list(ms_req *r)
{
    static const char *const allowed[] = {"entity_id", NULL};
    int rc = ms_req_query_only(r, allowed);
    if (rc) return rc;
    prod_scope s;
    if ((rc = prod_scope_get(r, ms_req_param(r, "id"), &s))) return rc;
    const char *eid = ms_req_query(r, "entity_id");
    db_stmt *st;
    rc = db_query(r->db, &st, &r->err,
                  "SELECT " MILESTONE_COLS MILESTONE_FROM
                  " WHERE m.project_id = ? AND (CAST(? AS TEXT) IS NULL OR m.entity_id = ?) ORDER "
                  "BY m.date, m.name, m.id",
                  "sss", s.project_id, eid, eid);
    if (rc) return rc;
    return prod_reply_rows(r, st, NULL);
}

/* An episode of the project (entity_id of a milestone). */
static int episode_check(ms_req *r, const prod_scope *s, const char *eid)
{
    db_stmt *st;
    int rc = db_query_row(r->db, &st, &r->err,
                          "SELECT 1 FROM entity e JOIN entity_type et ON et.id = e.type_id WHERE "
                          "e.id = ? AND e.project_id = ? AND e.deleted_at IS NULL AND et.kind = "
                          "'episode'",
                          "ss", eid, s->project_id);
    if (rc < 0) return rc;
    if (rc == DB_DONE)
        return ms_field_fail(&r->err, "entity_id", "is not an episode of this project");
    db_done(st);
    return 0;
}

static const ms_jfield milestone_fields[] = {
    {"name", MS_J_STRING, true, false, 1, 200, NULL},
    {"date", MS_J_STRING, true, false, 10, 10, NULL},
    {"entity_id", MS_J_ID, false, true, 0, 0, NULL},
    {"color", MS_J_STRING, false, false, 7, 7, NULL},
    {0},
};

static const ms_jfield milestone_update_fields[] = {
    {"name", MS_J_STRING, false, false, 1, 200, NULL},
    {"date", MS_J_STRING, false, false, 10, 10, NULL},
    {"entity_id", MS_J_ID, false, true, 0, 0, NULL},
    {"color", MS_J_STRING, false, false, 7, 7, NULL},
    {0},
};

static int milestone_body_check(ms_req *r)
{
    const char *date = ms_json_str(r->body, "date"), *color = ms_json_str(r->body, "color");
    if (date && !prod_date_valid(date))
        return ms_field_fail(&r->err, "date", "must be a date YYYY-MM-DD");
    if (color && !prod_color_valid(color))
        return ms_field_fail(&r->err, "color", "must be a colour #rrggbb");
    return 0;
}

/* POST /projects/{id}/milestones {name, date, entity_id?, color?} */
int h_milestones_create(ms_req *r)
{
    if (ms_json_check(r->body, milestone_fields, &r->err)) return r->err.code;
    int rc = milestone_body_check(r);
    if (rc) return rc;
    prod_scope s;
    if ((rc = prod_scope_get(r, ms_req_param(r, "id"), &s)) ||
        (rc = prod_require(r, &s, PROD_ARTIST, "plan milestones")))
        return rc;
    const char *eid = ms_json_str(r->body, "entity_id");
    if (eid && (rc = episode_check(r, &s, eid))) return rc;
    db_stmt *st;
    rc = db_query_row(r->db, &st, &r->err, "SELECT COUNT(*) FROM milestone WHERE project_id = ?",
                      "s", s.project_id);
    if (rc < 0) return rc;
    int64_t count = db_col_int(st, 0);
    db_done(st);
    if (count >= MILESTONES_MAX)
        return ms_req_fail(r, MS_ECONFLICT, "too-many-milestones",
                           "This project has %d milestones, the most it may have.", MILESTONES_MAX);
    char id[MS_ID_LEN], now[MS_TIME_LEN];
    ms_uuid7(id);
    ms_now_str(now);
    const char *color = ms_json_str(r->body, "color");
    rc = db_exec(r->db, &r->err,
                 "INSERT INTO milestone (id, project_id, entity_id, name, date, color, "
                 "created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                 "sssssssss", id, s.project_id, eid, ms_json_str(r->body, "name"),
                 ms_json_str(r->body, "date"), color ? color : "#e67e22", s.user_id, now, now);
    if (rc < 0) return rc;
    if ((rc = prod_event(r, &s, "milestone.created", "milestone", id, NULL, "milestone %s",
                         ms_json_str(r->body, "name"))))
        return rc;
    return milestone_reply(r, 201, id);
}

/* PATCH /milestones/{id} (If-Match) */
int h_milestone_update(ms_req *r)
{
    if (ms_json_check(r->body, milestone_update_fields, &r->err)) return r->err.code;
    int rc = milestone_body_check(r);
    if (rc) return rc;
    const char *id = ms_req_param(r, "id");
    prod_scope s;
    if ((rc = prod_scope_of(r, "SELECT project_id FROM milestone WHERE id = ?", id, "milestone",
                            &s)) ||
        (rc = prod_require(r, &s, PROD_ARTIST, "plan milestones")))
        return rc;
    db_stmt *st;
    rc = db_query_row(r->db, &st, &r->err,
                      "SELECT version, name, date, color, entity_id FROM milestone WHERE id = ?",
                      "s", id);
    if (rc < 0) return rc;
    int64_t ver = db_col_int(st, 0);
    char *name = ms_arena_strdup(r->arena, db_col_text(st, 1));
    char *date = ms_arena_strdup(r->arena, db_col_text(st, 2));
    char *color = ms_arena_strdup(r->arena, db_col_text(st, 3));
    char *eid = db_col_null(st, 4) ? NULL : ms_arena_strdup(r->arena, db_col_text(st, 4));
    db_done(st);
    if ((rc = ms_req_check_version(r, ver))) return rc;
    const json_t *b = r->body;
    if (ms_json_has(b, "entity_id")) {
        eid = (char *)ms_json_str(b, "entity_id");
        if (eid && (rc = episode_check(r, &s, eid))) return rc;
    }
    char now[MS_TIME_LEN];
    ms_now_str(now);
    rc = db_exec(r->db, &r->err,
                 "UPDATE milestone SET name = ?, date = ?, color = ?, entity_id = ?, updated_at "
                 "= ?, version = version + 1 WHERE id = ?",
                 "ssssss", ms_json_has(b, "name") ? ms_json_str(b, "name") : name,
                 ms_json_has(b, "date") ? ms_json_str(b, "date") : date,
                 ms_json_has(b, "color") ? ms_json_str(b, "color") : color, eid, now, id);
    if (rc < 0) return rc;
    if ((rc = prod_event(r, &s, "milestone.updated", "milestone", id, (json_t *)b,
                         "milestone updated")))
        return rc;
    return milestone_reply(r, 200, id);
}

/* DELETE /milestones/{id} (If-Match) */
int h_milestone_delete(ms_req *r)
{
    const char *id = ms_req_param(r, "id");
    prod_scope s;
    int rc = prod_scope_of(r, "SELECT project_id FROM milestone WHERE id = ?", id, "milestone", &s);
    if (rc || (rc = prod_require(r, &s, PROD_ARTIST, "plan milestones"))) return rc;
    db_stmt *st;
    rc = db_query_row(r->db, &st, &r->err, "SELECT version FROM milestone WHERE id = ?", "s", id);
    if (rc < 0) return rc;
    int64_t ver = db_col_int(st, 0);
    db_done(st);
    if ((rc = ms_req_check_version(r, ver))) return rc;
    if ((rc = db_exec(r->db, &r->err, "DELETE FROM milestone WHERE id = ?", "s", id)) < 0)
        return rc;
    if ((rc = prod_event(r, &s, "milestone.deleted", "milestone", id, NULL, "milestone deleted")))
        return rc;
    return ms_reply_empty(r);
}

/* ---- Time logs. ----
 *
 * One row per task, person and day. Everyone who works on a task they can see (artists,
 * vendors, supervisors) logs their own time; supervisors may log for anyone who reaches the
 * project. A person's day holds at most 24 hours across every task of every project. */

static const ms_jfield time_log_fields[] = {
    {"minutes", MS_J_INT, true, false, 0, DAY_MINUTES, NULL},
    {"user_id", MS_J_ID, false, false, 0, 0, NULL},
    {0},
};

/* PUT /tasks/{id}/time-logs/{day} {minutes, user_id?} */
int h_time_log_put(ms_req *r)
{
    if (ms_json_check(r->body, time_log_fields, &r->err)) return r->err.code;
    const char *id = ms_req_param(r, "id"), *day = ms_req_param(r, "day");
    prod_scope s;
    int rc = prod_task_scope(r, id, &s);
    if (rc) return rc;
    int64_t dn;
    if (!prod_day_num(day, &dn)) return ms_field_fail(&r->err, "day", "must be a date YYYY-MM-DD");
    if (dn > prod_today() + 1) return ms_field_fail(&r->err, "day", "is in the future");
    const char *who = ms_json_str(r->body, "user_id");
    if (!who) who = s.user_id;
    if (strcmp(who, s.user_id)) {
        if ((rc = prod_require(r, &s, PROD_SUPERVISOR, "log time for others"))) return rc;
        ms_caller c;
        memset(&c, 0, sizeof c);
        ms_strlcpy(c.user_id, who, sizeof c.user_id);
        ms_access a;
        rc = authz_project(r->db, &c, s.project_id, &a, &r->err);
        if (rc == MS_ENOTFOUND) {
            ms_error_clear(&r->err);
            return ms_field_fail(&r->err, "user_id", "is not someone who works on this project");
        }
        if (rc) return rc;
    } else if (s.kind != PROD_SUPERVISOR && s.kind != PROD_ARTIST && s.kind != PROD_VENDOR) {
        return prod_require(r, &s, PROD_ARTIST, "log time");
    }
    int64_t minutes = ms_json_int(r->body, "minutes", 0);
    db_stmt *st;
    rc = db_query_row(r->db, &st, &r->err,
                      "SELECT COALESCE(SUM(minutes), 0) FROM time_log WHERE user_id = ? AND day "
                      "= ? AND task_id <> ?",
                      "sss", who, day, id);
    if (rc < 0) return rc;
    int64_t others = db_col_int(st, 0);
    db_done(st);
    if (others + minutes > DAY_MINUTES)
        return ms_field_fail(&r->err, "minutes",
                             "would make %lld minutes on %s with the other tasks: a day has %d",
                             (long long)(others + minutes), day, DAY_MINUTES);
    char now[MS_TIME_LEN], lid[MS_ID_LEN];
    ms_now_str(now);
    ms_uuid7(lid);
    if (minutes == 0) {
        rc = db_exec(r->db, &r->err,
                     "DELETE FROM time_log WHERE task_id = ? AND user_id = ? AND day = ?", "sss",
                     id, who, day);
    } else {
        rc = db_exec(r->db, &r->err,
                     "INSERT INTO time_log (id, project_id, task_id, user_id, day, minutes, "
                     "created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON "
                     "CONFLICT (task_id, user_id, day) DO UPDATE SET minutes = excluded.minutes, "
                     "created_by = excluded.created_by, updated_at = excluded.updated_at",
                     "sssssIsss", lid, s.project_id, id, who, day, minutes, s.user_id, now, now);
    }
    if (rc < 0) return rc;
    /* The invariant: time_spent is the sum of the task's log, in this same transaction. */
    rc = db_exec(r->db, &r->err,
                 "UPDATE task SET time_spent = (SELECT COALESCE(SUM(minutes), 0) FROM time_log "
                 "WHERE task_id = ?) WHERE id = ?",
                 "ss", id, id);
    if (rc < 0) return rc;
    rc = db_query_row(r->db, &st, &r->err,
                      "SELECT (SELECT l.id FROM time_log l WHERE l.task_id = t.id AND l.user_id = "
                      "? AND l.day = ?), t.time_spent FROM task t WHERE t.id = ?",
                      "sss", who, day, id);
    if (rc < 0) return rc;
    json_t *o = json_pack("{s:o, s:s, s:s, s:s, s:I, s:I}", "id",
                          db_col_null(st, 0) ? json_null() : json_string(db_col_text(st, 0)),
                          "task_id", id, "user_id", who, "day", day, "minutes", (json_int_t)minutes,
                          "time_spent", (json_int_t)db_col_int(st, 1));
    db_done(st);
    if ((rc = prod_event(r, &s, "task.time_logged", "task", id, o, "%lld minutes on %s",
                         (long long)minutes, day))) {
        json_decref(o);
        return rc;
    }
    return ms_reply(r, 200, o);
}

/* GET /tasks/{id}/time-logs: newest day first. */
int h_task_time_logs(ms_req *r)
{
    const char *id = ms_req_param(r, "id");
    prod_scope s;
    int rc = prod_task_scope(r, id, &s);
    if (rc) return rc;
    db_stmt *st;
    rc = db_query(r->db, &st, &r->err,
                  "SELECT l.id, l.task_id, l.user_id, u.display_name AS user_name, l.day, "
                  "l.minutes, l.updated_at FROM time_log l JOIN user_account u ON u.id = "
                  "l.user_id WHERE l.task_id = ? ORDER BY l.day DESC, u.display_name, l.id LIMIT "
                  "?",
                  "si", id, TASK_LOGS_MAX);
    if (rc) return rc;
    json_t *items = json_array();
    int64_t total = 0;
    while ((rc = db_step(st, &r->err)) == DB_ROW) {
        json_t *o = db_row_json(st);
        total += json_integer_value(json_object_get(o, "minutes"));
        json_array_append_new(items, o);
    }
    db_done(st);
    if (rc < 0) {
        json_decref(items);
        return rc;
    }
    return ms_reply(r, 200, json_pack("{s:o, s:I}", "items", items, "total", (json_int_t)total));
}

/* GET /projects/{id}/time-logs?from=&to=&user_id=: minutes per person and day on the tasks
 * the caller sees (default: the current week, Monday to Sunday). */
int h_project_time_logs(ms_req *r)
{
    static const char *const allowed[] = {"from", "to", "user_id", NULL};
    int rc = ms_req_query_only(r, allowed);
    if (rc) return rc;
    prod_scope s;
    if ((rc = prod_scope_get(r, ms_req_param(r, "id"), &s))) return rc;
    int64_t today = prod_today(), mon = today - prod_weekday(today), from, to;
    if ((rc = prod_query_range(r, mon, mon + 6, 366, &from, &to))) return rc;
    char fs[11], ts[11];
    prod_day_str(from, fs);
    prod_day_str(to, ts);
    ms_buf sql;
    ms_buf_init(&sql);
    db_arg args[8];
    int n = 0;
    ms_buf_puts(&sql, "SELECT l.user_id, u.display_name, l.day, SUM(l.minutes) FROM time_log l "
                      "JOIN user_account u ON u.id = l.user_id JOIN task t ON t.id = l.task_id "
                      "JOIN entity e ON e.id = t.entity_id AND e.deleted_at IS NULL WHERE "
                      "l.project_id = ? AND l.day >= ? AND l.day <= ?");
    args[n++] = DB_ARG_S(s.project_id);
    args[n++] = DB_ARG_S(ms_arena_strdup(r->arena, fs));
    args[n++] = DB_ARG_S(ms_arena_strdup(r->arena, ts));
    const char *uid = ms_req_query(r, "user_id");
    if (uid) {
        ms_buf_puts(&sql, " AND l.user_id = ?");
        args[n++] = DB_ARG_S(!strcmp(uid, "me") ? s.user_id : uid);
    }
    prod_task_filter(&s, &sql, args, &n);
    ms_buf_puts(&sql, " GROUP BY l.user_id, u.display_name, l.day ORDER BY u.display_name, "
                      "l.user_id, l.day");
    db_stmt *st;
    rc = sql.oom ? ms_req_fail(r, MS_ENOMEM, NULL, "out of memory")
                 : db_query_args(r->db, &st, &r->err, sql.data, args, n);
    ms_buf_free(&sql);
    if (rc) return rc;
    json_t *people = json_array(), *cur = NULL;
    while ((rc = db_step(st, &r->err)) == DB_ROW) {
        const char *u = db_col_text(st, 0);
        if (!cur || strcmp(json_string_value(json_object_get(cur, "user_id")), u)) {
            cur = json_pack("{s:s, s:s, s:I, s:{}}", "user_id", u, "name", db_col_text(st, 1),
                            "total", (json_int_t)0, "days");
            json_array_append_new(people, cur);
        }
        int64_t m = db_col_int(st, 3);
        json_object_set_new(json_object_get(cur, "days"), db_col_text(st, 2), json_integer(m));
        json_object_set_new(cur, "total",
                            json_integer(json_integer_value(json_object_get(cur, "total")) + m));
    }
    db_done(st);
    if (rc < 0) {
        json_decref(people);
        return rc;
    }
    return ms_reply(r, 200, json_pack("{s:s, s:s, s:o}", "from", fs, "to", ts, "people", people));
}
