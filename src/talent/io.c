/* io.c: CSV import and export of an organization's people and their credits - the API
 * (POST /orgs/{id}/talent/import, GET /orgs/{id}/talent/export) and the command line
 * (`mstation talent import|export|reindex`), which run the same code.
 *
 * Import. The file is read by core/csv.h, which calls back per record; the header maps onto a
 * fixed table of columns (any case; an unknown column is an error, reported with the header's
 * row). Every row is checked, all of them, and every problem is reported as {row, line,
 * column, message}. A people row is keyed by `ref` (the organization's own key for the
 * person, unique in the organization) or `profile_id`; a new key creates a profile the
 * organization stewards (it needs the person's consent, attested per row or for the whole
 * file by ?consent=attested, and recorded as such), a known one updates the columns the file
 * has: an empty cell clears that field, a column the file does not have is left as it is.
 * People rows are checked by the profile API's own check and written by its own functions
 * (talent_input_check, talent_profile_insert/_apply in profiles.c), which touch the profile.
 * A credits row names its person by `ref` (people of this organization, those imported
 * before or given to the same command) or `profile_id` (a profile the organization stewards,
 * or whose account is a member of it); credits are checked by the credits API's own check
 * (talent_credit_check, credits.c), and each profile they changed is touched once when the
 * transaction ends (talent_touch_conn: revision, talent_doc, text index).
 *
 * All or nothing: rows are written as they are read (cached prepared statements); when any
 * row is bad the transaction is rolled back and the answer is 422 with the list. A dry run
 * does everything and rolls back. The command line instead reads each file twice: the first
 * pass only checks (nothing written), the second writes in transactions of --batch rows (a
 * crew database of a million people is one command, not one transaction). When the file
 * brings at least as many people as there were (a first load), new people are written one
 * INSERT each without a touch (talent_profile_insert_untouched), every changed profile gets the
 * transaction's revision, and the text index is built once at the end (talent_index_rebuild):
 * indexing a million people one by one, then again for their credits, would cost twice the time for
 * the same index.
 *
 * Export. The profiles the organization stewards (not erased), each field as the
 * organization's members may read it (talent_sees: what they may not see is an empty cell),
 * in the same columns, so that an export imports back unchanged.
 *
 * Not here: headline, bio, education, showreel, visibility and unavailability (the profile
 * API and the person set those), deleting what a file does not list, XLSX. Claimed profiles
 * belong to their person: a people row that names one is skipped with a notice. */
#include "core/csv.h"
#include "core/money.h"
#include "talent/talent_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define IMPORT_BODY_MAX (64u << 20) /* bytes of an import through the API */
#define ERRORS_SHOWN    1000        /* row errors listed; more_errors counts the rest */
#define NOTICES_SHOWN   200
#define EXPORT_FLUSH    (1u << 20)
#define CLI_BATCH       50000
#define REBUILD_MIN     10000 /* profiles touched from which the CLI rebuilds the index */

enum { KIND_PEOPLE = 0, KIND_CREDITS = 1 };

/* ---- Columns. ---- */

enum {
    P_REF,
    P_PROFILE_ID,
    P_PRIMARY_NAME,
    P_OTHER_NAMES,
    P_CRAFTS,
    P_SKILLS,
    P_LANGUAGES,
    P_COUNTRY,
    P_REGION,
    P_CITY,
    P_TRAVEL,
    P_AFFILIATIONS,
    P_EMAIL,
    P_PHONE,
    P_WEBSITE,
    P_DAY_RATE,
    P_WEEK_RATE,
    P_CURRENCY,
    P_LISTED,
    P_CONSENT,
    P_COUNT
};

static const ms_csv_column people_cols[] = {
    {"ref", "ref|reference", false},
    {"profile_id", "profile_id", false},
    {"primary_name", "primary_name|name", false},
    {"other_names", "other_names", false},
    {"crafts", "crafts|craft", false},
    {"skills", "skills", false},
    {"languages", "languages", false},
    {"country", "country", false},
    {"region", "region", false},
    {"city", "city", false},
    {"travel", "travel", false},
    {"affiliations", "affiliations", false},
    {"email", "email|e-mail", false},
    {"phone", "phone", false},
    {"website", "website", false},
    {"day_rate", "day_rate", false},
    {"week_rate", "week_rate", false},
    {"currency", "currency", false},
    {"listed", "listed", false},
    {"consent_attested", "consent_attested", false},
    {NULL, NULL, false},
};

enum { C_REF, C_PROFILE_ID, C_TITLE, C_ROLE, C_CRAFT, C_YEAR, C_COMPANY, C_COUNT };

static const ms_csv_column credit_cols[] = {
    {"ref", "ref|reference", false}, {"profile_id", "profile_id", false},
    {"title", "title", true},        {"role", "role", true},
    {"craft", "craft", false},       {"year", "year", false},
    {"company", "company", false},   {NULL, NULL, false},
};

/* ---- A map of strings to indexes (open addressing; keys owned by the caller). ---- */

typedef struct smap {
    const char **keys;
    uint32_t *vals;
    size_t cap, n;
} smap;

static uint64_t str_hash(const char *s)
{
    uint64_t h = 1469598103934665603ull;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

static bool smap_grow(smap *m)
{
    size_t cap = m->cap ? m->cap * 2 : 1024;
    const char **k = calloc(cap, sizeof *k);
    uint32_t *v = calloc(cap, sizeof *v);
    if (!k || !v) {
        free(k);
        free(v);
        return false;
    }
    for (size_t i = 0; i < m->cap; i++) {
        if (!m->keys[i]) continue;
        size_t j = str_hash(m->keys[i]) & (cap - 1);
        while (k[j])
            j = (j + 1) & (cap - 1);
        k[j] = m->keys[i];
        v[j] = m->vals[i];
    }
    free(m->keys);
    free(m->vals);
    m->keys = k;
    m->vals = v;
    m->cap = cap;
    return true;
}

#define SMAP_GONE UINT32_MAX /* a key that no longer names anything (a ref given up) */

static bool smap_get(const smap *m, const char *key, uint32_t *out)
{
    if (!m->cap) return false;
    for (size_t j = str_hash(key) & (m->cap - 1); m->keys[j]; j = (j + 1) & (m->cap - 1))
        if (!strcmp(m->keys[j], key)) {
            *out = m->vals[j];
            return m->vals[j] != SMAP_GONE;
        }
    return false;
}

/* Set (or replace) key -> val. */
static bool smap_put(smap *m, const char *key, uint32_t val)
{
    if ((m->n + 1) * 2 > m->cap && !smap_grow(m)) return false;
    size_t j = str_hash(key) & (m->cap - 1);
    for (; m->keys[j]; j = (j + 1) & (m->cap - 1))
        if (!strcmp(m->keys[j], key)) {
            m->vals[j] = val;
            return true;
        }
    m->keys[j] = key;
    m->vals[j] = val;
    m->n++;
    return true;
}

static void smap_free(smap *m)
{
    free(m->keys);
    free(m->vals);
    memset(m, 0, sizeof *m);
}

/* Strings that live as long as the import (an arena of big blocks that is never reset). */
typedef struct spool {
    char **blocks;
    size_t nblocks, used, size;
} spool;

static char *spool_dup(spool *p, const char *s)
{
    size_t n = strlen(s) + 1;
    if (!p->nblocks || p->used + n > p->size) {
        size_t size = n > (1u << 20) ? n : (1u << 20);
        char **b = realloc(p->blocks, (p->nblocks + 1) * sizeof *b);
        if (!b) return NULL;
        p->blocks = b;
        if (!(b[p->nblocks] = malloc(size))) return NULL;
        p->nblocks++;
        p->used = 0;
        p->size = size;
    }
    char *d = p->blocks[p->nblocks - 1] + p->used;
    memcpy(d, s, n);
    p->used += n;
    return d;
}

static void spool_free(spool *p)
{
    for (size_t i = 0; i < p->nblocks; i++)
        free(p->blocks[i]);
    free(p->blocks);
    memset(p, 0, sizeof *p);
}

/* ---- The import. ---- */

/* A profile the import knows: the organization's, and others its credits rows named. */
typedef struct iprof {
    int64_t seq; /* 0: created by an earlier row of a check-only pass */
    const char *id;
    const char *ref; /* NULL when none */
    bool claimed, existed, touched;
    size_t row; /* the people row of this file that named it (0: none) */
} iprof;

struct talent_import {
    ms_req *r;
    db_conn *c;
    const char *org_id, *user_id;
    int kind;
    bool consent_all; /* ?consent=attested */
    bool write;       /* false: check only */
    bool touch;       /* touch profiles (false: the caller rebuilds the index) */
    bool is_cli;
    bool lazy; /* profiles are looked up as rows name them (profiles_load) */
    char now[MS_TIME_LEN];
    int64_t rev;
    char delim;
    ms_arena ra; /* per row */
    ms_buf b;    /* scratch for JSON */

    iprof *p;
    size_t np, capp;
    smap by_ref, by_id;
    spool strings;
    size_t *touched; /* indexes into p of the profiles changed since the last touch_all */
    size_t ntouched, captouched;

    ms_csv_map map;
    int col[P_COUNT];
    const char *colname[P_COUNT];
    bool header_ok;

    const ms_csv_record *rec;
    int row_errors;

    int64_t rows, created, updated, unchanged, skipped, bad_rows, errors_total, notices_total;
    int64_t credits_created;
    json_t *errors, *notices;

    /* The command line: rows per transaction, and rows since the last commit. */
    int64_t batch, in_batch;
};

typedef struct talent_import imp;

static int oom(imp *im)
{
    return ms_fail(&im->r->err, MS_ENOMEM, NULL, "out of memory");
}

static void row_error(imp *im, const char *column, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void row_error(imp *im, const char *column, const char *fmt, ...)
{
    im->row_errors++;
    im->errors_total++;
    if (json_array_size(im->errors) >= ERRORS_SHOWN) return;
    char msg[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    msg[ms_utf8_whole(msg, strlen(msg))] = 0;
    size_t row = im->rec ? im->rec->row : 0, line = im->rec ? im->rec->line : 0;
    json_t *o = ms_csv_error_json(row, line, column, msg);
    json_array_append_new(im->errors, o);
}

static void row_notice(imp *im, const char *column, const char *msg)
{
    im->notices_total++;
    if (json_array_size(im->notices) >= NOTICES_SHOWN) return;
    json_array_append_new(im->notices, json_pack("{s:I,s:s?,s:s}", "row", (json_int_t)im->rec->row,
                                                 "column", column, "message", msg));
}

static iprof *prof_add(imp *im, int64_t seq, const char *id, const char *ref, bool claimed,
                       bool existed)
{
    if (im->np == im->capp) {
        size_t cap = im->capp ? im->capp * 2 : 1024;
        iprof *q = realloc(im->p, cap * sizeof *q);
        if (!q) return NULL;
        im->p = q;
        im->capp = cap;
    }
    iprof *p = &im->p[im->np];
    memset(p, 0, sizeof *p);
    p->seq = seq;
    p->claimed = claimed;
    p->existed = existed;
    if (!(p->id = spool_dup(&im->strings, id))) return NULL;
    if (ref && *ref && !(p->ref = spool_dup(&im->strings, ref))) return NULL;
    if (!smap_put(&im->by_id, p->id, (uint32_t)im->np)) return NULL;
    if (p->ref && !smap_put(&im->by_ref, p->ref, (uint32_t)im->np)) return NULL;
    im->np++;
    return p;
}

/* The organization's profiles (not erased), by ref and by id: all of them at once, unless the
 * organization keeps more than LAZY_FROM (then each is looked up when a row names it, so that
 * ten rows into a million-people organization do not read a million). */
#define LAZY_FROM 50000

static int profiles_load(imp *im)
{
    db_stmt *st;
    int rc = db_query_row(im->c, &st, &im->r->err,
                          "SELECT COUNT(*) FROM talent_profile WHERE steward_org_id = ? AND "
                          "deleted_at IS NULL",
                          "s", im->org_id);
    if (rc < 0) return rc;
    int64_t n = rc == DB_ROW ? db_col_int(st, 0) : 0;
    if (rc == DB_ROW) db_done(st);
    if ((im->lazy = n > LAZY_FROM)) return 0;
    rc = db_query(im->c, &st, &im->r->err,
                  "SELECT seq, id, ref, user_id FROM talent_profile WHERE steward_org_id = ? "
                  "AND deleted_at IS NULL ORDER BY seq",
                  "s", im->org_id);
    if (rc) return rc;
    while ((rc = db_step(st, &im->r->err)) == DB_ROW)
        if (!prof_add(im, db_col_int(st, 0), db_col_text(st, 1), db_col_text(st, 2),
                      !db_col_null(st, 3), true)) {
            rc = oom(im);
            break;
        }
    db_done(st);
    return rc < 0 ? rc : 0;
}

/* A profile of the organization by ref or by id ("ref" / "id" in `col`): from the map, or
 * (lazy) from the database, then kept in the map. false when there is none. */
static int find_prof(imp *im, bool by_ref, const char *key, uint32_t *out, bool *found)
{
    *found = smap_get(by_ref ? &im->by_ref : &im->by_id, key, out);
    if (*found || !im->lazy || (!by_ref && !ms_uuid_valid(key))) return 0;
    db_stmt *st;
    int rc = db_query_row(im->c, &st, &im->r->err,
                          by_ref ? "SELECT seq, id, ref, user_id FROM talent_profile WHERE "
                                   "steward_org_id = ? AND ref = ? AND deleted_at IS NULL"
                                 : "SELECT seq, id, ref, user_id FROM talent_profile WHERE "
                                   "steward_org_id = ? AND id = ? AND deleted_at IS NULL",
                          "ss", im->org_id, key);
    if (rc < 0) return rc;
    if (rc == DB_DONE) return 0;
    /* Known already by its other key (a row named it by id, this one by ref)? */
    const char *id = db_col_text(st, 1), *ref = db_col_text(st, 2);
    uint32_t i;
    if (smap_get(&im->by_id, id, &i) || (ref && smap_get(&im->by_ref, ref, &i))) {
        iprof *p = &im->p[i];
        if (by_ref && p->ref && strcmp(p->ref, key)) { /* this import gave that ref up */
            db_done(st);
            return 0;
        }
        if (ref && !p->ref) {
            if (!(p->ref = spool_dup(&im->strings, ref)) || !smap_put(&im->by_ref, p->ref, i)) {
                db_done(st);
                return oom(im);
            }
        }
        p->claimed = p->claimed || !db_col_null(st, 3);
        *out = i;
    } else {
        if (!prof_add(im, db_col_int(st, 0), id, ref, !db_col_null(st, 3), true)) {
            db_done(st);
            return oom(im);
        }
        *out = (uint32_t)(im->np - 1);
    }
    db_done(st);
    *found = true;
    return 0;
}

/* Remember that profile i changed; it is touched when the transaction ends. */
static int mark_touched(imp *im, size_t i)
{
    iprof *p = &im->p[i];
    if (p->touched || !p->seq) return 0;
    if (im->ntouched == im->captouched) {
        size_t cap = im->captouched ? im->captouched * 2 : 1024;
        size_t *t = realloc(im->touched, cap * sizeof *t);
        if (!t) return oom(im);
        im->touched = t;
        im->captouched = cap;
    }
    im->touched[im->ntouched++] = i;
    p->touched = true;
    return 0;
}

/* Touch what changed since the last call (talent_touch_conn). When the caller rebuilds the
 * whole index afterwards (the command line's bulk loads), the profiles only take this
 * transaction's revision, so that the server's in-memory index reloads them. */
static int touch_all(imp *im)
{
    for (size_t i = 0; i < im->ntouched; i++) {
        iprof *p = &im->p[im->touched[i]];
        int rc = im->touch ? talent_touch_conn(im->c, p->seq, &im->r->err)
                           : db_exec(im->c, &im->r->err,
                                     "UPDATE talent_profile SET rev = CAST(? AS BIGINT) WHERE seq "
                                     "= CAST(? AS BIGINT) AND rev < CAST(? AS BIGINT)",
                                     "III", im->rev, p->seq, im->rev);
        if (rc < 0) return rc;
        p->touched = false;
    }
    im->ntouched = 0;
    return 0;
}

/* The talent revision this transaction's rows are stamped with. */
static int revision_raise(imp *im)
{
    /* As talent_touch_conn: the row is made by the first write (migrations seed no rows). */
    int rc = db_exec(im->c, &im->r->err,
                     "INSERT INTO talent_revision (id, rev) VALUES (1, 1) ON CONFLICT (id) DO "
                     "UPDATE SET rev = talent_revision.rev + 1",
                     "");
    if (rc < 0) return rc;
    db_stmt *st;
    rc = db_query_row(im->c, &st, &im->r->err, "SELECT rev FROM talent_revision WHERE id = 1", "");
    if (rc < 0) return rc;
    im->rev = rc == DB_ROW ? db_col_int(st, 0) : 1;
    if (rc == DB_ROW) db_done(st);
    return 0;
}

/* ---- Cells. ---- */

static bool cell_at(imp *im, int c, const char **s, size_t *n)
{
    return ms_csv_get_trimmed(im->rec, c, s, n);
}

/* The trimmed cell of column k as a string of the row arena ("" when blank or absent). */
static char *cell(imp *im, int k)
{
    const char *s;
    size_t n;
    cell_at(im, im->col[k], &s, &n);
    return ms_arena_strndup(&im->ra, s, n);
}

static bool has_col(const imp *im, int k)
{
    return im->col[k] >= 0;
}

static const char *cname(const imp *im, int k)
{
    const ms_csv_column *t = im->kind == KIND_PEOPLE ? people_cols : credit_cols;
    return im->colname[k] ? im->colname[k] : t[k].key;
}

/* Split s at `sep` into trimmed, non-empty items (in place). */
static int split(char *s, char sep, char **items, int max)
{
    int n = 0;
    while (s && *s) {
        char *e = strchr(s, sep);
        if (e) *e = 0;
        while (*s == ' ' || *s == '\t')
            s++;
        char *t = s + strlen(s);
        while (t > s && (t[-1] == ' ' || t[-1] == '\t'))
            *--t = 0;
        if (*s) {
            if (n == max) return -1;
            items[n++] = s;
        }
        s = e ? e + 1 : NULL;
    }
    return n;
}

/* Split s at `sep` keeping empty parts (name|kind|member_id), trimmed, in place. */
static int split_keep(char *s, char sep, char **items, int max)
{
    int n = 0;
    for (;;) {
        char *e = strchr(s, sep);
        if (e) *e = 0;
        while (*s == ' ' || *s == '\t')
            s++;
        char *t = s + strlen(s);
        while (t > s && (t[-1] == ' ' || t[-1] == '\t'))
            *--t = 0;
        if (n == max) return -1;
        items[n++] = s;
        if (!e) return n;
        s = e + 1;
    }
}

/* ---- People rows. ----
 *
 * A people row becomes a profile body in the API's shape (POST /talent/profiles), checked by
 * the profile API's own check (talent_input_check, profiles.c), and is written by the same
 * functions (talent_profile_insert / talent_profile_apply, which touch the profile). The
 * file's syntax for lists ("a; b", "name|script", "tag:level", "name|kind|member id") is the
 * only thing read here. The body's errors name its keys ("languages/2"): they are told by the
 * file's column, with the list item they are about. */

/* A cell's list, split at ';' into items in the row's arena (NULL when out of memory). How
 * many items a list may hold is the profile check's to say (talent_input_check). */
static char **list_cell(imp *im, int k, int *n)
{
    char *s = cell(im, k);
    int max = 1;
    for (const char *p = s; *p; p++)
        max += *p == ';';
    char **items = ms_arena_alloc(&im->ra, (size_t)max * sizeof *items);
    if (!items) {
        row_error(im, cname(im, k), "out of memory");
        *n = 0;
        return NULL;
    }
    *n = split(s, ';', items, max);
    return items;
}

/* The column a body key's error belongs to. */
static int column_of(const char *field)
{
    static const struct {
        const char *prefix;
        int col;
    } map[] = {
        {"names/0", P_PRIMARY_NAME},
        {"names/", P_OTHER_NAMES},
        {"names", P_PRIMARY_NAME},
        {"crafts", P_CRAFTS},
        {"skills", P_SKILLS},
        {"languages", P_LANGUAGES},
        {"location/country", P_COUNTRY},
        {"location/region", P_REGION},
        {"location/city", P_CITY},
        {"location/travel", P_TRAVEL},
        {"location", P_COUNTRY},
        {"affiliations", P_AFFILIATIONS},
        {"contacts/email", P_EMAIL},
        {"contacts/phone", P_PHONE},
        {"contacts/website", P_WEBSITE},
        {"contacts", P_EMAIL},
        {"rates/day", P_DAY_RATE},
        {"rates/week", P_WEEK_RATE},
        {"rates", P_CURRENCY},
        {"ref", P_REF},
        {"listed", P_LISTED},
    };
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (ms_str_has_prefix(field, map[i].prefix)) return map[i].col;
    return -1;
}

/* The errors of talent_input_check as row errors, each by its column, with the list item. */
static void body_errors(imp *im, const ms_error *e, json_t *body)
{
    for (int i = 0; i < e->nfields; i++) {
        const char *f = e->fields[i].field;
        int col = column_of(f);
        /* "names" itself, with more than the primary: too many names, the other names'. */
        if (!strcmp(f, "names") && json_array_size(json_object_get(body, "names")) > 1)
            col = P_OTHER_NAMES;
        const char *shown = col >= 0 ? cname(im, col) : f;
        /* "crafts/1...": the item it is about, as the file wrote it. */
        const char *slash = strchr(f, '/');
        char item[120] = "";
        if (slash && slash[1] >= '0' && slash[1] <= '9') {
            char key[32];
            snprintf(key, sizeof key, "%.*s", (int)(slash - f), f);
            json_t *v = json_array_get(json_object_get(body, key), (size_t)atoi(slash + 1));
            const char *s = json_is_string(v)        ? json_string_value(v)
                            : ms_json_str(v, "name") ? ms_json_str(v, "name")
                                                     : ms_json_str(v, "tag");
            if (s) snprintf(item, sizeof item, "\"%.60s\": ", s);
            item[ms_utf8_whole(item, strlen(item))] = 0;
        }
        row_error(im, shown, "%s%s", item, e->fields[i].message);
    }
    if (!e->nfields && e->code) row_error(im, NULL, "%s", e->detail);
}

/* The profile a people row updates, as it is now (what the body's whole-object members -
 * names, location, contacts, rates - keep of it when the file has only some of their
 * columns). */
typedef struct pcur {
    json_t *names, *contacts;
    const char *country, *region, *city, *travel, *currency;
    bool has_day, has_week;
    int64_t day, week;
    /* The row as stored, to tell an unchanged row. */
    const char *col[12];
    int listed;
} pcur;

enum { CU_NAMES, CU_CRAFTS, CU_SKILLS, CU_LANGUAGES, CU_AFFILIATIONS, CU_CONTACTS, CU_REF };

static int pcur_load(imp *im, int64_t seq, pcur *cu)
{
    memset(cu, 0, sizeof *cu);
    db_stmt *st;
    int rc = db_query_row(im->c, &st, &im->r->err,
                          "SELECT names, crafts, skills, languages, affiliations, contacts, ref, "
                          "country, region, city, travel, rate_currency, rate_day, rate_week, "
                          "listed FROM talent_profile WHERE seq = ?",
                          "I", seq);
    if (rc < 0) return rc;
    if (rc == DB_DONE) return ms_fail(&im->r->err, MS_EINTERNAL, NULL, "a profile went away");
    ms_arena *a = &im->ra;
    for (int i = 0; i <= CU_REF; i++)
        cu->col[i] = db_col_null(st, i) ? NULL : ms_arena_strdup(a, db_col_text(st, i));
    cu->country = ms_arena_strdup(a, db_col_text(st, 7));
    cu->region = ms_arena_strdup(a, db_col_text(st, 8));
    cu->city = ms_arena_strdup(a, db_col_text(st, 9));
    cu->travel = ms_arena_strdup(a, db_col_text(st, 10));
    cu->currency = db_col_null(st, 11) ? NULL : ms_arena_strdup(a, db_col_text(st, 11));
    cu->has_day = !db_col_null(st, 12);
    cu->has_week = !db_col_null(st, 13);
    cu->day = db_col_int(st, 12);
    cu->week = db_col_int(st, 13);
    cu->listed = (int)db_col_int(st, 14);
    db_done(st);
    cu->names = json_loads(cu->col[CU_NAMES] ? cu->col[CU_NAMES] : "[]", 0, NULL);
    cu->contacts = json_loads(cu->col[CU_CONTACTS] ? cu->col[CU_CONTACTS] : "{}", 0, NULL);
    if (!json_is_array(cu->names)) {
        json_decref(cu->names);
        cu->names = json_array();
    }
    if (!json_is_object(cu->contacts)) {
        json_decref(cu->contacts);
        cu->contacts = json_object();
    }
    return 0;
}

static void pcur_free(pcur *cu)
{
    json_decref(cu->names);
    json_decref(cu->contacts);
}

static json_t *str_array(char **items, int n)
{
    json_t *a = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(a, json_string(items[i]));
    return a;
}

/* An ISO 15924 code as the API wants it ("latn" -> "Latn"); other text is left to its check. */
static void script_case(char *s)
{
    if (strlen(s) != 4) return;
    for (int i = 0; i < 4; i++)
        if ((s[i] | 0x20) < 'a' || (s[i] | 0x20) > 'z') return;
    s[0] = (char)(s[0] & ~0x20);
    for (int i = 1; i < 4; i++)
        s[i] = (char)(s[i] | 0x20);
}

/* The body of a people row; false when the file's own syntax was wrong (reported). `cu` is
 * the profile it updates as it is now: NULL for a new one (`creating`), and for one its person
 * has claimed (the row is skipped: only its syntax is checked). */
static bool people_body(imp *im, const pcur *cu, bool creating, const char *ref, json_t *body)
{
    int before = im->row_errors;
    char **items;
    int n;
    if (*ref) json_object_set_new(body, "ref", json_string(ref));
    /* Names: the primary first, then the others. */
    if (has_col(im, P_PRIMARY_NAME) || has_col(im, P_OTHER_NAMES) || creating) {
        json_t *names = json_array();
        const char *primary = has_col(im, P_PRIMARY_NAME) ? cell(im, P_PRIMARY_NAME) : "";
        json_t *old_primary = NULL;
        size_t i;
        json_t *nm;
        if (cu)
            json_array_foreach(cu->names, i, nm) if (json_is_true(json_object_get(nm, "primary")))
                old_primary = nm;
        if (*primary)
            json_array_append_new(names, json_pack("{s:s,s:b}", "name", primary, "primary", 1));
        else if (old_primary)
            json_array_append(names, old_primary);
        else if (creating) {
            row_error(im, has_col(im, P_PRIMARY_NAME) ? cname(im, P_PRIMARY_NAME) : "primary_name",
                      "required for a new person");
        }
        if (*primary && (strchr(primary, ';') || strchr(primary, '|')))
            row_error(im, cname(im, P_PRIMARY_NAME), "a name cannot hold ; or |");
        if (has_col(im, P_OTHER_NAMES)) {
            items = list_cell(im, P_OTHER_NAMES, &n);
            for (int k = 0; k < n; k++) {
                char *parts[3];
                int np = split_keep(items[k], '|', parts, 3);
                if (np < 0 || np > 2 || !*parts[0]) {
                    row_error(im, cname(im, P_OTHER_NAMES),
                              "\"%.60s\": a name is written name or name|script (Zhang Wei|Latn)",
                              items[k]);
                    continue;
                }
                json_t *o = json_pack("{s:s,s:b}", "name", parts[0], "primary", 0);
                if (np == 2 && *parts[1]) {
                    script_case(parts[1]);
                    json_object_set_new(o, "script", json_string(parts[1]));
                }
                json_array_append_new(names, o);
            }
        } else if (cu) {
            json_array_foreach(cu->names, i, nm) if (!json_is_true(json_object_get(nm, "primary")))
                json_array_append(names, nm);
        }
        json_object_set_new(body, "names", names);
    }
    if (has_col(im, P_CRAFTS)) {
        items = list_cell(im, P_CRAFTS, &n);
        for (int k = 0; k < n; k++)
            ms_str_lower(items[k]);
        if (n >= 0) json_object_set_new(body, "crafts", str_array(items, n));
    }
    if (has_col(im, P_SKILLS)) {
        items = list_cell(im, P_SKILLS, &n);
        if (n >= 0) json_object_set_new(body, "skills", str_array(items, n));
    }
    if (has_col(im, P_LANGUAGES)) {
        items = list_cell(im, P_LANGUAGES, &n);
        json_t *a = json_array();
        for (int k = 0; k < n; k++) {
            char *parts[3];
            int np = split_keep(items[k], ':', parts, 3);
            if (np < 0 || np > 2 || !*parts[0]) {
                row_error(im, cname(im, P_LANGUAGES),
                          "\"%.40s\": a language is written tag:level (zh:native, bo:fluent)",
                          items[k]);
                continue;
            }
            json_t *o = json_pack("{s:s}", "tag", parts[0]);
            if (np == 2) {
                ms_str_lower(parts[1]);
                json_object_set_new(o, "level", json_string(parts[1]));
            }
            json_array_append_new(a, o);
        }
        json_object_set_new(body, "languages", a);
    }
    if (has_col(im, P_COUNTRY) || has_col(im, P_REGION) || has_col(im, P_CITY) ||
        has_col(im, P_TRAVEL)) {
        int cols[4] = {P_COUNTRY, P_REGION, P_CITY, P_TRAVEL};
        const char *keys[4] = {"country", "region", "city", "travel"};
        const char *old[4] = {cu ? cu->country : "", cu ? cu->region : "", cu ? cu->city : "",
                              cu ? cu->travel : "national"};
        json_t *loc = json_object();
        for (int k = 0; k < 4; k++) {
            char *v = has_col(im, cols[k]) ? cell(im, cols[k]) : (char *)old[k];
            if (k == 3) {
                ms_str_lower(v);
                if (!*v) v = (char *)"national";
            }
            json_object_set_new(loc, keys[k], json_string(v));
        }
        json_object_set_new(body, "location", loc);
    }
    if (has_col(im, P_AFFILIATIONS)) {
        items = list_cell(im, P_AFFILIATIONS, &n);
        json_t *a = json_array();
        for (int k = 0; k < n; k++) {
            char *parts[4];
            int np = split_keep(items[k], '|', parts, 4);
            if (np < 0 || np > 3 || !*parts[0]) {
                row_error(im, cname(im, P_AFFILIATIONS),
                          "\"%.60s\": an affiliation is written name|kind|member id (kind: "
                          "agency, union, guild or association)",
                          items[k]);
                continue;
            }
            json_t *o = json_pack("{s:s}", "name", parts[0]);
            if (np >= 2 && *parts[1]) {
                ms_str_lower(parts[1]);
                json_object_set_new(o, "kind", json_string(parts[1]));
            }
            if (np == 3 && *parts[2]) json_object_set_new(o, "member_id", json_string(parts[2]));
            json_array_append_new(a, o);
        }
        json_object_set_new(body, "affiliations", a);
    }
    if (has_col(im, P_EMAIL) || has_col(im, P_PHONE) || has_col(im, P_WEBSITE) || creating) {
        json_t *ct = cu ? json_deep_copy(cu->contacts) : json_object();
        int cols[3] = {P_EMAIL, P_PHONE, P_WEBSITE};
        const char *keys[3] = {"email", "phone", "website"};
        for (int k = 0; k < 3; k++) {
            if (!has_col(im, cols[k])) continue;
            char *v = cell(im, cols[k]);
            if (*v)
                json_object_set_new(ct, keys[k], json_string(v));
            else
                json_object_del(ct, keys[k]);
        }
        json_object_set_new(body, "contacts", ct);
    }
    if (has_col(im, P_DAY_RATE) || has_col(im, P_WEEK_RATE) || has_col(im, P_CURRENCY)) {
        char *cur = has_col(im, P_CURRENCY) ? cell(im, P_CURRENCY)
                                            : (char *)(cu && cu->currency ? cu->currency : "");
        for (char *q = cur; *q; q++)
            if (*q >= 'a' && *q <= 'z') *q = (char)(*q - 32);
        int cols[2] = {P_DAY_RATE, P_WEEK_RATE};
        const char *keys[2] = {"day", "week"};
        json_t *rates = json_object();
        for (int k = 0; k < 2; k++) {
            const char *v = NULL;
            if (has_col(im, cols[k]))
                v = cell(im, cols[k]);
            else if (cu && (k ? cu->has_week : cu->has_day) && cu->currency) {
                char amt[48];
                ms_money_fmt(k ? cu->week : cu->day, cu->currency, amt, sizeof amt);
                v = ms_arena_strdup(&im->ra, amt);
            }
            if (v && *v) {
                if (!*cur)
                    row_error(im, cname(im, cols[k]),
                              "a rate needs its currency (the currency column)");
                json_object_set_new(rates, keys[k], json_string(v));
            }
        }
        if (json_object_size(rates) || *cur) {
            json_object_set_new(rates, "currency", json_string(cur));
            json_object_set_new(body, "rates", rates);
        } else {
            json_decref(rates);
            json_object_set_new(body, "rates", json_null()); /* no rate: none kept */
        }
    }
    if (has_col(im, P_LISTED)) {
        const char *s;
        size_t len;
        bool b = true;
        char msg[MS_CSV_MSG_MAX];
        if (cell_at(im, im->col[P_LISTED], &s, &len) && ms_csv_cell_bool(s, len, &b, msg))
            row_error(im, cname(im, P_LISTED), "%s", msg);
        json_object_set_new(body, "listed", json_boolean(b));
    }
    return im->row_errors == before;
}

/* JSON texts equal as values (the profile API may have written them with other spacing). */
static bool json_same(const char *a, const char *b)
{
    if (!strcmp(a ? a : "", b ? b : "")) return true;
    json_t *x = json_loads(a ? a : "null", JSON_DECODE_ANY, NULL);
    json_t *y = json_loads(b ? b : "null", JSON_DECODE_ANY, NULL);
    bool same = x && y && json_equal(x, y);
    json_decref(x);
    json_decref(y);
    return same;
}

/* Whether the checked input changes nothing of the profile as it is. */
static bool input_same(const talent_input *in, const pcur *cu)
{
    const char *nv[] = {in->names,     in->crafts,       in->skills,
                        in->languages, in->affiliations, in->contacts};
    for (int i = 0; i < 6; i++)
        if (nv[i] && !json_same(cu->col[i], nv[i])) return false;
    if (in->ref_set && !ms_str_eq(in->ref, cu->col[CU_REF])) return false;
    if (in->location_set && (strcmp(in->country, cu->country) || strcmp(in->region, cu->region) ||
                             strcmp(in->city, cu->city) || strcmp(in->travel, cu->travel)))
        return false;
    if (in->rates_set &&
        (!ms_str_eq(in->rate_currency, cu->currency) || in->has_day != cu->has_day ||
         in->has_week != cu->has_week || (in->has_day && in->rate_day != cu->day) ||
         (in->has_week && in->rate_week != cu->week)))
        return false;
    if (in->listed >= 0 && in->listed != cu->listed) return false;
    return true;
}

static json_t *consent_json(imp *im)
{
    return json_pack("{s:s,s:s?,s:s,s:s}", "basis", "attested", "by", im->user_id, "at", im->now,
                     "note", im->is_cli ? "CSV import (command line)" : "CSV import");
}

/* Profile i takes `ref` (a row gave it a new one): the old ref names nobody any more. */
static int ref_moves(imp *im, uint32_t i, const char *ref)
{
    iprof *p = &im->p[i];
    if (!*ref || ms_str_eq(p->ref, ref)) return 0;
    if (p->ref && !smap_put(&im->by_ref, p->ref, SMAP_GONE)) return oom(im);
    if (!(p->ref = spool_dup(&im->strings, ref)) || !smap_put(&im->by_ref, p->ref, i))
        return oom(im);
    return 0;
}

static int people_row(imp *im)
{
    char *ref = has_col(im, P_REF) ? cell(im, P_REF) : (char *)"";
    char *pid = has_col(im, P_PROFILE_ID) ? cell(im, P_PROFILE_ID) : (char *)"";
    uint32_t by_ref = 0, by_id = 0;
    bool has_ref = false, has_id = false, bad_key = false;
    int rc;
    if (*ref && (rc = find_prof(im, true, ref, &by_ref, &has_ref))) return rc;
    if (*pid) {
        if (ms_uuid_valid(pid) && (rc = find_prof(im, false, pid, &by_id, &has_id))) return rc;
        has_id = has_id && im->p[by_id].seq;
        if (!has_id) {
            row_error(im, cname(im, P_PROFILE_ID),
                      "no profile this organization keeps has this id");
            bad_key = true;
        }
    }
    if (!*ref && !*pid) {
        row_error(im, has_col(im, P_REF) ? cname(im, P_REF) : "ref",
                  "required: the organization's key for the person (or the profile_id of a "
                  "profile it keeps)");
        bad_key = true;
    }
    int64_t target = -1;
    if (!bad_key) {
        if (has_id && has_ref && by_id != by_ref) {
            row_error(im, cname(im, P_REF), "%.60s is the ref of another profile", ref);
            bad_key = true;
        } else if (has_id)
            target = by_id;
        else if (has_ref)
            target = by_ref;
    }
    if (target >= 0 && im->p[target].row) {
        row_error(im, cname(im, *pid ? P_PROFILE_ID : P_REF),
                  "the same person is already on row %zu", im->p[target].row);
        bad_key = true;
    }
    bool creating = !bad_key && target < 0;
    /* Consent: needed to create; a cell that is not a yes or no is an error either way. */
    bool consent = im->consent_all;
    if (has_col(im, P_CONSENT)) {
        const char *s;
        size_t n;
        bool b = false;
        char msg[MS_CSV_MSG_MAX];
        if (cell_at(im, im->col[P_CONSENT], &s, &n) && ms_csv_cell_bool(s, n, &b, msg)) {
            row_error(im, cname(im, P_CONSENT), "%s", msg);
            consent = true; /* reported */
        }
        consent = consent || b;
    }
    if (creating && !consent)
        row_error(im, has_col(im, P_CONSENT) ? cname(im, P_CONSENT) : "consent_attested",
                  "the person's consent to be listed is needed: consent_attested=yes, or import "
                  "with consent=attested");
    bool claimed = target >= 0 && im->p[target].claimed;
    pcur cu;
    bool have_cu = false;
    rc = 0;
    if (target >= 0 && !claimed && im->p[target].seq) {
        if ((rc = pcur_load(im, im->p[target].seq, &cu))) return rc;
        have_cu = true;
    }
    json_t *body = json_object();
    talent_input in;
    bool syntax_ok = people_body(im, have_cu ? &cu : NULL, creating, ref, body);
    if (syntax_ok && !claimed) {
        ms_error e;
        ms_error_clear(&e);
        if (talent_input_check(im->c, &im->ra, im->r->caller, body, creating, &in, &e))
            body_errors(im, &e, body);
    }
    /* A ref another profile of the organization has (a new profile's, or a changed one). */
    if (*ref && has_ref && target >= 0 && (int64_t)by_ref != target && !bad_key)
        row_error(im, cname(im, P_REF), "%.60s is the ref of another profile", ref);
    if (im->row_errors) {
        im->bad_rows++;
        goto out;
    }
    if (claimed) {
        im->p[target].row = im->rec->row;
        im->skipped++;
        row_notice(im, NULL,
                   "skipped: the person has claimed this profile, and only they change it now");
        goto out;
    }
    if (!im->write) {
        if (creating) {
            iprof *p = prof_add(im, 0, ref, ref, false, false); /* the ref as a stand-in id */
            if (!p) {
                rc = oom(im);
                goto out;
            }
            p->row = im->rec->row;
            im->created++;
        } else {
            im->p[target].row = im->rec->row;
            if ((rc = ref_moves(im, (uint32_t)target, ref))) goto out;
            im->updated++;
        }
        goto out;
    }
    if (creating) {
        char id[MS_ID_LEN];
        int64_t seq;
        json_t *cj = consent_json(im);
        /* A bulk load whose index is rebuilt at the end (the command line's first load of a
         * crew database) stamps this transaction's revision and touches nothing one by one. */
        rc = im->touch
                 ? talent_profile_insert(im->c, &im->ra, im->user_id, NULL, im->org_id, &in, cj, id,
                                         &seq, &im->r->err)
                 : talent_profile_insert_untouched(im->c, &im->ra, im->user_id, NULL, im->org_id,
                                                   &in, cj, im->rev, id, &seq, &im->r->err);
        json_decref(cj);
        if (rc) goto out;
        iprof *p = prof_add(im, seq, id, ref, false, false);
        if (!p) {
            rc = oom(im);
            goto out;
        }
        p->row = im->rec->row;
        im->created++;
        goto out;
    }
    iprof *p = &im->p[target];
    p->row = im->rec->row;
    if (input_same(&in, &cu)) {
        im->unchanged++;
        goto out;
    }
    if ((rc = talent_profile_apply(im->c, &im->ra, p->seq, &in, true, &im->r->err)) ||
        (rc = ref_moves(im, (uint32_t)target, ref)))
        goto out;
    im->updated++;
out:
    json_decref(body);
    if (have_cu) pcur_free(&cu);
    return rc;
}

/* ---- Credits rows. ---- */

/* A profile named by id that this organization does not steward: one whose account is a
 * member of the organization. Added to the known profiles; false when it is not one. */
static int foreign_profile(imp *im, const char *id, uint32_t *out, bool *found)
{
    *found = false;
    db_stmt *st;
    int rc = db_query_row(im->c, &st, &im->r->err,
                          "SELECT p.seq, p.id FROM talent_profile p JOIN membership m ON "
                          "m.user_id = p.user_id AND m.org_id = ? WHERE p.id = ? AND "
                          "p.deleted_at IS NULL",
                          "ss", im->org_id, id);
    if (rc < 0) return rc;
    if (rc == DB_DONE) return 0;
    int64_t seq = db_col_int(st, 0);
    db_done(st);
    if (!prof_add(im, seq, id, NULL, true, true)) return oom(im);
    *out = (uint32_t)(im->np - 1);
    *found = true;
    return 0;
}

static int credit_row(imp *im)
{
    char *ref = has_col(im, C_REF) ? cell(im, C_REF) : (char *)"";
    char *pid = has_col(im, C_PROFILE_ID) ? cell(im, C_PROFILE_ID) : (char *)"";
    uint32_t pi = 0, pj = 0;
    bool found = false;
    int rc;
    if (*ref) {
        if ((rc = find_prof(im, true, ref, &pi, &found))) return rc;
        if (!found)
            row_error(im, cname(im, C_REF),
                      "no person of this organization has the ref %.60s (import the people "
                      "first)",
                      ref);
    }
    if (*pid) {
        bool f2 = false;
        if (ms_uuid_valid(pid) && (rc = find_prof(im, false, pid, &pj, &f2))) return rc;
        if (!f2 && ms_uuid_valid(pid) && (rc = foreign_profile(im, pid, &pj, &f2))) return rc;
        if (!f2)
            row_error(im, cname(im, C_PROFILE_ID),
                      "no profile this organization keeps, or whose person belongs to it, has "
                      "this id");
        else if (found && pi != pj)
            row_error(im, cname(im, C_PROFILE_ID), "is not the profile of ref %.60s", ref);
        else if (!*ref) {
            pi = pj;
            found = true;
        }
    }
    if (!*ref && !*pid)
        row_error(im, has_col(im, C_REF) ? cname(im, C_REF) : "ref",
                  "required: the person's ref in this organization, or profile_id");
    /* The row as a body of the credits API, checked by its own check (credits.c). */
    char *title = cell(im, C_TITLE), *role = cell(im, C_ROLE);
    char *craft = has_col(im, C_CRAFT) ? cell(im, C_CRAFT) : (char *)"";
    char *company = has_col(im, C_COMPANY) ? cell(im, C_COMPANY) : (char *)"";
    ms_str_lower(craft);
    bool has_year = false;
    int64_t year = 0;
    json_t *body = json_pack("{s:s,s:s}", "title", title, "role", role);
    if (!body) return oom(im);
    if (*craft) json_object_set_new(body, "craft", json_string(craft));
    if (*company) json_object_set_new(body, "company", json_string(company));
    if (has_col(im, C_YEAR)) {
        const char *s;
        size_t n;
        char msg[MS_CSV_MSG_MAX];
        if (cell_at(im, im->col[C_YEAR], &s, &n)) {
            if (ms_csv_cell_int(s, n, INT32_MIN, INT32_MAX, &year, msg))
                row_error(im, cname(im, C_YEAR), "%s", msg);
            else {
                has_year = true;
                json_object_set_new(body, "year", json_integer(year));
            }
        }
    }
    ms_error e;
    ms_error_clear(&e);
    rc = talent_credit_check(im->r, body, true, &e);
    json_decref(body);
    if (rc && rc != MS_EINVAL) {
        im->r->err = e;
        return rc;
    }
    static const struct {
        const char *field;
        int col;
    } cols[] = {{"title", C_TITLE},
                {"role", C_ROLE},
                {"craft", C_CRAFT},
                {"year", C_YEAR},
                {"company", C_COMPANY}};
    for (int i = 0; rc && i < e.nfields; i++) {
        const char *shown = e.fields[i].field;
        for (size_t k = 0; k < sizeof cols / sizeof cols[0]; k++)
            if (!strcmp(shown, cols[k].field)) shown = cname(im, cols[k].col);
        row_error(im, shown, "%s", e.fields[i].message);
    }
    if (im->row_errors) {
        im->bad_rows++;
        return 0;
    }
    iprof *p = &im->p[pi];
    if (!im->write) {
        im->created++;
        return 0;
    }
    db_stmt *st;
    if (p->existed) {
        /* The same credit again (an export imported back) is not a second credit. */
        rc = db_query_row(im->c, &st, &im->r->err,
                          "SELECT 1 FROM talent_credit WHERE profile_id = ? AND title = ? AND "
                          "role = ? AND COALESCE(craft, '') = ? AND COALESCE(year, -1) = "
                          "CAST(? AS INTEGER) AND company = ?",
                          "ssssIs", p->id, title, role, craft, has_year ? year : (int64_t)-1,
                          company);
        if (rc < 0) return rc;
        if (rc == DB_ROW) {
            db_done(st);
            im->unchanged++;
            return 0;
        }
    }
    char id[MS_ID_LEN];
    ms_uuid7(id);
    db_arg a[] = {
        DB_ARG_S(id),
        DB_ARG_S(p->id),
        DB_ARG_S(title),
        DB_ARG_S(role),
        DB_ARG_S(*craft ? craft : NULL),
        has_year ? DB_ARG_I(year) : DB_ARG_S(NULL),
        DB_ARG_S(company),
        DB_ARG_S(im->org_id),
        DB_ARG_S(im->user_id),
        DB_ARG_S(im->now),
        DB_ARG_S(im->now),
    };
    rc = db_query_args(im->c, &st, &im->r->err,
                       "INSERT INTO talent_credit (id, profile_id, title, role, craft, year, "
                       "company, org_id, source, created_by, created_at, updated_at) VALUES (?, "
                       "?, ?, ?, ?, CAST(? AS INTEGER), ?, ?, 'import', ?, ?, ?)",
                       a, (int)(sizeof a / sizeof a[0]));
    if (rc) return rc;
    rc = db_step(st, &im->r->err);
    db_done(st);
    if (rc < 0) return rc;
    im->created++;
    return mark_touched(im, pi);
}

/* ---- Records. ---- */

static int header_read(imp *im, const ms_csv_record *rec)
{
    const ms_csv_column *cols = im->kind == KIND_PEOPLE ? people_cols : credit_cols;
    ms_error e;
    ms_error_clear(&e);
    im->rec = rec;
    for (int k = 0; k < P_COUNT; k++) {
        im->col[k] = -1;
        im->colname[k] = NULL;
    }
    if (ms_csv_map_header(rec, cols, &im->map, &e)) {
        for (int i = 0; i < e.nfields; i++)
            row_error(im, e.fields[i].field, "%s", e.fields[i].message);
        if (!e.nfields) row_error(im, NULL, "%s", e.detail);
        return 0;
    }
    for (size_t k = 0; cols[k].key; k++) {
        int c = im->map.col[k];
        im->col[k] = c;
        if (c >= 0)
            im->colname[k] =
                ms_arena_strndup(im->r->arena, rec->fields[c].data, rec->fields[c].len);
    }
    for (size_t i = 0; i < im->map.nunknown; i++) {
        const ms_csv_field *f = &rec->fields[im->map.unknown[i]];
        char name[64];
        snprintf(name, sizeof name, "%.*s", (int)(f->len < 60 ? f->len : 60), f->data);
        name[ms_utf8_whole(name, strlen(name))] = 0;
        ms_buf b;
        ms_buf_init(&b);
        for (size_t k = 0; cols[k].key; k++)
            ms_buf_printf(&b, "%s%s", k ? ", " : "", cols[k].key);
        row_error(im, name, "unknown column; the %s columns are %s",
                  im->kind == KIND_PEOPLE ? "people" : "credits", b.oom ? "..." : b.data);
        ms_buf_free(&b);
    }
    if (im->kind == KIND_CREDITS) {
        if (im->col[C_REF] < 0 && im->col[C_PROFILE_ID] < 0)
            row_error(im, "ref", "the file has neither a ref nor a profile_id column");
        if (im->col[C_TITLE] < 0) row_error(im, "title", "the file has no title column");
        if (im->col[C_ROLE] < 0) row_error(im, "role", "the file has no role column");
    } else if (im->col[P_REF] < 0 && im->col[P_PROFILE_ID] < 0)
        row_error(im, "ref", "the file has neither a ref nor a profile_id column");
    im->header_ok = im->errors_total == 0;
    return 0;
}

/* The command line commits every `batch` rows (after touching what they changed). */
static int batch_end(imp *im, bool last)
{
    int rc;
    if ((rc = touch_all(im))) return rc;
    if (!im->batch) return 0;
    if ((rc = db_commit(im->c, &im->r->err))) return rc;
    im->in_batch = 0;
    if (last) return 0;
    if ((rc = db_begin(im->c, DB_TX_WRITE, &im->r->err))) return rc;
    return revision_raise(im);
}

static int on_record(void *ctx, const ms_csv_record *rec, ms_error *e)
{
    imp *im = ctx;
    int rc;
    if (rec->index == 0) {
        if ((rc = header_read(im, rec))) goto fail;
        return 0;
    }
    im->rec = rec;
    im->row_errors = 0;
    im->rows++;
    ms_arena_reset(&im->ra);
    if (!im->header_ok) return 0; /* the columns are wrong: rows would only repeat it */
    rc = im->kind == KIND_PEOPLE ? people_row(im) : credit_row(im);
    if (rc) goto fail;
    if (im->write && im->batch && ++im->in_batch >= im->batch && (rc = batch_end(im, false)))
        goto fail;
    return 0;
fail:
    *e = im->r->err;
    return rc;
}

static void imp_init(imp *im, ms_req *r, const char *org_id, const char *user_id, int kind)
{
    memset(im, 0, sizeof *im);
    im->r = r;
    im->c = r->db;
    im->org_id = org_id;
    im->user_id = user_id;
    im->kind = kind;
    im->touch = true;
    im->write = true;
    ms_now_str(im->now);
    ms_arena_init(&im->ra, 16384);
    ms_buf_init(&im->b);
    im->errors = json_array();
    im->notices = json_array();
}

static void imp_counts_reset(imp *im)
{
    im->rows = im->created = im->updated = im->unchanged = im->skipped = im->bad_rows = 0;
    im->errors_total = im->notices_total = 0;
    json_array_clear(im->errors);
    json_array_clear(im->notices);
    ms_csv_map_free(&im->map);
    memset(&im->map, 0, sizeof im->map);
    for (size_t i = 0; i < im->np; i++)
        im->p[i].row = 0;
}

static void imp_free(imp *im)
{
    ms_arena_free(&im->ra);
    ms_buf_free(&im->b);
    free(im->p);
    free(im->touched);
    smap_free(&im->by_ref);
    smap_free(&im->by_id);
    spool_free(&im->strings);
    ms_csv_map_free(&im->map);
    json_decref(im->errors);
    json_decref(im->notices);
}

/* Read one file (kind set) through on_record. */
static int imp_read(imp *im, const char *data, size_t len)
{
    ms_csv_read_opts o = {.delim = im->delim};
    ms_csv_read_info info;
    ms_error e;
    ms_error_clear(&e);
    im->rec = NULL;
    im->header_ok = false;
    int rc = ms_csv_read(data, len, &o, on_record, im, &info, &e);
    if (!rc && info.records == 0)
        rc = ms_fail(&e, MS_EINVAL, "invalid-csv", "The file has no header row.");
    if (rc) {
        im->r->err = e;
        if (rc == MS_EINVAL && !im->r->err.type[0])
            ms_strlcpy(im->r->err.type, "invalid-csv", sizeof im->r->err.type);
    }
    return rc;
}

static json_t *imp_result(imp *im, bool dry, bool failed)
{
    int64_t z = failed ? 0 : 1;
    json_t *out = json_object();
    json_object_set_new(out, "kind", json_string(im->kind == KIND_PEOPLE ? "people" : "credits"));
    json_object_set_new(out, "rows", json_integer(im->rows));
    json_object_set_new(out, "created", json_integer(im->created * z));
    json_object_set_new(out, "updated", json_integer(im->updated * z));
    json_object_set_new(out, "unchanged", json_integer(im->unchanged * z));
    json_object_set_new(out, "skipped", json_integer(im->skipped));
    json_object_set_new(out, "bad_rows", json_integer(im->bad_rows));
    json_object_set_new(out, "dry_run", json_boolean(dry));
    json_object_set(out, "errors", im->errors);
    json_object_set_new(out, "more_errors",
                        json_integer(im->errors_total - (int64_t)json_array_size(im->errors)));
    json_object_set(out, "notices", im->notices);
    return out;
}

/* ---- The API. ---- */

int talent_io_on_body(ms_req *r, const char *data, size_t len)
{
    if (!r->module_state && ms_table_body_delim(r->content_type) < 0)
        return ms_req_fail(r, MS_EBADREQ, "unsupported-media-type",
                           "Send the file as Content-Type: text/csv (or "
                           "text/tab-separated-values).");
    return ms_req_body_collect(r, data, len, IMPORT_BODY_MAX, "A talent import");
}

static int query_kind(ms_req *r, int *kind)
{
    const char *k = ms_req_query(r, "kind");
    if (!k)
        return ms_req_fail(r, MS_EBADREQ, "bad-query",
                           "Say which file: kind=people or "
                           "kind=credits.");
    if (!strcmp(k, "people"))
        *kind = KIND_PEOPLE;
    else if (!strcmp(k, "credits"))
        *kind = KIND_CREDITS;
    else
        return ms_req_fail(r, MS_EBADREQ, "bad-query", "kind must be people or credits.");
    return 0;
}

/* Undo everything the import wrote: the request's transaction is rolled back and an empty
 * one begun, which the server then commits (as production's import does). */
static int undo(ms_req *r)
{
    db_rollback(r->db);
    return db_begin(r->db, DB_TX_WRITE, &r->err);
}

/* POST /orgs/{id}/talent/import?kind=people|credits&dry_run=&consent=attested */
int h_talent_import(ms_req *r)
{
    static const char *const allowed[] = {"kind", "dry_run", "consent", NULL};
    int rc = ms_req_query_only(r, allowed);
    if (rc) return rc;
    int kind = KIND_PEOPLE;
    bool dry;
    if ((rc = query_kind(r, &kind)) || (rc = ms_req_query_bool(r, "dry_run", false, &dry)))
        return rc;
    const char *consent = ms_req_query(r, "consent");
    if (consent && strcmp(consent, "attested"))
        return ms_req_fail(r, MS_EBADREQ, "bad-query",
                           "consent=attested says that every person of the file agreed to be "
                           "listed; there is no other value.");
    if (!r->access || r->access->level < LEVEL_EDIT)
        return ms_req_fail(r, MS_EFORBIDDEN, NULL,
                           "Only the organization's members (not viewers) import people.");
    size_t len;
    const char *body = ms_req_body_text(r, &len);
    if (!len)
        return ms_req_fail(r, MS_EINVAL, "invalid-csv",
                           "The file is empty: send the CSV as the request body.");
    imp im;
    imp_init(&im, r, ms_req_param(r, "id"), r->caller ? r->caller->user_id : NULL, kind);
    im.consent_all = consent != NULL;
    int d = ms_table_body_delim(r->content_type);
    im.delim = (char)(d < 0 ? 0 : d);
    if ((rc = profiles_load(&im)) || (rc = revision_raise(&im))) goto out;
    if ((rc = imp_read(&im, body, len))) goto out;
    bool failed = !dry && im.errors_total > 0;
    if (!dry && !failed && (rc = touch_all(&im))) goto out;
    if ((dry || failed) && (rc = undo(r))) goto out;
    json_t *res = imp_result(&im, dry, failed);
    if (failed) {
        rc = ms_reply_problem(r, 422, "validation", "The file has errors", res,
                              "%lld of %lld rows have errors (%lld in all); nothing was imported.",
                              (long long)im.bad_rows, (long long)im.rows,
                              (long long)im.errors_total);
        goto out;
    }
    if (!dry && (im.created || im.updated)) {
        json_t *data =
            json_pack("{s:s,s:I,s:I,s:I,s:I}", "kind", kind == KIND_PEOPLE ? "people" : "credits",
                      "rows", (json_int_t)im.rows, "created", (json_int_t)im.created, "updated",
                      (json_int_t)im.updated, "skipped", (json_int_t)im.skipped);
        ms_event ev = {.actor_id = im.user_id,
                       .action = "talent.imported",
                       .object_type = "org",
                       .object_id = im.org_id,
                       .org_id = im.org_id,
                       .data = data};
        rc = event_appendf(r->db, &ev, &r->err, "Talent import (%s): %lld created, %lld updated",
                           kind == KIND_PEOPLE ? "people" : "credits", (long long)im.created,
                           (long long)im.updated);
        json_decref(data);
        if (rc) {
            json_decref(res);
            goto out;
        }
    }
    rc = ms_reply(r, 200, res);
out:
    imp_free(&im);
    return rc;
}

/* ---- Export. ---- */

typedef int (*flush_fn)(void *ctx, ms_buf *b, ms_error *e);

typedef struct exp {
    db_conn *c;
    const char *org_id;
    bool steward;          /* the reader is a member+ (not a viewer) */
    const char *caller_id; /* the reader's account (NULL: the command line) */
    ms_buf *out;
    flush_fn flush;
    void *flush_ctx;
    ms_error *err;
    int64_t rows;
} exp;

/* What the organization's members are to a profile it stewards: access.c's rule
 * (talent_viewer_for) without a query per profile - every member reads the private fields of
 * an unclaimed profile (the organization keeps it for the person), the "orgs" fields of a
 * claimed one; the person reads their own. */
static void steward_view(const exp *x, const char *user_id, talent_viewer *v)
{
    memset(v, 0, sizeof *v);
    v->steward = x->steward;
    bool self = user_id && x->caller_id && !strcmp(user_id, x->caller_id);
    v->level = !user_id || self ? TV_PRIVATE : TV_ORGS;
}

static int maybe_flush(exp *x)
{
    if (x->out->oom) return ms_fail(x->err, MS_ENOMEM, NULL, "out of memory");
    if (x->flush && x->out->len >= EXPORT_FLUSH) return x->flush(x->flush_ctx, x->out, x->err);
    return 0;
}

/* items of a JSON array of strings, joined by "; ". */
static void put_list(ms_csv_writer *w, ms_buf *t, json_t *a)
{
    ms_buf_reset(t);
    size_t i;
    json_t *s;
    json_array_foreach(a, i, s)
    {
        if (!json_is_string(s)) continue;
        if (t->len) ms_buf_puts(t, "; ");
        ms_buf_puts(t, json_string_value(s));
    }
    ms_csv_putn(w, t->data ? t->data : "", t->len);
}

static int export_people(exp *x)
{
    db_stmt *st;
    int rc = db_query(x->c, &st, x->err,
                      "SELECT seq, id, ref, user_id, primary_name, names, crafts, skills, "
                      "languages, country, region, city, travel, affiliations, contacts, "
                      "rate_currency, rate_day, rate_week, listed, consent, visibility FROM "
                      "talent_profile WHERE steward_org_id = ? AND deleted_at IS NULL ORDER BY "
                      "seq",
                      "s", x->org_id);
    if (rc) return rc;
    ms_csv_writer w;
    ms_csv_writer_init(&w, x->out, NULL);
    ms_csv_put_header(&w, people_cols);
    ms_csv_end_record(&w);
    ms_buf t;
    ms_buf_init(&t);
    while ((rc = db_step(st, x->err)) == DB_ROW) {
        talent_ref p;
        talent_viewer v;
        talent_vis_from_json(db_col_text(st, 20), p.vis);
        steward_view(x, db_col_text(st, 3), &v);
        ms_csv_put(&w, db_col_text(st, 2));
        ms_csv_put(&w, db_col_text(st, 1));
        /* Names are public or platform: always seen by the steward. */
        ms_csv_put(&w, db_col_text(st, 4));
        json_t *names = json_loads(db_col_text(st, 5), 0, NULL);
        ms_buf_reset(&t);
        size_t i;
        json_t *n;
        json_array_foreach(names, i, n)
        {
            if (json_is_true(json_object_get(n, "primary"))) continue;
            const char *nm = ms_json_str(n, "name"), *sc = ms_json_str(n, "script");
            if (!nm) continue;
            if (t.len) ms_buf_puts(&t, "; ");
            ms_buf_puts(&t, nm);
            if (sc && *sc) ms_buf_printf(&t, "|%s", sc);
        }
        json_decref(names);
        ms_csv_putn(&w, t.data ? t.data : "", t.len);
        json_t *a;
        if (talent_sees(&v, &p, TF_CRAFTS)) {
            a = json_loads(db_col_text(st, 6), 0, NULL);
            put_list(&w, &t, a);
            json_decref(a);
        } else
            ms_csv_put(&w, NULL);
        if (talent_sees(&v, &p, TF_SKILLS)) {
            a = json_loads(db_col_text(st, 7), 0, NULL);
            put_list(&w, &t, a);
            json_decref(a);
        } else
            ms_csv_put(&w, NULL);
        ms_buf_reset(&t);
        if (talent_sees(&v, &p, TF_LANGUAGES)) {
            a = json_loads(db_col_text(st, 8), 0, NULL);
            json_array_foreach(a, i, n)
            {
                const char *tag = ms_json_str(n, "tag"), *level = ms_json_str(n, "level");
                if (!tag) continue;
                if (t.len) ms_buf_puts(&t, "; ");
                ms_buf_printf(&t, "%s:%s", tag, level ? level : "");
            }
            json_decref(a);
        }
        ms_csv_putn(&w, t.data ? t.data : "", t.len);
        bool loc = talent_sees(&v, &p, TF_LOCATION);
        for (int c = 9; c <= 12; c++)
            ms_csv_put(&w, loc ? db_col_text(st, c) : NULL);
        ms_buf_reset(&t);
        if (talent_sees(&v, &p, TF_AFFILIATIONS)) {
            a = json_loads(db_col_text(st, 13), 0, NULL);
            json_array_foreach(a, i, n)
            {
                const char *nm = ms_json_str(n, "name"), *kind = ms_json_str(n, "kind"),
                           *mid = ms_json_str(n, "member_id");
                if (!nm) continue;
                if (t.len) ms_buf_puts(&t, "; ");
                ms_buf_puts(&t, nm);
                if ((kind && *kind) || (mid && *mid)) ms_buf_printf(&t, "|%s", kind ? kind : "");
                if (mid && *mid) ms_buf_printf(&t, "|%s", mid);
            }
            json_decref(a);
        }
        ms_csv_putn(&w, t.data ? t.data : "", t.len);
        bool contacts = talent_sees(&v, &p, TF_CONTACTS);
        json_t *ct = contacts ? json_loads(db_col_text(st, 14), 0, NULL) : NULL;
        ms_csv_put(&w, ms_json_str(ct, "email"));
        ms_csv_put(&w, ms_json_str(ct, "phone"));
        ms_csv_put(&w, ms_json_str(ct, "website"));
        json_decref(ct);
        bool rates = talent_sees(&v, &p, TF_RATES) && !db_col_null(st, 15);
        const char *cur = rates ? db_col_text(st, 15) : NULL;
        char amt[48];
        for (int c = 16; c <= 17; c++) {
            if (rates && !db_col_null(st, c)) {
                ms_money_fmt(db_col_int(st, c), cur, amt, sizeof amt);
                ms_csv_put_number(&w, amt);
            } else
                ms_csv_put(&w, NULL);
        }
        ms_csv_put(&w, cur);
        ms_csv_put(&w, db_col_int(st, 18) ? "yes" : "no");
        ms_csv_put(&w, "yes"); /* every profile here was made with consent */
        ms_csv_end_record(&w);
        x->rows++;
        if ((rc = maybe_flush(x))) break;
    }
    ms_buf_free(&t);
    db_done(st);
    return rc < 0 ? rc : 0;
}

static int export_credits(exp *x)
{
    db_stmt *st;
    int rc = db_query(x->c, &st, x->err,
                      "SELECT p.ref, p.id, p.user_id, p.visibility, c.title, c.role, c.craft, "
                      "c.year, c.company FROM talent_credit c JOIN talent_profile p ON p.id = "
                      "c.profile_id WHERE p.steward_org_id = ? AND p.deleted_at IS NULL ORDER BY "
                      "p.seq, c.year, c.id",
                      "s", x->org_id);
    if (rc) return rc;
    ms_csv_writer w;
    ms_csv_writer_init(&w, x->out, NULL);
    ms_csv_put_header(&w, credit_cols);
    ms_csv_end_record(&w);
    while ((rc = db_step(st, x->err)) == DB_ROW) {
        talent_ref p;
        talent_viewer v;
        talent_vis_from_json(db_col_text(st, 3), p.vis);
        steward_view(x, db_col_text(st, 2), &v);
        if (!talent_sees(&v, &p, TF_CREDITS)) continue;
        ms_csv_put(&w, db_col_text(st, 0));
        ms_csv_put(&w, db_col_text(st, 1));
        ms_csv_put(&w, db_col_text(st, 4));
        ms_csv_put(&w, db_col_text(st, 5));
        ms_csv_put(&w, db_col_text(st, 6));
        if (db_col_null(st, 7))
            ms_csv_put(&w, NULL);
        else
            ms_csv_put_i64(&w, db_col_int(st, 7));
        ms_csv_put(&w, db_col_text(st, 8));
        ms_csv_end_record(&w);
        x->rows++;
        if ((rc = maybe_flush(x))) break;
    }
    db_done(st);
    return rc < 0 ? rc : 0;
}

/* GET /orgs/{id}/talent/export?kind=people|credits */
int h_talent_export(ms_req *r)
{
    static const char *const allowed[] = {"kind", NULL};
    int rc = ms_req_query_only(r, allowed);
    int kind = KIND_PEOPLE;
    if (rc || (rc = query_kind(r, &kind))) return rc;
    exp x = {.c = r->db,
             .org_id = ms_req_param(r, "id"),
             .steward = r->access && r->access->level >= LEVEL_EDIT,
             .caller_id = r->caller ? r->caller->user_id : NULL,
             .out = &r->out,
             .err = &r->err};
    rc = kind == KIND_PEOPLE ? export_people(&x) : export_credits(&x);
    if (rc) return rc;
    if (r->out.oom) return ms_req_fail(r, MS_ENOMEM, NULL, "out of memory");
    r->status = 200;
    r->out_type = "text/csv; charset=utf-8";
    ms_reply_header(r, "Content-Disposition",
                    kind == KIND_PEOPLE ? "attachment; filename=\"people.csv\""
                                        : "attachment; filename=\"credits.csv\"");
    return 0;
}

/* ---- The command line. ---- */

typedef struct cli_file {
    const char *path;
    const char *data;
    size_t len;
    void *map;
} cli_file;

static int file_open(cli_file *f, const char *path, ms_error *e)
{
    memset(f, 0, sizeof *f);
    f->path = path;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return ms_fail(e, MS_ENOTFOUND, NULL, "cannot open %s: %s", path, strerror(errno));
    struct stat sb;
    if (fstat(fd, &sb) || !S_ISREG(sb.st_mode)) {
        close(fd);
        return ms_fail(e, MS_EINVAL, NULL, "%s is not a file", path);
    }
    f->len = (size_t)sb.st_size;
    if (f->len) {
        f->map = mmap(NULL, f->len, PROT_READ, MAP_PRIVATE, fd, 0);
        if (f->map == MAP_FAILED) {
            close(fd);
            f->map = NULL;
            return ms_fail(e, MS_EIO, NULL, "cannot read %s: %s", path, strerror(errno));
        }
        madvise(f->map, f->len, MADV_SEQUENTIAL);
        f->data = f->map;
    } else
        f->data = "";
    close(fd);
    return 0;
}

static void file_close(cli_file *f)
{
    if (f->map) munmap(f->map, f->len);
    f->map = NULL;
}

/* The organization by slug (or id), and the account that acts: `user_email`'s, or the
 * organization's first owner's. */
static int cli_org(db_conn *c, const char *org, const char *user_email, char org_id[MS_ID_LEN],
                   char user_id[MS_ID_LEN], ms_error *e)
{
    db_stmt *st;
    int rc = db_query_row(c, &st, e, "SELECT id FROM org WHERE slug = ? OR id = ?", "ss", org, org);
    if (rc < 0) return rc;
    if (rc == DB_DONE) return ms_fail(e, MS_ENOTFOUND, NULL, "no organization %s", org);
    ms_strlcpy(org_id, db_col_text(st, 0), MS_ID_LEN);
    db_done(st);
    if (user_email)
        rc = db_query_row(c, &st, e,
                          "SELECT u.id FROM user_account u JOIN membership m ON m.user_id = u.id "
                          "AND m.org_id = ? AND m.role IN ('owner', 'admin', 'member') WHERE "
                          "LOWER(u.email) = LOWER(?)",
                          "ss", org_id, user_email);
    else
        rc = db_query_row(c, &st, e,
                          "SELECT user_id FROM membership WHERE org_id = ? AND role = 'owner' "
                          "ORDER BY created_at, user_id",
                          "s", org_id);
    if (rc < 0) return rc;
    if (rc == DB_DONE)
        return ms_fail(e, MS_ENOTFOUND, NULL,
                       user_email ? "%s is not a member of the organization"
                                  : "the organization has no owner%s",
                       user_email ? user_email : "");
    ms_strlcpy(user_id, db_col_text(st, 0), MS_ID_LEN);
    db_done(st);
    return 0;
}

/* A request made for the command line: the acting account as the caller, the connection. */
typedef struct cli_req {
    ms_req r;
    ms_arena arena;
    ms_caller caller;
    ms_access access;
} cli_req;

static void cli_req_init(cli_req *q, db_conn *c, const ms_env *env, const char *user_id)
{
    memset(q, 0, sizeof *q);
    ms_arena_init(&q->arena, 65536);
    ms_strlcpy(q->caller.user_id, user_id, sizeof q->caller.user_id);
    q->access.level = LEVEL_OWN;
    ms_strlcpy(q->access.role, "owner", sizeof q->access.role);
    q->r.env = env;
    q->r.arena = &q->arena;
    q->r.db = c;
    q->r.caller = &q->caller;
    q->r.access = &q->access;
    q->r.method = "POST";
    q->r.path = "mstation talent import";
    q->r.request_id = "cli";
    ms_buf_init(&q->r.out);
}

static void cli_req_free(cli_req *q)
{
    ms_buf_free(&q->r.out);
    json_decref(q->r.problem);
    ms_arena_free(&q->arena);
}

static void print_errors(const imp *im, FILE *log, const char *path)
{
    size_t i;
    json_t *o;
    json_array_foreach(im->errors, i, o)
    {
        json_t *row = json_object_get(o, "row");
        const char *col = ms_json_str(o, "column");
        fprintf(log, "%s: ", path);
        if (json_is_integer(row))
            fprintf(log, "row %lld", (long long)json_integer_value(row));
        else
            fprintf(log, "header");
        fprintf(log, "%s%s: %s\n", col ? ", " : "", col ? col : "", ms_json_str(o, "message"));
    }
    int64_t more = im->errors_total - (int64_t)json_array_size(im->errors);
    if (more > 0) fprintf(log, "%s: ... and %lld more problems\n", path, (long long)more);
}

static int count_profiles(db_conn *c, int64_t *n, ms_error *e)
{
    db_stmt *st;
    int rc =
        db_query_row(c, &st, e, "SELECT COUNT(*) FROM talent_profile WHERE deleted_at IS NULL", "");
    if (rc < 0) return rc;
    *n = rc == DB_ROW ? db_col_int(st, 0) : 0;
    if (rc == DB_ROW) db_done(st);
    return 0;
}

int talent_cli_import(db_conn *c, const ms_env *env, const talent_cli_import_opts *o, FILE *report,
                      ms_error *e)
{
    char org_id[MS_ID_LEN], user_id[MS_ID_LEN];
    int rc = db_begin(c, DB_TX_READ, e);
    if (rc) return rc;
    rc = cli_org(c, o->org, o->user_email, org_id, user_id, e);
    db_rollback(c);
    if (rc) return rc;
    cli_file files[2];
    const char *paths[2] = {o->people, o->credits};
    memset(files, 0, sizeof files);
    for (int k = 0; k < 2; k++)
        if (paths[k] && (rc = file_open(&files[k], paths[k], e))) {
            file_close(&files[0]);
            return rc;
        }
    cli_req q;
    cli_req_init(&q, c, env, user_id);
    imp im;
    imp_init(&im, &q.r, org_id, user_id, KIND_PEOPLE);
    im.is_cli = true;
    im.consent_all = o->consent_attested;
    uint64_t t0 = ms_mono_ns();
    /* Pass 1: check every row of both files; nothing is written. */
    im.write = false;
    int64_t bad = 0;
    if ((rc = db_begin(c, DB_TX_READ, e))) goto out;
    if ((rc = profiles_load(&im))) goto fail;
    for (int k = 0; k < 2; k++) {
        if (!paths[k]) continue;
        im.kind = k;
        imp_counts_reset(&im);
        if ((rc = imp_read(&im, files[k].data, files[k].len))) goto fail;
        if (im.errors_total) {
            print_errors(&im, stderr, paths[k]);
            bad += im.errors_total;
        }
        if (report)
            fprintf(report, "%s: %lld rows checked, %lld bad\n", paths[k], (long long)im.rows,
                    (long long)im.bad_rows);
    }
    db_rollback(c);
    if (bad) {
        rc =
            ms_fail(e, MS_EINVAL, "validation",
                    "%lld problems; nothing was imported (fix them and run again)", (long long)bad);
        goto out;
    }
    if (o->dry_run) goto out;
    /* Pass 2: write, `batch` rows per transaction. */
    int64_t total;
    if ((rc = db_begin(c, DB_TX_WRITE, e))) goto out;
    if ((rc = count_profiles(c, &total, e))) goto fail;
    smap_free(&im.by_ref);
    smap_free(&im.by_id);
    im.np = 0;
    if ((rc = profiles_load(&im))) goto fail;
    /* Most of the profiles new or changed: index them all at once at the end. */
    int64_t people_rows = 0;
    for (const char *p = files[0].data; paths[0] && p < files[0].data + files[0].len;) {
        const char *nl = memchr(p, '\n', (size_t)(files[0].data + files[0].len - p));
        people_rows++;
        p = nl ? nl + 1 : files[0].data + files[0].len;
    }
    im.touch = !(people_rows >= REBUILD_MIN && people_rows * 2 >= total + people_rows);
    im.write = true;
    im.batch = o->batch > 0 ? o->batch : CLI_BATCH;
    if ((rc = revision_raise(&im))) goto fail;
    for (int k = 0; k < 2; k++) {
        if (!paths[k]) continue;
        im.kind = k;
        imp_counts_reset(&im);
        uint64_t t1 = ms_mono_ns();
        if ((rc = imp_read(&im, files[k].data, files[k].len))) goto fail;
        if (im.errors_total) { /* changed under us between the passes */
            print_errors(&im, stderr, paths[k]);
            rc = ms_fail(e, MS_ECONFLICT, NULL,
                         "%s had problems on the second reading; rows before the last commit "
                         "were imported",
                         paths[k]);
            goto fail;
        }
        if ((rc = batch_end(&im, false))) goto fail;
        if (report)
            fprintf(report,
                    "%s: %lld rows: %lld created, %lld updated, %lld unchanged, %lld skipped "
                    "(%.1f s)\n",
                    paths[k], (long long)im.rows, (long long)im.created, (long long)im.updated,
                    (long long)im.unchanged, (long long)im.skipped,
                    (double)(ms_mono_ns() - t1) / 1e9);
    }
    if (!im.touch) {
        uint64_t t2 = ms_mono_ns();
        if ((rc = talent_index_rebuild(c, e))) goto fail;
        if (report)
            fprintf(report, "text index rebuilt (%.1f s)\n", (double)(ms_mono_ns() - t2) / 1e9);
    }
    {
        ms_event ev = {.actor_id = user_id,
                       .action = "talent.imported",
                       .object_type = "org",
                       .object_id = org_id,
                       .org_id = org_id};
        if ((rc = event_appendf(c, &ev, e, "Talent import from the command line (%s%s%s)",
                                o->people ? "people" : "", o->people && o->credits ? ", " : "",
                                o->credits ? "credits" : "")))
            goto fail;
    }
    if ((rc = db_commit(c, e))) goto out;
    if (report) fprintf(report, "imported in %.1f s\n", (double)(ms_mono_ns() - t0) / 1e9);
    goto out;
fail:
    if (im.r->err.code && !e->code) *e = im.r->err;
    db_rollback(c);
out:
    if (rc && !e->code && im.r->err.code) *e = im.r->err;
    imp_free(&im);
    cli_req_free(&q);
    file_close(&files[0]);
    file_close(&files[1]);
    return rc;
}

static int file_flush(void *ctx, ms_buf *b, ms_error *e)
{
    FILE *f = ctx;
    if (b->len && fwrite(b->data, 1, b->len, f) != b->len)
        return ms_fail(e, MS_EIO, NULL, "cannot write the export: %s", strerror(errno));
    ms_buf_reset(b);
    return 0;
}

int talent_cli_export(db_conn *c, const char *org, const char *kind, FILE *out, ms_error *e)
{
    int k = !strcmp(kind, "people") ? KIND_PEOPLE : !strcmp(kind, "credits") ? KIND_CREDITS : -1;
    if (k < 0) return ms_fail(e, MS_EINVAL, NULL, "--kind is people or credits");
    char org_id[MS_ID_LEN], user_id[MS_ID_LEN];
    int rc = db_begin(c, DB_TX_READ, e);
    if (rc) return rc;
    if ((rc = cli_org(c, org, NULL, org_id, user_id, e))) {
        db_rollback(c);
        return rc;
    }
    ms_buf b;
    ms_buf_init(&b);
    exp x = {.c = c,
             .org_id = org_id,
             .steward = true,
             .out = &b,
             .flush = file_flush,
             .flush_ctx = out,
             .err = e};
    rc = k == KIND_PEOPLE ? export_people(&x) : export_credits(&x);
    db_rollback(c);
    if (!rc) rc = file_flush(out, &b, e);
    if (!rc && fflush(out))
        rc = ms_fail(e, MS_EIO, NULL, "cannot write the export: %s", strerror(errno));
    ms_buf_free(&b);
    return rc;
}
