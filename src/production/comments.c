/* comments.c: the comment thread of a task — text with @mentions, an optional status change
 * (under the same rules as a PATCH), a checklist, and attachments from the asset library —
 * and in-app notifications (assignment, mention, status change, comment on a followed task)
 * with an unread count. Commenting makes the author a follower. It does not send mail or
 * webhooks. */
#include "production/prod_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MENTIONS_MAX 20

int prod_notify(ms_req *r, const prod_scope *s, const char *user_id, const char *kind,
                const char *task_id, const char *comment_id, const char *summary)
{
    if (r->caller && !strcmp(user_id, r->caller->user_id)) return 0; /* not one's own acts */
    char id[MS_ID_LEN], now[MS_TIME_LEN];
    ms_uuid7(id);
    ms_now_str(now);
    int rc = db_exec(r->db, &r->err,
                     "INSERT INTO notification (id, user_id, kind, project_id, task_id, "
                     "comment_id, actor_id, summary, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, "
                     "?)",
                     "sssssssss", id, user_id, kind, s->project_id, task_id, comment_id,
                     r->caller ? r->caller->user_id : NULL, summary, now);
    return rc < 0 ? rc : 0;
}

int prod_notify_watchers(ms_req *r, const prod_scope *s, const char *task_id, const char *kind,
                         const char *comment_id, const char *summary, const json_t *skip)
{
    db_stmt *st;
    int rc = db_query(r->db, &st, &r->err,
                      "SELECT user_id FROM task_assignee WHERE task_id = ? UNION SELECT user_id "
                      "FROM task_follower WHERE task_id = ?",
                      "ss", task_id, task_id);
    if (rc) return rc;
    /* Collected first: a notification is a write, and the statement must be done before. */
    size_t n = 0, cap = 0;
    char **users = NULL;
    while ((rc = db_step(st, &r->err)) == DB_ROW) {
        if (n == cap) {
            size_t ncap = cap ? 2 * cap : 16;
            char **v = ms_arena_alloc(r->arena, ncap * sizeof *v);
            if (!v) {
                rc = ms_req_fail(r, MS_ENOMEM, NULL, "out of memory");
                break;
            }
            if (n) memcpy(v, users, n * sizeof *v);
            users = v;
            cap = ncap;
        }
        users[n++] = ms_arena_strdup(r->arena, db_col_text(st, 0));
    }
    db_done(st);
    if (rc < 0) return rc;
    for (size_t k = 0; k < n; k++) {
        bool skipped = false;
        size_t i;
        json_t *v;
        json_array_foreach(skip, i, v) skipped |= !strcmp(json_string_value(v), users[k]);
        if (!skipped && (rc = prod_notify(r, s, users[k], kind, task_id, comment_id, summary)))
            return rc;
    }
    return 0;
}

#define COMMENT_COLS                                                                               \
    "c.id, c.task_id, c.author_id, u.display_name AS author_name, c.text, c.status_id, "           \
    "ts.short_name AS status, c.checklist AS checklist_json, c.attachments AS attachments_json, "  \
    "c.created_at, c.updated_at, c.version"
#define COMMENT_FROM                                                                               \
    " FROM task_comment c JOIN user_account u ON u.id = c.author_id LEFT JOIN task_status ts ON "  \
    "ts.id = c.status_id"

/* GET /tasks/{id}/comments: oldest first. */
int h_comments_list(ms_req *r)
{
    static const char *const allowed[] = {"limit", "cursor", NULL};
    int limit, rc;
    char cursor[MS_ID_LEN + 1];
    if ((rc = ms_req_query_only(r, allowed)) ||
        (rc = ms_req_page(r, &limit, cursor, sizeof cursor)))
        return rc;
    const char *id = ms_req_param(r, "id");
    prod_scope s;
    if ((rc = prod_task_scope(r, id, &s))) return rc;
    db_stmt *st;
    rc = db_query(r->db, &st, &r->err,
                  "SELECT " COMMENT_COLS COMMENT_FROM
                  " WHERE c.task_id = ? AND c.deleted_at IS NULL AND c.id > ? ORDER BY c.id "
                  "LIMIT ?",
                  "ssI", id, cursor, (int64_t)limit + 1);
    return rc ? rc : auth_reply_page(r, st, limit, "id", NULL);
}

static const ms_jfield comment_fields[] = {
    {"text", MS_J_TEXT, true, false, 0, 20000, NULL},
    {"status_id", MS_J_ID, false, false, 0, 0, NULL},
    {"mentions", MS_J_ARRAY, false, false, 0, MENTIONS_MAX, NULL},
    {"checklist", MS_J_ARRAY, false, false, 0, 100, NULL},
    {"attachments", MS_J_ARRAY, false, false, 0, 20, NULL},
    {0},
};

/* Checklist items {"text", "checked"}; attachments are asset ids of this project. */
static int comment_parts_check(ms_req *r, const prod_scope *s, const json_t *checklist,
                               const json_t *attachments)
{
    size_t i;
    json_t *v;
    json_array_foreach(checklist, i, v)
    {
        const char *t = json_string_value(json_object_get(v, "text"));
        json_t *ck = json_object_get(v, "checked");
        if (!json_is_object(v) || json_object_size(v) > 2 || !t || !*t || ms_utf8_chars(t) > 500 ||
            !ms_str_is_clean_text(t, 2000, false) || (ck && !json_is_boolean(ck)))
            return ms_field_fail(&r->err, "checklist",
                                 "items are {\"text\": 1-500 characters, \"checked\": bool}");
    }
    json_array_foreach(attachments, i, v)
    {
        const char *a = json_string_value(v);
        if (!a || !ms_uuid_valid(a))
            return ms_field_fail(&r->err, "attachments", "must hold asset ids");
        db_stmt *st;
        int rc = db_query_row(r->db, &st, &r->err,
                              "SELECT 1 FROM asset WHERE id = ? AND project_id = ? AND "
                              "deleted_at IS NULL",
                              "ss", a, s->project_id);
        if (rc < 0) return rc;
        if (rc == DB_DONE)
            return ms_field_fail(&r->err, "attachments", "%s is not an asset of this project", a);
        db_done(st);
    }
    return 0;
}

/* POST /tasks/{id}/comments: clients and vendors may comment on the tasks they see; viewers
 * may not. Mentions name users who reach the project; each gets a notification. */
int h_comments_create(ms_req *r)
{
    if (ms_json_check(r->body, comment_fields, &r->err)) return r->err.code;
    const json_t *b = r->body;
    const char *id = ms_req_param(r, "id");
    prod_scope s;
    int rc = prod_task_scope(r, id, &s);
    if (rc) return rc;
    if (s.kind == PROD_VIEWER) return prod_require(r, &s, PROD_CLIENT, "comment");
    const char *text = ms_json_str(b, "text"), *sid = ms_json_str(b, "status_id");
    json_t *checklist = json_object_get(b, "checklist"), *att = json_object_get(b, "attachments");
    if (!*text && !sid && !json_array_size(checklist) && !json_array_size(att))
        return ms_field_fail(&r->err, "text", "an empty comment says nothing");
    if ((rc = comment_parts_check(r, &s, checklist, att))) return rc;
    json_t *mentions = json_object_get(b, "mentions");
    size_t i;
    json_t *v;
    json_array_foreach(mentions, i, v)
    {
        const char *u = json_string_value(v);
        if (!u || !ms_uuid_valid(u))
            return ms_field_fail(&r->err, "mentions", "must hold user ids");
        ms_caller who;
        memset(&who, 0, sizeof who);
        ms_strlcpy(who.user_id, u, sizeof who.user_id);
        ms_access a;
        rc = authz_project(r->db, &who, s.project_id, &a, &r->err);
        if (rc == MS_ENOTFOUND) {
            ms_error_clear(&r->err);
            return ms_field_fail(&r->err, "mentions", "%s is not someone on this project", u);
        }
        if (rc) return rc;
    }
    if (sid && (rc = prod_task_set_status(r, &s, id, sid, "status_id"))) return rc;
    char cid[MS_ID_LEN], now[MS_TIME_LEN];
    ms_uuid7(cid);
    ms_now_str(now);
    char *ck = checklist ? json_dumps(checklist, JSON_COMPACT) : NULL;
    char *at = att ? json_dumps(att, JSON_COMPACT) : NULL;
    rc = db_exec(r->db, &r->err,
                 "INSERT INTO task_comment (id, task_id, author_id, text, status_id, checklist, "
                 "attachments, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                 "sssssssss", cid, id, s.user_id, text, sid, ck ? ck : "[]", at ? at : "[]", now,
                 now);
    free(ck);
    free(at);
    if (rc < 0) return rc;
    if ((rc = db_exec(r->db, &r->err,
                      "INSERT INTO task_follower (task_id, user_id) VALUES (?, ?) ON CONFLICT DO "
                      "NOTHING",
                      "ss", id, s.user_id)) < 0)
        return rc;
    json_array_foreach(mentions, i, v)
    {
        if ((rc = prod_notify(r, &s, json_string_value(v), "mention", id, cid,
                              "mentioned you in a comment")))
            return rc;
    }
    /* Followers and assignees hear of the comment (a mention already told its people). */
    if ((rc = prod_notify_watchers(r, &s, id, "comment", cid, "commented", mentions))) return rc;
    if ((rc = prod_event(r, &s, "task.commented", "task", id, NULL, "comment on a task")))
        return rc;
    db_stmt *st;
    rc = db_query_row(r->db, &st, &r->err, "SELECT " COMMENT_COLS COMMENT_FROM " WHERE c.id = ?",
                      "s", cid);
    if (rc < 0) return rc;
    json_t *o = db_row_json(st);
    db_done(st);
    return ms_reply(r, 201, o);
}

/* GET /me/notifications?unread=true: newest first, with the unread count. */
int h_notifications_list(ms_req *r)
{
    static const char *const allowed[] = {"limit", "cursor", "unread", NULL};
    int limit, rc;
    char cursor[MS_ID_LEN + 1];
    if ((rc = ms_req_query_only(r, allowed)) ||
        (rc = ms_req_page(r, &limit, cursor, sizeof cursor)))
        return rc;
    const char *unread = ms_req_query(r, "unread");
    if (unread && strcmp(unread, "true") && strcmp(unread, "false"))
        return ms_req_fail(r, MS_EBADREQ, "bad-query", "unread must be true or false.");
    bool only = unread && !strcmp(unread, "true");
    db_stmt *st;
    rc = db_query_row(r->db, &st, &r->err,
                      "SELECT COUNT(*) FROM notification WHERE user_id = ? AND read_at IS NULL",
                      "s", r->caller->user_id);
    if (rc < 0) return rc;
    int64_t count = db_col_int(st, 0);
    db_done(st);
    /* Newest first: the cursor is the last id seen, and the next page lies below it. */
    rc = db_query(r->db, &st, &r->err,
                  only ? "SELECT n.id, n.kind, n.project_id, n.task_id, n.comment_id, n.actor_id, "
                         "u.display_name AS actor_name, n.summary, n.created_at, n.read_at FROM "
                         "notification n LEFT JOIN user_account u ON u.id = n.actor_id WHERE "
                         "n.user_id = ? AND n.read_at IS NULL AND (? = '' OR n.id < ?) ORDER BY "
                         "n.id DESC LIMIT ?"
                       : "SELECT n.id, n.kind, n.project_id, n.task_id, n.comment_id, n.actor_id, "
                         "u.display_name AS actor_name, n.summary, n.created_at, n.read_at FROM "
                         "notification n LEFT JOIN user_account u ON u.id = n.actor_id WHERE "
                         "n.user_id = ? AND (? = '' OR n.id < ?) ORDER BY n.id DESC LIMIT ?",
                  "sssI", r->caller->user_id, cursor, cursor, (int64_t)limit + 1);
    if (rc) return rc;
    ms_reply_header(r, "X-Unread-Count", ms_arena_printf(r->arena, "%lld", (long long)count));
    return auth_reply_page(r, st, limit, "id", NULL);
}

static const ms_jfield read_fields[] = {
    {"ids", MS_J_ARRAY, false, false, 0, 500, NULL},
    {"all", MS_J_BOOL, false, false, 0, 0, NULL},
    {0},
};

/* POST /me/notifications/read {"ids": [...]} or {"all": true} */
int h_notifications_read(ms_req *r)
{
    if (ms_json_check(r->body, read_fields, &r->err)) return r->err.code;
    json_t *ids = json_object_get(r->body, "ids");
    bool all = ms_json_bool(r->body, "all", false);
    if (!all == !ids) return ms_field_fail(&r->err, "ids", "give ids or all, not both");
    char now[MS_TIME_LEN];
    ms_now_str(now);
    int rc, changed = 0;
    if (all) {
        rc = db_exec(r->db, &r->err,
                     "UPDATE notification SET read_at = ? WHERE user_id = ? AND read_at IS NULL",
                     "ss", now, r->caller->user_id);
        if (rc < 0) return rc;
        changed = rc;
    } else {
        size_t i;
        json_t *v;
        json_array_foreach(ids, i, v)
        {
            const char *id = json_string_value(v);
            if (!id || !ms_uuid_valid(id))
                return ms_field_fail(&r->err, "ids", "must hold notification ids");
            /* Someone else's id changes nothing and says nothing. */
            rc = db_exec(r->db, &r->err,
                         "UPDATE notification SET read_at = ? WHERE id = ? AND user_id = ? AND "
                         "read_at IS NULL",
                         "sss", now, id, r->caller->user_id);
            if (rc < 0) return rc;
            changed += rc;
        }
    }
    return ms_reply(r, 200, json_pack("{s:i}", "read", changed));
}
