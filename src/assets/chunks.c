/* chunks.c: the content-addressed chunk store on top of the blob store.
 *
 * A chunk is stored once per instance under the BLAKE3-256 of its raw bytes. Compression is
 * per chunk and only where it pays: a 64 KiB sample is compressed first (zstd level 1), and
 * only when that saves 10% is the whole chunk compressed, and kept compressed only when the
 * whole saves 5%. Camera files, H.264/HEVC and ProRes RAW fail the sample test at once and
 * cost one small compression; uncompressed image sequences and WAV pass it. The codec is part
 * of the blob key, so a row and its blob can never disagree about it.
 *
 * Every read re-hashes what it got: a chunk whose bytes do not match its digest is marked
 * damaged and the read fails. Nothing here trusts the disk.
 *
 * Chunks are written without waiting for the disk (blobs_put_nosync): whoever commits a
 * version that references them calls blobs_flush first, so a version never references bytes
 * a power cut could take; one flush for all chunks of an upload instead of two fsyncs each.
 * A chunk row may precede its bytes' durability (a chunk PUT records it at once): after a
 * crash such a chunk reads as damaged or missing, is marked, reported missing again, and sent
 * again; a commit re-reads every chunk it references, so it never commits one that is gone.
 *
 * Invariants with gc (see store_gc in maintenance.c): writers hold the store lock shared from
 * "is the chunk there?" until the rows that reference it are committed; gc deletes only under
 * the exclusive lock, so it cannot remove a chunk a writer just found present. */
#include "assets/assets_internal.h"

#include "core/log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zstd.h>

#define SAMPLE 65536

void digest_hex(const uint8_t d[32], char out[DIGEST_HEX])
{
    static const char hx[] = "0123456789abcdef";
    for (int i = 0; i < 32; i++) {
        out[2 * i] = hx[d[i] >> 4];
        out[2 * i + 1] = hx[d[i] & 15];
    }
    out[64] = 0;
}

bool digest_parse(const char *hex, uint8_t out[32])
{
    if (!hex || strlen(hex) != 64) return false;
    for (int i = 0; i < 64; i++) {
        char c = hex[i];
        int v = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
        if (v < 0) return false;
        if (i % 2 == 0)
            out[i / 2] = (uint8_t)(v << 4);
        else
            out[i / 2] |= (uint8_t)v;
    }
    return true;
}

void chunk_key(const char *digest, const char *codec, char out[BLOB_KEY_MAX])
{
    snprintf(out, BLOB_KEY_MAX, "chunks/%.2s/%.2s/%s%s", digest, digest + 2, digest,
             !strcmp(codec, "zstd") ? ".zst" : "");
}

/* Compress when it pays; *out is malloc'd, NULL when the chunk stays raw. */
static size_t maybe_compress(const uint8_t *data, size_t len, uint8_t **out)
{
    *out = NULL;
    if (len < 4096) return 0;
    size_t off = len > SAMPLE ? (len - SAMPLE) / 2 : 0, n = len > SAMPLE ? SAMPLE : len;
    size_t cap = ZSTD_compressBound(n);
    uint8_t *tmp = malloc(cap);
    if (!tmp) return 0;
    size_t z = ZSTD_compress(tmp, cap, data + off, n, 1);
    free(tmp);
    if (ZSTD_isError(z) || z > n - n / 10) return 0;
    cap = ZSTD_compressBound(len);
    uint8_t *buf = malloc(cap);
    if (!buf) return 0;
    z = ZSTD_compress(buf, cap, data, len, 3);
    if (ZSTD_isError(z) || z > len - len / 20) {
        free(buf);
        return 0;
    }
    *out = buf;
    return z;
}

int chunks_store(ms_blobs *b, db_conn *c, bool compress, const uint8_t digest[32],
                 const uint8_t *data, size_t len, chunk_info *out, ms_error *err)
{
    memset(out, 0, sizeof *out);
    digest_hex(digest, out->digest);
    out->size = (uint32_t)len;
    db_stmt *st;
    int rc = db_query_row(c, &st, err,
                          "SELECT codec, stored_size, damaged_at IS NOT NULL FROM chunk "
                          "WHERE digest = ?",
                          "s", out->digest);
    if (rc < 0) return rc;
    if (rc == DB_ROW) {
        bool damaged = db_col_int(st, 2) != 0;
        ms_strlcpy(out->codec, db_col_text(st, 0), sizeof out->codec);
        out->stored_size = (uint32_t)db_col_int(st, 1);
        db_done(st);
        if (!damaged) return 0; /* deduplicated: already stored and sound */
    }
    uint8_t *z = NULL;
    size_t zlen = compress ? maybe_compress(data, len, &z) : 0;
    ms_strlcpy(out->codec, z ? "zstd" : "raw", sizeof out->codec);
    out->stored_size = (uint32_t)(z ? zlen : len);
    char key[BLOB_KEY_MAX];
    chunk_key(out->digest, out->codec, key);
    rc = blobs_put_nosync(b, key, z ? z : data, z ? zlen : len, err);
    free(z);
    if (rc) return rc;
    out->written = true;
    return 0;
}

int chunks_record(db_conn *c, const chunk_info *chunks, int n, const char *org_id, ms_error *err)
{
    char now[MS_TIME_LEN];
    ms_now_str(now);
    for (int i = 0; i < n; i++) {
        const chunk_info *k = &chunks[i];
        int rc;
        if (k->written) {
            rc = db_exec(c, err,
                         "INSERT INTO chunk (digest, size, stored_size, codec, created_at, "
                         "seen_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (digest) DO UPDATE SET "
                         "stored_size = excluded.stored_size, codec = excluded.codec, "
                         "seen_at = excluded.seen_at, damaged_at = NULL",
                         "sIIsss", k->digest, (int64_t)k->size, (int64_t)k->stored_size, k->codec,
                         now, now);
        } else {
            rc = db_exec(c, err, "UPDATE chunk SET seen_at = ? WHERE digest = ?", "ss", now,
                         k->digest);
            if (rc == 0)
                return ms_fail(err, MS_ECONFLICT, "chunk-vanished",
                               "Chunk %s was removed from the store meanwhile; send it again.",
                               k->digest);
        }
        if (rc < 0) return rc;
        if (org_id &&
            (rc = db_exec(c, err,
                          "INSERT INTO chunk_owner (org_id, digest, created_at) VALUES (?, ?, ?) "
                          "ON CONFLICT (org_id, digest) DO NOTHING",
                          "sss", org_id, k->digest, now)) < 0)
            return rc;
    }
    return 0;
}

typedef struct mark_arg {
    const char *digest;
} mark_arg;

static int mark_tx(void *arg, db_conn *c, ms_error *err)
{
    mark_arg *m = arg;
    char now[MS_TIME_LEN];
    ms_now_str(now);
    int rc =
        db_exec(c, err, "UPDATE chunk SET damaged_at = ? WHERE digest = ? AND damaged_at IS NULL",
                "ss", now, m->digest);
    return rc < 0 ? rc : 0;
}

void chunks_mark_damaged(db *d, const char *digest)
{
    if (!d) return;
    db_conn *c = db_acquire(d);
    ms_error e;
    mark_arg m = {digest};
    if (db_transact(c, DB_TX_WRITE, mark_tx, &m, &e))
        ms_log(MS_LOG_ERROR, "cannot mark chunk damaged",
               json_pack("{s:s,s:s}", "digest", digest, "error", e.detail));
    db_release(c);
}

/* The chunk's raw bytes into buf, not verified: 0, MS_EIO "chunk-damaged" (missing, or not
 * the size its row says), or another MS_E* of the store. Raw chunks are read straight into
 * buf; compressed ones through a temporary buffer. */
static int chunk_load(ms_blobs *b, db *d, const char *digest, const char *codec, uint32_t size,
                      uint8_t *buf, ms_error *err)
{
    char key[BLOB_KEY_MAX];
    chunk_key(digest, codec, key);
    bool ok;
    int rc;
    if (!strcmp(codec, "zstd")) {
        uint8_t *raw = NULL;
        size_t rawlen = 0;
        rc = blobs_get(b, key, &raw, &rawlen, err);
        ok = !rc && ZSTD_getFrameContentSize(raw, rawlen) == size &&
             ZSTD_decompress(buf, size, raw, rawlen) == size;
        free(raw);
    } else {
        size_t got = 0;
        uint8_t extra;
        rc = blobs_read(b, key, 0, buf, size, &got, err);
        /* One byte more must not be there: a longer file is not this chunk either. */
        size_t more = 0;
        if (!rc && got == size) rc = blobs_read(b, key, size, &extra, 1, &more, err);
        ok = !rc && got == size && more == 0;
    }
    if (rc && rc != MS_ENOTFOUND) return rc;
    if (!ok) {
        ms_log(MS_LOG_ERROR, "damaged chunk", json_pack("{s:s,s:s}", "digest", digest, "key", key));
        chunks_mark_damaged(d, digest);
        return ms_fail(err, MS_EIO, "chunk-damaged",
                       rc == MS_ENOTFOUND ? "Chunk %s is missing from the store."
                                          : "Chunk %s in the store is not whole.",
                       digest);
    }
    return 0;
}

int chunks_read_unverified(ms_blobs *b, db *d, const char *digest, const char *codec, uint32_t size,
                           uint8_t *buf, ms_error *err)
{
    return chunk_load(b, d, digest, codec, size, buf, err);
}

int chunks_read(ms_blobs *b, db *d, const char *digest, const char *codec, uint32_t size,
                uint8_t *buf, ms_error *err)
{
    int rc = chunk_load(b, d, digest, codec, size, buf, err);
    if (rc) return rc;
    uint8_t want[32], got[32];
    ms_blake3_hash(buf, size, got);
    if (!digest_parse(digest, want) || memcmp(want, got, 32) != 0) {
        ms_log(MS_LOG_ERROR, "damaged chunk", json_pack("{s:s}", "digest", digest));
        chunks_mark_damaged(d, digest);
        return ms_fail(err, MS_EIO, "chunk-damaged",
                       "Chunk %s in the store does not match its digest; its bytes are not "
                       "served. Run `mstation store verify` and upload the file again.",
                       digest);
    }
    return 0;
}
