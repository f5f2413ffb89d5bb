/* migrate.c: the migration runner. See migrate.h.
 *
 * Checksums are BLAKE2b-128 (libsodium) of each migration's text as written, without the
 * blank lines and spaces at its end, so a change of even a comment inside an applied migration
 * is noticed while appending the next migration to the file is not a change of the last one.
 * (Checksums recorded before that rule cover the text with one final newline: both forms are
 * accepted.) The text before the first marker may hold only comments and blank lines. */
#include "store/migrate.h"

#include "core/buf.h"
#include "core/log.h"
#include "core/time.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char migrations_table[] = "CREATE TABLE IF NOT EXISTS schema_migration ("
                                       " module TEXT NOT NULL,"
                                       " version INTEGER NOT NULL,"
                                       " name TEXT NOT NULL,"
                                       " checksum TEXT NOT NULL,"
                                       " applied_at TEXT NOT NULL,"
                                       " PRIMARY KEY (module, version))";

static bool only_comments(const char *p, const char *end)
{
    while (p < end) {
        while (p < end && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n'))
            p++;
        if (p >= end) break;
        if (p + 1 < end && p[0] == '-' && p[1] == '-') {
            while (p < end && *p != '\n')
                p++;
            continue;
        }
        return false;
    }
    return true;
}

/* `variant`: a per-engine file, which holds only the migrations that differ (versions
 * increase but may skip). */
static int parse(const char *module, const char *text, bool variant, ms_migration_fn fn, void *arg,
                 ms_error *err)
{
    const char *file = variant ? "schema.pg.sql" : "schema.sql";
    static const char marker[] = "-- migration ";
    const char *p = text, *first = NULL;
    /* Find markers at the start of lines. */
    int expect = 1;
    const char *cur = NULL;
    int cur_version = 0;
    char cur_name[128] = "";
    for (;;) {
        const char *m = p;
        for (;;) {
            m = strstr(m, marker);
            if (!m || m == text || m[-1] == '\n') break;
            m++;
        }
        if (cur) {
            const char *end = m ? m : text + strlen(text);
            size_t n = (size_t)(end - cur);
            char *sql = malloc(n + 1);
            if (!sql) return ms_fail(err, MS_ENOMEM, NULL, "out of memory");
            memcpy(sql, cur, n);
            sql[n] = 0;
            int rc = fn(arg, cur_version, cur_name, sql, err);
            free(sql);
            if (rc) return rc;
        }
        if (!m) break;
        if (!first) {
            first = m;
            if (!only_comments(text, m))
                return ms_fail(err, MS_EINTERNAL, "schema",
                               "%s/%s: SQL before the first \"-- migration N: name\"", module,
                               file);
        }
        const char *q = m + sizeof marker - 1;
        char *endp;
        long v = strtol(q, &endp, 10);
        if (endp == q || *endp != ':' || (variant ? v < expect : v != expect))
            return ms_fail(err, MS_EINTERNAL, "schema", "%s/%s: expected \"-- migration %d: name\"",
                           module, file, expect);
        const char *nl = strchr(endp, '\n');
        const char *name = endp + 1;
        while (*name == ' ')
            name++;
        size_t nn = nl ? (size_t)(nl - name) : strlen(name);
        if (nn >= sizeof cur_name) nn = sizeof cur_name - 1;
        memcpy(cur_name, name, nn);
        cur_name[nn] = 0;
        cur_version = (int)v;
        expect = (int)v + 1;
        cur = nl ? nl + 1 : name + nn;
        p = cur;
    }
    if (!first && !only_comments(text, text + strlen(text)))
        return ms_fail(err, MS_EINTERNAL, "schema", "%s/%s: no \"-- migration 1: name\" marker",
                       module, file);
    return 0;
}

int ms_schema_parse(const char *module, const char *text, ms_migration_fn fn, void *arg,
                    ms_error *err)
{
    return parse(module, text, false, fn, arg, err);
}

/* The migrations of a per-engine variant, by version. */
typedef struct variant {
    int version;
    char name[128];
    char *sql;
    bool used;
} variant;
typedef struct variant_list {
    variant v[64];
    int n;
} variant_list;

static int collect_variant(void *arg, int version, const char *name, const char *sql, ms_error *err)
{
    variant_list *l = arg;
    if (l->n >= (int)(sizeof l->v / sizeof l->v[0]))
        return ms_fail(err, MS_EINTERNAL, "schema", "too many migration variants");
    variant *x = &l->v[l->n];
    x->version = version;
    ms_strlcpy(x->name, name, sizeof x->name);
    if (!(x->sql = strdup(sql))) return ms_fail(err, MS_ENOMEM, NULL, "out of memory");
    l->n++;
    return 0;
}

/* A variant is either the migration's whole PostgreSQL text, or only what differs:
 *     -- replace: CREATE INDEX session_user ON session (user_id);
 *     -- with: CREATE INDEX session_by_user ON session (user_id);
 * pairs of lines, each `replace` text found exactly once in the schema.sql migration (other
 * lines: comments or blank). Builds the variant's text in `*out` (NULL for a whole text). */
static int apply_replacements(const char *module, int version, const char *base, const char *vtext,
                              char **out, ms_error *err)
{
    static const char rep_tag[] = "-- replace: ", with_tag[] = "-- with: ";
    *out = NULL;
    if (!strstr(vtext, rep_tag)) return 0;
    char *text = strdup(base);
    if (!text) return ms_fail(err, MS_ENOMEM, NULL, "out of memory");
    char from[512] = "";
    int rc = 0;
    for (const char *p = vtext; *p && !rc;) {
        size_t n = strcspn(p, "\n");
        char line[512];
        if (n >= sizeof line) {
            rc = ms_fail(err, MS_EINTERNAL, "schema",
                         "%s/schema.pg.sql: migration %d has a line over %zu bytes", module,
                         version, sizeof line - 1);
            break;
        }
        snprintf(line, sizeof line, "%.*s", (int)n, p);
        p += n + (p[n] == '\n');
        if (!strncmp(line, rep_tag, sizeof rep_tag - 1)) {
            ms_strlcpy(from, line + sizeof rep_tag - 1, sizeof from);
        } else if (!strncmp(line, with_tag, sizeof with_tag - 1)) {
            const char *to = line + sizeof with_tag - 1;
            char *at = from[0] ? strstr(text, from) : NULL;
            if (!at || strstr(at + 1, from)) {
                rc = ms_fail(err, MS_EINTERNAL, "schema",
                             "%s/schema.pg.sql: migration %d: \"%s\" must occur exactly once in "
                             "schema.sql's migration",
                             module, version, from);
                break;
            }
            size_t lf = strlen(from), lt = strlen(to), lx = strlen(text);
            char *next = malloc(lx - lf + lt + 1);
            if (!next) {
                rc = ms_fail(err, MS_ENOMEM, NULL, "out of memory");
                break;
            }
            size_t head = (size_t)(at - text);
            memcpy(next, text, head);
            memcpy(next + head, to, lt);
            memcpy(next + head + lt, at + lf, lx - head - lf + 1);
            free(text);
            text = next;
            from[0] = 0;
        } else if (line[strspn(line, " \t\r")] && strncmp(line + strspn(line, " \t"), "--", 2)) {
            rc = ms_fail(err, MS_EINTERNAL, "schema",
                         "%s/schema.pg.sql: migration %d mixes SQL with replace/with lines", module,
                         version);
        }
    }
    if (!rc && from[0])
        rc = ms_fail(err, MS_EINTERNAL, "schema",
                     "%s/schema.pg.sql: migration %d: a replace line without its with line", module,
                     version);
    if (rc) {
        free(text);
        return rc;
    }
    *out = text;
    return 0;
}

static void variants_free(variant_list *l)
{
    for (int i = 0; i < l->n; i++)
        free(l->v[i].sql);
    l->n = 0;
}

/* The checksum of `sql` without its trailing whitespace, and (`legacy`) of that text plus one
 * newline: the form recorded before trailing whitespace was ignored. */
static void checksum(const char *sql, char out[33], char legacy[33])
{
    size_t n = strlen(sql);
    while (n &&
           (sql[n - 1] == '\n' || sql[n - 1] == ' ' || sql[n - 1] == '\t' || sql[n - 1] == '\r'))
        n--;
    unsigned char h[16];
    crypto_generichash(h, sizeof h, (const unsigned char *)sql, n, NULL, 0);
    ms_hex_encode(h, sizeof h, out);
    crypto_generichash_state st;
    crypto_generichash_init(&st, NULL, 0, sizeof h);
    crypto_generichash_update(&st, (const unsigned char *)sql, n);
    crypto_generichash_update(&st, (const unsigned char *)"\n", 1);
    crypto_generichash_final(&st, h, sizeof h);
    ms_hex_encode(h, sizeof h, legacy);
}

typedef struct run_ctx {
    db_conn *c;
    const char *module;
    bool dry_run;
    ms_migrate_report *rep;
    int max_known;
    variant_list *variants; /* the module's PostgreSQL variants (checked on every engine) */
    bool use_variants;      /* running on PostgreSQL */
} run_ctx;

/* Check, and apply when missing, one migration, in one transaction that holds the migration
 * lock: servers of a cluster starting together apply each migration exactly once (the
 * others wait, then see it recorded). */
static int apply_one(void *arg, int version, const char *name, const char *sql, ms_error *err)
{
    run_ctx *x = arg;
    x->max_known = version;
    for (int i = 0; i < x->variants->n; i++) {
        variant *v = &x->variants->v[i];
        if (v->version != version) continue;
        if (strcmp(v->name, name) != 0)
            return ms_fail(err, MS_EINTERNAL, "schema",
                           "%s/schema.pg.sql: migration %d is \"%s\" but schema.sql calls it "
                           "\"%s\"",
                           x->module, version, v->name, name);
        v->used = true;
        char *built;
        int brc = apply_replacements(x->module, version, sql, v->sql, &built, err);
        if (brc) return brc;
        if (built) {
            free(v->sql);
            v->sql = built;
        }
        if (x->use_variants) sql = v->sql;
    }
    char sum[33], legacy[33];
    checksum(sql, sum, legacy);
    int rc = db_begin(x->c, DB_TX_LOCKED, err);
    if (!rc) rc = db_lock(x->c, DB_LOCK_MIGRATE, err);
    db_stmt *st;
    if (!rc)
        rc = db_query_row(x->c, &st, err,
                          "SELECT checksum FROM schema_migration WHERE module = ? AND version = ?",
                          "si", x->module, version);
    if (rc < 0) goto out;
    if (rc == DB_ROW) {
        bool same = !strcmp(db_col_text(st, 0), sum) || !strcmp(db_col_text(st, 0), legacy);
        db_done(st);
        rc = 0;
        if (!same)
            rc = ms_fail(err, MS_EINTERNAL, "schema-drift",
                         "migration %s %d (%s) was changed after it was applied; restore its "
                         "text and add a new migration instead",
                         x->module, version, name);
        else
            x->rep->current++;
        goto out;
    }
    rc = 0;
    if (x->dry_run) {
        x->rep->pending++;
        goto out;
    }
    if ((rc = db_exec_script(x->c, sql, err))) {
        char detail[sizeof err->detail];
        snprintf(detail, sizeof detail, "%s", err->detail);
        ms_fail(err, rc, "migration-failed", "migration %s %d (%s) failed: %s", x->module, version,
                name, detail);
        goto out;
    }
    char now[MS_TIME_LEN];
    ms_now_str(now);
    rc = db_exec(x->c, err,
                 "INSERT INTO schema_migration (module, version, name, checksum, applied_at) "
                 "VALUES (?, ?, ?, ?, ?)",
                 "sisss", x->module, version, name, sum, now);
    if (rc < 0) goto out;
    if ((rc = db_commit(x->c, err))) return rc;
    x->rep->applied++;
    ms_log(MS_LOG_INFO, "migration applied",
           json_pack("{s:s,s:i,s:s}", "module", x->module, "version", version, "name", name));
    return 0;
out:
    db_rollback(x->c);
    return rc < 0 ? rc : 0;
}

static int create_migrations_table(db_conn *c, ms_error *err)
{
    int rc = db_begin(c, DB_TX_LOCKED, err);
    if (!rc) rc = db_lock(c, DB_LOCK_MIGRATE, err);
    if (!rc) rc = db_exec_script(c, migrations_table, err);
    if (rc) {
        db_rollback(c);
        return rc;
    }
    return db_commit(c, err);
}

int ms_migrate(db *d, const ms_schema *schemas, int nschemas, bool dry_run,
               ms_migrate_report *report, ms_error *err)
{
    ms_migrate_report local = {0};
    ms_migrate_report *rep = report ? report : &local;
    memset(rep, 0, sizeof *rep);
    db_conn *c = db_acquire(d);
    bool pg = strcmp(db_engine(d), "postgres") == 0;
    variant_list *variants = calloc(1, sizeof *variants);
    if (!variants) {
        db_release(c);
        return ms_fail(err, MS_ENOMEM, NULL, "out of memory");
    }
    int rc = create_migrations_table(c, err);
    for (int i = 0; rc == 0 && i < nschemas; i++) {
        run_ctx x = {c, schemas[i].module, dry_run, rep, 0, variants, pg};
        variants_free(variants);
        if (schemas[i].sql_pg)
            rc = parse(schemas[i].module, schemas[i].sql_pg, true, collect_variant, variants, err);
        if (!rc) rc = parse(schemas[i].module, schemas[i].sql, false, apply_one, &x, err);
        for (int k = 0; !rc && k < variants->n; k++)
            if (!variants->v[k].used)
                rc = ms_fail(err, MS_EINTERNAL, "schema",
                             "%s/schema.pg.sql: migration %d has no counterpart in schema.sql",
                             schemas[i].module, variants->v[k].version);
        if (rc) break;
        db_stmt *st;
        rc = db_query_row(c, &st, err, "SELECT MAX(version) FROM schema_migration WHERE module = ?",
                          "s", schemas[i].module);
        if (rc < 0) break;
        int64_t max = rc == DB_ROW ? db_col_int(st, 0) : 0;
        if (rc == DB_ROW) db_done(st);
        rc = 0;
        if (max > x.max_known)
            rc = ms_fail(err, MS_EINTERNAL, "schema-newer",
                         "the database has %s migration %lld but this binary knows only %d: "
                         "it was written by a newer mstation",
                         schemas[i].module, (long long)max, x.max_known);
    }
    variants_free(variants);
    free(variants);
    db_release(c);
    return rc;
}
