/* db.c: the engine-neutral half of the database layer: connection pool, per-connection
 * statement cache, parameter binding from type letters, statement timing.
 *
 * Statement cache. Each connection keeps up to DB_CACHE prepared statements in an
 * open-addressed table keyed by a hash of the SQL text (compared in full on a hit). A cached
 * statement that is still being stepped (a nested query with the same text) is never shared:
 * the second user gets a temporary statement that db_done finalizes. When a probe sequence
 * is full, the first idle entry of it is evicted.
 *
 * Pool. Connections are handed out from a stack under a mutex; db_acquire waits on a
 * condition variable when all are in use. The server sizes the pool to its worker threads
 * plus job workers, so in practice nobody waits. */
#include "store/db_internal.h"

#include "core/arena.h"
#include "core/buf.h"
#include "core/id.h"
#include "core/time.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define DB_CACHE      256
#define DB_PROBE      8
#define DB_MAX_PARAMS 32

const double db_hist_bounds_us[DB_HIST_BUCKETS] = {10,   25,   50,   100,   250,   500,
                                                   1000, 2500, 5000, 10000, 50000, 250000};

/* A column as db_row_write_json writes it: the '"name":' prefix, computed once per
 * prepared statement (column names never change for a statement). */
typedef struct json_col {
    char *key; /* "\"name\":" */
    size_t key_len;
    char kind; /* 'v' value, 'b' boolean (is_/has_), 'r' raw JSON (_json) */
} json_col;

struct db_stmt {
    void *b;
    db_conn *c;
    uint64_t hash;
    char *sql;
    bool temp;
    bool in_use;
    uint64_t t0;
    json_col *cols; /* for db_row_write_json, built on first use */
    int ncols;
};

/* Per-connection counters: written by the thread that holds the connection, read (relaxed)
 * by db_get_stats. */
typedef struct conn_stats {
    _Atomic uint64_t statements, errors, busy, total_us, tx_commits, tx_rollbacks, retries;
    _Atomic uint64_t hist[DB_HIST_BUCKETS + 1];
} conn_stats;

#define BUMP(field, v) atomic_fetch_add_explicit(&(field), (v), memory_order_relaxed)

struct db_conn {
    db *d;
    conn_stats st;
    void *b;
    int index;
    bool in_tx;
    bool lazy_read; /* a read transaction begins before the next statement */
    bool read_tx;   /* the open transaction is a read transaction */
    db_stmt *cache[DB_CACHE];
};

struct db {
    const db_backend *be;
    char *target; /* what the backend connects to (for listeners) */
    db_conn *conns;
    int n;
    int *free_stack;
    int nfree;
    pthread_mutex_t lock;
    pthread_cond_t cond;
};

static uint64_t sql_hash(const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

int db_open(const char *url, int pool_size, db **out, ms_error *err)
{
    const char *target = url;
    const db_backend *be = &db_sqlite_backend;
    if (strncmp(url, "sqlite:", 7) == 0) {
        target = url + 7;
    } else if (strncmp(url, "postgres://", 11) == 0 || strncmp(url, "postgresql://", 13) == 0) {
        be = &db_pg_backend;
    } else if (strstr(url, "://")) {
        char shown[96];
        return ms_fail(err, MS_EINVAL, "config",
                       "unsupported database URL %s: use sqlite:PATH or postgres://...",
                       db_url_redact(url, shown, sizeof shown));
    }
    if (!*target) return ms_fail(err, MS_EINVAL, "config", "database path is empty");
    if (pool_size < 1) pool_size = 1;
    db *d = calloc(1, sizeof *d);
    if (!d) return ms_fail(err, MS_ENOMEM, NULL, "out of memory");
    d->be = be;
    d->target = strdup(target);
    d->n = pool_size;
    d->conns = calloc((size_t)pool_size, sizeof *d->conns);
    d->free_stack = calloc((size_t)pool_size, sizeof *d->free_stack);
    pthread_mutex_init(&d->lock, NULL);
    pthread_cond_init(&d->cond, NULL);
    if (!d->conns || !d->free_stack || !d->target) {
        db_close(d);
        return ms_fail(err, MS_ENOMEM, NULL, "out of memory");
    }
    for (int i = 0; i < pool_size; i++) {
        d->conns[i].d = d;
        d->conns[i].index = i;
        int rc = be->connect(target, &d->conns[i].b, err);
        if (rc) {
            db_close(d);
            return rc;
        }
        d->free_stack[d->nfree++] = i;
    }
    *out = d;
    return 0;
}

static void stmt_free(db_conn *c, db_stmt *s)
{
    for (int i = 0; i < s->ncols; i++)
        free(s->cols[i].key);
    free(s->cols);
    c->d->be->finalize(s->b);
    free(s->sql);
    free(s);
}

void db_close(db *d)
{
    if (!d) return;
    for (int i = 0; i < d->n; i++) {
        db_conn *c = &d->conns[i];
        for (int j = 0; j < DB_CACHE; j++)
            if (c->cache[j]) stmt_free(c, c->cache[j]);
        if (c->b) d->be->disconnect(c->b);
    }
    pthread_mutex_destroy(&d->lock);
    pthread_cond_destroy(&d->cond);
    free(d->conns);
    free(d->free_stack);
    free(d->target);
    free(d);
}

struct db_listener {
    const db_backend *be;
    void *b;
};

int db_notify(db_conn *c, const char *channel, ms_error *err)
{
    const char *sql = c->d->be->notify_sql;
    if (!sql) return 0;
    int rc = db_exec(c, err, sql, "s", channel);
    return rc < 0 ? rc : 0;
}

int db_listen_open(db *d, const char *channel, db_listener **out, ms_error *err)
{
    if (!d->be->listen_open)
        return ms_fail(err, MS_EINVAL, NULL, "%s has no notifications", d->be->name);
    db_listener *l = calloc(1, sizeof *l);
    if (!l) return ms_fail(err, MS_ENOMEM, NULL, "out of memory");
    l->be = d->be;
    int rc = d->be->listen_open(d->target, channel, &l->b, err);
    if (rc) {
        free(l);
        return rc;
    }
    *out = l;
    return 0;
}

int db_listen_wait(db_listener *l, int timeout_ms)
{
    return l->be->listen_wait(l->b, timeout_ms);
}

void db_listen_close(db_listener *l)
{
    if (!l) return;
    l->be->listen_close(l->b);
    free(l);
}

const char *db_engine(const db *d)
{
    return d->be->name;
}

int db_pool_size(const db *d)
{
    return d->n;
}

void db_get_stats(db *d, db_stats *out)
{
    memset(out, 0, sizeof *out);
    for (int i = 0; i < d->n; i++) {
        const conn_stats *c = &d->conns[i].st;
        out->statements += atomic_load_explicit(&c->statements, memory_order_relaxed);
        out->errors += atomic_load_explicit(&c->errors, memory_order_relaxed);
        out->busy += atomic_load_explicit(&c->busy, memory_order_relaxed);
        out->total_us += atomic_load_explicit(&c->total_us, memory_order_relaxed);
        out->tx_commits += atomic_load_explicit(&c->tx_commits, memory_order_relaxed);
        out->tx_rollbacks += atomic_load_explicit(&c->tx_rollbacks, memory_order_relaxed);
        out->retries += atomic_load_explicit(&c->retries, memory_order_relaxed);
        for (int b = 0; b <= DB_HIST_BUCKETS; b++)
            out->hist[b] += atomic_load_explicit(&c->hist[b], memory_order_relaxed);
    }
    pthread_mutex_lock(&d->lock);
    out->conns_in_use = d->n - d->nfree;
    pthread_mutex_unlock(&d->lock);
}

db_conn *db_acquire(db *d)
{
    pthread_mutex_lock(&d->lock);
    while (d->nfree == 0)
        pthread_cond_wait(&d->cond, &d->lock);
    db_conn *c = &d->conns[d->free_stack[--d->nfree]];
    pthread_mutex_unlock(&d->lock);
    return c;
}

void db_release(db_conn *c)
{
    if (!c) return;
    db *d = c->d;
    /* A handler that returned early may have left a statement open or a transaction
     * running; neither may leak into the next user of this connection. */
    for (int j = 0; j < DB_CACHE; j++) {
        db_stmt *s = c->cache[j];
        if (s && s->in_use) {
            d->be->reset(s->b);
            s->in_use = false;
        }
    }
    if (c->in_tx || c->lazy_read) db_rollback(c);
    pthread_mutex_lock(&d->lock);
    d->free_stack[d->nfree++] = c->index;
    pthread_cond_signal(&d->cond);
    pthread_mutex_unlock(&d->lock);
}

bool db_in_tx(const db_conn *c)
{
    return c->in_tx || c->lazy_read;
}

static void record_error(db_conn *c, int rc)
{
    BUMP(c->st.errors, 1);
    if (rc == MS_EBUSY) BUMP(c->st.busy, 1);
}

int db_begin(db_conn *c, db_tx_mode mode, ms_error *err)
{
    if (c->in_tx || c->lazy_read)
        return ms_fail(err, MS_EINTERNAL, NULL, "transaction already open");
    if (mode == DB_TX_READ) {
        /* A read transaction costs nothing until it reads: requests that never touch the
         * database (health checks, static files, early refusals) take no lock. */
        c->lazy_read = true;
        return 0;
    }
    /* Through the statement cache: sqlite3_exec would parse the text on every call. */
    const db_backend *be = c->d->be;
    const char *begin = mode == DB_TX_LOCKED ? be->begin_locked : be->begin_write;
    if (be->defer_begin) {
        be->defer_begin(c->b, begin);
        c->in_tx = true;
        return 0;
    }
    int rc = db_exec(c, err, begin, "");
    if (rc > 0) rc = 0;
    if (rc) {
        record_error(c, rc);
        return rc;
    }
    c->in_tx = true;
    return 0;
}

/* Start a pending lazy read transaction before a statement runs. */
static int begin_pending(db_conn *c, ms_error *err)
{
    c->lazy_read = false;
    c->read_tx = true;
    if (c->d->be->defer_begin) {
        c->d->be->defer_begin(c->b, c->d->be->begin_read);
        c->in_tx = true;
        return 0;
    }
    int rc = db_exec(c, err, c->d->be->begin_read, "");
    if (rc < 0) {
        record_error(c, rc);
        return rc;
    }
    c->in_tx = true;
    return 0;
}

int db_commit(db_conn *c, ms_error *err)
{
    if (c->lazy_read) {
        c->lazy_read = false; /* never started: nothing to commit */
        return 0;
    }
    if (!c->in_tx) return ms_fail(err, MS_EINTERNAL, NULL, "no transaction to commit");
    c->in_tx = false;
    if (c->read_tx && c->d->be->commit_read) {
        /* Nothing to make durable: the answer need not be waited for. */
        c->read_tx = false;
        c->d->be->commit_read(c->b);
        BUMP(c->st.tx_commits, 1);
        return 0;
    }
    c->read_tx = false;
    int rc = db_exec(c, err, "COMMIT", "");
    if (rc > 0) rc = 0;
    if (rc) {
        record_error(c, rc);
        c->in_tx = true;
        db_rollback(c);
        return rc;
    }
    BUMP(c->st.tx_commits, 1);
    return 0;
}

void db_rollback(db_conn *c)
{
    c->lazy_read = false;
    c->read_tx = false;
    if (!c->in_tx) return;
    /* Statements still stepping would make ROLLBACK fail on older engines; reset them. */
    for (int j = 0; j < DB_CACHE; j++) {
        db_stmt *s = c->cache[j];
        if (s && s->in_use) c->d->be->reset(s->b);
    }
    c->in_tx = false;
    ms_error ignore;
    db_exec(c, &ignore, "ROLLBACK", "");
    BUMP(c->st.tx_rollbacks, 1);
}

bool db_retryable(const ms_error *err)
{
    return err && err->code == MS_EBUSY && strcmp(err->type, "serialization-conflict") == 0;
}

void db_retry_pause(db_conn *c, int attempt)
{
    BUMP(c->st.retries, 1);
    /* Up to 1, 2, 4, ... 64 ms, at random within that, so that the transactions that
     * collided do not collide again in step. */
    unsigned char r[2];
    ms_random_bytes(r, sizeof r);
    int64_t cap_us = 1000LL << (attempt < 6 ? attempt : 6);
    int64_t us = (int64_t)((r[0] << 8 | r[1]) * cap_us / 65536) + 100;
    struct timespec ts = {us / 1000000, (long)(us % 1000000) * 1000};
    nanosleep(&ts, NULL);
}

int db_transact(db_conn *c, db_tx_mode mode, db_tx_fn fn, void *arg, ms_error *err)
{
    for (int attempt = 1;; attempt++) {
        int rc = db_begin(c, mode, err);
        if (!rc) {
            rc = fn(arg, c, err);
            if (rc >= 0) {
                int rc2 = db_commit(c, err);
                if (rc2) rc = rc2;
            } else {
                db_rollback(c);
            }
        }
        if (rc >= 0 || !db_retryable(err) || attempt >= DB_RETRIES) return rc;
        db_retry_pause(c, attempt);
    }
}

int db_lock(db_conn *c, int64_t key, ms_error *err)
{
    const char *sql = c->d->be->lock_sql;
    if (!sql) return 0; /* SQLite: writers already run one at a time */
    if (!c->in_tx && !c->lazy_read)
        return ms_fail(err, MS_EINTERNAL, NULL, "db_lock outside a transaction");
    int rc = db_exec(c, err, sql, "I", key);
    return rc < 0 ? rc : 0;
}

bool db_skip_locked(const db_conn *c)
{
    return c->d->be->skip_locked;
}

const db_backend *db_conn_backend(const db_conn *c)
{
    return c->d->be;
}

const char *db_conn_engine(const db_conn *c)
{
    return c->d->be->name;
}

const char *db_url_redact(const char *url, char *out, size_t size)
{
    /* scheme://user:password@host...: the password never reaches a log or a terminal. */
    const char *scheme = strstr(url, "://");
    const char *at = scheme ? strchr(scheme + 3, '@') : NULL;
    const char *colon = at ? memchr(scheme + 3, ':', (size_t)(at - scheme - 3)) : NULL;
    if (!colon)
        snprintf(out, size, "%s", url);
    else
        snprintf(out, size, "%.*s:***%s", (int)(colon - url), url, at);
    return out;
}

static int stmt_get(db_conn *c, const char *sql, db_stmt **out, ms_error *err)
{
    uint64_t h = sql_hash(sql);
    size_t home = (size_t)(h % DB_CACHE);
    int free_slot = -1, idle_slot = -1;
    for (int p = 0; p < DB_PROBE; p++) {
        size_t i = (home + (size_t)p) % DB_CACHE;
        db_stmt *s = c->cache[i];
        if (!s) {
            if (free_slot < 0) free_slot = (int)i;
            continue;
        }
        if (s->hash == h && strcmp(s->sql, sql) == 0) {
            if (!s->in_use) {
                *out = s;
                return 0;
            }
            break; /* in use: fall through to a temporary statement */
        }
        if (!s->in_use && idle_slot < 0) idle_slot = (int)i;
    }
    db_stmt *s = calloc(1, sizeof *s);
    if (!s) return ms_fail(err, MS_ENOMEM, NULL, "out of memory");
    s->sql = strdup(sql);
    s->c = c;
    s->hash = h;
    if (!s->sql) {
        free(s);
        return ms_fail(err, MS_ENOMEM, NULL, "out of memory");
    }
    int rc = c->d->be->prepare(c->b, sql, &s->b, err);
    if (rc) {
        free(s->sql);
        free(s);
        record_error(c, rc);
        return rc;
    }
    int slot = free_slot >= 0 ? free_slot : idle_slot;
    bool already_cached = false;
    for (int p = 0; p < DB_PROBE && !already_cached; p++) {
        db_stmt *x = c->cache[(home + (size_t)p) % DB_CACHE];
        already_cached = x && x->hash == h && strcmp(x->sql, sql) == 0;
    }
    if (slot >= 0 && !already_cached) {
        if (c->cache[slot]) stmt_free(c, c->cache[slot]);
        c->cache[slot] = s;
    } else {
        s->temp = true;
    }
    *out = s;
    return 0;
}

static int bind_args(db_stmt *s, ms_error *err, const char *types, va_list ap)
{
    const db_backend *be = s->c->d->be;
    /* The type letters are the only description of the variable arguments: if they do not
     * match the statement's placeholders, reading them would read garbage. Refuse first. */
    int want = be->param_count(s->b), have = types ? (int)strlen(types) : 0;
    if (want != have)
        return ms_fail(err, MS_EINTERNAL, NULL, "statement has %d parameters, %d given: %.80s",
                       want, have, s->sql);
    int idx = 1;
    for (const char *t = types; t && *t; t++, idx++) {
        db_value v = {0};
        switch (*t) {
        case 's':
            v.s = va_arg(ap, const char *);
            v.type = v.s ? 's' : 'n';
            break;
        case 'i':
            v.type = 'I';
            v.i = va_arg(ap, int);
            break;
        case 'I':
            v.type = 'I';
            v.i = va_arg(ap, int64_t);
            break;
        case 'b':
            v.type = 'I';
            v.i = va_arg(ap, int) ? 1 : 0;
            break;
        case 'd':
            v.type = 'd';
            v.d = va_arg(ap, double);
            break;
        default:
            return ms_fail(err, MS_EINTERNAL, NULL, "bad bind type '%c'", *t);
        }
        int rc = be->bind(s->b, idx, &v, err);
        if (rc) return rc;
    }
    return 0;
}

static int vquery(db_conn *c, db_stmt **out, ms_error *err, const char *sql, const char *types,
                  va_list ap)
{
    db_stmt *s;
    int rc = c->lazy_read ? begin_pending(c, err) : 0;
    if (rc) return rc;
    rc = stmt_get(c, sql, &s, err);
    if (rc) return rc;
    s->in_use = true;
    s->t0 = ms_mono_ns();
    rc = bind_args(s, err, types, ap);
    if (rc) {
        db_done(s);
        return rc;
    }
    *out = s;
    return 0;
}

int db_query(db_conn *c, db_stmt **out, ms_error *err, const char *sql, const char *types, ...)
{
    va_list ap;
    va_start(ap, types);
    int rc = vquery(c, out, err, sql, types, ap);
    va_end(ap);
    return rc;
}

int db_query_buf(db_conn *c, db_stmt **out, ms_error *err, ms_buf *sql, const db_arg *args,
                 int nargs)
{
    int rc = sql->oom ? ms_fail(err, MS_ENOMEM, NULL, "out of memory")
                      : db_query_args(c, out, err, sql->data, args, nargs);
    ms_buf_free(sql);
    return rc;
}

int db_query_args(db_conn *c, db_stmt **out, ms_error *err, const char *sql, const db_arg *args,
                  int nargs)
{
    db_stmt *s;
    int rc = c->lazy_read ? begin_pending(c, err) : 0;
    if (rc) return rc;
    rc = stmt_get(c, sql, &s, err);
    if (rc) return rc;
    s->in_use = true;
    s->t0 = ms_mono_ns();
    if (c->d->be->param_count(s->b) != nargs) {
        rc = ms_fail(err, MS_EINTERNAL, NULL, "statement has %d parameters, %d given: %.80s",
                     c->d->be->param_count(s->b), nargs, s->sql);
        db_done(s);
        return rc;
    }
    for (int k = 0; k < nargs; k++) {
        db_value v = {.type = args[k].type, .i = args[k].i, .d = args[k].d, .s = args[k].s};
        if (v.type == 's' && !v.s) v.type = 'n';
        if ((rc = c->d->be->bind(s->b, k + 1, &v, err))) {
            db_done(s);
            return rc;
        }
    }
    *out = s;
    return 0;
}

int db_step(db_stmt *s, ms_error *err)
{
    int rc = s->c->d->be->step(s->c->b, s->b, err);
    if (rc < 0) record_error(s->c, rc);
    return rc;
}

void db_done(db_stmt *s)
{
    if (!s) return;
    db *d = s->c->d;
    d->be->reset(s->b);
    uint64_t us = (ms_mono_ns() - s->t0) / 1000;
    conn_stats *cs = &s->c->st;
    BUMP(cs->statements, 1);
    BUMP(cs->total_us, us);
    int b = 0;
    while (b < DB_HIST_BUCKETS && (double)us > db_hist_bounds_us[b])
        b++;
    BUMP(cs->hist[b], 1);
    s->in_use = false;
    if (s->temp) stmt_free(s->c, s);
}

int db_exec(db_conn *c, ms_error *err, const char *sql, const char *types, ...)
{
    va_list ap;
    va_start(ap, types);
    db_stmt *s;
    int rc = vquery(c, &s, err, sql, types, ap);
    va_end(ap);
    if (rc) return rc;
    while ((rc = db_step(s, err)) == DB_ROW) {
    }
    db_done(s);
    if (rc < 0) return rc;
    int64_t n = c->d->be->changes(c->b);
    return n > 0x7fffffff ? 0x7fffffff : (int)n;
}

int db_query_row(db_conn *c, db_stmt **out, ms_error *err, const char *sql, const char *types, ...)
{
    va_list ap;
    va_start(ap, types);
    int rc = vquery(c, out, err, sql, types, ap);
    va_end(ap);
    if (rc) return rc;
    rc = db_step(*out, err);
    if (rc != DB_ROW) {
        db_done(*out);
        *out = NULL;
    }
    return rc;
}

int db_exec_script(db_conn *c, const char *sql, ms_error *err)
{
    if (c->lazy_read) {
        int rc = begin_pending(c, err);
        if (rc) return rc;
    }
    int rc = c->d->be->exec_script(c->b, sql, err);
    if (rc) record_error(c, rc);
    return rc;
}

const char *db_col_text(db_stmt *s, int i)
{
    return s->c->d->be->col_text(s->b, i);
}

size_t db_col_bytes(db_stmt *s, int i)
{
    db_value v;
    size_t n = 0;
    return s->c->d->be->col_get(s->b, i, &v, &n) == DB_T_TEXT ? n : 0;
}

int64_t db_col_int(db_stmt *s, int i)
{
    return s->c->d->be->col_int(s->b, i);
}

double db_col_double(db_stmt *s, int i)
{
    return s->c->d->be->col_double(s->b, i);
}

bool db_col_null(db_stmt *s, int i)
{
    return s->c->d->be->col_null(s->b, i);
}

int db_col_count(db_stmt *s)
{
    return s->c->d->be->col_count(s->b);
}

const char *db_col_name(db_stmt *s, int i)
{
    return s->c->d->be->col_name(s->b, i);
}

int db_col_type(db_stmt *s, int i)
{
    return s->c->d->be->col_type(s->b, i);
}

json_t *db_row_json(db_stmt *s)
{
    json_t *o = json_object();
    int n = db_col_count(s);
    for (int i = 0; i < n; i++) {
        const char *name = db_col_name(s, i);
        size_t len = strlen(name);
        bool raw = len > 5 && !strcmp(name + len - 5, "_json");
        size_t key_len = raw ? len - 5 : len;
        json_t *v;
        switch (db_col_type(s, i)) {
        case DB_T_NULL:
            v = json_null();
            break;
        case DB_T_INT:
            if (!strncmp(name, "is_", 3) || !strncmp(name, "has_", 4))
                v = json_boolean(db_col_int(s, i));
            else
                v = json_integer(db_col_int(s, i));
            break;
        case DB_T_FLOAT:
            v = json_real(db_col_double(s, i));
            break;
        default:
            if (raw) {
                v = json_loads(db_col_text(s, i), JSON_DECODE_ANY, NULL);
                if (!v) v = json_null();
            } else {
                v = json_string(db_col_text(s, i));
            }
        }
        json_object_setn_new(o, name, key_len, v);
    }
    return o;
}

static bool build_json_cols(db_stmt *s)
{
    int n = db_col_count(s);
    s->cols = calloc((size_t)(n ? n : 1), sizeof *s->cols);
    if (!s->cols) return false;
    for (int i = 0; i < n; i++) {
        const char *name = db_col_name(s, i);
        size_t len = strlen(name);
        json_col *c = &s->cols[i];
        c->kind = 'v';
        if (len > 5 && !strcmp(name + len - 5, "_json")) {
            c->kind = 'r';
            len -= 5;
        } else if (!strncmp(name, "is_", 3) || !strncmp(name, "has_", 4)) {
            c->kind = 'b';
        }
        c->key = malloc(len + 5);
        if (!c->key) return false;
        c->key[0] = i ? ',' : '{';
        c->key[1] = '"';
        memcpy(c->key + 2, name, len);
        memcpy(c->key + 2 + len, "\":", 3);
        c->key_len = len + 4;
        s->ncols = i + 1;
    }
    return true;
}

void db_row_write_json(db_stmt *s, ms_buf *out)
{
    const db_backend *be = s->c->d->be;
    if (!s->cols && !build_json_cols(s)) {
        out->oom = true;
        return;
    }
    for (int i = 0; i < s->ncols; i++) {
        const json_col *c = &s->cols[i];
        ms_buf_append(out, c->key, c->key_len);
        db_value v;
        size_t n = 0;
        switch (be->col_get(s->b, i, &v, &n)) {
        case DB_T_NULL:
            ms_buf_append(out, "null", 4);
            break;
        case DB_T_INT:
            if (c->kind == 'b')
                ms_buf_puts(out, v.i ? "true" : "false");
            else
                ms_buf_put_i64(out, v.i);
            break;
        case DB_T_FLOAT:
            ms_buf_printf(out, "%.17g", v.d);
            break;
        default:
            if (c->kind == 'r')
                ms_buf_append(out, v.s, n);
            else
                ms_buf_put_json_strn(out, v.s, n);
        }
    }
    ms_buf_putc(out, s->ncols ? '}' : '{');
    if (!s->ncols) ms_buf_putc(out, '}');
}

char *db_like_pattern(ms_arena *a, const char *q)
{
    size_t n = strlen(q);
    char *p = ms_arena_alloc(a, 2 * n + 3);
    if (!p) return NULL;
    size_t o = 0;
    p[o++] = '%';
    for (size_t i = 0; i < n; i++) {
        char c = q[i];
        if (c == '%' || c == '_' || c == '\\') p[o++] = '\\';
        p[o++] = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
    }
    p[o++] = '%';
    p[o] = 0;
    return p;
}
