/* test_store.c: unit tests of src/store: the database layer (on SQLite, or PostgreSQL with
 * MSTATION_TEST_PG, see unit.h), the migration runner,
 * the job queue (claims, retries, dead letters, leases, unique keys, worker threads) and the
 * idempotency records. */
#include "unit.h"

#include "core/id.h"
#include "core/time.h"
#include "core/buf.h"
#include "store/db.h"
#include "store/db_internal.h"
#include "store/idempotency.h"
#include "store/jobs.h"
#include "store/migrate.h"

#include <pthread.h>
#include <unistd.h>

extern const char ms_schema_store[];

typedef struct fixture {
    char *dir;
    db *d;
    db_conn *c;
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    f->dir = unit_tmpdir();
    char url[4200];
    if (unit_db_url(f->dir, url, sizeof url)) return -1;
    ms_error e;
    if (db_open(url, 4, &f->d, &e)) return -1;
    ms_schema s[] = {{"store", ms_schema_store, NULL}};
    if (ms_migrate(f->d, s, 1, false, NULL, &e)) return -1;
    f->c = db_acquire(f->d);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    db_release(f->c);
    db_close(f->d);
    unit_rmdir(f->dir);
    free(f);
    return 0;
}

static void test_query_bind_and_types(void **state)
{
    fixture *f = *state;
    ms_error e;
    assert_int_equal(db_exec_script(f->c,
                                    "CREATE TABLE t (id TEXT PRIMARY KEY, n BIGINT, "
                                    "x DOUBLE PRECISION, b INTEGER, s TEXT)",
                                    &e),
                     0);
    assert_int_equal(db_exec(f->c, &e, "INSERT INTO t VALUES (?, ?, ?, ?, ?)", "sIdbs", "a",
                             (int64_t)1 << 40, 2.5, true, "香港"),
                     1);
    assert_int_equal(db_exec(f->c, &e, "INSERT INTO t VALUES (?, ?, ?, ?, ?)", "sidbs", "b", 7,
                             -1.0, false, NULL),
                     1);
    db_stmt *st;
    assert_int_equal(
        db_query_row(f->c, &st, &e, "SELECT n, x, b AS is_b, s FROM t WHERE id = ?", "s", "a"),
        DB_ROW);
    assert_int_equal(db_col_int(st, 0), (int64_t)1 << 40);
    assert_true(db_col_double(st, 1) == 2.5);
    json_t *row = db_row_json(st);
    assert_true(json_is_true(json_object_get(row, "is_b")));
    assert_string_equal(json_string_value(json_object_get(row, "s")), "香港");
    json_decref(row);
    db_done(st);
    assert_int_equal(db_query_row(f->c, &st, &e, "SELECT s FROM t WHERE id = ?", "s", "b"), DB_ROW);
    assert_true(db_col_null(st, 0));
    assert_null(db_col_text(st, 0));
    db_done(st);
    assert_int_equal(db_query_row(f->c, &st, &e, "SELECT 1 FROM t WHERE id = ?", "s", "zz"),
                     DB_DONE);
    /* A unique violation is a conflict, and leaves the table as it was. */
    assert_int_equal(db_exec(f->c, &e, "INSERT INTO t (id) VALUES (?)", "s", "a"), MS_ECONFLICT);
    /* Syntax errors are database errors with the engine's message. */
    assert_int_equal(db_exec(f->c, &e, "SELEKT 1", ""), MS_EDB);
    assert_non_null(strstr(e.detail, "syntax"));
    /* Type letters that do not match the placeholders are refused before any argument is
     * read (reading them would read garbage). */
    assert_int_equal(db_query(f->c, &st, &e, "SELECT ? + ?", "i", 1), MS_EINTERNAL);
    assert_non_null(strstr(e.detail, "2 parameters, 1 given"));
    assert_int_equal(db_exec(f->c, &e, "SELECT ?", "ii", 1, 2), MS_EINTERNAL);
    db_arg one[] = {DB_ARG_I(1)};
    assert_int_equal(db_query_args(f->c, &st, &e, "SELECT ?, ?", one, 1), MS_EINTERNAL);
    /* Runtime argument lists. */
    db_arg args[] = {DB_ARG_S("a"), DB_ARG_I(0)};
    assert_int_equal(
        db_query_args(f->c, &st, &e, "SELECT COUNT(*) FROM t WHERE id = ? AND n > ?", args, 2), 0);
    assert_int_equal(db_step(st, &e), DB_ROW);
    assert_int_equal(db_col_int(st, 0), 1);
    db_done(st);
}

static void test_statement_cache_nested(void **state)
{
    fixture *f = *state;
    ms_error e;
    db_exec_script(f->c, "CREATE TABLE n (v INTEGER)", &e);
    for (int i = 0; i < 5; i++)
        db_exec(f->c, &e, "INSERT INTO n VALUES (?)", "i", i);
    /* The same SQL used while it is still being stepped gets its own statement. */
    const char *sql = "SELECT v FROM n WHERE v >= ? ORDER BY v";
    db_stmt *outer, *inner;
    assert_int_equal(db_query(f->c, &outer, &e, sql, "i", 0), 0);
    int pairs = 0;
    while (db_step(outer, &e) == DB_ROW) {
        int64_t v = db_col_int(outer, 0);
        assert_int_equal(db_query(f->c, &inner, &e, sql, "I", v), 0);
        while (db_step(inner, &e) == DB_ROW)
            pairs++;
        db_done(inner);
    }
    db_done(outer);
    assert_int_equal(pairs, 5 + 4 + 3 + 2 + 1);
    /* Many distinct statements (more than the cache holds) all work. */
    for (int i = 0; i < 600; i++) {
        char q[64];
        snprintf(q, sizeof q, "SELECT %d", i);
        assert_int_equal(db_query_row(f->c, &outer, &e, q, ""), DB_ROW);
        assert_int_equal(db_col_int(outer, 0), i);
        db_done(outer);
    }
}

static void test_transactions(void **state)
{
    fixture *f = *state;
    ms_error e;
    db_exec_script(f->c, "CREATE TABLE tx (v INTEGER)", &e);
    assert_int_equal(db_begin(f->c, DB_TX_WRITE, &e), 0);
    db_exec(f->c, &e, "INSERT INTO tx VALUES (1)", "");
    db_rollback(f->c);
    assert_int_equal(db_begin(f->c, DB_TX_WRITE, &e), 0);
    db_exec(f->c, &e, "INSERT INTO tx VALUES (2)", "");
    assert_int_equal(db_commit(f->c, &e), 0);
    db_stmt *st;
    db_query_row(f->c, &st, &e, "SELECT SUM(v), COUNT(*) FROM tx", "");
    assert_int_equal(db_col_int(st, 0), 2);
    db_done(st);
    /* A read transaction begins lazily: none at all until a statement runs, and a writer in
     * between is seen by the first read. */
    assert_int_equal(db_begin(f->c, DB_TX_READ, &e), 0);
    assert_true(db_in_tx(f->c));
    db_conn *w = db_acquire(f->d);
    assert_int_equal(db_exec(w, &e, "INSERT INTO tx VALUES (5)", ""), 1);
    db_release(w);
    db_query_row(f->c, &st, &e, "SELECT SUM(v) FROM tx", "");
    assert_int_equal(db_col_int(st, 0), 7);
    db_done(st);
    assert_int_equal(db_commit(f->c, &e), 0);
    assert_false(db_in_tx(f->c));
    assert_int_equal(db_begin(f->c, DB_TX_READ, &e), 0);
    assert_int_equal(db_commit(f->c, &e), 0); /* never started: nothing to do */
    db_exec(f->c, &e, "DELETE FROM tx WHERE v = 5", "");
    /* A transaction left open is rolled back when the connection is released. */
    db_conn *c2 = db_acquire(f->d);
    db_begin(c2, DB_TX_WRITE, &e);
    db_exec(c2, &e, "INSERT INTO tx VALUES (100)", "");
    db_release(c2);
    db_query_row(f->c, &st, &e, "SELECT SUM(v) FROM tx", "");
    assert_int_equal(db_col_int(st, 0), 2);
    db_done(st);
    /* Two writers: the second waits for the first (BEGIN IMMEDIATE), it does not fail. */
    c2 = db_acquire(f->d);
    assert_int_equal(db_begin(f->c, DB_TX_WRITE, &e), 0);
    assert_int_equal(db_begin(c2, DB_TX_READ, &e), 0); /* readers are never blocked */
    db_query_row(c2, &st, &e, "SELECT COUNT(*) FROM tx", "");
    db_done(st);
    db_rollback(c2);
    db_commit(f->c, &e);
    db_release(c2);
}

/* A transaction body that collides `*left` times, then inserts a row. */
static int colliding_tx(void *arg, db_conn *c, ms_error *err)
{
    int *left = arg;
    int rc = db_exec(c, err, "INSERT INTO tx VALUES (1000)", "");
    if (rc < 0) return rc;
    if ((*left)-- > 0)
        return ms_fail(err, MS_EBUSY, "serialization-conflict", "simulated conflict");
    return 7;
}

static int failing_tx(void *arg, db_conn *c, ms_error *err)
{
    int *calls = arg;
    ++*calls;
    db_exec(c, err, "INSERT INTO tx VALUES (2000)", "");
    return ms_fail(err, MS_ECONFLICT, NULL, "not retryable");
}

static void test_transact_retries(void **state)
{
    fixture *f = *state;
    ms_error e;
    db_exec_script(f->c, "CREATE TABLE tx (v INTEGER)", &e);
    int left = 2;
    db_stats st0, st1;
    db_get_stats(f->d, &st0);
    assert_int_equal(db_transact(f->c, DB_TX_WRITE, colliding_tx, &left, &e), 7);
    assert_int_equal(left, -1); /* ran three times */
    db_get_stats(f->d, &st1);
    assert_int_equal(st1.retries - st0.retries, 2);
    db_stmt *st;
    db_query_row(f->c, &st, &e, "SELECT COUNT(*) FROM tx WHERE v = 1000", "");
    assert_int_equal(db_col_int(st, 0), 1); /* the collided runs left nothing behind */
    db_done(st);
    int calls = 0;
    assert_int_equal(db_transact(f->c, DB_TX_WRITE, failing_tx, &calls, &e), MS_ECONFLICT);
    assert_int_equal(calls, 1);
    assert_false(db_in_tx(f->c));
    db_query_row(f->c, &st, &e, "SELECT COUNT(*) FROM tx WHERE v = 2000", "");
    assert_int_equal(db_col_int(st, 0), 0);
    db_done(st);
    left = 100; /* never succeeds: gives up after DB_RETRIES runs */
    assert_int_equal(db_transact(f->c, DB_TX_WRITE, colliding_tx, &left, &e), MS_EBUSY);
    assert_int_equal(left, 100 - DB_RETRIES);
    assert_true(db_retryable(&e));
    /* db_lock does nothing on SQLite (writers already run one at a time). */
    assert_int_equal(db_begin(f->c, DB_TX_LOCKED, &e), 0);
    assert_int_equal(db_lock(f->c, DB_LOCK_EVENT_LOG, &e), 0);
    db_rollback(f->c);
    assert_int_equal(db_skip_locked(f->c), unit_on_pg());
}

static int collect(void *arg, int version, const char *name, const char *sql, ms_error *err)
{
    (void)err;
    char *out = arg;
    char line[128];
    snprintf(line, sizeof line, "%d:%s:%zu;", version, name, strlen(sql));
    strcat(out, line);
    return 0;
}

static void test_schema_parse(void **state)
{
    (void)state;
    ms_error e;
    char out[512] = "";
    assert_int_equal(ms_schema_parse("m",
                                     "-- header comment\n\n-- migration 1: first\nCREATE TABLE "
                                     "a (x INT);\n-- migration 2: second one\nCREATE TABLE b "
                                     "(y INT);\n",
                                     collect, out, &e),
                     0);
    assert_string_equal(out, "1:first:24;2:second one:24;");
    assert_int_equal(
        ms_schema_parse("m", "CREATE TABLE x (a INT);\n-- migration 1: a\n", collect, out, &e),
        MS_EINTERNAL);
    assert_int_equal(
        ms_schema_parse("m", "-- migration 2: skipped one\nSELECT 1;\n", collect, out, &e),
        MS_EINTERNAL);
    assert_int_equal(ms_schema_parse("m", "-- migration 1 no colon\n", collect, out, &e),
                     MS_EINTERNAL);
}

static void test_pg_placeholders(void **state)
{
    (void)state;
    static const struct {
        const char *in, *out;
        int n;
    } cases[] = {
        {"SELECT 1", "SELECT 1", 0},
        {"SELECT a FROM t WHERE b = ? AND c = ?", "SELECT a FROM t WHERE b = $1 AND c = $2", 2},
        {"SELECT '?', \"?\" FROM t WHERE x = ?", "SELECT '?', \"?\" FROM t WHERE x = $1", 1},
        {"SELECT 'it''s ?' || ?", "SELECT 'it''s ?' || $1", 1},
        {"SELECT ? -- what?\n, ?", "SELECT $1 -- what?\n, $2", 2},
        {"SELECT /* a ? b */ ?", "SELECT /* a ? b */ $1", 1},
        {"SELECT 'open ?", "SELECT 'open ?", 0},
        {"SELECT ? /* open ?", "SELECT $1 /* open ?", 1},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        ms_buf b;
        ms_buf_init(&b);
        assert_int_equal(db_pg_number_params(cases[i].in, &b), cases[i].n);
        ms_buf_putc(&b, 0);
        assert_string_equal(b.data, cases[i].out);
        ms_buf_free(&b);
    }
}

static void test_migrations(void **state)
{
    fixture *f = *state;
    ms_error e;
    ms_schema v1[] = {{"demo", "-- migration 1: t\nCREATE TABLE demo (a INTEGER);\n", NULL}};
    ms_schema v2[] = {{"demo",
                       "-- migration 1: t\nCREATE TABLE demo (a INTEGER);\n"
                       "-- migration 2: u\nALTER TABLE demo ADD COLUMN b TEXT;\n",
                       NULL}};
    ms_migrate_report rep;
    assert_int_equal(ms_migrate(f->d, v1, 1, false, &rep, &e), 0);
    assert_int_equal(rep.applied, 1);
    assert_int_equal(ms_migrate(f->d, v1, 1, false, &rep, &e), 0); /* idempotent */
    assert_int_equal(rep.applied, 0);
    assert_int_equal(rep.current, 1);
    assert_int_equal(ms_migrate(f->d, v2, 1, true, &rep, &e), 0); /* dry run */
    assert_int_equal(rep.pending, 1);
    assert_int_equal(ms_migrate(f->d, v2, 1, false, &rep, &e), 0);
    assert_int_equal(rep.applied, 1);
    /* Blank lines and spaces at the end of a migration (the next one appended after a blank
     * line) are not a change. */
    ms_schema spaced[] = {{"demo",
                           "-- migration 1: t\nCREATE TABLE demo (a INTEGER);\n\n\n"
                           "-- migration 2: u\nALTER TABLE demo ADD COLUMN b TEXT;\n  \n",
                           NULL}};
    assert_int_equal(ms_migrate(f->d, spaced, 1, false, &rep, &e), 0);
    assert_int_equal(rep.current, 2);
    /* The database is newer than the code. */
    assert_int_equal(ms_migrate(f->d, v1, 1, false, &rep, &e), MS_EINTERNAL);
    assert_string_equal(e.type, "schema-newer");
    /* An applied migration was edited. */
    ms_schema edited[] = {{"demo",
                           "-- migration 1: t\nCREATE TABLE demo (a BIGINT);\n"
                           "-- migration 2: u\nALTER TABLE demo ADD COLUMN b TEXT;\n",
                           NULL}};
    assert_int_equal(ms_migrate(f->d, edited, 1, false, &rep, &e), MS_EINTERNAL);
    assert_string_equal(e.type, "schema-drift");
    /* A failing migration changes nothing and is not recorded. */
    ms_schema bad[] = {{"demo",
                        "-- migration 1: t\nCREATE TABLE demo (a INTEGER);\n"
                        "-- migration 2: u\nALTER TABLE demo ADD COLUMN b TEXT;\n"
                        "-- migration 3: broken\nCREATE TABLE half (x INT);\nNOT SQL;\n",
                        NULL}};
    assert_int_equal(ms_migrate(f->d, bad, 1, false, &rep, &e), MS_EDB);
    assert_string_equal(e.type, "migration-failed");
    /* PostgreSQL variants are checked on every engine (same version and name as a migration
     * of schema.sql; each `replace` text found exactly once) and used only on PostgreSQL. */
    const char *two = "-- migration 1: t\nCREATE TABLE demo2 (a INTEGER);\n"
                      "-- migration 2: u\nALTER TABLE demo2 ADD COLUMN b TEXT;\n";
    ms_schema variant_ok[] = {
        {"demo2", two,
         "-- migration 2: u\n-- why: a comment\n"
         "-- replace: ADD COLUMN b TEXT\n-- with: ADD COLUMN b VARCHAR(8)\n"}};
    assert_int_equal(ms_migrate(f->d, variant_ok, 1, false, &rep, &e), 0);
    assert_int_equal(ms_migrate(f->d, variant_ok, 1, false, &rep, &e), 0); /* same checksum */
    assert_int_equal(rep.current, 2);
    db_stmt *st;
    assert_int_equal(db_query_row(f->c, &st, &e, "SELECT b FROM demo2", ""), DB_DONE);
    static const struct {
        const char *variant, *says;
    } bad_variants[] = {
        {"-- migration 2: v\nSELECT 1;\n", "schema.sql calls it"},
        {"-- migration 2: u\n-- replace: ADD COLUMN b TEXT\n-- with: ADD COLUMN b VARCHAR(8)\n"
         "-- migration 5: w\nSELECT 1;\n",
         "no counterpart"},
        {"-- migration 2: u\nSELECT 1;\n-- migration 1: t\nSELECT 1;\n", "expected"},
        {"-- migration 2: u\n-- replace: ADD COLUMN c\n-- with: x\n", "exactly once"},
        {"-- migration 2: u\n-- replace: T\n-- with: x\n", "exactly once"},
        {"-- migration 2: u\n-- replace: ADD COLUMN b\n", "without its with line"},
        {"-- migration 2: u\n-- replace: ADD COLUMN b\n-- with: x\nSELECT 1;\n", "mixes SQL"},
    };
    for (size_t i = 0; i < sizeof bad_variants / sizeof bad_variants[0]; i++) {
        ms_schema bad_variant[] = {{"demo2", two, bad_variants[i].variant}};
        assert_int_equal(ms_migrate(f->d, bad_variant, 1, false, &rep, &e), MS_EINTERNAL);
        assert_string_equal(e.type, "schema");
        assert_non_null(strstr(e.detail, bad_variants[i].says));
    }
    /* The failed migration 3 left nothing behind. */
    assert_int_equal(db_exec(f->c, &e, "SELECT 1 FROM half", ""), MS_EDB);
}

static int job_count(fixture *f, const char *state)
{
    ms_error e;
    db_stmt *st;
    db_query_row(f->c, &st, &e, "SELECT COUNT(*) FROM job WHERE state = ?", "s", state);
    int n = (int)db_col_int(st, 0);
    db_done(st);
    return n;
}

static void test_jobs_lifecycle(void **state)
{
    fixture *f = *state;
    ms_error e;
    json_t *p = json_pack("{s:s}", "to", "a@b.c");
    char id[MS_ID_LEN];
    assert_int_equal(jobs_enqueue(f->c, "mail.send", p, NULL, id, &e), 0);
    ms_job j;
    assert_int_equal(jobs_claim(f->c, "w1", 60000, &j, &e), 1);
    assert_string_equal(j.id, id);
    assert_string_equal(j.kind, "mail.send");
    assert_true(json_equal(j.payload, p));
    assert_int_equal(j.attempts, 1);
    /* Claimed jobs are not handed out twice. */
    ms_job j2;
    assert_int_equal(jobs_claim(f->c, "w2", 60000, &j2, &e), 0);
    /* Failure: back to the queue, not ready before the backoff. */
    assert_int_equal(jobs_fail(f->c, &j, "w1", "smtp down", false, &e), 0);
    assert_int_equal(job_count(f, "queued"), 1);
    assert_int_equal(jobs_claim(f->c, "w2", 60000, &j2, &e), 0);
    ms_job_clear(&j);
    /* Make it due, fail it permanently: dead letter with the error kept. */
    db_exec(f->c, &e, "UPDATE job SET run_at = '2000-01-01T00:00:00.000Z'", "");
    assert_int_equal(jobs_claim(f->c, "w2", 60000, &j2, &e), 1);
    assert_int_equal(j2.attempts, 2);
    assert_int_equal(jobs_fail(f->c, &j2, "w2", "bad address", true, &e), 0);
    assert_int_equal(job_count(f, "dead"), 1);
    ms_job_clear(&j2);
    /* An operator puts it back. */
    assert_int_equal(jobs_requeue(f->c, id, &e), 0);
    assert_int_equal(jobs_claim(f->c, "w3", 60000, &j, &e), 1);
    assert_int_equal(j.attempts, 1);
    /* Only the worker holding the lease can complete it. */
    assert_int_equal(jobs_complete(f->c, &j, "someone-else", &e), 0);
    assert_int_equal(job_count(f, "running"), 1);
    assert_int_equal(jobs_complete(f->c, &j, "w3", &e), 0);
    assert_int_equal(job_count(f, "done"), 1);
    ms_job_clear(&j);
    json_decref(p);
    assert_int_equal(jobs_requeue(f->c, id, &e), MS_ENOTFOUND); /* not dead */
}

static void test_jobs_backoff_and_attempts(void **state)
{
    fixture *f = *state;
    ms_error e;
    assert_int_equal(jobs_backoff_ms(1), 5000);
    assert_int_equal(jobs_backoff_ms(2), 10000);
    assert_int_equal(jobs_backoff_ms(4), 40000);
    assert_int_equal(jobs_backoff_ms(40), 3600000);
    ms_job_opts o = {.max_attempts = 2};
    json_t *p = json_object();
    jobs_enqueue(f->c, "x", p, &o, NULL, &e);
    ms_job j;
    for (int attempt = 1; attempt <= 2; attempt++) {
        db_exec(f->c, &e, "UPDATE job SET run_at = '2000-01-01T00:00:00.000Z'", "");
        assert_int_equal(jobs_claim(f->c, "w", 60000, &j, &e), 1);
        assert_int_equal(j.attempts, attempt);
        jobs_fail(f->c, &j, "w", "nope", false, &e);
        ms_job_clear(&j);
    }
    assert_int_equal(job_count(f, "dead"), 1);
    json_decref(p);
}

static void test_jobs_lease_expiry(void **state)
{
    fixture *f = *state;
    ms_error e;
    json_t *p = json_object();
    ms_job_opts o = {.max_attempts = 2};
    jobs_enqueue(f->c, "x", p, &o, NULL, &e);
    ms_job j;
    assert_int_equal(jobs_claim(f->c, "dies", 60000, &j, &e), 1);
    ms_job_clear(&j);
    /* The worker died: once its lease expires another worker takes the job over. */
    db_exec(f->c, &e, "UPDATE job SET lease_until = '2000-01-01T00:00:00.000Z'", "");
    assert_int_equal(jobs_claim(f->c, "w2", 60000, &j, &e), 1);
    assert_int_equal(j.attempts, 2);
    assert_int_equal(jobs_heartbeat(f->c, &j, "w2", 120000, &e), 0);
    assert_int_equal(jobs_heartbeat(f->c, &j, "dies", 120000, &e), MS_ENOTFOUND);
    ms_job_clear(&j);
    /* Expired again on its last attempt: dead, never run a third time. */
    db_exec(f->c, &e, "UPDATE job SET lease_until = '2000-01-01T00:00:00.000Z'", "");
    assert_int_equal(jobs_claim(f->c, "w3", 60000, &j, &e), 0);
    assert_int_equal(job_count(f, "dead"), 1);
    json_decref(p);
}

static void test_jobs_unique_key(void **state)
{
    fixture *f = *state;
    ms_error e;
    json_t *p = json_object();
    ms_job_opts o = {.unique_key = "maint:1"};
    char a[MS_ID_LEN], b[MS_ID_LEN];
    jobs_enqueue(f->c, "m", p, &o, a, &e);
    jobs_enqueue(f->c, "m", p, &o, b, &e);
    assert_string_equal(a, b);
    assert_int_equal(job_count(f, "queued"), 1);
    ms_job j;
    jobs_claim(f->c, "w", 60000, &j, &e);
    jobs_complete(f->c, &j, "w", &e);
    ms_job_clear(&j);
    jobs_enqueue(f->c, "m", p, &o, b, &e); /* finished: a new one may be queued */
    assert_string_not_equal(a, b);
    json_decref(p);
}

typedef struct counter {
    pthread_mutex_t lock;
    int runs;
    int fails_left;
} counter;

static int count_job(void *ctx, db_conn *c, const ms_job *job, ms_error *err)
{
    (void)c;
    counter *k = ctx;
    pthread_mutex_lock(&k->lock);
    int fail = json_is_true(json_object_get(job->payload, "fail_once")) && k->fails_left-- > 0;
    if (!fail) k->runs++;
    pthread_mutex_unlock(&k->lock);
    return fail ? ms_fail(err, MS_EIO, NULL, "transient") : 0;
}

static void test_jobs_runner(void **state)
{
    fixture *f = *state;
    ms_error e;
    counter k = {PTHREAD_MUTEX_INITIALIZER, 0, 1};
    ms_job_handler h[] = {{"count", count_job, 30000}, {NULL, NULL, 0}};
    ms_jobs_runner *r;
    assert_int_equal(jobs_runner_start(f->d, h, &k, 2, &r, &e), 0);
    json_t *p = json_object();
    for (int i = 0; i < 50; i++)
        jobs_enqueue(f->c, "count", p, NULL, NULL, &e);
    json_t *unknown = json_object();
    jobs_enqueue(f->c, "nobody-handles-this", unknown, NULL, NULL, &e);
    jobs_runner_wake(r);
    for (int i = 0; i < 500 && job_count(f, "done") < 50; i++)
        usleep(10000);
    jobs_runner_stop(r);
    assert_int_equal(k.runs, 50); /* each exactly once */
    assert_int_equal(job_count(f, "done"), 50);
    assert_int_equal(job_count(f, "dead"), 1); /* no handler: dead at once, not retried */
    json_decref(p);
    json_decref(unknown);
}

static void test_idempotency(void **state)
{
    fixture *f = *state;
    unsigned char secret[32] = {42};
    ms_error e;
    char h1[65], h2[65];
    idem_request_hash("POST", "/api/v1/orgs", "{\"a\":1}", 7, h1);
    idem_request_hash("POST", "/api/v1/orgs", "{\"a\":2}", 7, h2);
    assert_string_not_equal(h1, h2);
    idem_record rec;
    assert_int_equal(idem_lookup(f->c, secret, "u1", "k1", h1, &rec, &e), 0);
    assert_int_equal(idem_save(f->c, secret, "u1", "k1", "POST", "/api/v1/orgs", h1, 201,
                               "{\"id\":1}", "/api/v1/orgs/1", "\"1\"", &e),
                     0);
    assert_int_equal(idem_lookup(f->c, secret, "u1", "k1", h1, &rec, &e), 1);
    assert_int_equal(rec.status, 201);
    assert_string_equal(rec.response, "{\"id\":1}");
    assert_string_equal(rec.location, "/api/v1/orgs/1");
    assert_string_equal(rec.etag, "\"1\"");
    idem_record_free(&rec);
    assert_int_equal(idem_lookup(f->c, secret, "u1", "k1", h2, &rec, &e), MS_ECONFLICT);
    /* Stored sealed: the response is not in the table as text. */
    db_stmt *st;
    assert_int_equal(db_query_row(f->c, &st, &e, "SELECT response FROM idempotency_key", ""),
                     DB_ROW);
    assert_null(strstr(db_col_text(st, 0), "\"id\""));
    assert_true(strncmp(db_col_text(st, 0), "s1.", 3) == 0);
    db_done(st);
    unsigned char other[32] = {43};
    assert_int_equal(idem_lookup(f->c, other, "u1", "k1", h1, &rec, &e), MS_EINTERNAL);
    assert_int_equal(idem_lookup(f->c, secret, "u2", "k1", h1, &rec, &e), 0); /* per user */
    assert_true(idem_key_valid("abc-123_XYZ"));
    assert_false(idem_key_valid(""));
    assert_false(idem_key_valid("has space"));
    char now[MS_TIME_LEN];
    ms_time_fmt(ms_now_ms() + 1000, now);
    assert_int_equal(idem_purge(f->c, now, &e), 1);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_query_bind_and_types),
        T(test_statement_cache_nested),
        T(test_transactions),
        T(test_transact_retries),
        cmocka_unit_test(test_schema_parse),
        cmocka_unit_test(test_pg_placeholders),
        T(test_migrations),
        T(test_jobs_lifecycle),
        T(test_jobs_backoff_and_attempts),
        T(test_jobs_lease_expiry),
        T(test_jobs_unique_key),
        T(test_jobs_runner),
        T(test_idempotency),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
