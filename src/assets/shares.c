/* shares.c: share links for people without an account.
 *
 * A link is a random token (shown once, at creation; only its keyed hash is stored) that
 * opens one asset, in one of two modes: "view" (thumbnail, filmstrip, waveform and the
 * browser proxy) or "download" (also the original bytes). A link may expire, may need a
 * passphrase (argon2id-hashed), and is revoked by its project's editors or with the asset.
 * A revoked or expired link answers 410, an unknown one 404. Opening a link, and every
 * download through it, is recorded as an event of the asset's project.
 *
 * With a passphrase, opening returns an `access` value (a keyed hash of the share and an
 * expiry, 12 hours) that the media URLs carry as ?access=..., because a <video> element
 * cannot send headers.
 *
 * Other modules make and revoke view shares through assets.h (assets_share_create_view,
 * assets_share_revoke): production's client review links open their versions this way. */
#include "assets/assets_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SHARE_ACCESS_TTL_MS (12LL * 3600 * 1000)
static const char *const share_modes[] = {"view", "download", NULL};

static const ms_jfield share_fields[] = {
    {"mode", MS_J_ENUM, false, false, 0, 0, share_modes},
    {"expires_in", MS_J_INT, false, true, 60, 366LL * 86400, NULL},
    {"expires_at", MS_J_TIME, false, true, 0, 0, NULL},
    {"passphrase", MS_J_STRING, false, true, 6, 200, NULL},
    {"note", MS_J_TEXT, false, false, 0, 500, NULL},
    {"version", MS_J_INT, false, true, 1, 1000000, NULL},
    {0},
};

static const char share_cols[] =
    "s.id, s.asset_id, s.mode, s.version_number, s.note, s.expires_at, s.revoked_at, "
    "s.passphrase_hash IS NOT NULL AS has_passphrase, s.access_count, s.last_access_at, "
    "s.created_by, s.created_at, CASE WHEN s.revoked_at IS NOT NULL THEN 'revoked' WHEN "
    "s.expires_at IS NOT NULL AND s.expires_at < ? THEN 'expired' ELSE 'active' END AS status";

typedef struct share_new {
    const ms_env *env;
    const ms_caller *caller;
    const char *asset_id, *mode, *note, *expires_at;
    char pass_hash[128];
    bool has_pass;
    int version;
    char id[MS_ID_LEN], token[64];
    ms_error *err;
} share_new;

static int share_insert_tx(void *arg, db_conn *c, ms_error *err)
{
    share_new *s = arg;
    db_stmt *st;
    int rc = db_query_row(c, &st, err,
                          "SELECT a.project_id, p.org_id, a.name FROM asset a JOIN project p ON "
                          "p.id = a.project_id WHERE a.id = ? AND a.deleted_at IS NULL",
                          "s", s->asset_id);
    if (rc < 0) return rc;
    if (rc == DB_DONE) return ms_fail(err, MS_ENOTFOUND, NULL, "No such asset.");
    char pid[MS_ID_LEN], oid[MS_ID_LEN], name[300];
    ms_strlcpy(pid, db_col_text(st, 0), sizeof pid);
    ms_strlcpy(oid, db_col_text(st, 1), sizeof oid);
    ms_strlcpy(name, db_col_text(st, 2), sizeof name);
    db_done(st);
    ms_access a;
    if ((rc = authz_project(c, s->caller, pid, &a, err))) return rc;
    if (a.level < LEVEL_EDIT)
        return ms_fail(err, MS_EFORBIDDEN, NULL,
                       "Your role in this project (%s) may not share its assets.", a.role);
    if (s->version > 0) {
        rc = db_query_row(c, &st, err,
                          "SELECT 1 FROM asset_version WHERE asset_id = ? AND number = ?", "si",
                          s->asset_id, s->version);
        if (rc < 0) return rc;
        if (rc == DB_DONE) return ms_field_fail(err, "version", "the asset has no such version");
        db_done(st);
    }
    char hash[65], now[MS_TIME_LEN];
    auth_credential_hash(s->env, "share", s->token, hash);
    ms_now_str(now);
    rc = db_exec(c, err,
                 "INSERT INTO share (id, asset_id, project_id, token_hash, mode, version_number, "
                 "passphrase_hash, note, expires_at, created_by, created_at) VALUES (?, ?, ?, ?, "
                 "?, ?, ?, ?, ?, ?, ?)",
                 "sssssisssss", s->id, s->asset_id, pid, hash, s->mode,
                 s->version > 0 ? s->version : 0, s->has_pass ? s->pass_hash : NULL,
                 s->note ? s->note : "", s->expires_at, s->caller->user_id, now);
    if (rc < 0) return rc;
    if (s->version <= 0)
        rc = db_exec(c, err, "UPDATE share SET version_number = NULL WHERE id = ?", "s", s->id);
    if (rc < 0) return rc;
    json_t *data = json_pack("{s:s,s:s}", "share_id", s->id, "mode", s->mode);
    rc = assets_event(c, s->caller->user_id, "asset.shared", "asset", s->asset_id, pid, oid, data,
                      err, "%s shared by link (%s)", name, s->mode);
    json_decref(data);
    return rc;
}

static int share_json(ms_req *r, const char *id, json_t **out)
{
    char now[MS_TIME_LEN];
    ms_now_str(now);
    db_stmt *st;
    int rc =
        db_query_row(r->db, &st, &r->err,
                     ms_arena_printf(r->arena, "SELECT %s FROM share s WHERE s.id = ?", share_cols),
                     "ss", now, id);
    if (rc < 0) return rc;
    if (rc == DB_DONE) return ms_req_fail(r, MS_ENOTFOUND, NULL, "No such share.");
    *out = db_row_json(st);
    db_done(st);
    return 0;
}

int h_shares_create(ms_req *r)
{
    if (ms_json_check(r->body, share_fields, &r->err)) return r->err.code;
    const char *asset_id = ms_req_param(r, "id");
    if (!ms_uuid_valid(asset_id)) return ms_req_fail(r, MS_ENOTFOUND, NULL, "No such asset.");
    share_new s;
    memset(&s, 0, sizeof s);
    s.env = r->env;
    s.caller = r->caller;
    s.asset_id = asset_id;
    s.mode = ms_json_str(r->body, "mode") ? ms_json_str(r->body, "mode") : "view";
    s.note = ms_json_str(r->body, "note");
    s.version = (int)ms_json_int(r->body, "version", 0);
    char exp[MS_TIME_LEN];
    if (ms_json_str(r->body, "expires_at")) {
        int64_t ms;
        ms_time_parse(ms_json_str(r->body, "expires_at"), &ms);
        if (ms <= ms_now_ms()) return ms_field_fail(&r->err, "expires_at", "must be in the future");
        ms_time_fmt(ms, exp);
        s.expires_at = exp;
    } else if (ms_json_has(r->body, "expires_in") &&
               !json_is_null(json_object_get(r->body, "expires_in"))) {
        ms_time_fmt(ms_now_ms() + ms_json_int(r->body, "expires_in", 0) * 1000, exp);
        s.expires_at = exp;
    }
    const char *pass = ms_json_str(r->body, "passphrase");
    int rc;
    if (pass) { /* slow on purpose: outside any write transaction */
        if ((rc = password_hash(pass, s.pass_hash, &r->err))) return rc;
        s.has_pass = true;
    }
    ms_uuid7(s.id);
    auth_credential_new("mss_", s.token);
    if ((rc = db_transact(r->db, DB_TX_WRITE, share_insert_tx, &s, &r->err))) return rc;
    json_t *o = NULL;
    if ((rc = db_begin(r->db, DB_TX_READ, &r->err)) || (rc = share_json(r, s.id, &o))) return rc;
    json_object_set_new(o, "token", json_string(s.token));
    json_object_set_new(
        o, "url",
        json_string(ms_arena_printf(r->arena, "%s/s/%s", r->env->config->public_url, s.token)));
    ms_reply_header(r, "Location",
                    ms_arena_printf(r->arena, "/api/v1/assets/%s/shares/%s", asset_id, s.id));
    return ms_reply(r, 201, o);
}

int h_shares_list(ms_req *r)
{
    const char *id = ms_req_param(r, "id");
    char pid[MS_ID_LEN], oid[MS_ID_LEN], now[MS_TIME_LEN];
    int rc = asset_access(r, id, LEVEL_EDIT, pid, oid);
    if (rc) return rc;
    ms_now_str(now);
    db_stmt *st;
    rc = db_query(r->db, &st, &r->err,
                  ms_arena_printf(r->arena,
                                  "SELECT %s FROM share s WHERE s.asset_id = ? ORDER BY s.id DESC",
                                  share_cols),
                  "ss", now, id);
    if (rc) return rc;
    json_t *items = json_array();
    while ((rc = db_step(st, &r->err)) == DB_ROW)
        json_array_append_new(items, db_row_json(st));
    db_done(st);
    if (rc < 0) {
        json_decref(items);
        return rc;
    }
    return ms_reply_list(r, items, NULL);
}

int h_shares_revoke(ms_req *r)
{
    const char *id = ms_req_param(r, "id"), *sid = ms_req_param(r, "share_id");
    char pid[MS_ID_LEN], oid[MS_ID_LEN], now[MS_TIME_LEN];
    int rc = asset_access(r, id, LEVEL_EDIT, pid, oid);
    if (rc) return rc;
    if (!ms_uuid_valid(sid)) return ms_req_fail(r, MS_ENOTFOUND, NULL, "No such share.");
    ms_now_str(now);
    rc = db_exec(r->db, &r->err,
                 "UPDATE share SET revoked_at = COALESCE(revoked_at, ?), version = version + 1 "
                 "WHERE id = ? AND asset_id = ?",
                 "sss", now, sid, id);
    if (rc < 0) return rc;
    if (rc == 0) return ms_req_fail(r, MS_ENOTFOUND, NULL, "No such share.");
    json_t *data = json_pack("{s:s}", "share_id", sid);
    rc = assets_event(r->db, r->caller->user_id, "asset.share_revoked", "asset", id, pid, oid, data,
                      &r->err, "Share link revoked");
    json_decref(data);
    return rc ? rc : ms_reply_empty(r);
}

/* ---- The public side. ---- */

typedef struct share_row {
    char id[MS_ID_LEN], asset_id[MS_ID_LEN], project_id[MS_ID_LEN], org_id[MS_ID_LEN];
    char mode[16], pass_hash[128];
    int version;
    char name[300];
} share_row;

static void access_value(const ms_env *env, const char *share_id, int64_t exp_ms, char *out,
                         size_t cap)
{
    char purpose[64], hash[65];
    snprintf(purpose, sizeof purpose, "share-access:%lld", (long long)exp_ms);
    auth_credential_hash(env, purpose, share_id, hash);
    snprintf(out, cap, "%lld.%.32s", (long long)exp_ms, hash);
}

static bool access_ok(const ms_env *env, const char *share_id, const char *value)
{
    if (!value) return false;
    char *dot = strchr(value, '.');
    int64_t exp;
    char num[32];
    if (!dot || (size_t)(dot - value) >= sizeof num) return false;
    memcpy(num, value, (size_t)(dot - value));
    num[dot - value] = 0;
    if (!ms_parse_int(num, &exp) || exp < ms_now_ms()) return false;
    char want[128];
    access_value(env, share_id, exp, want, sizeof want);
    return strlen(want) == strlen(value) && ms_ct_eq(want, value, strlen(want));
}

static int share_find(ms_req *r, share_row *s)
{
    const char *token = ms_req_param(r, "token");
    if (!token || strncmp(token, "mss_", 4) != 0 || strlen(token) > 80)
        return ms_req_fail(r, MS_ENOTFOUND, NULL, "This link does not exist.");
    char hash[65], now[MS_TIME_LEN];
    auth_credential_hash(r->env, "share", token, hash);
    ms_now_str(now);
    db_stmt *st;
    int rc =
        db_query_row(r->db, &st, &r->err,
                     "SELECT s.id, s.asset_id, s.project_id, p.org_id, s.mode, "
                     "s.passphrase_hash, COALESCE(s.version_number, 0), a.name, "
                     "s.revoked_at IS NOT NULL, s.expires_at IS NOT NULL AND s.expires_at < ?, "
                     "a.deleted_at IS NOT NULL FROM share s JOIN asset a ON a.id = s.asset_id "
                     "JOIN project p ON p.id = s.project_id WHERE s.token_hash = ?",
                     "ss", now, hash);
    if (rc < 0) return rc;
    if (rc == DB_DONE) return ms_req_fail(r, MS_ENOTFOUND, NULL, "This link does not exist.");
    ms_strlcpy(s->id, db_col_text(st, 0), sizeof s->id);
    ms_strlcpy(s->asset_id, db_col_text(st, 1), sizeof s->asset_id);
    ms_strlcpy(s->project_id, db_col_text(st, 2), sizeof s->project_id);
    ms_strlcpy(s->org_id, db_col_text(st, 3), sizeof s->org_id);
    ms_strlcpy(s->mode, db_col_text(st, 4), sizeof s->mode);
    ms_strlcpy(s->pass_hash, db_col_text(st, 5) ? db_col_text(st, 5) : "", sizeof s->pass_hash);
    s->version = (int)db_col_int(st, 6);
    ms_strlcpy(s->name, db_col_text(st, 7), sizeof s->name);
    bool revoked = db_col_int(st, 8) || db_col_int(st, 10), expired = db_col_int(st, 9);
    db_done(st);
    if (revoked) return ms_req_fail(r, MS_EGONE, "share-revoked", "This link was revoked.");
    if (expired) return ms_req_fail(r, MS_EGONE, "share-expired", "This link has expired.");
    return 0;
}

typedef struct touch_arg {
    const share_row *s;
    const char *action, *client_ip;
} touch_arg;

static int touch_tx(void *arg, db_conn *c, ms_error *err)
{
    touch_arg *t = arg;
    char now[MS_TIME_LEN];
    ms_now_str(now);
    int rc = db_exec(c, err,
                     "UPDATE share SET access_count = access_count + 1, last_access_at = ? "
                     "WHERE id = ?",
                     "ss", now, t->s->id);
    if (rc < 0) return rc;
    json_t *data = json_pack("{s:s,s:s}", "share_id", t->s->id, "ip", t->client_ip);
    rc = assets_event(c, NULL, t->action, "asset", t->s->asset_id, t->s->project_id, t->s->org_id,
                      data, err, "%s %s through a share link", t->s->name,
                      !strcmp(t->action, "share.downloaded") ? "downloaded" : "opened");
    json_decref(data);
    return rc;
}

/* Record an access: the request runs in a read transaction; the record is its own write. */
static int share_touch(ms_req *r, const share_row *s, const char *action)
{
    db_commit(r->db, NULL);
    touch_arg t = {s, action, r->client_ip ? r->client_ip : ""};
    int rc = db_transact(r->db, DB_TX_WRITE, touch_tx, &t, &r->err);
    if (!rc) rc = db_begin(r->db, DB_TX_READ, &r->err);
    return rc;
}

int h_share_open(ms_req *r)
{
    share_row s;
    int rc = share_find(r, &s);
    if (rc) return rc;
    char access[160] = "";
    if (s.pass_hash[0]) {
        const char *p = ms_req_header(r, "X-Share-Passphrase");
        if (!p || !*p)
            return ms_req_fail(r, MS_EUNAUTH, "passphrase-required",
                               "This link needs its passphrase (X-Share-Passphrase).");
        if (!password_verify(s.pass_hash, p))
            return ms_req_fail(r, MS_EFORBIDDEN, "wrong-passphrase", "Wrong passphrase.");
        access_value(r->env, s.id, ms_now_ms() + SHARE_ACCESS_TTL_MS, access, sizeof access);
    }
    if ((rc = share_touch(r, &s, "share.opened"))) return rc;
    db_stmt *st;
    rc = db_query_row(r->db, &st, &r->err,
                      "SELECT a.name, a.kind, v.number, v.size, v.duration, v.width, v.height, "
                      "v.fps, v.video_codec, v.hdr, v.audio_channels, v.digest, v.id AS "
                      "version_id FROM asset a JOIN asset_version v ON v.asset_id = "
                      "a.id AND v.number = CASE WHEN ? > 0 THEN ? ELSE a.current_number END "
                      "WHERE a.id = ?",
                      "iis", s.version, s.version, s.asset_id);
    if (rc < 0) return rc;
    if (rc == DB_DONE) return ms_req_fail(r, MS_ENOTFOUND, NULL, "This link does not exist.");
    json_t *o = db_row_json(st);
    char *vid = ms_arena_strdup(r->arena, db_col_text(st, 12));
    db_done(st);
    json_object_del(o, "version_id");
    char dlist[128] = "";
    rc = db_query(r->db, &st, &r->err,
                  "SELECT kind FROM derivative WHERE version_id = ? AND state = 'done'", "s", vid);
    while (rc >= 0 && (rc = db_step(st, &r->err)) == DB_ROW) {
        strncat(dlist, db_col_text(st, 0), sizeof dlist - strlen(dlist) - 2);
        strcat(dlist, ",");
    }
    if (rc == DB_DONE) rc = 0;
    db_done(st);
    if (rc) {
        json_decref(o);
        return rc;
    }
    json_t *q = json_object();
    const char *tok = ms_req_param(r, "token");
    const char *suffix = access[0] ? ms_arena_printf(r->arena, "?access=%s", access) : "";
    static const char *const kinds[] = {"thumbnail", "filmstrip", "proxy", "waveform", NULL};
    for (int i = 0; kinds[i]; i++)
        if (strstr(dlist, kinds[i]))
            json_object_set_new(q, kinds[i],
                                json_string(ms_arena_printf(r->arena, "/api/v1/shares/%s/%s%s", tok,
                                                            kinds[i], suffix)));
    if (!strcmp(s.mode, "download"))
        json_object_set_new(
            q, "content",
            json_string(ms_arena_printf(r->arena, "/api/v1/shares/%s/content%s", tok, suffix)));
    json_t *out = json_pack("{s:s,s:o,s:o}", "mode", s.mode, "asset", o, "urls", q);
    if (access[0]) json_object_set_new(out, "access", json_string(access));
    return ms_reply(r, 200, out);
}

int h_share_content(ms_req *r)
{
    static const char *const allowed[] = {"access", NULL};
    share_row s;
    int rc = share_find(r, &s);
    if (rc || (rc = ms_req_query_only(r, allowed))) return rc;
    if (s.pass_hash[0] && !access_ok(r->env, s.id, ms_req_query(r, "access"))) {
        const char *p = ms_req_header(r, "X-Share-Passphrase");
        if (!p || !password_verify(s.pass_hash, p))
            return ms_req_fail(r, MS_EUNAUTH, "passphrase-required",
                               "Open the link with its passphrase first.");
    }
    const char *what = ms_req_param(r, "what");
    if (!strcmp(what, "content")) {
        if (strcmp(s.mode, "download") != 0)
            return ms_req_fail(r, MS_EFORBIDDEN, "view-only",
                               "This link is for viewing; it does not allow downloads.");
        const char *range = ms_req_header(r, "Range");
        if (!range || !strncmp(range, "bytes=0-", 8))
            if ((rc = share_touch(r, &s, "share.downloaded"))) return rc;
        return content_reply(r, s.asset_id, s.version, "attachment");
    }
    if (strcmp(what, "thumbnail") && strcmp(what, "filmstrip") && strcmp(what, "proxy") &&
        strcmp(what, "waveform"))
        return ms_req_fail(r, MS_ENOTFOUND, NULL, "There is nothing at this address.");
    db_stmt *st;
    rc = db_query_row(r->db, &st, &r->err,
                      "SELECT d.state, d.blob_key, d.mime, d.meta, v.id FROM asset a JOIN "
                      "asset_version v ON v.asset_id = a.id AND v.number = CASE WHEN ? > 0 THEN ? "
                      "ELSE a.current_number END JOIN derivative d ON d.version_id = v.id AND "
                      "d.kind = ? WHERE a.id = ?",
                      "iiss", s.version, s.version, what, s.asset_id);
    if (rc < 0) return rc;
    if (rc == DB_DONE || strcmp(db_col_text(st, 0), "done") != 0) {
        if (rc == DB_ROW) db_done(st);
        return ms_req_fail(r, MS_ENOTFOUND, "derivative-pending", "Not available yet.");
    }
    char *key = db_col_text(st, 1) ? ms_arena_strdup(r->arena, db_col_text(st, 1)) : NULL;
    char *mime = ms_arena_strdup(r->arena, db_col_text(st, 2) ? db_col_text(st, 2) : "");
    char *meta = db_col_text(st, 3) ? ms_arena_strdup(r->arena, db_col_text(st, 3)) : NULL;
    char *vid = ms_arena_strdup(r->arena, db_col_text(st, 4));
    db_done(st);
    if (!key) {
        json_t *j;
        if (!meta || ms_json_parse(meta, strlen(meta), &j, &r->err)) return MS_EINTERNAL;
        return ms_reply(r, 200, j);
    }
    return blob_reply(r, key, mime, ms_arena_printf(r->arena, "\"%s-%s\"", vid, what));
}

/* ---- For other modules (assets.h): production's review links make and revoke view shares
 * of the versions they show, and serve a pinned version's derivatives. ---- */

int assets_share_create_view(db_conn *c, const ms_env *env, const char *actor_id,
                             const char *asset_id, int number, const char *pass_hash,
                             const char *expires_at, const char *note, char id_out[MS_ID_LEN],
                             char token_out[64], ms_error *err)
{
    if (!ms_uuid_valid(asset_id) || number < 1)
        return ms_fail(err, MS_ENOTFOUND, NULL, "No such asset version.");
    if (pass_hash && strlen(pass_hash) >= 128)
        return ms_fail(err, MS_EINVAL, NULL, "passphrase hash too long");
    db_stmt *st;
    int rc = db_query_row(c, &st, err,
                          "SELECT a.project_id, p.org_id, a.name FROM asset a JOIN project p ON "
                          "p.id = a.project_id JOIN asset_version v ON v.asset_id = a.id AND "
                          "v.number = ? WHERE a.id = ? AND a.deleted_at IS NULL",
                          "is", number, asset_id);
    if (rc < 0) return rc;
    if (rc == DB_DONE) return ms_fail(err, MS_ENOTFOUND, NULL, "No such asset version.");
    char pid[MS_ID_LEN], oid[MS_ID_LEN], name[300];
    ms_strlcpy(pid, db_col_text(st, 0), sizeof pid);
    ms_strlcpy(oid, db_col_text(st, 1), sizeof oid);
    ms_strlcpy(name, db_col_text(st, 2), sizeof name);
    db_done(st);
    char hash[65], now[MS_TIME_LEN];
    ms_uuid7(id_out);
    auth_credential_new("mss_", token_out);
    auth_credential_hash(env, "share", token_out, hash);
    ms_now_str(now);
    rc = db_exec(c, err,
                 "INSERT INTO share (id, asset_id, project_id, token_hash, mode, version_number, "
                 "passphrase_hash, note, expires_at, created_by, created_at) VALUES (?, ?, ?, ?, "
                 "'view', ?, ?, ?, ?, ?, ?)",
                 "ssssisssss", id_out, asset_id, pid, hash, number, pass_hash, note ? note : "",
                 expires_at, actor_id, now);
    if (rc < 0) return rc;
    json_t *data = json_pack("{s:s,s:s}", "share_id", id_out, "mode", "view");
    rc = assets_event(c, actor_id, "asset.shared", "asset", asset_id, pid, oid, data, err,
                      "%s shared by link (view, for review)", name);
    json_decref(data);
    return rc;
}

int assets_project_of(db_conn *c, const char *asset_id, char project_id[MS_ID_LEN], ms_error *err)
{
    if (!asset_id || !ms_uuid_valid(asset_id))
        return ms_fail(err, MS_ENOTFOUND, NULL, "No such asset.");
    db_stmt *st;
    int rc = db_query_row(c, &st, err,
                          "SELECT project_id FROM asset WHERE id = ? AND deleted_at IS NULL", "s",
                          asset_id);
    if (rc < 0) return rc;
    if (rc == DB_DONE) return ms_fail(err, MS_ENOTFOUND, NULL, "No such asset.");
    ms_strlcpy(project_id, db_col_text(st, 0), MS_ID_LEN);
    db_done(st);
    return 0;
}

int assets_share_revoke(db_conn *c, const char *actor_id, const char *share_id, ms_error *err)
{
    if (!ms_uuid_valid(share_id)) return ms_fail(err, MS_ENOTFOUND, NULL, "No such share.");
    db_stmt *st;
    int rc = db_query_row(c, &st, err,
                          "SELECT s.asset_id, s.project_id, p.org_id, s.revoked_at IS NOT NULL "
                          "FROM share s JOIN project p ON p.id = s.project_id WHERE s.id = ?",
                          "s", share_id);
    if (rc < 0) return rc;
    if (rc == DB_DONE) return ms_fail(err, MS_ENOTFOUND, NULL, "No such share.");
    char aid[MS_ID_LEN], pid[MS_ID_LEN], oid[MS_ID_LEN];
    ms_strlcpy(aid, db_col_text(st, 0), sizeof aid);
    ms_strlcpy(pid, db_col_text(st, 1), sizeof pid);
    ms_strlcpy(oid, db_col_text(st, 2), sizeof oid);
    bool already = db_col_int(st, 3) != 0;
    db_done(st);
    if (already) return 0;
    char now[MS_TIME_LEN];
    ms_now_str(now);
    rc = db_exec(c, err,
                 "UPDATE share SET revoked_at = ?, version = version + 1 WHERE id = ? AND "
                 "revoked_at IS NULL",
                 "ss", now, share_id);
    if (rc < 0) return rc;
    json_t *data = json_pack("{s:s}", "share_id", share_id);
    rc = assets_event(c, actor_id, "asset.share_revoked", "asset", aid, pid, oid, data, err,
                      "Share link revoked");
    json_decref(data);
    return rc;
}

void assets_share_access(const ms_env *env, const char *share_id, char *out, size_t cap)
{
    access_value(env, share_id, ms_now_ms() + SHARE_ACCESS_TTL_MS, out, cap);
}

int assets_derivative_reply(ms_req *r, const char *asset_id, int number, const char *kind)
{
    if (strcmp(kind, "thumbnail") && strcmp(kind, "filmstrip") && strcmp(kind, "proxy") &&
        strcmp(kind, "waveform"))
        return ms_req_fail(r, MS_ENOTFOUND, NULL, "There is nothing at this address.");
    db_stmt *st;
    int rc = db_query_row(r->db, &st, &r->err,
                          "SELECT d.state, d.blob_key, d.mime, d.meta, v.id FROM asset_version v "
                          "JOIN derivative d ON d.version_id = v.id AND d.kind = ? WHERE "
                          "v.asset_id = ? AND v.number = ?",
                          "ssi", kind, asset_id, number);
    if (rc < 0) return rc;
    if (rc == DB_DONE || strcmp(db_col_text(st, 0), "done") != 0) {
        if (rc == DB_ROW) db_done(st);
        return ms_req_fail(r, MS_ENOTFOUND, "derivative-pending", "The %s is not made yet.", kind);
    }
    char *key = db_col_text(st, 1) ? ms_arena_strdup(r->arena, db_col_text(st, 1)) : NULL;
    char *mime = ms_arena_strdup(r->arena, db_col_text(st, 2) ? db_col_text(st, 2) : "");
    char *meta = db_col_text(st, 3) ? ms_arena_strdup(r->arena, db_col_text(st, 3)) : NULL;
    char *vid = ms_arena_strdup(r->arena, db_col_text(st, 4));
    db_done(st);
    if (!key) { /* a JSON derivative (waveform): the meta is the body */
        json_t *j;
        if (!meta || ms_json_parse(meta, strlen(meta), &j, &r->err)) return MS_EINTERNAL;
        return ms_reply(r, 200, j);
    }
    return blob_reply(r, key, mime, ms_arena_printf(r->arena, "\"%s-%s\"", vid, kind));
}
