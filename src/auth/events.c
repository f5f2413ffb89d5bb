/* events.c: the append-only event log. Every write in every module appends one event in
 * the same transaction as the change it describes, so the activity feed, the audit log and
 * (later) webhooks never miss or invent a change. Reading the feed is in routes.c. */
#include "auth/auth_internal.h"

#include "core/buf.h"
#include "core/time.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int event_append(db_conn *c, const ms_event *ev, ms_error *err) {
    char id[MS_ID_LEN], now[MS_TIME_LEN];
    ms_uuid7(id);
    ms_now_str(now);
    char *data = ev->data ? json_dumps(ev->data, JSON_COMPACT) : NULL;
    int rc = db_exec(c, err,
                     "INSERT INTO event (id, at, actor_id, action, object_type, object_id, org_id, "
                     "project_id, summary, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                     "ssssssssss", id, now, ev->actor_id, ev->action, ev->object_type,
                     ev->object_id, ev->org_id, ev->project_id, ev->summary, data);
    free(data);
    return rc < 0 ? rc : 0;
}

/* ---- The feed: GET /events. ----
 *
 * Newest first, by commit order (seq). What a caller sees:
 *   - events of projects they reach (any level),
 *   - organization events (no project) of organizations they belong to,
 *   - their own personal events (no organization, no project: tokens, password, sign-ins).
 * The WHERE clause is built from the filters present so that, say, a project's feed walks
 * the (project_id, seq) index instead of the whole log. */
#define FEED_MAX_ARGS 16

int h_events_list(ms_req *r) {
    static const char *const allowed[] = {"limit",     "cursor",      "org_id",   "project_id",
                                          "object_id", "object_type", "actor_id", "action",
                                          "since",     NULL};
    int limit, rc;
    char cursor[32];
    if ((rc = ms_req_query_only(r, allowed)) ||
        (rc = ms_req_page(r, &limit, cursor, sizeof cursor)))
        return rc;
    int64_t before = INT64_MAX;
    if (cursor[0] && (!ms_parse_int(cursor, &before) || before < 1))
        return ms_req_fail(r, MS_EBADREQ, "bad-query", "The cursor is invalid.");
    const char *ids[] = {"org_id", "project_id", "object_id", "actor_id"};
    for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++) {
        const char *v = ms_req_query(r, ids[i]);
        if (v && !ms_uuid_valid(v))
            return ms_req_fail(r, MS_EBADREQ, "bad-query", "%s must be an id.", ids[i]);
    }
    const char *text[] = {"object_type", "action"};
    for (size_t i = 0; i < 2; i++) {
        const char *v = ms_req_query(r, text[i]);
        if (v && (strlen(v) > 64 || !ms_str_is_clean_text(v, 64, false)))
            return ms_req_fail(r, MS_EBADREQ, "bad-query", "%s is too long.", text[i]);
    }
    char since[MS_TIME_LEN] = "";
    const char *sv = ms_req_query(r, "since");
    if (sv) {
        int64_t t;
        if (!ms_time_parse(sv, &t))
            return ms_req_fail(r, MS_EBADREQ, "bad-query", "since must be an RFC 3339 date-time.");
        ms_time_fmt(t, since);
    }

    const char *uid = r->caller->user_id;
    const char *project = ms_req_query(r, "project_id");
    ms_buf sql;
    ms_buf_init(&sql);
    db_arg args[FEED_MAX_ARGS];
    int n = 0;
    if (project) {
        /* One project: check access once, then read its index only. */
        ms_access a;
        if ((rc = authz_project(r->db, r->caller, project, &a, &r->err))) return rc;
        ms_buf_puts(&sql, "SELECT e.seq, e.id, e.at, e.actor_id, u.display_name AS actor_name, "
                          "e.action, e.object_type, e.object_id, e.org_id, e.project_id, "
                          "e.summary, e.data AS data_json FROM event e "
                          "LEFT JOIN user_account u ON u.id = e.actor_id "
                          "WHERE e.project_id = ? AND e.seq < ?");
        args[n++] = DB_ARG_S(project);
    } else {
        ms_buf_printf(&sql,
                      "WITH vis AS (%s) SELECT e.seq, e.id, e.at, e.actor_id, "
                      "u.display_name AS actor_name, e.action, e.object_type, e.object_id, "
                      "e.org_id, e.project_id, e.summary, e.data AS data_json FROM event e "
                      "LEFT JOIN user_account u ON u.id = e.actor_id "
                      "WHERE (e.project_id IN (SELECT pid FROM vis) "
                      "OR (e.project_id IS NULL AND e.org_id IN "
                      "(SELECT org_id FROM membership WHERE user_id = ?)) "
                      "OR (e.project_id IS NULL AND e.org_id IS NULL AND e.actor_id = ?)) "
                      "AND e.seq < ?",
                      authz_paths_sql);
        for (int i = 0; i < 5; i++)
            args[n++] = DB_ARG_S(uid);
    }
    args[n++] = DB_ARG_I(before);
    static const char *const filters[][2] = {{"org_id", "e.org_id"},
                                             {"object_id", "e.object_id"},
                                             {"object_type", "e.object_type"},
                                             {"actor_id", "e.actor_id"},
                                             {"action", "e.action"}};
    for (size_t i = 0; i < sizeof filters / sizeof filters[0]; i++) {
        const char *v = ms_req_query(r, filters[i][0]);
        if (!v) continue;
        ms_buf_printf(&sql, " AND %s = ?", filters[i][1]);
        args[n++] = DB_ARG_S(v);
    }
    if (since[0]) {
        ms_buf_puts(&sql, " AND e.at >= ?");
        args[n++] = DB_ARG_S(since);
    }
    ms_buf_puts(&sql, " ORDER BY e.seq DESC LIMIT ?");
    args[n++] = DB_ARG_I(limit + 1);
    if (sql.oom) {
        ms_buf_free(&sql);
        return ms_req_fail(r, MS_ENOMEM, NULL, "out of memory");
    }
    db_stmt *st;
    rc = db_query_args(r->db, &st, &r->err, sql.data, args, n);
    ms_buf_free(&sql);
    if (rc) return rc;
    return auth_reply_page(r, st, limit, "seq", NULL);
}
