/* jobs.c: the job queue (SQL) and its worker threads. See jobs.h.
 *
 * Claiming. A claim is one DB_TX_LOCKED transaction: pick the best ready row (queued and
 * due, or running with an expired lease), then UPDATE it guarded by its current state and
 * attempts, so that two claimers can never both get it (the loser sees 0 rows changed and
 * tries the next). On PostgreSQL the pick is SELECT ... FOR UPDATE SKIP LOCKED: the servers
 * of a cluster claim different jobs at the same moment instead of queueing on one row. On
 * SQLite, BEGIN IMMEDIATE makes claims strictly serial. A lease-expired job that has used
 * all its attempts goes to dead.
 *
 * Workers. Each worker thread keeps one connection, polls at most every POLL_MS, and sleeps
 * on a condition variable that jobs_runner_wake signals, so work enqueued in this process
 * starts at once. Work enqueued by another server of a cluster starts at once too where the
 * engine has notifications (PostgreSQL): jobs_enqueue notifies JOBS_CHANNEL in its
 * transaction, and a listener thread per runner wakes the workers; the poll remains for
 * notifications lost while a connection was down, and for SQLite. */
#include "store/jobs.h"

#include "core/buf.h"
#include "core/log.h"
#include "core/time.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_ATTEMPTS 8
#define JOBS_CHANNEL     "mstation_jobs"
#define POLL_MS          1000
#define MAX_BACKOFF_MS   (3600 * 1000)

static void time_after(int64_t delta_ms, char out[MS_TIME_LEN])
{
    ms_time_fmt(ms_now_ms() + delta_ms, out);
}

int jobs_enqueue(db_conn *c, const char *kind, const json_t *payload, const ms_job_opts *opts,
                 char id_out[MS_ID_LEN], ms_error *err)
{
    ms_job_opts o = opts ? *opts : (ms_job_opts){0};
    if (o.max_attempts <= 0) o.max_attempts = DEFAULT_ATTEMPTS;
    char id[MS_ID_LEN], now[MS_TIME_LEN], run_at[MS_TIME_LEN];
    ms_uuid7(id);
    ms_now_str(now);
    time_after(o.delay_ms, run_at);
    char *text = json_dumps(payload ? payload : json_object(), JSON_COMPACT);
    if (!text) return ms_fail(err, MS_ENOMEM, NULL, "cannot encode job payload");
    int rc = 0;
    if (o.unique_key) {
        db_stmt *st;
        rc = db_query_row(c, &st, err,
                          "SELECT id FROM job WHERE unique_key = ? AND state IN ('queued', "
                          "'running')",
                          "s", o.unique_key);
        if (rc == DB_ROW) {
            if (id_out) ms_strlcpy(id_out, db_col_text(st, 0), MS_ID_LEN);
            db_done(st);
            free(text);
            return 0;
        }
    }
    if (rc >= 0)
        rc = db_exec(c, err,
                     "INSERT INTO job (id, kind, payload, state, priority, attempts, "
                     "max_attempts, run_at, unique_key, created_at, updated_at) "
                     "VALUES (?, ?, ?, 'queued', ?, 0, ?, ?, ?, ?, ?)",
                     "sssiissss", id, kind, text, o.priority, o.max_attempts, run_at, o.unique_key,
                     now, now);
    free(text);
    if (rc >= 0) rc = db_notify(c, JOBS_CHANNEL, err);
    if (rc < 0) return rc;
    if (id_out) memcpy(id_out, id, MS_ID_LEN);
    return 0;
}

int64_t jobs_backoff_ms(int attempts)
{
    int64_t ms = 5000;
    for (int i = 1; i < attempts && ms < MAX_BACKOFF_MS; i++)
        ms *= 2;
    return ms < MAX_BACKOFF_MS ? ms : MAX_BACKOFF_MS;
}

void ms_job_clear(ms_job *j)
{
    json_decref(j->payload);
    j->payload = NULL;
}

static int mark_dead(db_conn *c, const char *id, const char *why, ms_error *err)
{
    char now[MS_TIME_LEN];
    ms_now_str(now);
    int rc = db_exec(c, err,
                     "UPDATE job SET state = 'dead', last_error = ?, lease_until = NULL, "
                     "updated_at = ?, finished_at = ? WHERE id = ?",
                     "ssss", why, now, now, id);
    return rc < 0 ? rc : 0;
}

#define CLAIM_SQL                                                                                  \
    "SELECT id, kind, payload, attempts, max_attempts, state FROM job "                            \
    "WHERE (state = 'queued' AND run_at <= ?) OR (state = 'running' AND lease_until < ?) "         \
    "ORDER BY priority DESC, run_at LIMIT 1"

int jobs_claim(db_conn *c, const char *worker, int64_t lease_ms, ms_job *out, ms_error *err)
{
    memset(out, 0, sizeof *out);
    int rc = db_begin(c, DB_TX_LOCKED, err);
    if (rc) return rc;
    char now[MS_TIME_LEN], lease[MS_TIME_LEN];
    ms_now_str(now);
    time_after(lease_ms, lease);
    for (int tries = 0; tries < 16; tries++) {
        db_stmt *st;
        rc = db_query_row(c, &st, err,
                          db_skip_locked(c) ? CLAIM_SQL " FOR UPDATE SKIP LOCKED" : CLAIM_SQL, "ss",
                          now, now);
        if (rc == DB_DONE) break;
        if (rc < 0) goto fail;
        char id[MS_ID_LEN], state[16];
        ms_strlcpy(id, db_col_text(st, 0), sizeof id);
        ms_strlcpy(out->kind, db_col_text(st, 1), sizeof out->kind);
        json_error_t je;
        json_t *payload = json_loads(db_col_text(st, 2), 0, &je);
        int attempts = (int)db_col_int(st, 3), max = (int)db_col_int(st, 4);
        ms_strlcpy(state, db_col_text(st, 5), sizeof state);
        db_done(st);
        if (strcmp(state, "running") == 0 && attempts >= max) {
            json_decref(payload);
            char why[160];
            snprintf(why, sizeof why,
                     "lease expired on its last attempt (%d of %d): the worker "
                     "stopped or the job ran too long",
                     attempts, max);
            if ((rc = mark_dead(c, id, why, err))) goto fail;
            continue;
        }
        if (!payload) {
            if ((rc = mark_dead(c, id, "payload is not valid JSON", err))) goto fail;
            continue;
        }
        rc = db_exec(c, err,
                     "UPDATE job SET state = 'running', attempts = attempts + 1, lease_until = ?, "
                     "worker = ?, updated_at = ? WHERE id = ? AND state = ? AND attempts = ?",
                     "sssssi", lease, worker, now, id, state, attempts);
        if (rc < 0) {
            json_decref(payload);
            goto fail;
        }
        if (rc == 0) {
            json_decref(payload);
            continue;
        }
        memcpy(out->id, id, sizeof id);
        out->payload = payload;
        out->attempts = attempts + 1;
        out->max_attempts = max;
        rc = db_commit(c, err);
        if (rc) {
            ms_job_clear(out);
            return rc;
        }
        return 1;
    }
    rc = db_commit(c, err);
    return rc ? rc : 0;
fail:
    db_rollback(c);
    return rc;
}

static int in_tx(db_conn *c, ms_error *err, int rc_body)
{
    if (rc_body < 0) {
        db_rollback(c);
        return rc_body;
    }
    return db_commit(c, err);
}

int jobs_complete(db_conn *c, const ms_job *j, const char *worker, ms_error *err)
{
    char now[MS_TIME_LEN];
    ms_now_str(now);
    int rc = db_begin(c, DB_TX_LOCKED, err);
    if (rc) return rc;
    rc =
        db_exec(c, err,
                "UPDATE job SET state = 'done', lease_until = NULL, last_error = NULL, "
                "updated_at = ?, finished_at = ? WHERE id = ? AND state = 'running' AND worker = ?",
                "ssss", now, now, j->id, worker);
    return in_tx(c, err, rc);
}

int jobs_fail(db_conn *c, const ms_job *j, const char *worker, const char *error, bool permanent,
              ms_error *err)
{
    char now[MS_TIME_LEN], run_at[MS_TIME_LEN];
    ms_now_str(now);
    int rc = db_begin(c, DB_TX_LOCKED, err);
    if (rc) return rc;
    if (permanent || j->attempts >= j->max_attempts) {
        rc = db_exec(c, err,
                     "UPDATE job SET state = 'dead', lease_until = NULL, last_error = ?, "
                     "updated_at = ?, finished_at = ? WHERE id = ? AND state = 'running' "
                     "AND worker = ?",
                     "sssss", error, now, now, j->id, worker);
    } else {
        /* Backoff with up to 20% jitter so that a burst of failures does not retry in step. */
        unsigned char r;
        ms_random_bytes(&r, 1);
        int64_t delay = jobs_backoff_ms(j->attempts);
        delay += delay * r / 1275;
        time_after(delay, run_at);
        rc = db_exec(c, err,
                     "UPDATE job SET state = 'queued', lease_until = NULL, worker = NULL, "
                     "last_error = ?, run_at = ?, updated_at = ? WHERE id = ? "
                     "AND state = 'running' AND worker = ?",
                     "sssss", error, run_at, now, j->id, worker);
    }
    return in_tx(c, err, rc);
}

int jobs_heartbeat(db_conn *c, const ms_job *j, const char *worker, int64_t lease_ms, ms_error *err)
{
    char now[MS_TIME_LEN], lease[MS_TIME_LEN];
    ms_now_str(now);
    time_after(lease_ms, lease);
    int rc = db_exec(c, err,
                     "UPDATE job SET lease_until = ?, updated_at = ? WHERE id = ? "
                     "AND state = 'running' AND worker = ?",
                     "ssss", lease, now, j->id, worker);
    if (rc < 0) return rc;
    return rc == 0 ? ms_fail(err, MS_ENOTFOUND, NULL, "the job's lease was lost") : 0;
}

int jobs_requeue(db_conn *c, const char *id, ms_error *err)
{
    char now[MS_TIME_LEN];
    ms_now_str(now);
    int rc = db_exec(c, err,
                     "UPDATE job SET state = 'queued', attempts = 0, run_at = ?, updated_at = ?, "
                     "finished_at = NULL WHERE id = ? AND state = 'dead'",
                     "sss", now, now, id);
    if (rc < 0) return rc;
    return rc == 0 ? ms_fail(err, MS_ENOTFOUND, NULL, "no dead job with id %s", id) : 0;
}

int jobs_purge(db_conn *c, const char *before, ms_error *err)
{
    return db_exec(c, err, "DELETE FROM job WHERE state = 'done' AND finished_at < ?", "s", before);
}

/* ---- Worker threads. ---- */

struct ms_jobs_runner {
    db *d;
    const ms_job_handler *handlers;
    void *ctx;
    int nthreads;
    pthread_t *threads;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    bool stopping;
    unsigned wakeups;
    db_listener *listener; /* NULL without notifications (SQLite) */
    pthread_t listen_thread;
};

typedef struct worker_arg {
    ms_jobs_runner *r;
    int index;
} worker_arg;

static const ms_job_handler *find_handler(const ms_jobs_runner *r, const char *kind)
{
    for (const ms_job_handler *h = r->handlers; h->kind; h++)
        if (strcmp(h->kind, kind) == 0) return h;
    return NULL;
}

static int64_t max_lease(const ms_jobs_runner *r)
{
    int64_t m = 60000;
    for (const ms_job_handler *h = r->handlers; h->kind; h++)
        if (h->lease_ms > m) m = h->lease_ms;
    return m;
}

static void run_one(ms_jobs_runner *r, db_conn *c, const char *worker, ms_job *job)
{
    ms_error err;
    ms_error_clear(&err);
    const ms_job_handler *h = find_handler(r, job->kind);
    uint64_t t0 = ms_mono_ns();
    int rc;
    if (!h) {
        rc = ms_fail(&err, MS_EINVAL, NULL, "no handler for job kind \"%s\"", job->kind);
    } else {
        rc = h->fn(r->ctx, c, job, &err);
    }
    if (db_in_tx(c)) db_rollback(c); /* a handler must not leave one open */
    double ms = (double)(ms_mono_ns() - t0) / 1e6;
    ms_error e3;
    ms_error_clear(&e3);
    if (rc == 0) {
        jobs_complete(c, job, worker, &e3);
        ms_log(MS_LOG_INFO, "job done",
               json_pack("{s:s,s:s,s:i,s:f}", "job_id", job->id, "kind", job->kind, "attempt",
                         job->attempts, "duration_ms", ms));
    } else {
        bool permanent = rc == MS_EINVAL;
        jobs_fail(c, job, worker, err.detail, permanent, &e3);
        ms_log(MS_LOG_WARN, "job failed",
               json_pack("{s:s,s:s,s:i,s:i,s:s,s:b}", "job_id", job->id, "kind", job->kind,
                         "attempt", job->attempts, "max_attempts", job->max_attempts, "error",
                         err.detail, "dead", permanent || job->attempts >= job->max_attempts));
    }
}

static void *worker_main(void *p)
{
    worker_arg *a = p;
    ms_jobs_runner *r = a->r;
    char worker[96], host[64] = "host";
    FILE *f = fopen("/proc/sys/kernel/hostname", "r");
    if (f) {
        if (fgets(host, sizeof host, f)) host[strcspn(host, "\n")] = 0;
        fclose(f);
    }
    char wid[MS_ID_LEN];
    ms_uuid7(wid);
    snprintf(worker, sizeof worker, "%s/%d/%.8s", host, a->index, wid + 28);
    free(a);
    int64_t lease = max_lease(r);
    for (;;) {
        pthread_mutex_lock(&r->lock);
        bool stop = r->stopping;
        pthread_mutex_unlock(&r->lock);
        if (stop) break;
        db_conn *c = db_acquire(r->d);
        ms_job job;
        ms_error err;
        ms_error_clear(&err);
        int rc = jobs_claim(c, worker, lease, &job, &err);
        if (rc == 1) {
            run_one(r, c, worker, &job);
            ms_job_clear(&job);
            db_release(c);
            continue;
        }
        db_release(c);
        if (rc < 0 && rc != MS_EBUSY)
            ms_log(MS_LOG_ERROR, "job claim failed", json_pack("{s:s}", "error", err.detail));
        /* Nothing ready: sleep until woken or the poll interval passes. */
        pthread_mutex_lock(&r->lock);
        unsigned seen = r->wakeups;
        if (!r->stopping) {
            struct timespec ts;
            clock_gettime(CLOCK_REALTIME, &ts);
            ts.tv_sec += POLL_MS / 1000;
            while (!r->stopping && r->wakeups == seen) {
                if (pthread_cond_timedwait(&r->cond, &r->lock, &ts) != 0) break;
            }
        }
        pthread_mutex_unlock(&r->lock);
    }
    return NULL;
}

/* Wake the workers whenever another process enqueued work (see the top of the file). */
static void *listen_main(void *p)
{
    ms_jobs_runner *r = p;
    for (;;) {
        pthread_mutex_lock(&r->lock);
        bool stop = r->stopping;
        pthread_mutex_unlock(&r->lock);
        if (stop) break;
        if (db_listen_wait(r->listener, POLL_MS) == 1) jobs_runner_wake(r);
    }
    return NULL;
}

int jobs_runner_start(db *d, const ms_job_handler *handlers, void *ctx, int nthreads,
                      ms_jobs_runner **out, ms_error *err)
{
    ms_jobs_runner *r = calloc(1, sizeof *r);
    if (!r) return ms_fail(err, MS_ENOMEM, NULL, "out of memory");
    r->d = d;
    r->handlers = handlers;
    r->ctx = ctx;
    pthread_mutex_init(&r->lock, NULL);
    pthread_cond_init(&r->cond, NULL);
    r->threads = calloc((size_t)(nthreads > 0 ? nthreads : 1), sizeof *r->threads);
    if (!r->threads) {
        free(r);
        return ms_fail(err, MS_ENOMEM, NULL, "out of memory");
    }
    for (int i = 0; i < nthreads; i++) {
        worker_arg *a = malloc(sizeof *a);
        if (!a) break;
        a->r = r;
        a->index = i;
        if (pthread_create(&r->threads[i], NULL, worker_main, a) != 0) {
            free(a);
            break;
        }
        r->nthreads++;
    }
    ms_error lerr;
    int lrc = db_listen_open(d, JOBS_CHANNEL, &r->listener, &lerr);
    if (lrc && lrc != MS_EINVAL) /* MS_EINVAL: the engine has none (SQLite) */
        ms_log(MS_LOG_WARN, "job notifications unavailable: polling only",
               json_pack("{s:s}", "error", lerr.detail));
    if (!lrc && pthread_create(&r->listen_thread, NULL, listen_main, r) != 0) {
        db_listen_close(r->listener);
        r->listener = NULL;
    }
    *out = r;
    return 0;
}

void jobs_runner_wake(void *p)
{
    ms_jobs_runner *r = p;
    if (!r) return;
    pthread_mutex_lock(&r->lock);
    r->wakeups++;
    pthread_cond_broadcast(&r->cond);
    pthread_mutex_unlock(&r->lock);
}

void jobs_runner_stop(ms_jobs_runner *r)
{
    if (!r) return;
    pthread_mutex_lock(&r->lock);
    r->stopping = true;
    pthread_cond_broadcast(&r->cond);
    pthread_mutex_unlock(&r->lock);
    for (int i = 0; i < r->nthreads; i++)
        pthread_join(r->threads[i], NULL);
    if (r->listener) {
        pthread_join(r->listen_thread, NULL);
        db_listen_close(r->listener);
    }
    pthread_mutex_destroy(&r->lock);
    pthread_cond_destroy(&r->cond);
    free(r->threads);
    free(r);
}
