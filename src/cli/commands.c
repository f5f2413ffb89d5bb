/* commands.c: the commands of `mstation`. Each opens what it needs (configuration, store),
 * calls module functions, prints what a shell user or script needs, and maps errors to exit
 * codes (cli.h). `serve` lives in serve.c. */
#include "app/app.h"
#include "assets/assets.h"
#include "auth/auth.h"
#include "cli/cli.h"
#include "cli/transfer.h"
#include "core/buf.h"
#include "core/json.h"
#include "core/log.h"
#include "core/time.h"
#include "core/version.h"
#include "store/copy.h"
#include "store/jobs.h"
#include "talent/talent.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int cli_serve(const cli_args *a, char **envp);

/* Open configuration + store for an administrative command (one connection). */
static int open_store(const cli_args *a, char **envp, ms_config *cfg, db **d)
{
    int rc = cli_config(a, envp, cfg);
    if (rc) return rc;
    ms_error e;
    ms_error_clear(&e);
    if (!app_data_exists(cfg)) {
        fprintf(stderr,
                "mstation: %s is not an initialized data folder; run `mstation init --data %s "
                "--admin-email you@example.com` first\n",
                cfg->data, cfg->data);
        return CLI_NOTFOUND;
    }
    /* Two connections: a damaged chunk found while reading is marked on the second. */
    if (app_store_open(cfg, 2, d, &e)) return cli_fail("cannot open the store", &e);
    return 0;
}

/* The body of a command that uses the store: it gets a connection, the server environment
 * (for the key) and its own argument. */
typedef int (*store_fn)(db_conn *c, const ms_env *env, void *arg, ms_error *e);

typedef struct store_call {
    store_fn fn;
    const ms_env *env;
    void *arg;
} store_call;

static int store_call_tx(void *p, db_conn *c, ms_error *e)
{
    store_call *x = p;
    return x->fn(c, x->env, x->arg, e);
}

/* Open the configuration and the store, run `fn` (inside a write transaction when `write`,
 * run again after a serialization conflict: `fn` prints nothing), close, and turn a failure
 * into the command's message and exit code. */
static int with_store(const cli_args *a, char **envp, const char *what, bool write, store_fn fn,
                      void *arg)
{
    ms_config cfg;
    db *d;
    int rc = open_store(a, envp, &cfg, &d);
    if (rc) return rc;
    ms_error e;
    ms_error_clear(&e);
    ms_env env;
    memset(&env, 0, sizeof env);
    env.config = &cfg;
    env.db = d;
    rc = app_secret_load(&cfg, env.secret, &e);
    if (!rc) rc = app_blobs_open(&cfg, &env, &e);
    db_conn *c = db_acquire(d);
    store_call call = {fn, &env, arg};
    if (!rc)
        rc = write ? db_transact(c, DB_TX_WRITE, store_call_tx, &call, &e) : fn(c, &env, arg, &e);
    if (rc > 0) rc = 0;
    db_release(c);
    blobs_close(env.blobs);
    db_close(d);
    return rc ? cli_fail(what, &e) : CLI_OK;
}

static int get_password(const cli_args *a, char pw[1100], bool *generated, ms_error *e)
{
    const char *file = cli_get(a, "password-file") ? cli_get(a, "password-file")
                                                   : cli_get(a, "admin-password-file");
    *generated = !file;
    if (file) return cli_read_password(file, pw, e);
    password_generate(pw);
    return 0;
}

/* ---- init ---- */

typedef struct init_arg {
    const char *email, *name, *password;
} init_arg;

static int init_tx(db_conn *c, const ms_env *env, void *p, ms_error *e)
{
    (void)env;
    init_arg *x = p;
    db_stmt *st;
    int rc = db_query_row(c, &st, e, "SELECT COUNT(*) FROM user_account", "");
    if (rc < 0) return rc;
    int64_t users = db_col_int(st, 0);
    db_done(st);
    if (users > 0)
        return ms_fail(e, MS_ECONFLICT, NULL,
                       "this data folder is already initialized (%lld accounts); add accounts "
                       "with `mstation user add`",
                       (long long)users);
    return user_create(c, x->email, x->name, "en", x->password, true, NULL, e);
}

static int cmd_init(const cli_args *a, char **envp)
{
    ms_config cfg;
    int rc = cli_config(a, envp, &cfg);
    if (rc) return rc;
    const char *email = cli_get(a, "admin-email");
    if (!email) {
        fprintf(stderr, "mstation init: --admin-email is required\n");
        return CLI_USAGE;
    }
    if (!ms_email_valid(email)) {
        fprintf(stderr, "mstation init: --admin-email \"%s\" is not an e-mail address\n", email);
        return CLI_USAGE;
    }
    ms_error e;
    ms_error_clear(&e);
    char pw[1100];
    bool generated;
    if (get_password(a, pw, &generated, &e)) return cli_fail("init", &e);
    if (password_check_policy(pw, email, &e)) return cli_fail("init", &e);
    if ((rc = app_data_init(&cfg, &e))) return cli_fail("init", &e);
    db *d;
    if (app_store_open(&cfg, 1, &d, &e)) return cli_fail("cannot open the store", &e);
    init_arg x = {email, cli_get(a, "admin-name") ? cli_get(a, "admin-name") : "Administrator", pw};
    db_conn *c = db_acquire(d);
    store_call call = {init_tx, NULL, &x};
    rc = db_transact(c, DB_TX_WRITE, store_call_tx, &call, &e);
    db_release(c);
    db_close(d);
    if (rc) return cli_fail("init", &e);
    char shown[256];
    printf("initialized %s (database %s)\n", cfg.data,
           db_url_redact(cfg.database, shown, sizeof shown));
    printf("admin: %s\n", email);
    if (generated) printf("password: %s\n", pw);
    fflush(stdout);
    return CLI_OK;
}

/* ---- migrate ---- */

static int cmd_migrate(const cli_args *a, char **envp)
{
    ms_config cfg;
    int rc = cli_config(a, envp, &cfg);
    if (rc) return rc;
    if (!app_data_exists(&cfg)) {
        fprintf(stderr, "mstation migrate: %s is not an initialized data folder\n", cfg.data);
        return CLI_NOTFOUND;
    }
    ms_error e;
    ms_error_clear(&e);
    db *d;
    if (db_open(cfg.database, 1, &d, &e)) return cli_fail("migrate", &e);
    ms_migrate_report rep;
    rc = ms_migrate(d, app_schemas, app_nschemas, cli_has(a, "dry-run"), &rep, &e);
    db_close(d);
    if (rc) return cli_fail("migrate", &e);
    if (cli_has(a, "dry-run"))
        printf("%d migrations applied, %d pending\n", rep.current, rep.pending);
    else
        printf("%d migrations applied now, %d were already applied\n", rep.applied, rep.current);
    return CLI_OK;
}

/* ---- user ---- */

typedef struct user_arg {
    const char *email, *name, *password;
    bool admin;
    char id[MS_ID_LEN];
} user_arg;

static int user_add_tx(db_conn *c, const ms_env *env, void *p, ms_error *e)
{
    (void)env;
    user_arg *x = p;
    return user_create(c, x->email, x->name, "en", x->password, x->admin, x->id, e);
}

static int cmd_user_add(const cli_args *a, char **envp)
{
    const char *email = cli_get(a, "email");
    if (!email) {
        fprintf(stderr, "mstation user add: --email is required\n");
        return CLI_USAGE;
    }
    ms_error e;
    ms_error_clear(&e);
    char pw[1100];
    bool generated;
    if (get_password(a, pw, &generated, &e)) return cli_fail("user add", &e);
    user_arg x = {email, cli_get(a, "name"), pw, cli_has(a, "admin"), ""};
    if (!x.name) {
        /* The part before the @ is a fair default display name. */
        static char local[128];
        snprintf(local, sizeof local, "%.*s", (int)strcspn(email, "@"), email);
        x.name = local;
    }
    int rc = with_store(a, envp, "user add", true, user_add_tx, &x);
    if (rc) return rc;
    printf("user: %s %s\n", x.id, email);
    if (generated) printf("password: %s\n", pw);
    return CLI_OK;
}

static int user_passwd_tx(db_conn *c, const ms_env *env, void *p, ms_error *e)
{
    (void)env;
    user_arg *x = p;
    int rc = user_find_by_email(c, x->email, x->id, e);
    if (rc) return rc;
    if ((rc = password_check_policy(x->password, x->email, e))) return rc;
    char hash[128];
    if ((rc = password_hash(x->password, hash, e))) return rc;
    if ((rc = user_set_password(c, x->id, hash, e))) return rc;
    rc = db_exec(c, e, "DELETE FROM session WHERE user_id = ?", "s", x->id);
    if (rc < 0) return rc;
    /* A forgotten password usually follows a lock-out: clear it too. */
    char bucket[300];
    snprintf(bucket, sizeof bucket, "email:%s", x->email);
    ms_str_lower(bucket);
    rc = db_exec(c, e, "DELETE FROM signin_throttle WHERE bucket = ?", "s", bucket);
    if (rc < 0) return rc;
    ms_event ev = {.actor_id = x->id,
                   .action = "user.password_reset",
                   .object_type = "user",
                   .object_id = x->id,
                   .summary = "Password reset by an administrator; all sessions ended"};
    return event_append(c, &ev, e);
}

static int cmd_user_passwd(const cli_args *a, char **envp)
{
    const char *email = cli_get(a, "email");
    if (!email) {
        fprintf(stderr, "mstation user passwd: --email is required\n");
        return CLI_USAGE;
    }
    ms_error e;
    ms_error_clear(&e);
    char pw[1100];
    bool generated;
    if (get_password(a, pw, &generated, &e)) return cli_fail("user passwd", &e);
    user_arg x = {email, NULL, pw, false, ""};
    int rc = with_store(a, envp, "user passwd", true, user_passwd_tx, &x);
    if (rc) return rc;
    printf("password changed for %s; their sessions were ended\n", email);
    if (generated) printf("password: %s\n", pw);
    return CLI_OK;
}

typedef struct disable_arg {
    const char *email;
    bool disable;
    char id[MS_ID_LEN];
} disable_arg;

static int user_disable_tx(db_conn *c, const ms_env *env, void *p, ms_error *e)
{
    (void)env;
    disable_arg *x = p;
    int rc = user_find_by_email(c, x->email, x->id, e);
    if (rc) return rc;
    char now[MS_TIME_LEN];
    ms_now_str(now);
    rc = db_exec(c, e,
                 "UPDATE user_account SET disabled = ?, updated_at = ?, version = version + 1 "
                 "WHERE id = ?",
                 "bss", x->disable, now, x->id);
    if (rc < 0) return rc;
    if (x->disable && (rc = db_exec(c, e, "DELETE FROM session WHERE user_id = ?", "s", x->id)) < 0)
        return rc;
    ms_event ev = {.actor_id = x->id,
                   .action = x->disable ? "user.disabled" : "user.enabled",
                   .object_type = "user",
                   .object_id = x->id,
                   .summary = x->disable ? "Account disabled by an administrator; sessions ended"
                                         : "Account enabled again by an administrator"};
    return event_append(c, &ev, e);
}

static int user_set_disabled(const cli_args *a, char **envp, bool disable)
{
    const char *email = cli_get(a, "email");
    if (!email) {
        fprintf(stderr, "mstation user %s: --email is required\n", disable ? "disable" : "enable");
        return CLI_USAGE;
    }
    disable_arg x = {email, disable, ""};
    int rc =
        with_store(a, envp, disable ? "user disable" : "user enable", true, user_disable_tx, &x);
    if (rc) return rc;
    printf(disable ? "disabled %s: sessions ended, sign-in and API tokens refused\n"
                   : "enabled %s\n",
           email);
    return CLI_OK;
}

static int cmd_user_disable(const cli_args *a, char **envp)
{
    return user_set_disabled(a, envp, true);
}

static int cmd_user_enable(const cli_args *a, char **envp)
{
    return user_set_disabled(a, envp, false);
}

static int user_list_fn(db_conn *c, const ms_env *env, void *arg, ms_error *e)
{
    (void)env;
    (void)arg;
    db_stmt *st;
    int rc = db_query(c, &st, e,
                      "SELECT id, email, display_name, is_admin, disabled, created_at FROM "
                      "user_account ORDER BY email",
                      "");
    if (rc) return rc;
    while ((rc = db_step(st, e)) == DB_ROW)
        printf("%s  %-32s  %-24s %s%s\n", db_col_text(st, 0), db_col_text(st, 1),
               db_col_text(st, 2), db_col_int(st, 3) ? " admin" : "",
               db_col_int(st, 4) ? " disabled" : "");
    db_done(st);
    return rc < 0 ? rc : 0;
}

static int cmd_user_list(const cli_args *a, char **envp)
{
    return with_store(a, envp, "user list", false, user_list_fn, NULL);
}

/* ---- org ---- */

typedef struct org_arg {
    const char *name, *kind, *slug, *owner;
    char id[MS_ID_LEN];
    char slug_out[64];
} org_arg;

static int org_add_tx(db_conn *c, const ms_env *env, void *p, ms_error *e)
{
    (void)env;
    org_arg *x = p;
    char owner[MS_ID_LEN];
    int rc = user_find_by_email(c, x->owner, owner, e);
    if (rc) return rc;
    json_t *o;
    if ((rc = org_create(c, owner, x->name, x->slug, x->kind, NULL, &o, e))) return rc;
    ms_strlcpy(x->id, json_string_value(json_object_get(o, "id")), sizeof x->id);
    ms_strlcpy(x->slug_out, json_string_value(json_object_get(o, "slug")), sizeof x->slug_out);
    json_decref(o);
    return 0;
}

static int cmd_org_add(const cli_args *a, char **envp)
{
    org_arg x = {
        cli_get(a, "name"), cli_get(a, "kind"), cli_get(a, "slug"), cli_get(a, "owner"), "", ""};
    if (!x.name || !x.kind || !x.owner) {
        fprintf(stderr, "mstation org add: --name, --kind and --owner are required\n");
        return CLI_USAGE;
    }
    bool kind_ok = false;
    for (const char *const *k = org_kinds; *k; k++)
        kind_ok = kind_ok || !strcmp(*k, x.kind);
    if (!kind_ok) {
        fprintf(stderr, "mstation org add: --kind must be one of studio, broadcaster, platform, "
                        "distributor, agency, school, other\n");
        return CLI_USAGE;
    }
    if (!*x.name || ms_utf8_chars(x.name) > 200 || !ms_str_is_clean_text(x.name, 800, false)) {
        fprintf(stderr, "mstation org add: --name must be 1-200 characters of text\n");
        return CLI_USAGE;
    }
    if (x.slug && !ms_slug_valid(x.slug, 40)) {
        fprintf(stderr, "mstation org add: --slug must be 2-40 lower-case letters, digits or "
                        "hyphens, starting with a letter\n");
        return CLI_USAGE;
    }
    int rc = with_store(a, envp, "org add", true, org_add_tx, &x);
    if (rc) return rc;
    printf("org: %s %s\n", x.id, x.slug_out);
    return CLI_OK;
}

/* ---- token ---- */

typedef struct token_arg {
    const char *user, *name, *expires, *id, *token;
    char out[64];
} token_arg;

static int token_create_tx(db_conn *c, const ms_env *env, void *p, ms_error *e)
{
    token_arg *x = p;
    char uid[MS_ID_LEN];
    int rc = user_find_by_email(c, x->user, uid, e);
    if (rc) return rc;
    return token_create(c, env, uid, x->name, x->expires, NULL, x->out, e);
}

static int cmd_token_create(const cli_args *a, char **envp)
{
    token_arg x = {cli_get(a, "user"), cli_get(a, "name"), NULL, NULL, NULL, ""};
    if (!x.user || !x.name) {
        fprintf(stderr, "mstation token create: --user and --name are required\n");
        return CLI_USAGE;
    }
    char exp[MS_TIME_LEN];
    int64_t days = 90;
    if (cli_get(a, "expires-in-days") &&
        (!ms_parse_int(cli_get(a, "expires-in-days"), &days) || days < 1 || days > 3650)) {
        fprintf(stderr, "mstation token create: --expires-in-days must be 1-3650\n");
        return CLI_USAGE;
    }
    if (!cli_has(a, "no-expiry")) {
        ms_time_fmt(ms_now_ms() + days * 86400LL * 1000, exp);
        x.expires = exp;
    }
    int rc = with_store(a, envp, "token create", true, token_create_tx, &x);
    if (rc) return rc;
    printf("%s\n", x.out);
    return CLI_OK;
}

static int token_revoke_tx(db_conn *c, const ms_env *env, void *p, ms_error *e)
{
    token_arg *x = p;
    db_stmt *st;
    int rc;
    if (x->token) {
        char hash[65];
        auth_credential_hash(env, "token", x->token, hash);
        rc = db_query_row(c, &st, e, "SELECT id, user_id FROM api_token WHERE token_hash = ?", "s",
                          hash);
    } else {
        rc = db_query_row(c, &st, e, "SELECT id, user_id FROM api_token WHERE id = ?", "s", x->id);
    }
    if (rc < 0) return rc;
    if (rc == DB_DONE) return ms_fail(e, MS_ENOTFOUND, NULL, "no such token");
    char id[MS_ID_LEN], uid[MS_ID_LEN];
    ms_strlcpy(id, db_col_text(st, 0), sizeof id);
    ms_strlcpy(uid, db_col_text(st, 1), sizeof uid);
    db_done(st);
    return token_revoke(c, uid, id, e);
}

static int cmd_token_revoke(const cli_args *a, char **envp)
{
    token_arg x = {NULL, NULL, NULL, cli_get(a, "id"), cli_get(a, "token"), ""};
    if (!x.id == !x.token) {
        fprintf(stderr, "mstation token revoke: give --id ID or --token TOKEN\n");
        return CLI_USAGE;
    }
    int rc = with_store(a, envp, "token revoke", true, token_revoke_tx, &x);
    if (rc) return rc;
    printf("revoked\n");
    return CLI_OK;
}

/* ---- jobs ---- */

static int jobs_list_fn(db_conn *c, const ms_env *env, void *arg, ms_error *e)
{
    (void)env;
    const char *state = arg;
    db_stmt *st;
    int rc = db_query(c, &st, e,
                      "SELECT id, kind, state, attempts, max_attempts, run_at, "
                      "COALESCE(last_error, '') FROM job WHERE (? IS NULL OR state = ?) "
                      "ORDER BY id DESC LIMIT 200",
                      "ss", state, state);
    if (rc) return rc;
    while ((rc = db_step(st, e)) == DB_ROW)
        printf("%s  %-20s %-8s %lld/%lld  %s  %s\n", db_col_text(st, 0), db_col_text(st, 1),
               db_col_text(st, 2), (long long)db_col_int(st, 3), (long long)db_col_int(st, 4),
               db_col_text(st, 5), db_col_text(st, 6));
    db_done(st);
    return rc < 0 ? rc : 0;
}

static int cmd_jobs_list(const cli_args *a, char **envp)
{
    const char *state = cli_get(a, "state");
    static const char *const states[] = {"queued", "running", "done", "dead", NULL};
    bool ok = !state;
    for (const char *const *st = states; state && *st; st++)
        ok = ok || !strcmp(*st, state);
    if (!ok) {
        fprintf(stderr, "mstation jobs list: --state must be queued, running, done or dead\n");
        return CLI_USAGE;
    }
    return with_store(a, envp, "jobs list", false, jobs_list_fn, (void *)state);
}

static int jobs_retry_tx(db_conn *c, const ms_env *env, void *arg, ms_error *e)
{
    (void)env;
    return jobs_requeue(c, arg, e);
}

static int cmd_jobs_retry(const cli_args *a, char **envp)
{
    const char *id = cli_get(a, "id");
    if (!id || !ms_uuid_valid(id)) {
        fprintf(stderr, "mstation jobs retry: --id must be a job id (see mstation jobs list)\n");
        return CLI_USAGE;
    }
    int rc = with_store(a, envp, "jobs retry", true, jobs_retry_tx, (void *)id);
    if (rc) return rc;
    printf("queued again: %s (a running server picks it up within a second)\n", id);
    return CLI_OK;
}

/* ---- db schema, migrate-store ---- */

static int cmd_db_schema(const cli_args *a, char **envp)
{
    ms_config cfg;
    int rc = cli_config(a, envp, &cfg);
    if (rc) return rc;
    ms_error e;
    ms_error_clear(&e);
    db *d;
    if (db_open(cfg.database, 1, &d, &e)) return cli_fail("db schema", &e);
    db_conn *c = db_acquire(d);
    json_t *j = NULL;
    rc = db_describe(c, &j, &e);
    db_release(c);
    db_close(d);
    if (rc) return cli_fail("db schema", &e);
    char *text = json_dumps(j, JSON_INDENT(2) | JSON_SORT_KEYS);
    json_decref(j);
    if (!text) return CLI_FAIL;
    puts(text);
    free(text);
    return CLI_OK;
}

/* Open a database for migrate-store and bring its schema to this binary's version (the
 * target), or check that it is there already (the source: a running installation's server
 * has migrated it; this command never changes the source). */
static int open_for_copy(const char *url, bool apply, db **d, ms_error *e)
{
    char shown[256];
    db_url_redact(url, shown, sizeof shown);
    if (db_open(url, 1, d, e)) return CLI_FAIL;
    ms_migrate_report rep;
    int rc = ms_migrate(*d, app_schemas, app_nschemas, !apply, &rep, e);
    if (!rc && !apply && rep.pending)
        rc = ms_fail(e, MS_EINVAL, "schema-behind",
                     "the source %s lacks %d migrations of this version: run `mstation migrate "
                     "--database %s` (or start its server) first",
                     shown, rep.pending, shown);
    if (rc) {
        db_close(*d);
        *d = NULL;
    }
    return rc;
}

static int cmd_migrate_store(const cli_args *a, char **envp)
{
    ms_config cfg;
    int rc = cli_config(a, envp, &cfg);
    if (rc) return rc;
    const char *from = cli_get(a, "from") ? cli_get(a, "from") : cfg.database;
    const char *to = cli_get(a, "to");
    if (!to) {
        fprintf(stderr, "mstation migrate-store: --to URL is required\n");
        return CLI_USAGE;
    }
    if (!strcmp(from, to)) {
        fprintf(stderr, "mstation migrate-store: --from and --to are the same database\n");
        return CLI_USAGE;
    }
    ms_error e;
    ms_error_clear(&e);
    db *src = NULL, *dst = NULL;
    if (open_for_copy(from, false, &src, &e) || open_for_copy(to, true, &dst, &e)) {
        db_close(src);
        return cli_fail("migrate-store", &e);
    }
    db_copy_report rep;
    rc = db_copy(src, dst, &rep, &e);
    db_close(src);
    db_close(dst);
    int64_t total = 0;
    if (rep.n) printf("%-24s %12s  %-32s  %s\n", "table", "rows", "checksum", "verified");
    for (int i = 0; i < rep.n; i++) {
        const db_copy_table *t = &rep.tables[i];
        total += t->rows;
        printf("%-24s %12lld  %s  %s\n", t->name, (long long)t->rows, t->sum,
               t->ok ? "ok" : "MISMATCH");
    }
    int n = rep.n;
    free(rep.tables);
    if (rc) return cli_fail("migrate-store", &e);
    char shown[256];
    printf("copied %lld rows of %d tables to %s in %.2f s; every table verified (rows and "
           "checksum)\n",
           (long long)total, n, db_url_redact(to, shown, sizeof shown), rep.seconds);
    return CLI_OK;
}

static int cmd_version(const cli_args *a, char **envp)
{
    (void)a;
    (void)envp;
    printf("mstation %s (%s)\n", ms_version, ms_git);
    return CLI_OK;
}

static const cli_opt no_opts[] = {{NULL, false, NULL}};
static const cli_opt init_opts[] = {
    {"admin-email", true, "e-mail address of the first administrator (required)"},
    {"admin-name", true, "display name of the administrator (default: Administrator)"},
    {"admin-password-file", true,
     "read the password from this file (\"-\": standard input); "
     "default: generate one and print it"},
    {NULL, false, NULL}};
static const cli_opt migrate_opts[] = {
    {"dry-run", false, "only count the migrations that would be applied"}, {NULL, false, NULL}};
static const cli_opt migrate_store_opts[] = {
    {"from", true, "database to copy (default: the configured database)"},
    {"to", true, "empty database to copy into, e.g. postgres://user@host/mstation (required)"},
    {NULL, false, NULL}};
static const cli_opt user_add_opts[] = {
    {"email", true, "e-mail address (required)"},
    {"name", true, "display name (default: the part before @)"},
    {"password-file", true,
     "read the password from this file (\"-\": standard input); default: "
     "generate one and print it"},
    {"admin", false, "make the user an instance administrator"},
    {NULL, false, NULL}};
static const cli_opt user_passwd_opts[] = {
    {"email", true, "e-mail address (required)"},
    {"password-file", true,
     "read the new password from this file (\"-\": standard input); "
     "default: generate one and print it"},
    {NULL, false, NULL}};
static const cli_opt user_email_opts[] = {{"email", true, "e-mail address (required)"},
                                          {NULL, false, NULL}};
static const cli_opt org_add_opts[] = {
    {"name", true, "organization name (required)"},
    {"kind", true,
     "studio, broadcaster, platform, distributor, agency, school or other (required)"},
    {"owner", true, "e-mail of the owner's account (required)"},
    {"slug", true, "handle partners find it by (default: from the name)"},
    {NULL, false, NULL}};
static const cli_opt token_create_opts[] = {
    {"user", true, "e-mail of the account the token acts for (required)"},
    {"name", true, "what the token is for (required)"},
    {"expires-in-days", true, "days until it expires (default 90)"},
    {"no-expiry", false, "never expires"},
    {NULL, false, NULL}};
static const cli_opt token_revoke_opts[] = {{"id", true, "the token's id"},
                                            {"token", true, "the token itself (mst_...)"},
                                            {NULL, false, NULL}};
static const cli_opt serve_opts[] = {{NULL, false, NULL}};
static const cli_opt jobs_list_opts[] = {
    {"state", true, "only jobs in this state: queued, running, done or dead"}, {NULL, false, NULL}};
static const cli_opt jobs_retry_opts[] = {{"id", true, "the dead job to queue again (required)"},
                                          {NULL, false, NULL}};

extern const cli_opt cli_mhl_create_opts[], cli_mhl_verify_opts[]; /* mhl_cmd.c */
int cli_mhl_create(const cli_args *a, char **envp);
int cli_mhl_verify(const cli_args *a, char **envp);

/* ---- The chunk store. ---- */

static void human(int64_t n, char *out, size_t cap)
{
    const char *u[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
    double v = (double)n;
    int i = 0;
    while (v >= 1024 && i < 5) {
        v /= 1024;
        i++;
    }
    snprintf(out, cap, i ? "%.2f %s" : "%.0f %s", v, u[i]);
}

static int store_stats_fn(db_conn *c, const ms_env *env, void *arg, ms_error *e)
{
    (void)arg;
    store_report r;
    int rc = store_stats(env, c, &r, e);
    if (rc) return rc;
    char a[32], b[32], d[32], f[32], g[32];
    human(r.logical_bytes, a, sizeof a);
    human(r.chunk_bytes, b, sizeof b);
    human(r.stored_bytes, d, sizeof d);
    human(r.blob_bytes, f, sizeof f);
    human(r.free_bytes, g, sizeof g);
    printf("store            %s\n", blobs_url(env->blobs));
    printf("versions         %lld (%s of content)\n", (long long)r.versions, a);
    printf("chunks           %lld (%s raw, %s stored)\n", (long long)r.chunks, b, d);
    printf("deduplication    %.2fx\n",
           r.chunk_bytes ? (double)r.logical_bytes / (double)r.chunk_bytes : 1.0);
    printf("compression      %.2fx\n",
           r.stored_bytes ? (double)r.chunk_bytes / (double)r.stored_bytes : 1.0);
    printf("blobs            %lld objects, %s (with derivatives)\n", (long long)r.blobs, f);
    printf("damaged chunks   %lld\n", (long long)r.damaged);
    printf("free space       %s\n", r.free_bytes >= 0 ? g : "unknown");
    return 0;
}

static int cmd_store_stats(const cli_args *a, char **envp)
{
    return with_store(a, envp, "store stats", false, store_stats_fn, NULL);
}

static int store_verify_fn(db_conn *c, const ms_env *env, void *arg, ms_error *e)
{
    store_report r;
    int rc = store_verify(env, c, stdout, &r, e);
    if (rc) return rc;
    char b[32];
    human(r.chunk_bytes, b, sizeof b);
    printf("verified %lld chunks (%s): %lld damaged, %lld missing\n", (long long)r.chunks, b,
           (long long)r.damaged, (long long)r.missing);
    *(int *)arg = r.damaged || r.missing;
    return 0;
}

static int cmd_store_verify(const cli_args *a, char **envp)
{
    int bad = 0;
    int rc = with_store(a, envp, "store verify", false, store_verify_fn, &bad);
    return rc ? rc : bad ? CLI_FAIL : CLI_OK;
}

typedef struct gc_args {
    int64_t grace;
    bool dry_run;
} gc_args;

static int store_gc_fn(db_conn *c, const ms_env *env, void *arg, ms_error *e)
{
    gc_args *g = arg;
    store_report r;
    int rc = store_gc(env, c, g->grace >= 0 ? g->grace : env->config->gc_grace, g->dry_run, stdout,
                      &r, e);
    if (rc) return rc;
    char b[32];
    human(r.removed_bytes, b, sizeof b);
    printf("%s %lld chunks and %lld orphan blobs (%s)\n", g->dry_run ? "would remove" : "removed",
           (long long)r.removed, (long long)r.orphans, b);
    return 0;
}

static int cmd_store_gc(const cli_args *a, char **envp)
{
    gc_args g = {-1, cli_has(a, "dry-run")};
    const char *grace = cli_get(a, "grace");
    if (grace && !ms_parse_duration(grace, &g.grace)) {
        fprintf(stderr, "mstation store gc: --grace must be a duration (30m, 24h, 7d)\n");
        return CLI_USAGE;
    }
    return with_store(a, envp, "store gc", false, store_gc_fn, &g);
}

static const cli_opt store_gc_opts[] = {
    {"grace", true, "keep unreferenced chunks seen within this (default: gc_grace, 24h)"},
    {"dry-run", false, "only report what would be removed"},
    {NULL, false, NULL}};

/* ---- talent (part io): talent import, talent export, talent reindex ---- */

static int talent_import_fn(db_conn *c, const ms_env *env, void *arg, ms_error *e)
{
    return talent_cli_import(c, env, arg, stdout, e);
}

static int cmd_talent_import(const cli_args *a, char **envp)
{
    talent_cli_import_opts o = {.org = cli_get(a, "org"),
                                .user_email = cli_get(a, "user"),
                                .people = cli_get(a, "people"),
                                .credits = cli_get(a, "credits"),
                                .consent_attested = cli_has(a, "consent-attested"),
                                .dry_run = cli_has(a, "dry-run")};
    if (!o.org || (!o.people && !o.credits)) {
        fprintf(stderr, "mstation: talent import needs --org and --people FILE and/or --credits "
                        "FILE\n");
        return CLI_USAGE;
    }
    const char *b = cli_get(a, "batch");
    if (b) {
        char *end;
        o.batch = strtol(b, &end, 10);
        if (*end || o.batch < 1 || o.batch > 10000000) {
            fprintf(stderr, "mstation: --batch is a number of rows, 1 to 10000000\n");
            return CLI_USAGE;
        }
    }
    return with_store(a, envp, "talent import", false, talent_import_fn, &o);
}

typedef struct talent_export_arg {
    const char *org, *kind;
} talent_export_arg;

static int talent_export_fn(db_conn *c, const ms_env *env, void *arg, ms_error *e)
{
    (void)env;
    talent_export_arg *x = arg;
    return talent_cli_export(c, x->org, x->kind, stdout, e);
}

static int cmd_talent_export(const cli_args *a, char **envp)
{
    talent_export_arg x = {cli_get(a, "org"), cli_get(a, "kind")};
    if (!x.kind) x.kind = "people";
    if (!x.org || (strcmp(x.kind, "people") && strcmp(x.kind, "credits"))) {
        fprintf(stderr, "mstation: talent export needs --org SLUG and --kind people|credits\n");
        return CLI_USAGE;
    }
    return with_store(a, envp, "talent export", false, talent_export_fn, &x);
}

static int talent_reindex_fn(db_conn *c, const ms_env *env, void *arg, ms_error *e)
{
    (void)env;
    (void)arg;
    return talent_index_rebuild(c, e);
}

static int cmd_talent_reindex(const cli_args *a, char **envp)
{
    int rc = with_store(a, envp, "talent reindex", true, talent_reindex_fn, NULL);
    if (rc == CLI_OK) printf("the talent text index was rebuilt\n");
    return rc;
}

static const cli_opt talent_import_opts[] = {
    {"org", true, "the organization (slug) that keeps the people (required)"},
    {"people", true, "CSV of people (docs/talent-io.md has the columns)"},
    {"credits", true, "CSV of credits (after the people when both are given)"},
    {"batch", true, "rows per transaction (default 50000)"},
    {"user", true, "e-mail of the member who imports (default: the organization's owner)"},
    {"consent-attested", false, "every person of the file agreed to be listed (consent=attested)"},
    {"dry-run", false, "check every row and write nothing"},
    {NULL, false, NULL}};
static const cli_opt talent_export_opts[] = {{"org", true, "the organization (slug) (required)"},
                                             {"kind", true, "people (default) or credits"},
                                             {NULL, false, NULL}};
/* ---- end of talent ---- */

const cli_command cli_commands[] = {
    {"init", "create a data folder, its database and the first administrator",
     "--data DIR --admin-email EMAIL [options]", init_opts, true, cmd_init, 0},
    {"serve", "run the server (web UI, API, job workers) until SIGINT or SIGTERM",
     "[--data DIR] [--listen HOST:PORT] [settings]", serve_opts, true, cli_serve, 0},
    {"migrate", "apply pending database migrations", "[--data DIR] [--dry-run]", migrate_opts, true,
     cmd_migrate, 0},
    {"migrate-store", "copy every row into another (empty) database and verify it",
     "--to URL [--from URL]", migrate_store_opts, true, cmd_migrate_store, 0},
    {"db schema", "print the database's tables, columns and indexes as JSON", "[--database URL]",
     no_opts, true, cmd_db_schema, 0},
    {"user add", "create an account", "--email EMAIL [options]", user_add_opts, true, cmd_user_add,
     0},
    {"user passwd", "set an account's password and end its sessions", "--email EMAIL [options]",
     user_passwd_opts, true, cmd_user_passwd, 0},
    {"user list", "list accounts", "[--data DIR]", no_opts, true, cmd_user_list, 0},
    {"user disable", "disable an account: its sessions end, sign-in and its tokens are refused",
     "--email EMAIL", user_email_opts, true, cmd_user_disable, 0},
    {"user enable", "enable a disabled account again", "--email EMAIL", user_email_opts, true,
     cmd_user_enable, 0},
    {"org add", "create an organization", "--name NAME --kind KIND --owner EMAIL [options]",
     org_add_opts, true, cmd_org_add, 0},
    {"token create", "create an API token and print it (only the token, once)",
     "--user EMAIL --name NAME [options]", token_create_opts, true, cmd_token_create, 0},
    {"token revoke", "revoke an API token", "--id ID | --token TOKEN", token_revoke_opts, true,
     cmd_token_revoke, 0},
    {"jobs list", "list the newest 200 jobs of the queue, with their last error", "[--state dead]",
     jobs_list_opts, true, cmd_jobs_list, 0},
    {"jobs retry", "queue a dead job again with fresh attempts", "--id ID", jobs_retry_opts, true,
     cmd_jobs_retry, 0},
    {"mhl create", "hash a folder and add the next ASC MHL generation (ascmhl/)",
     "DIR [--hash xxh128] [--ignore PATTERN]...", cli_mhl_create_opts, false, cli_mhl_create, 1},
    {"mhl verify", "check a folder against its ASC MHL history: chain, every file, new files",
     "DIR", cli_mhl_verify_opts, false, cli_mhl_verify, 1},
    {"put", "upload files and folders to a project, sending only the chunks the server lacks",
     "PATH... --project ID [options]", transfer_put_opts, false, transfer_put, -1},
    {"get", "download an asset's content (resumable, verified)", "ASSET_ID [-o FILE] [options]",
     transfer_get_opts, false, transfer_get, -1},
    {"ls", "list a project's assets", "--project ID [--folder F] [options]", transfer_ls_opts,
     false, transfer_ls, 0},
    {"share", "make, list or revoke an asset's share links", "ASSET_ID [options]",
     transfer_share_opts, false, transfer_share, 1},
    {"store stats", "what the chunk store holds: versions, chunks, deduplication, compression",
     "[--data DIR]", no_opts, true, cmd_store_stats, 0},
    {"store verify",
     "re-hash every chunk; name damaged or missing ones and the versions using them",
     "[--data DIR]", no_opts, true, cmd_store_verify, 0},
    {"store gc", "remove chunks no version uses (after a grace period) and expired uploads",
     "[--grace 24h] [--dry-run]", store_gc_opts, true, cmd_store_gc, 0},
    /* talent (part io) */
    {"talent import", "import people and their credits (CSV) into an organization",
     "--org SLUG --people FILE [--credits FILE] [--batch N]", talent_import_opts, true,
     cmd_talent_import, 0},
    {"talent export", "print an organization's people or credits as CSV",
     "--org SLUG --kind people|credits", talent_export_opts, true, cmd_talent_export, 0},
    {"talent reindex", "rebuild the talent search's text index", "[--data DIR]", no_opts, true,
     cmd_talent_reindex, 0},
    /* end of talent */
    {"version", "print the version", "", no_opts, false, cmd_version, 0},
    {NULL, NULL, NULL, NULL, false, NULL, 0},
};
