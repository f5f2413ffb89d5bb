/* access.c: who may read which field of a talent profile, who may change it, and the
 * bookkeeping every talent write does (the revision the search index follows, the event).
 *
 * The rule (talent_internal.h): a viewer reads a field when its visibility is at most the
 * viewer's level for that profile. The level is worked out here and nowhere else; every read
 * path (profile, cards, credits, availability, search, facets, matching, export) asks this
 * file. It does not decide memberships: auth's tables do, read here. */
#include "talent/talent_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const talent_field_names[TF_COUNT] = {
    "names",        "headline",  "bio",      "crafts", "skills",   "languages", "location",
    "affiliations", "education", "showreel", "rates",  "contacts", "credits",   "availability"};

const char *const talent_vis_names[4] = {"public", "platform", "orgs", "private"};

const talent_vis talent_vis_default[TF_COUNT] = {
    [TF_NAMES] = TV_PUBLIC,      [TF_HEADLINE] = TV_PUBLIC,       [TF_BIO] = TV_PLATFORM,
    [TF_CRAFTS] = TV_PUBLIC,     [TF_SKILLS] = TV_PLATFORM,       [TF_LANGUAGES] = TV_PLATFORM,
    [TF_LOCATION] = TV_PLATFORM, [TF_AFFILIATIONS] = TV_PLATFORM, [TF_EDUCATION] = TV_PLATFORM,
    [TF_SHOWREEL] = TV_PLATFORM, [TF_RATES] = TV_PRIVATE,         [TF_CONTACTS] = TV_PRIVATE,
    [TF_CREDITS] = TV_PLATFORM,  [TF_AVAILABILITY] = TV_PLATFORM,
};

int talent_vis_parse(const char *s)
{
    for (int i = 0; s && i < 4; i++)
        if (!strcmp(s, talent_vis_names[i])) return i;
    return -1;
}

int talent_field_parse(const char *s)
{
    for (int i = 0; s && i < TF_COUNT; i++)
        if (!strcmp(s, talent_field_names[i])) return i;
    return -1;
}

void talent_vis_from_json(const char *text, talent_vis vis[TF_COUNT])
{
    memcpy(vis, talent_vis_default, sizeof talent_vis_default);
    json_t *j = text ? json_loads(text, 0, NULL) : NULL;
    for (int f = 0; j && f < TF_COUNT; f++) {
        int v = talent_vis_parse(json_string_value(json_object_get(j, talent_field_names[f])));
        if (v >= 0) vis[f] = (talent_vis)v;
    }
    json_decref(j);
}

json_t *talent_vis_json(const talent_vis vis[TF_COUNT])
{
    json_t *o = json_object();
    for (int f = 0; f < TF_COUNT; f++)
        json_object_set_new(o, talent_field_names[f], json_string(talent_vis_names[vis[f]]));
    return o;
}

/* ---- Loading a profile and its viewer. ---- */

#define REF_COLS "seq, id, user_id, steward_org_id, visibility, listed, version, deleted_at"

static void ref_fill(db_stmt *st, talent_ref *p)
{
    memset(p, 0, sizeof *p);
    p->seq = db_col_int(st, 0);
    ms_strlcpy(p->id, db_col_text(st, 1), sizeof p->id);
    if (!db_col_null(st, 2)) ms_strlcpy(p->user_id, db_col_text(st, 2), sizeof p->user_id);
    if (!db_col_null(st, 3))
        ms_strlcpy(p->steward_org_id, db_col_text(st, 3), sizeof p->steward_org_id);
    talent_vis_from_json(db_col_text(st, 4), p->vis);
    p->listed = db_col_int(st, 5) != 0;
    p->version = db_col_int(st, 6);
}

/* The caller's role in organization `org` ("" when not a member). */
static int member_role(db_conn *c, const char *org, const char *user, char *role, size_t cap,
                       ms_error *err)
{
    role[0] = 0;
    db_stmt *st;
    int rc =
        db_query_row(c, &st, err, "SELECT role FROM membership WHERE org_id = ? AND user_id = ?",
                     "ss", org, user);
    if (rc < 0) return rc;
    if (rc == DB_ROW) {
        ms_strlcpy(role, db_col_text(st, 0), cap);
        db_done(st);
    }
    return 0;
}

int talent_viewer_for(db_conn *c, const ms_caller *caller, const talent_ref *p, talent_viewer *v,
                      ms_error *err)
{
    memset(v, 0, sizeof *v);
    v->level = TV_PUBLIC;
    if (!caller) return 0;
    v->level = TV_PLATFORM;
    if (p->user_id[0] && !strcmp(p->user_id, caller->user_id)) {
        v->level = TV_PRIVATE;
        v->self = v->can_edit = true;
        return 0;
    }
    int rc;
    if (p->steward_org_id[0]) {
        char role[16];
        if ((rc = member_role(c, p->steward_org_id, caller->user_id, role, sizeof role, err)))
            return rc;
        if (role[0]) {
            v->level = TV_ORGS;
            v->steward = strcmp(role, "viewer") != 0;
            if (!p->user_id[0]) {
                /* Until the person claims it, the steward keeps the profile for them. */
                v->level = TV_PRIVATE;
                v->can_edit = v->steward;
            }
            return 0;
        }
    }
    if (p->user_id[0]) {
        db_stmt *st;
        rc = db_query_row(c, &st, err,
                          "SELECT 1 FROM membership a JOIN membership b ON b.org_id = a.org_id "
                          "WHERE a.user_id = ? AND b.user_id = ? LIMIT 1",
                          "ss", caller->user_id, p->user_id);
        if (rc < 0) return rc;
        if (rc == DB_ROW) {
            db_done(st);
            v->level = TV_ORGS;
        }
    }
    return 0;
}

static int open_where(ms_req *r, const char *where, const char *types, const void *key,
                      talent_ref *p, talent_viewer *v)
{
    db_stmt *st;
    char sql[160];
    snprintf(sql, sizeof sql, "SELECT " REF_COLS " FROM talent_profile WHERE %s", where);
    int rc = types[0] == 's' ? db_query_row(r->db, &st, &r->err, sql, "s", (const char *)key)
                             : db_query_row(r->db, &st, &r->err, sql, "I", *(const int64_t *)key);
    if (rc < 0) return rc;
    if (rc == DB_DONE) return MS_ENOTFOUND;
    bool erased = !db_col_null(st, 7);
    ref_fill(st, p);
    db_done(st);
    if (erased) return MS_ENOTFOUND;
    if ((rc = talent_viewer_for(r->db, r->caller, p, v, &r->err))) return rc;
    return talent_sees(v, p, TF_NAMES) ? 0 : MS_ENOTFOUND;
}

int talent_open(ms_req *r, const char *profile_id, talent_ref *p, talent_viewer *v)
{
    int rc = profile_id && ms_uuid_valid(profile_id)
                 ? open_where(r, "id = ?", "s", profile_id, p, v)
                 : MS_ENOTFOUND;
    if (rc == MS_ENOTFOUND) return ms_req_fail(r, MS_ENOTFOUND, NULL, "No such profile.");
    return rc;
}

int talent_open_seq(ms_req *r, int64_t seq, talent_ref *p, talent_viewer *v)
{
    return open_where(r, "seq = ?", "I", &seq, p, v);
}

int talent_require_edit(ms_req *r, const talent_ref *p, const talent_viewer *v)
{
    (void)p;
    if (v->can_edit) return 0;
    return ms_req_fail(r, MS_EFORBIDDEN, "talent-not-yours",
                       "Only the person may change this profile (or, before they claim it, the "
                       "members of the organization that keeps it).");
}

int talent_viewer_orgs(ms_req *r, const char ***ids, int *n)
{
    *ids = NULL;
    *n = 0;
    if (!r->caller) return 0;
    db_stmt *st;
    int rc = db_query(r->db, &st, &r->err, "SELECT org_id FROM membership WHERE user_id = ?", "s",
                      r->caller->user_id);
    if (rc) return rc;
    int cap = 0;
    const char **out = NULL;
    while ((rc = db_step(st, &r->err)) == DB_ROW) {
        if (*n == cap) {
            cap = cap ? cap * 2 : 8;
            const char **grown = ms_arena_alloc(r->arena, (size_t)cap * sizeof *grown);
            if (!grown) {
                db_done(st);
                return ms_req_fail(r, MS_ENOMEM, NULL, "out of memory");
            }
            if (*n) memcpy(grown, out, (size_t)*n * sizeof *grown);
            out = grown;
        }
        out[(*n)++] = ms_arena_strdup(r->arena, db_col_text(st, 0));
    }
    db_done(st);
    *ids = out;
    return rc < 0 ? rc : 0;
}

/* ---- Bookkeeping of writes. ---- */

int talent_touch_conn(db_conn *c, int64_t seq, ms_error *err)
{
    int rc = db_exec(c, err,
                     "INSERT INTO talent_revision (id, rev) VALUES (1, 1) ON CONFLICT (id) DO "
                     "UPDATE SET rev = talent_revision.rev + 1",
                     "");
    if (rc < 0) return rc;
    rc = db_exec(c, err,
                 "UPDATE talent_profile SET rev = (SELECT rev FROM talent_revision WHERE id = 1) "
                 "WHERE seq = ?",
                 "I", seq);
    if (rc < 0) return rc;
    return talent_reindex(c, seq, err);
}

int talent_touch(ms_req *r, const talent_ref *p)
{
    return talent_touch_conn(r->db, p->seq, &r->err);
}

int talent_event(ms_req *r, const talent_ref *p, const char *action, const char *object_type,
                 const char *object_id, const char *fmt, ...)
{
    ms_event ev = {.actor_id = r->caller ? r->caller->user_id : NULL,
                   .action = action,
                   .object_type = object_type,
                   .object_id = object_id,
                   .org_id = p && p->steward_org_id[0] ? p->steward_org_id : NULL};
    va_list ap;
    va_start(ap, fmt);
    int rc = event_vappendf(r->db, &ev, &r->err, fmt, ap);
    va_end(ap);
    return rc;
}
