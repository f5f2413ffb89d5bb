/* test_auth.c: unit tests of src/auth: passwords and credentials, and the cooperation model
 * (who reaches which project at which level), exercised directly on the database. */
#include "unit.h"

#include "auth/auth.h"
#include "core/time.h"
#include "store/migrate.h"

extern const char ms_schema_store[];

typedef struct fx {
    char *dir;
    db *d;
    db_conn *c;
} fx;

static int setup(void **state)
{
    fx *f = calloc(1, sizeof *f);
    f->dir = unit_tmpdir();
    char url[4200];
    if (unit_db_url(f->dir, url, sizeof url)) return -1;
    ms_error e;
    if (db_open(url, 2, &f->d, &e)) return -1;
    ms_schema s[] = {{"store", ms_schema_store, NULL}, {"auth", ms_schema_auth, ms_schema_auth_pg}};
    if (ms_migrate(f->d, s, 2, false, NULL, &e)) return -1;
    f->c = db_acquire(f->d);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx *f = *state;
    db_release(f->c);
    db_close(f->d);
    unit_rmdir(f->dir);
    free(f);
    return 0;
}

/* Module writes run in a write transaction, as the server runs them (on PostgreSQL the event
 * log's lock needs one): begin, then tx_end(f, call(...)) commits or rolls back. */
static void tx_begin(fx *f)
{
    ms_error e;
    assert_int_equal(db_begin(f->c, DB_TX_WRITE, &e), 0);
}

static int tx_end(fx *f, int rc)
{
    ms_error e;
    if (rc < 0)
        db_rollback(f->c);
    else
        assert_int_equal(db_commit(f->c, &e), 0);
    return rc;
}

static void test_password_policy_and_hash(void **state)
{
    (void)state;
    ms_error e;
    ms_error_clear(&e);
    assert_int_equal(password_check_policy("short", "a@b.c", &e), MS_EINVAL);
    assert_int_equal(password_check_policy("aaaaaaaaaaaa", "a@b.c", &e), MS_EINVAL);
    assert_int_equal(password_check_policy("wang@studio.cn", "WANG@studio.cn", &e), MS_EINVAL);
    ms_error_clear(&e);
    assert_int_equal(password_check_policy("correct horse battery", "a@b.c", &e), 0);
    assert_int_equal(password_check_policy("密码密码密码密码密码", "a@b.c", &e), 0); /* 10 chars */
    char hash[128];
    assert_int_equal(password_hash("correct horse battery", hash, &e), 0);
    assert_true(strncmp(hash, "$argon2id$", 10) == 0);
    assert_true(password_verify(hash, "correct horse battery"));
    assert_false(password_verify(hash, "correct horse battery!"));
    char gen[32];
    password_generate(gen);
    assert_int_equal(strlen(gen), 23);
    assert_int_equal(password_check_policy(gen, "a@b.c", &e), 0);
}

static void test_credentials(void **state)
{
    (void)state;
    ms_env env;
    memset(&env, 0, sizeof env);
    memset(env.secret, 7, sizeof env.secret);
    char a[64], b[64], h1[65], h2[65], h3[65];
    auth_credential_new("mst_", a);
    auth_credential_new("mst_", b);
    assert_int_equal(strlen(a), 47);
    assert_string_not_equal(a, b);
    auth_credential_hash(&env, "token", a, h1);
    auth_credential_hash(&env, "session", a, h2); /* domains are separated */
    assert_string_not_equal(h1, h2);
    env.secret[0] = 8;
    auth_credential_hash(&env, "token", a, h3); /* keyed by the server secret */
    assert_string_not_equal(h1, h3);
}

/* A small world: studio S owns project P; H is a co-producer; C a client; V a vendor. */
typedef struct world {
    char owner[MS_ID_LEN], s_admin[MS_ID_LEN], s_member[MS_ID_LEN], s_viewer[MS_ID_LEN];
    char h_member[MS_ID_LEN], h_viewer[MS_ID_LEN], c_member[MS_ID_LEN], outsider[MS_ID_LEN];
    char direct[MS_ID_LEN];
    char s[MS_ID_LEN], h[MS_ID_LEN], cl[MS_ID_LEN], p[MS_ID_LEN];
} world;

static void mkuser(fx *f, const char *email, char id[MS_ID_LEN])
{
    ms_error e;
    tx_begin(f);
    assert_int_equal(
        tx_end(f, user_create_hashed(f->c, email, email, "en", "$argon2id$x", false, id, &e)), 0);
}

static void mkorg(fx *f, const char *owner, const char *name, char id[MS_ID_LEN])
{
    ms_error e;
    json_t *o;
    tx_begin(f);
    assert_int_equal(tx_end(f, org_create(f->c, owner, name, NULL, "studio", NULL, &o, &e)), 0);
    ms_strlcpy(id, json_string_value(json_object_get(o, "id")), MS_ID_LEN);
    json_decref(o);
}

static void member(fx *f, const char *org, const char *user, const char *role)
{
    ms_error e;
    assert_int_equal(db_exec(f->c, &e,
                             "INSERT INTO membership (org_id, user_id, role, created_at, "
                             "updated_at) VALUES (?, ?, ?, 'x', 'x')",
                             "sss", org, user, role),
                     1);
}

static void build_world(fx *f, world *w)
{
    ms_error e;
    mkuser(f, "owner@s.cn", w->owner);
    mkuser(f, "admin@s.cn", w->s_admin);
    mkuser(f, "member@s.cn", w->s_member);
    mkuser(f, "viewer@s.cn", w->s_viewer);
    mkuser(f, "member@h.hk", w->h_member);
    mkuser(f, "viewer@h.hk", w->h_viewer);
    mkuser(f, "member@c.com", w->c_member);
    mkuser(f, "out@x.com", w->outsider);
    mkuser(f, "direct@free.lance", w->direct);
    mkorg(f, w->owner, "上海影业", w->s);
    mkorg(f, w->h_member, "香港電影", w->h);
    mkorg(f, w->c_member, "Client Co", w->cl);
    member(f, w->s, w->s_admin, "admin");
    member(f, w->s, w->s_member, "member");
    member(f, w->s, w->s_viewer, "viewer");
    member(f, w->h, w->h_viewer, "viewer");
    ms_uuid7(w->p);
    assert_int_equal(db_exec(f->c, &e,
                             "INSERT INTO project (id, org_id, name, status, created_at, "
                             "updated_at) VALUES (?, ?, 'Series', 'active', 'x', 'x')",
                             "ss", w->p, w->s),
                     1);
    db_exec(f->c, &e,
            "INSERT INTO project_partner (project_id, org_id, role, created_at, updated_at) "
            "VALUES (?, ?, 'co-producer', 'x', 'x'), (?, ?, 'client', 'x', 'x')",
            "ssss", w->p, w->h, w->p, w->cl);
    db_exec(f->c, &e,
            "INSERT INTO project_member (project_id, user_id, role, created_at, updated_at) "
            "VALUES (?, ?, 'vendor', 'x', 'x')",
            "ss", w->p, w->direct);
}

static int level(fx *f, const char *user, const char *project, ms_access *a)
{
    ms_caller c;
    memset(&c, 0, sizeof c);
    ms_strlcpy(c.user_id, user, sizeof c.user_id);
    ms_error e;
    int rc = authz_project(f->c, &c, project, a, &e);
    return rc ? -1 : (int)a->level;
}

static void test_cooperation_model(void **state)
{
    fx *f = *state;
    world w;
    build_world(f, &w);
    ms_access a;
    assert_int_equal(level(f, w.owner, w.p, &a), LEVEL_MANAGE);
    assert_string_equal(a.via, "org");
    assert_string_equal(a.org_id, w.s);
    assert_int_equal(level(f, w.s_admin, w.p, &a), LEVEL_MANAGE);
    assert_int_equal(level(f, w.s_member, w.p, &a), LEVEL_EDIT);
    assert_int_equal(level(f, w.s_viewer, w.p, &a), LEVEL_VIEW);
    assert_int_equal(level(f, w.h_member, w.p, &a), LEVEL_EDIT); /* co-producer */
    assert_string_equal(a.via, "partner");
    assert_string_equal(a.role, "co-producer");
    assert_int_equal(level(f, w.h_viewer, w.p, &a), LEVEL_VIEW); /* capped by own org role */
    assert_int_equal(level(f, w.c_member, w.p, &a), LEVEL_VIEW); /* client */
    assert_int_equal(level(f, w.direct, w.p, &a), LEVEL_EDIT);   /* individual vendor */
    assert_string_equal(a.via, "member");
    assert_int_equal(level(f, w.outsider, w.p, &a), -1); /* does not exist for them */
    char nowhere[MS_ID_LEN];
    ms_uuid7(nowhere);
    assert_int_equal(level(f, w.owner, nowhere, &a), -1);
    assert_int_equal(level(f, w.owner, "not-an-id", &a), -1);

    /* The route check: visible but too low is 403, invisible is 404, anonymous is 401. */
    ms_caller viewer;
    memset(&viewer, 0, sizeof viewer);
    ms_strlcpy(viewer.user_id, w.s_viewer, sizeof viewer.user_id);
    ms_error e;
    assert_int_equal(authz_require(f->c, &viewer, PERM_PROJECT_VIEW, w.p, &a, &e), 0);
    assert_int_equal(authz_require(f->c, &viewer, PERM_PROJECT_EDIT, w.p, &a, &e), MS_EFORBIDDEN);
    ms_caller out;
    memset(&out, 0, sizeof out);
    ms_strlcpy(out.user_id, w.outsider, sizeof out.user_id);
    assert_int_equal(authz_require(f->c, &out, PERM_PROJECT_VIEW, w.p, &a, &e), MS_ENOTFOUND);
    assert_int_equal(authz_require(f->c, NULL, PERM_PROJECT_VIEW, w.p, &a, &e), MS_EUNAUTH);
    assert_int_equal(authz_require(f->c, NULL, PERM_PUBLIC, NULL, &a, &e), 0);
    assert_int_equal(authz_require(f->c, &out, PERM_ORG_VIEW, w.s, &a, &e), MS_ENOTFOUND);
    assert_int_equal(authz_require(f->c, &viewer, PERM_ORG_ADMIN, w.s, &a, &e), MS_EFORBIDDEN);
    assert_int_equal(authz_require(f->c, &viewer, PERM_ADMIN, NULL, &a, &e), MS_EFORBIDDEN);

    /* Deleting the project hides it from everyone, owners included. */
    db_exec(f->c, &e, "UPDATE project SET deleted_at = 'x' WHERE id = ?", "s", w.p);
    assert_int_equal(level(f, w.owner, w.p, &a), -1);
    assert_int_equal(level(f, w.h_member, w.p, &a), -1);
    assert_int_equal(level(f, w.direct, w.p, &a), -1);
}

static void test_paths_sql_matches_authz(void **state)
{
    /* The list query (authz_paths_sql) and the single-project check must agree. */
    fx *f = *state;
    world w;
    build_world(f, &w);
    const char *users[] = {w.owner,    w.s_admin,  w.s_member, w.s_viewer, w.h_member,
                           w.h_viewer, w.c_member, w.outsider, w.direct};
    for (size_t i = 0; i < sizeof users / sizeof users[0]; i++) {
        ms_access single, listed;
        memset(&listed, 0, sizeof listed);
        int l = level(f, users[i], w.p, &single);
        char sql[2048];
        snprintf(sql, sizeof sql, "SELECT via, role, cap FROM (%s) x WHERE pid = ?",
                 authz_paths_sql);
        db_stmt *st;
        ms_error e;
        assert_int_equal(db_query(f->c, &st, &e, sql, "ssss", users[i], users[i], users[i], w.p),
                         0);
        while (db_step(st, &e) == DB_ROW)
            authz_add_path(&listed, db_col_text(st, 0), db_col_text(st, 1), db_col_text(st, 2));
        db_done(st);
        assert_int_equal(l < 0 ? 0 : l, (int)listed.level);
    }
}

static void test_events_and_users(void **state)
{
    fx *f = *state;
    ms_error e;
    char id[MS_ID_LEN];
    tx_begin(f);
    assert_int_equal(tx_end(f, user_create_hashed(f->c, "Li.Wei@Studio.CN", "李伟", "zh-CN",
                                                  "$argon2id$x", false, id, &e)),
                     0);
    char found[MS_ID_LEN];
    assert_int_equal(user_find_by_email(f->c, "li.wei@studio.cn", found, &e), 0);
    assert_string_equal(found, id);
    tx_begin(f);
    assert_int_equal(
        tx_end(f, user_create_hashed(f->c, "li.wei@studio.cn", "x", "en", "h", false, NULL, &e)),
        MS_ECONFLICT);
    assert_string_equal(e.type, "email-taken");
    tx_begin(f);
    assert_int_equal(tx_end(f, user_create_hashed(f->c, "bad", "x", "en", "h", false, NULL, &e)),
                     MS_EINVAL);
    json_t *u;
    assert_int_equal(user_get_json(f->c, id, &u, &e), 0);
    assert_string_equal(json_string_value(json_object_get(u, "email")), "li.wei@studio.cn");
    assert_true(json_is_false(json_object_get(u, "is_admin")));
    assert_null(json_object_get(u, "password_hash"));
    json_decref(u);
    db_stmt *st;
    assert_int_equal(db_query_row(f->c, &st, &e,
                                  "SELECT action, actor_id FROM event WHERE object_id = ?", "s",
                                  id),
                     DB_ROW);
    assert_string_equal(db_col_text(st, 0), "user.created");
    db_done(st);
}

static void test_org_slugs(void **state)
{
    fx *f = *state;
    ms_error e;
    char owner[MS_ID_LEN];
    mkuser(f, "o@x.cn", owner);
    json_t *a, *b, *c;
    tx_begin(f);
    assert_int_equal(
        tx_end(f, org_create(f->c, owner, "Hong Kong Films", NULL, "studio", NULL, &a, &e)), 0);
    tx_begin(f);
    assert_int_equal(
        tx_end(f, org_create(f->c, owner, "Hong Kong  Films!", NULL, "studio", NULL, &b, &e)), 0);
    tx_begin(f);
    assert_int_equal(tx_end(f, org_create(f->c, owner, "常州影视", NULL, "school", NULL, &c, &e)),
                     0);
    assert_string_equal(json_string_value(json_object_get(a, "slug")), "hong-kong-films");
    assert_string_equal(json_string_value(json_object_get(b, "slug")), "hong-kong-films-2");
    assert_true(strncmp(json_string_value(json_object_get(c, "slug")), "org-", 4) == 0);
    assert_string_equal(json_string_value(json_object_get(a, "my_role")), "owner");
    json_t *d;
    tx_begin(f);
    assert_int_equal(
        tx_end(f, org_create(f->c, owner, "Other", "hong-kong-films", "studio", NULL, &d, &e)),
        MS_ECONFLICT);
    assert_string_equal(e.type, "slug-taken");
    json_decref(a);
    json_decref(b);
    json_decref(c);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_password_policy_and_hash),
        cmocka_unit_test(test_credentials),
        T(test_cooperation_model),
        T(test_paths_sql_matches_authz),
        T(test_events_and_users),
        T(test_org_slugs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
