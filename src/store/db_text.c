/* db_text.c: the text index on each engine. See db_text.h. */
#include "store/db_text.h"

#include "core/textgram.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* PostgreSQL keeps positions up to 16383 and 256 of them per lexeme: a document stops at the
 * first limit (what is beyond it cannot be found, which the texts we index never reach). */
#define PG_MAX_POS 16383

bool db_text_derived(const char *t)
{
    size_t n = t ? strlen(t) : 0;
    return n > 4 && (!strcmp(t + n - 4, "_fts") || strstr(t, "_fts_") != NULL);
}

static bool is_pg(db_conn *c)
{
    return !strcmp(db_conn_engine(c), "postgres");
}

/* Table names go into SQL text: ours only. */
static int check_table(const char *t, ms_error *err)
{
    if (!t || !*t || strlen(t) > 60) goto bad;
    for (const char *p = t; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_')) goto bad;
    return 0;
bad:
    return ms_fail(err, MS_EINVAL, NULL, "not a text index table: %s", t ? t : "(null)");
}

/* ---- Documents. ---- */

typedef struct doc_out {
    ms_buf *b;
    bool pg;
} doc_out;

/* A lexeme of a tsvector or tsquery literal: quoted, quotes and backslashes doubled. */
static void pg_lexeme(ms_buf *b, const char *tok, size_t len)
{
    ms_buf_putc(b, '\'');
    for (size_t i = 0; i < len; i++) {
        if (tok[i] == '\'' || tok[i] == '\\') ms_buf_putc(b, tok[i]);
        ms_buf_putc(b, tok[i]);
    }
    ms_buf_putc(b, '\'');
}

static int doc_token(void *ctx, const char *tok, size_t len, int pos)
{
    doc_out *d = ctx;
    if (d->pg) {
        if (len == TG_SEP_LEN && !memcmp(tok, TG_SEP, TG_SEP_LEN)) return 0; /* a gap */
        if (d->b->len) ms_buf_putc(d->b, ' ');
        pg_lexeme(d->b, tok, len);
        ms_buf_printf(d->b, ":%d", pos + 1);
        return 0;
    }
    if (d->b->len) ms_buf_putc(d->b, ' ');
    ms_buf_append(d->b, tok, len);
    return 0;
}

/* The engine's document for `text` into `b` (empty for no tokens). */
static int make_doc(bool pg, const char *text, ms_buf *b, ms_error *err)
{
    doc_out d = {b, pg};
    int rc = tg_doc_tokens(text, strlen(text), pg ? PG_MAX_POS : 0, doc_token, &d, err);
    if (!rc && b->oom) rc = ms_fail(err, MS_ENOMEM, NULL, "out of memory");
    return rc;
}

int db_text_put(db_conn *c, const char *table, int64_t rowid, const char *old_text,
                const char *new_text, ms_error *err)
{
    int rc = check_table(table, err);
    if (rc) return rc;
    bool pg = is_pg(c), had = old_text && *old_text, has = new_text && *new_text;
    char sql[256];
    ms_buf doc;
    ms_buf_init(&doc);
    if (pg) {
        if (has) {
            rc = make_doc(true, new_text, &doc, err);
            snprintf(sql, sizeof sql,
                     "INSERT INTO %s (rowid, doc) VALUES (CAST(? AS BIGINT), CAST(? AS tsvector)) "
                     "ON CONFLICT (rowid) DO UPDATE SET doc = excluded.doc",
                     table);
            if (!rc) rc = db_exec(c, err, sql, "Is", rowid, doc.data ? doc.data : "");
        } else {
            snprintf(sql, sizeof sql, "DELETE FROM %s WHERE rowid = CAST(? AS BIGINT)", table);
            rc = db_exec(c, err, sql, "I", rowid);
        }
        ms_buf_free(&doc);
        return rc < 0 ? rc : 0;
    }
    /* A contentless FTS5 table forgets a row by being told the tokens it was given. */
    if (had) {
        rc = make_doc(false, old_text, &doc, err);
        snprintf(sql, sizeof sql,
                 "INSERT INTO %s (%s, rowid, doc) VALUES ('delete', CAST(? AS BIGINT), ?)", table,
                 table);
        if (!rc) rc = db_exec(c, err, sql, "Is", rowid, doc.data ? doc.data : "");
    }
    if (rc >= 0 && has) {
        ms_buf_reset(&doc);
        rc = make_doc(false, new_text, &doc, err);
        snprintf(sql, sizeof sql, "INSERT INTO %s (rowid, doc) VALUES (CAST(? AS BIGINT), ?)",
                 table);
        if (!rc) rc = db_exec(c, err, sql, "Is", rowid, doc.data ? doc.data : "");
    }
    ms_buf_free(&doc);
    return rc < 0 ? rc : 0;
}

int db_text_clear(db_conn *c, const char *table, ms_error *err)
{
    int rc = check_table(table, err);
    if (rc) return rc;
    char sql[160];
    if (is_pg(c))
        snprintf(sql, sizeof sql, "DELETE FROM %s", table);
    else
        snprintf(sql, sizeof sql, "INSERT INTO %s (%s) VALUES ('delete-all')", table, table);
    rc = db_exec(c, err, sql, "");
    return rc < 0 ? rc : 0;
}

int db_text_marker(db_conn *c, const char *table, bool *present, ms_error *err)
{
    *present = false;
    int rc = check_table(table, err);
    if (rc) return rc;
    char sql[160];
    if (is_pg(c))
        snprintf(sql, sizeof sql, "SELECT 1 FROM %s WHERE rowid = 0", table);
    else
        snprintf(sql, sizeof sql, "SELECT rowid FROM %s WHERE %s MATCH '\"" TG_MARK "\"' LIMIT 1",
                 table, table);
    db_stmt *st;
    rc = db_query_row(c, &st, err, sql, "");
    if (rc < 0) return rc;
    if (rc == DB_ROW) {
        *present = true;
        db_done(st);
    }
    return 0;
}

int db_text_mark(db_conn *c, const char *table, ms_error *err)
{
    int rc = check_table(table, err);
    if (rc) return rc;
    char sql[200];
    if (is_pg(c))
        snprintf(sql, sizeof sql,
                 "INSERT INTO %s (rowid, doc) VALUES (0, CAST('' AS tsvector)) ON CONFLICT "
                 "(rowid) DO NOTHING",
                 table);
    else
        snprintf(sql, sizeof sql, "INSERT INTO %s (rowid, doc) VALUES (0, '" TG_MARK "')", table);
    rc = db_exec(c, err, sql, "");
    return rc < 0 ? rc : 0;
}

/* ---- Queries. ---- */

typedef struct query_out {
    ms_buf *b;
    bool pg;
    int term; /* the term being written, -1 before the first */
} query_out;

static int query_token(void *ctx, int term, int idx, const char *tok, size_t len)
{
    query_out *q = ctx;
    ms_buf *b = q->b;
    if (term != q->term) {
        if (q->term >= 0) ms_buf_puts(b, q->pg ? ") & " : "\" AND ");
        ms_buf_puts(b, q->pg ? "(" : "\"");
        q->term = term;
    } else if (idx) {
        ms_buf_puts(b, q->pg ? " <-> " : " ");
    }
    if (q->pg) {
        pg_lexeme(b, tok, len);
    } else {
        for (size_t i = 0; i < len; i++) {
            if (tok[i] == '"') ms_buf_putc(b, '"');
            ms_buf_putc(b, tok[i]);
        }
    }
    return 0;
}

static int query_text(bool pg, const char *query, ms_buf *out, ms_error *err)
{
    query_out q = {out, pg, -1};
    int rc = tg_query_terms(query, strlen(query), query_token, &q, err);
    if (rc < 0) return rc;
    ms_buf_putc(out, pg ? ')' : '"');
    return out->oom ? ms_fail(err, MS_ENOMEM, NULL, "out of memory") : 0;
}

int db_text_max_pos(db_conn *c)
{
    return is_pg(c) ? PG_MAX_POS : 0;
}

int db_text_frequent(db_conn *c, const char *table, int64_t min_docs, db_text_term_fn fn, void *ctx,
                     ms_error *err)
{
    int rc = check_table(table, err);
    if (rc) return rc;
    bool pg = is_pg(c);
    char sql[240];
    if (pg) {
        snprintf(sql, sizeof sql,
                 "SELECT word, ndoc FROM ts_stat('SELECT doc FROM %s WHERE rowid > 0') WHERE "
                 "ndoc >= ?",
                 table);
    } else {
        /* fts5vocab over the index, in the connection's own temp schema. */
        char make[200];
        snprintf(make, sizeof make,
                 "CREATE VIRTUAL TABLE IF NOT EXISTS temp.%s_vocab USING fts5vocab(main, %s, "
                 "'row')",
                 table, table);
        if ((rc = db_exec(c, err, make, "")) < 0) return rc;
        snprintf(sql, sizeof sql, "SELECT term, doc FROM temp.%s_vocab WHERE doc >= ?", table);
    }
    db_stmt *st;
    if ((rc = db_query(c, &st, err, sql, "I", min_docs))) return rc;
    while ((rc = db_step(st, err)) == DB_ROW) {
        const char *t = db_col_text(st, 0);
        size_t n = db_col_bytes(st, 0);
        if (!t || (n == TG_SEP_LEN && !memcmp(t, TG_SEP, n)) || (n >= 3 && !memcmp(t, TG_MARK, 3)))
            continue;
        if ((rc = fn(ctx, t, n, db_col_int(st, 1)))) break;
    }
    db_done(st);
    return rc < 0 ? rc : 0;
}

int db_text_query_text(db_conn *c, const char *query, ms_buf *out, ms_error *err)
{
    return query_text(is_pg(c), query, out, err);
}

int db_text_search(db_conn *c, const char *table, const char *query, db_text_row_fn fn, void *ctx,
                   ms_error *err)
{
    int rc = check_table(table, err);
    if (rc) return rc;
    bool pg = is_pg(c);
    ms_buf q;
    ms_buf_init(&q);
    if ((rc = query_text(pg, query, &q, err))) {
        ms_buf_free(&q);
        return rc;
    }
    char sql[200];
    if (pg)
        snprintf(sql, sizeof sql,
                 "SELECT rowid FROM %s WHERE doc @@ CAST(? AS tsquery) AND rowid > 0", table);
    else
        snprintf(sql, sizeof sql, "SELECT rowid FROM %s WHERE %s MATCH ? AND rowid > 0", table,
                 table);
    db_stmt *st;
    /* The text is bound without a copy: it lives until the statement is done. */
    rc = db_query(c, &st, err, sql, "s", q.data);
    while (!rc && (rc = db_step(st, err)) == DB_ROW)
        if ((rc = fn(ctx, db_col_int(st, 0)))) break;
    db_done(st);
    ms_buf_free(&q);
    return rc < 0 ? rc : 0;
}
