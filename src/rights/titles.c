/* titles.c: the catalogue - titles (features, series with seasons and episodes, micro dramas,
 * shorts, documentaries, formats) with localized titles and synopses, ids (EIDR checked to its
 * check character) and links to artwork and screeners in the asset library. An organization's
 * catalogue is what it owns plus the titles it holds rights in on (acquired through a deal):
 * those it sees and licenses, but only the owner changes their metadata. Not here: rights
 * (rights_in.c), deals (deals.c). */
#include "rights/rights_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const title_kinds[] = {"feature",     "series",      "season",
                                          "episode",     "micro_drama", "short",
                                          "documentary", "format",      NULL};

#define TITLE_COLS                                                                                 \
    "t.id, t.org_id, t.parent_id, t.kind, t.title, t.synopsis, t.localizations AS "                \
    "localizations_json, t.original_language, t.country_of_origin, t.year, t.runtime_min, "        \
    "t.season_number, t.episode_number, t.genres AS genres_json, t.eidr, t.other_ids AS "          \
    "other_ids_json, t.artwork_asset_id, t.screener_asset_id, t.created_at, t.updated_at, "        \
    "t.version"

/* Which titles organization ? (bound twice) has in its catalogue. */
#define CATALOGUE_OF                                                                               \
    "(t.org_id = ? OR EXISTS (SELECT 1 FROM rights_in ri WHERE ri.title_id = t.id AND "            \
    "ri.org_id = ? AND ri.deleted_at IS NULL))"

int rights_title_scope(ms_req *r, const char *title_id, rights_org *o, bool *owned)
{
    if (!ms_uuid_valid(title_id)) return ms_req_fail(r, MS_ENOTFOUND, NULL, "No such title.");
    db_stmt *st;
    int rc = db_query_row(r->db, &st, &r->err,
                          "SELECT org_id FROM rights_title WHERE id = ? AND deleted_at IS NULL",
                          "s", title_id);
    if (rc < 0) return rc;
    if (rc == DB_DONE) return ms_req_fail(r, MS_ENOTFOUND, NULL, "No such title.");
    char owner[MS_ID_LEN];
    ms_strlcpy(owner, db_col_text(st, 0), sizeof owner);
    db_done(st);
    /* ?org= picks which of the caller's organizations acts; by default the owner when the
     * caller is one of its members, else the first organization holding rights in on it. */
    const char *want = ms_req_query(r, "org");
    if (!want || !strcmp(want, owner)) {
        rc = rights_org_get(r, owner, o);
        if (!rc) {
            if (owned) *owned = true;
            return 0;
        }
        if (rc != MS_ENOTFOUND) return rc;
        ms_error_clear(&r->err);
    }
    rc = db_query_row(r->db, &st, &r->err,
                      "SELECT ri.org_id FROM rights_in ri JOIN membership m ON m.org_id = "
                      "ri.org_id AND m.user_id = ? WHERE ri.title_id = ? AND ri.deleted_at IS "
                      "NULL AND (CAST(? AS TEXT) IS NULL OR ri.org_id = ?) ORDER BY ri.org_id "
                      "LIMIT 1",
                      "ssss", r->caller ? r->caller->user_id : "", title_id, want, want);
    if (rc < 0) return rc;
    if (rc == DB_DONE) return ms_req_fail(r, MS_ENOTFOUND, NULL, "No such title.");
    char org[MS_ID_LEN];
    ms_strlcpy(org, db_col_text(st, 0), sizeof org);
    db_done(st);
    if (owned) *owned = false;
    return rights_org_get(r, org, o);
}

/* ---- Checking a title. ---- */

static const ms_jfield title_fields[] = {
    {"kind", MS_J_ENUM, true, false, 0, 0, title_kinds},
    {"title", MS_J_STRING, true, false, 1, 500, NULL},
    {"parent_id", MS_J_ID, false, true, 0, 0, NULL},
    {"synopsis", MS_J_TEXT, false, true, 0, 10000, NULL},
    {"localizations", MS_J_ARRAY, false, true, 0, 100, NULL},
    {"original_language", MS_J_STRING, false, true, 1, 35, NULL},
    {"country_of_origin", MS_J_STRING, false, true, 2, 2, NULL},
    {"year", MS_J_INT, false, true, 1870, 2200, NULL},
    {"runtime_min", MS_J_INT, false, true, 1, 100000, NULL},
    {"season_number", MS_J_INT, false, true, 0, 100000, NULL},
    {"episode_number", MS_J_INT, false, true, 0, 100000, NULL},
    {"genres", MS_J_ARRAY, false, true, 0, 20, NULL},
    {"eidr", MS_J_STRING, false, true, 1, 40, NULL},
    {"other_ids", MS_J_OBJECT, false, true, 0, 20, NULL},
    {"artwork_asset_id", MS_J_ID, false, true, 0, 0, NULL},
    {"screener_asset_id", MS_J_ID, false, true, 0, 0, NULL},
    {NULL, 0, false, false, 0, 0, NULL},
};

/* The same fields, none required (PATCH). */
static ms_jfield title_update_fields[sizeof title_fields / sizeof title_fields[0]];

static const ms_jfield *update_fields(void)
{
    if (!title_update_fields[0].name) {
        memcpy(title_update_fields, title_fields, sizeof title_fields);
        for (size_t i = 0; title_update_fields[i].name; i++)
            title_update_fields[i].required = false;
    }
    return title_update_fields;
}

/* A parent must be a title of the same catalogue that can hold this kind. */
static int check_parent(ms_req *r, const char *org_id, const char *self_id, const char *kind,
                        const char *parent_id)
{
    if (!parent_id) {
        if (!strcmp(kind, "season"))
            return ms_field_fail(&r->err, "parent_id", "a season belongs to a series");
        return 0;
    }
    if (self_id && !strcmp(self_id, parent_id))
        return ms_field_fail(&r->err, "parent_id", "a title cannot be its own parent");
    db_stmt *st;
    int rc = db_query_row(r->db, &st, &r->err,
                          "SELECT kind FROM rights_title WHERE id = ? AND org_id = ? AND "
                          "deleted_at IS NULL",
                          "ss", parent_id, org_id);
    if (rc < 0) return rc;
    if (rc == DB_DONE)
        return ms_field_fail(&r->err, "parent_id", "is not a title of this catalogue");
    char pk[24];
    ms_strlcpy(pk, db_col_text(st, 0), sizeof pk);
    db_done(st);
    bool series = !strcmp(pk, "series") || !strcmp(pk, "micro_drama");
    bool ok = (!strcmp(kind, "season") && series) ||
              (!strcmp(kind, "episode") && (series || !strcmp(pk, "season")));
    if (!ok)
        return ms_field_fail(&r->err, "parent_id",
                             "a %s cannot be under a %s (seasons go under series, episodes "
                             "under seasons or series)",
                             kind, pk);
    return 0;
}

/* An asset the caller can see in the asset library. */
static int check_asset(ms_req *r, const char *field, const char *asset_id)
{
    if (!asset_id) return 0;
    char project[MS_ID_LEN];
    int rc = assets_project_of(r->db, asset_id, project, &r->err);
    if (rc == MS_ENOTFOUND) {
        ms_error_clear(&r->err);
        return ms_field_fail(&r->err, field, "is not an asset you can see");
    }
    if (rc) return rc;
    ms_access a;
    rc = authz_project(r->db, r->caller, project, &a, &r->err);
    if (rc == MS_ENOTFOUND) {
        ms_error_clear(&r->err);
        return ms_field_fail(&r->err, field, "is not an asset you can see");
    }
    return rc;
}

/* Check a whole title (after a PATCH merged into it) and write canonical forms back. */
static int title_check(ms_req *r, json_t *t, const char *org_id, const char *self_id)
{
    const char *kind = ms_json_str(t, "kind");
    int rc = check_parent(r, org_id, self_id, kind, ms_json_str(t, "parent_id"));
    if (rc && r->err.code != MS_EINVAL) return rc;
    char buf[64];
    const char *lang = ms_json_str(t, "original_language");
    if (lang) {
        if (dims_lang_canonical(lang, buf, sizeof buf))
            json_object_set_new(t, "original_language", json_string(buf));
        else
            ms_field_fail(&r->err, "original_language", "must be a BCP 47 language tag");
    }
    const char *country = ms_json_str(t, "country_of_origin");
    if (country) {
        int i = dims_terr_index(country);
        if (i < 0)
            ms_field_fail(&r->err, "country_of_origin", "must be an ISO 3166-1 alpha-2 code");
        else
            json_object_set_new(t, "country_of_origin", json_string(dims_terr_code(i)));
    }
    const char *eidr = ms_json_str(t, "eidr");
    if (eidr) {
        if (dims_eidr_valid(eidr, buf, sizeof buf))
            json_object_set_new(t, "eidr", json_string(buf));
        else
            ms_field_fail(&r->err, "eidr",
                          "must be an EIDR id 10.5240/XXXX-XXXX-XXXX-XXXX-XXXX-C with its "
                          "check character");
    }
    json_t *loc = json_object_get(t, "localizations");
    size_t i;
    json_t *v;
    json_array_foreach(loc, i, v)
    {
        char f[64];
        snprintf(f, sizeof f, "localizations/%zu", i);
        const char *l = ms_json_str(v, "language"), *lt = ms_json_str(v, "title");
        const char *ls = ms_json_str(v, "synopsis");
        if (!json_is_object(v) || json_object_size(v) > 3 || !l ||
            !dims_lang_canonical(l, buf, sizeof buf)) {
            ms_field_fail(&r->err, f,
                          "must be {\"language\": BCP 47 tag, \"title\", \"synopsis\"}");
            continue;
        }
        json_object_set_new(v, "language", json_string(buf));
        if ((json_object_get(v, "title") && (!lt || !ms_str_is_clean_text(lt, 500, false))) ||
            (json_object_get(v, "synopsis") && (!ls || !ms_str_is_clean_text(ls, 10000, true))))
            ms_field_fail(&r->err, f,
                          "title (one line, at most 500) and synopsis (at most "
                          "10000) must be text");
        for (size_t k = 0; k < i; k++)
            if (!strcmp(rights_or(ms_json_str(json_array_get(loc, k), "language"), ""), buf))
                ms_field_fail(&r->err, f, "language %s is given twice", buf);
    }
    json_array_foreach(json_object_get(t, "genres"), i, v)
    {
        const char *g = json_string_value(v);
        if (!g || !*g || !ms_str_is_clean_text(g, 60, false)) {
            char f[32];
            snprintf(f, sizeof f, "genres/%zu", i);
            ms_field_fail(&r->err, f, "must be a genre name of at most 60 characters");
        }
    }
    const char *key;
    json_object_foreach(json_object_get(t, "other_ids"), key, v)
    {
        const char *s = json_string_value(v);
        if (!ms_slug_valid(key, 32) || !s || !*s || !ms_str_is_clean_text(s, 100, false))
            ms_field_fail(&r->err, "other_ids",
                          "must map id schemes (slugs like \"imdb\") to ids (text)");
    }
    if (r->err.code) return r->err.code;
    if ((rc = check_asset(r, "artwork_asset_id", ms_json_str(t, "artwork_asset_id"))) ||
        (rc = check_asset(r, "screener_asset_id", ms_json_str(t, "screener_asset_id"))))
        return rc;
    return 0;
}

static char *dump_or(ms_req *r, const json_t *v, const char *def)
{
    if (!v || json_is_null(v)) return (char *)def;
    char *s = json_dumps(v, JSON_COMPACT);
    char *out = ms_arena_strdup(r->arena, s ? s : def);
    free(s);
    return out;
}

static const char *int_text(ms_req *r, const json_t *t, const char *key)
{
    json_t *v = json_object_get(t, key);
    return json_is_integer(v) ? ms_arena_printf(r->arena, "%lld", (long long)json_integer_value(v))
                              : NULL;
}

static int title_reply(ms_req *r, int status, const char *id, bool children)
{
    db_stmt *st;
    int rc = db_query_row(r->db, &st, &r->err,
                          "SELECT " TITLE_COLS " FROM rights_title t WHERE t.id = ?", "s", id);
    if (rc < 0) return rc;
    if (rc == DB_DONE) return ms_req_fail(r, MS_ENOTFOUND, NULL, "No such title.");
    json_t *o = db_row_json(st);
    db_done(st);
    if (children) {
        json_t *kids = json_array();
        json_object_set_new(o, "children", kids);
        if ((rc = rights_rows_json(r, kids,
                                   "SELECT id, kind, title, season_number, episode_number FROM "
                                   "rights_title WHERE parent_id = ? AND deleted_at IS NULL ORDER "
                                   "BY season_number, episode_number, title, id",
                                   id, NULL, NULL))) {
            json_decref(o);
            return rc;
        }
    }
    ms_reply_etag(r, json_integer_value(json_object_get(o, "version")));
    return ms_reply(r, status, o);
}

static int unique_fail(ms_req *r)
{
    if (r->err.code == MS_ECONFLICT || strstr(r->err.detail, "UNIQUE") ||
        strstr(r->err.detail, "unique")) {
        ms_error_clear(&r->err);
        return ms_req_fail(r, MS_ECONFLICT, "eidr-taken",
                           "Another title of this catalogue has this EIDR id.");
    }
    return r->err.code;
}

/* POST /orgs/{id}/titles */
int h_titles_create(ms_req *r)
{
    if (ms_json_check(r->body, title_fields, &r->err)) return r->err.code;
    rights_org o;
    int rc = rights_org_get(r, ms_req_param(r, "id"), &o);
    if (rc || (rc = rights_require(r, &o, LEVEL_EDIT, "add titles"))) return rc;
    json_t *t = r->body;
    if ((rc = title_check(r, t, o.org_id, NULL))) return rc;
    char id[MS_ID_LEN], now[MS_TIME_LEN];
    ms_uuid7(id);
    ms_now_str(now);
    rc = db_exec(
        r->db, &r->err,
        "INSERT INTO rights_title (id, org_id, parent_id, kind, title, synopsis, localizations, "
        "original_language, country_of_origin, year, runtime_min, season_number, episode_number, "
        "genres, eidr, other_ids, artwork_asset_id, screener_asset_id, created_by, created_at, "
        "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, CAST(? AS INTEGER), CAST(? AS INTEGER), "
        "CAST(? AS INTEGER), CAST(? AS INTEGER), ?, ?, ?, ?, ?, ?, ?, ?)",
        "sssssssssssssssssssss", id, o.org_id, ms_json_str(t, "parent_id"), ms_json_str(t, "kind"),
        ms_json_str(t, "title"), rights_or(ms_json_str(t, "synopsis"), ""),
        dump_or(r, json_object_get(t, "localizations"), "[]"), ms_json_str(t, "original_language"),
        ms_json_str(t, "country_of_origin"), int_text(r, t, "year"), int_text(r, t, "runtime_min"),
        int_text(r, t, "season_number"), int_text(r, t, "episode_number"),
        dump_or(r, json_object_get(t, "genres"), "[]"), ms_json_str(t, "eidr"),
        dump_or(r, json_object_get(t, "other_ids"), "{}"), ms_json_str(t, "artwork_asset_id"),
        ms_json_str(t, "screener_asset_id"), o.user_id, now, now);
    if (rc < 0) return unique_fail(r);
    if ((rc = rights_title_changed(r, o.org_id, id)) ||
        (rc = rights_event(r, &o, "title.created", "title", id, NULL, "%s added to the catalogue",
                           ms_json_str(t, "title"))))
        return rc;
    char *loc = ms_arena_printf(r->arena, "/api/v1/titles/%s", id);
    ms_reply_header(r, "Location", loc);
    return title_reply(r, 201, id, false);
}

static void owned_field(ms_req *r, json_t *item)
{
    (void)r;
    json_object_set(item, "owned", json_object_get(item, "is_owned"));
    json_object_del(item, "is_owned");
}

/* GET /orgs/{id}/titles?q=&kind=&genre=&year=&parent_id= */
int h_titles_list(ms_req *r)
{
    static const char *const allowed[] = {"limit", "cursor",    "q",   "kind", "genre",
                                          "year",  "parent_id", "top", NULL};
    int limit;
    char cursor[MS_ID_LEN + 1];
    int rc = ms_req_query_only(r, allowed);
    if (rc || (rc = ms_req_page(r, &limit, cursor, sizeof cursor))) return rc;
    rights_org o;
    if ((rc = rights_org_get(r, ms_req_param(r, "id"), &o))) return rc;
    ms_buf sql;
    ms_buf_init(&sql);
    db_arg args[12];
    int n = 0;
    ms_buf_puts(&sql, "SELECT " TITLE_COLS ", CASE WHEN t.org_id = ? THEN 1 ELSE 0 END AS "
                      "is_owned FROM rights_title t WHERE t.deleted_at IS NULL AND " CATALOGUE_OF
                      " AND t.id > ?");
    args[n++] = DB_ARG_S(o.org_id);
    args[n++] = DB_ARG_S(o.org_id);
    args[n++] = DB_ARG_S(o.org_id);
    args[n++] = DB_ARG_S(cursor);
    const char *q = ms_req_query(r, "q"), *kind = ms_req_query(r, "kind");
    const char *genre = ms_req_query(r, "genre"), *parent = ms_req_query(r, "parent_id");
    if (q && *q) {
        if (strlen(q) > 200) {
            ms_buf_free(&sql);
            return ms_field_fail(&r->err, "q", "is too long (at most 200 bytes)");
        }
        ms_buf_puts(&sql, " AND (LOWER(t.title) LIKE ? ESCAPE '\\' OR LOWER(t.localizations) "
                          "LIKE ? ESCAPE '\\' OR LOWER(COALESCE(t.eidr, '')) LIKE ? ESCAPE '\\')");
        char *pat = db_like_pattern(r->arena, q);
        args[n++] = DB_ARG_S(pat);
        args[n++] = DB_ARG_S(pat);
        args[n++] = DB_ARG_S(pat);
    }
    if (kind) {
        bool ok = false;
        for (int i = 0; title_kinds[i]; i++)
            ok |= !strcmp(title_kinds[i], kind);
        if (!ok) {
            ms_buf_free(&sql);
            return ms_field_fail(&r->err, "kind", "must be one of the title kinds");
        }
        ms_buf_puts(&sql, " AND t.kind = ?");
        args[n++] = DB_ARG_S(kind);
    }
    if (genre && *genre) {
        json_t *g = json_string(genre);
        char *quoted = g ? json_dumps(g, JSON_ENCODE_ANY) : NULL;
        json_decref(g);
        ms_buf_puts(&sql, " AND LOWER(t.genres) LIKE ? ESCAPE '\\'");
        args[n++] = DB_ARG_S(db_like_pattern(r->arena, quoted ? quoted : genre));
        free(quoted);
    }
    if (ms_req_query(r, "year")) {
        int64_t year;
        if ((rc = ms_req_query_int(r, "year", 0, 1870, 2200, &year))) {
            ms_buf_free(&sql);
            return rc;
        }
        ms_buf_puts(&sql, " AND t.year = ?");
        args[n++] = DB_ARG_I(year);
    }
    if (parent) {
        ms_buf_puts(&sql, " AND t.parent_id = ?");
        args[n++] = DB_ARG_S(parent);
    } else if (ms_str_eq(ms_req_query(r, "top"), "true")) {
        ms_buf_puts(&sql, " AND t.parent_id IS NULL");
    }
    ms_buf_printf(&sql, " ORDER BY t.id LIMIT %d", limit + 1);
    db_stmt *st;
    rc = db_query_buf(r->db, &st, &r->err, &sql, args, n);
    return rc ? rc : auth_reply_page(r, st, limit, "id", owned_field);
}

/* GET /titles/{id} */
int h_title_get(ms_req *r)
{
    rights_org o;
    bool owned;
    int rc = rights_title_scope(r, ms_req_param(r, "id"), &o, &owned);
    if (rc || (rc = title_reply(r, 200, ms_req_param(r, "id"), true))) return rc;
    json_object_set_new(r->json, "owned", json_boolean(owned));
    json_object_set_new(r->json, "acting_org_id", json_string(o.org_id));
    json_object_set_new(r->json, "acting_level", json_string(ms_level_name(o.level)));
    return 0;
}

static int owner_scope(ms_req *r, const char *id, rights_org *o, const char *doing)
{
    bool owned;
    int rc = rights_title_scope(r, id, o, &owned);
    if (rc) return rc;
    if (!owned)
        return ms_req_fail(r, MS_EFORBIDDEN, "not-owner",
                           "Only the organization that owns this title may %s.", doing);
    return rights_require(r, o, LEVEL_EDIT, doing);
}

/* PATCH /titles/{id} */
int h_title_update(ms_req *r)
{
    if (ms_json_check(r->body, update_fields(), &r->err)) return r->err.code;
    const char *id = ms_req_param(r, "id");
    rights_org o;
    int rc = owner_scope(r, id, &o, "change its metadata");
    if (rc) return rc;
    db_stmt *st;
    rc = db_query_row(r->db, &st, &r->err,
                      "SELECT " TITLE_COLS " FROM rights_title t WHERE t.id = ?", "s", id);
    if (rc < 0) return rc;
    json_t *t = db_row_json(st);
    db_done(st);
    int64_t ver = json_integer_value(json_object_get(t, "version"));
    if ((rc = ms_req_check_version(r, ver))) goto out;
    const char *key;
    json_t *v;
    json_object_foreach(r->body, key, v) json_object_set(t, key, v);
    if ((rc = title_check(r, t, o.org_id, id))) goto out;
    if (ms_json_str(t, "parent_id")) {
        /* No cycles: the new parent must not be under this title. */
        char cur[MS_ID_LEN];
        ms_strlcpy(cur, ms_json_str(t, "parent_id"), sizeof cur);
        for (int depth = 0; depth < 8 && cur[0]; depth++) {
            if (!strcmp(cur, id)) {
                rc = ms_field_fail(&r->err, "parent_id", "would make a loop");
                goto out;
            }
            rc = db_query_row(r->db, &st, &r->err,
                              "SELECT parent_id FROM rights_title WHERE id = ?", "s", cur);
            if (rc < 0) goto out;
            cur[0] = 0;
            if (rc == DB_ROW) {
                if (!db_col_null(st, 0)) ms_strlcpy(cur, db_col_text(st, 0), sizeof cur);
                db_done(st);
            }
            rc = 0;
        }
    }
    char now[MS_TIME_LEN];
    ms_now_str(now);
    rc = db_exec(
        r->db, &r->err,
        "UPDATE rights_title SET parent_id = ?, kind = ?, title = ?, synopsis = ?, localizations "
        "= ?, original_language = ?, country_of_origin = ?, year = CAST(? AS INTEGER), "
        "runtime_min = CAST(? AS INTEGER), season_number = CAST(? AS INTEGER), episode_number = "
        "CAST(? AS INTEGER), genres = ?, eidr = ?, other_ids = ?, artwork_asset_id = ?, "
        "screener_asset_id = ?, updated_at = ?, version = version + 1 WHERE id = ?",
        "ssssssssssssssssss", ms_json_str(t, "parent_id"), ms_json_str(t, "kind"),
        ms_json_str(t, "title"), rights_or(ms_json_str(t, "synopsis"), ""),
        dump_or(r, json_object_get(t, "localizations"), "[]"), ms_json_str(t, "original_language"),
        ms_json_str(t, "country_of_origin"), int_text(r, t, "year"), int_text(r, t, "runtime_min"),
        int_text(r, t, "season_number"), int_text(r, t, "episode_number"),
        dump_or(r, json_object_get(t, "genres"), "[]"), ms_json_str(t, "eidr"),
        dump_or(r, json_object_get(t, "other_ids"), "{}"), ms_json_str(t, "artwork_asset_id"),
        ms_json_str(t, "screener_asset_id"), now, id);
    if (rc < 0) {
        rc = unique_fail(r);
        goto out;
    }
    if ((rc = rights_title_changed(r, o.org_id, id)) ||
        (rc = rights_event(r, &o, "title.updated", "title", id, NULL, "%s changed",
                           ms_json_str(t, "title"))))
        goto out;
    rc = title_reply(r, 200, id, false);
out:
    json_decref(t);
    return rc;
}

/* DELETE /titles/{id}: only a title no deal, right or child holds on to. */
int h_title_delete(ms_req *r)
{
    const char *id = ms_req_param(r, "id");
    rights_org o;
    int rc = owner_scope(r, id, &o, "delete it");
    if (rc) return rc;
    db_stmt *st;
    rc = db_query_row(r->db, &st, &r->err,
                      "SELECT version, title, (SELECT COUNT(*) FROM rights_deal_right dr JOIN "
                      "rights_deal d ON d.id = dr.deal_id WHERE dr.title_id = t.id AND "
                      "d.deleted_at IS NULL), (SELECT COUNT(*) FROM rights_title c WHERE "
                      "c.parent_id = t.id AND c.deleted_at IS NULL), (SELECT COUNT(*) FROM "
                      "rights_in ri WHERE ri.title_id = t.id AND ri.org_id <> t.org_id AND "
                      "ri.deleted_at IS NULL) FROM rights_title t WHERE t.id = ?",
                      "s", id);
    if (rc < 0) return rc;
    int64_t ver = db_col_int(st, 0), deals = db_col_int(st, 2), kids = db_col_int(st, 3),
            others = db_col_int(st, 4);
    char *name = ms_arena_strdup(r->arena, db_col_text(st, 1));
    db_done(st);
    if ((rc = ms_req_check_version(r, ver))) return rc;
    if (deals || kids || others)
        return ms_req_fail(r, MS_ECONFLICT, "title-in-use",
                           "This title has %lld deal rights, %lld seasons or episodes and %lld "
                           "other organizations' rights on it; remove those first.",
                           (long long)deals, (long long)kids, (long long)others);
    char now[MS_TIME_LEN];
    ms_now_str(now);
    if ((rc = db_exec(r->db, &r->err,
                      "UPDATE rights_title SET deleted_at = ?, version = version + 1 WHERE id = ?",
                      "ss", now, id)) < 0 ||
        (rc = db_exec(r->db, &r->err,
                      "UPDATE rights_in SET deleted_at = ? WHERE title_id = ? AND deleted_at IS "
                      "NULL",
                      "ss", now, id)) < 0 ||
        (rc = db_exec(r->db, &r->err,
                      "UPDATE rights_holdback SET deleted_at = ? WHERE title_id = ? AND "
                      "deleted_at IS NULL",
                      "ss", now, id)) < 0)
        return rc;
    if ((rc = rights_title_changed(r, o.org_id, id)) ||
        (rc = rights_event(r, &o, "title.deleted", "title", id, NULL, "%s removed", name)))
        return rc;
    return ms_reply_empty(r);
}
