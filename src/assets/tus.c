/* tus.c: resumable uploads by the tus 1.0.0 protocol (https://tus.io/protocols/resumable-
 * upload): core (HEAD, PATCH), creation, creation-with-upload, expiration, checksum (sha1)
 * and termination, as tus-js-client and Uppy speak it.
 *
 *   POST   /api/v1/uploads         Upload-Length, Upload-Metadata: filename, project_id,
 *                                  folder, comment (base64 values) -> 201 Location
 *   HEAD   /api/v1/uploads/{id}    Upload-Offset, Upload-Length (GET: the same as JSON)
 *   PATCH  /api/v1/uploads/{id}    Upload-Offset + application/offset+octet-stream bytes
 *   DELETE /api/v1/uploads/{id}    gives up the upload
 *   OPTIONS /api/v1/uploads        what this server supports
 *
 * The bytes go to <work>/uploads/<id>.part as they arrive. The offset a client is told is
 * always durable: it is recorded in the upload row only after fdatasync — at the end of each
 * PATCH, every 64 MiB inside a long one, and when a client goes away in the middle of a
 * PATCH. Bytes past the recorded offset (a server killed mid-PATCH) are cut off at the next
 * PATCH, which must start at the recorded offset. A PATCH with Upload-Checksum is all or
 * nothing: a mismatch (460) keeps the offset where the PATCH began.
 *
 * When the last byte is in, the file is ingested (chunked, hashed, stored; see ingest.c)
 * and becomes a new version of folder/filename in the project, all before the final PATCH
 * is answered (X-Asset-Id and X-Asset-Version say which). An upload belongs to the account
 * that created it: to anyone else it does not exist. */
#include "assets/assets_internal.h"

#include "core/log.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#define TUS_VERSION      "1.0.0"
#define TUS_EXTENSIONS   "creation,creation-with-upload,expiration,checksum,termination"
#define CHECKPOINT_BYTES (64LL << 20)

typedef struct tus_state {
    int fd;
    char id[MS_ID_LEN];
    char path[700];
    int64_t length;
    int64_t start;    /* offset when this request began writing */
    int64_t written;  /* bytes of this request on disk */
    int64_t recorded; /* durable offset in the row */
    bool checksum;    /* Upload-Checksum given: all or nothing */
    uint8_t want_sha1[20];
    EVP_MD_CTX *sha1;
    bool finished; /* the handler ran */
} tus_state;

static void tus_headers(ms_req *r)
{
    ms_reply_header(r, "Tus-Resumable", TUS_VERSION);
}

static int tus_fail(ms_req *r, int code, const char *type, const char *fmt, const char *arg)
{
    tus_headers(r);
    return ms_req_fail(r, code, type, fmt, arg ? arg : "");
}

static void upload_path(const ms_env *env, const char *id, char *out, size_t cap)
{
    snprintf(out, cap, "%s/uploads/%s.part", env->work_dir, id);
}

/* RFC 9110 IMF-fixdate: "Sun, 06 Nov 1994 08:49:37 GMT". */
static char *http_date(ms_arena *a, int64_t ms)
{
    time_t t = (time_t)(ms / 1000);
    struct tm tm;
    gmtime_r(&t, &tm);
    char buf[64];
    strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &tm);
    return ms_arena_strdup(a, buf);
}

/* Check the Tus-Resumable header of a request (not OPTIONS). */
static int check_version(ms_req *r)
{
    const char *v = ms_req_header(r, "Tus-Resumable");
    if (!v || strcmp(v, TUS_VERSION) != 0) {
        ms_reply_header(r, "Tus-Version", TUS_VERSION);
        return tus_fail(r, MS_ESTALE, "tus-version",
                        "This server speaks tus 1.0.0: send Tus-Resumable: 1.0.0.%s", NULL);
    }
    return 0;
}

static int b64_decode(const char *in, size_t n, char *out, size_t cap, size_t *outlen)
{
    static const char tbl[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    uint32_t acc = 0;
    int bits = 0;
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        char c = in[i];
        if (c == '=') break;
        const char *p = memchr(tbl, c, 64);
        if (!p || !c) return -1;
        acc = (acc << 6) | (uint32_t)(p - tbl);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            if (o + 1 >= cap) return -1;
            out[o++] = (char)((acc >> bits) & 0xff);
        }
    }
    out[o] = 0;
    *outlen = o;
    return 0;
}

typedef struct upload_meta {
    char filename[300];
    char project_id[MS_ID_LEN];
    char folder[1100];
    char comment[2100];
} upload_meta;

/* Upload-Metadata: "key b64,key b64,key" */
static int parse_metadata(ms_req *r, const char *h, upload_meta *m)
{
    memset(m, 0, sizeof *m);
    char folder_raw[1100] = "/";
    const char *p = h ? h : "";
    while (*p) {
        while (*p == ' ' || *p == ',')
            p++;
        if (!*p) break;
        const char *k = p;
        while (*p && *p != ' ' && *p != ',')
            p++;
        size_t kn = (size_t)(p - k);
        const char *v = NULL;
        size_t vn = 0;
        if (*p == ' ') {
            p++;
            v = p;
            while (*p && *p != ',')
                p++;
            vn = (size_t)(p - v);
        }
        char val[2100];
        size_t len = 0;
        if (v && b64_decode(v, vn, val, sizeof val, &len))
            return ms_field_fail(&r->err, "Upload-Metadata",
                                 "values must be base64 and not too long");
        if (!v) val[0] = 0;
        if (memchr(val, 0, len))
            return ms_field_fail(&r->err, "Upload-Metadata", "values may not contain NUL bytes");
#define KEY(s) (kn == sizeof(s) - 1 && !memcmp(k, s, kn))
        if (KEY("filename") || KEY("name"))
            ms_strlcpy(m->filename, len < sizeof m->filename ? val : "", sizeof m->filename);
        else if (KEY("project_id"))
            ms_strlcpy(m->project_id, len < MS_ID_LEN ? val : "", sizeof m->project_id);
        else if (KEY("folder"))
            ms_strlcpy(folder_raw, len < sizeof folder_raw ? val : "\x01", sizeof folder_raw);
        else if (KEY("comment"))
            ms_strlcpy(m->comment, val, sizeof m->comment);
#undef KEY
    }
    int rc = filename_check(m->filename, "filename", &r->err);
    if (rc) return rc;
    if (!ms_uuid_valid(m->project_id))
        return ms_field_fail(&r->err, "project_id", "Upload-Metadata must name a project_id");
    if ((rc = folder_normalize(folder_raw, m->folder, sizeof m->folder, &r->err))) return rc;
    if (!ms_str_is_clean_text(m->comment, 2000, true))
        return ms_field_fail(&r->err, "comment", "must be text of at most 2000 bytes");
    return 0;
}

static int record_offset(db *d, const char *id, int64_t offset, ms_error *err);

/* ---- Creation. ---- */

static int create_upload(ms_req *r, tus_state **out)
{
    int rc = check_version(r);
    if (rc) return rc;
    if (ms_req_header(r, "Upload-Defer-Length"))
        return tus_fail(r, MS_EBADREQ, "defer-length-unsupported",
                        "Send Upload-Length: this server does not take deferred lengths.%s", NULL);
    int64_t length;
    const char *lh = ms_req_header(r, "Upload-Length");
    if (!lh || !ms_parse_int(lh, &length) || length < 0)
        return tus_fail(r, MS_EBADREQ, "bad-upload-length",
                        "Upload-Length must be the file's size in bytes.%s", NULL);
    if (length > r->env->config->max_upload) {
        char lim[32];
        snprintf(lim, sizeof lim, "%lld", (long long)r->env->config->max_upload);
        return tus_fail(r, MS_ETOOBIG, "upload-too-large",
                        "Upload-Length is above this server's limit of %s bytes.", lim);
    }
    upload_meta m;
    if ((rc = parse_metadata(r, ms_req_header(r, "Upload-Metadata"), &m))) {
        tus_headers(r);
        return rc;
    }
    /* May the caller add files to that project? */
    db_conn *c = db_acquire(r->env->db);
    ms_access a;
    rc = db_begin(c, DB_TX_READ, &r->err);
    if (!rc) rc = authz_project(c, r->caller, m.project_id, &a, &r->err);
    if (!rc && a.level < LEVEL_EDIT)
        rc = ms_fail(&r->err, MS_EFORBIDDEN, NULL,
                     "Your role in this project (%s) may not upload files.", a.role);
    if (db_in_tx(c)) db_commit(c, NULL);
    if (rc) {
        db_release(c);
        tus_headers(r);
        return rc;
    }
    tus_state *s = calloc(1, sizeof *s);
    if (!s) {
        db_release(c);
        return tus_fail(r, MS_ENOMEM, NULL, "out of memory%s", NULL);
    }
    s->fd = -1;
    ms_uuid7(s->id);
    s->length = length;
    upload_path(r->env, s->id, s->path, sizeof s->path);
    s->fd = open(s->path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640);
    if (s->fd < 0) {
        int e = errno;
        db_release(c);
        free(s);
        return tus_fail(r, e == ENOSPC ? MS_ENOSPC : MS_EIO, NULL, "cannot create the upload: %s",
                        strerror(e));
    }
    char now[MS_TIME_LEN], exp[MS_TIME_LEN];
    int64_t now_ms = ms_now_ms();
    ms_time_fmt(now_ms, now);
    ms_time_fmt(now_ms + r->env->config->upload_expiry * 1000, exp);
    const char *meta = ms_req_header(r, "Upload-Metadata");
    rc = db_begin(c, DB_TX_WRITE, &r->err);
    if (!rc)
        rc = db_exec(c, &r->err,
                     "INSERT INTO upload (id, user_id, project_id, folder, filename, comment, "
                     "length, offset_bytes, metadata, state, expires_at, created_at, updated_at) "
                     "VALUES (?, ?, ?, ?, ?, ?, ?, 0, ?, 'receiving', ?, ?, ?)",
                     "ssssssIssss", s->id, r->caller->user_id, m.project_id, m.folder, m.filename,
                     m.comment, length, meta ? meta : "", exp, now, now);
    if (rc >= 0) rc = db_commit(c, &r->err);
    if (db_in_tx(c)) db_rollback(c);
    db_release(c);
    if (rc < 0) {
        close(s->fd);
        unlink(s->path);
        free(s);
        tus_headers(r);
        return rc;
    }
    *out = s;
    return 0;
}

/* ---- PATCH: the bytes. ---- */

static int open_for_patch(ms_req *r, tus_state **out)
{
    int rc = check_version(r);
    if (rc) return rc;
    const char *ct = r->content_type;
    if (!ct || strncasecmp(ct, "application/offset+octet-stream", 31) != 0)
        return tus_fail(r, MS_EBADREQ, "unsupported-media-type",
                        "Send the bytes as Content-Type: application/offset+octet-stream.%s", NULL);
    int64_t offset;
    const char *oh = ms_req_header(r, "Upload-Offset");
    if (!oh || !ms_parse_int(oh, &offset) || offset < 0)
        return tus_fail(r, MS_EBADREQ, "bad-upload-offset", "Upload-Offset must be given.%s", NULL);
    const char *id = ms_req_param(r, "id");
    if (!ms_uuid_valid(id)) return tus_fail(r, MS_ENOTFOUND, NULL, "No such upload.%s", NULL);
    db_conn *c = db_acquire(r->env->db);
    db_stmt *st;
    rc = db_query_row(c, &st, &r->err,
                      "SELECT length, offset_bytes, state, expires_at FROM upload WHERE id = ? "
                      "AND user_id = ?",
                      "ss", id, r->caller->user_id);
    if (rc < 0) {
        db_release(c);
        return rc;
    }
    if (rc == DB_DONE) {
        db_release(c);
        return tus_fail(r, MS_ENOTFOUND, NULL, "No such upload.%s", NULL);
    }
    int64_t length = db_col_int(st, 0), recorded = db_col_int(st, 1), exp_ms = 0;
    bool done = !strcmp(db_col_text(st, 2), "done");
    ms_time_parse(db_col_text(st, 3), &exp_ms);
    db_done(st);
    db_release(c);
    if (done)
        return tus_fail(r, MS_ECONFLICT, "upload-complete", "This upload is already complete.%s",
                        NULL);
    if (exp_ms < ms_now_ms())
        return tus_fail(r, MS_EGONE, "upload-expired", "This upload expired; start again.%s", NULL);
    if (offset != recorded) {
        char msg[64];
        snprintf(msg, sizeof msg, "%lld", (long long)recorded);
        return tus_fail(r, MS_ECONFLICT, "offset-mismatch",
                        "Upload-Offset does not match: the server has %s bytes.", msg);
    }
    if (r->content_length > 0 && offset + r->content_length > length)
        return tus_fail(r, MS_ETOOBIG, "beyond-upload-length",
                        "The bytes would go past Upload-Length.%s", NULL);
    tus_state *s = calloc(1, sizeof *s);
    if (!s) return tus_fail(r, MS_ENOMEM, NULL, "out of memory%s", NULL);
    ms_strlcpy(s->id, id, sizeof s->id);
    s->length = length;
    s->start = s->recorded = offset;
    upload_path(r->env, id, s->path, sizeof s->path);
    s->fd = open(s->path, O_WRONLY | O_CLOEXEC);
    if (s->fd < 0) {
        free(s);
        return tus_fail(r, MS_EGONE, "upload-expired", "This upload's bytes are gone.%s", NULL);
    }
    /* One PATCH at a time per upload; the loser is told to retry. */
    if (flock(s->fd, LOCK_EX | LOCK_NB) != 0) {
        close(s->fd);
        free(s);
        return tus_fail(r, MS_ECONFLICT, "upload-busy",
                        "Another request is writing this upload right now.%s", NULL);
    }
    /* Bytes past the durable offset (a crash mid-PATCH) are not part of the upload. */
    if (ftruncate(s->fd, (off_t)offset) != 0 || lseek(s->fd, (off_t)offset, SEEK_SET) < 0) {
        int e = errno;
        close(s->fd);
        free(s);
        return tus_fail(r, MS_EIO, NULL, "cannot prepare the upload: %s", strerror(e));
    }
    const char *ck = ms_req_header(r, "Upload-Checksum");
    if (ck) {
        size_t n = 0;
        char raw[64];
        if (strncasecmp(ck, "sha1 ", 5) != 0) {
            close(s->fd);
            free(s);
            return tus_fail(r, MS_EBADREQ, "checksum-algorithm",
                            "Upload-Checksum: only sha1 is supported.%s", NULL);
        }
        if (b64_decode(ck + 5, strlen(ck + 5), raw, sizeof raw, &n) || n != 20) {
            close(s->fd);
            free(s);
            return tus_fail(r, MS_EBADREQ, "bad-checksum",
                            "Upload-Checksum must be \"sha1 <base64 of 20 bytes>\".%s", NULL);
        }
        memcpy(s->want_sha1, raw, 20);
        s->checksum = true;
        s->sha1 = EVP_MD_CTX_new();
        if (!s->sha1 || !EVP_DigestInit_ex(s->sha1, EVP_sha1(), NULL)) {
            EVP_MD_CTX_free(s->sha1);
            close(s->fd);
            free(s);
            return tus_fail(r, MS_ENOMEM, NULL, "out of memory%s", NULL);
        }
    }
    *out = s;
    return 0;
}

static void state_close(tus_state *s)
{
    if (s->fd >= 0) close(s->fd);
    s->fd = -1;
    EVP_MD_CTX_free(s->sha1);
    s->sha1 = NULL;
}

/* The client went away mid-PATCH (or the request failed before the handler): keep what is on
 * disk when that is allowed, then let go of the file. */
static void tus_cleanup(ms_req *r, bool completed)
{
    tus_state *s = r->module_state;
    (void)completed;
    if (!s) return;
    if (!s->finished && s->fd >= 0 && !s->checksum && s->written > 0 && fdatasync(s->fd) == 0) {
        ms_error e;
        record_offset(r->env->db, s->id, s->start + s->written, &e);
    }
    state_close(s);
    free(s);
    r->module_state = NULL;
}

int tus_on_body(ms_req *r, const char *data, size_t len)
{
    tus_state *s = r->module_state;
    if (!s) {
        bool creating = !strcmp(r->method, "POST");
        if (creating) {
            const char *ct = r->content_type;
            if (!ct || strncasecmp(ct, "application/offset+octet-stream", 31) != 0)
                return tus_fail(r, MS_EBADREQ, "unsupported-media-type",
                                "Send the bytes as Content-Type: "
                                "application/offset+octet-stream.%s",
                                NULL);
        }
        int rc = creating ? create_upload(r, &s) : open_for_patch(r, &s);
        if (rc) return rc;
        r->module_state = s;
        r->cleanup = tus_cleanup;
    }
    if (s->start + s->written + (int64_t)len > s->length)
        return tus_fail(r, MS_ETOOBIG, "beyond-upload-length",
                        "The bytes would go past Upload-Length.%s", NULL);
    if (s->sha1) EVP_DigestUpdate(s->sha1, data, len);
    size_t done = 0;
    while (done < len) {
        ssize_t n = write(s->fd, data + done, len - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            int e = n < 0 ? errno : ENOSPC;
            /* Nothing of this piece counts: cut back to what was whole before it. */
            if (ftruncate(s->fd, (off_t)(s->start + s->written)) != 0) { /* best effort */
            }
            lseek(s->fd, (off_t)(s->start + s->written), SEEK_SET);
            return tus_fail(r, e == ENOSPC || e == EDQUOT ? MS_ENOSPC : MS_EIO,
                            e == ENOSPC || e == EDQUOT ? "insufficient-storage" : NULL,
                            "cannot write the upload: %s", strerror(e));
        }
        done += (size_t)n;
    }
    s->written += (int64_t)len;
    /* Long PATCHes: make progress durable every 64 MiB, so a crash costs little. */
    if (!s->checksum && s->start + s->written - s->recorded >= CHECKPOINT_BYTES &&
        fdatasync(s->fd) == 0) {
        ms_error e;
        if (record_offset(r->env->db, s->id, s->start + s->written, &e) == 0)
            s->recorded = s->start + s->written;
    }
    return 0;
}

typedef struct offset_arg {
    const char *id;
    int64_t offset;
} offset_arg;

static int offset_tx(void *arg, db_conn *c, ms_error *err)
{
    offset_arg *a = arg;
    char now[MS_TIME_LEN];
    ms_now_str(now);
    int rc = db_exec(c, err,
                     "UPDATE upload SET offset_bytes = ?, updated_at = ? WHERE id = ? AND "
                     "state = 'receiving' AND offset_bytes <= ?",
                     "IssI", a->offset, now, a->id, a->offset);
    (void)rc;
    return rc < 0 ? rc : 0;
}

static int record_offset(db *d, const char *id, int64_t offset, ms_error *err)
{
    db_conn *c = db_acquire(d);
    offset_arg a = {id, offset};
    int rc = db_transact(c, DB_TX_WRITE, offset_tx, &a, err);
    db_release(c);
    return rc;
}

/* ---- Completion: the file becomes an asset version. ---- */

typedef struct finish_arg {
    const ms_env *env;
    const char *upload_id;
    const manifest *m;
    const char *kind;
    char asset_id[MS_ID_LEN];
    int number;
} finish_arg;

static int finish_tx(void *arg, db_conn *c, ms_error *err)
{
    finish_arg *f = arg;
    db_stmt *st;
    int rc = db_query_row(c, &st, err,
                          "SELECT u.user_id, u.project_id, u.folder, u.filename, u.comment, "
                          "p.org_id, u.state FROM upload u JOIN project p ON p.id = u.project_id "
                          "WHERE u.id = ?",
                          "s", f->upload_id);
    if (rc < 0) return rc;
    if (rc == DB_DONE) return ms_fail(err, MS_ENOTFOUND, NULL, "No such upload.");
    char user[MS_ID_LEN], project[MS_ID_LEN], org[MS_ID_LEN], folder[1100], name[300],
        comment[2100];
    ms_strlcpy(user, db_col_text(st, 0), sizeof user);
    ms_strlcpy(project, db_col_text(st, 1), sizeof project);
    ms_strlcpy(folder, db_col_text(st, 2), sizeof folder);
    ms_strlcpy(name, db_col_text(st, 3), sizeof name);
    ms_strlcpy(comment, db_col_text(st, 4), sizeof comment);
    ms_strlcpy(org, db_col_text(st, 5), sizeof org);
    bool done = !strcmp(db_col_text(st, 6), "done");
    db_done(st);
    if (done) return ms_fail(err, MS_ECONFLICT, "upload-complete", "Already complete.");
    version_new v = {project, org, folder, name, comment, user, f->kind};
    rc = version_commit(c, f->env, &v, f->m, f->asset_id, &f->number, err);
    if (rc) return rc;
    char now[MS_TIME_LEN];
    ms_now_str(now);
    rc = db_exec(c, err,
                 "UPDATE upload SET state = 'done', offset_bytes = length, asset_id = ?, "
                 "version_number = ?, updated_at = ? WHERE id = ?",
                 "siss", f->asset_id, f->number, now, f->upload_id);
    return rc < 0 ? rc : 0;
}

static int complete_upload(ms_req *r, tus_state *s)
{
    const ms_env *env = r->env;
    int fd = open(s->path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return tus_fail(r, MS_EIO, NULL, "cannot read the upload: %s", strerror(errno));
    char name[300] = "";
    db_conn *c = db_acquire(env->db);
    db_stmt *st;
    if (db_query_row(c, &st, &r->err, "SELECT filename FROM upload WHERE id = ?", "s", s->id) ==
        DB_ROW) {
        ms_strlcpy(name, db_col_text(st, 0), sizeof name);
        db_done(st);
    }
    const char *kind = kind_of_file(fd, name);
    int lock = blobs_lock(env->blobs, 0, &r->err);
    int rc = lock < 0 ? lock : 0;
    manifest m;
    memset(&m, 0, sizeof m);
    finish_arg f = {env, s->id, &m, kind, "", 0};
    if (!rc) rc = ingest_fd(env, c, fd, &m, &r->err);
    if (!rc) rc = blobs_flush(env->blobs, &r->err); /* every chunk durable before the version */
    close(fd);
    if (!rc) {
        rc = db_transact(c, DB_TX_WRITE, finish_tx, &f, &r->err);
        if (rc == MS_ECONFLICT && !strcmp(r->err.type, "chunk-vanished")) {
            /* gc cannot run while we hold the lock; this is a store repaired meanwhile. */
            ms_log(MS_LOG_WARN, "chunk vanished during ingest", NULL);
        }
    }
    blobs_unlock(lock);
    manifest_free(&m);
    db_release(c);
    if (rc) {
        tus_headers(r);
        return rc;
    }
    unlink(s->path);
    if (env->jobs_wake) env->jobs_wake(env->jobs_wake_arg);
    ms_reply_header(r, "X-Asset-Id", ms_arena_strdup(r->arena, f.asset_id));
    ms_reply_header(r, "X-Asset-Version", ms_arena_printf(r->arena, "%d", f.number));
    return 0;
}

static int finish_write_locked(ms_req *r, tus_state *s)
{
    int rc;
    s->finished = true;
    if (s->checksum) {
        uint8_t got[EVP_MAX_MD_SIZE];
        unsigned n = 0;
        EVP_DigestFinal_ex(s->sha1, got, &n);
        if (n != 20 || memcmp(got, s->want_sha1, 20) != 0) {
            if (ftruncate(s->fd, (off_t)s->start) != 0) { /* the row still says start */
            }
            return tus_fail(r, MS_EINVAL, "checksum-mismatch",
                            "The bytes do not match Upload-Checksum; nothing was kept.%s", NULL);
        }
    }
    int64_t offset = s->start + s->written;
    if (s->written > 0 && fdatasync(s->fd) != 0)
        return tus_fail(r, MS_EIO, NULL, "cannot make the upload durable: %s", strerror(errno));
    if (offset != s->recorded && (s->written > 0 || s->start == 0)) {
        if ((rc = record_offset(r->env->db, s->id, offset, &r->err))) {
            tus_headers(r);
            return rc;
        }
        s->recorded = offset;
    }
    tus_headers(r);
    ms_reply_header(r, "Upload-Offset", ms_arena_printf(r->arena, "%lld", (long long)offset));
    if (offset == s->length) {
        state_close(s);
        rc = complete_upload(r, s);
        if (rc) return rc;
    }
    return 0;
}

/* Handler for PATCH and for POST (after its body, if any). The upload's file (and its lock)
 * is let go before the reply: a client may send its next PATCH as soon as it reads this one's
 * answer, before the request's cleanup runs. */
static int finish_write(ms_req *r, tus_state *s)
{
    int rc = finish_write_locked(r, s);
    state_close(s);
    return rc;
}

int h_uploads_create(ms_req *r)
{
    tus_state *s = r->module_state;
    int rc;
    if (!s) {
        if ((rc = create_upload(r, &s))) return rc;
        r->module_state = s;
        r->cleanup = tus_cleanup;
    }
    if ((rc = finish_write(r, s))) return rc;
    ms_reply_header(r, "Location", ms_arena_printf(r->arena, "/api/v1/uploads/%s", s->id));
    ms_reply_header(r, "Upload-Expires",
                    http_date(r->arena, ms_now_ms() + r->env->config->upload_expiry * 1000));
    return ms_reply(r, 201, NULL);
}

int h_uploads_patch(ms_req *r)
{
    tus_state *s = r->module_state;
    int rc;
    if (!s) { /* an empty PATCH */
        if ((rc = open_for_patch(r, &s))) return rc;
        r->module_state = s;
        r->cleanup = tus_cleanup;
    }
    if ((rc = finish_write(r, s))) return rc;
    return ms_reply(r, 204, NULL);
}

/* GET (and so HEAD) /uploads/{id} */
int h_uploads_head(ms_req *r)
{
    const char *id = ms_req_param(r, "id");
    tus_headers(r);
    if (!ms_uuid_valid(id)) return tus_fail(r, MS_ENOTFOUND, NULL, "No such upload.%s", NULL);
    db_stmt *st;
    int rc = db_query_row(r->db, &st, &r->err,
                          "SELECT id, project_id, folder, filename, length, offset_bytes AS "
                          "offset, metadata, state, asset_id, version_number, expires_at, "
                          "created_at FROM upload WHERE id = ? AND user_id = ?",
                          "ss", id, r->caller->user_id);
    if (rc < 0) return rc;
    if (rc == DB_DONE) return tus_fail(r, MS_ENOTFOUND, NULL, "No such upload.%s", NULL);
    json_t *o = db_row_json(st);
    db_done(st);
    int64_t exp_ms = 0;
    ms_time_parse(json_string_value(json_object_get(o, "expires_at")), &exp_ms);
    if (exp_ms < ms_now_ms() && strcmp(json_string_value(json_object_get(o, "state")), "done")) {
        json_decref(o);
        return tus_fail(r, MS_EGONE, "upload-expired", "This upload expired.%s", NULL);
    }
    ms_reply_header(r, "Upload-Offset",
                    ms_arena_printf(r->arena, "%lld",
                                    (long long)json_integer_value(json_object_get(o, "offset"))));
    ms_reply_header(r, "Upload-Length",
                    ms_arena_printf(r->arena, "%lld",
                                    (long long)json_integer_value(json_object_get(o, "length"))));
    const char *meta = json_string_value(json_object_get(o, "metadata"));
    if (meta && *meta) ms_reply_header(r, "Upload-Metadata", ms_arena_strdup(r->arena, meta));
    ms_reply_header(r, "Upload-Expires", http_date(r->arena, exp_ms));
    return ms_reply(r, 200, o);
}

int h_uploads_delete(ms_req *r)
{
    int rc = check_version(r);
    if (rc) return rc;
    const char *id = ms_req_param(r, "id");
    if (!ms_uuid_valid(id)) return tus_fail(r, MS_ENOTFOUND, NULL, "No such upload.%s", NULL);
    rc = db_exec(r->db, &r->err,
                 "DELETE FROM upload WHERE id = ? AND user_id = ? AND state = 'receiving'", "ss",
                 id, r->caller->user_id);
    if (rc < 0) return rc;
    if (rc == 0) return tus_fail(r, MS_ENOTFOUND, NULL, "No such upload in progress.%s", NULL);
    char path[700];
    upload_path(r->env, id, path, sizeof path);
    unlink(path); /* after the row is gone nobody can write to it; a racing PATCH fails */
    tus_headers(r);
    return ms_reply(r, 204, NULL);
}

int h_uploads_options(ms_req *r)
{
    tus_headers(r);
    ms_reply_header(r, "Tus-Version", TUS_VERSION);
    ms_reply_header(r, "Tus-Extension", TUS_EXTENSIONS);
    ms_reply_header(r, "Tus-Checksum-Algorithm", "sha1");
    ms_reply_header(r, "Tus-Max-Size",
                    ms_arena_printf(r->arena, "%lld", (long long)r->env->config->max_upload));
    return ms_reply(r, 204, NULL);
}
