/* people.c: what production knows of a person across projects, for the talent module (its
 * credits from production work, and when a person is booked). Read-only: it answers from the
 * task and project tables and decides no access (the talent module says who may see what).
 * Each part of the talent work keeps its own block below. */
#include "production/prod_internal.h"

/* ---- work of a person (work) ---- */

/* The rows are read into memory first and the statement is finished before the first call:
 * a callback may then query or write through the same connection (talent's credit sync
 * does). A person has at most a few thousand tasks, so this stays small. */
int production_work_of(db_conn *c, const char *user_id, production_work_fn fn, void *ctx,
                       ms_error *err)
{
    db_stmt *st;
    int rc = db_query(c, &st, err,
                      "SELECT t.project_id, p.name, p.org_id, tt.name, e.name, t.start_date, "
                      "t.due_date FROM task_assignee ta JOIN task t ON t.id = ta.task_id "
                      "JOIN project p ON p.id = t.project_id AND p.deleted_at IS NULL "
                      "JOIN entity e ON e.id = t.entity_id AND e.deleted_at IS NULL "
                      "JOIN task_type tt ON tt.id = t.task_type_id WHERE ta.user_id = ? "
                      "ORDER BY t.project_id, tt.name, t.start_date, t.id",
                      "s", user_id);
    if (rc) return rc;
    json_t *rows = json_array();
    while ((rc = db_step(st, err)) == DB_ROW) {
        json_t *row = json_array();
        for (int i = 0; i < 7; i++)
            json_array_append_new(row, db_col_null(st, i) ? json_null()
                                                          : json_string(db_col_text(st, i)));
        json_array_append_new(rows, row);
    }
    db_done(st);
    size_t i;
    json_t *row;
    json_array_foreach(rows, i, row)
    {
        if (rc < 0) break;
        production_work w = {.user_id = user_id,
                             .project_id = json_string_value(json_array_get(row, 0)),
                             .project_name = json_string_value(json_array_get(row, 1)),
                             .org_id = json_string_value(json_array_get(row, 2)),
                             .task_type = json_string_value(json_array_get(row, 3)),
                             .entity_name = json_string_value(json_array_get(row, 4)),
                             .start_date = json_string_value(json_array_get(row, 5)),
                             .due_date = json_string_value(json_array_get(row, 6))};
        rc = fn(ctx, &w);
        if (rc) break;
    }
    json_decref(rows);
    return rc;
}

/* ---- end of work of a person ---- */

/* ---- booked (search) ---- */

int production_booked(db_conn *c, const char *from, const char *to, production_work_fn fn,
                      void *ctx, ms_error *err)
{
    /* A task's days: start to due, or its one date. Dates are YYYY-MM-DD text: they compare
     * as text on both engines. */
    db_stmt *st;
    int rc = db_query(c, &st, err,
                      "SELECT a.user_id, p.id, p.name, p.org_id, tt.name, e.name, "
                      "COALESCE(t.start_date, t.due_date), COALESCE(t.due_date, t.start_date) "
                      "FROM task t JOIN task_assignee a ON a.task_id = t.id "
                      "JOIN project p ON p.id = t.project_id "
                      "JOIN task_type tt ON tt.id = t.task_type_id "
                      "JOIN entity e ON e.id = t.entity_id "
                      "WHERE (t.start_date IS NOT NULL OR t.due_date IS NOT NULL) "
                      "AND COALESCE(t.start_date, t.due_date) <= ? "
                      "AND COALESCE(t.due_date, t.start_date) >= ? "
                      "AND p.deleted_at IS NULL AND e.deleted_at IS NULL",
                      "ss", to, from);
    if (rc) return rc;
    int stop = 0;
    while ((rc = db_step(st, err)) == DB_ROW) {
        production_work w = {
            .user_id = db_col_text(st, 0),
            .project_id = db_col_text(st, 1),
            .project_name = db_col_text(st, 2),
            .org_id = db_col_text(st, 3),
            .task_type = db_col_text(st, 4),
            .entity_name = db_col_text(st, 5),
            .start_date = db_col_text(st, 6),
            .due_date = db_col_text(st, 7),
        };
        if ((stop = fn(ctx, &w))) break;
    }
    db_done(st);
    return rc < 0 ? rc : stop;
}

/* ---- end of booked ---- */
