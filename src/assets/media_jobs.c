/* media_jobs.c: the asset library's jobs on the foundation's queue.
 *
 *   assets.probe  {version_id}        libav probe; stores the result and its summary columns,
 *                                     refines the asset's kind, queues the derivatives
 *   assets.derive {version_id, kind}  thumbnail (JPEG), filmstrip (JPEG sprite), proxy
 *                                     (H.264/AAC MP4 <= 720p), waveform (JSON peaks)
 *
 * libav reads files, so a job first reassembles the version from its verified chunks into
 * <work>/media/<version>.<ext> (kept for the other jobs of the version, removed by the last
 * one or by maintenance after a day). Results go to the blob store under
 * derived/<version>/<kind>.<ext>. A file libav cannot read is not a job failure: it is the
 * visible result ("failed: not a media file ..."), recorded on the row, and the job is done.
 * Other errors are retried with backoff; the row shows the error once attempts run out. */
#include "assets/assets_internal.h"

#include "core/log.h"
#include "media/media.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct version_file {
    char vid[MS_ID_LEN], asset_id[MS_ID_LEN], filename[300], kind[24];
    int64_t size;
    char path[800];
} version_file;

static int load_version_row(db_conn *c, const char *vid, version_file *v, ms_error *err)
{
    db_stmt *st;
    int rc = db_query_row(c, &st, err,
                          "SELECT asset_id, filename, kind, size FROM asset_version WHERE id = ?",
                          "s", vid);
    if (rc < 0) return rc;
    if (rc == DB_DONE) return ms_fail(err, MS_EINVAL, NULL, "version %s is gone", vid);
    ms_strlcpy(v->vid, vid, sizeof v->vid);
    ms_strlcpy(v->asset_id, db_col_text(st, 0), sizeof v->asset_id);
    ms_strlcpy(v->filename, db_col_text(st, 1), sizeof v->filename);
    ms_strlcpy(v->kind, db_col_text(st, 2), sizeof v->kind);
    v->size = db_col_int(st, 3);
    db_done(st);
    return 0;
}

/* Reassemble the version into a work file (atomic: temp + rename). */
static int materialize(const ms_env *env, db_conn *c, version_file *v, ms_error *err)
{
    char dir[600];
    snprintf(dir, sizeof dir, "%s/media", env->work_dir);
    mkdir(dir, 0750);
    const char *dot = strrchr(v->filename, '.');
    char ext[16] = "";
    if (dot && strlen(dot) < sizeof ext) {
        ms_strlcpy(ext, dot, sizeof ext);
        for (char *p = ext + 1; *p; p++)
            if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9')))
                *p = '_';
    }
    snprintf(v->path, sizeof v->path, "%s/%s%s", dir, v->vid, ext);
    struct stat st0;
    if (stat(v->path, &st0) == 0 && st0.st_size == v->size) return 0;
    char tmp[820];
    snprintf(tmp, sizeof tmp, "%s.tmp%d", v->path, (int)gettid());
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
    if (fd < 0) return ms_fail(err, MS_EIO, NULL, "create %s: %s", tmp, strerror(errno));
    db_stmt *st;
    int rc = db_query(c, &st, err,
                      "SELECT x.digest, c.codec, x.size FROM version_chunk x JOIN chunk c ON "
                      "c.digest = x.digest WHERE x.version_id = ? ORDER BY x.seq",
                      "s", v->vid);
    uint8_t *buf = malloc((size_t)env->config->chunk_max);
    if (!buf && !rc) rc = ms_fail(err, MS_ENOMEM, NULL, "out of memory");
    while (rc >= 0 && (rc = db_step(st, err)) == DB_ROW) {
        uint32_t n = (uint32_t)db_col_int(st, 2);
        if (n > env->config->chunk_max) {
            rc = ms_fail(err, MS_EINTERNAL, NULL, "chunk larger than chunk_max");
            break;
        }
        rc = chunks_read(env->blobs, env->db, db_col_text(st, 0), db_col_text(st, 1), n, buf, err);
        if (rc) break;
        size_t off = 0;
        while (off < n) {
            ssize_t w = write(fd, buf + off, n - off);
            if (w < 0 && errno == EINTR) continue;
            if (w <= 0) {
                rc = ms_fail(err, MS_EIO, NULL, "write %s: %s", tmp, strerror(errno));
                break;
            }
            off += (size_t)w;
        }
    }
    if (rc == DB_DONE) rc = 0;
    if (!rc) db_done(st);
    free(buf);
    close(fd);
    if (!rc && rename(tmp, v->path) != 0)
        rc = ms_fail(err, MS_EIO, NULL, "rename %s: %s", tmp, strerror(errno));
    if (rc) unlink(tmp);
    return rc;
}

static const char *json_str_or_null(json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

static json_t *int_or_null(json_t *o, const char *k)
{
    json_t *v = json_object_get(o, k);
    return json_is_integer(v) ? v : NULL;
}

static void derive_rows(db_conn *c, const version_file *v, const char *kind, bool has_video,
                        bool has_audio, const char **kinds, int *n)
{
    (void)c;
    (void)v;
    *n = 0;
    if (!strcmp(kind, "video") && has_video) {
        kinds[(*n)++] = "thumbnail";
        kinds[(*n)++] = "filmstrip";
        kinds[(*n)++] = "proxy";
    } else if (!strcmp(kind, "image") || !strcmp(kind, "image_sequence")) {
        kinds[(*n)++] = "thumbnail";
    } else if (!strcmp(kind, "audio")) {
        kinds[(*n)++] = "proxy";
    }
    if (has_audio) kinds[(*n)++] = "waveform";
}

int assets_job_probe(void *ctx, db_conn *c, const ms_job *job, ms_error *err)
{
    const ms_env *env = ctx;
    const char *vid = json_string_value(json_object_get(job->payload, "version_id"));
    if (!vid) return ms_fail(err, MS_EINVAL, NULL, "assets.probe needs version_id");
    version_file v;
    int rc = load_version_row(c, vid, &v, err);
    if (rc) return rc;
    if ((rc = materialize(env, c, &v, err))) return rc;
    json_t *probe = NULL;
    ms_error pe;
    ms_error_clear(&pe);
    int prc = media_probe(v.path, &probe, &pe);
    if (prc && prc != MS_EINVAL) {
        if (job->attempts < job->max_attempts) return ms_fail(err, prc, NULL, "%s", pe.detail);
    }
    char now[MS_TIME_LEN];
    ms_now_str(now);
    const char *kinds[6];
    int nk = 0;
    if ((rc = db_begin(c, DB_TX_WRITE, err))) {
        json_decref(probe);
        return rc;
    }
    if (prc) {
        /* Not media libav reads: failed for what should have been media, skipped otherwise. */
        bool media = !strcmp(v.kind, "video") || !strcmp(v.kind, "audio");
        rc = db_exec(c, err,
                     "UPDATE asset_version SET probe_state = ?, probe_error = ? WHERE id = ?",
                     "sss", media ? "failed" : "skipped", pe.detail, vid);
        if (rc >= 0 && (!strcmp(v.kind, "image") || !strcmp(v.kind, "image_sequence")))
            derive_rows(c, &v, v.kind, false, false, kinds, &nk);
    } else {
        json_t *s = json_object_get(probe, "summary");
        const char *pkind = json_str_or_null(s, "kind");
        /* The probe knows better than the first bytes (e.g. an MXF or a raw stream). */
        const char *kind = v.kind;
        if (pkind && strcmp(pkind, "other") != 0 && strcmp(v.kind, "image_sequence") != 0 &&
            strcmp(v.kind, "subtitle") != 0 && strcmp(v.kind, "document") != 0)
            kind = pkind;
        char *text = json_dumps(probe, JSON_COMPACT | JSON_REAL_PRECISION(10));
        json_t *w = int_or_null(s, "width"), *h = int_or_null(s, "height");
        json_t *ch = int_or_null(s, "audio_channels"), *sr = int_or_null(s, "audio_sample_rate");
        json_t *dur = json_object_get(s, "duration");
        db_arg args[] = {
            DB_ARG_S(text),
            DB_ARG_S(json_str_or_null(s, "container")),
            {.type = 'd', .d = json_is_number(dur) ? json_number_value(dur) : 0},
            DB_ARG_I(w ? json_integer_value(w) : 0),
            DB_ARG_I(h ? json_integer_value(h) : 0),
            DB_ARG_S(json_str_or_null(s, "fps")),
            DB_ARG_S(json_str_or_null(s, "video_codec")),
            DB_ARG_S(json_str_or_null(s, "video_profile")),
            DB_ARG_S(json_str_or_null(s, "hdr")),
            DB_ARG_S(json_str_or_null(s, "audio_codec")),
            DB_ARG_I(ch ? json_integer_value(ch) : 0),
            DB_ARG_I(sr ? json_integer_value(sr) : 0),
            DB_ARG_S(kind),
            DB_ARG_S(vid),
        };
        db_stmt *st;
        rc = db_query_args(c, &st, err,
                           "UPDATE asset_version SET probe_state = 'done', probe_error = NULL, "
                           "probe = ?, container = ?, duration = NULLIF(?, 0), width = "
                           "NULLIF(?, 0), height = NULLIF(?, 0), fps = ?, video_codec = ?, "
                           "video_profile = ?, hdr = ?, audio_codec = ?, audio_channels = "
                           "NULLIF(?, 0), sample_rate = NULLIF(?, 0), kind = ? WHERE id = ?",
                           args, (int)(sizeof args / sizeof args[0]));
        if (!rc) {
            rc = db_step(st, err);
            db_done(st);
            if (rc == DB_DONE) rc = 0;
        }
        free(text);
        if (rc >= 0)
            rc = db_exec(c, err,
                         "UPDATE asset SET kind = ? WHERE id = ? AND kind <> 'image_sequence' "
                         "AND current_number = (SELECT number FROM asset_version WHERE id = ?)",
                         "sss", kind, v.asset_id, vid);
        json_int_t nv = json_integer_value(json_object_get(s, "video_streams"));
        json_int_t na = json_integer_value(json_object_get(s, "audio_streams"));
        if (rc >= 0) derive_rows(c, &v, kind, nv > 0 || !strcmp(kind, "image"), na > 0, kinds, &nk);
    }
    for (int i = 0; rc >= 0 && i < nk; i++) {
        rc = db_exec(c, err,
                     "INSERT INTO derivative (version_id, kind, state, updated_at) VALUES (?, ?, "
                     "'pending', ?) ON CONFLICT (version_id, kind) DO UPDATE SET state = "
                     "'pending', error = NULL, updated_at = excluded.updated_at",
                     "sss", vid, kinds[i], now);
        if (rc < 0) break;
        json_t *p = json_pack("{s:s,s:s}", "version_id", vid, "kind", kinds[i]);
        char key[120];
        snprintf(key, sizeof key, "assets.derive:%s:%s", vid, kinds[i]);
        ms_job_opts o = {.max_attempts = 3, .unique_key = key, .priority = -1};
        rc = jobs_enqueue(c, "assets.derive", p, &o, NULL, err);
        json_decref(p);
    }
    json_decref(probe);
    if (rc >= 0) rc = db_commit(c, err);
    if (db_in_tx(c)) db_rollback(c);
    if (rc >= 0 && nk == 0) unlink(v.path); /* nobody else needs the work file */
    if (rc >= 0 && env->jobs_wake) env->jobs_wake(env->jobs_wake_arg);
    return rc < 0 ? rc : 0;
}

static int derive_finish(db_conn *c, const char *vid, const char *kind, const char *state,
                         const char *key, const char *mime, int64_t size, const char *meta,
                         const char *error, ms_error *err)
{
    char now[MS_TIME_LEN];
    ms_now_str(now);
    int rc = db_begin(c, DB_TX_WRITE, err);
    if (rc) return rc;
    rc = db_exec(c, err,
                 "UPDATE derivative SET state = ?, blob_key = ?, mime = ?, size = ?, meta = ?, "
                 "error = ?, updated_at = ? WHERE version_id = ? AND kind = ?",
                 "sssIsssss", state, key, mime, size, meta, error, now, vid, kind);
    if (rc >= 0) rc = db_commit(c, err);
    if (db_in_tx(c)) db_rollback(c);
    return rc < 0 ? rc : 0;
}

/* The last derivative of a version removes the work file. */
static void drop_work_file_when_done(db_conn *c, const version_file *v)
{
    db_stmt *st;
    ms_error e;
    if (db_query_row(c, &st, &e,
                     "SELECT COUNT(*) FROM derivative WHERE version_id = ? AND state = 'pending'",
                     "s", v->vid) == DB_ROW) {
        int64_t left = db_col_int(st, 0);
        db_done(st);
        if (left == 0) unlink(v->path);
    }
}

int assets_job_derive(void *ctx, db_conn *c, const ms_job *job, ms_error *err)
{
    const ms_env *env = ctx;
    const char *vid = json_string_value(json_object_get(job->payload, "version_id"));
    const char *kind = json_string_value(json_object_get(job->payload, "kind"));
    if (!vid || !kind) return ms_fail(err, MS_EINVAL, NULL, "assets.derive needs version_id, kind");
    version_file v;
    int rc = load_version_row(c, vid, &v, err);
    if (rc) return rc;
    if ((rc = materialize(env, c, &v, err))) return rc;
    char out[900], key[BLOB_KEY_MAX];
    const char *mime = NULL, *ext = "bin";
    json_t *meta = NULL;
    ms_error de;
    ms_error_clear(&de);
    int drc;
    if (!strcmp(kind, "thumbnail")) {
        ext = "jpg";
        mime = "image/jpeg";
        snprintf(out, sizeof out, "%s.%s.%s", v.path, kind, ext);
        drc = media_thumbnail(v.path, out, "jpeg", 640, &de);
    } else if (!strcmp(kind, "filmstrip")) {
        ext = "jpg";
        mime = "image/jpeg";
        snprintf(out, sizeof out, "%s.%s.%s", v.path, kind, ext);
        drc = media_filmstrip(v.path, out, 20, 160, &meta, &de);
    } else if (!strcmp(kind, "proxy")) {
        ext = "mp4";
        mime = "video/mp4";
        snprintf(out, sizeof out, "%s.%s.%s", v.path, kind, ext);
        drc = media_proxy(v.path, out, NULL, &de);
    } else if (!strcmp(kind, "waveform")) {
        out[0] = 0;
        drc = media_waveform(v.path, &meta, 1000, &de);
    } else {
        return ms_fail(err, MS_EINVAL, NULL, "unknown derivative %s", kind);
    }
    if (drc) {
        if (out[0]) unlink(out);
        bool last = drc == MS_EINVAL || job->attempts >= job->max_attempts;
        if (!last) return ms_fail(err, drc, NULL, "%s", de.detail);
        rc = derive_finish(c, vid, kind, "failed", NULL, NULL, 0, NULL, de.detail, err);
        drop_work_file_when_done(c, &v);
        ms_log(MS_LOG_WARN, "derivative failed",
               json_pack("{s:s,s:s,s:s}", "version_id", vid, "kind", kind, "error", de.detail));
        return rc;
    }
    char *meta_text = meta ? json_dumps(meta, JSON_COMPACT | JSON_REAL_PRECISION(5)) : NULL;
    json_decref(meta);
    int64_t size = 0;
    if (out[0]) {
        struct stat st;
        size = stat(out, &st) == 0 ? st.st_size : 0;
        snprintf(key, sizeof key, "derived/%s/%s.%s", vid, kind, ext);
        for (char *p = key; *p; p++)
            if (*p >= 'A' && *p <= 'Z') *p = (char)(*p - 'A' + 'a');
        if ((rc = blobs_put_file(env->blobs, key, out, err))) {
            unlink(out);
            free(meta_text);
            return rc;
        }
    } else {
        size = meta_text ? (int64_t)strlen(meta_text) : 0;
        mime = "application/json";
    }
    rc = derive_finish(c, vid, kind, "done", out[0] ? key : NULL, mime, size, meta_text, NULL, err);
    free(meta_text);
    drop_work_file_when_done(c, &v);
    return rc;
}
