/* schedule_plan.c: what the schedule computes from the tasks' dates - the Gantt data (tasks,
 * dependencies, milestones, the critical path and each task's slack by the critical path
 * method) and the workload (planned and logged minutes per person and ISO week). Only the
 * tasks the caller may see take part (prod_task_filter). It stores nothing. */
#include "production/prod_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PLAN_TASKS_MAX 20000 /* tasks in one answer: more asks for a filter */

/* SELECT ... FROM the visible tasks of a project (alias t, entity e, parent pe). */
#define PLAN_FROM                                                                                  \
    " FROM task t JOIN entity e ON e.id = t.entity_id AND e.deleted_at IS NULL LEFT JOIN entity "  \
    "pe ON pe.id = e.parent_id JOIN task_type tt ON tt.id = t.task_type_id JOIN task_status ts "   \
    "ON ts.id = t.status_id WHERE t.project_id = ?"

static int too_many(ms_req *r)
{
    return ms_req_fail(r, MS_EINVAL, "too-many-tasks",
                       "More than %d tasks: narrow the answer with parent_id, task_type_id or "
                       "assignee.",
                       PLAN_TASKS_MAX);
}

/* ---- Gantt data and the critical path. ----
 *
 * Dates are whole days. A task occupies [start, due] (a task with one of the two dates
 * occupies that day; a task with neither takes no part in the computation). A dependency
 * (predecessor p, successor s, lag L) means s may start on the day after p is due, plus L
 * days: earliest start(s) = due(p) + 1 + L; a task planned to start earlier "violates" it.
 *
 * Critical path method over the dependency graph (acyclic: the API refuses cycles), in
 * topological order (Kahn's algorithm: iterative, no recursion):
 *   forward   ES = max(own start, max over predecessors of EF(p) + 1 + L), EF = ES + d - 1
 *             (d: the task's length in calendar days)
 *   end       the project's end is the latest EF
 *   backward  LF = min(project end, min over successors of LS(s) - 1 - L), LS = LF - d + 1
 *   slack     LS - ES days: how far the task may slip without moving the project's end;
 *             critical when 0.
 * The critical path is one chain of critical tasks: it ends at a critical task finishing on
 * the project's end and walks back through predecessors that are critical and tight
 * (EF(p) + 1 + L = ES). Only the tasks of the answer (after filters) take part. */

typedef struct plan_task {
    int64_t start, due; /* day numbers; valid when dated */
    bool dated;
    int64_t es, ef, ls, lf;
    size_t indeg, topo;
} plan_task;

typedef struct plan_edge {
    size_t pred, succ;
    int64_t lag;
} plan_edge;

static json_t *day_json(int64_t d)
{
    char s[11];
    prod_day_str(d, s);
    return json_string(s);
}

/* GET /projects/{id}/schedule?parent_id=&task_type_id=&assignee= */
int h_schedule(ms_req *r)
{
    static const char *const allowed[] = {"parent_id", "task_type_id", "assignee", NULL};
    int rc = ms_req_query_only(r, allowed);
    if (rc) return rc;
    prod_scope s;
    if ((rc = prod_scope_get(r, ms_req_param(r, "id"), &s))) return rc;
    const char *parent = ms_req_query(r, "parent_id"), *ttype = ms_req_query(r, "task_type_id"),
               *who = ms_req_query(r, "assignee");
    ms_buf sql;
    ms_buf_init(&sql);
    db_arg args[12];
    int n = 0;
    ms_buf_puts(&sql, "SELECT t.id, t.entity_id, e.name AS entity_name, pe.name AS parent_name, "
                      "t.task_type_id, tt.name AS task_type_name, tt.color, t.status_id, "
                      "ts.short_name AS status, ts.color AS status_color, ts.is_done, ");
    ms_buf_puts(&sql, prod_assignees_sql(r));
    ms_buf_puts(&sql, " AS assignees_json, t.start_date, t.due_date, t.estimate, t.time_spent, "
                      "t.priority" PLAN_FROM);
    args[n++] = DB_ARG_S(s.project_id);
    if (parent) {
        /* The entity itself, its children (the sequences of an episode, the shots of a
         * sequence) and its grandchildren (the shots of an episode). */
        ms_buf_puts(&sql, " AND (e.id = ? OR e.parent_id = ? OR pe.parent_id = ?)");
        for (int i = 0; i < 3; i++)
            args[n++] = DB_ARG_S(parent);
    }
    if (ttype) {
        ms_buf_puts(&sql, " AND t.task_type_id = ?");
        args[n++] = DB_ARG_S(ttype);
    }
    if (who) {
        ms_buf_puts(&sql, " AND EXISTS (SELECT 1 FROM task_assignee ta WHERE ta.task_id = t.id "
                          "AND ta.user_id = ?)");
        args[n++] = DB_ARG_S(!strcmp(who, "me") ? s.user_id : who);
    }
    prod_task_filter(&s, &sql, args, &n);
    ms_buf_puts(&sql, " ORDER BY COALESCE(t.start_date, t.due_date, '9999-12-31'), t.due_date, "
                      "tt.position, e.name, t.id LIMIT ?");
    args[n++] = DB_ARG_I(PLAN_TASKS_MAX + 1);
    db_stmt *st;
    rc = sql.oom ? ms_req_fail(r, MS_ENOMEM, NULL, "out of memory")
                 : db_query_args(r->db, &st, &r->err, sql.data, args, n);
    ms_buf_free(&sql);
    if (rc) return rc;

    json_t *out = json_object(), *tasks = json_array(), *deps = json_array();
    json_object_set_new(out, "tasks", tasks);
    json_object_set_new(out, "dependencies", deps);
    prod_idx ix = {0};
    plan_task *pt = NULL;
    plan_edge *edges = NULL;
    size_t nt = 0, ne = 0, ecap = 0, *start = NULL, *adj = NULL, *rstart = NULL, *radj = NULL,
           *order = NULL;
    int64_t today = prod_today();
    pt = calloc(PLAN_TASKS_MAX + 1, sizeof *pt);
    if (!pt) {
        db_done(st);
        rc = ms_req_fail(r, MS_ENOMEM, NULL, "out of memory");
        goto fail;
    }
    while ((rc = db_step(st, &r->err)) == DB_ROW) {
        if (nt == PLAN_TASKS_MAX) {
            db_done(st);
            rc = too_many(r);
            goto fail;
        }
        json_t *o = db_row_json(st);
        if (prod_idx_get(&ix, json_string_value(json_object_get(o, "id")), true) != nt) {
            json_decref(o);
            db_done(st);
            rc = ms_req_fail(r, MS_ENOMEM, NULL, "out of memory");
            goto fail;
        }
        plan_task *p = &pt[nt++];
        const char *sd = json_string_value(json_object_get(o, "start_date")),
                   *dd = json_string_value(json_object_get(o, "due_date"));
        int64_t a, b;
        bool ha = sd && prod_day_num(sd, &a), hb = dd && prod_day_num(dd, &b);
        if (ha || hb) {
            p->dated = true;
            p->start = ha ? a : b;
            p->due = hb ? b : a;
            if (p->due < p->start) p->due = p->start;
        }
        json_object_set_new(o, "duration_days",
                            p->dated ? json_integer(prod_workdays(p->start, p->due)) : json_null());
        json_object_set_new(
            o, "late",
            json_boolean(hb && b < today && !json_is_true(json_object_get(o, "is_done"))));
        json_array_append_new(tasks, o);
    }
    db_done(st);
    if (rc < 0) goto fail;

    /* The dependencies between tasks of the answer. */
    rc = db_query(r->db, &st, &r->err,
                  "SELECT id, task_id, depends_on, lag_days FROM task_dependency WHERE "
                  "project_id = ? ORDER BY id",
                  "s", s.project_id);
    if (rc) goto fail;
    while ((rc = db_step(st, &r->err)) == DB_ROW) {
        size_t succ = prod_idx_get(&ix, db_col_text(st, 1), false),
               pred = prod_idx_get(&ix, db_col_text(st, 2), false);
        if (succ == SIZE_MAX || pred == SIZE_MAX) continue;
        int64_t lag = db_col_int(st, 3);
        bool violated = pt[succ].dated && pt[pred].dated && pt[succ].start < pt[pred].due + 1 + lag;
        json_array_append_new(deps, json_pack("{s:s, s:s, s:s, s:I, s:b}", "id", db_col_text(st, 0),
                                              "task_id", db_col_text(st, 1), "depends_on",
                                              db_col_text(st, 2), "lag_days", (json_int_t)lag,
                                              "violated", violated));
        if (!pt[succ].dated || !pt[pred].dated) continue;
        if (ne == ecap) {
            size_t ncap = ecap ? 2 * ecap : 256;
            plan_edge *v = realloc(edges, ncap * sizeof *v);
            if (!v) {
                db_done(st);
                rc = ms_req_fail(r, MS_ENOMEM, NULL, "out of memory");
                goto fail;
            }
            edges = v;
            ecap = ncap;
        }
        edges[ne++] = (plan_edge){.pred = pred, .succ = succ, .lag = lag};
    }
    db_done(st);
    if (rc < 0) goto fail;

    /* Adjacency both ways (edge indexes), by counting sort. */
    start = calloc(nt + 1, sizeof *start);
    rstart = calloc(nt + 1, sizeof *rstart);
    adj = malloc((ne ? ne : 1) * sizeof *adj);
    radj = malloc((ne ? ne : 1) * sizeof *radj);
    order = malloc((nt ? nt : 1) * sizeof *order);
    if (!start || !rstart || !adj || !radj || !order) {
        rc = ms_req_fail(r, MS_ENOMEM, NULL, "out of memory");
        goto fail;
    }
    for (size_t e = 0; e < ne; e++) {
        start[edges[e].pred + 1]++;
        rstart[edges[e].succ + 1]++;
        pt[edges[e].succ].indeg++;
    }
    for (size_t k = 0; k < nt; k++) {
        start[k + 1] += start[k];
        rstart[k + 1] += rstart[k];
    }
    for (size_t k = 0; k < nt; k++)
        order[k] = start[k];
    for (size_t e = 0; e < ne; e++)
        adj[order[edges[e].pred]++] = e;
    for (size_t k = 0; k < nt; k++)
        order[k] = rstart[k];
    for (size_t e = 0; e < ne; e++)
        radj[order[edges[e].succ]++] = e;

    /* Forward pass in topological order. */
    size_t head = 0, tail = 0;
    for (size_t k = 0; k < nt; k++) {
        pt[k].es = pt[k].start;
        if (pt[k].dated && pt[k].indeg == 0) order[tail++] = k;
    }
    bool any = false;
    int64_t pstart = 0, pend = 0;
    while (head < tail) {
        size_t u = order[head];
        pt[u].topo = head++;
        pt[u].ef = pt[u].es + (pt[u].due - pt[u].start);
        if (!any || pt[u].ef > pend) pend = pt[u].ef;
        if (!any || pt[u].start < pstart) pstart = pt[u].start;
        any = true;
        for (size_t k = start[u]; k < start[u + 1]; k++) {
            const plan_edge *e = &edges[adj[k]];
            int64_t es = pt[u].ef + 1 + e->lag;
            if (es > pt[e->succ].es) pt[e->succ].es = es;
            if (--pt[e->succ].indeg == 0) order[tail++] = e->succ;
        }
    }
    size_t done = tail; /* every dated task: the graph has no cycle */
    /* Backward pass in reverse topological order. */
    for (size_t i = done; i-- > 0;) {
        size_t u = order[i];
        int64_t lf = pend;
        for (size_t k = start[u]; k < start[u + 1]; k++) {
            const plan_edge *e = &edges[adj[k]];
            int64_t v = pt[e->succ].ls - 1 - e->lag;
            if (v < lf) lf = v;
        }
        pt[u].lf = lf;
        pt[u].ls = lf - (pt[u].due - pt[u].start);
    }
    /* The answer per task, and the end of the critical chain. */
    size_t last = SIZE_MAX;
    for (size_t k = 0; k < nt; k++) {
        json_t *o = json_array_get(tasks, k);
        /* Every dated task went through both passes (indeg 0: no cycle). */
        if (pt[k].dated && pt[k].indeg == 0) {
            int64_t slack = pt[k].ls - pt[k].es;
            json_object_set_new(o, "slack_days", json_integer(slack));
            json_object_set_new(o, "critical", json_boolean(slack == 0));
            json_object_set_new(o, "early_start", day_json(pt[k].es));
            json_object_set_new(o, "early_finish", day_json(pt[k].ef));
            json_object_set_new(o, "late_start", day_json(pt[k].ls));
            json_object_set_new(o, "late_finish", day_json(pt[k].lf));
            if (slack == 0 && pt[k].ef == pend && (last == SIZE_MAX || pt[k].topo < pt[last].topo))
                last = k;
        } else {
            json_object_set_new(o, "slack_days", json_null());
            json_object_set_new(o, "critical", json_false());
        }
    }
    json_t *path = json_array();
    json_object_set_new(out, "critical_path", path);
    for (size_t u = last; u != SIZE_MAX;) {
        json_array_insert_new(path, 0, json_string(ix.ids[u]));
        size_t next = SIZE_MAX;
        for (size_t k = rstart[u]; k < rstart[u + 1]; k++) {
            const plan_edge *e = &edges[radj[k]];
            const plan_task *p = &pt[e->pred];
            if (p->ls == p->es && p->ef + 1 + e->lag == pt[u].es &&
                (next == SIZE_MAX || p->topo < pt[next].topo))
                next = e->pred;
        }
        u = next;
    }
    json_object_set_new(out, "project_start", any ? day_json(pstart) : json_null());
    json_object_set_new(out, "project_end", any ? day_json(pend) : json_null());
    json_object_set_new(out, "today", day_json(today));

    /* Milestones: the project's, and with parent_id those of its episode. */
    rc = db_query(r->db, &st, &r->err,
                  "SELECT m.id, m.project_id, m.entity_id, e.name AS entity_name, m.name, m.date, "
                  "m.color, m.version FROM milestone m LEFT JOIN entity e ON e.id = m.entity_id "
                  "WHERE m.project_id = ? AND (CAST(? AS TEXT) IS NULL OR m.entity_id IS NULL OR "
                  "m.entity_id = ? OR m.entity_id IN (SELECT x.parent_id FROM entity x WHERE x.id "
                  "= ?)) ORDER BY m.date, m.name, m.id",
                  "ssss", s.project_id, parent, parent, parent);
    if (rc) goto fail;
    json_t *ms = json_array();
    json_object_set_new(out, "milestones", ms);
    while ((rc = db_step(st, &r->err)) == DB_ROW)
        json_array_append_new(ms, db_row_json(st));
    db_done(st);
    if (rc < 0) goto fail;
    rc = ms_reply(r, 200, out);
    out = NULL;
fail:
    json_decref(out);
    prod_idx_free(&ix);
    free(pt);
    free(edges);
    free(start);
    free(adj);
    free(rstart);
    free(radj);
    free(order);
    return rc;
}

/* ---- Workload. ----
 *
 * Per person and ISO week between from and to:
 *   planned_minutes  each task's estimate, shared equally by its assignees, spread evenly
 *                    over the working days (Monday to Friday) from its start date to its due
 *                    date; a task with only a due date (or whose dates hold no working day)
 *                    counts whole in the week of its due date; a task without a due date is
 *                    left out. Only the part of a task inside from..to counts.
 *   logged_minutes   the time logs of the days in from..to
 *   tasks            how many tasks of the person have planned days in that week */

typedef struct wl_person {
    double *planned;
    int64_t *logged, *tasks;
} wl_person;

/* GET /projects/{id}/workload?from=&to= (default: 8 weeks from this week's Monday) */
int h_workload(ms_req *r)
{
    static const char *const allowed[] = {"from", "to", NULL};
    int rc = ms_req_query_only(r, allowed);
    if (rc) return rc;
    prod_scope s;
    if ((rc = prod_scope_get(r, ms_req_param(r, "id"), &s))) return rc;
    int64_t today = prod_today(), mon = today - prod_weekday(today), from, to;
    if ((rc = prod_query_range(r, mon, mon + 8 * 7 - 1, 371, &from, &to))) return rc;
    int64_t mon0 = from - prod_weekday(from);
    size_t nw = (size_t)((to - mon0) / 7 + 1);
    char fs[11], ts[11];
    prod_day_str(from, fs);
    prod_day_str(to, ts);
    json_t *out = json_pack("{s:s, s:s}", "from", fs, "to", ts), *weeks = json_array();
    json_object_set_new(out, "weeks", weeks);
    for (size_t w = 0; w < nw; w++) {
        char wk[9];
        prod_iso_week(mon0 + 7 * (int64_t)w, wk);
        json_array_append_new(weeks, json_string(wk));
    }
    prod_idx people = {0};
    wl_person *pp = NULL;
    size_t pcap = 0;
    json_t *ids = NULL;

    ms_buf sql;
    ms_buf_init(&sql);
    db_arg args[8];
    int n = 0;
    ms_buf_puts(&sql, "SELECT t.id, t.start_date, t.due_date, t.estimate, ");
    ms_buf_puts(&sql, prod_assignees_sql(r));
    ms_buf_puts(&sql,
                " AS assignees" PLAN_FROM " AND t.due_date IS NOT NULL AND t.due_date >= ? AND "
                "COALESCE(t.start_date, t.due_date) <= ?");
    args[n++] = DB_ARG_S(s.project_id);
    args[n++] = DB_ARG_S(fs);
    args[n++] = DB_ARG_S(ts);
    prod_task_filter(&s, &sql, args, &n);
    ms_buf_puts(&sql, " ORDER BY t.id LIMIT ?");
    args[n++] = DB_ARG_I(PLAN_TASKS_MAX + 1);
    db_stmt *st;
    rc = sql.oom ? ms_req_fail(r, MS_ENOMEM, NULL, "out of memory")
                 : db_query_args(r->db, &st, &r->err, sql.data, args, n);
    ms_buf_free(&sql);
    if (rc) goto fail;
    size_t count = 0;
    /* A person's row, made on first sight (SIZE_MAX when out of memory). */
#define PERSON(uid, out_k)                                                                         \
    do {                                                                                           \
        out_k = prod_idx_get(&people, (uid), true);                                                \
        if (out_k != SIZE_MAX && out_k >= pcap) {                                                  \
            size_t ncap = pcap ? 2 * pcap : 16;                                                    \
            wl_person *v = realloc(pp, ncap * sizeof *v);                                          \
            if (!v) {                                                                              \
                out_k = SIZE_MAX;                                                                  \
                break;                                                                             \
            }                                                                                      \
            pp = v;                                                                                \
            memset(pp + pcap, 0, (ncap - pcap) * sizeof *pp);                                      \
            pcap = ncap;                                                                           \
        }                                                                                          \
        if (out_k != SIZE_MAX && !pp[out_k].planned) {                                             \
            pp[out_k].planned = calloc(nw, sizeof(double));                                        \
            pp[out_k].logged = calloc(nw, sizeof(int64_t));                                        \
            pp[out_k].tasks = calloc(nw, sizeof(int64_t));                                         \
            if (!pp[out_k].planned || !pp[out_k].logged || !pp[out_k].tasks) out_k = SIZE_MAX;     \
        }                                                                                          \
    } while (0)
    while ((rc = db_step(st, &r->err)) == DB_ROW) {
        if (++count > PLAN_TASKS_MAX) {
            db_done(st);
            rc = too_many(r);
            goto fail;
        }
        int64_t a, b;
        if (!prod_day_num(db_col_text(st, 2), &b)) continue;
        if (db_col_null(st, 1) || !prod_day_num(db_col_text(st, 1), &a) || a > b) a = b;
        double est = db_col_null(st, 3) ? 0 : (double)db_col_int(st, 3);
        ids = json_loads(db_col_text(st, 4), 0, NULL);
        size_t na = json_array_size(ids);
        int64_t span = prod_workdays(a, b);
        for (size_t i = 0; i < na; i++) {
            size_t k;
            PERSON(json_string_value(json_array_get(ids, i)), k);
            if (k == SIZE_MAX) {
                db_done(st);
                rc = ms_req_fail(r, MS_ENOMEM, NULL, "out of memory");
                goto fail;
            }
            double share = est / (double)na;
            if (span == 0) { /* only weekend days: all in the due week */
                if (b < from || b > to) continue;
                size_t w = (size_t)((b - mon0) / 7);
                pp[k].planned[w] += share;
                pp[k].tasks[w]++;
                continue;
            }
            int64_t lo0 = a > from ? a : from, hi0 = b < to ? b : to;
            for (int64_t w = (lo0 - mon0) / 7; lo0 <= hi0 && w <= (hi0 - mon0) / 7; w++) {
                int64_t lo = mon0 + 7 * w, hi = lo + 6;
                if (lo < lo0) lo = lo0;
                if (hi > hi0) hi = hi0;
                int64_t wd = prod_workdays(lo, hi);
                if (!wd) continue;
                pp[k].planned[w] += share * (double)wd / (double)span;
                pp[k].tasks[w]++;
            }
        }
        json_decref(ids);
        ids = NULL;
    }
    db_done(st);
    if (rc < 0) goto fail;

    /* Logged time on the same visible tasks. */
    ms_buf_init(&sql);
    n = 0;
    ms_buf_puts(&sql, "SELECT l.user_id, l.day, l.minutes FROM time_log l JOIN task t ON t.id = "
                      "l.task_id JOIN entity e ON e.id = t.entity_id AND e.deleted_at IS NULL "
                      "WHERE l.project_id = ? AND l.day >= ? AND l.day <= ?");
    args[n++] = DB_ARG_S(s.project_id);
    args[n++] = DB_ARG_S(fs);
    args[n++] = DB_ARG_S(ts);
    prod_task_filter(&s, &sql, args, &n);
    rc = sql.oom ? ms_req_fail(r, MS_ENOMEM, NULL, "out of memory")
                 : db_query_args(r->db, &st, &r->err, sql.data, args, n);
    ms_buf_free(&sql);
    if (rc) goto fail;
    while ((rc = db_step(st, &r->err)) == DB_ROW) {
        int64_t d;
        if (!prod_day_num(db_col_text(st, 1), &d)) continue;
        size_t k;
        PERSON(db_col_text(st, 0), k);
        if (k == SIZE_MAX) {
            db_done(st);
            rc = ms_req_fail(r, MS_ENOMEM, NULL, "out of memory");
            goto fail;
        }
        pp[k].logged[(d - mon0) / 7] += db_col_int(st, 2);
    }
#undef PERSON
    db_done(st);
    if (rc < 0) goto fail;

    json_t *list = json_array();
    json_object_set_new(out, "people", list);
    for (size_t k = 0; k < people.n; k++) {
        rc = db_query_row(r->db, &st, &r->err, "SELECT display_name FROM user_account WHERE id = ?",
                          "s", people.ids[k]);
        if (rc < 0) goto fail;
        json_t *p = json_pack("{s:s, s:s}", "user_id", people.ids[k], "name",
                              rc == DB_ROW ? db_col_text(st, 0) : "");
        if (rc == DB_ROW) db_done(st);
        rc = 0;
        json_t *pw = json_object();
        int64_t tp = 0, tl = 0;
        for (size_t w = 0; w < nw; w++) {
            int64_t planned = (int64_t)llround(pp[k].planned[w]);
            tp += planned;
            tl += pp[k].logged[w];
            json_object_set_new(pw, json_string_value(json_array_get(weeks, w)),
                                json_pack("{s:I, s:I, s:I}", "planned_minutes", (json_int_t)planned,
                                          "logged_minutes", (json_int_t)pp[k].logged[w], "tasks",
                                          (json_int_t)pp[k].tasks[w]));
        }
        json_object_set_new(p, "weeks", pw);
        json_object_set_new(p, "planned_minutes", json_integer(tp));
        json_object_set_new(p, "logged_minutes", json_integer(tl));
        /* By name: insertion into the sorted list (people are few). */
        size_t at = json_array_size(list);
        const char *name = json_string_value(json_object_get(p, "name"));
        while (at > 0 &&
               strcmp(json_string_value(json_object_get(json_array_get(list, at - 1), "name")),
                      name) > 0)
            at--;
        json_array_insert_new(list, at, p);
    }
    rc = ms_reply(r, 200, out);
    out = NULL;
fail:
    json_decref(ids);
    json_decref(out);
    for (size_t k = 0; k < pcap; k++) {
        free(pp[k].planned);
        free(pp[k].logged);
        free(pp[k].tasks);
    }
    free(pp);
    prod_idx_free(&people);
    return rc;
}
