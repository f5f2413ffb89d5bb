/* db_sqlite.c: the SQLite backend of db.h.
 *
 * Each connection runs in WAL mode with synchronous=FULL, so a commit that returned is on
 * disk (the WAL is fsynced at every commit), readers never block the writer, and the writer
 * never blocks readers. Writers serialize: a write transaction starts with BEGIN IMMEDIATE
 * and waits up to busy_timeout for the lock. Foreign keys are enforced. Connections are
 * opened with SQLITE_OPEN_NOMUTEX: the pool guarantees one thread per connection at a time. */
#include "store/db_internal.h"

#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#define BUSY_TIMEOUT_MS 10000

static int map_error(sqlite3 *h, int rc, ms_error *err)
{
    int base = rc & 0xff;
    const char *msg = h ? sqlite3_errmsg(h) : sqlite3_errstr(rc);
    if (base == SQLITE_CONSTRAINT) {
        if (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY)
            return ms_fail(err, MS_ECONFLICT, "conflict", "already exists (%s)", msg);
        return ms_fail(err, MS_ECONFLICT, "constraint", "constraint failed (%s)", msg);
    }
    if (base == SQLITE_BUSY || base == SQLITE_LOCKED)
        return ms_fail(err, MS_EBUSY, "busy", "the database is busy, try again (%s)", msg);
    if (base == SQLITE_FULL)
        return ms_fail(err, MS_EIO, "disk-full", "the database disk is full (%s)", msg);
    return ms_fail(err, MS_EDB, "database-error", "database error: %s", msg);
}

static void sq_global_setup(void)
{
    /* Memory statistics take a global mutex on every allocation of every connection; we do
     * not read them. Must run before the library initializes. */
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

static int sq_connect(const char *target, void **out, ms_error *err)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, sq_global_setup);
    sqlite3 *h = NULL;
    int rc = sqlite3_open_v2(
        target, &h, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
    if (rc != SQLITE_OK) {
        int r = ms_fail(err, MS_EDB, "database-error", "cannot open database %s: %s", target,
                        h ? sqlite3_errmsg(h) : sqlite3_errstr(rc));
        sqlite3_close(h);
        return r;
    }
    sqlite3_extended_result_codes(h, 1);
    sqlite3_busy_timeout(h, BUSY_TIMEOUT_MS);
    static const char setup[] = "PRAGMA journal_mode=WAL;"
                                "PRAGMA synchronous=FULL;"
                                "PRAGMA foreign_keys=ON;"
                                "PRAGMA temp_store=MEMORY;"
                                "PRAGMA cache_size=-16384;"
                                "PRAGMA mmap_size=0;";
    char *msg = NULL;
    rc = sqlite3_exec(h, setup, NULL, NULL, &msg);
    if (rc != SQLITE_OK) {
        int r = ms_fail(err, MS_EDB, "database-error", "cannot set up database %s: %s", target,
                        msg ? msg : sqlite3_errstr(rc));
        sqlite3_free(msg);
        sqlite3_close(h);
        return r;
    }
    *out = h;
    return 0;
}

static void sq_disconnect(void *c)
{
    sqlite3_close_v2(c);
}

static int sq_prepare(void *c, const char *sql, void **out, ms_error *err)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v3(c, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL);
    if (rc != SQLITE_OK) return map_error(c, rc, err);
    *out = st;
    return 0;
}

static void sq_finalize(void *s)
{
    sqlite3_finalize(s);
}

static int sq_bind(void *s, int idx, const db_value *v, ms_error *err)
{
    int rc;
    switch (v->type) {
    case 's':
        rc = sqlite3_bind_text(s, idx, v->s, -1, SQLITE_STATIC);
        break;
    case 'I':
        rc = sqlite3_bind_int64(s, idx, v->i);
        break;
    case 'd':
        rc = sqlite3_bind_double(s, idx, v->d);
        break;
    default:
        rc = sqlite3_bind_null(s, idx);
        break;
    }
    if (rc != SQLITE_OK) return map_error(sqlite3_db_handle(s), rc, err);
    return 0;
}

static int sq_step(void *c, void *s, ms_error *err)
{
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) return DB_ROW;
    if (rc == SQLITE_DONE) return DB_DONE;
    return map_error(c, rc, err);
}

static int sq_param_count(void *s)
{
    return sqlite3_bind_parameter_count(s);
}

static void sq_reset(void *s)
{
    sqlite3_reset(s);
}

static const char *sq_col_text(void *s, int i)
{
    return (const char *)sqlite3_column_text(s, i);
}

static int sq_col_get(void *s, int i, db_value *out, size_t *len)
{
    /* sqlite3_column_value once, then the value accessors: they skip the per-call API
     * bookkeeping that each sqlite3_column_* call does (measurable on list pages). */
    sqlite3_value *v = sqlite3_column_value(s, i);
    switch (sqlite3_value_type(v)) {
    case SQLITE_INTEGER:
        out->i = sqlite3_value_int64(v);
        return DB_T_INT;
    case SQLITE_FLOAT:
        out->d = sqlite3_value_double(v);
        return DB_T_FLOAT;
    case SQLITE_NULL:
        return DB_T_NULL;
    default:
        out->s = (const char *)sqlite3_value_text(v);
        *len = (size_t)sqlite3_value_bytes(v);
        return DB_T_TEXT;
    }
}

static int64_t sq_col_int(void *s, int i)
{
    return sqlite3_column_int64(s, i);
}

static double sq_col_double(void *s, int i)
{
    return sqlite3_column_double(s, i);
}

static bool sq_col_null(void *s, int i)
{
    return sqlite3_column_type(s, i) == SQLITE_NULL;
}

static int sq_col_count(void *s)
{
    return sqlite3_column_count(s);
}

static const char *sq_col_name(void *s, int i)
{
    return sqlite3_column_name(s, i);
}

static int sq_col_type(void *s, int i)
{
    switch (sqlite3_column_type(s, i)) {
    case SQLITE_INTEGER:
        return DB_T_INT;
    case SQLITE_FLOAT:
        return DB_T_FLOAT;
    case SQLITE_NULL:
        return DB_T_NULL;
    default:
        return DB_T_TEXT;
    }
}

static int sq_exec_script(void *c, const char *sql, ms_error *err)
{
    int rc = sqlite3_exec(c, sql, NULL, NULL, NULL);
    if (rc != SQLITE_OK) return map_error(c, rc, err);
    return 0;
}

static int64_t sq_changes(void *c)
{
    return sqlite3_changes64(c);
}

const db_backend db_sqlite_backend = {
    .name = "sqlite",
    .begin_read = "BEGIN DEFERRED",
    .begin_write = "BEGIN IMMEDIATE",
    .begin_locked = "BEGIN IMMEDIATE",
    .connect = sq_connect,
    .disconnect = sq_disconnect,
    .prepare = sq_prepare,
    .finalize = sq_finalize,
    .bind = sq_bind,
    .step = sq_step,
    .param_count = sq_param_count,
    .reset = sq_reset,
    .col_text = sq_col_text,
    .col_get = sq_col_get,
    .col_int = sq_col_int,
    .col_double = sq_col_double,
    .col_null = sq_col_null,
    .col_count = sq_col_count,
    .col_name = sq_col_name,
    .col_type = sq_col_type,
    .exec_script = sq_exec_script,
    .changes = sq_changes,
    .tables_sql = "SELECT name FROM sqlite_schema WHERE type = 'table' "
                  "AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY rowid",
    .columns_sql = "SELECT name, type, \"notnull\", pk FROM pragma_table_info(?) ORDER BY cid",
    .indexes_sql = "SELECT il.name, il.\"unique\", il.partial, (SELECT group_concat(name, ',') "
                   "FROM (SELECT name FROM pragma_index_info(il.name) ORDER BY seqno)) "
                   "FROM pragma_index_list(?) il WHERE il.origin <> 'pk' ORDER BY il.name",
    .after_load_sql = NULL,
};
