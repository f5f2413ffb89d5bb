/* ingest.c: turning bytes into an asset version.
 *
 * ingest_fd reads an uploaded file once: the chunker (core/chunker.h) cuts it into content-
 * defined chunks and hashes them on several cores, and each chunk goes to the chunk store as
 * it comes (deduplicated: a chunk already stored is not written again). version_commit then
 * records, in one transaction, the chunk rows, the asset (created on its first version), the
 * version and its manifest, and the jobs that probe it. A version therefore exists exactly
 * when every chunk it references is durable.
 *
 * Kind detection: the first 4 KiB are sniffed by content (media_sniff), the file name only
 * breaks ties; numbered still images ("plate.0101.exr") become an image sequence; the probe
 * job refines the kind later when libav reads the file as something else. */
#include "assets/assets_internal.h"

#include "core/chunker.h"
#include "core/fastcdc.h"
#include "media/media.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void manifest_free(manifest *m)
{
    free(m->e);
    memset(m, 0, sizeof *m);
}

static int manifest_add(manifest *m, const chunk_info *k, uint64_t offset, ms_error *err)
{
    if (m->n == m->cap) {
        int cap = m->cap ? m->cap * 2 : 64;
        void *p = realloc(m->e, (size_t)cap * sizeof *m->e);
        if (!p) return ms_fail(err, MS_ENOMEM, NULL, "out of memory");
        m->e = p;
        m->cap = cap;
    }
    m->e[m->n].chunk = *k;
    m->e[m->n].offset = offset;
    m->n++;
    return 0;
}

typedef struct ingest_ctx {
    const ms_env *env;
    db_conn *c;
    manifest *m;
} ingest_ctx;

static int on_chunk(void *arg, const ms_chunk *k, ms_error *err)
{
    ingest_ctx *x = arg;
    chunk_info info;
    int rc = chunks_store(x->env->blobs, x->c, x->env->config->store_compress, k->digest, k->data,
                          k->len, &info, err);
    return rc ? rc : manifest_add(x->m, &info, k->offset, err);
}

static ms_cdc_params cdc_params(const ms_config *cfg)
{
    ms_cdc_params p = {(uint32_t)cfg->chunk_min, (uint32_t)cfg->chunk_avg,
                       (uint32_t)cfg->chunk_max};
    return p;
}

int ingest_fd(const ms_env *env, db_conn *c, int fd, manifest *m, ms_error *err)
{
    memset(m, 0, sizeof *m);
    ms_cdc_params p = cdc_params(env->config);
    int rc = ms_cdc_check(&p, err);
    if (rc) return rc;
    ingest_ctx x = {env, c, m};
    ms_chunker_result res;
    if (lseek(fd, 0, SEEK_SET) < 0) return ms_fail(err, MS_EIO, NULL, "cannot rewind the upload");
    rc = ms_chunker_fd(fd, &p, 0, on_chunk, &x, &res, err);
    if (rc) {
        manifest_free(m);
        return rc;
    }
    m->size = res.size;
    digest_hex(res.digest, m->digest);
    return 0;
}

const char *kind_of_file(int fd, const char *filename)
{
    uint8_t head[4096];
    ssize_t n = pread(fd, head, sizeof head, 0);
    return media_sniff(head, n > 0 ? (size_t)n : 0, filename);
}

/* "plate.0101.exr" -> "plate.####.exr"; false when the name has no frame number. */
static bool sequence_pattern(const char *name, char *out, size_t cap)
{
    const char *dot = strrchr(name, '.');
    if (!dot || dot == name) return false;
    const char *d = dot;
    while (d > name && isdigit((unsigned char)d[-1]))
        d--;
    size_t digits = (size_t)(dot - d);
    if (digits < 3 || digits > 9 || d == name) return false;
    if (d[-1] != '.' && d[-1] != '_' && d[-1] != '-') return false;
    size_t pre = (size_t)(d - name);
    if (pre + digits + strlen(dot) + 1 > cap) return false;
    memcpy(out, name, pre);
    memset(out + pre, '#', digits);
    strcpy(out + pre + digits, dot);
    return true;
}

static int insert_manifest(db_conn *c, const char *version_id, const manifest *m, ms_error *err)
{
    enum { BATCH = 100 };
    char *sql = NULL;
    for (int i = 0; i < m->n; i += BATCH) {
        int k = m->n - i < BATCH ? m->n - i : BATCH;
        ms_buf b;
        ms_buf_init(&b);
        ms_buf_puts(&b, "INSERT INTO version_chunk (version_id, seq, digest, offset_bytes, size) "
                        "VALUES ");
        for (int j = 0; j < k; j++)
            ms_buf_puts(&b, j ? ", (?, ?, ?, ?, ?)" : "(?, ?, ?, ?, ?)");
        if (b.oom) {
            ms_buf_free(&b);
            return ms_fail(err, MS_ENOMEM, NULL, "out of memory");
        }
        sql = ms_buf_take(&b);
        db_arg args[BATCH * 5];
        for (int j = 0; j < k; j++) {
            const struct manifest_entry *e = &m->e[i + j];
            args[j * 5] = DB_ARG_S(version_id);
            args[j * 5 + 1] = DB_ARG_I(i + j);
            args[j * 5 + 2] = DB_ARG_S(e->chunk.digest);
            args[j * 5 + 3] = DB_ARG_I((int64_t)e->offset);
            args[j * 5 + 4] = DB_ARG_I((int64_t)e->chunk.size);
        }
        db_stmt *st;
        int rc = db_query_args(c, &st, err, sql, args, k * 5);
        free(sql);
        if (rc) return rc;
        rc = db_step(st, err);
        db_done(st);
        if (rc < 0) return rc;
    }
    return 0;
}

int version_commit(db_conn *c, const ms_env *env, const version_new *v, const manifest *m,
                   char asset_id[MS_ID_LEN], int *number, ms_error *err)
{
    (void)env;
    chunk_info *infos = malloc((size_t)(m->n ? m->n : 1) * sizeof *infos);
    if (!infos) return ms_fail(err, MS_ENOMEM, NULL, "out of memory");
    for (int i = 0; i < m->n; i++)
        infos[i] = m->e[i].chunk;
    int rc = chunks_record(c, infos, m->n, v->org_id, err);
    free(infos);
    if (rc) return rc;

    char now[MS_TIME_LEN], vid[MS_ID_LEN];
    ms_now_str(now);
    ms_uuid7(vid);
    const char *kind = v->kind_hint ? v->kind_hint : "other";
    char seq[300];
    bool is_seq = !strcmp(kind, "image") && sequence_pattern(v->filename, seq, sizeof seq);
    if (is_seq) kind = "image_sequence";

    db_stmt *st;
    rc = db_query_row(c, &st, err,
                      "SELECT id, latest_number FROM asset WHERE project_id = ? AND folder = ? "
                      "AND name = ? AND deleted_at IS NULL",
                      "sss", v->project_id, v->folder, v->filename);
    if (rc < 0) return rc;
    bool is_new = rc == DB_DONE;
    if (!is_new) {
        ms_strlcpy(asset_id, db_col_text(st, 0), MS_ID_LEN);
        *number = (int)db_col_int(st, 1) + 1;
        db_done(st);
        rc = db_exec(c, err,
                     "UPDATE asset SET latest_number = ?, current_number = ?, updated_at = ?, "
                     "version = version + 1 WHERE id = ?",
                     "iiss", *number, *number, now, asset_id);
    } else {
        ms_uuid7(asset_id);
        *number = 1;
        rc = db_exec(c, err,
                     "INSERT INTO asset (id, project_id, folder, name, kind, sequence, "
                     "current_number, latest_number, created_by, created_at, updated_at) "
                     "VALUES (?, ?, ?, ?, ?, ?, 1, 1, ?, ?, ?)",
                     "sssssssss", asset_id, v->project_id, v->folder, v->filename, kind,
                     is_seq ? seq : NULL, v->user_id, now, now);
    }
    if (rc < 0) return rc;
    rc = db_exec(c, err,
                 "INSERT INTO asset_version (id, asset_id, number, filename, size, digest, chunks, "
                 "kind, uploaded_by, created_at, comment, probe_state) "
                 "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending')",
                 "ssisIsisss"
                 "s",
                 vid, asset_id, *number, v->filename, (int64_t)m->size, m->digest, m->n, kind,
                 v->user_id, now, v->comment ? v->comment : "");
    if (rc < 0) return rc;
    if ((rc = insert_manifest(c, vid, m, err))) return rc;

    json_t *p = json_pack("{s:s}", "version_id", vid);
    ms_job_opts o = {.max_attempts = 3};
    char key[80];
    snprintf(key, sizeof key, "assets.probe:%s", vid);
    o.unique_key = key;
    rc = jobs_enqueue(c, "assets.probe", p, &o, NULL, err);
    json_decref(p);
    if (rc) return rc;
    json_t *data = json_pack("{s:i,s:I,s:s}", "number", *number, "size", (json_int_t)m->size,
                             "digest", m->digest);
    rc = assets_event(c, v->user_id, is_new ? "asset.created" : "asset.version_created", "asset",
                      asset_id, v->project_id, v->org_id, data, err, "%s v%03d uploaded",
                      v->filename, *number);
    json_decref(data);
    return rc;
}
