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
/* Did a write fail on a unique index (a name or key taken)? */
bool prod_unique_violation(const ms_error *e);

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
int io_query_bool(ms_req *r, const char *name, bool def, bool *out);
/* MS_ROUTE_STREAM body collector of the import routes, and the body it collected. */
int io_on_body(ms_req *r, const char *data, size_t len);
const char *io_body_get(ms_req *r, size_t *len);
int h_io_export(ms_req *r);
int h_io_import(ms_req *r);
int h_io_import_edl(ms_req *r);

#endif
