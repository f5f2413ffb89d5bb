/* entities.c: episodes, sequences, shots and assets of a project (one table, typed by the
 * project's entity types), their typed custom fields, and casting (which assets appear in
 * which shot). A vendor or a client sees only the entities that hold a task they see. It does
 * not hold tasks (tasks.c). */
#include "production/prod_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ENTITY_COLS                                                                                \
    "e.id, e.project_id, e.type_id, et.name AS type_name, et.kind, e.parent_id, "                  \
    "pe.name AS parent_name, e.name, e.description, e.frame_in, e.frame_out, "                     \
    "CASE WHEN e.frame_in IS NOT NULL AND e.frame_out IS NOT NULL THEN e.frame_out - "             \
    "e.frame_in + 1 END AS nb_frames, e.fps, e.fields AS fields_json, e.position, "                \
    "e.created_at, e.updated_at, e.version"
#define ENTITY_FROM                                                                                \
    " FROM entity e JOIN entity_type et ON et.id = e.type_id LEFT JOIN entity pe ON "              \
    "pe.id = e.parent_id"

/* Vendors and clients: only entities holding a task they see. */
static void entity_filter(const prod_scope *s, ms_buf *sql, db_arg *args, int *n)
{
    if (s->kind != PROD_VENDOR && s->kind != PROD_CLIENT) return;
    ms_buf_puts(sql, " AND EXISTS (SELECT 1 FROM task t WHERE t.entity_id = e.id");
    prod_task_filter(s, sql, args, n);
    ms_buf_puts(sql, ")");
}

static int entity_scope(ms_req *r, const char *id, prod_scope *s)
{
    int rc = prod_scope_of(r, "SELECT project_id FROM entity WHERE id = ? AND deleted_at IS NULL",
                           id, "entity", s);
    if (rc || (s->kind != PROD_VENDOR && s->kind != PROD_CLIENT)) return rc;
    ms_buf sql;
    ms_buf_init(&sql);
    db_arg args[4];
    int n = 0;
    ms_buf_puts(&sql, "SELECT 1 FROM entity e WHERE e.id = ?");
    args[n++] = DB_ARG_S(id);
    entity_filter(s, &sql, args, &n);
    db_stmt *st;
    rc = sql.oom ? ms_req_fail(r, MS_ENOMEM, NULL, "out of memory")
                 : db_query_args(r->db, &st, &r->err, sql.data, args, n);
    ms_buf_free(&sql);
    if (rc) return rc;
    rc = db_step(st, &r->err);
    db_done(st);
    if (rc < 0) return rc;
    return rc == DB_ROW ? 0 : ms_req_fail(r, MS_ENOTFOUND, NULL, "No such entity.");
}

static int entity_reply(ms_req *r, int status, const char *id)
{
    db_stmt *st;
    int rc = db_query_row(r->db, &st, &r->err, "SELECT " ENTITY_COLS ENTITY_FROM " WHERE e.id = ?",
                          "s", id);
    if (rc < 0) return rc;
    if (rc == DB_DONE) return ms_req_fail(r, MS_ENOTFOUND, NULL, "No such entity.");
    json_t *o = db_row_json(st);
    db_done(st);
    ms_reply_etag(r, json_integer_value(json_object_get(o, "version")));
    return ms_reply(r, status, o);
}

/* GET /projects/{id}/entities?type_id=&parent_id=&name=&kind= */
int h_entities_list(ms_req *r)
{
    static const char *const allowed[] = {"limit", "cursor", "type_id", "parent_id",
                                          "name",  "kind",   NULL};
    int limit;
    char cursor[MS_ID_LEN + 1];
    prod_scope s;
    int rc = prod_list_begin(r, allowed, &limit, cursor, &s);
    if (rc) return rc;
    ms_buf sql;
    ms_buf_init(&sql);
    db_arg args[12];
    int n = 0;
    ms_buf_puts(&sql, "SELECT " ENTITY_COLS ENTITY_FROM
                      " WHERE e.project_id = ? AND e.deleted_at IS NULL AND e.id > ?");
    args[n++] = DB_ARG_S(s.project_id);
    args[n++] = DB_ARG_S(cursor);
    static const struct {
        const char *param, *sql;
    } eq[] = {{"type_id", " AND e.type_id = ?"},
              {"parent_id", " AND e.parent_id = ?"},
              {"kind", " AND et.kind = ?"}};
    for (size_t i = 0; i < sizeof eq / sizeof eq[0]; i++) {
        const char *v = ms_req_query(r, eq[i].param);
        if (!v) continue;
        ms_buf_puts(&sql, eq[i].sql);
        args[n++] = DB_ARG_S(v);
    }
    const char *name = ms_req_query(r, "name");
    if (name && *name) {
        ms_buf_puts(&sql, " AND LOWER(e.name) LIKE ? ESCAPE '\\'");
        args[n++] = DB_ARG_S(db_like_pattern(r->arena, name));
    }
    entity_filter(&s, &sql, args, &n);
    ms_buf_puts(&sql, " ORDER BY e.id LIMIT ?");
    args[n++] = DB_ARG_I(limit + 1);
    return prod_reply_page(r, &sql, args, n, limit);
}

int h_entity_get(ms_req *r)
{
    const char *id = ms_req_param(r, "id");
    prod_scope s;
    int rc = entity_scope(r, id, &s);
    return rc ? rc : entity_reply(r, 200, id);
}

/* ---- Custom fields. ---- */

/* Check `in` (an object of key -> value, null removes) against the project's field
 * definitions for the type, and merge it into `cur` (an object that is changed). */
static int fields_merge(ms_req *r, const char *pid, const char *type_id, const json_t *in,
                        json_t *cur)
{
    if (!in) return 0;
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)in, key, v)
    {
        db_stmt *st;
        int rc = db_query_row(r->db, &st, &r->err,
                              "SELECT type, choices FROM entity_field WHERE project_id = ? AND "
                              "key = ? AND (entity_type_id IS NULL OR entity_type_id = ?)",
                              "sss", pid, key, type_id);
        if (rc < 0) return rc;
        char field[80];
        snprintf(field, sizeof field, "fields.%.60s", key);
        if (rc == DB_DONE)
            return ms_field_fail(&r->err, field, "is not a custom field of this entity type");
        char type[16];
        ms_strlcpy(type, db_col_text(st, 0), sizeof type);
        json_t *choices = json_loads(db_col_text(st, 1), 0, NULL);
        db_done(st);
        const char *why = NULL;
        if (json_is_null(v)) {
            json_object_del(cur, key);
            json_decref(choices);
            continue;
        }
        if (!strcmp(type, "text")) {
            const char *t = json_string_value(v);
            if (!t || ms_utf8_chars(t) > 2000 || !ms_str_is_clean_text(t, 8000, true))
                why = "must be text of at most 2000 characters";
        } else if (!strcmp(type, "number")) {
            if (!json_is_number(v)) why = "must be a number";
        } else if (!strcmp(type, "date")) {
            if (!prod_date_valid(json_string_value(v))) why = "must be a date YYYY-MM-DD";
        } else if (!strcmp(type, "bool")) {
            if (!json_is_boolean(v)) why = "must be true or false";
        } else {
            bool many = !strcmp(type, "choices");
            size_t i, nc = many ? json_array_size(v) : 1;
            if (many && !json_is_array(v)) why = "must be a list of its choices";
            for (i = 0; !why && i < nc; i++) {
                const char *pick = json_string_value(many ? json_array_get(v, i) : v);
                bool ok = false;
                size_t k;
                json_t *c;
                json_array_foreach(choices, k, c) ok |= pick && !strcmp(json_string_value(c), pick);
                if (!ok) why = "must be one of its choices";
            }
        }
        json_decref(choices);
        if (why) return ms_field_fail(&r->err, field, "%s", why);
        json_object_set(cur, key, v);
    }
    return 0;
}

/* ---- Writing. ---- */

static const ms_jfield entity_fields[] = {
    {"type_id", MS_J_ID, true, false, 0, 0, NULL},
    {"parent_id", MS_J_ID, false, true, 0, 0, NULL},
    {"name", MS_J_STRING, true, false, 1, 128, NULL},
    {"description", MS_J_TEXT, false, false, 0, 10000, NULL},
    {"frame_in", MS_J_INT, false, true, 0, 100000000, NULL},
    {"frame_out", MS_J_INT, false, true, 0, 100000000, NULL},
    {"fps", MS_J_STRING, false, true, 1, 20, NULL},
    {"fields", MS_J_OBJECT, false, false, 0, 100, NULL},
    {"position", MS_J_INT, false, false, 0, 100000000, NULL},
    {0},
};
static const ms_jfield entity_update_fields[] = {
    {"parent_id", MS_J_ID, false, true, 0, 0, NULL},
    {"name", MS_J_STRING, false, false, 1, 128, NULL},
    {"description", MS_J_TEXT, false, false, 0, 10000, NULL},
    {"frame_in", MS_J_INT, false, true, 0, 100000000, NULL},
    {"frame_out", MS_J_INT, false, true, 0, 100000000, NULL},
    {"fps", MS_J_STRING, false, true, 1, 20, NULL},
    {"fields", MS_J_OBJECT, false, false, 0, 100, NULL},
    {"position", MS_J_INT, false, false, 0, 100000000, NULL},
    {0},
};

/* The parent must be a live entity of the type's parent type (required when the type has
 * one, refused when it has none). */
static int check_parent(ms_req *r, const char *pid, const char *type_id, const char *parent_id)
{
    db_stmt *st;
    int rc = db_query_row(r->db, &st, &r->err,
                          "SELECT parent_type_id, name FROM entity_type WHERE id = ? AND "
                          "project_id = ?",
                          "ss", type_id, pid);
    if (rc < 0) return rc;
    if (rc == DB_DONE) return ms_field_fail(&r->err, "type_id", "is not one of this project's");
    char want[MS_ID_LEN] = "", tname[80];
    if (!db_col_null(st, 0)) ms_strlcpy(want, db_col_text(st, 0), sizeof want);
    ms_strlcpy(tname, db_col_text(st, 1), sizeof tname);
    db_done(st);
    if (!want[0] && parent_id)
        return ms_field_fail(&r->err, "parent_id", "a %s has no parent", tname);
    if (want[0] && !parent_id)
        return ms_field_fail(&r->err, "parent_id", "a %s needs its parent", tname);
    if (!parent_id) return 0;
    rc = db_query_row(r->db, &st, &r->err,
                      "SELECT 1 FROM entity WHERE id = ? AND project_id = ? AND type_id = ? AND "
                      "deleted_at IS NULL",
                      "sss", parent_id, pid, want);
    if (rc < 0) return rc;
    if (rc == DB_DONE)
        return ms_field_fail(&r->err, "parent_id",
                             "is not an entity of this project of the parent type");
    db_done(st);
    return 0;
}

static int range_check(ms_req *r, const json_t *fin, const json_t *fout)
{
    if (json_is_integer(fin) && json_is_integer(fout) &&
        json_integer_value(fout) < json_integer_value(fin))
        return ms_field_fail(&r->err, "frame_out", "must not be before frame_in");
    return 0;
}

/* POST /projects/{id}/entities */
int h_entities_create(ms_req *r)
{
    if (ms_json_check(r->body, entity_fields, &r->err)) return r->err.code;
    const json_t *b = r->body;
    prod_scope s;
    int rc = prod_scope_get(r, ms_req_param(r, "id"), &s);
    if (rc || (rc = prod_require(r, &s, PROD_ARTIST, "create entities"))) return rc;
    const char *type_id = ms_json_str(b, "type_id"), *parent_id = ms_json_str(b, "parent_id");
    const char *name = ms_json_str(b, "name");
    if ((rc = check_parent(r, s.project_id, type_id, parent_id))) return rc;
    json_t *fin = json_object_get(b, "frame_in"), *fout = json_object_get(b, "frame_out");
    if ((rc = range_check(r, fin, fout))) return rc;
    char fps[24] = "";
    const char *fps_in = ms_json_str(b, "fps");
    if (fps_in && !prod_fps_valid(fps_in, fps))
        return ms_field_fail(&r->err, "fps", "must be a rate like 24, 25 or 24000/1001");
    json_t *fields = json_object();
    if ((rc = fields_merge(r, s.project_id, type_id, json_object_get(b, "fields"), fields))) {
        json_decref(fields);
        return rc;
    }
    char *ftext = json_dumps(fields, JSON_COMPACT);
    json_decref(fields);
    char id[MS_ID_LEN], now[MS_TIME_LEN];
    ms_uuid7(id);
    ms_now_str(now);
    rc = db_exec(r->db, &r->err,
                 "INSERT INTO entity (id, project_id, type_id, parent_id, name, description, "
                 "frame_in, frame_out, fps, fields, position, created_by, created_at, updated_at) "
                 "VALUES (?, ?, ?, ?, ?, ?, CAST(? AS INTEGER), CAST(? AS INTEGER), ?, ?, ?, ?, "
                 "?, ?)",
                 "ssssssssssIsss", id, s.project_id, type_id, parent_id, name,
                 ms_json_str(b, "description") ? ms_json_str(b, "description") : "",
                 json_is_integer(fin)
                     ? ms_arena_printf(r->arena, "%lld", (long long)json_integer_value(fin))
                     : NULL,
                 json_is_integer(fout)
                     ? ms_arena_printf(r->arena, "%lld", (long long)json_integer_value(fout))
                     : NULL,
                 fps[0] ? fps : NULL, ftext ? ftext : "{}", ms_json_int(b, "position", 0),
                 s.user_id, now, now);
    free(ftext);
    if (rc < 0) {
        if (prod_unique_violation(&r->err))
            return ms_req_fail(r, MS_ECONFLICT, "name-taken",
                               "An entity of this type with this name exists under this parent "
                               "already.");
        return rc;
    }
    if ((rc = prod_event(r, &s, "entity.created", "entity", id, NULL, "%s created", name)))
        return rc;
    return entity_reply(r, 201, id);
}

/* PATCH /entities/{id} */
int h_entity_update(ms_req *r)
{
    if (ms_json_check(r->body, entity_update_fields, &r->err)) return r->err.code;
    const json_t *b = r->body;
    const char *id = ms_req_param(r, "id");
    prod_scope s;
    int rc = entity_scope(r, id, &s);
    if (rc || (rc = prod_require(r, &s, PROD_ARTIST, "change entities"))) return rc;
    db_stmt *st;
    rc = db_query_row(r->db, &st, &r->err,
                      "SELECT version, type_id, parent_id, name, description, frame_in, "
                      "frame_out, fps, fields, position FROM entity WHERE id = ?",
                      "s", id);
    if (rc < 0) return rc;
    int64_t ver = db_col_int(st, 0), pos = db_col_int(st, 9);
    char type_id[MS_ID_LEN], parent[MS_ID_LEN] = "", fps[24] = "";
    ms_strlcpy(type_id, db_col_text(st, 1), sizeof type_id);
    if (!db_col_null(st, 2)) ms_strlcpy(parent, db_col_text(st, 2), sizeof parent);
    char *name = ms_arena_strdup(r->arena, db_col_text(st, 3));
    char *desc = ms_arena_strdup(r->arena, db_col_text(st, 4));
    json_t *fin = db_col_null(st, 5) ? json_null() : json_integer(db_col_int(st, 5));
    json_t *fout = db_col_null(st, 6) ? json_null() : json_integer(db_col_int(st, 6));
    if (!db_col_null(st, 7)) ms_strlcpy(fps, db_col_text(st, 7), sizeof fps);
    json_t *fields = json_loads(db_col_text(st, 8), 0, NULL);
    db_done(st);
    if (!fields) fields = json_object();
    if ((rc = ms_req_check_version(r, ver))) goto out;
    if (ms_json_has(b, "parent_id")) {
        const char *p = ms_json_str(b, "parent_id");
        if (p && !strcmp(p, id)) {
            rc = ms_field_fail(&r->err, "parent_id", "an entity cannot be its own parent");
            goto out;
        }
        if ((rc = check_parent(r, s.project_id, type_id, p))) goto out;
        ms_strlcpy(parent, p ? p : "", sizeof parent);
    }
    if (ms_json_str(b, "name")) name = (char *)ms_json_str(b, "name");
    if (ms_json_str(b, "description")) desc = (char *)ms_json_str(b, "description");
    if (ms_json_has(b, "frame_in")) {
        json_decref(fin);
        fin = json_incref(json_object_get(b, "frame_in"));
    }
    if (ms_json_has(b, "frame_out")) {
        json_decref(fout);
        fout = json_incref(json_object_get(b, "frame_out"));
    }
    if ((rc = range_check(r, fin, fout))) goto out;
    if (ms_json_has(b, "fps")) {
        const char *f = ms_json_str(b, "fps");
        if (f && !prod_fps_valid(f, fps)) {
            rc = ms_field_fail(&r->err, "fps", "must be a rate like 24, 25 or 24000/1001");
            goto out;
        }
        if (!f) fps[0] = 0;
    }
    if ((rc = fields_merge(r, s.project_id, type_id, json_object_get(b, "fields"), fields)))
        goto out;
    pos = ms_json_int(b, "position", pos);
    char *ftext = json_dumps(fields, JSON_COMPACT), now[MS_TIME_LEN];
    ms_now_str(now);
    rc = db_exec(r->db, &r->err,
                 "UPDATE entity SET parent_id = ?, name = ?, description = ?, frame_in = CAST(? "
                 "AS INTEGER), frame_out = CAST(? AS INTEGER), fps = ?, fields = ?, position = ?, "
                 "updated_at = ?, version = version + 1 WHERE id = ?",
                 "sssssssIss", parent[0] ? parent : NULL, name, desc,
                 json_is_integer(fin)
                     ? ms_arena_printf(r->arena, "%lld", (long long)json_integer_value(fin))
                     : NULL,
                 json_is_integer(fout)
                     ? ms_arena_printf(r->arena, "%lld", (long long)json_integer_value(fout))
                     : NULL,
                 fps[0] ? fps : NULL, ftext ? ftext : "{}", pos, now, id);
    free(ftext);
    if (rc < 0) {
        if (prod_unique_violation(&r->err))
            rc = ms_req_fail(r, MS_ECONFLICT, "name-taken",
                             "An entity of this type with this name exists under this parent "
                             "already.");
        goto out;
    }
    if ((rc = prod_event(r, &s, "entity.updated", "entity", id, NULL, "%s updated", name)))
        goto out;
    rc = entity_reply(r, 200, id);
out:
    json_decref(fin);
    json_decref(fout);
    json_decref(fields);
    return rc;
}

/* DELETE /entities/{id}: refused while it has children. */
int h_entity_delete(ms_req *r)
{
    const char *id = ms_req_param(r, "id");
    prod_scope s;
    int rc = entity_scope(r, id, &s);
    if (rc || (rc = prod_require(r, &s, PROD_SUPERVISOR, "delete entities"))) return rc;
    db_stmt *st;
    rc =
        db_query_row(r->db, &st, &r->err, "SELECT version, name FROM entity WHERE id = ?", "s", id);
    if (rc < 0) return rc;
    int64_t ver = db_col_int(st, 0);
    char *name = ms_arena_strdup(r->arena, db_col_text(st, 1));
    db_done(st);
    if ((rc = ms_req_check_version(r, ver))) return rc;
    rc = db_query_row(r->db, &st, &r->err,
                      "SELECT COUNT(*) FROM entity WHERE parent_id = ? AND deleted_at IS NULL", "s",
                      id);
    if (rc < 0) return rc;
    int64_t kids = db_col_int(st, 0);
    db_done(st);
    if (kids)
        return ms_req_fail(r, MS_ECONFLICT, "has-children",
                           "%s still has %lld entities under it; delete or move them first.", name,
                           (long long)kids);
    char now[MS_TIME_LEN];
    ms_now_str(now);
    if ((rc = db_exec(r->db, &r->err,
                      "UPDATE entity SET deleted_at = ?, updated_at = ?, version = version + 1 "
                      "WHERE id = ?",
                      "sss", now, now, id)) < 0 ||
        (rc = db_exec(r->db, &r->err, "DELETE FROM casting WHERE shot_id = ? OR asset_id = ?", "ss",
                      id, id)) < 0)
        return rc;
    if ((rc = prod_event(r, &s, "entity.deleted", "entity", id, NULL, "%s deleted", name)))
        return rc;
    return ms_reply_empty(r);
}

/* ---- Casting. ---- */

static int casting_reply(ms_req *r, const char *id)
{
    db_stmt *st;
    int rc = db_query(r->db, &st, &r->err,
                      "SELECT c.asset_id, e.name AS asset_name, et.name AS type_name, "
                      "c.occurrences FROM casting c JOIN entity e ON e.id = c.asset_id AND "
                      "e.deleted_at IS NULL JOIN entity_type et ON et.id = e.type_id WHERE "
                      "c.shot_id = ? ORDER BY et.position, e.name",
                      "s", id);
    if (rc) return rc;
    return prod_reply_rows(r, st, NULL);
}

int h_casting_get(ms_req *r)
{
    const char *id = ms_req_param(r, "id");
    prod_scope s;
    int rc = entity_scope(r, id, &s);
    return rc ? rc : casting_reply(r, id);
}

static const ms_jfield casting_fields[] = {
    {"items", MS_J_ARRAY, true, false, 0, 1000, NULL},
    {0},
};

/* PUT /entities/{id}/casting {"items": [{"asset_id": ..., "occurrences": n}]}: the whole
 * breakdown of the shot, replaced. */
int h_casting_put(ms_req *r)
{
    if (ms_json_check(r->body, casting_fields, &r->err)) return r->err.code;
    const char *id = ms_req_param(r, "id");
    prod_scope s;
    int rc = entity_scope(r, id, &s);
    if (rc || (rc = prod_require(r, &s, PROD_ARTIST, "change casting"))) return rc;
    json_t *items = json_object_get(r->body, "items");
    size_t i;
    json_t *it;
    json_array_foreach(items, i, it)
    {
        char field[40];
        snprintf(field, sizeof field, "items[%zu]", i);
        const char *aid = json_string_value(json_object_get(it, "asset_id"));
        json_t *occ = json_object_get(it, "occurrences");
        if (!json_is_object(it) || !aid || !ms_uuid_valid(aid) ||
            (occ && (!json_is_integer(occ) || json_integer_value(occ) < 1 ||
                     json_integer_value(occ) > 10000)))
            return ms_field_fail(&r->err, field,
                                 "must be {\"asset_id\": id, \"occurrences\": 1-10000}");
        if (!strcmp(aid, id)) return ms_field_fail(&r->err, field, "a shot cannot cast itself");
        db_stmt *st;
        rc = db_query_row(r->db, &st, &r->err,
                          "SELECT 1 FROM entity e JOIN entity_type et ON et.id = e.type_id WHERE "
                          "e.id = ? AND e.project_id = ? AND e.deleted_at IS NULL AND et.kind = "
                          "'asset'",
                          "ss", aid, s.project_id);
        if (rc < 0) return rc;
        if (rc == DB_DONE)
            return ms_field_fail(&r->err, field, "is not an asset entity of this project");
        db_done(st);
        for (size_t k = 0; k < i; k++)
            if (!strcmp(json_string_value(json_object_get(json_array_get(items, k), "asset_id")),
                        aid))
                return ms_field_fail(&r->err, field, "lists an asset twice");
    }
    if ((rc = db_exec(r->db, &r->err, "DELETE FROM casting WHERE shot_id = ?", "s", id)) < 0)
        return rc;
    json_array_foreach(items, i, it)
    {
        json_t *occ = json_object_get(it, "occurrences");
        if ((rc = db_exec(r->db, &r->err,
                          "INSERT INTO casting (shot_id, asset_id, occurrences) VALUES (?, ?, ?)",
                          "ssI", id, json_string_value(json_object_get(it, "asset_id")),
                          occ ? (int64_t)json_integer_value(occ) : (int64_t)1)) < 0)
            return rc;
    }
    if ((rc = prod_event(r, &s, "entity.casting", "entity", id, NULL,
                         "casting changed (%zu assets)", json_array_size(items))))
        return rc;
    return casting_reply(r, id);
}
