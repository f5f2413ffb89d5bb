/* common.c: helpers shared by the auth module's handlers (see auth_internal.h). */
#include "auth/auth_internal.h"

#include "core/buf.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

const char *const org_kinds[] = {"studio", "broadcaster", "platform", "distributor",
                                 "agency", "school",      "other",    NULL};
const char *const org_roles[] = {"owner", "admin", "member", "viewer", NULL};
const char *const partner_roles[] = {"co-producer", "vendor", "distributor", "client", NULL};
const char *const project_roles[] = {"admin", "member", "vendor", "client", "viewer", NULL};

int auth_event(ms_req *r, const char *action, const char *object_type, const char *object_id,
               const char *org_id, const char *project_id, json_t *data, const char *fmt, ...)
{
    ms_event ev = {.actor_id = r->caller ? r->caller->user_id : NULL,
                   .actor_name = r->caller ? r->caller->display_name : NULL,
                   .action = action,
                   .object_type = object_type,
                   .object_id = object_id,
                   .org_id = org_id,
                   .project_id = project_id,
                   .data = data};
    va_list ap;
    va_start(ap, fmt);
    int rc = event_vappendf(r->db, &ev, &r->err, fmt, ap);
    va_end(ap);
    json_decref(data);
    return rc;
}

int auth_reply_page(ms_req *r, db_stmt *st, int limit, const char *key_col,
                    void (*row_fn)(ms_req *r, json_t *item))
{
    int rc, n = 0, key = -1;
    bool more = false, int_key = false;
    int64_t last_int = 0;
    char last[256] = "";
    if (row_fn) {
        json_t *items = json_array();
        while ((rc = db_step(st, &r->err)) == DB_ROW) {
            if (n == limit) {
                more = true;
                break;
            }
            json_t *item = db_row_json(st);
            json_t *k = json_object_get(item, key_col);
            if (json_is_string(k))
                ms_strlcpy(last, json_string_value(k), sizeof last);
            else if (json_is_integer(k))
                snprintf(last, sizeof last, "%lld", (long long)json_integer_value(k));
            row_fn(r, item);
            json_array_append_new(items, item);
            n++;
        }
        db_done(st);
        if (rc < 0) {
            json_decref(items);
            return rc;
        }
        return ms_reply_list(r, items, more ? last : NULL);
    }
    /* Straight from the rows into the response text: no JSON objects in between. */
    ms_buf *o = &r->out;
    ms_buf_reset(o);
    ms_buf_reserve(o, (size_t)limit * 512 + 64); /* a typical row is a few hundred bytes */
    ms_buf_puts(o, "{\"items\":[");
    while ((rc = db_step(st, &r->err)) == DB_ROW) {
        if (n == limit) {
            more = true;
            break;
        }
        if (key < 0)
            for (int i = 0; i < db_col_count(st); i++)
                if (!strcmp(db_col_name(st, i), key_col)) key = i;
        if (key >= 0) {
            if (db_col_type(st, key) == DB_T_INT)
                last_int = db_col_int(st, key), int_key = true;
            else if (db_col_text(st, key))
                ms_strlcpy(last, db_col_text(st, key), sizeof last);
        }
        if (n) ms_buf_putc(o, ',');
        db_row_write_json(st, o);
        n++;
    }
    db_done(st);
    if (rc < 0) return rc;
    if (int_key) snprintf(last, sizeof last, "%lld", (long long)last_int);
    ms_buf_puts(o, "],\"next_cursor\":");
    if (more) {
        const char *c = ms_cursor_encode(r->arena, last);
        ms_buf_putc(o, '"');
        ms_buf_puts(o, c ? c : "");
        ms_buf_putc(o, '"');
    } else {
        ms_buf_puts(o, "null");
    }
    ms_buf_putc(o, '}');
    if (o->oom) return ms_req_fail(r, MS_ENOMEM, NULL, "out of memory");
    r->out_type = "application/json";
    r->status = 200;
    return 0;
}

int org_slug_from_name(const char *name, char out[48])
{
    size_t o = 0;
    bool dash = false;
    for (const char *p = name; *p && o < 40; p++) {
        char c = *p;
        if (c >= 'A' && c <= 'Z') c = (char)(c - 'A' + 'a');
        if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
            if (dash && o > 0) out[o++] = '-';
            dash = false;
            out[o++] = c;
        } else {
            dash = true;
        }
    }
    out[o] = 0;
    if (!ms_slug_valid(out, 40)) {
        /* Names without enough Latin letters (常州影视) get a random handle. */
        static const char b32[] = "abcdefghijkmnpqrstuvwxyz23456789";
        unsigned char rnd[6];
        ms_random_bytes(rnd, sizeof rnd);
        memcpy(out, "org-", 4);
        for (int i = 0; i < 6; i++)
            out[4 + i] = b32[rnd[i] & 31];
        out[10] = 0;
    }
    return 0;
}

bool auth_role_in(const char *role, const char *const *list)
{
    for (; *list; list++)
        if (strcmp(role, *list) == 0) return true;
    return false;
}

int auth_body_user(ms_req *r, char id_out[MS_ID_LEN])
{
    const char *uid = ms_json_str(r->body, "user_id"), *email = ms_json_str(r->body, "email");
    if (!uid == !email) return ms_field_fail(&r->err, "user_id", "give either user_id or email");
    db_stmt *st;
    int rc;
    if (uid) {
        rc =
            db_query_row(r->db, &st, &r->err, "SELECT id FROM user_account WHERE id = ?", "s", uid);
    } else {
        char *lower = ms_arena_strdup(r->arena, email);
        ms_str_lower(lower);
        rc = db_query_row(r->db, &st, &r->err, "SELECT id FROM user_account WHERE email = ?", "s",
                          lower);
    }
    if (rc < 0) return rc;
    if (rc == DB_DONE) {
        ms_field_fail(&r->err, uid ? "user_id" : "email",
                      "no account has this %s; invite them to an organization first",
                      uid ? "id" : "e-mail address");
        r->err.code = MS_EINVAL;
        snprintf(r->err.type, sizeof r->err.type, "unknown-user");
        return MS_EINVAL;
    }
    ms_strlcpy(id_out, db_col_text(st, 0), MS_ID_LEN);
    db_done(st);
    return 0;
}
