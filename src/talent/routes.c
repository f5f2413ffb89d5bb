/* routes.c: the talent module's HTTP API. Each row: method, path, handler, the permission the
 * server checks (against the first path parameter) before calling the handler, and flags.
 * Routes on /talent/profiles/{id}, /talent/credits/{id}, ... decide in the handler what the
 * caller may read or change (access.c); what they may not see answers 404. The OpenAPI
 * description is talent/openapi*.json. */
#include "talent/talent_internal.h"

#define J MS_ROUTE_JSON

const ms_route talent_routes[] = {
    /* ---- profiles ---- */
    {"GET", "/api/v1/talent/crafts", h_talent_crafts, PERM_PUBLIC, 0, NULL},
    {"POST", "/api/v1/talent/crafts", h_talent_crafts_create, PERM_ADMIN, J, NULL},
    {"POST", "/api/v1/talent/profiles", h_talent_profiles_create, PERM_USER, J, NULL},
    {"GET", "/api/v1/talent/profiles/{id}", h_talent_profile_get, PERM_PUBLIC, 0, NULL},
    {"PATCH", "/api/v1/talent/profiles/{id}", h_talent_profile_update, PERM_USER, J, NULL},
    {"DELETE", "/api/v1/talent/profiles/{id}", h_talent_profile_delete, PERM_USER, 0, NULL},
    {"GET", "/api/v1/talent/profiles/{id}/media/{asset_id}/{kind}", h_talent_profile_media,
     PERM_PUBLIC, 0, NULL},
    {"POST", "/api/v1/talent/profiles/{id}/claim-links", h_talent_claim_links_create, PERM_USER, J,
     NULL},
    {"POST", "/api/v1/talent/claim", h_talent_claim, PERM_USER, J, NULL},
    {"GET", "/api/v1/talent/me", h_talent_me, PERM_USER, 0, NULL},
    {"GET", "/api/v1/talent/me/export", h_talent_me_export, PERM_USER, 0, NULL},
    {"GET", "/api/v1/orgs/{id}/talent/profiles", h_org_talent_profiles, PERM_ORG_VIEW, 0, NULL},
    /* ---- end of profiles ---- */
    /* ---- search ---- */
    {"GET", "/api/v1/talent/search", h_talent_search, PERM_USER, 0, NULL},
    {"POST", "/api/v1/orgs/{id}/talent/match", h_org_talent_match, PERM_ORG_VIEW,
     J | MS_ROUTE_NO_TX, NULL},
    /* ---- end of search ---- */
    /* ---- work ---- */
    /* ---- end of work ---- */
    /* ---- io ---- */
    /* ---- end of io ---- */
    {NULL, NULL, NULL, 0, 0, NULL},
};
