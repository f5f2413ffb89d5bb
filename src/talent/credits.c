/* credits.c: a person's credits - title, role as credited, craft, year, company, and the
 * producing organization when it is on the platform - and their verification.
 *
 * Where credits come from (talent_credit.source):
 *   manual      entered by whoever may edit the profile (the person; before a claim, the
 *               steward organization's members)
 *   import      rows of a CSV import (io.c)
 *   production  derived from production work by talent_sync_production: one per (project,
 *               task type) of the tasks assigned to the person's account (its craft when the
 *               task type plainly names one: Sound, Edit, Grade, ...), and one "Crew" per
 *               project the account is a member of without tasks there. These are the
 *               producing organization's own records, so they are verified, and they change
 *               only with the work itself: the API does not edit or delete them (409).
 * A credit that names an organization (org_id) is self-declared until a member (member,
 * admin, owner) of that organization, other than the person, verifies it; editing a verified
 * credit's title, role, year or organization clears the verification, since it is no longer what
 * was verified.
 *
 * Who sees what: the profile's credits field visibility (TF_CREDITS) decides who reads the
 * list. The organization a credit names is the exception, and only for those credits: its
 * members list them (GET /orgs/{id}/talent/credits) whatever the person's visibility, because
 * by naming the organization the person asked it to vouch for the credit, and it cannot
 * vouch for what it cannot read. They see the credit and the person's names, nothing else of
 * the profile.
 *
 * Not here: the credit summary and the text index (talent_touch -> search.c), CSV (io.c). */
#include "talent/talent_internal.h"

#include "production/production.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define CREDITS_MAX 2000 /* per profile, by hand */

static const char *const credit_sources[] = {"manual", "import", NULL};

static const ms_jfield credit_create_fields[] = {
    {"title", MS_J_STRING, true, false, 1, 300, NULL},
    {"role", MS_J_STRING, true, false, 1, 200, NULL},
    {"craft", MS_J_STRING, false, true, 1, 40, NULL},
    {"year", MS_J_INT, false, true, 1888, 9999, NULL},
    {"company", MS_J_STRING, false, true, 0, 300, NULL},
    {"org_id", MS_J_ID, false, true, 0, 0, NULL},
    {"source", MS_J_ENUM, false, false, 0, 0, credit_sources},
    {NULL, 0, false, false, 0, 0, NULL},
};

static const ms_jfield credit_update_fields[] = {
    {"title", MS_J_STRING, false, false, 1, 300, NULL},
    {"role", MS_J_STRING, false, false, 1, 200, NULL},
    {"craft", MS_J_STRING, false, true, 1, 40, NULL},
    {"year", MS_J_INT, false, true, 1888, 9999, NULL},
    {"company", MS_J_STRING, false, true, 0, 300, NULL},
    {"org_id", MS_J_ID, false, true, 0, 0, NULL},
    {NULL, 0, false, false, 0, 0, NULL},
};

#define CREDIT_COLS                                                                                \
    "c.id, c.profile_id, c.title, c.role, c.craft, c.year, c.company, c.org_id, o.name AS "        \
    "org_name, c.project_id, c.source, c.verified_at, c.start_date, c.end_date, c.created_at, "    \
    "c.updated_at, c.version"
#define CREDIT_FROM " FROM talent_credit c LEFT JOIN org o ON o.id = c.org_id"

static int this_year(void)
{
    char now[MS_TIME_LEN];
    ms_now_str(now);
    return atoi(now);
}

/* A credit row as the API shows it: the organization as {id, name}, verified as a flag and
 * a status word. */
static void credit_shape(ms_req *r, json_t *o)
{
    (void)r;
    const char *org_id = json_string_value(json_object_get(o, "org_id"));
    json_object_set_new(
        o, "org",
        org_id ? json_pack("{s:s,s:O}", "id", org_id, "name", json_object_get(o, "org_name"))
               : json_null());
    json_object_del(o, "org_id");
    json_object_del(o, "org_name");
    json_object_del(o, "page_key");
    bool verified = json_is_string(json_object_get(o, "verified_at"));
    json_object_set_new(o, "verified", json_boolean(verified));
    json_object_set_new(o, "status", json_string(verified ? "verified" : "self-declared"));
}

static int credit_reply(ms_req *r, int status, const char *id)
{
    db_stmt *st;
    int rc = db_query_row(r->db, &st, &r->err, "SELECT " CREDIT_COLS CREDIT_FROM " WHERE c.id = ?",
                          "s", id);
    if (rc < 0) return rc;
    if (rc == DB_DONE) return ms_req_fail(r, MS_ENOTFOUND, NULL, "No such credit.");
    json_t *o = db_row_json(st);
    db_done(st);
    credit_shape(r, o);
    ms_reply_etag(r, json_integer_value(json_object_get(o, "version")));
    return ms_reply(r, status, o);
}

int talent_credit_check(ms_req *r, const json_t *body, bool create, ms_error *err)
{
    if (ms_json_check(body, create ? credit_create_fields : credit_update_fields, err))
        return err->code;
    /* The year is at most next year (a film in production); the table's bound is only a
     * shape. */
    json_t *y = json_object_get(body, "year");
    if (json_is_integer(y) && json_integer_value(y) > this_year() + 1)
        return ms_field_fail(err, "year", "must be between 1888 and %d", this_year() + 1);
    /* What the body names: a known craft, an organization of the platform. */
    const char *craft = ms_json_str(body, "craft"), *org_id = ms_json_str(body, "org_id");
    if (craft && !talent_craft_valid(r, craft))
        ms_field_fail(err, "craft", "is not a known craft (GET /api/v1/talent/crafts)");
    if (org_id) {
        db_stmt *st;
        int rc = db_query_row(r->db, &st, err, "SELECT 1 FROM org WHERE id = ?", "s", org_id);
        if (rc < 0) return rc;
        if (rc == DB_ROW)
            db_done(st);
        else
            ms_field_fail(err, "org_id", "is not an organization on this platform");
    }
    return err->code;
}

/* ---- One credit and its profile. ---- */

typedef struct credit_row {
    char id[MS_ID_LEN], profile_id[MS_ID_LEN];
    char *title, *role, *craft, *company, *org_id, *source;
    bool has_year, verified;
    int64_t year, version;
} credit_row;

static char *dup_or_null(ms_req *r, db_stmt *st, int i)
{
    return db_col_null(st, i) ? NULL : ms_arena_strdup(r->arena, db_col_text(st, i));
}

/* Load credit `id` and its profile. 404 when either is missing, or when the caller may not
 * read the profile's credits and `need_credits` is set. */
static int credit_open(ms_req *r, const char *id, bool need_credits, credit_row *c, talent_ref *p,
                       talent_viewer *v)
{
    memset(c, 0, sizeof *c);
    if (!id || !ms_uuid_valid(id)) return ms_req_fail(r, MS_ENOTFOUND, NULL, "No such credit.");
    db_stmt *st;
    int rc = db_query_row(r->db, &st, &r->err,
                          "SELECT profile_id, title, role, craft, year, company, org_id, source, "
                          "verified_at, version FROM talent_credit WHERE id = ?",
                          "s", id);
    if (rc < 0) return rc;
    if (rc == DB_DONE) return ms_req_fail(r, MS_ENOTFOUND, NULL, "No such credit.");
    ms_strlcpy(c->id, id, sizeof c->id);
    ms_strlcpy(c->profile_id, db_col_text(st, 0), sizeof c->profile_id);
    c->title = dup_or_null(r, st, 1);
    c->role = dup_or_null(r, st, 2);
    c->craft = dup_or_null(r, st, 3);
    c->has_year = !db_col_null(st, 4);
    c->year = db_col_int(st, 4);
    c->company = dup_or_null(r, st, 5);
    c->org_id = dup_or_null(r, st, 6);
    c->source = dup_or_null(r, st, 7);
    c->verified = !db_col_null(st, 8);
    c->version = db_col_int(st, 9);
    db_done(st);
    rc = talent_open(r, c->profile_id, p, v);
    if (rc == MS_ENOTFOUND || (!rc && need_credits && !talent_sees(v, p, TF_CREDITS))) {
        ms_error_clear(&r->err);
        return ms_req_fail(r, MS_ENOTFOUND, NULL, "No such credit.");
    }
    return rc;
}

static int require_changeable(ms_req *r, const talent_ref *p, const talent_viewer *v,
                              const credit_row *c)
{
    int rc = talent_require_edit(r, p, v);
    if (rc || (rc = ms_req_check_version(r, c->version))) return rc;
    if (!strcmp(c->source, "production"))
        return ms_req_fail(r, MS_ECONFLICT, "credit-from-production",
                           "This credit comes from the production records of its project; it "
                           "changes with that work (POST /talent/profiles/{id}/sync), not by hand. "
                           "Hide credits with the profile's visibility instead.");
    return 0;
}

static bool str_eq(const char *a, const char *b)
{
    return (!a && !b) || (a && b && !strcmp(a, b));
}

/* ---- Routes. ---- */

/* GET /talent/profiles/{id}/credits: newest first (by year; credits without a year last). */
int h_talent_credits_list(ms_req *r)
{
    static const char *const allowed[] = {"limit", "cursor", NULL};
    int limit, rc;
    char cursor[80];
    if ((rc = ms_req_query_only(r, allowed)) ||
        (rc = ms_req_page(r, &limit, cursor, sizeof cursor)))
        return rc;
    char cur_year[8] = "0", cur_id[MS_ID_LEN] = "";
    if (cursor[0]) {
        const char *bar = strchr(cursor, '|');
        if (!bar || bar - cursor > 4 || bar == cursor || !ms_uuid_valid(bar + 1))
            return talent_query_fail(r, "cursor", "is not a cursor this server issued");
        memcpy(cur_year, cursor, (size_t)(bar - cursor));
        cur_year[bar - cursor] = 0;
        for (const char *d = cur_year; *d; d++)
            if (*d < '0' || *d > '9')
                return talent_query_fail(r, "cursor", "is not a cursor this server issued");
        ms_strlcpy(cur_id, bar + 1, sizeof cur_id);
    }
    talent_ref p;
    talent_viewer v;
    if ((rc = talent_open(r, ms_req_param(r, "id"), &p, &v))) return rc;
    if (!talent_sees(&v, &p, TF_CREDITS))
        return ms_req_fail(r, MS_ENOTFOUND, NULL, "This profile's credits are not shown to you.");
    db_stmt *st;
    rc = db_query(r->db, &st, &r->err,
                  "SELECT " CREDIT_COLS ", CAST(COALESCE(c.year, 0) AS TEXT) || '|' || c.id AS "
                  "page_key" CREDIT_FROM
                  " WHERE c.profile_id = ? AND (? = '' OR COALESCE(c.year, 0) < CAST(? AS "
                  "INTEGER) OR (COALESCE(c.year, 0) = CAST(? AS INTEGER) AND c.id > ?)) ORDER BY "
                  "COALESCE(c.year, 0) DESC, c.id LIMIT ?",
                  "sssssi", p.id, cur_id, cur_year, cur_year, cur_id, limit + 1);
    if (rc) return rc;
    return auth_reply_page(r, st, limit, "page_key", credit_shape);
}

/* POST /talent/profiles/{id}/credits */
int h_talent_credits_create(ms_req *r)
{
    if (talent_credit_check(r, r->body, true, &r->err)) return r->err.code;
    talent_ref p;
    talent_viewer v;
    int rc = talent_open(r, ms_req_param(r, "id"), &p, &v);
    if (rc || (rc = talent_require_edit(r, &p, &v))) return rc;
    db_stmt *st;
    rc = db_query_row(r->db, &st, &r->err,
                      "SELECT COUNT(*) FROM talent_credit WHERE profile_id = ? AND source <> "
                      "'production'",
                      "s", p.id);
    if (rc < 0) return rc;
    int64_t n = db_col_int(st, 0);
    db_done(st);
    if (n >= CREDITS_MAX)
        return ms_req_fail(r, MS_ECONFLICT, "too-many-credits",
                           "A profile holds at most %d credits entered by hand or imported.",
                           CREDITS_MAX);
    const json_t *b = r->body;
    json_t *year = json_object_get(b, "year");
    const char *source = ms_json_str(b, "source");
    char id[MS_ID_LEN], now[MS_TIME_LEN];
    ms_uuid7(id);
    ms_now_str(now);
    rc =
        db_exec(r->db, &r->err,
                "INSERT INTO talent_credit (id, profile_id, title, role, craft, year, company, "
                "org_id, source, created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, "
                "CAST(? AS INTEGER), ?, ?, ?, ?, ?, ?)",
                "ssssssssssss", id, p.id, ms_json_str(b, "title"), ms_json_str(b, "role"),
                ms_json_str(b, "craft"),
                json_is_integer(year)
                    ? ms_arena_printf(r->arena, "%lld", (long long)json_integer_value(year))
                    : NULL,
                ms_json_str(b, "company") ? ms_json_str(b, "company") : "",
                ms_json_str(b, "org_id"), source ? source : "manual", r->caller->user_id, now, now);
    if (rc < 0) return rc;
    if ((rc = talent_touch(r, &p)) ||
        (rc = talent_event(r, &p, "talent.credit.created", "talent_credit", id, "%s",
                           "credit added")))
        return rc;
    return credit_reply(r, 201, id);
}

/* PATCH /talent/credits/{id}: the fields given; a verified credit whose title, role, year or
 * organization changes is self-declared again. */
int h_talent_credit_update(ms_req *r)
{
    if (talent_credit_check(r, r->body, false, &r->err)) return r->err.code;
    credit_row c;
    talent_ref p;
    talent_viewer v;
    int rc = credit_open(r, ms_req_param(r, "id"), true, &c, &p, &v);
    if (rc || (rc = require_changeable(r, &p, &v, &c))) return rc;
    const json_t *b = r->body;
    const char *title = ms_json_has(b, "title") ? ms_json_str(b, "title") : c.title;
    const char *role = ms_json_has(b, "role") ? ms_json_str(b, "role") : c.role;
    const char *craft = ms_json_has(b, "craft") ? ms_json_str(b, "craft") : c.craft;
    const char *company = ms_json_has(b, "company") ? ms_json_str(b, "company") : c.company;
    const char *org_id = ms_json_has(b, "org_id") ? ms_json_str(b, "org_id") : c.org_id;
    bool has_year = c.has_year;
    int64_t year = c.year;
    if (ms_json_has(b, "year")) {
        has_year = json_is_integer(json_object_get(b, "year"));
        year = ms_json_int(b, "year", 0);
    }
    bool unverify = c.verified && (!str_eq(title, c.title) || !str_eq(role, c.role) ||
                                   !str_eq(org_id, c.org_id) || has_year != c.has_year ||
                                   (has_year && year != c.year));
    char now[MS_TIME_LEN];
    ms_now_str(now);
    rc = db_exec(r->db, &r->err,
                 "UPDATE talent_credit SET title = ?, role = ?, craft = ?, year = CAST(? AS "
                 "INTEGER), company = ?, org_id = ?, verified_at = CASE WHEN ? = '1' THEN NULL "
                 "ELSE verified_at END, verified_by = CASE WHEN ? = '1' THEN NULL ELSE "
                 "verified_by END, updated_at = ?, version = version + 1 WHERE id = ? AND "
                 "version = ?",
                 "ssssssssssI", title, role, craft,
                 has_year ? ms_arena_printf(r->arena, "%lld", (long long)year) : NULL,
                 company ? company : "", org_id, unverify ? "1" : "0", unverify ? "1" : "0", now,
                 c.id, c.version);
    if (rc < 0) return rc;
    if (rc == 0) return ms_req_check_version(r, c.version + 1);
    if ((rc = talent_touch(r, &p)) ||
        (rc = talent_event(r, &p, "talent.credit.updated", "talent_credit", c.id, "%s",
                           unverify ? "credit changed (no longer verified)" : "credit changed")))
        return rc;
    return credit_reply(r, 200, c.id);
}

/* DELETE /talent/credits/{id} */
int h_talent_credit_delete(ms_req *r)
{
    credit_row c;
    talent_ref p;
    talent_viewer v;
    int rc = credit_open(r, ms_req_param(r, "id"), true, &c, &p, &v);
    if (rc || (rc = require_changeable(r, &p, &v, &c))) return rc;
    rc = db_exec(r->db, &r->err, "DELETE FROM talent_credit WHERE id = ?", "s", c.id);
    if (rc < 0) return rc;
    if ((rc = talent_touch(r, &p)) ||
        (rc = talent_event(r, &p, "talent.credit.deleted", "talent_credit", c.id, "%s",
                           "credit removed")))
        return rc;
    return ms_reply_empty(r);
}

/* POST /talent/credits/{id}/verify {"verified": bool}: by a member (member, admin, owner) of
 * the organization the credit names, and nobody else; not by the person, even when they are a
 * member of it (the organization vouches, not the person for themselves). Those who may read
 * the credit but may not verify it get 403; those who may not read it, 404. */
int h_talent_credit_verify(ms_req *r)
{
    static const ms_jfield fields[] = {
        {"verified", MS_J_BOOL, true, false, 0, 0, NULL},
        {NULL, 0, false, false, 0, 0, NULL},
    };
    if (ms_json_check(r->body, fields, &r->err)) return r->err.code;
    bool verified = ms_json_bool(r->body, "verified", false);
    credit_row c;
    talent_ref p;
    talent_viewer v;
    int rc = credit_open(r, ms_req_param(r, "id"), false, &c, &p, &v);
    if (rc) return rc;
    ms_access a;
    memset(&a, 0, sizeof a);
    if (c.org_id) {
        ms_error e;
        ms_error_clear(&e);
        rc = authz_org(r->db, r->caller, c.org_id, &a, &e);
        if (rc && rc != MS_ENOTFOUND) {
            r->err = e;
            return rc;
        }
    }
    if (a.level < LEVEL_EDIT) {
        bool named_org_viewer = a.level == LEVEL_VIEW;
        if (!named_org_viewer && !talent_sees(&v, &p, TF_CREDITS))
            return ms_req_fail(r, MS_ENOTFOUND, NULL, "No such credit.");
        return ms_req_fail(r, MS_EFORBIDDEN, "talent-not-verifier",
                           c.org_id ? "Only members (member, admin or owner) of the organization "
                                      "this credit names may verify it."
                                    : "This credit names no organization, so none can verify it.");
    }
    if (v.self)
        return ms_req_fail(r, MS_EFORBIDDEN, "talent-not-verifier",
                           "A person does not verify their own credits: another member of the "
                           "organization does.");
    if ((rc = ms_req_check_version(r, c.version))) return rc;
    if (verified != c.verified) {
        char now[MS_TIME_LEN];
        ms_now_str(now);
        rc =
            db_exec(r->db, &r->err,
                    "UPDATE talent_credit SET verified_at = ?, verified_by = ?, updated_at = ?, "
                    "version = version + 1 WHERE id = ?",
                    "ssss", verified ? now : NULL, verified ? r->caller->user_id : NULL, now, c.id);
        if (rc < 0) return rc;
        if ((rc = talent_touch(r, &p)) ||
            (rc = talent_event(r, &p,
                               verified ? "talent.credit.verified" : "talent.credit.unverified",
                               "talent_credit", c.id, "%s",
                               verified ? "credit verified" : "credit marked self-declared")))
            return rc;
    }
    return credit_reply(r, 200, c.id);
}

/* GET /orgs/{id}/talent/credits?status=pending|verified: the credits that name the
 * organization (see the file comment for why its members see them). */
int h_org_talent_credits(ms_req *r)
{
    static const char *const allowed[] = {"limit", "cursor", "status", NULL};
    int limit, rc;
    char cursor[MS_ID_LEN + 1];
    if ((rc = ms_req_query_only(r, allowed)) ||
        (rc = ms_req_page(r, &limit, cursor, sizeof cursor)))
        return rc;
    const char *status = ms_req_query(r, "status");
    if (status && strcmp(status, "pending") != 0 && strcmp(status, "verified") != 0)
        return talent_query_fail(r, "status", "must be pending or verified");
    db_stmt *st;
    rc = db_query(r->db, &st, &r->err,
                  "SELECT " CREDIT_COLS ", tp.primary_name AS profile_name" CREDIT_FROM
                  " JOIN talent_profile tp "
                  "ON tp.id = c.profile_id AND tp.deleted_at IS NULL WHERE c.org_id = ? AND c.id "
                  "> ? AND (? IS NULL OR (? = 'pending' AND c.verified_at IS NULL) OR (? = "
                  "'verified' AND c.verified_at IS NOT NULL)) ORDER BY c.id LIMIT ?",
                  "sssssi", ms_req_param(r, "id"), cursor, status, status, status, limit + 1);
    if (rc) return rc;
    return auth_reply_page(r, st, limit, "id", credit_shape);
}

/* ---- Production credits. ---- */

typedef struct sync_ctx {
    json_t *work;     /* "project|role" -> {project_id, title, org_id, role, first, last} */
    json_t *projects; /* project ids with tasks of the person */
} sync_ctx;

static void widen(json_t *o, const char *key, const char *day, int sign)
{
    const char *cur = json_string_value(json_object_get(o, key));
    if (day && (!cur || strcmp(day, cur) * sign > 0)) json_object_set_new(o, key, json_string(day));
}

/* The craft a task type of the production templates stands for, when one plainly does (a
 * credit names a craft only when one fits: "Layout" or "Rigging" name none). */
static const char *task_craft(const char *task_type)
{
    static const struct {
        const char *task, *craft;
    } map[] = {
        {"Script", "screenwriter"},
        {"Edit", "editor"},
        {"Editing", "editor"},
        {"Animation", "animator"},
        {"VFX", "vfx"},
        {"Comp", "vfx"},
        {"Compositing", "vfx"},
        {"Grade", "colourist"},
        {"Grading", "colourist"},
        {"Sound", "sound"},
        {"Sound design", "sound-designer"},
        {"Music", "composer"},
        {"Subtitles", "translator"},
    };
    for (size_t i = 0; task_type && i < sizeof map / sizeof *map; i++)
        if (!strcasecmp(map[i].task, task_type) && talent_craft_builtin(map[i].craft, NULL, NULL))
            return map[i].craft;
    return NULL;
}

static int sync_collect(void *ctx, const production_work *w)
{
    sync_ctx *s = ctx;
    const char *a = w->start_date ? w->start_date : w->due_date;
    const char *b = w->due_date ? w->due_date : w->start_date;
    if (a && b && strcmp(a, b) > 0) {
        const char *t = a;
        a = b;
        b = t;
    }
    char key[MS_ID_LEN + 260];
    snprintf(key, sizeof key, "%s|%s", w->project_id, w->task_type);
    json_t *o = json_object_get(s->work, key);
    if (!o) {
        o = json_pack("{s:s,s:s,s:s,s:s,s:s?}", "project_id", w->project_id, "title",
                      w->project_name, "org_id", w->org_id, "role", w->task_type, "craft",
                      task_craft(w->task_type));
        json_object_set_new(s->work, key, o);
    }
    widen(o, "first", a, -1);
    widen(o, "last", b, 1);
    json_object_set_new(s->projects, w->project_id, json_true());
    return 0;
}

typedef struct sync_stats {
    int added, updated, removed, credits;
} sync_stats;

/* Fill `o` (one derived credit) with company and year: the organization's name, the year of
 * the first day of work, or of the project's creation when the work has no dates. */
static int sync_complete(db_conn *c, json_t *o, ms_error *err)
{
    db_stmt *st;
    int rc = db_query_row(c, &st, err,
                          "SELECT o.name, p.created_at FROM project p JOIN org o ON o.id = "
                          "p.org_id WHERE p.id = ?",
                          "s", json_string_value(json_object_get(o, "project_id")));
    if (rc < 0) return rc;
    if (rc == DB_DONE) return ms_fail(err, MS_EINTERNAL, NULL, "A project vanished.");
    json_object_set_new(o, "company", json_string(db_col_text(st, 0)));
    const char *first = json_string_value(json_object_get(o, "first"));
    json_object_set_new(o, "year", json_integer(atoi(first ? first : db_col_text(st, 1))));
    db_done(st);
    return 0;
}

static int sync_run(db_conn *c, int64_t seq, const char *actor_id, sync_stats *out, ms_error *err)
{
    memset(out, 0, sizeof *out);
    db_stmt *st;
    int rc = db_query_row(c, &st, err,
                          "SELECT id, user_id, steward_org_id, deleted_at FROM talent_profile "
                          "WHERE seq = ?",
                          "I", seq);
    if (rc < 0) return rc;
    if (rc == DB_DONE) return ms_fail(err, MS_ENOTFOUND, NULL, "No such profile.");
    char pid[MS_ID_LEN], uid[MS_ID_LEN] = "", steward[MS_ID_LEN] = "";
    ms_strlcpy(pid, db_col_text(st, 0), sizeof pid);
    if (!db_col_null(st, 1)) ms_strlcpy(uid, db_col_text(st, 1), sizeof uid);
    if (!db_col_null(st, 2)) ms_strlcpy(steward, db_col_text(st, 2), sizeof steward);
    bool erased = !db_col_null(st, 3);
    db_done(st);
    if (erased) return 0;

    /* What the work says now: tasks, then memberships of projects without tasks. */
    sync_ctx s = {json_object(), json_object()};
    json_t *have = json_object();
    if (uid[0] && (rc = production_work_of(c, uid, sync_collect, &s, err))) goto out;
    if (uid[0]) {
        rc = db_query(c, &st, err,
                      "SELECT pm.project_id, p.name, p.org_id FROM project_member pm JOIN project "
                      "p ON p.id = pm.project_id AND p.deleted_at IS NULL WHERE pm.user_id = ? AND "
                      "pm.role IN ('admin', 'member', 'vendor')",
                      "s", uid);
        if (rc) goto out;
        while ((rc = db_step(st, err)) == DB_ROW) {
            const char *project = db_col_text(st, 0);
            if (json_object_get(s.projects, project)) continue;
            char key[MS_ID_LEN + 8];
            snprintf(key, sizeof key, "%s|Crew", project);
            json_object_set_new(s.work, key,
                                json_pack("{s:s,s:s,s:s,s:s}", "project_id", project, "title",
                                          db_col_text(st, 1), "org_id", db_col_text(st, 2), "role",
                                          "Crew"));
        }
        db_done(st);
        if (rc < 0) goto out;
    }
    const char *key;
    json_t *w;
    json_object_foreach(s.work, key, w) if ((rc = sync_complete(c, w, err))) goto out;

    /* What the profile holds: credits tied to a project (production ones, by their key). */
    rc = db_query(
        c, &st, err,
        "SELECT project_id, role, id, source, title, year, company, org_id, start_date, "
        "end_date, craft FROM talent_credit WHERE profile_id = ? AND project_id IS NOT NULL",
        "s", pid);
    if (rc) goto out;
    while ((rc = db_step(st, err)) == DB_ROW) {
        json_t *o = json_object();
        static const char *const cols[] = {"id",     "source",     "title",    "year", "company",
                                           "org_id", "start_date", "end_date", "craft"};
        for (int i = 0; i < 9; i++)
            json_object_set_new(o, cols[i],
                                db_col_null(st, i + 2) ? json_null()
                                : i == 3               ? json_integer(db_col_int(st, i + 2))
                                                       : json_string(db_col_text(st, i + 2)));
        char k[MS_ID_LEN + 260];
        snprintf(k, sizeof k, "%s|%s", db_col_text(st, 0), db_col_text(st, 1));
        json_object_set_new(have, k, o);
    }
    db_done(st);
    if (rc < 0) goto out;

    char now[MS_TIME_LEN];
    ms_now_str(now);
    json_object_foreach(s.work, key, w)
    {
        const char *title = json_string_value(json_object_get(w, "title"));
        const char *company = json_string_value(json_object_get(w, "company"));
        const char *org_id = json_string_value(json_object_get(w, "org_id"));
        const char *first = json_string_value(json_object_get(w, "first"));
        const char *last = json_string_value(json_object_get(w, "last"));
        const char *craft = json_string_value(json_object_get(w, "craft"));
        int64_t year = json_integer_value(json_object_get(w, "year"));
        json_t *h = json_object_get(have, key);
        out->credits++;
        if (h) {
            json_object_set_new(h, "seen", json_true());
            /* A credit entered by hand for the same project and role stays the person's. */
            if (strcmp(json_string_value(json_object_get(h, "source")), "production") != 0)
                continue;
            if (str_eq(title, json_string_value(json_object_get(h, "title"))) &&
                str_eq(company, json_string_value(json_object_get(h, "company"))) &&
                str_eq(org_id, json_string_value(json_object_get(h, "org_id"))) &&
                str_eq(first, json_string_value(json_object_get(h, "start_date"))) &&
                str_eq(last, json_string_value(json_object_get(h, "end_date"))) &&
                str_eq(craft, json_string_value(json_object_get(h, "craft"))) &&
                year == json_integer_value(json_object_get(h, "year")))
                continue;
            rc = db_exec(c, err,
                         "UPDATE talent_credit SET title = ?, year = ?, company = ?, org_id = ?, "
                         "start_date = ?, end_date = ?, craft = ?, updated_at = ?, version = "
                         "version + 1 WHERE id = ?",
                         "sIsssssss", title, year, company, org_id, first, last, craft, now,
                         json_string_value(json_object_get(h, "id")));
            if (rc < 0) goto out;
            out->updated++;
            continue;
        }
        char id[MS_ID_LEN];
        ms_uuid7(id);
        rc = db_exec(
            c, err,
            "INSERT INTO talent_credit (id, profile_id, title, role, craft, year, company, "
            "org_id, project_id, source, verified_at, start_date, end_date, created_by, "
            "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'production', ?, "
            "?, ?, ?, ?, ?)",
            "sssssIsssssssss", id, pid, title, json_string_value(json_object_get(w, "role")), craft,
            year, company, org_id, json_string_value(json_object_get(w, "project_id")), now, first,
            last, actor_id, now, now);
        if (rc < 0) goto out;
        out->added++;
    }
    /* Production credits whose work is gone. */
    json_object_foreach(have, key, w)
    {
        if (json_object_get(w, "seen") ||
            strcmp(json_string_value(json_object_get(w, "source")), "production") != 0)
            continue;
        rc = db_exec(c, err, "DELETE FROM talent_credit WHERE id = ?", "s",
                     json_string_value(json_object_get(w, "id")));
        if (rc < 0) goto out;
        out->removed++;
    }
    rc = 0;
    if (out->added + out->updated + out->removed) {
        if ((rc = talent_touch_conn(c, seq, err))) goto out;
        ms_event ev = {.actor_id = actor_id,
                       .action = "talent.credits.synced",
                       .object_type = "talent_profile",
                       .object_id = pid,
                       .org_id = steward[0] ? steward : NULL};
        rc = event_appendf(c, &ev, err,
                           "production credits brought up to date: %d added, %d changed, %d "
                           "removed",
                           out->added, out->updated, out->removed);
    }
out:
    json_decref(s.work);
    json_decref(s.projects);
    json_decref(have);
    return rc < 0 ? rc : 0;
}

int talent_sync_production(db_conn *c, int64_t seq, ms_error *err)
{
    sync_stats stats;
    return sync_run(c, seq, NULL, &stats, err);
}

/* POST /talent/profiles/{id}/sync: by whoever may edit the profile. */
int h_talent_sync(ms_req *r)
{
    talent_ref p;
    talent_viewer v;
    int rc = talent_open(r, ms_req_param(r, "id"), &p, &v);
    if (rc || (rc = talent_require_edit(r, &p, &v))) return rc;
    sync_stats s;
    if ((rc = sync_run(r->db, p.seq, r->caller->user_id, &s, &r->err))) return rc;
    return ms_reply(r, 200,
                    json_pack("{s:b,s:i,s:i,s:i,s:i}", "claimed", p.user_id[0] != 0, "credits",
                              s.credits, "added", s.added, "updated", s.updated, "removed",
                              s.removed));
}
