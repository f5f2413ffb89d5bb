/* routes.c: the assets module's HTTP API. Each row: method, path, handler, the permission the
 * server checks (against the first path parameter) before calling the handler, and flags.
 * Routes on /assets/{id} check access to the asset's project in the handler (asset_access);
 * uploads belong to their creator. The OpenAPI description is assets/openapi.json. */
#include "assets/assets_internal.h"

#define J MS_ROUTE_JSON
#define S MS_ROUTE_STREAM

const ms_route assets_routes[] = {
    {"OPTIONS", "/api/v1/uploads", h_uploads_options, PERM_PUBLIC, 0, NULL},
    {"POST", "/api/v1/uploads", h_uploads_create, PERM_USER, S | MS_ROUTE_NO_TX, tus_on_body},
    {"GET", "/api/v1/uploads/{id}", h_uploads_head, PERM_USER, 0, NULL},
    {"PATCH", "/api/v1/uploads/{id}", h_uploads_patch, PERM_USER, S | MS_ROUTE_NO_TX, tus_on_body},
    {"DELETE", "/api/v1/uploads/{id}", h_uploads_delete, PERM_USER, 0, NULL},

    {"GET", "/api/v1/store/params", h_store_params, PERM_USER, 0, NULL},
    {"POST", "/api/v1/projects/{id}/chunks/missing", h_chunks_missing, PERM_PROJECT_EDIT, J, NULL},
    {"PUT", "/api/v1/projects/{id}/chunks/{digest}", h_chunks_put, PERM_PROJECT_EDIT,
     S | MS_ROUTE_NO_TX, chunks_on_body},
    {"POST", "/api/v1/projects/{id}/assets/commit", h_assets_commit, PERM_PROJECT_EDIT,
     J | MS_ROUTE_NO_TX | MS_ROUTE_LARGE, NULL},

    {"GET", "/api/v1/projects/{id}/assets", h_assets_list, PERM_PROJECT_VIEW, 0, NULL},
    {"GET", "/api/v1/projects/{id}/folders/zip", h_folder_zip, PERM_PROJECT_VIEW, 0, NULL},
    {"GET", "/api/v1/assets/{id}", h_assets_get, PERM_USER, 0, NULL},
    {"PATCH", "/api/v1/assets/{id}", h_assets_update, PERM_USER, J, NULL},
    {"DELETE", "/api/v1/assets/{id}", h_assets_delete, PERM_USER, 0, NULL},
    {"GET", "/api/v1/assets/{id}/versions", h_asset_versions, PERM_USER, 0, NULL},
    {"POST", "/api/v1/assets/{id}/versions/{number}/restore", h_asset_restore, PERM_USER, 0, NULL},
    {"GET", "/api/v1/assets/{id}/compare", h_asset_compare, PERM_USER, 0, NULL},
    {"GET", "/api/v1/assets/{id}/content", h_asset_content, PERM_USER, 0, NULL},
    {"GET", "/api/v1/assets/{id}/derivatives/{kind}", h_asset_derivative, PERM_USER, 0, NULL},

    {"POST", "/api/v1/assets/{id}/shares", h_shares_create, PERM_USER, J | MS_ROUTE_NO_TX, NULL},
    {"GET", "/api/v1/assets/{id}/shares", h_shares_list, PERM_USER, 0, NULL},
    {"DELETE", "/api/v1/assets/{id}/shares/{share_id}", h_shares_revoke, PERM_USER, 0, NULL},
    {"GET", "/api/v1/shares/{token}", h_share_open, PERM_PUBLIC, 0, NULL},
    {"GET", "/api/v1/shares/{token}/{what}", h_share_content, PERM_PUBLIC, 0, NULL},
    {NULL, NULL, NULL, 0, 0, NULL},
};
