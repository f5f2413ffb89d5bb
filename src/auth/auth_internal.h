/* auth_internal.h: what the auth module's files share with each other; not for other modules.
 *
 * Handlers (h_*) are listed in routes.c's table. Helpers here keep the handlers short: the
 * event helper with a formatted summary, list paging, LIKE patterns, role checks. */
#ifndef MS_AUTH_INTERNAL_H
#define MS_AUTH_INTERNAL_H

#include "auth/auth.h"
#include "core/json.h"
#include "core/time.h"

/* Append an event for this request's caller with a printf-style summary; steals `data`. */
int auth_event(ms_req *r, const char *action, const char *object_type, const char *object_id,
               const char *org_id, const char *project_id, json_t *data, const char *fmt, ...)
    __attribute__((format(printf, 8, 9)));

/* Generated or checked organization slug. */
int org_slug_from_name(const char *name, char out[48]);

/* Is `role` in the NULL-terminated list? */
bool auth_role_in(const char *role, const char *const *list);

/* Find a user by "user_id" or "email" in a request body; fills id. 404-style error when
 * nobody matches (e-mail lookups of other organizations' users are allowed for managers). */
int auth_body_user(ms_req *r, char id_out[MS_ID_LEN]);

/* Sessions: create one for `user_id` and set the cookie; fills csrf and expires_at. */
int session_start(ms_req *r, const char *user_id, char csrf_out[48], char expires_out[MS_TIME_LEN]);

/* Handlers. */
int h_sessions_create(ms_req *r);
int h_sessions_delete_current(ms_req *r);
int h_sessions_list(ms_req *r);
int h_sessions_delete(ms_req *r);
int h_users_me(ms_req *r);
int h_users_me_update(ms_req *r);
int h_users_me_password(ms_req *r);
int h_tokens_create(ms_req *r);
int h_tokens_list(ms_req *r);
int h_tokens_delete(ms_req *r);
int h_orgs_create(ms_req *r);
int h_orgs_list(ms_req *r);
int h_orgs_get(ms_req *r);
int h_orgs_update(ms_req *r);
int h_org_members_list(ms_req *r);
int h_org_members_add(ms_req *r);
int h_org_members_update(ms_req *r);
int h_org_members_remove(ms_req *r);
int h_invitations_create(ms_req *r);
int h_invitations_list(ms_req *r);
int h_invitations_revoke(ms_req *r);
int h_invitations_preview(ms_req *r);
int h_invitations_accept(ms_req *r);
int h_projects_create(ms_req *r);
int h_projects_list(ms_req *r);
int h_projects_get(ms_req *r);
int h_projects_update(ms_req *r);
int h_projects_delete(ms_req *r);
int h_partners_list(ms_req *r);
int h_partners_add(ms_req *r);
int h_partners_update(ms_req *r);
int h_partners_remove(ms_req *r);
int h_project_members_list(ms_req *r);
int h_project_members_add(ms_req *r);
int h_project_members_update(ms_req *r);
int h_project_members_remove(ms_req *r);
int h_events_list(ms_req *r);

#endif
