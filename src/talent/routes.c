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
    {"GET", "/api/v1/talent/profiles/{id}/credits", h_talent_credits_list, PERM_PUBLIC, 0, NULL},
    {"POST", "/api/v1/talent/profiles/{id}/credits", h_talent_credits_create, PERM_USER, J, NULL},
    {"PATCH", "/api/v1/talent/credits/{id}", h_talent_credit_update, PERM_USER, J, NULL},
    {"DELETE", "/api/v1/talent/credits/{id}", h_talent_credit_delete, PERM_USER, 0, NULL},
    {"POST", "/api/v1/talent/credits/{id}/verify", h_talent_credit_verify, PERM_USER, J, NULL},
    {"GET", "/api/v1/orgs/{id}/talent/credits", h_org_talent_credits, PERM_ORG_VIEW, 0, NULL},
    {"POST", "/api/v1/talent/profiles/{id}/sync", h_talent_sync, PERM_USER, 0, NULL},
    {"GET", "/api/v1/talent/profiles/{id}/availability", h_talent_availability, PERM_PUBLIC, 0,
     NULL},
    {"POST", "/api/v1/talent/profiles/{id}/unavailable", h_talent_unavailable_create, PERM_USER, J,
     NULL},
    {"DELETE", "/api/v1/talent/unavailable/{id}", h_talent_unavailable_delete, PERM_USER, 0, NULL},
    {"GET", "/api/v1/orgs/{id}/talent/shortlists", h_org_talent_shortlists, PERM_ORG_VIEW, 0, NULL},
    {"POST", "/api/v1/orgs/{id}/talent/shortlists", h_org_talent_shortlists_create, PERM_ORG_VIEW,
     J, NULL},
    {"GET", "/api/v1/talent/shortlists/{id}", h_talent_shortlist_get, PERM_USER, 0, NULL},
    {"PATCH", "/api/v1/talent/shortlists/{id}", h_talent_shortlist_update, PERM_USER, J, NULL},
    {"DELETE", "/api/v1/talent/shortlists/{id}", h_talent_shortlist_delete, PERM_USER, 0, NULL},
    {"POST", "/api/v1/talent/shortlists/{id}/entries", h_talent_shortlist_entry_add, PERM_USER, J,
     NULL},
    {"DELETE", "/api/v1/talent/shortlists/{id}/entries/{profile_id}",
     h_talent_shortlist_entry_remove, PERM_USER, 0, NULL},
    {"POST", "/api/v1/projects/{id}/talent-invites", h_project_talent_invites_create,
     PERM_PROJECT_MANAGE, J, NULL},
    {"GET", "/api/v1/projects/{id}/talent-invites", h_project_talent_invites, PERM_PROJECT_MANAGE,
     0, NULL},
    {"GET", "/api/v1/talent/me/invites", h_talent_me_invites, PERM_USER, 0, NULL},
    {"POST", "/api/v1/talent/invites/{id}/accept", h_talent_invite_accept, PERM_USER, 0, NULL},
    {"POST", "/api/v1/talent/invites/{id}/decline", h_talent_invite_decline, PERM_USER, 0, NULL},
    {"POST", "/api/v1/talent/invites/{id}/withdraw", h_talent_invite_withdraw, PERM_USER, 0, NULL},
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
