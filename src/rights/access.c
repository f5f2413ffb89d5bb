/* access.c: who the caller is in an organization's rights (view, edit, manage: see
 * rights_internal.h), the event every write appends, the revision that keeps the engine's
 * cache honest, and the organization's media registry. It does not decide membership:
 * auth's authz_org does, and this only reads the level it gives. */
#include "rights/rights_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int rights_org_name(ms_req *r, const char *org_id, char *out, size_t cap)
{
    db_stmt *st;
    int rc = db_query_row(r->db, &st, &r->err, "SELECT name FROM org WHERE id = ?", "s", org_id);
    if (rc < 0) return rc;
    if (rc == DB_DONE) return ms_req_fail(r, MS_ENOTFOUND, NULL, "No such organization.");
    ms_strlcpy(out, db_col_text(st, 0), cap);
    db_done(st);
    return 0;
}

int rights_org_get(ms_req *r, const char *org_id, rights_org *out)
{
    memset(out, 0, sizeof *out);
    if (!r->caller) return ms_req_fail(r, MS_EUNAUTH, NULL, "Sign in first.");
    ms_access a;
    int rc = authz_org(r->db, r->caller, org_id, &a, &r->err);
    if (rc || (rc = rights_org_name(r, org_id, out->org_name, sizeof out->org_name))) return rc;
    ms_strlcpy(out->org_id, org_id, sizeof out->org_id);
    ms_strlcpy(out->user_id, r->caller->user_id, sizeof out->user_id);
    out->level = a.level > LEVEL_MANAGE ? LEVEL_MANAGE : a.level;
    return 0;
}

int rights_org_of(ms_req *r, const char *sql, const char *id, const char *what, rights_org *out)
{
    if (!ms_uuid_valid(id)) return ms_req_fail(r, MS_ENOTFOUND, NULL, "No such %s.", what);
    db_stmt *st;
    int rc = db_query_row(r->db, &st, &r->err, sql, "s", id);
    if (rc < 0) return rc;
    if (rc == DB_DONE) return ms_req_fail(r, MS_ENOTFOUND, NULL, "No such %s.", what);
    char org[MS_ID_LEN];
    ms_strlcpy(org, db_col_text(st, 0), sizeof org);
    db_done(st);
    rc = rights_org_get(r, org, out);
    if (rc == MS_ENOTFOUND) {
        ms_error_clear(&r->err);
        return ms_req_fail(r, MS_ENOTFOUND, NULL, "No such %s.", what);
    }
    return rc;
}

int rights_require(ms_req *r, const rights_org *o, ms_level need, const char *doing)
{
    if (o->level >= need) return 0;
    return ms_req_fail(r, MS_EFORBIDDEN, "rights-role",
                       "Your role in %s (%s) may not %s: that needs %s.", o->org_name,
                       ms_level_name(o->level), doing,
                       need >= LEVEL_MANAGE ? "an admin or owner" : "a member, admin or owner");
}

int rights_event(ms_req *r, const rights_org *o, const char *action, const char *object_type,
                 const char *object_id, json_t *data, const char *fmt, ...)
{
    ms_event ev = {.actor_id = r->caller ? r->caller->user_id : NULL,
                   .action = action,
                   .object_type = object_type,
                   .object_id = object_id,
                   .org_id = o->org_id,
                   .data = data};
    va_list ap;
    va_start(ap, fmt);
    int rc = event_vappendf(r->db, &ev, &r->err, fmt, ap);
    va_end(ap);
    return rc;
}

int rights_title_changed(ms_req *r, const char *org_id, const char *title_id)
{
    /* The revision row is written by every change of the organization's windows: under
     * PostgreSQL's serializable transactions two racing changes conflict on it, so one of two
     * racing signatures is retried and then sees the other. */
    int rc = db_exec(r->db, &r->err,
                     "INSERT INTO rights_revision (org_id, revision) VALUES (?, 1) ON CONFLICT "
                     "(org_id) DO UPDATE SET revision = rights_revision.revision + 1",
                     "s", org_id);
    if (rc < 0) return rc;
    rc = db_exec(r->db, &r->err,
                 "INSERT INTO rights_title_rev (org_id, title_id, rev) SELECT org_id, ?, revision "
                 "FROM rights_revision WHERE org_id = ? ON CONFLICT (org_id, title_id) DO UPDATE "
                 "SET rev = excluded.rev",
                 "ss", title_id, org_id);
    return rc < 0 ? rc : 0;
}

/* ---- Media. ---- */

int rights_media_reg(ms_req *r, const char *org_id, dims_media_reg *reg)
{
    dims_media_reg_builtin(reg);
    db_stmt *st;
    int rc = db_query(r->db, &st, &r->err,
                      "SELECT code FROM rights_media WHERE org_id = ? ORDER BY created_at, code",
                      "s", org_id);
    if (rc) return rc;
    while ((rc = db_step(st, &r->err)) == DB_ROW)
        if (reg->n < AV_NMEDIA)
            reg->codes[reg->n++] = ms_arena_strdup(r->arena, db_col_text(st, 0));
    db_done(st);
    return rc < 0 ? rc : 0;
}

int rights_rows_json(ms_req *r, json_t *arr, const char *sql, const char *id,
                     void (*each)(json_t *row, const char *ctx), const char *ctx)
{
    db_stmt *st;
    int rc = db_query(r->db, &st, &r->err, sql, "s", id);
    if (rc) return rc;
    while ((rc = db_step(st, &r->err)) == DB_ROW) {
        json_t *row = db_row_json(st);
        if (each) each(row, ctx);
        json_array_append_new(arr, row);
    }
    db_done(st);
    return rc < 0 ? rc : 0;
}
