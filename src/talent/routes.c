/* routes.c: the talent module's HTTP API. Each row: method, path, handler, the permission the
 * server checks (against the first path parameter) before calling the handler, and flags.
 * Routes on /talent/profiles/{id}, /talent/credits/{id}, ... decide in the handler what the
 * caller may read or change (access.c); what they may not see answers 404. The OpenAPI
 * description is talent/openapi*.json. */
#include "talent/talent_internal.h"

#define J MS_ROUTE_JSON

const ms_route talent_routes[] = {
    /* ---- profiles ---- */
    /* ---- end of profiles ---- */
    /* ---- search ---- */
    /* ---- end of search ---- */
    /* ---- work ---- */
    /* ---- end of work ---- */
    /* ---- io ---- */
    /* CSV import and export (io.c): the import's body is text, streamed to talent_io_on_body;
     * members+ import (checked in the handler: viewers get 403), any member exports. */
    {"POST", "/api/v1/orgs/{id}/talent/import", h_talent_import, PERM_ORG_VIEW, MS_ROUTE_STREAM,
     talent_io_on_body},
    {"GET", "/api/v1/orgs/{id}/talent/export", h_talent_export, PERM_ORG_VIEW, 0, NULL},
    /* ---- end of io ---- */
    {NULL, NULL, NULL, 0, 0, NULL},
};
