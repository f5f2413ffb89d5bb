/* db_internal.h: what a database backend implements. Private to src/store/.
 *
 * db.c owns everything engine-neutral (the connection pool, the statement cache, parameter
 * parsing, timing); a backend (db_sqlite.c, later db_pg.c) only talks to its engine. */
#ifndef MS_DB_INTERNAL_H
#define MS_DB_INTERNAL_H

#include "store/db.h"

typedef struct db_value {
    char type; /* 's', 'I', 'd', 'n' (null) */
    int64_t i;
    double d;
    const char *s;
} db_value;

typedef struct db_backend {
    const char *name;
    const char *begin_read;
    const char *begin_write;
    const char *begin_locked;
    const char *lock_sql; /* one int64 parameter; NULL: locks are implied (SQLite) */
    bool skip_locked;
    int (*connect)(const char *target, void **bconn, ms_error *err);
    void (*disconnect)(void *bconn);
    int (*prepare)(void *bconn, const char *sql, void **bstmt, ms_error *err);
    void (*finalize)(void *bstmt);
    int (*bind)(void *bstmt, int idx, const db_value *v, ms_error *err); /* idx from 1 */
    int (*step)(void *bconn, void *bstmt, ms_error *err);
    int (*param_count)(void *bstmt);
    void (*reset)(void *bstmt);
    const char *(*col_text)(void *bstmt, int i);
    /* One column in one call: type, and the integer, double or text (with its length). */
    int (*col_get)(void *bstmt, int i, db_value *out, size_t *text_len);
    int64_t (*col_int)(void *bstmt, int i);
    double (*col_double)(void *bstmt, int i);
    bool (*col_null)(void *bstmt, int i);
    int (*col_count)(void *bstmt);
    const char *(*col_name)(void *bstmt, int i);
    int (*col_type)(void *bstmt, int i);
    int (*exec_script)(void *bconn, const char *sql, ms_error *err);
    /* Optional: send `sql` (a BEGIN) together with the connection's next statement instead of
     * on its own, saving a round trip to a database server. Its errors surface there. */
    void (*defer_begin)(void *bconn, const char *sql);
    /* Optional: end a read transaction without waiting for the answer (the next use of the
     * connection collects it). Only for transactions that wrote nothing. */
    void (*commit_read)(void *bconn);
    int64_t (*changes)(void *bconn);
    /* The catalog, for db_describe and db_copy (copy.c). Tables: rows of (name), in the
     * order they were created. Columns of table ?: (name, declared type, not null, position
     * in the primary key or 0). Indexes of table ? except the primary key: (name, unique,
     * partial, comma-separated columns). */
    const char *tables_sql;
    const char *columns_sql;
    const char *indexes_sql;
    /* After rows were copied in with their ids: make generated ids continue after them
     * (NULL: nothing to do). */
    const char *after_load_sql;
    /* Optional wake-ups across processes (db_notify, db_listen_*). notify_sql takes the
     * channel as its one parameter. */
    const char *notify_sql;
    int (*listen_open)(const char *target, const char *channel, void **out, ms_error *err);
    int (*listen_wait)(void *l, int timeout_ms);
    void (*listen_close)(void *l);
} db_backend;

const db_backend *db_conn_backend(const db_conn *c);

/* PostgreSQL: our `?` placeholders as $1, $2, ... outside '...', "...", -- and block
 * comments, appended to `out`. Returns the number of placeholders. */
typedef struct ms_buf ms_buf;
int db_pg_number_params(const char *sql, ms_buf *out);

extern const db_backend db_sqlite_backend;
extern const db_backend db_pg_backend;

#endif
