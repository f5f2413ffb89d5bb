/* db.h: the database interface every module writes its SQL against.
 *
 * A `db` is a pool of connections to one database; a request or job takes one connection
 * (db_acquire), uses it from one thread, and gives it back (db_release). Statements are
 * prepared once per connection and cached by their SQL text, so handlers simply write
 *
 *     db_stmt *st;
 *     if (db_query(c, &st, err, "SELECT name FROM org WHERE id = ?", "s", id)) return ...;
 *     while ((rc = db_step(st, err)) == DB_ROW) use(db_col_text(st, 0));
 *     db_done(st);
 *
 * SQL is written in the subset that SQLite and PostgreSQL share: `?` placeholders (the
 * PostgreSQL backend numbers them), TEXT/INTEGER/BIGINT/DOUBLE PRECISION columns, times as
 * RFC 3339 text, booleans as 0/1 integers, ON CONFLICT ... DO ..., RETURNING. Engine-only
 * syntax lives in the backends (begin statements, pragmas), nowhere else. Two rules that
 * PostgreSQL enforces and SQLite does not: a parameter whose type the statement does not
 * fix is a text (bind integers with 'i'/'I', write CAST(? AS BIGINT) where an untyped
 * integer parameter stands alone), and a failed statement ends the transaction (check
 * first, then write; never catch an error and go on in the same transaction).
 *
 * Errors map to MS_E* codes: a unique or foreign-key violation is MS_ECONFLICT, a lock that
 * did not clear within the busy timeout is MS_EBUSY, a serialization conflict with a
 * concurrent transaction is MS_EBUSY with type "serialization-conflict" (db_retryable: run
 * the transaction again), anything else MS_EDB. */
#ifndef MS_DB_H
#define MS_DB_H

#include "core/arena.h"
#include "core/buf.h"
#include "core/error.h"

#include <jansson.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct db db;
typedef struct db_conn db_conn;
typedef struct db_stmt db_stmt;

enum { DB_DONE = 0, DB_ROW = 1 };

/* Open `url` with `pool_size` connections: "sqlite:PATH" (or a plain path) or
 * "postgres://user:password@host:port/dbname?options" ("postgresql://" too; any libpq
 * connection URI). */
int db_open(const char *url, int pool_size, db **out, ms_error *err);
void db_close(db *d);
const char *db_engine(const db *d);
int db_pool_size(const db *d);

/* Take a connection (waits when all are in use) and give it back. A released connection is
 * rolled back if a transaction was left open, and its statements are reset. */
db_conn *db_acquire(db *d);
void db_release(db_conn *c);

/* Transactions. Commits are durable (SQLite synchronous=FULL, PostgreSQL
 * synchronous_commit) when db_commit returns 0.
 *   DB_TX_READ    one consistent snapshot for every statement (SQLite: BEGIN DEFERRED;
 *                 PostgreSQL: REPEATABLE READ). Begins lazily, at the first statement.
 *   DB_TX_WRITE   behaves as if write transactions ran one at a time. SQLite: BEGIN
 *                 IMMEDIATE takes the write lock at once, so they do. PostgreSQL:
 *                 SERIALIZABLE; a transaction that could not be ordered fails with a
 *                 retryable error (db_retryable) and is run again by db_transact.
 *   DB_TX_LOCKED  a write transaction whose statements each see the latest commits
 *                 (PostgreSQL: READ COMMITTED), for code that coordinates explicitly with
 *                 row locks (SELECT ... FOR UPDATE SKIP LOCKED, see db_skip_locked) or
 *                 db_lock; never fails with a serialization conflict. SQLite: as WRITE. */
typedef enum db_tx_mode { DB_TX_READ = 0, DB_TX_WRITE = 1, DB_TX_LOCKED = 2 } db_tx_mode;
int db_begin(db_conn *c, db_tx_mode mode, ms_error *err);
int db_commit(db_conn *c, ms_error *err);
void db_rollback(db_conn *c);
bool db_in_tx(const db_conn *c);

/* Run `fn` in a transaction of `mode` and commit when it returns >= 0 (roll back when it
 * fails); a serialization conflict runs it again, up to DB_RETRIES times with a short random
 * pause. `fn` must therefore do nothing outside the database that a second run repeats.
 * Returns fn's result or the error. */
#define DB_RETRIES 8
typedef int (*db_tx_fn)(void *arg, db_conn *c, ms_error *err);
int db_transact(db_conn *c, db_tx_mode mode, db_tx_fn fn, void *arg, ms_error *err);
/* True when the failure was a serialization conflict: the same transaction run again can
 * succeed. */
bool db_retryable(const ms_error *err);
/* Sleep before retry number `attempt` (1-based) of a transaction on `c`: a random pause,
 * growing with attempts. Counted in db_stats.retries. */
void db_retry_pause(db_conn *c, int attempt);

/* A lock held by the current transaction until it ends: transactions that take the same
 * `key` pass this point one at a time (PostgreSQL: pg_advisory_xact_lock). On SQLite write
 * transactions already run one at a time and this does nothing. Keys are DB_LOCK_*. */
enum { DB_LOCK_MIGRATE = 0x6d730001, DB_LOCK_EVENT_LOG = 0x6d730002 };
int db_lock(db_conn *c, int64_t key, ms_error *err);
/* Whether the engine supports SELECT ... FOR UPDATE SKIP LOCKED (PostgreSQL). */
bool db_skip_locked(const db_conn *c);
/* Wake-ups across server processes. db_notify, inside a transaction, wakes every listener on
 * `channel` in every process when the transaction commits (PostgreSQL NOTIFY; repeated
 * notifications in one transaction wake once). A listener is a connection of its own.
 * SQLite serves one process: db_notify does nothing and db_listen_open answers MS_EINVAL. */
typedef struct db_listener db_listener;
int db_notify(db_conn *c, const char *channel, ms_error *err);
int db_listen_open(db *d, const char *channel, db_listener **out, ms_error *err);
/* Wait up to `timeout_ms` for a notification: 1 (one or more came), 0 (none) or MS_E*. A lost
 * connection is re-established (notifications sent meanwhile are lost: poll as well). */
int db_listen_wait(db_listener *l, int timeout_ms);
void db_listen_close(db_listener *l);

/* A LIKE pattern (ESCAPE '\\') that finds `q` anywhere, lower-cased, with % _ \\ escaped;
 * allocated in `a`. */
char *db_like_pattern(ms_arena *a, const char *q);
/* `url` with its password replaced by ***, for messages and logs. Returns `out`. */
const char *db_url_redact(const char *url, char *out, size_t size);
/* The engine of a connection: "sqlite" or "postgres". */
const char *db_conn_engine(const db_conn *c);

/* Prepare (cached) and bind. `types` has one letter per parameter:
 *   s  const char *  (NULL binds SQL NULL)
 *   i  int
 *   I  int64_t
 *   d  double
 *   b  bool (as 0/1)
 * The statement stays valid until db_done. */
int db_query(db_conn *c, db_stmt **out, ms_error *err, const char *sql, const char *types, ...);
/* The same with a run-time list of parameters (queries built from optional filters). */
typedef struct db_arg {
    char type; /* 's', 'I', 'd' */
    const char *s;
    int64_t i;
    double d;
} db_arg;
#define DB_ARG_S(x) ((db_arg){.type = 's', .s = (x)})
#define DB_ARG_I(x) ((db_arg){.type = 'I', .i = (x)})
int db_query_args(db_conn *c, db_stmt **out, ms_error *err, const char *sql, const db_arg *args,
                  int nargs);
/* The same for SQL built piece by piece in `sql` (lists with optional filters): a buffer that
 * ran out of memory is MS_ENOMEM; the buffer is freed either way. */
int db_query_buf(db_conn *c, db_stmt **out, ms_error *err, ms_buf *sql, const db_arg *args,
                 int nargs);
int db_step(db_stmt *s, ms_error *err); /* DB_ROW, DB_DONE or a negative MS_E* code */
void db_done(db_stmt *s);

/* Run a statement to completion; returns the number of rows changed (>= 0) or MS_E*. */
int db_exec(db_conn *c, ms_error *err, const char *sql, const char *types, ...);
/* Run one row query: returns DB_ROW (and leaves `*out` open for reading; call db_done),
 * DB_DONE (no row; `*out` is already done) or MS_E*. */
int db_query_row(db_conn *c, db_stmt **out, ms_error *err, const char *sql, const char *types, ...);
/* Several statements without parameters (migrations, setup). */
int db_exec_script(db_conn *c, const char *sql, ms_error *err);

/* Columns of the current row. Text is valid until the next step or db_done. */
const char *db_col_text(db_stmt *s, int i); /* NULL for SQL NULL */
size_t db_col_bytes(db_stmt *s, int i);     /* length of db_col_text, without the NUL */
int64_t db_col_int(db_stmt *s, int i);
double db_col_double(db_stmt *s, int i);
bool db_col_null(db_stmt *s, int i);
int db_col_count(db_stmt *s);
const char *db_col_name(db_stmt *s, int i);
enum { DB_T_NULL = 0, DB_T_INT, DB_T_FLOAT, DB_T_TEXT };
int db_col_type(db_stmt *s, int i);

/* The current row as a JSON object keyed by column names (use SQL aliases to name API
 * fields). Integer columns whose name starts with "is_" or "has_" become booleans; a text
 * column whose name ends in "_json" is parsed and stored without the suffix. */
json_t *db_row_json(db_stmt *s);
/* The same object written as JSON text straight into `out`, with no intermediate objects:
 * the path for list pages. "_json" columns are copied as they are (they hold JSON this
 * server wrote). */
typedef struct ms_buf ms_buf;
void db_row_write_json(db_stmt *s, ms_buf *out);

/* Timing of statements, for /metrics. Histogram bucket bounds in microseconds. Counters are
 * kept per connection (one writer each, so recording a statement touches no shared cache
 * line) and summed into a snapshot when read. */
#define DB_HIST_BUCKETS 12
extern const double db_hist_bounds_us[DB_HIST_BUCKETS];
typedef struct db_stats {
    uint64_t statements;
    uint64_t errors;
    uint64_t busy;
    uint64_t total_us;
    uint64_t hist[DB_HIST_BUCKETS + 1]; /* last: +Inf */
    uint64_t tx_commits;
    uint64_t tx_rollbacks;
    uint64_t retries; /* transactions run again after a serialization conflict */
    int conns_in_use;
} db_stats;
void db_get_stats(db *d, db_stats *out);

#endif
