/* stats.c: production statistics - progress per episode (or sequence) and task type (tasks,
 * done, retakes, tasks per status, estimated and spent minutes) and the burn-up chart (per
 * day: how many tasks existed, how many were in a done status), read from the status history
 * that schedule.c writes. Only the tasks the caller may see are counted. It stores nothing. */
#include "production/prod_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The counters of one cell (group x task type), of a group, or of everything. */
static json_t *counters_new(void)
{
    return json_pack("{s:I, s:I, s:I, s:{}, s:I, s:I}", "total", (json_int_t)0, "done",
                     (json_int_t)0, "retakes", (json_int_t)0, "by_status", "estimate_minutes",
                     (json_int_t)0, "spent_minutes", (json_int_t)0);
}

static void counter_add(json_t *o, const char *key, int64_t v)
{
    json_object_set_new(o, key, json_integer(json_integer_value(json_object_get(o, key)) + v));
}

static void counters_add(json_t *o, const char *status_id, int64_t total, int64_t done,
                         int64_t retakes, int64_t est, int64_t spent)
{
    counter_add(o, "total", total);
    counter_add(o, "done", done);
    counter_add(o, "retakes", retakes);
    counter_add(o, "estimate_minutes", est);
    counter_add(o, "spent_minutes", spent);
    counter_add(json_object_get(o, "by_status"), status_id, total);
}

/* A group (or the totals): the counters, plus by_type. */
static json_t *group_new(const char *id, const char *name)
{
    json_t *g = counters_new();
    json_object_set_new(g, "id", id ? json_string(id) : json_null());
    json_object_set_new(g, "name", json_string(name));
    json_object_set_new(g, "by_type", json_object());
    return g;
}

static void group_add(json_t *g, const char *type_id, const char *status_id, int64_t total,
                      int64_t done, int64_t retakes, int64_t est, int64_t spent)
{
    counters_add(g, status_id, total, done, retakes, est, spent);
    json_t *bt = json_object_get(g, "by_type"), *cell = json_object_get(bt, type_id);
    if (!cell) {
        cell = counters_new();
        json_object_set_new(bt, type_id, cell);
    }
    counters_add(cell, status_id, total, done, retakes, est, spent);
}

/* GET /projects/{id}/stats?group=episode|sequence: each task counts in the episode (or
 * sequence) it is under - its entity's, its parent's or its grandparent's; tasks under none
 * (assets, most often) count in a group with id null. */
int h_stats(ms_req *r)
{
    static const char *const allowed[] = {"group", NULL};
    int rc = ms_req_query_only(r, allowed);
    if (rc) return rc;
    const char *kind = ms_req_query(r, "group");
    if (!kind) kind = "episode";
    if (strcmp(kind, "episode") && strcmp(kind, "sequence"))
        return prod_query_fail(r, "group", "must be episode or sequence");
    prod_scope s;
    if ((rc = prod_scope_get(r, ms_req_param(r, "id"), &s))) return rc;
    json_t *out = json_object(), *types = json_array(), *groups = json_array();
    json_object_set_new(out, "group", json_string(kind));
    json_object_set_new(out, "task_types", types);
    json_object_set_new(out, "groups", groups);
    db_stmt *st;
    rc = db_query(r->db, &st, &r->err,
                  "SELECT id, name, color, department, for_kind FROM task_type WHERE project_id = "
                  "? ORDER BY position, name",
                  "s", s.project_id);
    if (rc) goto fail;
    while ((rc = db_step(st, &r->err)) == DB_ROW)
        json_array_append_new(types, db_row_json(st));
    db_done(st);
    if (rc < 0) goto fail;
    ms_buf sql;
    ms_buf_init(&sql);
    db_arg args[8];
    int n = 0;
    ms_buf_puts(&sql,
                "SELECT CASE WHEN et.kind = ? THEN e.id WHEN pet.kind = ? THEN pe.id WHEN "
                "get2.kind = ? THEN ge.id END AS grp, CASE WHEN et.kind = ? THEN e.name WHEN "
                "pet.kind = ? THEN pe.name WHEN get2.kind = ? THEN ge.name END AS grp_name, "
                "t.task_type_id, t.status_id, COUNT(*), SUM(ts.is_done), SUM(t.retake_count), "
                "SUM(COALESCE(t.estimate, 0)), SUM(t.time_spent) FROM task t JOIN entity e ON "
                "e.id = t.entity_id AND e.deleted_at IS NULL JOIN entity_type et ON et.id = "
                "e.type_id LEFT JOIN entity pe ON pe.id = e.parent_id LEFT JOIN entity_type pet "
                "ON pet.id = pe.type_id LEFT JOIN entity ge ON ge.id = pe.parent_id LEFT JOIN "
                "entity_type get2 ON get2.id = ge.type_id JOIN task_status ts ON ts.id = "
                "t.status_id WHERE t.project_id = ?");
    for (int i = 0; i < 6; i++)
        args[n++] = DB_ARG_S(kind);
    args[n++] = DB_ARG_S(s.project_id);
    prod_task_filter(&s, &sql, args, &n);
    ms_buf_puts(&sql, " GROUP BY 1, 2, 3, 4 ORDER BY 2, 1, 3, 4");
    rc = sql.oom ? ms_req_fail(r, MS_ENOMEM, NULL, "out of memory")
                 : db_query_args(r->db, &st, &r->err, sql.data, args, n);
    ms_buf_free(&sql);
    if (rc) goto fail;
    json_t *totals = group_new(NULL, ""), *none = NULL, *cur = NULL;
    json_object_del(totals, "id");
    json_object_del(totals, "name");
    json_object_set_new(out, "totals", totals);
    while ((rc = db_step(st, &r->err)) == DB_ROW) {
        const char *gid = db_col_text(st, 0), *tt = db_col_text(st, 2), *sid = db_col_text(st, 3);
        json_t *g;
        if (!gid) {
            if (!none) none = group_new(NULL, "");
            g = none;
        } else {
            if (!cur || strcmp(json_string_value(json_object_get(cur, "id")), gid)) {
                cur = group_new(gid, db_col_text(st, 1));
                json_array_append_new(groups, cur);
            }
            g = cur;
        }
        int64_t total = db_col_int(st, 4), done = db_col_int(st, 5), ret = db_col_int(st, 6),
                est = db_col_int(st, 7), spent = db_col_int(st, 8);
        group_add(g, tt, sid, total, done, ret, est, spent);
        group_add(totals, tt, sid, total, done, ret, est, spent);
    }
    db_done(st);
    if (none) json_array_append_new(groups, none); /* last */
    if (rc < 0) goto fail;
    return ms_reply(r, 200, out);
fail:
    json_decref(out);
    return rc;
}

/* ---- Burn-up. ----
 *
 * For each day from..to (UTC days): scope, the tasks that existed at the end of that day (a
 * task exists from its first status row, written when it was created); done, those whose
 * last status by the end of that day was a done status. Deleted tasks leave the history with
 * their rows. Each task's history becomes intervals added to two difference arrays, so the
 * work is one pass over the rows plus one over the days. */

/* GET /projects/{id}/stats/burnup?from=&to= (default: the last 30 days) */
int h_burnup(ms_req *r)
{
    static const char *const allowed[] = {"from", "to", NULL};
    int rc = ms_req_query_only(r, allowed);
    if (rc) return rc;
    prod_scope s;
    if ((rc = prod_scope_get(r, ms_req_param(r, "id"), &s))) return rc;
    int64_t today = prod_today(), from, to;
    if ((rc = prod_query_range(r, today - 29, today, 366, &from, &to))) return rc;
    size_t nd = (size_t)(to - from + 1);
    int64_t *scope = calloc(nd + 1, sizeof *scope), *done = calloc(nd + 1, sizeof *done);
    if (!scope || !done) {
        free(scope);
        free(done);
        return ms_req_fail(r, MS_ENOMEM, NULL, "out of memory");
    }
    char end[11];
    prod_day_str(to + 1, end);
    ms_buf sql;
    ms_buf_init(&sql);
    db_arg args[6];
    int n = 0;
    ms_buf_puts(&sql, "SELECT l.task_id, l.at, l.is_done FROM task_status_log l JOIN task t ON "
                      "t.id = l.task_id JOIN entity e ON e.id = t.entity_id AND e.deleted_at IS "
                      "NULL WHERE l.project_id = ? AND l.at < ?");
    args[n++] = DB_ARG_S(s.project_id);
    args[n++] = DB_ARG_S(end);
    prod_task_filter(&s, &sql, args, &n);
    ms_buf_puts(&sql, " ORDER BY l.task_id, l.at");
    db_stmt *st;
    rc = sql.oom ? ms_req_fail(r, MS_ENOMEM, NULL, "out of memory")
                 : db_query_args(r->db, &st, &r->err, sql.data, args, n);
    ms_buf_free(&sql);
    if (rc) goto out;
        /* [lo, hi) in day numbers, clamped to the answer's days. */
#define SPAN(arr, lo, hi)                                                                          \
    do {                                                                                           \
        int64_t a_ = (lo)-from, b_ = (hi)-from;                                                    \
        if (a_ < 0) a_ = 0;                                                                        \
        if (b_ > (int64_t)nd) b_ = (int64_t)nd;                                                    \
        if (a_ < b_) {                                                                             \
            (arr)[a_]++;                                                                           \
            (arr)[b_]--;                                                                           \
        }                                                                                          \
    } while (0)
    char task[MS_ID_LEN] = "";
    int64_t prev_day = 0;
    bool prev_done = false, have = false;
    const int64_t forever = to + 1;
    while ((rc = db_step(st, &r->err)) == DB_ROW) {
        const char *tid = db_col_text(st, 0), *at = db_col_text(st, 1);
        char day[11];
        int64_t d;
        ms_strlcpy(day, at ? at : "", sizeof day);
        if (!prod_day_num(day, &d)) continue;
        bool is_done = db_col_int(st, 2) != 0;
        if (!have || strcmp(task, tid)) {
            if (have && prev_done) SPAN(done, prev_day, forever);
            ms_strlcpy(task, tid, sizeof task);
            SPAN(scope, d, forever);
            have = true;
        } else if (d != prev_day && prev_done) {
            SPAN(done, prev_day, d);
        }
        prev_day = d;
        prev_done = is_done;
    }
    if (have && prev_done) SPAN(done, prev_day, forever);
#undef SPAN
    db_done(st);
    if (rc < 0) goto out;
    json_t *days = json_array();
    int64_t sc = 0, dn = 0;
    for (size_t i = 0; i < nd; i++) {
        char ds[11];
        sc += scope[i];
        dn += done[i];
        prod_day_str(from + (int64_t)i, ds);
        json_array_append_new(days, json_pack("{s:s, s:I, s:I}", "day", ds, "scope", (json_int_t)sc,
                                              "done", (json_int_t)dn));
    }
    rc = ms_reply(r, 200, json_pack("{s:o}", "days", days));
out:
    free(scope);
    free(done);
    return rc;
}
