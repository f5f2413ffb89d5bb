/* transfer.c: `mstation put`, `get`, `ls` and `share`: the command line as a client of a
 * running server's API over HTTP (libcurl), the way a workstation or a render node talks to
 * the asset library.
 *
 * put uploads with deduplication: each file is cut into content-defined chunks and hashed
 * locally in one pass (core/chunker.h, with the chunk parameters the server announces, so
 * both sides cut the same chunks), the server is asked which chunks it lacks, only those are
 * sent (several connections at once; each chunk is re-read from the file with pread, so
 * memory does not grow with the file), and a manifest commits the version. Running an
 * interrupted put again resumes it: the chunks that arrived are reported present. get
 * downloads into FILE.part, continues with a Range request after an interruption, checks the
 * BLAKE3-256 of the whole file against the server's digest, and only then renames it into
 * place.
 *
 * It deliberately does not open the database or the data folder (a URL and a token are all
 * it needs) and keeps no state between runs besides a .part file. It trusts nothing the
 * server sends: every JSON field is type-checked, sizes are range-checked, and names are
 * checked before they become local paths or reach the terminal. */
#include "cli/transfer.h"

#include "core/blake3.h"
#include "core/buf.h"
#include "core/chunker.h"
#include "core/config.h"
#include "core/fastcdc.h"
#include "core/id.h"
#include "core/version.h"

#include <curl/curl.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <jansson.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define MB             1e6
#define BODY_MAX       (64u << 20) /* the largest JSON answer accepted from the server */
#define MISSING_MAX    4096        /* digests per "which chunks do you lack?" call */
#define HTTP_TRIES     6           /* 1 + 5 retries: 0.5 + 1 + 2 + 4 + 8 s of backoff */
#define PARALLEL_MAX   32
#define FILES_MAX      16    /* files worked on at once, at most (--files) */
#define PAGES_MAX      10000 /* list pages followed before giving up on a looping cursor */
#define PROBLEM_PREFIX "urn:mstation:problem:"
#define DEFAULT_SERVER "http://127.0.0.1:8080"
#define SIZE_LIMIT     ((int64_t)1 << 60) /* sizes beyond this from the server are nonsense */

/* ==== Small helpers ======================================================================= */

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void sleep_s(double s)
{
    struct timespec t = {(time_t)s, (long)((s - (double)(time_t)s) * 1e9)};
    while (nanosleep(&t, &t) && errno == EINTR) {
    }
}

static const char *env_get(char **envp, const char *name)
{
    size_t n = strlen(name);
    for (char **e = envp; e && *e; e++)
        if (!strncmp(*e, name, n) && (*e)[n] == '=') return *e + n + 1;
    return NULL;
}

static void hex32(const uint8_t d[32], char out[65])
{
    ms_hex_encode(d, 32, out);
}

/* 64 lower-case hex digits, decoded into `out` (may be NULL). */
static bool unhex32(const char *s, uint8_t out[32])
{
    if (!s || strlen(s) != 64) return false;
    for (int i = 0; i < 64; i++) {
        char c = s[i];
        int v = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
        if (v < 0) return false;
        if (!out) continue;
        if (i % 2 == 0)
            out[i / 2] = (uint8_t)(v << 4);
        else
            out[i / 2] |= (uint8_t)v;
    }
    return true;
}

/* A copy of server- or user-supplied text that is safe to print on a terminal: C0 and C1
 * control characters (escape sequences could rewrite the screen) become '?'. */
static const char *safe(const char *s, char *out, size_t cap)
{
    size_t o = 0;
    if (!s) s = "";
    for (size_t i = 0; s[i] && o + 1 < cap; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == 0xC2 && (unsigned char)s[i + 1] >= 0x80 && (unsigned char)s[i + 1] <= 0x9F) {
            out[o++] = '?';
            i++;
        } else {
            out[o++] = c < 0x20 || c == 0x7F ? '?' : (char)c;
        }
    }
    out[o] = 0;
    o = ms_utf8_whole(out, o); /* a cut through a character at the end */
    out[o] = 0;
    return out;
}

/* The next code point of UTF-8 text at `s` (bad bytes count as one '?'); its length in *n. */
static uint32_t next_cp(const char *s, size_t *n)
{
    unsigned char c = (unsigned char)s[0];
    uint32_t cp;
    size_t len;
    if (c < 0x80) {
        *n = 1;
        return c;
    } else if ((c & 0xE0) == 0xC0) {
        len = 2, cp = c & 0x1Fu;
    } else if ((c & 0xF0) == 0xE0) {
        len = 3, cp = c & 0x0Fu;
    } else if ((c & 0xF8) == 0xF0) {
        len = 4, cp = c & 0x07u;
    } else {
        *n = 1;
        return '?';
    }
    for (size_t k = 1; k < len; k++) {
        if (((unsigned char)s[k] & 0xC0) != 0x80) {
            *n = k;
            return '?';
        }
        cp = cp << 6 | ((unsigned char)s[k] & 0x3Fu);
    }
    *n = len;
    return cp;
}

/* Terminal columns of a code point: East Asian wide characters take two, combining marks
 * none (enough for CJK and accented Latin names; not a full wcwidth). */
static int cp_cols(uint32_t cp)
{
    if ((cp >= 0x300 && cp < 0x370) || (cp >= 0x200B && cp <= 0x200F)) return 0;
    if ((cp >= 0x1100 && cp <= 0x115F) || (cp >= 0x2E80 && cp <= 0xA4CF) ||
        (cp >= 0xAC00 && cp <= 0xD7A3) || (cp >= 0xF900 && cp <= 0xFAFF) ||
        (cp >= 0xFE30 && cp <= 0xFE4F) || (cp >= 0xFF00 && cp <= 0xFF60) ||
        (cp >= 0xFFE0 && cp <= 0xFFE6) || (cp >= 0x1F300 && cp <= 0x1FAFF) ||
        (cp >= 0x20000 && cp <= 0x3FFFD))
        return 2;
    return 1;
}

static size_t text_cols(const char *s)
{
    size_t w = 0, n;
    for (size_t i = 0; s[i]; i += n)
        w += (size_t)cp_cols(next_cp(s + i, &n));
    return w;
}

/* Bytes of `s` that fit in `cols` terminal columns. */
static size_t text_fit(const char *s, size_t cols)
{
    size_t w = 0, i = 0, n;
    while (s[i]) {
        size_t cw = (size_t)cp_cols(next_cp(s + i, &n));
        if (w + cw > cols) break;
        w += cw;
        i += n;
    }
    return i;
}

/* 1.2 GB, 950 MB, 12 B: decimal units, as film people count disk space. */
static const char *human(uint64_t n, char out[24])
{
    static const char *const units[] = {"KB", "MB", "GB", "TB", "PB", "EB"};
    if (n < 1000) {
        snprintf(out, 24, "%" PRIu64 " B", n);
        return out;
    }
    double v = (double)n / 1000;
    int u = 0;
    while (v >= 1000 && u < 5) {
        v /= 1000;
        u++;
    }
    snprintf(out, 24, v < 100 ? "%.1f %s" : "%.0f %s", v, units[u]);
    return out;
}

static const char *mb(uint64_t n, char out[32])
{
    snprintf(out, 32, "%.1f MB", (double)n / MB);
    return out;
}

static int exit_code(int code)
{
    switch (code) {
    case MS_EINVAL:
    case MS_EBADREQ:
        return CLI_USAGE;
    case MS_ECONFLICT:
        return CLI_EXISTS;
    case MS_ENOTFOUND:
        return CLI_NOTFOUND;
    default:
        return CLI_FAIL;
    }
}

/* "mstation put: what: detail" (+ the field errors), terminal-safe; returns the exit code. */
static int report(const char *cmd, const char *what, const ms_error *e)
{
    char a[1200], b[1200];
    fprintf(stderr, "mstation %s: %s%s%s\n", cmd, what ? safe(what, a, sizeof a) : "",
            what ? ": " : "", safe(e->detail[0] ? e->detail : ms_error_slug(e->code), b, sizeof b));
    for (int i = 0; i < e->nfields; i++)
        fprintf(stderr, "  %s: %s\n", safe(e->fields[i].field, a, sizeof a),
                safe(e->fields[i].message, b, sizeof b));
    return exit_code(e->code);
}

static int usage(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int usage(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "mstation %s: ", cmd);
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, " (see --help)\n");
    va_end(ap);
    return CLI_USAGE;
}

/* ==== HTTP ================================================================================
 *
 * One curl easy handle per thread, reused for every request of that thread (curl_easy_reset
 * keeps its connections open, so a put of many chunks costs one TCP connection per worker).
 * http_call retries what may succeed a moment later: connection failures, 5xx (except 501,
 * 505 and 507, which will not change) and 429, with exponential backoff and jitter, waiting
 * at least as long as Retry-After says (at most a minute). Every request it retries is safe
 * to repeat: GETs and PUTs of chunks are idempotent, and POSTs that create carry an
 * Idempotency-Key, so a repeated commit never makes two versions. */

typedef struct xfer {
    char server[1024]; /* base URL without the trailing slash */
    char auth[1100];   /* "Authorization: Bearer mst_..." */
    curl_off_t rate;   /* bytes per second per connection, 0: no limit */
} xfer;

typedef struct http_req {
    const char *method; /* GET, POST, PUT, DELETE */
    const char *path;   /* "/api/v1/...", query already escaped */
    const char *ctype;  /* of the body */
    const void *body;
    size_t len;
    const char *idem;  /* Idempotency-Key */
    const char *range; /* Range */
    bool once;         /* no retries: the caller resumes by itself */
} http_req;

typedef struct http_res {
    CURL *curl;
    long status;
    ms_buf body;
    bool body_too_big;
    char ctype[128], etag[160], b3[100], content_range[128];
    long retry_after; /* seconds, -1: none */
    /* Downloads: 2xx bodies go to the sink instead of `body`; false aborts the transfer. */
    bool (*sink)(void *ctx, long status, const char *p, size_t n);
    void *sink_ctx;
    bool aborted;
} http_res;

static void res_init(http_res *r)
{
    memset(r, 0, sizeof *r);
    ms_buf_init(&r->body);
    r->retry_after = -1;
}

static void res_free(http_res *r)
{
    ms_buf_free(&r->body);
}

static void header_copy(char *dst, size_t cap, const char *v, size_t n)
{
    if (n >= cap) n = 0; /* an oversized value is as good as none */
    memcpy(dst, v, n);
    dst[n] = 0;
}

static size_t on_header(char *p, size_t size, size_t nitems, void *ud)
{
    http_res *r = ud;
    size_t len = size * nitems;
    if (len >= 5 && !strncmp(p, "HTTP/", 5)) { /* a new response (after 100 Continue) */
        r->ctype[0] = r->etag[0] = r->b3[0] = r->content_range[0] = 0;
        r->retry_after = -1;
        return len;
    }
    const char *colon = memchr(p, ':', len);
    if (!colon) return len;
    size_t klen = (size_t)(colon - p);
    const char *v = colon + 1;
    size_t vlen = len - klen - 1;
    while (vlen && (*v == ' ' || *v == '\t'))
        v++, vlen--;
    while (vlen && (v[vlen - 1] == '\r' || v[vlen - 1] == '\n' || v[vlen - 1] == ' '))
        vlen--;
#define IS(name) (klen == sizeof name - 1 && !strncasecmp(p, name, klen))
    if (IS("Content-Type"))
        header_copy(r->ctype, sizeof r->ctype, v, vlen);
    else if (IS("ETag"))
        header_copy(r->etag, sizeof r->etag, v, vlen);
    else if (IS("X-Content-Blake3"))
        header_copy(r->b3, sizeof r->b3, v, vlen);
    else if (IS("Content-Range"))
        header_copy(r->content_range, sizeof r->content_range, v, vlen);
    else if (IS("Retry-After")) {
        char tmp[32];
        header_copy(tmp, sizeof tmp, v, vlen);
        int64_t s;
        if (ms_parse_int(tmp, &s) && s >= 0 && s < 86400) r->retry_after = (long)s;
    }
#undef IS
    return len;
}

static size_t on_body(char *p, size_t size, size_t nitems, void *ud)
{
    http_res *r = ud;
    size_t len = size * nitems;
    if (r->sink) {
        long st = 0;
        curl_easy_getinfo(r->curl, CURLINFO_RESPONSE_CODE, &st);
        if (st >= 200 && st < 300) {
            if (!r->sink(r->sink_ctx, st, p, len)) {
                r->aborted = true;
                return 0;
            }
            return len;
        }
    }
    if (r->body.len + len > BODY_MAX) {
        r->body_too_big = true;
        return 0;
    }
    ms_buf_append(&r->body, p, len);
    return r->body.oom ? 0 : len;
}

static CURLcode http_perform(CURL *h, const xfer *x, const http_req *q, http_res *r,
                             char errbuf[CURL_ERROR_SIZE])
{
    curl_easy_reset(h);
    ms_buf_reset(&r->body);
    r->status = 0;
    r->body_too_big = r->aborted = false;
    r->ctype[0] = r->etag[0] = r->b3[0] = r->content_range[0] = 0;
    r->retry_after = -1;
    r->curl = h;
    ms_buf url;
    ms_buf_init(&url);
    ms_buf_puts(&url, x->server);
    ms_buf_puts(&url, q->path);
    struct curl_slist *hd = NULL;
    char line[1200];
    hd = curl_slist_append(hd, x->auth);
    hd = curl_slist_append(hd, "Expect:"); /* no 100-continue round trip before each chunk */
    if (q->ctype) {
        snprintf(line, sizeof line, "Content-Type: %s", q->ctype);
        hd = curl_slist_append(hd, line);
    }
    if (q->idem) {
        snprintf(line, sizeof line, "Idempotency-Key: %s", q->idem);
        hd = curl_slist_append(hd, line);
    }
    if (q->range) {
        snprintf(line, sizeof line, "Range: %s", q->range);
        hd = curl_slist_append(hd, line);
    }
    if (url.oom || !hd) {
        ms_buf_free(&url);
        curl_slist_free_all(hd);
        return CURLE_OUT_OF_MEMORY;
    }
    curl_easy_setopt(h, CURLOPT_URL, url.data);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hd);
    curl_easy_setopt(h, CURLOPT_USERAGENT, "mstation-cli");
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, 15L);
    /* A server that sends nothing for two minutes is gone; the retry reconnects. */
    curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, 120L);
    curl_easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, r);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, r);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    if (x->rate) {
        curl_easy_setopt(h, CURLOPT_MAX_SEND_SPEED_LARGE, x->rate);
        curl_easy_setopt(h, CURLOPT_MAX_RECV_SPEED_LARGE, x->rate);
    }
    if (!strcmp(q->method, "POST") || !strcmp(q->method, "PUT")) {
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, q->body ? q->body : "");
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)(q->body ? q->len : 0));
        if (strcmp(q->method, "POST")) curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, q->method);
    } else if (strcmp(q->method, "GET")) {
        curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, q->method);
    }
    CURLcode c = curl_easy_perform(h);
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &r->status);
    curl_slist_free_all(hd);
    ms_buf_free(&url);
    return c;
}

static bool transient_curl(CURLcode c)
{
    switch (c) {
    case CURLE_COULDNT_CONNECT:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
        return true;
    default:
        return false;
    }
}

static bool transient_status(long s)
{
    return s == 429 || (s >= 500 && s != 501 && s != 505 && s != 507);
}

static double jitter(void)
{
    uint32_t u;
    ms_random_bytes(&u, sizeof u);
    return 0.75 + 0.5 * ((double)u / 4294967296.0);
}

/* Run a request, retrying transient failures. 0 when an HTTP answer arrived (any status: the
 * caller reads r->status), or a negative code when the server could not be reached. */
static int http_call(CURL *h, const xfer *x, const http_req *q, http_res *r, ms_error *err)
{
    char eb[CURL_ERROR_SIZE];
    double delay = 0.5;
    for (int attempt = 1;; attempt++) {
        eb[0] = 0;
        CURLcode c = http_perform(h, x, q, r, eb);
        if (r->aborted) return MS_EIO; /* the sink filled its own error */
        if (r->body_too_big)
            return ms_fail(err, MS_EIO, "bad-answer",
                           "the server's answer is larger than %u MiB; is --server right?",
                           BODY_MAX >> 20);
        if (c == CURLE_OUT_OF_MEMORY) return ms_fail(err, MS_ENOMEM, NULL, "out of memory");
        bool again = c == CURLE_OK ? transient_status(r->status) : transient_curl(c);
        if (!again || q->once || attempt == HTTP_TRIES) {
            if (c == CURLE_OK) return 0;
            return ms_fail(err, MS_EIO, "unreachable", "cannot reach %s: %s", x->server,
                           eb[0] ? eb : curl_easy_strerror(c));
        }
        double wait = delay * jitter();
        if (c == CURLE_OK && r->retry_after >= 0)
            wait = r->retry_after > 60 ? 60 : wait > r->retry_after ? wait : (double)r->retry_after;
        sleep_s(wait);
        delay *= 2;
    }
}

static int status_code(long s)
{
    switch (s) {
    case 400:
        return MS_EBADREQ;
    case 401:
        return MS_EUNAUTH;
    case 403:
        return MS_EFORBIDDEN;
    case 404:
        return MS_ENOTFOUND;
    case 409:
        return MS_ECONFLICT;
    case 410:
        return MS_EGONE;
    case 412:
        return MS_ESTALE;
    case 413:
        return MS_ETOOBIG;
    case 422:
        return MS_EINVAL;
    case 429:
        return MS_ELIMIT;
    case 503:
        return MS_EBUSY;
    case 507:
        return MS_ENOSPC;
    default:
        return s >= 400 && s < 500 ? MS_EBADREQ : MS_EIO;
    }
}

/* Turn a non-2xx answer into an ms_error: the RFC 9457 problem's detail, type slug and field
 * errors when the body is one, a plain sentence otherwise. Returns the code. */
static int http_problem(const http_res *r, ms_error *err)
{
    int code = status_code(r->status);
    json_t *j = r->body.len ? json_loadb(r->body.data, r->body.len, 0, NULL) : NULL;
    const char *detail = NULL, *type = NULL;
    if (json_is_object(j)) {
        detail = json_string_value(json_object_get(j, "detail"));
        if (!detail || !*detail) detail = json_string_value(json_object_get(j, "title"));
        type = json_string_value(json_object_get(j, "type"));
        if (type && ms_str_has_prefix(type, PROBLEM_PREFIX))
            type += strlen(PROBLEM_PREFIX);
        else
            type = NULL;
        if (type && strlen(type) >= sizeof err->type) type = NULL;
    }
    if (detail && *detail && r->status == 401)
        ms_fail(err, code, type, "the server refused the token: %s", detail);
    else if (detail && *detail)
        ms_fail(err, code, type, "%s", detail);
    else if (r->status == 401)
        ms_fail(err, code, type, "the server refused the token (401)");
    else
        ms_fail(err, code, type, "the server answered %ld", r->status);
    json_t *errors = json_is_object(j) ? json_object_get(j, "errors") : NULL;
    size_t i;
    json_t *fe;
    json_array_foreach(errors, i, fe)
    {
        const char *f = json_string_value(json_object_get(fe, "field"));
        const char *m = json_string_value(json_object_get(fe, "message"));
        if (f && m) ms_field_fail(err, f, "%s", m);
    }
    err->code = code; /* ms_field_fail keeps it, but be explicit */
    json_decref(j);
    return code;
}

static int http_json(const http_res *r, json_t **out, ms_error *err)
{
    json_error_t je;
    json_t *j = json_loadb(r->body.data ? r->body.data : "", r->body.len, 0, &je);
    if (!json_is_object(j)) {
        json_decref(j);
        return ms_fail(err, MS_EIO, "bad-answer",
                       "the server's answer is not a JSON object (%s); is --server right?",
                       j ? "another JSON value" : je.text);
    }
    *out = j;
    return 0;
}

/* One API call that wants a 2xx answer and, unless `out` is NULL, a JSON object in it. */
static int api(CURL *h, const xfer *x, const http_req *q, json_t **out, long *status, ms_error *err)
{
    http_res r;
    res_init(&r);
    int rc = http_call(h, x, q, &r, err);
    if (!rc && status) *status = r.status;
    if (!rc) {
        if (r.status < 200 || r.status >= 300)
            rc = http_problem(&r, err);
        else if (out)
            rc = http_json(&r, out, err);
    }
    res_free(&r);
    return rc;
}

static int api_get(CURL *h, const xfer *x, const char *path, json_t **out, ms_error *err)
{
    http_req q = {.method = "GET", .path = path};
    return api(h, x, &q, out, NULL, err);
}

/* POST a JSON body (text) with a fresh Idempotency-Key unless `idem` is given. */
static int api_post(CURL *h, const xfer *x, const char *path, const char *body, const char *idem,
                    json_t **out, long *status, ms_error *err)
{
    char key[MS_ID_LEN];
    if (!idem) {
        ms_uuid7(key);
        idem = key;
    }
    http_req q = {.method = "POST",
                  .path = path,
                  .ctype = "application/json",
                  .body = body,
                  .len = strlen(body),
                  .idem = idem};
    return api(h, x, &q, out, status, err);
}

/* Append `s` as a JSON string; false when it is not valid UTF-8. */
static bool put_json_str(ms_buf *b, const char *s)
{
    json_t *j = json_string(s);
    if (!j) return false;
    char *t = json_dumps(j, JSON_ENCODE_ANY);
    json_decref(j);
    if (!t) return false;
    ms_buf_puts(b, t);
    free(t);
    return true;
}

static bool jint(const json_t *o, const char *k, int64_t lo, int64_t hi, int64_t *out)
{
    json_t *v = json_object_get(o, k);
    if (!json_is_integer(v)) return false;
    json_int_t n = json_integer_value(v);
    if (n < lo || n > hi) return false;
    *out = (int64_t)n;
    return true;
}

static const char *jstr(const json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

/* The common options: --server (MSTATION_SERVER, else http://127.0.0.1:8080) and --token
 * (MSTATION_TOKEN), --limit-rate. Initializes libcurl (before any thread starts). */
static int xfer_open(const char *cmd, const cli_args *a, char **envp, xfer *x)
{
    memset(x, 0, sizeof *x);
    const char *server = cli_get(a, "server");
    if (!server) server = env_get(envp, "MSTATION_SERVER");
    if (!server || !*server) server = DEFAULT_SERVER;
    if (!ms_str_has_prefix(server, "http://") && !ms_str_has_prefix(server, "https://"))
        return usage(cmd, "--server must be an http:// or https:// URL, not \"%.200s\"", server);
    if (strlen(server) >= sizeof x->server || strpbrk(server, " \r\n\t"))
        return usage(cmd, "--server is not a usable URL");
    ms_strlcpy(x->server, server, sizeof x->server);
    size_t n = strlen(x->server);
    while (n > 8 && x->server[n - 1] == '/')
        x->server[--n] = 0;
    const char *token = cli_get(a, "token");
    if (!token) token = env_get(envp, "MSTATION_TOKEN");
    if (!token || !*token)
        return usage(cmd, "no API token: pass --token TOKEN or set MSTATION_TOKEN (make one "
                          "with `mstation token create` or in the web UI)");
    if (strlen(token) > 1000) return usage(cmd, "--token is too long to be a token");
    for (const char *p = token; *p; p++)
        if (*p <= ' ' || *p > '~') return usage(cmd, "--token has characters no token has");
    snprintf(x->auth, sizeof x->auth, "Authorization: Bearer %s", token);
    const char *rate = cli_get(a, "limit-rate");
    if (rate) {
        int64_t v;
        if (!ms_parse_size(rate, &v) || v < 1024 || v > ((int64_t)1 << 40))
            return usage(cmd, "--limit-rate must be a size per second, e.g. 20MB or 512KiB");
        x->rate = (curl_off_t)v;
    }
    if (curl_global_init(CURL_GLOBAL_DEFAULT)) {
        fprintf(stderr, "mstation %s: cannot initialize libcurl\n", cmd);
        return CLI_FAIL;
    }
    return 0;
}

/* An id the server made (a UUID), checked before it goes into a URL. */
static bool id_ok(const char *s)
{
    return s && ms_uuid_valid(s);
}

/* ==== Progress ============================================================================
 *
 * One line on stderr, rewritten with \r four times a second by its own thread: percent, bar,
 * bytes done of total, rate over the last ~8 s, ETA, and what is being worked on. Only when
 * stderr is a terminal and --no-progress was not given. Lines that other code prints go
 * through progress_line, which clears the bar first so nothing is left half-overwritten. */

#define RATE_SAMPLES 32

typedef struct progress {
    bool on, running, stop, drawn;
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    _Atomic uint64_t done, total;
    char label[600]; /* under mu */
    double t0;
    double ts[RATE_SAMPLES];
    uint64_t td[RATE_SAMPLES];
    int nsamp, next;
} progress;

static void fmt_eta(double s, char out[24])
{
    if (!(s >= 0) || s > 359999) {
        snprintf(out, 24, "--:--");
        return;
    }
    long t = (long)(s + 0.5);
    if (t >= 3600)
        snprintf(out, 24, "%ld:%02ld:%02ld", t / 3600, t / 60 % 60, t % 60);
    else
        snprintf(out, 24, "%ld:%02ld", t / 60, t % 60);
}

static void progress_draw(progress *p)
{
    double t = now_s();
    uint64_t total = atomic_load(&p->total), done = atomic_load(&p->done);
    if (done > total) done = total;
    p->ts[p->next] = t;
    p->td[p->next] = done;
    p->next = (p->next + 1) % RATE_SAMPLES;
    if (p->nsamp < RATE_SAMPLES) p->nsamp++;
    int oldest = p->nsamp < RATE_SAMPLES ? 0 : p->next;
    double dt = t - p->ts[oldest];
    double rate = dt > 0.2 && done >= p->td[oldest] ? (double)(done - p->td[oldest]) / dt : 0;
    int pct = total ? (int)(done * 100 / total) : 100;
    char bar[24];
    int fill = pct * 16 / 100;
    for (int i = 0; i < 16; i++)
        bar[i] = i < fill ? '#' : '-';
    bar[16] = 0;
    char hd[24], ht[24], eta[24];
    fmt_eta(rate > 0 ? (double)(total - done) / rate : -1, eta);
    char line[1400];
    int n = snprintf(line, sizeof line, "%3d%% [%s] %s/%s %5.1f MB/s ETA %s  ", pct, bar,
                     human(done, hd), human(total, ht), rate / MB, eta);
    struct winsize ws;
    size_t cols = ioctl(2, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 20 ? ws.ws_col : 80;
    if (n > 0 && (size_t)n < cols - 1) {
        char lab[600];
        safe(p->label, lab, sizeof lab);
        size_t fit = text_fit(lab, cols - 1 - (size_t)n);
        snprintf(line + n, sizeof line - (size_t)n, "%.*s", (int)fit, lab);
    }
    fprintf(stderr, "\r%s\033[K", line);
    fflush(stderr);
    p->drawn = true;
}

static void *progress_main(void *arg)
{
    progress *p = arg;
    pthread_mutex_lock(&p->mu);
    while (!p->stop) {
        progress_draw(p);
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_nsec += 250000000L;
        if (ts.tv_nsec >= 1000000000L) ts.tv_sec++, ts.tv_nsec -= 1000000000L;
        pthread_cond_timedwait(&p->cv, &p->mu, &ts);
    }
    pthread_mutex_unlock(&p->mu);
    return NULL;
}

static void progress_init(progress *p, bool want)
{
    memset(p, 0, sizeof *p);
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->cv, NULL);
    p->on = want && isatty(2);
    p->t0 = now_s();
}

static void progress_start(progress *p, uint64_t total)
{
    atomic_store(&p->total, total);
    if (p->on && !p->running) p->running = !pthread_create(&p->thread, NULL, progress_main, p);
}

static void progress_label(progress *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void progress_label(progress *p, const char *fmt, ...)
{
    pthread_mutex_lock(&p->mu);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(p->label, sizeof p->label, fmt, ap);
    va_end(ap);
    pthread_mutex_unlock(&p->mu);
}

static void progress_line(progress *p, FILE *f, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void progress_line(progress *p, FILE *f, const char *fmt, ...)
{
    pthread_mutex_lock(&p->mu);
    if (p->drawn) {
        fputs("\r\033[K", stderr);
        fflush(stderr);
        p->drawn = false;
    }
    va_list ap;
    va_start(ap, fmt);
    vfprintf(f, fmt, ap);
    va_end(ap);
    fflush(f);
    pthread_mutex_unlock(&p->mu);
}

static void progress_stop(progress *p)
{
    if (p->running) {
        pthread_mutex_lock(&p->mu);
        p->stop = true;
        pthread_cond_signal(&p->cv);
        pthread_mutex_unlock(&p->mu);
        pthread_join(p->thread, NULL);
        p->running = false;
    }
    if (p->drawn) {
        fputs("\r\033[K", stderr);
        fflush(stderr);
    }
    pthread_mutex_destroy(&p->mu);
    pthread_cond_destroy(&p->cv);
}

/* ==== put =================================================================================
 *
 * The files first: every argument is walked (folders recursively, in name order, symbolic
 * links inside them skipped with a warning) into a list of (local path, remote folder,
 * name, size), so the bar knows the total. Then --files files (3) are worked on at once, each by
 * its own thread with its own connection, so that one file's commit (the server re-reads and syncs
 * it) or a small file's round trips overlap another's hashing and sending. Two files bound for the
 * same folder/name are never in flight together: they become versions in the order they were named.
 * For each file:
 *
 *   1. Is there an asset at folder/name already? When its current version has the same size,
 *      the file is hashed before anything is sent, and an equal digest skips it: a second
 *      put of the same tree sends nothing. Otherwise (new asset, or another size, so it
 *      cannot be equal) hashing and sending overlap: every few hundred chunks the server is
 *      asked which it lacks, and those go to the senders while the chunker goes on.
 *   2. Senders (--parallel threads, one connection each, alive across files) take missing
 *      chunks from a queue, re-read them with pread and PUT them. The server checks each
 *      chunk's digest, so a file that changes under the upload fails instead of committing
 *      a mixture; its size and mtime are also compared before and after.
 *   3. The commit names every chunk in order, with the whole file's digest. A 409
 *      chunks-missing (the store lost or collected one meanwhile) sends what it names again
 *      and commits once more.
 *
 * A chunk that occurs twice in a file is asked about and sent once. */

typedef struct chunk_ref {
    uint64_t off;
    uint32_t len;
    uint8_t d[32];
} chunk_ref;

/* A set of digests (open addressing on their first 8 bytes, which are uniformly random). */
typedef struct dset {
    struct dslot {
        uint8_t d[32];
        bool used;
    } * s;
    size_t cap, n;
} dset;

static size_t dslot_of(const dset *s, const uint8_t d[32])
{
    uint64_t k;
    memcpy(&k, d, 8);
    size_t i = (size_t)k & (s->cap - 1);
    while (s->s[i].used && memcmp(s->s[i].d, d, 32))
        i = (i + 1) & (s->cap - 1);
    return i;
}

static bool dset_has(const dset *s, const uint8_t d[32])
{
    return s->cap && s->s[dslot_of(s, d)].used;
}

/* Add; false only when out of memory. */
static bool dset_add(dset *s, const uint8_t d[32])
{
    if (2 * (s->n + 1) > s->cap) {
        size_t cap = s->cap ? 2 * s->cap : 256;
        dset t = {calloc(cap, sizeof *s->s), cap, 0};
        if (!t.s) return false;
        for (size_t i = 0; i < s->cap; i++)
            if (s->s[i].used) {
                t.s[dslot_of(&t, s->s[i].d)] = s->s[i];
                t.n++;
            }
        free(s->s);
        *s = t;
    }
    size_t i = dslot_of(s, d);
    if (!s->s[i].used) {
        memcpy(s->s[i].d, d, 32);
        s->s[i].used = true;
        s->n++;
    }
    return true;
}

static void dset_clear(dset *s)
{
    if (s->s) memset(s->s, 0, s->cap * sizeof *s->s);
    s->n = 0;
}

static void dset_free(dset *s)
{
    free(s->s);
    memset(s, 0, sizeof *s);
}

typedef struct put_file {
    char *path, *folder, *name;
    uint64_t size;
} put_file;

typedef struct put_list {
    put_file *v;
    size_t n, cap;
    uint64_t bytes;
    int failed; /* arguments that could not be read */
    int first_rc;
} put_list;

/* The file being sent, as the senders see it (fields under pool.mu unless atomic). */
typedef struct put_cur {
    int fd;
    const char *path;
    size_t outstanding; /* chunks queued or being sent */
    int rc;             /* first failure; later chunks of the file are dropped */
    bool sender_failed; /* the failure is a sender's, described in `err` */
    ms_error err;
    _Atomic uint64_t sent;
} put_cur;

typedef struct put_item {
    put_cur *f;
    chunk_ref c;
} put_item;

typedef struct pool {
    const xfer *x;
    const char *pid;
    progress *prog;
    uint32_t chunk_max;
    pthread_mutex_t mu;
    pthread_cond_t work, idle;
    put_item *q;
    size_t head, len, cap;
    bool quit;
    int nthreads;
    pthread_t th[PARALLEL_MAX];
} pool;

static int send_chunk(pool *p, CURL *h, put_cur *f, const chunk_ref *c, uint8_t *buf, ms_error *err)
{
    size_t got = 0;
    while (got < c->len) {
        ssize_t n = pread(f->fd, buf + got, c->len - got, (off_t)(c->off + got));
        if (n < 0 && errno == EINTR) continue;
        if (n < 0)
            return ms_fail(err, MS_EIO, NULL, "cannot read at offset %" PRIu64 ": %s", c->off + got,
                           strerror(errno));
        if (n == 0)
            return ms_fail(err, MS_ECONFLICT, "file-changed",
                           "the file became shorter during the upload; run put again when it "
                           "is complete");
        got += (size_t)n;
    }
    char hex[65], path[200];
    hex32(c->d, hex);
    snprintf(path, sizeof path, "/api/v1/projects/%s/chunks/%s", p->pid, hex);
    http_req q = {.method = "PUT",
                  .path = path,
                  .ctype = "application/octet-stream",
                  .body = buf,
                  .len = c->len};
    long status = 0;
    int rc = api(h, p->x, &q, NULL, &status, err);
    if (rc && !strcmp(err->type, "digest-mismatch"))
        rc = ms_fail(err, MS_ECONFLICT, "file-changed",
                     "the file changed during the upload (a chunk no longer has the bytes it "
                     "was hashed from); run put again when it is complete");
    if (rc) return rc;
    atomic_fetch_add(&f->sent, c->len);
    atomic_fetch_add(&p->prog->done, c->len);
    return 0;
}

static void *pool_main(void *arg)
{
    pool *p = arg;
    CURL *h = curl_easy_init();
    uint8_t *buf = malloc(p->chunk_max);
    pthread_mutex_lock(&p->mu);
    for (;;) {
        while (!p->len && !p->quit)
            pthread_cond_wait(&p->work, &p->mu);
        if (!p->len) break;
        put_item it = p->q[p->head++];
        if (--p->len == 0) p->head = 0;
        put_cur *f = it.f;
        bool skip = f->rc != 0;
        pthread_mutex_unlock(&p->mu);
        ms_error e;
        ms_error_clear(&e);
        int rc = 0;
        if (!skip)
            rc = h && buf ? send_chunk(p, h, f, &it.c, buf, &e)
                          : ms_fail(&e, MS_ENOMEM, NULL, "out of memory");
        pthread_mutex_lock(&p->mu);
        if (rc && !f->rc) {
            f->rc = rc;
            f->sender_failed = true;
            f->err = e;
        }
        if (--f->outstanding == 0) pthread_cond_broadcast(&p->idle);
    }
    pthread_mutex_unlock(&p->mu);
    free(buf);
    if (h) curl_easy_cleanup(h);
    return NULL;
}

static int pool_start(pool *p, int n)
{
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->work, NULL);
    pthread_cond_init(&p->idle, NULL);
    for (int i = 0; i < n; i++) {
        if (pthread_create(&p->th[i], NULL, pool_main, p)) break;
        p->nthreads++;
    }
    return p->nthreads ? 0 : MS_ENOMEM;
}

static void pool_stop(pool *p)
{
    pthread_mutex_lock(&p->mu);
    p->quit = true;
    pthread_cond_broadcast(&p->work);
    pthread_mutex_unlock(&p->mu);
    for (int i = 0; i < p->nthreads; i++)
        pthread_join(p->th[i], NULL);
    free(p->q);
    pthread_mutex_destroy(&p->mu);
    pthread_cond_destroy(&p->work);
    pthread_cond_destroy(&p->idle);
}

static int pool_push(pool *p, put_cur *f, const chunk_ref *c, ms_error *err)
{
    pthread_mutex_lock(&p->mu);
    if (p->head + p->len == p->cap) {
        if (p->head) {
            memmove(p->q, p->q + p->head, p->len * sizeof *p->q);
            p->head = 0;
        } else {
            size_t cap = p->cap ? 2 * p->cap : 1024;
            put_item *q = realloc(p->q, cap * sizeof *q);
            if (!q) {
                pthread_mutex_unlock(&p->mu);
                return ms_fail(err, MS_ENOMEM, NULL, "out of memory");
            }
            p->q = q;
            p->cap = cap;
        }
    }
    p->q[p->head + p->len++] = (put_item){f, *c};
    f->outstanding++;
    pthread_cond_signal(&p->work);
    pthread_mutex_unlock(&p->mu);
    return 0;
}

/* The file's first failure so far (0: none). */
static int pool_failed(pool *p, put_cur *f)
{
    pthread_mutex_lock(&p->mu);
    int rc = f->rc;
    pthread_mutex_unlock(&p->mu);
    return rc;
}

/* Wait until every chunk of the file was sent (or dropped after a failure). When `cancel`
 * is a failure (described in `err` already), the rest is dropped. Returns the file's first
 * failure; when a sender had it, its error replaces `err`. */
static int pool_wait(pool *p, put_cur *f, int cancel, ms_error *err)
{
    pthread_mutex_lock(&p->mu);
    if (cancel && !f->rc) f->rc = cancel; /* `err` already holds the reason */
    while (f->outstanding)
        pthread_cond_wait(&p->idle, &p->mu);
    int rc = f->rc;
    if (f->sender_failed) *err = f->err;
    pthread_mutex_unlock(&p->mu);
    return rc;
}

/* One file's run. */
typedef struct put_run {
    pool *pool;
    CURL *h; /* the main thread's connection */
    put_cur cur;
    chunk_ref *v; /* every chunk of the file, in order */
    size_t n, cap;
    size_t asked;  /* v[0..asked) are resolved: present, queued, or a repeat */
    size_t batch;  /* chunks to gather before asking (grows to MISSING_MAX) */
    bool stream;   /* ask while chunking */
    bool counting; /* count resolved bytes in the progress (not when asking again) */
    uint64_t hashed;
    dset seen; /* digests of this file already resolved */
} put_run;

/* Ask the server which of v[asked..upto) it lacks (at most MISSING_MAX distinct digests per
 * call) and queue those; everything else counts as done. */
static int ask(put_run *r, size_t upto, ms_error *err)
{
    pool *p = r->pool;
    int rc = 0;
    dset batch = {0}, miss = {0};
    ms_buf body;
    ms_buf_init(&body);
    char path[160];
    snprintf(path, sizeof path, "/api/v1/projects/%s/chunks/missing", p->pid);
    while (!rc && r->asked < upto) {
        size_t end = r->asked, k = 0;
        dset_clear(&batch);
        dset_clear(&miss);
        ms_buf_reset(&body);
        ms_buf_puts(&body, "{\"digests\":[");
        for (; end < upto && k < MISSING_MAX; end++) {
            const chunk_ref *c = &r->v[end];
            if (dset_has(&r->seen, c->d) || dset_has(&batch, c->d)) continue;
            if (!dset_add(&batch, c->d)) {
                rc = ms_fail(err, MS_ENOMEM, NULL, "out of memory");
                break;
            }
            char hex[65];
            hex32(c->d, hex);
            ms_buf_printf(&body, "%s\"%s\"", k++ ? "," : "", hex);
        }
        ms_buf_puts(&body, "]}");
        if (!rc && body.oom) rc = ms_fail(err, MS_ENOMEM, NULL, "out of memory");
        if (!rc && k) {
            json_t *j = NULL;
            rc = api_post(r->h, p->x, path, body.data, NULL, &j, NULL, err);
            json_t *m = rc ? NULL : json_object_get(j, "missing");
            if (!rc && !json_is_array(m))
                rc = ms_fail(err, MS_EIO, "bad-answer",
                             "the server's answer to chunks/missing has no \"missing\" list");
            size_t i;
            json_t *d;
            json_array_foreach(m, i, d)
            {
                uint8_t raw[32];
                if (rc) break;
                if (!unhex32(json_string_value(d), raw) || !dset_has(&batch, raw))
                    rc = ms_fail(err, MS_EIO, "bad-answer",
                                 "the server named a chunk as missing that was not asked about");
                else if (!dset_add(&miss, raw))
                    rc = ms_fail(err, MS_ENOMEM, NULL, "out of memory");
            }
            json_decref(j);
        }
        for (size_t i = r->asked; !rc && i < end; i++) {
            const chunk_ref *c = &r->v[i];
            bool first = !dset_has(&r->seen, c->d);
            if (first && !dset_add(&r->seen, c->d)) {
                rc = ms_fail(err, MS_ENOMEM, NULL, "out of memory");
            } else if (first && dset_has(&miss, c->d)) {
                rc = pool_push(p, &r->cur, c, err);
            } else if (r->counting) {
                atomic_fetch_add(&p->prog->done, c->len);
            }
        }
        if (!rc) r->asked = end;
    }
    ms_buf_free(&body);
    dset_free(&batch);
    dset_free(&miss);
    return rc;
}

static int on_chunk(void *ctx, const ms_chunk *k, ms_error *err)
{
    put_run *r = ctx;
    if (r->n == r->cap) {
        size_t cap = r->cap ? 2 * r->cap : 1024;
        chunk_ref *v = realloc(r->v, cap * sizeof *v);
        if (!v) return ms_fail(err, MS_ENOMEM, NULL, "out of memory");
        r->v = v;
        r->cap = cap;
    }
    chunk_ref *c = &r->v[r->n++];
    c->off = k->offset;
    c->len = (uint32_t)k->len;
    memcpy(c->d, k->digest, 32);
    r->hashed += k->len;
    if (r->stream && r->n - r->asked >= r->batch) {
        int rc = pool_failed(r->pool, &r->cur);
        if (rc) return rc; /* a sender failed: stop reading; pool_wait has its error */
        if ((rc = ask(r, r->n, err))) return rc;
        if (r->batch < MISSING_MAX) r->batch *= 2;
    }
    return 0;
}

typedef struct remote_asset {
    bool found;
    int64_t size, number;
    char digest[65];
} remote_asset;

/* The asset at exactly folder/name in the project, if there is one. The list's name filter
 * matches substrings without regard to case, so the exact item is picked here. */
static int find_asset(CURL *h, const xfer *x, const char *pid, const char *folder, const char *name,
                      remote_asset *out, ms_error *err)
{
    memset(out, 0, sizeof *out);
    char *ef = curl_easy_escape(h, folder, 0), *en = curl_easy_escape(h, name, 0);
    char *ec = NULL;
    int rc = ef && en ? 0 : ms_fail(err, MS_ENOMEM, NULL, "out of memory");
    for (int page = 0; !rc && !out->found; page++) {
        if (page == PAGES_MAX) {
            rc = ms_fail(err, MS_EIO, "bad-answer", "the server's asset list does not end");
            break;
        }
        ms_buf path;
        ms_buf_init(&path);
        ms_buf_printf(&path, "/api/v1/projects/%s/assets?folder=%s&name=%s&limit=500", pid, ef, en);
        if (ec) ms_buf_printf(&path, "&cursor=%s", ec);
        json_t *j = NULL;
        rc = path.oom ? ms_fail(err, MS_ENOMEM, NULL, "out of memory")
                      : api_get(h, x, path.data, &j, err);
        ms_buf_free(&path);
        if (rc) break;
        json_t *items = json_object_get(j, "items"), *next = json_object_get(j, "next_cursor");
        if (!json_is_array(items) || !(json_is_null(next) || json_is_string(next))) {
            json_decref(j);
            rc = ms_fail(err, MS_EIO, "bad-answer", "the server's asset list is malformed");
            break;
        }
        size_t i;
        json_t *it;
        json_array_foreach(items, i, it)
        {
            if (!ms_str_eq(jstr(it, "folder"), folder) || !ms_str_eq(jstr(it, "name"), name))
                continue;
            if (!jint(it, "size", 0, SIZE_LIMIT, &out->size) ||
                !jint(it, "current_number", 1, 100000000, &out->number) ||
                !unhex32(jstr(it, "digest"), NULL)) {
                rc = ms_fail(err, MS_EIO, "bad-answer",
                             "the server's asset list has an item without a valid size, "
                             "current_number or digest");
                break;
            }
            ms_strlcpy(out->digest, jstr(it, "digest"), sizeof out->digest);
            out->found = true;
            break;
        }
        curl_free(ec);
        ec = NULL;
        if (!rc && !out->found && json_is_string(next)) {
            ec = curl_easy_escape(h, json_string_value(next), 0);
            if (!ec) rc = ms_fail(err, MS_ENOMEM, NULL, "out of memory");
        }
        json_decref(j);
        if (!ec) break;
    }
    curl_free(ec);
    curl_free(ef);
    curl_free(en);
    return rc;
}

typedef struct put_opts {
    const char *pid;
    const char *comment;
    ms_cdc_params params;
} put_opts;

static int commit(put_run *r, const put_opts *o, const put_file *pf, uint64_t size,
                  const char *digest, json_t **out, long *status, ms_error *err)
{
    ms_buf b;
    ms_buf_init(&b);
    ms_buf_puts(&b, "{\"folder\":");
    bool ok = put_json_str(&b, pf->folder);
    ms_buf_puts(&b, ",\"filename\":");
    if (!ok || !put_json_str(&b, pf->name)) {
        ms_buf_free(&b);
        return ms_fail(err, MS_EINVAL, "bad-name",
                       "its folder or name is not valid UTF-8 text; rename it to upload it");
    }
    ms_buf_printf(&b, ",\"size\":%" PRIu64 ",\"digest\":\"%s\",\"chunks\":[", size, digest);
    for (size_t i = 0; i < r->n; i++) {
        char hex[65];
        hex32(r->v[i].d, hex);
        ms_buf_printf(&b, "%s{\"digest\":\"%s\",\"size\":%" PRIu32 "}", i ? "," : "", hex,
                      r->v[i].len);
    }
    ms_buf_puts(&b, "]");
    if (o->comment) {
        ms_buf_puts(&b, ",\"comment\":");
        if (!put_json_str(&b, o->comment)) {
            ms_buf_free(&b);
            return ms_fail(err, MS_EINVAL, NULL, "--comment is not valid UTF-8 text");
        }
    }
    ms_buf_puts(&b, "}");
    char path[160];
    snprintf(path, sizeof path, "/api/v1/projects/%s/assets/commit", o->pid);
    int rc = b.oom ? ms_fail(err, MS_ENOMEM, NULL, "out of memory")
                   : api_post(r->h, r->pool->x, path, b.data, NULL, out, status, err);
    ms_buf_free(&b);
    return rc;
}

static void remote_path(const put_file *pf, char *out, size_t cap)
{
    snprintf(out, cap, "%s/%s", strcmp(pf->folder, "/") ? pf->folder : "", pf->name);
}

/* Upload one file. Prints its line; returns 0 or a negative code (the error in `err`). */
static int put_one(pool *p, CURL *h, const put_opts *o, const put_file *pf, ms_error *err)
{
    progress *prog = p->prog;
    double t0 = now_s();
    uint64_t done0 = atomic_load(&prog->done);
    char rpath[2400], sp[1200], sr[2400], a[32], b[32];
    remote_path(pf, rpath, sizeof rpath);
    safe(pf->path, sp, sizeof sp);
    safe(rpath, sr, sizeof sr);
    int fd = open(pf->path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return ms_fail(err, MS_ENOTFOUND, NULL, "cannot open: %s", strerror(errno));
    put_run r;
    memset(&r, 0, sizeof r);
    r.pool = p;
    r.h = h;
    r.cur.fd = fd;
    r.cur.path = pf->path;
    r.counting = true;
    r.batch = 16; /* the first chunks go out soon; later batches are larger */
    struct stat st0, st1;
    int rc = 0;
    json_t *j = NULL;
    if (fstat(fd, &st0) || !S_ISREG(st0.st_mode)) {
        rc = ms_fail(err, MS_EINVAL, NULL, "not a regular file");
        goto out;
    }
    remote_asset old;
    if ((rc = find_asset(h, p->x, o->pid, pf->folder, pf->name, &old, err))) goto out;
    r.stream = !(old.found && (uint64_t)old.size == (uint64_t)st0.st_size);
    progress_label(prog, "%s %s", r.stream ? "sending" : "checking", pf->name);
    ms_chunker_result res;
    rc = ms_chunker_fd(fd, &o->params, 0, on_chunk, &r, &res, err);
    if (rc) {
        rc = pool_wait(p, &r.cur, rc, err);
        goto out;
    }
    char digest[65];
    hex32(res.digest, digest);
    if (res.size != (uint64_t)st0.st_size) {
        rc = pool_wait(p, &r.cur,
                       ms_fail(err, MS_ECONFLICT, "file-changed",
                               "the file changed while it was read (%" PRIu64
                               " bytes, %lld at the start); run put again when it is complete",
                               res.size, (long long)st0.st_size),
                       err);
        goto out;
    }
    if (!r.stream && !strcmp(digest, old.digest)) {
        /* Same content as the current version: nothing to send, no new version. */
        atomic_fetch_add(&prog->done, res.size);
        double dt = now_s() - t0;
        progress_line(prog, stdout, "put %s -> %s v%03d unchanged (%s, %s sent, %.1f MB/s)\n", sp,
                      sr, (int)old.number, mb(res.size, a), mb(0, b),
                      dt > 0 ? (double)res.size / MB / dt : 0.0);
        goto out;
    }
    progress_label(prog, "sending %s", pf->name);
    rc = ask(&r, r.n, err);
    rc = pool_wait(p, &r.cur, rc, err);
    if (rc) goto out;
    if (fstat(fd, &st1) || st1.st_size != st0.st_size || st1.st_mtim.tv_sec != st0.st_mtim.tv_sec ||
        st1.st_mtim.tv_nsec != st0.st_mtim.tv_nsec) {
        rc = ms_fail(err, MS_ECONFLICT, "file-changed",
                     "the file changed during the upload; run put again when it is complete");
        goto out;
    }
    progress_label(prog, "committing %s", pf->name);
    long status = 0;
    rc = commit(&r, o, pf, res.size, digest, &j, &status, err);
    if (rc == MS_ECONFLICT && !strcmp(err->type, "chunks-missing")) {
        /* The store lost some chunks since they were reported present (gc, damage): ask
         * about every chunk again, send what is missing, and commit once more. */
        ms_error_clear(err);
        r.asked = 0;
        r.counting = false;
        dset_clear(&r.seen);
        rc = ask(&r, r.n, err);
        rc = pool_wait(p, &r.cur, rc, err);
        if (!rc) rc = commit(&r, o, pf, res.size, digest, &j, &status, err);
    }
    if (rc == MS_ETOOBIG) {
        char said[sizeof err->detail];
        ms_strlcpy(said, err->detail, sizeof said);
        ms_fail(err, MS_ETOOBIG, "manifest-too-large",
                "its list of %zu chunks is more than the server takes in one commit (%s); the "
                "server's max_body setting must be raised for files this large",
                r.n, said);
    }
    if (rc) goto out;
    int64_t number = 0;
    if (!jint(j, "current_number", 1, 100000000, &number)) {
        rc = ms_fail(err, MS_EIO, "bad-answer",
                     "the server's answer to the commit has no valid current_number");
        goto out;
    }
    double dt = now_s() - t0;
    uint64_t sent = atomic_load(&r.cur.sent);
    progress_line(prog, stdout, "put %s -> %s v%03d (%s, %s sent, %.1f MB/s)\n", sp, sr,
                  (int)number, mb(res.size, a), mb(sent, b),
                  dt > 0 ? (double)res.size / MB / dt : 0.0);
out:
    if (rc) {
        /* Keep the bar's total honest: what this file did not get done will not be. */
        uint64_t did = atomic_load(&prog->done) - done0;
        if (did < pf->size) atomic_fetch_sub(&prog->total, pf->size - did);
    }
    json_decref(j);
    free(r.v);
    dset_free(&r.seen);
    close(fd);
    return rc;
}

/* ---- Several files at once. ---- */

typedef struct put_sched {
    pool *p;
    const put_opts *o;
    put_list *l;
    progress *prog;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    size_t next;            /* the next file to start */
    int nfiles;             /* workers (--files) */
    size_t slot[FILES_MAX]; /* the file each worker has, SIZE_MAX: none */
    size_t ok, failed;
    int ret;
} put_sched;

typedef struct put_worker {
    put_sched *s;
    int id;
} put_worker;

/* Is a file bound for the same folder/name as file i in flight? (under mu) */
static bool remote_busy(const put_sched *s, size_t i)
{
    const put_file *f = &s->l->v[i];
    for (int k = 0; k < s->nfiles; k++) {
        const put_file *g = s->slot[k] == SIZE_MAX ? NULL : &s->l->v[s->slot[k]];
        if (g && !strcmp(g->folder, f->folder) && !strcmp(g->name, f->name)) return true;
    }
    return false;
}

/* A failed file's lines on stderr, and whether to stop the whole put (under mu). */
static void put_failed(put_sched *s, size_t i, const ms_error *e)
{
    char sp[1200], sd[1200];
    s->failed++;
    progress_line(s->prog, stderr, "mstation put: %s: %s\n", safe(s->l->v[i].path, sp, sizeof sp),
                  safe(e->detail[0] ? e->detail : ms_error_slug(e->code), sd, sizeof sd));
    for (int k = 0; k < e->nfields; k++) {
        char sf[200];
        progress_line(s->prog, stderr, "  %s: %s\n", safe(e->fields[k].field, sf, sizeof sf),
                      safe(e->fields[k].message, sd, sizeof sd));
    }
    if (!s->ret) s->ret = exit_code(e->code);
    /* These fail every other file the same way: stop instead of repeating them. */
    if (e->code == MS_EUNAUTH || e->code == MS_ENOSPC || !strcmp(e->type, "chunk-too-large") ||
        !strcmp(e->type, "unreachable")) {
        if (s->next < s->l->n)
            progress_line(s->prog, stderr, "mstation put: stopping; %zu files not sent\n",
                          s->l->n - s->next);
        s->failed += s->l->n - s->next;
        s->next = s->l->n;
    }
}

static void *put_worker_main(void *arg)
{
    put_worker *w = arg;
    put_sched *s = w->s;
    CURL *h = curl_easy_init();
    pthread_mutex_lock(&s->mu);
    for (;;) {
        while (s->next < s->l->n && remote_busy(s, s->next))
            pthread_cond_wait(&s->cv, &s->mu);
        if (s->next >= s->l->n) break;
        size_t i = s->next++;
        s->slot[w->id] = i;
        pthread_mutex_unlock(&s->mu);
        ms_error e;
        ms_error_clear(&e);
        int rc = h ? put_one(s->p, h, s->o, &s->l->v[i], &e)
                   : ms_fail(&e, MS_ENOMEM, NULL, "out of memory");
        pthread_mutex_lock(&s->mu);
        s->slot[w->id] = SIZE_MAX;
        pthread_cond_broadcast(&s->cv);
        if (rc)
            put_failed(s, i, &e);
        else
            s->ok++;
    }
    pthread_mutex_unlock(&s->mu);
    if (h) curl_easy_cleanup(h);
    return NULL;
}

/* Upload every file of the list; counts and the exit code end up in `s`. */
static void put_files(put_sched *s)
{
    pthread_mutex_init(&s->mu, NULL);
    pthread_cond_init(&s->cv, NULL);
    put_worker w[FILES_MAX];
    pthread_t th[FILES_MAX];
    int n = 0;
    for (int k = 0; k < FILES_MAX; k++)
        s->slot[k] = SIZE_MAX;
    for (int k = 0; k < s->nfiles && (size_t)k < s->l->n; k++) {
        w[k] = (put_worker){.s = s, .id = k};
        if (pthread_create(&th[k], NULL, put_worker_main, &w[k])) break;
        n++;
    }
    if (!n && s->l->n) { /* no thread at all: this one does the work */
        w[0] = (put_worker){.s = s, .id = 0};
        put_worker_main(&w[0]);
    }
    for (int k = 0; k < n; k++)
        pthread_join(th[k], NULL);
    pthread_mutex_destroy(&s->mu);
    pthread_cond_destroy(&s->cv);
}

/* ---- Walking the arguments. ---- */

static char *join(const char *a, const char *b)
{
    size_t na = strlen(a), nb = strlen(b);
    bool slash = na && a[na - 1] == '/';
    char *s = malloc(na + nb + 2);
    if (s) snprintf(s, na + nb + 2, "%s%s%s", a, slash ? "" : "/", b);
    return s;
}

static void list_fail(put_list *l, progress *prog, const char *path, int code, const char *why)
{
    char sp[1200];
    progress_line(prog, stderr, "mstation put: %s: %s\n", safe(path, sp, sizeof sp), why);
    if (!l->failed++) l->first_rc = code;
}

static bool list_add(put_list *l, const char *path, const char *folder, const char *name,
                     uint64_t size)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? 2 * l->cap : 64;
        put_file *v = realloc(l->v, cap * sizeof *v);
        if (!v) return false;
        l->v = v;
        l->cap = cap;
    }
    put_file *f = &l->v[l->n];
    f->path = strdup(path);
    f->folder = strdup(folder);
    f->name = strdup(name);
    f->size = size;
    if (!f->path || !f->folder || !f->name) {
        free(f->path);
        free(f->folder);
        free(f->name);
        return false;
    }
    l->n++;
    l->bytes += size;
    return true;
}

static void list_free(put_list *l)
{
    for (size_t i = 0; i < l->n; i++) {
        free(l->v[i].path);
        free(l->v[i].folder);
        free(l->v[i].name);
    }
    free(l->v);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Add the files under directory `dir` (local path) to remote folder `folder`. */
static int walk_dir(put_list *l, progress *prog, const char *dir, const char *folder, int depth)
{
    if (depth > 64) {
        list_fail(l, prog, dir, MS_EINVAL, "folders nested deeper than 64 levels");
        return 0;
    }
    DIR *d = opendir(dir);
    if (!d) {
        list_fail(l, prog, dir, MS_EIO, strerror(errno));
        return 0;
    }
    char **names = NULL;
    size_t n = 0, cap = 0;
    int rc = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
        if (n == cap) {
            cap = cap ? 2 * cap : 64;
            char **v = realloc(names, cap * sizeof *v);
            if (!v) {
                rc = MS_ENOMEM;
                break;
            }
            names = v;
        }
        if (!(names[n] = strdup(e->d_name))) {
            rc = MS_ENOMEM;
            break;
        }
        n++;
    }
    closedir(d);
    if (n) qsort(names, n, sizeof *names, cmp_str);
    for (size_t i = 0; i < n; i++) {
        char *path = rc ? NULL : join(dir, names[i]);
        struct stat st;
        if (rc) {
        } else if (!path) {
            rc = MS_ENOMEM;
        } else if (lstat(path, &st)) {
            list_fail(l, prog, path, MS_EIO, strerror(errno));
        } else if (S_ISLNK(st.st_mode)) {
            char sp[1200];
            progress_line(prog, stderr, "mstation put: %s: skipped (a symbolic link)\n",
                          safe(path, sp, sizeof sp));
        } else if (S_ISDIR(st.st_mode)) {
            char *sub = join(folder, names[i]);
            rc = sub ? walk_dir(l, prog, path, sub, depth + 1) : MS_ENOMEM;
            free(sub);
        } else if (S_ISREG(st.st_mode)) {
            if (!list_add(l, path, folder, names[i], (uint64_t)st.st_size)) rc = MS_ENOMEM;
        } else {
            char sp[1200];
            progress_line(prog, stderr, "mstation put: %s: skipped (not a regular file)\n",
                          safe(path, sp, sizeof sp));
        }
        free(path);
        free(names[i]);
    }
    free(names);
    return rc;
}

/* The arguments: a file goes to --folder under its own name; a folder's files go to --folder,
 * its sub-folders below it. A symbolic link given as an argument is followed (it was named
 * on purpose); links met inside folders are skipped. */
static int walk_args(const cli_args *a, const char *folder, put_list *l, progress *prog)
{
    for (int i = 0; i < a->npos; i++) {
        const char *path = a->pos[i];
        struct stat st;
        if (stat(path, &st)) {
            list_fail(l, prog, path, errno == ENOENT ? MS_ENOTFOUND : MS_EIO, strerror(errno));
            continue;
        }
        int rc = 0;
        if (S_ISDIR(st.st_mode)) {
            rc = walk_dir(l, prog, path, folder, 0);
        } else if (S_ISREG(st.st_mode)) {
            const char *base = strrchr(path, '/');
            base = base ? base + 1 : path;
            if (!list_add(l, path, folder, base, (uint64_t)st.st_size)) rc = MS_ENOMEM;
        } else {
            list_fail(l, prog, path, MS_EINVAL, "not a regular file or a folder");
        }
        if (rc) return rc;
    }
    return 0;
}

/* GET /store/params: the chunk sizes the server cuts with; ours must be the same. */
static int fetch_params(CURL *h, const xfer *x, ms_cdc_params *out, ms_error *err)
{
    json_t *j = NULL;
    int rc = api_get(h, x, "/api/v1/store/params", &j, err);
    if (rc) return rc;
    int64_t mn, avg, mx;
    if (!jint(j, "chunk_min", 1, MS_CDC_MAX_CEIL, &mn) ||
        !jint(j, "chunk_avg", 1, MS_CDC_MAX_CEIL, &avg) ||
        !jint(j, "chunk_max", 1, MS_CDC_MAX_CEIL, &mx)) {
        json_decref(j);
        return ms_fail(err, MS_EIO, "bad-answer",
                       "the server's /api/v1/store/params lacks integer chunk_min, chunk_avg "
                       "and chunk_max");
    }
    json_decref(j);
    out->min = (uint32_t)mn;
    out->avg = (uint32_t)avg;
    out->max = (uint32_t)mx;
    ms_error e;
    ms_error_clear(&e);
    if (ms_cdc_check(out, &e))
        return ms_fail(err, MS_EIO, "bad-answer", "the server's chunk parameters are unusable: %s",
                       e.detail);
    return 0;
}

/* The project exists and the token may see it: one clear message instead of one per file. */
static int check_project(CURL *h, const xfer *x, const char *pid, ms_error *err)
{
    char path[120];
    snprintf(path, sizeof path, "/api/v1/projects/%s", pid);
    return api_get(h, x, path, NULL, err);
}

int transfer_put(const cli_args *a, char **envp)
{
    const char *pid = cli_get(a, "project");
    if (!a->npos) return usage("put", "name the files or folders to upload");
    if (!pid) return usage("put", "--project PROJECT_ID is required");
    if (!id_ok(pid)) return usage("put", "--project must be a project id (a UUID)");
    char folder[1100];
    if (!ms_folder_normalize(cli_get(a, "folder"), folder, sizeof folder))
        return usage("put", "--folder must be a path like /EP03/camera, without . or ..");
    int64_t parallel = 4, files = 3;
    if (cli_get(a, "parallel") && (!ms_parse_int(cli_get(a, "parallel"), &parallel) ||
                                   parallel < 1 || parallel > PARALLEL_MAX))
        return usage("put", "--parallel must be 1-%d", PARALLEL_MAX);
    if (cli_get(a, "files") &&
        (!ms_parse_int(cli_get(a, "files"), &files) || files < 1 || files > FILES_MAX))
        return usage("put", "--files must be 1-%d", FILES_MAX);
    xfer x;
    int rc = xfer_open("put", a, envp, &x);
    if (rc) return rc;
    /* --limit-rate is for the whole upload: each sender gets its share. */
    if (x.rate) x.rate = x.rate / parallel > 1024 ? x.rate / parallel : 1024;
    progress prog;
    progress_init(&prog, !cli_has(a, "no-progress"));
    put_opts o = {.pid = pid, .comment = cli_get(a, "comment")};
    ms_error e;
    ms_error_clear(&e);
    int ret = 0;
    put_list l;
    memset(&l, 0, sizeof l);
    CURL *h = curl_easy_init();
    if (!h) {
        ms_fail(&e, MS_ENOMEM, NULL, "out of memory");
        ret = report("put", NULL, &e);
        goto done;
    }
    if ((rc = check_project(h, &x, pid, &e))) {
        if (rc == MS_ENOTFOUND)
            ms_fail(&e, MS_ENOTFOUND, NULL,
                    "no project %s (or not one this token's account may see)", pid);
        ret = report("put", NULL, &e);
        goto done;
    }
    if ((rc = fetch_params(h, &x, &o.params, &e))) {
        ret = report("put", NULL, &e);
        goto done;
    }
    if ((rc = walk_args(a, folder, &l, &prog))) {
        ms_fail(&e, rc, NULL, "out of memory");
        ret = report("put", NULL, &e);
        goto done;
    }
    pool p;
    memset(&p, 0, sizeof p);
    p.x = &x;
    p.pid = pid;
    p.prog = &prog;
    p.chunk_max = o.params.max;
    if (pool_start(&p, (int)parallel)) {
        ms_fail(&e, MS_ENOMEM, NULL, "cannot start the sending threads");
        ret = report("put", NULL, &e);
        goto done;
    }
    progress_start(&prog, l.bytes);
    put_sched sc = {.p = &p, .o = &o, .l = &l, .prog = &prog, .nfiles = (int)files};
    put_files(&sc);
    size_t ok = sc.ok, failed = sc.failed;
    ret = sc.ret;
    pool_stop(&p);
    if (l.failed && !ret) ret = exit_code(l.first_rc);
    if (l.n > 1 || failed || l.failed)
        progress_line(&prog, stderr, "mstation put: %zu files uploaded or unchanged, %zu failed\n",
                      ok, failed + (size_t)l.failed);
done:
    progress_stop(&prog);
    list_free(&l);
    if (h) curl_easy_cleanup(h);
    curl_global_cleanup();
    return ret;
}

/* ==== get =================================================================================
 *
 * The bytes go to FILE.part (created 0644, appended to), the BLAKE3 of everything in it
 * kept as they arrive; an interrupted transfer, in this run or a later one, continues with
 * `Range: bytes=<size of the part>-` after hashing the part that is there. A server that
 * ignores the range (200) starts the part over. When all the bytes are there, their digest
 * must equal the server's (X-Content-Blake3, the ETag "b3-<hex>", and the version's
 * metadata, which must agree with each other): then fsync, rename into place and fsync the
 * folder; otherwise the part is deleted, because resuming on top of wrong bytes would only
 * fail again. The version is fixed before the first byte (the current one unless --version),
 * so a new upload during a download does not mix two versions. */

typedef struct dl {
    int fd;
    bool to_stdout;
    uint64_t have, size;
    ms_blake3 hash;
    bool started; /* this response's first bytes were handled */
    http_res *res;
    progress *prog;
    int rc;
    ms_error err;
} dl;

static bool write_all(int fd, const char *p, size_t n, bool append, uint64_t at)
{
    while (n) {
        ssize_t w = append ? write(fd, p, n) : pwrite(fd, p, n, (off_t)at);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return false;
        p += w;
        n -= (size_t)w;
        at += (uint64_t)w;
    }
    return true;
}

/* "bytes A-B/T" */
static bool parse_content_range(const char *s, uint64_t *a, uint64_t *b, uint64_t *t)
{
    if (strncmp(s, "bytes ", 6)) return false;
    s += 6;
    uint64_t v[3];
    for (int i = 0; i < 3; i++) {
        if (*s < '0' || *s > '9') return false;
        uint64_t x = 0;
        while (*s >= '0' && *s <= '9') {
            if (x > (UINT64_MAX - 9) / 10) return false;
            x = x * 10 + (uint64_t)(*s++ - '0');
        }
        v[i] = x;
        if (i < 2 && *s++ != (i == 0 ? '-' : '/')) return false;
    }
    if (*s) return false;
    *a = v[0], *b = v[1], *t = v[2];
    return *a <= *b && *b < *t;
}

static bool dl_sink(void *ctx, long status, const char *p, size_t n)
{
    dl *d = ctx;
    if (!d->started) {
        d->started = true;
        if (status == 206) {
            uint64_t a, b, t;
            if (!parse_content_range(d->res->content_range, &a, &b, &t) || a != d->have ||
                t != d->size || b != t - 1) {
                d->rc = ms_fail(&d->err, MS_EIO, "bad-answer",
                                "the server answered the range request with bytes %s, not "
                                "%" PRIu64 "- of %" PRIu64,
                                d->res->content_range[0] ? d->res->content_range : "(none)",
                                d->have, d->size);
                return false;
            }
        } else if (status == 200 && d->have > 0) {
            /* The whole content again: start the part over. */
            if (d->to_stdout) {
                d->rc = ms_fail(&d->err, MS_EIO, NULL,
                                "the server cannot continue where the transfer broke off, and "
                                "what was written to standard output cannot be taken back");
                return false;
            }
            if (ftruncate(d->fd, 0)) {
                d->rc = ms_fail(&d->err, MS_EIO, NULL, "cannot truncate: %s", strerror(errno));
                return false;
            }
            atomic_fetch_sub(&d->prog->done, d->have);
            d->have = 0;
            ms_blake3_init(&d->hash);
        } else if (status != 200) {
            d->rc = ms_fail(&d->err, MS_EIO, "bad-answer", "the server answered %ld to a download",
                            status);
            return false;
        }
    }
    if (n > d->size - d->have) {
        d->rc = ms_fail(&d->err, MS_EIO, "bad-answer",
                        "the server sent more than the version's %" PRIu64 " bytes", d->size);
        return false;
    }
    if (!write_all(d->fd, p, n, d->to_stdout, d->have)) {
        d->rc = ms_fail(&d->err, MS_EIO, NULL, "cannot write: %s", strerror(errno));
        return false;
    }
    ms_blake3_update(&d->hash, p, n);
    d->have += n;
    atomic_fetch_add(&d->prog->done, n);
    return true;
}

/* The digest the server states for the content: X-Content-Blake3, else the ETag "b3-<hex>".
 * "" when neither is there; false when they are there but malformed or disagree. */
static bool header_digest(const http_res *r, char out[65])
{
    out[0] = 0;
    char e[65] = "";
    if (r->etag[0]) {
        const char *t = r->etag;
        if (!strncmp(t, "W/", 2)) t += 2;
        size_t n = strlen(t);
        if (n == 69 && t[0] == '"' && !strncmp(t + 1, "b3-", 3) && t[68] == '"') {
            memcpy(e, t + 4, 64);
            e[64] = 0;
            if (!unhex32(e, NULL)) return false;
        }
    }
    if (r->b3[0]) {
        if (!unhex32(r->b3, NULL)) return false;
        if (e[0] && strcmp(e, r->b3)) return false;
        ms_strlcpy(out, r->b3, 65);
    } else {
        ms_strlcpy(out, e, 65);
    }
    return true;
}

/* The name the server gave an asset, when it is safe as a file name in the current folder. */
static bool local_name_ok(const char *s)
{
    if (!s || !*s || strlen(s) > 255 || !strcmp(s, ".") || !strcmp(s, "..")) return false;
    for (const char *p = s; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7F || *p == '/' || *p == '\\') return false;
    return true;
}

/* BLAKE3-256 of a whole file (hex). */
static int hash_file(int fd, uint64_t limit, ms_blake3 *h, uint64_t *n, ms_error *err)
{
    ms_blake3_init(h);
    *n = 0;
    size_t cap = 1 << 20;
    char *buf = malloc(cap);
    if (!buf) return ms_fail(err, MS_ENOMEM, NULL, "out of memory");
    int rc = 0;
    while (*n < limit) {
        size_t want = limit - *n < cap ? (size_t)(limit - *n) : cap;
        ssize_t r = pread(fd, buf, want, (off_t)*n);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) {
            rc = ms_fail(err, MS_EIO, NULL, "cannot read: %s", strerror(errno));
            break;
        }
        if (r == 0) break;
        ms_blake3_update(h, buf, (size_t)r);
        *n += (uint64_t)r;
    }
    free(buf);
    return rc;
}

static bool same_content(const char *path, uint64_t size, const char *digest)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return false;
    ms_blake3 h;
    uint64_t n;
    ms_error e;
    bool same = false;
    if (!hash_file(fd, UINT64_MAX, &h, &n, &e) && n == size) {
        uint8_t d[32];
        char hex[65];
        ms_blake3_finalize(&h, d, 32);
        hex32(d, hex);
        same = !strcmp(hex, digest);
    }
    close(fd);
    return same;
}

static void fsync_dir_of(const char *path)
{
    char dir[4200];
    ms_strlcpy(dir, path, sizeof dir);
    char *slash = strrchr(dir, '/');
    if (slash == dir)
        dir[1] = 0;
    else if (slash)
        *slash = 0;
    else
        snprintf(dir, sizeof dir, ".");
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        fsync(fd);
        close(fd);
    }
}

/* The version to download: its number, size and digest. */
static int resolve_version(CURL *h, const xfer *x, const char *id, int64_t want, char *name,
                           size_t namecap, int64_t *number, uint64_t *size, char digest[65],
                           ms_error *err)
{
    char path[200];
    snprintf(path, sizeof path, "/api/v1/assets/%s", id);
    json_t *j = NULL;
    int rc = api_get(h, x, path, &j, err);
    if (rc == MS_ENOTFOUND)
        return ms_fail(err, MS_ENOTFOUND, NULL,
                       "no asset %s (or not one this token's account may see)", id);
    if (rc) return rc;
    int64_t sz = 0;
    const char *n = jstr(j, "name");
    if (!n || !jint(j, "current_number", 1, 100000000, number) ||
        !jint(j, "size", 0, SIZE_LIMIT, &sz) || !unhex32(jstr(j, "digest"), NULL)) {
        json_decref(j);
        return ms_fail(err, MS_EIO, "bad-answer",
                       "the server's asset has no valid name, current_number, size or digest");
    }
    ms_strlcpy(name, n, namecap);
    ms_strlcpy(digest, jstr(j, "digest"), 65);
    *size = (uint64_t)sz;
    json_decref(j);
    if (!want || want == *number) return 0;
    snprintf(path, sizeof path, "/api/v1/assets/%s/versions", id);
    if ((rc = api_get(h, x, path, &j, err))) return rc;
    json_t *items = json_object_get(j, "items");
    if (!json_is_array(items)) {
        json_decref(j);
        return ms_fail(err, MS_EIO, "bad-answer", "the server's version list is malformed");
    }
    size_t i;
    json_t *it;
    rc = ms_fail(err, MS_ENOTFOUND, "no-such-version", "asset %s has no version %lld", id,
                 (long long)want);
    json_array_foreach(items, i, it)
    {
        int64_t num;
        if (!jint(it, "number", 1, 100000000, &num) || num != want) continue;
        if (!jint(it, "size", 0, SIZE_LIMIT, &sz) || !unhex32(jstr(it, "digest"), NULL)) {
            rc = ms_fail(err, MS_EIO, "bad-answer",
                         "the server's version %lld has no valid size or digest", (long long)want);
            break;
        }
        *number = num;
        *size = (uint64_t)sz;
        ms_strlcpy(digest, jstr(it, "digest"), 65);
        ms_error_clear(err);
        rc = 0;
        break;
    }
    json_decref(j);
    return rc;
}

/* The server refused the Range: 416, or 400 range-not-satisfiable. */
static bool range_refused(const http_res *r)
{
    if (r->status == 416) return true;
    if (r->status != 400) return false;
    ms_error e;
    ms_error_clear(&e);
    http_problem(r, &e);
    return !strcmp(e.type, "range-not-satisfiable");
}

/* Download into d->fd from d->have on, until d->size bytes are there; fills `stated` with the
 * digest the server's headers give ("" if none). */
static int download(CURL *h, const xfer *x, const char *path, dl *d, char stated[65], ms_error *err)
{
    http_res r;
    res_init(&r);
    r.sink = dl_sink;
    r.sink_ctx = d;
    d->res = &r;
    int rc = 0, fails = 0;
    bool asked = false, restarted = false;
    double delay = 0.5;
    while (!rc && (d->have < d->size || !asked)) {
        char range[64];
        snprintf(range, sizeof range, "bytes=%" PRIu64 "-", d->have);
        http_req q = {.method = "GET", .path = path, .range = d->have ? range : NULL, .once = true};
        uint64_t before = d->have;
        d->started = false;
        d->rc = 0;
        ms_error e;
        ms_error_clear(&e);
        int c = http_call(h, x, &q, &r, &e);
        if (d->rc) {
            *err = d->err;
            rc = d->rc;
            break;
        }
        bool retry = false;
        if (c) {
            retry = true; /* connection failure or broken off: continue where it stopped */
        } else if (r.status == 200 || r.status == 206) {
            asked = true;
            char hd[65];
            if (!header_digest(&r, hd)) {
                rc = ms_fail(err, MS_EIO, "bad-answer",
                             "the server's ETag and X-Content-Blake3 are malformed or disagree");
                break;
            }
            if (hd[0]) {
                if (stated[0] && strcmp(stated, hd)) {
                    rc = ms_fail(err, MS_EIO, "bad-answer",
                                 "the server's content digest changed between requests");
                    break;
                }
                ms_strlcpy(stated, hd, 65);
            }
            retry = d->have < d->size;
        } else if (d->have && !restarted && range_refused(&r)) {
            /* The part is longer than what the server has: start over once. */
            restarted = true;
            if (ftruncate(d->fd, 0)) {
                rc = ms_fail(err, MS_EIO, NULL, "cannot truncate: %s", strerror(errno));
                break;
            }
            atomic_fetch_sub(&d->prog->done, d->have);
            d->have = 0;
            ms_blake3_init(&d->hash);
            continue;
        } else if (transient_status(r.status)) {
            retry = true;
            ms_error_clear(&e);
            http_problem(&r, &e);
        } else {
            rc = http_problem(&r, err);
            break;
        }
        if (!retry) continue;
        if (d->have > before) fails = 0, delay = 0.5; /* progress: a fresh set of tries */
        if (++fails >= HTTP_TRIES) {
            if (!e.detail[0])
                ms_fail(&e, MS_EIO, NULL, "the transfer keeps breaking off at %" PRIu64 " bytes",
                        d->have);
            *err = e;
            rc = e.code ? e.code : MS_EIO;
            break;
        }
        sleep_s(delay * jitter());
        delay *= 2;
    }
    res_free(&r);
    return rc;
}

int transfer_get(const cli_args *a, char **envp)
{
    const char *id = NULL, *output = cli_get(a, "output");
    for (int i = 0; i < a->npos; i++) {
        if (!strcmp(a->pos[i], "-o")) {
            if (i + 1 >= a->npos) return usage("get", "-o needs a file name");
            if (output) return usage("get", "give the output file once");
            output = a->pos[++i];
        } else if (!id) {
            id = a->pos[i];
        } else {
            return usage("get", "unexpected argument \"%.200s\"", a->pos[i]);
        }
    }
    if (!id) return usage("get", "name the asset: mstation get ASSET_ID");
    if (!id_ok(id)) return usage("get", "\"%.100s\" is not an asset id (a UUID)", id);
    if (output && !*output) return usage("get", "the output file name is empty");
    int64_t version = 0;
    if (cli_get(a, "version") &&
        (!ms_parse_int(cli_get(a, "version"), &version) || version < 1 || version > 100000000))
        return usage("get", "--version must be a version number (1 for v001)");
    xfer x;
    int rc = xfer_open("get", a, envp, &x);
    if (rc) return rc;
    bool to_stdout = output && !strcmp(output, "-");
    progress prog;
    progress_init(&prog, !cli_has(a, "no-progress"));
    ms_error e;
    ms_error_clear(&e);
    int ret = 0, fd = -1;
    char name[300], digest[65], stated[65] = "", out[4096], part[4200], so[4200];
    const char *what = id;
    int64_t number = 0;
    uint64_t size = 0;
    dl d;
    memset(&d, 0, sizeof d);
    CURL *h = curl_easy_init();
    if (!h) {
        ms_fail(&e, MS_ENOMEM, NULL, "out of memory");
        goto fail;
    }
    if ((rc = resolve_version(h, &x, id, version, name, sizeof name, &number, &size, digest, &e)))
        goto fail;
    /* Where to: -o FILE, -o DIR/ (the asset's name inside), or the name here. */
    struct stat st;
    if (to_stdout) {
        snprintf(out, sizeof out, "-");
    } else if (!output || (!stat(output, &st) && S_ISDIR(st.st_mode))) {
        if (!local_name_ok(name)) {
            char sn[600];
            ms_fail(&e, MS_EINVAL, NULL,
                    "the asset's name \"%s\" cannot be a file name here; pass -o FILE",
                    safe(name, sn, sizeof sn));
            goto fail;
        }
        int n = output ? snprintf(out, sizeof out, "%s%s%s", output,
                                  output[strlen(output) - 1] == '/' ? "" : "/", name)
                       : snprintf(out, sizeof out, "%s", name);
        if (n < 0 || (size_t)n >= sizeof out - 8) { /* room for ".part" */
            ms_fail(&e, MS_EINVAL, NULL, "the output path is too long");
            goto fail;
        }
    } else if (strlen(output) >= sizeof out - 8) {
        ms_fail(&e, MS_EINVAL, NULL, "the output path is too long");
        goto fail;
    } else {
        snprintf(out, sizeof out, "%s", output);
    }
    safe(out, so, sizeof so);
    what = so;
    char sa[32], sb[32];
    if (!to_stdout && !stat(out, &st)) {
        if (!S_ISREG(st.st_mode)) {
            ms_fail(&e, MS_ECONFLICT, NULL, "exists and is not a regular file");
            goto fail;
        }
        if ((uint64_t)st.st_size == size && same_content(out, size, digest)) {
            printf("get %s v%03d -> %s unchanged (%s, already here)\n", id, (int)number, so,
                   mb(size, sa));
            goto done;
        }
        if (!cli_has(a, "force")) {
            ms_fail(&e, MS_ECONFLICT, NULL,
                    "exists with other content; pass --force to replace it (or -o FILE)");
            goto fail;
        }
    }
    snprintf(part, sizeof part, "%s.part", out);
    d.to_stdout = to_stdout;
    d.size = size;
    d.prog = &prog;
    if (to_stdout) {
        fd = 1;
        ms_blake3_init(&d.hash);
    } else {
        fd = open(part, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
        if (fd < 0 || fstat(fd, &st)) {
            ms_fail(&e, MS_EIO, NULL, "cannot write %s.part: %s", so, strerror(errno));
            goto fail;
        }
        uint64_t have = (uint64_t)st.st_size;
        if (have > size) {
            /* Longer than the version: from another download; start over. */
            if (ftruncate(fd, 0)) {
                ms_fail(&e, MS_EIO, NULL, "cannot truncate %s.part: %s", so, strerror(errno));
                goto fail;
            }
            have = 0;
        }
        if (have) {
            progress_label(&prog, "checking %s.part", so);
            if ((rc = hash_file(fd, have, &d.hash, &d.have, &e))) goto fail;
            if (d.have != have) {
                ms_fail(&e, MS_EIO, NULL, "%s.part changed while it was read", so);
                goto fail;
            }
        } else {
            ms_blake3_init(&d.hash);
        }
    }
    d.fd = fd;
    uint64_t resumed = d.have;
    atomic_store(&prog.done, d.have);
    progress_start(&prog, size);
    progress_label(&prog, "%s", so);
    double t0 = now_s();
    char path[240];
    snprintf(path, sizeof path, "/api/v1/assets/%s/content?version=%d", id, (int)number);
    if (!(size && d.have == size) && (rc = download(h, &x, path, &d, stated, &e))) goto fail;
    uint8_t got[32];
    char hex[65];
    ms_blake3_finalize(&d.hash, got, 32);
    hex32(got, hex);
    if (stated[0] && strcmp(stated, digest)) {
        ms_fail(&e, MS_EIO, "bad-answer", "the server's content digest %s is not the version's %s",
                stated, digest);
        goto fail;
    }
    if (strcmp(hex, digest)) {
        if (!to_stdout) unlink(part);
        ms_fail(&e, MS_EIO, "digest-mismatch",
                "DOWNLOAD CORRUPT: the bytes received have BLAKE3 %s, the version has %s; %s", hex,
                digest,
                to_stdout ? "what was written to standard output is NOT the asset"
                          : "the .part file was deleted, run get again");
        goto fail;
    }
    if (!to_stdout) {
        if (fsync(fd)) {
            ms_fail(&e, MS_EIO, NULL, "cannot write %s.part to disk: %s", so, strerror(errno));
            goto fail;
        }
        close(fd);
        fd = -1;
        if (rename(part, out)) {
            ms_fail(&e, MS_EIO, NULL, "cannot rename %s.part into place: %s", so, strerror(errno));
            goto fail;
        }
        fsync_dir_of(out);
    }
    double dt = now_s() - t0;
    uint64_t moved = d.have - resumed;
    char sr[64] = "";
    if (resumed) snprintf(sr, sizeof sr, ", resumed at %s", mb(resumed, sb));
    progress_line(&prog, to_stdout ? stderr : stdout, "get %s v%03d -> %s (%s%s, %.1f MB/s)\n", id,
                  (int)number, to_stdout ? "standard output" : so, mb(size, sa), sr,
                  dt > 0 ? (double)moved / MB / dt : 0.0);
    goto done;
fail:
    progress_stop(&prog);
    ret = report("get", what, &e);
    if (fd > 1) {
        /* A .part with nothing in it helps no later run. */
        if (!fstat(fd, &st) && st.st_size == 0) unlink(part);
        close(fd);
    }
    if (h) curl_easy_cleanup(h);
    curl_global_cleanup();
    return ret;
done:
    progress_stop(&prog);
    if (fd > 1) close(fd);
    if (h) curl_easy_cleanup(h);
    curl_global_cleanup();
    return ret;
}

/* ==== Tables (ls, share --list) =========================================================== */

#define TABLE_COLS 8

typedef struct table {
    int ncols;
    char **cells; /* rows * ncols, safe text */
    size_t rows, cap;
} table;

static bool table_add(table *t, const char *const *row)
{
    if (t->rows == t->cap) {
        size_t cap = t->cap ? 2 * t->cap : 64;
        char **c = realloc(t->cells, cap * (size_t)t->ncols * sizeof *c);
        if (!c) return false;
        t->cells = c;
        t->cap = cap;
    }
    for (int i = 0; i < t->ncols; i++) {
        char buf[1200];
        char *s = strdup(safe(row[i] ? row[i] : "", buf, sizeof buf));
        if (!s) {
            for (int k = 0; k < i; k++)
                free(t->cells[t->rows * (size_t)t->ncols + (size_t)k]);
            return false;
        }
        t->cells[t->rows * (size_t)t->ncols + (size_t)i] = s;
    }
    t->rows++;
    return true;
}

/* Print with columns padded to their widest cell (in terminal columns); the last column is
 * not padded. `right` marks right-aligned columns (sizes, counts). */
static void table_print(const table *t, const char *right)
{
    size_t w[TABLE_COLS] = {0};
    for (size_t r = 0; r < t->rows; r++)
        for (int c = 0; c < t->ncols; c++) {
            size_t n = text_cols(t->cells[r * (size_t)t->ncols + (size_t)c]);
            if (n > w[c]) w[c] = n;
        }
    for (size_t r = 0; r < t->rows; r++) {
        for (int c = 0; c < t->ncols; c++) {
            const char *s = t->cells[r * (size_t)t->ncols + (size_t)c];
            size_t pad = w[c] - text_cols(s);
            bool last = c == t->ncols - 1;
            if (right[c] == 'r') printf("%*s", (int)pad, "");
            fputs(s, stdout);
            if (right[c] != 'r' && !last) printf("%*s", (int)pad, "");
            if (!last) fputs("  ", stdout);
        }
        putchar('\n');
    }
}

static void table_free(table *t)
{
    for (size_t i = 0; i < t->rows * (size_t)t->ncols; i++)
        free(t->cells[i]);
    free(t->cells);
}

/* "2026-11-22T07:14:36Z" -> "2026-11-22 07:14" */
static void short_time(const char *s, char out[32])
{
    if (!s) {
        snprintf(out, 32, "-");
        return;
    }
    if (strlen(s) >= 16 && s[10] == 'T')
        snprintf(out, 32, "%.10s %.5s", s, s + 11);
    else
        snprintf(out, 32, "%.31s", s);
}

/* "3840x2160 prores 422 HQ PQ 23.976", "pcm_s24le 2ch 48 kHz", or the probe's state. */
static void media_summary(const json_t *it, char *out, size_t cap)
{
    ms_buf b;
    ms_buf_init(&b);
    int64_t w, h, ch, sr;
    const char *st = jstr(it, "probe_state");
    const char *vc = jstr(it, "video_codec");
    if (jint(it, "width", 1, 1000000, &w) && jint(it, "height", 1, 1000000, &h))
        ms_buf_printf(&b, "%lldx%lld", (long long)w, (long long)h);
    if (vc) {
        ms_buf_printf(&b, "%s%s", b.len ? " " : "", vc);
        const char *vp = jstr(it, "video_profile"), *hdr = jstr(it, "hdr");
        if (vp && *vp) ms_buf_printf(&b, " %s", vp);
        if (hdr && *hdr) ms_buf_printf(&b, " %s", hdr);
        json_t *fps = json_object_get(it, "fps");
        double f = 0;
        if (json_is_number(fps)) {
            f = json_number_value(fps);
        } else if (json_is_string(fps)) {
            long long num = 0, den = 1;
            const char *s = json_string_value(fps);
            if (sscanf(s, "%lld/%lld", &num, &den) == 2 && den > 0)
                f = (double)num / (double)den;
            else
                f = strtod(s, NULL);
        }
        if (f > 0 && f < 10000) {
            char t[32];
            snprintf(t, sizeof t, "%.3f", f);
            char *e = t + strlen(t) - 1;
            while (*e == '0')
                *e-- = 0;
            if (*e == '.') *e = 0;
            ms_buf_printf(&b, " %s", t);
        }
    } else if (jstr(it, "audio_codec")) {
        ms_buf_printf(&b, "%s%s", b.len ? " " : "", jstr(it, "audio_codec"));
        if (jint(it, "audio_channels", 1, 1024, &ch)) ms_buf_printf(&b, " %lldch", (long long)ch);
        if (jint(it, "sample_rate", 1, 10000000, &sr))
            ms_buf_printf(&b, " %g kHz", (double)sr / 1000);
    }
    if (!b.len && st && !strcmp(st, "pending")) ms_buf_puts(&b, "(probing)");
    if (!b.len && st && !strcmp(st, "failed")) ms_buf_puts(&b, "(probe failed)");
    snprintf(out, cap, "%s", b.len && !b.oom ? b.data : "");
    ms_buf_free(&b);
}

/* Walk a list endpoint through next_cursor, calling `fn` per item. */
static int walk_list(CURL *h, const xfer *x, const char *base, int (*fn)(void *, json_t *),
                     void *ctx, ms_error *err)
{
    char *ec = NULL;
    int rc = 0;
    for (int page = 0; !rc; page++) {
        if (page == PAGES_MAX) {
            rc = ms_fail(err, MS_EIO, "bad-answer", "the server's list does not end");
            break;
        }
        ms_buf path;
        ms_buf_init(&path);
        ms_buf_printf(&path, "%s%slimit=500", base, strchr(base, '?') ? "&" : "?");
        if (ec) ms_buf_printf(&path, "&cursor=%s", ec);
        curl_free(ec);
        ec = NULL;
        json_t *j = NULL;
        rc = path.oom ? ms_fail(err, MS_ENOMEM, NULL, "out of memory")
                      : api_get(h, x, path.data, &j, err);
        ms_buf_free(&path);
        if (rc) break;
        json_t *items = json_object_get(j, "items"), *next = json_object_get(j, "next_cursor");
        if (!json_is_array(items) || (next && !json_is_null(next) && !json_is_string(next))) {
            json_decref(j);
            rc = ms_fail(err, MS_EIO, "bad-answer", "the server's list is malformed");
            break;
        }
        size_t i;
        json_t *it;
        json_array_foreach(items, i, it)
        {
            if (!json_is_object(it)) {
                rc = ms_fail(err, MS_EIO, "bad-answer", "the server's list has a non-object item");
                break;
            }
            if ((rc = fn(ctx, it))) {
                rc = ms_fail(err, MS_ENOMEM, NULL, "out of memory");
                break;
            }
        }
        if (!rc && json_is_string(next) && json_array_size(items)) {
            ec = curl_easy_escape(h, json_string_value(next), 0);
            if (!ec) rc = ms_fail(err, MS_ENOMEM, NULL, "out of memory");
        }
        json_decref(j);
        if (!ec) break;
    }
    curl_free(ec);
    return rc;
}

/* ==== ls ================================================================================== */

typedef struct ls_ctx {
    table t;
    bool recursive;
    uint64_t bytes;
    size_t n;
} ls_ctx;

static int ls_row(void *ctx, json_t *it)
{
    ls_ctx *c = ctx;
    const char *folder = jstr(it, "folder"), *name = jstr(it, "name");
    char path[2400], ver[24] = "-", size[24] = "-", media[400], when[32];
    if (c->recursive && folder)
        snprintf(path, sizeof path, "%s/%s", strcmp(folder, "/") ? folder : "", name ? name : "?");
    else
        snprintf(path, sizeof path, "%s", name ? name : "?");
    int64_t n, sz;
    if (jint(it, "current_number", 1, 100000000, &n)) snprintf(ver, sizeof ver, "v%03d", (int)n);
    if (jint(it, "size", 0, SIZE_LIMIT, &sz)) {
        human((uint64_t)sz, size);
        c->bytes += (uint64_t)sz;
    }
    media_summary(it, media, sizeof media);
    short_time(jstr(it, "updated_at"), when);
    const char *kind = jstr(it, "kind");
    const char *row[] = {path, kind ? kind : "-", ver, size, media, when, jstr(it, "id")};
    c->n++;
    return table_add(&c->t, row) ? 0 : MS_ENOMEM;
}

static int cmp_row(const void *a, const void *b)
{
    /* Rows are arrays of 7 cells; sort by the first (the path or name). */
    const char *const *x = a, *const *y = b;
    return strcmp(x[0], y[0]);
}

int transfer_ls(const cli_args *a, char **envp)
{
    const char *pid = cli_get(a, "project");
    if (!pid) return usage("ls", "--project PROJECT_ID is required");
    if (!id_ok(pid)) return usage("ls", "--project must be a project id (a UUID)");
    char folder[1100];
    if (!ms_folder_normalize(cli_get(a, "folder"), folder, sizeof folder))
        return usage("ls", "--folder must be a path like /EP03/camera, without . or ..");
    xfer x;
    int rc = xfer_open("ls", a, envp, &x);
    if (rc) return rc;
    ms_error e;
    ms_error_clear(&e);
    ls_ctx c;
    memset(&c, 0, sizeof c);
    c.t.ncols = 7;
    c.recursive = cli_has(a, "recursive");
    const char *header[] = {"NAME", "KIND", "VER", "SIZE", "MEDIA", "UPDATED", "ID"};
    int ret = 0;
    CURL *h = curl_easy_init();
    char *ef = h ? curl_easy_escape(h, folder, 0) : NULL;
    char *ek = h && cli_get(a, "kind") ? curl_easy_escape(h, cli_get(a, "kind"), 0) : NULL;
    ms_buf base;
    ms_buf_init(&base);
    ms_buf_printf(&base, "/api/v1/projects/%s/assets?folder=%s%s", pid, ef ? ef : "",
                  c.recursive ? "&recursive=true" : "");
    if (ek) ms_buf_printf(&base, "&kind=%s", ek);
    if (!h || !ef || (cli_get(a, "kind") && !ek) || base.oom || !table_add(&c.t, header))
        rc = ms_fail(&e, MS_ENOMEM, NULL, "out of memory");
    else
        rc = walk_list(h, &x, base.data, ls_row, &c, &e);
    if (rc == MS_ENOTFOUND)
        ms_fail(&e, MS_ENOTFOUND, NULL, "no project %s (or not one this token's account may see)",
                pid);
    if (rc) {
        ret = report("ls", NULL, &e);
    } else {
        if (c.t.rows > 2) qsort(c.t.cells + 7, c.t.rows - 1, 7 * sizeof *c.t.cells, cmp_row);
        if (c.n) table_print(&c.t, "   r   ");
        char hb[24];
        printf("%zu asset%s, %s%s%s\n", c.n, c.n == 1 ? "" : "s", human(c.bytes, hb),
               c.recursive ? " in and below " : " in ", folder);
    }
    table_free(&c.t);
    ms_buf_free(&base);
    curl_free(ef);
    curl_free(ek);
    if (h) curl_easy_cleanup(h);
    curl_global_cleanup();
    return ret;
}

/* ==== share =============================================================================== */

static bool utf8_ok(const char *s)
{
    json_t *j = json_string(s);
    json_decref(j);
    return j != NULL;
}

static int share_row(void *ctx, json_t *it)
{
    table *t = ctx;
    char when[32], exp[32], count[24] = "0";
    int64_t n;
    if (jint(it, "access_count", 0, INT64_MAX, &n))
        snprintf(count, sizeof count, "%lld", (long long)n);
    short_time(jstr(it, "created_at"), when);
    if (jstr(it, "expires_at"))
        short_time(jstr(it, "expires_at"), exp);
    else
        snprintf(exp, sizeof exp, "never");
    const char *status = jstr(it, "status");
    if (!status) status = jstr(it, "revoked_at") ? "revoked" : "-";
    json_t *hp = json_object_get(it, "has_passphrase");
    bool pass = json_is_true(hp) || (json_is_integer(hp) && json_integer_value(hp));
    const char *mode = jstr(it, "mode");
    const char *row[] = {jstr(it, "id"), mode ? mode : "-", status, pass ? "yes" : "no", when, exp,
                         count,          jstr(it, "note")};
    return table_add(t, row) ? 0 : MS_ENOMEM;
}

int transfer_share(const cli_args *a, char **envp)
{
    const char *id = a->npos ? a->pos[0] : NULL;
    const char *revoke = cli_get(a, "revoke"), *mode = cli_get(a, "mode");
    bool list = cli_has(a, "list");
    bool creating = !list && !revoke;
    if (!id) return usage("share", "name the asset: mstation share ASSET_ID");
    if (!id_ok(id)) return usage("share", "\"%.100s\" is not an asset id (a UUID)", id);
    if (list && revoke) return usage("share", "give --list or --revoke, not both");
    if (!creating &&
        (mode || cli_get(a, "expires-in") || cli_get(a, "passphrase-file") || cli_get(a, "note")))
        return usage("share", "--mode, --expires-in, --passphrase-file and --note are for making "
                              "a link, not with --list or --revoke");
    if (revoke && !id_ok(revoke)) return usage("share", "--revoke needs a share id (a UUID)");
    if (mode && strcmp(mode, "view") && strcmp(mode, "download"))
        return usage("share", "--mode must be view or download");
    int64_t expires = 0;
    if (cli_get(a, "expires-in") && (!ms_parse_duration(cli_get(a, "expires-in"), &expires) ||
                                     expires < 1 || expires > 36500LL * 86400))
        return usage("share", "--expires-in must be a duration, e.g. 7d or 12h");
    if (cli_get(a, "note") && !utf8_ok(cli_get(a, "note")))
        return usage("share", "--note must be UTF-8 text");
    ms_error e;
    ms_error_clear(&e);
    char pass[1100] = "";
    if (cli_get(a, "passphrase-file")) {
        if (cli_read_password(cli_get(a, "passphrase-file"), pass, &e))
            return report("share", NULL, &e);
        if (!*pass) return usage("share", "the passphrase file's first line is empty");
        if (!utf8_ok(pass)) return usage("share", "the passphrase must be UTF-8 text");
    }
    xfer x;
    int rc = xfer_open("share", a, envp, &x);
    if (rc) return rc;
    int ret = 0;
    char path[240];
    json_t *j = NULL;
    CURL *h = curl_easy_init();
    if (!h) {
        rc = ms_fail(&e, MS_ENOMEM, NULL, "out of memory");
    } else if (revoke) {
        snprintf(path, sizeof path, "/api/v1/assets/%s/shares/%s", id, revoke);
        http_req q = {.method = "DELETE", .path = path};
        rc = api(h, &x, &q, NULL, NULL, &e);
        if (!rc) printf("revoked %s\n", revoke);
    } else if (list) {
        snprintf(path, sizeof path, "/api/v1/assets/%s/shares", id);
        table t = {.ncols = 8};
        const char *header[] = {"ID",      "MODE",    "STATUS", "PASSPHRASE",
                                "CREATED", "EXPIRES", "OPENED", "NOTE"};
        rc = table_add(&t, header) ? walk_list(h, &x, path, share_row, &t, &e)
                                   : ms_fail(&e, MS_ENOMEM, NULL, "out of memory");
        if (!rc && t.rows > 1) table_print(&t, "      r ");
        if (!rc && t.rows == 1) printf("no share links\n");
        table_free(&t);
    } else {
        json_t *body = json_pack("{s:s}", "mode", mode ? mode : "view");
        if (expires) json_object_set_new(body, "expires_in", json_integer(expires));
        if (*pass) json_object_set_new(body, "passphrase", json_string(pass));
        if (cli_get(a, "note")) json_object_set_new(body, "note", json_string(cli_get(a, "note")));
        char *text = body ? json_dumps(body, JSON_COMPACT) : NULL;
        json_decref(body);
        snprintf(path, sizeof path, "/api/v1/assets/%s/shares", id);
        rc = text ? api_post(h, &x, path, text, NULL, &j, NULL, &e)
                  : ms_fail(&e, MS_ENOMEM, NULL, "out of memory");
        free(text);
        const char *url = rc ? NULL : jstr(j, "url");
        if (!rc && (!url || !*url || strlen(url) > 4000))
            rc = ms_fail(&e, MS_EIO, "bad-answer", "the server's answer has no share url");
        if (!rc) {
            char su[8200];
            if (url[0] == '/')
                printf("%s%s\n", x.server, safe(url, su, sizeof su));
            else
                printf("%s\n", safe(url, su, sizeof su));
        }
    }
    if (rc == MS_ENOTFOUND && !strcmp(e.type, "not-found"))
        ms_fail(&e, MS_ENOTFOUND, NULL, "no %s %s (or not one this token's account may see)",
                revoke ? "share link" : "asset", revoke ? revoke : id);
    if (rc) ret = report("share", NULL, &e);
    explicit_bzero(pass, sizeof pass);
    json_decref(j);
    if (h) curl_easy_cleanup(h);
    curl_global_cleanup();
    return ret;
}

/* ==== Options ============================================================================= */

#define COMMON_OPTS                                                                                \
    {"server", true, "server URL (default: $MSTATION_SERVER, else " DEFAULT_SERVER ")"},           \
    {                                                                                              \
        "token", true, "API token mst_... (default: $MSTATION_TOKEN)"                              \
    }

const cli_opt transfer_put_opts[] = {
    {"project", true, "the project's id (required)"},
    {"folder", true, "remote folder, e.g. /EP03/camera (default /); sub-folders go below it"},
    {"comment", true, "comment of the new versions"},
    {"parallel", true, "chunks sent at once (default 4, at most 32)"},
    {"files", true, "files worked on at once (default 3, at most 16)"},
    {"limit-rate", true, "send at most this many bytes per second in all, e.g. 20MB"},
    {"no-progress", false, "no progress bar (one line per file still)"},
    COMMON_OPTS,
    {NULL, false, NULL}};

const cli_opt transfer_get_opts[] = {
    {"output", true, "file to write (-o FILE; \"-\": standard output; a folder: the name in it)"},
    {"version", true, "version number to download (default: the current one)"},
    {"force", false, "replace an existing file with other content"},
    {"limit-rate", true, "at most this many bytes per second, e.g. 20MB"},
    {"no-progress", false, "no progress bar"},
    COMMON_OPTS,
    {NULL, false, NULL}};

const cli_opt transfer_ls_opts[] = {
    {"project", true, "the project's id (required)"},
    {"folder", true, "folder to list (default /)"},
    {"recursive", false, "also every folder below it"},
    {"kind", true, "only video, audio, image, image_sequence, subtitle, document or other"},
    COMMON_OPTS,
    {NULL, false, NULL}};

const cli_opt transfer_share_opts[] = {
    {"mode", true, "view (proxy only, the default) or download"},
    {"expires-in", true, "the link stops working after this long, e.g. 7d, 12h"},
    {"passphrase-file", true, "ask for the passphrase in this file's first line (\"-\": stdin)"},
    {"note", true, "who or what the link is for"},
    {"list", false, "list the asset's links instead"},
    {"revoke", true, "revoke this share link (its id)"},
    COMMON_OPTS,
    {NULL, false, NULL}};
