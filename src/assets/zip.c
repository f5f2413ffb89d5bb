/* zip.c: a folder as one streamed zip: GET /projects/{id}/folders/zip?folder=/A[&mhl=true].
 *
 * Entries are stored, not deflated (media does not compress, and storing lets the stream run
 * at disk speed). Sizes are known from the manifests, CRC-32 is computed while streaming, so
 * each entry has a data descriptor (general purpose bit 3) and ZIP64 extra fields, which
 * every current unzip, Windows Explorer and macOS Archive Utility read. Sub-folders keep
 * their relative paths. With mhl=true the zip ends with an ascmhl/ folder: an ASC MHL
 * generation file that lists every entry's xxh128, computed while streaming, and its chain
 * file, so the receiver can verify the download with any ASC MHL tool.
 *
 * Bytes come from the chunk store with the same verification as single downloads: a damaged
 * chunk cuts the stream. */
#include "assets/assets_internal.h"

#include "core/log.h"
#include "mhl/mhl.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <xxhash.h>

#define ZIP_MAX_FILES 100000

typedef struct zentry {
    char *path; /* inside the zip */
    char vid[MS_ID_LEN];
    uint64_t size;
    int64_t mtime_ms;
    uint64_t local_offset;
    uint32_t crc;
    char xxh[33];
} zentry;

typedef struct zpiece {
    char digest[DIGEST_HEX];
    char codec[8];
    uint32_t size;
} zpiece;

typedef struct zip_stream {
    ms_blobs *blobs;
    db *d;
    zentry *e;
    int n;
    zpiece *p;  /* all chunks of all entries, in order */
    int *first; /* first piece of each entry */
    int np;
    bool mhl;
    char folder_name[300];
    /* Position. */
    int cur;        /* entry */
    int phase;      /* 0 header, 1 data, 2 descriptor, 3 extra files, 4 central dir, 5 end */
    ms_buf pending; /* bytes ready to send */
    size_t pending_off;
    int piece;      /* next piece of the current entry */
    uint8_t *chunk; /* current chunk's bytes */
    size_t chunk_len, chunk_off, chunk_cap;
    uint64_t written; /* bytes produced so far */
    uint32_t crc;
    XXH3_state_t *xx;
    /* Extra files (MHL) and central directory. */
    struct extra {
        char *path;
        char *data;
        size_t len;
        uint64_t offset;
        uint32_t crc;
    } extra[2];
    int nextra;
    uint64_t cd_start;
    bool failed;
} zip_stream;

static uint32_t crc_table[256];

static void crc_init(void)
{
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++)
            c = c & 1 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        crc_table[i] = c;
    }
}

static uint32_t crc32_update(uint32_t crc, const uint8_t *p, size_t n)
{
    crc = ~crc;
    for (size_t i = 0; i < n; i++)
        crc = crc_table[(crc ^ p[i]) & 0xff] ^ (crc >> 8);
    return ~crc;
}

static void put16(ms_buf *b, unsigned v)
{
    uint8_t x[2] = {(uint8_t)v, (uint8_t)(v >> 8)};
    ms_buf_append(b, x, 2);
}

static void put32(ms_buf *b, uint32_t v)
{
    uint8_t x[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};
    ms_buf_append(b, x, 4);
}

static void put64(ms_buf *b, uint64_t v)
{
    put32(b, (uint32_t)v);
    put32(b, (uint32_t)(v >> 32));
}

static void dos_time(int64_t ms, unsigned *t, unsigned *d)
{
    time_t s = (time_t)(ms / 1000);
    struct tm tm;
    gmtime_r(&s, &tm);
    *t = (unsigned)(tm.tm_hour << 11 | tm.tm_min << 5 | tm.tm_sec / 2);
    *d = (unsigned)((tm.tm_year - 80) << 9 | (tm.tm_mon + 1) << 5 | tm.tm_mday);
}

static void local_header(zip_stream *z, const char *path, int64_t mtime)
{
    unsigned t, d;
    dos_time(mtime, &t, &d);
    ms_buf *b = &z->pending;
    put32(b, 0x04034b50);
    put16(b, 45);                 /* version needed: ZIP64 */
    put16(b, 1u << 3 | 1u << 11); /* data descriptor, UTF-8 names */
    put16(b, 0);                  /* stored */
    put16(b, t);
    put16(b, d);
    put32(b, 0);          /* crc: in the descriptor */
    put32(b, 0xffffffff); /* sizes: ZIP64 */
    put32(b, 0xffffffff);
    put16(b, (unsigned)strlen(path));
    put16(b, 20);
    ms_buf_puts(b, path);
    put16(b, 0x0001); /* ZIP64 extra: sizes 0 here, real ones in the descriptor */
    put16(b, 16);
    put64(b, 0);
    put64(b, 0);
}

static void descriptor(zip_stream *z, uint32_t crc, uint64_t size)
{
    ms_buf *b = &z->pending;
    put32(b, 0x08074b50);
    put32(b, crc);
    put64(b, size);
    put64(b, size);
}

static void central_entry(ms_buf *b, const char *path, int64_t mtime, uint32_t crc, uint64_t size,
                          uint64_t offset)
{
    unsigned t, d;
    dos_time(mtime, &t, &d);
    put32(b, 0x02014b50);
    put16(b, 45 | 3u << 8); /* made by: Unix */
    put16(b, 45);
    put16(b, 1u << 3 | 1u << 11);
    put16(b, 0);
    put16(b, t);
    put16(b, d);
    put32(b, crc);
    put32(b, 0xffffffff);
    put32(b, 0xffffffff);
    put16(b, (unsigned)strlen(path));
    put16(b, 28);
    put16(b, 0);
    put16(b, 0);
    put16(b, 0);
    put32(b, 0100644u << 16);
    put32(b, 0xffffffff);
    ms_buf_puts(b, path);
    put16(b, 0x0001);
    put16(b, 24);
    put64(b, size);
    put64(b, size);
    put64(b, offset);
}

static void zip_free(void *arg)
{
    zip_stream *z = arg;
    for (int i = 0; i < z->n; i++)
        free(z->e[i].path);
    for (int i = 0; i < z->nextra; i++) {
        free(z->extra[i].path);
        free(z->extra[i].data);
    }
    free(z->e);
    free(z->p);
    free(z->first);
    free(z->chunk);
    ms_buf_free(&z->pending);
    if (z->xx) XXH3_freeState(z->xx);
    free(z);
}

static void xxh_hex(XXH128_hash_t h, char out[33])
{
    XXH128_canonical_t c;
    XXH128_canonicalFromHash(&c, h);
    for (int i = 0; i < 16; i++)
        snprintf(out + 2 * i, 3, "%02x", c.digest[i]);
}

static void make_mhl(zip_stream *z)
{
    mhl_entry *ents = calloc((size_t)(z->n ? z->n : 1), sizeof *ents);
    mhl_hash *hs = calloc((size_t)(z->n ? z->n : 1), sizeof *hs);
    int64_t now = ms_now_ms() / 1000;
    if (!ents || !hs) {
        free(ents);
        free(hs);
        return;
    }
    for (int i = 0; i < z->n; i++) {
        hs[i].format = MHL_XXH128;
        hs[i].action = MHL_ORIGINAL;
        hs[i].hashdate = now;
        ms_strlcpy(hs[i].digest, z->e[i].xxh, sizeof hs[i].digest);
        ents[i] =
            (mhl_entry){z->e[i].path, (int64_t)z->e[i].size, z->e[i].mtime_ms / 1000, &hs[i], 1};
    }
    mhl_render rd = {.creator = {.created = now, .hostname = "mstation", .comment = "download"},
                     .process = "transfer",
                     .entries = ents,
                     .nentries = (size_t)z->n,
                     .dir_format = MHL_XXH128,
                     .hashdate = now};
    ms_buf gen, chain;
    ms_buf_init(&gen);
    ms_buf_init(&chain);
    char name[256], path[300];
    ms_error e;
    if (mhl_render_first_generation(&rd, z->folder_name, &gen, name, &chain, &e) == 0 && !gen.oom &&
        !chain.oom) {
        snprintf(path, sizeof path, "ascmhl/%s", name);
        size_t glen = gen.len, clen = chain.len;
        z->extra[0] = (struct extra){strdup(path), ms_buf_take(&gen), glen, 0, 0};
        z->extra[1] =
            (struct extra){strdup("ascmhl/ascmhl_chain.xml"), ms_buf_take(&chain), clen, 0, 0};
        z->nextra = 2;
    } else {
        ms_log(MS_LOG_ERROR, "zip: cannot render the MHL", json_pack("{s:s}", "error", e.detail));
    }
    ms_buf_free(&gen);
    ms_buf_free(&chain);
    free(ents);
    free(hs);
}

/* Produce the next bytes into z->pending. Returns false at the end or on failure. */
static bool zip_advance(zip_stream *z)
{
    z->pending.len = 0;
    z->pending_off = 0;
    for (;;) {
        if (z->phase == 0) { /* header of entry cur */
            if (z->cur >= z->n) {
                if (z->mhl && !z->nextra) make_mhl(z);
                z->phase = 3;
                z->cur = 0;
                continue;
            }
            zentry *e = &z->e[z->cur];
            e->local_offset = z->written;
            local_header(z, e->path, e->mtime_ms);
            z->piece = z->first[z->cur];
            z->crc = 0;
            if (z->mhl) XXH3_128bits_reset(z->xx);
            z->phase = 1;
            return true;
        }
        if (z->phase == 1) {
            int end = z->cur + 1 < z->n ? z->first[z->cur + 1] : z->np;
            if (z->piece >= end) {
                zentry *e = &z->e[z->cur];
                e->crc = z->crc;
                if (z->mhl) xxh_hex(XXH3_128bits_digest(z->xx), e->xxh);
                descriptor(z, z->crc, e->size);
                z->cur++;
                z->phase = 0;
                return true;
            }
            zpiece *p = &z->p[z->piece];
            if (p->size > z->chunk_cap) {
                free(z->chunk);
                z->chunk = malloc(p->size);
                z->chunk_cap = z->chunk ? p->size : 0;
                if (!z->chunk) return false;
            }
            ms_error err;
            if (chunks_read(z->blobs, z->d, p->digest, p->codec, p->size, z->chunk, &err)) {
                ms_log(MS_LOG_ERROR, "zip download cut",
                       json_pack("{s:s,s:s}", "chunk", p->digest, "error", err.detail));
                z->failed = true;
                return false;
            }
            z->crc = crc32_update(z->crc, z->chunk, p->size);
            if (z->mhl) XXH3_128bits_update(z->xx, z->chunk, p->size);
            ms_buf_append(&z->pending, z->chunk, p->size);
            z->piece++;
            return true;
        }
        if (z->phase == 3) { /* the MHL files, whole */
            if (z->cur >= z->nextra) {
                z->phase = 4;
                continue;
            }
            struct extra *x = &z->extra[z->cur];
            x->offset = z->written;
            x->crc = crc32_update(0, (const uint8_t *)x->data, x->len);
            local_header(z, x->path, ms_now_ms());
            ms_buf_append(&z->pending, x->data, x->len);
            descriptor(z, x->crc, x->len);
            z->cur++;
            return true;
        }
        if (z->phase == 4) {
            z->cd_start = z->written;
            for (int i = 0; i < z->n; i++)
                central_entry(&z->pending, z->e[i].path, z->e[i].mtime_ms, z->e[i].crc,
                              z->e[i].size, z->e[i].local_offset);
            for (int i = 0; i < z->nextra; i++)
                central_entry(&z->pending, z->extra[i].path, ms_now_ms(), z->extra[i].crc,
                              z->extra[i].len, z->extra[i].offset);
            uint64_t cd_size = z->pending.len, count = (uint64_t)(z->n + z->nextra);
            uint64_t eocd64 = z->cd_start + cd_size;
            ms_buf *b = &z->pending;
            put32(b, 0x06064b50); /* ZIP64 end of central directory */
            put64(b, 44);
            put16(b, 45);
            put16(b, 45);
            put32(b, 0);
            put32(b, 0);
            put64(b, count);
            put64(b, count);
            put64(b, cd_size);
            put64(b, z->cd_start);
            put32(b, 0x07064b50); /* its locator */
            put32(b, 0);
            put64(b, eocd64);
            put32(b, 1);
            put32(b, 0x06054b50); /* classic end record, pointing to ZIP64 */
            put16(b, 0);
            put16(b, 0);
            put16(b, 0xffff);
            put16(b, 0xffff);
            put32(b, 0xffffffff);
            put32(b, 0xffffffff);
            put16(b, 0);
            z->phase = 5;
            return true;
        }
        return false;
    }
}

static long zip_read(void *arg, uint64_t pos, char *out, size_t max)
{
    zip_stream *z = arg;
    (void)pos;
    if (z->failed) return -1;
    while (z->pending_off >= z->pending.len) {
        if (!zip_advance(z)) return z->failed ? -1 : 0;
        if (z->pending.oom) return -1;
        z->written += z->pending.len;
    }
    size_t n = z->pending.len - z->pending_off;
    if (n > max) n = max;
    memcpy(out, z->pending.data + z->pending_off, n);
    z->pending_off += n;
    return (long)n;
}

int h_folder_zip(ms_req *r)
{
    static const char *const allowed[] = {"folder", "mhl", NULL};
    int rc = ms_req_query_only(r, allowed);
    if (rc) return rc;
    const char *pid = ms_req_param(r, "id");
    char folder[1100];
    if (folder_normalize(ms_req_query(r, "folder"), folder, sizeof folder, &r->err))
        return ms_req_fail(r, MS_EBADREQ, "bad-query", "folder: not a valid folder path.");
    const char *mhl = ms_req_query(r, "mhl");
    static pthread_once_t crc_once = PTHREAD_ONCE_INIT;
    pthread_once(&crc_once, crc_init);
    zip_stream *z = calloc(1, sizeof *z);
    if (!z) return ms_req_fail(r, MS_ENOMEM, NULL, "out of memory");
    ms_buf_init(&z->pending);
    z->blobs = r->env->blobs;
    z->d = r->env->db;
    z->mhl = mhl && !strcmp(mhl, "true");
    if (z->mhl) z->xx = XXH3_createState();
    const char *slash = strrchr(folder, '/');
    ms_strlcpy(z->folder_name, slash && slash[1] ? slash + 1 : "assets", sizeof z->folder_name);
    size_t flen = strlen(folder);
    db_stmt *st;
    rc = db_query(
        r->db, &st, &r->err,
        "SELECT a.folder, a.name, v.id, v.size, v.created_at FROM asset a JOIN "
        "asset_version v ON v.asset_id = a.id AND v.number = a.current_number WHERE "
        "a.project_id = ? AND a.deleted_at IS NULL AND (a.folder = ? OR ? = '/' OR "
        "substr(a.folder, 1, CAST(? AS INTEGER)) = ?) ORDER BY a.folder, a.name LIMIT 100001",
        "sssIs", pid, folder, folder, (int64_t)ms_utf8_chars(folder) + 1,
        ms_arena_printf(r->arena, "%s/", folder));
    int cap = 0;
    while (rc >= 0 && (rc = db_step(st, &r->err)) == DB_ROW) {
        if (z->n >= ZIP_MAX_FILES) {
            rc = ms_req_fail(r, MS_ETOOBIG, "too-many-files",
                             "A zip holds at most %d files; download sub-folders.", ZIP_MAX_FILES);
            break;
        }
        if (z->n == cap) {
            cap = cap ? cap * 2 : 64;
            zentry *ne = realloc(z->e, (size_t)cap * sizeof *ne);
            if (!ne) {
                rc = ms_req_fail(r, MS_ENOMEM, NULL, "out of memory");
                break;
            }
            z->e = ne;
        }
        zentry *e = &z->e[z->n];
        memset(e, 0, sizeof *e);
        const char *f = db_col_text(st, 0);
        const char *rel = strlen(f) > flen && strcmp(folder, "/") ? f + flen + 1
                          : strcmp(folder, "/")                   ? ""
                                                                  : f + 1;
        const char *nm = db_col_text(st, 1);
        size_t plen = strlen(rel) + strlen(nm) + 2;
        e->path = malloc(plen);
        if (e->path) snprintf(e->path, plen, "%s%s%s", rel, *rel ? "/" : "", nm);
        ms_strlcpy(e->vid, db_col_text(st, 2), sizeof e->vid);
        e->size = (uint64_t)db_col_int(st, 3);
        ms_time_parse(db_col_text(st, 4), &e->mtime_ms);
        z->n++;
    }
    if (rc == DB_DONE) rc = 0;
    db_done(st);
    z->first = calloc((size_t)(z->n + 1), sizeof *z->first);
    if (!rc && !z->first) rc = ms_req_fail(r, MS_ENOMEM, NULL, "out of memory");
    int pcap = 0;
    for (int i = 0; !rc && i < z->n; i++) {
        z->first[i] = z->np;
        rc = db_query(r->db, &st, &r->err,
                      "SELECT x.digest, c.codec, x.size FROM version_chunk x JOIN chunk c ON "
                      "c.digest = x.digest WHERE x.version_id = ? ORDER BY x.seq",
                      "s", z->e[i].vid);
        while (rc >= 0 && (rc = db_step(st, &r->err)) == DB_ROW) {
            if (z->np == pcap) {
                pcap = pcap ? pcap * 2 : 256;
                zpiece *np = realloc(z->p, (size_t)pcap * sizeof *np);
                if (!np) {
                    rc = ms_req_fail(r, MS_ENOMEM, NULL, "out of memory");
                    break;
                }
                z->p = np;
            }
            zpiece *p = &z->p[z->np++];
            ms_strlcpy(p->digest, db_col_text(st, 0), sizeof p->digest);
            ms_strlcpy(p->codec, db_col_text(st, 1), sizeof p->codec);
            p->size = (uint32_t)db_col_int(st, 2);
        }
        if (rc == DB_DONE) rc = 0;
        db_done(st);
    }
    if (rc) {
        zip_free(z);
        return rc;
    }
    ms_reply_header(r, "Content-Disposition",
                    ms_arena_printf(r->arena, "attachment; filename=\"%s.zip\"",
                                    ms_str_is_clean_text(z->folder_name, 200, false) &&
                                            !strpbrk(z->folder_name, "\"\\")
                                        ? z->folder_name
                                        : "assets"));
    return ms_reply_stream(r, 200, "application/zip", -1, zip_read, zip_free, z);
}
