/* people.c: the work of people in production, as other modules ask for it (production.h,
 * "talent: people's work"): who is booked when. Reads only; the production routes own the
 * writes. Not an access check: callers decide what their own callers may see of it. */
#include "production/prod_internal.h"

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
