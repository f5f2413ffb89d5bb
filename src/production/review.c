/* review.c: versions and notes — the review of work submitted on a task.
 *
 * A version is an asset version of the asset library (pinned by number) submitted on a task,
 * numbered 1, 2, ... per task (the next number is read and written in the request's write
 * transaction, which SQLite runs one at a time and PostgreSQL runs serializable and retries
 * on a conflict; the unique index (task_id, number) is the last guard). Submitting may set the
 * task's status (the same rules as a PATCH) and writes a comment "Version N" with the asset
 * attached in the task's thread. A version has its own review status (pending, approved,
 * changes_requested), set by supervisors and clients.
 *
 * Timing: a version's frame rate is its entity's (fps), else the probed media's, else 24; its
 * frame count the probed media's (frames, else duration x rate), else the entity's frame
 * range; its start timecode the media's. Every timecode in and out goes through
 * core/timecode.h; at 29.97 and 59.94 all labels are drop-frame (';'). Frames count from 0,
 * the first frame of the media; a note's timecode is the start timecode plus its frame.
 *
 * Notes sit on a frame (or a range), with text and drawn annotations whose shapes are checked
 * strictly and stored normalized. Notes and decisions notify the submitter and the task's
 * watchers and append events (version.submitted, version.reviewed, note.created, ...).
 *
 * Not here: playlists (review_playlists.c), review links and the public review
 * (review_links.c). */
#include "assets/assets.h"
#include "core/timecode.h"
#include "production/prod_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SHAPES_MAX    200
#define POINTS_MAX    5000
#define NOTE_TEXT_MAX 5000
#define FRAME_MAX     100000000

/* ---- Timing. ---- */

static bool rate_from(const char *s, ms_rate *out)
{
    ms_rate r;
    if (!s || !*s || ms_rate_parse(s, &r, NULL) || ms_rate_check(r, out, NULL)) return false;
    return true;
}

void review_timing_make(const char *entity_fps, const char *media_fps, double duration,
                        const char *probe, const json_t *frame_in, const json_t *frame_out,
                        review_timing *t)
{
    memset(t, 0, sizeof *t);
    if (!rate_from(entity_fps, &t->rate) && !rate_from(media_fps, &t->rate))
        t->rate = (ms_rate){.num = 24, .den = 1};
    if (t->rate.den == 1)
        snprintf(t->fps, sizeof t->fps, "%d", t->rate.num);
    else
        snprintf(t->fps, sizeof t->fps, "%d/%d", t->rate.num, t->rate.den);
    t->drop = ms_rate_has_drop(t->rate);
    t->frame_count = -1;
    json_t *pj = probe ? json_loads(probe, 0, NULL) : NULL;
    json_t *sum = json_object_get(pj, "summary");
    json_t *frames = json_object_get(sum, "frames");
    if (json_is_integer(frames) && json_integer_value(frames) > 0)
        t->frame_count = json_integer_value(frames);
    else if (duration > 0 && duration < 1e7) /* beyond 115 days: not a duration */
        t->frame_count = llround(duration * t->rate.num / t->rate.den);
    else if (json_is_integer(frame_in) && json_is_integer(frame_out))
        t->frame_count = json_integer_value(frame_out) - json_integer_value(frame_in) + 1;
    const char *tc = json_string_value(json_object_get(sum, "timecode"));
    int64_t start;
    if (tc && !ms_tc_parse(tc, strlen(tc), t->rate, t->drop ? MS_TC_DROP : 0, &start, NULL, NULL)) {
        t->has_start = true;
        t->start = start;
    }
    json_decref(pj);
}

bool review_tc_of(const review_timing *t, int64_t frame, char out[MS_TC_LEN])
{
    return ms_tc_format((t->has_start ? t->start : 0) + frame, t->rate, t->drop ? MS_TC_DROP : 0,
                        out, NULL) == 0;
}

/* ---- Annotations. ---- */

static bool num01(const json_t *v)
{
    if (!json_is_number(v)) return false;
    double d = json_number_value(v);
    return isfinite(d) && d >= 0 && d <= 1;
}

static json_t *point_norm(const json_t *p)
{
    if (!json_is_array(p) || json_array_size(p) != 2 || !num01(json_array_get(p, 0)) ||
        !num01(json_array_get(p, 1)))
        return NULL;
    return json_pack("[f,f]", json_number_value(json_array_get(p, 0)),
                     json_number_value(json_array_get(p, 1)));
}

static bool keys_only(const json_t *o, const char *const *keys)
{
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)o, k, v)
    {
        bool ok = false;
        for (int i = 0; keys[i]; i++)
            ok |= !strcmp(k, keys[i]);
        if (!ok) return false;
    }
    return true;
}

static json_t *color_norm(const json_t *v)
{
    const char *c = json_string_value(v);
    if (!prod_color_valid(c)) return NULL;
    char low[8];
    for (int i = 0; i < 7; i++)
        low[i] = (char)((c[i] >= 'A' && c[i] <= 'F') ? c[i] + 32 : c[i]);
    low[7] = 0;
    return json_string(low);
}

static bool positive(const json_t *v, double max)
{
    if (!json_is_number(v)) return false;
    double d = json_number_value(v);
    return isfinite(d) && d > 0 && d <= max;
}

int review_shapes_check(ms_error *err, const json_t *in, json_t **out)
{
    *out = NULL;
    if (!json_is_array(in) || json_array_size(in) > SHAPES_MAX)
        return ms_field_fail(err, "annotations", "must be a list of at most %d shapes", SHAPES_MAX);
    static const char *const k_path[] = {"type", "points", "color", "width", NULL};
    static const char *const k_two[] = {"type", "from", "to", "color", "width", NULL};
    static const char *const k_text[] = {"type", "at", "text", "color", "size", NULL};
    json_t *norm = json_array();
    size_t i, points = 0;
    json_t *s;
    json_array_foreach(in, i, s)
    {
        char f[64];
        snprintf(f, sizeof f, "annotations[%zu]", i);
        const char *type = json_string_value(json_object_get(s, "type"));
        if (!json_is_object(s) || !type) {
            ms_field_fail(err, f, "must be a shape object with a type");
            goto fail;
        }
        json_t *o = json_pack("{s:s}", "type", type);
        json_array_append_new(norm, o);
        json_t *color = color_norm(json_object_get(s, "color"));
        if (!color) {
            snprintf(f, sizeof f, "annotations[%zu].color", i);
            ms_field_fail(err, f, "must be a colour #rrggbb");
            goto fail;
        }
        json_object_set_new(o, "color", color);
        if (!strcmp(type, "path")) {
            json_t *pts = json_object_get(s, "points");
            if (!keys_only(s, k_path) || !json_is_array(pts) || json_array_size(pts) < 1) {
                ms_field_fail(err, f, "a path is {type, points: [[x, y], ...], color, width}");
                goto fail;
            }
            points += json_array_size(pts);
            if (points > POINTS_MAX) {
                ms_field_fail(err, "annotations", "at most %d points in one note", POINTS_MAX);
                goto fail;
            }
            json_t *np = json_array();
            json_object_set_new(o, "points", np);
            size_t j;
            json_t *p;
            json_array_foreach(pts, j, p)
            {
                json_t *q = point_norm(p);
                if (!q) {
                    snprintf(f, sizeof f, "annotations[%zu].points[%zu]", i, j);
                    ms_field_fail(err, f, "must be [x, y] with 0 <= x, y <= 1");
                    goto fail;
                }
                json_array_append_new(np, q);
            }
        } else if (!strcmp(type, "line") || !strcmp(type, "arrow") || !strcmp(type, "rect") ||
                   !strcmp(type, "ellipse")) {
            json_t *a = point_norm(json_object_get(s, "from"));
            json_t *b = point_norm(json_object_get(s, "to"));
            if (!keys_only(s, k_two) || !a || !b) {
                json_decref(a);
                json_decref(b);
                ms_field_fail(err, f,
                              "a %s is {type, from: [x, y], to: [x, y], color, width} with 0 <= "
                              "x, y <= 1",
                              type);
                goto fail;
            }
            json_object_set_new(o, "from", a);
            json_object_set_new(o, "to", b);
            points += 2;
        } else if (!strcmp(type, "text")) {
            json_t *at = point_norm(json_object_get(s, "at"));
            const char *text = json_string_value(json_object_get(s, "text"));
            if (!keys_only(s, k_text) || !at || !text || !*text || ms_utf8_chars(text) > 500 ||
                !ms_str_is_clean_text(text, 2000, true)) {
                json_decref(at);
                ms_field_fail(err, f,
                              "a text is {type, at: [x, y], text: 1-500 characters, color, "
                              "size}");
                goto fail;
            }
            json_object_set_new(o, "at", at);
            json_object_set_new(o, "text", json_string(text));
            points += 1;
        } else {
            snprintf(f, sizeof f, "annotations[%zu].type", i);
            ms_field_fail(err, f, "must be path, line, arrow, rect, ellipse or text");
            goto fail;
        }
        const char *wk = !strcmp(type, "text") ? "size" : "width";
        json_t *w = json_object_get(s, wk);
        if (!positive(w, 100)) {
            snprintf(f, sizeof f, "annotations[%zu].%s", i, wk);
            ms_field_fail(err, f, "must be a number above 0 and at most 100");
            goto fail;
        }
        json_object_set_new(o, wk, json_real(json_number_value(w)));
        if (points > POINTS_MAX) {
            ms_field_fail(err, "annotations", "at most %d points in one note", POINTS_MAX);
            goto fail;
        }
    }
    *out = norm;
    return 0;
fail:
    json_decref(norm);
    return MS_EINVAL;
}

/* The frame of a note from {frame} or {timecode}, and frame_out: within the media. */
int review_note_position(ms_error *err, const json_t *b, const review_timing *t, int64_t *frame,
                         int64_t *frame_out)
{
    bool has_f = json_is_integer(json_object_get(b, "frame"));
    const char *tc = ms_json_str(b, "timecode");
    if (has_f == (tc != NULL)) return ms_field_fail(err, "frame", "give frame or timecode");
    if (tc) {
        int64_t abs;
        ms_error e;
        ms_error_clear(&e);
        if (ms_tc_parse(tc, strlen(tc), t->rate, t->drop ? MS_TC_DROP : 0, &abs, NULL, &e))
            return ms_field_fail(err, "timecode", "is not a timecode at %s fps%s: %s", t->fps,
                                 t->drop ? " (drop-frame, HH:MM:SS;FF)" : "", e.detail);
        *frame = abs - (t->has_start ? t->start : 0);
        if (*frame < 0) return ms_field_fail(err, "timecode", "is before the start of the media");
    } else {
        *frame = ms_json_int(b, "frame", 0);
    }
    const char *fname = tc ? "timecode" : "frame";
    if (t->frame_count >= 0 && *frame >= t->frame_count)
        return ms_field_fail(err, fname, "is past the last frame (the media has %lld frames)",
                             (long long)t->frame_count);
    *frame_out = -1;
    json_t *fo = json_object_get(b, "frame_out");
    if (json_is_integer(fo)) {
        *frame_out = json_integer_value(fo);
        if (*frame_out < *frame)
            return ms_field_fail(err, "frame_out", "must not be before the note's frame");
        if (t->frame_count >= 0 && *frame_out >= t->frame_count)
            return ms_field_fail(err, "frame_out",
                                 "is past the last frame (the media has %lld frames)",
                                 (long long)t->frame_count);
    }
    return 0;
}

/* ---- Versions. ---- */

#define VERSION_COLS                                                                               \
    "v.id, v.project_id, v.task_id, v.number, v.asset_id, v.asset_version, v.text, "               \
    "v.submitted_by, su.display_name AS submitted_by_name, v.created_at, v.review_status, "        \
    "v.reviewed_by, v.reviewed_at, v.comment_id, v.version, t.entity_id, e.name AS entity_name, "  \
    "pe.name AS parent_name, tt.name AS task_type_name, a.name AS asset_name, (SELECT COUNT(*) "   \
    "FROM review_note n WHERE n.version_id = v.id) AS note_count, e.fps AS x_entity_fps, av.fps "  \
    "AS x_media_fps, av.duration AS x_duration, av.probe AS x_probe, e.frame_in AS x_frame_in, "   \
    "e.frame_out AS x_frame_out, (SELECT d.state FROM derivative d WHERE d.version_id = av.id "    \
    "AND "                                                                                         \
    "d.kind = 'proxy') AS x_proxy, (SELECT d.state FROM derivative d WHERE d.version_id = av.id "  \
    "AND d.kind = 'thumbnail') AS x_thumbnail, (SELECT d.state FROM derivative d WHERE "           \
    "d.version_id = av.id AND d.kind = 'filmstrip') AS x_filmstrip, (SELECT d.state FROM "         \
    "derivative d WHERE d.version_id = av.id AND d.kind = 'waveform') AS x_waveform, (SELECT "     \
    "d.meta FROM derivative d WHERE d.version_id = av.id AND d.kind = 'filmstrip' AND d.state = "  \
    "'done') AS filmstrip_meta_json"
#define VERSION_FROM                                                                               \
    " FROM review_version v JOIN task t ON t.id = v.task_id JOIN entity e ON e.id = t.entity_id "  \
    "AND e.deleted_at IS NULL LEFT JOIN entity pe ON pe.id = e.parent_id JOIN task_type tt ON "    \
    "tt.id = t.task_type_id JOIN user_account su ON su.id = v.submitted_by JOIN asset a ON a.id "  \
    "= v.asset_id LEFT JOIN asset_version av ON av.asset_id = v.asset_id AND av.number = "         \
    "v.asset_version"

static const char *const media_kinds[] = {"proxy", "thumbnail", "filmstrip", "waveform", NULL};

/* Turn the helper columns (x_...) of a version row into fps, frame_count, start_timecode and
 * media URLs: the session's (share_token NULL) or a share link's. */
static void version_finish(ms_req *r, json_t *o, const char *share_token, const char *access,
                           review_timing *out)
{
    review_timing t;
    json_t *dur = json_object_get(o, "x_duration");
    review_timing_make(json_string_value(json_object_get(o, "x_entity_fps")),
                       json_string_value(json_object_get(o, "x_media_fps")),
                       json_is_number(dur) ? json_number_value(dur) : 0,
                       json_string_value(json_object_get(o, "x_probe")),
                       json_object_get(o, "x_frame_in"), json_object_get(o, "x_frame_out"), &t);
    json_object_set_new(o, "fps", json_string(t.fps));
    json_object_set_new(o, "frame_count",
                        t.frame_count >= 0 ? json_integer(t.frame_count) : json_null());
    char tc[MS_TC_LEN];
    json_object_set_new(o, "start_timecode",
                        t.has_start && review_tc_of(&t, 0, tc) ? json_string(tc) : json_null());
    json_t *media = json_object();
    const char *id = json_string_value(json_object_get(o, "id"));
    for (int i = 0; media_kinds[i]; i++) {
        char key[24];
        snprintf(key, sizeof key, "x_%s", media_kinds[i]);
        const char *state = json_string_value(json_object_get(o, key));
        const char *url = NULL;
        if (state && !strcmp(state, "done")) {
            if (share_token)
                url =
                    ms_arena_printf(r->arena, "/api/v1/shares/%s/%s%s%s", share_token,
                                    media_kinds[i], access ? "?access=" : "", access ? access : "");
            else
                url = ms_arena_printf(r->arena, "/api/v1/versions/%s/media/%s", id, media_kinds[i]);
        }
        json_object_set_new(media, media_kinds[i], url ? json_string(url) : json_null());
        json_object_del(o, key);
    }
    json_object_set_new(o, "media", media);
    static const char *const helpers[] = {"x_entity_fps", "x_media_fps", "x_duration", "x_probe",
                                          "x_frame_in",   "x_frame_out", NULL};
    for (int i = 0; helpers[i]; i++)
        json_object_del(o, helpers[i]);
    if (out) *out = t;
}

int review_version_json(ms_req *r, const char *id, const char *share_token, const char *access,
                        json_t **out, review_timing *timing)
{
    db_stmt *st;
    int rc = db_query_row(r->db, &st, &r->err,
                          "SELECT " VERSION_COLS VERSION_FROM " WHERE v.id = ?", "s", id);
    if (rc < 0) return rc;
    if (rc == DB_DONE) return ms_req_fail(r, MS_ENOTFOUND, NULL, "No such version.");
    *out = db_row_json(st);
    db_done(st);
    version_finish(r, *out, share_token, access, timing);
    return 0;
}

int review_version_scope(ms_req *r, const char *id, prod_scope *s, char task_id[MS_ID_LEN])
{
    int rc = prod_scope_of(r,
                           "SELECT v.project_id FROM review_version v JOIN task t ON t.id = "
                           "v.task_id JOIN entity e ON e.id = t.entity_id AND e.deleted_at IS "
                           "NULL WHERE v.id = ?",
                           id, "version", s);
    if (rc) return rc;
    db_stmt *st;
    rc = db_query_row(r->db, &st, &r->err, "SELECT task_id FROM review_version WHERE id = ?", "s",
                      id);
    if (rc < 0) return rc;
    if (rc == DB_DONE) return ms_req_fail(r, MS_ENOTFOUND, NULL, "No such version.");
    ms_strlcpy(task_id, db_col_text(st, 0), MS_ID_LEN);
    db_done(st);
    if ((rc = prod_task_visible(r, s, task_id))) {
        ms_error_clear(&r->err);
        return ms_req_fail(r, MS_ENOTFOUND, NULL, "No such version.");
    }
    return 0;
}

static int version_reply(ms_req *r, int status, const char *id)
{
    json_t *o;
    int rc = review_version_json(r, id, NULL, NULL, &o, NULL);
    if (rc) return rc;
    ms_reply_etag(r, json_integer_value(json_object_get(o, "version")));
    if (status == 201)
        ms_reply_header(r, "Location", ms_arena_printf(r->arena, "/api/v1/versions/%s", id));
    return ms_reply(r, status, o);
}

static void version_list_finish(ms_req *r, json_t *o)
{
    version_finish(r, o, NULL, NULL, NULL);
}

/* GET /tasks/{id}/versions: newest first. */
int h_versions_list(ms_req *r)
{
    static const char *const allowed[] = {NULL};
    int rc = ms_req_query_only(r, allowed);
    if (rc) return rc;
    const char *id = ms_req_param(r, "id");
    prod_scope s;
    if ((rc = prod_task_scope(r, id, &s))) return rc;
    db_stmt *st;
    rc = db_query(r->db, &st, &r->err,
                  "SELECT " VERSION_COLS VERSION_FROM " WHERE v.task_id = ? ORDER BY v.number DESC",
                  "s", id);
    if (rc) return rc;
    return prod_reply_rows(r, st, version_list_finish);
}

/* GET /projects/{id}/versions?review_status=&task_type_id=&entity_id=&submitted_by=: every
 * version of the project the caller sees, newest first (to build playlists from). */
int h_project_versions(ms_req *r)
{
    static const char *const allowed[] = {
        "limit", "cursor", "review_status", "entity_id", "task_type_id", "submitted_by", NULL};
    int limit;
    char cursor[MS_ID_LEN + 1];
    prod_scope s;
    int rc = prod_list_begin(r, allowed, &limit, cursor, &s);
    if (rc) return rc;
    const char *rs = ms_req_query(r, "review_status");
    if (rs && strcmp(rs, "pending") && strcmp(rs, "approved") && strcmp(rs, "changes_requested"))
        return ms_req_fail(r, MS_EBADREQ, "bad-query",
                           "review_status must be pending, approved or changes_requested.");
    ms_buf sql;
    ms_buf_init(&sql);
    db_arg args[16];
    int n = 0;
    ms_buf_puts(&sql, "SELECT " VERSION_COLS VERSION_FROM
                      " WHERE v.project_id = ? AND (? = '' OR v.id < ?)");
    args[n++] = DB_ARG_S(s.project_id);
    args[n++] = DB_ARG_S(cursor);
    args[n++] = DB_ARG_S(cursor);
    static const struct {
        const char *param, *sql;
    } eq[] = {{"review_status", " AND v.review_status = ?"},
              {"entity_id", " AND t.entity_id = ?"},
              {"task_type_id", " AND t.task_type_id = ?"},
              {"submitted_by", " AND v.submitted_by = ?"}};
    for (size_t i = 0; i < sizeof eq / sizeof eq[0]; i++) {
        const char *v = ms_req_query(r, eq[i].param);
        if (!v) continue;
        ms_buf_puts(&sql, eq[i].sql);
        args[n++] = DB_ARG_S(v);
    }
    prod_task_filter(&s, &sql, args, &n);
    ms_buf_puts(&sql, " ORDER BY v.id DESC LIMIT ?");
    args[n++] = DB_ARG_I(limit + 1);
    db_stmt *st;
    rc = sql.oom ? ms_req_fail(r, MS_ENOMEM, NULL, "out of memory")
                 : db_query_args(r->db, &st, &r->err, sql.data, args, n);
    ms_buf_free(&sql);
    if (rc) return rc;
    json_t *items = json_array();
    char last[MS_ID_LEN] = "";
    bool more = false;
    while ((rc = db_step(st, &r->err)) == DB_ROW) {
        if ((int)json_array_size(items) == limit) {
            more = true;
            break;
        }
        json_t *o = db_row_json(st);
        version_finish(r, o, NULL, NULL, NULL);
        ms_strlcpy(last, json_string_value(json_object_get(o, "id")), sizeof last);
        json_array_append_new(items, o);
    }
    db_done(st);
    if (rc < 0) {
        json_decref(items);
        return rc;
    }
    return ms_reply_list(r, items, more ? last : NULL);
}

static const ms_jfield version_fields[] = {
    {"asset_id", MS_J_ID, true, false, 0, 0, NULL},
    {"asset_version", MS_J_INT, false, false, 1, 1000000, NULL},
    {"text", MS_J_TEXT, false, false, 0, NOTE_TEXT_MAX, NULL},
    {"status_id", MS_J_ID, false, false, 0, 0, NULL},
    {0},
};

/* POST /tasks/{id}/versions: whoever works on the task (artists, vendors on their tasks,
 * supervisors) submits an asset version of the project. */
int h_versions_create(ms_req *r)
{
    if (ms_json_check(r->body, version_fields, &r->err)) return r->err.code;
    const json_t *b = r->body;
    const char *tid = ms_req_param(r, "id");
    prod_scope s;
    int rc = prod_task_scope(r, tid, &s);
    if (rc || (rc = prod_require(r, &s, PROD_VENDOR, "submit versions"))) return rc;
    const char *asset_id = ms_json_str(b, "asset_id");
    db_stmt *st;
    rc = db_query_row(r->db, &st, &r->err,
                      "SELECT current_number, name FROM asset WHERE id = ? AND project_id = ? AND "
                      "deleted_at IS NULL",
                      "ss", asset_id, s.project_id);
    if (rc < 0) return rc;
    if (rc == DB_DONE) return ms_field_fail(&r->err, "asset_id", "is not an asset of this project");
    int64_t number = ms_json_int(b, "asset_version", db_col_int(st, 0));
    db_done(st);
    rc = db_query_row(r->db, &st, &r->err,
                      "SELECT 1 FROM asset_version WHERE asset_id = ? AND number = ?", "sI",
                      asset_id, number);
    if (rc < 0) return rc;
    if (rc == DB_DONE)
        return ms_field_fail(&r->err, "asset_version", "the asset has no version %lld",
                             (long long)number);
    db_done(st);
    const char *sid = ms_json_str(b, "status_id");
    if (sid && (rc = prod_task_set_status(r, &s, tid, sid, "status_id"))) return rc;
    /* The next number of this task, in this write transaction (see the top of the file). */
    rc = db_query_row(r->db, &st, &r->err,
                      "SELECT COALESCE(MAX(number), 0) + 1 FROM review_version WHERE task_id = ?",
                      "s", tid);
    if (rc < 0) return rc;
    int64_t n = db_col_int(st, 0);
    db_done(st);
    const char *text = ms_json_str(b, "text") ? ms_json_str(b, "text") : "";
    char vid[MS_ID_LEN], cid[MS_ID_LEN], now[MS_TIME_LEN];
    ms_uuid7(vid);
    ms_uuid7(cid);
    ms_now_str(now);
    const char *ctext = *text ? ms_arena_printf(r->arena, "Version %lld: %s", (long long)n, text)
                              : ms_arena_printf(r->arena, "Version %lld", (long long)n);
    const char *att = ms_arena_printf(r->arena, "[\"%s\"]", asset_id);
    if ((rc = db_exec(r->db, &r->err,
                      "INSERT INTO task_comment (id, task_id, author_id, text, status_id, "
                      "checklist, attachments, created_at, updated_at) VALUES (?, ?, ?, ?, ?, "
                      "'[]', ?, ?, ?)",
                      "ssssssss", cid, tid, s.user_id, ctext, sid, att, now, now)) < 0)
        return rc;
    rc = db_exec(r->db, &r->err,
                 "INSERT INTO review_version (id, project_id, task_id, number, asset_id, "
                 "asset_version, text, submitted_by, comment_id, created_at, updated_at) VALUES "
                 "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                 "sssIsIsssss", vid, s.project_id, tid, n, asset_id, number, text, s.user_id, cid,
                 now, now);
    if (rc < 0) {
        if (prod_unique_violation(&r->err)) {
            ms_error_clear(&r->err);
            return ms_req_fail(r, MS_EBUSY, "serialization-conflict",
                               "Another version was submitted at the same moment; try again.");
        }
        return rc;
    }
    if ((rc = db_exec(r->db, &r->err,
                      "INSERT INTO task_follower (task_id, user_id) VALUES (?, ?) ON CONFLICT DO "
                      "NOTHING",
                      "ss", tid, s.user_id)) < 0)
        return rc;
    if ((rc = prod_notify_watchers(
             r, &s, tid, "version", cid,
             ms_arena_printf(r->arena, "submitted version %lld", (long long)n), NULL)))
        return rc;
    json_t *data = json_pack("{s:s,s:I,s:s,s:I}", "task_id", tid, "number", (json_int_t)n,
                             "asset_id", asset_id, "asset_version", (json_int_t)number);
    rc = prod_event(r, &s, "version.submitted", "version", vid, data, "version %lld submitted",
                    (long long)n);
    json_decref(data);
    return rc ? rc : version_reply(r, 201, vid);
}

int h_version_get(ms_req *r)
{
    const char *id = ms_req_param(r, "id");
    prod_scope s;
    char tid[MS_ID_LEN];
    int rc = review_version_scope(r, id, &s, tid);
    return rc ? rc : version_reply(r, 200, id);
}

/* GET /versions/{id}/media/{kind}: the pinned asset version's derivative, for the player. */
int h_version_media(ms_req *r)
{
    const char *id = ms_req_param(r, "id");
    prod_scope s;
    char tid[MS_ID_LEN];
    int rc = review_version_scope(r, id, &s, tid);
    if (rc) return rc;
    db_stmt *st;
    rc = db_query_row(r->db, &st, &r->err,
                      "SELECT asset_id, asset_version FROM review_version WHERE id = ?", "s", id);
    if (rc < 0) return rc;
    if (rc == DB_DONE) return ms_req_fail(r, MS_ENOTFOUND, NULL, "No such version.");
    char aid[MS_ID_LEN];
    ms_strlcpy(aid, db_col_text(st, 0), sizeof aid);
    int number = (int)db_col_int(st, 1);
    db_done(st);
    return assets_derivative_reply(r, aid, number, ms_req_param(r, "kind"));
}

static const char *const review_statuses[] = {"pending", "approved", "changes_requested", NULL};

static const ms_jfield review_fields[] = {
    {"review_status", MS_J_ENUM, true, false, 0, 0, review_statuses},
    {0},
};

/* PATCH /versions/{id} {review_status}: supervisors and clients decide; If-Match. */
int h_version_update(ms_req *r)
{
    if (ms_json_check(r->body, review_fields, &r->err)) return r->err.code;
    const char *id = ms_req_param(r, "id");
    prod_scope s;
    char tid[MS_ID_LEN];
    int rc = review_version_scope(r, id, &s, tid);
    if (rc) return rc;
    if (s.kind != PROD_SUPERVISOR && s.kind != PROD_CLIENT)
        return ms_req_fail(r, MS_EFORBIDDEN, "production-role",
                           "Your role in this project (%s) may not approve versions or ask for "
                           "changes: supervisors and clients do.",
                           s.role);
    db_stmt *st;
    rc = db_query_row(r->db, &st, &r->err,
                      "SELECT version, number, submitted_by FROM review_version WHERE id = ?", "s",
                      id);
    if (rc < 0) return rc;
    int64_t ver = db_col_int(st, 0), n = db_col_int(st, 1);
    char submitter[MS_ID_LEN];
    ms_strlcpy(submitter, db_col_text(st, 2), sizeof submitter);
    db_done(st);
    if ((rc = ms_req_check_version(r, ver))) return rc;
    const char *status = ms_json_str(r->body, "review_status");
    bool pending = !strcmp(status, "pending");
    char now[MS_TIME_LEN];
    ms_now_str(now);
    rc = db_exec(r->db, &r->err,
                 "UPDATE review_version SET review_status = ?, reviewed_by = ?, reviewed_at = ?, "
                 "updated_at = ?, version = version + 1 WHERE id = ?",
                 "sssss", status, pending ? NULL : s.user_id, pending ? NULL : now, now, id);
    if (rc < 0) return rc;
    const char *summary =
        !strcmp(status, "approved")
            ? ms_arena_printf(r->arena, "approved version %lld", (long long)n)
        : pending ? ms_arena_printf(r->arena, "set version %lld back to pending", (long long)n)
                  : ms_arena_printf(r->arena, "asked for changes on version %lld", (long long)n);
    json_t *skip = json_pack("[s]", submitter);
    if (!(rc = prod_notify(r, &s, submitter, "review", tid, NULL, summary)))
        rc = prod_notify_watchers(r, &s, tid, "review", NULL, summary, skip);
    json_decref(skip);
    if (rc) return rc;
    json_t *data = json_pack("{s:s,s:s,s:I}", "task_id", tid, "review_status", status, "number",
                             (json_int_t)n);
    rc = prod_event(r, &s, "version.reviewed", "version", id, data, "%s", summary);
    json_decref(data);
    return rc ? rc : version_reply(r, 200, id);
}

/* ---- Notes. ---- */

#define NOTE_COLS                                                                                  \
    "n.id, n.version_id, n.task_id, n.frame, n.frame_out, n.text, n.annotations AS "               \
    "annotations_json, n.author_id, COALESCE(u.display_name, n.guest_name) AS author_name, CASE "  \
    "WHEN n.author_id IS NULL THEN 1 ELSE 0 END AS guest, n.resolved, n.created_at, "              \
    "n.updated_at, n.version"
#define NOTE_FROM " FROM review_note n LEFT JOIN user_account u ON u.id = n.author_id"

static void note_finish(json_t *o, const review_timing *t)
{
    char tc[MS_TC_LEN];
    int64_t f = json_integer_value(json_object_get(o, "frame"));
    json_object_set_new(o, "timecode", review_tc_of(t, f, tc) ? json_string(tc) : json_null());
    json_object_set_new(o, "guest", json_boolean(json_integer_value(json_object_get(o, "guest"))));
    json_object_set_new(o, "resolved",
                        json_boolean(json_integer_value(json_object_get(o, "resolved"))));
}

int review_notes_json(ms_req *r, const char *version_id, const char *link_id,
                      const review_timing *t, json_t **out)
{
    db_stmt *st;
    int rc = link_id ? db_query(r->db, &st, &r->err,
                                "SELECT " NOTE_COLS NOTE_FROM " WHERE n.version_id = ? AND "
                                "n.link_id = ? ORDER BY n.frame, n.id",
                                "ss", version_id, link_id)
                     : db_query(r->db, &st, &r->err,
                                "SELECT " NOTE_COLS NOTE_FROM
                                " WHERE n.version_id = ? ORDER BY n.frame, n.id",
                                "s", version_id);
    if (rc) return rc;
    json_t *items = json_array();
    while ((rc = db_step(st, &r->err)) == DB_ROW) {
        json_t *o = db_row_json(st);
        note_finish(o, t);
        json_array_append_new(items, o);
    }
    db_done(st);
    if (rc < 0) {
        json_decref(items);
        return rc;
    }
    *out = items;
    return 0;
}

int review_note_json(ms_req *r, const char *id, const review_timing *t, json_t **out)
{
    db_stmt *st;
    int rc =
        db_query_row(r->db, &st, &r->err, "SELECT " NOTE_COLS NOTE_FROM " WHERE n.id = ?", "s", id);
    if (rc < 0) return rc;
    if (rc == DB_DONE) return ms_req_fail(r, MS_ENOTFOUND, NULL, "No such note.");
    *out = db_row_json(st);
    db_done(st);
    note_finish(*out, t);
    return 0;
}

/* The timing of a version (for notes). */
static int version_timing(ms_req *r, const char *version_id, review_timing *t)
{
    json_t *o;
    int rc = review_version_json(r, version_id, NULL, NULL, &o, t);
    json_decref(rc ? NULL : o);
    return rc;
}

/* GET /versions/{id}/notes: by frame, then creation. */
int h_notes_list(ms_req *r)
{
    static const char *const allowed[] = {NULL};
    int rc = ms_req_query_only(r, allowed);
    if (rc) return rc;
    const char *id = ms_req_param(r, "id");
    prod_scope s;
    char tid[MS_ID_LEN];
    review_timing t;
    json_t *items;
    if ((rc = review_version_scope(r, id, &s, tid)) || (rc = version_timing(r, id, &t)) ||
        (rc = review_notes_json(r, id, NULL, &t, &items)))
        return rc;
    return ms_reply_list(r, items, NULL);
}

const ms_jfield review_note_fields[] = {
    {"frame", MS_J_INT, false, false, 0, FRAME_MAX, NULL},
    {"timecode", MS_J_STRING, false, false, 1, 40, NULL},
    {"frame_out", MS_J_INT, false, true, 0, FRAME_MAX, NULL},
    {"text", MS_J_TEXT, false, false, 0, NOTE_TEXT_MAX, NULL},
    {"annotations", MS_J_ARRAY, false, false, 0, SHAPES_MAX, NULL},
    {0},
};

int review_note_insert(ms_req *r, const prod_scope *s, const char *version_id, const json_t *b,
                       const char *guest_name, const char *link_id, char id_out[MS_ID_LEN],
                       review_timing *t)
{
    int rc = version_timing(r, version_id, t);
    if (rc) return rc;
    int64_t frame, frame_out;
    json_t *ann = NULL;
    if ((rc = review_note_position(&r->err, b, t, &frame, &frame_out))) return rc;
    json_t *in = json_object_get(b, "annotations");
    if (in && (rc = review_shapes_check(&r->err, in, &ann))) return rc;
    const char *text = ms_json_str(b, "text") ? ms_json_str(b, "text") : "";
    if (!*text && !json_array_size(ann)) {
        json_decref(ann);
        return ms_field_fail(&r->err, "text", "a note needs text or annotations");
    }
    db_stmt *st;
    rc = db_query_row(r->db, &st, &r->err,
                      "SELECT task_id, number, submitted_by FROM review_version WHERE id = ?", "s",
                      version_id);
    if (rc < 0 || rc == DB_DONE) {
        json_decref(ann);
        return rc < 0 ? rc : ms_req_fail(r, MS_ENOTFOUND, NULL, "No such version.");
    }
    char tid[MS_ID_LEN], submitter[MS_ID_LEN];
    ms_strlcpy(tid, db_col_text(st, 0), sizeof tid);
    int64_t n = db_col_int(st, 1);
    ms_strlcpy(submitter, db_col_text(st, 2), sizeof submitter);
    db_done(st);
    char *annt = ann ? json_dumps(ann, JSON_COMPACT) : NULL;
    json_decref(ann);
    char now[MS_TIME_LEN];
    ms_now_str(now);
    ms_uuid7(id_out);
    rc = db_exec(r->db, &r->err,
                 "INSERT INTO review_note (id, version_id, project_id, task_id, frame, frame_out, "
                 "text, annotations, author_id, guest_name, link_id, created_at, updated_at) "
                 "VALUES (?, ?, ?, ?, ?, CAST(? AS INTEGER), ?, ?, ?, ?, ?, ?, ?)",
                 "ssssIssssssss", id_out, version_id, s->project_id, tid, frame,
                 frame_out >= 0 ? ms_arena_printf(r->arena, "%lld", (long long)frame_out) : NULL,
                 text, annt ? annt : "[]", guest_name ? NULL : s->user_id, guest_name, link_id, now,
                 now);
    free(annt);
    if (rc < 0) return rc;
    char tc[MS_TC_LEN] = "";
    review_tc_of(t, frame, tc);
    const char *summary =
        guest_name ? ms_arena_printf(r->arena, "%s (review link) noted version %lld at %s",
                                     guest_name, (long long)n, tc)
                   : ms_arena_printf(r->arena, "noted version %lld at %s", (long long)n, tc);
    json_t *skip = json_pack("[s]", submitter);
    if (!(rc = prod_notify(r, s, submitter, "note", tid, NULL, summary)))
        rc = prod_notify_watchers(r, s, tid, "note", NULL, summary, skip);
    json_decref(skip);
    if (rc) return rc;
    if (!guest_name &&
        (rc = db_exec(r->db, &r->err,
                      "INSERT INTO task_follower (task_id, user_id) VALUES (?, ?) ON CONFLICT DO "
                      "NOTHING",
                      "ss", tid, s->user_id)) < 0)
        return rc;
    json_t *data = json_pack("{s:s,s:s,s:I,s:b}", "version_id", version_id, "task_id", tid, "frame",
                             (json_int_t)frame, "guest", guest_name != NULL);
    rc = prod_event(r, s, "note.created", "note", id_out, data, "%s", summary);
    json_decref(data);
    return rc;
}

/* POST /versions/{id}/notes: whoever may comment on the task. */
int h_notes_create(ms_req *r)
{
    if (ms_json_check(r->body, review_note_fields, &r->err)) return r->err.code;
    const char *id = ms_req_param(r, "id");
    prod_scope s;
    char tid[MS_ID_LEN], nid[MS_ID_LEN];
    review_timing t;
    int rc = review_version_scope(r, id, &s, tid);
    if (rc) return rc;
    if (s.kind == PROD_VIEWER) return prod_require(r, &s, PROD_CLIENT, "write notes");
    if ((rc = review_note_insert(r, &s, id, r->body, NULL, NULL, nid, &t))) return rc;
    json_t *o;
    if ((rc = review_note_json(r, nid, &t, &o))) return rc;
    ms_reply_etag(r, 1);
    return ms_reply(r, 201, o);
}

/* The note, its version's scope and who may change it. */
typedef struct note_row {
    char version_id[MS_ID_LEN], task_id[MS_ID_LEN], author[MS_ID_LEN], submitter[MS_ID_LEN];
    int64_t version;
    bool resolved;
    char *text, *annotations;
} note_row;

static int note_load(ms_req *r, const char *id, prod_scope *s, note_row *n)
{
    memset(n, 0, sizeof *n);
    if (!ms_uuid_valid(id)) return ms_req_fail(r, MS_ENOTFOUND, NULL, "No such note.");
    db_stmt *st;
    int rc = db_query_row(r->db, &st, &r->err,
                          "SELECT n.version_id, COALESCE(n.author_id, ''), v.submitted_by, "
                          "n.version, n.resolved, n.text, n.annotations FROM review_note n JOIN "
                          "review_version v ON v.id = n.version_id WHERE n.id = ?",
                          "s", id);
    if (rc < 0) return rc;
    if (rc == DB_DONE) return ms_req_fail(r, MS_ENOTFOUND, NULL, "No such note.");
    ms_strlcpy(n->version_id, db_col_text(st, 0), sizeof n->version_id);
    ms_strlcpy(n->author, db_col_text(st, 1), sizeof n->author);
    ms_strlcpy(n->submitter, db_col_text(st, 2), sizeof n->submitter);
    n->version = db_col_int(st, 3);
    n->resolved = db_col_int(st, 4) != 0;
    n->text = ms_arena_strdup(r->arena, db_col_text(st, 5));
    n->annotations = ms_arena_strdup(r->arena, db_col_text(st, 6));
    db_done(st);
    rc = review_version_scope(r, n->version_id, s, n->task_id);
    if (rc == MS_ENOTFOUND) {
        ms_error_clear(&r->err);
        return ms_req_fail(r, MS_ENOTFOUND, NULL, "No such note.");
    }
    return rc;
}

static const ms_jfield note_update_fields[] = {
    {"text", MS_J_TEXT, false, false, 0, NOTE_TEXT_MAX, NULL},
    {"annotations", MS_J_ARRAY, false, false, 0, SHAPES_MAX, NULL},
    {"resolved", MS_J_BOOL, false, false, 0, 0, NULL},
    {0},
};

/* PATCH /notes/{id}: the author (or a supervisor) edits text and annotations; the author,
 * artists, supervisors and the version's submitter resolve. If-Match. */
int h_note_update(ms_req *r)
{
    if (ms_json_check(r->body, note_update_fields, &r->err)) return r->err.code;
    const json_t *b = r->body;
    const char *id = ms_req_param(r, "id");
    prod_scope s;
    note_row n;
    int rc = note_load(r, id, &s, &n);
    if (rc) return rc;
    bool author = !strcmp(n.author, s.user_id), sup = s.kind == PROD_SUPERVISOR;
    bool edit = ms_json_has(b, "text") || ms_json_has(b, "annotations");
    if (edit && !author && !sup)
        return ms_req_fail(r, MS_EFORBIDDEN, "production-role",
                           "Only the author of a note (or a supervisor) may change it.");
    if (ms_json_has(b, "resolved") && !author && !sup && s.kind != PROD_ARTIST &&
        strcmp(n.submitter, s.user_id) != 0)
        return ms_req_fail(r, MS_EFORBIDDEN, "production-role",
                           "Your role in this project (%s) may not resolve this note.", s.role);
    if ((rc = ms_req_check_version(r, n.version))) return rc;
    json_t *ann = NULL;
    if (json_object_get(b, "annotations") &&
        (rc = review_shapes_check(&r->err, json_object_get(b, "annotations"), &ann)))
        return rc;
    const char *text = ms_json_has(b, "text") ? ms_json_str(b, "text") : n.text;
    char *annt = ann ? json_dumps(ann, JSON_COMPACT) : NULL;
    bool empty_ann = ann ? json_array_size(ann) == 0 : !strcmp(n.annotations, "[]");
    json_decref(ann);
    if (!*text && empty_ann) {
        free(annt);
        return ms_field_fail(&r->err, "text", "a note needs text or annotations");
    }
    char now[MS_TIME_LEN];
    ms_now_str(now);
    rc = db_exec(r->db, &r->err,
                 "UPDATE review_note SET text = ?, annotations = ?, resolved = ?, updated_at = ?, "
                 "version = version + 1 WHERE id = ?",
                 "ssiss", text, annt ? annt : n.annotations,
                 (int)ms_json_bool(b, "resolved", n.resolved), now, id);
    free(annt);
    if (rc < 0) return rc;
    json_t *data = json_pack("{s:s,s:b,s:b,s:b}", "version_id", n.version_id, "text",
                             ms_json_has(b, "text"), "annotations", ms_json_has(b, "annotations"),
                             "resolved", ms_json_bool(b, "resolved", n.resolved));
    rc = prod_event(r, &s, "note.updated", "note", id, data, "note updated");
    json_decref(data);
    if (rc) return rc;
    review_timing t;
    json_t *o;
    if ((rc = version_timing(r, n.version_id, &t)) || (rc = review_note_json(r, id, &t, &o)))
        return rc;
    ms_reply_etag(r, json_integer_value(json_object_get(o, "version")));
    return ms_reply(r, 200, o);
}

/* DELETE /notes/{id}: the author or a supervisor. */
int h_note_delete(ms_req *r)
{
    const char *id = ms_req_param(r, "id");
    prod_scope s;
    note_row n;
    int rc = note_load(r, id, &s, &n);
    if (rc) return rc;
    if (strcmp(n.author, s.user_id) != 0 && s.kind != PROD_SUPERVISOR)
        return ms_req_fail(r, MS_EFORBIDDEN, "production-role",
                           "Only the author of a note (or a supervisor) may delete it.");
    if ((rc = ms_req_check_version(r, n.version))) return rc;
    if ((rc = db_exec(r->db, &r->err, "DELETE FROM review_note WHERE id = ?", "s", id)) < 0)
        return rc;
    json_t *data = json_pack("{s:s}", "version_id", n.version_id);
    rc = prod_event(r, &s, "note.deleted", "note", id, data, "note deleted");
    json_decref(data);
    return rc ? rc : ms_reply_empty(r);
}
