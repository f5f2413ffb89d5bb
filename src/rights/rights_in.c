/* rights_in.c: what an organization controls of a title (its own production, or acquired
 * with a contract reference and an expiry), the holdbacks it must respect, its own media, and
 * the territory table for clients. Rights in bound every avail; acquired rights that came
 * with a deal on this platform are the licensor's to change, so they are read-only here. */
#include "rights/rights_internal.h"

#include <string.h>

static const char *const sources[] = {"own_production", "acquired", NULL};

#define RIGHTS_IN_COLS                                                                             \
    "id, title_id, source, licensor, contract_ref, deal_id, territories AS territories_json, "     \
    "media AS media_json, languages AS languages_json, start_date AS start, end_date AS "          \
    "\"end\", exclusivity, runs, notes, created_at, updated_at, version"

static int rights_in_reply(ms_req *r, int status, const char *id)
{
    db_stmt *st;
    int rc = db_query_row(r->db, &st, &r->err,
                          "SELECT " RIGHTS_IN_COLS " FROM rights_in WHERE id = ?", "s", id);
    if (rc < 0) return rc;
    if (rc == DB_DONE) return ms_req_fail(r, MS_ENOTFOUND, NULL, "No such right.");
    json_t *o = db_row_json(st);
    db_done(st);
    ms_reply_etag(r, json_integer_value(json_object_get(o, "version")));
    return ms_reply(r, status, o);
}

/* The text fields of a right in: source (required on create), licensor, contract_ref. */
static int check_texts(ms_req *r, const json_t *b, bool create)
{
    const char *source = ms_json_str(b, "source");
    bool ok = !source && !create;
    for (int i = 0; source && sources[i]; i++)
        ok |= !strcmp(sources[i], source);
    if (!ok) ms_field_fail(&r->err, "source", "must be own_production or acquired");
    const char *keys[] = {"licensor", "contract_ref"};
    for (int i = 0; i < 2; i++) {
        json_t *v = json_object_get(b, keys[i]);
        if (v && !json_is_null(v) &&
            (!json_is_string(v) || !ms_str_is_clean_text(json_string_value(v), 300, false)))
            ms_field_fail(&r->err, keys[i], "must be one line of at most 300 characters");
    }
    return r->err.code;
}

/* The rows of a title for the acting organization: `sql` takes the title and the org. */
static int title_rows(ms_req *r, const char *sql)
{
    rights_org o;
    const char *id = ms_req_param(r, "id");
    int rc = rights_title_scope(r, id, &o, NULL);
    if (rc) return rc;
    db_stmt *st;
    rc = db_query(r->db, &st, &r->err, sql, "ss", id, o.org_id);
    return rc ? rc : auth_reply_page(r, st, 1000, "id", NULL);
}

/* The start of a write on POST /titles/{id}/...: only the fields of `kind` (the title comes
 * from the path), the acting organization at edit level, and its media. */
static int title_write_begin(ms_req *r, rights_row_kind kind, const char *doing, rights_org *o,
                             dims_media_reg *reg)
{
    if (rights_row_keys_check(r, r->body, kind, "")) return r->err.code;
    int rc = rights_title_scope(r, ms_req_param(r, "id"), o, NULL);
    if (rc || (rc = rights_require(r, o, LEVEL_EDIT, doing)) ||
        (rc = rights_media_reg(r, o->org_id, reg)))
        return rc;
    if (json_object_get(r->body, "title_id"))
        return ms_field_fail(&r->err, "title_id", "comes from the path");
    return 0;
}

/* GET /titles/{id}/rights-in */
int h_rights_in_list(ms_req *r)
{
    return title_rows(r,
                      "SELECT " RIGHTS_IN_COLS " FROM rights_in WHERE title_id = ? AND org_id = ? "
                      "AND deleted_at IS NULL ORDER BY start_date, id LIMIT 1001");
}

/* POST /titles/{id}/rights-in */
int h_rights_in_create(ms_req *r)
{
    rights_org o;
    dims_media_reg reg;
    const char *title_id = ms_req_param(r, "id");
    int rc = title_write_begin(r, RIGHTS_ROW_IN, "record rights in", &o, &reg);
    if (rc) return rc;
    rights_row row;
    check_texts(r, r->body, true);
    rights_row_parse(r, r->body, &reg, RIGHTS_ROW_IN, NULL, "", &row);
    if (r->err.code) return r->err.code;
    char id[MS_ID_LEN], now[MS_TIME_LEN];
    ms_uuid7(id);
    ms_now_str(now);
    rc = db_exec(r->db, &r->err,
                 "INSERT INTO rights_in (id, org_id, title_id, source, licensor, contract_ref, "
                 "territories, media, languages, start_date, end_date, exclusivity, runs, notes, "
                 "created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
                 "CAST(? AS INTEGER), ?, ?, ?, ?)",
                 "sssssssssssssssss", id, o.org_id, title_id, ms_json_str(r->body, "source"),
                 rights_or(ms_json_str(r->body, "licensor"), ""),
                 rights_or(ms_json_str(r->body, "contract_ref"), ""), row.territories, row.media,
                 row.languages, row.start, row.end[0] ? row.end : NULL, dims_excl_name(row.excl),
                 row.runs > 0 ? ms_arena_printf(r->arena, "%lld", (long long)row.runs) : NULL,
                 row.note, o.user_id, now, now);
    if (rc < 0) return rc;
    if ((rc = rights_title_changed(r, o.org_id, title_id)) ||
        (rc = rights_event(r, &o, "rights_in.created", "rights_in", id, NULL,
                           "Rights in recorded (%s, from %s)", ms_json_str(r->body, "source"),
                           row.start)))
        return rc;
    ms_reply_header(r, "Location", ms_arena_printf(r->arena, "/api/v1/rights-in/%s", id));
    return rights_in_reply(r, 201, id);
}

static int rights_in_scope(ms_req *r, const char *id, rights_org *o, char title_id[MS_ID_LEN],
                           int64_t *version, bool *from_deal)
{
    int rc = rights_org_of(r, "SELECT org_id FROM rights_in WHERE id = ? AND deleted_at IS NULL",
                           id, "right", o);
    if (rc || (rc = rights_require(r, o, LEVEL_EDIT, "change rights in"))) return rc;
    db_stmt *st;
    rc = db_query_row(r->db, &st, &r->err,
                      "SELECT title_id, version, deal_id FROM rights_in WHERE id = ?", "s", id);
    if (rc < 0) return rc;
    ms_strlcpy(title_id, db_col_text(st, 0), MS_ID_LEN);
    *version = db_col_int(st, 1);
    *from_deal = !db_col_null(st, 2);
    db_done(st);
    if (*from_deal)
        return ms_req_fail(r, MS_ECONFLICT, "acquired-by-deal",
                           "These rights came with a signed deal; they change only with that "
                           "deal.");
    return ms_req_check_version(r, *version);
}

/* PATCH /rights-in/{id}: the whole right is checked again with the body over it. */
int h_rights_in_update(ms_req *r)
{
    if (rights_row_keys_check(r, r->body, RIGHTS_ROW_IN, "")) return r->err.code;
    const char *id = ms_req_param(r, "id");
    rights_org o;
    char title_id[MS_ID_LEN];
    int64_t ver;
    bool from_deal;
    int rc = rights_in_scope(r, id, &o, title_id, &ver, &from_deal);
    if (rc) return rc;
    db_stmt *st;
    rc = db_query_row(r->db, &st, &r->err,
                      "SELECT source, licensor, contract_ref, territories AS territories_json, "
                      "media AS media_json, languages AS languages_json, start_date AS start, "
                      "end_date AS \"end\", exclusivity, runs, notes FROM rights_in WHERE id = ?",
                      "s", id);
    if (rc < 0) return rc;
    json_t *cur = db_row_json(st);
    db_done(st);
    if (json_is_null(json_object_get(cur, "runs"))) json_object_del(cur, "runs");
    const char *key;
    json_t *v;
    json_object_foreach(r->body, key, v) json_object_set(cur, key, v);
    dims_media_reg reg;
    rights_row row;
    if ((rc = rights_media_reg(r, o.org_id, &reg))) goto out;
    check_texts(r, cur, true);
    rights_row_parse(r, cur, &reg, RIGHTS_ROW_IN, NULL, "", &row);
    if ((rc = r->err.code)) goto out;
    char now[MS_TIME_LEN];
    ms_now_str(now);
    rc = db_exec(
        r->db, &r->err,
        "UPDATE rights_in SET source = ?, licensor = ?, contract_ref = ?, territories = ?, "
        "media = ?, languages = ?, start_date = ?, end_date = ?, exclusivity = ?, runs = "
        "CAST(? AS INTEGER), notes = ?, updated_at = ?, version = version + 1 WHERE id = ?",
        "sssssssssssss", ms_json_str(cur, "source"), rights_or(ms_json_str(cur, "licensor"), ""),
        rights_or(ms_json_str(cur, "contract_ref"), ""), row.territories, row.media, row.languages,
        row.start, row.end[0] ? row.end : NULL, dims_excl_name(row.excl),
        row.runs > 0 ? ms_arena_printf(r->arena, "%lld", (long long)row.runs) : NULL, row.note, now,
        id);
    if (rc < 0) goto out;
    if ((rc = rights_title_changed(r, o.org_id, title_id)) ||
        (rc = rights_event(r, &o, "rights_in.updated", "rights_in", id, NULL, "Rights in changed")))
        goto out;
    rc = rights_in_reply(r, 200, id);
out:
    json_decref(cur);
    return rc;
}

/* DELETE /rights-in/{id} */
int h_rights_in_delete(ms_req *r)
{
    const char *id = ms_req_param(r, "id");
    rights_org o;
    char title_id[MS_ID_LEN];
    int64_t ver;
    bool from_deal;
    int rc = rights_in_scope(r, id, &o, title_id, &ver, &from_deal);
    if (rc) return rc;
    char now[MS_TIME_LEN];
    ms_now_str(now);
    if ((rc = db_exec(r->db, &r->err,
                      "UPDATE rights_in SET deleted_at = ?, version = version + 1 WHERE id = ?",
                      "ss", now, id)) < 0 ||
        (rc = rights_title_changed(r, o.org_id, title_id)) ||
        (rc = rights_event(r, &o, "rights_in.deleted", "rights_in", id, NULL, "Rights in removed")))
        return rc;
    return ms_reply_empty(r);
}

/* ---- Holdbacks. ---- */

#define HOLDBACK_COLS                                                                              \
    "id, title_id, deal_id, territories AS territories_json, media AS media_json, start_date "     \
    "AS start, end_date AS \"end\", reason, created_at, version"

/* GET /titles/{id}/holdbacks */
int h_holdbacks_list(ms_req *r)
{
    return title_rows(r, "SELECT " HOLDBACK_COLS " FROM rights_holdback WHERE title_id = ? AND "
                         "org_id = ? AND deleted_at IS NULL ORDER BY end_date, id LIMIT 1001");
}

/* POST /titles/{id}/holdbacks */
int h_holdbacks_create(ms_req *r)
{
    rights_org o;
    dims_media_reg reg;
    const char *title_id = ms_req_param(r, "id");
    int rc = title_write_begin(r, RIGHTS_ROW_HOLDBACK, "record holdbacks", &o, &reg);
    if (rc) return rc;
    json_t *b = json_deep_copy(r->body);
    json_object_set_new(b, "title_id", json_string(title_id));
    rights_row row;
    rights_row_parse(r, b, &reg, RIGHTS_ROW_HOLDBACK, NULL, "", &row);
    json_decref(b);
    if (r->err.code) return r->err.code;
    char id[MS_ID_LEN], now[MS_TIME_LEN];
    ms_uuid7(id);
    ms_now_str(now);
    rc = db_exec(r->db, &r->err,
                 "INSERT INTO rights_holdback (id, org_id, title_id, territories, media, "
                 "start_date, end_date, reason, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, "
                 "?, ?, ?, ?)",
                 "ssssssssss", id, o.org_id, title_id, row.territories, row.media,
                 row.start[0] ? row.start : NULL, row.end, row.note, o.user_id, now);
    if (rc < 0) return rc;
    if ((rc = rights_title_changed(r, o.org_id, title_id)) ||
        (rc = rights_event(r, &o, "holdback.created", "holdback", id, NULL,
                           "Holdback until %s recorded", row.end)))
        return rc;
    db_stmt *st;
    rc = db_query_row(r->db, &st, &r->err,
                      "SELECT " HOLDBACK_COLS " FROM rights_holdback WHERE id = ?", "s", id);
    if (rc < 0) return rc;
    json_t *out = db_row_json(st);
    db_done(st);
    ms_reply_header(r, "Location", ms_arena_printf(r->arena, "/api/v1/holdbacks/%s", id));
    return ms_reply(r, 201, out);
}

/* DELETE /holdbacks/{id}: one recorded by hand (a deal's go with the deal). */
int h_holdback_delete(ms_req *r)
{
    const char *id = ms_req_param(r, "id");
    rights_org o;
    int rc =
        rights_org_of(r, "SELECT org_id FROM rights_holdback WHERE id = ? AND deleted_at IS NULL",
                      id, "holdback", &o);
    if (rc || (rc = rights_require(r, &o, LEVEL_EDIT, "remove holdbacks"))) return rc;
    db_stmt *st;
    rc = db_query_row(r->db, &st, &r->err,
                      "SELECT title_id, deal_id, version FROM rights_holdback WHERE id = ?", "s",
                      id);
    if (rc < 0) return rc;
    char title_id[MS_ID_LEN];
    ms_strlcpy(title_id, db_col_text(st, 0), sizeof title_id);
    bool from_deal = !db_col_null(st, 1);
    int64_t ver = db_col_int(st, 2);
    db_done(st);
    if ((rc = ms_req_check_version(r, ver))) return rc;
    if (from_deal)
        return ms_req_fail(r, MS_ECONFLICT, "holdback-of-deal",
                           "This holdback is part of a deal; change the deal instead.");
    char now[MS_TIME_LEN];
    ms_now_str(now);
    if ((rc = db_exec(
             r->db, &r->err,
             "UPDATE rights_holdback SET deleted_at = ?, version = version + 1 WHERE id = ?", "ss",
             now, id)) < 0 ||
        (rc = rights_title_changed(r, o.org_id, title_id)) ||
        (rc = rights_event(r, &o, "holdback.deleted", "holdback", id, NULL, "Holdback removed")))
        return rc;
    return ms_reply_empty(r);
}

/* ---- Media and territories. ---- */

/* GET /orgs/{id}/rights/media */
int h_rights_media_list(ms_req *r)
{
    rights_org o;
    int rc = rights_org_get(r, ms_req_param(r, "id"), &o);
    if (rc) return rc;
    json_t *items = json_array();
    for (int i = 0; dims_media_codes[i]; i++)
        json_array_append_new(items, json_pack("{s:s,s:s,s:b}", "code", dims_media_codes[i], "name",
                                               dims_media_names[i], "builtin", 1));
    db_stmt *st;
    rc = db_query(r->db, &st, &r->err,
                  "SELECT code, name FROM rights_media WHERE org_id = ? ORDER BY created_at, code",
                  "s", o.org_id);
    if (rc) {
        json_decref(items);
        return rc;
    }
    while ((rc = db_step(st, &r->err)) == DB_ROW)
        json_array_append_new(items, json_pack("{s:s,s:s,s:b}", "code", db_col_text(st, 0), "name",
                                               db_col_text(st, 1), "builtin", 0));
    db_done(st);
    if (rc < 0) {
        json_decref(items);
        return rc;
    }
    return ms_reply(r, 200, json_pack("{s:o}", "items", items));
}

/* POST /orgs/{id}/rights/media {"code", "name"} */
int h_rights_media_create(ms_req *r)
{
    static const ms_jfield fields[] = {
        {"code", MS_J_STRING, true, false, 2, 32, NULL},
        {"name", MS_J_STRING, true, false, 1, 100, NULL},
        {NULL, 0, false, false, 0, 0, NULL},
    };
    if (ms_json_check(r->body, fields, &r->err)) return r->err.code;
    rights_org o;
    int rc = rights_org_get(r, ms_req_param(r, "id"), &o);
    if (rc || (rc = rights_require(r, &o, LEVEL_MANAGE, "add media"))) return rc;
    const char *code = ms_json_str(r->body, "code");
    if (!dims_media_code_valid(code))
        return ms_field_fail(&r->err, "code",
                             "must be 2 to 32 of a-z, 0-9 and _, and not a built-in medium");
    dims_media_reg reg;
    if ((rc = rights_media_reg(r, o.org_id, &reg))) return rc;
    if (dims_media_index(&reg, code) >= 0)
        return ms_req_fail(r, MS_ECONFLICT, "media-taken", "The medium %s exists already.", code);
    if (reg.n >= AV_NMEDIA)
        return ms_req_fail(r, MS_ECONFLICT, "media-full",
                           "An organization can have at most %d media of its own.",
                           DIMS_MEDIA_CUSTOM_MAX);
    char now[MS_TIME_LEN];
    ms_now_str(now);
    rc = db_exec(r->db, &r->err,
                 "INSERT INTO rights_media (org_id, code, name, created_at) VALUES (?, ?, ?, ?)",
                 "ssss", o.org_id, code, ms_json_str(r->body, "name"), now);
    if (rc < 0) return rc;
    /* A new medium changes the registry: the cache rebuilds (it compares the count). */
    rc = db_exec(r->db, &r->err,
                 "INSERT INTO rights_revision (org_id, revision) VALUES (?, 1) ON CONFLICT "
                 "(org_id) DO UPDATE SET revision = rights_revision.revision + 1",
                 "s", o.org_id);
    if (rc < 0 ||
        (rc = rights_event(r, &o, "media.created", "media", code, NULL, "Medium %s added", code)))
        return rc;
    return ms_reply(r, 201,
                    json_pack("{s:s,s:s,s:b}", "code", code, "name", ms_json_str(r->body, "name"),
                              "builtin", 0));
}

/* GET /rights/territories */
int h_rights_territories(ms_req *r)
{
    json_t *terrs = json_array(), *groups = json_array();
    for (int i = 0; i < dims_terr_count(); i++)
        json_array_append_new(
            terrs, json_pack("{s:s,s:s}", "code", dims_terr_code(i), "name", dims_terr_name(i)));
    for (int i = 0; dims_terr_groups[i]; i++) {
        av_terrs s;
        memset(&s, 0, sizeof s);
        dims_terr_group(dims_terr_groups[i], &s);
        json_array_append_new(groups, json_pack("{s:s,s:o}", "name", dims_terr_groups[i], "codes",
                                                dims_terr_codes(&s)));
    }
    ms_reply_header(r, "Cache-Control", "public, max-age=86400");
    return ms_reply(r, 200, json_pack("{s:o,s:o}", "territories", terrs, "groups", groups));
}
