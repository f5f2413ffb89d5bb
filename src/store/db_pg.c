/* db_pg.c: the PostgreSQL backend of db.h, on libpq.
 *
 * Statements. The `?` placeholders of our SQL become $1, $2, ... (outside string literals,
 * quoted names and comments). A statement is prepared on the server (PQprepare) the first
 * time it runs on a connection, with parameter types taken from what was bound: 'I' is a
 * bigint, 'd' a double precision, 's' a text; a NULL takes the type it had before. It is
 * prepared again only if a later call binds another type. Results come back whole, in text
 * format, and are read row by row; the pages we ask for are small (LIMITed).
 *
 * Prepared statements the cache evicts are deallocated on the server at the connection's
 * next statement outside a failed transaction (a DEALLOCATE inside one would fail).
 *
 * Transactions. Read: REPEATABLE READ (one snapshot, like SQLite's read transaction). Write:
 * SERIALIZABLE, so that the application's read-then-write logic stays as correct as under
 * SQLite's single writer; the rare transaction PostgreSQL cannot order fails with
 * 40001/40P01, which we report as the retryable "serialization-conflict" (db_transact and
 * the server run it again). Locked: READ COMMITTED, for the job queue's SKIP LOCKED claims
 * and for advisory locks (db_lock), whose waiters must see what the holder committed.
 *
 * Round trips. A transaction's BEGIN is not sent on its own: it goes in one pipeline with the
 * transaction's first statement (libpq pipeline mode), so a read request costs one round
 * trip per statement. A read transaction's COMMIT is sent without waiting for its answer
 * (nothing is made durable by it; the server ends the snapshot when it reads it), which the
 * connection's next use collects.
 *
 * Connections. Each sets UTC, UTF-8 and a lock timeout equal to SQLite's busy timeout.
 * A connection that broke (server restart, network) fails its current statement with
 * MS_EBUSY and reconnects at once, so the next request works again; its prepared
 * statements are prepared anew (a generation counter tells). */
#include "store/db_internal.h"

#include "core/buf.h"

#include <libpq-fe.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Type OIDs (pg_type.h is a server header; these are fixed since PostgreSQL 7). */
enum {
    OID_BOOL = 16,
    OID_INT8 = 20,
    OID_INT2 = 21,
    OID_INT4 = 23,
    OID_TEXT = 25,
    OID_OID = 26,
    OID_FLOAT4 = 700,
    OID_FLOAT8 = 701,
    OID_NUMERIC = 1700,
};

#define LOCK_TIMEOUT "10s"

typedef struct pg_conn {
    PGconn *h;
    unsigned gen; /* bumped when the connection was re-established */
    unsigned next_name;
    int64_t changes;
    ms_buf dealloc;    /* "DEALLOCATE s1;DEALLOCATE s7;" to send when it is safe */
    const char *begin; /* a BEGIN to pipeline with the next statement (defer_begin) */
    bool answer_due;   /* a read transaction's COMMIT was sent; its answer not yet read */
} pg_conn;

typedef struct pg_stmt {
    pg_conn *c;
    char *sql; /* with $n placeholders */
    int nparams;
    Oid *types;        /* as prepared on the server */
    Oid *bound;        /* as bound for the next run (0: NULL) */
    const char **vals; /* text of each parameter, NULL for SQL NULL */
    char (*num)[32];   /* storage for the text of numeric parameters */
    char name[16];
    unsigned gen;
    bool prepared;
    PGresult *res;
    int row, nrows, ncols;
    char *kinds; /* per result column: 'i' integer, 'b' boolean, 'f' float, 'n' numeric,
                    't' text */
} pg_stmt;

static int map_error(pg_conn *c, const PGresult *res, ms_error *err)
{
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    const char *msg = res ? PQresultErrorMessage(res) : NULL;
    if (!msg || !*msg) msg = PQerrorMessage(c->h);
    char text[300];
    snprintf(text, sizeof text, "%s", msg ? msg : "unknown error");
    text[strcspn(text, "\n")] = 0;
    if (!state) {
        if (PQstatus(c->h) == CONNECTION_BAD)
            return ms_fail(err, MS_EBUSY, "database-unavailable",
                           "the database connection was lost, try again (%s)", text);
        return ms_fail(err, MS_EDB, "database-error", "database error: %s", text);
    }
    if (!strcmp(state, "23505"))
        return ms_fail(err, MS_ECONFLICT, "conflict", "already exists (%s)", text);
    if (!strncmp(state, "23", 2))
        return ms_fail(err, MS_ECONFLICT, "constraint", "constraint failed (%s)", text);
    if (!strcmp(state, "40001") || !strcmp(state, "40P01"))
        return ms_fail(err, MS_EBUSY, "serialization-conflict",
                       "a concurrent change got in the way, try again (%s)", text);
    if (!strcmp(state, "55P03") || !strcmp(state, "57014"))
        return ms_fail(err, MS_EBUSY, "busy", "the database is busy, try again (%s)", text);
    if (!strcmp(state, "53100"))
        return ms_fail(err, MS_EIO, "disk-full", "the database disk is full (%s)", text);
    if (!strncmp(state, "08", 2) || !strncmp(state, "57P", 3))
        return ms_fail(err, MS_EBUSY, "database-unavailable",
                       "the database is not reachable, try again (%s)", text);
    return ms_fail(err, MS_EDB, "database-error", "database error [%s]: %s", state, text);
}

/* Generic plans: our statements are short indexed lookups whose best plan does not depend
 * on the values bound, and re-planning each execution (PostgreSQL's default for the first
 * five, and whenever a custom plan looks cheaper) cost 16% of the API benchmark's
 * throughput (docs/performance.md). */
static int run_setup(PGconn *h, ms_error *err)
{
    PGresult *res = PQexec(h, "SET TIME ZONE 'UTC'; SET client_encoding = 'UTF8'; SET "
                              "plan_cache_mode = force_generic_plan;"
                              "SET lock_timeout = '" LOCK_TIMEOUT "'");
    bool ok = PQresultStatus(res) == PGRES_COMMAND_OK;
    if (!ok)
        ms_fail(err, MS_EDB, "database-error", "cannot set up the database connection: %s",
                PQresultErrorMessage(res));
    PQclear(res);
    return ok ? 0 : MS_EDB;
}

static void ignore_notice(void *arg, const char *message)
{
    (void)arg;
    (void)message;
}

/* One set-up connection (pool member or listener). */
static int open_conn(const char *target, PGconn **out, ms_error *err)
{
    const char *keys[] = {"dbname", "fallback_application_name", "connect_timeout", NULL};
    const char *vals[] = {target, "mstation", "10", NULL};
    PGconn *h = PQconnectdbParams(keys, vals, 1);
    if (!h) return ms_fail(err, MS_ENOMEM, NULL, "out of memory");
    if (PQstatus(h) != CONNECTION_OK) {
        char msg[300];
        snprintf(msg, sizeof msg, "%s", PQerrorMessage(h));
        msg[strcspn(msg, "\n")] = 0;
        PQfinish(h);
        char shown[200];
        return ms_fail(err, MS_EDB, "database-unavailable", "cannot connect to %s: %s",
                       db_url_redact(target, shown, sizeof shown), msg);
    }
    if (PQserverVersion(h) < 130000) {
        int v = PQserverVersion(h);
        PQfinish(h);
        return ms_fail(err, MS_EDB, "database-version",
                       "PostgreSQL %d.%d is too old: mstation needs 13 or newer", v / 10000,
                       v % 10000);
    }
    /* Notices ("relation ... already exists, skipping") are not errors; libpq would print
     * them on standard error, in the middle of our JSON log. */
    PQsetNoticeProcessor(h, ignore_notice, NULL);
    int rc = run_setup(h, err);
    if (rc) {
        PQfinish(h);
        return rc;
    }
    *out = h;
    return 0;
}

static int pg_connect(const char *target, void **out, ms_error *err)
{
    PGconn *h;
    int rc = open_conn(target, &h, err);
    if (rc) return rc;
    pg_conn *c = calloc(1, sizeof *c);
    if (!c) {
        PQfinish(h);
        return ms_fail(err, MS_ENOMEM, NULL, "out of memory");
    }
    c->h = h;
    ms_buf_init(&c->dealloc);
    *out = c;
    return 0;
}

static void pg_disconnect(void *p)
{
    pg_conn *c = p;
    PQfinish(c->h);
    ms_buf_free(&c->dealloc);
    free(c);
}

/* Read the answer to a COMMIT sent by pg_commit_read. */
static void collect_answer(pg_conn *c)
{
    if (!c->answer_due) return;
    c->answer_due = false;
    PGresult *r;
    while ((r = PQgetResult(c->h)))
        PQclear(r);
}

static void pg_commit_read(void *bconn)
{
    pg_conn *c = bconn;
    if (c->begin) { /* BEGIN never went out: there is nothing to end */
        c->begin = NULL;
        return;
    }
    collect_answer(c);
    if (PQsendQuery(c->h, "COMMIT") == 1) {
        c->answer_due = true;
    } else {
        PGresult *r = PQexec(c->h, "COMMIT");
        PQclear(r);
    }
}

/* After a lost connection: reconnect now so that the next statement can work. */
static void reconnect(pg_conn *c)
{
    c->answer_due = false;
    PQreset(c->h);
    c->gen++;
    c->begin = NULL;    /* the statement that follows fails; its transaction is gone */
    c->dealloc.len = 0; /* the old session's statements died with it */
    if (PQstatus(c->h) == CONNECTION_OK) {
        ms_error ignore;
        run_setup(c->h, &ignore);
    }
}

int db_pg_number_params(const char *sql, ms_buf *out)
{
    int n = 0;
    for (const char *p = sql; *p; p++) {
        if (*p == '\'' || *p == '"') {
            char q = *p;
            ms_buf_putc(out, *p);
            for (p++; *p; p++) {
                ms_buf_putc(out, *p);
                if (*p == q) {
                    if (p[1] == q) {
                        ms_buf_putc(out, *++p);
                        continue;
                    }
                    break;
                }
            }
            if (!*p) break;
        } else if (p[0] == '-' && p[1] == '-') {
            while (*p && *p != '\n')
                ms_buf_putc(out, *p++);
            if (!*p) break;
            ms_buf_putc(out, *p);
        } else if (p[0] == '/' && p[1] == '*') {
            const char *end = strstr(p + 2, "*/");
            size_t len = end ? (size_t)(end + 2 - p) : strlen(p);
            ms_buf_append(out, p, len);
            p += len - 1;
        } else if (*p == '?') {
            ms_buf_printf(out, "$%d", ++n);
        } else {
            ms_buf_putc(out, *p);
        }
    }
    return n;
}

static void stmt_free(pg_stmt *s)
{
    if (!s) return;
    PQclear(s->res);
    free(s->sql);
    free(s->types);
    free(s->bound);
    free(s->vals);
    free(s->num);
    free(s->kinds);
    free(s);
}

static int pg_prepare(void *bconn, const char *sql, void **out, ms_error *err)
{
    pg_conn *c = bconn;
    pg_stmt *s = calloc(1, sizeof *s);
    if (!s) return ms_fail(err, MS_ENOMEM, NULL, "out of memory");
    ms_buf b;
    ms_buf_init(&b);
    s->c = c;
    s->nparams = db_pg_number_params(sql, &b);
    s->sql = ms_buf_take(&b);
    size_t n = (size_t)(s->nparams ? s->nparams : 1);
    s->types = calloc(n, sizeof *s->types);
    s->bound = calloc(n, sizeof *s->bound);
    s->vals = calloc(n, sizeof *s->vals);
    s->num = calloc(n, sizeof *s->num);
    if (!s->sql || !s->types || !s->bound || !s->vals || !s->num) {
        stmt_free(s);
        return ms_fail(err, MS_ENOMEM, NULL, "out of memory");
    }
    snprintf(s->name, sizeof s->name, "s%u", ++c->next_name);
    *out = s;
    return 0;
}

static void pg_finalize(void *p)
{
    pg_stmt *s = p;
    if (s->prepared && s->gen == s->c->gen)
        ms_buf_printf(&s->c->dealloc, "DEALLOCATE %s;", s->name);
    stmt_free(s);
}

static int pg_bind(void *p, int idx, const db_value *v, ms_error *err)
{
    pg_stmt *s = p;
    if (idx < 1 || idx > s->nparams)
        return ms_fail(err, MS_EINTERNAL, NULL, "parameter %d out of range", idx);
    int k = idx - 1;
    switch (v->type) {
    case 's':
        s->bound[k] = OID_TEXT;
        s->vals[k] = v->s;
        break;
    case 'I':
        s->bound[k] = OID_INT8;
        snprintf(s->num[k], sizeof s->num[k], "%lld", (long long)v->i);
        s->vals[k] = s->num[k];
        break;
    case 'd':
        s->bound[k] = OID_FLOAT8;
        snprintf(s->num[k], sizeof s->num[k], "%.17g", v->d);
        s->vals[k] = s->num[k];
        break;
    default:
        s->bound[k] = 0;
        s->vals[k] = NULL;
        break;
    }
    return 0;
}

static void flush_dealloc(pg_conn *c)
{
    collect_answer(c);
    if (!c->dealloc.len || PQtransactionStatus(c->h) == PQTRANS_INERROR) return;
    PGresult *res = PQexec(c->h, c->dealloc.data);
    PQclear(res);
    c->dealloc.len = 0;
}

/* Prepare on the server unless the prepared statement fits what was bound. */
static int ensure_prepared(pg_stmt *s, ms_error *err)
{
    pg_conn *c = s->c;
    bool fits = s->prepared && s->gen == c->gen;
    for (int k = 0; fits && k < s->nparams; k++)
        fits = !s->bound[k] || s->bound[k] == s->types[k];
    if (fits) return 0;
    if (s->prepared && s->gen == c->gen) {
        ms_buf_printf(&c->dealloc, "DEALLOCATE %s;", s->name);
        snprintf(s->name, sizeof s->name, "s%u", ++c->next_name);
    }
    for (int k = 0; k < s->nparams; k++)
        if (s->bound[k] || !s->types[k]) s->types[k] = s->bound[k] ? s->bound[k] : OID_TEXT;
    PGresult *res = PQprepare(c->h, s->name, s->sql, s->nparams, s->types);
    int rc = PQresultStatus(res) == PGRES_COMMAND_OK ? 0 : map_error(c, res, err);
    PQclear(res);
    if (rc) return rc;
    s->prepared = true;
    s->gen = c->gen;
    return 0;
}

static void pg_defer_begin(void *bconn, const char *sql)
{
    ((pg_conn *)bconn)->begin = sql;
}

/* Run the prepared statement, after the pending BEGIN if there is one, in one pipeline: one
 * round trip for both. Returns the statement's result (an error result if BEGIN failed). */
static PGresult *exec_stmt(pg_conn *c, pg_stmt *s)
{
    const char *begin = c->begin;
    c->begin = NULL;
    if (!begin) return PQexecPrepared(c->h, s->name, s->nparams, s->vals, NULL, NULL, 0);
    if (PQenterPipelineMode(c->h) != 1) { /* cannot pipeline: one after the other */
        PGresult *b = PQexec(c->h, begin);
        bool ok = PQresultStatus(b) == PGRES_COMMAND_OK;
        if (!ok) return b;
        PQclear(b);
        return PQexecPrepared(c->h, s->name, s->nparams, s->vals, NULL, NULL, 0);
    }
    bool sent = PQsendQueryParams(c->h, begin, 0, NULL, NULL, NULL, NULL, 0) == 1 &&
                PQsendQueryPrepared(c->h, s->name, s->nparams, s->vals, NULL, NULL, 0) == 1 &&
                PQpipelineSync(c->h) == 1;
    /* Results come as: BEGIN's, NULL, the statement's, NULL, then the sync marker. If BEGIN
     * failed, the statement's is PGRES_PIPELINE_ABORTED: report BEGIN's error instead. */
    PGresult *begin_err = NULL, *out = NULL;
    for (int query = 0; sent && query <= 2;) {
        PGresult *r = PQgetResult(c->h);
        if (!r) {
            if (PQstatus(c->h) == CONNECTION_BAD) break;
            query++;
            continue;
        }
        ExecStatusType st = PQresultStatus(r);
        if (st == PGRES_PIPELINE_SYNC) {
            PQclear(r);
            break;
        }
        if (query == 0 && st != PGRES_COMMAND_OK && !begin_err) {
            begin_err = r;
        } else if (query == 1 && !out) {
            out = r;
        } else {
            PQclear(r);
        }
    }
    PQexitPipelineMode(c->h);
    if (begin_err) {
        PQclear(out);
        return begin_err;
    }
    return out ? out : PQmakeEmptyPGresult(c->h, PGRES_FATAL_ERROR);
}

static char column_kind(Oid t)
{
    switch (t) {
    case OID_INT2:
    case OID_INT4:
    case OID_INT8:
    case OID_OID:
        return 'i';
    case OID_BOOL:
        return 'b';
    case OID_FLOAT4:
    case OID_FLOAT8:
        return 'f';
    case OID_NUMERIC:
        return 'n';
    default:
        return 't';
    }
}

static int pg_step(void *bconn, void *p, ms_error *err)
{
    pg_conn *c = bconn;
    pg_stmt *s = p;
    if (!s->res) {
        /* A transaction's BEGIN may run again on a new connection when the old one turned
         * out to be broken (a database restart, an idle connection cut by the network):
         * nothing was done on it yet. Any later statement fails instead: its transaction
         * is gone. */
        const char *begin = c->begin; /* pipelined with this statement */
        bool is_begin = begin || strncmp(s->sql, "BEGIN", 5) == 0;
        PGresult *res = NULL;
        int rc = 0;
        for (int attempt = 0;; attempt++) {
            if (PQstatus(c->h) == CONNECTION_BAD) reconnect(c);
            c->begin = begin;
            flush_dealloc(c);
            rc = ensure_prepared(s, err);
            if (!rc) {
                res = exec_stmt(c, s);
                ExecStatusType st = PQresultStatus(res);
                if (st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK) break;
                rc = map_error(c, res, err);
                PQclear(res);
                res = NULL;
            }
            if (PQstatus(c->h) != CONNECTION_BAD) return rc;
            reconnect(c);
            if (!is_begin || attempt > 0) return rc;
        }
        const char *tuples = PQcmdTuples(res);
        c->changes = *tuples ? strtoll(tuples, NULL, 10) : 0;
        s->res = res;
        s->row = -1;
        s->nrows = PQntuples(res);
        int ncols = PQnfields(res);
        if (ncols > s->ncols || !s->kinds) {
            char *k = realloc(s->kinds, (size_t)(ncols ? ncols : 1));
            if (!k) {
                PQclear(res);
                return ms_fail(err, MS_ENOMEM, NULL, "out of memory");
            }
            s->kinds = k;
        }
        s->ncols = ncols;
        for (int i = 0; i < ncols; i++)
            s->kinds[i] = column_kind(PQftype(res, i));
    }
    if (s->row + 1 < s->nrows) {
        s->row++;
        return DB_ROW;
    }
    s->row = s->nrows;
    return DB_DONE;
}

static int pg_param_count(void *p)
{
    return ((pg_stmt *)p)->nparams;
}

static void pg_reset(void *p)
{
    pg_stmt *s = p;
    PQclear(s->res);
    s->res = NULL;
    s->row = s->nrows = 0;
}

static bool has_value(const pg_stmt *s, int i)
{
    return s->res && s->row >= 0 && s->row < s->nrows && i >= 0 && i < s->ncols;
}

static int pg_col_get(void *p, int i, db_value *out, size_t *len)
{
    pg_stmt *s = p;
    if (!has_value(s, i) || PQgetisnull(s->res, s->row, i)) return DB_T_NULL;
    const char *v = PQgetvalue(s->res, s->row, i);
    switch (s->kinds[i]) {
    case 'i':
        out->i = strtoll(v, NULL, 10);
        return DB_T_INT;
    case 'b':
        out->i = v[0] == 't';
        return DB_T_INT;
    case 'n':
        if (!strpbrk(v, ".eEN")) {
            out->i = strtoll(v, NULL, 10);
            return DB_T_INT;
        }
        /* fall through */
    case 'f':
        out->d = strtod(v, NULL);
        return DB_T_FLOAT;
    default:
        out->s = v;
        *len = (size_t)PQgetlength(s->res, s->row, i);
        return DB_T_TEXT;
    }
}

static const char *pg_col_text(void *p, int i)
{
    pg_stmt *s = p;
    if (!has_value(s, i) || PQgetisnull(s->res, s->row, i)) return NULL;
    if (s->kinds[i] == 'b') return PQgetvalue(s->res, s->row, i)[0] == 't' ? "1" : "0";
    return PQgetvalue(s->res, s->row, i);
}

static int64_t pg_col_int(void *p, int i)
{
    db_value v;
    size_t n;
    switch (pg_col_get(p, i, &v, &n)) {
    case DB_T_INT:
        return v.i;
    case DB_T_FLOAT:
        return (int64_t)v.d;
    case DB_T_TEXT:
        return strtoll(v.s, NULL, 10);
    default:
        return 0;
    }
}

static double pg_col_double(void *p, int i)
{
    db_value v;
    size_t n;
    switch (pg_col_get(p, i, &v, &n)) {
    case DB_T_INT:
        return (double)v.i;
    case DB_T_FLOAT:
        return v.d;
    case DB_T_TEXT:
        return strtod(v.s, NULL);
    default:
        return 0;
    }
}

static bool pg_col_null(void *p, int i)
{
    pg_stmt *s = p;
    return !has_value(s, i) || PQgetisnull(s->res, s->row, i);
}

static int pg_col_count(void *p)
{
    pg_stmt *s = p;
    return s->res ? s->ncols : 0;
}

static const char *pg_col_name(void *p, int i)
{
    pg_stmt *s = p;
    return s->res && i >= 0 && i < s->ncols ? PQfname(s->res, i) : "";
}

static int pg_col_type(void *p, int i)
{
    db_value v;
    size_t n;
    return pg_col_get(p, i, &v, &n);
}

static int pg_exec_script(void *bconn, const char *sql, ms_error *err)
{
    pg_conn *c = bconn;
    if (PQstatus(c->h) == CONNECTION_BAD) reconnect(c);
    collect_answer(c);
    if (c->begin) {
        PGresult *b = PQexec(c->h, c->begin);
        c->begin = NULL;
        if (PQresultStatus(b) != PGRES_COMMAND_OK) {
            int rc = map_error(c, b, err);
            PQclear(b);
            return rc;
        }
        PQclear(b);
    }
    flush_dealloc(c);
    PGresult *res = PQexec(c->h, sql);
    ExecStatusType st = PQresultStatus(res);
    int rc = 0;
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK && st != PGRES_EMPTY_QUERY)
        rc = map_error(c, res, err);
    PQclear(res);
    return rc;
}

static int64_t pg_changes(void *bconn)
{
    return ((pg_conn *)bconn)->changes;
}

/* ---- LISTEN/NOTIFY (db_listen_*). ---- */

typedef struct pg_listener {
    PGconn *h;
    char listen_sql[160];
} pg_listener;

static int pg_listen_open(const char *target, const char *channel, void **out, ms_error *err)
{
    PGconn *h;
    int rc = open_conn(target, &h, err);
    if (rc) return rc;
    pg_listener *l = calloc(1, sizeof *l);
    char *id = PQescapeIdentifier(h, channel, strlen(channel));
    if (!l || !id) {
        PQfreemem(id);
        free(l);
        PQfinish(h);
        return ms_fail(err, MS_ENOMEM, NULL, "out of memory");
    }
    snprintf(l->listen_sql, sizeof l->listen_sql, "LISTEN %s", id);
    PQfreemem(id);
    l->h = h;
    PGresult *res = PQexec(h, l->listen_sql);
    bool ok = PQresultStatus(res) == PGRES_COMMAND_OK;
    PQclear(res);
    if (!ok) {
        PQfinish(h);
        free(l);
        return ms_fail(err, MS_EDB, "database-error", "cannot listen on %s", channel);
    }
    *out = l;
    return 0;
}

static int take_notifies(PGconn *h)
{
    int n = 0;
    PGnotify *note;
    while ((note = PQnotifies(h))) {
        PQfreemem(note);
        n++;
    }
    return n > 0;
}

static int pg_listen_wait(void *p, int timeout_ms)
{
    pg_listener *l = p;
    if (PQstatus(l->h) == CONNECTION_BAD) {
        PQreset(l->h);
        if (PQstatus(l->h) == CONNECTION_OK) {
            PGresult *res = PQexec(l->h, l->listen_sql);
            PQclear(res);
        } else {
            poll(NULL, 0, timeout_ms); /* not reachable: try again after a while */
        }
        return 0;
    }
    PQconsumeInput(l->h);
    if (take_notifies(l->h)) return 1;
    struct pollfd pfd = {.fd = PQsocket(l->h), .events = POLLIN};
    if (poll(&pfd, 1, timeout_ms) <= 0) return 0;
    PQconsumeInput(l->h);
    return take_notifies(l->h);
}

static void pg_listen_close(void *p)
{
    pg_listener *l = p;
    PQfinish(l->h);
    free(l);
}

const db_backend db_pg_backend = {
    .name = "postgres",
    .begin_read = "BEGIN ISOLATION LEVEL REPEATABLE READ",
    .begin_write = "BEGIN ISOLATION LEVEL SERIALIZABLE",
    .begin_locked = "BEGIN ISOLATION LEVEL READ COMMITTED",
    .lock_sql = "SELECT pg_advisory_xact_lock(?)",
    .skip_locked = true,
    .connect = pg_connect,
    .disconnect = pg_disconnect,
    .prepare = pg_prepare,
    .finalize = pg_finalize,
    .bind = pg_bind,
    .step = pg_step,
    .param_count = pg_param_count,
    .reset = pg_reset,
    .col_text = pg_col_text,
    .col_get = pg_col_get,
    .col_int = pg_col_int,
    .col_double = pg_col_double,
    .col_null = pg_col_null,
    .col_count = pg_col_count,
    .col_name = pg_col_name,
    .col_type = pg_col_type,
    .exec_script = pg_exec_script,
    .defer_begin = pg_defer_begin,
    .notify_sql = "SELECT pg_notify(?, '')",
    .listen_open = pg_listen_open,
    .listen_wait = pg_listen_wait,
    .listen_close = pg_listen_close,
    .commit_read = pg_commit_read,
    .changes = pg_changes,
    .tables_sql = "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                  "WHERE n.nspname = current_schema() AND c.relkind = 'r' ORDER BY c.oid",
    .columns_sql =
        "SELECT a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull, "
        "COALESCE(array_position(i.indkey::int2[], a.attnum) + 1, 0) " /* int2vector: from 0 */
        "FROM pg_attribute a LEFT JOIN pg_index i ON i.indrelid = a.attrelid "
        "AND i.indisprimary WHERE a.attrelid = CAST(? AS regclass) AND a.attnum > 0 "
        "AND NOT a.attisdropped ORDER BY a.attnum",
    .indexes_sql = "SELECT ic.relname, i.indisunique, i.indpred IS NOT NULL, "
                   "(SELECT string_agg(a.attname, ',' ORDER BY k.ord) "
                   "FROM unnest(i.indkey::int2[]) WITH ORDINALITY k(attnum, ord) "
                   "JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum) "
                   "FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid "
                   "WHERE i.indrelid = CAST(? AS regclass) AND NOT i.indisprimary "
                   "ORDER BY ic.relname",
    .after_load_sql = "DO $$DECLARE r record; BEGIN FOR r IN SELECT table_name, column_name "
                      "FROM information_schema.columns WHERE table_schema = current_schema() "
                      "AND (is_identity = 'YES' OR column_default LIKE 'nextval(%') LOOP "
                      "EXECUTE format('SELECT setval(pg_get_serial_sequence(%L, %L), "
                      "COALESCE((SELECT MAX(%I) FROM %I), 0) + 1, false)', "
                      "r.table_name, r.column_name, r.column_name, r.table_name); END LOOP; END$$",
};
