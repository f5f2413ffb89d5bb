/* copy.c: db_describe and db_copy. See copy.h. The catalog queries are the backends'
 * (db_internal.h); everything here is engine-neutral. */
#include "store/copy.h"

#include "core/buf.h"
#include "core/time.h"
#include "store/db_internal.h"
#include "store/db_text.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NAME_MAX_LEN 64
#define BATCH_ROWS   200
#define BATCH_PARAMS 30000 /* below SQLite's 32766 and PostgreSQL's 65535 parameters */

typedef struct col_info {
    char name[NAME_MAX_LEN];
    const char *cls; /* integer, real, text, blob */
    bool not_null;
    int pk;
} col_info;

typedef struct table_info {
    char name[NAME_MAX_LEN];
    col_info *cols;
    int ncols;
} table_info;

typedef struct table_list {
    table_info *v;
    int n;
} table_list;

static void tables_free(table_list *l)
{
    for (int i = 0; i < l->n; i++)
        free(l->v[i].cols);
    free(l->v);
    l->v = NULL;
    l->n = 0;
}

/* What both engines mean by a declared type (SQLite's affinity rules, in short). */
static const char *type_class(const char *declared)
{
    char t[64];
    ms_strlcpy(t, declared ? declared : "", sizeof t);
    for (char *p = t; *p; p++)
        if (*p >= 'A' && *p <= 'Z') *p = (char)(*p - 'A' + 'a');
    if (strstr(t, "int") || strstr(t, "bool")) return "integer";
    if (strstr(t, "char") || strstr(t, "text") || strstr(t, "clob")) return "text";
    if (strstr(t, "real") || strstr(t, "floa") || strstr(t, "doub") || strstr(t, "numeric"))
        return "real";
    return "blob";
}

/* Our own table and column names only: they are put into SQL text. */
static bool plain_name(const char *s)
{
    if (!s || !*s || strlen(s) >= NAME_MAX_LEN) return false;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_')) return false;
    return true;
}

/* Make room for element `n` of an array of `cap` elements of `size` bytes. */
static bool grow(void **v, int *cap, int n, size_t size)
{
    if (n < *cap) return true;
    int want = *cap ? *cap * 2 : 16;
    void *p = realloc(*v, (size_t)want * size);
    if (!p) return false;
    *v = p;
    *cap = want;
    return true;
}

static int load_tables(db_conn *c, table_list *out, ms_error *err)
{
    const db_backend *be = db_conn_backend(c);
    memset(out, 0, sizeof *out);
    db_stmt *st = NULL;
    int rc = db_query(c, &st, err, be->tables_sql, "");
    int cap = 0;
    while (rc == 0 && (rc = db_step(st, err)) == DB_ROW) {
        rc = 0;
        const char *name = db_col_text(st, 0);
        if (!plain_name(name)) continue; /* not one of ours */
        /* Text indexes (FTS5 tables and their shadow tables, tsvector tables) are derived
         * data that differs by engine: not described, not copied; their module rebuilds them
         * when it finds no marker row (store/db_text.h). */
        if (db_text_derived(name)) continue;
        if (!grow((void **)&out->v, &cap, out->n, sizeof *out->v)) {
            rc = ms_fail(err, MS_ENOMEM, NULL, "out of memory");
            break;
        }
        memset(&out->v[out->n], 0, sizeof out->v[0]);
        ms_strlcpy(out->v[out->n++].name, name, NAME_MAX_LEN);
    }
    db_done(st); /* NULL when the query failed */
    for (int i = 0; rc >= 0 && i < out->n; i++) {
        table_info *t = &out->v[i];
        if ((rc = db_query(c, &st, err, be->columns_sql, "s", t->name))) break;
        int ccap = 0;
        while ((rc = db_step(st, err)) == DB_ROW) {
            if (!grow((void **)&t->cols, &ccap, t->ncols, sizeof *t->cols)) {
                rc = ms_fail(err, MS_ENOMEM, NULL, "out of memory");
                break;
            }
            col_info *col = &t->cols[t->ncols];
            const char *name = db_col_text(st, 0);
            if (!plain_name(name)) {
                rc = ms_fail(err, MS_EINVAL, NULL, "table %s has a column named \"%s\"", t->name,
                             name ? name : "");
                break;
            }
            ms_strlcpy(col->name, name, sizeof col->name);
            col->cls = type_class(db_col_text(st, 1));
            col->pk = (int)db_col_int(st, 3);
            col->not_null = db_col_int(st, 2) != 0 || col->pk > 0;
            t->ncols++;
        }
        db_done(st);
        if (rc > 0) rc = 0;
    }
    if (rc < 0) tables_free(out);
    return rc < 0 ? rc : 0;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Indexes as "unique (a, b)", "(a) partial": what they do, not what they are called. */
static int describe_indexes(db_conn *c, const char *table, json_t **out, ms_error *err)
{
    db_stmt *st;
    int rc = db_query(c, &st, err, db_conn_backend(c)->indexes_sql, "s", table);
    if (rc) return rc;
    char *v[256];
    int n = 0;
    while ((rc = db_step(st, err)) == DB_ROW && n < 256) {
        ms_buf b;
        ms_buf_init(&b);
        ms_buf_printf(&b, "%s(%s)%s", db_col_int(st, 1) ? "unique " : "",
                      db_col_text(st, 3) ? db_col_text(st, 3) : "",
                      db_col_int(st, 2) ? " partial" : "");
        if (!(v[n] = ms_buf_take(&b))) break;
        n++;
    }
    db_done(st);
    qsort(v, (size_t)n, sizeof v[0], cmp_str);
    *out = json_array();
    for (int i = 0; i < n; i++) {
        json_array_append_new(*out, json_string(v[i]));
        free(v[i]);
    }
    return rc < 0 ? rc : 0;
}

int db_describe(db_conn *c, json_t **out, ms_error *err)
{
    table_list tl;
    int rc = load_tables(c, &tl, err);
    if (rc) return rc;
    json_t *tables = json_object();
    for (int i = 0; !rc && i < tl.n; i++) {
        json_t *cols = json_array(), *idx = NULL;
        for (int k = 0; k < tl.v[i].ncols; k++) {
            const col_info *col = &tl.v[i].cols[k];
            json_array_append_new(cols, json_pack("{s:s,s:s,s:b,s:i}", "name", col->name, "type",
                                                  col->cls, "not_null", col->not_null,
                                                  "primary_key", col->pk));
        }
        rc = describe_indexes(c, tl.v[i].name, &idx, err);
        json_object_set_new(tables, tl.v[i].name,
                            json_pack("{s:o,s:o*}", "columns", cols, "indexes", idx));
    }
    tables_free(&tl);
    if (rc) {
        json_decref(tables);
        return rc;
    }
    *out = json_pack("{s:s,s:o}", "engine", db_conn_engine(c), "tables", tables);
    return 0;
}

/* ---- Copy. ---- */

typedef struct sum128 {
    uint64_t lo, hi;
} sum128;

/* Add the row's BLAKE2b-128 to the table's sum; values tagged by type so that 1, 1.0 and
 * "1" differ. */
static void sum_row(db_stmt *st, int ncols, sum128 *sum)
{
    crypto_generichash_state h;
    crypto_generichash_init(&h, NULL, 0, 16);
    for (int i = 0; i < ncols; i++) {
        unsigned char tag[9];
        size_t taglen = 1;
        const unsigned char *data = NULL;
        size_t len = 0;
        int64_t iv;
        double dv;
        switch (db_col_type(st, i)) {
        case DB_T_NULL:
            tag[0] = 'n';
            break;
        case DB_T_INT:
            tag[0] = 'i';
            iv = db_col_int(st, i);
            memcpy(tag + 1, &iv, 8);
            taglen = 9;
            break;
        case DB_T_FLOAT:
            tag[0] = 'f';
            dv = db_col_double(st, i);
            memcpy(tag + 1, &dv, 8);
            taglen = 9;
            break;
        default:
            tag[0] = 't';
            data = (const unsigned char *)db_col_text(st, i);
            len = db_col_bytes(st, i);
            uint64_t n = len;
            memcpy(tag + 1, &n, 8);
            taglen = 9;
        }
        crypto_generichash_update(&h, tag, taglen);
        if (len) crypto_generichash_update(&h, data, len);
    }
    unsigned char out[16];
    crypto_generichash_final(&h, out, sizeof out);
    uint64_t a, b;
    memcpy(&a, out, 8);
    memcpy(&b, out + 8, 8);
    sum->lo += a;
    sum->hi += b;
}

static void sum_hex(const sum128 *s, char out[33])
{
    snprintf(out, 33, "%016llx%016llx", (unsigned long long)s->hi, (unsigned long long)s->lo);
}

static const table_info *find_table(const table_list *l, const char *name)
{
    for (int i = 0; i < l->n; i++)
        if (!strcmp(l->v[i].name, name)) return &l->v[i];
    return NULL;
}

static const col_info *find_col(const table_info *t, const char *name)
{
    for (int i = 0; i < t->ncols; i++)
        if (!strcmp(t->cols[i].name, name)) return &t->cols[i];
    return NULL;
}

/* Read every row of `t` (its columns in `cols` order) and call `fn` for each: in pages of
 * SCAN_PAGE rows in primary-key order (keyset paging: `(k1, k2) > (?, ?)`), so that neither
 * engine ever holds a whole table in memory (PostgreSQL sends a statement's result whole).
 * All pages are read in the caller's transaction: one snapshot. */
#define SCAN_PAGE 5000
typedef int (*row_fn)(void *arg, db_stmt *st, ms_error *err);

static void sql_cols(ms_buf *b, const table_info *t, const int *idx, int n)
{
    for (int i = 0; i < n; i++)
        ms_buf_printf(b, "%s%s", i ? ", " : "", t->cols[idx ? idx[i] : i].name);
}

static int scan_table(db_conn *c, const table_info *t, row_fn fn, void *arg, ms_error *err)
{
    int pk[8], npk = 0;
    for (int p = 1; p <= 8; p++)
        for (int k = 0; k < t->ncols; k++)
            if (t->cols[k].pk == p) pk[npk++] = k;
    ms_buf first, next, keys;
    ms_buf_init(&first);
    ms_buf_init(&next);
    ms_buf_init(&keys);
    ms_buf_puts(&first, "SELECT ");
    sql_cols(&first, t, NULL, t->ncols);
    ms_buf_printf(&first, " FROM %s", t->name);
    if (npk) {
        ms_buf_append(&next, first.data, first.len);
        ms_buf_puts(&next, " WHERE (");
        sql_cols(&next, t, pk, npk);
        ms_buf_puts(&next, ") > (?");
        for (int i = 1; i < npk; i++)
            ms_buf_puts(&next, ", ?");
        ms_buf_putc(&next, ')');
        ms_buf *both[] = {&first, &next};
        for (int j = 0; j < 2; j++) {
            ms_buf_puts(both[j], " ORDER BY ");
            sql_cols(both[j], t, pk, npk);
            ms_buf_puts(both[j], " LIMIT ?");
        }
    }
    int rc = first.oom || next.oom ? ms_fail(err, MS_ENOMEM, NULL, "out of memory") : 0;
    db_arg args[9];
    int64_t text_at[8];
    bool start = true, more = true;
    while (!rc && more) {
        int nargs = 0;
        if (!start) {
            for (int i = 0; i < npk; i++, nargs++)
                if (text_at[i] >= 0) args[nargs] = DB_ARG_S(keys.data + text_at[i]);
        }
        if (npk) args[nargs++] = DB_ARG_I(SCAN_PAGE);
        db_stmt *st;
        if ((rc = db_query_args(c, &st, err, start ? first.data : next.data, args, nargs))) break;
        int64_t got = 0;
        while ((rc = db_step(st, err)) == DB_ROW) {
            got++;
            if ((rc = fn(arg, st, err))) break;
            /* Keep this row's key: the next page starts after the page's last row. */
            keys.len = 0;
            for (int i = 0; i < npk; i++) {
                text_at[i] = -1;
                if (db_col_type(st, pk[i]) == DB_T_INT) {
                    args[i] = DB_ARG_I(db_col_int(st, pk[i]));
                } else {
                    text_at[i] = (int64_t)keys.len;
                    ms_buf_append(&keys, db_col_text(st, pk[i]), db_col_bytes(st, pk[i]));
                    ms_buf_putc(&keys, 0);
                }
            }
        }
        db_done(st);
        if (rc < 0) break;
        rc = keys.oom ? ms_fail(err, MS_ENOMEM, NULL, "out of memory") : 0;
        more = npk && got == SCAN_PAGE;
        start = false;
    }
    ms_buf_free(&first);
    ms_buf_free(&next);
    ms_buf_free(&keys);
    return rc;
}

typedef struct sum_state {
    const table_info *t;
    int64_t rows;
    sum128 sum;
} sum_state;

static int sum_one(void *arg, db_stmt *st, ms_error *err)
{
    (void)err;
    sum_state *x = arg;
    sum_row(st, x->t->ncols, &x->sum);
    x->rows++;
    return 0;
}

/* Count and checksum of every row of `t`. */
static int table_sum(db_conn *c, const table_info *t, int64_t *rows, sum128 *sum, ms_error *err)
{
    sum_state x = {t, 0, {0, 0}};
    int rc = scan_table(c, t, sum_one, &x, err);
    *rows = x.rows;
    *sum = x.sum;
    return rc;
}

typedef struct batch {
    db_arg *args;
    int64_t *text_at; /* offset of each text value in `texts`, -1 for none */
    ms_buf texts;
    int nargs;
} batch;

/* INSERT text for `rows` rows: the table's head, then one tuple per row. */
static char *insert_sql(const char *head, const char *tuple, int rows)
{
    ms_buf sql;
    ms_buf_init(&sql);
    ms_buf_puts(&sql, head);
    for (int r = 0; r < rows; r++) {
        if (r) ms_buf_puts(&sql, ", ");
        ms_buf_puts(&sql, tuple);
    }
    return sql.oom ? (ms_buf_free(&sql), NULL) : ms_buf_take(&sql);
}

static int batch_flush(db_conn *d, batch *b, const char *sql, ms_error *err)
{
    if (!b->nargs) return 0;
    for (int i = 0; i < b->nargs; i++)
        if (b->text_at[i] >= 0) b->args[i].s = b->texts.data + b->text_at[i];
    int rc = !sql || b->texts.oom ? ms_fail(err, MS_ENOMEM, NULL, "out of memory") : 0;
    db_stmt *st;
    if (!rc) rc = db_query_args(d, &st, err, sql, b->args, b->nargs);
    if (!rc) {
        rc = db_step(st, err);
        db_done(st);
    }
    b->nargs = 0;
    b->texts.len = 0;
    return rc < 0 ? rc : 0;
}

typedef struct copy_state {
    batch b;
    db_conn *d;
    const table_info *t;
    int per, rows;
    char *head, *tuple; /* "INSERT INTO t (a, b) VALUES ", "(CAST(? AS BIGINT), ?)" */
    char *full_sql;     /* the INSERT of a full batch, built once */
    sum128 sum;
    int64_t copied;
} copy_state;

/* One source row: into the checksum and the batch; the batch goes out when full. */
static int copy_one(void *arg, db_stmt *st, ms_error *err)
{
    copy_state *x = arg;
    batch *b = &x->b;
    sum_row(st, x->t->ncols, &x->sum);
    x->copied++;
    for (int k = 0; k < x->t->ncols; k++) {
        db_arg *a = &b->args[b->nargs];
        b->text_at[b->nargs] = -1;
        switch (db_col_type(st, k)) {
        case DB_T_NULL:
            *a = DB_ARG_S(NULL);
            break;
        case DB_T_INT:
            *a = DB_ARG_I(db_col_int(st, k));
            break;
        case DB_T_FLOAT:
            *a = (db_arg){.type = 'd', .d = db_col_double(st, k)};
            break;
        default:
            *a = DB_ARG_S(""); /* pointed at its copy in batch_flush */
            b->text_at[b->nargs] = (int64_t)b->texts.len;
            ms_buf_append(&b->texts, db_col_text(st, k), db_col_bytes(st, k));
            ms_buf_putc(&b->texts, 0);
        }
        b->nargs++;
    }
    if (++x->rows < x->per) return 0;
    x->rows = 0;
    return batch_flush(x->d, b, x->full_sql, err);
}

/* The INSERT's parts, once per table. Each value is cast to the target column's type, so
 * that a NULL or a number bound as text is taken as that type on either engine. */
static bool insert_parts(copy_state *x, const table_info *dt)
{
    ms_buf head, tuple;
    ms_buf_init(&head);
    ms_buf_init(&tuple);
    ms_buf_printf(&head, "INSERT INTO %s (", x->t->name);
    sql_cols(&head, x->t, NULL, x->t->ncols);
    ms_buf_puts(&head, ") VALUES ");
    ms_buf_putc(&tuple, '(');
    for (int k = 0; k < x->t->ncols; k++) {
        const char *cls = find_col(dt, x->t->cols[k].name)->cls;
        ms_buf_printf(&tuple, "%s%s", k ? ", " : "",
                      !strcmp(cls, "integer") ? "CAST(? AS BIGINT)"
                      : !strcmp(cls, "real")  ? "CAST(? AS DOUBLE PRECISION)"
                                              : "?");
    }
    ms_buf_putc(&tuple, ')');
    bool ok = !head.oom && !tuple.oom;
    x->head = ms_buf_take(&head);
    x->tuple = ms_buf_take(&tuple);
    x->full_sql = ok ? insert_sql(x->head, x->tuple, x->per) : NULL;
    return ok && x->full_sql;
}

static int copy_table(db_conn *s, db_conn *d, const table_info *t, const table_info *dt,
                      db_copy_table *out, ms_error *err)
{
    copy_state x = {.d = d, .t = t};
    x.per = BATCH_PARAMS / (t->ncols ? t->ncols : 1);
    if (x.per > BATCH_ROWS) x.per = BATCH_ROWS;
    if (x.per < 1) x.per = 1;
    x.b.args = calloc((size_t)(x.per * t->ncols + 1), sizeof *x.b.args);
    x.b.text_at = calloc((size_t)(x.per * t->ncols + 1), sizeof *x.b.text_at);
    ms_buf_init(&x.b.texts);
    int rc = !x.b.args || !x.b.text_at || !insert_parts(&x, dt)
                 ? ms_fail(err, MS_ENOMEM, NULL, "out of memory")
                 : 0;
    if (!rc) rc = scan_table(s, t, copy_one, &x, err);
    if (!rc && x.rows) {
        char *last = insert_sql(x.head, x.tuple, x.rows);
        rc = batch_flush(d, &x.b, last, err);
        free(last);
    }
    out->rows = x.copied;
    sum_hex(&x.sum, out->sum);
    free(x.b.args);
    free(x.b.text_at);
    ms_buf_free(&x.b.texts);
    free(x.head);
    free(x.tuple);
    free(x.full_sql);
    return rc;
}

static int check_target(db_conn *d, const table_list *ts, const table_list *td, ms_error *err)
{
    for (int i = 0; i < ts->n; i++) {
        const table_info *t = &ts->v[i];
        if (!strcmp(t->name, DB_COPY_SKIP)) continue;
        const table_info *dt = find_table(td, t->name);
        if (!dt)
            return ms_fail(err, MS_EINVAL, "schema-mismatch",
                           "the target has no table %s: is it on the same mstation version?",
                           t->name);
        for (int k = 0; k < t->ncols; k++)
            if (!find_col(dt, t->cols[k].name))
                return ms_fail(err, MS_EINVAL, "schema-mismatch",
                               "the target's table %s has no column %s", t->name, t->cols[k].name);
    }
    for (int i = 0; i < td->n; i++) {
        if (!strcmp(td->v[i].name, DB_COPY_SKIP)) continue;
        char sql[128];
        snprintf(sql, sizeof sql, "SELECT 1 FROM %s LIMIT 1", td->v[i].name);
        db_stmt *st;
        int rc = db_query_row(d, &st, err, sql, "");
        if (rc < 0) return rc;
        if (rc == DB_ROW) {
            db_done(st);
            return ms_fail(err, MS_ECONFLICT, "target-not-empty",
                           "the target database is not empty (table %s has rows): "
                           "migrate-store copies only into a new, empty database",
                           td->v[i].name);
        }
    }
    return 0;
}

int db_copy(db *src, db *dst, db_copy_report *rep, ms_error *err)
{
    memset(rep, 0, sizeof *rep);
    uint64_t t0 = ms_mono_ns();
    db_conn *s = db_acquire(src), *d = db_acquire(dst);
    table_list ts = {0}, td = {0};
    int rc = db_begin(s, DB_TX_READ, err);
    if (!rc) rc = load_tables(s, &ts, err);
    if (!rc) rc = db_begin(d, DB_TX_LOCKED, err);
    if (!rc) rc = load_tables(d, &td, err);
    if (!rc) rc = check_target(d, &ts, &td, err);
    if (!rc && !(rep->tables = calloc((size_t)(ts.n ? ts.n : 1), sizeof *rep->tables)))
        rc = ms_fail(err, MS_ENOMEM, NULL, "out of memory");
    for (int i = 0; !rc && i < ts.n; i++) {
        if (!strcmp(ts.v[i].name, DB_COPY_SKIP)) continue;
        db_copy_table *ct = &rep->tables[rep->n++];
        ms_strlcpy(ct->name, ts.v[i].name, sizeof ct->name);
        rc = copy_table(s, d, &ts.v[i], find_table(&td, ts.v[i].name), ct, err);
    }
    const char *after = db_conn_backend(d)->after_load_sql;
    if (!rc && after) rc = db_exec_script(d, after, err);
    if (!rc) rc = db_commit(d, err);
    db_rollback(s);
    /* Read both back: what the target now holds must be what the source held. */
    if (!rc) rc = db_begin(d, DB_TX_READ, err);
    for (int i = 0; !rc && i < rep->n; i++) {
        db_copy_table *ct = &rep->tables[i];
        sum128 sum;
        rc = table_sum(d, find_table(&ts, ct->name), &ct->dst_rows, &sum, err);
        sum_hex(&sum, ct->dst_sum);
        ct->ok = ct->rows == ct->dst_rows && !strcmp(ct->sum, ct->dst_sum);
    }
    if (db_in_tx(d)) db_rollback(d);
    if (db_in_tx(s)) db_rollback(s);
    tables_free(&ts);
    tables_free(&td);
    db_release(s);
    db_release(d);
    rep->seconds = (double)(ms_mono_ns() - t0) / 1e9;
    for (int i = 0; !rc && i < rep->n; i++)
        if (!rep->tables[i].ok)
            rc = ms_fail(err, MS_EIO, "copy-mismatch",
                         "table %s differs after the copy (%lld rows, checksum %s; target %lld "
                         "rows, checksum %s)",
                         rep->tables[i].name, (long long)rep->tables[i].rows, rep->tables[i].sum,
                         (long long)rep->tables[i].dst_rows, rep->tables[i].dst_sum);
    return rc;
}
