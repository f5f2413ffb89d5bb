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
    /* EMA Avails (ema_api.c): the import's body is text, streamed to rights_ema_on_body. */
    {"POST", "/api/v1/orgs/{id}/ema/import", h_rights_ema_import, PERM_ORG_VIEW, MS_ROUTE_STREAM,
     rights_ema_on_body},
    {"GET", "/api/v1/orgs/{id}/ema/export", h_rights_ema_export, PERM_ORG_VIEW, 0, NULL},
    /* ---- end of wt-ema ---- */
    {NULL, NULL, NULL, 0, 0, NULL},
};
