/* review_links.c: client review links — an outside reviewer watches the proxies of a playlist
 * (or of one version) and leaves frame notes, without an account.
 *
 * A link is a random token "msr_..." shown once, at creation; only its keyed hash is stored.
 * It may expire, may need a passphrase (argon2id), may forbid notes, and is revoked by the
 * project's artists and supervisors (or with its playlist). Expired or revoked: 410; unknown:
 * 404. The media never come from this module: each version the link shows has a "view" share
 * link of the asset library (assets.h), pinned to the version's asset version, with the same
 * expiry and passphrase; the share's token is kept sealed with the server key (core/seal.h) to
 * build the share URLs (/api/v1/shares/{token}/proxy ...) of the public answer, and revoking
 * the review link revokes those shares. A playlist link follows its playlist: PUT items gives
 * it shares for new versions and revokes those of versions taken out.
 *
 * With a passphrase, GET /review/{token} wants X-Passphrase and answers an `access` value (a
 * keyed hash of the link and an expiry, 12 hours) that later requests may send as
 * X-Review-Access instead, and media URLs that carry their share's own access value.
 *
 * A guest's note needs a name; a link takes at most NOTES_MAX notes, so a public link cannot
 * fill the database. The public answer shows the notes written through the same link only:
 * the team's own notes stay inside the team. */
#include "assets/assets.h"
#include "core/seal.h"
#include "production/prod_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NOTES_MAX     500
#define ACCESS_TTL_MS (12LL * 3600 * 1000)
#define SEAL_PURPOSE  "review-share"

/* ---- Shares of the versions a link shows. ---- */

typedef struct link_info {
    char id[MS_ID_LEN], project_id[MS_ID_LEN], org_id[MS_ID_LEN];
    char playlist_id[MS_ID_LEN], version_id[MS_ID_LEN];
    char pass_hash[128], expires_at[MS_TIME_LEN];
    bool allow_notes, has_pass;
    int64_t note_count;
    char note[600];
} link_info;

/* Give link `l` a share for version `vid` (when it has none). */
static int link_share_add(ms_req *r, const char *actor, const link_info *l, const char *vid)
{
    db_stmt *st;
    int rc = db_query_row(r->db, &st, &r->err,
                          "SELECT 1 FROM review_link_share WHERE link_id = ? AND version_id = ?",
                          "ss", l->id, vid);
    if (rc < 0) return rc;
    if (rc == DB_ROW) {
        db_done(st);
        return 0;
    }
    rc = db_query_row(r->db, &st, &r->err,
                      "SELECT v.asset_id, v.asset_version FROM review_version v JOIN asset a ON "
                      "a.id = v.asset_id AND a.deleted_at IS NULL WHERE v.id = ?",
                      "s", vid);
    if (rc < 0) return rc;
    if (rc == DB_DONE) return 0; /* its asset was deleted: nothing to show */
    char aid[MS_ID_LEN];
    ms_strlcpy(aid, db_col_text(st, 0), sizeof aid);
    int number = (int)db_col_int(st, 1);
    db_done(st);
    char sid[MS_ID_LEN], token[64];
    rc = assets_share_create_view(
        r->db, r->env, actor, aid, number, l->has_pass ? l->pass_hash : NULL,
        l->expires_at[0] ? l->expires_at : NULL, "client review link", sid, token, &r->err);
    if (rc == MS_ENOTFOUND) {
        ms_error_clear(&r->err);
        return 0;
    }
    if (rc) return rc;
    char *sealed = NULL;
    if ((rc = ms_seal(r->env->secret, SEAL_PURPOSE, token, strlen(token), &sealed, &r->err)))
        return rc;
    rc = db_exec(r->db, &r->err,
                 "INSERT INTO review_link_share (link_id, version_id, share_id, token_sealed) "
                 "VALUES (?, ?, ?, ?)",
                 "ssss", l->id, vid, sid, sealed);
    free(sealed);
    return rc < 0 ? rc : 0;
}

static int link_load(ms_req *r, const char *where, const char *arg, link_info *l)
{
    memset(l, 0, sizeof *l);
    db_stmt *st;
    int rc = db_query_row(r->db, &st, &r->err,
                          ms_arena_printf(r->arena,
                                          "SELECT l.id, l.project_id, p.org_id, "
                                          "COALESCE(l.playlist_id, ''), COALESCE(l.version_id, "
                                          "''), COALESCE(l.passphrase_hash, ''), "
                                          "COALESCE(l.expires_at, ''), l.allow_notes, "
                                          "l.note_count, l.note FROM review_link l JOIN project p "
                                          "ON p.id = l.project_id WHERE %s",
                                          where),
                          "s", arg);
    if (rc < 0) return rc;
    if (rc == DB_DONE) return MS_ENOTFOUND;
    ms_strlcpy(l->id, db_col_text(st, 0), sizeof l->id);
    ms_strlcpy(l->project_id, db_col_text(st, 1), sizeof l->project_id);
    ms_strlcpy(l->org_id, db_col_text(st, 2), sizeof l->org_id);
    ms_strlcpy(l->playlist_id, db_col_text(st, 3), sizeof l->playlist_id);
    ms_strlcpy(l->version_id, db_col_text(st, 4), sizeof l->version_id);
    ms_strlcpy(l->pass_hash, db_col_text(st, 5), sizeof l->pass_hash);
    ms_strlcpy(l->expires_at, db_col_text(st, 6), sizeof l->expires_at);
    l->has_pass = l->pass_hash[0] != 0;
    l->allow_notes = db_col_int(st, 7) != 0;
    l->note_count = db_col_int(st, 8);
    ms_strlcpy(l->note, db_col_text(st, 9), sizeof l->note);
    db_done(st);
    return 0;
}

static int link_revoke_shares(ms_req *r, const char *actor, const char *link_id,
                              const char *only_version)
{
    db_stmt *st;
    int rc = db_query(r->db, &st, &r->err,
                      "SELECT share_id, version_id FROM review_link_share WHERE link_id = ?", "s",
                      link_id);
    if (rc) return rc;
    size_t n = 0;
    char(*ids)[2][MS_ID_LEN] = NULL;
    size_t cap = 0;
    while ((rc = db_step(st, &r->err)) == DB_ROW) {
        if (n == cap) {
            size_t ncap = cap ? 2 * cap : 16;
            char(*v)[2][MS_ID_LEN] = ms_arena_alloc(r->arena, ncap * sizeof *v);
            if (!v) {
                rc = ms_req_fail(r, MS_ENOMEM, NULL, "out of memory");
                break;
            }
            if (n) memcpy(v, ids, n * sizeof *v);
            ids = v;
            cap = ncap;
        }
        ms_strlcpy(ids[n][0], db_col_text(st, 0), MS_ID_LEN);
        ms_strlcpy(ids[n][1], db_col_text(st, 1), MS_ID_LEN);
        n++;
    }
    db_done(st);
    if (rc < 0) return rc;
    for (size_t i = 0; i < n; i++) {
        if (only_version && strcmp(ids[i][1], only_version) != 0) continue;
        if ((rc = assets_share_revoke(r->db, actor, ids[i][0], &r->err)) && rc != MS_ENOTFOUND)
            return rc;
        ms_error_clear(&r->err);
        if (only_version &&
            (rc = db_exec(r->db, &r->err,
                          "DELETE FROM review_link_share WHERE link_id = ? AND version_id = ?",
                          "ss", link_id, only_version)) < 0)
            return rc;
    }
    return 0;
}

/* Ids of the active links of a playlist. */
static int playlist_links(ms_req *r, const char *playlist_id, char (**out)[MS_ID_LEN], size_t *n)
{
    char now[MS_TIME_LEN];
    ms_now_str(now);
    db_stmt *st;
    int rc = db_query(r->db, &st, &r->err,
                      "SELECT id FROM review_link WHERE playlist_id = ? AND revoked_at IS NULL AND "
                      "(expires_at IS NULL OR expires_at >= ?)",
                      "ss", playlist_id, now);
    if (rc) return rc;
    size_t cap = 0;
    *n = 0;
    *out = NULL;
    while ((rc = db_step(st, &r->err)) == DB_ROW) {
        if (*n == cap) {
            size_t ncap = cap ? 2 * cap : 8;
            char(*v)[MS_ID_LEN] = ms_arena_alloc(r->arena, ncap * sizeof *v);
            if (!v) {
                rc = ms_req_fail(r, MS_ENOMEM, NULL, "out of memory");
                break;
            }
            if (*n) memcpy(v, *out, *n * sizeof *v);
            *out = v;
            cap = ncap;
        }
        ms_strlcpy((*out)[(*n)++], db_col_text(st, 0), MS_ID_LEN);
    }
    db_done(st);
    return rc < 0 ? rc : 0;
}

/* The version ids of a playlist, in order. */
static int playlist_versions(ms_req *r, const char *playlist_id, json_t **out)
{
    db_stmt *st;
    int rc =
        db_query(r->db, &st, &r->err,
                 "SELECT version_id FROM playlist_item WHERE playlist_id = ? ORDER BY position",
                 "s", playlist_id);
    if (rc) return rc;
    *out = json_array();
    while ((rc = db_step(st, &r->err)) == DB_ROW)
        json_array_append_new(*out, json_string(db_col_text(st, 0)));
    db_done(st);
    if (rc < 0) {
        json_decref(*out);
        *out = NULL;
        return rc;
    }
    return 0;
}

int review_links_sync_playlist(ms_req *r, const prod_scope *s, const char *playlist_id)
{
    char(*links)[MS_ID_LEN];
    size_t n;
    int rc = playlist_links(r, playlist_id, &links, &n);
    if (rc || !n) return rc;
    json_t *vids;
    if ((rc = playlist_versions(r, playlist_id, &vids))) return rc;
    for (size_t k = 0; k < n && !rc; k++) {
        link_info l;
        if ((rc = link_load(r, "l.id = ?", links[k], &l))) break;
        size_t i;
        json_t *v;
        json_array_foreach(vids, i, v)
        {
            if ((rc = link_share_add(r, s->user_id, &l, json_string_value(v)))) break;
        }
        if (rc) break;
        /* Versions taken out of the playlist: their shares are revoked. */
        db_stmt *st;
        rc = db_query(r->db, &st, &r->err,
                      "SELECT version_id FROM review_link_share WHERE link_id = ? AND version_id "
                      "NOT IN (SELECT version_id FROM playlist_item WHERE playlist_id = ?)",
                      "ss", l.id, playlist_id);
        if (rc) break;
        json_t *gone = json_array();
        while ((rc = db_step(st, &r->err)) == DB_ROW)
            json_array_append_new(gone, json_string(db_col_text(st, 0)));
        db_done(st);
        rc = rc < 0 ? rc : 0;
        json_array_foreach(gone, i, v)
        {
            if (rc || (rc = link_revoke_shares(r, s->user_id, l.id, json_string_value(v)))) break;
        }
        json_decref(gone);
    }
    json_decref(vids);
    return rc;
}

static int link_revoke(ms_req *r, const prod_scope *s, const char *link_id)
{
    char now[MS_TIME_LEN];
    ms_now_str(now);
    int rc = db_exec(r->db, &r->err,
                     "UPDATE review_link SET revoked_at = COALESCE(revoked_at, ?), version = "
                     "version + 1 WHERE id = ?",
                     "ss", now, link_id);
    if (rc < 0) return rc;
    if ((rc = link_revoke_shares(r, s->user_id, link_id, NULL))) return rc;
    return prod_event(r, s, "review_link.revoked", "review_link", link_id, NULL,
                      "review link revoked");
}

int review_links_revoke_playlist(ms_req *r, const prod_scope *s, const char *playlist_id)
{
    char(*links)[MS_ID_LEN];
    size_t n;
    int rc = playlist_links(r, playlist_id, &links, &n);
    for (size_t k = 0; k < n && !rc; k++)
        rc = link_revoke(r, s, links[k]);
    return rc;
}

/* ---- The team's side. ---- */

#define LINK_COLS                                                                                  \
    "l.id, l.project_id, l.playlist_id, l.version_id, l.expires_at, CASE WHEN l.passphrase_hash "  \
    "IS NULL THEN 0 ELSE 1 END AS has_passphrase, l.allow_notes, l.note, CASE WHEN l.revoked_at "  \
    "IS NOT NULL THEN 'revoked' WHEN l.expires_at IS NOT NULL AND l.expires_at < ? THEN "          \
    "'expired' ELSE 'active' END AS status, l.note_count, l.revoked_at, l.created_by, "            \
    "l.created_at, l.version, (SELECT COUNT(*) FROM review_link_share rs WHERE rs.link_id = "      \
    "l.id) "                                                                                       \
    "AS version_count"

static void link_finish(json_t *o)
{
    json_object_set_new(o, "allow_notes",
                        json_boolean(json_integer_value(json_object_get(o, "allow_notes"))));
}

static int link_json(ms_req *r, const char *id, json_t **out)
{
    char now[MS_TIME_LEN];
    ms_now_str(now);
    db_stmt *st;
    int rc = db_query_row(r->db, &st, &r->err,
                          "SELECT " LINK_COLS " FROM review_link l WHERE l.id = ?", "ss", now, id);
    if (rc < 0) return rc;
    if (rc == DB_DONE) return ms_req_fail(r, MS_ENOTFOUND, NULL, "No such review link.");
    *out = db_row_json(st);
    db_done(st);
    link_finish(*out);
    return 0;
}

static const ms_jfield link_fields[] = {
    {"expires_in", MS_J_INT, false, true, 60, 366LL * 86400, NULL},
    {"expires_at", MS_J_TIME, false, true, 0, 0, NULL},
    {"passphrase", MS_J_STRING, false, true, 6, 200, NULL},
    {"allow_notes", MS_J_BOOL, false, false, 0, 0, NULL},
    {"note", MS_J_TEXT, false, false, 0, 500, NULL},
    {0},
};

typedef struct link_new {
    ms_req *r;
    bool playlist; /* else one version */
    const char *target;
    const char *pass_hash;
    const char *expires_at;
    char id[MS_ID_LEN], token[64];
} link_new;

static int link_create_tx(void *arg, db_conn *c, ms_error *err)
{
    (void)c;
    (void)err; /* the request's own connection and error */
    link_new *x = arg;
    ms_req *r = x->r;
    prod_scope s;
    char tid[MS_ID_LEN];
    int rc = x->playlist ? prod_scope_of(r,
                                         "SELECT project_id FROM playlist WHERE id = ? AND "
                                         "deleted_at IS NULL",
                                         x->target, "playlist", &s)
                         : review_version_scope(r, x->target, &s, tid);
    if (rc) return rc;
    if (x->playlist && s.kind == PROD_CLIENT) { /* they see client playlists only */
        db_stmt *st;
        rc = db_query_row(r->db, &st, &r->err,
                          "SELECT 1 FROM playlist WHERE id = ? AND audience = 'client'", "s",
                          x->target);
        if (rc < 0) return rc;
        if (rc == DB_DONE) return ms_req_fail(r, MS_ENOTFOUND, NULL, "No such playlist.");
        db_done(st);
    }
    if ((rc = prod_require(r, &s, PROD_ARTIST, "make review links"))) return rc;
    link_info l;
    memset(&l, 0, sizeof l);
    ms_uuid7(x->id);
    auth_credential_new("msr_", x->token);
    ms_strlcpy(l.id, x->id, sizeof l.id);
    if (x->pass_hash) {
        ms_strlcpy(l.pass_hash, x->pass_hash, sizeof l.pass_hash);
        l.has_pass = true;
    }
    if (x->expires_at) ms_strlcpy(l.expires_at, x->expires_at, sizeof l.expires_at);
    char hash[65], now[MS_TIME_LEN];
    auth_credential_hash(r->env, "review-link", x->token, hash);
    ms_now_str(now);
    const char *note = ms_json_str(r->body, "note");
    rc = db_exec(r->db, &r->err,
                 "INSERT INTO review_link (id, project_id, playlist_id, version_id, token_hash, "
                 "passphrase_hash, allow_notes, note, expires_at, created_by, created_at) VALUES "
                 "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                 "ssssssissss", x->id, s.project_id, x->playlist ? x->target : NULL,
                 x->playlist ? NULL : x->target, hash, x->pass_hash,
                 (int)ms_json_bool(r->body, "allow_notes", true), note ? note : "", x->expires_at,
                 s.user_id, now);
    if (rc < 0) return rc;
    if (x->playlist) {
        json_t *vids;
        if ((rc = playlist_versions(r, x->target, &vids))) return rc;
        size_t i;
        json_t *v;
        json_array_foreach(vids, i, v)
        {
            if ((rc = link_share_add(r, s.user_id, &l, json_string_value(v)))) break;
        }
        json_decref(vids);
        if (rc) return rc;
    } else if ((rc = link_share_add(r, s.user_id, &l, x->target))) {
        return rc;
    }
    json_t *data = json_pack("{s:s,s:s,s:b}", x->playlist ? "playlist_id" : "version_id", x->target,
                             "expires_at", x->expires_at ? x->expires_at : "", "passphrase",
                             x->pass_hash != NULL);
    rc =
        prod_event(r, &s, "review_link.created", "review_link", x->id, data, "review link created");
    json_decref(data);
    return rc;
}

/* POST /playlists/{id}/review-links, POST /versions/{id}/review-links: the passphrase is
 * hashed (slowly, on purpose) outside any write transaction. */
static int links_create(ms_req *r, bool playlist)
{
    if (ms_json_check(r->body, link_fields, &r->err)) return r->err.code;
    link_new x;
    memset(&x, 0, sizeof x);
    x.r = r;
    x.playlist = playlist;
    x.target = ms_req_param(r, "id");
    if (!ms_uuid_valid(x.target))
        return ms_req_fail(r, MS_ENOTFOUND, NULL, "No such %s.", playlist ? "playlist" : "version");
    char exp[MS_TIME_LEN];
    const char *at = ms_json_str(r->body, "expires_at");
    json_t *in = json_object_get(r->body, "expires_in");
    if (at && json_is_integer(in))
        return ms_field_fail(&r->err, "expires_at", "give expires_at or expires_in, not both");
    if (at) {
        int64_t ms;
        ms_time_parse(at, &ms);
        if (ms <= ms_now_ms()) return ms_field_fail(&r->err, "expires_at", "must be in the future");
        ms_time_fmt(ms, exp);
        x.expires_at = exp;
    } else if (json_is_integer(in)) {
        ms_time_fmt(ms_now_ms() + json_integer_value(in) * 1000, exp);
        x.expires_at = exp;
    }
    char pass_hash[128];
    const char *pass = ms_json_str(r->body, "passphrase");
    int rc;
    if (pass) {
        if ((rc = password_hash(pass, pass_hash, &r->err))) return rc;
        x.pass_hash = pass_hash;
    }
    if ((rc = db_transact(r->db, DB_TX_WRITE, link_create_tx, &x, &r->err))) return rc;
    json_t *o = NULL;
    if ((rc = db_begin(r->db, DB_TX_READ, &r->err)) || (rc = link_json(r, x.id, &o))) return rc;
    json_object_set_new(o, "token", json_string(x.token));
    json_object_set_new(o, "url", json_string(ms_arena_printf(r->arena, "/r/%s", x.token)));
    json_object_set_new(
        o, "public_url",
        json_string(ms_arena_printf(r->arena, "%s/r/%s", r->env->config->public_url, x.token)));
    ms_reply_header(r, "Location", ms_arena_printf(r->arena, "/api/v1/review-links/%s", x.id));
    return ms_reply(r, 201, o);
}

int h_playlist_links_create(ms_req *r)
{
    return links_create(r, true);
}

int h_version_links_create(ms_req *r)
{
    return links_create(r, false);
}

/* GET /projects/{id}/review-links: artists and supervisors; newest first. */
int h_review_links_list(ms_req *r)
{
    static const char *const allowed[] = {"playlist_id", "version_id", NULL};
    int rc = ms_req_query_only(r, allowed);
    if (rc) return rc;
    prod_scope s;
    if ((rc = prod_scope_get(r, ms_req_param(r, "id"), &s)) ||
        (rc = prod_require(r, &s, PROD_ARTIST, "see review links")))
        return rc;
    char now[MS_TIME_LEN];
    ms_now_str(now);
    const char *pl = ms_req_query(r, "playlist_id"), *ver = ms_req_query(r, "version_id");
    db_stmt *st;
    rc = db_query(r->db, &st, &r->err,
                  "SELECT " LINK_COLS " FROM review_link l WHERE l.project_id = ? AND (? = '' OR "
                  "l.playlist_id = ?) AND (? = '' OR l.version_id = ?) ORDER BY l.id DESC LIMIT "
                  "1000",
                  "ssssss", now, s.project_id, pl ? pl : "", pl ? pl : "", ver ? ver : "",
                  ver ? ver : "");
    if (rc) return rc;
    json_t *items = json_array();
    while ((rc = db_step(st, &r->err)) == DB_ROW) {
        json_t *o = db_row_json(st);
        link_finish(o);
        json_array_append_new(items, o);
    }
    db_done(st);
    if (rc < 0) {
        json_decref(items);
        return rc;
    }
    return ms_reply_list(r, items, NULL);
}

/* DELETE /review-links/{id}: revokes the link and the shares of its versions. */
int h_review_link_revoke(ms_req *r)
{
    const char *id = ms_req_param(r, "id");
    prod_scope s;
    int rc =
        prod_scope_of(r, "SELECT project_id FROM review_link WHERE id = ?", id, "review link", &s);
    if (rc || (rc = prod_require(r, &s, PROD_ARTIST, "revoke review links"))) return rc;
    if ((rc = link_revoke(r, &s, id))) return rc;
    return ms_reply_empty(r);
}

/* ---- The public side. ---- */

static void access_value(const ms_env *env, const char *link_id, int64_t exp_ms, char *out,
                         size_t cap)
{
    char purpose[64], hash[65];
    snprintf(purpose, sizeof purpose, "review-access:%lld", (long long)exp_ms);
    auth_credential_hash(env, purpose, link_id, hash);
    snprintf(out, cap, "%lld.%.32s", (long long)exp_ms, hash);
}

static bool access_ok(const ms_env *env, const char *link_id, const char *value)
{
    if (!value) return false;
    const char *dot = strchr(value, '.');
    char num[32];
    int64_t exp;
    if (!dot || dot == value || (size_t)(dot - value) >= sizeof num) return false;
    memcpy(num, value, (size_t)(dot - value));
    num[dot - value] = 0;
    if (!ms_parse_int(num, &exp) || exp < ms_now_ms()) return false;
    char want[128];
    access_value(env, link_id, exp, want, sizeof want);
    return strlen(want) == strlen(value) && ms_ct_eq(want, value, strlen(want));
}

/* The link of the token in the path: 404 unknown, 410 revoked or expired. */
static int link_find(ms_req *r, link_info *l)
{
    const char *token = ms_req_param(r, "token");
    if (!token || strncmp(token, "msr_", 4) != 0 || strlen(token) > 80)
        return ms_req_fail(r, MS_ENOTFOUND, NULL, "This review link does not exist.");
    char hash[65], now[MS_TIME_LEN];
    auth_credential_hash(r->env, "review-link", token, hash);
    ms_now_str(now);
    int rc = link_load(r, "l.token_hash = ?", hash, l);
    if (rc == MS_ENOTFOUND)
        return ms_req_fail(r, MS_ENOTFOUND, NULL, "This review link does not exist.");
    if (rc) return rc;
    db_stmt *st;
    rc = db_query_row(r->db, &st, &r->err,
                      "SELECT revoked_at IS NOT NULL, expires_at IS NOT NULL AND expires_at < ? "
                      "FROM review_link WHERE id = ?",
                      "ss", now, l->id);
    if (rc < 0) return rc;
    bool revoked = db_col_int(st, 0) != 0, expired = db_col_int(st, 1) != 0;
    db_done(st);
    if (revoked)
        return ms_req_fail(r, MS_EGONE, "review-link-revoked", "This review link was revoked.");
    if (expired)
        return ms_req_fail(r, MS_EGONE, "review-link-expired", "This review link has expired.");
    return 0;
}

/* Passphrase guessing: a wrong one is counted (in its own write transaction, since the
 * request may be a read), and from the fifth on the link waits 1, 2, 4 ... 60 seconds before
 * it checks another. */
#define PASS_FREE_FAILURES 4
#define PASS_MAX_DELAY_S   60

typedef struct pass_count {
    const char *link_id;
    bool ok;
} pass_count;

static int pass_count_tx(void *arg, db_conn *c, ms_error *err)
{
    pass_count *p = arg;
    if (p->ok)
        return db_exec(c, err,
                       "UPDATE review_link SET pass_failures = 0, pass_blocked_until = NULL WHERE "
                       "id = ? AND pass_failures > 0",
                       "s", p->link_id) < 0
                   ? err->code
                   : 0;
    db_stmt *st;
    int rc = db_query_row(c, &st, err, "SELECT pass_failures FROM review_link WHERE id = ?", "s",
                          p->link_id);
    if (rc < 0) return rc;
    if (rc == DB_DONE) return 0;
    int64_t failures = db_col_int(st, 0) + 1;
    db_done(st);
    char until[MS_TIME_LEN];
    int64_t delay = 0;
    if (failures > PASS_FREE_FAILURES) {
        delay = 1;
        for (int64_t i = PASS_FREE_FAILURES + 1; i < failures && delay < PASS_MAX_DELAY_S; i++)
            delay *= 2;
        if (delay > PASS_MAX_DELAY_S) delay = PASS_MAX_DELAY_S;
    }
    ms_time_fmt(ms_now_ms() + delay * 1000, until);
    rc = db_exec(c, err,
                 "UPDATE review_link SET pass_failures = ?, pass_blocked_until = ? WHERE id = ?",
                 "Iss", failures, delay ? until : NULL, p->link_id);
    return rc < 0 ? rc : 0;
}

static int pass_record(ms_req *r, const char *link_id, bool ok)
{
    bool read = db_in_tx(r->db);
    if (read) db_commit(r->db, NULL);
    pass_count p = {link_id, ok};
    ms_error e;
    ms_error_clear(&e);
    int rc = db_transact(r->db, DB_TX_WRITE, pass_count_tx, &p, &e);
    if (rc) {
        r->err = e;
        return rc;
    }
    return read ? db_begin(r->db, DB_TX_READ, &r->err) : 0;
}

/* The passphrase (X-Passphrase) or an access value (X-Review-Access, ?access=). */
static int link_unlock(ms_req *r, const link_info *l)
{
    if (!l->has_pass) return 0;
    const char *acc = ms_req_header(r, "X-Review-Access");
    if (!acc) acc = ms_req_query(r, "access");
    if (access_ok(r->env, l->id, acc)) return 0;
    const char *p = ms_req_header(r, "X-Passphrase");
    if (!p || !*p)
        return ms_req_fail(r, MS_EUNAUTH, "passphrase-required",
                           "This review link needs its passphrase (X-Passphrase).");
    db_stmt *st;
    int rc = db_query_row(r->db, &st, &r->err,
                          "SELECT pass_failures, COALESCE(pass_blocked_until, '') FROM "
                          "review_link WHERE id = ?",
                          "s", l->id);
    if (rc < 0) return rc;
    int64_t failures = 0, until = 0;
    if (rc == DB_ROW) {
        failures = db_col_int(st, 0);
        if (*db_col_text(st, 1)) ms_time_parse(db_col_text(st, 1), &until);
        db_done(st);
    }
    int64_t now = ms_now_ms();
    if (until > now) {
        char *secs = ms_arena_printf(r->arena, "%lld", (long long)((until - now + 999) / 1000));
        ms_reply_header(r, "Retry-After", secs);
        return ms_req_fail(r, MS_ELIMIT, "passphrase-throttled",
                           "Too many wrong passphrases: wait %s seconds before trying again.",
                           secs);
    }
    if (!password_verify(l->pass_hash, p)) {
        if ((rc = pass_record(r, l->id, false))) return rc;
        return ms_req_fail(r, MS_EFORBIDDEN, "passphrase-wrong", "Wrong passphrase.");
    }
    return failures ? pass_record(r, l->id, true) : 0;
}

static void link_scope(const link_info *l, prod_scope *s)
{
    memset(s, 0, sizeof *s);
    ms_strlcpy(s->project_id, l->project_id, sizeof s->project_id);
    ms_strlcpy(s->org_id, l->org_id, sizeof s->org_id);
    ms_strlcpy(s->role, "guest", sizeof s->role);
    s->kind = PROD_VIEWER;
}

typedef struct open_event {
    ms_req *r;
    const link_info *l;
} open_event;

static int open_event_tx(void *arg, db_conn *c, ms_error *err)
{
    (void)c;
    (void)err; /* the request's own connection and error */
    open_event *o = arg;
    prod_scope s;
    link_scope(o->l, &s);
    json_t *data = json_pack("{s:s}", "ip", o->r->client_ip ? o->r->client_ip : "");
    int rc = prod_event(o->r, &s, "review_link.opened", "review_link", o->l->id, data,
                        "review link opened");
    json_decref(data);
    return rc;
}

/* Record an opening: the request runs in a read transaction; the record is its own write. */
static int open_record(ms_req *r, const link_info *l)
{
    db_commit(r->db, NULL);
    open_event o = {r, l};
    int rc = db_transact(r->db, DB_TX_WRITE, open_event_tx, &o, &r->err);
    return rc ? rc : db_begin(r->db, DB_TX_READ, &r->err);
}

/* GET /review/{token} */
int h_review_open(ms_req *r)
{
    static const char *const allowed[] = {"access", NULL};
    r->caller = NULL; /* whoever opens it, it is a guest's view */
    link_info l;
    int rc = ms_req_query_only(r, allowed);
    if (rc || (rc = link_find(r, &l)) || (rc = link_unlock(r, &l)) || (rc = open_record(r, &l)))
        return rc;
    char access[160] = "";
    if (l.has_pass) access_value(r->env, l.id, ms_now_ms() + ACCESS_TTL_MS, access, sizeof access);
    /* The versions: the playlist's order, or the one version. */
    db_stmt *st;
    if (l.playlist_id[0])
        rc = db_query(r->db, &st, &r->err,
                      "SELECT rs.version_id, rs.share_id, rs.token_sealed FROM review_link_share "
                      "rs JOIN playlist_item pi ON pi.playlist_id = ? AND pi.version_id = "
                      "rs.version_id JOIN review_version v ON v.id = rs.version_id JOIN task t ON "
                      "t.id = v.task_id WHERE rs.link_id = ? ORDER BY pi.position",
                      "ss", l.playlist_id, l.id);
    else
        rc = db_query(r->db, &st, &r->err,
                      "SELECT rs.version_id, rs.share_id, rs.token_sealed FROM review_link_share "
                      "rs JOIN review_version v ON v.id = rs.version_id JOIN task t ON t.id = "
                      "v.task_id WHERE rs.link_id = ?",
                      "s", l.id);
    if (rc) return rc;
    json_t *rows = json_array();
    while ((rc = db_step(st, &r->err)) == DB_ROW)
        json_array_append_new(
            rows, json_pack("[s,s,s]", db_col_text(st, 0), db_col_text(st, 1), db_col_text(st, 2)));
    db_done(st);
    json_t *items = json_array();
    json_t *out = json_object();
    json_object_set_new(out, "items", items);
    size_t i;
    json_t *row;
    json_array_foreach(rows, i, row)
    {
        if (rc < 0) break;
        const char *vid = json_string_value(json_array_get(row, 0));
        const char *sid = json_string_value(json_array_get(row, 1));
        char *token = NULL;
        if ((rc = ms_unseal(r->env->secret, SEAL_PURPOSE, json_string_value(json_array_get(row, 2)),
                            &token, NULL, &r->err)))
            break;
        char sacc[160] = "";
        if (l.has_pass) assets_share_access(r->env, sid, sacc, sizeof sacc);
        json_t *v = NULL, *notes = NULL;
        review_timing t;
        rc = review_version_json(r, vid, token, l.has_pass ? sacc : NULL, &v, &t);
        free(token);
        if (rc || (rc = review_notes_json(r, vid, l.id, &t, &notes))) {
            json_decref(v);
            break;
        }
        json_t *it = json_object();
        static const char *const keep[] = {
            "number", "entity_name",   "parent_name",    "task_type_name",
            "fps",    "frame_count",   "start_timecode", "media",
            "text",   "review_status", "filmstrip_meta", NULL};
        json_object_set_new(it, "version_id", json_string(vid));
        for (int k = 0; keep[k]; k++)
            json_object_set(it, keep[k], json_object_get(v, keep[k]));
        json_object_del(json_object_get(it, "media"), "waveform");
        json_object_set_new(it, "notes", notes);
        json_array_append_new(items, it);
        json_decref(v);
    }
    json_decref(rows);
    if (rc < 0) {
        json_decref(out);
        return rc;
    }
    /* The name: the playlist's, or "<entity> <task type> v<n>". */
    const char *name = "";
    if (l.playlist_id[0]) {
        rc = db_query_row(r->db, &st, &r->err, "SELECT name FROM playlist WHERE id = ?", "s",
                          l.playlist_id);
        if (rc == DB_ROW) {
            name = ms_arena_strdup(r->arena, db_col_text(st, 0));
            db_done(st);
        }
    } else if (json_array_size(items)) {
        json_t *it = json_array_get(items, 0);
        name = ms_arena_printf(r->arena, "%s %s v%lld",
                               json_string_value(json_object_get(it, "entity_name")),
                               json_string_value(json_object_get(it, "task_type_name")),
                               (long long)json_integer_value(json_object_get(it, "number")));
    }
    if (rc < 0) {
        json_decref(out);
        return rc;
    }
    json_object_set_new(out, "name", json_string(name));
    json_object_set_new(out, "note", json_string(l.note));
    json_object_set_new(out, "allow_notes",
                        json_boolean(l.allow_notes && l.note_count < NOTES_MAX));
    json_object_set_new(out, "expires_at",
                        l.expires_at[0] ? json_string(l.expires_at) : json_null());
    json_object_set_new(out, "access", access[0] ? json_string(access) : json_null());
    return ms_reply(r, 200, out);
}

static const ms_jfield guest_note_fields[] = {
    {"version_id", MS_J_ID, true, false, 0, 0, NULL},
    {"frame", MS_J_INT, false, false, 0, 100000000, NULL},
    {"timecode", MS_J_STRING, false, false, 1, 40, NULL},
    {"frame_out", MS_J_INT, false, true, 0, 100000000, NULL},
    {"text", MS_J_TEXT, false, false, 0, 5000, NULL},
    {"annotations", MS_J_ARRAY, false, false, 0, 200, NULL},
    {"name", MS_J_STRING, true, false, 0, 200, NULL},
    {0},
};

typedef struct guest_note {
    ms_req *r;
    const char *name;
    char id[MS_ID_LEN];
    review_timing t;
} guest_note;

static int guest_note_tx(void *arg, db_conn *c, ms_error *err)
{
    (void)c;
    (void)err;
    guest_note *g = arg;
    ms_req *r = g->r;
    link_info l;
    int rc = link_find(r, &l); /* again: it may have been revoked meanwhile */
    if (rc) return rc;
    if (!l.allow_notes)
        return ms_req_fail(r, MS_EFORBIDDEN, "notes-not-allowed",
                           "This review link is for watching only.");
    if (l.note_count >= NOTES_MAX)
        return ms_req_fail(r, MS_ELIMIT, "too-many-notes",
                           "This review link has taken its %d notes.", NOTES_MAX);
    const char *vid = ms_json_str(r->body, "version_id");
    db_stmt *st;
    rc = db_query_row(r->db, &st, &r->err,
                      l.playlist_id[0]
                          ? "SELECT 1 FROM review_link_share rs JOIN playlist_item pi ON "
                            "pi.version_id = rs.version_id AND pi.playlist_id = ? WHERE "
                            "rs.link_id = ? AND rs.version_id = ?"
                          : "SELECT 1 FROM review_link_share rs WHERE ? <> '' AND rs.link_id = ? "
                            "AND rs.version_id = ?",
                      "sss", l.playlist_id[0] ? l.playlist_id : "-", l.id, vid);
    if (rc < 0) return rc;
    if (rc == DB_DONE)
        return ms_field_fail(&r->err, "version_id", "is not a version of this review link");
    db_done(st);
    prod_scope s;
    link_scope(&l, &s);
    if ((rc = review_note_insert(r, &s, vid, r->body, g->name, l.id, g->id, &g->t))) return rc;
    rc = db_exec(r->db, &r->err, "UPDATE review_link SET note_count = note_count + 1 WHERE id = ?",
                 "s", l.id);
    return rc < 0 ? rc : 0;
}

/* POST /review/{token}/notes: the passphrase is checked (slowly) before the write. */
int h_review_note_create(ms_req *r)
{
    if (ms_json_check(r->body, guest_note_fields, &r->err)) return r->err.code;
    r->caller = NULL;
    /* The name, trimmed: 1 to 80 characters. */
    const char *raw = ms_json_str(r->body, "name");
    while (*raw == ' ' || *raw == '\t')
        raw++;
    char *name = ms_arena_strdup(r->arena, raw);
    size_t len = strlen(name);
    while (len && (name[len - 1] == ' ' || name[len - 1] == '\t'))
        name[--len] = 0;
    if (!len || ms_utf8_chars(name) > 80)
        return ms_field_fail(&r->err, "name", "say who you are: 1 to 80 characters");
    link_info l;
    int rc = db_begin(r->db, DB_TX_READ, &r->err);
    if (rc || (rc = link_find(r, &l)) || (rc = link_unlock(r, &l))) return rc;
    db_commit(r->db, NULL);
    guest_note g;
    memset(&g, 0, sizeof g);
    g.r = r;
    g.name = name;
    if ((rc = db_transact(r->db, DB_TX_WRITE, guest_note_tx, &g, &r->err))) return rc;
    json_t *o = NULL;
    if ((rc = db_begin(r->db, DB_TX_READ, &r->err)) || (rc = review_note_json(r, g.id, &g.t, &o)))
        return rc;
    return ms_reply(r, 201, o);
}
