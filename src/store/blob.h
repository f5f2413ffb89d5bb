/* blob.h: where the bytes of media live: a flat key -> bytes store behind one interface.
 *
 * Keys are short relative names ("chunks/ab/cd/abcd...ef", "derived/<id>/thumb.jpg") made of
 * [a-z0-9._-] segments separated by '/'; never "..", never absolute. The store is chosen by
 * URL: "file:DIR" (or a plain path) is a folder on the local disk; an S3-compatible backend
 * will come behind the same vtable.
 *
 * Durability: blobs_put returns 0 only when the object is durable and whole under its key
 * (local: temp file, fsync, rename, fsync of the directory). A reader never sees a partial
 * object. A full disk is MS_ENOSPC and leaves nothing behind.
 *
 * It is not a database: it knows nothing of digests, chunks or assets (that is the chunk
 * store, src/assets/chunks.c), and it does not verify what it returns. */
#ifndef MS_BLOB_H
#define MS_BLOB_H

#include "core/error.h"

#include <stddef.h>
#include <stdint.h>

typedef struct ms_blobs ms_blobs;

#define BLOB_KEY_MAX 200

typedef struct blob_usage {
    int64_t objects, bytes; /* what the store holds (listing) */
    int64_t free_bytes;     /* room left, -1 when unknown */
} blob_usage;

typedef int (*blob_list_fn)(void *arg, const char *key, int64_t size, int64_t mtime_ms);

int blobs_open(const char *url, ms_blobs **out, ms_error *err);
void blobs_close(ms_blobs *b);
/* The URL it was opened with. */
const char *blobs_url(const ms_blobs *b);

/* Valid key? (the rules above) */
int blobs_key_check(const char *key, ms_error *err);

/* Store `len` bytes under `key`, replacing what was there; durable on return. */
int blobs_put(ms_blobs *b, const char *key, const void *data, size_t len, ms_error *err);
/* The same without waiting for the disk: whole and atomic under its key (a reader never sees
 * part of it), but durable only after blobs_flush. For many small objects that are made
 * durable together (the chunks of one upload): one flush instead of two fsyncs each. */
int blobs_put_nosync(ms_blobs *b, const char *key, const void *data, size_t len, ms_error *err);
/* Make every object written so far durable (local: syncfs of the store's file system, which
 * also makes the renames and new folders durable). */
int blobs_flush(ms_blobs *b, ms_error *err);
/* Make one object durable (local: fdatasync of the file and fsync of its folder; cheap when it
 * already is). For a commit of a few objects, cheaper than blobs_flush of the whole store. */
int blobs_sync(ms_blobs *b, const char *key, ms_error *err);
/* Store the content of the file `path` (moved when it is on the same file system, else
 * copied); durable on return. The file is gone afterwards either way. */
int blobs_put_file(ms_blobs *b, const char *key, const char *path, ms_error *err);
/* Read the whole object (malloc'd into *data). MS_ENOTFOUND when absent. */
int blobs_get(ms_blobs *b, const char *key, uint8_t **data, size_t *len, ms_error *err);
/* Read up to `len` bytes at `offset` into buf; *got = bytes read (short at the end). */
int blobs_read(ms_blobs *b, const char *key, uint64_t offset, void *buf, size_t len, size_t *got,
               ms_error *err);
/* Size of the object: 0 and *size, or MS_ENOTFOUND. */
int blobs_stat(ms_blobs *b, const char *key, int64_t *size, ms_error *err);
/* Remove; absent is not an error. */
int blobs_delete(ms_blobs *b, const char *key, ms_error *err);
/* Every object whose key starts with `prefix` (a folder: "chunks/"); the callback returns
 * non-zero to stop (that value is returned). Order is unspecified. */
int blobs_list(ms_blobs *b, const char *prefix, blob_list_fn fn, void *arg, ms_error *err);
int blobs_usage(ms_blobs *b, const char *prefix, blob_usage *out, ms_error *err);
/* The store-wide maintenance lock: writers of chunks hold it shared while they store bytes
 * and commit the rows that reference them; gc holds it exclusive while it deletes, so it can
 * never delete a chunk that a writer has just found present (local: flock on <root>/.lock,
 * which also works across processes on one machine and over NFSv4). Returns a handle for
 * blobs_unlock, or a negative MS_E*. */
int blobs_lock(ms_blobs *b, int exclusive, ms_error *err);
void blobs_unlock(int handle);
/* A local path for the object when the backend is a folder (for libav, which reads files),
 * else NULL. The path stays valid until the object is deleted. */
const char *blobs_local_path(ms_blobs *b, const char *key, char *buf, size_t cap);

#endif
