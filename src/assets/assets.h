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

#endif
