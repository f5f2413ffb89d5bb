/* routes.c: the production module's HTTP API. Each row: method, path, handler, the permission
 * the server checks (against the first path parameter) before calling the handler, and flags.
 * Routes on /entities/{id} and /tasks/{id} find the project in the handler and narrow access
 * by production role there (access.c). The OpenAPI description is production/openapi.json. */
#include "production/prod_internal.h"

#define J MS_ROUTE_JSON

const ms_route production_routes[] = {
    {"POST", "/api/v1/projects/{id}/production/setup", h_prod_setup, PERM_PROJECT_VIEW, J, NULL},
    {"GET", "/api/v1/projects/{id}/entity-types", h_entity_types_list, PERM_PROJECT_VIEW, 0, NULL},
    {"POST", "/api/v1/projects/{id}/entity-types", h_entity_types_create, PERM_PROJECT_VIEW, J,
     NULL},
    {"GET", "/api/v1/projects/{id}/task-types", h_task_types_list, PERM_PROJECT_VIEW, 0, NULL},
    {"POST", "/api/v1/projects/{id}/task-types", h_task_types_create, PERM_PROJECT_VIEW, J, NULL},
    {"GET", "/api/v1/projects/{id}/task-statuses", h_task_statuses_list, PERM_PROJECT_VIEW, 0,
     NULL},
    {"POST", "/api/v1/projects/{id}/task-statuses", h_task_statuses_create, PERM_PROJECT_VIEW, J,
     NULL},
    {"GET", "/api/v1/projects/{id}/fields", h_fields_list, PERM_PROJECT_VIEW, 0, NULL},
    {"POST", "/api/v1/projects/{id}/fields", h_fields_create, PERM_PROJECT_VIEW, J, NULL},

    {"GET", "/api/v1/projects/{id}/entities", h_entities_list, PERM_PROJECT_VIEW, 0, NULL},
    {"POST", "/api/v1/projects/{id}/entities", h_entities_create, PERM_PROJECT_VIEW, J, NULL},
    {"GET", "/api/v1/entities/{id}", h_entity_get, PERM_USER, 0, NULL},
    {"PATCH", "/api/v1/entities/{id}", h_entity_update, PERM_USER, J, NULL},
    {"DELETE", "/api/v1/entities/{id}", h_entity_delete, PERM_USER, 0, NULL},
    {"GET", "/api/v1/entities/{id}/casting", h_casting_get, PERM_USER, 0, NULL},
    {"PUT", "/api/v1/entities/{id}/casting", h_casting_put, PERM_USER, J, NULL},

    {"GET", "/api/v1/projects/{id}/tasks", h_tasks_list, PERM_PROJECT_VIEW, 0, NULL},
    {"POST", "/api/v1/projects/{id}/tasks", h_tasks_create, PERM_PROJECT_VIEW, J, NULL},
    {"POST", "/api/v1/projects/{id}/tasks/bulk", h_tasks_bulk, PERM_PROJECT_VIEW, J, NULL},
    {"GET", "/api/v1/projects/{id}/grid", h_grid, PERM_PROJECT_VIEW, 0, NULL},
    {"GET", "/api/v1/tasks/{id}", h_task_get, PERM_USER, 0, NULL},
    {"PATCH", "/api/v1/tasks/{id}", h_task_update, PERM_USER, J, NULL},
    {"DELETE", "/api/v1/tasks/{id}", h_task_delete, PERM_USER, 0, NULL},
    {"GET", "/api/v1/tasks/{id}/comments", h_comments_list, PERM_USER, 0, NULL},
    {"POST", "/api/v1/tasks/{id}/comments", h_comments_create, PERM_USER, J, NULL},

    {"GET", "/api/v1/me/tasks", h_my_tasks, PERM_USER, 0, NULL},
    {"GET", "/api/v1/me/notifications", h_notifications_list, PERM_USER, 0, NULL},
    {"POST", "/api/v1/me/notifications/read", h_notifications_read, PERM_USER, J, NULL},

    /* Webhooks (wt-hooks): supervisors only, checked in the handlers. */
    {"GET", "/api/v1/projects/{id}/webhooks", h_webhooks_list, PERM_PROJECT_VIEW, 0, NULL},
    {"POST", "/api/v1/projects/{id}/webhooks", h_webhooks_create, PERM_PROJECT_VIEW, J, NULL},
    {"GET", "/api/v1/webhooks/{id}", h_webhook_get, PERM_USER, 0, NULL},
    {"PATCH", "/api/v1/webhooks/{id}", h_webhook_update, PERM_USER, J, NULL},
    {"DELETE", "/api/v1/webhooks/{id}", h_webhook_delete, PERM_USER, 0, NULL},
    {"POST", "/api/v1/webhooks/{id}/ping", h_webhook_ping, PERM_USER, 0, NULL},
    {"GET", "/api/v1/webhooks/{id}/deliveries", h_webhook_deliveries, PERM_USER, 0, NULL},
    {"POST", "/api/v1/webhook-deliveries/{id}/redeliver", h_webhook_redeliver, PERM_USER, 0, NULL},
    /* ---- Review (wt-review): versions, notes, playlists, review links. ---- */
    {"GET", "/api/v1/tasks/{id}/versions", h_versions_list, PERM_USER, 0, NULL},
    {"POST", "/api/v1/tasks/{id}/versions", h_versions_create, PERM_USER, J, NULL},
    {"GET", "/api/v1/projects/{id}/versions", h_project_versions, PERM_PROJECT_VIEW, 0, NULL},
    {"GET", "/api/v1/versions/{id}", h_version_get, PERM_USER, 0, NULL},
    {"PATCH", "/api/v1/versions/{id}", h_version_update, PERM_USER, J, NULL},
    {"GET", "/api/v1/versions/{id}/media/{kind}", h_version_media, PERM_USER, 0, NULL},
    {"GET", "/api/v1/versions/{id}/notes", h_notes_list, PERM_USER, 0, NULL},
    {"POST", "/api/v1/versions/{id}/notes", h_notes_create, PERM_USER, J, NULL},
    {"PATCH", "/api/v1/notes/{id}", h_note_update, PERM_USER, J, NULL},
    {"DELETE", "/api/v1/notes/{id}", h_note_delete, PERM_USER, 0, NULL},
    {"GET", "/api/v1/projects/{id}/playlists", h_playlists_list, PERM_PROJECT_VIEW, 0, NULL},
    {"POST", "/api/v1/projects/{id}/playlists", h_playlists_create, PERM_PROJECT_VIEW, J, NULL},
    {"GET", "/api/v1/playlists/{id}", h_playlist_get, PERM_USER, 0, NULL},
    {"PATCH", "/api/v1/playlists/{id}", h_playlist_update, PERM_USER, J, NULL},
    {"DELETE", "/api/v1/playlists/{id}", h_playlist_delete, PERM_USER, 0, NULL},
    {"PUT", "/api/v1/playlists/{id}/items", h_playlist_items_put, PERM_USER, J, NULL},
    {"POST", "/api/v1/playlists/{id}/review-links", h_playlist_links_create, PERM_USER,
     J | MS_ROUTE_NO_TX, NULL},
    {"POST", "/api/v1/versions/{id}/review-links", h_version_links_create, PERM_USER,
     J | MS_ROUTE_NO_TX, NULL},
    {"GET", "/api/v1/projects/{id}/review-links", h_review_links_list, PERM_PROJECT_VIEW, 0, NULL},
    {"DELETE", "/api/v1/review-links/{id}", h_review_link_revoke, PERM_USER, 0, NULL},
    {"GET", "/api/v1/review/{token}", h_review_open, PERM_PUBLIC, 0, NULL},
    {"POST", "/api/v1/review/{token}/notes", h_review_note_create, PERM_PUBLIC, J | MS_ROUTE_NO_TX,
     NULL},
    /* ---- end of review (wt-review). ---- */
    /* wt-schedule: dependencies, milestones, time logs, workload, Gantt data, stats. */
    {"POST", "/api/v1/tasks/{id}/dependencies", h_dependency_create, PERM_USER, J, NULL},
    {"GET", "/api/v1/tasks/{id}/dependencies", h_task_dependencies, PERM_USER, 0, NULL},
    {"DELETE", "/api/v1/dependencies/{id}", h_dependency_delete, PERM_USER, 0, NULL},
    {"GET", "/api/v1/projects/{id}/milestones", h_milestones_list, PERM_PROJECT_VIEW, 0, NULL},
    {"POST", "/api/v1/projects/{id}/milestones", h_milestones_create, PERM_PROJECT_VIEW, J, NULL},
    {"PATCH", "/api/v1/milestones/{id}", h_milestone_update, PERM_USER, J, NULL},
    {"DELETE", "/api/v1/milestones/{id}", h_milestone_delete, PERM_USER, 0, NULL},
    {"PUT", "/api/v1/tasks/{id}/time-logs/{day}", h_time_log_put, PERM_USER, J, NULL},
    {"GET", "/api/v1/tasks/{id}/time-logs", h_task_time_logs, PERM_USER, 0, NULL},
    {"GET", "/api/v1/projects/{id}/time-logs", h_project_time_logs, PERM_PROJECT_VIEW, 0, NULL},
    {"GET", "/api/v1/projects/{id}/workload", h_workload, PERM_PROJECT_VIEW, 0, NULL},
    {"GET", "/api/v1/projects/{id}/schedule", h_schedule, PERM_PROJECT_VIEW, 0, NULL},
    {"GET", "/api/v1/projects/{id}/stats", h_stats, PERM_PROJECT_VIEW, 0, NULL},
    {"GET", "/api/v1/projects/{id}/stats/burnup", h_burnup, PERM_PROJECT_VIEW, 0, NULL},
    /* end wt-schedule */
    /* CSV / EDL import and export (wt-io): io*.c. Import bodies are text, streamed to
     * io_on_body (at most IO_BODY_MAX). */
    {"GET", "/api/v1/projects/{id}/export/{file}", h_io_export, PERM_PROJECT_VIEW, 0, NULL},
    {"POST", "/api/v1/projects/{id}/import/{kind}", h_io_import, PERM_PROJECT_VIEW, MS_ROUTE_STREAM,
     io_on_body},
    {"POST", "/api/v1/projects/{id}/import/edl", h_io_import_edl, PERM_PROJECT_VIEW,
     MS_ROUTE_STREAM, io_on_body},
    {NULL, NULL, NULL, 0, 0, NULL},
};
