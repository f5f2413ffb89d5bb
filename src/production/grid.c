/* grid.c: the production grid and its cache.
 *
 * GET /projects/{id}/grid?entity_type_id=&parent_id=&ancestor_id=: rows are the entities of one
 * type (shots, or an asset type), columns the task types that apply to that kind, cells the
 * tasks, keyed by task type id. Two queries along indexes (the rows, then all their cells),
 * and the JSON is written straight into the answer: a feature's grid is 3,000 rows x 8 cells,
 * where building a jansson tree cost more than the queries.
 *
 * The cache. A grid is read far more often than it changes (a whole team keeps it open), so
 * the answer is kept in memory by (project, query, who may see what) with the project's
 * production revision: a counter that prod_event() raises in the transaction of every
 * production write (access.c). A request reads the revision first, then serves the cached
 * bytes if they were built at that revision, or builds them. Reading the revision before
 * building means a write that lands during the build can only make the entry older than its
 * data (built again next time), never newer. Every server of a cluster has its own cache and
 * the same revision in the database. Vendors are not cached: what they see depends on the
 * members of their organization, which live in another module's tables. The revision is also
 * the grid's ETag, so a browser that has the current grid gets 304.
 *
 * Compression. A feature's grid is 2-3 MB of JSON, mostly ids, and a browser always accepts
 * gzip: a cached entry also keeps its gzip form (made once, at the fastest level, about an
 * eighth of the size), sent to every client that accepts it. */
#include "production/prod_internal.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#define GRID_CACHE_BYTES (256u << 20) /* all entries together */
#define GRID_ENTRY_MAX   (64u << 20)  /* one answer larger than this is not kept */

typedef struct grid_entry {
    struct grid_entry *next;
    char *key;
    int64_t rev;
    char *body, *gz; /* gz: the gzip form, or NULL */
    size_t len, gz_len;
    int refs; /* readers copying the body, and 1 while it is in the list */
    uint64_t used;
} grid_entry;

static pthread_mutex_t grid_mu = PTHREAD_MUTEX_INITIALIZER;
static grid_entry *grid_list;
static size_t grid_bytes;
static uint64_t grid_clock;

static void entry_unref(grid_entry *e)
{
    if (--e->refs) return;
    free(e->key);
    free(e->body);
    free(e->gz);
    free(e);
}

/* The entry for `key` built at `rev`, referenced (release with grid_release), or NULL. */
static grid_entry *grid_lookup(const char *key, int64_t rev)
{
    pthread_mutex_lock(&grid_mu);
    grid_entry *hit = NULL;
    for (grid_entry *e = grid_list; e; e = e->next)
        if (e->rev == rev && !strcmp(e->key, key)) {
            hit = e;
            hit->refs++;
            hit->used = ++grid_clock;
            break;
        }
    pthread_mutex_unlock(&grid_mu);
    return hit;
}

static void grid_release(grid_entry *e)
{
    pthread_mutex_lock(&grid_mu);
    entry_unref(e);
    pthread_mutex_unlock(&grid_mu);
}

/* The gzip form of `in` (NULL on failure). */
static char *gzip_make(const char *in, size_t n, size_t *out_len)
{
    if (n > UINT32_MAX) return NULL;
    z_stream z;
    memset(&z, 0, sizeof z);
    if (deflateInit2(&z, Z_BEST_SPEED, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        return NULL;
    size_t cap = deflateBound(&z, (uLong)n);
    char *out = malloc(cap);
    if (!out) {
        deflateEnd(&z);
        return NULL;
    }
    z.next_in = (Bytef *)(uintptr_t)in;
    z.avail_in = (uInt)n;
    z.next_out = (Bytef *)out;
    z.avail_out = (uInt)cap;
    int rc = deflate(&z, Z_FINISH);
    *out_len = z.total_out;
    deflateEnd(&z);
    if (rc != Z_STREAM_END) {
        free(out);
        return NULL;
    }
    return out;
}

/* Does the request accept gzip? (A token "gzip" not given q=0.) */
static bool accepts_gzip(const ms_req *r)
{
    const char *h = ms_req_header(r, "Accept-Encoding");
    if (!h) return false;
    for (const char *p = strstr(h, "gzip"); p; p = strstr(p + 4, "gzip")) {
        if (p > h && p[-1] != ' ' && p[-1] != ',') continue;
        const char *q = p + 4;
        while (*q == ' ')
            q++;
        if (*q == ',' || !*q) return true;
        if (*q == ';') {
            const char *v = strstr(q, "q=");
            return !v || strtod(v + 2, NULL) > 0;
        }
    }
    return false;
}

/* Keep a copy of `body` (and of `gz`, its gzip form, when there is one) for `key` at `rev`,
 * replacing older revisions of the key and evicting the least recently used entries beyond
 * the budget. Failure to keep is not an error. */
static void grid_store(const char *key, int64_t rev, const char *body, size_t len, const char *gz,
                       size_t gz_len)
{
    if (len > GRID_ENTRY_MAX) return;
    grid_entry *n = calloc(1, sizeof *n);
    char *k = strdup(key), *b = malloc(len), *z = gz ? malloc(gz_len) : NULL;
    if (!n || !k || !b || (gz && !z)) {
        free(n);
        free(k);
        free(b);
        free(z);
        return;
    }
    memcpy(b, body, len);
    if (z) memcpy(z, gz, gz_len);
    *n = (grid_entry){
        .key = k, .rev = rev, .body = b, .len = len, .gz = z, .gz_len = z ? gz_len : 0, .refs = 1};
    len += n->gz_len;
    pthread_mutex_lock(&grid_mu);
    for (grid_entry **p = &grid_list; *p;) {
        grid_entry *e = *p;
        if (!strcmp(e->key, key) && e->rev <= rev) {
            *p = e->next;
            grid_bytes -= e->len + e->gz_len;
            entry_unref(e);
        } else {
            p = &e->next;
        }
    }
    while (grid_list && grid_bytes + len > GRID_CACHE_BYTES) {
        grid_entry **oldest = &grid_list;
        for (grid_entry **p = &grid_list; *p; p = &(*p)->next)
            if ((*p)->used < (*oldest)->used) oldest = p;
        grid_entry *e = *oldest;
        *oldest = e->next;
        grid_bytes -= e->len + e->gz_len;
        entry_unref(e);
    }
    n->used = ++grid_clock;
    n->next = grid_list;
    grid_list = n;
    grid_bytes += len;
    pthread_mutex_unlock(&grid_mu);
}

int prod_revision_bump(ms_req *r, const char *project_id)
{
    int rc = db_exec(r->db, &r->err,
                     "INSERT INTO production_revision (project_id, revision) VALUES (?, 1) ON "
                     "CONFLICT (project_id) DO UPDATE SET revision = "
                     "production_revision.revision + 1",
                     "s", project_id);
    return rc < 0 ? rc : 0;
}

static int revision_get(ms_req *r, const char *project_id, int64_t *out)
{
    db_stmt *st;
    int rc = db_query_row(r->db, &st, &r->err,
                          "SELECT revision FROM production_revision WHERE project_id = ?", "s",
                          project_id);
    if (rc < 0) return rc;
    *out = rc == DB_DONE ? 0 : db_col_int(st, 0);
    db_done(st);
    return 0;
}

/* ---- Building the answer. ---- */

/* One cell's JSON, waiting for its row. */
typedef struct cell {
    struct cell *next;
    size_t len;
    char text[];
} cell;

typedef struct row {
    const char *id;
    cell *cells, *last; /* no pointers into the row array: it moves as it grows */
} row;

static size_t hash_str(const char *s)
{
    size_t h = 5381;
    for (; *s; s++)
        h = h * 33 + (unsigned char)*s;
    return h;
}

static void put_int_or_null(ms_buf *b, db_stmt *st, int i)
{
    if (db_col_null(st, i))
        ms_buf_puts(b, "null");
    else
        ms_buf_put_i64(b, db_col_int(st, i));
}

static void put_str_or_null(ms_buf *b, db_stmt *st, int i)
{
    if (db_col_null(st, i))
        ms_buf_puts(b, "null");
    else
        ms_buf_put_json_str(b, db_col_text(st, i));
}

/* The filters shared by the two queries (rows, cells) after "... WHERE". */
static void grid_where(ms_req *r, const char *pid, const char *type_id, ms_buf *sql, db_arg *args,
                       int *n)
{
    ms_buf_puts(sql, " e.project_id = ? AND e.type_id = ? AND e.deleted_at IS NULL");
    args[(*n)++] = DB_ARG_S(pid);
    args[(*n)++] = DB_ARG_S(type_id);
    if (ms_req_query(r, "parent_id")) {
        ms_buf_puts(sql, " AND e.parent_id = ?");
        args[(*n)++] = DB_ARG_S(ms_req_query(r, "parent_id"));
    }
    if (ms_req_query(r, "ancestor_id")) {
        /* Through the parents' index: the shots of an episode are the children of its
         * sequences (a join on pe would first visit every shot of the project). */
        ms_buf_puts(sql, " AND e.parent_id IN (SELECT a.id FROM entity a WHERE a.parent_id = ? "
                         "AND a.deleted_at IS NULL)");
        args[(*n)++] = DB_ARG_S(ms_req_query(r, "ancestor_id"));
    }
}

static int grid_build(ms_req *r, const prod_scope *s, const char *type_id, const char *kind,
                      ms_buf *out)
{
    db_stmt *st;
    int rc = db_query(r->db, &st, &r->err,
                      "SELECT id, name, color, department FROM task_type WHERE project_id = ? AND "
                      "for_kind = ? ORDER BY position, name",
                      "ss", s->project_id, kind);
    if (rc) return rc;
    ms_buf_puts(out, "{\"columns\":[");
    bool first = true;
    while ((rc = db_step(st, &r->err)) == DB_ROW) {
        if (!first) ms_buf_putc(out, ',');
        first = false;
        db_row_write_json(st, out);
    }
    db_done(st);
    if (rc < 0) return rc;

    /* Rows: with ancestor_id, the entities two levels down (the shots of an episode). A vendor
     * or client sees only rows holding a task they may see. */
    ms_buf sql;
    ms_buf_init(&sql);
    db_arg args[8];
    int n = 0;
    ms_buf_puts(&sql, "SELECT e.id, e.name, e.parent_id, pe.name, e.frame_in, e.frame_out, "
                      "e.fields FROM entity e LEFT JOIN entity pe ON pe.id = e.parent_id WHERE");
    grid_where(r, s->project_id, type_id, &sql, args, &n);
    if (s->kind == PROD_VENDOR || s->kind == PROD_CLIENT) {
        ms_buf_puts(&sql, " AND EXISTS (SELECT 1 FROM task t WHERE t.entity_id = e.id");
        prod_task_filter(s, &sql, args, &n);
        ms_buf_puts(&sql, ")");
    }
    ms_buf_puts(&sql, " ORDER BY pe.name, e.position, e.name");
    rc = sql.oom ? ms_req_fail(r, MS_ENOMEM, NULL, "out of memory")
                 : db_query_args(r->db, &st, &r->err, sql.data, args, n);
    ms_buf_free(&sql);
    if (rc) return rc;
    /* Each row's head is written to `heads` now; the rows' cells come from the second query. */
    ms_buf heads;
    ms_buf_init(&heads);
    size_t nrows = 0, cap = 0;
    row *rows = NULL;
    size_t *head_end = NULL;
    while ((rc = db_step(st, &r->err)) == DB_ROW) {
        if (nrows == cap) {
            size_t ncap = cap ? 2 * cap : 256;
            row *nr = ms_arena_alloc(r->arena, ncap * sizeof *nr);
            size_t *ne = ms_arena_alloc(r->arena, ncap * sizeof *ne);
            if (!nr || !ne) {
                rc = ms_req_fail(r, MS_ENOMEM, NULL, "out of memory");
                break;
            }
            if (nrows) {
                memcpy(nr, rows, nrows * sizeof *nr);
                memcpy(ne, head_end, nrows * sizeof *ne);
            }
            rows = nr;
            head_end = ne;
            cap = ncap;
        }
        row *w = &rows[nrows];
        w->id = ms_arena_strdup(r->arena, db_col_text(st, 0));
        w->cells = w->last = NULL;
        ms_buf_puts(&heads, "{\"id\":");
        ms_buf_put_json_str(&heads, w->id);
        ms_buf_puts(&heads, ",\"name\":");
        ms_buf_put_json_str(&heads, db_col_text(st, 1));
        ms_buf_puts(&heads, ",\"parent_id\":");
        put_str_or_null(&heads, st, 2);
        ms_buf_puts(&heads, ",\"parent_name\":");
        put_str_or_null(&heads, st, 3);
        ms_buf_puts(&heads, ",\"frame_in\":");
        put_int_or_null(&heads, st, 4);
        ms_buf_puts(&heads, ",\"frame_out\":");
        put_int_or_null(&heads, st, 5);
        ms_buf_puts(&heads, ",\"fields\":");
        ms_buf_puts(&heads, db_col_text(st, 6)); /* stored as checked JSON (entities.c) */
        ms_buf_puts(&heads, ",\"tasks\":{");
        head_end[nrows++] = heads.len;
    }
    db_done(st);
    if (rc < 0) {
        ms_buf_free(&heads);
        return rc;
    }

    /* Rows by id: open addressing over the row array. */
    size_t hcap = 16;
    while (hcap < 2 * nrows + 2)
        hcap *= 2;
    size_t *slot = ms_arena_alloc(r->arena, hcap * sizeof *slot);
    if (!slot) {
        ms_buf_free(&heads);
        return ms_req_fail(r, MS_ENOMEM, NULL, "out of memory");
    }
    for (size_t k = 0; k < hcap; k++)
        slot[k] = SIZE_MAX;
    for (size_t k = 0; k < nrows; k++) {
        size_t j = hash_str(rows[k].id) & (hcap - 1);
        while (slot[j] != SIZE_MAX)
            j = (j + 1) & (hcap - 1);
        slot[j] = k;
    }

    /* Cells: every visible task of those rows. */
    ms_buf_init(&sql);
    n = 0;
    ms_buf_puts(&sql, "SELECT t.entity_id, t.task_type_id, t.id, t.status_id, t.priority, "
                      "t.due_date, t.retake_count, '[' || COALESCE(");
    ms_buf_puts(&sql, prod_assignees_expr(r));
    ms_buf_puts(&sql, ", '') || ']' FROM task t JOIN entity e ON e.id = t.entity_id LEFT JOIN "
                      "entity pe ON pe.id = e.parent_id WHERE");
    grid_where(r, s->project_id, type_id, &sql, args, &n);
    prod_task_filter(s, &sql, args, &n);
    rc = sql.oom ? ms_req_fail(r, MS_ENOMEM, NULL, "out of memory")
                 : db_query_args(r->db, &st, &r->err, sql.data, args, n);
    ms_buf_free(&sql);
    if (rc) {
        ms_buf_free(&heads);
        return rc;
    }
    ms_buf c;
    ms_buf_init(&c);
    while ((rc = db_step(st, &r->err)) == DB_ROW) {
        const char *eid = db_col_text(st, 0);
        size_t j = hash_str(eid) & (hcap - 1);
        row *w = NULL;
        for (; slot[j] != SIZE_MAX; j = (j + 1) & (hcap - 1))
            if (!strcmp(rows[slot[j]].id, eid)) {
                w = &rows[slot[j]];
                break;
            }
        if (!w) continue; /* a row the vendor/client filter removed */
        ms_buf_reset(&c);
        ms_buf_put_json_str(&c, db_col_text(st, 1));
        ms_buf_puts(&c, ":{\"id\":");
        ms_buf_put_json_str(&c, db_col_text(st, 2));
        ms_buf_puts(&c, ",\"status_id\":");
        ms_buf_put_json_str(&c, db_col_text(st, 3));
        ms_buf_puts(&c, ",\"priority\":");
        ms_buf_put_i64(&c, db_col_int(st, 4));
        ms_buf_puts(&c, ",\"due_date\":");
        put_str_or_null(&c, st, 5);
        ms_buf_puts(&c, ",\"retake_count\":");
        ms_buf_put_i64(&c, db_col_int(st, 6));
        ms_buf_puts(&c, ",\"assignees\":");
        ms_buf_puts(&c, db_col_text(st, 7)); /* ids in quotes, built by the query */
        ms_buf_putc(&c, '}');
        cell *x = c.oom ? NULL : ms_arena_alloc(r->arena, sizeof *x + c.len);
        if (!x) {
            rc = ms_req_fail(r, MS_ENOMEM, NULL, "out of memory");
            break;
        }
        x->len = c.len;
        memcpy(x->text, c.data, c.len);
        x->next = NULL;
        if (w->last)
            w->last->next = x;
        else
            w->cells = x;
        w->last = x;
    }
    db_done(st);
    ms_buf_free(&c);
    if (rc < 0) {
        ms_buf_free(&heads);
        return rc;
    }

    ms_buf_puts(out, "],\"rows\":[");
    ms_buf_reserve(out, heads.len + 64 * nrows);
    for (size_t k = 0; k < nrows; k++) {
        if (k) ms_buf_putc(out, ',');
        size_t from = k ? head_end[k - 1] : 0;
        ms_buf_append(out, heads.data + from, head_end[k] - from);
        for (cell *x = rows[k].cells; x; x = x->next) {
            if (x != rows[k].cells) ms_buf_putc(out, ',');
            ms_buf_append(out, x->text, x->len);
        }
        ms_buf_puts(out, "}}");
    }
    ms_buf_puts(out, "]}");
    bool oom = heads.oom || out->oom;
    ms_buf_free(&heads);
    return oom ? ms_req_fail(r, MS_ENOMEM, NULL, "out of memory") : 0;
}

int h_grid(ms_req *r)
{
    static const char *const allowed[] = {"entity_type_id", "parent_id", "ancestor_id", NULL};
    int rc = ms_req_query_only(r, allowed);
    if (rc) return rc;
    prod_scope s;
    if ((rc = prod_scope_get(r, ms_req_param(r, "id"), &s))) return rc;
    const char *type_id = ms_req_query(r, "entity_type_id");
    if (!type_id) return ms_req_fail(r, MS_EBADREQ, "bad-query", "entity_type_id is required.");
    int64_t rev = 0;
    if ((rc = revision_get(r, s.project_id, &rev))) return rc;
    db_stmt *st;
    rc = db_query_row(r->db, &st, &r->err,
                      "SELECT kind FROM entity_type WHERE id = ? AND project_id = ?", "ss", type_id,
                      s.project_id);
    if (rc < 0) return rc;
    if (rc == DB_DONE)
        return ms_req_fail(r, MS_EBADREQ, "bad-query",
                           "entity_type_id is not one of this project's types.");
    char kind[16];
    ms_strlcpy(kind, db_col_text(st, 0), sizeof kind);
    db_done(st);

    /* Clients see a status-filtered grid, everyone but vendors the whole one. */
    bool cacheable = s.kind != PROD_VENDOR;
    const char *parent = ms_req_query(r, "parent_id"), *ancestor = ms_req_query(r, "ancestor_id");
    char *key =
        ms_arena_printf(r->arena, "%s|%s|%s|%s|%s", s.project_id, type_id, parent ? parent : "",
                        ancestor ? ancestor : "", s.kind == PROD_CLIENT ? "client" : "all");
    char *etag = ms_arena_printf(r->arena, "\"grid-%lld-%s\"", (long long)rev,
                                 s.kind == PROD_CLIENT ? "c" : "a");
    if (!key || !etag) return ms_req_fail(r, MS_ENOMEM, NULL, "out of memory");
    bool gzip = accepts_gzip(r);
    ms_reply_header(r, "Vary", "Accept-Encoding");
    if (cacheable) {
        if (gzip)
            etag = ms_arena_printf(r->arena, "\"grid-%lld-%s-gz\"", (long long)rev,
                                   s.kind == PROD_CLIENT ? "c" : "a");
        if (!etag) return ms_req_fail(r, MS_ENOMEM, NULL, "out of memory");
        ms_reply_header(r, "ETag", etag);
        ms_reply_header(r, "Cache-Control", "private, no-cache");
        if (r->if_none_match && strstr(r->if_none_match, etag)) return ms_reply(r, 304, NULL);
        grid_entry *e = grid_lookup(key, rev);
        if (e) {
            if (gzip && e->gz) {
                ms_reply_header(r, "Content-Encoding", "gzip");
                ms_buf_append(&r->out, e->gz, e->gz_len);
            } else {
                ms_buf_append(&r->out, e->body, e->len);
            }
            grid_release(e);
            if (r->out.oom) return ms_req_fail(r, MS_ENOMEM, NULL, "out of memory");
            r->out_type = "application/json";
            r->status = 200;
            return 0;
        }
    }
    ms_buf_reset(&r->out);
    if ((rc = grid_build(r, &s, type_id, kind, &r->out))) {
        ms_buf_reset(&r->out);
        return rc;
    }
    size_t gz_len = 0;
    char *gz = gzip || cacheable ? gzip_make(r->out.data, r->out.len, &gz_len) : NULL;
    if (cacheable) grid_store(key, rev, r->out.data, r->out.len, gz, gz_len);
    if (gzip && gz) {
        ms_buf_reset(&r->out);
        ms_buf_append(&r->out, gz, gz_len);
        ms_reply_header(r, "Content-Encoding", "gzip");
    }
    free(gz);
    if (r->out.oom) return ms_req_fail(r, MS_ENOMEM, NULL, "out of memory");
    r->out_type = "application/json";
    r->status = 200;
    return 0;
}
