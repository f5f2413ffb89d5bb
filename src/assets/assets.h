/* assets.h: the media asset library — the public face of the assets module.
 *
 * An asset is a file of a project (folder + name) with versions v001, v002, ...; each version
 * is a manifest of content-defined chunks in the chunk store (deduplicated instance-wide,
 * BLAKE3-256 addressed, verified on every read). Uploads arrive by tus (resumable, for
 * browsers) or by the CLI's deduplicating path (only missing chunks are sent). After a
 * version is committed, jobs probe it (libav) and make its derivatives (thumbnail,
 * filmstrip, proxy, waveform). Share links give people without an account a view or a
 * download. Other modules link to assets by id and read through this header. */
#ifndef MS_ASSETS_H
#define MS_ASSETS_H

#include "core/api.h"
#include "core/error.h"
#include "core/id.h"
#include "store/blob.h"
#include "store/db.h"
#include "store/jobs.h"

#include <stdint.h>
#include <stdio.h>

extern const ms_route assets_routes[];
extern const char ms_schema_assets[];
extern const char ms_openapi_assets[];

/* Job handlers of the module (kinds "assets.probe", "assets.derive"); `ctx` is an ms_env. */
int assets_job_probe(void *ctx, db_conn *c, const ms_job *job, ms_error *err);
int assets_job_derive(void *ctx, db_conn *c, const ms_job *job, ms_error *err);

/* Kinds an asset can have. */
extern const char *const asset_kinds[];

/* ---- Store maintenance (`mstation store ...`). Progress and findings go to `out`. ---- */

typedef struct store_report {
    int64_t chunks, chunk_bytes, stored_bytes; /* rows: raw and stored sizes */
    int64_t blobs, blob_bytes;                 /* what the blob store holds */
    int64_t versions, logical_bytes;           /* bytes of all versions (before dedup) */
    int64_t damaged, missing, orphans;         /* verify */
    int64_t removed, removed_bytes;            /* gc */
    int64_t free_bytes;
} store_report;

int store_stats(const ms_env *env, db_conn *c, store_report *rep, ms_error *err);
/* Re-hash every chunk; name each damaged or missing one and the versions that use it. */
int store_verify(const ms_env *env, db_conn *c, FILE *out, store_report *rep, ms_error *err);
/* Remove chunks no version references that were not seen for `grace_s` seconds, blobs that
 * have no row (a crashed writer's) older than that, and expired uploads. `dry_run` only
 * counts. */
int store_gc(const ms_env *env, db_conn *c, int64_t grace_s, bool dry_run, FILE *out,
             store_report *rep, ms_error *err);

/* ---- Share links for other modules (production's client review links). ----
 * The caller has checked that its user may share the asset (edit level in its project). */

/* Create a "view" share of version `number` (pinned) of `asset_id`, with an optional
 * passphrase given as an argon2id hash (password_hash; NULL: none), an optional expiry (RFC
 * 3339, NULL: never) and a note. Writes the share id and its token (shown nowhere by this
 * module: the caller keeps it sealed). Appends the asset.shared event. */
int assets_share_create_view(db_conn *c, const ms_env *env, const char *actor_id,
                             const char *asset_id, int number, const char *pass_hash,
                             const char *expires_at, const char *note, char id_out[MS_ID_LEN],
                             char token_out[64], ms_error *err);
/* Revoke a share (kept as revoked; a second revoke changes nothing). Appends the
 * asset.share_revoked event. MS_ENOTFOUND when there is no such share. */
int assets_share_revoke(db_conn *c, const char *actor_id, const char *share_id, ms_error *err);
/* The project asset `asset_id` lives in (MS_ENOTFOUND when there is no such asset): for
 * other modules that link to assets and must check the caller may see them. */
int assets_project_of(db_conn *c, const char *asset_id, char project_id[MS_ID_LEN], ms_error *err);
/* The value a passphrase-protected share's media URLs carry as ?access= (valid 12 hours). */
void assets_share_access(const ms_env *env, const char *share_id, char *out, size_t cap);
/* Answer with derivative `kind` (thumbnail, filmstrip, proxy, waveform) of version `number`
 * of `asset_id`: the caller has checked access. 404 derivative-pending until it is made. */
int assets_derivative_reply(ms_req *r, const char *asset_id, int number, const char *kind);

#endif
