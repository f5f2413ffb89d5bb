/* io_import.c: POST /projects/{id}/import/{kind} (a CSV of episodes, sequences, shots, assets
 * or tasks, in Kitsu's or ShotGrid's column names) and POST /projects/{id}/import/edl (the
 * shots of a CMX 3600 edit decision list under one sequence).
 *
 * How an import runs. The project's vocabulary (entity types, task types, statuses, custom
 * fields), its live entities and, when the file has task columns, its tasks and assignees are
 * loaded once into arrays indexed by hash maps (io.c). Then each row is read (core/csv.h calls
 * back per record), checked against those maps and everything earlier rows did, and applied at
 * once through cached prepared statements: no row costs a SELECT, every write is an INSERT or
 * UPDATE by primary key. The request is one transaction (the server's); a dry run, or an
 * atomic import that found an error, rolls it back (see undo) and still answers with what it
 * found. One event records the import, with
 * its counts; notifications are not sent per task (see docs/production-io.md).
 *
 * A row is created (its entity, or its task for a tasks file, did not exist), updated (any of
 * its values or task columns changed) or unchanged. A bad row is reported by row, line and
 * column, with every problem it has, and is not applied. Not here: deleting what a file does
 * not list, casting, renaming (a row with another name is another entity), and clearing a value
 * (an empty cell leaves it as it is). */
#include "core/csv.h"
#include "core/timecode.h"
#include "production/edl.h"
#include "production/prod_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define NONE           SIZE_MAX
#define ERRORS_SHOWN   1000 /* row errors listed in an answer; more_errors counts the rest */
#define ASSIGNEES_MAX  20
#define NAME_MAX_CHARS 128

typedef struct ityp {
    char *id, *name;
    char kind[16];
    int parent; /* index of the parent type, or -1 */
} ityp;

typedef struct ient {
    char *id;
    int type;
    size_t parent; /* index, or NONE */
    char *name, *desc, *fps, *fields;
    bool has_in, has_out;
    int64_t fin, fout;
    size_t seen_row; /* the row of this file that named it; 0 when none did */
    unsigned gen;    /* batch generation of its INSERT (0: read from the database) */
} ient;

typedef struct itt {
    char *id, *name;
    char kind[16];
} itt;

typedef struct ist {
    char *id, *name;
    bool is_default, is_retake, artist;
} ist;

typedef struct ifield {
    char *key, *label, *type_id;
    char type[16];
    json_t *choices;
} ifield;

typedef struct itask {
    char *id;
    size_t ent;
    int tt, status;
    int64_t priority, estimate;
    bool has_estimate;
    char *start, *due;
    char *assignees; /* sorted user ids joined by ',', NULL for none */
    size_t seen_row;
    unsigned gen; /* as ient.gen */
} itask;

typedef struct iuser {
    char *id; /* NULL: no such person, or not on the project */
} iuser;

/* Semantic columns; the table of header names per kind is built in columns_build. */
enum {
    K_EPISODE,
    K_SEQUENCE,
    K_TYPE,
    K_NAME,
    K_DESC,
    K_NB,
    K_IN,
    K_OUT,
    K_FPS,
    K_ENTITY,
    K_TASK_TYPE,
    K_STATUS,
    K_ASSIGNEES,
    K_PRIORITY,
    K_ESTIMATE,
    K_START,
    K_DUE,
    K_SPENT,
    K_RETAKES,
    K_COUNT,
};

/* ---- Batched inserts. ----
 *
 * New rows are not inserted one statement each: they are queued and written BATCH_ROWS at a
 * time by one multi-row INSERT (VALUES (...), (...), ...), which costs SQLite and PostgreSQL
 * far less per row than a statement each. Entities, tasks and assignees are flushed together,
 * in that order, so that every foreign key finds its row (a parent and its child in one
 * statement are fine: both engines check immediate foreign keys at the end of the
 * statement). A row still queued has gen == imp.gen; an UPDATE of such a row flushes first. */
#define BATCH_ROWS 64

typedef struct ibatch {
    const char *head;  /* "INSERT INTO t (a, b) VALUES " */
    const char *tuple; /* "(?, ?)" */
    int nparams, rows;
    db_arg *args;
    char *full; /* the statement for BATCH_ROWS rows, built once */
} ibatch;

typedef struct imp {
    ms_req *r;
    prod_scope s;
    int kind;
    const char *ekind; /* entity kind of the file (NULL for tasks) */
    char now[MS_TIME_LEN];

    ityp *types;
    int ntypes;
    itt *tts;
    int ntts;
    ist *sts;
    int nsts, default_status;
    ifield *fields;
    int nfields;
    ient *ents;
    size_t nents, capents;
    itask *tasks;
    size_t ntasks, captasks;
    iuser *users;
    size_t nusers, capusers;
    io_map ent_key, ent_id, task_key, task_id, st_name, tt_name, type_name, user_email;
    bool tasks_loaded, assignees_loaded;

    /* The header: table entries, what each means, and the column each was found in. */
    ms_csv_column *cols;
    int *sem, *arg, ncols;
    ms_csv_map map;
    int col[K_COUNT];
    int *field_col, *tt_col, *tta_col;
    const char *colname[K_COUNT];
    json_t *ignored;

    /* Row being read. */
    const ms_csv_record *rec;
    int row_errors;

    /* Results. */
    int64_t created, updated, unchanged, parents_created, tasks_created, tasks_updated, skipped;
    int64_t rows, bad_rows, errors_total;
    json_t *errors;
    int64_t position; /* EDL: the order of the cut */

    ibatch bents, btasks, bassign;
    unsigned gen;
} imp;

/* ---- Errors of rows. ---- */

static void row_error(imp *im, int64_t row, int64_t line, const char *column, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
static void row_error(imp *im, int64_t row, int64_t line, const char *column, const char *fmt, ...)
{
    im->row_errors++;
    im->errors_total++;
    if (json_array_size(im->errors) >= ERRORS_SHOWN) return;
    char msg[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    json_t *o = json_object();
    json_object_set_new(o, "row", row ? json_integer(row) : json_null());
    json_object_set_new(o, "line", json_integer(line));
    json_object_set_new(o, "column", column ? json_string(column) : json_null());
    json_object_set_new(o, "message", json_string(msg));
    char field[200];
    if (row)
        snprintf(field, sizeof field, "row %lld, line %lld%s%.120s", (long long)row,
                 (long long)line, column ? ", " : "", column ? column : "");
    else
        snprintf(field, sizeof field, "line %lld", (long long)line);
    json_object_set_new(o, "field", json_string(field));
    json_array_append_new(im->errors, o);
}

#define CELL_ERR(im, column, ...)                                                                  \
    row_error(im, (int64_t)(im)->rec->row, (int64_t)(im)->rec->line, column, __VA_ARGS__)

static int oom(imp *im)
{
    return ms_req_fail(im->r, MS_ENOMEM, NULL, "out of memory");
}

/* ---- Loading the project. ---- */

/* "<type>\x1f<parent id>\x1f<name>": built with memcpy, as this runs several times a row. */
static const char *ent_key(imp *im, int type, size_t parent, const char *name)
{
    const char *pid = parent == NONE ? "" : im->ents[parent].id;
    size_t np = strlen(pid), nn = strlen(name);
    char *k = ms_arena_alloc(im->r->arena, 12 + np + nn + 3);
    if (!k) return NULL;
    char *p = k;
    unsigned t = (unsigned)type;
    do {
        *p++ = (char)('0' + t % 10);
        t /= 10;
    } while (t);
    *p++ = '\x1f';
    memcpy(p, pid, np);
    p += np;
    *p++ = '\x1f';
    memcpy(p, name, nn + 1);
    return k;
}

static ient *ent_add(imp *im)
{
    if (im->nents == im->capents) {
        size_t cap = im->capents ? im->capents * 2 : 1024;
        ient *p = realloc(im->ents, cap * sizeof *p);
        if (!p) return NULL;
        im->ents = p;
        im->capents = cap;
    }
    ient *e = &im->ents[im->nents++];
    memset(e, 0, sizeof *e);
    e->parent = NONE;
    return e;
}

static itask *task_add(imp *im)
{
    if (im->ntasks == im->captasks) {
        size_t cap = im->captasks ? im->captasks * 2 : 1024;
        itask *p = realloc(im->tasks, cap * sizeof *p);
        if (!p) return NULL;
        im->tasks = p;
        im->captasks = cap;
    }
    itask *t = &im->tasks[im->ntasks++];
    memset(t, 0, sizeof *t);
    return t;
}

/* "<entity id>\x1f<task type index>". */
static const char *task_key(imp *im, size_t ent, int tt)
{
    const char *id = im->ents[ent].id;
    size_t n = strlen(id);
    char *k = ms_arena_alloc(im->r->arena, n + 14);
    if (!k) return NULL;
    memcpy(k, id, n);
    char *p = k + n;
    *p++ = '\x1f';
    unsigned t = (unsigned)tt;
    do {
        *p++ = (char)('0' + t % 10);
        t /= 10;
    } while (t);
    *p = 0;
    return k;
}

static char *col_dup(imp *im, db_stmt *st, int i)
{
    return db_col_null(st, i) ? NULL : ms_arena_strdup(im->r->arena, db_col_text(st, i));
}

static int load_vocabulary(imp *im)
{
    ms_req *r = im->r;
    db_stmt *st;
    int rc, n;
    /* Entity types (twice: the parent of a type may come after it). */
    rc = db_query(r->db, &st, &r->err,
                  "SELECT id, name, kind, parent_type_id FROM entity_type WHERE project_id = ? "
                  "ORDER BY position, name",
                  "s", im->s.project_id);
    if (rc) return rc;
    char **parents = NULL;
    n = 0;
    while ((rc = db_step(st, &r->err)) == DB_ROW) {
        ityp *p = realloc(im->types, (size_t)(n + 1) * sizeof *p);
        char **q = realloc(parents, (size_t)(n + 1) * sizeof *q);
        if (p) im->types = p;
        if (q) parents = q;
        if (!p || !q) {
            rc = oom(im);
            break;
        }
        ityp *t = &im->types[n];
        t->id = col_dup(im, st, 0);
        t->name = col_dup(im, st, 1);
        ms_strlcpy(t->kind, db_col_text(st, 2), sizeof t->kind);
        parents[n] = col_dup(im, st, 3);
        n++;
    }
    db_done(st);
    im->ntypes = n;
    for (int i = 0; rc >= 0 && i < n; i++) {
        im->types[i].parent = -1;
        for (int j = 0; parents[i] && j < n; j++)
            if (!strcmp(parents[i], im->types[j].id)) im->types[i].parent = j;
        io_map_put(&im->type_name, io_lower(r->arena, im->types[i].name, strlen(im->types[i].name)),
                   (size_t)i);
    }
    free(parents);
    if (rc < 0) return rc;
    /* Task types. */
    rc = db_query(r->db, &st, &r->err,
                  "SELECT id, name, for_kind FROM task_type WHERE project_id = ? ORDER BY "
                  "position, name",
                  "s", im->s.project_id);
    if (rc) return rc;
    n = 0;
    while ((rc = db_step(st, &r->err)) == DB_ROW) {
        itt *p = realloc(im->tts, (size_t)(n + 1) * sizeof *p);
        if (!p) {
            rc = oom(im);
            break;
        }
        im->tts = p;
        p[n].id = col_dup(im, st, 0);
        p[n].name = col_dup(im, st, 1);
        ms_strlcpy(p[n].kind, db_col_text(st, 2), sizeof p[n].kind);
        io_map_put(&im->tt_name, io_lower(r->arena, p[n].name, strlen(p[n].name)), (size_t)n);
        n++;
    }
    db_done(st);
    im->ntts = n;
    if (rc < 0) return rc;
    /* Statuses, by short name and by name. */
    rc = db_query(r->db, &st, &r->err,
                  "SELECT id, name, short_name, is_default, is_retake, is_artist_allowed FROM "
                  "task_status WHERE project_id = ? ORDER BY is_default DESC, position",
                  "s", im->s.project_id);
    if (rc) return rc;
    n = 0;
    im->default_status = -1;
    while ((rc = db_step(st, &r->err)) == DB_ROW) {
        ist *p = realloc(im->sts, (size_t)(n + 1) * sizeof *p);
        if (!p) {
            rc = oom(im);
            break;
        }
        im->sts = p;
        p[n].id = col_dup(im, st, 0);
        p[n].name = col_dup(im, st, 1);
        p[n].is_default = db_col_int(st, 3) != 0;
        p[n].is_retake = db_col_int(st, 4) != 0;
        p[n].artist = db_col_int(st, 5) != 0;
        if (im->default_status < 0) im->default_status = n;
        const char *sn = db_col_text(st, 2);
        io_map_put(&im->st_name, io_lower(r->arena, sn, strlen(sn)), (size_t)n);
        n++;
    }
    db_done(st);
    im->nsts = n;
    if (rc < 0) return rc;
    /* Names after short names: a short name wins over another status's name. */
    for (int i = 0; i < n; i++) {
        char *lname = io_lower(r->arena, im->sts[i].name, strlen(im->sts[i].name));
        if (!io_map_get(&im->st_name, lname, NULL)) io_map_put(&im->st_name, lname, (size_t)i);
    }
    /* Custom fields. */
    rc = db_query(r->db, &st, &r->err,
                  "SELECT key, label, type, choices, entity_type_id FROM entity_field WHERE "
                  "project_id = ? ORDER BY position, key",
                  "s", im->s.project_id);
    if (rc) return rc;
    n = 0;
    while ((rc = db_step(st, &r->err)) == DB_ROW) {
        ifield *p = realloc(im->fields, (size_t)(n + 1) * sizeof *p);
        if (!p) {
            rc = oom(im);
            break;
        }
        im->fields = p;
        p[n].key = col_dup(im, st, 0);
        p[n].label = col_dup(im, st, 1);
        ms_strlcpy(p[n].type, db_col_text(st, 2), sizeof p[n].type);
        p[n].choices = json_loads(db_col_text(st, 3), 0, NULL);
        p[n].type_id = col_dup(im, st, 4);
        n++;
    }
    db_done(st);
    im->nfields = n;
    return rc < 0 ? rc : 0;
}

static int load_entities(imp *im)
{
    ms_req *r = im->r;
    db_stmt *st;
    io_map types = {0};
    for (int i = 0; i < im->ntypes; i++)
        io_map_put(&types, im->types[i].id, (size_t)i);
    /* Parents before children: episodes, then sequences, then the rest (by the depth of the
     * type), so that a parent's index is known when its children come. */
    int rc = db_query(r->db, &st, &r->err,
                      "SELECT e.id, e.type_id, e.parent_id, e.name, e.description, e.frame_in, "
                      "e.frame_out, e.fps, e.fields FROM entity e LEFT JOIN entity p ON p.id = "
                      "e.parent_id LEFT JOIN entity g ON g.id = p.parent_id WHERE e.project_id = "
                      "? AND e.deleted_at IS NULL ORDER BY CASE WHEN e.parent_id IS NULL THEN 0 "
                      "WHEN p.parent_id IS NULL THEN 1 WHEN g.parent_id IS NULL THEN 2 ELSE 3 "
                      "END",
                      "s", im->s.project_id);
    if (rc) {
        io_map_free(&types);
        return rc;
    }
    while ((rc = db_step(st, &r->err)) == DB_ROW) {
        size_t type, parent = NONE;
        if (!io_map_get(&types, db_col_text(st, 1), &type)) continue;
        if (!db_col_null(st, 2) && !io_map_get(&im->ent_id, db_col_text(st, 2), &parent))
            continue; /* under a deleted parent: not reachable by name */
        ient *e = ent_add(im);
        if (!e) {
            rc = oom(im);
            break;
        }
        e->id = col_dup(im, st, 0);
        e->type = (int)type;
        e->parent = parent;
        e->name = col_dup(im, st, 3);
        e->desc = col_dup(im, st, 4);
        e->has_in = !db_col_null(st, 5);
        e->fin = db_col_int(st, 5);
        e->has_out = !db_col_null(st, 6);
        e->fout = db_col_int(st, 6);
        e->fps = col_dup(im, st, 7);
        e->fields = col_dup(im, st, 8);
        if (!io_map_put(&im->ent_id, e->id, im->nents - 1) ||
            !io_map_put(&im->ent_key, ent_key(im, e->type, parent, e->name), im->nents - 1)) {
            rc = oom(im);
            break;
        }
    }
    db_done(st);
    io_map_free(&types);
    return rc < 0 ? rc : 0;
}

static int load_tasks(imp *im)
{
    if (im->tasks_loaded) return 0;
    im->tasks_loaded = true;
    ms_req *r = im->r;
    io_map tts = {0}, sts = {0};
    for (int i = 0; i < im->ntts; i++)
        io_map_put(&tts, im->tts[i].id, (size_t)i);
    for (int i = 0; i < im->nsts; i++)
        io_map_put(&sts, im->sts[i].id, (size_t)i);
    db_stmt *st;
    int rc = db_query(r->db, &st, &r->err,
                      "SELECT id, entity_id, task_type_id, status_id, priority, estimate, "
                      "start_date, due_date FROM task WHERE project_id = ?",
                      "s", im->s.project_id);
    if (rc) goto done;
    while ((rc = db_step(st, &r->err)) == DB_ROW) {
        size_t ent, tt, status;
        if (!io_map_get(&im->ent_id, db_col_text(st, 1), &ent) ||
            !io_map_get(&tts, db_col_text(st, 2), &tt) ||
            !io_map_get(&sts, db_col_text(st, 3), &status))
            continue;
        itask *t = task_add(im);
        if (!t) {
            rc = oom(im);
            break;
        }
        t->id = col_dup(im, st, 0);
        t->ent = ent;
        t->tt = (int)tt;
        t->status = (int)status;
        t->priority = db_col_int(st, 4);
        t->has_estimate = !db_col_null(st, 5);
        t->estimate = db_col_int(st, 5);
        t->start = col_dup(im, st, 6);
        t->due = col_dup(im, st, 7);
        if (!io_map_put(&im->task_key, task_key(im, ent, (int)tt), im->ntasks - 1) ||
            !io_map_put(&im->task_id, t->id, im->ntasks - 1)) {
            rc = oom(im);
            break;
        }
    }
    db_done(st);
done:
    io_map_free(&tts);
    io_map_free(&sts);
    return rc < 0 ? rc : 0;
}

static int load_assignees(imp *im)
{
    if (im->assignees_loaded) return 0;
    im->assignees_loaded = true;
    ms_req *r = im->r;
    db_stmt *st;
    int rc = db_query(r->db, &st, &r->err,
                      "SELECT ta.task_id, ta.user_id FROM task_assignee ta JOIN task t ON t.id = "
                      "ta.task_id WHERE t.project_id = ? ORDER BY ta.task_id, ta.user_id",
                      "s", im->s.project_id);
    if (rc) return rc;
    while ((rc = db_step(st, &r->err)) == DB_ROW) {
        size_t i;
        if (!io_map_get(&im->task_id, db_col_text(st, 0), &i)) continue;
        itask *t = &im->tasks[i];
        const char *u = db_col_text(st, 1);
        t->assignees = t->assignees ? ms_arena_printf(r->arena, "%s,%s", t->assignees, u)
                                    : ms_arena_strdup(r->arena, u);
    }
    db_done(st);
    return rc < 0 ? rc : 0;
}

/* A person by e-mail, who must reach the project; looked up once per address. */
static const char *user_by_email(imp *im, const char *email)
{
    size_t i;
    if (io_map_get(&im->user_email, email, &i)) return im->users[i].id;
    if (im->nusers == im->capusers) {
        size_t cap = im->capusers ? im->capusers * 2 : 16;
        iuser *p = realloc(im->users, cap * sizeof *p);
        if (!p) return NULL;
        im->users = p;
        im->capusers = cap;
    }
    iuser *u = &im->users[im->nusers];
    u->id = NULL;
    db_stmt *st;
    ms_error e;
    ms_error_clear(&e);
    int rc =
        db_query_row(im->r->db, &st, &e,
                     "SELECT id FROM user_account WHERE email = ? AND disabled = 0", "s", email);
    if (rc == DB_ROW) {
        char id[MS_ID_LEN];
        ms_strlcpy(id, db_col_text(st, 0), sizeof id);
        db_done(st);
        ms_caller who;
        memset(&who, 0, sizeof who);
        ms_strlcpy(who.user_id, id, sizeof who.user_id);
        ms_access a;
        if (authz_project(im->r->db, &who, im->s.project_id, &a, &e) == 0)
            u->id = ms_arena_strdup(im->r->arena, id);
    }
    io_map_put(&im->user_email, email, im->nusers);
    im->nusers++;
    return u->id;
}

/* ---- The header. ---- */

typedef struct base_col {
    int sem;
    const char *key, *names;
    unsigned kinds; /* bit per IO_* kind */
} base_col;

#define KE (1u << IO_EPISODES)
#define KQ (1u << IO_SEQUENCES)
#define KS (1u << IO_SHOTS)
#define KA (1u << IO_ASSETS)
#define KT (1u << IO_TASKS)

/* Column names: ours (what exports write) first, then Kitsu's and ShotGrid's. The table of
 * docs/production-io.md lists the same. */
static const base_col base_cols[] = {
    {K_EPISODE, "episode", "Episode|sg_episode|Episode Name|Episode Code", KQ | KS | KA | KT},
    {K_SEQUENCE, "sequence", "Sequence|sg_sequence|Sequence Name|Sequence Code", KS | KT},
    {K_TYPE, "type", "Entity Type|Asset Type|sg_asset_type|Type", KE | KQ | KS | KA},
    {K_TYPE, "type", "Entity Type|Link Type|entity.Type|Type", KT},
    {K_NAME, "name", "Name|Episode|Code|Episode Code|Episode Name", KE},
    {K_NAME, "name", "Name|Sequence|Code|Sequence Code|Sequence Name", KQ},
    {K_NAME, "name", "Name|Shot|Shot Code|Code|Shot Name|Entity Name", KS},
    {K_NAME, "name", "Name|Asset|Asset Name|Code|Asset Code|Entity Name", KA},
    {K_DESC, "description", "Description|sg_description", KE | KQ | KS | KA},
    {K_NB, "nb_frames", "Nb Frames|Cut Duration|sg_cut_duration|Frames|Duration", KS},
    {K_IN, "frame_in", "Frame In|Cut In|sg_cut_in", KS},
    {K_OUT, "frame_out", "Frame Out|Cut Out|sg_cut_out", KS},
    {K_FPS, "fps", "FPS|Frame Rate|sg_frame_rate", KS},
    {K_ENTITY, "entity", "Entity|Link|Entity Name|Name|Shot|Asset", KT},
    {K_TASK_TYPE, "task_type", "Task Type|Pipeline Step|step|Step|Task", KT},
    {K_STATUS, "status", "Status|sg_status_list|Task Status", KT},
    {K_ASSIGNEES, "assignees", "Assignees|Assigned To|task_assignees|Assignee", KT},
    {K_PRIORITY, "priority", "Priority|sg_priority", KT},
    {K_ESTIMATE, "estimate", "Estimate|Estimation|Bid|est_in_mins", KT},
    {K_START, "start_date", "Start Date|start_date|Start", KT},
    {K_DUE, "due_date", "Due Date|due_date|End Date|Due", KT},
    {K_SPENT, "time_spent", "Time Spent|Duration Spent|time_logs_sum", KT},
    {K_RETAKES, "retakes", "Retakes|Retake Count", KT},
};

enum { SEM_BASE, SEM_FIELD, SEM_TT, SEM_TTA };

static bool col_add(imp *im, int sem, int arg, const char *key, const char *names)
{
    ms_csv_column *c = realloc(im->cols, (size_t)(im->ncols + 2) * sizeof *c);
    if (c) im->cols = c;
    int *s = realloc(im->sem, (size_t)(im->ncols + 1) * sizeof *s);
    if (s) im->sem = s;
    int *a = realloc(im->arg, (size_t)(im->ncols + 1) * sizeof *a);
    if (a) im->arg = a;
    if (!c || !s || !a) return false;
    im->cols[im->ncols] = (ms_csv_column){.key = key, .names = names};
    im->cols[im->ncols + 1] = (ms_csv_column){0};
    im->sem[im->ncols] = sem;
    im->arg[im->ncols] = arg;
    im->ncols++;
    return true;
}

/* Does the entity type `t` (or, with t < 0, any type of the file's kind) apply to field f? */
static bool field_for_kind(imp *im, const ifield *f)
{
    if (!f->type_id) return true;
    for (int i = 0; i < im->ntypes; i++)
        if (!strcmp(im->types[i].id, f->type_id))
            return im->ekind && !strcmp(im->types[i].kind, im->ekind);
    return false;
}

static int columns_build(imp *im)
{
    ms_arena *a = im->r->arena;
    for (size_t i = 0; i < sizeof base_cols / sizeof base_cols[0]; i++)
        if ((base_cols[i].kinds & (1u << im->kind)) &&
            !col_add(im, SEM_BASE, base_cols[i].sem, base_cols[i].key, base_cols[i].names))
            return oom(im);
    if (!im->ekind) return 0;
    for (int i = 0; i < im->nfields; i++) {
        ifield *f = &im->fields[i];
        if (!field_for_kind(im, f) || strchr(f->label, '|')) continue;
        if (!col_add(im, SEM_FIELD, i, ms_arena_printf(a, "field:%s", f->key),
                     ms_arena_printf(a, "%s|%s", f->label, f->key)))
            return oom(im);
    }
    for (int i = 0; i < im->ntts; i++) {
        itt *t = &im->tts[i];
        if (strcmp(t->kind, im->ekind) || strchr(t->name, '|')) continue;
        if (!col_add(im, SEM_TT, i, ms_arena_printf(a, "task:%d", i),
                     ms_arena_printf(a, "%s|%s Status", t->name, t->name)) ||
            !col_add(im, SEM_TTA, i, ms_arena_printf(a, "assignees:%d", i),
                     ms_arena_printf(a, "%s Assignees|%s Assigned To", t->name, t->name)))
            return oom(im);
    }
    return 0;
}

/* The header record: map it, refuse what cannot work for any row, list the ignored columns. */
static int header_read(imp *im, const ms_csv_record *rec, ms_error *e)
{
    int rc = ms_csv_map_header(rec, im->cols, &im->map, e);
    if (rc) return rc;
    for (int k = 0; k < K_COUNT; k++)
        im->col[k] = -1;
    im->field_col = calloc((size_t)im->nfields + 1, sizeof *im->field_col);
    im->tt_col = calloc((size_t)im->ntts + 1, sizeof *im->tt_col);
    im->tta_col = calloc((size_t)im->ntts + 1, sizeof *im->tta_col);
    if (!im->field_col || !im->tt_col || !im->tta_col)
        return ms_fail(e, MS_ENOMEM, NULL, "out of memory");
    for (int i = 0; i < im->nfields; i++)
        im->field_col[i] = -1;
    for (int i = 0; i < im->ntts; i++)
        im->tt_col[i] = im->tta_col[i] = -1;
    bool any_task = false;
    for (int k = 0; k < im->ncols; k++) {
        int c = im->map.col[k];
        if (c < 0) continue;
        const ms_csv_field *f = &rec->fields[c];
        const char *shown = ms_arena_strndup(im->r->arena, f->data, f->len);
        switch (im->sem[k]) {
        case SEM_BASE:
            im->col[im->arg[k]] = c;
            im->colname[im->arg[k]] = shown;
            break;
        case SEM_FIELD:
            im->field_col[im->arg[k]] = c;
            break;
        case SEM_TT:
            im->tt_col[im->arg[k]] = c;
            any_task = true;
            break;
        default:
            im->tta_col[im->arg[k]] = c;
            any_task = true;
            break;
        }
    }
    for (size_t i = 0; i < im->map.nunknown; i++) {
        const ms_csv_field *f = &rec->fields[im->map.unknown[i]];
        json_array_append_new(im->ignored, json_stringn(f->data, f->len));
    }
    /* Read-only columns of the tasks export are known, and ignored. */
    if (im->col[K_SPENT] >= 0)
        json_array_append_new(im->ignored, json_string(im->colname[K_SPENT]));
    if (im->col[K_RETAKES] >= 0)
        json_array_append_new(im->ignored, json_string(im->colname[K_RETAKES]));
    if (im->kind == IO_TASKS) {
        if (im->col[K_ENTITY] < 0)
            ms_field_fail(e, "Entity",
                          "the file has no Entity column (also read as Link, Shot "
                          "or Asset)");
        if (im->col[K_TASK_TYPE] < 0)
            ms_field_fail(e, "Task Type",
                          "the file has no Task Type column (also read as "
                          "Pipeline Step)");
        if (e->code) return e->code;
        any_task = true;
    } else {
        if (im->col[K_NAME] < 0)
            return ms_field_fail(e, "Name",
                                 "the file has no Name column (also read as Code, or "
                                 "the kind's own name: Shot, Shot Code, Asset, ...)");
        if (im->kind == IO_ASSETS && im->col[K_TYPE] < 0) {
            int n = 0;
            for (int i = 0; i < im->ntypes; i++)
                n += !strcmp(im->types[i].kind, "asset");
            if (n > 1)
                return ms_field_fail(e, "Type",
                                     "the project has several asset types: say which "
                                     "in a Type (or Asset Type) column");
        }
    }
    if (any_task) {
        int rc2 = load_tasks(im);
        if (rc2) {
            *e = im->r->err;
            return rc2;
        }
        bool who = im->col[K_ASSIGNEES] >= 0;
        for (int i = 0; i < im->ntts; i++)
            who |= im->tta_col[i] >= 0;
        if (who && (rc2 = load_assignees(im))) {
            *e = im->r->err;
            return rc2;
        }
    }
    return 0;
}

/* ---- Cells. ---- */

/* The cell of semantic column k, trimmed; false when the column is absent or the cell blank. */
static bool cell_at(imp *im, int c, const char **s, size_t *n)
{
    return ms_csv_get_trimmed(im->rec, c, s, n);
}

static bool cell(imp *im, int k, const char **s, size_t *n)
{
    return cell_at(im, im->col[k], s, n);
}

static const char *cname(imp *im, int k)
{
    static const char *const shown[K_COUNT] = {
        "Episode",   "Sequence",   "Type",     "Name",       "Description", "Nb Frames", "Frame In",
        "Frame Out", "FPS",        "Entity",   "Task Type",  "Status",      "Assignees", "Priority",
        "Estimate",  "Start Date", "Due Date", "Time Spent", "Retakes"};
    return im->colname[k] ? im->colname[k] : shown[k];
}

/* A name cell: clean one-line text of 1 to 128 characters, or NULL (error reported). */
static char *name_cell(imp *im, const char *s, size_t n, const char *column)
{
    char *v = ms_arena_strndup(im->r->arena, s, n);
    if (!v) return NULL;
    if (!ms_str_is_clean_text(v, NAME_MAX_CHARS * 4, false) || ms_utf8_chars(v) > NAME_MAX_CHARS) {
        CELL_ERR(im, column, "must be a name of at most %d characters on one line", NAME_MAX_CHARS);
        return NULL;
    }
    return v;
}

static bool int_cell(imp *im, int k, int64_t min, int64_t max, bool *has, int64_t *out)
{
    const char *s;
    size_t n;
    *has = false;
    if (!cell(im, k, &s, &n)) return true;
    char msg[MS_CSV_MSG_MAX];
    if (ms_csv_cell_int(s, n, min, max, out, msg)) {
        CELL_ERR(im, cname(im, k), "%s", msg);
        return false;
    }
    *has = true;
    return true;
}

static char *date_cell(imp *im, int k, bool *bad)
{
    const char *s;
    size_t n;
    if (!cell(im, k, &s, &n)) return NULL;
    char msg[MS_CSV_MSG_MAX];
    char *v = ms_arena_strndup(im->r->arena, s, n);
    if (ms_csv_cell_date(s, n, NULL, msg)) {
        CELL_ERR(im, cname(im, k), "%s", msg);
        *bad = true;
        return NULL;
    }
    if (!prod_date_valid(v)) {
        CELL_ERR(im, cname(im, k), "must be a date between 1900 and 2999, got \"%s\"", v);
        *bad = true;
        return NULL;
    }
    return v;
}

/* A status by short name or name (any case), or by ShotGrid's usual codes. -1 when none. */
static int status_find(imp *im, const char *s, size_t n)
{
    char *l = io_lower(im->r->arena, s, n);
    size_t i;
    if (l && io_map_get(&im->st_name, l, &i)) return (int)i;
    static const char *const sg[][2] = {
        {"wtg", "todo"},  {"rdy", "todo"},   {"ip", "wip"},       {"rev", "wfa"},
        {"pndng", "wfa"}, {"fin", "done"},   {"apr", "approved"}, {"cmpt", "done"},
        {"hld", "hold"},  {"rtk", "retake"}, {"na", NULL},
    };
    for (size_t k = 0; l && k < sizeof sg / sizeof sg[0]; k++)
        if (!strcmp(l, sg[k][0]) && sg[k][1] && io_map_get(&im->st_name, sg[k][1], &i))
            return (int)i;
    return -1;
}

/* May the importer set status `st` on a task (whose current status is `cur`, -1 for a new
 * task)? The status rules of tasks.c: supervisors any, artists those allowed to artists. A
 * new task may always start in the default status, and no status is "set" when it does not
 * change. */
static bool status_ok(imp *im, int st, int cur)
{
    if (st == cur) return true;
    if (cur < 0 && st == im->default_status) return true;
    return im->s.kind == PROD_SUPERVISOR || im->sts[st].artist;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Assignees: e-mails separated by commas, semicolons or spaces -> sorted user ids joined by
 * ','. `out` is NULL for a blank cell; false when a cell was bad (reported). */
static bool assignees_cell(imp *im, int c, const char *column, char **out)
{
    const char *s;
    size_t n;
    *out = NULL;
    if (!cell_at(im, c, &s, &n)) return true;
    char *copy = io_lower(im->r->arena, s, n);
    const char *ids[ASSIGNEES_MAX];
    int nids = 0;
    bool ok = true;
    for (char *tok = strtok(copy, ",; \t\r\n"); tok; tok = strtok(NULL, ",; \t\r\n")) {
        if (!strchr(tok, '@') || strlen(tok) > 254 || !ms_str_is_clean_text(tok, 254, false)) {
            CELL_ERR(im, column, "\"%.60s\" is not an e-mail address", tok);
            ok = false;
            continue;
        }
        const char *id = user_by_email(im, tok);
        if (!id) {
            CELL_ERR(im, column, "%.80s is not someone who works on this project", tok);
            ok = false;
            continue;
        }
        bool dup = false;
        for (int i = 0; i < nids; i++)
            dup |= !strcmp(ids[i], id);
        if (dup) continue;
        if (nids == ASSIGNEES_MAX) {
            CELL_ERR(im, column, "a task has at most %d assignees", ASSIGNEES_MAX);
            return false;
        }
        ids[nids++] = id;
    }
    if (!ok) return false;
    if (!nids) return true;
    qsort(ids, (size_t)nids, sizeof ids[0], cmp_str);
    ms_buf b;
    ms_buf_init(&b);
    for (int i = 0; i < nids; i++) {
        if (i) ms_buf_putc(&b, ',');
        ms_buf_puts(&b, ids[i]);
    }
    *out = b.oom ? NULL : ms_arena_strndup(im->r->arena, b.data, b.len);
    ms_buf_free(&b);
    return *out != NULL;
}

/* ---- Writing. ---- */

static int batch_flush(imp *im, ibatch *b)
{
    if (!b->rows) return 0;
    const char *sql = b->rows == BATCH_ROWS ? b->full : NULL;
    if (!sql) {
        ms_buf q;
        ms_buf_init(&q);
        ms_buf_puts(&q, b->head);
        for (int i = 0; i < b->rows; i++) {
            if (i) ms_buf_puts(&q, ", ");
            ms_buf_puts(&q, b->tuple);
        }
        char *t = q.oom ? NULL : ms_arena_strndup(im->r->arena, q.data, q.len);
        ms_buf_free(&q);
        if (!t) return oom(im);
        if (b->rows == BATCH_ROWS) b->full = t;
        sql = t;
    }
    db_stmt *st;
    int rc = db_query_args(im->r->db, &st, &im->r->err, sql, b->args, b->rows * b->nparams);
    if (rc) return rc;
    rc = db_step(st, &im->r->err);
    db_done(st);
    b->rows = 0;
    return rc < 0 ? rc : 0;
}

/* Write everything queued: entities, then tasks, then assignees. */
static int batch_flush_all(imp *im)
{
    int rc = batch_flush(im, &im->bents);
    if (!rc) rc = batch_flush(im, &im->btasks);
    if (!rc) rc = batch_flush(im, &im->bassign);
    im->gen++;
    return rc;
}

static int batch_push(imp *im, ibatch *b, const db_arg *vals)
{
    if (!b->args) {
        b->args = malloc((size_t)BATCH_ROWS * (size_t)b->nparams * sizeof *b->args);
        if (!b->args) return oom(im);
    }
    if (b->rows == BATCH_ROWS) {
        int rc = batch_flush_all(im);
        if (rc) return rc;
    }
    memcpy(b->args + (size_t)b->rows * (size_t)b->nparams, vals, (size_t)b->nparams * sizeof *vals);
    b->rows++;
    return 0;
}

static void batches_init(imp *im)
{
    im->gen = 1;
    im->bents = (ibatch){
        .head = "INSERT INTO entity (id, project_id, type_id, parent_id, name, description, "
                "frame_in, frame_out, fps, fields, position, created_by, created_at, "
                "updated_at) VALUES ",
        .tuple = "(?, ?, ?, ?, ?, ?, CAST(? AS INTEGER), CAST(? AS INTEGER), ?, ?, ?, ?, ?, ?)",
        .nparams = 14};
    im->btasks =
        (ibatch){.head = "INSERT INTO task (id, project_id, entity_id, task_type_id, status_id, "
                         "retake_count, priority, estimate, start_date, due_date, created_by, "
                         "created_at, updated_at) VALUES ",
                 .tuple = "(?, ?, ?, ?, ?, ?, ?, CAST(? AS INTEGER), ?, ?, ?, ?, ?)",
                 .nparams = 13};
    im->bassign = (ibatch){.head = "INSERT INTO task_assignee (task_id, user_id) VALUES ",
                           .tuple = "(?, ?)",
                           .nparams = 2};
}

static const char *num_text(imp *im, bool has, int64_t v)
{
    return has ? ms_arena_printf(im->r->arena, "%lld", (long long)v) : NULL;
}

static int ent_insert(imp *im, int type, size_t parent, const char *name, const char *desc,
                      bool has_in, int64_t fin, bool has_out, int64_t fout, const char *fps,
                      const char *fields, int64_t position, size_t *out)
{
    ient *e = ent_add(im);
    if (!e) return oom(im);
    char id[MS_ID_LEN];
    ms_uuid7(id);
    e->id = ms_arena_strdup(im->r->arena, id);
    e->type = type;
    e->parent = parent;
    e->name = ms_arena_strdup(im->r->arena, name);
    e->desc = ms_arena_strdup(im->r->arena, desc ? desc : "");
    e->has_in = has_in;
    e->fin = fin;
    e->has_out = has_out;
    e->fout = fout;
    e->fps = fps ? ms_arena_strdup(im->r->arena, fps) : NULL;
    e->fields = ms_arena_strdup(im->r->arena, fields ? fields : "{}");
    size_t idx = im->nents - 1;
    if (!e->id || !e->name || !io_map_put(&im->ent_id, e->id, idx) ||
        !io_map_put(&im->ent_key, ent_key(im, type, parent, e->name), idx))
        return oom(im);
    e->gen = im->gen;
    db_arg v[] = {DB_ARG_S(e->id),
                  DB_ARG_S(im->s.project_id),
                  DB_ARG_S(im->types[type].id),
                  DB_ARG_S(parent == NONE ? NULL : im->ents[parent].id),
                  DB_ARG_S(e->name),
                  DB_ARG_S(e->desc),
                  DB_ARG_S(num_text(im, has_in, fin)),
                  DB_ARG_S(num_text(im, has_out, fout)),
                  DB_ARG_S(e->fps),
                  DB_ARG_S(e->fields),
                  DB_ARG_I(position),
                  DB_ARG_S(im->s.user_id),
                  DB_ARG_S(im->now),
                  DB_ARG_S(im->now)};
    int rc = batch_push(im, &im->bents, v);
    if (rc) return rc;
    *out = idx;
    return 0;
}

static int ent_update(imp *im, size_t i)
{
    ient *e = &im->ents[i];
    if (e->gen == im->gen) {
        int rc = batch_flush_all(im);
        if (rc) return rc;
    }
    char in[24], outs[24];
    snprintf(in, sizeof in, "%lld", (long long)e->fin);
    snprintf(outs, sizeof outs, "%lld", (long long)e->fout);
    int rc =
        db_exec(im->r->db, &im->r->err,
                "UPDATE entity SET description = ?, frame_in = CAST(? AS INTEGER), "
                "frame_out = CAST(? AS INTEGER), fps = ?, fields = ?, updated_at = ?, "
                "version = version + 1 WHERE id = ?",
                "sssssss", e->desc ? e->desc : "", e->has_in ? in : NULL, e->has_out ? outs : NULL,
                e->fps, e->fields ? e->fields : "{}", im->now, e->id);
    return rc < 0 ? rc : 0;
}

/* Replace the assignees of a task (a new one: only queue them). */
static int assignees_write(imp *im, itask *t, const char *ids, bool fresh)
{
    int rc;
    if (!fresh) {
        if (t->gen == im->gen && (rc = batch_flush_all(im))) return rc;
        rc = db_exec(im->r->db, &im->r->err, "DELETE FROM task_assignee WHERE task_id = ?", "s",
                     t->id);
        if (rc < 0) return rc;
    }
    char *copy = ms_arena_strdup(im->r->arena, ids);
    char *save = NULL;
    for (char *u = strtok_r(copy, ",", &save); u; u = strtok_r(NULL, ",", &save)) {
        db_arg v[] = {DB_ARG_S(t->id), DB_ARG_S(u)};
        if ((rc = batch_push(im, &im->bassign, v))) return rc;
    }
    t->assignees = ms_arena_strdup(im->r->arena, ids);
    return 0;
}

/* Create or change the task (ent, tt): status (-1 keeps it, or the default for a new task),
 * assignees (NULL keeps them); a new task takes its planning (priority, estimate, dates) from
 * `plan` when given. *changed says whether anything was written. */
static int task_put(imp *im, size_t ent, int tt, int status, const char *assignees,
                    const itask *plan, size_t *out, bool *changed, bool *made)
{
    size_t i;
    *changed = *made = false;
    if (!io_map_get(&im->task_key, task_key(im, ent, tt), &i)) {
        itask *t = task_add(im);
        if (!t) return oom(im);
        char id[MS_ID_LEN];
        ms_uuid7(id);
        t->id = ms_arena_strdup(im->r->arena, id);
        t->ent = ent;
        t->tt = tt;
        t->status = status >= 0 ? status : im->default_status;
        i = im->ntasks - 1;
        if (!t->id || !io_map_put(&im->task_key, task_key(im, ent, tt), i) ||
            !io_map_put(&im->task_id, t->id, i))
            return oom(im);
        if (plan) {
            t->priority = plan->priority;
            t->has_estimate = plan->has_estimate;
            t->estimate = plan->estimate;
            t->start = plan->start;
            t->due = plan->due;
        }
        t->gen = im->gen;
        bool retake = im->sts[t->status].is_retake && t->status != im->default_status;
        db_arg v[] = {DB_ARG_S(t->id),
                      DB_ARG_S(im->s.project_id),
                      DB_ARG_S(im->ents[ent].id),
                      DB_ARG_S(im->tts[tt].id),
                      DB_ARG_S(im->sts[t->status].id),
                      DB_ARG_I(retake ? 1 : 0),
                      DB_ARG_I(t->priority),
                      DB_ARG_S(num_text(im, t->has_estimate, t->estimate)),
                      DB_ARG_S(t->start),
                      DB_ARG_S(t->due),
                      DB_ARG_S(im->s.user_id),
                      DB_ARG_S(im->now),
                      DB_ARG_S(im->now)};
        int rc = batch_push(im, &im->btasks, v);
        if (rc) return rc;
        if (assignees && (rc = assignees_write(im, t, assignees, true))) return rc;
        *changed = *made = true;
        im->tasks_created++;
        *out = i;
        return 0;
    }
    itask *t = &im->tasks[i];
    *out = i;
    if (t->gen == im->gen && ((status >= 0 && status != t->status) || assignees)) {
        int rc = batch_flush_all(im);
        if (rc) return rc;
    }
    if (status >= 0 && status != t->status) {
        int rc =
            db_exec(im->r->db, &im->r->err,
                    "UPDATE task SET status_id = ?, retake_count = retake_count + ?, "
                    "updated_at = ?, version = version + 1 WHERE id = ?",
                    "siss", im->sts[status].id, im->sts[status].is_retake ? 1 : 0, im->now, t->id);
        if (rc < 0) return rc;
        t->status = status;
        *changed = true;
    }
    if (assignees && (!t->assignees || strcmp(assignees, t->assignees))) {
        int rc = assignees_write(im, t, assignees, false);
        if (rc) return rc;
        *changed = true;
    }
    return 0;
}

/* ---- Rows of entity files. ---- */

static int parent_col(const char *kind)
{
    return !strcmp(kind, "episode") ? K_EPISODE : !strcmp(kind, "sequence") ? K_SEQUENCE : -1;
}

/* The parent of an entity of type `type` named by the row's Episode and Sequence cells. With
 * `create`, missing parents are created (the row is known to be good); without, *pending says
 * that one would be. Returns false after reporting a bad cell. */
static bool chain(imp *im, int type, bool create, size_t *parent, bool *pending, int *err)
{
    *parent = NONE;
    *pending = false;
    ityp *t = &im->types[type];
    if (t->parent < 0) return true;
    ityp *p = &im->types[t->parent];
    int k = parent_col(p->kind);
    const char *s;
    size_t n;
    if (k < 0) {
        CELL_ERR(im, NULL, "a %s sits under a %s, which a CSV file cannot name", t->name, p->name);
        return false;
    }
    if (!cell(im, k, &s, &n)) {
        CELL_ERR(im, im->colname[k] ? im->colname[k] : (k == K_EPISODE ? "Episode" : "Sequence"),
                 "a %s needs its %s", t->name, p->name);
        return false;
    }
    size_t gp;
    bool gp_pending;
    if (!chain(im, t->parent, create, &gp, &gp_pending, err)) return false;
    char *name = name_cell(im, s, n, cname(im, k));
    if (!name) return false;
    size_t i;
    if (!gp_pending && io_map_get(&im->ent_key, ent_key(im, t->parent, gp, name), &i)) {
        *parent = i;
        return true;
    }
    if (!create) {
        *pending = true;
        return true;
    }
    int rc = ent_insert(im, t->parent, gp, name, "", false, 0, false, 0, NULL, NULL, 0, parent);
    if (rc) {
        *err = rc;
        return false;
    }
    im->parents_created++;
    return true;
}

/* The entity type of a row: the Type column by name, else the first type of the file's kind. */
static int row_type(imp *im)
{
    const char *s;
    size_t n;
    if (cell(im, K_TYPE, &s, &n)) {
        size_t i;
        char *l = io_lower(im->r->arena, s, n);
        if (l && io_map_get(&im->type_name, l, &i) &&
            (!im->ekind || !strcmp(im->types[i].kind, im->ekind)))
            return (int)i;
        CELL_ERR(im, cname(im, K_TYPE), "\"%.60s\" is not %s type of this project",
                 ms_arena_strndup(im->r->arena, s, n), im->ekind ? im->ekind : "an entity");
        return -1;
    }
    for (int i = 0; i < im->ntypes; i++)
        if (!strcmp(im->types[i].kind, im->ekind)) return i;
    CELL_ERR(im, NULL, "the project has no %s type: set up production first", im->ekind);
    return -1;
}

/* A custom field cell as the JSON value its definition asks for, or NULL (error reported). */
static json_t *field_value(imp *im, const ifield *f, const char *s, size_t n)
{
    char msg[MS_CSV_MSG_MAX];
    char *v = ms_arena_strndup(im->r->arena, s, n);
    if (!strcmp(f->type, "text")) {
        if (ms_utf8_chars(v) > 2000 || !ms_str_is_clean_text(v, 8000, true)) {
            CELL_ERR(im, f->label, "must be text of at most 2000 characters");
            return NULL;
        }
        return json_string(v);
    }
    if (!strcmp(f->type, "number")) {
        int64_t i;
        if (!ms_csv_cell_int(s, n, -9007199254740991LL, 9007199254740991LL, &i, NULL))
            return json_integer(i);
        int64_t fixed;
        if (!ms_csv_cell_decimal(s, n, 6, false, &fixed, msg))
            return json_real((double)fixed / 1e6);
        CELL_ERR(im, f->label, "must be a number, got \"%.40s\"", v);
        return NULL;
    }
    if (!strcmp(f->type, "date")) {
        if (ms_csv_cell_date(s, n, NULL, msg)) {
            CELL_ERR(im, f->label, "%s", msg);
            return NULL;
        }
        return json_string(v);
    }
    if (!strcmp(f->type, "bool")) {
        bool b;
        if (ms_csv_cell_bool(s, n, &b, msg)) {
            CELL_ERR(im, f->label, "%s", msg);
            return NULL;
        }
        return json_boolean(b);
    }
    bool many = !strcmp(f->type, "choices");
    json_t *picked = json_array();
    char *save = NULL;
    for (char *tok = many ? strtok_r(v, ",", &save) : v; tok;
         tok = many ? strtok_r(NULL, ",", &save) : NULL) {
        while (*tok == ' ')
            tok++;
        size_t len = strlen(tok);
        while (len && tok[len - 1] == ' ')
            tok[--len] = 0;
        if (!len) continue;
        const char *match = NULL;
        size_t k;
        json_t *c;
        json_array_foreach(f->choices, k, c)
        {
            const char *cs = json_string_value(c);
            if (cs && ms_csv_name_eq(cs, strlen(cs), tok, len)) match = cs;
        }
        if (!match) {
            CELL_ERR(im, f->label, "\"%.40s\" is not one of its choices", tok);
            json_decref(picked);
            return NULL;
        }
        json_array_append_new(picked, json_string(match));
    }
    if (many) return picked;
    json_t *one = json_incref(json_array_get(picked, 0));
    json_decref(picked);
    return one;
}

static int entity_row(imp *im)
{
    int err = 0;
    const char *s;
    size_t n;
    int type = row_type(im);
    char *name = NULL;
    if (cell(im, K_NAME, &s, &n))
        name = name_cell(im, s, n, cname(im, K_NAME));
    else
        CELL_ERR(im, cname(im, K_NAME), "a row needs a name");
    size_t parent = NONE, idx = NONE;
    bool pending = false;
    if (type >= 0 && !chain(im, type, false, &parent, &pending, &err) && err) return err;
    if (type >= 0 && name && !pending && !im->row_errors &&
        io_map_get(&im->ent_key, ent_key(im, type, parent, name), &idx) && im->ents[idx].seen_row) {
        CELL_ERR(im, cname(im, K_NAME), "%s is in row %zu already", name, im->ents[idx].seen_row);
        idx = NONE;
    }
    ient *cur = idx != NONE ? &im->ents[idx] : NULL;
    /* Description. */
    char *desc = NULL;
    if (cell(im, K_DESC, &s, &n)) {
        desc = ms_arena_strndup(im->r->arena, s, n);
        if (ms_utf8_chars(desc) > 10000 || !ms_str_is_clean_text(desc, 40000, true)) {
            CELL_ERR(im, cname(im, K_DESC), "must be text of at most 10000 characters");
            desc = NULL;
        }
    }
    /* Frame range. */
    bool hin, hout, hnb;
    int64_t fin = 0, fout = 0, nb = 0;
    bool fok = int_cell(im, K_IN, 0, 100000000, &hin, &fin);
    fok &= int_cell(im, K_OUT, 0, 100000000, &hout, &fout);
    fok &= int_cell(im, K_NB, 1, 100000001, &hnb, &nb);
    bool in_set = hin || (cur && cur->has_in), out_set = hout || (cur && cur->has_out);
    if (!hin && cur) fin = cur->fin;
    if (fok && hnb) {
        if (!in_set) {
            CELL_ERR(im, cname(im, K_NB), "needs a Frame In to place the frames");
            fok = false;
        } else if (hout && fout - fin + 1 != nb) {
            CELL_ERR(im, cname(im, K_NB),
                     "is %lld but Frame In %lld to Frame Out %lld holds %lld frames", (long long)nb,
                     (long long)fin, (long long)fout, (long long)(fout - fin + 1));
            fok = false;
        } else {
            fout = fin + nb - 1;
            hout = out_set = true;
        }
    }
    if (!hout && cur) fout = cur->fout;
    if (fok && in_set && out_set && fout < fin) {
        CELL_ERR(im, hout ? cname(im, K_OUT) : cname(im, K_IN),
                 "Frame Out %lld is before Frame "
                 "In %lld",
                 (long long)fout, (long long)fin);
    }
    /* FPS. */
    char fps[24] = "";
    if (cell(im, K_FPS, &s, &n)) {
        char *v = ms_arena_strndup(im->r->arena, s, n);
        ms_rate rate;
        ms_error e;
        ms_error_clear(&e);
        char txt[40];
        if (ms_rate_parse(v, &rate, &e) == 0) {
            if (rate.den == 1)
                snprintf(txt, sizeof txt, "%d", (int)rate.num);
            else
                snprintf(txt, sizeof txt, "%d/%d", (int)rate.num, (int)rate.den);
        }
        if (e.code || !prod_fps_valid(txt, fps))
            CELL_ERR(im, cname(im, K_FPS),
                     "must be a frame rate like 24, 25, 23.976 or "
                     "24000/1001, got \"%.30s\"",
                     v);
    }
    /* Custom fields. */
    json_t *set = NULL;
    for (int i = 0; i < im->nfields; i++) {
        if (!cell_at(im, im->field_col[i], &s, &n)) continue;
        ifield *f = &im->fields[i];
        if (type >= 0 && f->type_id && strcmp(f->type_id, im->types[type].id)) {
            CELL_ERR(im, f->label, "is not a field of %s", im->types[type].name);
            continue;
        }
        json_t *v = field_value(im, f, s, n);
        if (!v) continue;
        if (!set) set = json_object();
        json_object_set_new(set, f->key, v);
    }
    /* Task columns. */
    int *tst = NULL;
    char **tas = NULL;
    if (im->ntts) {
        tst = ms_arena_alloc(im->r->arena, (size_t)im->ntts * sizeof *tst);
        tas = ms_arena_alloc(im->r->arena, (size_t)im->ntts * sizeof *tas);
        if (!tst || !tas) {
            json_decref(set);
            return oom(im);
        }
    }
    for (int i = 0; i < im->ntts; i++) {
        tst[i] = -1;
        tas[i] = NULL;
        if (im->tt_col[i] < 0 && im->tta_col[i] < 0) continue;
        size_t ti;
        itask *t =
            cur && io_map_get(&im->task_key, task_key(im, idx, i), &ti) ? &im->tasks[ti] : NULL;
        if (cell_at(im, im->tt_col[i], &s, &n)) {
            const char *column = im->tts[i].name;
            int st = status_find(im, s, n);
            if (st < 0)
                CELL_ERR(im, column, "\"%.40s\" is not a status of this project",
                         ms_arena_strndup(im->r->arena, s, n));
            else if (!status_ok(im, st, t ? t->status : -1))
                CELL_ERR(im, column, "your role (%s) may not set the status \"%s\"", im->s.role,
                         im->sts[st].name);
            else
                tst[i] = st;
        }
        if (im->tta_col[i] >= 0)
            assignees_cell(im, im->tta_col[i],
                           ms_arena_printf(im->r->arena, "%s Assignees", im->tts[i].name), &tas[i]);
    }
    if (im->row_errors || type < 0 || !name) {
        json_decref(set);
        im->bad_rows++;
        return 0;
    }
    /* Apply. */
    bool changed = false;
    int rc = 0;
    if (!cur) {
        if (!chain(im, type, true, &parent, &pending, &err)) {
            json_decref(set);
            return err ? err : ms_req_fail(im->r, MS_EINTERNAL, NULL, "import: parent lost");
        }
        char *ftext = set ? json_dumps(set, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
        rc = ent_insert(im, type, parent, name, desc, in_set, fin, out_set, fout,
                        fps[0] ? fps : NULL, ftext, im->position, &idx);
        free(ftext);
        json_decref(set);
        if (rc) return rc;
        im->created++;
    } else {
        ient *e = cur;
        if (desc && strcmp(desc, e->desc ? e->desc : "")) {
            e->desc = desc;
            changed = true;
        }
        if ((hin && (!e->has_in || e->fin != fin)) || (hout && (!e->has_out || e->fout != fout))) {
            e->has_in = in_set;
            e->fin = fin;
            e->has_out = out_set;
            e->fout = fout;
            changed = true;
        }
        if (fps[0] && (!e->fps || strcmp(e->fps, fps))) {
            e->fps = ms_arena_strdup(im->r->arena, fps);
            changed = true;
        }
        if (set) {
            json_t *all = json_loads(e->fields ? e->fields : "{}", 0, NULL);
            if (!all) all = json_object();
            json_t *before = json_deep_copy(all);
            json_object_update(all, set);
            if (!json_equal(before, all)) {
                char *t = json_dumps(all, JSON_COMPACT | JSON_SORT_KEYS);
                e->fields = t ? ms_arena_strdup(im->r->arena, t) : e->fields;
                free(t);
                changed = true;
            }
            json_decref(before);
            json_decref(all);
            json_decref(set);
        }
        if (changed && (rc = ent_update(im, idx))) return rc;
    }
    im->ents[idx].seen_row = im->rec->row;
    for (int i = 0; i < im->ntts; i++) {
        if (tst[i] < 0 && !tas[i]) continue;
        size_t ti;
        bool tch, made;
        if ((rc = task_put(im, idx, i, tst[i], tas[i], NULL, &ti, &tch, &made))) return rc;
        if (tch && !made) im->tasks_updated++;
        changed |= tch;
    }
    if (cur) {
        if (changed)
            im->updated++;
        else
            im->unchanged++;
    }
    return 0;
}

/* ---- Rows of task files. ---- */

/* The entity a task row names: by Entity Type when given, else the one type whose entity of
 * that name sits under the row's Episode and Sequence. */
static size_t task_entity(imp *im)
{
    const char *s;
    size_t n;
    if (!cell(im, K_ENTITY, &s, &n)) {
        CELL_ERR(im, cname(im, K_ENTITY), "a task row needs its entity");
        return NONE;
    }
    char *name = name_cell(im, s, n, cname(im, K_ENTITY));
    if (!name) return NONE;
    int only = -1;
    if (cell(im, K_TYPE, &s, &n)) {
        only = row_type(im);
        if (only < 0) return NONE;
    }
    size_t found = NONE;
    int matches = 0, err = 0;
    int before = im->row_errors;
    for (int t = 0; t < im->ntypes; t++) {
        if (only >= 0 && t != only) continue;
        size_t parent, i;
        bool pending;
        if (only < 0) {
            /* Try quietly: a type whose parents this row does not name is not the one. */
            int saved = im->row_errors;
            int64_t saved_total = im->errors_total;
            size_t saved_shown = json_array_size(im->errors);
            bool ok = chain(im, t, false, &parent, &pending, &err);
            im->row_errors = saved;
            im->errors_total = saved_total;
            while (json_array_size(im->errors) > saved_shown)
                json_array_remove(im->errors, json_array_size(im->errors) - 1);
            if (!ok) continue;
        } else if (!chain(im, t, false, &parent, &pending, &err)) {
            return NONE;
        }
        if (pending) continue;
        if (io_map_get(&im->ent_key, ent_key(im, t, parent, name), &i)) {
            found = i;
            matches++;
        }
    }
    if (im->row_errors > before) return NONE;
    if (matches == 1) return found;
    if (matches > 1)
        CELL_ERR(im, cname(im, K_ENTITY),
                 "several entities are named %s: add an Entity Type "
                 "column",
                 name);
    else
        CELL_ERR(im, cname(im, K_ENTITY), "there is no %s named %s%s",
                 only >= 0 ? im->types[only].name : "entity", name,
                 im->col[K_SEQUENCE] >= 0 || im->col[K_EPISODE] >= 0
                     ? " under this row's episode and sequence"
                     : "");
    return NONE;
}

static int task_row(imp *im)
{
    const char *s;
    size_t n;
    size_t ent = task_entity(im);
    int tt = -1;
    if (cell(im, K_TASK_TYPE, &s, &n)) {
        size_t i;
        char *l = io_lower(im->r->arena, s, n);
        if (l && io_map_get(&im->tt_name, l, &i))
            tt = (int)i;
        else
            CELL_ERR(im, cname(im, K_TASK_TYPE), "\"%.60s\" is not a task type of this project",
                     ms_arena_strndup(im->r->arena, s, n));
    } else {
        CELL_ERR(im, cname(im, K_TASK_TYPE), "a task row needs its task type");
    }
    itask *t = NULL;
    if (ent != NONE && tt >= 0) {
        const char *ek = im->types[im->ents[ent].type].kind;
        size_t ti;
        if (strcmp(im->tts[tt].kind, ek)) {
            CELL_ERR(im, cname(im, K_TASK_TYPE), "%s is a task type for %s entities, not %s",
                     im->tts[tt].name, im->tts[tt].kind, ek);
        } else if (io_map_get(&im->task_key, task_key(im, ent, tt), &ti)) {
            t = &im->tasks[ti];
            if (t->seen_row) {
                CELL_ERR(im, cname(im, K_TASK_TYPE), "this %s task of %s is in row %zu already",
                         im->tts[tt].name, im->ents[ent].name, t->seen_row);
                t = NULL;
            }
        }
    }
    int st = -1;
    if (cell(im, K_STATUS, &s, &n)) {
        st = status_find(im, s, n);
        if (st < 0) {
            CELL_ERR(im, cname(im, K_STATUS), "\"%.40s\" is not a status of this project",
                     ms_arena_strndup(im->r->arena, s, n));
        } else if (!status_ok(im, st, t ? t->status : -1)) {
            CELL_ERR(im, cname(im, K_STATUS), "your role (%s) may not set the status \"%s\"",
                     im->s.role, im->sts[st].name);
            st = -1;
        }
    }
    char *who = NULL;
    assignees_cell(im, im->col[K_ASSIGNEES], cname(im, K_ASSIGNEES), &who);
    bool hp, he;
    int64_t prio = 0, est = 0;
    int_cell(im, K_PRIORITY, 0, 3, &hp, &prio);
    int_cell(im, K_ESTIMATE, 0, 10000000, &he, &est);
    bool bad_date = false;
    char *start = date_cell(im, K_START, &bad_date), *due = date_cell(im, K_DUE, &bad_date);
    const char *s2 = start ? start : t ? t->start : NULL, *d2 = due ? due : t ? t->due : NULL;
    if (!bad_date && s2 && d2 && strcmp(d2, s2) < 0)
        CELL_ERR(im, due ? cname(im, K_DUE) : cname(im, K_START),
                 "the due date %s is before the start date %s", d2, s2);
    if (im->row_errors || ent == NONE || tt < 0) {
        im->bad_rows++;
        return 0;
    }
    size_t ti;
    bool changed, made;
    itask plan = {
        .priority = hp ? prio : 0, .has_estimate = he, .estimate = est, .start = start, .due = due};
    int rc = task_put(im, ent, tt, st, who, &plan, &ti, &changed, &made);
    if (rc) return rc;
    itask *w = &im->tasks[ti];
    w->seen_row = im->rec->row;
    bool replan =
        !made && ((hp && prio != w->priority) || (he && (!w->has_estimate || est != w->estimate)) ||
                  (start && (!w->start || strcmp(start, w->start))) ||
                  (due && (!w->due || strcmp(due, w->due))));
    if (replan) {
        if (w->gen == im->gen && (rc = batch_flush_all(im))) return rc;
        if (hp) w->priority = prio;
        if (he) {
            w->has_estimate = true;
            w->estimate = est;
        }
        if (start) w->start = start;
        if (due) w->due = due;
        char es[24];
        snprintf(es, sizeof es, "%lld", (long long)w->estimate);
        rc = db_exec(im->r->db, &im->r->err,
                     "UPDATE task SET priority = ?, estimate = CAST(? AS INTEGER), start_date = "
                     "?, due_date = ?, updated_at = ?, version = version + 1 WHERE id = ?",
                     "Isssss", w->priority, w->has_estimate ? es : NULL, w->start, w->due, im->now,
                     w->id);
        if (rc < 0) return rc;
        changed = true;
    }
    if (made)
        im->created++;
    else if (changed)
        im->updated++, im->tasks_updated++;
    else
        im->unchanged++;
    return 0;
}

static int on_record(void *ctx, const ms_csv_record *rec, ms_error *e)
{
    imp *im = ctx;
    if (rec->index == 0) return header_read(im, rec, e);
    im->rec = rec;
    im->row_errors = 0;
    im->rows++;
    int rc = im->kind == IO_TASKS ? task_row(im) : entity_row(im);
    if (rc) {
        *e = im->r->err;
        return rc;
    }
    return 0;
}

/* ---- The answer. ---- */

static void imp_free(imp *im)
{
    for (int i = 0; i < im->nfields; i++)
        json_decref(im->fields[i].choices);
    free(im->types);
    free(im->tts);
    free(im->sts);
    free(im->fields);
    free(im->ents);
    free(im->tasks);
    free(im->users);
    free(im->cols);
    free(im->sem);
    free(im->arg);
    free(im->field_col);
    free(im->tt_col);
    free(im->tta_col);
    ms_csv_map_free(&im->map);
    free(im->bents.args);
    free(im->btasks.args);
    free(im->bassign.args);
    io_map *maps[] = {&im->ent_key, &im->ent_id,  &im->task_key,  &im->task_id,
                      &im->st_name, &im->tt_name, &im->type_name, &im->user_email};
    for (size_t i = 0; i < sizeof maps / sizeof maps[0]; i++)
        io_map_free(maps[i]);
    json_decref(im->errors);
    json_decref(im->ignored);
}

/* Undo everything the import wrote: the request's transaction is rolled back and a new, empty
 * one begun, which the server then commits with nothing in it. (A savepoint around the import
 * would do the same, but makes every write of a large import several times slower on SQLite,
 * which journals each page a statement touches under an open savepoint.) Before the handler
 * ran, the request's transaction held only reads (authorization, idempotency lookup). */
static int undo(imp *im)
{
    db_rollback(im->r->db);
    return db_begin(im->r->db, DB_TX_WRITE, &im->r->err);
}

/* End the import: roll back what was done for a dry run or an atomic import with errors, else
 * keep it and record one event; answer {created, updated, unchanged, errors, ...}. */
static int finish(imp *im, const char *what, bool atomic, bool dry)
{
    ms_req *r = im->r;
    bool failed = atomic && !dry && im->errors_total > 0;
    int rc = batch_flush_all(im);
    if (!rc && (dry || failed)) rc = undo(im);
    if (rc) return rc;
    json_t *out = json_object();
    int64_t z = failed ? 0 : 1;
    json_object_set_new(out, "kind", json_string(what));
    json_object_set_new(out, "created", json_integer(im->created * z));
    json_object_set_new(out, "updated", json_integer(im->updated * z));
    json_object_set_new(out, "unchanged", json_integer(im->unchanged * z));
    json_object_set_new(out, "rows", json_integer(im->rows));
    json_object_set_new(out, "bad_rows", json_integer(im->bad_rows));
    json_object_set_new(out, "parents_created", json_integer(im->parents_created * z));
    json_object_set_new(out, "tasks_created", json_integer(im->tasks_created * z));
    json_object_set_new(out, "tasks_updated", json_integer(im->tasks_updated * z));
    if (im->kind != IO_TASKS) json_object_set_new(out, "skipped", json_integer(im->skipped));
    json_object_set_new(out, "dry_run", json_boolean(dry));
    json_object_set_new(out, "atomic", json_boolean(atomic));
    json_object_set(out, "ignored_columns", im->ignored);
    json_object_set(out, "errors", im->errors);
    json_object_set_new(out, "more_errors",
                        json_integer(im->errors_total - (int64_t)json_array_size(im->errors)));
    if (failed) {
        /* A problem document that is also the import's answer: every row error is listed
         * (the problem's `errors` carry row, line, column and message besides `field`). */
        json_object_set_new(out, "type", json_string("urn:mstation:problem:validation"));
        json_object_set_new(out, "title", json_string("The file has errors"));
        json_object_set_new(out, "status", json_integer(422));
        json_object_set_new(
            out, "detail",
            json_string(ms_arena_printf(r->arena,
                                        "%lld of %lld rows have errors (%lld in all); nothing was "
                                        "imported. Fix them, or import with atomic=false to take "
                                        "the good rows.",
                                        (long long)im->bad_rows, (long long)im->rows,
                                        (long long)im->errors_total)));
        json_object_set_new(out, "request_id", json_string(r->request_id ? r->request_id : ""));
        char *t = json_dumps(out, JSON_COMPACT);
        json_decref(out);
        if (!t) return ms_req_fail(r, MS_ENOMEM, NULL, "out of memory");
        ms_buf_puts(&r->out, t);
        free(t);
        r->status = 422;
        r->out_type = "application/problem+json";
        return 0;
    }
    /* PostgreSQL plans from statistics that autovacuum refreshes some time after a commit:
     * right after a large import they still describe the small tables of before, and the next
     * queries (an export, the grid) can get nested loops over whole tables. Refresh them now
     * (ANALYZE in a transaction sees its own rows). SQLite plans from its indexes alone. */
    if (!dry && im->created + im->tasks_created + im->parents_created >= 1000 &&
        !strcmp(db_conn_engine(r->db), "postgres") &&
        (rc =
             db_exec_script(r->db, "ANALYZE entity; ANALYZE task; ANALYZE task_assignee", &r->err)))
        return rc;
    if (!dry && (im->created || im->updated || im->parents_created)) {
        json_t *data = json_pack(
            "{s:s,s:I,s:I,s:I,s:I,s:I,s:I}", "kind", what, "created", (json_int_t)im->created,
            "updated", (json_int_t)im->updated, "unchanged", (json_int_t)im->unchanged, "errors",
            (json_int_t)im->errors_total, "tasks_created", (json_int_t)im->tasks_created,
            "tasks_updated", (json_int_t)im->tasks_updated);
        rc = prod_event(r, &im->s, "production.imported", "project", im->s.project_id, data,
                        "%s import: %lld created, %lld updated, %lld unchanged, %lld bad rows",
                        what, (long long)im->created, (long long)im->updated,
                        (long long)im->unchanged, (long long)im->bad_rows);
        json_decref(data);
        if (rc) {
            json_decref(out);
            return rc;
        }
    }
    return ms_reply(r, 200, out);
}

/* Common start: options, scope (an artist at least), the vocabulary and the entities. */
static int imp_start(imp *im, ms_req *r, int kind, bool *atomic, bool *dry)
{
    memset(im, 0, sizeof *im);
    im->r = r;
    im->kind = kind;
    im->ekind = io_kind_entity_kind(kind);
    im->errors = json_array();
    im->ignored = json_array();
    batches_init(im);
    ms_now_str(im->now);
    int rc;
    if ((rc = ms_req_query_bool(r, "atomic", true, atomic)) ||
        (rc = ms_req_query_bool(r, "dry_run", false, dry)))
        return rc;
    if ((rc = prod_scope_get(r, ms_req_param(r, "id"), &im->s)) ||
        (rc = prod_require(r, &im->s, PROD_ARTIST, "import entities and tasks")))
        return rc;
    return (rc = load_vocabulary(im)) ? rc : load_entities(im);
}

/* POST /projects/{id}/import/{kind}?atomic=&dry_run= with the CSV as the body. */
int h_io_import(ms_req *r)
{
    static const char *const allowed[] = {"atomic", "dry_run", NULL};
    int rc = ms_req_query_only(r, allowed);
    if (rc) return rc;
    const char *k = ms_req_param(r, "kind");
    int kind = io_kind_parse(k, strlen(k));
    if (kind < 0)
        return ms_req_fail(r, MS_ENOTFOUND, NULL,
                           "Imports are episodes, sequences, shots, assets, tasks and edl.");
    imp im;
    bool atomic, dry;
    if ((rc = imp_start(&im, r, kind, &atomic, &dry))) goto out;
    size_t len;
    const char *body = ms_req_body_text(r, &len);
    if (len == 0) {
        rc = ms_req_fail(r, MS_EINVAL, "invalid-csv",
                         "The file is empty: send the CSV as the "
                         "request body.");
        goto out;
    }
    if ((rc = columns_build(&im))) goto out;
    ms_csv_read_info info;
    ms_error e;
    ms_error_clear(&e);
    rc = ms_csv_read(body, len, NULL, on_record, &im, &info, &e);
    if (!rc && info.records == 0)
        rc = ms_fail(&e, MS_EINVAL, "invalid-csv", "The file has no header row.");
    if (rc) {
        r->err = e;
        if (rc == MS_EINVAL && !r->err.type[0])
            ms_strlcpy(r->err.type, "validation", sizeof r->err.type);
        goto out;
    }
    rc = finish(&im, io_kind_name(kind), atomic, dry);
out:
    imp_free(&im);
    return rc;
}

/* ---- EDL. ---- */

/* A shot's name from an event: its first locator's name, else the clip name (the incoming
 * clip's for a transition) without its file extension. NULL when the event has neither. */
static char *edl_shot_name(imp *im, const edl_event *ev)
{
    for (size_t i = 0; i < ev->nmarkers; i++)
        if (ev->markers[i].name && ev->markers[i].name[0])
            return ms_arena_strdup(im->r->arena, ev->markers[i].name);
    const char *clip = ev->has_from && ev->to_clip_name ? ev->to_clip_name : ev->clip_name;
    if (!clip || !clip[0]) return NULL;
    char *name = ms_arena_strdup(im->r->arena, clip);
    char *dot = strrchr(name, '.');
    if (dot && dot != name && strlen(dot) >= 2 && strlen(dot) <= 5) {
        bool ext = true;
        for (const char *p = dot + 1; *p; p++)
            ext &= (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9');
        if (ext) *dot = 0;
    }
    return name;
}

/* POST /projects/{id}/import/edl?parent_id=&fps=&atomic=&dry_run= with the EDL as the body. */
int h_io_import_edl(ms_req *r)
{
    static const char *const allowed[] = {"parent_id", "fps", "atomic", "dry_run", NULL};
    int rc = ms_req_query_only(r, allowed);
    if (rc) return rc;
    imp im;
    bool atomic, dry;
    edl_list *list = NULL;
    if ((rc = imp_start(&im, r, IO_SHOTS, &atomic, &dry))) goto out;
    const char *pid = ms_req_query(r, "parent_id");
    size_t parent;
    if (!pid) {
        rc = ms_field_fail(&r->err, "parent_id", "is required: the sequence the shots go under");
        goto out;
    }
    if (!io_map_get(&im.ent_id, pid, &parent)) {
        rc = ms_field_fail(&r->err, "parent_id", "is not an entity of this project");
        goto out;
    }
    int type = -1;
    for (int i = 0; i < im.ntypes && type < 0; i++)
        if (!strcmp(im.types[i].kind, "shot") && im.types[i].parent == im.ents[parent].type)
            type = i;
    if (type < 0) {
        rc =
            ms_field_fail(&r->err, "parent_id", "is a %s, and no shot type sits under a %s",
                          im.types[im.ents[parent].type].name, im.types[im.ents[parent].type].name);
        goto out;
    }
    /* The rate: fps, else the sequence's, else 24. */
    ms_rate rate = {24, 1};
    const char *fq = ms_req_query(r, "fps");
    const char *fsrc = fq ? fq : im.ents[parent].fps;
    if (fsrc) {
        ms_error e;
        ms_error_clear(&e);
        if (ms_rate_parse(fsrc, &rate, &e)) {
            rc = ms_field_fail(&r->err, "fps",
                               "must be a frame rate like 24, 25, 23.976, 29.97 or 30000/1001");
            goto out;
        }
    }
    char fps[24];
    if (rate.den == 1)
        snprintf(fps, sizeof fps, "%d", (int)rate.num);
    else
        snprintf(fps, sizeof fps, "%d/%d", (int)rate.num, (int)rate.den);
    size_t len;
    const char *body = ms_req_body_text(r, &len);
    if (len == 0) {
        rc = ms_req_fail(r, MS_EINVAL, "invalid-edl", "The EDL is empty: send it as the body.");
        goto out;
    }
    ms_error e;
    ms_error_clear(&e);
    rc = edl_parse(body, len, IO_BODY_MAX, rate, &list, &e);
    if (rc) {
        r->err = e;
        goto out;
    }
    /* The parser's line errors and the events' errors, in line order. */
    size_t le = 0;
    /* Errors past the parser's own cap are counted, not listed. */
    im.errors_total += (int64_t)(list->errors_total - list->nerrors);
    im.bad_rows += (int64_t)list->errors_total;
    io_map seen = {0};
    for (size_t k = 0; k < list->nevents; k++) {
        edl_event *ev = &list->events[k];
        for (; le < list->nerrors && list->errors[le].line < ev->line; le++)
            row_error(&im, 0, list->errors[le].line, NULL, "%s", list->errors[le].message);
        im.rows++;
        im.row_errors = 0;
        if (!(ev->clip.channels & 1) || !strcasecmp(ev->clip.reel, "BL")) {
            im.skipped++; /* sound only, or black */
            continue;
        }
        char *name = edl_shot_name(&im, ev);
        size_t prev;
        if (!name) {
            row_error(&im, ev->number, ev->line, NULL,
                      "event %u has no locator or clip name to name its shot", ev->number);
        } else if (!ms_str_is_clean_text(name, NAME_MAX_CHARS * 4, false) ||
                   ms_utf8_chars(name) > NAME_MAX_CHARS) {
            row_error(&im, ev->number, ev->line, NULL, "the shot name \"%.60s\" is too long", name);
        } else if (io_map_get(&seen, name, &prev)) {
            row_error(&im, ev->number, ev->line, NULL,
                      "the shot %s is named by event %zu (line %d) already", name,
                      (size_t)list->events[prev].number, list->events[prev].line);
        }
        int64_t fin = ev->clip.rec_in, fout = ev->clip.rec_out - 1;
        if (!im.row_errors && fout < fin)
            row_error(&im, ev->number, ev->line, NULL, "event %u has no length on the record side",
                      ev->number);
        if (!im.row_errors && fout > 100000000)
            row_error(&im, ev->number, ev->line, NULL, "the record timecodes are out of range");
        if (im.row_errors) {
            im.bad_rows++;
            continue;
        }
        io_map_put(&seen, name, k);
        im.position++;
        size_t idx;
        if (io_map_get(&im.ent_key, ent_key(&im, type, parent, name), &idx)) {
            ient *cur = &im.ents[idx];
            if (cur->has_in && cur->fin == fin && cur->has_out && cur->fout == fout && cur->fps &&
                !strcmp(cur->fps, fps)) {
                im.unchanged++;
                continue;
            }
            cur->has_in = cur->has_out = true;
            cur->fin = fin;
            cur->fout = fout;
            cur->fps = ms_arena_strdup(r->arena, fps);
            if ((rc = ent_update(&im, idx))) break;
            im.updated++;
        } else {
            if ((rc = ent_insert(&im, type, parent, name, "", true, fin, true, fout, fps, NULL,
                                 im.position, &idx)))
                break;
            im.created++;
        }
    }
    io_map_free(&seen);
    for (; le < list->nerrors; le++)
        row_error(&im, 0, list->errors[le].line, NULL, "%s", list->errors[le].message);
    im.row_errors = 0;
    if (!rc) rc = finish(&im, "edl", atomic, dry);
out:
    edl_free(list);
    imp_free(&im);
    return rc;
}
