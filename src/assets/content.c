/* content.c: bytes out: a version's content (whole or a Range, with a strong ETag that is its
 * BLAKE3 digest, If-None-Match, Content-Disposition) and derivatives as they are stored.
 *
 * The body is streamed: the handler loads the manifest, and the server pulls the bytes piece
 * by piece after the request's transaction has ended. Every chunk is verified before a byte
 * of it is sent; a damaged chunk cuts the connection (the client sees a short body for its
 * Content-Length, never wrong bytes) and marks the chunk damaged.
 *
 * Not here: zip of folders (zip.c), access checks of share links (shares.c). */
#include "assets/assets_internal.h"

#include "core/log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

typedef struct piece {
    char digest[DIGEST_HEX];
    char codec[8];
    uint64_t offset;
    uint32_t size;
} piece;

typedef struct content_stream {
    ms_blobs *blobs;
    db *d;
    piece *p;
    int n;
    uint64_t start; /* first byte served (Range) */
    int cur;        /* index of the chunk in buf, -1 none */
    uint8_t *buf;
    size_t bufcap;
} content_stream;

static void content_free(void *arg)
{
    content_stream *s = arg;
    free(s->p);
    free(s->buf);
    free(s);
}

static long content_read(void *arg, uint64_t pos, char *out, size_t max)
{
    content_stream *s = arg;
    uint64_t at = s->start + pos;
    /* Find the chunk holding `at` (binary search on offsets). */
    int lo = 0, hi = s->n - 1, k = -1;
    while (lo <= hi) {
        int mid = (lo + hi) / 2;
        if (at < s->p[mid].offset)
            hi = mid - 1;
        else if (at >= s->p[mid].offset + s->p[mid].size)
            lo = mid + 1;
        else {
            k = mid;
            break;
        }
    }
    if (k < 0) return 0;
    if (k != s->cur) {
        piece *c = &s->p[k];
        if (c->size > s->bufcap) {
            free(s->buf);
            s->buf = malloc(c->size);
            s->bufcap = s->buf ? c->size : 0;
            if (!s->buf) return -1;
        }
        ms_error e;
        ms_error_clear(&e);
        if (chunks_read(s->blobs, s->d, c->digest, c->codec, c->size, s->buf, &e)) {
            ms_log(MS_LOG_ERROR, "download cut",
                   json_pack("{s:s,s:s}", "chunk", c->digest, "error", e.detail));
            s->cur = -1;
            return -1;
        }
        s->cur = k;
    }
    piece *c = &s->p[k];
    size_t off = (size_t)(at - c->offset), n = c->size - off;
    if (n > max) n = max;
    memcpy(out, s->buf + off, n);
    return (long)n;
}

/* Parse "bytes=a-b", "bytes=a-", "bytes=-n" for a body of `size` bytes. 1: a range in
 * [*from, *to]; 0: no usable single range (serve everything); -1: unsatisfiable. */
static int parse_range(const char *h, uint64_t size, uint64_t *from, uint64_t *to)
{
    if (!h || strncasecmp(h, "bytes=", 6) != 0) return 0;
    h += 6;
    if (strchr(h, ',')) return 0; /* several ranges: the whole body is a valid answer */
    char *end;
    if (*h == '-') {
        unsigned long long n = strtoull(h + 1, &end, 10);
        if (end == h + 1 || *end) return 0;
        if (n == 0 || size == 0) return -1;
        *from = n >= size ? 0 : size - n;
        *to = size - 1;
        return 1;
    }
    if (*h < '0' || *h > '9') return 0;
    unsigned long long a = strtoull(h, &end, 10);
    if (*end != '-') return 0;
    const char *b = end + 1;
    unsigned long long z = size ? size - 1 : 0;
    if (*b) {
        if (*b < '0' || *b > '9') return 0;
        z = strtoull(b, &end, 10);
        if (*end) return 0;
        if (z >= size) z = size - 1;
    }
    if (a >= size || a > z) return -1;
    *from = a;
    *to = z;
    return 1;
}

static const struct {
    const char *ext, *mime;
    bool inline_ok;
} mimes[] = {
    {"mp4", "video/mp4", true},         {"m4v", "video/mp4", true},
    {"mov", "video/quicktime", true},   {"webm", "video/webm", true},
    {"mkv", "video/x-matroska", false}, {"mxf", "application/mxf", false},
    {"wav", "audio/wav", true},         {"mp3", "audio/mpeg", true},
    {"m4a", "audio/mp4", true},         {"aac", "audio/aac", true},
    {"flac", "audio/flac", true},       {"ogg", "audio/ogg", true},
    {"png", "image/png", true},         {"jpg", "image/jpeg", true},
    {"jpeg", "image/jpeg", true},       {"webp", "image/webp", true},
    {"gif", "image/gif", true},         {"tif", "image/tiff", false},
    {"tiff", "image/tiff", false},      {"exr", "image/x-exr", false},
    {"dpx", "image/x-dpx", false},      {"srt", "application/x-subrip", false},
    {"vtt", "text/vtt", false},         {"pdf", "application/pdf", false},
};

static const char *mime_of(const char *name, bool *inline_ok)
{
    const char *dot = strrchr(name, '.');
    *inline_ok = false;
    if (dot)
        for (size_t i = 0; i < sizeof mimes / sizeof mimes[0]; i++)
            if (!strcasecmp(dot + 1, mimes[i].ext)) {
                *inline_ok = mimes[i].inline_ok;
                return mimes[i].mime;
            }
    return "application/octet-stream";
}

/* attachment; filename="ascii"; filename*=UTF-8''percent-encoded */
static char *disposition(ms_arena *a, const char *kind, const char *name)
{
    size_t n = strlen(name);
    char *ascii = ms_arena_alloc(a, n + 1), *pct = ms_arena_alloc(a, 3 * n + 1);
    size_t o = 0, q = 0;
    static const char hx[] = "0123456789ABCDEF";
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)name[i];
        ascii[o++] = (c < 0x20 || c >= 0x7f || c == '"' || c == '\\') ? '_' : (char)c;
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
            c == '.' || c == '-' || c == '_')
            pct[q++] = (char)c;
        else {
            pct[q++] = '%';
            pct[q++] = hx[c >> 4];
            pct[q++] = hx[c & 15];
        }
    }
    ascii[o] = 0;
    pct[q] = 0;
    return ms_arena_printf(a, "%s; filename=\"%s\"; filename*=UTF-8''%s", kind, ascii, pct);
}

static bool etag_matches(const char *inm, const char *etag)
{
    if (!inm) return false;
    if (!strcmp(inm, "*")) return true;
    const char *p = strstr(inm, etag);
    return p != NULL;
}

int content_reply(ms_req *r, const char *asset_id, int number, const char *disp)
{
    db_stmt *st;
    int rc = db_query_row(r->db, &st, &r->err,
                          "SELECT v.id, v.size, v.digest, v.filename FROM asset_version v "
                          "JOIN asset a ON a.id = v.asset_id WHERE v.asset_id = ? AND v.number = "
                          "CASE WHEN ? > 0 THEN ? ELSE a.current_number END",
                          "sii", asset_id, number, number);
    if (rc < 0) return rc;
    if (rc == DB_DONE)
        return ms_req_fail(r, MS_ENOTFOUND, "no-such-version", "This asset has no version %d.",
                           number);
    char vid[MS_ID_LEN], digest[DIGEST_HEX];
    ms_strlcpy(vid, db_col_text(st, 0), sizeof vid);
    uint64_t size = (uint64_t)db_col_int(st, 1);
    ms_strlcpy(digest, db_col_text(st, 2), sizeof digest);
    char *name = ms_arena_strdup(r->arena, db_col_text(st, 3));
    db_done(st);

    char *etag = ms_arena_printf(r->arena, "\"b3-%s\"", digest);
    ms_reply_header(r, "ETag", etag);
    ms_reply_header(r, "X-Content-Blake3", ms_arena_strdup(r->arena, digest));
    ms_reply_header(r, "Accept-Ranges", "bytes");
    bool inline_ok;
    const char *mime = mime_of(name, &inline_ok);
    if (disp && !strcmp(disp, "inline") && !inline_ok) disp = "attachment";
    ms_reply_header(r, "Content-Disposition",
                    disposition(r->arena, disp ? disp : "attachment", name));
    if (etag_matches(r->if_none_match, etag)) return ms_reply(r, 304, NULL);

    uint64_t from = 0, to = size ? size - 1 : 0;
    int range = parse_range(ms_req_header(r, "Range"), size, &from, &to);
    if (range < 0) {
        ms_reply_header(r, "Content-Range",
                        ms_arena_printf(r->arena, "bytes */%llu", (unsigned long long)size));
        return ms_req_fail(r, MS_EBADREQ, "range-not-satisfiable",
                           "The range is outside the %llu bytes of this version.",
                           (unsigned long long)size);
    }
    content_stream *s = calloc(1, sizeof *s);
    if (!s) return ms_req_fail(r, MS_ENOMEM, NULL, "out of memory");
    s->blobs = r->env->blobs;
    s->d = r->env->db;
    s->cur = -1;
    rc = db_query(r->db, &st, &r->err,
                  "SELECT x.digest, c.codec, x.offset_bytes, x.size FROM version_chunk x "
                  "JOIN chunk c ON c.digest = x.digest WHERE x.version_id = ? AND "
                  "x.offset_bytes + x.size > ? AND x.offset_bytes <= ? ORDER BY x.seq",
                  "sII", vid, (int64_t)from, (int64_t)to);
    int cap = 0;
    while (rc >= 0 && (rc = db_step(st, &r->err)) == DB_ROW) {
        if (s->n == cap) {
            cap = cap ? cap * 2 : 16;
            piece *np = realloc(s->p, (size_t)cap * sizeof *np);
            if (!np) {
                rc = ms_req_fail(r, MS_ENOMEM, NULL, "out of memory");
                break;
            }
            s->p = np;
        }
        piece *p = &s->p[s->n++];
        ms_strlcpy(p->digest, db_col_text(st, 0), sizeof p->digest);
        ms_strlcpy(p->codec, db_col_text(st, 1), sizeof p->codec);
        p->offset = (uint64_t)db_col_int(st, 2);
        p->size = (uint32_t)db_col_int(st, 3);
    }
    if (rc == DB_ROW || rc == DB_DONE) rc = 0;
    db_done(st);
    if (rc) {
        content_free(s);
        return rc;
    }
    s->start = from;
    uint64_t len = size ? to - from + 1 : 0;
    int status = 200;
    if (range > 0) {
        status = 206;
        ms_reply_header(r, "Content-Range",
                        ms_arena_printf(r->arena, "bytes %llu-%llu/%llu", (unsigned long long)from,
                                        (unsigned long long)to, (unsigned long long)size));
    }
    return ms_reply_stream(r, status, mime, (int64_t)len, content_read, content_free, s);
}

int h_asset_content(ms_req *r)
{
    static const char *const allowed[] = {"version", "disposition", NULL};
    const char *id = ms_req_param(r, "id");
    char pid[MS_ID_LEN], oid[MS_ID_LEN];
    int rc = asset_access(r, id, LEVEL_VIEW, pid, oid);
    if (rc || (rc = ms_req_query_only(r, allowed))) return rc;
    int64_t number;
    if ((rc = ms_req_query_int(r, "version", 0, 1, 1000000, &number))) return rc;
    const char *disp = ms_req_query(r, "disposition");
    if (disp && strcmp(disp, "inline") != 0 && strcmp(disp, "attachment") != 0)
        return ms_req_fail(r, MS_EBADREQ, "bad-query", "disposition is inline or attachment.");
    return content_reply(r, id, (int)number, disp);
}

/* ---- Derivatives: small blobs, read whole. ---- */

typedef struct blob_body {
    uint8_t *data;
    size_t len;
} blob_body;

static long blob_body_read(void *arg, uint64_t pos, char *out, size_t max)
{
    blob_body *b = arg;
    if (pos >= b->len) return 0;
    size_t n = b->len - (size_t)pos;
    if (n > max) n = max;
    memcpy(out, b->data + pos, n);
    return (long)n;
}

static void blob_body_free(void *arg)
{
    blob_body *b = arg;
    free(b->data);
    free(b);
}

int blob_reply(ms_req *r, const char *key, const char *mime, const char *etag)
{
    if (etag) {
        ms_reply_header(r, "ETag", etag);
        if (etag_matches(r->if_none_match, etag)) return ms_reply(r, 304, NULL);
    }
    blob_body *b = calloc(1, sizeof *b);
    if (!b) return ms_req_fail(r, MS_ENOMEM, NULL, "out of memory");
    int rc = blobs_get(r->env->blobs, key, &b->data, &b->len, &r->err);
    if (rc) {
        free(b);
        return rc == MS_ENOTFOUND ? ms_req_fail(r, MS_ENOTFOUND, NULL, "Not made yet.") : rc;
    }
    uint64_t from = 0, to = b->len ? b->len - 1 : 0;
    int range = parse_range(ms_req_header(r, "Range"), b->len, &from, &to);
    ms_reply_header(r, "Accept-Ranges", "bytes");
    if (range < 0) {
        blob_body_free(b);
        return ms_req_fail(r, MS_EBADREQ, "range-not-satisfiable", "Range outside the body.");
    }
    if (range > 0) {
        /* Serve the slice: move it to the front. */
        memmove(b->data, b->data + from, (size_t)(to - from + 1));
        uint64_t total = b->len;
        b->len = (size_t)(to - from + 1);
        ms_reply_header(r, "Content-Range",
                        ms_arena_printf(r->arena, "bytes %llu-%llu/%llu", (unsigned long long)from,
                                        (unsigned long long)to, (unsigned long long)total));
    }
    return ms_reply_stream(r, range > 0 ? 206 : 200, mime, (int64_t)b->len, blob_body_read,
                           blob_body_free, b);
}

int h_asset_derivative(ms_req *r)
{
    const char *id = ms_req_param(r, "id"), *kind = ms_req_param(r, "kind");
    char pid[MS_ID_LEN], oid[MS_ID_LEN];
    int rc = asset_access(r, id, LEVEL_VIEW, pid, oid);
    if (rc) return rc;
    db_stmt *st;
    rc = db_query_row(r->db, &st, &r->err,
                      "SELECT d.state, d.blob_key, d.mime, d.error, d.meta, v.id FROM asset a JOIN "
                      "asset_version v ON v.asset_id = a.id AND v.number = a.current_number "
                      "JOIN derivative d ON d.version_id = v.id AND d.kind = ? WHERE a.id = ?",
                      "ss", kind, id);
    if (rc < 0) return rc;
    if (rc == DB_DONE)
        return ms_req_fail(r, MS_ENOTFOUND, NULL, "This asset has no %s.",
                           ms_str_is_clean_text(kind, 20, false) ? kind : "such derivative");
    char state[16];
    ms_strlcpy(state, db_col_text(st, 0), sizeof state);
    char *key = ms_arena_strdup(r->arena, db_col_text(st, 1) ? db_col_text(st, 1) : "");
    char *mime = ms_arena_strdup(r->arena, db_col_text(st, 2) ? db_col_text(st, 2) : "");
    char *error = ms_arena_strdup(r->arena, db_col_text(st, 3) ? db_col_text(st, 3) : "");
    char *meta = db_col_text(st, 4) ? ms_arena_strdup(r->arena, db_col_text(st, 4)) : NULL;
    char *vid = ms_arena_strdup(r->arena, db_col_text(st, 5));
    db_done(st);
    if (!strcmp(state, "failed"))
        return ms_req_fail(r, MS_EINVAL, "derivative-failed", "Making the %s failed: %s", kind,
                           error);
    if (strcmp(state, "done") != 0)
        return ms_req_fail(r, MS_ENOTFOUND, "derivative-pending", "The %s is not made yet.", kind);
    if (!key[0]) { /* a JSON derivative (waveform): the meta is the body */
        json_t *j;
        if (!meta || ms_json_parse(meta, strlen(meta), &j, &r->err)) return MS_EINTERNAL;
        return ms_reply(r, 200, j);
    }
    return blob_reply(r, key, mime, ms_arena_printf(r->arena, "\"%s-%s\"", vid, kind));
}
