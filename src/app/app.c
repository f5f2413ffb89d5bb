/* app.c: the module registry and the wiring shared by the CLI and the server. See app.h. */
#include "app/app.h"

#include "assets/assets.h"
#include "auth/auth.h"
#include "core/buf.h"
#include "core/id.h"
#include "core/log.h"
#include "core/mail.h"
#include "core/seal.h"
#include "core/time.h"
#include "http/server.h"
#include "production/production.h"
#include "rights/rights.h"
#include "store/idempotency.h"
#include "talent/talent.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

extern const char ms_schema_store[];
/* review (wt-review): production's review tables and OpenAPI paths (src/production/review*). */
extern const char ms_schema_production_review[];
extern const char ms_openapi_production_review[];

/* ---- The modules. Order matters for schemas: a module's tables may reference only the
 * tables of modules before it. ---- */

const ms_schema app_schemas[] = {
    {"store", ms_schema_store, NULL},
    {"auth", ms_schema_auth, ms_schema_auth_pg},
    {"assets", ms_schema_assets, NULL},
    {"production", ms_schema_production, NULL},
    /* webhooks (wt-hooks) */
    {"production_webhooks", ms_schema_production_webhooks, NULL},
    /* review (wt-review) */
    {"production_review", ms_schema_production_review, NULL},
    /* schedule (wt-schedule) */
    {"production_schedule", ms_schema_production_schedule, NULL},
    {"rights", ms_schema_rights, NULL},
    /* wt-market */
    {"rights_market", ms_schema_rights_market, NULL},
    /* end of wt-market */
    {"talent", ms_schema_talent, ms_schema_talent_pg},
};
const int app_nschemas = (int)(sizeof app_schemas / sizeof app_schemas[0]);

const ms_route *const app_routes[] = {auth_routes,   assets_routes, production_routes,
                                      rights_routes, talent_routes, NULL};

const char *const app_openapi[] = {ms_openapi_auth, ms_openapi_assets, ms_openapi_production,
                                   /* webhooks (wt-hooks) */
                                   ms_openapi_production_webhooks,
                                   /* review (wt-review) */
                                   ms_openapi_production_review,
                                   /* schedule (wt-schedule) */
                                   ms_openapi_production_schedule,
                                   ms_openapi_production_io, /* wt-io */
                                   ms_openapi_rights,
                                   /* wt-market */
                                   ms_openapi_rights_market,
                                   /* end of wt-market */
                                   /* wt-ema */
                                   ms_openapi_rights_ema,
                                   /* end of wt-ema */
                                   ms_openapi_talent, ms_openapi_talent_search,
                                   ms_openapi_talent_work, ms_openapi_talent_io, NULL};

/* ---- Jobs. ---- */

static int job_mail_send(void *ctx, db_conn *c, const ms_job *job, ms_error *err)
{
    const ms_env *x = ctx;
    (void)c;
    const char *to = json_string_value(json_object_get(job->payload, "to"));
    const char *subject = json_string_value(json_object_get(job->payload, "subject"));
    const char *text = json_string_value(json_object_get(job->payload, "text"));
    const char *sealed = json_string_value(json_object_get(job->payload, "text_sealed"));
    if (!to || !subject || (!text && !sealed))
        return ms_fail(err, MS_EINVAL, NULL, "mail.send needs to, subject and text");
    char *opened = NULL;
    if (!text) {
        int rc = ms_unseal(x->secret, "mail", sealed, &opened, NULL, err);
        if (rc) return rc; /* MS_EINVAL: it will never open; the job goes dead */
        text = opened;
    }
    int rc = ms_mail_send(x->config, to, subject, text, err);
    free(opened);
    return rc;
}

#define MAINTENANCE_EVERY_MS (3600LL * 1000)
#define DONE_JOBS_KEPT_MS    (7LL * 86400 * 1000)

static int enqueue_maintenance(db_conn *c, int64_t at_ms, ms_error *err)
{
    /* One job per hour slot: the unique key makes every server of a cluster agree. */
    char key[64], slot[MS_TIME_LEN];
    ms_time_fmt(at_ms - at_ms % MAINTENANCE_EVERY_MS, slot);
    snprintf(key, sizeof key, "maintenance.purge:%.13s", slot);
    int64_t delay = at_ms - ms_now_ms();
    ms_job_opts o = {.delay_ms = delay > 0 ? delay : 0, .unique_key = key, .max_attempts = 3};
    json_t *p = json_object();
    int rc = jobs_enqueue(c, "maintenance.purge", p, &o, NULL, err);
    json_decref(p);
    return rc;
}

typedef struct maintenance {
    const char *idem_before, *jobs_before;
    int64_t next_at;
    int auth_rows, idem_rows, job_rows;
} maintenance;

static int maintenance_tx(void *p, db_conn *c, ms_error *err)
{
    maintenance *m = p;
    if ((m->auth_rows = auth_purge(c, err)) < 0) return m->auth_rows;
    if ((m->idem_rows = idem_purge(c, m->idem_before, err)) < 0) return m->idem_rows;
    if ((m->job_rows = jobs_purge(c, m->jobs_before, err)) < 0) return m->job_rows;
    return enqueue_maintenance(c, m->next_at, err);
}

static int job_maintenance(void *ctx, db_conn *c, const ms_job *job, ms_error *err)
{
    const ms_env *env = ctx;
    (void)job;
    char idem_before[MS_TIME_LEN], jobs_before[MS_TIME_LEN];
    int64_t now = ms_now_ms();
    ms_time_fmt(now - IDEM_TTL_MS, idem_before);
    ms_time_fmt(now - DONE_JOBS_KEPT_MS, jobs_before);
    maintenance m = {.idem_before = idem_before,
                     .jobs_before = jobs_before,
                     .next_at = now - now % MAINTENANCE_EVERY_MS + MAINTENANCE_EVERY_MS};
    int rc = db_transact(c, DB_TX_WRITE, maintenance_tx, &m, err);
    if (rc < 0) return rc;
    /* The chunk store: unreferenced chunks past their grace period, expired uploads. */
    store_report rep;
    if (env->blobs && (rc = store_gc(env, c, env->config->gc_grace, false, NULL, &rep, err)) < 0)
        return rc;
    ms_log(MS_LOG_INFO, "maintenance",
           json_pack("{s:i,s:i,s:i,s:I,s:I}", "auth_rows", m.auth_rows, "idempotency_keys",
                     m.idem_rows, "jobs", m.job_rows, "chunks_removed",
                     (json_int_t)(env->blobs ? rep.removed : 0), "bytes_freed",
                     (json_int_t)(env->blobs ? rep.removed_bytes : 0)));
    return 0;
}

const ms_job_handler app_job_handlers[] = {
    {"mail.send", job_mail_send, 120000},
    {"maintenance.purge", job_maintenance, 3600000},
    {"assets.probe", assets_job_probe, 10LL * 60 * 1000},
    {"assets.derive", assets_job_derive, 2LL * 3600 * 1000},
    /* webhooks (wt-hooks): one POST of at most 10 s */
    {"production.webhook", prod_webhooks_job, 60000},
    {NULL, NULL, 0},
};

static int schedule_tx(void *p, db_conn *c, ms_error *err)
{
    return enqueue_maintenance(c, *(const int64_t *)p, err);
}

int app_schedule_maintenance(db *d, ms_error *err)
{
    db_conn *c = db_acquire(d);
    int64_t at = ms_now_ms();
    int rc = db_transact(c, DB_TX_WRITE, schedule_tx, &at, err);
    db_release(c);
    return rc < 0 ? rc : 0;
}

/* ---- The data folder. ---- */

static int mkdir_p(const char *path, mode_t mode, ms_error *err)
{
    char tmp[PATH_MAX];
    if (!ms_strlcpy(tmp, path, sizeof tmp))
        return ms_fail(err, MS_EINVAL, NULL, "path too long: %s", path);
    for (char *p = tmp + 1; *p; p++) {
        if (*p != '/') continue;
        *p = 0;
        if (mkdir(tmp, mode) != 0 && errno != EEXIST)
            return ms_fail(err, MS_EIO, NULL, "cannot create %s: %s", tmp, strerror(errno));
        *p = '/';
    }
    if (mkdir(tmp, mode) != 0 && errno != EEXIST)
        return ms_fail(err, MS_EIO, NULL, "cannot create %s: %s", tmp, strerror(errno));
    struct stat st;
    if (stat(tmp, &st) != 0 || !S_ISDIR(st.st_mode))
        return ms_fail(err, MS_EIO, NULL, "%s is not a folder", tmp);
    return 0;
}

/* Write `text` to `path` only if it does not exist: temp file, fsync, link (fails if the
 * target appeared meanwhile), fsync the folder. */
static int write_new_file(const char *path, const char *text, mode_t mode, ms_error *err)
{
    char tmp[PATH_MAX];
    snprintf(tmp, sizeof tmp, "%s.tmp.%d", path, (int)getpid());
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
    if (fd < 0) return ms_fail(err, MS_EIO, NULL, "cannot write %s: %s", tmp, strerror(errno));
    size_t n = strlen(text);
    bool ok = write(fd, text, n) == (ssize_t)n && fsync(fd) == 0;
    ok = close(fd) == 0 && ok;
    if (ok && link(tmp, path) != 0) {
        ok = false;
        if (errno == EEXIST) {
            unlink(tmp);
            return 0; /* someone else made it first: keep theirs */
        }
    }
    unlink(tmp);
    if (!ok) return ms_fail(err, MS_EIO, NULL, "cannot write %s: %s", path, strerror(errno));
    char dir[PATH_MAX];
    ms_strlcpy(dir, path, sizeof dir);
    char *slash = strrchr(dir, '/');
    if (slash) *slash = 0;
    int dfd = open(slash ? dir : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        fsync(dfd);
        close(dfd);
    }
    return 0;
}

bool app_data_exists(const ms_config *cfg)
{
    return access(cfg->secret_key_file, R_OK) == 0;
}

int app_data_init(const ms_config *cfg, ms_error *err)
{
    int rc = mkdir_p(cfg->data, 0700, err);
    char path[PATH_MAX];
    static const char *const subdirs[] = {"outbox", "blobs"};
    for (size_t i = 0; !rc && i < 2; i++) {
        snprintf(path, sizeof path, "%s/%s", cfg->data, subdirs[i]);
        rc = mkdir_p(path, 0700, err);
    }
    if (rc) return rc;
    if (access(cfg->secret_key_file, F_OK) != 0) {
        unsigned char key[32];
        char hex[66];
        ms_random_bytes(key, sizeof key);
        ms_hex_encode(key, sizeof key, hex);
        strcat(hex, "\n");
        if ((rc = write_new_file(cfg->secret_key_file, hex, 0600, err))) return rc;
    }
    snprintf(path, sizeof path, "%s/mstation.conf", cfg->data);
    if (access(path, F_OK) != 0) {
        ms_buf b;
        ms_buf_init(&b);
        ms_buf_puts(&b,
                    "# mstation configuration. Settings here are overridden by MSTATION_<KEY>\n"
                    "# environment variables and by --key value flags. Uncomment to change.\n\n");
        for (const ms_config_key *k = ms_config_keys(); k->name; k++)
            ms_buf_printf(&b, "# %s\n# %s = %s\n\n", k->help, k->name, k->def[0] ? k->def : "\"\"");
        if (b.oom)
            rc = ms_fail(err, MS_ENOMEM, NULL, "out of memory");
        else
            rc = write_new_file(path, b.data, 0600, err);
        ms_buf_free(&b);
    }
    return rc;
}

int app_secret_load(const ms_config *cfg, unsigned char out[32], ms_error *err)
{
    FILE *f = fopen(cfg->secret_key_file, "r");
    if (!f)
        return ms_fail(err, MS_ENOTFOUND, "no-secret",
                       "cannot read the server key %s (%s): is %s an initialized data folder? "
                       "Run `mstation init --data %s --admin-email you@example.com` first",
                       cfg->secret_key_file, strerror(errno), cfg->data, cfg->data);
    char line[128] = "";
    bool ok = fgets(line, sizeof line, f) != NULL;
    fclose(f);
    line[strcspn(line, "\r\n")] = 0;
    ok = ok && strlen(line) == 64;
    for (int i = 0; ok && i < 32; i++) {
        unsigned v;
        ok = sscanf(line + 2 * i, "%2x", &v) == 1;
        out[i] = (unsigned char)v;
    }
    if (!ok)
        return ms_fail(err, MS_EINVAL, "bad-secret",
                       "%s must hold 64 hexadecimal characters (a 256-bit key)",
                       cfg->secret_key_file);
    return 0;
}

int app_store_open(const ms_config *cfg, int pool, db **out, ms_error *err)
{
    db *d;
    int rc = db_open(cfg->database, pool, &d, err);
    if (rc) return rc;
    ms_migrate_report rep;
    if ((rc = ms_migrate(d, app_schemas, app_nschemas, false, &rep, err))) {
        db_close(d);
        return rc;
    }
    *out = d;
    return 0;
}

static bool has_index(const char *dir)
{
    char p[PATH_MAX + 16];
    snprintf(p, sizeof p, "%s/index.html", dir);
    return access(p, R_OK) == 0;
}

void app_web_root(const ms_config *cfg, char *out, size_t outlen)
{
    out[0] = 0;
    if (cfg->web_root[0]) {
        if (has_index(cfg->web_root)) ms_strlcpy(out, cfg->web_root, outlen);
        return;
    }
    /* build/mstation -> <tree>/web; /usr/bin/mstation -> /usr/share/mstation/web. */
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0) {
        exe[n] = 0;
        char *slash = strrchr(exe, '/');
        if (slash) *slash = 0;
        char cand[PATH_MAX + 32];
        snprintf(cand, sizeof cand, "%s/../web", exe);
        char real[PATH_MAX];
        if (realpath(cand, real) && has_index(real)) {
            ms_strlcpy(out, real, outlen);
            return;
        }
        snprintf(cand, sizeof cand, "%s/../share/mstation/web", exe);
        if (realpath(cand, real) && has_index(real)) {
            ms_strlcpy(out, real, outlen);
            return;
        }
    }
    char real[PATH_MAX];
    if (realpath("web", real) && has_index(real)) ms_strlcpy(out, real, outlen);
}

int app_blobs_open(const ms_config *cfg, ms_env *env, ms_error *err)
{
    snprintf(env->work_dir, sizeof env->work_dir, "%.*s/work", (int)sizeof env->work_dir - 8,
             cfg->data);
    char sub[600];
    const char *dirs[] = {"", "/uploads", "/media", NULL};
    for (int i = 0; dirs[i]; i++) {
        snprintf(sub, sizeof sub, "%s%s", env->work_dir, dirs[i]);
        if (mkdir(sub, 0750) != 0 && errno != EEXIST)
            return ms_fail(err, MS_EIO, "io-error", "mkdir %s: %s", sub, strerror(errno));
    }
    return blobs_open(cfg->store, &env->blobs, err);
}
