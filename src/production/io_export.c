/* io_export.c: GET /projects/{id}/export/{kind}.csv, a project's episodes, sequences, shots,
 * assets or tasks as a CSV file in Kitsu's column conventions, so that the file opens in a
 * spreadsheet, imports into Kitsu, and imports back here unchanged (io_import.c reads the same
 * names). Only what the caller may see: a vendor or a client gets the entities holding a task
 * they see and only those tasks (access.c).
 *
 * Three queries whatever the size (entities, their tasks, the tasks' assignees), joined in
 * memory through hash maps, and the file written in one buffer: 100,000 shots are a few
 * hundred milliseconds. Not here: other formats (.xlsx), exports of casting, comments or
 * time logs. */
#include "core/csv.h"
#include "production/prod_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Vendors and clients: only entities holding a task they see (as entities.c). */
static void export_entity_filter(const prod_scope *s, ms_buf *sql, db_arg *args, int *n)
{
    if (s->kind != PROD_VENDOR && s->kind != PROD_CLIENT) return;
    ms_buf_puts(sql, " AND EXISTS (SELECT 1 FROM task t WHERE t.entity_id = e.id");
    prod_task_filter(s, sql, args, n);
    ms_buf_puts(sql, ")");
}

typedef struct xcol {
    char *id; /* task type id, or field key */
    char *name;
    char *type; /* field type */
} xcol;

typedef struct xrow {
    char *id;
    char *type_name, *episode, *sequence, *name, *desc, *fps;
    bool has_in, has_out;
    int64_t fin, fout;
    json_t *fields;
    /* tasks export */
    char *task_type, *status, *start, *due;
    int64_t priority, spent, retakes, estimate;
    bool has_estimate;
    char *assignees; /* "a@x, b@y" */
} xrow;

typedef struct xstate {
    ms_req *r;
    prod_scope s;
    int kind;
    xcol *types;
    size_t ntypes;
    xcol *fields;
    size_t nfields;
    xrow *rows;
    size_t nrows, caprows;
    char **cells; /* nrows x ntypes x 2: status short name, assignees */
    io_map by_id, task_cell;
    int type_count; /* entity types of the kind */
} xstate;

static int load_cols(xstate *x, const char *sql, const char *ekind, xcol **out, size_t *nout)
{
    db_stmt *st;
    int rc = db_query(x->r->db, &st, &x->r->err, sql, "ss", x->s.project_id, ekind);
    if (rc) return rc;
    size_t cap = 0;
    while ((rc = db_step(st, &x->r->err)) == DB_ROW) {
        if (*nout == cap) {
            cap = cap ? cap * 2 : 16;
            xcol *p = realloc(*out, cap * sizeof *p);
            if (!p) {
                rc = ms_req_fail(x->r, MS_ENOMEM, NULL, "out of memory");
                break;
            }
            *out = p;
        }
        xcol *c = &(*out)[(*nout)++];
        c->id = ms_arena_strdup(x->r->arena, db_col_text(st, 0));
        c->name = ms_arena_strdup(x->r->arena, db_col_text(st, 1));
        c->type = db_col_count(st) > 2 ? ms_arena_strdup(x->r->arena, db_col_text(st, 2)) : NULL;
    }
    db_done(st);
    return rc < 0 ? rc : 0;
}

static xrow *row_add(xstate *x)
{
    if (x->nrows == x->caprows) {
        size_t cap = x->caprows ? x->caprows * 2 : 256;
        xrow *p = realloc(x->rows, cap * sizeof *p);
        if (!p) return NULL;
        x->rows = p;
        x->caprows = cap;
    }
    xrow *w = &x->rows[x->nrows++];
    memset(w, 0, sizeof *w);
    return w;
}

static char *dup_or_null(ms_req *r, db_stmt *st, int i)
{
    return db_col_null(st, i) ? NULL : ms_arena_strdup(r->arena, db_col_text(st, i));
}

/* The episode and sequence above an entity, from its parent and grandparent. */
static void place(xrow *w, ms_req *r, db_stmt *st, int first)
{
    for (int k = 0; k < 2; k++) {
        int i = first + 2 * k;
        if (db_col_null(st, i)) continue;
        const char *kind = db_col_text(st, i + 1);
        char *name = ms_arena_strdup(r->arena, db_col_text(st, i));
        if (!strcmp(kind, "episode") && !w->episode) w->episode = name;
        if (!strcmp(kind, "sequence") && !w->sequence) w->sequence = name;
    }
}

#define PLACE_COLS "pe.name, pet.kind, gpe.name, gpet.kind"
#define PLACE_FROM                                                                                 \
    " LEFT JOIN entity pe ON pe.id = e.parent_id LEFT JOIN entity_type pet ON pet.id = "           \
    "pe.type_id LEFT JOIN entity gpe ON gpe.id = pe.parent_id LEFT JOIN entity_type gpet ON "      \
    "gpet.id = gpe.type_id"
#define PLACE_ORDER                                                                                \
    "COALESCE(CASE WHEN gpet.kind = 'episode' THEN gpe.name END, CASE WHEN pet.kind = "            \
    "'episode' THEN pe.name END, ''), COALESCE(CASE WHEN pet.kind = 'sequence' THEN pe.name "      \
    "END, '')"

static int load_entities(xstate *x, const char *ekind)
{
    ms_req *r = x->r;
    ms_buf sql;
    ms_buf_init(&sql);
    db_arg args[8];
    int n = 0;
    ms_buf_puts(&sql, "SELECT e.id, et.name, e.name, e.description, e.frame_in, e.frame_out, "
                      "e.fps, e.fields, " PLACE_COLS " FROM entity e JOIN entity_type et ON "
                      "et.id = e.type_id" PLACE_FROM " WHERE e.project_id = ? AND et.kind = ? AND "
                      "e.deleted_at IS NULL");
    args[n++] = DB_ARG_S(x->s.project_id);
    args[n++] = DB_ARG_S(ekind);
    export_entity_filter(&x->s, &sql, args, &n);
    ms_buf_puts(&sql, " ORDER BY " PLACE_ORDER ", et.position, e.position, e.name, e.id");
    db_stmt *st;
    int rc = sql.oom ? ms_req_fail(r, MS_ENOMEM, NULL, "out of memory")
                     : db_query_args(r->db, &st, &r->err, sql.data, args, n);
    ms_buf_free(&sql);
    if (rc) return rc;
    while ((rc = db_step(st, &r->err)) == DB_ROW) {
        xrow *w = row_add(x);
        if (!w) {
            rc = ms_req_fail(r, MS_ENOMEM, NULL, "out of memory");
            break;
        }
        w->id = ms_arena_strdup(r->arena, db_col_text(st, 0));
        w->type_name = ms_arena_strdup(r->arena, db_col_text(st, 1));
        w->name = ms_arena_strdup(r->arena, db_col_text(st, 2));
        w->desc = ms_arena_strdup(r->arena, db_col_text(st, 3));
        w->has_in = !db_col_null(st, 4);
        w->fin = db_col_int(st, 4);
        w->has_out = !db_col_null(st, 5);
        w->fout = db_col_int(st, 5);
        w->fps = dup_or_null(r, st, 6);
        if (x->nfields) w->fields = json_loads(db_col_text(st, 7), 0, NULL);
        place(w, r, st, 8);
        if (!io_map_put(&x->by_id, w->id, x->nrows - 1)) {
            rc = ms_req_fail(r, MS_ENOMEM, NULL, "out of memory");
            break;
        }
    }
    db_done(st);
    return rc < 0 ? rc : 0;
}

/* Task cells of the entity rows: status short names, then assignee e-mails. */
static int load_cells(xstate *x)
{
    ms_req *r = x->r;
    if (!x->ntypes || !x->nrows) return 0;
    x->cells = calloc(x->nrows * x->ntypes * 2, sizeof *x->cells);
    if (!x->cells) return ms_req_fail(r, MS_ENOMEM, NULL, "out of memory");
    io_map tt = {0};
    for (size_t i = 0; i < x->ntypes; i++)
        if (!io_map_put(&tt, x->types[i].id, i)) {
            io_map_free(&tt);
            return ms_req_fail(r, MS_ENOMEM, NULL, "out of memory");
        }
    int rc = 0;
    for (int pass = 0; pass < 2 && !rc; pass++) {
        ms_buf sql;
        ms_buf_init(&sql);
        db_arg args[8];
        int n = 0;
        /* The project's tasks alone, matched to the rows in memory (a task of another kind
         * or of a deleted entity finds no row): no join for the planner to get wrong, as
         * PostgreSQL can right after a large import, before its statistics catch up. */
        ms_buf_puts(&sql, pass == 0 ? "SELECT t.entity_id, t.task_type_id, ts.short_name, t.id "
                                      "FROM task t JOIN task_status ts ON ts.id = t.status_id"
                                    : "SELECT ta.task_id, u.email FROM task_assignee ta JOIN "
                                      "task t ON t.id = ta.task_id JOIN user_account u ON u.id "
                                      "= ta.user_id");
        ms_buf_puts(&sql, " WHERE t.project_id = ?");
        args[n++] = DB_ARG_S(x->s.project_id);
        prod_task_filter(&x->s, &sql, args, &n);
        if (pass == 1) ms_buf_puts(&sql, " ORDER BY u.email");
        db_stmt *st;
        rc = sql.oom ? ms_req_fail(r, MS_ENOMEM, NULL, "out of memory")
                     : db_query_args(r->db, &st, &r->err, sql.data, args, n);
        ms_buf_free(&sql);
        if (rc) break;
        while ((rc = db_step(st, &r->err)) == DB_ROW) {
            size_t cell;
            if (pass == 0) {
                size_t row, col;
                if (!io_map_get(&x->by_id, db_col_text(st, 0), &row) ||
                    !io_map_get(&tt, db_col_text(st, 1), &col))
                    continue;
                cell = (row * x->ntypes + col) * 2;
                x->cells[cell] = ms_arena_strdup(r->arena, db_col_text(st, 2));
                char *tid = ms_arena_strdup(r->arena, db_col_text(st, 3));
                if (!tid || !io_map_put(&x->task_cell, tid, cell + 1)) {
                    rc = ms_req_fail(r, MS_ENOMEM, NULL, "out of memory");
                    break;
                }
            } else {
                if (!io_map_get(&x->task_cell, db_col_text(st, 0), &cell)) continue;
                const char *email = db_col_text(st, 1);
                x->cells[cell] = x->cells[cell]
                                     ? ms_arena_printf(r->arena, "%s, %s", x->cells[cell], email)
                                     : ms_arena_strdup(r->arena, email);
            }
        }
        db_done(st);
        if (rc > 0) rc = 0;
    }
    io_map_free(&tt);
    return rc < 0 ? rc : 0;
}

static int load_tasks(xstate *x)
{
    ms_req *r = x->r;
    ms_buf sql;
    ms_buf_init(&sql);
    db_arg args[8];
    int n = 0;
    ms_buf_puts(&sql,
                "SELECT t.id, et.name, e.name, tt.name, ts.short_name, t.priority, "
                "t.estimate, t.start_date, t.due_date, t.time_spent, t.retake_count, " PLACE_COLS
                " FROM task t JOIN entity e ON e.id = t.entity_id JOIN entity_type et ON "
                "et.id = e.type_id JOIN task_type tt ON tt.id = t.task_type_id JOIN "
                "task_status ts ON ts.id = t.status_id" PLACE_FROM
                " WHERE t.project_id = ? AND e.deleted_at IS NULL");
    args[n++] = DB_ARG_S(x->s.project_id);
    prod_task_filter(&x->s, &sql, args, &n);
    ms_buf_puts(&sql, " ORDER BY " PLACE_ORDER ", et.position, e.position, e.name, e.id, "
                      "tt.position, tt.name");
    db_stmt *st;
    int rc = sql.oom ? ms_req_fail(r, MS_ENOMEM, NULL, "out of memory")
                     : db_query_args(r->db, &st, &r->err, sql.data, args, n);
    ms_buf_free(&sql);
    if (rc) return rc;
    while ((rc = db_step(st, &r->err)) == DB_ROW) {
        xrow *w = row_add(x);
        if (!w) {
            rc = ms_req_fail(r, MS_ENOMEM, NULL, "out of memory");
            break;
        }
        w->id = ms_arena_strdup(r->arena, db_col_text(st, 0));
        w->type_name = ms_arena_strdup(r->arena, db_col_text(st, 1));
        w->name = ms_arena_strdup(r->arena, db_col_text(st, 2));
        w->task_type = ms_arena_strdup(r->arena, db_col_text(st, 3));
        w->status = ms_arena_strdup(r->arena, db_col_text(st, 4));
        w->priority = db_col_int(st, 5);
        w->has_estimate = !db_col_null(st, 6);
        w->estimate = db_col_int(st, 6);
        w->start = dup_or_null(r, st, 7);
        w->due = dup_or_null(r, st, 8);
        w->spent = db_col_int(st, 9);
        w->retakes = db_col_int(st, 10);
        place(w, r, st, 11);
        if (!io_map_put(&x->by_id, w->id, x->nrows - 1)) {
            rc = ms_req_fail(r, MS_ENOMEM, NULL, "out of memory");
            break;
        }
    }
    db_done(st);
    if (rc < 0) return rc;
    ms_buf_init(&sql);
    n = 0;
    ms_buf_puts(&sql, "SELECT ta.task_id, u.email FROM task_assignee ta JOIN task t ON t.id = "
                      "ta.task_id JOIN entity e ON e.id = t.entity_id JOIN user_account u ON "
                      "u.id = ta.user_id WHERE t.project_id = ? AND e.deleted_at IS NULL");
    args[n++] = DB_ARG_S(x->s.project_id);
    prod_task_filter(&x->s, &sql, args, &n);
    ms_buf_puts(&sql, " ORDER BY u.email");
    rc = sql.oom ? ms_req_fail(r, MS_ENOMEM, NULL, "out of memory")
                 : db_query_args(r->db, &st, &r->err, sql.data, args, n);
    ms_buf_free(&sql);
    if (rc) return rc;
    while ((rc = db_step(st, &r->err)) == DB_ROW) {
        size_t i;
        if (!io_map_get(&x->by_id, db_col_text(st, 0), &i)) continue;
        xrow *w = &x->rows[i];
        const char *email = db_col_text(st, 1);
        w->assignees = w->assignees ? ms_arena_printf(r->arena, "%s, %s", w->assignees, email)
                                    : ms_arena_strdup(r->arena, email);
    }
    db_done(st);
    return rc < 0 ? rc : 0;
}

/* A custom field's value as a cell: text as it is, numbers as JSON writes them, yes/no as
 * true/false, several choices joined with ", ". */
static void put_field(ms_csv_writer *w, ms_req *r, const json_t *v)
{
    if (!v || json_is_null(v)) {
        ms_csv_put(w, NULL);
    } else if (json_is_string(v)) {
        ms_csv_put(w, json_string_value(v));
    } else if (json_is_boolean(v)) {
        ms_csv_put(w, json_is_true(v) ? "true" : "false");
    } else if (json_is_integer(v)) {
        ms_csv_put_i64(w, json_integer_value(v));
    } else if (json_is_real(v)) {
        char *t = json_dumps(v, JSON_ENCODE_ANY | JSON_REAL_PRECISION(15));
        ms_csv_put_number(w, t);
        free(t);
    } else if (json_is_array(v)) {
        char *joined = NULL;
        size_t i;
        json_t *c;
        json_array_foreach((json_t *)v, i, c)
        {
            const char *s = json_string_value(c);
            if (!s) continue;
            joined = joined ? ms_arena_printf(r->arena, "%s, %s", joined, s)
                            : ms_arena_strdup(r->arena, s);
        }
        ms_csv_put(w, joined);
    } else {
        ms_csv_put(w, NULL);
    }
}

static void put_opt_i64(ms_csv_writer *w, bool has, int64_t v)
{
    if (has)
        ms_csv_put_i64(w, v);
    else
        ms_csv_put(w, NULL);
}

static void write_entities(xstate *x, ms_csv_writer *w)
{
    bool shots = x->kind == IO_SHOTS, assets = x->kind == IO_ASSETS;
    bool with_type = assets || x->type_count > 1;
    bool episode = x->kind == IO_SEQUENCES || shots || assets;
    bool sequence = shots;
    /* Header. */
    if (episode) ms_csv_put(w, "Episode");
    if (sequence) ms_csv_put(w, "Sequence");
    if (with_type) ms_csv_put(w, assets ? "Type" : "Entity Type");
    ms_csv_put(w, "Name");
    ms_csv_put(w, "Description");
    if (shots) {
        ms_csv_put(w, "Nb Frames");
        ms_csv_put(w, "Frame In");
        ms_csv_put(w, "Frame Out");
        ms_csv_put(w, "FPS");
    }
    for (size_t i = 0; i < x->nfields; i++)
        ms_csv_put(w, x->fields[i].name);
    for (size_t i = 0; i < x->ntypes; i++) {
        ms_csv_put(w, x->types[i].name);
        ms_csv_put(w, ms_arena_printf(x->r->arena, "%s Assignees", x->types[i].name));
    }
    ms_csv_end_record(w);
    for (size_t k = 0; k < x->nrows; k++) {
        xrow *e = &x->rows[k];
        if (episode) ms_csv_put(w, e->episode);
        if (sequence) ms_csv_put(w, e->sequence);
        if (with_type) ms_csv_put(w, e->type_name);
        ms_csv_put(w, e->name);
        ms_csv_put(w, e->desc);
        if (shots) {
            put_opt_i64(w, e->has_in && e->has_out, e->fout - e->fin + 1);
            put_opt_i64(w, e->has_in, e->fin);
            put_opt_i64(w, e->has_out, e->fout);
            ms_csv_put(w, e->fps);
        }
        for (size_t i = 0; i < x->nfields; i++)
            put_field(w, x->r, e->fields ? json_object_get(e->fields, x->fields[i].id) : NULL);
        for (size_t i = 0; i < x->ntypes; i++) {
            size_t cell = (k * x->ntypes + i) * 2;
            ms_csv_put(w, x->cells ? x->cells[cell] : NULL);
            ms_csv_put(w, x->cells ? x->cells[cell + 1] : NULL);
        }
        ms_csv_end_record(w);
    }
}

static void write_tasks(xstate *x, ms_csv_writer *w)
{
    static const char *const head[] = {
        "Episode",  "Sequence", "Entity Type", "Entity",   "Task Type",  "Status",  "Assignees",
        "Priority", "Estimate", "Start Date",  "Due Date", "Time Spent", "Retakes", NULL};
    for (int i = 0; head[i]; i++)
        ms_csv_put(w, head[i]);
    ms_csv_end_record(w);
    for (size_t k = 0; k < x->nrows; k++) {
        xrow *t = &x->rows[k];
        ms_csv_put(w, t->episode);
        ms_csv_put(w, t->sequence);
        ms_csv_put(w, t->type_name);
        ms_csv_put(w, t->name);
        ms_csv_put(w, t->task_type);
        ms_csv_put(w, t->status);
        ms_csv_put(w, t->assignees);
        ms_csv_put_i64(w, t->priority);
        put_opt_i64(w, t->has_estimate, t->estimate);
        ms_csv_put(w, t->start);
        ms_csv_put(w, t->due);
        ms_csv_put_i64(w, t->spent);
        ms_csv_put_i64(w, t->retakes);
        ms_csv_end_record(w);
    }
}

/* GET /projects/{id}/export/{file}, file = <kind>.csv; ?bom=true starts the file with a UTF-8
 * byte order mark (Excel needs it to show non-Latin text). */
int h_io_export(ms_req *r)
{
    static const char *const allowed[] = {"bom", NULL};
    int rc = ms_req_query_only(r, allowed);
    if (rc) return rc;
    bool bom;
    if ((rc = ms_req_query_bool(r, "bom", false, &bom))) return rc;
    xstate x = {.r = r};
    if ((rc = prod_scope_get(r, ms_req_param(r, "id"), &x.s))) return rc;
    const char *file = ms_req_param(r, "file");
    size_t flen = strlen(file);
    x.kind = flen > 4 && !strcmp(file + flen - 4, ".csv") ? io_kind_parse(file, flen - 4) : -1;
    if (x.kind < 0)
        return ms_req_fail(r, MS_ENOTFOUND, NULL,
                           "Exports are episodes.csv, sequences.csv, shots.csv, assets.csv and "
                           "tasks.csv.");
    const char *ekind = io_kind_entity_kind(x.kind);
    if (ekind) {
        db_stmt *st;
        rc = db_query_row(r->db, &st, &r->err,
                          "SELECT COUNT(*) FROM entity_type WHERE project_id = ? AND kind = ?",
                          "ss", x.s.project_id, ekind);
        if (rc < 0) return rc;
        x.type_count = (int)db_col_int(st, 0);
        db_done(st);
        if ((rc = load_cols(&x,
                            "SELECT id, name FROM task_type WHERE project_id = ? AND for_kind = ? "
                            "ORDER BY position, name",
                            ekind, &x.types, &x.ntypes)) ||
            (rc = load_cols(&x,
                            "SELECT f.key, f.label, f.type FROM entity_field f LEFT JOIN "
                            "entity_type et ON et.id = f.entity_type_id WHERE f.project_id = ? "
                            "AND (f.entity_type_id IS NULL OR et.kind = ?) ORDER BY f.position, "
                            "f.key",
                            ekind, &x.fields, &x.nfields)) ||
            (rc = load_entities(&x, ekind)) || (rc = load_cells(&x)))
            goto out;
    } else if ((rc = load_tasks(&x))) {
        goto out;
    }
    ms_csv_writer w;
    ms_csv_writer_init(&w, &r->out, &(ms_csv_write_opts){.bom = bom});
    if (ekind)
        write_entities(&x, &w);
    else
        write_tasks(&x, &w);
    if (r->out.oom) {
        rc = ms_req_fail(r, MS_ENOMEM, NULL, "out of memory");
        goto out;
    }
    r->status = 200;
    r->out_type = "text/csv; charset=utf-8";
    ms_reply_header(r, "Content-Disposition",
                    ms_arena_printf(r->arena, "attachment; filename=\"%s\"", file));
    ms_reply_header(r, "Cache-Control", "no-store");
out:
    for (size_t i = 0; i < x.nrows; i++)
        json_decref(x.rows[i].fields);
    free(x.rows);
    free(x.types);
    free(x.fields);
    free(x.cells);
    io_map_free(&x.by_id);
    io_map_free(&x.task_cell);
    return rc;
}
