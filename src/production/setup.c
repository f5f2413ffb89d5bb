/* setup.c: a project's production vocabulary — entity types, task types, task statuses and
 * custom fields — and the templates that fill it in one step (series, feature, micro-drama).
 * Only supervisors change it; everyone who sees the project reads it. It does not hold
 * entities or tasks (entities.c, tasks.c). */
#include "production/prod_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const entity_kinds[] = {"episode", "sequence", "shot", "asset", NULL};
static const char *const field_types[] = {"text",   "number",  "date", "bool",
                                          "choice", "choices", NULL};
static const char *const templates[] = {"series", "feature", "micro-drama", NULL};

/* ---- Templates. ---- */

typedef struct tpl_type {
    const char *name, *kind, *parent;
} tpl_type;
typedef struct tpl_task {
    const char *name, *department, *color, *for_kind;
} tpl_task;
typedef struct tpl_status {
    const char *name, *short_name, *color;
    int is_default, is_done, is_retake, is_feedback, artist, client;
} tpl_status;

static const tpl_type series_types[] = {{"Episode", "episode", NULL},
                                        {"Sequence", "sequence", "Episode"},
                                        {"Shot", "shot", "Sequence"},
                                        {"Character", "asset", NULL},
                                        {"Prop", "asset", NULL},
                                        {"Environment", "asset", NULL},
                                        {NULL, NULL, NULL}};
static const tpl_type feature_types[] = {
    {"Sequence", "sequence", NULL}, {"Shot", "shot", "Sequence"},   {"Character", "asset", NULL},
    {"Prop", "asset", NULL},        {"Environment", "asset", NULL}, {NULL, NULL, NULL}};
static const tpl_type drama_types[] = {{"Episode", "episode", NULL},
                                       {"Shot", "shot", "Episode"},
                                       {"Character", "asset", NULL},
                                       {"Location", "asset", NULL},
                                       {NULL, NULL, NULL}};

static const tpl_task animation_tasks[] = {{"Script", "Story", "#8e44ad", "episode"},
                                           {"Edit", "Editorial", "#2c3e50", "episode"},
                                           {"Storyboard", "Story", "#9b59b6", "shot"},
                                           {"Layout", "Layout", "#3498db", "shot"},
                                           {"Animation", "Animation", "#2ecc71", "shot"},
                                           {"VFX", "FX", "#e67e22", "shot"},
                                           {"Comp", "Compositing", "#e74c3c", "shot"},
                                           {"Grade", "Colour", "#f1c40f", "shot"},
                                           {"Sound", "Sound", "#1abc9c", "shot"},
                                           {"Subtitles", "Localization", "#95a5a6", "shot"},
                                           {"Concept", "Art", "#d35400", "asset"},
                                           {"Modeling", "Modeling", "#16a085", "asset"},
                                           {"Rigging", "Rigging", "#27ae60", "asset"},
                                           {"Shading", "Lookdev", "#2980b9", "asset"},
                                           {NULL, NULL, NULL, NULL}};
static const tpl_task drama_tasks[] = {{"Script", "Story", "#8e44ad", "episode"},
                                       {"Edit", "Editorial", "#2c3e50", "episode"},
                                       {"Subtitles", "Localization", "#95a5a6", "episode"},
                                       {"Shoot", "Production", "#3498db", "shot"},
                                       {"VFX", "FX", "#e67e22", "shot"},
                                       {"Grade", "Colour", "#f1c40f", "shot"},
                                       {"Sound", "Sound", "#1abc9c", "shot"},
                                       {"Casting", "Casting", "#d35400", "asset"},
                                       {"Wardrobe", "Art", "#16a085", "asset"},
                                       {NULL, NULL, NULL, NULL}};

static const tpl_status statuses[] = {{"Todo", "todo", "#95a5a6", 1, 0, 0, 0, 1, 0},
                                      {"Work in progress", "wip", "#3498db", 0, 0, 0, 0, 1, 0},
                                      {"Waiting for approval", "wfa", "#ab26ff", 0, 0, 0, 1, 1, 0},
                                      {"Retake", "retake", "#ff3860", 0, 0, 1, 0, 0, 1},
                                      {"Approved", "approved", "#22d160", 0, 1, 0, 0, 0, 1},
                                      {"Done", "done", "#00b894", 0, 1, 0, 0, 0, 0},
                                      {NULL, NULL, NULL, 0, 0, 0, 0, 0, 0}};

static int count_rows(ms_req *r, const char *table, const char *pid, int64_t *out)
{
    char sql[128];
    snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM %s WHERE project_id = ?", table);
    db_stmt *st;
    int rc = db_query_row(r->db, &st, &r->err, sql, "s", pid);
    if (rc < 0) return rc;
    *out = db_col_int(st, 0);
    db_done(st);
    return 0;
}

static int insert_entity_type(db_conn *c, ms_error *err, const char *pid, const char *name,
                              const char *kind, const char *parent, int64_t pos, char id[MS_ID_LEN])
{
    char now[MS_TIME_LEN];
    ms_now_str(now);
    ms_uuid7(id);
    int rc = db_exec(c, err,
                     "INSERT INTO entity_type (id, project_id, name, kind, parent_type_id, "
                     "position, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                     "sssssIss", id, pid, name, kind, parent, pos, now, now);
    return rc < 0 ? rc : 0;
}

static int insert_task_type(db_conn *c, ms_error *err, const char *pid, const tpl_task *t,
                            int64_t pos, char id[MS_ID_LEN])
{
    char now[MS_TIME_LEN];
    ms_now_str(now);
    ms_uuid7(id);
    int rc =
        db_exec(c, err,
                "INSERT INTO task_type (id, project_id, name, department, color, for_kind, "
                "position, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                "ssssssIss", id, pid, t->name, t->department, t->color, t->for_kind, pos, now, now);
    return rc < 0 ? rc : 0;
}

static int insert_status(db_conn *c, ms_error *err, const char *pid, const tpl_status *t,
                         int64_t pos, char id[MS_ID_LEN])
{
    char now[MS_TIME_LEN];
    ms_now_str(now);
    ms_uuid7(id);
    int rc = db_exec(c, err,
                     "INSERT INTO task_status (id, project_id, name, short_name, color, "
                     "is_default, is_done, is_retake, is_feedback_request, is_artist_allowed, "
                     "is_client_allowed, position, created_at, updated_at) "
                     "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                     "sssssiiiiiiIss", id, pid, t->name, t->short_name, t->color, t->is_default,
                     t->is_done, t->is_retake, t->is_feedback, t->artist, t->client, pos, now, now);
    return rc < 0 ? rc : 0;
}

static int reply_vocabulary(ms_req *r, int status, const char *pid);

static const ms_jfield setup_fields[] = {
    {"template", MS_J_ENUM, false, false, 0, 0, templates},
    {0},
};

int production_setup(db_conn *c, const char *project_id, const char *tpl, ms_error *err)
{
    const tpl_type *types = !strcmp(tpl, "feature")       ? feature_types
                            : !strcmp(tpl, "micro-drama") ? drama_types
                                                          : series_types;
    const tpl_task *tasks = !strcmp(tpl, "micro-drama") ? drama_tasks : animation_tasks;
    char ids[8][MS_ID_LEN];
    int rc;
    for (int i = 0; types[i].name; i++) {
        const char *parent = NULL;
        for (int k = 0; k < i && types[i].parent; k++)
            if (!strcmp(types[k].name, types[i].parent)) parent = ids[k];
        if ((rc = insert_entity_type(c, err, project_id, types[i].name, types[i].kind, parent,
                                     i + 1, ids[i])))
            return rc;
    }
    char id[MS_ID_LEN];
    for (int i = 0; tasks[i].name; i++)
        if ((rc = insert_task_type(c, err, project_id, &tasks[i], i + 1, id))) return rc;
    for (int i = 0; statuses[i].name; i++)
        if ((rc = insert_status(c, err, project_id, &statuses[i], i + 1, id))) return rc;
    return 0;
}

/* POST /projects/{id}/production/setup */
int h_prod_setup(ms_req *r)
{
    if (ms_json_check(r->body, setup_fields, &r->err)) return r->err.code;
    prod_scope s;
    int rc = prod_scope_get(r, ms_req_param(r, "id"), &s);
    if (rc || (rc = prod_require(r, &s, PROD_SUPERVISOR, "set up production"))) return rc;
    const char *tpl = ms_json_str(r->body, "template");
    if (!tpl) tpl = "series";
    int64_t have = 0;
    if ((rc = count_rows(r, "entity_type", s.project_id, &have))) return rc;
    if (have)
        return ms_req_fail(r, MS_ECONFLICT, "already-set-up",
                           "This project's production is set up already; change its types and "
                           "statuses one by one.");
    if ((rc = production_setup(r->db, s.project_id, tpl, &r->err))) return rc;
    if ((rc = prod_event(r, &s, "production.setup", "project", s.project_id, NULL,
                         "production set up (%s)", tpl)))
        return rc;
    return reply_vocabulary(r, 201, s.project_id);
}

/* ---- Lists. ---- */

static int list_json(ms_req *r, const char *sql, const char *pid, json_t **out)
{
    db_stmt *st;
    int rc = db_query(r->db, &st, &r->err, sql, "s", pid);
    if (rc) return rc;
    json_t *items = json_array();
    while (rc >= 0 && (rc = db_step(st, &r->err)) == DB_ROW)
        json_array_append_new(items, db_row_json(st));
    db_done(st);
    if (rc < 0) {
        json_decref(items);
        return rc;
    }
    *out = items;
    return 0;
}

#define ENTITY_TYPE_SQL                                                                            \
    "SELECT id, name, kind, parent_type_id, position, version FROM entity_type WHERE "             \
    "project_id = ? ORDER BY position, name"
#define TASK_TYPE_SQL                                                                              \
    "SELECT id, name, department, color, for_kind, position, version FROM task_type WHERE "        \
    "project_id = ? ORDER BY position, name"
#define STATUS_SQL                                                                                 \
    "SELECT id, name, short_name, color, is_default, is_done, is_retake, is_feedback_request, "    \
    "is_artist_allowed, is_client_allowed, position, version FROM task_status WHERE "              \
    "project_id = ? ORDER BY position, name"
#define FIELD_SQL                                                                                  \
    "SELECT id, entity_type_id, key, label, type, choices AS choices_json, position, version "     \
    "FROM entity_field WHERE project_id = ? ORDER BY position, key"

static int reply_vocabulary(ms_req *r, int status, const char *pid)
{
    static const struct {
        const char *key, *sql;
    } parts[] = {{"entity_types", ENTITY_TYPE_SQL},
                 {"task_types", TASK_TYPE_SQL},
                 {"task_statuses", STATUS_SQL},
                 {"fields", FIELD_SQL}};
    json_t *o = json_object();
    for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++) {
        json_t *items;
        int rc = list_json(r, parts[i].sql, pid, &items);
        if (rc) {
            json_decref(o);
            return rc;
        }
        json_object_set_new(o, parts[i].key, items);
    }
    return ms_reply(r, status, o);
}

static int reply_list(ms_req *r, const char *sql)
{
    prod_scope s;
    int rc = prod_scope_get(r, ms_req_param(r, "id"), &s);
    json_t *items;
    if (rc || (rc = list_json(r, sql, s.project_id, &items))) return rc;
    return ms_reply_list(r, items, NULL);
}

int h_entity_types_list(ms_req *r)
{
    return reply_list(r, ENTITY_TYPE_SQL);
}
int h_task_types_list(ms_req *r)
{
    return reply_list(r, TASK_TYPE_SQL);
}
int h_task_statuses_list(ms_req *r)
{
    return reply_list(r, STATUS_SQL);
}
int h_fields_list(ms_req *r)
{
    return reply_list(r, FIELD_SQL);
}

/* ---- Creating. ---- */

static int next_position(ms_req *r, const char *table, const char *pid, int64_t *out)
{
    char sql[128];
    snprintf(sql, sizeof sql, "SELECT COALESCE(MAX(position), 0) + 1 FROM %s WHERE project_id = ?",
             table);
    db_stmt *st;
    int rc = db_query_row(r->db, &st, &r->err, sql, "s", pid);
    if (rc < 0) return rc;
    *out = db_col_int(st, 0);
    db_done(st);
    return 0;
}

static int reply_row(ms_req *r, const char *sql_one, const char *id)
{
    db_stmt *st;
    int rc = db_query_row(r->db, &st, &r->err, sql_one, "s", id);
    if (rc < 0) return rc;
    if (rc == DB_DONE) return ms_req_fail(r, MS_EINTERNAL, NULL, "the new row is gone");
    json_t *o = db_row_json(st);
    db_done(st);
    ms_reply_etag(r, json_integer_value(json_object_get(o, "version")));
    return ms_reply(r, 201, o);
}

/* A row of `table` with this id in the project, or a field error. */
static int check_ref(ms_req *r, const char *table, const char *id, const char *pid,
                     const char *field)
{
    if (!id) return 0;
    char sql[128];
    snprintf(sql, sizeof sql, "SELECT 1 FROM %s WHERE id = ? AND project_id = ?", table);
    db_stmt *st;
    int rc = db_query_row(r->db, &st, &r->err, sql, "ss", id, pid);
    if (rc < 0) return rc;
    if (rc == DB_DONE) return ms_field_fail(&r->err, field, "is not one of this project's");
    db_done(st);
    return 0;
}

static const ms_jfield entity_type_fields[] = {
    {"name", MS_J_STRING, true, false, 1, 64, NULL},
    {"kind", MS_J_ENUM, true, false, 0, 0, entity_kinds},
    {"parent_type_id", MS_J_ID, false, true, 0, 0, NULL},
    {0},
};

int h_entity_types_create(ms_req *r)
{
    if (ms_json_check(r->body, entity_type_fields, &r->err)) return r->err.code;
    prod_scope s;
    int rc = prod_scope_get(r, ms_req_param(r, "id"), &s);
    if (rc || (rc = prod_require(r, &s, PROD_SUPERVISOR, "change entity types"))) return rc;
    const char *parent = ms_json_str(r->body, "parent_type_id");
    if ((rc = check_ref(r, "entity_type", parent, s.project_id, "parent_type_id"))) return rc;
    int64_t pos;
    char id[MS_ID_LEN];
    const char *name = ms_json_str(r->body, "name");
    if ((rc = next_position(r, "entity_type", s.project_id, &pos)) ||
        (rc = insert_entity_type(r->db, &r->err, s.project_id, name, ms_json_str(r->body, "kind"),
                                 parent, pos, id))) {
        if (rc != MS_ENOMEM && prod_unique_violation(&r->err))
            return ms_req_fail(r, MS_ECONFLICT, "name-taken",
                               "This project has an entity type with this name already.");
        return rc;
    }
    if ((rc = prod_event(r, &s, "entity_type.created", "entity_type", id, NULL,
                         "entity type %s created", name)))
        return rc;
    return reply_row(r,
                     "SELECT id, name, kind, parent_type_id, position, version FROM entity_type "
                     "WHERE id = ?",
                     id);
}

static const ms_jfield task_type_fields[] = {
    {"name", MS_J_STRING, true, false, 1, 64, NULL},
    {"department", MS_J_STRING, false, false, 0, 64, NULL},
    {"color", MS_J_STRING, false, false, 7, 7, NULL},
    {"for_kind", MS_J_ENUM, true, false, 0, 0, entity_kinds},
    {0},
};

int h_task_types_create(ms_req *r)
{
    if (ms_json_check(r->body, task_type_fields, &r->err)) return r->err.code;
    const char *color = ms_json_str(r->body, "color");
    if (color && !prod_color_valid(color))
        return ms_field_fail(&r->err, "color", "must be #rrggbb");
    prod_scope s;
    int rc = prod_scope_get(r, ms_req_param(r, "id"), &s);
    if (rc || (rc = prod_require(r, &s, PROD_SUPERVISOR, "change task types"))) return rc;
    int64_t pos;
    char id[MS_ID_LEN];
    tpl_task t = {ms_json_str(r->body, "name"),
                  ms_json_str(r->body, "department") ? ms_json_str(r->body, "department") : "",
                  color ? color : "#7f8c8d", ms_json_str(r->body, "for_kind")};
    if ((rc = next_position(r, "task_type", s.project_id, &pos)) ||
        (rc = insert_task_type(r->db, &r->err, s.project_id, &t, pos, id))) {
        if (rc != MS_ENOMEM && prod_unique_violation(&r->err))
            return ms_req_fail(r, MS_ECONFLICT, "name-taken",
                               "This project has a task type with this name already.");
        return rc;
    }
    if ((rc = prod_event(r, &s, "task_type.created", "task_type", id, NULL, "task type %s created",
                         t.name)))
        return rc;
    return reply_row(r,
                     "SELECT id, name, department, color, for_kind, position, version FROM "
                     "task_type WHERE id = ?",
                     id);
}

static const ms_jfield status_fields[] = {
    {"name", MS_J_STRING, true, false, 1, 64, NULL},
    {"short_name", MS_J_SLUG, true, false, 0, 16, NULL},
    {"color", MS_J_STRING, false, false, 7, 7, NULL},
    {"is_default", MS_J_BOOL, false, false, 0, 0, NULL},
    {"is_done", MS_J_BOOL, false, false, 0, 0, NULL},
    {"is_retake", MS_J_BOOL, false, false, 0, 0, NULL},
    {"is_feedback_request", MS_J_BOOL, false, false, 0, 0, NULL},
    {"is_artist_allowed", MS_J_BOOL, false, false, 0, 0, NULL},
    {"is_client_allowed", MS_J_BOOL, false, false, 0, 0, NULL},
    {0},
};

int h_task_statuses_create(ms_req *r)
{
    if (ms_json_check(r->body, status_fields, &r->err)) return r->err.code;
    const char *color = ms_json_str(r->body, "color");
    if (color && !prod_color_valid(color))
        return ms_field_fail(&r->err, "color", "must be #rrggbb");
    prod_scope s;
    int rc = prod_scope_get(r, ms_req_param(r, "id"), &s);
    if (rc || (rc = prod_require(r, &s, PROD_SUPERVISOR, "change task statuses"))) return rc;
    const json_t *b = r->body;
    tpl_status t = {ms_json_str(b, "name"),
                    ms_json_str(b, "short_name"),
                    color ? color : "#7f8c8d",
                    ms_json_bool(b, "is_default", false),
                    ms_json_bool(b, "is_done", false),
                    ms_json_bool(b, "is_retake", false),
                    ms_json_bool(b, "is_feedback_request", false),
                    ms_json_bool(b, "is_artist_allowed", false),
                    ms_json_bool(b, "is_client_allowed", false)};
    /* Exactly one default: a new default takes the flag from the old one. */
    if (t.is_default &&
        (rc = db_exec(r->db, &r->err,
                      "UPDATE task_status SET is_default = 0, version = version + 1 WHERE "
                      "project_id = ? AND is_default <> 0",
                      "s", s.project_id)) < 0)
        return rc;
    int64_t pos;
    char id[MS_ID_LEN];
    if ((rc = next_position(r, "task_status", s.project_id, &pos)) ||
        (rc = insert_status(r->db, &r->err, s.project_id, &t, pos, id))) {
        if (rc != MS_ENOMEM && prod_unique_violation(&r->err))
            return ms_req_fail(r, MS_ECONFLICT, "name-taken",
                               "This project has a status with this short name already.");
        return rc;
    }
    if ((rc = prod_event(r, &s, "task_status.created", "task_status", id, NULL,
                         "task status %s created", t.name)))
        return rc;
    return reply_row(r,
                     "SELECT id, name, short_name, color, is_default, is_done, is_retake, "
                     "is_feedback_request, is_artist_allowed, is_client_allowed, position, "
                     "version FROM task_status WHERE id = ?",
                     id);
}

static const ms_jfield field_fields[] = {
    {"key", MS_J_SLUG, true, false, 0, 40, NULL},
    {"label", MS_J_STRING, true, false, 1, 64, NULL},
    {"type", MS_J_ENUM, true, false, 0, 0, field_types},
    {"choices", MS_J_ARRAY, false, false, 0, 200, NULL},
    {"entity_type_id", MS_J_ID, false, true, 0, 0, NULL},
    {0},
};

int h_fields_create(ms_req *r)
{
    if (ms_json_check(r->body, field_fields, &r->err)) return r->err.code;
    const char *type = ms_json_str(r->body, "type");
    json_t *choices = json_object_get(r->body, "choices");
    bool wants = !strcmp(type, "choice") || !strcmp(type, "choices");
    if (wants && json_array_size(choices) == 0)
        return ms_field_fail(&r->err, "choices", "a %s field needs its choices", type);
    if (!wants && json_array_size(choices))
        return ms_field_fail(&r->err, "choices", "only choice fields have choices");
    size_t i;
    json_t *c;
    json_array_foreach(choices, i, c)
    {
        const char *v = json_string_value(c);
        if (!v || !*v || ms_utf8_chars(v) > 64 || !ms_str_is_clean_text(v, 256, false))
            return ms_field_fail(&r->err, "choices", "must be strings of 1 to 64 characters");
        for (size_t k = 0; k < i; k++)
            if (!strcmp(json_string_value(json_array_get(choices, k)), v))
                return ms_field_fail(&r->err, "choices", "\"%s\" is listed twice", v);
    }
    prod_scope s;
    int rc = prod_scope_get(r, ms_req_param(r, "id"), &s);
    if (rc || (rc = prod_require(r, &s, PROD_SUPERVISOR, "change custom fields"))) return rc;
    const char *et = ms_json_str(r->body, "entity_type_id");
    if ((rc = check_ref(r, "entity_type", et, s.project_id, "entity_type_id"))) return rc;
    int64_t pos;
    if ((rc = next_position(r, "entity_field", s.project_id, &pos))) return rc;
    char id[MS_ID_LEN], now[MS_TIME_LEN];
    ms_uuid7(id);
    ms_now_str(now);
    char *ctext = choices ? json_dumps(choices, JSON_COMPACT) : NULL;
    rc = db_exec(r->db, &r->err,
                 "INSERT INTO entity_field (id, project_id, entity_type_id, key, label, type, "
                 "choices, position, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                 "sssssssIs", id, s.project_id, et, ms_json_str(r->body, "key"),
                 ms_json_str(r->body, "label"), type, ctext ? ctext : "[]", pos, now);
    free(ctext);
    if (rc < 0) {
        if (prod_unique_violation(&r->err))
            return ms_req_fail(r, MS_ECONFLICT, "key-taken",
                               "This project has a field with this key already.");
        return rc;
    }
    if ((rc = prod_event(r, &s, "field.created", "entity_field", id, NULL, "field %s created",
                         ms_json_str(r->body, "key"))))
        return rc;
    return reply_row(r,
                     "SELECT id, entity_type_id, key, label, type, choices AS choices_json, "
                     "position, version FROM entity_field WHERE id = ?",
                     id);
}
