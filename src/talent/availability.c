/* availability.c: when a person can work. Two sources, read together for a window of days:
 *   booked       the tasks assigned to the person's account in production (start and due
 *                dates), read live from production (production_work_of), never copied, so
 *                a task moved in the schedule moves here at once;
 *   unavailable  ranges the person sets (holidays, another job off the platform), at most
 *                UNAVAILABLE_MAX per profile, with a note only those who may edit read.
 * The profile's availability visibility (TF_AVAILABILITY) decides who reads any of it. A
 * booked range names its project only to a caller who may see that project (authz_project);
 * to anyone else it is just dates, merged with the other anonymous ranges.
 * Also here: the date helpers of the work part (talent_date_parse, talent_date_fmt).
 * Not here: the availability filter of search and matching (search.c, match.c), which read
 * talent_doc.unavailable and production_booked. */
#include "talent/talent_internal.h"

#include "production/production.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define UNAVAILABLE_MAX  200
#define WINDOW_DEFAULT   90   /* days shown when no window is asked for */
#define WINDOW_MAX       400  /* days at most in one answer */
#define UNAVAILABLE_SPAN 3660 /* days at most in one range (ten years) */
#define MS_PER_DAY       86400000LL

bool talent_date_parse(const char *s, int64_t *days)
{
    if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-') return false;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9')) return false;
    int y = atoi(s), m = atoi(s + 5), d = atoi(s + 8);
    return y >= 1800 && ms_days_from_civil(y, m, d, days);
}

void talent_date_fmt(int64_t days, char out[11])
{
    char t[MS_TIME_LEN];
    ms_time_fmt(days * MS_PER_DAY, t);
    memcpy(out, t, 10);
    out[10] = 0;
}

int64_t talent_today(void)
{
    return ms_now_ms() / MS_PER_DAY;
}

int talent_query_fail(ms_req *r, const char *field, const char *msg)
{
    ms_field_fail(&r->err, field, "%s", msg);
    r->err.code = MS_EBADREQ;
    snprintf(r->err.type, sizeof r->err.type, "bad-query");
    snprintf(r->err.detail, sizeof r->err.detail, "A query parameter is invalid: %s %s.", field,
             msg);
    return MS_EBADREQ;
}

/* ---- Booked ranges. ---- */

typedef struct booked {
    int64_t start, end;
    const char *project_id, *project_name; /* in the arena */
    bool shown;                            /* the caller may see the project */
} booked;

typedef struct booked_list {
    ms_req *r;
    int64_t from, to;
    booked *v;
    int n, cap;
} booked_list;

static int collect_booked(void *ctx, const production_work *w)
{
    booked_list *l = ctx;
    int64_t a, b;
    bool has_a = talent_date_parse(w->start_date, &a), has_b = talent_date_parse(w->due_date, &b);
    if (!has_a && !has_b) return 0; /* undated work books no day */
    if (!has_a) a = b;
    if (!has_b) b = a;
    if (a > b) {
        int64_t t = a;
        a = b;
        b = t;
    }
    if (b < l->from || a > l->to) return 0;
    if (l->n == l->cap) {
        int cap = l->cap ? l->cap * 2 : 32;
        booked *grown = ms_arena_alloc(l->r->arena, (size_t)cap * sizeof *grown);
        if (!grown) return ms_req_fail(l->r, MS_ENOMEM, NULL, "out of memory");
        if (l->n) memcpy(grown, l->v, (size_t)l->n * sizeof *grown);
        l->v = grown;
        l->cap = cap;
    }
    l->v[l->n++] = (booked){a, b, ms_arena_strdup(l->r->arena, w->project_id),
                            ms_arena_strdup(l->r->arena, w->project_name), false};
    return 0;
}

/* Ranges group by what they show (a project, or nothing), and overlapping or touching ranges
 * of one group become one. */
static const char *group_of(const booked *b)
{
    return b->shown ? b->project_id : "";
}

static int by_group_start(const void *x, const void *y)
{
    const booked *a = x, *b = y;
    int c = strcmp(group_of(a), group_of(b));
    if (c) return c;
    return a->start < b->start ? -1 : a->start > b->start;
}

static int by_start(const void *x, const void *y)
{
    const booked *a = x, *b = y;
    if (a->start != b->start) return a->start < b->start ? -1 : 1;
    return strcmp(group_of(a), group_of(b));
}

static int booked_json(ms_req *r, booked_list *l, json_t *out)
{
    /* Which projects the caller may see: asked once per project. */
    json_t *seen = json_object();
    for (int i = 0; i < l->n; i++) {
        json_t *known = json_object_get(seen, l->v[i].project_id);
        if (!known) {
            bool shown = false;
            if (r->caller) {
                ms_access a;
                ms_error e;
                ms_error_clear(&e);
                int rc = authz_project(r->db, r->caller, l->v[i].project_id, &a, &e);
                if (rc && rc != MS_ENOTFOUND) {
                    json_decref(seen);
                    r->err = e;
                    return rc;
                }
                shown = rc == 0;
            }
            json_object_set_new(seen, l->v[i].project_id, known = json_boolean(shown));
        }
        l->v[i].shown = json_is_true(known);
    }
    json_decref(seen);
    if (l->n > 1) qsort(l->v, (size_t)l->n, sizeof *l->v, by_group_start);
    int m = 0;
    for (int i = 0; i < l->n; i++) {
        if (m && !strcmp(group_of(&l->v[m - 1]), group_of(&l->v[i])) &&
            l->v[i].start <= l->v[m - 1].end + 1) {
            if (l->v[i].end > l->v[m - 1].end) l->v[m - 1].end = l->v[i].end;
            continue;
        }
        l->v[m++] = l->v[i];
    }
    if (m > 1) qsort(l->v, (size_t)m, sizeof *l->v, by_start);
    for (int i = 0; i < m; i++) {
        char a[11], b[11];
        talent_date_fmt(l->v[i].start, a);
        talent_date_fmt(l->v[i].end, b);
        json_t *o = json_pack("{s:s,s:s}", "start", a, "end", b);
        if (l->v[i].shown)
            json_object_set_new(
                o, "project",
                json_pack("{s:s,s:s}", "id", l->v[i].project_id, "name", l->v[i].project_name));
        json_array_append_new(out, o);
    }
    return 0;
}

/* GET /talent/profiles/{id}/availability?from&to */
int h_talent_availability(ms_req *r)
{
    static const char *const allowed[] = {"from", "to", NULL};
    int rc = ms_req_query_only(r, allowed);
    if (rc) return rc;
    const char *qf = ms_req_query(r, "from"), *qt = ms_req_query(r, "to");
    int64_t from = talent_today(), to;
    if (qf && !talent_date_parse(qf, &from))
        return talent_query_fail(r, "from", "must be a date YYYY-MM-DD");
    to = from + WINDOW_DEFAULT - 1;
    if (qt && !talent_date_parse(qt, &to))
        return talent_query_fail(r, "to", "must be a date YYYY-MM-DD");
    if (to < from) return talent_query_fail(r, "to", "must not be before from");
    if (to - from + 1 > WINDOW_MAX)
        return talent_query_fail(r, "to", "must be at most 400 days after from");
    talent_ref p;
    talent_viewer v;
    if ((rc = talent_open(r, ms_req_param(r, "id"), &p, &v))) return rc;
    if (!talent_sees(&v, &p, TF_AVAILABILITY))
        return ms_req_fail(r, MS_ENOTFOUND, NULL,
                           "This profile's availability is not shown to you.");
    char a[11], b[11];
    talent_date_fmt(from, a);
    talent_date_fmt(to, b);
    json_t *out = json_pack("{s:s,s:s,s:[],s:[]}", "from", a, "to", b, "booked", "unavailable");
    booked_list l = {.r = r, .from = from, .to = to};
    if (p.user_id[0] && ((rc = production_work_of(r->db, p.user_id, collect_booked, &l, &r->err)) ||
                         (rc = booked_json(r, &l, json_object_get(out, "booked")))))
        goto fail;
    db_stmt *st;
    rc = db_query(r->db, &st, &r->err,
                  "SELECT id, start_date, end_date, note FROM talent_unavailable WHERE profile_id "
                  "= ? AND end_date >= ? AND start_date <= ? ORDER BY start_date, id",
                  "sss", p.id, a, b);
    if (rc) goto fail;
    json_t *un = json_object_get(out, "unavailable");
    while ((rc = db_step(st, &r->err)) == DB_ROW) {
        json_t *o = json_pack("{s:s,s:s,s:s}", "id", db_col_text(st, 0), "start",
                              db_col_text(st, 1), "end", db_col_text(st, 2));
        if (v.can_edit) json_object_set_new(o, "note", json_string(db_col_text(st, 3)));
        json_array_append_new(un, o);
    }
    db_done(st);
    if (rc < 0) goto fail;
    return ms_reply(r, 200, out);
fail:
    json_decref(out);
    return rc;
}

/* POST /talent/profiles/{id}/unavailable {"start", "end", "note"} */
int h_talent_unavailable_create(ms_req *r)
{
    static const ms_jfield fields[] = {
        {"start", MS_J_STRING, true, false, 10, 10, NULL},
        {"end", MS_J_STRING, true, false, 10, 10, NULL},
        {"note", MS_J_STRING, false, false, 0, 500, NULL},
        {NULL, 0, false, false, 0, 0, NULL},
    };
    if (ms_json_check(r->body, fields, &r->err)) return r->err.code;
    const char *start = ms_json_str(r->body, "start"), *end = ms_json_str(r->body, "end");
    const char *note = ms_json_str(r->body, "note");
    int64_t a = 0, b = 0;
    if (!talent_date_parse(start, &a)) ms_field_fail(&r->err, "start", "must be a date YYYY-MM-DD");
    if (!talent_date_parse(end, &b))
        ms_field_fail(&r->err, "end", "must be a date YYYY-MM-DD");
    else if (!r->err.code && b < a)
        ms_field_fail(&r->err, "end", "must not be before start");
    else if (!r->err.code && b - a + 1 > UNAVAILABLE_SPAN)
        ms_field_fail(&r->err, "end", "a range spans at most %d days", UNAVAILABLE_SPAN);
    if (r->err.code) return r->err.code;
    talent_ref p;
    talent_viewer v;
    int rc = talent_open(r, ms_req_param(r, "id"), &p, &v);
    if (rc || (rc = talent_require_edit(r, &p, &v))) return rc;
    db_stmt *st;
    rc = db_query_row(r->db, &st, &r->err,
                      "SELECT COUNT(*) FROM talent_unavailable WHERE profile_id = ?", "s", p.id);
    if (rc < 0) return rc;
    int64_t n = db_col_int(st, 0);
    db_done(st);
    if (n >= UNAVAILABLE_MAX)
        return ms_req_fail(r, MS_ECONFLICT, "too-many-ranges",
                           "A profile keeps at most %d unavailable ranges; remove old ones first.",
                           UNAVAILABLE_MAX);
    char id[MS_ID_LEN], now[MS_TIME_LEN];
    ms_uuid7(id);
    ms_now_str(now);
    rc = db_exec(r->db, &r->err,
                 "INSERT INTO talent_unavailable (id, profile_id, start_date, end_date, note, "
                 "created_at) VALUES (?, ?, ?, ?, ?, ?)",
                 "ssssss", id, p.id, start, end, note ? note : "", now);
    if (rc < 0) return rc;
    if ((rc = talent_touch(r, &p)) ||
        (rc = talent_event(r, &p, "talent.unavailable.created", "talent_unavailable", id, "%s",
                           "unavailable days added")))
        return rc;
    return ms_reply(r, 201,
                    json_pack("{s:s,s:s,s:s,s:s,s:s}", "id", id, "start", start, "end", end, "note",
                              note ? note : "", "created_at", now));
}

/* DELETE /talent/unavailable/{id} */
int h_talent_unavailable_delete(ms_req *r)
{
    const char *id = ms_req_param(r, "id");
    if (!id || !ms_uuid_valid(id)) return ms_req_fail(r, MS_ENOTFOUND, NULL, "No such range.");
    db_stmt *st;
    int rc = db_query_row(r->db, &st, &r->err,
                          "SELECT profile_id FROM talent_unavailable WHERE id = ?", "s", id);
    if (rc < 0) return rc;
    if (rc == DB_DONE) return ms_req_fail(r, MS_ENOTFOUND, NULL, "No such range.");
    char pid[MS_ID_LEN];
    ms_strlcpy(pid, db_col_text(st, 0), sizeof pid);
    db_done(st);
    talent_ref p;
    talent_viewer v;
    rc = talent_open(r, pid, &p, &v);
    if (rc == MS_ENOTFOUND || (!rc && !v.can_edit && !talent_sees(&v, &p, TF_AVAILABILITY))) {
        ms_error_clear(&r->err);
        return ms_req_fail(r, MS_ENOTFOUND, NULL, "No such range.");
    }
    if (rc || (rc = talent_require_edit(r, &p, &v))) return rc;
    rc = db_exec(r->db, &r->err, "DELETE FROM talent_unavailable WHERE id = ?", "s", id);
    if (rc < 0) return rc;
    if ((rc = talent_touch(r, &p)) ||
        (rc = talent_event(r, &p, "talent.unavailable.deleted", "talent_unavailable", id, "%s",
                           "unavailable days removed")))
        return rc;
    return ms_reply_empty(r);
}
