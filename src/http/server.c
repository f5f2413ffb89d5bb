/* server.c: the request life cycle on top of libmicrohttpd.
 *
 * libmicrohttpd calls the access handler several times per request:
 *   1. once when the headers are in: we create the request context, match the route,
 *      authenticate, check CSRF, content type and declared size. Anything wrong is answered
 *      right here, before a byte of the body is read (a 5 GB upload to a wrong URL costs
 *      nothing);
 *   2. once per piece of body: JSON bodies are collected up to max_body, streamed bodies go
 *      to the route's on_body;
 *   3. once more with no data: we run the handler and queue the response.
 * The completed callback then records metrics, writes the access log line and frees the
 * request's arena.
 *
 * Write requests (POST, PUT, PATCH, DELETE) run in one database transaction that covers the
 * authorization check, the handler, its events and the idempotency record; any error rolls
 * all of it back, so a failed request changes nothing. Routes flagged MS_ROUTE_NO_TX manage
 * their own transactions (password hashing must not hold the write lock).
 *
 * Errors are RFC 9457 problem documents: {"type": "urn:mstation:problem:<slug>", "title",
 * "status", "detail", "request_id", "errors": [{"field", "message"}]}. */
#include "http/http_internal.h"

#include "auth/auth.h"
#include "core/buf.h"
#include "core/id.h"
#include "core/json.h"
#include "core/log.h"
#include "core/time.h"
#include "store/idempotency.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

typedef struct req_ctx {
    ms_server *srv;
    ms_arena arena;
    ms_req req;
    route_match m;
    int slot;
    ms_buf body;
    bool body_too_big;
    bool responded;
    bool is_api;
    uint64_t t0;
    ms_caller caller;
    ms_access access;
    char request_id[64];
    char ip[INET6_ADDRSTRLEN];
    const char *idem_key;
    const char *csrf_header;
    int status;
    uint64_t resp_bytes;
    db_conn *conn; /* held from authentication to the response for requests without a body */
    bool has_body;
    bool no_host; /* HTTP/1.1 without Host: RFC 9112 says 400 */
} req_ctx;

static const char *reason_phrase(int status)
{
    const char *r = MHD_get_reason_phrase_for((unsigned)status);
    return r && *r ? r : "Error";
}

/* ---- Responses. ---- */

static void add_common_headers(req_ctx *x, struct MHD_Response *resp)
{
    MHD_add_response_header(resp, "X-Request-Id", x->request_id);
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    if (x->is_api) MHD_add_response_header(resp, "Cache-Control", "no-store");
}

static enum MHD_Result queue(req_ctx *x, struct MHD_Connection *conn, int status,
                             struct MHD_Response *resp)
{
    add_common_headers(x, resp);
    for (int i = 0; i < x->req.nheaders; i++)
        MHD_add_response_header(resp, x->req.headers[i].key, x->req.headers[i].value);
    x->status = status;
    x->responded = true;
    enum MHD_Result r = MHD_queue_response(conn, (unsigned)status, resp);
    MHD_destroy_response(resp);
    return r;
}

static enum MHD_Result queue_bytes(req_ctx *x, struct MHD_Connection *conn, int status,
                                   const char *type, char *data, size_t len)
{
    struct MHD_Response *resp = MHD_create_response_from_buffer(
        len, data, data ? MHD_RESPMEM_MUST_FREE : MHD_RESPMEM_PERSISTENT);
    if (!resp) {
        free(data);
        return MHD_NO;
    }
    if (type) MHD_add_response_header(resp, "Content-Type", type);
    x->resp_bytes = len;
    return queue(x, conn, status, resp);
}

/* ---- Streamed bodies (downloads). ---- */

typedef struct stream_ctx {
    ms_stream_fn fn;
    void (*free_fn)(void *ctx);
    void *ctx;
} stream_ctx;

static ssize_t stream_read(void *cls, uint64_t pos, char *buf, size_t max)
{
    stream_ctx *s = cls;
    long n = s->fn(s->ctx, pos, buf, max);
    if (n == 0) return MHD_CONTENT_READER_END_OF_STREAM;
    if (n < 0) return MHD_CONTENT_READER_END_WITH_ERROR;
    return (ssize_t)n;
}

static void stream_free(void *cls)
{
    stream_ctx *s = cls;
    if (s->free_fn) s->free_fn(s->ctx);
    free(s);
}

static void drop_stream(ms_req *r)
{
    if (r->stream && r->stream_free) r->stream_free(r->stream_ctx);
    r->stream = NULL;
    r->stream_free = NULL;
    r->stream_ctx = NULL;
}

static enum MHD_Result queue_stream(req_ctx *x, struct MHD_Connection *conn, int status)
{
    ms_req *r = &x->req;
    stream_ctx *s = malloc(sizeof *s);
    if (!s) {
        drop_stream(r);
        return MHD_NO;
    }
    *s = (stream_ctx){r->stream, r->stream_free, r->stream_ctx};
    r->stream = NULL;
    r->stream_free = NULL;
    r->stream_ctx = NULL;
    uint64_t size = r->stream_size < 0 ? MHD_SIZE_UNKNOWN : (uint64_t)r->stream_size;
    struct MHD_Response *resp =
        MHD_create_response_from_callback(size, 256 * 1024, stream_read, s, stream_free);
    if (!resp) {
        stream_free(s);
        return MHD_NO;
    }
    if (r->out_type) MHD_add_response_header(resp, "Content-Type", r->out_type);
    x->resp_bytes = r->stream_size > 0 ? (uint64_t)r->stream_size : 0;
    return queue(x, conn, status, resp);
}

static char *problem_text(req_ctx *x, int status, const ms_error *e, size_t *len)
{
    ms_buf b;
    ms_buf_init(&b);
    ms_buf_puts(&b, "{\"type\":");
    char type[96];
    snprintf(type, sizeof type, "urn:mstation:problem:%s",
             e->type[0] ? e->type : ms_error_slug(e->code));
    ms_buf_put_json_str(&b, type);
    ms_buf_puts(&b, ",\"title\":");
    ms_buf_put_json_str(&b, reason_phrase(status));
    ms_buf_printf(&b, ",\"status\":%d,\"detail\":", status);
    ms_buf_put_json_str(&b, e->detail[0] ? e->detail : reason_phrase(status));
    ms_buf_puts(&b, ",\"request_id\":");
    ms_buf_put_json_str(&b, x->request_id);
    if (e->nfields) {
        ms_buf_puts(&b, ",\"errors\":[");
        for (int i = 0; i < e->nfields; i++) {
            if (i) ms_buf_putc(&b, ',');
            ms_buf_puts(&b, "{\"field\":");
            ms_buf_put_json_str(&b, e->fields[i].field);
            ms_buf_puts(&b, ",\"message\":");
            ms_buf_put_json_str(&b, e->fields[i].message);
            ms_buf_putc(&b, '}');
        }
        ms_buf_putc(&b, ']');
    }
    /* Members a handler added to its failure (the deals a conflict is with, ...). */
    const char *key;
    json_t *v;
    json_object_foreach(x->req.problem, key, v)
    {
        if (!strcmp(key, "type") || !strcmp(key, "title") || !strcmp(key, "status") ||
            !strcmp(key, "detail") || !strcmp(key, "request_id") || !strcmp(key, "errors"))
            continue;
        char *dumped = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
        if (!dumped) continue;
        ms_buf_putc(&b, ',');
        ms_buf_put_json_str(&b, key);
        ms_buf_putc(&b, ':');
        ms_buf_puts(&b, dumped);
        free(dumped);
    }
    ms_buf_putc(&b, '}');
    if (b.oom) {
        ms_buf_free(&b);
        return NULL;
    }
    *len = b.len;
    return ms_buf_take(&b);
}

static enum MHD_Result queue_problem(req_ctx *x, struct MHD_Connection *conn, const ms_error *e)
{
    int status = ms_error_http_status(e->code);
    if (e->code == MS_EBADREQ && x->m.allow[0] && !strcmp(e->type, "method-not-allowed"))
        status = 405;
    if (!strcmp(e->type, "unsupported-media-type")) status = 415;
    if (!strcmp(e->type, "header-too-large")) status = 431;
    if (!strcmp(e->type, "range-not-satisfiable")) status = 416;
    if (!strcmp(e->type, "checksum-mismatch")) status = 460; /* tus checksum extension */
    if (status >= 500)
        ms_log(MS_LOG_ERROR, "request failed",
               json_pack("{s:s,s:s,s:s,s:i}", "request_id", x->request_id, "type", e->type,
                         "detail", e->detail, "code", e->code));
    size_t len = 0;
    char *text = problem_text(x, status, e, &len);
    if (status == 405) ms_reply_header(&x->req, "Allow", x->m.allow);
    if (status == 401) ms_reply_header(&x->req, "WWW-Authenticate", "Bearer realm=\"mstation\"");
    return queue_bytes(x, conn, status, "application/problem+json", text, text ? len : 0);
}

static enum MHD_Result fail(req_ctx *x, struct MHD_Connection *conn, int code, const char *type,
                            const char *fmt, const char *arg)
{
    ms_error e;
    ms_error_clear(&e);
    ms_fail(&e, code, type, fmt, arg ? arg : "");
    return queue_problem(x, conn, &e);
}

/* ---- Reading the request. ---- */

static const char *header(struct MHD_Connection *c, const char *name)
{
    return MHD_lookup_connection_value(c, MHD_HEADER_KIND, name);
}

static const char *request_header(void *conn, const char *name)
{
    return header(conn, name);
}

static void client_ip(req_ctx *x, struct MHD_Connection *conn)
{
    x->ip[0] = 0;
    if (x->srv->config.trust_proxy) {
        /* The proxy appends the address it saw: the last entry is the one to trust. */
        const char *xff = header(conn, "X-Forwarded-For");
        if (xff) {
            const char *last = strrchr(xff, ',');
            last = last ? last + 1 : xff;
            while (*last == ' ')
                last++;
            char tmp[INET6_ADDRSTRLEN];
            ms_strlcpy(tmp, last, sizeof tmp);
            tmp[strcspn(tmp, " ")] = 0;
            unsigned char buf[sizeof(struct in6_addr)];
            if (inet_pton(AF_INET, tmp, buf) == 1 || inet_pton(AF_INET6, tmp, buf) == 1) {
                ms_strlcpy(x->ip, tmp, sizeof x->ip);
                return;
            }
        }
    }
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    if (!ci || !ci->client_addr) return;
    const struct sockaddr *sa = ci->client_addr;
    if (sa->sa_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, x->ip, sizeof x->ip);
    else if (sa->sa_family == AF_INET6)
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, x->ip, sizeof x->ip);
}

static enum MHD_Result collect_query(void *cls, enum MHD_ValueKind kind, const char *key,
                                     const char *value)
{
    req_ctx *x = cls;
    (void)kind;
    if (x->req.nquery >= MS_QUERY_MAX) {
        x->req.nquery = MS_QUERY_MAX + 1; /* marks "too many" */
        return MHD_NO;
    }
    x->req.query[x->req.nquery].key = key;
    x->req.query[x->req.nquery].value = value ? value : "";
    x->req.nquery++;
    return MHD_YES;
}

static enum MHD_Result count_header(void *cls, enum MHD_ValueKind kind, const char *key,
                                    const char *value)
{
    (void)kind;
    *(size_t *)cls += strlen(key) + (value ? strlen(value) : 0) + 4; /* ": " and CRLF */
    return MHD_YES;
}

static bool request_id_ok(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > 64) return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_' || c == '.' || c == ':'))
            return false;
    }
    return true;
}

/* The largest JSON body a route takes: max_body, or 64 MiB for manifests (a 1 TB file is
 * about 500,000 chunks). */
static int64_t body_limit(const ms_server *s, const ms_route *r)
{
    int64_t big = 64LL << 20;
    return (r->flags & MS_ROUTE_LARGE) && s->config.max_body < big ? big : s->config.max_body;
}

static bool is_write(const char *method)
{
    return !strcmp(method, "POST") || !strcmp(method, "PUT") || !strcmp(method, "PATCH") ||
           !strcmp(method, "DELETE");
}

static bool json_content_type(const char *ct)
{
    if (!ct) return false;
    while (*ct == ' ')
        ct++;
    size_t n = strcspn(ct, "; ");
    return (n == 16 && !strncasecmp(ct, "application/json", 16)) ||
           (n > 5 && n < 80 && !strncasecmp(ct + n - 5, "+json", 5));
}

static const char *bearer_token(const char *auth)
{
    if (!auth) return NULL;
    if (strncasecmp(auth, "Bearer ", 7) != 0) return "";
    auth += 7;
    while (*auth == ' ')
        auth++;
    return auth;
}

/* First call: everything that can be decided from the request line and headers. */
static enum MHD_Result begin_request(req_ctx *x, struct MHD_Connection *conn, const char *url,
                                     const char *method)
{
    ms_server *s = x->srv;
    ms_req *r = &x->req;
    r->method = method;
    r->path = ms_arena_strdup(&x->arena, url);
    r->header_fn = request_header;
    r->header_ctx = conn;
    r->request_id = x->request_id;
    client_ip(x, conn);
    r->client_ip = x->ip;
    r->user_agent = header(conn, "User-Agent");
    r->if_match = header(conn, "If-Match");
    r->if_none_match = header(conn, "If-None-Match");
    r->content_type = header(conn, "Content-Type");
    x->idem_key = header(conn, "Idempotency-Key");
    x->csrf_header = header(conn, "X-CSRF-Token");
    const char *cl = header(conn, "Content-Length");
    int64_t len = -1;
    if (cl && !ms_parse_int(cl, &len)) len = -1;
    r->content_length = len;
    x->is_api = ms_str_has_prefix(url, "/api/");

    if (s->draining)
        return fail(x, conn, MS_EBUSY, "shutting-down", "The server is shutting down.%s", NULL);
    if (x->no_host)
        return fail(x, conn, MS_EBADREQ, "missing-host",
                    "An HTTP/1.1 request must have a Host header.%s", NULL);
    /* libmicrohttpd limits headers only by its connection memory pool, which must also hold
     * the response's headers: the pool is max_header plus room for the answer (see
     * server_start), and the limit is enforced here, so an oversized request always gets its
     * 431 instead of a dropped connection. */
    size_t header_bytes = strlen(url) + strlen(method) + 12;
    MHD_get_connection_values(conn, MHD_HEADER_KIND, count_header, &header_bytes);
    if (header_bytes > (size_t)s->config.max_header) {
        char lim[32];
        snprintf(lim, sizeof lim, "%lld", (long long)s->config.max_header);
        return fail(x, conn, MS_EBADREQ, "header-too-large",
                    "The request line and headers are larger than the limit of %s bytes.", lim);
    }

    /* Route. */
    char *scratch = ms_arena_alloc(&x->arena, strlen(url) + 1);
    int rc =
        scratch ? router_match(s->router, method, url, scratch, strlen(url) + 1, &x->m) : MS_ENOMEM;
    if (rc == MS_EBADREQ) {
        x->slot = router_count(s->router) + 1;
        return fail(x, conn, MS_EBADREQ, "method-not-allowed",
                    "This path does not accept this method.%s", NULL);
    }
    if (rc) {
        /* Not an API route: the web UI's files, for GET and HEAD. */
        x->slot = router_count(s->router) + 1;
        if (!x->is_api && (!strcmp(method, "GET") || !strcmp(method, "HEAD"))) {
            int status = 404;
            struct MHD_Response *resp = static_response(s, url, r->if_none_match, &status);
            if (resp) {
                x->slot = router_count(s->router);
                return queue(x, conn, status, resp);
            }
        }
        return fail(x, conn, MS_ENOTFOUND, "not-found", "There is nothing at this address.%s",
                    NULL);
    }
    x->slot = x->m.index;
    const ms_route *route = x->m.route;
    r->route = route;
    r->nparams = x->m.nparams;
    for (int i = 0; i < x->m.nparams; i++) {
        r->param_names[i] = x->m.names[i];
        r->params[i] = x->m.values[i];
        if (!ms_str_is_clean_text(r->params[i], 1024, false))
            return fail(x, conn, MS_ENOTFOUND, "not-found", "There is nothing at this address.%s",
                        NULL);
    }
    MHD_get_connection_values(conn, MHD_GET_ARGUMENT_KIND, collect_query, x);
    if (r->nquery > MS_QUERY_MAX)
        return fail(x, conn, MS_EBADREQ, "bad-query", "Too many query parameters.%s", NULL);
    for (int i = 0; i < r->nquery; i++) {
        if (!ms_str_is_clean_text(r->query[i].key, 256, false) ||
            !ms_str_is_clean_text(r->query[i].value, 4096, false))
            return fail(x, conn, MS_EBADREQ, "bad-query",
                        "Query parameters must be UTF-8 text without control characters.%s", NULL);
    }

    /* Body limits that can be checked before reading it. */
    bool write = is_write(method);
    if (route->flags & MS_ROUTE_JSON) {
        if (len > body_limit(s, route)) {
            char msg[96];
            snprintf(msg, sizeof msg, "%lld", (long long)body_limit(s, route));
            return fail(x, conn, MS_ETOOBIG, "body-too-large",
                        "The request body is larger than the limit of %s bytes.", msg);
        }
        if (len != 0 && r->content_type && !json_content_type(r->content_type))
            return fail(x, conn, MS_EBADREQ, "unsupported-media-type",
                        "Send the body as Content-Type: application/json.%s", NULL);
        if (len > 0 && !r->content_type)
            return fail(x, conn, MS_EBADREQ, "unsupported-media-type",
                        "Send the body as Content-Type: application/json.%s", NULL);
    } else if (!(route->flags & MS_ROUTE_STREAM) && x->has_body) {
        return fail(x, conn, MS_ETOOBIG, "body-not-allowed", "This request takes no body.%s", NULL);
    }

    /* Who is calling. */
    const char *auth = header(conn, "Authorization");
    const char *bearer = bearer_token(auth);
    const char *cookie = MHD_lookup_connection_value(conn, MHD_COOKIE_KIND, "ms_session");
    if (bearer && !*bearer)
        return fail(x, conn, MS_EUNAUTH, "invalid-credentials",
                    "The Authorization header must be \"Bearer <token>\".%s", NULL);
    if (bearer || cookie) {
        db_conn *c = x->conn ? x->conn : db_acquire(s->env.db);
        ms_error e;
        ms_error_clear(&e);
        rc = auth_authenticate(c, &s->env, bearer, cookie, &x->caller, &e);
        if (!x->conn) db_release(c);
        if (rc == 0) {
            r->caller = &x->caller;
            r->session_token = cookie;
        } else if (rc != MS_EUNAUTH || bearer || route->perm != PERM_PUBLIC) {
            /* A stale cookie on a public page is ignored; anywhere else it is an error. */
            if (rc == MS_EUNAUTH && cookie && !bearer)
                ms_reply_header(r, "Set-Cookie",
                                "ms_session=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0");
            return queue_problem(x, conn, &e);
        }
    }
    if (route->perm != PERM_PUBLIC && !r->caller)
        return fail(x, conn, MS_EUNAUTH, "authentication-required",
                    "Sign in, or send an API token as \"Authorization: Bearer mst_...\".%s", NULL);
    if (write && r->caller && r->caller->via == AUTH_VIA_SESSION &&
        !(route->flags & MS_ROUTE_NO_CSRF)) {
        const char *t = x->csrf_header;
        size_t n = strlen(r->caller->csrf);
        if (!t || strlen(t) != n || !ms_ct_eq(t, r->caller->csrf, n))
            return fail(x, conn, MS_EFORBIDDEN, "csrf-failed",
                        "Missing or wrong X-CSRF-Token header (it comes with the sign-in "
                        "response and GET /api/v1/users/me).%s",
                        NULL);
    }
    if (x->idem_key) {
        if (strcmp(method, "POST") != 0)
            x->idem_key = NULL; /* other methods are idempotent by their nature */
        else if (!idem_key_valid(x->idem_key))
            return fail(x, conn, MS_EBADREQ, "bad-idempotency-key",
                        "Idempotency-Key must be 1 to 255 printable ASCII characters.%s", NULL);
    }
    return MHD_YES;
}

/* Body pieces. */
static enum MHD_Result body_piece(req_ctx *x, const char *data, size_t n)
{
    const ms_route *route = x->m.route;
    if (route->flags & MS_ROUTE_STREAM) {
        if (!x->body_too_big && route->on_body) {
            int rc = route->on_body(&x->req, data, n);
            if (rc) x->body_too_big = true; /* the error is in req.err; stop feeding */
        }
        return MHD_YES;
    }
    if (x->body_too_big) return MHD_YES;
    if (x->body.len + n > (size_t)body_limit(x->srv, route)) {
        x->body_too_big = true;
        ms_buf_free(&x->body);
        return MHD_YES;
    }
    ms_buf_append(&x->body, data, n);
    if (x->body.oom) x->body_too_big = true;
    return MHD_YES;
}

static char *response_text(ms_req *r, size_t *len)
{
    if (r->json) {
        char *t = json_dumps(r->json, JSON_COMPACT | JSON_ENSURE_ASCII * 0);
        if (t) *len = strlen(t);
        return t;
    }
    if (r->out.data) {
        *len = r->out.len;
        return ms_buf_take(&r->out);
    }
    *len = 0;
    return NULL;
}

static const char *header_value(const ms_req *r, const char *key)
{
    for (int i = 0; i < r->nheaders; i++)
        if (!strcasecmp(r->headers[i].key, key)) return r->headers[i].value;
    return NULL;
}

/* Last call: run the handler inside the request's transaction and respond. */
static enum MHD_Result finish_request(req_ctx *x, struct MHD_Connection *conn)
{
    ms_server *s = x->srv;
    ms_req *r = &x->req;
    const ms_route *route = x->m.route;
    if (x->body_too_big) {
        /* A streamed body's on_body said why it stopped reading. */
        if (route->flags & MS_ROUTE_STREAM && r->err.code) return queue_problem(x, conn, &r->err);
        char msg[32];
        snprintf(msg, sizeof msg, "%lld", (long long)body_limit(s, route));
        return fail(x, conn, MS_ETOOBIG, "body-too-large",
                    "The request body is larger than the limit of %s bytes.", msg);
    }
    ms_error_clear(&r->err);
    if ((route->flags & MS_ROUTE_JSON) && x->body.len) {
        if (!r->content_type || !json_content_type(r->content_type))
            return fail(x, conn, MS_EBADREQ, "unsupported-media-type",
                        "Send the body as Content-Type: application/json.%s", NULL);
        json_t *j;
        ms_error e;
        ms_error_clear(&e);
        if (ms_json_parse(x->body.data, x->body.len, &j, &e)) return queue_problem(x, conn, &e);
        r->body = j;
    }

    bool write = is_write(r->method);
    bool own_tx = (route->flags & MS_ROUTE_NO_TX) != 0;
    db_conn *c = x->conn ? x->conn : db_acquire(s->env.db);
    x->conn = NULL;
    r->db = c;
    char req_hash[65] = "";
    char *text = NULL;
    size_t len = 0;
    int rc, saved_headers = r->nheaders;
    /* A write that collided with a concurrent one (PostgreSQL's serialization conflicts,
     * see db.h) runs again from the start, as db_transact would: the handler's work is all
     * in the transaction that was rolled back. A streamed body cannot be read twice. */
    bool may_retry = write && !(route->flags & MS_ROUTE_STREAM);
    for (int attempt = 1;; attempt++) {
        rc = 0;
        /* A read request already runs in the read transaction begun before authentication. */
        if (write && !own_tx) {
            if (db_in_tx(c)) db_rollback(c);
            rc = db_begin(c, DB_TX_WRITE, &r->err);
        }

        /* A retried create answers with what the first attempt answered. */
        if (!rc && x->idem_key && r->caller) {
            idem_request_hash(r->method, r->path, x->body.data, x->body.len, req_hash);
            idem_record rec;
            rc = idem_lookup(c, s->env.secret, r->caller->user_id, x->idem_key, req_hash, &rec,
                             &r->err);
            if (rc == 1) {
                if (db_in_tx(c)) db_rollback(c);
                db_release(c);
                r->db = NULL;
                if (rec.location)
                    ms_reply_header(r, "Location", ms_arena_strdup(&x->arena, rec.location));
                if (rec.etag) ms_reply_header(r, "ETag", ms_arena_strdup(&x->arena, rec.etag));
                ms_reply_header(r, "Idempotent-Replayed", "true");
                size_t n = rec.response ? strlen(rec.response) : 0;
                char *body = rec.response;
                rec.response = NULL;
                int status = rec.status;
                idem_record_free(&rec);
                return queue_bytes(x, conn, status, n ? "application/json" : NULL, body, n);
            }
        }
        if (!rc) {
            rc = authz_require(c, r->caller, route->perm, r->nparams ? r->params[0] : NULL,
                               &x->access, &r->err);
            r->access = &x->access;
        }
        if (!rc) {
            rc = route->handler(r);
            if (rc && !r->err.code) ms_fail(&r->err, rc, NULL, "The request failed.");
        }
        if (!rc) {
            text = response_text(r, &len);
            if (write && !own_tx) {
                if (x->idem_key && r->caller && r->status >= 200 && r->status < 300)
                    rc = idem_save(c, s->env.secret, r->caller->user_id, x->idem_key, r->method,
                                   r->path, req_hash, r->status, text, header_value(r, "Location"),
                                   header_value(r, "ETag"), &r->err);
                if (!rc) rc = db_commit(c, &r->err);
            }
        }
        if (db_in_tx(c)) {
            if (write)
                db_rollback(c);
            else
                db_commit(c, NULL); /* end the read transaction: nothing to undo */
        }
        if (!rc || !may_retry || attempt >= DB_RETRIES || !db_retryable(&r->err)) break;
        free(text);
        text = NULL;
        len = 0;
        json_decref(r->json);
        r->json = NULL;
        json_decref(r->problem);
        r->problem = NULL;
        r->out.len = 0;
        r->out_type = NULL;
        r->status = 0;
        drop_stream(r);
        r->nheaders = saved_headers;
        r->jobs_enqueued = false;
        ms_error_clear(&r->err);
        db_retry_pause(c, attempt);
    }
    auth_touch(c, r->caller);
    db_release(c);
    r->db = NULL;
    if (rc) {
        free(text);
        drop_stream(r);
        if (!r->err.code) ms_fail(&r->err, rc, NULL, "The request failed.");
        return queue_problem(x, conn, &r->err);
    }
    if (r->jobs_enqueued && s->env.jobs_wake) s->env.jobs_wake(s->env.jobs_wake_arg);
    int status = r->status ? r->status : 200;
    if (r->stream) {
        free(text);
        return queue_stream(x, conn, status);
    }
    const char *type = r->json ? "application/json" : r->out_type;
    if (status == 204) {
        free(text);
        text = NULL;
        len = 0;
        type = NULL;
    }
    return queue_bytes(x, conn, status, type, text, len);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **con_cls)
{
    ms_server *s = cls;
    /* An absolute-form target ("GET http://host/api/v1/orgs", RFC 9112 3.2.2) means its path. */
    if (!strncasecmp(url, "http://", 7) || !strncasecmp(url, "https://", 8)) {
        const char *p = strchr(url + (url[4] == ':' ? 7 : 8), '/');
        url = p ? p : "/";
    }
    req_ctx *x = *con_cls;
    if (!x) {
        x = calloc(1, sizeof *x);
        if (!x) return MHD_NO;
        x->srv = s;
        x->t0 = ms_mono_ns();
        ms_arena_init(&x->arena, 8192);
        ms_buf_init(&x->body);
        ms_buf_init(&x->req.out);
        x->req.env = &s->env;
        x->req.arena = &x->arena;
        x->req.content_length = -1;
        const char *rid = header(conn, "X-Request-Id");
        if (rid && request_id_ok(rid))
            ms_strlcpy(x->request_id, rid, sizeof x->request_id);
        else
            ms_uuid7(x->request_id);
        *con_cls = x;
        atomic_fetch_add(&s->inflight, 1);
        /* A request with a body is checked now, before the body is read (a large upload to
         * a wrong address or without credentials is refused at once). One without a body is
         * handled wholly at the final call: then any answer, errors included, leaves the
         * connection open for the next request. */
        const char *cl = header(conn, "Content-Length");
        x->has_body = (cl && strcmp(cl, "0") != 0) || header(conn, "Transfer-Encoding");
        x->no_host = version && !strcmp(version, "HTTP/1.1") && !header(conn, "Host");
        if (!x->has_body) return MHD_YES;
        return begin_request(x, conn, url, method);
    }
    if (x->responded) {
        *upload_data_size = 0; /* answered early: drop the rest of the body */
        return MHD_YES;
    }
    if (*upload_data_size) {
        enum MHD_Result res = body_piece(x, upload_data, *upload_data_size);
        *upload_data_size = 0;
        return res;
    }
    if (!x->has_body) {
        /* One connection and one read transaction for everything this request reads:
         * credentials, permission, the handler's queries (SQLite takes its WAL read lock
         * once instead of once per statement). Writes upgrade in finish_request. */
        x->conn = db_acquire(s->env.db);
        if (!is_write(method)) {
            ms_error e;
            if (db_begin(x->conn, DB_TX_READ, &e) != 0) {
                db_release(x->conn);
                x->conn = NULL;
            }
        }
        enum MHD_Result res = begin_request(x, conn, url, method);
        if (x->responded) return res;
    }
    return finish_request(x, conn);
}

static void access_log(req_ctx *x, const char *method, uint64_t us)
{
    ms_server *s = x->srv;
    if (!s->config.access_log || !ms_log_enabled(MS_LOG_INFO)) return;
    char ts[MS_TIME_LEN];
    ms_now_str(ts);
    ms_buf b;
    ms_buf_init(&b);
    ms_buf_puts(&b, "{\"ts\":\"");
    ms_buf_puts(&b, ts);
    ms_buf_puts(&b, "\",\"level\":\"info\",\"msg\":\"request\",\"request_id\":\"");
    ms_buf_puts(&b, x->request_id);
    ms_buf_puts(&b, "\",\"method\":");
    ms_buf_put_json_str(&b, method && ms_str_is_clean_text(method, 16, false) ? method : "?");
    ms_buf_puts(&b, ",\"path\":");
    const char *p = x->req.path ? x->req.path : "";
    ms_buf_put_json_str(&b, ms_str_is_clean_text(p, 2048, false) ? p : "<not utf-8>");
    if (x->m.route) {
        ms_buf_puts(&b, ",\"route\":");
        ms_buf_put_json_str(&b, x->m.route->pattern);
    }
    /* Integers only: this runs for every request, and printf's float path is slow. */
    char frac[4] = {(char)('0' + us / 100 % 10), (char)('0' + us / 10 % 10), (char)('0' + us % 10),
                    0};
    ms_buf_puts(&b, ",\"status\":");
    ms_buf_put_i64(&b, x->status);
    ms_buf_puts(&b, ",\"duration_ms\":");
    ms_buf_put_i64(&b, (int64_t)(us / 1000));
    ms_buf_putc(&b, '.');
    ms_buf_puts(&b, frac);
    ms_buf_puts(&b, ",\"bytes\":");
    ms_buf_put_i64(&b, (int64_t)x->resp_bytes);
    if (x->req.caller) {
        ms_buf_puts(&b, ",\"user_id\":\"");
        ms_buf_puts(&b, x->req.caller->user_id);
        ms_buf_putc(&b, '"');
    }
    ms_buf_puts(&b, ",\"ip\":\"");
    ms_buf_puts(&b, x->ip);
    ms_buf_puts(&b, "\"}");
    if (!b.oom) ms_log_line(b.data, b.len);
    ms_buf_free(&b);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    ms_server *s = cls;
    req_ctx *x = *con_cls;
    (void)conn;
    if (!x) return;
    uint64_t us = (ms_mono_ns() - x->t0) / 1000;
    if (!x->responded) x->status = 499; /* the client went away first */
    if (toe != MHD_REQUEST_TERMINATED_COMPLETED_OK && x->status < 400) x->status = 499;
    if (x->conn) db_release(x->conn); /* answered before the handler ran */
    if (x->req.cleanup) x->req.cleanup(&x->req, toe == MHD_REQUEST_TERMINATED_COMPLETED_OK);
    drop_stream(&x->req);
    metrics_record(s->metrics, x->slot, x->status, us);
    access_log(x, x->req.method, us);
    json_decref(x->req.body);
    json_decref(x->req.json);
    json_decref(x->req.problem);
    ms_buf_free(&x->req.out);
    ms_buf_free(&x->body);
    ms_arena_free(&x->arena);
    free(x);
    *con_cls = NULL;
    atomic_fetch_sub(&s->inflight, 1);
}

static void on_connection(void *cls, struct MHD_Connection *conn, void **socket_ctx,
                          enum MHD_ConnectionNotificationCode toe)
{
    ms_server *s = cls;
    (void)conn;
    (void)socket_ctx;
    metrics_connection(s->metrics, toe == MHD_CONNECTION_NOTIFY_STARTED ? 1 : -1);
}

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
    (void)cls;
    char msg[512];
    vsnprintf(msg, sizeof msg, fmt, ap);
    msg[strcspn(msg, "\n")] = 0;
    ms_log(MS_LOG_WARN, "http", json_pack("{s:s}", "detail", msg));
}

/* ---- Start and stop. ---- */

static int parse_listen(const char *listen, struct sockaddr_storage *ss, socklen_t *len,
                        ms_error *err)
{
    char host[128];
    const char *colon = strrchr(listen, ':');
    if (!colon)
        return ms_fail(err, MS_EINVAL, "config", "listen must be host:port, got \"%s\"", listen);
    size_t hl = (size_t)(colon - listen);
    if (hl >= sizeof host) return ms_fail(err, MS_EINVAL, "config", "listen host is too long");
    memcpy(host, listen, hl);
    host[hl] = 0;
    int64_t port;
    if (!ms_parse_int(colon + 1, &port) || port < 0 || port > 65535)
        return ms_fail(err, MS_EINVAL, "config", "listen port must be 0-65535, got \"%s\"",
                       colon + 1);
    memset(ss, 0, sizeof *ss);
    char *h = host;
    if (h[0] == '[' && hl > 1 && h[hl - 1] == ']') {
        h[hl - 1] = 0;
        h++;
    }
    if (!*h || !strcmp(h, "*")) h = "0.0.0.0";
    if (!strcmp(h, "localhost")) h = "127.0.0.1";
    struct sockaddr_in *a4 = (struct sockaddr_in *)ss;
    struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)ss;
    if (inet_pton(AF_INET, h, &a4->sin_addr) == 1) {
        a4->sin_family = AF_INET;
        a4->sin_port = htons((uint16_t)port);
        *len = sizeof *a4;
    } else if (inet_pton(AF_INET6, h, &a6->sin6_addr) == 1) {
        a6->sin6_family = AF_INET6;
        a6->sin6_port = htons((uint16_t)port);
        *len = sizeof *a6;
    } else {
        return ms_fail(err, MS_EINVAL, "config",
                       "listen host must be an IP address (or localhost), got \"%s\"", h);
    }
    return 0;
}

bool server_route_tables(const ms_route *const *modules, const ms_route **out, int cap)
{
    int n = 0;
    if (cap < 2) return false;
    out[n++] = http_system_routes;
    for (const ms_route *const *t = modules; t && *t; t++) {
        if (n == cap - 1) return false;
        out[n++] = *t;
    }
    out[n] = NULL;
    return true;
}

int server_start(const ms_server_opts *o, ms_server **out, ms_error *err)
{
    ms_server *s = calloc(1, sizeof *s);
    if (!s) return ms_fail(err, MS_ENOMEM, NULL, "out of memory");
    s->config = *o->config;
    s->env.config = &s->config;
    s->env.db = o->db;
    s->env.blobs = o->blobs;
    if (o->work_dir) ms_strlcpy(s->env.work_dir, o->work_dir, sizeof s->env.work_dir);
    memcpy(s->env.secret, o->secret, sizeof s->env.secret);
    if (o->web_root) ms_strlcpy(s->web_root, o->web_root, sizeof s->web_root);

    /* Routes: the server's own, then the modules'. */
    const ms_route *tables[32];
    if (!server_route_tables(o->route_tables, tables, 32)) {
        server_stop(s);
        return ms_fail(err, MS_EINTERNAL, NULL, "too many route tables");
    }
    int rc = router_build(tables, &s->router, err);
    if (rc) goto fail;
    json_t *doc;
    if ((rc = openapi_build(o->openapi_fragments, &doc, err))) goto fail;
    s->openapi_text = json_dumps(doc, JSON_COMPACT);
    json_decref(doc);
    s->openapi_len = s->openapi_text ? strlen(s->openapi_text) : 0;
    s->metrics = metrics_new(router_count(s->router));
    if (!s->metrics || !s->openapi_text) {
        rc = ms_fail(err, MS_ENOMEM, NULL, "out of memory");
        goto fail;
    }

    struct sockaddr_storage ss;
    socklen_t sslen;
    if ((rc = parse_listen(s->config.listen, &ss, &sslen, err))) goto fail;
    unsigned threads = (unsigned)s->config.threads;
    if (threads == 0) {
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        threads = n > 0 ? (unsigned)n : 2;
    }
    unsigned flags =
        MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_ITC | MHD_USE_ERROR_LOG | MHD_USE_TURBO;
    if (ss.ss_family == AF_INET6) flags |= MHD_USE_IPv6;
    /* The connection's memory pool holds the request line and headers and then the response
     * headers: the header limit plus room for the answer (see begin_request). libmicrohttpd
     * zeroes the whole pool for every request, so it is no larger than that. */
    size_t pool = (size_t)s->config.max_header + 16384;
    s->daemon = MHD_start_daemon(
        flags, 0, NULL, NULL, on_request, s,
        /* First, so that libmicrohttpd logs even its option parsing through us. */
        MHD_OPTION_EXTERNAL_LOGGER, mhd_log, s, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
        MHD_OPTION_THREAD_POOL_SIZE, threads, MHD_OPTION_CONNECTION_LIMIT,
        (unsigned)s->config.max_connections, MHD_OPTION_CONNECTION_TIMEOUT,
        (unsigned)s->config.connection_timeout, MHD_OPTION_CONNECTION_MEMORY_LIMIT, pool,
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, s, MHD_OPTION_NOTIFY_CONNECTION, on_connection,
        s, MHD_OPTION_LISTEN_BACKLOG_SIZE, 1024u, MHD_OPTION_END);
    if (!s->daemon) {
        rc = ms_fail(err, MS_EIO, "listen-failed",
                     "cannot listen on %s (in use, or not an address of this machine)",
                     s->config.listen);
        goto fail;
    }
    const union MHD_DaemonInfo *di = MHD_get_daemon_info(s->daemon, MHD_DAEMON_INFO_BIND_PORT);
    s->port = di ? di->port : 0;
    /* public_url derived from a listen address with port 0 names the port actually bound:
     * links in e-mails must reach this server. */
    char derived[sizeof s->config.listen + 8];
    snprintf(derived, sizeof derived, "http://%s", s->config.listen);
    size_t ll = strlen(s->config.listen);
    if (!strcmp(s->config.public_url, derived) && ll > 2 &&
        !strcmp(s->config.listen + ll - 2, ":0")) {
        snprintf(s->config.public_url, sizeof s->config.public_url, "http://%.*s:%u", (int)(ll - 2),
                 s->config.listen, (unsigned)s->port);
    }

    if (o->job_handlers && s->config.workers > 0) {
        if ((rc = jobs_runner_start(o->db, o->job_handlers, &s->env, (int)s->config.workers,
                                    &s->jobs, err)))
            goto fail;
        s->env.jobs_wake = jobs_runner_wake;
        s->env.jobs_wake_arg = s->jobs;
    }
    ms_log(MS_LOG_INFO, "listening",
           json_pack("{s:s,s:i,s:i,s:i,s:s}", "listen", s->config.listen, "port", s->port,
                     "threads", threads, "workers", (int)s->config.workers, "web_root",
                     s->web_root));
    *out = s;
    return 0;
fail:
    server_stop(s);
    return rc;
}

uint16_t server_port(const ms_server *s)
{
    return s->port;
}

const ms_env *server_env(const ms_server *s)
{
    return &s->env;
}

void server_stop(ms_server *s)
{
    if (!s) return;
    if (s->daemon) {
        atomic_store(&s->draining, true);
        MHD_socket fd = MHD_quiesce_daemon(s->daemon);
        if (fd != MHD_INVALID_SOCKET) close(fd);
        uint64_t deadline = ms_mono_ns() + (uint64_t)s->config.shutdown_timeout * 1000000000ull;
        while (atomic_load(&s->inflight) > 0 && ms_mono_ns() < deadline)
            usleep(10000);
        int left = atomic_load(&s->inflight);
        MHD_stop_daemon(s->daemon);
        ms_log(MS_LOG_INFO, "http stopped", json_pack("{s:i}", "abandoned_requests", left));
    }
    jobs_runner_stop(s->jobs);
    router_free(s->router);
    metrics_free(s->metrics);
    free(s->openapi_text);
    free(s);
}
