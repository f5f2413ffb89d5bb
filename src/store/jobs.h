/* jobs.h: the durable job queue and the worker threads that run it.
 *
 * A job is a row: kind ("mail.send", "assets.probe"), a JSON payload, a state
 *   queued -> running -> done
 *                     -> queued again (failed, attempts left: retried after a backoff)
 *                     -> dead (failed permanently, or out of attempts: the dead-letter list)
 * A worker claims a job by setting a lease; a worker that dies leaves the lease to expire and
 * the job is claimed again. Enqueue inside the caller's transaction, so the job exists exactly
 * when the change that asked for it was committed. Handlers must be idempotent: a job whose
 * worker died after the work but before recording it runs again.
 *
 * It is not a scheduler of recurring tasks (the server enqueues those with unique keys) and
 * not a message bus. */
#ifndef MS_JOBS_H
#define MS_JOBS_H

#include "core/error.h"
#include "core/id.h"
#include "store/db.h"

#include <jansson.h>
#include <stdbool.h>

typedef struct ms_job {
    char id[MS_ID_LEN];
    char kind[64];
    json_t *payload; /* owned; ms_job_clear releases it */
    int attempts;    /* including the current one */
    int max_attempts;
} ms_job;

typedef struct ms_job_opts {
    int64_t delay_ms;       /* run not before now + delay */
    int max_attempts;       /* 0 = default (8) */
    int priority;           /* higher first */
    const char *unique_key; /* while a job with this key is queued or running, enqueue
                               returns that job instead of adding another */
} ms_job_opts;

int jobs_enqueue(db_conn *c, const char *kind, const json_t *payload, const ms_job_opts *opts,
                 char id_out[MS_ID_LEN], ms_error *err);
/* Claim the next ready job: 1 (filled `out`), 0 (none ready) or MS_E*. Runs its own
 * write transaction: call outside one. */
int jobs_claim(db_conn *c, const char *worker, int64_t lease_ms, ms_job *out, ms_error *err);
int jobs_complete(db_conn *c, const ms_job *j, const char *worker, ms_error *err);
/* Record a failure: retried with exponential backoff while attempts remain, unless
 * `permanent`, then dead. */
int jobs_fail(db_conn *c, const ms_job *j, const char *worker, const char *error, bool permanent,
              ms_error *err);
/* Extend the lease of a long job. MS_ENOTFOUND when the lease was lost. */
int jobs_heartbeat(db_conn *c, const ms_job *j, const char *worker, int64_t lease_ms,
                   ms_error *err);
/* Put a dead job back in the queue with fresh attempts. */
int jobs_requeue(db_conn *c, const char *id, ms_error *err);
/* Delete finished jobs older than `before` (RFC 3339); returns rows deleted. */
int jobs_purge(db_conn *c, const char *before, ms_error *err);
/* Delay before retry number `attempts` (1-based), in milliseconds, without jitter. */
int64_t jobs_backoff_ms(int attempts);
void ms_job_clear(ms_job *j);

/* ---- Worker threads. ---- */

typedef int (*ms_job_fn)(void *ctx, db_conn *c, const ms_job *job, ms_error *err);
typedef struct ms_job_handler {
    const char *kind;
    ms_job_fn fn;
    int64_t lease_ms; /* how long one run may take before another worker may take over */
} ms_job_handler;

typedef struct ms_jobs_runner ms_jobs_runner;

/* Start `nthreads` workers that run jobs of the given kinds. A handler returns 0 (done),
 * MS_EINVAL (the job can never succeed: dead at once) or another error (retry). */
int jobs_runner_start(db *d, const ms_job_handler *handlers, void *ctx, int nthreads,
                      ms_jobs_runner **out, ms_error *err);
void jobs_runner_wake(void *runner);      /* after enqueueing: look now, not at the next poll */
void jobs_runner_stop(ms_jobs_runner *r); /* lets running jobs finish */

#endif
