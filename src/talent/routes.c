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
    /* ---- end of io ---- */
    {NULL, NULL, NULL, 0, 0, NULL},
};
