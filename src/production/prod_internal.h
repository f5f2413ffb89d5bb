/* prod_internal.h: what the files of the production module share. Not for other modules
 * (they use production.h). */
#ifndef MS_PROD_INTERNAL_H
#define MS_PROD_INTERNAL_H

#include "auth/auth.h"
#include "core/api.h"
#include "core/buf.h"
#include "core/id.h"
#include "core/json.h"
#include "core/time.h"
#include "production/production.h"
#include "store/db.h"

#include <stdbool.h>
#include <stdint.h>

/* ---- Who the caller is in a project's production (access.c). ----
 *
 * The auth module says how far a caller reaches a project (view, edit, manage) and by which
 * role. Production narrows that into four kinds of people:
 *   supervisor  manage level: every task, every status, the project's setup
 *   artist      edit level (members, co-producers): every task; plans tasks; sets only
 *               statuses allowed to artists
 *   vendor      role vendor (a partner organization or a project member): only tasks
 *               assigned to its people (the organization's members, or the user alone); sets
 *               only statuses allowed to artists; plans nothing
 *   client      role client: only tasks sent for review (a feedback-request status) or
 *               decided by a client; sets only statuses allowed to clients; comments
 *   viewer      any other view role: reads everything, changes nothing */
typedef enum prod_kind {
    PROD_VIEWER = 0,
    PROD_CLIENT,
    PROD_VENDOR,
    PROD_ARTIST,
    PROD_SUPERVISOR,
} prod_kind;

typedef struct prod_scope {
    char project_id[MS_ID_LEN];
    char org_id[MS_ID_LEN];  /* the owning organization */
    char user_id[MS_ID_LEN]; /* the caller */
    prod_kind kind;
    char role[24];
    char vendor_org[MS_ID_LEN]; /* vendor through a partner organization: that organization */
} prod_scope;

/* The caller's scope in `project_id` (MS_ENOTFOUND when they cannot see it). */
int prod_scope_get(ms_req *r, const char *project_id, prod_scope *out);
/* The same for the project of a row: `sql` selects project_id for one `id` parameter. The
 * not-found message names `what`. */
int prod_scope_of(ms_req *r, const char *sql, const char *id, const char *what, prod_scope *out);
/* Fail with 403 unless the caller is at least `need`. */
int prod_require(ms_req *r, const prod_scope *s, prod_kind need, const char *doing);
/* Append an SQL condition (" AND ...") that keeps only the tasks (alias `t`) the scope may see,
 * with its arguments. */
void prod_task_filter(const prod_scope *s, ms_buf *sql, db_arg *args, int *n);
/* May the scope see task `task_id`? (0, or MS_ENOTFOUND with r->err filled.) */
int prod_task_visible(ms_req *r, const prod_scope *s, const char *task_id);

/* The scope of task `id`, which the caller must be able to see (else MS_ENOTFOUND). */
int prod_task_scope(ms_req *r, const char *id, prod_scope *s);
/* Run a list query built in `sql` (freed here), ordered by id with LIMIT limit + 1, and answer
 * one page of it. */
int prod_reply_page(ms_req *r, ms_buf *sql, const db_arg *args, int n, int limit);
/* The start of a project's paged list (GET /projects/{id}/...): only `allowed` query
 * parameters, the page size and cursor, and the caller's scope. */
int prod_list_begin(ms_req *r, const char *const *allowed, int *limit, char cursor[MS_ID_LEN + 1],
                    prod_scope *s);
/* Answer {"items": [...]} with every row of `st` (done here) as JSON, each passed through
 * `each` first when given. */
int prod_reply_rows(ms_req *r, db_stmt *st, void (*each)(ms_req *r, json_t *row));
/* Did a write fail on a unique index (a name or key taken)? */
bool prod_unique_violation(const ms_error *e);

/* The project's production revision: raised by prod_event in every production write; the grid
 * cache (grid.c) serves an answer only at the revision it was built at. */
int prod_revision_bump(ms_req *r, const char *project_id);

/* The SQL expression (alias t) for a task's assignee ids as '"id","id"' (per engine). */
const char *prod_assignees_expr(ms_req *r);

/* Record a production change in the project's event log and raise the production revision.
 * Every write of the module's data calls it, in the write's transaction. */
int prod_event(ms_req *r, const prod_scope *s, const char *action, const char *object_type,
               const char *object_id, json_t *data, const char *fmt, ...)
    __attribute__((format(printf, 7, 8)));

/* A frame rate as text "24", "25", "24000/1001": checked and normalized into out. */
bool prod_fps_valid(const char *s, char out[24]);
/* A date YYYY-MM-DD that exists. */
bool prod_date_valid(const char *s);
/* "#rrggbb". */
bool prod_color_valid(const char *s);

/* Set a task's status, checked against the status rules; counts retakes and notifies the
 * assignees and followers (tasks.c). `field` names the input in errors. */
int prod_task_set_status(ms_req *r, const prod_scope *s, const char *task_id, const char *status_id,
                         const char *field);

/* Notify `user_id` (not the actor) of something about a task (comments.c). */
int prod_notify(ms_req *r, const prod_scope *s, const char *user_id, const char *kind,
                const char *task_id, const char *comment_id, const char *summary);

/* Notify the task's assignees and followers (all of them, except the actor and the user ids
 * in `skip`, a JSON array or NULL). */
int prod_notify_watchers(ms_req *r, const prod_scope *s, const char *task_id, const char *kind,
                         const char *comment_id, const char *summary, const json_t *skip);

/* ---- Handlers. ---- */
int h_prod_setup(ms_req *r);
int h_entity_types_list(ms_req *r);
int h_entity_types_create(ms_req *r);
int h_task_types_list(ms_req *r);
int h_task_types_create(ms_req *r);
int h_task_statuses_list(ms_req *r);
int h_task_statuses_create(ms_req *r);
int h_fields_list(ms_req *r);
int h_fields_create(ms_req *r);

int h_entities_list(ms_req *r);
int h_entities_create(ms_req *r);
int h_entity_get(ms_req *r);
int h_entity_update(ms_req *r);
int h_entity_delete(ms_req *r);
int h_casting_get(ms_req *r);
int h_casting_put(ms_req *r);

int h_tasks_list(ms_req *r);
int h_tasks_create(ms_req *r);
int h_task_get(ms_req *r);
int h_task_update(ms_req *r);
int h_task_delete(ms_req *r);
int h_tasks_bulk(ms_req *r);
int h_grid(ms_req *r);
int h_my_tasks(ms_req *r);

int h_comments_list(ms_req *r);
int h_comments_create(ms_req *r);
int h_notifications_list(ms_req *r);
int h_notifications_read(ms_req *r);

/* ---- Webhooks (wt-hooks): webhooks.c. ---- */

/* Enqueue a delivery to each active webhook of the project whose patterns match `action`,
 * in the request's transaction (called by prod_event only). */
int prod_webhooks_fire(ms_req *r, const prod_scope *s, const char *action, const char *object_type,
                       const char *object_id, const json_t *data);
int h_webhooks_list(ms_req *r);
int h_webhooks_create(ms_req *r);
int h_webhook_get(ms_req *r);
int h_webhook_update(ms_req *r);
int h_webhook_delete(ms_req *r);
int h_webhook_ping(ms_req *r);
int h_webhook_deliveries(ms_req *r);
int h_webhook_redeliver(ms_req *r);
/* ---- Review (wt-review): versions, notes, playlists, review links (review*.c). ---- */
#include "core/timecode.h"

/* A version's frame rate, frame count (-1 unknown) and start timecode (review.c). */
typedef struct review_timing {
    ms_rate rate;
    char fps[MS_RATE_LEN]; /* "24", "24000/1001" */
    bool drop;             /* 29.97 and 59.94: labels are drop-frame */
    bool has_start;
    int64_t start; /* frames of the start timecode */
    int64_t frame_count;
} review_timing;

void review_timing_make(const char *entity_fps, const char *media_fps, double duration,
                        const char *probe, const json_t *frame_in, const json_t *frame_out,
                        review_timing *t);
/* The SMPTE label of frame `frame` of the media. */
bool review_tc_of(const review_timing *t, int64_t frame, char out[MS_TC_LEN]);
/* Check annotation shapes strictly; *out is the normalized array. */
int review_shapes_check(ms_error *err, const json_t *in, json_t **out);
int review_note_position(ms_error *err, const json_t *b, const review_timing *t, int64_t *frame,
                         int64_t *frame_out);
/* The version object; media URLs through a share link when share_token is given. */
int review_version_json(ms_req *r, const char *id, const char *share_token, const char *access,
                        json_t **out, review_timing *timing);
/* The scope of a version whose task the caller sees (else MS_ENOTFOUND). */
int review_version_scope(ms_req *r, const char *id, prod_scope *s, char task_id[MS_ID_LEN]);
extern const ms_jfield review_note_fields[];
/* Insert a note (a guest's when guest_name is given), notify, append note.created. */
int review_note_insert(ms_req *r, const prod_scope *s, const char *version_id, const json_t *b,
                       const char *guest_name, const char *link_id, char id_out[MS_ID_LEN],
                       review_timing *t);
int review_note_json(ms_req *r, const char *id, const review_timing *t, json_t **out);
/* Notes of a version (only those written through `link_id` when given). */
int review_notes_json(ms_req *r, const char *version_id, const char *link_id,
                      const review_timing *t, json_t **out);
/* Give the active review links of a playlist a share for each of its versions, and revoke
 * the shares of versions no longer in it (review_links.c). */
int review_links_sync_playlist(ms_req *r, const prod_scope *s, const char *playlist_id);
/* Revoke the review links of a playlist (it is being deleted). */
int review_links_revoke_playlist(ms_req *r, const prod_scope *s, const char *playlist_id);

int h_versions_list(ms_req *r);
int h_project_versions(ms_req *r);
int h_versions_create(ms_req *r);
int h_version_get(ms_req *r);
int h_version_update(ms_req *r);
int h_version_media(ms_req *r);
int h_notes_list(ms_req *r);
int h_notes_create(ms_req *r);
int h_note_update(ms_req *r);
int h_note_delete(ms_req *r);
int h_playlists_list(ms_req *r);
int h_playlists_create(ms_req *r);
int h_playlist_get(ms_req *r);
int h_playlist_update(ms_req *r);
int h_playlist_delete(ms_req *r);
int h_playlist_items_put(ms_req *r);
int h_playlist_links_create(ms_req *r);
int h_version_links_create(ms_req *r);
int h_review_links_list(ms_req *r);
int h_review_link_revoke(ms_req *r);
int h_review_open(ms_req *r);
int h_review_note_create(ms_req *r);
/* ---- wt-schedule: schedule and stats (schedule.c, schedule_plan.c, stats.c). ---- */

/* Append the task's present status to its status history (task_status_log), unless it is
 * the status last written. Called when a task is created and whenever its status is set. */
int prod_status_log(ms_req *r, const char *task_id);

/* Days since 1970-01-01 of a date "YYYY-MM-DD" (false when it is not one). */
bool prod_day_num(const char *s, int64_t *out);
/* The date of a day number, "YYYY-MM-DD". */
void prod_day_str(int64_t day, char out[11]);
/* 0 Monday .. 6 Sunday. */
int prod_weekday(int64_t day);
/* ISO 8601 week of a day, "2026-W48". */
void prod_iso_week(int64_t day, char out[9]);
/* Working days (Monday to Friday) in [a, b], 0 when b < a. */
int64_t prod_workdays(int64_t a, int64_t b);
/* Today (UTC) as a day number. */
int64_t prod_today(void);
/* A from/to pair of query dates: defaults when absent (one end given: the other at the
 * default distance), checked, at most `max_days` long. */
int prod_query_range(ms_req *r, int64_t def_from, int64_t def_to, int64_t max_days, int64_t *from,
                     int64_t *to);
/* An index of ids (task or user ids) to 0, 1, 2, ... in the order added. */
typedef struct prod_idx {
    char (*ids)[MS_ID_LEN];
    size_t n, cap;
    size_t *slot, scap;
} prod_idx;
/* The index of `id`, added when `add`: SIZE_MAX when absent (or out of memory). */
size_t prod_idx_get(prod_idx *x, const char *id, bool add);
void prod_idx_free(prod_idx *x);
/* Fail with 400 bad-query naming `field` ("<field> <what>."). */
int prod_query_fail(ms_req *r, const char *field, const char *what);
/* The engine's JSON array of a task's (alias t) assignee ids, as an SQL expression. */
const char *prod_assignees_sql(ms_req *r);

int h_dependency_create(ms_req *r);
int h_dependency_delete(ms_req *r);
int h_task_dependencies(ms_req *r);
int h_milestones_list(ms_req *r);
int h_milestones_create(ms_req *r);
int h_milestone_update(ms_req *r);
int h_milestone_delete(ms_req *r);
int h_time_log_put(ms_req *r);
int h_task_time_logs(ms_req *r);
int h_project_time_logs(ms_req *r);
int h_workload(ms_req *r);
int h_schedule(ms_req *r);
int h_stats(ms_req *r);
int h_burnup(ms_req *r);
/* ---- end wt-schedule ---- */
/* ---- CSV / EDL import and export (wt-io): io.c, io_export.c, io_import.c. ---- */
#define IO_BODY_MAX (64 << 20) /* bytes in one CSV or EDL upload */
enum { IO_EPISODES, IO_SEQUENCES, IO_SHOTS, IO_ASSETS, IO_TASKS };
/* A map from strings (not copied: they must outlive the map) to indexes. */
typedef struct io_slot {
    uint64_t hash;
    const char *key;
    size_t val;
} io_slot;
typedef struct io_map {
    size_t cap, n;
    io_slot *slots;
} io_map;
bool io_map_put(io_map *m, const char *key, size_t val);
bool io_map_get(const io_map *m, const char *key, size_t *val);
void io_map_free(io_map *m);
/* `n` bytes of `s` with ASCII letters in lower case, in the arena. */
char *io_lower(ms_arena *a, const char *s, size_t n);
/* "episodes" ... "tasks" -> IO_*, or -1; and back; the entity kind of an IO_* ("shot"). */
int io_kind_parse(const char *s, size_t n);
const char *io_kind_name(int kind);
const char *io_kind_entity_kind(int kind);
/* A query parameter true|false|1|0 (400 bad-query otherwise). */
/* MS_ROUTE_STREAM body collector of the import routes (ms_req_body_text reads it). */
int io_on_body(ms_req *r, const char *data, size_t len);
int h_io_export(ms_req *r);
int h_io_import(ms_req *r);
int h_io_import_edl(ms_req *r);

#endif
