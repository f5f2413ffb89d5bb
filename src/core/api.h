/* api.h: the contract between the HTTP server and the handlers that modules write.
 *
 * A module describes its API as a table of ms_route (method, path pattern, handler, required
 * permission). The server (src/http/) matches a request to a route, authenticates the caller,
 * checks the permission with the one authorization function (src/auth/authz.h), opens the
 * request's database transaction, and calls the handler with an ms_req. The handler reads the
 * request, does its work through its module's logic, and fills the response: JSON, a status,
 * headers. It never touches sockets or libmicrohttpd, so handlers run the same in the server,
 * in unit tests and in fuzzers.
 *
 * This header knows nothing of the domain: the caller (auth) and the database connection
 * (store) are opaque pointers here. */
#ifndef MS_API_H
#define MS_API_H

#include "core/arena.h"
#include "core/buf.h"
#include "core/config.h"
#include "core/error.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

typedef struct ms_caller ms_caller; /* defined in auth/auth.h */
typedef struct ms_access ms_access; /* defined in auth/auth.h */
typedef struct db_conn db_conn;     /* defined in store/db.h */
typedef struct db db;
typedef struct ms_blobs ms_blobs; /* defined in store/blob.h */

#define MS_ROUTE_PARAMS_MAX 6
#define MS_QUERY_MAX        32
#define MS_RESP_HEADERS_MAX 12

/* What every handler may reach that lives longer than a request; owned by the server. */
typedef struct ms_env {
    const ms_config *config;
    db *db;
    ms_blobs *blobs;          /* where media bytes live */
    char work_dir[512];       /* <data>/work: uploads in progress, temp files of jobs */
    unsigned char secret[32]; /* server key: keyed hashes of tokens and session ids */
    /* Wake the job workers after a commit that enqueued work (may be NULL). */
    void (*jobs_wake)(void *arg);
    void *jobs_wake_arg;
} ms_env;

typedef struct ms_kv {
    const char *key;
    const char *value;
} ms_kv;

typedef struct ms_req ms_req;
typedef int (*ms_handler)(ms_req *req);
/* A streamed response body: copy up to `max` bytes at position `pos` into `buf`; return the
 * count, 0 at the end, or a negative value when the body cannot be completed (the connection
 * is cut, so the client never takes a partial body for a whole one). */
typedef long (*ms_stream_fn)(void *ctx, uint64_t pos, char *buf, size_t max);

/* Route flags. */
enum {
    MS_ROUTE_JSON = 1 << 0,    /* the request has a JSON body (parsed into req->body) */
    MS_ROUTE_NO_TX = 1 << 1,   /* write route that manages its own transactions */
    MS_ROUTE_STREAM = 1 << 2,  /* body is streamed to on_body, never buffered */
    MS_ROUTE_NO_CSRF = 1 << 3, /* cookie writes without the CSRF header (sign-in only) */
    MS_ROUTE_RAW = 1 << 4,     /* not under /api: no problem+json wrapping of 404s etc. */
    MS_ROUTE_LARGE = 1 << 5,   /* JSON body up to 64 MiB (manifests), not max_body */
};

typedef struct ms_route {
    const char *method;  /* "GET", "POST", "PATCH", "PUT", "DELETE" */
    const char *pattern; /* "/api/v1/projects/{id}/members" */
    ms_handler handler;
    int perm; /* auth permission (authz.h), checked against the first path param */
    unsigned flags;
    /* MS_ROUTE_STREAM: called for each piece of the body as it arrives, before handler. */
    int (*on_body)(ms_req *req, const char *data, size_t len);
} ms_route;

struct ms_req {
    /* Environment and per-request resources. */
    const ms_env *env;
    ms_arena *arena;
    db_conn *db;             /* this request's connection; in a transaction for writes */
    const ms_caller *caller; /* NULL when anonymous */
    const ms_access *access; /* what the caller may do with the route's scope object */
    const ms_route *route;
    void *module_state; /* free slot for a handler (e.g. an upload in progress) */
    bool jobs_enqueued; /* set by handlers that enqueued jobs: wake workers on commit */

    /* Request. */
    const char *method;
    const char *path;
    const char *request_id;
    const char *client_ip;
    const char *user_agent;
    const char *if_match; /* If-Match header, or NULL */
    const char *if_none_match;
    const char *content_type;
    int64_t content_length; /* -1 when unknown */
    const char *param_names[MS_ROUTE_PARAMS_MAX];
    const char *params[MS_ROUTE_PARAMS_MAX];
    int nparams;
    ms_kv query[MS_QUERY_MAX];
    int nquery;
    json_t *body;              /* MS_ROUTE_JSON: the parsed body (owned by the request) */
    const char *session_token; /* the session cookie value, when sent */
    /* Any request header (ms_req_header); set by the server. */
    const char *(*header_fn)(void *ctx, const char *name);
    void *header_ctx;

    /* Response. */
    int status;
    json_t *json; /* response body as JSON (owned by the request) */
    ms_buf out;   /* or raw bytes, with out_type */
    const char *out_type;
    ms_kv headers[MS_RESP_HEADERS_MAX];
    int nheaders;
    ms_error err;    /* filled when the handler fails */
    json_t *problem; /* extra members of the problem document when it fails (owned) */

    /* Or a body produced piece by piece after the handler returned (downloads): see
     * ms_reply_stream. */
    ms_stream_fn stream;
    void (*stream_free)(void *ctx);
    void *stream_ctx;
    int64_t stream_size; /* -1: unknown (chunked) */

    /* Called once when the request ends, answered or not (the client may have gone away in
     * the middle of the body): releases what on_body opened in module_state. */
    void (*cleanup)(ms_req *req, bool completed);
};

/* ---- Request helpers. ---- */

/* Path parameter by name ("id"), or NULL. */
const char *ms_req_param(const ms_req *r, const char *name);
/* Request header by name (case-insensitive), or NULL. */
const char *ms_req_header(const ms_req *r, const char *name);
/* Query parameter by name, or NULL (first occurrence). */
const char *ms_req_query(const ms_req *r, const char *name);
/* Integer query parameter in [min, max], `def` when absent. Errors are field errors. */
int ms_req_query_int(ms_req *r, const char *name, int64_t def, int64_t min, int64_t max,
                     int64_t *out);
/* A true/false query parameter ("true", "1", "false", "0"; absent: `def`); anything else is
 * 400 bad-query. */
int ms_req_query_bool(ms_req *r, const char *name, bool def, bool *out);
/* Reject query parameters not in `allowed` (NULL-terminated): a misspelt filter must not
 * silently return everything. */
int ms_req_query_only(ms_req *r, const char *const *allowed);

/* List paging: `limit` (1..500, default 50) and the opaque `cursor` decoded into `key`
 * (empty when absent). */
int ms_req_page(ms_req *r, int *limit, char *key, size_t keycap);
/* Encode a cursor from the sort key of the last item. */
char *ms_cursor_encode(ms_arena *a, const char *key);

/* Whole text bodies of MS_ROUTE_STREAM routes that want the text after all (imports): the
 * route's on_body collects the pieces here, at most `max` bytes (413 naming `what`, "An EMA
 * import", as early as Content-Length tells), kept in r->module_state and freed when the
 * request ends; the handler reads them NUL-terminated ("" when nothing came). */
int ms_req_body_collect(ms_req *r, const char *data, size_t len, size_t max, const char *what);
const char *ms_req_body_text(const ms_req *r, size_t *len);
/* The index of Content-Type `ct`'s media type (parameters ignored, any case) in the
 * NULL-terminated `types`, or -1 (also when `ct` is NULL). */
int ms_content_type_index(const char *ct, const char *const *types);
/* The field separator a tabular text body announces by its Content-Type: '\t' for
 * text/tab-separated-values, 0 for CSV and the other text types a spreadsheet sends (the
 * reader decides; also when there is no Content-Type), -1 for anything else (415). */
int ms_table_body_delim(const char *ct);

/* ---- Response helpers. ---- */

/* Set a JSON response (steals `j`). Returns 0. */
int ms_reply(ms_req *r, int status, json_t *j);
/* A problem document that carries more than ms_req_fail's members (an import's report
 * with its row errors): `doc` (stolen) gets type urn:mstation:problem:`slug`, `title`,
 * status, `detail` and the request id, and is the answer. Returns 0: the handler returns
 * that, and its transaction (which wrote nothing, or was undone) is committed. */
int ms_reply_problem(ms_req *r, int status, const char *slug, const char *title, json_t *doc,
                     const char *fmt, ...) __attribute__((format(printf, 6, 7)));
/* A list: {"items": items, "next_cursor": cursor-or-null} (steals items). */
int ms_reply_list(ms_req *r, json_t *items, const char *next_cursor_key);
/* A body produced by `fn` after the handler returns (large downloads): `size` bytes, or -1
 * when unknown. `free_fn` (may be NULL) releases ctx when the response is done or dropped. */
int ms_reply_stream(ms_req *r, int status, const char *type, int64_t size, ms_stream_fn fn,
                    void (*free_fn)(void *ctx), void *ctx);
/* 204 No Content. */
int ms_reply_empty(ms_req *r);
/* Add a response header (both strings must live as long as the request). */
void ms_reply_header(ms_req *r, const char *key, const char *value);
/* ETag from an object's version: "\"<version>\"". */
void ms_reply_etag(ms_req *r, int64_t version);
/* Check If-Match against the current version: 0 when absent, "*", or equal; MS_ESTALE
 * otherwise. Malformed values are MS_EBADREQ. */
int ms_req_check_version(ms_req *r, int64_t current_version);

/* Fail the request: fills r->err, returns the code. */
int ms_req_fail(ms_req *r, int code, const char *type, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

#endif
