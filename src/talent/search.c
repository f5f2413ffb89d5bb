/* search.c: what the search knows of a profile, and the search itself.
 *
 * talent_reindex keeps talent_doc (the summary of a profile's credits, its unavailable
 * ranges, and the folded text its row of the text index was made from) and that row in step
 * with the profile, in the transaction of every talent write (talent_touch). The text holds
 * only what every signed-in user may read (public and platform fields): names, headline,
 * the crafts' labels in English and Chinese, skills, and the titles, roles and companies of
 * credits when credits are public or platform. Unlisted and erased profiles have no row.
 * talent_index_rebuild makes every row again (after migrate-store, which does not copy the
 * index, or a change of the n-grams).
 *
 * GET /api/v1/talent/search checks its parameters, asks the attribute index (index.c) for
 * the ranked page, the total and the facets, and answers cards as the caller may read them.
 *
 * Not here: the filters, facets and ranking themselves (index.c); the text index's SQL
 * (store/db_text.c). */
#include "talent/talent_internal.h"

#include "core/textgram.h"
#include "store/db_text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FTS "talent_fts"

/* ---- talent_doc and the text index. ---- */

static void fold_piece(ms_buf *doc, const char *s)
{
    if (!s || !*s) return;
    ms_error e;
    size_t at = doc->len;
    if (tg_fold(s, strlen(s), doc, &e)) doc->len = at; /* never stored: validated input */
}

static void fold_strings(ms_buf *doc, const char *json, const char *key)
{
    json_t *j = json_loads(json ? json : "[]", 0, NULL), *x;
    size_t i;
    json_array_foreach(j, i, x) fold_piece(doc, key ? ms_json_str(x, key) : json_string_value(x));
    json_decref(j);
}

static void inc(json_t *o, const char *key, json_int_t by)
{
    json_t *v = json_object_get(o, key);
    json_object_set_new(o, key, json_integer((v ? json_integer_value(v) : 0) + by));
}

/* What a profile's document is made of, read by one profile (talent_reindex) or by a batch
 * of them (talent_index_rebuild: three queries per thousand profiles). Strings live in an
 * arena. */
typedef struct credit_row {
    const char *title, *role, *craft, *company, *org;
    int64_t year;
    bool verified;
} credit_row;

typedef struct range_row {
    const char *start, *end;
} range_row;

typedef struct prof_row {
    int64_t seq;
    const char *id, *vis, *primary, *names, *headline, *crafts, *skills;
    bool indexed; /* listed and not erased */
    credit_row *credits;
    int ncredits, ccap;
    range_row *ranges;
    int nranges, rcap;
} prof_row;

static char *adup(ms_arena *a, db_stmt *st, int col)
{
    const char *t = db_col_text(st, col);
    return t ? ms_arena_strdup(a, t) : NULL;
}

#define PROF_COLS                                                                                  \
    "seq, id, visibility, CASE WHEN listed <> 0 AND deleted_at IS NULL THEN 1 ELSE 0 END, "        \
    "primary_name, names, headline, crafts, skills"

static void prof_read(db_stmt *st, ms_arena *a, prof_row *p)
{
    memset(p, 0, sizeof *p);
    p->seq = db_col_int(st, 0);
    p->id = adup(a, st, 1);
    p->vis = adup(a, st, 2);
    p->indexed = db_col_int(st, 3) != 0;
    p->primary = adup(a, st, 4);
    p->names = adup(a, st, 5);
    p->headline = adup(a, st, 6);
    p->crafts = adup(a, st, 7);
    p->skills = adup(a, st, 8);
}

#define CREDIT_COLS                                                                                \
    "c.title, c.role, c.craft, c.year, c.company, c.org_id, CASE WHEN c.verified_at IS NULL THEN " \
    "0 ELSE 1 END"

/* Add the credit at columns `at`.. of `st` to `p`. */
static bool credit_read(db_stmt *st, int at, ms_arena *a, prof_row *p)
{
    if (p->ncredits == p->ccap) {
        int cap = p->ccap ? p->ccap * 2 : 8;
        credit_row *v = ms_arena_alloc(a, (size_t)cap * sizeof *v);
        if (!v) return false;
        if (p->ncredits) memcpy(v, p->credits, (size_t)p->ncredits * sizeof *v);
        p->credits = v;
        p->ccap = cap;
    }
    credit_row *cr = &p->credits[p->ncredits++];
    cr->title = adup(a, st, at);
    cr->role = adup(a, st, at + 1);
    cr->craft = adup(a, st, at + 2);
    cr->year = db_col_null(st, at + 3) ? 0 : db_col_int(st, at + 3);
    cr->company = adup(a, st, at + 4);
    cr->org = adup(a, st, at + 5);
    cr->verified = db_col_int(st, at + 6) != 0;
    return true;
}

static bool range_read(db_stmt *st, int at, ms_arena *a, prof_row *p)
{
    if (p->nranges == p->rcap) {
        int cap = p->rcap ? p->rcap * 2 : 4;
        range_row *v = ms_arena_alloc(a, (size_t)cap * sizeof *v);
        if (!v) return false;
        if (p->nranges) memcpy(v, p->ranges, (size_t)p->nranges * sizeof *v);
        p->ranges = v;
        p->rcap = cap;
    }
    p->ranges[p->nranges].start = adup(a, st, at);
    p->ranges[p->nranges].end = adup(a, st, at + 1);
    p->nranges++;
    return true;
}

/* The summary of the credits (talent_internal.h), and their words when `doc` is given. */
static char *credits_summary(const prof_row *p, ms_buf *doc)
{
    json_t *crafts = json_object(), *cv = json_object(), *cy = json_object(), *orgs = json_array();
    json_int_t n = 0, verified = 0, last = 0;
    for (int k = 0; k < p->ncredits; k++) {
        const credit_row *cr = &p->credits[k];
        n++;
        if (cr->verified) verified++;
        if (cr->year > last) last = cr->year;
        if (cr->craft && *cr->craft) {
            inc(crafts, cr->craft, 1);
            if (cr->verified) inc(cv, cr->craft, 1);
            json_t *y = json_object_get(cy, cr->craft);
            if (cr->year && (!y || json_integer_value(y) < cr->year))
                json_object_set_new(cy, cr->craft, json_integer(cr->year));
        }
        if (cr->verified && cr->org && *cr->org) {
            bool seen = false;
            size_t i;
            json_t *x;
            json_array_foreach(orgs, i, x) seen = seen || !strcmp(json_string_value(x), cr->org);
            if (!seen) json_array_append_new(orgs, json_string(cr->org));
        }
        if (doc) {
            fold_piece(doc, cr->title);
            fold_piece(doc, cr->role);
            fold_piece(doc, cr->company);
        }
    }
    json_t *o =
        json_pack("{s:I,s:I,s:o,s:o,s:o,s:o,s:I}", "n", n, "verified", verified, "crafts", crafts,
                  "crafts_verified", cv, "crafts_last_year", cy, "orgs", orgs, "last_year", last);
    char *out = o ? json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    json_decref(o);
    return out;
}

/* Write talent_doc and the text index row of `p`; `old` is the text its row was made from
 * (NULL: the index holds no row of it). */
static int doc_write(db_conn *c, const prof_row *p, const char *old, ms_error *err)
{
    talent_vis vis[TF_COUNT];
    talent_vis_from_json(p->vis, vis);
    ms_buf doc, un;
    ms_buf_init(&doc);
    ms_buf_init(&un);
    if (p->indexed) {
        fold_piece(&doc, p->primary);
        fold_strings(&doc, p->names, "name");
        if (vis[TF_HEADLINE] <= TV_PLATFORM) fold_piece(&doc, p->headline);
        if (vis[TF_SKILLS] <= TV_PLATFORM) fold_strings(&doc, p->skills, NULL);
        json_t *crafts = vis[TF_CRAFTS] <= TV_PLATFORM
                             ? json_loads(p->crafts ? p->crafts : "[]", 0, NULL)
                             : NULL;
        size_t i;
        json_t *x;
        json_array_foreach(crafts, i, x)
        {
            char en[128], zh[128];
            ms_error e;
            if (talent_craft_lookup(c, json_string_value(x), en, sizeof en, zh, sizeof zh, &e))
                continue;
            fold_piece(&doc, en);
            fold_piece(&doc, zh);
        }
        json_decref(crafts);
    }
    char *credits = credits_summary(p, p->indexed && vis[TF_CREDITS] <= TV_PLATFORM ? &doc : NULL);
    ms_buf_putc(&un, '[');
    for (int k = 0; k < p->nranges; k++) {
        ms_buf_puts(&un, k ? ",[" : "[");
        ms_buf_put_json_str(&un, p->ranges[k].start ? p->ranges[k].start : "");
        ms_buf_putc(&un, ',');
        ms_buf_put_json_str(&un, p->ranges[k].end ? p->ranges[k].end : "");
        ms_buf_putc(&un, ']');
    }
    ms_buf_putc(&un, ']');
    int rc = !credits || doc.oom || un.oom ? ms_fail(err, MS_ENOMEM, NULL, "out of memory") : 0;
    const char *text = doc.data ? doc.data : "";
    if (!rc)
        rc = db_exec(c, err,
                     "INSERT INTO talent_doc (seq, credits, unavailable, doc) VALUES (CAST(? AS "
                     "BIGINT), ?, ?, ?) ON CONFLICT (seq) DO UPDATE SET credits = "
                     "excluded.credits, unavailable = excluded.unavailable, doc = excluded.doc",
                     "Isss", p->seq, credits, un.data, text);
    if (rc >= 0) rc = db_text_put(c, FTS, p->seq, old, text, err);
    free(credits);
    ms_buf_free(&doc);
    ms_buf_free(&un);
    return rc < 0 ? rc : 0;
}

/* Make talent_doc and the text index row of `seq` again. */
static int reindex_one(db_conn *c, int64_t seq, ms_arena *a, ms_error *err)
{
    db_stmt *st;
    int rc = db_query_row(c, &st, err, "SELECT " PROF_COLS " FROM talent_profile WHERE seq = ?",
                          "I", seq);
    if (rc < 0) return rc;
    prof_row p;
    memset(&p, 0, sizeof p);
    bool found = rc == DB_ROW;
    if (found) {
        prof_read(st, a, &p);
        db_done(st);
    }
    const char *old = NULL;
    rc = db_query_row(c, &st, err, "SELECT doc FROM talent_doc WHERE seq = ?", "I", seq);
    if (rc < 0) return rc;
    if (rc == DB_ROW) {
        old = adup(a, st, 0);
        db_done(st);
    }
    if (!found) { /* gone: so is what the search knew of it */
        rc = db_text_put(c, FTS, seq, old, NULL, err);
        if (!rc) rc = db_exec(c, err, "DELETE FROM talent_doc WHERE seq = ?", "I", seq);
        return rc < 0 ? rc : 0;
    }
    /* The first profile of a new instance: the (empty) index is complete, so say so now;
     * otherwise the first search would rebuild what every write has kept up to date (a
     * database copied by migrate-store has profiles already, and no marker: it rebuilds). */
    if (!old) {
        rc = db_query_row(c, &st, err, "SELECT 1 FROM talent_doc LIMIT 1", "");
        if (rc == DB_ROW) db_done(st);
        bool marked = true;
        if (rc == DB_DONE) rc = db_text_marker(c, FTS, &marked, err);
        if (rc == 0 && !marked) rc = db_text_mark(c, FTS, err);
        if (rc < 0) return rc;
    }
    rc =
        db_query(c, &st, err,
                 "SELECT " CREDIT_COLS " FROM talent_credit c WHERE c.profile_id = ? ORDER BY c.id",
                 "s", p.id);
    if (rc) return rc;
    while ((rc = db_step(st, err)) == DB_ROW)
        if (!credit_read(st, 0, a, &p)) break;
    db_done(st);
    if (rc == DB_ROW) rc = ms_fail(err, MS_ENOMEM, NULL, "out of memory");
    if (rc < 0) return rc;
    rc = db_query(c, &st, err,
                  "SELECT start_date, end_date FROM talent_unavailable WHERE profile_id = ? ORDER "
                  "BY start_date, end_date",
                  "s", p.id);
    if (rc) return rc;
    while ((rc = db_step(st, err)) == DB_ROW)
        if (!range_read(st, 0, a, &p)) break;
    db_done(st);
    if (rc == DB_ROW) rc = ms_fail(err, MS_ENOMEM, NULL, "out of memory");
    if (rc < 0) return rc;
    return doc_write(c, &p, old, err);
}

int talent_reindex(db_conn *c, int64_t seq, ms_error *err)
{
    ms_arena a;
    ms_arena_init(&a, 16 * 1024);
    int rc = reindex_one(c, seq, &a, err);
    ms_arena_free(&a);
    return rc;
}

#define REBUILD_BATCH 1000

/* The profile of `seq` in a batch sorted by seq (NULL when not in it). */
static prof_row *batch_find(prof_row *v, int n, int64_t seq)
{
    int lo = 0, hi = n - 1;
    while (lo <= hi) {
        int mid = (lo + hi) / 2;
        if (v[mid].seq == seq) return &v[mid];
        if (v[mid].seq < seq)
            lo = mid + 1;
        else
            hi = mid - 1;
    }
    return NULL;
}

/* One batch: the profiles with seq in (after, ...], their credits and ranges in two more
 * queries, then each document written. Sets *last to the batch's last seq, *n its size. */
static int rebuild_batch(db_conn *c, int64_t after, ms_arena *a, prof_row *v, int *n, ms_error *err)
{
    db_stmt *st;
    *n = 0;
    int rc = db_query(c, &st, err,
                      "SELECT " PROF_COLS " FROM talent_profile WHERE seq > ? ORDER BY seq LIMIT ?",
                      "Ii", after, REBUILD_BATCH);
    if (rc) return rc;
    while ((rc = db_step(st, err)) == DB_ROW)
        prof_read(st, a, &v[(*n)++]);
    db_done(st);
    if (rc < 0 || !*n) return rc < 0 ? rc : 0;
    int64_t last = v[*n - 1].seq;
    rc = db_query(c, &st, err,
                  "SELECT p.seq, " CREDIT_COLS " FROM talent_profile p JOIN talent_credit c ON "
                  "c.profile_id = p.id WHERE p.seq > ? AND p.seq <= ? ORDER BY p.seq, c.id",
                  "II", after, last);
    if (rc) return rc;
    while ((rc = db_step(st, err)) == DB_ROW) {
        prof_row *p = batch_find(v, *n, db_col_int(st, 0));
        if (p && !credit_read(st, 1, a, p)) break;
    }
    db_done(st);
    if (rc == DB_ROW) rc = ms_fail(err, MS_ENOMEM, NULL, "out of memory");
    if (rc < 0) return rc;
    rc = db_query(c, &st, err,
                  "SELECT p.seq, u.start_date, u.end_date FROM talent_profile p JOIN "
                  "talent_unavailable u ON u.profile_id = p.id WHERE p.seq > ? AND p.seq <= ? "
                  "ORDER BY p.seq, u.start_date, u.end_date",
                  "II", after, last);
    if (rc) return rc;
    while ((rc = db_step(st, err)) == DB_ROW) {
        prof_row *p = batch_find(v, *n, db_col_int(st, 0));
        if (p && !range_read(st, 1, a, p)) break;
    }
    db_done(st);
    if (rc == DB_ROW) rc = ms_fail(err, MS_ENOMEM, NULL, "out of memory");
    for (int i = 0; rc >= 0 && i < *n; i++)
        rc = doc_write(c, &v[i], NULL, err);
    return rc < 0 ? rc : 0;
}

int talent_index_rebuild(db_conn *c, ms_error *err)
{
    int rc = db_text_clear(c, FTS, err);
    prof_row *v = malloc(REBUILD_BATCH * sizeof *v);
    if (!v) return ms_fail(err, MS_ENOMEM, NULL, "out of memory");
    ms_arena a;
    ms_arena_init(&a, 256 * 1024);
    int64_t after = 0;
    while (!rc) {
        int n;
        ms_arena_reset(&a);
        rc = rebuild_batch(c, after, &a, v, &n, err);
        if (rc || n < REBUILD_BATCH) break;
        after = v[n - 1].seq;
    }
    ms_arena_free(&a);
    free(v);
    if (!rc) rc = db_text_mark(c, FTS, err);
    return rc;
}

/* ---- GET /api/v1/talent/search ---- */

static int no_term(void *ctx, int term, int idx, const char *tok, size_t len)
{
    (void)ctx, (void)term, (void)idx, (void)tok, (void)len;
    return 0;
}

/* "a,b,c" into at most `max` pieces (in the arena); false when there are more. */
static bool split_commas(ms_req *r, const char *s, const char **out, int max, int *n)
{
    *n = 0;
    char *copy = ms_arena_strdup(r->arena, s);
    for (char *save = NULL, *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        while (*t == ' ')
            t++;
        if (!*t) continue;
        if (*n == max) return false;
        out[(*n)++] = t;
    }
    return true;
}

static char *fold_arena(ms_req *r, const char *s)
{
    ms_buf b;
    ms_buf_init(&b);
    ms_error e;
    if (tg_fold(s, strlen(s), &b, &e) || !b.data) {
        ms_buf_free(&b);
        return NULL;
    }
    char *out = ms_arena_strdup(r->arena, b.data);
    ms_buf_free(&b);
    return out;
}

static bool country_ok(const char *s, char out[3])
{
    if (!s || strlen(s) != 2) return false;
    for (int i = 0; i < 2; i++) {
        char ch = s[i];
        if (ch >= 'a' && ch <= 'z') ch = (char)(ch - 'a' + 'A');
        if (ch < 'A' || ch > 'Z') return false;
        out[i] = ch;
    }
    out[2] = 0;
    return true;
}

static int bad_query(ms_req *r)
{
    r->err.code = MS_EBADREQ;
    snprintf(r->err.type, sizeof r->err.type, "bad-query");
    snprintf(r->err.detail, sizeof r->err.detail, "Some search parameters are invalid.");
    return MS_EBADREQ;
}

static json_t *facet_json(const talent_facet *f, int n)
{
    json_t *a = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(
            a, json_pack("{s:s,s:I}", "value", f[i].value, "count", (json_int_t)f[i].count));
    return a;
}

/* The organization facet with names (one query for its few ids). */
static int org_facet_json(ms_req *r, const talent_facet *f, int n, json_t **out)
{
    json_t *a = json_array();
    *out = a;
    for (int i = 0; i < n; i++) {
        db_stmt *st;
        int rc =
            db_query_row(r->db, &st, &r->err, "SELECT name FROM org WHERE id = ?", "s", f[i].value);
        if (rc < 0) return rc;
        json_t *o =
            json_pack("{s:s,s:s,s:I}", "value", f[i].value, "name",
                      rc == DB_ROW ? db_col_text(st, 0) : "", "count", (json_int_t)f[i].count);
        if (rc == DB_ROW) db_done(st);
        json_array_append_new(a, o);
    }
    return 0;
}

/* A query parameter, or NULL when absent or empty (a form's blank field filters nothing). */
static const char *param(ms_req *r, const char *name)
{
    const char *v = ms_req_query(r, name);
    return v && *v ? v : NULL;
}

int h_talent_search(ms_req *r)
{
    static const char *const allowed[] = {
        "q",   "craft",          "language",     "level", "country", "city",
        "org", "available_from", "available_to", "limit", "cursor",  NULL};
    if (ms_req_query_only(r, allowed)) return r->err.code;
    talent_search_q q;
    memset(&q, 0, sizeof q);
    int64_t limit;
    if (ms_req_query_int(r, "limit", 20, 1, 100, &limit)) return r->err.code;
    q.limit = (int)limit;
    const char *v;
    if ((v = ms_req_query(r, "cursor")) && *v) {
        uint8_t raw[64];
        long n = strlen(v) < 80 ? ms_b64url_decode(v, raw, sizeof raw - 1) : -1;
        unsigned long long key = 0;
        char tail;
        if (n > 0) raw[n] = 0;
        if (n <= 1 || raw[0] != 'k' || sscanf((char *)raw + 1, "%llu%c", &key, &tail) != 1 || !key)
            ms_field_fail(&r->err, "cursor", "is not a cursor this server issued");
        q.after = key;
    }
    if ((v = ms_req_query(r, "q"))) {
        ms_error e;
        ms_error_clear(&e);
        while (*v == ' ')
            v++;
        if (ms_utf8_chars(v) > 200)
            ms_field_fail(&r->err, "q", "must be at most 200 characters");
        else if (*v && tg_query_terms(v, strlen(v), no_term, NULL, &e) < 0)
            ms_field_fail(&r->err, "q", "%s", e.detail);
        else if (*v) {
            q.text = v;
            q.folded = fold_arena(r, v);
        }
    }
    if ((v = param(r, "craft"))) {
        if (!split_commas(r, v, q.crafts, 16, &q.ncrafts) || !q.ncrafts)
            ms_field_fail(&r->err, "craft", "must be one to 16 craft codes separated by commas");
        for (int i = 0; i < q.ncrafts; i++)
            if (!talent_craft_valid(r, q.crafts[i])) {
                ms_field_fail(&r->err, "craft", "%s is not a craft (see GET /api/v1/talent/crafts)",
                              ms_str_is_clean_text(q.crafts[i], 64, false) ? q.crafts[i] : "?");
                break;
            }
    }
    if ((v = param(r, "language"))) {
        if (!ms_locale_valid(v))
            ms_field_fail(&r->err, "language", "must be a language tag (bo, zh-Hans, en)");
        q.language = v;
    }
    if ((v = param(r, "level"))) {
        q.level = talent_lang_level(v);
        if (!q.level)
            ms_field_fail(&r->err, "level",
                          "must be one of: native, fluent, professional, conversational, basic");
        else if (!q.language)
            ms_field_fail(&r->err, "level", "needs a language");
    }
    char country[3];
    if ((v = param(r, "country"))) {
        if (!country_ok(v, country))
            ms_field_fail(&r->err, "country", "must be a two-letter country code (CN)");
        q.country = country;
    }
    if ((v = param(r, "city"))) {
        q.city = ms_str_is_clean_text(v, 400, false) ? fold_arena(r, v) : NULL;
        if (!q.city || !*q.city) ms_field_fail(&r->err, "city", "must name a city");
    }
    if ((v = param(r, "org"))) {
        if (!ms_uuid_valid(v)) ms_field_fail(&r->err, "org", "must be an organization id");
        q.org = v;
    }
    const char *from = param(r, "available_from"), *to = param(r, "available_to");
    if (from || to) {
        bool from_ok = from && talent_day_parse(from, &q.from);
        if (!from)
            ms_field_fail(&r->err, "available_from", "is needed with available_to");
        else if (!from_ok)
            ms_field_fail(&r->err, "available_from", "must be a date YYYY-MM-DD");
        q.to = q.from;
        if (to && !talent_day_parse(to, &q.to))
            ms_field_fail(&r->err, "available_to", "must be a date YYYY-MM-DD");
        else if (from_ok && q.to < q.from)
            ms_field_fail(&r->err, "available_to", "is before available_from");
        else if (from_ok && q.to - q.from > 366)
            ms_field_fail(&r->err, "available_to", "must be at most a year after available_from");
        q.window = true;
    }
    if (r->err.nfields) return bad_query(r);

    talent_search_res res;
    int rc = talent_ix_search(r, &q, &res);
    if (rc) return rc;
    json_t *items = json_array();
    for (int i = 0; i < res.nhits; i++) {
        json_t *card;
        rc = talent_card_json(r, res.hits[i].seq, &card);
        if (rc == MS_ENOTFOUND) { /* erased since: the index catches up on the next request */
            ms_error_clear(&r->err);
            continue;
        }
        if (rc) {
            json_decref(items);
            return rc;
        }
        json_object_set_new(card, "score", json_integer(res.hits[i].score));
        json_object_set_new(card, "available",
                            q.window ? json_string(talent_avail_name(res.hits[i].avail))
                                     : json_null());
        json_array_append_new(items, card);
    }
    json_t *orgs;
    if ((rc = org_facet_json(r, res.facets[4], res.nfacets[4], &orgs))) {
        json_decref(items);
        json_decref(orgs);
        return rc;
    }
    json_t *facets =
        json_pack("{s:o,s:o,s:o,s:o,s:o}", "craft", facet_json(res.facets[0], res.nfacets[0]),
                  "language", facet_json(res.facets[1], res.nfacets[1]), "country",
                  facet_json(res.facets[2], res.nfacets[2]), "city",
                  facet_json(res.facets[3], res.nfacets[3]), "org", orgs);
    json_t *cursor = json_null();
    if (res.more && res.nhits) {
        char key[32];
        snprintf(key, sizeof key, "k%llu", (unsigned long long)res.hits[res.nhits - 1].key);
        const char *c = ms_cursor_encode(r->arena, key);
        if (c) {
            json_decref(cursor);
            cursor = json_string(c);
        }
    }
    return ms_reply(r, 200,
                    json_pack("{s:o,s:I,s:o,s:o}", "items", items, "total", (json_int_t)res.total,
                              "facets", facets, "next_cursor", cursor));
}
