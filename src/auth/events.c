/* events.c: the append-only event log. Every write in every module appends one event in
 * the same transaction as the change it describes, so the activity feed, the audit log and
 * (later) webhooks never miss or invent a change. The feed (GET /events) is below. */
#include "auth/auth_internal.h"

#include "core/buf.h"
#include "core/time.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int event_vappendf(db_conn *c, const ms_event *ev, ms_error *err, const char *fmt, va_list ap)
{
    char summary[400];
    vsnprintf(summary, sizeof summary, fmt, ap);
    ms_event e = *ev;
    e.summary = summary;
    return event_append(c, &e, err);
}

int event_appendf(db_conn *c, const ms_event *ev, ms_error *err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = event_vappendf(c, ev, err, fmt, ap);
    va_end(ap);
    return rc;
}

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
    /* Events never change, so each is rendered as the API shows it once, here; the feed then
     * only concatenates (see below). `body` is everything after "seq": in the object. */
    ms_buf b;
    ms_buf_init(&b);
    const char *keys[] = {"id",          "at",        "actor_id", "actor_name", "action",
                          "object_type", "object_id", "org_id",   "project_id", "summary"};
    const char *vals[] = {id,
                          now,
                          ev->actor_id,
                          actor_name,
                          ev->action,
                          ev->object_type,
                          ev->object_id,
                          org_id,
                          ev->project_id,
                          ev->summary};
    for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++) {
        ms_buf_printf(&b, "%s\"%s\":", k ? "," : "", keys[k]);
        /* Summaries are formatted into fixed buffers, which may have cut a character. */
        if (vals[k])
            ms_buf_put_json_strn(&b, vals[k], ms_utf8_whole(vals[k], strlen(vals[k])));
        else
            ms_buf_puts(&b, "null");
    }
    char *data = ev->data ? json_dumps(ev->data, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
    ms_buf_puts(&b, ",\"data\":");
    ms_buf_puts(&b, data ? data : "null");
    ms_buf_putc(&b, '}');
    free(data);
    if (b.oom) {
        ms_buf_free(&b);
        return ms_fail(err, MS_ENOMEM, NULL, "out of memory");
    }
    /* seq is the feed's cursor, so it must follow commit order: a reader who has seen seq
     * 10 must never later find a 9 committed after it. SQLite commits one writer at a time.
     * PostgreSQL hands out identity values at insert, not at commit, so writers of events
     * take the event-log lock before theirs and hold it until they commit. */
    int rc = db_lock(c, DB_LOCK_EVENT_LOG, err);
    if (!rc)
        rc = db_exec(c, err,
                     "INSERT INTO event (id, at, actor_id, action, object_type, object_id, org_id, "
                     "project_id, body) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                     "sssssssss", id, now, ev->actor_id, ev->action, ev->object_type, ev->object_id,
                     org_id, ev->project_id, b.data);
    ms_buf_free(&b);
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
 *   1. load the caller's organizations, shared projects and deleted projects once (one
 *      statement, a few ids for nearly everyone), then walk the newest FEED_WINDOW events
 *      backwards along the primary key and keep the visible ones (feed_visible). A caller
 *      who sees a fair share of recent activity — nearly everyone — is served after reading
 *      about `limit` rows;
 *   2. if the window held too few, merge per-scope index scans (event_org, event_project,
 *      event_actor), each LIMITed, below the window: the cost is bounded by the number of
 *      scopes times the page size, whatever the size of the log.
 * Filters on object_id, actor_id and org_id are plain SQL terms, so the planner uses their
 * index in both phases. A project_id filter checks access once and reads that project's
 * index. Each row's JSON was rendered when it was appended (`body`): pages are concatenated,
 * not serialized. docs/performance.md has the measurements behind each of these choices. */

#define FEED_MAX_ARGS 24
#define FEED_WINDOW   4096
#define FEED_COLS     "SELECT e.seq, e.body FROM event e "
#define FEED_MY_ORGS  "SELECT org_id FROM membership WHERE user_id = ?"
/* Projects shared with user ? (twice): through a partner organization or directly. UNION ALL:
 * a UNION would build a temporary B-tree each time, and duplicates are harmless to callers. */
#define FEED_SHARED                                                                                \
    "SELECT pp.project_id FROM project_partner pp JOIN membership m ON m.org_id = pp.org_id "      \
    "AND m.user_id = ? JOIN project p ON p.id = pp.project_id AND p.deleted_at IS NULL "           \
    "UNION ALL SELECT pm.project_id FROM project_member pm JOIN project p "                        \
    "ON p.id = pm.project_id AND p.deleted_at IS NULL WHERE pm.user_id = ?"
/* `e.project_id || ''`, not the column: an expression keeps SQLite from reading this scope
 * through the event_project index instead of event_org (SQLite's unary + would do the same,
 * but PostgreSQL has no + for text). */
#define FEED_NOT_DELETED                                                                           \
    " AND (e.project_id IS NULL OR (e.project_id || '') NOT IN (SELECT id FROM project WHERE "     \
    "deleted_at IS NOT NULL AND org_id IN (" FEED_MY_ORGS ")))"

typedef struct feed_query {
    ms_buf filters; /* " AND e.x = ?" ... */
    db_arg fargs[8];
    int nf;
} feed_query;

/* A page under construction: rows are written into the response as they come. */
typedef struct feed_page {
    ms_buf *out;
    int limit;
    int written;
    bool more;
    int64_t last_seq;
} feed_page;

static void page_start(ms_req *r, feed_page *pg, int limit)
{
    pg->out = &r->out;
    pg->limit = limit;
    pg->written = 0;
    pg->more = false;
    pg->last_seq = 0;
    ms_buf_reset(pg->out);
    ms_buf_reserve(pg->out, (size_t)limit * 512 + 64);
    ms_buf_puts(pg->out, "{\"items\":[");
}

/* Add one event; false once the page is full (then `more` is set). */
static bool page_add(feed_page *pg, int64_t seq, const char *body, size_t len)
{
    if (pg->written == pg->limit) {
        pg->more = true;
        return false;
    }
    ms_buf_puts(pg->out, pg->written ? ",{\"seq\":" : "{\"seq\":");
    ms_buf_put_i64(pg->out, seq);
    ms_buf_putc(pg->out, ',');
    ms_buf_append(pg->out, body, len);
    pg->written++;
    pg->last_seq = seq;
    return true;
}

static int page_finish(ms_req *r, feed_page *pg)
{
    ms_buf_puts(pg->out, "],\"next_cursor\":");
    if (pg->more) {
        char key[24];
        snprintf(key, sizeof key, "%lld", (long long)pg->last_seq);
        const char *c = ms_cursor_encode(r->arena, key);
        ms_buf_putc(pg->out, '"');
        ms_buf_puts(pg->out, c ? c : "");
        ms_buf_putc(pg->out, '"');
    } else {
        ms_buf_puts(pg->out, "null");
    }
    ms_buf_putc(pg->out, '}');
    if (pg->out->oom) return ms_req_fail(r, MS_ENOMEM, NULL, "out of memory");
    r->out_type = "application/json";
    r->status = 200;
    return 0;
}

/* Run `sql` (rows of seq, body) straight into the page. Returns the rows read or MS_E*. */
static int feed_stream(ms_req *r, const char *sql, const db_arg *args, int n, feed_page *pg)
{
    db_stmt *st;
    int rc = db_query_args(r->db, &st, &r->err, sql, args, n), read = 0;
    if (rc) return rc;
    while ((rc = db_step(st, &r->err)) == DB_ROW) {
        read++;
        if (!page_add(pg, db_col_int(st, 0), db_col_text(st, 1), db_col_bytes(st, 1))) break;
    }
    db_done(st);
    return rc < 0 ? rc : read;
}

static int append_filters(ms_buf *sql, db_arg *args, int n, const feed_query *fq)
{
    ms_buf_append(sql, fq->filters.data ? fq->filters.data : "", fq->filters.len);
    for (int i = 0; i < fq->nf; i++)
        args[n++] = fq->fargs[i];
    return n;
}

typedef struct feed_row {
    int64_t seq;
    char *body; /* in the request's arena */
    size_t len;
} feed_row;

typedef struct feed_rows {
    feed_row *v;
    size_t n, cap;
} feed_rows;

static int collect(ms_req *r, const char *sql, const db_arg *args, int n, feed_rows *rows)
{
    db_stmt *st;
    int rc = db_query_args(r->db, &st, &r->err, sql, args, n);
    if (rc) return rc;
    while ((rc = db_step(st, &r->err)) == DB_ROW) {
        if (rows->n == rows->cap) {
            size_t cap = rows->cap ? rows->cap * 2 : 64;
            feed_row *v = ms_arena_alloc(r->arena, cap * sizeof *v);
            if (!v) {
                rc = ms_req_fail(r, MS_ENOMEM, NULL, "out of memory");
                break;
            }
            if (rows->n) memcpy(v, rows->v, rows->n * sizeof *v);
            rows->v = v;
            rows->cap = cap;
        }
        const char *body = db_col_text(st, 1);
        feed_row *row = &rows->v[rows->n++];
        row->seq = db_col_int(st, 0);
        row->len = strlen(body);
        row->body = ms_arena_strndup(r->arena, body, row->len);
        if (!row->body) {
            rc = ms_req_fail(r, MS_ENOMEM, NULL, "out of memory");
            break;
        }
    }
    db_done(st);
    return rc < 0 ? rc : 0;
}

static int seq_desc(const void *a, const void *b)
{
    int64_t x = ((const feed_row *)a)->seq, y = ((const feed_row *)b)->seq;
    return x < y ? 1 : x > y ? -1 : 0;
}

/* Phase 2: one indexed, LIMITed query per scope below `floor`, merged by seq. */
static int feed_merge_scopes(ms_req *r, const feed_query *fq, int64_t floor, int need,
                             feed_page *pg)
{
    const char *uid = r->caller->user_id;
    /* Scopes: my organizations (by e.org_id), shared projects (by e.project_id), me. */
    db_stmt *st;
    int rc = db_query(r->db, &st, &r->err,
                      "SELECT 'o', org_id FROM membership WHERE user_id = ? UNION ALL "
                      "SELECT 'p', project_id FROM (" FEED_SHARED ") s",
                      "sss", uid, uid, uid);
    if (rc) return rc;
    size_t nscopes = 0, cap = 8;
    char(*kinds) = ms_arena_alloc(r->arena, cap);
    const char **ids = ms_arena_alloc(r->arena, cap * sizeof *ids);
    while ((rc = db_step(st, &r->err)) == DB_ROW) {
        if (nscopes + 1 >= cap) {
            char *k2 = ms_arena_alloc(r->arena, cap * 2);
            const char **i2 = ms_arena_alloc(r->arena, cap * 2 * sizeof *i2);
            if (!k2 || !i2) break;
            memcpy(k2, kinds, nscopes);
            memcpy(i2, ids, nscopes * sizeof *ids);
            kinds = k2, ids = i2, cap *= 2;
        }
        kinds[nscopes] = db_col_text(st, 0)[0];
        ids[nscopes++] = ms_arena_strdup(r->arena, db_col_text(st, 1));
    }
    db_done(st);
    if (rc < 0) return rc;
    kinds[nscopes] = 'u';
    ids[nscopes++] = uid;
    feed_rows rows = {0};
    for (size_t i = 0; i < nscopes; i++) {
        ms_buf sql;
        ms_buf_init(&sql);
        db_arg args[FEED_MAX_ARGS];
        int n = 0;
        ms_buf_puts(&sql, FEED_COLS "WHERE e.seq < ?");
        args[n++] = DB_ARG_I(floor);
        if (kinds[i] == 'o')
            ms_buf_puts(&sql, " AND e.org_id = ?" FEED_NOT_DELETED);
        else if (kinds[i] == 'p')
            ms_buf_puts(&sql, " AND e.project_id = ?");
        else
            ms_buf_puts(&sql, " AND e.actor_id = ? AND e.org_id IS NULL AND e.project_id IS NULL");
        args[n++] = DB_ARG_S(ids[i]);
        if (kinds[i] == 'o') args[n++] = DB_ARG_S(uid);
        n = append_filters(&sql, args, n, fq);
        ms_buf_puts(&sql, " ORDER BY e.seq DESC LIMIT ?");
        args[n++] = DB_ARG_I(need);
        rc = sql.oom ? ms_req_fail(r, MS_ENOMEM, NULL, "out of memory")
                     : collect(r, sql.data, args, n, &rows);
        ms_buf_free(&sql);
        if (rc < 0) return rc;
    }
    /* Scopes overlap (an org's project also shared with me): dedupe by seq. */
    qsort(rows.v, rows.n, sizeof *rows.v, seq_desc);
    int64_t last = -1;
    for (size_t k = 0; k < rows.n; k++) {
        if (rows.v[k].seq == last) continue;
        last = rows.v[k].seq;
        if (!page_add(pg, rows.v[k].seq, rows.v[k].body, rows.v[k].len)) break;
    }
    return 0;
}

/* What the caller may see, loaded once per request: their organizations, the projects shared
 * with them, and the deleted projects of their organizations. Sorted, for bsearch. */
typedef struct feed_vis {
    const char *uid;
    const char **orgs, **shared, **deleted;
    size_t norgs, nshared, ndeleted;
} feed_vis;

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

typedef struct id_list {
    const char **v;
    size_t n, cap;
} id_list;

static int id_push(ms_req *r, id_list *l, const char *id)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 8;
        const char **v = ms_arena_alloc(r->arena, cap * sizeof *v);
        if (!v) return ms_req_fail(r, MS_ENOMEM, NULL, "out of memory");
        if (l->n) memcpy(v, l->v, l->n * sizeof *v);
        l->v = v;
        l->cap = cap;
    }
    if (!(l->v[l->n++] = ms_arena_strdup(r->arena, id)))
        return ms_req_fail(r, MS_ENOMEM, NULL, "out of memory");
    return 0;
}

/* The log's newest seq and the caller's three sets in one statement (one round through the
 * engine instead of four). UNION ALL and joins rather than UNION and IN (subquery): those
 * build a temporary B-tree per execution, and duplicates do no harm in a sorted set. */
static int feed_vis_load(ms_req *r, feed_vis *v, int64_t *max_seq)
{
    memset(v, 0, sizeof *v);
    v->uid = r->caller->user_id;
    db_stmt *st;
    int rc = db_query(r->db, &st, &r->err,
                      "SELECT 'm', CAST(MAX(seq) AS TEXT) FROM event "
                      "UNION ALL SELECT 'o', org_id FROM membership WHERE user_id = ? "
                      "UNION ALL SELECT 's', project_id FROM (" FEED_SHARED ") sh "
                      "UNION ALL SELECT 'd', p.id FROM project p JOIN membership m "
                      "ON m.org_id = p.org_id AND m.user_id = ? WHERE p.deleted_at IS NOT NULL",
                      "ssss", v->uid, v->uid, v->uid, v->uid);
    if (rc) return rc;
    id_list orgs = {0}, shared = {0}, deleted = {0};
    *max_seq = 0;
    while (rc == 0 && (rc = db_step(st, &r->err)) == DB_ROW) {
        const char *kind = db_col_text(st, 0), *id = db_col_text(st, 1);
        rc = 0;
        if (!id) continue;
        switch (kind[0]) {
        case 'm':
            ms_parse_int(id, max_seq);
            break;
        case 'o':
            rc = id_push(r, &orgs, id);
            break;
        case 's':
            rc = id_push(r, &shared, id);
            break;
        default:
            rc = id_push(r, &deleted, id);
            break;
        }
    }
    db_done(st);
    if (rc < 0) return rc;
    id_list *lists[] = {&orgs, &shared, &deleted};
    for (int k = 0; k < 3; k++)
        if (lists[k]->n > 1) qsort(lists[k]->v, lists[k]->n, sizeof *lists[k]->v, cmp_str);
    v->orgs = orgs.v, v->norgs = orgs.n;
    v->shared = shared.v, v->nshared = shared.n;
    v->deleted = deleted.v, v->ndeleted = deleted.n;
    return 0;
}

static bool in_set(const char *const *set, size_t n, const char *s)
{
    return s && n && bsearch(&s, set, n, sizeof *set, cmp_str);
}

/* The rule of the comment above h_events_list, for one row. */
static bool feed_visible(const feed_vis *v, const char *org, const char *project, const char *actor)
{
    if (project && in_set(v->deleted, v->ndeleted, project)) return false;
    if (org && in_set(v->orgs, v->norgs, org)) return true;
    if (project && in_set(v->shared, v->nshared, project)) return true;
    return !org && !project && actor && !strcmp(actor, v->uid);
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

    const char *project = ms_req_query(r, "project_id");
    ms_buf sql;
    ms_buf_init(&sql);
    db_arg args[FEED_MAX_ARGS];
    int n = 0;
    feed_page pg;
    page_start(r, &pg, limit);
    if (project) {
        ms_access a;
        if ((rc = authz_project(r->db, r->caller, project, &a, &r->err))) goto out;
        ms_buf_puts(&sql, FEED_COLS "WHERE e.project_id = ? AND e.seq < ?");
        args[n++] = DB_ARG_S(project);
        args[n++] = DB_ARG_I(before);
        n = append_filters(&sql, args, n, &fq);
        ms_buf_puts(&sql, " ORDER BY e.seq DESC LIMIT ?");
        args[n++] = DB_ARG_I(limit + 1);
        rc = sql.oom ? ms_req_fail(r, MS_ENOMEM, NULL, "out of memory")
                     : feed_stream(r, sql.data, args, n, &pg);
        goto out;
    }
    /* Phase 1: the newest FEED_WINDOW events below the cursor. The window is walked along
     * the primary key; visibility is checked here, against sets loaded once (a few ids for
     * nearly everyone), instead of by subqueries per row. */
    feed_vis vis;
    int64_t max_seq;
    if ((rc = feed_vis_load(r, &vis, &max_seq))) goto out;
    int64_t top = before == INT64_MAX ? max_seq + 1 : before;
    int64_t floor = top - FEED_WINDOW;
    if (floor < 0) floor = 0;
    ms_buf_puts(&sql, "SELECT e.seq, e.body, e.org_id, e.project_id, e.actor_id FROM event e "
                      "WHERE e.seq < ? AND e.seq >= ?");
    args[n++] = DB_ARG_I(before);
    args[n++] = DB_ARG_I(floor);
    n = append_filters(&sql, args, n, &fq);
    ms_buf_puts(&sql, " ORDER BY e.seq DESC LIMIT ?");
    args[n++] = DB_ARG_I(0);
    if (sql.oom) {
        rc = ms_req_fail(r, MS_ENOMEM, NULL, "out of memory");
        goto out;
    }
    /* The window is read in slices that grow fourfold, the first twice the page: a caller
     * who sees most events is served by one slice, and no engine is asked for more rows
     * than are likely needed (PostgreSQL sends every row of a result, read or not). */
    int64_t slice = 2 * (int64_t)(limit + 1) < 64 ? 64 : 2 * (int64_t)(limit + 1);
    int visible = 0;
    bool full = false;
    while (!full) {
        args[n - 1] = DB_ARG_I(slice);
        db_stmt *st;
        if ((rc = db_query_args(r->db, &st, &r->err, sql.data, args, n))) goto out;
        int64_t got = 0, last = 0;
        while ((rc = db_step(st, &r->err)) == DB_ROW) {
            got++;
            last = db_col_int(st, 0);
            if (!feed_visible(&vis, db_col_text(st, 2), db_col_text(st, 3), db_col_text(st, 4)))
                continue;
            visible++;
            if (!page_add(&pg, last, db_col_text(st, 1), db_col_bytes(st, 1))) {
                full = true;
                break;
            }
        }
        db_done(st);
        if (rc < 0) goto out;
        if (got < slice) break; /* the window is exhausted */
        args[0] = DB_ARG_I(last);
        slice *= 4;
    }
    rc = visible;
    /* Too few in the window: the rest comes from the bounded merge below it. */
    if (rc >= 0 && rc < limit + 1 && floor > 0)
        rc = feed_merge_scopes(r, &fq, floor, limit + 1 - pg.written, &pg);
out:
    ms_buf_free(&sql);
    ms_buf_free(&fq.filters);
    if (rc < 0) return rc;
    return page_finish(r, &pg);
}
