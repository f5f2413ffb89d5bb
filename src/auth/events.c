/* events.c: the append-only event log. Every write in every module appends one event in
 * the same transaction as the change it describes, so the activity feed, the audit log and
 * (later) webhooks never miss or invent a change. The feed (GET /events) is below. */
#include "auth/auth_internal.h"

#include "core/buf.h"
#include "core/time.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int event_append(db_conn *c, const ms_event *ev, ms_error *err)
{
    /* The feed finds a project's events for the owner's members by e.org_id: a project
     * event always carries the project's organization. */
    char org[MS_ID_LEN];
    const char *org_id = ev->org_id;
    if (ev->project_id && !org_id) {
        db_stmt *st;
        int rc = db_query_row(c, &st, err, "SELECT org_id FROM project WHERE id = ?", "s",
                              ev->project_id);
        if (rc < 0) return rc;
        if (rc == DB_DONE) return ms_fail(err, MS_EINTERNAL, NULL, "event for an unknown project");
        ms_strlcpy(org, db_col_text(st, 0), sizeof org);
        db_done(st);
        org_id = org;
    }
    /* The log keeps the actor's name as it was: an audit trail must not change when someone
     * renames themselves, and the feed need not look every actor up. */
    char name[256] = "";
    const char *actor_name = ev->actor_name;
    if (!actor_name && ev->actor_id) {
        db_stmt *st;
        int rc = db_query_row(c, &st, err, "SELECT display_name FROM user_account WHERE id = ?",
                              "s", ev->actor_id);
        if (rc < 0) return rc;
        if (rc == DB_ROW) {
            ms_strlcpy(name, db_col_text(st, 0), sizeof name);
            db_done(st);
            actor_name = name;
        }
    }
    char id[MS_ID_LEN], now[MS_TIME_LEN];
    ms_uuid7(id);
    ms_now_str(now);
    char *data = ev->data ? json_dumps(ev->data, JSON_COMPACT) : NULL;
    int rc =
        db_exec(c, err,
                "INSERT INTO event (id, at, actor_id, actor_name, action, object_type, object_id, "
                "org_id, project_id, summary, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                "sssssssssss", id, now, ev->actor_id, actor_name, ev->action, ev->object_type,
                ev->object_id, org_id, ev->project_id, ev->summary, data);
    free(data);
    return rc < 0 ? rc : 0;
}

/* ---- The feed: GET /events. ----
 *
 * Newest first, by commit order (seq). A caller sees:
 *   - every event of the organizations they belong to (e.org_id is the organization that owns
 *     the object; for project events, the project's organization),
 *   - the events of projects shared with them (through a partner organization or directly),
 *   - their own personal events (no organization, no project: tokens, password, sign-ins),
 * never the events of deleted projects.
 *
 * Why two phases. "Visible to this caller" is an OR of several scopes, and an index per scope
 * cannot give a global seq order, so the planner's natural plan collects every visible event
 * and sorts: 50 ms for 100,000 events. Instead:
 *   1. walk the newest FEED_WINDOW events backwards along the primary key and keep the
 *      visible ones (the visibility terms are written with unary + so that SQLite does not
 *      turn them into index lookups). A caller who sees a fair share of recent activity —
 *      nearly everyone — is served here after reading about `limit` rows;
 *   2. if the window held too few, merge per-scope index scans (event_org, event_project,
 *      event_actor), each LIMITed, below the window: the cost is bounded by the number of
 *      scopes times the page size, whatever the size of the log.
 * Filters on object_id, actor_id and org_id are plain terms, so the planner uses their index
 * in both phases. A project_id filter checks access once and reads that project's index. */

#define FEED_MAX_ARGS 24
#define FEED_WINDOW   4096
#define FEED_COLS                                                                                  \
    "SELECT e.seq, e.id, e.at, e.actor_id, e.actor_name, e.action, e.object_type, e.object_id, "   \
    "e.org_id, e.project_id, e.summary, e.data AS data_json FROM event e "
#define FEED_MY_ORGS "SELECT org_id FROM membership WHERE user_id = ?"
#define FEED_SHARED                                                                                \
    "SELECT pp.project_id FROM project_partner pp JOIN membership m ON m.org_id = pp.org_id "      \
    "AND m.user_id = ? JOIN project p ON p.id = pp.project_id AND p.deleted_at IS NULL "           \
    "UNION SELECT pm.project_id FROM project_member pm JOIN project p ON p.id = pm.project_id "    \
    "AND p.deleted_at IS NULL WHERE pm.user_id = ?"
#define FEED_NOT_DELETED                                                                           \
    " AND (e.project_id IS NULL OR +e.project_id NOT IN (SELECT id FROM project WHERE "            \
    "deleted_at IS NOT NULL AND org_id IN (" FEED_MY_ORGS ")))"

typedef struct feed_query {
    ms_buf filters; /* " AND e.x = ?" ... */
    db_arg fargs[8];
    int nf;
} feed_query;

static int append_filters(ms_buf *sql, db_arg *args, int n, const feed_query *fq)
{
    ms_buf_append(sql, fq->filters.data ? fq->filters.data : "", fq->filters.len);
    for (int i = 0; i < fq->nf; i++)
        args[n++] = fq->fargs[i];
    return n;
}

/* Run `sql` and append its rows (JSON) to `rows`; returns the number added or MS_E*. */
static int collect_rows(ms_req *r, const char *sql, const db_arg *args, int n, json_t *rows)
{
    db_stmt *st;
    int rc = db_query_args(r->db, &st, &r->err, sql, args, n), added = 0;
    if (rc) return rc;
    while ((rc = db_step(st, &r->err)) == DB_ROW) {
        json_array_append_new(rows, db_row_json(st));
        added++;
    }
    db_done(st);
    return rc < 0 ? rc : added;
}

static int seq_desc(const void *a, const void *b)
{
    json_int_t x = json_integer_value(json_object_get(*(json_t *const *)a, "seq"));
    json_int_t y = json_integer_value(json_object_get(*(json_t *const *)b, "seq"));
    return x < y ? 1 : x > y ? -1 : 0;
}

/* Phase 2: one indexed, LIMITed query per scope below `floor`, merged by seq. */
static int feed_merge_scopes(ms_req *r, const feed_query *fq, int64_t floor, int need, json_t *rows)
{
    const char *uid = r->caller->user_id;
    json_t *found = json_array();
    /* Scopes: my organizations (by e.org_id), shared projects (by e.project_id), me. */
    db_stmt *st;
    int rc = db_query(r->db, &st, &r->err,
                      "SELECT 'o', org_id FROM membership WHERE user_id = ? UNION ALL "
                      "SELECT 'p', project_id FROM (" FEED_SHARED ") s",
                      "sss", uid, uid, uid);
    if (rc) {
        json_decref(found);
        return rc;
    }
    json_t *scopes = json_array();
    while ((rc = db_step(st, &r->err)) == DB_ROW)
        json_array_append_new(scopes, json_pack("[s,s]", db_col_text(st, 0), db_col_text(st, 1)));
    db_done(st);
    json_array_append_new(scopes, json_pack("[s,s]", "u", uid));
    size_t i;
    json_t *sc;
    json_array_foreach(scopes, i, sc)
    {
        if (rc < 0) break;
        const char *kind = json_string_value(json_array_get(sc, 0));
        const char *id = json_string_value(json_array_get(sc, 1));
        ms_buf sql;
        ms_buf_init(&sql);
        db_arg args[FEED_MAX_ARGS];
        int n = 0;
        ms_buf_puts(&sql, FEED_COLS "WHERE e.seq < ?");
        args[n++] = DB_ARG_I(floor);
        if (kind[0] == 'o')
            ms_buf_puts(&sql, " AND e.org_id = ?" FEED_NOT_DELETED);
        else if (kind[0] == 'p')
            ms_buf_puts(&sql, " AND e.project_id = ?");
        else
            ms_buf_puts(&sql, " AND e.actor_id = ? AND e.org_id IS NULL AND e.project_id IS NULL");
        args[n++] = DB_ARG_S(id);
        if (kind[0] == 'o') args[n++] = DB_ARG_S(uid);
        n = append_filters(&sql, args, n, fq);
        ms_buf_puts(&sql, " ORDER BY e.seq DESC LIMIT ?");
        args[n++] = DB_ARG_I(need);
        rc = sql.oom ? ms_req_fail(r, MS_ENOMEM, NULL, "out of memory")
                     : collect_rows(r, sql.data, args, n, found);
        ms_buf_free(&sql);
    }
    json_decref(scopes);
    if (rc >= 0) {
        /* Scopes overlap (an org's project also shared with me): dedupe by seq. */
        size_t count = json_array_size(found);
        json_t **v = calloc(count ? count : 1, sizeof *v);
        for (size_t k = 0; k < count; k++)
            v[k] = json_array_get(found, k);
        qsort(v, count, sizeof *v, seq_desc);
        json_int_t last = -1;
        for (size_t k = 0; k < count && need > 0; k++) {
            json_int_t s = json_integer_value(json_object_get(v[k], "seq"));
            if (s == last) continue;
            last = s;
            json_array_append(rows, v[k]);
            need--;
        }
        free(v);
        rc = 0;
    }
    json_decref(found);
    return rc;
}

int h_events_list(ms_req *r)
{
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

    feed_query fq;
    ms_buf_init(&fq.filters);
    fq.nf = 0;
    static const char *const filters[][2] = {{"org_id", "e.org_id"},
                                             {"object_id", "e.object_id"},
                                             {"object_type", "e.object_type"},
                                             {"actor_id", "e.actor_id"},
                                             {"action", "e.action"}};
    for (size_t i = 0; i < sizeof filters / sizeof filters[0]; i++) {
        const char *v = ms_req_query(r, filters[i][0]);
        if (!v) continue;
        ms_buf_printf(&fq.filters, " AND %s = ?", filters[i][1]);
        fq.fargs[fq.nf++] = DB_ARG_S(v);
    }
    if (since[0]) {
        ms_buf_puts(&fq.filters, " AND e.at >= ?");
        fq.fargs[fq.nf++] = DB_ARG_S(ms_arena_strdup(r->arena, since));
    }

    const char *uid = r->caller->user_id;
    const char *project = ms_req_query(r, "project_id");
    json_t *rows = json_array();
    ms_buf sql;
    ms_buf_init(&sql);
    db_arg args[FEED_MAX_ARGS];
    int n = 0;
    if (project) {
        ms_access a;
        if ((rc = authz_project(r->db, r->caller, project, &a, &r->err))) goto out;
        ms_buf_puts(&sql, FEED_COLS "WHERE e.project_id = ? AND e.seq < ?");
        args[n++] = DB_ARG_S(project);
        args[n++] = DB_ARG_I(before);
        n = append_filters(&sql, args, n, &fq);
        ms_buf_puts(&sql, " ORDER BY e.seq DESC LIMIT ?");
        args[n++] = DB_ARG_I(limit + 1);
        rc = sql.oom ? MS_ENOMEM : collect_rows(r, sql.data, args, n, rows);
        goto out;
    }
    /* Phase 1: the newest FEED_WINDOW events below the cursor. */
    int64_t floor = before == INT64_MAX ? INT64_MAX : before - FEED_WINDOW;
    if (before == INT64_MAX) {
        db_stmt *st;
        rc = db_query_row(r->db, &st, &r->err, "SELECT MAX(seq) FROM event", "");
        if (rc < 0) goto out;
        int64_t max = rc == DB_ROW ? db_col_int(st, 0) : 0;
        if (rc == DB_ROW) db_done(st);
        floor = max + 1 - FEED_WINDOW;
    }
    if (floor < 0) floor = 0;
    ms_buf_puts(&sql, FEED_COLS "WHERE e.seq < ? AND e.seq >= ? AND (+e.org_id IN (" FEED_MY_ORGS
                                ") OR +e.project_id IN (" FEED_SHARED ") OR (+e.org_id IS NULL AND "
                                "+e.project_id IS NULL AND +e.actor_id = ?))" FEED_NOT_DELETED);
    args[n++] = DB_ARG_I(before);
    args[n++] = DB_ARG_I(floor);
    for (int i = 0; i < 5; i++)
        args[n++] = DB_ARG_S(uid);
    n = append_filters(&sql, args, n, &fq);
    ms_buf_puts(&sql, " ORDER BY e.seq DESC LIMIT ?");
    args[n++] = DB_ARG_I(limit + 1);
    if (sql.oom) {
        rc = MS_ENOMEM;
        goto out;
    }
    /* Phase 1 written straight from the rows into the response: when the window fills the
     * page (or reaches the start of the log) that is the whole answer. */
    db_stmt *st;
    int got = 0;
    if ((rc = db_query_args(r->db, &st, &r->err, sql.data, args, n))) goto out;
    if ((rc = auth_reply_page_n(r, st, limit, "seq", NULL, &got))) goto out;
    if (got == limit + 1 || floor == 0) {
        json_decref(rows);
        rows = NULL;
        goto out;
    }
    /* Too few in the window: start again with the slower, bounded merge. */
    ms_buf_reset(&r->out);
    r->out_type = NULL;
    r->status = 0;
    rc = collect_rows(r, sql.data, args, n, rows);
    if (rc >= 0 && rc < limit + 1) rc = feed_merge_scopes(r, &fq, floor, limit + 1 - rc, rows);
out:
    ms_buf_free(&sql);
    ms_buf_free(&fq.filters);
    if (!rows) return rc; /* answered by auth_reply_page */
    if (rc < 0) {
        json_decref(rows);
        if (rc == MS_ENOMEM && !r->err.code) ms_req_fail(r, MS_ENOMEM, NULL, "out of memory");
        return rc;
    }
    bool more = json_array_size(rows) > (size_t)limit;
    char last[32] = "";
    if (more) {
        while (json_array_size(rows) > (size_t)limit)
            json_array_remove(rows, json_array_size(rows) - 1);
        snprintf(
            last, sizeof last, "%lld",
            (long long)json_integer_value(json_object_get(json_array_get(rows, limit - 1), "seq")));
    }
    return ms_reply_list(r, rows, more ? last : NULL);
}
