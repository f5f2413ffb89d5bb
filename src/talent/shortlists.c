/* shortlists.c: an organization's shortlists of people - a name, optionally the project of
 * that organization it is for, a note, and entries (a profile and a note about them).
 *
 * A shortlist is the organization's alone: its members (member, admin, owner) change it, its
 * viewers read it, and to everyone else it does not exist (404). Entries are shown as the
 * profile's card as the caller may read it (talent_profile_json with card = true), so a
 * shortlist never shows more of a person than their profile does; an entry whose profile the
 * caller may no longer read (erased, or its names made narrower) is left out and counted in
 * "hidden". A profile the caller cannot read cannot be added (404, as for any unknown id).
 * PATCH and DELETE of a shortlist take If-Match; adding or removing an entry raises the
 * shortlist's version too, so an ETag covers its entries.
 * Not here: who the profiles are (profiles.c), what a card holds (profiles.c). */
#include "talent/talent_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define SHORTLISTS_MAX 1000 /* per organization */
#define ENTRIES_MAX    500  /* per shortlist */

#define SHORTLIST_COLS                                                                             \
    "s.id, s.org_id, s.name, s.project_id, p.name AS project_name, s.note, s.created_by, "         \
    "s.created_at, s.updated_at, s.version, (SELECT COUNT(*) FROM talent_shortlist_entry e "       \
    "WHERE e.shortlist_id = s.id) AS entries_n FROM talent_shortlist s LEFT JOIN project p ON "    \
    "p.id = s.project_id"

typedef struct shortlist {
    char id[MS_ID_LEN], org_id[MS_ID_LEN];
    char *name;
    ms_level level;
    int64_t version;
} shortlist;

static int shortlist_event(ms_req *r, const char *org_id, const char *action, const char *id,
                           const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static int shortlist_event(ms_req *r, const char *org_id, const char *action, const char *id,
                           const char *fmt, ...)
{
    ms_event ev = {.actor_id = r->caller ? r->caller->user_id : NULL,
                   .action = action,
                   .object_type = "talent_shortlist",
                   .object_id = id,
                   .org_id = org_id};
    va_list ap;
    va_start(ap, fmt);
    int rc = event_vappendf(r->db, &ev, &r->err, fmt, ap);
    va_end(ap);
    return rc;
}

static void shortlist_shape(ms_req *r, json_t *o)
{
    (void)r;
    const char *pid = json_string_value(json_object_get(o, "project_id"));
    json_object_set_new(
        o, "project",
        pid ? json_pack("{s:s,s:O}", "id", pid, "name", json_object_get(o, "project_name"))
            : json_null());
    json_object_del(o, "project_id");
    json_object_del(o, "project_name");
}

/* Shortlist `id` and the caller's level in its organization; 404 to non-members. */
static int shortlist_open(ms_req *r, const char *id, shortlist *s)
{
    memset(s, 0, sizeof *s);
    if (!id || !ms_uuid_valid(id)) return ms_req_fail(r, MS_ENOTFOUND, NULL, "No such shortlist.");
    db_stmt *st;
    int rc =
        db_query_row(r->db, &st, &r->err,
                     "SELECT org_id, name, version FROM talent_shortlist WHERE id = ?", "s", id);
    if (rc < 0) return rc;
    if (rc == DB_DONE) return ms_req_fail(r, MS_ENOTFOUND, NULL, "No such shortlist.");
    ms_strlcpy(s->id, id, sizeof s->id);
    ms_strlcpy(s->org_id, db_col_text(st, 0), sizeof s->org_id);
    s->name = ms_arena_strdup(r->arena, db_col_text(st, 1));
    s->version = db_col_int(st, 2);
    db_done(st);
    ms_access a;
    rc = authz_org(r->db, r->caller, s->org_id, &a, &r->err);
    if (rc == MS_ENOTFOUND) {
        ms_error_clear(&r->err);
        return ms_req_fail(r, MS_ENOTFOUND, NULL, "No such shortlist.");
    }
    s->level = a.level;
    return rc;
}

static int require_member(ms_req *r, ms_level level)
{
    if (level >= LEVEL_EDIT) return 0;
    return ms_req_fail(r, MS_EFORBIDDEN, "talent-role",
                       "Viewers of the organization read its shortlists; members, admins and "
                       "owners change them.");
}

/* The project a shortlist is for must be the organization's own. */
static int check_project(ms_req *r, const char *org_id, const char *project_id)
{
    if (!project_id) return 0;
    db_stmt *st;
    int rc = db_query_row(r->db, &st, &r->err,
                          "SELECT 1 FROM project WHERE id = ? AND org_id = ? AND deleted_at IS "
                          "NULL",
                          "ss", project_id, org_id);
    if (rc < 0) return rc;
    if (rc == DB_ROW) {
        db_done(st);
        return 0;
    }
    return ms_field_fail(&r->err, "project_id", "is not a project of this organization");
}

/* The shortlist with its entries as cards the caller may read. */
static int shortlist_reply(ms_req *r, int status, const char *id)
{
    db_stmt *st;
    int rc = db_query_row(r->db, &st, &r->err, "SELECT " SHORTLIST_COLS " WHERE s.id = ?", "s", id);
    if (rc < 0) return rc;
    if (rc == DB_DONE) return ms_req_fail(r, MS_ENOTFOUND, NULL, "No such shortlist.");
    json_t *o = db_row_json(st);
    db_done(st);
    shortlist_shape(r, o);
    json_t *rows = json_array();
    rc = db_query(r->db, &st, &r->err,
                  "SELECT tp.seq, e.profile_id, e.note, e.added_by, e.added_at FROM "
                  "talent_shortlist_entry e JOIN talent_profile tp ON tp.id = e.profile_id WHERE "
                  "e.shortlist_id = ? ORDER BY e.added_at, e.profile_id",
                  "s", id);
    if (rc) goto fail;
    while ((rc = db_step(st, &r->err)) == DB_ROW)
        json_array_append_new(rows, db_row_json(st));
    db_done(st);
    if (rc < 0) goto fail;
    json_t *entries = json_array();
    json_object_set_new(o, "entries", entries);
    int hidden = 0;
    size_t i;
    json_t *row;
    json_array_foreach(rows, i, row)
    {
        talent_ref p;
        talent_viewer v;
        rc = talent_open_seq(r, json_integer_value(json_object_get(row, "seq")), &p, &v);
        if (rc == MS_ENOTFOUND) {
            ms_error_clear(&r->err);
            hidden++;
            continue;
        }
        json_t *card = NULL;
        if (rc || (rc = talent_profile_json(r, &p, &v, true, &card))) goto fail;
        json_array_append_new(entries, json_pack("{s:o,s:O,s:O,s:O}", "profile", card, "note",
                                                 json_object_get(row, "note"), "added_by",
                                                 json_object_get(row, "added_by"), "added_at",
                                                 json_object_get(row, "added_at")));
    }
    json_object_set_new(o, "hidden", json_integer(hidden));
    json_decref(rows);
    ms_reply_etag(r, json_integer_value(json_object_get(o, "version")));
    if (status == 201)
        ms_reply_header(r, "Location",
                        ms_arena_printf(r->arena, "/api/v1/talent/shortlists/%s", id));
    return ms_reply(r, status, o);
fail:
    json_decref(rows);
    json_decref(o);
    return rc;
}

/* A change to the entries is a change of the shortlist (its ETag). */
static int shortlist_bump(ms_req *r, const char *id)
{
    char now[MS_TIME_LEN];
    ms_now_str(now);
    int rc = db_exec(r->db, &r->err,
                     "UPDATE talent_shortlist SET updated_at = ?, version = version + 1 WHERE id "
                     "= ?",
                     "ss", now, id);
    return rc < 0 ? rc : 0;
}

/* ---- Routes. ---- */

/* GET /orgs/{id}/talent/shortlists?project_id */
int h_org_talent_shortlists(ms_req *r)
{
    static const char *const allowed[] = {"limit", "cursor", "project_id", NULL};
    int limit, rc;
    char cursor[MS_ID_LEN + 1];
    if ((rc = ms_req_query_only(r, allowed)) ||
        (rc = ms_req_page(r, &limit, cursor, sizeof cursor)))
        return rc;
    const char *project = ms_req_query(r, "project_id");
    if (project && !ms_uuid_valid(project))
        return talent_query_fail(r, "project_id", "must be a project id");
    db_stmt *st;
    rc = db_query(r->db, &st, &r->err,
                  "SELECT " SHORTLIST_COLS " WHERE s.org_id = ? AND s.id > ? AND (? IS NULL OR "
                  "s.project_id = ?) ORDER BY s.id LIMIT ?",
                  "ssssi", ms_req_param(r, "id"), cursor, project, project, limit + 1);
    if (rc) return rc;
    return auth_reply_page(r, st, limit, "id", shortlist_shape);
}

static const ms_jfield shortlist_create_fields[] = {
    {"name", MS_J_STRING, true, false, 1, 200, NULL},
    {"project_id", MS_J_ID, false, true, 0, 0, NULL},
    {"note", MS_J_TEXT, false, false, 0, 4000, NULL},
    {NULL, 0, false, false, 0, 0, NULL},
};

static const ms_jfield shortlist_update_fields[] = {
    {"name", MS_J_STRING, false, false, 1, 200, NULL},
    {"project_id", MS_J_ID, false, true, 0, 0, NULL},
    {"note", MS_J_TEXT, false, false, 0, 4000, NULL},
    {NULL, 0, false, false, 0, 0, NULL},
};

/* POST /orgs/{id}/talent/shortlists */
int h_org_talent_shortlists_create(ms_req *r)
{
    if (ms_json_check(r->body, shortlist_create_fields, &r->err)) return r->err.code;
    const char *org_id = ms_req_param(r, "id");
    const char *name = ms_json_str(r->body, "name"), *note = ms_json_str(r->body, "note");
    const char *project = ms_json_str(r->body, "project_id");
    int rc = require_member(r, r->access->level);
    if (rc || (rc = check_project(r, org_id, project))) return rc;
    db_stmt *st;
    rc = db_query_row(r->db, &st, &r->err, "SELECT COUNT(*) FROM talent_shortlist WHERE org_id = ?",
                      "s", org_id);
    if (rc < 0) return rc;
    int64_t n = db_col_int(st, 0);
    db_done(st);
    if (n >= SHORTLISTS_MAX)
        return ms_req_fail(r, MS_ECONFLICT, "too-many-shortlists",
                           "An organization keeps at most %d shortlists; remove old ones first.",
                           SHORTLISTS_MAX);
    char id[MS_ID_LEN], now[MS_TIME_LEN];
    ms_uuid7(id);
    ms_now_str(now);
    rc = db_exec(r->db, &r->err,
                 "INSERT INTO talent_shortlist (id, org_id, name, project_id, note, created_by, "
                 "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                 "ssssssss", id, org_id, name, project, note ? note : "", r->caller->user_id, now,
                 now);
    if (rc < 0 || (rc = shortlist_event(r, org_id, "talent.shortlist.created", id,
                                        "Shortlist %s created", name)))
        return rc;
    return shortlist_reply(r, 201, id);
}

/* GET /talent/shortlists/{id} */
int h_talent_shortlist_get(ms_req *r)
{
    shortlist s;
    int rc = shortlist_open(r, ms_req_param(r, "id"), &s);
    return rc ? rc : shortlist_reply(r, 200, s.id);
}

/* PATCH /talent/shortlists/{id} */
int h_talent_shortlist_update(ms_req *r)
{
    if (ms_json_check(r->body, shortlist_update_fields, &r->err)) return r->err.code;
    shortlist s;
    int rc = shortlist_open(r, ms_req_param(r, "id"), &s);
    if (rc || (rc = require_member(r, s.level)) || (rc = ms_req_check_version(r, s.version)) ||
        (rc = check_project(r, s.org_id, ms_json_str(r->body, "project_id"))))
        return rc;
    const json_t *b = r->body;
    char now[MS_TIME_LEN];
    ms_now_str(now);
    rc = db_exec(r->db, &r->err,
                 "UPDATE talent_shortlist SET name = COALESCE(?, name), project_id = CASE WHEN ? "
                 "= '1' THEN ? ELSE project_id END, note = COALESCE(?, note), updated_at = ?, "
                 "version = version + 1 WHERE id = ? AND version = ?",
                 "ssssssI", ms_json_str(b, "name"), ms_json_has(b, "project_id") ? "1" : "0",
                 ms_json_str(b, "project_id"), ms_json_str(b, "note"), now, s.id, s.version);
    if (rc < 0) return rc;
    if (rc == 0) return ms_req_check_version(r, s.version + 1);
    const char *name = ms_json_str(b, "name");
    if ((rc = shortlist_event(r, s.org_id, "talent.shortlist.updated", s.id, "Shortlist %s changed",
                              name ? name : s.name)))
        return rc;
    return shortlist_reply(r, 200, s.id);
}

/* DELETE /talent/shortlists/{id} */
int h_talent_shortlist_delete(ms_req *r)
{
    shortlist s;
    int rc = shortlist_open(r, ms_req_param(r, "id"), &s);
    if (rc || (rc = require_member(r, s.level)) || (rc = ms_req_check_version(r, s.version)))
        return rc;
    if ((rc = db_exec(r->db, &r->err, "DELETE FROM talent_shortlist_entry WHERE shortlist_id = ?",
                      "s", s.id)) < 0 ||
        (rc = db_exec(r->db, &r->err, "DELETE FROM talent_shortlist WHERE id = ?", "s", s.id)) < 0)
        return rc;
    if ((rc = shortlist_event(r, s.org_id, "talent.shortlist.deleted", s.id, "Shortlist %s deleted",
                              s.name)))
        return rc;
    return ms_reply_empty(r);
}

/* POST /talent/shortlists/{id}/entries {"profile_id", "note"} */
int h_talent_shortlist_entry_add(ms_req *r)
{
    static const ms_jfield fields[] = {
        {"profile_id", MS_J_ID, true, false, 0, 0, NULL},
        {"note", MS_J_TEXT, false, false, 0, 2000, NULL},
        {NULL, 0, false, false, 0, 0, NULL},
    };
    if (ms_json_check(r->body, fields, &r->err)) return r->err.code;
    const char *note = ms_json_str(r->body, "note");
    shortlist s;
    int rc = shortlist_open(r, ms_req_param(r, "id"), &s);
    if (rc || (rc = require_member(r, s.level)) || (rc = ms_req_check_version(r, s.version)))
        return rc;
    talent_ref p;
    talent_viewer v;
    if ((rc = talent_open(r, ms_json_str(r->body, "profile_id"), &p, &v))) return rc;
    db_stmt *st;
    rc = db_query_row(r->db, &st, &r->err,
                      "SELECT COUNT(*), SUM(CASE WHEN profile_id = ? THEN 1 ELSE 0 END) FROM "
                      "talent_shortlist_entry WHERE shortlist_id = ?",
                      "ss", p.id, s.id);
    if (rc < 0) return rc;
    int64_t n = db_col_int(st, 0), here = db_col_null(st, 1) ? 0 : db_col_int(st, 1);
    db_done(st);
    if (here)
        return ms_req_fail(r, MS_ECONFLICT, "already-shortlisted",
                           "This person is on the shortlist already; change the note by removing "
                           "and adding them again.");
    if (n >= ENTRIES_MAX)
        return ms_req_fail(r, MS_ECONFLICT, "shortlist-full",
                           "A shortlist holds at most %d people.", ENTRIES_MAX);
    char now[MS_TIME_LEN];
    ms_now_str(now);
    rc = db_exec(r->db, &r->err,
                 "INSERT INTO talent_shortlist_entry (shortlist_id, profile_id, note, added_by, "
                 "added_at) VALUES (?, ?, ?, ?, ?)",
                 "sssss", s.id, p.id, note ? note : "", r->caller->user_id, now);
    if (rc < 0 || (rc = shortlist_bump(r, s.id)) ||
        (rc = shortlist_event(r, s.org_id, "talent.shortlist.entry.added", s.id,
                              "A person was added to shortlist %s", s.name)))
        return rc;
    json_t *card = NULL;
    if ((rc = talent_profile_json(r, &p, &v, true, &card))) return rc;
    ms_reply_etag(r, s.version + 1);
    return ms_reply(r, 201,
                    json_pack("{s:o,s:s,s:s,s:s}", "profile", card, "note", note ? note : "",
                              "added_by", r->caller->user_id, "added_at", now));
}

/* DELETE /talent/shortlists/{id}/entries/{profile_id} */
int h_talent_shortlist_entry_remove(ms_req *r)
{
    shortlist s;
    int rc = shortlist_open(r, ms_req_param(r, "id"), &s);
    if (rc || (rc = require_member(r, s.level)) || (rc = ms_req_check_version(r, s.version)))
        return rc;
    const char *pid = ms_req_param(r, "profile_id");
    rc = pid && ms_uuid_valid(pid)
             ? db_exec(r->db, &r->err,
                       "DELETE FROM talent_shortlist_entry WHERE shortlist_id = ? AND profile_id "
                       "= ?",
                       "ss", s.id, pid)
             : 0;
    if (rc < 0) return rc;
    if (rc == 0) return ms_req_fail(r, MS_ENOTFOUND, NULL, "That person is not on this shortlist.");
    if ((rc = shortlist_bump(r, s.id)) ||
        (rc = shortlist_event(r, s.org_id, "talent.shortlist.entry.removed", s.id,
                              "A person was removed from shortlist %s", s.name)))
        return rc;
    return ms_reply_empty(r);
}
