/* store.c: the chunk store's maintenance: `mstation store stats | verify | gc`, and the
 * hourly gc of the maintenance job.
 *
 * gc, in order, under the store's exclusive lock (so no upload is between "this chunk is
 * there" and the commit that references it, see chunks.c):
 *   1. manifests of assets deleted longer than the grace period ago are dropped (the asset
 *      rows stay for the audit trail), with their derivatives;
 *   2. chunks no manifest references and nobody stored or referenced within the grace period
 *      are deleted: rows first (committed), then blobs;
 *   3. blobs without a row (a writer that crashed before its commit) older than the grace
 *      period are deleted;
 *   4. expired unfinished uploads and their part files, finished upload rows after a day,
 *      and work files of jobs older than a day.
 * A chunk an upload in progress has sent (the CLI's path) has a fresh seen_at, so the grace
 * period protects it until the upload commits. */
#include "assets/assets_internal.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define GC_BATCH 10000

int store_stats(const ms_env *env, db_conn *c, store_report *rep, ms_error *err)
{
    memset(rep, 0, sizeof *rep);
    db_stmt *st;
    int rc = db_query_row(c, &st, err,
                          "SELECT COUNT(*), COALESCE(SUM(size), 0), COALESCE(SUM(stored_size), 0), "
                          "COALESCE(SUM(CASE WHEN damaged_at IS NOT NULL THEN 1 ELSE 0 END), 0) "
                          "FROM chunk",
                          "");
    if (rc < 0) return rc;
    rep->chunks = db_col_int(st, 0);
    rep->chunk_bytes = db_col_int(st, 1);
    rep->stored_bytes = db_col_int(st, 2);
    rep->damaged = db_col_int(st, 3);
    db_done(st);
    rc = db_query_row(c, &st, err,
                      "SELECT COUNT(*), COALESCE(SUM(v.size), 0) FROM asset_version v JOIN asset a "
                      "ON a.id = v.asset_id WHERE a.deleted_at IS NULL",
                      "");
    if (rc < 0) return rc;
    rep->versions = db_col_int(st, 0);
    rep->logical_bytes = db_col_int(st, 1);
    db_done(st);
    blob_usage u;
    if ((rc = blobs_usage(env->blobs, "", &u, err))) return rc;
    rep->blobs = u.objects;
    rep->blob_bytes = u.bytes;
    rep->free_bytes = u.free_bytes;
    return 0;
}

/* ---- verify ---- */

static void name_versions(db_conn *c, const char *digest, FILE *out)
{
    db_stmt *st;
    ms_error e;
    if (db_query(c, &st, &e,
                 "SELECT DISTINCT a.id, a.folder, a.name, v.number FROM version_chunk x JOIN "
                 "asset_version v ON v.id = x.version_id JOIN asset a ON a.id = v.asset_id WHERE "
                 "x.digest = ? ORDER BY a.folder, a.name, v.number",
                 "s", digest))
        return;
    while (db_step(st, &e) == DB_ROW)
        fprintf(out, "    used by %s%s%s v%03d (asset %s)\n", db_col_text(st, 1),
                strcmp(db_col_text(st, 1), "/") ? "/" : "", db_col_text(st, 2),
                (int)db_col_int(st, 3), db_col_text(st, 0));
    db_done(st);
}

typedef struct chunk_row {
    char digest[DIGEST_HEX], codec[8];
    uint32_t size;
} chunk_row;

int store_verify(const ms_env *env, db_conn *c, FILE *out, store_report *rep, ms_error *err)
{
    memset(rep, 0, sizeof *rep);
    uint8_t *buf =
        malloc((size_t)env->config->chunk_max > (64u << 20) ? (64u << 20)
                                                            : (size_t)env->config->chunk_max);
    if (!buf) return ms_fail(err, MS_ENOMEM, NULL, "out of memory");
    char after[DIGEST_HEX] = "";
    int rc = 0;
    for (;;) {
        /* Pages of rows, so the read transaction does not stay open for the whole store. */
        chunk_row rows[512];
        int n = 0;
        db_stmt *st;
        rc = db_query(c, &st, err,
                      "SELECT digest, codec, size FROM chunk WHERE digest > ? ORDER BY digest "
                      "LIMIT 512",
                      "s", after);
        while (rc >= 0 && (rc = db_step(st, err)) == DB_ROW) {
            ms_strlcpy(rows[n].digest, db_col_text(st, 0), sizeof rows[n].digest);
            ms_strlcpy(rows[n].codec, db_col_text(st, 1), sizeof rows[n].codec);
            rows[n].size = (uint32_t)db_col_int(st, 2);
            n++;
        }
        if (rc == DB_DONE) rc = 0;
        db_done(st);
        if (rc || n == 0) break;
        for (int i = 0; i < n; i++) {
            chunk_row *k = &rows[i];
            rep->chunks++;
            rep->chunk_bytes += k->size;
            ms_error e;
            ms_error_clear(&e);
            if (k->size > env->config->chunk_max) {
                fprintf(out, "DAMAGED %s: larger than chunk_max\n", k->digest);
                rep->damaged++;
                continue;
            }
            if (chunks_read(env->blobs, env->db, k->digest, k->codec, k->size, buf, &e) == 0) {
                db_exec(c, &e,
                        "UPDATE chunk SET damaged_at = NULL WHERE digest = ? AND "
                        "damaged_at IS NOT NULL",
                        "s", k->digest);
                continue;
            }
            bool missing = strstr(e.detail, "missing") != NULL;
            if (missing)
                rep->missing++;
            else
                rep->damaged++;
            fprintf(out, "%s %s: %s\n", missing ? "MISSING" : "DAMAGED", k->digest, e.detail);
            name_versions(c, k->digest, out);
        }
        ms_strlcpy(after, rows[n - 1].digest, sizeof after);
    }
    free(buf);
    return rc;
}

/* ---- gc ---- */

typedef struct gc_ctx {
    const ms_env *env;
    db_conn *c;
    int64_t cutoff_ms;
    bool dry_run;
    FILE *out;
    store_report *rep;
} gc_ctx;

static int orphan_blob(void *arg, const char *key, int64_t size, int64_t mtime_ms)
{
    gc_ctx *g = arg;
    const char *base = strrchr(key, '/');
    base = base ? base + 1 : key;
    char digest[DIGEST_HEX];
    if (strlen(base) < 64) return 0;
    memcpy(digest, base, 64);
    digest[64] = 0;
    const char *codec = !strcmp(base + 64, ".zst") ? "zstd" : !base[64] ? "raw" : NULL;
    if (!codec || mtime_ms > g->cutoff_ms) return 0;
    db_stmt *st;
    ms_error e;
    int rc = db_query_row(g->c, &st, &e, "SELECT 1 FROM chunk WHERE digest = ? AND codec = ?", "ss",
                          digest, codec);
    if (rc == DB_ROW) {
        db_done(st);
        return 0;
    }
    if (rc < 0) return 0;
    g->rep->orphans++;
    g->rep->removed_bytes += size;
    if (g->out)
        fprintf(g->out, "%s orphan blob %s\n", g->dry_run ? "would remove" : "removed", key);
    if (!g->dry_run) blobs_delete(g->env->blobs, key, &e);
    return 0;
}

static void sweep_dir(const char *dir, int64_t cutoff_ms, bool dry_run)
{
    DIR *d = opendir(dir);
    if (!d) return;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.') continue;
        char p[1200];
        snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
        struct stat st;
        if (stat(p, &st) == 0 && S_ISREG(st.st_mode) &&
            (int64_t)st.st_mtim.tv_sec * 1000 < cutoff_ms && !dry_run)
            unlink(p);
    }
    closedir(d);
}

typedef struct gc_tx_arg {
    gc_ctx *g;
    char cutoff[MS_TIME_LEN];
    char (*digests)[DIGEST_HEX + 8]; /* digest + codec */
    int n, cap;
} gc_tx_arg;

static int gc_tx(void *arg, db_conn *c, ms_error *err)
{
    gc_tx_arg *a = arg;
    gc_ctx *g = a->g;
    a->n = 0;
    int rc;
    if (!g->dry_run) {
        /* 1. Manifests of assets deleted long enough ago. */
        rc = db_exec(c, err,
                     "DELETE FROM version_chunk WHERE version_id IN (SELECT v.id FROM "
                     "asset_version v JOIN asset a ON a.id = v.asset_id WHERE a.deleted_at IS NOT "
                     "NULL AND a.deleted_at < ?)",
                     "s", a->cutoff);
        if (rc < 0) return rc;
    }
    /* 2. Unreferenced chunks not seen within the grace period. */
    db_stmt *st;
    rc = db_query(c, &st, err,
                  "SELECT c.digest, c.codec, c.stored_size FROM chunk c WHERE c.seen_at < ? AND "
                  "NOT EXISTS (SELECT 1 FROM version_chunk x WHERE x.digest = c.digest) LIMIT ?",
                  "si", a->cutoff, GC_BATCH);
    if (rc) return rc;
    while ((rc = db_step(st, err)) == DB_ROW) {
        if (a->n == a->cap) {
            int cap = a->cap ? a->cap * 2 : 256;
            void *p = realloc(a->digests, (size_t)cap * sizeof *a->digests);
            if (!p) {
                db_done(st);
                return ms_fail(err, MS_ENOMEM, NULL, "out of memory");
            }
            a->digests = p;
            a->cap = cap;
        }
        snprintf(a->digests[a->n], sizeof a->digests[a->n], "%s %s", db_col_text(st, 0),
                 db_col_text(st, 1));
        g->rep->removed++;
        g->rep->removed_bytes += db_col_int(st, 2);
        a->n++;
    }
    db_done(st);
    if (rc < 0) return rc;
    if (g->dry_run) return 0;
    for (int i = 0; i < a->n; i++) {
        char digest[DIGEST_HEX];
        memcpy(digest, a->digests[i], 64);
        digest[64] = 0;
        if ((rc = db_exec(c, err, "DELETE FROM chunk WHERE digest = ?", "s", digest)) < 0 ||
            (rc = db_exec(c, err, "DELETE FROM chunk_owner WHERE digest = ?", "s", digest)) < 0)
            return rc;
    }
    /* 4. Uploads. */
    char day_ago[MS_TIME_LEN], now[MS_TIME_LEN];
    ms_time_fmt(ms_now_ms() - 86400LL * 1000, day_ago);
    ms_now_str(now);
    rc = db_query(c, &st, err, "SELECT id FROM upload WHERE state = 'receiving' AND expires_at < ?",
                  "s", now);
    if (rc) return rc;
    while ((rc = db_step(st, err)) == DB_ROW) {
        char p[800];
        snprintf(p, sizeof p, "%s/uploads/%s.part", g->env->work_dir, db_col_text(st, 0));
        unlink(p);
    }
    db_done(st);
    if (rc < 0) return rc;
    if ((rc = db_exec(c, err,
                      "DELETE FROM upload WHERE (state = 'receiving' AND expires_at < ?) OR "
                      "(state = 'done' AND updated_at < ?)",
                      "ss", now, day_ago)) < 0)
        return rc;
    return 0;
}

int store_gc(const ms_env *env, db_conn *c, int64_t grace_s, bool dry_run, FILE *out,
             store_report *rep, ms_error *err)
{
    memset(rep, 0, sizeof *rep);
    int lock = blobs_lock(env->blobs, 1, err);
    if (lock < 0) return lock;
    gc_ctx g = {env, c, ms_now_ms() - grace_s * 1000, dry_run, out, rep};
    gc_tx_arg a = {.g = &g};
    ms_time_fmt(g.cutoff_ms, a.cutoff);
    int rc;
    /* Batches of GC_BATCH chunks, each its own transaction, until one comes back short (a dry
     * run deletes nothing, so it counts only the first batch). */
    do {
        rc = db_transact(c, DB_TX_WRITE, gc_tx, &a, err);
        if (!rc && !dry_run) {
            for (int i = 0; i < a.n; i++) {
                char digest[DIGEST_HEX], key[BLOB_KEY_MAX];
                memcpy(digest, a.digests[i], 64);
                digest[64] = 0;
                chunk_key(digest, a.digests[i] + 65, key);
                ms_error e;
                blobs_delete(env->blobs, key, &e);
                if (out) fprintf(out, "removed chunk %s\n", digest);
            }
        }
    } while (!rc && !dry_run && a.n == GC_BATCH);
    free(a.digests);
    /* 3. Blobs without rows. */
    if (!rc) rc = blobs_list(env->blobs, "chunks/", orphan_blob, &g, err);
    blobs_unlock(lock);
    if (!rc && env->work_dir[0]) {
        char dir[600];
        snprintf(dir, sizeof dir, "%s/media", env->work_dir);
        sweep_dir(dir, ms_now_ms() - 86400LL * 1000, dry_run);
    }
    return rc;
}
