/* dedup.c: the CLI's deduplicating upload path.
 *
 *   POST /projects/{id}/chunks/missing  {"digests":[...]} -> {"missing":[...]}
 *   PUT  /projects/{id}/chunks/{digest} raw bytes          -> 201 stored, 200 already had
 *   POST /projects/{id}/assets/commit   manifest            -> 201 the asset
 *   GET  /store/params                  the chunking parameters clients must use
 *
 * The client chunks and hashes locally, asks which chunks are missing, sends only those, then
 * commits the list. "Missing" is answered per organization: a chunk counts as present only
 * when the project's organization has uploaded it before (chunk_owner), so nobody can probe
 * for content another organization stored. The server re-hashes every chunk it receives and
 * refuses bytes that do not match their digest; at commit it re-reads the chunks (verified)
 * to compute the whole file's digest itself rather than trust the client's. */
#include "assets/assets_internal.h"

#include "media/media.h"

#include <stdlib.h>
#include <string.h>

#define MISSING_MAX     4096
#define SYNC_ONE_BY_ONE 16

int h_store_params(ms_req *r)
{
    const ms_config *c = r->env->config;
    return ms_reply(r, 200,
                    json_pack("{s:I,s:I,s:I,s:s,s:I}", "chunk_min", (json_int_t)c->chunk_min,
                              "chunk_avg", (json_int_t)c->chunk_avg, "chunk_max",
                              (json_int_t)c->chunk_max, "digest", "blake3-256", "max_upload",
                              (json_int_t)c->max_upload));
}

static const ms_jfield missing_fields[] = {
    {"digests", MS_J_ARRAY, true, false, 0, MISSING_MAX, NULL},
    {0},
};

int h_chunks_missing(ms_req *r)
{
    if (ms_json_check(r->body, missing_fields, &r->err)) return r->err.code;
    json_t *list = json_object_get(r->body, "digests");
    if (!json_is_array(list))
        return ms_field_fail(&r->err, "digests", "must be an array of BLAKE3-256 hex digests");
    size_t n = json_array_size(list);
    if (n > MISSING_MAX)
        return ms_field_fail(&r->err, "digests", "at most %d digests per request", MISSING_MAX);
    char org[MS_ID_LEN];
    int rc = project_org(r->db, ms_req_param(r, "id"), org, &r->err);
    if (rc) return rc;
    json_t *missing = json_array();
    for (size_t i = 0; i < n; i++) {
        const char *d = json_string_value(json_array_get(list, i));
        uint8_t raw[32];
        if (!digest_parse(d, raw)) {
            json_decref(missing);
            return ms_field_fail(&r->err, "digests", "item %zu is not 64 lower-case hex digits", i);
        }
        db_stmt *st;
        rc = db_query_row(r->db, &st, &r->err,
                          "SELECT 1 FROM chunk_owner o JOIN chunk c ON c.digest = o.digest WHERE "
                          "o.org_id = ? AND o.digest = ? AND c.damaged_at IS NULL",
                          "ss", org, d);
        if (rc < 0) {
            json_decref(missing);
            return rc;
        }
        if (rc == DB_ROW)
            db_done(st);
        else
            json_array_append_new(missing, json_string(d));
    }
    return ms_reply(r, 200, json_pack("{s:o}", "missing", missing));
}

/* ---- PUT /projects/{id}/chunks/{digest}: the body is collected (at most chunk_max). ---- */

typedef struct chunk_body {
    uint8_t *data;
    size_t len, cap;
} chunk_body;

static void chunk_body_cleanup(ms_req *r, bool completed)
{
    (void)completed;
    chunk_body *b = r->module_state;
    if (b) free(b->data);
    free(b);
    r->module_state = NULL;
}

int chunks_on_body(ms_req *r, const char *data, size_t len)
{
    chunk_body *b = r->module_state;
    size_t max = (size_t)r->env->config->chunk_max;
    if (!b) {
        if (r->content_length > (int64_t)max)
            return ms_req_fail(r, MS_ETOOBIG, "chunk-too-large",
                               "A chunk is at most %zu bytes on this server.", max);
        b = calloc(1, sizeof *b);
        if (!b) return ms_req_fail(r, MS_ENOMEM, NULL, "out of memory");
        b->cap = r->content_length > 0 ? (size_t)r->content_length : 65536;
        b->data = malloc(b->cap);
        r->module_state = b;
        r->cleanup = chunk_body_cleanup;
        if (!b->data) return ms_req_fail(r, MS_ENOMEM, NULL, "out of memory");
    }
    if (b->len + len > max)
        return ms_req_fail(r, MS_ETOOBIG, "chunk-too-large",
                           "A chunk is at most %zu bytes on this server.", max);
    if (b->len + len > b->cap) {
        size_t cap = b->cap * 2 > b->len + len ? b->cap * 2 : b->len + len;
        if (cap > max) cap = max;
        uint8_t *p = realloc(b->data, cap);
        if (!p) return ms_req_fail(r, MS_ENOMEM, NULL, "out of memory");
        b->data = p;
        b->cap = cap;
    }
    memcpy(b->data + b->len, data, len);
    b->len += len;
    return 0;
}

typedef struct record_arg {
    const char *org;
    chunk_info info;
} record_arg;

static int record_tx(void *arg, db_conn *c, ms_error *err)
{
    record_arg *a = arg;
    return chunks_record(c, &a->info, 1, a->org, err);
}

int h_chunks_put(ms_req *r)
{
    const char *pid = ms_req_param(r, "id"), *hex = ms_req_param(r, "digest");
    uint8_t want[32], got[32];
    if (!digest_parse(hex, want))
        return ms_req_fail(r, MS_ENOTFOUND, NULL, "A chunk address is 64 lower-case hex digits.");
    chunk_body *b = r->module_state;
    if (!b || b->len == 0)
        return ms_req_fail(r, MS_EINVAL, "empty-chunk", "Send the chunk's bytes as the body.");
    ms_blake3_hash(b->data, b->len, got);
    if (memcmp(want, got, 32) != 0)
        return ms_req_fail(r, MS_EINVAL, "digest-mismatch",
                           "The bytes received do not hash to %s; nothing was stored.", hex);
    char org[MS_ID_LEN];
    int rc = project_org(r->db, pid, org, &r->err);
    if (rc) return rc;
    /* The store lock before any database write lock (gc takes them in that order too), and
     * held until the row that says the chunk is present is committed. */
    int lock = blobs_lock(r->env->blobs, 0, &r->err);
    if (lock < 0) return lock;
    record_arg ra = {.org = org};
    rc = chunks_store(r->env->blobs, r->db, r->env->config->store_compress, got, b->data, b->len,
                      &ra.info, &r->err);
    if (!rc) rc = db_transact(r->db, DB_TX_WRITE, record_tx, &ra, &r->err);
    blobs_unlock(lock);
    if (rc) return rc;
    chunk_info info = ra.info;
    return ms_reply(r, info.written ? 201 : 200,
                    json_pack("{s:s,s:I,s:s,s:I,s:b}", "digest", info.digest, "size",
                              (json_int_t)info.size, "codec", info.codec, "stored_size",
                              (json_int_t)info.stored_size, "stored", info.written));
}

/* ---- POST /projects/{id}/assets/commit ---- */

typedef struct commit_arg {
    const ms_env *env;
    version_new v;
    manifest m;
    char asset_id[MS_ID_LEN];
    int number;
} commit_arg;

static int commit_tx(void *arg, db_conn *c, ms_error *err)
{
    commit_arg *a = arg;
    return version_commit(c, a->env, &a->v, &a->m, a->asset_id, &a->number, err);
}

static const ms_jfield commit_fields[] = {
    {"folder", MS_J_STRING, false, false, 0, 1024, NULL},
    {"filename", MS_J_STRING, true, false, 1, 255, NULL},
    {"size", MS_J_INT, true, false, 0, INT64_MAX, NULL},
    {"digest", MS_J_STRING, true, false, 64, 64, NULL},
    {"chunks", MS_J_ARRAY, true, false, 0, 4000000, NULL},
    {"comment", MS_J_TEXT, false, false, 0, 2000, NULL},
    {0},
};

int h_assets_commit(ms_req *r)
{
    const char *pid = ms_req_param(r, "id");
    if (ms_json_check(r->body, commit_fields, &r->err)) return r->err.code;
    commit_arg a;
    memset(&a, 0, sizeof a);
    a.env = r->env;
    char folder[1100];
    const char *filename = ms_json_str(r->body, "filename");
    int rc = filename_check(filename, "filename", &r->err);
    if (rc ||
        (rc = folder_normalize(ms_json_str(r->body, "folder"), folder, sizeof folder, &r->err)))
        return rc;
    const char *claimed = ms_json_str(r->body, "digest");
    uint8_t claimed_raw[32];
    if (!digest_parse(claimed, claimed_raw))
        return ms_field_fail(&r->err, "digest", "must be 64 lower-case hex digits");
    int64_t size = ms_json_int(r->body, "size", -1);
    json_t *chunks = json_object_get(r->body, "chunks");
    size_t n = json_array_size(chunks);
    if (size > 0 && n == 0) return ms_field_fail(&r->err, "chunks", "must list the chunks");
    char org[MS_ID_LEN];
    /* Read phase: the project, and every chunk present, sound and owned by the organization. */
    db_conn *c = r->db;
    if ((rc = db_begin(c, DB_TX_READ, &r->err))) return rc;
    rc = project_org(c, pid, org, &r->err);
    a.m.cap = (int)(n ? n : 1);
    a.m.e = calloc((size_t)a.m.cap, sizeof *a.m.e);
    if (!rc && !a.m.e) rc = ms_req_fail(r, MS_ENOMEM, NULL, "out of memory");
    uint64_t off = 0;
    json_t *missing = json_array();
    for (size_t i = 0; !rc && i < n; i++) {
        json_t *e = json_array_get(chunks, i);
        const char *d = json_string_value(json_object_get(e, "digest"));
        json_int_t sz = json_integer_value(json_object_get(e, "size"));
        uint8_t raw[32];
        if (!digest_parse(d, raw) || sz <= 0 || sz > r->env->config->chunk_max) {
            rc = ms_field_fail(&r->err, "chunks", "item %zu needs a digest and a size in 1..%lld",
                               i, (long long)r->env->config->chunk_max);
            break;
        }
        db_stmt *st;
        rc = db_query_row(c, &st, &r->err,
                          "SELECT c.size, c.codec, c.stored_size FROM chunk_owner o JOIN chunk c "
                          "ON c.digest = o.digest WHERE o.org_id = ? AND o.digest = ? AND "
                          "c.damaged_at IS NULL",
                          "ss", org, d);
        if (rc < 0) break;
        if (rc == DB_DONE) {
            rc = 0;
            json_array_append_new(missing, json_string(d));
            continue;
        }
        struct manifest_entry *me = &a.m.e[a.m.n++];
        ms_strlcpy(me->chunk.digest, d, sizeof me->chunk.digest);
        me->chunk.size = (uint32_t)db_col_int(st, 0);
        ms_strlcpy(me->chunk.codec, db_col_text(st, 1), sizeof me->chunk.codec);
        me->chunk.stored_size = (uint32_t)db_col_int(st, 2);
        db_done(st);
        rc = 0;
        if (me->chunk.size != (uint32_t)sz) {
            rc = ms_field_fail(&r->err, "chunks", "item %zu: the chunk has %u bytes, not %lld", i,
                               me->chunk.size, (long long)sz);
            break;
        }
        me->offset = off;
        off += (uint64_t)sz;
    }
    db_commit(c, NULL);
    if (!rc && json_array_size(missing)) {
        size_t k = json_array_size(missing);
        rc = ms_req_fail(r, MS_ECONFLICT, "chunks-missing",
                         "%zu chunks of this file are not on the server yet; send them and "
                         "commit again.",
                         k);
        for (size_t i = 0; i < k && i < 8; i++)
            ms_field_fail(&r->err, "chunks", "missing %s",
                          json_string_value(json_array_get(missing, i)));
        r->err.code = MS_ECONFLICT;
        ms_strlcpy(r->err.type, "chunks-missing", sizeof r->err.type);
    }
    json_decref(missing);
    if (!rc && off != (uint64_t)size)
        rc = ms_field_fail(&r->err, "size", "the chunks add up to %llu bytes, not %lld",
                           (unsigned long long)off, (long long)size);
    /* The whole file's digest, from the stored (verified) bytes. */
    if (!rc) {
        ms_blake3 h;
        ms_blake3_init(&h);
        uint8_t *buf = malloc((size_t)r->env->config->chunk_max);
        if (!buf) rc = ms_req_fail(r, MS_ENOMEM, NULL, "out of memory");
        for (int i = 0; !rc && i < a.m.n; i++) {
            const chunk_info *k = &a.m.e[i].chunk;
            /* Not re-hashed chunk by chunk: the whole file's digest below covers every byte. */
            rc = chunks_read_unverified(r->env->blobs, r->env->db, k->digest, k->codec, k->size,
                                        buf, &r->err);
            if (!rc) ms_blake3_update(&h, buf, k->size);
            /* Chunks are written without waiting for the disk; a few are cheaper to make
             * durable one by one than the whole file system (many: blobs_flush below). */
            if (!rc && a.m.n <= SYNC_ONE_BY_ONE) {
                char key[BLOB_KEY_MAX];
                chunk_key(k->digest, k->codec, key);
                rc = blobs_sync(r->env->blobs, key, &r->err);
            }
        }
        uint8_t whole[32];
        ms_blake3_finalize(&h, whole, 32);
        if (!rc && memcmp(whole, claimed_raw, 32) != 0) {
            /* A lie, or a chunk damaged in the store: find out which, chunk by chunk (a damaged
             * one is marked, reported missing again, and the client sends it again). */
            for (int i = 0; !rc && i < a.m.n; i++) {
                const chunk_info *k = &a.m.e[i].chunk;
                rc = chunks_read(r->env->blobs, r->env->db, k->digest, k->codec, k->size, buf,
                                 &r->err);
            }
            if (rc) {
                ms_error_clear(&r->err);
                rc = ms_req_fail(r, MS_ECONFLICT, "chunks-missing",
                                 "A chunk of this file was damaged in the store; send the missing "
                                 "chunks again and commit again.");
            } else {
                rc = ms_req_fail(r, MS_EINVAL, "digest-mismatch",
                                 "The chunks do not make a file with digest %s.", claimed);
            }
        }
        free(buf);
        digest_hex(whole, a.m.digest);
    }
    a.m.size = off;
    if (!rc) {
        /* Kind: sniff the first bytes of the first chunk. */
        const char *kind = "other";
        if (a.m.n) {
            uint8_t *head = malloc(a.m.e[0].chunk.size);
            ms_error e2;
            if (head && !chunks_read(r->env->blobs, r->env->db, a.m.e[0].chunk.digest,
                                     a.m.e[0].chunk.codec, a.m.e[0].chunk.size, head, &e2))
                kind = media_sniff(head, a.m.e[0].chunk.size, filename);
            free(head);
        }
        a.v = (version_new){
            pid, org, folder, filename, ms_json_str(r->body, "comment"), r->caller->user_id, kind};
        int lock = blobs_lock(r->env->blobs, 0, &r->err);
        /* The chunks were written without waiting for the disk: make them durable first. */
        if (lock >= 0)
            rc = a.m.n > SYNC_ONE_BY_ONE ? blobs_flush(r->env->blobs, &r->err) : 0;
        else
            rc = lock;
        if (!rc) rc = db_transact(c, DB_TX_WRITE, commit_tx, &a, &r->err);
        blobs_unlock(lock);
    }
    manifest_free(&a.m);
    if (rc) return rc;
    r->jobs_enqueued = true;
    if ((rc = db_begin(c, DB_TX_READ, &r->err))) return rc;
    rc = asset_reply(r, 201, a.asset_id);
    return rc;
}
