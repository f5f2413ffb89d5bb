/* assets_internal.h: what the files of the assets module share. Not for other modules (they
 * use assets.h). */
#ifndef MS_ASSETS_INTERNAL_H
#define MS_ASSETS_INTERNAL_H

#include "assets/assets.h"
#include "auth/auth.h"
#include "core/api.h"
#include "core/blake3.h"
#include "core/buf.h"
#include "core/id.h"
#include "core/json.h"
#include "core/time.h"
#include "store/blob.h"
#include "store/db.h"

#include <stdbool.h>
#include <stdint.h>

#define DIGEST_HEX 65 /* 64 hex digits + NUL */

/* ---- Chunk store (chunks.c). ---- */

typedef struct chunk_info {
    char digest[DIGEST_HEX];
    uint32_t size;        /* raw */
    uint32_t stored_size; /* in the blob store */
    char codec[8];        /* raw, zstd */
    bool written;         /* this call wrote the blob (it was absent or damaged) */
} chunk_info;

void digest_hex(const uint8_t d[32], char out[DIGEST_HEX]);
bool digest_parse(const char *hex, uint8_t out[32]);
/* chunks/ab/cd/<digest>[.zst] */
void chunk_key(const char *digest, const char *codec, char out[BLOB_KEY_MAX]);

/* Make the chunk whose raw bytes are `data` durable in the blob store unless a sound copy is
 * already there (looked up with `c`, outside or inside a transaction). `digest` is the
 * BLAKE3-256 of data, already computed by the caller (and verified where it came from
 * outside). Call with the store lock held shared. Does not write rows: chunks_record does. */
int chunks_store(ms_blobs *b, db_conn *c, bool compress, const uint8_t digest[32],
                 const uint8_t *data, size_t len, chunk_info *out, ms_error *err);
/* Rows for stored chunks, inside the caller's write transaction: the chunk row (new, or its
 * seen_at refreshed and damage cleared when it was rewritten) and the owner row of `org_id`.
 * MS_ECONFLICT "chunk-vanished" when a chunk that was found present is gone (gc removed it
 * meanwhile): store it again. */
int chunks_record(db_conn *c, const chunk_info *chunks, int n, const char *org_id, ms_error *err);
/* Read a chunk's raw bytes into buf (room for `size`), verified against its digest. A
 * mismatch marks the chunk damaged and fails with MS_EIO "chunk-damaged": damaged bytes are
 * never returned as good ones. */
int chunks_read(ms_blobs *b, db *d, const char *digest, const char *codec, uint32_t size,
                uint8_t *buf, ms_error *err);
/* The same without re-hashing, for a caller that checks a digest over many chunks itself (a
 * commit compares the whole file's digest; on a mismatch it re-reads with chunks_read to
 * find the damaged chunk). */
int chunks_read_unverified(ms_blobs *b, db *d, const char *digest, const char *codec, uint32_t size,
                           uint8_t *buf, ms_error *err);
void chunks_mark_damaged(db *d, const char *digest);

/* ---- Versions (ingest.c). ---- */

typedef struct manifest {
    int n, cap;
    struct manifest_entry {
        chunk_info chunk;
        uint64_t offset;
    } * e;
    uint64_t size;
    char digest[DIGEST_HEX];
} manifest;

void manifest_free(manifest *m);

typedef struct version_new {
    const char *project_id;
    const char *org_id;
    const char *folder;
    const char *filename;
    const char *comment;
    const char *user_id;
    const char *kind_hint; /* sniffed kind, or NULL */
} version_new;

/* Chunk, hash and store the file `fd` (one pass, parallel), holding the store lock shared. */
int ingest_fd(const ms_env *env, db_conn *c, int fd, manifest *m, ms_error *err);
/* Commit a version of (folder, name) in the project, creating the asset when it is new;
 * inside the caller's write transaction. Records the chunks' rows, enqueues the probe and
 * derivative jobs and appends the event. Fills the asset id and version number. */
int version_commit(db_conn *c, const ms_env *env, const version_new *v, const manifest *m,
                   char asset_id[MS_ID_LEN], int *number, ms_error *err);
/* Sniff the kind of a file from its first bytes (media_sniff) and its name. */
const char *kind_of_file(int fd, const char *filename);

/* ---- Shared checks (assets.c). ---- */

/* Validate and normalize a folder path ("/EP03/camera"): UTF-8, no control characters, no
 * "." or ".." segments, at most 1024 bytes; "" and "/" are the root. */
int folder_normalize(const char *in, char *out, size_t cap, ms_error *err);
/* A file name: 1..255 bytes of UTF-8, no '/', no control characters, not "." or "..". */
int filename_check(const char *name, const char *field, ms_error *err);
/* The asset `id` if the caller may reach it at `need` level: fills project and org ids.
 * MS_ENOTFOUND otherwise (also for deleted assets and other organizations' assets). */
int asset_access(ms_req *r, const char *id, ms_level need, char project_id[MS_ID_LEN],
                 char org_id[MS_ID_LEN]);
int assets_event(db_conn *c, const char *actor_id, const char *action, const char *object_type,
                 const char *object_id, const char *project_id, const char *org_id, json_t *data,
                 ms_error *err, const char *fmt, ...) __attribute__((format(printf, 10, 11)));
/* The org that owns a project. */
int project_org(db_conn *c, const char *project_id, char org_id[MS_ID_LEN], ms_error *err);

/* Reply with the asset (current version, probe, derivatives) as JSON. */
int asset_reply(ms_req *r, int status, const char *id);
int h_store_params(ms_req *r);

/* ---- Content (content.c). ---- */

/* Reply with a version's bytes (Range, ETag, If-None-Match, Content-Disposition). */
int content_reply(ms_req *r, const char *asset_id, int number, const char *disposition);
/* Reply with a blob (derivative) as it is. */
int blob_reply(ms_req *r, const char *key, const char *mime, const char *etag);

/* ---- Handlers. ---- */
int h_assets_list(ms_req *r);
int h_assets_get(ms_req *r);
int h_assets_update(ms_req *r);
int h_assets_delete(ms_req *r);
int h_asset_versions(ms_req *r);
int h_asset_content(ms_req *r);
int h_asset_restore(ms_req *r);
int h_asset_compare(ms_req *r);
int h_asset_derivative(ms_req *r);
int h_folder_zip(ms_req *r);
int h_uploads_options(ms_req *r);
int h_uploads_create(ms_req *r);
int h_uploads_head(ms_req *r);
int h_uploads_patch(ms_req *r);
int h_uploads_delete(ms_req *r);
int tus_on_body(ms_req *r, const char *data, size_t len);
int h_chunks_missing(ms_req *r);
int h_chunks_put(ms_req *r);
int chunks_on_body(ms_req *r, const char *data, size_t len);
int h_assets_commit(ms_req *r);
int h_shares_create(ms_req *r);
int h_shares_list(ms_req *r);
int h_shares_revoke(ms_req *r);
int h_share_open(ms_req *r);
int h_share_content(ms_req *r);

#endif
