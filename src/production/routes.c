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

    /* CSV / EDL import and export (wt-io): io*.c. Import bodies are text, streamed to
     * io_on_body (at most IO_BODY_MAX). */
    {"GET", "/api/v1/projects/{id}/export/{file}", h_io_export, PERM_PROJECT_VIEW, 0, NULL},
    {"POST", "/api/v1/projects/{id}/import/{kind}", h_io_import, PERM_PROJECT_VIEW, MS_ROUTE_STREAM,
     io_on_body},
    {"POST", "/api/v1/projects/{id}/import/edl", h_io_import_edl, PERM_PROJECT_VIEW,
     MS_ROUTE_STREAM, io_on_body},
    {NULL, NULL, NULL, 0, 0, NULL},
};
