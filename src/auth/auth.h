/* auth.h: who the caller is and what they may reach — the public face of the auth module.
 *
 * Every module builds on this: organizations (studios, broadcasters, ...) with members,
 * projects owned by one organization and shared with partner organizations and individual
 * users, and one authorization function (authz_require) that every route goes through.
 *
 * The cooperation model:
 *   - a member of the owning organization reaches its projects by org role:
 *       owner, admin -> manage;  member -> edit;  viewer -> view
 *   - a member of a partner organization reaches the shared project by partner role:
 *       co-producer, vendor -> edit;  distributor, client -> view
 *     never above view when they are only a viewer in their own organization, and never
 *     manage (a partner does not run the owner's project)
 *   - a user added to the project directly reaches it by project role:
 *       admin -> manage;  member, vendor -> edit;  client, viewer -> view
 *   The highest path wins; the role and path are reported so that modules can narrow further
 *   (a vendor sees only the tasks assigned to it, a client only what is sent for review).
 *   Whoever reaches nothing gets MS_ENOTFOUND: the object does not exist for them.
 *   The instance administrator gets no implicit access to any organization's data. */
#ifndef MS_AUTH_H
#define MS_AUTH_H

#include "core/api.h"
#include "core/error.h"
#include "core/id.h"
#include "store/db.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdbool.h>

/* ---- The caller. ---- */

enum { AUTH_VIA_SESSION = 1, AUTH_VIA_TOKEN = 2 };

struct ms_caller {
    char user_id[MS_ID_LEN];
    char email[256];
    char display_name[256];
    char locale[40];
    bool is_admin;
    int via;                       /* AUTH_VIA_SESSION or AUTH_VIA_TOKEN */
    char credential_id[MS_ID_LEN]; /* session or token id */
    char csrf[48];                 /* sessions only */
    bool touch; /* last used/seen is stale: call auth_touch after the request's reads */
};

/* Resolve credentials: a bearer token ("mst_...") or a session cookie value. Returns 0 and
 * fills `out`, or MS_EUNAUTH with a detail that says what was wrong (unknown, expired,
 * revoked). Neither given: MS_EUNAUTH "authentication-required". */
int auth_authenticate(db_conn *c, const ms_env *env, const char *bearer, const char *session,
                      ms_caller *out, ms_error *err);

/* Record that the caller's credential was used (at most once a minute per credential, see
 * `touch`). A small write: run it outside read transactions. Best effort, never fails. */
void auth_touch(db_conn *c, const ms_caller *caller);

/* ---- Authorization. ---- */

typedef enum ms_level {
    LEVEL_NONE = 0,
    LEVEL_VIEW = 1,
    LEVEL_EDIT = 2,
    LEVEL_MANAGE = 3,
    LEVEL_OWN = 4, /* organizations only: owners */
} ms_level;

/* Route permissions (ms_route.perm). Scoped ones apply to the route's first path param. */
enum ms_perm {
    PERM_PUBLIC = 0,     /* anyone */
    PERM_USER,           /* any signed-in user */
    PERM_ADMIN,          /* the instance administrator */
    PERM_ORG_VIEW,       /* any member of organization {id} */
    PERM_ORG_ADMIN,      /* owner or admin of organization {id} */
    PERM_PROJECT_VIEW,   /* may see project {id} */
    PERM_PROJECT_EDIT,   /* may change project {id}'s content */
    PERM_PROJECT_MANAGE, /* may change project {id}'s settings, members and partners */
};

typedef struct ms_access {
    ms_level level;
    char role[24];          /* the role that gave the level: "admin", "vendor", ... */
    char via[12];           /* "org", "partner", "member" */
    char org_id[MS_ID_LEN]; /* the owning organization (projects) */
} ms_access;

/* What `caller` may do with project `project_id`: MS_ENOTFOUND when nothing. */
int authz_project(db_conn *c, const ms_caller *caller, const char *project_id, ms_access *out,
                  ms_error *err);
/* What `caller` may do in organization `org_id`: MS_ENOTFOUND when not a member. */
int authz_org(db_conn *c, const ms_caller *caller, const char *org_id, ms_access *out,
              ms_error *err);
/* The ways user ? (bound three times) reaches projects, as rows (pid, via, role, cap): for
 * lists that must compute access of many projects in one query. Feed each row of a project
 * to authz_add_path; the rule itself lives only there. */
extern const char authz_paths_sql[];
void authz_add_path(ms_access *a, const char *via, const char *role, const char *cap);
/* The one check every route goes through: 0 when allowed; MS_EUNAUTH when a caller is needed
 * and missing; MS_ENOTFOUND when the object is out of reach; MS_EFORBIDDEN when visible but
 * the level is too low. `scope_id` is the object the permission applies to. */
int authz_require(db_conn *c, const ms_caller *caller, int perm, const char *scope_id,
                  ms_access *out, ms_error *err);
const char *ms_level_name(ms_level l);

/* ---- Events: every write appends one. ---- */

typedef struct ms_event {
    const char *actor_id;   /* NULL: the system */
    const char *actor_name; /* NULL: looked up from actor_id */
    const char *action;     /* "project.created" */
    const char *object_type;
    const char *object_id;
    const char *org_id;     /* may be NULL */
    const char *project_id; /* may be NULL */
    const char *summary;    /* one human sentence */
    json_t *data;           /* optional details (borrowed) */
} ms_event;

int event_append(db_conn *c, const ms_event *ev, ms_error *err);
/* The same with the summary formatted printf-style (ev->summary is ignored). */
int event_appendf(db_conn *c, const ms_event *ev, ms_error *err, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
int event_vappendf(db_conn *c, const ms_event *ev, ms_error *err, const char *fmt, va_list ap)
    __attribute__((format(printf, 4, 0)));

/* ---- Lists, for every module's handlers. ---- */

/* Run a list query that selects rows in key order, `limit + 1` of them, and reply with the
 * first `limit` as items and a cursor from column `key_col` of the last one when there are
 * more. `row_fn` may add to each item (may be NULL: rows are written straight as JSON). */
int auth_reply_page(ms_req *r, db_stmt *st, int limit, const char *key_col,
                    void (*row_fn)(ms_req *r, json_t *item));

/* ---- Accounts (used by the CLI and by other modules). ---- */

#define AUTH_PASSWORD_MIN 10
#define AUTH_PASSWORD_MAX 1024

/* Create a user. `password` is hashed here (slow: call outside write transactions when you
 * can; see user_create_hashed). MS_ECONFLICT when the e-mail is taken. */
int user_create(db_conn *c, const char *email, const char *display_name, const char *locale,
                const char *password, bool is_admin, char id_out[MS_ID_LEN], ms_error *err);
int user_create_hashed(db_conn *c, const char *email, const char *display_name, const char *locale,
                       const char *password_hash, bool is_admin, char id_out[MS_ID_LEN],
                       ms_error *err);
int user_set_password(db_conn *c, const char *user_id, const char *password_hash, ms_error *err);
int user_find_by_email(db_conn *c, const char *email, char id_out[MS_ID_LEN], ms_error *err);
/* Public JSON of a user (id, email, display_name, locale, is_admin, times, version). */
int user_get_json(db_conn *c, const char *user_id, json_t **out, ms_error *err);

/* Passwords (argon2id through libsodium). */
int password_check_policy(const char *password, const char *email, ms_error *err);
int password_hash(const char *password, char out[128], ms_error *err);
bool password_verify(const char *hash, const char *password);
/* Verify against a fixed dummy hash: same cost as a real check, for unknown accounts. */
void password_verify_dummy(const char *password);
/* A generated password: 4 groups of 5 unambiguous characters ("k7m2p-..."), ~100 bits. */
void password_generate(char out[32]);

/* Organizations. */
int org_create(db_conn *c, const char *actor_id, const char *name, const char *slug,
               const char *kind, const char *description, json_t **out, ms_error *err);

/* Projects: add `user_id` to project `project_id` as an individual member with `role` (one of
 * project_roles) and append the event (project.member.added, by `actor_id`), in the caller's
 * write transaction. Everything is checked before anything is written (a failed statement
 * ends a PostgreSQL transaction): MS_ENOTFOUND when the project is missing or deleted or the
 * user unknown, MS_EINVAL for an unknown role, MS_ECONFLICT ("already-member") when the user
 * is a member of the project already. Used by the members route and by talent invitations. */
int project_member_add(db_conn *c, const char *actor_id, const char *project_id,
                       const char *user_id, const char *role, ms_error *err);

/* API tokens: create returns the token text once ("mst_..."). */
int token_create(db_conn *c, const ms_env *env, const char *user_id, const char *name,
                 const char *expires_at, json_t **out, char token_out[64], ms_error *err);
int token_revoke(db_conn *c, const char *user_id, const char *token_id, ms_error *err);

/* Keyed hash (BLAKE2b-256 with the server secret) of a credential, as hex. `purpose`
 * separates domains ("token", "session", "invitation"). */
void auth_credential_hash(const ms_env *env, const char *purpose, const char *credential,
                          char out[65]);
/* A fresh random credential: `prefix` + base64url of 32 random bytes. */
void auth_credential_new(const char *prefix, char out[64]);

/* Maintenance: delete expired sessions, spent throttle buckets. Returns rows removed. */
int auth_purge(db_conn *c, ms_error *err);

/* Routes, schema, OpenAPI fragment (see app/). */
extern const ms_route auth_routes[];
extern const char ms_schema_auth[];
extern const char ms_schema_auth_pg[]; /* its PostgreSQL variant (schema.pg.sql) */
extern const char ms_openapi_auth[];

/* Valid values, shared by validation and docs. */
extern const char *const org_kinds[];
extern const char *const org_roles[];
extern const char *const partner_roles[];
extern const char *const project_roles[];

#endif
