/* api.c: request and response helpers for handlers. See api.h. */
#include "core/api.h"

#include "core/json.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *ms_req_param(const ms_req *r, const char *name)
{
    for (int i = 0; i < r->nparams; i++)
        if (strcmp(r->param_names[i], name) == 0) return r->params[i];
    return NULL;
}

const char *ms_req_query(const ms_req *r, const char *name)
{
    for (int i = 0; i < r->nquery; i++)
        if (strcmp(r->query[i].key, name) == 0) return r->query[i].value;
    return NULL;
}

int ms_req_query_bool(ms_req *r, const char *name, bool def, bool *out)
{
    const char *v = ms_req_query(r, name);
    *out = def;
    if (!v) return 0;
    if (!strcmp(v, "true") || !strcmp(v, "1"))
        *out = true;
    else if (!strcmp(v, "false") || !strcmp(v, "0"))
        *out = false;
    else
        return ms_req_fail(r, MS_EBADREQ, "bad-query", "%s must be true or false.", name);
    return 0;
}

int ms_req_query_int(ms_req *r, const char *name, int64_t def, int64_t min, int64_t max,
                     int64_t *out)
{
    const char *v = ms_req_query(r, name);
    if (!v) {
        *out = def;
        return 0;
    }
    int64_t x;
    if (!ms_parse_int(v, &x) || x < min || x > max) {
        ms_field_fail(&r->err, name, "must be a whole number between %lld and %lld", (long long)min,
                      (long long)max);
        r->err.code = MS_EBADREQ;
        snprintf(r->err.type, sizeof r->err.type, "bad-query");
        snprintf(r->err.detail, sizeof r->err.detail, "A query parameter is invalid.");
        return MS_EBADREQ;
    }
    *out = x;
    return 0;
}

int ms_req_query_only(ms_req *r, const char *const *allowed)
{
    int bad = 0;
    for (int i = 0; i < r->nquery; i++) {
        const char *const *a = allowed;
        while (*a && strcmp(*a, r->query[i].key) != 0)
            a++;
        if (!*a) {
            char name[64];
            snprintf(name, sizeof name, "%s", r->query[i].key);
            if (!ms_str_is_clean_text(name, sizeof name, false)) snprintf(name, sizeof name, "?");
            ms_field_fail(&r->err, name, "is not a known query parameter");
            bad = 1;
        }
    }
    if (!bad) return 0;
    r->err.code = MS_EBADREQ;
    snprintf(r->err.type, sizeof r->err.type, "bad-query");
    snprintf(r->err.detail, sizeof r->err.detail, "The request has unknown query parameters.");
    return MS_EBADREQ;
}

int ms_req_page(ms_req *r, int *limit, char *key, size_t keycap)
{
    int64_t l;
    int rc = ms_req_query_int(r, "limit", 50, 1, 500, &l);
    if (rc) return rc;
    *limit = (int)l;
    key[0] = '\0';
    const char *c = ms_req_query(r, "cursor");
    if (!c || !*c) return 0;
    uint8_t raw[256];
    long n = strlen(c) < 340 ? ms_b64url_decode(c, raw, sizeof raw - 1) : -1;
    if (n <= 0 || (size_t)n >= keycap || memchr(raw, 0, (size_t)n)) {
        ms_field_fail(&r->err, "cursor", "is not a cursor this server issued");
        r->err.code = MS_EBADREQ;
        snprintf(r->err.type, sizeof r->err.type, "bad-query");
        snprintf(r->err.detail, sizeof r->err.detail, "The cursor is invalid.");
        return MS_EBADREQ;
    }
    memcpy(key, raw, (size_t)n);
    key[n] = '\0';
    return 0;
}

char *ms_cursor_encode(ms_arena *a, const char *key)
{
    size_t n = strlen(key);
    char *out = ms_arena_alloc(a, 4 * (n / 3 + 1) + 2);
    if (out) ms_b64url_encode((const uint8_t *)key, n, out);
    return out;
}

int ms_reply(ms_req *r, int status, json_t *j)
{
    if (r->json) json_decref(r->json);
    r->status = status;
    r->json = j;
    return 0;
}

int ms_reply_list(ms_req *r, json_t *items, const char *next_cursor_key)
{
    json_t *o = json_object();
    json_object_set_new(o, "items", items);
    if (next_cursor_key) {
        const char *c = ms_cursor_encode(r->arena, next_cursor_key);
        json_object_set_new(o, "next_cursor", c ? json_string(c) : json_null());
    } else {
        json_object_set_new(o, "next_cursor", json_null());
    }
    return ms_reply(r, 200, o);
}

const char *ms_req_header(const ms_req *r, const char *name)
{
    return r->header_fn ? r->header_fn(r->header_ctx, name) : NULL;
}

int ms_reply_stream(ms_req *r, int status, const char *type, int64_t size, ms_stream_fn fn,
                    void (*free_fn)(void *ctx), void *ctx)
{
    if (r->stream && r->stream_free) r->stream_free(r->stream_ctx);
    r->status = status;
    r->out_type = type;
    r->stream = fn;
    r->stream_free = free_fn;
    r->stream_ctx = ctx;
    r->stream_size = size;
    return 0;
}

int ms_reply_problem(ms_req *r, int status, const char *slug, const char *title, json_t *doc,
                     const char *fmt, ...)
{
    char detail[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(detail, sizeof detail, fmt, ap);
    va_end(ap);
    char type[96];
    snprintf(type, sizeof type, "urn:mstation:problem:%s", slug);
    json_object_set_new(doc, "type", json_string(type));
    json_object_set_new(doc, "title", json_string(title));
    json_object_set_new(doc, "status", json_integer(status));
    json_object_set_new(doc, "detail", json_string(detail));
    json_object_set_new(doc, "request_id", json_string(r->request_id ? r->request_id : ""));
    char *t = json_dumps(doc, JSON_COMPACT);
    json_decref(doc);
    if (!t) return ms_req_fail(r, MS_ENOMEM, NULL, "out of memory");
    ms_buf_puts(&r->out, t);
    free(t);
    r->status = status;
    r->out_type = "application/problem+json";
    return 0;
}

int ms_reply_empty(ms_req *r)
{
    return ms_reply(r, 204, NULL);
}

void ms_reply_header(ms_req *r, const char *key, const char *value)
{
    for (int i = 0; i < r->nheaders; i++) {
        if (strcmp(r->headers[i].key, key) == 0) {
            r->headers[i].value = value;
            return;
        }
    }
    if (r->nheaders < MS_RESP_HEADERS_MAX) r->headers[r->nheaders++] = (ms_kv){key, value};
}

void ms_reply_etag(ms_req *r, int64_t version)
{
    char *v = ms_arena_printf(r->arena, "\"%lld\"", (long long)version);
    if (v) ms_reply_header(r, "ETag", v);
}

int ms_req_check_version(ms_req *r, int64_t current)
{
    const char *m = r->if_match;
    if (!m) return 0;
    while (*m == ' ')
        m++;
    if (strcmp(m, "*") == 0) return 0;
    /* A list of entity tags: "3", W/"3" (weak tags never match for If-Match, RFC 9110 13.1.1). */
    const char *p = m;
    bool any = false;
    while (*p) {
        while (*p == ' ' || *p == ',')
            p++;
        if (!*p) break;
        bool weak = false;
        if (p[0] == 'W' && p[1] == '/') {
            weak = true;
            p += 2;
        }
        if (*p != '"') break;
        const char *q = strchr(p + 1, '"');
        if (!q) break;
        any = true;
        char tag[32];
        size_t n = (size_t)(q - p - 1);
        if (!weak && n < sizeof tag) {
            memcpy(tag, p + 1, n);
            tag[n] = 0;
            int64_t v;
            if (ms_parse_int(tag, &v) && v == current) return 0;
        }
        p = q + 1;
    }
    if (!any || *p)
        return ms_req_fail(r, MS_EBADREQ, "bad-precondition",
                           "If-Match must be an entity tag from ETag, such as \"3\".");
    return ms_req_fail(r, MS_ESTALE, "stale-version",
                       "The object was changed by someone else (it is now at version %lld); "
                       "reload it and apply your change again.",
                       (long long)current);
}

int ms_req_fail(ms_req *r, int code, const char *type, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    ms_vfail(&r->err, code, type, fmt, ap);
    va_end(ap);
    return code;
}

/* ---- Whole text bodies of streamed routes (imports). ---- */

typedef struct body_text {
    char *data;
    size_t len, cap;
} body_text;

static void body_text_free(ms_req *r, bool completed)
{
    (void)completed;
    body_text *b = r->module_state;
    if (b) free(b->data);
    free(b);
    r->module_state = NULL;
}

int ms_table_body_delim(const char *ct)
{
    static const char *const types[] = {"text/tab-separated-values",
                                        "text/csv",
                                        "text/plain",
                                        "text/x-csv",
                                        "text/comma-separated-values",
                                        "application/csv",
                                        "application/octet-stream",
                                        NULL};
    if (!ct) return 0;
    int i = ms_content_type_index(ct, types);
    return i < 0 ? -1 : i == 0 ? '\t' : 0;
}

int ms_content_type_index(const char *ct, const char *const *types)
{
    if (!ct) return -1;
    while (*ct == ' ')
        ct++;
    size_t n = strcspn(ct, "; ");
    for (int i = 0; types[i]; i++)
        if (strlen(types[i]) == n && !strncasecmp(ct, types[i], n)) return i;
    return -1;
}

int ms_req_body_collect(ms_req *r, const char *data, size_t len, size_t max, const char *what)
{
    body_text *b = r->module_state;
    if (!b) {
        if (r->content_length > (int64_t)max)
            return ms_req_fail(r, MS_ETOOBIG, "body-too-large",
                               "%s is at most %zu MiB; split the file.", what, max >> 20);
        b = calloc(1, sizeof *b);
        if (!b) return ms_req_fail(r, MS_ENOMEM, NULL, "out of memory");
        r->module_state = b;
        r->cleanup = body_text_free;
        b->cap = r->content_length > 0 ? (size_t)r->content_length + 1 : 65536;
        b->data = malloc(b->cap);
        if (!b->data) return ms_req_fail(r, MS_ENOMEM, NULL, "out of memory");
        b->data[0] = 0;
    }
    if (b->len + len > max)
        return ms_req_fail(r, MS_ETOOBIG, "body-too-large",
                           "%s is at most %zu MiB; split the file.", what, max >> 20);
    if (b->len + len + 1 > b->cap) {
        size_t cap = b->cap * 2 > b->len + len + 1 ? b->cap * 2 : b->len + len + 1;
        if (cap > max + 1) cap = max + 1;
        char *p = realloc(b->data, cap);
        if (!p) return ms_req_fail(r, MS_ENOMEM, NULL, "out of memory");
        b->data = p;
        b->cap = cap;
    }
    memcpy(b->data + b->len, data, len);
    b->len += len;
    b->data[b->len] = 0;
    return 0;
}

const char *ms_req_body_text(const ms_req *r, size_t *len)
{
    const body_text *b = r->module_state;
    *len = b ? b->len : 0;
    return b ? b->data : "";
}
