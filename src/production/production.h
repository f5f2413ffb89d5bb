/* production.h: production tracking — the public face of the production module.
 *
 * Per project: entity types (Episode, Sequence, Shot, and asset types such as Character),
 * entities arranged episode -> sequence -> shot with frame ranges and typed custom fields,
 * casting (which assets appear in which shot), task types, task statuses with the rules the
 * server enforces (artists may set only statuses allowed to artists, clients only review),
 * tasks (entity x task type) with assignees, comments with status changes, @mentions,
 * checklists and attachments from the asset library, and in-app notifications. The grid
 * (shots x task types) is one query. Other modules link to tasks and entities by id. */
#ifndef MS_PRODUCTION_H
#define MS_PRODUCTION_H

#include "core/api.h"
#include "core/error.h"
#include "store/db.h"
#include "store/jobs.h"

extern const ms_route production_routes[];
extern const char ms_schema_production[];
extern const char ms_openapi_production[];

/* Fill an empty project's vocabulary from a template ("series", "feature", "micro-drama"):
 * entity types, task types and statuses. Inside the caller's write transaction; no checks, no
 * event (the setup route does both; the benchmark's seeder calls this directly). */
int production_setup(db_conn *c, const char *project_id, const char *tpl, ms_error *err);

/* Webhooks (wt-hooks): their tables, their OpenAPI paths, and the job that delivers. */
extern const char ms_schema_production_webhooks[];
extern const char ms_openapi_production_webhooks[];
int prod_webhooks_job(void *ctx, db_conn *c, const ms_job *job, ms_error *err);

/* Schedule (wt-schedule): its tables and its OpenAPI paths. */
extern const char ms_schema_production_schedule[];
extern const char ms_openapi_production_schedule[];

/* CSV and EDL import and export: their OpenAPI paths. */
extern const char ms_openapi_production_io[];

/* ---- talent: people's work (shared by search and work parts) ---- */
/* One task a person is assigned to, as the talent module sees it (credits, availability).
 * Strings are valid during the callback only; dates are YYYY-MM-DD or NULL. */
typedef struct production_work {
    const char *user_id, *project_id, *project_name, *org_id, *task_type, *entity_name, *start_date,
        *due_date;
} production_work;
typedef int (*production_work_fn)(void *ctx, const production_work *w);
/* Every task assignment whose dates overlap [from, to] (YYYY-MM-DD, inclusive), on live
 * projects: the assignee, the task's first and last day (a task with one date lasts that
 * day), its project and organization (talent: booked ranges for search and matching).
 * Stops at a non-zero return of `fn` and returns it. */
int production_booked(db_conn *c, const char *from, const char *to, production_work_fn fn,
                      void *ctx, ms_error *err);
/* Every task assigned to `user_id` in any project that is not deleted (on entities that are
 * not deleted), ordered by project and task type; `fn` returning non-zero stops the walk and
 * becomes the result. The rows are read before the first call, so `fn` may use `c`. */
int production_work_of(db_conn *c, const char *user_id, production_work_fn fn, void *ctx,
                       ms_error *err);
/* ---- end of talent ---- */

#endif
