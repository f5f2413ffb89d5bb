/* routes.c: the rights module's HTTP API. Each row: method, path, handler, the permission the
 * server checks (against the first path parameter) before calling the handler, and flags.
 * Routes on /titles/{id}, /deals/{id}, ... find the organization in the handler and check the
 * caller's level there (access.c). The OpenAPI description is rights/openapi*.json. */
#include "rights/rights_internal.h"

#define J MS_ROUTE_JSON

const ms_route rights_routes[] = {
    /* ---- main ---- */
    /* ---- end of main ---- */
    /* ---- wt-market ---- */
    /* ---- end of wt-market ---- */
    /* ---- wt-ema ---- */
    /* ---- end of wt-ema ---- */
    {NULL, NULL, NULL, 0, 0, NULL},
};
