/* assets.c: assets and their versions through the API: list with filters (folder, kind,
 * name, tags and the probe's fields), get, rename/move/tag, delete, version history, restore
 * of an older version, and the comparison of two versions. Uploads are in tus.c and
 * dedup.c, bytes out in content.c, share links in shares.c.
 *
 * Who may do what is the project's rule (auth.h): viewers and clients see, editors change,
 * and an asset of a project the caller cannot reach does not exist (404). */
#include "assets/assets_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const asset_kinds[] = {"video",    "audio",    "image", "image_sequence",
                                   "subtitle", "document", "other", NULL};

/* ---- Shared checks. ---- */

int folder_normalize(const char *in, char *out, size_t cap, ms_error *err)
{
    if (!in) in = "/";
    if (strlen(in) > 1024 || !ms_str_is_clean_text(in, 1024, false))
        return ms_field_fail(err, "folder",
                             "must be UTF-8 text without control characters, at "
                             "most 1024 bytes");
    if (!ms_folder_normalize(in, out, cap))
        return ms_field_fail(err, "folder",
                             "may not contain \".\" or \"..\" segments or segments over 255 bytes");
    return 0;
}

int filename_check(const char *name, const char *field, ms_error *err)
{
    if (!name || !*name) return ms_field_fail(err, field, "is required");
    size_t n = strlen(name);
    if (n > 255) return ms_field_fail(err, field, "must be at most 255 bytes");
    if (!ms_str_is_clean_text(name, 255, false) || strchr(name, '/') || strchr(name, '\\'))
        return ms_field_fail(err, field, "must be UTF-8 without control characters, '/' or '\\\\'");
    if (!strcmp(name, ".") || !strcmp(name, ".."))
        return ms_field_fail(err, field, "may not be \".\" or \"..\"");
    return 0;
}

int project_org(db_conn *c, const char *project_id, char org_id[MS_ID_LEN], ms_error *err)
{
    db_stmt *st;
    int rc =
        db_query_row(c, &st, err, "SELECT org_id FROM project WHERE id = ? AND deleted_at IS NULL",
                     "s", project_id);
    if (rc < 0) return rc;
    if (rc == DB_DONE) return ms_fail(err, MS_ENOTFOUND, NULL, "No such project.");
    ms_strlcpy(org_id, db_col_text(st, 0), MS_ID_LEN);
    db_done(st);
    return 0;
}

int asset_access(ms_req *r, const char *id, ms_level need, char project_id[MS_ID_LEN],
                 char org_id[MS_ID_LEN])
{
    if (!ms_uuid_valid(id)) return ms_req_fail(r, MS_ENOTFOUND, NULL, "No such asset.");
    db_stmt *st;
    int rc = db_query_row(r->db, &st, &r->err,
                          "SELECT a.project_id, p.org_id FROM asset a JOIN project p ON "
                          "p.id = a.project_id WHERE a.id = ? AND a.deleted_at IS NULL AND "
                          "p.deleted_at IS NULL",
                          "s", id);
    if (rc < 0) return rc;
    if (rc == DB_DONE) return ms_req_fail(r, MS_ENOTFOUND, NULL, "No such asset.");
    ms_strlcpy(project_id, db_col_text(st, 0), MS_ID_LEN);
    ms_strlcpy(org_id, db_col_text(st, 1), MS_ID_LEN);
    db_done(st);
    ms_access a;
    rc = authz_project(r->db, r->caller, project_id, &a, &r->err);
    if (rc == MS_ENOTFOUND) {
        ms_error_clear(&r->err);
        return ms_req_fail(r, MS_ENOTFOUND, NULL, "No such asset.");
    }
    if (rc) return rc;
    if (a.level < need)
        return ms_req_fail(r, MS_EFORBIDDEN, NULL,
                           "Your role in this project (%s) may not change its assets.", a.role);
    return 0;
}

int assets_event(db_conn *c, const char *actor_id, const char *action, const char *object_type,
                 const char *object_id, const char *project_id, const char *org_id, json_t *data,
                 ms_error *err, const char *fmt, ...)
{
    ms_event ev = {.actor_id = actor_id,
                   .action = action,
                   .object_type = object_type,
                   .object_id = object_id,
                   .org_id = org_id,
                   .project_id = project_id,
                   .data = data};
    va_list ap;
    va_start(ap, fmt);
    int rc = event_vappendf(c, &ev, err, fmt, ap);
    va_end(ap);
    return rc;
}

/* ---- Reading. ---- */

#define ASSET_COLS                                                                                 \
    "a.id, a.project_id, a.folder, a.name, a.kind, a.sequence, a.tags AS tags_json, "              \
    "a.fields AS fields_json, a.current_number, a.latest_number, a.created_by, a.created_at, "     \
    "a.updated_at, a.version, v.id AS version_id, v.size, v.digest, v.filename, "                  \
    "v.uploaded_by, v.created_at AS version_created_at, v.probe_state, v.container, "              \
    "v.duration, v.width, v.height, v.fps, v.video_codec, v.video_profile, v.hdr, "                \
    "v.audio_codec, v.audio_channels, v.sample_rate, "                                             \
    "(SELECT d.state FROM derivative d WHERE d.version_id = v.id AND d.kind = 'thumbnail') "       \
    "AS thumbnail_state, "                                                                         \
    "(SELECT d.state FROM derivative d WHERE d.version_id = v.id AND d.kind = 'proxy') "           \
    "AS proxy_state"
#define ASSET_FROM                                                                                 \
    " FROM asset a JOIN asset_version v ON v.asset_id = a.id AND v.number = a.current_number"

/* The links of an asset's JSON (content, and the thumbnail and proxy once they are made). */
static void asset_links(ms_req *r, json_t *o)
{
    const char *id = json_string_value(json_object_get(o, "id"));
    json_object_set_new(o, "content_url",
                        json_string(ms_arena_printf(r->arena, "/api/v1/assets/%s/content", id)));
    const char *ts = json_string_value(json_object_get(o, "thumbnail_state"));
    if (ts && !strcmp(ts, "done"))
        json_object_set_new(
            o, "thumbnail_url",
            json_string(ms_arena_printf(r->arena, "/api/v1/assets/%s/derivatives/thumbnail", id)));
    const char *ps = json_string_value(json_object_get(o, "proxy_state"));
    if (ps && !strcmp(ps, "done"))
        json_object_set_new(
            o, "proxy_url",
            json_string(ms_arena_printf(r->arena, "/api/v1/assets/%s/derivatives/proxy", id)));
}

int asset_reply(ms_req *r, int status, const char *id)
{
    db_stmt *st;
    int rc = db_query_row(r->db, &st, &r->err, "SELECT " ASSET_COLS ASSET_FROM " WHERE a.id = ?",
                          "s", id);
    if (rc < 0) return rc;
    if (rc == DB_DONE) return ms_req_fail(r, MS_ENOTFOUND, NULL, "No such asset.");
    json_t *o = db_row_json(st);
    asset_links(r, o);
    db_done(st);
    /* Derivatives of the current version, with their states and errors. */
    json_t *ders = json_object();
    rc = db_query(r->db, &st, &r->err,
                  "SELECT kind, state, mime, size, meta AS meta_json, error, updated_at "
                  "FROM derivative WHERE version_id = ? ORDER BY kind",
                  "s", json_string_value(json_object_get(o, "version_id")));
    if (!rc) {
        while ((rc = db_step(st, &r->err)) == DB_ROW) {
            json_t *d = db_row_json(st);
            json_object_set(ders, db_col_text(st, 0), d);
            json_decref(d);
        }
        db_done(st);
    }
    json_object_set_new(o, "derivatives", ders);
    if (rc < 0) {
        json_decref(o);
        return rc;
    }
    rc = db_query_row(r->db, &st, &r->err,
                      "SELECT probe AS probe_json, probe_error FROM asset_version WHERE id = ?",
                      "s", json_string_value(json_object_get(o, "version_id")));
    if (rc < 0) {
        json_decref(o);
        return rc;
    }
    if (rc == DB_ROW) {
        json_t *p = db_row_json(st);
        json_object_update(o, p);
        json_decref(p);
        db_done(st);
    }
    ms_reply_etag(r, json_integer_value(json_object_get(o, "version")));
    return ms_reply(r, status, o);
}

int h_assets_get(ms_req *r)
{
    char pid[MS_ID_LEN], oid[MS_ID_LEN];
    const char *id = ms_req_param(r, "id");
    int rc = asset_access(r, id, LEVEL_VIEW, pid, oid);
    return rc ? rc : asset_reply(r, 200, id);
}

/* GET /projects/{id}/assets */
int h_assets_list(ms_req *r)
{
    static const char *const allowed[] = {
        "limit",        "cursor",        "folder",      "recursive",  "kind",
        "name",         "tag",           "min_width",   "min_height", "hdr",
        "video_codec",  "video_profile", "fps",         "container",  "audio_codec",
        "min_duration", "max_duration",  "probe_state", "digest",     NULL};
    int limit, rc;
    char cursor[MS_ID_LEN + 1];
    if ((rc = ms_req_query_only(r, allowed)) ||
        (rc = ms_req_page(r, &limit, cursor, sizeof cursor)))
        return rc;
    const char *pid = ms_req_param(r, "id");
    ms_buf sql;
    ms_buf_init(&sql);
    ms_buf_puts(&sql, "SELECT " ASSET_COLS ASSET_FROM
                      " WHERE a.project_id = ? AND a.deleted_at IS NULL AND a.id > ?");
    db_arg args[32];
    int n = 0;
    args[n++] = DB_ARG_S(pid);
    args[n++] = DB_ARG_S(cursor);
    const char *folder = ms_req_query(r, "folder");
    if (folder) {
        char norm[1100];
        if (folder_normalize(folder, norm, sizeof norm, &r->err)) {
            ms_buf_free(&sql);
            return ms_req_fail(r, MS_EBADREQ, "bad-query", "%s", "folder: bad folder path.");
        }
        const char *rec = ms_req_query(r, "recursive");
        if (rec && !strcmp(rec, "true")) {
            if (strcmp(norm, "/") != 0) { /* the root recursively is everything */
                /* substr, not LIKE: folder names are case-sensitive on every engine. */
                ms_buf_puts(&sql,
                            " AND (a.folder = ? OR substr(a.folder, 1, CAST(? AS INTEGER)) = ?)");
                args[n++] = DB_ARG_S(ms_arena_strdup(r->arena, norm));
                args[n++] = DB_ARG_I((int64_t)ms_utf8_chars(norm) + 1);
                args[n++] = DB_ARG_S(ms_arena_printf(r->arena, "%s/", norm));
            }
        } else {
            ms_buf_puts(&sql, " AND a.folder = ?");
            args[n++] = DB_ARG_S(ms_arena_strdup(r->arena, norm));
        }
    }
    const char *kind = ms_req_query(r, "kind");
    if (kind) {
        bool ok = false;
        for (int i = 0; asset_kinds[i]; i++)
            ok |= !strcmp(kind, asset_kinds[i]);
        if (!ok) {
            ms_buf_free(&sql);
            return ms_req_fail(r, MS_EBADREQ, "bad-query",
                               "kind must be video, audio, image, image_sequence, subtitle, "
                               "document or other.");
        }
        ms_buf_puts(&sql, " AND a.kind = ?");
        args[n++] = DB_ARG_S(kind);
    }
    const char *name = ms_req_query(r, "name");
    if (name && *name) {
        ms_buf_puts(&sql, " AND LOWER(a.name) LIKE ? ESCAPE '\\'");
        args[n++] = DB_ARG_S(db_like_pattern(r->arena, name));
    }
    const char *tag = ms_req_query(r, "tag");
    if (tag && *tag) {
        /* Tags are a JSON array of strings: match the quoted element. */
        ms_buf_puts(&sql, " AND a.tags LIKE ? ESCAPE '\\'");
        json_t *js = json_string(tag);
        char *q = json_dumps(js, JSON_ENCODE_ANY);
        json_decref(js);
        args[n++] = DB_ARG_S(db_like_pattern(r->arena, q ? q : ""));
        free(q);
    }
    static const struct {
        const char *param, *sql;
        char type;
    } filters[] = {
        {"min_width", " AND v.width >= ?", 'I'},
        {"min_height", " AND v.height >= ?", 'I'},
        {"video_codec", " AND v.video_codec = ?", 's'},
        {"video_profile", " AND v.video_profile = ?", 's'},
        {"fps", " AND v.fps = ?", 's'},
        {"container", " AND v.container = ?", 's'},
        {"audio_codec", " AND v.audio_codec = ?", 's'},
        {"min_duration", " AND v.duration >= ?", 'I'},
        {"max_duration", " AND v.duration <= ?", 'I'},
        {"probe_state", " AND v.probe_state = ?", 's'},
        {"digest", " AND v.digest = ?", 's'},
    };
    for (size_t i = 0; i < sizeof filters / sizeof filters[0]; i++) {
        const char *v = ms_req_query(r, filters[i].param);
        if (!v) continue;
        if (filters[i].type == 'I') {
            int64_t x;
            if ((rc = ms_req_query_int(r, filters[i].param, 0, 0, 1000000000, &x))) {
                ms_buf_free(&sql);
                return rc;
            }
            args[n++] = DB_ARG_I(x);
        } else {
            args[n++] = DB_ARG_S(v);
        }
        ms_buf_puts(&sql, filters[i].sql);
    }
    const char *hdr = ms_req_query(r, "hdr");
    if (hdr) {
        if (!strcmp(hdr, "any"))
            ms_buf_puts(&sql, " AND v.hdr IS NOT NULL");
        else if (!strcmp(hdr, "none"))
            ms_buf_puts(&sql, " AND v.hdr IS NULL");
        else {
            ms_buf_puts(&sql, " AND v.hdr = ?");
            args[n++] = DB_ARG_S(hdr);
        }
    }
    ms_buf_puts(&sql, " ORDER BY a.id LIMIT ?");
    args[n++] = DB_ARG_I(limit + 1);
    if (sql.oom) {
        ms_buf_free(&sql);
        return ms_req_fail(r, MS_ENOMEM, NULL, "out of memory");
    }
    db_stmt *st;
    rc = db_query_args(r->db, &st, &r->err, sql.data, args, n);
    ms_buf_free(&sql);
    return rc ? rc : auth_reply_page(r, st, limit, "id", asset_links);
}

/* ---- Changing. ---- */

static const ms_jfield asset_update_fields[] = {
    {"name", MS_J_STRING, false, false, 1, 255, NULL},
    {"folder", MS_J_STRING, false, false, 0, 1024, NULL},
    {"tags", MS_J_ARRAY, false, false, 0, 100, NULL},
    {"fields", MS_J_OBJECT, false, false, 0, 100, NULL},
    {"kind", MS_J_ENUM, false, false, 0, 0, asset_kinds},
    {0},
};

int h_assets_update(ms_req *r)
{
    const char *id = ms_req_param(r, "id");
    char pid[MS_ID_LEN], oid[MS_ID_LEN];
    if (ms_json_check(r->body, asset_update_fields, &r->err)) return r->err.code;
    int rc = asset_access(r, id, LEVEL_EDIT, pid, oid);
    if (rc) return rc;
    db_stmt *st;
    rc =
        db_query_row(r->db, &st, &r->err,
                     "SELECT version, folder, name, tags, fields FROM asset WHERE id = ?", "s", id);
    if (rc < 0) return rc;
    int64_t ver = db_col_int(st, 0);
    char folder[1100], name[300];
    ms_strlcpy(folder, db_col_text(st, 1), sizeof folder);
    ms_strlcpy(name, db_col_text(st, 2), sizeof name);
    db_done(st);
    if ((rc = ms_req_check_version(r, ver))) return rc;
    const char *nname = ms_json_str(r->body, "name");
    if (nname && (rc = filename_check(nname, "name", &r->err))) return rc;
    if (nname) ms_strlcpy(name, nname, sizeof name);
    const char *nfolder = ms_json_str(r->body, "folder");
    if (nfolder && (rc = folder_normalize(nfolder, folder, sizeof folder, &r->err))) return rc;
    json_t *tags = json_object_get(r->body, "tags");
    char *tags_text = NULL;
    if (tags) {
        size_t i;
        json_t *t;
        json_array_foreach(tags, i, t)
        {
            const char *s = json_string_value(t);
            if (!s || !*s || strlen(s) > 64 || !ms_str_is_clean_text(s, 64, false))
                return ms_field_fail(&r->err, "tags",
                                     "must be strings of 1 to 64 characters without control "
                                     "characters");
        }
        tags_text = json_dumps(tags, JSON_COMPACT);
    }
    json_t *fields = json_object_get(r->body, "fields");
    char *fields_text = fields ? json_dumps(fields, JSON_COMPACT) : NULL;
    if (fields_text && strlen(fields_text) > 16384) {
        free(fields_text);
        free(tags_text);
        return ms_field_fail(&r->err, "fields", "must be at most 16 KiB of JSON");
    }
    char now[MS_TIME_LEN];
    ms_now_str(now);
    rc = db_exec(r->db, &r->err,
                 "UPDATE asset SET name = ?, folder = ?, tags = COALESCE(?, tags), "
                 "fields = COALESCE(?, fields), kind = COALESCE(?, kind), updated_at = ?, "
                 "version = version + 1 WHERE id = ?",
                 "sssssss", name, folder, tags_text, fields_text, ms_json_str(r->body, "kind"), now,
                 id);
    free(tags_text);
    free(fields_text);
    if (rc < 0) {
        if (r->err.code == MS_ECONFLICT || strstr(r->err.detail, "UNIQUE") ||
            strstr(r->err.detail, "unique"))
            return ms_req_fail(r, MS_ECONFLICT, "name-taken",
                               "An asset with this name already exists in that folder.");
        return rc;
    }
    if ((rc = assets_event(r->db, r->caller->user_id, "asset.updated", "asset", id, pid, oid, NULL,
                           &r->err, "%s updated", name)))
        return rc;
    return asset_reply(r, 200, id);
}

int h_assets_delete(ms_req *r)
{
    const char *id = ms_req_param(r, "id");
    char pid[MS_ID_LEN], oid[MS_ID_LEN];
    int rc = asset_access(r, id, LEVEL_EDIT, pid, oid);
    if (rc) return rc;
    db_stmt *st;
    rc = db_query_row(r->db, &st, &r->err, "SELECT version, name FROM asset WHERE id = ?", "s", id);
    if (rc < 0) return rc;
    int64_t ver = db_col_int(st, 0);
    char name[300];
    ms_strlcpy(name, db_col_text(st, 1), sizeof name);
    db_done(st);
    if ((rc = ms_req_check_version(r, ver))) return rc;
    char now[MS_TIME_LEN];
    ms_now_str(now);
    rc = db_exec(r->db, &r->err,
                 "UPDATE asset SET deleted_at = ?, updated_at = ?, version = version + 1 "
                 "WHERE id = ?",
                 "sss", now, now, id);
    if (rc < 0) return rc;
    /* Its share links stop working at once. */
    if ((rc = db_exec(r->db, &r->err,
                      "UPDATE share SET revoked_at = ? WHERE asset_id = ? AND revoked_at IS NULL",
                      "ss", now, id)) < 0)
        return rc;
    if ((rc = assets_event(r->db, r->caller->user_id, "asset.deleted", "asset", id, pid, oid, NULL,
                           &r->err, "%s deleted", name)))
        return rc;
    return ms_reply_empty(r);
}

/* ---- Versions. ---- */

#define VERSION_COLS                                                                               \
    "v.id, v.number, v.filename, v.size, v.digest, v.chunks, v.kind, v.uploaded_by, "              \
    "u.display_name AS uploaded_by_name, v.created_at, v.comment, v.restored_from, "               \
    "v.probe_state, v.probe_error, v.container, v.duration, v.width, v.height, v.fps, "            \
    "v.video_codec, v.video_profile, v.hdr, v.audio_codec, v.audio_channels, v.sample_rate"
#define VERSION_FROM " FROM asset_version v LEFT JOIN user_account u ON u.id = v.uploaded_by"

int h_asset_versions(ms_req *r)
{
    const char *id = ms_req_param(r, "id");
    char pid[MS_ID_LEN], oid[MS_ID_LEN];
    int rc = asset_access(r, id, LEVEL_VIEW, pid, oid);
    if (rc) return rc;
    db_stmt *st;
    rc =
        db_query(r->db, &st, &r->err,
                 "SELECT " VERSION_COLS VERSION_FROM " WHERE v.asset_id = ? ORDER BY v.number DESC",
                 "s", id);
    if (rc) return rc;
    json_t *items = json_array();
    while ((rc = db_step(st, &r->err)) == DB_ROW) {
        json_t *o = db_row_json(st);
        json_object_set_new(
            o, "label", json_string(ms_arena_printf(r->arena, "v%03d", (int)db_col_int(st, 1))));
        json_array_append_new(items, o);
    }
    db_done(st);
    if (rc < 0) {
        json_decref(items);
        return rc;
    }
    return ms_reply_list(r, items, NULL);
}

static int load_version(ms_req *r, const char *asset_id, int number, json_t **out)
{
    db_stmt *st;
    int rc =
        db_query_row(r->db, &st, &r->err,
                     "SELECT " VERSION_COLS VERSION_FROM " WHERE v.asset_id = ? AND v.number = ?",
                     "si", asset_id, number);
    if (rc < 0) return rc;
    if (rc == DB_DONE)
        return ms_req_fail(r, MS_ENOTFOUND, "no-such-version", "This asset has no version %d.",
                           number);
    *out = db_row_json(st);
    db_done(st);
    return 0;
}

/* POST /assets/{id}/versions/{number}/restore: a new version with that version's content. */
int h_asset_restore(ms_req *r)
{
    const char *id = ms_req_param(r, "id");
    char pid[MS_ID_LEN], oid[MS_ID_LEN];
    int rc = asset_access(r, id, LEVEL_EDIT, pid, oid);
    if (rc) return rc;
    int64_t number;
    if (!ms_parse_int(ms_req_param(r, "number"), &number) || number < 1 || number > 1000000)
        return ms_req_fail(r, MS_ENOTFOUND, "no-such-version", "No such version.");
    json_t *old;
    if ((rc = load_version(r, id, (int)number, &old))) return rc;
    db_stmt *st;
    rc = db_query_row(r->db, &st, &r->err, "SELECT latest_number, name FROM asset WHERE id = ?",
                      "s", id);
    if (rc < 0) {
        json_decref(old);
        return rc;
    }
    int next = (int)db_col_int(st, 0) + 1;
    char name[300];
    ms_strlcpy(name, db_col_text(st, 1), sizeof name);
    db_done(st);
    char vid[MS_ID_LEN], now[MS_TIME_LEN];
    ms_uuid7(vid);
    ms_now_str(now);
    const char *old_id = json_string_value(json_object_get(old, "id"));
    char *comment = ms_arena_printf(r->arena, "Restored from v%03d", (int)number);
    rc = db_exec(r->db, &r->err,
                 "INSERT INTO asset_version (id, asset_id, number, filename, size, digest, chunks, "
                 "kind, uploaded_by, created_at, comment, restored_from, probe_state, probe_error, "
                 "probe, container, duration, width, height, fps, video_codec, video_profile, hdr, "
                 "audio_codec, audio_channels, sample_rate) SELECT ?, asset_id, ?, filename, size, "
                 "digest, chunks, kind, ?, ?, ?, number, 'pending', NULL, probe, container, "
                 "duration, width, height, fps, video_codec, video_profile, hdr, audio_codec, "
                 "audio_channels, sample_rate FROM asset_version WHERE id = ?",
                 "sissss", vid, next, r->caller->user_id, now, comment, old_id);
    if (rc >= 0)
        rc = db_exec(r->db, &r->err,
                     "INSERT INTO version_chunk (version_id, seq, digest, offset_bytes, size) "
                     "SELECT ?, seq, digest, offset_bytes, size FROM version_chunk "
                     "WHERE version_id = ?",
                     "ss", vid, old_id);
    if (rc >= 0)
        rc = db_exec(r->db, &r->err,
                     "UPDATE chunk SET seen_at = ? WHERE digest IN (SELECT digest FROM "
                     "version_chunk WHERE version_id = ?)",
                     "ss", now, vid);
    if (rc >= 0)
        rc = db_exec(r->db, &r->err,
                     "UPDATE asset SET latest_number = ?, current_number = ?, updated_at = ?, "
                     "version = version + 1 WHERE id = ?",
                     "iiss", next, next, now, id);
    json_decref(old);
    if (rc < 0) return rc;
    json_t *p = json_pack("{s:s}", "version_id", vid);
    ms_job_opts o = {.max_attempts = 3};
    rc = jobs_enqueue(r->db, "assets.probe", p, &o, NULL, &r->err);
    json_decref(p);
    if (rc) return rc;
    r->jobs_enqueued = true;
    json_t *data = json_pack("{s:I,s:i}", "from", (json_int_t)number, "number", next);
    rc = assets_event(r->db, r->caller->user_id, "asset.version_restored", "asset", id, pid, oid,
                      data, &r->err, "%s: v%03d restored as v%03d", name, (int)number, next);
    json_decref(data);
    if (rc) return rc;
    return asset_reply(r, 201, id);
}

/* GET /assets/{id}/compare?a=N&b=M: both versions' metadata, what differs, and how much of
 * their content they share (chunks in common). */
int h_asset_compare(ms_req *r)
{
    static const char *const allowed[] = {"a", "b", NULL};
    const char *id = ms_req_param(r, "id");
    char pid[MS_ID_LEN], oid[MS_ID_LEN];
    int rc = asset_access(r, id, LEVEL_VIEW, pid, oid);
    if (rc || (rc = ms_req_query_only(r, allowed))) return rc;
    int64_t a, b;
    if ((rc = ms_req_query_int(r, "a", 0, 1, 1000000, &a)) ||
        (rc = ms_req_query_int(r, "b", 0, 1, 1000000, &b)))
        return rc;
    if (!a || !b) return ms_req_fail(r, MS_EBADREQ, "bad-query", "Give both a and b (numbers).");
    json_t *va, *vb;
    if ((rc = load_version(r, id, (int)a, &va))) return rc;
    if ((rc = load_version(r, id, (int)b, &vb))) {
        json_decref(va);
        return rc;
    }
    static const char *const keys[] = {"filename",    "size",           "digest",        "kind",
                                       "container",   "duration",       "width",         "height",
                                       "fps",         "video_codec",    "video_profile", "hdr",
                                       "audio_codec", "audio_channels", "sample_rate",   NULL};
    json_t *diff = json_array();
    for (int i = 0; keys[i]; i++) {
        json_t *x = json_object_get(va, keys[i]), *y = json_object_get(vb, keys[i]);
        if (!json_equal(x ? x : json_null(), y ? y : json_null()))
            json_array_append_new(diff, json_pack("{s:s,s:O,s:O}", "field", keys[i], "a",
                                                  x ? x : json_null(), "b", y ? y : json_null()));
    }
    db_stmt *st;
    rc = db_query_row(r->db, &st, &r->err,
                      "SELECT COUNT(*), COALESCE(SUM(x.size), 0) FROM version_chunk x "
                      "WHERE x.version_id = ? AND x.digest IN (SELECT y.digest FROM version_chunk "
                      "y WHERE y.version_id = ?)",
                      "ss", json_string_value(json_object_get(vb, "id")),
                      json_string_value(json_object_get(va, "id")));
    if (rc < 0) {
        json_decref(va);
        json_decref(vb);
        json_decref(diff);
        return rc;
    }
    int64_t shared_chunks = db_col_int(st, 0), shared_bytes = db_col_int(st, 1);
    db_done(st);
    json_int_t bsize = json_integer_value(json_object_get(vb, "size"));
    json_t *o =
        json_pack("{s:o,s:o,s:o,s:{s:I,s:I,s:f}}", "a", va, "b", vb, "differences", diff, "shared",
                  "chunks", (json_int_t)shared_chunks, "bytes", (json_int_t)shared_bytes,
                  "fraction_of_b", bsize > 0 ? (double)shared_bytes / (double)bsize : 1.0);
    return ms_reply(r, 200, o);
}
