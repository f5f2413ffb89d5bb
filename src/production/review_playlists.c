/* review_playlists.c: playlists for dailies — an ordered list of versions of one project, for
 * the team or for the client. A client sees only client playlists, and in them only the
 * versions of tasks it may see (prod_task_filter); a vendor sees in any playlist only its
 * people's versions. Artists and supervisors make and edit playlists; PUT items replaces the
 * whole order, and every version must be of the project and visible to the caller.
 *
 * Not here: the review links that open a playlist to outsiders (review_links.c). */
#include "production/prod_internal.h"

#include <stdio.h>
#include <string.h>

#define ITEMS_MAX 500

static const char *const audiences[] = {"team", "client", NULL};

/* "SELECT <cols> FROM playlist p" with item_count narrowed to what the scope sees. The filter's
 * arguments come first in `args`. */
static void playlist_select(const prod_scope *s, ms_buf *sql, db_arg *args, int *n)
{
    ms_buf_puts(sql, "SELECT p.id, p.project_id, p.name, p.audience, p.created_by, p.created_at, "
                     "p.updated_at, p.version, (SELECT COUNT(*) FROM playlist_item pi JOIN "
                     "review_version v ON v.id = pi.version_id JOIN task t ON t.id = v.task_id "
                     "JOIN entity e ON e.id = t.entity_id AND e.deleted_at IS NULL WHERE "
                     "pi.playlist_id = p.id");
    prod_task_filter(s, sql, args, n);
    ms_buf_puts(sql, ") AS item_count FROM playlist p");
}

static int playlist_json(ms_req *r, const prod_scope *s, const char *id, json_t **out)
{
    ms_buf sql;
    ms_buf_init(&sql);
    db_arg args[8];
    int n = 0;
    playlist_select(s, &sql, args, &n);
    ms_buf_puts(&sql, " WHERE p.id = ? AND p.deleted_at IS NULL");
    args[n++] = DB_ARG_S(id);
    if (s->kind == PROD_CLIENT) ms_buf_puts(&sql, " AND p.audience = 'client'");
    db_stmt *st;
    int rc = sql.oom ? ms_req_fail(r, MS_ENOMEM, NULL, "out of memory")
                     : db_query_args(r->db, &st, &r->err, sql.data, args, n);
    ms_buf_free(&sql);
    if (rc) return rc;
    rc = db_step(st, &r->err);
    if (rc == DB_ROW) *out = db_row_json(st);
    db_done(st);
    if (rc < 0) return rc;
    return rc == DB_ROW ? 0 : ms_req_fail(r, MS_ENOTFOUND, NULL, "No such playlist.");
}

/* The playlist with its items (the versions the scope sees, in order). */
static int playlist_reply(ms_req *r, const prod_scope *s, int status, const char *id)
{
    json_t *o;
    int rc = playlist_json(r, s, id, &o);
    if (rc) return rc;
    ms_buf sql;
    ms_buf_init(&sql);
    db_arg args[8];
    int n = 0;
    ms_buf_puts(&sql, "SELECT pi.position, pi.version_id FROM playlist_item pi JOIN "
                      "review_version v ON v.id = pi.version_id JOIN task t ON t.id = v.task_id "
                      "JOIN entity e ON e.id = t.entity_id AND e.deleted_at IS NULL WHERE "
                      "pi.playlist_id = ?");
    args[n++] = DB_ARG_S(id);
    prod_task_filter(s, &sql, args, &n);
    ms_buf_puts(&sql, " ORDER BY pi.position");
    db_stmt *st;
    rc = sql.oom ? ms_req_fail(r, MS_ENOMEM, NULL, "out of memory")
                 : db_query_args(r->db, &st, &r->err, sql.data, args, n);
    ms_buf_free(&sql);
    if (rc) {
        json_decref(o);
        return rc;
    }
    /* Collected first: each version is its own query. */
    json_t *items = json_array();
    json_object_set_new(o, "items", items);
    while ((rc = db_step(st, &r->err)) == DB_ROW)
        json_array_append_new(items,
                              json_pack("{s:I,s:s}", "position", (json_int_t)db_col_int(st, 0),
                                        "version_id", db_col_text(st, 1)));
    db_done(st);
    size_t i;
    json_t *it;
    json_array_foreach(items, i, it)
    {
        if (rc < 0) break;
        json_t *v;
        int vrc = review_version_json(r, json_string_value(json_object_get(it, "version_id")), NULL,
                                      NULL, &v, NULL);
        if (vrc) {
            rc = vrc;
            break;
        }
        json_object_set_new(it, "version", v);
        json_object_del(it, "version_id");
    }
    if (rc < 0) {
        json_decref(o);
        return rc;
    }
    ms_reply_etag(r, json_integer_value(json_object_get(o, "version")));
    if (status == 201)
        ms_reply_header(r, "Location", ms_arena_printf(r->arena, "/api/v1/playlists/%s", id));
    return ms_reply(r, status, o);
}

/* GET /projects/{id}/playlists: newest first. */
int h_playlists_list(ms_req *r)
{
    static const char *const allowed[] = {"audience", NULL};
    int rc = ms_req_query_only(r, allowed);
    if (rc) return rc;
    prod_scope s;
    if ((rc = prod_scope_get(r, ms_req_param(r, "id"), &s))) return rc;
    const char *aud = ms_req_query(r, "audience");
    if (aud && strcmp(aud, "team") && strcmp(aud, "client"))
        return ms_req_fail(r, MS_EBADREQ, "bad-query", "audience must be team or client.");
    ms_buf sql;
    ms_buf_init(&sql);
    db_arg args[8];
    int n = 0;
    playlist_select(&s, &sql, args, &n);
    ms_buf_puts(&sql, " WHERE p.project_id = ? AND p.deleted_at IS NULL");
    args[n++] = DB_ARG_S(s.project_id);
    if (s.kind == PROD_CLIENT) ms_buf_puts(&sql, " AND p.audience = 'client'");
    if (aud) {
        ms_buf_puts(&sql, " AND p.audience = ?");
        args[n++] = DB_ARG_S(aud);
    }
    ms_buf_puts(&sql, " ORDER BY p.id DESC LIMIT 1000");
    db_stmt *st;
    rc = sql.oom ? ms_req_fail(r, MS_ENOMEM, NULL, "out of memory")
                 : db_query_args(r->db, &st, &r->err, sql.data, args, n);
    ms_buf_free(&sql);
    if (rc) return rc;
    return prod_reply_rows(r, st, NULL);
}

static const ms_jfield playlist_fields[] = {
    {"name", MS_J_STRING, true, false, 1, 200, NULL},
    {"audience", MS_J_ENUM, false, false, 0, 0, audiences},
    {0},
};

/* POST /projects/{id}/playlists {name, audience} */
int h_playlists_create(ms_req *r)
{
    if (ms_json_check(r->body, playlist_fields, &r->err)) return r->err.code;
    prod_scope s;
    int rc = prod_scope_get(r, ms_req_param(r, "id"), &s);
    if (rc || (rc = prod_require(r, &s, PROD_ARTIST, "make playlists"))) return rc;
    const char *aud = ms_json_str(r->body, "audience") ? ms_json_str(r->body, "audience") : "team";
    char id[MS_ID_LEN], now[MS_TIME_LEN];
    ms_uuid7(id);
    ms_now_str(now);
    rc = db_exec(r->db, &r->err,
                 "INSERT INTO playlist (id, project_id, name, audience, created_by, created_at, "
                 "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                 "sssssss", id, s.project_id, ms_json_str(r->body, "name"), aud, s.user_id, now,
                 now);
    if (rc < 0) return rc;
    if ((rc = prod_event(r, &s, "playlist.created", "playlist", id, NULL, "playlist %s created",
                         ms_json_str(r->body, "name"))))
        return rc;
    return playlist_reply(r, &s, 201, id);
}

static int playlist_scope(ms_req *r, const char *id, prod_scope *s)
{
    int rc = prod_scope_of(r, "SELECT project_id FROM playlist WHERE id = ? AND deleted_at IS NULL",
                           id, "playlist", s);
    if (rc) return rc;
    json_t *o;
    if ((rc = playlist_json(r, s, id, &o))) return rc; /* a client: client playlists only */
    json_decref(o);
    return 0;
}

int h_playlist_get(ms_req *r)
{
    const char *id = ms_req_param(r, "id");
    prod_scope s;
    int rc = playlist_scope(r, id, &s);
    return rc ? rc : playlist_reply(r, &s, 200, id);
}

static int playlist_version_check(ms_req *r, const char *id)
{
    db_stmt *st;
    int rc =
        db_query_row(r->db, &st, &r->err, "SELECT version FROM playlist WHERE id = ?", "s", id);
    if (rc < 0) return rc;
    if (rc == DB_DONE) return ms_req_fail(r, MS_ENOTFOUND, NULL, "No such playlist.");
    int64_t ver = db_col_int(st, 0);
    db_done(st);
    return ms_req_check_version(r, ver);
}

static const ms_jfield playlist_update_fields[] = {
    {"name", MS_J_STRING, false, false, 1, 200, NULL},
    {"audience", MS_J_ENUM, false, false, 0, 0, audiences},
    {0},
};

/* PATCH /playlists/{id} {name?, audience?} (If-Match) */
int h_playlist_update(ms_req *r)
{
    if (ms_json_check(r->body, playlist_update_fields, &r->err)) return r->err.code;
    const char *id = ms_req_param(r, "id");
    prod_scope s;
    int rc = playlist_scope(r, id, &s);
    if (rc || (rc = prod_require(r, &s, PROD_ARTIST, "change playlists")) ||
        (rc = playlist_version_check(r, id)))
        return rc;
    char now[MS_TIME_LEN];
    ms_now_str(now);
    rc = db_exec(r->db, &r->err,
                 "UPDATE playlist SET name = COALESCE(?, name), audience = COALESCE(?, audience), "
                 "updated_at = ?, version = version + 1 WHERE id = ?",
                 "ssss", ms_json_str(r->body, "name"), ms_json_str(r->body, "audience"), now, id);
    if (rc < 0) return rc;
    if ((rc = prod_event(r, &s, "playlist.updated", "playlist", id, (json_t *)r->body,
                         "playlist updated")))
        return rc;
    return playlist_reply(r, &s, 200, id);
}

/* DELETE /playlists/{id}: its review links are revoked with it. */
int h_playlist_delete(ms_req *r)
{
    const char *id = ms_req_param(r, "id");
    prod_scope s;
    int rc = playlist_scope(r, id, &s);
    if (rc || (rc = prod_require(r, &s, PROD_ARTIST, "delete playlists")) ||
        (rc = playlist_version_check(r, id)))
        return rc;
    char now[MS_TIME_LEN];
    ms_now_str(now);
    if ((rc = review_links_revoke_playlist(r, &s, id))) return rc;
    if ((rc = db_exec(r->db, &r->err, "DELETE FROM playlist_item WHERE playlist_id = ?", "s", id)) <
            0 ||
        (rc = db_exec(r->db, &r->err,
                      "UPDATE playlist SET deleted_at = ?, version = version + 1 WHERE id = ?",
                      "ss", now, id)) < 0)
        return rc;
    if ((rc = prod_event(r, &s, "playlist.deleted", "playlist", id, NULL, "playlist deleted")))
        return rc;
    return ms_reply_empty(r);
}

static const ms_jfield items_fields[] = {
    {"version_ids", MS_J_ARRAY, true, false, 0, ITEMS_MAX, NULL},
    {0},
};

/* PUT /playlists/{id}/items {version_ids}: the whole order, replaced. */
int h_playlist_items_put(ms_req *r)
{
    if (ms_json_check(r->body, items_fields, &r->err)) return r->err.code;
    const char *id = ms_req_param(r, "id");
    prod_scope s;
    int rc = playlist_scope(r, id, &s);
    if (rc || (rc = prod_require(r, &s, PROD_ARTIST, "change playlists")) ||
        (rc = playlist_version_check(r, id)))
        return rc;
    json_t *ids = json_object_get(r->body, "version_ids");
    size_t i;
    json_t *v;
    json_array_foreach(ids, i, v)
    {
        char field[40];
        snprintf(field, sizeof field, "version_ids[%zu]", i);
        const char *vid = json_string_value(v);
        if (!vid || !ms_uuid_valid(vid))
            return ms_field_fail(&r->err, field, "must be a version id");
        for (size_t j = 0; j < i; j++)
            if (!strcmp(json_string_value(json_array_get(ids, j)), vid))
                return ms_field_fail(&r->err, field, "is in the list twice");
        db_stmt *st;
        rc = db_query_row(r->db, &st, &r->err,
                          "SELECT v.task_id FROM review_version v JOIN task t ON t.id = v.task_id "
                          "JOIN entity e ON e.id = t.entity_id AND e.deleted_at IS NULL WHERE "
                          "v.id = ? AND v.project_id = ?",
                          "ss", vid, s.project_id);
        if (rc < 0) return rc;
        if (rc == DB_DONE) return ms_field_fail(&r->err, field, "is not a version of this project");
        char tid[MS_ID_LEN];
        ms_strlcpy(tid, db_col_text(st, 0), sizeof tid);
        db_done(st);
        if (prod_task_visible(r, &s, tid)) {
            ms_error_clear(&r->err);
            return ms_field_fail(&r->err, field, "is not a version of this project");
        }
    }
    if ((rc = db_exec(r->db, &r->err, "DELETE FROM playlist_item WHERE playlist_id = ?", "s", id)) <
        0)
        return rc;
    json_array_foreach(ids, i, v)
    {
        if ((rc = db_exec(r->db, &r->err,
                          "INSERT INTO playlist_item (playlist_id, position, version_id) VALUES "
                          "(?, ?, ?)",
                          "sIs", id, (int64_t)i + 1, json_string_value(v))) < 0)
            return rc;
    }
    char now[MS_TIME_LEN];
    ms_now_str(now);
    if ((rc = db_exec(r->db, &r->err,
                      "UPDATE playlist SET updated_at = ?, version = version + 1 WHERE id = ?",
                      "ss", now, id)) < 0)
        return rc;
    if ((rc = review_links_sync_playlist(r, &s, id))) return rc;
    json_t *data = json_pack("{s:I}", "item_count", (json_int_t)json_array_size(ids));
    rc = prod_event(r, &s, "playlist.items_set", "playlist", id, data,
                    "%zu versions in the playlist", json_array_size(ids));
    json_decref(data);
    return rc ? rc : playlist_reply(r, &s, 200, id);
}
