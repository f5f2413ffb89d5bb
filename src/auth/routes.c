/* routes.c: the auth module's HTTP API. Each row: method, path, handler, the permission the
 * server checks (against the first path parameter) before calling the handler, and flags.
 * The OpenAPI description of these routes is auth/openapi.json; a unit test fails when the
 * two disagree. */
#include "auth/auth_internal.h"

#include "core/time.h"

#define J MS_ROUTE_JSON

const ms_route auth_routes[] = {
    {"POST", "/api/v1/sessions", h_sessions_create, PERM_PUBLIC,
     J | MS_ROUTE_NO_TX | MS_ROUTE_NO_CSRF, NULL},
    {"GET", "/api/v1/sessions", h_sessions_list, PERM_USER, 0, NULL},
    {"DELETE", "/api/v1/sessions/current", h_sessions_delete_current, PERM_USER, 0, NULL},
    {"DELETE", "/api/v1/sessions/{id}", h_sessions_delete, PERM_USER, 0, NULL},

    {"GET", "/api/v1/users/me", h_users_me, PERM_USER, 0, NULL},
    {"PATCH", "/api/v1/users/me", h_users_me_update, PERM_USER, J, NULL},
    {"POST", "/api/v1/users/me/password", h_users_me_password, PERM_USER, J | MS_ROUTE_NO_TX, NULL},

    {"POST", "/api/v1/tokens", h_tokens_create, PERM_USER, J, NULL},
    {"GET", "/api/v1/tokens", h_tokens_list, PERM_USER, 0, NULL},
    {"DELETE", "/api/v1/tokens/{id}", h_tokens_delete, PERM_USER, 0, NULL},

    {"POST", "/api/v1/orgs", h_orgs_create, PERM_USER, J, NULL},
    {"GET", "/api/v1/orgs", h_orgs_list, PERM_USER, 0, NULL},
    {"GET", "/api/v1/orgs/{id}", h_orgs_get, PERM_ORG_VIEW, 0, NULL},
    {"PATCH", "/api/v1/orgs/{id}", h_orgs_update, PERM_ORG_ADMIN, J, NULL},
    {"GET", "/api/v1/orgs/{id}/members", h_org_members_list, PERM_ORG_VIEW, 0, NULL},
    {"POST", "/api/v1/orgs/{id}/members", h_org_members_add, PERM_ORG_ADMIN, J, NULL},
    {"PATCH", "/api/v1/orgs/{id}/members/{user_id}", h_org_members_update, PERM_ORG_ADMIN, J, NULL},
    {"DELETE", "/api/v1/orgs/{id}/members/{user_id}", h_org_members_remove, PERM_ORG_VIEW, 0, NULL},
    {"POST", "/api/v1/orgs/{id}/invitations", h_invitations_create, PERM_ORG_ADMIN, J, NULL},
    {"GET", "/api/v1/orgs/{id}/invitations", h_invitations_list, PERM_ORG_ADMIN, 0, NULL},
    {"DELETE", "/api/v1/orgs/{id}/invitations/{invitation_id}", h_invitations_revoke,
     PERM_ORG_ADMIN, 0, NULL},
    {"GET", "/api/v1/invitations/{token}", h_invitations_preview, PERM_PUBLIC, 0, NULL},
    {"POST", "/api/v1/invitations/{token}/accept", h_invitations_accept, PERM_PUBLIC, J, NULL},

    {"POST", "/api/v1/projects", h_projects_create, PERM_USER, J, NULL},
    {"GET", "/api/v1/projects", h_projects_list, PERM_USER, 0, NULL},
    {"GET", "/api/v1/projects/{id}", h_projects_get, PERM_PROJECT_VIEW, 0, NULL},
    {"PATCH", "/api/v1/projects/{id}", h_projects_update, PERM_PROJECT_MANAGE, J, NULL},
    {"DELETE", "/api/v1/projects/{id}", h_projects_delete, PERM_PROJECT_MANAGE, 0, NULL},
    {"GET", "/api/v1/projects/{id}/partners", h_partners_list, PERM_PROJECT_VIEW, 0, NULL},
    {"POST", "/api/v1/projects/{id}/partners", h_partners_add, PERM_PROJECT_MANAGE, J, NULL},
    {"PATCH", "/api/v1/projects/{id}/partners/{org_id}", h_partners_update, PERM_PROJECT_MANAGE, J,
     NULL},
    {"DELETE", "/api/v1/projects/{id}/partners/{org_id}", h_partners_remove, PERM_PROJECT_VIEW, 0,
     NULL},
    {"GET", "/api/v1/projects/{id}/members", h_project_members_list, PERM_PROJECT_VIEW, 0, NULL},
    {"POST", "/api/v1/projects/{id}/members", h_project_members_add, PERM_PROJECT_MANAGE, J, NULL},
    {"PATCH", "/api/v1/projects/{id}/members/{user_id}", h_project_members_update,
     PERM_PROJECT_MANAGE, J, NULL},
    {"DELETE", "/api/v1/projects/{id}/members/{user_id}", h_project_members_remove,
     PERM_PROJECT_VIEW, 0, NULL},

    {"GET", "/api/v1/events", h_events_list, PERM_USER, 0, NULL},
    {NULL, NULL, NULL, 0, 0, NULL},
};

int auth_purge(db_conn *c, ms_error *err)
{
    char now[MS_TIME_LEN], old[MS_TIME_LEN];
    int64_t t = ms_now_ms();
    ms_time_fmt(t, now);
    ms_time_fmt(t - 24LL * 3600 * 1000, old);
    int total = 0, rc;
    if ((rc = db_exec(c, err, "DELETE FROM session WHERE expires_at <= ?", "s", now)) < 0)
        return rc;
    total += rc;
    rc = db_exec(c, err,
                 "DELETE FROM signin_throttle WHERE updated_at < ? AND (locked_until IS NULL OR "
                 "locked_until < ?)",
                 "ss", old, now);
    if (rc < 0) return rc;
    return total + rc;
}
